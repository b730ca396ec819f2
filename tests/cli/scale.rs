//! Diagnostics at scale: bounded quoting on huge lines, grouping by code with totals, the
//! summary line, GitHub's annotation limit, repeats reported once, and one diagnostic for an id
//! defined three times. Nothing here is timed: sizes and counts prove the bounds.

use super::{oscalc, stderr, tmp_dir};
use std::path::{Path, PathBuf};

const META: &str = r#""metadata":{"title":"T","last-modified":"2024-01-01T00:00:00Z","version":"1","oscal-version":"1.2.3"}"#;

/// The FedRAMP-style profile: 101 adds by the altered control's own id, 2 by ids that do not
/// exist, over the SP 800-53 rev4 MODERATE selection.
const FEDRAMP: &str = "tests/cli/golden/fedramp-style-alters/profile.json";
const FEDRAMP_GOLDEN: &str = "tests/cli/golden/fedramp-style-alters/expected.stderr";

fn arg(p: &Path) -> &str {
    p.to_str().expect("UTF-8 path")
}

/// A catalog on one line: `distinct` ids, each defined `times` times, in `times` runs.
fn one_line_catalog(name: &str, distinct: usize, times: usize) -> PathBuf {
    let dir = tmp_dir(name);
    let controls: Vec<String> = (0..distinct * times)
        .map(|i| {
            format!(
                r#"{{"id":"c{}","title":"Control {i} padded","parts":[{{"name":"statement"}}]}}"#,
                i % distinct
            )
        })
        .collect();
    let text = format!(
        r#"{{"catalog":{{"uuid":"8bd5f2a4-6a6b-4f7c-9a43-2b4f7cbbd7a4",{META},"controls":[{}]}}}}"#,
        controls.join(",")
    );
    let path = dir.join("one-line.json");
    std::fs::write(&path, text).expect("write");
    path
}

#[test]
fn three_thousand_diagnostics_on_a_one_line_document_quote_bounded_windows() {
    let path = one_line_catalog("one-line", 3000, 2);
    let size = std::fs::metadata(&path).expect("catalog").len();
    assert!(size > 300_000, "{size}");
    let o = oscalc(&[
        "validate",
        arg(&path),
        "--color",
        "never",
        "--max-per-code",
        "all",
    ]);
    assert_eq!(o.status.code(), Some(1));
    let text = stderr(&o);
    let headers = text
        .lines()
        .filter(|l| l.starts_with("error[ref-duplicate-id]: id `c"))
        .count();
    assert_eq!(headers, 3000);
    // Each duplicate also breaks the two catalog indexes of OSCAL's constraint layer (control,
    // group and part ids; control ids): 9,000 diagnostics in all.
    let indexed = text
        .lines()
        .filter(|l| l.starts_with("error[oscal:oscal-catalog-"))
        .count();
    assert_eq!(indexed, 6000);
    // Each quoted line is a window of at most 200 bytes (plus gutter and `…` marks), never the
    // 300 KB line: the whole output stays near 9,000 × 600 bytes.
    let longest = text.lines().map(|l| l.chars().count()).max().unwrap_or(0);
    assert!(longest <= 250, "a line of {longest} characters");
    assert!(text.len() < 9000 * 1000, "{} bytes", text.len());
    let first = text.split("\n\n").next().unwrap_or_default();
    assert!(first.contains("1 │ …"), "{first}");
    assert!(first.contains("---- first defined here"), "{first}");
    assert!(text.ends_with("checked 1 file: 9000 errors, 0 warnings\n"));
}

