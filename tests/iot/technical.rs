//! Stage: read the technical catalog. In: the seven `_Technical/*.md` pages and the two technical
//! CSVs (SP 800-53 and CSF). Out: `Capability` trees: sub-capabilities in page order, each with its
//! elements. The CSV rows decide element boundaries, nesting and mappings; the Markdown gives the
//! prose (a CSV line takes the text of the Markdown bullet with the same `text::key`).

use crate::csv::Table;
use crate::mapping::{self, Sp80053};
use crate::text;

/// The seven capabilities: OSCAL group id, page, name used in the CSVs.
pub const CAPABILITIES: [(&str, &str, &str); 7] = [
    ("di", "identity.md", "Device Identity"),
    ("dc", "configuration.md", "Device Configuration"),
    ("dp", "protection.md", "Data Protection"),
    ("la", "logical.md", "Logical Access to Interfaces"),
    ("su", "update.md", "Software Update"),
    ("csa", "state.md", "Cybersecurity State Awareness"),
    ("ds", "security.md", "Device Security"),
];

/// A device cybersecurity capability (OSCAL group).
pub struct Capability {
    pub id: &'static str,
    pub title: String,
    pub description: String,
    pub subs: Vec<SubCapability>,
}

/// A sub-capability (OSCAL control `di-1`).
pub struct SubCapability {
    pub title: String,
    /// The sentence under the heading; `None` when the page gives none (Update Application Support).
    pub description: Option<String>,
    pub elements: Vec<Element>,
    /// Mappings of a sub-capability that has only a description (its one CSV row).
    pub mappings: Option<Mappings>,
}

/// An element row of the CSV (OSCAL control `di-1.1`).
pub struct Element {
    /// A scoping sentence the CSV gives a subset of a sub-capability's elements.
    pub lead_in: Option<String>,
    pub text: String,
    pub items: Vec<Item>,
    pub mappings: Mappings,
}

/// A nested sub-line of an element (statement item part).
pub struct Item {
    pub text: String,
    pub items: Vec<Item>,
}

/// The mappings of one CSV row.
#[derive(Clone, Default)]
pub struct Mappings {
    pub sp800_53: Vec<Sp80053>,
    pub csf: Vec<String>,
}

/// CSV lines that found no Markdown twin (their CSV text is used); reported in catalogs/README.md.
pub type Notes = Vec<String>;

/// Reads the technical catalog from the pages (`(file name, text)`) and the two CSVs.
pub fn read(
    pages: &[(String, String)],
    sp: &Table,
    csf: &Table,
    notes: &mut Notes,
) -> Vec<Capability> {
    assert_eq!(
        sp.rows.len(),
        csf.rows.len(),
        "technical CSVs differ in length"
    );
    CAPABILITIES
        .iter()
        .map(|&(id, file, csv_name)| {
            let page = pages
                .iter()
                .find(|(name, _)| name == file)
                .unwrap_or_else(|| panic!("missing page {file}"));
            let rows: Vec<(&Vec<String>, &Vec<String>)> = sp
                .rows
                .iter()
                .zip(&csf.rows)
                .filter(|(r, _)| r[0].trim() == csv_name)
                .collect();
            capability(id, &parse_page(&page.1), &rows, notes)
        })
        .collect()
}

struct Page {
    title: String,
    description: Vec<String>,
    subs: Vec<PageSub>,
}

struct PageSub {
    title: String,
    description: Vec<String>,
    bullets: Vec<(usize, String)>,
}

/// Line by line: the first heading names the capability, later headings (`#` or `##`, the pages
/// differ) open sub-capabilities; bullets keep their indentation; other text is description.
fn parse_page(page: &str) -> Page {
    let mut out = Page {
        title: String::new(),
        description: Vec::new(),
        subs: Vec::new(),
    };
    for line in text::body_lines(page) {
        let trimmed = line.trim();
        if let Some(heading) = trimmed.strip_prefix('#') {
            let heading = text::clean(heading.trim_start_matches('#'));
            if out.title.is_empty() {
                out.title = heading;
            } else {
                out.subs.push(PageSub {
                    title: heading,
                    description: Vec::new(),
                    bullets: Vec::new(),
                });
            }
        } else if let Some((indent, bullet)) = text::bullet(line) {
            if let Some(sub) = out.subs.last_mut() {
                sub.bullets.push((indent, text::clean(bullet)));
            }
        } else {
            let cleaned = text::clean(trimmed);
            if cleaned.is_empty() {
                continue;
            }
            match out.subs.last_mut() {
                Some(sub) => sub.description.push(cleaned),
                None => out.description.push(cleaned),
            }
        }
    }
    out
}

