//! XML input: tokens straight into the typed model (`crate::xml::de`); a document that fails
//! is read again into the OSCAL JSON form (`crate::xml::read`) and typed by
//! serde_path_to_error, which locates the problem.

use crate::diag::{Diagnostic, SourceId, Span};
use crate::model::{Document, Profile};
use crate::options::Options;
#[cfg(test)]
use crate::source::SourceMap;
use serde_json::Value;

pub(super) fn load(
    bytes: &[u8],
    source: SourceId,
    opts: &Options,
) -> Result<Document, Vec<Diagnostic>> {
    let limits = crate::xml::XmlLimits {
        max_depth: opts.max_depth,
        max_bytes: usize::try_from(opts.max_file_size).unwrap_or(usize::MAX),
    };
    if let Some(doc) = fast(bytes, &limits) {
        return Ok(doc);
    }
    let read = crate::xml::read(bytes, &limits).map_err(|e| {
        vec![Diagnostic::error(e.code, e.message.clone()).at(Span::offset(source, e.offset))]
    })?;
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

/// The document read without a `Value` of it or a path; `None` on any problem, which the slow
/// read then words and locates.
fn fast(bytes: &[u8], limits: &crate::xml::XmlLimits) -> Option<Document> {
    let typed = crate::xml::de::typed(bytes, limits).ok()?;
    match typed.root() {
        "catalog" => typed.read().ok().map(Document::Catalog),
        _ => typed.read::<Profile>().ok().map(Document::Profile),
    }
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::Catalog;
    use crate::xml::XmlLimits;
    use std::path::{Path, PathBuf};

    /// The typed document through the `Value` route, or `None` if that route refuses it.
    fn through_value(bytes: &[u8]) -> Option<Document> {
        let read = crate::xml::read(bytes, &XmlLimits::default()).ok()?;
        match read.root {
            "catalog" => serde_json::from_value::<Catalog>(read.value)
                .ok()
                .map(Document::Catalog),
            _ => serde_json::from_value::<Profile>(read.value)
                .ok()
                .map(Document::Profile),
        }
    }

    fn xml_files(dir: &Path, out: &mut Vec<PathBuf>) {
        for entry in std::fs::read_dir(dir).expect("dir").flatten() {
            let path = entry.path();
            if path.is_dir() {
                xml_files(&path, out);
            } else if path.extension().is_some_and(|e| e == "xml") {
                out.push(path);
            }
        }
    }

    #[test]
    fn fast_read_equals_the_value_route_on_every_test_document() {
        let mut files = Vec::new();
        xml_files(
            &Path::new(env!("CARGO_MANIFEST_DIR")).join("tests"),
            &mut files,
        );
        files.push(
            Path::new(env!("CARGO_MANIFEST_DIR"))
                .join("benches/data/rev5/NIST_SP-800-53_rev5_catalog.xml"),
        );
        let mut fast_reads = 0;
        for path in &files {
            let bytes = std::fs::read(path).expect("file");
            let quick = fast(&bytes, &XmlLimits::default());
            let slow = through_value(&bytes);
            if let Some(doc) = &quick {
                fast_reads += 1;
                assert_eq!(Some(doc), slow.as_ref(), "{}", path.display());
            }
            if slow.is_some() && quick.is_none() {
                panic!("{}: only the slow route reads it", path.display());
            }
        }
        assert!(fast_reads > 50, "{fast_reads} of {}", files.len());
    }

    #[test]
    fn out_of_order_children_fall_back_and_read_as_before() {
        let ns = "http://csrc.nist.gov/ns/oscal/1.0";
        let doc = format!(
            r#"<catalog xmlns="{ns}" uuid="74c8ba1e-5cd4-4ad1-bbfd-d888e2f6c724"><metadata><title>T</title><last-modified>2024-01-01T00:00:00Z</last-modified><version>1</version><oscal-version>1.2.3</oscal-version>
<role id="b"><title>B</title></role><party uuid="74c8ba1e-5cd4-4ad1-bbfd-d888e2f6c724" type="person"/><role id="a"><short-name>A</short-name><title>A</title></role></metadata>
<control id="c"><title>C</title><prop name="x" value="1"/><link href="h"/><prop name="y" value="2"/></control></catalog>"#
        );
        let slow = through_value(doc.as_bytes()).expect("the value route reads it");
        assert!(fast(doc.as_bytes(), &XmlLimits::default()).is_none());
        let mut sources = SourceMap::default();
        let uri = url::Url::parse("file:///c.xml").expect("url");
        let loaded = crate::load::load(doc.into_bytes(), &uri, &mut sources, &Options::default())
            .expect("loads");
        assert_eq!(loaded.doc, slow);
    }

    #[test]
    fn nesting_past_the_fast_read_depth_falls_back() {
        let ns = "http://csrc.nist.gov/ns/oscal/1.0";
        let depth = 70;
        let doc = format!(
            r#"<catalog xmlns="{ns}" uuid="74c8ba1e-5cd4-4ad1-bbfd-d888e2f6c724"><metadata><title>T</title><last-modified>2024-01-01T00:00:00Z</last-modified><version>1</version><oscal-version>1.2.3</oscal-version></metadata>{}{}</catalog>"#,
            r#"<group><title>G</title>"#.repeat(depth),
            "</group>".repeat(depth)
        );
        assert!(fast(doc.as_bytes(), &XmlLimits::default()).is_none());
        let slow = through_value(doc.as_bytes()).expect("the value route reads it");
        let mut sources = SourceMap::default();
        let uri = url::Url::parse("file:///c.xml").expect("url");
        let loaded = crate::load::load(doc.into_bytes(), &uri, &mut sources, &Options::default())
            .expect("loads");
        assert_eq!(loaded.doc, slow);
    }

    /// A document with a bit of everything the binding maps: flags, grouped and repeated
    /// children, fields with flags, booleans, markup and unwrapped prose.
    const SAMPLE: &str = r#"<profile xmlns="http://csrc.nist.gov/ns/oscal/1.0" uuid="74c8ba1e-5cd4-4ad1-bbfd-d888e2f6c724">
<metadata><title>P <em>x</em></title><last-modified>2024-01-01T00:00:00Z</last-modified><version>1</version><oscal-version>1.2.3</oscal-version>
<revisions><revision><version>0</version></revision></revisions><document-id scheme="s">d</document-id>
<prop name="n" value="v"><remarks><p>r</p></remarks></prop><role id="r"><title>R</title></role></metadata>
<import href="c.xml"><include-controls with-child-controls="yes"><with-id>a</with-id><with-id>b</with-id></include-controls></import>
<merge><as-is>true</as-is></merge>
<modify><set-parameter param-id="p"><value>1</value></set-parameter>
<alter control-id="a"><add position="ending"><part name="n"><p>one &amp; <b>two</b></p><ul><li>3</li></ul></part></add></alter></modify>
</profile>"#;

    #[test]
    fn fast_read_never_disagrees_with_the_value_route_on_damaged_documents() {
        let bytes = SAMPLE.as_bytes();
        let mut checked = 0;
        for at in 0..bytes.len() {
            for replace in [None, Some(b'<'), Some(b'x'), Some(b'"')] {
                let mut doc = bytes.to_vec();
                match replace {
                    None => {
                        doc.remove(at);
                    }
                    Some(b) => doc[at] = b,
                }
                if let Some(quick) = fast(&doc, &XmlLimits::default()) {
                    checked += 1;
                    assert_eq!(Some(quick), through_value(&doc), "byte {at}: {replace:?}");
                }
            }
        }
        assert!(checked > 100, "{checked}");
    }
}
