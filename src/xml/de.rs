//! The XML reader: one walk over the tokens of a catalog or profile.
//!
//! Stage: load (XML shape and types). In: the bytes of a catalog or profile. Out: any
//! `DeserializeOwned` type (the crate's `Catalog` or `Profile`) driven straight from the tokens,
//! or the JSON form as a `serde_json::Value` ([`value`]), or the pointer → byte offset index that
//! diagnostics locate pointers with ([`positions`]). Each element is shown to serde as its JSON
//! form: a map of flags and children, a scalar, an array, or markup as `{"$xml": fragment}`.
//!
//! Two layers. The shape check (`shape.rs`) sees every token once, keeps an explicit stack of
//! open elements, and refuses what the binding does not allow, naming and locating it; it also
//! records positions when asked. The serde layer here (`Element`, `ElementMap`, `Items`) presents
//! values and tracks the JSON pointer of the value being read, so a value the typed model refuses
//! is `load-shape` at that pointer. XML problems win over typing ones wherever they are: after a
//! typing error the rest of the document is still checked.
//!
//! What the typed walk cannot take in order is a child kind that comes in several runs (`prop`,
//! `link`, `prop`: serde takes each key once), and nesting past `shape::TYPED_MAX_DEPTH` (serde's
//! recursion costs stack). Such a document is read as a value first ([`element_value`], children
//! gathered in schema order, an explicit stack so any nesting the limits allow is read) and typed
//! from that value.

use std::borrow::Cow;
use std::fmt;

use serde::de::{self, DeserializeOwned, DeserializeSeed, IntoDeserializer, MapAccess, SeqAccess};
use serde::de::{Deserializer, Visitor};
use serde_json::Value;

use super::binding::{self, Child, Content, Def, Scalar, Shape};
use super::dom::{Attr, Token};
use super::stream::{Stream, boolean, element_value, schema_order};
use super::{XmlError, XmlLimits};
use crate::model::common::XML_MARKUP_KEY;
use crate::source::pointer::PointerHash;

