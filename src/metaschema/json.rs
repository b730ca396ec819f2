//! A document's JSON form, compact, for the constraint check. In: anything serde serializes (the
//! typed model: `emit::check_doc` gives a whole document under its root key; or a
//! `serde_json::Value`). Out: a [`Json`]: every value in one array, object members and array
//! items in two more, every string and key in one text buffer.
//!
//! The check reads the JSON form only to build its [`Tree`](super::tree::Tree) and to borrow
//! values from it. A `serde_json::Value` of a catalog takes about eight times its text (a map
//! per object, a string per key and value) and as long again to build and drop; this form takes
//! about three times the text, and is built by a serializer straight from the typed model
//! without one allocation per value.

use serde::Serialize;
use serde::ser;
use std::fmt;

/// A JSON document, compact. Value 0 is the root.
#[derive(Debug, Default)]
pub struct Json {
    values: Vec<V>,
    members: Vec<Member>,
    items: Vec<u32>,
    text: String,
}

/// A span of [`Json::text`], or of the members or items arrays.
#[derive(Debug, Clone, Copy, Default)]
struct Span {
    start: u32,
    len: u32,
}

/// One value.
#[derive(Debug, Clone, Copy)]
enum V {
    Null,
    Bool(bool),
    /// A number, as JSON writes it.
    Num(Span),
    Str(Span),
    /// Its items, a span of [`Json::items`].
    Arr(Span),
    /// Its members, a span of [`Json::members`].
    Obj(Span),
}

/// One member of an object: its key (a span of the text) and its value.
#[derive(Debug, Clone, Copy)]
struct Member {
    key: Span,
    value: u32,
}

/// A scalar's value.
#[derive(Debug, Clone, Copy)]
pub enum Scalar<'a> {
    Str(&'a str),
    /// A number, as JSON writes it.
    Num(&'a str),
    Bool(bool),
}

/// A value of a [`Json`].
#[derive(Debug, Clone, Copy)]
pub struct JsonRef<'a> {
    json: &'a Json,
    at: u32,
}

impl Json {
    /// The JSON form of `v`; `null` if it cannot have one (a map key that is no string or
    /// number, more values or text than `u32` counts), as `serde_json::to_value` fails.
    pub fn of<T: Serialize + ?Sized>(v: &T) -> Json {
        let mut b = Builder::default();
        match v.serialize(&mut b) {
            Ok(()) => b.json,
            Err(_) => Json {
                values: vec![V::Null],
                ..Json::default()
            },
        }
    }

    /// The root value.
    pub fn root(&self) -> JsonRef<'_> {
        JsonRef { json: self, at: 0 }
    }

    fn text(&self, s: Span) -> &str {
        let start = s.start as usize;
        self.text
            .get(start..start.saturating_add(s.len as usize))
            .unwrap_or_default()
    }
}

impl<'a> JsonRef<'a> {
    fn v(&self) -> V {
        self.json
            .values
            .get(self.at as usize)
            .copied()
            .unwrap_or(V::Null)
    }

