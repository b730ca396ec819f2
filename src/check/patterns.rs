//! Stage: check (schema patterns, lean form). In: the OSCAL schema's definitions. Out: the
//! same definitions with each known `pattern` replaced by a `format` that a plain Rust function
//! checks, and those functions.
//!
//! Why: each pattern compiles to a regular expression, and the Unicode classes of the token
//! pattern (`\p{L}`, `\p{N}`) and of the string pattern (`\S`, `.`) cost megabytes to compile,
//! more than the rest of the output check. The functions here are *sound, not complete*: when one
//! says yes, the pattern matches; when it is unsure (a character outside ASCII where the pattern
//! has a Unicode class) it says no. A no from the lean schema is only a reason to ask the exact
//! schema (`crate::check::output`), which alone reports violations. With every pattern of the
//! catalog schema listed, the lean check compiles and runs no regular expression at all.

use serde_json::Value;

/// A schema pattern and the format name and check that stand in for it.
struct Lean {
    pattern: &'static str,
    format: &'static str,
    check: fn(&str) -> bool,
}

const LEAN: [Lean; 8] = [
    Lean {
        pattern: r"^(\p{L}|_)(\p{L}|\p{N}|[.\-_])*$",
        format: "oscalc-token",
        check: token,
    },
    Lean {
        pattern: r"^\S(.*\S)?$",
        format: "oscalc-string",
        check: string,
    },
    Lean {
        pattern: "^[^\n]+$",
        format: "oscalc-markup-line",
        check: markup_line,
    },
    Lean {
        pattern: "^[0-9A-Fa-f]{8}-[0-9A-Fa-f]{4}-[45][0-9A-Fa-f]{3}-[89ABab][0-9A-Fa-f]{3}-[0-9A-Fa-f]{12}$",
        format: "oscalc-uuid",
        check: uuid,
    },
    Lean {
        pattern: r"^[a-zA-Z][a-zA-Z0-9+\-.]+:.+$",
        format: "oscalc-uri-scheme",
        check: uri_scheme,
    },
    Lean {
        pattern: "^.+@.+$",
        format: "oscalc-at",
        check: at_sign,
    },
    Lean {
        pattern: DATE_TIME,
        format: "oscalc-date-time",
        check: date_time,
    },
    Lean {
        pattern: "^[0-9A-Za-z+/]+={0,2}$",
        format: "oscalc-base64",
        check: base64,
    },
];

/// `DateTimeWithTimezoneDatatype`'s pattern.
const DATE_TIME: &str = concat!(
    "^(((2000|2400|2800|(19|2[0-9](0[48]|[2468][048]|[13579][26])))-02-29)|",
    "(((19|2[0-9])[0-9]{2})-02-(0[1-9]|1[0-9]|2[0-8]))|",
    "(((19|2[0-9])[0-9]{2})-(0[13578]|10|12)-(0[1-9]|[12][0-9]|3[01]))|",
    "(((19|2[0-9])[0-9]{2})-(0[469]|11)-(0[1-9]|[12][0-9]|30)))",
    "T(2[0-3]|[01][0-9]):([0-5][0-9]):([0-5][0-9])(\\.[0-9]+)?",
    "(Z|(-((0[0-9]|1[0-2]):00|0[39]:30)|\\+((0[0-9]|1[0-4]):00|(0[34569]|10):30|(0[58]|12):45)))$"
);

/// The formats [`patch`] introduces, with their checks, to register on the validator.
pub(crate) fn formats() -> impl Iterator<Item = (&'static str, fn(&str) -> bool)> {
    LEAN.iter().map(|l| (l.format, l.check))
}

/// The check that stands in for the lean format `name`, if it is one of [`patch`]'s.
pub(crate) fn check_of(name: &str) -> Option<fn(&str) -> bool> {
    LEAN.iter().find(|l| l.format == name).map(|l| l.check)
}

/// Replaces every known `pattern` below `schema` by `"allOf": [{"format": …}]` (an `allOf`, since
/// the object may already carry a `format` of its own).
pub(crate) fn patch(schema: &mut Value) {
    match schema {
        Value::Object(map) => {
            let lean = map
                .get("pattern")
                .and_then(Value::as_str)
                .and_then(|p| LEAN.iter().find(|l| l.pattern == p));
            if let Some(lean) = lean {
                map.remove("pattern");
                let format = serde_json::json!({"format": lean.format});
                match map.get_mut("allOf") {
                    Some(Value::Array(all)) => all.push(format),
                    _ => {
                        map.insert("allOf".to_owned(), Value::Array(vec![format]));
                    }
                }
            }
            map.values_mut().for_each(patch);
        }
        Value::Array(items) => items.iter_mut().for_each(patch),
        _ => {}
    }
}

