//! The constraint check (`metaschema::check`) and its document tree (`metaschema::tree`) on a
//! small hand-built schema: one test per constraint kind and per semantic the Metaschema README
//! lists (pooled allowed-values, namespaces, keys, index-has-key after the whole document),
//! with the code, level, pointer and message of each finding.

use oscalc::metaschema::check::{Compiled, Finding};
use oscalc::metaschema::json::Json;
use oscalc::metaschema::model::{
    Child, Constraint, Context, Def, DefKind, Group, KeyField, Kind, Level, MetaConstraints, Schema,
};
use oscalc::metaschema::path::Node;
use oscalc::metaschema::tree::Tree;
use serde_json::{Value, json};

const OSCAL: &str = "http://csrc.nist.gov/ns/oscal";

fn def(name: &str, kind: DefKind) -> Def {
    Def {
        name: name.to_owned(),
        module: "test_metaschema.xml".to_owned(),
        kind,
        as_type: None,
        default: None,
        flags: Vec::new(),
        children: Vec::new(),
        json_value_key: None,
        json_value_key_flag: None,
        constraints: Vec::new(),
    }
}

fn child(name: &str, key: &str, group: Group, def: u32) -> Child {
    Child {
        name: name.to_owned(),
        json_key: key.to_owned(),
        group,
        def,
    }
}

fn flag(name: &str, def: u32) -> Child {
    child(name, name, Group::Single, def)
}

fn rule(id: &str, target: &str, kind: Kind) -> Constraint {
    Constraint {
        id: (!id.is_empty()).then(|| id.to_owned()),
        level: Level::Error,
        target: target.to_owned(),
        kind,
        message: None,
        help: None,
        lets: Vec::new(),
    }
}

fn allowed(values: &[&str], allow_other: bool) -> Kind {
    Kind::AllowedValues {
        values: values
            .iter()
            .map(|v| ((*v).to_owned(), String::new()))
            .collect(),
        allow_other,
    }
}

fn key(target: &str, pattern: Option<&str>) -> KeyField {
    KeyField {
        target: target.to_owned(),
        pattern: pattern.map(str::to_owned),
    }
}

const CATALOG: u32 = 0;
const STR: u32 = 1;
const NS: u32 = 2;
const CONTROL: u32 = 3;
const PROP: u32 = 4;
const PART: u32 = 5;
const LINK: u32 = 6;
const BACK: u32 = 7;
const RESOURCE: u32 = 8;
const PARAM: u32 = 9;
const HASH: u32 = 10;
const TITLE: u32 = 11;
const DOCID: u32 = 12;

