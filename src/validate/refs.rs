//! Stage: validate (references). In: a document in the OSCAL JSON form and, for a profile, the
//! JSON form of each import's catalog. Out: diagnostics for what the schema cannot say.
//!
//! - every `id` of a control, parameter, part or group, and every `uuid`, is unique;
//! - every parameter `insert` and every `#fragment` link names something in the document;
//! - a profile's `with-ids`, alter `control-id`, `by-id` and set-parameter `param-id` name
//!   something in the imported catalogs (warnings: resolution goes on without them).
//!
//! Everything is walked on the JSON value, so each finding has its JSON pointer, which the source
//! map turns into a position in JSON and XML text alike.

use crate::diag::{Diagnostic, SourceId, Span};
use crate::model::common::XML_MARKUP_KEY;
use indexmap::IndexMap;
use serde_json::Value;
use std::fmt::Write as _;

/// Arrays whose members carry a document-unique `id`.
const ID_ARRAYS: [&str; 4] = ["controls", "params", "parts", "groups"];

/// Link relations that may name a control the document does not hold (a baseline keeps
/// `related` links to controls it did not select), so their fragments are not checked.
const OPEN_RELATIONS: [&str; 4] = ["related", "required", "incorporated-into", "moved-to"];

/// The ids and uuids of one document, each with the pointer of its first definition.
#[derive(Debug, Default, Clone)]
pub struct Ids {
    /// Control, parameter, part and group ids.
    pub ids: IndexMap<String, String>,
    /// Parameter ids only.
    pub params: IndexMap<String, String>,
    /// Control ids only.
    pub controls: IndexMap<String, String>,
    /// Every `uuid`.
    pub uuids: IndexMap<String, String>,
}

/// What one walk finds. A walk can take a whole document ([`check`]) or one item at a time
/// (`crate::validate::output`, which never holds the whole document as a value).
pub(crate) struct Walk {
    ids: Ids,
    /// The later definitions of each id or uuid defined more than once, in the order their
    /// second definition was met: one diagnostic each, naming every place.
    repeats: IndexMap<(Key, String), Vec<String>>,
    source: Option<SourceId>,
    /// `(pointer, param id)` of each insert.
    inserts: Vec<(String, String)>,
    /// `(pointer, fragment)` of each checked `#` link.
    fragments: Vec<(String, String)>,
}

/// Collects the ids of a document (for imported catalogs, whose duplicates are not ours to report).
pub fn ids(value: &Value) -> Ids {
    let mut w = Walk::new(None);
    w.value(value, &mut String::new(), None);
    w.ids
}

/// Checks the document itself: unique ids and uuids, inserts and `#` links that resolve.
pub fn check(value: &Value, source: Option<SourceId>, extra: &[&Ids]) -> (Ids, Vec<Diagnostic>) {
    let mut w = Walk::new(source);
    w.value(value, &mut String::new(), None);
    w.finish(extra)
}

fn at(d: Diagnostic, source: Option<SourceId>, pointer: &str) -> Diagnostic {
    match source {
        Some(s) => d.at(Span::pointer(s, pointer)),
        None => d,
    }
}

impl Walk {
    pub(crate) fn new(source: Option<SourceId>) -> Self {
        Walk {
            ids: Ids::default(),
            repeats: IndexMap::new(),
            source,
            inserts: Vec::new(),
            fragments: Vec::new(),
        }
    }

    /// Walks `v` as the document's value at `pointer`, held by the member or array `parent`.
    /// Items must come in document order, so that "first defined" means what it does in a
    /// whole-document walk.
    pub(crate) fn item(&mut self, v: &Value, pointer: &str, parent: &str) {
        self.value(v, &mut pointer.to_owned(), Some(parent));
    }

    /// The ids found and the problems: duplicates in walk order, then dangling inserts, then
    /// dangling links. `extra` holds ids defined elsewhere that references may name.
    pub(crate) fn finish(mut self, extra: &[&Ids]) -> (Ids, Vec<Diagnostic>) {
        let source = self.source;
        let repeats = std::mem::take(&mut self.repeats);
        let mut out: Vec<Diagnostic> = repeats
            .iter()
            .filter_map(|((kind, key), later)| self.duplicate(*kind, key, later))
            .collect();
        let known_param = |id: &str| {
            self.ids.params.contains_key(id) || extra.iter().any(|x| x.params.contains_key(id))
        };
        for (pointer, id) in &self.inserts {
            if !known_param(id) {
                let d = Diagnostic::error(
                    "ref-dangling",
                    format!("insert names parameter `{id}`, which does not exist"),
                );
                out.push(at(d, source, pointer));
            }
        }
        for (pointer, frag) in &self.fragments {
            let known =
                |x: &Ids| x.ids.contains_key(frag.as_str()) || x.uuids.contains_key(frag.as_str());
            if !known(&self.ids) && !extra.iter().any(|x| known(x)) {
                let d = Diagnostic::error(
                    "ref-dangling",
                    format!("link `#{frag}` names no id or uuid in the document"),
                )
                .hint("a `#` link must name a back-matter resource uuid or an id of this document");
                out.push(at(d, source, &format!("{pointer}/href")));
            }
        }
        (self.ids, out)
    }

