//! Stage: graph. In: the root document's URI and a [`World`]. Out: an [`ImportGraph`] of every
//! document reachable through imports, each fetched and parsed once, in post-order (children
//! before parents, req-resolve-profile).
//!
//! Cycles are found on the explicit route from the root, so a diamond is legal and a cycle is
//! reported whole (req-circular-error).

use crate::diag::{Diagnostic, Sink, Span};
use crate::load::{self, Loaded};
use crate::model::Document;
use crate::options::Options;
use crate::source::{SourceMap, display_uri};
use crate::world::href::{self, Candidate, HrefError};
use crate::world::{FetchError, ImportRequest, World, is_remote};
use indexmap::IndexMap;
use std::sync::Arc;
use url::Url;

/// Documents already loaded in this run, by canonical URI: a batch of profiles that share a
/// catalog fetches and parses it once.
pub type DocCache = IndexMap<String, Arc<Loaded>>;

/// Every document of a run and how they import each other.
#[derive(Debug, Default)]
pub struct ImportGraph {
    /// The root document's index.
    pub root: usize,
    /// Documents, by index (shared with the run's [`DocCache`]).
    pub docs: Vec<Arc<Loaded>>,
    /// The edges: per document, the document each of its imports reached, by import position
    /// (`None` for an import that failed: refused, missing, broken, circular). A catalog, or a
    /// profile cut off at the depth limit, has none.
    pub imports: Vec<Vec<Option<usize>>>,
    /// Post-order: every document after the documents it imports.
    pub order: Vec<usize>,
    /// Per document, the importer and import site of the first route that reached it (`None`
    /// for the root).
    pub reached_by: Vec<Option<(usize, Span)>>,
}

impl ImportGraph {
    /// The import chain that leads to document `idx`, innermost first: the `href` that imported
    /// it, then the `href` that imported its importer, up to the root (empty for the root).
    pub fn trace(&self, idx: usize) -> Vec<Span> {
        chain(&self.reached_by, idx)
    }

    /// The part of the graph that document `idx` reaches, as a graph rooted there: the same
    /// (shared) documents under the same indexes; the imports and the order of documents it
    /// does not reach are left out.
    pub fn rooted_at(&self, idx: usize) -> ImportGraph {
        let mut reached = vec![false; self.docs.len()];
        let mut stack = vec![idx];
        while let Some(i) = stack.pop() {
            if let Some(seen @ false) = reached.get_mut(i) {
                *seen = true;
                stack.extend(self.imports.get(i).into_iter().flatten().flatten());
            }
        }
        let is_reached = |i: &usize| reached.get(*i).copied().unwrap_or(false);
        ImportGraph {
            root: idx,
            docs: self.docs.clone(),
            imports: (self.imports.iter().enumerate())
                .map(|(i, list)| match is_reached(&i) {
                    true => list.clone(),
                    false => Vec::new(),
                })
                .collect(),
            order: self.order.iter().copied().filter(is_reached).collect(),
            reached_by: self.reached_by.clone(),
        }
    }

    /// The index of the document whose text is `source`.
    pub fn doc_of(&self, source: crate::diag::SourceId) -> Option<usize> {
        self.docs.iter().position(|d| d.source == source)
    }
}

/// Follows `reached_by` from `idx` to the root; bounded by the number of documents.
fn chain(reached_by: &[Option<(usize, Span)>], idx: usize) -> Vec<Span> {
    let mut out = Vec::new();
    let mut cur = idx;
    while let Some(Some((importer, site))) = reached_by.get(cur) {
        if out.len() >= reached_by.len() {
            break;
        }
        out.push(site.clone());
        cur = *importer;
    }
    out
}

struct Discover<'a> {
    world: &'a dyn World,
    opts: &'a Options,
    sources: &'a mut SourceMap,
    sink: &'a mut Sink,
    cache: &'a mut DocCache,
    /// The graph so far (its root is set last).
    g: ImportGraph,
    /// Canonical URI → index.
    keys: IndexMap<String, usize>,
    route: Vec<usize>,
    /// Documents that failed to load: reported once, on the first route (diamonds).
    failed: indexmap::IndexSet<String>,
}

/// Loads the root and everything it imports. Returns `None` when the root itself cannot be
/// loaded; other failures are diagnostics in `sink`.
pub fn discover(
    world: &dyn World,
    root: &Url,
    opts: &Options,
    sources: &mut SourceMap,
    sink: &mut Sink,
) -> Option<ImportGraph> {
    discover_cached(world, root, opts, sources, sink, &mut DocCache::new())
}

/// [`discover`], taking documents from `cache` when an earlier graph of the same run loaded them
/// (their sources are already in `sources`), and adding the ones it loads.
pub fn discover_cached(
    world: &dyn World,
    root: &Url,
    opts: &Options,
    sources: &mut SourceMap,
    sink: &mut Sink,
    cache: &mut DocCache,
) -> Option<ImportGraph> {
    let mut d = Discover {
        world,
        opts,
        sources,
        sink,
        cache,
        g: ImportGraph::default(),
        keys: IndexMap::new(),
        route: Vec::new(),
        failed: indexmap::IndexSet::new(),
    };
    let root_idx = match d.cache.get(root.as_str()) {
        Some(hit) => d.push(hit.clone()),
        None => {
            let bytes = match world.fetch(root) {
                Ok(b) => b,
                Err(e) => {
                    d.sink.push(Diagnostic::error(e.code(), e.to_string()));
                    return None;
                }
            };
            d.add(root, bytes, None)?
        }
    };
    d.visit(root_idx);
    Some(ImportGraph {
        root: root_idx,
        ..d.g
    })
}

