//! Stage: modify, the alters of one control. In: the control (with its child controls) and its
//! alters, in profile order. Out: the altered control, in time linear in its content and the
//! adds, however many adds name the same anchor.
//!
//! The content moves into doubly linked lists (one arena per kind of item) with an index from id
//! to the objects that carry it, so an add finds its anchor by one lookup and inserts next to it
//! without shifting the rest of a list. The alters run one after the other through
//! `modify::alter`, which reports what matched nothing. An add's anchor is the first object with
//! that id in search order (the control's params, its parts level by level, then each child
//! control and its content); only when two live objects share the id is that order walked (a
//! document with duplicate ids). `tests/resolve_oracles/one_by_one.rs` keeps the direct
//! algorithm, one search and one shift per add, as the oracle.
//!
//! D7: the adds of one profile's modify to one control (across all its alters naming it, in
//! document order) that put items at the same place keep their document order, whatever the
//! position, as NIST's reference XSLT does (the specification is silent): each add at a list's
//! start or after an anchor goes after what the earlier ones put there (`Place`). A later
//! profile of an import chain alters the already-resolved import in a fresh `Work`, so its own
//! `starting` content still comes before what earlier profiles added.

use super::Cx;
use super::body::CNode;
use super::modify;
use crate::model::{Add, Alter, Link, MarkupLine, Parameter, Part, Position, Property, Remove};
use indexmap::IndexMap;
use std::collections::HashMap;

/// No node: the end of a list.
const NIL: usize = usize::MAX;

/// The namespace of names that carry no `ns`.
const OSCAL_NS: &str = "http://csrc.nist.gov/ns/oscal";

/// Applies `alters` (with their indices in the profile) to `c` through the linked form.
pub(super) fn apply(c: &mut CNode, alters: &[(usize, &Alter)], cx: &mut Cx) {
    let mut w = Work {
        removed: cx.provenance().then(Vec::new),
        ..Work::default()
    };
    w.load_control(c, NIL);
    for (i, a) in alters {
        modify::alter(&mut w, a, *i, cx);
    }
    let mut n = 0;
    w.store_control(c, &mut n);
    c.control.props.append(&mut w.notes);
}

/// The first and last node of one list.
#[derive(Clone, Copy)]
struct Ends {
    head: usize,
    tail: usize,
}

impl Ends {
    /// An empty list.
    const NONE: Ends = Ends {
        head: NIL,
        tail: NIL,
    };
}

impl Default for Ends {
    fn default() -> Self {
        Ends::NONE
    }
}

struct Slot<T> {
    item: Option<T>,
    prev: usize,
    next: usize,
    /// Still in its list (a removed node keeps its item for the index).
    linked: bool,
}

/// Items of one kind, each in some doubly linked list.
struct Chain<T> {
    slots: Vec<Slot<T>>,
}

impl<T> Default for Chain<T> {
    fn default() -> Self {
        Chain { slots: Vec::new() }
    }
}

impl<T> Chain<T> {
    fn prev(&self, n: usize) -> usize {
        self.slots.get(n).map_or(NIL, |s| s.prev)
    }

    fn next(&self, n: usize) -> usize {
        self.slots.get(n).map_or(NIL, |s| s.next)
    }

    /// Links a new node holding `item` after `at` (at the head when `at` is `NIL`).
    fn insert_after(&mut self, ends: &mut Ends, at: usize, item: T) -> usize {
        let n = self.slots.len();
        let next = if at == NIL { ends.head } else { self.next(at) };
        self.slots.push(Slot {
            item: Some(item),
            prev: at,
            next,
            linked: true,
        });
        match self.slots.get_mut(at) {
            Some(s) => s.next = n,
            None => ends.head = n,
        }
        match self.slots.get_mut(next) {
            Some(s) => s.prev = n,
            None => ends.tail = n,
        }
        n
    }

    fn push_back(&mut self, ends: &mut Ends, item: T) -> usize {
        let tail = ends.tail;
        self.insert_after(ends, tail, item)
    }

