//! The XML writer through its public entry (`oscalc::xml::write`): round trips through the
//! reader, the fixed layout, markup and Markdown, kept attributes, and the errors and limits of
//! documents that have no XML form, given typed or as JSON-form values.

use oscalc::model::{Catalog, Markup, MarkupLine, Profile};
use oscalc::xml::{XmlLimits, read, write};
use serde_json::{Value, json};

fn round_trip(bytes: &[u8]) {
    let first = read(bytes, &XmlLimits::default()).unwrap_or_else(|e| panic!("{e}"));
    let text = write(first.root, &first.value).unwrap_or_else(|e| panic!("{e}"));
    let again = read(text.as_bytes(), &XmlLimits::default()).unwrap_or_else(|e| panic!("{e}"));
    let a = serde_json::to_string_pretty(&first.value).unwrap_or_default();
    let b = serde_json::to_string_pretty(&again.value).unwrap_or_default();
    assert!(a == b, "before:\n{a}\nafter:\n{b}");
    // Writing is deterministic and a fixed point after one round.
    assert_eq!(write(again.root, &again.value).ok(), Some(text));
}

#[test]
fn fixtures_round_trip() {
    round_trip(include_bytes!(
        "../fixtures/xml/NIST_SP-800-53_rev5_LOW-baseline_profile.xml"
    ));
    round_trip(include_bytes!("../fixtures/xml/loose-parameters.xml"));
    round_trip(include_bytes!(
        "../fixtures/xml/req-modify-alter-remove-match1.xml"
    ));
}

#[test]
fn typed_errors_are_the_value_errors() {
    let mut c: Catalog = serde_json::from_value(json!({"uuid": "c", "metadata": {
            "title": "T", "last-modified": "x", "version": "1", "oscal-version": "1"}}))
    .unwrap_or_else(|e| panic!("{e}"));
    c.metadata.roles.push(json!({"id": "r", "extra": {"x": 1}}));
    c.metadata.title = MarkupLine(Markup::Xml("<p>open".to_owned()));
    let value = serde_json::to_value(&c).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(write("catalog", &c), write("catalog", &value));
    let Err(e) = write("catalog", &c) else {
        panic!("wrote a bad fragment")
    };
    assert!(e.message.contains("/catalog/metadata/title: markup"), "{e}");
    c.metadata.title = MarkupLine(Markup::markdown("T"));
    assert_eq!(write("catalog", &c), write("catalog", &value_of(&c)));
    let Err(e) = write("catalog", &c) else {
        panic!("wrote an unknown key")
    };
    assert!(e.message.contains("/catalog/metadata/roles/0/extra"), "{e}");
}

#[test]
fn deep_typed_documents_are_a_limit_error_not_a_crash() {
    let group = json!({"id": "g", "title": "G"});
    let mut c: Catalog = serde_json::from_value(json!({"uuid": "c", "metadata": {
            "title": "T", "last-modified": "x", "version": "1", "oscal-version": "1"},
            "groups": [group.clone()]}))
    .unwrap_or_else(|e| panic!("{e}"));
    let leaf: oscalc::model::Group =
        serde_json::from_value(group).unwrap_or_else(|e| panic!("{e}"));
    let mut deep = leaf.clone();
    for _ in 0..300 {
        let mut parent = leaf.clone();
        parent.groups.push(deep);
        deep = parent;
    }
    c.groups = vec![deep];
    let outcome = std::thread::Builder::new()
        .stack_size(2 << 20)
        .spawn(move || {
            let code = write("catalog", &c).err().map(|e| e.code);
            std::mem::forget(c);
            code
        })
        .map(|t| t.join());
    assert!(matches!(outcome, Ok(Ok(Some("emit-limit")))), "{outcome:?}");
}

fn value_of(c: &Catalog) -> Value {
    serde_json::to_value(c).unwrap_or_else(|e| panic!("{e}"))
}

