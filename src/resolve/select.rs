//! Stage: select. In: one import and the resolved content of its source. Out: a [`Selection`]:
//! the source structure cut down to the included controls, plus loose parameter candidates.
//!
//! Leaves duplicates, structuring and modification to the later stages.

use super::Cx;
use super::body::{Body, CNode, GNode, Mark};
use crate::diag::Diagnostic;
use crate::model::{Import, Parameter, SelectControls, YesNo};
use crate::options::ParentControls;
use indexmap::{IndexMap, IndexSet};
use std::borrow::Cow;

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
    at: &str,
    warn_unknown: bool,
) -> IndexSet<String> {
    let mut out = IndexSet::new();
    for (si, sel) in sels.iter().enumerate() {
        let children = sel.with_child_controls == Some(YesNo::Yes);
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
                if let Some(near) = crate::diag::nearest(id, all.keys()) {
                    d = d.hint(format!("did you mean `{near}`?"));
                }
                cx.report(d, format!("{at}/{si}/with-ids/{wi}"));
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
                    let d = Diagnostic::warning(
                        "req-include-by-match-empty",
                        "a `matching` without a pattern matches nothing",
                    );
                    cx.report(d, format!("{at}/{si}/matching/{mi}"));
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

/// One import's selection worked out over its source but not yet cut: how many controls it
/// holds is known before any is copied, so a run can refuse it first (`Options::max_controls`).
pub struct Prepared {
    plan: Plan,
    count: usize,
}

/// Plans the selection of `import` over `source` (its diagnostics go to `cx`) and counts it.
pub fn prepare(import: &Import, source: &Body, cx: &mut Cx, import_ptr: &str) -> Prepared {
    let all = control_tree(source);
    let plan = plan(import, &all, cx, import_ptr);
    let count = plan.count(source);
    Prepared { plan, count }
}

impl Prepared {
    /// The controls the selection will hold, ancestors brought along (D1) included.
    pub fn count(&self) -> usize {
        self.count
    }

    /// The selection. A borrowed `source` is left as it is, what the selection keeps copied; an
    /// owned one (a source nobody reads afterwards) gives up the kept nodes, and the rest is
    /// dropped as the cut goes, so the source and the selection are never both whole in memory.
    pub fn run(
        self,
        import: &Import,
        source: Cow<'_, Body>,
        cx: &mut Cx,
        import_ptr: &str,
    ) -> Selection {
        let (mut loose, controls, groups) = match source {
            Cow::Borrowed(b) => (
                b.params.clone(),
                Cow::Borrowed(&b.controls[..]),
                Cow::Borrowed(&b.groups[..]),
            ),
            Cow::Owned(b) => (b.params, Cow::Owned(b.controls), Cow::Owned(b.groups)),
        };
        let body = self.plan.cut(items(controls), items(groups), &mut loose);
        // Net of exclusions (req-exclude): an import whose includes are all excluded selects
        // nothing.
        if !self.plan.included.iter().any(|id| self.plan.keep(id)) {
            let d = Diagnostic::warning(
                "select-import-empty",
                format!("import `{}` selects no control", import.href),
            );
            cx.report(d, format!("{import_ptr}/href"));
        }
        Selection { body, loose }
    }
}

/// What an import selects, worked out before the source is cut.
struct Plan {
    included: IndexSet<String>,
    excluded: IndexSet<String>,
    parent_mode: ParentControls,
}

fn plan(
    import: &Import,
    all: &IndexMap<String, Vec<String>>,
    cx: &mut Cx,
    import_ptr: &str,
) -> Plan {
    let at_inc = format!("{import_ptr}/include-controls");
    let at_exc = format!("{import_ptr}/exclude-controls");
    // req-include-all: every control; otherwise the union of the include directives
    // (req-redundant: selecting twice is selecting once).
    let included: IndexSet<String> = if import.include_all.is_some() {
        all.keys().cloned().collect()
    } else {
        matched_ids(&import.include_controls, all, cx, &at_inc, true)
    };
    // req-exclude: exclusion wins, however specific the include was.
    let excluded = matched_ids(&import.exclude_controls, all, cx, &at_exc, true);
    let parent_mode = parent_mode(import, cx);
    Plan {
        included,
        excluded,
        parent_mode,
    }
}

impl Plan {
    fn keep(&self, id: &str) -> bool {
        self.included.contains(id) && !self.excluded.contains(id)
    }

    /// The nodes [`Plan::cut`] keeps, counted without copying any: the same decisions as
    /// [`Cut::control`].
    fn count(&self, source: &Body) -> usize {
        fn control(plan: &Plan, c: &CNode) -> usize {
            let kids: usize = c.children.iter().map(|k| control(plan, k)).sum();
            let id = c.control.id.as_str();
            let shell = plan.keep(id)
                || (kids > 0
                    && plan.parent_mode == ParentControls::Include
                    && !plan.excluded.contains(id));
            kids.saturating_add(usize::from(shell))
        }
        fn group(plan: &Plan, g: &GNode) -> usize {
            let own: usize = g.controls.iter().map(|c| control(plan, c)).sum();
            let below: usize = g.groups.iter().map(|k| group(plan, k)).sum();
            own.saturating_add(below)
        }
        let top: usize = source.controls.iter().map(|c| control(self, c)).sum();
        let grouped: usize = source.groups.iter().map(|g| group(self, g)).sum();
        top.saturating_add(grouped)
    }

    fn cut<'s>(
        &self,
        controls: impl Iterator<Item = Cow<'s, CNode>>,
        groups: impl Iterator<Item = Cow<'s, GNode>>,
        loose: &mut Vec<Parameter>,
    ) -> Body {
        let mut ctx = Cut { plan: self, loose };
        let mut body = Body::default();
        for c in controls {
            body.controls.extend(ctx.control(c));
        }
        for g in groups {
            if let Some(g) = ctx.group(g) {
                body.groups.push(g);
            }
        }
        body
    }
}

/// D1: `with-parent-controls` (not in the released schema) is read and honoured, with a warning.
fn parent_mode(import: &Import, cx: &mut Cx) -> ParentControls {
    let flag = import
        .include_controls
        .iter()
        .find_map(|s| s.with_parent_controls.as_ref());
    match flag {
        Some(v) => {
            let v = v.as_str();
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

/// The nodes of a list, each as the list is held: borrowed (what the cut keeps of them is copied)
/// or owned (it moves).
fn items<'s, T: Clone>(list: Cow<'s, [T]>) -> impl Iterator<Item = Cow<'s, T>> {
    let (borrowed, owned) = match list {
        Cow::Borrowed(list) => (list.iter(), Vec::new()),
        Cow::Owned(list) => (<&[T]>::default().iter(), list),
    };
    borrowed
        .map(Cow::Borrowed)
        .chain(owned.into_iter().map(Cow::Owned))
}

struct Cut<'a> {
    plan: &'a Plan,
    loose: &'a mut Vec<Parameter>,
}

impl Cut<'_> {
    /// The node as selected: itself (with selected children), or the selected descendants that
    /// move up into its place, or nothing.
    fn control(&mut self, c: Cow<'_, CNode>) -> Vec<CNode> {
        let (origin, control, kids) = match c {
            Cow::Borrowed(c) => (
                c.origin,
                Cow::Borrowed(&c.control),
                Cow::Borrowed(&c.children[..]),
            ),
            Cow::Owned(c) => (c.origin, Cow::Owned(c.control), Cow::Owned(c.children)),
        };
        let kids: Vec<CNode> = items(kids).flat_map(|k| self.control(k)).collect();
        let id = control.id.as_str();
        // D1: an unselected ancestor of a selected control comes along (`ParentControls::Uplevel`,
        // `--parent-controls uplevel`: never), unless it was excluded
        // (id-structure-as-is-list-1: then the children move up).
        let mark = if self.plan.keep(id) {
            Mark::Included
        } else if !kids.is_empty()
            && self.plan.parent_mode == ParentControls::Include
            && !self.plan.excluded.contains(id)
        {
            Mark::Ancestor
        } else {
            // req-loose-param: the params of a control that is not selected float free.
            match control {
                Cow::Borrowed(c) => self.loose.extend(c.params.iter().cloned()),
                Cow::Owned(c) => self.loose.extend(c.params),
            }
            return kids;
        };
        let control = control.into_owned();
        vec![CNode {
            origin,
            control,
            children: kids,
            mark,
        }]
    }

    fn group(&mut self, g: Cow<'_, GNode>) -> Option<GNode> {
        let (origin, group, controls, groups) = match g {
            Cow::Borrowed(g) => (
                g.origin,
                Cow::Borrowed(&g.group),
                Cow::Borrowed(&g.controls[..]),
                Cow::Borrowed(&g.groups[..]),
            ),
            Cow::Owned(g) => (
                g.origin,
                Cow::Owned(g.group),
                Cow::Owned(g.controls),
                Cow::Owned(g.groups),
            ),
        };
        let controls: Vec<CNode> = items(controls).flat_map(|c| self.control(c)).collect();
        let groups: Vec<GNode> = items(groups).filter_map(|k| self.group(k)).collect();
        let keep_always = group.props.iter().any(|p| p.is_keep_always());
        if controls.is_empty() && groups.is_empty() && !keep_always {
            match group {
                Cow::Borrowed(g) => self.loose.extend(g.params.iter().cloned()),
                Cow::Owned(g) => self.loose.extend(g.params),
            }
            return None;
        }
        Some(GNode {
            origin,
            group: group.into_owned(),
            groups,
            controls,
        })
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

#[cfg(test)]
mod tests {
    use super::{Body, Cow, Cx, prepare};
    use crate::diag::Sink;
    use crate::model::{Document, Import};
    use crate::options::Options;

    fn catalog_body(xml: &[u8]) -> Body {
        let uri = url::Url::parse("mem:///catalog.xml").expect("constant URL");
        let mut sources = crate::source::SourceMap::default();
        let mut loaded = crate::load::load(xml.to_vec(), &uri, &mut sources, &Options::default())
            .expect("test catalog loads");
        match &mut loaded.doc {
            Document::Catalog(c) => Body::take_from_catalog(c, 0),
            Document::Profile(_) => panic!("not a catalog"),
        }
    }

    /// Moving the kept nodes out of a source gives what copying them gives: the same
    /// structure, marks, origins, loose params and diagnostics.
    #[test]
    fn owned_selection_equals_borrowed_selection() {
        let sources: [&[u8]; 3] = [
            include_bytes!(
                "../../tests/fixtures/spec-tests/requirement-tests/catalogs/abc-crazy_catalog.xml"
            ),
            include_bytes!(
                "../../tests/fixtures/spec-tests/requirement-tests/catalogs/abc-full_catalog.xml"
            ),
            include_bytes!(
                "../../tests/fixtures/spec-tests/requirement-tests/catalogs/loose-parameters.xml"
            ),
        ];
        let imports = [
            r#"{"href": "c", "include-all": {}}"#,
            r#"{"href": "c", "include-all": {}, "exclude-controls": [{"matching": [{"pattern": "b*"}]}]}"#,
            r#"{"href": "c", "include-controls": [{"with-ids": ["a1", "c3"], "with-child-controls": "yes"}]}"#,
            r#"{"href": "c", "include-controls": [{"with-ids": ["a1.a", "b2"], "with-parent-controls": "yes"}]}"#,
            r#"{"href": "c", "include-controls": [{"matching": [{"pattern": "*.?"}]}], "exclude-controls": [{"with-ids": ["c1"]}]}"#,
            r#"{"href": "c", "include-controls": [{"with-ids": ["nothing"]}]}"#,
        ];
        let opts = Options::default();
        let (mut loose, mut ancestors, mut empty) = (0, 0, 0);
        for xml in sources {
            let body = catalog_body(xml);
            for text in imports {
                let import: Import = serde_json::from_str(text).expect("test import");
                let (mut a, mut b, mut c) = (Sink::new(), Sink::new(), Sink::new());
                let at = "/profile/imports/0";
                let mut cx = Cx::alone(&opts, &mut a);
                let copied = prepare(&import, &body, &mut cx, at).run(
                    &import,
                    Cow::Borrowed(&body),
                    &mut cx,
                    at,
                );
                // The count the control limit is checked on is what the cut builds.
                let counted = prepare(&import, &body, &mut Cx::alone(&opts, &mut c), at).count();
                let mut built = 0;
                copied.body.for_each_control(&mut |_| built += 1);
                assert_eq!(counted, built, "{text}");
                let mut cx = Cx::alone(&opts, &mut b);
                let moved = prepare(&import, &body, &mut cx, at).run(
                    &import,
                    Cow::Owned(body.clone()),
                    &mut cx,
                    at,
                );
                assert_eq!(copied.body, moved.body, "{text}");
                assert_eq!(copied.loose, moved.loose, "{text}");
                assert_eq!(a.diagnostics(), b.diagnostics(), "{text}");
                loose += usize::from(!moved.loose.is_empty());
                let mut marks = Vec::new();
                moved.body.for_each_control(&mut |c| marks.push(c.mark));
                ancestors += usize::from(marks.contains(&super::Mark::Ancestor));
                empty += usize::from(marks.is_empty());
            }
        }
        // The cases reach each path of the cut.
        assert!(
            loose > 0 && ancestors > 0 && empty > 0,
            "{loose} {ancestors} {empty}"
        );
    }
}
