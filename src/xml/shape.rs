//! The shape check of the XML reader: what the binding allows where, over every token once.
//!
//! Stage: load (XML shape). In: the [`Token`]s of one document, in order. Out: nothing but errors
//! (`load-xml-shape`, `load-xml-namespace`, each naming and locating the element, attribute or
//! text), and on request the positions of the values the elements and attributes become. Keeps
//! an explicit stack of open elements (no recursion), which is also what lets the reader go on
//! checking after serde has stopped. Building values is `de.rs`'s job.

use super::binding::{self, BLOCK_ELEMENTS, Child, Content, Def, Shape};
use super::de::DeError;
use super::dom::{Attr, OSCAL_NS, Token};
use super::{XmlError, is_xml_space};
use crate::source::pointer::PointerHash;

/// Deepest nesting the typed walk takes. OSCAL documents nest about a dozen deep; each level
/// costs several serde frames (kilobytes in an unoptimized build), so a deeper document is read
/// as a value first, whose walk costs far less stack per level.
pub(super) const TYPED_MAX_DEPTH: usize = 64;

pub(super) fn shape(message: String, offset: usize) -> DeError {
    DeError::Xml(XmlError::new("load-xml-shape", message, offset))
}

/// An open element, as the check sees it.
enum Frame {
    Node {
        def: &'static Def,
        name: &'static str,
        /// Where this node's per-child counts start in [`Check::counts`].
        base: usize,
        /// The child position of the last child started, if any.
        last: Option<usize>,
        at: PointerHash,
    },
    /// A grouping wrapper such as `revisions`, holding `item` elements.
    Group {
        def: &'static Def,
        name: &'static str,
        item: &'static str,
        count: usize,
        at: PointerHash,
    },
    /// A markup field, or one block of unwrapped prose (`field` is then its parent's name).
    Markup {
        field: &'static str,
        unwrapped: bool,
    },
}

