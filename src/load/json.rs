//! JSON input: bytes straight into the typed model, errors located by line:column or pointer.

use crate::diag::{Diagnostic, SourceId, Span};
use crate::model::Document;
use crate::source::SourceIndex;
use serde::Deserialize;

pub(super) fn load(bytes: &[u8], source: SourceId) -> Result<Document, Vec<Diagnostic>> {
    let text = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    let bom = bytes.len() - text.len();
    if let Err(e) = std::str::from_utf8(text) {
        return Err(vec![
            Diagnostic::error("load-encoding", "the file is not valid UTF-8")
                .at(Span::offset(source, bom + e.valid_up_to())),
        ]);
    }
    // The fast pass tracks no path; only a document that fails is read again to locate why.
    let mut de = serde_json::Deserializer::from_slice(text);
    let fast = super::Root::deserialize(&mut de);
    let root: super::Root = match fast.or_else(|_| {
        de = serde_json::Deserializer::from_slice(text);
        serde_path_to_error::deserialize(&mut de)
    }) {
        Ok(r) => r,
        Err(e) => {
            let wrong = wrong_root(text, bom, source);
            return Err(vec![
                wrong.unwrap_or_else(|| shape_error(text, bom, source, e)),
            ]);
        }
    };
    if let Err(e) = de.end() {
        let off = crate::source::offset_of(text, e.line(), e.column());
        return Err(vec![
            Diagnostic::error("load-json-syntax", strip_position(&e.to_string()))
                .at(Span::offset(source, bom + off)),
        ]);
    }
    root.document().map_err(|d| {
        vec![wrong_root(text, bom, source).unwrap_or_else(|| (*d).at(Span::offset(source, bom)))]
    })
}

/// The keys of the top-level object, in document order (values skipped).
struct RootKeys(Vec<String>);

impl<'de> Deserialize<'de> for RootKeys {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct Keys;
        impl<'de> serde::de::Visitor<'de> for Keys {
            type Value = RootKeys;
            fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str("a JSON object")
            }
            fn visit_map<A: serde::de::MapAccess<'de>>(
                self,
                mut map: A,
            ) -> Result<RootKeys, A::Error> {
                let mut keys = Vec::new();
                while let Some((k, serde::de::IgnoredAny)) = map.next_entry::<String, _>()? {
                    keys.push(k);
                }
                Ok(RootKeys(keys))
            }
        }
        d.deserialize_map(Keys)
    }
}

/// `load-root` for an object whose root key is neither `catalog` nor `profile`, located at that
/// key. `None` when the object has one of
/// them (the problem is elsewhere) or its keys cannot be read.
fn wrong_root(text: &[u8], bom: usize, source: SourceId) -> Option<Diagnostic> {
    let mut de = serde_json::Deserializer::from_slice(text);
    let RootKeys(keys) = RootKeys::deserialize(&mut de).ok()?;
    if keys.iter().any(|k| k == "catalog" || k == "profile") {
        return None;
    }
    let key = keys.iter().find(|k| *k != "$schema")?;
    let off = key_offset(text, key)?;
    Some(super::wrong_root_key(key).at(Span::offset(source, bom + off)))
}

/// The offset of the opening quote of a top-level key: back from its value over `:` and the key.
fn key_offset(text: &[u8], key: &str) -> Option<usize> {
    let pointer = format!("/{}", crate::source::pointer::escape_token(key));
    let value = SourceIndex::default().json_offset(text, &pointer)?;
    let head = text.get(..value)?;
    let colon = head.iter().rposition(|&b| b == b':')?;
    let close = head.get(..colon)?.iter().rposition(|&b| b == b'"')?;
    let mut open = close;
    loop {
        open = head.get(..open)?.iter().rposition(|&b| b == b'"')?;
        if open == 0 || head.get(open - 1) != Some(&b'\\') {
            return Some(open);
        }
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
    // At the value the path names, as the schema check locates the same problem; serde's own
    // line:col is where it stopped reading, past the value's first byte.
    let pointer = super::xml::path_to_pointer(&path);
    let at_path = match code {
        "load-shape" if !pointer.is_empty() => SourceIndex::default().json_offset(text, &pointer),
        _ => None,
    };
    let off = match at_path {
        Some(off) => off,
        None if inner.line() == 0 => 0,
        None => {
            crate::source::offset_of(text, inner.line(), inner.column().saturating_sub(1).max(1))
        }
    };
    Diagnostic::error(code, message).at(Span::offset(source, bom + off))
}

fn strip_position(msg: &str) -> String {
    match msg.rfind(" at line ") {
        Some(i) => msg[..i].to_owned(),
        None => msg.to_owned(),
    }
}
