//! YAML text → a plain data tree, the checks that make hostile YAML safe, and the positions of its
//! nodes. In: the UTF-8 text of one YAML stream (no BOM). Out: a [`Node`] tree of scalars,
//! sequences and mappings with string keys, plus (hash of JSON pointer, byte offset) for each
//! node the text writes out, or a [`Refusal`] located at a byte offset. Typing the tree into the
//! model is `de`'s job.
//!
//! One pass over saphyr-parser's events with an explicit stack (no recursion, so depth is only
//! what the limit allows). What YAML can say beyond plain data is refused here: an alias is
//! replayed only while the whole tree stays within a budget of the text's size (a "billion
//! laughs" is refused, not built), tags outside the core schema (`!foo`, `!!python/object`), a key
//! twice in one mapping, a key that is not a scalar, and a second document.

use crate::source::pointer::{PointerHash, escape_token};
use indexmap::IndexMap;
use saphyr_parser::{Event, Parser, ScalarStyle, Tag};

/// A node of plain data.
#[derive(Debug, Clone)]
pub(crate) enum Node {
    /// A scalar: its text, and whether it was plain (unquoted, untagged or core-tagged as data
    /// other than a string), which decides whether it may read as null or a boolean.
    Scalar { text: String, plain: bool },
    /// A sequence.
    Seq(Vec<Node>),
    /// A mapping, keys in document order.
    Map(IndexMap<String, Node>),
}

/// Why a text was refused, and where.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Refusal {
    /// A registered diagnostic code.
    pub code: &'static str,
    /// The message (never quotes the text).
    pub message: String,
    /// Byte offset into the text.
    pub offset: usize,
}

/// What a walk over a text gives.
pub(crate) struct Walked {
    /// The document's root node (`None` for a stream without a document).
    pub root: Option<Node>,
    /// (hash of a JSON pointer, byte offset) of each node the text writes, sorted by hash.
    pub positions: Vec<(PointerHash, u32)>,
}

/// The bounds of one walk.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Bounds {
    /// Deepest nesting of sequences and mappings, aliases replayed included.
    pub max_depth: usize,
    /// Whether to build the tree (else only positions are recorded, and any depth is safe).
    pub build: bool,
}

/// A container being built.
struct Frame {
    kind: Kind,
    anchor: usize,
    hash: PointerHash,
    /// Height of the deepest child so far (0: no container child).
    height: usize,
    /// Cost of the nodes built into it so far.
    cost: u64,
}

enum Kind {
    Seq(Vec<Node>),
    /// The mapping, and a key read whose value is pending (with the key's offset).
    Map(IndexMap<String, Node>, Option<(String, usize)>),
}

/// An anchored node kept for replay: the node, its cost and its height.
struct Anchored {
    node: Node,
    cost: u64,
    height: usize,
}

/// Turns saphyr's character offsets into byte offsets; events come nearly in order, so the
/// cursor moves a short way each time.
struct Cursor<'t> {
    text: &'t str,
    chars: usize,
    bytes: usize,
}

impl Cursor<'_> {
    fn byte_of(&mut self, chars: usize) -> usize {
        while self.chars < chars {
            let Some(c) = self.text.get(self.bytes..).and_then(|t| t.chars().next()) else {
                break;
            };
            self.bytes += c.len_utf8();
            self.chars += 1;
        }
        while self.chars > chars && self.bytes > 0 {
            self.bytes -= 1;
            while self.bytes > 0 && !self.text.is_char_boundary(self.bytes) {
                self.bytes -= 1;
            }
            self.chars -= 1;
        }
        self.bytes
    }
}

/// The walk's state.
struct Walk<'t> {
    bounds: Bounds,
    /// Total cost (nodes plus scalar bytes) the tree may reach: what a text of this size can
    /// write without aliases, so only replay can exceed it.
    budget: u64,
    spent: u64,
    stack: Vec<Frame>,
    anchors: IndexMap<usize, Anchored>,
    positions: Vec<(PointerHash, u32)>,
    cursor: Cursor<'t>,
    root: Option<Node>,
    documents: usize,
}

