//! The resolution driver: graph, then per profile (children first) select → merge → modify →
//! finish; diagnostics are collected throughout and checked at the gates.

pub mod as_is;
pub mod body;
pub mod count;
pub mod finish;
pub mod linked;
pub mod merge;
pub mod modify;
pub mod provenance;
pub mod refs;
pub mod refscan;
pub mod select;

use crate::diag::{Diagnostic, Errors, Sink, SourceId, Span, Warned};
use crate::graph::{self, ImportGraph};
use crate::model::{Catalog, Document, Metadata, Resource};
use crate::options::{Identity, Options, Provenance};
use crate::source::{SourceMap, display_uri};
use crate::world::World;
use body::Body;
use std::borrow::Cow;
use time::format_description::well_known::Rfc3339;
use url::Url;

/// The per-profile context every stage gets: options, the run's sink, and where the profile's own
/// text is (for spans).
pub struct Cx<'a> {
    /// Options of the run.
    pub opts: &'a Options,
    /// Where diagnostics go.
    sink: &'a mut Sink,
    /// The graph the profile is in: a diagnostic names the imports that led to the document it
    /// points into. `None` for a stage tested alone.
    graph: Option<&'a ImportGraph>,
    /// The source of the profile being resolved.
    profile_source: Option<SourceId>,
    /// The document index of the profile being resolved (origins of nodes it creates).
    pub profile_doc: u32,
    /// The run's texts, to name places in the profile (provenance). `None` for a stage tested
    /// alone.
    sources: Option<&'a SourceMap>,
}

impl<'a> Cx<'a> {
    /// Records a diagnostic. Unless it has its own, it gets the import chain that led to the
    /// document it points into (a profile's problem may point into a catalog it imports), else
    /// to the profile being resolved.
    pub fn push(&mut self, mut d: Diagnostic) {
        if let Some(g) = self.graph
            && d.trace.is_empty()
        {
            let at = d.primary.as_ref().and_then(|p| g.doc_of(p.source));
            d.trace = g.trace(at.unwrap_or(self.profile_doc as usize));
        }
        self.sink.push(d);
    }

    /// Records a diagnostic at a JSON pointer into the profile being resolved.
    pub fn report(&mut self, d: Diagnostic, pointer: impl Into<String>) {
        let d = match self.profile_source {
            Some(s) => d.at(Span::pointer(s, pointer)),
            None => d,
        };
        self.push(d);
    }

    /// Whether the stages record provenance props.
    pub(crate) fn provenance(&self) -> bool {
        self.opts.provenance != Provenance::Off
    }

    /// `FILE:LINE:COL` of a JSON pointer into the profile being resolved, as diagnostics print
    /// it (the file alone when the place cannot be found).
    pub(crate) fn place(&self, pointer: &str) -> String {
        let (Some(map), Some(src)) = (self.sources, self.profile_source) else {
            return String::new();
        };
        let file = provenance::name(&map.display_name(src));
        match map.line_col(&Span::pointer(src, pointer)) {
            Some(at) => format!("{file}:{}:{}", at.line, at.column),
            None => file,
        }
    }

    /// A context for a stage tested alone: no graph, the profile in source 0.
    #[cfg(test)]
    pub(crate) fn alone(opts: &'a Options, sink: &'a mut Sink) -> Self {
        Cx {
            opts,
            sink,
            graph: None,
            profile_source: Some(SourceId(0)),
            profile_doc: 1,
            sources: None,
        }
    }
}

pub use crate::model::ResolvedCatalog;

