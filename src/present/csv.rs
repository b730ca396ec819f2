//! Stage: presentation. In: a catalog. Out: a CSV table (RFC 4180) for spreadsheets, one row per
//! control, enhancements included, in document order, under a header row:
//! `id,label,title,statement,parameters,group`. The statement is the plain text of the
//! control's `statement` part, each item on a line of its own led by its label, each inserted
//! parameter replaced by its text ([`super::values`]); the parameters are one line
//! each, `ID: TEXT`; the group is the title of the nearest enclosing group.
//!
//! Quoting: a field holding `"`, `,`, CR or LF is quoted, `"` doubled; lines end in CRLF. A
//! field a spreadsheet would take for a formula (its first character `=`, `+`, `-`, `@`, tab or
//! CR) is written after a `'`, so a hostile title cannot run as a formula where the file is
//! opened (OWASP's advice for CSV injection).

use super::html::{Limits, Out, Params, TooLarge, Visitor, control_label, inline_text, walk};
use crate::model::markup::MAX_DEPTH;
use crate::model::{Catalog, Control, Group, Part};

/// The header row.
pub const HEADER: [&str; 6] = ["id", "label", "title", "statement", "parameters", "group"];

/// Renders `catalog` as CSV.
///
/// ```
/// use oscalc::load::load;
/// use oscalc::model::Document;
/// use oscalc::present::{html::Limits, csv::render};
/// use oscalc::source::SourceMap;
///
/// let text = r#"{"catalog": {
///   "uuid": "8bd5f2a4-6a6b-4f7c-9a43-2b4f7cbbd7a4",
///   "metadata": {"title": "Catalog", "last-modified": "2024-01-01T00:00:00Z",
///                "version": "1", "oscal-version": "1.2.3"},
///   "groups": [{"id": "ac", "title": "Access Control", "controls": [
///     {"id": "ac-1", "title": "Policy, \"short\"",
///      "params": [{"id": "ac-1_prm_1", "values": ["yearly"]}],
///      "parts": [{"id": "ac-1_smt", "name": "statement",
///                 "prose": "Review {{ insert: param, ac-1_prm_1 }}."}]}]}]
/// }}"#;
/// let uri = url::Url::parse("file:///cat.json")?;
/// let loaded = load(text.as_bytes().to_vec(), &uri, &mut SourceMap::default(),
///                   &oscalc::Options::default()).unwrap();
/// let Document::Catalog(catalog) = &loaded.doc else { unreachable!() };
/// let csv = render(catalog, Limits::default())?;
/// assert_eq!(csv, "id,label,title,statement,parameters,group\r\n\
///   ac-1,ac-1,\"Policy, \"\"short\"\"\",Review yearly.,ac-1_prm_1: yearly,Access Control\r\n");
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn render(catalog: &Catalog, limits: Limits) -> Result<String, TooLarge> {
    let params = Params::of(catalog);
    let mut out = Out::new(limits);
    row(&mut out, &HEADER.map(str::to_owned));
    let mut table = Table {
        out: &mut out,
        params: &params,
    };
    walk(catalog, &mut table);
    out.finish()
}

struct Table<'a, 'c> {
    out: &'a mut Out,
    params: &'a Params<'c>,
}

impl Visitor for Table<'_, '_> {
    fn control_start(&mut self, c: &Control, group: Option<&Group>) {
        let mut statement = Vec::new();
        for p in c.parts.iter().filter(|p| p.name == "statement") {
            lines(p, self.params, 0, &mut statement);
        }
        let parameters: Vec<String> = c
            .params
            .iter()
            .map(|p| format!("{}: {}", p.id, self.params.text(p)))
            .collect();
        let group = group
            .map(|g| inline_text(&g.title.0, self.params))
            .unwrap_or_default();
        row(
            self.out,
            &[
                c.id.clone(),
                control_label(c),
                inline_text(&c.title.0, self.params),
                statement.join("\n"),
                parameters.join("\n"),
                group,
            ],
        );
    }
}

/// The lines of a statement part: its prose, then each item's, led by the item's label.
fn lines(p: &Part, params: &Params, depth: usize, out: &mut Vec<String>) {
    if depth > MAX_DEPTH {
        return;
    }
    let label = super::html::label(&p.props);
    let text = p
        .prose
        .as_ref()
        .map(|pr| inline_text(&pr.0, params))
        .unwrap_or_default();
    let line = match label {
        Some(l) if !text.is_empty() => format!("{l} {text}"),
        Some(l) => l.to_owned(),
        None => text,
    };
    if !line.is_empty() {
        out.push(line);
    }
    for sub in &p.parts {
        lines(sub, params, depth + 1, out);
    }
}

fn row(out: &mut Out, fields: &[String]) {
    let cells: Vec<String> = fields.iter().map(|f| field(f)).collect();
    out.push(&cells.join(","));
    out.push("\r\n");
}

/// One field, RFC 4180 quoted where it must be, a formula defused.
fn field(s: &str) -> String {
    let s = if s.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        format!("'{s}")
    } else {
        s.to_owned()
    };
    if s.contains(['"', ',', '\r', '\n']) {
        format!("\"{}\"", s.replace('"', "\"\""))
    } else {
        s
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn field_quotes_per_rfc_4180_and_defuses_formulas() {
        assert_eq!(field("plain"), "plain");
        assert_eq!(field("a,b"), "\"a,b\"");
        assert_eq!(field("say \"hi\""), "\"say \"\"hi\"\"\"");
        assert_eq!(field("two\nlines"), "\"two\nlines\"");
        assert_eq!(field("=HYPERLINK(\"x\")"), "\"'=HYPERLINK(\"\"x\"\")\"");
        assert_eq!(field("@SUM(A1)"), "'@SUM(A1)");
    }
}
