//! Stage: check OSCAL's constraint layer by hand. In: a catalog or profile in oscalc's typed model.
//! Out: findings, one string per violation, each naming the constraint id of the OSCAL 1.2.2
//! Metaschema modules (`shared/oscal/metaschema/`) that it breaks.
//!
//! A stand-in until oscalc evaluates the modules' constraints itself: it hand-codes the subset that
//! the shipped content can break (statements of controls, part and prop names in the OSCAL
//! namespace with the allowed-values lists pooled per node as metaschema-java pools them, unique
//! ids, cross-references by `#id` and `#uuid`, the deprecated `depends-on`, profile merge and
//! set-parameter rules). When the engine exists, these tests should run it instead.

use std::collections::HashSet;

use oscalc::model::{Catalog, Control, Group, Link, Metadata, Parameter, Part, Profile, Property};

const OSCAL_NS: &str = "http://csrc.nist.gov/ns/oscal";

/// `label`, `sort-id`, `alt-identifier`: the shared entity
/// `allowed-values-control-group-property-name.ent`.
const CONTROL_GROUP_PROP_NAMES: [&str; 3] = ["label", "sort-id", "alt-identifier"];

/// `has-oscal-namespace('http://csrc.nist.gov/ns/oscal')`: no `ns`, or that one.
fn in_oscal_ns(ns: Option<&str>) -> bool {
    ns.is_none_or(|ns| ns == OSCAL_NS)
}

/// One violation: the constraint id, where (a control, part, param id, or `metadata`), what.
pub struct Finding {
    pub id: &'static str,
    pub at: String,
    pub what: String,
}

impl std::fmt::Display for Finding {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} at {}: {}", self.id, self.at, self.what)
    }
}

/// Findings of one document, in document order (cross-references last).
#[derive(Default)]
pub struct Findings(pub Vec<Finding>);

impl Findings {
    fn push(&mut self, id: &'static str, at: &str, what: String) {
        self.0.push(Finding {
            id,
            at: at.to_string(),
            what,
        });
    }

    /// Each finding as one line.
    pub fn lines(&self) -> Vec<String> {
        self.0.iter().map(ToString::to_string).collect()
    }

    /// Every prop in the OSCAL namespace has a name of `names`, the pooled lists of its place,
    /// or `marking` (`oscal-metadata-prop-name-values`, on every prop).
    fn props(&mut self, id: &'static str, at: &str, props: &[Property], names: &[&str]) {
        for p in props.iter().filter(|p| in_oscal_ns(p.ns.as_deref())) {
            if p.name != "marking" && !names.contains(&p.name.as_str()) {
                self.push(id, at, format!("prop name `{}`", p.name));
            }
        }
    }
}

/// The constraints of the catalog, control-common and metadata modules that a catalog can break.
pub fn catalog(cat: &Catalog) -> Findings {
    let mut f = Findings::default();
    metadata(
        &mut f,
        &cat.metadata,
        &["resolution-tool", "source-profile-uuid"],
    );
    let mut ids = Ids::default();
    for g in &cat.groups {
        group(&mut f, &mut ids, g);
    }
    for c in &cat.controls {
        control(&mut f, &mut ids, c);
    }
    for p in &cat.params {
        param(&mut f, &mut ids, p);
    }
    // `oscal-catalog-groups-controls-parts` (index-has-key, WARNING): a control's `#id` link
    // names a control, group or part of the catalog.
    for (at, href) in &ids.control_links {
        if !ids.groups_controls_parts.contains(href.as_str()) {
            f.push(
                "oscal-catalog-groups-controls-parts",
                at,
                format!("link to `#{href}`, no such id"),
            );
        }
    }
    references(&mut f, &ids.references, resources(cat.back_matter.as_ref()));
    f
}

