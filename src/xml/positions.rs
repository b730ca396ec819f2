//! Where each element and attribute of an XML document is, by JSON pointer.
//!
//! Stage: diagnostics (on demand, after load). In: the bytes of a document. Out: an index of
//! (hash of a JSON pointer, byte offset) pairs for the pointers [`super::read`] records in
//! [`super::XmlRead::positions`], sorted by hash, the first in document order first among equal
//! hashes. Loading keeps no positions; `crate::source` builds this index the first time a
//! diagnostic must locate a pointer in an XML source.
//!
//! The walk follows `read.rs`'s rules for pointers (names and arrays from the binding, one
//! `prose` entry at the first block of unwrapped prose) without building values. It stops at the
//! first thing `read` would refuse, keeping what it found before. One pass over the tokens, an
//! explicit stack, no recursion.

use super::XmlLimits;
use super::binding::{self, Content, Def, Shape};
use super::dom::{Attr, Token, Tokens};
use super::read::child_of;
use crate::source::pointer::PointerHash;

/// The sorted position index of `bytes` (see the module documentation).
pub(crate) fn positions(bytes: &[u8]) -> Vec<(PointerHash, u32)> {
    // The document was already read within the caller's limits; the walk itself needs none.
    let limits = XmlLimits {
        max_depth: usize::MAX,
        max_bytes: usize::MAX,
    };
    let mut walk = Walk::default();
    if let Ok(mut tokens) = Tokens::new(bytes, &limits) {
        while let Ok(Some(token)) = tokens.next_token() {
            let step = match token {
                Token::Start {
                    name,
                    attrs,
                    offset,
                    ..
                } => walk.start(&name, &attrs, offset),
                Token::Text { .. } => Some(()),
                Token::End => walk.end(),
            };
            if step.is_none() {
                break;
            }
        }
    }
    // Stable, so that among equal hashes the first recorded (in document order) comes first.
    walk.out.sort_by_key(|&(hash, _)| hash);
    walk.out
}

/// An open element.
enum Frame {
    Node {
        def: &'static Def,
        at: PointerHash,
        /// Per child position: elements started so far (for unwrapped prose: whether it started).
        counts: Vec<usize>,
    },
    /// A grouping wrapper (`revisions`) holding items of kind `def`.
    Group {
        def: &'static Def,
        at: PointerHash,
        count: usize,
    },
    /// Markup, or one block of unwrapped prose, with `depth` elements open inside it.
    Markup { depth: usize },
}

#[derive(Default)]
struct Walk {
    stack: Vec<Frame>,
    out: Vec<(PointerHash, u32)>,
}

fn offset32(offset: usize) -> u32 {
    u32::try_from(offset).unwrap_or(u32::MAX)
}

impl Walk {
    fn start(&mut self, name: &str, attrs: &[Attr<'_>], offset: usize) -> Option<()> {
        let (def, at) = match self.stack.last_mut() {
            None => {
                let (root, def) = binding::root(name)?;
                (def, PointerHash::EMPTY.key(root))
            }
            Some(Frame::Markup { depth }) => {
                *depth += 1;
                return Some(());
            }
            Some(Frame::Group { def, at, count }) => {
                let item = at.index(*count);
                *count += 1;
                (*def, item)
            }
            Some(Frame::Node { def, at, counts }) => {
                let (i, child) = child_of(def, name)?;
                let count = counts.get_mut(i)?;
                let at = at.key(child.json);
                match child.shape {
                    Shape::One => (child.def, at),
                    Shape::Many => {
                        *count += 1;
                        (child.def, at.index(*count - 1))
                    }
                    Shape::Grouped(_) => {
                        self.out.push((at, offset32(offset)));
                        self.stack.push(Frame::Group {
                            def: child.def,
                            at,
                            count: 0,
                        });
                        return Some(());
                    }
                    Shape::Unwrapped => {
                        if *count == 0 {
                            *count = 1;
                            self.out.push((at, offset32(offset)));
                        }
                        self.stack.push(Frame::Markup { depth: 0 });
                        return Some(());
                    }
                }
            }
        };
        self.open(def, at, attrs, offset);
        Some(())
    }

    /// An element that maps to a value: its own position, then its attributes'.
    fn open(&mut self, def: &'static Def, at: PointerHash, attrs: &[Attr<'_>], offset: usize) {
        self.out.push((at, offset32(offset)));
        if matches!(def.content, Content::MarkupLine | Content::MarkupMultiline) {
            self.stack.push(Frame::Markup { depth: 0 });
            return;
        }
        for attr in attrs {
            self.out.push((at.key(&attr.name), offset32(attr.offset)));
        }
        self.stack.push(Frame::Node {
            def,
            at,
            counts: vec![0; def.children().len()],
        });
    }

