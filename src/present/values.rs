//! Values in prose. In: a resolved catalog (or one parameter) and a [`Style`]. Out: the text an
//! `insert type="param"` stands for ([`param_text`], [`Texts`]), and the catalog with every such
//! insert in its parts' prose and titles replaced by that text ([`fill`]), in the markup form it
//! was read in (Markdown or XML), so the output stays valid OSCAL in every format.
//!
//! The text of a parameter: its values joined with `", "`; with none, its choices
//! (`[Selection (one or more): a; b]` when `how-many` is `one-or-more`, else `[Selection: a; b]`);
//! with neither, its label (`[Assignment: organization-defined frequency]`, as NIST prints its
//! publications); with no label either, its id (`[Assignment: ac-1_prm_1]`). A parameter without
//! a value is always in brackets; the [`Style`] says whether a value is ([`Style::Nist`]:
//! `[Assignment: at least annually]`) or is not ([`Style::Plain`]: `at least annually`).
//! Inserts inside labels and choices (SP 800-53 rev5 has choices that hold a parameter) become
//! that parameter's text in turn.
//!
//! Bounds on hostile input: each parameter's text is worked out once (a table), an insert cycle
//! stops at the parameter already on the way, and a text is cut at [`MAX_TEXT`] characters, so
//! choices that insert each other cannot grow the output exponentially. Parameters themselves are
//! left as they are: only parts change.

use crate::model::{Catalog, Control, Group, Markup, MarkupLine, MarkupMultiline, Parameter, Part};
use indexmap::IndexMap;
use quick_xml::escape::escape;
use quick_xml::events::Event;

/// The longest text one parameter becomes, in characters; longer texts end in `…`.
pub const MAX_TEXT: usize = 4096;

/// The most bytes the texts of a catalog's parameters take together, and the most bytes filling
/// one catalog may add to its prose: past it, a parameter's text is its id in brackets and an
/// insert stays an insert (still valid OSCAL). A hostile catalog of many parameters, or of
/// prose with many inserts of one long text, cannot grow the output without bound.
pub const MAX_TOTAL: usize = 64 << 20;

/// Deepest part nesting filled; deeper parts keep their inserts (the loader's depth limit is
/// lower).
const MAX_PART_DEPTH: usize = 512;

/// How a parameter's text is marked in prose.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Style {
    /// NIST's printed style: every parameter in brackets, a value too
    /// (`[Assignment: at least annually]`).
    #[default]
    Nist,
    /// Values as plain text (`at least annually`); a parameter without a value keeps its
    /// brackets, so what is still to be decided shows.
    Plain,
}

/// The text of one parameter in `style`. An insert inside its label or choices is shown as the
/// inserted parameter's id in brackets; [`Texts`] fills those from a whole catalog instead.
///
/// ```
/// use oscalc::model::{MarkupLine, Parameter};
/// use oscalc::present::values::{Style, param_text};
///
/// let json = r#"{"id": "ac-1_prm_2", "label": "organization-defined frequency"}"#;
/// let mut p: Parameter = serde_json::from_str(json).unwrap();
/// assert_eq!(param_text(&p, Style::Nist), "[Assignment: organization-defined frequency]");
/// p.values = vec!["at least annually".into()];
/// assert_eq!(param_text(&p, Style::Nist), "[Assignment: at least annually]");
/// assert_eq!(param_text(&p, Style::Plain), "at least annually");
/// ```
pub fn param_text(param: &Parameter, style: Style) -> String {
    text_of(param, style, &mut |id| format!("[{id}]"))
}

/// The texts of every parameter of a catalog, by id, inserts in labels and choices filled.
#[derive(Debug, Clone, Default)]
pub struct Texts {
    by_id: IndexMap<String, String>,
    /// Bytes filling may still add ([`MAX_TOTAL`] at first).
    left: std::cell::Cell<usize>,
}

