//! Reading Metaschema: OSCAL's modules (the copy in `tests/fixtures/metaschema/`) into the
//! built-in schema, and `metaschema-meta-constraints` documents, including hostile ones.

use std::collections::BTreeMap;
use std::path::Path;

use oscalc::metaschema::model::{Group, KeyField};
use oscalc::metaschema::read::{self, ReadError, builtin, meta_constraints, oscal_json};
use oscalc::metaschema::{Constraint, Def, DefKind, Kind, Level, Schema};

const MODULES: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/metaschema");

fn files(name: &str) -> Option<String> {
    std::fs::read_to_string(Path::new(MODULES).join(name)).ok()
}

fn kind_name(kind: &Kind) -> &'static str {
    match kind {
        Kind::AllowedValues { .. } => "allowed-values",
        Kind::Matches { .. } => "matches",
        Kind::IsUnique { .. } => "is-unique",
        Kind::Index { .. } => "index",
        Kind::IndexHasKey { .. } => "index-has-key",
        Kind::HasCardinality { .. } => "has-cardinality",
        Kind::Expect { .. } => "expect",
    }
}

fn constraints(schema: &Schema) -> impl Iterator<Item = (&Def, &Constraint)> {
    schema
        .defs
        .iter()
        .flat_map(|d| d.constraints.iter().map(move |c| (d, c)))
}

fn by_id<'s>(schema: &'s Schema, id: &str) -> Vec<(&'s Def, &'s Constraint)> {
    constraints(schema)
        .filter(|(_, c)| c.id.as_deref() == Some(id))
        .collect()
}

fn def<'s>(schema: &'s Schema, module: &str, name: &str) -> &'s Def {
    let found: Vec<&Def> = schema
        .defs
        .iter()
        .filter(|d| d.module == module && d.name == name)
        .collect();
    assert_eq!(found.len(), 1, "{module} {name}: {found:?}");
    found[0]
}

fn child<'d>(
    schema: &'d Schema,
    d: &'d Def,
    name: &str,
) -> (&'d oscalc::metaschema::model::Child, &'d Def) {
    let c = d
        .flags
        .iter()
        .chain(&d.children)
        .find(|c| c.name == name)
        .unwrap_or_else(|| panic!("{} has no {name}", d.name));
    (c, &schema.defs[c.def as usize])
}

/// The committed `oscal.json` is what the modules give: a module update without regeneration
/// fails here, naming the command.
#[test]
fn builtin_json_matches_the_modules() {
    let generated = oscal_json(&files).expect("modules read");
    let committed = include_str!("../src/metaschema/oscal.json");
    assert!(
        generated == committed,
        "src/metaschema/oscal.json is stale: run `cargo run --example metaschema_gen`"
    );
    let parsed: Schema = serde_json::from_str(committed).unwrap();
    assert_eq!(builtin(), &parsed);
}

/// README: 92 constraints reach a catalog or profile; by kind 44/10/8/13/8/3/6; five WARNING.
#[test]
fn builtin_constraint_counts_by_kind_level_and_module() {
    let schema = builtin();
    let mut kinds = BTreeMap::new();
    let mut levels = BTreeMap::new();
    let mut modules = BTreeMap::new();
    for (d, c) in constraints(schema) {
        *kinds.entry(kind_name(&c.kind)).or_insert(0) += 1;
        *levels.entry(format!("{:?}", c.level)).or_insert(0) += 1;
        *modules.entry(d.module.as_str()).or_insert(0) += 1;
    }
    let expected: BTreeMap<&str, i32> = [
        ("allowed-values", 44),
        ("matches", 10),
        ("is-unique", 8),
        ("index", 13),
        ("index-has-key", 8),
        ("has-cardinality", 3),
        ("expect", 6),
    ]
    .into();
    assert_eq!(kinds, expected);
    assert_eq!(
        levels,
        [("Error".to_owned(), 87), ("Warning".to_owned(), 5)].into()
    );
    assert_eq!(
        modules,
        [
            ("oscal_catalog_metaschema.xml", 23),
            ("oscal_control-common_metaschema.xml", 6),
            ("oscal_metadata_metaschema.xml", 56),
            ("oscal_profile_metaschema.xml", 7),
        ]
        .into()
    );
    let mut warnings: Vec<&str> = constraints(schema)
        .filter(|(_, c)| c.level == Level::Warning)
        .filter_map(|(_, c)| c.id.as_deref())
        .collect();
    warnings.sort();
    assert_eq!(
        warnings,
        [
            "oscal-back-matter-resource-base64-rlink-cardinality",
            "oscal-catalog-groups-controls-parts",
            "oscal-metadata-location-address-cardinality",
            "oscal-metadata-telephone-number-regex",
            "oscal-method-part-has-method-prop",
        ]
    );
    assert!(constraints(schema).all(|(_, c)| c.id.is_some()));
}

