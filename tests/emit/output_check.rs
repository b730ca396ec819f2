//! The output check on the typed catalog (`validate::output`, member by member, never building
//! the whole JSON form) against its oracle: the schema and reference checks on the whole JSON
//! form of the same catalog, as `json_value` gives it. Same diagnostics, same order, on the
//! shipped rev4/rev5 content, the resolved spec tests and a few broken catalogs.

use oscalc::diag::{Diagnostic, Severity};
use oscalc::emit::json_value;
use oscalc::model::{Catalog, Document, Link, Markup, MarkupLine, MarkupMultiline, Part};
use oscalc::validate::{refs, schema};
use oscalc::{FsWorld, Options, ResolvedCatalog, resolve};
use serde_json::Value;

fn path(rel: &str) -> std::path::PathBuf {
    std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join(rel)
}

fn url(rel: &str) -> url::Url {
    url::Url::from_file_path(path(rel)).expect("absolute path")
}

/// The oracle: the whole document through the schema and reference checks, said to be in the
/// output, duplicates as warnings and everything else as errors.
fn whole_document_check(value: &Value) -> Vec<Diagnostic> {
    let mut out = schema::check(value, None);
    out.extend(refs::check(value, None, &[]));
    for d in &mut out {
        d.message = format!("in the output: {}", d.message);
        d.severity = match d.code {
            "ref-duplicate-id" | "ref-duplicate-uuid" => Severity::Warning,
            _ => Severity::Error,
        };
    }
    out
}

/// The check on the typed catalog and the check on its whole JSON form, as messages.
fn both(catalog: Catalog) -> (Vec<String>, Vec<String>) {
    let resolved = ResolvedCatalog::from(catalog);
    let render = |ds: Vec<Diagnostic>| {
        ds.iter()
            .map(|d| format!("{:?} {} {}", d.severity, d.code, d.message))
            .collect::<Vec<_>>()
    };
    (
        render(oscalc::validate::output(&resolved)),
        render(whole_document_check(&json_value(&resolved))),
    )
}

fn resolved(profile: &str) -> Catalog {
    let r = resolve(&FsWorld::new(), &url(profile), &Options::default());
    match r.output {
        Ok(r) => r.catalog,
        Err(e) => panic!("{profile}: {e:?}"),
    }
}

fn loaded_catalog(rel: &str) -> Catalog {
    let bytes = std::fs::read(path(rel)).expect("read");
    let mut sources = oscalc::source::SourceMap::default();
    let loaded = oscalc::load::load(bytes, &url(rel), &mut sources, &Options::default())
        .unwrap_or_else(|e| panic!("{rel}: {e:?}"));
    match loaded.doc {
        Document::Catalog(c) => c,
        Document::Profile(_) => panic!("{rel}: a profile"),
    }
}

/// A small catalog in the XML form, clean.
fn small() -> Catalog {
    let xml = |s: &str| MarkupLine(Markup::Xml(s.to_owned()));
    let mut c = loaded_catalog("tests/cases/broken/json-dangling-insert/cat.json");
    c.controls.truncate(1);
    if let Some(control) = c.controls.first_mut() {
        control.title = xml("One <em>control</em>");
        control.parts.clear();
        control.params.clear();
    }
    c
}

const REV4: &str = "tests/fixtures/sp800-53-rev4/nist.gov/SP800-53/rev4";

