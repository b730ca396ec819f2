//! An independent YAML reader for the tests of the YAML writer: Python's `yaml` module (PyYAML),
//! which applies the YAML 1.1 resolvers (the stricter on plain scalars: `yes`, `on`, `1:30`,
//! dates), giving its data back as JSON. Included by `#[path]` from the test binaries that use it.
//!
//! When `python3` or its `yaml` module is missing, [`read`] prints a line saying the check was
//! skipped and why (install it with `pip install pyyaml`), and returns `None`.

use serde_json::Value;
use std::process::Command;
use std::sync::OnceLock;

/// How PyYAML reads.
#[derive(Debug, Clone, Copy)]
#[allow(dead_code)]
pub enum Loaders {
    /// The pure-Python `SafeLoader` and, where built, the libyaml `CSafeLoader`, which must agree.
    Both,
    /// `CSafeLoader` where built (fast, for whole catalogs), else `SafeLoader`.
    Fast,
}

const SCRIPT: &str = r#"
import json, sys, yaml
data = open(sys.argv[1], 'rb').read()
fast = getattr(yaml, 'CSafeLoader', None)
if sys.argv[2] == 'fast':
    loaders = [fast or yaml.SafeLoader]
else:
    loaders = [yaml.SafeLoader] + ([fast] if fast else [])
results = [yaml.load(data, Loader=l) for l in loaders]
for r in results[1:]:
    if r != results[0]:
        sys.exit('the pure-Python and libyaml loaders disagree')
# No default=: a value JSON has no form for (a date, bytes) is an error, not a string.
sys.stdout.write(json.dumps(results[0], ensure_ascii=False))
"#;

/// Whether `python3 -c 'import yaml'` works, asked once per test binary.
fn available() -> bool {
    static CELL: OnceLock<bool> = OnceLock::new();
    *CELL.get_or_init(|| {
        Command::new("python3")
            .args(["-c", "import yaml"])
            .output()
            .is_ok_and(|o| o.status.success())
    })
}

/// `yaml` as PyYAML reads it, in the JSON form (keys in document order), or `None` when the
/// check is skipped. Panics when PyYAML refuses the text or reads something JSON cannot hold.
pub fn read(yaml: &[u8], loaders: Loaders, what: &str) -> Option<Value> {
    if !available() {
        eprintln!(
            "skipped: the PyYAML check of {what}: python3 with the yaml module is missing (pip install pyyaml)"
        );
        return None;
    }
    let file = std::env::temp_dir().join(format!(
        "oscalc-pyyaml-{}-{}.yaml",
        std::process::id(),
        what.replace(|c: char| !c.is_ascii_alphanumeric(), "_")
    ));
    std::fs::write(&file, yaml).expect("temporary YAML file");
    let mode = match loaders {
        Loaders::Both => "both",
        Loaders::Fast => "fast",
    };
    let out = Command::new("python3")
        .args(["-c", SCRIPT])
        .arg(&file)
        .arg(mode)
        .output()
        .expect("run python3");
    let _ = std::fs::remove_file(&file);
    assert!(
        out.status.success(),
        "PyYAML did not read the YAML of {what}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    Some(serde_json::from_slice(&out.stdout).expect("PyYAML's JSON"))
}

/// Asserts that PyYAML reads `yaml` as exactly the data of `json`, keys in the same order; the
/// first difference is named by its JSON pointer.
#[allow(dead_code)]
pub fn assert_same_data(yaml: &[u8], json: &[u8], loaders: Loaders, what: &str) {
    let Some(read) = read(yaml, loaders, what) else {
        return;
    };
    let expected: Value = serde_json::from_slice(json).expect("the JSON output");
    if let Some(at) = first_difference(&read, &expected, String::new()) {
        panic!("{what}: the YAML reads differently from the JSON at {at}");
    }
}

/// The pointer of the first place `a` and `b` differ (values, types, keys or their order).
fn first_difference(a: &Value, b: &Value, at: String) -> Option<String> {
    match (a, b) {
        (Value::Object(x), Value::Object(y)) => {
            let (xk, yk): (Vec<_>, Vec<_>) = (x.keys().collect(), y.keys().collect());
            if xk != yk {
                return Some(format!("{at} (keys {xk:?} against {yk:?})"));
            }
            x.iter()
                .find_map(|(k, v)| first_difference(v, &y[k], format!("{at}/{k}")))
        }
        (Value::Array(x), Value::Array(y)) if x.len() == y.len() => x
            .iter()
            .zip(y)
            .enumerate()
            .find_map(|(i, (v, w))| first_difference(v, w, format!("{at}/{i}"))),
        _ if a == b => None,
        _ => Some(format!("{at} ({a} against {b})")),
    }
}
