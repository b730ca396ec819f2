//! Replays the seeds of the fuzz targets on stable: the entry points of `fuzz/src/lib.rs`, on
//! well-formed, cut and hostile input, must neither panic nor hang.

#[path = "../fuzz/src/lib.rs"]
mod fuzzing;

use fuzzing::{
    CATALOG, load_json, load_xml, load_yaml, locate, meta_constraints, metapath, present, resolve,
};
use oscalc::{MemWorld, Options};

const PROFILE: &str = r#"{"profile": {
  "uuid": "9bd5f2a4-6a6b-4f7c-9a43-2b4f7cbbd7a4",
  "metadata": {"title": "P", "last-modified": "2024-01-01T00:00:00Z", "version": "1",
               "oscal-version": "1.2.3"},
  "imports": [{"href": "cat.json", "include-controls": [{"with-ids": ["c1"],
               "with-child-controls": "yes"}]}],
  "merge": {"as-is": true},
  "modify": {"set-parameters": [{"param-id": "c1_prm", "values": ["v"]}]}
}}"#;

/// The seeds: each entry point on well-formed, cut and hostile input, without a panic.
#[test]
fn entry_points_survive_seeds() {
    let deep_json = format!(
        "{{\"catalog\": {}{}}}",
        "[".repeat(50_000),
        "]".repeat(50_000)
    );
    let deep_xml = format!("<catalog>{}", "<part>".repeat(50_000));
    let deep_yaml = format!("catalog:\n  props: {}", "- ".repeat(50_000));
    let deep_flow_yaml = format!("catalog: {}", "[".repeat(50_000));
    let mut laughs = String::from("catalog:\n  a: &a [x, x, x, x, x, x, x, x, x, x]\n");
    for (n, p) in ["b", "c", "d", "e", "f", "g", "h", "i"]
        .iter()
        .zip(["a", "b", "c", "d", "e", "f", "g", "h"])
    {
        laughs.push_str(&format!(
            "  {n}: &{n} [*{p}, *{p}, *{p}, *{p}, *{p}, *{p}, *{p}, *{p}, *{p}, *{p}]\n"
        ));
    }
    let seeds: Vec<Vec<u8>> = vec![
        Vec::new(),
        CATALOG.as_bytes().to_vec(),
        PROFILE.as_bytes().to_vec(),
        PROFILE.as_bytes()[..PROFILE.len() / 2].to_vec(),
        b"\xEF\xBB\xBF{\"catalog\": \xff}".to_vec(),
        deep_json.into_bytes(),
        deep_xml.into_bytes(),
        b"<!DOCTYPE x [<!ENTITY a \"&a;&a;\">]><catalog>&a;</catalog>".to_vec(),
        // Found by the `locate` target: a key twice in one object.
        br#"{"a": {"p": [1], "p": [{"q": 2}]}}"#.to_vec(),
        // Found by the `locate` target: a text of exactly two checkpoint chunks, located at
        // its end.
        vec![b'a'; 2048],
        // Found by the `locate` target: stray continuation bytes before a position.
        b"{\n   \xbe\xbe\xbe\xbe\xbe\xbe\xbe\xbe\xbe\xbe\xbe\xbe\xbe\xbe\xbe\xbe\xbe\xbe x\n"
            .to_vec(),
        include_bytes!("fixtures/yaml/catalog.yaml").to_vec(),
        include_bytes!("fixtures/yaml/profile.yaml").to_vec(),
        deep_yaml.into_bytes(),
        deep_flow_yaml.into_bytes(),
        laughs.into_bytes(),
        b"catalog: &x\n  k: *x\n".to_vec(),
        b"catalog: !!python/object:os.system x\n---\nprofile: {}\n".to_vec(),
        b"\xEF\xBB\xBFcatalog:\n  uuid: \xff\n".to_vec(),
    ];
    for seed in &seeds {
        load_yaml(seed);
        load_json(seed);
        load_xml(seed);
        resolve(seed);
        present(seed);
        locate(seed);
        meta_constraints(seed);
        metapath(seed);
    }
}

/// Seeds of the `meta_constraints` target: a set with nested contexts and every kind, its
/// body alone (the target adds the root), cut, deep, and hostile DOCTYPEs.
#[test]
fn meta_constraints_survives_seeds() {
    let set = include_str!("fixtures/metaschema/constraints-sample.xml");
    let body_start = set.find("<context>").unwrap();
    let body_end = set.rfind("</metaschema-meta-constraints>").unwrap();
    let body = &set[body_start..body_end];
    let seeds: Vec<Vec<u8>> = vec![
        set.as_bytes().to_vec(),
        body.as_bytes().to_vec(),
        set.as_bytes()[..set.len() / 2].to_vec(),
        format!("context>{}", "<context>".repeat(50_000)).into_bytes(),
        format!("<!DOCTYPE m [<!ENTITY a \"&a;&a;\">]>{set}").into_bytes(),
        format!(
            "<!DOCTYPE m [<!ENTITY x SYSTEM \"/etc/passwd\">]>{}",
            set.replace("/catalog", "&x;")
        )
        .into_bytes(),
        set.replace("<metapath", "<metapath target=\"&#0;\" x")
            .into_bytes(),
        b"\xEF\xBB\xBF<metaschema-meta-constraints>\xff".to_vec(),
        Vec::new(),
    ];
    for seed in &seeds {
        meta_constraints(seed);
    }
    // Cut anywhere: every prefix is read or refused, with its offset inside it.
    for end in 0..set.len() {
        meta_constraints(&set.as_bytes()[..end]);
    }
    let read = oscalc::metaschema::read::meta_constraints(set.as_bytes(), "sample.xml").unwrap();
    assert_eq!(read.contexts.len(), 2);
}

