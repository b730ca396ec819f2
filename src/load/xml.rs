//! XML input: one walk of the tokens straight into the typed model (`crate::xml::de`), which
//! locates what it refuses: an XML problem at its byte offset, a value the model refuses
//! (`load-shape`) at its JSON pointer.

use crate::diag::{Diagnostic, SourceId, Span};
use crate::model::{Document, Profile};
use crate::options::Options;
use crate::xml::de::Refused;

/// The XML reader's bounds a run's options set: nesting depth and document size.
pub(crate) fn limits(opts: &Options) -> crate::xml::XmlLimits {
    crate::xml::XmlLimits {
        max_depth: opts.max_depth,
        max_bytes: usize::try_from(opts.max_file_size).unwrap_or(usize::MAX),
    }
}

pub(super) fn load(
    bytes: &[u8],
    source: SourceId,
    opts: &Options,
) -> Result<Document, Vec<Diagnostic>> {
    let typed = crate::xml::de::typed(bytes, &limits(opts)).map_err(Refused::Xml);
    let doc = typed.and_then(|typed| match typed.root() {
        "catalog" => typed.read().map(Document::Catalog),
        _ => typed.read::<Profile>().map(Document::Profile),
    });
    doc.map_err(|refused| {
        vec![match refused {
            Refused::Xml(e) => {
                Diagnostic::error(e.code, e.message).at(Span::offset(source, e.offset))
            }
            Refused::Shape { message, pointer } => {
                let path = pointer_to_path(&pointer);
                Diagnostic::error("load-shape", format!("{message} at `{path}`"))
                    .at(Span::pointer(source, pointer))
            }
        }]
    })
}

/// `/catalog/controls/3/id` → `controls[3].id` (the root left out, `.` for the root itself), as
/// serde_path_to_error writes a path: keys of the JSON form are never numbers.
fn pointer_to_path(pointer: &str) -> String {
    let mut path = String::new();
    for segment in pointer.split('/').skip(2) {
        if !segment.is_empty() && segment.bytes().all(|b| b.is_ascii_digit()) {
            path.push('[');
            path.push_str(segment);
            path.push(']');
        } else {
            if !path.is_empty() {
                path.push('.');
            }
            path.push_str(segment);
        }
    }
    if path.is_empty() {
        path.push('.');
    }
    path
}

/// serde_path_to_error's `a.b[3].c` → `/a/b/3/c`.
pub(crate) fn path_to_pointer(path: &str) -> String {
    if path == "." {
        return String::new();
    }
    let mut out = String::new();
    for seg in path.split('.') {
        let (name, rest) = seg.split_once('[').unwrap_or((seg, ""));
        if !name.is_empty() {
            out.push('/');
            out.push_str(name);
        }
        for idx in rest.split('[') {
            let idx = idx.trim_end_matches(']');
            if !idx.is_empty() {
                out.push('/');
                out.push_str(idx);
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pointer_becomes_the_path_serde_path_to_error_writes() {
        assert_eq!(pointer_to_path("/catalog"), ".");
        assert_eq!(
            pointer_to_path("/catalog/groups/0/controls/12/id"),
            "groups[0].controls[12].id"
        );
        assert_eq!(pointer_to_path("/profile/merge/as-is"), "merge.as-is");
    }
}
