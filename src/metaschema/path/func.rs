//! The supported functions, evaluated: each takes its arguments' expressions and the focus,
//! and gives a sequence. Which functions exist and their arities are in [`super::ast::function`];
//! a name outside that table never gets here (the parser refuses it). String functions are in
//! [`super::text`]; this file holds the dispatch, `has-oscal-namespace`, and the boolean,
//! sequence, node and number functions.

use std::borrow::Cow;

use indexmap::IndexSet;

use super::Node;
use super::ast::{Ast, Func};
use super::compare::{self, parse_number};
use super::error::EvalError;
use super::eval::{Eval, Focus, Item, ebv};
use super::text;

/// The namespace `has-oscal-namespace` reads from a node: its `ns` flag.
const NS_FLAG: &str = "ns";

/// Evaluates a call of `func` on `args`.
pub(crate) fn call<N: Node>(
    ev: &mut Eval<'_, N>,
    func: &Func,
    args: &[Ast],
    f: &Focus<'_, N>,
) -> Result<Vec<Item<N>>, EvalError> {
    let one = |item: Item<N>| Ok(vec![item]);
    match func {
        Func::HasOscalNamespace => one(Item::Bool(has_oscal_namespace(ev, args, f)?)),
        Func::Not => one(Item::Bool(!ebv(&arg(ev, args, 0, f)?)?)),
        Func::Exists => one(Item::Bool(!arg(ev, args, 0, f)?.is_empty())),
        Func::Empty => one(Item::Bool(arg(ev, args, 0, f)?.is_empty())),
        Func::Count => one(Item::Num(arg(ev, args, 0, f)?.len() as f64)),
        Func::Boolean => one(Item::Bool(ebv(&arg(ev, args, 0, f)?)?)),
        Func::True => one(Item::Bool(true)),
        Func::False => one(Item::Bool(false)),
        Func::Last => one(Item::Num(f.size as f64)),
        Func::Position => one(Item::Num(f.pos as f64)),
        Func::DistinctValues => distinct_values(ev, args, f),
        Func::Head => Ok(arg(ev, args, 0, f)?.into_iter().take(1).collect()),
        Func::Tail => Ok(arg(ev, args, 0, f)?.into_iter().skip(1).collect()),
        Func::Reverse => Ok(arg(ev, args, 0, f)?.into_iter().rev().collect()),
        Func::IndexOf => index_of(ev, args, f),
        Func::Data => data(ev, args, f),
        Func::Name => name(ev, args, f),
        Func::Number => one(Item::Num(number_or_context(ev, args, f)?)),
        Func::Sum => sum(ev, args, f),
        Func::Min => extreme(ev, args, f, std::cmp::Ordering::Less),
        Func::Max => extreme(ev, args, f, std::cmp::Ordering::Greater),
        other => string_call(ev, other, args, f),
    }
}

/// The string functions of [`super::text`].
fn string_call<N: Node>(
    ev: &mut Eval<'_, N>,
    func: &Func,
    args: &[Ast],
    f: &Focus<'_, N>,
) -> Result<Vec<Item<N>>, EvalError> {
    match func {
        Func::StartsWith => text::two_strings(ev, args, f, |a, b| a.starts_with(b)),
        Func::EndsWith => text::two_strings(ev, args, f, |a, b| a.ends_with(b)),
        Func::Contains => text::two_strings(ev, args, f, |a, b| a.contains(b)),
        Func::String => text::string_fn(ev, args, f, |s| Item::Str(s.into())),
        Func::StringLength => text::string_fn(ev, args, f, |s| Item::Num(s.chars().count() as f64)),
        Func::NormalizeSpace => {
            text::string_fn(ev, args, f, |s| Item::Str(text::normalize_space(s).into()))
        }
        Func::LowerCase => text::string_fn(ev, args, f, |s| Item::Str(s.to_lowercase().into())),
        Func::UpperCase => text::string_fn(ev, args, f, |s| Item::Str(s.to_uppercase().into())),
        Func::Concat => text::concat(ev, args, f),
        Func::StringJoin => text::string_join(ev, args, f),
        Func::Substring => text::substring(ev, args, f),
        Func::SubstringBefore => text::substring_around(ev, args, f, false),
        Func::SubstringAfter => text::substring_around(ev, args, f, true),
        Func::Translate => text::translate(ev, args, f),
        Func::Matches(regex) => text::matches(ev, regex.as_deref(), args, f),
        Func::Tokenize(regex) => text::tokenize(ev, regex.as_deref(), args, f),
        // The other functions are dispatched by `call`.
        _ => Ok(Vec::new()),
    }
}

/// Argument `i` evaluated (the parser checked the count; a missing one is the empty sequence).
pub(crate) fn arg<N: Node>(
    ev: &mut Eval<'_, N>,
    args: &[Ast],
    i: usize,
    f: &Focus<'_, N>,
) -> Result<Vec<Item<N>>, EvalError> {
    match args.get(i) {
        Some(ast) => ev.eval(ast, f),
        None => Ok(Vec::new()),
    }
}

