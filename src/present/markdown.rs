//! Stage: presentation. In: a catalog. Out: one Markdown document, as NIST and agencies publish
//! beside their OSCAL: a heading per group and per control (enhancements one level deeper), the
//! prose with each inserted parameter's text ([`super::values`]) in bold, parts
//! named by their labels, and where a value was set (the `set-by` provenance prop).
//!
//! Text from the input is Markdown-escaped where it is not prose, and in prose `<` is written
//! `&lt;`, so no input string becomes raw HTML where the document is shown.

use super::html::{
    Limits, Out, Params, Piece, TooLarge, Visitor, control_label, inline_text, pieces, set_by, walk,
};
use crate::model::markup::MAX_DEPTH;
use crate::model::{Catalog, Control, Group, Markup, Part};

/// Renders `catalog` as one Markdown document.
///
/// ```
/// use oscalc::load::load;
/// use oscalc::model::Document;
/// use oscalc::present::{html::Limits, markdown::render};
/// use oscalc::source::SourceMap;
///
/// let text = r#"{"catalog": {
///   "uuid": "8bd5f2a4-6a6b-4f7c-9a43-2b4f7cbbd7a4",
///   "metadata": {"title": "Catalog", "last-modified": "2024-01-01T00:00:00Z",
///                "version": "1", "oscal-version": "1.2.3"},
///   "groups": [{"id": "ac", "title": "Access Control", "controls": [
///     {"id": "ac-1", "title": "Policy", "params": [{"id": "ac-1_prm_1", "values": ["yearly"]}],
///      "parts": [{"id": "ac-1_smt", "name": "statement",
///                 "prose": "Review {{ insert: param, ac-1_prm_1 }}."}]}]}]
/// }}"#;
/// let uri = url::Url::parse("file:///cat.json")?;
/// let loaded = load(text.as_bytes().to_vec(), &uri, &mut SourceMap::default(),
///                   &oscalc::Options::default()).unwrap();
/// let Document::Catalog(catalog) = &loaded.doc else { unreachable!() };
/// let md = render(catalog, Limits::default())?;
/// assert!(md.contains("\n## Access Control\n"));
/// assert!(md.contains("\n### ac-1 Policy\n"));
/// assert!(md.contains("Review **yearly**."));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn render(catalog: &Catalog, limits: Limits) -> Result<String, TooLarge> {
    let params = Params::of(catalog);
    let mut out = Out::new(limits);
    let m = &catalog.metadata;
    out.push(&format!(
        "# {}\n\nVersion {} · last modified {} · {}\n",
        escape(&inline_text(&m.title.0, &params)),
        escape(&m.version),
        escape(&m.last_modified),
        super::html::controls(catalog.counts().controls)
    ));
    let mut doc = Doc {
        out: &mut out,
        params: &params,
        level: 1,
    };
    walk(catalog, &mut doc);
    out.finish()
}

struct Doc<'a, 'c> {
    out: &'a mut Out,
    params: &'a Params<'c>,
    /// The heading level of the enclosing group or control.
    level: usize,
}

impl Doc<'_, '_> {
    fn heading(&mut self, text: &str) {
        self.level += 1;
        let hashes = "#".repeat(self.level.min(6));
        self.out.push(&format!("\n{hashes} {text}\n"));
    }
}

impl Visitor for Doc<'_, '_> {
    fn group_start(&mut self, g: &Group) {
        self.heading(&escape(&inline_text(&g.title.0, self.params)));
        for p in &g.parts {
            part(self.out, p, self.params, 0);
        }
    }

    fn group_end(&mut self) {
        self.level -= 1;
    }

    fn control_start(&mut self, c: &Control, _group: Option<&Group>) {
        let label = escape(&control_label(c));
        self.heading(&format!(
            "{label} {}",
            escape(&inline_text(&c.title.0, self.params))
        ));
        for p in &c.parts {
            part(self.out, p, self.params, 0);
        }
        for p in &c.params {
            if let Some(at) = set_by(p) {
                self.out
                    .push(&format!("\n*`{}` set by `{}`*\n", code(&p.id), code(at)));
            }
        }
    }

    fn control_end(&mut self) {
        self.level -= 1;
    }
}

