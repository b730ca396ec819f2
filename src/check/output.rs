//! Stage: check (output). In: a resolved catalog, typed. Out: the schema and reference
//! diagnostics that checking its whole JSON form would give, with the same pointers, without
//! ever building that form (`tests/emit/output_check.rs` holds that whole-form check as an oracle).
//!
//! The catalog is taken one member at a time: its uuid, its metadata, each top-level parameter,
//! control and group, its back matter. A control, group or parameter is judged on the typed
//! model, string by string, by the lean schema of the member that holds each string
//! ([`valid_typed`]); any other member, or one that fails there, becomes a small value checked
//! against the schema the catalog assembly gives that member (the members schema, compiled once
//! from the official one); the typed model already guarantees what the assembly itself asks
//! (required members, no others, non-empty arrays). The reference walk (`refs::check`) goes over
//! the whole catalog and keeps its id sets document-wide. Members and the reference walk are
//! independent tasks, run on two threads when there are two cores; findings come back in
//! document order.
//!
//! Markup read from XML is not converted to Markdown: the schema asks of markup only that it be a
//! string and, for a markup-line, one non-empty line, so a stand-in with the same verdict is
//! checked instead ([`stand_in`]). Patterns are checked in their lean form ([`patterns`]). A
//! member the lean check rejects is converted and checked again with the exact schema, which
//! alone says what is wrong where.

use super::schema::{self, Violation};
use super::{patterns, refs};
use crate::diag::Diagnostic;
use crate::model::Markup;
use crate::model::catalog::{BackMatter, Catalog, Control, Group, Metadata};
use crate::model::common::Parameter;
use crate::model::visit::{self, Node, Under};
use indexmap::IndexMap;
use serde_json::{Map, Value};
use std::sync::OnceLock;
use std::sync::atomic::{AtomicUsize, Ordering};

/// The catalog assembly's definition in the official schema.
const CATALOG_DEFINITION: &str = "oscal-catalog-oscal-catalog:catalog";

/// Members typed markup-multiline: any string.
const MULTILINE: [&str; 4] = ["description", "prose", "remarks", "usage"];

/// Members typed markup-line: one non-empty line.
const LINE: [&str; 4] = ["choice", "label", "text", "title"];

