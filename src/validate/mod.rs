//! Stage: validate. In: the URI of a catalog or profile (JSON or XML), or a resolved catalog.
//! Out: the loaded [`Document`] when it is valid, and every problem found, in one run.
//!
//! Checks, all reported together: loading (syntax, shape, hostile input), every import href
//! resolves (the graph stage), the official OSCAL 1.2.3 JSON schema on the document's JSON form
//! ([`schema`]; XML input is checked on the same form), and what the schema cannot say
//! ([`refs`]): unique ids and uuids, inserts and `#` links that resolve, and a profile's ids that
//! name something in its imports. Resolution itself is `resolve`'s job.

pub mod input;
mod output;
mod patterns;
pub mod refs;
pub mod schema;

use crate::diag::{Diagnostic, Errors, Sink, SourceId, Warned};
use crate::graph::{self, ImportGraph};
use crate::model::Document;
use crate::options::Options;
use crate::resolve::ResolvedCatalog;
use crate::source::SourceMap;
use crate::world::{FetchError, ImportRequest, World};
use indexmap::IndexMap;
use serde_json::Value;
use url::Url;

/// Validates the catalog or profile at `doc`, reading it and its imports through `world`: the
/// loaded document when it has no error, else every error; the warnings either way.
///
/// ```
/// use oscalc::model::Document;
/// use oscalc::{MemWorld, Options, validate};
///
/// let mut world = MemWorld::new();
/// let uri = world.add("cat.json", r#"{"catalog": {
///   "uuid": "8bd5f2a4-6a6b-4f7c-9a43-2b4f7cbbd7a4",
///   "metadata": {"title": "T", "last-modified": "2024-01-01T00:00:00Z",
///                "version": "1", "oscal-version": "1.2.3"},
///   "controls": [{"id": "c1", "title": "One"}, {"id": "c1", "title": "Two"}]
/// }}"#);
/// let result = validate(&world, &uri, &Options::default());
/// let errors = result.output.unwrap_err();
/// assert_eq!(errors[0].code, "ref-duplicate-id");
/// assert!(errors[0].message.contains("c1"));
///
/// // A profile is checked against what its imports provide.
/// world.add("good.json", r#"{"catalog": {
///   "uuid": "9bd5f2a4-6a6b-4f7c-9a43-2b4f7cbbd7a4",
///   "metadata": {"title": "T", "last-modified": "2024-01-01T00:00:00Z",
///                "version": "1", "oscal-version": "1.2.3"},
///   "controls": [{"id": "c1", "title": "One"}]
/// }}"#);
/// let uri = world.add("p.json", r#"{"profile": {
///   "uuid": "1bd5f2a4-6a6b-4f7c-9a43-2b4f7cbbd7a4",
///   "metadata": {"title": "P", "last-modified": "2024-01-01T00:00:00Z",
///                "version": "1", "oscal-version": "1.2.3"},
///   "imports": [{"href": "good.json", "include-controls": [{"with-ids": ["c1", "c9"]}]}]
/// }}"#);
/// let result = validate(&world, &uri, &Options::default());
/// assert_eq!(result.warnings[0].code, "select-unknown-id");
/// assert!(result.warnings[0].message.contains("c9"));
/// let Ok(Document::Profile(profile)) = result.output else { panic!("a valid profile") };
/// assert_eq!(profile.imports[0].href, "good.json");
/// ```
pub fn validate(world: &dyn World, doc: &Url, opts: &Options) -> Warned<Result<Document, Errors>> {
    validate_in(world, doc, opts, &mut SourceMap::default())
}

/// [`validate`], registering the sources it reads in `sources` (for rendering diagnostics).
pub fn validate_in(
    world: &dyn World,
    doc: &Url,
    opts: &Options,
    sources: &mut SourceMap,
) -> Warned<Result<Document, Errors>> {
    let mut sink = Sink::with_levels(opts.lints.clone());
    let graph = graph::discover(world, doc, opts, sources, &mut sink);
    let document = match graph {
        Some(g) => check_graph(&g, &AlreadyRead::of(&g, sources, world), opts, &mut sink),
        None => {
            raw_schema_check(world, doc, opts, sources, &mut sink);
            None
        }
    };
    let (errors, warnings) = sink.split();
    let output = match document {
        Some(d) if errors.is_empty() => Ok(d),
        _ if errors.is_empty() => Err(vec![Diagnostic::error(
            "load-root",
            format!("{} could not be loaded", crate::source::display_uri(doc)),
        )]),
        _ => Err(errors),
    };
    Warned { output, warnings }
}

