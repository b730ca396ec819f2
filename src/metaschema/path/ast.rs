//! The parsed form of an expression: what [`super::parse`] builds and [`super::eval`] walks.
//! Chains of one operator (`a or b or c`, unions, steps, predicates, sequences) are flat lists,
//! so the tree is only as deep as the text's parentheses and calls, which the parser bounds.

use regex::Regex;

/// An expression node.
#[derive(Debug, Clone)]
pub(crate) enum Ast {
    /// A string literal.
    Str(std::sync::Arc<str>),
    /// A number literal.
    Num(f64),
    /// `$name`.
    Var(String),
    /// `.`
    Context,
    /// `a, b, c` and `()` (empty).
    Seq(Vec<Ast>),
    /// `a or b or …`
    Or(Vec<Ast>),
    /// `a and b and …`
    And(Vec<Ast>),
    /// `a | b | …` (and `union`).
    Union(Vec<Ast>),
    /// A comparison: general (`=`, existential over both sequences) or, when `value` is set,
    /// a value comparison (`eq`, of at most one item each).
    Compare {
        left: Box<Ast>,
        op: Cmp,
        value: bool,
        right: Box<Ast>,
    },
    /// Arithmetic, a left fold: `first op1 x1 op2 x2 …` (one list, however long the chain).
    Arith(Box<Ast>, Vec<(ArithOp, Ast)>),
    /// `a to b`: the integers from `a` to `b`.
    Range(Box<Ast>, Box<Ast>),
    /// A signed operand: `-x` when `true`, `+x` (the number itself) when `false`.
    Unary(bool, Box<Ast>),
    /// `for`, `let`, `some` or `every`: variables, each bound to an expression (which sees the
    /// ones before it), and the body.
    Bind(Binder, Vec<(String, Ast)>, Box<Ast>),
    /// `if (c) then a else b`
    If(Box<[Ast; 3]>),
    /// A path: where it starts and its steps, in order.
    Path(Start, Vec<Step>),
    /// `a ! b ! …`: each later expression evaluated for every item of the one before, the
    /// results concatenated in that order (no sorting, atomic values allowed).
    Map(Vec<Ast>),
    /// A primary expression with predicates: `(a|b)[1]`, `$v[@x]`.
    Filter(Box<Ast>, Vec<Ast>),
    /// A call of a supported function.
    Call(Func, Vec<Ast>),
}

impl Ast {
    /// Whether the expression always gives one boolean (`and`, `or`, a comparison, a boolean
    /// function), so as a predicate it is never a position.
    pub fn is_boolean(&self) -> bool {
        match self {
            Ast::And(_) | Ast::Or(_) | Ast::Compare { .. } => true,
            Ast::Call(f, _) => f.is_boolean(),
            _ => false,
        }
    }
}

/// Where a path starts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Start {
    /// At the context item.
    Context,
    /// `/…`: at the document node of the context node.
    Root,
}

/// One step of a path.
#[derive(Debug, Clone)]
pub(crate) enum Step {
    /// An axis step with its node test and predicates (`@name`, `part[…]`, `..`).
    Axis(Axis, Test, Vec<Ast>),
    /// Any other expression evaluated per context item (`(control|group)`, `.`, `string()`).
    Expr(Ast),
}

/// The axes; `//` is `descendant-or-self::node()/`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Axis {
    Child,
    Descendant,
    DescendantOrSelf,
    Attribute,
    SelfNode,
    Parent,
    Ancestor,
    AncestorOrSelf,
}

impl Axis {
    /// Looks up an axis by its name before `::`.
    pub fn named(name: &str) -> Option<Axis> {
        Some(match name {
            "child" => Axis::Child,
            "descendant" => Axis::Descendant,
            "descendant-or-self" => Axis::DescendantOrSelf,
            "attribute" => Axis::Attribute,
            "self" => Axis::SelfNode,
            "parent" => Axis::Parent,
            "ancestor" => Axis::Ancestor,
            "ancestor-or-self" => Axis::AncestorOrSelf,
            _ => return None,
        })
    }

    /// Reverse axes number their nodes nearest first, for positional predicates.
    pub fn is_reverse(self) -> bool {
        matches!(self, Axis::Parent | Axis::Ancestor | Axis::AncestorOrSelf)
    }
}

/// A node test.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Test {
    /// A name: the node's name must equal it.
    Name(String),
    /// `*`: any node of the axis's principal kind (flags on the attribute axis, else model
    /// nodes).
    Star,
    /// `node()`: any node.
    AnyNode,
    /// One of several names: what a union of plain child steps (`(control|group|part)`)
    /// becomes when parsed, so `//(a|b)` is one walk.
    Names(Vec<String>),
}

/// The expressions that bind variables.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Binder {
    /// `for $x in E return B`: B for each item of E, concatenated.
    For,
    /// `let $x := E return B`: B with `$x` bound to all of E.
    Let,
    /// `some $x in E satisfies B`: B true for one item of E.
    Some,
    /// `every $x in E satisfies B`: B true for each item of E.
    Every,
}

impl Binder {
    /// The binder a keyword starts.
    pub fn named(word: &str) -> Option<Binder> {
        Some(match word {
            "for" => Binder::For,
            "let" => Binder::Let,
            "some" => Binder::Some,
            "every" => Binder::Every,
            _ => return None,
        })
    }
}

