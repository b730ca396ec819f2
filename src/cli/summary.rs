//! The summary line printed on stderr at the end of a run (not under `-q`):
//! `checked 3 files: 0 errors, 2 warnings` after `validate`,
//! `resolved p.json → out.json: 421 controls, 17 groups, 101 warnings` after each profile
//! `resolve` wrote. In: the reporter's counts and the resolved catalog. Out: lines the
//! [`Reporter`] prints last, after the diagnostics and their totals.

use super::diagnostics::{Reporter, plural};
use super::output::Target;
use oscalc::resolve::ResolvedCatalog;
use url::Url;

/// `checked N files: E errors, W warnings`, counting what was reported.
pub fn validated(reporter: &mut Reporter, files: usize) {
    let line = format!(
        "checked {}: {}, {}",
        plural(files, "file"),
        plural(reporter.errors, "error"),
        plural(reporter.warnings, "warning")
    );
    reporter.summary(line);
}

/// `resolved PROFILE → OUTPUT: C controls, G groups, W warnings` for a profile whose catalog was
/// written to `target`; W counts the warnings reported for that profile.
pub fn resolved(
    reporter: &mut Reporter,
    profile: &Url,
    target: &Target,
    resolved: &ResolvedCatalog,
) {
    let counts = resolved.catalog.counts();
    let line = format!(
        "resolved {} → {target}: {}, {}, {}",
        oscalc::source::display_uri(profile),
        plural(counts.controls, "control"),
        plural(counts.groups, "group"),
        plural(reporter.batch_warnings, "warning")
    );
    reporter.summary(line);
}
