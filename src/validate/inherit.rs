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
//! The inputs are checked only when the output has a finding, and then only for the
//! constraints the output breaks. They are parsed again from the bytes their sources keep, since
//! the resolution released them: on a second core, beside the output's check, so that the
//! common case (NIST's content carries findings) costs little more time than a clean output.

use crate::check::constraints;
use crate::diag::{Diagnostic, Severity, SourceId};
use crate::model::ResolvedCatalog;
use crate::options::Options;
use crate::source::SourceMap;
use indexmap::{IndexMap, IndexSet};

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
    // The inputs are read again beside the output's check, in case it has findings.
    let reread = || {
        resolved
            .inputs
            .iter()
            .filter_map(|&id| {
                let doc = crate::load::reload(sources, id, opts)?;
                Some((id, crate::emit::check_value(&doc)))
            })
            .collect::<Vec<_>>()
    };
    let check_output = || {
        let json = crate::emit::check_value(&resolved.catalog);
        constraints::findings(&json, &opts.constraints)
    };
    let (inputs, found) = crate::check::beside(reread, check_output);
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
    let carried = carried(&inputs, opts, &codes);
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

/// The findings of each input (its id and JSON form) by fingerprint, as warnings located in
/// that input.
fn carried(
    inputs: &[(SourceId, serde_json::Value)],
    opts: &Options,
    codes: &[&str],
) -> IndexMap<String, Vec<Diagnostic>> {
    let mut carried: IndexMap<String, Vec<Diagnostic>> = IndexMap::new();
    for (id, json) in inputs {
        for (fingerprint, d) in input_findings(json, *id, opts, codes) {
            carried.entry(fingerprint).or_default().push(d);
        }
    }
    carried
}

fn input_findings(
    json: &serde_json::Value,
    id: SourceId,
    opts: &Options,
    codes: &[&str],
) -> Vec<(String, Diagnostic)> {
    constraints::findings_of(json, &opts.constraints, codes)
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