/// One member of the catalog, checked on its own.
enum Member<'c> {
    Uuid(&'c str),
    Metadata(&'c Metadata),
    Param(usize, &'c Parameter),
    Control(usize, &'c Control),
    Group(usize, &'c Group),
    BackMatter(&'c BackMatter),
}

impl Member<'_> {
    /// The catalog member's name, also the members schema's property for it.
    fn key(&self) -> &'static str {
        match self {
            Member::Uuid(_) => "uuid",
            Member::Metadata(_) => "metadata",
            Member::Param(..) => "params",
            Member::Control(..) => "controls",
            Member::Group(..) => "groups",
            Member::BackMatter(_) => "back-matter",
        }
    }

    /// Where the member sits in the whole document.
    fn pointer(&self) -> String {
        match self {
            Member::Param(i, _) | Member::Control(i, _) | Member::Group(i, _) => {
                format!("/catalog/{}/{i}", self.key())
            }
            _ => format!("/catalog/{}", self.key()),
        }
    }

    /// The member's JSON form, markup in the form it was read in.
    fn value(&self) -> Result<Value, serde_json::Error> {
        match self {
            Member::Uuid(u) => Ok(Value::String((*u).to_owned())),
            Member::Metadata(m) => serde_json::to_value(m),
            Member::Param(_, p) => serde_json::to_value(p),
            Member::Control(_, c) => serde_json::to_value(c),
            Member::Group(_, g) => serde_json::to_value(g),
            Member::BackMatter(b) => serde_json::to_value(b),
        }
    }
}

/// The catalog's members in document order.
fn members(c: &Catalog) -> Vec<Member<'_>> {
    let mut out = vec![Member::Uuid(&c.uuid), Member::Metadata(&c.metadata)];
    out.extend(
        c.params
            .iter()
            .enumerate()
            .map(|(i, p)| Member::Param(i, p)),
    );
    out.extend(
        c.controls
            .iter()
            .enumerate()
            .map(|(i, x)| Member::Control(i, x)),
    );
    out.extend(
        c.groups
            .iter()
            .enumerate()
            .map(|(i, g)| Member::Group(i, g)),
    );
    out.extend(c.back_matter.iter().map(Member::BackMatter));
    out
}

/// Checks a resolved catalog: schema violations (at most [`schema::MAX_REPORTED`], then a count),
/// then duplicate ids and dangling references, all without a source.
pub(crate) fn check(catalog: &Catalog) -> Vec<Diagnostic> {
    let walk = || refs::check(&Under("catalog", catalog), None, &[]);
    // The reference walk runs on a thread of its own, beside the members' checks.
    let (refs, schema) = super::beside(walk, || schema_violations(catalog));
    // Each member's violations are once per place and message already, and members' places differ.
    let mut out = match schema {
        Ok(found) => schema::capped(found, None),
        Err(why) => vec![Diagnostic::error("schema-invalid", why)],
    };
    out.extend(refs);
    out
}

/// The schema violations of a catalog, member by member, with their pointers in the whole
/// document: the check of the output and of a resolution's input catalogs.
pub(crate) fn schema_violations(catalog: &Catalog) -> Result<Vec<Violation>, String> {
    let members = members(catalog);
    let found = in_parallel(members.len(), |i| {
        members.get(i).map_or(Ok(Vec::new()), check_member)
    });
    flatten(found)
}

/// The violations of each member in order, or the first member's failure to be checked.
fn flatten(
    found: impl IntoIterator<Item = Result<Vec<Violation>, String>>,
) -> Result<Vec<Violation>, String> {
    let mut out = Vec::new();
    for f in found {
        out.extend(f?);
    }
    Ok(out)
}

/// `task(i)` for each `i` in `0..n`, in order of `i`. The members of a catalog are checked
/// independently, so two threads share them when the machine has two cores: each takes the next
/// task as it frees. On one core, or when no thread can be started, all run on this one.
fn in_parallel<T: Send>(n: usize, task: impl Fn(usize) -> T + Sync) -> Vec<T> {
    if super::cores() < 2 || n < 2 {
        return (0..n).map(task).collect();
    }
    let next = AtomicUsize::new(0);
    let run = || {
        let mut done = Vec::new();
        loop {
            let i = next.fetch_add(1, Ordering::Relaxed);
            if i >= n {
                return done;
            }
            done.push((i, task(i)));
        }
    };
    let mut all = std::thread::scope(|s| {
        let helper = std::thread::Builder::new().spawn_scoped(s, || {
            super::grow_arena();
            run()
        });
        let mut mine = run();
        if let Ok(helper) = helper {
            match helper.join() {
                Ok(theirs) => mine.extend(theirs),
                // A panic in a check is a bug: it goes on as if the check had run here.
                Err(panic) => std::panic::resume_unwind(panic),
            }
        }
        mine
    });
    all.sort_unstable_by_key(|(i, _)| *i);
    all.into_iter().map(|(_, t)| t).collect()
}

/// One member's schema violations.
fn check_member(member: &Member<'_>) -> Result<Vec<Violation>, String> {
    if valid_typed(member) {
        return Ok(Vec::new());
    }
    let mut value = member
        .value()
        .map_err(|e| format!("the output could not be checked: {e}"))?;
    stand_ins(&mut value, None);
    let lean = lean().ok_or("the embedded OSCAL schema does not compile")?;
    if lean.is_valid(&wrap(member.key(), value)) {
        return Ok(Vec::new());
    }
    let exact = exact().ok_or("the embedded OSCAL schema does not compile")?;
    let value = member
        .value()
        .map_err(|e| format!("the output could not be checked: {e}"))?;
    let value = crate::emit::markdown_value(&value);
    let key = format!("/{}", member.key());
    let base = member.pointer();
    let mut found = schema::collect(exact, &wrap(member.key(), value));
    for v in &mut found {
        let rest = v.pointer.strip_prefix(&key).unwrap_or_default();
        v.pointer = format!("{base}{rest}");
    }
    Ok(found)
}

/// `{key: value}`, the members schema's instance for one member.
pub(super) fn wrap(key: &str, value: Value) -> Value {
    let mut map = Map::new();
    map.insert(key.to_owned(), value);
    Value::Object(map)
}

/// Compiles the lean members schema and its leaf checks now (see [`super::prepare`]).
pub(super) fn prepare() {
    let _ = lean_parts();
}

/// The members schema with lean patterns, compiled once: the check every output goes through.
fn lean() -> Option<&'static jsonschema::Validator> {
    lean_parts().map(|(_, validator)| validator)
}

/// The members schema as published, compiled only when a member fails the lean check.
fn exact() -> Option<&'static jsonschema::Validator> {
    static EXACT: OnceLock<Option<jsonschema::Validator>> = OnceLock::new();
    EXACT
        .get_or_init(|| build(&members_schema()?, false))
        .as_ref()
}

