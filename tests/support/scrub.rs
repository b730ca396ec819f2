//! XML catalog comparison: a port of NIST's `opr:scrub()` (`spec-tests/lib/oscal-profile-test-helper.xsl`)
//! plus an ordered tree comparison with a bounded report.
//!
//! In: two XML documents (expected, actual). Out: `Ok(())` or a report naming the paths of the first
//! differences. Parsing keeps elements (local names), attributes and text; comments, processing
//! instructions, the XML declaration and the DOCTYPE are dropped, as `opr:scrub()` drops them.
//! Scrubbing then
//! - drops whitespace-only text next to block content (the XSLT strips it in every assembly and at
//!   the edges of `p`/`li`); prose text is compared with whitespace runs collapsed;
//! - blanks the catalog `@uuid`, `metadata/last-modified`, the value of
//!   `metadata/prop[@name='resolution-tool']` and the href of
//!   `metadata/link[@rel='source-profile' or @rel='resolution-source']`;
//! - with [`Metadata::Loose`], keeps only the metadata `title` (NIST's expected spec-test outputs
//!   disagree with each other on `version`, `oscal-version` and links).
//!
//! Everything else (groups, controls, params, parts, props, links, back-matter) compares strictly, in
//! order. Attribute order is not significant in XML and is not compared.

use std::collections::BTreeMap;

use quick_xml::XmlVersion;
use quick_xml::escape::resolve_predefined_entity;
use quick_xml::events::{BytesStart, Event};
use quick_xml::reader::Reader;

use super::report::{Diffs, align, clip, collapse};

/// What is placed where a scrubbed value was.
pub const BLANK: &str = "...";

/// How much of `catalog/metadata` takes part in the comparison.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Metadata {
    /// Only `title` (the spec-test outputs, whose metadata NIST never made uniform).
    Loose,
    /// Everything, after blanking (NIST's SP 800-53 resolved catalogs).
    Full,
}

/// One XML node after parsing.
#[derive(Debug, Clone, PartialEq)]
pub enum Node {
    /// An element.
    Element(Element),
    /// Character data (text, CDATA, resolved references), merged when adjacent.
    Text(String),
}

/// An element: local name, attributes by name, children in order.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Element {
    /// Local name (prefix dropped).
    pub name: String,
    /// Attributes; namespace declarations other than the default one are dropped.
    pub attrs: BTreeMap<String, String>,
    /// Children in document order.
    pub children: Vec<Node>,
}

/// Elements that sit inside a line of prose: text next to them keeps its surrounding space.
const INLINE: &[&str] = &[
    "a", "b", "br", "code", "em", "i", "img", "insert", "q", "span", "strong", "sub", "sup",
];

/// Parses and scrubs both documents, then compares them.
pub fn compare_xml(expected: &str, actual: &str, metadata: Metadata) -> Result<(), String> {
    let expected = parse(expected).map_err(|e| format!("expected XML does not parse: {e}"))?;
    let actual = parse(actual).map_err(|e| format!("actual XML does not parse: {e}"))?;
    compare_trees(&scrub(expected, metadata), &scrub(actual, metadata))
}

/// Compares two already scrubbed trees.
pub fn compare_trees(expected: &Element, actual: &Element) -> Result<(), String> {
    let mut diffs = Diffs::default();
    let path = format!("/{}", expected.name);
    compare_element(expected, actual, &path, &mut diffs);
    diffs.finish("XML catalogs differ (after scrub)")
}

/// Parses a document into its root element.
pub fn parse(text: &str) -> Result<Element, String> {
    let mut reader = Reader::from_str(text);
    let mut stack: Vec<Element> = vec![Element::default()];
    loop {
        let at = reader.buffer_position();
        let event = reader.read_event().map_err(|e| format!("byte {at}: {e}"))?;
        match event {
            Event::Start(start) => stack.push(open(&start)?),
            Event::Empty(start) => {
                let element = open(&start)?;
                push_node(&mut stack, Node::Element(element));
            }
            Event::End(_) => {
                let Some(element) = stack.pop().filter(|_| !stack.is_empty()) else {
                    return Err(format!("byte {at}: unbalanced end tag"));
                };
                push_node(&mut stack, Node::Element(element));
            }
            Event::Text(text) => push_text(&mut stack, &text.xml10_content()),
            Event::CData(data) => push_text(&mut stack, &data.xml10_content()),
            Event::GeneralRef(reference) => {
                let resolved = if let Some(ch) = reference
                    .resolve_char_ref()
                    .map_err(|e| format!("byte {at}: {e}"))?
                {
                    ch.to_string()
                } else {
                    let name = reference.xml10_content();
                    let Some(value) = resolve_predefined_entity(&name) else {
                        return Err(format!("byte {at}: entity `&{name};` is not expanded"));
                    };
                    value.to_owned()
                };
                push_text(&mut stack, &resolved);
            }
            Event::Comment(_) | Event::PI(_) | Event::Decl(_) | Event::DocType(_) => {}
            Event::Eof => break,
        }
    }
    let document = match stack.pop() {
        Some(document) if stack.is_empty() => document,
        _ => return Err("unclosed element at end of input".to_owned()),
    };
    let mut roots = document.children.into_iter().filter_map(|node| match node {
        Node::Element(element) => Some(element),
        Node::Text(_) => None,
    });
    match (roots.next(), roots.next()) {
        (Some(root), None) => Ok(root),
        (None, _) => Err("no root element".to_owned()),
        (Some(_), Some(_)) => Err("more than one root element".to_owned()),
    }
}

