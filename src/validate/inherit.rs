//! Stage: the constraint check of a resolved catalog. In: the resolved catalog, the sources of
//! the documents it came from. Out: its constraint findings, each classed as carried over from
//! an input or introduced by the resolution.
//!
//! NIST's own content breaks some constraints (the deprecated `depends-on` on SP 800-53's
//! parameters; the rev4 profiles' `priority` props in the OSCAL namespace), and a resolution
//! copies those faults into its output. The policy: a finding of the output that an input
//! already carries is reported once, as a warning located in that input (the fix belongs
//! there); a finding the resolution introduced keeps its declared level in the output, so an
//! ERROR-level one refuses the output. Findings of input content that does not reach the output
//! are `validate`'s to report.
//!
//! The inputs' findings are needed only when the output has one, and only those of the
//! constraints the output breaks count. They are computed once per resolution: on a second
//! core from the start of the resolution, from the inputs' JSON forms made before it takes the
//! documents apart ([`start`]), so that the common case (NIST's content carries findings into
//! every output) costs little more time than a clean output; else, when the output's check
//! first needs them, from the bytes the sources keep.

use crate::check::constraints;
use crate::diag::{Diagnostic, Severity, Sink, SourceId};
use crate::metaschema::json::Json;
use crate::model::{InputCell, InputFindings, ResolvedCatalog};
use crate::options::Options;
use crate::source::SourceMap;
use indexmap::{IndexMap, IndexSet};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

/// The constraint findings of `resolved` under the policy above, in the output's document
/// order (a carried finding where it first shows in the output).
///
/// ```
/// use oscalc::{MemWorld, Options, Session};
///
/// let mut world = MemWorld::new();
/// // A parameter with the deprecated `depends-on`: an ERROR-level constraint the catalog breaks.
/// world.add("cat.json", r#"{"catalog": {
///   "uuid": "8bd5f2a4-6a6b-4f7c-9a43-2b4f7cbbd7a4",
///   "metadata": {"title": "T", "last-modified": "2024-01-01T00:00:00Z",
///                "version": "1", "oscal-version": "1.2.3"},
///   "controls": [{"id": "c1", "title": "One",
///     "params": [{"id": "c1_prm_1", "depends-on": "c1_prm_2"}, {"id": "c1_prm_2"}],
///     "parts": [{"id": "c1_smt", "name": "statement", "prose": "{{ insert: param, c1_prm_1 }}"}]}]
/// }}"#);
/// let uri = world.add("p.json", r#"{"profile": {
///   "uuid": "1bd5f2a4-6a6b-4f7c-9a43-2b4f7cbbd7a4",
///   "metadata": {"title": "P", "last-modified": "2024-01-01T00:00:00Z",
///                "version": "1", "oscal-version": "1.2.3"},
///   "imports": [{"href": "cat.json", "include-all": {}}]
/// }}"#);
/// let mut session = Session::new();
/// let opts = Options::default();
/// let resolved = session.resolve(&world, &uri, &opts).output.unwrap();
/// let found = oscalc::validate::output_constraints(&resolved, &session.sources, &opts);
/// // Carried over from the catalog: a warning located there, not a refusal of the output.
/// assert_eq!(found.len(), 1);
/// assert_eq!(found[0].code, "oscal:oscal-parameter-depends-on-deprecated");
/// assert!(!found[0].is_error());
/// let place = found[0].primary.as_ref().unwrap();
/// assert_eq!(session.sources.get(place.source).unwrap().uri.path(), "/cat.json");
/// ```
pub fn output_constraints(
    resolved: &ResolvedCatalog,
    sources: &SourceMap,
    opts: &Options,
) -> Vec<Diagnostic> {
    let json = crate::emit::check_doc(&resolved.catalog);
    let found = constraints::findings(&json, &opts.constraints);
    drop(json);
    if found.is_empty() {
        return Vec::new();
    }
    // Only the constraints the output breaks are looked for in the inputs.
    // An allowed-values finding is carried whatever list found it (a profile's add-prop list
    // and a control's prop list have different ids): those are looked for by kind.
    let mut codes: Vec<&str> = found
        .iter()
        .map(|f| match f.kind {
            "allowed-values" => f.kind,
            _ => f.code,
        })
        .collect();
    codes.sort_unstable();
    codes.dedup();
    let all = resolved
        .input_findings
        .get_or_init(|| reread(sources, &resolved.inputs, opts));
    let carried = carried(all, &codes);
    let mut shown: IndexSet<&str> = IndexSet::new();
    let mut out = Vec::new();
    for f in &found {
        match carried.get(f.fingerprint.as_str()) {
            Some(inputs) => {
                if shown.insert(f.fingerprint.as_str()) {
                    out.extend(inputs.iter().cloned());
                }
            }
            // The id indexes repeat what the reference check reports of a duplicate id
            // (`ref-duplicate-id`, a warning in the output: `combine keep` makes duplicates on
            // purpose, req-merge-keep-warning); once is enough.
            None if f.kind == "index" => {}
            None => {
                let mut d = constraints::diagnostic(f, None);
                let place = if f.pointer.is_empty() {
                    "(root)"
                } else {
                    &f.pointer
                };
                d.message = format!("in the output: {place}: {}", d.message);
                let hint = if f.kind == "is-unique" {
                    d.severity = Severity::Warning;
                    "a duplicate the resolution made: `combine keep` keeps both on purpose"
                        .to_owned()
                } else if d.is_error() {
                    "the resolution introduced this (no input carries it), so the output is \
                     refused: check the profile's selection and alters"
                        .to_owned()
                } else {
                    format!(
                        "the resolution introduced this (no input carries it): a link to a \
                         control the profile does not select is the usual cause; `--allow {}` \
                         silences it",
                        d.code
                    )
                };
                d.hints.push(hint);
                out.push(d);
            }
        }
    }
    out
}

