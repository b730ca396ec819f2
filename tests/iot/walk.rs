//! Stage: inspect. In: an OSCAL catalog or profile as `serde_json::Value`. Out: what the tests ask
//! of it: controls by id and by depth, group ids, props of a control, every markup string.

use serde_json::Value;

/// The catalog object of `{"catalog": …}`.
pub fn catalog(doc: &Value) -> &Value {
    &doc["catalog"]
}

/// Every control with its depth (1 = child of a group or the catalog), document order.
pub fn controls(catalog: &Value) -> Vec<(usize, &Value)> {
    let mut out = Vec::new();
    group(catalog, &mut out);
    out
}

fn group<'a>(node: &'a Value, out: &mut Vec<(usize, &'a Value)>) {
    for g in node["groups"].as_array().into_iter().flatten() {
        group(g, out);
    }
    for c in node["controls"].as_array().into_iter().flatten() {
        visit(c, 1, out);
    }
}

fn visit<'a>(node: &'a Value, depth: usize, out: &mut Vec<(usize, &'a Value)>) {
    out.push((depth, node));
    for c in node["controls"].as_array().into_iter().flatten() {
        visit(c, depth + 1, out);
    }
}

/// The ids of the catalog's groups, document order.
pub fn group_ids(catalog: &Value) -> Vec<&str> {
    catalog["groups"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|g| g["id"].as_str())
        .collect()
}

/// The control with `id`.
pub fn control<'a>(catalog: &'a Value, id: &str) -> &'a Value {
    controls(catalog)
        .into_iter()
        .map(|(_, c)| c)
        .find(|c| c["id"] == id)
        .unwrap_or_else(|| panic!("no control {id}"))
}

/// The part with `id` anywhere in `node`.
pub fn part<'a>(node: &'a Value, id: &str) -> Option<&'a Value> {
    node["parts"]
        .as_array()
        .into_iter()
        .flatten()
        .find_map(|p| if p["id"] == id { Some(p) } else { part(p, id) })
}

/// (name, value, class) of the control's props in namespace `ns`.
pub fn props<'a>(node: &'a Value, ns: &str) -> Vec<(&'a str, &'a str, Option<&'a str>)> {
    node["props"]
        .as_array()
        .into_iter()
        .flatten()
        .filter(|p| p["ns"] == ns)
        .filter_map(|p| {
            Some((
                p["name"].as_str()?,
                p["value"].as_str()?,
                p["class"].as_str(),
            ))
        })
        .collect()
}

/// Every `title` and `prose` string of the document, with its JSON key.
pub fn markup(doc: &Value) -> Vec<(&str, &str)> {
    let mut out = Vec::new();
    strings(doc, &mut out);
    out
}

fn strings<'a>(v: &'a Value, out: &mut Vec<(&'a str, &'a str)>) {
    match v {
        Value::Object(map) => {
            for (k, v) in map {
                match (k.as_str(), v.as_str()) {
                    ("title" | "prose" | "remarks", Some(s)) => out.push((k.as_str(), s)),
                    _ => strings(v, out),
                }
            }
        }
        Value::Array(items) => items.iter().for_each(|i| strings(i, out)),
        _ => {}
    }
}