/// The shape check: every token passes it once, in document order.
#[derive(Default)]
pub(super) struct Check {
    frames: Vec<Frame>,
    /// Per open node, per child position: elements started there so far.
    counts: Vec<usize>,
    /// Elements open inside the current markup.
    pub(super) markup: Vec<&'static str>,
    /// The child position the last element start fills in its parent node (none for the root,
    /// an item of a group, or markup), so the layer above need not look it up again.
    pub(super) child: Option<(usize, &'static Child)>,
    /// For the typed walk: stop at what it cannot take in order (see [`DeError::Restart`]).
    pub(super) typed: bool,
    /// Positions, when asked for.
    pub(super) record: Option<Vec<(PointerHash, u32)>>,
}

fn offset32(offset: usize) -> u32 {
    u32::try_from(offset).unwrap_or(u32::MAX)
}

fn no_attributes(name: &str, attrs: &[Attr<'_>]) -> Result<(), DeError> {
    match attrs.first() {
        None => Ok(()),
        Some(attr) => Err(shape(
            format!("attribute `{}` is not allowed on `{name}`", attr.name),
            attr.offset,
        )),
    }
}

impl Check {
    pub(super) fn token(&mut self, token: &Token<'_>) -> Result<(), DeError> {
        match token {
            Token::Start {
                name,
                oscal,
                attrs,
                offset,
            } => self.start(name, *oscal, attrs, *offset),
            Token::Text { text, offset } => self.text(text, *offset),
            Token::End => {
                self.end();
                Ok(())
            }
        }
    }

    /// The innermost element open inside markup (just started, when called after a start).
    pub(super) fn open_markup(&self) -> &'static str {
        self.markup.last().copied().unwrap_or("p")
    }

    fn record(&mut self, at: impl FnOnce() -> PointerHash, offset: usize) {
        if let Some(out) = &mut self.record {
            out.push((at(), offset32(offset)));
        }
    }

    fn start(
        &mut self,
        name: &str,
        oscal: bool,
        attrs: &[Attr<'_>],
        offset: usize,
    ) -> Result<(), DeError> {
        self.child = None;
        let (def, name, at) = match self.frames.last_mut() {
            None => return self.root(name, oscal, attrs, offset),
            Some(Frame::Markup { field, .. }) => {
                let field = *field;
                return self.markup_start(field, name, oscal, offset);
            }
            Some(Frame::Node { name: parent, .. } | Frame::Group { name: parent, .. })
                if !oscal =>
            {
                return Err(shape(
                    format!("element `{name}` in `{parent}` is not in the OSCAL namespace"),
                    offset,
                ));
            }
            Some(Frame::Group {
                def,
                name: group,
                item,
                count,
                at,
            }) => {
                if name != *item {
                    return Err(shape(
                        format!("element `{name}` is not allowed in `{group}`"),
                        offset,
                    ));
                }
                *count += 1;
                let (at, i) = (*at, *count - 1);
                (*def, *item, hash_if(self.record.is_some(), || at.index(i)))
            }
            Some(Frame::Node {
                def,
                name: parent,
                base,
                last,
                at,
            }) => {
                let Some((i, child)) = child_of(def, name) else {
                    return Err(shape(
                        format!("element `{name}` is not allowed in `{parent}`"),
                        offset,
                    ));
                };
                // Not the child kind just before it: a second run if it came before.
                let again = last.is_some_and(|l| l != i);
                *last = Some(i);
                let (parent, at) = (*parent, *at);
                let index = match self.counts.get_mut(*base + i) {
                    Some(count) => {
                        *count += 1;
                        *count - 1
                    }
                    None => 0,
                };
                self.child = Some((i, child));
                if index > 0 && matches!(child.shape, Shape::One | Shape::Grouped(_)) {
                    return Err(shape(
                        format!("element `{name}` occurs more than once in `{parent}`"),
                        offset,
                    ));
                }
                if index > 0 && again && self.typed {
                    return Err(DeError::Restart);
                }
                let recording = self.record.is_some();
                let at = hash_if(recording, || at.key(child.json));
                match child.shape {
                    Shape::One => (child.def, child.xml, at),
                    Shape::Many => (child.def, child.xml, hash_if(recording, || at.index(index))),
                    Shape::Grouped(item) => return self.open_group(child, item, at, attrs, offset),
                    Shape::Unwrapped => return self.open_prose(parent, name, index, at, offset),
                }
            }
        };
        self.open(def, name, at, attrs, offset)
    }

    /// An element inside markup: only OSCAL's markup elements.
    fn markup_start(
        &mut self,
        field: &'static str,
        name: &str,
        oscal: bool,
        offset: usize,
    ) -> Result<(), DeError> {
        let (Some(known), true) = (binding::markup_element(name), oscal) else {
            let parent = self.markup.last().copied().unwrap_or(field);
            return Err(shape(
                format!("element `{name}` is not allowed in `{parent}` (markup)"),
                offset,
            ));
        };
        self.markup.push(known);
        Ok(())
    }

    /// A grouping wrapper (`revisions`): no attributes, items of one name inside.
    fn open_group(
        &mut self,
        child: &'static Child,
        item: &'static str,
        at: PointerHash,
        attrs: &[Attr<'_>],
        offset: usize,
    ) -> Result<(), DeError> {
        no_attributes(child.xml, attrs)?;
        self.record(|| at, offset);
        self.frames.push(Frame::Group {
            def: child.def,
            name: child.xml,
            item,
            count: 0,
            at,
        });
        Ok(())
    }

    /// One block of the unwrapped prose of `parent`; the first block is the prose's position.
    fn open_prose(
        &mut self,
        parent: &'static str,
        name: &str,
        index: usize,
        at: PointerHash,
        offset: usize,
    ) -> Result<(), DeError> {
        if index == 0 {
            self.record(|| at, offset);
        }
        let block = BLOCK_ELEMENTS.iter().find(|n| **n == name);
        self.markup.push(block.copied().unwrap_or("p"));
        self.frames.push(Frame::Markup {
            field: parent,
            unwrapped: true,
        });
        Ok(())
    }

    /// The document element: its name first (is this a catalog or profile at all?), then its
    /// namespace.
    fn root(
        &mut self,
        name: &str,
        oscal: bool,
        attrs: &[Attr<'_>],
        offset: usize,
    ) -> Result<(), DeError> {
        let Some((root, def)) = binding::root(name) else {
            return Err(shape(
                format!("root element `{name}` is not `catalog` or `profile`"),
                offset,
            ));
        };
        if !oscal {
            return Err(DeError::Xml(XmlError::new(
                "load-xml-namespace",
                format!("root element `{name}` is not in the OSCAL namespace `{OSCAL_NS}`"),
                offset,
            )));
        }
        let at = hash_if(self.record.is_some(), || PointerHash::EMPTY.key(root));
        self.open(def, root, at, attrs, offset)
    }

    /// An element that maps to a value: its own position, then its attributes'.
    fn open(
        &mut self,
        def: &'static Def,
        name: &'static str,
        at: PointerHash,
        attrs: &[Attr<'_>],
        offset: usize,
    ) -> Result<(), DeError> {
        self.record(|| at, offset);
        if matches!(def.content, Content::Markup { .. }) {
            no_attributes(name, attrs)?;
            self.frames.push(Frame::Markup {
                field: name,
                unwrapped: false,
            });
            return Ok(());
        }
        if def.is_scalar() {
            no_attributes(name, attrs)?;
        }
        if let Some(out) = &mut self.record {
            out.extend(attrs.iter().map(|a| (at.key(&a.name), offset32(a.offset))));
        }
        if self.typed && self.frames.len() >= TYPED_MAX_DEPTH {
            return Err(DeError::Restart);
        }
        let base = self.counts.len();
        self.counts.resize(base + def.children().len(), 0);
        self.frames.push(Frame::Node {
            def,
            name,
            base,
            last: None,
            at,
        });
        Ok(())
    }

    fn text(&self, text: &str, offset: usize) -> Result<(), DeError> {
        match self.frames.last() {
            Some(Frame::Node { def, name, .. }) if !matches!(def.content, Content::Text { .. }) => {
                match is_xml_space(text) {
                    true => Ok(()),
                    false => Err(shape(format!("text is not allowed in `{name}`"), offset)),
                }
            }
            Some(Frame::Group { name, .. }) if !is_xml_space(text) => {
                Err(shape(format!("text is not allowed in `{name}`"), offset))
            }
            _ => Ok(()),
        }
    }

    fn end(&mut self) {
        if let Some(Frame::Markup { unwrapped, .. }) = self.frames.last()
            && self.markup.pop().is_some()
            && !(*unwrapped && self.markup.is_empty())
        {
            return;
        }
        if let Some(Frame::Node { base, .. }) = self.frames.pop() {
            self.counts.truncate(base);
        }
    }
}

/// `hash()` when positions are recorded; otherwise the hash is never read.
fn hash_if(wanted: bool, hash: impl FnOnce() -> PointerHash) -> PointerHash {
    match wanted {
        true => hash(),
        false => PointerHash::EMPTY,
    }
}

/// The child position of an element of kind `def` that an element `name` fills: the child of
/// that name, else for a block element the unwrapped prose.
pub(super) fn child_of(def: &'static Def, name: &str) -> Option<(usize, &'static Child)> {
    let children = def.children();
    let by_name = children
        .iter()
        .enumerate()
        .find(|(_, c)| c.shape != Shape::Unwrapped && c.xml == name);
    by_name.or_else(|| {
        BLOCK_ELEMENTS
            .contains(&name)
            .then(|| {
                children
                    .iter()
                    .enumerate()
                    .find(|(_, c)| c.shape == Shape::Unwrapped)
            })
            .flatten()
    })
}