#[test]
fn typed_check_agrees_with_whole_document_check_on_shipped_content() {
    let mut catalogs = vec![
        loaded_catalog("benches/data/rev5/NIST_SP-800-53_rev5_catalog.xml"),
        loaded_catalog("benches/data/rev5/NIST_SP-800-53_rev5_catalog.json"),
        loaded_catalog(&format!("{REV4}/xml/NIST_SP-800-53_rev4_catalog.xml")),
        resolved("benches/data/rev5/NIST_SP-800-53_rev5_HIGH-baseline_profile.xml"),
        resolved("benches/data/rev5/NIST_SP-800-53_rev5_PRIVACY-baseline_profile.json"),
    ];
    for level in ["LOW", "HIGH"] {
        for ext in ["xml", "json"] {
            let p = format!("{REV4}/{ext}/NIST_SP-800-53_rev4_{level}-baseline_profile.{ext}");
            catalogs.push(resolved(&p));
        }
    }
    let spec = path("tests/fixtures/spec-tests/requirement-tests");
    let mut names: Vec<_> = std::fs::read_dir(&spec)
        .expect("spec tests")
        .filter_map(|e| e.ok()?.file_name().into_string().ok())
        .filter(|n| n.ends_with(".xml"))
        .collect();
    names.sort();
    for name in names {
        let uri = url(&format!(
            "tests/fixtures/spec-tests/requirement-tests/{name}"
        ));
        if let Ok(r) = resolve(&FsWorld::new(), &uri, &Options::default()).output {
            catalogs.push(r.catalog);
        }
    }
    assert!(catalogs.len() > 20, "{} catalogs", catalogs.len());
    for c in catalogs {
        let title = c.metadata.title.0.raw().to_owned();
        let (typed, whole) = both(c);
        assert_eq!(typed, whole, "{title}");
    }
}

#[test]
fn schema_violations_in_members_are_reported_at_their_output_pointer() {
    let mut c = small();
    c.uuid = "not-a-uuid".to_owned();
    c.metadata.version = " padded".to_owned();
    if let Some(control) = c.controls.first_mut() {
        control.id = "not a token".to_owned();
        control.title = MarkupLine(Markup::Xml("<p>two</p><p>paragraphs</p>".to_owned()));
    }
    let (typed, whole) = both(c);
    assert_eq!(typed, whole);
    for pointer in [
        "/catalog/uuid",
        "/catalog/metadata/version",
        "/catalog/controls/0/id",
        "/catalog/controls/0/title",
    ] {
        assert!(
            typed.iter().any(|m| m.starts_with("Error schema-invalid")
                && m.contains(&format!("output: {pointer}:"))),
            "no violation at {pointer}: {typed:#?}"
        );
    }
}

#[test]
fn blank_xml_title_is_rejected_and_a_non_ascii_id_accepted() {
    let mut c = small();
    if let Some(control) = c.controls.first_mut() {
        control.id = "é-1".to_owned();
        control.title = MarkupLine(Markup::Xml(" \n\t ".to_owned()));
    }
    let (typed, whole) = both(c);
    assert_eq!(typed, whole);
    assert_eq!(typed.len(), 1, "{typed:#?}");
    assert!(
        typed[0].contains("/catalog/controls/0/title:"),
        "{typed:#?}"
    );
}

#[test]
fn dangling_xml_insert_and_link_and_duplicates_are_found_per_member() {
    let mut c = small();
    let Some(first) = c.controls.first().cloned() else {
        panic!("no control");
    };
    let mut second = first.clone();
    second.links = vec![Link::new("#nowhere", Some("reference"))];
    second.parts = vec![Part {
        id: Some("c1_smt".to_owned()),
        name: "statement".to_owned(),
        ns: None,
        class: None,
        title: None,
        props: Vec::new(),
        prose: Some(MarkupMultiline(Markup::Xml(
            r#"<p>Do <insert type="param" id-ref="c1_nope"/>.</p>"#.to_owned(),
        ))),
        parts: Vec::new(),
        links: Vec::new(),
    }];
    c.controls.push(second);
    let (typed, whole) = both(c);
    assert_eq!(
        typed,
        vec![
            "Warning ref-duplicate-id in the output: id `c1` is defined twice",
            "Error ref-dangling in the output: insert names parameter `c1_nope`, which does not exist",
            "Error ref-dangling in the output: link `#nowhere` names no id or uuid in the document",
        ]
    );
    // The whole-document form has the insert in Markdown; the verdicts are the same.
    assert_eq!(typed, whole);
}

