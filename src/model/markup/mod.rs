//! Markup conversion between OSCAL's two prose encodings.
//!
//! In: the XML *content* of a markup element (mixed content, default namespace, no prefixes) or
//! the Markdown string JSON carries for it. Out: the same prose in the other encoding.
//! [`xml_to_markdown`] and [`markdown_to_xml`] are total (no panics, depth capped at
//! [`MAX_DEPTH`], linear apart from pathological nesting); keeping the loaded text and the AST
//! is left to the model types.
//!
//! Conventions read off NIST's own conversions (SP 800-53 rev4 and rev5 catalogs, XML next to
//! JSON; see `tests/fixtures/markup/README.md`):
//! - Paragraphs and other blocks are joined with one blank line (`"\n\n"`); whitespace between
//!   block elements is dropped; there is no trailing newline.
//! - Inside text every run of XML whitespace (space, tab, CR, LF) becomes one space, and nothing
//!   is trimmed: `<p>\n   <insert …/> when</p>` is `" {{ insert: param, x }} when"` with its
//!   leading space, and a trailing run before `</p>` stays as one trailing space.
//! - `<insert type="param" id-ref="x"/>` is `{{ insert: param, x }}` (one space inside the
//!   braces, after the colon and after the comma); `<q>` is `"…"`, `<em>` `*…*`, `<strong>`
//!   `**…**`, `<a href="h">t</a>` `[t](h)`.
//! - NIST escapes nothing its data needed: `&amp;` is written `&`, `&lt;BREAK&gt;` is `<BREAK>`
//!   (CommonMark reads that as inline HTML, which we take back as text), `[MAC]` stays `[MAC]`,
//!   `_` inside ids is left alone. We escape only where Markdown would read the text otherwise
//!   (see `needs_escape` and `line_start_escape`), so NIST's strings come out byte-identical.
//!
//! - NIST writes `<em> Security …</em>` as `* Security …*`, which CommonMark reads as literal
//!   asterisks; we move edge spaces outside the delimiters (the only difference over all 16662
//!   prose strings of both catalogs). These catalogs hold no lists, tables, headings or code.
//!
//! What does not survive XML → Markdown → XML (all outside NIST's data): whitespace at paragraph
//! edges (CommonMark drops it); empty `em`/`strong`/`code`; emphasis that CommonMark's flanking
//! rules reject (`a<em>(b)</em>`); lists mixing items with and without `<p>`; table rows other
//! than the first becoming headers, per-cell alignment (Markdown aligns columns), uneven rows;
//! elements inside `pre` or `code` (kept as text); unknown elements (kept as their content);
//! `<insert>` without `id-ref`; nesting deeper than [`MAX_DEPTH`]; malformed XML past its first
//! error. Markdown → XML → Markdown canonicalises: `-` bullets, `1.` numbering, `*` emphasis,
//! inline links, fenced code, ATX headings, soft breaks as spaces, minimal escapes.
//!
//! Markdown → XML goes through pulldown-cmark; OSCAL's own inline forms (inserts, `"`, `~`, `^`)
//! are found in its text events, using source offsets to tell escaped characters from live ones.

mod to_markdown;
mod to_xml;

pub use to_markdown::xml_to_markdown;
pub use to_xml::markdown_to_xml;

use std::borrow::Cow;

use quick_xml::events::{BytesRef, BytesStart, Event as XmlEvent};
use quick_xml::{Reader, XmlVersion};

/// Deepest element nesting kept; deeper tags are dropped and their text kept.
pub const MAX_DEPTH: usize = 256;

/// One node of the markup tree both directions go through.
#[derive(Debug, Clone, PartialEq)]
pub(super) enum Node {
    Text(String),
    Elem(Elem),
    /// A live `"`, `~` or `^` from Markdown text, before it is paired into `q`, `sub`, `sup`.
    Mark(char),
}

/// An element; an empty `name` is transparent (its children belong to the parent).
#[derive(Debug, Clone, PartialEq, Default)]
pub(super) struct Elem {
    pub(super) name: String,
    pub(super) attrs: Vec<(String, String)>,
    pub(super) children: Vec<Node>,
}

impl Elem {
    fn new(name: &str) -> Self {
        Elem {
            name: name.to_owned(),
            ..Elem::default()
        }
    }

    fn attr(&self, key: &str) -> Option<&str> {
        self.attrs
            .iter()
            .find(|(k, _)| k == key)
            .map(|(_, v)| v.as_str())
    }

    fn push(&mut self, node: Node) {
        match (node, self.children.last_mut()) {
            (Node::Text(s), Some(Node::Text(t))) => t.push_str(&s),
            (Node::Text(s), _) if s.is_empty() => {}
            (node, _) => self.children.push(node),
        }
    }

    fn push_text(&mut self, s: &str) {
        self.push(Node::Text(s.to_owned()));
    }
}

/// Closes the innermost open element into its parent; the root is never closed.
pub(super) fn close(stack: &mut Vec<Elem>) {
    if stack.len() < 2 {
        return;
    }
    let Some(done) = stack.pop() else {
        return;
    };
    let Some(parent) = stack.last_mut() else {
        return;
    };
    if done.name.is_empty() {
        for child in done.children {
            parent.push(child);
        }
    } else {
        parent.push(Node::Elem(done));
    }
}

