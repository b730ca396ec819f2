//! The XML reader: one walk over the tokens of a catalog or profile.
//!
//! Stage: load (XML shape and types). In: the bytes of a catalog or profile. Out: any
//! `DeserializeOwned` type (the crate's `Catalog` or `Profile`) driven straight from the tokens,
//! or the JSON form as a `serde_json::Value` ([`value`]), or the pointer → byte offset index that
//! diagnostics locate pointers with ([`positions`]). Each element is shown to serde as its JSON
//! form: a map of flags and children, a scalar, an array, or markup as `{"$xml": fragment}`.
//!
//! Two layers. [`Check`] sees every token once, keeps an explicit stack of open elements, and
//! refuses what the binding does not allow (`load-xml-shape`, `load-xml-namespace`), naming and
//! locating it; it also records positions when asked. The serde layer above it (`Element`,
//! `ElementMap`, `Items`) presents values and tracks the JSON pointer of the value being read,
//! so a value the typed model refuses is `load-shape` at that pointer. XML problems win over
//! typing ones wherever they are: after a typing error the rest of the document is still checked.
//!
//! What a typed walk cannot take in order is a child kind that comes in several runs (`prop`,
//! `link`, `prop`: serde takes each key once), and nesting past [`TYPED_MAX_DEPTH`] (serde's
//! recursion costs stack). Such a document is read as a value first (children gathered in schema
//! order) and typed from that value.
//!
//! Recursion follows element nesting, capped by [`XmlLimits::max_depth`](super::XmlLimits) (and
//! [`TYPED_MAX_DEPTH`] for serde's).

use std::borrow::Cow;
use std::fmt;

use serde::de::{self, DeserializeOwned, DeserializeSeed, IntoDeserializer, MapAccess, SeqAccess};
use serde::de::{Deserializer, Visitor};
use serde_json::{Map, Value};

use super::binding::{self, BLOCK_ELEMENTS, Child, Content, Def, MARKUP_ELEMENTS, Scalar, Shape};
use super::dom::{Attr, OSCAL_NS, Token, Tokens};
use super::{XmlError, XmlLimits, escape_into, is_xml_space};
use crate::source::pointer::PointerHash;

/// Why a read stopped.
#[derive(Debug)]
pub(crate) enum DeError {
    /// The XML itself: syntax, limits, or what the binding does not allow.
    Xml(XmlError),
    /// The typed model refused a value; `pointer` (from the document root, `/catalog/…`) is where,
    /// once known.
    Shape {
        message: String,
        pointer: Option<String>,
    },
    /// The typed walk cannot take this document in order (a child kind in more than one run, or
    /// nesting deeper than [`TYPED_MAX_DEPTH`]); the caller reads it as a value first.
    Restart,
}

/// What refused a document: its XML, or the typed model at a JSON pointer.
#[derive(Debug)]
pub(crate) enum Refused {
    /// Code, message and byte offset.
    Xml(XmlError),
    /// serde's message and the pointer (`/catalog/controls/0/id`) of the value it refused.
    Shape { message: String, pointer: String },
}

impl fmt::Display for DeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            DeError::Xml(e) => write!(f, "{e}"),
            DeError::Shape { message, .. } => f.write_str(message),
            DeError::Restart => f.write_str("the document is read as a value first"),
        }
    }
}

impl std::error::Error for DeError {}

impl de::Error for DeError {
    fn custom<T: fmt::Display>(msg: T) -> Self {
        DeError::Shape {
            message: msg.to_string(),
            pointer: None,
        }
    }
}

impl From<XmlError> for DeError {
    fn from(e: XmlError) -> Self {
        DeError::Xml(e)
    }
}

impl DeError {
    /// Locates a typing error at `path` (then `/key`) unless a deeper value already did.
    fn at(self, path: &Path<'_>, key: Option<&str>) -> DeError {
        match self {
            DeError::Shape {
                message,
                pointer: None,
            } => {
                let mut pointer = String::new();
                path.write(&mut pointer);
                if let Some(key) = key {
                    pointer.push('/');
                    pointer.push_str(key);
                }
                DeError::Shape {
                    message,
                    pointer: Some(pointer),
                }
            }
            other => other,
        }
    }
}

/// Deepest nesting the typed walk takes. OSCAL documents nest about a dozen deep; each level
/// costs several serde frames (kilobytes in an unoptimized build), so a deeper document is read
/// as a value first, whose walk costs far less stack per level.
const TYPED_MAX_DEPTH: usize = 64;

fn fail<T>(what: &str) -> Result<T, DeError> {
    Err(de::Error::custom(what))
}

fn shape(message: String, offset: usize) -> DeError {
    DeError::Xml(XmlError::new("load-xml-shape", message, offset))
}

