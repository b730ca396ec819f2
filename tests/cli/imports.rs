//! What imports may read: FIFOs, `--root`, `--map` (escapes, exact hrefs, relative hrefs),
//! remote rules (timeouts, size, redirects, a remote document importing a local file), and
//! `validate` taking the same import flags as `resolve`.

use super::{oscalc, stderr, tmp_dir};
use serde_json::Value;
use std::io::{Read, Write};
use std::path::Path;
use std::time::Duration;

fn stdout(o: &std::process::Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

/// A profile importing each of `hrefs` (all controls), with a with-id, a set-parameter and an
/// alter that name ids only the imports could hold.
fn profile(hrefs: &[&str]) -> String {
    let imports: Vec<String> = hrefs
        .iter()
        .map(|h| format!(r#"{{"href": "{h}", "include-controls": [{{"with-ids": ["c3"]}}]}}"#))
        .collect();
    format!(
        r#"{{"profile": {{"uuid": "5e0c3a52-2b1e-4b8e-9a57-0c7e3f1d2a20",
  "metadata": {{"title": "P", "last-modified": "2024-01-01T00:00:00Z", "version": "1", "oscal-version": "1.2.3"}},
  "imports": [{}],
  "modify": {{"set-parameters": [{{"param-id": "loose1", "values": ["x"]}}],
              "alters": [{{"control-id": "c3", "adds": [{{"position": "ending", "props": [{{"name": "n", "ns": "https://example.com/ns/test", "value": "v"}}]}}]}}]}}
}}}}"#,
        imports.join(", ")
    )
}

fn diamond_catalog() -> Vec<u8> {
    std::fs::read(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/cases/chain/chain-diamond/catalog.json"),
    )
    .expect("catalog")
}

/// The JSON diagnostics of a run: (code, message) per line.
fn diags(o: &std::process::Output) -> Vec<(String, String)> {
    stdout(o)
        .lines()
        .filter(|l| !l.trim().is_empty())
        .map(|l| {
            let v: Value = serde_json::from_str(l).expect("JSON line");
            let s = |k: &str| v[k].as_str().unwrap_or_default().to_owned();
            (s("code"), s("message"))
        })
        .collect()
}

fn codes(o: &std::process::Output) -> Vec<String> {
    diags(o).into_iter().map(|(c, _)| c).collect()
}

#[test]
fn a_fifo_import_is_refused_without_being_opened() {
    let dir = tmp_dir("imports-fifo");
    let fifo = dir.join("pipe.json");
    let made = std::process::Command::new("mkfifo")
        .arg(&fifo)
        .status()
        .expect("run mkfifo");
    assert!(made.success());
    let p = dir.join("p.json");
    std::fs::write(&p, profile(&["pipe.json"])).unwrap();
    // Were the FIFO opened, this would wait for a writer forever.
    let o = oscalc(&["validate", p.to_str().unwrap(), "--error-format", "json"]);
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    assert_eq!(codes(&o), ["fetch-not-regular"]);
    let o = oscalc(&["resolve", p.to_str().unwrap(), "-q"]);
    assert_eq!(o.status.code(), Some(1));
    assert!(
        stderr(&o).contains("error[fetch-not-regular]"),
        "{}",
        stderr(&o)
    );
}