    fn at(&self, at: u32) -> JsonRef<'a> {
        JsonRef {
            json: self.json,
            at,
        }
    }

    /// Whether it is an object.
    pub fn is_object(&self) -> bool {
        matches!(self.v(), V::Obj(_))
    }

    /// Whether it is an array.
    pub fn is_array(&self) -> bool {
        matches!(self.v(), V::Arr(_))
    }

    /// Its value if it is a string, a number or a boolean.
    pub fn scalar(&self) -> Option<Scalar<'a>> {
        match self.v() {
            V::Str(s) => Some(Scalar::Str(self.json.text(s))),
            V::Num(s) => Some(Scalar::Num(self.json.text(s))),
            V::Bool(b) => Some(Scalar::Bool(b)),
            _ => None,
        }
    }

    /// Its text if it is a string.
    pub fn as_str(&self) -> Option<&'a str> {
        match self.v() {
            V::Str(s) => Some(self.json.text(s)),
            _ => None,
        }
    }

    /// Its members, in the order they were written, if it is an object; else none.
    pub fn members(&self) -> impl ExactSizeIterator<Item = (&'a str, JsonRef<'a>)> + 'a {
        let span = match self.v() {
            V::Obj(s) => s,
            _ => Span::default(),
        };
        let json = self.json;
        let start = span.start as usize;
        json.members
            .get(start..start.saturating_add(span.len as usize))
            .unwrap_or_default()
            .iter()
            .map(move |m| (json.text(m.key), JsonRef { json, at: m.value }))
    }

    /// Its member `key`, if it is an object that has one.
    pub fn get(&self, key: &str) -> Option<JsonRef<'a>> {
        self.members().find(|(k, _)| *k == key).map(|(_, v)| v)
    }

    /// Its items, if it is an array; else none.
    pub fn items(&self) -> impl ExactSizeIterator<Item = JsonRef<'a>> + 'a {
        let span = match self.v() {
            V::Arr(s) => s,
            _ => Span::default(),
        };
        let this = *self;
        let start = span.start as usize;
        self.json
            .items
            .get(start..start.saturating_add(span.len as usize))
            .unwrap_or_default()
            .iter()
            .map(move |&i| this.at(i))
    }
}

/// Why a value has no JSON form.
#[derive(Debug)]
pub struct Unfit(String);

impl fmt::Display for Unfit {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for Unfit {}

impl ser::Error for Unfit {
    fn custom<T: fmt::Display>(msg: T) -> Self {
        Unfit(msg.to_string())
    }
}

/// An object or array being written: its value, where its members or items start in the
/// builder's pending list, and for an enum variant's content, the object around it to close
/// with it.
#[derive(Debug)]
struct Open {
    value: u32,
    start: usize,
    object: bool,
    wrapped: bool,
}

/// Builds a [`Json`] as a serializer is driven: each value is pushed where it is met; the
/// members and items of open containers wait in pending lists and are copied out, each
/// container's together, when it closes (inner ones first).
#[derive(Debug, Default)]
struct Builder {
    json: Json,
    open: Vec<Open>,
    pending_members: Vec<Member>,
    pending_items: Vec<u32>,
    /// The key of the member whose value comes next.
    key: Span,
}

impl Builder {
    fn span(start: usize, len: usize) -> Result<Span, Unfit> {
        let fit = |n: usize| u32::try_from(n).map_err(|_| Unfit("too large".to_owned()));
        Ok(Span {
            start: fit(start)?,
            len: fit(len)?,
        })
    }

    fn text(&mut self, s: &str) -> Result<Span, Unfit> {
        let start = self.json.text.len();
        self.json.text.push_str(s);
        Builder::span(start, s.len())
    }

    /// Adds `v` as the next value of the open container (or as the root).
    fn push(&mut self, v: V) -> Result<u32, Unfit> {
        let at = u32::try_from(self.json.values.len()).map_err(|_| Unfit("too large".into()))?;
        self.json.values.push(v);
        match self.open.last() {
            Some(o) if o.object => self.pending_members.push(Member {
                key: self.key,
                value: at,
            }),
            Some(_) => self.pending_items.push(at),
            None => {}
        }
        Ok(at)
    }

    fn begin(&mut self, object: bool, wrapped: bool) -> Result<(), Unfit> {
        let value = self.push(V::Null)?;
        let start = if object {
            self.pending_members.len()
        } else {
            self.pending_items.len()
        };
        self.open.push(Open {
            value,
            start,
            object,
            wrapped,
        });
        Ok(())
    }

    /// Begins the object `{variant: …}` around an enum variant's content.
    fn variant(&mut self, variant: &str, object: bool) -> Result<(), Unfit> {
        self.begin(true, false)?;
        self.key = self.text(variant)?;
        self.begin(object, true)
    }

