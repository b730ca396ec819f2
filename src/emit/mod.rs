//! Stage: emit. In: a catalog, profile or resolved catalog. Out: bytes in JSON, XML or YAML,
//! deterministic (req-order): schema key order, 2-space indent, LF, final newline.
//!
//! All formats are written from the typed model. JSON goes through `serde_json` with markup
//! read from XML turned into Markdown on the way (`emit/json.rs`); YAML is the same JSON form,
//! through the same Markdown adapter, written by a small block-style serializer
//! (`emit/yaml.rs`); XML goes through [`crate::xml::write`], which serializes the typed model as
//! the binding table says. No document-wide `Value` is built, except by [`json_value`] for
//! callers that want one.

mod json;
mod yaml;

use std::io::Write;

use serde::{Serialize, Serializer};
use serde_json::Value;

use crate::diag::Diagnostic;
use crate::model::Format;
use crate::model::ResolvedCatalog;
use crate::model::{Catalog, Document, Profile};
use crate::options::DEFAULT_MAX_DEPTH;
use json::Md;

/// The typed document behind an [`Emit`]: what gets serialized.
#[derive(Debug, Clone, Copy)]
pub enum Body<'a> {
    /// A catalog (resolved or not).
    Catalog(&'a Catalog),
    /// A profile.
    Profile(&'a Profile),
}

impl Body<'_> {
    /// The root name (`catalog` or `profile`).
    pub fn root(self) -> &'static str {
        match self {
            Body::Catalog(_) => "catalog",
            Body::Profile(_) => "profile",
        }
    }
}

impl Serialize for Body<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match self {
            Body::Catalog(c) => c.serialize(s),
            Body::Profile(p) => p.serialize(s),
        }
    }
}

/// Something that can be written as an OSCAL document.
pub trait Emit {
    /// The typed document.
    fn body(&self) -> Body<'_>;
}

impl Emit for Catalog {
    fn body(&self) -> Body<'_> {
        Body::Catalog(self)
    }
}

impl Emit for Profile {
    fn body(&self) -> Body<'_> {
        Body::Profile(self)
    }
}

impl Emit for ResolvedCatalog {
    fn body(&self) -> Body<'_> {
        Body::Catalog(&self.catalog)
    }
}

impl Emit for Document {
    fn body(&self) -> Body<'_> {
        match self {
            Document::Catalog(c) => Body::Catalog(c),
            Document::Profile(p) => Body::Profile(p),
        }
    }
}

/// The document under its root key: `{"catalog": …}`, with all markup as Markdown when the
/// second field says so, else as it was read.
struct Rooted<'a>(Body<'a>, bool);

impl Serialize for Rooted<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeMap;
        let mut map = s.serialize_map(Some(1))?;
        match self.1 {
            true => map.serialize_entry(self.0.root(), &Md(&self.0))?,
            false => map.serialize_entry(self.0.root(), &self.0)?,
        }
        map.end()
    }
}

/// The document in the OSCAL JSON form with all markup as Markdown, wrapped in its root key: the
/// value the validation checks read ([`write_to`] streams the same form without building it).
pub fn json_value<D: Emit + ?Sized>(doc: &D) -> Value {
    markdown_value(&Rooted(doc.body(), true))
}

/// The JSON form of `doc` for the constraint check: [`json_value`] except that markup read
/// from XML stays as read (`{"$xml": …}`), which the check's tree converts to Markdown only
/// where a constraint reads it (OSCAL's own constraints never read markup).
pub fn check_doc<D: Emit + ?Sized>(doc: &D) -> crate::metaschema::json::Json {
    crate::metaschema::json::Json::of(&Rooted(doc.body(), false))
}

/// `v` in the JSON form with all markup as Markdown, as [`json_value`] gives a whole document.
pub(crate) fn markdown_value<T: Serialize + ?Sized>(v: &T) -> Value {
    serde_json::to_value(Md(v)).unwrap_or(Value::Null)
}

