//! Stage: shared OSCAL pieces. In: names and texts. Out: `serde_json::Value`s in the OSCAL 1.2.3
//! JSON form, keys in schema order: document uuids, metadata, props, back-matter resources. Fixed
//! namespace, uuids and dates, so that every run writes the same bytes.

use serde_json::{Map, Value, json};
use uuid::Uuid;

/// Namespace of this project's props and parts in the shipped IoT content.
pub const NS: &str = "https://oscalc.dev/ns/iot";
/// `last-modified` of every generated document: the date of the upstream IoT catalog commit.
pub const LAST_MODIFIED: &str = "2021-11-05T00:00:00Z";
/// OSCAL version the generated documents follow.
pub const OSCAL_VERSION: &str = "1.2.3";
/// Upstream repository and commit of the IoT sources.
pub const IOT_UPSTREAM: &str = "https://github.com/usnistgov/IoT-Device-Cybersecurity-Requirement-Catalogs/tree/60ed8e6a802bfab80acdcb5a40ace2aa153529e2";

/// A fixed UUID (v5) for `name` in this project's namespace.
pub fn uuid(name: &str) -> String {
    let ns = Uuid::new_v5(&Uuid::NAMESPACE_URL, NS.as_bytes());
    Uuid::new_v5(&ns, name.as_bytes()).to_string()
}

/// Document metadata: title, last-modified, version, oscal-version, optional remarks.
pub fn metadata(title: &str, version: &str, remarks: &str) -> Value {
    json!({
        "title": title,
        "last-modified": LAST_MODIFIED,
        "version": version,
        "oscal-version": OSCAL_VERSION,
        "remarks": remarks,
    })
}

/// A prop in this project's namespace, with an optional class.
pub fn prop(name: &str, value: &str, class: Option<&str>) -> Value {
    let mut p = Map::new();
    p.insert("name".into(), name.into());
    p.insert("ns".into(), NS.into());
    p.insert("value".into(), value.into());
    if let Some(class) = class {
        p.insert("class".into(), class.into());
    }
    Value::Object(p)
}

/// A plain OSCAL `label` prop (no namespace).
pub fn label(value: &str) -> Value {
    json!({ "name": "label", "value": value })
}

/// A back-matter resource naming a source document by title and link.
pub fn resource(name: &str, title: &str, href: &str) -> Value {
    json!({ "uuid": uuid(name), "title": title, "rlinks": [{ "href": href }] })
}

/// Inserts `key` into `obj` only when `items` is not empty (OSCAL arrays have at least one item).
pub fn put_array(obj: &mut Map<String, Value>, key: &str, items: Vec<Value>) {
    if !items.is_empty() {
        obj.insert(key.into(), Value::Array(items));
    }
}

/// A statement-like part: `id`, `name`, optional prose and sub-parts.
pub fn part(id: &str, name: &str, prose: Option<&str>, parts: Vec<Value>) -> Value {
    let mut p = Map::new();
    p.insert("id".into(), id.into());
    p.insert("name".into(), name.into());
    if let Some(prose) = prose {
        p.insert("prose".into(), prose.into());
    }
    put_array(&mut p, "parts", parts);
    Value::Object(p)
}

/// Lower-case letter `n` (0 → `a`) for item ids.
pub fn letter(n: usize) -> char {
    char::from(b'a' + (n % 26) as u8)
}
