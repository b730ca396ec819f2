//! Stage: merge. In: the [`Selection`]s of one profile, in import order. Out: [`Merged`] content.
//! Applies combine (req-merge-order: first), then the structuring directive (flat, as-is,
//! custom). Parameters are modify's job.

use super::Cx;
use super::body::{Body, CNode, GNode, Origin};
use super::select::{Selection, control_tree, matched_ids};
use crate::diag::Diagnostic;
use crate::model::{CombineMethod, InsertControls, Merge, Order, Parameter, ProfileGroup};
use crate::options::{CombineMerge, FlatMode};
use indexmap::{IndexMap, IndexSet};

/// Merged content of one profile; modify edits it in place, finish builds the catalog from it.
#[derive(Debug, Clone, Default)]
pub struct Merged {
    /// The structured content.
    pub body: Body,
    /// Loose parameter candidates, in document order.
    pub loose: Vec<Parameter>,
}

/// Runs the merge.
pub fn run(merge: Option<&Merge>, selections: Vec<Selection>, cx: &mut Cx) -> Merged {
    let method = combine_method(merge, cx);
    let selections = combine(selections, method, cx);
    let mut loose = Vec::new();
    let mut bodies = Vec::new();
    for s in selections {
        loose.extend(s.loose);
        bodies.push(s.body);
    }
    let structure = structure_of(merge, cx);
    let body = match structure {
        Structure::AsIs => super::as_is::run(bodies),
        Structure::Flat => flat(bodies, cx.opts.flat, &mut loose),
        Structure::Custom => {
            let custom = merge.and_then(|m| m.custom.as_ref());
            let groups = custom.map(|c| c.groups.as_slice()).unwrap_or_default();
            let inserts = custom
                .map(|c| c.insert_controls.as_slice())
                .unwrap_or_default();
            custom_structure(bodies, groups, inserts, cx, &mut loose)
        }
    };
    Merged { body, loose }
}

enum Structure {
    Flat,
    AsIs,
    Custom,
}

fn structure_of(merge: Option<&Merge>, cx: &mut Cx) -> Structure {
    let Some(m) = merge else {
        return Structure::Flat; // req-structure-none
    };
    let given = [m.flat.is_some(), m.as_is == Some(true), m.custom.is_some()];
    if given.iter().filter(|&&g| g).count() > 1 {
        // req-stucture (sic): more than one structuring directive is an error.
        let d = Diagnostic::error(
            "req-stucture",
            "merge gives more than one of flat, as-is and custom",
        );
        cx.report(d, "/profile/merge");
    }
    if m.custom.is_some() {
        Structure::Custom
    } else if m.as_is == Some(true) {
        Structure::AsIs
    } else {
        if m.flat.is_none() {
            // req-structure-none: no structuring directive means flat.
            let d = Diagnostic::warning(
                "req-structure-none",
                "merge has no flat, as-is or custom: the output is flat",
            );
            cx.report(d, "/profile/merge");
        }
        Structure::Flat
    }
}

fn combine_method(merge: Option<&Merge>, cx: &mut Cx) -> CombineMethod {
    let method = merge
        .and_then(|m| m.combine.as_ref())
        .and_then(|c| c.method.as_ref());
    let at = "/profile/merge/combine/method";
    match method {
        // req-merge-none: no combine means keep.
        None | Some(CombineMethod::Keep) => CombineMethod::Keep,
        Some(CombineMethod::UseFirst) => CombineMethod::UseFirst,
        Some(CombineMethod::Merge) => {
            // req-merge-combine: deprecated and undefined. D6: use-first, unless
            // `CombineMerge` (`--combine-merge`) says keep or error.
            let mut d = Diagnostic::warning(
                "req-merge-combine",
                "combine method `merge` is deprecated and undefined",
            );
            match cx.opts.combine_merge {
                CombineMerge::UseFirst => {
                    cx.report(d.hint("treated as use-first"), at);
                    CombineMethod::UseFirst
                }
                CombineMerge::Keep => {
                    cx.report(d.hint("treated as keep"), at);
                    CombineMethod::Keep
                }
                CombineMerge::Error => {
                    d.severity = crate::diag::Severity::Error;
                    cx.report(d, at);
                    CombineMethod::Merge
                }
            }
        }
        Some(CombineMethod::Other(other)) => {
            let d = Diagnostic::error(
                "merge-combine-unknown",
                format!("unknown combine method `{other}`"),
            )
            .hint("use keep or use-first");
            cx.report(d, at);
            CombineMethod::Keep
        }
    }
}

