//! Stage: check (constraints). In: a document's JSON form (`{"catalog": …}` or `{"profile": …}`)
//! and the constraint sets the user added (`--constraints FILE`). Out: the findings of OSCAL's
//! constraint layer (the Metaschema modules' 92 constraints that reach catalogs and profiles,
//! plus the added sets) as diagnostics located by JSON pointer.
//!
//! The builtin set is compiled once per process; added sets once per set of `Arc`s
//! ([`compile`] keeps the last few). The findings themselves come from
//! [`crate::metaschema::check`]; this module maps levels to severities and codes to help texts.
//! Which findings stop a resolution is `resolve`'s policy.

use std::sync::{Arc, Mutex, OnceLock};

use crate::diag::{Diagnostic, Severity, SourceId, Span};
use crate::metaschema::check::{CompileError, Compiled};
use crate::metaschema::json::Json;
use crate::metaschema::{Level, MetaConstraints, Schema};

pub use crate::metaschema::check::Finding;

/// OSCAL's own definitions and constraints.
fn builtin_schema() -> &'static Schema {
    crate::metaschema::read::builtin()
}

/// The builtin set, compiled once per process; `None` if it does not compile (a test keeps it
/// compiling: see `tests/metaschema_check.rs`).
fn builtin() -> Option<&'static Compiled<'static>> {
    static COMPILED: OnceLock<Option<Compiled<'static>>> = OnceLock::new();
    COMPILED
        .get_or_init(|| Compiled::new(builtin_schema(), &[]).ok())
        .as_ref()
}

/// The builtin constraints with the `extra` sets, compiled; each expression or pattern of a set
/// that does not compile is one `constraints-invalid` error naming the set and the constraint.
/// The last few sets compiled are kept (a run checks many documents with the same
/// `--constraints`): asked again by the same `Arc`s, they are not compiled again.
pub fn compile(extra: &[Arc<MetaConstraints>]) -> Result<Arc<Compiled<'static>>, Vec<Diagnostic>> {
    type Kept = Vec<(Vec<Arc<MetaConstraints>>, Arc<Compiled<'static>>)>;
    static KEPT: Mutex<Kept> = Mutex::new(Vec::new());
    const KEEP: usize = 8;
    let same = |sets: &[Arc<MetaConstraints>]| {
        sets.len() == extra.len() && sets.iter().zip(extra).all(|(a, b)| Arc::ptr_eq(a, b))
    };
    let kept = KEPT.lock().ok().and_then(|k| {
        k.iter()
            .find(|(sets, _)| same(sets))
            .map(|(_, c)| c.clone())
    });
    if let Some(compiled) = kept {
        return Ok(compiled);
    }
    let sets: Vec<MetaConstraints> = extra.iter().map(|s| (**s).clone()).collect();
    let compiled = Compiled::new(builtin_schema(), &sets)
        .map(Arc::new)
        .map_err(|errors| errors.iter().map(invalid).collect::<Vec<_>>())?;
    if let Ok(mut k) = KEPT.lock() {
        if k.len() >= KEEP {
            k.remove(0);
        }
        k.push((extra.to_vec(), compiled.clone()));
    }
    Ok(compiled)
}

fn invalid(e: &CompileError) -> Diagnostic {
    Diagnostic::error("constraints-invalid", e.to_string())
        .hint("fix the constraint set, or leave it out of `--constraints`")
}

/// Every finding of the builtin constraints and the `extra` sets in `json`, in document order.
/// A set that does not compile adds nothing here: [`compile`] or [`run`] reports it.
pub fn findings(json: &Json, extra: &[Arc<MetaConstraints>]) -> Vec<Finding> {
    with_sets(extra, |c| Some(c.check(json))).unwrap_or_default()
}

/// A finding as a diagnostic in `source`: CRITICAL and ERROR are errors; WARNING,
/// INFORMATIONAL and DEBUG are warnings, the last two saying their level in the message.
pub fn diagnostic(f: &Finding, source: Option<SourceId>) -> Diagnostic {
    let severity = match f.level {
        Level::Critical | Level::Error => Severity::Error,
        Level::Warning | Level::Informational | Level::Debug => Severity::Warning,
    };
    let message = match f.level {
        Level::Informational => format!("informational: {}", f.message),
        Level::Debug => format!("debug: {}", f.message),
        _ => f.message.clone(),
    };
    let mut d = Diagnostic::new(severity, f.code, message);
    if let Some(hint) = &f.hint {
        d = d.hint(hint.clone());
    }
    match source {
        Some(s) => d.at(Span::pointer(s, f.pointer.clone())),
        None => d,
    }
}

/// What `validate` runs on a document: the findings of the builtin constraints and the `extra`
/// sets as diagnostics in `source`; a set that does not compile gives its errors instead of its
/// findings (the builtin set's are reported all the same).
pub fn run(
    json: &Json,
    extra: &[Arc<MetaConstraints>],
    source: Option<SourceId>,
) -> Vec<Diagnostic> {
    let found = if extra.is_empty() {
        builtin().map(|c| c.check(json)).unwrap_or_default()
    } else {
        match compile(extra) {
            Ok(c) => c.check(json),
            Err(errors) => {
                let mut out = errors;
                let builtin = builtin().map(|c| c.check(json)).unwrap_or_default();
                out.extend(builtin.iter().map(|f| diagnostic(f, source)));
                return out;
            }
        }
    };
    found.iter().map(|f| diagnostic(f, source)).collect()
}

/// The help text of an `oscal:` code, for a SARIF rule: each reporting constraint's remarks or
/// formal name, else its kind and target.
pub fn describe(code: &str, extra: &[Arc<MetaConstraints>]) -> Option<String> {
    with_sets(extra, |c| c.describe(code))
}

/// Whether some constraint of the builtin set or of `extra` reports `code`.
pub fn known(code: &str, extra: &[Arc<MetaConstraints>]) -> bool {
    codes(extra).contains(&code)
}

/// Every `oscal:` code the builtin set and `extra` can report, once each.
pub fn codes(extra: &[Arc<MetaConstraints>]) -> Vec<&'static str> {
    with_sets(extra, |c| Some(c.codes())).unwrap_or_default()
}

/// `f` on the compiled builtin set, or on it with `extra` when there are any (and they compile;
/// else on the builtin set alone).
fn with_sets<T>(
    extra: &[Arc<MetaConstraints>],
    f: impl Fn(&Compiled<'_>) -> Option<T>,
) -> Option<T> {
    if !extra.is_empty()
        && let Ok(c) = compile(extra)
    {
        return f(&c);
    }
    builtin().and_then(f)
}
