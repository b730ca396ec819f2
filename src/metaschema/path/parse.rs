//! Stage: parsing. In: the text of an expression. Out: its [`Ast`], or a [`PathError`] with the
//! byte offset of the problem. Recursive descent over XPath's precedence levels; every
//! recursion passes through [`Parser::expr_single`], which counts nesting against
//! [`MAX_DEPTH`], so hostile text cannot overflow the stack.

use super::ast::{
    ArithOp, Ast, Axis, Binder, Cmp, Func, Start, Step, Test, describe_arity, function,
};
use super::error::{PathError, PathErrorKind, clip};
use super::lex::{Tok, Token, lex};
use super::text::compile_regex;

/// The longest expression accepted, in bytes.
pub const MAX_LEN: usize = 64 * 1024;
/// The deepest nesting of parentheses, brackets, calls, `if` and bound variables accepted. Parsing and
/// evaluation recurse once per level, at up to about 10 KiB of stack a level in a debug build:
/// 64 levels stay well inside the 2 MiB of a spawned thread (a test runs them in 1 MiB), and
/// far beyond what constraints need (OSCAL's nest 3 deep).
pub const MAX_DEPTH: usize = 64;

/// The most variables one `for`, `let`, `some` or `every` binds: evaluation nests once per
/// variable.
pub const MAX_BINDINGS: usize = 8;

/// Operators of XPath that the subset leaves out: named here so the error says so.
const UNSUPPORTED_WORDS: &[&str] = &[
    "intersect",
    "except",
    "instance",
    "treat",
    "castable",
    "cast",
    "is",
    "otherwise",
];
const UNSUPPORTED_SYMS: &[&str] = &["!", "=>", "<<", ">>", ":=", "?", "{", "}", "#", ";"];

/// Parses `src` into an expression tree.
pub(crate) fn parse(src: &str) -> Result<Ast, PathError> {
    if src.len() > MAX_LEN {
        let kind = PathErrorKind::TooLong {
            len: src.len(),
            max: MAX_LEN,
        };
        return Err(PathError::new(MAX_LEN, kind));
    }
    let mut parser = Parser {
        toks: lex(src)?,
        pos: 0,
        depth: 0,
    };
    let ast = parser.expr()?;
    if parser.peek() == &Tok::End {
        Ok(ast)
    } else {
        Err(parser.fail("an operator or the end of the expression"))
    }
}

struct Parser {
    toks: Vec<Token>,
    pos: usize,
    depth: usize,
}

impl Parser {
    fn peek(&self) -> &Tok {
        self.peek_at(0)
    }

    fn peek_at(&self, ahead: usize) -> &Tok {
        self.toks
            .get(self.pos + ahead)
            .map_or(&Tok::End, |t| &t.tok)
    }

    fn offset(&self) -> usize {
        self.toks
            .get(self.pos)
            .or(self.toks.last())
            .map_or(0, |t| t.at)
    }

    fn is_sym(&self, sym: &str) -> bool {
        matches!(self.peek(), Tok::Sym(s) if *s == sym)
    }

    fn is_word(&self, word: &str) -> bool {
        matches!(self.peek(), Tok::Name(n) if n == word)
    }

    fn eat_sym(&mut self, sym: &str) -> bool {
        let found = self.is_sym(sym);
        if found {
            self.pos += 1;
        }
        found
    }

    fn eat_word(&mut self, word: &str) -> bool {
        let found = self.is_word(word);
        if found {
            self.pos += 1;
        }
        found
    }

    /// The error for the current token where `expected` is needed: an operator outside the
    /// subset is named as such.
    fn fail(&self, expected: &'static str) -> PathError {
        let at = self.offset();
        let kind = match self.peek() {
            Tok::Name(n) if UNSUPPORTED_WORDS.contains(&n.as_str()) => {
                PathErrorKind::Unsupported(n.clone())
            }
            Tok::Sym(s) if UNSUPPORTED_SYMS.contains(s) => {
                PathErrorKind::Unsupported((*s).to_string())
            }
            other => PathErrorKind::Expected {
                expected,
                found: other.describe(),
            },
        };
        PathError::new(at, kind)
    }

