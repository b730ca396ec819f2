//! Stage: the end of `resolve`, between the resolved catalog and its output. In: the typed
//! catalog, where it goes, in which format. Out: the output check's diagnostics and the output
//! prepared as far as it can go without being final ([`Ahead`]).
//!
//! The check and the writing both only read the catalog, so on two cores they run side by side:
//! while the check runs, the output is rendered and written into its temporary file beside the
//! target. Nothing the user sees changes: the temporary file is renamed over the target only
//! once the check has passed and its diagnostics are reported (see `deliver` in `mod.rs`), and
//! is deleted otherwise; standard output, a device or a FIFO get their bytes only then.

use super::output::{self, Staged, Target, WriteError};
use oscalc::diag::Diagnostic;
use oscalc::load::Format;
use oscalc::resolve::ResolvedCatalog;

/// The output as far as it got before the check's verdict.
pub(super) enum Ahead {
    /// The XML could not be rendered: the diagnostic joins the run's batch.
    Unrendered(Box<Diagnostic>),
    /// Complete in a temporary file beside the target, or why it cannot be written there.
    Staged(Result<Staged, WriteError>),
    /// Rendered XML for a target that takes it only when final.
    Xml(Vec<u8>),
    /// JSON or YAML for a target that takes it only when final, streamed from the catalog then.
    Later,
}

/// Renders the catalog (XML, which can fail, before anything is written) and writes it into a
/// temporary file beside `target` where it is a file. A target that is an input of the run
/// (`read`) is refused before anything is created beside it.
pub(super) fn prepare(
    resolved: &ResolvedCatalog,
    target: &Target,
    format: Format,
    read: &[(u64, u64)],
) -> Ahead {
    let xml = match format {
        Format::Xml => match oscalc::emit::try_emit(resolved, Format::Xml) {
            Ok(b) => Some(b),
            Err(d) => return Ahead::Unrendered(d),
        },
        _ => None,
    };
    if let Err(e) = output::refuse_input(target, read) {
        return Ahead::Staged(Err(e));
    }
    let staged = match &xml {
        Some(b) => output::stage(target, |w| w.write_all(b)),
        None => output::stage(target, |w| {
            oscalc::emit::write_to(resolved, format, w).map_err(std::io::Error::from)
        }),
    };
    match (staged, xml) {
        (Some(s), _) => Ahead::Staged(s),
        (None, Some(b)) => Ahead::Xml(b),
        (None, None) => Ahead::Later,
    }
}

/// How many cores the process may use, as the library's checks count them.
pub(super) use oscalc::check::cores;

/// `check()` and `prepare()` side by side: `prepare` on a thread of its own, `check` (which has
/// threads of its own) here; one after the other on one core, or when no thread can be started.
pub(super) fn beside<C, P: Send>(
    check: impl FnOnce() -> C,
    prepare: impl Fn() -> P + Sync,
) -> (C, P) {
    if cores() < 2 {
        let checked = check();
        return (checked, prepare());
    }
    std::thread::scope(|s| {
        let helper = std::thread::Builder::new().spawn_scoped(s, || {
            oscalc::check::grow_arena();
            prepare()
        });
        let checked = check();
        let prepared = match helper {
            // A panic while writing is a bug: it goes on as if the writing had run here (the
            // staged file, if any, was deleted as the panic unwound).
            Ok(h) => h.join().unwrap_or_else(|p| std::panic::resume_unwind(p)),
            Err(_) => prepare(),
        };
        (checked, prepared)
    })
}
