//! Stage: constraint check. In: a [`Schema`] with its constraints, external constraint sets
//! ([`MetaConstraints`]) and a document's JSON form. Out: a [`Finding`] per violation, in
//! document order, each with the constraint's code, level and the offending node's JSON pointer.
//!
//! [`Compiled::new`] parses every Metapath and regex once; [`Compiled::check`] builds the
//! document's [`Tree`] and walks it once, applying at each node its definition's constraints and
//! those the external contexts aim at it. Linear in the document: keys go into hash maps, and
//! what needs the whole document (pooled allowed-values, index-has-key) is settled at the end.
//! Turning findings into diagnostics, and deciding what they stop, is `crate::check`'s job.

mod compile;
mod datatype;

use std::collections::{HashMap, HashSet};

use indexmap::{IndexMap, IndexSet};

use self::compile::{Key, Piece, Rule, RuleKind};
use super::json::Json;
use super::model::{Context, Level, MetaConstraints, Schema};
use super::path::{Env, Expr, Item, Node};
use super::tree::{NodeId, Tree, TreeNode};

pub use self::datatype::Datatype;

/// The constraints of a schema and of external sets, ready to run on documents.
#[derive(Debug)]
pub struct Compiled<'s> {
    schema: &'s Schema,
    rules: Vec<Rule>,
    /// Per definition, the rules it declares.
    by_def: Vec<Vec<usize>>,
    /// The external sets' top-level contexts.
    contexts: Vec<Ctx>,
    /// See [`VISITS_PER_NODE`].
    visits_per_node: u64,
}

/// An external `<context>`, compiled.
#[derive(Debug)]
struct Ctx {
    targets: Vec<Expr>,
    rules: Vec<usize>,
    contexts: Vec<Ctx>,
}

/// A constraint or expression that does not compile.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{file}: constraint {}: {what} `{expr}`: {reason}", constraint.as_deref().map_or("without id".to_owned(), |i| format!("`{i}`")))]
pub struct CompileError {
    /// The module or constraint file.
    pub file: String,
    /// The constraint's id, if it has one.
    pub constraint: Option<String>,
    /// Which part: `target`, `test`, `let`, `key-field`, `pattern`, `regex`, `message`, `context`.
    pub what: String,
    /// The text that failed.
    pub expr: String,
    /// Why.
    pub reason: String,
}

/// One violation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Finding {
    /// `oscal:<id>`, or `oscal:<kind>` when the constraint has no id (its target is then in
    /// the message); `constraints-eval` when a constraint could not be evaluated.
    pub code: &'static str,
    /// The constraint's declared level.
    pub level: Level,
    /// The offending node: the flag for a flag, the context node for a cardinality.
    pub pointer: String,
    /// The declared message, else one naming the value, the allowed values and the target.
    pub message: String,
    /// The constraint's id, if any.
    pub constraint: Option<String>,
    /// The constraint's kind (`allowed-values`, `expect`, …); `limit` for the finding that says
    /// the check stopped.
    pub kind: &'static str,
    /// The constraint's help text, if any.
    pub help: Option<String>,
    /// What the finding is about, independent of where it is: kind, constraint (for
    /// allowed-values the target's name, since several lists pool), the offending value or key,
    /// and for expect and cardinality the nearest `id` or `uuid` around. Equal fingerprints in an
    /// input and in a resolution's output are the same finding.
    pub fingerprint: String,
    /// Advice, if any: for a name in the OSCAL namespace that no list allows, that a name of
    /// one's own needs an `ns` of one's own.
    pub hint: Option<String>,
}

impl<'s> Compiled<'s> {
    /// Compiles the constraints of `schema`'s definitions and of `extra` sets: every error, or
    /// the compiled set.
    pub fn new(schema: &'s Schema, extra: &[MetaConstraints]) -> Result<Self, Vec<CompileError>> {
        let mut errors = Vec::new();
        let mut rules = Vec::new();
        let mut by_def = Vec::with_capacity(schema.defs.len());
        for def in &schema.defs {
            let mut mine = Vec::new();
            for c in &def.constraints {
                match compile::rule(c, &def.module) {
                    Ok(r) => {
                        mine.push(rules.len());
                        rules.push(r);
                    }
                    Err(e) => errors.push(e),
                }
            }
            by_def.push(mine);
        }
        let mut contexts = Vec::new();
        for set in extra {
            for c in &set.contexts {
                contexts.push(context(c, &set.source, &mut rules, &mut errors));
            }
        }
        if errors.is_empty() {
            Ok(Compiled {
                schema,
                rules,
                by_def,
                contexts,
                visits_per_node: VISITS_PER_NODE,
            })
        } else {
            Err(errors)
        }
    }

