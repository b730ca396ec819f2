//! Presentation of a resolved catalog for people: the text a parameter stands for in prose
//! ([`values`]), the picture of a profile's imports ([`graph`]), and documents for reviewers:
//! an HTML page ([`html`]), a Markdown document ([`markdown`]), a CSV table ([`csv`]), each
//! with the parameters' values filled into the prose.
//!
//! Stage: after resolution, beside `emit`. In: a resolved [`crate::model::Catalog`] (or one as
//! loaded), or a profile's URI and a [`crate::World`]. Out: the catalog with its inserts filled
//! in (still OSCAL), a text picture, or a document in a size-capped string. Nothing here reads a
//! file or prints: the callers (the CLI's `resolve --show-values`, `graph` and `render`) write
//! what these functions give.

pub mod csv;
pub mod graph;
pub mod html;
pub mod markdown;
pub mod values;
