//! The XML reader's JSON form (`oscalc::xml::read`) and what it refuses, on small documents
//! covering each shape of the binding, and NIST's rev5 LOW profile against its JSON; the hostile
//! bytes the tokenizer stops (`syntax`); the reference corpus, when it sits beside the checkout
//! (`corpus`, ignored by default); the loader's typed read against the JSON form typed by serde
//! (`typed_route`).

mod json_form {
    use serde_json::{Value, json};

    use oscalc::xml::{XmlLimits, XmlRead, read};

    const NS: &str = "http://csrc.nist.gov/ns/oscal/1.0";

    fn load(doc: &str) -> XmlRead {
        read(doc.as_bytes(), &XmlLimits::default()).unwrap_or_else(|e| panic!("{e}"))
    }

    /// Equal including key order (`Value`'s own `==` ignores the order of object keys).
    fn assert_same(actual: &Value, expected: &Value) {
        let a = serde_json::to_string_pretty(actual).unwrap_or_default();
        let e = serde_json::to_string_pretty(expected).unwrap_or_default();
        assert!(a == e, "expected:\n{e}\nactual:\n{a}");
    }

    const METADATA_AND_BACK_MATTER: &str = r##"<?xml version="1.0" encoding="UTF-8"?>
<catalog xmlns="http://csrc.nist.gov/ns/oscal/1.0" uuid="c">
  <metadata>
    <title>Cat &amp; <em>dog</em></title>
    <published>2024-01-01T00:00:00Z</published>
    <last-modified>2024-01-02T00:00:00Z</last-modified>
    <version>1</version>
    <oscal-version>1.2.3</oscal-version>
    <revisions>
      <revision><version>0.9</version><link href="#r" rel="x"><text>old</text></link></revision>
    </revisions>
    <document-id scheme="https://doi.org">10.1/x</document-id>
    <link rel="alternate" href="#a"/>
    <prop value="v" name="n" class="k"><remarks><p>why</p></remarks></prop>
    <role id="creator"><title>Creator</title><short-name>C</short-name><description><p>d</p></description></role>
    <location uuid="l">
      <address type="work"><addr-line>1 Main St</addr-line><city>Town</city><country>US</country></address>
      <email-address>a@b.c</email-address>
      <telephone-number type="office">+1 555</telephone-number>
      <url>https://example.com</url>
    </location>
    <party uuid="p" type="organization">
      <name>Org</name>
      <external-id scheme="https://orcid.org">0000</external-id>
      <location-uuid>l</location-uuid>
      <member-of-organization>p2</member-of-organization>
    </party>
    <responsible-party role-id="creator"><party-uuid>p</party-uuid></responsible-party>
    <action uuid="a" type="approval" system="https://example.com/s" date="2024-01-01T00:00:00Z">
      <responsible-party role-id="creator"><party-uuid>p</party-uuid></responsible-party>
    </action>
    <remarks>
      <p>one</p>
      <ul><li>two</li></ul>
    </remarks>
  </metadata>
  <back-matter>
    <resource uuid="r">
      <title>Res</title>
      <document-id scheme="https://doi.org">10.2/y</document-id>
      <citation><text>Cite</text><prop name="n" value="v"/></citation>
      <rlink href="cat.xml" media-type="application/xml"><hash algorithm="SHA-256">abc</hash></rlink>
      <base64 filename="f.bin" media-type="application/octet-stream">AAAA</base64>
    </resource>
  </back-matter>
</catalog>"##;

