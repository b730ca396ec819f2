//! XML input: `crate::xml` gives the OSCAL JSON form plus positions; serde types it.

use crate::diag::{Diagnostic, SourceId, Span};
use crate::model::{Document, Profile};
use crate::options::Options;
use crate::source::SourceMap;
use serde_json::Value;

pub(super) fn load(
    bytes: &[u8],
    source: SourceId,
    sources: &mut SourceMap,
    opts: &Options,
) -> Result<Document, Vec<Diagnostic>> {
    let limits = crate::xml::XmlLimits {
        max_depth: opts.max_depth,
        max_bytes: usize::try_from(opts.max_file_size).unwrap_or(usize::MAX),
    };
    let read = crate::xml::read(bytes, &limits).map_err(|e| {
        vec![Diagnostic::error(e.code, e.message.clone()).at(Span::offset(source, e.offset))]
    })?;
    if let Some(src) = sources.get_mut(source) {
        src.xml_positions = read.positions;
    }
    let mut value = read.value;
    drop_foreign_attributes(&mut value);
    let root = read.root;
    let typed = match root {
        "catalog" => serde_path_to_error::deserialize(value).map(Document::Catalog),
        _ => serde_path_to_error::deserialize::<_, Profile>(value).map(Document::Profile),
    };
    typed.map_err(|e| {
        let pointer = format!("/{root}{}", path_to_pointer(&e.path().to_string()));
        vec![
            Diagnostic::error("load-shape", format!("{} at `{}`", e.inner(), e.path()))
                .at(Span::pointer(source, pointer)),
        ]
    })
}

/// `xsi:schemaLocation` and other namespaced attributes are not OSCAL content.
fn drop_foreign_attributes(v: &mut Value) {
    match v {
        Value::Object(map) => {
            // Rare: checking first spares a retain (a pass that moves entries) per object.
            if map.keys().any(|k| k.contains(':')) {
                map.retain(|k, _| !k.contains(':'));
            }
            map.values_mut().for_each(drop_foreign_attributes);
        }
        Value::Array(items) => items.iter_mut().for_each(drop_foreign_attributes),
        _ => {}
    }
}

/// serde_path_to_error's `a.b[3].c` → `/a/b/3/c`.
pub(crate) fn path_to_pointer(path: &str) -> String {
    if path == "." {
        return String::new();
    }
    let mut out = String::new();
    for seg in path.split('.') {
        let (name, rest) = seg.split_once('[').unwrap_or((seg, ""));
        if !name.is_empty() {
            out.push('/');
            out.push_str(name);
        }
        for idx in rest.split('[') {
            let idx = idx.trim_end_matches(']');
            if !idx.is_empty() {
                out.push('/');
                out.push_str(idx);
            }
        }
    }
    out
}