/// The JSON pointer of the value being read, as a chain through the serde layer's frames (no
/// allocation unless an error needs it written out).
#[derive(Clone, Copy)]
enum Path<'p> {
    Root(&'static str),
    Key(&'p Path<'p>, &'static str),
    Index(&'p Path<'p>, usize),
}

impl Path<'_> {
    fn write(&self, out: &mut String) {
        let (parent, segment) = match self {
            Path::Root(root) => {
                out.push('/');
                out.push_str(root);
                return;
            }
            Path::Key(parent, key) => (parent, Cow::Borrowed(*key)),
            Path::Index(parent, i) => (parent, Cow::Owned(i.to_string())),
        };
        parent.write(out);
        out.push('/');
        out.push_str(&segment);
    }
}

/// A document whose root element has been read: `root` says which model to ask for.
pub(crate) struct Typed<'a> {
    stream: Stream<'a>,
    root: &'static str,
    def: &'static Def,
    attrs: Vec<Attr<'a>>,
    bytes: &'a [u8],
    limits: XmlLimits,
}

/// Starts reading `bytes`: checks syntax up to the root element and that it is an OSCAL
/// `catalog` or `profile`.
pub(crate) fn typed<'a>(bytes: &'a [u8], limits: &XmlLimits) -> Result<Typed<'a>, Refused> {
    start(bytes, limits).map_err(Refused::Xml)
}

fn start<'a>(bytes: &'a [u8], limits: &XmlLimits) -> Result<Typed<'a>, XmlError> {
    let mut stream = Stream::new(bytes, limits)?;
    stream.check.typed = true;
    let Some(Token::Start { name, attrs, .. }) = stream.next().map_err(xml_error)? else {
        return Err(XmlError::new(
            "load-xml-syntax",
            "document has no root element".to_owned(),
            0,
        ));
    };
    // The check refused any other root.
    let Some((root, def)) = binding::root(&name) else {
        return Err(XmlError::new("load-xml-shape", format!("root `{name}`"), 0));
    };
    Ok(Typed {
        stream,
        root,
        def,
        attrs,
        bytes,
        limits: limits.clone(),
    })
}

/// Only the check raises errors before serde sees a value.
fn xml_error(e: DeError) -> XmlError {
    match e {
        DeError::Xml(e) => e,
        other => XmlError::new("load-xml-shape", other.to_string(), 0),
    }
}

impl Typed<'_> {
    /// `"catalog"` or `"profile"`.
    pub(crate) fn root(&self) -> &'static str {
        self.root
    }

    /// The whole document as `T`, the model of [`Typed::root`].
    pub(crate) fn read<T: DeserializeOwned>(mut self) -> Result<T, Refused> {
        let root = Path::Root(self.root);
        let element = Element {
            stream: &mut self.stream,
            def: self.def,
            attrs: self.attrs,
            path: root,
        };
        let typed = T::deserialize(element).and_then(|value| match self.stream.next()? {
            None => Ok(value),
            Some(_) => fail("content after the root element"),
        });
        let error = match typed {
            Ok(value) => return Ok(value),
            Err(DeError::Restart) => return retype(self.bytes, &self.limits),
            Err(e @ DeError::Shape { .. }) => {
                // An XML problem anywhere beats a typing one, as if the whole document had been
                // read before it was typed.
                self.stream.check.typed = false;
                self.stream.drain().err().unwrap_or(e)
            }
            Err(e) => e,
        };
        Err(match error {
            DeError::Shape { message, pointer } => Refused::Shape {
                message,
                pointer: pointer.unwrap_or_else(|| format!("/{}", self.root)),
            },
            other => Refused::Xml(xml_error(other)),
        })
    }
}

/// A document the typed walk cannot take in order: its JSON form (runs gathered) typed by serde,
/// serde_path_to_error saying where a value was refused.
fn retype<T: DeserializeOwned>(bytes: &[u8], limits: &XmlLimits) -> Result<T, Refused> {
    let (root, value) = value(bytes, limits).map_err(Refused::Xml)?;
    serde_path_to_error::deserialize(value).map_err(|e| {
        let mut pointer = format!("/{root}");
        for segment in e.path() {
            pointer.push('/');
            match segment {
                serde_path_to_error::Segment::Seq { index } => {
                    pointer.push_str(&index.to_string());
                }
                serde_path_to_error::Segment::Map { key } => pointer.push_str(key),
                serde_path_to_error::Segment::Enum { variant } => pointer.push_str(variant),
                serde_path_to_error::Segment::Unknown => pointer.push('?'),
            }
        }
        Refused::Shape {
            message: e.into_inner().to_string(),
            pointer,
        }
    })
}

/// Reads an OSCAL XML catalog or profile into its JSON form: the root's name and the value
/// under it, keys in schema order.
pub(crate) fn value(bytes: &[u8], limits: &XmlLimits) -> Result<(&'static str, Value), XmlError> {
    let mut typed = start(bytes, limits)?;
    typed.stream.check.typed = false;
    let element = Element {
        stream: &mut typed.stream,
        def: typed.def,
        attrs: std::mem::take(&mut typed.attrs),
        path: Path::Root(typed.root),
    };
    let value = element.value().map_err(xml_error)?;
    typed.stream.drain().map_err(xml_error)?;
    Ok((typed.root, value))
}

