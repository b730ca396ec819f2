//! Metapath over a small hand-built tree: one test per construct and per function, the
//! expressions of OSCAL's catalog and profile modules, and the errors (with their offsets).

use std::borrow::Cow;
use std::rc::Rc;

use oscalc::metaschema::path::{
    Env, EvalError, Expr, Item, MAX_BINDINGS, MAX_DEPTH, MAX_LEN, Node, PathError, PathErrorKind,
};

const OSCAL_NS: &str = "http://csrc.nist.gov/ns/oscal";

/// One node of the test tree: elements are assemblies or fields (a field has a value), flags
/// hang off their owner.
#[derive(Debug)]
struct Raw {
    name: String,
    is_flag: bool,
    parent: Option<usize>,
    children: Vec<usize>,
    flags: Vec<usize>,
    value: Option<String>,
}

/// A handle on a node: the tree and its index, which is also its document order.
#[derive(Clone)]
struct N {
    tree: Rc<Vec<Raw>>,
    id: usize,
}

impl PartialEq for N {
    fn eq(&self, other: &Self) -> bool {
        Rc::ptr_eq(&self.tree, &other.tree) && self.id == other.id
    }
}

impl std::fmt::Debug for N {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}#{}", self.name(), self.id)
    }
}

impl N {
    fn raw(&self) -> &Raw {
        &self.tree[self.id]
    }

    fn at(&self, id: usize) -> N {
        N {
            tree: self.tree.clone(),
            id,
        }
    }
}

impl Node for N {
    fn name(&self) -> &str {
        &self.raw().name
    }
    fn is_flag(&self) -> bool {
        self.raw().is_flag
    }
    fn parent(&self) -> Option<Self> {
        self.raw().parent.map(|p| self.at(p))
    }
    fn children(&self) -> Vec<Self> {
        self.raw().children.iter().map(|c| self.at(*c)).collect()
    }
    fn flags(&self) -> Vec<Self> {
        self.raw().flags.iter().map(|c| self.at(*c)).collect()
    }
    fn value(&self) -> Option<Cow<'_, str>> {
        self.raw().value.as_deref().map(Cow::Borrowed)
    }
    fn flag_default(&self, name: &str) -> Option<&str> {
        // As OSCAL declares: `ns` of props and parts defaults to the OSCAL namespace.
        (name == "ns" && matches!(self.name(), "prop" | "part")).then_some(OSCAL_NS)
    }
    fn order(&self) -> usize {
        self.id
    }
}

/// An element to build: name, flags, field value, children.
struct E(
    &'static str,
    Vec<(&'static str, &'static str)>,
    Option<&'static str>,
    Vec<E>,
);

fn el(name: &'static str, flags: &[(&'static str, &'static str)], kids: Vec<E>) -> E {
    E(name, flags.to_vec(), None, kids)
}

fn field(name: &'static str, flags: &[(&'static str, &'static str)], value: &'static str) -> E {
    E(name, flags.to_vec(), Some(value), Vec::new())
}

fn add(tree: &mut Vec<Raw>, e: &E, parent: usize) {
    let id = tree.len();
    tree.push(Raw {
        name: e.0.to_string(),
        is_flag: false,
        parent: Some(parent),
        children: Vec::new(),
        flags: Vec::new(),
        value: e.2.map(str::to_string),
    });
    tree[parent].children.push(id);
    for (name, value) in &e.1 {
        let flag = tree.len();
        tree.push(Raw {
            name: name.to_string(),
            is_flag: true,
            parent: Some(id),
            children: Vec::new(),
            flags: Vec::new(),
            value: Some(value.to_string()),
        });
        tree[id].flags.push(flag);
    }
    for kid in &e.3 {
        add(tree, kid, id);
    }
}

/// The document node of a tree whose root element is `root`.
fn document(root: E) -> N {
    let mut tree = vec![Raw {
        name: String::new(),
        is_flag: false,
        parent: None,
        children: Vec::new(),
        flags: Vec::new(),
        value: None,
    }];
    add(&mut tree, &root, 0);
    N {
        tree: Rc::new(tree),
        id: 0,
    }
}

/// A catalog with a group, nested controls, props in and out of the OSCAL namespace, params
/// and parts.
fn catalog() -> N {
    document(el(
        "catalog",
        &[("uuid", "u-1")],
        vec![
            el(
                "metadata",
                &[],
                vec![
                    field("title", &[], "Cat"),
                    el("prop", &[("name", "marking"), ("value", "tlp")], vec![]),
                    el(
                        "link",
                        &[("rel", "canonical"), ("href", "https://x")],
                        vec![],
                    ),
                ],
            ),
            el(
                "group",
                &[("id", "g1")],
                vec![
                    field("title", &[], "Access"),
                    el(
                        "control",
                        &[("id", "c1")],
                        vec![
                            field("title", &[], "  One \t control\n"),
                            el("prop", &[("name", "label"), ("value", "AC-1")], vec![]),
                            el(
                                "prop",
                                &[("name", "status"), ("value", "withdrawn")],
                                vec![],
                            ),
                            el(
                                "prop",
                                &[("name", "label"), ("ns", "http://x.org/ns"), ("value", "X")],
                                vec![],
                            ),
                            el("link", &[("rel", "related"), ("href", "#c2")], vec![]),
                            el(
                                "control",
                                &[("id", "c1.1")],
                                vec![el(
                                    "part",
                                    &[("id", "c1.1_smt"), ("name", "statement")],
                                    vec![el("part", &[("id", "c1.1_a"), ("name", "item")], vec![])],
                                )],
                            ),
                        ],
                    ),
                    el(
                        "control",
                        &[("id", "c2")],
                        vec![
                            field("title", &[], "Two"),
                            el("param", &[("id", "c2_prm"), ("depends-on", "x")], vec![]),
                            el(
                                "part",
                                &[("id", "c2_smt"), ("name", "statement")],
                                vec![el(
                                    "part",
                                    &[("id", "c2_a"), ("name", "item")],
                                    vec![el("part", &[("id", "c2_a1"), ("name", "item")], vec![])],
                                )],
                            ),
                            el(
                                "part",
                                &[
                                    ("id", "c2_m"),
                                    ("name", "assessment-method"),
                                    ("ns", "http://csrc.nist.gov/ns/rmf"),
                                ],
                                vec![],
                            ),
                        ],
                    ),
                ],
            ),
        ],
    ))
}

/// The element whose `id` flag is `id` (or the root element for `catalog`).
fn node(doc: &N, id: &str) -> N {
    (0..doc.tree.len())
        .map(|i| doc.at(i))
        .find(|n| {
            (id == "catalog" && n.name() == "catalog")
                || n.flag("id").and_then(|f| f.value().map(|v| v == id)) == Some(true)
        })
        .unwrap_or_else(|| panic!("no node {id}"))
}

fn eval(ctx: &N, src: &str) -> Vec<Item<N>> {
    let expr = Expr::parse(src).unwrap_or_else(|e| panic!("{src}: {e}"));
    expr.eval(ctx, &Env::new())
        .unwrap_or_else(|e| panic!("{src}: {e}"))
}

/// The items of `src` at `ctx`, atomized; nodes without a value show as `name#order`.
fn values(ctx: &N, src: &str) -> Vec<String> {
    eval(ctx, src)
        .iter()
        .map(|item| match item {
            Item::Node(n) if n.value().is_none() => format!("{}#{}", n.name(), n.id),
            other => other.string_value().into_owned(),
        })
        .collect()
}

fn test(ctx: &N, src: &str) -> bool {
    let expr = Expr::parse(src).unwrap_or_else(|e| panic!("{src}: {e}"));
    expr.test(ctx, &Env::new())
        .unwrap_or_else(|e| panic!("{src}: {e}"))
}

fn parse_err(src: &str) -> PathError {
    match Expr::parse(src) {
        Ok(e) => panic!("{src} parsed: {e:?}"),
        Err(e) => e,
    }
}

fn eval_err(ctx: &N, src: &str, env: &Env<N>) -> EvalError {
    let expr = Expr::parse(src).unwrap_or_else(|e| panic!("{src}: {e}"));
    match expr.eval(ctx, env) {
        Ok(items) => panic!("{src} evaluated to {items:?}"),
        Err(e) => e,
    }
}

// Paths.

#[test]
fn path_child_steps_select_in_document_order() {
    let doc = catalog();
    let cat = node(&doc, "catalog");
    assert_eq!(values(&cat, "group/control/@id"), ["c1", "c2"]);
    assert_eq!(
        values(&cat, "group/control/title"),
        ["  One \t control\n", "Two"]
    );
    assert_eq!(values(&cat, "control"), Vec::<String>::new());
}

