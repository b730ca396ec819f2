//! Stage: check (schema). In: a document in the OSCAL JSON form (`{"catalog": …}` or
//! `{"profile": …}`, markup as Markdown). Out: one `schema-invalid` diagnostic per failing leaf,
//! each with the instance path as its JSON pointer.
//!
//! The official OSCAL 1.2.3 JSON schemas are embedded and compiled once per process. XML input is
//! checked on the same JSON form, so one validator serves both formats. References (ids, inserts)
//! are `refs`'s job.

use crate::diag::{Diagnostic, SourceId, Span};
use crate::model::common::XML_MARKUP_KEY;
use jsonschema::ValidationError;
use jsonschema::error::ValidationErrorKind;
use serde_json::Value;
use std::sync::OnceLock;

pub(crate) const CATALOG_SCHEMA: &str = include_str!("../../schemas/oscal_catalog_schema.json");
pub(crate) const PROFILE_SCHEMA: &str = include_str!("../../schemas/oscal_profile_schema.json");

/// Most schema diagnostics reported for one document; the rest are summed up in one line.
pub(crate) const MAX_REPORTED: usize = 100;

/// Which model a document claims to be.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Model {
    /// `oscal_catalog_schema.json`.
    Catalog,
    /// `oscal_profile_schema.json`.
    Profile,
}

/// One schema violation: where (a JSON pointer into the document) and what.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Violation {
    /// The instance path.
    pub pointer: String,
    /// The validator's message.
    pub message: String,
}

/// The compiled validator of a model, or why the embedded schema did not compile.
fn validator(model: Model) -> Result<&'static jsonschema::Validator, &'static str> {
    static CATALOG: OnceLock<Option<jsonschema::Validator>> = OnceLock::new();
    static PROFILE: OnceLock<Option<jsonschema::Validator>> = OnceLock::new();
    let (cell, text) = match model {
        Model::Catalog => (&CATALOG, CATALOG_SCHEMA),
        Model::Profile => (&PROFILE, PROFILE_SCHEMA),
    };
    cell.get_or_init(|| compile(text, model))
        .as_ref()
        .ok_or("the embedded OSCAL schema does not compile")
}

fn compile(text: &str, model: Model) -> Option<jsonschema::Validator> {
    let mut schema: Value = serde_json::from_str(text).ok()?;
    if model == Model::Profile {
        allow_combine_method(&mut schema);
    }
    jsonschema::draft7::options()
        .should_validate_formats(true)
        .build(&schema)
        .ok()
}

/// The 1.2.3 JSON profile schema gives `merge/combine` no properties at all, while the XSD (and
/// every published profile) has `@method`. Every `combine` property schema that allows nothing
/// gets `method` with the three values the XSD knows (`merge` is deprecated: D6 decides).
pub fn allow_combine_method(schema: &mut Value) {
    match schema {
        Value::Object(map) => {
            if let Some(Value::Object(props)) = map.get_mut("properties")
                && let Some(Value::Object(combine)) = props.get_mut("combine")
                && !combine.contains_key("properties")
            {
                let method = serde_json::json!({
                    "method": {"type": "string", "enum": ["keep", "use-first", "merge"]}
                });
                combine.insert("properties".to_owned(), method);
            }
            map.values_mut().for_each(allow_combine_method);
        }
        Value::Array(items) => items.iter_mut().for_each(allow_combine_method),
        _ => {}
    }
}

/// The model a JSON-form document claims by its root key.
pub fn model_of(value: &Value) -> Option<Model> {
    let map = value.as_object()?;
    if map.contains_key("catalog") {
        Some(Model::Catalog)
    } else if map.contains_key("profile") {
        Some(Model::Profile)
    } else {
        None
    }
}

/// Every violation of the model's schema, deepest alternatives first, each place once.
pub fn violations(value: &Value, model: Model) -> Result<Vec<Violation>, &'static str> {
    let validator = validator(model)?;
    // Most documents are valid: the yes/no pass collects no errors and builds no paths.
    if validator.is_valid(value) {
        return Ok(Vec::new());
    }
    Ok(collect(validator, value))
}

