//! The import graph of a profile, for people. In: a profile's URI, a [`World`] and [`Options`].
//! Out: an [`ImportView`] (every document once, each import with the back-matter resource it
//! went through, the document it reached or why it failed, and how many controls it selects),
//! drawn by [`draw`] as an indented tree, Graphviz DOT or Mermaid.
//!
//! The graph is `graph::discover`'s, so it shows what resolution reads (the same policies, the
//! same limits); the counts are the resolver's (`resolve::count`). A cycle or a failed import is
//! an edge of the picture, and its diagnostic is returned beside it: the picture is drawn
//! whenever the root document loads. Names are display names (relative to the working folder);
//! every string from a document is escaped for the format it goes into, so an `href` holding
//! quotes or newlines cannot end a DOT or Mermaid label. Sizes are bounded by the graph's
//! (`Options::max_documents`): the tree prints a document reached twice once, then refers to it.

use crate::diag::{At, Diagnostic, Sink};
use crate::graph::{self, ImportGraph};
use crate::model::{BackMatter, Document, Format};
use crate::options::Options;
use crate::source::{SourceMap, display_uri};
use crate::world::World;
use crate::world::href::{self, Candidate};
use std::fmt::Write as _;
use url::Url;

/// The import graph of one profile.
#[derive(Debug, Clone, PartialEq)]
pub struct ImportView {
    /// The index of the profile the graph was drawn for.
    pub root: usize,
    /// Every document reached, by index.
    pub docs: Vec<DocView>,
}

/// One document of the graph.
#[derive(Debug, Clone, PartialEq)]
pub struct DocView {
    /// Its display name (a path relative to the working folder when below it).
    pub name: String,
    /// Whether it is a profile (`true`) or a catalog.
    pub profile: bool,
    /// The title in its metadata (Markdown).
    pub title: String,
    /// Its imports, in document order (none for a catalog).
    pub imports: Vec<EdgeView>,
}

/// One import of a profile.
#[derive(Debug, Clone, PartialEq)]
pub struct EdgeView {
    /// The `href` as written.
    pub href: String,
    /// The back-matter resource a `#uuid` href points into: its uuid and title (Markdown).
    pub resource: Option<(String, String)>,
    /// The document reached (for a cycle: the document on the route the import leads back to).
    pub to: Option<usize>,
    /// How many controls the import selects, when the documents resolved.
    pub selected: Option<usize>,
    /// The code of the error that stopped the import (`req-circular-error` for a cycle).
    pub failure: Option<String>,
}

/// The ways [`draw`] writes a graph.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Style {
    /// An indented text tree; a document reached again is named, not expanded.
    #[default]
    Tree,
    /// Graphviz DOT.
    Dot,
    /// A Mermaid flowchart.
    Mermaid,
}

/// The import graph of the profile at `uri` with the diagnostics met on the way (discovery and
/// resolution: a cycle, a failed import). `None` when the root itself did not load.
///
/// ```
/// use oscalc::{MemWorld, Options};
/// use oscalc::present::graph::{Style, draw, import_graph};
///
/// let mut world = MemWorld::new();
/// world.add("cat.json", r#"{"catalog": {
///   "uuid": "8bd5f2a4-6a6b-4f7c-9a43-2b4f7cbbd7a4",
///   "metadata": {"title": "Catalog", "last-modified": "2024-01-01T00:00:00Z",
///                "version": "1", "oscal-version": "1.2.3"},
///   "controls": [{"id": "c1", "title": "One"}, {"id": "c2", "title": "Two"}]
/// }}"#);
/// let profile = world.add("p.json", r#"{"profile": {
///   "uuid": "1bd5f2a4-6a6b-4f7c-9a43-2b4f7cbbd7a4",
///   "metadata": {"title": "Baseline", "last-modified": "2024-01-01T00:00:00Z",
///                "version": "1", "oscal-version": "1.2.3"},
///   "imports": [{"href": "cat.json", "include-controls": [{"with-ids": ["c2"]}]},
///               {"href": "missing.json", "include-all": {}}]
/// }}"#);
/// let mut sources = oscalc::source::SourceMap::default();
/// let (view, diags) = import_graph(&world, &profile, &Options::default(), &mut sources);
/// let view = view.unwrap();
/// assert_eq!(view.docs[view.root].imports[0].selected, Some(1));
/// assert_eq!(diags[0].code, "req-uri-error");
/// let tree = draw(&view, Style::Tree);
/// assert!(tree.contains("└── ✗ missing.json: req-uri-error"), "{tree}");
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn import_graph(
    world: &dyn World,
    uri: &Url,
    opts: &Options,
    sources: &mut SourceMap,
) -> (Option<ImportView>, Vec<Diagnostic>) {
    let mut sink = Sink::with_levels(opts.lints.clone());
    let Some(g) = graph::discover(world, uri, opts, sources, &mut sink) else {
        return (None, sink.into_diagnostics());
    };
    let mut view = view_of(&g, sink.diagnostics());
    let counts = crate::resolve::count::per_import(sources, g, world, opts, &mut sink);
    for (doc, list) in view.docs.iter_mut().zip(counts) {
        for (edge, n) in doc.imports.iter_mut().zip(list) {
            edge.selected = n;
        }
    }
    (Some(view), sink.into_diagnostics())
}