    /// Consumes the closing `close` of the `open` at `open_at`.
    fn close(&mut self, open: char, close: &'static str, open_at: usize) -> Result<(), PathError> {
        if self.eat_sym(close) {
            Ok(())
        } else if self.peek() == &Tok::End {
            Err(PathError::new(open_at, PathErrorKind::Unclosed(open)))
        } else if close == ")" {
            Err(self.fail("`)` or `,`"))
        } else {
            Err(self.fail("`]`"))
        }
    }

    /// `Expr := ExprSingle ("," ExprSingle)*`
    fn expr(&mut self) -> Result<Ast, PathError> {
        let first = self.expr_single()?;
        if !self.is_sym(",") {
            return Ok(first);
        }
        let mut items = vec![first];
        while self.eat_sym(",") {
            items.push(self.expr_single()?);
        }
        Ok(Ast::Seq(items))
    }

    /// `ExprSingle := IfExpr | OrExpr`, counting nesting.
    fn expr_single(&mut self) -> Result<Ast, PathError> {
        self.depth += 1;
        if self.depth > MAX_DEPTH {
            let kind = PathErrorKind::TooDeep { max: MAX_DEPTH };
            return Err(PathError::new(self.offset(), kind));
        }
        let next_is_paren = matches!(self.peek_at(1), Tok::Sym("("));
        let next_is_var = matches!(self.peek_at(1), Tok::Var(_));
        let result = if self.is_word("if") && next_is_paren {
            self.if_expr()
        } else if let Tok::Name(word) = self.peek()
            && next_is_var
            && let Some(kind) = Binder::named(word)
        {
            self.binding(kind)
        } else {
            self.binary()
        };
        self.depth -= 1;
        result
    }

    /// `for $x in E, … return E`, `let $x := E, … return E`, `some|every $x in E, …
    /// satisfies E`; at most [`MAX_BINDINGS`] variables in one clause.
    fn binding(&mut self, kind: Binder) -> Result<Ast, PathError> {
        let at = self.offset();
        self.pos += 1;
        let (bind, body) = match kind {
            Binder::Let => (":=", "return"),
            Binder::For => ("in", "return"),
            Binder::Some | Binder::Every => ("in", "satisfies"),
        };
        let mut vars = Vec::new();
        loop {
            let Tok::Var(name) = self.peek().clone() else {
                return Err(self.fail("a variable"));
            };
            self.pos += 1;
            let bound = if kind == Binder::Let {
                self.eat_sym(bind)
            } else {
                self.eat_word(bind)
            };
            if !bound {
                let expected = if kind == Binder::Let { "`:=`" } else { "`in`" };
                return Err(self.fail(expected));
            }
            vars.push((name, self.expr_single()?));
            if vars.len() > MAX_BINDINGS {
                let kind = PathErrorKind::TooManyBindings { max: MAX_BINDINGS };
                return Err(PathError::new(at, kind));
            }
            // Evaluation nests once per variable: each counts as a level of nesting.
            self.depth += 1;
            if self.depth > MAX_DEPTH {
                let kind = PathErrorKind::TooDeep { max: MAX_DEPTH };
                return Err(PathError::new(self.offset(), kind));
            }
            if !self.eat_sym(",") {
                break;
            }
        }
        if !self.eat_word(body) {
            let expected = if body == "return" {
                "`return`"
            } else {
                "`satisfies`"
            };
            return Err(self.fail(expected));
        }
        let body = self.expr_single()?;
        self.depth -= vars.len();
        Ok(Ast::Bind(kind, vars, Box::new(body)))
    }

    /// `if (Expr) then ExprSingle else ExprSingle`
    fn if_expr(&mut self) -> Result<Ast, PathError> {
        self.pos += 1;
        let open_at = self.offset();
        self.pos += 1;
        let cond = self.expr()?;
        self.close('(', ")", open_at)?;
        if !self.eat_word("then") {
            return Err(self.fail("`then`"));
        }
        let then = self.expr_single()?;
        if !self.eat_word("else") {
            return Err(self.fail("`else`"));
        }
        let other = self.expr_single()?;
        Ok(Ast::If(Box::new([cond, then, other])))
    }

