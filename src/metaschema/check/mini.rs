#![allow(dead_code)] // A stand-in: its whole interface is kept to match the real evaluator.
//! A stand-in Metapath evaluator with the interface of `path` (`Expr::parse`, `eval`, `test`,
//! `Item`, `Env`), for the check's own tests until the real evaluator is merged: paths with `/`,
//! `//`, `.`, `..`, `@name`, names, predicates, `|`, `=`, `and`, `or`, string literals,
//! sequences and the functions `not`, `exists`, `starts-with`, `has-oscal-namespace`.

use std::borrow::Cow;

use crate::metaschema::path::Node;

/// A parsed expression.
#[derive(Debug, Clone)]
pub struct Expr(E);

#[derive(Debug, Clone)]
enum E {
    Root,
    Ctx,
    Parent,
    Child(String),
    Attr(String),
    Str(String),
    Var(String),
    Seq(Vec<E>),
    Path(Box<E>, Box<E>),
    DescPath(Box<E>, Box<E>),
    Filter(Box<E>, Box<E>),
    Union(Box<E>, Box<E>),
    Eq(Box<E>, Box<E>),
    And(Box<E>, Box<E>),
    Or(Box<E>, Box<E>),
    Call(String, Vec<E>),
}

/// A parse error: what and where.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{message} at offset {offset}")]
pub struct PathError {
    /// What is wrong.
    pub message: String,
    /// Byte offset in the expression.
    pub offset: usize,
}

/// An evaluation error.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum EvalError {
    /// The step budget ran out.
    #[error("evaluation budget exceeded")]
    Budget,
    /// An unbound variable.
    #[error("unbound variable `${0}`")]
    Unbound(String),
}

/// An item of a sequence.
#[derive(Debug, Clone, PartialEq)]
pub enum Item<N> {
    /// A node.
    Node(N),
    /// A string.
    Str(String),
    /// A number.
    Num(f64),
    /// A boolean.
    Bool(bool),
}

impl<N: Node> Item<N> {
    /// The atomized value.
    pub fn string_value(&self) -> String {
        match self {
            Item::Node(n) => n.value().map(Cow::into_owned).unwrap_or_default(),
            Item::Str(s) => s.clone(),
            Item::Num(n) => n.to_string(),
            Item::Bool(b) => b.to_string(),
        }
    }
}

/// Variables.
#[derive(Debug, Clone)]
pub struct Env<N> {
    vars: Vec<(String, Vec<Item<N>>)>,
}

impl<N> Default for Env<N> {
    fn default() -> Self {
        Env { vars: Vec::new() }
    }
}

impl<N> Env<N> {
    /// Binds `$name`.
    pub fn bind(&mut self, name: &str, items: Vec<Item<N>>) {
        self.vars.push((name.to_owned(), items));
    }
}

impl Expr {
    /// Parses `src`.
    pub fn parse(src: &str) -> Result<Expr, PathError> {
        let mut p = P {
            s: src.as_bytes(),
            i: 0,
            src,
        };
        let e = p.or()?;
        p.ws();
        if p.i < p.s.len() {
            return Err(p.err("unexpected text"));
        }
        Ok(Expr(e))
    }

    /// Evaluates over `ctx`.
    pub fn eval<N: Node>(&self, ctx: &N, env: &Env<N>) -> Result<Vec<Item<N>>, EvalError> {
        ev(&self.0, ctx, env)
    }

    /// The effective boolean value over `ctx`.
    pub fn test<N: Node>(&self, ctx: &N, env: &Env<N>) -> Result<bool, EvalError> {
        Ok(ebv(&ev(&self.0, ctx, env)?))
    }
}

struct P<'s> {
    s: &'s [u8],
    i: usize,
    src: &'s str,
}