/// One resolution run: the sources it read (for rendering diagnostics) and the documents it
/// loaded, so that several profiles resolved in one session parse a shared catalog once.
#[derive(Debug, Default)]
pub struct Session {
    /// Every source text read.
    pub sources: SourceMap,
    /// Loaded documents by canonical URI.
    cache: graph::DocCache,
    /// The schema errors of each input document checked so far, by source: a document several
    /// profiles of a batch share is checked once.
    checked: indexmap::IndexMap<SourceId, Vec<Diagnostic>>,
    /// Whether each resolution starts its inputs' constraint check on a thread of its own, for
    /// [`crate::validate::output_constraints`] to read when it checks the output (with two
    /// cores and [`Options::validate_output`]). Off by default: a caller that will not check
    /// the output's constraints would spend a core on it for nothing.
    pub check_inputs_beside: bool,
}

/// A profile's import graph (if its root loaded) and the diagnostics of loading it.
type Discovered = (Sink, Option<ImportGraph>);

/// The outcome of resolving one profile.
pub type Outcome = Warned<Result<ResolvedCatalog, Errors>>;

struct Done {
    body: Body,
    catalog: Catalog,
}

/// The documents of one graph resolved so far, by index, and how many imports still read each
/// one's content: the last reader may take it instead of copying it.
struct Table {
    done: Vec<Option<Done>>,
    readers: Vec<usize>,
}

impl Session {
    /// A new session.
    pub fn new() -> Self {
        Session::default()
    }

    /// Resolves the profile at `uri`.
    pub fn resolve(&mut self, world: &dyn World, uri: &Url, opts: &Options) -> Outcome {
        let mut sink = Sink::with_levels(opts.lints.clone());
        let graph = self.discover(world, uri, opts, &mut sink);
        self.cache.clear();
        let beside = self.check_inputs_beside;
        let result =
            graph.and_then(|g| Self::run(&self.sources, g, world, opts, beside, &mut sink));
        finish_outcome(&display_uri(uri), result, sink)
    }

    /// Resolves several profiles, each with its own options, and returns their outcomes in the
    /// same order. Every document is fetched and parsed once for the whole batch; the profiles
    /// then resolve on up to `threads` scoped threads. Each outcome equals what
    /// [`Session::resolve`] gives for that profile alone.
    pub fn resolve_many(
        &mut self,
        world: &dyn World,
        jobs: &[(Url, Options)],
        threads: usize,
    ) -> Vec<Outcome> {
        let graphs: Vec<Discovered> = jobs
            .iter()
            .map(|(uri, opts)| {
                let mut sink = Sink::with_levels(opts.lints.clone());
                let g = self.discover(world, uri, opts, &mut sink);
                (sink, g)
            })
            .collect();
        // The graphs now hold the only references: a catalog that one graph alone uses can give
        // its content to that graph's resolution instead of being copied.
        self.cache.clear();
        let sources = &self.sources;
        let beside = self.check_inputs_beside;
        let work = |i: usize, (mut sink, g): Discovered| {
            let (uri, opts) = &jobs[i];
            let result = g.and_then(|g| Self::run(sources, g, world, opts, beside, &mut sink));
            finish_outcome(&display_uri(uri), result, sink)
        };
        let threads = threads.clamp(1, jobs.len().max(1));
        if threads == 1 {
            // On the calling thread: a spawned thread allocates from a malloc arena of its own,
            // so the memory the documents were loaded in would not be reused (peak RSS).
            return graphs
                .into_iter()
                .enumerate()
                .map(|(i, item)| work(i, item))
                .collect();
        }
        let mut lanes: Vec<Vec<(usize, Discovered)>> = (0..threads).map(|_| Vec::new()).collect();
        for (i, item) in graphs.into_iter().enumerate() {
            if let Some(lane) = lanes.get_mut(i % threads) {
                lane.push((i, item));
            }
        }
        let mut done: Vec<(usize, Outcome)> = std::thread::scope(|s| {
            let handles: Vec<_> = lanes
                .into_iter()
                .map(|lane| {
                    s.spawn(move || {
                        lane.into_iter()
                            .map(|(i, item)| (i, work(i, item)))
                            .collect::<Vec<_>>()
                    })
                })
                .collect();
            handles
                .into_iter()
                .flat_map(|h| h.join().unwrap_or_default())
                .collect()
        });
        done.sort_by_key(|(i, _)| *i);
        done.into_iter().map(|(_, o)| o).collect()
    }