/// An arithmetic operator.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum ArithOp {
    Add,
    Sub,
    Mul,
    Div,
    IDiv,
    Mod,
}

/// A comparison operator.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Cmp {
    Eq,
    Ne,
    Lt,
    Le,
    Gt,
    Ge,
}

impl Cmp {
    /// Whether the ordering of two values satisfies the operator.
    pub fn holds(self, ord: std::cmp::Ordering) -> bool {
        use std::cmp::Ordering::{Equal, Greater, Less};
        match self {
            Cmp::Eq => ord == Equal,
            Cmp::Ne => ord != Equal,
            Cmp::Lt => ord == Less,
            Cmp::Le => ord != Greater,
            Cmp::Gt => ord == Greater,
            Cmp::Ge => ord != Less,
        }
    }
}

/// The supported functions.
#[derive(Debug, Clone)]
pub(crate) enum Func {
    HasOscalNamespace,
    StartsWith,
    EndsWith,
    Contains,
    Not,
    Exists,
    Empty,
    Count,
    Boolean,
    String,
    StringLength,
    NormalizeSpace,
    LowerCase,
    UpperCase,
    Concat,
    /// `matches`, with its regex compiled at parse time when pattern and flags are literals.
    Matches(Option<Box<Regex>>),
    True,
    False,
    DistinctValues,
    Last,
    Position,
    Head,
    Tail,
    Reverse,
    IndexOf,
    Data,
    /// `name` and `local-name` (OSCAL names have no prefix).
    Name,
    Number,
    Sum,
    Min,
    Max,
    StringJoin,
    Substring,
    SubstringBefore,
    SubstringAfter,
    Translate,
    /// `tokenize`, with its regex compiled at parse time when pattern and flags are literals.
    Tokenize(Option<Box<Regex>>),
}

impl Func {
    /// Whether the function always returns one boolean.
    pub fn is_boolean(&self) -> bool {
        matches!(
            self,
            Func::HasOscalNamespace
                | Func::StartsWith
                | Func::EndsWith
                | Func::Contains
                | Func::Not
                | Func::Exists
                | Func::Empty
                | Func::Boolean
                | Func::Matches(_)
                | Func::True
                | Func::False
        )
    }
}

/// How many arguments a function takes: `(min, max)`, `None` for no maximum.
pub(crate) type Arity = (usize, Option<usize>);

/// The supported function of this name (a `fn:` prefix is allowed), with its arity.
pub(crate) fn function(name: &str) -> Option<(Func, Arity)> {
    let local = name.strip_prefix("fn:").unwrap_or(name);
    Some(match local {
        "has-oscal-namespace" => (Func::HasOscalNamespace, (1, None)),
        "starts-with" => (Func::StartsWith, (2, Some(2))),
        "ends-with" => (Func::EndsWith, (2, Some(2))),
        "contains" => (Func::Contains, (2, Some(2))),
        "not" => (Func::Not, (1, Some(1))),
        "exists" => (Func::Exists, (1, Some(1))),
        "empty" => (Func::Empty, (1, Some(1))),
        "count" => (Func::Count, (1, Some(1))),
        "boolean" => (Func::Boolean, (1, Some(1))),
        "string" => (Func::String, (0, Some(1))),
        "string-length" => (Func::StringLength, (0, Some(1))),
        "normalize-space" => (Func::NormalizeSpace, (0, Some(1))),
        "lower-case" => (Func::LowerCase, (1, Some(1))),
        "upper-case" => (Func::UpperCase, (1, Some(1))),
        "concat" => (Func::Concat, (2, None)),
        "matches" => (Func::Matches(None), (2, Some(3))),
        "true" => (Func::True, (0, Some(0))),
        "false" => (Func::False, (0, Some(0))),
        "distinct-values" => (Func::DistinctValues, (1, Some(1))),
        "last" => (Func::Last, (0, Some(0))),
        "position" => (Func::Position, (0, Some(0))),
        "head" => (Func::Head, (1, Some(1))),
        "tail" => (Func::Tail, (1, Some(1))),
        "reverse" => (Func::Reverse, (1, Some(1))),
        "index-of" => (Func::IndexOf, (2, Some(2))),
        "data" => (Func::Data, (0, Some(1))),
        "name" | "local-name" => (Func::Name, (0, Some(1))),
        "number" => (Func::Number, (0, Some(1))),
        "sum" => (Func::Sum, (1, Some(1))),
        "min" => (Func::Min, (1, Some(1))),
        "max" => (Func::Max, (1, Some(1))),
        "string-join" => (Func::StringJoin, (1, Some(2))),
        "substring" => (Func::Substring, (2, Some(3))),
        "substring-before" => (Func::SubstringBefore, (2, Some(2))),
        "substring-after" => (Func::SubstringAfter, (2, Some(2))),
        "translate" => (Func::Translate, (3, Some(3))),
        "tokenize" => (Func::Tokenize(None), (1, Some(3))),
        _ => return None,
    })
}

/// The arity as a message says it.
pub(crate) fn describe_arity((min, max): Arity) -> String {
    match max {
        Some(max) if max == min => min.to_string(),
        Some(max) if max == min + 1 => format!("{min} or {max}"),
        Some(max) => format!("{min} to {max}"),
        None => format!("at least {min}"),
    }
}