/// Definitions reachable from the two roots: 147 (39 assemblies, 49 fields, 59 flags; inline
/// definitions counted once per place, shared modules once). The only unreachable constraint,
/// the `role-id` field's index-has-key, is not there.
#[test]
fn builtin_definitions_are_those_reachable_from_catalog_and_profile() {
    let schema = builtin();
    let roots: Vec<(&str, &str)> = schema
        .roots
        .iter()
        .map(|(n, id)| (n.as_str(), schema.defs[*id as usize].module.as_str()))
        .collect();
    assert_eq!(
        roots,
        [
            ("catalog", "oscal_catalog_metaschema.xml"),
            ("profile", "oscal_profile_metaschema.xml")
        ]
    );
    let count = |k: DefKind| schema.defs.iter().filter(|d| d.kind == k).count();
    assert_eq!(
        (
            schema.defs.len(),
            count(DefKind::Assembly),
            count(DefKind::Field),
            count(DefKind::Flag)
        ),
        (147, 39, 49, 59)
    );
    assert!(
        !schema
            .defs
            .iter()
            .any(|d| d.name == "role-id" && d.kind == DefKind::Field)
    );
    assert!(!schema.defs.iter().any(|d| d.name == "responsible-role"));
    // The mapping module is imported by neither root.
    assert!(
        schema
            .defs
            .iter()
            .all(|d| d.module != "oscal_mapping-common_metaschema.xml")
    );
    // Each global definition once: `metadata` is shared by both roots.
    assert_eq!(
        schema.defs.iter().filter(|d| d.name == "metadata").count(),
        1
    );
    // The catalog's `group` and the profile's are two definitions.
    assert_eq!(
        schema
            .defs
            .iter()
            .filter(|d| d.name == "group" && d.kind == DefKind::Assembly)
            .count(),
        2
    );
}

