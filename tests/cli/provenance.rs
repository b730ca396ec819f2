//! `oscalc resolve --provenance` (props in oscalc's namespace) and `--provenance-out FILE` (the
//! sidecar JSON): the chain of the federal IoT profile, the place of a set-parameter, and a
//! two-level chain where the outer profile overrides the inner one's value and alters a control,
//! in JSON and XML; the sidecar's output rules.

use super::{oscalc, stderr, tmp_dir};
use serde_json::Value;
use std::path::Path;
use std::process::{Command, Output};

const NS: &str = "https://oscalc.dev/ns/provenance";
const FEDERAL: &str = "profiles/NIST_IoT_federal_low-impact_profile";

/// `oscalc` run in `dir`, so the documents there are named by their file names.
fn oscalc_at(dir: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_oscalc"))
        .args(args)
        .current_dir(dir)
        .output()
        .expect("run oscalc")
}

fn json(path: &Path) -> Value {
    serde_json::from_slice(&std::fs::read(path).expect("read")).expect("json")
}

/// `line:col` (1-based, columns in characters) of byte offset `at` of `text`.
fn line_col(text: &str, at: usize) -> String {
    let before = &text[..at];
    let line = before.matches('\n').count() + 1;
    let col = before[before.rfind('\n').map_or(0, |n| n + 1)..]
        .chars()
        .count()
        + 1;
    format!("{line}:{col}")
}

/// The place of the JSON object holding `needle` (its `{`), the first after `after`.
fn json_place(text: &str, after: &str, needle: &str) -> String {
    let from = text.find(after).expect("section");
    let at = from + text[from..].find(needle).expect("needle");
    line_col(text, text[..at].rfind('{').expect("object"))
}

/// The place of the XML element `needle` starts, the first after `after`.
fn xml_place(text: &str, after: &str, needle: &str) -> String {
    let from = text.find(after).expect("section");
    line_col(text, from + text[from..].find(needle).expect("needle"))
}

/// The values of the provenance props named `name` of the object with id `id`, anywhere.
fn props_of(v: &Value, id: &str, name: &str) -> Vec<String> {
    fn find<'a>(v: &'a Value, id: &str, out: &mut Vec<&'a Value>) {
        match v {
            Value::Object(m) => {
                if m.get("id").and_then(Value::as_str) == Some(id) {
                    out.push(v);
                }
                m.values().for_each(|x| find(x, id, out));
            }
            Value::Array(a) => a.iter().for_each(|x| find(x, id, out)),
            _ => {}
        }
    }
    let mut hits = Vec::new();
    find(v, id, &mut hits);
    assert_eq!(hits.len(), 1, "one object with id {id}");
    hits[0]["props"]
        .as_array()
        .into_iter()
        .flatten()
        .filter(|p| p["ns"] == NS && p["name"] == name)
        .map(|p| p["value"].as_str().expect("value").to_owned())
        .collect()
}

fn sidecar_control<'a>(side: &'a Value, id: &str) -> &'a Value {
    side["controls"]
        .as_array()
        .expect("controls")
        .iter()
        .find(|c| c["id"] == id)
        .expect("control in the sidecar")
}

