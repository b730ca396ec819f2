//! Comparisons, evaluated: general (`=`, existential over two sequences) and value (`eq`, one
//! item each), over items atomized once. Two atoms compare as booleans when either is a
//! boolean; as numbers when both are numeric (a number, or a string in XPath's number syntax);
//! a number against a non-numeric string is unordered (only `!=` holds, as with NaN);
//! otherwise as strings, by code point.

use std::borrow::Cow;

use super::Node;
use super::ast::{Ast, Cmp};
use super::error::EvalError;
use super::eval::{Eval, Item};

/// An item atomized for comparing: its text, and its number when it has one.
pub(crate) struct Atom<'a> {
    text: Cow<'a, str>,
    num: Option<f64>,
    kind: AtomKind,
}

#[derive(Clone, Copy, PartialEq)]
enum AtomKind {
    Bool(bool),
    Num,
    Text,
}

/// The item atomized: a node's value (`""` without one), a string, a number, a boolean.
pub(crate) fn atom<N: Node>(item: &Item<N>) -> Atom<'_> {
    match item {
        Item::Bool(b) => Atom {
            text: Cow::Borrowed(if *b { "true" } else { "false" }),
            num: None,
            kind: AtomKind::Bool(*b),
        },
        // Never compared as text: against anything but a boolean it compares as a number.
        Item::Num(n) => Atom {
            text: Cow::Borrowed(""),
            num: Some(*n),
            kind: AtomKind::Num,
        },
        other => {
            let text = other.string_value();
            let num = parse_number(&text);
            Atom {
                text,
                num,
                kind: AtomKind::Text,
            }
        }
    }
}

impl Atom<'_> {
    fn as_bool(&self) -> bool {
        match self.kind {
            AtomKind::Bool(b) => b,
            AtomKind::Num => self.num.is_some_and(|n| n != 0.0 && !n.is_nan()),
            AtomKind::Text => matches!(self.text.as_ref(), "true" | "1"),
        }
    }
}

/// Whether `a op b` holds.
pub(crate) fn atoms(a: &Atom<'_>, op: Cmp, b: &Atom<'_>) -> bool {
    if matches!(a.kind, AtomKind::Bool(_)) || matches!(b.kind, AtomKind::Bool(_)) {
        return op.holds(a.as_bool().cmp(&b.as_bool()));
    }
    match (a.num, b.num) {
        (Some(x), Some(y)) => x.partial_cmp(&y).map_or(op == Cmp::Ne, |o| op.holds(o)),
        _ if a.kind == AtomKind::Num || b.kind == AtomKind::Num => op == Cmp::Ne,
        _ => op.holds(a.text.as_ref().cmp(b.text.as_ref())),
    }
}

/// Whether `a op b` holds for two items.
pub(crate) fn items<N: Node>(a: &Item<N>, op: Cmp, b: &Item<N>) -> bool {
    atoms(&atom(a), op, &atom(b))
}

/// A general comparison: true when some pair of items compares true. Each side is atomized
/// once; each pair costs a step, and a step more per 64 bytes of the shorter text, so long
/// values compared many times are bounded too.
pub(crate) fn general<N: Node>(
    ev: &mut Eval<'_, N>,
    left: &[Item<N>],
    op: Cmp,
    right: &[Item<N>],
) -> Result<bool, EvalError> {
    ev.tick(left.len() + right.len())?;
    let right: Vec<Atom<'_>> = right.iter().map(atom).collect();
    any_pair(ev, left, op, &right, |b| {
        Some(Atom {
            text: Cow::Borrowed(b.text.as_ref()),
            num: b.num,
            kind: b.kind,
        })
    })
}

/// [`general`] with string literals on the right (`@rel = ('a', 'b')`): the same result and
/// steps, without a sequence for the literals.
pub(crate) fn general_literals<N: Node>(
    ev: &mut Eval<'_, N>,
    left: &[Item<N>],
    op: Cmp,
    right: &[Ast],
) -> Result<bool, EvalError> {
    ev.tick(left.len() + right.len())?;
    any_pair(ev, left, op, right, |b| match b {
        Ast::Str(s) => Some(Atom {
            text: Cow::Borrowed(s),
            num: parse_number(s),
            kind: AtomKind::Text,
        }),
        _ => None,
    })
}

/// Whether some pair of a left item and a right one (atomized by `atomize`) compares true;
/// each pair costs a step, and a step more per 64 bytes of the shorter text.
fn any_pair<N: Node, R>(
    ev: &mut Eval<'_, N>,
    left: &[Item<N>],
    op: Cmp,
    right: &[R],
    atomize: impl for<'r> Fn(&'r R) -> Option<Atom<'r>>,
) -> Result<bool, EvalError> {
    for a in left.iter().map(atom) {
        for b in right.iter().filter_map(&atomize) {
            ev.tick(1 + a.text.len().min(b.text.len()) / 64)?;
            if atoms(&a, op, &b) {
                return Ok(true);
            }
        }
    }
    Ok(false)
}

/// `eq`, `ne`, …: empty when an operand is empty, an error when one has several items.
pub(crate) fn value<N: Node>(
    left: &[Item<N>],
    op: Cmp,
    right: &[Item<N>],
) -> Result<Option<bool>, EvalError> {
    for side in [left, right] {
        if side.len() > 1 {
            return Err(EvalError::NotSingle {
                what: "value comparison",
                found: side.len(),
            });
        }
    }
    Ok(match (left.first(), right.first()) {
        (Some(a), Some(b)) => Some(items(a, op, b)),
        _ => None,
    })
}

/// A string in XPath's numeric literal syntax (optional sign, digits, point, exponent; no
/// `inf` or `NaN` words), as a number. One pass that stops at the first byte out of place, so
/// long non-numbers cost nothing.
pub(crate) fn parse_number(text: &str) -> Option<f64> {
    let bytes = text.as_bytes();
    let mut i = usize::from(matches!(bytes.first(), Some(b'+' | b'-')));
    let (mut digits, mut point) = (0, false);
    while let Some(&b) = bytes.get(i) {
        match b {
            b'0'..=b'9' => digits += 1,
            b'.' if !point => point = true,
            b'e' | b'E' => break,
            _ => return None,
        }
        i += 1;
    }
    if digits == 0 {
        return None;
    }
    if bytes.get(i).is_some() {
        // The exponent: `e`, a sign, at least one digit, nothing after.
        i += 1;
        i += usize::from(matches!(bytes.get(i), Some(b'+' | b'-')));
        let exp = bytes.get(i..).unwrap_or(&[]);
        if exp.is_empty() || !exp.iter().all(u8::is_ascii_digit) {
            return None;
        }
    }
    text.parse().ok()
}