    fn end(&mut self) -> Result<(), Unfit> {
        let Some(open) = self.open.pop() else {
            return Ok(());
        };
        let v = if open.object {
            let start = self.json.members.len();
            let mine = self.pending_members.drain(open.start..);
            self.json.members.extend(mine);
            V::Obj(Builder::span(start, self.json.members.len() - start)?)
        } else {
            let start = self.json.items.len();
            let mine = self.pending_items.drain(open.start..);
            self.json.items.extend(mine);
            V::Arr(Builder::span(start, self.json.items.len() - start)?)
        };
        if let Some(slot) = self.json.values.get_mut(open.value as usize) {
            *slot = v;
        }
        if open.wrapped {
            self.end()?;
        }
        Ok(())
    }

    fn number(&mut self, n: impl fmt::Display) -> Result<(), Unfit> {
        let span = self.text(&n.to_string())?;
        self.push(V::Num(span)).map(drop)
    }
}

/// The integer methods of a serializer: each writes its number.
macro_rules! numbers {
    ($($method:ident: $ty:ty),* $(,)?) => {
        $(fn $method(self, v: $ty) -> Result<(), Unfit> {
            self.number(v)
        })*
    };
}

/// A compound serializer whose elements are the next items of the open array.
macro_rules! items {
    ($trait:ident, $method:ident) => {
        impl ser::$trait for &mut Builder {
            type Ok = ();
            type Error = Unfit;
            fn $method<T: Serialize + ?Sized>(&mut self, v: &T) -> Result<(), Unfit> {
                v.serialize(&mut **self)
            }
            fn end(self) -> Result<(), Unfit> {
                Builder::end(self)
            }
        }
    };
}

/// A compound serializer whose fields are the next members of the open object.
macro_rules! fields {
    ($trait:ident) => {
        impl ser::$trait for &mut Builder {
            type Ok = ();
            type Error = Unfit;
            fn serialize_field<T: Serialize + ?Sized>(
                &mut self,
                key: &'static str,
                v: &T,
            ) -> Result<(), Unfit> {
                self.key = self.text(key)?;
                v.serialize(&mut **self)
            }
            fn end(self) -> Result<(), Unfit> {
                Builder::end(self)
            }
        }
    };
}

impl<'b> ser::Serializer for &'b mut Builder {
    type Ok = ();
    type Error = Unfit;
    type SerializeSeq = &'b mut Builder;
    type SerializeTuple = &'b mut Builder;
    type SerializeTupleStruct = &'b mut Builder;
    type SerializeTupleVariant = &'b mut Builder;
    type SerializeMap = &'b mut Builder;
    type SerializeStruct = &'b mut Builder;
    type SerializeStructVariant = &'b mut Builder;

