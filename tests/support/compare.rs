//! JSON catalog comparison: the JSON counterpart of [`super::scrub`].
//!
//! In: two JSON documents `{"catalog": …}` (expected, actual). Out: `Ok(())` or a report naming the
//! paths of the first differences. Before comparing, both sides get the same blanking as the XML
//! scrub: `catalog.uuid`, `metadata.last-modified`, the value of the `resolution-tool` prop and the
//! href of `source-profile`/`resolution-source` links; with [`Metadata::Loose`] only the metadata
//! `title` is kept. Strings compare with whitespace runs collapsed (markdown wrapped or indented
//! differently is the same prose); arrays compare in order; object members by name (JSON gives
//! their order no meaning).

use serde_json::{Map, Value};

pub use super::scrub::{BLANK, Metadata};

use super::report::{Diffs, align, clip, collapse};

/// Parses, blanks and compares two JSON catalogs.
pub fn compare_json(expected: &str, actual: &str, metadata: Metadata) -> Result<(), String> {
    let expected: Value =
        serde_json::from_str(expected).map_err(|e| format!("expected JSON does not parse: {e}"))?;
    let actual: Value =
        serde_json::from_str(actual).map_err(|e| format!("actual JSON does not parse: {e}"))?;
    compare_values(&blank(expected, metadata), &blank(actual, metadata))
}

/// Compares two already blanked values.
pub fn compare_values(expected: &Value, actual: &Value) -> Result<(), String> {
    let mut diffs = Diffs::default();
    compare(expected, actual, "", &mut diffs);
    diffs.finish("JSON catalogs differ (after blanking)")
}

/// Blanks what a resolution may legitimately change, as [`super::scrub::scrub`] does for XML.
pub fn blank(mut doc: Value, mode: Metadata) -> Value {
    let Some(catalog) = doc.get_mut("catalog").and_then(Value::as_object_mut) else {
        return doc;
    };
    if let Some(uuid) = catalog.get_mut("uuid") {
        *uuid = Value::from(BLANK);
    }
    if let Some(meta) = catalog.get_mut("metadata").and_then(Value::as_object_mut) {
        blank_metadata(meta, mode);
    }
    doc
}

fn blank_metadata(meta: &mut Map<String, Value>, mode: Metadata) {
    if mode == Metadata::Loose {
        meta.retain(|name, _| name == "title");
        return;
    }
    if let Some(modified) = meta.get_mut("last-modified") {
        *modified = Value::from(BLANK);
    }
    blank_members(meta, "props", "name", &["resolution-tool"], "value");
    blank_members(
        meta,
        "links",
        "rel",
        &["source-profile", "resolution-source"],
        "href",
    );
}

/// In array `list` of `meta`, sets `field` to the blank in each object whose `by` is one of `names`.
fn blank_members(meta: &mut Map<String, Value>, list: &str, by: &str, names: &[&str], field: &str) {
    let Some(items) = meta.get_mut(list).and_then(Value::as_array_mut) else {
        return;
    };
    for item in items.iter_mut().filter_map(Value::as_object_mut) {
        let matches = item
            .get(by)
            .and_then(Value::as_str)
            .is_some_and(|v| names.contains(&v));
        if matches && item.contains_key(field) {
            item.insert(field.to_owned(), Value::from(BLANK));
        }
    }
}

fn compare(expected: &Value, actual: &Value, path: &str, diffs: &mut Diffs) {
    if diffs.is_full() {
        return;
    }
    match (expected, actual) {
        (Value::Object(e), Value::Object(a)) => compare_objects(e, a, path, diffs),
        (Value::Array(e), Value::Array(a)) => compare_arrays(e, a, path, diffs),
        (Value::String(e), Value::String(a)) => {
            let (e, a) = (collapse(e), collapse(a));
            if e != a {
                diffs.push(path_or_root(path), &e, &a);
            }
        }
        (e, a) if e != a => diffs.push(path_or_root(path), &summary(e), &summary(a)),
        _ => {}
    }
}

fn path_or_root(path: &str) -> &str {
    if path.is_empty() { "(root)" } else { path }
}

fn compare_objects(
    expected: &Map<String, Value>,
    actual: &Map<String, Value>,
    path: &str,
    diffs: &mut Diffs,
) {
    for (name, value) in expected {
        let child = member_path(path, name);
        match actual.get(name) {
            Some(other) => compare(value, other, &child, diffs),
            None => diffs.push(&child, &summary(value), "(absent)"),
        }
    }
    for (name, value) in actual {
        if !expected.contains_key(name) {
            diffs.push(&member_path(path, name), "(absent)", &summary(value));
        }
    }
}

fn member_path(path: &str, name: &str) -> String {
    if path.is_empty() {
        name.to_owned()
    } else {
        format!("{path}.{name}")
    }
}

fn compare_arrays(expected: &[Value], actual: &[Value], path: &str, diffs: &mut Diffs) {
    let left: Vec<String> = expected.iter().map(key).collect();
    let right: Vec<String> = actual.iter().map(key).collect();
    for pair in align(&left, &right) {
        let step = |k: &str, index: usize| {
            if k.is_empty() {
                format!("{path}[{index}]")
            } else {
                format!("{path}[{k}]")
            }
        };
        match pair {
            (Some(i), Some(j)) => compare(&expected[i], &actual[j], &step(&left[i], i), diffs),
            (Some(i), None) => diffs.push(&step(&left[i], i), &summary(&expected[i]), "(absent)"),
            (None, Some(j)) => diffs.push(&step(&right[j], j), "(absent)", &summary(&actual[j])),
            (None, None) => {}
        }
    }
}

/// What array items are aligned by: the identifying member of an object (`id`, `uuid`, `name`,
/// `rel`), else nothing (items then align by position among equal keys).
fn key(value: &Value) -> String {
    let Some(object) = value.as_object() else {
        return String::new();
    };
    ["id", "uuid", "name", "rel"]
        .iter()
        .find_map(|field| {
            object
                .get(*field)
                .and_then(Value::as_str)
                .map(|v| format!("{field}={v}"))
        })
        .unwrap_or_default()
}

fn summary(value: &Value) -> String {
    match value {
        Value::String(s) => format!("{:?}", collapse(s)),
        other => clip(&other.to_string()),
    }
}
