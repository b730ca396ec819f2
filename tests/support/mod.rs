//! Helpers shared by the data-driven suites of `tests/data.rs`: where the fixtures are, the two
//! catalog comparators (XML after NIST's scrub, JSON after the same blanking), the bundled-schema
//! check, the ratchet lists of `tests/conformance/`, and the one bridge to the library's API.
//!
//! Everything here reads files with `std::fs` directly: these are tests, not the library, and the
//! fixtures are part of the repository.

// Each test binary that includes this module uses only part of it.
#![allow(dead_code)]

pub mod broken;
pub mod compare;
pub mod multiformat;
pub mod options;
pub mod pyyaml;
pub mod ratchet;
pub mod report;
pub mod run;
pub mod schema;
pub mod scrub;

use std::path::{Path, PathBuf};

/// Root of the repository (the crate's manifest directory).
pub fn repo_root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

/// `tests/fixtures/<rel>`.
pub fn fixture(rel: &str) -> PathBuf {
    repo_root().join("tests/fixtures").join(rel)
}

/// Reads a UTF-8 file, with the path in the error.
pub fn read(path: &Path) -> Result<String, String> {
    std::fs::read_to_string(path).map_err(|e| format!("cannot read {}: {e}", path.display()))
}

/// Files in `dir` whose name ends with `suffix`, sorted by name.
pub fn files_ending(dir: &Path, suffix: &str) -> Vec<PathBuf> {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return Vec::new();
    };
    let mut files: Vec<PathBuf> = entries
        .filter_map(Result::ok)
        .map(|entry| entry.path())
        .filter(|path| {
            path.is_file()
                && path
                    .file_name()
                    .and_then(|n| n.to_str())
                    .is_some_and(|n| n.ends_with(suffix))
        })
        .collect();
    files.sort();
    files
}