/// Where each element and attribute of `bytes` is: (hash of the JSON pointer of the value it
/// became, byte offset), sorted by hash, the first in document order first among equal hashes.
/// The walk stops at the first thing the reader refuses, keeping what it found before.
pub(crate) fn positions(bytes: &[u8]) -> Vec<(PointerHash, u32)> {
    // The document was already read within the caller's limits; the walk itself needs none.
    let limits = XmlLimits {
        max_depth: usize::MAX,
        max_bytes: usize::MAX,
    };
    let Ok(mut stream) = Stream::new(bytes, &limits) else {
        return Vec::new();
    };
    stream.check.record = Some(Vec::new());
    let _ = stream.drain();
    let mut out = stream.check.record.unwrap_or_default();
    // Stable, so that among equal hashes the first recorded (in document order) comes first.
    out.sort_by_key(|&(hash, _)| hash);
    out
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
struct Check {
    frames: Vec<Frame>,
    /// Per open node, per child position: elements started there so far.
    counts: Vec<usize>,
    /// Elements open inside the current markup.
    markup: Vec<&'static str>,
    /// The child position the last element start fills in its parent node (none for the root,
    /// an item of a group, or markup), so the layer above need not look it up again.
    child: Option<(usize, &'static Child)>,
    /// For the typed walk: stop at what it cannot take in order (see [`DeError::Restart`]).
    typed: bool,
    /// Positions, when asked for.
    record: Option<Vec<(PointerHash, u32)>>,
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
    fn token(&mut self, token: &Token<'_>) -> Result<(), DeError> {
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
    fn open_markup(&self) -> &'static str {
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
        let known = MARKUP_ELEMENTS.iter().find(|n| **n == name);
        let (Some(known), true) = (known, oscal) else {
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
        if matches!(def.content, Content::MarkupLine | Content::MarkupMultiline) {
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
fn child_of(def: &'static Def, name: &str) -> Option<(usize, &'static Child)> {
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

/// The token stream with one token of lookahead; every token passes the check once.
struct Stream<'a> {
    tokens: Tokens<'a>,
    peeked: Option<Token<'a>>,
    check: Check,
}

impl<'a> Stream<'a> {
    fn new(bytes: &'a [u8], limits: &XmlLimits) -> Result<Stream<'a>, XmlError> {
        Ok(Stream {
            tokens: Tokens::new(bytes, limits)?,
            peeked: None,
            check: Check::default(),
        })
    }

    fn pull(&mut self) -> Result<Option<Token<'a>>, DeError> {
        let token = self.tokens.next_token()?;
        if let Some(token) = &token {
            self.check.token(token)?;
        }
        Ok(token)
    }

    fn next(&mut self) -> Result<Option<Token<'a>>, DeError> {
        match self.peeked.take() {
            Some(token) => Ok(Some(token)),
            None => self.pull(),
        }
    }

    fn peek(&mut self) -> Result<Option<&Token<'a>>, DeError> {
        if self.peeked.is_none() {
            self.peeked = self.pull()?;
        }
        Ok(self.peeked.as_ref())
    }

    /// Reads (and checks) the rest of the document.
    fn drain(&mut self) -> Result<(), DeError> {
        while self.next()?.is_some() {}
        Ok(())
    }

    /// Skips whitespace between the children of an assembly (the check refused other text).
    fn skip_space(&mut self) -> Result<(), DeError> {
        while let Some(Token::Text { .. }) = self.peek()? {
            self.peeked = None;
        }
        Ok(())
    }

    /// The start of an element, taken from the stream, as the element's deserializer.
    fn open<'s>(
        &'s mut self,
        def: &'static Def,
        path: Path<'s>,
    ) -> Result<Element<'s, 'a>, DeError> {
        match self.next()? {
            Some(Token::Start { attrs, .. }) => Ok(Element {
                stream: self,
                def,
                attrs,
                path,
            }),
            _ => fail("expected an element"),
        }
    }

    /// The text of a field up to its end tag.
    fn text(&mut self) -> Result<Cow<'a, str>, DeError> {
        let mut text = Cow::Borrowed("");
        loop {
            match self.next()? {
                Some(Token::Text { text: piece, .. }) if text.is_empty() => text = piece,
                Some(Token::Text { text: piece, .. }) => text.to_mut().push_str(&piece),
                Some(Token::End) => return Ok(text),
                _ => return fail("element in a text field"),
            }
        }
    }

    /// The content of a markup element up to its end tag, serialized without prefixes.
    fn markup(&mut self, multiline: bool) -> Result<String, DeError> {
        let mut m = Markup::new(multiline);
        loop {
            match self.next()? {
                Some(Token::Start { attrs, .. }) => m.start(self.check.open_markup(), &attrs),
                Some(Token::Text { text, .. }) => m.text(&text),
                Some(Token::End) if m.open.is_empty() => break,
                Some(Token::End) => m.end(),
                None => return fail("document ends inside markup"),
            }
        }
        m.flush_pending();
        // The buffer grew by doubling; the fragment lives as long as the model.
        m.buf.shrink_to_fit();
        Ok(m.buf)
    }

    /// Unwrapped prose: the run of block elements that starts at the next token, whitespace
    /// between them dropped. One fragment buffer serves the whole run.
    fn prose(&mut self) -> Result<String, DeError> {
        let mut m = Markup::new(true);
        loop {
            self.skip_space()?;
            let block = match self.peek()? {
                Some(Token::Start { .. }) => {
                    matches!(self.check.child, Some((_, c)) if c.shape == Shape::Unwrapped)
                }
                _ => false,
            };
            if !block {
                m.buf.shrink_to_fit();
                return Ok(m.buf);
            }
            loop {
                match self.next()? {
                    Some(Token::Start { attrs, .. }) => m.start(self.check.open_markup(), &attrs),
                    Some(Token::Text { text, .. }) => m.text(&text),
                    Some(Token::End) => m.end(),
                    None => return fail("document ends inside prose"),
                }
                if m.open.is_empty() {
                    break;
                }
            }
        }
    }
}

/// Markup being serialized: the fragment so far and the elements open in it.
struct Markup {
    buf: String,
    open: Vec<&'static str>,
    multiline: bool,
    /// Top-level text of multiline markup, kept only if it is not whitespace.
    pending: String,
    /// The last thing written was a start tag (so an immediate end becomes `/>`).
    open_tag: bool,
}

impl Markup {
    fn new(multiline: bool) -> Markup {
        Markup {
            buf: String::new(),
            open: Vec::new(),
            multiline,
            pending: String::new(),
            open_tag: false,
        }
    }

    /// A start tag; the check has let only markup elements through.
    /// A start tag; `name` as the check found it among the markup elements.
    fn start(&mut self, name: &'static str, attrs: &[Attr<'_>]) {
        self.flush_pending();
        self.buf.push('<');
        self.buf.push_str(name);
        for attr in attrs {
            self.buf.push(' ');
            self.buf.push_str(&attr.name);
            self.buf.push_str("=\"");
            escape_into(&mut self.buf, &attr.value, true);
            self.buf.push('"');
        }
        self.buf.push('>');
        self.open.push(name);
        self.open_tag = true;
    }

    fn text(&mut self, text: &str) {
        if self.multiline && self.open.is_empty() {
            self.pending.push_str(text);
            return;
        }
        if !text.is_empty() {
            self.open_tag = false;
        }
        escape_into(&mut self.buf, text, false);
    }

    /// Closes the innermost element; `<x></x>` is written `<x/>`.
    fn end(&mut self) {
        let Some(name) = self.open.pop() else {
            return;
        };
        if self.open_tag && self.buf.ends_with('>') {
            self.buf.pop();
            self.buf.push_str("/>");
        } else {
            self.buf.push_str("</");
            self.buf.push_str(name);
            self.buf.push('>');
        }
        self.open_tag = false;
    }

    /// Top-level text of multiline markup is kept only when it is more than whitespace.
    fn flush_pending(&mut self) {
        if self.pending.is_empty() {
            return;
        }
        let pending = std::mem::take(&mut self.pending);
        if !is_xml_space(&pending) {
            escape_into(&mut self.buf, &pending, false);
            self.open_tag = false;
        }
    }
}

/// Typed text; a boolean that is not `true`/`false`/`1`/`0` stays a string so that the typed
/// model reports it, located, as a datatype error.
fn scalar_value(scalar: Scalar, text: &str) -> Value {
    match (scalar, text.trim()) {
        (Scalar::Boolean, "true" | "1") => Value::Bool(true),
        (Scalar::Boolean, "false" | "0") => Value::Bool(false),
        _ => Value::String(text.to_owned()),
    }
}

fn markup_value(xml: String) -> Value {
    let mut map = Map::new();
    map.insert(MARKUP_KEY.to_owned(), Value::String(xml));
    Value::Object(map)
}

/// The key of markup in its XML form.
const MARKUP_KEY: &str = "$xml";

/// Attributes in schema order (the flags), then the others in document order.
fn schema_order(def: &Def, attrs: &mut [Attr<'_>]) {
    let rank = |a: &Attr<'_>| def.flags.iter().position(|f| *f == a.name);
    if attrs.len() > 1 {
        attrs.sort_by_key(|a| rank(a).unwrap_or(usize::MAX));
    }
}

/// What a child position of an assembly holds so far, in the JSON form.
enum Slot {
    Unset,
    One(Value),
    Many(Vec<Value>),
    Prose(String),
}

/// One element whose start tag has been read; reading it consumes it through its end tag.
struct Element<'s, 'a> {
    stream: &'s mut Stream<'a>,
    def: &'static Def,
    attrs: Vec<Attr<'a>>,
    path: Path<'s>,
}

impl Element<'_, '_> {
    /// The JSON form: flags in schema order, other attributes, then the text or the children
    /// in schema order (a child kind in several runs gathered into one array).
    fn value(self) -> Result<Value, DeError> {
        element_value(self.stream, self.def, self.attrs)
    }

    /// Markup as `{"$xml": …}`, a bare field as its scalar, anything else as a map.
    fn read_into<'de, V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, DeError> {
        match self.def.content {
            Content::MarkupLine | Content::MarkupMultiline => {
                let multiline = matches!(self.def.content, Content::MarkupMultiline);
                let xml = self.stream.markup(multiline)?;
                MarkupDe(xml).deserialize_any(visitor)
            }
            Content::Text { scalar, .. } if self.def.is_scalar() => {
                let text = self.stream.text()?;
                TextDe { text, scalar }.deserialize_any(visitor)
            }
            _ => {
                let mut attrs = self.attrs;
                schema_order(self.def, &mut attrs);
                // Taken from the back.
                attrs.reverse();
                let mut map = ElementMap {
                    def: self.def,
                    attrs,
                    stream: self.stream,
                    next: Next::Nothing,
                    body_given: false,
                    done: false,
                    path: self.path,
                };
                let value = visitor.visit_map(&mut map)?;
                match map.done {
                    true => Ok(value),
                    false => fail("element not read to its end"),
                }
            }
        }
    }
}

/// An assembly or empty element being read into its JSON form.
struct Open {
    def: &'static Def,
    map: Map<String, Value>,
    slots: Vec<Slot>,
    /// Its child position in the element that holds it.
    slot: usize,
    /// Inside a grouping wrapper: the child position and the items so far.
    group: Option<(usize, Vec<Value>)>,
}

/// The JSON form of an element whose start tag (`def`, `attrs`) has been read, through its end
/// tag. No recursion: an explicit stack of open elements, so that this read takes any nesting
/// the limits allow.
fn element_value(
    stream: &mut Stream<'_>,
    def: &'static Def,
    attrs: Vec<Attr<'_>>,
) -> Result<Value, DeError> {
    let mut open = match start_value(stream, def, attrs, 0)? {
        Ok(value) => return Ok(value),
        Err(open) => vec![open],
    };
    while let Some(top) = open.last_mut() {
        stream.skip_space()?;
        match stream.peek()? {
            Some(Token::Start { .. }) => {}
            _ => {
                stream.next()?;
                if let Some((i, items)) = top.group.take() {
                    set_slot(top, i, Slot::Many(items));
                    continue;
                }
                let Some(done) = open.pop() else { break };
                let value = finish(done.def, done.map, done.slots);
                match open.last_mut() {
                    Some(parent) => deliver(parent, done.slot, value),
                    None => return Ok(value),
                }
                continue;
            }
        };
        let (i, child) = match (&top.group, stream.check.child) {
            (Some((i, _)), _) => (*i, top.def.children().get(*i)),
            (None, Some((i, child))) => (i, Some(child)),
            (None, None) => return fail("element not allowed here"),
        };
        let Some(child) = child else {
            return fail("element not allowed here");
        };
        match child.shape {
            Shape::Unwrapped => {
                let prose = stream.prose()?;
                match top.slots.get_mut(i) {
                    Some(Slot::Prose(before)) => before.push_str(&prose),
                    _ => set_slot(top, i, Slot::Prose(prose)),
                }
            }
            Shape::Grouped(_) if top.group.is_none() => {
                stream.next()?;
                top.group = Some((i, Vec::new()));
            }
            _ => {
                let Some(Token::Start { attrs, .. }) = stream.next()? else {
                    return fail("expected an element");
                };
                match start_value(stream, child.def, attrs, i)? {
                    Ok(value) => deliver(top, i, value),
                    Err(child) => open.push(child),
                }
            }
        }
    }
    fail("element not read to its end")
}

/// A leaf element's value (read through its end tag), or an assembly opened.
fn start_value(
    stream: &mut Stream<'_>,
    def: &'static Def,
    mut attrs: Vec<Attr<'_>>,
    slot: usize,
) -> Result<Result<Value, Open>, DeError> {
    let key = match def.content {
        Content::MarkupLine | Content::MarkupMultiline => {
            let multiline = matches!(def.content, Content::MarkupMultiline);
            return Ok(Ok(markup_value(stream.markup(multiline)?)));
        }
        Content::Text { scalar, .. } if def.is_scalar() => {
            return Ok(Ok(scalar_value(scalar, &stream.text()?)));
        }
        Content::Text { scalar, key } => Some((scalar, key)),
        _ => None,
    };
    schema_order(def, &mut attrs);
    let mut map = Map::with_capacity(attrs.len() + def.children().len().min(4));
    for attr in attrs {
        map.insert(
            attr.name.into_owned(),
            Value::String(attr.value.into_owned()),
        );
    }
    if let Some((scalar, key)) = key {
        map.insert(key.to_owned(), scalar_value(scalar, &stream.text()?));
        return Ok(Ok(Value::Object(map)));
    }
    let slots = def.children().iter().map(|_| Slot::Unset).collect();
    Ok(Err(Open {
        def,
        map,
        slots,
        slot,
        group: None,
    }))
}

fn set_slot(open: &mut Open, i: usize, value: Slot) {
    if let Some(slot) = open.slots.get_mut(i) {
        *slot = value;
    }
}

/// A finished child value into child position `i` (or the open group).
fn deliver(open: &mut Open, i: usize, value: Value) {
    if let Some((_, items)) = &mut open.group {
        items.push(value);
        return;
    }
    let many = matches!(open.def.children().get(i), Some(c) if c.shape == Shape::Many);
    match open.slots.get_mut(i) {
        Some(Slot::Many(items)) if many => items.push(value),
        Some(slot) if many => *slot = Slot::Many(vec![value]),
        Some(slot) => *slot = Slot::One(value),
        None => {}
    }
}

/// The object of an assembly: its flags, then the children in schema order.
fn finish(def: &'static Def, mut map: Map<String, Value>, slots: Vec<Slot>) -> Value {
    for (child, slot) in def.children().iter().zip(slots) {
        let value = match slot {
            Slot::Unset => continue,
            Slot::One(v) => v,
            Slot::Many(items) => Value::Array(items),
            Slot::Prose(xml) => markup_value(xml),
        };
        map.insert(child.json.to_owned(), value);
    }
    Value::Object(map)
}

impl<'de> Deserializer<'de> for Element<'_, '_> {
    type Error = DeError;

    fn deserialize_any<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, DeError> {
        let path = self.path;
        let value = match self.def.content {
            Content::Assembly(_) | Content::Empty => self.value(),
            Content::Text { .. } if !self.def.is_scalar() => self.value(),
            _ => return self.read_into(visitor).map_err(|e| e.at(&path, None)),
        };
        let value = value.map_err(|e| e.at(&path, None))?;
        value
            .deserialize_any(visitor)
            .map_err(|e| <DeError as de::Error>::custom(e).at(&path, None))
    }

    fn deserialize_map<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, DeError> {
        let path = self.path;
        self.read_into(visitor).map_err(|e| e.at(&path, None))
    }

    fn deserialize_struct<V: Visitor<'de>>(
        self,
        _name: &'static str,
        _fields: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, DeError> {
        self.deserialize_map(visitor)
    }

    fn deserialize_option<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, DeError> {
        visitor.visit_some(self)
    }

    fn deserialize_newtype_struct<V: Visitor<'de>>(
        self,
        _name: &'static str,
        visitor: V,
    ) -> Result<V::Value, DeError> {
        visitor.visit_newtype_struct(self)
    }

    serde::forward_to_deserialize_any! {
        bool i8 i16 i32 i64 i128 u8 u16 u32 u64 u128 f32 f64 char str string
        bytes byte_buf unit unit_struct seq tuple tuple_struct enum identifier ignored_any
    }
}

