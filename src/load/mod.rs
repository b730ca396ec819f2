//! Stage: load. In: bytes of one document and its URI. Out: a typed [`Document`] plus the source
//! registered in the [`SourceMap`], or located diagnostics.
//!
//! The format is recognised by content (first significant byte), not by extension, except
//! that a `.yaml`/`.yml` name says YAML; a text that is neither JSON nor XML is YAML when it is
//! a mapping with a `catalog` or `profile` key. JSON goes straight into the typed model; so does
//! XML, through `crate::xml::de`, which shows serde each element as its OSCAL JSON form and
//! locates a failure in the same walk; YAML is walked into plain data, then typed.

mod json;
mod xml;
mod yaml;
pub(crate) use xml::limits as xml_limits;
pub(crate) use yaml::untyped as yaml_untyped;

use crate::diag::{Diagnostic, Span};
use crate::model::Document;
use crate::options::Options;
use crate::source::{Source, SourceMap};
use std::sync::Arc;
use url::Url;

/// The format of a document; defined with the model, re-exported here for the loader's users.
pub use crate::model::Format;

/// The root object of a JSON or YAML document: `catalog` or `profile` (and a `$schema`), as the
/// JSON and YAML readers type it.
#[derive(serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct Root {
    #[serde(rename = "$schema", default)]
    _schema: Option<String>,
    #[serde(default)]
    catalog: Option<crate::model::Catalog>,
    #[serde(default)]
    profile: Option<crate::model::Profile>,
}

impl Root {
    /// The document, when exactly one of `catalog` and `profile` is there; else the error, to
    /// be located.
    fn document(self) -> Result<Document, Box<Diagnostic>> {
        match (self.catalog, self.profile) {
            (Some(c), None) => Ok(Document::Catalog(c)),
            (None, Some(p)) => Ok(Document::Profile(p)),
            _ => Err(Box::new(Diagnostic::error(
                "load-root",
                "the document must have exactly one of the root keys `catalog` or `profile`",
            ))),
        }
    }
}

/// `load-root` for a root key that is neither `catalog` nor `profile` (a component definition, a
/// misspelt `catalogue`), to be located at the key.
fn wrong_root_key(key: &str) -> Diagnostic {
    let d = Diagnostic::error(
        "load-root",
        format!("the root key `{key}` is neither `catalog` nor `profile`"),
    );
    let known = ["catalog".to_owned(), "profile".to_owned()];
    match crate::diag::nearest(key, known.iter()) {
        Some(near) => d.hint(format!("did you mean `{near}`?")),
        None => d,
    }
}

/// A loaded document.
#[derive(Debug, Clone)]
pub struct Loaded {
    /// Where it came from.
    pub uri: Url,
    /// Its source in the run's source map.
    pub source: crate::diag::SourceId,
    /// The format it was read in.
    pub format: Format,
    /// The document.
    pub doc: Document,
}

/// Loads one document from bytes.
pub fn load(
    bytes: Vec<u8>,
    uri: &Url,
    sources: &mut SourceMap,
    opts: &Options,
) -> Result<Loaded, Vec<Diagnostic>> {
    let bytes: Arc<[u8]> = bytes.into();
    let mut format = recognise(&bytes, uri);
    if format.is_none() && bytes.len() as u64 <= opts.max_file_size && yaml::claims(&bytes, opts) {
        format = Some(Format::Yaml);
    }
    let source = sources.add(Source {
        uri: uri.clone(),
        bytes: bytes.clone(),
        xml_positions: positions(format),
        index: Default::default(),
        quotable: false,
    });
    let at = |off: usize| Span::offset(source, off);
    if bytes.len() as u64 > opts.max_file_size {
        return Err(vec![
            Diagnostic::error(
                "load-limit",
                format!(
                    "{} is {} bytes, over the limit of {} bytes",
                    crate::source::display_uri(uri),
                    bytes.len(),
                    opts.max_file_size
                ),
            )
            .at(at(0))
            .hint("raise the limit with --max-file-size"),
        ]);
    }
    let doc = match format {
        Some(Format::Json) if let Some(off) = too_deep(&bytes, opts.max_depth) => Err(vec![
            Diagnostic::error(
                "load-limit",
                format!("JSON nested deeper than {}", opts.max_depth),
            )
            .at(at(off)),
        ]),
        Some(format) => read(format, &bytes, source, opts),
        None if strip_bom(&bytes).iter().all(u8::is_ascii_whitespace) => Err(vec![
            Diagnostic::error(
                "load-empty",
                format!("{} is empty", crate::source::display_uri(uri)),
            )
            .at(at(0)),
        ]),
        None if looks_like_json(&bytes) => Err(vec![
            Diagnostic::error(
                "load-root",
                "the document must be a JSON object with a `catalog` or `profile` key",
            )
            .at(at(first_significant(&bytes))),
        ]),
        None => Err(vec![
            Diagnostic::error(
                "load-root",
                format!(
                    "{} is neither JSON, XML nor YAML (it starts with neither `{{` nor `<`, and is no YAML mapping with a `catalog` or `profile` key)",
                    crate::source::display_uri(uri)
                ),
            )
            .at(at(first_significant(&bytes))),
        ]),
    }?;
    // It parsed as the OSCAL document it claims to be: its text may be quoted from now on.
    sources.allow_quoting(source);
    Ok(Loaded {
        uri: uri.clone(),
        source,
        format: format.unwrap_or(Format::Json),
        doc,
    })
}

