//! `oscalc render`: the HTML page, Markdown document and CSV table of a resolved baseline (or of
//! a catalog as it is), checked on the shipped IoT profiles, the federal chain and the rev4
//! fixtures: control counts equal to the resolved catalog's, values filled in, hostile strings
//! inert, size capped, inputs never overwritten.

use super::{oscalc, stderr, tmp_dir};
use serde_json::Value;
use std::path::Path;

const B8259: &str = "profiles/NIST_IR-8259B_non-technical_baseline_profile.json";
const FEDERAL: &str = "profiles/NIST_IoT_federal_low-impact_profile.json";
const REV4: &str = "tests/fixtures/sp800-53-rev4/nist.gov/SP800-53/rev4";

fn read(path: &Path) -> String {
    std::fs::read_to_string(path).expect("rendered file")
}

/// Controls at any depth of a resolved catalog's JSON.
fn count_controls(v: &Value) -> usize {
    let list = |key: &str| v.get(key).and_then(Value::as_array).cloned();
    let own = list("controls").map_or(0, |cs| {
        cs.iter().map(|c| 1 + count_controls(c)).sum::<usize>()
    });
    own + list("groups").map_or(0, |gs| gs.iter().map(count_controls).sum())
}

/// The control count of `profile` resolved by `oscalc resolve`.
fn resolved_count(profile: &str, dir: &Path) -> usize {
    let out = dir.join("resolved.json");
    let o = oscalc(&["resolve", profile, "-o", out.to_str().expect("utf-8")]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let v: Value = serde_json::from_str(&read(&out)).expect("json");
    count_controls(&v["catalog"])
}

fn render(input: &str, out: &Path, extra: &[&str]) -> std::process::Output {
    let mut args = vec!["render", input, "-o", out.to_str().expect("utf-8")];
    args.extend_from_slice(extra);
    oscalc(&args)
}

/// RFC 4180 records: quoted fields may hold commas, doubled quotes and line breaks.
fn parse_csv(text: &str) -> Vec<Vec<String>> {
    let (mut rows, mut row, mut field) = (Vec::new(), Vec::new(), String::new());
    let mut chars = text.chars().peekable();
    let mut quoted = false;
    while let Some(c) = chars.next() {
        match (quoted, c) {
            (true, '"') if chars.peek() == Some(&'"') => {
                chars.next();
                field.push('"');
            }
            (true, '"') => quoted = false,
            (true, c) => field.push(c),
            (false, '"') => quoted = true,
            (false, ',') => row.push(std::mem::take(&mut field)),
            (false, '\r') => assert_eq!(chars.next(), Some('\n'), "CR without LF"),
            (false, '\n') => panic!("a record must end in CRLF"),
            (false, c) => field.push(c),
        }
        if !quoted && c == '\r' {
            row.push(std::mem::take(&mut field));
            rows.push(std::mem::take(&mut row));
        }
    }
    assert!(
        field.is_empty() && row.is_empty(),
        "last record without CRLF"
    );
    rows
}

#[test]
fn render_8259b_page_holds_the_93_controls_of_the_resolved_catalog_and_loads_nothing() {
    let dir = tmp_dir("render-8259b");
    let out = dir.join("baseline.html");
    let o = render(B8259, &out, &[]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert!(
        stderr(&o).ends_with("(HTML): 93 controls\n"),
        "{}",
        stderr(&o)
    );
    let page = read(&out);
    assert_eq!(page.matches("<section class=\"control\"").count(), 93);
    assert_eq!(resolved_count(B8259, &dir), 93);
    // A table of contents entry per top-level control, a heading per group.
    assert!(page.contains("<nav class=\"toc\""));
    assert!(page.contains("<a href=\"#doc-1\">A.1 Document assumptions"));
    assert!(page.contains("<section class=\"group\" id=\"doc\">\n<h2>Documentation</h2>"));
    // Self-contained: one inline script, inline CSS, nothing that loads.
    assert_eq!(page.matches("<script").count(), 1);
    for forbidden in ["<link", "<img", "<iframe", " src=", "url(", "@import"] {
        assert!(!page.contains(forbidden), "the page holds {forbidden}");
    }
    assert!(
        page.contains(
            "content=\"default-src 'none'; style-src 'unsafe-inline'; script-src 'sha256-"
        )
    );
    assert!(page.contains("@media print"));
    assert!(page.contains("<input id=\"search\" type=\"search\""));
}

#[test]
fn render_federal_chain_page_counts_199_controls_and_marks_each_insert() {
    let dir = tmp_dir("render-federal");
    let out = dir.join("federal.html");
    let o = render(FEDERAL, &out, &[]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let page = read(&out);
    assert_eq!(resolved_count(FEDERAL, &dir), 199);
    assert_eq!(page.matches("<section class=\"control\"").count(), 199);
    // No value set in the chain: the label, NIST's way, in a marked span.
    assert!(page.contains(
        "<span class=\"param unset\" data-param=\"ac-1_prm_1\">[Assignment: organization-defined personnel or roles]</span>"
    ));
    assert!(page.contains(
        "<span class=\"param unset\" data-param=\"ac-1_prm_2\">[Selection (one or more): Organization-level; Mission/business process-level; System-level]</span>"
    ));
    assert!(!page.contains("{{ insert"));
    // A value the federal profile sets names its set-parameter, found in the profile's text.
    let text = read(
        Path::new(env!("CARGO_MANIFEST_DIR"))
            .join(FEDERAL)
            .as_path(),
    );
    let at = text
        .find(r#""param-id": "ac-7_prm_1""#)
        .expect("the federal profile sets ac-7_prm_1");
    let open = text[..at].rfind('{').expect("its object");
    let line = text[..open].matches('\n').count() + 1;
    let col = open - text[..open].rfind('\n').map_or(0, |n| n + 1) + 1;
    let span = format!(
        "<span class=\"param set\" data-param=\"ac-7_prm_1\" title=\"set by {FEDERAL}:{line}:{col}\">3</span>"
    );
    assert!(page.contains(&span), "{span}");
    // Every control says which chain selected it.
    assert!(page.contains(&format!(
        "{FEDERAL} &gt; profiles/NIST_IR-8259A_core_baseline_profile.json &gt; "
    )));
}

#[test]
fn render_csv_has_a_header_and_one_row_per_control_with_values_filled_in() {
    let dir = tmp_dir("render-csv");
    // A one-edit tailoring of the rev4 LOW baseline: ac-1's first value set.
    let profile = dir.join("tailored.json");
    let low = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join(REV4)
        .join("json/NIST_SP-800-53_rev4_LOW-baseline_profile.json");
    std::fs::write(
        &profile,
        format!(
            r#"{{"profile": {{"uuid": "0c6a4a7e-3a55-4e7e-9a1e-7f5c0a3c2d11",
  "metadata": {{"title": "Tailored", "last-modified": "2024-01-01T00:00:00Z",
               "version": "1", "oscal-version": "1.2.3"}},
  "imports": [{{"href": "{}", "include-all": {{}}}}],
  "modify": {{"set-parameters": [{{"param-id": "ac-1_prm_1", "values": ["the CISO", "the CIO"]}}]}}}}}}"#,
            url::Url::from_file_path(&low).expect("uri")
        ),
    )
    .expect("write profile");
    let out = dir.join("low.csv");
    let o = render(profile.to_str().expect("utf-8"), &out, &[]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let rows = parse_csv(&read(&out));
    assert_eq!(
        rows.first().expect("header"),
        &["id", "label", "title", "statement", "parameters", "group"]
    );
    assert_eq!(rows.len() - 1, 124);
    let ac1 = rows.get(1).expect("ac-1");
    assert_eq!(
        ac1[..3],
        ["ac-1", "AC-1", "Access Control Policy and Procedures"]
    );
    assert!(
        ac1[3].starts_with(
            "The organization:\na. Develops, documents, and disseminates to the CISO, the CIO:\n1. An access control policy"
        ),
        "{}",
        ac1[3]
    );
    assert_eq!(
        ac1[4],
        "ac-1_prm_1: the CISO, the CIO\nac-1_prm_2: [Assignment: organization-defined frequency]\n\
         ac-1_prm_3: [Assignment: organization-defined frequency]"
    );
    // `include-all` without `merge`: a flat catalog, no group.
    assert_eq!(ac1[5], "");
    assert!(rows.iter().all(|r| r.len() == 6));
}

#[test]
fn render_markdown_has_a_heading_per_group_and_control() {
    let dir = tmp_dir("render-md");
    let out = dir.join("8259B.md");
    let o = render(B8259, &out, &[]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let md = read(&out);
    let headings = |level: &str| md.lines().filter(|l| l.starts_with(level)).count();
    assert_eq!(headings("# "), 1);
    // 4 groups (`##`), 14 controls under them (`###`), their enhancements one and two levels
    // deeper: 93 control headings.
    assert_eq!(headings("## "), 4);
    assert_eq!(headings("### "), 14);
    assert_eq!(
        headings("### ") + headings("#### ") + headings("##### "),
        93
    );
    assert!(
        md.starts_with("# NISTIR 8259B IoT Non-Technical Supporting Capability Core Baseline\n")
    );
    assert!(md.contains("\n## Documentation\n"));
    assert!(md.contains("\n### A.1 Document assumptions made during the development process"));
}

#[test]
fn render_a_catalog_as_is_escapes_every_input_string() {
    let dir = tmp_dir("render-hostile");
    let cat = dir.join("cat.json");
    std::fs::write(
        &cat,
        r#"{"catalog": {"uuid": "5f1c3c2e-8b0e-4c36-9d55-0c3f7a6b1e42",
  "metadata": {"title": "T <script>alert(1)</script>", "last-modified": "2024-01-01T00:00:00Z",
               "version": "1\" onload=\"x", "oscal-version": "1.2.3"},
  "groups": [{"id": "g", "title": "<b>group</b>", "controls": [
    {"id": "c-1", "title": "<script>alert('t')</script>",
     "params": [{"id": "c-1_prm_1", "values": ["<img src=x onerror=alert(2)>"],
                 "props": [{"name": "set-by", "ns": "https://oscalc.dev/ns/provenance",
                            "value": "p.json:12:7\"><script>"}]}],
     "parts": [{"id": "c-1_smt", "name": "statement",
                "prose": "Do {{ insert: param, c-1_prm_1 }} <script>alert(3)</script> [x](javascript:alert(4))"}]}]}]
}}"#,
    )
    .expect("write catalog");
    let out = dir.join("page.html");
    let o = render(cat.to_str().expect("utf-8"), &out, &[]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let page = read(&out);
    assert_eq!(
        page.matches("<script").count(),
        1,
        "only the page's own script"
    );
    assert!(!page.contains("<img") && !page.contains("<b>") && !page.contains("javascript:"));
    assert!(page.contains("<title>T &lt;script&gt;alert(1)&lt;/script&gt;</title>"));
    assert!(page.contains("version 1&quot; onload=&quot;x"));
    assert!(page.contains(
        "<span class=\"param set\" data-param=\"c-1_prm_1\" title=\"set by p.json:12:7&quot;&gt;&lt;script&gt;\">&lt;img src=x onerror=alert(2)&gt;</span>"
    ));
    assert!(page.contains("&lt;script&gt;alert(3)&lt;/script&gt; <a href=\"#\">x</a>"));
    // Markdown: no raw HTML either.
    let md_out = dir.join("page.md");
    let o = render(cat.to_str().expect("utf-8"), &md_out, &[]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let md = read(&md_out);
    assert!(
        md.starts_with("# T \\<script\\>alert(1)\\</script\\>\n"),
        "{md}"
    );
    assert!(
        md.contains("\n### c-1 \\<script\\>alert('t')\\</script\\>\n"),
        "{md}"
    );
    assert!(
        md.contains(
            "Do **\\<img src=x onerror=alert(2)\\>** &lt;script>alert(3)&lt;/script> [x](#)"
        ),
        "{md}"
    );
    // In a code span, which shows its text as it is.
    assert!(
        md.contains("*`c-1_prm_1` set by `p.json:12:7\"><script>`*"),
        "{md}"
    );
}

#[test]
fn render_shows_where_a_value_was_set_from_the_provenance_prop() {
    let dir = tmp_dir("render-prov");
    let cat = dir.join("resolved.json");
    std::fs::write(
        &cat,
        r#"{"catalog": {"uuid": "5f1c3c2e-8b0e-4c36-9d55-0c3f7a6b1e43",
  "metadata": {"title": "R", "last-modified": "2024-01-01T00:00:00Z",
               "version": "1", "oscal-version": "1.2.3"},
  "controls": [
    {"id": "c-1", "title": "One",
     "params": [{"id": "c-1_prm_1", "values": ["daily"],
                 "props": [{"name": "set-by", "ns": "https://oscalc.dev/ns/provenance",
                            "value": "profiles/p.json:12:7"}]}],
     "props": [{"name": "selected-by", "ns": "https://oscalc.dev/ns/provenance",
                "value": "profiles/p.json > catalogs/c.json"}],
     "parts": [{"id": "c-1_smt", "name": "statement",
                "prose": "Back up {{ insert: param, c-1_prm_1 }}."}]}]
}}"#,
    )
    .expect("write catalog");
    let out = dir.join("page.html");
    let o = render(cat.to_str().expect("utf-8"), &out, &[]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let page = read(&out);
    assert!(page.contains(
        "Back up <span class=\"param set\" data-param=\"c-1_prm_1\" title=\"set by profiles/p.json:12:7\">daily</span>."
    ));
    assert!(page.contains(
        "<p class=\"prov\"><code>c-1_prm_1</code> set by <code>profiles/p.json:12:7</code></p>"
    ));
    assert!(page.contains(
        "<p class=\"prov\">selected by <code>profiles/p.json &gt; catalogs/c.json</code></p>"
    ));
    let md_out = dir.join("page.md");
    assert_eq!(
        render(cat.to_str().expect("utf-8"), &md_out, &[])
            .status
            .code(),
        Some(0)
    );
    let md = read(&md_out);
    assert!(md.contains("Back up **daily**."), "{md}");
    assert!(
        md.contains("*`c-1_prm_1` set by `profiles/p.json:12:7`*"),
        "{md}"
    );
}

#[test]
fn render_past_max_output_size_exits_1_and_writes_nothing() {
    let dir = tmp_dir("render-cap");
    let out = dir.join("page.html");
    let o = render(B8259, &out, &["--max-output-size", "10000"]);
    assert_eq!(o.status.code(), Some(1));
    assert!(
        stderr(&o).contains("error[render-too-large]: the HTML of profiles/NIST_IR-8259B_non-technical_baseline_profile.json would be larger than 10000 bytes"),
        "{}",
        stderr(&o)
    );
    assert!(!out.exists());
    assert_eq!(
        std::fs::read_dir(&dir).expect("dir").count(),
        0,
        "no temporary left"
    );
}

#[test]
fn render_never_overwrites_its_input_and_format_follows_the_flag() {
    let dir = tmp_dir("render-input");
    let cat = dir.join("cat.json");
    std::fs::copy(
        Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("catalogs/NIST_IoT_non-technical_supporting_capabilities_catalog.json"),
        &cat,
    )
    .expect("copy");
    let before = std::fs::read(&cat).expect("read");
    let o = oscalc(&[
        "render",
        cat.to_str().expect("utf-8"),
        "-o",
        cat.to_str().expect("utf-8"),
    ]);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("error[write-input]"), "{}", stderr(&o));
    assert_eq!(std::fs::read(&cat).expect("read"), before);
    // `--format csv` wins over the `.html` name; stdout without `-o`.
    let o = oscalc(&["render", cat.to_str().expect("utf-8"), "--format", "csv"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let text = String::from_utf8(o.stdout).expect("utf-8");
    assert!(text.starts_with("id,label,title,statement,parameters,group\r\n"));
    let v: Value = serde_json::from_str(&read(&cat)).expect("json");
    let rows = parse_csv(&text);
    assert_eq!(rows.len() - 1, count_controls(&v["catalog"]));
    assert_eq!(rows.len() - 1, 96, "the whole catalog, not a baseline");
    assert_eq!(rows[1][..2], ["doc-1", "A.1"]);
    assert_eq!(rows[1][5], "Documentation");
}

#[test]
fn render_reproducible_gives_the_same_bytes_with_the_profiles_date() {
    let dir = tmp_dir("render-repro");
    let (a, b) = (dir.join("a.html"), dir.join("b.html"));
    for out in [&a, &b] {
        let o = render(B8259, out, &["--reproducible"]);
        assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    }
    let page = read(&a);
    assert_eq!(page, read(&b));
    let profile: Value =
        serde_json::from_str(&read(&Path::new(env!("CARGO_MANIFEST_DIR")).join(B8259)))
            .expect("json");
    let date = profile["profile"]["metadata"]["last-modified"]
        .as_str()
        .expect("date");
    assert!(
        page.contains(&format!("last modified {date} · 93 controls")),
        "{date}"
    );
}