/// What the value after the last key returned is.
enum Next<'a> {
    Nothing,
    Attribute(Cow<'a, str>, Cow<'a, str>),
    Child(&'static Child),
    Text(Scalar, &'static str),
}

/// The entries of an assembly, a field with flags, or an empty element: attributes (flags in
/// schema order), then the text under its key or the children in document order.
struct ElementMap<'s, 'a> {
    stream: &'s mut Stream<'a>,
    def: &'static Def,
    /// Attributes not yet given, the next last.
    attrs: Vec<Attr<'a>>,
    next: Next<'a>,
    /// For a field with flags: its text key has been given.
    body_given: bool,
    /// The end tag has been read.
    done: bool,
    path: Path<'s>,
}

impl<'de> MapAccess<'de> for ElementMap<'_, '_> {
    type Error = DeError;

    fn next_key_seed<K: DeserializeSeed<'de>>(
        &mut self,
        seed: K,
    ) -> Result<Option<K::Value>, DeError> {
        if self.done {
            return Ok(None);
        }
        if let Some(attr) = self.attrs.pop() {
            let key = seed
                .deserialize(attr.name.as_ref().into_deserializer())
                .map_err(|e: DeError| e.at(&self.path, Some(&attr.name)))?;
            self.next = Next::Attribute(attr.name, attr.value);
            return Ok(Some(key));
        }
        if self.attrs.capacity() > 0 {
            self.stream.tokens.recycle(std::mem::take(&mut self.attrs));
        }
        match self.def.content {
            Content::Assembly(_) => self.child_key(seed),
            Content::Text { scalar, key } if !self.body_given => {
                self.body_given = true;
                self.next = Next::Text(scalar, key);
                seed.deserialize(key.into_deserializer())
                    .map(Some)
                    .map_err(|e: DeError| e.at(&self.path, Some(key)))
            }
            Content::Empty => {
                self.stream.skip_space()?;
                match self.stream.next()? {
                    Some(Token::End) => {
                        self.done = true;
                        Ok(None)
                    }
                    _ => fail("content in an empty element"),
                }
            }
            _ => fail("element not read to its end"),
        }
    }

    fn next_value_seed<V: DeserializeSeed<'de>>(&mut self, seed: V) -> Result<V::Value, DeError> {
        match std::mem::replace(&mut self.next, Next::Nothing) {
            Next::Attribute(name, text) => seed
                .deserialize(TextDe {
                    text,
                    scalar: Scalar::String,
                })
                .map_err(|e| e.at(&self.path, Some(&name))),
            Next::Text(scalar, key) => {
                let text = self.stream.text()?;
                self.done = true;
                seed.deserialize(TextDe { text, scalar })
                    .map_err(|e: DeError| e.at(&self.path, Some(key)))
            }
            Next::Child(child) => self
                .child_value(child, seed)
                .map_err(|e| e.at(&self.path, Some(child.json))),
            Next::Nothing => fail("value without a key"),
        }
    }
}