/// A catalog-like schema: controls with props, parts, links and params; back-matter resources
/// with hashes; a field with flags (`document-id`) and fields keyed by a flag (`hashes`).
fn schema() -> Schema {
    let mut defs = vec![
        def("catalog", DefKind::Assembly),
        def("string", DefKind::Flag),
        def("ns", DefKind::Flag),
        def("control", DefKind::Assembly),
        def("property", DefKind::Assembly),
        def("part", DefKind::Assembly),
        def("link", DefKind::Assembly),
        def("back-matter", DefKind::Assembly),
        def("resource", DefKind::Assembly),
        def("parameter", DefKind::Assembly),
        def("hash", DefKind::Field),
        def("title", DefKind::Field),
        def("document-id", DefKind::Field),
    ];
    defs[NS as usize].default = Some(OSCAL.to_owned());
    defs[CATALOG as usize].flags = vec![flag("uuid", STR)];
    defs[CATALOG as usize].children = vec![
        child("control", "controls", Group::Array, CONTROL),
        child("document-id", "document-ids", Group::Array, DOCID),
        child("back-matter", "back-matter", Group::Single, BACK),
    ];
    defs[CONTROL as usize].flags = vec![flag("id", STR)];
    defs[CONTROL as usize].children = vec![
        child("title", "title", Group::Single, TITLE),
        child("param", "params", Group::Array, PARAM),
        child("prop", "props", Group::Array, PROP),
        child("link", "links", Group::Array, LINK),
        child("part", "parts", Group::Array, PART),
        child("control", "controls", Group::Array, CONTROL),
    ];
    defs[PROP as usize].flags = vec![flag("name", STR), flag("ns", NS), flag("value", STR)];
    defs[PART as usize].flags = vec![flag("id", STR), flag("name", STR), flag("ns", NS)];
    defs[PART as usize].children = vec![
        child("prop", "props", Group::Array, PROP),
        child("part", "parts", Group::Array, PART),
    ];
    defs[LINK as usize].flags = vec![flag("href", STR), flag("rel", STR)];
    defs[BACK as usize].children = vec![child("resource", "resources", Group::Array, RESOURCE)];
    defs[RESOURCE as usize].flags = vec![flag("uuid", STR)];
    defs[RESOURCE as usize].children = vec![child(
        "hash",
        "hashes",
        Group::ByKey("algorithm".to_owned()),
        HASH,
    )];
    defs[PARAM as usize].flags = vec![flag("id", STR), flag("depends-on", STR)];
    defs[HASH as usize].flags = vec![flag("algorithm", STR)];
    defs[HASH as usize].json_value_key = Some("value".to_owned());
    defs[DOCID as usize].flags = vec![flag("scheme", STR)];
    defs[DOCID as usize].json_value_key = Some("identifier".to_owned());

    let in_oscal = format!("has-oscal-namespace('{OSCAL}')");
    defs[CONTROL as usize].constraints = vec![
        rule(
            "control-prop-name",
            &format!("prop[{in_oscal}]/@name"),
            allowed(&["label", "status"], false),
        ),
        rule(
            "control-part-name",
            &format!("part[{in_oscal}]/@name"),
            allowed(&["statement", "guidance"], false),
        ),
        rule(
            "control-statement-part-name",
            &format!(".//part[{in_oscal}]/@name"),
            allowed(&["objective"], false),
        ),
        rule(
            "control-part-class",
            "part/@id",
            allowed(&["anything"], true),
        ),
        rule(
            "control-link-index",
            "link[starts-with(@href,'#')]",
            Kind::IndexHasKey {
                name: "index-resources".to_owned(),
                keys: vec![key("@href", Some("#(.*)"))],
            },
        ),
        rule(
            "control-statement",
            ".",
            Kind::Expect {
                test: "part[@name='statement']".to_owned(),
            },
        ),
        rule(
            "control-one-link",
            "link",
            Kind::HasCardinality {
                min: None,
                max: Some(1),
            },
        ),
    ];
    defs[PROP as usize].constraints = vec![rule(
        "prop-name",
        &format!(".[{in_oscal}]/@name"),
        allowed(&["marking"], false),
    )];
    defs[PART as usize].constraints = vec![rule(
        "statement-item",
        &format!(".[@name='statement']/part[{in_oscal}]/@name"),
        allowed(&["item"], false),
    )];
    defs[CATALOG as usize].constraints = vec![
        rule(
            "catalog-ids",
            "//(control|part)",
            Kind::Index {
                name: "index-ids".to_owned(),
                keys: vec![key("@id", None)],
            },
        ),
        rule(
            "unique-doc-id",
            "document-id",
            Kind::IsUnique {
                keys: vec![key("@scheme", None), key(".", None)],
            },
        ),
    ];
    defs[BACK as usize].constraints = vec![rule(
        "index-resources",
        "resource",
        Kind::Index {
            name: "index-resources".to_owned(),
            keys: vec![key("@uuid", None)],
        },
    )];
    defs[HASH as usize].constraints = vec![rule(
        "hash-256",
        ".[@algorithm=('SHA-256','SHA3-256')]",
        Kind::Matches {
            regex: Some("[0-9a-fA-F]{64}".to_owned()),
            datatype: None,
        },
    )];
    let mut depends = rule(
        "param-depends-on",
        ".",
        Kind::Expect {
            test: "not(exists(@depends-on))".to_owned(),
        },
    );
    depends.message = Some("param { @id } depends on { @depends-on }".to_owned());
    depends.level = Level::Warning;
    defs[PARAM as usize].constraints = vec![depends];
    Schema {
        defs,
        roots: vec![("catalog".to_owned(), CATALOG)],
    }
}

/// A control with a statement, nothing wrong.
fn good() -> Value {
    json!({"id": "c1", "parts": [{"id": "c1_smt", "name": "statement"}]})
}

fn check(controls: Value, extra: Value) -> Vec<Finding> {
    let schema = schema();
    let compiled = Compiled::new(&schema, &[]).expect("the test schema compiles");
    let mut doc = json!({"uuid": "u", "controls": controls});
    if let (Value::Object(d), Value::Object(e)) = (&mut doc, extra) {
        d.extend(e);
    }
    compiled.check(&Json::of(&json!({ "catalog": doc })))
}

/// `code pointer` of each finding.
fn short(found: &[Finding]) -> Vec<String> {
    found
        .iter()
        .map(|f| format!("{} {}", f.code, f.pointer))
        .collect()
}

