//! req-multiformat-differ: the same inputs serialized differently must resolve to the same catalog.
//!
//! In: the requirement-tests folder. Out: copies of it in temporary folders (its twins) where
//! every XML catalog and profile is rewritten as OSCAL JSON, or as OSCAL YAML, *under the same file
//! name* (oscalc recognises the format by content: JSON by its `{`, YAML as a mapping with a
//! `catalog` or `profile` key, so hrefs stay valid). Files oscalc refuses to load (the spoofing
//! fragment, NIST's `<ERROR>` record) are copied unchanged.
//!
//! Also the SP 800-53 rev4 catalog and baselines as YAML ([`rev4_yaml`]), for the golden trials.

use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use oscalc::source::SourceMap;
use oscalc::{Format, Options, emit};

/// The JSON twin of `tests/fixtures/spec-tests/requirement-tests`, made once per run.
pub fn json_twin() -> Result<&'static Path, String> {
    static TWIN: OnceLock<Result<PathBuf, String>> = OnceLock::new();
    TWIN.get_or_init(|| make_twin(Format::Json, "json-twin"))
        .as_ref()
        .map(PathBuf::as_path)
        .map_err(Clone::clone)
}

/// The YAML twin of `tests/fixtures/spec-tests/requirement-tests`, made once per run.
pub fn yaml_twin() -> Result<&'static Path, String> {
    static TWIN: OnceLock<Result<PathBuf, String>> = OnceLock::new();
    TWIN.get_or_init(|| make_twin(Format::Yaml, "yaml-twin"))
        .as_ref()
        .map(PathBuf::as_path)
        .map_err(Clone::clone)
}

fn make_twin(format: Format, folder: &str) -> Result<PathBuf, String> {
    let src = super::fixture("spec-tests/requirement-tests");
    let dst = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join(folder);
    let _ = std::fs::remove_dir_all(&dst);
    convert_tree(&src, &dst, format)?;
    Ok(dst)
}

fn convert_tree(src: &Path, dst: &Path, format: Format) -> Result<(), String> {
    std::fs::create_dir_all(dst).map_err(|e| format!("{}: {e}", dst.display()))?;
    let entries = std::fs::read_dir(src).map_err(|e| format!("{}: {e}", src.display()))?;
    for entry in entries.flatten() {
        let path = entry.path();
        let target = dst.join(entry.file_name());
        if path.is_dir() {
            convert_tree(&path, &target, format)?;
            continue;
        }
        let bytes = std::fs::read(&path).map_err(|e| format!("{}: {e}", path.display()))?;
        let out = if path.extension().is_some_and(|e| e == "xml") {
            convert(&path, bytes.clone(), format).unwrap_or(bytes)
        } else {
            bytes
        };
        std::fs::write(&target, out).map_err(|e| format!("{}: {e}", target.display()))?;
    }
    Ok(())
}

fn convert(path: &Path, bytes: Vec<u8>, format: Format) -> Option<Vec<u8>> {
    let uri = url::Url::from_file_path(path).ok()?;
    let loaded =
        oscalc::load::load(bytes, &uri, &mut SourceMap::default(), &Options::default()).ok()?;
    Some(emit(&loaded.doc, format))
}

/// The file names of the rev4 fixtures turned into YAML by [`rev4_yaml`].
pub const REV4_CATALOG: &str = "NIST_SP-800-53_rev4_catalog";

/// The SP 800-53 rev4 catalog and the LOW, MODERATE and HIGH baseline profiles written as YAML
/// by oscalc's emitter into one temporary folder, made once per run: `<stem>.yaml` beside the
/// JSON fixtures' stems. Each YAML text reads, for PyYAML (an independent reader), as exactly
/// the data of oscalc's JSON output of the same document (skipped, saying so, without PyYAML).
/// Each profile's import, a `#uuid` pointing at a back-matter resource whose first rlink is the
/// XML catalog, is rewritten in the YAML text to `NIST_SP-800-53_rev4_catalog.yaml`, so the
/// profile resolves against the YAML catalog and nothing else.
pub fn rev4_yaml() -> Result<&'static Path, String> {
    static DIR: OnceLock<Result<PathBuf, String>> = OnceLock::new();
    DIR.get_or_init(make_rev4_yaml)
        .as_ref()
        .map(PathBuf::as_path)
        .map_err(Clone::clone)
}

fn make_rev4_yaml() -> Result<PathBuf, String> {
    let src = super::fixture("sp800-53-rev4/nist.gov/SP800-53/rev4/json");
    let dst = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("rev4-yaml");
    let _ = std::fs::remove_dir_all(&dst);
    std::fs::create_dir_all(&dst).map_err(|e| format!("{}: {e}", dst.display()))?;
    let stems = [REV4_CATALOG.to_owned()].into_iter().chain(
        ["LOW", "MODERATE", "HIGH"]
            .map(|level| format!("NIST_SP-800-53_rev4_{level}-baseline_profile")),
    );
    for stem in stems {
        let path = src.join(format!("{stem}.json"));
        let bytes = std::fs::read(&path).map_err(|e| format!("{}: {e}", path.display()))?;
        let uri = url::Url::from_file_path(&path).map_err(|()| path.display().to_string())?;
        let loaded =
            oscalc::load::load(bytes, &uri, &mut SourceMap::default(), &Options::default())
                .map_err(|d| format!("{}: {d:?}", path.display()))?;
        let yaml = emit(&loaded.doc, Format::Yaml);
        let json = emit(&loaded.doc, Format::Json);
        super::pyyaml::assert_same_data(&yaml, &json, super::pyyaml::Loaders::Fast, &stem);
        let yaml = if stem == REV4_CATALOG {
            yaml
        } else {
            point_import_at_yaml_catalog(&yaml, &stem)?
        };
        let target = dst.join(format!("{stem}.yaml"));
        std::fs::write(&target, yaml).map_err(|e| format!("{}: {e}", target.display()))?;
    }
    Ok(dst)
}

/// The rev4 baselines import `#f52e1458-…`, the back-matter resource of the catalog: that href,
/// as the YAML emitter quotes it (a plain `#` would start a comment), becomes the YAML catalog's
/// file name. Exactly one import must be rewritten.
fn point_import_at_yaml_catalog(yaml: &[u8], stem: &str) -> Result<Vec<u8>, String> {
    const RESOURCE: &str = "#f52e1458-7a97-49fd-8189-6af6a4e7051b";
    let text = std::str::from_utf8(yaml).map_err(|e| format!("{stem}: {e}"))?;
    let (single, double) = (
        format!("href: '{RESOURCE}'"),
        format!("href: \"{RESOURCE}\""),
    );
    let quoted = [single, double]
        .into_iter()
        .find(|q| text.matches(q.as_str()).count() == 1)
        .ok_or_else(|| format!("{stem}: no single `href: '{RESOURCE}'` in the YAML text"))?;
    Ok(text
        .replace(&quoted, &format!("href: {REV4_CATALOG}.yaml"))
        .into_bytes())
}
