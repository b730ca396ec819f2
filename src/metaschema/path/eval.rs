//! Stage: evaluation. In: a parsed expression, a context node, an [`Env`] (variables, step
//! budget). Out: the sequence of [`Item`]s it selects, or an [`EvalError`]. Every node visited
//! and every item produced costs a step; the budget bounds the work whatever the expression and
//! the document. Descendant walks use an explicit stack, so a deep document cannot overflow the
//! stack either.

use std::borrow::Cow;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use indexmap::IndexMap;
use regex::Regex;

use super::Node;
use super::ast::{Ast, Axis, Cmp, Func, Start, Step, Test};
use super::error::EvalError;
use super::{arith, bind, compare, func};

/// The step budget of an evaluation unless [`Env::with_budget`] sets another: far above what
/// any OSCAL constraint needs on the largest catalog (a walk of every node of the rev5 catalog
/// is a few hundred thousand), low enough to stop a hostile expression in a second or two and
/// to bound what it holds (items and string bytes are steps: at most some hundred MB).
pub const DEFAULT_BUDGET: u64 = 10_000_000;

/// One item of a sequence: a node or an atomic value.
#[derive(Debug, Clone, PartialEq)]
pub enum Item<N> {
    /// A node of the document.
    Node(N),
    /// A string.
    Str(Arc<str>),
    /// A number (XPath's `xs:double`; integer literals too).
    Num(f64),
    /// A boolean.
    Bool(bool),
}

impl<N: Node> Item<N> {
    /// The item atomized to a string: a field's or flag's value, `""` for an assembly or the
    /// document (they have no value of their own), numbers as XPath writes them (`1`, `1.5`,
    /// `NaN`, `INF`), `true`/`false`.
    pub fn string_value(&self) -> Cow<'_, str> {
        match self {
            Item::Node(n) => n.value().unwrap_or_default(),
            Item::Str(s) => Cow::Borrowed(s),
            Item::Num(n) => Cow::Owned(format_number(*n)),
            Item::Bool(b) => Cow::Borrowed(if *b { "true" } else { "false" }),
        }
    }

    /// The node, if the item is one.
    pub fn as_node(&self) -> Option<&N> {
        match self {
            Item::Node(n) => Some(n),
            _ => None,
        }
    }
}

/// A number as XPath's `string()` writes it.
pub(crate) fn format_number(n: f64) -> String {
    if n.is_nan() {
        "NaN".to_string()
    } else if n.is_infinite() {
        if n > 0.0 { "INF" } else { "-INF" }.to_string()
    } else if n.fract() == 0.0 && n.abs() < 1e15 {
        // Integral and exactly representable: no `.0`, as XPath writes integers.
        format!("{}", n as i64)
    } else {
        format!("{n}")
    }
}

/// What an evaluation may use besides the context node: bound variables and the step
/// budgets: one per evaluation, and optionally one for all evaluations with this environment
/// (a check that evaluates at every node of a document bounds its whole work with it).
#[derive(Debug)]
pub struct Env<N> {
    vars: IndexMap<String, Vec<Item<N>>>,
    budget: u64,
    total: Option<u64>,
    /// Steps spent by the evaluations with this environment so far, from any thread (a clone
    /// copies the count and counts on its own).
    spent: AtomicU64,
}

impl<N: Clone> Clone for Env<N> {
    fn clone(&self) -> Self {
        Env {
            vars: self.vars.clone(),
            budget: self.budget,
            total: self.total,
            spent: AtomicU64::new(self.spent()),
        }
    }
}

impl<N> Default for Env<N> {
    fn default() -> Self {
        Env {
            vars: IndexMap::new(),
            budget: DEFAULT_BUDGET,
            total: None,
            spent: AtomicU64::new(0),
        }
    }
}

impl<N> Env<N> {
    /// No variables, the default budget.
    pub fn new() -> Self {
        Self::default()
    }

    /// The same environment with another step budget.
    pub fn with_budget(mut self, budget: u64) -> Self {
        self.budget = budget;
        self
    }

    /// Binds `$name` (without the `$`) to a sequence, replacing an earlier binding: a `let`
    /// evaluated by the caller.
    pub fn bind(&mut self, name: impl Into<String>, value: Vec<Item<N>>) {
        self.vars.insert(name.into(), value);
    }

