//! `oscalc resolve --show-values`: parameter inserts in prose replaced by values, choices or
//! labels, in NIST's style and the plain one, in JSON, XML and YAML, the output still checked.

use super::{oscalc, stderr, tmp_dir};
use serde_json::Value;
use std::path::Path;

const REV4: &str = "tests/fixtures/sp800-53-rev4/nist.gov/SP800-53/rev4";
const FEDERAL: &str = "profiles/NIST_IoT_federal_low-impact_profile";

/// A profile importing rev4 LOW that sets one of ac-1's three parameters.
fn low_with_one_value(name: &str) -> std::path::PathBuf {
    let dir = tmp_dir(name);
    let low = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join(REV4)
        .join("json/NIST_SP-800-53_rev4_LOW-baseline_profile.json");
    let href = url::Url::from_file_path(&low).expect("absolute path");
    let profile = dir.join("p.json");
    let text = format!(
        r#"{{"profile": {{"uuid": "1bd5f2a4-6a6b-4f7c-9a43-2b4f7cbbd7a4",
  "metadata": {{"title": "LOW with a value", "last-modified": "2024-01-01T00:00:00Z",
               "version": "1", "oscal-version": "1.2.3"}},
  "imports": [{{"href": "{href}", "include-all": {{}}}}],
  "modify": {{"set-parameters": [{{"param-id": "ac-1_prm_2", "values": ["at least annually"]}}]}}}}}}"#
    );
    std::fs::write(&profile, text).expect("write profile");
    profile
}

/// The prose of every part of control `id` (a top-level control), in document order.
fn prose_of(catalog: &Value, id: &str) -> Vec<String> {
    fn walk(parts: &Value, out: &mut Vec<String>) {
        for p in parts.as_array().into_iter().flatten() {
            if let Some(s) = p["prose"].as_str() {
                out.push(s.to_owned());
            }
            walk(&p["parts"], out);
        }
    }
    let mut stack: Vec<&Value> = vec![catalog];
    let mut out = Vec::new();
    while let Some(v) = stack.pop() {
        for c in v["controls"].as_array().into_iter().flatten() {
            if c["id"] == id {
                walk(&c["parts"], &mut out);
            }
        }
        stack.extend(v["groups"].as_array().into_iter().flatten());
    }
    out
}

fn resolved(args: &[&str]) -> Value {
    let o = oscalc(args);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let v: Value = serde_json::from_slice(&o.stdout).expect("JSON on stdout");
    v["catalog"].clone()
}

#[test]
fn show_values_nist_style_marks_values_and_labels_in_rev4_low() {
    let p = low_with_one_value("values-nist");
    let catalog = resolved(&["resolve", p.to_str().unwrap(), "--show-values"]);
    let prose = prose_of(&catalog, "ac-1");
    assert_eq!(
        prose[1],
        "Develops, documents, and disseminates to [Assignment: organization-defined personnel or roles]:"
    );
    assert_eq!(
        prose[5],
        "Access control policy [Assignment: at least annually]; and"
    );
    assert_eq!(
        prose[6],
        "Access control procedures [Assignment: organization-defined frequency]."
    );
    // A choice that holds a parameter: the inner parameter's label, inside the selection.
    let ac7 = prose_of(&catalog, "ac-7").join("\n");
    assert!(
        ac7.contains("[Selection: locks the account/node for an [Assignment: organization-defined time period]; locks the account/node until released by an administrator; delays next logon prompt according to [Assignment: organization-defined delay algorithm]]"),
        "{ac7}"
    );
    // The parameters themselves are left as they are.
    let text = serde_json::to_string(&catalog).unwrap();
    assert!(!prose_of(&catalog, "ac-1").iter().any(|s| s.contains("{{")));
    assert!(text.contains(r#""values":["at least annually"]"#));
}

#[test]
fn show_values_plain_style_writes_the_value_alone() {
    let p = low_with_one_value("values-plain");
    let args = [
        "resolve",
        p.to_str().unwrap(),
        "--show-values",
        "--value-style",
        "plain",
    ];
    let catalog = resolved(&args);
    let prose = prose_of(&catalog, "ac-1");
    assert_eq!(prose[5], "Access control policy at least annually; and");
    assert_eq!(
        prose[6],
        "Access control procedures [Assignment: organization-defined frequency]."
    );
    // Without --show-values the inserts stay, and the flag needs it.
    let catalog = resolved(&["resolve", p.to_str().unwrap()]);
    assert_eq!(
        prose_of(&catalog, "ac-1")[5],
        "Access control policy {{ insert: param, ac-1_prm_2 }}; and"
    );
    let o = oscalc(&["resolve", p.to_str().unwrap(), "--value-style", "plain"]);
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
}

#[test]
fn show_values_keeps_xml_markup_and_writes_valid_xml_and_yaml() {
    let low = format!("{REV4}/xml/NIST_SP-800-53_rev4_LOW-baseline_profile.xml");
    let o = oscalc(&["resolve", &low, "--show-values", "--to", "xml"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let xml = String::from_utf8(o.stdout).unwrap();
    assert!(
        xml.contains("<p>Develops, documents, and disseminates to [Assignment: organization-defined personnel or roles]:</p>"),
        "{}",
        &xml[..2000]
    );
    assert!(!xml.contains(r#"<insert type="param" id-ref="ac-1_prm_1"/>"#));
    let o = oscalc(&["resolve", &low, "--show-values", "--to", "yaml"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let yaml = String::from_utf8(o.stdout).unwrap();
    assert!(yaml.contains(
        "prose: \"Develops, documents, and disseminates to [Assignment: organization-defined personnel or roles]:\""
    ) || yaml.contains(
        "prose: 'Develops, documents, and disseminates to [Assignment: organization-defined personnel or roles]:'"
    ), "{}", &yaml[..3000]);
}

#[test]
fn show_values_fills_the_federal_iot_profiles_set_parameters() {
    let json = format!("{FEDERAL}.json");
    let catalog = resolved(&["resolve", &json, "--show-values", "--value-style", "plain"]);
    let ac7 = prose_of(&catalog, "ac-7");
    assert!(ac7[1].starts_with("Automatically [Selection (one or more): lock the account or node for an [Assignment: organization-defined time period]; "));
    assert_eq!(
        ac7[0],
        "Enforce a limit of 3 consecutive invalid logon attempts by a user during a 15 minutes; and"
    );
    let au11 = prose_of(&catalog, "au-11");
    assert!(
        au11[0].starts_with("Retain audit records for 90 days to provide support"),
        "{au11:?}"
    );
    // The same profile in XML, NIST's style, XML out: the same text in XML markup.
    let xml = format!("{FEDERAL}.xml");
    let o = oscalc(&["resolve", &xml, "--show-values", "--to", "xml"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let out = String::from_utf8(o.stdout).unwrap();
    assert!(out.contains(
        "<p>Enforce a limit of [Assignment: 3] consecutive invalid logon attempts by a user during a [Assignment: 15 minutes]; and</p>"
    ));
}