impl Texts {
    /// Works out the text of every parameter of `catalog` (top level, groups, controls).
    pub fn new(catalog: &Catalog, style: Style) -> Self {
        let mut params: IndexMap<&str, &Parameter> = IndexMap::new();
        collect_params(catalog, &mut params);
        let mut work = Work {
            params: &params,
            style,
            done: IndexMap::new(),
            on_way: Vec::new(),
            spent: 0,
        };
        let ids: Vec<&str> = params.keys().copied().collect();
        for id in ids {
            work.text(id);
        }
        Texts {
            by_id: work.done,
            left: std::cell::Cell::new(MAX_TOTAL),
        }
    }

    /// The text of parameter `id`, if the catalog has it.
    pub fn get(&self, id: &str) -> Option<&str> {
        self.by_id.get(id).map(String::as_str)
    }

    /// The text of parameter `id` for one insert, counted against what filling may add; `None`
    /// when the catalog lacks it or the budget is spent.
    fn spend(&self, id: &str) -> Option<&str> {
        let text = self.get(id)?;
        let left = self.left.get().checked_sub(text.len())?;
        self.left.set(left);
        Some(text)
    }
}

/// Replaces every `insert type="param"` in the prose and titles of `catalog`'s parts by the
/// parameter's text in `style`; an insert of a parameter the catalog lacks stays. The catalog's
/// uuid becomes a name-based uuid of the old one and the style: the content changed, and a
/// reproducible run stays reproducible.
///
/// ```
/// use oscalc::{Format, MemWorld, Options, emit, resolve};
/// use oscalc::present::values::{Style, fill};
///
/// let mut world = MemWorld::new();
/// world.add("cat.json", r#"{"catalog": {
///   "uuid": "8bd5f2a4-6a6b-4f7c-9a43-2b4f7cbbd7a4",
///   "metadata": {"title": "Catalog", "last-modified": "2024-01-01T00:00:00Z",
///                "version": "1", "oscal-version": "1.2.3"},
///   "controls": [{"id": "ac-1", "title": "Policy",
///     "params": [{"id": "ac-1_prm_1", "label": "organization-defined personnel"},
///                {"id": "ac-1_prm_2", "label": "organization-defined frequency"}],
///     "parts": [{"id": "ac-1_smt", "name": "statement",
///       "prose": "Give it to {{ insert: param, ac-1_prm_1 }} and review it {{ insert: param, ac-1_prm_2 }}."}]}]
/// }}"#);
/// let profile = world.add("p.json", r#"{"profile": {
///   "uuid": "1bd5f2a4-6a6b-4f7c-9a43-2b4f7cbbd7a4",
///   "metadata": {"title": "Baseline", "last-modified": "2024-01-01T00:00:00Z",
///                "version": "1", "oscal-version": "1.2.3"},
///   "imports": [{"href": "cat.json", "include-all": {}}],
///   "modify": {"set-parameters": [{"param-id": "ac-1_prm_2", "values": ["yearly"]}]}
/// }}"#);
/// let mut resolved = resolve(&world, &profile, &Options::default()).output.unwrap();
/// fill(&mut resolved.catalog, Style::Plain);
/// assert!(oscalc::validate::output(&resolved).is_empty());
/// let prose = resolved.catalog.controls[0].parts[0].prose.as_ref().unwrap().0.raw();
/// assert_eq!(prose, "Give it to [Assignment: organization-defined personnel] and review it yearly.");
/// let xml = String::from_utf8(emit(&resolved, Format::Xml))?;
/// assert!(xml.contains("review it yearly.</p>"));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn fill(catalog: &mut Catalog, style: Style) {
    let texts = Texts::new(catalog, style);
    for c in &mut catalog.controls {
        fill_control(c, &texts);
    }
    for g in &mut catalog.groups {
        fill_group(g, &texts);
    }
    let name = format!("oscalc show-values {style:?} {}", catalog.uuid);
    catalog.uuid = uuid::Uuid::new_v5(&uuid::Uuid::NAMESPACE_URL, name.as_bytes()).to_string();
}