/// Walks `text` (a YAML stream) into plain data, refusing what is not plain data.
pub(crate) fn walk(text: &str, bounds: Bounds) -> Result<Walked, Refusal> {
    let len = u64::try_from(text.len()).unwrap_or(u64::MAX);
    let mut w = Walk {
        bounds,
        budget: len.saturating_mul(4).saturating_add(4096),
        spent: 0,
        stack: Vec::new(),
        anchors: IndexMap::new(),
        positions: Vec::new(),
        cursor: Cursor {
            text,
            chars: 0,
            bytes: 0,
        },
        root: None,
        documents: 0,
    };
    for event in Parser::new_from_str(text) {
        let (event, span) = event.map_err(|e| {
            let offset = w.cursor.byte_of(e.marker().index());
            syntax(e.info(), offset)
        })?;
        let at = w.cursor.byte_of(span.start.index());
        w.event(event, at)?;
    }
    w.positions.sort_by_key(|&(h, _)| h);
    Ok(Walked {
        root: w.root,
        positions: w.positions,
    })
}

/// A parser complaint as a refusal; a message that would quote the text is cut to its kind.
fn syntax(info: &str, offset: usize) -> Refusal {
    // The parser's own bound on flow nesting, met before the walk's.
    if info.contains("recursion limit") {
        return refuse(
            "load-limit",
            "YAML nested deeper than the parser allows",
            offset,
        );
    }
    let message = match info.find(": `") {
        Some(i) => info.get(..i).unwrap_or(info),
        None => info,
    };
    refuse("load-yaml-syntax", message, offset)
}

fn refuse(code: &'static str, message: impl Into<String>, offset: usize) -> Refusal {
    Refusal {
        code,
        message: message.into(),
        offset,
    }
}

/// The core schema's tags (YAML 1.2 §10.3) are plain data; anything else constructs something.
fn core_tag(tag: Option<&Tag>, allowed: &[&str], offset: usize) -> Result<Option<String>, Refusal> {
    let Some(tag) = tag else { return Ok(None) };
    // `!` alone is the non-specific tag: a quoted-like string.
    if tag.handle == "!" && tag.suffix.is_empty() {
        return Ok(Some("str".to_owned()));
    }
    if tag.is_yaml_core_schema() && allowed.contains(&tag.suffix.as_str()) {
        return Ok(Some(tag.suffix.clone()));
    }
    Err(refuse(
        "load-yaml-tag",
        "a YAML tag outside the core schema here",
        offset,
    ))
}

