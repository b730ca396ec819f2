//! The catalog model: catalog, group, control, metadata and back-matter.

use super::common::{Link, MarkupLine, MarkupMultiline, Parameter, Part, Property};
use serde::{Deserialize, Serialize};
use serde_json::Value;

/// An OSCAL catalog, also the shape of a resolved profile.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case", deny_unknown_fields)]
pub struct Catalog {
    /// Document identity.
    pub uuid: String,
    /// Metadata.
    pub metadata: Metadata,
    /// Loose parameters.
    #[serde(
        default,
        deserialize_with = "super::compact",
        skip_serializing_if = "Vec::is_empty"
    )]
    pub params: Vec<Parameter>,
    /// Top-level controls.
    #[serde(
        default,
        deserialize_with = "super::compact",
        skip_serializing_if = "Vec::is_empty"
    )]
    pub controls: Vec<Control>,
    /// Top-level groups.
    #[serde(
        default,
        deserialize_with = "super::compact",
        skip_serializing_if = "Vec::is_empty"
    )]
    pub groups: Vec<Group>,
    /// Back matter.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub back_matter: Option<BackMatter>,
}

/// A group of controls or of groups.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case", deny_unknown_fields)]
pub struct Group {
    /// Identifier (optional in catalogs).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    /// Class.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub class: Option<String>,
    /// Title.
    pub title: MarkupLine,
    /// Parameters.
    #[serde(
        default,
        deserialize_with = "super::compact",
        skip_serializing_if = "Vec::is_empty"
    )]
    pub params: Vec<Parameter>,
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
    /// Parts.
    #[serde(
        default,
        deserialize_with = "super::compact",
        skip_serializing_if = "Vec::is_empty"
    )]
    pub parts: Vec<Part>,
    /// Sub-groups.
    #[serde(
        default,
        deserialize_with = "super::compact",
        skip_serializing_if = "Vec::is_empty"
    )]
    pub groups: Vec<Group>,
    /// Controls.
    #[serde(
        default,
        deserialize_with = "super::compact",
        skip_serializing_if = "Vec::is_empty"
    )]
    pub controls: Vec<Control>,
}

/// A control, possibly with child controls (enhancements).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case", deny_unknown_fields)]
pub struct Control {
    /// Identifier.
    pub id: String,
    /// Class.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub class: Option<String>,
    /// Title.
    pub title: MarkupLine,
    /// Parameters.
    #[serde(
        default,
        deserialize_with = "super::compact",
        skip_serializing_if = "Vec::is_empty"
    )]
    pub params: Vec<Parameter>,
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
    /// Parts.
    #[serde(
        default,
        deserialize_with = "super::compact",
        skip_serializing_if = "Vec::is_empty"
    )]
    pub parts: Vec<Part>,
    /// Child controls.
    #[serde(
        default,
        deserialize_with = "super::compact",
        skip_serializing_if = "Vec::is_empty"
    )]
    pub controls: Vec<Control>,
}

/// Document metadata. The assemblies the resolver never looks into are kept as JSON values, in
/// order, so they pass through unchanged.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case", deny_unknown_fields)]
pub struct Metadata {
    /// Title.
    pub title: MarkupLine,
    /// Publication date.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub published: Option<String>,
    /// Last modified.
    pub last_modified: String,
    /// Document version.
    pub version: String,
    /// OSCAL version.
    pub oscal_version: String,
    /// Revisions.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub revisions: Vec<Value>,
    /// Document identifiers.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub document_ids: Vec<Value>,
    /// Properties.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub props: Vec<Property>,
    /// Links.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub links: Vec<Link>,
    /// Roles.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub roles: Vec<Value>,
    /// Locations.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub locations: Vec<Value>,
    /// Parties.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub parties: Vec<Value>,
    /// Responsible parties.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub responsible_parties: Vec<Value>,
    /// Actions.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub actions: Vec<Value>,
    /// Remarks.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub remarks: Option<MarkupMultiline>,
}

/// Back matter: resources referenced from the document.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
#[serde(rename_all = "kebab-case", deny_unknown_fields)]
pub struct BackMatter {
    /// Resources.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub resources: Vec<Resource>,
}

/// A back-matter resource.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case", deny_unknown_fields)]
pub struct Resource {
    /// Identity (req-id-uuid).
    pub uuid: String,
    /// Title.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub title: Option<MarkupLine>,
    /// Description.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<MarkupMultiline>,
    /// Properties.
    #[serde(
        default,
        deserialize_with = "super::compact",
        skip_serializing_if = "Vec::is_empty"
    )]
    pub props: Vec<Property>,
    /// Document identifiers.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub document_ids: Vec<Value>,
    /// Citation.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub citation: Option<Value>,
    /// Links to the resource's representations.
    #[serde(
        default,
        deserialize_with = "super::compact",
        skip_serializing_if = "Vec::is_empty"
    )]
    pub rlinks: Vec<Rlink>,
    /// The resource embedded as base64.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub base64: Option<Base64>,
    /// Remarks.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub remarks: Option<MarkupMultiline>,
}

impl Resource {
    /// Whether the resource carries `keep=always` (req-backmatter-keep).
    pub fn is_keep_always(&self) -> bool {
        self.props.iter().any(Property::is_keep_always)
    }
}

/// A link to one representation of a resource.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case", deny_unknown_fields)]
pub struct Rlink {
    /// The target.
    pub href: String,
    /// Media type.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub media_type: Option<String>,
    /// Hashes.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub hashes: Vec<Value>,
}

/// An embedded base64 representation.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case", deny_unknown_fields)]
pub struct Base64 {
    /// File name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub filename: Option<String>,
    /// Media type.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub media_type: Option<String>,
    /// The data.
    pub value: String,
}

/// How many controls (nested ones included) and groups a catalog holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Counts {
    /// Controls at any depth, under groups or other controls.
    pub controls: usize,
    /// Groups at any depth.
    pub groups: usize,
}

impl Catalog {
    /// Counts controls and groups at every depth, by an explicit stack (no recursion on input).
    pub fn counts(&self) -> Counts {
        let mut n = Counts::default();
        let mut groups: Vec<&Group> = self.groups.iter().collect();
        let mut controls: Vec<&Control> = self.controls.iter().collect();
        while let Some(g) = groups.pop() {
            n.groups += 1;
            groups.extend(&g.groups);
            controls.extend(&g.controls);
        }
        while let Some(c) = controls.pop() {
            n.controls += 1;
            controls.extend(&c.controls);
        }
        n
    }
}
