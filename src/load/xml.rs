//! XML input: one walk of the tokens straight into the typed model (`crate::xml::de`), which
//! locates what it refuses: an XML problem at its byte offset, a value the model refuses
//! (`load-shape`) at its JSON pointer.

use crate::diag::{Diagnostic, SourceId, Span};
use crate::model::{Document, Profile};
use crate::options::Options;
#[cfg(test)]
use crate::source::SourceMap;
use crate::xml::de::Refused;

/// The XML reader's bounds a run's options set: nesting depth and document size.
pub(crate) fn limits(opts: &Options) -> crate::xml::XmlLimits {
    crate::xml::XmlLimits {
        max_depth: opts.max_depth,
        max_bytes: usize::try_from(opts.max_file_size).unwrap_or(usize::MAX),
    }
}

pub(super) fn load(
    bytes: &[u8],
    source: SourceId,
    opts: &Options,
) -> Result<Document, Vec<Diagnostic>> {
    let typed = crate::xml::de::typed(bytes, &limits(opts));
    let doc = typed.and_then(|typed| match typed.root() {
        "catalog" => typed.read().map(Document::Catalog),
        _ => typed.read::<Profile>().map(Document::Profile),
    });
    doc.map_err(|refused| {
        vec![match refused {
            Refused::Xml(e) => {
                Diagnostic::error(e.code, e.message).at(Span::offset(source, e.offset))
            }
            Refused::Shape { message, pointer } => {
                let path = pointer_to_path(&pointer);
                Diagnostic::error("load-shape", format!("{message} at `{path}`"))
                    .at(Span::pointer(source, pointer))
            }
        }]
    })
}

