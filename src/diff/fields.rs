//! The content of one control present in both catalogs: title, parameters, properties, links
//! and parts, compared field by field in the order the model holds them.

use super::controls::Held;
use super::words::{Budget, words};
use super::{Change, ControlDiff, Move, ParamField};
use crate::model::{Control, Link, Markup, Parameter, Part, Property};
use indexmap::IndexMap;

/// The difference of one control in both catalogs, `None` when there is none.
pub(super) fn compare(old: &Held, new: &Held, budget: &mut Budget) -> Option<ControlDiff> {
    let moved = (old.place != new.place).then(|| Move {
        from: old.place.clone(),
        to: new.place.clone(),
    });
    let (o, n) = (old.control, new.control);
    let mut changes = Vec::new();
    let (ot, nt) = (title(o), title(n));
    if !same_words(&ot, &nt) {
        changes.push(Change::Title {
            words: words(&ot, &nt, budget).0,
        });
    }
    params(&o.params, &n.params, &mut changes);
    listed(&o.props, &n.props, prop, &mut changes, |prop, added| {
        if added {
            Change::PropAdded { prop }
        } else {
            Change::PropRemoved { prop }
        }
    });
    listed(&o.links, &n.links, link, &mut changes, |link, added| {
        if added {
            Change::LinkAdded { link }
        } else {
            Change::LinkRemoved { link }
        }
    });
    parts(&o.parts, &n.parts, budget, &mut changes);
    if moved.is_none() && changes.is_empty() {
        return None;
    }
    Some(ControlDiff::Changed {
        id: n.id.clone(),
        title: nt,
        moved,
        changes,
    })
}

/// A control's title as Markdown.
pub(super) fn title(c: &Control) -> String {
    c.title.0.to_markdown()
}

/// Whether two texts have the same words, however spaced.
fn same_words(a: &str, b: &str) -> bool {
    a.split_whitespace().eq(b.split_whitespace())
}

fn text(m: &Markup) -> String {
    m.to_markdown()
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
}

/// Parameters by id: added and removed ones, then the changed fields of each in both, in NEW's
/// order.
fn params(old: &[Parameter], new: &[Parameter], out: &mut Vec<Change>) {
    let by_id = |ps: &[Parameter]| -> IndexMap<String, Vec<(ParamField, Vec<String>)>> {
        let mut m = IndexMap::new();
        for p in ps {
            m.entry(p.id.clone()).or_insert_with(|| param_fields(p));
        }
        m
    };
    let (old, new) = (by_id(old), by_id(new));
    for id in old.keys().filter(|id| !new.contains_key(*id)) {
        out.push(Change::ParamRemoved { param: id.clone() });
    }
    for (id, fields) in &new {
        let Some(before) = old.get(id) else {
            out.push(Change::ParamAdded { param: id.clone() });
            continue;
        };
        for ((field, o), (_, n)) in before.iter().zip(fields) {
            if o != n {
                out.push(Change::Param {
                    param: id.clone(),
                    field: *field,
                    old: o.clone(),
                    new: n.clone(),
                });
            }
        }
    }
}

/// The compared fields of one parameter, each as a list of strings.
fn param_fields(p: &Parameter) -> Vec<(ParamField, Vec<String>)> {
    let label = p.label.iter().map(|l| text(&l.0)).collect();
    let select = p
        .select
        .iter()
        .flat_map(|s| {
            let how = s.how_many.clone().unwrap_or_default();
            std::iter::once(how).chain(s.choice.iter().map(|c| text(&c.0)))
        })
        .collect();
    let constraints = p
        .constraints
        .iter()
        .map(|c| {
            let mut s = c
                .description
                .as_ref()
                .map(|d| text(&d.0))
                .unwrap_or_default();
            for t in &c.tests {
                s.push_str(" | ");
                s.push_str(&t.expression);
            }
            s
        })
        .collect();
    vec![
        (ParamField::Label, label),
        (ParamField::Values, p.values.clone()),
        (ParamField::Select, select),
        (ParamField::Constraints, constraints),
    ]
}

