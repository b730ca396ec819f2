//! Stage: finish. In: modified content, the profile, the imported documents' back-matter and
//! versions. Out: the resolved catalog: loose params and resources pruned (req-prune*),
//! back-matter merged (req-backmatter*), metadata per req-meta-*.

use super::Cx;
use super::body::{Body, CNode, GNode};
use super::merge::Merged;
use super::refscan;
use crate::diag::Diagnostic;
use crate::model::{BackMatter, Catalog, Link, Metadata, Parameter, Profile, Property, Resource};
use indexmap::IndexSet;
use serde_json::Value;

/// What finish needs besides the content.
pub struct FinishInput<'a> {
    /// The profile being resolved.
    pub profile: &'a Profile,
    /// Back-matter resources of the imported documents, in import order.
    pub imported_resources: Vec<Resource>,
    /// Metadata of the imported documents, in import order.
    pub imported_metadata: Vec<&'a Metadata>,
    /// The output uuid.
    pub uuid: String,
    /// The output last-modified.
    pub last_modified: String,
    /// The href of the source-profile link.
    pub source_profile: String,
    /// Whether the caller needs the content back (an imported profile, not the root).
    pub keep_body: bool,
}

/// Builds the resolved catalog, and the content with its origins for importers.
pub fn run(modified: Merged, input: FinishInput<'_>, cx: &mut Cx) -> (Catalog, Body) {
    let Merged { mut body, loose } = modified;
    // req-loose-param: catalog-level params and params that lost their control are candidates.
    let mut candidates: Vec<Parameter> = Vec::new();
    let mut ids = IndexSet::new();
    for p in std::mem::take(&mut body.params).into_iter().chain(loose) {
        if ids.insert(p.id.clone()) {
            candidates.push(p);
        }
    }
    // req-loose-param: a param that lost its control in one import but whose control another
    // import kept is no loose param: it is already in the output (else its id appears twice).
    let mut held = IndexSet::new();
    let mut refs_seen = IndexSet::new();
    // req-prune-modify: a param the profile's modify section sets is referenced there; keep it.
    if let Some(modify) = &input.profile.modify {
        refs_seen.extend(modify.set_parameters.iter().map(|sp| sp.param_id.clone()));
    }
    // The nodes are scanned in place (a node's control or group holds no children): the
    // content is not put together, let alone copied, before an importer needs it.
    for c in &body.controls {
        scan_control(c, &mut held, &mut refs_seen);
    }
    for g in &body.groups {
        scan_group(g, &mut held, &mut refs_seen);
    }
    candidates.retain(|p| !held.contains(&p.id));
    body.params = prune_params(candidates, &mut refs_seen, cx.opts.no_prune);
    // Importers read the content with its origins (the body) and only the metadata and
    // back-matter of the catalog: an imported profile's catalog holds no content, so each level of
    // a chain is held once. The root's content moves into its catalog.
    let (params, controls, groups) = if input.keep_body {
        (Vec::new(), Vec::new(), Vec::new())
    } else {
        std::mem::take(&mut body).into_parts()
    };
    let mut catalog = Catalog {
        uuid: input.uuid.clone(),
        metadata: metadata(&input, cx),
        params,
        controls,
        groups,
        back_matter: None,
    };
    refscan::collect(&catalog.metadata, &mut refs_seen);
    catalog.back_matter = back_matter(&input, &refs_seen, cx.opts.no_prune);
    (catalog, body)
}

/// The ids of the params inside a control node and its children (`held`), and the ids they
/// reference (`refs`).
fn scan_control(c: &CNode, held: &mut IndexSet<String>, refs: &mut IndexSet<String>) {
    held.extend(c.control.params.iter().map(|p| p.id.clone()));
    refscan::collect(&c.control, refs);
    c.children.iter().for_each(|k| scan_control(k, held, refs));
}

/// [`scan_control`] for a group node, its sub-groups and their controls.
fn scan_group(g: &GNode, held: &mut IndexSet<String>, refs: &mut IndexSet<String>) {
    held.extend(g.group.params.iter().map(|p| p.id.clone()));
    refscan::collect(&g.group, refs);
    g.controls.iter().for_each(|c| scan_control(c, held, refs));
    g.groups.iter().for_each(|k| scan_group(k, held, refs));
}

/// req-prune-ref: a loose param stays if referenced from kept content, including from another
/// kept loose param; req-prune-keep: keep=always stays.
fn prune_params(
    candidates: Vec<Parameter>,
    refs_seen: &mut IndexSet<String>,
    no_prune: bool,
) -> Vec<Parameter> {
    if no_prune {
        return candidates;
    }
    let mut kept = vec![false; candidates.len()];
    loop {
        let mut changed = false;
        for (i, p) in candidates.iter().enumerate() {
            let keep = refs_seen.contains(&p.id) || p.props.iter().any(Property::is_keep_always);
            if keep && !kept[i] {
                kept[i] = true;
                changed = true;
                refscan::collect(p, refs_seen);
            }
        }
        if !changed {
            break;
        }
    }
    candidates
        .into_iter()
        .zip(kept)
        .filter_map(|(p, k)| k.then_some(p))
        .collect()
}

