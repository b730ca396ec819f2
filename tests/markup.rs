//! Markup conversion (`oscalc::model::markup`) through its public API: against NIST's own
//! pairs and hand-written cases.

use oscalc::model::markup::{markdown_to_xml, xml_to_markdown};

/// XML whitespace, which the XML form of markup folds.
fn is_xml_space(c: char) -> bool {
    matches!(c, ' ' | '\t' | '\n' | '\r')
}

#[derive(serde::Deserialize)]
struct Pair {
    #[serde(rename = "where")]
    place: String,
    kind: String,
    xml: String,
    md: String,
    /// Our Markdown where it deliberately differs from NIST's (reason in the fixture).
    ours: Option<String>,
}

fn pairs() -> Vec<Pair> {
    let text = include_str!("fixtures/markup/pairs.json");
    serde_json::from_str(text).expect("fixture parses")
}

/// Whitespace-insensitive XML: runs collapse to one space and go entirely next to block
/// tags (OSCAL prose treats that whitespace as insignificant; NIST's files are indented).
fn norm_xml(xml: &str) -> String {
    let mut s = xml
        .split(is_xml_space)
        .filter(|t| !t.is_empty())
        .collect::<Vec<_>>()
        .join(" ");
    for tag in [
        "p",
        "ul",
        "ol",
        "li",
        "pre",
        "blockquote",
        "table",
        "tr",
        "th",
        "td",
    ]
    .iter()
    .map(|t| t.to_string())
    .chain((1..=6).map(|n| format!("h{n}")))
    {
        for t in [format!("<{tag}>"), format!("</{tag}>")] {
            s = s
                .replace(&format!(" {t}"), &t)
                .replace(&format!("{t} "), &t);
        }
    }
    s
}

/// Markdown up to the paragraph-edge spaces CommonMark drops (NIST keeps them, see top).
fn norm_md(md: &str) -> String {
    md.split('\n')
        .map(|l| l.trim_matches(' '))
        .collect::<Vec<_>>()
        .join("\n")
}

#[test]
fn nist_pairs_xml_to_markdown_equal_nist_exactly() {
    let pairs = pairs();
    assert!(pairs.len() >= 300);
    for p in &pairs {
        let want = p.ours.as_deref().unwrap_or(&p.md);
        assert_eq!(xml_to_markdown(&p.xml), want, "at {}", p.place);
    }
}

#[test]
fn nist_pairs_markdown_to_xml_equal_nist_normalised() {
    for p in &pairs() {
        let xml = markdown_to_xml(&p.md, p.kind == "multiline");
        if p.ours.is_some() {
            // NIST's `* x*` is literal asterisks to CommonMark; ours reads back as <em>.
            let ours = markdown_to_xml(p.ours.as_deref().unwrap_or_default(), false);
            assert_eq!(
                norm_xml(&ours).replace("<em> ", "<em>"),
                norm_xml(&p.xml).replace("<em> ", "<em>")
            );
            continue;
        }
        assert_eq!(norm_xml(&xml), norm_xml(&p.xml), "at {}", p.place);
    }
}

#[test]
fn nist_pairs_round_trip_stable() {
    for p in &pairs() {
        let multiline = p.kind == "multiline";
        let xml = markdown_to_xml(&p.md, multiline);
        let md = xml_to_markdown(&xml);
        if p.ours.is_none() {
            assert_eq!(norm_md(&md), norm_md(&p.md), "md→xml→md at {}", p.place);
        }
        assert_eq!(
            markdown_to_xml(&md, multiline),
            xml,
            "second md→xml at {}",
            p.place
        );
        let back = markdown_to_xml(&xml_to_markdown(&p.xml), multiline);
        assert_eq!(
            norm_xml(&back),
            norm_xml(&p.xml).replace("<em> ", "<em>"),
            "xml→md→xml at {}",
            p.place
        );
        assert_eq!(
            xml_to_markdown(&back),
            xml_to_markdown(&xml_to_markdown_roundtrip(&back))
        );
    }
}

fn xml_to_markdown_roundtrip(xml: &str) -> String {
    markdown_to_xml(&xml_to_markdown(xml), true)
}