    /// The same set with another bound on the nodes Metapath may visit per node of a document
    /// (see [`VISITS_PER_NODE`]).
    pub fn with_visits_per_node(mut self, visits: u64) -> Self {
        self.visits_per_node = visits;
        self
    }

    /// Every code its constraints can report, once each, in declaration order (definitions,
    /// then the external sets); `constraints-eval` is not among them.
    pub fn codes(&self) -> Vec<&'static str> {
        let codes: IndexSet<&'static str> = self.rules.iter().map(|r| r.code).collect();
        codes.into_iter().collect()
    }

    /// The help text of a code: for each constraint that reports it, its help (remarks or formal
    /// name), else its declared message as written, else its kind and target; `None` for a code no constraint reports.
    pub fn describe(&self, code: &str) -> Option<String> {
        let lines: IndexSet<String> = self
            .rules
            .iter()
            .filter(|r| r.code == code)
            .map(|r| match (&r.help, &r.message_text) {
                (Some(h), _) => h.clone(),
                (None, Some(m)) => m.clone(),
                (None, None) => format!("{} on `{}`", r.kind.name(), r.target_text),
            })
            .collect();
        (!lines.is_empty()).then(|| lines.into_iter().collect::<Vec<_>>().join("\n"))
    }

    /// Every violation in `json` (a document with its root key), in document order.
    ///
    /// Bounded: Metapath may visit [`VISITS_PER_NODE`] nodes per node of the document in all
    /// (OSCAL's own constraints visit about 25), and each evaluation has [`EVAL_BUDGET`] steps;
    /// past either, the check stops with one `constraints-eval` finding and what it found so far.
    pub fn check(&self, json: &Json) -> Vec<Finding> {
        let tree = Tree::new(self.schema, json);
        let limit = (tree.len() as u64)
            .saturating_add(BASE_NODES)
            .saturating_mul(self.visits_per_node);
        let tree = tree.with_limit(limit);
        let mut run = Run::new(self);
        'walk: for node in tree.in_order() {
            let Some(def) = node.def() else { continue };
            for &r in self.by_def.get(def as usize).into_iter().flatten() {
                run.apply(r, node);
                if tree.exhausted() {
                    break 'walk;
                }
            }
        }
        for c in &self.contexts {
            if tree.exhausted() {
                break;
            }
            run.context(c, tree.root(), 0);
        }
        if tree.exhausted() {
            run.stopped(limit, self.visits_per_node);
        }
        run.finish(&tree)
    }
}

/// Compiles an external context and its nested ones, adding their rules to `rules`.
fn context(
    c: &Context,
    source: &str,
    rules: &mut Vec<Rule>,
    errors: &mut Vec<CompileError>,
) -> Ctx {
    let mut targets = Vec::new();
    for t in &c.targets {
        match Expr::parse(t) {
            Ok(e) => targets.push(e),
            Err(e) => errors.push(CompileError {
                file: source.to_owned(),
                constraint: None,
                what: "context".to_owned(),
                expr: t.clone(),
                reason: e.to_string(),
            }),
        }
    }
    let mut mine = Vec::new();
    for k in &c.constraints {
        match compile::rule(k, source) {
            Ok(r) => {
                mine.push(rules.len());
                rules.push(r);
            }
            Err(e) => errors.push(e),
        }
    }
    let contexts = c
        .contexts
        .iter()
        .map(|n| context(n, source, rules, errors))
        .collect();
    Ctx {
        targets,
        rules: mine,
        contexts,
    }
}

/// Nodes Metapath may visit per node of the document, over a whole check: OSCAL's own
/// constraints visit about 25 (SP 800-53 rev5: 1.07 million for 49,160 nodes).
pub const VISITS_PER_NODE: u64 = 1000;