    /// The binary operator at the current token, if any.
    fn operator(&self) -> Option<Op> {
        Some(match self.peek() {
            Tok::Name(n) => match n.as_str() {
                "or" => Op::Or,
                "and" => Op::And,
                "eq" => Op::Compare(Cmp::Eq, true),
                "ne" => Op::Compare(Cmp::Ne, true),
                "lt" => Op::Compare(Cmp::Lt, true),
                "le" => Op::Compare(Cmp::Le, true),
                "gt" => Op::Compare(Cmp::Gt, true),
                "ge" => Op::Compare(Cmp::Ge, true),
                "union" => Op::Union,
                "to" => Op::Range,
                "div" => Op::Arith(ArithOp::Div),
                "idiv" => Op::Arith(ArithOp::IDiv),
                "mod" => Op::Arith(ArithOp::Mod),
                _ => return None,
            },
            Tok::Sym("+") => Op::Arith(ArithOp::Add),
            Tok::Sym("-") => Op::Arith(ArithOp::Sub),
            Tok::Sym("*") => Op::Arith(ArithOp::Mul),
            Tok::Sym("=") => Op::Compare(Cmp::Eq, false),
            Tok::Sym("!=") => Op::Compare(Cmp::Ne, false),
            Tok::Sym("<") => Op::Compare(Cmp::Lt, false),
            Tok::Sym("<=") => Op::Compare(Cmp::Le, false),
            Tok::Sym(">") => Op::Compare(Cmp::Gt, false),
            Tok::Sym(">=") => Op::Compare(Cmp::Ge, false),
            Tok::Sym("||") => Op::Concat,
            Tok::Sym("|") => Op::Union,
            _ => return None,
        })
    }

    /// XPath's `OrExpr` down to `UnionExpr` (`or`, `and`, comparisons, `||`, `to`,
    /// arithmetic, unions) over unary operands, by precedence with explicit stacks: one stack frame for
    /// eight grammar levels, which keeps a nesting level cheap. Comparisons and ranges do not chain.
    fn binary(&mut self) -> Result<Ast, PathError> {
        let mut operands = vec![self.unary()?];
        let mut ops: Vec<Op> = Vec::new();
        while let Some(op) = self.operator() {
            while let Some(&top) = ops.last()
                && top.precedence() >= op.precedence()
            {
                if matches!(
                    (top, op),
                    (Op::Compare(..), Op::Compare(..)) | (Op::Range, Op::Range)
                ) {
                    return Err(self.fail("an operator or the end of the expression"));
                }
                ops.pop();
                reduce(&mut operands, top);
            }
            self.pos += 1;
            ops.push(op);
            operands.push(self.unary()?);
        }
        while let Some(top) = ops.pop() {
            reduce(&mut operands, top);
        }
        Ok(operands.pop().unwrap_or(Ast::Seq(Vec::new())))
    }

    /// A simple map with any number of signs before it (`-count(x)`, `--1`).
    fn unary(&mut self) -> Result<Ast, PathError> {
        let mut signs = 0usize;
        let mut negative = false;
        while let Tok::Sym(sign @ ("-" | "+")) = self.peek() {
            negative ^= *sign == "-";
            signs += 1;
            self.pos += 1;
        }
        let operand = self.simple_map()?;
        Ok(if signs == 0 {
            operand
        } else {
            Ast::Unary(negative, Box::new(operand))
        })
    }

    /// `a ! b ! …`: paths mapped over the items before them.
    fn simple_map(&mut self) -> Result<Ast, PathError> {
        let first = self.path()?;
        if !self.is_sym("!") {
            return Ok(first);
        }
        let mut items = vec![first];
        while self.eat_sym("!") {
            items.push(self.path()?);
        }
        Ok(Ast::Map(items))
    }

    fn can_start_step(&self) -> bool {
        match self.peek() {
            Tok::Name(_) | Tok::Str(_) | Tok::Num(_) | Tok::Var(_) => true,
            Tok::Sym(s) => matches!(*s, "@" | "." | ".." | "*" | "("),
            Tok::End => false,
        }
    }