#[test]
fn tree_maps_keys_groups_and_pointers() {
    let schema = schema();
    let doc = json!({"catalog": {
        "uuid": "u",
        "controls": [{"id": "a/b~c", "title": "T", "unknown": 1}],
        "document-ids": [{"scheme": "s", "identifier": "X"}],
        "back-matter": {"resources": [{"uuid": "r1", "hashes": {"SHA-256": "ab"}}]}
    }});
    let doc = Json::of(&doc);
    let tree = Tree::new(&schema, &doc);
    let names: Vec<String> = tree
        .in_order()
        .map(|n| {
            format!(
                "{}{}={}",
                if n.is_flag() { "@" } else { "" },
                n.name(),
                n.value().unwrap_or_default()
            )
        })
        .collect();
    assert_eq!(
        names,
        [
            "=",
            "catalog=",
            "@uuid=u",
            "control=",
            "@id=a/b~c",
            "title=T",
            "document-id=X",
            "@scheme=s",
            "back-matter=",
            "resource=",
            "@uuid=r1",
            "hash=ab",
            "@algorithm=SHA-256"
        ]
    );
    let pointers: Vec<String> = tree.in_order().map(|n| n.pointer()).collect();
    assert_eq!(pointers[4], "/catalog/controls/0/id");
    assert_eq!(pointers[5], "/catalog/controls/0/title");
    assert_eq!(
        pointers[11],
        "/catalog/back-matter/resources/0/hashes/SHA-256"
    );
    assert_eq!(
        pointers[12],
        "/catalog/back-matter/resources/0/hashes/SHA-256"
    );
    let control = tree.in_order().nth(3).unwrap();
    assert_eq!(control.parent().unwrap().name(), "catalog");
    assert_eq!(control.flags().len(), 1);
    assert_eq!(control.children().len(), 1);
    // A flag's declared default is reachable from its owner.
    let prop_doc =
        json!({"catalog": {"controls": [{"id": "x", "props": [{"name": "n", "value": "v"}]}]}});
    let prop_doc = Json::of(&prop_doc);
    let tree = Tree::new(&schema, &prop_doc);
    let prop = tree.in_order().find(|n| n.name() == "prop").unwrap();
    assert_eq!(prop.flag_default("ns"), Some(OSCAL));
    assert_eq!(prop.flag_default("name"), None);
}

/// Markup read from XML travels as `{"$xml": …}` in the check's JSON form: the tree gives it
/// as Markdown, converted when read, as the Markdown form of the same document would.
#[test]
fn tree_reads_markup_in_its_xml_form_as_markdown() {
    let schema = schema();
    let xml = json!({"catalog": {"controls": [{"id": "c", "title": {"$xml": "A <em>b</em>"}}]}});
    let md = json!({"catalog": {"controls": [{"id": "c", "title": "A *b*"}]}});
    let titles = |doc: &Value| -> Vec<String> {
        let doc = Json::of(&doc);
        let tree = Tree::new(&schema, &doc);
        tree.in_order()
            .filter(|n| n.name() == "title")
            .map(|n| n.value().unwrap_or_default().into_owned())
            .collect()
    };
    assert_eq!(titles(&xml), ["A *b*"]);
    assert_eq!(titles(&xml), titles(&md));
    // Any other object where a field's value belongs is no value.
    let odd = json!({"catalog": {"controls": [{"id": "c", "title": {"$xml": 1}}]}});
    assert_eq!(titles(&odd), [""]);
}

/// Descendants come from the tree's document-order ranges: every model node below, in order,
/// no flags, and nothing past the subtree.
#[test]
fn tree_descendants_are_the_subtree_in_document_order() {
    let schema = schema();
    let doc = json!({"catalog": {"controls": [
        {"id": "a", "parts": [{"id": "a1", "parts": [{"id": "a1x"}]}, {"id": "a2"}],
         "controls": [{"id": "a.1", "parts": [{"id": "a.1p"}]}]},
        {"id": "b", "parts": [{"id": "b1"}]}
    ]}});
    let doc = Json::of(&doc);
    let tree = Tree::new(&schema, &doc);
    let a = tree
        .in_order()
        .find(|n| n.flag_value("id").as_deref() == Some("a"))
        .unwrap();
    let ids: Vec<String> = a
        .descendants(&mut |_| true)
        .iter()
        .map(|n| format!("{}:{}", n.name(), n.flag_value("id").unwrap_or_default()))
        .collect();
    assert_eq!(
        ids,
        ["part:a1", "part:a1x", "part:a2", "control:a.1", "part:a.1p"]
    );
    let parts = a.descendants(&mut |n| n.name() == "part");
    assert_eq!(parts.len(), 4);
    let root_all = tree.root().descendants(&mut |_| true);
    assert_eq!(
        root_all.len(),
        tree.in_order().filter(|n| !n.is_flag()).count() - 1
    );
}

