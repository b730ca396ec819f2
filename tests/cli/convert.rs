//! `oscalc convert` (round trips between formats, the check before writing, where the output
//! goes and what it never replaces) and YAML output of `oscalc resolve`.

use super::pyyaml::{Loaders, assert_same_data};
use super::{oscalc, stderr, tmp_dir};
use oscalc::Options;
use serde_json::Value;
use std::path::{Path, PathBuf};

const REV4: &str = "tests/fixtures/sp800-53-rev4/nist.gov/SP800-53/rev4";
const DUP: &str = "tests/cases/broken/json-duplicate-control-id/cat.json";

fn abs(rel: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join(rel)
}

/// The document at `p` as oscalc loads it, in its canonical JSON form (markup as Markdown).
fn model(p: &Path) -> Value {
    let uri = url::Url::from_file_path(p).unwrap();
    let bytes = std::fs::read(p).unwrap_or_else(|e| panic!("{}: {e}", p.display()));
    let mut sources = oscalc::source::SourceMap::default();
    let loaded = oscalc::load::load(bytes, &uri, &mut sources, &Options::default())
        .unwrap_or_else(|e| panic!("{}: {e:?}", p.display()));
    oscalc::emit::json_value(&loaded.doc)
}

/// `oscalc convert FROM -o TO`, which must succeed.
fn convert(from: &Path, to: &Path) {
    let o = oscalc(&[
        "convert",
        from.to_str().unwrap(),
        "-o",
        to.to_str().unwrap(),
    ]);
    assert_eq!(
        o.status.code(),
        Some(0),
        "{}: {}",
        from.display(),
        stderr(&o)
    );
}

/// `v` with the white space at both ends of every string, and at the start of each of its
/// paragraphs (after a blank line), taken off: the edges of a Markdown paragraph.
fn trimmed(v: &Value) -> Value {
    match v {
        Value::String(s) => {
            let mut t = s.trim().to_owned();
            while t.contains("\n\n ") {
                t = t.replace("\n\n ", "\n\n");
            }
            Value::String(t)
        }
        Value::Array(a) => Value::Array(a.iter().map(trimmed).collect()),
        Value::Object(m) => Value::Object(m.iter().map(|(k, v)| (k.clone(), trimmed(v))).collect()),
        other => other.clone(),
    }
}

/// Converts `rel` through each format of `route` in turn. Every step loads as the original's
/// model up to white space at the ends of markup: Markdown has none there (a paragraph's edges
/// are not content), so a space NIST put before an `insert` in XML prose is gone once the prose
/// went through Markdown into XML. From then on nothing changes: the last step loads exactly
/// as the one two before it (the same format).
fn round_trip(dir: &Path, rel: &str, route: &[&str]) {
    let start = abs(rel);
    let expected = trimmed(&model(&start));
    let stem = start.file_stem().unwrap().to_string_lossy().into_owned();
    let mut from = start;
    let mut models = Vec::new();
    for (i, ext) in route.iter().enumerate() {
        let to = dir.join(format!("{stem}.{i}.{ext}"));
        convert(&from, &to);
        let m = model(&to);
        assert!(
            trimmed(&m) == expected,
            "{rel}: step {i} ({ext}) loads as a different model"
        );
        models.push(m);
        from = to;
    }
    let n = models.len();
    assert!(
        n >= 3 && models[n - 1] == models[n - 3],
        "{rel}: not a fixed point after {route:?}"
    );
}

#[test]
fn convert_round_trips_the_rev4_catalog_between_xml_and_json() {
    let dir = tmp_dir("convert-rev4");
    round_trip(
        &dir,
        &format!("{REV4}/xml/NIST_SP-800-53_rev4_catalog.xml"),
        &["json", "xml", "json", "xml"],
    );
    round_trip(
        &dir,
        &format!("{REV4}/json/NIST_SP-800-53_rev4_catalog.json"),
        &["xml", "json", "xml"],
    );
    round_trip(
        &dir,
        &format!("{REV4}/json/NIST_SP-800-53_rev4_catalog.json"),
        &["yaml", "json", "yaml"],
    );
}

