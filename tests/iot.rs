//! The shipped IoT content: regenerates `catalogs/` and `profiles/` from the NIST sources under
//! `catalogs/sources/` and checks them: committed bytes, counts, prose and mappings against the
//! sources, schema validity, and resolution of every profile.

#[path = "iot/catalog.rs"]
mod catalog;
#[path = "iot/constraints.rs"]
mod constraints;
#[path = "iot/csv.rs"]
mod csv;
#[path = "iot/document.rs"]
mod document;
#[path = "iot/generate.rs"]
mod generate;
#[path = "iot/mapping.rs"]
mod mapping;
#[path = "iot/nontechnical.rs"]
mod nontechnical;
#[path = "iot/profiles.rs"]
mod profiles;
#[path = "iot/resolution.rs"]
mod resolution;
#[path = "iot/sources.rs"]
mod sources;
#[path = "iot/technical.rs"]
mod technical;
#[path = "iot/text.rs"]
mod text;
#[path = "iot/walk.rs"]
mod walk;

use std::path::Path;
use std::sync::OnceLock;

use serde_json::Value;
use sources::{Sources, root};

/// Sources, what the readers made of them, and the generated files: built once per test run.
struct Generated {
    sources: Sources,
    read: generate::Read,
    outputs: Vec<generate::Output>,
}

fn generated() -> &'static Generated {
    static CELL: OnceLock<Generated> = OnceLock::new();
    CELL.get_or_init(|| {
        let sources = Sources::load();
        let read = generate::read(&sources);
        let outputs = generate::generate(&sources);
        Generated {
            sources,
            read,
            outputs,
        }
    })
}

/// The generated JSON document at `path` (repository-relative).
fn doc(path: &str) -> Value {
    let out = generated()
        .outputs
        .iter()
        .find(|o| o.path == path)
        .unwrap_or_else(|| panic!("not generated: {path}"));
    serde_json::from_str(&out.text).unwrap_or_else(|e| panic!("{path}: {e}"))
}

fn technical_catalog() -> Value {
    doc(&format!("catalogs/{}.json", catalog::TECHNICAL))
}

fn nontechnical_catalog() -> Value {
    doc(&format!("catalogs/{}.json", catalog::NONTECHNICAL))
}

/// Number of controls at depth 1, 2, 3.
fn depth_counts(catalog: &Value) -> [usize; 3] {
    let mut counts = [0; 3];
    for (depth, _) in walk::controls(catalog) {
        counts[depth - 1] += 1;
    }
    counts
}

fn statement_prose(control: &Value) -> &str {
    let id = control["id"].as_str().unwrap_or_default();
    walk::part(control, &format!("{id}_smt"))
        .and_then(|p| p["prose"].as_str())
        .unwrap_or_default()
}

fn source_page(dir: &str, name: &str) -> &'static str {
    let pages = match dir {
        "_Technical" => &generated().sources.technical_pages,
        _ => &generated().sources.nontechnical_pages,
    };
    pages
        .iter()
        .find(|(n, _)| n == name)
        .map(|(_, t)| t.as_str())
        .unwrap_or_else(|| panic!("no page {name}"))
}

/// Regenerates everything and compares it with the committed files; `OSCALC_BLESS=1` rewrites them.
#[test]
fn generated_content_is_committed() {
    let outputs = generate::generate(&Sources::load());
    let bless = std::env::var("OSCALC_BLESS").is_ok_and(|v| v == "1");
    let mut failures = Vec::new();
    for out in &outputs {
        let path = root().join(&out.path);
        if bless {
            write(&path, &out.text);
            continue;
        }
        let committed = std::fs::read_to_string(&path).unwrap_or_default();
        if committed != out.text {
            failures.push(format!(
                "{}: {}",
                out.path,
                first_difference(&committed, &out.text)
            ));
        }
    }
    assert!(
        failures.is_empty(),
        "generated files differ (OSCALC_BLESS=1 rewrites them):\n{}",
        failures.join("\n")
    );
}

fn write(path: &Path, text: &str) {
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir).unwrap_or_else(|e| panic!("{}: {e}", dir.display()));
    }
    std::fs::write(path, text).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
}

fn first_difference(committed: &str, generated: &str) -> String {
    let mut a = committed.lines();
    let mut b = generated.lines();
    for n in 1.. {
        match (a.next(), b.next()) {
            (None, None) => break,
            (x, y) if x == y => continue,
            (x, y) => {
                return format!(
                    "line {n}\n  committed: {}\n  generated: {}",
                    x.unwrap_or("<end>"),
                    y.unwrap_or("<end>")
                );
            }
        }
    }
    "line endings differ".into()
}

