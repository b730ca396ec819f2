//! Metapath, the subset OSCAL's constraints use: parsed once into an [`Expr`], evaluated over
//! any tree that implements [`Node`].
//!
//! Stage: constraint checking's expression side. In: the text of a `target`, `test`, key field
//! or `let` (from the Metaschema modules or an untrusted `--constraints FILE`), then a context
//! node and an [`Env`]. Out: a sequence of [`Item`]s, or its effective boolean value
//! ([`Expr::test`]). Which nodes a constraint applies to, and what a finding says, is the
//! checker's business.
//!
//! Parsing and evaluation are bounded and never panic: an expression is at most
//! [`MAX_LEN`] bytes and nests at most [`MAX_DEPTH`] deep ([`PathError`] with the byte offset
//! otherwise); an evaluation spends at most [`Env::budget`] steps (node visits plus items
//! produced; [`EvalError::Budget`] otherwise), and all evaluations with one environment at most
//! its total budget if it has one ([`Env::with_total_budget`]); descendant walks use an
//! explicit stack.
//!
//! # Supported grammar
//!
//! - Paths: absolute `/x`, `//x`, relative `x/y`, `x//y`; `.`, `..`, `*`, `@name`, `@*`,
//!   `node()`; the axes `child::`, `descendant::`, `descendant-or-self::`, `attribute::`,
//!   `self::`, `parent::`, `ancestor::`, `ancestor-or-self::`. A step may be any primary
//!   expression (`//(control|group|part)`, `$v/x`, `x/string()`).
//! - Predicates `[…]`, several in a row: a number is a position (`prop[1]`), anything else its
//!   effective boolean value. Positions on reverse axes count nearest first.
//! - Unions `a | b` and `a union b` (nodes, in document order, without duplicates); the simple
//!   map `a ! b` (`b` for each item of `a`, in order, atomic values allowed).
//! - Parentheses, sequences `('a', 'b')` and `()`, string literals (`'…'` or `"…"`, a doubled
//!   quote for a quote), number literals (`1`, `1.5`, `.5`, `1e3`), variables `$name` (bound
//!   by the caller with [`Env::bind`]), comments `(: … :)`.
//! - General comparisons `= != < <= > >=`, existential over both sequences; value
//!   comparisons `eq ne lt le gt ge` of at most one item each. Two items compare as booleans
//!   when either is a boolean, as numbers when both are numbers or strings in number syntax
//!   (`'10' > '9'`), a number against another string is unordered (only `!=` holds), and
//!   otherwise as strings by code point. A node compares by its value; an assembly or the
//!   document has none and atomizes to `""`.
//! - `and`, `or`, `if (…) then … else …`, and the string concatenation operator `||`.
//! - `for $x in … return …`, `let $x := … return …`, `some $x in … satisfies …`, `every $x
//!   in … satisfies …`, with at most [`MAX_BINDINGS`] variables per clause.
//! - Arithmetic `+ - * div idiv mod` and signs (`-x`), over doubles: an empty operand gives
//!   the empty sequence, a value that is not a number is an error (`idiv` by zero too);
//!   ranges `1 to 3` of whole numbers.
//! - Functions (a `fn:` prefix is allowed): `has-oscal-namespace(ns…)` (the context node's `ns`
//!   flag, else its declared default, equals one of the arguments); booleans `not`, `exists`,
//!   `empty`, `boolean`, `true`, `false`; sequences `count`, `distinct-values`, `head`, `tail`,
//!   `reverse`, `index-of`, `data`, `last`, `position`; nodes `name`, `local-name`; numbers
//!   `number`, `sum`, `min`, `max`; strings `string`, `string-length`, `normalize-space`,
//!   `lower-case`, `upper-case`, `starts-with`, `ends-with`, `contains`, `concat`,
//!   `string-join`, `substring`, `substring-before`, `substring-after`, `translate`; regular
//!   expressions `matches(input, pattern, flags?)` (a search) and `tokenize(input, pattern?,
//!   flags?)`, with the `regex` crate's syntax and the flags `s m i x q`, at most
//!   [`REGEX_SIZE_LIMIT`] bytes compiled. Collation arguments are not taken.
//!
//! Not supported, and refused when parsed (never evaluated as false): every other function
//! (`doc`, `path`, `resolve-profile`, `recurse-depth`, `map:*`, …),
//! `intersect`/`except`, `instance of`/`cast`, maps and arrays, the `=>` operator,
//! namespace prefixes in name tests, and other axes (`following`, `preceding`, their
//! siblings).
//!
//! ```
//! use std::borrow::Cow;
//! use oscalc::metaschema::path::{Env, Expr, Item, Node};
//!
//! // A tiny tree: a control with a prop (flags `name`, `ns`), as (name, is flag, parent,
//! // value) rows in document order.
//! const ROWS: &[(&str, bool, Option<usize>, Option<&str>)] = &[
//!     ("", false, None, None),
//!     ("control", false, Some(0), None),
//!     ("id", true, Some(1), Some("ac-1")),
//!     ("prop", false, Some(1), None),
//!     ("name", true, Some(3), Some("label")),
//! ];
//! #[derive(Clone, PartialEq)]
//! struct N(usize);
//! impl Node for N {
//!     fn name(&self) -> &str { ROWS[self.0].0 }
//!     fn is_flag(&self) -> bool { ROWS[self.0].1 }
//!     fn parent(&self) -> Option<Self> { ROWS[self.0].2.map(N) }
//!     fn children(&self) -> Vec<Self> { self.kids(false) }
//!     fn flags(&self) -> Vec<Self> { self.kids(true) }
//!     fn value(&self) -> Option<Cow<'_, str>> { ROWS[self.0].3.map(Cow::Borrowed) }
//!     fn flag_default(&self, name: &str) -> Option<&str> {
//!         (self.name() == "prop" && name == "ns").then_some("http://csrc.nist.gov/ns/oscal")
//!     }
//!     fn order(&self) -> usize { self.0 }
//! }
//! impl N {
//!     fn kids(&self, flags: bool) -> Vec<N> {
//!         (0..ROWS.len()).filter(|&i| ROWS[i].2 == Some(self.0) && ROWS[i].1 == flags)
//!             .map(N).collect()
//!     }
//! }
//!
//! let control = N(1);
//! let env = Env::new();
//! let target = Expr::parse("prop[has-oscal-namespace('http://csrc.nist.gov/ns/oscal')]/@name")?;
//! let names: Vec<_> = target.eval(&control, &env)?.iter()
//!     .map(|item| item.string_value().into_owned()).collect();
//! assert_eq!(names, ["label"]);
//!
//! let test = Expr::parse("@id = ('ac-1', 'ac-2') and not(exists(@class))")?;
//! assert!(test.test(&control, &env)?);
//!
//! let mut env = Env::new();
//! env.bind("want", vec![Item::Str("ac-2".into())]);
//! assert!(!Expr::parse("@id = $want")?.test(&control, &env)?);
//!
//! let err = Expr::parse("doc('x.xml')").unwrap_err();
//! assert_eq!((err.offset, err.message()), (0, "function `doc` is not supported".to_string()));
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