/// The constraints of the profile, control-common and metadata modules that a profile can break.
pub fn profile(prof: &Profile) -> Findings {
    let mut f = Findings::default();
    // The profile module adds no names to a profile's metadata props.
    metadata(&mut f, &prof.metadata, &[]);
    let combine = prof.merge.as_ref().and_then(|m| m.combine.as_ref());
    let method = combine.and_then(|c| c.method.as_ref());
    if method.is_some_and(|m| serde_json::to_value(m).is_ok_and(|v| v == "merge")) {
        f.push(
            "oscal-profile-req-merge-combine",
            "merge",
            "combine method `merge`".into(),
        );
    }
    let mut refs = Vec::new();
    links_of(&mut refs, "metadata", &prof.metadata.links);
    if let Some(modify) = &prof.modify {
        let mut seen = HashSet::new();
        for s in &modify.set_parameters {
            if !seen.insert(s.param_id.as_str()) {
                f.push(
                    "oscal-unique-profile-modify-set-parameter",
                    &s.param_id,
                    "second set-parameter".into(),
                );
            }
            f.props(
                "oscal-metadata-prop-name-values",
                &s.param_id,
                &s.props,
                &[],
            );
        }
        for alter in &modify.alters {
            for add in &alter.adds {
                f.props(
                    "oscal-profile-modify-alter-prop-name-values",
                    &alter.control_id,
                    &add.props,
                    &CONTROL_GROUP_PROP_NAMES,
                );
                links_of(&mut refs, &alter.control_id, &add.links);
                for p in &add.parts {
                    part_links(&mut refs, p);
                }
            }
        }
    }
    references(&mut f, &refs, resources(prof.back_matter.as_ref()));
    f
}

/// Ids and references gathered in one walk.
#[derive(Default)]
struct Ids {
    /// `oscal-catalog-groups-controls-parts` (index): the ids of controls, groups and parts.
    groups_controls_parts: HashSet<String>,
    /// `oscal-catalog-params` (index).
    params: HashSet<String>,
    /// (control id, target id) of each `#id` link with rel related/required/incorporated-into/
    /// moved-to.
    control_links: Vec<(String, String)>,
    /// (where, uuid) of each `#uuid` link with rel `reference`.
    references: Vec<(String, String)>,
}

impl Ids {
    fn id(&mut self, f: &mut Findings, id: &str) {
        if !self.groups_controls_parts.insert(id.to_string()) {
            f.push(
                "oscal-catalog-groups-controls-parts",
                id,
                "id used twice".into(),
            );
        }
    }
}

fn metadata(f: &mut Findings, m: &Metadata, model_names: &[&str]) {
    let mut names = vec!["keywords"];
    names.extend_from_slice(model_names);
    f.props(
        "oscal-metadata-prop-name-values",
        "metadata",
        &m.props,
        &names,
    );
}

fn group(f: &mut Findings, ids: &mut Ids, g: &Group) {
    let at = g.id.as_deref().unwrap_or("group");
    if let Some(id) = &g.id {
        ids.id(f, id);
    }
    f.props(
        "oscal-group-prop-name",
        at,
        &g.props,
        &CONTROL_GROUP_PROP_NAMES,
    );
    for p in &g.parts {
        // `oscal-group-part-name`: a group's own parts; nothing names their sub-parts.
        if in_oscal_ns(p.ns.as_deref()) && !["overview", "instruction"].contains(&p.name.as_str()) {
            f.push("oscal-group-part-name", at, format!("part `{}`", p.name));
        }
        part_ids(f, ids, p);
        part_props(f, at, p);
        part_links(&mut ids.references, p);
    }
    links_of(&mut ids.references, at, &g.links);
    for p in &g.params {
        param(f, ids, p);
    }
    for sub in &g.groups {
        group(f, ids, sub);
    }
    for c in &g.controls {
        control(f, ids, c);
    }
}

/// Part names a control's direct part may have (`oscal-control-part-name`, pooled with
/// `oscal-control-statement-part-name`, whose `.//part` also reaches them).
const CONTROL_PART_NAMES: [&str; 8] = [
    "overview",
    "statement",
    "guidance",
    "example",
    "assessment",
    "assessment-method",
    "objective",
    "assessment-objective",
];

/// `oscal-control-statement-part-name`: any part below a control.
const DESCENDANT_PART_NAMES: [&str; 2] = ["objective", "assessment-objective"];

