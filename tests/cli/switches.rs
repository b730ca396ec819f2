//! The decision switches of `resolve` (and `validate`): `--flat`, `--parent-controls`,
//! `--by-id-self`, `--set-param-props`, `--combine-merge`. Each is listed in `--help` with its
//! decision, takes its values, refuses others with exit 2, changes the output, and changes the
//! `--reproducible` uuid with it.

use super::{case, oscalc, stderr, tmp_dir};
use serde_json::Value;

/// Each switch: flag, the non-default value, its decision, the case folder that shows it.
const SWITCHES: [(&str, &str, &str, &str); 5] = [
    (
        "--flat",
        "strict",
        "D2",
        "merge/flat-strict-nested-children",
    ),
    (
        "--parent-controls",
        "uplevel",
        "D1",
        "select/switch-parent-controls-uplevel",
    ),
    (
        "--by-id-self",
        "ignore",
        "D3",
        "modify/switch-by-id-self-ignore",
    ),
    (
        "--set-param-props",
        "by-name",
        "D4",
        "modify/switch-set-param-props-by-name",
    ),
    (
        "--combine-merge",
        "keep",
        "D6",
        "merge/switch-combine-merge-keep",
    ),
];

fn resolved(args: &[&str]) -> Value {
    // The cases mark what an alter added with a `status` prop of value `added`, which OSCAL's
    // constraints allow only as `withdrawn` on a control: the marker is allowed here.
    let marker = ["--allow", "oscal:oscal-control-prop-status-value"];
    let o = oscalc(&[args, &marker[..]].concat());
    assert_eq!(o.status.code(), Some(0), "{args:?}: {}", stderr(&o));
    serde_json::from_slice(&o.stdout).expect("JSON on stdout")
}

fn control_ids(v: &Value) -> Vec<&str> {
    v["catalog"]["controls"]
        .as_array()
        .expect("controls")
        .iter()
        .filter_map(|c| c["id"].as_str())
        .collect()
}

#[test]
fn switches_appear_in_resolve_and_validate_help_with_their_decision() {
    for command in ["resolve", "validate"] {
        let o = oscalc(&[command, "--help"]);
        assert_eq!(o.status.code(), Some(0));
        let help = String::from_utf8_lossy(&o.stdout).into_owned();
        for (flag, value, decision, _) in SWITCHES {
            let line = help
                .lines()
                .skip_while(|l| !l.trim_start().starts_with(flag))
                .nth(1)
                .unwrap_or_else(|| panic!("{command} --help lacks {flag}:\n{help}"));
            assert!(line.trim_start().starts_with(decision), "{flag}: {line}");
            assert!(help.contains(value), "{command} --help lacks {value}");
        }
    }
}

#[test]
fn switches_refuse_an_unknown_value_with_exit_2() {
    for (flag, _, _, folder) in SWITCHES {
        let profile = case(&format!("{folder}/profile.json"));
        let o = oscalc(&["resolve", &profile, flag, "sometimes"]);
        assert_eq!(o.status.code(), Some(2), "{flag}");
        assert!(o.stdout.is_empty(), "{flag}");
        let err = stderr(&o);
        assert!(err.contains("invalid value 'sometimes'"), "{flag}: {err}");
        assert!(err.contains("possible values"), "{flag}: {err}");
    }
}

#[test]
fn each_switch_is_accepted_and_changes_the_output_and_the_reproducible_uuid() {
    for (flag, value, _, folder) in SWITCHES {
        let profile = case(&format!("{folder}/profile.json"));
        let plain = resolved(&["resolve", &profile, "--reproducible"]);
        let switched = resolved(&["resolve", &profile, "--reproducible", flag, value]);
        let (mut a, mut b) = (plain.clone(), switched.clone());
        a["catalog"]["uuid"] = Value::Null;
        b["catalog"]["uuid"] = Value::Null;
        assert_ne!(a, b, "{flag} {value} changed nothing");
        assert_ne!(
            plain["catalog"]["uuid"], switched["catalog"]["uuid"],
            "{flag} {value} changes the content, so the reproducible uuid must change"
        );
        // The same switch twice: the same bytes.
        let again = resolved(&["resolve", &profile, "--reproducible", flag, value]);
        assert_eq!(switched, again, "{flag}");
    }
}

