//! Bounded resolution and checked inputs: the control limit stops exponential imports before
//! they are built, XML output stays within the nesting oscalc reads back, and `resolve` refuses
//! inputs the schema rejects.

use super::{oscalc_in, stderr, tmp_dir};
use serde_json::Value;

const CHAIN: &str = "tests/cases/hostile/bounds-exponential-chain";

/// The JSON diagnostics of a run (one object per line).
fn diags(text: &str) -> Vec<Value> {
    text.lines()
        .filter(|l| l.starts_with('{'))
        .map(|l| serde_json::from_str(l).expect("a JSON diagnostic"))
        .collect()
}

#[test]
fn exponential_chain_stops_at_the_default_limit_before_building_it() {
    let out = tmp_dir("bounds-chain");
    let target = out.join("out.json");
    let o = oscalc_in(
        CHAIN,
        &[
            "resolve",
            "p24.json",
            "-o",
            &target.to_string_lossy(),
            "--error-format",
            "json",
        ],
    );
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    let found = diags(&String::from_utf8_lossy(&o.stdout));
    let limits: Vec<_> = found
        .iter()
        .filter(|d| d["code"] == "resolve-limit")
        .collect();
    assert_eq!(limits.len(), 1, "{found:?}");
    let d = limits[0];
    // p20 is the first level over 1,000,000 (2^20 = 1,048,576): p19's 524,288 copies were the
    // most ever built, p20's selections were counted and refused.
    assert_eq!(
        d["message"],
        "profile `p20.json` would resolve to 1048576 controls, more than the limit of 1000000"
    );
    assert_eq!(
        (&d["file"], &d["line"], &d["column"]),
        (&Value::from("p20.json"), &Value::from(1), &Value::from(237))
    );
    assert_eq!(d["trace"].as_array().map(Vec::len), Some(4));
    assert_eq!(
        found.len(),
        found.iter().filter(|d| d["severity"] == "warning").count() + 1
    );
    assert!(!target.exists());
    let _ = std::fs::remove_dir_all(out);
}

#[test]
fn max_controls_flag_moves_the_limit_and_validate_takes_it_too() {
    let o = oscalc_in(
        CHAIN,
        &[
            "resolve",
            "p24.json",
            "--max-controls",
            "100",
            "--error-format",
            "short",
        ],
    );
    assert_eq!(o.status.code(), Some(1));
    let text = stderr(&o);
    assert!(
        text.contains(
            "p07.json:1:236: error[resolve-limit]: profile `p07.json` would resolve to 128 \
             controls, more than the limit of 100"
        ),
        "{text}"
    );
    // Under the limit the same chain resolves: p06 holds 2^6 copies of c1.
    let o = oscalc_in(
        CHAIN,
        &["resolve", "p06.json", "--max-controls", "64", "-q"],
    );
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let doc: Value = serde_json::from_slice(&o.stdout).expect("JSON output");
    assert_eq!(
        doc["catalog"]["controls"].as_array().map(Vec::len),
        Some(64)
    );
    let o = oscalc_in(CHAIN, &["validate", "p24.json", "--max-controls", "100"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
}

/// A JSON profile and catalog in `dir` whose one control's statement is `prose`.
fn deep_prose_inputs(dir: &std::path::Path, prose: &str) {
    let meta = serde_json::json!({"title": "T", "last-modified": "2024-01-01T00:00:00Z",
        "version": "1", "oscal-version": "1.2.3"});
    let catalog = serde_json::json!({"catalog": {
        "uuid": "8bd5f2a4-6a6b-4f7c-9a43-2b4f7cbbd7a4", "metadata": meta,
        "controls": [{"id": "c1", "title": "One",
                      "parts": [{"name": "statement", "prose": prose}]}]}});
    let profile = serde_json::json!({"profile": {
        "uuid": "1bd5f2a4-6a6b-4f7c-9a43-2b4f7cbbd7a4", "metadata": meta,
        "imports": [{"href": "cat.json", "include-all": {}}]}});
    std::fs::write(dir.join("cat.json"), catalog.to_string()).expect("write catalog");
    std::fs::write(dir.join("p.json"), profile.to_string()).expect("write profile");
}

fn run_in(dir: &std::path::Path, args: &[&str]) -> std::process::Output {
    std::process::Command::new(env!("CARGO_BIN_EXE_oscalc"))
        .args(args)
        .current_dir(dir)
        .output()
        .expect("run oscalc")
}

#[test]
fn markdown_nested_deeper_than_the_read_limit_is_refused_as_xml() {
    let dir = tmp_dir("bounds-deep-prose");
    let quotes = format!("{}deep", "> ".repeat(300));
    let list: String = (0..300)
        .map(|i| format!("{}- item\n", "  ".repeat(i)))
        .collect();
    for (prose, first) in [(quotes.as_str(), "blockquote"), (list.as_str(), "ul")] {
        deep_prose_inputs(&dir, prose);
        let o = run_in(&dir, &["resolve", "p.json", "--to", "xml", "-o", "out.xml"]);
        assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
        assert!(
            stderr(&o).contains(&format!(
                "error[emit-limit]: the XML output would nest elements deeper than 256 in \
                 control `c1`: catalog/control/part/{first}/…"
            )),
            "{}",
            stderr(&o)
        );
        assert!(!dir.join("out.xml").exists());
        // JSON holds the same prose as one string.
        let o = run_in(&dir, &["resolve", "p.json", "-o", "out.json", "-q"]);
        assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    }
    // The deepest prose that fits (catalog/control/part, 252 quotes, p: 256 levels) is written,
    // and oscalc reads the XML back.
    deep_prose_inputs(&dir, &format!("{}deep", "> ".repeat(252)));
    let o = run_in(&dir, &["resolve", "p.json", "-o", "out.xml", "-q"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let o = run_in(&dir, &["validate", "out.xml"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let _ = std::fs::remove_dir_all(dir);
}
