//! XML tokens straight into the typed model, through serde.
//!
//! Stage: load (XML shape and types, fast path). In: the bytes of a catalog or profile. Out: any
//! `DeserializeOwned` type (the crate's `Catalog` or `Profile`), read without building the JSON
//! form of the whole document. Every element is shown to serde as the value [`super::read`] would
//! have built for it (a map of flags and children, a scalar, an array, or markup as
//! `{"$xml": fragment}`), so the typed model sees the same thing either way. A model field typed
//! as `serde_json::Value` asks for `deserialize_any`; that one element is then built by the
//! `Value` reader itself, so its key order is the same too.
//!
//! Errors carry no position and are not meant for users: on any failure the caller reads the
//! document again through [`super::read`] and serde_path_to_error, which locate and word it. So
//! anything unusual (a repeated or out-of-order child, a visitor that stops early) may simply
//! fail here.
//!
//! No recursion of its own beyond serde's, which follows element nesting, capped by
//! [`XmlLimits::max_depth`](super::XmlLimits).

use std::borrow::Cow;
use std::fmt;

use serde::de::{self, DeserializeOwned, DeserializeSeed, IntoDeserializer, MapAccess, SeqAccess};
use serde::de::{Deserializer, Visitor};

use super::binding::{self, Child, Content, Def, Scalar, Shape};
use super::dom::{Attr, Token, Tokens};
use super::read::{Markup, child_of, element_value, flush_pending};
use super::read::{markup_end, markup_start, markup_text};
use super::{XmlError, XmlLimits, is_xml_space};

/// Why the fast read failed; only for debugging, since the slow read words the real diagnostic.
#[derive(Debug)]
pub(crate) struct DeError(String);

impl fmt::Display for DeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for DeError {}

impl de::Error for DeError {
    fn custom<T: fmt::Display>(msg: T) -> Self {
        DeError(msg.to_string())
    }
}

impl From<XmlError> for DeError {
    fn from(e: XmlError) -> Self {
        DeError(e.to_string())
    }
}

/// Deepest element nesting read here. OSCAL documents nest about a dozen deep; each level costs
/// a few serde frames (several kilobytes in an unoptimized build), so this stays far below what
/// a 2 MiB thread stack holds.
const FAST_MAX_DEPTH: usize = 64;

/// The key of markup in its XML form, as `read.rs` writes it.
const MARKUP_KEY: &str = "$xml";

fn fail<T>(what: &str) -> Result<T, DeError> {
    Err(DeError(what.to_owned()))
}

/// A document whose root element has been read: `root` says which model to ask for.
pub(crate) struct Typed<'a> {
    stream: Stream<'a>,
    root: &'static str,
    def: &'static Def,
    attrs: Vec<Attr<'a>>,
}

/// Starts reading `bytes`: checks syntax up to the root element and that it is an OSCAL
/// `catalog` or `profile`.
pub(crate) fn typed<'a>(bytes: &'a [u8], limits: &XmlLimits) -> Result<Typed<'a>, DeError> {
    // serde recurses once or twice per element; deeper documents take the slow read, whose
    // tokens-to-value pass keeps no stack.
    let limits = XmlLimits {
        max_depth: limits.max_depth.min(FAST_MAX_DEPTH),
        max_bytes: limits.max_bytes,
    };
    let mut stream = Stream {
        tokens: Tokens::new(bytes, &limits)?,
        peeked: None,
    };
    let Some(Token::Start {
        name, oscal, attrs, ..
    }) = stream.next()?
    else {
        return fail("no root element");
    };
    match binding::root(&name) {
        Some((root, def)) if oscal => Ok(Typed {
            stream,
            root,
            def,
            attrs,
        }),
        _ => fail("not an OSCAL catalog or profile"),
    }
}

impl Typed<'_> {
    /// `"catalog"` or `"profile"`.
    pub(crate) fn root(&self) -> &'static str {
        self.root
    }

    /// The whole document as `T`, the model of [`Typed::root`].
    pub(crate) fn read<T: DeserializeOwned>(mut self) -> Result<T, DeError> {
        let element = Element {
            stream: &mut self.stream,
            def: self.def,
            name: self.root,
            attrs: self.attrs,
        };
        let value = T::deserialize(element)?;
        match self.stream.next()? {
            None => Ok(value),
            Some(_) => fail("content after the root element"),
        }
    }
}

/// The token stream with one token of lookahead.
struct Stream<'a> {
    tokens: Tokens<'a>,
    peeked: Option<Token<'a>>,
}

