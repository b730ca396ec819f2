//! Stage: read the non-technical catalog. In: the four `_Nontechnical/manufacturer_*.md` pages and
//! the two non-technical CSVs. Out: `NtCapability` trees: numbered sections, lettered topics,
//! numbered actions, and each action's sub-actions with their examples. The CSV rows decide which
//! sections, topics, actions and sub-actions exist and carry the mappings; the Markdown gives the
//! prose, the page anchors and the examples (`<details>` blocks).

use crate::csv::Table;
use crate::mapping;
use crate::technical::{Mappings, Notes};
use crate::text;

/// The four capabilities: OSCAL group id, page, title (as NISTIR 8259B names them), CSV letter.
pub const CAPABILITIES: [(&str, &str, &str, &str); 4] = [
    ("doc", "manufacturer_documentation.md", "Documentation", "A"),
    (
        "iqr",
        "manufacturer_query.md",
        "Information and Query Reception",
        "B",
    ),
    (
        "dis",
        "manufacturer_information.md",
        "Information Dissemination",
        "C",
    ),
    (
        "edu",
        "manufacturer_education.md",
        "Education and Awareness",
        "D",
    ),
];

/// A non-technical supporting capability (OSCAL group).
pub struct NtCapability {
    pub id: &'static str,
    pub title: &'static str,
    pub letter: &'static str,
    /// The page heading (`Documentation from the Manufacturer`).
    pub page_title: String,
    /// Paragraphs under the page heading, Markdown (numbered lists kept).
    pub overview: Vec<String>,
    pub sections: Vec<Section>,
}

/// A numbered section (OSCAL control `doc-1`).
pub struct Section {
    pub text: String,
    pub anchor: String,
    pub guidance: Vec<String>,
    pub topics: Vec<Topic>,
}

/// A lettered topic (OSCAL control `doc-1.a`).
pub struct Topic {
    pub letter: char,
    pub title: String,
    pub actions: Vec<Action>,
}

/// A numbered action (OSCAL control `doc-1.a.1`).
pub struct Action {
    /// The technical capability the action supports (`Device Security`), when the text names one.
    pub capability: Option<String>,
    /// The action itself, after the capability.
    pub text: String,
    pub intro: Vec<String>,
    pub subs: Vec<SubAction>,
}

/// A sub-action bullet (statement item part), with its examples.
pub struct SubAction {
    pub text: String,
    /// Nested sub-lines (`o` lines of the CSV cell).
    pub items: Vec<String>,
    pub examples: Vec<Vec<String>>,
    pub mappings: Mappings,
}

/// Reads the non-technical catalog.
pub fn read(
    pages: &[(String, String)],
    sp: &Table,
    csf: &Table,
    notes: &mut Notes,
) -> Vec<NtCapability> {
    assert_eq!(
        sp.rows.len(),
        csf.rows.len(),
        "non-technical CSVs differ in length"
    );
    CAPABILITIES
        .iter()
        .map(|&(id, file, title, letter)| {
            let page = pages
                .iter()
                .find(|(name, _)| name == file)
                .unwrap_or_else(|| panic!("missing page {file}"));
            let rows: Vec<Row> = sp
                .rows
                .iter()
                .zip(&csf.rows)
                .filter(|(r, _)| r[0].trim_start().starts_with(&format!("{letter}.")))
                .collect();
            let page = parse_page(&page.1);
            let csv = csv_tree(&rows);
            NtCapability {
                id,
                title,
                letter,
                page_title: page.title.clone(),
                overview: page.overview.clone(),
                sections: merge(id, page, csv, notes),
            }
        })
        .collect()
}

type Row<'a> = (&'a Vec<String>, &'a Vec<String>);

// ---- the Markdown page -------------------------------------------------------------------------

#[derive(Default)]
struct Page {
    title: String,
    overview: Vec<String>,
    sections: Vec<PageSection>,
}

