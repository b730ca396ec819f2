//! "Did you mean" hints: the known name closest to a misspelt one. Used by the loader (keys), the
//! lint levels (codes) and selection (control ids); it lives here, below all of them.

/// The known id closest to `id` (edit distance ≤ 2), for "did you mean" hints.
pub fn nearest<'a>(id: &str, known: impl Iterator<Item = &'a String>) -> Option<&'a str> {
    known
        .map(|k| (edit_distance(id, k), k))
        .filter(|(d, _)| *d <= 2)
        .min_by_key(|(d, _)| *d)
        .map(|(_, k)| k.as_str())
}

/// Levenshtein distance in characters; 3 (too far) without computing it when the lengths alone
/// differ by more than 2, so a huge misspelt name costs no quadratic work.
fn edit_distance(a: &str, b: &str) -> usize {
    if a.chars().count().abs_diff(b.chars().count()) > 2 {
        return 3;
    }
    strsim::levenshtein(a, b)
}
