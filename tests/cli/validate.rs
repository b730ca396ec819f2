//! `oscalc validate`, the diagnostic formats on every command, the exit statuses, and the check of
//! resolve's output before it is written.

use super::{case, oscalc, stderr, tmp_dir};
use serde_json::Value;
use std::path::Path;

const DUP: &str = "tests/cases/broken/json-duplicate-control-id/cat.json";
const WARN_PROFILE: &str = "tests/cases/broken/profile-unknown-with-id/profile.json";

/// What OSCAL's constraint layer finds in [`DUP`] besides the duplicate id: two controls without
/// a statement, and the second `c2` in the two catalog indexes of ids. (line, col, code, message)
const DUP_CONSTRAINTS: [(u32, u32, &str, &str); 4] = [
    (
        8,
        5,
        STATEMENT,
        "control `c2` does not satisfy `prop[@name='status']/@value=('withdrawn','Withdrawn') or part[@name='statement']`",
    ),
    (
        9,
        5,
        "oscal:oscal-catalog-groups-controls-parts",
        "`control` with key `c2` is already in index `catalog-groups-controls-parts`",
    ),
    (
        9,
        5,
        "oscal:oscal-catalog-controls",
        "`control` with key `c2` is already in index `catalog-controls`",
    ),
    (
        9,
        5,
        STATEMENT,
        "control `c2` does not satisfy `prop[@name='status']/@value=('withdrawn','Withdrawn') or part[@name='statement']`",
    ),
];
const STATEMENT: &str = "oscal:oscal-catalog-control-require-statement-when-not-withdrawn";

