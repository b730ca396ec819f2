//! oscalc: the OSCAL profile compiler.
//!
//! Resolves OSCAL profiles into resolved-profile catalogs as the NIST profile-resolution
//! specification prescribes, and validates catalogs and profiles (JSON or XML). The pipeline,
//! one module per stage (`ARCHITECTURE.md` has the picture and the allowed arrows):
//! 1. [`World`]: every byte read, the root through [`World::fetch`], imports through
//!    [`World::fetch_import`] under the world's policies ([`FsWorld`]; [`MemWorld`] for tests).
//! 2. [`load`]: bytes → typed [`model::Document`] (JSON directly, XML through [`xml`]).
//! 3. [`graph`]: every imported document, fetched and loaded once, in post-order; each is checked
//!    against the schema ([`check::input`]) unless [`Options::validate_input`] is off.
//! 4. per profile, children first ([`resolve()`]): [`resolve::select`] per import →
//!    [`resolve::merge`] → [`resolve::modify`] → [`resolve::finish`], giving a
//!    [`ResolvedCatalog`].
//! 5. [`validate()`] checks a document the user names (schema and references, from [`check`]);
//!    [`validate::output`] checks a resolved catalog before it is written.
//! 6. [`emit()`]: the catalog as JSON or XML bytes.
//! 7. [`diff::diff`]: the difference of two catalogs (a profile resolved first by
//!    [`diff::read`]), for `oscalc diff`.
//!
//! Problems in documents are [`Diagnostic`]s with registered codes, returned in a [`Warned`]
//! next to the result; nothing is printed. The [`cli`] module is the `oscalc` command.
//!
//! ```
//! use oscalc::{Format, MemWorld, Options, emit, resolve, validate};
//!
//! let mut world = MemWorld::new();
//! world.add("cat.json", r#"{"catalog": {
//!   "uuid": "8bd5f2a4-6a6b-4f7c-9a43-2b4f7cbbd7a4",
//!   "metadata": {"title": "Catalog", "last-modified": "2024-01-01T00:00:00Z",
//!                "version": "1", "oscal-version": "1.2.3"},
//!   "controls": [{"id": "ac-1", "title": "Policy", "params": [{"id": "ac-1_prm_1"}]},
//!                {"id": "ac-2", "title": "Accounts"}]
//! }}"#);
//! let profile = world.add("p.json", r#"{"profile": {
//!   "uuid": "1bd5f2a4-6a6b-4f7c-9a43-2b4f7cbbd7a4",
//!   "metadata": {"title": "Baseline", "last-modified": "2024-01-01T00:00:00Z",
//!                "version": "1", "oscal-version": "1.2.3"},
//!   "imports": [{"href": "cat.json", "include-controls": [{"with-ids": ["ac-1"]}]}],
//!   "modify": {"set-parameters": [{"param-id": "ac-1_prm_1", "values": ["yearly"]}]}
//! }}"#);
//!
//! let checked = validate(&world, &profile, &Options::default());
//! assert!(checked.output.is_ok() && checked.warnings.is_empty());
//!
//! let resolved = resolve(&world, &profile, &Options::default()).output.unwrap();
//! assert!(oscalc::validate::output(&resolved).is_empty());
//! let xml = String::from_utf8(emit(&resolved, Format::Xml))?;
//! assert!(xml.contains(r#"<control id="ac-1">"#));
//! assert!(xml.contains("<value>yearly</value>"));
//! assert!(!xml.contains("ac-2"));
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
// No unsafe code. Under the `python` feature the bindings' module allows it for pyo3's macros
// (which expand to the CPython C API), so there the rest of the crate denies it instead.
#![cfg_attr(not(feature = "python"), forbid(unsafe_code))]
#![cfg_attr(feature = "python", deny(unsafe_code))]
// Bad input is reported as a diagnostic, never by a panic: these lints keep it so outside tests.
#![cfg_attr(
    not(test),
    deny(clippy::unwrap_used, clippy::expect_used, clippy::panic)
)]

pub mod check;
pub mod diag;
pub mod diff;
pub mod emit;
pub mod graph;
pub mod load;
pub mod metaschema;
pub mod model;
pub mod options;
pub mod present;
#[cfg(feature = "python")]
mod python;
pub mod resolve;
pub mod source;
pub mod validate;
pub mod world;
pub mod xml;

pub use diag::{Diagnostic, Errors, Severity, Warned};
pub use emit::{Emit, emit, try_emit};
pub use model::Format;
pub use options::Options;
pub use resolve::{ResolvedCatalog, Session, resolve};
pub use validate::validate;
pub use world::{FsWorld, MemWorld, World};