/// JSON and YAML carry the same Markdown, so JSON↔YAML is exact on the whole rev5 catalog;
/// through XML the prose is the same up to the edges of its paragraphs (a space that opens one,
/// as before an `insert`): the first JSON or YAML keeps such a space, which Markdown drops on the
/// way back to XML, so the fixed point comes one round later.
#[test]
fn convert_round_trips_the_rev5_catalog_through_all_three_formats() {
    let dir = tmp_dir("convert-rev5");
    round_trip(
        &dir,
        "catalogs/NIST_SP-800-53_rev5_catalog.json",
        &["yaml", "json", "yaml"],
    );
    round_trip(
        &dir,
        "catalogs/NIST_SP-800-53_rev5_catalog.xml",
        &["json", "xml", "json", "xml", "json"],
    );
    round_trip(
        &dir,
        "catalogs/NIST_SP-800-53_rev5_catalog.xml",
        &["yaml", "xml", "yaml", "xml", "yaml"],
    );
}

#[test]
fn convert_round_trips_the_shipped_iot_content() {
    let dir = tmp_dir("convert-iot");
    for rel in [
        "catalogs/NIST_IoT_device_cybersecurity_capabilities_catalog.xml",
        "catalogs/NIST_IoT_non-technical_supporting_capabilities_catalog.xml",
        "profiles/NIST_IR-8259A_core_baseline_profile.xml",
        "profiles/NIST_IR-8259B_non-technical_baseline_profile.xml",
        "profiles/NIST_IoT_federal_low-impact_profile.xml",
    ] {
        round_trip(&dir, rel, &["json", "xml", "json"]);
        round_trip(&dir, &rel.replace(".xml", ".json"), &["xml", "json", "xml"]);
        round_trip(
            &dir,
            &rel.replace(".xml", ".json"),
            &["yaml", "json", "yaml"],
        );
    }
}