/// `--provenance` and `--provenance-out` on the federal profile, checked output: a control of
/// 8259A names the chain federal → 8259A → device catalog; a parameter the federal profile sets
/// names the federal file at its set-parameter.
fn federal(ext: &str) {
    let dir = tmp_dir(&format!("prov-federal-{ext}"));
    let (out, side) = (dir.join("out.json"), dir.join("side.json"));
    let profile = format!("{FEDERAL}.{ext}");
    let o = oscalc(&[
        "resolve",
        &profile,
        "--provenance",
        "-o",
        out.to_str().expect("utf-8"),
        "--provenance-out",
        side.to_str().expect("utf-8"),
    ]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let (out, side) = (json(&out), json(&side));
    let chain = [
        profile.clone(),
        format!("profiles/NIST_IR-8259A_core_baseline_profile.{ext}"),
        format!("catalogs/NIST_IoT_device_cybersecurity_capabilities_catalog.{ext}"),
    ];
    assert_eq!(props_of(&out, "di-1", "selected-by"), [chain.join(" > ")]);
    assert_eq!(
        sidecar_control(&side, "di-1")["selected-by"],
        serde_json::json!(chain)
    );
    let text = std::fs::read_to_string(&profile).expect("profile");
    let at = match ext {
        "json" => json_place(&text, "\"set-parameters\"", "\"param-id\": \"ac-7_prm_1\""),
        _ => xml_place(&text, "<modify>", "<set-parameter param-id=\"ac-7_prm_1\""),
    };
    assert_eq!(
        props_of(&out, "ac-7_prm_1", "set-by"),
        [format!("{profile}:{at}")]
    );
    let (line, col) = at.split_once(':').expect("line:col");
    let param = &sidecar_control(&side, "ac-7")["params"][0];
    assert_eq!(param["id"], "ac-7_prm_1");
    assert_eq!(param["set-by"]["file"], profile.as_str());
    assert_eq!(param["set-by"]["line"].to_string(), line);
    assert_eq!(param["set-by"]["column"].to_string(), col);
    assert_eq!(side["namespace"], NS);
    assert_eq!(side["controls"].as_array().expect("controls").len(), 199);
}

#[test]
fn provenance_federal_json_names_the_chain_and_the_set_parameter_line() {
    federal("json");
}

#[test]
fn provenance_federal_xml_names_the_chain_and_the_set_parameter_line() {
    federal("xml");
}

const CATALOG: &str = r#"{"catalog": {
  "uuid": "8bd5f2a4-6a6b-4f7c-9a43-2b4f7cbbd7a4",
  "metadata": {"title": "Catalog", "last-modified": "2024-01-01T00:00:00Z",
               "version": "1", "oscal-version": "1.2.3"},
  "controls": [
    {"id": "c1", "title": "One",
     "params": [{"id": "c1_prm_1", "label": "how often"}, {"id": "c1_prm_2", "label": "who"}],
     "parts": [
       {"id": "c1_smt", "name": "statement", "prose": "Do it {{ insert: param, c1_prm_1 }}."},
       {"id": "c1_gdn", "name": "guidance", "prose": "Some guidance."}]},
    {"id": "c2", "title": "Two"}]
}}"#;

const INNER_JSON: &str = r#"{"profile": {
  "uuid": "1bd5f2a4-6a6b-4f7c-9a43-2b4f7cbbd7a4",
  "metadata": {"title": "Inner", "last-modified": "2024-01-01T00:00:00Z",
               "version": "1", "oscal-version": "1.2.3"},
  "imports": [{"href": "cat.json", "include-all": {}}],
  "modify": {
    "set-parameters": [
      {"param-id": "c1_prm_1", "values": ["daily"]},
      {"param-id": "c1_prm_2", "values": ["the owner"]}
    ]
  }
}}"#;

const OUTER_JSON: &str = r#"{"profile": {
  "uuid": "2bd5f2a4-6a6b-4f7c-9a43-2b4f7cbbd7a4",
  "metadata": {"title": "Outer", "last-modified": "2024-01-01T00:00:00Z",
               "version": "1", "oscal-version": "1.2.3"},
  "imports": [{"href": "inner.json", "include-controls": [{"with-ids": ["c1"]}]}],
  "modify": {
    "set-parameters": [
      {"param-id": "c1_prm_1", "values": ["weekly"]}
    ],
    "alters": [
      {"control-id": "c1",
       "removes": [
         {"by-id": "c1_gdn"}
       ],
       "adds": [
         {"position": "ending",
          "parts": [{"id": "c1_extra", "name": "guidance", "prose": "Added."}]}
       ]}
    ]
  }
}}"#;

