//! Stage: build profiles. In: the technical and non-technical trees, the NISTIR 8259B text and NIST's
//! SP 800-53 rev5 LOW profile. Out: the 8259A, 8259B and federal low-impact profiles as OSCAL JSON
//! `Value`s for one format (`json` or `xml`: the extension of every href), and the shipped copy of
//! the LOW profile with its import pointed at the shipped catalog.

use serde_json::{Value, json};

use crate::catalog::{NONTECHNICAL, TECHNICAL, union};
use crate::document::{self, NS};
use crate::nontechnical::NtCapability;
use crate::technical::{Capability, Mappings};
use crate::text;

/// File stem of the NISTIR 8259A core baseline profile.
pub const IR_8259A: &str = "NIST_IR-8259A_core_baseline_profile";
/// File stem of the NISTIR 8259B non-technical baseline profile.
pub const IR_8259B: &str = "NIST_IR-8259B_non-technical_baseline_profile";
/// File stem of the federal low-impact IoT profile.
pub const FEDERAL: &str = "NIST_IoT_federal_low-impact_profile";
/// File stem of NIST's SP 800-53 rev5 LOW baseline profile.
pub const LOW: &str = "NIST_SP-800-53_rev5_LOW-baseline_profile";
/// File stem of NIST's SP 800-53 rev5 catalog.
pub const SP800_53: &str = "NIST_SP-800-53_rev5_catalog";

/// The controls of the technical catalog that carry the NISTIR 8259A core baseline.
pub const IR_8259A_IDS: [&str; 26] = [
    "di-1", "di-1.1", "di-4", "dc-5", "dc-5.1", "dc-5.2", "dc-5.3", "dp-1", "dp-1.1", "dp-3",
    "dp-3.3", "la-1", "la-1.1", "la-2", "la-2.1", "la-9", "la-9.3", "la-9.4", "la-9.5", "su-2",
    "su-2.1", "su-2.2", "su-2.3", "csa-8", "csa-8.1", "csa-9",
];

/// The topic of the non-technical catalog that NISTIR 8259B does not list (Documentation 1.h).
pub const NOT_IN_8259B: &str = "doc-1.h";

/// Example tailoring of the federal profile: SP 800-53 parameter values.
pub const SET_PARAMETERS: [(&str, &str); 4] = [
    ("ac-7_prm_1", "3"),
    ("ac-7_prm_2", "15 minutes"),
    ("au-11_prm_1", "90 days"),
    ("si-2_prm_1", "30 days"),
];

/// The control whose examples the federal profile removes.
pub const EXAMPLES_REMOVED_FROM: &str = "doc-1.a.1";

fn merge_as_is() -> Value {
    json!({ "as-is": true })
}

/// The NISTIR 8259A core baseline: 26 controls of the technical catalog, as-is.
pub fn ir_8259a(ext: &str) -> Value {
    json!({ "profile": {
        "uuid": document::uuid(&format!("{IR_8259A}.{ext}")),
        "metadata": document::metadata(
            "NISTIR 8259A IoT Device Cybersecurity Capability Core Baseline",
            "draft-2021-11-05",
            "The sub-capabilities and elements of the NIST IoT device cybersecurity capabilities catalog that carry the NISTIR 8259A core baseline, structure kept.",
        ),
        "imports": [{
            "href": format!("../catalogs/{TECHNICAL}.{ext}"),
            "include-controls": [{ "with-ids": IR_8259A_IDS }],
        }],
        "merge": merge_as_is(),
    }})
}

/// The NISTIR 8259B non-technical baseline: the whole non-technical catalog but topic `doc-1.h`,
/// with Information Dissemination action 2 (missing from the catalog) added from Table 1.
pub fn ir_8259b(ext: &str, nistir_8259b: &str) -> Value {
    json!({ "profile": {
        "uuid": document::uuid(&format!("{IR_8259B}.{ext}")),
        "metadata": document::metadata(
            "NISTIR 8259B IoT Non-Technical Supporting Capability Core Baseline",
            "draft-2021-11-05",
            "The NIST IoT non-technical supporting capabilities catalog (manufacturer) as NISTIR 8259B (draft) Table 1 lists it: without Documentation topic 1.h, and with Information Dissemination action 2, which the catalog lacks, added to dis-1 from Table 1.",
        ),
        "imports": [{
            "href": format!("../catalogs/{NONTECHNICAL}.{ext}"),
            "include-all": {},
            "exclude-controls": [{ "with-child-controls": "yes", "with-ids": [NOT_IN_8259B] }],
        }],
        "merge": merge_as_is(),
        "modify": { "alters": [{
            "control-id": "dis-1",
            "adds": [{ "position": "ending", "parts": [dissemination_action_2(nistir_8259b)] }],
        }]},
    }})
}

