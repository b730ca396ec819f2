//! The word-level difference of two texts, bounded: words are compared as whitespace-separated
//! tokens (Myers' algorithm, `similar`), a text longer than the word limit is replaced whole,
//! and all differences of one run share one deadline, past which `similar` gives a coarser
//! (still correct) answer.

use super::{Limits, Word};
use similar::{Algorithm, ChangeTag, TextDiff};
use std::time::Instant;

/// What the differences of one run may still spend.
pub(super) struct Budget {
    max_words: usize,
    deadline: Option<Instant>,
}

impl Budget {
    pub(super) fn new(limits: &Limits) -> Self {
        Budget {
            max_words: limits.max_words,
            // A time too far to represent is no deadline.
            deadline: Instant::now().checked_add(limits.time),
        }
    }
}

/// The runs of words from `old` to `new`, and whether the texts were too long to compare word
/// by word (then OLD is removed and NEW added whole).
pub(super) fn words(old: &str, new: &str, budget: &mut Budget) -> (Vec<Word>, bool) {
    let o: Vec<&str> = old.split_whitespace().collect();
    let n: Vec<&str> = new.split_whitespace().collect();
    if o.len() > budget.max_words || n.len() > budget.max_words {
        let mut out = Vec::new();
        push(&mut out, ChangeTag::Delete, &o);
        push(&mut out, ChangeTag::Insert, &n);
        return (out, true);
    }
    let mut config = TextDiff::configure();
    config.algorithm(Algorithm::Myers);
    if let Some(d) = budget.deadline {
        config.deadline(d);
    }
    let diff = config.diff_slices(&o, &n);
    let mut out = Vec::new();
    for change in diff.iter_all_changes() {
        push(&mut out, change.tag(), &[change.value()]);
    }
    (out, false)
}

/// Appends `words` to the last run when it has the same tag, else as a new run.
fn push(out: &mut Vec<Word>, tag: ChangeTag, words: &[&str]) {
    if words.is_empty() {
        return;
    }
    let joined = words.join(" ");
    let run = match (out.last_mut(), tag) {
        (Some(Word::Same(s)), ChangeTag::Equal)
        | (Some(Word::Added(s)), ChangeTag::Insert)
        | (Some(Word::Removed(s)), ChangeTag::Delete) => s,
        (_, ChangeTag::Equal) => return out.push(Word::Same(joined)),
        (_, ChangeTag::Insert) => return out.push(Word::Added(joined)),
        (_, ChangeTag::Delete) => return out.push(Word::Removed(joined)),
    };
    run.push(' ');
    run.push_str(&joined);
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    /// The words of OLD (same and removed runs) and of NEW (same and added runs).
    fn sides(runs: &[Word]) -> (String, String) {
        let (mut old, mut new) = (Vec::new(), Vec::new());
        for r in runs {
            match r {
                Word::Same(s) => {
                    old.push(s.as_str());
                    new.push(s.as_str());
                }
                Word::Removed(s) => old.push(s.as_str()),
                Word::Added(s) => new.push(s.as_str()),
            }
        }
        (old.join(" "), new.join(" "))
    }

    #[test]
    fn words_spent_deadline_still_gives_both_texts_back() {
        let old = (0..3000)
            .map(|i| format!("w{i}"))
            .collect::<Vec<_>>()
            .join(" ");
        let new = (0..3000)
            .map(|i| format!("w{}", i * 7 % 3001))
            .collect::<Vec<_>>()
            .join(" ");
        let limits = Limits {
            max_words: 10_000,
            time: Duration::ZERO,
        };
        let (runs, whole) = words(&old, &new, &mut Budget::new(&limits));
        assert!(!whole);
        assert_eq!(sides(&runs), (old, new));
    }

    #[test]
    fn words_past_the_limit_are_replaced_whole() {
        let limits = Limits {
            max_words: 2,
            time: Duration::from_secs(5),
        };
        let (runs, whole) = words("a b c", "a b d", &mut Budget::new(&limits));
        assert!(whole);
        assert_eq!(
            runs,
            [Word::Removed("a b c".into()), Word::Added("a b d".into())]
        );
    }

    #[test]
    fn words_ignore_spacing_and_join_runs() {
        let (runs, _) = words(
            "Review  the\npolicy yearly and report",
            "Review the policy every month and report",
            &mut Budget::new(&Limits::default()),
        );
        assert_eq!(
            runs,
            [
                Word::Same("Review the policy".into()),
                Word::Removed("yearly".into()),
                Word::Added("every month".into()),
                Word::Same("and report".into()),
            ]
        );
    }
}
