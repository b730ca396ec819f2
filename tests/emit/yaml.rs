//! The YAML writer against an independent reader: what PyYAML reads from oscalc's YAML is the
//! data of oscalc's JSON, keys in the same order, for NIST's rev4 HIGH baseline (resolved by
//! oscalc, and NIST's own resolved catalog), the shipped IoT catalogs and profiles, and strings
//! chosen to look like anything but strings. Skipped, with a message, without python3's yaml.

use super::pyyaml::{Loaders, assert_same_data, read};
use oscalc::model::Document;
use oscalc::{Format, FsWorld, Options, emit};
use serde_json::{Value, json};
use std::path::{Path, PathBuf};

const REV4: &str = "tests/fixtures/sp800-53-rev4/nist.gov/SP800-53/rev4";

fn path(rel: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join(rel)
}

fn load(rel: &str) -> Document {
    let p = path(rel);
    let uri = url::Url::from_file_path(&p).unwrap();
    let bytes = std::fs::read(&p).unwrap_or_else(|e| panic!("{rel}: {e}"));
    let mut sources = oscalc::source::SourceMap::default();
    oscalc::load::load(bytes, &uri, &mut sources, &Options::default())
        .unwrap_or_else(|e| panic!("{rel}: {e:?}"))
        .doc
}

/// A catalog from its JSON form.
fn catalog(v: Value) -> Document {
    Document::Catalog(serde_json::from_value(v).expect("a catalog"))
}

fn catalog_with(props: Vec<Value>, parts: Vec<Value>) -> Document {
    catalog(json!({
        "uuid": "74c8ba1e-5cd4-4ad1-bbfd-d888e2f6c724",
        "metadata": {"title": "T", "last-modified": "2024-01-01T00:00:00Z",
                     "version": "1.0", "oscal-version": "1.2.3", "props": props},
        "controls": [{"id": "c1", "title": "One", "parts": parts}]
    }))
}

#[test]
fn yaml_of_the_rev4_high_baseline_reads_as_its_json() {
    let profile = path(&format!(
        "{REV4}/xml/NIST_SP-800-53_rev4_HIGH-baseline_profile.xml"
    ));
    let uri = url::Url::from_file_path(&profile).unwrap();
    let resolved = oscalc::resolve(&FsWorld::new(), &uri, &Options::default())
        .output
        .expect("HIGH resolves");
    assert_same_data(
        &emit(&resolved, Format::Yaml),
        &emit(&resolved, Format::Json),
        Loaders::Fast,
        "rev4 HIGH resolved by oscalc",
    );
    let nist = load(&format!(
        "{REV4}/json/NIST_SP-800-53_rev4_HIGH-baseline-resolved-profile_catalog.json"
    ));
    assert_same_data(
        &emit(&nist, Format::Yaml),
        &emit(&nist, Format::Json),
        Loaders::Fast,
        "NIST's rev4 HIGH resolved catalog",
    );
}

#[test]
fn yaml_of_the_shipped_iot_content_reads_as_its_json() {
    for rel in [
        "catalogs/NIST_IoT_device_cybersecurity_capabilities_catalog.xml",
        "catalogs/NIST_IoT_non-technical_supporting_capabilities_catalog.json",
        "profiles/NIST_IR-8259A_core_baseline_profile.xml",
        "profiles/NIST_IR-8259B_non-technical_baseline_profile.json",
        "profiles/NIST_IoT_federal_low-impact_profile.xml",
    ] {
        let doc = load(rel);
        assert_same_data(
            &emit(&doc, Format::Yaml),
            &emit(&doc, Format::Json),
            Loaders::Both,
            rel,
        );
    }
}

