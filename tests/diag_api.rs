//! The diagnostics registry through the public API: close names for a mistyped id or code, and
//! the stage order that sorts a report.

use oscalc::diag::codes::{Stage, stage};
use oscalc::diag::{LintLevels, nearest};

#[test]
fn nearest_takes_the_closest_within_two_edits() {
    let known: Vec<String> = ["ac-1", "ac-2", "catalog", "profile"]
        .iter()
        .map(|s| (*s).to_owned())
        .collect();
    assert_eq!(nearest("ac-l", known.iter()), Some("ac-1"));
    assert_eq!(nearest("catalogue", known.iter()), Some("catalog"));
    assert_eq!(nearest("prof", known.iter()), None);
    assert_eq!(nearest("zzzzzz", known.iter()), None);
}

#[test]
fn stage_orders_load_before_schema_refs_resolve_and_emit() {
    let order = [
        "req-circular-error",
        "schema-invalid",
        "ref-dangling",
        "select-unknown-id",
        "emit-limit",
    ];
    let stages: Vec<Stage> = order.iter().map(|c| stage(c)).collect();
    let mut sorted = stages.clone();
    sorted.sort();
    assert_eq!(stages, sorted);
    assert_eq!(stage("load-root"), Stage::Load);
    assert_eq!(stage("req-merge-keep-warning"), Stage::Resolve);
}

#[test]
fn unknown_code_names_close_registered_codes() {
    let e = LintLevels::new(false, &["select-unknown-di".to_owned()], &[]).expect_err("unknown");
    assert_eq!(e.near, ["select-unknown-id"]);
    let e = LintLevels::new(false, &[], &["select-nonsense".to_owned()]).expect_err("unknown");
    assert_eq!(e.near, ["select-unknown-id", "select-import-empty"]);
}