/// ECMAScript line terminators: what `.` does not match.
fn is_line_terminator(c: char) -> bool {
    matches!(c, '\n' | '\r' | '\u{2028}' | '\u{2029}')
}

/// Surely matched by `\S`, whichever whitespace set the translated pattern uses (ECMAScript's
/// adds U+FEFF to Unicode's `White_Space`; Unicode's adds U+0085).
fn is_surely_non_space(c: char) -> bool {
    !c.is_whitespace() && c != '\u{FEFF}' && !is_line_terminator(c)
}

/// `^(\p{L}|_)(\p{L}|\p{N}|[.\-_])*$`, ASCII only.
fn token(s: &str) -> bool {
    let mut bytes = s.bytes();
    let Some(first) = bytes.next() else {
        return false;
    };
    (first.is_ascii_alphabetic() || first == b'_')
        && bytes.all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'-' | b'_'))
}

/// `^\S(.*\S)?$`.
fn string(s: &str) -> bool {
    let (Some(first), Some(last)) = (s.chars().next(), s.chars().next_back()) else {
        return false;
    };
    is_surely_non_space(first) && is_surely_non_space(last) && !s.chars().any(is_line_terminator)
}

/// `^[^\n]+$`.
fn markup_line(s: &str) -> bool {
    !s.is_empty() && !s.contains('\n')
}

/// The UUID pattern: version 4 or 5, RFC 4122 variant.
fn uuid(s: &str) -> bool {
    let b = s.as_bytes();
    let hex_at = |range: std::ops::Range<usize>| {
        b.get(range)
            .is_some_and(|r| r.iter().all(u8::is_ascii_hexdigit))
    };
    b.len() == 36
        && [8, 13, 18, 23].iter().all(|&i| b.get(i) == Some(&b'-'))
        && hex_at(0..8)
        && hex_at(9..13)
        && hex_at(14..18)
        && hex_at(19..23)
        && hex_at(24..36)
        && matches!(b.get(14), Some(b'4' | b'5'))
        && matches!(b.get(19), Some(b'8' | b'9' | b'A' | b'B' | b'a' | b'b'))
}

/// `^[a-zA-Z][a-zA-Z0-9+\-.]+:.+$`.
fn uri_scheme(s: &str) -> bool {
    let Some((scheme, rest)) = s.split_once(':') else {
        return false;
    };
    let mut chars = scheme.bytes();
    let first = chars.next().is_some_and(|b| b.is_ascii_alphabetic());
    first
        && scheme.len() >= 2
        && chars.all(|b| b.is_ascii_alphanumeric() || matches!(b, b'+' | b'-' | b'.'))
        && !rest.is_empty()
        && !s.chars().any(is_line_terminator)
}

/// `^.+@.+$`.
fn at_sign(s: &str) -> bool {
    let inner = s
        .char_indices()
        .any(|(i, c)| c == '@' && i > 0 && i + 1 < s.len());
    inner && !s.chars().any(is_line_terminator)
}

/// [`DATE_TIME`]: a date of the years 1900 to 2999 (February 29 in the leap years the pattern
/// knows, its two-digit `19` aside), a time, optional fractional seconds and a zone it lists.
fn date_time(s: &str) -> bool {
    let b = s.as_bytes();
    let num = |range: std::ops::Range<usize>| -> Option<u32> {
        let digits = b.get(range)?;
        digits.iter().try_fold(0u32, |n, d| {
            d.is_ascii_digit().then(|| n * 10 + u32::from(d - b'0'))
        })
    };
    let sep = |i: usize, c: u8| b.get(i) == Some(&c);
    let (Some(year), Some(month), Some(day)) = (num(0..4), num(5..7), num(8..10)) else {
        return false;
    };
    let (Some(hour), Some(minute), Some(second)) = (num(11..13), num(14..16), num(17..19)) else {
        return false;
    };
    let shape = sep(4, b'-') && sep(7, b'-') && sep(10, b'T') && sep(13, b':') && sep(16, b':');
    let last = match month {
        2 if year % 100 != 0 && year % 4 == 0 && year >= 2000 => 29,
        2 if matches!(year, 2000 | 2400 | 2800) => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        1..=12 => 31,
        _ => 0,
    };
    let date = (1900..=2999).contains(&year) && (1..=last).contains(&day);
    let time = hour <= 23 && minute <= 59 && second <= 59;
    let rest = b.get(19..).unwrap_or_default();
    let zone = match rest.strip_prefix(b".") {
        Some(f) => {
            let digits = f.iter().take_while(|d| d.is_ascii_digit()).count();
            (digits > 0).then(|| f.get(digits..)).flatten()
        }
        None => Some(rest),
    };
    shape && date && time && zone.is_some_and(is_zone)
}