fn stdout(o: &std::process::Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

fn files_in(dir: &str, ext: &str) -> Vec<String> {
    let mut out: Vec<String> = std::fs::read_dir(Path::new(env!("CARGO_MANIFEST_DIR")).join(dir))
        .expect("folder")
        .filter_map(Result::ok)
        .map(|e| format!("{dir}/{}", e.file_name().to_string_lossy()))
        .filter(|p| p.ends_with(ext))
        .collect();
    out.sort();
    out
}

#[test]
fn validate_short_names_file_line_col_and_code() {
    let o = oscalc(&["validate", DUP, "--error-format", "short"]);
    assert_eq!(o.status.code(), Some(1));
    let mut want = format!("{DUP}:9:12: error[ref-duplicate-id]: id `c2` is defined twice\n");
    for (line, col, code, message) in DUP_CONSTRAINTS {
        want.push_str(&format!("{DUP}:{line}:{col}: error[{code}]: {message}\n"));
    }
    want.push_str("checked 1 file: 5 errors, 0 warnings\n");
    assert_eq!(stderr(&o), want);
    assert_eq!(stdout(&o), "");
}

#[test]
fn validate_human_shows_the_line_a_caret_and_the_first_definition() {
    let o = oscalc(&["validate", DUP, "--color", "never"]);
    assert_eq!(o.status.code(), Some(1));
    let err = stderr(&o);
    for needle in [
        "error[ref-duplicate-id]: id `c2` is defined twice",
        &format!("┌─ {DUP}:9:12"),
        r#"{"id": "c2", "title": "Again"}"#,
        "^^^^",
        "first defined here",
    ] {
        assert!(err.contains(needle), "no `{needle}` in:\n{err}");
    }
    assert!(!err.contains('\u{1b}'), "colour with --color never:\n{err}");
}

#[test]
fn validate_json_is_one_object_a_line_on_stdout() {
    let o = oscalc(&["validate", DUP, "--error-format", "json"]);
    assert_eq!(o.status.code(), Some(1));
    // The diagnostics go to stdout; stderr has the summary only.
    assert_eq!(stderr(&o), "checked 1 file: 5 errors, 0 warnings\n");
    let lines: Vec<Value> = stdout(&o)
        .lines()
        .map(|l| serde_json::from_str(l).expect("JSON line"))
        .collect();
    assert_eq!(lines.len(), 1 + DUP_CONSTRAINTS.len());
    assert_eq!(lines[2]["pointer"], "/catalog/controls/2");
    assert_eq!(
        lines[2]["code"],
        "oscal:oscal-catalog-groups-controls-parts"
    );
    let d = &lines[0];
    assert_eq!(d["severity"], "error");
    assert_eq!(d["code"], "ref-duplicate-id");
    assert_eq!(d["file"], DUP);
    assert_eq!(
        (d["line"].as_u64(), d["column"].as_u64()),
        (Some(9), Some(12))
    );
    assert_eq!(
        (d["end_line"].as_u64(), d["end_column"].as_u64()),
        (Some(9), Some(16))
    );
    assert_eq!(d["pointer"], "/catalog/controls/2/id");
}

#[test]
fn validate_sarif_is_one_document_for_all_files() {
    let o = oscalc(&["validate", DUP, WARN_PROFILE, "--error-format", "sarif"]);
    assert_eq!(o.status.code(), Some(1));
    let doc: Value = serde_json::from_slice(&o.stdout).expect("SARIF JSON");
    assert_eq!(doc["version"], "2.1.0");
    let results = doc["runs"][0]["results"].as_array().expect("results");
    let got: Vec<(&str, &str, u64)> = results
        .iter()
        .map(|r| {
            let region = &r["locations"][0]["physicalLocation"]["region"];
            (
                r["ruleId"].as_str().unwrap_or(""),
                r["level"].as_str().unwrap_or(""),
                region["startLine"].as_u64().unwrap_or(0),
            )
        })
        .collect();
    let mut want = vec![("ref-duplicate-id", "error", 9)];
    want.extend(
        DUP_CONSTRAINTS
            .iter()
            .map(|(l, _, c, _)| (*c, "error", u64::from(*l))),
    );
    want.push(("select-unknown-id", "warning", 5));
    assert_eq!(got, want);
    let rules = doc["runs"][0]["tool"]["driver"]["rules"]
        .as_array()
        .expect("rules");
    assert_eq!(rules.len(), 5);
}

#[test]
fn validate_github_prints_workflow_commands() {
    let o = oscalc(&["validate", DUP, WARN_PROFILE, "--error-format", "github"]);
    assert_eq!(o.status.code(), Some(1));
    let out = stdout(&o);
    let lines: Vec<&str> = out.lines().collect();
    let mut want = vec![format!(
        "::error file={DUP},line=9,col=12,endLine=9,endColumn=16,title=ref-duplicate-id::id `c2` is defined twice"
    )];
    for (line, col, code, message) in DUP_CONSTRAINTS {
        let code = code.replace(':', "%3A");
        want.push(format!(
            "::error file={DUP},line={line},col={col},endLine={line},endColumn=11,title={code}::{message}"
        ));
    }
    want.push(format!(
        "::warning file={WARN_PROFILE},line=5,col=67,endLine=5,endColumn=71,title=select-unknown-id::with-ids names `c9`, which is no control of import 1"
    ));
    // With more than one code, the totals by code follow.
    want.push(format!(
        "error: 5 errors (2 {STATEMENT}, 1 ref-duplicate-id, 1 oscal:oscal-catalog-groups-controls-parts, 1 oscal:oscal-catalog-controls)"
    ));
    want.push("warning: 1 warning (1 select-unknown-id)".to_owned());
    assert_eq!(lines, want);
}

#[test]
fn warnings_exit_0_unless_denied() {
    let o = oscalc(&["validate", WARN_PROFILE, "--error-format", "short"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert!(stderr(&o).contains("warning[select-unknown-id]"));
    let o = oscalc(&[
        "validate",
        WARN_PROFILE,
        "--deny-warnings",
        "--error-format",
        "short",
    ]);
    assert_eq!(o.status.code(), Some(1));
    assert!(stderr(&o).contains("error[select-unknown-id]"));
    let o = oscalc(&["resolve", WARN_PROFILE, "--deny-warnings", "-q"]);
    assert_eq!(o.status.code(), Some(1));
    assert_eq!(stdout(&o), "", "a denied warning still wrote the catalog");
}

#[test]
fn a_directory_a_missing_file_or_bad_usage_exits_2() {
    // `validate DIR` searches the folder (tests/cli/folders.rs); `resolve` takes profiles only.
    let o = oscalc(&["resolve", "tests/cases", "--error-format", "short"]);
    assert_eq!(o.status.code(), Some(2));
    assert_eq!(
        stderr(&o),
        "error[fetch-io]: tests/cases is a directory, not a file\n"
    );
    let o = oscalc(&["validate", "no/such.json"]);
    assert_eq!(o.status.code(), Some(2));
    let o = oscalc(&["validate", DUP, "--error-format", "yaml"]);
    assert_eq!(o.status.code(), Some(2));
    let o = oscalc(&["validate"]);
    assert_eq!(o.status.code(), Some(2));
}

#[test]
fn help_documents_the_exit_statuses() {
    let o = oscalc(&["--help"]);
    assert_eq!(o.status.code(), Some(0));
    let out = stdout(&o);
    for needle in [
        "Exit status",
        "0  done",
        "1  the input is wrong",
        "2  the run failed",
    ] {
        assert!(out.contains(needle), "no `{needle}` in --help:\n{out}");
    }
}

#[test]
fn resolve_sends_machine_diagnostics_to_stderr_when_the_catalog_goes_to_stdout() {
    let o = oscalc(&["resolve", WARN_PROFILE, "--error-format", "json"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let doc: Value = serde_json::from_slice(&o.stdout).expect("only the catalog on stdout");
    assert!(doc["catalog"].is_object());
    let diag: Value = serde_json::from_str(stderr(&o).trim()).expect("one JSON line on stderr");
    assert_eq!(diag["code"], "select-unknown-id");

    let dir = tmp_dir("machine-stdout");
    let out = dir.join("out.json");
    let o = oscalc(&[
        "resolve",
        WARN_PROFILE,
        "-o",
        out.to_str().expect("path"),
        "--error-format",
        "json",
    ]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let diag: Value = serde_json::from_str(stdout(&o).trim()).expect("JSON line on stdout");
    assert_eq!(diag["code"], "select-unknown-id");
    assert!(out.is_file());
}

#[test]
fn resolve_refuses_to_write_an_invalid_output_unless_told_not_to_check() {
    let dir = tmp_dir("invalid-output");
    let catalog =
        std::fs::read_to_string(case("broken/json-dangling-insert/cat.json")).expect("catalog");
    std::fs::write(dir.join("cat.json"), catalog).expect("write");
    let profile = std::fs::read_to_string(case("broken/profile-unknown-by-id/profile.json"))
        .expect("profile")
        .replace(r#""modify""#, r#""x-modify""#)
        .replace(",\n  \"x-modify\": {\"alters\": [\n    {\"control-id\": \"c1\", \"adds\": [{\"by-id\": \"c1_gone\", \"position\": \"after\", \"props\": [{\"name\": \"n\", \"ns\": \"https://example.com/ns/test\", \"value\": \"v\"}]}]}\n  ]}", "");
    std::fs::write(dir.join("profile.json"), profile).expect("write");
    let out = dir.join("out.json");
    let args = |extra: &'static str| {
        let mut a = vec![
            "resolve".to_owned(),
            dir.join("profile.json").to_string_lossy().into_owned(),
            "-o".to_owned(),
            out.to_string_lossy().into_owned(),
            "--error-format".to_owned(),
            "short".to_owned(),
        ];
        if !extra.is_empty() {
            a.push(extra.to_owned());
        }
        a
    };
    let run = |a: Vec<String>| oscalc(&a.iter().map(String::as_str).collect::<Vec<_>>());
    let o = run(args(""));
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    assert!(
        stderr(&o).contains(
            "error[ref-dangling]: in the output: insert names parameter `c1_nope`, which does not exist"
        ),
        "{}",
        stderr(&o)
    );
    assert!(!out.exists(), "an invalid output was written");
    let o = run(args("--no-validate"));
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert!(out.is_file());
}

#[test]
fn resolve_rejects_an_output_schema_violation_at_its_pointer_in_either_format() {
    let dir = tmp_dir("output-schema-violation");
    std::fs::write(
        dir.join("cat.json"),
        r#"{"catalog": {
  "uuid": "8bd5f2a4-6a6b-4f7c-9a43-2b4f7cbbd7a4",
  "metadata": {"title": "T", "last-modified": "2024-01-01T00:00:00Z", "version": "1",
               "oscal-version": "1.2.3"},
  "groups": [{"id": "g1", "title": "G", "controls": [
    {"id": "c1", "title": "One"},
    {"id": "c2", "title": "Two", "props": [{"name": "n", "value": " padded"}]}]}]
}}"#,
    )
    .expect("write");
    std::fs::write(
        dir.join("profile.json"),
        r#"{"profile": {
  "uuid": "1bd5f2a4-6a6b-4f7c-9a43-2b4f7cbbd7a4",
  "metadata": {"title": "P", "last-modified": "2024-01-01T00:00:00Z", "version": "1",
               "oscal-version": "1.2.3"},
  "imports": [{"href": "cat.json", "include-all": {}}],
  "merge": {"as-is": true}
}}"#,
    )
    .expect("write");
    let profile = dir.join("profile.json").to_string_lossy().into_owned();
    for name in ["out.json", "out.xml"] {
        let out = dir.join(name).to_string_lossy().into_owned();
        let o = oscalc(&["resolve", &profile, "-o", &out, "--error-format", "short"]);
        assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
        // resolve checks its inputs first: the violation is found where it was written, before
        // it reaches the output (the output check's own findings are pinned by the unit tests of
        // `validate::output`).
        assert!(
            stderr(&o).contains(
                r#"cat.json:7:67: error[schema-invalid]: /catalog/groups/0/controls/1/props/0/value: " padded" does not match"#
            ),
            "{}",
            stderr(&o)
        );
        assert!(!dir.join(name).exists(), "an invalid {name} was written");
        let o = oscalc(&["resolve", &profile, "-o", &out, "--no-validate"]);
        assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
        assert!(dir.join(name).is_file());
    }
}

/// What OSCAL's constraint layer finds in NIST's content, by file stem: (stem, severity, code,
/// count in each format of that file). Each is a real fault of the content:
/// - `depends-on` is deprecated, yet SP 800-53 rev4 has it on 41 params, rev5 on 62, and every
///   resolved catalog keeps those its baseline selects;
/// - back-matter resources that are a citation only, without `rlink` or `base64` (a WARNING);
/// - the rev4 baselines add `priority` props in the OSCAL namespace, where no list allows that
///   name (on the profile's alter, then on each resolved control), and name a responsible party
///   whose uuid is no party of the metadata (2 each);
/// - a resolved baseline of rev5 keeps `related` links to controls it leaves out: the catalog's
///   link index-has-key, a WARNING.
const NIST_FINDINGS: &[(&str, &str, &str, usize)] = &[
    (
        "NIST_IoT_federal_low-impact_profile.resolved",
        "error",
        DEPENDS_ON,
        15,
    ),
    (
        "NIST_IoT_federal_low-impact_profile.resolved",
        "warning",
        CONTROL_LINKS,
        556,
    ),
    (
        "NIST_SP-800-53_rev5_LOW-baseline_profile.resolved",
        "error",
        DEPENDS_ON,
        24,
    ),
    (
        "NIST_SP-800-53_rev5_LOW-baseline_profile.resolved",
        "warning",
        CONTROL_LINKS,
        496,
    ),
    ("NIST_SP-800-53_rev5_catalog", "error", DEPENDS_ON, 62),
    ("NIST_SP-800-53_rev5_catalog", "warning", CITATION_ONLY, 3),
    ("NIST_SP-800-53_rev4_catalog", "error", DEPENDS_ON, 41),
    ("NIST_SP-800-53_rev4_catalog", "warning", CITATION_ONLY, 4),
    ("NIST_SP-800-53_rev4_catalog-min", "error", DEPENDS_ON, 41),
    (
        "NIST_SP-800-53_rev4_catalog-min",
        "warning",
        CITATION_ONLY,
        4,
    ),
    (
        "NIST_SP-800-53_rev4_LOW-baseline_profile",
        "error",
        PARTY,
        2,
    ),
    (
        "NIST_SP-800-53_rev4_LOW-baseline_profile",
        "error",
        ALTER_PROP,
        115,
    ),
    (
        "NIST_SP-800-53_rev4_MODERATE-baseline_profile",
        "error",
        PARTY,
        2,
    ),
    (
        "NIST_SP-800-53_rev4_MODERATE-baseline_profile",
        "error",
        ALTER_PROP,
        159,
    ),
    (
        "NIST_SP-800-53_rev4_HIGH-baseline_profile",
        "error",
        PARTY,
        2,
    ),
    (
        "NIST_SP-800-53_rev4_HIGH-baseline_profile",
        "error",
        ALTER_PROP,
        170,
    ),
];
/// The rev4 resolved baselines, NIST's and ours alike: (level, priority props, depends-on,
/// citation-only resources).
const REV4_RESOLVED: &[(&str, usize, usize, usize)] = &[
    ("LOW", 115, 9, 3),
    ("MODERATE", 159, 17, 4),
    ("HIGH", 170, 23, 4),
];
const DEPENDS_ON: &str = "oscal:oscal-parameter-depends-on-deprecated";
const CONTROL_LINKS: &str = "oscal:oscal-catalog-groups-controls-parts";
const CITATION_ONLY: &str = "oscal:oscal-back-matter-resource-base64-rlink-cardinality";
const PARTY: &str = "oscal:oscal-index-metadata-party-uuid";
const ALTER_PROP: &str = "oscal:oscal-profile-modify-alter-prop-name-values";

/// Every document shipped with the repository, and everything resolve makes of the profiles,
/// validates without a diagnostic but for OSCAL constraint findings in NIST's content
/// ([`NIST_FINDINGS`], each a real fault); oscalc's own IoT catalogs and profiles, and their
/// resolutions but for what they take from SP 800-53, have none.
#[test]
fn shipped_content_and_resolved_outputs_validate_clean_but_for_nists_faults() {
    let rev4 = "tests/fixtures/sp800-53-rev4/nist.gov/SP800-53/rev4";
    let mut inputs = Vec::new();
    for (dir, ext) in [
        ("catalogs", ".json"),
        ("catalogs", ".xml"),
        ("profiles", ".json"),
        ("profiles", ".xml"),
    ] {
        inputs.extend(files_in(dir, ext));
    }
    inputs.extend(files_in(&format!("{rev4}/json"), ".json"));
    inputs.extend(files_in(&format!("{rev4}/xml"), ".xml"));
    let dir = tmp_dir("resolved-outputs");
    let profiles: Vec<String> = inputs
        .iter()
        .filter(|p| p.contains("baseline_profile") || p.starts_with("profiles/"))
        .cloned()
        .collect();
    for p in &profiles {
        let path = Path::new(p);
        let stem = path.file_stem().and_then(|s| s.to_str()).expect("stem");
        let ext = path
            .extension()
            .and_then(|s| s.to_str())
            .expect("extension");
        let out = dir.join(format!("{stem}.resolved.{ext}"));
        let o = oscalc(&[
            "resolve",
            p,
            "-o",
            out.to_str().expect("path"),
            "--error-format",
            "short",
        ]);
        assert_eq!(o.status.code(), Some(0), "{p}: {}", stderr(&o));
        inputs.push(out.to_string_lossy().into_owned());
    }
    let mut args = vec!["validate", "--error-format", "json"];
    args.extend(inputs.iter().map(String::as_str));
    let o = oscalc(&args);
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    let mut got: std::collections::BTreeMap<(String, String, String), usize> = Default::default();
    for line in stdout(&o).lines() {
        let d: Value = serde_json::from_str(line).expect("JSON line");
        let file = Path::new(d["file"].as_str().unwrap_or("-"));
        let stem = file.file_stem().and_then(|s| s.to_str()).unwrap_or("-");
        let ext = file.extension().and_then(|s| s.to_str()).unwrap_or("-");
        let key = (
            format!("{stem}.{ext}"),
            d["severity"].to_string(),
            d["code"].to_string(),
        );
        *got.entry(key).or_default() += 1;
    }
    let mut want: std::collections::BTreeMap<(String, String, String), usize> = Default::default();
    let mut expect = |stem: &str, severity: &str, code: &str, count: usize| {
        for ext in ["json", "xml"] {
            let file = format!("{stem}.{ext}");
            if inputs.iter().any(|i| i.ends_with(&format!("/{file}"))) {
                want.insert((file, format!("{severity:?}"), format!("{code:?}")), count);
            }
        }
    };
    for (stem, severity, code, count) in NIST_FINDINGS {
        expect(stem, severity, code, *count);
    }
    for (level, priority, depends, citations) in REV4_RESOLVED {
        for stem in [
            format!("NIST_SP-800-53_rev4_{level}-baseline-resolved-profile_catalog"),
            format!("NIST_SP-800-53_rev4_{level}-baseline_profile.resolved"),
        ] {
            expect(&stem, "error", "oscal:oscal-control-prop-name", *priority);
            expect(&stem, "error", PARTY, 2);
            expect(&stem, "error", DEPENDS_ON, *depends);
            expect(&stem, "warning", CITATION_ONLY, *citations);
        }
    }
    assert_eq!(got, want);
    assert!(inputs.len() > 20, "{inputs:?}");
}
