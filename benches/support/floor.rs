//! The floor: what reading the inputs and writing the output costs with no resolution at all.
//! JSON: serde_json into a generic `Value` and back out (pretty). XML: quick-xml events into a
//! generic element tree and back out. Both own their strings, as a real reader would.

#![allow(dead_code)] // each user needs a different subset

use quick_xml::Reader;
use quick_xml::events::Event;

/// Parses each JSON input into a `Value`, then serializes `output` (pretty, as oscalc does).
pub fn json(inputs: &[Vec<u8>], output: &serde_json::Value) -> usize {
    let mut n = 0;
    for bytes in inputs {
        let v: serde_json::Value = serde_json::from_slice(bytes).unwrap_or_default();
        n += usize::from(v.is_object());
    }
    n + serde_json::to_vec_pretty(output).map_or(0, |v| v.len())
}

/// A generic XML node: an element with its raw attributes, or raw text.
#[derive(Debug, Clone)]
pub enum Node {
    /// An element.
    Elem {
        /// Qualified name.
        name: String,
        /// Attributes, raw.
        attrs: Vec<(String, String)>,
        /// Children.
        children: Vec<Node>,
    },
    /// Text, escaped as in the source.
    Text(String),
}

/// Parses XML into a generic tree (the root element's children under a synthetic root).
pub fn parse_xml(bytes: &[u8]) -> Node {
    let text = std::str::from_utf8(bytes).unwrap_or_default();
    let mut reader = Reader::from_str(text);
    let mut stack: Vec<Node> = vec![elem("#root", Vec::new())];
    loop {
        match reader.read_event() {
            Ok(Event::Start(e)) => stack.push(elem(e.name().0, attrs(&e))),
            Ok(Event::Empty(e)) => push(&mut stack, elem(e.name().0, attrs(&e))),
            Ok(Event::End(_)) => {
                if stack.len() > 1
                    && let Some(done) = stack.pop()
                {
                    push(&mut stack, done);
                }
            }
            Ok(Event::Text(t)) => push(&mut stack, Node::Text(t.to_string())),
            Ok(Event::GeneralRef(r)) => {
                let v = format!("&{};", &*r);
                push(&mut stack, Node::Text(v));
            }
            Ok(Event::Eof) | Err(_) => break,
            Ok(_) => {}
        }
    }
    stack.swap_remove(0)
}

fn elem(name: &str, attrs: Vec<(String, String)>) -> Node {
    Node::Elem {
        name: name.to_owned(),
        attrs,
        children: Vec::new(),
    }
}

fn attrs(e: &quick_xml::events::BytesStart<'_>) -> Vec<(String, String)> {
    e.attributes()
        .flatten()
        .map(|a| (a.key.0.to_owned(), a.value.into_owned()))
        .collect()
}

fn push(stack: &mut [Node], node: Node) {
    if let Some(Node::Elem { children, .. }) = stack.last_mut() {
        children.push(node);
    }
}

/// Serializes a generic tree as XML.
pub fn write_xml(node: &Node, out: &mut String) {
    match node {
        Node::Text(t) => out.push_str(t),
        Node::Elem {
            name,
            attrs,
            children,
        } => {
            let synthetic = name == "#root";
            if synthetic {
                out.push_str("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
            } else {
                out.push('<');
                out.push_str(name);
                for (k, v) in attrs {
                    out.push(' ');
                    out.push_str(k);
                    out.push_str("=\"");
                    out.push_str(v);
                    out.push('"');
                }
                out.push('>');
            }
            children.iter().for_each(|c| write_xml(c, out));
            if !synthetic {
                out.push_str("</");
                out.push_str(name);
                out.push('>');
            }
        }
    }
}

/// Parses each XML input into a tree, then serializes `output`.
pub fn xml(inputs: &[Vec<u8>], output: &Node) -> usize {
    let mut n = 0;
    for bytes in inputs {
        n += usize::from(matches!(parse_xml(bytes), Node::Elem { .. }));
    }
    let mut out = String::new();
    write_xml(output, &mut out);
    n + out.len()
}
