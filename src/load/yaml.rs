//! YAML input: the text walked into plain data (`tree`, which refuses what is not plain data),
//! then typed into the model through a serde layer of our own (`de`), which keeps scalars as
//! the model's strings. A shape error is located at its JSON pointer, which the source's
//! positions (the same walk, run again on first use) map to the YAML node.
//!
//! Why saphyr-parser with our own layer, not a serde YAML crate: the checks that make untrusted
//! YAML safe (an alias budget tied to the text's size, depth, duplicate keys, core-schema tags
//! only, one document) and the pointer → position index live in one pass we control; the parser
//! is pure Rust, safe code, maintained, and gives a span for every event.

mod de;
mod tree;

use crate::diag::{Diagnostic, SourceId, Span};
use crate::model::Document;
use crate::options::Options;
use crate::source::pointer::PointerHash;
use tree::{Bounds, Node, Refusal, walk};

/// The text after a BOM, and the BOM's length; `Err` with the offset of the first byte that is
/// not UTF-8.
fn text(bytes: &[u8]) -> Result<(&str, usize), usize> {
    let body = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    let bom = bytes.len() - body.len();
    std::str::from_utf8(body)
        .map(|t| (t, bom))
        .map_err(|e| bom + e.valid_up_to())
}

fn bounds(opts: &Options) -> Bounds {
    Bounds {
        max_depth: opts.max_depth,
        build: true,
    }
}

/// Whether bytes that are neither JSON nor XML are YAML: a mapping with a `catalog` or
/// `profile` key, or a text that YAML refuses for a reason only YAML has (an alias bomb, a tag),
/// or one that fails to parse after a first line that opens such a key.
pub(super) fn claims(bytes: &[u8], opts: &Options) -> bool {
    let Ok((text, _)) = text(bytes) else {
        return false;
    };
    match walk(text, bounds(opts)) {
        Ok(w) => {
            matches!(w.root, Some(Node::Map(m)) if m.contains_key("catalog") || m.contains_key("profile"))
        }
        Err(r) if r.code != "load-yaml-syntax" => true,
        Err(_) => text
            .lines()
            .map(str::trim_end)
            .find(|l| !l.is_empty() && !l.starts_with('#'))
            .is_some_and(|l| {
                ["---", "%YAML", "catalog:", "profile:"]
                    .iter()
                    .any(|p| l.starts_with(p))
            }),
    }
}

pub(super) fn load(
    bytes: &[u8],
    source: SourceId,
    opts: &Options,
) -> Result<Document, Vec<Diagnostic>> {
    let (text, bom) = text(bytes).map_err(|off| {
        vec![
            Diagnostic::error("load-encoding", "the file is not valid UTF-8")
                .at(Span::offset(source, off)),
        ]
    })?;
    let refused = |r: Refusal| {
        vec![Diagnostic::error(r.code, r.message).at(Span::offset(source, bom + r.offset))]
    };
    let walked = walk(text, bounds(opts)).map_err(refused)?;
    let root_at = |pointer: &str| {
        let off = crate::source::pointer::nearest_recorded(&walked.positions, pointer);
        Span::offset(source, bom + off.unwrap_or(0))
    };
    let Some(root @ Node::Map(map)) = &walked.root else {
        return Err(vec![
            Diagnostic::error(
                "load-root",
                "the document must be a YAML mapping with a `catalog` or `profile` key",
            )
            .at(root_at("")),
        ]);
    };
    if let Some(key) = map
        .keys()
        .find(|k| !matches!(k.as_str(), "catalog" | "profile" | "$schema"))
        && !map.contains_key("catalog")
        && !map.contains_key("profile")
    {
        return Err(vec![
            super::wrong_root_key(key).at(root_at(&format!("/{key}"))),
        ]);
    }
    let typed: super::Root = serde_path_to_error::deserialize(root).map_err(|e| {
        let path = e.path().to_string();
        let message = e.inner().to_string();
        let message = if path == "." {
            message
        } else {
            format!("{message} at `{path}`")
        };
        let pointer = super::xml::path_to_pointer(&path);
        vec![Diagnostic::error("load-shape", message).at(Span::pointer(source, pointer))]
    })?;
    typed.document().map_err(|d| vec![(*d).at(root_at(""))])
}

/// The positions of a YAML source's nodes, by JSON pointer, for [`crate::source::XmlPositions`]:
/// the walk again, keeping no tree. A text that does not walk locates nothing.
pub(crate) fn positions(bytes: &[u8]) -> Vec<(PointerHash, u32)> {
    let Ok((text, bom)) = text(bytes) else {
        return Vec::new();
    };
    let all = Bounds {
        max_depth: usize::MAX,
        build: false,
    };
    let Ok(mut walked) = walk(text, all) else {
        return Vec::new();
    };
    let bom = u32::try_from(bom).unwrap_or(0);
    walked
        .positions
        .iter_mut()
        .for_each(|(_, at)| *at = at.saturating_add(bom));
    walked.positions
}

/// The JSON form of a YAML text (for the schema check of a document the model refused).
pub(crate) fn untyped(bytes: &[u8], opts: &Options) -> Option<serde_json::Value> {
    let (text, _) = text(bytes).ok()?;
    let root = walk(text, bounds(opts)).ok()?.root?;
    Some(to_json(&root))
}

/// Plain data as JSON: the core schema's plain booleans and nulls as such (the schema wants
/// `as-is: true`), every other scalar a string, as the typed model reads it.
fn to_json(node: &Node) -> serde_json::Value {
    use serde_json::Value;
    match node {
        Node::Scalar { text, plain: true } => match text.as_str() {
            "" | "~" | "null" | "Null" | "NULL" => Value::Null,
            "true" | "True" | "TRUE" => Value::Bool(true),
            "false" | "False" | "FALSE" => Value::Bool(false),
            _ => Value::String(text.clone()),
        },
        Node::Scalar { text, .. } => Value::String(text.clone()),
        Node::Seq(items) => Value::Array(items.iter().map(to_json).collect()),
        Node::Map(map) => Value::Object(map.iter().map(|(k, v)| (k.clone(), to_json(v))).collect()),
    }
}