/// Every check `oscalc resolve` makes on `resolved` before writing it, as the CLI and the Python
/// bindings run them: the schema and references ([`crate::check::output()`]), then OSCAL's
/// constraints under the policy above ([`output_constraints`]), each diagnostic at the level
/// `opts.lints` gives its code.
///
/// ```
/// use oscalc::{MemWorld, Options, Session};
///
/// let mut world = MemWorld::new();
/// world.add("cat.json", r##"{"catalog": {
///   "uuid": "8bd5f2a4-6a6b-4f7c-9a43-2b4f7cbbd7a4",
///   "metadata": {"title": "T", "last-modified": "2024-01-01T00:00:00Z",
///                "version": "1", "oscal-version": "1.2.3"},
///   "controls": [
///     {"id": "c1", "title": "One", "links": [{"href": "#c2", "rel": "related"}],
///      "parts": [{"id": "c1_smt", "name": "statement", "prose": "Do one."}]},
///     {"id": "c2", "title": "Two",
///      "parts": [{"id": "c2_smt", "name": "statement", "prose": "Do two."}]}]
/// }}"##);
/// let uri = world.add("p.json", r#"{"profile": {
///   "uuid": "1bd5f2a4-6a6b-4f7c-9a43-2b4f7cbbd7a4",
///   "metadata": {"title": "P", "last-modified": "2024-01-01T00:00:00Z",
///                "version": "1", "oscal-version": "1.2.3"},
///   "imports": [{"href": "cat.json", "include-controls": [{"with-ids": ["c1"]}]}]
/// }}"#);
/// let mut session = Session::new();
/// let mut opts = Options::default();
/// let resolved = session.resolve(&world, &uri, &opts).output.unwrap();
/// // c1's link names c2, which the profile does not select: a warning the resolution made.
/// let found = oscalc::validate::output_checks(&resolved, &session.sources, &opts);
/// assert_eq!(found.len(), 1);
/// assert_eq!(found[0].code, "oscal:oscal-catalog-groups-controls-parts");
/// assert!(!found[0].is_error());
/// // Lint levels apply as on the command line (`--deny-warnings`).
/// opts.lints.deny_warnings = true;
/// let found = oscalc::validate::output_checks(&resolved, &session.sources, &opts);
/// assert!(found[0].is_error());
/// ```
pub fn output_checks(
    resolved: &ResolvedCatalog,
    sources: &SourceMap,
    opts: &Options,
) -> Vec<Diagnostic> {
    let mut checked = Sink::with_levels(opts.lints.clone());
    checked.extend(crate::check::output(resolved));
    checked.extend(output_constraints(resolved, sources, opts));
    checked.into_diagnostics()
}