#[test]
fn structure_the_typed_model_allows_and_the_schema_refuses_is_still_reported() {
    let mut c = small();
    let Some(mut control) = c.controls.first().cloned() else {
        panic!("no control");
    };
    control.params = vec![
        serde_json::from_value(serde_json::json!({
            "id": "c1_prm_1", "values": ["a"], "select": {"choice": ["b"]}
        }))
        .expect("a parameter"),
    ];
    let group = |controls, groups| oscalc::model::Group {
        id: Some("g".to_owned()),
        class: None,
        title: MarkupLine::markdown("G"),
        params: Vec::new(),
        props: Vec::new(),
        links: Vec::new(),
        parts: Vec::new(),
        groups,
        controls,
    };
    let mut inner = control.clone();
    inner.id = "c2".to_owned();
    inner.params.clear();
    c.controls = vec![control];
    c.groups = vec![group(vec![inner], vec![group(Vec::new(), Vec::new())])];
    c.groups[0].groups[0].id = Some("g2".to_owned());
    let (typed, whole) = both(c);
    assert_eq!(typed, whole);
    for pointer in ["/catalog/controls/0/params/0", "/catalog/groups/0"] {
        assert!(
            typed
                .iter()
                .any(|m| m.contains(&format!("output: {pointer}:"))),
            "no violation at {pointer}: {typed:#?}"
        );
    }
}

/// Strings for the lean checks of the output (`check/patterns.rs`, the leaf checks of
/// `check/output.rs`, the markup stand-ins): whatever they say of each, the verdict is the
/// whole-document schema's.
const SAMPLES: [&str; 30] = [
    "",
    "a",
    "_",
    "ac-2.1",
    "1ac",
    "a b",
    "é",
    "ǅx",
    " a",
    "a\tb",
    "a\nb",
    "a\u{2028}b",
    "\u{00A0}a",
    "a\u{FEFF}",
    "#",
    "#ac-1",
    "#a b",
    "#x#y",
    "related",
    "8bd5f2a4-6a6b-4f7c-9a43-2b4f7cbbd7a4",
    "8bd5f2a4-6a6b-3f7c-9a43-2b4f7cbbd7a4",
    "8BD5F2A4-6A6B-5F7C-BA43-2B4F7CBBD7A4",
    "https://example.com/x",
    "ab:",
    "urn:isbn:1",
    "2024-02-29T12:30:59Z",
    "2100-02-29T12:30:59Z",
    "2024-01-31T23:59:59.5+05:45",
    "2024-01-31T24:00:00Z",
    "2024-01-31T12:00:00-13:00",
];

#[test]
fn lean_checks_of_strings_give_the_exact_schema_verdict() {
    for s in SAMPLES {
        let mut c = small();
        c.uuid = s.to_owned();
        c.metadata.last_modified = s.to_owned();
        c.metadata.version = s.to_owned();
        if let Some(control) = c.controls.first_mut() {
            control.id = s.to_owned();
            control.class = Some(s.to_owned());
            control.title = MarkupLine(Markup::Xml(s.to_owned()));
            control.links = vec![Link::new(s, Some(s))];
        }
        let (typed, whole) = both(c);
        assert_eq!(typed, whole, "{s:?}");
    }
}

#[test]
fn lean_date_time_check_gives_the_exact_schema_verdict() {
    let mut stamps = Vec::new();
    for year in [
        "1900", "1904", "19", "2000", "2023", "2024", "2100", "2400", "3000",
    ] {
        for (month, day) in [
            ("02", "28"),
            ("02", "29"),
            ("04", "31"),
            ("13", "01"),
            ("1", "01"),
        ] {
            stamps.push(format!("{year}-{month}-{day}T12:30:59Z"));
        }
    }
    for time in ["00:00:00", "23:59:59", "12:60:00", "1:00:00"] {
        for zone in [
            "Z", "", "z", "+14:00", "+15:00", "-03:30", "+06:45", "+05:30x",
        ] {
            for frac in ["", ".123456789", ".", ".x"] {
                stamps.push(format!("2024-01-31T{time}{frac}{zone}"));
            }
        }
    }
    for s in stamps {
        let mut c = small();
        c.metadata.last_modified = s.clone();
        let (typed, whole) = both(c);
        assert_eq!(typed, whole, "{s:?}");
    }
}
