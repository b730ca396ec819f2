//! Compiling constraints: every Metapath parsed and every regex built once, before any document.
//! An expression or pattern that does not compile is an error naming its file and constraint.

use indexmap::IndexSet;
use regex::{Regex, RegexBuilder};

use super::{CompileError, datatype::Datatype};
use crate::metaschema::model::{Constraint, KeyField, Kind, Level};
use crate::metaschema::path::Expr;

/// Largest compiled program of one constraint regex (the `regex` crate's size limit): a pattern
/// from an untrusted set cannot take more memory than this.
const REGEX_SIZE: usize = 1 << 20;

/// A constraint ready to run.
#[derive(Debug)]
pub(super) struct Rule {
    /// `oscal:<id>`, or `oscal:<kind>` when it has none; leaked once per compiled set.
    pub code: &'static str,
    pub id: Option<String>,
    pub level: Level,
    /// The target as written, for messages.
    pub target_text: String,
    pub target: Expr,
    pub lets: Vec<(String, Expr)>,
    pub kind: RuleKind,
    /// The declared message, split into text and `{ expr }` parts.
    pub message: Option<Vec<Piece>>,
    /// The declared message as written.
    pub message_text: Option<String>,
    pub help: Option<String>,
}

/// A part of a message template.
#[derive(Debug)]
pub(super) enum Piece {
    Text(String),
    Expr(Expr),
}

/// What a rule checks, compiled.
#[derive(Debug)]
pub(super) enum RuleKind {
    Allowed {
        values: IndexSet<String>,
        open: bool,
    },
    Matches {
        regex: Option<(String, Regex)>,
        datatype: Option<(String, Datatype)>,
    },
    Unique {
        keys: Vec<Key>,
    },
    Index {
        name: String,
        keys: Vec<Key>,
    },
    HasKey {
        name: String,
        keys: Vec<Key>,
    },
    Cardinality {
        min: Option<u64>,
        max: Option<u64>,
    },
    Expect {
        test_text: String,
        test: Expr,
    },
}

impl RuleKind {
    /// The Metaschema name of the kind.
    pub fn name(&self) -> &'static str {
        match self {
            RuleKind::Allowed { .. } => "allowed-values",
            RuleKind::Matches { .. } => "matches",
            RuleKind::Unique { .. } => "is-unique",
            RuleKind::Index { .. } => "index",
            RuleKind::HasKey { .. } => "index-has-key",
            RuleKind::Cardinality { .. } => "has-cardinality",
            RuleKind::Expect { .. } => "expect",
        }
    }
}

/// One key field, compiled.
#[derive(Debug)]
pub(super) struct Key {
    pub target: Expr,
    /// Anchored: the whole value must match; group 1 is the key.
    pub pattern: Option<Regex>,
}

/// Compiles `c`; `source` names its file for errors.
pub(super) fn rule(c: &Constraint, source: &str) -> Result<Rule, CompileError> {
    let err = |what: &str, expr: &str, why: String| CompileError {
        file: source.to_owned(),
        constraint: c.id.clone(),
        what: what.to_owned(),
        expr: expr.to_owned(),
        reason: why,
    };
    let parse =
        |what: &str, text: &str| Expr::parse(text).map_err(|e| err(what, text, e.to_string()));
    let target = parse("target", &c.target)?;
    let lets = c
        .lets
        .iter()
        .map(|(name, e)| Ok((name.clone(), parse("let", e)?)))
        .collect::<Result<Vec<_>, CompileError>>()?;
    let keys = |fields: &[KeyField]| -> Result<Vec<Key>, CompileError> {
        fields
            .iter()
            .map(|f| {
                let pattern = match &f.pattern {
                    Some(p) => Some(anchored(p).map_err(|e| err("pattern", p, e))?),
                    None => None,
                };
                Ok(Key {
                    target: parse("key-field", &f.target)?,
                    pattern,
                })
            })
            .collect()
    };
    let kind = match &c.kind {
        Kind::AllowedValues {
            values,
            allow_other,
        } => RuleKind::Allowed {
            values: values.iter().map(|(v, _)| v.clone()).collect(),
            open: *allow_other,
        },
        Kind::Matches { regex, datatype } => RuleKind::Matches {
            regex: match regex {
                Some(r) => Some((r.clone(), anchored(r).map_err(|e| err("regex", r, e))?)),
                None => None,
            },
            // A datatype the check does not know is not checked (the regex still is).
            datatype: datatype
                .as_ref()
                .and_then(|d| Some((d.clone(), Datatype::named(d)?))),
        },
        Kind::IsUnique { keys: k } => RuleKind::Unique { keys: keys(k)? },
        Kind::Index { name, keys: k } => RuleKind::Index {
            name: name.clone(),
            keys: keys(k)?,
        },
        Kind::IndexHasKey { name, keys: k } => RuleKind::HasKey {
            name: name.clone(),
            keys: keys(k)?,
        },
        Kind::HasCardinality { min, max } => RuleKind::Cardinality {
            min: *min,
            max: *max,
        },
        Kind::Expect { test } => RuleKind::Expect {
            test_text: test.clone(),
            test: parse("test", test)?,
        },
    };
    let message = match &c.message {
        Some(m) => Some(template(m).map_err(|(e, why)| err("message", &e, why))?),
        None => None,
    };
    let code = match &c.id {
        Some(id) => format!("oscal:{id}"),
        None => format!("oscal:{}", kind.name()),
    };
    Ok(Rule {
        code: Box::leak(code.into_boxed_str()),
        id: c.id.clone(),
        level: c.level,
        target_text: c.target.clone(),
        target,
        lets,
        kind,
        message,
        message_text: c.message.clone(),
        help: c.help.clone(),
    })
}

/// A regex that must match a whole value, size-limited.
fn anchored(pattern: &str) -> Result<Regex, String> {
    RegexBuilder::new(&format!("^(?:{pattern})$"))
        .size_limit(REGEX_SIZE)
        .dfa_size_limit(REGEX_SIZE)
        .build()
        .map_err(|e| e.to_string())
}

/// Splits a message into text and `{ expr }` parts, each expression parsed; `{{` and `}}` are
/// literal braces. Errors give the expression and why.
fn template(text: &str) -> Result<Vec<Piece>, (String, String)> {
    let mut out = Vec::new();
    let mut literal = String::new();
    let mut rest = text;
    while let Some(i) = rest.find(['{', '}']) {
        literal.push_str(rest.get(..i).unwrap_or(""));
        let tail = rest.get(i..).unwrap_or("");
        if let Some(after) = tail.strip_prefix("{{").or_else(|| tail.strip_prefix("}}")) {
            literal.push_str(tail.get(..1).unwrap_or(""));
            rest = after;
            continue;
        }
        let Some(body) = tail.strip_prefix('{') else {
            literal.push('}');
            rest = tail.get(1..).unwrap_or("");
            continue;
        };
        let Some(end) = body.find('}') else {
            return Err((body.to_owned(), "a `{` without its `}`".to_owned()));
        };
        let expr = body.get(..end).unwrap_or("");
        let parsed = Expr::parse(expr.trim()).map_err(|e| (expr.to_owned(), e.to_string()))?;
        if !literal.is_empty() {
            out.push(Piece::Text(std::mem::take(&mut literal)));
        }
        out.push(Piece::Expr(parsed));
        rest = body.get(end + 1..).unwrap_or("");
    }
    literal.push_str(rest);
    if !literal.is_empty() {
        out.push(Piece::Text(literal));
    }
    Ok(out)
}
