//! Stage: before validation or resolution (CLI). In: the `--constraints FILE` names. Out: the
//! constraint sets they hold, for `Options::constraints`, or the exit code of a usage error
//! (already reported, located in the file).
//!
//! The user named these files, so they are read here (regular files and streams alike, at most
//! `--max-file-size` bytes); their text is never quoted in a message, since a file that is not a
//! constraint set may hold anything. Each file's device and inode join the run's inputs: no
//! output replaces a constraint set.

use oscalc::diag::{Diagnostic, Span};
use oscalc::metaschema::MetaConstraints;
use oscalc::source::{Source, SourceMap};
use std::io::Read;
use std::os::unix::fs::MetadataExt;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::Arc;

/// Device and inode of each named file that exists (outputs must not replace them).
pub(super) fn identities(files: &[PathBuf]) -> Vec<(u64, u64)> {
    files
        .iter()
        .filter_map(|f| std::fs::metadata(f).ok())
        .filter(|m| m.is_file())
        .map(|m| (m.dev(), m.ino()))
        .collect()
}

/// Reads and parses every file into its set, in the order named; the first that fails is
/// reported and ends the run (exit 2).
pub(super) fn load(
    files: &[PathBuf],
    limit: u64,
    report: &mut dyn FnMut(&[Diagnostic], &SourceMap),
) -> Result<Vec<Arc<MetaConstraints>>, ExitCode> {
    let mut sets = Vec::new();
    for file in files {
        let shown = file.display().to_string();
        let bytes = match read(file, limit) {
            Ok(r) => r,
            Err(why) => {
                let d = Diagnostic::error(
                    "constraints-unreadable",
                    format!("cannot read the constraint set {shown}: {why}"),
                );
                report(&[d], &SourceMap::default());
                return Err(ExitCode::from(2));
            }
        };
        match oscalc::metaschema::read::meta_constraints(&bytes, &shown) {
            Ok(set) => sets.push(Arc::new(set)),
            Err(e) => {
                let mut sources = SourceMap::default();
                let uri = std::path::absolute(file)
                    .ok()
                    .and_then(|p| url::Url::from_file_path(p).ok())
                    .or_else(|| url::Url::parse("file:///constraints").ok());
                let mut d = Diagnostic::error(
                    "constraints-invalid",
                    format!("{shown} is not a usable constraint set: {}", unplaced(&e)),
                )
                .hint("a constraint set is a Metaschema `metaschema-meta-constraints` document");
                if let (Some(uri), Some(off)) = (uri, e.offset()) {
                    let id = sources.add(Source {
                        uri,
                        bytes: bytes.into(),
                        xml_positions: Default::default(),
                        index: Default::default(),
                        quotable: false,
                    });
                    d = d.at(Span::offset(id, off));
                }
                report(&[d], &sources);
                return Err(ExitCode::from(2));
            }
        }
    }
    // A set whose Metapath or patterns do not compile is refused before any document is read.
    if let Err(errors) = oscalc::check::constraints::compile(&sets) {
        report(&errors, &SourceMap::default());
        return Err(ExitCode::from(2));
    }
    Ok(sets)
}

/// The reader's message without the `FILE:OFFSET: ` it starts with: the diagnostic names the
/// file and the line and column itself.
fn unplaced(e: &oscalc::metaschema::read::ReadError) -> String {
    let text = e.to_string();
    let rest = match e.offset() {
        Some(off) => text.split_once(&format!(":{off}: ")).map(|(_, r)| r),
        None => text.split_once(": ").map(|(_, r)| r),
    };
    rest.unwrap_or(&text).to_owned()
}

/// The file's bytes, at most `limit`.
fn read(file: &Path, limit: u64) -> Result<Vec<u8>, String> {
    let f = std::fs::File::open(file).map_err(|e| e.kind().to_string())?;
    let meta = f.metadata().map_err(|e| e.kind().to_string())?;
    if meta.is_dir() {
        return Err("it is a folder".to_owned());
    }
    let mut bytes = Vec::new();
    f.take(limit.saturating_add(1))
        .read_to_end(&mut bytes)
        .map_err(|e| e.kind().to_string())?;
    if bytes.len() as u64 > limit {
        return Err(format!(
            "it is over the limit of {limit} bytes (raise it with --max-file-size)"
        ));
    }
    Ok(bytes)
}
