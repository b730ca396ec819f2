//! The shipped IoT content: regenerates `catalogs/` and `profiles/` from the NIST sources under
//! `catalogs/sources/` and checks them: committed bytes, counts, prose and mappings against the
//! sources, schema validity, and resolution of every profile.

#[path = "iot/catalog.rs"]
mod catalog;
#[path = "iot/csv.rs"]
mod csv;
#[path = "iot/document.rs"]
mod document;
#[path = "iot/generate.rs"]
mod generate;
#[path = "iot/mapping.rs"]
mod mapping;
#[path = "iot/nontechnical.rs"]
mod nontechnical;
#[path = "iot/profiles.rs"]
mod profiles;
#[path = "iot/sources.rs"]
mod sources;
#[path = "iot/technical.rs"]
mod technical;
#[path = "iot/text.rs"]
mod text;

use std::path::Path;

use sources::{Sources, root};

/// Regenerates everything and compares it with the committed files; `OSCALC_BLESS=1` rewrites them.
#[test]
fn generated_content_is_committed() {
    let outputs = generate::generate(&Sources::load());
    let bless = std::env::var("OSCALC_BLESS").is_ok_and(|v| v == "1");
    let mut failures = Vec::new();
    for out in &outputs {
        let path = root().join(&out.path);
        if bless {
            write(&path, &out.text);
            continue;
        }
        let committed = std::fs::read_to_string(&path).unwrap_or_default();
        if committed != out.text {
            failures.push(format!("{}: {}", out.path, first_difference(&committed, &out.text)));
        }
    }
    assert!(failures.is_empty(), "generated files differ (OSCALC_BLESS=1 rewrites them):\n{}", failures.join("\n"));
}

fn write(path: &Path, text: &str) {
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir).unwrap_or_else(|e| panic!("{}: {e}", dir.display()));
    }
    std::fs::write(path, text).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
}

fn first_difference(committed: &str, generated: &str) -> String {
    let mut a = committed.lines();
    let mut b = generated.lines();
    for n in 1.. {
        match (a.next(), b.next()) {
            (None, None) => break,
            (x, y) if x == y => continue,
            (x, y) => {
                return format!("line {n}\n  committed: {}\n  generated: {}", x.unwrap_or("<end>"), y.unwrap_or("<end>"));
            }
        }
    }
    "line endings differ".into()
}
