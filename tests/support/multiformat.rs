//! req-multiformat-differ: the same inputs serialized differently must resolve to the same catalog.
//!
//! In: the requirement-tests folder. Out: a copy of it in a temporary folder where every XML
//! catalog and profile is rewritten as OSCAL JSON *under the same file name* (oscalc recognises the
//! format by content, so hrefs stay valid). Files oscalc refuses to load (the spoofing fragment,
//! NIST's `<ERROR>` record) are copied unchanged.

use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use oscalc::source::SourceMap;
use oscalc::{Format, Options, emit};

/// The JSON twin of `tests/fixtures/spec-tests/requirement-tests`, made once per run.
pub fn json_twin() -> Result<&'static Path, String> {
    static TWIN: OnceLock<Result<PathBuf, String>> = OnceLock::new();
    TWIN.get_or_init(|| {
        let src = super::fixture("spec-tests/requirement-tests");
        let dst = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("json-twin");
        let _ = std::fs::remove_dir_all(&dst);
        convert_tree(&src, &dst)?;
        Ok(dst)
    })
    .as_ref()
    .map(PathBuf::as_path)
    .map_err(Clone::clone)
}

fn convert_tree(src: &Path, dst: &Path) -> Result<(), String> {
    std::fs::create_dir_all(dst).map_err(|e| format!("{}: {e}", dst.display()))?;
    let entries = std::fs::read_dir(src).map_err(|e| format!("{}: {e}", src.display()))?;
    for entry in entries.flatten() {
        let path = entry.path();
        let target = dst.join(entry.file_name());
        if path.is_dir() {
            convert_tree(&path, &target)?;
            continue;
        }
        let bytes = std::fs::read(&path).map_err(|e| format!("{}: {e}", path.display()))?;
        let out = if path.extension().is_some_and(|e| e == "xml") {
            to_json(&path, bytes.clone()).unwrap_or(bytes)
        } else {
            bytes
        };
        std::fs::write(&target, out).map_err(|e| format!("{}: {e}", target.display()))?;
    }
    Ok(())
}

fn to_json(path: &Path, bytes: Vec<u8>) -> Option<Vec<u8>> {
    let uri = url::Url::from_file_path(path).ok()?;
    let loaded =
        oscalc::load::load(bytes, &uri, &mut SourceMap::default(), &Options::default()).ok()?;
    Some(emit(&loaded.doc, Format::Json))
}
