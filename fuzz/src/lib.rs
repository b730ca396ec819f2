//! Entry points for the fuzz targets (one call each, so a target stays one line), written with the
//! public `oscalc::` API only; `tests/fuzz_seeds.rs` includes this file to replay the seeds on
//! stable. In: arbitrary bytes. Out: nothing; the only failure is a panic, a hang or an overflow,
//! which the fuzzer reports.

#[path = "metapath.rs"]
mod metapath;
pub use metapath::metapath;

use oscalc::source::SourceMap;
use oscalc::{MemWorld, Options};
use url::Url;

/// A small catalog the fuzzed profiles import (`cat.json`): groups, nesting, params, inserts,
/// back-matter.
pub const CATALOG: &str = include_str!("../catalog.json");

fn load(data: &[u8], name: &str) {
    let uri = MemWorld::uri(name);
    let mut sources = SourceMap::default();
    if let Ok(loaded) = oscalc::load::load(data.to_vec(), &uri, &mut sources, &Options::default()) {
        // What `validate` then runs on it: OSCAL's constraints over its compact JSON form, each
        // finding located in the text.
        let doc = oscalc::emit::check_doc(&loaded.doc);
        for d in oscalc::check::constraints::run(&doc, &[], Some(loaded.source)) {
            if let Some(span) = &d.primary {
                let _ = sources.line_col(span);
            }
        }
    }
}

/// Loads the bytes as a JSON document (whatever they hold).
pub fn load_json(data: &[u8]) {
    load(data, "doc.json");
}

/// Loads the bytes as an XML document: prefixes with `<` when they do not start with one, so
/// the fuzzer spends its time in the XML reader.
pub fn load_xml(data: &[u8]) {
    if data.first() == Some(&b'<') {
        load(data, "doc.xml");
    } else {
        let mut bytes = b"<".to_vec();
        bytes.extend_from_slice(data);
        load(&bytes, "doc.xml");
    }
}

/// Loads the bytes as a YAML document (a `.yaml` name), then locates each diagnostic's place, as
/// a report would: the YAML position walk runs on whatever text the loader refused.
pub fn load_yaml(data: &[u8]) {
    let uri = MemWorld::uri("doc.yaml");
    let mut sources = SourceMap::default();
    if let Err(found) = oscalc::load::load(data.to_vec(), &uri, &mut sources, &Options::default()) {
        for span in found.iter().filter_map(|d| d.primary.as_ref()) {
            let _ = sources.line_col(span);
        }
        // A pointer into the text, as a schema finding gives one.
        if let Some(source) = found
            .first()
            .and_then(|d| d.primary.as_ref())
            .map(|s| s.source)
        {
            let _ = sources.line_col(&oscalc::diag::Span::pointer(
                source,
                "/catalog/controls/0/id",
            ));
        }
    }
}

/// Locates places in the bytes as diagnostics do, through the per-source indexes built once
/// (`source::index`), and checks them against the plain walks they replace: the JSON pointer of
/// every value the bytes hold (when they parse), pointers spelt by the bytes' last line, and the
/// line:column of offsets spread over the text. A disagreement panics, so the fuzzer reports it.
/// (Pointers are compared only in JSON that parses: that is where diagnostics locate them.)
pub fn locate(data: &[u8]) {
    use oscalc::source::{SourceIndex, line_col};
    let index = SourceIndex::default();
    let mut pointers = Vec::new();
    // Pointers are located only in JSON that parses (a syntax error is located by offset), so
    // the two must agree there; elsewhere the index must only not fail.
    // A text with a key twice in one object has no single place for a pointer (the walk finds
    // the first, the index the last, which is the one a parsed value keeps): not compared.
    let unique = serde_json::from_slice::<UniqueKeys>(data).is_ok();
    let parsed = serde_json::from_slice::<serde_json::Value>(data)
        .ok()
        .filter(|_| unique);
    if let Some(value) = &parsed {
        collect_pointers(value, String::new(), &mut pointers);
    }
    let tail = data.rsplit(|&b| b == b'\n').next().unwrap_or_default();
    pointers.extend(
        String::from_utf8_lossy(tail)
            .split(' ')
            .filter(|p| p.starts_with('/'))
            .map(str::to_owned)
            .take(8),
    );
    for p in &pointers {
        let fast = index.json_offset(data, p);
        if let Some(value) = &parsed {
            assert_eq!(value_at(data, fast), named(value, p), "{p}");
        }
    }
    let step = (data.len() / 16).max(1);
    for offset in (0..=data.len()).step_by(step) {
        assert_eq!(
            index.line_col(data, offset),
            line_col(data, offset),
            "{offset}"
        );
    }
}

/// The JSON value that starts at `offset` of `data`.
fn value_at(data: &[u8], offset: Option<usize>) -> Option<serde_json::Value> {
    let rest = data.get(offset?..)?;
    let mut values = serde_json::Deserializer::from_slice(rest).into_iter();
    values.next()?.ok()
}

/// The value `pointer` names in `value`, or its nearest existing ancestor's (as the index
/// locates it). An escape other than `~0` and `~1` is a segment as written for the index but
/// not for `Value::pointer`: such pointers name nothing here.
fn named(value: &serde_json::Value, pointer: &str) -> Option<serde_json::Value> {
    let odd_escape = pointer
        .split('~')
        .skip(1)
        .any(|s| !s.starts_with(['0', '1']));
    let mut prefixes = std::iter::successors(Some(pointer), |p| p.rsplit_once('/').map(|(h, _)| h));
    let found = prefixes
        .find_map(|p| value.pointer(p))
        .filter(|_| !odd_escape);
    found.cloned()
}

/// A JSON value in which no object has a key twice (deserializing fails otherwise).
struct UniqueKeys;