#[test]
fn path_absolute_starts_at_the_document() {
    let doc = catalog();
    let c2 = node(&doc, "c2");
    assert_eq!(values(&c2, "/catalog/@uuid"), ["u-1"]);
    assert_eq!(values(&c2, "/"), ["#0"]);
    assert_eq!(values(&c2, "/group"), Vec::<String>::new());
}

#[test]
fn path_double_slash_walks_descendants() {
    let doc = catalog();
    let c2 = node(&doc, "c2");
    assert_eq!(values(&c2, "//control/@id"), ["c1", "c1.1", "c2"]);
    assert_eq!(
        values(&c2, ".//part/@id"),
        ["c2_smt", "c2_a", "c2_a1", "c2_m"]
    );
    assert_eq!(
        values(&c2, "part[@name='statement']//part/@id"),
        ["c2_a", "c2_a1"]
    );
    // `//part[1]`: the first part child of every node; `(//part)[1]`: the first of all.
    assert_eq!(
        values(&doc, "//part[1]/@id"),
        ["c1.1_smt", "c1.1_a", "c2_smt", "c2_a", "c2_a1"]
    );
    assert_eq!(values(&doc, "(//part)[1]/@id"), ["c1.1_smt"]);
}

/// `//x[p]` is one descendant walk when `p` cannot be a position, and a step from every node
/// otherwise: both give what a step from every node gives.
#[test]
fn path_double_slash_with_predicates_keeps_positions_per_parent() {
    let doc = catalog();
    let walk = |src: &str| values(&doc, src);
    // Boolean predicates: the walk and the step from every node agree.
    assert_eq!(
        walk("//part[@name='item']/@id"),
        walk("(//node())/part[@name='item']/@id")
    );
    assert_eq!(
        walk("//part[@name='item']/@id"),
        ["c1.1_a", "c2_a", "c2_a1"]
    );
    assert_eq!(
        walk("//part[has-oscal-namespace('http://csrc.nist.gov/ns/oscal')]/@id"),
        ["c1.1_smt", "c1.1_a", "c2_smt", "c2_a", "c2_a1"]
    );
    // A comparison that reads the position counts among each parent's parts.
    assert_eq!(
        walk("//part[position() = last()]/@id"),
        ["c1.1_smt", "c1.1_a", "c2_a", "c2_a1", "c2_m"]
    );
    assert_eq!(
        walk("//part[position() = last()]/@id"),
        walk("(//node())/part[position() = last()]/@id")
    );
    // A union of names as a step: one walk, document order, no duplicates.
    assert_eq!(
        walk("//(control|part)/@id"),
        [
            "c1", "c1.1", "c1.1_smt", "c1.1_a", "c2", "c2_smt", "c2_a", "c2_a1", "c2_m"
        ]
    );
    assert_eq!(
        walk("//(control|part)/@id"),
        walk("(//control | //part)/@id")
    );
    // `.//x` from a node, and `./x`, are the same as written out.
    let c2 = node(&doc, "c2");
    assert_eq!(values(&c2, ".//part[@name='item']/@id"), ["c2_a", "c2_a1"]);
    assert_eq!(values(&c2, "./part/@id"), ["c2_smt", "c2_m"]);
}

#[test]
fn path_dot_and_dot_dot_move_to_self_and_parent() {
    let doc = catalog();
    let c11 = node(&doc, "c1.1");
    assert_eq!(values(&c11, "./@id"), ["c1.1"]);
    assert_eq!(values(&c11, "../@id"), ["c1"]);
    assert_eq!(values(&c11, "../../@id"), ["g1"]);
    // The parent of a flag is its owner.
    assert_eq!(values(&c11, "@id/../@id"), ["c1.1"]);
    // Several contexts with one parent give it once.
    assert_eq!(
        values(&doc, "//part/../@id"),
        ["c1.1", "c1.1_smt", "c2", "c2_smt", "c2_a"]
    );
}

#[test]
fn path_star_selects_model_children_only() {
    let doc = catalog();
    let c2 = node(&doc, "c2");
    assert_eq!(values(&c2, "*"), ["Two", "param#41", "part#44", "part#53"]);
    assert_eq!(values(&c2, "count(*)"), ["4"]);
}

#[test]
fn path_attribute_steps_select_flags() {
    let doc = catalog();
    let c1 = node(&doc, "c1");
    assert_eq!(values(&c1, "prop[3]/@*"), ["label", "http://x.org/ns", "X"]);
    assert_eq!(values(&c1, "prop/@name"), ["label", "status", "label"]);
    assert_eq!(values(&c1, "@missing"), Vec::<String>::new());
    // A flag is not a model child.
    assert_eq!(values(&c1, "id"), Vec::<String>::new());
}

#[test]
fn path_axes_by_name() {
    let doc = catalog();
    let a1 = node(&doc, "c2_a1");
    assert_eq!(values(&a1, "ancestor::part/@id"), ["c2_smt", "c2_a"]);
    assert_eq!(values(&a1, "ancestor::*[1]/@id"), ["c2_a"]);
    assert_eq!(values(&a1, "ancestor-or-self::part[1]/@id"), ["c2_a1"]);
    assert_eq!(values(&a1, "parent::part/@id"), ["c2_a"]);
    assert_eq!(values(&a1, "self::part/@id"), ["c2_a1"]);
    assert_eq!(values(&a1, "self::control"), Vec::<String>::new());
    let c2 = node(&doc, "c2");
    assert_eq!(
        values(&c2, "descendant::part[@name='item']/@id"),
        ["c2_a", "c2_a1"]
    );
    assert_eq!(values(&c2, "descendant-or-self::*[@id][1]/@id"), ["c2"]);
    assert_eq!(values(&c2, "child::part/attribute::id"), ["c2_smt", "c2_m"]);
    assert_eq!(
        values(&c2, "node()"),
        ["Two", "param#41", "part#44", "part#53"]
    );
}

// Predicates.

#[test]
fn predicate_boolean_filters() {
    let doc = catalog();
    let c1 = node(&doc, "c1");
    assert_eq!(values(&c1, "prop[@name='label']/@value"), ["AC-1", "X"]);
    assert_eq!(values(&c1, "prop[@ns]/@value"), ["X"]);
    assert_eq!(
        values(&c1, "prop[not(@ns)][@name='label']/@value"),
        ["AC-1"]
    );
}

#[test]
fn predicate_number_is_a_position() {
    let doc = catalog();
    let c1 = node(&doc, "c1");
    assert_eq!(values(&c1, "prop[2]/@value"), ["withdrawn"]);
    assert_eq!(values(&c1, "prop[@name='label'][2]/@value"), ["X"]);
    assert_eq!(values(&c1, "prop[last()]/@value"), ["X"]);
    assert_eq!(
        values(&c1, "prop[position() > 1]/@value"),
        ["withdrawn", "X"]
    );
    assert_eq!(values(&c1, "prop[1.5]"), Vec::<String>::new());
    assert_eq!(values(&c1, "prop[9]"), Vec::<String>::new());
}

// Unions, parentheses, sequences, literals, variables.

#[test]
fn union_gives_document_order_without_duplicates() {
    let doc = catalog();
    let c1 = node(&doc, "c1");
    assert_eq!(
        values(&c1, "link/@rel | title | prop[1]/@value"),
        ["  One \t control\n", "AC-1", "related"]
    );
    assert_eq!(values(&c1, "prop[1] union prop[1] union prop[2]").len(), 2);
    assert_eq!(
        values(&doc, "//(control|group)/@id"),
        ["g1", "c1", "c1.1", "c2"]
    );
}

#[test]
fn parentheses_and_sequences() {
    let doc = catalog();
    assert_eq!(values(&doc, "('a', 'b', ('c', ()))"), ["a", "b", "c"]);
    assert_eq!(values(&doc, "()"), Vec::<String>::new());
    assert_eq!(values(&doc, "(10, 20, 30)[2]"), ["20"]);
    assert_eq!(values(&doc, "(10, 20, 30)[. > 15]"), ["20", "30"]);
    assert_eq!(values(&doc, "((('x')))"), ["x"]);
}

