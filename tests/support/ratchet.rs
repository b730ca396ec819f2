//! The ratchet of `tests/conformance/`: which trials must pass, which knowingly differ from NIST's
//! expected output, which inputs must fail and with what code.
//!
//! In: the three list files. Out: [`Lists`], and [`Lists::judge`] turning a trial's raw result
//! into its libtest outcome. A listed trial that fails fails; an unlisted trial that passes fails
//! too ("add it to passing.txt"), so the list only grows with the work; an unlisted trial that
//! fails is reported as ignored with the first line of its failure. `OSCALC_STRICT=1` treats every
//! trial as listed, to see the full report of a known failure.

use std::collections::{BTreeMap, BTreeSet};

use libtest_mimic::{Completion, Failed};

use super::{read, repo_root};

/// One line of `divergent.txt`.
#[derive(Debug, Clone)]
pub struct Divergence {
    /// Requirement id we follow instead of NIST's expected output.
    pub req: String,
    /// The specification sentence that decides it.
    pub sentence: String,
}

/// One line of `errors.txt`.
#[derive(Debug, Clone)]
pub struct ExpectedError {
    /// Diagnostic code resolution must fail with.
    pub code: String,
    /// Text the diagnostic's message must contain (a file name).
    pub names: String,
}

/// The parsed lists.
#[derive(Debug, Default)]
pub struct Lists {
    /// Trial names expected to pass.
    pub passing: BTreeSet<String>,
    /// Conformance cases whose NIST expected output we knowingly do not match.
    pub divergent: BTreeMap<String, Divergence>,
    /// Conformance cases that must fail to resolve.
    pub errors: BTreeMap<String, ExpectedError>,
    /// Problems found while reading the lists.
    pub problems: Vec<String>,
}

/// Most cases `divergent.txt` may hold: the five decided divergences (README, decision table).
pub const MAX_DIVERGENT: usize = 5;

impl Lists {
    /// Reads `tests/conformance/{passing,divergent,errors}.txt`.
    pub fn load() -> Lists {
        let mut lists = Lists::default();
        for line in lines(&mut lists.problems, "passing.txt") {
            lists.passing.insert(line);
        }
        for line in lines(&mut lists.problems, "divergent.txt") {
            let mut words = line.splitn(3, char::is_whitespace);
            match (words.next(), words.next(), words.next()) {
                (Some(case), Some(req), Some(sentence)) => {
                    let divergence = Divergence {
                        req: req.to_owned(),
                        sentence: sentence.trim().to_owned(),
                    };
                    lists.divergent.insert(case.to_owned(), divergence);
                }
                _ => lists.problems.push(format!(
                    "divergent.txt: `{line}` is not `<case> <req-id> <sentence>`"
                )),
            }
        }
        for line in lines(&mut lists.problems, "errors.txt") {
            let words: Vec<&str> = line.split_whitespace().collect();
            match words.as_slice() {
                [case, code, names] => {
                    let expected = ExpectedError {
                        code: (*code).to_owned(),
                        names: (*names).to_owned(),
                    };
                    lists.errors.insert((*case).to_owned(), expected);
                }
                _ => lists.problems.push(format!(
                    "errors.txt: `{line}` is not `<case> <code> <file named in the message>`"
                )),
            }
        }
        lists
    }

    /// Checks the lists against the trials that exist.
    pub fn check(&self, trials: &BTreeSet<String>, cases: &BTreeSet<String>) -> Result<(), String> {
        let mut problems = self.problems.clone();
        for name in &self.passing {
            if !trials.contains(name) {
                problems.push(format!("passing.txt names `{name}`, which is no trial"));
            }
        }
        if self.divergent.len() > MAX_DIVERGENT {
            problems.push(format!(
                "divergent.txt holds {} cases, at most {MAX_DIVERGENT} are allowed",
                self.divergent.len()
            ));
        }
        for case in self.divergent.keys().chain(self.errors.keys()) {
            if !cases.contains(case) {
                problems.push(format!("`{case}` is no conformance case"));
            }
            if self.passing.contains(&format!("conformance::{case}")) {
                problems.push(format!(
                    "`conformance::{case}` is in passing.txt and in divergent.txt or errors.txt"
                ));
            }
        }
        if problems.is_empty() {
            Ok(())
        } else {
            Err(problems.join("\n"))
        }
    }

    /// Turns the raw result of trial `name` into its outcome (see the module docs).
    pub fn judge(&self, name: &str, result: Result<(), String>) -> Result<Completion, Failed> {
        let listed = self.passing.contains(name) || strict();
        match (listed, result) {
            (true, Ok(())) => Ok(Completion::Completed),
            (true, Err(report)) => Err(report.into()),
            (false, Ok(())) => Err(format!(
                "`{name}` passes but is not listed: add it to tests/conformance/passing.txt"
            )
            .into()),
            (false, Err(report)) => {
                let first = report.lines().next().unwrap_or("failed");
                Ok(Completion::ignored_with(format!("known failure: {first}")))
            }
        }
    }
}

fn strict() -> bool {
    std::env::var_os("OSCALC_STRICT").is_some_and(|v| v == "1")
}

/// Non-empty lines of `tests/conformance/<file>` without `#` comments.
fn lines(problems: &mut Vec<String>, file: &str) -> Vec<String> {
    let path = repo_root().join("tests/conformance").join(file);
    match read(&path) {
        Ok(text) => text
            .lines()
            .map(|line| line.split('#').next().unwrap_or("").trim().to_owned())
            .filter(|line| !line.is_empty())
            .collect(),
        Err(e) => {
            problems.push(e);
            Vec::new()
        }
    }
}
