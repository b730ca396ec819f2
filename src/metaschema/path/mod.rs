//! Metapath, the subset OSCAL's constraints use: parsed once into an expression, evaluated over
//! any tree that implements [`Node`].
//!
//! Expressions come from untrusted files (`--constraints FILE`): parsing and evaluation are
//! bounded (length, nesting depth, steps per evaluation) and never panic.

use std::borrow::Cow;

/// A node of a document as Metapath sees it: assemblies and fields (model children) and flags.
pub trait Node: Clone + PartialEq {
    /// The name a step matches: a model instance's or flag's use-name; empty for the document.
    fn name(&self) -> &str;
    /// Whether this is a flag (reached by the attribute axis only).
    fn is_flag(&self) -> bool;
    /// The parent (a flag's parent is its owner); `None` for the document node.
    fn parent(&self) -> Option<Self>;
    /// Model children in document order.
    fn children(&self) -> Vec<Self>;
    /// Flags, in document order.
    fn flags(&self) -> Vec<Self>;
    /// The atomized value of a field or flag; `None` for an assembly or the document.
    fn value(&self) -> Option<Cow<'_, str>>;
    /// The declared default of flag `name` on this node's definition (`ns`), if any.
    fn flag_default(&self, name: &str) -> Option<&str>;
    /// Position in document order, for sorting and removing duplicates in unions.
    fn order(&self) -> usize;
}