/// Why a read stopped.
#[derive(Debug, thiserror::Error)]
pub(crate) enum DeError {
    /// The XML itself: syntax, limits, or what the binding does not allow.
    #[error("{0}")]
    Xml(#[from] XmlError),
    /// The typed model refused a value; `pointer` (from the document root, `/catalog/…`) is where,
    /// once known.
    #[error("{message}")]
    Shape {
        message: String,
        pointer: Option<String>,
    },
    /// The typed walk cannot take this document in order (a child kind in more than one run, or
    /// nesting deeper than `shape::TYPED_MAX_DEPTH`); the caller reads it as a value first.
    #[error("the document is read as a value first")]
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

impl de::Error for DeError {
    fn custom<T: fmt::Display>(msg: T) -> Self {
        DeError::Shape {
            message: msg.to_string(),
            pointer: None,
        }
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
                let mut pointer = path.pointer();
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

pub(super) fn fail<T>(what: &str) -> Result<T, DeError> {
    Err(de::Error::custom(what))
}

/// The JSON pointer of the value being read, as a chain through the serde layer's frames (no
/// allocation unless an error needs it written out).
#[derive(Clone, Copy)]
pub(super) enum Path<'p> {
    Root(&'static str),
    Key(&'p Path<'p>, &'static str),
    Index(&'p Path<'p>, usize),
}

impl Path<'_> {
    /// The pointer, written out for a message.
    pub(super) fn pointer(&self) -> String {
        let mut out = String::new();
        self.write(&mut out);
        out
    }

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
pub(crate) fn typed<'a>(bytes: &'a [u8], limits: &XmlLimits) -> Result<Typed<'a>, XmlError> {
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
    let mut typed = typed(bytes, limits)?;
    typed.stream.check.typed = false;
    let value = element_value(&mut typed.stream, typed.def, typed.attrs).map_err(xml_error)?;
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

/// One element whose start tag has been read; reading it consumes it through its end tag.
pub(super) struct Element<'s, 'a> {
    pub(super) stream: &'s mut Stream<'a>,
    pub(super) def: &'static Def,
    pub(super) attrs: Vec<Attr<'a>>,
    pub(super) path: Path<'s>,
}

impl Element<'_, '_> {
    /// Markup as `{"$xml": …}`, a bare field as its scalar, anything else as a map.
    fn read_into<'de, V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, DeError> {
        match self.def.content {
            Content::Markup { multiline } => {
                let xml = self.stream.markup(multiline)?;
                MarkupDe(Some(xml)).deserialize_any(visitor)
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

impl<'de> Deserializer<'de> for Element<'_, '_> {
    type Error = DeError;

    fn deserialize_any<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, DeError> {
        let path = self.path;
        // Untyped (a `Value` in the model): the JSON form, a child kind in several runs gathered
        // into one array.
        let value = match self.def.content {
            Content::Assembly(_) | Content::Text { .. } if !self.def.is_scalar() => {
                element_value(self.stream, self.def, self.attrs).map_err(|e| e.at(&path, None))?
            }
            _ => return self.read_into(visitor).map_err(|e| e.at(&path, None)),
        };
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

    serde::forward_to_deserialize_any! {
        bool i8 i16 i32 i64 i128 u8 u16 u32 u64 u128 f32 f64 char str string
        bytes byte_buf unit unit_struct newtype_struct seq tuple tuple_struct enum identifier
        ignored_any
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
            Shape::Many | Shape::Grouped(_) => {
                let (name, wrapped) = match child.shape {
                    Shape::Grouped(item) => {
                        // The wrapper's start tag; its end tag ends the items.
                        self.stream.next()?;
                        (item, true)
                    }
                    _ => (child.xml, false),
                };
                seed.deserialize(Items {
                    stream: self.stream,
                    def: child.def,
                    name,
                    wrapped,
                    path,
                    ended: false,
                    index: 0,
                })
            }
            Shape::Unwrapped => seed.deserialize(MarkupDe(Some(self.stream.prose()?))),
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
    ended: bool,
    index: usize,
}

impl<'de> Deserializer<'de> for Items<'_, '_> {
    type Error = DeError;

    fn deserialize_any<V: Visitor<'de>>(mut self, visitor: V) -> Result<V::Value, DeError> {
        let value = visitor.visit_seq(&mut self)?;
        match self.ended || !self.wrapped {
            true => Ok(value),
            false => fail("group not read to its end"),
        }
    }

    // The model's lists are never optional.
    serde::forward_to_deserialize_any! {
        bool i8 i16 i32 i64 i128 u8 u16 u32 u64 u128 f32 f64 char str string
        bytes byte_buf option unit unit_struct newtype_struct seq tuple tuple_struct map struct
        enum identifier ignored_any
    }
}

impl<'de> SeqAccess<'de> for Items<'_, '_> {
    type Error = DeError;

    fn next_element_seed<T: DeserializeSeed<'de>>(
        &mut self,
        seed: T,
    ) -> Result<Option<T::Value>, DeError> {
        if self.ended {
            return Ok(None);
        }
        self.stream.skip_space()?;
        let item = match self.stream.peek()? {
            Some(Token::Start { name, .. }) => *name == self.name,
            Some(Token::End) if self.wrapped => {
                self.stream.peeked = None;
                self.ended = true;
                return Ok(None);
            }
            _ => false,
        };
        if !item {
            self.ended = true;
            return Ok(None);
        }
        let path = Path::Index(&self.path, self.index);
        self.index += 1;
        let element = self.stream.open(self.def, path)?;
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
        if self.scalar == Scalar::Boolean
            && let Some(b) = boolean(&self.text)
        {
            return visitor.visit_bool(b);
        }
        match self.text {
            Cow::Borrowed(s) => visitor.visit_str(s),
            Cow::Owned(s) => visitor.visit_string(s),
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

/// Markup in its XML form: the map `{"$xml": fragment}`, the fragment taken once read.
struct MarkupDe(Option<String>);

impl<'de> Deserializer<'de> for MarkupDe {
    type Error = DeError;

    fn deserialize_any<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, DeError> {
        visitor.visit_map(self)
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

impl<'de> MapAccess<'de> for MarkupDe {
    type Error = DeError;

    fn next_key_seed<K: DeserializeSeed<'de>>(
        &mut self,
        seed: K,
    ) -> Result<Option<K::Value>, DeError> {
        match self.0 {
            Some(_) => seed
                .deserialize(XML_MARKUP_KEY.into_deserializer())
                .map(Some),
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
