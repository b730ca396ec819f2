//! Stage: check (the inputs of a resolution). In: one loaded catalog or profile, typed, and
//! its source. Out: its schema violations as errors located in that source, as `validate` reports
//! them, except where the resolution specification says what a resolver does with the input.
//!
//! Kept cheap for the common case, a valid input: a catalog is checked member by member with the
//! lean members schema of the output check (`output.rs`), markup read from XML judged by a
//! stand-in; a profile (small) as a whole with the profile schema under the same lean patterns.
//! Only what the lean check rejects is converted to Markdown and checked again with the exact
//! schema, which alone says what is wrong where. References are `refs`'s job (`validate`).
//!
//! Left to the resolver, which reports them with its own codes (so not schema errors here): the
//! non-schema `with-parent-controls` (D1, honoured and warned), a `matching` with an empty
//! pattern (req-include-by-match-empty), a merge with no structuring directive
//! (req-structure-none) or several (req-stucture), and an unknown combine method
//! (merge-combine-unknown). The combine `method` itself is allowed, as `validate` allows it.

use super::output::{build, schema_violations, stand_ins, wrap};
use super::schema::{self, Model, Violation};
use crate::diag::{Diagnostic, SourceId};
use crate::model::{Document, Profile};
use serde_json::{Map, Value};
use std::sync::OnceLock;

/// The schema errors of one input document, located in `source`, at most
/// `schema::MAX_REPORTED` and then a count.
pub fn check(doc: &Document, source: SourceId) -> Vec<Diagnostic> {
    let found = match doc {
        Document::Catalog(c) => schema_violations(c),
        Document::Profile(p) => profile_violations(p),
    };
    let found = match found {
        Ok(v) => v,
        Err(why) => return vec![Diagnostic::error("schema-invalid", why)],
    };
    schema::capped(found, Some(source))
}

fn profile_violations(p: &Profile) -> Result<Vec<Violation>, String> {
    let broken = "the embedded OSCAL schema does not compile";
    let mut value =
        serde_json::to_value(p).map_err(|e| format!("the input could not be checked: {e}"))?;
    leave_to_resolver(&mut value);
    stand_ins(&mut value, None);
    let lean = lean_profile().ok_or(broken)?;
    if lean.is_valid(&wrap("profile", value)) {
        return Ok(Vec::new());
    }
    let mut value = crate::emit::json_value(p);
    if let Some(inner) = value.get_mut("profile") {
        leave_to_resolver(inner);
    }
    schema::violations(&value, Model::Profile).map_err(str::to_owned)
}

/// Compiles the lean profile schema now (see [`super::prepare`]).
pub(super) fn prepare() {
    let _ = lean_profile();
}

/// The profile schema (combine `method` allowed) with lean patterns, compiled once.
fn lean_profile() -> Option<&'static jsonschema::Validator> {
    static LEAN: OnceLock<Option<jsonschema::Validator>> = OnceLock::new();
    LEAN.get_or_init(|| {
        let mut schema: Value = serde_json::from_str(schema::PROFILE_SCHEMA).ok()?;
        schema::allow_combine_method(&mut schema);
        super::patterns::patch(&mut schema);
        build(&schema, true)
    })
    .as_ref()
}

/// Takes out of a profile's JSON form (the object under `profile`) what the resolver reports
/// itself (see the module doc); array indices stay, so every pointer is the document's.
fn leave_to_resolver(profile: &mut Value) {
    lenient_selections(profile, None);
    let Some(Value::Object(merge)) = profile.get_mut("merge") else {
        return;
    };
    // The structuring directive the resolver goes by (merge.rs, `structure_of`), alone.
    let as_is = merge.get("as-is") == Some(&Value::Bool(true));
    let keep = if merge.contains_key("custom") {
        "custom"
    } else if as_is {
        "as-is"
    } else {
        "flat"
    };
    for other in ["custom", "as-is", "flat"]
        .into_iter()
        .filter(|k| *k != keep)
    {
        merge.remove(other);
    }
    merge
        .entry(keep)
        .or_insert_with(|| Value::Object(Map::new()));
    if let Some(Value::Object(combine)) = merge.get_mut("combine") {
        let known = matches!(
            combine.get("method").and_then(Value::as_str),
            None | Some("keep" | "use-first" | "merge")
        );
        if !known {
            combine.remove("method");
        }
    }
}

/// `with-parent-controls` out of each `include-controls`, empty patterns out of each `matching`.
fn lenient_selections(v: &mut Value, key: Option<&str>) {
    match v {
        Value::Object(map) => {
            match key {
                Some("include-controls") => {
                    map.remove("with-parent-controls");
                }
                Some("matching") if map.get("pattern") == Some(&Value::String(String::new())) => {
                    map.remove("pattern");
                }
                _ => {}
            }
            for (k, child) in map.iter_mut() {
                lenient_selections(child, Some(k));
            }
        }
        Value::Array(items) => items.iter_mut().for_each(|x| lenient_selections(x, key)),
        _ => {}
    }
}
