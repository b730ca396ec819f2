//! The typed model, or a value in the JSON form, to XML text.
//!
//! Stage: emit (XML). In: a root name and the document under the root key, anything `Serialize`
//! in the JSON form: a typed catalog or profile, or a `Value` as [`super::read`] produces it.
//! Out: the XML document as a `String`: declaration, OSCAL namespace on the root, flags in schema
//! order, 2-space indentation for element-only content, markup inline, LF line ends, final
//! newline. One serializer ([`typed`]) writes both: typed fields as they arrive, maps (a `Value`,
//! or an untyped field of the model) collected and taken in schema order. Writing files is the
//! CLI's job.
//!
//! Markup positions take `{"$xml": fragment}` (written as is, after a well-formedness check) or a
//! Markdown string (converted by [`crate::model::markup::markdown_to_xml`]).

mod typed;

use quick_xml::events::{BytesStart, Event};
use quick_xml::reader::Reader;
use serde::Serialize;

use super::XmlError;
use super::binding::{self, Child, Content, Def, Shape};
use super::de::Path;
use super::dom::OSCAL_NS;
use super::{escape_into, is_xml_space};

/// Deepest nesting written (the default read limit); far beyond any real catalog, it keeps the
/// recursion bounded.
const MAX_DEPTH: usize = 256;

/// Writes a catalog or profile as OSCAL XML.
///
/// `root` is `"catalog"` or `"profile"`; `value` is the object under the root key: a typed
/// document (`Catalog`, `Profile`), serialized straight to XML, or a `serde_json::Value` in the
/// JSON form. The output is deterministic: the same document always gives the same bytes,
/// whichever way it is given.
///
/// ```
/// use serde_json::json;
///
/// let value = json!({"uuid": "74c8ba1e-5cd4-4ad1-bbfd-d888e2f6c724",
///     "metadata": {"title": "Demo", "last-modified": "2024-01-01T00:00:00Z",
///                  "version": "1", "oscal-version": "1.2.3"},
///     "imports": [{"href": "cat.xml", "include-all": {}}],
///     "merge": {"as-is": true}});
/// let xml = oscalc::xml::write("profile", &value)?;
/// assert!(xml.contains("<import href=\"cat.xml\">\n    <include-all/>\n  </import>"));
/// assert!(xml.contains("<as-is>true</as-is>"));
/// let typed: oscalc::model::Profile = serde_json::from_value(value)?;
/// assert_eq!(oscalc::xml::write("profile", &typed)?, xml);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn write<T: Serialize + ?Sized>(root: &str, value: &T) -> Result<String, XmlError> {
    typed::write(root, value).map(|(text, _)| text)
}

/// [`write`], and how deep the text nests elements (the root is at 1).
pub(crate) fn write_nested<T: Serialize + ?Sized>(
    root: &str,
    value: &T,
) -> Result<(String, usize), XmlError> {
    typed::write(root, value)
}

fn emit(message: String) -> XmlError {
    XmlError::new("emit-xml-shape", message, 0)
}

#[derive(Default)]
struct Writer {
    out: String,
    /// The deepest element written so far (the root is at 1).
    deepest: usize,
}