mod arith;
mod ast;
mod bind;
mod compare;
mod error;
mod eval;
mod func;
mod lex;
mod parse;
mod text;

use std::borrow::Cow;

pub use error::{EvalError, PathError, PathErrorKind};
pub use eval::{DEFAULT_BUDGET, Env, Item};
pub use parse::{MAX_BINDINGS, MAX_DEPTH, MAX_LEN};
pub use text::REGEX_SIZE_LIMIT;

/// A node of a document as Metapath sees it: assemblies and fields (model children) and flags.
pub trait Node: Clone + PartialEq {
    /// The name a step matches: a model instance's or flag's use-name; empty for the document.
    fn name(&self) -> &str;
    /// Whether this is a flag (reached by the attribute axis only).
    fn is_flag(&self) -> bool;
    /// The parent (a flag's parent is its owner); `None` for the document node.
    fn parent(&self) -> Option<Self>;
    /// Model children in document order.
    fn children(&self) -> Vec<Self>;
    /// Flags, in document order.
    fn flags(&self) -> Vec<Self>;
    /// The atomized value of a field or flag; `None` for an assembly or the document.
    fn value(&self) -> Option<Cow<'_, str>>;
    /// The declared default of flag `name` on this node's definition (`ns`), if any.
    fn flag_default(&self, name: &str) -> Option<&str>;
    /// Position in document order, for sorting and removing duplicates in unions.
    fn order(&self) -> usize;

    /// The flag called `name`, if present: what `@name` selects. The default scans
    /// [`Node::flags`]; a tree with an index may answer faster.
    fn flag(&self, name: &str) -> Option<Self> {
        self.flags().into_iter().find(|f| f.name() == name)
    }