/// XML (in our canonical form) that must survive xml → md → xml byte for byte.
const XML_CASES: &[(&str, bool)] = &[
    ("", true),
    ("", false),
    (r#"<insert type="param" id-ref="a-1_prm_1"/>"#, false),
    (
        r#"<insert type="param" id-ref="x"/> at start and end <insert type="param" id-ref="y"/>"#,
        false,
    ),
    (
        r#"<p><em>a <insert type="param" id-ref="x"/> b</em> and <strong><insert type="param" id-ref="y"/></strong></p>"#,
        true,
    ),
    (
        "a * b _c_ snake_case `t` ~x ^y \\ [z](u) {{ insert: param, x }} {x} &amp;amp; &lt;b&gt;",
        false,
    ),
    (
        "&lt;BREAK&gt; &lt;/p&gt; &lt;http://x.y&gt; &lt;a@b.c&gt; AT&amp;T &amp;#42;",
        false,
    ),
    (
        "\"quoted\" H<sub>2</sub>O x<sup>2</sup> <q>q</q> <q>with <em>em</em></q>",
        false,
    ),
    ("Unicode: żółw — 漢字 ❤ \u{a0}nbsp", false),
    (
        "<p>- not a list</p><p>1. not a list</p><p># not a heading</p><p>&gt; not a quote</p>",
        true,
    ),
    (
        "<p>+ x</p><p>---</p><p>===</p><p>12) y</p><p>[x]: /url</p><p>* z</p><p>`code`</p>",
        true,
    ),
    ("<p>a<br/>- b<br/>c</p>", true),
    (
        "<p>Hello!</p><p>see <a href=\"#ac-2\">AC-2</a>!<a href=\"u\">x</a></p>",
        true,
    ),
    (
        "<p><a href=\"a b(c)\" title=\"t &quot;q&quot;\">[x] y</a> <img src=\"i.png\" alt=\"A *b*\" title=\"T\"/></p>",
        true,
    ),
    (
        "<p><code>a`b</code> <code>``</code> <code>x *y* &lt;z&gt;</code></p>",
        true,
    ),
    (
        "<ul><li>a</li><li>b<ul><li>c</li><li>d<ol><li>e</li></ol></li></ul></li></ul>",
        true,
    ),
    (
        "<ol><li>one</li><li>two</li></ol><ol><li>again</li></ol><ul><li>x</li></ul><ul><li>y</li></ul>",
        true,
    ),
    (
        "<ul><li><p>loose</p></li><li><p>list</p><p>two paragraphs</p></li></ul>",
        true,
    ),
    (
        "<h1>Title</h1><h3>C#</h3><p>text</p><pre>let x = 1;\n\n  *y*  \n```</pre><blockquote><p>q</p><ul><li>l</li></ul></blockquote>",
        true,
    ),
    (
        "<table><tr><th>a</th><th align=\"center\">b</th></tr><tr><td>1 | 2</td><td align=\"center\"><em>x</em></td></tr></table>",
        true,
    ),
    (
        "<p>deep <em>em <strong>strong <q>q <sub>s <sup>p</sup></sub></q></strong></em></p>",
        true,
    ),
    (
        "<p>{{ not an insert }} {{ insert: param }} {{insert:param,x}}</p>",
        true,
    ),
    ("<hr/><p>after rule</p>", true),
];

#[test]
fn xml_cases_survive_xml_markdown_xml() {
    for (xml, multiline) in XML_CASES {
        let md = xml_to_markdown(xml);
        assert_eq!(markdown_to_xml(&md, *multiline), *xml, "via {md:?}");
    }
}

/// Markdown (in our canonical form) that must survive md → xml → md byte for byte.
const MD_CASES: &[(&str, bool)] = &[
    ("{{ insert: param, ac-1_prm_1 }}", false),
    (
        "*{{ insert: param, x }}* and **{{ insert: param, y }}**",
        false,
    ),
    ("\\{{ insert: param, x }} is text", false),
    (
        "a \\* b \\_c\\_ snake_case \\` \\~ \\^ \\\\ \\\" [x\\](y)",
        false,
    ),
    ("AT&T \\&amp; <BREAK> \\<http://x.y>", false),
    ("\"q\" ~sub~ ^sup^ H~2~O", false),
    ("- a\n- b\n  - c\n  - d\n    1. e", true),
    ("1. a\n2. b\n\n1) c", true),
    ("# H\n\n```\ncode\n```\n\n> quote\n>\n> more", true),
    ("| a | b |\n| --- | ---: |\n| 1 | 2 |", true),
    ("[AC-2](#ac-2) ![alt](i.png \"t\")", false),
    ("line\\\nbreak", true),
];

#[test]
fn markdown_cases_survive_markdown_xml_markdown() {
    for (md, multiline) in MD_CASES {
        let xml = markdown_to_xml(md, *multiline);
        assert_eq!(xml_to_markdown(&xml), *md, "via {xml:?}");
    }
}

#[test]
fn text_escapes_only_what_markdown_would_read() {
    let md =
        xml_to_markdown("a * b _c_ snake_case `t` ~x ^y \\ {{ x }} {x} &amp;amp; &lt;b&gt; [MAC]");
    assert_eq!(
        md,
        r"a \* b \_c\_ snake_case \`t\` \~x \^y \\ \{{ x }} {x} \&amp; <b> [MAC]"
    );
    let md = xml_to_markdown("<p>- a</p><p>1. b</p><p># c</p><p>&gt; d</p><p>x [y](z)</p>");
    assert_eq!(md, "\\- a\n\n1\\. b\n\n\\# c\n\n\\> d\n\nx [y\\](z)");
}

#[test]
fn insert_round_trips_exactly() {
    let xml = r#"<insert type="param" id-ref="ac-1_prm_1"/>"#;
    assert_eq!(xml_to_markdown(xml), "{{ insert: param, ac-1_prm_1 }}");
    assert_eq!(
        markdown_to_xml("{{ insert: param, ac-1_prm_1 }}", false),
        xml
    );
    // Looser spacing is read too; an escaped brace is text.
    assert_eq!(markdown_to_xml("{{insert:param,ac-1_prm_1}}", false), xml);
    assert_eq!(
        markdown_to_xml("\\{{ insert: param, x }}", false),
        "{{ insert: param, x }}"
    );
}

#[test]
fn markup_line_reads_block_markers_as_text() {
    assert_eq!(markdown_to_xml("1. Introduction", false), "1. Introduction");
    assert_eq!(markdown_to_xml("# of users", false), "# of users");
    assert_eq!(markdown_to_xml("- a\n> b", false), "- a\n&gt; b");
    assert_eq!(markdown_to_xml("a\n\nb", false), "a b");
    assert_eq!(markdown_to_xml("a\n\nb", true), "<p>a</p><p>b</p>");
}

#[test]
fn pairing_marks_unpaired_stay_text() {
    assert_eq!(markdown_to_xml("say \"hi", true), "<p>say \"hi</p>");
    assert_eq!(
        markdown_to_xml("a ~b \"c~ d\"", true),
        "<p>a <sub>b \"c</sub> d\"</p>"
    );
    assert_eq!(
        markdown_to_xml("`\"x\"` \\\"y\\\"", false),
        "<code>\"x\"</code> \"y\""
    );
}

#[test]
fn pathological_inputs_stay_total() {
    let n = 20_000;
    let deep = format!("{}x{}", "<em>".repeat(n), "</em>".repeat(n));
    let md = xml_to_markdown(&deep);
    assert!(md.contains('x'), "{}", md.len());
    let junk = [
        "<p",
        "<p>a</q>",
        "&#xFFFFFF;&bogus;<",
        "<a href=\"x>y</a>",
        "</r><r>",
        "<![CDATA[*]]>",
    ];
    for xml in junk {
        let md = xml_to_markdown(xml);
        let _ = markdown_to_xml(&md, true);
    }
    assert_eq!(xml_to_markdown("<![CDATA[*a*]]>"), "\\*a\\*");
    for unit in [
        ">",
        "*",
        "[",
        "\\",
        "\"~^",
        "{{ insert: param,",
        "- ",
        "  - a\n",
        "<a>",
        "&#",
        "`",
        "_",
    ] {
        let md = unit.repeat(n);
        for multiline in [true, false] {
            let xml = markdown_to_xml(&md, multiline);
            let again = xml_to_markdown(&xml);
            let _ = markdown_to_xml(&again, multiline);
        }
    }
}
