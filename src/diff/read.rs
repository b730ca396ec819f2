//! One side of a difference: the named document as a catalog. A catalog (a resolved catalog is
//! one) is taken as loaded, checked against the schema as any resolution input is (unless
//! [`Options::validate_input`] is off); a profile is resolved with the same options as
//! `resolve` uses.

use crate::diag::{Diagnostic, Sink, Warned};
use crate::model::Document;
use crate::resolve::{Outcome, ResolvedCatalog, Session};
use crate::{Options, World};
use url::Url;

/// The catalog `uri` names: the catalog itself, or the profile resolved. Diagnostics name the
/// documents of `session.sources`.
pub fn read(session: &mut Session, world: &dyn World, uri: &Url, opts: &Options) -> Outcome {
    let mut sink = Sink::with_levels(opts.lints.clone());
    let bytes = match world.fetch(uri) {
        Ok(b) => b,
        Err(e) => return failed(vec![Diagnostic::error(e.code(), e.to_string())]),
    };
    let loaded = match crate::load::load(bytes, uri, &mut session.sources, opts) {
        Ok(l) => l,
        Err(diags) => {
            // The user named this document: its text may be quoted, OSCAL or not.
            if let Some(d) = diags.first().and_then(|d| d.primary.as_ref()) {
                session.sources.allow_quoting(d.source);
            }
            sink.extend(diags);
            let (errors, _) = sink.split();
            return failed(errors);
        }
    };
    if opts.validate_input && matches!(loaded.doc, Document::Catalog(_)) {
        sink.extend(crate::check::input::check(&loaded.doc, loaded.source));
    }
    match loaded.doc {
        Document::Catalog(catalog) => {
            let (errors, warnings) = sink.split();
            let output = match errors.is_empty() {
                true => Ok(ResolvedCatalog::from(catalog)),
                false => Err(errors),
            };
            Warned { output, warnings }
        }
        // The profile is read again by the resolution, which builds its own graph of imports.
        Document::Profile(_) => session.resolve(world, uri, opts),
    }
}

fn failed(errors: Vec<Diagnostic>) -> Outcome {
    Warned {
        output: Err(errors),
        warnings: Vec::new(),
    }
}