/// The leaf checks and the lean validator, made together from one parse of the lean members
/// schema, which is not kept (every check needs both: a catalog's uuid and metadata always go to
/// the validator).
fn lean_parts() -> Option<&'static (Leaves, jsonschema::Validator)> {
    static PARTS: OnceLock<Option<(Leaves, jsonschema::Validator)>> = OnceLock::new();
    PARTS
        .get_or_init(|| {
            let mut members = members_schema()?;
            patterns::patch(&mut members);
            let leaves = leaf_schemas(&members)?
                .into_iter()
                .filter_map(|(name, schema)| Some((name, Leaf::of(schema?)?)));
            Some((Leaves::new(leaves)?, build(&members, true)?))
        })
        .as_ref()
}

/// `schema` compiled, its formats checked; `lean`: with the lean formats of [`patterns`].
pub(super) fn build(schema: &Value, lean: bool) -> Option<jsonschema::Validator> {
    let mut options = jsonschema::draft7::options().should_validate_formats(true);
    if lean {
        for (name, check) in patterns::formats() {
            options = options.with_format(name, check);
        }
    }
    options.build(schema).ok()
}

/// The check of one string, by the name of the member (or list) that holds it.
enum Leaf {
    /// Any string (markup-multiline).
    Any,
    /// A string of one lean format (`{"type": "string", "allOf": [{"format": …}]}`), checked by
    /// calling the format's function, as the validator would.
    Format(fn(&str) -> bool),
    /// The lean schema of that member; `sure` says yes without it for the common strings it
    /// surely accepts (a URI reference that is a plain `#fragment`).
    Schema {
        sure: Option<fn(&str) -> bool>,
        validator: jsonschema::Validator,
    },
}

/// The check of `{"type": "string", "allOf": [{"format": …}]}` with a lean format.
fn format_only(schema: &Value) -> Option<fn(&str) -> bool> {
    let Value::Object(map) = schema else {
        return None;
    };
    if map.len() != 2 || map.get("type") != Some(&Value::from("string")) {
        return None;
    }
    let Some(Value::Array(all)) = map.get("allOf") else {
        return None;
    };
    let [Value::Object(one)] = all.as_slice() else {
        return None;
    };
    if one.len() != 1 {
        return None;
    }
    one.get("format")
        .and_then(Value::as_str)
        .and_then(patterns::check_of)
}