/// Nodes added to a document's count for its bound: a small document may have as many visits
/// as one of a thousand nodes.
const BASE_NODES: u64 = 1000;

/// Steps of one Metapath evaluation (the evaluator's own budget, lower than its default: a
/// check makes one evaluation per constraint and node).
pub const EVAL_BUDGET: u64 = 10_000_000;

/// Deepest nesting of external contexts followed; deeper ones are not applied.
const MAX_CONTEXT_DEPTH: usize = 64;

/// The hasher of the check's maps: seeded per process, and several times faster than the
/// default on the short keys a check hashes by the ten thousand.
type Fast = foldhash::fast::RandomState;

/// The allowed-values lists that selected one node.
struct Pool {
    value: String,
    /// Some list has the value.
    allowed: bool,
    /// The closed lists that apply, by rule.
    closed: Vec<usize>,
}

/// One check of one document: what has been seen so far.
struct Run<'c, 's, 't, 'a> {
    compiled: &'c Compiled<'s>,
    pools: IndexMap<NodeId, Pool, Fast>,
    unique: HashSet<(usize, NodeId, Vec<String>), Fast>,
    indexes: HashMap<&'c str, HashSet<Vec<String>, Fast>, Fast>,
    pending: Vec<(usize, TreeNode<'t, 'a>, Vec<String>)>,
    /// Rules that failed to evaluate once, by rule: not run again (one report each).
    failed: Vec<bool>,
    found: Vec<(usize, Finding)>,
}

impl<'c, 's, 't, 'a> Run<'c, 's, 't, 'a> {
    fn new(compiled: &'c Compiled<'s>) -> Self {
        Run {
            compiled,
            pools: IndexMap::default(),
            unique: HashSet::default(),
            indexes: HashMap::default(),
            pending: Vec::new(),
            failed: vec![false; compiled.rules.len()],
            found: Vec::new(),
        }
    }

    /// Applies the rules of context `c` at each node its targets select from `at`.
    fn context(&mut self, c: &'c Ctx, at: TreeNode<'t, 'a>, depth: usize) {
        if depth >= MAX_CONTEXT_DEPTH {
            return;
        }
        for t in &c.targets {
            let Ok(nodes) = t.select(&at, &env()) else {
                continue;
            };
            for node in nodes {
                for &r in &c.rules {
                    self.apply(r, node);
                }
                for inner in &c.contexts {
                    self.context(inner, node, depth + 1);
                }
            }
        }
    }

    /// Says, once, that the check ran out of visits: what it reports is incomplete.
    fn stopped(&mut self, limit: u64, per_node: u64) {
        let code = "constraints-eval";
        let message = format!(
            "the constraint check stopped after visiting {limit} nodes ({per_node} per node of the document): its findings are incomplete"
        );
        let f = Finding {
            code,
            level: Level::Error,
            pointer: String::new(),
            message,
            constraint: None,
            kind: "limit",
            help: None,
            fingerprint: code.to_owned(),
            hint: None,
        };
        // After everything else, whatever its place.
        self.found.push((usize::MAX, f));
    }

    /// Applies rule `r` with `node` as its context node.
    fn apply(&mut self, r: usize, node: TreeNode<'t, 'a>) {
        if self.failed.get(r).copied().unwrap_or(true) {
            return;
        }
        let Some(rule) = self.compiled.rules.get(r) else {
            return;
        };
        if let Err(why) = self.evaluate(r, rule, node) {
            if let Some(failed) = self.failed.get_mut(r) {
                *failed = true;
            }
            let which = match &rule.id {
                Some(id) => format!("`{id}`"),
                None => format!("{} on `{}`", rule.kind.name(), rule.target_text),
            };
            let message = format!(
                "constraint {which} could not be evaluated on `{}`: {why}",
                node.name()
            );
            self.push(
                node,
                finding(rule, "constraints-eval", node, message, String::new()),
            );
        }
    }

