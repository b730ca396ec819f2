//! Reading Metaschema: OSCAL's modules into a [`Schema`], and `metaschema-meta-constraints`
//! documents into [`MetaConstraints`](super::model::MetaConstraints).
//!
//! Stage: read (constraint layer). In: the text of Metaschema modules, given by a resolver
//! callback (at generation time: `cargo run --example metaschema_gen` writes `oscal.json`, which
//! [`builtin`] parses once), or the bytes of one constraint set (`--constraints FILE`, at run
//! time, untrusted). Out: the definitions reachable from the roots with their constraints, or the
//! constraint set's contexts. Evaluating the Metapath expressions is `path`'s job; applying the
//! constraints is `check`'s.
//!
//! Left out on purpose: `<any/>` (none is active in OSCAL's catalog and profile modules) and
//! `choice-group`/`discriminator` (Metaschema 1.x constructs OSCAL does not use; a module using
//! one is refused, not half-read). A `<choice>`'s alternatives are ordinary children. Examples,
//! documentation and `<prop>`s on definitions are skipped.

mod constraint;
mod meta;
mod module;
mod xml;

use std::sync::OnceLock;

use super::model::Schema;

pub use meta::{MAX_META_BYTES, meta_constraints};
pub use module::{module, schema};

/// The OSCAL root modules the built-in schema is read from (in the Metaschema folder).
pub const OSCAL_ROOTS: [&str; 2] = [
    "oscal_catalog_metaschema.xml",
    "oscal_profile_metaschema.xml",
];

/// Why a Metaschema module or a constraint set could not be read. Offsets are byte offsets in
/// the named file.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ReadError {
    /// The resolver has no such file.
    #[error("{file}: not found (named by {by})")]
    NotFound {
        /// The file asked for.
        file: String,
        /// The file that names it (import or entity), or `root`.
        by: String,
    },
    /// A file is not well-formed XML.
    #[error("{file}:{offset}: malformed XML: {message}")]
    Xml {
        /// The file.
        file: String,
        /// Byte offset.
        offset: usize,
        /// What the XML reader found.
        message: String,
    },
    /// A file is larger than the limit.
    #[error("{file}:{offset}: more {what} than the limit of {limit}")]
    TooLarge {
        /// The file.
        file: String,
        /// Byte offset where the limit was passed.
        offset: usize,
        /// The limit.
        limit: usize,
        /// What is counted (`bytes`, `nodes`, `modules`).
        what: &'static str,
    },
    /// Elements nest deeper than the limit.
    #[error("{file}:{offset}: elements nest deeper than the limit of {limit}")]
    TooDeep {
        /// The file.
        file: String,
        /// Byte offset of the element too deep.
        offset: usize,
        /// The limit.
        limit: usize,
    },
    /// A document type declaration that could declare entities or defaults.
    #[error("{file}:{offset}: document type declaration refused")]
    Doctype {
        /// The file.
        file: String,
        /// Byte offset of the declaration.
        offset: usize,
    },
    /// An entity reference that is neither predefined nor a declared external entity.
    #[error("{file}:{offset}: entity `&{name};` is not expanded")]
    Entity {
        /// The file.
        file: String,
        /// Byte offset of the reference.
        offset: usize,
        /// The entity's name.
        name: String,
    },
    /// An element where the format has none of that name.
    #[error("{file}:{offset}: unexpected element `{element}` in `{parent}`")]
    Unexpected {
        /// The file.
        file: String,
        /// Byte offset of the element.
        offset: usize,
        /// Its local name.
        element: String,
        /// Its parent's local name.
        parent: String,
    },
    /// A construct this reader does not support (`import` of a constraint set, ...).
    #[error("{file}:{offset}: `{element}` is not supported")]
    Unsupported {
        /// The file.
        file: String,
        /// Byte offset of the element.
        offset: usize,
        /// Its local name.
        element: String,
    },
    /// A required attribute or child element is missing.
    #[error("{file}:{offset}: `{element}` has no `{missing}`")]
    Missing {
        /// The file.
        file: String,
        /// Byte offset of the element.
        offset: usize,
        /// The element.
        element: String,
        /// The attribute (`@name`) or child element missing.
        missing: String,
    },
    /// An attribute or element value out of its range (`level="SEVERE"`, `max-occurs="many"`).
    #[error("{file}:{offset}: `{name}` of `{element}` cannot be `{value}`")]
    BadValue {
        /// The file.
        file: String,
        /// Byte offset of the element.
        offset: usize,
        /// The element.
        element: String,
        /// The attribute or child element.
        name: String,
        /// The value found.
        value: String,
    },
    /// A `ref` to a definition no module in scope declares.
    #[error("{file}:{offset}: no {kind} definition `{name}` in scope")]
    UnknownRef {
        /// The file.
        file: String,
        /// Byte offset of the reference.
        offset: usize,
        /// `assembly`, `field` or `flag`.
        kind: &'static str,
        /// The name referred to.
        name: String,
    },
    /// A root module declares no root assembly.
    #[error("{file}: no assembly with a `root-name`")]
    NoRoot {
        /// The module.
        file: String,
    },
    /// A file's root element is not the one its format has.
    #[error("{file}: root element is `{found}`, not `{expected}` in the Metaschema namespace")]
    WrongRoot {
        /// The file.
        file: String,
        /// The root element found.
        found: String,
        /// The root element expected.
        expected: &'static str,
    },
}