    fn unlink(&mut self, ends: &mut Ends, n: usize) {
        if let Some(s) = self.slots.get_mut(n) {
            s.linked = false;
        }
        let (prev, next) = (self.prev(n), self.next(n));
        match self.slots.get_mut(prev) {
            Some(s) => s.next = next,
            None => ends.head = next,
        }
        match self.slots.get_mut(next) {
            Some(s) => s.prev = prev,
            None => ends.tail = prev,
        }
    }

    /// Empties a list.
    fn clear(&mut self, ends: &mut Ends) {
        for n in self.nodes(*ends) {
            if let Some(s) = self.slots.get_mut(n) {
                s.linked = false;
            }
        }
        *ends = Ends::NONE;
    }

    /// D7: the node after which the next add at a place goes: the last node that earlier adds
    /// put there and that is still in the list (`stack` holds them in the order put, so the
    /// last one still linked is also the last in the list), else `origin`.
    fn resume(&self, stack: Option<&mut Vec<usize>>, origin: usize) -> usize {
        let Some(stack) = stack else {
            return origin;
        };
        while let Some(&n) = stack.last() {
            if self.slots.get(n).is_some_and(|s| s.linked) {
                return n;
            }
            stack.pop();
        }
        origin
    }

    /// The nodes of a list, in order.
    fn nodes(&self, ends: Ends) -> Vec<usize> {
        let mut out = Vec::new();
        let mut n = ends.head;
        while n != NIL {
            out.push(n);
            n = self.next(n);
        }
        out
    }

    fn get(&self, n: usize) -> Option<&T> {
        self.slots.get(n).and_then(|s| s.item.as_ref())
    }

    fn take(&mut self, n: usize) -> Option<T> {
        self.slots.get_mut(n).and_then(|s| s.item.take())
    }

    /// Moves the items of a list out, in order, with their nodes. The lists of the content are
    /// rebuilt from these without spare capacity, as the loader leaves them (`model::compact`).
    fn take_all(&mut self, ends: Ends) -> Vec<(usize, T)> {
        let nodes = self.nodes(ends);
        let mut out = Vec::with_capacity(nodes.len());
        out.extend(
            nodes
                .into_iter()
                .filter_map(|n| self.take(n).map(|t| (n, t))),
        );
        out
    }

    /// The items of a list, taken out in order.
    fn take_items(&mut self, ends: Ends) -> Vec<T> {
        self.take_all(ends).into_iter().map(|(_, t)| t).collect()
    }

    /// Inserts `items` in order at the end of the list or, given the `stack` of what adds put
    /// at its start, after them (D7), pushing the new nodes on it.
    fn put(&mut self, ends: &mut Ends, items: &[T], stack: Option<&mut Vec<usize>>)
    where
        T: Clone,
    {
        let mut at = ends.tail;
        let mut stack = stack;
        if let Some(st) = stack.as_deref_mut() {
            at = self.resume(Some(st), NIL);
        }
        for x in items {
            at = self.insert_after(ends, at, x.clone());
            if let Some(st) = stack.as_deref_mut() {
                st.push(at);
            }
        }
    }
}

/// A control of the altered tree: its lists, and what an add may change.
#[derive(Default)]
struct Ctl {
    params: Ends,
    props: Ends,
    links: Ends,
    parts: Ends,
    title: Option<MarkupLine>,
    parent: usize,
    children: Vec<usize>,
}

/// A parameter's lists, where it sits, whether it is still in the content.
struct ParamAt {
    props: Ends,
    links: Ends,
    ctl: usize,
    live: bool,
}

/// Who holds a list of parts.
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
enum Holder {
    Ctl(usize),
    Part(usize),
}

/// A part's lists, where it sits, whether it is still in the content.
struct PartAt {
    props: Ends,
    links: Ends,
    parts: Ends,
    holder: Holder,
    ctl: usize,
    live: bool,
}

/// The props and links lists of the object `owner` names.
fn owner_lists<'a>(
    ctls: &'a mut [Ctl],
    param_at: &'a mut [ParamAt],
    part_at: &'a mut [PartAt],
    owner: Anchor,
) -> Option<(&'a mut Ends, &'a mut Ends)> {
    match owner {
        Anchor::Ctl(i) => ctls.get_mut(i).map(|c| (&mut c.props, &mut c.links)),
        Anchor::Param(n) => param_at.get_mut(n).map(|p| (&mut p.props, &mut p.links)),
        Anchor::Part(n) => part_at.get_mut(n).map(|p| (&mut p.props, &mut p.links)),
    }
}