    fn discover(
        &mut self,
        world: &dyn World,
        uri: &Url,
        opts: &Options,
        sink: &mut Sink,
    ) -> Option<ImportGraph> {
        let g = graph::discover_cached(world, uri, opts, &mut self.sources, sink, &mut self.cache)?;
        if opts.validate_input {
            Self::check_inputs(&mut self.checked, &g, 0..g.docs.len(), sink);
        }
        Some(g)
    }

    /// Documents `docs` of the graph against the OSCAL schema, as `validate` checks them: a
    /// violation is an error, located in the document, with the imports that led to it.
    /// `checked` keeps each source's findings, for documents several graphs share.
    fn check_inputs(
        checked: &mut indexmap::IndexMap<SourceId, Vec<Diagnostic>>,
        g: &ImportGraph,
        docs: impl IntoIterator<Item = usize>,
        sink: &mut Sink,
    ) {
        for (idx, loaded) in docs.into_iter().filter_map(|i| Some((i, g.docs.get(i)?))) {
            let found = checked
                .entry(loaded.source)
                .or_insert_with(|| crate::check::input::check(&loaded.doc, loaded.source));
            for d in found.iter() {
                let mut d = d.clone();
                d.trace = g.trace(idx);
                sink.push(d);
            }
        }
    }

    fn run(
        sources: &SourceMap,
        mut g: ImportGraph,
        world: &dyn World,
        opts: &Options,
        check_inputs_beside: bool,
        sink: &mut Sink,
    ) -> Option<ResolvedCatalog> {
        let root = g.docs.get(g.root)?;
        if sink.has_errors() {
            return None;
        }
        if let Document::Catalog(_) = root.doc {
            sink.push(Diagnostic::error(
                "load-root",
                format!(
                    "{} is a catalog, not a profile: there is nothing to resolve",
                    display_uri(&root.uri)
                ),
            ));
            return None;
        }
        // The inputs, the profile first.
        let mut docs: Vec<_> = g.docs.iter().collect();
        if let Some(at) = docs.iter().position(|d| d.source == root.source) {
            docs.swap(0, at);
        }
        let inputs: Vec<SourceId> = docs.iter().map(|d| d.source).collect();
        // The output's constraint check compares with the inputs' findings: begun now, beside
        // the resolution, when the caller will check.
        let input_findings = if check_inputs_beside {
            let bytes = inputs
                .iter()
                .filter_map(|&id| sources.get(id))
                .map(|s| s.bytes.len())
                .sum();
            crate::validate::inherit::start(docs.iter().map(|d| (d.source, &d.doc)), bytes, opts)
        } else {
            crate::model::InputFindings::default()
        };
        let mut table = Self::drive(sources, &mut g, world, opts, sink, None)?;
        if sink.has_errors() {
            return None;
        }
        let root = table.done.get_mut(g.root)?.take()?;
        Some(ResolvedCatalog {
            catalog: root.catalog,
            inputs,
            input_findings,
        })
    }

    /// Resolves the documents of `g` children first. A document that fails stops the run, unless
    /// `counts` is asked for: then the walk goes on, and before each profile resolves, each of its
    /// imports is planned (`count.rs`) and the number of controls it selects noted there.
    fn drive(
        sources: &SourceMap,
        g: &mut ImportGraph,
        world: &dyn World,
        opts: &Options,
        sink: &mut Sink,
        mut counts: Option<&mut [Vec<Option<usize>>]>,
    ) -> Option<Table> {
        let mut table = Table {
            done: (0..g.docs.len()).map(|_| None).collect(),
            readers: vec![0; g.docs.len()],
        };
        for &t in g.imports.iter().flatten().flatten() {
            if let Some(n) = table.readers.get_mut(t) {
                *n += 1;
            }
        }
        for i in 0..g.order.len() {
            let idx = *g.order.get(i)?;
            let d = match catalog_done(g, idx, opts) {
                Some(d) => Some(d),
                None => {
                    if let Some(slot) = counts.as_deref_mut().and_then(|c| c.get_mut(idx)) {
                        *slot = count::imports(sources, g, idx, &table, opts);
                    }
                    let d = Self::resolve_doc(sources, g, idx, &mut table, world, opts, sink);
                    if d.is_none() && counts.is_none() {
                        return None;
                    }
                    d
                }
            };
            if let Some(slot) = table.done.get_mut(idx) {
                *slot = d;
            }
        }
        Some(table)
    }