/// The inputs' findings whose code, or kind (`allowed-values`), is in `codes`, by fingerprint.
fn carried(all: &[(String, Diagnostic)], codes: &[&str]) -> IndexMap<String, Vec<Diagnostic>> {
    let mut carried: IndexMap<String, Vec<Diagnostic>> = IndexMap::new();
    for (fingerprint, d) in all {
        let kind = fingerprint.split('|').next().unwrap_or_default();
        if codes.contains(&d.code) || codes.contains(&kind) {
            carried
                .entry(fingerprint.clone())
                .or_default()
                .push(d.clone());
        }
    }
    carried
}

/// Starts computing the constraint findings of a resolution's inputs (each document with its
/// source; `bytes`, their sources' size in all) on a thread of its own, beside the resolution,
/// when the process has two cores and the output will be checked: NIST's content carries
/// findings into every output, so the output's check nearly always needs them. The thread
/// takes each input's JSON form, made here before the resolution takes the documents apart.
/// Without a second core, or for inputs over [`BESIDE_BYTES`], the output's check computes them
/// when it needs them (a clean output never does), from the bytes the sources keep.
pub(crate) fn start<'d>(
    inputs: impl IntoIterator<Item = (SourceId, &'d crate::model::Document)>,
    bytes: usize,
    opts: &Options,
) -> InputFindings {
    let cell: InputCell = Arc::default();
    // One such thread at a time in the process: a batch of profiles (whose clean outputs never
    // wait for theirs) must not pile up threads and the JSON forms they hold.
    static LIVE: AtomicBool = AtomicBool::new(false);
    if opts.validate_output
        && bytes <= BESIDE_BYTES
        && crate::check::cores() >= 2
        && !LIVE.swap(true, Ordering::AcqRel)
    {
        let jobs: Vec<(SourceId, Json)> = inputs
            .into_iter()
            .map(|(id, doc)| (id, crate::emit::check_doc(doc)))
            .collect();
        let opts = opts.clone();
        let mine = cell.clone();
        // Detached: a run whose output is clean never waits for it, and ends without it.
        let spawned = std::thread::Builder::new().spawn(move || {
            crate::check::grow_arena();
            mine.get_or_init(|| {
                jobs.iter()
                    .flat_map(|(id, json)| findings_in(json, *id, &opts))
                    .collect()
            });
            LIVE.store(false, Ordering::Release);
        });
        if spawned.is_err() {
            LIVE.store(false, Ordering::Release);
        }
    }
    InputFindings::new(cell)
}

/// Most bytes of input whose constraint findings [`start`] computes ahead, beside the
/// resolution: the inputs' JSON forms and trees, held while the resolution and the output's
/// check hold theirs, take about six times their bytes, which a catalog of NIST's size (2–6
/// MB) spends to save time; larger inputs are checked only if the output has findings, after
/// its check has let go of its own.
pub const BESIDE_BYTES: usize = 16 << 20;

/// Every constraint finding of each of `inputs`, read again from the bytes its source keeps.
fn reread(sources: &SourceMap, inputs: &[SourceId], opts: &Options) -> Vec<(String, Diagnostic)> {
    let mut out = Vec::new();
    for &id in inputs {
        let Some(doc) = crate::load::reload(sources, id, opts) else {
            continue;
        };
        let json = crate::emit::check_doc(&doc);
        drop(doc);
        out.extend(findings_in(&json, id, opts));
    }
    out
}

/// Every constraint finding of input `id` (its JSON form), as a fingerprint and a warning
/// located in the input (an error there is a warning here: the output carries it, the fix
/// belongs there).
fn findings_in(json: &Json, id: SourceId, opts: &Options) -> Vec<(String, Diagnostic)> {
    constraints::findings(json, &opts.constraints)
        .into_iter()
        .map(|f| {
            let mut d = constraints::diagnostic(&f, Some(id));
            if d.severity == Severity::Error {
                d.severity = Severity::Warning;
                d.hints.push(
                    "carried into the resolved output from this input: a warning there, an error \
                     for `oscalc validate`"
                        .to_owned(),
                );
            }
            (f.fingerprint, d)
        })
        .collect()
}