/// `#` and a fragment of unreserved characters: a relative reference by RFC 3986 (an empty
/// relative part, then a fragment of `pchar`s), whatever else a `uri-reference` check allows.
fn plain_fragment(s: &str) -> bool {
    s.strip_prefix('#').is_some_and(|f| {
        f.bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~'))
    })
}

impl Leaf {
    fn of(schema: Value) -> Option<Leaf> {
        if schema == serde_json::json!({"type": "string"}) {
            return Some(Leaf::Any);
        }
        if let Some(check) = format_only(&schema) {
            return Some(Leaf::Format(check));
        }
        let uri_reference = serde_json::json!({"type": "string", "format": "uri-reference"});
        let sure = match &schema {
            s if *s == uri_reference => Some(plain_fragment as fn(&str) -> bool),
            // An alternative's yes is the whole `anyOf`'s.
            Value::Object(map) if map.len() == 1 => match map.get("anyOf") {
                Some(Value::Array(alternatives)) => alternatives.iter().find_map(format_only),
                _ => None,
            },
            _ => None,
        };
        let validator = build(&schema, true)?;
        Some(Leaf::Schema { sure, validator })
    }

    fn accepts(&self, s: &str) -> bool {
        match self {
            Leaf::Any => true,
            Leaf::Format(check) => check(s),
            Leaf::Schema { sure, validator } => {
                sure.is_some_and(|sure| sure(s)) || validator.is_valid(&Value::String(s.to_owned()))
            }
        }
    }
}

/// The leaf checks by member name, in a small open-addressing table: the lookup runs once per
/// string of the catalog, so it hashes the few bytes of the name and compares once.
struct Leaves(Vec<Option<(String, Leaf)>>);

impl Leaves {
    /// Slots: a power of two, several times the number of member names.
    const SLOTS: usize = 256;

    fn new(leaves: impl IntoIterator<Item = (String, Leaf)>) -> Option<Leaves> {
        let mut slots: Vec<Option<(String, Leaf)>> = (0..Self::SLOTS).map(|_| None).collect();
        for (name, leaf) in leaves {
            let start = Self::hash(&name);
            let slot = (0..Self::SLOTS)
                .map(|i| (start + i) % Self::SLOTS)
                .find(|i| slots.get(*i).is_some_and(Option::is_none))?;
            *slots.get_mut(slot)? = Some((name, leaf));
        }
        Some(Leaves(slots))
    }

    /// FNV-1a of the name, reduced to a slot.
    fn hash(key: &str) -> usize {
        let h = key.bytes().fold(0xcbf2_9ce4_8422_2325_u64, |h, b| {
            (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3)
        });
        // Only the low bits are kept: the slot count is a power of two.
        (h as usize) % Self::SLOTS
    }

    fn get(&self, key: &str) -> Option<&Leaf> {
        let start = Self::hash(key);
        for i in 0..Self::SLOTS {
            match self.0.get((start + i) % Self::SLOTS)? {
                Some((k, leaf)) if k == key => return Some(leaf),
                Some(_) => {}
                None => return None,
            }
        }
        None
    }

    #[cfg(test)]
    fn iter(&self) -> impl Iterator<Item = (&str, &Leaf)> {
        self.0.iter().flatten().map(|(k, l)| (k.as_str(), l))
    }
}