/// Why [`write_to`] wrote nothing or only part of a document.
#[derive(Debug, thiserror::Error)]
pub enum WriteError {
    /// The document has no form in the requested format (`emit-xml-shape`, `emit-limit`);
    /// nothing was written.
    #[error("{0}")]
    Render(Box<Diagnostic>),
    /// The output refused the bytes.
    #[error(transparent)]
    Io(#[from] std::io::Error),
}

impl From<WriteError> for std::io::Error {
    fn from(e: WriteError) -> Self {
        match e {
            WriteError::Io(e) => e,
            WriteError::Render(d) => std::io::Error::other(d.to_string()),
        }
    }
}

/// Writes the document in `format` to `out`, the bytes [`emit`] gives. JSON and YAML are
/// streamed as they are serialized; XML is rendered whole first, so a document without an XML form writes
/// nothing. `out` is not buffered here: give a `BufWriter` for a file or a socket.
///
/// ```
/// use oscalc::emit::write_to;
/// use oscalc::{Format, model::Catalog};
///
/// let catalog: Catalog = serde_json::from_value(serde_json::json!({
///     "uuid": "74c8ba1e-5cd4-4ad1-bbfd-d888e2f6c724",
///     "metadata": {"title": {"$xml": "Demo <em>one</em>"}, "last-modified": "2024-01-01T00:00:00Z",
///                  "version": "1", "oscal-version": "1.2.3"}}))?;
/// let mut out = Vec::new();
/// write_to(&catalog, Format::Json, &mut out)?;
/// assert!(String::from_utf8(out)?.contains(r#""title": "Demo *one*""#));
/// let mut out = Vec::new();
/// write_to(&catalog, Format::Xml, &mut out)?;
/// assert!(String::from_utf8(out)?.contains("<title>Demo <em>one</em></title>"));
/// let mut out = Vec::new();
/// write_to(&catalog, Format::Yaml, &mut out)?;
/// let yaml = String::from_utf8(out)?;
/// assert!(yaml.starts_with("catalog:\n  uuid: 74c8ba1e-5cd4-4ad1-bbfd-d888e2f6c724\n"));
/// assert!(yaml.contains("    title: Demo *one*\n    last-modified: \"2024-01-01T00:00:00Z\"\n"));
/// assert!(yaml.contains("    version: \"1\"\n"));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn write_to<D: Emit + ?Sized, W: Write>(
    doc: &D,
    format: Format,
    mut out: W,
) -> Result<(), WriteError> {
    match format {
        Format::Json => {
            // The serializer makes many small writes: a buffer of our own type takes them
            // inline, where `out` (often a `&mut dyn Write`) would take each as a call.
            let mut buf = std::io::BufWriter::with_capacity(1 << 16, &mut out);
            let mut ser = serde_json::Serializer::pretty(&mut buf);
            Rooted(doc.body(), true)
                .serialize(&mut ser)
                .map_err(std::io::Error::from)?;
            buf.write_all(b"\n")?;
            buf.flush()?;
        }
        Format::Yaml => {
            let mut buf = std::io::BufWriter::with_capacity(1 << 16, &mut out);
            Rooted(doc.body(), true)
                .serialize(&mut yaml::Writer::new(&mut buf))
                .map_err(std::io::Error::from)?;
            buf.flush()?;
        }
        Format::Xml => out.write_all(xml(doc.body())?.as_bytes())?,
    }
    Ok(())
}

/// The XML text of the document.
fn xml(body: Body<'_>) -> Result<String, WriteError> {
    let (text, deepest) = crate::xml::write_nested(body.root(), &body)
        .map_err(|e| WriteError::Render(Box::new(Diagnostic::error(e.code, e.message))))?;
    match (deepest > DEFAULT_MAX_DEPTH).then(|| too_deep(&text, DEFAULT_MAX_DEPTH)) {
        Some(Some(d)) => Err(WriteError::Render(Box::new(d))),
        _ => Ok(text),
    }
}

/// An `emit-limit` error when the XML text nests elements deeper than `max` (the root is at 1),
/// which oscalc would refuse to read back (`Options::max_depth`). Markdown prose is where it
/// comes from: 300 nested `>` quotes are 300 `blockquote`s below the part that holds them. The
/// message names the elements down to the markup and the nearest id.
fn too_deep(text: &str, max: usize) -> Option<Diagnostic> {
    use quick_xml::events::Event;
    let mut reader = quick_xml::Reader::from_str(text);
    let mut open: Vec<(String, Option<String>)> = Vec::new();
    loop {
        match reader.read_event() {
            Ok(Event::Start(e)) => {
                open.push(named(&e));
                if open.len() > max {
                    return Some(depth_error(&open, max));
                }
            }
            Ok(Event::Empty(e)) if open.len() >= max => {
                open.push(named(&e));
                return Some(depth_error(&open, max));
            }
            Ok(Event::End(_)) => {
                open.pop();
            }
            // The writer's own text; should it not read back, the output check says so.
            Ok(Event::Eof) | Err(_) => return None,
            Ok(_) => {}
        }
    }
}

/// An element's name and its `id` attribute, if any.
fn named(e: &quick_xml::events::BytesStart<'_>) -> (String, Option<String>) {
    let name = e.local_name().as_ref().to_owned();
    let id = e
        .try_get_attribute("id")
        .ok()
        .flatten()
        .map(|a| a.value.into_owned());
    (name, id)
}

