//! The `oscalc` binary: exit codes, output files, formats, `--map`, remote refusal.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

#[path = "cli/bounds.rs"]
mod bounds;
#[path = "cli/constraints.rs"]
mod constraints;
#[path = "cli/convert.rs"]
mod convert;
#[path = "cli/diagnostics.rs"]
mod diagnostics;
#[path = "cli/diff.rs"]
mod diff;
#[path = "cli/dist.rs"]
mod dist;
#[path = "cli/folders.rs"]
mod folders;
#[path = "cli/graph.rs"]
mod graph;
#[path = "cli/imports.rs"]
mod imports;
#[path = "cli/output.rs"]
mod output;
#[path = "cli/overlap.rs"]
mod overlap;
#[path = "cli/provenance.rs"]
mod provenance;
#[path = "support/pyyaml.rs"]
mod pyyaml;
#[path = "cli/render.rs"]
mod render;
#[path = "cli/scale.rs"]
mod scale;
#[path = "cli/switches.rs"]
mod switches;
#[path = "cli/validate.rs"]
mod validate;
#[path = "cli/values.rs"]
mod values;
#[path = "cli/yaml.rs"]
mod yaml;

fn oscalc(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_oscalc"))
        .args(args)
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output()
        .expect("run oscalc")
}

/// `oscalc` run in `dir` (relative to the crate), so diagnostics name files as written.
fn oscalc_in(dir: &str, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_oscalc"))
        .args(args)
        .current_dir(Path::new(env!("CARGO_MANIFEST_DIR")).join(dir))
        .output()
        .expect("run oscalc")
}

fn case(path: &str) -> String {
    format!("tests/cases/{path}")
}

