//! Validation of JSON output against the bundled OSCAL 1.2.3 catalog schema (`schemas/` at the
//! repository root), compiled once per test binary.
//!
//! In: a JSON document. Out: `Ok(())` or the first schema errors with their instance paths. The
//! validator is draft-07 with formats checked; its regex engine (fancy-regex) accepts the Unicode
//! classes (`\p{L}`, `\p{N}`) the OSCAL patterns use.

use std::fmt::Write as _;
use std::sync::OnceLock;

use jsonschema::ValidationError;
use jsonschema::error::ValidationErrorKind;
use serde_json::Value;

use super::report::clip;

/// Most schema errors a report lists.
const MAX_LINES: usize = 20;

/// Path of the bundled catalog schema.
pub fn catalog_schema_path() -> std::path::PathBuf {
    super::repo_root().join("schemas/oscal_catalog_schema.json")
}

fn catalog_validator() -> Result<&'static jsonschema::Validator, String> {
    static VALIDATOR: OnceLock<Result<jsonschema::Validator, String>> = OnceLock::new();
    VALIDATOR
        .get_or_init(|| {
            let path = catalog_schema_path();
            let text = std::fs::read_to_string(&path)
                .map_err(|e| format!("cannot read {}: {e}", path.display()))?;
            let schema: Value = serde_json::from_str(&text)
                .map_err(|e| format!("{} is not JSON: {e}", path.display()))?;
            jsonschema::draft7::options()
                .should_validate_formats(true)
                .build(&schema)
                .map_err(|e| format!("{} does not compile: {e}", path.display()))
        })
        .as_ref()
        .map_err(Clone::clone)
}

/// Validates JSON text against the catalog schema.
pub fn validate_catalog_text(text: &str) -> Result<(), String> {
    let doc: Value = serde_json::from_str(text).map_err(|e| format!("not JSON: {e}"))?;
    validate_catalog(&doc)
}

/// Validates a parsed document against the catalog schema.
pub fn validate_catalog(doc: &Value) -> Result<(), String> {
    let validator = catalog_validator()?;
    let mut errors: Vec<(String, String)> = Vec::new();
    for error in validator.iter_errors(doc).take(MAX_LINES) {
        leaves(&error, &mut errors);
    }
    // The deepest places first: an `anyOf` failing on a group is reported where it went wrong.
    errors.sort_by_key(|(path, _)| std::cmp::Reverse(path.matches('/').count()));
    errors.dedup();
    if errors.is_empty() {
        return Ok(());
    }
    let mut out = String::from("output is not valid against oscal_catalog_schema.json (1.2.3):");
    for (path, message) in errors.iter().take(MAX_LINES) {
        let _ = write!(out, "\n  {}: {}", path_or_root(path), clip(message));
    }
    if errors.len() > MAX_LINES {
        out.push_str("\n  …");
    }
    Err(out)
}

/// The errors under `anyOf`/`oneOf` alternatives, recursively; the error itself when it has none.
fn leaves(error: &ValidationError<'_>, out: &mut Vec<(String, String)>) {
    let context = match error.kind() {
        ValidationErrorKind::AnyOf { context } | ValidationErrorKind::OneOfNotValid { context } => {
            context
        }
        _ => &Vec::new(),
    };
    let nested: Vec<&ValidationError<'_>> = context.iter().flatten().collect();
    if nested.is_empty() {
        out.push((error.instance_path().to_string(), error.to_string()));
    } else {
        for inner in nested {
            leaves(inner, out);
        }
    }
}

fn path_or_root(path: &str) -> &str {
    if path.is_empty() { "(root)" } else { path }
}
