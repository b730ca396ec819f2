//! The serializer behind [`super::write`]: anything `Serialize` in the JSON form to XML text.
//!
//! Stage: emit (XML). In: a typed catalog or profile, or a `Value` in the JSON form. Out: the XML
//! text. A `serde::Serializer` walks the binding table as the fields arrive: flags become
//! attributes, children are written in place, markup goes through the fragment check.
//!
//! Streaming relies on the model declaring flags before children and both in schema order, as
//! the binding does; a field that comes out of that order is an error.
//! Maps (a `Value` document, or untyped parts of the model such as roles or hashes) come in any
//! order: they are collected, then their entries are serialized again in schema order.

use std::fmt;

use serde::ser::{self, Impossible, Serialize};
use serde_json::Value;

use super::{
    Child, Content, Def, MAX_DEPTH, Path, Shape, Writer, XmlError, binding, emit, is_name,
};
use crate::model::common::XML_MARKUP_KEY;
use crate::model::markup::markdown_to_xml;
use crate::xml::escape_into;

/// Why the walk stopped.
#[derive(Debug, thiserror::Error)]
pub(super) enum Stop {
    /// The document does not fit the XML form.
    #[error(transparent)]
    Xml(#[from] XmlError),
    /// A scalar position got something else (turned into an `Xml` error by the caller).
    #[error("not a scalar")]
    NotScalar,
}

impl ser::Error for Stop {
    fn custom<T: fmt::Display>(msg: T) -> Self {
        Stop::Xml(emit(msg.to_string()))
    }
}

/// Writes `value`, the object under the root key `root`: the text, and how deep it nests.
pub(super) fn write<T: Serialize + ?Sized>(
    root: &str,
    value: &T,
) -> Result<(String, usize), XmlError> {
    let Some((name, def)) = binding::root(root) else {
        return Err(emit(format!("root `{root}` is not `catalog` or `profile`")));
    };
    let mut w = Writer::new();
    let path = Path::Root(name);
    let node = Node::element(&mut w, name, def, 0, &path).map_err(xml_error)?;
    value.serialize(node).map_err(xml_error)?;
    // The final newline.
    w.out.push('\n');
    Ok((w.out, w.deepest))
}

/// Only attributes and text take scalars, and they turn `NotScalar` into an error of their own.
fn xml_error(stop: Stop) -> XmlError {
    match stop {
        Stop::Xml(e) => e,
        Stop::NotScalar => emit(stop.to_string()),
    }
}

/// What a position in the document takes.
#[derive(Clone, Copy)]
enum Kind {
    /// One element `name` as `def` says (never markup: that is `Markup`).
    Element {
        name: &'static str,
        def: &'static Def,
    },
    /// A sequence of elements `name`.
    Items {
        name: &'static str,
        def: &'static Def,
    },
    /// Markup, in the element `name` or, without a name, unwrapped into the parent (`prose`).
    Markup {
        name: Option<&'static str>,
        multiline: bool,
    },
    /// The `$xml` fragment of markup.
    Fragment {
        name: Option<&'static str>,
        multiline: bool,
    },
    /// Scalar text, escaped for an attribute value or for element content.
    Scalar { attribute: bool },
}

/// The serializer for one position: the writer, where it is, and what it takes.
struct Node<'a, 'p> {
    w: &'a mut Writer,
    level: usize,
    path: &'a Path<'p>,
    kind: Kind,
}

impl<'a, 'p> Node<'a, 'p> {
    /// The position of one element, checked against the depth bound; markup definitions take
    /// markup.
    fn element(
        w: &'a mut Writer,
        name: &'static str,
        def: &'static Def,
        level: usize,
        path: &'a Path<'p>,
    ) -> Result<Self, Stop> {
        // The level is the nesting of the value too (only `revisions` adds a level of its own,
        // and it never nests).
        if level > MAX_DEPTH {
            return Err(Stop::Xml(XmlError::new(
                "emit-limit",
                format!("value nested deeper than {MAX_DEPTH} at {}", path.pointer()),
                0,
            )));
        }
        w.deepest = w.deepest.max(level + 1);
        let kind = match def.content {
            Content::Markup { multiline } => Kind::Markup {
                name: Some(name),
                multiline,
            },
            _ => Kind::Element { name, def },
        };
        Ok(Node {
            w,
            level,
            path,
            kind,
        })
    }