    /// `parent` is the name of the array or member that holds `v`; `pointer` is `v`'s pointer,
    /// extended and restored around each child (one buffer for the whole walk).
    fn value(&mut self, v: &Value, pointer: &mut String, parent: Option<&str>) {
        match v {
            Value::Object(map) => {
                // Markup in its XML form: the fragment is the text at this place.
                if map.len() == 1
                    && let Some(Value::String(x)) = map.get(XML_MARKUP_KEY)
                {
                    self.text(x, pointer);
                    return;
                }
                self.object(map, pointer, parent);
                for (k, child) in map {
                    let len = pointer.len();
                    pointer.push('/');
                    push_escaped(pointer, k);
                    self.value(child, pointer, Some(k));
                    pointer.truncate(len);
                }
            }
            Value::Array(items) => {
                for (i, child) in items.iter().enumerate() {
                    let len = pointer.len();
                    // Writing to a String cannot fail.
                    let _ = write!(pointer, "/{i}");
                    self.value(child, pointer, parent);
                    pointer.truncate(len);
                }
            }
            Value::String(s) => self.text(s, pointer),
            _ => {}
        }
    }

    fn object(
        &mut self,
        map: &serde_json::Map<String, Value>,
        pointer: &str,
        parent: Option<&str>,
    ) {
        if let Some(kind) = parent.filter(|p| ID_ARRAYS.contains(p))
            && let Some(Value::String(id)) = map.get("id")
        {
            self.define(id, pointer, kind);
        }
        if let Some(Value::String(uuid)) = map.get("uuid") {
            self.define_uuid(uuid, pointer);
        }
        if parent == Some("links")
            && let Some(Value::String(href)) = map.get("href")
            && let Some(frag) = href.strip_prefix('#')
        {
            let rel = map.get("rel").and_then(Value::as_str).unwrap_or("");
            if !OPEN_RELATIONS.contains(&rel) {
                self.fragments.push((pointer.to_owned(), frag.to_owned()));
            }
        }
    }

    fn define(&mut self, id: &str, pointer: &str, kind: &str) {
        if kind == "params" {
            self.ids
                .params
                .entry(id.to_owned())
                .or_insert_with(|| pointer.to_owned());
        }
        if kind == "controls" {
            self.ids
                .controls
                .entry(id.to_owned())
                .or_insert_with(|| pointer.to_owned());
        }
        if !first_definition(&mut self.ids.ids, id, pointer) {
            let later = self.repeats.entry((Key::Id, id.to_owned())).or_default();
            later.push(pointer.to_owned());
        }
    }

    fn define_uuid(&mut self, uuid: &str, pointer: &str) {
        if !first_definition(&mut self.ids.uuids, uuid, pointer) {
            let later = self
                .repeats
                .entry((Key::Uuid, uuid.to_owned()))
                .or_default();
            later.push(pointer.to_owned());
        }
    }

    /// The one diagnostic of a key defined more than once: at its second definition, labelled at
    /// the first and at every later one.
    fn duplicate(&self, kind: Key, key: &str, later: &[String]) -> Option<Diagnostic> {
        let (field, first, code, verb) = match kind {
            Key::Id => ("id", self.ids.ids.get(key)?, "ref-duplicate-id", "defined"),
            Key::Uuid => (
                "uuid",
                self.ids.uuids.get(key)?,
                "ref-duplicate-uuid",
                "used",
            ),
        };
        let times = match later.len() + 1 {
            2 => "twice".to_owned(),
            n => format!("{n} times"),
        };
        let d = Diagnostic::error(code, format!("{field} `{key}` is {verb} {times}"));
        let Some(s) = self.source else {
            return Some(d);
        };
        let span = |p: &str| Span::pointer(s, format!("{p}/{field}"));
        let (second, rest) = later.split_first()?;
        let mut d = d
            .at(span(second))
            .label(span(first), format!("first {verb} here"));
        for p in rest {
            d = d.label(span(p), format!("also {verb} here"));
        }
        Some(d)
    }