#[test]
fn tree_of_deep_document_is_built_without_recursion() {
    let schema = schema();
    let mut part = json!({"name": "x"});
    // Built by hand: `json!` would serialize the inner value, recursively.
    let wrap = |inner: Value| {
        let mut m = serde_json::Map::new();
        m.insert("name".to_owned(), json!("x"));
        m.insert("parts".to_owned(), Value::Array(vec![inner]));
        Value::Object(m)
    };
    for _ in 0..100_000 {
        part = wrap(part);
    }
    let mut control = wrap(part);
    control["id"] = json!("c");
    let mut doc = serde_json::Map::new();
    doc.insert("controls".to_owned(), Value::Array(vec![control]));
    let mut root = serde_json::Map::new();
    root.insert("catalog".to_owned(), Value::Object(doc));
    let value = Value::Object(root);
    // Serializing it recurses (as for any document: the loaders bound their depth), so its JSON
    // form is made on a thread with room for that; the tree is built here.
    let doc = std::thread::scope(|s| {
        std::thread::Builder::new()
            .stack_size(1 << 30)
            .spawn_scoped(s, || Json::of(&value))
            .unwrap()
            .join()
            .unwrap()
    });
    let tree = Tree::new(&schema, &doc);
    // document, catalog, control and its id, then a part and its name per level
    assert_eq!(tree.len(), 4 + 2 * 100_001);
    let deepest = tree.in_order().last().unwrap();
    assert_eq!(deepest.name(), "name");
    assert!(deepest.pointer().ends_with("/parts/0/parts/0/name"));
    drop(tree);
    std::mem::forget(value); // dropping a 100 000 deep Value recurses: not what is tested here
}

#[test]
fn clean_catalog_gives_no_finding() {
    let found = check(json!([good()]), json!({}));
    assert_eq!(short(&found), Vec::<String>::new());
}

#[test]
fn allowed_values_closed_list_reports_value_once_with_every_closed_list() {
    let found = check(
        json!([{"id": "c1", "parts": [{"id": "p", "name": "statement"}, {"id": "q", "name": "bogus"}]}]),
        json!({}),
    );
    assert_eq!(
        short(&found),
        ["oscal:control-part-name /catalog/controls/0/parts/1/name"]
    );
    let f = &found[0];
    assert_eq!(f.level, Level::Error);
    assert_eq!(f.kind, "allowed-values");
    assert_eq!(
        f.message,
        "value `bogus` of `part/@name` is not allowed: expected one of `statement`, `guidance`, \
         `objective` (`control-part-name`, `control-statement-part-name`)"
    );
    assert_eq!(f.fingerprint, "allowed-values||part/@name=bogus");
}

#[test]
fn allowed_values_pool_lists_that_select_one_node() {
    // `objective` comes from the descendant list, `item` from the statement's own list: each
    // passes although other closed lists select the same node.
    let found = check(
        json!([{"id": "c1", "parts": [
            {"id": "s", "name": "statement", "parts": [{"id": "i", "name": "item"}]},
            {"id": "o", "name": "objective"}
        ]}]),
        json!({}),
    );
    assert_eq!(short(&found), Vec::<String>::new());
    // `item` outside a statement: only the lists without it select it.
    let found = check(
        json!([{"id": "c1", "parts": [
            {"id": "s", "name": "statement"},
            {"id": "g", "name": "guidance", "parts": [{"id": "i", "name": "item"}]}
        ]}]),
        json!({}),
    );
    assert_eq!(
        short(&found),
        ["oscal:control-statement-part-name /catalog/controls/0/parts/1/parts/0/name"]
    );
}

#[test]
fn allowed_values_open_list_never_fires() {
    let found = check(
        json!([{"id": "c1", "parts": [{"id": "zzz", "name": "statement"}]}]),
        json!({}),
    );
    assert_eq!(short(&found), Vec::<String>::new());
}

#[test]
fn allowed_values_foreign_namespace_takes_a_prop_out() {
    let props = |ns: Option<&str>| {
        let mut p = json!({"name": "priority", "value": "P1"});
        if let Some(ns) = ns {
            p["ns"] = json!(ns);
        }
        json!([{"id": "c1", "props": [p], "parts": [{"id": "s", "name": "statement"}]}])
    };
    assert_eq!(
        short(&check(props(Some("https://example.com/ns")), json!({}))),
        Vec::<String>::new()
    );
    let found = check(props(None), json!({}));
    assert_eq!(
        short(&found),
        ["oscal:control-prop-name /catalog/controls/0/props/0/name"]
    );
    assert!(
        found[0].message.contains("`label`, `status`, `marking`"),
        "{}",
        found[0].message
    );
    assert_eq!(
        found[0].hint.as_deref(),
        Some(
            "without `ns` a prop is in the OSCAL namespace, where only these names are defined; \
             give a name of your own an `ns` of your own"
        )
    );
    // With the OSCAL namespace written out, the name is as wrong but the advice is not given.
    let found = check(props(Some(OSCAL)), json!({}));
    assert_eq!(short(&found).len(), 1);
    assert_eq!(found[0].hint, None);
}

