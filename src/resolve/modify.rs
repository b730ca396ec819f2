//! Stage: modify. In: the [`Merged`] content, moved in, and the profile's `modify`. Out: the
//! same content, parameters set and controls altered. Set-parameters run before alters
//! (D5); each directive is looked up through one index, never by scanning per directive. The
//! alters of one control run on its content in linked form (`linked`); [`alter`] applies one and
//! reports what it could not.
//!
//! The stage owns what it changes: merge hands its value over, which nobody reads again, so the
//! content is edited where it lies instead of being copied (a copy would double the peak memory
//! of the largest value of a resolution).

use super::Cx;
use super::body::{Body, CNode, GNode};
use super::linked::Work;
use super::merge::Merged;
use crate::diag::Diagnostic;
use crate::model::{Alter, Modify, Parameter, Property, SetParameter};
use crate::options::{ByIdSelf, SetParamProps};
use indexmap::IndexMap;

/// Applies the profile's modifications to the merged content (and its loose parameters).
pub fn run(modify: Option<&Modify>, mut merged: Merged, cx: &mut Cx) -> Merged {
    if let Some(m) = modify {
        apply(m, &mut merged.body, &mut merged.loose, cx);
    }
    merged
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
    let marks = set_by_places(m, cx);
    let mut done = vec![false; m.set_parameters.len()];
    for_each_param(body, loose, &mut |p| {
        apply_settings(p, &pending, &mut done, mode, false, &marks)
    });
    apply_alters(&m.alters, body, cx);
    // D5: a param introduced by an alter/add of this profile gets its setting right after.
    if done.iter().any(|d| !d) {
        for_each_param(body, loose, &mut |p| {
            apply_settings(p, &pending, &mut done, mode, true, &marks)
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

/// With provenance on, the place of each set-parameter that sets a value (values or select),
/// by index; else nothing.
fn set_by_places(m: &Modify, cx: &Cx) -> Vec<Option<String>> {
    if !cx.provenance() {
        return Vec::new();
    }
    let sets_value = |sp: &SetParameter| !sp.values.is_empty() || sp.select.is_some();
    let at = |i| cx.place(&format!("/profile/modify/set-parameters/{i}"));
    let places = m.set_parameters.iter().enumerate();
    places
        .map(|(i, sp)| sets_value(sp).then(|| at(i)))
        .collect()
}

/// Applies the settings for `p`'s id, marking them done; `only_new`: those not done before.
/// `marks`: the provenance place of each setting that sets a value (empty when off).
fn apply_settings(
    p: &mut Parameter,
    pending: &IndexMap<&str, Vec<(usize, &SetParameter)>>,
    done: &mut [bool],
    mode: SetParamProps,
    only_new: bool,
    marks: &[Option<String>],
) {
    for (i, sp) in pending.get(p.id.as_str()).into_iter().flatten() {
        if let Some(flag) = done.get_mut(*i)
            && !(only_new && *flag)
        {
            *flag = true;
            set_param(p, sp, mode);
            if let Some(Some(place)) = marks.get(*i) {
                // An outer profile's setting replaces an inner one's mark, as it did the value.
                super::provenance::set_by(p, place);
            }
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
    // D4: a prop replaces the one with its uuid (appended), or with `SetParamProps::ByName`
    // (`--set-param-props by-name`) the one of its name and ns (in place).
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
    body.for_each_control_mut(&mut |c| {
        if let Some(list) = by_control.get(c.control.id.as_str()) {
            for (i, _) in list {
                if let Some(flag) = seen.get_mut(*i) {
                    *flag = true;
                }
            }
            super::linked::apply(c, list, cx);
        }
    });
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

/// Applies one alter: its removes, then its adds, each in order (req-modify-alter-*).
pub(super) fn alter(c: &mut Work, a: &Alter, index: usize, cx: &mut Cx) {
    let here = format!("/profile/modify/alters/{index}");
    for (ri, r) in a.removes.iter().enumerate() {
        let hit = c.remove(r);
        if cx.provenance() {
            let place = cx.place(&format!("{here}/removes/{ri}"));
            c.note_removed(&place);
        }
        if !hit {
            let d = Diagnostic::warning(
                "modify-remove-no-match",
                format!("remove matches nothing in control `{}`", c.id()),
            );
            cx.report(d, format!("{here}/removes/{ri}"));
        }
    }
    for (ai, add) in a.adds.iter().enumerate() {
        let marked;
        let add = if cx.provenance() {
            marked = super::provenance::added(add, &cx.place(&format!("{here}/adds/{ai}")));
            &marked
        } else {
            add
        };
        let at = format!("{here}/adds/{ai}/by-id");
        match add.by_id.as_deref() {
            None => c.add_implicit(add),
            Some(id) if id == c.id() => {
                // D3 (P4): by-id naming the control itself; `ByIdSelf` (`--by-id-self`) decides.
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