impl<'de> serde::Deserialize<'de> for UniqueKeys {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_any(UniqueVisitor)
    }
}

struct UniqueVisitor;

impl<'de> serde::de::Visitor<'de> for UniqueVisitor {
    type Value = UniqueKeys;

    fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("JSON without duplicate keys")
    }

    fn visit_map<A: serde::de::MapAccess<'de>>(self, mut map: A) -> Result<UniqueKeys, A::Error> {
        let mut seen = indexmap::IndexSet::new();
        while let Some(key) = map.next_key::<String>()? {
            if !seen.insert(key) {
                return Err(serde::de::Error::custom("duplicate key"));
            }
            map.next_value::<UniqueKeys>()?;
        }
        Ok(UniqueKeys)
    }

    fn visit_seq<A: serde::de::SeqAccess<'de>>(self, mut seq: A) -> Result<UniqueKeys, A::Error> {
        while seq.next_element::<UniqueKeys>()?.is_some() {}
        Ok(UniqueKeys)
    }

    fn visit_bool<E>(self, _: bool) -> Result<UniqueKeys, E> {
        Ok(UniqueKeys)
    }
    fn visit_i64<E>(self, _: i64) -> Result<UniqueKeys, E> {
        Ok(UniqueKeys)
    }
    fn visit_u64<E>(self, _: u64) -> Result<UniqueKeys, E> {
        Ok(UniqueKeys)
    }
    fn visit_f64<E>(self, _: f64) -> Result<UniqueKeys, E> {
        Ok(UniqueKeys)
    }
    fn visit_str<E>(self, _: &str) -> Result<UniqueKeys, E> {
        Ok(UniqueKeys)
    }
    fn visit_unit<E>(self) -> Result<UniqueKeys, E> {
        Ok(UniqueKeys)
    }
}

/// Every value's JSON pointer, at most a few hundred.
fn collect_pointers(value: &serde_json::Value, at: String, out: &mut Vec<String>) {
    if out.len() > 300 {
        return;
    }
    let child = |k: &str| format!("{at}/{}", k.replace('~', "~0").replace('/', "~1"));
    match value {
        serde_json::Value::Object(map) => {
            for (k, v) in map {
                collect_pointers(v, child(k), out);
            }
        }
        serde_json::Value::Array(items) => {
            for (i, v) in items.iter().enumerate() {
                collect_pointers(v, child(&i.to_string()), out);
            }
        }
        _ => {}
    }
    out.push(at);
}

/// Resolves the bytes as a profile importing [`CATALOG`], then validates and emits the result in
/// both formats; also validates the bytes as a document of their own.
pub fn resolve(data: &[u8]) {
    let mut world = MemWorld::new();
    world.add("cat.json", CATALOG);
    let profile: Url = world.add("profile", data.to_vec());
    let opts = Options::default();
    if let Ok(resolved) = oscalc::resolve(&world, &profile, &opts).output {
        let _ = oscalc::validate::output(&resolved);
        let _ = oscalc::emit(&resolved, oscalc::Format::Json);
        let _ = oscalc::emit(&resolved, oscalc::Format::Xml);
    }
    let _ = oscalc::validate(&world, &profile, &opts);
}

/// Resolves the bytes as a profile importing [`CATALOG`] with provenance, then runs what readers
/// of a baseline run on it: the difference from the catalog itself, the values filled into the
/// prose in both styles (checked again as output), and the HTML, Markdown and CSV renderings,
/// each under a small output cap so that an amplifying input is refused, not built.
pub fn present(data: &[u8]) {
    use oscalc::present::{csv, html, markdown, values};
    let mut world = MemWorld::new();
    let catalog_uri = world.add("cat.json", CATALOG);
    let profile: Url = world.add("profile", data.to_vec());
    let opts = Options {
        provenance: oscalc::options::Provenance::Props,
        ..Options::default()
    };
    let Ok(resolved) = oscalc::resolve(&world, &profile, &opts).output else {
        return;
    };
    let mut sources = SourceMap::default();
    if let Ok(loaded) = oscalc::load::load(CATALOG.into(), &catalog_uri, &mut sources, &opts)
        && let oscalc::model::Document::Catalog(base) = &loaded.doc
    {
        let _ = oscalc::diff::diff(base, &resolved.catalog, &oscalc::diff::Limits::default());
    }
    let limits = html::Limits { max_bytes: 1 << 20 };
    for style in [values::Style::Nist, values::Style::Plain] {
        let mut filled = resolved.clone();
        values::fill(&mut filled.catalog, style);
        let _ = oscalc::validate::output(&filled);
    }
    let _ = html::render(&resolved.catalog, limits);
    let _ = markdown::render(&resolved.catalog, limits);
    let _ = csv::render(&resolved.catalog, limits);
}

/// Reads the bytes as a `metaschema-meta-constraints` document (`--constraints FILE`), without
/// the root element when they lack one, so the fuzzer spends its time inside the format. An
/// error's offset must lie in the bytes (the CLI turns it into line:column): one outside panics.
pub fn meta_constraints(data: &[u8]) {
    const ROOT: &[u8] =
        br#"<metaschema-meta-constraints xmlns="http://csrc.nist.gov/ns/oscal/metaschema/1.0">"#;
    let bytes = if data.starts_with(b"<") {
        data.to_vec()
    } else {
        [ROOT, data, b"</metaschema-meta-constraints>"].concat()
    };
    if let Err(e) = oscalc::metaschema::read::meta_constraints(&bytes, "constraints.xml") {
        let offset = e.offset().unwrap_or_default();
        assert!(
            offset <= bytes.len(),
            "{e}: offset past the end ({})",
            bytes.len()
        );
    }
}
