//! `oscalc diff --format text`: one line per control that differs (`+` added, `-` removed,
//! `~` moved or changed), its changes indented below; word differences as `[-old-]{+new+}`
//! (git's plain word-diff style) or, coloured, red and green. Text from the documents has its
//! control characters replaced, so a document cannot send escape sequences to a terminal.

use super::Names;
use oscalc::diff::{Change, ControlDiff, Diff, ParamField, Place, Word};
use std::fmt::Write;

const RED: &str = "\x1b[31m";
const GREEN: &str = "\x1b[32m";
const YELLOW: &str = "\x1b[33m";
const BOLD: &str = "\x1b[1m";

/// Paints text in one colour, or leaves it plain.
struct Paint(bool);

impl Paint {
    fn on(&self, colour: &str, text: &str) -> String {
        crate::cli::diagnostics::paint(self.0, colour, text)
    }
}

/// The whole text output.
pub(super) fn render(diff: &Diff, names: &Names, colour: bool) -> String {
    let paint = Paint(colour);
    let c = &diff.counts;
    let mut out = String::new();
    let _ = writeln!(
        out,
        "{}",
        paint.on(BOLD, &format!("--- {}", clean(&names.old)))
    );
    let _ = writeln!(
        out,
        "{}",
        paint.on(BOLD, &format!("+++ {}", clean(&names.new)))
    );
    let _ = writeln!(
        out,
        "{} added, {} removed, {} moved, {} changed, {} unchanged",
        c.added, c.removed, c.moved, c.changed, c.unchanged
    );
    // A control with its changes below it stands apart; added and removed ones run together.
    let mut apart = true;
    for control in &diff.controls {
        let changed = matches!(control, ControlDiff::Changed { .. });
        if apart || changed {
            out.push('\n');
        }
        apart = changed;
        entry(&mut out, control, &paint);
    }
    out
}

fn entry(out: &mut String, control: &ControlDiff, paint: &Paint) {
    match control {
        ControlDiff::Added { id, title, place } | ControlDiff::Removed { id, title, place } => {
            let added = matches!(control, ControlDiff::Added { .. });
            let (sign, colour) = if added { ('+', GREEN) } else { ('-', RED) };
            let (id, title, place) = (clean(id), clean(title), at(place, clean, clean));
            let _ = writeln!(
                out,
                "{}",
                paint.on(colour, &format!("{sign} {id}  {title}  [{place}]"))
            );
        }
        ControlDiff::Changed {
            id,
            title,
            moved,
            changes,
        } => {
            let line = format!("~ {}  {}", clean(id), clean(title));
            let _ = writeln!(out, "{}", paint.on(YELLOW, &line));
            if let Some(m) = moved {
                let (from, to) = (at(&m.from, clean, clean), at(&m.to, clean, clean));
                let _ = writeln!(out, "    moved: [{from}] → [{to}]");
            }
            for change in changes {
                let _ = writeln!(out, "    {}", describe(change, paint));
            }
        }
    }
}

/// One change of a control, on one line.
fn describe(change: &Change, paint: &Paint) -> String {
    match change {
        Change::Title { words } => format!("title: {}", runs(words, paint)),
        Change::ParamAdded { param } => paint.on(GREEN, &format!("+ param {}", clean(param))),
        Change::ParamRemoved { param } => paint.on(RED, &format!("- param {}", clean(param))),
        Change::Param {
            param,
            field,
            old,
            new,
        } => format!(
            "param {} {}: {} → {}",
            clean(param),
            field_name(*field),
            paint.on(RED, &list(old, clean)),
            paint.on(GREEN, &list(new, clean))
        ),
        Change::PropAdded { prop } => paint.on(GREEN, &format!("+ prop {}", clean(prop))),
        Change::PropRemoved { prop } => paint.on(RED, &format!("- prop {}", clean(prop))),
        Change::LinkAdded { link } => paint.on(GREEN, &format!("+ link {}", clean(link))),
        Change::LinkRemoved { link } => paint.on(RED, &format!("- link {}", clean(link))),
        Change::PartAdded { part, prose } => {
            paint.on(GREEN, &format!("+ part {}: {}", clean(part), clean(prose)))
        }
        Change::PartRemoved { part, prose } => {
            paint.on(RED, &format!("- part {}: {}", clean(part), clean(prose)))
        }
        Change::Prose { part, words, whole } => {
            let note = if *whole {
                " (replaced whole: too long to compare word by word)"
            } else {
                ""
            };
            format!("prose {}{note}: {}", clean(part), runs(words, paint))
        }
    }
}

/// The name of a parameter field, as the JSON output spells it.
pub(super) fn field_name(field: ParamField) -> &'static str {
    match field {
        ParamField::Label => "label",
        ParamField::Values => "values",
        ParamField::Select => "select",
        ParamField::Constraints => "constraints",
    }
}

fn runs(words: &[Word], paint: &Paint) -> String {
    let parts: Vec<String> = words
        .iter()
        .map(|w| match (w, paint.0) {
            (Word::Same(s), _) => clean(s),
            (Word::Added(s), true) => paint.on(GREEN, &clean(s)),
            (Word::Removed(s), true) => paint.on(RED, &clean(s)),
            (Word::Added(s), false) => format!("{{+{}+}}", clean(s)),
            (Word::Removed(s), false) => format!("[-{}-]", clean(s)),
        })
        .collect();
    parts.join(" ")
}

/// A parameter field's items, each as `item` writes it, `; ` between them, `(none)` when empty.
pub(super) fn list(items: &[String], item: impl Fn(&str) -> String) -> String {
    if items.is_empty() {
        return "(none)".to_owned();
    }
    let items: Vec<String> = items.iter().map(|s| item(s)).collect();
    items.join("; ")
}

/// Where a control sits: its groups, `/` between them, and its parent control, each as `group`
/// and `parent` write it.
pub(super) fn at(place: &Place, group: fn(&str) -> String, parent: fn(&str) -> String) -> String {
    let groups = if place.groups.is_empty() {
        "top level".to_owned()
    } else {
        let gs: Vec<String> = place.groups.iter().map(|g| group(g)).collect();
        gs.join(" / ")
    };
    match &place.parent {
        Some(p) => format!("{groups}, under {}", parent(p)),
        None => groups,
    }
}

/// Text from a document on one line: whitespace runs become one space, other control
/// characters (escape sequences) `�`.
pub(super) fn clean(s: &str) -> String {
    s.split_whitespace()
        .map(|w| {
            w.chars()
                .map(|c| if c.is_control() { '\u{fffd}' } else { c })
                .collect()
        })
        .collect::<Vec<String>>()
        .join(" ")
}