/// The README's examples table, constraint by constraint.
#[test]
fn builtin_example_constraints_are_exact() {
    let schema = builtin();
    let one = |id: &str| {
        let found = by_id(schema, id);
        assert_eq!(found.len(), 1, "{id}");
        found[0]
    };

    let (d, c) = one("oscal-catalog-control-require-statement-when-not-withdrawn");
    assert_eq!(
        (d.name.as_str(), c.target.as_str(), c.level),
        ("control", ".", Level::Error)
    );
    assert_eq!(
        c.kind,
        Kind::Expect {
            test:
                "prop[@name='status']/@value=('withdrawn','Withdrawn') or part[@name='statement']"
                    .into()
        }
    );

    // The entity's three enums, expanded in five lists.
    let entity = ["label", "sort-id", "alt-identifier"];
    for (id, owner, extra) in [
        ("oscal-control-prop-name", "control", &["status"][..]),
        ("oscal-group-prop-name", "group", &[][..]),
        ("oscal-part-prop-name", "part", &[][..]),
        ("oscal-parameter-prop-name", "parameter", &["alt-label"][..]),
        (
            "oscal-profile-modify-alter-prop-name-values",
            "add",
            &[][..],
        ),
    ] {
        let (d, c) = one(id);
        assert_eq!(d.name, owner, "{id}");
        assert_eq!(
            c.target, "prop[has-oscal-namespace('http://csrc.nist.gov/ns/oscal')]/@name",
            "{id}"
        );
        let Kind::AllowedValues {
            values,
            allow_other,
        } = &c.kind
        else {
            panic!("{id}: {:?}", c.kind)
        };
        assert!(!allow_other, "{id}");
        let names: Vec<&str> = values.iter().map(|(v, _)| v.as_str()).collect();
        let expected: Vec<&str> = entity.iter().chain(extra).copied().collect();
        assert_eq!(names, expected, "{id}");
        assert_eq!(
            values[1].1,
            "An alternative identifier, whose value is easily sortable among other such values in the document."
        );
    }

    let named = by_id(schema, "oscal-metadata-prop-name-values");
    let owners: Vec<(&str, &str)> = named
        .iter()
        .map(|(d, c)| (d.name.as_str(), c.target.as_str()))
        .collect();
    assert_eq!(
        owners,
        [
            (
                "metadata",
                "prop[has-oscal-namespace('http://csrc.nist.gov/ns/oscal')]/@name"
            ),
            (
                "property",
                ".[has-oscal-namespace('http://csrc.nist.gov/ns/oscal')]/@name"
            ),
        ]
    );

    let (_, c) = one("oscal-control-statement-part-name");
    assert_eq!(
        c.target,
        ".//part[has-oscal-namespace('http://csrc.nist.gov/ns/oscal')]/@name"
    );
    let Kind::AllowedValues { values, .. } = &c.kind else {
        panic!()
    };
    assert_eq!(values[0].0, "objective");
    assert_eq!(
        values[0].1,
        "**(deprecated)** Use 'assessment-objective' instead."
    );
    assert_eq!(c.help.as_deref(), Some("Objectives can be nested."));

    // One id, an index and an index-has-key.
    let pair = by_id(schema, "oscal-catalog-groups-controls-parts");
    assert_eq!(pair.len(), 2);
    assert_eq!(pair[0].0.name, "catalog");
    assert_eq!(pair[0].1.target, "//(control|group|part)");
    assert_eq!(
        pair[0].1.kind,
        Kind::Index {
            name: "catalog-groups-controls-parts".into(),
            keys: vec![KeyField {
                target: "@id".into(),
                pattern: None
            }]
        }
    );
    assert_eq!(pair[1].0.name, "control");
    assert_eq!(pair[1].1.level, Level::Warning);
    assert_eq!(
        pair[1].1.target,
        "link[@rel=('related','required','incorporated-into','moved-to') and starts-with(@href,'#')]"
    );
    assert_eq!(
        pair[1].1.kind,
        Kind::IndexHasKey {
            name: "catalog-groups-controls-parts".into(),
            keys: vec![KeyField {
                target: "@href".into(),
                pattern: Some("#(.*)".into())
            }]
        }
    );

    let (d, c) = one("oscal-metadata-link-reference-index-back-matter-resource");
    assert_eq!(
        (d.name.as_str(), c.target.as_str()),
        ("link", ".[@rel=('reference') and starts-with(@href,'#')]")
    );

    let (d, c) = one("oscal-parameter-depends-on-deprecated");
    assert_eq!(d.name, "parameter");
    assert_eq!(
        c.kind,
        Kind::Expect {
            test: "not(exists(@depends-on))".into()
        }
    );
    assert_eq!(c.message.as_deref(), Some("depends-on is deprecated"));

    let (d, c) = one("oscal-unique-profile-modify-set-parameter");
    assert_eq!(
        (d.name.as_str(), c.target.as_str()),
        ("modify", "set-parameter")
    );
    assert_eq!(
        c.kind,
        Kind::IsUnique {
            keys: vec![KeyField {
                target: "@param-id".into(),
                pattern: None
            }]
        }
    );
    assert_eq!(
        c.help.as_deref(),
        Some(
            "Since multiple set-parameter entries can be provided, each parameter must be set only once."
        )
    );

    let (d, c) = one("oscal-check-hash-length-SHA2-3-256");
    assert_eq!(
        (d.name.as_str(), c.target.as_str()),
        ("hash", ".[@algorithm=('SHA-256','SHA3-256')]")
    );
    assert_eq!(
        c.kind,
        Kind::Matches {
            regex: Some("^[0-9a-fA-F]{64}$".into()),
            datatype: None
        }
    );

    let (d, c) = one("oscal-metadata-location-title-address-email-address-telephone-cardinality");
    assert_eq!(
        (d.name.as_str(), c.target.as_str()),
        ("location", "title|address|email-address|telephone-number")
    );
    assert_eq!(
        c.kind,
        Kind::HasCardinality {
            min: Some(1),
            max: None
        }
    );
    assert_eq!(
        c.help.as_deref(),
        Some("A location must have at least a title, address, email-address, or telephone number.")
    );

    // A flag's own constraint targets the flag (`.`), its `&amp;` read as `&`.
    let (d, c) = one("oscal-parameter-how-many-type");
    assert_eq!(
        (d.name.as_str(), d.kind, c.target.as_str()),
        ("how-many", DefKind::Flag, ".")
    );
    let (_, c) = one("oscal-metadata-link-resource-fragment-datatype");
    let Kind::Matches {
        regex: Some(regex), ..
    } = &c.kind
    else {
        panic!()
    };
    assert_eq!(
        regex,
        "(?:[0-9a-zA-Z-._~/?!$&'()*+,;=:@]|%[0-9A-F][0-9A-F])+"
    );
}

