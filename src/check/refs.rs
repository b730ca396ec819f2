//! Stage: check (references). In: a typed document (or, for a document that failed typed
//! load, its untyped JSON form) and, for a profile, the ids of each import's catalog. Out:
//! diagnostics for what the schema cannot say.
//!
//! - every `id` of a control, parameter, part or group, and every `uuid`, is unique;
//! - every parameter `insert` and every `#fragment` link names something in the document;
//! - a profile's `with-ids`, alter `control-id`, `by-id` and set-parameter `param-id` name
//!   something in the imported catalogs (warnings: resolution goes on without them).
//!
//! The document is walked by [`crate::model::visit`]; a finding's JSON pointer is built by a
//! second walk only when there are findings to locate (a valid document builds none), and the
//! source map turns it into a position in JSON and XML text alike.

use crate::diag::{Diagnostic, SourceId, Span};
use crate::model::Profile;
use crate::model::visit::{self, IdKind, Node, Walk};
use indexmap::IndexMap;
use std::collections::{BTreeMap, HashMap, HashSet};

/// Link relations that may name a control the document does not hold (a baseline keeps
/// `related` links to controls it did not select), so their fragments are not checked.
const OPEN_RELATIONS: [&str; 4] = ["related", "required", "incorporated-into", "moved-to"];

/// The ids and uuids of one document.
#[derive(Debug, Default, Clone)]
pub struct Ids {
    /// Control, parameter, part and group ids.
    pub ids: HashSet<String>,
    /// Parameter ids only.
    pub params: HashSet<String>,
    /// Control ids only.
    pub controls: HashSet<String>,
    /// Every `uuid`.
    pub uuids: HashSet<String>,
}