    /// The sequence `$name` is bound to.
    pub fn var(&self, name: &str) -> Option<&[Item<N>]> {
        self.vars.get(name).map(Vec::as_slice)
    }

    /// The same environment with a budget for all its evaluations together
    /// ([`EvalError::TotalBudget`] once spent).
    pub fn with_total_budget(mut self, total: u64) -> Self {
        self.total = Some(total);
        self
    }

    /// The step budget of one evaluation.
    pub fn budget(&self) -> u64 {
        self.budget
    }

    /// The steps spent by all evaluations with this environment so far.
    pub fn spent(&self) -> u64 {
        self.spent.load(Ordering::Relaxed)
    }
}

/// The focus of an expression: the context item, its position (from 1) and the size of the
/// sequence it belongs to.
pub(crate) struct Focus<'a, N> {
    pub item: &'a Item<N>,
    pub pos: usize,
    pub size: usize,
}

/// Regexes computed at evaluation time, compiled at most once per evaluation each.
const REGEX_CACHE: usize = 8;

/// One evaluation: the environment and the steps spent so far.
pub(crate) struct Eval<'e, N> {
    pub env: &'e Env<N>,
    /// Variables bound by `for`, `let`, `some`, `every` in force, innermost last.
    pub locals: Vec<(String, Vec<Item<N>>)>,
    steps: u64,
    regexes: Vec<(String, String, Regex)>,
}

impl<'e, N: Node> Eval<'e, N> {
    pub fn new(env: &'e Env<N>) -> Self {
        Eval {
            env,
            locals: Vec::new(),
            steps: 0,
            regexes: Vec::new(),
        }
    }

    /// Spends `n` steps.
    pub fn tick(&mut self, n: usize) -> Result<(), EvalError> {
        self.steps = self.steps.saturating_add(n as u64);
        if self.steps > self.env.budget {
            return Err(EvalError::Budget {
                limit: self.env.budget,
            });
        }
        match self.env.total {
            Some(total) if self.env.spent().saturating_add(self.steps) > total => {
                Err(EvalError::TotalBudget { limit: total })
            }
            _ => Ok(()),
        }
    }

    /// Adds this evaluation's steps to its environment's count.
    pub fn finish(self) {
        self.env.spent.fetch_add(self.steps, Ordering::Relaxed);
    }

    /// The compiled regex of a pattern and flags computed at evaluation time.
    pub fn regex(&mut self, pattern: &str, flags: &str) -> Result<Regex, EvalError> {
        if let Some((_, _, re)) = self
            .regexes
            .iter()
            .find(|(p, f, _)| p == pattern && f == flags)
        {
            return Ok(re.clone());
        }
        let re = super::text::compile_regex(pattern, flags).map_err(EvalError::Regex)?;
        if self.regexes.len() >= REGEX_CACHE {
            self.regexes.remove(0);
        }
        self.regexes
            .push((pattern.to_string(), flags.to_string(), re.clone()));
        Ok(re)
    }

    /// Evaluates `ast` with focus `f`. Each kind of expression has its own method, so that
    /// this frame, which every nesting level repeats, stays small.
    pub fn eval(&mut self, ast: &Ast, f: &Focus<'_, N>) -> Result<Vec<Item<N>>, EvalError> {
        self.tick(1)?;
        let out = match ast {
            Ast::Str(s) => Ok(vec![Item::Str(s.clone())]),
            Ast::Num(n) => Ok(vec![Item::Num(*n)]),
            Ast::Var(name) => self.var(name),
            Ast::Context => Ok(vec![f.item.clone()]),
            Ast::Seq(items) => self.seq(items, f),
            Ast::Or(_) | Ast::And(_) => Ok(vec![Item::Bool(self.truth(ast, f)?)]),
            Ast::Union(items) => self.union(items, f),
            Ast::Compare {
                left,
                op,
                value,
                right,
            } => self.compare(left, *op, *value, right, f),
            Ast::Arith(first, rest) => arith::fold(self, first, rest, f),
            Ast::Unary(negative, operand) => arith::unary(self, *negative, operand, f),
            Ast::Range(from, to) => arith::range(self, from, to, f),
            Ast::Bind(kind, vars, body) => bind::eval(self, *kind, vars, body, f),
            Ast::If(parts) => self.if_else(parts, f),
            Ast::Path(start, steps) => self.path(*start, steps, f),
            Ast::Filter(primary, preds) => self.filter_expr(primary, preds, f),
            Ast::Map(items) => self.simple_map(items, f),
            Ast::Call(function, args) => func::call(self, function, args, f),
        }?;
        self.tick(out.len())?;
        Ok(out)
    }

