//! The Metapath entry point: arbitrary text parsed as an expression and, when it parses,
//! evaluated at every node of a fixed small catalog tree under a small step budget.

use std::borrow::Cow;

use oscalc::metaschema::path::{Env, Expr, Node};

/// The tree, in document order: (name, is flag, parent, value). A catalog with metadata, a
/// group, two controls (one nested), props in and out of the OSCAL namespace, parts, a link.
const ROWS: &[(&str, bool, Option<usize>, Option<&str>)] = &[
    ("", false, None, None),
    ("catalog", false, Some(0), None),
    ("uuid", true, Some(1), Some("u-1")),
    ("metadata", false, Some(1), None),
    ("title", false, Some(3), Some("Cat")),
    ("group", false, Some(1), None),
    ("id", true, Some(5), Some("g1")),
    ("control", false, Some(5), None),
    ("id", true, Some(7), Some("c1")),
    ("prop", false, Some(7), None),
    ("name", true, Some(9), Some("status")),
    ("value", true, Some(9), Some("withdrawn")),
    ("prop", false, Some(7), None),
    ("name", true, Some(12), Some("label")),
    ("ns", true, Some(12), Some("http://x.org/ns")),
    ("value", true, Some(12), Some("10")),
    ("link", false, Some(7), None),
    ("rel", true, Some(16), Some("related")),
    ("href", true, Some(16), Some("#c2")),
    ("control", false, Some(7), None),
    ("id", true, Some(19), Some("c1.1")),
    ("part", false, Some(19), None),
    ("name", true, Some(21), Some("statement")),
    ("part", false, Some(21), None),
    ("name", true, Some(23), Some("item")),
    ("control", false, Some(5), None),
    ("id", true, Some(25), Some("c2")),
    ("param", false, Some(25), None),
    ("id", true, Some(27), Some("c2_prm")),
    ("depends-on", true, Some(27), Some("c1")),
];

/// A node of [`ROWS`], by index.
#[derive(Clone, PartialEq)]
struct Row(usize);

impl Row {
    fn row(&self) -> (&'static str, bool, Option<usize>, Option<&'static str>) {
        ROWS.get(self.0).copied().unwrap_or(("", false, None, None))
    }

    fn below(&self, flags: bool) -> Vec<Row> {
        (0..ROWS.len())
            .map(Row)
            .filter(|r| r.row().2 == Some(self.0) && r.row().1 == flags)
            .collect()
    }
}

impl Node for Row {
    fn name(&self) -> &str {
        self.row().0
    }
    fn is_flag(&self) -> bool {
        self.row().1
    }
    fn parent(&self) -> Option<Self> {
        self.row().2.map(Row)
    }
    fn children(&self) -> Vec<Self> {
        self.below(false)
    }
    fn flags(&self) -> Vec<Self> {
        self.below(true)
    }
    fn value(&self) -> Option<Cow<'_, str>> {
        self.row().3.map(Cow::Borrowed)
    }
    fn flag_default(&self, name: &str) -> Option<&str> {
        let oscal = matches!(self.name(), "prop" | "part") && name == "ns";
        oscal.then_some("http://csrc.nist.gov/ns/oscal")
    }
    fn order(&self) -> usize {
        self.0
    }
}

/// Parses the bytes (lossily as UTF-8) as a Metapath expression and evaluates it, and its
/// boolean value, at every node; with a variable `$v` bound. Errors are expected; a panic, a
/// hang or an overflow is the bug.
pub fn metapath(data: &[u8]) {
    let text = String::from_utf8_lossy(data);
    let Ok(expr) = Expr::parse(&text) else {
        return;
    };
    let mut env = Env::new().with_budget(20_000);
    env.bind("v", vec![oscalc::metaschema::path::Item::Node(Row(7))]);
    for n in 0..ROWS.len() {
        let _ = expr.eval(&Row(n), &env);
        let _ = expr.test(&Row(n), &env);
    }
}