/// An object an add can name by id.
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
enum Anchor {
    Param(usize),
    Part(usize),
    Ctl(usize),
}

/// D7: a place where adds put items in turn: the start of a list (for `starting`, and for the
/// kinds a `before` puts at its holder's start) or right after an anchor (`after`). Each add at
/// a place goes after what earlier adds of this modify put there, so the adds' contents keep
/// their document order, as `ending` and `before` keep it by construction.
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
enum Place {
    Params(usize),
    Props(Anchor),
    Links(Anchor),
    Parts(Holder),
    AfterParam(usize),
    AfterPart(usize),
}

/// One control being altered, in linked form; [`modify::alter`] drives it.
#[derive(Default)]
pub(super) struct Work {
    id: String,
    ctls: Vec<Ctl>,
    params: Chain<Parameter>,
    param_at: Vec<ParamAt>,
    parts: Chain<Part>,
    part_at: Vec<PartAt>,
    props: Chain<Property>,
    links: Chain<Link>,
    /// Every object that ever carried an id, in no particular order.
    ids: IndexMap<String, Vec<Anchor>>,
    /// D7: the nodes adds put at each place, in the order put.
    placed: HashMap<Place, Vec<usize>>,
    /// With provenance on: (id, name) of the parts the last remove took out.
    removed: Option<Vec<(Option<String>, String)>>,
    /// Provenance props for the altered control (`removed-by`), added when it is stored.
    notes: Vec<Property>,
}

impl Work {
    /// Moves a control's content (and its child controls') into the lists; pre-order numbers.
    fn load_control(&mut self, c: &mut CNode, parent: usize) -> usize {
        let i = self.ctls.len();
        self.ctls.push(Ctl {
            parent,
            ..Ctl::default()
        });
        if parent == NIL {
            self.id.clone_from(&c.control.id);
        } else {
            // The altered control itself is never searched: by-id naming it is the D3 case.
            self.index(&c.control.id, Anchor::Ctl(i));
        }
        let params = std::mem::take(&mut c.control.params);
        let mut at = NIL;
        for p in params {
            at = self.insert_param(i, at, p);
        }
        let (props, links) = self.load_props_links(&mut c.control.props, &mut c.control.links);
        if let Some(ctl) = self.ctls.get_mut(i) {
            ctl.props = props;
            ctl.links = links;
        }
        let mut at = NIL;
        for part in std::mem::take(&mut c.control.parts) {
            at = self.insert_part(Holder::Ctl(i), i, at, part);
        }
        for k in &mut c.children {
            let ki = self.load_control(k, i);
            if let Some(ctl) = self.ctls.get_mut(i) {
                ctl.children.push(ki);
            }
        }
        i
    }

    /// Puts the content back into the control tree, in the pre-order of [`Self::load_control`].
    fn store_control(&mut self, c: &mut CNode, n: &mut usize) {
        let i = *n;
        *n += 1;
        let Some(ctl) = self.ctls.get_mut(i) else {
            return;
        };
        if let Some(t) = ctl.title.take() {
            c.control.title = t;
        }
        let (params, props, links, parts) = (ctl.params, ctl.props, ctl.links, ctl.parts);
        let list = self.params.take_all(params);
        let mut out = Vec::with_capacity(list.len());
        for (n, p) in list {
            out.push(self.store_param(n, p));
        }
        c.control.params = out;
        c.control.props = self.props.take_items(props);
        c.control.links = self.links.take_items(links);
        c.control.parts = self.store_parts(parts);
        for k in &mut c.children {
            self.store_control(k, n);
        }
    }

    fn store_param(&mut self, n: usize, mut p: Parameter) -> Parameter {
        if let Some(at) = self.param_at.get(n) {
            let (props, links) = (at.props, at.links);
            p.props = self.props.take_items(props);
            p.links = self.links.take_items(links);
        }
        p
    }

