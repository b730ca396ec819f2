//! The data the constraint layer works on: OSCAL's definitions (how a document's JSON form maps
//! to Metaschema's named nodes) and their constraints. Filled by `read` from Metaschema modules
//! (at generation time, committed as `oscal.json`) and from `metaschema-meta-constraints`
//! documents (`--constraints FILE`, at run time).

use serde::{Deserialize, Serialize};

/// Index of a definition in [`Schema::defs`].
pub type DefId = u32;

/// Every definition reachable from the roots, with the constraints each carries.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Schema {
    /// The definitions; inline definitions are listed like global ones.
    pub defs: Vec<Def>,
    /// Root assemblies by root name (`catalog`, `profile`).
    pub roots: Vec<(String, DefId)>,
}

/// What a definition defines.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum DefKind {
    /// An object with flags and a model of children.
    Assembly,
    /// A value with flags.
    Field,
    /// A scalar attribute.
    Flag,
}

/// One definition.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Def {
    /// The definition's name (`control`, `property`); inline ones are named as used.
    pub name: String,
    /// The Metaschema module that declares it (file name), for messages.
    pub module: String,
    /// Assembly, field or flag.
    pub kind: DefKind,
    /// The Metaschema datatype of a field's or flag's value (`token`, `uri`, `markup-line`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub as_type: Option<String>,
    /// A flag's default value (`ns` defaults to the OSCAL namespace).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub default: Option<String>,
    /// Flag instances of an assembly or field.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub flags: Vec<Child>,
    /// Model instances of an assembly (fields and assemblies), in model order.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub children: Vec<Child>,
    /// A field with flags: the JSON key that holds its value (`json-value-key`, or the
    /// Metaschema default for its type). `None` for a field written as a bare JSON scalar.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub json_value_key: Option<String>,
    /// A field whose value key is the value of one of its flags (`json-value-key-flag`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub json_value_key_flag: Option<String>,
    /// The constraints declared on this definition, in document order.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub constraints: Vec<Constraint>,
}

/// How an instance is grouped in JSON.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Group {
    /// At most one: the JSON key holds the object (or scalar) itself.
    Single,
    /// Many, always a JSON array.
    Array,
    /// Many: one item as itself, more as an array.
    SingletonOrArray,
    /// Many, as a JSON object keyed by the value of this flag.
    ByKey(String),
}

/// One instance of a definition inside another: a flag, field or assembly use.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Child {
    /// The name Metapath steps use (`use-name`, else the definition's name).
    pub name: String,
    /// The JSON key it appears under (group-as name when many, else `name`).
    pub json_key: String,
    /// JSON grouping.
    pub group: Group,
    /// Its definition.
    pub def: DefId,
}

/// A constraint's level, as declared (`level`, ERROR when absent).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum Level {
    /// CRITICAL.
    Critical,
    /// ERROR (the default).
    Error,
    /// WARNING.
    Warning,
    /// INFORMATIONAL.
    Informational,
    /// DEBUG.
    Debug,
}

/// One constraint, with what it needs to report.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Constraint {
    /// The declared id; several constraints may share one (see the Metaschema README).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    /// The declared level.
    pub level: Level,
    /// The Metapath selecting the nodes checked, relative to the definition's node (`.` when
    /// absent).
    pub target: String,
    /// What is checked.
    pub kind: Kind,
    /// The declared `<message>`, a Metapath-templated text (`{ expr }` parts), if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub message: Option<String>,
    /// The declared `<remarks>` or formal name, as plain text: the help text of a rule.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub help: Option<String>,
    /// `let` bindings in force for this constraint, outermost first: (variable, Metapath).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub lets: Vec<(String, String)>,
}

/// The kinds of constraint Metaschema has.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Kind {
    /// The target's value is one of `values`; `allow_other` keeps the list open.
    AllowedValues {
        /// (value, description) pairs.
        values: Vec<(String, String)>,
        /// `allow-other="yes"`.
        allow_other: bool,
    },
    /// The target's value matches `regex` (whole value) and parses as `datatype`.
    Matches {
        /// The regular expression, if any.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        regex: Option<String>,
        /// The Metaschema datatype, if any.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        datatype: Option<String>,
    },
    /// The targets' keys are unique.
    IsUnique {
        /// The key.
        keys: Vec<KeyField>,
    },
    /// The targets form a named index by key (keys unique).
    Index {
        /// The index's name.
        name: String,
        /// The key.
        keys: Vec<KeyField>,
    },
    /// Each target's key is in the named index.
    IndexHasKey {
        /// The index's name.
        name: String,
        /// The key.
        keys: Vec<KeyField>,
    },
    /// The number of targets is within bounds.
    HasCardinality {
        /// `min-occurs`.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        min: Option<u64>,
        /// `max-occurs` (`None`: unbounded).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        max: Option<u64>,
    },
    /// The Metapath `test` is true for each target.
    Expect {
        /// The test.
        test: String,
    },
}

/// One part of a key.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct KeyField {
    /// Metapath relative to the target.
    pub target: String,
    /// A regex the value must match whole; its group 1 is the key.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pattern: Option<String>,
}

/// A `metaschema-meta-constraints` document: constraints aimed by Metapath.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct MetaConstraints {
    /// The file it came from, for messages.
    pub source: String,
    /// The top-level contexts.
    pub contexts: Vec<Context>,
}

/// A `<context>`: constraints applied to the nodes its Metapaths select.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Context {
    /// The `<metapath target="…"/>` expressions; a nested context's are relative to each node
    /// of its parent's.
    pub targets: Vec<String>,
    /// The constraints (their `lets` filled in).
    pub constraints: Vec<Constraint>,
    /// Nested contexts.
    pub contexts: Vec<Context>,
}