/// req-backmatter, req-backmatter-dupe, req-backmatter-keep; then pruning of unreferenced
/// resources (req-backmatter-prune, req-prune-keep).
fn back_matter(
    input: &FinishInput<'_>,
    refs_seen: &IndexSet<String>,
    no_prune: bool,
) -> Option<BackMatter> {
    let own = input
        .profile
        .back_matter
        .iter()
        .flat_map(|b| b.resources.iter().cloned());
    let mut out: Vec<Resource> = Vec::new();
    for r in input.imported_resources.iter().cloned().chain(own) {
        if let Some(i) = out.iter().position(|x| x.uuid == r.uuid) {
            if out[i].is_keep_always() && !r.is_keep_always() {
                continue;
            }
            out.remove(i);
        }
        out.push(r);
    }
    let mut seen = refs_seen.clone();
    if !no_prune {
        // Resources may cite each other: follow references from kept resources.
        loop {
            let before = seen.len();
            let mut inner = IndexSet::new();
            for r in out.iter().filter(|r| seen.contains(&r.uuid)) {
                refscan::collect(r, &mut inner);
            }
            seen.extend(inner);
            if seen.len() == before {
                break;
            }
        }
        out.retain(|r| seen.contains(&r.uuid) || r.is_keep_always());
    }
    (!out.is_empty()).then_some(BackMatter { resources: out })
}

/// req-meta-*: the profile's metadata, with a fresh identity, the newest OSCAL version of the
/// inputs, the resolution tool and the source profile.
fn metadata(input: &FinishInput<'_>, cx: &mut Cx) -> Metadata {
    let mut m = input.profile.metadata.clone();
    m.last_modified = input.last_modified.clone();
    m.oscal_version = oscal_version(input, cx);
    // req-meta-resolution-tool.
    m.props.retain(|p| p.name != "resolution-tool");
    m.props.push(Property::new(
        "resolution-tool",
        concat!("oscalc ", env!("CARGO_PKG_VERSION")),
    ));
    // req-meta-source-profile: NIST's outputs carry it as a link.
    m.links
        .retain(|l| l.rel.as_deref() != Some("source-profile"));
    m.links
        .push(Link::new(&input.source_profile, Some("source-profile")));
    // req-meta-keep: roles and parties marked keep=always in the sources come along.
    for src in &input.imported_metadata {
        keep_always(&src.roles, &mut m.roles, "id");
        keep_always(&src.parties, &mut m.parties, "uuid");
    }
    m
}

fn keep_always(from: &[Value], into: &mut Vec<Value>, key: &str) {
    for v in from {
        let keep = v.get("props").and_then(Value::as_array).is_some_and(|ps| {
            ps.iter().any(|p| {
                p.get("name").and_then(Value::as_str) == Some("keep")
                    && p.get("value").and_then(Value::as_str) == Some("always")
            })
        });
        let id = v.get(key);
        if keep && !into.iter().any(|x| x.get(key) == id) {
            into.push(v.clone());
        }
    }
}

/// req-meta-oscal-version: the newest version among the profile and its imports;
/// req-meta-oscalversion-error: a different major version is an error.
fn oscal_version(input: &FinishInput<'_>, cx: &mut Cx) -> String {
    let own = input.profile.metadata.oscal_version.clone();
    let mut best = own.clone();
    for m in &input.imported_metadata {
        let v = &m.oscal_version;
        match (parse_version(v), parse_version(&own)) {
            (Some(a), Some(b)) if a.0 != b.0 => {
                let d = Diagnostic::error(
                    "req-meta-oscalversion-error",
                    format!(
                        "an import has OSCAL version {v}, the profile {own}: major versions differ"
                    ),
                );
                cx.report(d, "/profile/metadata/oscal-version");
            }
            (Some(a), _) if parse_version(&best).is_none_or(|b| a > b) => best = v.clone(),
            _ => {}
        }
    }
    // The output is written and checked against the 1.2.3 schemas: never claim a newer version.
    match parse_version(&best) {
        Some(v) if v > TOOL_OSCAL_VERSION => "1.2.3".to_owned(),
        _ => best,
    }
}

/// The OSCAL version whose schemas oscalc writes and validates against.
const TOOL_OSCAL_VERSION: (u32, u32, u32) = (1, 2, 3);

fn parse_version(v: &str) -> Option<(u32, u32, u32)> {
    let core = v.trim_start_matches('v').split(['-', '+']).next()?;
    let mut it = core.split('.').map(|x| x.parse::<u32>().ok());
    Some((
        it.next()??,
        it.next().flatten().unwrap_or(0),
        it.next().flatten().unwrap_or(0),
    ))
}