#[test]
fn technical_catalog_has_seven_groups_38_controls_154_elements() {
    let doc = technical_catalog();
    let cat = walk::catalog(&doc);
    assert_eq!(
        walk::group_ids(cat),
        ["di", "dc", "dp", "la", "su", "csa", "ds"]
    );
    let titles: Vec<&str> = cat["groups"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|g| g["title"].as_str())
        .collect();
    assert_eq!(
        titles,
        [
            "Device Identification",
            "Device Configuration",
            "Data Protection",
            "Logical Access to Interfaces",
            "Software Update",
            "Cybersecurity State Awareness",
            "Device Security"
        ]
    );
    assert_eq!(depth_counts(cat), [38, 154, 0]);
    let childless: Vec<&str> = walk::controls(cat)
        .into_iter()
        .filter(|(d, c)| *d == 1 && c.get("controls").is_none())
        .filter_map(|(_, c)| c["id"].as_str())
        .collect();
    assert_eq!(
        childless,
        ["di-4", "dc-1", "dc-2", "dc-3", "dc-4", "la-5", "csa-9"]
    );
}

#[test]
fn nontechnical_catalog_has_four_groups_14_sections_32_topics_50_actions() {
    let doc = nontechnical_catalog();
    let cat = walk::catalog(&doc);
    assert_eq!(walk::group_ids(cat), ["doc", "iqr", "dis", "edu"]);
    assert_eq!(depth_counts(cat), [14, 32, 50]);
    let anchors: Vec<&str> = walk::controls(cat)
        .into_iter()
        .filter(|(d, _)| *d == 1)
        .flat_map(|(_, c)| walk::props(c, document::NS))
        .filter(|(name, _, _)| *name == "anchor")
        .map(|(_, v, _)| v)
        .collect();
    assert_eq!(anchors.len(), 14);
    assert_eq!(anchors[..3], ["Doc1", "Doc2", "Doc3"]);
    for id in [
        "doc-1.a.1",
        "doc-1.h.2",
        "iqr-2.a.4",
        "dis-2.b.1",
        "edu-6.a.2",
    ] {
        walk::control(cat, id);
    }
}

#[test]
fn technical_prose_comes_from_the_markdown_pages() {
    let doc = technical_catalog();
    let cat = walk::catalog(&doc);
    let la_9_3 = walk::control(cat, "la-9.3");
    let text = "Ability to logically or physically disable any local and network interfaces that are not necessary for the core functionality of the device.";
    assert_eq!(statement_prose(la_9_3), text);
    assert!(source_page("_Technical", "logical.md").contains(&format!("- {text}")));
    assert_eq!(
        walk::control(cat, "di-1")["title"],
        "Identifier Management Support"
    );
    assert_eq!(
        walk::control(cat, "csa-8")["title"],
        "Audit Support & Protection"
    );
    // Nested sub-lines become items, two levels deep.
    let la_1_2 = walk::control(cat, "la-1.2");
    let sub = walk::part(la_1_2, "la-1.2_smt.a.6").map(|p| &p["prose"]);
    assert_eq!(sub, Some(&Value::from("Manufacturer proprietary method")));
    // The Markdown's curly quotes are kept (the CSV has them too).
    assert_eq!(
        statement_prose(walk::control(cat, "dp-3.3")),
        "Ability to \u{201c}sanitize\u{201d} or \u{201c}purge\u{201d} specific or all data in the device."
    );
    // A sub-capability without a description: its heading is its statement.
    assert_eq!(
        statement_prose(walk::control(cat, "su-2")),
        "Update Application Support"
    );
    // An element the CSV scopes with its own lead-in.
    assert_eq!(
        statement_prose(walk::control(cat, "su-2.2")),
        "If software updates are delivered and applied automatically:\n\nAbility to verify and authenticate any update before installing it"
    );
}