#[test]
fn root_confines_imports_to_its_folders_after_resolving_symlinks() {
    let dir = tmp_dir("imports-root");
    let (a, b) = (dir.join("a"), dir.join("b"));
    std::fs::create_dir_all(&a).unwrap();
    std::fs::create_dir_all(&b).unwrap();
    std::fs::write(b.join("cat.json"), diamond_catalog()).unwrap();
    std::os::unix::fs::symlink(b.join("cat.json"), a.join("link.json")).unwrap();
    let p = a.join("p.json");
    std::fs::write(&p, profile(&["../b/cat.json"])).unwrap();
    let (p, a_s, b_s) = (
        p.to_str().unwrap(),
        a.to_str().unwrap(),
        b.to_str().unwrap(),
    );
    // Without --root, relative imports work as always.
    let o = oscalc(&["validate", p, "--error-format", "json"]);
    assert_eq!(
        (o.status.code(), codes(&o)),
        (Some(0), vec![]),
        "{}",
        stdout(&o)
    );
    let o = oscalc(&["validate", p, "--root", a_s, "--error-format", "json"]);
    assert_eq!(o.status.code(), Some(1));
    let found = diags(&o);
    assert_eq!(found.len(), 1, "{found:?}");
    assert_eq!(found[0].0, "fetch-outside-root");
    assert!(found[0].1.contains("`../b/cat.json`"), "{}", found[0].1);
    let o = oscalc(&["resolve", p, "--root", a_s, "--root", b_s, "-q"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    // The file the user names is allowed wherever it is; a missing file outside is "outside".
    let o = oscalc(&["validate", p, "--root", b_s, "--error-format", "json"]);
    assert_eq!(
        (o.status.code(), codes(&o)),
        (Some(0), vec![]),
        "{}",
        stdout(&o)
    );
    let p4 = a.join("p4.json");
    std::fs::write(&p4, profile(&["/no/such/dir/cat.json"])).unwrap();
    let o = oscalc(&[
        "validate",
        p4.to_str().unwrap(),
        "--root",
        a_s,
        "--error-format",
        "json",
    ]);
    assert_eq!(codes(&o), ["fetch-outside-root"]);
    // A symlink inside the root to a file outside it is outside.
    let p2 = a.join("p2.json");
    std::fs::write(&p2, profile(&["link.json"])).unwrap();
    let o = oscalc(&[
        "validate",
        p2.to_str().unwrap(),
        "--root",
        a_s,
        "--error-format",
        "json",
    ]);
    assert_eq!(codes(&o), ["fetch-outside-root"]);
    // A --map target counts as a root.
    let p3 = a.join("p3.json");
    std::fs::write(&p3, profile(&["https://example.org/oscal/cat.json"])).unwrap();
    let map = format!("https://example.org/oscal/={b_s}");
    let o = oscalc(&[
        "resolve",
        p3.to_str().unwrap(),
        "--root",
        a_s,
        "--map",
        &map,
        "-q",
    ]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
}

#[test]
fn a_map_cannot_be_escaped_with_encoded_slashes_or_dot_dot() {
    let dir = tmp_dir("imports-map-escape");
    let mirror = dir.join("mirror");
    std::fs::create_dir_all(&mirror).unwrap();
    let map = format!("https://example.org/x/={}", mirror.display());
    for href in [
        "https://example.org/x/%2fetc%2fpasswd",
        "https://example.org/x/a%2f..%2f..%2f..%2fetc%2fpasswd",
    ] {
        let p = dir.join("p.json");
        std::fs::write(&p, profile(&[href])).unwrap();
        let o = oscalc(&[
            "validate",
            p.to_str().unwrap(),
            "--map",
            &map,
            "--error-format",
            "json",
        ]);
        assert_eq!(o.status.code(), Some(1));
        let found = diags(&o);
        assert_eq!(found.len(), 1, "{found:?}");
        assert_eq!(found[0].0, "fetch-map-escape");
        assert!(found[0].1.contains(href), "{}", found[0].1);
        assert!(!stdout(&o).contains("root:x:0"));
    }
}

#[test]
fn an_empty_map_prefix_or_a_missing_target_is_a_usage_error() {
    for map in ["=tests", "https://x/=no/such/folder", "no-equals-sign"] {
        for cmd in ["resolve", "validate"] {
            let o = oscalc(&[
                cmd,
                "profiles/NIST_IoT_federal_low-impact_profile.json",
                "--map",
                map,
            ]);
            assert_eq!(o.status.code(), Some(2), "{cmd} --map {map}");
            assert!(stderr(&o).contains("--map"), "{}", stderr(&o));
            assert_eq!(stdout(&o), "");
        }
    }
}

#[test]
fn a_map_of_an_exact_relative_href_reads_that_file() {
    // NIST's rev5 JSON profile names an XML catalog that is not beside it.
    let profile = "tests/fixtures/xml/NIST_SP-800-53_rev5_LOW-baseline_profile.json";
    let map = "NIST_SP-800-53_rev5_catalog.xml=catalogs/NIST_SP-800-53_rev5_catalog.json";
    let o = oscalc(&["resolve", profile]);
    assert_eq!(
        o.status.code(),
        Some(1),
        "without --map the catalog is missing"
    );
    let o = oscalc(&["resolve", profile, "--map", map]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let out: Value = serde_json::from_slice(&o.stdout).expect("JSON");
    let mut ids = Vec::new();
    collect_ids(&out["catalog"], &mut ids);
    let p: Value = serde_json::from_slice(
        &std::fs::read(Path::new(env!("CARGO_MANIFEST_DIR")).join(profile)).unwrap(),
    )
    .unwrap();
    let wanted: Vec<String> = p["profile"]["imports"][0]["include-controls"][0]["with-ids"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_str().unwrap().to_owned())
        .collect();
    assert_eq!(ids.len(), 149);
    assert_eq!(ids, wanted);
    let o = oscalc(&["validate", profile, "--map", map, "--error-format", "json"]);
    assert_eq!((o.status.code(), diags(&o)), (Some(0), vec![]));
}

/// Control ids in document order, depth first.
fn collect_ids(v: &Value, out: &mut Vec<String>) {
    for key in ["groups", "controls"] {
        for child in v[key].as_array().into_iter().flatten() {
            if key == "controls" {
                out.push(child["id"].as_str().unwrap_or_default().to_owned());
            }
            collect_ids(child, out);
        }
    }
}

#[test]
fn a_failing_mapped_import_names_the_href_and_the_local_path() {
    let dir = tmp_dir("imports-map-missing");
    let p = dir.join("p.json");
    std::fs::write(&p, profile(&["https://example.org/oscal/nothere.json"])).unwrap();
    let map = format!("https://example.org/oscal/={}", dir.display());
    let o = oscalc(&[
        "validate",
        p.to_str().unwrap(),
        "--map",
        &map,
        "--error-format",
        "json",
    ]);
    let found = diags(&o);
    assert_eq!(found.len(), 1, "{found:?}");
    assert_eq!(found[0].0, "req-uri-error");
    let local = std::fs::canonicalize(&dir).unwrap().join("nothere.json");
    for needle in [
        "https://example.org/oscal/nothere.json",
        &local.display().to_string(),
    ] {
        assert!(found[0].1.contains(needle), "no {needle} in {}", found[0].1);
    }
}

#[test]
fn validate_reports_one_refused_remote_import_once_and_no_cascade() {
    let dir = tmp_dir("imports-validate-remote");
    let url = "https://example.org/oscal/catalog.json";
    let p = dir.join("p.json");
    std::fs::write(&p, profile(&[url])).unwrap();
    let o = oscalc(&["validate", p.to_str().unwrap(), "--error-format", "json"]);
    assert_eq!(o.status.code(), Some(1));
    let found = diags(&o);
    assert_eq!(found.len(), 1, "{found:?}");
    assert_eq!(found[0].0, "fetch-remote-disabled");
    assert_eq!(found[0].1.matches(url).count(), 1, "{}", found[0].1);
    let human = oscalc(&["validate", p.to_str().unwrap(), "--color", "never"]);
    assert!(
        stderr(&human).contains("--allow-remote"),
        "{}",
        stderr(&human)
    );
    let mirror = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/cases/chain/chain-diamond");
    let map = format!("https://example.org/oscal/={}", mirror.display());
    let o = oscalc(&[
        "validate",
        p.to_str().unwrap(),
        "--map",
        &map,
        "--error-format",
        "json",
    ]);
    assert_eq!((o.status.code(), diags(&o)), (Some(0), vec![]));
}

/// Serves one canned answer per connection on a loopback port, for as many connections as there
/// are answers, then stops; `delay` is waited before answering. Returns the base URL.
fn serve(answers: Vec<Vec<u8>>, delay: Duration) -> String {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind loopback");
    let addr = listener.local_addr().expect("address");
    std::thread::spawn(move || {
        for (stream, answer) in listener.incoming().zip(answers) {
            let Ok(mut stream) = stream else { continue };
            let mut buf = [0u8; 4096];
            let _ = stream.read(&mut buf);
            std::thread::sleep(delay);
            let _ = stream.write_all(&answer);
        }
    });
    format!("http://{addr}/")
}

fn ok(body: &[u8]) -> Vec<u8> {
    let mut out = format!(
        "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
        body.len()
    )
    .into_bytes();
    out.extend_from_slice(body);
    out
}

fn redirect(to: &str) -> Vec<u8> {
    format!(
        "HTTP/1.1 302 Found\r\nLocation: {to}\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"
    )
    .into_bytes()
}

/// Writes a profile importing `href` and runs `validate --allow-remote` on it, JSON diagnostics.
fn validate_remote(name: &str, href: &str, extra: &[&str]) -> std::process::Output {
    let dir = tmp_dir(name);
    let p = dir.join("p.json");
    std::fs::write(&p, profile(&[href])).unwrap();
    let args = [
        &[
            "validate",
            p.to_str().unwrap(),
            "--allow-remote",
            "--error-format",
            "json",
        ][..],
        extra,
    ]
    .concat();
    oscalc(&args)
}

#[test]
fn a_slow_server_is_a_timeout() {
    let base = serve(vec![ok(&diamond_catalog())], Duration::from_secs(3));
    let o = validate_remote(
        "imports-slow",
        &format!("{base}cat.json"),
        &["--timeout", "1"],
    );
    assert_eq!(o.status.code(), Some(1));
    assert_eq!(codes(&o), ["req-uri-error"]);
    let (_, message) = &diags(&o)[0];
    assert!(message.contains("timeout"), "{message}");
}

#[test]
fn a_remote_body_over_the_size_limit_is_refused() {
    let base = serve(vec![ok(&diamond_catalog())], Duration::ZERO);
    let o = validate_remote(
        "imports-big",
        &format!("{base}cat.json"),
        &["--max-file-size", "100"],
    );
    assert_eq!(o.status.code(), Some(1));
    assert_eq!(codes(&o), ["load-limit"]);
}

#[test]
fn a_remote_profile_may_not_import_a_local_file() {
    let remote = profile(&["file:///etc/passwd"]);
    let base = serve(vec![ok(remote.as_bytes())], Duration::ZERO);
    let o = validate_remote("imports-remote-local", &format!("{base}p.json"), &[]);
    assert_eq!(o.status.code(), Some(1));
    // The remote profile's own problem is one error; the importer sees no cascade.
    assert_eq!(codes(&o), ["fetch-remote-local"]);
    assert!(!stdout(&o).contains("root:x:0"));
}

#[test]
fn redirects_are_followed_over_http_but_never_to_a_local_file() {
    let base = serve(
        vec![redirect("/moved.json"), ok(&diamond_catalog())],
        Duration::ZERO,
    );
    let o = validate_remote("imports-redirect-ok", &format!("{base}cat.json"), &[]);
    assert_eq!((o.status.code(), diags(&o)), (Some(0), vec![]));
    let base = serve(vec![redirect("file:///etc/passwd")], Duration::ZERO);
    let o = validate_remote("imports-redirect-file", &format!("{base}cat.json"), &[]);
    assert_eq!(o.status.code(), Some(1));
    assert_eq!(codes(&o), ["fetch-redirect"]);
    assert!(!stdout(&o).contains("root:x:0"));
    let base = serve((0..6).map(|_| redirect("/again")).collect(), Duration::ZERO);
    let o = validate_remote("imports-redirect-loop", &format!("{base}cat.json"), &[]);
    assert_eq!(codes(&o), ["fetch-redirect"]);
    assert!(
        diags(&o)[0].1.contains("more than 5 redirects"),
        "{:?}",
        diags(&o)
    );
}

#[test]
fn a_map_matches_an_rlink_href_as_written() {
    let dir = tmp_dir("imports-map-rlink");
    let p = dir.join("p.json");
    let text = r##"{"profile": {"uuid": "5e0c3a52-2b1e-4b8e-9a57-0c7e3f1d2a21",
  "metadata": {"title": "P", "last-modified": "2024-01-01T00:00:00Z", "version": "1", "oscal-version": "1.2.3"},
  "imports": [{"href": "#4e0c3a52-2b1e-4b8e-9a57-0c7e3f1d2a22", "include-controls": [{"with-ids": ["c4"]}]}],
  "back-matter": {"resources": [{"uuid": "4e0c3a52-2b1e-4b8e-9a57-0c7e3f1d2a22",
    "rlinks": [{"href": "mirror-only/cat.json", "media-type": "application/oscal.catalog+json"}]}]}
}}"##;
    std::fs::write(&p, text).unwrap();
    let map = "mirror-only/cat.json=tests/cases/chain/chain-diamond/catalog.json";
    let o = oscalc(&["resolve", p.to_str().unwrap(), "--map", map]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let v: Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(v["catalog"]["controls"][0]["id"], "c4");
    assert_eq!(v["catalog"]["controls"][0]["title"], "Control Four");
}

#[test]
fn validate_checks_ids_against_an_imported_profile_read_through_a_map() {
    let dir = tmp_dir("imports-map-profile");
    let elsewhere = dir.join("elsewhere");
    std::fs::create_dir_all(&elsewhere).unwrap();
    // The mapped document stands in for `mid.json`: its own relative hrefs resolve against
    // where `mid.json` would be, as with a folder mirror.
    std::fs::write(dir.join("catalog.json"), diamond_catalog()).unwrap();
    let middle = r#"{"profile": {"uuid": "5e0c3a52-2b1e-4b8e-9a57-0c7e3f1d2a23",
  "metadata": {"title": "M", "last-modified": "2024-01-01T00:00:00Z", "version": "1", "oscal-version": "1.2.3"},
  "imports": [{"href": "catalog.json", "include-all": {}}]}}"#;
    std::fs::write(elsewhere.join("middle.json"), middle).unwrap();
    let p = dir.join("p.json");
    let root = r#"{"profile": {"uuid": "5e0c3a52-2b1e-4b8e-9a57-0c7e3f1d2a24",
  "metadata": {"title": "P", "last-modified": "2024-01-01T00:00:00Z", "version": "1", "oscal-version": "1.2.3"},
  "imports": [{"href": "mid.json", "include-controls": [{"with-ids": ["c3", "zz"]}]}]}}"#;
    std::fs::write(&p, root).unwrap();
    let map = format!("mid.json={}", elsewhere.join("middle.json").display());
    let o = oscalc(&[
        "validate",
        p.to_str().unwrap(),
        "--map",
        &map,
        "--error-format",
        "json",
    ]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    // The ids come from the mapped profile resolved as imported: `zz` alone is unknown.
    let found = diags(&o);
    assert_eq!(found.len(), 1, "{found:?}");
    assert_eq!(found[0].0, "select-unknown-id");
    assert!(found[0].1.contains("`zz`"), "{}", found[0].1);
}