/// Whether the typed model alone shows `member` valid, so it is never converted to a `Value`:
/// a control, group or parameter (most of a catalog) whose every string passes the lean schema
/// of the member that holds it ([`leaves`]) and whose structure the schema accepts. The model
/// already guarantees the rest of what the schema asks of these objects: no other members, the
/// required ones present, no empty list (empty lists are not serialized). Anything unsure
/// (an unknown member, a failing string) leaves the decision to the member's `Value` check.
fn valid_typed(member: &Member<'_>) -> bool {
    let Some(leaves) = leaves() else {
        return false;
    };
    let mut ok = true;
    let mut check = |path: &visit::Path<'_>, node: Node<'_>| {
        if !ok || matches!(node, Node::Id(..) | Node::Uuid(_) | Node::Link(..)) {
            return;
        }
        let holder = path.holder();
        let Some(leaf) = holder.and_then(|k| leaves.get(k)) else {
            ok = false;
            return;
        };
        ok = match node {
            _ if matches!(leaf, Leaf::Any) => true,
            Node::Text(s) | Node::DependsOn(s) => leaf.accepts(s),
            Node::Markup(Markup::Markdown(s)) => leaf.accepts(s),
            Node::Markup(Markup::Xml(x)) => leaf.accepts(&stand_in(x, holder)),
            Node::Id(..) | Node::Uuid(_) | Node::Link(..) => true,
        };
    };
    let shaped = match member {
        Member::Control(_, c) => {
            visit::walk(*c, &mut check);
            control_shaped(c)
        }
        Member::Group(_, g) => {
            visit::walk(*g, &mut check);
            group_shaped(g)
        }
        Member::Param(_, p) => {
            visit::walk(*p, &mut check);
            param_shaped(p)
        }
        Member::Uuid(_) | Member::Metadata(_) | Member::BackMatter(_) => return false,
    };
    ok && shaped
}

/// The schema's `anyOf`s in these objects: a parameter has `values` or `select`, not both; a
/// group has `groups` or `controls`, not both.
fn param_shaped(p: &Parameter) -> bool {
    p.values.is_empty() || p.select.is_none()
}

fn control_shaped(c: &Control) -> bool {
    c.params.iter().all(param_shaped) && c.controls.iter().all(control_shaped)
}

fn group_shaped(g: &Group) -> bool {
    (g.groups.is_empty() || g.controls.is_empty())
        && g.params.iter().all(param_shaped)
        && g.groups.iter().all(group_shaped)
        && g.controls.iter().all(control_shaped)
}

/// Per member name, the check of the strings it holds in controls and groups, taken from the
/// lean members schema: each name reachable from the control and group definitions has one
/// schema there (a list's is its items'), with its references inlined and compiled alone. A name
/// with two different schemas is left out, so its strings are never judged here.
fn leaves() -> Option<&'static Leaves> {
    lean_parts().map(|(leaves, _)| leaves)
}

/// Per member name below controls and groups, its inlined lean schema (`None`: two schemas).
fn leaf_schemas(lean_members: &Value) -> Option<IndexMap<String, Option<Value>>> {
    let defs = lean_members.get("definitions")?;
    let mut todo = vec![
        "oscal-catalog-oscal-catalog:control".to_owned(),
        "oscal-catalog-oscal-catalog:group".to_owned(),
    ];
    let mut seen = indexmap::IndexSet::new();
    let mut by_name: IndexMap<String, Option<Value>> = IndexMap::new();
    while let Some(name) = todo.pop() {
        let def = defs.get(&name)?;
        if seen.insert(name) {
            refs_in(def, &mut todo);
            properties_in(def, defs, &mut by_name);
        }
    }
    Some(by_name)
}

/// The definitions `v` refers to.
fn refs_in(v: &Value, out: &mut Vec<String>) {
    match v {
        Value::Object(map) => {
            if let Some(Value::String(r)) = map.get("$ref")
                && let Some(name) = r.strip_prefix("#/definitions/")
            {
                out.push(name.to_owned());
            }
            map.values().for_each(|x| refs_in(x, out));
        }
        Value::Array(items) => items.iter().for_each(|x| refs_in(x, out)),
        _ => {}
    }
}