#[test]
fn matches_regex_is_whole_value_on_by_key_fields() {
    let hash = |v: &str| json!({"back-matter": {"resources": [{"uuid": "r", "hashes": {"SHA-256": v, "MD5": "x"}}]}});
    let good_hash = "a".repeat(64);
    assert_eq!(
        short(&check(json!([good()]), hash(&good_hash))),
        Vec::<String>::new()
    );
    let found = check(json!([good()]), hash(&format!("{good_hash}0")));
    assert_eq!(
        short(&found),
        ["oscal:hash-256 /catalog/back-matter/resources/0/hashes/SHA-256"]
    );
    assert_eq!(
        found[0].message,
        format!("value `{good_hash}0` of `hash` does not match `[0-9a-fA-F]{{64}}`")
    );
}

#[test]
fn is_unique_reports_the_later_duplicate_tuple() {
    let found = check(
        json!([good()]),
        json!({"document-ids": [
            {"scheme": "a", "identifier": "X"},
            {"scheme": "b", "identifier": "X"},
            {"scheme": "a", "identifier": "X"}
        ]}),
    );
    assert_eq!(
        short(&found),
        ["oscal:unique-doc-id /catalog/document-ids/2"]
    );
    assert_eq!(
        found[0].message,
        "`document-id` with key `a, X` is not unique in `catalog`"
    );
    assert_eq!(found[0].fingerprint, "is-unique|unique-doc-id|a\u{1f}X");
}

#[test]
fn index_reports_duplicate_ids_across_kinds_and_skips_absent_keys() {
    let found = check(
        json!([
            {"id": "c1", "parts": [{"id": "c2", "name": "statement"}, {"name": "guidance"}, {"name": "guidance"}]},
            {"id": "c2", "parts": [{"id": "c2_smt", "name": "statement"}]}
        ]),
        json!({}),
    );
    assert_eq!(short(&found), ["oscal:catalog-ids /catalog/controls/1"]);
    assert_eq!(
        found[0].message,
        "`control` with key `c2` is already in index `index-ids`"
    );
}

#[test]
fn index_has_key_after_the_whole_document_and_without_the_index() {
    let controls = json!([{"id": "c1", "links": [{"href": "#r1"}], "parts": [{"id": "s", "name": "statement"}]}]);
    // The resource comes after the link in the document: still found.
    let back = json!({"back-matter": {"resources": [{"uuid": "r1"}]}});
    assert_eq!(short(&check(controls.clone(), back)), Vec::<String>::new());
    let back = json!({"back-matter": {"resources": [{"uuid": "r2"}]}});
    let found = check(controls.clone(), back);
    assert_eq!(
        short(&found),
        ["oscal:control-link-index /catalog/controls/0/links/0"]
    );
    assert_eq!(
        found[0].message,
        "`link` key `r1` is not in index `index-resources`"
    );
    let found = check(controls, json!({}));
    assert_eq!(
        short(&found),
        ["oscal:control-link-index /catalog/controls/0/links/0"]
    );
    assert!(
        found[0].message.contains("no index `index-resources`"),
        "{}",
        found[0].message
    );
}

#[test]
fn has_cardinality_reports_on_the_context_node() {
    let found = check(
        json!([{"id": "c1", "links": [{"href": "https://a"}, {"href": "https://b"}], "parts": [{"id": "s", "name": "statement"}]}]),
        json!({}),
    );
    assert_eq!(
        short(&found),
        ["oscal:control-one-link /catalog/controls/0"]
    );
    assert_eq!(
        found[0].message,
        "control `c1` has 2 of `link`, expected at most 1"
    );
    assert_eq!(
        found[0].fingerprint,
        "has-cardinality|control-one-link|control=c1"
    );
}

#[test]
fn expect_reports_each_target_with_the_declared_message() {
    let found = check(
        json!([
            {"id": "c1", "title": "no statement"},
            {"id": "c2", "params": [{"id": "c2_prm_1", "depends-on": "c2_prm_2"}], "parts": [{"id": "s", "name": "statement"}]}
        ]),
        json!({}),
    );
    assert_eq!(
        short(&found),
        [
            "oscal:control-statement /catalog/controls/0",
            "oscal:param-depends-on /catalog/controls/1/params/0"
        ]
    );
    assert_eq!(
        found[0].message,
        "control `c1` does not satisfy `part[@name='statement']`"
    );
    assert_eq!(found[0].fingerprint, "expect|control-statement|control=c1");
    assert_eq!(found[1].message, "param c2_prm_1 depends on c2_prm_2");
    assert_eq!(found[1].level, Level::Warning);
    assert_eq!(
        found[1].fingerprint,
        "expect|param-depends-on|param=c2_prm_1"
    );
}