    fn shape_error(&self, what: &str) -> Stop {
        Stop::Xml(emit(format!("{} must be {what}", self.path.pointer())))
    }

    /// The error for a value this position cannot take.
    fn mismatch(&self) -> Stop {
        match self.kind {
            Kind::Element { def, .. } if def.is_scalar() => self.shape_error("a string"),
            Kind::Element { .. } => self.shape_error("an object"),
            Kind::Items { .. } => self.shape_error("an array"),
            Kind::Markup { .. } | Kind::Fragment { .. } => {
                self.shape_error("Markdown or {\"$xml\": …}")
            }
            Kind::Scalar { .. } => Stop::NotScalar,
        }
    }

    /// Scalar text (a string, or a boolean or number as JSON spells it).
    fn scalar(self, text: &str) -> Result<(), Stop> {
        match self.kind {
            Kind::Scalar { attribute } => {
                escape_into(&mut self.w.out, text, attribute);
                Ok(())
            }
            Kind::Element { name, def } if def.is_scalar() => {
                self.w.open(name);
                escape_into(&mut self.w.out, text, false);
                self.w.close(name);
                Ok(())
            }
            _ => Err(self.mismatch()),
        }
    }

    /// Markup given as a fragment.
    fn markup(self, fragment: &str, name: Option<&str>, multiline: bool) -> Result<(), Stop> {
        match name {
            Some(name) => self
                .w
                .markup(name, multiline, fragment, self.level, self.path)?,
            None => self.w.fragment(fragment, self.level, true, self.path)?,
        }
        Ok(())
    }
}

/// Forwards a scalar method to [`Node::scalar`] with the value's JSON spelling.
macro_rules! scalars {
    ($($name:ident($ty:ty);)*) => {
        $(fn $name(self, v: $ty) -> Result<(), Stop> {
            self.scalar(&v.to_string())
        })*
    };
}

impl<'a, 'p> ser::Serializer for Node<'a, 'p> {
    type Ok = ();
    type Error = Stop;
    type SerializeSeq = Items<'a, 'p>;
    type SerializeTuple = Impossible<(), Stop>;
    type SerializeTupleStruct = Impossible<(), Stop>;
    type SerializeTupleVariant = Impossible<(), Stop>;
    type SerializeMap = MapNode<'a, 'p>;
    type SerializeStruct = Object<'a, 'p>;
    type SerializeStructVariant = Impossible<(), Stop>;

    scalars! {
        serialize_bool(bool);
        serialize_i8(i8);
        serialize_i16(i16);
        serialize_i32(i32);
        serialize_i64(i64);
        serialize_i128(i128);
        serialize_u8(u8);
        serialize_u16(u16);
        serialize_u32(u32);
        serialize_u64(u64);
        serialize_u128(u128);
        serialize_char(char);
    }

    fn serialize_f32(self, v: f32) -> Result<(), Stop> {
        self.serialize_f64(f64::from(v))
    }

    fn serialize_f64(self, v: f64) -> Result<(), Stop> {
        match serde_json::Number::from_f64(v) {
            Some(n) => self.scalar(&n.to_string()),
            None => Err(self.mismatch()),
        }
    }

    fn serialize_str(self, v: &str) -> Result<(), Stop> {
        match self.kind {
            Kind::Markup { name, multiline } => {
                self.markup(&markdown_to_xml(v, multiline), name, multiline)
            }
            Kind::Fragment { name, multiline } => self.markup(v, name, multiline),
            _ => self.scalar(v),
        }
    }

    fn serialize_bytes(self, _: &[u8]) -> Result<(), Stop> {
        Err(self.mismatch())
    }