impl Discover<'_> {
    /// Loads a document; its load errors carry the import chain that led to it (`importer`:
    /// the importing document and the import site).
    fn add(
        &mut self,
        uri: &Url,
        bytes: Vec<u8>,
        importer: Option<(usize, &Span)>,
    ) -> Option<usize> {
        match load::load(bytes, uri, self.sources, self.opts) {
            Ok(loaded) => {
                let loaded = Arc::new(loaded);
                self.cache.insert(uri.to_string(), loaded.clone());
                Some(self.push(loaded))
            }
            Err(diags) => {
                // The root is the file the user named: its text may be quoted even when it
                // is not OSCAL. An import's may not (see `Source::quotable`).
                if importer.is_none()
                    && let Some(d) = diags.first().and_then(|d| d.primary.as_ref())
                {
                    self.sources.allow_quoting(d.source);
                }
                self.failed.insert(uri.to_string());
                let trace: Vec<Span> = match importer {
                    Some((idx, site)) => std::iter::once(site.clone())
                        .chain(chain(&self.g.reached_by, idx))
                        .collect(),
                    None => Vec::new(),
                };
                for mut diag in diags {
                    if importer.is_some() {
                        diag = content_free(diag, uri);
                    }
                    diag.trace = trace.clone();
                    self.sink.push(diag);
                }
                None
            }
        }
    }

    fn push(&mut self, loaded: Arc<Loaded>) -> usize {
        let idx = self.g.docs.len();
        self.keys.insert(loaded.uri.to_string(), idx);
        self.g.docs.push(loaded);
        self.g.imports.push(Vec::new());
        self.g.reached_by.push(None);
        idx
    }

    /// Reports a problem found in document `idx` (at one of its imports), with the chain that
    /// led to `idx`.
    fn report(&mut self, idx: usize, mut d: Diagnostic) {
        d.trace = chain(&self.g.reached_by, idx);
        self.sink.push(d);
    }

    fn visit(&mut self, idx: usize) {
        self.route.push(idx);
        let (hrefs, base, back_matter, format, source) = match self.g.docs.get(idx).map(|l| &**l) {
            Some(Loaded {
                doc: Document::Profile(p),
                uri,
                format,
                source,
                ..
            }) => (
                p.imports.iter().map(|i| i.href.clone()).collect::<Vec<_>>(),
                uri.clone(),
                p.back_matter.clone(),
                *format,
                *source,
            ),
            _ => {
                self.route.pop();
                self.g.order.push(idx);
                return;
            }
        };
        if self.route.len() > self.opts.max_import_depth {
            self.report(
                idx,
                Diagnostic::error(
                    "load-limit",
                    format!(
                        "imports are nested deeper than {}",
                        self.opts.max_import_depth
                    ),
                )
                .at(Span::pointer(source, "/profile/imports")),
            );
            self.route.pop();
            return;
        }
        for (i, href) in hrefs.iter().enumerate() {
            let at = Span::pointer(source, format!("/profile/imports/{i}/href"));
            let child = self.import(href, &base, back_matter.as_ref(), format, at, idx);
            if let Some(list) = self.g.imports.get_mut(idx) {
                list.push(child);
            }
        }
        self.route.pop();
        self.g.order.push(idx);
    }

    #[allow(clippy::too_many_arguments)] // the import site's full context
    fn import(
        &mut self,
        href: &str,
        base: &Url,
        back_matter: Option<&crate::model::BackMatter>,
        format: crate::model::Format,
        at: Span,
        importer: usize,
    ) -> Option<usize> {
        let internal = href.starts_with('#');
        let candidates = match href::candidates(href, base, back_matter, format) {
            Ok(c) => c,
            Err(e) => {
                let (code, msg) = match e {
                    HrefError::Invalid(m) => (
                        "req-uri-error",
                        format!("import href is not a valid URI reference: {m}"),
                    ),
                    HrefError::NoResource(u) => (
                        "req-internal-error",
                        format!(
                            "import `#{u}` names no resource in the back-matter of {}",
                            display_uri(base)
                        ),
                    ),
                    HrefError::NoUsableLink(u) => (
                        "req-internal-error",
                        format!("resource `{u}` has no rlink or base64 that oscalc can read"),
                    ),
                    HrefError::BadBase64(m) => (
                        "req-internal-error",
                        format!("the base64 of resource `{href}` does not decode: {m}"),
                    ),
                };
                self.report(importer, Diagnostic::error(code, msg).at(at));
                return None;
            }
        };
        let total = candidates.len();
        for (ci, cand) in candidates.into_iter().enumerate() {
            let last = ci + 1 == total;
            let (uri, bytes) = match cand {
                Candidate::Uri {
                    uri: u,
                    href: written,
                } => {
                    let mut plain = u.clone();
                    plain.set_fragment(None);
                    if let Some(done) = self.check_known(&plain, &at, importer) {
                        return done;
                    }
                    if self.g.docs.len() >= self.opts.max_documents {
                        self.report(
                            importer,
                            Diagnostic::error(
                                "load-limit",
                                format!(
                                    "more than {} documents in the import graph",
                                    self.opts.max_documents
                                ),
                            )
                            .at(at),
                        );
                        return None;
                    }
                    if let Some(hit) = self.cache.get(plain.as_str()) {
                        let child = self.push(hit.clone());
                        self.link(importer, child, &at);
                        self.visit(child);
                        return Some(child);
                    }
                    match self.fetch(base, &plain, &written) {
                        Ok(b) => (plain, b),
                        Err(e) => {
                            let d = fetch_failure(&e, &written, &plain, internal, last);
                            self.report(importer, d.at(at.clone()));
                            continue;
                        }
                    }
                }
                Candidate::Base64 { bytes, key } => {
                    if let Some(done) = self.check_known(&key, &at, importer) {
                        return done;
                    }
                    (key, bytes)
                }
            };
            let child = self.add(&uri, bytes, Some((importer, &at)))?;
            self.link(importer, child, &at);
            self.visit(child);
            return Some(child);
        }
        None
    }

    /// Fetches an import. A remote document imports only http(s): a profile served from the
    /// network may not make oscalc read a local file, whatever the world allows.
    fn fetch(&self, importer: &Url, uri: &Url, href: &str) -> Result<Vec<u8>, FetchError> {
        if is_remote(importer) && !is_remote(uri) {
            return Err(FetchError::RemoteImportsLocal(uri.to_string()));
        }
        self.world.fetch_import(&ImportRequest {
            uri,
            href,
            importer,
        })
    }

    /// A document already met: a cycle if it is on the route, else a shared import; or one that
    /// failed to load, reported on its first route.
    fn check_known(&mut self, uri: &Url, at: &Span, importer: usize) -> Option<Option<usize>> {
        let Some(&known) = self.keys.get(uri.as_str()) else {
            return self.failed.contains(uri.as_str()).then_some(None);
        };
        if let Some(pos) = self.route.iter().position(|&r| r == known) {
            let mut names: Vec<String> = self.route[pos..]
                .iter()
                .filter_map(|&r| self.g.docs.get(r).map(|d| display_uri(&d.uri)))
                .collect();
            names.push(display_uri(uri));
            self.report(
                importer,
                Diagnostic::error(
                    "req-circular-error",
                    format!("circular import: {}", names.join(" → ")),
                )
                .at(at.clone()),
            );
            return Some(None);
        }
        self.link(importer, known, at);
        Some(Some(known))
    }

    /// Records how a document was first reached (the edge itself is the import's entry in
    /// `imports`): the route its diagnostics trace.
    fn link(&mut self, from: usize, to: usize, site: &Span) {
        if let Some(slot @ None) = self.g.reached_by.get_mut(to)
            && to != 0
        {
            *slot = Some((from, site.clone()));
        }
    }
}

