//! Stage: modify. In: the [`Merged`] content, moved in, and the profile's `modify`. Out:
//! [`Modified`] content, parameters set and controls altered. Set-parameters run before alters
//! (D5); each directive is looked up through one index, never by scanning per directive.
//!
//! The stage owns what it changes: merge hands its value over, which nobody reads again, so the
//! content is edited where it lies instead of being copied (a copy would double the peak memory
//! of the largest value of a resolution).

use super::Cx;
use super::body::{Body, CNode, GNode};
use super::merge::Merged;
use crate::diag::Diagnostic;
use crate::model::{
    Add, Alter, Control, Modify, Parameter, Part, Position, Property, Remove, SetParameter,
};
use crate::options::{ByIdSelf, SetParamProps};
use indexmap::IndexMap;

/// The namespace of names that carry no `ns`.
const OSCAL_NS: &str = "http://csrc.nist.gov/ns/oscal";

/// Modified content of one profile: what finish builds the catalog from.
#[derive(Debug, Clone, Default)]
pub struct Modified {
    /// The structured content.
    pub body: Body,
    /// Loose parameter candidates, in document order.
    pub loose: Vec<Parameter>,
}

/// Applies the profile's modifications to the merged content (and its loose parameters).
pub fn run(modify: Option<&Modify>, merged: Merged, cx: &mut Cx) -> Modified {
    let Merged {
        mut body,
        mut loose,
    } = merged;
    if let Some(m) = modify {
        apply(m, &mut body, &mut loose, cx);
    }
    Modified { body, loose }
}

fn apply(m: &Modify, body: &mut Body, loose: &mut [Parameter], cx: &mut Cx) {
    let mut pending: IndexMap<&str, Vec<(usize, &SetParameter)>> = IndexMap::new();
    for (i, sp) in m.set_parameters.iter().enumerate() {
        pending
            .entry(sp.param_id.as_str())
            .or_default()
            .push((i, sp));
    }
    for (id, list) in pending.iter().filter(|(_, l)| l.len() > 1) {
        // req-modify-param-multi: all are applied, in order; worth knowing.
        let d = Diagnostic::warning(
            "req-modify-param-multi",
            format!("{} set-parameters for `{id}`: applied in order", list.len()),
        );
        cx.report(d, format!("/profile/modify/set-parameters/{}", list[1].0));
    }
    let mode = cx.opts.set_param_props;
    let mut done = vec![false; m.set_parameters.len()];
    for_each_param(body, loose, &mut |p| {
        apply_settings(p, &pending, &mut done, mode)
    });
    apply_alters(&m.alters, body, cx);
    // D5: a param introduced by an alter/add of this profile gets its setting right after.
    if done.iter().any(|d| !d) {
        for_each_param(body, loose, &mut |p| {
            if let Some(list) = pending.get(p.id.as_str()) {
                for (i, sp) in list {
                    if !done[*i] {
                        done[*i] = true;
                        set_param(p, sp, mode);
                    }
                }
            }
        });
    }
    for (i, sp) in m.set_parameters.iter().enumerate() {
        if !done[i] {
            // req-modify-set-param-warning, req-modify-set-param-id-ignore: warn, go on.
            let d = Diagnostic::warning(
                "req-modify-set-param-warning",
                format!(
                    "set-parameter names `{}`, which is no parameter of the resolved controls",
                    sp.param_id
                ),
            );
            cx.report(d, format!("/profile/modify/set-parameters/{i}/param-id"));
        }
    }
}

fn apply_settings(
    p: &mut Parameter,
    pending: &IndexMap<&str, Vec<(usize, &SetParameter)>>,
    done: &mut [bool],
    mode: SetParamProps,
) {
    if let Some(list) = pending.get(p.id.as_str()) {
        for (i, sp) in list {
            if let Some(flag) = done.get_mut(*i) {
                *flag = true;
            }
            set_param(p, sp, mode);
        }
    }
}