/// The documents and edges of `g`; an edge's failure is the code of the error found at its href.
fn view_of(g: &ImportGraph, found: &[Diagnostic]) -> ImportView {
    let docs = (g.docs.iter().enumerate())
        .map(|(idx, loaded)| {
            let (profile, title, imports) = match &loaded.doc {
                Document::Catalog(c) => (false, c.metadata.title.0.to_markdown(), Vec::new()),
                Document::Profile(p) => {
                    let targets = g.imports.get(idx).map(Vec::as_slice).unwrap_or_default();
                    let edges = (p.imports.iter().enumerate())
                        .map(|(i, import)| {
                            let to = targets.get(i).copied().flatten();
                            let failure =
                                failure_at(found, loaded.source, i).filter(|_| to.is_none());
                            let back = p.back_matter.as_ref();
                            let to = match failure {
                                Some("req-circular-error") => {
                                    cycle_target(g, &import.href, &loaded.uri, back, loaded.format)
                                }
                                _ => to,
                            };
                            EdgeView {
                                href: import.href.clone(),
                                resource: resource_of(&import.href, back),
                                to,
                                selected: None,
                                failure: failure.map(str::to_owned),
                            }
                        })
                        .collect();
                    (true, p.metadata.title.0.to_markdown(), edges)
                }
            };
            DocView {
                name: display_uri(&loaded.uri),
                profile,
                title,
                imports,
            }
        })
        .collect();
    ImportView { root: g.root, docs }
}

/// The code of the first error located at import `i`'s href in `source`.
fn failure_at(found: &[Diagnostic], source: crate::diag::SourceId, i: usize) -> Option<&str> {
    let at = format!("/profile/imports/{i}/href");
    found
        .iter()
        .filter(|d| d.is_error())
        .find(|d| {
            d.primary
                .as_ref()
                .is_some_and(|s| s.source == source && matches!(&s.at, At::Pointer(p) if *p == at))
        })
        .map(|d| d.code)
}

/// The document a circular import leads back to: the first of its candidates the graph holds.
fn cycle_target(
    g: &ImportGraph,
    href: &str,
    base: &Url,
    back: Option<&BackMatter>,
    format: Format,
) -> Option<usize> {
    let candidates = href::candidates(href, base, back, format).ok()?;
    candidates.into_iter().find_map(|c| {
        let key = match c {
            Candidate::Uri { mut uri, .. } => {
                uri.set_fragment(None);
                uri
            }
            Candidate::Base64 { key, .. } => key,
        };
        g.docs.iter().position(|d| d.uri == key)
    })
}

/// The resource a `#uuid` href names, as uuid and title.
fn resource_of(href: &str, back: Option<&BackMatter>) -> Option<(String, String)> {
    let uuid = href.strip_prefix('#')?;
    let r = back?.resources.iter().find(|r| r.uuid == uuid)?;
    let title = r
        .title
        .as_ref()
        .map(|t| t.0.to_markdown())
        .unwrap_or_default();
    Some((r.uuid.clone(), title))
}

/// The picture of `view` in `style`, ending in a newline.
pub fn draw(view: &ImportView, style: Style) -> String {
    match style {
        Style::Tree => tree(view),
        Style::Dot => dot(view),
        Style::Mermaid => mermaid(view),
    }
}

// ---------------------------------------------------------------- tree

fn tree(view: &ImportView) -> String {
    let mut out = String::new();
    let mut shown: Vec<bool> = (0..view.docs.len()).map(|i| i == view.root).collect();
    if let Some(root) = view.docs.get(view.root) {
        let _ = writeln!(out, "{}", doc_line(root));
        // An explicit stack (document depth is bounded, but the walk need not recurse): each
        // entry is a document's imports still to print, with the prefix of their lines.
        let mut stack: Vec<(usize, usize, String)> = vec![(view.root, 0, String::new())];
        while let Some((doc, next, prefix)) = stack.pop() {
            let Some(edge) = view.docs.get(doc).and_then(|d| d.imports.get(next)) else {
                continue;
            };
            let last = next + 1 == view.docs.get(doc).map_or(0, |d| d.imports.len());
            let (branch, more) = if last {
                ("└── ", "    ")
            } else {
                ("├── ", "│   ")
            };
            let _ = writeln!(out, "{prefix}{branch}{}", edge_line(view, edge, &shown));
            stack.push((doc, next + 1, prefix.clone()));
            let expand =
                edge.failure.is_none() && edge.to.is_some_and(|t| shown.get(t) == Some(&false));
            if let (true, Some(t)) = (expand, edge.to) {
                if let Some(seen) = shown.get_mut(t) {
                    *seen = true;
                }
                stack.push((t, 0, format!("{prefix}{more}")));
            }
        }
    }
    out
}

fn doc_line(d: &DocView) -> String {
    format!("{} ({}: {})", text(&d.name), kind(d), text(&d.title))
}