#[test]
fn findings_come_in_document_order() {
    let found = check(
        json!([
            {"id": "c1", "props": [{"name": "x", "value": "1"}]},
            {"id": "c1", "parts": [{"id": "s", "name": "statement"}]}
        ]),
        json!({}),
    );
    assert_eq!(
        short(&found),
        [
            "oscal:control-statement /catalog/controls/0",
            "oscal:control-prop-name /catalog/controls/0/props/0/name",
            "oscal:catalog-ids /catalog/controls/1"
        ]
    );
}

#[test]
fn external_context_applies_constraints_where_its_path_points() {
    let schema = schema();
    let mut unnamed = rule(
        "",
        "@id",
        Kind::Matches {
            regex: Some("[a-z]{2}-[0-9]+".to_owned()),
            datatype: None,
        },
    );
    unnamed.level = Level::Informational;
    let set = MetaConstraints {
        source: "agency.xml".to_owned(),
        contexts: vec![Context {
            targets: vec!["/catalog".to_owned()],
            constraints: Vec::new(),
            contexts: vec![Context {
                targets: vec!["control".to_owned()],
                constraints: vec![unnamed],
                contexts: Vec::new(),
            }],
        }],
    };
    let compiled = Compiled::new(&schema, &[set]).unwrap();
    let doc = json!({"catalog": {"controls": [
        {"id": "ac-1", "parts": [{"id": "s", "name": "statement"}]},
        {"id": "AC_2", "parts": [{"id": "t", "name": "statement"}]}
    ]}});
    let found = compiled.check(&Json::of(&doc));
    assert_eq!(short(&found), ["oscal:matches /catalog/controls/1/id"]);
    assert_eq!(found[0].level, Level::Informational);
    assert_eq!(
        found[0].message,
        "value `AC_2` of `control/@id` does not match `[a-z]{2}-[0-9]+` (matches on `@id`)"
    );
}

#[test]
fn bad_expression_in_external_set_names_file_and_constraint() {
    let schema = schema();
    let bad = rule(
        "agency-1",
        "control[",
        Kind::Expect {
            test: ".".to_owned(),
        },
    );
    let regex = rule(
        "agency-2",
        ".",
        Kind::Matches {
            regex: Some("(".to_owned()),
            datatype: None,
        },
    );
    let set = MetaConstraints {
        source: "agency.xml".to_owned(),
        contexts: vec![Context {
            targets: vec!["/catalog".to_owned()],
            constraints: vec![bad, regex],
            contexts: Vec::new(),
        }],
    };
    let errors = Compiled::new(&schema, &[set]).unwrap_err();
    assert_eq!(errors.len(), 2);
    assert_eq!(errors[0].file, "agency.xml");
    assert_eq!(errors[0].constraint.as_deref(), Some("agency-1"));
    assert_eq!(errors[0].what, "target");
    assert!(
        errors[0]
            .to_string()
            .starts_with("agency.xml: constraint `agency-1`: target `control[`"),
        "{}",
        errors[0]
    );
    assert_eq!(errors[1].what, "regex");
}

/// An external set from a context at `/catalog` with `constraints`.
fn set(constraints: Vec<Constraint>) -> MetaConstraints {
    MetaConstraints {
        source: "agency.xml".to_owned(),
        contexts: vec![Context {
            targets: vec!["/catalog".to_owned()],
            constraints,
            contexts: Vec::new(),
        }],
    }
}

#[test]
fn quadratic_external_set_stops_at_the_visit_bound_with_one_finding() {
    let schema = schema();
    // For every node, every node: quadratic in the document.
    let everywhere = rule(
        "every",
        "//*",
        Kind::Expect {
            test: "count(//*) > 0".to_owned(),
        },
    );
    let compiled = Compiled::new(&schema, &[set(vec![everywhere])])
        .unwrap()
        .with_visits_per_node(2);
    let controls: Vec<Value> = (0..300).map(|i| json!({"id": format!("c{i}")})).collect();
    let found = compiled.check(&Json::of(&json!({"catalog": {"controls": controls}})));
    let stops: Vec<&Finding> = found
        .iter()
        .filter(|f| f.code == "constraints-eval")
        .collect();
    assert_eq!(stops.len(), 1, "{:?}", short(&found));
    assert_eq!(stops[0].level, Level::Error);
    assert_eq!(stops[0].kind, "limit");
    // document, catalog, 300 controls with their ids: 602 nodes, a bound of 2 × (602 + 1000).
    assert_eq!(
        stops[0].message,
        "the constraint check stopped after visiting 3204 nodes (2 per node of the document): \
         its findings are incomplete"
    );
    assert_eq!(found.last().map(|f| f.code), Some("constraints-eval"));
}

