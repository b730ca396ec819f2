//! `oscalc graph`: the federal IoT profile's chain in the three formats, its counts against
//! resolving each imported profile alone, a back-matter resource, a cycle and a failed import.

use super::{oscalc, oscalc_in, stderr, tmp_dir};

const FEDERAL: &str = "profiles/NIST_IoT_federal_low-impact_profile.json";

fn stdout(o: &std::process::Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

/// Controls a profile resolves to alone, every nesting level counted, from resolve's summary.
fn resolved_count(profile: &str) -> usize {
    let o = oscalc(&["resolve", profile, "-o", "/dev/null"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let err = stderr(&o);
    // The summary line, after any warnings (NIST's content carries some).
    let summary = err
        .lines()
        .find(|l| l.starts_with("resolved "))
        .unwrap_or("");
    let n = summary.split(": ").nth(1).and_then(|s| s.split(' ').next());
    n.and_then(|n| n.parse().ok())
        .unwrap_or_else(|| panic!("{err}"))
}

#[test]
fn graph_tree_of_the_federal_profile_shows_its_chain_and_counts() {
    let o = oscalc(&["graph", FEDERAL]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let lines: Vec<String> = stdout(&o)
        .lines()
        .map(|l| {
            l.split(" (").next().unwrap_or_default().to_owned()
                + l.rsplit_once(')').map_or("", |x| x.1)
        })
        .collect();
    assert_eq!(
        lines,
        [
            "profiles/NIST_IoT_federal_low-impact_profile.json",
            "├── profiles/NIST_IR-8259A_core_baseline_profile.json: 26 controls",
            "│   └── catalogs/NIST_IoT_device_cybersecurity_capabilities_catalog.json: 26 controls",
            "├── profiles/NIST_IR-8259B_non-technical_baseline_profile.json: 93 controls",
            "│   └── catalogs/NIST_IoT_non-technical_supporting_capabilities_catalog.json: 93 controls",
            "└── profiles/NIST_SP-800-53_rev5_LOW-baseline_profile.json: 80 controls",
            "    └── catalogs/NIST_SP-800-53_rev5_catalog.json: 149 controls",
        ]
    );
    // The two include-all imports select what their profiles resolve to alone; the third
    // selects 80 of the LOW baseline's 149 by id; together the federal profile's 199.
    assert_eq!(
        resolved_count("profiles/NIST_IR-8259A_core_baseline_profile.json"),
        26
    );
    assert_eq!(
        resolved_count("profiles/NIST_IR-8259B_non-technical_baseline_profile.json"),
        93
    );
    assert_eq!(
        resolved_count("profiles/NIST_SP-800-53_rev5_LOW-baseline_profile.json"),
        149
    );
    assert_eq!(resolved_count(FEDERAL), 26 + 93 + 80);
    assert!(stdout(&o).starts_with(
        "profiles/NIST_IoT_federal_low-impact_profile.json (profile: Federal Low-Impact IoT Device Profile (NISTIR 8259D style))\n"
    ));
}

#[test]
fn graph_dot_and_mermaid_of_the_federal_profile() {
    let o = oscalc(&["graph", FEDERAL, "--format", "dot"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let dot = stdout(&o);
    assert!(dot.starts_with("digraph imports {\n"));
    assert!(dot.contains(r#"  d5 [shape=box, label="profile\nprofiles/NIST_SP-800-53_rev5_LOW-baseline_profile.json"];"#));
    assert!(dot.contains(
        r#"  d6 [shape=folder, label="catalog\ncatalogs/NIST_SP-800-53_rev5_catalog.json"];"#
    ));
    let edges: Vec<&str> = dot.lines().filter(|l| l.contains("->")).collect();
    assert_eq!(
        edges,
        [
            r#"  d0 -> d1 [label="26 controls"];"#,
            r#"  d0 -> d3 [label="93 controls"];"#,
            r#"  d0 -> d5 [label="80 controls"];"#,
            r#"  d1 -> d2 [label="26 controls"];"#,
            r#"  d3 -> d4 [label="93 controls"];"#,
            r#"  d5 -> d6 [label="149 controls"];"#,
        ]
    );
    assert!(dot.ends_with("}\n"));
    let o = oscalc(&["graph", FEDERAL, "--format", "mermaid"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let mermaid = stdout(&o);
    assert!(mermaid.starts_with(
        "flowchart LR\n  d0[\"profile<br/>profiles/NIST_IoT_federal_low-impact_profile.json\"]\n"
    ));
    assert!(mermaid.contains("  d0 -->|\"80 controls\"| d5\n"));
    assert!(mermaid.contains("  d5 -->|\"149 controls\"| d6\n"));
}

#[test]
fn graph_names_the_back_matter_resource_an_import_goes_through() {
    let dir = "tests/fixtures/sp800-53-rev4/nist.gov/SP800-53/rev4/json";
    let o = oscalc_in(
        dir,
        &["graph", "NIST_SP-800-53_rev4_LOW-baseline_profile.json"],
    );
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let out = stdout(&o);
    let second = out.lines().nth(1).unwrap_or_default();
    assert!(
        second.starts_with("└── NIST_SP-800-53_rev4_catalog.json (catalog: "),
        "{out}"
    );
    assert!(
        second.ends_with(" via resource #f52e1458-7a97-49fd-8189-6af6a4e7051b: 124 controls"),
        "{out}"
    );
}

#[test]
fn graph_draws_a_cycle_and_a_failed_import_and_exits_1() {
    let dir = tmp_dir("graph-cycle");
    let meta = r#""metadata": {"title": "T", "last-modified": "2024-01-01T00:00:00Z", "version": "1", "oscal-version": "1.2.3"}"#;
    let a = format!(
        r#"{{"profile": {{"uuid": "1bd5f2a4-6a6b-4f7c-9a43-2b4f7cbbd7a4", {meta},
        "imports": [{{"href": "b.json", "include-all": {{}}}}]}}}}"#
    );
    let b = format!(
        r#"{{"profile": {{"uuid": "2bd5f2a4-6a6b-4f7c-9a43-2b4f7cbbd7a4", {meta},
        "imports": [{{"href": "a.json", "include-all": {{}}}},
                    {{"href": "x\"];\nevil [label=\"y.json", "include-all": {{}}}}]}}}}"#
    );
    std::fs::write(dir.join("a.json"), a).unwrap();
    std::fs::write(dir.join("b.json"), b).unwrap();
    let a = dir.join("a.json");
    let run = |format: &str| {
        let o = std::process::Command::new(env!("CARGO_BIN_EXE_oscalc"))
            .args(["graph", "a.json", "--format", format])
            .current_dir(&dir)
            .output()
            .unwrap();
        assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
        assert!(
            stderr(&o)
                .contains("error[req-circular-error]: circular import: a.json → b.json → a.json")
        );
        stdout(&o)
    };
    assert!(a.exists());
    assert_eq!(
        run("tree"),
        "a.json (profile: T)\n└── b.json (profile: T)\n    \
         ├── ↺ a.json: circular import (req-circular-error)\n    \
         └── ✗ x\"];\\nevil [label=\"y.json: req-uri-error\n"
    );
    let dot = run("dot");
    assert!(
        dot.contains(r#"  d1 -> d0 [label="req-circular-error", style=dashed, color=red];"#),
        "{dot}"
    );
    assert!(
        dot.contains(r#"  f1_1 [shape=box, style=dashed, label="x\"];\nevil [label=\"y.json"];"#),
        "{dot}"
    );
    assert!(!dot.lines().any(|l| l.starts_with("evil")), "{dot}");
    let mermaid = run("mermaid");
    assert!(
        mermaid.contains("  d1 -.->|\"req-circular-error\"| d0\n"),
        "{mermaid}"
    );
    assert!(
        mermaid.contains("  f1_1[\"x#34;#93;#59;#10;evil #91;label#61;#34;y.json\"]\n"),
        "{mermaid}"
    );
}
