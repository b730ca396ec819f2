//! Reference scanning on the typed model (req-prune-ref): the ids that kept content names, found
//! by the typed walk ([`crate::model::visit`]) without building the content's JSON form. Strings
//! are scanned with [`super::refs::scan_text`]; a `depends-on` value is taken whole.

use super::refs::scan_text;
use crate::model::visit::{self, Node, Walk};
use indexmap::IndexSet;

/// Collects every referenced id in `v` (markup in either form).
pub fn collect<T: Walk + ?Sized>(v: &T, out: &mut IndexSet<String>) {
    visit::walk(v, &mut |_, node| match node {
        // A param's deprecated depends-on names another param.
        Node::DependsOn(s) => {
            out.insert(s.to_owned());
        }
        Node::Text(s) => scan_text(s, out),
        Node::Markup(m) => scan_text(m.raw(), out),
        Node::Id(..) | Node::Uuid(_) | Node::Link(..) => {}
    });
}