#[test]
fn nontechnical_prose_comes_from_the_markdown_pages() {
    let doc = nontechnical_catalog();
    let cat = walk::catalog(&doc);
    // A topic is a heading only: the heading, as the page writes it, is its statement.
    assert_eq!(
        statement_prose(walk::control(cat, "doc-1.a")),
        "Expected customers and use cases"
    );
    assert_eq!(
        statement_prose(walk::control(cat, "doc-1.f")),
        "Laws and regulations the IoT device and related support activities comply with."
    );
    assert_eq!(
        walk::control(cat, "doc-1.f")["title"],
        "Laws and regulations the IoT device and related support activities comply with"
    );
    let action = walk::control(cat, "doc-1.a.1");
    assert_eq!(
        action["title"],
        "Establish communications describing the IoT device security, authorization, and supporting maintenance requirements"
    );
    assert!(statement_prose(action).starts_with(
        "Device acquisition and maintenance: Establish communications describing the IoT device security, authorization, and supporting maintenance requirements.\n\nManufacturers may need to provide information to customers to support the customers' intended goals"
    ));
    let items: Vec<&str> = walk::part(action, "doc-1.a.1_smt")
        .and_then(|p| p["parts"].as_array())
        .into_iter()
        .flatten()
        .filter_map(|p| p["prose"].as_str())
        .collect();
    assert_eq!(items.len(), 7);
    assert_eq!(
        items[1],
        "Providing details about the types of, and situations that trigger, local and/or remote maintenance activities required once the device is purchased and deployed in the organization's digital ecosystem or within an individual consumer's home."
    );
    let example = walk::part(action, "doc-1.a.1_smt.c_ex1").unwrap_or_else(|| panic!("no example"));
    assert_eq!(example["name"], "example");
    assert!(example["prose"].as_str().unwrap_or_default().starts_with(
        "Organizational mission/business process planning, and information security policies"
    ));
    assert_eq!(
        walk::control(cat, "doc-1.a")["title"],
        "Expected customers and use cases"
    );
    assert!(
        source_page("_Nontechnical", "manufacturer_documentation.md")
            .contains("**a. Expected customers and use cases**")
    );
}

#[test]
fn mapping_props_match_the_csv_rows() {
    let doc = technical_catalog();
    let cat = walk::catalog(&doc);
    let sp = |id: &str| -> Vec<(String, bool)> {
        walk::props(walk::control(cat, id), document::NS)
            .into_iter()
            .filter(|(n, _, _)| *n == "sp800-53r5")
            .map(|(_, v, c)| (v.to_string(), c == Some("low-baseline")))
            .collect()
    };
    let csf = |id: &str| -> Vec<String> {
        walk::props(walk::control(cat, id), document::NS)
            .into_iter()
            .filter(|(n, _, _)| *n == "csf")
            .map(|(_, v, _)| v.to_string())
            .collect()
    };
    // "AC-7 …\nAC-9 …\nAC-2 … (3) …\nAC-2 …(5) …\nAC-2 …(2) …", bold AC-7; CSF "PR.AC-7\nPR.AC-1".
    let expected: Vec<(String, bool)> = [
        ("ac-7", true),
        ("ac-9", false),
        ("ac-2.3", false),
        ("ac-2.5", false),
        ("ac-2.2", false),
    ]
    .iter()
    .map(|(i, l)| (i.to_string(), *l))
    .collect();
    assert_eq!(sp("la-2.1"), expected);
    assert_eq!(csf("la-2.1"), ["PR.AC-7", "PR.AC-1"]);
    assert_eq!(
        sp("la-1.2"),
        [("ia-2.1".to_string(), true), ("ia-2.2".to_string(), true)]
    );
    assert_eq!(sp("su-2.1"), [("si-2".to_string(), true)]);
    assert_eq!(csf("su-2.1"), ["PR.AC-4", "PR.IP-3"]);
    // A description-only sub-capability carries its row's mappings itself.
    assert_eq!(sp("csa-9"), [("si-6".to_string(), false)]);
    let nt = nontechnical_catalog();
    let item = walk::part(
        walk::control(walk::catalog(&nt), "dis-1.a.1"),
        "dis-1.a.1_smt.b",
    )
    .unwrap_or_else(|| panic!("no item"));
    let props: Vec<(&str, &str, Option<&str>)> = walk::props(item, document::NS);
    assert_eq!(props[0], ("sp800-53r5", "sr-8", Some("low-baseline")));
}

#[test]
fn every_low_flag_names_a_rev5_low_control() {
    let low = profiles::low_ids(&generated().sources.low_profile_json);
    assert_eq!(low.len(), 149);
    for doc in [technical_catalog(), nontechnical_catalog()] {
        let mut flagged = Vec::new();
        collect_low(&doc, &mut flagged);
        assert!(!flagged.is_empty());
        for id in flagged {
            assert!(
                low.contains(&id),
                "{id} is flagged LOW but not in the rev5 LOW baseline"
            );
        }
    }
}

fn collect_low(v: &Value, out: &mut Vec<String>) {
    match v {
        Value::Object(map) => {
            if map.get("class").is_some_and(|c| c == "low-baseline") {
                out.extend(map.get("value").and_then(Value::as_str).map(String::from));
            }
            map.values().for_each(|v| collect_low(v, out));
        }
        Value::Array(items) => items.iter().for_each(|i| collect_low(i, out)),
        _ => {}
    }
}

