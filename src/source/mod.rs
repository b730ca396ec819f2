//! Loaded source texts and positions: byte offsets and JSON pointers to line:column.

use crate::diag::{At, SourceId, Span};
pub use index::SourceIndex;
use pointer::PointerHash;
use std::sync::{Arc, OnceLock};
use url::Url;

/// One loaded text.
#[derive(Debug, Clone)]
pub struct Source {
    /// Where it came from.
    pub uri: Url,
    /// Its bytes.
    pub bytes: Arc<[u8]>,
    /// For XML and YAML sources: JSON pointer → byte offset, indexed on first use.
    pub xml_positions: XmlPositions,
    /// Line starts and (JSON) pointer positions, indexed on first use.
    pub index: SourceIndex,
    /// Whether diagnostics may quote this text: only a document that loaded as the OSCAL
    /// document it was expected to be, or one the user named. A file a hostile import names
    /// (`/etc/passwd`, `/proc/self/environ`) is located by file and position only, never quoted.
    pub quotable: bool,
}

/// Where the elements and attributes of an XML source are, by the JSON pointer of the value they
/// became. Loading records nothing: the index is built from the source's bytes, by the XML
/// reader's walk that the loader hands over ([`XmlPositions::by`]), the first time a pointer into
/// it is located, so a run without diagnostics there never pays for it.
#[derive(Debug, Clone, Default)]
pub struct XmlPositions {
    /// (hash of a pointer, byte offset), sorted by hash.
    index: OnceLock<Vec<(PointerHash, u32)>>,
    /// Builds that index from the bytes; `None` (the default) locates nothing.
    walk: Option<PositionWalk>,
}

/// A walk over a document's bytes that lists (hash of a JSON pointer, byte offset) pairs, sorted
/// by hash.
pub(crate) type PositionWalk = fn(&[u8]) -> Vec<(PointerHash, u32)>;

impl XmlPositions {
    /// Positions that `walk` (the XML reader's position walk) indexes on first use.
    pub(crate) fn by(walk: PositionWalk) -> XmlPositions {
        XmlPositions {
            index: OnceLock::new(),
            walk: Some(walk),
        }
    }

    /// The byte offset of the element or attribute at `pointer` in `bytes`, or of the nearest
    /// recorded ancestor: an attribute the document lacks or a missing child points at the
    /// nearest element that exists. `bytes` must be the source these positions belong to.
    pub fn offset(&self, bytes: &[u8], pointer: &str) -> Option<usize> {
        let walk = self.walk?;
        let index = self.index.get_or_init(|| walk(bytes));
        // Every recorded pointer starts with `/`: the empty pointer locates nothing.
        pointer::nearest_recorded(index, pointer)
    }
}

/// All sources of a run.
#[derive(Debug, Default, Clone)]
pub struct SourceMap {
    sources: Vec<Source>,
}

/// A resolved position, 1-based, columns in characters.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LineCol {
    /// Line, from 1.
    pub line: usize,
    /// Column, from 1, in characters.
    pub column: usize,
}

impl SourceMap {
    /// Adds a source and returns its id.
    pub fn add(&mut self, source: Source) -> SourceId {
        let id = SourceId(u32::try_from(self.sources.len()).unwrap_or(u32::MAX));
        self.sources.push(source);
        id
    }

    /// A source by id.
    pub fn get(&self, id: SourceId) -> Option<&Source> {
        self.sources.get(id.0 as usize)
    }

    /// Lets diagnostics quote source `id` (it loaded as OSCAL, or the user named it).
    pub fn allow_quoting(&mut self, id: SourceId) {
        if let Some(s) = self.sources.get_mut(id.0 as usize) {
            s.quotable = true;
        }
    }

    /// The byte offset a span points at, if it can be found.
    pub fn offset(&self, span: &Span) -> Option<usize> {
        let src = self.get(span.source)?;
        match &span.at {
            At::Offset(o) => Some(*o as usize),
            // A walk locates the pointers of XML and YAML sources, the JSON index the others'.
            At::Pointer(p) if src.xml_positions.walk.is_some() => {
                src.xml_positions.offset(&src.bytes, p)
            }
            At::Pointer(p) => src.index.json_offset(&src.bytes, p),
        }
    }

    /// Builds the indexes that locating a diagnostic in source `id` reads (pointer positions,
    /// line starts), ahead of need: for a caller with a core to spare while the diagnostics are
    /// still being found. Each is built once, whoever asks first.
    pub fn prepare(&self, id: SourceId) {
        self.offset(&Span::pointer(id, String::new()));
        if let Some(src) = self.get(id) {
            src.index.line_col(&src.bytes, 0);
        }
    }

