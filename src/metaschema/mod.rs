//! OSCAL's constraint layer: the Metaschema definitions of catalogs and profiles with their
//! constraints, a Metapath evaluator for the subset they use, and the check that applies them to
//! a document's JSON form. Sits below the line with `model`: it reads only JSON forms (any
//! `Serialize`, made compact by [`json`]) and its own data.

pub mod check;
pub mod json;
pub mod model;
pub mod path;
pub mod read;
pub mod tree;

pub use model::{Constraint, Def, DefId, DefKind, Kind, Level, MetaConstraints, Schema};
