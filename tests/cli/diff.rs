//! `oscalc diff`: the difference of two baselines on real content (rev4 LOW → MODERATE, a
//! set-parameter edit, XML against JSON and YAML of one catalog), its three formats, its exit
//! codes, and text from the documents kept inert in every format.

use super::{oscalc, stderr, tmp_dir};
use serde_json::Value;
use std::collections::BTreeSet;
use std::path::Path;

const REV4: &str = "tests/fixtures/sp800-53-rev4/nist.gov/SP800-53/rev4";

fn rev4(path: &str) -> String {
    format!("{REV4}/{path}")
}

fn stdout(o: &std::process::Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

fn json_of(o: &std::process::Output) -> Value {
    serde_json::from_slice(&o.stdout)
        .unwrap_or_else(|e| panic!("{e}: not JSON:\n{}\n{}", stdout(o), stderr(o)))
}

/// The control ids of a catalog file, in document order, read with serde_json alone.
fn control_ids(path: &str) -> Vec<String> {
    fn walk(v: &Value, out: &mut Vec<String>) {
        for c in v["controls"].as_array().into_iter().flatten() {
            out.push(c["id"].as_str().expect("id").to_owned());
            walk(c, out);
        }
        for g in v["groups"].as_array().into_iter().flatten() {
            walk(g, out);
        }
    }
    let text =
        std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join(path)).expect("fixture");
    let doc: Value = serde_json::from_str(&text).expect("json");
    let mut out = Vec::new();
    walk(&doc["catalog"], &mut out);
    out
}

fn ids_with_status(report: &Value, status: &str) -> Vec<String> {
    report["controls"]
        .as_array()
        .expect("controls")
        .iter()
        .filter(|c| c["status"] == status)
        .map(|c| c["id"].as_str().expect("id").to_owned())
        .collect()
}

#[test]
fn diff_rev4_low_to_moderate_lists_the_137_controls_moderate_adds() {
    // The expected set comes from NIST's own resolved catalogs, not from oscalc.
    let low = control_ids(&rev4(
        "json/NIST_SP-800-53_rev4_LOW-baseline-resolved-profile_catalog.json",
    ));
    let moderate = control_ids(&rev4(
        "json/NIST_SP-800-53_rev4_MODERATE-baseline-resolved-profile_catalog.json",
    ));
    let low_set: BTreeSet<&String> = low.iter().collect();
    let expected: Vec<String> = moderate
        .iter()
        .filter(|id| !low_set.contains(id))
        .cloned()
        .collect();
    assert_eq!(expected.len(), 137);

    let o = oscalc(&[
        "diff",
        &rev4("json/NIST_SP-800-53_rev4_LOW-baseline_profile.json"),
        &rev4("xml/NIST_SP-800-53_rev4_MODERATE-baseline_profile.xml"),
        "--format",
        "json",
    ]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let report = json_of(&o);
    assert_eq!(report["counts"]["added"], 137);
    assert_eq!(report["counts"]["removed"], 0);
    assert_eq!(report["counts"]["unchanged"], low.len());
    assert!(ids_with_status(&report, "removed").is_empty());
    // Exactly NIST's set, in MODERATE's document order.
    assert_eq!(ids_with_status(&report, "added"), expected);
    let added = ids_with_status(&report, "added");
    for id in ["ac-2.1", "ac-4", "au-3.1", "cm-2.3", "sc-8.1"] {
        assert!(added.iter().any(|a| a == id), "{id} not added");
    }
    let ac21 = &report["controls"][0];
    assert_eq!(ac21["id"], "ac-2.1");
    assert_eq!(ac21["title"], "Automated System Account Management");
    assert_eq!(ac21["place"]["groups"], serde_json::json!(["ac"]));
    assert_eq!(ac21["place"]["parent"], "ac-2");
    assert_eq!(
        report["old"],
        rev4("json/NIST_SP-800-53_rev4_LOW-baseline_profile.json")
    );
}

#[test]
fn diff_rev4_low_to_moderate_text_and_markdown_show_the_same_controls() {
    let args = |format: &'static str| {
        oscalc(&[
            "diff",
            &rev4("json/NIST_SP-800-53_rev4_LOW-baseline_profile.json"),
            &rev4("json/NIST_SP-800-53_rev4_MODERATE-baseline_profile.json"),
            "--format",
            format,
            "--color",
            "always",
        ])
    };
    let text = stdout(&args("text"));
    assert!(text.contains("137 added, 0 removed, 0 moved, 0 changed, 124 unchanged\n"));
    assert!(text.contains(
        "\u{1b}[32m+ ac-2.1  Automated System Account Management  [ac, under ac-2]\u{1b}[0m\n"
    ));
    assert_eq!(
        text.lines()
            .filter(|l| l.starts_with("\u{1b}[32m+ "))
            .count(),
        137
    );
    let md = stdout(&args("markdown"));
    assert!(md.contains("| 137 | 0 | 0 | 0 | 124 |\n"), "{md}");
    assert!(md.contains("#### Added (137)\n\n<details><summary>137 controls</summary>\n"));
    assert!(md.contains("- `ac-2.1` Automated System Account Management (ac, under `ac-2`)\n"));
    assert_eq!(md.lines().filter(|l| l.starts_with("- `")).count(), 137);
    assert!(!md.contains('\u{1b}'), "colour in Markdown");
}

