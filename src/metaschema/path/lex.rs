//! Stage: lexing. In: the text of a Metapath expression (already checked against the length
//! limit). Out: tokens with their byte offsets. Keywords (`and`, `or`, `if`) stay names: the
//! parser tells operator from name test by position, as XPath does.

use super::error::{PathError, PathErrorKind, clip};

/// One token.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Tok {
    /// A name, possibly prefixed (`map:merge`).
    Name(String),
    /// A string literal, unescaped.
    Str(String),
    /// A number literal.
    Num(f64),
    /// `$name`.
    Var(String),
    /// Punctuation and operators, as written (`/`, `//`, `[`, `::`, `!=`, `||`).
    Sym(&'static str),
    /// End of the expression.
    End,
}

/// A token and the byte offset where it starts.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Token {
    pub tok: Tok,
    pub at: usize,
}

impl Tok {
    /// The token as a message shows it.
    pub fn describe(&self) -> String {
        match self {
            Tok::Name(n) => format!("`{}`", clip(n)),
            Tok::Str(s) => format!("string '{}'", clip(s)),
            Tok::Num(n) => format!("number {n}"),
            Tok::Var(v) => format!("`${}`", clip(v)),
            Tok::Sym(s) => format!("`{s}`"),
            Tok::End => "end of expression".to_string(),
        }
    }
}

/// Symbols, longest first so that `//` wins over `/`.
const SYMBOLS: &[&str] = &[
    "(:", "//", "::", "..", "!=", "<=", ">=", "||", ":=", "=>", "<<", ">>", "/", "[", "]", "(",
    ")", ",", "|", "@", ".", "*", "=", "<", ">", "+", "-", "!", "?", "{", "}", "#", ";",
];

fn is_name_start(c: char) -> bool {
    c.is_alphabetic() || c == '_'
}

fn is_name_char(c: char) -> bool {
    c.is_alphanumeric() || matches!(c, '_' | '-' | '.' | '\u{B7}')
}

/// Splits `src` into tokens; the last is [`Tok::End`].
pub(crate) fn lex(src: &str) -> Result<Vec<Token>, PathError> {
    let mut out = Vec::new();
    let mut at = 0;
    while let Some(rest) = src.get(at..) {
        let Some(c) = rest.chars().next() else {
            break;
        };
        if c.is_whitespace() {
            at += c.len_utf8();
            continue;
        }
        if rest.starts_with("(:") {
            at = skip_comment(src, at)?;
            continue;
        }
        let (tok, len) = if c.is_ascii_digit() || (c == '.' && next_is_digit(rest)) {
            number(rest, at)?
        } else if c == '\'' || c == '"' {
            string(rest, c, at)?
        } else if c == '$' {
            let len = name_len(rest.get(1..).unwrap_or(""));
            if len == 0 {
                return Err(PathError::new(at, PathErrorKind::BadChar('$')));
            }
            let name = rest.get(1..1 + len).unwrap_or("").to_string();
            (Tok::Var(name), 1 + len)
        } else if is_name_start(c) {
            let len = name_len(rest);
            (Tok::Name(rest.get(..len).unwrap_or("").to_string()), len)
        } else if let Some(sym) = SYMBOLS.iter().find(|s| rest.starts_with(**s)) {
            (Tok::Sym(sym), sym.len())
        } else {
            return Err(PathError::new(at, PathErrorKind::BadChar(c)));
        };
        out.push(Token { tok, at });
        at += len;
    }
    out.push(Token {
        tok: Tok::End,
        at: src.len(),
    });
    Ok(out)
}

fn next_is_digit(rest: &str) -> bool {
    rest.chars().nth(1).is_some_and(|c| c.is_ascii_digit())
}

/// The byte length of the (possibly prefixed) name at the start of `s`; 0 when none.
fn name_len(s: &str) -> usize {
    let local = ncname_len(s);
    if local == 0 {
        return 0;
    }
    // A prefix: `p:local` (not the axis separator `::`) or `p:*`.
    let after = s.get(local..).unwrap_or("");
    if let Some(rest) = after.strip_prefix(':') {
        if rest.starts_with('*') {
            return local + 2;
        }
        let more = ncname_len(rest);
        if more > 0 {
            return local + 1 + more;
        }
    }
    local
}

fn ncname_len(s: &str) -> usize {
    let mut chars = s.char_indices();
    match chars.next() {
        Some((_, c)) if is_name_start(c) => {}
        _ => return 0,
    }
    chars
        .find(|(_, c)| !is_name_char(*c))
        .map_or(s.len(), |(i, _)| i)
}

fn number(rest: &str, at: usize) -> Result<(Tok, usize), PathError> {
    let bytes = rest.as_bytes();
    let digits = |from: usize| {
        from + bytes
            .get(from..)
            .unwrap_or(&[])
            .iter()
            .take_while(|b| b.is_ascii_digit())
            .count()
    };
    let mut end = digits(0);
    if bytes.get(end) == Some(&b'.') && bytes.get(end + 1) != Some(&b'.') {
        end = digits(end + 1);
    }
    if matches!(bytes.get(end), Some(b'e' | b'E')) {
        let sign = usize::from(matches!(bytes.get(end + 1), Some(b'+' | b'-')));
        let exp = digits(end + 1 + sign);
        if exp == end + 1 + sign {
            let text = rest.get(..exp).unwrap_or("").to_string();
            return Err(PathError::new(at, PathErrorKind::BadNumber(clip(&text))));
        }
        end = exp;
    }
    let text = rest.get(..end).unwrap_or("");
    // A name character right after a number (`1a`) is a malformed number, as in XPath.
    if rest
        .get(end..)
        .and_then(|r| r.chars().next())
        .is_some_and(is_name_start)
    {
        let bad = rest.get(..end + 1).unwrap_or(text).to_string();
        return Err(PathError::new(at, PathErrorKind::BadNumber(clip(&bad))));
    }
    let value = text
        .parse::<f64>()
        .map_err(|_| PathError::new(at, PathErrorKind::BadNumber(clip(text))))?;
    Ok((Tok::Num(value), end))
}

/// A string literal; a doubled quote stands for one.
fn string(rest: &str, quote: char, at: usize) -> Result<(Tok, usize), PathError> {
    let mut value = String::new();
    let mut chars = rest.char_indices().skip(1).peekable();
    while let Some((i, c)) = chars.next() {
        if c == quote {
            if chars.peek().is_some_and(|(_, n)| *n == quote) {
                chars.next();
                value.push(quote);
                continue;
            }
            return Ok((Tok::Str(value), i + 1));
        }
        value.push(c);
    }
    Err(PathError::new(at, PathErrorKind::UnclosedString))
}

/// Skips a comment `(: … :)`, nested ones included, without recursion; returns the offset after.
fn skip_comment(src: &str, start: usize) -> Result<usize, PathError> {
    let mut depth = 0usize;
    let mut at = start;
    while let Some(rest) = src.get(at..) {
        if rest.starts_with("(:") {
            depth += 1;
            at += 2;
        } else if rest.starts_with(":)") {
            depth -= 1;
            at += 2;
            if depth == 0 {
                return Ok(at);
            }
        } else if let Some(c) = rest.chars().next() {
            at += c.len_utf8();
        } else {
            break;
        }
    }
    Err(PathError::new(start, PathErrorKind::UnclosedComment))
}
