//! How many controls each import of a graph selects. In: an [`ImportGraph`] already discovered.
//! Out: per document, per import, the number of controls the import's selection holds
//! (ancestors brought along by D1 included), `None` where it could not be worked out (a failed
//! import, or one whose document did not resolve).
//!
//! Runs the driver (`Session::drive`, children first, going on past a failed document), which
//! calls [`imports`] before each profile resolves: each import is planned over the resolved
//! content of what it imports, as the driver plans it, to read the count: the numbers are the
//! resolver's, not a second opinion. Used by
//! `present::graph`; bounded as resolution is (`Options::max_controls` is checked per profile).

use super::{Cx, Session, Table, select};
use crate::diag::Sink;
use crate::graph::ImportGraph;
use crate::model::Document;
use crate::options::Options;
use crate::source::SourceMap;
use crate::world::World;

/// The controls each import selects, by document and import position; diagnostics of the
/// resolution go to `sink`.
pub fn per_import(
    sources: &SourceMap,
    mut g: ImportGraph,
    world: &dyn World,
    opts: &Options,
    sink: &mut Sink,
) -> Vec<Vec<Option<usize>>> {
    let mut counts: Vec<Vec<Option<usize>>> = g
        .imports
        .iter()
        .map(|list| vec![None; list.len()])
        .collect();
    Session::drive(sources, &mut g, world, opts, sink, Some(&mut counts));
    counts
}

/// The count of each import of profile `idx`, over the resolved documents in `table`.
pub(super) fn imports(
    sources: &SourceMap,
    g: &ImportGraph,
    idx: usize,
    table: &Table,
    opts: &Options,
) -> Vec<Option<usize>> {
    let Some(Document::Profile(profile)) = g.docs.get(idx).map(|d| &d.doc) else {
        return Vec::new();
    };
    // The driver reports the same findings when it resolves the profile: these are dropped.
    let mut quiet = Sink::with_levels(opts.lints.clone());
    let mut cx = Cx {
        opts,
        sink: &mut quiet,
        graph: Some(g),
        profile_source: g.docs.get(idx).map(|d| d.source),
        profile_doc: u32::try_from(idx).unwrap_or(u32::MAX),
        sources: Some(sources),
    };
    let targets = g.imports.get(idx).map(Vec::as_slice).unwrap_or_default();
    (profile.imports.iter().zip(targets).enumerate())
        .map(|(i, (import, t))| {
            let body = &table.done.get((*t)?)?.as_ref()?.body;
            let at = format!("/profile/imports/{i}");
            Some(select::prepare(import, body, &mut cx, &at).count())
        })
        .collect()
}
