//! The profile model's tokens: XML and JSON words are typed, and words the schema does not know
//! are kept as written (the schema check reads the typed profile back).

use oscalc::model::Document;
use oscalc::model::profile::{
    Combine, CombineMethod, Directive, InsertControls, Merge, Order, Position, Profile, YesNo,
};
use oscalc::options::Options;
use oscalc::source::SourceMap;
use serde_json::json;

const XML: &str = r#"<profile xmlns="http://csrc.nist.gov/ns/oscal/1.0" uuid="u">
  <metadata><title>t</title><last-modified>2026-01-01T00:00:00Z</last-modified><version>1</version><oscal-version>1.1.2</oscal-version></metadata>
  <import href="c.xml"><include-controls with-child-controls="yes"><with-id>a</with-id></include-controls></import>
  <import href="d.xml"><include-controls with-child-controls="maybe"><with-id>b</with-id></include-controls></import>
  <merge><combine method="mix"/><flat/></merge>
  <modify><alter control-id="a"><add position="before" by-id="a_smt"/></alter></modify>
</profile>"#;

fn from_xml() -> Profile {
    let uri = url::Url::parse("mem:///p.xml").unwrap();
    let loaded = oscalc::load::load(
        XML.as_bytes().to_vec(),
        &uri,
        &mut SourceMap::default(),
        &Options::default(),
    );
    match loaded.unwrap().doc {
        Document::Profile(p) => p,
        Document::Catalog(_) => panic!("not a profile"),
    }
}

#[test]
fn xml_tokens_are_typed_and_unknown_text_is_kept() {
    let p = from_xml();
    let child = |i: usize| p.imports[i].include_controls[0].with_child_controls.clone();
    assert_eq!(child(0), Some(YesNo::Yes));
    assert_eq!(child(1), Some(YesNo::Other("maybe".to_owned())));
    let merge = p.merge.as_ref().unwrap();
    let method = merge.combine.as_ref().unwrap().method.clone();
    assert_eq!(method, Some(CombineMethod::Other("mix".to_owned())));
    assert_eq!(merge.flat, Some(Directive(json!({}))));
    let add = &p.modify.as_ref().unwrap().alters[0].adds[0];
    assert_eq!(add.position, Some(Position::Before));
}

#[test]
fn json_tokens_round_trip_as_written() {
    let insert = json!({"order": "descending", "include-all": {}});
    let ins: InsertControls = serde_json::from_value(insert.clone()).unwrap();
    assert_eq!(ins.order, Some(Order::Descending));
    assert_eq!(serde_json::to_value(&ins).unwrap(), insert);
    // The schema check re-reads the typed profile: unknown words must come back unchanged.
    let odd = json!({"combine": {"method": "Use-First"}, "flat": {"x": 1}});
    let merge: Merge = serde_json::from_value(odd.clone()).unwrap();
    let method = merge.combine.as_ref().and_then(|c| c.method.as_ref());
    assert_eq!(method.map(CombineMethod::as_str), Some("Use-First"));
    assert_eq!(serde_json::to_value(&merge).unwrap(), odd);
    // Not a string is a load error, as with the string field before.
    let bad = serde_json::from_value::<Combine>(json!({"method": 5})).unwrap_err();
    assert!(bad.to_string().contains("expected a string"), "{bad}");
}
