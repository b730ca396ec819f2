//! The JSON form with all markup as Markdown, straight from the typed model.
//!
//! Stage: emit (JSON). In: anything `Serialize` in the OSCAL JSON form, markup in either form.
//! Out: the same serialization with every `{"$xml": fragment}` (a [`Markup::Xml`], or the same
//! object inside an untyped `Value` field such as a role's title) turned into its Markdown
//! string by [`xml_to_markdown`]. [`Markdown`] wraps any serializer, so the writer
//! (`serde_json::Serializer`) and the value builder (`serde_json::value::Serializer`) share it
//! and no whole-document value is built to be rewritten.
//!
//! [`Markup::Xml`]: crate::model::Markup::Xml

use serde::ser::{self, Serialize, Serializer};

use crate::model::common::XML_MARKUP_KEY;
use crate::model::markup::xml_to_markdown;

/// A serializer that passes everything to `S` but writes XML markup objects as Markdown.
pub(crate) struct Markdown<S>(pub(crate) S);

/// A value serialized through [`Markdown`], so that nested values are converted too.
pub(crate) struct Md<'a, T: ?Sized>(pub(crate) &'a T);

impl<T: Serialize + ?Sized> Serialize for Md<'_, T> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        self.0.serialize(Markdown(s))
    }
}

/// Forwards a serializer method whose arguments hold no nested value.
macro_rules! forward {
    ($($name:ident($($arg:ident: $ty:ty),*) -> $out:ty;)*) => {
        $(fn $name(self, $($arg: $ty),*) -> Result<$out, S::Error> {
            self.0.$name($($arg),*)
        })*
    };
}

impl<S: Serializer> Serializer for Markdown<S> {
    type Ok = S::Ok;
    type Error = S::Error;
    type SerializeSeq = Markdown<S::SerializeSeq>;
    type SerializeTuple = Markdown<S::SerializeTuple>;
    type SerializeTupleStruct = Markdown<S::SerializeTupleStruct>;
    type SerializeTupleVariant = Markdown<S::SerializeTupleVariant>;
    type SerializeMap = MarkdownMap<S>;
    type SerializeStruct = Markdown<S::SerializeStruct>;
    type SerializeStructVariant = Markdown<S::SerializeStructVariant>;