fn control(f: &mut Findings, ids: &mut Ids, c: &Control) {
    let at = c.id.as_str();
    ids.id(f, at);
    let withdrawn = c
        .props
        .iter()
        .any(|p| p.name == "status" && ["withdrawn", "Withdrawn"].contains(&p.value.as_str()));
    if !withdrawn && !c.parts.iter().any(|p| p.name == "statement") {
        f.push(
            "oscal-catalog-control-require-statement-when-not-withdrawn",
            at,
            "no statement part".into(),
        );
    }
    let mut names = CONTROL_GROUP_PROP_NAMES.to_vec();
    names.push("status");
    f.props("oscal-control-prop-name", at, &c.props, &names);
    for p in c
        .props
        .iter()
        .filter(|p| in_oscal_ns(p.ns.as_deref()) && p.name == "status")
    {
        if !["withdrawn", "Withdrawn"].contains(&p.value.as_str()) {
            f.push(
                "oscal-control-prop-status-value",
                at,
                format!("status `{}`", p.value),
            );
        }
    }
    for p in &c.parts {
        let oscal = in_oscal_ns(p.ns.as_deref());
        if oscal && !CONTROL_PART_NAMES.contains(&p.name.as_str()) {
            f.push("oscal-control-part-name", at, format!("part `{}`", p.name));
        }
        let below = match (oscal, p.name.as_str()) {
            // `oscal-control-statement-part-subpart-name`: any OSCAL part inside a statement.
            (true, "statement") => Below::Statement,
            // `oscal-control-objective-part-subpart-name`: the direct sub-parts of an assessment.
            (true, "assessment" | "assessment-method") => Below::Assessment,
            _ => Below::Other,
        };
        for sub in &p.parts {
            sub_part(f, at, sub, below);
        }
        part_ids(f, ids, p);
        part_props(f, at, p);
        part_links(&mut ids.references, p);
    }
    for l in &c.links {
        let to_control = l
            .rel
            .as_deref()
            .is_some_and(|r| ["related", "required", "incorporated-into", "moved-to"].contains(&r));
        match l.href.strip_prefix('#') {
            Some(target) if to_control => {
                ids.control_links.push((at.to_string(), target.to_string()))
            }
            _ => {}
        }
    }
    links_of(&mut ids.references, at, &c.links);
    for p in &c.params {
        param(f, ids, p);
    }
    for sub in &c.controls {
        control(f, ids, sub);
    }
}

/// What a part below a control's direct part stands in.
#[derive(Clone, Copy)]
enum Below {
    Statement,
    Assessment,
    Other,
}

fn sub_part(f: &mut Findings, control: &str, p: &Part, below: Below) {
    let allowed: &[&str] = match below {
        Below::Statement => &["item", "objective", "assessment-objective"],
        Below::Assessment => &[
            "objects",
            "assessment-objects",
            "objective",
            "assessment-objective",
        ],
        Below::Other => &DESCENDANT_PART_NAMES,
    };
    if in_oscal_ns(p.ns.as_deref()) && !allowed.contains(&p.name.as_str()) {
        let id = match below {
            Below::Statement => "oscal-control-statement-part-subpart-name",
            _ => "oscal-control-statement-part-name",
        };
        let name = p.id.as_deref().unwrap_or(control);
        f.push(id, name, format!("part `{}` in control {control}", p.name));
    }
    // The assessment list reaches direct sub-parts only; a statement's reaches every descendant.
    let deeper = match below {
        Below::Statement => Below::Statement,
        _ => Below::Other,
    };
    for sub in &p.parts {
        sub_part(f, control, sub, deeper);
    }
}

/// Ids of a part and its sub-parts into the groups-controls-parts index.
fn part_ids(f: &mut Findings, ids: &mut Ids, p: &Part) {
    if let Some(id) = &p.id {
        ids.id(f, id);
    }
    for sub in &p.parts {
        part_ids(f, ids, sub);
    }
}