impl<'de> ElementMap<'_, '_> {
    /// The key of the next child, its start tag left in the stream; `None` at the end tag.
    fn child_key<K: DeserializeSeed<'de>>(&mut self, seed: K) -> Result<Option<K::Value>, DeError> {
        self.stream.skip_space()?;
        let child = match self.stream.peek()? {
            Some(Token::Start { .. }) => match self.stream.check.child {
                Some((_, child)) => child,
                None => return fail("element not allowed here"),
            },
            Some(Token::End) => {
                self.stream.peeked = None;
                self.done = true;
                return Ok(None);
            }
            _ => return fail("document ends inside an element"),
        };
        self.next = Next::Child(child);
        seed.deserialize(child.json.into_deserializer())
            .map(Some)
            .map_err(|e: DeError| e.at(&self.path, Some(child.json)))
    }

    fn child_value<V: DeserializeSeed<'de>>(
        &mut self,
        child: &'static Child,
        seed: V,
    ) -> Result<V::Value, DeError> {
        let path = Path::Key(&self.path, child.json);
        match child.shape {
            Shape::One => seed.deserialize(self.stream.open(child.def, path)?),
            Shape::Many => seed.deserialize(Items {
                stream: self.stream,
                def: child.def,
                name: child.xml,
                wrapped: false,
                path,
            }),
            Shape::Grouped(item) => {
                self.stream.next()?;
                seed.deserialize(Items {
                    stream: self.stream,
                    def: child.def,
                    name: item,
                    wrapped: true,
                    path,
                })
            }
            Shape::Unwrapped => seed.deserialize(MarkupDe(self.stream.prose()?)),
        }
    }
}

