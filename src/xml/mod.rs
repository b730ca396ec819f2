//! OSCAL XML ⇄ the OSCAL JSON form, for catalogs and profiles.
//!
//! Stage: load (XML in) and emit (XML out). In: the bytes of an XML catalog or profile, or a
//! `serde_json::Value` in the JSON form. Out: the typed model, [`XmlRead`] (the JSON-form value
//! under the root key), the pointer → byte offset index for diagnostics, or the XML text. This
//! module is the only place that knows XML names. Datatype checks (uuids, dates, booleans) are
//! left to the typed model.
//!
//! Reading is one walk (`de`): the tokens go straight into serde, each element shown as the JSON
//! form would have it, and a document that fails is located in that same pass. The same walk
//! builds the JSON form ([`read`]) and the position index (`positions`, built from the bytes the
//! first time a pointer into the document must be located).
//!
//! The JSON form is NIST's, with one exception: a markup field read from XML (markup-line such as
//! `title` or `label`; markup-multiline such as `remarks` or `usage`; the unwrapped `prose` of a
//! `part` or `guideline`) becomes `{"$xml": "<fragment>"}`, the element's content serialized
//! without prefixes or namespace declarations, so XML → XML is lossless. On output a markup
//! position holding `{"$xml": …}` is written as that XML; a plain string is Markdown and goes
//! through [`crate::model::markup::markdown_to_xml`].
//!
//! Names and shapes come from the binding table (`binding.rs`, from the OSCAL 1.2.3 schemas):
//! `prop` ↔ `props`, `revisions/revision` ↔ `revisions`, `hash` ↔ `{"algorithm", "value"}`,
//! `include-all` ↔ `{}`, `as-is` ↔ a boolean. Unknown attributes are kept as string keys (the
//! resolver reads a non-schema `with-parent-controls`); unknown elements are errors.
//!
//! ```
//! use oscalc::xml::{read, write, XmlLimits};
//!
//! let doc = br#"<catalog xmlns="http://csrc.nist.gov/ns/oscal/1.0" uuid="74c8ba1e-5cd4-4ad1-bbfd-d888e2f6c724">
//!   <metadata><title>Demo</title><last-modified>2024-01-01T00:00:00Z</last-modified>
//!     <version>1</version><oscal-version>1.2.3</oscal-version></metadata>
//!   <control id="c-1"><title>One</title><prop name="label" value="C-1"/></control>
//! </catalog>"#;
//! let loaded = read(doc, &XmlLimits::default())?;
//! assert_eq!(loaded.root, "catalog");
//! assert_eq!(loaded.value["controls"][0]["props"][0]["value"], "C-1");
//! assert_eq!(loaded.value["controls"][0]["title"]["$xml"], "One");
//! let text = write("catalog", &loaded.value)?;
//! assert_eq!(read(text.as_bytes(), &XmlLimits::default())?.value, loaded.value);
//! # Ok::<(), oscalc::xml::XmlError>(())
//! ```

mod binding;
pub(crate) mod de;
mod dom;
mod shape;
mod stream;
mod write;

pub(crate) use binding::markup_element;
pub(crate) use de::positions;
pub use write::write;
pub(crate) use write::write_nested;

/// Reads an OSCAL XML catalog or profile into its JSON form (the reader of `de`, asked for a
/// value).
///
/// Never panics and never expands or fetches anything; see [`XmlError`] for the codes.
///
/// ```
/// use oscalc::xml::{read, XmlLimits};
///
/// let doc = br#"<!DOCTYPE profile [<!ENTITY x SYSTEM "file:///etc/passwd">]><profile/>"#;
/// let err = read(doc, &XmlLimits::default()).unwrap_err();
/// assert_eq!(err.code, "load-xml-dtd");
/// ```
pub fn read(bytes: &[u8], limits: &XmlLimits) -> Result<XmlRead, XmlError> {
    let (root, value) = de::value(bytes, limits)?;
    Ok(XmlRead { root, value })
}

/// Bounds on what [`read`] accepts; a breach is `load-limit`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct XmlLimits {
    /// Deepest element nesting accepted (the root is depth 1). Default 256, which is also the
    /// deepest value [`write()`] accepts; raising it far (thousands) lets a document build values
    /// whose recursive drop needs a large stack.
    pub max_depth: usize,
    /// Largest document accepted, in bytes. Default 256 MiB.
    pub max_bytes: usize,
}

