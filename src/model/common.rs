//! Building blocks shared by catalogs and profiles: markup, properties, links, parts, parameters.

use serde::de::{self, MapAccess, Visitor};
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use std::fmt;

/// Prose as loaded: the JSON form (Markdown) or the XML form (a serialized XML fragment).
///
/// Kept in the form it was read in so that a document written back in the same format is
/// unchanged; conversion happens only when the output format differs (`crate::model::markup`).
/// In the JSON value domain the XML form is the object `{"$xml": "<p>…</p>"}`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Markup {
    /// Markdown text, as in OSCAL JSON.
    Markdown(String),
    /// An XML fragment (the content of the markup element), as in OSCAL XML.
    Xml(String),
}

/// The key under which the XML form of markup travels in a JSON value.
pub const XML_MARKUP_KEY: &str = "$xml";

impl Markup {
    /// Markup from Markdown text.
    pub fn markdown(text: impl Into<String>) -> Self {
        Markup::Markdown(text.into())
    }

    /// The Markdown form (converted if the markup was read from XML).
    pub fn to_markdown(&self) -> String {
        match self {
            Markup::Markdown(s) => s.clone(),
            Markup::Xml(x) => crate::model::markup::xml_to_markdown(x),
        }
    }

    /// The XML fragment form (converted if the markup was read from JSON).
    pub fn to_xml(&self, multiline: bool) -> String {
        match self {
            Markup::Markdown(s) => crate::model::markup::markdown_to_xml(s, multiline),
            Markup::Xml(x) => x.clone(),
        }
    }

    /// The raw text as loaded, whichever form it is in.
    pub fn raw(&self) -> &str {
        match self {
            Markup::Markdown(s) | Markup::Xml(s) => s,
        }
    }
}

impl Serialize for Markup {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match self {
            Markup::Markdown(text) => s.serialize_str(text),
            Markup::Xml(fragment) => {
                use serde::ser::SerializeMap;
                let mut map = s.serialize_map(Some(1))?;
                map.serialize_entry(XML_MARKUP_KEY, fragment)?;
                map.end()
            }
        }
    }
}

impl<'de> Deserialize<'de> for Markup {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct MarkupVisitor;
        impl<'de> Visitor<'de> for MarkupVisitor {
            type Value = Markup;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a markup string")
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<Markup, E> {
                Ok(Markup::Markdown(v.to_owned()))
            }
            fn visit_string<E: de::Error>(self, v: String) -> Result<Markup, E> {
                Ok(Markup::Markdown(v))
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Markup, A::Error> {
                let mut fragment = None;
                while let Some(key) = map.next_key::<String>()? {
                    if key == XML_MARKUP_KEY {
                        fragment = Some(map.next_value::<String>()?);
                    } else {
                        return Err(de::Error::unknown_field(&key, &[XML_MARKUP_KEY]));
                    }
                }
                fragment
                    .map(Markup::Xml)
                    .ok_or_else(|| de::Error::missing_field(XML_MARKUP_KEY))
            }
        }
        d.deserialize_any(MarkupVisitor)
    }
}

/// A `markup-line` value (inline markup only).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(transparent)]
pub struct MarkupLine(pub Markup);

/// A `markup-multiline` value (block markup).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(transparent)]
pub struct MarkupMultiline(pub Markup);

impl MarkupLine {
    /// A markup line from Markdown text.
    pub fn markdown(text: impl Into<String>) -> Self {
        MarkupLine(Markup::markdown(text))
    }
}

/// A property: a name/value pair with optional namespace.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case", deny_unknown_fields)]
pub struct Property {
    /// The property name.
    pub name: String,
    /// Identifies this property.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub uuid: Option<String>,
    /// The namespace of the name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ns: Option<String>,
    /// The value.
    pub value: String,
    /// A class.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub class: Option<String>,
    /// A group label.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub group: Option<String>,
    /// Remarks.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub remarks: Option<MarkupMultiline>,
}

impl Property {
    /// A property with just a name and value.
    pub fn new(name: impl Into<String>, value: impl Into<String>) -> Self {
        Property {
            name: name.into(),
            value: value.into(),
            ..Property::default()
        }
    }

    /// Whether this is `keep=always` (req-prune-keep, req-backmatter-keep).
    pub fn is_keep_always(&self) -> bool {
        self.name == "keep" && self.value == "always" && self.ns.is_none()
    }
}