    fn evaluate(&mut self, r: usize, rule: &'c Rule, node: TreeNode<'t, 'a>) -> Result<(), String> {
        let mut env = env();
        for (name, e) in &rule.lets {
            let items = e.eval(&node, &env).map_err(|e| e.to_string())?;
            env.bind(name, items);
        }
        let targets = rule.target.select(&node, &env).map_err(|e| e.to_string())?;
        match &rule.kind {
            RuleKind::Allowed { values, open } => {
                for t in targets {
                    let Some(v) = t.value() else { continue };
                    let pool = self.pools.entry(t.id()).or_insert_with(|| Pool {
                        value: v.into_owned(),
                        allowed: false,
                        closed: Vec::new(),
                    });
                    pool.allowed |= values.contains(pool.value.as_str());
                    if !open && !pool.closed.contains(&r) {
                        pool.closed.push(r);
                    }
                }
            }
            RuleKind::Matches { regex, datatype } => {
                for t in targets {
                    let Some(v) = t.value() else { continue };
                    let bad = match (regex, datatype) {
                        (Some((text, re)), _) if !re.is_match(&v) => {
                            Some(format!("does not match `{text}`"))
                        }
                        (_, Some((name, dt))) if !dt.accepts(&v) => {
                            Some(format!("is not a valid `{name}`"))
                        }
                        _ => None,
                    };
                    if let Some(why) = bad {
                        let text = format!("value `{}` of `{}` {why}", clip(&v), path_name(&t));
                        let print = v.into_owned();
                        self.report(rule, t, &env, text, print);
                    }
                }
            }
            RuleKind::Unique { keys } => {
                for t in targets {
                    let Some(key) = key_of(keys, &t, &env)? else {
                        continue;
                    };
                    if let Some(key) = self.first_or(r, node.id(), key) {
                        let text = format!(
                            "`{}` with key `{}` is not unique in `{}`",
                            path_name(&t),
                            key.join(", "),
                            node.name()
                        );
                        self.report(rule, t, &env, text, key.join("\u{1f}"));
                    }
                }
            }
            RuleKind::Index { name, keys } => {
                self.indexes.entry(name.as_str()).or_default();
                for t in targets {
                    let Some(key) = key_of(keys, &t, &env)? else {
                        continue;
                    };
                    let index = self.indexes.entry(name.as_str()).or_default();
                    if index.contains(&key) {
                        let text = format!(
                            "`{}` with key `{}` is already in index `{name}`",
                            path_name(&t),
                            key.join(", ")
                        );
                        self.report(rule, t, &env, text, key.join("\u{1f}"));
                    } else {
                        index.insert(key);
                    }
                }
            }
            RuleKind::HasKey { keys, .. } => {
                for t in targets {
                    if let Some(key) = key_of(keys, &t, &env)? {
                        self.pending.push((r, t, key));
                    }
                }
            }
            RuleKind::Cardinality { min, max } => {
                let n = targets.len() as u64;
                let low = min.is_some_and(|m| n < m);
                let high = max.is_some_and(|m| n > m);
                if low || high {
                    let bound = match (low, min, max) {
                        (true, Some(m), _) => format!("at least {m}"),
                        (_, _, Some(m)) => format!("at most {m}"),
                        _ => String::new(),
                    };
                    let text = format!(
                        "{} has {n} of `{}`, expected {bound}",
                        label(&node),
                        rule.target_text
                    );
                    let print = anchor(&node);
                    self.report(rule, node, &env, text, print);
                }
            }
            RuleKind::Expect { test_text, test } => {
                for t in targets {
                    if !test.test(&t, &env).map_err(|e| e.to_string())? {
                        let text = format!("{} does not satisfy `{test_text}`", label(&t));
                        let print = anchor(&t);
                        self.report(rule, t, &env, text, print);
                    }
                }
            }
        }
        Ok(())
    }

    /// `None` when `key` is the first of its kind for rule `r` under context `ctx`; else the key.
    fn first_or(&mut self, r: usize, ctx: NodeId, key: Vec<String>) -> Option<Vec<String>> {
        let entry = (r, ctx, key);
        if self.unique.contains(&entry) {
            return Some(entry.2);
        }
        self.unique.insert(entry);
        None
    }

    /// Records a violation of `rule` at `at`: the declared message (evaluated on `at`) if any,
    /// else `generated`.
    fn report(
        &mut self,
        rule: &Rule,
        at: TreeNode<'t, 'a>,
        env: &Env<TreeNode<'t, 'a>>,
        generated: String,
        print: String,
    ) {
        let message = declared(rule, &at, env).unwrap_or_else(|| with_target(rule, generated));
        self.push(at, finding(rule, rule.code, at, message, print));
    }