/// How definitions map to the JSON form.
#[test]
fn builtin_json_mapping_of_a_few_definitions() {
    let schema = builtin();
    let control = def(schema, "oscal_catalog_metaschema.xml", "control");
    let (parts, part) = child(schema, control, "part");
    assert_eq!(
        (parts.json_key.as_str(), &parts.group),
        ("parts", &Group::Array)
    );
    assert_eq!(
        (part.name.as_str(), part.module.as_str()),
        ("part", "oscal_control-common_metaschema.xml")
    );
    let keys: Vec<&str> = control
        .children
        .iter()
        .map(|c| c.json_key.as_str())
        .collect();
    assert_eq!(
        keys,
        ["title", "params", "props", "links", "parts", "controls"]
    );

    // `title`: a bare markup string.
    let (title, title_def) = child(schema, control, "title");
    assert_eq!(
        (title.json_key.as_str(), &title.group),
        ("title", &Group::Single)
    );
    assert_eq!(title_def.kind, DefKind::Field);
    assert_eq!(title_def.as_type.as_deref(), Some("markup-line"));
    assert_eq!(title_def.json_value_key, None);

    // `prop`: an assembly (use-name of `property`) with flags; `ns` has its default.
    let (props, prop) = child(schema, control, "prop");
    assert_eq!(
        (props.json_key.as_str(), prop.name.as_str(), prop.kind),
        ("props", "property", DefKind::Assembly)
    );
    let flags: Vec<&str> = prop.flags.iter().map(|f| f.name.as_str()).collect();
    assert_eq!(flags, ["name", "uuid", "ns", "value", "class", "group"]);
    let (_, ns) = child(schema, prop, "ns");
    assert_eq!(ns.default.as_deref(), Some("http://csrc.nist.gov/ns/oscal"));
    assert_eq!(ns.as_type.as_deref(), Some("uri"));
    let (_, name) = child(schema, prop, "name");
    assert_eq!(
        (name.default.as_deref(), name.as_type.as_deref()),
        (None, Some("token"))
    );

    // Fields with flags: their value key.
    let metadata = def(schema, "oscal_metadata_metaschema.xml", "metadata");
    let (ids, document_id) = child(schema, metadata, "document-id");
    assert_eq!(
        (ids.json_key.as_str(), &ids.group),
        ("document-ids", &Group::Array)
    );
    assert_eq!(document_id.json_value_key.as_deref(), Some("identifier"));
    let hash = def(schema, "oscal_metadata_metaschema.xml", "hash");
    assert_eq!(hash.json_value_key.as_deref(), Some("value"));

    // A flag reference with its own use-name; a field without flags is a bare value.
    let address = def(schema, "oscal_metadata_metaschema.xml", "address");
    let (ty, location_type) = child(schema, address, "type");
    assert_eq!(
        (ty.json_key.as_str(), location_type.name.as_str()),
        ("type", "location-type")
    );
    let parameter = def(schema, "oscal_control-common_metaschema.xml", "parameter");
    let (values, value) = child(schema, parameter, "value");
    assert_eq!(
        (
            values.json_key.as_str(),
            value.name.as_str(),
            value.json_value_key.as_deref()
        ),
        ("values", "parameter-value", None)
    );
    // `choice` alternatives are ordinary children.
    let (select, _) = child(schema, parameter, "select");
    assert_eq!(
        (select.json_key.as_str(), &select.group),
        ("select", &Group::Single)
    );
    let import = def(schema, "oscal_profile_metaschema.xml", "import");
    let keys: Vec<&str> = import
        .flags
        .iter()
        .chain(&import.children)
        .map(|c| c.json_key.as_str())
        .collect();
    assert_eq!(
        keys,
        [
            "href",
            "include-all",
            "include-controls",
            "exclude-controls"
        ]
    );
}

/// The mapping agrees with NIST's JSON schemas: every assembly and field-with-flags outside a
/// `choice` has the schema's property names, arrays where the schema has arrays.
#[test]
fn builtin_json_keys_agree_with_the_oscal_json_schemas() {
    use serde_json::Value;
    let schema = builtin();
    // Every definition with flags or children the root reaches: 28 from a catalog, 39 from a
    // profile less `combine`, whose `method` flag the 1.2.3 JSON schema leaves out (an object
    // with no properties: not compared).
    for (root, file, expected) in [
        ("catalog", "oscal_catalog_schema.json", 28),
        ("profile", "oscal_profile_schema.json", 38),
    ] {
        let text = std::fs::read_to_string(
            Path::new(env!("CARGO_MANIFEST_DIR"))
                .join("schemas")
                .join(file),
        )
        .unwrap();
        let json: Value = serde_json::from_str(&text).unwrap();
        let defs = &json["definitions"];
        let root_id = schema.roots.iter().find(|(n, _)| n == root).unwrap().1;
        let root_json = defs
            .as_object()
            .unwrap()
            .iter()
            .find(|(k, _)| k.ends_with(&format!(":{root}")))
            .unwrap()
            .1;
        let mut todo: Vec<(u32, &Value)> = vec![(root_id, root_json)];
        let mut seen = std::collections::HashSet::new();
        let mut compared = 0;
        while let Some((id, v)) = todo.pop() {
            let v = resolve(defs, v);
            if !seen.insert((id, v as *const Value)) {
                continue;
            }
            let d = &schema.defs[id as usize];
            // A `choice` is an `anyOf` of whole property sets: their union.
            let mut props: BTreeMap<&str, &Value> = BTreeMap::new();
            let alternatives = v.get("anyOf").or(v.get("oneOf")).and_then(Value::as_array);
            for alt in std::iter::once(v).chain(alternatives.into_iter().flatten()) {
                if let Some(p) = alt.get("properties").and_then(Value::as_object) {
                    props.extend(p.iter().map(|(k, v)| (k.as_str(), v)));
                }
            }
            if props.is_empty() {
                continue;
            }
            let mut mine: Vec<&str> = d
                .flags
                .iter()
                .chain(&d.children)
                .map(|c| c.json_key.as_str())
                .collect();
            mine.extend(d.json_value_key.as_deref());
            mine.sort();
            let mut theirs: Vec<&str> = props.keys().copied().collect();
            theirs.sort();
            assert_eq!(mine, theirs, "{root}: {}", d.name);
            compared += 1;
            for c in d.flags.iter().chain(&d.children) {
                let p = resolve_ref(defs, props[c.json_key.as_str()]);
                let array = p.get("type") == Some(&Value::from("array"));
                assert_eq!(
                    array,
                    c.group == Group::Array,
                    "{root}: {} {}",
                    d.name,
                    c.json_key
                );
                todo.push((c.def, p));
            }
        }
        assert_eq!(compared, expected, "{root}");
    }
}