    fn resolve_doc(
        sources: &SourceMap,
        g: &ImportGraph,
        idx: usize,
        table: &mut Table,
        world: &dyn World,
        opts: &Options,
        sink: &mut Sink,
    ) -> Option<Done> {
        let loaded = g.docs.get(idx)?;
        let doc_no = u32::try_from(idx).unwrap_or(u32::MAX);
        let Document::Profile(profile) = &loaded.doc else {
            return None;
        };
        let mut cx = Cx {
            opts,
            sink,
            graph: Some(g),
            profile_source: Some(loaded.source),
            profile_doc: doc_no,
            sources: Some(sources),
        };
        // Every import reached its document: a failed one is an error, and stops the run before.
        let targets: Vec<usize> = g.imports.get(idx)?.iter().copied().collect::<Option<_>>()?;
        let mut prepared = Vec::with_capacity(targets.len());
        for (i, (import, &t)) in profile.imports.iter().zip(&targets).enumerate() {
            let src = table.done.get(t)?.as_ref()?;
            let at = format!("/profile/imports/{i}");
            prepared.push(select::prepare(import, &src.body, &mut cx, &at));
        }
        // Before any control is copied: imports that each take the whole of the previous level
        // twice double it at every level (2^20 controls from 13 KB of profiles).
        if let Some((i, d)) = over_limit(&prepared, &loaded.uri, opts.max_controls) {
            cx.report(d, format!("/profile/imports/{i}/href"));
            return None;
        }
        // The content of a document that this import is the last to read moves into the
        // selection instead of being copied (its metadata and back-matter stay, for below).
        let mut selections = Vec::with_capacity(targets.len());
        let steps = profile.imports.iter().zip(&targets).zip(prepared);
        for (i, ((import, &t), prep)) in steps.enumerate() {
            let left = table.readers.get_mut(t)?;
            *left = left.saturating_sub(1);
            let src = table.done.get_mut(t)?.as_mut()?;
            let at = format!("/profile/imports/{i}");
            let source = match *left {
                0 => Cow::Owned(std::mem::take(&mut src.body)),
                _ => Cow::Borrowed(&src.body),
            };
            selections.push(prep.run(import, source, &mut cx, &at));
        }
        if cx.provenance() {
            let name = provenance::name(&display_uri(&loaded.uri));
            for s in &mut selections {
                provenance::extend_chains(&mut s.body, &name);
            }
        }
        let done = &table.done;
        let mut resources: Vec<Resource> = Vec::new();
        let mut metas: Vec<&Metadata> = Vec::new();
        for &t in &targets {
            let src = done.get(t)?.as_ref()?;
            resources.extend(
                src.catalog
                    .back_matter
                    .iter()
                    .flat_map(|b| b.resources.iter().cloned()),
            );
            metas.push(&src.catalog.metadata);
        }
        let merged = merge::run(profile.merge.as_ref(), selections, &mut cx);
        let modified = modify::run(profile.modify.as_ref(), merged, &mut cx);
        let now = world.now();
        let (uuid, last_modified) =
            identity(opts, now, g, sources, &profile.metadata.last_modified);
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
            keep_body: idx != g.root,
        };
        let (catalog, body) = finish::run(modified, input, &mut cx);
        // A document no import reads any more is dropped: a chain holds one level at a time.
        for &t in &targets {
            if table.readers.get(t) == Some(&0)
                && let Some(slot) = table.done.get_mut(t)
            {
                *slot = None;
            }
        }
        Some(Done { body, catalog })
    }
}

