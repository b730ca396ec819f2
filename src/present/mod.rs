//! Stage: presentation, after resolution. In: a catalog (resolved or as loaded). Out: documents
//! for people: an HTML page ([`html`]), a Markdown document ([`markdown`]), a CSV table
//! ([`csv`]), each with the parameters' values filled into the prose. Nothing here reads or
//! writes: the caller resolves and writes.

pub mod csv;
pub mod html;
pub mod markdown;