fn edge_line(view: &ImportView, e: &EdgeView, shown: &[bool]) -> String {
    let via = match &e.resource {
        Some((uuid, title)) if title.is_empty() => format!(" via resource #{}", text(uuid)),
        Some((uuid, title)) => format!(" via resource #{} ({})", text(uuid), text(title)),
        None => String::new(),
    };
    let target = e.to.and_then(|t| view.docs.get(t).map(|d| (t, d)));
    match (&e.failure, target) {
        (Some(code), Some((_, d))) if code == "req-circular-error" => {
            format!("↺ {}{via}: circular import ({code})", text(&d.name))
        }
        (Some(code), _) => format!("✗ {}{via}: {code}", text(&e.href)),
        (None, Some((t, d))) => {
            let count = (e.selected)
                .map(|n| format!(": {}", super::html::controls(n)))
                .unwrap_or_default();
            let again = if shown.get(t) == Some(&true) {
                " (shown above)"
            } else {
                ""
            };
            format!("{}{via}{count}{again}", doc_line(d))
        }
        (None, None) => format!("✗ {}{via}", text(&e.href)),
    }
}

/// A string from a document on one line: control characters escaped.
fn text(s: &str) -> String {
    s.chars()
        .flat_map(|c| match c.is_control() {
            true => c.escape_default().collect::<Vec<_>>(),
            false => vec![c],
        })
        .collect()
}

// ---------------------------------------------------------------- DOT and Mermaid

/// The label of an edge: the count, the resource, the failure.
fn edge_label(e: &EdgeView) -> String {
    let mut parts = Vec::new();
    if let Some((uuid, _)) = &e.resource {
        parts.push(format!("via #{uuid}"));
    }
    match (&e.failure, e.selected) {
        (Some(code), _) => parts.push(code.clone()),
        (None, Some(n)) => parts.push(super::html::controls(n)),
        (None, None) => {}
    }
    parts.join(", ")
}

fn kind(d: &DocView) -> &'static str {
    if d.profile { "profile" } else { "catalog" }
}

fn dot(view: &ImportView) -> String {
    let mut out = String::from("digraph imports {\n  rankdir=LR;\n  node [shape=box];\n");
    for (i, d) in view.docs.iter().enumerate() {
        let shape = if d.profile { "box" } else { "folder" };
        let label = format!("{}\n{}", kind(d), d.name);
        let _ = writeln!(
            out,
            "  d{i} [shape={shape}, label=\"{}\"];",
            dot_escape(&label)
        );
    }
    for (i, d) in view.docs.iter().enumerate() {
        for (j, e) in d.imports.iter().enumerate() {
            let label = dot_escape(&edge_label(e));
            let to = match e.to {
                Some(t) => format!("d{t}"),
                None => {
                    let _ = writeln!(
                        out,
                        "  f{i}_{j} [shape=box, style=dashed, label=\"{}\"];",
                        dot_escape(&e.href)
                    );
                    format!("f{i}_{j}")
                }
            };
            let style = if e.failure.is_some() {
                ", style=dashed, color=red"
            } else {
                ""
            };
            let _ = writeln!(out, "  d{i} -> {to} [label=\"{label}\"{style}];");
        }
    }
    out.push_str("}\n");
    out
}

/// A DOT double-quoted string's content: `\` and `"` escaped, a newline as DOT's `\n`, other
/// control characters as spaces.
fn dot_escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            '"' => out.push_str("\\\""),
            '\n' => out.push_str("\\n"),
            c if c.is_control() => out.push(' '),
            c => out.push(c),
        }
    }
    out
}

fn mermaid(view: &ImportView) -> String {
    let mut out = String::from("flowchart LR\n");
    for (i, d) in view.docs.iter().enumerate() {
        let label = format!("{}<br/>{}", kind(d), mermaid_escape(&d.name));
        let _ = writeln!(out, "  d{i}[\"{label}\"]");
    }
    for (i, d) in view.docs.iter().enumerate() {
        for (j, e) in d.imports.iter().enumerate() {
            let to = match e.to {
                Some(t) => format!("d{t}"),
                None => {
                    let _ = writeln!(out, "  f{i}_{j}[\"{}\"]", mermaid_escape(&e.href));
                    format!("f{i}_{j}")
                }
            };
            let arrow = if e.failure.is_some() { "-.->" } else { "-->" };
            let label = edge_label(e);
            if label.is_empty() {
                let _ = writeln!(out, "  d{i} {arrow} {to}");
            } else {
                let _ = writeln!(out, "  d{i} {arrow}|\"{}\"| {to}", mermaid_escape(&label));
            }
        }
    }
    out
}

/// A Mermaid quoted label's content: anything but letters, digits and plain punctuation as a
/// Mermaid entity code (`#34;`), so no quote, bracket, pipe, markup or newline is live.
fn mermaid_escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        if c.is_alphanumeric() || matches!(c, ' ' | '.' | '/' | '_' | '-' | ':' | ',' | '(' | ')') {
            out.push(c);
        } else {
            let _ = write!(out, "#{};", u32::from(c));
        }
    }
    out
}