/// `Z` or one of the offsets [`DATE_TIME`] lists.
fn is_zone(z: &[u8]) -> bool {
    let Ok(z) = std::str::from_utf8(z) else {
        return false;
    };
    if z == "Z" {
        return true;
    }
    let (sign, rest) = z.split_at_checked(1).unwrap_or_default();
    let Some((h, m)) = rest.split_once(':') else {
        return false;
    };
    let two_digits = |x: &str| x.len() == 2 && x.bytes().all(|d| d.is_ascii_digit());
    let Some(hour) = two_digits(h).then(|| h.parse::<u32>().ok()).flatten() else {
        return false;
    };
    match (sign, m) {
        ("-", "00") => hour <= 12,
        ("-", "30") => matches!(hour, 3 | 9),
        ("+", "00") => hour <= 14,
        ("+", "30") => matches!(hour, 3 | 4 | 5 | 6 | 9 | 10),
        ("+", "45") => matches!(hour, 5 | 8 | 12),
        _ => false,
    }
}

/// `^[0-9A-Za-z+/]+={0,2}$`.
fn base64(s: &str) -> bool {
    let body = s.trim_end_matches('=');
    s.len() - body.len() <= 2
        && !body.is_empty()
        && body
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'+' | b'/'))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The exact verdict: the pattern itself, through the validator the schema check uses.
    fn exact(pattern: &str, s: &str) -> bool {
        let schema = serde_json::json!({"type": "string", "pattern": pattern});
        let v = jsonschema::draft7::new(&schema).expect("pattern compiles");
        v.is_valid(&Value::String(s.to_owned()))
    }

    const SAMPLES: [&str; 40] = [
        "",
        "a",
        "_",
        "ac-2.1",
        "ac-2_smt.a",
        "1ac",
        "-x",
        "a b",
        "a:b",
        "é",
        "aé",
        "ǅx",
        "a\u{0660}",
        " a",
        "a ",
        "a\tb",
        "a\nb",
        "a\rb",
        "a\u{2028}b",
        "\u{00A0}a",
        "a\u{FEFF}",
        "\u{0085}a",
        "a\u{3000}",
        "8bd5f2a4-6a6b-4f7c-9a43-2b4f7cbbd7a4",
        "8bd5f2a4-6a6b-3f7c-9a43-2b4f7cbbd7a4",
        "8bd5f2a4-6a6b-4f7c-7a43-2b4f7cbbd7a4",
        "8BD5F2A4-6A6B-5F7C-BA43-2B4F7CBBD7A4",
        "8bd5f2a4-6a6b-4f7c-9a43-2b4f7cbbd7a",
        "https://example.com/x",
        "h:x",
        "ab:",
        "a+b.c-d:x y",
        "urn:isbn:1",
        "a@b",
        "@b",
        "a@",
        "x@y@z",
        "aGVsbG8=",
        "aGVsbG8===",
        "=",
    ];

    #[test]
    fn lean_checks_accept_the_ascii_the_pattern_accepts() {
        for lean in &LEAN {
            for s in SAMPLES.iter().filter(|s| s.is_ascii()) {
                assert_eq!(
                    (lean.check)(s),
                    exact(lean.pattern, s),
                    "{} on {s:?}",
                    lean.format
                );
            }
        }
    }

    #[test]
    fn patch_replaces_known_patterns_and_keeps_formats() {
        let mut s = serde_json::json!({"definitions": {
            "T": {"type": "string", "pattern": r"^(\p{L}|_)(\p{L}|\p{N}|[.\-_])*$"},
            "U": {"type": "string", "format": "uri", "pattern": r"^[a-zA-Z][a-zA-Z0-9+\-.]+:.+$"},
            "D": {"type": "string", "pattern": "^[0-9]+$"}
        }});
        patch(&mut s);
        assert_eq!(
            s,
            serde_json::json!({"definitions": {
                "T": {"type": "string", "allOf": [{"format": "oscalc-token"}]},
                "U": {"type": "string", "format": "uri", "allOf": [{"format": "oscalc-uri-scheme"}]},
                "D": {"type": "string", "pattern": "^[0-9]+$"}
            }})
        );
    }

    #[test]
    fn patch_knows_every_pattern_of_the_catalog_schema() {
        let mut s: Value =
            serde_json::from_str(include_str!("../../schemas/oscal_catalog_schema.json"))
                .expect("schema parses");
        patch(&mut s);
        fn patterns(v: &Value, out: &mut Vec<String>) {
            match v {
                Value::Object(map) => {
                    if let Some(Value::String(p)) = map.get("pattern") {
                        out.push(p.clone());
                    }
                    map.values().for_each(|x| patterns(x, out));
                }
                Value::Array(items) => items.iter().for_each(|x| patterns(x, out)),
                _ => {}
            }
        }
        let mut left = Vec::new();
        patterns(&s, &mut left);
        assert!(left.is_empty(), "{left:?}");
    }
}