    /// Markdown `{{ insert: param, id }}` and XML `<insert type="param" id-ref="id"/>`.
    fn text(&mut self, s: &str, pointer: &str) {
        // Most strings hold neither form (XML prose has `<p>` but often no insert); a search for
        // each form's opening rules them out before the scanner runs.
        if !s.contains("{{") && !s.contains("<insert ") {
            return;
        }
        for (kind, id) in crate::model::markup::inserts(s) {
            if kind == "param" {
                self.inserts.push((pointer.to_owned(), id.to_owned()));
            }
        }
    }
}

/// Appends one reference token, RFC 6901 escaped.
fn push_escaped(pointer: &mut String, token: &str) {
    for c in token.chars() {
        match c {
            '~' => pointer.push_str("~0"),
            '/' => pointer.push_str("~1"),
            c => pointer.push(c),
        }
    }
}

/// A profile's references into its imports: `imported[i]` holds the ids of import `i`'s
/// (resolved) catalog, `None` where it could not be had.
pub fn check_profile(
    profile: &Value,
    source: Option<SourceId>,
    imported: &[Option<Ids>],
) -> Vec<Diagnostic> {
    let mut out = Vec::new();
    let root = profile.get("profile");
    let imports = root
        .and_then(|p| p.get("imports"))
        .and_then(Value::as_array);
    for (i, import) in imports.into_iter().flatten().enumerate() {
        let Some(Some(ids)) = imported.get(i) else {
            continue;
        };
        for (pointer, id) in with_ids(import, &format!("/profile/imports/{i}")) {
            if !ids.controls.contains_key(id) {
                let d = Diagnostic::warning(
                    "select-unknown-id",
                    format!(
                        "with-ids names `{id}`, which is no control of import {}",
                        i + 1
                    ),
                );
                out.push(at(d, source, &pointer));
            }
        }
    }
    if imported.iter().any(Option::is_none) {
        // An import we could not read: nothing below can be judged fairly.
        return out;
    }
    let all: Vec<&Ids> = imported.iter().flatten().collect();
    let has = |f: &dyn Fn(&Ids) -> bool| all.iter().any(|x| f(x));
    let modify = root.and_then(|p| p.get("modify"));
    let list = |key: &str| modify.and_then(|m| m.get(key)).and_then(Value::as_array);
    for (i, sp) in list("set-parameters").into_iter().flatten().enumerate() {
        let Some(id) = sp.get("param-id").and_then(Value::as_str) else {
            continue;
        };
        if !has(&|x| x.params.contains_key(id)) {
            let d = Diagnostic::warning(
                "req-modify-set-param-warning",
                format!("set-parameter names `{id}`, which is no parameter of the imports"),
            );
            out.push(at(
                d,
                source,
                &format!("/profile/modify/set-parameters/{i}/param-id"),
            ));
        }
    }
    for (i, alter) in list("alters").into_iter().flatten().enumerate() {
        let base = format!("/profile/modify/alters/{i}");
        if let Some(id) = alter.get("control-id").and_then(Value::as_str)
            && !has(&|x| x.controls.contains_key(id))
        {
            let d = Diagnostic::warning(
                "modify-alter-unknown-control",
                format!("alter names control `{id}`, which no import holds"),
            );
            out.push(at(d, source, &format!("{base}/control-id")));
        }
        for (pointer, id) in by_ids(alter, &base) {
            if !has(&|x| x.ids.contains_key(id)) {
                let d = Diagnostic::warning(
                    "ref-unknown-by-id",
                    format!("by-id names `{id}`, which is nothing in the imports"),
                );
                out.push(at(d, source, &pointer));
            }
        }
    }
    out
}

fn with_ids<'v>(import: &'v Value, base: &str) -> Vec<(String, &'v str)> {
    let mut out = Vec::new();
    for key in ["include-controls", "exclude-controls"] {
        let sels = import.get(key).and_then(Value::as_array);
        for (j, sel) in sels.into_iter().flatten().enumerate() {
            let ids = sel.get("with-ids").and_then(Value::as_array);
            for (k, id) in ids.into_iter().flatten().enumerate() {
                if let Some(id) = id.as_str() {
                    out.push((format!("{base}/{key}/{j}/with-ids/{k}"), id));
                }
            }
        }
    }
    out
}

fn by_ids<'v>(alter: &'v Value, base: &str) -> Vec<(String, &'v str)> {
    let mut out = Vec::new();
    for key in ["removes", "adds"] {
        let items = alter.get(key).and_then(Value::as_array);
        for (j, item) in items.into_iter().flatten().enumerate() {
            if let Some(id) = item.get("by-id").and_then(Value::as_str) {
                out.push((format!("{base}/{key}/{j}/by-id"), id));
            }
        }
    }
    out
}

/// The two keys that must be unique in a document.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
enum Key {
    Id,
    Uuid,
}