impl<'a> Stream<'a> {
    fn next(&mut self) -> Result<Option<Token<'a>>, XmlError> {
        match self.peeked.take() {
            Some(token) => Ok(Some(token)),
            None => self.tokens.next_token(),
        }
    }

    fn peek(&mut self) -> Result<Option<&Token<'a>>, XmlError> {
        if self.peeked.is_none() {
            self.peeked = self.tokens.next_token()?;
        }
        Ok(self.peeked.as_ref())
    }

    /// Skips whitespace between the children of an assembly; other text is an error there.
    fn skip_space(&mut self) -> Result<(), DeError> {
        while let Some(Token::Text { text, .. }) = self.peek()? {
            if !is_xml_space(text) {
                return fail("text where only elements are allowed");
            }
            self.peeked = None;
        }
        Ok(())
    }

    /// The start of an element, taken from the stream, as the element's deserializer.
    fn open<'s>(
        &'s mut self,
        def: &'static Def,
        name: &'static str,
    ) -> Result<Element<'s, 'a>, DeError> {
        match self.next()? {
            Some(Token::Start { attrs, .. }) => Ok(Element {
                stream: self,
                def,
                name,
                attrs,
            }),
            _ => fail("expected an element"),
        }
    }

    /// The text of a field up to its end tag; a child element is an error.
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

    /// The content of a markup element up to its end tag, as `read.rs` serializes it.
    fn markup(&mut self, name: &'static str, multiline: bool) -> Result<String, DeError> {
        let mut m = Markup::new(name, 0, multiline, false);
        loop {
            match self.next()? {
                Some(Token::Start {
                    name,
                    oscal,
                    attrs,
                    offset,
                }) => markup_start(&mut m, &name, oscal, &attrs, offset)?,
                Some(Token::Text { text, .. }) => markup_text(&mut m, &text),
                Some(Token::End) if m.open.is_empty() => break,
                Some(Token::End) => markup_end(&mut m),
                None => return fail("document ends inside markup"),
            }
        }
        flush_pending(&mut m);
        // The buffer grew by doubling; the fragment lives as long as the model.
        m.buf.shrink_to_fit();
        Ok(m.buf)
    }

    /// Unwrapped prose: the run of block elements that starts at the next token, whitespace
    /// between them dropped. One fragment buffer serves the whole run.
    fn prose(&mut self, parent: &'static str, def: &'static Def) -> Result<String, DeError> {
        let mut m = Markup::new(parent, 0, true, true);
        loop {
            self.skip_space()?;
            let block = match self.peek()? {
                Some(Token::Start { name, oscal, .. }) => {
                    *oscal
                        && matches!(child_of(def, name), Some((_, c)) if c.shape == Shape::Unwrapped)
                }
                _ => false,
            };
            if !block {
                m.buf.shrink_to_fit();
                return Ok(m.buf);
            }
            let Some(Token::Start {
                name,
                attrs,
                offset,
                ..
            }) = self.next()?
            else {
                return fail("expected a block element");
            };
            markup_start(&mut m, &name, true, &attrs, offset)?;
            while !m.open.is_empty() {
                match self.next()? {
                    Some(Token::Start {
                        name,
                        oscal,
                        attrs,
                        offset,
                    }) => markup_start(&mut m, &name, oscal, &attrs, offset)?,
                    Some(Token::Text { text, .. }) => markup_text(&mut m, &text),
                    Some(Token::End) => markup_end(&mut m),
                    None => return fail("document ends inside prose"),
                }
            }
        }
    }
}

/// One element whose start tag has been read; reading it consumes it through its end tag.
struct Element<'s, 'a> {
    stream: &'s mut Stream<'a>,
    def: &'static Def,
    name: &'static str,
    attrs: Vec<Attr<'a>>,
}

impl Element<'_, '_> {
    fn no_attributes(&self) -> Result<(), DeError> {
        match self.attrs.is_empty() {
            true => Ok(()),
            false => fail("attribute not allowed"),
        }
    }

    /// The value as the JSON form has it, for fields typed as `serde_json::Value`.
    fn value(self) -> Result<serde_json::Value, DeError> {
        let Element {
            stream,
            def,
            name,
            attrs,
        } = self;
        Ok(element_value(def, name, &attrs, 0, || stream.next())?)
    }

