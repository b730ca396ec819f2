//! Difference reports shared by the comparators: a bounded list of `path: expected vs actual`
//! lines, so that a failing comparison of two 3 MB catalogs prints the first places that differ
//! and stops, instead of a wall of text.

use std::fmt::Write as _;

/// How many differences a report lists (three lines each) before it only counts the rest.
pub const MAX_LINES: usize = 7;

/// How many differences a comparison counts before it stops looking.
const MAX_COUNTED: usize = 100;

/// Longest rendering of one value in a report line; longer values are cut in the middle.
const MAX_VALUE_CHARS: usize = 160;

/// Differences found by one comparison, first ones kept in full.
#[derive(Debug, Default)]
pub struct Diffs {
    lines: Vec<String>,
    total: usize,
}

impl Diffs {
    /// Records one difference at `path`.
    pub fn push(&mut self, path: &str, expected: &str, actual: &str) {
        if self.is_full() {
            return;
        }
        self.total += 1;
        if self.lines.len() < MAX_LINES {
            self.lines.push(format!(
                "{path}\n    expected: {}\n    actual:   {}",
                clip(expected),
                clip(actual)
            ));
        }
    }

    /// True once enough differences are listed that looking further only costs time.
    pub fn is_full(&self) -> bool {
        self.total >= MAX_COUNTED
    }

    /// `Ok` when nothing differed, else the rendered report headed by `title`.
    pub fn finish(self, title: &str) -> Result<(), String> {
        if self.total == 0 {
            return Ok(());
        }
        let mut out = format!("{title}: {} difference(s)", self.total);
        if self.is_full() {
            out.push_str(" or more");
        }
        for line in &self.lines {
            let _ = write!(out, "\n  {line}");
        }
        if self.total > self.lines.len() {
            let _ = write!(out, "\n  … {} more", self.total - self.lines.len());
        }
        Err(out)
    }
}

/// One value on one line: newlines shown as `⏎`, long values cut in the middle.
pub fn clip(value: &str) -> String {
    let flat = value.replace('\n', "⏎");
    let count = flat.chars().count();
    if count <= MAX_VALUE_CHARS {
        return flat;
    }
    let half = MAX_VALUE_CHARS / 2;
    let head: String = flat.chars().take(half).collect();
    let tail: String = flat.chars().skip(count - half).collect();
    format!("{head} … {tail}")
}

/// Collapses every run of whitespace to one space and trims both ends, so prose wrapped or
/// indented differently compares equal.
pub fn collapse(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// Aligns two sequences of keys by their longest common subsequence: returns, in order, pairs of
/// `(Some(i), Some(j))` for matched items and `(Some(i), None)` / `(None, Some(j))` for items
/// only in the first / second sequence. Lets a report say "control `ac-3` missing" once instead
/// of a cascade of mismatches after it.
pub fn align<K: PartialEq>(left: &[K], right: &[K]) -> Vec<(Option<usize>, Option<usize>)> {
    let (n, m) = (left.len(), right.len());
    // Common prefix and suffix first: the usual case is identical or nearly identical lists.
    let prefix = left.iter().zip(right).take_while(|(a, b)| a == b).count();
    let suffix = left[prefix..]
        .iter()
        .rev()
        .zip(right[prefix..].iter().rev())
        .take_while(|(a, b)| a == b)
        .count();
    let (l, r) = (&left[prefix..n - suffix], &right[prefix..m - suffix]);
    let mut out: Vec<_> = (0..prefix).map(|i| (Some(i), Some(i))).collect();
    out.extend(
        lcs(l, r)
            .into_iter()
            .map(|(a, b)| (a.map(|i| i + prefix), b.map(|j| j + prefix))),
    );
    out.extend((0..suffix).map(|k| (Some(n - suffix + k), Some(m - suffix + k))));
    out
}

/// Plain dynamic-programming LCS alignment; the middle parts it sees are small.
fn lcs<K: PartialEq>(l: &[K], r: &[K]) -> Vec<(Option<usize>, Option<usize>)> {
    let (n, m) = (l.len(), r.len());
    let mut table = vec![0u32; (n + 1) * (m + 1)];
    let at = |i: usize, j: usize| i * (m + 1) + j;
    for i in (0..n).rev() {
        for j in (0..m).rev() {
            table[at(i, j)] = if l[i] == r[j] {
                table[at(i + 1, j + 1)] + 1
            } else {
                table[at(i + 1, j)].max(table[at(i, j + 1)])
            };
        }
    }
    let (mut i, mut j, mut out) = (0, 0, Vec::new());
    while i < n || j < m {
        if i < n && j < m && l[i] == r[j] {
            out.push((Some(i), Some(j)));
            (i, j) = (i + 1, j + 1);
        } else if j == m || (i < n && table[at(i + 1, j)] >= table[at(i, j + 1)]) {
            out.push((Some(i), None));
            i += 1;
        } else {
            out.push((None, Some(j)));
            j += 1;
        }
    }
    out
}
