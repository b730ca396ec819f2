//! The working form of catalog content during resolution: groups and controls with their
//! [`Origin`], so that `as-is` can unify the same source node reached through different imports
//! or chains, and so that diagnostics can point back at the input.

use crate::model::{Catalog, Control, Group, Parameter};

/// Where a group or control came from: one node of one source catalog.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Origin {
    /// The source document (its index in the run's document table).
    pub doc: u32,
    /// The node's pre-order index in that document.
    pub index: u32,
}

/// How a control got into a selection.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mark {
    /// Selected by the import (or by a child-control rule).
    Included,
    /// Brought along as the ancestor of an included control (D1).
    Ancestor,
}

/// A control with its child controls split out.
#[derive(Debug, Clone, PartialEq)]
pub struct CNode {
    /// Origin.
    pub origin: Origin,
    /// The control without `controls`.
    pub control: Control,
    /// Child controls.
    pub children: Vec<CNode>,
    /// How it was selected.
    pub mark: Mark,
}

/// A group with its sub-groups and controls split out.
#[derive(Debug, Clone, PartialEq)]
pub struct GNode {
    /// Origin.
    pub origin: Origin,
    /// The group without `groups` and `controls`.
    pub group: Group,
    /// Sub-groups.
    pub groups: Vec<GNode>,
    /// Controls.
    pub controls: Vec<CNode>,
}

/// Catalog content: loose params, top-level controls, groups.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Body {
    /// Catalog-level params.
    pub params: Vec<Parameter>,
    /// Top-level controls.
    pub controls: Vec<CNode>,
    /// Top-level groups.
    pub groups: Vec<GNode>,
}

impl Body {
    /// Moves a catalog's content out into nodes, numbering them in pre-order for `doc`;
    /// `catalog` keeps its metadata and back-matter.
    pub fn take_from_catalog(catalog: &mut Catalog, doc: u32) -> Body {
        let mut n = 0u32;
        let controls = std::mem::take(&mut catalog.controls);
        let groups = std::mem::take(&mut catalog.groups);
        Body {
            params: std::mem::take(&mut catalog.params),
            controls: controls
                .into_iter()
                .map(|c| cnode_owned(c, doc, &mut n))
                .collect(),
            groups: groups
                .into_iter()
                .map(|g| gnode_owned(g, doc, &mut n))
                .collect(),
        }
    }

    /// Puts the nodes back together as catalog content: (params, controls, groups).
    pub fn into_parts(self) -> (Vec<Parameter>, Vec<Control>, Vec<Group>) {
        (
            self.params,
            self.controls.into_iter().map(CNode::into_control).collect(),
            self.groups.into_iter().map(GNode::into_group).collect(),
        )
    }

    /// Every control, pre-order.
    pub fn for_each_control<'a>(&'a self, f: &mut impl FnMut(&'a CNode)) {
        fn walk<'a>(c: &'a CNode, f: &mut impl FnMut(&'a CNode)) {
            f(c);
            c.children.iter().for_each(|k| walk(k, f));
        }
        fn walk_g<'a>(g: &'a GNode, f: &mut impl FnMut(&'a CNode)) {
            g.controls.iter().for_each(|c| walk(c, f));
            g.groups.iter().for_each(|k| walk_g(k, f));
        }
        self.controls.iter().for_each(|c| walk(c, f));
        self.groups.iter().for_each(|g| walk_g(g, f));
    }

    /// Every control, pre-order, to change.
    pub fn for_each_control_mut(&mut self, f: &mut impl FnMut(&mut CNode)) {
        fn walk(c: &mut CNode, f: &mut impl FnMut(&mut CNode)) {
            f(c);
            c.children.iter_mut().for_each(|k| walk(k, f));
        }
        fn walk_g(g: &mut GNode, f: &mut impl FnMut(&mut CNode)) {
            g.controls.iter_mut().for_each(|c| walk(c, f));
            g.groups.iter_mut().for_each(|k| walk_g(k, f));
        }
        self.controls.iter_mut().for_each(|c| walk(c, f));
        self.groups.iter_mut().for_each(|g| walk_g(g, f));
    }
}

fn cnode_owned(mut control: Control, doc: u32, n: &mut u32) -> CNode {
    let origin = Origin { doc, index: *n };
    *n += 1;
    let kids = std::mem::take(&mut control.controls);
    CNode {
        origin,
        control,
        children: kids.into_iter().map(|k| cnode_owned(k, doc, n)).collect(),
        mark: Mark::Included,
    }
}

fn gnode_owned(mut group: Group, doc: u32, n: &mut u32) -> GNode {
    let origin = Origin { doc, index: *n };
    *n += 1;
    let groups = std::mem::take(&mut group.groups);
    let controls = std::mem::take(&mut group.controls);
    GNode {
        origin,
        group,
        controls: controls
            .into_iter()
            .map(|c| cnode_owned(c, doc, n))
            .collect(),
        groups: groups.into_iter().map(|k| gnode_owned(k, doc, n)).collect(),
    }
}

impl CNode {
    /// The control with its children put back.
    pub fn into_control(self) -> Control {
        let mut c = self.control;
        c.controls = self.children.into_iter().map(CNode::into_control).collect();
        c
    }
}

impl GNode {
    /// The group with its children put back.
    pub fn into_group(self) -> Group {
        let mut g = self.group;
        g.controls = self.controls.into_iter().map(CNode::into_control).collect();
        g.groups = self.groups.into_iter().map(GNode::into_group).collect();
        g
    }

    /// Whether the group holds any control, at any depth.
    pub fn has_controls(&self) -> bool {
        !self.controls.is_empty() || self.groups.iter().any(GNode::has_controls)
    }
}
