//! Stage: review, after resolution. In: two catalogs (resolved profiles or catalogs as loaded),
//! OLD and NEW. Out: a [`Diff`], the typed difference between them: controls added, removed and
//! moved, and for controls in both, what changed in their title, parameters, properties, links
//! and part prose (prose as a word-level difference).
//!
//! No I/O and no formatting here: [`read`] turns a named document into a catalog through a
//! [`World`] (a profile is resolved, a catalog taken as it is), and the command line
//! (`cli/diff.rs`) renders a [`Diff`] as text, Markdown or JSON.
//!
//! Order: the controls of NEW in document order (depth first, a control before its child
//! controls); a removed control comes right after the control that preceded it in OLD and is in
//! NEW (at the start when none did). Controls are matched by id; a duplicate id (an invalid
//! catalog) counts once, at its first place.
//!
//! Prose is compared in one form, Markdown (markup read from XML is converted), and as words:
//! how a text is wrapped or spaced is no difference, so an XML and a JSON copy of one catalog
//! compare equal. The word difference is bounded ([`Limits`]): a prose longer than
//! [`Limits::max_words`] is shown as replaced whole, and once [`Limits::time`] is spent the
//! remaining differences are coarser (still correct: what is shown removed and added is what
//! differs), so a hostile pair of huge texts cannot hang a run.

mod controls;
mod fields;
mod read;
mod words;

pub use read::read;

use crate::model::Catalog;
use serde::Serialize;
use std::time::Duration;

/// Bounds on the cost of a difference.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Limits {
    /// The most words of one prose (each side) compared word by word; a longer one is shown as
    /// replaced whole.
    pub max_words: usize,
    /// The time all word differences of one [`diff`] may take; past it, differences are computed
    /// coarsely (whole runs of words replaced) but stay correct.
    pub time: Duration,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_words: 5_000,
            time: Duration::from_secs(5),
        }
    }
}

/// The difference between two catalogs.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Diff {
    /// How many controls were added, removed, moved and changed, and how many are the same.
    pub counts: Counts,
    /// The controls that differ, in the order described in the module documentation.
    pub controls: Vec<ControlDiff>,
}

impl Diff {
    /// Whether the two catalogs hold the same controls, in the same places, with the same
    /// content (as far as compared).
    pub fn is_empty(&self) -> bool {
        self.controls.is_empty()
    }
}

/// Control counts of a [`Diff`].
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct Counts {
    /// Controls only in NEW.
    pub added: usize,
    /// Controls only in OLD.
    pub removed: usize,
    /// Controls in both whose group or parent control differs.
    pub moved: usize,
    /// Controls in both whose content differs.
    pub changed: usize,
    /// Controls in both, in the same place, with the same content.
    pub unchanged: usize,
}

/// Where a control sits in its catalog.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Place {
    /// The groups that hold it, outermost first, each by its id (else its title).
    pub groups: Vec<String>,
    /// The control it is a child of.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub parent: Option<String>,
}

/// One control that differs.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "status", rename_all = "kebab-case")]
pub enum ControlDiff {
    /// Only in NEW.
    Added {
        /// Its id.
        id: String,
        /// Its title (Markdown).
        title: String,
        /// Where it is in NEW.
        place: Place,
    },
    /// Only in OLD.
    Removed {
        /// Its id.
        id: String,
        /// Its title (Markdown).
        title: String,
        /// Where it was in OLD.
        place: Place,
    },
    /// In both, moved, changed or both.
    Changed {
        /// Its id.
        id: String,
        /// Its title in NEW (Markdown).
        title: String,
        /// Its places in OLD and NEW, when they differ.
        #[serde(skip_serializing_if = "Option::is_none")]
        moved: Option<Move>,
        /// What changed in its content, in the order of the control's fields.
        changes: Vec<Change>,
    },
}

impl ControlDiff {
    /// The control's id.
    pub fn id(&self) -> &str {
        match self {
            ControlDiff::Added { id, .. }
            | ControlDiff::Removed { id, .. }
            | ControlDiff::Changed { id, .. } => id,
        }
    }
}

/// A control's place in OLD and in NEW.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Move {
    /// Its place in OLD.
    pub from: Place,
    /// Its place in NEW.
    pub to: Place,
}