    fn end(&mut self) -> Option<()> {
        match self.stack.last_mut() {
            Some(Frame::Markup { depth }) if *depth > 0 => *depth -= 1,
            _ => {
                self.stack.pop()?;
            }
        }
        Some(())
    }
}

#[cfg(test)]
mod tests {
    use super::positions;
    use crate::source::pointer::PointerHash;
    use crate::xml::{XmlLimits, read};

    const NS: &str = "http://csrc.nist.gov/ns/oscal/1.0";

    /// Every pointer `read` records is in the index, at the first offset `read` gives it.
    fn assert_index_matches_read(doc: &[u8]) {
        let read = read(doc, &XmlLimits::default()).unwrap_or_else(|e| panic!("{e}"));
        let index = positions(doc);
        assert_eq!(index.len(), read.positions.len());
        for (pointer, offset) in &read.positions {
            let hash = PointerHash::of(pointer);
            let first = index.partition_point(|(h, _)| *h < hash);
            let found = index.get(first).filter(|(h, _)| *h == hash);
            let expected = read.positions.iter().find(|(p, _)| p == pointer);
            assert_eq!(
                found.map(|(_, o)| *o),
                expected.map(|(_, o)| *o),
                "{pointer} at {offset}"
            );
        }
    }

    #[test]
    fn index_holds_every_pointer_read_records() {
        let doc = format!(
            r##"<catalog xmlns="{NS}" uuid="c"><metadata><title>T <em>x</em></title>
  <revisions><revision><title>R</title></revision><revision><version>2</version></revision></revisions>
  <prop name="a" value="1"/><prop name="b" value="2" foo="bar"/>
  <remarks><p>one</p></remarks></metadata>
  <group id="g"><control id="a"/><control id="b"><part name="s"><p>x</p><ul><li>y</li></ul>
  <part name="i"><p>z</p></part></part></control></group>
  <control id="c"><param id="p"><select><choice>a</choice><choice>b</choice></select></param></control>
  <back-matter><resource uuid="r"><rlink href="x"><hash algorithm="SHA-256">ab</hash></rlink></resource></back-matter>
</catalog>"##
        );
        assert_index_matches_read(doc.as_bytes());
        let mut with_bom = b"\xef\xbb\xbf".to_vec();
        with_bom.extend_from_slice(doc.as_bytes());
        assert_index_matches_read(&with_bom);
    }

    #[test]
    fn index_of_the_rev5_low_profile_matches_read() {
        assert_index_matches_read(include_bytes!(
            "../../tests/fixtures/xml/NIST_SP-800-53_rev5_LOW-baseline_profile.xml"
        ));
    }

    #[test]
    fn index_of_a_refused_document_keeps_what_came_before() {
        let doc = format!(r##"<catalog xmlns="{NS}" uuid="c"><control id="a"><bogus/>"##);
        let index = positions(doc.as_bytes());
        assert_eq!(index.len(), 4);
        assert!(positions(b"not xml").is_empty());
    }
}