/// Argument `i` as at most one item.
fn single_arg<N: Node>(
    ev: &mut Eval<'_, N>,
    args: &[Ast],
    i: usize,
    f: &Focus<'_, N>,
    what: &'static str,
) -> Result<Option<Item<N>>, EvalError> {
    let items = arg(ev, args, i, f)?;
    if items.len() > 1 {
        return Err(EvalError::NotSingle {
            what,
            found: items.len(),
        });
    }
    Ok(items.into_iter().next())
}

/// Argument `i` as one string: the empty sequence is `""`, several items an error. Each byte
/// costs a step: a string function's result is at most a few times its arguments, so this
/// bounds the text an evaluation can build (`concat` doubling through `let`s included).
pub(crate) fn string_arg<N: Node>(
    ev: &mut Eval<'_, N>,
    args: &[Ast],
    i: usize,
    f: &Focus<'_, N>,
    what: &'static str,
) -> Result<String, EvalError> {
    let text = single_arg(ev, args, i, f, what)?
        .map(|item| item.string_value().into_owned())
        .unwrap_or_default();
    ev.tick(text.len())?;
    Ok(text)
}

/// Argument `i` as one number: NaN for the empty sequence or a string that is not a number.
pub(crate) fn number_arg<N: Node>(
    ev: &mut Eval<'_, N>,
    args: &[Ast],
    i: usize,
    f: &Focus<'_, N>,
) -> Result<f64, EvalError> {
    Ok(single_arg(ev, args, i, f, "number")?.map_or(f64::NAN, |item| to_number(&item)))
}

/// XPath's `number()` of one item: NaN when it is not a number.
fn to_number<N: Node>(item: &Item<N>) -> f64 {
    match item {
        Item::Num(n) => *n,
        Item::Bool(b) => f64::from(u8::from(*b)),
        other => parse_number(other.string_value().trim()).unwrap_or(f64::NAN),
    }
}

/// A number for arithmetic-like folds: an error, not NaN, for a value that is not one.
fn strict_number<N: Node>(item: &Item<N>) -> Result<f64, EvalError> {
    match item {
        Item::Num(n) => Ok(*n),
        other => {
            let text = other.string_value();
            parse_number(text.trim()).ok_or_else(|| EvalError::NotANumber(text.into_owned()))
        }
    }
}

/// `has-oscal-namespace(ns…)`: the context node's `ns` flag, or its declared default, equals
/// one of the argument strings (arguments may be sequences).
pub(crate) fn has_oscal_namespace<N: Node>(
    ev: &mut Eval<'_, N>,
    args: &[Ast],
    f: &Focus<'_, N>,
) -> Result<bool, EvalError> {
    let Item::Node(node) = f.item else {
        return Err(EvalError::NotANode("has-oscal-namespace"));
    };
    let flag = node.flag(NS_FLAG);
    let ns: Cow<'_, str> = match &flag {
        Some(flag) => flag.value().unwrap_or_default(),
        None => match node.flag_default(NS_FLAG) {
            Some(default) => Cow::Borrowed(default),
            None => return Ok(false),
        },
    };
    for ast in args {
        // Literal namespaces (every OSCAL use) compare without building a sequence.
        let found = match ast {
            Ast::Str(s) => **s == *ns,
            Ast::Seq(items) if items.iter().all(|i| matches!(i, Ast::Str(_))) => {
                items.iter().any(|i| matches!(i, Ast::Str(s) if **s == *ns))
            }
            other => ev.eval(other, f)?.iter().any(|w| w.string_value() == ns),
        };
        if found {
            return Ok(true);
        }
    }
    Ok(false)
}

/// The key that decides sameness in `distinct-values`: strings and numbers never equal each
/// other, as typed values of different types do not.
#[derive(PartialEq, Eq, Hash)]
enum Distinct {
    Str(String),
    Num(u64),
    Bool(bool),
}

fn distinct_values<N: Node>(
    ev: &mut Eval<'_, N>,
    args: &[Ast],
    f: &Focus<'_, N>,
) -> Result<Vec<Item<N>>, EvalError> {
    let mut seen = IndexSet::new();
    let mut out = Vec::new();
    let items = arg(ev, args, 0, f)?;
    spend_text(ev, &items)?;
    for item in items {
        let (key, atom) = match atomize(item) {
            Item::Num(n) => (Distinct::Num(number_key(n)), Item::Num(n)),
            Item::Bool(b) => (Distinct::Bool(b), Item::Bool(b)),
            Item::Str(s) => (Distinct::Str(s.to_string()), Item::Str(s)),
            Item::Node(_) => continue,
        };
        if seen.insert(key) {
            out.push(atom);
        }
    }
    Ok(out)
}

