//! Stage: select. In: one import and the resolved content of its source. Out: a [`Selection`]:
//! the source structure cut down to the included controls, plus loose parameter candidates.
//!
//! Leaves duplicates, structuring and modification to the later stages.

use super::Cx;
use super::body::{Body, CNode, GNode, Mark};
use crate::diag::{Diagnostic, Span};
use crate::model::{Import, Parameter, SelectControls};
use crate::options::ParentControls;
use indexmap::{IndexMap, IndexSet};

/// What one import contributes.
#[derive(Debug, Clone, Default)]
pub struct Selection {
    /// The selected structure (groups kept only where they hold a selected control).
    pub body: Body,
    /// Params that lost their control or group: candidates to float to catalog level
    /// (req-loose-param), kept later only if referenced.
    pub loose: Vec<Parameter>,
}

/// Ids selected by a set of `select-control-by-id` directives, over a source's controls.
pub(crate) fn matched_ids(
    sels: &[SelectControls],
    all: &IndexMap<String, Vec<String>>,
    cx: &mut Cx,
    at: &dyn Fn(usize, &str) -> Option<Span>,
    warn_unknown: bool,
) -> IndexSet<String> {
    let mut out = IndexSet::new();
    for (si, sel) in sels.iter().enumerate() {
        let children = sel.with_child_controls.as_deref() == Some("yes");
        let hit = |id: &str, out: &mut IndexSet<String>| {
            out.insert(id.to_owned());
            if children {
                descendants(id, all, out);
            }
        };
        for (wi, id) in sel.with_ids.iter().enumerate() {
            if all.contains_key(id.as_str()) {
                hit(id, &mut out);
            } else if warn_unknown {
                let mut d = Diagnostic::warning(
                    "select-unknown-id",
                    format!("with-id `{id}` names no control of the imported document"),
                );
                if let Some(s) = at(si, &format!("with-ids/{wi}")) {
                    d = d.at(s);
                }
                if let Some(near) = nearest(id, all.keys()) {
                    d = d.hint(format!("did you mean `{near}`?"));
                }
                cx.push(d);
            }
        }
        for (mi, m) in sel.matching.iter().enumerate() {
            match m.pattern.as_deref() {
                Some(p) if !p.is_empty() => {
                    for id in all.keys() {
                        if glob(p, id) {
                            hit(id, &mut out);
                        }
                    }
                }
                _ => {
                    // req-include-by-match-empty: matches nothing, and we say so.
                    let mut d = Diagnostic::warning(
                        "req-include-by-match-empty",
                        "a `matching` without a pattern matches nothing",
                    );
                    if let Some(s) = at(si, &format!("matching/{mi}")) {
                        d = d.at(s);
                    }
                    cx.push(d);
                }
            }
        }
    }
    out
}

fn descendants(id: &str, all: &IndexMap<String, Vec<String>>, out: &mut IndexSet<String>) {
    let mut stack: Vec<&str> = vec![id];
    while let Some(cur) = stack.pop() {
        if let Some(kids) = all.get(cur) {
            for k in kids {
                if out.insert(k.clone()) {
                    stack.push(k);
                }
            }
        }
    }
}

/// Control id → ids of its direct children, in document order.
pub(crate) fn control_tree(body: &Body) -> IndexMap<String, Vec<String>> {
    let mut all = IndexMap::new();
    body.for_each_control(&mut |c: &CNode| {
        all.entry(c.control.id.clone())
            .or_insert_with(Vec::new)
            .extend(c.children.iter().map(|k| k.control.id.clone()));
    });
    all
}

/// Runs the selection of one import over its source.
pub fn run(import: &Import, source: &Body, cx: &mut Cx, import_ptr: &str) -> Selection {
    let all = control_tree(source);
    let src = cx.profile_source;
    let at_inc = |si: usize, rest: &str| {
        src.map(|s| Span::pointer(s, format!("{import_ptr}/include-controls/{si}/{rest}")))
    };
    let at_exc = |si: usize, rest: &str| {
        src.map(|s| Span::pointer(s, format!("{import_ptr}/exclude-controls/{si}/{rest}")))
    };
    // req-include-all: every control; otherwise the union of the include directives
    // (req-redundant: selecting twice is selecting once).
    let included: IndexSet<String> = if import.include_all.is_some() {
        all.keys().cloned().collect()
    } else {
        matched_ids(&import.include_controls, &all, cx, &at_inc, true)
    };
    // req-exclude: exclusion wins, however specific the include was.
    let excluded = matched_ids(&import.exclude_controls, &all, cx, &at_exc, true);
    let parent_mode = parent_mode(import, cx);
    let keep = |id: &str| included.contains(id) && !excluded.contains(id);
    let mut loose = source.params.clone();
    let mut ctx = Cut {
        keep: &keep,
        excluded: &excluded,
        parent_mode,
        loose: &mut loose,
    };
    let mut body = Body::default();
    for c in &source.controls {
        body.controls.extend(ctx.control(c));
    }
    for g in &source.groups {
        if let Some(g) = ctx.group(g) {
            body.groups.push(g);
        }
    }
    // Net of exclusions (req-exclude): an import whose includes are all excluded selects nothing.
    if !included.iter().any(|id| keep(id)) {
        let mut d = Diagnostic::warning(
            "select-import-empty",
            format!("import `{}` selects no control", import.href),
        );
        if let Some(s) = src {
            d = d.at(Span::pointer(s, format!("{import_ptr}/href")));
        }
        cx.push(d);
    }
    Selection { body, loose }
}