/// Each property below `v` (in `anyOf` alternatives too) with its inlined schema; `None` once a
/// name has met two different schemas.
fn properties_in(v: &Value, defs: &Value, out: &mut IndexMap<String, Option<Value>>) {
    match v {
        Value::Object(map) => {
            if let Some(Value::Object(props)) = map.get("properties") {
                for (name, schema) in props {
                    let one = schema.get("items").unwrap_or(schema);
                    let inlined = inline(one, defs, 0);
                    let slot = out.entry(name.clone()).or_insert_with(|| inlined.clone());
                    if *slot != inlined {
                        *slot = None;
                    }
                }
            }
            map.values().for_each(|x| properties_in(x, defs, out));
        }
        Value::Array(items) => items.iter().for_each(|x| properties_in(x, defs, out)),
        _ => {}
    }
}

/// `v` with every `$ref` replaced by its definition and no titles or descriptions; `None` for
/// a reference that goes deeper than a datatype does (an object definition).
fn inline(v: &Value, defs: &Value, depth: usize) -> Option<Value> {
    if depth > 8 {
        return None;
    }
    match v {
        Value::Object(map) => {
            if let Some(Value::String(r)) = map.get("$ref") {
                let target = defs.get(r.strip_prefix("#/definitions/")?)?;
                return inline(target, defs, depth + 1);
            }
            let mut out = Map::new();
            for (k, x) in map {
                if !matches!(k.as_str(), "title" | "description" | "$id") {
                    out.insert(k.clone(), inline(x, defs, depth + 1)?);
                }
            }
            Some(Value::Object(out))
        }
        Value::Array(items) => items.iter().map(|x| inline(x, defs, depth + 1)).collect(),
        other => Some(other.clone()),
    }
}

/// The official catalog schema with a root whose properties are the catalog's members, each with
/// the schema of one item (array members) or of the member itself.
pub(crate) fn members_schema() -> Option<Value> {
    let mut official: Value = serde_json::from_str(schema::CATALOG_SCHEMA).ok()?;
    let root = official.as_object_mut()?;
    let definitions = root.remove("definitions")?;
    let assembly = definitions
        .get(CATALOG_DEFINITION)?
        .get("properties")?
        .as_object()?;
    let mut properties = Map::new();
    for (name, member) in assembly {
        let one = match member.get("type").and_then(Value::as_str) {
            Some("array") => member.get("items")?,
            _ => member,
        };
        properties.insert(name.clone(), one.clone());
    }
    let mut out = Map::new();
    for key in ["$schema", "$id"] {
        if let Some(v) = root.remove(key) {
            out.insert(key.to_owned(), v);
        }
    }
    out.insert("definitions".to_owned(), definitions);
    out.insert("type".to_owned(), Value::from("object"));
    out.insert("properties".to_owned(), Value::Object(properties));
    Some(Value::Object(out))
}

/// Replaces each fragment of XML markup below `v` by its [`stand_in`]; `key` is the member that
/// holds `v`.
pub(crate) fn stand_ins(v: &mut Value, key: Option<&str>) {
    match v {
        Value::Object(map) => {
            if let Some(s) = schema::fragment(map).map(|x| stand_in(x, key)) {
                *v = Value::String(s);
                return;
            }
            for (k, child) in map.iter_mut() {
                stand_ins(child, Some(k));
            }
        }
        Value::Array(items) => items.iter_mut().for_each(|x| stand_ins(x, key)),
        _ => {}
    }
}