/// Every parameter of the content: catalog level, loose candidates, groups, controls.
fn for_each_param(body: &mut Body, loose: &mut [Parameter], f: &mut impl FnMut(&mut Parameter)) {
    fn control(c: &mut CNode, f: &mut impl FnMut(&mut Parameter)) {
        c.control.params.iter_mut().for_each(&mut *f);
        c.children.iter_mut().for_each(|k| control(k, f));
    }
    fn group(g: &mut GNode, f: &mut impl FnMut(&mut Parameter)) {
        g.group.params.iter_mut().for_each(&mut *f);
        g.controls.iter_mut().for_each(|c| control(c, f));
        g.groups.iter_mut().for_each(|k| group(k, f));
    }
    body.params.iter_mut().for_each(&mut *f);
    loose.iter_mut().for_each(&mut *f);
    body.controls.iter_mut().for_each(|c| control(c, f));
    body.groups.iter_mut().for_each(|g| group(g, f));
}

/// req-modify-set-param-objects1/2/3, with D4 for what replaces and what appends.
fn set_param(p: &mut Parameter, sp: &SetParameter, mode: SetParamProps) {
    if sp.class.is_some() {
        p.class.clone_from(&sp.class);
    }
    if sp.depends_on.is_some() {
        p.depends_on.clone_from(&sp.depends_on);
    }
    if sp.label.is_some() {
        p.label.clone_from(&sp.label);
    }
    if sp.usage.is_some() {
        p.usage.clone_from(&sp.usage);
    }
    // values and select exclude each other: one replaces the other.
    if !sp.values.is_empty() {
        p.values.clone_from(&sp.values);
        p.select = None;
    } else if sp.select.is_some() {
        p.select.clone_from(&sp.select);
        p.values.clear();
    }
    for prop in &sp.props {
        let same = |x: &Property| match mode {
            SetParamProps::Append => prop.uuid.is_some() && x.uuid == prop.uuid,
            SetParamProps::ByName => x.name == prop.name && x.ns == prop.ns,
        };
        if mode == SetParamProps::Append {
            // req-modify-set-param-objects3: first remove the prop with the same uuid, then add
            // the new one, so it comes after the props already there.
            p.props.retain(|x| !same(x));
            p.props.push(prop.clone());
            continue;
        }
        match p.props.iter_mut().find(|x| same(x)) {
            Some(slot) => *slot = prop.clone(),
            None => p.props.push(prop.clone()),
        }
    }
    for link in &sp.links {
        if !p.links.contains(link) {
            p.links.push(link.clone());
        }
    }
    p.constraints.extend(sp.constraints.iter().cloned());
    p.guidelines.extend(sp.guidelines.iter().cloned());
}

fn apply_alters(alters: &[Alter], body: &mut Body, cx: &mut Cx) {
    let mut by_control: IndexMap<&str, Vec<(usize, &Alter)>> = IndexMap::new();
    for (i, a) in alters.iter().enumerate() {
        by_control
            .entry(a.control_id.as_str())
            .or_default()
            .push((i, a));
    }
    let mut seen = vec![false; alters.len()];
    let mut walk = |c: &mut CNode, cx: &mut Cx| {
        if let Some(list) = by_control.get(c.control.id.as_str()) {
            for (i, _) in list {
                if let Some(flag) = seen.get_mut(*i) {
                    *flag = true;
                }
            }
            alter_control(c, list, cx, LINKED_FROM);
        }
    };
    fn control(c: &mut CNode, cx: &mut Cx, f: &mut impl FnMut(&mut CNode, &mut Cx)) {
        f(c, cx);
        for k in &mut c.children {
            control(k, cx, f);
        }
    }
    fn group(g: &mut GNode, cx: &mut Cx, f: &mut impl FnMut(&mut CNode, &mut Cx)) {
        g.controls.iter_mut().for_each(|c| control(c, cx, f));
        g.groups.iter_mut().for_each(|k| group(k, cx, f));
    }
    body.controls
        .iter_mut()
        .for_each(|c| control(c, cx, &mut walk));
    body.groups.iter_mut().for_each(|g| group(g, cx, &mut walk));
    for (i, a) in alters.iter().enumerate() {
        if !seen[i] {
            let d = Diagnostic::warning(
                "modify-alter-unknown-control",
                format!(
                    "alter names control `{}`, which is not in the resolved catalog",
                    a.control_id
                ),
            );
            cx.report(d, format!("/profile/modify/alters/{i}/control-id"));
        }
    }
}