/// The elements of an array child: a run of same-named siblings, or the items inside a group
/// element (whose end tag ends the array).
struct Items<'s, 'a> {
    stream: &'s mut Stream<'a>,
    def: &'static Def,
    name: &'static str,
    wrapped: bool,
    path: Path<'s>,
}

impl<'de> Deserializer<'de> for Items<'_, '_> {
    type Error = DeError;

    fn deserialize_any<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, DeError> {
        let mut access = ItemAccess {
            items: self,
            ended: false,
            index: 0,
        };
        let value = visitor.visit_seq(&mut access)?;
        match access.ended || !access.items.wrapped {
            true => Ok(value),
            false => fail("group not read to its end"),
        }
    }

    fn deserialize_option<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, DeError> {
        visitor.visit_some(self)
    }

    serde::forward_to_deserialize_any! {
        bool i8 i16 i32 i64 i128 u8 u16 u32 u64 u128 f32 f64 char str string
        bytes byte_buf unit unit_struct newtype_struct seq tuple tuple_struct map struct enum
        identifier ignored_any
    }
}

struct ItemAccess<'s, 'a> {
    items: Items<'s, 'a>,
    ended: bool,
    index: usize,
}

impl<'de> SeqAccess<'de> for ItemAccess<'_, '_> {
    type Error = DeError;

