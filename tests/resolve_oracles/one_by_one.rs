//! The one-by-one alter, as `modify` applied every alter before the linked form took all of
//! them: each add searches the whole control and shifts the rest of its list. The oracle the
//! linked form is compared with (`linked.rs` here): the same content and the same warnings.
//!
//! D7 (adds at one place keep document order) is kept by tags: an item an add puts at a list's
//! start or after an anchor carries its place in a field the random content never uses
//! (`Tagged`), and the next add at that place goes after the last item still tagged with it.
//! [`untag`] clears the tags once all alters ran.

use crate::model::{Add, Alter, Control, Link, Parameter, Part, Position, Property, Remove};
use crate::options::ByIdSelf;
use crate::resolve::body::CNode;
use std::sync::atomic::{AtomicU32, Ordering};

/// The namespace of names that carry no `ns`.
const OSCAL_NS: &str = "http://csrc.nist.gov/ns/oscal";

/// Applies one alter: its removes, then its adds, each in order; the codes of the warnings
/// `modify::alter` gives for it, in order.
pub fn alter(c: &mut CNode, a: &Alter, by_id_self: ByIdSelf) -> Vec<&'static str> {
    let mut codes = Vec::new();
    for r in &a.removes {
        if !remove(&mut c.control, r) {
            codes.push("modify-remove-no-match");
        }
    }
    for add in &a.adds {
        match add.by_id.as_deref() {
            None => add_implicit(&mut c.control, add),
            Some(id) if id == c.control.id => {
                codes.push("req-modify-alter-add-explicit-id");
                if matches!(by_id_self, ByIdSelf::Implicit) {
                    add_implicit(&mut c.control, add);
                }
            }
            Some(id) => {
                if !add_explicit(c, id, add) {
                    codes.push("req-modify-alter-add-explicit-id-warning");
                }
            }
        }
    }
    codes
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Pos {
    Before,
    After,
    Starting,
    Ending,
}

fn position(add: &Add) -> Pos {
    match add.position {
        Some(Position::Before) => Pos::Before,
        Some(Position::After) => Pos::After,
        Some(Position::Starting) => Pos::Starting,
        _ => Pos::Ending,
    }
}

/// Serial numbers of tagged items (only their distinctness matters).
static SERIAL: AtomicU32 = AtomicU32::new(0);

/// An item that can carry a D7 tag `<serial>|<place>`: place `S` (put at its list's start by
/// an add), `A<serial>` (put after the anchor with that serial), or empty (only an anchor).
trait Tagged: Clone {
    fn slot(&mut self) -> &mut Option<String>;
    fn tag(&self) -> Option<&str>;
}

impl Tagged for Parameter {
    fn slot(&mut self) -> &mut Option<String> {
        &mut self.depends_on
    }
    fn tag(&self) -> Option<&str> {
        self.depends_on.as_deref()
    }
}

impl Tagged for Part {
    fn slot(&mut self) -> &mut Option<String> {
        &mut self.class
    }
    fn tag(&self) -> Option<&str> {
        self.class.as_deref()
    }
}

impl Tagged for Property {
    fn slot(&mut self) -> &mut Option<String> {
        &mut self.group
    }
    fn tag(&self) -> Option<&str> {
        self.group.as_deref()
    }
}

impl Tagged for Link {
    fn slot(&mut self) -> &mut Option<String> {
        &mut self.resource_fragment
    }
    fn tag(&self) -> Option<&str> {
        self.resource_fragment.as_deref()
    }
}

fn place_of<T: Tagged>(x: &T) -> Option<&str> {
    x.tag().and_then(|t| t.split_once('|')).map(|(_, p)| p)
}

fn tagged<T: Tagged>(x: &T, place: &str) -> T {
    let mut x = x.clone();
    let n = SERIAL.fetch_add(1, Ordering::Relaxed);
    *x.slot() = Some(format!("{n}|{place}"));
    x
}

/// Inserts `items` at `at`, each tagged with `place` when given.
fn insert<T: Tagged>(list: &mut Vec<T>, at: usize, items: &[T], place: Option<&str>) {
    let items = items.iter().map(|x| match place {
        Some(p) => tagged(x, p),
        None => x.clone(),
    });
    list.splice(at..at, items);
}

/// Inserts `items` at the start of `list`, after what earlier adds put there (D7), or at its end.
fn put<T: Tagged>(list: &mut Vec<T>, items: &[T], at_start: bool) {
    if at_start {
        let at = list
            .iter()
            .rposition(|x| place_of(x) == Some("S"))
            .map_or(0, |i| i + 1);
        insert(list, at, items, Some("S"));
    } else {
        list.extend(items.iter().cloned());
    }
}

/// Inserts `items` after `list[i]` and after what earlier adds put after it (D7).
fn put_after<T: Tagged>(list: &mut Vec<T>, i: usize, items: &[T]) {
    let Some(anchor) = list.get_mut(i) else {
        return;
    };
    let serial = match anchor.tag().and_then(|t| t.split_once('|')) {
        Some((n, _)) => n.to_owned(),
        None => {
            let n = SERIAL.fetch_add(1, Ordering::Relaxed).to_string();
            *anchor.slot() = Some(format!("{n}|"));
            n
        }
    };
    let place = format!("A{serial}");
    let at = list
        .iter()
        .rposition(|x| place_of(x) == Some(place.as_str()))
        .map_or(i + 1, |j| j + 1);
    insert(list, at, items, Some(&place));
}

/// Clears the D7 tags of a control and its child controls.
pub fn untag(c: &mut CNode) {
    fn parts(list: &mut [Part]) {
        for p in list {
            p.class = None;
            p.props.iter_mut().for_each(|x| x.group = None);
            p.links.iter_mut().for_each(|x| x.resource_fragment = None);
            parts(&mut p.parts);
        }
    }
    let k = &mut c.control;
    for p in &mut k.params {
        p.depends_on = None;
        p.props.iter_mut().for_each(|x| x.group = None);
        p.links.iter_mut().for_each(|x| x.resource_fragment = None);
    }
    k.props.iter_mut().for_each(|x| x.group = None);
    k.links.iter_mut().for_each(|x| x.resource_fragment = None);
    parts(&mut k.parts);
    c.children.iter_mut().for_each(untag);
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
            if pos == Pos::Before {
                insert(&mut c.params, i, &add.params, None);
            } else {
                put_after(&mut c.params, i, &add.params);
            }
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
    &'a mut Vec<Link>,
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
                if pos == Pos::Before {
                    insert(parts, i, &add.parts, None);
                } else {
                    put_after(parts, i, &add.parts);
                }
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

fn remove_props_links(props: &mut Vec<Property>, links: &mut Vec<Link>, r: &Remove) -> bool {
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
fn matches_remove(
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
