//! OSCAL's constraint layer through the binary: the resolve policy (findings the inputs carry are
//! warnings located in them; findings the resolution introduces keep their level, so an ERROR
//! refuses the output), `--constraints FILE`, `--deny`/`--allow` on constraint codes, SARIF rules.

use super::{oscalc, stderr, tmp_dir};
use std::path::Path;

const CATALOG: &str = r#"{"catalog": {
  "uuid": "8bd5f2a4-6a6b-4f7c-9a43-2b4f7cbbd7a4",
  "metadata": {"title": "T", "last-modified": "2024-01-01T00:00:00Z",
               "version": "1", "oscal-version": "1.2.3"},
  "controls": [
    {"id": "c-1", "title": "One",
     "params": [{"id": "c-1_prm_1", "depends-on": "c-1_prm_2"}, {"id": "c-1_prm_2"}],
     "parts": [{"id": "c-1_smt", "name": "statement",
                "prose": "Do {{ insert: param, c-1_prm_1 }} and {{ insert: param, c-1_prm_2 }}."}]},
    {"id": "c-2", "title": "Two",
     "parts": [{"id": "c-2_smt", "name": "statement", "prose": "Do two."}]}
  ]
}}"#;

fn profile(body: &str) -> String {
    format!(
        r#"{{"profile": {{
  "uuid": "1bd5f2a4-6a6b-4f7c-9a43-2b4f7cbbd7a4",
  "metadata": {{"title": "P", "last-modified": "2024-01-01T00:00:00Z",
               "version": "1", "oscal-version": "1.2.3"}},
  "imports": [{{"href": "catalog.json", "include-all": {{}}}}]{body}
}}}}"#
    )
}

fn setup(name: &str, profile_body: &str) -> std::path::PathBuf {
    let dir = tmp_dir(name);
    std::fs::write(dir.join("catalog.json"), CATALOG).expect("catalog");
    std::fs::write(dir.join("profile.json"), profile(profile_body)).expect("profile");
    dir
}

fn s(p: &Path) -> &str {
    p.to_str().expect("utf-8 path")
}

#[test]
fn validate_reports_a_catalog_finding_at_its_declared_level_and_place() {
    let dir = setup("constraints-validate", "");
    let cat = dir.join("catalog.json");
    let o = oscalc(&["validate", s(&cat), "--error-format", "short"]);
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    let out = stderr(&o);
    // The first parameter, which has the `depends-on`: line 7, column 17.
    assert!(
        out.contains(&format!(
            "{}:7:17: error[oscal:oscal-parameter-depends-on-deprecated]: depends-on is deprecated",
            cat.display()
        )),
        "{out}"
    );
}