    fn store_parts(&mut self, ends: Ends) -> Vec<Part> {
        let list = self.parts.take_all(ends);
        let mut out = Vec::with_capacity(list.len());
        for (n, mut p) in list {
            if let Some(at) = self.part_at.get(n) {
                let (props, links, parts) = (at.props, at.links, at.parts);
                p.props = self.props.take_items(props);
                p.links = self.links.take_items(links);
                p.parts = self.store_parts(parts);
            }
            out.push(p);
        }
        out
    }

    fn ctl(&self, i: usize) -> &Ctl {
        static NONE: Ctl = Ctl {
            params: Ends::NONE,
            props: Ends::NONE,
            links: Ends::NONE,
            parts: Ends::NONE,
            title: None,
            parent: NIL,
            children: Vec::new(),
        };
        self.ctls.get(i).unwrap_or(&NONE)
    }

    fn index(&mut self, id: &str, a: Anchor) {
        self.ids.entry(id.to_owned()).or_default().push(a);
    }

    /// Moves an object's props and links into lists of their own.
    fn load_props_links(
        &mut self,
        props: &mut Vec<Property>,
        links: &mut Vec<Link>,
    ) -> (Ends, Ends) {
        let (mut p, mut l) = (Ends::NONE, Ends::NONE);
        for x in std::mem::take(props) {
            self.props.push_back(&mut p, x);
        }
        for x in std::mem::take(links) {
            self.links.push_back(&mut l, x);
        }
        (p, l)
    }

    /// Links parameter `p` after node `at` of control `ci`'s params.
    fn insert_param(&mut self, ci: usize, at: usize, mut p: Parameter) -> usize {
        let (props, links) = self.load_props_links(&mut p.props, &mut p.links);
        let own = ParamAt {
            props,
            links,
            ctl: ci,
            live: true,
        };
        let id = p.id.clone();
        let mut ends = self.ctl(ci).params;
        let n = self.params.insert_after(&mut ends, at, p);
        if let Some(c) = self.ctls.get_mut(ci) {
            c.params = ends;
        }
        self.param_at.push(own);
        self.index(&id, Anchor::Param(n));
        n
    }

    fn parts_of(&self, h: Holder) -> Ends {
        match h {
            Holder::Ctl(i) => self.ctl(i).parts,
            Holder::Part(j) => self.part_at.get(j).map_or_else(Ends::default, |a| a.parts),
        }
    }

    fn set_parts_of(&mut self, h: Holder, ends: Ends) {
        match h {
            Holder::Ctl(i) => {
                if let Some(c) = self.ctls.get_mut(i) {
                    c.parts = ends;
                }
            }
            Holder::Part(j) => {
                if let Some(a) = self.part_at.get_mut(j) {
                    a.parts = ends;
                }
            }
        }
    }

    /// Links `part` (and, inside it, its own content) after node `at` of `h`'s parts.
    fn insert_part(&mut self, h: Holder, ci: usize, at: usize, mut part: Part) -> usize {
        let (props, links) = self.load_props_links(&mut part.props, &mut part.links);
        let own = PartAt {
            props,
            links,
            parts: Ends::NONE,
            holder: h,
            ctl: ci,
            live: true,
        };
        let inner = std::mem::take(&mut part.parts);
        let id = part.id.clone();
        let mut ends = self.parts_of(h);
        let n = self.parts.insert_after(&mut ends, at, part);
        self.set_parts_of(h, ends);
        self.part_at.push(own);
        if let Some(id) = id {
            self.index(&id, Anchor::Part(n));
        }
        let mut at = NIL;
        for p in inner {
            at = self.insert_part(Holder::Part(n), ci, at, p);
        }
        n
    }

    /// Links `items` one after the other from node `at` by `insert`, recording them at `place`,
    /// if given (D7).
    fn put_after<T: Clone>(
        &mut self,
        mut at: usize,
        items: &[T],
        place: Option<Place>,
        insert: impl Fn(&mut Self, usize, T) -> usize,
    ) {
        for x in items {
            at = insert(self, at, x.clone());
            if let Some(place) = place {
                self.placed.entry(place).or_default().push(at);
            }
        }
    }