    #[test]
    fn metadata_and_back_matter_map_to_the_json_form() {
        let x = |s: &str| json!({ "$xml": s });
        let expected = json!({
            "uuid": "c",
            "metadata": {
                "title": x("Cat &amp; <em>dog</em>"),
                "published": "2024-01-01T00:00:00Z",
                "last-modified": "2024-01-02T00:00:00Z",
                "version": "1",
                "oscal-version": "1.2.3",
                "revisions": [{"version": "0.9", "links": [{"href": "#r", "rel": "x", "text": x("old")}]}],
                "document-ids": [{"scheme": "https://doi.org", "identifier": "10.1/x"}],
                "props": [{"name": "n", "value": "v", "class": "k", "remarks": x("<p>why</p>")}],
                "links": [{"href": "#a", "rel": "alternate"}],
                "roles": [{"id": "creator", "title": x("Creator"), "short-name": "C",
                           "description": x("<p>d</p>")}],
                "locations": [{
                    "uuid": "l",
                    "address": {"type": "work", "addr-lines": ["1 Main St"], "city": "Town", "country": "US"},
                    "email-addresses": ["a@b.c"],
                    "telephone-numbers": [{"type": "office", "number": "+1 555"}],
                    "urls": ["https://example.com"]
                }],
                "parties": [{
                    "uuid": "p", "type": "organization", "name": "Org",
                    "external-ids": [{"scheme": "https://orcid.org", "id": "0000"}],
                    "location-uuids": ["l"],
                    "member-of-organizations": ["p2"]
                }],
                "responsible-parties": [{"role-id": "creator", "party-uuids": ["p"]}],
                "actions": [{
                    "uuid": "a", "date": "2024-01-01T00:00:00Z", "type": "approval",
                    "system": "https://example.com/s",
                    "responsible-parties": [{"role-id": "creator", "party-uuids": ["p"]}]
                }],
                "remarks": x("<p>one</p><ul><li>two</li></ul>")
            },
            "back-matter": {"resources": [{
                "uuid": "r",
                "title": x("Res"),
                "document-ids": [{"scheme": "https://doi.org", "identifier": "10.2/y"}],
                "citation": {"text": x("Cite"), "props": [{"name": "n", "value": "v"}]},
                "rlinks": [{"href": "cat.xml", "media-type": "application/xml",
                            "hashes": [{"algorithm": "SHA-256", "value": "abc"}]}],
                "base64": {"filename": "f.bin", "media-type": "application/octet-stream", "value": "AAAA"}
            }]}
        });
        assert_same(&load(METADATA_AND_BACK_MATTER).value, &expected);
    }

    #[test]
    fn profile_directives_map_to_the_json_form() {
        let doc = format!(
            r##"<profile xmlns="{NS}" uuid="p">
  <import href="a.xml">
    <include-controls with-child-controls="yes" with-parent-controls="no">
      <with-id>ac-1</with-id><with-id>ac-2</with-id>
      <matching pattern="ac-*"/>
    </include-controls>
    <exclude-controls><with-id>ac-3</with-id></exclude-controls>
  </import>
  <import href="b.xml"><include-all/></import>
  <merge><combine method="use-first"/><as-is>true</as-is></merge>
  <modify>
    <set-parameter param-id="p1"><value>x</value><value>y</value></set-parameter>
    <alter control-id="ac-1">
      <remove by-name="label"/>
      <add position="ending" by-id="ac-1_smt"><prop name="n" value="v"/></add>
    </alter>
  </modify>
</profile>"##
        );
        let expected = json!({
            "uuid": "p",
            "imports": [
                {"href": "a.xml",
                 "include-controls": [{"with-child-controls": "yes", "with-parent-controls": "no",
                                       "with-ids": ["ac-1", "ac-2"], "matching": [{"pattern": "ac-*"}]}],
                 "exclude-controls": [{"with-ids": ["ac-3"]}]},
                {"href": "b.xml", "include-all": {}}
            ],
            "merge": {"combine": {"method": "use-first"}, "as-is": true},
            "modify": {
                "set-parameters": [{"param-id": "p1", "values": ["x", "y"]}],
                "alters": [{"control-id": "ac-1",
                            "removes": [{"by-name": "label"}],
                            "adds": [{"position": "ending", "by-id": "ac-1_smt",
                                      "props": [{"name": "n", "value": "v"}]}]}]
            }
        });
        let read = load(&doc);
        assert_eq!(read.root, "profile");
        assert_same(&read.value, &expected);
    }

