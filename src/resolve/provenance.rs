//! Stage: provenance, alongside the others when [`Options::provenance`] asks for it. In: the
//! content each stage builds. Out: props in oscalc's namespace ([`NS`]) on that content, which
//! later stages carry along like any prop: `selected-by` on a control (the import chain from the
//! top profile down to the catalog that holds it, document names joined by ` > `), `set-by` on a
//! parameter whose value a set-parameter set, `added-by` on a part an alter added, one
//! `removed-by` on a control per part an alter removed from it. The places are `FILE:LINE:COL`
//! of the directive, as diagnostics print them.
//!
//! Props make the chain rules fall out of resolution itself: an outer profile's set-parameter
//! replaces the inner one's `set-by` as it replaces the value, and each profile puts its own
//! name in front of the chains of what it selects. [`take`] and [`record`] turn the props of a
//! resolved catalog into a [`Record`], the sidecar's facts (`resolve --provenance-out`).
//!
//! [`Options::provenance`]: crate::Options::provenance

use super::body::Body;
use crate::model::{Add, Catalog, Control, Group, Parameter, Part, Property};
use serde::Serialize;

/// The namespace of oscalc's provenance props.
pub const NS: &str = "https://oscalc.dev/ns/provenance";
/// On a control: the import chain that selected it.
pub const SELECTED_BY: &str = "selected-by";
/// On a parameter: the set-parameter that set its value.
pub const SET_BY: &str = "set-by";
/// On a part: the alter's add that put it there.
pub const ADDED_BY: &str = "added-by";
/// On a control, one per part removed: `PART-ID FILE:LINE:COL`.
pub const REMOVED_BY: &str = "removed-by";

/// Joins the documents of an import chain.
const CHAIN_SEP: &str = " > ";

/// The longest `selected-by` value, in bytes: every control carries one, so a hostile chain of
/// long names (up to the import depth limit) must not multiply the output. Past it, documents
/// from the middle of the chain give way to one `…`.
const CHAIN_MAX: usize = 1024;

/// The longest document name in a value, in bytes: the end of a longer one, after `…`.
const NAME_MAX: usize = 256;

/// A document's name as provenance gives it: at most [`NAME_MAX`] bytes, `>` written `%3E` (as
/// in a URI) so that a name cannot hold the chain's separator.
pub(super) fn name(full: &str) -> String {
    let escaped = full.replace('>', "%3E");
    let full = escaped.as_str();
    if full.len() <= NAME_MAX {
        return full.to_owned();
    }
    let mut cut = full.len() - (NAME_MAX - '…'.len_utf8());
    while !full.is_char_boundary(cut) {
        cut += 1;
    }
    format!("…{}", full.get(cut..).unwrap_or_default())
}

/// `doc` in front of `chain`, within [`CHAIN_MAX`]: the top profile and the documents nearest
/// the catalog stay.
fn prefixed(doc: &str, chain: &str) -> String {
    let joined = format!("{doc}{CHAIN_SEP}{chain}");
    if joined.len() <= CHAIN_MAX {
        return joined;
    }
    let mut kept: Vec<&str> = Vec::new();
    let mut len = doc.len() + 2 * CHAIN_SEP.len() + '…'.len_utf8();
    for d in chain.rsplit(CHAIN_SEP) {
        if d == "…" || len + d.len() + CHAIN_SEP.len() > CHAIN_MAX {
            break;
        }
        len += d.len() + CHAIN_SEP.len();
        kept.push(d);
    }
    kept.push("…");
    kept.push(doc);
    kept.reverse();
    kept.join(CHAIN_SEP)
}

fn prop(name: &str, value: String) -> Property {
    Property {
        ns: Some(NS.to_owned()),
        ..Property::new(name, value)
    }
}

fn is_ours(p: &Property, name: &str) -> bool {
    p.name == name && p.ns.as_deref() == Some(NS)
}

/// Sets the prop `name` of `props` to `value`, replacing the one there: the last directive to
/// act is the one named.
fn set(props: &mut Vec<Property>, name: &str, value: String) {
    match props.iter_mut().find(|p| is_ours(p, name)) {
        Some(p) => p.value = value,
        None => props.push(prop(name, value)),
    }
}

/// A catalog's controls: each chain starts at the catalog `doc` (a chain an earlier resolution
/// left in a resolved catalog ends here too).
pub(super) fn start_chains(body: &mut Body, doc: &str) {
    body.for_each_control_mut(&mut |c| set(&mut c.control.props, SELECTED_BY, doc.to_owned()));
}

/// What profile `doc` selected: `doc` goes in front of each control's chain.
pub(super) fn extend_chains(body: &mut Body, doc: &str) {
    body.for_each_control_mut(&mut |c| {
        let props = &mut c.control.props;
        match props.iter_mut().find(|p| is_ours(p, SELECTED_BY)) {
            Some(p) => p.value = prefixed(doc, &p.value),
            None => props.push(prop(SELECTED_BY, doc.to_owned())),
        }
    });
}