// ---------------------------------------------------------------- the text of a parameter

/// The text of `param`; `nested` gives the text of a parameter an insert in its label or
/// choices names.
fn text_of(param: &Parameter, style: Style, nested: &mut dyn FnMut(&str) -> String) -> String {
    let text = if !param.values.is_empty() {
        let joined = param.values.join(", ");
        match style {
            Style::Nist => format!("[Assignment: {joined}]"),
            Style::Plain => joined,
        }
    } else if let Some(select) = &param.select {
        let choices: Vec<String> = (select.choice.iter())
            .map(|c| plain(&c.0, &mut *nested))
            .collect();
        let head = match select.how_many.as_deref() {
            Some("one-or-more") => "Selection (one or more)",
            _ => "Selection",
        };
        format!("[{head}: {}]", choices.join("; "))
    } else if let Some(label) = &param.label {
        format!("[Assignment: {}]", plain(&label.0, nested))
    } else {
        format!("[Assignment: {}]", param.id)
    };
    cut(text)
}

fn cut(mut text: String) -> String {
    if let Some((at, _)) = text.char_indices().nth(MAX_TEXT) {
        text.truncate(at);
        text.push('…');
    }
    text
}

/// The plain text of inline markup: tags dropped, entities resolved, runs of whitespace one
/// space, inserts of parameters replaced through `nested`.
fn plain(markup: &Markup, nested: &mut dyn FnMut(&str) -> String) -> String {
    let xml = format!("<r>{}</r>", markup.to_xml(false));
    let mut reader = quick_xml::Reader::from_str(&xml);
    let mut out = String::new();
    loop {
        match reader.read_event() {
            Ok(Event::Text(t)) => out.push_str(&t.xml10_content()),
            Ok(Event::CData(t)) => out.push_str(&t),
            Ok(Event::GeneralRef(r)) => {
                if let Ok(Some(c)) = r.resolve_char_ref() {
                    out.push(c);
                } else if let Some(t) = quick_xml::escape::resolve_xml_entity(&r) {
                    out.push_str(t);
                }
            }
            Ok(Event::Empty(e) | Event::Start(e)) if e.local_name().as_ref() == "insert" => {
                if let Some(id) = param_ref(&e) {
                    out.push_str(&nested(&id));
                }
            }
            Ok(Event::Eof) | Err(_) => break,
            Ok(_) => {}
        }
        if out.len() > MAX_TEXT * 4 {
            break;
        }
    }
    out.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// The `id-ref` of an `<insert type="param">`.
fn param_ref(e: &quick_xml::events::BytesStart<'_>) -> Option<String> {
    let attr = |name: &str| {
        e.attributes()
            .flatten()
            .find(|a| a.key.local_name().as_ref() == name)
            .map(|a| a.value.into_owned())
    };
    (attr("type")? == "param").then_some(())?;
    attr("id-ref")
}

/// The table [`Texts::new`] fills: each parameter once, a cycle cut where it closes.
struct Work<'a> {
    params: &'a IndexMap<&'a str, &'a Parameter>,
    style: Style,
    done: IndexMap<String, String>,
    on_way: Vec<String>,
    /// Bytes of the texts worked out so far.
    spent: usize,
}

impl Work<'_> {
    fn text(&mut self, id: &str) -> String {
        if let Some(t) = self.done.get(id) {
            return t.clone();
        }
        let Some(param) = self.params.get(id).copied() else {
            return format!("[{id}]");
        };
        if self.on_way.iter().any(|w| w == id) || self.spent > MAX_TOTAL {
            return format!("[{id}]");
        }
        self.on_way.push(id.to_owned());
        let style = self.style;
        let text = text_of(param, style, &mut |n| self.text(n));
        self.on_way.pop();
        self.spent += text.len();
        self.done.insert(id.to_owned(), text.clone());
        text
    }
}

