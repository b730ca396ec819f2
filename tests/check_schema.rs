//! The schema check (`oscalc::check::schema`) through its public API: the patch that lets
//! `merge/combine` carry `@method`, and violations located by JSON pointer.

use oscalc::check::schema::{Model, allow_combine_method, check, violations};
use oscalc::diag::{SourceId, Span};
use serde_json::{Value, json};

fn profile(merge: Value) -> Value {
    json!({"profile": {
        "uuid": "8bd5f2a4-6a6b-4f7c-9a43-2b4f7cbbd7a4",
        "metadata": {"title": "t", "last-modified": "2024-01-01T00:00:00Z", "version": "1",
                     "oscal-version": "1.2.3"},
        "imports": [{"href": "cat.json", "include-all": {}}],
        "merge": merge
    }})
}

#[test]
fn combine_method_allowed_after_patch() {
    let v = profile(json!({"combine": {"method": "use-first"}, "as-is": true}));
    assert_eq!(violations(&v, Model::Profile), Ok(Vec::new()));
}

#[test]
fn combine_method_unknown_value_rejected_at_its_pointer() {
    let v = profile(json!({"combine": {"method": "whatever"}, "as-is": true}));
    let found = violations(&v, Model::Profile).unwrap_or_default();
    assert!(
        found
            .iter()
            .any(|x| x.pointer == "/profile/merge/combine/method"),
        "{found:?}"
    );
}

#[test]
fn combine_patch_touches_only_empty_combines() {
    let mut s = json!({"properties": {"combine": {"type": "object", "properties": {"x": {}}}}});
    let before = s.clone();
    allow_combine_method(&mut s);
    assert_eq!(s, before);
    let mut empty = json!({});
    allow_combine_method(&mut empty);
    assert_eq!(empty, json!({}));
}

#[test]
fn catalog_bad_id_reported_at_pointer() {
    let v = json!({"catalog": {
        "uuid": "8bd5f2a4-6a6b-4f7c-9a43-2b4f7cbbd7a4",
        "metadata": {"title": "t", "last-modified": "2024-01-01T00:00:00Z", "version": "1",
                     "oscal-version": "1.2.3"},
        "controls": [{"id": "not a token", "title": "x"}]
    }});
    let d = check(&v, Some(SourceId(0)));
    let pointers: Vec<_> = d.iter().filter_map(|d| d.primary.clone()).collect();
    assert_eq!(
        pointers,
        vec![Span::pointer(SourceId(0), "/catalog/controls/0/id")]
    );
}
