//! Loading JSON through the public entry (`oscalc::load::load`): where the loader locates a
//! root that is not a catalog or profile, and a value the typed model refuses.

use oscalc::Options;
use oscalc::diag::Diagnostic;
use oscalc::load::load;
use oscalc::source::SourceMap;
use url::Url;

fn load_text(text: &str) -> (SourceMap, Vec<Diagnostic>) {
    let mut sources = SourceMap::default();
    let uri = Url::parse("mem:///doc.json").expect("uri");
    let diags = load(
        text.as_bytes().to_vec(),
        &uri,
        &mut sources,
        &Options::default(),
    )
    .expect_err("a load error");
    (sources, diags)
}

fn first(text: &str) -> (&'static str, usize, Vec<String>) {
    let (sources, diags) = load_text(text);
    let d = diags.first().expect("a diagnostic");
    let off = d.primary.as_ref().and_then(|s| sources.offset(s));
    (d.code, off.expect("a place"), d.hints.clone())
}

#[test]
fn json_array_or_scalar_root_is_load_root_at_the_first_byte() {
    assert_eq!(first("  [{\"catalog\": {}}]").0, "load-root");
    assert_eq!(first("  [{\"catalog\": {}}]").1, 2);
    assert_eq!(first("\"catalog\"").1, 0);
    let (_, diags) = load_text("42");
    assert!(diags[0].message.contains("JSON object"), "{diags:?}");
}

#[test]
fn json_unknown_root_key_is_load_root_at_the_key_with_a_hint_when_close() {
    let text = "{\"$schema\": \"x\",\n \"catalogue\": {\"uuid\": \"u\"}}";
    assert_eq!(
        first(text),
        ("load-root", 18, vec!["did you mean `catalog`?".to_owned()])
    );
    let (code, off, hints) = first("{\"component-definition\": {}}");
    assert_eq!((code, off, hints.len()), ("load-root", 1, 0));
}

#[test]
fn json_shape_error_is_where_the_schema_check_puts_the_same_problem() {
    let text = r#"{"catalog": {
  "uuid": "8bd5f2a4-6a6b-4f7c-9a43-2b4f7cbbd7a4",
  "metadata": {"title": "T", "last-modified": "2024-01-01T00:00:00Z", "version": "1", "oscal-version": "1.2.3"},
  "controls": [{"id": "c1", "title": 5}]
}}"#;
    let (sources, diags) = load_text(text);
    let shape = diags.first().expect("load-shape");
    assert_eq!(shape.code, "load-shape");
    let value: serde_json::Value = serde_json::from_str(text).expect("JSON");
    let schema = oscalc::check::schema::check(&value, Some(oscalc::diag::SourceId(0)));
    let schema = schema.first().expect("schema-invalid");
    let at = |d: &Diagnostic| d.primary.as_ref().and_then(|s| sources.offset(s));
    assert_eq!(at(shape), at(schema));
    assert_eq!(
        text.get(at(shape).expect("offset")..)
            .and_then(|t| t.get(..1)),
        Some("5")
    );
}