/// `oscal-part-prop-name` on a part and its sub-parts.
fn part_props(f: &mut Findings, at: &str, p: &Part) {
    let at = p.id.as_deref().unwrap_or(at);
    f.props(
        "oscal-part-prop-name",
        at,
        &p.props,
        &CONTROL_GROUP_PROP_NAMES,
    );
    for sub in &p.parts {
        part_props(f, at, sub);
    }
}

fn part_links(out: &mut Vec<(String, String)>, p: &Part) {
    links_of(out, p.id.as_deref().unwrap_or("part"), &p.links);
    for sub in &p.parts {
        part_links(out, sub);
    }
}

fn param(f: &mut Findings, ids: &mut Ids, p: &Parameter) {
    if !ids.params.insert(p.id.clone()) {
        f.push("oscal-catalog-params", &p.id, "id used twice".into());
    }
    if p.depends_on.is_some() {
        f.push(
            "oscal-parameter-depends-on-deprecated",
            &p.id,
            "depends-on".into(),
        );
    }
    let mut names = CONTROL_GROUP_PROP_NAMES.to_vec();
    names.push("alt-label");
    f.props("oscal-parameter-prop-name", &p.id, &p.props, &names);
}

/// (where, uuid) of each `#uuid` link with rel `reference`.
fn links_of(out: &mut Vec<(String, String)>, at: &str, links: &[Link]) {
    for l in links {
        let uuid = l.href.strip_prefix('#');
        if let (Some("reference"), Some(uuid)) = (l.rel.as_deref(), uuid) {
            out.push((at.to_string(), uuid.to_string()));
        }
    }
}

fn resources(bm: Option<&oscalc::model::BackMatter>) -> HashSet<&str> {
    bm.into_iter()
        .flat_map(|b| &b.resources)
        .map(|r| r.uuid.as_str())
        .collect()
}

/// `oscal-metadata-link-reference-index-back-matter-resource`: a `#uuid` reference names a
/// back-matter resource.
fn references(f: &mut Findings, refs: &[(String, String)], resources: HashSet<&str>) {
    for (at, uuid) in refs {
        if !resources.contains(uuid.as_str()) {
            f.push(
                "oscal-metadata-link-reference-index-back-matter-resource",
                at,
                format!("reference to `#{uuid}`, no such resource"),
            );
        }
    }
}

// ---- tests ---------------------------------------------------------------------------------------

use serde_json::{Value, json};

use crate::catalog::{NONTECHNICAL, TECHNICAL};
use crate::profiles::{FEDERAL, IR_8259A, IR_8259B, LOW, SP800_53};
use crate::sources::root;

fn read_json(path: &str) -> Value {
    let p = root().join(path);
    let text = std::fs::read_to_string(&p).unwrap_or_else(|e| panic!("{}: {e}", p.display()));
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("{path}: {e}"))
}

fn typed_catalog(mut doc: Value) -> Catalog {
    serde_json::from_value(doc["catalog"].take()).unwrap_or_else(|e| panic!("catalog: {e}"))
}

fn typed_profile(mut doc: Value) -> Profile {
    serde_json::from_value(doc["profile"].take()).unwrap_or_else(|e| panic!("profile: {e}"))
}

/// The ids of every control of `cat`.
fn control_ids(cat: &Catalog) -> HashSet<String> {
    fn walk(c: &Control, out: &mut HashSet<String>) {
        out.insert(c.id.clone());
        c.controls.iter().for_each(|sub| walk(sub, out));
    }
    fn group(g: &Group, out: &mut HashSet<String>) {
        g.groups.iter().for_each(|sub| group(sub, out));
        g.controls.iter().for_each(|c| walk(c, out));
    }
    let mut out = HashSet::new();
    cat.groups.iter().for_each(|g| group(g, &mut out));
    cat.controls.iter().for_each(|c| walk(c, &mut out));
    out
}

/// The ids of the params of `cat` that carry the deprecated `depends-on`.
fn depends_on_params(cat: &Catalog) -> HashSet<String> {
    catalog(cat)
        .0
        .into_iter()
        .filter(|f| f.id == "oscal-parameter-depends-on-deprecated")
        .map(|f| f.at)
        .collect()
}