impl Writer {
    /// A writer holding the XML declaration.
    fn new() -> Writer {
        let mut out = String::with_capacity(1 << 16);
        out.push_str("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
        Writer { out, deepest: 0 }
    }

    fn indent(&mut self, level: usize) {
        self.out.push('\n');
        for _ in 0..level {
            self.out.push_str("  ");
        }
    }

    /// Writes `<name>` and gives the mark [`Writer::end`] takes.
    fn open(&mut self, name: &str) -> usize {
        self.out.push('<');
        self.out.push_str(name);
        self.out.push('>');
        self.out.len()
    }

    /// Ends the element opened at `mark`: `<name/>` when nothing was written since, else its
    /// end tag, on a new line at `level` when given.
    fn end(&mut self, name: &str, mark: usize, level: Option<usize>) {
        if self.out.len() == mark {
            self.out.pop();
            self.out.push_str("/>");
            return;
        }
        if let Some(level) = level {
            self.indent(level);
        }
        self.close(name);
    }

    fn close(&mut self, name: &str) {
        self.out.push_str("</");
        self.out.push_str(name);
        self.out.push('>');
    }

    fn attribute(&mut self, name: &str, text: &str) {
        self.out.push(' ');
        self.out.push_str(name);
        self.out.push_str("=\"");
        escape_into(&mut self.out, text, true);
        self.out.push('"');
    }

    /// The element `name` holding an XML markup fragment.
    fn markup(
        &mut self,
        name: &str,
        multiline: bool,
        fragment: &str,
        level: usize,
        path: &Path<'_>,
    ) -> Result<(), XmlError> {
        let mark = self.open(name);
        self.fragment(fragment, level + 1, multiline, path)?;
        self.end(name, mark, multiline.then_some(level));
        Ok(())
    }

    /// Copies a markup fragment after checking it is well-formed OSCAL markup, inside an element
    /// at depth `at`. With `blocks`, each top-level element starts a line at level `at` and
    /// whitespace between them is dropped.
    fn fragment(
        &mut self,
        fragment: &str,
        at: usize,
        blocks: bool,
        path: &Path<'_>,
    ) -> Result<(), XmlError> {
        // Plain text (most titles and labels) has nothing to check: the reader would give it
        // back as one text event.
        if !fragment.bytes().any(|b| b == b'<' || b == b'&') {
            if !blocks || !is_xml_space(fragment) {
                self.out.push_str(fragment);
            }
            return Ok(());
        }
        let bad = |what: String| emit(format!("{}: markup {what}", path.pointer()));
        let mut reader = Reader::from_str(fragment);
        let mut depth = 0usize;
        loop {
            let event = reader.read_event().map_err(|e| bad(e.to_string()))?;
            let line = (blocks && depth == 0).then_some(at);
            if let Event::Start(_) | Event::Empty(_) = event {
                self.deepest = self.deepest.max(at + depth + 1);
            }
            match event {
                Event::Start(e) => {
                    self.tag(&e, line, false, &bad)?;
                    depth += 1;
                }
                Event::Empty(e) => self.tag(&e, line, true, &bad)?,
                Event::End(e) => {
                    depth = depth.saturating_sub(1);
                    self.close(&e);
                }
                Event::Text(t) => {
                    let raw: &str = &t;
                    if depth > 0 || !blocks || !is_xml_space(raw) {
                        self.out.push_str(raw);
                    }
                }
                Event::CData(t) => escape_into(&mut self.out, &t, false),
                Event::GeneralRef(r) => self.reference(&r, &bad)?,
                Event::Comment(_) | Event::PI(_) => {}
                Event::Decl(_) | Event::DocType(_) => {
                    return Err(bad("has a declaration".to_owned()));
                }
                Event::Eof => break,
            }
        }
        if depth == 0 {
            Ok(())
        } else {
            Err(bad("has an unclosed element".to_owned()))
        }
    }

    /// A predefined entity or character reference in markup, copied; any other is refused.
    fn reference(
        &mut self,
        r: &quick_xml::events::BytesRef<'_>,
        bad: &dyn Fn(String) -> XmlError,
    ) -> Result<(), XmlError> {
        let name: &str = r;
        let known = matches!(name, "amp" | "lt" | "gt" | "quot" | "apos");
        if !known && !matches!(r.resolve_char_ref(), Ok(Some(_))) {
            return Err(bad(format!("has entity reference `&{name};`")));
        }
        self.out.push('&');
        self.out.push_str(name);
        self.out.push(';');
        Ok(())
    }

    /// A start or empty tag of markup, copied after checking its name and attributes; with
    /// `line`, on a new line at that level (a top-level block).
    fn tag(
        &mut self,
        e: &BytesStart<'_>,
        line: Option<usize>,
        empty: bool,
        bad: &dyn Fn(String) -> XmlError,
    ) -> Result<(), XmlError> {
        let qname = e.name();
        let name: &str = qname.as_ref();
        if binding::markup_element(name).is_none() {
            return Err(bad(format!("has element `{name}`")));
        }
        if let Some(level) = line {
            self.indent(level);
        }
        self.out.push('<');
        self.out.push_str(name);
        for attr in e.attributes() {
            let attr = attr.map_err(|err| bad(err.to_string()))?;
            let key: &str = attr.key.as_ref();
            if key == "xmlns" || key.contains(':') {
                continue;
            }
            let value = attr
                .normalized_value(quick_xml::XmlVersion::Implicit1_0)
                .map_err(|err| bad(err.to_string()))?;
            self.attribute(key, &value);
        }
        self.out.push_str(if empty { "/>" } else { ">" });
        Ok(())
    }
}

/// A name that can be written as an unprefixed attribute.
fn is_name(key: &str) -> bool {
    let mut chars = key.chars();
    chars.next().is_some_and(|c| c.is_alphabetic() || c == '_')
        && chars.all(|c| c.is_alphanumeric() || matches!(c, '-' | '_' | '.'))
}