#[test]
fn default_values_give_the_default_output() {
    let defaults = [
        ("--flat", "nested"),
        ("--parent-controls", "include"),
        ("--by-id-self", "implicit"),
        ("--set-param-props", "append"),
        ("--combine-merge", "use-first"),
    ];
    for ((flag, value), (_, _, _, folder)) in defaults.into_iter().zip(SWITCHES) {
        let profile = case(&format!("{folder}/profile.json"));
        let mut plain = resolved(&["resolve", &profile]);
        let mut given = resolved(&["resolve", &profile, flag, value]);
        plain["catalog"]["uuid"] = Value::Null;
        given["catalog"]["uuid"] = Value::Null;
        plain["catalog"]["metadata"]["last-modified"] = Value::Null;
        given["catalog"]["metadata"]["last-modified"] = Value::Null;
        assert_eq!(plain, given, "{flag} {value}");
    }
}

#[test]
fn flat_strict_puts_children_top_level_in_document_order() {
    let profile = case("merge/flat-strict-nested-children/profile.json");
    let nested = resolved(&["resolve", &profile]);
    assert_eq!(control_ids(&nested), ["c1", "c2", "c3"]);
    let strict = resolved(&["resolve", &profile, "--flat", "strict"]);
    assert_eq!(
        control_ids(&strict),
        ["c1", "c2", "c2.1", "c2.1.1", "c2.2", "c3"]
    );
}

#[test]
fn combine_merge_error_fails_resolve_with_exit_1_and_writes_nothing() {
    let dir = tmp_dir("switch-combine-error");
    let out = dir.join("out.json");
    let profile = case("merge/req-merge-combine-merge/profile.json");
    let o = oscalc(&[
        "resolve",
        &profile,
        "--combine-merge",
        "error",
        "--error-format",
        "short",
        "-o",
        out.to_str().expect("utf-8 path"),
    ]);
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    assert!(
        stderr(&o).contains("error[req-merge-combine]"),
        "{}",
        stderr(&o)
    );
    assert!(!out.exists());
}

#[test]
fn validate_resolves_imported_profiles_with_the_switches() {
    let dir = tmp_dir("switch-validate");
    let from = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/cases/merge/req-merge-combine-merge");
    for name in ["catalog.json", "profile.json"] {
        std::fs::copy(from.join(name), dir.join(name)).expect("copy");
    }
    let outer = dir.join("outer.json");
    std::fs::write(
        &outer,
        r#"{"profile": {
  "uuid": "5a1e0000-0000-4000-8000-0000000013f9",
  "metadata": {"title": "Outer", "last-modified": "2026-01-01T00:00:00Z",
               "version": "1.0", "oscal-version": "1.1.2"},
  "imports": [{"href": "profile.json", "include-all": {}}]
}}"#,
    )
    .expect("outer profile");
    let outer = outer.to_str().expect("utf-8 path");
    let plain = oscalc(&["validate", outer, "--error-format", "short"]);
    assert_eq!(plain.status.code(), Some(0), "{}", stderr(&plain));
    assert!(!stderr(&plain).contains("ref-import-unresolved"));
    let switched = oscalc(&[
        "validate",
        outer,
        "--error-format",
        "short",
        "--combine-merge",
        "error",
    ]);
    let err = stderr(&switched);
    assert!(err.contains("warning[ref-import-unresolved]"), "{err}");
    assert!(err.contains("req-merge-combine"), "{err}");
    // The advice to resolve the import carries the switches that made it fail.
    let human = oscalc(&["validate", outer, "--combine-merge", "error"]);
    let err = stderr(&human);
    assert!(
        err.contains("with the same decision switches to see why"),
        "{err}"
    );
}