#[test]
fn literals_strings_and_numbers() {
    let doc = catalog();
    assert_eq!(values(&doc, "'it''s'"), ["it's"]);
    assert_eq!(values(&doc, r#""say ""hi""""#), [r#"say "hi""#]);
    assert_eq!(values(&doc, "1.5e1"), ["15"]);
    assert_eq!(values(&doc, ".5"), ["0.5"]);
    assert_eq!(values(&doc, "007"), ["7"]);
    assert_eq!(values(&doc, "'a' (: a comment (: nested :) :)"), ["a"]);
}

#[test]
fn variables_read_the_environment() {
    let doc = catalog();
    let c1 = node(&doc, "c1");
    let mut env = Env::new();
    env.bind(
        "names",
        vec![Item::Str("status".into()), Item::Str("x".into())],
    );
    env.bind("ctl", vec![Item::Node(node(&doc, "c2"))]);
    let expr = Expr::parse("prop[@name = $names]/@value").unwrap();
    let got: Vec<_> = expr
        .eval(&c1, &env)
        .unwrap()
        .iter()
        .map(|i| i.string_value().into_owned())
        .collect();
    assert_eq!(got, ["withdrawn"]);
    let expr = Expr::parse("$ctl/part/@id").unwrap();
    let got: Vec<_> = expr
        .eval(&c1, &env)
        .unwrap()
        .iter()
        .map(|i| i.string_value().into_owned())
        .collect();
    assert_eq!(got, ["c2_smt", "c2_m"]);
    assert_eq!(
        eval_err(&c1, "$nope", &Env::new()),
        EvalError::Unbound("nope".to_string())
    );
}

// Comparisons and logic.

#[test]
fn general_comparison_is_existential() {
    let doc = catalog();
    let c1 = node(&doc, "c1");
    assert!(test(&c1, "prop/@name = 'status'"));
    assert!(test(&c1, "prop/@name = ('x', 'label')"));
    assert!(!test(&c1, "prop/@name = ('x', 'y')"));
    // Some name differs from `label`, so `!=` holds even though two are `label`.
    assert!(test(&c1, "prop/@name != 'label'"));
    assert!(!test(&c1, "() = ()"));
    assert!(!test(&c1, "@missing != 'x'"));
}

#[test]
fn comparison_numeric_when_both_are_numbers() {
    let doc = catalog();
    assert!(test(&doc, "'10' > '9'"));
    assert!(test(&doc, "'abc' < 'abd'"));
    assert!(test(&doc, "'b' > 'abc'"));
    assert!(test(&doc, "1 = '1.0'"));
    assert!(test(&doc, "'1e1' = 10"));
    assert!(test(
        &doc,
        "count(//control) >= 3 and count(//control) <= 3"
    ));
    // A number never equals a string that is not one; only `!=` holds.
    assert!(!test(&doc, "'x' = 1"));
    assert!(test(&doc, "'x' != 1"));
    assert!(!test(&doc, "'inf' > 1"));
    assert!(test(&doc, "true() = 'true'"));
    assert!(test(&doc, "false() < true()"));
}

#[test]
fn value_comparison_takes_single_items() {
    let doc = catalog();
    let c1 = node(&doc, "c1");
    assert!(test(&c1, "@id eq 'c1'"));
    assert!(test(
        &c1,
        "@id ne 'c2' and 2 lt 10 and 2 le 2 and 'b' gt 'a' and 1 ge 1"
    ));
    assert_eq!(values(&c1, "@missing eq 'x'"), Vec::<String>::new());
    assert_eq!(
        eval_err(&c1, "prop/@name eq 'label'", &Env::new()),
        EvalError::NotSingle {
            what: "value comparison",
            found: 3
        }
    );
}

#[test]
fn and_or_short_circuit_to_booleans() {
    let doc = catalog();
    let c1 = node(&doc, "c1");
    assert_eq!(values(&c1, "@id and prop"), ["true"]);
    assert_eq!(values(&c1, "@missing or ()"), ["false"]);
    assert!(test(&c1, "@missing or prop[@name='status'] and title"));
    // The right side is never evaluated: its unbound variable does not matter.
    assert!(test(&c1, "true() or $unbound"));
    assert!(!test(&c1, "false() and $unbound"));
}

#[test]
fn if_then_else_chooses_a_branch() {
    let doc = catalog();
    let c1 = node(&doc, "c1");
    assert_eq!(
        values(&c1, "if (prop[@name='status']) then 'w' else 'a'"),
        ["w"]
    );
    assert_eq!(values(&c1, "if (@missing) then 'w' else @id"), ["c1"]);
}

#[test]
fn string_concatenation_operator() {
    let doc = catalog();
    let c1 = node(&doc, "c1");
    assert_eq!(values(&c1, "@id || '-' || 1"), ["c1-1"]);
}

#[test]
fn effective_boolean_value_of_several_atoms_is_an_error() {
    let doc = catalog();
    let expr = Expr::parse("('a', 'b')").unwrap();
    assert_eq!(expr.test(&doc, &Env::new()), Err(EvalError::NoBoolean(2)));
    assert_eq!(
        Expr::parse("//prop").unwrap().test(&doc, &Env::new()),
        Ok(true)
    );
    assert_eq!(
        Expr::parse("''").unwrap().test(&doc, &Env::new()),
        Ok(false)
    );
    assert_eq!(Expr::parse("0").unwrap().test(&doc, &Env::new()), Ok(false));
}

// Functions.

#[test]
fn fn_has_oscal_namespace_reads_ns_or_its_default() {
    let doc = catalog();
    let c1 = node(&doc, "c1");
    let oscal = format!("prop[has-oscal-namespace('{OSCAL_NS}')]/@value");
    assert_eq!(values(&c1, &oscal), ["AC-1", "withdrawn"]);
    assert_eq!(
        values(&c1, "prop[has-oscal-namespace('http://x.org/ns')]/@value"),
        ["X"]
    );
    let c2 = node(&doc, "c2");
    let either =
        format!("part[has-oscal-namespace(('{OSCAL_NS}', 'http://csrc.nist.gov/ns/rmf'))]/@id");
    assert_eq!(values(&c2, &either), ["c2_smt", "c2_m"]);
    let two_args = "part[has-oscal-namespace('a', 'http://csrc.nist.gov/ns/rmf')]/@id";
    assert_eq!(values(&c2, two_args), ["c2_m"]);
    // Computed arguments, not only literals.
    let computed = "prop[has-oscal-namespace(concat('http://x.org/', 'ns'))]/@value";
    assert_eq!(values(&node(&doc, "c1"), computed), ["X"]);
    // A node without an `ns` flag or default is in no namespace.
    assert!(!test(&c2, &format!("has-oscal-namespace('{OSCAL_NS}')")));
    assert_eq!(
        values(&c2, "@id[has-oscal-namespace('x')]"),
        Vec::<String>::new()
    );
    assert_eq!(
        eval_err(&c2, "'a'[has-oscal-namespace('x')]", &Env::new()),
        EvalError::NotANode("has-oscal-namespace")
    );
}

#[test]
fn fn_starts_with_ends_with_contains() {
    let doc = catalog();
    let c1 = node(&doc, "c1");
    assert_eq!(values(&c1, "link[starts-with(@href, '#')]/@href"), ["#c2"]);
    assert!(test(
        &c1,
        "ends-with(@id, '1') and contains(title, 'control')"
    ));
    assert!(!test(&c1, "starts-with(@missing, 'c')"));
    assert!(test(&c1, "starts-with(@id, '') and contains('', '')"));
}

#[test]
fn fn_not_exists_empty_boolean() {
    let doc = catalog();
    let c2 = node(&doc, "c2");
    assert!(!test(&c2, "not(exists(param/@depends-on))"));
    assert!(test(&c2, "not(exists(@depends-on))"));
    assert!(test(&c2, "empty(prop) and not(empty(part))"));
    assert_eq!(
        values(&c2, "boolean(part), boolean(''), boolean(0.1)"),
        ["true", "false", "true"]
    );
    assert_eq!(values(&c2, "true(), false()"), ["true", "false"]);
}

#[test]
fn fn_count_last_position() {
    let doc = catalog();
    assert_eq!(
        values(&doc, "count(//part), count(()), count(('a', 'b'))"),
        ["6", "0", "2"]
    );
    assert_eq!(
        values(&doc, "//control[position() = last()]/@id"),
        ["c1.1", "c2"]
    );
    assert_eq!(values(&doc, "(//control)[position() = last()]/@id"), ["c2"]);
    assert_eq!(values(&doc, "('a', 'b', 'c')[position() != 2]"), ["a", "c"]);
}

#[test]
fn fn_string_functions() {
    let doc = catalog();
    let c1 = node(&doc, "c1");
    assert_eq!(
        values(&c1, "string(@id), string(1.50), string(())"),
        ["c1", "1.5", ""]
    );
    assert_eq!(values(&c1, "@id/string()"), ["c1"]);
    assert_eq!(
        values(&c1, "string-length(title), string-length('é')"),
        ["16", "1"]
    );
    assert_eq!(values(&c1, "normalize-space(title)"), ["One control"]);
    assert_eq!(values(&c1, "title/normalize-space()"), ["One control"]);
    assert_eq!(
        values(&c1, "lower-case('AbC'), upper-case(@id)"),
        ["abc", "C1"]
    );
    assert_eq!(
        values(&c1, "concat(@id, '/', prop[1]/@value, @missing)"),
        ["c1/AC-1"]
    );
    assert_eq!(
        eval_err(&c1, "string(prop)", &Env::new()),
        EvalError::NotSingle {
            what: "string function",
            found: 3
        }
    );
}

#[test]
fn fn_matches_searches_with_flags() {
    let doc = catalog();
    let c1 = node(&doc, "c1");
    assert!(test(&c1, "matches(@id, '^c[0-9]$')"));
    assert!(test(&c1, "matches(prop[1]/@value, '-')"));
    assert!(!test(&c1, "matches(prop[1]/@value, '^ac')"));
    assert!(test(&c1, "matches(prop[1]/@value, '^ac', 'i')"));
    assert!(test(
        &c1,
        "matches('a.b', '.', 'q') and not(matches('ab', '.b.', 'q'))"
    ));
    // A pattern computed at evaluation time compiles then.
    assert!(test(&c1, "matches('c1', concat('^', @id, '$'))"));
    assert_eq!(
        eval_err(&c1, "matches('x', concat('(', @id))", &Env::new()),
        EvalError::Regex("error: unclosed group".to_string())
    );
}

#[test]
fn fn_distinct_values_keeps_first_of_each() {
    let doc = catalog();
    let c1 = node(&doc, "c1");
    assert_eq!(
        values(&c1, "distinct-values(prop/@name)"),
        ["label", "status"]
    );
    assert_eq!(
        values(&c1, "distinct-values((1, '1', 1.0, 'a', 'a'))"),
        ["1", "1", "a"]
    );
}

#[test]
fn fn_prefix_is_allowed() {
    let doc = catalog();
    assert!(test(&doc, "fn:not(fn:false())"));
}

// Errors, with their offsets.

#[test]
fn error_unsupported_function_names_it_at_its_offset() {
    for (src, name, offset) in [
        ("doc('a.xml')", "doc", 0),
        ("prop[path(..) = 'x']", "path", 5),
        ("exists(resolve-profile(.))", "resolve-profile", 7),
        ("map:merge(())", "map:merge", 0),
        ("recurse-depth('x')", "recurse-depth", 0),
    ] {
        let err = parse_err(src);
        assert_eq!(
            (err.offset, err.kind),
            (offset, PathErrorKind::UnsupportedFunction(name.to_string())),
            "{src}"
        );
        assert_eq!(
            parse_err(src).message(),
            format!("function `{name}` is not supported")
        );
    }
}

#[test]
fn error_unsupported_operators_are_named() {
    for (src, op, offset) in [
        ("a except b", "except", 2),
        ("count(x) => sum()", "=>", 9),
        ("a intersect b", "intersect", 2),
        ("@x instance of xs:string", "instance", 3),
        ("a << b", "<<", 2),
    ] {
        let err = parse_err(src);
        assert_eq!(
            (err.offset, err.kind),
            (offset, PathErrorKind::Unsupported(op.to_string())),
            "{src}"
        );
    }
}

#[test]
fn error_unbalanced_brackets_point_at_the_opening_one() {
    let err = parse_err("prop[@name='x'");
    assert_eq!((err.offset, err.kind), (4, PathErrorKind::Unclosed('[')));
    let err = parse_err("not(exists(@id)");
    assert_eq!((err.offset, err.kind), (3, PathErrorKind::Unclosed('(')));
    let err = parse_err("(a|b");
    assert_eq!((err.offset, err.kind), (0, PathErrorKind::Unclosed('(')));
    let err = parse_err("a)");
    assert_eq!(
        (err.offset, err.message()),
        (
            1,
            "expected an operator or the end of the expression, found `)`".to_string()
        )
    );
    let err = parse_err("a[1]]");
    assert_eq!(err.offset, 4);
    let err = parse_err("'abc");
    assert_eq!((err.offset, err.kind), (0, PathErrorKind::UnclosedString));
    let err = parse_err("a (: b");
    assert_eq!((err.offset, err.kind), (2, PathErrorKind::UnclosedComment));
}

#[test]
fn error_malformed_pieces() {
    let err = parse_err("");
    assert_eq!(
        (err.offset, err.message()),
        (
            0,
            "expected an expression, found end of expression".to_string()
        )
    );
    assert_eq!(parse_err("a/").offset, 2);
    assert_eq!(parse_err("@").offset, 1);
    let err = parse_err("1e");
    assert_eq!(
        (err.offset, err.kind),
        (0, PathErrorKind::BadNumber("1e".to_string()))
    );
    let err = parse_err("a ^ b");
    assert_eq!((err.offset, err.kind), (2, PathErrorKind::BadChar('^')));
    let err = parse_err("following-sibling::x");
    assert_eq!(
        (err.offset, err.kind),
        (
            0,
            PathErrorKind::UnknownAxis("following-sibling".to_string())
        )
    );
    let err = parse_err("oscal:catalog");
    assert_eq!(
        (err.offset, err.kind),
        (0, PathErrorKind::Prefixed("oscal:catalog".to_string()))
    );
    let err = parse_err("starts-with(@id)");
    assert_eq!(
        (err.offset, err.message()),
        (
            0,
            "function `starts-with` takes 2 arguments, not 1".to_string()
        )
    );
    let err = parse_err("if (a) then b");
    assert_eq!(
        (err.offset, err.message()),
        (13, "expected `else`, found end of expression".to_string())
    );
    let err = parse_err("a = b = c");
    assert_eq!(err.offset, 6);
}

#[test]
fn error_literal_regex_is_checked_at_parse_time() {
    let err = parse_err("matches(@id, '(')");
    assert_eq!(
        (err.offset, err.kind),
        (
            13,
            PathErrorKind::Regex("error: unclosed group".to_string())
        )
    );
    let err = parse_err("matches(@id, 'a', 'z')");
    assert_eq!(
        (err.offset, err.kind),
        (13, PathErrorKind::Regex("flag `z` is unknown".to_string()))
    );
    // A pattern that compiles to more than the size limit is refused, not built.
    let err = parse_err("matches(@id, '\\w{1000}\\w{1000}\\w{1000}')");
    assert_eq!(err.offset, 13);
    assert!(
        matches!(err.kind, PathErrorKind::Regex(ref m) if m.contains("size limit")),
        "{err}"
    );
}

#[test]
fn error_nesting_deeper_than_the_limit() {
    let ok = format!(
        "{}1{}",
        "(".repeat(MAX_DEPTH - 1),
        ")".repeat(MAX_DEPTH - 1)
    );
    let doc = catalog();
    assert_eq!(values(&doc, &ok), ["1"]);
    let deep = format!("{}1{}", "(".repeat(MAX_DEPTH), ")".repeat(MAX_DEPTH));
    let err = parse_err(&deep);
    assert_eq!(
        (err.offset, err.kind),
        (MAX_DEPTH, PathErrorKind::TooDeep { max: MAX_DEPTH })
    );
    let calls = format!(
        "{}true(){}",
        "not(".repeat(MAX_DEPTH),
        ")".repeat(MAX_DEPTH)
    );
    assert_eq!(
        parse_err(&calls).kind,
        PathErrorKind::TooDeep { max: MAX_DEPTH }
    );
    let preds = format!("{}{}", "a[".repeat(MAX_DEPTH), "]".repeat(MAX_DEPTH));
    assert_eq!(
        parse_err(&preds).kind,
        PathErrorKind::TooDeep { max: MAX_DEPTH }
    );
    // Very deep input far past the limit stops at the limit, without a stack overflow.
    let hostile = "(".repeat(60_000);
    assert_eq!(
        parse_err(&hostile).kind,
        PathErrorKind::TooDeep { max: MAX_DEPTH }
    );
}

#[test]
fn long_flat_chains_stay_shallow() {
    // Thousands of operators in a row are a list, not a deep tree: they parse and evaluate.
    let doc = catalog();
    let ors = vec!["@missing"; 5000].join(" or ");
    assert!(!test(&doc, &ors));
    let steps = vec!["."; 5000].join("/");
    assert_eq!(values(&doc, &steps), ["#0"]);
    let preds = "[1]".repeat(5000);
    assert_eq!(values(&doc, &format!("catalog{preds}/@uuid")), ["u-1"]);
}

#[test]
fn error_expression_longer_than_the_limit() {
    let long = format!("'{}'", "a".repeat(MAX_LEN));
    let err = parse_err(&long);
    assert_eq!(
        (err.offset, err.kind),
        (
            MAX_LEN,
            PathErrorKind::TooLong {
                len: MAX_LEN + 2,
                max: MAX_LEN
            }
        )
    );
    let fits = format!("'{}'", "a".repeat(MAX_LEN - 2));
    assert!(Expr::parse(&fits).is_ok_and(|e| e.source().len() == MAX_LEN));
}

#[test]
fn error_budget_exceeded_stops_the_evaluation() {
    let doc = catalog();
    let env = Env::new().with_budget(200);
    // Every element against every id: 23 × 11 pairs, stopped by the budget.
    assert_eq!(
        eval_err(&doc, "//* = //*/@id", &env),
        EvalError::Budget { limit: 200 }
    );
    assert_eq!(
        eval_err(&doc, "count(//*//*//*//*//*)", &env),
        EvalError::Budget { limit: 200 }
    );
    assert_eq!(
        Expr::parse("//* = //*/@id")
            .unwrap()
            .test(&doc, &Env::new().with_budget(1_000)),
        Ok(false)
    );
    // The same expression fits the default budget.
    let expr = Expr::parse("count(//*//*//*//*//*)").unwrap();
    assert_eq!(expr.eval(&doc, &Env::new()).map(|v| v.len()), Ok(1));
}

#[test]
fn errors_of_evaluation_on_atomic_values() {
    let doc = catalog();
    let env = Env::new();
    assert_eq!(
        eval_err(&doc, "'a'/b", &env),
        EvalError::NotANode("path step")
    );
    assert_eq!(
        eval_err(&doc, "'a' | b", &env),
        EvalError::NotANode("union")
    );
    assert_eq!(
        eval_err(&doc, "('a')[/x]", &env),
        EvalError::NotANode("`/`")
    );
    assert_eq!(
        eval_err(&doc, "//control/(@id, 'x')", &env),
        EvalError::MixedPath
    );
}

// OSCAL's own expressions.

/// Every `target=` and `test=` of the catalog, profile, control-common and metadata modules in
/// `shared/oscal/metaschema/` (92 constraints with their key fields), once each, in file
/// order. Made with:
/// `for f in oscal_{catalog,profile,control-common,metadata}_metaschema.xml; do grep -oE
/// '(target|test)="[^"]*"' $f | sed -E 's/^(target|test)="(.*)"$/\2/'; done | awk '!seen[$0]++'`
const OSCAL_EXPRESSIONS: &[&str] = &[
    "metadata/prop[has-oscal-namespace('http://csrc.nist.gov/ns/oscal')]/@name",
    "metadata/link/@rel",
    "//part",
    "@id",
    "//prop",
    "@uuid",
    "//(control|group|part)",
    "//control",
    "//param",
    "//group",
    "prop[has-oscal-namespace('http://csrc.nist.gov/ns/oscal')]/@name",
    "part[has-oscal-namespace('http://csrc.nist.gov/ns/oscal')]/@name",
    ".",
    "prop[@name='status']/@value=('withdrawn','Withdrawn') or part[@name='statement']",
    "prop[has-oscal-namespace('http://csrc.nist.gov/ns/oscal') and @name='status']/@value",
    "link/@rel",
    "link[@rel=('related','required','incorporated-into','moved-to') and starts-with(@href,'#')]",
    "@href",
    "part[has-oscal-namespace('http://csrc.nist.gov/ns/oscal') and @name='statement']//part[has-oscal-namespace('http://csrc.nist.gov/ns/oscal')]/@name",
    ".//part[has-oscal-namespace('http://csrc.nist.gov/ns/oscal')]/@name",
    "part[has-oscal-namespace('http://csrc.nist.gov/ns/oscal') and @name=('assessment','assessment-method')]/part[has-oscal-namespace('http://csrc.nist.gov/ns/oscal')]/@name",
    "part[has-oscal-namespace('http://csrc.nist.gov/ns/oscal') and @name=('assessment','assessment-method')]/prop[has-oscal-namespace('http://csrc.nist.gov/ns/oscal')]/@name",
    "part[has-oscal-namespace('http://csrc.nist.gov/ns/oscal') and @name=('assessment','assessment-method')]/prop[has-oscal-namespace('http://csrc.nist.gov/ns/rmf')]/@name",
    "part[has-oscal-namespace('http://csrc.nist.gov/ns/oscal') and @name=('assessment','assessment-method')]",
    "prop[has-oscal-namespace(('http://csrc.nist.gov/ns/oscal','http://csrc.nist.gov/ns/rmf')) and @name='method']",
    "part[has-oscal-namespace('http://csrc.nist.gov/ns/oscal') and @name=('assessment','assessment-method')]/prop[has-oscal-namespace(('http://csrc.nist.gov/ns/oscal','http://csrc.nist.gov/ns/rmf')) and @name='method']/@value",
    "not(@method='merge')",
    "set-parameter",
    "@param-id",
    "prop[has-oscal-namespace('http://csrc.nist.gov/ns/rmf')]/@name",
    "not(exists(@depends-on))",
    "published|last-modified|link[@rel='canonical']",
    "prop[has-oscal-namespace('http://csrc.nist.gov/ns/oscal') and @name='type']/@value",
    "prop[has-oscal-namespace('http://csrc.nist.gov/ns/oscal') and @name='type' and @value='data-center']/@class",
    "address",
    "title|address|email-address|telephone-number",
    "role",
    "document-id",
    "@scheme",
    "prop",
    "@name",
    "@ns",
    "@class",
    "@group",
    "@value",
    ".//prop",
    "link",
    "@rel",
    "@media-type",
    "location",
    "party",
    "party[@type='organization']",
    "responsible-party",
    "@role-id",
    "responsible-party/@role-id",
    "prop[has-oscal-namespace('http://csrc.nist.gov/ns/oscal') and @name='published']/@value",
    "rlink|base64",
    "rlink",
    "base64",
    "@filename",
    ".[citation]",
    "title",
    "resource",
    ".[has-oscal-namespace('http://csrc.nist.gov/ns/oscal')]/@name",
    ".[starts-with(@href,'#')]",
    "not(exists(@media-type))",
    ".[@rel=('reference') and starts-with(@href,'#')]/@href",
    ".[@rel=('reference') and starts-with(@href,'#')]",
    ".[@rel=('reference') and not(starts-with(@href,'#'))]/@href",
    "@resource-fragment",
    "party-uuid",
    "./system/@value",
    "./type[has-oscal-namespace('http://csrc.nist.gov/ns/oscal')]/@value",
    ".[@algorithm=('SHA-224','SHA3-224')]",
    ".[@algorithm=('SHA-256','SHA3-256')]",
    ".[@algorithm=('SHA-384','SHA3-384')]",
    ".[@algorithm=('SHA-512','SHA3-512')]",
];

#[test]
fn oscal_module_expressions_all_parse_and_evaluate_everywhere() {
    assert_eq!(OSCAL_EXPRESSIONS.len(), 77);
    let doc = catalog();
    let nodes: Vec<N> = (0..doc.tree.len()).map(|i| doc.at(i)).collect();
    for src in OSCAL_EXPRESSIONS {
        let expr = Expr::parse(src).unwrap_or_else(|e| panic!("{src}: {e}"));
        for n in &nodes {
            if let Err(e) = expr.eval(n, &Env::new()) {
                panic!("{src} at {n:?}: {e}");
            }
        }
    }
}

#[test]
fn oscal_statement_expect_holds_per_control() {
    let doc = catalog();
    let expr = Expr::parse(
        "prop[@name='status']/@value=('withdrawn','Withdrawn') or part[@name='statement']",
    )
    .unwrap();
    let env = Env::new();
    let holds: Vec<bool> = ["c1", "c1.1", "c2"]
        .iter()
        .map(|id| expr.test(&node(&doc, id), &env).unwrap())
        .collect();
    assert_eq!(holds, [true, true, true]);
    let g1 = node(&doc, "g1");
    assert_eq!(expr.test(&g1, &env), Ok(false));
}

#[test]
fn oscal_index_targets_select_across_the_catalog() {
    let doc = catalog();
    let cat = node(&doc, "catalog");
    assert_eq!(
        values(&cat, "//(control|group|part)/@id"),
        [
            "g1", "c1", "c1.1", "c1.1_smt", "c1.1_a", "c2", "c2_smt", "c2_a", "c2_a1", "c2_m"
        ]
    );
    let c2 = node(&doc, "c2");
    let sub = format!(
        "part[has-oscal-namespace('{OSCAL_NS}') and @name='statement']//part[has-oscal-namespace('{OSCAL_NS}')]/@name"
    );
    assert_eq!(values(&c2, &sub), ["item", "item"]);
    let link = node(&doc, "c1");
    assert_eq!(
        values(
            &link,
            "link[@rel=('related','required','incorporated-into','moved-to') and starts-with(@href,'#')]/@href"
        ),
        ["#c2"]
    );
}

#[test]
fn display_and_source_keep_the_text() {
    let expr = Expr::parse(" @id ").unwrap();
    assert_eq!(
        (expr.source(), expr.to_string()),
        (" @id ", " @id ".to_string())
    );
}

/// A document of `depth` nested `part`s, each with an `id` flag, built without recursion.
fn deep_document(depth: usize) -> N {
    let mut tree = vec![Raw {
        name: String::new(),
        is_flag: false,
        parent: None,
        children: Vec::new(),
        flags: Vec::new(),
        value: None,
    }];
    let mut parent = 0;
    for i in 0..depth {
        let id = tree.len();
        tree.push(Raw {
            name: "part".to_string(),
            is_flag: false,
            parent: Some(parent),
            children: Vec::new(),
            flags: vec![id + 1],
            value: None,
        });
        tree.push(Raw {
            name: "id".to_string(),
            is_flag: true,
            parent: Some(id),
            children: Vec::new(),
            flags: Vec::new(),
            value: Some(format!("p{i}")),
        });
        tree[parent].children.push(id);
        parent = id;
    }
    N {
        tree: Rc::new(tree),
        id: 0,
    }
}

#[test]
fn deep_documents_walk_without_recursion() {
    let doc = deep_document(200_000);
    assert_eq!(values(&doc, "count(//part)"), ["200000"]);
    assert_eq!(values(&doc, "(//part)[last()]/@id"), ["p199999"]);
    let leaf = doc.at(doc.tree.len() - 2);
    assert_eq!(
        values(&leaf, "count(ancestor::part), /part/@id"),
        ["199999", "p0"]
    );
}

#[test]
fn nesting_at_the_limit_fits_a_small_stack() {
    // Each form nested as deep as the parser allows parses and evaluates in a debug build on
    // half the stack of a spawned thread.
    let run = || {
        let doc = catalog();
        let depth = MAX_DEPTH - 1;
        let parens = format!("{}1{}", "(".repeat(depth), ")".repeat(depth));
        assert_eq!(values(&doc, &parens), ["1"]);
        let preds = format!("{}*{}", "*[".repeat(depth - 1), "]".repeat(depth - 1));
        assert_eq!(values(&doc, &format!("count({preds})")), ["0"]);
        let filters = format!("catalog{}{}", "[.".repeat(depth - 1), "]".repeat(depth - 1));
        assert_eq!(values(&doc, &filters), ["catalog#1"]);
        let compares = format!(
            "{}1{}",
            "*[@id = (".repeat(depth / 2),
            ")]".repeat(depth / 2)
        );
        assert_eq!(values(&doc, &compares), Vec::<String>::new());
        let calls = format!("{}true(){}", "not(".repeat(depth), ")".repeat(depth));
        assert!(!test(&doc, &calls));
        let args = format!("{}'x'{}", "concat('a', ".repeat(depth), ")".repeat(depth));
        assert_eq!(values(&doc, &args), [format!("{}x", "a".repeat(depth))]);
        let ifs = "if (//part) then ".repeat(depth - 1) + "'y'" + &" else 'n'".repeat(depth - 1);
        assert_eq!(values(&doc, &ifs), ["y"]);
        let vars: Vec<String> = (0..MAX_BINDINGS).map(|i| format!("$v{i} in 1")).collect();
        let clauses = depth / (MAX_BINDINGS + 1);
        let fors = format!("for {} return ", vars.join(", ")).repeat(clauses) + "$v0";
        assert_eq!(values(&doc, &fors), ["1"]);
        let sums = format!("{}1{}", "-(1 + ".repeat(depth), ")".repeat(depth));
        assert_eq!(values(&doc, &sums), ["-2"]);
        let too_deep = format!("{}1{}", "(".repeat(MAX_DEPTH), ")".repeat(MAX_DEPTH));
        assert_eq!(
            parse_err(&too_deep).kind,
            PathErrorKind::TooDeep { max: MAX_DEPTH }
        );
    };
    let thread = std::thread::Builder::new().stack_size(1 << 20).spawn(run);
    thread.unwrap().join().unwrap();
}

#[test]
fn expressions_are_shared_across_threads() {
    fn shared<T: Send + Sync>(_: &T) {}
    let expr = Expr::parse("matches(@id, '^c')").unwrap();
    shared(&expr);
    let copy = expr.clone();
    let handle = std::thread::spawn(move || copy.source().len());
    assert_eq!(handle.join().unwrap(), expr.source().len());
}

#[test]
fn total_budget_bounds_all_evaluations_of_an_environment() {
    let doc = catalog();
    let env = Env::new().with_total_budget(300);
    let expr = Expr::parse("count(//part)").unwrap();
    let first = expr.eval(&doc, &env).unwrap();
    assert_eq!(first, [Item::Num(6.0)]);
    let per_run = env.spent();
    assert!(per_run > 20 && per_run < 150, "{per_run}");
    let mut runs = 1;
    let err = loop {
        match expr.eval(&doc, &env) {
            Ok(_) => runs += 1,
            Err(e) => break e,
        }
    };
    assert_eq!(err, EvalError::TotalBudget { limit: 300 });
    assert_eq!(runs, 300 / per_run);
    // The per-evaluation budget is separate and still applies.
    assert_eq!(Env::<N>::new().spent(), 0);
}

#[test]
fn fn_sequence_functions() {
    let doc = catalog();
    let c1 = node(&doc, "c1");
    assert_eq!(values(&c1, "head(prop)/@value"), ["AC-1"]);
    assert_eq!(values(&c1, "tail(prop)/@value"), ["withdrawn", "X"]);
    assert_eq!(values(&c1, "reverse(('a', 'b', 'c'))"), ["c", "b", "a"]);
    assert_eq!(values(&c1, "head(())"), Vec::<String>::new());
    assert_eq!(values(&c1, "index-of(prop/@name, 'label')"), ["1", "3"]);
    assert_eq!(values(&c1, "index-of((1, '2', 3), 2)"), ["2"]);
    assert_eq!(
        values(&c1, "data(prop/@name), title/data()"),
        ["label", "status", "label", "  One \t control\n"]
    );
}

#[test]
fn fn_name_and_local_name() {
    let doc = catalog();
    let c1 = node(&doc, "c1");
    assert_eq!(
        values(
            &c1,
            "name(), local-name(prop[1]), name(()), prop[1]/@*/name()"
        ),
        ["control", "prop", "", "name", "value"]
    );
    assert_eq!(
        eval_err(&c1, "name('x')", &Env::new()),
        EvalError::NotANode("name")
    );
}

#[test]
fn fn_number_functions() {
    let doc = catalog();
    let c1 = node(&doc, "c1");
    assert_eq!(
        values(
            &c1,
            "number('12'), number(' 1.5 '), number('x'), number(true())"
        ),
        ["12", "1.5", "NaN", "1"]
    );
    assert_eq!(values(&c1, "sum(()), sum((1, '2', 3.5))"), ["0", "6.5"]);
    assert_eq!(
        values(&c1, "min((3, '10', 2)), max((3, '10', 2))"),
        ["2", "10"]
    );
    assert_eq!(
        values(&c1, "min(prop/@name), max(prop/@name)"),
        ["label", "status"]
    );
    assert_eq!(values(&c1, "min(()), max((1, number('x')))"), ["NaN"]);
    assert_eq!(
        eval_err(&c1, "sum(prop/@name)", &Env::new()),
        EvalError::NotANumber("label".to_string())
    );
}

#[test]
fn fn_more_string_functions() {
    let doc = catalog();
    let c1 = node(&doc, "c1");
    assert_eq!(
        values(&c1, "string-join(prop/@name, ','), string-join(('a', 'b'))"),
        ["label,status,label", "ab"]
    );
    assert_eq!(
        values(
            &c1,
            "substring('12345', 2, 3), substring('12345', 1.5, 2.6), substring('12345', 0, 3), substring('12345', 3)"
        ),
        ["234", "234", "12", "345"]
    );
    assert_eq!(
        values(
            &c1,
            "substring('12345', number('x'), 3), substring('é☃x', 2, 1)"
        ),
        ["", "☃"]
    );
    assert_eq!(
        values(
            &c1,
            "substring-before(prop[1]/@value, '-'), substring-after(prop[1]/@value, '-')"
        ),
        ["AC", "1"]
    );
    assert_eq!(
        values(
            &c1,
            "substring-before('abc', 'x'), substring-after('abc', ''), substring-before('abc', '')"
        ),
        ["", "abc", ""]
    );
    assert_eq!(
        values(
            &c1,
            "translate('bar', 'abc', 'ABC'), translate('--aaa--', 'abc-', 'ABC')"
        ),
        ["BAr", "AAA"]
    );
}

#[test]
fn fn_tokenize_splits_by_whitespace_or_pattern() {
    let doc = catalog();
    let c1 = node(&doc, "c1");
    assert_eq!(values(&c1, "tokenize(title)"), ["One", "control"]);
    assert_eq!(values(&c1, "tokenize('a, b,c', ',\\s*')"), ["a", "b", "c"]);
    assert_eq!(values(&c1, "tokenize('aXbxc', 'x', 'i')"), ["a", "b", "c"]);
    assert_eq!(values(&c1, "tokenize('', ',')"), Vec::<String>::new());
    let err = parse_err("tokenize('abc', 'x*')");
    assert_eq!(
        (err.offset, err.message()),
        (
            16,
            "regular expression does not compile: pattern of tokenize matches the empty string"
                .to_string()
        )
    );
    assert_eq!(
        eval_err(&c1, "tokenize('abc', concat('x', '*'))", &Env::new()),
        EvalError::Regex("pattern of tokenize matches the empty string".to_string())
    );
}

#[test]
fn arithmetic_on_numbers() {
    let doc = catalog();
    let c1 = node(&doc, "c1");
    assert_eq!(
        values(
            &c1,
            "1 + 2 * 3, (1 + 2) * 3, 7 div 2, 7 idiv 2, -7 mod 3, 2 - 3 - 4"
        ),
        ["7", "9", "3.5", "3", "-1", "-5"]
    );
    assert_eq!(
        values(&c1, "count(prop) - 1, -count(prop), --1, +'2', 1 div 0"),
        ["2", "-3", "1", "2", "INF"]
    );
    // A hyphen inside a name is part of it; spaced, it subtracts.
    assert_eq!(values(&c1, "count(prop)-1, count(prop) -1"), ["2", "2"]);
    assert_eq!(values(&c1, "@missing + 1"), Vec::<String>::new());
    assert!(test(
        &c1,
        "count(prop) * 2 = 6 and prop[1 + 1]/@name = 'status'"
    ));
    assert_eq!(values(&c1, "prop[last() - 1]/@value"), ["withdrawn"]);
    assert_eq!(
        eval_err(&c1, "@id + 1", &Env::new()),
        EvalError::NotANumber("c1".to_string())
    );
    assert_eq!(
        eval_err(&c1, "prop/@name * 2", &Env::new()),
        EvalError::NotSingle {
            what: "arithmetic",
            found: 3
        }
    );
    assert_eq!(
        eval_err(&c1, "1 idiv 0", &Env::new()),
        EvalError::DivisionByZero
    );
    // A long chain is one list: it evaluates without deep recursion.
    let chain = vec!["1"; 5000].join(" + ");
    assert_eq!(values(&c1, &chain), ["5000"]);
    let wild = values(&c1, "count(*) * count(prop/@*)");
    assert_eq!(wild, ["42"]);
}

/// Random text from Metapath's own pieces (a fixed-seed xorshift, so every run is the same):
/// parsing and evaluating it at every node must give a value or an error, never a panic.
#[test]
fn random_token_soup_never_panics() {
    const ROUNDS: usize = 20_000;
    const PIECES: &[&str] = &[
        "/",
        "//",
        "..",
        ".",
        "@",
        "*",
        "[",
        "]",
        "(",
        ")",
        ",",
        "|",
        "=",
        "!=",
        "<",
        ">=",
        " eq ",
        " and ",
        " or ",
        " union ",
        "+",
        "-",
        " div ",
        " idiv ",
        " mod ",
        "||",
        "prop",
        "part",
        "control",
        "@id",
        "@name",
        "'a'",
        "'1'",
        "1",
        "0",
        "2.5",
        "-1",
        "$v",
        "$nope",
        "not(",
        "count(",
        "exists(",
        "has-oscal-namespace(",
        "starts-with(",
        "concat(",
        "matches(",
        "substring(",
        "tokenize(",
        "distinct-values(",
        "string(",
        "last()",
        "position()",
        "if (",
        ") then ",
        " else ",
        "ancestor::",
        "child::",
        "node()",
        "true()",
        "sum(",
        "min(",
        "index-of(",
        "translate(",
        "name(",
        "'^c'",
        "'(x'",
        "' '",
        "for $v in ",
        " return ",
        "let $v := ",
        "some $v in ",
        "every $w in ",
        " satisfies ",
        "$w",
        " ! ",
        " to ",
    ];
    let doc = catalog();
    let nodes: Vec<N> = (0..doc.tree.len()).map(|i| doc.at(i)).collect();
    let mut env = Env::new().with_budget(5_000);
    env.bind("v", vec![Item::Node(node(&doc, "c1")), Item::Num(2.0)]);
    let mut state: u64 = 0x9E37_79B9_7F4A_7C15;
    let mut next = move || {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        state
    };
    let (mut parsed, mut evaluated) = (0, 0);
    for _ in 0..ROUNDS {
        let len = 1 + next() % 12;
        let src: String = (0..len)
            .map(|_| PIECES[(next() % PIECES.len() as u64) as usize])
            .collect();
        let Ok(expr) = Expr::parse(&src) else {
            continue;
        };
        parsed += 1;
        for n in nodes.iter().step_by(7) {
            if expr.eval(n, &env).is_ok() {
                evaluated += 1;
            }
            let _ = expr.test(n, &env);
        }
    }
    // The soup is not all errors: some of it parses and evaluates.
    assert!(parsed > 800 && evaluated > 5_000, "{parsed} {evaluated}");
}

/// Expressions in the style external constraint sets use: value comparisons in predicates,
/// chained predicates, `if` with `ne`, unions with spaces inside a step, variables, counts
/// against numbers from the root.
#[test]
fn external_set_style_expressions() {
    let doc = catalog();
    let c1 = node(&doc, "c1");
    let mut env = Env::new();
    env.bind("level", vec![Item::Str("withdrawn".into())]);
    let cases: &[(&str, bool)] = &[
        ("prop[@name eq 'status'][@value eq 'withdrawn']", true),
        ("count(/catalog//control[@id eq 'c2']) = 1", true),
        ("count(//prop[@name eq 'label'][@ns]) > 1", false),
        (
            "if (prop[1]/@value ne 'AC-1') then exists(part) else true()",
            true,
        ),
        ("../(title | control)/@id = 'c1'", true),
        ("prop[@name = 'status']/@value eq $level", true),
        (
            "(link[@rel = ('related', 'required')])[1]/@href = '#c2'",
            true,
        ),
        ("every-thing = ()", false),
    ];
    for (src, want) in cases {
        let expr = Expr::parse(src).unwrap_or_else(|e| panic!("{src}: {e}"));
        assert_eq!(expr.test(&c1, &env), Ok(*want), "{src}");
    }
    for (src, name) in [
        ("doc-available(resolve-uri($href))", "doc-available"),
        ("map:merge(party ! map:entry(@uuid, .))?*", "map:merge"),
        (
            "count(resolve-profile(doc('p.xml'))//control) >= 2",
            "resolve-profile",
        ),
        ("current-date() > xs:date('2020-01-01')", "current-date"),
    ] {
        assert_eq!(
            parse_err(src).kind,
            PathErrorKind::UnsupportedFunction(name.to_string()),
            "{src}"
        );
    }
}

#[test]
fn for_let_some_every_bind_variables() {
    let doc = catalog();
    let c1 = node(&doc, "c1");
    assert_eq!(
        values(&c1, "for $p in prop return $p/@name"),
        ["label", "status", "label"]
    );
    assert_eq!(
        values(&c1, "for $a in (1, 2), $b in ($a, 10) return $a * $b"),
        ["1", "10", "4", "20"]
    );
    assert_eq!(
        values(&c1, "let $n := count(prop), $m := $n + 1 return $m * 2"),
        ["8"]
    );
    // A local shadows the environment's variable, and is gone after its body.
    let mut env = Env::new();
    env.bind("x", vec![Item::Str("outer".into())]);
    let expr = Expr::parse("(let $x := 'inner' return $x), $x").unwrap();
    let got: Vec<String> = expr
        .eval(&c1, &env)
        .unwrap()
        .iter()
        .map(|i| i.string_value().into_owned())
        .collect();
    assert_eq!(got, ["inner", "outer"]);
    assert!(test(&c1, "some $p in prop satisfies $p/@name = 'status'"));
    assert!(!test(&c1, "every $p in prop satisfies $p/@name = 'label'"));
    assert!(test(&c1, "every $p in prop satisfies exists($p/@value)"));
    assert!(
        test(&c1, "every $p in () satisfies false()")
            && !test(&c1, "some $p in () satisfies true()")
    );
    // The focus inside the body stays the outer one.
    assert_eq!(
        values(&c1, "for $i in (1, 2) return string(@id)"),
        ["c1", "c1"]
    );
    // `some` stops at the first true body: the unbound variable after it is never reached.
    assert!(test(
        &c1,
        "some $i in (1, 2) satisfies (if ($i = 1) then true() else $nope)"
    ));
}

#[test]
fn error_bindings_malformed_or_too_many() {
    let err = parse_err("for $x in a satisfies b");
    assert_eq!(
        (err.offset, err.message()),
        (12, "expected `return`, found `satisfies`".to_string())
    );
    let err = parse_err("let $x in a return b");
    assert_eq!(
        (err.offset, err.message()),
        (7, "expected `:=`, found `in`".to_string())
    );
    let err = parse_err("some $x in a, b satisfies c");
    assert_eq!(
        (err.offset, err.message()),
        (14, "expected a variable, found `b`".to_string())
    );
    let vars: Vec<String> = (0..=MAX_BINDINGS).map(|i| format!("$v{i} in 1")).collect();
    let err = parse_err(&format!("for {} return 1", vars.join(", ")));
    assert_eq!(
        (err.offset, err.kind),
        (0, PathErrorKind::TooManyBindings { max: MAX_BINDINGS })
    );
    let vars: Vec<String> = (0..MAX_BINDINGS)
        .map(|i| format!("$v{i} in (1, 2)"))
        .collect();
    let doc = catalog();
    assert_eq!(
        values(&doc, &format!("count(for {} return 1)", vars.join(", "))),
        ["256"]
    );
}

#[test]
fn simple_map_keeps_order_and_atoms() {
    let doc = catalog();
    let c1 = node(&doc, "c1");
    assert_eq!(values(&c1, "prop ! @name"), ["label", "status", "label"]);
    assert_eq!(
        values(&c1, "(3, 1, 2) ! (. * 10) ! string()"),
        ["30", "10", "20"]
    );
    assert_eq!(
        values(&c1, "prop ! position() ! (. = last())"),
        ["false", "false", "true"]
    );
    assert_eq!(values(&c1, "-prop[1] ! 2"), ["-2"]);
    assert_eq!(values(&c1, "'a' != 'b'"), ["true"]);
}

#[test]
fn range_gives_whole_numbers_within_the_budget() {
    let doc = catalog();
    assert_eq!(values(&doc, "1 to 3, 5 to 4, () to 2"), ["1", "2", "3"]);
    assert_eq!(values(&doc, "(1 to 10)[. mod 3 = 0]"), ["3", "6", "9"]);
    assert_eq!(values(&doc, "count(1 + 1 to 2 * 3)"), ["5"]);
    assert_eq!(
        eval_err(&doc, "1 to 1.5", &Env::new()),
        EvalError::NotAnInteger("1.5".to_string())
    );
    // The count is spent before the sequence exists: a huge range is refused at once.
    assert_eq!(
        eval_err(&doc, "count(1 to 1e15)", &Env::new().with_budget(1_000)),
        EvalError::Budget { limit: 1_000 }
    );
    assert_eq!(parse_err("1 to 2 to 3").offset, 7);
    // Where doubles no longer hold every integer, the range still ends.
    assert_eq!(values(&doc, "count(1e16 to 1e16 + 2)"), ["3"]);
}

#[test]
fn string_building_spends_the_budget() {
    let doc = catalog();
    // Each variable doubles the text: 40 of them would ask for a terabyte.
    let mut src = "let $s0 := 'abcdefgh'".to_string();
    for i in 1..40 {
        let sep = if i % MAX_BINDINGS == 0 {
            " return let"
        } else {
            ","
        };
        let prev = i - 1;
        src.push_str(&format!("{sep} $s{i} := concat($s{prev}, $s{prev})"));
    }
    src.push_str(" return string-length($s39)");
    assert_eq!(
        eval_err(&doc, &src, &Env::new()),
        EvalError::Budget {
            limit: oscalc::metaschema::path::DEFAULT_BUDGET
        }
    );
    let join = "string-join(1 to 100000, concat('x', 'xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx'))";
    assert_eq!(
        eval_err(&doc, join, &Env::new().with_budget(1_000_000)),
        EvalError::Budget { limit: 1_000_000 }
    );
    // Long values compared pair by pair cost by their length.
    let long: std::sync::Arc<str> = "x".repeat(64 * 1024).into();
    let mut env = Env::new();
    env.bind("long", vec![Item::Str(long); 1_000]);
    for src in [
        "$long != $long",
        "count(for $i in 1 to 200 return index-of($long, 'x'))",
        "count(for $i in 1 to 200 return distinct-values($long))",
    ] {
        let limit = oscalc::metaschema::path::DEFAULT_BUDGET;
        assert_eq!(
            eval_err(&doc, src, &env),
            EvalError::Budget { limit },
            "{src}"
        );
    }
    assert_eq!(
        values(&doc, "translate('abcabc', 'aab', 'xyz')"),
        ["xzcxzc"]
    );
    // Ordinary strings cost little.
    assert_eq!(
        values(&doc, "string-length(string-join(1 to 1000, ','))"),
        ["3892"]
    );
}

#[test]
fn number_syntax_is_xpaths() {
    let doc = catalog();
    let numbers = "('+1', '-1.5e-1', '1.', '.5', '007', '2E+2') ! number(.)";
    assert_eq!(
        values(&doc, numbers),
        ["1", "-0.15", "1", "0.5", "7", "200"]
    );
    let not_numbers =
        "('1e', '1.2.3', '', '-', 'e5', '1e+', 'inf', 'NaN', '0x1', '1_0') ! number(.)";
    assert_eq!(values(&doc, not_numbers), vec!["NaN"; 10]);
}

#[test]
fn name_steps_spend_the_children_they_scan() {
    // A node with 20 000 children: looking up a name among them from each child again is
    // 400 million scans, stopped by the budget; doing it once is cheap.
    let kids: Vec<E> = (0..20_000).map(|_| el("part", &[], vec![])).collect();
    let doc = document(el("catalog", &[], kids));
    assert_eq!(values(&doc, "count(catalog/part)"), ["20000"]);
    let limit = oscalc::metaschema::path::DEFAULT_BUDGET;
    assert_eq!(
        eval_err(&doc, "count(//part/(../title))", &Env::new()),
        EvalError::Budget { limit }
    );
}

#[test]
fn error_messages_clip_what_they_quote() {
    let name = "f".repeat(10_000);
    let err = parse_err(&format!("{name}()"));
    let clipped = format!("{}…", "f".repeat(64));
    assert_eq!(
        err.kind,
        PathErrorKind::UnsupportedFunction(clipped.clone())
    );
    assert_eq!(
        err.message(),
        format!("function `{clipped}` is not supported")
    );
    let err = parse_err(&format!("a '{}'", "é".repeat(1_000)));
    assert_eq!(
        err.message(),
        format!(
            "expected an operator or the end of the expression, found string '{}…'",
            "é".repeat(64)
        )
    );
}