/// A part: top-level parts as paragraphs (a titled or guidance part under a bold lead), their
/// sub-parts (statement items) as a nested list.
fn part(out: &mut Out, p: &Part, params: &Params, depth: usize) {
    if depth > MAX_DEPTH {
        return;
    }
    let label = super::html::label(&p.props).map(label_text);
    let indent = "  ".repeat(depth.saturating_sub(1));
    let lead = match (&p.title, p.name.as_str(), depth) {
        (Some(t), _, _) => format!("**{}** ", escape(&inline_text(&t.0, params))),
        (None, "guidance", 0) => "**Discussion.** ".to_owned(),
        _ => String::new(),
    };
    let label = label.map(|l| format!("{l} ")).unwrap_or_default();
    let text = p
        .prose
        .as_ref()
        .map(|pr| prose(&pr.0, params))
        .unwrap_or_default();
    let body = format!("{lead}{label}{}", text.trim_start());
    if !body.trim().is_empty() {
        if depth == 0 {
            out.push(&format!("\n{}\n", body.trim_end()));
        } else {
            // A list item's later lines sit under its text.
            let cont = format!("\n{indent}  ");
            out.push(&format!(
                "{indent}- {}\n",
                body.trim_end().replace('\n', &cont)
            ));
        }
    }
    if depth == 0 && !p.parts.is_empty() {
        // The items form one tight list, after a blank line.
        out.push("\n");
    }
    for sub in &p.parts {
        part(out, sub, params, depth + 1);
    }
}

/// Prose as Markdown with each parameter insert as its text in bold, and `<` as `&lt;`.
fn prose(markup: &Markup, params: &Params) -> String {
    let md = markup.to_markdown();
    let mut out = String::with_capacity(md.len());
    for piece in pieces(&md) {
        match piece {
            Piece::Text(t) => out.push_str(&safe_links(&t.replace('<', "&lt;"))),
            Piece::Param(id) => {
                let text = params
                    .get(id)
                    .map_or_else(|| id.to_owned(), |p| params.text(p));
                out.push_str(&format!("**{}**", escape(&text)));
            }
        }
    }
    out
}

/// Link targets other than `#…`, `http(s):` and `mailto:` replaced by `#` (as in the HTML
/// page): a `javascript:` link stays text wherever the document is shown.
fn safe_links(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(at) = rest.find("](") {
        let (head, tail) = rest.split_at(at + 2);
        out.push_str(head);
        let target = tail
            .trim_start()
            .trim_start_matches("&lt;")
            .to_ascii_lowercase();
        let safe = ["#", "https://", "http://", "mailto:"]
            .iter()
            .any(|p| target.starts_with(p));
        rest = tail;
        if !safe {
            // The target up to its closing parenthesis (nested pairs counted) goes.
            let mut depth = 0usize;
            let end = tail.char_indices().find_map(|(i, c)| match c {
                '(' => {
                    depth += 1;
                    None
                }
                ')' if depth == 0 => Some(i),
                ')' => {
                    depth -= 1;
                    None
                }
                _ => None,
            });
            out.push('#');
            rest = tail.get(end.unwrap_or(tail.len())..).unwrap_or_default();
        }
    }
    out.push_str(rest);
    out
}

/// A part's label (`a.`, `1.`, `(a)`), escaped so that `1.` does not start a numbered list.
fn label_text(label: &str) -> String {
    let text = escape(label);
    if text.starts_with(|c: char| c.is_ascii_digit()) {
        text.replacen('.', "\\.", 1)
    } else {
        text
    }
}

/// Escapes text so Markdown reads it as text: every ASCII punctuation character it could take
/// for markup gets a backslash; line breaks become spaces.
fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '\\' | '`' | '*' | '_' | '[' | ']' | '<' | '>' | '#' | '|' | '&' | '!' | '{' | '}'
            | '~' | '^' => {
                out.push('\\');
                out.push(c);
            }
            '\n' | '\r' => out.push(' '),
            c => out.push(c),
        }
    }
    out
}

/// Text for inside a code span: backticks and line breaks would end or break it.
fn code(s: &str) -> String {
    s.replace(['`', '\n', '\r'], " ")
}