fn check_graph(
    g: &ImportGraph,
    world: &dyn World,
    opts: &Options,
    sink: &mut Sink,
) -> Option<Document> {
    let root = g.docs.get(g.root)?;
    for d in schema::check(&schema::json_form(&root.doc), Some(root.source)) {
        sink.push(d);
    }
    let (_, found) = refs::check(&root.doc, Some(root.source), &[]);
    found.into_iter().for_each(|d| sink.push(d));
    if let Document::Profile(profile) = &root.doc {
        let imported = imported_ids(g, world, opts, sink);
        for d in refs::check_profile(profile, Some(root.source), &imported) {
            sink.push(d);
        }
    }
    Some(root.doc.clone())
}

/// The ids of each import's catalog, by import position; `None` for an import that did not load
/// (refused, missing, broken), so the checks skip the ids it would have held instead of calling
/// each of them unknown: one refused import is one error, not a cascade of warnings. An imported
/// profile is resolved first (its own problems are reported when it is validated itself).
fn imported_ids(
    g: &ImportGraph,
    world: &dyn World,
    opts: &Options,
    sink: &mut Sink,
) -> Vec<Option<refs::Ids>> {
    let count = match g.docs.get(g.root).map(|l| &l.doc) {
        Some(Document::Profile(p)) => p.imports.len(),
        _ => 0,
    };
    let reached = g.imports.get(g.root).map(Vec::as_slice).unwrap_or_default();
    let targets = (0..count).map(|i| reached.get(i).copied().flatten());
    let root_source = g.docs.get(g.root).map(|l| l.source);
    // Per imported document, its ids or why there are none: a profile imported twice resolves once.
    let mut memo: IndexMap<usize, Result<refs::Ids, &'static str>> = IndexMap::new();
    let mut out = Vec::with_capacity(count);
    for (index, t) in targets.enumerate() {
        let Some((t, loaded)) = t.and_then(|t| Some((t, g.docs.get(t)?))) else {
            out.push(None);
            continue;
        };
        let ids = memo
            .entry(t)
            .or_insert_with(|| ids_of(loaded, world, opts))
            .clone();
        match ids {
            Ok(ids) => out.push(Some(ids)),
            // A failure the graph already reported (a broken or refused import below it) is
            // said once, there; one the graph could not see (a limit of resolution) is said here.
            Err(_) if sink.has_errors() => out.push(None),
            Err(code) => {
                let mut d = unresolved(&loaded.uri, code);
                if let Some(source) = root_source {
                    let at = format!("/profile/imports/{index}/href");
                    d = d.at(crate::diag::Span::pointer(source, at));
                }
                sink.push(d);
                out.push(None);
            }
        }
    }
    out
}

/// The ids a loaded import provides: a catalog's own; an imported profile's once resolved (from
/// the bytes the graph read: the same document, under the same policies), else the code of the
/// first error that stopped it.
fn ids_of(
    loaded: &crate::load::Loaded,
    world: &dyn World,
    opts: &Options,
) -> Result<refs::Ids, &'static str> {
    match &loaded.doc {
        Document::Catalog(c) => Ok(refs::ids(c)),
        Document::Profile(_) => {
            // Its ids only: its own warnings, denied or not, are not this document's.
            let opts = Options {
                lints: crate::diag::LintLevels::default(),
                ..opts.clone()
            };
            match crate::resolve::resolve(world, &loaded.uri, &opts).output {
                Ok(resolved) => Ok(refs::ids(&resolved.catalog)),
                Err(errors) => Err(errors.first().map_or("error", |d| d.code)),
            }
        }
    }
}

/// An imported profile that does not resolve: said at the import, with the first error's code;
/// `validate` or `resolve` of that profile gives the details.
fn unresolved(uri: &Url, code: &str) -> Diagnostic {
    let name = crate::source::display_uri(uri);
    Diagnostic::warning(
        "ref-import-unresolved",
        format!(
            "the imported profile {name} does not resolve ({code}); the ids it would provide are not checked"
        ),
    )
    .hint(format!("run `oscalc resolve {name}` to see why"))
}

/// The documents of a graph, served again from the bytes the graph read, in front of the world:
/// an imported profile is resolved from what was imported (a `--map` of its href as written, the
/// `--root` checks), not from a second read of its URI as if the user had named it.
struct AlreadyRead<'a> {
    docs: IndexMap<String, std::sync::Arc<[u8]>>,
    world: &'a dyn World,
}

impl<'a> AlreadyRead<'a> {
    fn of(g: &ImportGraph, sources: &SourceMap, world: &'a dyn World) -> Self {
        let docs = g
            .docs
            .iter()
            .filter_map(|d| Some((d.uri.to_string(), sources.get(d.source)?.bytes.clone())))
            .collect();
        AlreadyRead { docs, world }
    }
}