    fn push(&mut self, at: TreeNode<'t, 'a>, f: Finding) {
        self.found.push((at.order(), f));
    }

    /// What needs the whole document: the pooled allowed-values lists and index-has-key; then
    /// every finding in document order.
    fn finish(mut self, tree: &'t Tree<'a>) -> Vec<Finding> {
        let rules = &self.compiled.rules;
        let pools = std::mem::take(&mut self.pools);
        for (id, pool) in pools {
            if pool.allowed || pool.closed.is_empty() {
                continue;
            }
            let at = tree.node(id);
            let lists: Vec<&Rule> = pool.closed.iter().filter_map(|r| rules.get(*r)).collect();
            let Some(first) = lists.first() else { continue };
            let message = declared(first, &at, &env())
                .unwrap_or_else(|| not_allowed(&pool.value, &at, &lists));
            let print = format!("{}={}", path_name(&at), pool.value);
            let mut f = finding(first, first.code, at, message, print);
            f.hint = namespace_hint(&at);
            self.push(at, f);
        }
        for (r, at, key) in std::mem::take(&mut self.pending) {
            let Some(rule) = rules.get(r) else { continue };
            let RuleKind::HasKey { name, .. } = &rule.kind else {
                continue;
            };
            let shown = key.join(", ");
            let why = match self.indexes.get(name.as_str()) {
                Some(index) if index.contains(&key) => continue,
                Some(_) => format!("is not in index `{name}`"),
                None => format!("cannot be found: the document has no index `{name}`"),
            };
            let text = format!("`{}` key `{shown}` {why}", path_name(&at));
            let message = declared(rule, &at, &env()).unwrap_or_else(|| with_target(rule, text));
            self.push(
                at,
                finding(rule, rule.code, at, message, key.join("\u{1f}")),
            );
        }
        // Stable: findings on one node keep the order their constraints were declared in.
        self.found.sort_by_key(|(order, _)| *order);
        self.found.into_iter().map(|(_, f)| f).collect()
    }
}

/// An environment without variables, with the check's budget.
fn env<N>() -> Env<N> {
    Env::new().with_budget(EVAL_BUDGET)
}

/// The atomized value of an item, owned.
fn text<N: Node>(item: &Item<N>) -> String {
    item.string_value().into_owned()
}

/// The key of `t`: one value per key field; `None` when every field is absent (such an item is
/// not indexed). A field with a pattern keys by the pattern's group 1; a value the pattern does
/// not match counts as absent (metaschema-java stops with an error instead; OSCAL's own keys
/// select only values that start with the pattern's `#`, so never meet one).
fn key_of<'t, 'a>(
    keys: &[Key],
    t: &TreeNode<'t, 'a>,
    env: &Env<TreeNode<'t, 'a>>,
) -> Result<Option<Vec<String>>, String> {
    let mut out = Vec::with_capacity(keys.len());
    let mut any = false;
    for k in keys {
        let value = k.target.first_value(t, env).map_err(|e| e.to_string())?;
        let value = match (value, &k.pattern) {
            (Some(v), Some(re)) => re.captures(&v).map(|c| {
                c.get(1)
                    .or_else(|| c.get(0))
                    .map_or("", |m| m.as_str())
                    .to_owned()
            }),
            (v, _) => v,
        };
        any |= value.is_some();
        out.push(value.unwrap_or_default());
    }
    Ok(any.then_some(out))
}

/// The declared message of `rule` with its `{ expr }` parts evaluated on `at` (items joined by
/// spaces; a part that fails to evaluate is left empty).
fn declared<'t, 'a>(
    rule: &Rule,
    at: &TreeNode<'t, 'a>,
    env: &Env<TreeNode<'t, 'a>>,
) -> Option<String> {
    let pieces = rule.message.as_ref()?;
    let mut out = String::new();
    for p in pieces {
        match p {
            Piece::Text(t) => out.push_str(t),
            Piece::Expr(e) => {
                let items = e.eval(at, env).unwrap_or_default();
                let parts: Vec<String> = items.iter().map(text).collect();
                out.push_str(&parts.join(" "));
            }
        }
    }
    Some(out)
}