    #[test]
    fn custom_merge_and_flat_map_to_the_json_form() {
        let doc = format!(r##"<profile xmlns="{NS}" uuid="p"><merge><flat/></merge></profile>"##);
        assert_same(
            &load(&doc).value,
            &json!({"uuid": "p", "merge": {"flat": {}}}),
        );
        let doc = format!(
            r##"<profile xmlns="{NS}" uuid="p"><merge><custom>
  <group id="g"><title>G</title><insert-controls order="keep"><include-all/></insert-controls></group>
</custom></merge></profile>"##
        );
        let expected = json!({"uuid": "p", "merge": {"custom": {"groups": [{
            "id": "g", "title": {"$xml": "G"},
            "insert-controls": [{"order": "keep", "include-all": {}}]
        }]}}});
        assert_same(&load(&doc).value, &expected);
    }

    #[test]
    fn part_prose_is_the_unwrapped_block_children() {
        let doc = format!(
            r##"<catalog xmlns="{NS}" uuid="c"><control id="a"><title>A</title>
  <param id="a_prm"><label>L</label><guideline><p>G</p></guideline>
    <select how-many="one-or-more"><choice>x <insert type="param" id-ref="q"/></choice><choice>y</choice></select>
  </param>
  <part name="statement" id="a_smt">
    <prop name="label" value="a."/>
    <p>Do <em>this</em>:</p>
    <ol start="2">
      <li>one<br/>two</li>
    </ol>
    <part name="item"><p><![CDATA[<raw> & ]]></p></part>
    <link href="#b"/>
  </part>
</control></catalog>"##
        );
        let x = |s: &str| json!({ "$xml": s });
        let expected = json!({"uuid": "c", "controls": [{
            "id": "a",
            "title": x("A"),
            "params": [{"id": "a_prm", "label": x("L"), "guidelines": [{"prose": x("<p>G</p>")}],
                        "select": {"how-many": "one-or-more",
                                   "choice": [x("x <insert type=\"param\" id-ref=\"q\"/>"), x("y")]}}],
            "parts": [{
                "id": "a_smt", "name": "statement",
                "props": [{"name": "label", "value": "a."}],
                "prose": x("<p>Do <em>this</em>:</p><ol start=\"2\">\n      <li>one<br/>two</li>\n    </ol>"),
                "parts": [{"name": "item", "prose": x("<p>&lt;raw&gt; &amp; </p>")}],
                "links": [{"href": "#b"}]
            }]
        }]});
        assert_same(&load(&doc).value, &expected);
    }

    #[test]
    fn unknown_element_is_located_and_named_with_its_parent() {
        let doc = format!(
            r##"<catalog xmlns="{NS}" uuid="c"><control id="a"><bogus/></control></catalog>"##
        );
        let e = read(doc.as_bytes(), &XmlLimits::default()).expect_err("unknown element");
        assert_eq!(
            (e.code, e.offset),
            ("load-xml-shape", doc.find("<bogus").unwrap_or(0))
        );
        assert!(
            e.message.contains("`bogus`") && e.message.contains("`control`"),
            "{}",
            e.message
        );
    }

    #[test]
    fn misplaced_and_repeated_elements_are_shape_errors() {
        let cases = [
            (
                "<metadata><title>a</title><title>b</title></metadata>",
                "<title>b",
            ),
            (
                "<metadata><version>1<em>x</em></version></metadata>",
                "<em>",
            ),
            ("<metadata><title>a<div/></title></metadata>", "<div"),
            ("<metadata>stray text</metadata>", "stray"),
            (
                "<metadata><revisions><revision/><role/></revisions></metadata>",
                "<role",
            ),
            (
                r##"<metadata><title class="x">a</title></metadata>"##,
                "class",
            ),
            (
                r##"<param id="p" xmlns:h="http://www.w3.org/1999/xhtml"><h:p/></param>"##,
                "<h:p",
            ),
        ];
        for (body, at) in cases {
            let doc = format!(r##"<catalog xmlns="{NS}" uuid="c">{body}</catalog>"##);
            let e = read(doc.as_bytes(), &XmlLimits::default()).expect_err(body);
            assert_eq!(e.code, "load-xml-shape", "{body}: {e}");
            assert_eq!(e.offset, doc.find(at).unwrap_or(0), "{body}: {e}");
        }
    }

    #[test]
    fn foreign_element_in_markup_names_the_markup_field() {
        let doc = format!(
            r##"<catalog xmlns="{NS}" uuid="c"><metadata><title>a <em>b<div/></em></title></metadata></catalog>"##
        );
        let e = read(doc.as_bytes(), &XmlLimits::default()).expect_err("div in markup");
        assert!(
            e.message.contains("`div`") && e.message.contains("`em`"),
            "{}",
            e.message
        );
        let doc = format!(
            r##"<catalog xmlns="{NS}" uuid="c"><control id="a"><title>A</title><part name="s"><div/></part></control></catalog>"##
        );
        let e = read(doc.as_bytes(), &XmlLimits::default()).expect_err("div in part");
        assert!(
            e.message.contains("`div`") && e.message.contains("`part`"),
            "{}",
            e.message
        );
    }

    #[test]
    fn boolean_that_is_not_one_stays_a_string_for_the_typed_model() {
        let doc = format!(
            r##"<profile xmlns="{NS}" uuid="p"><merge><as-is>maybe</as-is></merge></profile>"##
        );
        assert_eq!(load(&doc).value["merge"]["as-is"], "maybe");
    }

    #[test]
    fn nist_rev5_low_profile_equals_its_json() {
        let xml = include_bytes!("fixtures/xml/NIST_SP-800-53_rev5_LOW-baseline_profile.xml");
        let json = include_str!("fixtures/xml/NIST_SP-800-53_rev5_LOW-baseline_profile.json");
        let nist: Value = serde_json::from_str(json).unwrap_or_default();
        let read = read(xml, &XmlLimits::default()).unwrap_or_else(|e| panic!("{e}"));
        let mut nist_profile = nist["profile"].clone();
        // Markup differs by design ({"$xml"} against Markdown): compare the XML side's markup
        // positions by presence only.
        nist_profile["metadata"]["title"] = read.value["metadata"]["title"].clone();
        for (i, role) in read.value["metadata"]["roles"]
            .as_array()
            .into_iter()
            .flatten()
            .enumerate()
        {
            nist_profile["metadata"]["roles"][i]["title"] = role["title"].clone();
        }
        assert_same(&read.value, &nist_profile);
    }
}

/// What the tokenizer refuses before any OSCAL meaning: DTDs, entities, limits, encodings,
/// namespaces, syntax.
mod syntax {
    use oscalc::xml::{XmlError, XmlLimits, read};

    const NS: &str = "http://csrc.nist.gov/ns/oscal/1.0";

    fn error(bytes: &[u8]) -> XmlError {
        match read(bytes, &XmlLimits::default()) {
            Ok(r) => panic!("read succeeded: {:?}", r.value),
            Err(e) => e,
        }
    }

    fn assert_error(bytes: &[u8], code: &str, offset: usize) {
        let e = error(bytes);
        assert_eq!((e.code, e.offset), (code, offset), "{e}");
    }

    fn catalog(body: &str) -> String {
        format!(r#"<catalog xmlns="{NS}" uuid="u">{body}</catalog>"#)
    }

    #[test]
    fn doctype_with_external_entity_is_refused() {
        let bytes = include_bytes!("fixtures/xml/req-spoofing-resource.xml");
        let at = bytes
            .windows(9)
            .position(|w| w == b"<!DOCTYPE")
            .unwrap_or(usize::MAX);
        assert_error(bytes, "load-xml-dtd", at);
    }

    #[test]
    fn billion_laughs_is_refused_at_the_doctype() {
        let doc = r#"<?xml version="1.0"?>
<!DOCTYPE catalog [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;">]>
<catalog xmlns="http://csrc.nist.gov/ns/oscal/1.0" uuid="&lol2;"/>"#;
        assert_error(doc.as_bytes(), "load-xml-dtd", 22);
    }

    #[test]
    fn bare_doctype_is_ignored() {
        let doc = format!("<!DOCTYPE catalog>{}", catalog(""));
        let read = read(doc.as_bytes(), &XmlLimits::default()).expect("reads");
        assert_eq!(read.value["uuid"], "u");
    }

    #[test]
    fn undeclared_entity_in_text_is_refused() {
        let doc = catalog("<metadata><title>a &lol9; b</title></metadata>");
        let at = doc.find("&lol9;").unwrap_or(usize::MAX);
        let e = error(doc.as_bytes());
        assert_eq!((e.code, e.offset), ("load-xml-entity", at), "{e}");
        assert!(e.message.contains("&lol9;"), "{}", e.message);
    }

    #[test]
    fn undeclared_entity_in_attribute_is_refused() {
        let doc = format!(r#"<catalog xmlns="{NS}" uuid="&xxe;"/>"#);
        let at = doc.find("uuid").unwrap_or(usize::MAX);
        assert_error(doc.as_bytes(), "load-xml-entity", at);
    }

    #[test]
    fn predefined_and_numeric_references_are_resolved() {
        let doc = catalog(r#"<param id="a&amp;b&#x41;&#66;&lt;&gt;&quot;&apos;"/>"#);
        let read = read(doc.as_bytes(), &XmlLimits::default()).expect("reads");
        assert_eq!(read.value["params"][0]["id"], "a&bAB<>\"'");
    }

    #[test]
    fn deep_nesting_is_a_limit_error_not_a_crash() {
        let mut doc = format!(r#"<catalog xmlns="{NS}" uuid="u">"#);
        for _ in 0..100_000 {
            doc.push_str("<group>");
        }
        // The root is depth 1; the 256th group is the 257th element.
        let at = doc.find("<group>").unwrap_or(0) + 255 * "<group>".len();
        assert_error(doc.as_bytes(), "load-limit", at);
    }

    #[test]
    fn nesting_limit_is_configurable() {
        let doc = catalog("<group><group/></group>");
        let limits = XmlLimits {
            max_depth: 2,
            ..XmlLimits::default()
        };
        let e = read(doc.as_bytes(), &limits).expect_err("too deep");
        assert_eq!(e.code, "load-limit");
        assert_eq!(e.offset, doc.find("<group/>").unwrap_or(0));
    }

    #[test]
    fn size_limit_is_checked_first() {
        let doc = catalog("");
        let limits = XmlLimits {
            max_bytes: 10,
            ..XmlLimits::default()
        };
        let e = read(doc.as_bytes(), &limits).expect_err("too big");
        assert_eq!((e.code, e.offset), ("load-limit", 10));
    }

    #[test]
    fn truncated_document_names_the_open_element() {
        let doc = catalog("<metadata><title>T</title>");
        let cut = &doc[..doc.find("</catalog>").unwrap_or(0)];
        let e = error(cut.as_bytes());
        assert_eq!((e.code, e.offset), ("load-xml-syntax", cut.len()), "{e}");
        assert!(e.message.contains("metadata"), "{}", e.message);
    }

    #[test]
    fn truncated_inside_a_tag_is_a_syntax_error() {
        let doc = catalog("<metadata");
        let cut = &doc[..doc.find("</catalog>").unwrap_or(0)];
        assert_eq!(error(cut.as_bytes()).code, "load-xml-syntax");
    }

    #[test]
    fn mismatched_end_tag_is_a_syntax_error() {
        let doc = catalog("<group></control>");
        let e = error(doc.as_bytes());
        assert_eq!(e.code, "load-xml-syntax", "{e}");
        assert_eq!(e.offset, doc.find("</control>").unwrap_or(0));
    }

    #[test]
    fn empty_and_blank_documents_are_syntax_errors() {
        assert_error(b"", "load-xml-syntax", 0);
        assert_error(b"  \n", "load-xml-syntax", 3);
        assert_error(b"<?xml version=\"1.0\"?><!-- c -->", "load-xml-syntax", 31);
    }

    #[test]
    fn invalid_utf8_is_located() {
        let mut doc = catalog("<metadata><title>").into_bytes();
        let at = doc.len();
        doc.extend_from_slice(b"caf\xe9</title></metadata></catalog>");
        assert_error(&doc, "load-encoding", at + 3);
    }

    #[test]
    fn other_declared_encoding_is_refused() {
        let doc = format!(
            r#"<?xml version="1.0" encoding="ISO-8859-1"?>{}"#,
            catalog("")
        );
        assert_error(doc.as_bytes(), "load-encoding", 0);
    }

    #[test]
    fn utf16_is_refused() {
        assert_error(b"\xff\xfe<\x00c\x00", "load-encoding", 0);
    }

    #[test]
    fn wrong_root_is_a_shape_error() {
        let doc = format!(r#"<?xml version="1.0"?><system-security-plan xmlns="{NS}"/>"#);
        let e = error(doc.as_bytes());
        assert_eq!((e.code, e.offset), ("load-xml-shape", 21), "{e}");
        assert!(e.message.contains("system-security-plan"), "{}", e.message);
    }

    #[test]
    fn root_outside_the_oscal_namespace_is_refused() {
        assert_error(b"<catalog uuid=\"u\"/>", "load-xml-namespace", 0);
        assert_error(
            b"<catalog xmlns=\"http://example.com/\" uuid=\"u\"/>",
            "load-xml-namespace",
            0,
        );
    }

    #[test]
    fn prefixed_oscal_elements_are_read() {
        let doc = format!(r#"<o:catalog xmlns:o="{NS}" uuid="u"><o:param id="p"/></o:catalog>"#);
        let read = read(doc.as_bytes(), &XmlLimits::default()).expect("reads");
        assert_eq!(read.value["params"][0]["id"], "p");
    }

    #[test]
    fn namespace_errors_win_over_attribute_errors_and_the_checks() {
        // A bad binding after a duplicated attribute, and on an element after the root.
        let dup = format!(r#"<catalog xmlns="{NS}" uuid="u" x="1" x="2" xmlns:xml="bad"/>"#);
        let e = error(dup.as_bytes());
        assert_eq!(e.code, "load-xml-syntax", "{e}");
        assert!(e.message.contains("'xml' cannot be bound"), "{}", e.message);
        let after = format!(r#"{}<b xmlns:xml="bad"/>"#, catalog(""));
        assert!(
            error(after.as_bytes())
                .message
                .contains("'xml' cannot be bound")
        );
        let plain = format!(r#"<catalog xmlns="{NS}" uuid="u" x="1" x="2"/>"#);
        let e = error(plain.as_bytes());
        assert_eq!(e.offset, 0);
        assert!(e.message.starts_with("bad attribute:"), "{}", e.message);
    }

    #[test]
    fn namespace_scopes_end_with_their_element() {
        let doc = format!(
            r#"<o:catalog xmlns:o="{NS}" uuid="u"><o:param xmlns:o="other" id="p"/></o:catalog>"#
        );
        let e = error(doc.as_bytes());
        assert_eq!(
            (e.code, e.offset),
            ("load-xml-shape", doc.find("<o:param").unwrap_or(0))
        );
        let doc = format!(
            r#"<o:catalog xmlns:o="{NS}" uuid="u"><x xmlns="other"/><o:param id="p"/></o:catalog>"#
        );
        assert_eq!(error(doc.as_bytes()).offset, doc.find("<x").unwrap_or(0));
        let doc = format!(
            r#"<o:catalog xmlns:o="{NS}" uuid="u"><o:param xmlns:o="{NS}" id="p"/><o:param id="q"/></o:catalog>"#
        );
        let read = read(doc.as_bytes(), &XmlLimits::default()).expect("reads");
        assert_eq!(read.value["params"][1]["id"], "q");
    }

    #[test]
    fn content_after_the_root_is_a_syntax_error() {
        let doc = format!("{}<catalog/>", catalog(""));
        let e = error(doc.as_bytes());
        assert_eq!(e.code, "load-xml-syntax", "{e}");
        let text = format!("{} trailing", catalog(""));
        assert_eq!(error(text.as_bytes()).code, "load-xml-syntax");
    }

    #[test]
    fn comments_and_processing_instructions_are_skipped() {
        let doc = format!(
            r#"<?xml version="1.0"?><?xml-model href="x.sch"?><!-- a -->{}<!-- b -->"#,
            catalog("<!-- c --><?pi x?><param id=\"p\"/>")
        );
        let read = read(doc.as_bytes(), &XmlLimits::default()).expect("reads");
        assert_eq!(read.value["params"][0]["id"], "p");
    }

    #[test]
    fn arbitrary_bytes_never_panic() {
        // A cheap stand-in for the fuzz target: every prefix of a rich document, and some noise.
        let doc = include_str!("fixtures/xml/loose-parameters.xml");
        for end in 0..doc.len() {
            let _ = read(&doc.as_bytes()[..end], &XmlLimits::default());
        }
        let mut seed = 0x2545_f491_u32;
        for _ in 0..2000 {
            let mut bytes = doc.as_bytes().to_vec();
            for _ in 0..4 {
                seed ^= seed << 13;
                seed ^= seed >> 17;
                seed ^= seed << 5;
                let at = seed as usize % bytes.len();
                if let Some(b) = bytes.get_mut(at) {
                    *b = (seed >> 8) as u8;
                }
            }
            let _ = read(&bytes, &XmlLimits::default());
        }
    }

    #[test]
    fn a_duplicated_attribute_is_reported_before_its_bad_value() {
        // The unchecked pass would stop at the unquoted value; the error is the checked pass's.
        let doc = format!(r#"<catalog xmlns="{NS}" uuid="u" x="1" x=2/>"#);
        let e = error(doc.as_bytes());
        assert_eq!(
            (e.code, e.message.as_str(), e.offset),
            (
                "load-xml-syntax",
                "bad attribute: position 65: duplicated attribute, previous declaration at position 59",
                0
            )
        );
    }
}

/// NIST's XML against its JSON, and every spec-test document through a round trip.
mod corpus {
    use std::path::{Path, PathBuf};

    use serde_json::Value;

    use oscalc::xml::{XmlLimits, XmlRead, read, write};

    /// `../shared`, the reference corpus, when this checkout sits beside it.
    fn shared() -> Option<PathBuf> {
        let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/corpus");
        dir.is_dir().then_some(dir)
    }

    /// Differences between a value read from XML and NIST's JSON: keys, key order, array
    /// lengths and non-markup values; markup (`{"$xml"}`) only by presence.
    fn differences(xml: &Value, json: &Value, at: &str, out: &mut Vec<String>) {
        if out.len() > 20 {
            return;
        }
        match (xml, json) {
            (Value::Object(m), Value::String(_)) if m.len() == 1 && m.contains_key("$xml") => {}
            (Value::Object(a), Value::Object(b)) => {
                let ka: Vec<_> = a.keys().collect();
                let kb: Vec<_> = b.keys().collect();
                if ka != kb {
                    out.push(format!("{at}: keys {ka:?} != {kb:?}"));
                }
                for (k, v) in a {
                    if let Some(w) = b.get(k) {
                        differences(v, w, &format!("{at}/{k}"), out);
                    }
                }
            }
            (Value::Array(a), Value::Array(b)) => {
                if a.len() != b.len() {
                    out.push(format!("{at}: {} items != {}", a.len(), b.len()));
                }
                for (i, (v, w)) in a.iter().zip(b).enumerate() {
                    differences(v, w, &format!("{at}/{i}"), out);
                }
            }
            (a, b) if a == b => {}
            (a, b) => out.push(format!("{at}: {a} != {b}")),
        }
    }

    fn read_file(path: &Path) -> XmlRead {
        let bytes = std::fs::read(path).expect("corpus file");
        read(&bytes, &XmlLimits::default()).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
    }

    fn assert_round_trip(path: &Path, loaded: &XmlRead) {
        let text = write(loaded.root, &loaded.value)
            .unwrap_or_else(|e| panic!("{}: write: {e}", path.display()));
        let again = read(text.as_bytes(), &XmlLimits::default())
            .unwrap_or_else(|e| panic!("{}: re-read: {e}", path.display()));
        let mut diffs = Vec::new();
        differences(&again.value, &loaded.value, "", &mut diffs);
        assert!(
            again.value == loaded.value,
            "{}: round trip differs: {diffs:#?}",
            path.display()
        );
    }

    fn pairs(corpus: &Path) -> Vec<(PathBuf, PathBuf)> {
        let rev4 = corpus.join("sp800-53-rev4/nist.gov/SP800-53/rev4");
        let rev5 = corpus.join("sp800-53-rev5-2021");
        let mut pairs = Vec::new();
        for dir in [rev4, rev5] {
            let Ok(entries) = std::fs::read_dir(dir.join("xml")) else {
                continue;
            };
            let mut names: Vec<_> = entries.flatten().map(|e| e.file_name()).collect();
            names.sort();
            for name in names {
                let name = name.to_string_lossy().into_owned();
                let json = match name.as_str() {
                    "NIST_SP-800-53_rev4_catalog.xml" => {
                        "NIST_SP-800-53_rev4_catalog-min.json".to_owned()
                    }
                    other => other.replace(".xml", ".json"),
                };
                pairs.push((dir.join("xml").join(&name), dir.join("json").join(json)));
            }
        }
        pairs
    }

    #[test]
    #[ignore = "reads the reference corpus in ../shared"]
    fn corpus_xml_matches_nist_json() {
        let Some(corpus) = shared() else { return };
        let mut failures = Vec::new();
        for (xml, json) in pairs(&corpus) {
            let loaded = read_file(&xml);
            let text = std::fs::read_to_string(&json).expect("json");
            let nist: Value = serde_json::from_str(&text).expect("json parses");
            let mut diffs = Vec::new();
            let nist_value = &nist[loaded.root];
            differences(
                &loaded.value,
                nist_value,
                &format!("/{}", loaded.root),
                &mut diffs,
            );
            // The rev5 JSON profiles import the XML catalog too (documented upstream), so even
            // that href is equal here.
            if !diffs.is_empty() {
                failures.push(format!("{}: {diffs:#?}", xml.display()));
            }
            assert_round_trip(&xml, &loaded);
        }
        assert!(failures.is_empty(), "{}", failures.join("\n"));
    }

    #[test]
    #[ignore = "reads the reference corpus in ../shared"]
    fn corpus_spec_tests_round_trip() {
        let Some(corpus) = shared() else { return };
        let mut files = Vec::new();
        let mut dirs = vec![corpus.join("spec-tests/requirement-tests")];
        while let Some(dir) = dirs.pop() {
            for entry in std::fs::read_dir(&dir).expect("dir").flatten() {
                let path = entry.path();
                if path.is_dir() {
                    dirs.push(path);
                } else if path.extension().is_some_and(|e| e == "xml") {
                    files.push(path);
                }
            }
        }
        files.sort();
        // Not catalogs or profiles, on purpose: the reference XSLT's error record, the DTD
        // attack, and the bare fragment that attack tries to pull in.
        let refused = [
            ("req-circular_import_RESOLVED.xml", "load-xml-shape"),
            ("req-spoofing-resource.xml", "load-xml-dtd"),
            ("spoofed-resource.xml", "load-xml-shape"),
        ];
        for path in &files {
            let bytes = std::fs::read(path).expect("file");
            let name = path.file_name().map(|n| n.to_string_lossy().into_owned());
            let expected = refused.iter().find(|(n, _)| Some(*n) == name.as_deref());
            match (read(&bytes, &XmlLimits::default()), expected) {
                (Ok(loaded), None) => assert_round_trip(path, &loaded),
                (Err(e), Some((_, code))) => assert_eq!(e.code, *code, "{}", path.display()),
                (Ok(_), Some(_)) => panic!("{} should be refused", path.display()),
                (Err(e), None) => panic!("{}: {e}", path.display()),
            }
        }
        assert_eq!(files.len(), 72, "the spec-test folder changed");
    }
}

/// The loader reads XML straight into the typed model; the JSON form typed by serde is its oracle.
mod typed_route {
    use oscalc::Options;
    use oscalc::model::{Catalog, Document, Profile};
    use oscalc::source::SourceMap;
    use oscalc::xml::XmlLimits;
    use std::path::{Path, PathBuf};

    /// The typed document through the `Value` route, or `None` if that route refuses it.
    fn through_value(bytes: &[u8]) -> Option<Document> {
        let read = oscalc::xml::read(bytes, &XmlLimits::default()).ok()?;
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

    /// The typed read (the loader's), or `None` if it refuses the document.
    fn typed_read(bytes: &[u8]) -> Option<Document> {
        let uri = url::Url::parse("file:///c.xml").expect("url");
        let mut sources = SourceMap::default();
        oscalc::load::load(bytes.to_vec(), &uri, &mut sources, &Options::default())
            .ok()
            .map(|loaded| loaded.doc)
    }

    /// The diagnostic of loading `doc`: code, message, and where (pointer or offset).
    fn refusal(doc: &str) -> (String, String, String) {
        let uri = url::Url::parse("file:///c.xml").expect("url");
        let mut sources = SourceMap::default();
        let diags = oscalc::load::load(
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
            let quick = typed_read(&bytes);
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
        let loaded = oscalc::load::load(doc.into_bytes(), &uri, &mut sources, &Options::default())
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
        let loaded = oscalc::load::load(doc.into_bytes(), &uri, &mut sources, &Options::default())
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
                if let Some(quick) = typed_read(&doc) {
                    checked += 1;
                    assert_eq!(Some(quick), through_value(&doc), "byte {at}: {replace:?}");
                }
            }
        }
        assert!(checked > 100, "{checked}");
    }
}
