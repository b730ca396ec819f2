//! Unit tests of `src/resolve/as_is.rs` (a child module of it, through `#[path]`): the indexed
//! as-is merge against the former one with a linear search per node, which stays here as the
//! oracle, over random bodies.

use super::*;
use crate::model::{Control, Group};
use crate::resolve::linked::tests::lcg::Lcg;

/// The former as-is merge, one linear search per node: the oracle for the indexed lists.
fn oracle(bodies: Vec<Body>) -> Body {
    fn merge_control(list: &mut Vec<CNode>, c: CNode) {
        let both = |x: &CNode| x.mark == Mark::Included && c.mark == Mark::Included;
        if let Some(existing) = list.iter_mut().find(|x| x.origin == c.origin && !both(x)) {
            for k in c.children {
                merge_control(&mut existing.children, k);
            }
            if c.mark == Mark::Included {
                existing.mark = Mark::Included;
            }
        } else {
            list.push(c);
        }
    }
    fn merge_group(list: &mut Vec<GNode>, g: GNode) {
        if let Some(existing) = list.iter_mut().find(|x| x.origin == g.origin) {
            for c in g.controls {
                merge_control(&mut existing.controls, c);
            }
            for k in g.groups {
                merge_group(&mut existing.groups, k);
            }
        } else {
            list.push(g);
        }
    }
    let mut doc_rank: IndexSet<u32> = IndexSet::new();
    let mut out = Body::default();
    for b in bodies {
        out.params.extend(b.params);
        for c in b.controls {
            doc_rank.insert(c.origin.doc);
            merge_control(&mut out.controls, c);
        }
        for g in b.groups {
            doc_rank.insert(g.origin.doc);
            merge_group(&mut out.groups, g);
        }
    }
    sort_body(&mut out, &doc_rank);
    out
}

fn origin(r: &mut Lcg) -> Origin {
    Origin {
        doc: r.below(2) as u32,
        index: r.below(4) as u32,
    }
}

/// A control whose id is a serial number, so every input node stays recognisable.
fn control(r: &mut Lcg, serial: &mut u32, depth: u32) -> CNode {
    *serial += 1;
    let model: Control =
        serde_json::from_value(serde_json::json!({"id": format!("c{serial}"), "title": "t"}))
            .unwrap();
    let kids = if depth < 3 { r.below(3) } else { 0 };
    CNode {
        origin: origin(r),
        control: model,
        children: (0..kids).map(|_| control(r, serial, depth + 1)).collect(),
        mark: if r.below(2) == 0 {
            Mark::Included
        } else {
            Mark::Ancestor
        },
    }
}

fn group(r: &mut Lcg, serial: &mut u32, depth: u32) -> GNode {
    *serial += 1;
    let model: Group =
        serde_json::from_value(serde_json::json!({"id": format!("g{serial}"), "title": "t"}))
            .unwrap();
    let subs = if depth < 2 { r.below(3) } else { 0 };
    GNode {
        origin: origin(r),
        group: model,
        groups: (0..subs).map(|_| group(r, serial, depth + 1)).collect(),
        controls: (0..r.below(3)).map(|_| control(r, serial, 1)).collect(),
    }
}

fn bodies(r: &mut Lcg) -> Vec<Body> {
    let mut serial = 0;
    (0..1 + r.below(4))
        .map(|_| Body {
            params: Vec::new(),
            controls: (0..r.below(4))
                .map(|_| control(r, &mut serial, 0))
                .collect(),
            groups: (0..r.below(3)).map(|_| group(r, &mut serial, 0)).collect(),
        })
        .collect()
}

#[test]
fn as_is_indexed_lists_agree_with_linear_search() {
    for seed in 0..2_000 {
        let mut r = Lcg(seed);
        let input = bodies(&mut r);
        assert_eq!(run(input.clone()), oracle(input), "seed {seed}");
    }
}

#[test]
fn as_is_many_keep_copies_unify_ancestors_only() {
    // 20,000 copies of one included control under one ancestor parent, as `combine keep`
    // leaves them: one parent, every copy kept.
    let origin = |index| Origin { doc: 0, index };
    let node = |id: &str, index, mark, children| CNode {
        origin: origin(index),
        control: serde_json::from_value(serde_json::json!({"id": id, "title": "t"})).unwrap(),
        children,
        mark,
    };
    let bodies: Vec<Body> = (0..20_000)
        .map(|i| Body {
            controls: vec![node(
                "p",
                0,
                Mark::Ancestor,
                vec![node(&format!("k{i}"), 1, Mark::Included, Vec::new())],
            )],
            ..Body::default()
        })
        .collect();
    let out = run(bodies);
    assert_eq!(out.controls.len(), 1);
    let kids = &out.controls[0].children;
    assert_eq!(kids.len(), 20_000);
    assert_eq!(kids[0].control.id, "k0");
    assert_eq!(kids[19_999].control.id, "k19999");
}