fn prop(p: &Property) -> String {
    let class = p
        .class
        .as_ref()
        .map(|c| format!(" ({c})"))
        .unwrap_or_default();
    match &p.ns {
        Some(ns) => format!("{ns}:{}={}{class}", p.name, p.value),
        None => format!("{}={}{class}", p.name, p.value),
    }
}

fn link(l: &Link) -> String {
    match &l.rel {
        Some(rel) => format!("{} ({rel})", l.href),
        None => l.href.clone(),
    }
}

/// Items of a list compared as a multiset of their keys: removed ones (OLD's order), then added
/// ones (NEW's order).
fn listed<T>(
    old: &[T],
    new: &[T],
    key: fn(&T) -> String,
    out: &mut Vec<Change>,
    change: impl Fn(String, bool) -> Change,
) {
    let (old, new): (Vec<String>, Vec<String>) =
        (old.iter().map(key).collect(), new.iter().map(key).collect());
    for (k, added) in missing(&old, &new)
        .map(|k| (k, false))
        .chain(missing(&new, &old).map(|k| (k, true)))
    {
        out.push(change(k.clone(), added));
    }
}

/// The items of `a` that `b` does not hold (counted: two equal items in `a` need two in `b`).
fn missing<'s>(a: &'s [String], b: &'s [String]) -> impl Iterator<Item = &'s String> {
    let mut left: IndexMap<&str, usize> = IndexMap::new();
    for k in b {
        *left.entry(k.as_str()).or_default() += 1;
    }
    a.iter().filter(move |k| match left.get_mut(k.as_str()) {
        Some(n) if *n > 0 => {
            *n -= 1;
            false
        }
        _ => true,
    })
}

/// Parts by key (see [`Change::PartAdded`]), nested parts included: removed, then each of NEW
/// in order, added or with its prose compared.
fn parts(old: &[Part], new: &[Part], budget: &mut Budget, out: &mut Vec<Change>) {
    let (old, new) = (keyed(old), keyed(new));
    for (key, p) in &old {
        if !new.contains_key(key) {
            out.push(Change::PartRemoved {
                part: key.clone(),
                prose: prose(p),
            });
        }
    }
    for (key, p) in &new {
        let Some(before) = old.get(key) else {
            out.push(Change::PartAdded {
                part: key.clone(),
                prose: prose(p),
            });
            continue;
        };
        let (o, n) = (prose(before), prose(p));
        if !same_words(&o, &n) {
            let (words, whole) = words(&o, &n, budget);
            out.push(Change::Prose {
                part: key.clone(),
                words,
                whole,
            });
        }
    }
}

fn prose(p: &Part) -> String {
    p.prose
        .as_ref()
        .map(|m| m.0.to_markdown())
        .unwrap_or_default()
}

/// Every part under `parts`, depth first, by key: its id, else its parent's key (empty at the
/// top), `/`, its name and its rank among its siblings of that name. An explicit stack.
fn keyed(parts: &[Part]) -> IndexMap<String, &Part> {
    let mut out = IndexMap::new();
    let mut stack: Vec<(String, &Part)> = Vec::new();
    push_siblings(&mut stack, "", parts);
    while let Some((key, p)) = stack.pop() {
        push_siblings(&mut stack, &key, &p.parts);
        out.entry(key).or_insert(p);
    }
    out
}

fn push_siblings<'a>(stack: &mut Vec<(String, &'a Part)>, parent: &str, parts: &'a [Part]) {
    let mut rank: IndexMap<&str, usize> = IndexMap::new();
    let keys: Vec<String> = parts
        .iter()
        .map(|p| {
            let n = rank.entry(p.name.as_str()).or_default();
            *n += 1;
            match &p.id {
                Some(id) => id.clone(),
                None if parent.is_empty() => format!("{}[{n}]", p.name),
                None => format!("{parent}/{}[{n}]", p.name),
            }
        })
        .collect();
    for (key, p) in keys.into_iter().zip(parts).rev() {
        stack.push((key, p));
    }
}
