//! Lint levels: `--deny-warnings`, `--deny CODE` and `--allow CODE`, applied in one place: as a
//! diagnostic enters a [`super::Sink`]. Whatever reports diagnostics passes them through a sink.
//!
//! Only warnings change: a denied warning becomes an error (`--deny req-merge-keep-warning` makes
//! it an error, the run fails), an allowed one is dropped. Errors stay errors whatever the flags,
//! but for constraint findings (`oscal:` codes): `--allow` drops those at any level.

use super::{Diagnostic, Severity, codes};

/// How warning codes are promoted or silenced.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct LintLevels {
    /// Every warning becomes an error (`--deny-warnings`).
    pub deny_warnings: bool,
    deny: Vec<&'static str>,
    allow: Vec<&'static str>,
}

/// A code given to `--deny` or `--allow` that is not registered in [`codes::CODES`].
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown diagnostic code `{code}`")]
pub struct UnknownCode {
    /// The code as given.
    pub code: String,
    /// Registered codes close to it, closest first.
    pub near: Vec<&'static str>,
}

impl LintLevels {
    /// Levels from the flags; every code must be registered.
    pub fn new(
        deny_warnings: bool,
        deny: &[String],
        allow: &[String],
    ) -> Result<Self, UnknownCode> {
        Ok(LintLevels {
            deny_warnings,
            deny: registered(deny)?,
            allow: registered(allow)?,
        })
    }

    /// The diagnostic as the levels want it, or `None` when it is silenced. A specific
    /// `--allow CODE` beats `--deny-warnings`; `--deny CODE` beats `--allow CODE`.
    pub(super) fn apply(&self, mut d: Diagnostic) -> Option<Diagnostic> {
        // A constraint is a content rule the user may choose not to apply, whatever its level
        // (NIST's own catalogs break the ERROR-level `depends-on` rule).
        if is_constraint_code(d.code)
            && self.allow.contains(&d.code)
            && !self.deny.contains(&d.code)
        {
            return None;
        }
        if d.severity != Severity::Warning {
            return Some(d);
        }
        let denied = self.deny.contains(&d.code);
        if !denied && self.allow.contains(&d.code) {
            return None;
        }
        if denied || self.deny_warnings {
            d.severity = Severity::Error;
        }
        Some(d)
    }
}

fn registered(given: &[String]) -> Result<Vec<&'static str>, UnknownCode> {
    given
        .iter()
        .map(|g| match codes::lookup(g) {
            Some(info) => Ok(info.code),
            // A constraint's code: which ids exist depends on the constraint sets of the run,
            // so the caller checks these against them (`check::constraints::known`). The flags
            // are few and live as long as the process.
            None if is_constraint_code(g) => Ok(&*Box::leak(g.clone().into_boxed_str())),
            None => Err(UnknownCode {
                code: g.clone(),
                near: near(g),
            }),
        })
        .collect()
}

/// Whether `code` has the form of a constraint's code: `oscal:` and an id (letters, digits, `-`,
/// `_`, `.`, `:`).
pub fn is_constraint_code(code: &str) -> bool {
    code.strip_prefix("oscal:").is_some_and(|id| {
        !id.is_empty()
            && id.len() <= 200
            && id
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.' | ':'))
    })
}

/// Up to three registered codes close to `given`: by edit distance, else sharing its family
/// prefix (`select-`, `req-modify-`).
fn near(given: &str) -> Vec<&'static str> {
    let all: Vec<String> = codes::CODES.iter().map(|c| c.code.to_owned()).collect();
    if let Some(n) = crate::diag::nearest(given, all.iter()) {
        return codes::lookup(n).map(|c| vec![c.code]).unwrap_or_default();
    }
    let family = given.rsplit_once('-').map_or(given, |(head, _)| head);
    codes::CODES
        .iter()
        .map(|c| c.code)
        .filter(|c| family.len() >= 3 && c.starts_with(family))
        .take(3)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn warning() -> Diagnostic {
        Diagnostic::warning("select-unknown-id", "with-id `c9` names no control")
    }

    #[test]
    fn deny_makes_that_warning_an_error_and_leaves_others() {
        let l = LintLevels::new(false, &["select-unknown-id".to_owned()], &[]).expect("known");
        assert_eq!(
            l.apply(warning()).map(|d| d.severity),
            Some(Severity::Error)
        );
        let other = Diagnostic::warning("modify-remove-no-match", "m");
        assert_eq!(l.apply(other).map(|d| d.severity), Some(Severity::Warning));
    }

    #[test]
    fn allow_silences_a_warning_but_never_an_error() {
        let l = LintLevels::new(true, &[], &["select-unknown-id".to_owned()]).expect("known");
        assert_eq!(l.apply(warning()), None);
        let l = LintLevels::new(false, &[], &["ref-dangling".to_owned()]).expect("known");
        let e = Diagnostic::error("ref-dangling", "m");
        assert_eq!(l.apply(e).map(|d| d.severity), Some(Severity::Error));
    }
}