    /// D7: at the start, `items` go after what earlier adds put at the start (document order).
    fn put_params(&mut self, ci: usize, items: &[Parameter], start: bool) {
        if items.is_empty() {
            return;
        }
        let place = Place::Params(ci);
        if start {
            let at = self.params.resume(self.placed.get_mut(&place), NIL);
            self.put_after(at, items, Some(place), |w, at, p| w.insert_param(ci, at, p));
        } else {
            let at = self.ctl(ci).params.tail;
            self.put_after(at, items, None, |w, at, p| w.insert_param(ci, at, p));
        }
    }

    /// D7: as [`Self::put_params`].
    fn put_parts(&mut self, h: Holder, ci: usize, items: &[Part], start: bool) {
        if items.is_empty() {
            return;
        }
        let place = Place::Parts(h);
        if start {
            let at = self.parts.resume(self.placed.get_mut(&place), NIL);
            self.put_after(at, items, Some(place), |w, at, p| {
                w.insert_part(h, ci, at, p)
            });
        } else {
            let at = self.parts_of(h).tail;
            self.put_after(at, items, None, |w, at, p| w.insert_part(h, ci, at, p));
        }
    }

    /// D7: as [`Self::put_params`].
    fn put_props_links(&mut self, owner: Anchor, add: &Add, start: bool) {
        let (props, links) = (&mut self.props, &mut self.links);
        let lists = owner_lists(&mut self.ctls, &mut self.param_at, &mut self.part_at, owner);
        let Some((pe, le)) = lists else { return };
        let placed = &mut self.placed;
        let stack = start.then(|| placed.entry(Place::Props(owner)).or_default());
        props.put(pe, &add.props, stack);
        let stack = start.then(|| placed.entry(Place::Links(owner)).or_default());
        links.put(le, &add.links, stack);
    }

    /// An add to the whole of control `ci`.
    fn implicit(&mut self, ci: usize, add: &Add, start: bool) {
        self.set_title(ci, add);
        self.put_params(ci, &add.params, start);
        self.put_props_links(Anchor::Ctl(ci), add, start);
        self.put_parts(Holder::Ctl(ci), ci, &add.parts, start);
    }

    fn live(&self, a: Anchor) -> bool {
        match a {
            Anchor::Param(n) => self.param_at.get(n).is_some_and(|p| p.live),
            Anchor::Part(n) => self.part_at.get(n).is_some_and(|p| p.live),
            Anchor::Ctl(_) => true,
        }
    }

    /// The object an add by-id `id` lands at: the only live one with that id, or else the first
    /// in search order.
    fn anchor(&self, id: &str) -> Option<Anchor> {
        let all = self.ids.get(id)?;
        let mut live = all.iter().copied().filter(|a| self.live(*a));
        let first = live.next()?;
        if live.next().is_none() {
            return Some(first);
        }
        self.search(0, id)
    }

    /// The search order: params, parts (each list before the parts inside it), then each child
    /// control, itself before its content.
    fn search(&self, ci: usize, id: &str) -> Option<Anchor> {
        let ctl = self.ctl(ci);
        for n in self.params.nodes(ctl.params) {
            if self.params.get(n).is_some_and(|p| p.id == id) {
                return Some(Anchor::Param(n));
            }
        }
        if let Some(a) = self.search_parts(ctl.parts, id) {
            return Some(a);
        }
        for &k in &ctl.children {
            if self
                .ids
                .get(id)
                .is_some_and(|l| l.contains(&Anchor::Ctl(k)))
            {
                return Some(Anchor::Ctl(k));
            }
            if let Some(a) = self.search(k, id) {
                return Some(a);
            }
        }
        None
    }

    fn search_parts(&self, ends: Ends, id: &str) -> Option<Anchor> {
        let nodes = self.parts.nodes(ends);
        for &n in &nodes {
            if self
                .parts
                .get(n)
                .is_some_and(|p| p.id.as_deref() == Some(id))
            {
                return Some(Anchor::Part(n));
            }
        }
        nodes.into_iter().find_map(|n| {
            let inner = self.part_at.get(n).map(|a| a.parts)?;
            self.search_parts(inner, id)
        })
    }

