//! The profile model: imports, merge directives and modifications.

use super::catalog::{BackMatter, Metadata};
use super::common::{
    Constraint, Guideline, Link, MarkupLine, MarkupMultiline, Parameter, Part, Property, Select,
};
use serde::{Deserialize, Serialize};
use serde_json::Value;

/// An OSCAL profile.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case", deny_unknown_fields)]
pub struct Profile {
    /// Document identity.
    pub uuid: String,
    /// Metadata.
    pub metadata: Metadata,
    /// Imports, in order.
    pub imports: Vec<Import>,
    /// Merge directives.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub merge: Option<Merge>,
    /// Modifications.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub modify: Option<Modify>,
    /// Back matter.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub back_matter: Option<BackMatter>,
}

/// One import: a source document and which of its controls to take.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case", deny_unknown_fields)]
pub struct Import {
    /// The source: a URI reference, or `#uuid` of a back-matter resource.
    pub href: String,
    /// Include every control (an empty object).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub include_all: Option<Value>,
    /// Include the controls selected here.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub include_controls: Vec<SelectControls>,
    /// Exclude the controls selected here.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub exclude_controls: Vec<SelectControls>,
}

/// A control selection (`select-control-by-id`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case", deny_unknown_fields)]
pub struct SelectControls {
    /// `yes` or `no` (default no, req-with-child-controls-none).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub with_child_controls: Option<String>,
    /// Not in the released schema; read because the spec tests use it (D1).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub with_parent_controls: Option<String>,
    /// Ids to select.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub with_ids: Vec<String>,
    /// Glob patterns to select.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub matching: Vec<Matching>,
}

/// A glob pattern over control ids.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case", deny_unknown_fields)]
pub struct Matching {
    /// The pattern (`*`, `?`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pattern: Option<String>,
    /// Remarks.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub remarks: Option<MarkupMultiline>,
}

/// Merge directives: how duplicates combine and how the output is structured.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
#[serde(rename_all = "kebab-case", deny_unknown_fields)]
pub struct Merge {
    /// Combination rule.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub combine: Option<Combine>,
    /// Flat structure (an empty object).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub flat: Option<Value>,
    /// As-is structure.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub as_is: Option<bool>,
    /// Custom structure.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub custom: Option<Custom>,
}

/// The combination rule.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case", deny_unknown_fields)]
pub struct Combine {
    /// `keep`, `use-first` or the deprecated `merge`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub method: Option<String>,
}

/// The combination methods the resolver knows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CombineMethod {
    /// Keep every copy (req-merge-keep).
    Keep,
    /// Keep the first copy (req-merge-use-first).
    UseFirst,
    /// Deprecated and undefined (req-merge-combine).
    Merge,
}

/// Custom structure.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case", deny_unknown_fields)]
pub struct Custom {
    /// Groups to build.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub groups: Vec<ProfileGroup>,
    /// Controls to place at the top level.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub insert_controls: Vec<InsertControls>,
}

/// A group built by a custom merge.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case", deny_unknown_fields)]
pub struct ProfileGroup {
    /// Identifier.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    /// Class.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub class: Option<String>,
    /// Title.
    pub title: MarkupLine,
    /// Parameters.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub params: Vec<Parameter>,
    /// Properties.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub props: Vec<Property>,
    /// Links.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub links: Vec<Link>,
    /// Parts.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub parts: Vec<Part>,
    /// Sub-groups.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub groups: Vec<ProfileGroup>,
    /// Control selections placed in this group.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub insert_controls: Vec<InsertControls>,
}

/// Which merged controls to place at one point of a custom structure.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case", deny_unknown_fields)]
pub struct InsertControls {
    /// `keep`, `ascending` or `descending`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub order: Option<String>,
    /// All controls.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub include_all: Option<Value>,
    /// Selected controls.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub include_controls: Vec<SelectControls>,
    /// Excluded controls.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub exclude_controls: Vec<SelectControls>,
}

/// Modifications.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
#[serde(rename_all = "kebab-case", deny_unknown_fields)]
pub struct Modify {
    /// Parameter settings.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub set_parameters: Vec<SetParameter>,
    /// Control alterations.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub alters: Vec<Alter>,
}

/// A parameter setting.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case", deny_unknown_fields)]
pub struct SetParameter {
    /// The parameter.
    pub param_id: String,
    /// Class.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub class: Option<String>,
    /// Deprecated.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub depends_on: Option<String>,
    /// Properties.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub props: Vec<Property>,
    /// Links.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub links: Vec<Link>,
    /// Label.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub label: Option<MarkupLine>,
    /// Usage.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub usage: Option<MarkupMultiline>,
    /// Constraints.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub constraints: Vec<Constraint>,
    /// Guidelines.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub guidelines: Vec<Guideline>,
    /// Values.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub values: Vec<String>,
    /// Selection.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub select: Option<Select>,
}

/// An alteration of one control.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case", deny_unknown_fields)]
pub struct Alter {
    /// The control.
    pub control_id: String,
    /// Removals.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub removes: Vec<Remove>,
    /// Additions.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub adds: Vec<Add>,
}

/// A removal: every criterion given must match (req-modify-alter-remove-match).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
#[serde(rename_all = "kebab-case", deny_unknown_fields)]
pub struct Remove {
    /// By name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub by_name: Option<String>,
    /// By class.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub by_class: Option<String>,
    /// By id.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub by_id: Option<String>,
    /// By item name (`param`, `prop`, `link`, `part`, `control`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub by_item_name: Option<String>,
    /// By namespace.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub by_ns: Option<String>,
}

/// An addition.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case", deny_unknown_fields)]
pub struct Add {
    /// `before`, `after`, `starting`, `ending` (default).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub position: Option<String>,
    /// The object inside the control to add at.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub by_id: Option<String>,
    /// A replacement title.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub title: Option<MarkupLine>,
    /// Parameters.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub params: Vec<Parameter>,
    /// Properties.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub props: Vec<Property>,
    /// Links.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub links: Vec<Link>,
    /// Parts.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub parts: Vec<Part>,
}