/// A generated message, with the target when the constraint has no id to look up.
fn with_target(rule: &Rule, text: String) -> String {
    match rule.id {
        Some(_) => text,
        None => format!("{text} ({} on `{}`)", rule.kind.name(), rule.target_text),
    }
}

/// Most allowed values a generated message lists.
const SHOWN_VALUES: usize = 8;

/// The message of a value no pooled list allows: the value, the node, some allowed values and
/// the closed lists' ids.
fn not_allowed(value: &str, at: &TreeNode<'_, '_>, lists: &[&Rule]) -> String {
    let mut allowed: IndexSet<&str> = IndexSet::new();
    for r in lists {
        if let RuleKind::Allowed { values, .. } = &r.kind {
            allowed.extend(values.iter().map(String::as_str));
        }
    }
    let mut shown: Vec<String> = allowed
        .iter()
        .take(SHOWN_VALUES)
        .map(|v| format!("`{v}`"))
        .collect();
    if allowed.len() > SHOWN_VALUES {
        shown.push(format!("… ({} more)", allowed.len() - SHOWN_VALUES));
    }
    let ids: Vec<String> = lists
        .iter()
        .map(|r| match &r.id {
            Some(id) => format!("`{id}`"),
            None => format!("allowed-values on `{}`", r.target_text),
        })
        .collect();
    format!(
        "value `{}` of `{}` is not allowed: expected one of {} ({})",
        clip(value),
        path_name(at),
        shown.join(", "),
        ids.join(", ")
    )
}

/// For the `name` of a node without `ns` whose namespace defaults to OSCAL's: a name of one's
/// own belongs in a namespace of one's own.
fn namespace_hint(at: &TreeNode<'_, '_>) -> Option<String> {
    let owner = at.parent()?;
    let oscal = at.is_flag()
        && at.name() == "name"
        && owner.flag_value("ns").is_none()
        && owner.flag_default("ns").is_some();
    oscal.then(|| {
        format!(
            "without `ns` a {} is in the OSCAL namespace, where only these names are defined; \
             give a name of your own an `ns` of your own",
            owner.name()
        )
    })
}

/// `prop/@name` for a flag, the name for anything else.
fn path_name(n: &TreeNode<'_, '_>) -> String {
    match (n.is_flag(), n.parent()) {
        (true, Some(p)) => format!("{}/@{}", p.name(), n.name()),
        _ => n.name().to_owned(),
    }
}

/// How a message names a node: `control `ac-1`` when it has an id (or uuid), else
/// `` `prop/@name` `` or `` `location` ``.
fn label(n: &TreeNode<'_, '_>) -> String {
    match n.flag_value("id").or_else(|| n.flag_value("uuid")) {
        Some(id) if !n.is_flag() => format!("{} `{}`", n.name(), clip(&id)),
        _ => format!("`{}`", path_name(n)),
    }
}

/// The `id` or `uuid` of `n` or of its nearest ancestor that has one: where a finding without
/// a value of its own is.
fn anchor(n: &TreeNode<'_, '_>) -> String {
    let mut at = Some(*n);
    while let Some(node) = at {
        if let Some(v) = node.flag_value("id").or_else(|| node.flag_value("uuid")) {
            return format!("{}={v}", node.name());
        }
        at = node.parent();
    }
    String::new()
}

/// A finding of `rule` at `at`.
fn finding(
    rule: &Rule,
    code: &'static str,
    at: TreeNode<'_, '_>,
    message: String,
    print: String,
) -> Finding {
    let which = match (&rule.kind, &rule.id) {
        (RuleKind::Allowed { .. }, _) => String::new(),
        (_, Some(id)) => id.clone(),
        (_, None) => rule.target_text.clone(),
    };
    Finding {
        code,
        level: rule.level,
        pointer: at.pointer(),
        message,
        constraint: rule.id.clone(),
        kind: rule.kind.name(),
        help: rule.help.clone(),
        fingerprint: format!("{}|{which}|{print}", rule.kind.name()),
        hint: None,
    }
}

/// Values quoted in messages are cut to their first characters.
fn clip(v: &str) -> String {
    const MAX: usize = 80;
    match v.char_indices().nth(MAX) {
        Some((i, _)) => format!("{}…", v.get(..i).unwrap_or(v)),
        None => v.to_owned(),
    }
}
