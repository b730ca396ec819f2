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