    forward! {
        serialize_bool(v: bool) -> S::Ok;
        serialize_i8(v: i8) -> S::Ok;
        serialize_i16(v: i16) -> S::Ok;
        serialize_i32(v: i32) -> S::Ok;
        serialize_i64(v: i64) -> S::Ok;
        serialize_i128(v: i128) -> S::Ok;
        serialize_u8(v: u8) -> S::Ok;
        serialize_u16(v: u16) -> S::Ok;
        serialize_u32(v: u32) -> S::Ok;
        serialize_u64(v: u64) -> S::Ok;
        serialize_u128(v: u128) -> S::Ok;
        serialize_f32(v: f32) -> S::Ok;
        serialize_f64(v: f64) -> S::Ok;
        serialize_char(v: char) -> S::Ok;
        serialize_str(v: &str) -> S::Ok;
        serialize_bytes(v: &[u8]) -> S::Ok;
        serialize_none() -> S::Ok;
        serialize_unit() -> S::Ok;
        serialize_unit_struct(name: &'static str) -> S::Ok;
        serialize_unit_variant(name: &'static str, index: u32, variant: &'static str) -> S::Ok;
    }

    fn serialize_some<T: Serialize + ?Sized>(self, v: &T) -> Result<S::Ok, S::Error> {
        self.0.serialize_some(&Md(v))
    }

    fn serialize_newtype_struct<T: Serialize + ?Sized>(
        self,
        name: &'static str,
        v: &T,
    ) -> Result<S::Ok, S::Error> {
        self.0.serialize_newtype_struct(name, &Md(v))
    }

    fn serialize_newtype_variant<T: Serialize + ?Sized>(
        self,
        name: &'static str,
        index: u32,
        variant: &'static str,
        v: &T,
    ) -> Result<S::Ok, S::Error> {
        self.0
            .serialize_newtype_variant(name, index, variant, &Md(v))
    }

    fn serialize_seq(self, len: Option<usize>) -> Result<Self::SerializeSeq, S::Error> {
        self.0.serialize_seq(len).map(Markdown)
    }

    fn serialize_tuple(self, len: usize) -> Result<Self::SerializeTuple, S::Error> {
        self.0.serialize_tuple(len).map(Markdown)
    }

    fn serialize_tuple_struct(
        self,
        name: &'static str,
        len: usize,
    ) -> Result<Self::SerializeTupleStruct, S::Error> {
        self.0.serialize_tuple_struct(name, len).map(Markdown)
    }

    fn serialize_tuple_variant(
        self,
        name: &'static str,
        index: u32,
        variant: &'static str,
        len: usize,
    ) -> Result<Self::SerializeTupleVariant, S::Error> {
        self.0
            .serialize_tuple_variant(name, index, variant, len)
            .map(Markdown)
    }

    /// A one-entry map may be markup: the decision waits for its key and value.
    fn serialize_map(self, len: Option<usize>) -> Result<MarkdownMap<S>, S::Error> {
        if len == Some(1) {
            return Ok(MarkdownMap::Pending(self.0, Pending::Empty));
        }
        self.0.serialize_map(len).map(MarkdownMap::Open)
    }

    fn serialize_struct(
        self,
        name: &'static str,
        len: usize,
    ) -> Result<Self::SerializeStruct, S::Error> {
        self.0.serialize_struct(name, len).map(Markdown)
    }

    fn serialize_struct_variant(
        self,
        name: &'static str,
        index: u32,
        variant: &'static str,
        len: usize,
    ) -> Result<Self::SerializeStructVariant, S::Error> {
        self.0
            .serialize_struct_variant(name, index, variant, len)
            .map(Markdown)
    }

    fn is_human_readable(&self) -> bool {
        self.0.is_human_readable()
    }
}

impl<C: ser::SerializeSeq> ser::SerializeSeq for Markdown<C> {
    type Ok = C::Ok;
    type Error = C::Error;
    fn serialize_element<T: Serialize + ?Sized>(&mut self, v: &T) -> Result<(), C::Error> {
        self.0.serialize_element(&Md(v))
    }
    fn end(self) -> Result<C::Ok, C::Error> {
        self.0.end()
    }
}

impl<C: ser::SerializeTuple> ser::SerializeTuple for Markdown<C> {
    type Ok = C::Ok;
    type Error = C::Error;
    fn serialize_element<T: Serialize + ?Sized>(&mut self, v: &T) -> Result<(), C::Error> {
        self.0.serialize_element(&Md(v))
    }
    fn end(self) -> Result<C::Ok, C::Error> {
        self.0.end()
    }
}

impl<C: ser::SerializeTupleStruct> ser::SerializeTupleStruct for Markdown<C> {
    type Ok = C::Ok;
    type Error = C::Error;
    fn serialize_field<T: Serialize + ?Sized>(&mut self, v: &T) -> Result<(), C::Error> {
        self.0.serialize_field(&Md(v))
    }
    fn end(self) -> Result<C::Ok, C::Error> {
        self.0.end()
    }
}

impl<C: ser::SerializeTupleVariant> ser::SerializeTupleVariant for Markdown<C> {
    type Ok = C::Ok;
    type Error = C::Error;
    fn serialize_field<T: Serialize + ?Sized>(&mut self, v: &T) -> Result<(), C::Error> {
        self.0.serialize_field(&Md(v))
    }
    fn end(self) -> Result<C::Ok, C::Error> {
        self.0.end()
    }
}

impl<C: ser::SerializeStruct> ser::SerializeStruct for Markdown<C> {
    type Ok = C::Ok;
    type Error = C::Error;
    fn serialize_field<T: Serialize + ?Sized>(
        &mut self,
        key: &'static str,
        v: &T,
    ) -> Result<(), C::Error> {
        self.0.serialize_field(key, &Md(v))
    }
    fn skip_field(&mut self, key: &'static str) -> Result<(), C::Error> {
        self.0.skip_field(key)
    }
    fn end(self) -> Result<C::Ok, C::Error> {
        self.0.end()
    }
}

impl<C: ser::SerializeStructVariant> ser::SerializeStructVariant for Markdown<C> {
    type Ok = C::Ok;
    type Error = C::Error;
    fn serialize_field<T: Serialize + ?Sized>(
        &mut self,
        key: &'static str,
        v: &T,
    ) -> Result<(), C::Error> {
        self.0.serialize_field(key, &Md(v))
    }
    fn skip_field(&mut self, key: &'static str) -> Result<(), C::Error> {
        self.0.skip_field(key)
    }
    fn end(self) -> Result<C::Ok, C::Error> {
        self.0.end()
    }
}

/// What a one-entry map has shown so far.
pub(crate) enum Pending {
    /// Nothing yet.
    Empty,
    /// The key `$xml`.
    XmlKey,
    /// `$xml` with a string value: markup, written as Markdown at the end.
    Markup(String),
}

/// The map of [`Markdown`]: open (written through), or a one-entry map not yet known to be
/// markup or not.
pub(crate) enum MarkdownMap<S: Serializer> {
    /// Written through to `S`.
    Open(S::SerializeMap),
    /// Held back: the serializer and what was seen.
    Pending(S, Pending),
    /// Between states (a failed step left nothing to continue with).
    Gone,
}

/// A string, if `v` serializes as one.
fn as_string<T: Serialize + ?Sized>(v: &T) -> Option<String> {
    match v.serialize(serde_json::value::Serializer) {
        Ok(serde_json::Value::String(s)) => Some(s),
        _ => None,
    }
}

impl<S: Serializer> MarkdownMap<S> {
    /// Opens the real map (with one entry) and writes a held-back `$xml` key into it.
    fn open(ser: S, pending: &Pending) -> Result<S::SerializeMap, S::Error> {
        use ser::SerializeMap as _;
        let mut map = ser.serialize_map(Some(1))?;
        if !matches!(pending, Pending::Empty) {
            map.serialize_key(XML_MARKUP_KEY)?;
        }
        Ok(map)
    }
}

impl<S: Serializer> ser::SerializeMap for MarkdownMap<S> {
    type Ok = S::Ok;
    type Error = S::Error;