    /// A variable: the innermost local binding, else the environment's.
    fn var(&self, name: &str) -> Result<Vec<Item<N>>, EvalError> {
        let local = self.locals.iter().rev().find(|(n, _)| n == name);
        match local
            .map(|(_, v)| v.as_slice())
            .or_else(|| self.env.var(name))
        {
            Some(value) => Ok(value.to_vec()),
            None => Err(EvalError::Unbound(name.to_string())),
        }
    }

    fn seq(&mut self, items: &[Ast], f: &Focus<'_, N>) -> Result<Vec<Item<N>>, EvalError> {
        let mut out = Vec::new();
        for item in items {
            out.extend(self.eval(item, f)?);
        }
        Ok(out)
    }

    fn compare(
        &mut self,
        left: &Ast,
        op: Cmp,
        value: bool,
        right: &Ast,
        f: &Focus<'_, N>,
    ) -> Result<Vec<Item<N>>, EvalError> {
        let left = self.eval(left, f)?;
        let right = self.eval(right, f)?;
        if value {
            let holds = compare::value(&left, op, &right)?;
            Ok(holds.map(Item::Bool).into_iter().collect())
        } else {
            Ok(vec![Item::Bool(compare::general(self, &left, op, &right)?)])
        }
    }

    fn if_else(&mut self, parts: &[Ast; 3], f: &Focus<'_, N>) -> Result<Vec<Item<N>>, EvalError> {
        let [cond, then, other] = parts;
        if self.truth(cond, f)? {
            self.eval(then, f)
        } else {
            self.eval(other, f)
        }
    }

    fn simple_map(&mut self, items: &[Ast], f: &Focus<'_, N>) -> Result<Vec<Item<N>>, EvalError> {
        let Some((first, rest)) = items.split_first() else {
            return Ok(Vec::new());
        };
        let mut current = self.eval(first, f)?;
        for ast in rest {
            let size = current.len();
            let mut next = Vec::new();
            for (i, item) in current.iter().enumerate() {
                let focus = Focus {
                    item,
                    pos: i + 1,
                    size,
                };
                next.extend(self.eval(ast, &focus)?);
            }
            current = next;
        }
        Ok(current)
    }

    fn filter_expr(
        &mut self,
        primary: &Ast,
        preds: &[Ast],
        f: &Focus<'_, N>,
    ) -> Result<Vec<Item<N>>, EvalError> {
        let items = self.eval(primary, f)?;
        self.filter(items, preds)
    }

    fn union(&mut self, items: &[Ast], f: &Focus<'_, N>) -> Result<Vec<Item<N>>, EvalError> {
        let mut out = Vec::new();
        for item in items {
            let value = self.eval(item, f)?;
            if value.iter().any(|i| i.as_node().is_none()) {
                return Err(EvalError::NotANode("union"));
            }
            out.extend(value);
        }
        Ok(document_order(out))
    }

    fn path(
        &mut self,
        start: Start,
        steps: &[Step],
        f: &Focus<'_, N>,
    ) -> Result<Vec<Item<N>>, EvalError> {
        let mut steps = steps.iter();
        let mut current = match start {
            Start::Root => {
                let Item::Node(node) = f.item else {
                    return Err(EvalError::NotANode("`/`"));
                };
                vec![Item::Node(self.root(node)?)]
            }
            // The first step sees the outer focus (`position()`, `last()` keep their meaning).
            Start::Context => match steps.next() {
                Some(first) => self.step_one(first, f)?,
                None => vec![f.item.clone()],
            },
        };
        for step in steps {
            current = self.step(&current, step)?;
        }
        Ok(current)
    }

    fn root(&mut self, node: &N) -> Result<N, EvalError> {
        let mut root = node.clone();
        while let Some(parent) = root.parent() {
            self.tick(1)?;
            root = parent;
        }
        Ok(root)
    }

