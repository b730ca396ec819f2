//! The `human` format: header, the quoted source with carets under each place, then notes.
//!
//! ```text
//! error[ref-duplicate-id]: id `c2` is defined twice
//!   ┌─ cat.json:9:12
//!   │
//! 8 │     {"id": "c2", "title": "Two"},
//!   │            ---- first defined here
//! 9 │     {"id": "c2", "title": "Again"}
//!   │            ^^^^
//!   │
//!   = help: …
//! ```
//!
//! A line is quoted as a window of at most [`WINDOW`] bytes around the place (`…` where it was
//! cut), so a one-line document of megabytes prints a few hundred bytes per diagnostic, and each
//! line is found through the source's line index. A source that may not be quoted
//! ([`oscalc::source::Source::quotable`]) is named by file:line:col in a note instead.

use super::{BLUE, Located, chain, token_end};
use indexmap::IndexMap;
use oscalc::diag::{Diagnostic, SourceId, Span};
use oscalc::source::SourceMap;
use std::fmt::Write as _;

/// Longest quoted piece of a line, in bytes.
const WINDOW: usize = 200;
/// Bytes kept before the place when a line is cut.
const BEFORE: usize = 60;

const BOLD: &str = "\u{1b}[1m";

/// One place to underline.
struct Mark {
    source: SourceId,
    line: usize,
    column: usize,
    /// Byte range in the source, within one line.
    start: usize,
    end: usize,
    primary: bool,
    message: String,
}

/// One quoted piece of a line and the marks under it.
struct Snippet {
    line: usize,
    /// Byte range of the quoted piece.
    from: usize,
    to: usize,
    cut_left: bool,
    cut_right: bool,
    marks: Vec<Mark>,
}

/// Colours, or none.
struct Paint {
    on: bool,
    severity: &'static str,
}

impl Paint {
    fn wrap(&self, color: &str, text: &str) -> String {
        super::paint(self.on, color, text)
    }
}

/// Renders one diagnostic; `located` is `d` with its places resolved.
pub(super) fn render(
    d: &Diagnostic,
    located: &Located,
    sources: &SourceMap,
    color: bool,
) -> String {
    let paint = Paint {
        on: color,
        severity: super::severity_color(d.severity),
    };
    let mut marks = Vec::new();
    let mut notes = Vec::new();
    if let Some(span) = &d.primary {
        match mark(span, sources, true, String::new()) {
            Some(m) => marks.push(m),
            None => notes.push(format!("in {}", place_text(span, sources))),
        }
    }
    for l in &d.labels {
        match mark(&l.span, sources, false, l.message.clone()) {
            Some(m) => marks.push(m),
            None => notes.push(format!("{}: {}", place_text(&l.span, sources), l.message)),
        }
    }
    notes.extend(chain(located));
    notes.extend(d.hints.iter().map(|h| format!("help: {h}")));

    // The widest line number's digits.
    let digits = |n: usize| n.checked_ilog10().map_or(1, |d| d as usize + 1);
    let width = marks.iter().map(|m| digits(m.line)).max().unwrap_or(0);
    let pad = " ".repeat(width + 1);
    let mut out = header(d, &paint);
    let quoted = !marks.is_empty();
    for (source, group) in by_source(marks) {
        let Some(src) = sources.get(source) else {
            continue;
        };
        let first = group.first().map_or((1, 1), |m| (m.line, m.column));
        let name = sources.display_name(source);
        let _ = writeln!(
            out,
            "{pad}{} {name}:{}:{}",
            paint.wrap(BLUE, "┌─"),
            first.0,
            first.1
        );
        let _ = writeln!(out, "{pad}{}", paint.wrap(BLUE, "│"));
        let mut snippets = snippets(group, src);
        snippets.sort_by_key(|s| (s.line, s.from));
        let mut last_line = None;
        for s in &snippets {
            if last_line.is_some_and(|l: usize| s.line > l + 1) {
                let _ = writeln!(out, "{pad}{}", paint.wrap(BLUE, "·"));
            }
            last_line = Some(s.line);
            snippet(&mut out, s, &src.bytes, width, &paint);
        }
    }
    if !notes.is_empty() {
        if quoted {
            let _ = writeln!(out, "{pad}{}", paint.wrap(BLUE, "│"));
        }
        for n in &notes {
            let _ = writeln!(out, "{pad}{} {n}", paint.wrap(BLUE, "="));
        }
    }
    out.push('\n');
    out
}

fn header(d: &Diagnostic, paint: &Paint) -> String {
    let level = format!("{}[{}]", d.severity, d.code);
    let message = paint.wrap(BOLD, &format!(": {}", d.message));
    format!("{}{message}\n", paint.wrap(paint.severity, &level))
}

/// The mark of a span in a quotable source, or `None` (not found, or not to be quoted: never
/// quote a text that did not load as OSCAL and that the user did not name).
fn mark(span: &Span, sources: &SourceMap, primary: bool, message: String) -> Option<Mark> {
    let src = sources.get(span.source)?;
    if !src.quotable {
        return None;
    }
    let start = sources.offset(span)?.min(src.bytes.len());
    let start = floor_char(&src.bytes, start);
    let end = token_end(&src.bytes, start).min(src.bytes.len()).max(start);
    let lc = src.index.line_col(&src.bytes, start);
    Some(Mark {
        source: span.source,
        line: lc.line,
        column: lc.column,
        start,
        end,
        primary,
        message,
    })
}