/// Resolves the profile that is document `idx` of a graph already discovered, from the documents
/// the graph holds (their texts in `sources`): nothing is fetched or parsed again. The documents
/// it reaches are checked against the schema first, unless [`Options::validate_input`] is off;
/// traces lead from the graph's root.
pub fn resolve_in_graph(
    g: &ImportGraph,
    idx: usize,
    sources: &SourceMap,
    world: &dyn World,
    opts: &Options,
) -> Outcome {
    let mut sink = Sink::with_levels(opts.lints.clone());
    let sub = g.rooted_at(idx);
    if opts.validate_input {
        let reached = sub.order.clone();
        Session::check_inputs(&mut indexmap::IndexMap::new(), &sub, reached, &mut sink);
    }
    let name = g
        .docs
        .get(idx)
        .map_or_else(String::new, |d| display_uri(&d.uri));
    let result = Session::run(sources, sub, world, opts, false, &mut sink);
    finish_outcome(&name, result, sink)
}

/// The error when the selections of a profile's imports hold more controls together than
/// `limit` allows, with the position of the import that crosses it.
fn over_limit(
    prepared: &[select::Prepared],
    profile: &Url,
    limit: usize,
) -> Option<(usize, Diagnostic)> {
    let mut total = 0usize;
    let mut crossing = None;
    for (i, p) in prepared.iter().enumerate() {
        total = total.saturating_add(p.count());
        if total > limit && crossing.is_none() {
            crossing = Some(i);
        }
    }
    let i = crossing?;
    let name = display_uri(profile);
    let d = Diagnostic::error(
        "resolve-limit",
        format!(
            "profile `{name}` would resolve to {total} controls, more than the limit of {limit}"
        ),
    )
    .hint("imports that each take all of a profile that itself imports twice double at every level")
    .hint("if the content is real, raise the limit with --max-controls");
    Some((i, d))
}

/// A catalog's working form. Importers read only metadata and back-matter of `catalog`; the
/// content is in `body`, so it is not held twice: the content moves out of the document, which
/// is copied first when another profile of the batch shares it. `None` for a profile.
fn catalog_done(g: &mut ImportGraph, idx: usize, opts: &Options) -> Option<Done> {
    let doc_no = u32::try_from(idx).unwrap_or(u32::MAX);
    let loaded = g.docs.get_mut(idx)?;
    if let Document::Profile(_) = loaded.doc {
        return None;
    }
    let chain =
        (opts.provenance != Provenance::Off).then(|| provenance::name(&display_uri(&loaded.uri)));
    let Document::Catalog(c) = &mut std::sync::Arc::make_mut(loaded).doc else {
        return None;
    };
    let mut body = Body::take_from_catalog(c, doc_no);
    if let Some(name) = chain {
        provenance::start_chains(&mut body, &name);
    }
    Some(Done {
        body,
        catalog: c.clone(),
    })
}

fn finish_outcome(name: &str, result: Option<ResolvedCatalog>, sink: Sink) -> Outcome {
    let (errors, warnings) = sink.split();
    let output = match result {
        Some(r) if errors.is_empty() => Ok(r),
        _ if errors.is_empty() => Err(vec![Diagnostic::error(
            "load-root",
            format!("{name} did not resolve"),
        )]),
        _ => Err(errors),
    };
    Warned { output, warnings }
}