pub(super) fn is_block(name: &str) -> bool {
    matches!(
        name,
        "p" | "h1"
            | "h2"
            | "h3"
            | "h4"
            | "h5"
            | "h6"
            | "ul"
            | "ol"
            | "pre"
            | "blockquote"
            | "table"
            | "hr"
    )
}

pub(super) fn is_xml_space(c: char) -> bool {
    matches!(c, ' ' | '\t' | '\n' | '\r')
}

/// All text below `nodes`, inserts and marks included as their Markdown form is not wanted here.
pub(super) fn collect_text(nodes: &[Node], out: &mut String, depth: usize) {
    for node in nodes {
        match node {
            Node::Text(s) => out.push_str(s),
            Node::Mark(c) => out.push(*c),
            Node::Elem(e) if depth < MAX_DEPTH + 8 => collect_text(&e.children, out, depth + 1),
            Node::Elem(_) => {}
        }
    }
}

// ---------------------------------------------------------------- XML in

pub(super) fn parse_xml(fragment: &str) -> Vec<Node> {
    let wrapped = format!("<r>{fragment}</r>");
    let mut reader = Reader::from_str(&wrapped);
    let mut stack = vec![Elem::default()];
    loop {
        let event = reader.read_event();
        let deep = stack.len() > MAX_DEPTH;
        match event {
            Ok(XmlEvent::Start(e)) => stack.push(if deep { Elem::default() } else { elem_of(&e) }),
            Ok(XmlEvent::Empty(e)) if !deep => {
                if let Some(top) = stack.last_mut() {
                    top.push(Node::Elem(elem_of(&e)));
                }
            }
            Ok(XmlEvent::End(_)) => close(&mut stack),
            Ok(XmlEvent::Text(t)) => push_top(&mut stack, &t.xml10_content()),
            Ok(XmlEvent::CData(t)) => push_top(&mut stack, &t),
            Ok(XmlEvent::GeneralRef(r)) => push_top(&mut stack, &resolve_ref(&r)),
            // Malformed input: keep what was read so far.
            Ok(XmlEvent::Eof) | Err(_) => break,
            Ok(_) => {}
        }
    }
    while stack.len() > 1 {
        close(&mut stack);
    }
    let root = stack.pop().unwrap_or_default();
    let mut nodes = Vec::new();
    for node in root.children {
        match node {
            Node::Elem(e) if e.name == "r" => nodes.extend(e.children),
            other => nodes.push(other),
        }
    }
    nodes
}

pub(super) fn push_top(stack: &mut [Elem], s: &str) {
    if let Some(top) = stack.last_mut() {
        top.push_text(s);
    }
}

pub(super) fn elem_of(start: &BytesStart<'_>) -> Elem {
    let mut elem = Elem::new(start.local_name().as_ref());
    for attr in start.attributes().flatten() {
        let value = attr
            .normalized_value(XmlVersion::Implicit1_0)
            .map(Cow::into_owned)
            .unwrap_or_else(|_| attr.value.clone().into_owned());
        elem.attrs
            .push((attr.key.local_name().as_ref().to_owned(), value));
    }
    elem
}

pub(super) fn resolve_ref(r: &BytesRef<'_>) -> String {
    if let Ok(Some(c)) = r.resolve_char_ref() {
        return c.to_string();
    }
    match quick_xml::escape::resolve_xml_entity(r) {
        Some(text) => text.to_owned(),
        None => format!("&{};", &**r),
    }
}

// ---------------------------------------------------------------- Markdown out

/// The inserts in prose of either form, as `(type, id)` pairs in text order:
/// `{{ insert: param, x }}` (Markdown) and `<insert type="param" id-ref="x"/>` (XML). Pruning,
/// reference checks and validation all read inserts through this one scanner.
pub fn inserts(text: &str) -> Vec<(&str, &str)> {
    let markdown = text.split("{{").skip(1).filter_map(|rest| {
        let body = rest.split("}}").next()?;
        let (kind, id) = body.trim().strip_prefix("insert:")?.split_once(',')?;
        Some((kind.trim(), id.trim()))
    });
    let xml = text.split("<insert ").skip(1).filter_map(|rest| {
        let tag = rest.split('>').next()?;
        let attr = |name: &str| tag.split(&format!("{name}=\"")).nth(1)?.split('"').next();
        Some((attr("type").unwrap_or_default(), attr("id-ref")?))
    });
    markdown.chain(xml).collect()
}

/// Whether `s` holds the opening of an insert in either form (`{{`, `<insert `), so the scanner
/// runs only on the few strings that may hold one.
pub(crate) fn may_insert(s: &str) -> bool {
    // A byte search (memchr) first: most strings hold neither `{` nor `<`.
    let b = s.as_bytes();
    (b.contains(&b'{') && s.contains("{{")) || (b.contains(&b'<') && s.contains("<insert "))
}