/// Information Dissemination action 2 of NISTIR 8259B Table 1, as a part with its two items.
pub fn dissemination_action_2(nistir_8259b: &str) -> Value {
    let (lead, items) = table_1_action(
        nistir_8259b,
        "2. The procedures to support informing customers",
    );
    let id = "dis-1_8259b-2";
    let items = items
        .iter()
        .enumerate()
        .map(|(i, t)| {
            // In our namespace like the action: OSCAL's `item` belongs inside a `statement` only,
            // and this action is no statement of `dis-1`.
            json!({ "id": format!("{id}.{}", document::letter(i)), "name": "item", "ns": NS, "prose": t })
        })
        .collect::<Vec<_>>();
    json!({
        "id": id,
        "name": "action",
        "ns": NS,
        "props": [document::prop("source", "NISTIR 8259B draft, Table 1, Information Dissemination, action 2", None)],
        "prose": lead,
        "parts": items,
    })
}

/// One numbered action of a Table 1 cell (`<li>2. … <ol …> <li>a. …</li> … </ol> </li>`): its
/// text and its lettered sub-items, numbering and HTML removed.
fn table_1_action(nistir: &str, starts: &str) -> (String, Vec<String>) {
    let start = nistir
        .find(&format!("<li>{starts}"))
        .unwrap_or_else(|| panic!("8259B: no action {starts}"));
    let rest = &nistir[start + 4..];
    let end = rest
        .find("</ol>")
        .unwrap_or_else(|| panic!("8259B: unterminated action {starts}"));
    let body = &rest[..end];
    let (lead, list) = body.split_once("<ol").unwrap_or((body, ""));
    let strip = |s: &str| {
        let t = text::clean(s);
        t.split_once(". ")
            .map_or(t.clone(), |(_, rest)| rest.to_string())
    };
    let items = list
        .split("<li>")
        .skip(1)
        .map(|li| strip(li.split("</li>").next().unwrap_or(li)))
        .collect();
    (strip(lead), items)
}

/// The SP 800-53 rev5 controls of the LOW profile that the IoT catalogs map to, in LOW order.
pub fn iot_low_ids(
    tech: &[Capability],
    nontech: &[NtCapability],
    low_profile_json: &str,
) -> Vec<String> {
    let mapped = all_mapped_ids(tech, nontech);
    low_ids(low_profile_json)
        .into_iter()
        .filter(|id| mapped.contains(id))
        .collect()
}

/// The ids the LOW profile selects (`include-controls/with-ids`).
pub fn low_ids(low_profile_json: &str) -> Vec<String> {
    let v: Value =
        serde_json::from_str(low_profile_json).unwrap_or_else(|e| panic!("LOW profile: {e}"));
    v["profile"]["imports"]
        .as_array()
        .into_iter()
        .flatten()
        .flat_map(|i| i["include-controls"].as_array().into_iter().flatten())
        .flat_map(|s| s["with-ids"].as_array().into_iter().flatten())
        .filter_map(|id| id.as_str().map(String::from))
        .collect()
}

fn all_mapped_ids(tech: &[Capability], nontech: &[NtCapability]) -> Vec<String> {
    let tech = tech.iter().flat_map(|c| &c.subs).flat_map(|s| {
        s.mappings
            .iter()
            .chain(s.elements.iter().map(|e| &e.mappings))
    });
    let nontech = nontech
        .iter()
        .flat_map(|c| &c.sections)
        .flat_map(|s| &s.topics)
        .flat_map(|t| &t.actions)
        .flat_map(|a| a.subs.iter().map(|s| &s.mappings));
    let mut out: Vec<String> = Vec::new();
    for m in tech.chain(nontech) {
        for s in &m.sp800_53 {
            if !out.contains(&s.id) {
                out.push(s.id.clone());
            }
        }
    }
    out
}

/// The IoT controls of the federal profile's output that carry mappings, with them, catalog order:
/// the 8259A elements and description-only sub-capabilities, then the 8259B actions.
pub fn federal_iot_mappings(
    tech: &[Capability],
    nontech: &[NtCapability],
) -> Vec<(String, Mappings, bool)> {
    let mut out = Vec::new();
    for cap in tech {
        for (i, sub) in cap.subs.iter().enumerate() {
            let id = format!("{}-{}", cap.id, i + 1);
            if let Some(m) = &sub.mappings {
                out.push((id.clone(), m.clone(), true));
            }
            for (j, e) in sub.elements.iter().enumerate() {
                out.push((format!("{id}.{}", j + 1), e.mappings.clone(), true));
            }
        }
    }
    out.retain(|(id, _, _)| IR_8259A_IDS.contains(&id.as_str()));
    for cap in nontech {
        for (i, s) in cap.sections.iter().enumerate() {
            for t in &s.topics {
                let topic = format!("{}-{}.{}", cap.id, i + 1, t.letter);
                if topic == NOT_IN_8259B {
                    continue;
                }
                for (k, a) in t.actions.iter().enumerate() {
                    out.push((
                        format!("{topic}.{}", k + 1),
                        union(a.subs.iter().map(|s| &s.mappings)),
                        false,
                    ));
                }
            }
        }
    }
    out
}

