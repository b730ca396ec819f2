//! Stage: presentation (after resolution). In: a catalog (a resolved profile, or a catalog as
//! loaded). Out: one self-contained HTML page for reviewers, as a `String`, or [`TooLarge`].
//!
//! The page has no external asset and loads nothing: inline CSS and one inline script, a
//! Content-Security-Policy that forbids every remote load and runs only that script (by its
//! hash), a table of contents, the groups and controls with their prose, each inserted parameter
//! replaced by its text ([`super::values`]) in a `<span class="param">`, where a value was set (the
//! `set-by` provenance prop) as a tooltip and a note, a search box that filters the controls, and
//! CSS for print. Every string from the input is escaped; markup links keep only `#`, `http(s)`
//! and `mailto` targets; images become their alternative text.
//!
//! What it shares with the Markdown and CSV exports (`super::markdown`, `super::csv`): the walk
//! over groups and controls ([`walk`]), the parameter index ([`Params`]), the insert split
//! ([`pieces`]) and the parameters' texts ([`Params::text`]). The output is capped ([`Limits`]): a parameter inserted
//! many times can make a page much larger than its catalog.

use super::values::{Style, Texts, insert_target, param_text};
use crate::model::markup::MAX_DEPTH;
use crate::model::{Catalog, Control, Group, Markup, Parameter, Part, Property};
use indexmap::IndexMap;
use pulldown_cmark::{CowStr, Event, Options as MdOptions, Parser, Tag, TagEnd};

/// The namespace of the provenance props `resolve --provenance` writes.
pub const PROVENANCE_NS: &str = "https://oscalc.dev/ns/provenance";

/// How large an export may grow.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// Most bytes of output.
    pub max_bytes: usize,
}

impl Default for Limits {
    /// 256 MiB: the shipped SP 800-53 rev5 catalog (1189 controls) renders to 1.5 MB.
    fn default() -> Self {
        Limits {
            max_bytes: 256 << 20,
        }
    }
}

/// The export would pass [`Limits::max_bytes`]; nothing is returned.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("the rendered output would be larger than {limit} bytes")]
pub struct TooLarge {
    /// The limit that was reached.
    pub limit: usize,
}

/// Renders `catalog` as one HTML page.
///
/// ```
/// use oscalc::{MemWorld, Options, resolve};
/// use oscalc::present::html::{Limits, render};
///
/// let mut world = MemWorld::new();
/// world.add("cat.json", r#"{"catalog": {
///   "uuid": "8bd5f2a4-6a6b-4f7c-9a43-2b4f7cbbd7a4",
///   "metadata": {"title": "Catalog", "last-modified": "2024-01-01T00:00:00Z",
///                "version": "1", "oscal-version": "1.2.3"},
///   "controls": [{"id": "ac-1", "title": "Policy <b>", "params": [{"id": "ac-1_prm_1"}],
///                 "parts": [{"id": "ac-1_smt", "name": "statement",
///                            "prose": "Review {{ insert: param, ac-1_prm_1 }}."}]}]
/// }}"#);
/// let profile = world.add("p.json", r#"{"profile": {
///   "uuid": "1bd5f2a4-6a6b-4f7c-9a43-2b4f7cbbd7a4",
///   "metadata": {"title": "Baseline", "last-modified": "2024-01-01T00:00:00Z",
///                "version": "1", "oscal-version": "1.2.3"},
///   "imports": [{"href": "cat.json", "include-all": {}}],
///   "modify": {"set-parameters": [{"param-id": "ac-1_prm_1", "values": ["yearly"]}]}
/// }}"#);
/// let resolved = resolve(&world, &profile, &Options::default()).output.unwrap();
/// let page = render(&resolved.catalog, Limits::default())?;
/// assert!(page.contains(r#"Review <span class="param set" data-param="ac-1_prm_1">yearly</span>."#));
/// assert!(page.contains("Policy &lt;b&gt;"));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn render(catalog: &Catalog, limits: Limits) -> Result<String, TooLarge> {
    let params = Params::of(catalog);
    let mut out = Out::new(limits);
    let title = inline_text(&catalog.metadata.title.0, &params);
    out.push(&format!(
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n\
         <meta http-equiv=\"Content-Security-Policy\" content=\"{CSP}\">\n\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n\
         <title>{}</title>\n<style>{CSS}</style>\n</head>\n<body>\n",
        escape(&title)
    ));
    header(&mut out, catalog, &title);
    toc(&mut out, catalog, &params);
    out.push("<main id=\"controls\">\n");
    let mut page = Page {
        out: &mut out,
        params: &params,
    };
    walk(catalog, &mut page);
    out.push("</main>\n<script>");
    out.push(SCRIPT);
    out.push("</script>\n</body>\n</html>\n");
    out.finish()
}

