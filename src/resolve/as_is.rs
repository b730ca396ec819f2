//! Stage: merge, `as-is` structure (req-merge-as-is). In: the combined bodies of one profile, in
//! import order. Out: one body in the source structure, the same source node reached through
//! several imports unified. Combine and the other structures stay in `merge`.
//!
//! Every list of the output is built with its entries indexed by origin, so unifying a node is
//! one lookup, whatever the number of controls and of `combine keep` copies.

use super::body::{Body, CNode, GNode, Mark, Origin};
use indexmap::{IndexMap, IndexSet};
use std::collections::VecDeque;

/// `as-is`: children in source order, trees of different sources in import order.
pub(super) fn run(bodies: Vec<Body>) -> Body {
    let mut doc_rank: IndexSet<u32> = IndexSet::new();
    let mut params = Vec::new();
    let mut controls = CList::default();
    let mut groups = GList::default();
    for b in bodies {
        params.extend(b.params);
        for c in b.controls {
            doc_rank.insert(c.origin.doc);
            controls.merge(c);
        }
        for g in b.groups {
            doc_rank.insert(g.origin.doc);
            groups.merge(g);
        }
    }
    let mut out = Body {
        params,
        controls: controls.into_nodes(),
        groups: groups.into_nodes(),
    };
    sort_body(&mut out, &doc_rank);
    out
}

/// Where the entries of one origin sit in a list.
struct Seats {
    /// The first entry of that origin.
    first: usize,
    /// The entries of that origin still marked `Ancestor`, in list order.
    ancestors: VecDeque<usize>,
}

/// A list of controls under construction.
#[derive(Default)]
struct CList {
    items: Vec<CSlot>,
    by_origin: IndexMap<Origin, Seats>,
}

/// A control of a [`CList`], its children in their own list.
struct CSlot {
    node: CNode,
    kids: CList,
}

impl CList {
    /// Unifies `c` with the first entry of its origin, or appends it.
    fn merge(&mut self, mut c: CNode) {
        // req-merge-keep: a control that two imports both include survived combine as two
        // copies (keep); unifying them here would merge them after all. Only ancestors brought
        // along (D1) unify with a copy of the same source control. Marks only ever turn from
        // ancestor to included, so the first ancestor entry is the front of its queue.
        let included = c.mark == Mark::Included;
        let found = match self.by_origin.get_mut(&c.origin) {
            Some(seats) if included => seats.ancestors.pop_front(),
            Some(seats) => Some(seats.first),
            None => None,
        };
        let Some(slot) = found.and_then(|i| self.items.get_mut(i)) else {
            self.push(c);
            return;
        };
        for k in std::mem::take(&mut c.children) {
            slot.kids.merge(k);
        }
        if included {
            slot.node.mark = Mark::Included;
        }
    }

    /// Appends `c` with its children as they are (they unify only with later arrivals).
    fn push(&mut self, mut c: CNode) {
        let at = self.items.len();
        let seats = self.by_origin.entry(c.origin).or_insert(Seats {
            first: at,
            ancestors: VecDeque::new(),
        });
        if c.mark == Mark::Ancestor {
            seats.ancestors.push_back(at);
        }
        let mut kids = CList::default();
        for k in std::mem::take(&mut c.children) {
            kids.push(k);
        }
        self.items.push(CSlot { node: c, kids });
    }

    fn into_nodes(self) -> Vec<CNode> {
        self.items
            .into_iter()
            .map(|s| {
                let mut node = s.node;
                node.children = s.kids.into_nodes();
                node
            })
            .collect()
    }
}

/// A list of groups under construction.
#[derive(Default)]
struct GList {
    items: Vec<GSlot>,
    by_origin: IndexMap<Origin, usize>,
}

/// A group of a [`GList`], its controls and sub-groups in their own lists.
struct GSlot {
    node: GNode,
    controls: CList,
    groups: GList,
}

impl GList {
    /// Unifies `g` with the first group of its origin, or appends it.
    fn merge(&mut self, mut g: GNode) {
        let found = self.by_origin.get(&g.origin).copied();
        let Some(slot) = found.and_then(|i| self.items.get_mut(i)) else {
            self.push(g);
            return;
        };
        for c in std::mem::take(&mut g.controls) {
            slot.controls.merge(c);
        }
        for k in std::mem::take(&mut g.groups) {
            slot.groups.merge(k);
        }
    }

    /// Appends `g` with its content as it is.
    fn push(&mut self, mut g: GNode) {
        self.by_origin.entry(g.origin).or_insert(self.items.len());
        let mut controls = CList::default();
        for c in std::mem::take(&mut g.controls) {
            controls.push(c);
        }
        let mut groups = GList::default();
        for k in std::mem::take(&mut g.groups) {
            groups.push(k);
        }
        self.items.push(GSlot {
            node: g,
            controls,
            groups,
        });
    }

    fn into_nodes(self) -> Vec<GNode> {
        self.items
            .into_iter()
            .map(|s| {
                let mut node = s.node;
                node.controls = s.controls.into_nodes();
                node.groups = s.groups.into_nodes();
                node
            })
            .collect()
    }
}

fn rank(o: Origin, doc_rank: &IndexSet<u32>) -> (usize, u32) {
    (doc_rank.get_index_of(&o.doc).unwrap_or(usize::MAX), o.index)
}

fn sort_body(b: &mut Body, doc_rank: &IndexSet<u32>) {
    fn controls(list: &mut [CNode], r: &IndexSet<u32>) {
        list.sort_by_key(|c| rank(c.origin, r));
        list.iter_mut().for_each(|c| controls(&mut c.children, r));
    }
    fn groups(list: &mut [GNode], r: &IndexSet<u32>) {
        list.sort_by_key(|g| rank(g.origin, r));
        for g in list.iter_mut() {
            controls(&mut g.controls, r);
            groups(&mut g.groups, r);
        }
    }
    controls(&mut b.controls, doc_rank);
    groups(&mut b.groups, doc_rank);
}

// The tests and their oracle live under tests/ (they are no part of the library).
#[cfg(test)]
#[path = "../../tests/resolve_oracles/as_is.rs"]
mod tests;