/// From this many adds on one control on, its alters run on linked lists ([`super::linked`]):
/// one by one, each add shifts the rest of its list and searches the whole control, which a
/// profile of thousands of adds turns into minutes. Below, the direct path is as fast.
const LINKED_FROM: usize = 32;

/// Applies the alters of one control (with their indices in the profile), in order.
fn alter_control(c: &mut CNode, list: &[(usize, &Alter)], cx: &mut Cx, linked_from: usize) {
    let adds: usize = list.iter().map(|(_, a)| a.adds.len()).sum();
    if adds >= linked_from {
        super::linked::apply(c, list, cx);
    } else {
        for (i, a) in list {
            alter(c, a, *i, cx);
        }
    }
}

/// What an alter does to one control, whatever form its content is held in.
pub(super) trait Altered {
    /// The altered control's id.
    fn id(&self) -> &str;
    /// Applies one remove; whether it removed anything.
    fn remove(&mut self, r: &Remove) -> bool;
    /// An add without by-id (or by-id naming the control itself).
    fn add_implicit(&mut self, add: &Add);
    /// An add at the object with id `id`; whether there is one.
    fn add_explicit(&mut self, id: &str, add: &Add) -> bool;
}

impl Altered for CNode {
    fn id(&self) -> &str {
        &self.control.id
    }
    fn remove(&mut self, r: &Remove) -> bool {
        remove(&mut self.control, r)
    }
    fn add_implicit(&mut self, add: &Add) {
        add_implicit(&mut self.control, add);
    }
    fn add_explicit(&mut self, id: &str, add: &Add) -> bool {
        add_explicit(self, id, add)
    }
}

/// Applies one alter: its removes, then its adds, each in order (req-modify-alter-*).
pub(super) fn alter(c: &mut impl Altered, a: &Alter, index: usize, cx: &mut Cx) {
    let here = format!("/profile/modify/alters/{index}");
    for (ri, r) in a.removes.iter().enumerate() {
        if !c.remove(r) {
            let d = Diagnostic::warning(
                "modify-remove-no-match",
                format!("remove matches nothing in control `{}`", c.id()),
            );
            cx.report(d, format!("{here}/removes/{ri}"));
        }
    }
    for (ai, add) in a.adds.iter().enumerate() {
        let at = format!("{here}/adds/{ai}/by-id");
        match add.by_id.as_deref() {
            None => c.add_implicit(add),
            Some(id) if id == c.id() => {
                // D3 (P4): by-id naming the control itself.
                let (msg, implicit) = match cx.opts.by_id_self {
                    ByIdSelf::Implicit => ("treated as an add to the whole control", true),
                    ByIdSelf::Ignore => ("ignored", false),
                };
                let d = Diagnostic::warning(
                    "req-modify-alter-add-explicit-id",
                    format!("add by-id `{id}` names the altered control itself: {msg}"),
                )
                .hint("leave out by-id to add to the control as a whole");
                cx.report(d, at);
                if implicit {
                    c.add_implicit(add);
                }
            }
            Some(id) => {
                if !c.add_explicit(id, add) {
                    // req-modify-alter-add-explicit-id-ignore / -warning.
                    let d = Diagnostic::warning(
                        "req-modify-alter-add-explicit-id-warning",
                        format!(
                            "add by-id `{id}` names nothing inside control `{}`; ignored",
                            c.id()
                        ),
                    );
                    cx.report(d, at);
                }
            }
        }
    }
}

