//! The one place the data suites call the library: resolve a profile from the file system and emit
//! the resolved catalog, turning the outcome into plain strings the suites can check.
//!
//! In: an absolute profile path and an output format. Out: [`Resolution`]. A panic inside the
//! library is caught and reported as a failure of the case, so one bad case cannot take the
//! ratchet's bookkeeping down with it (the panic message still goes to stderr).

use std::panic::{AssertUnwindSafe, catch_unwind};
use std::path::Path;

use oscalc::{Format, FsWorld, Options, Session, emit};

/// Output format of a resolution.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Out {
    /// `Format::Xml`.
    Xml,
    /// `Format::Json`.
    Json,
}

/// A diagnostic as the suites see it.
#[derive(Debug, Clone)]
pub struct Diag {
    /// `Error` or `Warning`.
    pub severity: String,
    /// Registered code, e.g. `req-circular-error`.
    pub code: String,
    /// The one-sentence message.
    pub message: String,
    /// The file (or URI) the diagnostic points into, if it has a place.
    pub file: Option<String>,
    /// Advice.
    pub hints: Vec<String>,
}

impl Diag {
    /// The diagnostic as a user reads it: place, severity, code, message and hints.
    pub fn rendered(&self) -> String {
        let mut out = self.to_string();
        if let Some(file) = &self.file {
            out = format!("{file}: {out}");
        }
        for hint in &self.hints {
            out.push_str(&format!(" (hint: {hint})"));
        }
        out
    }
}

impl std::fmt::Display for Diag {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} [{}]: {}", self.severity, self.code, self.message)
    }
}

/// Outcome of one resolution.
#[derive(Debug)]
pub struct Resolution {
    /// The emitted document, or the errors that stopped resolution.
    pub output: Result<String, Vec<Diag>>,
    /// Warnings, in the order the library reported them.
    pub warnings: Vec<Diag>,
}

impl Resolution {
    /// The emitted document, or a failure message listing every diagnostic.
    pub fn document(&self) -> Result<&str, String> {
        match &self.output {
            Ok(text) => Ok(text),
            Err(errors) => {
                let mut all = errors.iter().chain(&self.warnings);
                let first = all.next().map_or(String::new(), ToString::to_string);
                let mut out = format!("resolution failed: {first}");
                for diag in all.take(20) {
                    out.push_str(&format!("\n  {diag}"));
                }
                Err(out)
            }
        }
    }
}

/// Resolves the profile at `profile` (absolute) and emits the result as `out`.
pub fn resolve_file(profile: &Path, out: Out) -> Result<Resolution, String> {
    resolve_file_with(profile, out, &Options::default())
}

/// [`resolve_file`] with `opts` (a case folder's `[options]`).
pub fn resolve_file_with(profile: &Path, out: Out, opts: &Options) -> Result<Resolution, String> {
    let url = url::Url::from_file_path(profile)
        .map_err(|()| format!("{} is not an absolute path", profile.display()))?;
    let format = match out {
        Out::Xml => Format::Xml,
        Out::Json => Format::Json,
    };
    let caught = catch_unwind(AssertUnwindSafe(|| {
        let world = FsWorld::new();
        let mut session = Session::new();
        let warned = session.resolve(&world, &url, opts);
        let diag = |d: &oscalc::Diagnostic| diag(&session, d);
        let warnings = warned.warnings.iter().map(diag).collect();
        let output = match &warned.output {
            Ok(resolved) => String::from_utf8(emit(resolved, format))
                .map_err(|e| vec![internal(format!("output is not UTF-8: {e}"))]),
            Err(errors) => Err(errors.iter().map(diag).collect()),
        };
        Resolution { output, warnings }
    }));
    caught.map_err(|panic| {
        let message = panic
            .downcast_ref::<&str>()
            .map(|s| (*s).to_owned())
            .or_else(|| panic.downcast_ref::<String>().cloned())
            .unwrap_or_default();
        format!("the library panicked: {message}")
    })
}

fn diag(session: &Session, d: &oscalc::Diagnostic) -> Diag {
    Diag {
        severity: format!("{:?}", d.severity),
        code: d.code.to_string(),
        message: d.message.clone(),
        file: d
            .primary
            .as_ref()
            .map(|span| session.sources.display_name(span.source)),
        hints: d.hints.clone(),
    }
}

fn internal(message: String) -> Diag {
    Diag {
        severity: "Error".to_owned(),
        code: "test-harness".to_owned(),
        message,
        file: None,
        hints: Vec::new(),
    }
}
