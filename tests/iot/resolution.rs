//! Stage: resolve the shipped profiles. In: `profiles/*.{json,xml}` on disk, through the library's
//! `resolve` and `emit`. Out: test verdicts: no warnings, the same catalog from the JSON and the XML
//! profile, the expected controls, the added action, parameter values, links and removed examples.

use serde_json::Value;
use url::Url;

use crate::profiles::{FEDERAL, IR_8259A, IR_8259B};
use crate::sources::root;
use crate::walk;

/// Resolves `profiles/<stem>.<ext>`; fails on any warning or error. Returns the emitted JSON.
fn resolve(stem: &str, ext: &str) -> Value {
    let path = root().join(format!("profiles/{stem}.{ext}"));
    let url = Url::from_file_path(&path).unwrap_or_else(|()| panic!("{}", path.display()));
    let run = oscalc::resolve(&oscalc::FsWorld::new(), &url, &oscalc::Options::default());
    let diags = |d: &[oscalc::Diagnostic]| {
        d.iter()
            .map(|d| format!("{} {}", d.code, d.message))
            .collect::<Vec<_>>()
    };
    assert!(
        run.warnings.is_empty(),
        "{stem}.{ext}: warnings {:#?}",
        diags(&run.warnings)
    );
    let resolved = run
        .output
        .unwrap_or_else(|e| panic!("{stem}.{ext}: errors {:#?}", diags(&e)));
    let bytes = oscalc::emit(&resolved, oscalc::Format::Json);
    serde_json::from_slice(&bytes).unwrap_or_else(|e| panic!("{stem}.{ext}: {e}"))
}

/// Resolves the JSON and the XML profile, checks they agree, and returns the JSON one.
fn resolve_both(stem: &str) -> Value {
    let json = resolve(stem, "json");
    let xml = resolve(stem, "xml");
    assert_eq!(
        scrub(json.clone()),
        scrub(xml),
        "{stem}: the JSON and the XML profile resolve differently"
    );
    json
}

/// Blanks what differs between runs or between the two profile files: uuid, last-modified,
/// the source-profile link.
fn scrub(mut v: Value) -> Value {
    let cat = &mut v["catalog"];
    cat["uuid"] = Value::Null;
    cat["metadata"]["last-modified"] = Value::Null;
    if let Some(links) = cat["metadata"]["links"].as_array_mut() {
        links.retain(|l| l["rel"] != "source-profile");
    }
    v
}

fn ids(cat: &Value) -> Vec<String> {
    walk::controls(cat)
        .into_iter()
        .filter_map(|(_, c)| c["id"].as_str().map(String::from))
        .collect()
}

#[test]
fn ir_8259a_profile_resolves_to_26_controls_in_6_groups() {
    let out = resolve_both(IR_8259A);
    let cat = walk::catalog(&out);
    assert_eq!(walk::group_ids(cat), ["di", "dc", "dp", "la", "su", "csa"]);
    assert_eq!(ids(cat), crate::profiles::IR_8259A_IDS);
    let la_9_3 = walk::control(cat, "la-9.3");
    assert_eq!(
        la_9_3["parts"][0]["prose"],
        "Ability to logically or physically disable any local and network interfaces that are not necessary for the core functionality of the device."
    );
}

#[test]
fn ir_8259b_profile_resolves_to_93_controls_with_the_added_action() {
    let out = resolve_both(IR_8259B);
    let cat = walk::catalog(&out);
    assert_eq!(walk::group_ids(cat), ["doc", "iqr", "dis", "edu"]);
    let all = ids(cat);
    assert_eq!(all.len(), 93);
    assert!(
        !all.iter().any(|id| id.starts_with("doc-1.h")),
        "doc-1.h is not in 8259B"
    );
    let added = walk::part(walk::control(cat, "dis-1"), "dis-1_8259b-2")
        .unwrap_or_else(|| panic!("no added action"));
    assert!(
        added["prose"]
            .as_str()
            .unwrap_or_default()
            .starts_with("The procedures to support informing customers")
    );
    assert_eq!(added["parts"].as_array().map(Vec::len), Some(2));
}

#[test]
fn federal_profile_resolves_to_199_controls_with_values_links_and_guidance() {
    let out = resolve_both(FEDERAL);
    let cat = walk::catalog(&out);
    let all = ids(cat);
    assert_eq!(all.len(), 199);
    for id in crate::profiles::IR_8259A_IDS {
        assert!(all.iter().any(|a| a == id), "{id} missing");
    }
    let ac_7 = walk::control(cat, "ac-7");
    let value = |c: &Value, p: &str| {
        c["params"]
            .as_array()
            .into_iter()
            .flatten()
            .find(|x| x["id"] == p)
            .map(|x| x["values"].clone())
    };
    assert_eq!(value(ac_7, "ac-7_prm_1"), Some(serde_json::json!(["3"])));
    assert_eq!(
        value(ac_7, "ac-7_prm_2"),
        Some(serde_json::json!(["15 minutes"]))
    );
    assert_eq!(
        value(walk::control(cat, "au-11"), "au-11_prm_1"),
        Some(serde_json::json!(["90 days"]))
    );
    assert_eq!(
        value(walk::control(cat, "si-2"), "si-2_prm_1"),
        Some(serde_json::json!(["30 days"]))
    );
    assert!(walk::part(ac_7, "ac-7_iot").is_some_and(|p| {
        p["prose"]
            .as_str()
            .is_some_and(|s| s.contains("[la-2.1](#la-2.1)"))
    }));
    let links = |id: &str| -> Vec<String> {
        walk::control(cat, id)["links"]
            .as_array()
            .into_iter()
            .flatten()
            .filter(|l| l["rel"] == "related")
            .filter_map(|l| l["href"].as_str().map(String::from))
            .collect()
    };
    assert!(links("la-2.1").contains(&"#ac-7".to_string()));
    assert!(links("ac-7").contains(&"#la-2.1".to_string()));
    let has_example = |id: &str| {
        serde_json::to_string(walk::control(cat, id)).is_ok_and(|s| s.contains("\"example\""))
    };
    assert!(
        !has_example("doc-1.a.1"),
        "examples of doc-1.a.1 are removed"
    );
    assert!(has_example("doc-1.b.1"), "other controls keep theirs");
    assert!(walk::part(walk::control(cat, "dis-1"), "dis-1_8259b-2").is_some());
}

#[test]
fn resolved_profiles_are_schema_valid() {
    let schema = crate::schema("catalog");
    let validator =
        jsonschema::validator_for(&schema).unwrap_or_else(|e| panic!("catalog schema: {e}"));
    for stem in [IR_8259A, IR_8259B, FEDERAL] {
        let out = resolve(stem, "json");
        let errors: Vec<String> = validator
            .iter_errors(&out)
            .take(10)
            .map(|e| format!("{e} at {}", e.instance_path()))
            .collect();
        assert!(errors.is_empty(), "{stem}:\n{}", errors.join("\n"));
    }
}