fn collect_params<'a>(catalog: &'a Catalog, out: &mut IndexMap<&'a str, &'a Parameter>) {
    fn control<'a>(c: &'a Control, out: &mut IndexMap<&'a str, &'a Parameter>, depth: usize) {
        out.extend(c.params.iter().map(|p| (p.id.as_str(), p)));
        if depth < MAX_PART_DEPTH {
            c.controls.iter().for_each(|c| control(c, out, depth + 1));
        }
    }
    fn group<'a>(g: &'a Group, out: &mut IndexMap<&'a str, &'a Parameter>, depth: usize) {
        out.extend(g.params.iter().map(|p| (p.id.as_str(), p)));
        g.controls.iter().for_each(|c| control(c, out, depth + 1));
        if depth < MAX_PART_DEPTH {
            g.groups.iter().for_each(|g| group(g, out, depth + 1));
        }
    }
    out.extend(catalog.params.iter().map(|p| (p.id.as_str(), p)));
    catalog.controls.iter().for_each(|c| control(c, out, 0));
    catalog.groups.iter().for_each(|g| group(g, out, 0));
}

// ---------------------------------------------------------------- filling the prose

fn fill_group(g: &mut Group, texts: &Texts) {
    fill_parts(&mut g.parts, texts, 0);
    g.controls.iter_mut().for_each(|c| fill_control(c, texts));
    g.groups.iter_mut().for_each(|g| fill_group(g, texts));
}

fn fill_control(c: &mut Control, texts: &Texts) {
    fill_parts(&mut c.parts, texts, 0);
    c.controls.iter_mut().for_each(|c| fill_control(c, texts));
}

fn fill_parts(parts: &mut [Part], texts: &Texts, depth: usize) {
    if depth > MAX_PART_DEPTH {
        return;
    }
    for part in parts {
        if let Some(MarkupLine(m)) = &mut part.title {
            fill_markup(m, texts);
        }
        if let Some(MarkupMultiline(m)) = &mut part.prose {
            fill_markup(m, texts);
        }
        fill_parts(&mut part.parts, texts, depth + 1);
    }
}

/// Fills one markup value in the form it was read in.
pub(crate) fn fill_markup(m: &mut Markup, texts: &Texts) {
    if !crate::model::markup::may_insert(m.raw()) {
        return;
    }
    let filled = match m {
        Markup::Markdown(s) => fill_markdown(s, texts),
        Markup::Xml(s) => fill_xml(s, texts),
    };
    if let (Some(f), Markup::Markdown(s) | Markup::Xml(s)) = (filled, m) {
        *s = f;
    }
}

/// `{{ insert: param, x }}` → the text, escaped as Markdown; `None` when nothing changed.
fn fill_markdown(s: &str, texts: &Texts) -> Option<String> {
    let mut out = String::with_capacity(s.len());
    let mut rest = s;
    let mut changed = false;
    while let Some(at) = rest.find("{{") {
        let (before, from) = rest.split_at(at);
        out.push_str(before);
        let escaped = before.chars().rev().take_while(|&c| c == '\\').count() % 2 == 1;
        // With no `}}` after this `{{`, none comes after a later one either: the rest is text
        // (looking again from each `{{` would take quadratic time on a run of braces).
        let Some(body) = from
            .get(2..)
            .and_then(|b| Some(b.get(..b.find("}}")?)?.to_owned()))
        else {
            out.push_str(from);
            rest = "";
            break;
        };
        let text = Some(body).filter(|_| !escaped).and_then(|b| {
            insert_target(&b)
                .and_then(|id| texts.spend(id))
                .map(|t| (b, t))
        });
        match text {
            Some((body, text)) => {
                let after = from.get(body.len() + 4..).unwrap_or_default();
                out.push_str(&markdown_text(text, after.chars().next()));
                rest = after;
                changed = true;
            }
            None => {
                out.push_str("{{");
                rest = from.get(2..).unwrap_or_default();
            }
        }
    }
    out.push_str(rest);
    changed.then_some(out)
}