/// A parameter's value was set by the set-parameter at `place`.
pub(super) fn set_by(p: &mut Parameter, place: &str) {
    set(&mut p.props, SET_BY, place.to_owned());
}

/// The add with each of its parts marked as added at `place`.
pub(super) fn added(add: &Add, place: &str) -> Add {
    let mut add = add.clone();
    for part in &mut add.parts {
        set(&mut part.props, ADDED_BY, place.to_owned());
    }
    add
}

/// The prop saying that the part `id` (or named `name`, without an id) was removed at `place`.
pub(super) fn removed_by(id: Option<&str>, name: &str, place: &str) -> Property {
    prop(REMOVED_BY, format!("{} {place}", id.unwrap_or(name)))
}

/// The provenance of a resolved catalog: the sidecar `resolve --provenance-out` writes, as JSON.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Default)]
#[serde(rename_all = "kebab-case")]
pub struct Record {
    /// Always [`NS`]: says what the file is.
    pub namespace: String,
    /// Every control, in document order (a child after its parent).
    pub controls: Vec<ControlRecord>,
    /// Parameters outside controls (catalog or group level) whose value a set-parameter set.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub params: Vec<ParamRecord>,
}

/// One control's provenance.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Default)]
#[serde(rename_all = "kebab-case")]
pub struct ControlRecord {
    /// The control id.
    pub id: String,
    /// The documents from the top profile down to the catalog that holds the control.
    pub selected_by: Vec<String>,
    /// Its parameters whose value a set-parameter set.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub params: Vec<ParamRecord>,
    /// Its parts (at any depth) that an alter added.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub added_parts: Vec<PartRecord>,
    /// The parts an alter removed from it.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub removed_parts: Vec<PartRecord>,
}

/// A parameter and the set-parameter that set its value.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub struct ParamRecord {
    /// The parameter id.
    pub id: String,
    /// The set-parameter.
    pub set_by: Place,
}

/// A part and the alter directive that added or removed it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub struct PartRecord {
    /// The part's id, or its name when it has none.
    pub part: String,
    /// The `add` or `remove`.
    pub by: Place,
}

/// A place in a profile.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Place {
    /// The profile, as diagnostics name it.
    pub file: String,
    /// 1-based line (0: unknown).
    pub line: usize,
    /// 1-based column, in characters (0: unknown).
    pub column: usize,
}

impl Place {
    /// Reads `FILE:LINE:COL` (a file name may hold colons); a value not of that form is all file.
    pub fn parse(s: &str) -> Place {
        let mut it = s.rsplitn(3, ':');
        if let (Some(col), Some(line), Some(file)) = (it.next(), it.next(), it.next())
            && let (Ok(line), Ok(column)) = (line.parse(), col.parse())
        {
            return Place {
                file: file.to_owned(),
                line,
                column,
            };
        }
        Place {
            file: s.to_owned(),
            line: 0,
            column: 0,
        }
    }
}

/// The provenance the props of `catalog` hold (as [`Options::provenance`] wrote them).
///
/// [`Options::provenance`]: crate::Options::provenance
pub fn record(catalog: &Catalog) -> Record {
    let mut rec = Record {
        namespace: NS.to_owned(),
        ..Record::default()
    };
    params(&catalog.params, &mut rec.params);
    catalog.controls.iter().for_each(|c| control(c, &mut rec));
    catalog.groups.iter().for_each(|g| group(g, &mut rec));
    rec
}

/// [`record`], then the provenance props taken out of the catalog: the output as without
/// provenance, the facts for a sidecar.
///
/// ```
/// use oscalc::options::Provenance;
/// use oscalc::resolve::provenance::{self, NS};
/// use oscalc::{MemWorld, Options, resolve};
///
/// let mut world = MemWorld::new();
/// world.add("cat.json", r#"{"catalog": {
///   "uuid": "8bd5f2a4-6a6b-4f7c-9a43-2b4f7cbbd7a4",
///   "metadata": {"title": "Catalog", "last-modified": "2024-01-01T00:00:00Z",
///                "version": "1", "oscal-version": "1.2.3"},
///   "controls": [{"id": "c1", "title": "One", "params": [{"id": "c1_prm_1"}]}]
/// }}"#);
/// let profile = world.add("p.json", r#"{"profile": {
///   "uuid": "1bd5f2a4-6a6b-4f7c-9a43-2b4f7cbbd7a4",
///   "metadata": {"title": "Baseline", "last-modified": "2024-01-01T00:00:00Z",
///                "version": "1", "oscal-version": "1.2.3"},
///   "imports": [{"href": "cat.json", "include-all": {}}],
///   "modify": {"set-parameters": [
///     {"param-id": "c1_prm_1", "values": ["monthly"]}]}
/// }}"#);
/// let opts = Options { provenance: Provenance::Props, ..Options::default() };
/// let mut catalog = resolve(&world, &profile, &opts).output.unwrap().catalog;
/// let chain = &catalog.controls[0].props[0];
/// assert_eq!((chain.name.as_str(), chain.ns.as_deref()), ("selected-by", Some(NS)));
/// assert_eq!(chain.value, "mem:///p.json > mem:///cat.json");
/// // The set-parameter's object starts on line 7, column 5 of p.json.
/// assert_eq!(catalog.controls[0].params[0].props[0].value, "mem:///p.json:7:5");
///
/// let facts = provenance::take(&mut catalog);
/// assert!(catalog.controls[0].props.is_empty());
/// assert!(catalog.controls[0].params[0].props.is_empty());
/// assert_eq!(facts.controls[0].selected_by, ["mem:///p.json", "mem:///cat.json"]);
/// let place = &facts.controls[0].params[0].set_by;
/// assert_eq!((place.file.as_str(), place.line, place.column), ("mem:///p.json", 7, 5));
/// ```
pub fn take(catalog: &mut Catalog) -> Record {
    let rec = record(catalog);
    strip_params(&mut catalog.params);
    catalog.controls.iter_mut().for_each(strip_control);
    catalog.groups.iter_mut().for_each(strip_group);
    rec
}

