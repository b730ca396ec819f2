//! Diagnostics across commands: the import chain of problems in imported documents, `--deny` and
//! `--allow`, and a stable order.

use super::{oscalc, stderr, tmp_dir};
use serde_json::Value;
use std::path::{Path, PathBuf};

const META: &str = r#""metadata": {"title": "T", "last-modified": "2024-01-01T00:00:00Z", "version": "1", "oscal-version": "1.2.3"}"#;

/// A catalog with controls `c1` and `c2`, each with the statement OSCAL's constraints want.
fn catalog() -> String {
    format!(
        r#"{{"catalog": {{
  "uuid": "8bd5f2a4-6a6b-4f7c-9a43-2b4f7cbbd7a4",
  {META},
  "controls": [{{"id": "c1", "title": "One", "parts": [{{"name": "statement", "prose": "One."}}]}},
               {{"id": "c2", "title": "Two", "parts": [{{"name": "statement", "prose": "Two."}}]}}]
}}}}
"#
    )
}

/// A profile importing `href` with the given selection (JSON members of the import).
fn profile(uuid: &str, href: &str, select: &str) -> String {
    format!(
        r#"{{"profile": {{
  "uuid": "{uuid}",
  {META},
  "imports": [
    {{"href": "{href}", {select}}}
  ],
  "merge": {{"as-is": true}}
}}}}
"#
    )
}

/// root.json → middle.json → cat.json; the middle profile selects `c9`, which does not exist.
fn chain_of_three(name: &str) -> PathBuf {
    let dir = tmp_dir(name);
    let write = |f: &str, text: String| std::fs::write(dir.join(f), text).expect("write");
    write("cat.json", catalog());
    write(
        "middle.json",
        profile(
            "9bd5f2a4-6a6b-4f7c-9a43-2b4f7cbbd7a4",
            "cat.json",
            r#""include-controls": [{"with-ids": ["c1", "c9"]}]"#,
        ),
    );
    write(
        "root.json",
        profile(
            "7bd5f2a4-6a6b-4f7c-9a43-2b4f7cbbd7a4",
            "middle.json",
            r#""include-all": {}"#,
        ),
    );
    dir
}

fn json_lines(text: &[u8]) -> Vec<Value> {
    String::from_utf8_lossy(text)
        .lines()
        .map(|l| serde_json::from_str(l).expect("a JSON line"))
        .collect()
}

fn arg(p: &Path) -> &str {
    p.to_str().expect("UTF-8 path")
}

