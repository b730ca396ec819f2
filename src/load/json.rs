//! JSON input: bytes straight into the typed model, errors located by line:column or pointer.

use crate::diag::{Diagnostic, SourceId, Span};
use crate::model::{Catalog, Document, Profile};
use serde::Deserialize;

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Root {
    #[serde(rename = "$schema", default)]
    _schema: Option<String>,
    #[serde(default)]
    catalog: Option<Catalog>,
    #[serde(default)]
    profile: Option<Profile>,
}

pub(super) fn load(bytes: &[u8], source: SourceId) -> Result<Document, Vec<Diagnostic>> {
    let text = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    let bom = bytes.len() - text.len();
    if let Err(e) = std::str::from_utf8(text) {
        return Err(vec![
            Diagnostic::error("load-encoding", "the file is not valid UTF-8")
                .at(Span::offset(source, bom + e.valid_up_to())),
        ]);
    }
    let mut de = serde_json::Deserializer::from_slice(text);
    let root: Root = match serde_path_to_error::deserialize(&mut de) {
        Ok(r) => r,
        Err(e) => return Err(vec![shape_error(text, bom, source, e)]),
    };
    if let Err(e) = de.end() {
        let off = crate::source::offset_of(text, e.line(), e.column());
        return Err(vec![
            Diagnostic::error("load-json-syntax", strip_position(&e.to_string()))
                .at(Span::offset(source, bom + off)),
        ]);
    }
    match (root.catalog, root.profile) {
        (Some(c), None) => Ok(Document::Catalog(c)),
        (None, Some(p)) => Ok(Document::Profile(p)),
        _ => Err(vec![
            Diagnostic::error(
                "load-root",
                "the document must have exactly one of the root keys `catalog` or `profile`",
            )
            .at(Span::offset(source, bom)),
        ]),
    }
}

fn shape_error(
    text: &[u8],
    bom: usize,
    source: SourceId,
    e: serde_path_to_error::Error<serde_json::Error>,
) -> Diagnostic {
    let path = e.path().to_string();
    let inner = e.inner();
    let code = match inner.classify() {
        serde_json::error::Category::Syntax | serde_json::error::Category::Eof => {
            "load-json-syntax"
        }
        serde_json::error::Category::Io => "fetch-io",
        serde_json::error::Category::Data => "load-shape",
    };
    let msg = strip_position(&inner.to_string());
    let message = if code == "load-shape" && path != "." {
        format!("{msg} at `{path}`")
    } else if msg.contains("recursion limit") {
        return Diagnostic::error("load-limit", "JSON nesting is too deep").at(Span::offset(
            source,
            bom + crate::source::offset_of(text, inner.line(), inner.column()),
        ));
    } else {
        msg
    };
    let off = if inner.line() == 0 {
        0
    } else {
        crate::source::offset_of(text, inner.line(), inner.column().saturating_sub(1).max(1))
    };
    Diagnostic::error(code, message).at(Span::offset(source, bom + off))
}

fn strip_position(msg: &str) -> String {
    match msg.rfind(" at line ") {
        Some(i) => msg[..i].to_owned(),
        None => msg.to_owned(),
    }
}