impl Default for XmlLimits {
    fn default() -> Self {
        XmlLimits {
            max_depth: 256,
            max_bytes: 256 * 1024 * 1024,
        }
    }
}

/// A document that cannot be read, or a value that cannot be written, as XML.
///
/// Codes when reading: `load-xml-syntax` (malformed, truncated, mismatched tags, empty),
/// `load-xml-dtd` (a DOCTYPE with declarations or an external DTD), `load-xml-entity` (an entity
/// reference other than the five predefined ones and character references), `load-limit`
/// (nesting or size), `load-encoding` (not UTF-8), `load-xml-shape` (wrong root, or an element,
/// attribute or text not allowed where it is), `load-xml-namespace` (root not in the OSCAL
/// namespace). When writing: `emit-xml-shape` (the value does not fit the binding: a key, type
/// or markup fragment the XML form cannot hold) and `emit-limit` (nesting too deep).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{code}: {message} (byte {offset})")]
pub struct XmlError {
    /// Registered diagnostic code.
    pub code: &'static str,
    /// What is wrong, naming the element or attribute.
    pub message: String,
    /// Byte offset in the input; for write errors, 0.
    pub offset: usize,
}

impl XmlError {
    pub(crate) fn new(code: &'static str, message: String, offset: usize) -> XmlError {
        XmlError {
            code,
            message,
            offset,
        }
    }
}

/// A catalog or profile read from XML.
#[derive(Debug, Clone, PartialEq)]
pub struct XmlRead {
    /// Root element name: `"catalog"` or `"profile"`.
    pub root: &'static str,
    /// The object under the root key in the JSON form (`{"uuid": …, "metadata": …}`).
    pub value: serde_json::Value,
}

/// Appends `text` XML-escaped; in attributes also quotes and the characters attribute
/// normalization would turn into spaces.
pub(crate) fn escape_into(out: &mut String, text: &str, attribute: bool) {
    let mut rest = text;
    loop {
        let found = match attribute {
            true => first_special::<true>(rest.as_bytes()),
            false => first_special::<false>(rest.as_bytes()),
        };
        let Some(at) = found else { break };
        // `at` is an ASCII byte, so both slices fall on character boundaries.
        out.push_str(rest.get(..at).unwrap_or(""));
        let mut chars = rest.get(at..).unwrap_or("").chars();
        out.push_str(match chars.next() {
            Some('&') => "&amp;",
            Some('<') => "&lt;",
            Some('>') => "&gt;",
            Some('"') => "&quot;",
            Some('\n') => "&#xA;",
            Some('\t') => "&#x9;",
            _ => "&#xD;",
        });
        rest = chars.as_str();
    }
    out.push_str(rest);
}

/// A byte [`escape_into`] replaces in text, or in attribute values (there also quotes and the
/// characters attribute normalization would turn into spaces).
fn special<const ATTRIBUTE: bool>(b: u8) -> bool {
    // `|`, not `||`: no branch per comparison, so a run of bytes is tested as one vector.
    let text = (b == b'&') | (b == b'<') | (b == b'>') | (b == b'\r');
    text | (ATTRIBUTE & ((b == b'"') | (b == b'\n') | (b == b'\t')))
}

/// The offset of the first [`special`] byte. This runs over all the prose of a document, read
/// or written, and most of it holds none: sixteen bytes at a time are tested without branching
/// between them, which the compiler turns into vector compares.
fn first_special<const ATTRIBUTE: bool>(bytes: &[u8]) -> Option<usize> {
    let mut base = 0;
    for chunk in bytes.chunks_exact(16) {
        if chunk
            .iter()
            .fold(false, |hit, &b| hit | special::<ATTRIBUTE>(b))
        {
            break;
        }
        base += 16;
    }
    let tail = bytes.get(base..)?;
    tail.iter()
        .position(|&b| special::<ATTRIBUTE>(b))
        .map(|i| base + i)
}

/// Only XML whitespace (space, tab, CR, LF): a no-break space is text.
pub(crate) fn is_xml_space(text: &str) -> bool {
    text.bytes()
        .all(|b| matches!(b, b' ' | b'\t' | b'\n' | b'\r'))
}