    fn serialize_none(self) -> Result<(), Stop> {
        Err(self.mismatch())
    }

    fn serialize_some<T: Serialize + ?Sized>(self, v: &T) -> Result<(), Stop> {
        v.serialize(self)
    }

    fn serialize_unit(self) -> Result<(), Stop> {
        Err(self.mismatch())
    }

    fn serialize_unit_struct(self, _: &'static str) -> Result<(), Stop> {
        Err(self.mismatch())
    }

    fn serialize_unit_variant(self, _: &'static str, _: u32, v: &'static str) -> Result<(), Stop> {
        self.serialize_str(v)
    }

    fn serialize_newtype_struct<T: Serialize + ?Sized>(
        self,
        _: &'static str,
        v: &T,
    ) -> Result<(), Stop> {
        v.serialize(self)
    }

    fn serialize_newtype_variant<T: Serialize + ?Sized>(
        self,
        _: &'static str,
        _: u32,
        _: &'static str,
        _: &T,
    ) -> Result<(), Stop> {
        Err(self.mismatch())
    }

    fn serialize_seq(self, _: Option<usize>) -> Result<Items<'a, 'p>, Stop> {
        match self.kind {
            Kind::Items { name, def } => Ok(Items {
                w: self.w,
                name,
                def,
                level: self.level,
                path: self.path,
                index: 0,
            }),
            _ => Err(self.mismatch()),
        }
    }

    fn serialize_tuple(self, _: usize) -> Result<Self::SerializeTuple, Stop> {
        Err(self.mismatch())
    }

    fn serialize_tuple_struct(
        self,
        _: &'static str,
        _: usize,
    ) -> Result<Self::SerializeTupleStruct, Stop> {
        Err(self.mismatch())
    }

    fn serialize_tuple_variant(
        self,
        _: &'static str,
        _: u32,
        _: &'static str,
        _: usize,
    ) -> Result<Self::SerializeTupleVariant, Stop> {
        Err(self.mismatch())
    }

    /// A map is untyped: markup's `{"$xml": …}`, or an element collected to be written in
    /// schema order.
    fn serialize_map(self, _: Option<usize>) -> Result<MapNode<'a, 'p>, Stop> {
        match self.kind {
            Kind::Markup { name, multiline } => Ok(MapNode::Markup {
                node: Node {
                    kind: Kind::Fragment { name, multiline },
                    ..self
                },
                written: false,
            }),
            Kind::Element { def, .. } if !def.is_scalar() => Ok(MapNode::Collect {
                node: self,
                entries: Box::new(Entries {
                    key: None,
                    flags: vec![None; def.flags.len()],
                    unknown: String::new(),
                    text: None,
                    children: vec![None; def.children().len()],
                    deepest: 0,
                }),
            }),
            _ => Err(self.mismatch()),
        }
    }

    fn serialize_struct(self, _: &'static str, _: usize) -> Result<Object<'a, 'p>, Stop> {
        let Kind::Element { name, def } = self.kind else {
            return Err(self.mismatch());
        };
        if def.is_scalar() {
            return Err(self.mismatch());
        }
        let out = &mut self.w.out;
        out.push('<');
        out.push_str(name);
        if self.level == 0 {
            out.push_str(" xmlns=\"");
            out.push_str(super::OSCAL_NS);
            out.push('"');
        }
        Ok(Object {
            w: self.w,
            name,
            def,
            level: self.level,
            path: self.path,
            next_flag: 0,
            content: None,
            next_child: 0,
        })
    }

    fn serialize_struct_variant(
        self,
        _: &'static str,
        _: u32,
        _: &'static str,
        _: usize,
    ) -> Result<Self::SerializeStructVariant, Stop> {
        Err(self.mismatch())
    }
}

/// The elements of a repeated child, each on its own line.
struct Items<'a, 'p> {
    w: &'a mut Writer,
    name: &'static str,
    def: &'static Def,
    level: usize,
    path: &'a Path<'p>,
    index: usize,
}

impl ser::SerializeSeq for Items<'_, '_> {
    type Ok = ();
    type Error = Stop;

