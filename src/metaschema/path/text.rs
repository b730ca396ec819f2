//! The string functions, evaluated: comparisons of two strings, one-string transforms,
//! `concat`, `string-join`, `substring…`, `translate`, and the regular-expression functions
//! `matches` and `tokenize` (the `regex` crate: linear time, compiled size bounded).

use std::sync::Arc;

use indexmap::IndexMap;
use regex::{Regex, RegexBuilder};

use super::Node;
use super::ast::Ast;
use super::error::EvalError;
use super::eval::{Eval, Focus, Item};
use super::func::{arg, number_arg, string_arg};

/// The largest compiled program of one regular expression, in bytes: a pattern from a
/// constraint file cannot ask for more memory than this.
pub const REGEX_SIZE_LIMIT: usize = 1 << 20;

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

/// A test of two strings (`starts-with`, `ends-with`, `contains`).
pub(crate) fn two_strings<N: Node>(
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
pub(crate) fn string_fn<N: Node>(
    ev: &mut Eval<'_, N>,
    args: &[Ast],
    f: &Focus<'_, N>,
    make: fn(&str) -> Item<N>,
) -> Result<Vec<Item<N>>, EvalError> {
    let text = if args.is_empty() {
        let text = f.item.string_value().into_owned();
        ev.tick(text.len())?;
        text
    } else {
        string_arg(ev, args, 0, f, "string function")?
    };
    Ok(vec![make(&text)])
}

/// The string as a new item.
pub(crate) fn text<N>(s: impl Into<Arc<str>>) -> Vec<Item<N>> {
    vec![Item::Str(s.into())]
}

/// Collapses runs of XML whitespace to one space and trims the ends.
pub(crate) fn normalize_space(s: &str) -> String {
    xml_words(s).collect::<Vec<_>>().join(" ")
}

fn xml_words(s: &str) -> impl Iterator<Item = &str> {
    s.split([' ', '\t', '\n', '\r']).filter(|w| !w.is_empty())
}

pub(crate) fn concat<N: Node>(
    ev: &mut Eval<'_, N>,
    args: &[Ast],
    f: &Focus<'_, N>,
) -> Result<Vec<Item<N>>, EvalError> {
    let mut out = String::new();
    for i in 0..args.len() {
        out.push_str(&string_arg(ev, args, i, f, "concat")?);
    }
    Ok(text(out))
}

/// `string-join(items, separator?)`.
pub(crate) fn string_join<N: Node>(
    ev: &mut Eval<'_, N>,
    args: &[Ast],
    f: &Focus<'_, N>,
) -> Result<Vec<Item<N>>, EvalError> {
    let items = arg(ev, args, 0, f)?;
    let separator = string_arg(ev, args, 1, f, "string-join")?;
    let parts: Vec<_> = items.iter().map(Item::string_value).collect();
    // Spent before the text is built: many copies of a long separator are refused unmade.
    let len = parts.iter().map(|p| p.len() + separator.len()).sum();
    ev.tick(len)?;
    Ok(text(parts.join(&separator)))
}

/// `substring(s, start, length?)`: the characters at positions `p` (from 1) with
/// `round(start) <= p < round(start) + round(length)`, as XPath counts them (NaN selects none).
pub(crate) fn substring<N: Node>(
    ev: &mut Eval<'_, N>,
    args: &[Ast],
    f: &Focus<'_, N>,
) -> Result<Vec<Item<N>>, EvalError> {
    let s = string_arg(ev, args, 0, f, "substring")?;
    let start = round(number_arg(ev, args, 1, f)?);
    let end = match args.get(2) {
        Some(_) => start + round(number_arg(ev, args, 2, f)?),
        None => f64::INFINITY,
    };
    let out: String = s
        .chars()
        .zip(1u64..)
        .filter(|(_, p)| {
            let p = *p as f64;
            p >= start && p < end
        })
        .map(|(c, _)| c)
        .collect();
    Ok(text(out))
}

/// XPath's `round`: halves go up.
fn round(n: f64) -> f64 {
    (n + 0.5).floor()
}

/// `substring-before(a, b)` and `substring-after(a, b)`: `""` when `b` is not in `a`.
pub(crate) fn substring_around<N: Node>(
    ev: &mut Eval<'_, N>,
    args: &[Ast],
    f: &Focus<'_, N>,
    after: bool,
) -> Result<Vec<Item<N>>, EvalError> {
    let a = string_arg(ev, args, 0, f, "string function")?;
    let b = string_arg(ev, args, 1, f, "string function")?;
    let out = match a.split_once(&b) {
        Some((head, tail)) => {
            if after {
                tail
            } else {
                head
            }
        }
        None => "",
    };
    Ok(text(out))
}

/// `translate(s, from, to)`: each character of `from` becomes the one at its position in
/// `to`, or is dropped when `to` is shorter.
pub(crate) fn translate<N: Node>(
    ev: &mut Eval<'_, N>,
    args: &[Ast],
    f: &Focus<'_, N>,
) -> Result<Vec<Item<N>>, EvalError> {
    let s = string_arg(ev, args, 0, f, "translate")?;
    let from = string_arg(ev, args, 1, f, "translate")?;
    let to: Vec<char> = string_arg(ev, args, 2, f, "translate")?.chars().collect();
    // A map, not a scan of `from` per character: both may be long. The first mapping of a
    // character wins, as in XPath.
    let mut map: IndexMap<char, Option<char>> = IndexMap::new();
    for (i, c) in from.chars().enumerate() {
        map.entry(c).or_insert_with(|| to.get(i).copied());
    }
    let out: String = s
        .chars()
        .filter_map(|c| map.get(&c).copied().unwrap_or(Some(c)))
        .collect();
    Ok(text(out))
}

/// The regex of a `matches` or `tokenize` call: compiled at parse time when pattern and flags
/// are literals, else from the evaluated arguments 1 and 2.
fn regex_arg<N: Node>(
    ev: &mut Eval<'_, N>,
    compiled: Option<&Regex>,
    args: &[Ast],
    f: &Focus<'_, N>,
) -> Result<Regex, EvalError> {
    if let Some(re) = compiled {
        return Ok(re.clone());
    }
    let pattern = string_arg(ev, args, 1, f, "regular expression")?;
    let flags = string_arg(ev, args, 2, f, "regular expression")?;
    ev.regex(&pattern, &flags)
}

/// `matches(input, pattern, flags?)`: a search, as XPath's `matches` is (anchors are the
/// pattern's business).
pub(crate) fn matches<N: Node>(
    ev: &mut Eval<'_, N>,
    compiled: Option<&Regex>,
    args: &[Ast],
    f: &Focus<'_, N>,
) -> Result<Vec<Item<N>>, EvalError> {
    let input = string_arg(ev, args, 0, f, "matches")?;
    let re = regex_arg(ev, compiled, args, f)?;
    Ok(vec![Item::Bool(re.is_match(&input))])
}

/// `tokenize(input)` splits at XML whitespace (ends trimmed); `tokenize(input, pattern,
/// flags?)` at every match of the pattern, which must not match the empty string.
pub(crate) fn tokenize<N: Node>(
    ev: &mut Eval<'_, N>,
    compiled: Option<&Regex>,
    args: &[Ast],
    f: &Focus<'_, N>,
) -> Result<Vec<Item<N>>, EvalError> {
    let input = string_arg(ev, args, 0, f, "tokenize")?;
    if args.len() < 2 {
        return Ok(xml_words(&input).map(|w| Item::Str(w.into())).collect());
    }
    let re = regex_arg(ev, compiled, args, f)?;
    if re.is_match("") {
        return Err(EvalError::Regex(
            "pattern of tokenize matches the empty string".to_string(),
        ));
    }
    if input.is_empty() {
        return Ok(Vec::new());
    }
    let out: Vec<Item<N>> = re.split(&input).map(|t| Item::Str(t.into())).collect();
    ev.tick(out.len())?;
    Ok(out)
}
