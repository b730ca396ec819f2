//! The YAML tree shown to serde: In: a [`Node`] tree. Out: whatever the typed model reads from it.
//!
//! YAML is the JSON model written as YAML, and the model's scalars are strings: a scalar reads as
//! a string wherever the model asks for one or for anything (`1.0`, `01`, `yes`, `null` stay
//! text). Only where the model asks for a boolean (it asks for no number) is a plain scalar read
//! as one, and only where it asks for an optional value does a plain empty, `~` or `null` read as
//! absent.

use super::tree::Node;
use serde::de::value::{Error, MapDeserializer, SeqDeserializer};
use serde::de::{Deserializer, Error as _, IntoDeserializer, Unexpected, Visitor};

impl<'de> IntoDeserializer<'de, Error> for &'de Node {
    type Deserializer = Self;
    fn into_deserializer(self) -> Self {
        self
    }
}

/// The core schema's null (YAML 1.2 §10.3.2), for a plain scalar.
fn is_null(node: &Node) -> bool {
    matches!(node, Node::Scalar { text, plain: true } if matches!(text.as_str(), "" | "~" | "null" | "Null" | "NULL"))
}

impl<'de> Deserializer<'de> for &'de Node {
    type Error = Error;

    fn deserialize_any<V: Visitor<'de>>(self, v: V) -> Result<V::Value, Error> {
        match self {
            Node::Scalar { text, plain } if *plain && text.is_empty() => v.visit_unit(),
            Node::Scalar { text, .. } => v.visit_borrowed_str(text),
            Node::Seq(items) => {
                let mut seq = SeqDeserializer::new(items.iter());
                let out = v.visit_seq(&mut seq)?;
                seq.end()?;
                Ok(out)
            }
            Node::Map(map) => {
                let entries = map.iter().map(|(k, n)| (k.as_str(), n));
                let mut de = MapDeserializer::new(entries);
                let out = v.visit_map(&mut de)?;
                de.end()?;
                Ok(out)
            }
        }
    }

    fn deserialize_option<V: Visitor<'de>>(self, v: V) -> Result<V::Value, Error> {
        if is_null(self) {
            v.visit_none()
        } else {
            v.visit_some(self)
        }
    }

    fn deserialize_bool<V: Visitor<'de>>(self, v: V) -> Result<V::Value, Error> {
        match self {
            Node::Scalar { text, plain: true } => match text.as_str() {
                "true" | "True" | "TRUE" => v.visit_bool(true),
                "false" | "False" | "FALSE" => v.visit_bool(false),
                other => Err(Error::invalid_type(Unexpected::Str(other), &v)),
            },
            _ => self.deserialize_any(v),
        }
    }

    // The model has no numbers: a number asked for would be a string, and refused as one. Its
    // tokens read as strings and its newtypes are transparent: it asks for no enum or newtype.
    serde::forward_to_deserialize_any! {
        i8 i16 i32 i64 i128 u8 u16 u32 u64 u128 f32 f64 char str string bytes byte_buf unit
        unit_struct newtype_struct seq tuple tuple_struct map struct enum identifier ignored_any
    }
}

#[cfg(test)]
mod tests {
    use super::super::tree::{Bounds, walk};
    use serde::Deserialize;

    #[derive(Deserialize, Debug, PartialEq)]
    struct Probe {
        version: String,
        id: String,
        flag: Option<bool>,
        note: Option<String>,
        words: Vec<String>,
    }

    #[test]
    fn scalars_stay_strings_unless_the_model_asks_for_a_boolean_or_nothing() {
        let text = "version: 1.0\nid: 01\nflag: true\nnote: ~\nwords: [yes, no, null, off]\n";
        let w = walk(
            text,
            Bounds {
                max_depth: 8,
                build: true,
            },
        )
        .expect("walks");
        let root = w.root.expect("root");
        let probe = Probe::deserialize(&root).expect("typed");
        assert_eq!(
            probe,
            Probe {
                version: "1.0".into(),
                id: "01".into(),
                flag: Some(true),
                note: None,
                words: vec!["yes".into(), "no".into(), "null".into(), "off".into()],
            }
        );
    }
}