/// The parameter id of an insert's body (` insert: param, x `).
pub(super) fn insert_target(body: &str) -> Option<&str> {
    let (kind, id) = body.trim().strip_prefix("insert:")?.split_once(',')?;
    (kind.trim() == "param").then(|| id.trim())
}

/// Plain text as Markdown that reads back as that text: the Markdown writer's own escapes (so
/// `*`, `_`, `"`, `{{` in a value stay text), and a final `]` escaped before `(` or `[`, where
/// the brackets would otherwise make a link.
fn markdown_text(text: &str, next: Option<char>) -> String {
    let mut md = crate::model::markup::xml_to_markdown(&escape(text));
    if matches!(next, Some('(' | '[')) && md.ends_with(']') && !md.ends_with("\\]") {
        md.pop();
        md.push_str("\\]");
    }
    md
}

/// `<insert type="param" id-ref="x"/>` → the text, escaped as XML; `None` when nothing changed.
fn fill_xml(s: &str, texts: &Texts) -> Option<String> {
    let mut out = String::with_capacity(s.len());
    let mut rest = s;
    let mut changed = false;
    while let Some(at) = rest.find("<insert") {
        let (before, from) = rest.split_at(at);
        out.push_str(before);
        match xml_insert(from, texts) {
            Some((len, text)) => {
                out.push_str(&escape(text));
                rest = from.get(len..).unwrap_or_default();
                changed = true;
            }
            None => {
                out.push('<');
                rest = from.get(1..).unwrap_or_default();
            }
        }
    }
    out.push_str(rest);
    changed.then_some(out)
}

