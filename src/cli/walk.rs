//! Stage: before validation (CLI). In: the paths named to `validate`. Out: the files to check, in
//! a stable order, and how many files under named folders were passed over.
//!
//! A named file is checked whatever it holds (the user chose it). A named folder is walked: every
//! file under it whose name ends in `.json` or `.xml` and whose opening names a `catalog` or
//! `profile` root is checked; everything else (other formats, other OSCAL models such as SSPs,
//! `package.json`) is counted as skipped. The walk follows no symbolic link (no loops, nothing
//! outside the folder), passes over hidden folders (`.git`) and stops at a fixed depth.

use std::io::Read;
use std::path::{Path, PathBuf};

/// How deep below a named folder the walk goes.
const MAX_DEPTH: usize = 64;

/// How much of a file's opening is read to recognise its root.
const SNIFF_BYTES: u64 = 4096;

/// The files `validate` checks.
#[derive(Debug, Default, PartialEq, Eq)]
pub(super) struct Expanded {
    /// Named files and the OSCAL files found in named folders, in argument order; a folder's
    /// files sorted by path.
    pub files: Vec<PathBuf>,
    /// Files under named folders that are not OSCAL catalogs or profiles.
    pub skipped: usize,
    /// Named folders in which nothing was found to check.
    pub empty: Vec<PathBuf>,
}

/// Expands named folders into the OSCAL files under them.
pub(super) fn expand(named: &[PathBuf]) -> Expanded {
    let mut out = Expanded::default();
    for path in named {
        // `-` and anything that is not a folder are the user's own choice: checked as named.
        let is_dir = path != Path::new("-") && std::fs::metadata(path).is_ok_and(|m| m.is_dir());
        if !is_dir {
            out.files.push(path.clone());
            continue;
        }
        let before = out.files.len();
        let mut found = Vec::new();
        walk(path, 0, &mut found, &mut out.skipped);
        found.sort();
        out.files.extend(found);
        if out.files.len() == before {
            out.empty.push(path.clone());
        }
    }
    out
}

fn walk(dir: &Path, depth: usize, found: &mut Vec<PathBuf>, skipped: &mut usize) {
    if depth > MAX_DEPTH {
        return;
    }
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for entry in entries.filter_map(Result::ok) {
        let path = entry.path();
        // `file_type` does not follow links: a linked folder or file is passed over.
        let Ok(kind) = entry.file_type() else {
            continue;
        };
        let hidden = entry.file_name().to_string_lossy().starts_with('.');
        if kind.is_dir() {
            if !hidden {
                walk(&path, depth + 1, found, skipped);
            }
        } else if kind.is_file() && is_oscal(&path) {
            found.push(path);
        } else {
            *skipped += 1;
        }
    }
}

/// A `.json` or `.xml` file whose opening names a catalog or profile root.
fn is_oscal(path: &Path) -> bool {
    let ext = path
        .extension()
        .map(|e| e.to_string_lossy().to_ascii_lowercase());
    let mut head = Vec::new();
    let read = std::fs::File::open(path)
        .and_then(|f| f.take(SNIFF_BYTES).read_to_end(&mut head))
        .is_ok();
    read && match ext.as_deref() {
        Some("json") => json_root(&head),
        Some("xml") => xml_root(&head),
        _ => false,
    }
}

/// `"catalog"` or `"profile"` used as a key in the opening of a JSON text.
fn json_root(head: &[u8]) -> bool {
    let text = String::from_utf8_lossy(head);
    ["\"catalog\"", "\"profile\""].iter().any(|key| {
        text.match_indices(key).any(|(i, k)| {
            text.get(i + k.len()..)
                .is_some_and(|rest| rest.trim_start().starts_with(':'))
        })
    })
}

/// The first element of an XML text is `catalog` or `profile` (with or without a prefix).
fn xml_root(head: &[u8]) -> bool {
    let text = String::from_utf8_lossy(head);
    let mut rest = text.as_ref();
    // Past the prolog: declaration, processing instructions, comments, doctype.
    while let Some(i) = rest.find('<') {
        let after = rest.get(i + 1..).unwrap_or_default();
        if after.starts_with('?') || after.starts_with('!') {
            let close = if after.starts_with("!--") { "-->" } else { ">" };
            match after.find(close) {
                Some(j) => rest = after.get(j + close.len()..).unwrap_or_default(),
                None => return false,
            }
            continue;
        }
        let name: String = after
            .chars()
            .take_while(|c| !c.is_whitespace() && *c != '>' && *c != '/')
            .collect();
        let local = name.rsplit(':').next().unwrap_or_default();
        return local == "catalog" || local == "profile";
    }
    false
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn json_root_needs_a_catalog_or_profile_key() {
        assert!(json_root(br#"{"$schema": "x", "catalog" : {"uuid": "u"}}"#));
        assert!(json_root(b"{\n  \"profile\":\n {}}"));
        assert!(!json_root(br#"{"name": "profile", "version": "1"}"#));
        assert!(!json_root(br#"{"system-security-plan": {}}"#));
    }

    #[test]
    fn xml_root_is_the_first_element_past_the_prolog() {
        assert!(xml_root(
            b"<?xml version=\"1.0\"?>\n<!-- a <comment> -->\n<catalog xmlns=\"x\"/>"
        ));
        assert!(xml_root(b"<o:profile xmlns:o=\"x\">"));
        assert!(!xml_root(
            b"<?xml version=\"1.0\"?><project><catalog/></project>"
        ));
        assert!(!xml_root(b"<!-- never closed"));
    }
}