const IOT_LOW_80: &str = "ac-1 ac-2 ac-3 ac-7 ac-8 ac-14 ac-17 ac-18 at-1 at-2 at-3 au-1 au-2 au-3 au-4 au-5 au-6 au-8 au-9 au-11 au-12 ca-7 cm-1 cm-2 cm-4 cm-5 cm-6 cm-7 cm-8 cp-9 cp-10 ia-1 ia-2 ia-2.1 ia-2.2 ia-4 ia-6 ia-8 ir-4 ir-6 ir-8 ma-1 ma-2 ma-4 ma-5 mp-6 pe-3 pe-6 pe-12 pe-13 pe-14 pe-15 pl-1 ps-6 ra-3 ra-5 ra-7 sa-1 sa-2 sa-3 sa-4 sa-4.10 sa-8 sa-22 sc-5 sc-7 sc-12 sc-13 sc-15 sc-21 sc-39 si-1 si-2 si-3 si-4 si-5 si-12 sr-3 sr-5 sr-8";

#[test]
fn rev5_low_controls_mapped_by_the_csvs_are_the_80() {
    let g = generated();
    let ids = profiles::iot_low_ids(
        &g.read.technical,
        &g.read.nontechnical,
        &g.sources.low_profile_json,
    );
    assert_eq!(ids.join(" "), IOT_LOW_80);
    let fed = doc(&format!("profiles/{}.json", profiles::FEDERAL));
    assert_eq!(
        fed["profile"]["imports"][2]["include-controls"][0]["with-ids"]
            .as_array()
            .map(Vec::len),
        Some(80)
    );
}

#[test]
fn reader_notes_are_the_documented_ones() {
    // Each is described in catalogs/README.md; a new one needs a decision there.
    let notes = &generated().read.notes;
    assert_eq!(notes.len(), 2, "{notes:#?}");
    assert!(notes[0].contains("CSV text cut short, page text used"));
    assert!(notes[1].contains("an example on the page, a sub-action in the CSV"));
}

#[test]
fn markup_has_no_web_debris_or_mojibake() {
    for out in generated()
        .outputs
        .iter()
        .filter(|o| o.path.ends_with(".json") && !o.path.contains("SP-800-53"))
    {
        let v: Value =
            serde_json::from_str(&out.text).unwrap_or_else(|e| panic!("{}: {e}", out.path));
        for (key, s) in walk::markup(&v) {
            let without_links = s.replace("](#", "](");
            for bad in [
                "{%",
                "{:",
                "&#",
                "&nbsp",
                "&quot",
                "<",
                ">",
                "*",
                "#",
                "\t",
                "\u{a0}",
                "\u{e2}\u{20ac}",
                "\u{c2}",
                "  ",
                "__",
            ] {
                assert!(
                    !without_links.contains(bad),
                    "{}: {key} contains {bad:?}: {s}",
                    out.path
                );
            }
            assert!(
                !s.starts_with(' ') && !s.ends_with(' '),
                "{}: {key} has edge spaces: {s:?}",
                out.path
            );
            assert!(
                !s.contains(" _") && !s.contains("_ ") && !s.starts_with('_'),
                "{}: emphasis left: {s}",
                out.path
            );
        }
    }
}

#[test]
fn ir_8259a_profile_selects_the_26_controls() {
    let p = doc(&format!("profiles/{}.json", profiles::IR_8259A));
    let ids = &p["profile"]["imports"][0]["include-controls"][0]["with-ids"];
    assert_eq!(ids.as_array().map(Vec::len), Some(26));
    let cat = technical_catalog();
    for id in ids
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(Value::as_str)
    {
        walk::control(walk::catalog(&cat), id);
    }
}

#[test]
fn ir_8259b_profile_adds_dissemination_action_2_from_table_1() {
    let p = doc(&format!("profiles/{}.json", profiles::IR_8259B));
    let alter = &p["profile"]["modify"]["alters"][0];
    assert_eq!(alter["control-id"], "dis-1");
    let part = &alter["adds"][0]["parts"][0];
    assert_eq!(
        part["prose"],
        "The procedures to support informing customers of activities and procedures used by the manufacturer and/or supporting entity to further consider and safeguard the cybersecurity of the device, such as:"
    );
    let items: Vec<&str> = part["parts"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|p| p["prose"].as_str())
        .collect();
    // Items of our own namespace: OSCAL's `item` belongs inside a statement, and this is none.
    for item in part["parts"].as_array().into_iter().flatten() {
        assert_eq!(
            (&item["name"], &item["ns"]),
            (&Value::from("item"), &Value::from(document::NS))
        );
    }
    assert_eq!(
        items,
        [
            "An overview of the information security practices and safeguards used by the manufacturer and/or supporting entity",
            "A risk assessment report or summary for the manufacturer's business environment risk posture"
        ]
    );
    assert_eq!(
        p["profile"]["imports"][0]["exclude-controls"][0]["with-ids"][0],
        "doc-1.h"
    );
}