impl World for AlreadyRead<'_> {
    fn fetch(&self, uri: &Url) -> Result<Vec<u8>, FetchError> {
        match self.docs.get(uri.as_str()) {
            Some(b) => Ok(b.to_vec()),
            None => self.world.fetch(uri),
        }
    }

    fn fetch_import(&self, import: &ImportRequest<'_>) -> Result<Vec<u8>, FetchError> {
        match self.docs.get(import.uri.as_str()) {
            Some(b) => Ok(b.to_vec()),
            None => self.world.fetch_import(import),
        }
    }

    fn now(&self) -> time::OffsetDateTime {
        self.world.now()
    }
}

/// When the typed load failed on shape, the schema still says everything that is wrong at once:
/// its findings on the untyped JSON form replace the loader's first complaint. References are
/// checked on typed documents only: one that did not load has its shape to fix first.
fn raw_schema_check(
    world: &dyn World,
    doc: &Url,
    opts: &Options,
    sources: &SourceMap,
    sink: &mut Sink,
) {
    let shape_only = !sink.diagnostics().is_empty()
        && sink
            .diagnostics()
            .iter()
            .all(|d| matches!(d.code, "load-shape" | "load-root"));
    if !shape_only {
        return;
    }
    let Some(source) = last_source_for(sources, doc) else {
        return;
    };
    let Some(value) = untyped(world, doc, opts) else {
        return;
    };
    if schema::model_of(&value).is_none() {
        return;
    }
    let found = schema::check(&value, Some(source));
    if found.is_empty() {
        return;
    }
    let mut fresh = Sink::with_levels(opts.lints.clone());
    found.into_iter().for_each(|d| fresh.push(d));
    *sink = fresh;
}

fn last_source_for(sources: &SourceMap, uri: &Url) -> Option<SourceId> {
    let mut found = None;
    let mut i = 0;
    while let Some(s) = sources.get(SourceId(i)) {
        if &s.uri == uri {
            found = Some(SourceId(i));
        }
        i += 1;
    }
    found
}

/// The document's JSON form without the typed model (JSON as parsed; XML through `crate::xml`).
fn untyped(world: &dyn World, uri: &Url, opts: &Options) -> Option<Value> {
    let bytes = world.fetch(uri).ok()?;
    let text = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(&bytes);
    match crate::load::sniff(text)? {
        crate::model::Format::Json => serde_json::from_slice(text).ok(),
        crate::model::Format::Xml => {
            let limits = crate::xml::XmlLimits {
                max_depth: opts.max_depth,
                max_bytes: usize::try_from(opts.max_file_size).unwrap_or(usize::MAX),
            };
            let read = crate::xml::read(text, &limits).ok()?;
            let mut root = serde_json::Map::new();
            root.insert(read.root.to_owned(), read.value);
            Some(Value::Object(root))
        }
    }
}

/// Checks a resolved catalog before it is written: schema and references. Schema violations and
/// dangling references are errors (an invalid output is not a result); duplicate ids stay
/// warnings, since `combine keep` makes them on purpose (req-merge-keep-warning). The output has
/// no source text of its own, so messages name the output pointer.
///
/// Works member by member on the typed catalog (see `output.rs`): the whole JSON form is never
/// built, and markup read from XML is not converted unless a member fails.
///
/// ```
/// use oscalc::{MemWorld, Options, resolve, validate};
///
/// let mut world = MemWorld::new();
/// world.add("cat.json", r#"{"catalog": {
///   "uuid": "8bd5f2a4-6a6b-4f7c-9a43-2b4f7cbbd7a4",
///   "metadata": {"title": "T", "last-modified": "2024-01-01T00:00:00Z",
///                "version": "1", "oscal-version": "1.2.3"},
///   "controls": [{"id": "c1", "title": "One"}]
/// }}"#);
/// let uri = world.add("p.json", r#"{"profile": {
///   "uuid": "1bd5f2a4-6a6b-4f7c-9a43-2b4f7cbbd7a4",
///   "metadata": {"title": "P", "last-modified": "2024-01-01T00:00:00Z",
///                "version": "1", "oscal-version": "1.2.3"},
///   "imports": [{"href": "cat.json", "include-all": {}}]
/// }}"#);
/// let resolved = resolve(&world, &uri, &Options::default()).output.unwrap();
/// assert!(validate::output(&resolved).is_empty());
/// ```
pub fn output(resolved: &ResolvedCatalog) -> Vec<Diagnostic> {
    in_the_output(output::check(&resolved.catalog))
}

/// Output findings: said to be in the output; duplicates warn, everything else is an error.
fn in_the_output(mut out: Vec<Diagnostic>) -> Vec<Diagnostic> {
    for d in &mut out {
        d.message = format!("in the output: {}", d.message);
        d.severity = match d.code {
            "ref-duplicate-id" | "ref-duplicate-uuid" => crate::diag::Severity::Warning,
            _ => crate::diag::Severity::Error,
        };
    }
    out
}