    fn remove_props_links(&mut self, owner: Anchor, r: &Remove) -> bool {
        let (props, links) = (&mut self.props, &mut self.links);
        let lists = owner_lists(&mut self.ctls, &mut self.param_at, &mut self.part_at, owner);
        let Some((pe, le)) = lists else { return false };
        let mut hit = false;
        for n in props.nodes(*pe) {
            let gone = props.get(n).is_some_and(|p| {
                matches_remove(
                    r,
                    "prop",
                    None,
                    Some(&p.name),
                    p.class.as_deref(),
                    p.ns.as_deref(),
                )
            });
            if gone {
                props.unlink(pe, n);
                hit = true;
            }
        }
        if le.head != NIL && matches_remove(r, "link", None, None, None, None) {
            links.clear(le);
            hit = true;
        }
        hit
    }

    fn remove_parts(&mut self, h: Holder, r: &Remove) -> bool {
        let mut ends = self.parts_of(h);
        let mut hit = false;
        let mut kept = Vec::new();
        for n in self.parts.nodes(ends) {
            let gone = self.parts.get(n).is_some_and(|p| {
                matches_remove(
                    r,
                    "part",
                    p.id.as_deref(),
                    Some(&p.name),
                    p.class.as_deref(),
                    p.ns.as_deref(),
                )
            });
            if gone {
                if let Some(log) = self.removed.as_mut()
                    && let Some(p) = self.parts.get(n)
                {
                    log.push((p.id.clone(), p.name.clone()));
                }
                self.parts.unlink(&mut ends, n);
                self.kill_part(n);
                hit = true;
            } else {
                kept.push(n);
            }
        }
        self.set_parts_of(h, ends);
        for n in kept {
            hit |= self.remove_props_links(Anchor::Part(n), r);
            hit |= self.remove_parts(Holder::Part(n), r);
        }
        hit
    }

    /// Marks a removed part, and the parts inside it, as no longer anchors.
    fn kill_part(&mut self, n: usize) {
        let Some(at) = self.part_at.get_mut(n) else {
            return;
        };
        at.live = false;
        let inner = at.parts;
        for k in self.parts.nodes(inner) {
            self.kill_part(k);
        }
    }
}

impl Work {
    /// Provenance: the parts the last remove took out were removed at `place`.
    pub(super) fn note_removed(&mut self, place: &str) {
        let Some(log) = self.removed.as_mut() else {
            return;
        };
        for (id, name) in log.drain(..) {
            let p = super::provenance::removed_by(id.as_deref(), &name, place);
            self.notes.push(p);
        }
    }

    /// The altered control's id.
    pub(super) fn id(&self) -> &str {
        &self.id
    }

    /// req-modify-alter-remove-*: removes every object inside the altered control (not inside
    /// its child controls) that meets all given criteria; whether anything was removed.
    pub(super) fn remove(&mut self, r: &Remove) -> bool {
        let mut hit = false;
        let mut ends = self.ctl(0).params;
        let mut kept = Vec::new();
        for n in self.params.nodes(ends) {
            let gone = self.params.get(n).is_some_and(|p| {
                matches_remove(r, "param", Some(&p.id), None, p.class.as_deref(), None)
            });
            if gone {
                self.params.unlink(&mut ends, n);
                if let Some(at) = self.param_at.get_mut(n) {
                    at.live = false;
                }
                hit = true;
            } else {
                kept.push(n);
            }
        }
        if let Some(c) = self.ctls.get_mut(0) {
            c.params = ends;
        }
        for n in kept {
            hit |= self.remove_props_links(Anchor::Param(n), r);
        }
        hit |= self.remove_props_links(Anchor::Ctl(0), r);
        hit |= self.remove_parts(Holder::Ctl(0), r);
        hit
    }

    /// req-modify-alter-add-implicit*: an add without by-id (or by-id naming the control
    /// itself, D3). Before/after act as starting/ending; each kind goes into its own collection,
    /// so canonical order holds; a title replaces the title (P16).
    pub(super) fn add_implicit(&mut self, add: &Add) {
        // D7: `starting`/`before` continue after what earlier adds put at the start.
        self.implicit(0, add, matches!(position(add), Pos::Starting | Pos::Before));
    }