    fn next_element_seed<T: DeserializeSeed<'de>>(
        &mut self,
        seed: T,
    ) -> Result<Option<T::Value>, DeError> {
        if self.ended {
            return Ok(None);
        }
        let items = &mut self.items;
        items.stream.skip_space()?;
        let item = match items.stream.peek()? {
            Some(Token::Start { name, .. }) => *name == items.name,
            Some(Token::End) if items.wrapped => {
                items.stream.peeked = None;
                self.ended = true;
                return Ok(None);
            }
            _ => false,
        };
        if !item {
            self.ended = true;
            return Ok(None);
        }
        let path = Path::Index(&items.path, self.index);
        self.index += 1;
        let element = items.stream.open(items.def, path)?;
        seed.deserialize(element)
            .map(Some)
            .map_err(|e| e.at(&path, None))
    }
}

/// Text: an attribute value or the text of a field, typed as the JSON form types it.
struct TextDe<'a> {
    text: Cow<'a, str>,
    scalar: Scalar,
}

impl<'de> Deserializer<'de> for TextDe<'_> {
    type Error = DeError;

    fn deserialize_any<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, DeError> {
        if self.scalar == Scalar::Boolean {
            // Anything but these stays a string, for the typed model to refuse.
            match self.text.trim() {
                "true" | "1" => return visitor.visit_bool(true),
                "false" | "0" => return visitor.visit_bool(false),
                _ => {}
            }
        }
        match self.text {
            Cow::Borrowed(s) => visitor.visit_str(s),
            Cow::Owned(s) => visitor.visit_string(s),
        }
    }

    fn deserialize_option<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, DeError> {
        visitor.visit_some(self)
    }

    fn deserialize_newtype_struct<V: Visitor<'de>>(
        self,
        _name: &'static str,
        visitor: V,
    ) -> Result<V::Value, DeError> {
        visitor.visit_newtype_struct(self)
    }

    fn deserialize_enum<V: Visitor<'de>>(
        self,
        _name: &'static str,
        _variants: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, DeError> {
        visitor.visit_enum(self.text.into_owned().into_deserializer())
    }

    serde::forward_to_deserialize_any! {
        bool i8 i16 i32 i64 i128 u8 u16 u32 u64 u128 f32 f64 char str string
        bytes byte_buf unit unit_struct seq tuple tuple_struct map struct
        identifier ignored_any
    }
}