/// A link to another resource.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case", deny_unknown_fields)]
pub struct Link {
    /// The target.
    pub href: String,
    /// The relation.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rel: Option<String>,
    /// The media type of the target.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub media_type: Option<String>,
    /// A fragment inside the target resource.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub resource_fragment: Option<String>,
    /// Link text.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub text: Option<MarkupLine>,
}

impl Link {
    /// A link with a relation.
    pub fn new(href: impl Into<String>, rel: Option<&str>) -> Self {
        Link {
            href: href.into(),
            rel: rel.map(str::to_owned),
            ..Link::default()
        }
    }
}

/// A part: a named, possibly nested, piece of prose.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case", deny_unknown_fields)]
pub struct Part {
    /// Identifier.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    /// Name (`statement`, `item`, `guidance`, …).
    pub name: String,
    /// Namespace of the name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ns: Option<String>,
    /// Class.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub class: Option<String>,
    /// Title.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub title: Option<MarkupLine>,
    /// Properties.
    #[serde(
        default,
        deserialize_with = "super::compact",
        skip_serializing_if = "Vec::is_empty"
    )]
    pub props: Vec<Property>,
    /// Prose.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub prose: Option<MarkupMultiline>,
    /// Sub-parts.
    #[serde(
        default,
        deserialize_with = "super::compact",
        skip_serializing_if = "Vec::is_empty"
    )]
    pub parts: Vec<Part>,
    /// Links.
    #[serde(
        default,
        deserialize_with = "super::compact",
        skip_serializing_if = "Vec::is_empty"
    )]
    pub links: Vec<Link>,
}

/// A parameter: a value to be assigned in a control.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case", deny_unknown_fields)]
pub struct Parameter {
    /// Identifier.
    pub id: String,
    /// Class.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub class: Option<String>,
    /// Deprecated: another parameter invoking this one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub depends_on: Option<String>,
    /// Properties.
    #[serde(
        default,
        deserialize_with = "super::compact",
        skip_serializing_if = "Vec::is_empty"
    )]
    pub props: Vec<Property>,
    /// Links.
    #[serde(
        default,
        deserialize_with = "super::compact",
        skip_serializing_if = "Vec::is_empty"
    )]
    pub links: Vec<Link>,
    /// Label.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub label: Option<MarkupLine>,
    /// Usage.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub usage: Option<MarkupMultiline>,
    /// Constraints.
    #[serde(
        default,
        deserialize_with = "super::compact",
        skip_serializing_if = "Vec::is_empty"
    )]
    pub constraints: Vec<Constraint>,
    /// Guidelines.
    #[serde(
        default,
        deserialize_with = "super::compact",
        skip_serializing_if = "Vec::is_empty"
    )]
    pub guidelines: Vec<Guideline>,
    /// Values (exclusive with `select`).
    #[serde(
        default,
        deserialize_with = "super::compact",
        skip_serializing_if = "Vec::is_empty"
    )]
    pub values: Vec<String>,
    /// Selection (exclusive with `values`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub select: Option<Select>,
    /// Remarks.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub remarks: Option<MarkupMultiline>,
}

/// A parameter constraint.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case", deny_unknown_fields)]
pub struct Constraint {
    /// Description.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<MarkupMultiline>,
    /// Tests.
    #[serde(
        default,
        deserialize_with = "super::compact",
        skip_serializing_if = "Vec::is_empty"
    )]
    pub tests: Vec<ConstraintTest>,
}

/// A constraint test.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case", deny_unknown_fields)]
pub struct ConstraintTest {
    /// The expression.
    pub expression: String,
    /// Remarks.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub remarks: Option<MarkupMultiline>,
}

/// A parameter guideline.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case", deny_unknown_fields)]
pub struct Guideline {
    /// Prose.
    pub prose: MarkupMultiline,
}

/// A parameter selection.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case", deny_unknown_fields)]
pub struct Select {
    /// `one` or `one-or-more`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub how_many: Option<String>,
    /// Choices.
    #[serde(
        default,
        deserialize_with = "super::compact",
        skip_serializing_if = "Vec::is_empty"
    )]
    pub choice: Vec<MarkupLine>,
}
