//! Reference scanning on the typed model: a serde `Serializer` that builds nothing and only
//! visits strings, so pruning (req-prune-ref) finds the same ids as `super::refs::collect` on
//! the content's JSON form without building that form. Strings are scanned with
//! [`super::refs::scan_text`]; the value of a `depends-on` key is taken whole, as `collect` does.

use super::refs::scan_text;
use indexmap::IndexSet;
use serde::Serialize;
use serde::ser::{self, Impossible};

/// Collects every referenced id in `v` (markup in either form), as `refs::collect` on its JSON form.
pub fn collect<T: Serialize + ?Sized>(v: &T, out: &mut IndexSet<String>) {
    let _ = v.serialize(Scan {
        out,
        depends_on: false,
    });
}

/// Never produced: scanning cannot fail.
#[derive(Debug)]
pub struct Never;

impl std::fmt::Display for Never {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("reference scan")
    }
}
impl std::error::Error for Never {}
impl ser::Error for Never {
    fn custom<M: std::fmt::Display>(_: M) -> Self {
        Never
    }
}

struct Scan<'a> {
    out: &'a mut IndexSet<String>,
    /// The value being visited is the value of a `depends-on` key.
    depends_on: bool,
}

impl<'a> Scan<'a> {
    fn child(&mut self, depends_on: bool) -> Scan<'_> {
        Scan {
            out: self.out,
            depends_on,
        }
    }
}

macro_rules! ignore {
    ($($f:ident($t:ty)),* $(,)?) => {
        $(fn $f(self, _: $t) -> Result<(), Never> { Ok(()) })*
    };
}

impl<'a> ser::Serializer for Scan<'a> {
    type Ok = ();
    type Error = Never;
    type SerializeSeq = Self;
    type SerializeTuple = Self;
    type SerializeTupleStruct = Self;
    type SerializeTupleVariant = Self;
    type SerializeMap = MapScan<'a>;
    type SerializeStruct = Self;
    type SerializeStructVariant = Self;

    ignore!(
        serialize_bool(bool),
        serialize_i8(i8),
        serialize_i16(i16),
        serialize_i32(i32),
        serialize_i64(i64),
        serialize_u8(u8),
        serialize_u16(u16),
        serialize_u32(u32),
        serialize_u64(u64),
        serialize_f32(f32),
        serialize_f64(f64),
        serialize_bytes(&[u8]),
    );

    fn serialize_char(self, v: char) -> Result<(), Never> {
        self.serialize_str(v.encode_utf8(&mut [0; 4]))
    }
    fn serialize_str(self, v: &str) -> Result<(), Never> {
        if self.depends_on {
            // A param's deprecated depends-on names another param.
            self.out.insert(v.to_owned());
        } else {
            scan_text(v, self.out);
        }
        Ok(())
    }
    fn serialize_none(self) -> Result<(), Never> {
        Ok(())
    }
    fn serialize_some<T: Serialize + ?Sized>(self, v: &T) -> Result<(), Never> {
        v.serialize(self)
    }
    fn serialize_unit(self) -> Result<(), Never> {
        Ok(())
    }
    fn serialize_unit_struct(self, _: &'static str) -> Result<(), Never> {
        Ok(())
    }
    fn serialize_unit_variant(self, _: &'static str, _: u32, v: &'static str) -> Result<(), Never> {
        // The JSON form of a unit variant is its name, a string.
        self.serialize_str(v)
    }
    fn serialize_newtype_struct<T: Serialize + ?Sized>(
        self,
        _: &'static str,
        v: &T,
    ) -> Result<(), Never> {
        v.serialize(self)
    }
    fn serialize_newtype_variant<T: Serialize + ?Sized>(
        mut self,
        _: &'static str,
        _: u32,
        _: &'static str,
        v: &T,
    ) -> Result<(), Never> {
        v.serialize(self.child(false))
    }
    fn serialize_seq(mut self, _: Option<usize>) -> Result<Self, Never> {
        self.depends_on = false;
        Ok(self)
    }
    fn serialize_tuple(self, n: usize) -> Result<Self, Never> {
        self.serialize_seq(Some(n))
    }
    fn serialize_tuple_struct(self, _: &'static str, n: usize) -> Result<Self, Never> {
        self.serialize_seq(Some(n))
    }
    fn serialize_tuple_variant(
        self,
        _: &'static str,
        _: u32,
        _: &'static str,
        n: usize,
    ) -> Result<Self, Never> {
        self.serialize_seq(Some(n))
    }
    fn serialize_map(self, _: Option<usize>) -> Result<MapScan<'a>, Never> {
        Ok(MapScan {
            out: self.out,
            depends_on: false,
        })
    }
    fn serialize_struct(self, _: &'static str, n: usize) -> Result<Self, Never> {
        self.serialize_seq(Some(n))
    }
    fn serialize_struct_variant(
        self,
        _: &'static str,
        _: u32,
        _: &'static str,
        n: usize,
    ) -> Result<Self, Never> {
        self.serialize_seq(Some(n))
    }
}