/// Spends a step per byte of the items' text: functions that copy, hash or compare every
/// item's text are bounded by it, like the string functions by their arguments.
fn spend_text<N: Node>(ev: &mut Eval<'_, N>, items: &[Item<N>]) -> Result<(), EvalError> {
    let bytes = items.iter().map(|i| i.string_value().len()).sum();
    ev.tick(bytes)
}

/// An item's atomic value: a node becomes the string of its value.
fn atomize<N: Node>(item: Item<N>) -> Item<N> {
    match item {
        Item::Node(n) => Item::Str(n.value().unwrap_or_default().into()),
        atom => atom,
    }
}

/// `data(items?)`: the atomic values of the items (of the context item without an argument).
fn data<N: Node>(
    ev: &mut Eval<'_, N>,
    args: &[Ast],
    f: &Focus<'_, N>,
) -> Result<Vec<Item<N>>, EvalError> {
    let items = if args.is_empty() {
        vec![f.item.clone()]
    } else {
        arg(ev, args, 0, f)?
    };
    spend_text(ev, &items)?;
    Ok(items.into_iter().map(atomize).collect())
}

/// `index-of(items, value)`: the positions (from 1) of the items equal to the value.
fn index_of<N: Node>(
    ev: &mut Eval<'_, N>,
    args: &[Ast],
    f: &Focus<'_, N>,
) -> Result<Vec<Item<N>>, EvalError> {
    let items = arg(ev, args, 0, f)?;
    let Some(wanted) = single_arg(ev, args, 1, f, "index-of")? else {
        return Ok(Vec::new());
    };
    spend_text(ev, &items)?;
    let cmp = super::ast::Cmp::Eq;
    Ok(items
        .iter()
        .zip(1u64..)
        .filter(|(item, _)| compare::items(item, cmp, &wanted))
        .map(|(_, i)| Item::Num(i as f64))
        .collect())
}

/// `name(node?)` and `local-name(node?)`: the node's name (names have no prefix here).
fn name<N: Node>(
    ev: &mut Eval<'_, N>,
    args: &[Ast],
    f: &Focus<'_, N>,
) -> Result<Vec<Item<N>>, EvalError> {
    let item = if args.is_empty() {
        Some(f.item.clone())
    } else {
        single_arg(ev, args, 0, f, "name")?
    };
    match item {
        None => Ok(text::text("")),
        Some(Item::Node(n)) => Ok(text::text(n.name())),
        Some(_) => Err(EvalError::NotANode("name")),
    }
}

/// `number(item?)`: of the argument, or of the context item without one.
fn number_or_context<N: Node>(
    ev: &mut Eval<'_, N>,
    args: &[Ast],
    f: &Focus<'_, N>,
) -> Result<f64, EvalError> {
    if args.is_empty() {
        Ok(to_number(f.item))
    } else {
        number_arg(ev, args, 0, f)
    }
}

/// `sum(items)`: 0 for none; a value that is not a number is an error.
fn sum<N: Node>(
    ev: &mut Eval<'_, N>,
    args: &[Ast],
    f: &Focus<'_, N>,
) -> Result<Vec<Item<N>>, EvalError> {
    let mut total = 0.0;
    let items = arg(ev, args, 0, f)?;
    spend_text(ev, &items)?;
    for item in items {
        total += strict_number(&item)?;
    }
    Ok(vec![Item::Num(total)])
}

/// `min(items)` / `max(items)`: by number when every item is one, else by string; empty for
/// none.
fn extreme<N: Node>(
    ev: &mut Eval<'_, N>,
    args: &[Ast],
    f: &Focus<'_, N>,
    keep: std::cmp::Ordering,
) -> Result<Vec<Item<N>>, EvalError> {
    let items = arg(ev, args, 0, f)?;
    spend_text(ev, &items)?;
    let items: Vec<Item<N>> = items.into_iter().map(atomize).collect();
    let numbers: Option<Vec<f64>> = items.iter().map(|i| strict_number(i).ok()).collect();
    if let Some(numbers) = numbers {
        // NaN wins, as in XPath; otherwise the smaller (or larger) of the two.
        let best = numbers.into_iter().reduce(|a, b| {
            if a.is_nan() || b.is_nan() {
                f64::NAN
            } else if b.partial_cmp(&a) == Some(keep) {
                b
            } else {
                a
            }
        });
        return Ok(best.map(Item::Num).into_iter().collect());
    }
    let best = items.into_iter().reduce(|a, b| {
        if b.string_value().cmp(&a.string_value()) == keep {
            b
        } else {
            a
        }
    });
    Ok(best.into_iter().collect())
}

/// The key of a number for `distinct-values`: NaN equals NaN, -0 equals 0.
fn number_key(n: f64) -> u64 {
    if n.is_nan() {
        f64::NAN.to_bits()
    } else if n == 0.0 {
        0
    } else {
        n.to_bits()
    }
}
