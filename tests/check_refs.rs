//! The reference checks (`validate::refs`) through the public API: duplicate ids and uuids named
//! at every place, dangling inserts and `#` links, and a profile's ids unknown to its imports.

use oscalc::diag::{SourceId, Span};
use oscalc::validate::refs::{check, check_profile, ids};
use serde_json::json;

#[test]
fn duplicate_control_id_points_at_second_with_label_on_first() {
    let v = json!({"catalog": {"controls": [{"id": "a"}, {"id": "a"}]}});
    let d = check(&v, Some(SourceId(0)), &[]);
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
    let d = check(&v, Some(SourceId(0)), &[]);
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
    let d = check(&v, Some(SourceId(0)), &[]);
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
    let d = check(&v, None, &[]);
    let msgs: Vec<_> = d.iter().map(|d| d.message.as_str()).collect();
    assert_eq!(
        msgs,
        vec!["link `#missing` names no id or uuid in the document"]
    );
}

#[test]
fn profile_unknown_with_id_and_param_warn() {
    let cat = ids(&json!({"catalog": {"controls": [{"id": "c1", "params": [{"id": "p1"}]}]}}));
    let p: oscalc::model::Profile = serde_json::from_value(json!({
        "uuid": "u", "metadata": {"title": "t", "last-modified": "x", "version": "1",
                                  "oscal-version": "1.2.3"},
        "imports": [{"href": "c.json", "include-controls": [{"with-ids": ["c1", "c9"]}]}],
        "modify": {"set-parameters": [{"param-id": "p1"}, {"param-id": "p9"}],
                   "alters": [{"control-id": "c1", "removes": [{"by-id": "c1"}],
                               "adds": [{"by-id": "c1"}, {"by-id": "nope"}]}]}}))
    .expect("a profile");
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