#[test]
fn a_problem_of_an_imported_profile_carries_its_import_site() {
    let dir = chain_of_three("trace-resolve");
    let root = dir.join("root.json");
    let out = dir.join("out.json");
    let o = oscalc(&[
        "resolve",
        arg(&root),
        "-o",
        arg(&out),
        "--error-format",
        "json",
    ]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let lines = json_lines(&o.stdout);
    assert_eq!(lines.len(), 1, "{lines:?}");
    let d = &lines[0];
    assert_eq!(d["code"], "select-unknown-id");
    assert!(d["file"].as_str().unwrap().ends_with("middle.json"), "{d}");
    assert_eq!(
        (d["line"].as_u64(), d["column"].as_u64()),
        (Some(5), Some(67))
    );
    let trace = d["trace"].as_array().expect("trace");
    assert_eq!(trace.len(), 1, "{d}");
    assert!(trace[0]["file"].as_str().unwrap().ends_with("root.json"));
    assert_eq!(
        (trace[0]["line"].as_u64(), trace[0]["column"].as_u64()),
        (Some(5), Some(14))
    );
}

#[test]
fn short_appends_the_import_chain() {
    let dir = chain_of_three("trace-short");
    let root = dir.join("root.json");
    let out = dir.join("out.json");
    let o = oscalc(&[
        "resolve",
        arg(&root),
        "-o",
        arg(&out),
        "--error-format",
        "short",
    ]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let text = stderr(&o);
    let root_name = arg(&root);
    let first = text.lines().next().unwrap_or_default();
    assert!(
        first.ends_with(&format!("(imported by {root_name}:5:14)")),
        "{text}"
    );
}

#[test]
fn deny_code_fails_the_run_and_writes_nothing() {
    let dir = chain_of_three("deny-code");
    let root = dir.join("root.json");
    let out = dir.join("out.json");
    let o = oscalc(&[
        "resolve",
        arg(&root),
        "-o",
        arg(&out),
        "--deny",
        "select-unknown-id",
        "--error-format",
        "short",
    ]);
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    assert!(
        stderr(&o).contains("error[select-unknown-id]"),
        "{}",
        stderr(&o)
    );
    assert!(!out.exists());
}

#[test]
fn allow_code_silences_that_warning_only() {
    let dir = chain_of_three("allow-code");
    let root = dir.join("root.json");
    let out = dir.join("out.json");
    let run = |extra: &[&str]| {
        let args = [
            &[
                "resolve",
                arg(&root),
                "-o",
                arg(&out),
                "--error-format",
                "short",
            ],
            extra,
        ];
        oscalc(&args.concat())
    };
    let o = run(&["--allow", "select-unknown-id"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let summary = format!(
        "resolved {} → {}: 1 control, 0 groups, 0 warnings\n",
        arg(&root),
        arg(&out)
    );
    assert_eq!(stderr(&o), summary);
    let o = run(&["--allow", "modify-remove-no-match"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert!(
        stderr(&o).contains("warning[select-unknown-id]"),
        "{}",
        stderr(&o)
    );
    // A specific allow beats --deny-warnings.
    let o = run(&["--deny-warnings", "--allow", "select-unknown-id"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
}

#[test]
fn an_unknown_code_is_a_usage_error_naming_close_codes_on_every_command() {
    let dir = chain_of_three("unknown-code");
    let root = dir.join("root.json");
    for cmd in ["resolve", "validate"] {
        let o = oscalc(&[cmd, arg(&root), "--deny", "select-unknown-di"]);
        assert_eq!(o.status.code(), Some(2), "{cmd}: {}", stderr(&o));
        assert_eq!(
            stderr(&o),
            "error: unknown diagnostic code `select-unknown-di` (in --deny or --allow)\n  \
             did you mean `select-unknown-id`?\n",
            "{cmd}"
        );
        let o = oscalc(&[cmd, arg(&root), "--allow", "nothing-like-it"]);
        assert_eq!(o.status.code(), Some(2), "{cmd}: {}", stderr(&o));
    }
}

#[test]
fn three_problems_in_two_files_print_in_document_order_every_time() {
    // root.json: an unknown with-id (line 5), then an unknown set-parameter (line 8); it imports
    // middle.json, whose own unknown with-id is found first (imports resolve before importers)
    // but printed after the root's problems.
    let dir = chain_of_three("order");
    let root = format!(
        r#"{{"profile": {{
  "uuid": "7bd5f2a4-6a6b-4f7c-9a43-2b4f7cbbd7a4",
  {META},
  "imports": [
    {{"href": "middle.json", "include-controls": [{{"with-ids": ["c1", "c8"]}}]}}
  ],
  "merge": {{"as-is": true}},
  "modify": {{"set-parameters": [{{"param-id": "nope", "values": ["x"]}}]}}
}}}}
"#
    );
    std::fs::write(dir.join("root.json"), root).expect("write");
    let root = dir.join("root.json");
    let out = dir.join("out.json");
    let run = || {
        let o = oscalc(&[
            "resolve",
            arg(&root),
            "-o",
            arg(&out),
            "--error-format",
            "short",
        ]);
        assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
        stderr(&o)
    };
    let first = run();
    let places: Vec<String> = first
        .lines()
        .filter(|l| !l.starts_with("resolved "))
        .map(|l| {
            let file = Path::new(l.split(':').next().unwrap_or_default());
            let name = file.file_name().unwrap_or_default().to_string_lossy();
            let mut parts = l.splitn(4, ':').skip(1);
            let (line, col) = (
                parts.next().unwrap_or_default(),
                parts.next().unwrap_or_default(),
            );
            let code = l
                .split('[')
                .nth(1)
                .and_then(|c| c.split(']').next())
                .unwrap_or_default();
            format!("{name}:{line}:{col} {code}")
        })
        .collect();
    assert_eq!(
        places,
        [
            "root.json:5:70 select-unknown-id",
            "root.json:8:46 req-modify-set-param-warning",
            "middle.json:5:67 select-unknown-id",
        ],
        "{first}"
    );
    assert_eq!(run(), first);
}

const CHAIN: &str = "tests/cases/broken/profile-chain-broken-catalog";

fn validate_chain(format: &str) -> std::process::Output {
    super::oscalc_in(
        CHAIN,
        &[
            "validate",
            "root.json",
            "--color",
            "never",
            "--error-format",
            format,
        ],
    )
}

#[test]
fn every_format_shows_a_chain_of_depth_two() {
    let via = "imported by middle.json:6:16, imported by root.json:5:14";
    let human = stderr(&validate_chain("human"));
    assert!(
        human.contains(&format!("= in cat.json, {via}\n")),
        "{human}"
    );
    let short = stderr(&validate_chain("short"));
    assert_eq!(
        short,
        format!(
            "cat.json:3:55: error[load-json-syntax]: the imported document cat.json is not a valid OSCAL catalog or profile (load-json-syntax) ({via})\n\
             checked 1 file: 1 error, 0 warnings\n"
        )
    );
    let github = String::from_utf8_lossy(&validate_chain("github").stdout).into_owned();
    assert!(
        github.ends_with(&format!(
            "%0Ain cat.json, {via}%0Ahelp: run `oscalc validate cat.json` to see the details\n"
        )),
        "{github}"
    );
    let sarif: Value = serde_json::from_slice(&validate_chain("sarif").stdout).expect("SARIF");
    let related = &sarif["runs"][0]["results"][0]["relatedLocations"];
    let steps: Vec<String> = related
        .as_array()
        .expect("relatedLocations")
        .iter()
        .map(|r| {
            let loc = &r["physicalLocation"];
            format!(
                "{}:{}:{} {}",
                loc["artifactLocation"]["uri"].as_str().unwrap_or("?"),
                loc["region"]["startLine"],
                loc["region"]["startColumn"],
                r["message"]["text"].as_str().unwrap_or("?")
            )
        })
        .collect();
    assert_eq!(
        steps,
        [
            "middle.json:6:16 imports cat.json",
            "root.json:5:14 imports middle.json"
        ]
    );
}

#[test]
fn deny_and_allow_reach_the_check_of_the_output() {
    let profile = "tests/cases/merge/req-merge-keep-duplicates/profile.json";
    let dir = tmp_dir("deny-output");
    let out = dir.join("out.json");
    let run = |extra: &[&str]| {
        let args = [
            &[
                "resolve",
                profile,
                "-o",
                arg(&out),
                "--error-format",
                "short",
            ],
            extra,
        ];
        oscalc(&args.concat())
    };
    // Duplicate ids in the output are warnings under combine keep; denied, nothing is written.
    let o = run(&["--deny", "ref-duplicate-id"]);
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    assert!(
        stderr(&o).contains("error[ref-duplicate-id]: in the output"),
        "{}",
        stderr(&o)
    );
    assert!(!out.exists());
    let o = run(&[
        "--allow",
        "ref-duplicate-id",
        "--allow",
        "req-merge-keep-warning",
    ]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert!(stderr(&o).starts_with("resolved "), "{}", stderr(&o));
    assert!(!stderr(&o).contains("ref-duplicate-id"), "{}", stderr(&o));
    assert!(out.exists());
}