/// Marks grouped by source: the primary's source first, then in order of appearance.
fn by_source(marks: Vec<Mark>) -> IndexMap<SourceId, Vec<Mark>> {
    let mut groups: IndexMap<SourceId, Vec<Mark>> = IndexMap::new();
    for m in marks {
        groups.entry(m.source).or_default().push(m);
    }
    groups
}

/// Marks on one line share a quoted piece when they fit in one window; others get their own.
fn snippets(mut marks: Vec<Mark>, src: &oscalc::source::Source) -> Vec<Snippet> {
    marks.sort_by_key(|m| (m.line, m.start));
    let mut out: Vec<Snippet> = Vec::new();
    for m in marks {
        if let Some(s) = out.last_mut()
            && s.line == m.line
            && m.start >= s.from
            && m.end <= s.to
        {
            s.marks.push(m);
            continue;
        }
        let line = src.index.line_range(&src.bytes, m.line);
        let (from, to) = window(&src.bytes, line.start, line.end, m.start);
        out.push(Snippet {
            line: m.line,
            from,
            to,
            cut_left: from > line.start,
            cut_right: to < line.end,
            marks: vec![m],
        });
    }
    out
}

/// The piece of line `[start, end)` quoted around byte `at`: the whole line when it is short,
/// else [`WINDOW`] bytes from [`BEFORE`] bytes ahead of `at`, on character boundaries.
fn window(bytes: &[u8], start: usize, end: usize, at: usize) -> (usize, usize) {
    if end - start <= WINDOW {
        return (start, end);
    }
    let from = at.saturating_sub(BEFORE).max(start);
    let from = from.min(end.saturating_sub(WINDOW)).max(start);
    let to = (from + WINDOW).min(end);
    (
        floor_char(bytes, from),
        floor_char(bytes, to).max(floor_char(bytes, from)),
    )
}

/// Writes a quoted piece and one underline per mark.
fn snippet(out: &mut String, s: &Snippet, bytes: &[u8], width: usize, paint: &Paint) {
    let text = |a: usize, b: usize| -> String {
        let raw = bytes.get(a..b).unwrap_or_default();
        String::from_utf8_lossy(raw)
            .chars()
            .map(|c| match c {
                '\t' => ' ',
                c if c.is_control() => '\u{fffd}',
                c => c,
            })
            .collect()
    };
    let ell = |cut: bool| if cut { "…" } else { "" };
    let bar = paint.wrap(BLUE, "│");
    let number = paint.wrap(BLUE, &format!("{:>width$}", s.line));
    let quoted = text(s.from, s.to);
    let _ = writeln!(
        out,
        "{number} {bar} {}{quoted}{}",
        ell(s.cut_left),
        ell(s.cut_right)
    );
    for m in &s.marks {
        let lead = text(s.from, m.start.max(s.from)).chars().count() + usize::from(s.cut_left);
        let len = text(m.start, m.end.min(s.to)).chars().count().max(1);
        let (glyph, color) = if m.primary {
            ('^', paint.severity)
        } else {
            ('-', BLUE)
        };
        let gap = if m.message.is_empty() { "" } else { " " };
        let under = format!("{}{gap}{}", glyph.to_string().repeat(len), m.message);
        let _ = writeln!(
            out,
            "{:width$} {bar} {}{}",
            "",
            " ".repeat(lead),
            paint.wrap(color, &under)
        );
    }
}

fn place_text(span: &Span, sources: &SourceMap) -> String {
    let name = sources.display_name(span.source);
    match sources.line_col(span) {
        Some(lc) => format!("{name}:{}:{}", lc.line, lc.column),
        None => name,
    }
}

fn floor_char(bytes: &[u8], mut i: usize) -> usize {
    i = i.min(bytes.len());
    while i > 0 && bytes.get(i).is_some_and(|&b| b & 0xC0 == 0x80) {
        i -= 1;
    }
    i
}

#[cfg(test)]
mod tests {
    use super::*;
    use oscalc::diag::Severity;

    #[test]
    fn window_keeps_short_lines_and_cuts_long_ones_around_the_place() {
        let line = "a".repeat(1000);
        assert_eq!(window(line.as_bytes(), 0, 150, 100), (0, 150));
        assert_eq!(window(line.as_bytes(), 0, 1000, 500), (440, 640));
        assert_eq!(window(line.as_bytes(), 0, 1000, 10), (0, 200));
        assert_eq!(window(line.as_bytes(), 0, 1000, 990), (800, 1000));
    }

    #[test]
    fn window_bounds_fall_on_character_boundaries() {
        let line = "é".repeat(500);
        let (from, to) = window(line.as_bytes(), 0, 1000, 501);
        assert!(line.is_char_boundary(from) && line.is_char_boundary(to));
        assert!(to - from <= WINDOW);
    }

    #[test]
    fn severity_colour_differs_by_level() {
        assert_ne!(
            super::super::severity_color(Severity::Error),
            super::super::severity_color(Severity::Warning)
        );
    }
}
