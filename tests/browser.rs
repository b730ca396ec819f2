//! The rendered baseline page in a real browser: Debian's headless Chromium, driven through
//! chromedriver's WebDriver HTTP API on 127.0.0.1 (a small HTTP/JSON client over `TcpStream`).
//!
//! The 8259B baseline is rendered by the built `oscalc`, loaded from a `file://` URL, and checked:
//! it loads with no console error (the browser log, `goog:loggingPrefs`; a refused script or a
//! blocked load would be one), typing in the search box filters the controls to the expected ids
//! (counted before and after, against the resolved catalog), and a screenshot is taken and is not
//! blank. A libtest-mimic harness (`harness = false`): without chromium or chromedriver the trial
//! is reported as `ignored (skipped: …)`, not passed; with `CI=true` that is a failure, since
//! `.ci/run` installs both.

use libtest_mimic::{Arguments, Completion, Failed, Trial};
use serde_json::{Value, json};
use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::Duration;

const SKIPPED: &str =
    "skipped: chromium or chromedriver is not installed; apt-get install chromium chromium-driver";

/// The element key of the W3C WebDriver protocol.
const ELEMENT: &str = "element-6066-11e4-a52e-4f735466cecf";

fn main() {
    let args = Arguments::from_args();
    let trial = Trial::ignorable_test("rendered_8259b_page_in_headless_chromium", || {
        let Some(tools) = Tools::find() else {
            if std::env::var("CI").is_ok_and(|v| v == "true") {
                return Err(Failed::from(format!("CI=true and {SKIPPED}")));
            }
            return Ok(Completion::ignored_with(SKIPPED));
        };
        page_in_chromium(&tools)
            .map(|()| Completion::Completed)
            .map_err(Failed::from)
    });
    libtest_mimic::run(&args, vec![trial]).exit();
}

struct Tools {
    chromium: PathBuf,
    chromedriver: PathBuf,
}

impl Tools {
    fn find() -> Option<Tools> {
        Some(Tools {
            chromium: on_path("chromium")?,
            chromedriver: on_path("chromedriver")?,
        })
    }
}

fn on_path(name: &str) -> Option<PathBuf> {
    let path = std::env::var_os("PATH")?;
    std::env::split_paths(&path)
        .map(|d| d.join(name))
        .find(|p| p.is_file())
}

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