const INNER_XML: &str = r#"<?xml version="1.0" encoding="UTF-8"?>
<profile xmlns="http://csrc.nist.gov/ns/oscal/1.0" uuid="1bd5f2a4-6a6b-4f7c-9a43-2b4f7cbbd7a4">
  <metadata>
    <title>Inner</title>
    <last-modified>2024-01-01T00:00:00Z</last-modified>
    <version>1</version>
    <oscal-version>1.2.3</oscal-version>
  </metadata>
  <import href="cat.json">
    <include-all/>
  </import>
  <modify>
    <set-parameter param-id="c1_prm_1">
      <value>daily</value>
    </set-parameter>
    <set-parameter param-id="c1_prm_2">
      <value>the owner</value>
    </set-parameter>
  </modify>
</profile>
"#;

const OUTER_XML: &str = r#"<?xml version="1.0" encoding="UTF-8"?>
<profile xmlns="http://csrc.nist.gov/ns/oscal/1.0" uuid="2bd5f2a4-6a6b-4f7c-9a43-2b4f7cbbd7a4">
  <metadata>
    <title>Outer</title>
    <last-modified>2024-01-01T00:00:00Z</last-modified>
    <version>1</version>
    <oscal-version>1.2.3</oscal-version>
  </metadata>
  <import href="inner.xml">
    <include-controls>
      <with-id>c1</with-id>
    </include-controls>
  </import>
  <modify>
    <set-parameter param-id="c1_prm_1">
      <value>weekly</value>
    </set-parameter>
    <alter control-id="c1">
      <remove by-id="c1_gdn"/>
      <add position="ending">
        <part id="c1_extra" name="guidance">
          <p>Added.</p>
        </part>
      </add>
    </alter>
  </modify>
</profile>
"#;

/// A catalog, an inner profile that sets two values and an outer profile that imports it,
/// overrides one value, removes a part and adds one; in `ext` for the profiles.
fn chain_dir(name: &str, ext: &str) -> std::path::PathBuf {
    let dir = tmp_dir(name);
    let (inner, outer) = match ext {
        "json" => (INNER_JSON, OUTER_JSON),
        _ => (INNER_XML, OUTER_XML),
    };
    std::fs::write(dir.join("cat.json"), CATALOG).expect("write");
    std::fs::write(dir.join(format!("inner.{ext}")), inner).expect("write");
    std::fs::write(dir.join(format!("outer.{ext}")), outer).expect("write");
    dir
}

fn chain(ext: &str) {
    let dir = chain_dir(&format!("prov-chain-{ext}"), ext);
    let (inner, outer) = (format!("inner.{ext}"), format!("outer.{ext}"));
    let o = oscalc_at(
        &dir,
        &[
            "resolve",
            &outer,
            "--provenance",
            "-o",
            "out.json",
            "--provenance-out",
            "side.json",
        ],
    );
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let out = json(&dir.join("out.json"));
    let side = json(&dir.join("side.json"));
    let inner_text = std::fs::read_to_string(dir.join(&inner)).expect("read");
    let outer_text = std::fs::read_to_string(dir.join(&outer)).expect("read");
    let (set1, set2, removed, added) = match ext {
        "json" => (
            json_place(&outer_text, "set-parameters", "c1_prm_1"),
            json_place(&inner_text, "set-parameters", "c1_prm_2"),
            json_place(&outer_text, "\"removes\"", "c1_gdn"),
            json_place(&outer_text, "\"adds\"", "ending"),
        ),
        _ => (
            xml_place(
                &outer_text,
                "<modify>",
                "<set-parameter param-id=\"c1_prm_1\"",
            ),
            xml_place(
                &inner_text,
                "<modify>",
                "<set-parameter param-id=\"c1_prm_2\"",
            ),
            xml_place(&outer_text, "<alter", "<remove"),
            xml_place(&outer_text, "<alter", "<add"),
        ),
    };
    assert_eq!(
        props_of(&out, "c1", "selected-by"),
        [format!("{outer} > {inner} > cat.json")]
    );
    // The outer profile made the final value; the inner one's value stands for the other.
    assert_eq!(
        out["catalog"]["controls"][0]["params"][0]["values"][0],
        "weekly"
    );
    assert_eq!(
        props_of(&out, "c1_prm_1", "set-by"),
        [format!("{outer}:{set1}")]
    );
    assert_eq!(
        props_of(&out, "c1_prm_2", "set-by"),
        [format!("{inner}:{set2}")]
    );
    assert_eq!(
        props_of(&out, "c1_extra", "added-by"),
        [format!("{outer}:{added}")]
    );
    assert_eq!(
        props_of(&out, "c1", "removed-by"),
        [format!("c1_gdn {outer}:{removed}")]
    );
    let c1 = sidecar_control(&side, "c1");
    assert_eq!(c1["params"][0]["set-by"]["file"], outer.as_str());
    assert_eq!(c1["params"][1]["set-by"]["file"], inner.as_str());
    assert_eq!(c1["added-parts"][0]["part"], "c1_extra");
    assert_eq!(c1["removed-parts"][0]["part"], "c1_gdn");
    let (line, _) = removed.split_once(':').expect("line:col");
    assert_eq!(c1["removed-parts"][0]["by"]["line"].to_string(), line);
    assert_eq!(side["controls"].as_array().expect("controls").len(), 1);
}

