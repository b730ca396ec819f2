//! Stage: emit. In: a catalog, profile or resolved catalog. Out: bytes in JSON or XML,
//! deterministic (req-order): schema key order, 2-space indent, LF, final newline.

use crate::diag::Diagnostic;
use crate::load::Format;
use crate::model::common::XML_MARKUP_KEY;
use crate::model::{Catalog, Document, Profile};
use crate::resolve::ResolvedCatalog;
use serde_json::Value;

/// Something that can be written as an OSCAL document.
pub trait Emit {
    /// The root name (`catalog` or `profile`).
    fn root(&self) -> &'static str;
    /// The document as a value in the OSCAL JSON form (markup in either form).
    fn value(&self) -> Value;
}

impl Emit for Catalog {
    fn root(&self) -> &'static str {
        "catalog"
    }
    fn value(&self) -> Value {
        serde_json::to_value(self).unwrap_or(Value::Null)
    }
}

impl Emit for Profile {
    fn root(&self) -> &'static str {
        "profile"
    }
    fn value(&self) -> Value {
        serde_json::to_value(self).unwrap_or(Value::Null)
    }
}

impl Emit for ResolvedCatalog {
    fn root(&self) -> &'static str {
        "catalog"
    }
    fn value(&self) -> Value {
        self.catalog.value()
    }
}

impl Emit for Document {
    fn root(&self) -> &'static str {
        self.root_name()
    }
    fn value(&self) -> Value {
        match self {
            Document::Catalog(c) => c.value(),
            Document::Profile(p) => p.value(),
        }
    }
}

/// The document in the OSCAL JSON form with all markup as Markdown, wrapped in its root key.
pub fn json_value<D: Emit + ?Sized>(doc: &D) -> Value {
    let mut v = doc.value();
    markup_to_markdown(&mut v);
    let mut root = serde_json::Map::new();
    root.insert(doc.root().to_owned(), v);
    Value::Object(root)
}

/// Writes the document in `format`. A document the model built always has an XML form; should
/// the XML writer still refuse it, the result is empty: use [`try_emit`] to see why.
pub fn emit<D: Emit + ?Sized>(doc: &D, format: Format) -> Vec<u8> {
    try_emit(doc, format).unwrap_or_default()
}

/// Writes the document in `format`, or says why it cannot be written.
pub fn try_emit<D: Emit + ?Sized>(doc: &D, format: Format) -> Result<Vec<u8>, Box<Diagnostic>> {
    match format {
        Format::Json => {
            let mut out = Vec::new();
            write_json(&json_value(doc), &mut out)
                .map_err(|e| Box::new(Diagnostic::error("emit-xml-shape", e.to_string())))?;
            Ok(out)
        }
        Format::Xml => crate::xml::write(doc.root(), &doc.value())
            .map(String::into_bytes)
            .map_err(|e| Box::new(Diagnostic::error(e.code, e.message))),
    }
}

/// Writes a value [`json_value`] gave as JSON text (2-space indent, final newline), the bytes
/// [`emit`] gives for [`Format::Json`].
pub fn write_json<W: std::io::Write>(value: &Value, mut out: W) -> std::io::Result<()> {
    serde_json::to_writer_pretty(&mut out, value)?;
    out.write_all(b"\n")
}

/// Replaces every `{"$xml": fragment}` by its Markdown form.
fn markup_to_markdown(v: &mut Value) {
    match v {
        Value::Object(map) => {
            if map.len() == 1
                && let Some(Value::String(x)) = map.get(XML_MARKUP_KEY)
            {
                *v = Value::String(crate::model::markup::xml_to_markdown(x));
                return;
            }
            map.values_mut().for_each(markup_to_markdown);
        }
        Value::Array(items) => items.iter_mut().for_each(markup_to_markdown),
        _ => {}
    }
}
