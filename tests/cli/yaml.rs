//! YAML input: a catalog and profile written as YAML by an independent writer (PyYAML, see
//! `tests/fixtures/yaml/README.md`) resolve to the catalog their JSON copies resolve to; a YAML
//! catalog reached only through a `+yaml` rlink; YAML recognised by content on standard input;
//! shape errors located in the YAML text.

use super::{oscalc, stderr, tmp_dir};
use serde_json::Value;
use std::path::Path;

const JSON_CASE: &str = "tests/cases/modify/set-param-group-param-as-is";
const YAML: &str = "tests/fixtures/yaml";

/// The resolved catalog without what names the run's input (uuid, timestamps, source links).
fn body(out: &[u8]) -> Value {
    let mut v: Value = serde_json::from_slice(out).expect("resolved JSON");
    let cat = v["catalog"].as_object_mut().expect("catalog");
    cat.remove("uuid");
    cat.remove("back-matter");
    cat.remove("metadata");
    v
}

fn resolve(profile: &str, extra: &[&str]) -> Vec<u8> {
    let o = oscalc(&[&["resolve", profile, "--reproducible"], extra].concat());
    assert_eq!(o.status.code(), Some(0), "{profile}: {}", stderr(&o));
    o.stdout
}

#[test]
fn yaml_copies_resolve_to_what_the_json_copies_resolve_to() {
    let from_json = resolve(&format!("{JSON_CASE}/profile.json"), &[]);
    // As an XML input gives XML, a YAML input gives YAML unless told otherwise.
    let as_yaml = resolve(&format!("{YAML}/profile.yaml"), &[]);
    assert!(
        as_yaml.starts_with(b"catalog:\n"),
        "a YAML input resolves to YAML"
    );
    let from_yaml = resolve(&format!("{YAML}/profile.yaml"), &["--to", "json"]);
    assert!(from_yaml.starts_with(b"{"), "--to json");
    let expected: Value =
        serde_json::from_slice(&std::fs::read(format!("{JSON_CASE}/expected.json")).unwrap())
            .unwrap();
    assert_eq!(body(&from_yaml), body(&from_json));
    assert_eq!(
        body(&from_yaml)["catalog"]["groups"],
        expected["catalog"]["groups"]
    );
    // The YAML catalog's `version: '1.0'` and the profile's `as-is: true` were read as the
    // model wants them: a string kept as written, a boolean that kept the groups.
    let v: Value = serde_json::from_slice(&from_yaml).unwrap();
    assert!(v["catalog"]["groups"].is_array());
}

#[test]
fn a_catalog_only_offered_as_a_yaml_rlink_is_imported() {
    let dir = tmp_dir("yaml-rlink");
    std::fs::copy(format!("{YAML}/catalog.yaml"), dir.join("cat.yml")).unwrap();
    let profile = serde_json::json!({"profile": {
        "uuid": "5a1e0000-0000-4000-8000-0000000000a1",
        "metadata": {"title": "By rlink", "last-modified": "2026-01-01T00:00:00Z",
                     "version": "1", "oscal-version": "1.1.2"},
        "imports": [{"href": "#5a1e0000-0000-4000-8000-0000000000c1",
                     "include-controls": [{"with-ids": ["c3"]}]}],
        "merge": {"as-is": true},
        "back-matter": {"resources": [{"uuid": "5a1e0000-0000-4000-8000-0000000000c1",
            "rlinks": [{"href": "cat.yml", "media-type": "application/oscal.catalog+yaml"}]}]}
    }});
    let path = dir.join("profile.json");
    std::fs::write(&path, serde_json::to_vec_pretty(&profile).unwrap()).unwrap();
    let out = resolve(path.to_str().unwrap(), &[]);
    let v: Value = serde_json::from_slice(&out).unwrap();
    let ids: Vec<&str> = v["catalog"]["groups"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|g| g["controls"].as_array().into_iter().flatten())
        .filter_map(|c| c["id"].as_str())
        .collect();
    assert_eq!(ids, ["c3"]);
}

#[test]
fn yaml_on_standard_input_is_recognised_by_content() {
    let text = std::fs::read(format!("{YAML}/catalog.yaml")).unwrap();
    let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_oscalc"))
        .args(["validate", "-"])
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    std::io::Write::write_all(&mut child.stdin.take().unwrap(), &text).unwrap();
    let o = child.wait_with_output().unwrap();
    // Read, checked and located as YAML: the one finding is OSCAL's constraint layer's on the
    // fixture's control `c4`, which has no statement (the fixture is a copy of a resolution case).
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    let err = stderr(&o);
    assert!(err.contains("1 error, 0 warnings"), "{err}");
    assert!(
        err.contains(
            "error[oscal:oscal-catalog-control-require-statement-when-not-withdrawn]: control `c4`"
        ),
        "{err}"
    );
    assert!(err.contains("┌─ <stdin>:67:7"), "{err}");
}

#[test]
fn a_yaml_shape_error_names_the_line_and_column_of_the_node() {
    let dir = tmp_dir("yaml-shape");
    let text = std::fs::read_to_string(format!("{YAML}/catalog.yaml")).unwrap();
    let bad = text.replacen("title: Control Four", "title: {a: b}", 1);
    assert_ne!(bad, text);
    let line = bad.lines().position(|l| l.contains("{a: b}")).unwrap() + 1;
    let col = bad.lines().nth(line - 1).unwrap().find("title").unwrap() + 1;
    let path = dir.join("cat.yaml");
    std::fs::write(&path, &bad).unwrap();
    let o = oscalc(&[
        "validate",
        path.to_str().unwrap(),
        "--error-format",
        "short",
    ]);
    assert_eq!(o.status.code(), Some(1));
    let name = Path::new(path.to_str().unwrap()).display().to_string();
    assert!(
        stderr(&o).starts_with(&format!("{name}:{line}:{col}: error[")),
        "{}",
        stderr(&o)
    );
}