impl Walk<'_> {
    fn event(&mut self, event: Event<'_>, at: usize) -> Result<(), Refusal> {
        match event {
            Event::DocumentStart(_) => {
                self.documents += 1;
                if self.documents > 1 {
                    return Err(refuse(
                        "load-yaml-documents",
                        "the YAML stream holds a second document",
                        at,
                    ));
                }
            }
            Event::Scalar(text, style, anchor, tag) => {
                let tag = core_tag(tag.as_deref(), &["str", "int", "float", "bool", "null"], at)?;
                let plain = style == ScalarStyle::Plain && tag.as_deref() != Some("str");
                self.scalar(text.into_owned(), plain, anchor, at)?;
            }
            Event::SequenceStart(anchor, tag) => {
                core_tag(tag.as_deref(), &["seq"], at)?;
                self.open(Kind::Seq(Vec::new()), anchor, at)?;
            }
            Event::MappingStart(anchor, tag) => {
                core_tag(tag.as_deref(), &["map"], at)?;
                self.open(Kind::Map(IndexMap::new(), None), anchor, at)?;
            }
            Event::SequenceEnd | Event::MappingEnd => self.close(at)?,
            Event::Alias(id) => self.alias(id, at)?,
            Event::StreamStart | Event::StreamEnd | Event::DocumentEnd | Event::Nothing => {}
        }
        Ok(())
    }

    /// The pointer hash of the node that starts next, and the offset it is recorded at.
    fn next_place(&self, at: usize, container: bool) -> Result<(PointerHash, usize), Refusal> {
        match self.stack.last() {
            None => Ok((PointerHash::EMPTY, at)),
            Some(f) => match &f.kind {
                Kind::Seq(items) => Ok((f.hash.index(items.len()), at)),
                Kind::Map(_, Some((key, key_at))) => {
                    // A collection is shown at its key, a scalar at itself, as JSON shows a value.
                    let off = if container { *key_at } else { at };
                    Ok((f.hash.key(&escape_token(key)), off))
                }
                Kind::Map(_, None) => Err(not_a_key(at)),
            },
        }
    }

    fn record(&mut self, hash: PointerHash, at: usize) {
        if let Ok(at) = u32::try_from(at) {
            self.positions.push((hash, at));
        }
    }

    fn spend(&mut self, cost: u64, at: usize) -> Result<(), Refusal> {
        self.spent = self.spent.saturating_add(cost);
        if self.spent > self.budget {
            return Err(refuse(
                "load-yaml-alias",
                format!(
                    "YAML aliases expand the document past {} nodes and bytes, the most a text of its size can hold",
                    self.budget
                ),
                at,
            ));
        }
        Ok(())
    }

    fn scalar(
        &mut self,
        text: String,
        plain: bool,
        anchor: usize,
        at: usize,
    ) -> Result<(), Refusal> {
        // A scalar where a key is expected is that key.
        if let Some(Frame {
            kind: Kind::Map(map, pending @ None),
            ..
        }) = self.stack.last_mut()
        {
            if map.contains_key(&text) {
                return Err(refuse(
                    "load-yaml-duplicate-key",
                    "a YAML mapping has this key twice",
                    at,
                ));
            }
            if anchor != 0 {
                self.anchors.insert(
                    anchor,
                    Anchored {
                        node: Node::Scalar {
                            text: text.clone(),
                            plain,
                        },
                        cost: 1 + text.len() as u64,
                        height: 0,
                    },
                );
            }
            *pending = Some((text, at));
            return Ok(());
        }
        let (hash, off) = self.next_place(at, false)?;
        self.record(hash, off);
        let cost = 1 + text.len() as u64;
        self.spend(cost, at)?;
        let node = Node::Scalar { text, plain };
        self.place(node, cost, 0, anchor, at)
    }

    fn open(&mut self, kind: Kind, anchor: usize, at: usize) -> Result<(), Refusal> {
        if self.stack.len() >= self.bounds.max_depth {
            return Err(too_deep(self.bounds.max_depth, at));
        }
        let (hash, off) = self.next_place(at, true)?;
        self.record(hash, off);
        self.spend(1, at)?;
        self.stack.push(Frame {
            kind,
            anchor,
            hash,
            height: 0,
            cost: 1,
        });
        Ok(())
    }

    fn close(&mut self, at: usize) -> Result<(), Refusal> {
        let Some(frame) = self.stack.pop() else {
            return Ok(());
        };
        let node = match frame.kind {
            Kind::Seq(items) => Node::Seq(items),
            // A key without a value (`{a}`): its value is null.
            Kind::Map(mut map, pending) => {
                if let Some((key, _)) = pending {
                    map.insert(key, null());
                }
                Node::Map(map)
            }
        };
        self.place(node, frame.cost, frame.height + 1, frame.anchor, at)
    }

    /// Puts a finished node into its parent (or makes it the root), keeping it for replay when
    /// it is anchored.
    fn place(
        &mut self,
        node: Node,
        cost: u64,
        height: usize,
        anchor: usize,
        at: usize,
    ) -> Result<(), Refusal> {
        // Positions only: nothing is kept, so no tree deeper than the stack can be dropped.
        let node = if self.bounds.build { node } else { null() };
        if anchor != 0 {
            self.anchors.insert(
                anchor,
                Anchored {
                    node: node.clone(),
                    cost,
                    height,
                },
            );
        }
        let Some(parent) = self.stack.last_mut() else {
            self.root = Some(node);
            return Ok(());
        };
        parent.cost = parent.cost.saturating_add(cost);
        parent.height = parent.height.max(height);
        match &mut parent.kind {
            Kind::Seq(items) if !self.bounds.build => items.push(Node::Seq(Vec::new())),
            Kind::Seq(items) => items.push(node),
            Kind::Map(map, pending) => match pending.take() {
                Some((key, _)) => {
                    map.insert(key, node);
                }
                None => {
                    return Err(not_a_key(at));
                }
            },
        }
        Ok(())
    }

    /// Replays an anchored node, within the budget and the depth limit.
    fn alias(&mut self, id: usize, at: usize) -> Result<(), Refusal> {
        let Some(anchored) = self.anchors.get(&id) else {
            return Err(refuse(
                "load-yaml-alias",
                "a YAML alias names an anchor that is not complete",
                at,
            ));
        };
        let (node, cost, height) = (anchored.node.clone(), anchored.cost, anchored.height);
        if self.stack.len() + height > self.bounds.max_depth {
            return Err(too_deep(self.bounds.max_depth, at));
        }
        // An alias as a key: only a scalar reads as one.
        if let Some(Frame {
            kind: Kind::Map(_, None),
            ..
        }) = self.stack.last()
        {
            return match node {
                Node::Scalar { text, plain } => self.scalar(text, plain, 0, at),
                _ => Err(not_a_key(at)),
            };
        }
        let (hash, off) = self.next_place(at, height > 0)?;
        self.record(hash, off);
        self.spend(cost, at)?;
        self.place(node, cost, height, 0, at)
    }
}