fn tmp_dir(name: &str) -> PathBuf {
    sweep_stale_tmp_dirs();
    let dir = std::env::temp_dir().join(format!("oscalc-cli-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("temp dir");
    dir
}

/// Removes the scratch folders of earlier runs of this test binary whose process is gone (a
/// test's folder stays after it for inspection, until the next run): once per run, so scratch
/// space stays bounded by one run's worth.
fn sweep_stale_tmp_dirs() {
    static ONCE: std::sync::Once = std::sync::Once::new();
    ONCE.call_once(|| {
        let Ok(entries) = std::fs::read_dir(std::env::temp_dir()) else {
            return;
        };
        for e in entries.flatten() {
            let name = e.file_name().to_string_lossy().into_owned();
            let Some(pid) = name
                .strip_prefix("oscalc-cli-")
                .and_then(|rest| rest.rsplit_once('-'))
                .and_then(|(_, pid)| pid.parse::<u32>().ok())
            else {
                continue;
            };
            if pid != std::process::id() && !Path::new(&format!("/proc/{pid}")).exists() {
                let _ = std::fs::remove_dir_all(e.path());
            }
        }
    });
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

#[test]
fn resolve_to_stdout_prints_the_catalog_and_exits_0() {
    let o = oscalc(&["resolve", &case("chain/chain-diamond/profile-a.json")]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).expect("JSON on stdout");
    let groups = v["catalog"]["groups"].as_array().expect("groups");
    let ids: Vec<&str> = groups.iter().filter_map(|g| g["id"].as_str()).collect();
    assert_eq!(ids, ["g1", "g2"]);
}

#[test]
fn resolve_writes_xml_when_the_output_file_says_so() {
    let dir = tmp_dir("xml");
    let out = dir.join("out.xml");
    let o = oscalc(&[
        "resolve",
        &case("chain/chain-diamond/profile-a.json"),
        "-o",
        out.to_str().unwrap(),
    ]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let text = std::fs::read_to_string(&out).expect("output file");
    assert!(text.starts_with("<?xml"), "{text}");
    assert!(text.contains("<control id=\"c2.1\">"), "{text}");
}

#[test]
fn reproducible_runs_give_the_same_bytes() {
    let a = oscalc(&[
        "resolve",
        "--reproducible",
        &case("chain/chain-diamond/profile-a.json"),
    ]);
    let b = oscalc(&[
        "resolve",
        "--reproducible",
        &case("chain/chain-diamond/profile-a.json"),
    ]);
    assert_eq!(a.status.code(), Some(0));
    assert_eq!(a.stdout, b.stdout);
}

/// Without the check, JSON is streamed from the typed catalog; with it, written from the checked
/// value. XML markup from an XML catalog becomes Markdown either way, byte for byte (the
/// reproducible uuid differs, as it names the options).
#[test]
fn json_streamed_without_the_check_is_the_checked_json() {
    let profile = case("merge/req-merge-keep1/profile.xml");
    let dir = tmp_dir("stream");
    let (file_checked, file_streamed) = (dir.join("checked.json"), dir.join("streamed.json"));
    let args = ["resolve", "-q", "--reproducible", "--to", "json", &profile];
    let with = |more: &[&str]| oscalc(&[&args[..], more].concat());
    let runs = [
        with(&[]),
        with(&["--no-validate"]),
        with(&["-o", file_checked.to_str().unwrap()]),
        with(&["--no-validate", "-o", file_streamed.to_str().unwrap()]),
    ];
    for o in &runs {
        assert_eq!(o.status.code(), Some(0), "{}", stderr(o));
    }
    let without_uuid = |bytes: &[u8]| {
        let text = String::from_utf8_lossy(bytes).into_owned();
        let lines: Vec<&str> = text
            .lines()
            .filter(|l| !l.starts_with("    \"uuid\""))
            .collect();
        lines.join("\n") + if text.ends_with('\n') { "\n" } else { "" }
    };
    let checked = without_uuid(&runs[0].stdout);
    assert!(checked.contains("\"title\": \"Control A1\""), "{checked}");
    assert!(
        !checked.contains("$xml") && checked.ends_with("}\n"),
        "{checked}"
    );
    assert_eq!(without_uuid(&runs[1].stdout), checked);
    assert_eq!(
        without_uuid(&std::fs::read(&file_streamed).unwrap()),
        without_uuid(&std::fs::read(&file_checked).unwrap())
    );
}

#[test]
fn a_cycle_exits_1_names_the_cycle_and_leaves_no_file() {
    let dir = tmp_dir("cycle");
    let out = dir.join("out.json");
    let o = oscalc(&[
        "resolve",
        &case("chain/chain-cycle/x.json"),
        "-o",
        out.to_str().unwrap(),
    ]);
    assert_eq!(o.status.code(), Some(1));
    let err = stderr(&o);
    assert!(err.contains("req-circular-error"), "{err}");
    assert!(
        err.contains("x.json → ") && err.contains("y.json → "),
        "{err}"
    );
    assert!(!out.exists(), "no output file after an error");
    assert_eq!(
        std::fs::read_dir(&dir).unwrap().count(),
        0,
        "no temp file left behind"
    );
}

#[test]
fn a_failed_run_leaves_an_existing_output_untouched() {
    let dir = tmp_dir("untouched");
    let out = dir.join("out.json");
    std::fs::write(&out, b"previous").unwrap();
    let o = oscalc(&[
        "resolve",
        &case("chain/chain-cycle/x.json"),
        "-o",
        out.to_str().unwrap(),
    ]);
    assert_eq!(o.status.code(), Some(1));
    assert_eq!(std::fs::read(&out).unwrap(), b"previous");
}

#[test]
fn a_missing_profile_or_bad_usage_exits_2() {
    let o = oscalc(&["resolve", "no/such/profile.json"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("does not exist"));
    let o = oscalc(&["resolve"]);
    assert_eq!(o.status.code(), Some(2));
    let o = oscalc(&["resolve", "tests/cases"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("directory"));
}

/// A profile that imports its catalog by URL.
fn write_remote_profile(dir: &Path) -> PathBuf {
    let p = dir.join("remote.json");
    let text = r#"{"profile": {"uuid": "8a7d1b6e-0c6a-4d0e-9e4b-1f2a3b4c5d10",
      "metadata": {"title": "Remote", "last-modified": "2026-01-01T00:00:00Z", "version": "1", "oscal-version": "1.1.2"},
      "imports": [{"href": "https://example.org/oscal/catalog.json", "include-controls": [{"with-ids": ["c3"]}]}]}}"#;
    std::fs::write(&p, text).unwrap();
    p
}

#[test]
fn a_remote_import_is_refused_without_allow_remote() {
    let dir = tmp_dir("remote");
    let p = write_remote_profile(&dir);
    let o = oscalc(&["resolve", p.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(1));
    let err = stderr(&o);
    assert!(err.contains("--allow-remote"), "{err}");
    assert!(
        err.contains("https://example.org/oscal/catalog.json"),
        "{err}"
    );
}

#[test]
fn map_resolves_a_url_import_against_a_local_mirror() {
    let dir = tmp_dir("map");
    let p = write_remote_profile(&dir);
    let mirror = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/cases/chain/chain-diamond");
    let map = format!("https://example.org/oscal/={}", mirror.display());
    let o = oscalc(&["resolve", p.to_str().unwrap(), "--map", &map]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    // No merge directive: flat (req-structure-none), so c3 is a top-level control.
    assert_eq!(v["catalog"]["controls"][0]["id"], "c3");
    assert!(v["catalog"].get("groups").is_none());
    assert_eq!(v["catalog"]["params"][0]["id"], "loose1");
}

/// Serves `body` over HTTP on a loopback port for at most `count` requests; returns the base URL.
fn serve_on_loopback(body: Vec<u8>, count: usize) -> String {
    use std::io::{Read, Write};
    let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind loopback");
    let addr = listener.local_addr().expect("address");
    std::thread::spawn(move || {
        for stream in listener.incoming().take(count) {
            let Ok(mut stream) = stream else { continue };
            let mut buf = [0u8; 4096];
            let _ = stream.read(&mut buf);
            let head = format!(
                "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
                body.len()
            );
            let _ = stream.write_all(head.as_bytes());
            let _ = stream.write_all(&body);
        }
    });
    format!("http://{addr}/")
}

#[test]
fn allow_remote_fetches_an_http_import() {
    let catalog = std::fs::read(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/cases/chain/chain-diamond/catalog.json"),
    )
    .unwrap();
    let base = serve_on_loopback(catalog, 1);
    let dir = tmp_dir("allow-remote");
    let p = dir.join("remote.json");
    let text = format!(
        r#"{{"profile": {{"uuid": "8a7d1b6e-0c6a-4d0e-9e4b-1f2a3b4c5d11",
      "metadata": {{"title": "Remote", "last-modified": "2026-01-01T00:00:00Z", "version": "1", "oscal-version": "1.1.2"}},
      "imports": [{{"href": "{base}catalog.json", "include-controls": [{{"with-ids": ["c4"]}}]}}]}}}}"#
    );
    std::fs::write(&p, text).unwrap();
    let o = oscalc(&["resolve", p.to_str().unwrap(), "--allow-remote"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(v["catalog"]["controls"][0]["id"], "c4");
    assert_eq!(v["catalog"]["controls"][0]["title"], "Control Four");
}
