//! Stage: parsing. In: the text of an expression. Out: its [`Ast`], or a [`PathError`] with the
//! byte offset of the problem. Recursive descent over XPath's precedence levels; every
//! recursion passes through [`Parser::expr_single`], which counts nesting against
//! [`MAX_DEPTH`], so hostile text cannot overflow the stack.

use super::ast::{Ast, Axis, Cmp, Func, Start, Step, Test, describe_arity, function};
use super::error::{PathError, PathErrorKind};
use super::func::compile_regex;
use super::lex::{Tok, Token, lex};

/// The longest expression accepted, in bytes.
pub const MAX_LEN: usize = 64 * 1024;
/// The deepest nesting of parentheses, brackets, calls and `if` accepted.
pub const MAX_DEPTH: usize = 128;

/// Operators of XPath that the subset leaves out: named here so the error says so.
const UNSUPPORTED_WORDS: &[&str] = &[
    "div",
    "mod",
    "idiv",
    "intersect",
    "except",
    "to",
    "instance",
    "treat",
    "castable",
    "cast",
    "is",
    "return",
    "satisfies",
    "otherwise",
];
const UNSUPPORTED_SYMS: &[&str] = &[
    "+", "-", "*", "!", "=>", "<<", ">>", ":=", "?", "{", "}", "#", ";",
];

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
        let result = self.expr_single_inner();
        self.depth -= 1;
        result
    }

    fn expr_single_inner(&mut self) -> Result<Ast, PathError> {
        let next_is_paren = matches!(self.peek_at(1), Tok::Sym("("));
        let next_is_var = matches!(self.peek_at(1), Tok::Var(_));
        if self.is_word("if") && next_is_paren {
            return self.if_expr();
        }
        if let Tok::Name(word) = self.peek()
            && next_is_var
            && matches!(word.as_str(), "for" | "let" | "some" | "every")
        {
            let kind = PathErrorKind::Unsupported(word.clone());
            return Err(PathError::new(self.offset(), kind));
        }
        self.or_expr()
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

    fn or_expr(&mut self) -> Result<Ast, PathError> {
        let first = self.and_expr()?;
        if !self.is_word("or") {
            return Ok(first);
        }
        let mut items = vec![first];
        while self.eat_word("or") {
            items.push(self.and_expr()?);
        }
        Ok(Ast::Or(items))
    }

    fn and_expr(&mut self) -> Result<Ast, PathError> {
        let first = self.comparison()?;
        if !self.is_word("and") {
            return Ok(first);
        }
        let mut items = vec![first];
        while self.eat_word("and") {
            items.push(self.comparison()?);
        }
        Ok(Ast::And(items))
    }

    /// One comparison at most: XPath's comparisons do not chain.
    fn comparison(&mut self) -> Result<Ast, PathError> {
        let left = self.concat()?;
        let (op, value) = match self.peek() {
            Tok::Sym("=") => (Cmp::Eq, false),
            Tok::Sym("!=") => (Cmp::Ne, false),
            Tok::Sym("<") => (Cmp::Lt, false),
            Tok::Sym("<=") => (Cmp::Le, false),
            Tok::Sym(">") => (Cmp::Gt, false),
            Tok::Sym(">=") => (Cmp::Ge, false),
            Tok::Name(n) => match n.as_str() {
                "eq" => (Cmp::Eq, true),
                "ne" => (Cmp::Ne, true),
                "lt" => (Cmp::Lt, true),
                "le" => (Cmp::Le, true),
                "gt" => (Cmp::Gt, true),
                "ge" => (Cmp::Ge, true),
                _ => return Ok(left),
            },
            _ => return Ok(left),
        };
        self.pos += 1;
        let right = self.concat()?;
        Ok(Ast::Compare {
            left: Box::new(left),
            op,
            value,
            right: Box::new(right),
        })
    }

    /// `a || b || …`, the string concatenation operator.
    fn concat(&mut self) -> Result<Ast, PathError> {
        let first = self.union()?;
        if !self.is_sym("||") {
            return Ok(first);
        }
        let mut items = vec![first];
        while self.eat_sym("||") {
            items.push(self.union()?);
        }
        Ok(Ast::Call(Func::Concat, items))
    }

    fn union(&mut self) -> Result<Ast, PathError> {
        let first = self.path()?;
        if !(self.is_sym("|") || self.is_word("union")) {
            return Ok(first);
        }
        let mut items = vec![first];
        while self.eat_sym("|") || self.eat_word("union") {
            items.push(self.path()?);
        }
        Ok(Ast::Union(items))
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
        Ok(Ast::Path(start, steps))
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
                    return Err(PathError::new(at, PathErrorKind::UnknownAxis(name)));
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
                Err(PathError::new(at, PathErrorKind::Prefixed(name)))
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
            return Err(PathError::new(at, PathErrorKind::UnsupportedFunction(name)));
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
            other => other,
        };
        Ok(Ast::Call(func, args))
    }
}

/// The compiled regex of `matches(x, 'pattern', 'flags'?)` when pattern and flags are literals.
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