macro_rules! elements {
    ($($tr:ident :: $f:ident),* $(,)?) => {
        $(impl ser::$tr for Scan<'_> {
            type Ok = ();
            type Error = Never;
            fn $f<T: Serialize + ?Sized>(&mut self, v: &T) -> Result<(), Never> {
                v.serialize(self.child(false))
            }
            fn end(self) -> Result<(), Never> {
                Ok(())
            }
        })*
    };
}
elements!(
    SerializeSeq::serialize_element,
    SerializeTuple::serialize_element,
    SerializeTupleStruct::serialize_field,
    SerializeTupleVariant::serialize_field,
);

macro_rules! fields {
    ($($tr:ident),*) => {
        $(impl ser::$tr for Scan<'_> {
            type Ok = ();
            type Error = Never;
            fn serialize_field<T: Serialize + ?Sized>(
                &mut self,
                key: &'static str,
                v: &T,
            ) -> Result<(), Never> {
                v.serialize(self.child(key == "depends-on"))
            }
            fn end(self) -> Result<(), Never> {
                Ok(())
            }
        })*
    };
}
fields!(SerializeStruct, SerializeStructVariant);

/// A map: keys are not scanned (as in `collect`), but a `depends-on` key marks its value.
pub struct MapScan<'a> {
    out: &'a mut IndexSet<String>,
    depends_on: bool,
}

impl ser::SerializeMap for MapScan<'_> {
    type Ok = ();
    type Error = Never;
    fn serialize_key<T: Serialize + ?Sized>(&mut self, key: &T) -> Result<(), Never> {
        self.depends_on = key.serialize(KeyIs("depends-on")).unwrap_or(false);
        Ok(())
    }
    fn serialize_value<T: Serialize + ?Sized>(&mut self, v: &T) -> Result<(), Never> {
        let depends_on = std::mem::take(&mut self.depends_on);
        v.serialize(Scan {
            out: self.out,
            depends_on,
        })
    }
    fn end(self) -> Result<(), Never> {
        Ok(())
    }
}