/// What one walk finds. Places are kept as the ordinal of the node in the walk (its count of
/// calls before it), so no pointer is built unless a finding needs one: [`Findings::pointers`]
/// walks again for those.
#[derive(Default)]
struct Findings<'a> {
    /// Each id and uuid, with the place of its first definition.
    ids: HashMap<&'a str, usize>,
    uuids: HashMap<&'a str, usize>,
    params: HashSet<&'a str>,
    controls: HashSet<&'a str>,
    /// The later definitions of each id or uuid defined more than once, in the order their
    /// second definition was met: one diagnostic each, naming every place.
    repeats: IndexMap<(Key, &'a str), Vec<usize>>,
    /// `(place, param id)` of each insert.
    inserts: Vec<(usize, &'a str)>,
    /// `(place of the link, fragment)` of each checked `#` link.
    fragments: Vec<(usize, &'a str)>,
}

/// Collects the ids of a document (for imported catalogs, whose duplicates are not ours to report).
pub fn ids<T: Walk + ?Sized>(doc: &T) -> Ids {
    let f = Findings::of(doc);
    let owned = |set: &mut dyn Iterator<Item = &&str>| set.map(|s| (*s).to_owned()).collect();
    Ids {
        ids: owned(&mut f.ids.keys()),
        params: owned(&mut f.params.iter()),
        controls: owned(&mut f.controls.iter()),
        uuids: owned(&mut f.uuids.keys()),
    }
}

/// Checks the document itself: unique ids and uuids, inserts and `#` links that resolve. `doc`
/// is the whole document under its root key (a `Document`, `visit::Under("catalog", …)`, or an
/// untyped JSON form), so pointers are the document's.
pub fn check<T: Walk + ?Sized>(
    doc: &T,
    source: Option<SourceId>,
    extra: &[&Ids],
) -> Vec<Diagnostic> {
    Findings::of(doc).finish(doc, source, extra)
}

fn at(d: Diagnostic, source: Option<SourceId>, pointer: &str) -> Diagnostic {
    match source {
        Some(s) => d.at(Span::pointer(s, pointer)),
        None => d,
    }
}

impl<'a> Findings<'a> {
    fn of<T: Walk + ?Sized>(doc: &'a T) -> Self {
        let mut f = Findings::default();
        let mut n = 0;
        visit::walk(doc, &mut |_, node| {
            match node {
                Node::Id(kind, id) => f.define(id, n, kind),
                Node::Uuid(uuid) => f.define_uuid(uuid, n),
                Node::Link(href, rel) => {
                    if let Some(frag) = href.strip_prefix('#')
                        && !OPEN_RELATIONS.contains(&rel.unwrap_or(""))
                    {
                        f.fragments.push((n, frag));
                    }
                }
                Node::Text(s) | Node::DependsOn(s) => f.text(s, n),
                Node::Markup(m) => f.text(m.raw(), n),
            }
            n += 1;
        });
        f
    }

    /// The problems: duplicates in walk order, then dangling inserts, then dangling links.
    /// `extra` holds ids defined elsewhere that references may name.
    fn finish<T: Walk + ?Sized>(
        self,
        doc: &'a T,
        source: Option<SourceId>,
        extra: &[&Ids],
    ) -> Vec<Diagnostic> {
        let known_param =
            |id: &str| self.params.contains(id) || extra.iter().any(|x| x.params.contains(id));
        let known = |frag: &str| {
            self.ids.contains_key(frag)
                || self.uuids.contains_key(frag)
                || extra
                    .iter()
                    .any(|x| x.ids.contains(frag) || x.uuids.contains(frag))
        };
        let inserts: Vec<_> = self
            .inserts
            .iter()
            .filter(|(_, id)| !known_param(id))
            .collect();
        let fragments: Vec<_> = self
            .fragments
            .iter()
            .filter(|(_, frag)| !known(frag))
            .collect();
        if self.repeats.is_empty() && inserts.is_empty() && fragments.is_empty() {
            return Vec::new();
        }
        // The places findings name, as pointers (only with a source to locate them in).
        let mut wanted = BTreeMap::new();
        if source.is_some() {
            let firsts = self.repeats.keys().filter_map(|(kind, key)| match kind {
                Key::Id => self.ids.get(key),
                Key::Uuid => self.uuids.get(key),
            });
            let laters = self.repeats.values().flatten();
            let places = inserts.iter().chain(&fragments).map(|(n, _)| n);
            for n in firsts.chain(laters).chain(places) {
                wanted.insert(*n, String::new());
            }
            pointers(doc, &mut wanted);
        }
        let place = |n: &usize| place(&wanted, *n);
        let mut out: Vec<Diagnostic> = self
            .repeats
            .iter()
            .filter_map(|((kind, key), later)| self.duplicate(*kind, key, later, source, &wanted))
            .collect();
        for (n, id) in inserts {
            let d = Diagnostic::error(
                "ref-dangling",
                format!("insert names parameter `{id}`, which does not exist"),
            );
            out.push(at(d, source, place(n)));
        }
        for (n, frag) in fragments {
            let d = Diagnostic::error(
                "ref-dangling",
                format!("link `#{frag}` names no id or uuid in the document"),
            )
            .hint("a `#` link must name a back-matter resource uuid or an id of this document");
            out.push(at(d, source, &format!("{}/href", place(n))));
        }
        out
    }

    fn define(&mut self, id: &'a str, n: usize, kind: IdKind) {
        match kind {
            IdKind::Param => {
                self.params.insert(id);
            }
            IdKind::Control => {
                self.controls.insert(id);
            }
            IdKind::Part | IdKind::Group => {}
        }
        // Ordinals are unique: a first definition elsewhere is a repeat.
        if *self.ids.entry(id).or_insert(n) != n {
            self.repeats.entry((Key::Id, id)).or_default().push(n);
        }
    }

    fn define_uuid(&mut self, uuid: &'a str, n: usize) {
        if *self.uuids.entry(uuid).or_insert(n) != n {
            self.repeats.entry((Key::Uuid, uuid)).or_default().push(n);
        }
    }

    /// The one diagnostic of a key defined more than once: at its second definition, labelled at
    /// the first and at every later one.
    fn duplicate(
        &self,
        kind: Key,
        key: &str,
        later: &[usize],
        source: Option<SourceId>,
        wanted: &BTreeMap<usize, String>,
    ) -> Option<Diagnostic> {
        let (field, first, code, verb) = match kind {
            Key::Id => ("id", self.ids.get(key)?, "ref-duplicate-id", "defined"),
            Key::Uuid => ("uuid", self.uuids.get(key)?, "ref-duplicate-uuid", "used"),
        };
        let times = match later.len() + 1 {
            2 => "twice".to_owned(),
            n => format!("{n} times"),
        };
        let d = Diagnostic::error(code, format!("{field} `{key}` is {verb} {times}"));
        let Some(s) = source else {
            return Some(d);
        };
        let span = |n: &usize| Span::pointer(s, format!("{}/{field}", place(wanted, *n)));
        let (second, rest) = later.split_first()?;
        let mut d = d
            .at(span(second))
            .label(span(first), format!("first {verb} here"));
        for n in rest {
            d = d.label(span(n), format!("also {verb} here"));
        }
        Some(d)
    }

    /// Markdown `{{ insert: param, id }}` and XML `<insert type="param" id-ref="id"/>`.
    fn text(&mut self, s: &'a str, n: usize) {
        // Most strings hold neither form (XML prose has `<p>` but often no insert); a search for
        // each form's opening rules them out before the scanner runs.
        if !crate::model::markup::may_insert(s) {
            return;
        }
        for (kind, id) in crate::model::markup::inserts(s) {
            if kind == "param" {
                self.inserts.push((n, id));
            }
        }
    }
}

/// The pointer [`pointers`] found for node `n`.
fn place(wanted: &BTreeMap<usize, String>, n: usize) -> &str {
    wanted.get(&n).map_or("", String::as_str)
}

/// Fills `wanted` (keyed by a node's ordinal in the walk of `doc`) with each node's pointer.
fn pointers<T: Walk + ?Sized>(doc: &T, wanted: &mut BTreeMap<usize, String>) {
    let mut n = 0;
    visit::walk(doc, &mut |path, _| {
        if let Some(slot) = wanted.get_mut(&n) {
            *slot = path.pointer();
        }
        n += 1;
    });
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
                    if !ids.controls.contains(id) {
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
        if !has(&|x| x.params.contains(id)) {
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
        if !has(&|x| x.controls.contains(id)) {
            let d = Diagnostic::warning(
                "modify-alter-unknown-control",
                format!("alter names control `{id}`, which no import holds"),
            );
            out.push(at(d, source, &format!("{base}/control-id")));
        }
        let removes = alter.removes.iter().map(|r| ("removes", &r.by_id));
        let adds = alter.adds.iter().map(|a| ("adds", &a.by_id));
        for (j, (key, by_id)) in removes.enumerate().chain(adds.enumerate()) {
            let Some(id) = by_id else { continue };
            if !has(&|x| x.ids.contains(id)) {
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