    fn serialize_element<T: Serialize + ?Sized>(&mut self, v: &T) -> Result<(), Stop> {
        let path = Path::Index(self.path, self.index);
        self.index += 1;
        self.w.indent(self.level);
        v.serialize(Node::element(
            &mut *self.w,
            self.name,
            self.def,
            self.level,
            &path,
        )?)
    }

    fn end(self) -> Result<(), Stop> {
        Ok(())
    }
}

/// A map at an element position.
enum MapNode<'a, 'p> {
    /// Markup's `{"$xml": fragment}`: the fragment is written when it arrives.
    Markup {
        node: Node<'a, 'p>,
        /// The fragment has been written.
        written: bool,
    },
    /// An element given as a map, whose entries come in any order: each is written on its own
    /// as it arrives, and the pieces are put in schema order at the end.
    Collect {
        node: Node<'a, 'p>,
        entries: Box<Entries>,
    },
}

/// The entries of an element given as a map, each written apart.
struct Entries {
    /// The key whose value comes next.
    key: Option<String>,
    /// Each flag's attribute, by its index in the definition.
    flags: Vec<Option<String>>,
    /// Attributes the binding does not know (kept ones such as `with-parent-controls`), in the
    /// map's order; they follow the flags.
    unknown: String,
    /// The text of a field with flags.
    text: Option<String>,
    /// Each child position's elements, by its index in the definition.
    children: Vec<Option<String>>,
    /// The deepest element of the entries.
    deepest: usize,
}

impl Entries {
    /// Writes the value of `key`, an entry of the element at `node`, into its own piece.
    fn value<T: Serialize + ?Sized>(
        &mut self,
        node: &Node<'_, '_>,
        key: &str,
        v: &T,
    ) -> Result<(), Stop> {
        let Kind::Element { name, def } = node.kind else {
            return Err(node.mismatch());
        };
        let field = Field::of(def, key);
        let mut piece = Writer::default();
        let mut object = Object {
            w: &mut piece,
            name,
            def,
            level: node.level,
            path: node.path,
            next_flag: 0,
            // Content positions are written as if the start tag were closed already.
            content: matches!(field, Field::Text | Field::Child(..)).then_some(0),
            next_child: 0,
        };
        object.field(key, v)?;
        self.deepest = self.deepest.max(piece.deepest);
        let slot = match field {
            Field::Flag(i) => self.flags.get_mut(i),
            Field::Text => Some(&mut self.text),
            Field::Child(i, _) => self.children.get_mut(i),
            Field::Other => {
                self.unknown.push_str(&piece.out);
                return Ok(());
            }
        };
        if let Some(slot) = slot {
            *slot = Some(piece.out);
        }
        Ok(())
    }

    /// The element: its start tag with the flags, then the text or the children.
    fn end(self, node: Node<'_, '_>) -> Result<(), Stop> {
        let mut object = ser::Serializer::serialize_struct(node, "", 0)?;
        object.w.deepest = object.w.deepest.max(self.deepest);
        for flag in self.flags.into_iter().flatten() {
            object.w.out.push_str(&flag);
        }
        object.w.out.push_str(&self.unknown);
        let content = self
            .text
            .into_iter()
            .chain(self.children.into_iter().flatten());
        for piece in content {
            object.open();
            object.w.out.push_str(&piece);
        }
        ser::SerializeStruct::end(object)
    }
}

impl ser::SerializeMap for MapNode<'_, '_> {
    type Ok = ();
    type Error = Stop;

    fn serialize_key<T: Serialize + ?Sized>(&mut self, key: &T) -> Result<(), Stop> {
        match self {
            MapNode::Markup { node, written } => {
                let is_xml = matches!(
                    key.serialize(serde_json::value::Serializer),
                    Ok(Value::String(k)) if k == XML_MARKUP_KEY
                );
                match is_xml && !*written {
                    true => Ok(()),
                    false => Err(node.mismatch()),
                }
            }
            MapNode::Collect { entries, .. } => {
                match key.serialize(serde_json::value::Serializer) {
                    Ok(Value::String(k)) => entries.key = Some(k),
                    _ => return Err(Stop::Xml(emit("a map key must be a string".to_owned()))),
                }
                Ok(())
            }
        }
    }

