//! Writes `src/metaschema/oscal.json`, the built-in constraint layer, from the OSCAL Metaschema
//! modules in `tests/fixtures/metaschema/` (roots: the catalog and profile modules). Run after
//! replacing those modules with a new OSCAL release:
//!
//! ```text
//! cargo run --example metaschema_gen
//! ```
//!
//! `tests/metaschema_read.rs` fails, naming this command, while the committed file and the
//! modules disagree.

use std::path::Path;
use std::process::ExitCode;

fn main() -> ExitCode {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let modules = root.join("tests/fixtures/metaschema");
    // The reader asks only for files under the modules' folder (relative, no `..` past it).
    let files = |name: &str| std::fs::read_to_string(modules.join(name)).ok();
    let text = match oscalc::metaschema::read::oscal_json(&files) {
        Ok(text) => text,
        Err(e) => {
            eprintln!("error: {e}");
            return ExitCode::FAILURE;
        }
    };
    let out = root.join("src/metaschema/oscal.json");
    if let Err(e) = std::fs::write(&out, text) {
        eprintln!("error: cannot write {}: {e}", out.display());
        return ExitCode::FAILURE;
    }
    println!("wrote {}", out.display());
    ExitCode::SUCCESS
}