#[test]
fn resolve_reports_what_an_input_carries_as_a_warning_located_in_that_input() {
    let dir = setup("constraints-carried", "");
    let out = dir.join("out.json");
    let o = oscalc(&[
        "resolve",
        s(&dir.join("profile.json")),
        "-o",
        s(&out),
        "--error-format",
        "short",
    ]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let err = stderr(&o);
    let cat = dir.join("catalog.json");
    assert!(
        err.contains(&format!(
            "{}:7:17: warning[oscal:oscal-parameter-depends-on-deprecated]",
            cat.display()
        )),
        "{err}"
    );
    // Once, although the output carries it too.
    assert_eq!(
        err.matches("oscal-parameter-depends-on-deprecated").count(),
        1,
        "{err}"
    );
    let written: serde_json::Value =
        serde_json::from_slice(&std::fs::read(&out).expect("output written")).expect("json");
    assert_eq!(
        written["catalog"]["controls"][0]["params"][0]["depends-on"],
        "c-1_prm_2"
    );
}

#[test]
fn resolve_refuses_an_output_whose_error_the_resolution_introduced() {
    // Removing c-2's statement makes a control without one: the catalog is clean there.
    let dir = setup(
        "constraints-introduced",
        r#",
  "modify": {"alters": [{"control-id": "c-2", "removes": [{"by-name": "statement"}]}]}"#,
    );
    let out = dir.join("out.json");
    let o = oscalc(&[
        "resolve",
        s(&dir.join("profile.json")),
        "-o",
        s(&out),
        "--error-format",
        "short",
    ]);
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    let err = stderr(&o);
    assert!(
        err.contains(
            "error[oscal:oscal-catalog-control-require-statement-when-not-withdrawn]: in the output: /catalog/controls/1:"
        ),
        "{err}"
    );
    assert!(!out.exists(), "no output is written");
    // The same with --no-validate: no check, the output is written.
    let o = oscalc(&[
        "resolve",
        s(&dir.join("profile.json")),
        "-o",
        s(&out),
        "--no-validate",
    ]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
}

#[test]
fn an_added_constraint_set_applies_to_validate_and_resolve_with_sarif_rules() {
    let dir = setup("constraints-added", "");
    let set = dir.join("ours.xml");
    std::fs::write(
        &set,
        r#"<metaschema-meta-constraints xmlns="http://csrc.nist.gov/ns/oscal/metaschema/1.0">
  <context>
    <metapath target="/catalog//control"/>
    <constraints>
      <matches id="ours-control-id-form" target="@id" regex="[a-z]{2}-[0-9]+">
        <formal-name>Control Id Form</formal-name>
        <description>Control ids are two letters, a dash and a number.</description>
      </matches>
    </constraints>
  </context>
</metaschema-meta-constraints>"#,
    )
    .expect("set");
    let cat = dir.join("catalog.json");
    let o = oscalc(&[
        "validate",
        s(&cat),
        "--constraints",
        s(&set),
        "--error-format",
        "sarif",
    ]);
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    let sarif: serde_json::Value = serde_json::from_slice(&o.stdout).expect("sarif");
    let results = sarif["runs"][0]["results"].as_array().expect("results");
    let ours: Vec<&serde_json::Value> = results
        .iter()
        .filter(|r| r["ruleId"] == "oscal:ours-control-id-form")
        .collect();
    // `c-1` and `c-2` have one letter: both break the added rule, in document order.
    assert_eq!(ours.len(), 2, "{sarif}");
    let region = &ours[0]["locations"][0]["physicalLocation"]["region"];
    assert_eq!(region["startLine"], 6, "{sarif}");
    let rules = sarif["runs"][0]["tool"]["driver"]["rules"]
        .as_array()
        .expect("rules");
    let rule = rules
        .iter()
        .find(|r| r["id"] == "oscal:ours-control-id-form")
        .expect("the added rule is described");
    let help = rule["help"]["text"].as_str().expect("help text");
    assert!(help.contains("two letters, a dash and a number"), "{help}");

    // resolve: the output breaks it too, and the catalog carries it: warnings in the catalog.
    let out = dir.join("out.json");
    let o = oscalc(&[
        "resolve",
        s(&dir.join("profile.json")),
        "-o",
        s(&out),
        "--constraints",
        s(&set),
        "--error-format",
        "short",
    ]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let err = stderr(&o);
    assert_eq!(
        err.matches("warning[oscal:ours-control-id-form]").count(),
        2,
        "{err}"
    );
    // An output never replaces a constraint set.
    let o = oscalc(&[
        "resolve",
        s(&dir.join("profile.json")),
        "--constraints",
        s(&set),
        "-o",
        s(&set),
    ]);
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    assert!(
        std::fs::read_to_string(&set)
            .expect("set")
            .contains("ours-control-id-form")
    );
}

#[test]
fn deny_and_allow_take_constraint_codes_and_refuse_unknown_ones() {
    let dir = setup("constraints-lints", "");
    let cat = dir.join("catalog.json");
    // A WARNING-level constraint (a resource with neither rlink nor base64) made an error.
    let with_resource = CATALOG.replace(
        r#""controls": ["#,
        r#""back-matter": {"resources": [{"uuid": "5bd5f2a4-6a6b-4f7c-9a43-2b4f7cbbd7a4", "title": "R"}]},
  "controls": ["#,
    );
    std::fs::write(&cat, with_resource).expect("catalog");
    let code = "oscal:oscal-back-matter-resource-base64-rlink-cardinality";
    let plain = oscalc(&["validate", s(&cat), "--error-format", "short"]);
    let text = stderr(&plain);
    assert!(text.contains(&format!("warning[{code}]")), "{text}");
    let denied = oscalc(&[
        "validate",
        s(&cat),
        "--error-format",
        "short",
        "--deny",
        code,
    ]);
    let text = stderr(&denied);
    assert!(text.contains(&format!("error[{code}]")), "{text}");
    let allowed = oscalc(&[
        "validate",
        s(&cat),
        "--error-format",
        "short",
        "--allow",
        code,
    ]);
    let text = stderr(&allowed);
    assert!(!text.contains(code), "{text}");
    // A typo is a usage error that names the code meant.
    let typo = oscalc(&[
        "validate",
        s(&cat),
        "--allow",
        "oscal:oscal-back-matter-resource-base64-rlink-cardinalty",
    ]);
    assert_eq!(typo.status.code(), Some(2));
    assert!(
        stderr(&typo).contains(&format!("did you mean `{code}`")),
        "{}",
        stderr(&typo)
    );
}

#[test]
fn a_file_that_is_no_constraint_set_is_refused_without_quoting_it() {
    let dir = setup("constraints-refused", "");
    let secret = dir.join("netrc");
    std::fs::write(
        &secret,
        "machine example.org login me password hunter2-secret\n",
    )
    .expect("file");
    let o = oscalc(&[
        "validate",
        s(&dir.join("catalog.json")),
        "--constraints",
        s(&secret),
    ]);
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    let all = format!("{}{}", stderr(&o), String::from_utf8_lossy(&o.stdout));
    assert!(all.contains("constraints-invalid"), "{all}");
    assert!(!all.contains("hunter2"), "{all}");

    // A set whose Metapath oscalc cannot evaluate is refused before any document is read.
    let bad = dir.join("bad.xml");
    std::fs::write(
        &bad,
        r#"<metaschema-meta-constraints xmlns="http://csrc.nist.gov/ns/oscal/metaschema/1.0">
  <context><metapath target="/catalog"/>
    <constraints><expect id="bad-doc" target="." test="doc-available('x')"/></constraints>
  </context>
</metaschema-meta-constraints>"#,
    )
    .expect("set");
    let o = oscalc(&[
        "validate",
        s(&dir.join("catalog.json")),
        "--constraints",
        s(&bad),
    ]);
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    let all = format!("{}{}", stderr(&o), String::from_utf8_lossy(&o.stdout));
    assert!(all.contains("constraints-invalid"), "{all}");
    assert!(all.contains("doc-available"), "{all}");
}
