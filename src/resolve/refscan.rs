//! Reference scanning on the typed model (req-prune-ref): the ids that kept content names, found
//! by the typed walk ([`crate::model::visit`]) without building the content's JSON form. Strings
//! are scanned with [`super::refs::scan_text`]; a `depends-on` value is taken whole.

use super::refs::scan_text;
use crate::model::visit::{self, Node, Walk};
use indexmap::IndexSet;

/// Collects every referenced id in `v` (markup in either form).
pub fn collect<T: Walk + ?Sized>(v: &T, out: &mut IndexSet<String>) {
    visit::walk(v, &mut |_, node| match node {
        // A param's deprecated depends-on names another param.
        Node::DependsOn(s) => {
            out.insert(s.to_owned());
        }
        Node::Text(s) => scan_text(s, out),
        Node::Markup(m) => scan_text(m.raw(), out),
        Node::Id(..) | Node::Uuid(_) | Node::Link(..) => {}
    });
}

#[cfg(test)]
mod tests {
    use indexmap::IndexSet;
    use serde_json::Value;

    /// The reference scan over a JSON value of the content: the oracle the typed walk must match.
    fn collect_value(v: &Value, out: &mut IndexSet<String>) {
        match v {
            Value::String(s) => super::super::refs::scan_text(s, out),
            Value::Array(a) => a.iter().for_each(|x| collect_value(x, out)),
            Value::Object(m) => {
                for (k, x) in m {
                    match (k.as_str(), x) {
                        ("depends-on", Value::String(s)) => {
                            out.insert(s.clone());
                        }
                        _ => collect_value(x, out),
                    }
                }
            }
            _ => {}
        }
    }

    use super::*;
    use crate::model::{Catalog, Document};

    fn rev4_catalog(ext: &str) -> Catalog {
        let p = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join(format!(
            "tests/fixtures/sp800-53-rev4/nist.gov/SP800-53/rev4/{ext}/NIST_SP-800-53_rev4_catalog.{ext}"
        ));
        let bytes = std::fs::read(p).expect("fixture");
        let uri = url::Url::parse(&format!("file:///c.{ext}")).expect("url");
        let mut sources = crate::source::SourceMap::default();
        let loaded = crate::load::load(bytes, &uri, &mut sources, &crate::Options::default())
            .expect("loads");
        match loaded.doc {
            Document::Catalog(c) => c,
            Document::Profile(_) => panic!("a catalog"),
        }
    }

    #[test]
    fn scan_finds_what_collect_finds_on_the_json_form() {
        for ext in ["json", "xml"] {
            let c = rev4_catalog(ext);
            let mut direct = IndexSet::new();
            collect(&c, &mut direct);
            let mut via_value = IndexSet::new();
            collect_value(&serde_json::to_value(&c).expect("value"), &mut via_value);
            assert!(
                direct.len() > 100,
                "{ext}: only {} references",
                direct.len()
            );
            assert_eq!(direct, via_value, "{ext}");
        }
    }

    #[test]
    fn depends_on_value_is_taken_whole() {
        let v = serde_json::json!({"params": [{"id": "p1", "depends-on": "p 2 #x"}]});
        let mut out = IndexSet::new();
        collect(&v, &mut out);
        let got: Vec<&str> = out.iter().map(String::as_str).collect();
        assert_eq!(got, ["p 2 #x"]);
    }
}