/// One change in a control present in both catalogs.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", rename_all = "kebab-case")]
pub enum Change {
    /// The title changed.
    Title {
        /// The title, word by word.
        words: Vec<Word>,
    },
    /// A parameter only in NEW.
    ParamAdded {
        /// Its id.
        param: String,
    },
    /// A parameter only in OLD.
    ParamRemoved {
        /// Its id.
        param: String,
    },
    /// One field of a parameter in both changed.
    Param {
        /// The parameter's id.
        param: String,
        /// Which field.
        field: ParamField,
        /// The field in OLD, one string per item (empty when absent).
        old: Vec<String>,
        /// The field in NEW.
        new: Vec<String>,
    },
    /// A property only in NEW (`ns:name=value`, the namespace when there is one).
    PropAdded {
        /// The property.
        prop: String,
    },
    /// A property only in OLD.
    PropRemoved {
        /// The property.
        prop: String,
    },
    /// A link only in NEW (`href (rel)`).
    LinkAdded {
        /// The link.
        link: String,
    },
    /// A link only in OLD.
    LinkRemoved {
        /// The link.
        link: String,
    },
    /// A part only in NEW.
    PartAdded {
        /// The part: its id, else its parent's key, `/`, its name and its rank among its
        /// siblings of that name (`ac-1_smt/item[2]`).
        part: String,
        /// Its prose (Markdown), empty when it has none.
        prose: String,
    },
    /// A part only in OLD.
    PartRemoved {
        /// The part, named as in [`Change::PartAdded`].
        part: String,
        /// Its prose (Markdown), empty when it has none.
        prose: String,
    },
    /// The prose of a part in both changed.
    Prose {
        /// The part, named as in [`Change::PartAdded`].
        part: String,
        /// The prose, word by word.
        words: Vec<Word>,
        /// Whether the prose was too long to compare word by word ([`Limits::max_words`]):
        /// then `words` removes all of OLD and adds all of NEW.
        #[serde(skip_serializing_if = "std::ops::Not::not")]
        whole: bool,
    },
}

/// A parameter field that [`Change::Param`] compares.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum ParamField {
    /// The label (Markdown).
    Label,
    /// The values.
    Values,
    /// The selection: `how-many` first (`one`, `one-or-more` or empty), then the choices.
    Select,
    /// The constraints: each as its description, then ` | ` and its tests' expressions.
    Constraints,
}

/// A run of words of a word-level difference; consecutive words of one kind are one run, joined
/// by single spaces.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "op", content = "text", rename_all = "kebab-case")]
pub enum Word {
    /// In both.
    Same(String),
    /// Only in NEW.
    Added(String),
    /// Only in OLD.
    Removed(String),
}

/// The difference from `old` to `new`, within `limits`.
///
/// ```
/// use oscalc::diff::{Change, ControlDiff, Limits, Word, diff};
/// use oscalc::model::Document;
/// use oscalc::{MemWorld, Options};
///
/// let catalog = |prose: &str, extra: &str| format!(r#"{{"catalog": {{
///   "uuid": "8bd5f2a4-6a6b-4f7c-9a43-2b4f7cbbd7a4",
///   "metadata": {{"title": "C", "last-modified": "2024-01-01T00:00:00Z",
///                "version": "1", "oscal-version": "1.2.3"}},
///   "controls": [{{"id": "ac-1", "title": "Policy",
///                  "parts": [{{"id": "ac-1_smt", "name": "statement", "prose": "{prose}"}}]}}
///                {extra}]
/// }}}}"#);
/// let mut world = MemWorld::new();
/// let old = world.add("old.json", catalog("Review the policy yearly.", ""));
/// let new = world.add("new.json", catalog(
///     "Review the policy monthly.", r#", {"id": "ac-2", "title": "Accounts"}"#));
///
/// let mut session = oscalc::Session::new();
/// let opts = Options::default();
/// let old = oscalc::diff::read(&mut session, &world, &old, &opts).output.unwrap();
/// let new = oscalc::diff::read(&mut session, &world, &new, &opts).output.unwrap();
/// let d = diff(&old.catalog, &new.catalog, &Limits::default());
///
/// assert_eq!((d.counts.added, d.counts.changed, d.counts.removed), (1, 1, 0));
/// let ControlDiff::Changed { id, changes, .. } = &d.controls[0] else { panic!() };
/// assert_eq!(id, "ac-1");
/// assert_eq!(changes, &[Change::Prose {
///     part: "ac-1_smt".into(),
///     words: vec![
///         Word::Same("Review the policy".into()),
///         Word::Removed("yearly.".into()),
///         Word::Added("monthly.".into()),
///     ],
///     whole: false,
/// }]);
/// assert_eq!(d.controls[1].id(), "ac-2");
/// ```
pub fn diff(old: &Catalog, new: &Catalog, limits: &Limits) -> Diff {
    let mut budget = words::Budget::new(limits);
    let old = controls::index(old);
    let new = controls::index(new);
    let mut counts = Counts::default();
    let mut out = Vec::new();
    for entry in controls::order(&old, &new) {
        let found = match entry {
            controls::Entry::Both(o, n) => fields::compare(o, n, &mut budget),
            controls::Entry::Added(n) => Some(ControlDiff::Added {
                id: n.control.id.clone(),
                title: fields::title(n.control),
                place: n.place.clone(),
            }),
            controls::Entry::Removed(o) => Some(ControlDiff::Removed {
                id: o.control.id.clone(),
                title: fields::title(o.control),
                place: o.place.clone(),
            }),
        };
        count(&mut counts, found.as_ref());
        out.extend(found);
    }
    Diff {
        counts,
        controls: out,
    }
}

fn count(counts: &mut Counts, found: Option<&ControlDiff>) {
    match found {
        None => counts.unchanged += 1,
        Some(ControlDiff::Added { .. }) => counts.added += 1,
        Some(ControlDiff::Removed { .. }) => counts.removed += 1,
        Some(ControlDiff::Changed { moved, changes, .. }) => {
            counts.moved += usize::from(moved.is_some());
            counts.changed += usize::from(!changes.is_empty());
        }
    }
}