/// A profile of the rev4 catalog selecting ac-1 and ac-2, with one set-parameter value.
fn profile(value: &str) -> String {
    let catalog =
        Path::new(env!("CARGO_MANIFEST_DIR")).join(rev4("json/NIST_SP-800-53_rev4_catalog.json"));
    format!(
        r#"{{"profile": {{
  "uuid": "1bd5f2a4-6a6b-4f7c-9a43-2b4f7cbbd7a4",
  "metadata": {{"title": "Edit", "last-modified": "2024-01-01T00:00:00Z",
               "version": "1", "oscal-version": "1.2.3"}},
  "imports": [{{"href": "{}", "include-controls": [{{"with-ids": ["ac-1", "ac-2"]}}]}}],
  "modify": {{"set-parameters": [
    {{"param-id": "ac-1_prm_2", "values": ["{value}"]}},
    {{"param-id": "ac-1_prm_3", "values": ["every three years"]}}
  ]}}
}}}}"#,
        catalog.display()
    )
}

#[test]
fn diff_one_set_parameter_edit_shows_that_one_value() {
    let dir = tmp_dir("diff-set-param");
    let before = dir.join("before.json");
    let after = dir.join("after.json");
    std::fs::write(&before, profile("annually")).expect("write");
    std::fs::write(&after, profile("monthly")).expect("write");
    let (b, a) = (
        before.to_str().expect("utf-8"),
        after.to_str().expect("utf-8"),
    );

    let o = oscalc(&["diff", b, a, "--format", "json"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let report = json_of(&o);
    assert_eq!(
        report["counts"],
        serde_json::json!({"added": 0, "removed": 0, "moved": 0, "changed": 1, "unchanged": 1})
    );
    assert_eq!(
        report["controls"],
        serde_json::json!([{
            "status": "changed",
            "id": "ac-1",
            "title": "Access Control Policy and Procedures",
            "changes": [{
                "kind": "param",
                "param": "ac-1_prm_2",
                "field": "values",
                "old": ["annually"],
                "new": ["monthly"]
            }]
        }])
    );

    let o = oscalc(&["diff", b, a, "--color", "never"]);
    let text = stdout(&o);
    assert!(text.contains("0 added, 0 removed, 0 moved, 1 changed, 1 unchanged\n"));
    assert!(
        text.ends_with(
            "~ ac-1  Access Control Policy and Procedures\n    param ac-1_prm_2 values: annually → monthly\n"
        ),
        "{text}"
    );
    let o = oscalc(&["diff", b, a, "--format", "markdown"]);
    assert!(
        stdout(&o).contains("  - param `ac-1_prm_2` values: ~~annually~~ → **monthly**\n"),
        "{}",
        stdout(&o)
    );
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn diff_xml_against_json_or_yaml_of_one_catalog_shows_no_difference() {
    let dir = tmp_dir("diff-formats");
    let yaml = dir.join("rev4.yaml");
    let json = rev4("json/NIST_SP-800-53_rev4_catalog.json");
    let o = oscalc(&["convert", &json, "-o", yaml.to_str().expect("utf-8")]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let xml = rev4("xml/NIST_SP-800-53_rev4_catalog.xml");
    let all = control_ids(&json).len();
    for other in [json.as_str(), yaml.to_str().expect("utf-8")] {
        let o = oscalc(&["diff", &xml, other, "--exit-code", "--format", "json"]);
        assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
        let report = json_of(&o);
        assert_eq!(report["controls"], serde_json::json!([]));
        assert_eq!(report["counts"]["unchanged"], all);
    }
    // NIST's two forms of the resolved MODERATE baseline, prose markup and all.
    let o = oscalc(&[
        "diff",
        &rev4("xml/NIST_SP-800-53_rev4_MODERATE-baseline-resolved-profile_catalog.xml"),
        &rev4("json/NIST_SP-800-53_rev4_MODERATE-baseline-resolved-profile_catalog.json"),
        "--exit-code",
        "--format",
        "markdown",
    ]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert!(stdout(&o).ends_with("| 0 | 0 | 0 | 0 | 261 |\n\nNo differences.\n"));
    let _ = std::fs::remove_dir_all(&dir);
}

/// A catalog with one group `g` holding the given controls (JSON text).
fn catalog(controls: &str, groups: &str) -> String {
    format!(
        r#"{{"catalog": {{
  "uuid": "8bd5f2a4-6a6b-4f7c-9a43-2b4f7cbbd7a4",
  "metadata": {{"title": "C", "last-modified": "2024-01-01T00:00:00Z",
               "version": "1", "oscal-version": "1.2.3"}},
  "groups": [{{"id": "g", "title": "G", "controls": [{controls}]}}{groups}]
}}}}"#
    )
}

#[test]
fn diff_exit_codes_follow_git_diff_and_resolve() {
    let dir = tmp_dir("diff-exit");
    let one = dir.join("one.json");
    let two = dir.join("two.json");
    let bad = dir.join("bad.json");
    std::fs::write(&one, catalog(r#"{"id": "c-1", "title": "One"}"#, "")).expect("write");
    std::fs::write(&two, catalog(r#"{"id": "c-2", "title": "Two"}"#, "")).expect("write");
    std::fs::write(&bad, r#"{"catalog": {"uuid": "x"}}"#).expect("write");
    let p = |p: &Path| p.to_str().expect("utf-8").to_owned();
    let code = |args: &[&str]| oscalc(args).status.code();
    assert_eq!(code(&["diff", &p(&one), &p(&two)]), Some(0));
    assert_eq!(code(&["diff", &p(&one), &p(&two), "--exit-code"]), Some(1));
    assert_eq!(code(&["diff", &p(&one), &p(&one), "--exit-code"]), Some(0));
    // An input that is wrong: 1, as resolve; the diagnostic names it.
    let o = oscalc(&["diff", &p(&one), &p(&bad), "--error-format", "short"]);
    assert_eq!(o.status.code(), Some(1));
    assert!(stderr(&o).contains("bad.json:1:"), "{}", stderr(&o));
    assert_eq!(stdout(&o), "");
    // A named file that does not exist, or bad usage: 2.
    let missing = dir.join("missing.json");
    assert_eq!(code(&["diff", &p(&one), &p(&missing)]), Some(2));
    assert_eq!(code(&["diff", &p(&one)]), Some(2));
    assert_eq!(
        code(&["diff", &p(&one), &p(&two), "--format", "html"]),
        Some(2)
    );
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn diff_shows_moves_prose_words_props_links_and_removed_controls_in_place() {
    let dir = tmp_dir("diff-content");
    let old = dir.join("old.json");
    let new = dir.join("new.json");
    std::fs::write(
        &old,
        catalog(
            r#"{"id": "c-1", "title": "One", "props": [{"name": "label", "value": "C-1"}],
                "parts": [{"id": "c-1_smt", "name": "statement",
                           "prose": "Review the\npolicy yearly and report."}]},
               {"id": "c-2", "title": "Two"},
               {"id": "c-3", "title": "Three"}"#,
            "",
        ),
    )
    .expect("write");
    std::fs::write(
        &new,
        catalog(
            r##"{"id": "c-1", "title": "One", "props": [{"name": "label", "value": "C-01"}],
                "links": [{"href": "#c-3", "rel": "related"}],
                "parts": [{"id": "c-1_smt", "name": "statement",
                           "prose": "Review the policy monthly and report.",
                           "parts": [{"name": "item", "prose": "Keep records."}]}]}"##,
            r#", {"id": "h", "title": "H", "controls": [{"id": "c-3", "title": "Three"}]}"#,
        ),
    )
    .expect("write");
    let (o, n) = (old.to_str().expect("utf-8"), new.to_str().expect("utf-8"));
    let out = oscalc(&["diff", o, n, "--color", "never"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let text = stdout(&out);
    let expected = "0 added, 1 removed, 1 moved, 1 changed, 0 unchanged

~ c-1  One
    - prop label=C-1
    + prop label=C-01
    + link #c-3 (related)
    prose c-1_smt: Review the policy [-yearly-] {+monthly+} and report.
    + part c-1_smt/item[1]: Keep records.

- c-2  Two  [g]

~ c-3  Three
    moved: [g] → [h]
";
    assert!(text.ends_with(expected), "{text}");
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn diff_keeps_document_text_inert_in_every_format() {
    let dir = tmp_dir("diff-hostile");
    let old = dir.join("old.json");
    let new = dir.join("new.json");
    std::fs::write(&old, catalog(r#"{"id": "c-1", "title": "One"}"#, "")).expect("write");
    std::fs::write(
        &new,
        catalog(
            r#"{"id": "c-1", "title": "One"},
               {"id": "c-2", "title": "<script>alert(1)</script> [x](http://evil.example) | \u001b[2J"}"#,
            "",
        ),
    )
    .expect("write");
    let (o, n) = (old.to_str().expect("utf-8"), new.to_str().expect("utf-8"));
    let text = stdout(&oscalc(&[
        "diff",
        o,
        n,
        "--color",
        "never",
        "--no-validate",
    ]));
    assert!(
        !text.contains('\u{1b}'),
        "an escape sequence reached the terminal: {text:?}"
    );
    assert!(
        text.contains("+ c-2  <script>alert(1)</script> [x](http://evil.example) | \u{fffd}[2J")
    );
    let md = stdout(&oscalc(&[
        "diff",
        o,
        n,
        "--format",
        "markdown",
        "--no-validate",
    ]));
    assert!(
        md.contains(
            r"- `c-2` \<script\>alert(1)\</script\> \[x\](http://evil.example) \| \u{fffd}\[2J (g)"
                .replace(r"\u{fffd}", "\u{fffd}")
                .as_str()
        ),
        "{md}"
    );
    assert!(!md.contains("<script>"));
    let json = json_of(&oscalc(&[
        "diff",
        o,
        n,
        "--format",
        "json",
        "--no-validate",
    ]));
    assert_eq!(
        json["controls"][0]["title"],
        "<script>alert(1)</script> [x](http://evil.example) | \u{1b}[2J"
    );
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn diff_of_prose_past_the_word_limit_is_replaced_whole() {
    let dir = tmp_dir("diff-long-prose");
    let old = dir.join("old.json");
    let new = dir.join("new.json");
    // Two texts with no word in common, each far past the word limit (5,000): Myers on them
    // would cost their product; the limit shows them replaced whole at once.
    let words = |w: &str| vec![w; 60_000].join(" ");
    let control = |prose: &str| {
        format!(
            r#"{{"id": "c-1", "title": "One", "parts": [{{"id": "s", "name": "statement", "prose": "{prose}"}}]}}"#
        )
    };
    std::fs::write(&old, catalog(&control(&words("alpha")), "")).expect("write");
    std::fs::write(&new, catalog(&control(&words("beta")), "")).expect("write");
    let (o, n) = (old.to_str().expect("utf-8"), new.to_str().expect("utf-8"));
    let out = oscalc(&["diff", o, n, "--format", "json"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let report = json_of(&out);
    let change = &report["controls"][0]["changes"][0];
    assert_eq!(change["kind"], "prose");
    assert_eq!(change["whole"], true);
    assert_eq!(change["words"].as_array().map(Vec::len), Some(2));
    assert_eq!(change["words"][0]["op"], "removed");
    assert_eq!(change["words"][1]["op"], "added");
    let _ = std::fs::remove_dir_all(&dir);
}