#[derive(Default)]
struct PageSection {
    text: String,
    anchor: String,
    guidance: Vec<String>,
    topics: Vec<PageTopic>,
}

struct PageTopic {
    letter: char,
    title: String,
    actions: Vec<PageAction>,
}

#[derive(Default)]
struct PageAction {
    text: String,
    intro: Vec<String>,
    bullets: Vec<PageBullet>,
}

struct PageBullet {
    indent: usize,
    text: String,
    items: Vec<String>,
    examples: Vec<Vec<String>>,
}

/// Where running text goes: paragraphs are collected per place, a blank line ends one.
#[derive(Default)]
struct Paragraphs {
    done: Vec<String>,
    open: Vec<String>,
}

impl Paragraphs {
    fn line(&mut self, raw: &str) {
        // `<br/>` ends a paragraph in NIST's pages.
        let mut parts = raw.split("<br/>").peekable();
        while let Some(part) = parts.next() {
            let cleaned = text::clean(part);
            if !cleaned.is_empty() {
                self.open.push(cleaned);
            }
            if parts.peek().is_some() {
                self.end();
            }
        }
    }
    fn end(&mut self) {
        if !self.open.is_empty() {
            // A numbered line (`1. complying …`) stays on its own line: a Markdown list.
            let mut para = String::new();
            for line in self.open.drain(..) {
                if !para.is_empty() {
                    let numbered = line
                        .split_once(". ")
                        .is_some_and(|(n, _)| n.parse::<u32>().is_ok());
                    para.push(if numbered { '\n' } else { ' ' });
                }
                para.push_str(&line);
            }
            self.done.push(para);
        }
    }
    fn take(&mut self) -> Vec<String> {
        self.end();
        std::mem::take(&mut self.done)
    }
}

enum Place {
    Overview,
    Section,
    Action,
}

/// Line by line: `#` capability, `##` section (`1).`, `2.)` …) with its `{: #Doc1 }` anchor,
/// `**a. …**` topic, `1. **…**` action, `- ` sub-action, `<details>` … `</details>` examples.
fn parse_page(page: &str) -> Page {
    let mut out = Page::default();
    let mut paras = Paragraphs::default();
    let mut place = Place::Overview;
    let mut in_details = false;
    let mut after_details = false;
    for line in text::body_lines(page) {
        let trimmed = line.trim();
        if trimmed.starts_with("<details") {
            in_details = true;
            last_bullet(&mut out).examples.push(Vec::new());
        }
        if in_details {
            if trimmed.contains("</details>") {
                in_details = false;
                after_details = true;
            }
            example_line(&mut out, trimmed);
            continue;
        }
        if let Some(h) = trimmed.strip_prefix("## ") {
            flush(&mut out, &place, &mut paras);
            out.sections.push(PageSection {
                text: strip_number(&text::clean(h)),
                ..PageSection::default()
            });
            place = Place::Section;
        } else if let Some(h) = trimmed.strip_prefix("# ") {
            out.title = strip_letter(&text::clean(h));
        } else if let Some(anchor) = trimmed.strip_prefix("{: #") {
            last_section(&mut out).anchor = anchor.trim_end_matches('}').trim().to_string();
        } else if let Some((letter, title)) = topic(trimmed) {
            flush(&mut out, &place, &mut paras);
            last_section(&mut out).topics.push(PageTopic {
                letter,
                title,
                actions: Vec::new(),
            });
        } else if let Some(action) = action(trimmed) {
            flush(&mut out, &place, &mut paras);
            last_topic(&mut out).actions.push(PageAction {
                text: action,
                ..PageAction::default()
            });
            place = Place::Action;
        } else if let Some((indent, b)) = text::bullet(line) {
            flush(&mut out, &place, &mut paras);
            // Nested: deeper than the last bullet, with no `<details>` block between (after one,
            // NIST's pages indent the next sibling unevenly).
            let bullets = &mut last_action(&mut out).bullets;
            let nested =
                !after_details && bullets.last().is_some_and(|last| indent > last.indent + 1);
            after_details = false;
            match bullets.last_mut() {
                Some(parent) if nested => parent.items.push(text::clean(b)),
                _ => bullets.push(PageBullet {
                    indent,
                    text: text::clean(b),
                    items: Vec::new(),
                    examples: Vec::new(),
                }),
            }
        } else if trimmed.is_empty() {
            paras.end();
        } else {
            paras.line(trimmed);
        }
    }
    flush(&mut out, &place, &mut paras);
    out
}