    /// `/RelPath?`, `//RelPath` or `RelPath`.
    fn path(&mut self) -> Result<Ast, PathError> {
        let mut steps = Vec::new();
        let start = if self.eat_sym("/") {
            if !self.can_start_step() {
                return Ok(Ast::Path(Start::Root, steps));
            }
            Start::Root
        } else if self.eat_sym("//") {
            steps.push(Step::Axis(
                Axis::DescendantOrSelf,
                Test::AnyNode,
                Vec::new(),
            ));
            Start::Root
        } else {
            Start::Context
        };
        steps.push(self.step()?);
        loop {
            if self.eat_sym("/") {
            } else if self.eat_sym("//") {
                steps.push(Step::Axis(
                    Axis::DescendantOrSelf,
                    Test::AnyNode,
                    Vec::new(),
                ));
            } else {
                break;
            }
            steps.push(self.step()?);
        }
        // A lone primary is not a path: `'a'`, `$v`, `(a|b)[1]` evaluate as themselves.
        if start == Start::Context
            && steps.len() == 1
            && matches!(steps.first(), Some(Step::Expr(_)))
            && let Some(Step::Expr(ast)) = steps.pop()
        {
            return Ok(ast);
        }
        Ok(Ast::Path(start, simplify(start, steps)))
    }

    fn step(&mut self) -> Result<Step, PathError> {
        let (axis, test) = match (self.peek().clone(), self.peek_at(1)) {
            (Tok::Sym(".."), _) => {
                self.pos += 1;
                (Axis::Parent, Test::AnyNode)
            }
            (Tok::Sym("@"), _) => {
                self.pos += 1;
                (Axis::Attribute, self.node_test()?)
            }
            (Tok::Name(name), Tok::Sym("::")) => {
                let Some(axis) = Axis::named(&name) else {
                    let at = self.offset();
                    return Err(PathError::new(at, PathErrorKind::UnknownAxis(clip(&name))));
                };
                self.pos += 2;
                (axis, self.node_test()?)
            }
            (Tok::Name(name), Tok::Sym("(")) if name != "node" => return self.filter_step(),
            (Tok::Name(_) | Tok::Sym("*"), _) => (Axis::Child, self.node_test()?),
            _ => return self.filter_step(),
        };
        let preds = self.predicates()?;
        Ok(Step::Axis(axis, test, preds))
    }

    /// A name, `*` or `node()`.
    fn node_test(&mut self) -> Result<Test, PathError> {
        let at = self.offset();
        match self.peek().clone() {
            Tok::Sym("*") => {
                self.pos += 1;
                Ok(Test::Star)
            }
            Tok::Name(name) if name == "node" && self.peek_at(1) == &Tok::Sym("(") => {
                self.pos += 2;
                self.close('(', ")", at)?;
                Ok(Test::AnyNode)
            }
            Tok::Name(name) if name.contains(':') => {
                Err(PathError::new(at, PathErrorKind::Prefixed(clip(&name))))
            }
            Tok::Name(name) => {
                self.pos += 1;
                Ok(Test::Name(name))
            }
            _ => Err(self.fail("a name or `*`")),
        }
    }

    /// A primary expression with its predicates, as a step.
    fn filter_step(&mut self) -> Result<Step, PathError> {
        let primary = self.primary()?;
        let preds = self.predicates()?;
        if preds.is_empty() {
            Ok(Step::Expr(primary))
        } else {
            Ok(Step::Expr(Ast::Filter(Box::new(primary), preds)))
        }
    }

    fn predicates(&mut self) -> Result<Vec<Ast>, PathError> {
        let mut preds = Vec::new();
        while self.is_sym("[") {
            let open_at = self.offset();
            self.pos += 1;
            preds.push(self.expr()?);
            self.close('[', "]", open_at)?;
        }
        Ok(preds)
    }

    fn primary(&mut self) -> Result<Ast, PathError> {
        let at = self.offset();
        match self.peek().clone() {
            Tok::Str(s) => {
                self.pos += 1;
                Ok(Ast::Str(s.into()))
            }
            Tok::Num(n) => {
                self.pos += 1;
                Ok(Ast::Num(n))
            }
            Tok::Var(v) => {
                self.pos += 1;
                Ok(Ast::Var(v))
            }
            Tok::Sym(".") => {
                self.pos += 1;
                Ok(Ast::Context)
            }
            Tok::Sym("(") => {
                self.pos += 1;
                if self.eat_sym(")") {
                    return Ok(Ast::Seq(Vec::new()));
                }
                let inner = self.expr()?;
                self.close('(', ")", at)?;
                Ok(inner)
            }
            Tok::Name(name) if self.peek_at(1) == &Tok::Sym("(") => self.call(name, at),
            _ => Err(self.fail("an expression")),
        }
    }