#[test]
fn convert_to_yaml_writes_the_json_output_as_yaml() {
    let dir = tmp_dir("convert-yaml");
    let from = abs(&format!(
        "{REV4}/xml/NIST_SP-800-53_rev4_HIGH-baseline-resolved-profile_catalog.xml"
    ));
    let (yaml, json) = (dir.join("high.yaml"), dir.join("high.json"));
    convert(&from, &yaml);
    convert(&from, &json);
    let text = std::fs::read(&yaml).unwrap();
    assert!(text.starts_with(b"catalog:\n  uuid: "));
    assert_same_data(
        &text,
        &std::fs::read(&json).unwrap(),
        Loaders::Fast,
        "rev4 HIGH resolved catalog converted from XML",
    );
    // `.yml` and `--to yaml` say the same.
    let yml = dir.join("high.yml");
    convert(&from, &yml);
    assert_eq!(std::fs::read(&yml).unwrap(), text);
    let o = oscalc(&["convert", from.to_str().unwrap(), "-o", "-", "--to", "YAML"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert_eq!(o.stdout, text);
}

#[test]
fn convert_checks_the_document_before_writing() {
    let dir = tmp_dir("convert-check");
    let out = dir.join("dup.xml");
    let o = oscalc(&["convert", DUP, "-o", out.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    assert!(
        stderr(&o).contains("error[ref-duplicate-id]"),
        "{}",
        stderr(&o)
    );
    assert!(stderr(&o).contains("cat.json:"), "{}", stderr(&o));
    assert!(!out.exists());
    let o = oscalc(&["convert", DUP, "-o", out.to_str().unwrap(), "--no-validate"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let xml = std::fs::read_to_string(&out).unwrap();
    assert!(
        xml.starts_with("<?xml") && xml.contains("<catalog "),
        "{xml}"
    );
    // Not a document at all: exit 1, nothing written.
    let junk = dir.join("junk.json");
    std::fs::write(&junk, "{\"neither\": 1}").unwrap();
    let out = dir.join("junk.yaml");
    let o = oscalc(&[
        "convert",
        junk.to_str().unwrap(),
        "-o",
        out.to_str().unwrap(),
    ]);
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    assert!(!out.exists());
}

#[test]
fn convert_never_replaces_its_input() {
    let dir = tmp_dir("convert-input");
    let input = dir.join("cat.json");
    std::fs::copy(
        abs("catalogs/NIST_IoT_device_cybersecurity_capabilities_catalog.json"),
        &input,
    )
    .unwrap();
    let before = std::fs::read(&input).unwrap();
    let link = dir.join("link.xml");
    std::os::unix::fs::symlink(&input, &link).unwrap();
    for (out, to) in [
        ("cat.json", None),
        ("cat.json", Some("xml")),
        ("link.xml", None),
    ] {
        let mut args = vec!["convert", input.to_str().unwrap(), "-o"];
        let out = dir.join(out);
        args.push(out.to_str().unwrap());
        if let Some(to) = to {
            args.extend(["--to", to]);
        }
        let o = oscalc(&args);
        assert_eq!(o.status.code(), Some(2), "{args:?}: {}", stderr(&o));
        assert!(
            stderr(&o).contains("is an input of this run; it is not overwritten"),
            "{}",
            stderr(&o)
        );
        assert!(stderr(&o).contains("error[write-input]"), "{}", stderr(&o));
        assert_eq!(std::fs::read(&input).unwrap(), before, "{args:?}");
    }
    assert!(std::fs::symlink_metadata(&link).unwrap().is_symlink());
}

#[test]
fn convert_output_format_follows_to_then_extension_then_input() {
    let dir = tmp_dir("convert-format");
    let input = abs("profiles/NIST_IoT_federal_low-impact_profile.xml");
    let input = input.to_str().unwrap();
    // An extension oscalc does not write is a usage error, before the input is read.
    let o = oscalc(&["convert", input, "-o", dir.join("p.txt").to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    assert!(
        stderr(&o).contains("error[usage-output]: oscalc cannot write `.txt` files"),
        "{}",
        stderr(&o)
    );
    assert!(!dir.join("p.txt").exists());
    let o = oscalc(&[
        "convert",
        input,
        "-o",
        dir.join("p.txt").to_str().unwrap(),
        "--to",
        "json",
    ]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let v: Value = serde_json::from_slice(&std::fs::read(dir.join("p.txt")).unwrap()).unwrap();
    assert_eq!(
        v["profile"]["imports"][0]["href"],
        "NIST_IR-8259A_core_baseline_profile.xml"
    );
    // Standard output without --to: the input's own format.
    let o = oscalc(&["convert", input, "-o", "-"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert!(o.stdout.starts_with(b"<?xml"));
    // A folder: STEM.EXT in it.
    let o = oscalc(&[
        "convert",
        input,
        "-o",
        dir.to_str().unwrap(),
        "--to",
        "yaml",
    ]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let written = dir.join("NIST_IoT_federal_low-impact_profile.yaml");
    assert!(
        std::fs::read(&written)
            .unwrap()
            .starts_with(b"profile:\n  uuid: ")
    );
    assert!(
        stderr(&o).contains("(XML) → ") && stderr(&o).contains("(YAML): profile"),
        "{}",
        stderr(&o)
    );
}

#[test]
fn resolve_writes_yaml_for_yaml_names_and_to_yaml() {
    let dir = tmp_dir("resolve-yaml");
    let profile = abs("tests/cases/chain/chain-diamond/profile-a.json");
    let profile = profile.to_str().unwrap();
    let json = dir.join("out.json");
    let o = oscalc(&[
        "resolve",
        profile,
        "--reproducible",
        "-o",
        json.to_str().unwrap(),
    ]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let json = std::fs::read(&json).unwrap();
    let mut yamls = Vec::new();
    for name in ["out.yaml", "out.YML"] {
        let out = dir.join(name);
        let o = oscalc(&[
            "resolve",
            profile,
            "--reproducible",
            "-o",
            out.to_str().unwrap(),
        ]);
        assert_eq!(o.status.code(), Some(0), "{name}: {}", stderr(&o));
        yamls.push(std::fs::read(&out).unwrap());
    }
    let o = oscalc(&["resolve", profile, "--reproducible", "--to", "yaml"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    yamls.push(o.stdout);
    // Into a folder: NAME-resolved.yaml.
    let o = oscalc(&[
        "resolve",
        profile,
        "--reproducible",
        "--to",
        "yaml",
        "-o",
        dir.to_str().unwrap(),
    ]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    yamls.push(std::fs::read(dir.join("profile-a-resolved.yaml")).unwrap());
    // The link back to the profile is relative to where the output goes; the rest is the same.
    let first = &yamls[0];
    assert!(first.starts_with(b"catalog:\n  uuid: "));
    for other in &yamls[1..] {
        let (a, b) = (
            String::from_utf8_lossy(first),
            String::from_utf8_lossy(other),
        );
        let strip = |s: &str| -> String {
            s.lines()
                .filter(|l| !l.contains("href:"))
                .collect::<Vec<_>>()
                .join("\n")
        };
        assert_eq!(strip(&a), strip(&b));
    }
    assert_same_data(first, &json, Loaders::Both, "the diamond profile resolved");
}
