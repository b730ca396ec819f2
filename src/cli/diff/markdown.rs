//! `oscalc diff --format markdown`: a pull-request comment. The counts first (a table), then
//! the added, removed and changed controls, each list in the difference's order and folded in a
//! `<details>` block when it is longer than [`FOLD`] entries. Word differences show removed words
//! struck through and added words in bold. Text from the documents is escaped (every ASCII
//! punctuation character backslash-escaped, control characters replaced), so a title cannot
//! open a link, an HTML tag or a table cell in the comment.

use super::Names;
use super::text::{at, clean as one_line, field_name, list};
use oscalc::diff::{Change, ControlDiff, Diff, Place, Word};
use std::fmt::Write;

/// Lists longer than this are folded.
const FOLD: usize = 10;

/// The whole Markdown output.
pub(super) fn render(diff: &Diff, names: &Names) -> String {
    let c = &diff.counts;
    let mut out = String::new();
    let _ = writeln!(
        out,
        "### oscalc diff: {} → {}\n",
        code(&names.old),
        code(&names.new)
    );
    out.push_str("| added | removed | moved | changed | unchanged |\n");
    out.push_str("| ---: | ---: | ---: | ---: | ---: |\n");
    let _ = writeln!(
        out,
        "| {} | {} | {} | {} | {} |",
        c.added, c.removed, c.moved, c.changed, c.unchanged
    );
    if diff.is_empty() {
        out.push_str("\nNo differences.\n");
        return out;
    }
    let pick = |f: fn(&ControlDiff) -> bool| diff.controls.iter().filter(move |d| f(d));
    section(
        &mut out,
        "Added",
        pick(|d| matches!(d, ControlDiff::Added { .. })),
    );
    section(
        &mut out,
        "Removed",
        pick(|d| matches!(d, ControlDiff::Removed { .. })),
    );
    section(
        &mut out,
        "Moved or changed",
        pick(|d| matches!(d, ControlDiff::Changed { .. })),
    );
    out
}

/// One heading and its list, folded when long; nothing when the list is empty.
fn section<'a>(out: &mut String, what: &str, items: impl Iterator<Item = &'a ControlDiff>) {
    let items: Vec<&ControlDiff> = items.collect();
    if items.is_empty() {
        return;
    }
    let n = items.len();
    let _ = writeln!(out, "\n#### {what} ({n})\n");
    let fold = n > FOLD;
    if fold {
        let noun = if n == 1 { "control" } else { "controls" };
        let _ = writeln!(out, "<details><summary>{n} {noun}</summary>\n");
    }
    for item in items {
        entry(out, item);
    }
    if fold {
        out.push_str("\n</details>\n");
    }
}

fn entry(out: &mut String, control: &ControlDiff) {
    match control {
        ControlDiff::Added { id, title, place } | ControlDiff::Removed { id, title, place } => {
            let _ = writeln!(
                out,
                "- {} {} ({})",
                code(id),
                escape(title),
                place_of(place)
            );
        }
        ControlDiff::Changed {
            id,
            title,
            moved,
            changes,
        } => {
            let _ = writeln!(out, "- {} {}", code(id), escape(title));
            if let Some(m) = moved {
                let (from, to) = (place_of(&m.from), place_of(&m.to));
                let _ = writeln!(out, "  - moved from {from} to {to}");
            }
            for change in changes {
                let _ = writeln!(out, "  - {}", describe(change));
            }
        }
    }
}

fn describe(change: &Change) -> String {
    match change {
        Change::Title { words } => format!("title: {}", runs(words)),
        Change::ParamAdded { param } => format!("added param {}", code(param)),
        Change::ParamRemoved { param } => format!("removed param {}", code(param)),
        Change::Param {
            param,
            field,
            old,
            new,
        } => format!(
            "param {} {}: {} → {}",
            code(param),
            field_name(*field),
            list(old, |s| format!("~~{}~~", escape(s))),
            list(new, |s| format!("**{}**", escape(s)))
        ),
        Change::PropAdded { prop } => format!("added prop {}", escape(prop)),
        Change::PropRemoved { prop } => format!("removed prop {}", escape(prop)),
        Change::LinkAdded { link } => format!("added link {}", escape(link)),
        Change::LinkRemoved { link } => format!("removed link {}", escape(link)),
        Change::PartAdded { part, prose } => {
            format!("added part {}: {}", code(part), escape(prose))
        }
        Change::PartRemoved { part, prose } => {
            format!("removed part {}: ~~{}~~", code(part), escape(prose))
        }
        Change::Prose { part, words, whole } => {
            let note = if *whole { " (replaced whole)" } else { "" };
            format!("prose {}{note}: {}", code(part), runs(words))
        }
    }
}

fn runs(words: &[Word]) -> String {
    let parts: Vec<String> = words
        .iter()
        .map(|w| match w {
            Word::Same(s) => escape(s),
            Word::Added(s) => format!("**{}**", escape(s)),
            Word::Removed(s) => format!("~~{}~~", escape(s)),
        })
        .collect();
    parts.join(" ")
}

/// Where a control sits: its groups escaped, its parent as code.
fn place_of(place: &Place) -> String {
    at(place, escape, code)
}

/// An id as a code span; escaped text when it holds a backtick (a code span would end there).
fn code(s: &str) -> String {
    let one_line = one_line(s);
    if one_line.contains('`') || one_line.is_empty() {
        escape(&one_line)
    } else {
        format!("`{one_line}`")
    }
}

/// Text as Markdown that shows it literally: on one line, control characters replaced, and a
/// backslash before each character that could start markup inside a line (CommonMark allows one
/// before any ASCII punctuation): emphasis, code, links and images, HTML and entities, table
/// cells, GitHub's strike-through and math. A line never starts with document text, so list
/// and heading markers need none.
fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in one_line(s).chars() {
        if "\\`*_[]<>|~&!#$".contains(c) {
            out.push('\\');
        }
        out.push(c);
    }
    out
}