#[derive(Clone, Copy, PartialEq, Eq)]
pub(super) enum Pos {
    Before,
    After,
    Starting,
    Ending,
}

pub(super) fn position(add: &Add) -> Pos {
    match add.position {
        Some(Position::Before) => Pos::Before,
        Some(Position::After) => Pos::After,
        Some(Position::Starting) => Pos::Starting,
        _ => Pos::Ending,
    }
}

/// Inserts `items` at the start or the end of `list`.
fn put<T: Clone>(list: &mut Vec<T>, items: &[T], at_start: bool) {
    if at_start {
        list.splice(0..0, items.iter().cloned());
    } else {
        list.extend(items.iter().cloned());
    }
}

/// req-modify-alter-add-implicit*: before/after act as starting/ending; each kind goes into its
/// own collection, so canonical order holds; a title replaces the title (P16).
fn add_implicit(c: &mut Control, add: &Add) {
    let start = matches!(position(add), Pos::Starting | Pos::Before);
    if let Some(t) = &add.title {
        c.title = t.clone();
    }
    put(&mut c.params, &add.params, start);
    put(&mut c.props, &add.props, start);
    put(&mut c.links, &add.links, start);
    put(&mut c.parts, &add.parts, start);
}

/// req-modify-alter-add-explicit*: into (starting/ending) or beside (before/after) the object
/// with that id: a part at any depth, a param, or a child control (req-modify-alter-add-nested).
fn add_explicit(c: &mut CNode, id: &str, add: &Add) -> bool {
    let pos = position(add);
    if let Some(i) = c.control.params.iter().position(|p| p.id == id) {
        add_at_param(&mut c.control, i, add, pos);
        return true;
    }
    if add_in_parts(
        &mut c.control.parts,
        id,
        add,
        pos,
        &mut ControlSide(
            &mut c.control.props,
            &mut c.control.links,
            &mut c.control.params,
        ),
    ) {
        return true;
    }
    for k in &mut c.children {
        if k.control.id == id {
            match pos {
                Pos::Starting | Pos::Ending => add_implicit(&mut k.control, add),
                // Beside a child control: its kinds go to the parent control's collections.
                Pos::Before | Pos::After => add_implicit(&mut c.control, &with_position(add, pos)),
            }
            return true;
        }
        if add_explicit(k, id, add) {
            return true;
        }
    }
    false
}

fn with_position(add: &Add, pos: Pos) -> Add {
    let mut a = add.clone();
    a.position = Some(if pos == Pos::Before {
        Position::Starting
    } else {
        Position::Ending
    });
    a
}

fn add_at_param(c: &mut Control, i: usize, add: &Add, pos: Pos) {
    match pos {
        Pos::Starting | Pos::Ending => {
            let start = pos == Pos::Starting;
            if let Some(p) = c.params.get_mut(i) {
                put(&mut p.props, &add.props, start);
                put(&mut p.links, &add.links, start);
            }
            // Kinds a param cannot hold go to the control, at the matching end.
            put(&mut c.parts, &add.parts, start);
            put(&mut c.params, &add.params, start);
        }
        Pos::Before | Pos::After => {
            let at = if pos == Pos::Before { i } else { i + 1 };
            c.params.splice(at..at, add.params.iter().cloned());
            let start = pos == Pos::Before;
            put(&mut c.props, &add.props, start);
            put(&mut c.links, &add.links, start);
            put(&mut c.parts, &add.parts, start);
        }
    }
    if let Some(t) = &add.title {
        c.title = t.clone();
    }
}

/// The collections of the object that holds a list of parts (a control or a part), for kinds
/// added beside a part.
struct ControlSide<'a>(
    &'a mut Vec<Property>,
    &'a mut Vec<crate::model::Link>,
    &'a mut Vec<Parameter>,
);