/// The length of the insert element `from` starts with and its parameter's text, when it is an
/// insert of a parameter the catalog has.
fn xml_insert<'t>(from: &str, texts: &'t Texts) -> Option<(usize, &'t str)> {
    let mut quote = None;
    let end = from.char_indices().find_map(|(i, c)| {
        match (quote, c) {
            (None, '"' | '\'') => quote = Some(c),
            (Some(q), _) if q == c => quote = None,
            (None, '>') => return Some(i),
            _ => {}
        }
        None
    })?;
    let tag = from.get(..=end)?;
    let mut reader = quick_xml::Reader::from_str(tag);
    let (id, len) = match reader.read_event() {
        Ok(Event::Empty(e)) if e.local_name().as_ref() == "insert" => (param_ref(&e)?, end + 1),
        Ok(Event::Start(e)) if e.local_name().as_ref() == "insert" => {
            let after = from.get(end + 1..)?;
            let close = after.len() - after.trim_start().len();
            after.get(close..)?.starts_with("</insert>").then_some(())?;
            (param_ref(&e)?, end + 1 + close + "</insert>".len())
        }
        _ => return None,
    };
    Some((len, texts.spend(&id)?))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn texts(pairs: &[(&str, &str)]) -> Texts {
        Texts {
            by_id: pairs
                .iter()
                .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
                .collect(),
            left: std::cell::Cell::new(MAX_TOTAL),
        }
    }

    #[test]
    fn a_run_of_open_braces_is_read_once() {
        // Looking for `}}` again from each `{{` would scan this 160,000 times.
        let prose = format!("{{{{ insert: param, x }}}} {}", "{{".repeat(160_000));
        let out = fill_markdown(&prose, &texts(&[("x", "v")])).unwrap();
        assert_eq!(out.len(), prose.len() - "{{ insert: param, x }}".len() + 1);
        assert!(out.starts_with("v {{{{"));
    }

    #[test]
    fn filling_stops_adding_past_the_budget() {
        let long = "v".repeat(MAX_TEXT);
        let t = texts(&[("x", long.as_str())]);
        let inserts = MAX_TOTAL / MAX_TEXT + 10;
        let out = fill_markdown(&"{{ insert: param, x }}".repeat(inserts), &t).unwrap();
        assert_eq!(out.matches(long.as_str()).count(), MAX_TOTAL / MAX_TEXT);
        assert_eq!(out.matches("{{ insert: param, x }}").count(), 10);
        assert!(out.len() < MAX_TOTAL + 10 * 30);
    }

    #[test]
    fn markdown_insert_is_replaced_and_escaped() {
        let t = texts(&[("x", "a *b* \"c\" {{ insert: param, y }}")]);
        let out = fill_markdown("do {{ insert: param, x }} now", &t).unwrap();
        assert_eq!(out, r#"do a \*b\* \"c\" \{{ insert: param, y }} now"#);
        let xml = crate::model::markup::markdown_to_xml(&out, false);
        assert!(!xml.contains("<insert"), "{xml}");
        assert!(xml.contains("a *b* \"c\""), "{xml}");
    }

    #[test]
    fn markdown_escaped_or_unknown_insert_stays() {
        let t = texts(&[("x", "v")]);
        assert_eq!(fill_markdown(r"\{{ insert: param, x }}", &t), None);
        assert_eq!(fill_markdown("{{ insert: param, z }}", &t), None);
        assert_eq!(fill_markdown("{{ insert: other, x }}", &t), None);
    }

    #[test]
    fn markdown_bracket_before_parenthesis_is_not_a_link() {
        let t = texts(&[("x", "[Assignment: y]")]);
        let out = fill_markdown("{{ insert: param, x }}(z)", &t).unwrap();
        assert_eq!(out, r"[Assignment: y\](z)");
        let xml = crate::model::markup::markdown_to_xml(&out, false);
        assert!(!xml.contains("<a"), "{xml}");
    }

    #[test]
    fn xml_insert_forms_are_replaced_and_escaped() {
        let t = texts(&[("x", "<b> & 'c'")]);
        let out = fill_xml(
            r#"<p>a <insert type="param" id-ref="x"/> b <insert id-ref='x' type='param'></insert></p>"#,
            &t,
        )
        .unwrap();
        assert_eq!(
            out,
            "<p>a &lt;b&gt; &amp; &apos;c&apos; b &lt;b&gt; &amp; &apos;c&apos;</p>"
        );
        assert_eq!(fill_xml(r#"<insert type="param" id-ref="q"/>"#, &t), None);
    }

    #[test]
    fn choices_that_insert_each_other_stay_bounded() {
        let json = |id: &str, other: &str| {
            format!(
                r#"{{"id": "{id}", "select": {{"how-many": "one-or-more", "choice":
                ["{{{{ insert: param, {other} }}}} and {{{{ insert: param, {other} }}}}"]}}}}"#
            )
        };
        let mut params: Vec<Parameter> = (0..40)
            .map(|i| serde_json::from_str(&json(&format!("p{i}"), &format!("p{}", i + 1))).unwrap())
            .collect();
        params.push(serde_json::from_str(&json("p40", "p0")).unwrap());
        let catalog = Catalog {
            params,
            ..serde_json::from_str(
                r#"{"uuid": "8bd5f2a4-6a6b-4f7c-9a43-2b4f7cbbd7a4", "metadata": {"title": "t",
                "last-modified": "2024-01-01T00:00:00Z", "version": "1", "oscal-version": "1.2.3"}}"#,
            )
            .unwrap()
        };
        let t = Texts::new(&catalog, Style::Nist);
        let p0 = t.get("p0").unwrap();
        assert!(p0.chars().count() <= MAX_TEXT + 1, "{}", p0.len());
        assert!(p0.starts_with("[Selection (one or more): [Selection (one or more): "));
        assert!(p0.ends_with('…'));
    }
}
