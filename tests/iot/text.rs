//! Stage: clean. In: one line or paragraph of NIST's Jekyll Markdown or CSV cell text. Out: plain
//! prose fit for an OSCAL markup string: Liquid tags, kramdown attributes, HTML tags and entities,
//! emphasis markers and mojibake removed, whitespace collapsed. Also the key used to match a CSV
//! line with the Markdown line that says the same. Structure (lists, `<details>`) is the readers' job.

/// Cleans one line or paragraph of source text into plain prose.
pub fn clean(s: &str) -> String {
    let s = fix_mojibake(s);
    let s = remove_delimited(&s, "{%", "%}");
    let s = remove_delimited(&s, "{:", "}");
    let s = remove_tags(&s);
    let s = decode_entities(&s);
    let s = strip_emphasis(&s);
    collapse_whitespace(&s)
}

/// The key two texts share when they say the same: lower-case letters and digits only.
pub fn key(s: &str) -> String {
    clean(s)
        .chars()
        .filter(|c| c.is_alphanumeric())
        .flat_map(char::to_lowercase)
        .collect()
}

/// Drops a final period (titles made from sentences).
pub fn without_final_period(s: &str) -> String {
    s.trim_end().trim_end_matches('.').trim_end().to_string()
}

// UTF-8 read as Windows-1252 and saved again: the forms seen in NIST's web pages.
const MOJIBAKE: [(&str, &str); 8] = [
    ("\u{e2}\u{20ac}\u{2122}", "\u{2019}"),
    ("\u{e2}\u{20ac}\u{2dc}", "\u{2018}"),
    ("\u{e2}\u{20ac}\u{153}", "\u{201c}"),
    ("\u{e2}\u{20ac}\u{9d}", "\u{201d}"),
    ("\u{e2}\u{20ac}\u{201c}", "\u{2013}"),
    ("\u{e2}\u{20ac}\u{201d}", "\u{2014}"),
    ("\u{c2}\u{a0}", " "),
    ("\u{ef}\u{bb}\u{bf}", ""),
];

fn fix_mojibake(s: &str) -> String {
    MOJIBAKE
        .iter()
        .fold(s.to_string(), |acc, (bad, good)| acc.replace(bad, good))
}

fn remove_delimited(s: &str, open: &str, close: &str) -> String {
    let mut out = String::new();
    let mut rest = s;
    while let Some(start) = rest.find(open) {
        out.push_str(&rest[..start]);
        match rest[start..].find(close) {
            Some(end) => rest = &rest[start + end + close.len()..],
            None => {
                rest = "";
            }
        }
    }
    out.push_str(rest);
    out
}

/// Removes HTML tags (`<br/>`, `<details>`, `<summary …>`, `<u>`): the text between stays.
fn remove_tags(s: &str) -> String {
    let mut out = String::new();
    let mut rest = s;
    while let Some(start) = rest.find('<') {
        let tail = &rest[start + 1..];
        let is_tag = tail.starts_with(|c: char| c.is_ascii_alphabetic() || c == '/');
        match (is_tag, tail.find('>')) {
            (true, Some(end)) => {
                out.push_str(&rest[..start]);
                out.push(' ');
                rest = &tail[end + 1..];
            }
            _ => {
                out.push_str(&rest[..=start]);
                rest = tail;
            }
        }
    }
    out.push_str(rest);
    out
}

fn decode_entities(s: &str) -> String {
    let mut out = String::new();
    let mut rest = s;
    while let Some(start) = rest.find('&') {
        out.push_str(&rest[..start]);
        let tail = &rest[start..];
        match tail
            .find(';')
            .and_then(|end| Some((entity(&tail[1..end])?, end)))
        {
            Some((c, end)) => {
                out.push(c);
                rest = &tail[end + 1..];
            }
            None => {
                out.push('&');
                rest = &tail[1..];
            }
        }
    }
    out.push_str(rest);
    out
}

fn entity(name: &str) -> Option<char> {
    let named = match name {
        "amp" => Some('&'),
        "lt" => Some('<'),
        "gt" => Some('>'),
        "quot" => Some('"'),
        "apos" => Some('\''),
        "nbsp" => Some(' '),
        _ => None,
    };
    let numeric = || {
        let code = match name.strip_prefix("#x").or_else(|| name.strip_prefix("#X")) {
            Some(hex) => u32::from_str_radix(hex, 16).ok()?,
            None => name.strip_prefix('#')?.parse().ok()?,
        };
        char::from_u32(code)
    };
    named.or_else(numeric)
}

/// Removes Markdown emphasis: `**` anywhere, and `_` at a word's edge (NIST italicises whole
/// example sentences as `_…_`, sometimes split as `they_ _meet`; no word holds an underscore).
fn strip_emphasis(s: &str) -> String {
    let s = s.replace("**", "");
    let chars: Vec<char> = s.chars().collect();
    let word = |i: Option<usize>| {
        i.and_then(|i| chars.get(i))
            .is_some_and(|c| c.is_alphanumeric())
    };
    chars
        .iter()
        .enumerate()
        .filter(|&(i, &c)| c != '_' || (word(i.checked_sub(1)) && word(Some(i + 1))))
        .map(|(_, &c)| c)
        .collect()
}

fn collapse_whitespace(s: &str) -> String {
    s.split(|c: char| c.is_whitespace())
        .filter(|w| !w.is_empty())
        .collect::<Vec<_>>()
        .join(" ")
}

#[test]
fn clean_removes_web_debris_and_decodes_entities() {
    let raw = "{% include openExamples.html %} the manufacturer&#39;s &quot;x&quot;&nbsp;&nbsp;<br/>{: #Doc1 }";
    assert_eq!(clean(raw), "the manufacturer's \"x\"");
    assert_eq!(
        clean(" - _Example they_ _meet._<br/><br/>"),
        "- Example they meet."
    );
    assert_eq!(
        clean("device\u{e2}\u{20ac}\u{2122}s **bold**"),
        "device\u{2019}s bold"
    );
}

#[test]
fn key_ignores_case_punctuation_and_spacing() {
    assert_eq!(
        key("Ability to revoke their access."),
        key("ability to revoke  their access")
    );
}

/// The lines of a Jekyll page after its YAML front matter (`---` … `---`).
pub fn body_lines(page: &str) -> Vec<&str> {
    let lines: Vec<&str> = page.lines().collect();
    match lines.first() {
        Some(first) if first.trim() == "---" => {
            let end = lines.iter().skip(1).position(|l| l.trim() == "---");
            end.map_or(Vec::new(), |e| lines[e + 2..].to_vec())
        }
        _ => lines,
    }
}

/// A Markdown bullet line: its indentation (tabs count 4) and its text after `- `.
pub fn bullet(line: &str) -> Option<(usize, &str)> {
    let trimmed = line.trim_start();
    let text = trimmed
        .strip_prefix("- ")
        .or_else(|| (trimmed == "-").then_some(""))?;
    let indent = line[..line.len() - trimmed.len()]
        .chars()
        .map(|c| if c == '\t' { 4 } else { 1 })
        .sum();
    Some((indent, text))
}
