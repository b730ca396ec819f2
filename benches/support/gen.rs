//! Bench inputs made at bench time: synthetic catalogs of N controls, include-all and with-ids
//! profiles over them, profile chains, and a FedRAMP-style heavy-tailoring profile over a real
//! catalog. Shared by `benches/resolve.rs` and `examples/benchgen.rs` (which writes them to files
//! for `scripts/bench-process.sh`).

#![allow(dead_code)] // each user needs a different subset

use serde_json::{Map, Value, json};

const CONTROLS_PER_GROUP: usize = 100;
const UUID_PREFIX: &str = "00000000-0000-4000-8000-";

fn uuid(n: usize) -> String {
    format!("{UUID_PREFIX}{n:012}")
}

fn metadata(title: &str) -> Value {
    json!({
        "title": title,
        "last-modified": "2024-01-01T00:00:00Z",
        "version": "1",
        "oscal-version": "1.1.2"
    })
}

fn to_text(v: &Value) -> String {
    serde_json::to_string_pretty(v).unwrap_or_default()
}

/// The id of synthetic control `i`.
pub fn control_id(i: usize) -> String {
    format!("c-{i}")
}

fn control(i: usize) -> Value {
    let id = control_id(i);
    json!({
        "id": id,
        "title": format!("Control {i}"),
        "params": [{ "id": format!("{id}_prm_1"), "label": "organization-defined frequency" }],
        "props": [{ "name": "label", "value": format!("C-{i}") }],
        "parts": [
            {
                "id": format!("{id}_smt"),
                "name": "statement",
                "parts": [
                    { "id": format!("{id}_smt.a"), "name": "item",
                      "prose": format!("Review the policy {{{{ insert: param, {id}_prm_1 }}}}.") },
                    { "id": format!("{id}_smt.b"), "name": "item",
                      "prose": "Update the procedures after each incident and record the changes." }
                ]
            },
            { "id": format!("{id}_gdn"), "name": "guidance",
              "prose": "Guidance text that is about as long as a typical discussion paragraph in a catalog." }
        ]
    })
}

/// A catalog of `n` controls in groups of 100, each with a param, a statement of two items and a
/// guidance part.
pub fn catalog(n: usize) -> String {
    let groups: Vec<Value> = (0..n.div_ceil(CONTROLS_PER_GROUP))
        .map(|g| {
            let lo = g * CONTROLS_PER_GROUP;
            let hi = (lo + CONTROLS_PER_GROUP).min(n);
            json!({
                "id": format!("g-{g}"),
                "title": format!("Group {g}"),
                "controls": (lo..hi).map(control).collect::<Vec<_>>()
            })
        })
        .collect();
    to_text(&json!({ "catalog": {
        "uuid": uuid(1),
        "metadata": metadata("Synthetic catalog"),
        "groups": groups
    }}))
}

fn profile(import: Value, modify: Option<Value>) -> String {
    let mut p = Map::new();
    p.insert("uuid".into(), Value::String(uuid(2)));
    p.insert("metadata".into(), metadata("Synthetic profile"));
    p.insert("imports".into(), json!([import]));
    p.insert("merge".into(), json!({ "as-is": true }));
    if let Some(m) = modify {
        p.insert("modify".into(), m);
    }
    to_text(&json!({ "profile": p }))
}

/// A profile that imports everything from `href`.
pub fn include_all(href: &str) -> String {
    profile(json!({ "href": href, "include-all": {} }), None)
}

/// A profile that imports every other control of an `n`-control synthetic catalog by id.
pub fn with_ids(href: &str, n: usize) -> String {
    let ids: Vec<String> = (0..n).step_by(2).map(control_id).collect();
    profile(
        json!({ "href": href, "include-controls": [{ "with-ids": ids }] }),
        None,
    )
}

/// A chain of `depth` profiles over the catalog at `catalog_href`: `(name, text)` pairs, the
/// first importing the catalog, each next one the previous; the last is the one to resolve.
pub fn chain(catalog_href: &str, depth: usize) -> Vec<(String, String)> {
    (0..depth)
        .map(|k| {
            let href = match k {
                0 => catalog_href.to_owned(),
                _ => format!("chain-{}.json", k - 1),
            };
            (format!("chain-{k}.json"), include_all(&href))
        })
        .collect()
}

/// FedRAMP-style tailoring of a real catalog (JSON text): include-all, one alter per control with
/// two by-id adds into its statement part (or one plain add where there is none), and a
/// set-parameter for every parameter.
pub fn heavy_tailoring(catalog_json: &str, href: &str) -> String {
    let v: Value = serde_json::from_str(catalog_json).unwrap_or(Value::Null);
    let mut controls = Vec::new();
    collect_controls(&v["catalog"], &mut controls);
    let mut alters = Vec::new();
    let mut set_params = Vec::new();
    for c in &controls {
        let id = c["id"].as_str().unwrap_or_default();
        for p in c["params"].as_array().into_iter().flatten() {
            let pid = p["id"].as_str().unwrap_or_default();
            set_params.push(json!({ "param-id": pid, "values": [format!("value of {pid}")] }));
        }
        alters.push(alter(id, statement_id(c)));
    }
    profile(
        json!({ "href": href, "include-all": {} }),
        Some(json!({ "set-parameters": set_params, "alters": alters })),
    )
}

fn alter(id: &str, statement: Option<&str>) -> Value {
    let part = |suffix: &str| {
        json!({
            "id": format!("{id}_fr_{suffix}"),
            "name": "item",
            "prose": format!("Additional requirement {suffix} for {id}: the service provider defines and documents it.")
        })
    };
    let adds = match statement {
        Some(smt) => json!([
            { "position": "ending", "by-id": smt, "parts": [part("a")] },
            { "position": "starting", "by-id": smt, "parts": [part("b")] }
        ]),
        None => json!([{ "position": "ending", "parts": [part("a")] }]),
    };
    json!({ "control-id": id, "adds": adds })
}

fn statement_id(control: &Value) -> Option<&str> {
    control["parts"]
        .as_array()?
        .iter()
        .find(|p| p["name"] == "statement")?["id"]
        .as_str()
}

fn collect_controls<'a>(node: &'a Value, out: &mut Vec<&'a Value>) {
    for c in node["controls"].as_array().into_iter().flatten() {
        out.push(c);
        collect_controls(c, out);
    }
    for g in node["groups"].as_array().into_iter().flatten() {
        collect_controls(g, out);
    }
}
