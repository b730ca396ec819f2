//! `oscalc validate DIR`, and the README's tailoring example run from anywhere.

use super::{oscalc, stderr, tmp_dir};
use serde_json::Value;
use std::path::Path;
use std::process::Command;

const CATALOG: &str = r#"{"catalog": {"uuid": "11111111-1111-4111-8111-111111111111",
  "metadata": {"title": "C", "last-modified": "2024-01-01T00:00:00Z", "version": "1",
               "oscal-version": "1.1.2"},
  "controls": [{"id": "c-1", "title": "C1",
                "parts": [{"id": "c-1_smt", "name": "statement", "prose": "Do it."}]}]}}
"#;

fn write(path: &Path, text: &str) {
    std::fs::create_dir_all(path.parent().expect("parent")).expect("folder");
    std::fs::write(path, text).expect("write");
}

/// `file` of each JSON diagnostic line, with `code`.
fn diag_files(stdout: &[u8]) -> Vec<(String, String)> {
    String::from_utf8_lossy(stdout)
        .lines()
        .filter_map(|l| serde_json::from_str::<Value>(l).ok())
        .map(|v| {
            let s = |k: &str| v[k].as_str().unwrap_or("-").to_owned();
            (s("file"), s("code"))
        })
        .collect()
}

#[test]
fn validate_dir_checks_every_oscal_file_under_it_and_counts_the_rest() {
    let dir = tmp_dir("walk");
    write(&dir.join("cat.json"), CATALOG);
    let profile = CATALOG
        .replace("catalog", "profile")
        .replace(
            r#""controls": [{"id": "c-1", "title": "C1",
                "parts": [{"id": "c-1_smt", "name": "statement", "prose": "Do it."}]}]"#,
            r#""imports": [{"href": "../cat.json", "include-all": {}}]"#,
        )
        .replace("1111-4111", "2222-4222");
    write(&dir.join("sub/profile.json"), &profile);
    // An OSCAL root that is broken: found, checked, reported.
    write(
        &dir.join("sub/deeper/broken.json"),
        "{\"catalog\": {\"uuid\": ",
    );
    write(
        &dir.join("sub/cat.xml"),
        "<?xml version=\"1.0\"?>\n<!-- x -->\n<catalog xmlns=\"http://csrc.nist.gov/ns/oscal/1.0\" uuid=\"33333333-3333-4333-8333-333333333333\"><metadata><title>X</title><last-modified>2024-01-01T00:00:00Z</last-modified><version>1</version><oscal-version>1.1.2</oscal-version></metadata></catalog>\n",
    );
    // Not OSCAL catalogs or profiles: skipped and counted.
    write(
        &dir.join("package.json"),
        r#"{"name": "profile", "version": "1"}"#,
    );
    write(&dir.join("ssp.json"), r#"{"system-security-plan": {}}"#);
    write(&dir.join("notes.md"), "# profile\n");
    // Hidden folders are not searched at all.
    write(&dir.join(".git/cat.json"), "{\"catalog\": {}}");
    let o = oscalc(&[
        "validate",
        dir.to_str().expect("utf-8"),
        "--error-format",
        "json",
    ]);
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    let found = diag_files(&o.stdout);
    assert_eq!(found.len(), 1, "{found:?}");
    assert!(found[0].0.ends_with("sub/deeper/broken.json"), "{found:?}");
    assert_eq!(found[0].1, "load-json-syntax");
    let err = stderr(&o);
    assert!(
        err.contains("skipped 3 files under the named folders that are not OSCAL"),
        "{err}"
    );
    // The three good files were checked: without the broken one the run is clean.
    std::fs::remove_file(dir.join("sub/deeper/broken.json")).expect("rm");
    let o = oscalc(&["validate", dir.to_str().expect("utf-8"), "-q"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    // -q silences the note too.
    assert!(!stderr(&o).contains("skipped"), "{}", stderr(&o));
}

#[test]
fn validate_dir_with_nothing_to_check_is_an_error_naming_it() {
    let dir = tmp_dir("walk-empty");
    write(&dir.join("readme.txt"), "nothing here");
    let o = oscalc(&["validate", dir.to_str().expect("utf-8")]);
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    let err = stderr(&o);
    assert!(err.contains("fetch-not-found"), "{err}");
    assert!(
        err.contains(&format!(
            "no OSCAL catalog or profile (JSON or XML) under {}",
            dir.display()
        )),
        "{err}"
    );
}

#[test]
fn validate_dir_follows_no_symbolic_link() {
    let dir = tmp_dir("walk-links");
    let outside = tmp_dir("walk-links-outside");
    write(&outside.join("broken.json"), "{\"catalog\": ");
    write(&dir.join("cat.json"), CATALOG);
    std::os::unix::fs::symlink(&outside, dir.join("linked-folder")).expect("symlink");
    std::os::unix::fs::symlink(outside.join("broken.json"), dir.join("linked.json"))
        .expect("symlink");
    let o = oscalc(&["validate", dir.to_str().expect("utf-8")]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert!(stderr(&o).contains("skipped 2 files"), "{}", stderr(&o));
}

/// The JSON example of `profiles/README.md`'s "Tailoring further" section.
fn readme_example() -> String {
    let readme =
        std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("profiles/README.md"))
            .expect("profiles/README.md");
    let section = readme
        .split("## Tailoring further")
        .nth(1)
        .expect("a Tailoring further section");
    let block = section
        .split("```json")
        .nth(1)
        .and_then(|b| b.split("```").next())
        .expect("a json block");
    block.to_owned()
}

#[test]
fn the_readme_tailoring_example_resolves_from_any_folder() {
    let example = readme_example();
    let href = "NIST_IoT_federal_low-impact_profile.json";
    assert!(
        example.contains(&format!("\"href\": \"{href}\"")),
        "{example}"
    );
    let profiles = Path::new(env!("CARGO_MANIFEST_DIR")).join("profiles");
    // Saved beside the shipped profiles (as the README says), run from an unrelated folder.
    let beside = profiles.join(format!("ours-{}.json", std::process::id()));
    std::fs::write(&beside, &example).expect("write beside");
    let far = tmp_dir("tailor-cwd");
    let run = |profile: &Path| {
        Command::new(env!("CARGO_BIN_EXE_oscalc"))
            .args(["resolve", profile.to_str().expect("utf-8")])
            .current_dir(&far)
            .output()
            .expect("run oscalc")
    };
    let o = run(&beside);
    let _ = std::fs::remove_file(&beside);
    // Saved in a folder of the user's own, the href rewritten relative to that folder.
    let own = tmp_dir("tailor-own").join("ours.json");
    let rel = relative_href(&profiles.join(href), own.parent().expect("parent"));
    std::fs::write(&own, example.replace(href, &rel)).expect("write own");
    let o2 = run(&own);
    for o in [o, o2] {
        assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
        let v: Value = serde_json::from_slice(&o.stdout).expect("JSON");
        check_tailored(&v["catalog"]);
    }
}

/// The example's selection and changes are in the resolved catalog.
fn check_tailored(catalog: &Value) {
    let mut controls = Vec::new();
    collect(catalog, &mut controls);
    let ids: Vec<&str> = controls.iter().filter_map(|c| c["id"].as_str()).collect();
    assert!(ids.contains(&"ac-7") && ids.contains(&"la-2.1"), "{ids:?}");
    assert!(
        !ids.contains(&"pe-14") && !ids.contains(&"pe-15"),
        "{ids:?}"
    );
    let la = controls
        .iter()
        .find(|c| c["id"] == "la-2.1")
        .expect("la-2.1");
    let last = la["parts"]
        .as_array()
        .and_then(|p| p.last())
        .expect("parts");
    assert_eq!(last["id"], "la-2.1_ours");
    assert_eq!(last["prose"], "Our cameras lock after five attempts.");
    let ac7 = controls.iter().find(|c| c["id"] == "ac-7").expect("ac-7");
    let prm = ac7["params"]
        .as_array()
        .and_then(|ps| ps.iter().find(|p| p["id"] == "ac-7_prm_1"))
        .expect("ac-7_prm_1");
    assert_eq!(prm["values"], serde_json::json!(["5"]));
}

fn collect<'a>(node: &'a Value, out: &mut Vec<&'a Value>) {
    for key in ["groups", "controls"] {
        for child in node[key].as_array().into_iter().flatten() {
            if key == "controls" {
                out.push(child);
            }
            collect(child, out);
        }
    }
}

/// `target` relative to the folder `from`, with `/`.
fn relative_href(target: &Path, from: &Path) -> String {
    let t: Vec<_> = target.components().collect();
    let f: Vec<_> = from.components().collect();
    let common = t.iter().zip(&f).take_while(|(a, b)| a == b).count();
    let mut parts: Vec<String> = vec!["..".to_owned(); f.len() - common];
    parts.extend(
        t[common..]
            .iter()
            .map(|c| c.as_os_str().to_string_lossy().into_owned()),
    );
    parts.join("/")
}