/// `/catalog/controls/3/id` → `controls[3].id` (the root left out, `.` for the root itself), as
/// serde_path_to_error writes a path: keys of the JSON form are never numbers.
fn pointer_to_path(pointer: &str) -> String {
    let mut path = String::new();
    for segment in pointer.split('/').skip(2) {
        if !segment.is_empty() && segment.bytes().all(|b| b.is_ascii_digit()) {
            path.push('[');
            path.push_str(segment);
            path.push(']');
        } else {
            if !path.is_empty() {
                path.push('.');
            }
            path.push_str(segment);
        }
    }
    if path.is_empty() {
        path.push('.');
    }
    path
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

    /// The typed read, or `None` if it refuses the document.
    fn typed_read(bytes: &[u8], limits: &XmlLimits) -> Option<Document> {
        let typed = crate::xml::de::typed(bytes, limits).ok()?;
        match typed.root() {
            "catalog" => typed.read().ok().map(Document::Catalog),
            _ => typed.read::<Profile>().ok().map(Document::Profile),
        }
    }

    /// The diagnostic of loading `doc`: code, message, and where (pointer or offset).
    fn refusal(doc: &str) -> (String, String, String) {
        let uri = url::Url::parse("file:///c.xml").expect("url");
        let mut sources = SourceMap::default();
        let diags = crate::load::load(
            doc.as_bytes().to_vec(),
            &uri,
            &mut sources,
            &Options::default(),
        )
        .expect_err("refused");
        let d = diags.first().expect("one diagnostic");
        let span = d.primary.as_ref().expect("located");
        (
            d.code.to_owned(),
            d.message.clone(),
            format!("{:?}", span.at),
        )
    }

    const HEAD: &str = r#"<catalog xmlns="http://csrc.nist.gov/ns/oscal/1.0" uuid="74c8ba1e-5cd4-4ad1-bbfd-d888e2f6c724"><metadata><title>T</title><last-modified>2024-01-01T00:00:00Z</last-modified><version>1</version><oscal-version>1.2.3</oscal-version></metadata>"#;

    #[test]
    fn refused_value_is_load_shape_at_its_pointer_in_one_walk() {
        let doc = r#"<profile xmlns="http://csrc.nist.gov/ns/oscal/1.0" uuid="74c8ba1e-5cd4-4ad1-bbfd-d888e2f6c724"><metadata><title>T</title><last-modified>2024-01-01T00:00:00Z</last-modified><version>1</version><oscal-version>1.2.3</oscal-version></metadata><import href="c.xml"><include-all/></import><merge><as-is>maybe</as-is></merge></profile>"#;
        let (code, message, at) = refusal(doc);
        assert_eq!(code, "load-shape");
        assert_eq!(
            message,
            "invalid type: string \"maybe\", expected a boolean at `merge.as-is`"
        );
        assert!(at.contains("\"/profile/merge/as-is\""), "{at}");
        let doc = format!(r#"{HEAD}<control><title>A</title></control></catalog>"#);
        let (_, message, at) = refusal(&doc);
        assert_eq!(message, "missing field `id` at `controls[0]`");
        assert!(at.contains("\"/catalog/controls/0\""), "{at}");
    }

    #[test]
    fn refused_value_in_a_document_read_as_a_value_first_is_located_the_same() {
        let doc = r#"<profile xmlns="http://csrc.nist.gov/ns/oscal/1.0" uuid="74c8ba1e-5cd4-4ad1-bbfd-d888e2f6c724"><metadata><title>T</title><last-modified>2024-01-01T00:00:00Z</last-modified><version>1</version><oscal-version>1.2.3</oscal-version><prop name="a" value="1"/><link href="h"/><prop name="b" value="2"/></metadata><import href="c.xml"><include-all/></import><merge><as-is>maybe</as-is></merge></profile>"#;
        let (code, message, at) = refusal(doc);
        assert_eq!(code, "load-shape");
        assert_eq!(
            message,
            "invalid type: string \"maybe\", expected a boolean at `merge.as-is`"
        );
        assert!(at.contains("\"/profile/merge/as-is\""), "{at}");
    }

    #[test]
    fn xml_problem_after_a_refused_value_wins() {
        let doc = format!(
            r#"{HEAD}<control><title>A</title></control><control id="b"><bogus/></control></catalog>"#
        );
        let (code, message, at) = refusal(&doc);
        assert_eq!(code, "load-xml-shape");
        assert!(message.contains("`bogus`"), "{message}");
        assert!(
            at.contains(&doc.find("<bogus").unwrap_or(0).to_string()),
            "{at}"
        );
    }

    #[test]
    fn pointer_becomes_the_path_serde_path_to_error_writes() {
        assert_eq!(pointer_to_path("/catalog"), ".");
        assert_eq!(
            pointer_to_path("/catalog/groups/0/controls/12/id"),
            "groups[0].controls[12].id"
        );
        assert_eq!(pointer_to_path("/profile/merge/as-is"), "merge.as-is");
    }

    #[test]
    fn typed_read_equals_the_value_route_on_every_test_document() {
        let mut files = Vec::new();
        xml_files(
            &Path::new(env!("CARGO_MANIFEST_DIR")).join("tests"),
            &mut files,
        );
        files.push(
            Path::new(env!("CARGO_MANIFEST_DIR"))
                .join("benches/data/rev5/NIST_SP-800-53_rev5_catalog.xml"),
        );
        let mut typed_reads = 0;
        for path in &files {
            let bytes = std::fs::read(path).expect("file");
            let quick = typed_read(&bytes, &XmlLimits::default());
            let slow = through_value(&bytes);
            if let Some(doc) = &quick {
                typed_reads += 1;
                assert_eq!(Some(doc), slow.as_ref(), "{}", path.display());
            }
            if slow.is_some() && quick.is_none() {
                panic!("{}: only the value route reads it", path.display());
            }
        }
        assert!(typed_reads > 50, "{typed_reads} of {}", files.len());
    }

    #[test]
    fn children_in_several_runs_read_as_the_value_route_reads_them() {
        let ns = "http://csrc.nist.gov/ns/oscal/1.0";
        let doc = format!(
            r#"<catalog xmlns="{ns}" uuid="74c8ba1e-5cd4-4ad1-bbfd-d888e2f6c724"><metadata><title>T</title><last-modified>2024-01-01T00:00:00Z</last-modified><version>1</version><oscal-version>1.2.3</oscal-version>
<role id="b"><title>B</title></role><party uuid="74c8ba1e-5cd4-4ad1-bbfd-d888e2f6c724" type="person"/><role id="a"><short-name>A</short-name><title>A</title></role></metadata>
<control id="c"><title>C</title><prop name="x" value="1"/><link href="h"/><prop name="y" value="2"/></control></catalog>"#
        );
        let slow = through_value(doc.as_bytes()).expect("the value route reads it");
        let mut sources = SourceMap::default();
        let uri = url::Url::parse("file:///c.xml").expect("url");
        let loaded = crate::load::load(doc.into_bytes(), &uri, &mut sources, &Options::default())
            .expect("loads");
        assert_eq!(loaded.doc, slow);
    }

    #[test]
    fn nesting_near_the_depth_limit_reads() {
        let ns = "http://csrc.nist.gov/ns/oscal/1.0";
        let depth = 70;
        let doc = format!(
            r#"<catalog xmlns="{ns}" uuid="74c8ba1e-5cd4-4ad1-bbfd-d888e2f6c724"><metadata><title>T</title><last-modified>2024-01-01T00:00:00Z</last-modified><version>1</version><oscal-version>1.2.3</oscal-version></metadata>{}{}</catalog>"#,
            r#"<group><title>G</title>"#.repeat(depth),
            "</group>".repeat(depth)
        );
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
    fn typed_read_never_disagrees_with_the_value_route_on_damaged_documents() {
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
                if let Some(quick) = typed_read(&doc, &XmlLimits::default()) {
                    checked += 1;
                    assert_eq!(Some(quick), through_value(&doc), "byte {at}: {replace:?}");
                }
            }
        }
        assert!(checked > 100, "{checked}");
    }
}
