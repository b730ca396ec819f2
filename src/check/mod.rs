//! Stage: check. In: a typed catalog or profile (an input document, with its source), a resolved
//! catalog, or a document's JSON form. Out: the diagnostics of the official OSCAL 1.2.3 JSON
//! schema and of the reference checks, located by JSON pointer.
//!
//! The checks `resolve` runs on its inputs ([`input`]) and the CLI on its output ([`output()`]),
//! and that `validate` runs on a document the user names ([`schema`], [`refs`]). They read only
//! the model: this module sits below `resolve` and `validate`, which both use it.

pub mod constraints;
pub mod input;
mod output;
mod patterns;
pub mod refs;
pub mod schema;

use crate::diag::Diagnostic;
use crate::model::ResolvedCatalog;

/// Checks a resolved catalog before it is written: schema and references. Schema violations and
/// dangling references are errors (an invalid output is not a result); duplicate ids stay
/// warnings, since `combine keep` makes them on purpose (req-merge-keep-warning). The output has
/// no source text of its own, so messages name the output pointer.
///
/// Works member by member on the typed catalog (see `output.rs`): the whole JSON form is never
/// built, and markup read from XML is not converted unless a member fails.
///
/// ```
/// use oscalc::{MemWorld, Options, resolve, validate};
///
/// let mut world = MemWorld::new();
/// world.add("cat.json", r#"{"catalog": {
///   "uuid": "8bd5f2a4-6a6b-4f7c-9a43-2b4f7cbbd7a4",
///   "metadata": {"title": "T", "last-modified": "2024-01-01T00:00:00Z",
///                "version": "1", "oscal-version": "1.2.3"},
///   "controls": [{"id": "c1", "title": "One"}]
/// }}"#);
/// let uri = world.add("p.json", r#"{"profile": {
///   "uuid": "1bd5f2a4-6a6b-4f7c-9a43-2b4f7cbbd7a4",
///   "metadata": {"title": "P", "last-modified": "2024-01-01T00:00:00Z",
///                "version": "1", "oscal-version": "1.2.3"},
///   "imports": [{"href": "cat.json", "include-all": {}}]
/// }}"#);
/// let resolved = resolve(&world, &uri, &Options::default()).output.unwrap();
/// assert!(validate::output(&resolved).is_empty());
/// ```
pub fn output(resolved: &ResolvedCatalog) -> Vec<Diagnostic> {
    in_the_output(output::check(&resolved.catalog))
}

/// Compiles the schemas the checks of a resolution need on valid documents (the lean profile
/// schema of [`input`], the lean members schema of the input catalogs' and the output's check),
/// so that a caller with a core to spare can have them ready before the documents are loaded:
/// a check that comes to a schema while it is being compiled waits for it instead of compiling it
/// again. Each is compiled once per process, whoever asks first; calling this again costs nothing.
/// Meant for a thread of its own: it first gives that thread's allocator room (see
/// `grow_arena`).
///
/// ```
/// // On a thread of its own while the documents load, as `oscalc resolve` does.
/// std::thread::scope(|s| {
///     s.spawn(oscalc::check::prepare);
/// });
/// ```
pub fn prepare() {
    grow_arena();
    input::prepare();
    output::prepare();
}

/// How many cores the process may use: the checks share a catalog's members over two threads
/// when there are two, and callers (the CLI) overlap their own work on the same count. Asked
/// once per process: each answer reads the cgroup files again.
pub fn cores() -> usize {
    static CORES: std::sync::OnceLock<usize> = std::sync::OnceLock::new();
    *CORES.get_or_init(|| std::thread::available_parallelism().map_or(1, usize::from))
}

/// `a` on a thread of its own beside `b` on this one when the process has two cores, else both
/// here; their results. If no thread can be started, `a` runs here after `b`. A panic in `a`
/// is a bug: it goes on here as if `a` had run here.
pub(crate) fn beside<A: Send, B>(a: impl Fn() -> A + Sync, b: impl FnOnce() -> B) -> (A, B) {
    if cores() < 2 {
        return (a(), b());
    }
    std::thread::scope(|s| {
        let helper = std::thread::Builder::new().spawn_scoped(s, || {
            grow_arena();
            a()
        });
        let b = b();
        let a = match helper {
            Ok(helper) => helper
                .join()
                .unwrap_or_else(|p| std::panic::resume_unwind(p)),
            Err(_) => a(),
        };
        (a, b)
    })
}

/// Grows the calling thread's malloc arena in a few large steps before it allocates the many
/// small blocks a check needs; called first on each thread the checks start. glibc gives each
/// new thread an arena of its own and grows it a page at a time, one `mprotect` each (about 350
/// for compiling the schemas), and on a virtual machine each of those also interrupts the cores
/// of the other threads. Sixteen blocks of 96 KiB (under the mmap threshold, so taken from the
/// arena) are taken and given back untouched; the arena keeps the room. With another allocator
/// this costs a few allocations and nothing else.
pub fn grow_arena() {
    let blocks: Vec<Vec<u8>> = (0..16).map(|_| Vec::with_capacity(96 * 1024)).collect();
    drop(std::hint::black_box(blocks));
}

/// Output findings: said to be in the output; duplicates warn, everything else is an error.
fn in_the_output(mut out: Vec<Diagnostic>) -> Vec<Diagnostic> {
    for d in &mut out {
        d.message = format!("in the output: {}", d.message);
        d.severity = match d.code {
            "ref-duplicate-id" | "ref-duplicate-uuid" => crate::diag::Severity::Warning,
            _ => crate::diag::Severity::Error,
        };
    }
    out
}