    /// The model children called `name`, in document order: what a name step selects. The
    /// default filters [`Node::children`]; a tree that knows where a name lives (a JSON key)
    /// may answer faster.
    fn children_named(&self, name: &str) -> Vec<Self> {
        let mut children = self.children();
        children.retain(|c| !c.is_flag() && c.name() == name);
        children
    }

    /// The model descendants (no flags) for which `keep` holds, in document order; `keep`
    /// sees every descendant, once. The default walks [`Node::children`] with an explicit
    /// stack (no recursion on the document's depth); a tree stored in document order answers
    /// from a range.
    fn descendants(&self, keep: &mut dyn FnMut(&Self) -> bool) -> Vec<Self> {
        let mut out = Vec::new();
        let mut stack = self.children();
        stack.reverse();
        while let Some(n) = stack.pop() {
            let mut children = n.children();
            children.reverse();
            if keep(&n) {
                out.push(n);
            }
            stack.extend(children);
        }
        out
    }

    /// How many model children there are: what a name step costs against the step budget
    /// (it may scan them all). The default counts [`Node::children`]; a tree that stores a
    /// range answers at once.
    fn child_count(&self) -> usize {
        self.children().len()
    }
}

/// A parsed Metapath expression, ready to evaluate any number of times.
#[derive(Debug, Clone)]
pub struct Expr {
    source: String,
    ast: ast::Ast,
}

impl Expr {
    /// Parses an expression of the supported grammar (see the module doc).
    pub fn parse(source: &str) -> Result<Expr, PathError> {
        let ast = parse::parse(source)?;
        Ok(Expr {
            source: source.to_string(),
            ast,
        })
    }

    /// The text it was parsed from.
    pub fn source(&self) -> &str {
        &self.source
    }

    /// The nodes the expression selects at `ctx` (atomic items are dropped): what a
    /// constraint's target gives. `.` is `ctx` itself, without evaluating.
    pub fn select<N: Node>(&self, ctx: &N, env: &Env<N>) -> Result<Vec<N>, EvalError> {
        if matches!(self.ast, ast::Ast::Context) {
            return Ok(vec![ctx.clone()]);
        }
        let items = self.eval(ctx, env)?;
        Ok(items
            .into_iter()
            .filter_map(|i| match i {
                Item::Node(n) => Some(n),
                _ => None,
            })
            .collect())
    }

    /// The atomized value of the first item the expression gives at `ctx`, if any: what a key
    /// field gives. `@name` reads the flag without evaluating.
    pub fn first_value<N: Node>(&self, ctx: &N, env: &Env<N>) -> Result<Option<String>, EvalError> {
        if let ast::Ast::Path(ast::Start::Context, steps) = &self.ast
            && let [ast::Step::Axis(ast::Axis::Attribute, ast::Test::Name(name), preds)] =
                steps.as_slice()
            && preds.is_empty()
        {
            return Ok(ctx
                .flag(name)
                .and_then(|f| f.value().map(std::borrow::Cow::into_owned)));
        }
        let items = self.eval(ctx, env)?;
        Ok(items.first().map(|i| i.string_value().into_owned()))
    }

    /// Evaluates the expression with `ctx` as context item (position 1 of 1).
    pub fn eval<N: Node>(&self, ctx: &N, env: &Env<N>) -> Result<Vec<Item<N>>, EvalError> {
        self.at(ctx, env, |evaluation, ast, focus| {
            evaluation.eval(ast, focus)
        })
    }

    /// The effective boolean value of the expression at `ctx`: false for the empty sequence,
    /// true for nodes, a single atomic value by its value; an error for several atomic values.
    pub fn test<N: Node>(&self, ctx: &N, env: &Env<N>) -> Result<bool, EvalError> {
        self.at(ctx, env, |evaluation, ast, focus| {
            evaluation.truth(ast, focus)
        })
    }

    /// One evaluation by `how` with `ctx` as context item (position 1 of 1), its steps counted
    /// in `env`.
    fn at<N: Node, T>(
        &self,
        ctx: &N,
        env: &Env<N>,
        how: impl FnOnce(&mut eval::Eval<'_, N>, &ast::Ast, &eval::Focus<'_, N>) -> T,
    ) -> T {
        let item = Item::Node(ctx.clone());
        let focus = eval::Focus {
            item: &item,
            pos: 1,
            size: 1,
        };
        let mut evaluation = eval::Eval::new(env);
        let result = how(&mut evaluation, &self.ast, &focus);
        evaluation.finish();
        result
    }
}

impl std::fmt::Display for Expr {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.source)
    }
}
