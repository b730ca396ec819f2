//! oscalc: the OSCAL profile compiler.
//!
//! The pipeline, one module per stage:
//! 1. [`load`]: bytes → typed [`model::Document`] (JSON directly, XML through [`xml`]).
//! 2. [`graph`]: every imported document, fetched once through a [`World`], in post-order.
//! 3. per profile, children first ([`resolve`]): [`resolve::select`] per import →
//!    [`resolve::merge`] → [`resolve::modify`] → [`resolve::finish`].
//! 4. [`validate`]: the official schema and the references the schema cannot check, on inputs
//!    (`oscalc validate`) and on the resolved catalog before it is written.
//! 5. [`emit`]: the resolved catalog as JSON or XML bytes.
#![forbid(unsafe_code)]
// Bad input is reported as a diagnostic, never by a panic: these lints keep it so outside tests.
#![cfg_attr(
    not(test),
    deny(clippy::unwrap_used, clippy::expect_used, clippy::panic)
)]

pub mod diag;
pub mod emit;
pub mod fuzzing;
pub mod graph;
pub mod load;
pub mod model;
pub mod options;
pub mod resolve;
pub mod source;
pub mod validate;
pub mod world;
pub mod xml;

pub use diag::{Diagnostic, Errors, Severity, Warned};
pub use emit::{Emit, emit, try_emit};
pub use load::Format;
pub use options::Options;
pub use resolve::{ResolvedCatalog, Session, resolve};
pub use validate::validate;
pub use world::{FsWorld, MemWorld, World};
