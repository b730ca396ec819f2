//! Stage: validate. In: the URI of a catalog or profile (JSON or XML), or a resolved catalog.
//! Out: the loaded [`Document`] when it is valid, and every problem found, in one run.
//!
//! Checks, all reported together: loading (syntax, shape, hostile input), every import href
//! resolves (the graph stage), the official OSCAL 1.2.3 JSON schema on the document's JSON form
//! ([`schema`]; XML input is checked on the same form), and what the schema cannot say
//! ([`refs`]): unique ids and uuids, inserts and `#` links that resolve, and a profile's ids that
//! name something in its imports; then OSCAL's constraint layer ([`constraints`]: the Metaschema
//! modules' constraints and the `--constraints` sets), each finding at its declared level.
//! Resolution itself is `resolve`'s job.
//!
//! The checks themselves live in [`crate::check`], below `resolve` (which runs them on its
//! inputs); they are re-exported here, with [`output()`] for a resolved catalog and
//! [`output_checks`] for all that `oscalc resolve` checks in one before it is written.

pub use crate::check::{constraints, input, output, refs, schema};
pub use inherit::{output_checks, output_constraints};

pub(crate) mod inherit;

use crate::diag::{Diagnostic, Errors, Sink, SourceId, Warned};
use crate::graph::{self, ImportGraph};
use crate::model::Document;
use crate::options::Options;
use crate::source::SourceMap;
use crate::world::World;
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
        Some(g) => check_graph(&g, sources, world, opts, &mut sink),
        None => {
            raw_schema_check(doc, opts, sources, &mut sink);
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
    sources: &SourceMap,
    world: &dyn World,
    opts: &Options,
    sink: &mut Sink,
) -> Option<Document> {
    let root = g.docs.get(g.root)?;
    let json = crate::emit::json_value(&root.doc);
    // OSCAL's constraint layer runs beside the other checks and reports last, as its stage
    // is: always, even on a schema-invalid document (the tree skips what it does not know, so
    // nothing it says rests on a wrong shape).
    let constraints = || {
        let doc = crate::emit::check_doc(&root.doc);
        crate::check::constraints::run(&doc, &opts.constraints, Some(root.source))
    };
    let (found, ()) = crate::check::beside(constraints, || {
        for d in schema::check(&json, Some(root.source)) {
            sink.push(d);
        }
        let found = refs::check(&root.doc, Some(root.source), &[]);
        found.into_iter().for_each(|d| sink.push(d));
        if let Document::Profile(profile) = &root.doc {
            let imported = imported_ids(g, sources, world, opts, sink);
            for d in refs::check_profile(profile, Some(root.source), &imported) {
                sink.push(d);
            }
        }
        // While the constraints run on the other core: what locating their findings reads.
        if crate::check::cores() >= 2 {
            sources.prepare(root.source);
        }
    });
    found.into_iter().for_each(|d| sink.push(d));
    Some(root.doc.clone())
}

/// The ids of each import's catalog, by import position; `None` for an import that did not load
/// (refused, missing, broken), so the checks skip the ids it would have held instead of calling
/// each of them unknown: one refused import is one error, not a cascade of warnings. An imported
/// profile is resolved first, from the documents of the graph (its own problems are reported
/// when it is validated itself).
fn imported_ids(
    g: &ImportGraph,
    sources: &SourceMap,
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
            .or_insert_with(|| ids_of(g, t, sources, world, opts))
            .clone();
        match ids {
            Ok(ids) => out.push(Some(ids)),
            // A failure the graph already reported (a broken or refused import below it) is
            // said once, there; one the graph could not see (a limit of resolution) is said here.
            Err(_) if sink.has_errors() => out.push(None),
            Err(code) => {
                let mut d = unresolved(&loaded.uri, code, opts);
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

/// The ids document `t` of the graph provides: a catalog's own; an imported profile's once
/// resolved (from the documents the graph loaded: the same documents, read once, under the same
/// policies), else the code of the first error that stopped it.
fn ids_of(
    g: &ImportGraph,
    t: usize,
    sources: &SourceMap,
    world: &dyn World,
    opts: &Options,
) -> Result<refs::Ids, &'static str> {
    match g.docs.get(t).map(|l| &l.doc) {
        None => Err("load-root"),
        Some(Document::Catalog(c)) => Ok(refs::ids(c)),
        Some(Document::Profile(_)) => {
            // Its ids only: its own warnings, denied or not, are not this document's.
            let opts = Options {
                lints: crate::diag::LintLevels::default(),
                ..opts.clone()
            };
            match crate::resolve::resolve_in_graph(g, t, sources, world, &opts).output {
                Ok(resolved) => Ok(refs::ids(&resolved.catalog)),
                Err(errors) => Err(errors.first().map_or("error", |d| d.code)),
            }
        }
    }
}

/// An imported profile that does not resolve: said at the import, with the first error's code;
/// `validate` or `resolve` of that profile gives the details.
fn unresolved(uri: &Url, code: &str, opts: &Options) -> Diagnostic {
    let name = crate::source::display_uri(uri);
    // The decision switches can be what makes it fail: the advice must carry them.
    let defaults = Options::default();
    let switched = (opts.parent_controls, opts.flat, opts.by_id_self)
        != (defaults.parent_controls, defaults.flat, defaults.by_id_self)
        || (opts.set_param_props, opts.combine_merge)
            != (defaults.set_param_props, defaults.combine_merge);
    let with = if switched {
        " with the same decision switches"
    } else {
        ""
    };
    Diagnostic::warning(
        "ref-import-unresolved",
        format!(
            "the imported profile {name} does not resolve ({code}); the ids it would provide are not checked"
        ),
    )
    .hint(format!("run `oscalc resolve {name}`{with} to see why"))
}

/// When the typed load failed on shape, the schema still says everything that is wrong at once:
/// its findings on the untyped JSON form replace the loader's first complaint. References are
/// checked on typed documents only: one that did not load has its shape to fix first.
fn raw_schema_check(doc: &Url, opts: &Options, sources: &SourceMap, sink: &mut Sink) {
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
    let Some(value) = sources
        .get(source)
        .and_then(|s| untyped(&s.bytes, &s.uri, opts))
    else {
        return;
    };
    if schema::model_of(&value).is_none() {
        return;
    }
    let found = schema::check(&value, Some(source));
    if found.is_empty() {
        return;
    }
    sink.clear();
    found.into_iter().for_each(|d| sink.push(d));
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

/// The JSON form of bytes the run already read, without the typed model (JSON as parsed; XML
/// through `crate::xml`): a named stream cannot be read twice, and a file may have changed.
fn untyped(bytes: &[u8], uri: &Url, opts: &Options) -> Option<Value> {
    let text = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    match crate::load::recognise(text, uri).unwrap_or(crate::model::Format::Yaml) {
        crate::model::Format::Yaml => crate::load::yaml_untyped(bytes, opts),
        crate::model::Format::Json => serde_json::from_slice(text).ok(),
        crate::model::Format::Xml => {
            let read = crate::xml::read(text, &crate::load::xml_limits(opts)).ok()?;
            let mut root = serde_json::Map::new();
            root.insert(read.root.to_owned(), read.value);
            Some(Value::Object(root))
        }
    }
}
