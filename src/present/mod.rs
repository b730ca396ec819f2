//! Presentation of a resolved catalog for people: the text a parameter stands for in prose
//! ([`values`]) and the picture of a profile's imports ([`graph`]).
//!
//! Stage: after resolution, beside `emit`. In: a resolved [`crate::model::Catalog`], or a
//! profile's URI and a [`crate::World`]. Out: the catalog with its inserts filled in (still
//! OSCAL), or a text picture. Nothing here reads a file or prints: the callers (the CLI's
//! `resolve --show-values` and `graph`, and the renderers) write what these functions give.

pub mod graph;
pub mod values;
