//! Stage: read mappings. In: the "Related … Controls" and "Bold controls" cells of the SP 800-53
//! CSVs, and the "Related … Subcategories" cell of the CSF CSVs. Out: SP 800-53 rev5 control ids
//! (`sa-4.10`) with their LOW flag, and CSF subcategory ids (`PR.AC-1`). The catalogs turn them into
//! props (`catalog.rs`), the federal profile into its selection and links (`profiles.rs`).

/// One SP 800-53 rev5 control named by a mapping line.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Sp80053 {
    /// OSCAL id: `ac-2`, `ia-2.1`.
    pub id: String,
    /// The line was bold in the xlsx: NIST's "potential 800-53B LOW baseline control".
    pub low: bool,
}

/// Reads one 800-53 mapping cell (one control per line, e.g. `SA-4 ACQUISITION PROCESS (10) …`,
/// or `No Mapping`) with its bold-ids cell (`AC-3; CM-2`).
pub fn sp800_53(cell: &str, bold: &str) -> Vec<Sp80053> {
    let bold: Vec<String> = bold
        .split(';')
        .map(|b| b.trim().to_lowercase())
        .filter(|b| !b.is_empty())
        .collect();
    let lines: Vec<(String, String)> = cell.lines().filter_map(control_line).collect();
    let mut out: Vec<Sp80053> = Vec::new();
    for (base, id) in &lines {
        let low = bold.contains(base) && bold_line(&lines, base, id);
        if !out.iter().any(|m| &m.id == id) {
            out.push(Sp80053 {
                id: id.clone(),
                low,
            });
        }
    }
    out
}

/// The bold column names base ids only. When several lines share the base, the bold one is the line
/// without an enhancement if there is one (`AC-2` among `AC-2 (7)`, `AC-2 (1)`), else all of them
/// (`IA-2 (1)` and `IA-2 (2)` under a bold `IA-2`). Decision documented in catalogs/README.md.
fn bold_line(lines: &[(String, String)], base: &str, id: &str) -> bool {
    let has_plain = lines.iter().any(|(b, i)| b == base && i == base);
    !has_plain || id == base
}

/// `IA-2 IDENTIFICATION AND AUTHENTICATION (ORGANIZATIONAL USERS) (1) …` → (`ia-2`, `ia-2.1`): the
/// first parenthesised number names the enhancement; a line without one names the base control.
fn control_line(line: &str) -> Option<(String, String)> {
    let line = line.trim();
    let family: String = line.chars().take(2).collect();
    if family.len() != 2 || !family.chars().all(|c| c.is_ascii_uppercase()) {
        return None;
    }
    let rest = line.get(2..)?.strip_prefix('-')?;
    let number: String = rest.chars().take_while(char::is_ascii_digit).collect();
    if number.is_empty() {
        return None;
    }
    let base = format!("{}-{}", family.to_lowercase(), number);
    let id = match enhancement(rest) {
        Some(e) => format!("{base}.{e}"),
        None => base.clone(),
    };
    Some((base, id))
}

fn enhancement(rest: &str) -> Option<String> {
    rest.match_indices('(').find_map(|(i, _)| {
        let inner = rest.get(i + 1..)?;
        let digits: String = inner.chars().take_while(char::is_ascii_digit).collect();
        (!digits.is_empty() && inner[digits.len()..].starts_with(')')).then_some(digits)
    })
}

/// Reads one CSF cell (`PR.AC-1; PR.MA-2`, one per line, or `No Mapping`). Two typos are fixed:
/// `ID-SC-3` → `ID.SC-3` and `PT.PT-1` → `PR.PT-1` (CSF has no `PT` function).
pub fn csf(cell: &str) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for token in cell.split([';', ',', '\n']).map(str::trim) {
        let Some(id) = csf_id(token) else { continue };
        if !out.contains(&id) {
            out.push(id);
        }
    }
    out
}

fn csf_id(token: &str) -> Option<String> {
    let fixed = match token {
        "ID-SC-3" => "ID.SC-3",
        "PT.PT-1" => "PR.PT-1",
        t => t,
    };
    let (category, number) = fixed.split_once('-')?;
    let (function, cat) = category.split_once('.')?;
    let ok = function.len() == 2
        && cat.len() == 2
        && category.chars().all(|c| c.is_ascii_uppercase() || c == '.')
        && !number.is_empty()
        && number.chars().all(|c| c.is_ascii_digit());
    ok.then(|| fixed.to_string())
}

#[test]
fn sp800_53_line_with_parenthesised_title_names_the_enhancement() {
    let cell =
        "IA-2 IDENTIFICATION AND AUTHENTICATION (ORGANIZATIONAL USERS) (1) X | Y\nIA-2 Z (2) W";
    let ids: Vec<_> = sp800_53(cell, "IA-2")
        .into_iter()
        .map(|m| (m.id, m.low))
        .collect();
    assert_eq!(ids, [("ia-2.1".into(), true), ("ia-2.2".into(), true)]);
}

#[test]
fn sp800_53_bold_base_marks_only_the_plain_line() {
    let cell = "AC-2 ACCOUNT MANAGEMENT\nAC-2 ACCOUNT MANAGEMENT (7) X\nSC-28PROTECTION OF INFORMATION AT REST\nNo Mapping ";
    let ids: Vec<_> = sp800_53(cell, "AC-2")
        .into_iter()
        .map(|m| (m.id, m.low))
        .collect();
    assert_eq!(
        ids,
        [
            ("ac-2".into(), true),
            ("ac-2.7".into(), false),
            ("sc-28".into(), false)
        ]
    );
}

#[test]
fn csf_cell_splits_and_fixes_typos() {
    assert_eq!(
        csf("PR.AC-1; ID-SC-3\nPT.PT-1\nNo Mapping"),
        ["PR.AC-1", "ID.SC-3", "PR.PT-1"]
    );
}