fn flush(out: &mut Page, place: &Place, paras: &mut Paragraphs) {
    let done = paras.take();
    if done.is_empty() {
        return;
    }
    match place {
        Place::Overview => out.overview.extend(done),
        Place::Section => last_section(out).guidance.extend(done),
        Place::Action => last_action(out).intro.extend(done),
    }
}

fn example_line(out: &mut Page, trimmed: &str) {
    if trimmed.contains("<summary") {
        return;
    }
    let body = text::bullet(trimmed).map_or(trimmed, |(_, b)| b);
    let cleaned = text::clean(body);
    if cleaned.is_empty() {
        return;
    }
    if let Some(block) = last_bullet(out).examples.last_mut() {
        block.push(cleaned);
    }
}

fn last_section(out: &mut Page) -> &mut PageSection {
    out.sections
        .last_mut()
        .unwrap_or_else(|| panic!("content before the first section"))
}

fn last_topic(out: &mut Page) -> &mut PageTopic {
    last_section(out)
        .topics
        .last_mut()
        .unwrap_or_else(|| panic!("action before the first topic"))
}

fn last_action(out: &mut Page) -> &mut PageAction {
    last_topic(out)
        .actions
        .last_mut()
        .unwrap_or_else(|| panic!("bullet before the first action"))
}

fn last_bullet(out: &mut Page) -> &mut PageBullet {
    last_action(out)
        .bullets
        .last_mut()
        .unwrap_or_else(|| panic!("examples before the first bullet"))
}

/// ` **a. Expected customers and use cases**` → (`a`, `Expected customers and use cases`).
fn topic(trimmed: &str) -> Option<(char, String)> {
    let inner = trimmed.strip_prefix("**")?.strip_suffix("**")?;
    let mut chars = inner.chars();
    let letter = chars.next().filter(char::is_ascii_lowercase)?;
    let rest = chars.as_str().strip_prefix(". ")?;
    Some((letter, text::clean(rest)))
}

/// `1. **Device Security: Establish …**` → the cleaned text inside the bold.
fn action(trimmed: &str) -> Option<String> {
    let (number, rest) = trimmed.split_once(". ")?;
    number.parse::<u32>().ok()?;
    let inner = rest.trim().strip_prefix("**")?.strip_suffix("**")?;
    Some(text::clean(inner))
}

/// `1). Document …` / `2.) The ability …` / `1.\tDocument …` → the text after the number.
fn strip_number(s: &str) -> String {
    let rest = s.trim_start_matches(|c: char| c.is_ascii_digit());
    rest.trim_start_matches(['.', ')', ' ', '\t'])
        .trim()
        .to_string()
}

/// `A. Documentation from the Manufacturer` → the text after the letter.
fn strip_letter(s: &str) -> String {
    let rest = s.trim_start_matches(|c: char| c.is_ascii_uppercase());
    rest.trim_start_matches(['.', ' ', '\t']).trim().to_string()
}

// ---- the CSV rows ------------------------------------------------------------------------------

struct CsvSection<'a> {
    text: String,
    topics: Vec<CsvTopic<'a>>,
}

struct CsvTopic<'a> {
    letter: char,
    title: String,
    actions: Vec<(String, Vec<Row<'a>>)>,
}