/// Whether a map key is the given string.
struct KeyIs(&'static str);

impl ser::Serializer for KeyIs {
    type Ok = bool;
    type Error = Never;
    type SerializeSeq = Impossible<bool, Never>;
    type SerializeTuple = Impossible<bool, Never>;
    type SerializeTupleStruct = Impossible<bool, Never>;
    type SerializeTupleVariant = Impossible<bool, Never>;
    type SerializeMap = Impossible<bool, Never>;
    type SerializeStruct = Impossible<bool, Never>;
    type SerializeStructVariant = Impossible<bool, Never>;

    fn serialize_str(self, v: &str) -> Result<bool, Never> {
        Ok(v == self.0)
    }
    fn serialize_bool(self, _: bool) -> Result<bool, Never> {
        Ok(false)
    }
    fn serialize_i8(self, _: i8) -> Result<bool, Never> {
        Ok(false)
    }
    fn serialize_i16(self, _: i16) -> Result<bool, Never> {
        Ok(false)
    }
    fn serialize_i32(self, _: i32) -> Result<bool, Never> {
        Ok(false)
    }
    fn serialize_i64(self, _: i64) -> Result<bool, Never> {
        Ok(false)
    }
    fn serialize_u8(self, _: u8) -> Result<bool, Never> {
        Ok(false)
    }
    fn serialize_u16(self, _: u16) -> Result<bool, Never> {
        Ok(false)
    }
    fn serialize_u32(self, _: u32) -> Result<bool, Never> {
        Ok(false)
    }
    fn serialize_u64(self, _: u64) -> Result<bool, Never> {
        Ok(false)
    }
    fn serialize_f32(self, _: f32) -> Result<bool, Never> {
        Ok(false)
    }
    fn serialize_f64(self, _: f64) -> Result<bool, Never> {
        Ok(false)
    }
    fn serialize_char(self, _: char) -> Result<bool, Never> {
        Ok(false)
    }
    fn serialize_bytes(self, _: &[u8]) -> Result<bool, Never> {
        Ok(false)
    }
    fn serialize_none(self) -> Result<bool, Never> {
        Ok(false)
    }
    fn serialize_some<T: Serialize + ?Sized>(self, _: &T) -> Result<bool, Never> {
        Ok(false)
    }
    fn serialize_unit(self) -> Result<bool, Never> {
        Ok(false)
    }
    fn serialize_unit_struct(self, _: &'static str) -> Result<bool, Never> {
        Ok(false)
    }
    fn serialize_unit_variant(
        self,
        _: &'static str,
        _: u32,
        v: &'static str,
    ) -> Result<bool, Never> {
        Ok(v == self.0)
    }
    fn serialize_newtype_struct<T: Serialize + ?Sized>(
        self,
        _: &'static str,
        v: &T,
    ) -> Result<bool, Never> {
        v.serialize(self)
    }
    fn serialize_newtype_variant<T: Serialize + ?Sized>(
        self,
        _: &'static str,
        _: u32,
        _: &'static str,
        _: &T,
    ) -> Result<bool, Never> {
        Ok(false)
    }
    fn serialize_seq(self, _: Option<usize>) -> Result<Self::SerializeSeq, Never> {
        Err(Never)
    }
    fn serialize_tuple(self, _: usize) -> Result<Self::SerializeTuple, Never> {
        Err(Never)
    }
    fn serialize_tuple_struct(
        self,
        _: &'static str,
        _: usize,
    ) -> Result<Self::SerializeTupleStruct, Never> {
        Err(Never)
    }
    fn serialize_tuple_variant(
        self,
        _: &'static str,
        _: u32,
        _: &'static str,
        _: usize,
    ) -> Result<Self::SerializeTupleVariant, Never> {
        Err(Never)
    }
    fn serialize_map(self, _: Option<usize>) -> Result<Self::SerializeMap, Never> {
        Err(Never)
    }
    fn serialize_struct(self, _: &'static str, _: usize) -> Result<Self::SerializeStruct, Never> {
        Err(Never)
    }
    fn serialize_struct_variant(
        self,
        _: &'static str,
        _: u32,
        _: &'static str,
        _: usize,
    ) -> Result<Self::SerializeStructVariant, Never> {
        Err(Never)
    }
}

#[cfg(test)]
mod tests {
    use indexmap::IndexSet;
    use serde_json::Value;

    /// The reference scan over a JSON value of the content: the oracle the typed walk must match.
    fn collect_value(v: &Value, out: &mut IndexSet<String>) {
        match v {
            Value::String(s) => super::super::refs::scan_text(s, out),
            Value::Array(a) => a.iter().for_each(|x| collect_value(x, out)),
            Value::Object(m) => {
                for (k, x) in m {
                    match (k.as_str(), x) {
                        ("depends-on", Value::String(s)) => {
                            out.insert(s.clone());
                        }
                        _ => collect_value(x, out),
                    }
                }
            }
            _ => {}
        }
    }

    use super::*;
    use crate::model::{Catalog, Document};

    fn rev4_catalog() -> Catalog {
        let p = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("tests/fixtures/sp800-53-rev4/nist.gov/SP800-53/rev4/json/NIST_SP-800-53_rev4_catalog.json");
        let bytes = std::fs::read(p).expect("fixture");
        let uri = url::Url::parse("file:///c.json").expect("url");
        let mut sources = crate::source::SourceMap::default();
        let loaded = crate::load::load(bytes, &uri, &mut sources, &crate::Options::default())
            .expect("loads");
        match loaded.doc {
            Document::Catalog(c) => c,
            Document::Profile(_) => panic!("a catalog"),
        }
    }

    #[test]
    fn scan_finds_what_collect_finds_on_the_json_form() {
        let c = rev4_catalog();
        let mut direct = IndexSet::new();
        collect(&c, &mut direct);
        let mut via_value = IndexSet::new();
        collect_value(&serde_json::to_value(&c).expect("value"), &mut via_value);
        assert!(direct.len() > 100, "only {} references", direct.len());
        assert_eq!(direct, via_value);
    }

    #[test]
    fn depends_on_value_is_taken_whole() {
        let v = serde_json::json!({"params": [{"id": "p1", "depends-on": "p 2 #x"}]});
        let mut out = IndexSet::new();
        collect(&v, &mut out);
        let got: Vec<&str> = out.iter().map(String::as_str).collect();
        assert_eq!(got, ["p 2 #x"]);
    }
}