#[test]
fn provenance_chain_json_attributes_an_overridden_value_to_the_outer_profile() {
    chain("json");
}

#[test]
fn provenance_chain_xml_attributes_an_overridden_value_to_the_outer_profile() {
    chain("xml");
}

#[test]
fn provenance_out_alone_leaves_the_output_and_its_uuid_as_without() {
    let dir = chain_dir("prov-alone", "json");
    let run = |extra: &[&str]| {
        let mut args = vec!["resolve", "outer.json", "--reproducible"];
        args.extend_from_slice(extra);
        let o = oscalc_at(&dir, &args);
        assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
        o.stdout
    };
    let plain = run(&[]);
    let sidecar_only = run(&["--provenance-out", "side.json"]);
    assert_eq!(sidecar_only, plain);
    assert!(!String::from_utf8_lossy(&plain).contains(NS));
    let side = json(&dir.join("side.json"));
    assert_eq!(
        sidecar_control(&side, "c1")["selected-by"],
        serde_json::json!(["outer.json", "inner.json", "cat.json"])
    );
    // The props change the content, so they change the reproducible uuid.
    let with_props: Value = serde_json::from_slice(&run(&["--provenance"])).expect("json");
    let plain: Value = serde_json::from_slice(&plain).expect("json");
    assert_ne!(with_props["catalog"]["uuid"], plain["catalog"]["uuid"]);
}

#[test]
fn provenance_out_refuses_the_catalog_output_an_input_and_several_profiles() {
    let dir = chain_dir("prov-refuse", "json");
    let o = oscalc_at(
        &dir,
        &[
            "resolve",
            "outer.json",
            "-o",
            "out.json",
            "--provenance-out",
            "./out.json",
        ],
    );
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("error[write-same]"), "{}", stderr(&o));
    assert!(!dir.join("out.json").exists());

    let before = std::fs::read(dir.join("inner.json")).expect("read");
    let o = oscalc_at(
        &dir,
        &[
            "resolve",
            "outer.json",
            "-o",
            "out.json",
            "--provenance-out",
            "inner.json",
        ],
    );
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("error[write-input]"), "{}", stderr(&o));
    assert_eq!(std::fs::read(dir.join("inner.json")).expect("read"), before);
    assert!(!dir.join("out.json").exists());

    let o = oscalc_at(&dir, &["resolve", "outer.json", "--provenance-out", "-"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("error[write-same]"), "{}", stderr(&o));
    assert!(o.stdout.is_empty());

    std::fs::create_dir(dir.join("outs")).expect("mkdir");
    let o = oscalc_at(
        &dir,
        &[
            "resolve",
            "outer.json",
            "inner.json",
            "-o",
            "outs/",
            "--provenance-out",
            "s.json",
        ],
    );
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("error[usage-output]"), "{}", stderr(&o));
    assert!(!dir.join("s.json").exists());
}