    /// One step applied to every item of `input`, the results in document order.
    fn step(&mut self, input: &[Item<N>], step: &Step) -> Result<Vec<Item<N>>, EvalError> {
        let size = input.len();
        let mut out = Vec::new();
        for (i, item) in input.iter().enumerate() {
            let focus = Focus {
                item,
                pos: i + 1,
                size,
            };
            out.extend(self.step_one(step, &focus)?);
        }
        normalize(out)
    }

    fn step_one(&mut self, step: &Step, f: &Focus<'_, N>) -> Result<Vec<Item<N>>, EvalError> {
        match step {
            Step::Axis(axis, test, preds) => {
                let Item::Node(node) = f.item else {
                    return Err(EvalError::NotANode("path step"));
                };
                let found = self.axis(node, *axis, test)?;
                self.tick(found.len())?;
                let found = found.into_iter().map(Item::Node).collect();
                let kept = self.filter(found, preds)?;
                if axis.is_reverse() {
                    normalize(kept)
                } else {
                    Ok(kept)
                }
            }
            Step::Expr(ast) => normalize(self.eval(ast, f)?),
        }
    }

    /// The nodes of `axis` from `node` that pass `test`; reverse axes nearest first.
    fn axis(&mut self, node: &N, axis: Axis, test: &Test) -> Result<Vec<N>, EvalError> {
        Ok(match axis {
            Axis::Child => match test {
                Test::Name(name) => {
                    // Finding the named ones may scan every child: that is the cost.
                    self.tick(node.child_count())?;
                    node.children_named(name)
                }
                Test::Star | Test::Names(_) => keep(node.children(), test),
                Test::AnyNode => node.children(),
            },
            Axis::Attribute => match test {
                Test::Name(name) => node.flag(name).into_iter().collect(),
                Test::Star | Test::AnyNode => node.flags(),
                Test::Names(names) => {
                    let mut flags = node.flags();
                    flags.retain(|f| names.iter().any(|n| n == f.name()));
                    flags
                }
            },
            Axis::SelfNode => keep(vec![node.clone()], test),
            Axis::Parent => keep(node.parent().into_iter().collect(), test),
            Axis::Ancestor | Axis::AncestorOrSelf => {
                let mut out = Vec::new();
                let mut at = if axis == Axis::AncestorOrSelf {
                    Some(node.clone())
                } else {
                    node.parent()
                };
                while let Some(n) = at {
                    self.tick(1)?;
                    at = n.parent();
                    if passes(&n, test) {
                        out.push(n);
                    }
                }
                out
            }
            Axis::Descendant | Axis::DescendantOrSelf => {
                self.descendants(node, axis == Axis::DescendantOrSelf, test)?
            }
        })
    }

    /// Descendants in document order ([`Node::descendants`]), each visited one costing a step.
    fn descendants(&mut self, node: &N, or_self: bool, test: &Test) -> Result<Vec<N>, EvalError> {
        let mut out = Vec::new();
        if or_self && passes(node, test) {
            out.push(node.clone());
        }
        let mut seen = 0usize;
        let mut keep = |n: &N| {
            seen += 1;
            passes(n, test)
        };
        out.extend(node.descendants(&mut keep));
        self.tick(seen)?;
        Ok(out)
    }

    /// The effective boolean value of `ast` with focus `f`: what `ebv(eval(ast))` gives, without
    /// building the sequences of `and`, `or`, comparisons and boolean calls.
    pub fn truth(&mut self, ast: &Ast, f: &Focus<'_, N>) -> Result<bool, EvalError> {
        match ast {
            // `and` and `or` stop at the first operand that decides; the rest are not evaluated.
            Ast::And(items) => {
                self.tick(1)?;
                for item in items {
                    if !self.truth(item, f)? {
                        return Ok(false);
                    }
                }
                Ok(true)
            }
            Ast::Or(items) => {
                self.tick(1)?;
                for item in items {
                    if self.truth(item, f)? {
                        return Ok(true);
                    }
                }
                Ok(false)
            }
            Ast::Compare {
                left,
                op,
                value: false,
                right,
            } => {
                self.tick(1)?;
                let left = self.eval(left, f)?;
                if let Some(literals) = literals(right) {
                    return compare::general_literals(self, &left, *op, literals);
                }
                let right = self.eval(right, f)?;
                compare::general(self, &left, *op, &right)
            }
            Ast::Call(Func::HasOscalNamespace, args) => {
                self.tick(1)?;
                func::has_oscal_namespace(self, args, f)
            }
            Ast::Call(Func::Not, args) if args.len() == 1 => {
                self.tick(1)?;
                match args.first() {
                    Some(arg) => Ok(!self.truth(arg, f)?),
                    None => Ok(true),
                }
            }
            _ => {
                let value = self.eval(ast, f)?;
                ebv(&value)
            }
        }
    }