/// Markup in its XML form: the map `{"$xml": fragment}`.
struct MarkupDe(String);

impl<'de> Deserializer<'de> for MarkupDe {
    type Error = DeError;

    fn deserialize_any<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, DeError> {
        visitor.visit_map(MarkupMap(Some(self.0)))
    }

    fn deserialize_option<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, DeError> {
        visitor.visit_some(self)
    }

    fn deserialize_newtype_struct<V: Visitor<'de>>(
        self,
        _name: &'static str,
        visitor: V,
    ) -> Result<V::Value, DeError> {
        visitor.visit_newtype_struct(self)
    }

    serde::forward_to_deserialize_any! {
        bool i8 i16 i32 i64 i128 u8 u16 u32 u64 u128 f32 f64 char str string
        bytes byte_buf unit unit_struct seq tuple tuple_struct map struct enum
        identifier ignored_any
    }
}

struct MarkupMap(Option<String>);

impl<'de> MapAccess<'de> for MarkupMap {
    type Error = DeError;

    fn next_key_seed<K: DeserializeSeed<'de>>(
        &mut self,
        seed: K,
    ) -> Result<Option<K::Value>, DeError> {
        match self.0 {
            Some(_) => seed.deserialize(MARKUP_KEY.into_deserializer()).map(Some),
            None => Ok(None),
        }
    }

    fn next_value_seed<V: DeserializeSeed<'de>>(&mut self, seed: V) -> Result<V::Value, DeError> {
        match self.0.take() {
            Some(xml) => seed.deserialize(TextDe {
                text: Cow::Owned(xml),
                scalar: Scalar::String,
            }),
            None => fail("markup value read twice"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::positions;
    use crate::source::pointer::PointerHash;

    const NS: &str = "http://csrc.nist.gov/ns/oscal/1.0";

    #[test]
    fn positions_index_elements_and_attributes_in_document_order() {
        let doc = format!(
            r##"<catalog xmlns="{NS}" uuid="c"><group id="g"><control id="a"/><control id="b"><part name="s"><p>x</p><p>y</p></part></control></group>
<control id="c"><prop name="n" value="1"/><link href="h"/><prop name="m" value="2"/></control>
<back-matter><resource uuid="r"><rlink href="x"><hash algorithm="SHA-256">ab</hash></rlink></resource></back-matter></catalog>"##
        );
        let at = |s: &str| u32::try_from(doc.find(s).unwrap_or(0)).unwrap_or(0);
        let expected = [
            ("/catalog", 0),
            ("/catalog/uuid", at("uuid")),
            ("/catalog/groups/0", at("<group")),
            ("/catalog/groups/0/id", at("id=\"g\"")),
            ("/catalog/groups/0/controls/0", at("<control id=\"a\"")),
            ("/catalog/groups/0/controls/0/id", at("id=\"a\"")),
            ("/catalog/groups/0/controls/1", at("<control id=\"b\"")),
            ("/catalog/groups/0/controls/1/id", at("id=\"b\"")),
            ("/catalog/groups/0/controls/1/parts/0", at("<part")),
            ("/catalog/groups/0/controls/1/parts/0/name", at("name=")),
            ("/catalog/groups/0/controls/1/parts/0/prose", at("<p>")),
            ("/catalog/controls/0/props/1", at("<prop name=\"m\"")),
            ("/catalog/controls/0/links/0/href", at("href=\"h\"")),
            (
                "/catalog/back-matter/resources/0/rlinks/0/hashes/0",
                at("<hash"),
            ),
        ];
        let index = positions(doc.as_bytes());
        for (pointer, offset) in expected {
            let hash = PointerHash::of(pointer);
            let first = index.partition_point(|(h, _)| *h < hash);
            assert_eq!(index.get(first), Some(&(hash, offset)), "{pointer}");
        }
        // Every element and attribute that became a value, and nothing else (markup inside
        // `p` and the text of `hash` are not positions).
        assert_eq!(index.len(), 28);
    }

    #[test]
    fn positions_of_a_refused_document_keep_what_came_before() {
        let doc = format!(r##"<catalog xmlns="{NS}" uuid="c"><control id="a"><bogus/>"##);
        assert_eq!(positions(doc.as_bytes()).len(), 4);
        assert!(positions(b"not xml").is_empty());
    }
}