/// A document loaded before, parsed again from the bytes its source keeps: for a check that
/// needs an input after the resolution has released it. `None` when the source is unknown or no
/// longer parses as a document.
pub fn reload(sources: &SourceMap, id: crate::diag::SourceId, opts: &Options) -> Option<Document> {
    let source = sources.get(id)?;
    let format = recognise(&source.bytes, &source.uri)
        .or_else(|| yaml::claims(&source.bytes, opts).then_some(Format::Yaml))?;
    read(format, &source.bytes, id, opts).ok()
}

/// The document in `bytes`, read as `format` for source `id`.
fn read(
    format: Format,
    bytes: &[u8],
    id: crate::diag::SourceId,
    opts: &Options,
) -> Result<Document, Vec<Diagnostic>> {
    match format {
        Format::Json => json::load(bytes, id),
        Format::Xml => xml::load(bytes, id, opts),
        Format::Yaml => yaml::load(bytes, id, opts),
    }
}

/// The format of a document: by its first significant byte, but YAML by a `.yaml`/`.yml` name
/// unless the text starts as XML (JSON text is YAML too, and is read as such).
pub(crate) fn recognise(bytes: &[u8], uri: &Url) -> Option<Format> {
    let sniffed = sniff(bytes);
    if sniffed != Some(Format::Xml) && Format::from_extension(uri.path()) == Some(Format::Yaml) {
        return Some(Format::Yaml);
    }
    sniffed
}

/// Where pointers into a source of `format` are found: XML and YAML by their reader's walk,
/// JSON by the source's own index.
fn positions(format: Option<Format>) -> crate::source::XmlPositions {
    match format {
        Some(Format::Xml) => crate::source::XmlPositions::by(crate::xml::positions),
        Some(Format::Yaml) => crate::source::XmlPositions::by(yaml::positions),
        Some(Format::Json) | None => crate::source::XmlPositions::default(),
    }
}

/// The offset of the first bracket that opens level `max + 1` of JSON nesting, if any. One pass
/// over the bytes before serde sees them, so hostile nesting is refused with a position instead
/// of whatever error the typed model happens to meet first (strings are skipped, escapes too).
fn too_deep(bytes: &[u8], max: usize) -> Option<usize> {
    let mut depth = 0usize;
    let mut in_string = false;
    let mut escaped = false;
    for (i, &b) in bytes.iter().enumerate() {
        if in_string {
            match (escaped, b) {
                (true, _) => escaped = false,
                (false, b'\\') => escaped = true,
                (false, b'"') => in_string = false,
                _ => {}
            }
            continue;
        }
        match b {
            b'"' => in_string = true,
            b'[' | b'{' => {
                depth += 1;
                if depth > max {
                    return Some(i);
                }
            }
            b']' | b'}' => depth = depth.saturating_sub(1),
            _ => {}
        }
    }
    None
}

fn strip_bom(bytes: &[u8]) -> &[u8] {
    bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes)
}

fn first_significant(bytes: &[u8]) -> usize {
    let bom = bytes.len() - strip_bom(bytes).len();
    bom + strip_bom(bytes)
        .iter()
        .position(|b| !b.is_ascii_whitespace())
        .unwrap_or(0)
}

/// JSON that is not an object: an array, or a scalar the whole text parses as.
fn looks_like_json(bytes: &[u8]) -> bool {
    let text = strip_bom(bytes);
    text.iter().find(|b| !b.is_ascii_whitespace()) == Some(&b'[')
        || serde_json::from_slice::<serde::de::IgnoredAny>(text).is_ok()
}

/// Recognises the format by the first significant byte.
pub fn sniff(bytes: &[u8]) -> Option<Format> {
    match strip_bom(bytes).iter().find(|b| !b.is_ascii_whitespace()) {
        Some(b'{') => Some(Format::Json),
        Some(b'<') => Some(Format::Xml),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn too_deep_points_at_the_first_bracket_past_the_limit() {
        assert_eq!(too_deep(b"[[[]]]", 3), None);
        assert_eq!(too_deep(b"[[[[]]]]", 3), Some(3));
        assert_eq!(too_deep(br#"{"a": "[[[[\"[[["}"#, 2), None);
    }
}
