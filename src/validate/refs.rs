//! Stage: validate (references). In: a typed document (or, for a document that failed typed
//! load, its untyped JSON form) and, for a profile, the ids of each import's catalog. Out:
//! diagnostics for what the schema cannot say.
//!
//! - every `id` of a control, parameter, part or group, and every `uuid`, is unique;
//! - every parameter `insert` and every `#fragment` link names something in the document;
//! - a profile's `with-ids`, alter `control-id`, `by-id` and set-parameter `param-id` name
//!   something in the imported catalogs (warnings: resolution goes on without them).
//!
//! The document is walked by [`crate::model::visit`], which gives each finding its JSON pointer;
//! the source map turns it into a position in JSON and XML text alike.

use crate::diag::{Diagnostic, SourceId, Span};
use crate::model::Profile;
use crate::model::visit::{self, IdKind, Node, Walk};
use indexmap::IndexMap;

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

/// What one walk finds.
struct Findings {
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
pub fn ids<T: Walk + ?Sized>(doc: &T) -> Ids {
    Findings::of(doc, None).ids
}

/// Checks the document itself: unique ids and uuids, inserts and `#` links that resolve. `doc`
/// is the whole document under its root key (a `Document`, `visit::Under("catalog", …)`, or an
/// untyped JSON form), so pointers are the document's.
pub fn check<T: Walk + ?Sized>(
    doc: &T,
    source: Option<SourceId>,
    extra: &[&Ids],
) -> (Ids, Vec<Diagnostic>) {
    Findings::of(doc, source).finish(extra)
}

fn at(d: Diagnostic, source: Option<SourceId>, pointer: &str) -> Diagnostic {
    match source {
        Some(s) => d.at(Span::pointer(s, pointer)),
        None => d,
    }
}

impl Findings {
    fn of<T: Walk + ?Sized>(doc: &T, source: Option<SourceId>) -> Self {
        let mut f = Findings {
            ids: Ids::default(),
            repeats: IndexMap::new(),
            source,
            inserts: Vec::new(),
            fragments: Vec::new(),
        };
        visit::walk(doc, &mut |path, node| match node {
            Node::Id(kind, id) => f.define(id, path.pointer(), kind),
            Node::Uuid(uuid) => f.define_uuid(uuid, path.pointer()),
            Node::Link(href, rel) => {
                if let Some(frag) = href.strip_prefix('#')
                    && !OPEN_RELATIONS.contains(&rel.unwrap_or(""))
                {
                    f.fragments.push((path.pointer(), frag.to_owned()));
                }
            }
            Node::Text(s) | Node::DependsOn(s) => f.text(s, || path.pointer()),
            Node::Markup(m) => f.text(m.raw(), || path.pointer()),
        });
        f
    }