/// Applies the combination rule across selections.
fn combine(mut selections: Vec<Selection>, method: CombineMethod, cx: &mut Cx) -> Vec<Selection> {
    match method {
        CombineMethod::UseFirst | CombineMethod::Merge => {
            // req-merge-use-first: the first by a top-down, depth-first walk of the imports wins.
            let mut seen = IndexSet::new();
            for s in &mut selections {
                drop_seen_controls(&mut s.body, &mut seen);
            }
        }
        // `combine_method` has reported an unknown method and falls back to keep.
        CombineMethod::Keep | CombineMethod::Other(_) => {
            // req-merge-keep: all copies stay; req-merge-keep-warning: say so.
            let mut count: IndexMap<String, usize> = IndexMap::new();
            for s in &selections {
                s.body.for_each_control(&mut |c: &CNode| {
                    *count.entry(c.control.id.clone()).or_default() += 1;
                });
            }
            for (id, n) in count.iter().filter(|(_, n)| **n > 1) {
                let d = Diagnostic::warning(
                    "req-merge-keep-warning",
                    format!(
                        "control `{id}` is included {n} times and kept each time (combine keep)"
                    ),
                )
                .hint("use <combine method=\"use-first\"/> to keep only the first");
                cx.report(d, "/profile/imports");
            }
        }
    }
    selections
}

fn drop_seen_controls(body: &mut Body, seen: &mut IndexSet<String>) {
    fn controls(list: &mut Vec<CNode>, seen: &mut IndexSet<String>) {
        let old = std::mem::take(list);
        for mut c in old {
            if seen.insert(c.control.id.clone()) {
                controls(&mut c.children, seen);
                list.push(c);
            } else {
                // The duplicate goes; its own selected children that are new stay in its place.
                let mut kids = std::mem::take(&mut c.children);
                controls(&mut kids, seen);
                list.extend(kids);
            }
        }
    }
    fn groups(list: &mut Vec<GNode>, seen: &mut IndexSet<String>) {
        for g in list.iter_mut() {
            controls(&mut g.controls, seen);
            groups(&mut g.groups, seen);
        }
        list.retain(GNode::has_controls);
    }
    controls(&mut body.controls, seen);
    groups(&mut body.groups, seen);
}

/// `flat` (req-merge-flat): groups dropped (their params become loose candidates); D2 decides
/// whether a control stays inside its included parent.
fn flat(bodies: Vec<Body>, mode: FlatMode, loose: &mut Vec<Parameter>) -> Body {
    let mut out = Body::default();
    fn push(c: CNode, mode: FlatMode, out: &mut Vec<CNode>) {
        // D2: a child stays inside its included parent, unless `FlatMode::Strict`
        // (`--flat strict`, req-merge-flat-list-1 read literally): depth first, document order.
        match mode {
            FlatMode::KeepNesting => out.push(c),
            FlatMode::Strict => {
                let mut c = c;
                let kids = std::mem::take(&mut c.children);
                out.push(c);
                kids.into_iter().for_each(|k| push(k, mode, out));
            }
        }
    }
    fn group(g: GNode, mode: FlatMode, out: &mut Vec<CNode>, loose: &mut Vec<Parameter>) {
        loose.extend(g.group.params);
        g.controls.into_iter().for_each(|c| push(c, mode, out));
        g.groups
            .into_iter()
            .for_each(|k| group(k, mode, out, loose));
    }
    for b in bodies {
        out.params.extend(b.params);
        b.controls
            .into_iter()
            .for_each(|c| push(c, mode, &mut out.controls));
        b.groups
            .into_iter()
            .for_each(|g| group(g, mode, &mut out.controls, loose));
    }
    out
}