fn page_in_chromium(tools: &Tools) -> Result<(), String> {
    let dir = std::env::temp_dir().join(format!("oscalc-browser-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).map_err(|e| e.to_string())?;
    let page = dir.join("8259B.html");
    let resolved = dir.join("8259B.json");
    let profile = root().join("profiles/NIST_IR-8259B_non-technical_baseline_profile.json");
    for (out, verb) in [(&page, "render"), (&resolved, "resolve")] {
        let o = Command::new(env!("CARGO_BIN_EXE_oscalc"))
            .arg(verb)
            .arg(&profile)
            .arg("-o")
            .arg(out)
            .output()
            .map_err(|e| e.to_string())?;
        if !o.status.success() {
            return Err(String::from_utf8_lossy(&o.stderr).into_owned());
        }
    }
    let catalog: Value =
        serde_json::from_slice(&std::fs::read(&resolved).map_err(|e| e.to_string())?)
            .map_err(|e| e.to_string())?;
    let driver = Driver::start(tools, &dir)?;
    let result = checks(&driver, &page, &catalog["catalog"], &dir);
    driver.stop();
    let _ = std::fs::remove_dir_all(&dir);
    result
}

fn checks(d: &Driver, page: &Path, catalog: &Value, dir: &Path) -> Result<(), String> {
    let url = url::Url::from_file_path(page).map_err(|()| "file url".to_owned())?;
    d.post("url", json!({ "url": url.as_str() }))?;
    let all = all_ids(catalog);
    if all.len() != 93 {
        return Err(format!(
            "the resolved 8259B baseline has {} controls",
            all.len()
        ));
    }
    // No console error; then a probe error, to show the log is really read.
    let severe = severe_logs(d)?;
    if !severe.is_empty() {
        return Err(format!("console errors on load: {severe:?}"));
    }
    d.script("console.error('oscalc-probe'); return 0")?;
    let probe = severe_logs(d)?;
    if !probe.iter().any(|m| m.contains("oscalc-probe")) {
        return Err(format!("the browser log did not show the probe: {probe:?}"));
    }
    // Loaded: every control there and shown, the count line written by the script.
    let counted = d.script("return document.querySelectorAll('section.control').length")?;
    expect_eq(&counted, &json!(93), "controls on the page")?;
    expect_eq(&visible(d)?, &json!(all), "controls shown before typing")?;
    let count = d.script("return document.getElementById('count').textContent")?;
    expect_eq(&count, &json!("93 of 93 controls"), "count line")?;
    // An id typed: that control, its enhancements, its parent.
    let shown = search(d, "doc-2.a")?;
    let expected = matching(catalog, &|c: &Value| id_of(c).contains("doc-2.a"));
    expect_eq(&shown, &json!(expected), "controls shown for `doc-2.a`")?;
    // A word typed: the controls whose own text holds it, and their parents.
    d.post("url", json!({ "url": url.as_str() }))?;
    let shown = search(d, "Vulnerability")?;
    let expected = matching(catalog, &|c: &Value| own_text(c).contains("vulnerability"));
    if expected.is_empty() || expected.len() >= all.len() {
        return Err(format!(
            "`vulnerability` should select some controls: {expected:?}"
        ));
    }
    expect_eq(
        &shown,
        &json!(expected),
        "controls shown for `Vulnerability`",
    )?;
    let count = d.script("return document.getElementById('count').textContent")?;
    expect_eq(
        &count,
        &json!(format!("{} of 93 controls", expected.len())),
        "count line after typing",
    )?;
    screenshot(d, dir)
}

/// Types `text` into the search box; the ids of the controls then shown.
fn search(d: &Driver, text: &str) -> Result<Value, String> {
    let found = d.post(
        "element",
        json!({ "using": "css selector", "value": "#search" }),
    )?;
    let id = found[ELEMENT]
        .as_str()
        .ok_or_else(|| format!("no search box: {found}"))?;
    d.post(&format!("element/{id}/value"), json!({ "text": text }))?;
    visible(d)
}

fn visible(d: &Driver) -> Result<Value, String> {
    d.script(
        "return Array.from(document.querySelectorAll('section.control'))\
         .filter(function (c) { return c.offsetParent !== null; })\
         .map(function (c) { return c.id; })",
    )
}

fn severe_logs(d: &Driver) -> Result<Vec<String>, String> {
    let logs = d.post("se/log", json!({ "type": "browser" }))?;
    Ok(logs
        .as_array()
        .into_iter()
        .flatten()
        .filter(|l| l["level"] == "SEVERE")
        .map(|l| l["message"].as_str().unwrap_or_default().to_owned())
        .collect())
}

/// A screenshot, decoded: more than one colour (not a blank page).
fn screenshot(d: &Driver, dir: &Path) -> Result<(), String> {
    use base64::Engine as _;
    let shot = d.get("screenshot")?;
    let b64 = shot.as_str().ok_or("no screenshot")?;
    let bytes = base64::engine::general_purpose::STANDARD
        .decode(b64)
        .map_err(|e| e.to_string())?;
    std::fs::write(dir.join("shot.png"), &bytes).map_err(|e| e.to_string())?;
    let decoder = png::Decoder::new(std::io::Cursor::new(bytes));
    let mut reader = decoder.read_info().map_err(|e| e.to_string())?;
    let size = reader.output_buffer_size().ok_or("png too large")?;
    let mut buf = vec![0; size];
    let info = reader.next_frame(&mut buf).map_err(|e| e.to_string())?;
    let px = info.color_type.samples() * usize::from(info.bit_depth as u8 / 8).max(1);
    let pixels: std::collections::BTreeSet<&[u8]> = buf
        .get(..info.buffer_size())
        .unwrap_or_default()
        .chunks(px)
        .collect();
    if info.width < 100 || info.height < 100 || pixels.len() < 2 {
        return Err(format!(
            "blank screenshot: {}x{}, {} colours",
            info.width,
            info.height,
            pixels.len()
        ));
    }
    Ok(())
}

fn expect_eq(actual: &Value, expected: &Value, what: &str) -> Result<(), String> {
    if actual == expected {
        Ok(())
    } else {
        Err(format!(
            "{what}:\n  expected {expected}\n  actual   {actual}"
        ))
    }
}

fn id_of(c: &Value) -> &str {
    c["id"].as_str().unwrap_or_default()
}

/// Every control's id, in document order (top-level controls, then groups; each control before
/// its enhancements).
fn all_ids(catalog: &Value) -> Vec<String> {
    matching(catalog, &|_| true)
}

/// The ids, in document order, of the controls that match or hold a control that matches.
fn matching(node: &Value, hit: &dyn Fn(&Value) -> bool) -> Vec<String> {
    let mut out = Vec::new();
    for c in node["controls"].as_array().into_iter().flatten() {
        let below = matching(c, hit);
        if hit(c) || !below.is_empty() {
            out.push(id_of(c).to_owned());
        }
        out.extend(below);
    }
    for g in node["groups"].as_array().into_iter().flatten() {
        out.extend(matching(g, hit));
    }
    out
}

/// A control's own text, lower case: title, labels, part titles and prose (not its
/// enhancements').
fn own_text(c: &Value) -> String {
    fn part(p: &Value, out: &mut String) {
        for key in ["title", "prose"] {
            out.push_str(p[key].as_str().unwrap_or_default());
            out.push(' ');
        }
        for sub in p["parts"].as_array().into_iter().flatten() {
            part(sub, out);
        }
    }
    let mut out = format!("{} {} ", id_of(c), c["title"].as_str().unwrap_or_default());
    for p in c["parts"].as_array().into_iter().flatten() {
        part(p, &mut out);
    }
    out.to_lowercase()
}

/// A chromedriver process and one browser session in it.
struct Driver {
    process: Child,
    port: u16,
    session: String,
}

impl Driver {
    fn start(tools: &Tools, dir: &Path) -> Result<Driver, String> {
        // A free port: the system gives one, which is let go just before chromedriver takes it.
        let port = TcpListener::bind("127.0.0.1:0")
            .and_then(|l| l.local_addr())
            .map_err(|e| e.to_string())?
            .port();
        let process = Command::new(&tools.chromedriver)
            .arg(format!("--port={port}"))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .map_err(|e| e.to_string())?;
        let mut driver = Driver {
            process,
            port,
            session: String::new(),
        };
        if let Err(e) = driver.open(tools, dir) {
            driver.stop();
            return Err(e);
        }
        Ok(driver)
    }

    fn open(&mut self, tools: &Tools, dir: &Path) -> Result<(), String> {
        // Ready within 20 s, asked every 100 ms (a bound on waiting, not a timing).
        let mut ready = false;
        for _ in 0..200 {
            if http(self.port, "GET", "/status", None).is_ok_and(|v| v["value"]["ready"] == true) {
                ready = true;
                break;
            }
            std::thread::sleep(Duration::from_millis(100));
        }
        if !ready {
            return Err("chromedriver did not become ready".to_owned());
        }
        let profile = dir.join("chromium-profile");
        let caps = json!({ "capabilities": { "alwaysMatch": {
            "browserName": "chrome",
            "goog:loggingPrefs": { "browser": "ALL" },
            "goog:chromeOptions": {
                "binary": tools.chromium,
                "args": [
                    "--headless", "--no-sandbox", "--disable-gpu",
                    "--disable-background-networking", "--no-first-run",
                    "--disable-component-update", "--disable-sync", "--disable-quic",
                    "--window-size=1200,900",
                    format!("--user-data-dir={}", profile.display()),
                ],
            },
        }}});
        let v = http(self.port, "POST", "/session", Some(&caps))?;
        self.session = v["value"]["sessionId"]
            .as_str()
            .ok_or_else(|| format!("no session: {v}"))?
            .to_owned();
        Ok(())
    }

    fn post(&self, path: &str, body: Value) -> Result<Value, String> {
        let path = format!("/session/{}/{path}", self.session);
        Ok(http(self.port, "POST", &path, Some(&body))?["value"].take())
    }

    fn get(&self, path: &str) -> Result<Value, String> {
        let path = format!("/session/{}/{path}", self.session);
        Ok(http(self.port, "GET", &path, None)?["value"].take())
    }

    fn script(&self, script: &str) -> Result<Value, String> {
        self.post("execute/sync", json!({ "script": script, "args": [] }))
    }

    /// Ends the session and the chromedriver process this test started (by its handle).
    fn stop(mut self) {
        if !self.session.is_empty() {
            let path = format!("/session/{}", self.session);
            let _ = http(self.port, "DELETE", &path, None);
        }
        let _ = self.process.kill();
        let _ = self.process.wait();
    }
}

/// One HTTP/1.1 exchange with the local chromedriver; the JSON body, or an error with the
/// status and body when the status is not 200.
fn http(port: u16, method: &str, path: &str, body: Option<&Value>) -> Result<Value, String> {
    let mut stream = TcpStream::connect(("127.0.0.1", port)).map_err(|e| e.to_string())?;
    stream
        .set_read_timeout(Some(Duration::from_secs(120)))
        .map_err(|e| e.to_string())?;
    let body = body.map(Value::to_string).unwrap_or_default();
    let request = format!(
        "{method} {path} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nContent-Type: application/json\r\n\
         Content-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    );
    stream
        .write_all(request.as_bytes())
        .map_err(|e| e.to_string())?;
    // chromedriver keeps the connection open: the body is read by its Content-Length.
    let (head, content) = response(&mut stream)?;
    let status = head.split(' ').nth(1).unwrap_or_default();
    if status != "200" {
        return Err(format!("{method} {path}: HTTP {status}: {content}"));
    }
    serde_json::from_str(&content).map_err(|e| format!("{method} {path}: {e}: {content}"))
}

/// The header and body of one response: the header up to its blank line, then as many bytes
/// as its Content-Length says.
fn response(stream: &mut TcpStream) -> Result<(String, String), String> {
    let mut raw = Vec::new();
    let mut byte = [0u8; 1];
    while !raw.ends_with(b"\r\n\r\n") {
        let n = stream.read(&mut byte).map_err(|e| e.to_string())?;
        if n == 0 {
            return Err("connection closed inside the HTTP header".to_owned());
        }
        raw.extend_from_slice(&byte);
    }
    let head = String::from_utf8_lossy(&raw).into_owned();
    let length = head
        .lines()
        .filter_map(|l| l.split_once(':'))
        .find(|(k, _)| k.trim().eq_ignore_ascii_case("content-length"))
        .and_then(|(_, v)| v.trim().parse::<usize>().ok())
        .ok_or_else(|| format!("no Content-Length: {head}"))?;
    let mut body = vec![0u8; length];
    stream.read_exact(&mut body).map_err(|e| e.to_string())?;
    Ok((head, String::from_utf8_lossy(&body).into_owned()))
}