/// Records where `key` is first defined; `false` when it already was.
fn first_definition(seen: &mut IndexMap<String, String>, key: &str, pointer: &str) -> bool {
    match seen.entry(key.to_owned()) {
        indexmap::map::Entry::Occupied(_) => false,
        indexmap::map::Entry::Vacant(slot) => {
            slot.insert(pointer.to_owned());
            true
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn duplicate_control_id_points_at_second_with_label_on_first() {
        let v = json!({"catalog": {"controls": [{"id": "a"}, {"id": "a"}]}});
        let (_, d) = check(&v, Some(SourceId(0)), &[]);
        assert_eq!(d.len(), 1, "{d:?}");
        assert_eq!(d[0].code, "ref-duplicate-id");
        assert_eq!(
            d[0].primary,
            Some(Span::pointer(SourceId(0), "/catalog/controls/1/id"))
        );
        assert_eq!(
            d[0].labels[0].span,
            Span::pointer(SourceId(0), "/catalog/controls/0/id")
        );
    }

    #[test]
    fn id_defined_three_times_is_one_diagnostic_naming_every_place() {
        let v = json!({"catalog": {"controls": [{"id": "a", "uuid": "u"},
            {"id": "a", "parts": [{"id": "a", "uuid": "u"}]}, {"id": "b", "uuid": "u"}]}});
        let (_, d) = check(&v, Some(SourceId(0)), &[]);
        let at = |p: &str| Span::pointer(SourceId(0), p);
        let got: Vec<_> = d
            .iter()
            .map(|d| {
                let labels: Vec<_> = d
                    .labels
                    .iter()
                    .map(|l| (l.span.clone(), l.message.as_str()))
                    .collect();
                (d.message.as_str(), d.primary.clone(), labels)
            })
            .collect();
        assert_eq!(
            got,
            vec![
                (
                    "id `a` is defined 3 times",
                    Some(at("/catalog/controls/1/id")),
                    vec![
                        (at("/catalog/controls/0/id"), "first defined here"),
                        (at("/catalog/controls/1/parts/0/id"), "also defined here"),
                    ]
                ),
                (
                    "uuid `u` is used 3 times",
                    Some(at("/catalog/controls/1/parts/0/uuid")),
                    vec![
                        (at("/catalog/controls/0/uuid"), "first used here"),
                        (at("/catalog/controls/2/uuid"), "also used here"),
                    ]
                ),
            ]
        );
    }

    #[test]
    fn insert_of_unknown_param_is_dangling() {
        let v = json!({"catalog": {"controls": [{"id": "a",
            "params": [{"id": "a_prm_1"}],
            "parts": [{"id": "a_smt", "prose": "x {{ insert: param, a_prm_1 }} {{ insert: param, nope }}"}]}]}});
        let (_, d) = check(&v, Some(SourceId(0)), &[]);
        let got: Vec<_> = d.iter().map(|d| (d.code, d.primary.clone())).collect();
        assert_eq!(
            got,
            vec![(
                "ref-dangling",
                Some(Span::pointer(
                    SourceId(0),
                    "/catalog/controls/0/parts/0/prose"
                ))
            )]
        );
    }

    #[test]
    fn fragment_link_checked_unless_related() {
        let v = json!({"catalog": {"controls": [{"id": "a", "links": [
            {"href": "#zz", "rel": "related"}, {"href": "#missing", "rel": "reference"},
            {"href": "#a"}]}]}});
        let (_, d) = check(&v, None, &[]);
        let msgs: Vec<_> = d.iter().map(|d| d.message.as_str()).collect();
        assert_eq!(
            msgs,
            vec!["link `#missing` names no id or uuid in the document"]
        );
    }

    #[test]
    fn profile_unknown_with_id_and_param_warn() {
        let cat = ids(&json!({"catalog": {"controls": [{"id": "c1", "params": [{"id": "p1"}]}]}}));
        let p = json!({"profile": {
            "imports": [{"href": "c.json", "include-controls": [{"with-ids": ["c1", "c9"]}]}],
            "modify": {"set-parameters": [{"param-id": "p1"}, {"param-id": "p9"}],
                       "alters": [{"control-id": "c1", "adds": [{"by-id": "nope"}]}]}}});
        let d = check_profile(&p, Some(SourceId(1)), &[Some(cat)]);
        let got: Vec<_> = d.iter().map(|d| (d.code, d.primary.clone())).collect();
        let at = |p: &str| Some(Span::pointer(SourceId(1), p));
        assert_eq!(
            got,
            vec![
                (
                    "select-unknown-id",
                    at("/profile/imports/0/include-controls/0/with-ids/1")
                ),
                (
                    "req-modify-set-param-warning",
                    at("/profile/modify/set-parameters/1/param-id")
                ),
                (
                    "ref-unknown-by-id",
                    at("/profile/modify/alters/0/adds/0/by-id")
                ),
            ]
        );
    }
}