fn params(ps: &[Parameter], out: &mut Vec<ParamRecord>) {
    for p in ps {
        if let Some(v) = p.props.iter().find(|x| is_ours(x, SET_BY)) {
            out.push(ParamRecord {
                id: p.id.clone(),
                set_by: Place::parse(&v.value),
            });
        }
    }
}

fn group(g: &Group, rec: &mut Record) {
    params(&g.params, &mut rec.params);
    g.controls.iter().for_each(|c| control(c, rec));
    g.groups.iter().for_each(|k| group(k, rec));
}

fn control(c: &Control, rec: &mut Record) {
    let chain = c.props.iter().find(|p| is_ours(p, SELECTED_BY));
    let mut out = ControlRecord {
        id: c.id.clone(),
        selected_by: chain.map_or_else(Vec::new, |p| {
            p.value.split(CHAIN_SEP).map(str::to_owned).collect()
        }),
        ..ControlRecord::default()
    };
    params(&c.params, &mut out.params);
    added_parts(&c.parts, &mut out.added_parts);
    for p in c.props.iter().filter(|p| is_ours(p, REMOVED_BY)) {
        let (part, place) = p.value.split_once(' ').unwrap_or((&p.value, ""));
        out.removed_parts.push(PartRecord {
            part: part.to_owned(),
            by: Place::parse(place),
        });
    }
    rec.controls.push(out);
    c.controls.iter().for_each(|k| control(k, rec));
}

fn added_parts(parts: &[Part], out: &mut Vec<PartRecord>) {
    for p in parts {
        if let Some(v) = p.props.iter().find(|x| is_ours(x, ADDED_BY)) {
            out.push(PartRecord {
                part: p.id.clone().unwrap_or_else(|| p.name.clone()),
                by: Place::parse(&v.value),
            });
        }
        added_parts(&p.parts, out);
    }
}

fn strip(props: &mut Vec<Property>) {
    props.retain(|p| p.ns.as_deref() != Some(NS));
}

fn strip_params(ps: &mut [Parameter]) {
    ps.iter_mut().for_each(|p| strip(&mut p.props));
}

fn strip_parts(parts: &mut [Part]) {
    for p in parts {
        strip(&mut p.props);
        strip_parts(&mut p.parts);
    }
}

fn strip_control(c: &mut Control) {
    strip(&mut c.props);
    strip_params(&mut c.params);
    strip_parts(&mut c.parts);
    c.controls.iter_mut().for_each(strip_control);
}

fn strip_group(g: &mut Group) {
    strip_params(&mut g.params);
    g.controls.iter_mut().for_each(strip_control);
    g.groups.iter_mut().for_each(strip_group);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn chain_past_its_limit_keeps_the_top_and_the_catalog_end() {
        let long = "d".repeat(200);
        let mut chain = "cat.json".to_owned();
        for i in 0..64 {
            chain = prefixed(&format!("{i}-{long}"), &chain);
            assert!(chain.len() <= CHAIN_MAX, "{}", chain.len());
        }
        let docs: Vec<&str> = chain.split(CHAIN_SEP).collect();
        assert_eq!(docs[0], format!("63-{long}"));
        assert_eq!(docs[1], "…");
        assert_eq!(docs.last(), Some(&"cat.json"));
        assert_eq!(prefixed("p.json", "cat.json"), "p.json > cat.json");
    }

    #[test]
    fn name_past_its_limit_keeps_its_end() {
        let n = name(&format!("{}é/p.json", "x".repeat(400)));
        assert!(n.len() <= NAME_MAX && n.starts_with('…') && n.ends_with("é/p.json"));
        assert_eq!(name("p.json"), "p.json");
    }

    #[test]
    fn a_name_cannot_hold_the_chain_separator() {
        let chain = prefixed(&name("a > b.json"), &name("cat.json"));
        assert_eq!(chain, "a %3E b.json > cat.json");
        assert_eq!(chain.split(CHAIN_SEP).count(), 2);
    }
}
