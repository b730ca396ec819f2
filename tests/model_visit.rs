//! The typed walk (`oscalc::model::visit`) through its public API: it sees what a walk of the
//! JSON form sees, and renders places as JSON pointers.

use oscalc::model::Document;
use oscalc::model::visit::{Node, Walk, walk};

/// Every node with its pointer; typed markup reported as its text, as in a `Value`.
fn nodes<T: Walk + ?Sized>(doc: &T) -> Vec<(String, String)> {
    let mut out = Vec::new();
    walk(doc, &mut |path, node| {
        let node = match node {
            Node::Markup(m) => Node::Text(m.raw()),
            other => other,
        };
        out.push((path.pointer(), format!("{node:?}")));
    });
    out
}

fn load(rel: &str) -> Document {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join(rel);
    let bytes = std::fs::read(&path).expect("fixture");
    let uri = url::Url::from_file_path(&path).expect("absolute path");
    let mut sources = oscalc::source::SourceMap::default();
    let opts = oscalc::Options::default();
    oscalc::load::load(bytes, &uri, &mut sources, &opts)
        .expect("loads")
        .doc
}

#[test]
fn typed_walk_sees_what_a_walk_of_the_json_form_sees() {
    for rel in [
        "tests/fixtures/sp800-53-rev4/nist.gov/SP800-53/rev4/xml/NIST_SP-800-53_rev4_catalog.xml",
        "benches/data/rev5/NIST_SP-800-53_rev5_HIGH-baseline_profile.json",
        "tests/fixtures/spec-tests/requirement-tests/req-modify-alter-remove-match1.xml",
        "tests/cases/custom/req-custom-group-new/profile.json",
    ] {
        let doc = load(rel);
        let value = match &doc {
            Document::Catalog(c) => serde_json::json!({ "catalog": c }),
            Document::Profile(p) => serde_json::json!({ "profile": p }),
        };
        let typed = nodes(&doc);
        assert!(typed.len() > 20, "{rel}: {} nodes", typed.len());
        assert_eq!(typed, nodes(&value), "{rel}");
    }
}

#[test]
fn pointers_escape_and_depends_on_is_whole() {
    let v = serde_json::json!({"a/b~c": [{"depends-on": "p", "links": [{"href": "#x"}]}]});
    let got = nodes(&v);
    let want = [
        ("/a~1b~0c/0/depends-on", "DependsOn(\"p\")"),
        ("/a~1b~0c/0/links/0", "Link(\"#x\", None)"),
        ("/a~1b~0c/0/links/0/href", "Text(\"#x\")"),
    ];
    let want: Vec<_> = want
        .iter()
        .map(|(p, n)| ((*p).to_owned(), (*n).to_owned()))
        .collect();
    assert_eq!(got, want);
}