impl P<'_> {
    fn err(&self, m: &str) -> PathError {
        PathError {
            message: m.to_owned(),
            offset: self.i,
        }
    }
    fn ws(&mut self) {
        while self.s.get(self.i).is_some_and(u8::is_ascii_whitespace) {
            self.i += 1;
        }
    }
    fn eat(&mut self, t: &str) -> bool {
        self.ws();
        if self.src.get(self.i..).is_some_and(|r| r.starts_with(t)) {
            self.i += t.len();
            true
        } else {
            false
        }
    }
    fn word(&mut self, w: &str) -> bool {
        let save = self.i;
        if self.eat(w) && !self.s.get(self.i).is_some_and(|c| is_name(*c)) {
            return true;
        }
        self.i = save;
        false
    }
    fn name(&mut self) -> Option<String> {
        self.ws();
        let start = self.i;
        while self.s.get(self.i).is_some_and(|c| is_name(*c)) {
            self.i += 1;
        }
        (self.i > start).then(|| self.src.get(start..self.i).unwrap_or("").to_owned())
    }
    fn or(&mut self) -> Result<E, PathError> {
        let mut l = self.and()?;
        while self.word("or") {
            l = E::Or(Box::new(l), Box::new(self.and()?));
        }
        Ok(l)
    }
    fn and(&mut self) -> Result<E, PathError> {
        let mut l = self.cmp()?;
        while self.word("and") {
            l = E::And(Box::new(l), Box::new(self.cmp()?));
        }
        Ok(l)
    }
    fn cmp(&mut self) -> Result<E, PathError> {
        let l = self.union()?;
        if self.eat("=") {
            return Ok(E::Eq(Box::new(l), Box::new(self.union()?)));
        }
        Ok(l)
    }
    fn union(&mut self) -> Result<E, PathError> {
        let mut l = self.path()?;
        while self.eat("|") {
            l = E::Union(Box::new(l), Box::new(self.path()?));
        }
        Ok(l)
    }
    fn path(&mut self) -> Result<E, PathError> {
        let mut l = if self.eat("//") {
            E::DescPath(Box::new(E::Root), Box::new(self.step()?))
        } else if self.eat("/") {
            E::Path(Box::new(E::Root), Box::new(self.step()?))
        } else {
            self.step()?
        };
        loop {
            if self.eat("//") {
                l = E::DescPath(Box::new(l), Box::new(self.step()?));
            } else if self.eat("/") {
                l = E::Path(Box::new(l), Box::new(self.step()?));
            } else {
                return Ok(l);
            }
        }
    }
    fn step(&mut self) -> Result<E, PathError> {
        let mut e = self.primary()?;
        while self.eat("[") {
            let p = self.or()?;
            if !self.eat("]") {
                return Err(self.err("expected `]`"));
            }
            e = E::Filter(Box::new(e), Box::new(p));
        }
        Ok(e)
    }
    fn primary(&mut self) -> Result<E, PathError> {
        if self.eat("..") {
            return Ok(E::Parent);
        }
        if self.eat(".") {
            return Ok(E::Ctx);
        }
        if self.eat("@") {
            return self
                .name()
                .map(E::Attr)
                .ok_or_else(|| self.err("expected a name"));
        }
        if self.eat("$") {
            return self
                .name()
                .map(E::Var)
                .ok_or_else(|| self.err("expected a name"));
        }
        if self.eat("'") {
            let start = self.i;
            while self.s.get(self.i).is_some_and(|c| *c != b'\'') {
                self.i += 1;
            }
            let s = self.src.get(start..self.i).unwrap_or("").to_owned();
            self.i += 1;
            return Ok(E::Str(s));
        }
        if self.eat("(") {
            let mut items = Vec::new();
            if !self.eat(")") {
                loop {
                    items.push(self.or()?);
                    if self.eat(")") {
                        break;
                    }
                    if !self.eat(",") {
                        return Err(self.err("expected `,` or `)`"));
                    }
                }
            }
            return Ok(E::Seq(items));
        }
        let name = self.name().ok_or_else(|| self.err("expected a step"))?;
        if self.eat("(") {
            let mut args = Vec::new();
            if !self.eat(")") {
                loop {
                    args.push(self.or()?);
                    if self.eat(")") {
                        break;
                    }
                    if !self.eat(",") {
                        return Err(self.err("expected `,` or `)`"));
                    }
                }
            }
            if !matches!(
                name.as_str(),
                "not" | "exists" | "starts-with" | "has-oscal-namespace"
            ) {
                return Err(self.err("function is not supported"));
            }
            return Ok(E::Call(name, args));
        }
        Ok(E::Child(name))
    }
}

fn is_name(c: u8) -> bool {
    c.is_ascii_alphanumeric() || c == b'-' || c == b'_' || c == b'*'
}

fn ebv<N: Node>(items: &[Item<N>]) -> bool {
    match items.first() {
        None => false,
        Some(Item::Bool(b)) if items.len() == 1 => *b,
        Some(Item::Str(s)) if items.len() == 1 => !s.is_empty(),
        Some(_) => true,
    }
}

fn nodes<N: Node>(items: Vec<Item<N>>) -> Vec<N> {
    items
        .into_iter()
        .filter_map(|i| match i {
            Item::Node(n) => Some(n),
            _ => None,
        })
        .collect()
}