    fn serialize_value<T: Serialize + ?Sized>(&mut self, v: &T) -> Result<(), Stop> {
        match self {
            MapNode::Markup { node, written } => {
                *written = true;
                v.serialize(Node {
                    w: &mut *node.w,
                    level: node.level,
                    path: node.path,
                    kind: node.kind,
                })
            }
            MapNode::Collect { node, entries } => {
                let key = entries.key.take().unwrap_or_default();
                entries.value(node, &key, v)
            }
        }
    }

    fn end(self) -> Result<(), Stop> {
        match self {
            MapNode::Markup { node, written } => match written {
                true => Ok(()),
                false => Err(node.mismatch()),
            },
            MapNode::Collect { node, entries } => entries.end(node),
        }
    }
}

/// An element with flags whose fields arrive one by one: an assembly, a field with flags, or an
/// empty element. The start tag stays open until the first child or text.
struct Object<'a, 'p> {
    w: &'a mut Writer,
    name: &'static str,
    def: &'static Def,
    level: usize,
    path: &'a Path<'p>,
    /// The index in `def.flags` the next flag may have; past the end once a key the binding
    /// does not know was written as an attribute (those come after the flags).
    next_flag: usize,
    /// Once the start tag is closed: the length of the output just after its `>`.
    content: Option<usize>,
    /// The index in the children the next child may have.
    next_child: usize,
}

impl Object<'_, '_> {
    /// Closes the start tag (once) before content.
    fn open(&mut self) {
        if self.content.is_none() {
            self.w.out.push('>');
            self.content = Some(self.w.out.len());
        }
    }

    /// One attribute; `flag` says whether the binding knows it (which words the error).
    fn attribute<T: Serialize + ?Sized>(
        &mut self,
        key: &str,
        flag: bool,
        v: &T,
    ) -> Result<(), Stop> {
        let mark = self.w.out.len();
        self.w.out.push(' ');
        self.w.out.push_str(key);
        self.w.out.push_str("=\"");
        let scalar = Node {
            w: &mut *self.w,
            level: self.level,
            path: self.path,
            kind: Kind::Scalar { attribute: true },
        };
        match v.serialize(scalar) {
            Ok(()) => {
                self.w.out.push('"');
                Ok(())
            }
            Err(Stop::NotScalar) => {
                self.w.out.truncate(mark);
                let what = if flag {
                    "must be a string"
                } else {
                    "is not part of the XML form"
                };
                Err(Stop::Xml(emit(format!(
                    "{}/{key} {what}",
                    self.path.pointer()
                ))))
            }
            Err(e) => Err(e),
        }
    }

    /// The text of a field with flags; anything but a scalar leaves it empty, as the value
    /// walker does.
    fn text<T: Serialize + ?Sized>(&mut self, v: &T) -> Result<(), Stop> {
        self.open();
        let mark = self.w.out.len();
        let scalar = Node {
            w: &mut *self.w,
            level: self.level,
            path: self.path,
            kind: Kind::Scalar { attribute: false },
        };
        match v.serialize(scalar) {
            Err(Stop::NotScalar) => {
                self.w.out.truncate(mark);
                Ok(())
            }
            other => other,
        }
    }