    /// A function call: the name must be supported, the argument count right; a literal
    /// `matches` pattern is compiled here, once.
    fn call(&mut self, name: String, at: usize) -> Result<Ast, PathError> {
        let Some((func, arity)) = function(&name) else {
            return Err(PathError::new(
                at,
                PathErrorKind::UnsupportedFunction(clip(&name)),
            ));
        };
        self.pos += 1;
        let open_at = self.offset();
        self.pos += 1;
        let mut args = Vec::new();
        let mut arg_at = Vec::new();
        if !self.eat_sym(")") {
            loop {
                arg_at.push(self.offset());
                args.push(self.expr_single()?);
                if !self.eat_sym(",") {
                    break;
                }
            }
            self.close('(', ")", open_at)?;
        }
        let (min, max) = arity;
        if args.len() < min || max.is_some_and(|max| args.len() > max) {
            let kind = PathErrorKind::Arity {
                name,
                expected: describe_arity(arity),
                found: args.len(),
            };
            return Err(PathError::new(at, kind));
        }
        let func = match func {
            Func::Matches(_) => Func::Matches(literal_regex(&args, &arg_at)?),
            Func::Tokenize(_) => {
                let regex = literal_regex(&args, &arg_at)?;
                if regex.as_ref().is_some_and(|re| re.is_match("")) {
                    let at = arg_at.get(1).copied().unwrap_or(at);
                    let message = "pattern of tokenize matches the empty string".to_string();
                    return Err(PathError::new(at, PathErrorKind::Regex(message)));
                }
                Func::Tokenize(regex)
            }
            other => other,
        };
        Ok(Ast::Call(func, args))
    }
}

/// The compiled regex of `matches(x, 'pattern', 'flags'?)` (or `tokenize`) when pattern and
/// flags are literals.
fn literal_regex(args: &[Ast], arg_at: &[usize]) -> Result<Option<Box<regex::Regex>>, PathError> {
    let (Some(Ast::Str(pattern)), flags) = (args.get(1), args.get(2)) else {
        return Ok(None);
    };
    let flags = match flags {
        None => "",
        Some(Ast::Str(f)) => f,
        Some(_) => return Ok(None),
    };
    let at = arg_at.get(1).copied().unwrap_or(0);
    compile_regex(pattern, flags)
        .map(|r| Some(Box::new(r)))
        .map_err(|e| PathError::new(at, PathErrorKind::Regex(e)))
}

/// The binary operators [`Parser::binary`] handles.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Op {
    Or,
    And,
    /// A comparison; `true` for a value comparison (`eq`).
    Compare(Cmp, bool),
    Concat,
    /// `a to b`.
    Range,
    Arith(ArithOp),
    Union,
}

impl Op {
    /// XPath's precedence: a higher one binds tighter.
    fn precedence(self) -> u8 {
        match self {
            Op::Or => 1,
            Op::And => 2,
            Op::Compare(..) => 3,
            Op::Concat => 4,
            Op::Range => 5,
            Op::Arith(ArithOp::Add | ArithOp::Sub) => 6,
            Op::Arith(_) => 7,
            Op::Union => 8,
        }
    }
}

/// Replaces the two top operands by `left op right`; chains of one operator become one list.
fn reduce(operands: &mut Vec<Ast>, op: Op) {
    let (Some(right), Some(left)) = (operands.pop(), operands.pop()) else {
        return;
    };
    let combined = match (op, left) {
        (Op::Or, Ast::Or(mut items)) => {
            items.push(right);
            Ast::Or(items)
        }
        (Op::Or, left) => Ast::Or(vec![left, right]),
        (Op::And, Ast::And(mut items)) => {
            items.push(right);
            Ast::And(items)
        }
        (Op::And, left) => Ast::And(vec![left, right]),
        (Op::Union, Ast::Union(mut items)) => {
            items.push(right);
            Ast::Union(items)
        }
        (Op::Union, left) => Ast::Union(vec![left, right]),
        (Op::Concat, Ast::Call(Func::Concat, mut items)) => {
            items.push(right);
            Ast::Call(Func::Concat, items)
        }
        (Op::Concat, left) => Ast::Call(Func::Concat, vec![left, right]),
        // A left fold: `(a - b) - c` is the chain `a - b - c`, however `a - b` was written.
        (Op::Arith(op), Ast::Arith(first, mut rest)) => {
            rest.push((op, right));
            Ast::Arith(first, rest)
        }
        (Op::Arith(op), left) => Ast::Arith(Box::new(left), vec![(op, right)]),
        (Op::Range, left) => Ast::Range(Box::new(left), Box::new(right)),
        (Op::Compare(op, value), left) => Ast::Compare {
            left: Box::new(left),
            op,
            value,
            right: Box::new(right),
        },
    };
    operands.push(combined);
}