#[test]
fn short_groups_by_code_and_max_per_code_all_prints_every_one() {
    let path = one_line_catalog("grouped", 40, 2);
    let run = |more: &[&str]| {
        let args = [
            &["validate", arg(&path), "--error-format", "short"][..],
            more,
        ]
        .concat();
        stderr(&oscalc(&args))
    };
    let name = arg(&path);
    let grouped = run(&[]);
    let lines: Vec<&str> = grouped.lines().collect();
    // Five of each code: the reference check's, then the two catalog indexes of OSCAL's
    // constraint layer that each duplicate breaks too.
    assert_eq!(lines.len(), 3 * 5 + 5, "{grouped}");
    assert!(lines[0].starts_with(&format!("{name}:1:")), "{grouped}");
    assert_eq!(
        lines[15..],
        [
            "… and 35 more `ref-duplicate-id` (two controls, params, parts or groups share an id; \
             `--max-per-code all` shows all)",
            "… and 35 more `oscal:oscal-catalog-groups-controls-parts` (`--max-per-code all` shows all)",
            "… and 35 more `oscal:oscal-catalog-controls` (`--max-per-code all` shows all)",
            "error: 120 errors (40 ref-duplicate-id, 40 oscal:oscal-catalog-groups-controls-parts, \
             40 oscal:oscal-catalog-controls)",
            "checked 1 file: 120 errors, 0 warnings",
        ]
    );
    let all = run(&["--max-per-code", "all"]);
    assert_eq!(all.matches("error[ref-duplicate-id]").count(), 40);
    assert!(!all.contains("… and"), "{all}");
    assert!(
        all.contains("\nerror: 120 errors (40 ref-duplicate-id, "),
        "{all}"
    );
    let two = run(&["--max-per-code", "2", "-q"]);
    assert_eq!(two.matches("error[ref-duplicate-id]").count(), 2);
    assert!(two.contains("… and 38 more `ref-duplicate-id`"), "{two}");
    assert!(!two.contains("checked"), "-q prints no summary: {two}");
    let o = oscalc(&["validate", name, "--max-per-code", "some"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("neither a number nor `all`"));
}

#[test]
fn json_keeps_every_diagnostic_and_github_annotates_ten_of_a_type() {
    let path = one_line_catalog("machine", 40, 2);
    let run = |format: &str| oscalc(&["validate", arg(&path), "--error-format", format]);
    let json = run("json");
    let stdout = String::from_utf8_lossy(&json.stdout).into_owned();
    // Each duplicate: the reference check's error and the two catalog indexes' of OSCAL's
    // constraint layer.
    assert_eq!(stdout.lines().count(), 120);
    assert_eq!(stderr(&json), "checked 1 file: 120 errors, 0 warnings\n");
    let github = run("github");
    let stdout = String::from_utf8_lossy(&github.stdout).into_owned();
    let lines: Vec<&str> = stdout.lines().collect();
    assert_eq!(
        lines.iter().filter(|l| l.starts_with("::error ")).count(),
        10
    );
    assert_eq!(
        lines[10..],
        [
            "::notice title=oscalc::110 more errors not annotated (a workflow step shows 10 of \
             each type); see the totals in the log, or use --error-format sarif",
            "error: 120 errors (40 ref-duplicate-id, 40 oscal:oscal-catalog-groups-controls-parts, \
             40 oscal:oscal-catalog-controls)",
        ]
    );
}

/// The golden file holds the whole of stderr; `OSCALC_BLESS=1` rewrites it.
#[test]
fn resolving_a_real_sized_profile_groups_its_warnings_and_ends_with_totals() {
    let o = oscalc(&[
        "resolve",
        FEDRAMP,
        "--error-format",
        "short",
        "--color",
        "never",
    ]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let got = stderr(&o);
    let golden = Path::new(env!("CARGO_MANIFEST_DIR")).join(FEDRAMP_GOLDEN);
    if std::env::var_os("OSCALC_BLESS").is_some() {
        std::fs::write(&golden, &got).expect("bless");
    }
    let want = std::fs::read_to_string(&golden).expect("golden file");
    assert_eq!(got, want, "stderr differs from {FEDRAMP_GOLDEN}");
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).expect("catalog on stdout");
    let first = &v["catalog"]["groups"][0]["controls"][0];
    let added = first["parts"].as_array().and_then(|p| p.last());
    assert_eq!(added.map(|p| &p["id"]), Some(&"ac-1_fr".into()));
}

#[test]
fn a_repeated_identical_limit_error_is_reported_once() {
    let cat = "tests/cases/broken/json-duplicate-control-id/cat.json";
    let o = oscalc(&[
        "validate",
        cat,
        cat,
        "--max-file-size",
        "100",
        "--error-format",
        "short",
    ]);
    assert_eq!(o.status.code(), Some(1));
    let text = stderr(&o);
    assert_eq!(text.matches("error[load-limit]").count(), 1, "{text}");
    assert!(
        text.contains("is 436 bytes, over the limit of 100 bytes"),
        "{text}"
    );
    assert!(
        text.ends_with("checked 2 files: 1 error, 0 warnings\n"),
        "{text}"
    );
}

#[test]
fn an_id_defined_three_times_is_said_once_with_every_place() {
    let dir = tmp_dir("thrice");
    let text = format!(
        "{{\"catalog\": {{\"uuid\": \"8bd5f2a4-6a6b-4f7c-9a43-2b4f7cbbd7a4\", {META},\n\
         \"controls\": [\n{{\"id\": \"a\", \"title\": \"One\"}},\n\
         {{\"id\": \"a\", \"title\": \"Two\"}},\n{{\"id\": \"a\", \"title\": \"Three\"}}]}}}}\n"
    );
    std::fs::write(dir.join("cat.json"), text).expect("write");
    let o = super::oscalc_in(
        dir.to_str().expect("path"),
        &["validate", "cat.json", "--color", "never"],
    );
    assert_eq!(o.status.code(), Some(1));
    // OSCAL's constraint layer adds its own findings (statements, the two catalog indexes for
    // the second and third `a`) after the reference check's one diagnostic.
    let text = stderr(&o);
    assert_eq!(text.matches("error[ref-duplicate-id]").count(), 1, "{text}");
    assert_eq!(
        text.matches("error[oscal:oscal-catalog-").count(),
        7,
        "{text}"
    );
    assert!(
        text.ends_with("checked 1 file: 8 errors, 0 warnings\n"),
        "{text}"
    );
    assert_eq!(
        text.split("\n\n").next().unwrap_or_default(),
        "error[ref-duplicate-id]: id `a` is defined 3 times\n  \
         ┌─ cat.json:4:8\n  \
         │\n\
         3 │ {\"id\": \"a\", \"title\": \"One\"},\n  \
         │        --- first defined here\n\
         4 │ {\"id\": \"a\", \"title\": \"Two\"},\n  \
         │        ^^^\n\
         5 │ {\"id\": \"a\", \"title\": \"Three\"}]}}\n  \
         │        --- also defined here"
    );
}