/// Every violation `validator` finds in `value`, deepest alternatives first, each place once.
pub(crate) fn collect(validator: &jsonschema::Validator, value: &Value) -> Vec<Violation> {
    let mut out = Vec::new();
    for error in validator.iter_errors(value) {
        leaves(&error, &mut out);
    }
    // An `anyOf` that fails lists every alternative's complaint at the same place; one per place
    // and message is enough.
    let mut seen = indexmap::IndexSet::new();
    out.retain(|v| seen.insert((v.pointer.clone(), v.message.clone())));
    out
}

/// The errors under `anyOf`/`oneOf` alternatives, recursively; the error itself when it has none.
fn leaves(error: &ValidationError<'_>, out: &mut Vec<Violation>) {
    let nested: Vec<&ValidationError<'_>> = match error.kind() {
        ValidationErrorKind::AnyOf { context } | ValidationErrorKind::OneOfNotValid { context } => {
            context.iter().flatten().collect()
        }
        _ => Vec::new(),
    };
    // Of the alternatives, keep those that got deepest: they are what the author meant.
    let depth = |e: &ValidationError<'_>| e.instance_path().to_string().matches('/').count();
    let deepest = nested.iter().map(|e| depth(e)).max();
    match deepest {
        Some(d) if d > depth(error) => {
            for inner in nested.into_iter().filter(|e| depth(e) == d) {
                leaves(inner, out);
            }
        }
        _ => out.push(Violation {
            pointer: error.instance_path().to_string(),
            message: error.to_string(),
        }),
    }
}

/// The fragment of markup in its XML form (`{"$xml": fragment}`).
pub(crate) fn fragment(map: &serde_json::Map<String, Value>) -> Option<&str> {
    match map.get(XML_MARKUP_KEY) {
        Some(Value::String(x)) if map.len() == 1 => Some(x),
        _ => None,
    }
}

/// Checks a document of the given source against its schema; diagnostics point at the offending
/// value by JSON pointer (the source map finds it in JSON and XML text alike).
pub fn check(value: &Value, source: Option<SourceId>) -> Vec<Diagnostic> {
    let Some(model) = model_of(value) else {
        return vec![Diagnostic::error(
            "schema-invalid",
            "the document has neither a `catalog` nor a `profile` root",
        )];
    };
    let found = match violations(value, model) {
        Ok(v) => v,
        Err(why) => return vec![Diagnostic::error("schema-invalid", why)],
    };
    capped(found, source)
}

/// Violations as located diagnostics: at most [`MAX_REPORTED`], then one line counting the rest.
pub(crate) fn capped(found: Vec<Violation>, source: Option<SourceId>) -> Vec<Diagnostic> {
    let total = found.len();
    let mut out: Vec<Diagnostic> = found
        .into_iter()
        .take(MAX_REPORTED)
        .map(|v| located(v, source))
        .collect();
    if total > MAX_REPORTED {
        out.push(Diagnostic::error(
            "schema-invalid",
            format!("{} more schema violations not shown", total - MAX_REPORTED),
        ));
    }
    out
}

pub(crate) fn located(v: Violation, source: Option<SourceId>) -> Diagnostic {
    let place = if v.pointer.is_empty() {
        "(root)"
    } else {
        &v.pointer
    };
    let d = Diagnostic::error("schema-invalid", format!("{}: {}", place, clip(&v.message)));
    match source {
        Some(s) => d.at(Span::pointer(s, v.pointer)),
        None => d,
    }
}

/// Validator messages quote whole values; a long one is cut to its first characters.
fn clip(message: &str) -> String {
    const MAX: usize = 200;
    match message.char_indices().nth(MAX) {
        Some((i, _)) => format!("{}…", message.get(..i).unwrap_or(message)),
        None => message.to_owned(),
    }
}