/// A property's schema with `$ref`s and one-item `allOf`s followed, arrays kept.
fn resolve_ref<'a>(
    defs: &'a serde_json::Value,
    mut v: &'a serde_json::Value,
) -> &'a serde_json::Value {
    use serde_json::Value;
    loop {
        if let Some(r) = v.get("$ref").and_then(Value::as_str) {
            v = &defs[r.rsplit('/').next().unwrap()];
        } else if let Some([one]) = v.get("allOf").and_then(Value::as_array).map(Vec::as_slice) {
            v = one;
        } else {
            return v;
        }
    }
}

/// A definition's schema: references, arrays and one-item `allOf`s followed.
fn resolve<'a>(defs: &'a serde_json::Value, mut v: &'a serde_json::Value) -> &'a serde_json::Value {
    use serde_json::Value;
    loop {
        if let Some(r) = v.get("$ref").and_then(Value::as_str) {
            v = &defs[r.rsplit('/').next().unwrap()];
        } else if v.get("type") == Some(&Value::from("array")) && v.get("items").is_some() {
            v = &v["items"];
        } else if let Some([one]) = v.get("allOf").and_then(Value::as_array).map(Vec::as_slice) {
            v = one;
        } else {
            return v;
        }
    }
}

const NS: &str = "http://csrc.nist.gov/ns/oscal/metaschema/1.0";

/// Nested contexts, lets in force by position, every kind, help and message.
#[test]
fn meta_constraints_reads_nested_contexts_and_lets() {
    let text = format!(
        r#"<?xml version="1.0" encoding="UTF-8"?>
<metaschema-meta-constraints xmlns="{NS}">
  <namespace-binding prefix="o" uri="http://csrc.nist.gov/ns/oscal/1.0"/>
  <context>
    <metapath target="/catalog"/>
    <metapath target="/profile"/>
    <constraints>
      <let var="ids" expression="//control/@id"/>
      <is-unique id="u" target=".//prop" level="WARNING">
        <formal-name>Unique Properties</formal-name>
        <description>Props are unique &amp; so on.</description>
        <key-field target="@name"/><key-field target="@value" pattern="v(.*)"/>
      </is-unique>
      <let var="n" expression="count(//control)"/>
    </constraints>
    <context>
      <metapath target="metadata"/>
      <constraints>
        <allowed-values target="prop/@name" allow-other="yes">
          <enum value="a">The <code>a</code>
             value.</enum>
          <enum value="b"/>
        </allowed-values>
        <expect id="e" target="." test="title" level="CRITICAL"><message>no title in {{ path(.) }}</message></expect>
        <has-cardinality target="party" min-occurs="1" max-occurs="3"/>
        <matches target="@x" datatype="uuid"/>
        <index name="i" target="role"><key-field target="@id"/></index>
        <index-has-key name="i" target="responsible-party"><key-field target="@role-id"/></index-has-key>
      </constraints>
    </context>
  </context>
</metaschema-meta-constraints>"#
    );
    let set = meta_constraints(text.as_bytes(), "rules.xml").unwrap();
    assert_eq!(set.source, "rules.xml");
    assert_eq!(set.contexts.len(), 1);
    let outer = &set.contexts[0];
    assert_eq!(outer.targets, ["/catalog", "/profile"]);
    assert_eq!(outer.constraints.len(), 1);
    let u = &outer.constraints[0];
    assert_eq!(
        (u.id.as_deref(), u.level, u.target.as_str()),
        (Some("u"), Level::Warning, ".//prop")
    );
    assert_eq!(u.lets, [("ids".to_owned(), "//control/@id".to_owned())]);
    assert_eq!(
        u.help.as_deref(),
        Some("Unique Properties\n\nProps are unique & so on.")
    );
    assert_eq!(
        u.kind,
        Kind::IsUnique {
            keys: vec![
                KeyField {
                    target: "@name".into(),
                    pattern: None
                },
                KeyField {
                    target: "@value".into(),
                    pattern: Some("v(.*)".into())
                }
            ]
        }
    );
    let inner = &outer.contexts[0];
    assert_eq!(inner.targets, ["metadata"]);
    let lets = [
        ("ids".to_owned(), "//control/@id".to_owned()),
        ("n".to_owned(), "count(//control)".to_owned()),
    ];
    assert!(inner.constraints.iter().all(|c| c.lets == lets));
    let kinds: Vec<&str> = inner
        .constraints
        .iter()
        .map(|c| kind_name(&c.kind))
        .collect();
    assert_eq!(
        kinds,
        [
            "allowed-values",
            "expect",
            "has-cardinality",
            "matches",
            "index",
            "index-has-key"
        ]
    );
    assert_eq!(
        inner.constraints[0].kind,
        Kind::AllowedValues {
            values: vec![
                ("a".into(), "The a value.".into()),
                ("b".into(), String::new())
            ],
            allow_other: true
        }
    );
    assert_eq!(inner.constraints[0].id, None);
    assert_eq!(inner.constraints[1].level, Level::Critical);
    assert_eq!(
        inner.constraints[1].message.as_deref(),
        Some("no title in { path(.) }")
    );
    assert_eq!(
        inner.constraints[2].kind,
        Kind::HasCardinality {
            min: Some(1),
            max: Some(3)
        }
    );
    assert_eq!(
        inner.constraints[3].kind,
        Kind::Matches {
            regex: None,
            datatype: Some("uuid".into())
        }
    );
    assert_eq!(inner.constraints[3].target, "@x");
}