/// req-meta-uuid and req-meta-last-modified, or their reproducible variants.
fn identity(
    opts: &Options,
    now: time::OffsetDateTime,
    g: &ImportGraph,
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
            // Only options that can change the content name it: lint levels, the output check
            // and the input limits change what is reported, never what is written; the
            // source-profile link depends on where the output goes, and the uuid must not (the
            // same inputs give the same uuid from any folder and to any file).
            let defaults = Options::default();
            let content_opts = Options {
                source_profile_href: None,
                lints: crate::diag::LintLevels::default(),
                validate_output: defaults.validate_output,
                validate_input: defaults.validate_input,
                max_controls: defaults.max_controls,
                max_file_size: defaults.max_file_size,
                max_documents: defaults.max_documents,
                max_import_depth: defaults.max_import_depth,
                max_depth: defaults.max_depth,
                // Taken-out provenance leaves the output as without it.
                provenance: match opts.provenance {
                    Provenance::Taken => Provenance::Off,
                    p => p,
                },
                ..opts.clone()
            };
            name.extend(format!("{content_opts:?}").as_bytes());
            // The graph's own inputs, in discovery order: a batch shares one source map.
            for s in g.docs.iter().filter_map(|d| sources.get(d.source)) {
                name.extend_from_slice(&s.bytes);
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

/// Resolves the profile at `profile` (see the crate docs for the pipeline): every document is read
/// through `world`, the outcome carries the resolved catalog or the errors that stopped it, and
/// the warnings either way. The inputs are checked against the schema first (unless
/// [`Options::validate_input`] is off); the resolved catalog is not: [`crate::check::output`]
/// checks it, which the CLI does before writing unless [`Options::validate_output`] is off.
///
/// ```
/// use oscalc::{MemWorld, Options, resolve};
///
/// let mut world = MemWorld::new();
/// world.add("cat.json", r#"{"catalog": {
///   "uuid": "8bd5f2a4-6a6b-4f7c-9a43-2b4f7cbbd7a4",
///   "metadata": {"title": "Catalog", "last-modified": "2024-01-01T00:00:00Z",
///                "version": "1", "oscal-version": "1.2.3"},
///   "controls": [
///     {"id": "c1", "title": "One", "params": [{"id": "c1_prm_1"}]},
///     {"id": "c2", "title": "Two"},
///     {"id": "c3", "title": "Three"}]
/// }}"#);
/// let profile = world.add("p.json", r#"{"profile": {
///   "uuid": "1bd5f2a4-6a6b-4f7c-9a43-2b4f7cbbd7a4",
///   "metadata": {"title": "Baseline", "last-modified": "2024-01-01T00:00:00Z",
///                "version": "1", "oscal-version": "1.2.3"},
///   "imports": [{"href": "cat.json", "include-controls": [{"with-ids": ["c3", "c1"]}]}],
///   "modify": {"set-parameters": [{"param-id": "c1_prm_1", "values": ["monthly"]}]}
/// }}"#);
///
/// let outcome = resolve(&world, &profile, &Options::default());
/// assert!(outcome.warnings.is_empty());
/// let catalog = outcome.output.unwrap().catalog;
/// // req-order: catalog order, not the order of `with-ids`.
/// let ids: Vec<String> = catalog.controls.iter().map(|c| c.id.to_string()).collect();
/// assert_eq!(ids, ["c1", "c3"]);
/// assert_eq!(catalog.controls[0].params[0].values, ["monthly"]);
///
/// // An import that cannot be read is an error (the specification's req-uri-error), not a panic
/// // or an empty catalog.
/// let broken = world.add("q.json", r#"{"profile": {
///   "uuid": "2bd5f2a4-6a6b-4f7c-9a43-2b4f7cbbd7a4",
///   "metadata": {"title": "Q", "last-modified": "2024-01-01T00:00:00Z",
///                "version": "1", "oscal-version": "1.2.3"},
///   "imports": [{"href": "missing.json", "include-all": {}}]
/// }}"#);
/// let errors = resolve(&world, &broken, &Options::default()).output.unwrap_err();
/// assert_eq!(errors[0].code, "req-uri-error");
/// ```
pub fn resolve(world: &dyn World, profile: &Url, opts: &Options) -> Outcome {
    Session::new().resolve(world, profile, opts)
}