/// `custom`: the profile's groups, filled by insert-controls from the merged controls.
fn custom_structure(
    bodies: Vec<Body>,
    groups: &[ProfileGroup],
    inserts: &[InsertControls],
    cx: &mut Cx,
    loose: &mut Vec<Parameter>,
) -> Body {
    let mut imported = IndexMap::new();
    bodies
        .iter()
        .flat_map(|b| &b.groups)
        .for_each(|g| imported_groups(g, &mut imported));
    // req-custom-select: with-child-controls in insert-controls works as in the import phase, so
    // the parent/child tree is taken before flattening (the flat pool has no children).
    let mut tree: IndexMap<String, Vec<String>> = IndexMap::new();
    for (id, kids) in bodies.iter().flat_map(control_tree) {
        tree.entry(id).or_default().extend(kids);
    }
    let pool_body = flat(bodies, FlatMode::Strict, loose);
    let mut pool: IndexMap<String, Vec<CNode>> = IndexMap::new();
    for c in pool_body.controls {
        pool.entry(c.control.id.clone()).or_default().push(c);
    }
    let mut custom = Custom {
        imported,
        pool,
        tree,
        placed: Placed {
            ids: IndexSet::new(),
            left: cx.opts.max_controls,
            refused: false,
        },
        doc: cx.profile_doc,
        n: 0,
    };
    let mut out = Body {
        params: pool_body.params,
        ..Body::default()
    };
    out.controls = custom.insert_all(inserts, cx, "/profile/merge/custom");
    for (i, g) in groups.iter().enumerate() {
        let ptr = format!("/profile/merge/custom/groups/{i}");
        out.groups.push(custom.group(g, cx, &ptr));
    }
    let Custom { pool, placed, .. } = custom;
    if placed.refused {
        // The unplaced warnings would only repeat what the limit cut short.
        return out;
    }
    for id in pool.keys().filter(|id| !placed.ids.contains(id.as_str())) {
        let d = Diagnostic::warning(
            "merge-custom-unplaced",
            format!("control `{id}` is selected but no insert-controls places it; it is dropped"),
        );
        cx.report(d, "/profile/merge/custom");
    }
    out
}

/// What the custom groups are built from, and what they have placed so far.
struct Custom {
    /// The first imported group of each id.
    imported: IndexMap<String, crate::model::Group>,
    /// The merged controls, flat, by id.
    pool: IndexMap<String, Vec<CNode>>,
    /// Control id → ids of its children, as imported.
    tree: IndexMap<String, Vec<String>>,
    placed: Placed,
    /// The profile's document, and the next group's number in it (the groups' origins).
    doc: u32,
    n: u32,
}

impl Custom {
    /// One custom group and its sub-groups, filled by their insert-controls.
    fn group(&mut self, g: &ProfileGroup, cx: &mut Cx, ptr: &str) -> GNode {
        let origin = Origin {
            doc: self.doc,
            index: self.n,
        };
        self.n += 1;
        // req-custom-group: the group with the exact same content, minus insert-controls.
        let mut group = crate::model::Group {
            id: g.id.clone(),
            class: g.class.clone(),
            title: g.title.clone(),
            params: g.params.clone(),
            props: g.props.clone(),
            links: g.links.clone(),
            parts: g.parts.clone(),
            groups: Vec::new(),
            controls: Vec::new(),
        };
        // req-custom-group-contents: a custom group with the id of an imported group gets that
        // group's params, props, links and parts too, in source order, after its own (the custom
        // group's title stays: a group has one). Objects the custom group already has are not doubled.
        if let Some(source) = g.id.as_ref().and_then(|id| self.imported.get(id)) {
            append_new(&mut group.params, &source.params);
            append_new(&mut group.props, &source.props);
            append_new(&mut group.links, &source.links);
            append_new(&mut group.parts, &source.parts);
        }
        let controls = self.insert_all(&g.insert_controls, cx, ptr);
        let groups = (g.groups.iter().enumerate())
            .map(|(i, k)| self.group(k, cx, &format!("{ptr}/groups/{i}")))
            .collect();
        GNode {
            origin,
            group,
            groups,
            controls,
        }
    }
}