fn add_in_parts(
    parts: &mut Vec<Part>,
    id: &str,
    add: &Add,
    pos: Pos,
    side: &mut ControlSide,
) -> bool {
    if let Some(i) = parts.iter().position(|p| p.id.as_deref() == Some(id)) {
        match pos {
            Pos::Starting | Pos::Ending => {
                let start = pos == Pos::Starting;
                if let Some(p) = parts.get_mut(i) {
                    if let Some(t) = &add.title {
                        p.title = Some(t.clone());
                    }
                    put(&mut p.props, &add.props, start);
                    put(&mut p.links, &add.links, start);
                    put(&mut p.parts, &add.parts, start);
                }
                put(side.2, &add.params, start);
            }
            Pos::Before | Pos::After => {
                let at = if pos == Pos::Before { i } else { i + 1 };
                parts.splice(at..at, add.parts.iter().cloned());
                let start = pos == Pos::Before;
                put(side.0, &add.props, start);
                put(side.1, &add.links, start);
                put(side.2, &add.params, start);
            }
        }
        return true;
    }
    for p in parts.iter_mut() {
        let mut nested = ControlSide(&mut p.props, &mut p.links, side.2);
        if add_in_parts(&mut p.parts, id, add, pos, &mut nested) {
            return true;
        }
    }
    false
}

/// req-modify-alter-remove-*: removes every object inside the control that meets all given
/// criteria; returns whether anything was removed.
fn remove(c: &mut Control, r: &Remove) -> bool {
    let mut hit = false;
    let before = c.params.len();
    c.params
        .retain(|p| !matches_remove(r, "param", Some(&p.id), None, p.class.as_deref(), None));
    hit |= c.params.len() != before;
    for p in &mut c.params {
        hit |= remove_props_links(&mut p.props, &mut p.links, r);
    }
    hit |= remove_props_links(&mut c.props, &mut c.links, r);
    hit |= remove_parts(&mut c.parts, r);
    hit
}

fn remove_props_links(
    props: &mut Vec<Property>,
    links: &mut Vec<crate::model::Link>,
    r: &Remove,
) -> bool {
    let (np, nl) = (props.len(), links.len());
    props.retain(|p| {
        !matches_remove(
            r,
            "prop",
            None,
            Some(&p.name),
            p.class.as_deref(),
            p.ns.as_deref(),
        )
    });
    links.retain(|_| !matches_remove(r, "link", None, None, None, None));
    np != props.len() || nl != links.len()
}

fn remove_parts(parts: &mut Vec<Part>, r: &Remove) -> bool {
    let n = parts.len();
    parts.retain(|p| {
        !matches_remove(
            r,
            "part",
            p.id.as_deref(),
            Some(&p.name),
            p.class.as_deref(),
            p.ns.as_deref(),
        )
    });
    let mut hit = n != parts.len();
    for p in parts.iter_mut() {
        hit |= remove_props_links(&mut p.props, &mut p.links, r);
        hit |= remove_parts(&mut p.parts, r);
    }
    hit
}

/// All criteria given must hold (req-modify-alter-remove-match); a remove with no criterion
/// matches nothing.
pub(super) fn matches_remove(
    r: &Remove,
    item: &str,
    id: Option<&str>,
    name: Option<&str>,
    class: Option<&str>,
    ns: Option<&str>,
) -> bool {
    let crit = [
        r.by_id.as_deref().map(|v| id == Some(v)),
        r.by_name.as_deref().map(|v| name == Some(v)),
        r.by_class.as_deref().map(|v| class == Some(v)),
        // req-modify-alter-remove-ns-ref: no ns means the OSCAL namespace.
        r.by_ns.as_deref().map(|v| ns.unwrap_or(OSCAL_NS) == v),
        // req-modify-alter-remove-item-name-array: the singular name.
        r.by_item_name.as_deref().map(|v| v == item),
    ];
    let given: Vec<bool> = crit.into_iter().flatten().collect();
    !given.is_empty() && given.iter().all(|&b| b)
}