    fn serialize_key<T: Serialize + ?Sized>(&mut self, key: &T) -> Result<(), S::Error> {
        match std::mem::replace(self, MarkdownMap::Gone) {
            MarkdownMap::Pending(ser, Pending::Empty)
                if as_string(key).as_deref() == Some(XML_MARKUP_KEY) =>
            {
                *self = MarkdownMap::Pending(ser, Pending::XmlKey);
                Ok(())
            }
            MarkdownMap::Pending(ser, pending) => {
                let mut map = Self::open(ser, &pending)?;
                if let Pending::Markup(fragment) = &pending {
                    map.serialize_value(fragment)?;
                }
                map.serialize_key(&Md(key))?;
                *self = MarkdownMap::Open(map);
                Ok(())
            }
            MarkdownMap::Open(mut map) => {
                map.serialize_key(&Md(key))?;
                *self = MarkdownMap::Open(map);
                Ok(())
            }
            MarkdownMap::Gone => Err(ser::Error::custom("map used after an error")),
        }
    }

    fn serialize_value<T: Serialize + ?Sized>(&mut self, v: &T) -> Result<(), S::Error> {
        match std::mem::replace(self, MarkdownMap::Gone) {
            MarkdownMap::Pending(ser, Pending::XmlKey) => {
                if let Some(fragment) = as_string(v) {
                    *self = MarkdownMap::Pending(ser, Pending::Markup(fragment));
                } else {
                    let mut map = Self::open(ser, &Pending::XmlKey)?;
                    map.serialize_value(&Md(v))?;
                    *self = MarkdownMap::Open(map);
                }
                Ok(())
            }
            MarkdownMap::Open(mut map) => {
                map.serialize_value(&Md(v))?;
                *self = MarkdownMap::Open(map);
                Ok(())
            }
            MarkdownMap::Pending(..) | MarkdownMap::Gone => {
                Err(ser::Error::custom("map value without a key"))
            }
        }
    }

    fn end(self) -> Result<S::Ok, S::Error> {
        match self {
            MarkdownMap::Pending(ser, Pending::Markup(fragment)) => {
                ser.serialize_str(&xml_to_markdown(&fragment))
            }
            MarkdownMap::Pending(ser, pending) => Self::open(ser, &pending)?.end(),
            MarkdownMap::Open(map) => map.end(),
            MarkdownMap::Gone => Err(ser::Error::custom("map used after an error")),
        }
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::Md;
    use crate::model::{Markup, MarkupLine};

    fn convert(v: &impl serde::Serialize) -> serde_json::Value {
        serde_json::to_value(Md(v)).unwrap_or_else(|e| panic!("{e}"))
    }

    #[test]
    fn xml_markup_becomes_markdown_anywhere() {
        let typed = MarkupLine(Markup::Xml("A <em>b</em>".to_owned()));
        assert_eq!(convert(&typed), json!("A *b*"));
        let untyped = json!({"roles": [{"id": "r", "title": {"$xml": "<strong>R</strong>"}}]});
        assert_eq!(
            convert(&untyped),
            json!({"roles": [{"id": "r", "title": "**R**"}]})
        );
    }

    #[test]
    fn one_entry_maps_that_are_not_markup_are_kept() {
        for v in [
            json!({"id": "x"}),
            json!({"$xml": 1}),
            json!({"$xml": {"$xml": "<em>a</em>"}}),
            json!({}),
            json!({"a": {"b": {}}}),
        ] {
            let expected = match &v {
                serde_json::Value::Object(m) if m.get("$xml").is_some_and(|x| x.is_object()) => {
                    json!({"$xml": "*a*"})
                }
                _ => v.clone(),
            };
            assert_eq!(convert(&v), expected);
        }
    }
}