/// Groups the rows: column 2 is the section; column 3 a topic row (`a.\t…`, sub-action empty) or an
/// action, repeated on each of its sub-action rows (column 4).
fn csv_tree<'a>(rows: &[Row<'a>]) -> Vec<CsvSection<'a>> {
    let mut out: Vec<CsvSection> = Vec::new();
    for &row in rows {
        let section = strip_number(&text::clean(&row.0[1]));
        if out.last().is_none_or(|s| s.text != section) {
            out.push(CsvSection {
                text: section,
                topics: Vec::new(),
            });
        }
        let sec = out.last_mut().unwrap_or_else(|| unreachable!());
        let cell = row.0[2].trim();
        let mut chars = cell.chars();
        let is_topic =
            chars.next().is_some_and(|c| c.is_ascii_lowercase()) && chars.next() == Some('.');
        if is_topic {
            // D: one topic row also carries no sub-action; a leading line break is dropped.
            assert!(
                row.0[3].trim().is_empty(),
                "topic row with a sub-action: {cell}"
            );
            let letter = cell.chars().next().unwrap_or('?');
            sec.topics.push(CsvTopic {
                letter,
                title: text::clean(&cell[2..]),
                actions: Vec::new(),
            });
            continue;
        }
        let topic = sec
            .topics
            .last_mut()
            .unwrap_or_else(|| panic!("action before topic: {cell}"));
        let action = strip_number(&text::clean(cell));
        match topic.actions.last_mut() {
            Some((a, rows)) if *a == action => rows.push(row),
            _ => topic.actions.push((action, vec![row])),
        }
    }
    out
}

// ---- merge ---------------------------------------------------------------------------------------

fn merge(id: &str, page: Page, csv: Vec<CsvSection>, notes: &mut Notes) -> Vec<Section> {
    assert_eq!(
        page.sections.len(),
        csv.len(),
        "{id}: sections in CSV and page differ"
    );
    page.sections
        .into_iter()
        .zip(csv)
        .map(|(ps, cs)| {
            assert_eq!(
                text::key(&ps.text),
                text::key(&cs.text),
                "{id}: section {}",
                ps.text
            );
            assert_eq!(
                ps.topics.len(),
                cs.topics.len(),
                "{id}: topics of {}",
                ps.text
            );
            let topics = ps
                .topics
                .into_iter()
                .zip(cs.topics)
                .map(|(pt, ct)| merge_topic(pt, ct, notes))
                .collect();
            Section {
                text: ps.text,
                anchor: ps.anchor,
                guidance: ps.guidance,
                topics,
            }
        })
        .collect()
}

fn merge_topic(pt: PageTopic, ct: CsvTopic, notes: &mut Notes) -> Topic {
    assert_eq!(pt.letter, ct.letter, "topic letters");
    assert_eq!(
        text::key(&pt.title),
        text::key(&ct.title),
        "topic {}",
        pt.title
    );
    assert_eq!(
        pt.actions.len(),
        ct.actions.len(),
        "actions of topic {}",
        pt.title
    );
    let actions = pt
        .actions
        .into_iter()
        .zip(ct.actions)
        .map(|(pa, (csv_text, rows))| {
            assert_eq!(
                text::key(&pa.text),
                text::key(&csv_text),
                "action {}",
                pa.text
            );
            merge_action(pa, &rows, notes)
        })
        .collect();
    Topic {
        letter: pt.letter,
        title: pt.title,
        actions,
    }
}