fn open(start: &BytesStart<'_>) -> Result<Element, String> {
    let mut element = Element {
        name: start.local_name().as_ref().to_owned(),
        ..Element::default()
    };
    for attr in start.attributes() {
        let attr = attr.map_err(|e| format!("in <{}>: {e}", element.name))?;
        let key: &str = attr.key.as_ref();
        if key.starts_with("xmlns:") {
            continue;
        }
        let value = attr
            .normalized_value(XmlVersion::Implicit1_0)
            .map_err(|e| format!("in <{}>: {e}", element.name))?;
        let local = key.rsplit(':').next().unwrap_or(key);
        let local = if key == "xmlns" { key } else { local };
        element.attrs.insert(local.to_owned(), value.into_owned());
    }
    Ok(element)
}

fn push_node(stack: &mut [Element], node: Node) {
    if let Some(parent) = stack.last_mut() {
        parent.children.push(node);
    }
}

fn push_text(stack: &mut [Element], text: &str) {
    let Some(parent) = stack.last_mut() else {
        return;
    };
    if let Some(Node::Text(previous)) = parent.children.last_mut() {
        previous.push_str(text);
    } else {
        parent.children.push(Node::Text(text.to_owned()));
    }
}

/// Applies `opr:scrub()` and the metadata mode to a parsed catalog.
pub fn scrub(mut root: Element, metadata: Metadata) -> Element {
    normalise_space(&mut root);
    if root.name == "catalog" {
        if let Some(uuid) = root.attrs.get_mut("uuid") {
            *uuid = BLANK.to_owned();
        }
        for child in &mut root.children {
            if let Node::Element(meta) = child
                && meta.name == "metadata"
            {
                scrub_metadata(meta, metadata);
            }
        }
    }
    root
}

fn scrub_metadata(meta: &mut Element, mode: Metadata) {
    if mode == Metadata::Loose {
        meta.children
            .retain(|node| matches!(node, Node::Element(e) if e.name == "title"));
        return;
    }
    for node in &mut meta.children {
        let Node::Element(e) = node else { continue };
        match e.name.as_str() {
            "last-modified" => e.children = vec![Node::Text(BLANK.to_owned())],
            "prop" if e.attrs.get("name").is_some_and(|n| n == "resolution-tool") => {
                e.attrs.insert("value".to_owned(), BLANK.to_owned());
            }
            "link"
                if e.attrs
                    .get("rel")
                    .is_some_and(|r| r == "source-profile" || r == "resolution-source") =>
            {
                e.attrs.insert("href".to_owned(), BLANK.to_owned());
            }
            _ => {}
        }
    }
}

fn is_inline(node: Option<&Node>) -> bool {
    matches!(node, Some(Node::Element(e)) if INLINE.contains(&e.name.as_str()))
}

/// Whitespace as `opr:scrub()` treats it, made symmetric: text runs collapse to one space, and a
/// text node loses its leading (trailing) space when it starts (ends) the element or touches a
/// block element. Whitespace-only text survives only between two inline elements.
fn normalise_space(element: &mut Element) {
    let children = std::mem::take(&mut element.children);
    let inline: Vec<bool> = children.iter().map(|n| is_inline(Some(n))).collect();
    let mut out = Vec::with_capacity(children.len());
    for (k, node) in children.into_iter().enumerate() {
        match node {
            Node::Element(mut child) => {
                normalise_space(&mut child);
                out.push(Node::Element(child));
            }
            Node::Text(text) => {
                let prev_inline = k > 0 && inline[k - 1];
                let next_inline = inline.get(k + 1).copied().unwrap_or(false);
                if let Some(normal) = normal_text(&text, prev_inline, next_inline) {
                    out.push(Node::Text(normal));
                }
            }
        }
    }
    element.children = out;
}