    /// One child position, written in place.
    fn child<T: Serialize + ?Sized>(
        &mut self,
        index: usize,
        child: &'static Child,
        v: &T,
    ) -> Result<(), Stop> {
        if index < self.next_child {
            return Err(self.out_of_order(child.json));
        }
        self.next_child = index + 1;
        self.open();
        let level = self.level + 1;
        let path = Path::Key(self.path, child.json);
        let w = &mut *self.w;
        match child.shape {
            Shape::One => {
                w.indent(level);
                v.serialize(Node::element(w, child.xml, child.def, level, &path)?)
            }
            Shape::Many => v.serialize(Node {
                w,
                level,
                path: &path,
                kind: Kind::Items {
                    name: child.xml,
                    def: child.def,
                },
            }),
            Shape::Grouped(item) => grouped(w, child, item, v, level, &path),
            Shape::Unwrapped => v.serialize(Node {
                w,
                level,
                path: &path,
                kind: Kind::Markup {
                    name: None,
                    multiline: true,
                },
            }),
        }
    }
}

/// A wrapper element (`revisions`) holding the items (`revision`); empty, it closes itself.
fn grouped<T: Serialize + ?Sized>(
    w: &mut Writer,
    child: &'static Child,
    item: &'static str,
    v: &T,
    level: usize,
    path: &Path<'_>,
) -> Result<(), Stop> {
    w.indent(level);
    w.deepest = w.deepest.max(level + 1);
    let mark = w.open(child.xml);
    v.serialize(Node {
        w: &mut *w,
        level: level + 1,
        path,
        kind: Kind::Items {
            name: item,
            def: child.def,
        },
    })?;
    w.end(child.xml, mark, Some(level));
    Ok(())
}

impl ser::SerializeStruct for Object<'_, '_> {
    type Ok = ();
    type Error = Stop;

    fn serialize_field<T: Serialize + ?Sized>(
        &mut self,
        key: &'static str,
        v: &T,
    ) -> Result<(), Stop> {
        self.field(key, v)
    }

    fn end(self) -> Result<(), Stop> {
        match (self.def.content, self.content) {
            (Content::Assembly(_), Some(mark)) => self.w.end(self.name, mark, Some(self.level)),
            (Content::Text { .. }, content) => {
                if content.is_none() {
                    self.w.out.push('>');
                }
                self.w.close(self.name);
            }
            _ => self.w.out.push_str("/>"),
        }
        Ok(())
    }
}

impl Object<'_, '_> {
    /// A field after one the binding puts later: the model's fields follow the binding's
    /// order, so this is a bug in the model, not in the document.
    fn out_of_order(&self, key: &str) -> Stop {
        Stop::Xml(emit(format!(
            "{}/{key} comes out of schema order",
            self.path.pointer()
        )))
    }

    /// One field: a flag, the text, a child, or a key the binding does not know.
    fn field<T: Serialize + ?Sized>(&mut self, key: &str, v: &T) -> Result<(), Stop> {
        match Field::of(self.def, key) {
            Field::Flag(i) => {
                if self.content.is_some() || i < self.next_flag {
                    return Err(self.out_of_order(key));
                }
                self.next_flag = i + 1;
                return self.attribute(key, true, v);
            }
            Field::Child(i, child) => return self.child(i, child, v),
            Field::Text => return self.text(v),
            Field::Other => {}
        }
        // A key the binding does not know: an attribute after the flags, if it can be one.
        if self.content.is_some() {
            return Err(self.out_of_order(key));
        }
        if !is_name(key) {
            return Err(Stop::Xml(emit(format!(
                "{}/{key} is not part of the XML form",
                self.path.pointer()
            ))));
        }
        self.next_flag = usize::MAX;
        self.attribute(key, false, v)
    }
}

/// What a key of an element is, as its definition says.
enum Field {
    /// The flag at this index.
    Flag(usize),
    /// The text of a field with flags.
    Text,
    /// The child position at this index.
    Child(usize, &'static Child),
    /// A key the binding does not know.
    Other,
}

impl Field {
    fn of(def: &'static Def, key: &str) -> Field {
        if let Some(i) = def.flags.iter().position(|f| *f == key) {
            return Field::Flag(i);
        }
        match def.content {
            Content::Assembly(children) => children
                .iter()
                .enumerate()
                .find(|(_, c)| c.json == key)
                .map_or(Field::Other, |(i, c)| Field::Child(i, c)),
            Content::Text { key: text, .. } if text == key => Field::Text,
            _ => Field::Other,
        }
    }
}
