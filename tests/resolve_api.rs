//! The resolution driver, the import graph and the reference scan, through the public API: a
//! batch equals its profiles resolved one by one, the reproducible identity, the place of a failed
//! import, the anchored glob of `matching`, and the typed reference scan against its oracle on
//! the JSON form.

use indexmap::IndexSet;
use oscalc::diag::Sink;
use oscalc::graph::discover;
use oscalc::model::{Catalog, Document};
use oscalc::options::{Identity, Options};
use oscalc::resolve::refs::scan_text;
use oscalc::resolve::refscan::collect;
use oscalc::resolve::{Session, resolve};
use oscalc::source::SourceMap;
use oscalc::{FsWorld, MemWorld};
use serde_json::Value;
use url::Url;

fn rev4(level: &str, ext: &str) -> Url {
    let p = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join(format!(
        "tests/fixtures/sp800-53-rev4/nist.gov/SP800-53/rev4/{ext}/NIST_SP-800-53_rev4_{level}-baseline_profile.{ext}"
    ));
    Url::from_file_path(p).expect("absolute path")
}

#[test]
fn reproducible_identity_ignores_options_that_do_not_change_content() {
    let world = FsWorld::new();
    let uri = rev4("LOW", "json");
    let base = Options {
        identity: Identity::Reproducible(None),
        ..Options::default()
    };
    let uuid = |opts: &Options| {
        resolve(&world, &uri, opts)
            .output
            .expect("resolves")
            .catalog
            .uuid
    };
    let reference = uuid(&base);
    let quiet = Options {
        validate_output: false,
        max_depth: 512,
        max_file_size: 1 << 30,
        ..base.clone()
    };
    assert_eq!(uuid(&quiet), reference);
    // An option that changes what is written changes the name.
    let unpruned = Options {
        no_prune: true,
        ..base.clone()
    };
    assert_ne!(uuid(&unpruned), reference);
}

#[test]
fn batch_equals_one_by_one_and_keeps_argument_order() {
    let world = FsWorld::new();
    let opts = Options {
        identity: Identity::Reproducible(None),
        ..Options::default()
    };
    let uris = [
        rev4("HIGH", "json"),
        rev4("LOW", "json"),
        rev4("MODERATE", "json"),
    ];
    let jobs: Vec<(Url, Options)> = uris.iter().map(|u| (u.clone(), opts.clone())).collect();
    let mut session = Session::new();
    let batch = session.resolve_many(&world, &jobs, 2);
    assert_eq!(batch.len(), 3);
    for (uri, got) in uris.iter().zip(batch) {
        let alone = resolve(&world, uri, &opts);
        let (got, alone) = (got.output.expect("batch"), alone.output.expect("alone"));
        assert_eq!(got.catalog.metadata.title, alone.catalog.metadata.title);
        // The catalogs must be equal; `inputs` names sources of each run's own session.
        assert!(
            got.catalog == alone.catalog,
            "{uri}: batch output differs from a run of its own"
        );
    }
    // The shared catalog was loaded once: three profiles and one catalog.
    assert!(session.sources.get(oscalc::diag::SourceId(3)).is_some());
    assert!(session.sources.get(oscalc::diag::SourceId(4)).is_none());
}

/// validate maps each import of the root to its document by position: an import that failed
/// must hold its place as `None`, not shift the ones after it.
#[test]
fn a_failed_import_keeps_its_place() {
    let mut world = MemWorld::new();
    world.add("cat.json", include_str!("../fuzz/catalog.json"));
    let profile = r#"{"profile": {"uuid": "9bd5f2a4-6a6b-4f7c-9a43-2b4f7cbbd7a4",
      "metadata": {"title": "P", "last-modified": "2024-01-01T00:00:00Z", "version": "1",
                   "oscal-version": "1.2.3"},
      "imports": [{"href": "missing.json", "include-all": {}},
                  {"href": "cat.json", "include-all": {}},
                  {"href": "cat.json", "include-all": {}}]}}"#;
    let root = world.add("p.json", profile);
    let (mut sources, mut sink) = (SourceMap::default(), Sink::default());
    let g = discover(&world, &root, &Options::default(), &mut sources, &mut sink).unwrap();
    assert_eq!(g.imports[g.root], vec![None, Some(1), Some(1)]);
    assert_eq!(g.order, vec![1, 0]);
    let codes: Vec<&str> = sink.diagnostics().iter().map(|d| d.code).collect();
    assert_eq!(codes, ["req-uri-error"]);
}

/// The reference scan over a JSON value of the content: the oracle the typed walk must match.
fn collect_value(v: &Value, out: &mut IndexSet<String>) {
    match v {
        Value::String(s) => scan_text(s, out),
        Value::Array(a) => a.iter().for_each(|x| collect_value(x, out)),
        Value::Object(m) => {
            for (k, x) in m {
                match (k.as_str(), x) {
                    ("depends-on", Value::String(s)) => {
                        out.insert(s.clone());
                    }
                    _ => collect_value(x, out),
                }
            }
        }
        _ => {}
    }
}

fn rev4_catalog(ext: &str) -> Catalog {
    let p = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join(format!(
        "tests/fixtures/sp800-53-rev4/nist.gov/SP800-53/rev4/{ext}/NIST_SP-800-53_rev4_catalog.{ext}"
    ));
    let bytes = std::fs::read(p).expect("fixture");
    let uri = url::Url::parse(&format!("file:///c.{ext}")).expect("url");
    let mut sources = oscalc::source::SourceMap::default();
    let loaded =
        oscalc::load::load(bytes, &uri, &mut sources, &oscalc::Options::default()).expect("loads");
    match loaded.doc {
        Document::Catalog(c) => c,
        Document::Profile(_) => panic!("a catalog"),
    }
}

#[test]
fn scan_finds_what_collect_finds_on_the_json_form() {
    for ext in ["json", "xml"] {
        let c = rev4_catalog(ext);
        let mut direct = IndexSet::new();
        collect(&c, &mut direct);
        let mut via_value = IndexSet::new();
        collect_value(&serde_json::to_value(&c).expect("value"), &mut via_value);
        assert!(
            direct.len() > 100,
            "{ext}: only {} references",
            direct.len()
        );
        assert_eq!(direct, via_value, "{ext}");
    }
}

#[test]
fn depends_on_value_is_taken_whole() {
    let v = serde_json::json!({"params": [{"id": "p1", "depends-on": "p 2 #x"}]});
    let mut out = IndexSet::new();
    collect(&v, &mut out);
    let got: Vec<&str> = out.iter().map(String::as_str).collect();
    assert_eq!(got, ["p 2 #x"]);
}

#[test]
fn scan_finds_inserts_in_both_forms_and_fragments() {
    let mut out = IndexSet::new();
    scan_text("a {{ insert: param, ac-1_prm_1 }} b [x](#ac-2)", &mut out);
    scan_text(
        "<p><insert type=\"param\" id-ref=\"p2\"/> <a href=\"#uuid-1\">r</a></p>",
        &mut out,
    );
    let got: Vec<&str> = out.iter().map(String::as_str).collect();
    assert_eq!(got, ["ac-1_prm_1", "ac-2", "p2", "uuid-1"]);
}

#[test]
fn glob_star_and_question_mark_are_anchored() {
    use oscalc::resolve::select::glob;
    assert!(glob("ac-*", "ac-2.1"));
    assert!(!glob("ac-*", "xac-2"));
    assert!(glob("a?", "a1"));
    assert!(!glob("a?", "a12"));
    assert!(glob("*", ""));
    assert!(glob("*.1", "ac-2.1"));
    assert!(!glob("*.1", "ac-2.12"));
}