/// A string the schema judges as it judges the fragment's Markdown form, held by `key`.
///
/// Multiline markup may be any string. A line must be one non-empty line: a fragment of text
/// alone (no element, no reference) becomes its text with each whitespace run folded to one
/// space, escapes added and an all-whitespace paragraph dropped (`xml_to_markdown`), so its line
/// is empty exactly when the text is all whitespace, and never breaks. Anything else is
/// converted, so the verdict is the converted form's by construction.
pub(crate) fn stand_in(fragment: &str, key: Option<&str>) -> String {
    let is = |list: &[&str]| key.is_some_and(|k| list.contains(&k));
    if is(&MULTILINE) {
        return String::new();
    }
    if is(&LINE) && !fragment.contains(['<', '&']) {
        let blank = fragment
            .chars()
            .all(|c| matches!(c, ' ' | '\t' | '\n' | '\r'));
        return if blank { String::new() } else { "x".to_owned() };
    }
    crate::model::markup::xml_to_markdown(fragment)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Options;
    use crate::model::Document;

    fn path(rel: &str) -> std::path::PathBuf {
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join(rel)
    }

    fn url(rel: &str) -> url::Url {
        url::Url::from_file_path(path(rel)).expect("absolute path")
    }

    fn loaded_catalog(rel: &str) -> Catalog {
        let bytes = std::fs::read(path(rel)).expect("read");
        let mut sources = crate::source::SourceMap::default();
        let loaded = crate::load::load(bytes, &url(rel), &mut sources, &Options::default())
            .unwrap_or_else(|e| panic!("{rel}: {e:?}"));
        match loaded.doc {
            Document::Catalog(c) => c,
            Document::Profile(_) => panic!("{rel}: a profile"),
        }
    }

    const REV4: &str = "tests/fixtures/sp800-53-rev4/nist.gov/SP800-53/rev4";

    #[test]
    fn shipped_controls_groups_and_params_are_judged_without_a_value() {
        for rel in [
            "benches/data/rev5/NIST_SP-800-53_rev5_catalog.xml",
            "benches/data/rev5/NIST_SP-800-53_rev5_catalog.json",
            &format!("{REV4}/xml/NIST_SP-800-53_rev4_catalog.xml"),
        ] {
            let c = loaded_catalog(rel);
            let typed: Vec<_> = members(&c)
                .into_iter()
                .filter(|m| {
                    matches!(
                        m,
                        Member::Control(..) | Member::Group(..) | Member::Param(..)
                    )
                })
                .collect();
            assert!(typed.len() > 10, "{rel}: {} members", typed.len());
            let converted: Vec<_> = typed
                .iter()
                .filter(|m| !valid_typed(m))
                .map(Member::pointer)
                .collect();
            assert_eq!(converted, Vec::<String>::new(), "{rel}");
        }
    }

    #[test]
    fn each_string_member_of_controls_has_its_schema() {
        let leaves = leaves().expect("leaves");
        let mut any: Vec<&str> = leaves
            .iter()
            .filter(|(_, l)| matches!(l, Leaf::Any))
            .map(|(k, _)| k)
            .collect();
        any.sort_unstable();
        assert_eq!(any, ["description", "prose", "remarks", "usage"]);
        assert!(leaves.iter().all(|(k, _)| leaves.get(k).is_some()));
        assert!(leaves.get("nothing-of-this-name").is_none());
        let judged = |k: &str, s: &str| match leaves.get(k) {
            Some(leaf @ (Leaf::Schema { .. } | Leaf::Format(_))) => leaf.accepts(s),
            _ => panic!("no schema for {k}"),
        };
        let verdicts = [
            judged("id", "ac-1"),
            judged("id", "not a token"),
            judged("how-many", "one"),
            judged("how-many", "two"),
            judged("rel", "reference"),
            judged("href", "#x"),
            judged("ns", "no-scheme"),
            judged("title", "two\nlines"),
            judged("values", " padded"),
            judged("choice", "a"),
            judged("uuid", "8bd5f2a4-6a6b-4f7c-9a43-2b4f7cbbd7a4"),
            judged("depends-on", "p1"),
        ];
        assert_eq!(
            verdicts,
            [
                true, false, true, false, true, true, false, false, false, true, true, true
            ]
        );
    }

    #[test]
    fn members_schema_has_one_property_per_catalog_member() {
        let s = members_schema().expect("members schema");
        let keys: Vec<_> = s["properties"]
            .as_object()
            .expect("properties")
            .keys()
            .cloned()
            .collect();
        assert_eq!(
            keys,
            [
                "uuid",
                "metadata",
                "params",
                "controls",
                "groups",
                "back-matter"
            ]
        );
    }
}