fn refused(text: &[u8]) -> ReadError {
    meta_constraints(text, "bad.xml").expect_err("refused")
}

#[test]
fn meta_constraints_refuses_a_doctype_with_an_entity() {
    let text = format!(
        r#"<!DOCTYPE m [<!ENTITY a "&a;&a;">]><metaschema-meta-constraints xmlns="{NS}"><context><metapath target="/"/></context></metaschema-meta-constraints>"#
    );
    assert_eq!(
        refused(text.as_bytes()),
        ReadError::Doctype {
            file: "bad.xml".into(),
            offset: 0
        }
    );
    let external = format!(
        r#"<!DOCTYPE m [<!ENTITY x SYSTEM "/etc/passwd">]><metaschema-meta-constraints xmlns="{NS}"><context><metapath target="&x;"/></context></metaschema-meta-constraints>"#
    );
    assert_eq!(
        refused(external.as_bytes()),
        ReadError::Doctype {
            file: "bad.xml".into(),
            offset: 0
        }
    );
    let undeclared = format!(
        r#"<metaschema-meta-constraints xmlns="{NS}"><context><metapath target="/"/><remarks>&x;</remarks></context></metaschema-meta-constraints>"#
    );
    let at = undeclared.find("&x;").unwrap();
    assert_eq!(
        refused(undeclared.as_bytes()),
        ReadError::Entity {
            file: "bad.xml".into(),
            offset: at,
            name: "x".into()
        }
    );
}

#[test]
fn meta_constraints_refuses_oversize_and_deep_input() {
    let big = vec![b' '; read::MAX_META_BYTES + 1];
    assert_eq!(
        refused(&big),
        ReadError::TooLarge {
            file: "bad.xml".into(),
            offset: read::MAX_META_BYTES,
            limit: read::MAX_META_BYTES,
            what: "bytes"
        }
    );
    let root = format!("<metaschema-meta-constraints xmlns=\"{NS}\">");
    let deep = format!("{root}{}", "<context>".repeat(10_000));
    assert_eq!(
        refused(deep.as_bytes()),
        // The 128th nested element is the root's 127th descendant.
        ReadError::TooDeep {
            file: "bad.xml".into(),
            offset: root.len() + 127 * 9,
            limit: 128
        }
    );
}

#[test]
fn meta_constraints_reports_malformed_input_with_its_offset() {
    let cut = format!(
        "<metaschema-meta-constraints xmlns=\"{NS}\">\n  <context>\n    <metapath target=\"/\">\n  </context>"
    );
    let err = refused(cut.as_bytes());
    let ReadError::Xml { offset, .. } = &err else {
        panic!("{err:?}")
    };
    // The mismatched end tag `</context>` on the fourth line.
    assert_eq!(&cut[*offset..*offset + 10], "</context>");
    assert!(
        err.to_string()
            .starts_with(&format!("bad.xml:{offset}: malformed XML")),
        "{err}"
    );

    let not_utf8 = b"<metaschema-meta-constraints>\xff</metaschema-meta-constraints>";
    assert!(matches!(
        refused(not_utf8),
        ReadError::Xml { offset: 29, .. }
    ));

    let wrong_ns = br#"<metaschema-meta-constraints><context/></metaschema-meta-constraints>"#;
    assert!(matches!(refused(wrong_ns), ReadError::WrongRoot { .. }));

    let unknown = format!(
        r#"<metaschema-meta-constraints xmlns="{NS}"><context><metapath target="/"/><constraints><report test="x"/></constraints></context></metaschema-meta-constraints>"#
    );
    assert_eq!(
        refused(unknown.as_bytes()),
        ReadError::Unexpected {
            file: "bad.xml".into(),
            offset: unknown.find("<report").unwrap(),
            element: "report".into(),
            parent: "constraints".into()
        }
    );
    let import = format!(
        r#"<metaschema-meta-constraints xmlns="{NS}"><import href="other.xml"/></metaschema-meta-constraints>"#
    );
    assert!(
        matches!(refused(import.as_bytes()), ReadError::Unsupported { ref element, .. } if element == "import")
    );
    let no_test = format!(
        r#"<metaschema-meta-constraints xmlns="{NS}"><context><metapath target="/"/><constraints><expect id="x"/></constraints></context></metaschema-meta-constraints>"#
    );
    assert!(
        matches!(refused(no_test.as_bytes()), ReadError::Missing { ref missing, .. } if missing == "@test")
    );
    let level = format!(
        r#"<metaschema-meta-constraints xmlns="{NS}"><context><metapath target="/"/><constraints><expect test="." level="SEVERE"/></constraints></context></metaschema-meta-constraints>"#
    );
    assert!(
        matches!(refused(level.as_bytes()), ReadError::BadValue { ref value, .. } if value == "SEVERE")
    );
}