type Row<'a> = (&'a Vec<String>, &'a Vec<String>);

fn capability(id: &'static str, page: &Page, rows: &[Row], notes: &mut Notes) -> Capability {
    let mut groups: Vec<(String, Vec<Row>)> = Vec::new();
    for &row in rows {
        let name = row.0[1].trim().to_string();
        match groups.last_mut() {
            Some((n, g)) if *n == name => g.push(row),
            _ => groups.push((name, vec![row])),
        }
    }
    assert_eq!(
        groups.len(),
        page.subs.len(),
        "{id}: sub-capabilities in CSV and page differ"
    );
    let subs = groups
        .iter()
        .zip(&page.subs)
        .map(|((name, rows), sub)| {
            assert_eq!(
                text::key(name),
                text::key(&sub.title),
                "{id}: sub-capability order"
            );
            sub_capability(sub, rows, notes)
        })
        .collect();
    Capability {
        id,
        title: page.title.clone(),
        description: page.description.join(" "),
        subs,
    }
}

fn sub_capability(sub: &PageSub, rows: &[Row], notes: &mut Notes) -> SubCapability {
    let description = (!sub.description.is_empty()).then(|| sub.description.join(" "));
    if sub.bullets.is_empty() {
        // A sub-capability with only a description: its one CSV row repeats the description.
        let [(row, csf_row)] = rows else {
            panic!("{}: expected one CSV row", sub.title)
        };
        assert_eq!(
            text::key(&row[3]),
            text::key(description.as_deref().unwrap_or_default())
        );
        return SubCapability {
            title: sub.title.clone(),
            description,
            elements: Vec::new(),
            mappings: Some(mappings(row, csf_row)),
        };
    }
    let elements = rows
        .iter()
        .map(|&(row, csf_row)| element(sub, &description, row, csf_row, notes))
        .collect();
    SubCapability {
        title: sub.title.clone(),
        description,
        elements,
        mappings: None,
    }
}

fn mappings(row: &[String], csf_row: &[String]) -> Mappings {
    Mappings {
        sp800_53: mapping::sp800_53(&row[4], &row[5]),
        csf: mapping::csf(&csf_row[4]),
    }
}

/// An element cell: the first line is the element, `o` lines are items, `-` lines their sub-items.
fn element(
    sub: &PageSub,
    description: &Option<String>,
    row: &[String],
    csf_row: &[String],
    notes: &mut Notes,
) -> Element {
    assert_eq!(
        text::key(&row[3]),
        text::key(&csf_row[3]),
        "CSV rows out of step: {}",
        row[3]
    );
    let mut lines = row[3].lines().filter(|l| !l.trim().is_empty());
    let first = lines.next().unwrap_or_default();
    let mut items: Vec<Item> = Vec::new();
    for line in lines {
        let trimmed = line.trim_start();
        if let Some(rest) = trimmed
            .strip_prefix("o\t")
            .or_else(|| trimmed.strip_prefix("o "))
        {
            items.push(Item {
                text: prose(sub, rest, notes),
                items: Vec::new(),
            });
        } else if let Some(rest) = trimmed
            .strip_prefix("-\t")
            .or_else(|| trimmed.strip_prefix("- "))
        {
            let parent = items
                .last_mut()
                .unwrap_or_else(|| panic!("sub-item without item: {line}"));
            parent.items.push(Item {
                text: prose(sub, rest, notes),
                items: Vec::new(),
            });
        } else {
            panic!("unexpected element line: {line:?}");
        }
    }
    let field = row[2].trim();
    let lead_in = (!field.is_empty()
        && text::key(field) != text::key(description.as_deref().unwrap_or_default()))
    .then(|| prose(sub, field, notes));
    Element {
        lead_in,
        text: prose(sub, first, notes),
        items,
        mappings: mappings(row, csf_row),
    }
}

/// The Markdown text of a CSV line: the sub-capability's bullet with the same key, else the CSV text.
fn prose(sub: &PageSub, csv_line: &str, notes: &mut Notes) -> String {
    let key = text::key(csv_line);
    match sub.bullets.iter().find(|(_, b)| text::key(b) == key) {
        Some((_, b)) => b.clone(),
        None => {
            let cleaned = text::clean(csv_line);
            notes.push(format!("{}: {cleaned}", sub.title));
            cleaned
        }
    }
}