    /// Markup as `{"$xml": …}`, a bare field as its scalar, anything else as a map.
    fn read_into<'de, V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, DeError> {
        match self.def.content {
            Content::MarkupLine | Content::MarkupMultiline => {
                self.no_attributes()?;
                let multiline = matches!(self.def.content, Content::MarkupMultiline);
                let xml = self.stream.markup(self.name, multiline)?;
                MarkupDe(xml).deserialize_any(visitor)
            }
            Content::Text { scalar, .. } if self.def.is_scalar() => {
                self.no_attributes()?;
                let text = self.stream.text()?;
                TextDe { text, scalar }.deserialize_any(visitor)
            }
            _ => {
                let mut attrs = self.attrs;
                // Taken from the back, in document order.
                attrs.reverse();
                let mut map = ElementMap {
                    def: self.def,
                    name: self.name,
                    attrs,
                    stream: self.stream,
                    next: Next::Nothing,
                    body_given: false,
                    done: false,
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

impl<'de> Deserializer<'de> for Element<'_, '_> {
    type Error = DeError;

    fn deserialize_any<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, DeError> {
        match self.def.content {
            Content::Assembly(_) | Content::Empty => {}
            Content::Text { .. } if !self.def.is_scalar() => {}
            _ => return self.read_into(visitor),
        }
        let value = self.value()?;
        value.deserialize_any(visitor).map_err(de::Error::custom)
    }

    fn deserialize_map<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, DeError> {
        self.read_into(visitor)
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
    Attribute(Cow<'a, str>),
    Child(&'static Child),
    Text(Scalar),
}

/// The entries of an assembly, a field with flags, or an empty element: attributes in document
/// order, then the text under its key or the children in document order.
struct ElementMap<'s, 'a> {
    stream: &'s mut Stream<'a>,
    def: &'static Def,
    name: &'static str,
    /// Attributes not yet given, the next last.
    attrs: Vec<Attr<'a>>,
    next: Next<'a>,
    /// For a field with flags: its text key has been given.
    body_given: bool,
    /// The end tag has been read.
    done: bool,
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
            self.next = Next::Attribute(attr.value);
            return seed.deserialize(attr.name.into_deserializer()).map(Some);
        }
        if self.attrs.capacity() > 0 {
            self.stream.tokens.recycle(std::mem::take(&mut self.attrs));
        }
        match self.def.content {
            Content::Assembly(_) => self.child_key(seed),
            Content::Text { scalar, key } if !self.body_given => {
                self.body_given = true;
                self.next = Next::Text(scalar);
                seed.deserialize(key.into_deserializer()).map(Some)
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
            Next::Attribute(text) => seed.deserialize(TextDe {
                text,
                scalar: Scalar::String,
            }),
            Next::Text(scalar) => {
                let text = self.stream.text()?;
                self.done = true;
                seed.deserialize(TextDe { text, scalar })
            }
            Next::Child(child) => self.child_value(child, seed),
            Next::Nothing => fail("value without a key"),
        }
    }
}

impl<'de> ElementMap<'_, '_> {
    /// The key of the next child, its start tag left in the stream; `None` at the end tag.
    fn child_key<K: DeserializeSeed<'de>>(&mut self, seed: K) -> Result<Option<K::Value>, DeError> {
        self.stream.skip_space()?;
        let child = match self.stream.peek()? {
            Some(Token::Start { name, oscal, .. }) => match child_of(self.def, name) {
                Some((_, child)) if *oscal => child,
                _ => return fail("element not allowed here"),
            },
            Some(Token::End) => {
                self.stream.peeked = None;
                self.done = true;
                return Ok(None);
            }
            _ => return fail("document ends inside an element"),
        };
        self.next = Next::Child(child);
        seed.deserialize(child.json.into_deserializer()).map(Some)
    }

    fn child_value<V: DeserializeSeed<'de>>(
        &mut self,
        child: &'static Child,
        seed: V,
    ) -> Result<V::Value, DeError> {
        match child.shape {
            Shape::One => seed.deserialize(self.stream.open(child.def, child.xml)?),
            Shape::Many => seed.deserialize(Items {
                stream: self.stream,
                def: child.def,
                name: child.xml,
                wrapped: false,
            }),
            Shape::Grouped(item) => {
                match self.stream.next()? {
                    Some(Token::Start { attrs, .. }) if attrs.is_empty() => {}
                    _ => return fail("expected a group element without attributes"),
                }
                seed.deserialize(Items {
                    stream: self.stream,
                    def: child.def,
                    name: item,
                    wrapped: true,
                })
            }
            Shape::Unwrapped => seed.deserialize(MarkupDe(self.stream.prose(self.name, self.def)?)),
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
}

impl<'de> Deserializer<'de> for Items<'_, '_> {
    type Error = DeError;

    fn deserialize_any<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, DeError> {
        let mut access = ItemAccess {
            items: self,
            ended: false,
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
            Some(Token::Start { name, oscal, .. }) => *oscal && *name == items.name,
            Some(Token::End) if items.wrapped => {
                items.stream.peeked = None;
                self.ended = true;
                return Ok(None);
            }
            _ => false,
        };
        match (item, items.wrapped) {
            (true, _) => seed
                .deserialize(items.stream.open(items.def, items.name)?)
                .map(Some),
            (false, false) => {
                self.ended = true;
                Ok(None)
            }
            (false, true) => fail("element not allowed in a group"),
        }
    }
}

/// Text: an attribute value or the text of a field, typed as `read.rs` types it.
struct TextDe<'a> {
    text: Cow<'a, str>,
    scalar: Scalar,
}

impl<'de> Deserializer<'de> for TextDe<'_> {
    type Error = DeError;

    fn deserialize_any<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, DeError> {
        if self.scalar == Scalar::Boolean {
            // As `read.rs`: anything but these stays a string, for the typed model to refuse.
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