/// One text node with its whitespace normalised; `None` when nothing of it is significant.
fn normal_text(text: &str, prev_inline: bool, next_inline: bool) -> Option<String> {
    let core = collapse(text);
    if core.is_empty() {
        return (prev_inline && next_inline).then(|| " ".to_owned());
    }
    let mut normal = String::new();
    if prev_inline && text.starts_with(char::is_whitespace) {
        normal.push(' ');
    }
    normal.push_str(&core);
    if next_inline && text.ends_with(char::is_whitespace) {
        normal.push(' ');
    }
    Some(normal)
}

/// The key children are aligned by: name plus the attribute that identifies it, if any.
fn key(node: &Node) -> String {
    match node {
        Node::Text(_) => "#text".to_owned(),
        Node::Element(e) => match ["id", "uuid", "name", "rel"]
            .iter()
            .find_map(|a| e.attrs.get(*a).map(|v| (a, v)))
        {
            Some((attr, value)) => format!("{}[@{attr}='{value}']", e.name),
            None => e.name.clone(),
        },
    }
}

fn compare_element(expected: &Element, actual: &Element, path: &str, diffs: &mut Diffs) {
    if diffs.is_full() {
        return;
    }
    if expected.name != actual.name {
        diffs.push(path, &summary_element(expected), &summary_element(actual));
        return;
    }
    for (name, value) in &expected.attrs {
        match actual.attrs.get(name) {
            Some(other) if other == value => {}
            Some(other) => diffs.push(&format!("{path}/@{name}"), value, other),
            None => diffs.push(&format!("{path}/@{name}"), value, "(absent)"),
        }
    }
    for (name, value) in &actual.attrs {
        if !expected.attrs.contains_key(name) {
            diffs.push(&format!("{path}/@{name}"), "(absent)", value);
        }
    }
    compare_children(&expected.children, &actual.children, path, diffs);
}

fn compare_children(expected: &[Node], actual: &[Node], path: &str, diffs: &mut Diffs) {
    let left: Vec<String> = expected.iter().map(key).collect();
    let right: Vec<String> = actual.iter().map(key).collect();
    let mut seen: BTreeMap<&str, usize> = BTreeMap::new();
    let repeats = |keys: &[String], k: &str| keys.iter().filter(|other| *other == k).count() > 1;
    for pair in align(&left, &right) {
        let k = match pair {
            (Some(i), _) => &left[i],
            (None, Some(j)) => &right[j],
            (None, None) => continue,
        };
        let n = seen.entry(k).or_default();
        *n += 1;
        // An index only where the key repeats among these children (counted over both sides).
        let step = if !repeats(&left, k) && !repeats(&right, k) {
            k.clone()
        } else {
            format!("{k}[{n}]")
        };
        let child_path = format!("{path}/{step}");
        match pair {
            (Some(i), Some(j)) => compare_node(&expected[i], &actual[j], &child_path, diffs),
            (Some(i), None) => diffs.push(&child_path, &summary(&expected[i]), "(absent)"),
            (None, Some(j)) => diffs.push(&child_path, "(absent)", &summary(&actual[j])),
            (None, None) => {}
        }
    }
}

fn compare_node(expected: &Node, actual: &Node, path: &str, diffs: &mut Diffs) {
    match (expected, actual) {
        (Node::Element(e), Node::Element(a)) => compare_element(e, a, path, diffs),
        (Node::Text(e), Node::Text(a)) if e != a => diffs.push(path, e, a),
        (e, a) if e != a => diffs.push(path, &summary(e), &summary(a)),
        _ => {}
    }
}

fn summary(node: &Node) -> String {
    match node {
        Node::Text(text) => format!("text {text:?}"),
        Node::Element(e) => summary_element(e),
    }
}

/// `<control id="ac-2">` followed by the start of its text content.
fn summary_element(element: &Element) -> String {
    let mut out = format!("<{}", element.name);
    for (name, value) in &element.attrs {
        out.push_str(&format!(" {name}=\"{value}\""));
    }
    out.push('>');
    let mut text = String::new();
    text_content(element, &mut text);
    let text = collapse(&text);
    if !text.is_empty() {
        out.push(' ');
        out.push_str(&clip(&text.chars().take(80).collect::<String>()));
    }
    out
}

/// Concatenated descendant text, with a space between nodes.
pub fn text_content(element: &Element, out: &mut String) {
    for node in &element.children {
        match node {
            Node::Text(text) => {
                out.push_str(text);
                out.push(' ');
            }
            Node::Element(child) => text_content(child, out),
        }
    }
}