/// The IoT catalogs have no finding; NIST's SP 800-53 rev5 catalog (shipped byte for byte) has
/// exactly its 62 deprecated `depends-on` params, which `catalogs/README.md` lists as justified.
#[test]
fn shipped_catalogs_meet_the_oscal_constraints_stand_in() {
    for stem in [TECHNICAL, NONTECHNICAL] {
        let cat = typed_catalog(read_json(&format!("catalogs/{stem}.json")));
        let found = catalog(&cat).lines();
        assert!(found.is_empty(), "{stem}: {found:#?}");
    }
    let rev5 = typed_catalog(read_json(&format!("catalogs/{SP800_53}.json")));
    let found = catalog(&rev5);
    let other: Vec<String> = found
        .0
        .iter()
        .filter(|f| f.id != "oscal-parameter-depends-on-deprecated")
        .map(ToString::to_string)
        .collect();
    assert!(other.is_empty(), "{SP800_53}: {other:#?}");
    assert_eq!(found.0.len(), 62, "{SP800_53}: depends-on params");
}

#[test]
fn shipped_profiles_meet_the_oscal_constraints_stand_in() {
    for stem in [IR_8259A, IR_8259B, FEDERAL, LOW] {
        let prof = typed_profile(read_json(&format!("profiles/{stem}.json")));
        let found = profile(&prof).lines();
        assert!(found.is_empty(), "{stem}: {found:#?}");
    }
}

/// The 8259A and 8259B outputs have no finding. The federal output has only what it takes over
/// from NIST's SP 800-53 content, as `catalogs/README.md` says: the 15 `depends-on` params of its
/// SP 800-53 controls, and 556 `related` links (a WARNING) from SP 800-53 controls to SP 800-53
/// controls that the LOW baseline does not select (NIST's own resolved LOW catalog has them too).
#[test]
fn resolved_profiles_meet_the_oscal_constraints_stand_in() {
    let rev5 = typed_catalog(read_json(&format!("catalogs/{SP800_53}.json")));
    let rev5_controls = control_ids(&rev5);
    let rev5_depends_on = depends_on_params(&rev5);
    for stem in [IR_8259A, IR_8259B, FEDERAL] {
        for ext in ["json", "xml"] {
            let path = root().join(format!("profiles/{stem}.{ext}"));
            let url =
                url::Url::from_file_path(&path).unwrap_or_else(|()| panic!("{}", path.display()));
            let run = oscalc::resolve(&oscalc::FsWorld::new(), &url, &oscalc::Options::default());
            let resolved = run
                .output
                .unwrap_or_else(|e| panic!("{stem}.{ext}: {} errors", e.len()));
            let found = catalog(&resolved.catalog);
            if stem != FEDERAL {
                let lines = found.lines();
                assert!(lines.is_empty(), "{stem}.{ext} resolved: {lines:#?}");
                continue;
            }
            let (mut depends_on, mut links) = (0, 0);
            for f in &found.0 {
                match f.id {
                    "oscal-parameter-depends-on-deprecated" if rev5_depends_on.contains(&f.at) => {
                        depends_on += 1;
                    }
                    "oscal-catalog-groups-controls-parts"
                        if rev5_controls.contains(&f.at) && f.what.starts_with("link to `#") =>
                    {
                        let target = f.what["link to `#".len()..]
                            .split('`')
                            .next()
                            .unwrap_or_default();
                        assert!(rev5_controls.contains(target), "{f}");
                        links += 1;
                    }
                    _ => panic!("{stem}.{ext} resolved: {f}"),
                }
            }
            assert_eq!((depends_on, links), (15, 556), "{stem}.{ext} resolved");
        }
    }
}

