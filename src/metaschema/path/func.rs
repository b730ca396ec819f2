//! The supported functions, evaluated: each takes its arguments' expressions and the focus,
//! and gives a sequence. Which functions exist and their arities are in [`super::ast::function`];
//! a name outside that table never gets here (the parser refuses it).

use std::borrow::Cow;
use std::sync::Arc;

use indexmap::IndexSet;
use regex::{Regex, RegexBuilder};

use super::Node;
use super::ast::{Ast, Func};
use super::error::EvalError;
use super::eval::{Eval, Focus, Item, ebv, number_key};

/// The largest compiled program of one regular expression, in bytes: a pattern from a
/// constraint file cannot ask for more memory than this.
pub const REGEX_SIZE_LIMIT: usize = 1 << 20;

/// The namespace `has-oscal-namespace` reads from a node: its `ns` flag.
const NS_FLAG: &str = "ns";

/// Compiles an XPath regular expression with its flags (`s`, `m`, `i`, `x`, `q`), size-limited.
/// The message of an error is one line.
pub(crate) fn compile_regex(pattern: &str, flags: &str) -> Result<Regex, String> {
    let literal;
    let source = if flags.contains('q') {
        literal = regex::escape(pattern);
        literal.as_str()
    } else {
        pattern
    };
    let mut builder = RegexBuilder::new(source);
    for flag in flags.chars() {
        match flag {
            's' => builder.dot_matches_new_line(true),
            'm' => builder.multi_line(true),
            'i' => builder.case_insensitive(true),
            'x' => builder.ignore_whitespace(true),
            'q' => &mut builder,
            other => return Err(format!("flag `{other}` is unknown")),
        };
    }
    builder
        .size_limit(REGEX_SIZE_LIMIT)
        .dfa_size_limit(REGEX_SIZE_LIMIT)
        .build()
        .map_err(|e| {
            // The crate's message spans lines (pattern, caret, reason): keep the reason.
            let text = e.to_string();
            text.lines()
                .rev()
                .find(|l| !l.trim().is_empty())
                .unwrap_or("invalid pattern")
                .trim()
                .to_string()
        })
}

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
        Func::StartsWith => two_strings(ev, args, f, |a, b| a.starts_with(b)),
        Func::EndsWith => two_strings(ev, args, f, |a, b| a.ends_with(b)),
        Func::Contains => two_strings(ev, args, f, |a, b| a.contains(b)),
        Func::Not => one(Item::Bool(!ebv(&arg(ev, args, 0, f)?)?)),
        Func::Exists => one(Item::Bool(!arg(ev, args, 0, f)?.is_empty())),
        Func::Empty => one(Item::Bool(arg(ev, args, 0, f)?.is_empty())),
        Func::Count => one(Item::Num(arg(ev, args, 0, f)?.len() as f64)),
        Func::Boolean => one(Item::Bool(ebv(&arg(ev, args, 0, f)?)?)),
        Func::String => string_fn(ev, args, f, |s| Item::Str(s.into())),
        Func::StringLength => string_fn(ev, args, f, |s| Item::Num(s.chars().count() as f64)),
        Func::NormalizeSpace => string_fn(ev, args, f, |s| Item::Str(normalize_space(s).into())),
        Func::LowerCase => string_fn(ev, args, f, |s| Item::Str(s.to_lowercase().into())),
        Func::UpperCase => string_fn(ev, args, f, |s| Item::Str(s.to_uppercase().into())),
        Func::Concat => concat(ev, args, f),
        Func::Matches(regex) => one(Item::Bool(matches(ev, regex.as_deref(), args, f)?)),
        Func::True => one(Item::Bool(true)),
        Func::False => one(Item::Bool(false)),
        Func::DistinctValues => distinct_values(ev, args, f),
        Func::Last => one(Item::Num(f.size as f64)),
        Func::Position => one(Item::Num(f.pos as f64)),
    }
}

