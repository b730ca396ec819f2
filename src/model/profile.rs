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
    /// Include every control.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub include_all: Option<Directive>,
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
    pub with_child_controls: Option<YesNo>,
    /// Not in the released schema; read because the spec tests use it (D1).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub with_parent_controls: Option<YesNo>,
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
    /// Flat structure.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub flat: Option<Directive>,
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
    pub method: Option<CombineMethod>,
}

/// A directive whose presence is what counts (`flat`, `include-all`: an empty object). What it
/// holds is kept as written only so that the input's schema check can report anything in it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Directive(pub Value);

/// Defines a token enumeration of the profile schema: the known words, and `Other` holding any
/// other text as written, so that such a document still loads and the stage that reads the
/// token (or the schema check) reports it where it is, as the resolver always has.
macro_rules! tokens {
    ($(#[$doc:meta])* $name:ident { $($(#[$vdoc:meta])* $variant:ident = $word:literal,)* }) => {
        $(#[$doc])*
        #[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
        #[serde(from = "String", into = "String")]
        pub enum $name {
            $($(#[$vdoc])* $variant,)*
            /// Any other text, as written.
            Other(String),
        }

        impl $name {
            /// The token as written.
            pub fn as_str(&self) -> &str {
                match self {
                    $(Self::$variant => $word,)*
                    Self::Other(s) => s,
                }
            }
        }

        impl From<String> for $name {
            fn from(s: String) -> Self {
                match s.as_str() {
                    $($word => Self::$variant,)*
                    _ => Self::Other(s),
                }
            }
        }

        impl From<$name> for String {
            fn from(t: $name) -> String {
                match t {
                    $name::Other(s) => s,
                    known => known.as_str().to_owned(),
                }
            }
        }
    };
}

tokens! {
    /// A combination method (`merge/combine/@method`).
    CombineMethod {
        /// Keep every copy (req-merge-keep).
        Keep = "keep",
        /// Keep the first copy (req-merge-use-first).
        UseFirst = "use-first",
        /// Deprecated and undefined (req-merge-combine).
        Merge = "merge",
    }
}

tokens! {
    /// `with-child-controls` and (D1) `with-parent-controls`.
    YesNo {
        /// Yes.
        Yes = "yes",
        /// No.
        No = "no",
    }
}

tokens! {
    /// The order in which `insert-controls` places its controls.
    Order {
        /// As met through the imports (req-custom-select).
        Keep = "keep",
        /// By id, ascending.
        Ascending = "ascending",
        /// By id, descending.
        Descending = "descending",
    }
}

tokens! {
    /// Where an `add` puts its content.
    Position {
        /// Before the target object.
        Before = "before",
        /// After the target object.
        After = "after",
        /// At the start of the target (the control when no `by-id`).
        Starting = "starting",
        /// At the end of the target (the default).
        Ending = "ending",
    }
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
    pub order: Option<Order>,
    /// All controls.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub include_all: Option<Directive>,
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
    pub position: Option<Position>,
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