fn depth_error(open: &[(String, Option<String>)], max: usize) -> Diagnostic {
    // The path down to the first markup element (the first that is not OSCAL structure), then
    // how many more levels follow.
    let structure = open
        .iter()
        .take_while(|(n, _)| crate::xml::markup_element(n).is_none())
        .count();
    let mut path: Vec<&str> = open
        .iter()
        .take(structure + 1)
        .map(|(n, _)| n.as_str())
        .collect();
    if open.len() > path.len() {
        path.push("…");
    }
    let owner = open
        .iter()
        .take(structure)
        .rev()
        .find_map(|(n, id)| id.as_ref().map(|id| format!(" in {n} `{id}`")))
        .unwrap_or_default();
    Diagnostic::error(
        "emit-limit",
        format!(
            "the XML output would nest elements deeper than {max}{owner}: {}",
            path.join("/")
        ),
    )
    .hint("XML that deep is refused when read back, by oscalc as by other tools")
    .hint("flatten the prose (nested quotes or lists), or write JSON (--to json)")
}

/// Writes the document in `format`. A document the model built always has an XML form; should
/// the XML writer still refuse it, the result is empty: use [`try_emit`] to see why.
///
/// ```
/// use oscalc::{Format, MemWorld, Options, emit, resolve};
///
/// # let mut world = MemWorld::new();
/// # world.add("cat.json", r#"{"catalog": {
/// #   "uuid": "8bd5f2a4-6a6b-4f7c-9a43-2b4f7cbbd7a4",
/// #   "metadata": {"title": "Catalog", "last-modified": "2024-01-01T00:00:00Z",
/// #                "version": "1", "oscal-version": "1.2.3"},
/// #   "controls": [{"id": "c1", "title": "One", "params": [{"id": "c1_prm_1"}]},
/// #                {"id": "c2", "title": "Two"}]
/// # }}"#);
/// // p.json imports c1 of cat.json and sets its parameter c1_prm_1 to "monthly".
/// # let profile = world.add("p.json", r#"{"profile": {
/// #   "uuid": "1bd5f2a4-6a6b-4f7c-9a43-2b4f7cbbd7a4",
/// #   "metadata": {"title": "Baseline", "last-modified": "2024-01-01T00:00:00Z",
/// #                "version": "1", "oscal-version": "1.2.3"},
/// #   "imports": [{"href": "cat.json", "include-controls": [{"with-ids": ["c1"]}]}],
/// #   "modify": {"set-parameters": [{"param-id": "c1_prm_1", "values": ["monthly"]}]}
/// # }}"#);
/// let resolved = resolve(&world, &profile, &Options::default()).output.unwrap();
///
/// let json = emit(&resolved, Format::Json);
/// let value: serde_json::Value = serde_json::from_slice(&json)?;
/// assert_eq!(value["catalog"]["controls"][0]["id"], "c1");
/// assert_eq!(value["catalog"]["controls"][0]["params"][0]["values"][0], "monthly");
/// assert!(json.ends_with(b"}\n"));
///
/// let xml = String::from_utf8(emit(&resolved, Format::Xml))?;
/// assert!(xml.contains(r#"<control id="c1">"#));
/// assert!(xml.contains(r#"<param id="c1_prm_1">"#));
/// assert!(xml.contains("<value>monthly</value>"));
/// assert!(!xml.contains(r#"id="c2""#));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn emit<D: Emit + ?Sized>(doc: &D, format: Format) -> Vec<u8> {
    try_emit(doc, format).unwrap_or_default()
}

/// Writes the document in `format`, or says why it cannot be written.
pub fn try_emit<D: Emit + ?Sized>(doc: &D, format: Format) -> Result<Vec<u8>, Box<Diagnostic>> {
    let rendered = match format {
        Format::Json | Format::Yaml => {
            let mut out = Vec::new();
            write_to(doc, format, &mut out).map(|()| out)
        }
        Format::Xml => xml(doc.body()).map(String::into_bytes),
    };
    rendered.map_err(|e| match e {
        WriteError::Render(d) => d,
        // Writing to memory fails only when serializing does.
        WriteError::Io(e) => Box::new(Diagnostic::error("emit-xml-shape", e.to_string())),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn too_deep_gives_the_same_verdict_by_scan_and_by_reader() {
        let nested = |n: usize| "<p>".repeat(n) + &"</p>".repeat(n);
        for (n, max) in [(3, 3), (4, 3), (10, 12), (13, 12)] {
            let text = nested(n);
            assert_eq!(too_deep(&text, max).is_some(), n > max, "{n} in {max}");
        }
        let empty_at_limit = "<a><b/></a>";
        assert!(too_deep(empty_at_limit, 1).is_some());
        assert!(too_deep(empty_at_limit, 2).is_none());
    }
}