impl ReadError {
    /// The byte offset in its file, where there is one.
    pub fn offset(&self) -> Option<usize> {
        match self {
            ReadError::Xml { offset, .. }
            | ReadError::TooLarge { offset, .. }
            | ReadError::TooDeep { offset, .. }
            | ReadError::Doctype { offset, .. }
            | ReadError::Entity { offset, .. }
            | ReadError::Unexpected { offset, .. }
            | ReadError::Unsupported { offset, .. }
            | ReadError::Missing { offset, .. }
            | ReadError::BadValue { offset, .. }
            | ReadError::UnknownRef { offset, .. } => Some(*offset),
            ReadError::NotFound { .. } | ReadError::NoRoot { .. } | ReadError::WrongRoot { .. } => {
                None
            }
        }
    }

    /// The same error with its offset mapped by `f` (a wrapper or a BOM around the text).
    fn map_offset(mut self, f: impl Fn(usize) -> usize) -> ReadError {
        match &mut self {
            ReadError::Xml { offset, .. }
            | ReadError::TooLarge { offset, .. }
            | ReadError::TooDeep { offset, .. }
            | ReadError::Doctype { offset, .. }
            | ReadError::Entity { offset, .. }
            | ReadError::Unexpected { offset, .. }
            | ReadError::Unsupported { offset, .. }
            | ReadError::Missing { offset, .. }
            | ReadError::BadValue { offset, .. }
            | ReadError::UnknownRef { offset, .. } => *offset = f(*offset),
            ReadError::NotFound { .. } | ReadError::NoRoot { .. } | ReadError::WrongRoot { .. } => {
            }
        }
        self
    }
}

/// OSCAL's catalog and profile definitions with their constraints, as committed in
/// `oscal.json` (read from the modules in `tests/fixtures/metaschema/`); parsed on first use.
///
/// ```
/// let schema = oscalc::metaschema::read::builtin();
/// let roots: Vec<&str> = schema.roots.iter().map(|(name, _)| name.as_str()).collect();
/// assert_eq!(roots, ["catalog", "profile"]);
/// ```
pub fn builtin() -> &'static Schema {
    static BUILTIN: OnceLock<Schema> = OnceLock::new();
    BUILTIN.get_or_init(|| {
        // The text is compiled in, and `tests/metaschema_read.rs` checks that it parses to the
        // modules' 92 constraints: no input reaches here, and no run panics on it.
        serde_json::from_str(include_str!("../oscal.json")).unwrap_or_default()
    })
}

/// The text of `oscal.json`: the schema read from OSCAL's root modules ([`OSCAL_ROOTS`]) through
/// `files`, serialized. `cargo run --example metaschema_gen` writes it; a test compares.
pub fn oscal_json(files: &impl Fn(&str) -> Option<String>) -> Result<String, ReadError> {
    let schema = schema(files, &OSCAL_ROOTS)?;
    let mut text = serde_json::to_string_pretty(&schema).unwrap_or_default();
    text.push('\n');
    Ok(text)
}