fn merge_action(pa: PageAction, rows: &[Row], notes: &mut Notes) -> Action {
    let mut bullets = pa.bullets;
    // First take out the example lines the CSV makes sub-actions, before bullets are consumed.
    let pulled: Vec<Option<String>> = rows
        .iter()
        .map(|(row, _)| pull_example(&mut bullets, &row[3]))
        .collect();
    let mut bullets: Vec<Option<PageBullet>> = bullets.into_iter().map(Some).collect();
    let subs = rows
        .iter()
        .zip(pulled)
        .map(|(&(row, csf_row), pulled)| {
            assert_eq!(
                text::key(&row[3]),
                text::key(&csf_row[3]),
                "CSV rows out of step: {}",
                row[3]
            );
            let mut lines = row[3].lines().filter(|l| !l.trim().is_empty());
            let first = lines.next().unwrap_or_default();
            let csv_items: Vec<&str> = lines
                .map(|l| l.trim_start().trim_start_matches(['o', '\t', ' ']))
                .collect();
            let (text, items, examples) = match pulled {
                Some(example) => {
                    notes.push(format!(
                        "{}: an example on the page, a sub-action in the CSV: {example}",
                        pa.text
                    ));
                    (example, Vec::new(), Vec::new())
                }
                None => sub_action_prose(&mut bullets, first, &csv_items, &pa.text, notes),
            };
            let mappings = Mappings {
                sp800_53: mapping::sp800_53(&row[4], &row[5]),
                csf: mapping::csf(&csf_row[4]),
            };
            SubAction {
                text,
                items,
                examples,
                mappings,
            }
        })
        .collect();
    for b in bullets.into_iter().flatten() {
        notes.push(format!("{}: not in the CSV: {}", pa.text, b.text));
    }
    let (capability, text) = match pa.text.split_once(": ") {
        Some((cap, rest)) if cap.split_whitespace().count() <= 5 => {
            (Some(cap.to_string()), rest.to_string())
        }
        _ => (None, pa.text),
    };
    Action {
        capability,
        text,
        intro: pa.intro,
        subs,
    }
}

/// A CSV sub-action that is no bullet of the page but an example line of one: taken out of its
/// example block (the CSV decides boundaries), its page text returned.
fn pull_example(bullets: &mut [PageBullet], cell: &str) -> Option<String> {
    let key = text::key(cell.lines().next().unwrap_or_default());
    if bullets.iter().any(|b| same(&key, &text::key(&b.text))) {
        return None;
    }
    bullets
        .iter_mut()
        .flat_map(|b| &mut b.examples)
        .find_map(|block| {
            let pos = block.iter().position(|e| same(&key, &text::key(e)))?;
            Some(block.remove(pos))
        })
}

/// The same text, or a CSV cell cut short in the xlsx (at least 40 key characters, a prefix).
fn same(csv_key: &str, md_key: &str) -> bool {
    csv_key == md_key || (csv_key.len() >= 40 && md_key.starts_with(csv_key))
}

type Prose = (String, Vec<String>, Vec<Vec<String>>);

/// Finds the Markdown of one CSV sub-action: a bullet (taken, with its nested lines and examples),
/// else the CSV text.
fn sub_action_prose(
    bullets: &mut [Option<PageBullet>],
    first: &str,
    csv_items: &[&str],
    action: &str,
    notes: &mut Notes,
) -> Prose {
    let key = text::key(first);
    let found = bullets
        .iter_mut()
        .find(|b| b.as_ref().is_some_and(|b| same(&key, &text::key(&b.text))));
    if let Some(b) = found.and_then(Option::take) {
        let items = csv_items
            .iter()
            .map(|line| {
                let k = text::key(line);
                b.items
                    .iter()
                    .find(|i| same(&k, &text::key(i)))
                    .cloned()
                    .unwrap_or_else(|| {
                        notes.push(format!("{action}: {}", text::clean(line)));
                        text::clean(line)
                    })
            })
            .collect();
        if text::key(&b.text) != key {
            notes.push(format!(
                "{action}: CSV text cut short, page text used: {}",
                b.text
            ));
        }
        return (b.text, items, b.examples);
    }
    notes.push(format!("{action}: {}", text::clean(first)));
    (
        text::clean(first),
        csv_items.iter().map(|l| text::clean(l)).collect(),
        Vec::new(),
    )
}
