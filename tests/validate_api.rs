//! `validate` through the public API: an import chain is read once, and an imported profile
//! resolves from the graph alone.

use oscalc::diag::Sink;
use oscalc::graph;
use oscalc::options::Options;
use oscalc::source::SourceMap;
use oscalc::validate;
use oscalc::world::{FetchError, ImportRequest, MemWorld, World};
use std::sync::Mutex;
use url::Url;

/// A world that records every URI read through it.
struct Counting {
    inner: MemWorld,
    read: Mutex<Vec<String>>,
}

impl Counting {
    fn note(&self, uri: &Url) {
        self.read
            .lock()
            .expect("not poisoned")
            .push(uri.to_string());
    }
}

impl World for Counting {
    fn fetch(&self, uri: &Url) -> Result<Vec<u8>, FetchError> {
        self.note(uri);
        self.inner.fetch(uri)
    }

    fn fetch_import(&self, import: &ImportRequest<'_>) -> Result<Vec<u8>, FetchError> {
        self.note(import.uri);
        self.inner.fetch_import(import)
    }

    fn now(&self) -> time::OffsetDateTime {
        self.inner.now()
    }
}

fn profile(uuid: &str, href: &str, ids: &[&str]) -> String {
    format!(
        r#"{{"profile": {{"uuid": "{uuid}",
          "metadata": {{"title": "P", "last-modified": "2024-01-01T00:00:00Z",
                       "version": "1", "oscal-version": "1.2.3"}},
          "imports": [{{"href": "{href}", "include-controls": [{{"with-ids": {ids:?}}}]}}]}}}}"#
    )
}

/// An imported profile is resolved from the documents the graph loaded: each document of a
/// profile → profile → catalog chain is read once, and the imported profile's ids are still
/// the ones it resolves to (`c2` is in the catalog but not selected by `mid.json`).
#[test]
fn validate_reads_each_document_of_a_chain_once() {
    let mut inner = MemWorld::new();
    let cat = inner.add("cat.json", include_str!("../fuzz/catalog.json"));
    let mid = inner.add(
        "mid.json",
        profile("2bd5f2a4-6a6b-4f7c-9a43-2b4f7cbbd7a4", "cat.json", &["c1"]),
    );
    let top = inner.add(
        "top.json",
        profile(
            "3bd5f2a4-6a6b-4f7c-9a43-2b4f7cbbd7a4",
            "mid.json",
            &["c1", "c2"],
        ),
    );
    let world = Counting {
        inner,
        read: Mutex::new(Vec::new()),
    };
    let result = validate(&world, &top, &Options::default());
    let codes: Vec<&str> = result.warnings.iter().map(|d| d.code).collect();
    assert_eq!(codes, ["select-unknown-id"]);
    assert!(result.warnings[0].message.contains("`c2`"));
    assert!(result.output.is_ok());
    let read = world.read.into_inner().expect("not poisoned");
    assert_eq!(read, [top.as_str(), mid.as_str(), cat.as_str()]);
}

/// The entry point validate uses needs nothing from the world but the time: an imported
/// profile resolves from the graph alone, with a world that holds no document.
#[test]
fn imported_profile_resolves_from_the_graph_alone() {
    let mut world = MemWorld::new();
    world.add("cat.json", include_str!("../fuzz/catalog.json"));
    world.add(
        "mid.json",
        profile("2bd5f2a4-6a6b-4f7c-9a43-2b4f7cbbd7a4", "cat.json", &["c1"]),
    );
    let top = world.add(
        "top.json",
        profile("3bd5f2a4-6a6b-4f7c-9a43-2b4f7cbbd7a4", "mid.json", &["c1"]),
    );
    let (opts, mut sources, mut sink) = (Options::default(), SourceMap::default(), Sink::new());
    let g = graph::discover(&world, &top, &opts, &mut sources, &mut sink).expect("loads");
    let mid = g.imports[g.root][0].expect("mid.json loaded");
    let outcome = oscalc::resolve::resolve_in_graph(&g, mid, &sources, &MemWorld::new(), &opts);
    let catalog = outcome.output.expect("resolves").catalog;
    let ids: Vec<String> = catalog.controls.iter().map(|c| c.id.to_string()).collect();
    assert_eq!(ids, ["c1"]);
}

/// The output's constraint check classes each finding the same whether the inputs' findings
/// were computed beside the resolution or are computed when the check needs them: a finding
/// the catalog carries is a warning located there, one the profile introduces refuses.
#[test]
fn output_constraints_are_classed_alike_by_either_way_to_the_inputs() {
    let mut world = MemWorld::new();
    world.add(
        "cat.json",
        r#"{"catalog": {
  "uuid": "8bd5f2a4-6a6b-4f7c-9a43-2b4f7cbbd7a4",
  "metadata": {"title": "T", "last-modified": "2024-01-01T00:00:00Z",
               "version": "1", "oscal-version": "1.2.3"},
  "controls": [{"id": "c1", "title": "One",
    "params": [{"id": "c1_prm_1", "depends-on": "c1_prm_2"}, {"id": "c1_prm_2"}],
    "parts": [{"id": "c1_smt", "name": "statement", "prose": "{{ insert: param, c1_prm_1 }}"}]}]
}}"#,
    );
    let uri = world.add(
        "p.json",
        r#"{"profile": {
  "uuid": "1bd5f2a4-6a6b-4f7c-9a43-2b4f7cbbd7a4",
  "metadata": {"title": "P", "last-modified": "2024-01-01T00:00:00Z",
               "version": "1", "oscal-version": "1.2.3"},
  "imports": [{"href": "cat.json", "include-all": {}}],
  "modify": {"alters": [{"control-id": "c1", "adds": [{"position": "ending",
    "props": [{"name": "status", "value": "not-a-status"}]}]}]}
}}"#,
    );
    let mut session = oscalc::Session::new();
    // With two cores, the inputs' check starts beside the resolution.
    session.check_inputs_beside = true;
    let opts = Options::default();
    let resolved = session
        .resolve(&world, &uri, &opts)
        .output
        .expect("resolves");
    let summary = |found: Vec<oscalc::diag::Diagnostic>| -> Vec<String> {
        found
            .iter()
            .map(|d| {
                let place = d
                    .primary
                    .as_ref()
                    .and_then(|p| session.sources.get(p.source));
                let file = place.map_or("output".to_owned(), |s| s.uri.path().to_owned());
                format!("{:?} {} {file}", d.severity, d.code)
            })
            .collect()
    };
    let beside = summary(validate::output_constraints(
        &resolved,
        &session.sources,
        &opts,
    ));
    let fresh = oscalc::ResolvedCatalog {
        input_findings: Default::default(),
        ..resolved.clone()
    };
    let later = summary(validate::output_constraints(
        &fresh,
        &session.sources,
        &opts,
    ));
    assert_eq!(beside, later);
    assert_eq!(
        beside,
        [
            "Warning oscal:oscal-parameter-depends-on-deprecated /cat.json",
            "Error oscal:oscal-control-prop-status-value output"
        ]
    );
}