/// The federal low-impact IoT profile: 8259A and 8259B profiles and the IoT-relevant part of the
/// SP 800-53 rev5 LOW profile, merged as-is, with parameter values, guidance and links added.
pub fn federal(
    ext: &str,
    tech: &[Capability],
    nontech: &[NtCapability],
    low_profile_json: &str,
) -> Value {
    let low = iot_low_ids(tech, nontech, low_profile_json);
    let set_parameters: Vec<Value> = SET_PARAMETERS
        .iter()
        .map(|(id, v)| json!({ "param-id": id, "values": [v] }))
        .collect();
    json!({ "profile": {
        "uuid": document::uuid(&format!("{FEDERAL}.{ext}")),
        "metadata": document::metadata(
            "Federal Low-Impact IoT Device Profile (NISTIR 8259D style)",
            "draft-2021-11-05",
            "Builds on the NISTIR 8259A and 8259B baselines and on the SP 800-53 rev5 LOW baseline, as NISTIR 8259D (withdrawn 2021, superseded by SP 800-213A) did: the LOW controls that the IoT catalogs map to, parameter values for IoT devices, and guidance parts and `related` links between each IoT control and the SP 800-53 controls it maps to. The parameter values are an example of organization-defined tailoring, not NIST values.",
        ),
        "imports": [
            { "href": format!("{IR_8259A}.{ext}"), "include-all": {} },
            { "href": format!("{IR_8259B}.{ext}"), "include-all": {} },
            { "href": format!("{LOW}.{ext}"), "include-controls": [{ "with-ids": low }] },
        ],
        "merge": merge_as_is(),
        "modify": {
            "set-parameters": set_parameters,
            "alters": federal_alters(tech, nontech, &low),
        },
    }})
}

fn federal_alters(tech: &[Capability], nontech: &[NtCapability], low: &[String]) -> Vec<Value> {
    let iot = federal_iot_mappings(tech, nontech);
    let related = |ids: &mut dyn Iterator<Item = &String>| -> Vec<Value> {
        ids.map(|id| json!({ "href": format!("#{id}"), "rel": "related" }))
            .collect()
    };
    let mut alters = Vec::new();
    for (id, m, _) in &iot {
        let links = related(&mut m.sp800_53.iter().map(|s| &s.id).filter(|s| low.contains(s)));
        let mut alter = json!({ "control-id": id });
        if id == EXAMPLES_REMOVED_FROM {
            alter["removes"] = json!([{ "by-name": "example", "by-ns": NS }]);
        }
        if !links.is_empty() {
            alter["adds"] = json!([{ "position": "ending", "links": links }]);
        }
        if alter.as_object().is_some_and(|o| o.len() > 1) {
            alters.push(alter);
        }
    }
    for sp in low {
        let a: Vec<&String> = iot
            .iter()
            .filter(|(_, m, t)| *t && maps(m, sp))
            .map(|(id, _, _)| id)
            .collect();
        let b: Vec<&String> = iot
            .iter()
            .filter(|(_, m, t)| !*t && maps(m, sp))
            .map(|(id, _, _)| id)
            .collect();
        if a.is_empty() && b.is_empty() {
            continue;
        }
        let guidance = json!({
            "id": format!("{sp}_iot"),
            "name": "guidance",
            "title": "IoT Device Support",
            "prose": iot_guidance(&a, &b),
        });
        let links = related(&mut a.iter().chain(&b).copied());
        alters.push(json!({
            "control-id": sp,
            "adds": [{ "position": "ending", "links": links, "parts": [guidance] }],
        }));
    }
    alters
}

fn maps(m: &Mappings, sp: &str) -> bool {
    m.sp800_53.iter().any(|s| s.id == sp)
}

fn iot_guidance(a: &[&String], b: &[&String]) -> String {
    let list = |ids: &[&String]| {
        ids.iter()
            .map(|id| format!("[{id}](#{id})"))
            .collect::<Vec<_>>()
            .join(", ")
    };
    let mut paras = Vec::new();
    if !a.is_empty() {
        paras.push(format!(
            "Device cybersecurity capabilities (NISTIR 8259A) that support this control on an IoT device: {}.",
            list(a)
        ));
    }
    if !b.is_empty() {
        paras.push(format!(
            "Non-technical supporting capabilities (NISTIR 8259B) the manufacturer provides for this control: {}.",
            list(b)
        ));
    }
    paras.join("\n\n")
}

/// NIST's LOW profile with its import pointed at the shipped catalog of the same format; nothing
/// else changes (the published JSON names the XML catalog in its own folder, which does not exist).
pub fn low_profile_copy(source: &str, ext: &str) -> String {
    let (from, to) = match ext {
        "json" => (
            format!("\"href\": \"{SP800_53}.xml\""),
            format!("\"href\": \"../catalogs/{SP800_53}.json\""),
        ),
        _ => (
            format!("href=\"{SP800_53}.xml\""),
            format!("href=\"../catalogs/{SP800_53}.xml\""),
        ),
    };
    assert_eq!(
        source.matches(&from).count(),
        1,
        "LOW profile ({ext}): one import href expected"
    );
    source.replace(&from, &to)
}