#[test]
fn constraint_that_fails_to_evaluate_is_reported_once_and_not_run_again() {
    let schema = schema();
    let unbound = rule(
        "agency-unbound",
        "control",
        Kind::Expect {
            test: "$nothing".to_owned(),
        },
    );
    let compiled = Compiled::new(&schema, &[set(vec![unbound])]).unwrap();
    let found = compiled.check(&Json::of(&json!({"catalog": {"controls": [
        {"id": "a", "parts": [{"id": "a_smt", "name": "statement"}]},
        {"id": "b", "parts": [{"id": "b_smt", "name": "statement"}]}
    ]}})));
    assert_eq!(short(&found), ["constraints-eval /catalog"]);
    assert_eq!(
        found[0].message,
        "constraint `agency-unbound` could not be evaluated on `catalog`: variable `$nothing` is not bound"
    );
}

#[test]
fn lets_bind_variables_for_the_constraint() {
    let schema = schema();
    let mut only = rule(
        "agency-known-ids",
        "control",
        Kind::Expect {
            test: "@id = $ids".to_owned(),
        },
    );
    only.lets = vec![("ids".to_owned(), "('a', 'b')".to_owned())];
    let compiled = Compiled::new(&schema, &[set(vec![only])]).unwrap();
    let found = compiled.check(&Json::of(&json!({"catalog": {"controls": [
        {"id": "a", "parts": [{"id": "a_smt", "name": "statement"}]},
        {"id": "z", "parts": [{"id": "z_smt", "name": "statement"}]}
    ]}})));
    assert_eq!(
        short(&found),
        ["oscal:agency-known-ids /catalog/controls/1"]
    );
    assert_eq!(
        found[0].message,
        "control `z` does not satisfy `@id = $ids`"
    );
}

#[test]
fn builtin_constraints_compile_with_their_codes_and_help() {
    use oscalc::check::constraints::{codes, describe, diagnostic, findings, known};
    let codes = codes(&[]);
    // 92 constraints; four index/index-has-key pairs and two allowed-values pairs share an id.
    assert_eq!(codes.len(), 86, "{codes:?}");
    assert!(known("oscal:oscal-parameter-depends-on-deprecated", &[]));
    assert!(!known("oscal:nothing", &[]));
    assert_eq!(
        describe("oscal:oscal-unique-metadata-responsible-party", &[]).as_deref(),
        Some(
            "Since responsible-party associates multiple party-uuid entries with a single role-id, \
             each role-id must be referenced only once."
        )
    );
    // Without a declared help text: the message, else the kind and the target.
    assert_eq!(
        describe("oscal:oscal-parameter-depends-on-deprecated", &[]).as_deref(),
        Some("depends-on is deprecated")
    );
    assert_eq!(
        describe("oscal:oscal-check-hash-length-SHA2-3-256", &[]).as_deref(),
        Some("matches on `.[@algorithm=('SHA-256','SHA3-256')]`")
    );
    let doc = json!({"catalog": {
        "uuid": "8bd5f2a4-6a6b-4f7c-9a43-2b4f7cbbd7a4",
        "metadata": {"title": "T", "last-modified": "2024-01-01T00:00:00Z", "version": "1",
                     "oscal-version": "1.2.3"},
        "controls": [{"id": "c1", "title": "One", "params": [{"id": "p", "depends-on": "q"}],
                      "parts": [{"id": "c1_smt", "name": "statement"}]}]
    }});
    let found = findings(&Json::of(&doc), &[]);
    assert_eq!(
        short(&found),
        ["oscal:oscal-parameter-depends-on-deprecated /catalog/controls/0/params/0"]
    );
    let d = diagnostic(&found[0], None);
    assert_eq!(d.severity, oscalc::diag::Severity::Error);
    assert_eq!(d.message, "depends-on is deprecated");
    let mut warning = found[0].clone();
    warning.level = Level::Informational;
    let d = diagnostic(&warning, None);
    assert_eq!(d.severity, oscalc::diag::Severity::Warning);
    assert_eq!(d.message, "informational: depends-on is deprecated");
}

#[test]
fn external_set_that_does_not_compile_is_an_error_beside_the_builtin_findings() {
    use oscalc::check::constraints::{compile, run};
    use std::sync::Arc;
    let bad = rule(
        "agency-1",
        "doc('x')",
        Kind::Expect {
            test: ".".to_owned(),
        },
    );
    let extra = [Arc::new(set(vec![bad]))];
    let errors = compile(&extra).unwrap_err();
    assert_eq!(errors.len(), 1);
    assert_eq!(errors[0].code, "constraints-invalid");
    assert!(
        errors[0]
            .message
            .starts_with("agency.xml: constraint `agency-1`: target `doc('x')`: "),
        "{}",
        errors[0].message
    );
    let doc = json!({"catalog": {"controls": [{"id": "c1", "params": [{"id": "p", "depends-on": "q"}],
        "parts": [{"id": "s", "name": "statement"}]}]}});
    let codes: Vec<&str> = run(&Json::of(&doc), &extra, None)
        .iter()
        .map(|d| d.code)
        .collect();
    assert_eq!(
        codes,
        [
            "constraints-invalid",
            "oscal:oscal-parameter-depends-on-deprecated"
        ]
    );
}