/// The page's only script: the search box hides the controls (and the groups left empty) whose
/// own text does not hold every word typed; an enhancement that matches keeps its parent shown.
const SCRIPT: &str = r#"
(function () {
  "use strict";
  var box = document.getElementById("search");
  var count = document.getElementById("count");
  var controls = Array.prototype.slice.call(document.querySelectorAll("section.control"));
  var groups = Array.prototype.slice.call(document.querySelectorAll("section.group"));
  var texts = controls.map(function (c) {
    var own = c.querySelector(":scope > .own");
    return (c.id + " " + (own ? own.textContent : "")).toLowerCase();
  });
  function filter() {
    var words = box.value.toLowerCase().split(/\s+/).filter(Boolean);
    var shown = 0;
    for (var i = controls.length - 1; i >= 0; i--) {
      var c = controls[i];
      var hit = words.every(function (w) { return texts[i].indexOf(w) >= 0; });
      var child = c.querySelector(":scope > .subs > section.control:not([hidden])");
      c.hidden = !(hit || child);
      if (!c.hidden) { shown++; }
    }
    for (var j = groups.length - 1; j >= 0; j--) {
      groups[j].hidden = !groups[j].querySelector("section.control:not([hidden])");
    }
    count.textContent = shown + " of " + controls.length + " controls";
  }
  box.addEventListener("input", filter);
  filter();
})();
"#;

/// `default-src 'none'`: no fetch, frame, font, image or connection; the script runs by its
/// SHA-256 (a change to [`SCRIPT`] changes it: the browser test fails on the refusal).
const CSP: &str = "default-src 'none'; style-src 'unsafe-inline'; \
     script-src 'sha256-fBGgbN/P/diKWfpKyOOkqZ0a/qVvnp4mf7tTWurKo3c='; \
     img-src data:; form-action 'none'; base-uri 'none'";