    /// The ids found and the problems: duplicates in walk order, then dangling inserts, then
    /// dangling links. `extra` holds ids defined elsewhere that references may name.
    fn finish(mut self, extra: &[&Ids]) -> (Ids, Vec<Diagnostic>) {
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

    fn define(&mut self, id: &str, pointer: String, kind: IdKind) {
        let first = |map: &mut IndexMap<String, String>| {
            map.entry(id.to_owned()).or_insert_with(|| pointer.clone());
        };
        match kind {
            IdKind::Param => first(&mut self.ids.params),
            IdKind::Control => first(&mut self.ids.controls),
            IdKind::Part | IdKind::Group => {}
        }
        if !first_definition(&mut self.ids.ids, id, &pointer) {
            let later = self.repeats.entry((Key::Id, id.to_owned())).or_default();
            later.push(pointer);
        }
    }

    fn define_uuid(&mut self, uuid: &str, pointer: String) {
        if !first_definition(&mut self.ids.uuids, uuid, &pointer) {
            let later = self
                .repeats
                .entry((Key::Uuid, uuid.to_owned()))
                .or_default();
            later.push(pointer);
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
    fn text(&mut self, s: &str, pointer: impl Fn() -> String) {
        // Most strings hold neither form (XML prose has `<p>` but often no insert); a search for
        // each form's opening rules them out before the scanner runs.
        if !s.contains("{{") && !s.contains("<insert ") {
            return;
        }
        for (kind, id) in crate::model::markup::inserts(s) {
            if kind == "param" {
                self.inserts.push((pointer(), id.to_owned()));
            }
        }
    }
}

/// A profile's references into its imports: `imported[i]` holds the ids of import `i`'s
/// (resolved) catalog, `None` where it could not be had.
pub fn check_profile(
    profile: &Profile,
    source: Option<SourceId>,
    imported: &[Option<Ids>],
) -> Vec<Diagnostic> {
    let mut out = Vec::new();
    for (i, import) in profile.imports.iter().enumerate() {
        let Some(Some(ids)) = imported.get(i) else {
            continue;
        };
        let lists = [
            ("include-controls", &import.include_controls),
            ("exclude-controls", &import.exclude_controls),
        ];
        for (key, sels) in lists {
            for (j, sel) in sels.iter().enumerate() {
                for (k, id) in sel.with_ids.iter().enumerate() {
                    if !ids.controls.contains_key(id) {
                        let d = Diagnostic::warning(
                            "select-unknown-id",
                            format!(
                                "with-ids names `{id}`, which is no control of import {}",
                                i + 1
                            ),
                        );
                        let pointer = format!("/profile/imports/{i}/{key}/{j}/with-ids/{k}");
                        out.push(at(d, source, &pointer));
                    }
                }
            }
        }
    }
    if imported.iter().any(Option::is_none) {
        // An import we could not read: nothing below can be judged fairly.
        return out;
    }
    let Some(modify) = &profile.modify else {
        return out;
    };
    let all: Vec<&Ids> = imported.iter().flatten().collect();
    let has = |f: &dyn Fn(&Ids) -> bool| all.iter().any(|x| f(x));
    for (i, sp) in modify.set_parameters.iter().enumerate() {
        let id = &sp.param_id;
        if !has(&|x| x.params.contains_key(id)) {
            let d = Diagnostic::warning(
                "req-modify-set-param-warning",
                format!("set-parameter names `{id}`, which is no parameter of the imports"),
            );
            let pointer = format!("/profile/modify/set-parameters/{i}/param-id");
            out.push(at(d, source, &pointer));
        }
    }
    for (i, alter) in modify.alters.iter().enumerate() {
        let base = format!("/profile/modify/alters/{i}");
        let id = &alter.control_id;
        if !has(&|x| x.controls.contains_key(id)) {
            let d = Diagnostic::warning(
                "modify-alter-unknown-control",
                format!("alter names control `{id}`, which no import holds"),
            );
            out.push(at(d, source, &format!("{base}/control-id")));
        }
        let removes = alter.removes.iter().map(|r| ("removes", &r.by_id));
        let adds = alter.adds.iter().map(|a| ("adds", &a.by_id));
        for (key, j, by_id) in removes
            .enumerate()
            .map(|(j, (k, b))| (k, j, b))
            .chain(adds.enumerate().map(|(j, (k, b))| (k, j, b)))
        {
            let Some(id) = by_id else { continue };
            if !has(&|x| x.ids.contains_key(id)) {
                let d = Diagnostic::warning(
                    "ref-unknown-by-id",
                    format!("by-id names `{id}`, which is nothing in the imports"),
                );
                out.push(at(d, source, &format!("{base}/{key}/{j}/by-id")));
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
        let p: crate::model::ProfileRoot = serde_json::from_value(json!({"profile": {
            "uuid": "u", "metadata": {"title": "t", "last-modified": "x", "version": "1",
                                      "oscal-version": "1.2.3"},
            "imports": [{"href": "c.json", "include-controls": [{"with-ids": ["c1", "c9"]}]}],
            "modify": {"set-parameters": [{"param-id": "p1"}, {"param-id": "p9"}],
                       "alters": [{"control-id": "c1", "removes": [{"by-id": "c1"}],
                                   "adds": [{"by-id": "c1"}, {"by-id": "nope"}]}]}}}))
        .expect("a profile");
        let p = p.profile;
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
                    at("/profile/modify/alters/0/adds/1/by-id")
                ),
            ]
        );
    }
}