/// Argument `i` evaluated (the parser checked the count; a missing one is the empty sequence).
fn arg<N: Node>(
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

/// Argument `i` as one string: the empty sequence is `""`, several items an error.
fn string_arg<N: Node>(
    ev: &mut Eval<'_, N>,
    args: &[Ast],
    i: usize,
    f: &Focus<'_, N>,
    what: &'static str,
) -> Result<String, EvalError> {
    let items = arg(ev, args, i, f)?;
    match items.as_slice() {
        [] => Ok(String::new()),
        [item] => Ok(item.string_value().into_owned()),
        more => Err(EvalError::NotSingle {
            what,
            found: more.len(),
        }),
    }
}

/// `has-oscal-namespace(ns…)`: the context node's `ns` flag, or its declared default, equals
/// one of the argument strings (arguments may be sequences).
fn has_oscal_namespace<N: Node>(
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
        let wanted = ev.eval(ast, f)?;
        if wanted.iter().any(|w| w.string_value() == ns) {
            return Ok(true);
        }
    }
    Ok(false)
}

fn two_strings<N: Node>(
    ev: &mut Eval<'_, N>,
    args: &[Ast],
    f: &Focus<'_, N>,
    test: fn(&str, &str) -> bool,
) -> Result<Vec<Item<N>>, EvalError> {
    let a = string_arg(ev, args, 0, f, "string function")?;
    let b = string_arg(ev, args, 1, f, "string function")?;
    Ok(vec![Item::Bool(test(&a, &b))])
}

/// A function of one string: the argument, or the context item when there is none.
fn string_fn<N: Node>(
    ev: &mut Eval<'_, N>,
    args: &[Ast],
    f: &Focus<'_, N>,
    make: fn(&str) -> Item<N>,
) -> Result<Vec<Item<N>>, EvalError> {
    let text = if args.is_empty() {
        f.item.string_value().into_owned()
    } else {
        string_arg(ev, args, 0, f, "string function")?
    };
    Ok(vec![make(&text)])
}

/// Collapses runs of XML whitespace to one space and trims the ends.
fn normalize_space(s: &str) -> String {
    let words = s.split([' ', '\t', '\n', '\r']).filter(|w| !w.is_empty());
    let mut out = String::with_capacity(s.len());
    for word in words {
        if !out.is_empty() {
            out.push(' ');
        }
        out.push_str(word);
    }
    out
}

fn concat<N: Node>(
    ev: &mut Eval<'_, N>,
    args: &[Ast],
    f: &Focus<'_, N>,
) -> Result<Vec<Item<N>>, EvalError> {
    let mut out = String::new();
    for i in 0..args.len() {
        out.push_str(&string_arg(ev, args, i, f, "concat")?);
    }
    ev.tick(out.len() / 64)?;
    Ok(vec![Item::Str(Arc::from(out))])
}

/// `matches(input, pattern, flags?)`: a search, as XPath's `matches` is (anchors are the
/// pattern's business).
fn matches<N: Node>(
    ev: &mut Eval<'_, N>,
    compiled: Option<&Regex>,
    args: &[Ast],
    f: &Focus<'_, N>,
) -> Result<bool, EvalError> {
    let input = string_arg(ev, args, 0, f, "matches")?;
    if let Some(re) = compiled {
        return Ok(re.is_match(&input));
    }
    let pattern = string_arg(ev, args, 1, f, "matches")?;
    let flags = string_arg(ev, args, 2, f, "matches")?;
    let re = ev.regex(&pattern, &flags)?;
    Ok(re.is_match(&input))
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
    for item in arg(ev, args, 0, f)? {
        let (key, atom) = match item {
            Item::Num(n) => (Distinct::Num(number_key(n)), Item::Num(n)),
            Item::Bool(b) => (Distinct::Bool(b), Item::Bool(b)),
            Item::Str(s) => (Distinct::Str(s.to_string()), Item::Str(s)),
            Item::Node(n) => {
                let value = n.value().unwrap_or_default().into_owned();
                (Distinct::Str(value.clone()), Item::Str(value.into()))
            }
        };
        if seen.insert(key) {
            out.push(atom);
        }
    }
    Ok(out)
}