/// The first imported group of each id, `g` and its sub-groups, without controls.
fn imported_groups(g: &GNode, out: &mut IndexMap<String, crate::model::Group>) {
    if let Some(id) = &g.group.id {
        out.entry(id.clone()).or_insert_with(|| g.group.clone());
    }
    g.groups.iter().for_each(|k| imported_groups(k, out));
}

/// Appends to `to` each item of `from` it does not already hold.
fn append_new<T: Clone + PartialEq>(to: &mut Vec<T>, from: &[T]) {
    for item in from {
        if !to.contains(item) {
            to.push(item.clone());
        }
    }
}

/// What custom insert-controls have placed so far, and how many more controls they may copy:
/// each insert copies what it selects, so many groups that each insert everything multiply the
/// content (`Options::max_controls`).
struct Placed {
    ids: IndexSet<String>,
    left: usize,
    refused: bool,
}

impl Placed {
    /// Takes `nodes` out of the budget, or reports (once) that they exceed it.
    fn take(&mut self, nodes: &[CNode], cx: &mut Cx, here: &str) -> bool {
        if self.refused {
            return false;
        }
        if let Some(left) = self.left.checked_sub(nodes.len()) {
            self.left = left;
            return true;
        }
        self.refused = true;
        let limit = cx.opts.max_controls;
        let d = Diagnostic::error(
            "resolve-limit",
            format!("custom groups would place more than the limit of {limit} controls"),
        )
        .hint("each insert-controls copies the controls it selects")
        .hint("if the content is real, raise the limit with --max-controls");
        cx.report(d, here);
        false
    }
}

impl Custom {
    /// The controls a list of insert-controls places, in order.
    fn insert_all(&mut self, inserts: &[InsertControls], cx: &mut Cx, ptr: &str) -> Vec<CNode> {
        let (pool, tree, placed) = (&self.pool, &self.tree, &mut self.placed);
        let mut out = Vec::new();
        for (i, ins) in inserts.iter().enumerate() {
            let here = format!("{ptr}/insert-controls/{i}");
            // An empty `matching` of the exclusions is located under include-controls too (so it
            // always was; the pointer is wrong and left for a change of its own).
            let at = format!("{here}/include-controls");
            let mut ids: Vec<String> = if ins.include_all.is_some() {
                pool.keys().cloned().collect()
            } else {
                matched_ids(&ins.include_controls, tree, cx, &at, false)
                    .into_iter()
                    .filter(|id| pool.contains_key(id.as_str()))
                    .collect()
            };
            let excluded = matched_ids(&ins.exclude_controls, tree, cx, &at, false);
            ids.retain(|id| !excluded.contains(id));
            match ins.order {
                // Code-point order, as the reference XSLT sorts.
                Some(Order::Ascending) => ids.sort(),
                Some(Order::Descending) => {
                    ids.sort();
                    ids.reverse();
                }
                // req-custom-select: `keep` inserts in order of appearance through the imports
                // (depth-first), which is the pool's order, not the order of the with-ids list.
                Some(Order::Keep) => ids.sort_by_key(|id| pool.get_index_of(id.as_str())),
                _ => {}
            }
            if ids.is_empty() {
                // req-custom-select-ignore, req-custom-select-warning.
                let d = Diagnostic::warning(
                    "req-custom-select-warning",
                    "insert-controls selects none of the merged controls",
                );
                cx.report(d, here.clone());
            }
            for id in ids {
                if let Some(nodes) = pool.get(&id) {
                    if !placed.take(nodes, cx, &here) {
                        return out;
                    }
                    placed.ids.insert(id.clone());
                    out.extend(nodes.iter().cloned());
                }
            }
        }
        out
    }
}