    fn serialize_bool(self, v: bool) -> Result<(), Unfit> {
        self.push(V::Bool(v)).map(drop)
    }
    numbers! {
        serialize_i8: i8, serialize_i16: i16, serialize_i32: i32, serialize_i64: i64,
        serialize_u8: u8, serialize_u16: u16, serialize_u32: u32, serialize_u64: u64,
    }
    fn serialize_f32(self, v: f32) -> Result<(), Unfit> {
        self.serialize_f64(f64::from(v))
    }
    fn serialize_f64(self, v: f64) -> Result<(), Unfit> {
        // As JSON writes it; JSON has no infinity or NaN: those are null.
        match serde_json::Number::from_f64(v) {
            Some(n) => self.number(n),
            None => self.push(V::Null).map(drop),
        }
    }
    fn serialize_char(self, v: char) -> Result<(), Unfit> {
        self.serialize_str(v.encode_utf8(&mut [0; 4]))
    }
    fn serialize_str(self, v: &str) -> Result<(), Unfit> {
        let span = self.text(v)?;
        self.push(V::Str(span)).map(drop)
    }
    fn serialize_bytes(self, v: &[u8]) -> Result<(), Unfit> {
        self.begin(false, false)?;
        for b in v {
            self.number(b)?;
        }
        self.end()
    }
    fn serialize_none(self) -> Result<(), Unfit> {
        self.push(V::Null).map(drop)
    }
    fn serialize_some<T: Serialize + ?Sized>(self, v: &T) -> Result<(), Unfit> {
        v.serialize(self)
    }
    fn serialize_unit(self) -> Result<(), Unfit> {
        self.push(V::Null).map(drop)
    }
    fn serialize_unit_struct(self, _: &'static str) -> Result<(), Unfit> {
        self.serialize_unit()
    }
    fn serialize_unit_variant(self, _: &'static str, _: u32, v: &'static str) -> Result<(), Unfit> {
        self.serialize_str(v)
    }
    fn serialize_newtype_struct<T: Serialize + ?Sized>(
        self,
        _: &'static str,
        v: &T,
    ) -> Result<(), Unfit> {
        v.serialize(self)
    }
    fn serialize_newtype_variant<T: Serialize + ?Sized>(
        self,
        _: &'static str,
        _: u32,
        variant: &'static str,
        v: &T,
    ) -> Result<(), Unfit> {
        self.begin(true, false)?;
        self.key = self.text(variant)?;
        v.serialize(&mut *self)?;
        self.end()
    }
    fn serialize_seq(self, _: Option<usize>) -> Result<Self, Unfit> {
        self.begin(false, false)?;
        Ok(self)
    }
    fn serialize_tuple(self, _: usize) -> Result<Self, Unfit> {
        self.serialize_seq(None)
    }
    fn serialize_tuple_struct(self, _: &'static str, _: usize) -> Result<Self, Unfit> {
        self.serialize_seq(None)
    }
    fn serialize_tuple_variant(
        self,
        _: &'static str,
        _: u32,
        variant: &'static str,
        _: usize,
    ) -> Result<Self, Unfit> {
        self.variant(variant, false)?;
        Ok(self)
    }
    fn serialize_map(self, _: Option<usize>) -> Result<Self, Unfit> {
        self.begin(true, false)?;
        Ok(self)
    }
    fn serialize_struct(self, _: &'static str, _: usize) -> Result<Self, Unfit> {
        self.serialize_map(None)
    }
    fn serialize_struct_variant(
        self,
        _: &'static str,
        _: u32,
        variant: &'static str,
        _: usize,
    ) -> Result<Self, Unfit> {
        self.variant(variant, true)?;
        Ok(self)
    }
}

// Arrays and the fields of tuples, whatever their kind: each element is the next item.
items!(SerializeSeq, serialize_element);
items!(SerializeTuple, serialize_element);
items!(SerializeTupleStruct, serialize_field);
items!(SerializeTupleVariant, serialize_field);

impl ser::SerializeMap for &mut Builder {
    type Ok = ();
    type Error = Unfit;
    fn serialize_key<T: Serialize + ?Sized>(&mut self, key: &T) -> Result<(), Unfit> {
        // As serde_json takes a key: a string, or a number or boolean as its text.
        let key = match key.serialize(serde_json::value::Serializer) {
            Ok(serde_json::Value::String(k)) => k,
            Ok(v @ (serde_json::Value::Number(_) | serde_json::Value::Bool(_))) => v.to_string(),
            _ => return Err(Unfit("a map key must be a string".to_owned())),
        };
        self.key = self.text(&key)?;
        Ok(())
    }
    fn serialize_value<T: Serialize + ?Sized>(&mut self, v: &T) -> Result<(), Unfit> {
        v.serialize(&mut **self)
    }
    fn end(self) -> Result<(), Unfit> {
        Builder::end(self)
    }
}

// A struct's fields, whatever its kind: each is the next member, under its name.
fields!(SerializeStruct);
fields!(SerializeStructVariant);