    /// Line and column of a span.
    pub fn line_col(&self, span: &Span) -> Option<LineCol> {
        let src = self.get(span.source)?;
        let off = self.offset(span)?;
        Some(src.index.line_col(&src.bytes, off))
    }

    /// A short display name of a source (its file path, or its URI).
    pub fn display_name(&self, id: SourceId) -> String {
        self.get(id)
            .map(|s| display_uri(&s.uri))
            .unwrap_or_default()
    }
}

/// A URI as users want to read it: a file path for `file:` URIs.
pub fn display_uri(uri: &Url) -> String {
    // The CLI serves a stream (standard input, `/dev/fd/63`) as `<NAME>` in the folder its
    // imports resolve against; it is shown by that name.
    if uri.scheme() == "file"
        && let Some(last) = uri.path_segments().and_then(Iterator::last)
        && last.starts_with("%3C")
        && last.ends_with("%3E")
    {
        return percent_encoding::percent_decode_str(last)
            .decode_utf8_lossy()
            .into_owned();
    }
    if uri.scheme() == "file"
        && let Ok(p) = uri.to_file_path()
    {
        if let Ok(cwd) = std::env::current_dir()
            && let Ok(rel) = p.strip_prefix(&cwd)
        {
            return rel.display().to_string();
        }
        return p.display().to_string();
    }
    uri.to_string()
}

/// Line:column (1-based; columns in characters) of a byte offset, by a scan from the start: for
/// one position in a text with no index; many positions go through [`SourceIndex::line_col`],
/// which counts the same way: every byte that is not a UTF-8 continuation byte starts a
/// character (in text that is not UTF-8, a stray continuation byte counts as none).
pub fn line_col(bytes: &[u8], offset: usize) -> LineCol {
    let end = offset.min(bytes.len());
    let head = bytes.get(..end).unwrap_or_default();
    let line = head.iter().filter(|&&b| b == b'\n').count() + 1;
    let line_start = head.iter().rposition(|&b| b == b'\n').map_or(0, |i| i + 1);
    let col_bytes = head.get(line_start..).unwrap_or_default();
    let column = col_bytes.iter().filter(|&&b| b & 0xC0 != 0x80).count() + 1;
    LineCol { line, column }
}

/// Byte offset of a 1-based line and column (columns in characters).
pub fn offset_of(bytes: &[u8], line: usize, column: usize) -> usize {
    // After the line break that ends line `line - 1`; a line past the end counts from the start.
    let start = (line.checked_sub(2))
        .and_then(|n| memchr::memchr_iter(b'\n', bytes).nth(n))
        .map_or(0, |i| i + 1);
    let rest = bytes.get(start..).unwrap_or_default();
    let text = String::from_utf8_lossy(rest);
    let skip: usize = text
        .chars()
        .take(column.saturating_sub(1))
        .map(char::len_utf8)
        .sum();
    start + skip
}

mod index;
pub mod pointer;

#[cfg(test)]
mod tests {
    use super::*;

    fn xml_source(text: &str) -> (SourceMap, SourceId) {
        let mut map = SourceMap::default();
        let id = map.add(Source {
            uri: Url::parse("file:///c.xml").expect("url"),
            bytes: text.as_bytes().into(),
            xml_positions: XmlPositions::by(crate::xml::positions),
            index: SourceIndex::default(),
            quotable: true,
        });
        (map, id)
    }

    #[test]
    fn xml_pointer_finds_the_element_or_attribute_else_the_nearest_ancestor() {
        let doc = "<catalog xmlns=\"http://csrc.nist.gov/ns/oscal/1.0\" uuid=\"u\">\n  <control id=\"a\"><title>A</title></control>\n</catalog>";
        let (map, id) = xml_source(doc);
        let at = |p: &str| map.offset(&Span::pointer(id, p));
        let find = |s: &str| doc.find(s);
        assert_eq!(at("/catalog"), Some(0));
        assert_eq!(at("/catalog/controls/0"), find("<control"));
        assert_eq!(at("/catalog/controls/0/id"), find(" id=").map(|o| o + 1));
        assert_eq!(at("/catalog/controls/0/title"), find("<title"));
        // Missing attribute, missing child, missing item: the nearest recorded ancestor.
        assert_eq!(at("/catalog/controls/0/class"), find("<control"));
        assert_eq!(at("/catalog/controls/3/id"), Some(0));
        assert_eq!(at("/catalog/controls/0/parts/0/prose"), find("<control"));
        // Not under the document's root, or not a pointer at all.
        assert_eq!(at("/profile/imports/0"), None);
        assert_eq!(at("catalog"), None);
        assert_eq!(at(""), None);
        let lc = map.line_col(&Span::pointer(id, "/catalog/controls/0/title"));
        assert_eq!(
            lc,
            Some(LineCol {
                line: 2,
                column: 19
            })
        );
    }
}