fn too_deep(max: usize, at: usize) -> Refusal {
    refuse("load-limit", format!("YAML nested deeper than {max}"), at)
}

fn not_a_key(at: usize) -> Refusal {
    refuse(
        "load-yaml-key",
        "a YAML mapping key is a sequence or mapping",
        at,
    )
}

fn null() -> Node {
    Node::Scalar {
        text: String::new(),
        plain: true,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const B: Bounds = Bounds {
        max_depth: 8,
        build: true,
    };

    fn refused(text: &str) -> Refusal {
        walk(text, B).err().expect("refused")
    }

    #[test]
    fn walk_keeps_plain_data_in_document_order() {
        let w = walk("b: 1.0\na: [x, 'y']\n", B).expect("walks");
        let Some(Node::Map(map)) = w.root else {
            panic!("a mapping")
        };
        let keys: Vec<_> = map.keys().cloned().collect();
        assert_eq!(keys, ["b", "a"]);
        assert!(matches!(&map["b"], Node::Scalar { text, plain: true } if text == "1.0"));
    }

    #[test]
    fn walk_refuses_laughs_tags_duplicates_depth_and_second_documents() {
        let mut laughs = String::from("a: &a [x, x, x, x, x, x, x, x, x, x]\n");
        for (i, prev) in ["b", "c", "d", "e", "f"]
            .iter()
            .zip(["a", "b", "c", "d", "e"])
        {
            laughs.push_str(&format!("{i}: &{i} [*{prev}, *{prev}, *{prev}, *{prev}, *{prev}, *{prev}, *{prev}, *{prev}, *{prev}, *{prev}]\n"));
        }
        assert_eq!(
            walk(
                &laughs,
                Bounds {
                    max_depth: 64,
                    build: true
                }
            )
            .err()
            .expect("refused")
            .code,
            "load-yaml-alias"
        );
        assert_eq!(refused("a: !foo x").code, "load-yaml-tag");
        assert_eq!(refused("a: !!python/object x").code, "load-yaml-tag");
        assert!(walk("a: !!str 1", B).is_ok());
        let dup = refused("a: 1\nb: 2\na: 3\n");
        assert_eq!((dup.code, dup.offset), ("load-yaml-duplicate-key", 10));
        assert_eq!(refused("[[[[[[[[[1]]]]]]]]]").code, "load-limit");
        assert_eq!(refused("a: 1\n---\nb: 2\n").code, "load-yaml-documents");
        assert_eq!(refused("? [a]\n: 1\n").code, "load-yaml-key");
        assert_eq!(refused("a: [1, 2").code, "load-yaml-syntax");
    }

    #[test]
    fn positions_point_at_scalars_and_at_the_keys_of_collections() {
        let text = "catalog:\n  id: é1\n  controls:\n    - id: c\n";
        let w = walk(text, B).expect("walks");
        let at = |p: &str| crate::source::pointer::nearest_recorded(&w.positions, p);
        assert_eq!(at("/catalog/id"), text.find("é1"));
        assert_eq!(at("/catalog/controls"), text.find("controls"));
        assert_eq!(at("/catalog/controls/0/id"), text.rfind('c'));
    }
}