const CSS: &str = r#"
body { font: 15px/1.5 system-ui, sans-serif; color: #1b1f24; margin: 0 auto; max-width: 60rem; padding: 0 1.5rem 4rem; }
header { border-bottom: 2px solid #1f4e79; margin-bottom: 1rem; }
h1 { font-size: 1.6rem; color: #1f4e79; margin: 1.2rem 0 .3rem; }
.meta { color: #555; font-size: .9rem; margin: 0 0 .8rem; }
.search { position: sticky; top: 0; background: #fff; padding: .6rem 0; border-bottom: 1px solid #ddd; z-index: 1; }
.search input { font: inherit; width: 22rem; max-width: 70%; padding: .3rem .5rem; border: 1px solid #888; border-radius: 4px; }
#count { color: #555; margin-left: .8rem; font-size: .9rem; }
details.toc { margin: .8rem 0; }
details.toc summary { cursor: pointer; color: #1f4e79; font-weight: 600; }
nav.toc { font-size: .9rem; columns: 2 18rem; margin: .5rem 0 1rem; }
nav.toc ul { list-style: none; padding-left: 1rem; margin: 0; }
nav.toc > ul { padding-left: 0; }
a { color: #1f4e79; }
section.group > h2 { font-size: 1.3rem; color: #1f4e79; border-bottom: 1px solid #ccd; margin-top: 2rem; }
section.control { border-left: 3px solid #1f4e79; padding: .1rem 0 .1rem .9rem; margin: 1.2rem 0; }
section.control section.control { border-left-color: #8aa9c9; }
section.control h3 { font-size: 1.05rem; margin: .3rem 0; }
.cid { font-family: ui-monospace, monospace; color: #1f4e79; margin-right: .5rem; }
.part { margin: .3rem 0; }
.part .part { margin-left: 1.3rem; }
.label { font-weight: 600; margin-right: .3rem; }
.guidance { color: #444; font-size: .93rem; }
.param { background: #fff3c4; border-bottom: 1px dotted #8a6d00; padding: 0 .15rem; }
.param.unset { background: #eef2f7; border-bottom-color: #667; font-style: italic; }
.prov { color: #6a737d; font-size: .8rem; margin: .1rem 0; }
.prov code { font-size: .8rem; }
[hidden] { display: none !important; }
@media print {
  .search, details.toc { display: none; }
  body { max-width: none; font-size: 11pt; }
  section.control { break-inside: avoid; }
  section.group > h2 { break-after: avoid; }
  a { color: inherit; text-decoration: none; }
  .param { background: none; border-bottom: 1px solid #000; }
}
"#;

fn header(out: &mut Out, catalog: &Catalog, title: &str) {
    let m = &catalog.metadata;
    let n = controls(catalog.counts().controls);
    out.push(&format!(
        "<header>\n<h1>{}</h1>\n<p class=\"meta\">version {} · last modified {} · {n}</p>\n\
         </header>\n<div class=\"search\"><input id=\"search\" type=\"search\" \
         placeholder=\"Filter controls: id or words\" aria-label=\"Filter controls\" \
         autocomplete=\"off\"><span id=\"count\"></span></div>\n",
        escape(title),
        escape(&m.version),
        escape(&m.last_modified),
    ));
}

/// The table of contents, folded under its summary line: groups and top-level controls
/// (enhancements are found inside).
fn toc(out: &mut Out, catalog: &Catalog, params: &Params) {
    out.push(
        "<details class=\"toc\"><summary>Contents</summary>\n\
         <nav class=\"toc\" aria-label=\"Contents\">\n<ul>\n",
    );
    for c in &catalog.controls {
        toc_control(out, c, params);
    }
    toc_groups(out, &catalog.groups, params, 0);
    out.push("</ul>\n</nav>\n</details>\n");
}

fn toc_groups(out: &mut Out, groups: &[Group], params: &Params, depth: usize) {
    if depth > MAX_DEPTH {
        return;
    }
    for g in groups {
        let title = escape(&inline_text(&g.title.0, params));
        match &g.id {
            Some(id) => out.push(&format!("<li><a href=\"#{}\">{title}</a>", escape(id))),
            None => out.push(&format!("<li>{title}")),
        }
        if !g.controls.is_empty() || !g.groups.is_empty() {
            out.push("<ul>\n");
            for c in &g.controls {
                toc_control(out, c, params);
            }
            toc_groups(out, &g.groups, params, depth + 1);
            out.push("</ul>");
        }
        out.push("</li>\n");
    }
}

fn toc_control(out: &mut Out, c: &Control, params: &Params) {
    out.push(&format!(
        "<li><a href=\"#{}\">{} {}</a></li>\n",
        escape(&c.id),
        escape(&control_label(c)),
        escape(&inline_text(&c.title.0, params))
    ));
}

/// `1 control`, `93 controls`.
pub(super) fn controls(n: usize) -> String {
    if n == 1 {
        "1 control".to_owned()
    } else {
        format!("{n} controls")
    }
}

/// The HTML writer the walk drives.
struct Page<'a, 'c> {
    out: &'a mut Out,
    params: &'a Params<'c>,
}

impl Visitor for Page<'_, '_> {
    fn group_start(&mut self, g: &Group) {
        let id =
            g.id.as_deref()
                .map(|id| format!(" id=\"{}\"", escape(id)))
                .unwrap_or_default();
        self.out.push(&format!(
            "<section class=\"group\"{id}>\n<h2>{}</h2>\n",
            escape(&inline_text(&g.title.0, self.params))
        ));
        for p in &g.parts {
            part(self.out, p, self.params, 0);
        }
    }

    fn group_end(&mut self) {
        self.out.push("</section>\n");
    }

    fn control_start(&mut self, c: &Control, _group: Option<&Group>) {
        let out = &mut *self.out;
        out.push(&format!(
            "<section class=\"control\" id=\"{}\">\n<div class=\"own\">\n<h3><span class=\"cid\">{}</span>{}</h3>\n",
            escape(&c.id),
            escape(&control_label(c)),
            escape(&inline_text(&c.title.0, self.params))
        ));
        provenance(out, &c.props);
        for p in &c.parts {
            part(out, p, self.params, 0);
        }
        params_note(out, c);
        out.push("</div>\n<div class=\"subs\">\n");
    }

    fn control_end(&mut self) {
        self.out.push("</div>\n</section>\n");
    }
}

/// Notes from the provenance props of a control: how it was selected and what an alter did.
fn provenance(out: &mut Out, props: &[Property]) {
    for p in props.iter().filter(|p| is_provenance(p)) {
        let what = match p.name.as_str() {
            "selected-by" => "selected by",
            "added-by" => "part added by",
            "removed-by" => "part removed:",
            _ => continue,
        };
        out.push(&format!(
            "<p class=\"prov\">{what} <code>{}</code></p>\n",
            escape(&p.value)
        ));
    }
}

/// One line per parameter a profile set, naming where (the `set-by` prop).
fn params_note(out: &mut Out, c: &Control) {
    for p in &c.params {
        if let Some(at) = set_by(p) {
            out.push(&format!(
                "<p class=\"prov\"><code>{}</code> set by <code>{}</code></p>\n",
                escape(&p.id),
                escape(at)
            ));
        }
    }
}

fn part(out: &mut Out, p: &Part, params: &Params, depth: usize) {
    if depth > MAX_DEPTH {
        return;
    }
    let id =
        p.id.as_deref()
            .map(|id| format!(" id=\"{}\"", escape(id)))
            .unwrap_or_default();
    out.push(&format!(
        "<div class=\"part {}\"{id}>",
        escape(&class_name(&p.name))
    ));
    match (&p.title, p.name.as_str()) {
        (Some(t), _) => out.push(&format!(
            "<p class=\"label\">{}</p>",
            escape(&inline_text(&t.0, params))
        )),
        (None, "guidance") => out.push("<p class=\"label\">Discussion</p>"),
        _ => {}
    }
    let label = label(&p.props).map(|l| format!("<span class=\"label\">{}</span>", escape(l)));
    if let Some(prose) = &p.prose {
        out.push(&prose_html(
            &prose.0,
            params,
            label.as_deref().unwrap_or(""),
        ));
    } else if let Some(label) = &label {
        out.push(&format!("<p>{label}</p>"));
    }
    provenance(out, &p.props);
    for sub in &p.parts {
        part(out, sub, params, depth + 1);
    }
    out.push("</div>\n");
}

/// Prose as HTML: the Markdown form through pulldown-cmark, with raw HTML taken as text, links
/// limited to safe targets, images as their text, and inserts as parameter spans. `lead` (a
/// part's label, already HTML) opens the first paragraph.
fn prose_html(markup: &Markup, params: &Params, lead: &str) -> String {
    let md = markup.to_markdown();
    let mut events: Vec<Event> = Vec::new();
    let mut lead = (!lead.is_empty()).then(|| lead.to_owned());
    let mut image = 0usize;
    for ev in pulldown_cmark::TextMergeStream::new(Parser::new_ext(&md, MdOptions::ENABLE_TABLES)) {
        match ev {
            Event::Text(t) => events.extend(text_events(&t, params)),
            Event::Html(h) | Event::InlineHtml(h) => events.push(Event::Text(h)),
            Event::Start(Tag::Link {
                link_type,
                dest_url,
                title,
                id,
            }) => {
                let dest_url = if safe_href(&dest_url) {
                    dest_url
                } else {
                    CowStr::Borrowed("#")
                };
                events.push(Event::Start(Tag::Link {
                    link_type,
                    dest_url,
                    title,
                    id,
                }));
            }
            // An image would be a load: its text stays, the picture goes.
            Event::Start(Tag::Image { .. }) => image += 1,
            Event::End(TagEnd::Image) => image = image.saturating_sub(1),
            Event::Start(Tag::Paragraph) => {
                events.push(Event::Start(Tag::Paragraph));
                if let Some(l) = lead.take() {
                    events.push(Event::InlineHtml(l.into()));
                }
            }
            other if image == 0 || matches!(other, Event::Text(_)) => events.push(other),
            _ => {}
        }
    }
    let mut html = lead.map(|l| format!("<p>{l}</p>")).unwrap_or_default();
    pulldown_cmark::html::push_html(&mut html, events.into_iter());
    html
}

/// A text event with its inserts as `<span class="param">` events (the only raw HTML let
/// through, built from escaped text).
fn text_events<'e>(text: &str, params: &Params) -> Vec<Event<'e>> {
    pieces(text)
        .into_iter()
        .map(|piece| match piece {
            Piece::Text(t) => Event::Text(t.to_owned().into()),
            Piece::Param(id) => Event::InlineHtml(param_span(id, params).into()),
        })
        .collect()
}

fn param_span(id: &str, params: &Params) -> String {
    let Some(p) = params.get(id) else {
        return format!(
            "<span class=\"param unset\" data-param=\"{0}\">[{0}]</span>",
            escape(id)
        );
    };
    let text = escape(&params.text(p));
    let set = if p.values.is_empty() { "unset" } else { "set" };
    let title =
        (set_by(p).map(|at| format!(" title=\"set by {}\"", escape(at)))).unwrap_or_default();
    format!(
        "<span class=\"param {set}\" data-param=\"{}\"{title}>{text}</span>",
        escape(id)
    )
}

/// Link targets a page may keep: a place in the page, the web, a mail address.
fn safe_href(href: &str) -> bool {
    let lower = href.trim_start().to_ascii_lowercase();
    lower.starts_with('#')
        || lower.starts_with("https://")
        || lower.starts_with("http://")
        || lower.starts_with("mailto:")
}

/// Plain text of markup with inserts filled in; blocks on lines of their own.
pub(super) fn inline_text(markup: &Markup, params: &Params) -> String {
    plain(&markup.to_markdown(), &|id| match params.get(id) {
        Some(p) => params.text(p),
        None => id.to_owned(),
    })
}

/// Markdown → plain text: the text of every text and code event, breaks as spaces, blocks
/// separated by a newline; each insert replaced by `fill(id)`.
fn plain(md: &str, fill: &dyn Fn(&str) -> String) -> String {
    let mut out = String::new();
    for ev in pulldown_cmark::TextMergeStream::new(Parser::new_ext(md, MdOptions::ENABLE_TABLES)) {
        match ev {
            Event::Text(t) => {
                for piece in pieces(&t) {
                    match piece {
                        Piece::Text(s) => out.push_str(s),
                        Piece::Param(id) => out.push_str(&fill(id)),
                    }
                }
            }
            Event::Code(t) | Event::Html(t) | Event::InlineHtml(t) => out.push_str(&t),
            Event::SoftBreak | Event::HardBreak => out.push(' '),
            Event::End(TagEnd::Paragraph | TagEnd::Item | TagEnd::Heading(_))
                if !out.ends_with('\n') && !out.is_empty() =>
            {
                out.push('\n');
            }
            _ => {}
        }
    }
    out.trim_end().to_owned()
}

/// A piece of text: plain, or a parameter insert.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Piece<'t> {
    /// Text as it is.
    Text(&'t str),
    /// `{{ insert: param, ID }}`.
    Param(&'t str),
}

/// Splits text at its parameter inserts (`{{ insert: param, id }}`); any other `{{ … }}` stays
/// text.
pub(super) fn pieces(text: &str) -> Vec<Piece<'_>> {
    let mut out = Vec::new();
    let mut rest = text;
    while let Some(open) = rest.find("{{") {
        let Some(after) = rest.get(open + 2..) else {
            break;
        };
        let Some(close) = after.find("}}") else {
            break;
        };
        let param = insert_target(after.get(..close).unwrap_or_default());
        let (head, tail) = (
            rest.get(..open).unwrap_or_default(),
            after.get(close + 2..).unwrap_or_default(),
        );
        match param {
            Some(id) => {
                if !head.is_empty() {
                    out.push(Piece::Text(head));
                }
                out.push(Piece::Param(id));
            }
            None => out.push(Piece::Text(
                rest.get(..open + 2 + close + 2).unwrap_or(rest),
            )),
        }
        rest = tail;
    }
    if !rest.is_empty() {
        out.push(Piece::Text(rest));
    }
    out
}

/// Every parameter of a catalog by id (catalog, group and control parameters; the first of an
/// id wins, as a catalog's ids are unique).
#[derive(Debug, Default)]
pub(super) struct Params<'c> {
    by_id: IndexMap<&'c str, &'c Parameter>,
    texts: Texts,
}

impl<'c> Params<'c> {
    /// The index of `catalog`'s parameters.
    pub(super) fn of(catalog: &'c Catalog) -> Self {
        let mut by_id = IndexMap::new();
        let mut add = |ps: &'c [Parameter]| {
            for p in ps {
                by_id.entry(p.id.as_str()).or_insert(p);
            }
        };
        add(&catalog.params);
        let mut groups: Vec<&Group> = catalog.groups.iter().collect();
        let mut controls: Vec<&Control> = catalog.controls.iter().collect();
        while let Some(g) = groups.pop() {
            add(&g.params);
            groups.extend(&g.groups);
            controls.extend(&g.controls);
        }
        while let Some(c) = controls.pop() {
            add(&c.params);
            controls.extend(&c.controls);
        }
        Params {
            by_id,
            texts: Texts::new(catalog, Style::Plain),
        }
    }

    /// The text `p` stands for where it is inserted ([`super::values`], plain style: a value as
    /// it is, a parameter without one in brackets).
    pub(super) fn text(&self, p: &Parameter) -> String {
        (self.texts.get(&p.id)).map_or_else(|| param_text(p, Style::Plain), str::to_owned)
    }

    /// The parameter `id`.
    pub(super) fn get(&self, id: &str) -> Option<&'c Parameter> {
        self.by_id.get(id).copied()
    }
}

/// Where a parameter's value was set: its `set-by` provenance prop.
pub(super) fn set_by(p: &Parameter) -> Option<&str> {
    p.props
        .iter()
        .find(|pr| pr.name == "set-by" && is_provenance(pr))
        .map(|pr| pr.value.as_str())
}

fn is_provenance(p: &Property) -> bool {
    p.ns.as_deref() == Some(PROVENANCE_NS)
}

/// A control's printed label: its `label` prop (`AC-2(1)`), else its id.
pub(super) fn control_label(c: &Control) -> String {
    label(&c.props).map_or_else(|| c.id.clone(), str::to_owned)
}

/// The value of the OSCAL `label` prop among `props` (a control's or a part's).
pub(super) fn label(props: &[Property]) -> Option<&str> {
    props
        .iter()
        .find(|p| p.name == "label" && p.ns.is_none())
        .map(|p| p.value.as_str())
}

/// The events of the walk over a catalog's groups and controls, in document order.
pub(super) trait Visitor {
    /// A group opens (its controls and sub-groups follow).
    fn group_start(&mut self, _g: &Group) {}
    /// The group closes.
    fn group_end(&mut self) {}
    /// A control opens (its enhancements follow); `group` is the nearest enclosing group.
    fn control_start(&mut self, c: &Control, group: Option<&Group>);
    /// The control closes.
    fn control_end(&mut self) {}
}

/// The walk: top-level controls first, then groups; in each group its controls, then its
/// sub-groups (the order of the OSCAL schema). Nesting past [`MAX_DEPTH`] is not rendered
/// (loading bounds it far lower).
pub(super) fn walk(catalog: &Catalog, v: &mut dyn Visitor) {
    for c in &catalog.controls {
        control(v, c, None, 0);
    }
    groups(v, &catalog.groups, 0);
}

fn groups(v: &mut dyn Visitor, gs: &[Group], depth: usize) {
    if depth > MAX_DEPTH {
        return;
    }
    for g in gs {
        v.group_start(g);
        for c in &g.controls {
            control(v, c, Some(g), depth + 1);
        }
        groups(v, &g.groups, depth + 1);
        v.group_end();
    }
}

fn control(v: &mut dyn Visitor, c: &Control, group: Option<&Group>, depth: usize) {
    if depth > MAX_DEPTH {
        return;
    }
    v.control_start(c, group);
    for sub in &c.controls {
        control(v, sub, group, depth + 1);
    }
    v.control_end();
}

/// A part name as a CSS class: letters, digits, `-` and `_` only.
fn class_name(name: &str) -> String {
    name.chars()
        .filter(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_'))
        .collect()
}

/// Escapes text for HTML content and double-quoted attribute values.
pub(super) fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// An output under a size limit: once past it, writing stops and [`Out::finish`] says so.
pub(super) struct Out {
    buf: String,
    limit: usize,
    over: bool,
}

impl Out {
    /// An empty output under `limits`.
    pub(super) fn new(limits: Limits) -> Self {
        Out {
            buf: String::new(),
            limit: limits.max_bytes,
            over: false,
        }
    }

    /// Appends `s`, unless the limit is passed.
    pub(super) fn push(&mut self, s: &str) {
        if self.over || self.buf.len().saturating_add(s.len()) > self.limit {
            self.over = true;
            return;
        }
        self.buf.push_str(s);
    }

    /// The output, or [`TooLarge`].
    pub(super) fn finish(self) -> Result<String, TooLarge> {
        if self.over {
            Err(TooLarge { limit: self.limit })
        } else {
            Ok(self.buf)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pieces_split_param_inserts_and_keep_other_braces() {
        assert_eq!(
            pieces("a {{ insert: param, x_1 }} b {{ other }} c{{insert:param,y}}"),
            vec![
                Piece::Text("a "),
                Piece::Param("x_1"),
                Piece::Text(" b {{ other }}"),
                Piece::Text(" c"),
                Piece::Param("y"),
            ]
        );
        assert_eq!(pieces("open {{ only"), vec![Piece::Text("open {{ only")]);
    }

    #[test]
    fn unsafe_link_targets_become_a_local_anchor() {
        let params = Params::default();
        let html = prose_html(
            &Markup::markdown(
                "[x](javascript:alert(1)) <img src=x onerror=y> ![a](http://e/i.png)",
            ),
            &params,
            "",
        );
        assert!(html.contains("<a href=\"#\">x</a>"), "{html}");
        assert!(html.contains("&lt;img src=x onerror=y&gt;"), "{html}");
        assert!(!html.contains("<img"), "{html}");
    }
}