    /// req-modify-alter-add-explicit*: into (starting/ending) or beside (before/after) the object
    /// with id `id`: a part at any depth, a param, or a child control
    /// (req-modify-alter-add-nested); kinds the anchor cannot hold go to the nearest holder that
    /// can, at the matching end. Whether there is such an object.
    pub(super) fn add_explicit(&mut self, id: &str, add: &Add) -> bool {
        let Some(anchor) = self.anchor(id) else {
            return false;
        };
        let pos = position(add);
        let start = matches!(pos, Pos::Starting | Pos::Before);
        match (anchor, pos) {
            (Anchor::Param(n), Pos::Starting | Pos::Ending) => {
                let ci = self.param_at.get(n).map_or(0, |a| a.ctl);
                self.put_props_links(Anchor::Param(n), add, start);
                self.put_parts(Holder::Ctl(ci), ci, &add.parts, start);
                self.put_params(ci, &add.params, start);
                self.set_title(ci, add);
            }
            (Anchor::Param(n), Pos::Before | Pos::After) => {
                let ci = self.param_at.get(n).map_or(0, |a| a.ctl);
                // D7: `before` lands right before the anchor, so after the earlier adds'
                // params; `after` goes after what earlier `after` adds put behind it.
                if pos == Pos::Before {
                    let at = self.params.prev(n);
                    self.put_after(at, &add.params, None, |w, at, p| w.insert_param(ci, at, p));
                } else {
                    let place = Place::AfterParam(n);
                    let at = self.params.resume(self.placed.get_mut(&place), n);
                    self.put_after(at, &add.params, Some(place), |w, at, p| {
                        w.insert_param(ci, at, p)
                    });
                }
                self.put_props_links(Anchor::Ctl(ci), add, start);
                self.put_parts(Holder::Ctl(ci), ci, &add.parts, start);
                self.set_title(ci, add);
            }
            (Anchor::Part(n), Pos::Starting | Pos::Ending) => {
                let ci = self.part_at.get(n).map_or(0, |a| a.ctl);
                if let (Some(t), Some(p)) = (
                    &add.title,
                    self.parts.slots.get_mut(n).and_then(|s| s.item.as_mut()),
                ) {
                    p.title = Some(t.clone());
                }
                self.put_props_links(Anchor::Part(n), add, start);
                self.put_parts(Holder::Part(n), ci, &add.parts, start);
                self.put_params(ci, &add.params, start);
            }
            (Anchor::Part(n), Pos::Before | Pos::After) => {
                let Some((h, ci)) = self.part_at.get(n).map(|a| (a.holder, a.ctl)) else {
                    return false;
                };
                // D7: as for a param anchor.
                if pos == Pos::Before {
                    let at = self.parts.prev(n);
                    self.put_after(at, &add.parts, None, |w, at, p| w.insert_part(h, ci, at, p));
                } else {
                    let place = Place::AfterPart(n);
                    let at = self.parts.resume(self.placed.get_mut(&place), n);
                    self.put_after(at, &add.parts, Some(place), |w, at, p| {
                        w.insert_part(h, ci, at, p)
                    });
                }
                let owner = match h {
                    Holder::Ctl(i) => Anchor::Ctl(i),
                    Holder::Part(j) => Anchor::Part(j),
                };
                self.put_props_links(owner, add, start);
                self.put_params(ci, &add.params, start);
            }
            (Anchor::Ctl(k), Pos::Starting | Pos::Ending) => self.implicit(k, add, start),
            // Beside a child control: its kinds go to the parent control's collections.
            (Anchor::Ctl(k), Pos::Before | Pos::After) => {
                let parent = self.ctl(k).parent;
                self.implicit(parent, add, start);
            }
        }
        true
    }

    fn set_title(&mut self, ci: usize, add: &Add) {
        if let (Some(t), Some(c)) = (&add.title, self.ctls.get_mut(ci)) {
            c.title = Some(t.clone());
        }
    }
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
    crit.iter().any(Option::is_some) && crit.iter().flatten().all(|&b| b)
}

// The tests and their oracle live under tests/ (they are no part of the library).
#[cfg(test)]
#[path = "../../tests/resolve_oracles/linked.rs"]
pub(super) mod tests;