    /// Keeps the items for which every predicate holds, each predicate seeing the positions
    /// left by the one before.
    pub fn filter(
        &mut self,
        mut items: Vec<Item<N>>,
        preds: &[Ast],
    ) -> Result<Vec<Item<N>>, EvalError> {
        for pred in preds {
            if let Ast::Num(n) = pred {
                items = nth(items, *n);
                continue;
            }
            let size = items.len();
            let mut kept = Vec::new();
            if pred.is_boolean() {
                for (i, item) in items.into_iter().enumerate() {
                    let focus = Focus {
                        item: &item,
                        pos: i + 1,
                        size,
                    };
                    if self.truth(pred, &focus)? {
                        kept.push(item);
                    }
                }
                items = kept;
                continue;
            }
            for (i, item) in items.iter().enumerate() {
                let focus = Focus {
                    item,
                    pos: i + 1,
                    size,
                };
                let value = self.eval(pred, &focus)?;
                // A single number is a position; anything else its boolean value.
                let holds = match value.as_slice() {
                    [Item::Num(n)] => *n == (i + 1) as f64,
                    other => ebv(other)?,
                };
                if holds {
                    kept.push(item.clone());
                }
            }
            items = kept;
        }
        Ok(items)
    }
}

/// The string literals of `ast` when it is one (`'a'`) or a sequence of them (`('a', 'b')`).
fn literals(ast: &Ast) -> Option<&[Ast]> {
    match ast {
        Ast::Str(_) => Some(std::slice::from_ref(ast)),
        Ast::Seq(items) if items.iter().all(|i| matches!(i, Ast::Str(_))) => Some(items),
        _ => None,
    }
}

/// The item at 1-based position `n`, if `n` is a whole number in range.
fn nth<N>(items: Vec<Item<N>>, n: f64) -> Vec<Item<N>> {
    if n.fract() != 0.0 || n < 1.0 || n > items.len() as f64 {
        return Vec::new();
    }
    items.into_iter().nth(n as usize - 1).into_iter().collect()
}

fn passes<N: Node>(node: &N, test: &Test) -> bool {
    match test {
        Test::Name(name) => !node.is_flag() && node.name() == name,
        Test::Star => !node.is_flag() && !node.name().is_empty(),
        Test::AnyNode => true,
        Test::Names(names) => !node.is_flag() && names.iter().any(|n| n == node.name()),
    }
}

fn keep<N: Node>(mut nodes: Vec<N>, test: &Test) -> Vec<N> {
    nodes.retain(|n| passes(n, test));
    nodes
}

/// A step's result: nodes in document order without duplicates, or atomic values as they
/// came; both at once is an error.
fn normalize<N: Node>(items: Vec<Item<N>>) -> Result<Vec<Item<N>>, EvalError> {
    let nodes = items.iter().filter(|i| i.as_node().is_some()).count();
    if nodes == 0 {
        Ok(items)
    } else if nodes == items.len() {
        Ok(document_order(items))
    } else {
        Err(EvalError::MixedPath)
    }
}

/// Sorts nodes by document order and removes duplicates (atomic items sort first).
fn document_order<N: Node>(mut items: Vec<Item<N>>) -> Vec<Item<N>> {
    if items.len() > 1 {
        let order = |i: &Item<N>| i.as_node().map_or(0, Node::order);
        if !items.is_sorted_by_key(order) {
            items.sort_by_key(order);
        }
        items.dedup_by_key(|i| order(i));
    }
    items
}

/// Effective boolean value: empty is false, a node first is true, one atomic by its value.
pub(crate) fn ebv<N>(items: &[Item<N>]) -> Result<bool, EvalError> {
    match items {
        [] => Ok(false),
        [Item::Node(_), ..] => Ok(true),
        [Item::Str(s)] => Ok(!s.is_empty()),
        [Item::Num(n)] => Ok(*n != 0.0 && !n.is_nan()),
        [Item::Bool(b)] => Ok(*b),
        more => Err(EvalError::NoBoolean(more.len())),
    }
}