/// D1: `with-parent-controls` (not in the released schema) is read and honoured, with a warning.
fn parent_mode(import: &Import, cx: &mut Cx) -> ParentControls {
    let flag = import
        .include_controls
        .iter()
        .find_map(|s| s.with_parent_controls.as_deref());
    match flag {
        Some(v) => {
            cx.push(Diagnostic::warning(
                "merge-with-parent-controls",
                format!("`with-parent-controls=\"{v}\"` is not in the OSCAL schema; honoured"),
            ));
            if v == "yes" {
                ParentControls::Include
            } else {
                ParentControls::Uplevel
            }
        }
        None => cx.opts.parent_controls,
    }
}

struct Cut<'a> {
    keep: &'a dyn Fn(&str) -> bool,
    excluded: &'a IndexSet<String>,
    parent_mode: ParentControls,
    loose: &'a mut Vec<Parameter>,
}

impl Cut<'_> {
    /// The node as selected: itself (with selected children), or the selected descendants that
    /// move up into its place, or nothing.
    fn control(&mut self, c: &CNode) -> Vec<CNode> {
        let kids: Vec<CNode> = c.children.iter().flat_map(|k| self.control(k)).collect();
        let id = c.control.id.as_str();
        if (self.keep)(id) {
            let mut n = shell(c);
            n.children = kids;
            return vec![n];
        }
        // D1: an unselected ancestor of a selected control comes along, unless it was excluded
        // (id-structure-as-is-list-1: then the children move up).
        if !kids.is_empty()
            && self.parent_mode == ParentControls::Include
            && !self.excluded.contains(id)
        {
            let mut n = shell(c);
            n.mark = Mark::Ancestor;
            n.children = kids;
            return vec![n];
        }
        // req-loose-param: the params of a control that is not selected float free.
        self.loose.extend(c.control.params.iter().cloned());
        kids
    }

    fn group(&mut self, g: &GNode) -> Option<GNode> {
        let controls: Vec<CNode> = g.controls.iter().flat_map(|c| self.control(c)).collect();
        let groups: Vec<GNode> = g.groups.iter().filter_map(|k| self.group(k)).collect();
        let keep_always = g.group.props.iter().any(|p| p.is_keep_always());
        if controls.is_empty() && groups.is_empty() && !keep_always {
            self.loose.extend(g.group.params.iter().cloned());
            return None;
        }
        Some(GNode {
            origin: g.origin,
            group: g.group.clone(),
            groups,
            controls,
        })
    }
}

fn shell(c: &CNode) -> CNode {
    CNode {
        origin: c.origin,
        control: c.control.clone(),
        children: Vec::new(),
        mark: Mark::Included,
    }
}

/// Anchored glob over an id: `*` any run, `?` one character; no backtracking blow-up
/// (classic two-pointer matching with one saved star).
pub fn glob(pattern: &str, text: &str) -> bool {
    let p: Vec<char> = pattern.chars().collect();
    let t: Vec<char> = text.chars().collect();
    let (mut pi, mut ti) = (0usize, 0usize);
    let mut star: Option<(usize, usize)> = None;
    while ti < t.len() {
        match p.get(pi) {
            Some('*') => {
                star = Some((pi, ti));
                pi += 1;
            }
            Some(&c) if c == '?' || Some(&c) == t.get(ti) => {
                pi += 1;
                ti += 1;
            }
            _ => match star {
                Some((sp, st)) => {
                    pi = sp + 1;
                    ti = st + 1;
                    star = Some((sp, st + 1));
                }
                None => return false,
            },
        }
    }
    p.get(pi..)
        .is_some_and(|rest| rest.iter().all(|&c| c == '*'))
}

/// The known id closest to `id` (edit distance ≤ 2), for "did you mean" hints.
pub fn nearest<'a>(id: &str, known: impl Iterator<Item = &'a String>) -> Option<&'a str> {
    known
        .map(|k| (edit_distance(id, k), k))
        .filter(|(d, _)| *d <= 2)
        .min_by_key(|(d, _)| *d)
        .map(|(_, k)| k.as_str())
}

fn edit_distance(a: &str, b: &str) -> usize {
    let a: Vec<char> = a.chars().collect();
    let b: Vec<char> = b.chars().collect();
    if a.len().abs_diff(b.len()) > 2 {
        return 3;
    }
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.iter().enumerate() {
        let mut cur = vec![i + 1; b.len() + 1];
        for (j, cb) in b.iter().enumerate() {
            let sub = prev.get(j).copied().unwrap_or(0) + usize::from(ca != cb);
            let del = prev.get(j + 1).copied().unwrap_or(0) + 1;
            let ins = cur.get(j).copied().unwrap_or(0) + 1;
            if let Some(slot) = cur.get_mut(j + 1) {
                *slot = sub.min(del).min(ins);
            }
        }
        prev = cur;
    }
    prev.last().copied().unwrap_or(0)
}

#[cfg(test)]
mod tests {
    use super::glob;

    #[test]
    fn glob_star_and_question_mark_are_anchored() {
        assert!(glob("ac-*", "ac-2.1"));
        assert!(!glob("ac-*", "xac-2"));
        assert!(glob("a?", "a1"));
        assert!(!glob("a?", "a12"));
        assert!(glob("*", ""));
        assert!(glob("*.1", "ac-2.1"));
        assert!(!glob("*.1", "ac-2.12"));
    }
}