#[test]
fn seed_profile_resolves_against_the_catalog() {
    let mut world = MemWorld::new();
    world.add("cat.json", CATALOG);
    let p = world.add("profile.json", PROFILE);
    let resolved = oscalc::resolve(&world, &p, &Options::default());
    let catalog = resolved
        .output
        .map(|r| r.catalog)
        .map_err(|e| format!("{e:?}"));
    let ids: Vec<String> = catalog
        .iter()
        .flat_map(|c| c.groups.iter())
        .flat_map(|g| g.controls.iter())
        .map(|c| c.id.to_string())
        .collect();
    assert_eq!(ids, ["c1"]);
}

/// The Metapath seeds: OSCAL's own expressions, every construct, and hostile text (deep,
/// unclosed, long, quadratic, huge regexes, odd numbers and characters).
#[test]
fn metapath_survives_seeds() {
    let deep = format!("{}1{}", "(".repeat(5_000), ")".repeat(5_000));
    let deep_preds = format!("{}{}", "*[".repeat(200), "]".repeat(200));
    let deep_calls = format!("{}.{}", "not(".repeat(127), ")".repeat(127));
    let deep_ifs = "if (.) then ".repeat(126) + "1" + &" else 2".repeat(126);
    let long_or = vec!["@id"; 10_000].join(" or ");
    let too_long = "a/".repeat(40_000);
    let seeds: Vec<String> = vec![
        String::new(),
        "prop[has-oscal-namespace('http://csrc.nist.gov/ns/oscal')]/@name".into(),
        "prop[@name='status']/@value=('withdrawn','Withdrawn') or part[@name='statement']".into(),
        "//(control|group|part)".into(),
        "link[@rel=('related','required') and starts-with(@href,'#')]".into(),
        ".[has-oscal-namespace(('http://csrc.nist.gov/ns/oscal','x'))]/@name".into(),
        "not(exists(@depends-on))".into(),
        "ancestor-or-self::*[last()]/descendant::node()[position() < 3]/..".into(),
        "$v//prop[1]/@* | /catalog/@uuid union (//part)[2]".into(),
        "count(//*) > '9' and @x eq 1 or if (@id) then string-length(@id) else ()".into(),
        "distinct-values((//@*, 1, '1', 1.0)) = concat(@id, 'x') || lower-case('A')".into(),
        "matches(@id, '^[a-z]+$', 'i') and matches(., concat('(', @id))".into(),
        "matches('a', '\\w{1000}\\w{1000}\\w{1000}')".into(),
        "normalize-space(upper-case(string())) ne ends-with(contains('a','b'), '')".into(),
        "//*//*//*//*//*//*//*//* = //*//@*".into(),
        "(1,2,3)[.][position()][last()][1.5][0][-1]".into(),
        "1e99999 = 1e-99999 and .5 = 0.5 and 007".into(),
        "'unclosed".into(),
        "prop[@name='x'".into(),
        "(: comment (: nested :) never closed".into(),
        "doc('x') | map:merge(()) | path(..)".into(),
        "a//b/../@c/d".into(),
        "@id/..//node()/self::*/parent::*/ancestor::*".into(),
        "$undefined, $v/@id".into(),
        "count(1 to 1e300) + sum(-5 to 5) + (1e16 to 1e16 + 3)[last()]".into(),
        "for $a in //*, $b in $a/@* return concat(name($a), $b) || -count($a/*) * 2 div 0".into(),
        "let $x := //part return every $p in $x satisfies some $q in $p/.. satisfies $q/@id".into(),
        "for $a in (1,2,3), $b in $a, $c in $b, $d in $c, $e in $d, $f in $e, $g in $f, $h in $g, $i in $h return $i".into(),
        "'\u{0}' \u{301} é ☃ 𝄞".into(),
        "\u{feff}@id".into(),
        deep,
        deep_preds,
        deep_calls,
        deep_ifs,
        long_or,
        too_long,
    ];
    for seed in &seeds {
        metapath(seed.as_bytes());
    }
    metapath(b"@id = '\xff\xfe'");
    metapath(&[b'(', 0xff, b')']);
}
