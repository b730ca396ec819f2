//! The resolution driver: graph, then per profile (children first) select → merge → modify →
//! finish; diagnostics are collected throughout and checked at the gates.

pub mod body;
pub mod finish;
pub mod merge;
pub mod modify;
pub mod refs;
pub mod select;

use crate::diag::{Diagnostic, Errors, Sink, SourceId, Warned};
use crate::graph::{self, ImportGraph};
use crate::model::{Catalog, Document, Metadata, Resource};
use crate::options::{Identity, Options};
use crate::source::SourceMap;
use crate::world::World;
use body::Body;
use time::format_description::well_known::Rfc3339;
use url::Url;

/// The per-profile context every stage gets: options, the diagnostics so far, and where the
/// profile's own text is (for spans).
pub struct Cx<'a> {
    /// Options of the run.
    pub opts: &'a Options,
    /// Diagnostics of this profile's resolution.
    pub diags: Vec<Diagnostic>,
    /// The source of the profile being resolved.
    pub profile_source: Option<SourceId>,
    /// The document index of the profile being resolved (origins of nodes it creates).
    pub profile_doc: u32,
}

impl Cx<'_> {
    /// Records a diagnostic.
    pub fn push(&mut self, d: Diagnostic) {
        self.diags.push(d);
    }
}

/// A resolved profile: the flattened catalog.
#[derive(Debug, Clone, PartialEq)]
pub struct ResolvedCatalog {
    /// The resolved-profile catalog.
    pub catalog: Catalog,
}

/// One resolution run: the sources it read, for rendering diagnostics.
#[derive(Debug, Default)]
pub struct Session {
    /// Every source text read.
    pub sources: SourceMap,
}

struct Done {
    body: Body,
    catalog: Catalog,
}

impl Session {
    /// A new session.
    pub fn new() -> Self {
        Session::default()
    }

    /// Resolves the profile at `uri`.
    pub fn resolve(
        &mut self,
        world: &dyn World,
        uri: &Url,
        opts: &Options,
    ) -> Warned<Result<ResolvedCatalog, Errors>> {
        let mut sink = Sink::new();
        let result = self.run(world, uri, opts, &mut sink);
        let (errors, warnings) = sink.split();
        let output = match result {
            Some(r) if errors.is_empty() => Ok(r),
            _ if errors.is_empty() => Err(vec![Diagnostic::error(
                "load-root",
                format!("{} did not resolve", crate::source::display_uri(uri)),
            )]),
            _ => Err(errors),
        };
        Warned { output, warnings }
    }

    fn run(
        &mut self,
        world: &dyn World,
        uri: &Url,
        opts: &Options,
        sink: &mut Sink,
    ) -> Option<ResolvedCatalog> {
        let g = graph::discover(world, uri, opts, &mut self.sources, sink)?;
        if sink.has_errors() {
            return None;
        }
        let root = g.docs.get(g.root)?;
        if let Document::Catalog(_) = root.doc {
            sink.push(Diagnostic::error(
                "load-root",
                format!(
                    "{} is a catalog, not a profile: there is nothing to resolve",
                    crate::source::display_uri(uri)
                ),
            ));
            return None;
        }
        let mut done: Vec<Option<Done>> = (0..g.docs.len()).map(|_| None).collect();
        for &idx in &g.order {
            let d = self.resolve_doc(&g, idx, &done, world, opts, sink)?;
            if let Some(slot) = done.get_mut(idx) {
                *slot = Some(d);
            }
        }
        if sink.has_errors() {
            return None;
        }
        let root = done.get_mut(g.root)?.take()?;
        Some(ResolvedCatalog {
            catalog: root.catalog,
        })
    }

    fn resolve_doc(
        &self,
        g: &ImportGraph,
        idx: usize,
        done: &[Option<Done>],
        world: &dyn World,
        opts: &Options,
        sink: &mut Sink,
    ) -> Option<Done> {
        let loaded = g.docs.get(idx)?;
        let doc_no = u32::try_from(idx).unwrap_or(u32::MAX);
        let profile = match &loaded.doc {
            Document::Catalog(c) => {
                return Some(Done {
                    body: Body::from_catalog(c, doc_no),
                    catalog: c.clone(),
                });
            }
            Document::Profile(p) => p,
        };
        let mut cx = Cx {
            opts,
            diags: Vec::new(),
            profile_source: Some(loaded.source),
            profile_doc: doc_no,
        };
        let targets = g.imports.get(idx)?;
        let mut selections = Vec::new();
        let mut resources: Vec<Resource> = Vec::new();
        let mut metas: Vec<&Metadata> = Vec::new();
        for (i, (import, &t)) in profile.imports.iter().zip(targets).enumerate() {
            let src = done.get(t)?.as_ref()?;
            selections.push(select::run(
                import,
                &src.body,
                &mut cx,
                &format!("/profile/imports/{i}"),
            ));
            resources.extend(
                src.catalog
                    .back_matter
                    .iter()
                    .flat_map(|b| b.resources.iter().cloned()),
            );
            metas.push(&src.catalog.metadata);
        }
        let merged = merge::run(profile.merge.as_ref(), selections, &mut cx);
        let mut body = merged.body;
        let mut loose = merged.loose;
        modify::run(profile.modify.as_ref(), &mut body, &mut loose, &mut cx);
        let now = world.now();
        let (uuid, last_modified) =
            identity(opts, now, &self.sources, &profile.metadata.last_modified);
        let source_profile = match (idx == g.root, &opts.source_profile_href) {
            (true, Some(h)) => h.clone(),
            _ => loaded.uri.to_string(),
        };
        let input = finish::FinishInput {
            profile,
            imported_resources: resources,
            imported_metadata: metas,
            uuid,
            last_modified,
            source_profile,
        };
        let (catalog, body) = finish::run(body, loose, input, &mut cx);
        for mut d in cx.diags {
            if idx != g.root {
                d.trace.push(crate::diag::Span::offset(loaded.source, 0));
            }
            sink.push(d);
        }
        Some(Done { body, catalog })
    }
}

/// req-meta-uuid and req-meta-last-modified, or their reproducible variants.
fn identity(
    opts: &Options,
    now: time::OffsetDateTime,
    sources: &SourceMap,
    profile_lm: &str,
) -> (String, String) {
    match &opts.identity {
        Identity::Fresh => (
            uuid::Uuid::new_v4().to_string(),
            now.format(&Rfc3339).unwrap_or_default(),
        ),
        Identity::Reproducible(at) => {
            let mut name = concat!("oscalc ", env!("CARGO_PKG_VERSION"))
                .as_bytes()
                .to_vec();
            name.extend(format!("{opts:?}").as_bytes());
            let mut i = 0;
            while let Some(s) = sources.get(SourceId(i)) {
                name.extend_from_slice(&s.bytes);
                i += 1;
            }
            let uuid = uuid::Uuid::new_v5(&uuid::Uuid::NAMESPACE_URL, &name).to_string();
            let lm = match at {
                Some(t) => t.format(&Rfc3339).unwrap_or_default(),
                None => profile_lm.to_owned(),
            };
            (uuid, lm)
        }
    }
}

/// Resolves the profile at `profile` (see the crate docs for the pipeline).
pub fn resolve(
    world: &dyn World,
    profile: &Url,
    opts: &Options,
) -> Warned<Result<ResolvedCatalog, Errors>> {
    Session::new().resolve(world, profile, opts)
}