/// The stand-in is no empty check: each rule it holds finds its violation in a small catalog
/// (the two faults this content once had among them) and a small profile.
#[test]
fn the_constraints_stand_in_reports_each_violation_it_checks() {
    let meta = json!({ "title": "t", "last-modified": "2024-01-01T00:00:00Z", "version": "1",
        "oscal-version": "1.2.3", "props": [{ "name": "source", "value": "x" }] });
    let cat = typed_catalog(json!({ "catalog": {
        "uuid": "00000000-0000-4000-8000-000000000000",
        "metadata": meta,
        "groups": [{ "id": "g", "title": "G", "parts": [{ "id": "g_x", "name": "statement" }],
            "controls": [
                { "id": "c-1", "title": "no statement", "props": [{ "name": "anchor", "value": "a" }],
                  "links": [{ "href": "#nowhere", "rel": "related" }, { "href": "#r", "rel": "reference" }],
                  "params": [{ "id": "p", "depends-on": "q" }, { "id": "p" }] },
                { "id": "c-2", "title": "action outside the statement",
                  "parts": [
                    { "id": "c-2_smt", "name": "statement", "parts": [{ "id": "c-2_smt.a", "name": "guidance" }] },
                    { "id": "c-2_act", "name": "action", "ns": "https://oscalc.dev/ns/iot",
                      "parts": [{ "id": "c-2_act.a", "name": "item" },
                                { "id": "c-2_act.b", "name": "item", "ns": "https://oscalc.dev/ns/iot" }] },
                    { "id": "c-2_smt", "name": "remarks", "props": [{ "name": "status", "value": "x" }] }] },
                { "id": "c-3", "title": "withdrawn", "props": [{ "name": "status", "value": "gone" }] },
                { "id": "c-4", "title": "withdrawn, fine", "props": [{ "name": "status", "value": "withdrawn" }] }
            ] }]
    } }));
    assert_eq!(
        catalog(&cat).lines(),
        [
            "oscal-metadata-prop-name-values at metadata: prop name `source`",
            "oscal-group-part-name at g: part `statement`",
            "oscal-catalog-control-require-statement-when-not-withdrawn at c-1: no statement part",
            "oscal-control-prop-name at c-1: prop name `anchor`",
            "oscal-parameter-depends-on-deprecated at p: depends-on",
            "oscal-catalog-params at p: id used twice",
            "oscal-control-statement-part-subpart-name at c-2_smt.a: part `guidance` in control c-2",
            "oscal-control-statement-part-name at c-2_act.a: part `item` in control c-2",
            "oscal-control-part-name at c-2: part `remarks`",
            "oscal-catalog-groups-controls-parts at c-2_smt: id used twice",
            "oscal-part-prop-name at c-2_smt: prop name `status`",
            "oscal-catalog-control-require-statement-when-not-withdrawn at c-3: no statement part",
            "oscal-control-prop-status-value at c-3: status `gone`",
            "oscal-catalog-groups-controls-parts at c-1: link to `#nowhere`, no such id",
            "oscal-metadata-link-reference-index-back-matter-resource at c-1: reference to `#r`, no such resource",
        ]
    );
    let prof = typed_profile(json!({ "profile": {
        "uuid": "00000000-0000-4000-8000-000000000000",
        "metadata": { "title": "t", "last-modified": "2024-01-01T00:00:00Z", "version": "1",
            "oscal-version": "1.2.3" },
        "imports": [{ "href": "c.json", "include-all": {} }],
        "merge": { "combine": { "method": "merge" } },
        "modify": {
            "set-parameters": [{ "param-id": "p", "values": ["1"] }, { "param-id": "p", "values": ["2"] }],
            "alters": [{ "control-id": "c-1", "adds": [{ "position": "ending",
                "props": [{ "name": "status", "value": "withdrawn" }],
                "links": [{ "href": "#r", "rel": "reference" }] }] }]
        }
    } }));
    assert_eq!(
        profile(&prof).lines(),
        [
            "oscal-profile-req-merge-combine at merge: combine method `merge`",
            "oscal-unique-profile-modify-set-parameter at p: second set-parameter",
            "oscal-profile-modify-alter-prop-name-values at c-1: prop name `status`",
            "oscal-metadata-link-reference-index-back-matter-resource at c-1: reference to `#r`, no such resource",
        ]
    );
}
