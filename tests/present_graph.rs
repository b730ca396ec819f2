//! The import graph's pictures (`oscalc::present::graph::draw`) through the public API: strings
//! from a document stay inside their DOT and Mermaid labels and on one line of the tree.

use oscalc::present::graph::{DocView, EdgeView, ImportView, Style, draw};

#[test]
fn hostile_href_stays_inside_dot_and_mermaid_labels() {
    let href = "a\"];\nevil [label=\"x|y\"]<script>#";
    let view = ImportView {
        root: 0,
        docs: vec![DocView {
            name: "p.json".into(),
            profile: true,
            title: "t".into(),
            imports: vec![EdgeView {
                href: href.into(),
                resource: None,
                to: None,
                selected: None,
                failure: Some("req-uri-error".into()),
            }],
        }],
    };
    let d = draw(&view, Style::Dot);
    assert!(
        d.contains(r#"label="a\"];\nevil [label=\"x|y\"]<script>#""#),
        "{d}"
    );
    assert_eq!(d.lines().count(), 7, "{d}");
    let m = draw(&view, Style::Mermaid);
    assert!(
        m.contains(
            r#"f0_0["a#34;#93;#59;#10;evil #91;label#61;#34;x#124;y#34;#93;#60;script#62;#35;"]"#
        ),
        "{m}"
    );
    assert_eq!(m.lines().count(), 4, "{m}");
    let t = draw(&view, Style::Tree);
    assert_eq!(
        t,
        "p.json (profile: t)\n└── ✗ a\"];\\nevil [label=\"x|y\"]<script>#: req-uri-error\n"
    );
}
