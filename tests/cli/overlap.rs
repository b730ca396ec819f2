//! `resolve` writes its output into a temporary file while the output check runs: what the user
//! sees must be as if it wrote only after the check, so a failing check leaves the target and its
//! folder exactly as they were, and a passing one replaces the target as before.

use super::{case, oscalc, stderr, tmp_dir};
use std::os::unix::fs::{MetadataExt, PermissionsExt};
use std::path::Path;

/// A profile whose output repeats an id: a warning under `combine keep`, an error when denied.
const DUPLICATES: &str = "merge/req-merge-keep-duplicates/profile.json";

fn arg(p: &Path) -> &str {
    p.to_str().expect("UTF-8 path")
}

/// The names in `dir`, sorted.
fn names(dir: &Path) -> Vec<String> {
    let mut all: Vec<String> = std::fs::read_dir(dir)
        .expect("read dir")
        .map(|e| e.expect("entry").file_name().to_string_lossy().into_owned())
        .collect();
    all.sort();
    all
}

#[test]
fn a_failing_output_check_leaves_the_target_and_its_folder_as_they_were() {
    for ext in ["json", "xml", "yaml"] {
        let dir = tmp_dir(&format!("overlap-fail-{ext}"));
        let out = dir.join(format!("out.{ext}"));
        std::fs::write(&out, b"previous").expect("write");
        std::fs::set_permissions(&out, std::fs::Permissions::from_mode(0o640)).expect("chmod");
        let before = std::fs::metadata(&out).expect("metadata");
        let o = oscalc(&[
            "resolve",
            &case(DUPLICATES),
            "-o",
            arg(&out),
            "--deny",
            "ref-duplicate-id",
            "--error-format",
            "short",
        ]);
        assert_eq!(o.status.code(), Some(1), "{ext}: {}", stderr(&o));
        assert!(
            stderr(&o).contains("error[ref-duplicate-id]: in the output"),
            "{ext}: {}",
            stderr(&o)
        );
        let after = std::fs::metadata(&out).expect("metadata");
        assert_eq!(std::fs::read(&out).expect("read"), b"previous", "{ext}");
        assert_eq!(after.ino(), before.ino(), "{ext}: the target was replaced");
        assert_eq!(after.mode() & 0o7777, 0o640, "{ext}");
        assert_eq!(
            names(&dir),
            [format!("out.{ext}")],
            "{ext}: a temporary file is left"
        );
    }
}

#[test]
fn a_failing_output_check_writes_no_new_file() {
    let dir = tmp_dir("overlap-new");
    let out = dir.join("new.xml");
    let o = oscalc(&[
        "resolve",
        &case(DUPLICATES),
        "-o",
        arg(&out),
        "--deny",
        "ref-duplicate-id",
    ]);
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    assert!(names(&dir).is_empty(), "{:?}", names(&dir));
}

#[test]
fn a_passing_output_check_replaces_the_target_with_the_whole_output() {
    let allow = [
        "--reproducible",
        "--allow",
        "ref-duplicate-id",
        "--allow",
        "req-merge-keep-warning",
    ];
    for ext in ["json", "xml", "yaml"] {
        let dir = tmp_dir(&format!("overlap-pass-{ext}"));
        let out = dir.join(format!("out.{ext}"));
        std::fs::write(&out, b"previous").expect("write");
        std::fs::set_permissions(&out, std::fs::Permissions::from_mode(0o640)).expect("chmod");
        let o = oscalc(&[&["resolve", &case(DUPLICATES), "-o", arg(&out)], &allow[..]].concat());
        assert_eq!(o.status.code(), Some(0), "{ext}: {}", stderr(&o));
        // The same output written without a check beside it (same file name, another folder,
        // so the source-profile link is the same).
        let plain_dir = tmp_dir(&format!("overlap-plain-{ext}"));
        let plain = plain_dir.join(format!("out.{ext}"));
        let args = [
            "resolve",
            &case(DUPLICATES),
            "-o",
            arg(&plain),
            "--no-validate",
        ];
        let o = oscalc(&[&args[..], &allow[..]].concat());
        assert_eq!(o.status.code(), Some(0), "{ext}: {}", stderr(&o));
        let written = std::fs::read(&out).expect("read");
        let text = String::from_utf8_lossy(&written);
        assert!(
            text.contains("Keep duplicates") && text.contains("Control "),
            "{ext}: {text}"
        );
        assert_eq!(written, std::fs::read(&plain).expect("read"), "{ext}");
        let mode = std::fs::metadata(&out).expect("metadata").mode() & 0o7777;
        assert_eq!(mode, 0o640, "{ext}: the old file's mode is kept");
        assert_eq!(
            names(&dir),
            [format!("out.{ext}")],
            "{ext}: a temporary file is left"
        );
    }
}

#[test]
fn an_input_as_target_is_refused_after_the_check_and_never_staged_beside() {
    let dir = tmp_dir("overlap-input");
    let profile = dir.join("profile.json");
    let text = std::fs::read_to_string(case(DUPLICATES)).expect("profile");
    std::fs::write(&profile, &text).expect("write");
    let catalog = case("merge/req-merge-keep-duplicates/catalog.json");
    std::fs::copy(catalog, dir.join("catalog.json")).expect("copy");
    let run = |deny: &str| {
        oscalc(&[
            "resolve",
            arg(&profile),
            "-o",
            arg(&profile),
            "--error-format",
            "short",
            deny,
            "ref-duplicate-id",
            "--allow",
            "req-merge-keep-warning",
        ])
    };
    // A failing check is the run's error: the target is not even looked at.
    let o = run("--deny");
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    assert!(
        stderr(&o).contains("error[ref-duplicate-id]"),
        "{}",
        stderr(&o)
    );
    assert!(!stderr(&o).contains("write-input"), "{}", stderr(&o));
    // A passing one: the profile is not overwritten, and nothing was created beside it.
    let o = run("--allow");
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    assert!(stderr(&o).contains("write-input"), "{}", stderr(&o));
    assert_eq!(std::fs::read_to_string(&profile).expect("read"), text);
    assert_eq!(names(&dir), ["catalog.json", "profile.json"]);
}