fn descendants<N: Node>(n: &N, out: &mut Vec<N>) {
    let mut stack = n.children();
    stack.reverse();
    while let Some(c) = stack.pop() {
        let mut kids = c.children();
        kids.reverse();
        out.push(c);
        stack.extend(kids);
    }
}

fn ev<N: Node>(e: &E, ctx: &N, env: &Env<N>) -> Result<Vec<Item<N>>, EvalError> {
    let one = |b: bool| Ok(vec![Item::Bool(b)]);
    Ok(match e {
        E::Root => {
            let mut n = ctx.clone();
            while let Some(p) = n.parent() {
                n = p;
            }
            vec![Item::Node(n)]
        }
        E::Ctx => vec![Item::Node(ctx.clone())],
        E::Parent => ctx.parent().map(Item::Node).into_iter().collect(),
        E::Child(name) => ctx
            .children()
            .into_iter()
            .filter(|c| name == "*" || c.name() == name)
            .map(Item::Node)
            .collect(),
        E::Attr(name) => ctx
            .flags()
            .into_iter()
            .filter(|c| c.name() == name)
            .map(Item::Node)
            .collect(),
        E::Str(s) => vec![Item::Str(s.clone())],
        E::Var(v) => env
            .vars
            .iter()
            .rev()
            .find(|(n, _)| n == v)
            .map(|(_, i)| i.clone())
            .ok_or_else(|| EvalError::Unbound(v.clone()))?,
        E::Seq(items) => {
            let mut out = Vec::new();
            for i in items {
                out.extend(ev(i, ctx, env)?);
            }
            out
        }
        E::Path(l, r) | E::DescPath(l, r) => {
            let mut out: Vec<N> = Vec::new();
            for n in nodes(ev(l, ctx, env)?) {
                let mut from = vec![n.clone()];
                if matches!(e, E::DescPath(..)) {
                    descendants(&n, &mut from);
                }
                for f in from {
                    for m in nodes(ev(r, &f, env)?) {
                        if !out.contains(&m) {
                            out.push(m);
                        }
                    }
                }
            }
            out.sort_by_key(Node::order);
            out.into_iter().map(Item::Node).collect()
        }
        E::Filter(l, p) => {
            let mut out = Vec::new();
            for i in ev(l, ctx, env)? {
                let keep = match &i {
                    Item::Node(n) => ebv(&ev(p, n, env)?),
                    _ => true,
                };
                if keep {
                    out.push(i);
                }
            }
            out
        }
        E::Union(l, r) => {
            let mut out = nodes(ev(l, ctx, env)?);
            for m in nodes(ev(r, ctx, env)?) {
                if !out.contains(&m) {
                    out.push(m);
                }
            }
            out.sort_by_key(Node::order);
            out.into_iter().map(Item::Node).collect()
        }
        E::Eq(l, r) => {
            let l: Vec<String> = ev(l, ctx, env)?.iter().map(Item::string_value).collect();
            let r: Vec<String> = ev(r, ctx, env)?.iter().map(Item::string_value).collect();
            return one(l.iter().any(|a| r.contains(a)));
        }
        E::And(l, r) => return one(ebv(&ev(l, ctx, env)?) && ebv(&ev(r, ctx, env)?)),
        E::Or(l, r) => return one(ebv(&ev(l, ctx, env)?) || ebv(&ev(r, ctx, env)?)),
        E::Call(f, args) => return call(f, args, ctx, env),
    })
}

fn call<N: Node>(f: &str, args: &[E], ctx: &N, env: &Env<N>) -> Result<Vec<Item<N>>, EvalError> {
    let arg = |i: usize| -> Result<Vec<Item<N>>, EvalError> {
        args.get(i).map_or(Ok(Vec::new()), |a| ev(a, ctx, env))
    };
    let b = match f {
        "not" => !ebv(&arg(0)?),
        "exists" => !arg(0)?.is_empty(),
        "starts-with" => {
            let s = arg(0)?.first().map(Item::string_value).unwrap_or_default();
            let p = arg(1)?.first().map(Item::string_value).unwrap_or_default();
            s.starts_with(&p)
        }
        _ => {
            let ns = ctx
                .flags()
                .into_iter()
                .find(|n| n.name() == "ns")
                .and_then(|n| n.value().map(Cow::into_owned))
                .or_else(|| ctx.flag_default("ns").map(str::to_owned))
                .unwrap_or_default();
            let mut any = false;
            for i in 0..args.len() {
                any |= arg(i)?.iter().any(|a| a.string_value() == ns);
            }
            any
        }
    };
    Ok(vec![Item::Bool(b)])
}