#[test]
fn federal_profile_sets_parameters_and_links_iot_to_sp800_53() {
    let p = doc(&format!("profiles/{}.json", profiles::FEDERAL));
    let modify = &p["profile"]["modify"];
    let set: Vec<(&str, &str)> = modify["set-parameters"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|s| Some((s["param-id"].as_str()?, s["values"][0].as_str()?)))
        .collect();
    assert_eq!(
        set,
        [
            ("ac-7_prm_1", "3"),
            ("ac-7_prm_2", "15 minutes"),
            ("au-11_prm_1", "90 days"),
            ("si-2_prm_1", "30 days")
        ]
    );
    let alters = modify["alters"].as_array().cloned().unwrap_or_default();
    let alter = |id: &str| {
        alters
            .iter()
            .find(|a| a["control-id"] == id)
            .cloned()
            .unwrap_or_else(|| panic!("no alter for {id}"))
    };
    assert_eq!(
        alter("la-2.1")["adds"][0]["links"],
        serde_json::json!([{ "href": "#ac-7", "rel": "related" }])
    );
    let ac_7 = alter("ac-7");
    assert_eq!(ac_7["adds"][0]["parts"][0]["name"], "guidance");
    assert!(
        ac_7["adds"][0]["links"]
            .as_array()
            .is_some_and(|l| l.iter().any(|l| l["href"] == "#la-2.1"))
    );
    assert_eq!(alter("doc-1.a.1")["removes"][0]["by-name"], "example");
    let imports: Vec<&str> = p["profile"]["imports"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|i| i["href"].as_str())
        .collect();
    assert_eq!(
        imports,
        [
            "NIST_IR-8259A_core_baseline_profile.json",
            "NIST_IR-8259B_non-technical_baseline_profile.json",
            "NIST_SP-800-53_rev5_LOW-baseline_profile.json"
        ]
    );
}

#[test]
fn shipped_low_profile_differs_from_nist_only_in_the_import_href() {
    let g = generated();
    for (ext, nist) in [
        ("json", &g.sources.low_profile_json),
        ("xml", &g.sources.low_profile_xml),
    ] {
        let path = format!("profiles/{}.{ext}", profiles::LOW);
        let shipped = &g
            .outputs
            .iter()
            .find(|o| o.path == path)
            .unwrap_or_else(|| panic!("{path}"))
            .text;
        let changed: Vec<(&str, &str)> = nist
            .lines()
            .zip(shipped.lines())
            .filter(|(a, b)| a != b)
            .collect();
        assert_eq!(changed.len(), 1, "{path}: {changed:?}");
        assert!(
            changed[0]
                .1
                .contains(&format!("../catalogs/NIST_SP-800-53_rev5_catalog.{ext}"))
        );
    }
}

/// The OSCAL 1.2.3 JSON schema `name` (`catalog` or `profile`), as bundled in `schemas/`.
fn schema(name: &str) -> Value {
    let path = root().join(format!("schemas/oscal_{name}_schema.json"));
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

#[test]
fn generated_json_is_schema_valid() {
    let catalog = jsonschema::validator_for(&schema("catalog"))
        .unwrap_or_else(|e| panic!("catalog schema: {e}"));
    let profile = jsonschema::validator_for(&schema("profile"))
        .unwrap_or_else(|e| panic!("profile schema: {e}"));
    assert!(
        !catalog.is_valid(&serde_json::json!({ "catalog": { "uuid": "not-a-uuid" } })),
        "schema rejects nothing"
    );
    let mut checked = 0;
    for out in generated()
        .outputs
        .iter()
        .filter(|o| o.path.ends_with(".json") && !o.path.contains("SP-800-53"))
    {
        let v: Value =
            serde_json::from_str(&out.text).unwrap_or_else(|e| panic!("{}: {e}", out.path));
        let validator = if v.get("catalog").is_some() {
            &catalog
        } else {
            &profile
        };
        let errors: Vec<String> = validator
            .iter_errors(&v)
            .take(10)
            .map(|e| format!("{} at {}", e, e.instance_path()))
            .collect();
        assert!(errors.is_empty(), "{}:\n{}", out.path, errors.join("\n"));
        checked += 1;
    }
    assert_eq!(checked, 5);
}