/// Strings a YAML reader could take for a boolean, null, a number, a date, an indicator or a
/// comment: each must read back as the same string.
const RISKY: &[&str] = &[
    "",
    "true",
    "True",
    "FALSE",
    "yes",
    "No",
    "on",
    "Off",
    "y",
    "n",
    "Y",
    "null",
    "Null",
    "~",
    "1",
    "1.0",
    "01",
    "007",
    "0x1F",
    "0o17",
    "0b101",
    "1e3",
    "1E3",
    "1.5e-3",
    "+1",
    "-1",
    ".5",
    "5.",
    ".inf",
    "-.inf",
    ".NaN",
    "1_000",
    "1:30",
    "190:20:30.15",
    "2024-01-01",
    "2001-12-14t21:59:43.10-05:00",
    "2001-12-14 21:59:43.10 -5",
    "2024-01-01T00:00:00Z",
    " lead",
    "trail ",
    "a: b",
    "a #b",
    "ends:",
    "- x",
    "-",
    "?",
    ":",
    ", x",
    "[x]",
    "]",
    "{a: 1}",
    "}",
    "#x",
    "&anchor",
    "*alias",
    "!tag",
    "!!str",
    "|",
    ">",
    "'x'",
    "\"x\"",
    "%YAML",
    "@x",
    "`x`",
    "=",
    "<<",
    "---",
    "...",
    "tab\there",
    "nel\u{85}x",
    "ls\u{2028}x",
    "bom\u{FEFF}",
    "bell\u{7}",
    "quote\"and\\backslash",
    "é ü 中文",
    "a:b",
    "a#b",
    "ac-1",
    "100%",
];

#[test]
fn strings_that_look_like_other_types_read_back_as_strings() {
    let props = RISKY
        .iter()
        .map(|s| json!({"name": "p", "value": s}))
        .collect();
    let doc = catalog_with(props, vec![]);
    let yaml = emit(&doc, Format::Yaml);
    assert_same_data(
        &yaml,
        &emit(&doc, Format::Json),
        Loaders::Both,
        "risky strings",
    );
    let text = String::from_utf8(yaml).unwrap();
    assert!(text.contains("        value: \"yes\"\n"), "{text}");
    assert!(text.contains("        value: \"1.0\"\n"), "{text}");
    assert!(text.contains("        value: \"\"\n"), "{text}");
    assert!(text.contains("        value: ac-1\n"), "{text}");
    assert!(text.contains("    version: \"1.0\"\n"), "{text}");
}

#[test]
fn prose_with_line_breaks_reads_back_exactly() {
    let prose = [
        "One line.",
        "Two\nlines",
        "Ends with a break\n",
        "Ends with two\n\n",
        "Ends with three\n\n\n",
        "  Starts with spaces\nthen not",
        "\nStarts with a break",
        "\n\n  Blank lines then spaces\nx",
        "- a list\n- of items\n\n> a quote\n\n    code block\n",
        "Trailing spaces  \nhard break",
        "Tab\tinside\nand\ttab",
        "\tTab first\nx",
        "Unicode é\nand \u{2028} separator",
        "# heading\n\n## second\n",
        "---\n...\nmarkers",
        "a: b\n#c",
    ];
    let parts = prose
        .iter()
        .enumerate()
        .map(|(i, p)| json!({"id": format!("c1_smt.{i}"), "name": "statement", "prose": p}))
        .collect();
    let doc = catalog_with(vec![], parts);
    let yaml = emit(&doc, Format::Yaml);
    assert_same_data(&yaml, &emit(&doc, Format::Json), Loaders::Both, "prose");
    let text = String::from_utf8(yaml).unwrap();
    assert!(
        text.contains("prose: |-\n            Two\n            lines\n"),
        "{text}"
    );
    assert!(
        text.contains("prose: |+\n            Ends with two\n\n"),
        "{text}"
    );
    assert!(
        text.contains("prose: |2-\n              Starts with spaces\n"),
        "{text}"
    );
}

#[test]
fn yaml_bytes_are_the_same_on_every_write() {
    let doc = load("catalogs/NIST_IoT_device_cybersecurity_capabilities_catalog.xml");
    let first = emit(&doc, Format::Yaml);
    let mut streamed = Vec::new();
    oscalc::emit::write_to(&doc, Format::Yaml, &mut streamed).unwrap();
    assert_eq!(first, streamed);
    assert_eq!(first, emit(&doc.clone(), Format::Yaml));
    assert!(first.starts_with(b"catalog:\n  uuid: "));
    assert!(first.ends_with(b"\n") && !first.ends_with(b"\n\n"));
    assert!(!first.contains(&b'\r'));
    // A version that looks like a number stays a string.
    if let Some(v) = read(&first, Loaders::Fast, "IoT catalog") {
        assert_eq!(v["catalog"]["metadata"]["oscal-version"], json!("1.2.3"));
    }
}
