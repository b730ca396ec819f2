//! The controls of one catalog by id, each with its place, and the order the difference lists
//! them in (NEW's document order, removed controls after their predecessor in OLD).

use super::Place;
use crate::model::{Catalog, Control, Group};
use indexmap::IndexMap;

/// One control of a catalog and where it sits.
pub(super) struct Held<'a> {
    pub(super) control: &'a Control,
    pub(super) place: Place,
}

/// A catalog's controls by id, in document order (depth first); the first of a duplicate id.
pub(super) type Index<'a> = IndexMap<&'a str, Held<'a>>;

/// One step of the listing.
pub(super) enum Entry<'i, 'a> {
    /// In both catalogs: OLD's, NEW's.
    Both(&'i Held<'a>, &'i Held<'a>),
    /// Only in NEW.
    Added(&'i Held<'a>),
    /// Only in OLD.
    Removed(&'i Held<'a>),
}

/// Every control of `catalog`, with its place. An explicit stack, not recursion: the depth of
/// a loaded document is bounded by the loader, but this walk need not rely on it.
pub(super) fn index(catalog: &Catalog) -> Index<'_> {
    let mut out = Index::new();
    let mut stack: Vec<Item> = Vec::new();
    push_level(&mut stack, &catalog.groups, &catalog.controls, &[]);
    while let Some(item) = stack.pop() {
        match item {
            Item::Group(g, groups) => {
                let mut inner = groups;
                inner.push(g.id.clone().unwrap_or_else(|| g.title.0.to_markdown()));
                push_level(&mut stack, &g.groups, &g.controls, &inner);
            }
            Item::Control(c, place) => {
                let children = Place {
                    groups: place.groups.clone(),
                    parent: Some(c.id.clone()),
                };
                for child in c.controls.iter().rev() {
                    stack.push(Item::Control(child, children.clone()));
                }
                out.entry(c.id.as_str())
                    .or_insert(Held { control: c, place });
            }
        }
    }
    out
}

/// A member of the walk's stack: a group with the groups above it, or a control and its place.
enum Item<'a> {
    Group(&'a Group, Vec<String>),
    Control(&'a Control, Place),
}

/// Pushes one level's members so that they pop in document order: controls before groups,
/// as the model writes them.
fn push_level<'a>(
    stack: &mut Vec<Item<'a>>,
    groups: &'a [Group],
    controls: &'a [Control],
    inner: &[String],
) {
    for g in groups.iter().rev() {
        stack.push(Item::Group(g, inner.to_vec()));
    }
    let place = Place {
        groups: inner.to_vec(),
        parent: None,
    };
    for c in controls.iter().rev() {
        stack.push(Item::Control(c, place.clone()));
    }
}

/// The listing: NEW's controls in order, each removed control of OLD right after the last
/// control before it in OLD that NEW also holds (first when there is none).
pub(super) fn order<'i, 'a>(old: &'i Index<'a>, new: &'i Index<'a>) -> Vec<Entry<'i, 'a>> {
    // The removed controls, by the id of the NEW control they follow (`None`: the start).
    let mut after: IndexMap<Option<&str>, Vec<&Held>> = IndexMap::new();
    let mut anchor: Option<&str> = None;
    for (id, held) in old {
        if new.contains_key(id) {
            anchor = Some(id);
        } else {
            after.entry(anchor).or_default().push(held);
        }
    }
    let removed = |at: Option<&str>| {
        after
            .get(&at)
            .into_iter()
            .flatten()
            .map(|h| Entry::Removed(h))
            .collect::<Vec<_>>()
    };
    let mut out = removed(None);
    for (id, held) in new {
        out.push(match old.get(id) {
            Some(o) => Entry::Both(o, held),
            None => Entry::Added(held),
        });
        if old.contains_key(id) {
            out.extend(removed(Some(id)));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn catalog(json: &str) -> Catalog {
        serde_json::from_str(json).expect("catalog")
    }

    fn listing(old: &Catalog, new: &Catalog) -> Vec<String> {
        let (o, n) = (index(old), index(new));
        order(&o, &n)
            .iter()
            .map(|e| match e {
                Entry::Both(_, h) => format!("={}", h.control.id),
                Entry::Added(h) => format!("+{}", h.control.id),
                Entry::Removed(h) => format!("-{}", h.control.id),
            })
            .collect()
    }

    const META: &str = r#""uuid": "u", "metadata": {"title": "T", "last-modified": "2024-01-01T00:00:00Z", "version": "1", "oscal-version": "1.2.3"}"#;

    #[test]
    fn order_puts_removed_controls_after_their_old_predecessor() {
        let old = catalog(&format!(
            r#"{{{META}, "controls": [{{"id": "x", "title": "X"}}, {{"id": "a", "title": "A",
               "controls": [{{"id": "a.1", "title": "A1"}}]}}, {{"id": "b", "title": "B"}}]}}"#
        ));
        let new = catalog(&format!(
            r#"{{{META}, "controls": [{{"id": "a", "title": "A"}}, {{"id": "c", "title": "C"}}]}}"#
        ));
        assert_eq!(listing(&old, &new), ["-x", "=a", "-a.1", "-b", "+c"]);
    }

    #[test]
    fn index_gives_groups_by_id_else_title_and_parents() {
        let cat = catalog(&format!(
            r#"{{{META}, "groups": [{{"title": "Untitled id", "groups": [{{"id": "g2", "title": "G2",
               "controls": [{{"id": "c", "title": "C", "controls": [{{"id": "c.1", "title": "C1"}}]}}]}}]}}]}}"#
        ));
        let idx = index(&cat);
        let c1 = &idx["c.1"].place;
        assert_eq!(c1.groups, ["Untitled id", "g2"]);
        assert_eq!(c1.parent.as_deref(), Some("c"));
        assert_eq!(idx["c"].place.parent, None);
    }
}