#[test]
fn odd_shapes_are_skipped_not_misread() {
    // Wrong JSON types where the schema wants others: skipped by the tree (the schema check
    // reports them), never a panic and never a finding on a value that is not there.
    let found = check(
        json!([
            {"id": 7, "parts": {"name": "statement"}, "props": "x", "links": [1, null, [], {"href": ["#r"]}]},
            {"id": true, "parts": [{"id": {"a": 1}, "name": "guidance"}]},
            "not a control",
            null
        ]),
        json!({"back-matter": [], "document-ids": [{"scheme": "s", "identifier": {"x": 1}}, 5]}),
    );
    // The first control's `parts` object is read as its one part, a statement; of its links
    // only the object is a link. The second has no statement; its id is the JSON `true`. The
    // string and the null are no controls at all.
    assert_eq!(
        short(&found),
        ["oscal:control-statement /catalog/controls/1"]
    );
    assert_eq!(
        found[0].fingerprint,
        "expect|control-statement|control=true"
    );
    let schema = schema();
    let compiled = Compiled::new(&schema, &[]).unwrap();
    for doc in [
        json!(null),
        json!([]),
        json!({"catalog": 3}),
        json!({"profile": {}}),
        json!({}),
    ] {
        assert_eq!(
            compiled.check(&Json::of(&doc)),
            Vec::<Finding>::new(),
            "{doc}"
        );
    }
}

/// The compact JSON form read back as a `serde_json::Value`.
fn to_value(j: oscalc::metaschema::json::JsonRef<'_>) -> Value {
    use oscalc::metaschema::json::Scalar;
    if j.is_object() {
        Value::Object(
            j.members()
                .map(|(k, v)| (k.to_owned(), to_value(v)))
                .collect(),
        )
    } else if j.is_array() {
        Value::Array(j.items().map(to_value).collect())
    } else {
        match j.scalar() {
            Some(Scalar::Str(s)) => json!(s),
            Some(Scalar::Num(n)) => serde_json::from_str(n).unwrap(),
            Some(Scalar::Bool(b)) => json!(b),
            None => Value::Null,
        }
    }
}

/// The check's compact JSON form holds what `serde_json` makes of the same document: the rev4
/// catalog read from XML (markup kept as read, `{"$xml": …}`), and values of every JSON kind.
#[test]
fn compact_json_form_is_what_serde_json_makes() {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join(
        "tests/fixtures/sp800-53-rev4/nist.gov/SP800-53/rev4/xml/NIST_SP-800-53_rev4_catalog.xml",
    );
    let bytes = std::fs::read(&path).unwrap();
    let uri = url::Url::from_file_path(&path).unwrap();
    let mut sources = oscalc::source::SourceMap::default();
    let loaded =
        oscalc::load::load(bytes, &uri, &mut sources, &oscalc::Options::default()).unwrap();
    let oscalc::model::Document::Catalog(catalog) = &loaded.doc else {
        panic!("a catalog")
    };
    let expected = json!({ "catalog": serde_json::to_value(catalog).unwrap() });
    let compact = oscalc::emit::check_doc(&loaded.doc);
    let got = to_value(compact.root());
    assert!(
        got == expected,
        "the compact form differs from serde_json's"
    );
    assert!(
        expected.to_string().contains("\"$xml\""),
        "markup kept as read"
    );
    let odd =
        json!({"a": [1, -2, 2.5, 1e300, true, false, null, "", {}], "b": {"c": [[]]}, "": "x"});
    assert_eq!(to_value(Json::of(&odd).root()), odd);
    // A value without a JSON form (a map key that is no string) is null, as for serde_json.
    let unfit: std::collections::BTreeMap<(u8, u8), u8> = [((1, 2), 3)].into_iter().collect();
    assert!(serde_json::to_value(&unfit).is_err());
    assert_eq!(to_value(Json::of(&unfit).root()), Value::Null);
}

/// The sets of a run (`--constraints`) are compiled once, however many documents are checked:
/// the same `Arc`s give the same compiled set; other sets are compiled anew.
#[test]
fn added_sets_are_compiled_once_for_the_same_arcs() {
    use oscalc::check::constraints::compile;
    use std::sync::Arc;
    let a = vec![Arc::new(set(Vec::new()))];
    let first = compile(&a).unwrap();
    assert!(Arc::ptr_eq(&first, &compile(&a).unwrap()));
    let b = vec![Arc::new(set(Vec::new()))];
    let other = compile(&b).unwrap();
    assert!(!Arc::ptr_eq(&first, &other));
    assert!(Arc::ptr_eq(&other, &compile(&b).unwrap()));
}