/// The module reader takes files from its resolver only: an import outside the folder is
/// refused before any lookup, and a missing file names who asked for it.
#[test]
fn module_reader_reads_only_what_the_resolver_gives() {
    let asked = std::cell::RefCell::new(Vec::new());
    let m = |body: &str| format!(r#"<METASCHEMA xmlns="{NS}">{body}</METASCHEMA>"#);
    let root = m(r#"<import href="../secret.xml"/>"#);
    let files = |name: &str| {
        asked.borrow_mut().push(name.to_owned());
        (name == "root.xml").then(|| root.clone())
    };
    let err = read::module(&files, "root.xml").unwrap_err();
    assert!(
        matches!(err, ReadError::BadValue { ref value, .. } if value == "../secret.xml"),
        "{err:?}"
    );
    assert_eq!(*asked.borrow(), ["root.xml"]);
    for href in [
        "/etc/passwd",
        "file:///etc/passwd",
        "https://example.com/x.xml",
        "a/../../x.xml",
    ] {
        let root = m(&format!(r#"<import href="{href}"/>"#));
        let files = |name: &str| (name == "root.xml").then(|| root.clone());
        let err = read::module(&files, "root.xml").unwrap_err();
        assert!(
            matches!(err, ReadError::BadValue { ref value, .. } if value == href),
            "{err:?}"
        );
    }

    // An entity is resolved the same way, before any lookup.
    let root = format!(
        r#"<!DOCTYPE METASCHEMA [<!ENTITY e SYSTEM "../up.ent">]><METASCHEMA xmlns="{NS}"><define-flag name="f">&e;</define-flag></METASCHEMA>"#
    );
    let files = |name: &str| (name == "root.xml").then(|| root.clone());
    let err = read::module(&files, "root.xml").unwrap_err();
    assert_eq!(
        err,
        ReadError::BadValue {
            file: "root.xml".into(),
            offset: root.find("&e;").unwrap(),
            element: "ENTITY".into(),
            name: "SYSTEM".into(),
            value: "../up.ent".into()
        }
    );
    // A reference to nothing, and a construct not mapped, are refused with their place.
    let root = m(
        r#"<define-assembly name="r"><root-name>r</root-name><model><field ref="nope"/></model></define-assembly>"#,
    );
    let files = |name: &str| (name == "root.xml").then(|| root.clone());
    assert_eq!(
        read::module(&files, "root.xml").unwrap_err(),
        ReadError::UnknownRef {
            file: "root.xml".into(),
            offset: root.find("<field").unwrap(),
            kind: "field",
            name: "nope".into()
        }
    );
    let root = m(
        r#"<define-assembly name="r"><root-name>r</root-name><model><choice-group/></model></define-assembly>"#,
    );
    let files = |name: &str| (name == "root.xml").then(|| root.clone());
    assert!(matches!(
        read::module(&files, "root.xml").unwrap_err(),
        ReadError::Unsupported { ref element, .. } if element == "choice-group"
    ));
    let root = m("");
    let files = |name: &str| (name == "root.xml").then(|| root.clone());
    assert_eq!(
        read::module(&files, "root.xml").unwrap_err(),
        ReadError::NoRoot {
            file: "root.xml".into()
        }
    );
    let root = m(r#"<import href="lib/x.xml"/>"#);
    let files = |name: &str| (name == "root.xml").then(|| root.clone());
    assert_eq!(
        read::module(&files, "root.xml").unwrap_err(),
        ReadError::NotFound {
            file: "lib/x.xml".into(),
            by: "root.xml".into()
        }
    );
}

/// A small module: a root, a local flag, an inline field with flags and no value key, a
/// `by-key` group, an external entity from the resolver.
#[test]
fn module_reader_maps_a_small_module() {
    let root = format!(
        r#"<?xml version="1.0"?>
<!DOCTYPE METASCHEMA [ <!ENTITY e SYSTEM "./ent/e.ent"> ]>
<METASCHEMA xmlns="{NS}">
  <define-assembly name="box">
    <root-name>box</root-name>
    <flag ref="f"/>
    <model>
      <define-field name="note" as-type="markup-multiline" max-occurs="unbounded">
        <group-as name="notes" in-json="SINGLETON_OR_ARRAY"/>
        <define-flag name="lang"/>
      </define-field>
      <assembly ref="item" max-occurs="unbounded"><group-as name="items" in-json="BY_KEY"/></assembly>
      <any/>
    </model>
    <constraint>
      <allowed-values target="@f">&e;<enum value="z">Z.</enum></allowed-values>
    </constraint>
  </define-assembly>
  <define-assembly name="item">
    <json-key flag-ref="key"/>
    <define-flag name="key" required="yes"/>
  </define-assembly>
  <define-flag name="f" as-type="token" scope="local"/>
</METASCHEMA>"#
    );
    let ent = format!(r#"<enum xmlns="{NS}" value="y">Y.</enum>"#);
    let files = |name: &str| match name {
        "root.xml" => Some(root.clone()),
        "ent/e.ent" => Some(ent.clone()),
        _ => None,
    };
    let schema = read::module(&files, "root.xml").unwrap();
    assert_eq!(schema.roots, [("box".to_owned(), 0)]);
    let names: Vec<(&str, DefKind)> = schema
        .defs
        .iter()
        .map(|d| (d.name.as_str(), d.kind))
        .collect();
    assert_eq!(
        names,
        [
            ("box", DefKind::Assembly),
            ("f", DefKind::Flag),
            ("note", DefKind::Field),
            ("lang", DefKind::Flag),
            ("item", DefKind::Assembly),
            ("key", DefKind::Flag)
        ]
    );
    let boxed = &schema.defs[0];
    assert_eq!(boxed.children[0].group, Group::SingletonOrArray);
    assert_eq!(boxed.children[0].json_key, "notes");
    assert_eq!(boxed.children[1].group, Group::ByKey("key".into()));
    assert_eq!(schema.defs[2].json_value_key.as_deref(), Some("PROSE"));
    assert_eq!(schema.defs[3].as_type.as_deref(), Some("string"));
    let Kind::AllowedValues { values, .. } = &boxed.constraints[0].kind else {
        panic!()
    };
    assert_eq!(
        values,
        &[
            ("y".to_owned(), "Y.".to_owned()),
            ("z".to_owned(), "Z.".to_owned())
        ]
    );

    // An entity the subset does not declare, and a file the resolver lacks.
    let bad = root.replace("&e;", "&other;");
    let files = |name: &str| (name == "root.xml").then(|| bad.clone());
    assert!(
        matches!(read::module(&files, "root.xml").unwrap_err(), ReadError::Entity { ref name, .. } if name == "other")
    );
    let files = |name: &str| (name == "root.xml").then(|| root.clone());
    assert_eq!(
        read::module(&files, "root.xml").unwrap_err(),
        ReadError::NotFound {
            file: "ent/e.ent".into(),
            by: "root.xml".into()
        }
    );
}

/// The sample set in the fixtures: two top-level contexts, the let of the outer block in force
/// in the nested one, ids and levels kept.
#[test]
fn meta_constraints_reads_the_sample_set() {
    let bytes = std::fs::read(Path::new(MODULES).join("constraints-sample.xml")).unwrap();
    let set = meta_constraints(&bytes, "constraints-sample.xml").unwrap();
    let ids = |c: &oscalc::metaschema::model::Context| -> Vec<String> {
        c.constraints
            .iter()
            .map(|c| c.id.clone().unwrap())
            .collect()
    };
    assert_eq!(set.contexts.len(), 2);
    let [first, second] = &set.contexts[..] else {
        panic!()
    };
    assert_eq!(first.targets, ["/catalog", "/profile"]);
    assert_eq!(
        ids(first),
        ["sample-metadata-has-version", "sample-unique-link"]
    );
    assert_eq!(first.constraints[0].level, Level::Warning);
    assert_eq!(
        first.constraints[0].help.as_deref(),
        Some("Version Present")
    );
    let nested = &first.contexts[0];
    assert_eq!(nested.targets, ["metadata"]);
    assert_eq!(ids(nested), ["sample-role-ids", "sample-one-party"]);
    let oscal = [(
        "oscal".to_owned(),
        "'http://csrc.nist.gov/ns/oscal'".to_owned(),
    )];
    assert_eq!(nested.constraints[1].lets, oscal);
    assert_eq!(second.targets, ["/catalog//control"]);
    assert!(second.constraints.iter().all(|c| c.lets.is_empty()));
    assert_eq!(
        second.constraints[0].kind,
        Kind::Matches {
            regex: Some(r"[a-z]{2}-[0-9]+(\.[0-9]+)?".into()),
            datatype: None
        }
    );
}
