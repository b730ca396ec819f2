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

use serde::ser::{self, Impossible, Serialize, Serializer};
use serde_json::Value;

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

/// The error for a shape that neither the typed model nor a `Value` ever serializes (tuples,
/// enum variants that hold data, newtype structs): the JSON form has none.
pub(crate) fn not_oscal<E: ser::Error>() -> E {
    E::custom("not a shape of the OSCAL JSON form")
}

impl<S: Serializer> Serializer for Markdown<S> {
    type Ok = S::Ok;
    type Error = S::Error;
    type SerializeSeq = Markdown<S::SerializeSeq>;
    type SerializeTuple = Impossible<S::Ok, S::Error>;
    type SerializeTupleStruct = Impossible<S::Ok, S::Error>;
    type SerializeTupleVariant = Impossible<S::Ok, S::Error>;
    type SerializeMap = MarkdownMap<S>;
    type SerializeStruct = Markdown<S::SerializeStruct>;
    type SerializeStructVariant = Impossible<S::Ok, S::Error>;

    forward! {
        serialize_bool(v: bool) -> S::Ok;
        serialize_i8(v: i8) -> S::Ok;
        serialize_i16(v: i16) -> S::Ok;
        serialize_i32(v: i32) -> S::Ok;
        serialize_i64(v: i64) -> S::Ok;
        serialize_u8(v: u8) -> S::Ok;
        serialize_u16(v: u16) -> S::Ok;
        serialize_u32(v: u32) -> S::Ok;
        serialize_u64(v: u64) -> S::Ok;
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
        _: &'static str,
        _: &T,
    ) -> Result<S::Ok, S::Error> {
        Err(not_oscal())
    }

    fn serialize_newtype_variant<T: Serialize + ?Sized>(
        self,
        _: &'static str,
        _: u32,
        _: &'static str,
        _: &T,
    ) -> Result<S::Ok, S::Error> {
        Err(not_oscal())
    }

    fn serialize_seq(self, len: Option<usize>) -> Result<Self::SerializeSeq, S::Error> {
        self.0.serialize_seq(len).map(Markdown)
    }

    fn serialize_tuple(self, _: usize) -> Result<Self::SerializeTuple, S::Error> {
        Err(not_oscal())
    }

    fn serialize_tuple_struct(
        self,
        _: &'static str,
        _: usize,
    ) -> Result<Self::SerializeTupleStruct, S::Error> {
        Err(not_oscal())
    }

    fn serialize_tuple_variant(
        self,
        _: &'static str,
        _: u32,
        _: &'static str,
        _: usize,
    ) -> Result<Self::SerializeTupleVariant, S::Error> {
        Err(not_oscal())
    }

    /// A one-entry map may be markup: the decision waits for its key and value.
    fn serialize_map(self, len: Option<usize>) -> Result<MarkdownMap<S>, S::Error> {
        if len == Some(1) {
            return Ok(MarkdownMap::One(self.0, None));
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
        _: &'static str,
        _: u32,
        _: &'static str,
        _: usize,
    ) -> Result<Self::SerializeStructVariant, S::Error> {
        Err(not_oscal())
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

/// The map of [`Markdown`]: written through, or a one-entry map held back until its entry shows
/// whether it is markup (`{"$xml": fragment}`, typed or in an untyped `Value`).
pub(crate) enum MarkdownMap<S: Serializer> {
    /// Written through to `S` (keys are strings: nothing to convert in them).
    Open(S::SerializeMap),
    /// One entry to come: the serializer, and the key once seen.
    One(S, Option<Value>),
    /// Markup, already written as its Markdown string.
    Markup(S::Ok),
    /// After a failed step, or a map longer than it said.
    Gone,
}

/// A string, if `v` serializes as one.
pub(super) fn as_string<T: Serialize + ?Sized>(v: &T) -> Option<String> {
    match v.serialize(serde_json::value::Serializer) {
        Ok(Value::String(s)) => Some(s),
        _ => None,
    }
}

impl<S: Serializer> ser::SerializeMap for MarkdownMap<S> {
    type Ok = S::Ok;
    type Error = S::Error;

    fn serialize_key<T: Serialize + ?Sized>(&mut self, key: &T) -> Result<(), S::Error> {
        match self {
            MarkdownMap::Open(map) => map.serialize_key(key),
            MarkdownMap::One(_, seen @ None) => {
                *seen = Some(serde_json::to_value(key).map_err(ser::Error::custom)?);
                Ok(())
            }
            _ => Err(ser::Error::custom("map entry after its last")),
        }
    }

    fn serialize_value<T: Serialize + ?Sized>(&mut self, v: &T) -> Result<(), S::Error> {
        match std::mem::replace(self, MarkdownMap::Gone) {
            MarkdownMap::Open(mut map) => {
                map.serialize_value(&Md(v))?;
                *self = MarkdownMap::Open(map);
            }
            MarkdownMap::One(ser, Some(key)) => {
                let fragment = (key == XML_MARKUP_KEY).then(|| as_string(v)).flatten();
                *self = match fragment {
                    Some(x) => MarkdownMap::Markup(ser.serialize_str(&xml_to_markdown(&x))?),
                    None => {
                        let mut map = ser.serialize_map(Some(1))?;
                        map.serialize_entry(&key, &Md(v))?;
                        MarkdownMap::Open(map)
                    }
                };
            }
            _ => return Err(ser::Error::custom("map value without a key")),
        }
        Ok(())
    }

    fn end(self) -> Result<S::Ok, S::Error> {
        match self {
            MarkdownMap::Open(map) => map.end(),
            MarkdownMap::Markup(done) => Ok(done),
            MarkdownMap::One(ser, None) => ser.serialize_map(Some(0))?.end(),
            MarkdownMap::One(_, Some(_)) | MarkdownMap::Gone => {
                Err(ser::Error::custom("map key without a value"))
            }
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
