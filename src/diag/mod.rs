//! Diagnostics: what went wrong (or looks wrong), where, and by which rule.
//!
//! A problem in a user's document is a [`Diagnostic`] pushed into a [`Sink`]; stages keep going and
//! only the gates of the driver stop a run. Rendering happens at the edge (`cli`).

pub mod codes;
mod lint;
mod nearest;

pub use lint::{LintLevels, UnknownCode, is_constraint_code};
pub use nearest::nearest;

use indexmap::IndexMap;
use std::fmt;
use std::hash::{Hash, Hasher};

/// How bad a diagnostic is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Severity {
    /// The run cannot produce a correct result.
    Error,
    /// Something is suspicious; the result is still produced.
    Warning,
}

impl fmt::Display for Severity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Severity::Error => "error",
            Severity::Warning => "warning",
        })
    }
}

/// Identifies one loaded source text in a [`crate::source::SourceMap`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct SourceId(pub u32);

/// Where in a source a diagnostic points.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum At {
    /// A byte offset into the source text.
    Offset(u32),
    /// A JSON pointer into the document (XML input uses the same pointers); mapped to a position
    /// only when rendered.
    Pointer(String),
}

/// A place in a source.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Span {
    /// The source.
    pub source: SourceId,
    /// The place.
    pub at: At,
}

impl Span {
    /// A span at a JSON pointer.
    pub fn pointer(source: SourceId, pointer: impl Into<String>) -> Self {
        Span {
            source,
            at: At::Pointer(pointer.into()),
        }
    }

    /// A span at a byte offset.
    pub fn offset(source: SourceId, offset: usize) -> Self {
        Span {
            source,
            at: At::Offset(u32::try_from(offset).unwrap_or(u32::MAX)),
        }
    }
}

/// A secondary place with a note ("imported here").
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Label {
    /// The place.
    pub span: Span,
    /// What it is.
    pub message: String,
}

/// One diagnostic.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Diagnostic {
    /// Error or warning.
    pub severity: Severity,
    /// Stable code: the spec requirement id where one applies, else one of ours (`diag::codes`).
    pub code: &'static str,
    /// One sentence naming the object involved.
    pub message: String,
    /// The offending place, if it comes from a document.
    pub primary: Option<Span>,
    /// Other places.
    pub labels: Vec<Label>,
    /// The import chain that led to the document the diagnostic is in, innermost first: each
    /// step is the `href` of an import (`/profile/imports/N/href` in the importer's source), so
    /// it renders as "in b.json, imported by a.xml:12:5". Empty in the root document.
    pub trace: Vec<Span>,
    /// Advice.
    pub hints: Vec<String>,
}

impl Diagnostic {
    /// An error with a code and message.
    pub fn error(code: &'static str, message: impl Into<String>) -> Self {
        Self::new(Severity::Error, code, message)
    }

    /// A warning with a code and message.
    pub fn warning(code: &'static str, message: impl Into<String>) -> Self {
        Self::new(Severity::Warning, code, message)
    }

    /// A diagnostic with the given severity.
    pub fn new(severity: Severity, code: &'static str, message: impl Into<String>) -> Self {
        Diagnostic {
            severity,
            code,
            message: message.into(),
            primary: None,
            labels: Vec::new(),
            trace: Vec::new(),
            hints: Vec::new(),
        }
    }

    /// Points the diagnostic at a place.
    pub fn at(mut self, span: Span) -> Self {
        self.primary = Some(span);
        self
    }

    /// Adds a hint.
    pub fn hint(mut self, hint: impl Into<String>) -> Self {
        self.hints.push(hint.into());
        self
    }

    /// Adds a secondary label.
    pub fn label(mut self, span: Span, message: impl Into<String>) -> Self {
        self.labels.push(Label {
            span,
            message: message.into(),
        });
        self
    }

    /// Whether this is an error.
    pub fn is_error(&self) -> bool {
        self.severity == Severity::Error
    }
}

impl fmt::Display for Diagnostic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}[{}]: {}", self.severity, self.code, self.message)
    }
}

/// Errors of a failed run: at least one diagnostic of severity error (plus anything else found).
pub type Errors = Vec<Diagnostic>;

/// A result together with the warnings collected on the way.
#[derive(Debug)]
pub struct Warned<T> {
    /// The result.
    pub output: T,
    /// Warnings (never errors).
    pub warnings: Vec<Diagnostic>,
}

/// Collects diagnostics; the same (code, place, message) is kept once (diamond imports). The
/// one carrier of diagnostics: stages get `&mut Sink` (the resolve stages through their `Cx`),
/// and lint levels apply here, as a diagnostic enters, and nowhere else.
#[derive(Debug, Default)]
pub struct Sink {
    diagnostics: Vec<Diagnostic>,
    levels: LintLevels,
    /// Indexes into `diagnostics` by the hash of (code, place, message): a push compares with
    /// the few of equal hash, not with every diagnostic so far.
    seen: IndexMap<u64, Vec<usize>>,
}

fn identity(d: &Diagnostic) -> u64 {
    let mut h = std::hash::DefaultHasher::new();
    (d.code, &d.primary, &d.message).hash(&mut h);
    h.finish()
}

impl Sink {
    /// An empty sink.
    pub fn new() -> Self {
        Sink::default()
    }

    /// An empty sink that applies `levels` to what is pushed.
    pub fn with_levels(levels: LintLevels) -> Self {
        Sink {
            levels,
            ..Sink::default()
        }
    }

    /// Adds a diagnostic, as the lint levels want it, unless the same one is already there.
    pub fn push(&mut self, d: Diagnostic) {
        let Some(d) = self.levels.apply(d) else {
            return;
        };
        let same = self.seen.get(&identity(&d)).map(Vec::as_slice);
        let dup = same.unwrap_or_default().iter().any(|&i| {
            self.diagnostics.get(i).is_some_and(|x| {
                x.code == d.code && x.primary == d.primary && x.message == d.message
            })
        });
        if !dup {
            self.keep(d);
        }
    }

    /// Adds a list of findings, each as the lint levels want it. Unlike [`Sink::push`], repeats
    /// stay: a list names each finding once, and two of them may read the same without a place
    /// (two dangling links to one fragment of a resolved catalog).
    pub fn extend(&mut self, found: impl IntoIterator<Item = Diagnostic>) {
        for d in found {
            if let Some(d) = self.levels.apply(d) {
                self.keep(d);
            }
        }
    }

    fn keep(&mut self, d: Diagnostic) {
        let at = self.diagnostics.len();
        self.seen.entry(identity(&d)).or_default().push(at);
        self.diagnostics.push(d);
    }

    /// Forgets every diagnostic so far; the lint levels stay.
    pub fn clear(&mut self) {
        self.diagnostics.clear();
        self.seen.clear();
    }

    /// Whether any error was pushed.
    pub fn has_errors(&self) -> bool {
        self.diagnostics.iter().any(Diagnostic::is_error)
    }

    /// All diagnostics so far.
    pub fn diagnostics(&self) -> &[Diagnostic] {
        &self.diagnostics
    }

    /// The diagnostics, in the order they were pushed.
    pub fn into_diagnostics(self) -> Vec<Diagnostic> {
        self.diagnostics
    }

    /// Splits into (errors, warnings).
    pub fn split(self) -> (Vec<Diagnostic>, Vec<Diagnostic>) {
        self.diagnostics.into_iter().partition(Diagnostic::is_error)
    }
}