#[test]
fn output_layout_is_fixed() {
    let value = json!({
        "uuid": "p",
        "metadata": {"title": {"$xml": "T &amp; <em>U</em>"}, "version": "1",
                     "remarks": {"$xml": "<p>a</p><ul><li>b</li></ul>"}},
        "imports": [{"include-controls": [{"with-ids": ["a", "b"]}], "href": "c.xml"}],
        "merge": {"as-is": true},
        "back-matter": {"resources": [{"uuid": "r", "rlinks": [{"href": "x&y.xml"}]}]}
    });
    let expected = r#"<?xml version="1.0" encoding="UTF-8"?>
<profile xmlns="http://csrc.nist.gov/ns/oscal/1.0" uuid="p">
  <metadata>
    <title>T &amp; <em>U</em></title>
    <version>1</version>
    <remarks>
      <p>a</p>
      <ul><li>b</li></ul>
    </remarks>
  </metadata>
  <import href="c.xml">
    <include-controls>
      <with-id>a</with-id>
      <with-id>b</with-id>
    </include-controls>
  </import>
  <merge>
    <as-is>true</as-is>
  </merge>
  <back-matter>
    <resource uuid="r">
      <rlink href="x&amp;y.xml"/>
    </resource>
  </back-matter>
</profile>
"#;
    assert_eq!(write("profile", &value).ok().as_deref(), Some(expected));
}

#[test]
fn part_prose_is_written_unwrapped_between_props_and_parts() {
    let value = json!({"uuid": "c", "controls": [{"id": "a", "title": {"$xml": "A"}, "parts": [{
        "name": "s", "props": [{"name": "n", "value": "v"}],
        "prose": {"$xml": "<p>x</p>\n<p>y<br/></p>"}, "parts": [{"name": "i"}]
    }]}]});
    let text = write("catalog", &value).unwrap_or_default();
    let part = "<part name=\"s\">\n      <prop name=\"n\" value=\"v\"/>\n      <p>x</p>\n      \
                    <p>y<br/></p>\n      <part name=\"i\"/>\n    </part>";
    assert!(text.contains(part), "{text}");
}

#[test]
fn markdown_strings_go_through_the_markdown_converter() {
    let value = json!({"uuid": "c", "metadata": {"title": "A & B", "remarks": "A & B"}});
    let text = write("catalog", &value).unwrap_or_default();
    assert!(text.contains("<title>A &amp; B</title>"), "{text}");
    assert!(
        text.contains("<remarks>\n      <p>A &amp; B</p>\n    </remarks>"),
        "{text}"
    );
}

#[test]
fn unknown_scalar_keys_become_attributes_after_the_flags() {
    let value = json!({"uuid": "p", "imports": [{"href": "c.xml", "include-controls": [
        {"with-parent-controls": "yes", "with-child-controls": "no", "with-ids": ["a"]}
    ]}]});
    let text = write("profile", &value).unwrap_or_default();
    assert!(
        text.contains("<include-controls with-child-controls=\"no\" with-parent-controls=\"yes\">"),
        "{text}"
    );
}

#[test]
fn attribute_values_survive_whitespace_normalization() {
    let value = json!({"uuid": "c", "params": [{"id": "p", "class": "a\tb\nc \"d\" <e>"}]});
    let text = write("catalog", &value).unwrap_or_default();
    let back = read(text.as_bytes(), &XmlLimits::default()).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(back.value["params"][0]["class"], "a\tb\nc \"d\" <e>");
}

fn write_error(root: &str, value: &Value) -> String {
    match write(root, value) {
        Ok(text) => panic!("wrote {text}"),
        Err(e) => {
            assert_eq!(e.code, "emit-xml-shape", "{e}");
            e.message
        }
    }
}

#[test]
fn values_that_do_not_fit_the_binding_are_errors() {
    let m = write_error("catalog", &json!({"uuid": "c", "controls": {"id": "a"}}));
    assert!(m.contains("/catalog/controls"), "{m}");
    let m = write_error(
        "catalog",
        &json!({"uuid": "c", "controls": [{"id": "a", "extra": {"x": 1}}]}),
    );
    assert!(m.contains("/catalog/controls/0/extra"), "{m}");
    let m = write_error("catalog", &json!({"uuid": ["c"]}));
    assert!(m.contains("/catalog/uuid"), "{m}");
    write_error("system-security-plan", &json!({}));
    write_error("catalog", &json!([]));
}

