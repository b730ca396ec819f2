//! Unit tests of `src/resolve/linked.rs` (a child module of it, through `#[path]`): random
//! controls and alters against the one-by-one oracle (`one_by_one.rs`), and many adds at one
//! anchor.

#[path = "lcg.rs"]
pub(in crate::resolve) mod lcg;
#[path = "one_by_one.rs"]
mod one_by_one;

use super::*;
use crate::diag::Sink;
use crate::options::{ByIdSelf, Options};
use crate::resolve::body::{Mark, Origin};
use lcg::Lcg;
use serde_json::{Value, json};

/// Ids drawn from a small pool, so anchors repeat, collide and name added objects.
const IDS: &[&str] = &[
    "c", "k0", "k1", "p0", "p1", "p2", "q0", "q1", "q2", "q3", "zz",
];

fn part(r: &mut Lcg, serial: &mut u32, depth: u32) -> Value {
    *serial += 1;
    let mut p = json!({"name": r.pick(&["item", "guidance"]), "prose": format!("s{serial}")});
    if r.below(4) != 0 {
        p["id"] = json!(r.pick(&IDS[5..]));
    }
    if r.below(3) == 0 {
        p["props"] = json!([{"name": r.pick(&["a", "b"]), "value": format!("v{serial}")}]);
    }
    if depth < 2 && r.below(2) == 0 {
        let n = r.below(3);
        p["parts"] = (0..n).map(|_| part(r, serial, depth + 1)).collect();
    }
    p
}

fn param(r: &mut Lcg, serial: &mut u32) -> Value {
    *serial += 1;
    json!({"id": r.pick(&IDS[3..6]), "label": format!("l{serial}")})
}

fn content(r: &mut Lcg, serial: &mut u32) -> Value {
    json!({
        "params": (0..r.below(3)).map(|_| param(r, serial)).collect::<Value>(),
        "props": (0..r.below(3)).map(|i| json!({"name": format!("n{i}"), "value": "v"})).collect::<Value>(),
        "links": (0..r.below(2)).map(|i| json!({"href": format!("#l{i}")})).collect::<Value>(),
        "parts": (0..r.below(4)).map(|_| part(r, serial, 0)).collect::<Value>(),
    })
}

fn node(r: &mut Lcg, serial: &mut u32, id: &str, depth: u32) -> CNode {
    let mut v = content(r, serial);
    v["id"] = json!(id);
    v["title"] = json!(format!("t{id}"));
    let kids = if depth < 2 { r.below(3) } else { 0 };
    CNode {
        origin: Origin { doc: 0, index: 0 },
        control: serde_json::from_value(v).unwrap(),
        children: (0..kids)
            .map(|i| node(r, serial, ["k0", "k1", "k2"][i as usize], depth + 1))
            .collect(),
        mark: Mark::Included,
    }
}

fn alter(r: &mut Lcg, serial: &mut u32) -> Alter {
    let removes: Vec<Value> = (0..r.below(3).saturating_sub(1))
        .map(|_| match r.below(4) {
            0 => json!({"by-id": r.pick(IDS)}),
            1 => json!({"by-name": r.pick(&["a", "n0", "item"])}),
            2 => json!({"by-item-name": r.pick(&["param", "prop", "link", "part"])}),
            _ => json!({"by-name": "guidance", "by-item-name": "part"}),
        })
        .collect();
    let adds: Vec<Value> = (0..r.below(5))
        .map(|_| {
            let mut a = content(r, serial);
            let pos = r.pick(&["", "before", "after", "starting", "ending"]);
            if !pos.is_empty() {
                a["position"] = json!(pos);
            }
            if r.below(5) != 0 {
                a["by-id"] = json!(r.pick(IDS));
            }
            if r.below(4) == 0 {
                a["title"] = json!(format!("new{serial}"));
            }
            a
        })
        .collect();
    serde_json::from_value(json!({"control-id": "c", "removes": removes, "adds": adds})).unwrap()
}

#[test]
fn linked_alters_agree_with_one_by_one() {
    for seed in 0..3_000 {
        // Both treatments of an add by-id naming the altered control itself (D3).
        let opts = Options {
            by_id_self: if seed % 4 == 3 {
                ByIdSelf::Ignore
            } else {
                ByIdSelf::Implicit
            },
            ..Options::default()
        };
        let mut r = Lcg(seed);
        let mut serial = 0;
        let control = node(&mut r, &mut serial, "c", 0);
        let alters: Vec<Alter> = (0..1 + r.below(6))
            .map(|_| alter(&mut r, &mut serial))
            .collect();
        let list: Vec<(usize, &Alter)> = alters.iter().enumerate().collect();
        let (mut one, mut linked) = (control.clone(), control);
        let mut expected = Vec::new();
        for (_, al) in &list {
            expected.extend(one_by_one::alter(&mut one, al, opts.by_id_self));
        }
        one_by_one::untag(&mut one);
        let mut sink = Sink::new();
        apply(&mut linked, &list, &mut Cx::alone(&opts, &mut sink));
        assert_eq!(one, linked, "seed {seed}");
        let codes: Vec<&str> = sink.diagnostics().iter().map(|d| d.code).collect();
        assert_eq!(codes, expected, "seed {seed}");
    }
}

#[test]
fn linked_twenty_thousand_adds_after_one_part_keep_order() {
    let opts = Options::default();
    let control: crate::model::Control = serde_json::from_value(json!({
        "id": "c", "title": "t",
        "parts": [{"id": "s", "name": "statement"}, {"id": "g", "name": "guidance"}],
    }))
    .unwrap();
    let mut c = CNode {
        origin: Origin { doc: 0, index: 0 },
        control,
        children: Vec::new(),
        mark: Mark::Included,
    };
    let alters: Vec<Alter> = (0..20_000)
        .map(|i| {
            serde_json::from_value(json!({"control-id": "c", "adds": [{
                "position": if i % 2 == 0 { "after" } else { "before" },
                "by-id": "s",
                "parts": [{"id": format!("a{i}"), "name": "item"}],
            }]}))
            .unwrap()
        })
        .collect();
    let list: Vec<(usize, &Alter)> = alters.iter().enumerate().collect();
    let mut sink = Sink::new();
    apply(&mut c, &list, &mut Cx::alone(&opts, &mut sink));
    assert!(sink.diagnostics().is_empty());
    let ids: Vec<&str> = c
        .control
        .parts
        .iter()
        .map(|p| p.id.as_deref().unwrap_or(""))
        .collect();
    assert_eq!(ids.len(), 20_002);
    // D7: both keep document order. `before s` lands right before s, after the earlier ones:
    // a1 a3 … a19999 s; `after s` lands after what earlier `after s` adds put: s a0 a2 … a19998.
    assert_eq!(ids[..2], ["a1", "a3"]);
    assert_eq!(ids[9_999..10_002], ["a19999", "s", "a0"]);
    assert_eq!(ids[20_000..], ["a19998", "g"]);
}