/// The diagnostic of an import that could not be fetched. A refusal (a policy: `--root`,
/// `--allow-remote`, no devices...) keeps its own code; other failures are the spec's
/// `req-uri-error` (`req-internal-error` for a `#uuid` resource). When a resource has other
/// links to try (`last` is false), a warning.
fn fetch_failure(e: &FetchError, href: &str, uri: &Url, internal: bool, last: bool) -> Diagnostic {
    let code = match (last, e.is_refusal(), internal) {
        (false, _, _) | (true, true, _) => e.code(),
        (true, false, true) => "req-internal-error",
        (true, false, false) => "req-uri-error",
    };
    let severity = if last {
        crate::diag::Severity::Error
    } else {
        crate::diag::Severity::Warning
    };
    let shown = display_uri(uri);
    let what = if shown == href || shown.is_empty() {
        format!("`{href}`")
    } else {
        format!("`{href}` ({shown})")
    };
    let mut d = Diagnostic::new(
        severity,
        code,
        format!("cannot import {what}: {}", e.reason()),
    );
    if let Some(h) = e.hint() {
        d = d.hint(h);
    }
    if !last {
        d = d.hint("trying the resource's next link");
    }
    d
}

/// The diagnostic of an import that was read but did not load, stripped of anything taken from
/// its text: a parser's message quotes values and keys (`invalid type: string "secret"`), and
/// the file may be one a hostile profile named (`/etc/passwd`). Code, place and trace stay.
fn content_free(d: Diagnostic, uri: &Url) -> Diagnostic {
    let shown = display_uri(uri);
    Diagnostic {
        message: format!(
            "the imported document {shown} is not a valid OSCAL catalog or profile ({})",
            d.code
        ),
        labels: Vec::new(),
        hints: vec![format!("run `oscalc validate {shown}` to see the details")],
        ..d
    }
}