#[test]
fn bad_markup_fragments_are_errors() {
    let bad = [
        json!({"$xml": "<p>open"}),
        json!({"$xml": "<script>x</script>"}),
        json!({"$xml": "a &ent; b"}),
        json!({"$xml": "</p>"}),
        json!({"$xml": "x", "more": 1}),
        json!(7),
    ];
    for title in bad {
        let value = json!({"uuid": "c", "metadata": {"title": title}});
        let m = write_error("catalog", &value);
        assert!(m.contains("/catalog/metadata/title"), "{m}");
    }
}

#[test]
fn deep_values_are_a_limit_error_not_a_crash() {
    let mut group = json!({"id": "g"});
    for _ in 0..300 {
        group = json!({"id": "g", "groups": [group]});
    }
    let value = json!({"uuid": "c", "groups": [group]});
    let outcome = std::thread::Builder::new()
        .stack_size(2 << 20)
        .spawn(move || {
            let code = write("catalog", &value).err().map(|e| e.code);
            // Dropping a deep value recurses too; keep it out of this thread's budget.
            std::mem::forget(value);
            code
        })
        .map(|t| t.join());
    assert!(matches!(outcome, Ok(Ok(Some("emit-limit")))), "{outcome:?}");
}

/// The typed walk, which streams the model's fields as they come, against the same document as
/// a value, whose maps are collected and taken in schema order.
fn typed_matches_value<T>(root: &str, typed: &T)
where
    T: serde::Serialize + std::fmt::Debug,
{
    let value = serde_json::to_value(typed).unwrap_or_else(|e| panic!("{e}"));
    let expected = write(root, &value).unwrap_or_else(|e| panic!("{e}"));
    match write(root, typed) {
        Ok(text) => assert!(text == expected, "typed:\n{text}\nvalue:\n{expected}"),
        Err(e) => panic!("{root}: {e}"),
    }
}

fn typed_round_trip(bytes: &[u8]) {
    let read = read(bytes, &XmlLimits::default()).unwrap_or_else(|e| panic!("{e}"));
    match read.root {
        "catalog" => {
            let c: Catalog = serde_json::from_value(read.value).unwrap_or_else(|e| panic!("{e}"));
            typed_matches_value("catalog", &c);
        }
        _ => {
            let p: Profile = serde_json::from_value(read.value).unwrap_or_else(|e| panic!("{e}"));
            typed_matches_value("profile", &p);
        }
    }
}

#[test]
fn typed_documents_write_as_their_values_do() {
    typed_round_trip(include_bytes!(
        "../fixtures/xml/NIST_SP-800-53_rev5_LOW-baseline_profile.xml"
    ));
    typed_round_trip(include_bytes!("../fixtures/xml/loose-parameters.xml"));
    typed_round_trip(include_bytes!(
        "../fixtures/xml/req-modify-alter-remove-match1.xml"
    ));
    let catalog = std::fs::read(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/benches/data/rev5/NIST_SP-800-53_rev5_catalog.xml"
    ))
    .unwrap_or_else(|e| panic!("{e}"));
    typed_round_trip(&catalog);
}

#[test]
fn typed_markdown_and_untyped_fields_are_written_like_values() {
    let profile: Profile = serde_json::from_value(json!({
        "uuid": "p",
        "metadata": {"title": "A *b* & c", "last-modified": "2024-01-01T00:00:00Z",
            "version": "1", "oscal-version": "1.2.3",
            "roles": [{"title": {"$xml": "R <em>1</em>"}, "id": "r"}],
            "revisions": [{"version": "2", "title": "Old"}],
            "remarks": "one\n\ntwo"},
        "imports": [{"href": "c.xml", "include-controls": [
            {"with-parent-controls": "yes", "with-child-controls": "no", "with-ids": ["a"]}]}],
        "merge": {"as-is": true, "flat": {}},
        "modify": {"set-parameters": [{"param-id": "x", "values": ["1 < 2"],
            "guidelines": [{"prose": {"$xml": "<p>g</p>"}}]}]},
        "back-matter": {"resources": [{"uuid": "u", "rlinks": [{"href": "h",
            "hashes": [{"value": "00", "algorithm": "SHA-256"}]}],
            "base64": {"value": "AA==", "filename": "f"}}]}
    }))
    .unwrap_or_else(|e| panic!("{e}"));
    typed_matches_value("profile", &profile);
}