/// Rewrites steps into cheaper ones with the same result:
/// - a union of plain child names as a step, `(a|b)`, is one child step testing either name;
/// - `descendant-or-self::node()/child::x[p]` (what `//x[p]` means) is `descendant::x[p]`
///   when no predicate can be positional, so `//x` is one walk rather than a step from every
///   node of the document;
/// - a `.` step before another step of a relative path is dropped (`./x` is `x`).
fn simplify(start: Start, steps: Vec<Step>) -> Vec<Step> {
    let mut out: Vec<Step> = Vec::with_capacity(steps.len());
    for step in steps {
        let step = match step {
            Step::Expr(Ast::Union(items)) => match plain_names(&items) {
                Some(names) => Step::Axis(Axis::Child, Test::Names(names), Vec::new()),
                None => Step::Expr(Ast::Union(items)),
            },
            other => other,
        };
        let merge = matches!(
            (out.last(), &step),
            (
                Some(Step::Axis(Axis::DescendantOrSelf, Test::AnyNode, before)),
                Step::Axis(Axis::Child, _, preds),
            ) if before.is_empty() && preds.iter().all(not_positional)
        );
        if merge {
            out.pop();
            if let Step::Axis(_, test, preds) = step {
                out.push(Step::Axis(Axis::Descendant, test, preds));
            }
            continue;
        }
        out.push(step);
    }
    if start == Start::Context
        && out.len() > 1
        && matches!(out.first(), Some(Step::Expr(Ast::Context)))
        && matches!(out.get(1), Some(Step::Axis(..)))
    {
        out.remove(0);
    }
    out
}

/// The names of a union whose every member is a plain child step (`a | b`), if it is one.
fn plain_names(items: &[Ast]) -> Option<Vec<String>> {
    items
        .iter()
        .map(|item| match item {
            Ast::Path(Start::Context, steps) => match steps.as_slice() {
                [Step::Axis(Axis::Child, Test::Name(name), preds)] if preds.is_empty() => {
                    Some(name.clone())
                }
                _ => None,
            },
            _ => None,
        })
        .collect()
}

/// Whether a predicate is certainly a boolean that does not read its position: a comparison,
/// `and`/`or`, or a call of a boolean function, with no `position()` or `last()` anywhere in
/// it. Anything else might be a number (a position) or read one.
fn not_positional(pred: &Ast) -> bool {
    pred.is_boolean() && !reads_position(pred)
}

/// Whether `position()` or `last()` occurs anywhere in `ast` (the parser bounds its depth).
fn reads_position(ast: &Ast) -> bool {
    let any = |items: &[Ast]| items.iter().any(reads_position);
    let steps = |steps: &[Step]| {
        steps.iter().any(|s| match s {
            Step::Axis(_, _, preds) => any(preds),
            Step::Expr(e) => reads_position(e),
        })
    };
    match ast {
        Ast::Str(_) | Ast::Num(_) | Ast::Var(_) | Ast::Context => false,
        Ast::Seq(items)
        | Ast::Or(items)
        | Ast::And(items)
        | Ast::Union(items)
        | Ast::Map(items) => any(items),
        Ast::Compare { left, right, .. } => reads_position(left) || reads_position(right),
        Ast::Arith(first, rest) => {
            reads_position(first) || rest.iter().any(|(_, a)| reads_position(a))
        }
        Ast::Range(a, b) => reads_position(a) || reads_position(b),
        Ast::Unary(_, a) => reads_position(a),
        Ast::Bind(_, vars, body) => {
            vars.iter().any(|(_, a)| reads_position(a)) || reads_position(body)
        }
        Ast::If(parts) => any(parts.as_slice()),
        Ast::Path(_, s) => steps(s),
        Ast::Filter(primary, preds) => reads_position(primary) || any(preds),
        Ast::Call(f, args) => matches!(f, Func::Position | Func::Last) || any(args),
    }
}
