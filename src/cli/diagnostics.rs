//! Rendering of diagnostics, the only place that formats them for people or machines.
//!
//! In: diagnostics and the source map they point into. Out: text on stderr or stdout in one of
//! the `--error-format`s: `human` (a window of the source line and a caret, see `human`), `short`
//! (`file:line:col: severity[code]: message`), `json` (one object a line), `sarif` (one SARIF
//! 2.1.0 document per run, written by [`Reporter::finish`]) and `github` (workflow commands that
//! become inline annotations).
//!
//! A run stays readable and its cost linear however many diagnostics it has: positions come from
//! per-source indexes built once (`oscalc::source::SourceIndex`), `human` quotes a window of a
//! line, an identical diagnostic is reported once, `human` and `short` print `--max-per-code` of
//! one code and count the rest, `github` stays within the annotations a workflow step shows, and
//! the run ends with totals by code and the summary lines of `super::summary`.

// Named from this file's folder, so the path also holds where `benches/diagnostics.rs` includes it.
#[path = "diagnostics/human.rs"]
mod human;

use indexmap::{IndexMap, IndexSet};
use oscalc::diag::{At, Diagnostic, Severity, Span, codes};
use oscalc::metaschema::MetaConstraints;
use oscalc::source::{LineCol, SourceMap};
use serde_json::{Value, json};
use std::hash::{Hash, Hasher};
use std::io::Write;
use std::sync::Arc;

/// How diagnostics are printed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, clap::ValueEnum)]
pub enum ErrorFormat {
    /// The source line with a caret, the import chain and hints as notes.
    #[default]
    Human,
    /// `file:line:col: severity[code]: message`.
    Short,
    /// One JSON object a line.
    Json,
    /// One SARIF 2.1.0 document for the whole run.
    Sarif,
    /// GitHub Actions workflow commands (`::error file=…::message`).
    Github,
}

impl ErrorFormat {
    /// Formats read by programs: they go to stdout when the command writes nothing else there.
    pub fn is_machine(self) -> bool {
        matches!(self, Self::Json | Self::Sarif | Self::Github)
    }
}

/// Whether `human` output is coloured.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, clap::ValueEnum)]
pub enum Color {
    /// On a terminal, unless `NO_COLOR` is set.
    #[default]
    Auto,
    /// Always.
    Always,
    /// Never.
    Never,
}

impl Color {
    /// Whether to colour a stream that `tty` says is a terminal.
    pub fn on(self, tty: bool) -> bool {
        match self {
            Color::Always => true,
            Color::Never => false,
            Color::Auto => tty && std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty()),
        }
    }
}

/// A diagnostic with its places resolved to file, line and column.
#[derive(Debug, Clone)]
struct Located {
    severity: Severity,
    code: &'static str,
    message: String,
    place: Option<Place>,
    labels: Vec<(Place, String)>,
    /// The import sites that led to the primary file, innermost first.
    trace: Vec<Place>,
    hints: Vec<String>,
}

#[derive(Debug, Clone)]
struct Place {
    file: String,
    line: usize,
    column: usize,
    end_line: usize,
    end_column: usize,
    pointer: Option<String>,
}

/// `--max-per-code`: a number, or `all` (`None`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct MaxPerCode(pub Option<usize>);

impl std::str::FromStr for MaxPerCode {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, String> {
        if s == "all" {
            return Ok(MaxPerCode(None));
        }
        s.parse()
            .map(|n| MaxPerCode(Some(n)))
            .map_err(|_| format!("`{s}` is neither a number nor `all`"))
    }
}

/// How many diagnostics of one code `human` and `short` print before counting the rest.
pub const DEFAULT_MAX_PER_CODE: usize = 5;

/// Annotations GitHub shows per type (`::error`, `::warning`) and workflow step; past it, they
/// are dropped silently, so the rest are counted in one `::notice` instead.
const GITHUB_ANNOTATIONS_PER_TYPE: usize = 10;

/// Totals by code are printed once a run reported more than this many diagnostics (or left
/// some out): a short list needs no tally.
const TOTALS_FROM: usize = 6;

/// How many diagnostics one code had: printed, and left out by `--max-per-code`.
#[derive(Debug, Clone, Copy, Default)]
struct Tally {
    shown: usize,
    hidden: usize,
}

/// Prints the diagnostics of a run as they come (SARIF: all at the end) and counts them.
#[derive(Default)]
pub struct Reporter {
    format: ErrorFormat,
    color: bool,
    to_stdout: bool,
    /// Output kept here instead of printed (benchmarks and tests), when set.
    buffer: Option<Vec<u8>>,
    /// `human` and `short` print this many of one code, then count; `None`: all.
    max_per_code: Option<usize>,
    /// No warnings, no summary line (`-q`).
    quiet: bool,
    sarif: Vec<Located>,
    /// Identities (code, message, place) already reported: a repeat is dropped.
    seen: IndexSet<u64>,
    /// By (severity, code), in the order first reported.
    tally: IndexMap<(Severity, &'static str), Tally>,
    /// Summary lines, printed last by [`Reporter::finish`].
    summary: Vec<String>,
    /// The `--constraints` sets, for the help text of their rules in SARIF.
    constraint_sets: Vec<Arc<MetaConstraints>>,
    /// Errors reported so far (repeats not counted).
    pub errors: usize,
    /// Warnings reported so far (repeats not counted).
    pub warnings: usize,
    /// Warnings of the last batch given to [`Reporter::report`].
    pub batch_warnings: usize,
}

impl Reporter {
    /// A reporter; `stdout_free` says the command writes nothing else to stdout.
    pub fn new(format: ErrorFormat, color: Color, stdout_free: bool) -> Self {
        let to_stdout = stdout_free && format.is_machine();
        let tty = if to_stdout {
            std::io::IsTerminal::is_terminal(&std::io::stdout())
        } else {
            std::io::IsTerminal::is_terminal(&std::io::stderr())
        };
        Reporter {
            format,
            color: color.on(tty),
            to_stdout,
            max_per_code: Some(DEFAULT_MAX_PER_CODE),
            ..Reporter::default()
        }
    }

    /// A reporter that keeps what it would print (diagnostics, counts, summary; no colour) for
    /// [`Reporter::finish_into`] to return. The command never buffers: the unit tests below and
    /// `benches/diagnostics.rs` (which includes this module) do.
    #[allow(dead_code)]
    pub fn buffered(format: ErrorFormat) -> Self {
        let mut r = Reporter::new(format, Color::Never, true);
        r.buffer = Some(Vec::new());
        r
    }

    /// Prints at most `n` diagnostics of one code in `human` and `short` (`None`: all).
    pub fn max_per_code(mut self, n: Option<usize>) -> Self {
        self.max_per_code = n;
        self
    }

    /// The `--constraints` sets, whose rules SARIF describes.
    pub fn constraint_sets(mut self, sets: &[Arc<MetaConstraints>]) -> Self {
        self.constraint_sets = sets.to_vec();
        self
    }

    /// Prints no warnings and no summary line.
    pub fn quiet(mut self, quiet: bool) -> Self {
        self.quiet = quiet;
        self
    }

    /// Prints diagnostics that point into `sources`, sorted by (stage, document, byte offset):
    /// the same input always prints the same list in the same order. Sources are numbered as
    /// the graph discovers them (the root, then its imports depth-first in import order), so
    /// the document key is the graph's document order; in a batch, a document shared with an
    /// earlier profile keeps its first number. Diagnostics with no place (the check of a
    /// resolved output, which has no source text) come after all others, by stage, in the order
    /// found. A diagnostic already reported in this run (same code, message and place: a limit
    /// hit in a document two profiles share, say) is not reported again. Under `-q`, warnings
    /// are dropped before they are counted.
    pub fn report(&mut self, diags: &[Diagnostic], sources: &SourceMap) {
        let mut sorted: Vec<&Diagnostic> = (diags.iter())
            .filter(|d| d.is_error() || !self.quiet)
            .collect();
        sorted.sort_by_cached_key(|d| {
            let span = d.primary.as_ref();
            let place = span.map(|s| (s.source, sources.offset(s).unwrap_or(usize::MAX)));
            (place.is_none(), codes::stage(d.code), place)
        });
        self.batch_warnings = 0;
        for d in sorted {
            let located = locate(d, sources);
            if !self.seen.insert(identity(&located)) {
                continue;
            }
            match d.severity {
                Severity::Error => self.errors += 1,
                Severity::Warning => self.warnings += 1,
            }
            if d.severity == Severity::Warning {
                self.batch_warnings += 1;
            }
            if !self.counts_in(d) {
                continue;
            }
            let text = match self.format {
                ErrorFormat::Human => human::render(d, &located, sources, self.color),
                ErrorFormat::Short => short(&located),
                ErrorFormat::Json => format!("{}\n", json_line(&located)),
                ErrorFormat::Github => github(&located),
                ErrorFormat::Sarif => {
                    self.sarif.push(located);
                    continue;
                }
            };
            self.write(text.as_bytes());
        }
    }

    /// Counts `d` and says whether it is printed: `human` and `short` print `max_per_code` of a
    /// code, `github` as many annotations of a type as a workflow step shows; json and sarif
    /// print every one.
    fn counts_in(&mut self, d: &Diagnostic) -> bool {
        let of_code = self.tally.get(&(d.severity, d.code)).map_or(0, |t| t.shown);
        let show = match self.format {
            ErrorFormat::Human | ErrorFormat::Short => {
                self.max_per_code.is_none_or(|n| of_code < n)
            }
            ErrorFormat::Github => {
                let of_type = self.tally.iter().filter(|((sev, _), _)| *sev == d.severity);
                of_type.map(|(_, t)| t.shown).sum::<usize>() < GITHUB_ANNOTATIONS_PER_TYPE
            }
            ErrorFormat::Json | ErrorFormat::Sarif => true,
        };
        let t = self.tally.entry((d.severity, d.code)).or_default();
        if show {
            t.shown += 1;
        } else {
            t.hidden += 1;
        }
        show
    }

    /// A problem with no diagnostic of the library behind it (a named file missing, say).
    pub fn report_plain(&mut self, d: Diagnostic) {
        self.report(&[d], &SourceMap::default());
    }

    /// Adds a line to the summary printed at the end of the run (not under `-q`, nor when
    /// machine-read diagnostics go to stderr, where a plain line would break their stream).
    pub fn summary(&mut self, line: String) {
        self.summary.push(line);
    }

    /// Ends the run: SARIF writes its one document here; `human` and `short` count what they
    /// left out, one line per code; `github` counts the annotations it did not make; then the
    /// totals by code and the summary lines.
    pub fn finish(self) {
        self.finish_into();
    }

    /// [`Reporter::finish`], returning what a [`Reporter::buffered`] kept (else nothing).
    pub fn finish_into(mut self) -> Vec<u8> {
        if self.format == ErrorFormat::Sarif {
            let mut text = serde_json::to_string_pretty(&sarif(&self.sarif, &self.constraint_sets))
                .unwrap_or_default();
            text.push('\n');
            self.write(text.as_bytes());
        }
        let mut tail = String::new();
        match self.format {
            ErrorFormat::Human | ErrorFormat::Short => {
                for ((_, code), t) in self.tally.iter().filter(|(_, t)| t.hidden > 0) {
                    tail.push_str(&paint(self.color, BLUE, &more_line(code, t.hidden)));
                    tail.push('\n');
                }
            }
            ErrorFormat::Github => tail.push_str(&github_notice(&self.tally)),
            ErrorFormat::Json | ErrorFormat::Sarif => {}
        }
        // Machine-read diagnostics on stderr (the document is on stdout) get no plain lines.
        let plain_stream = !self.format.is_machine() || self.to_stdout;
        let hidden = self.tally.values().any(|t| t.hidden > 0);
        // json and sarif are complete lists for programs: no plain lines among them.
        let tallied = !matches!(self.format, ErrorFormat::Json | ErrorFormat::Sarif);
        if tallied && plain_stream && (hidden || self.errors + self.warnings >= TOTALS_FROM) {
            for severity in [Severity::Error, Severity::Warning] {
                if let Some(line) = totals(&self.tally, severity) {
                    tail.push_str(&paint(self.color, severity_color(severity), &line));
                    tail.push('\n');
                }
            }
        }
        self.write(tail.as_bytes());
        if plain_stream && !self.quiet {
            let lines: String = self.summary.iter().map(|l| format!("{l}\n")).collect();
            match &mut self.buffer {
                Some(b) => b.extend_from_slice(lines.as_bytes()),
                // A closed pipe leaves nothing better to do with the line.
                None => drop(std::io::stderr().lock().write_all(lines.as_bytes())),
            }
        }
        self.buffer.unwrap_or_default()
    }

    fn write(&mut self, bytes: &[u8]) {
        if bytes.is_empty() {
            return;
        }
        if let Some(b) = &mut self.buffer {
            b.extend_from_slice(bytes);
            return;
        }
        // A closed pipe or a full disk leaves nothing better to do with the message.
        let _ = if self.to_stdout {
            std::io::stdout().lock().write_all(bytes)
        } else {
            std::io::stderr().lock().write_all(bytes)
        };
    }
}

const BLUE: &str = "\u{1b}[34m";
const RESET: &str = "\u{1b}[0m";

/// `text` in `color` when `on` (and there is text), else as it is.
pub(super) fn paint(on: bool, color: &str, text: &str) -> String {
    if on && !text.is_empty() {
        format!("{color}{text}{RESET}")
    } else {
        text.to_owned()
    }
}

fn severity_color(s: Severity) -> &'static str {
    match s {
        Severity::Error => "\u{1b}[1;31m",
        Severity::Warning => "\u{1b}[1;33m",
    }
}

/// What makes two reports the same: code, message and rendered place (file, line, column), so a
/// document read in two runs of a batch is recognised by its name, not its id in one run.
fn identity(d: &Located) -> u64 {
    let mut h = std::hash::DefaultHasher::new();
    d.code.hash(&mut h);
    d.message.hash(&mut h);
    d.severity.hash(&mut h);
    if let Some(p) = &d.place {
        (&p.file, p.line, p.column).hash(&mut h);
    }
    h.finish()
}

/// `… and 96 more `code` (its summary; `--allow CODE` silences it)`.
fn more_line(code: &str, hidden: usize) -> String {
    let info = codes::lookup(code);
    let mut why: Vec<&str> = info.map(|c| c.summary).into_iter().collect();
    if info.is_some_and(|c| c.severity == Severity::Warning) {
        why.push("`--allow CODE` silences it");
    }
    why.push("`--max-per-code all` shows all");
    format!("… and {hidden} more `{code}` ({})", why.join("; "))
}

/// `warning: 101 warnings (96 req-…, 5 select-unknown-id)`: one severity's total, then each
/// code's count, most frequent first (ties in the order first reported).
fn totals(tally: &IndexMap<(Severity, &'static str), Tally>, severity: Severity) -> Option<String> {
    let mut by_code: Vec<(&str, usize)> = tally
        .iter()
        .filter(|((s, _), _)| *s == severity)
        .map(|((_, code), t)| (*code, t.shown + t.hidden))
        .collect();
    by_code.sort_by_key(|&(_, n)| std::cmp::Reverse(n));
    let total: usize = by_code.iter().map(|&(_, n)| n).sum();
    if total == 0 {
        return None;
    }
    let list: Vec<String> = by_code.iter().map(|(c, n)| format!("{n} {c}")).collect();
    Some(format!(
        "{severity}: {} ({})",
        plural(total, &severity.to_string()),
        list.join(", ")
    ))
}

/// `1 warning`, `2 warnings`.
pub fn plural(n: usize, noun: &str) -> String {
    if n == 1 {
        format!("{n} {noun}")
    } else {
        format!("{n} {noun}s")
    }
}

/// `::notice::…` naming what was not annotated, or nothing when everything was.
fn github_notice(tally: &IndexMap<(Severity, &'static str), Tally>) -> String {
    let hidden = |s: Severity| -> usize {
        tally
            .iter()
            .filter(|((sev, _), _)| *sev == s)
            .map(|(_, t)| t.hidden)
            .sum()
    };
    let parts: Vec<String> = [Severity::Error, Severity::Warning]
        .into_iter()
        .filter(|&s| hidden(s) > 0)
        .map(|s| plural(hidden(s), &s.to_string()).replacen(' ', " more ", 1))
        .collect();
    if parts.is_empty() {
        return String::new();
    }
    let text = format!(
        "{} not annotated (a workflow step shows {GITHUB_ANNOTATIONS_PER_TYPE} of each type); \
         see the totals in the log, or use --error-format sarif",
        parts.join(" and ")
    );
    format!("::notice title=oscalc::{}\n", gh_escape(&text, false))
}

fn locate(d: &Diagnostic, sources: &SourceMap) -> Located {
    let primary = d.primary.as_ref().map(|s| place(s, sources));
    let labels = d
        .labels
        .iter()
        .map(|l| (place(&l.span, sources), l.message.clone()))
        .collect();
    Located {
        severity: d.severity,
        code: d.code,
        message: d.message.clone(),
        place: primary,
        labels,
        trace: d.trace.iter().map(|t| place(t, sources)).collect(),
        hints: d.hints.clone(),
    }
}

fn place(span: &Span, sources: &SourceMap) -> Place {
    let file = sources.display_name(span.source);
    let pointer = match &span.at {
        At::Pointer(p) => Some(p.clone()),
        At::Offset(_) => None,
    };
    // A place that cannot be found is the start of the file.
    let first = LineCol { line: 1, column: 1 };
    let (a, b) = match (sources.get(span.source), sources.offset(span)) {
        (Some(src), Some(start)) => {
            let end = token_end(&src.bytes, start);
            let at = |o| src.index.line_col(&src.bytes, o);
            (at(start), at(end))
        }
        _ => (first, first),
    };
    Place {
        file,
        line: a.line,
        column: a.column,
        end_line: b.line,
        end_column: b.column,
        pointer,
    }
}

/// The end of the value or tag that starts at `start`: a JSON string to its closing quote, an
/// XML tag to its `>`, anything else to the next delimiter; never past the line.
fn token_end(bytes: &[u8], start: usize) -> usize {
    let rest = bytes.get(start..).unwrap_or_default();
    let line = rest.iter().position(|&b| b == b'\n').unwrap_or(rest.len());
    let rest = rest.get(..line).unwrap_or_default();
    let len = match rest.first() {
        Some(b'"') => rest
            .iter()
            .enumerate()
            .skip(1)
            .find(|&(i, &b)| b == b'"' && rest.get(i.wrapping_sub(1)) != Some(&b'\\'))
            .map_or(rest.len(), |(i, _)| i + 1),
        Some(b'<') => rest
            .iter()
            .position(|&b| b == b'>')
            .map_or(rest.len(), |i| i + 1),
        Some(_) => rest
            .iter()
            .position(|b| b",}] \t\r".contains(b))
            .unwrap_or(rest.len()),
        None => 0,
    };
    start + len.max(usize::from(!rest.is_empty()))
}

fn short(d: &Located) -> String {
    let via = imported_by(d)
        .map(|c| format!(" ({c})"))
        .unwrap_or_default();
    let at = (d.place.as_ref())
        .map(|p| format!("{}:{}:{}: ", p.file, p.line, p.column))
        .unwrap_or_default();
    format!("{at}{}[{}]: {}{via}\n", d.severity, d.code, d.message)
}

/// `imported by a.xml:12:5, imported by root.json:4:14`: the import chain, innermost first.
fn imported_by(d: &Located) -> Option<String> {
    let steps: Vec<String> = (d.trace.iter())
        .map(|t| format!("imported by {}:{}:{}", t.file, t.line, t.column))
        .collect();
    (!steps.is_empty()).then(|| steps.join(", "))
}

/// `in b.json, imported by a.xml:12:5`: the primary file, then the import chain.
fn chain(d: &Located) -> Option<String> {
    let via = imported_by(d)?;
    let own = d
        .place
        .as_ref()
        .map(|p| format!("in {}, ", p.file))
        .unwrap_or_default();
    Some(format!("{own}{via}"))
}

fn json_line(d: &Located) -> Value {
    let p = d.place.as_ref();
    json!({
        "severity": d.severity.to_string(),
        "code": d.code,
        "message": d.message,
        "file": p.map(|p| p.file.clone()),
        "line": p.map(|p| p.line),
        "column": p.map(|p| p.column),
        "end_line": p.map(|p| p.end_line),
        "end_column": p.map(|p| p.end_column),
        "pointer": p.and_then(|p| p.pointer.clone()),
        "trace": d.trace.iter().map(|t| json!({
            "file": t.file, "line": t.line, "column": t.column,
        })).collect::<Vec<_>>(),
        "hints": d.hints,
    })
}

/// GitHub's workflow-command escaping: `%`, CR and LF in data; also `:` and `,` in properties.
fn gh_escape(s: &str, property: bool) -> String {
    let mut out = s
        .replace('%', "%25")
        .replace('\r', "%0D")
        .replace('\n', "%0A");
    if property {
        out = out.replace(':', "%3A").replace(',', "%2C");
    }
    out
}

fn github(d: &Located) -> String {
    let mut props = Vec::new();
    if let Some(p) = &d.place {
        props.push(format!("file={}", gh_escape(&p.file, true)));
        props.push(format!("line={}", p.line));
        props.push(format!("col={}", p.column));
        props.push(format!("endLine={}", p.end_line));
        props.push(format!("endColumn={}", p.end_column));
    }
    props.push(format!("title={}", gh_escape(d.code, true)));
    let mut message = d.message.clone();
    if let Some(c) = chain(d) {
        message.push_str(&format!("\n{c}"));
    }
    for h in &d.hints {
        message.push_str(&format!("\nhelp: {h}"));
    }
    format!(
        "::{} {}::{}\n",
        d.severity,
        props.join(","),
        gh_escape(&message, false)
    )
}

fn sarif(found: &[Located], constraint_sets: &[Arc<MetaConstraints>]) -> Value {
    let rules: IndexSet<&str> = found.iter().map(|d| d.code).collect();
    let rule = |code: &str| match codes::lookup(code) {
        Some(info) => json!({"id": code, "shortDescription": {"text": info.summary}}),
        // A constraint's rule: its help text (remarks, message or what it checks).
        None => {
            let help =
                oscalc::check::constraints::describe(code, constraint_sets).unwrap_or_default();
            let short = help.split("\n\n").next().unwrap_or_default();
            json!({
                "id": code,
                "shortDescription": {"text": short},
                "fullDescription": {"text": help},
                "help": {"text": help},
            })
        }
    };
    let results: Vec<Value> = found.iter().map(sarif_result).collect();
    json!({
        "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
        "version": "2.1.0",
        "runs": [{
            "tool": {"driver": {
                "name": "oscalc",
                "version": env!("CARGO_PKG_VERSION"),
                "rules": rules.iter().map(|c| rule(c)).collect::<Vec<_>>(),
            }},
            "results": results,
        }],
    })
}

fn sarif_location(p: &Place, message: Option<&str>) -> Value {
    let mut loc = json!({"physicalLocation": {
        "artifactLocation": {"uri": p.file.replace('\\', "/")},
        "region": {"startLine": p.line, "startColumn": p.column,
                   "endLine": p.end_line, "endColumn": p.end_column},
    }});
    if let (Some(m), Some(obj)) = (message, loc.as_object_mut()) {
        obj.insert("message".to_owned(), json!({"text": m}));
    }
    loc
}

fn sarif_result(d: &Located) -> Value {
    let mut related: Vec<Value> = d
        .labels
        .iter()
        .map(|(p, m)| sarif_location(p, Some(m)))
        .collect();
    // The import chain: each site says which file it imports.
    let imported = d.place.iter().chain(&d.trace).map(|p| p.file.as_str());
    for (site, file) in d.trace.iter().zip(imported) {
        related.push(sarif_location(site, Some(&format!("imports {file}"))));
    }
    let mut r = json!({
        "ruleId": d.code,
        "level": d.severity.to_string(),
        "message": {"text": d.message},
        "locations": d.place.iter().map(|p| sarif_location(p, None)).collect::<Vec<_>>(),
        "relatedLocations": related,
    });
    if !d.hints.is_empty()
        && let Some(obj) = r.as_object_mut()
    {
        obj.insert("properties".to_owned(), json!({"hints": d.hints}));
    }
    r
}

#[cfg(test)]
mod tests {
    use super::*;

    fn located() -> Located {
        Located {
            severity: Severity::Error,
            code: "ref-dangling",
            message: "a, b: 100%\nnext".to_owned(),
            place: Some(Place {
                file: "dir,x/a:b.json".to_owned(),
                line: 3,
                column: 7,
                end_line: 3,
                end_column: 12,
                pointer: Some("/catalog/controls/0".to_owned()),
            }),
            labels: Vec::new(),
            trace: vec![Place {
                file: "p.xml".to_owned(),
                line: 4,
                column: 9,
                end_line: 4,
                end_column: 20,
                pointer: None,
            }],
            hints: Vec::new(),
        }
    }

    #[test]
    fn github_escapes_properties_and_data() {
        assert_eq!(
            github(&located()),
            "::error file=dir%2Cx/a%3Ab.json,line=3,col=7,endLine=3,endColumn=12,title=ref-dangling\
             ::a, b: 100%25%0Anext%0Ain dir,x/a:b.json, imported by p.xml:4:9\n"
        );
    }

    #[test]
    fn short_is_file_line_col_severity_code_message() {
        assert_eq!(
            short(&located()),
            "dir,x/a:b.json:3:7: error[ref-dangling]: a, b: 100%\nnext (imported by p.xml:4:9)\n"
        );
    }

    #[test]
    fn sarif_result_has_region_and_rule() {
        let doc = sarif(&[located()], &[]);
        let r = &doc["runs"][0]["results"][0];
        assert_eq!(r["ruleId"], "ref-dangling");
        assert_eq!(
            r["locations"][0]["physicalLocation"]["region"]["startColumn"],
            7
        );
        assert_eq!(
            doc["runs"][0]["tool"]["driver"]["rules"][0]["id"],
            "ref-dangling"
        );
        assert_eq!(doc["version"], "2.1.0");
        let related = &r["relatedLocations"][0];
        assert_eq!(related["message"]["text"], "imports dir,x/a:b.json");
        assert_eq!(related["physicalLocation"]["region"]["startLine"], 4);
    }

    #[test]
    fn short_prints_max_per_code_then_counts_the_rest_and_totals() {
        let diags: Vec<Diagnostic> = (0..7)
            .map(|i| Diagnostic::warning("select-unknown-id", format!("with-id `c{i}`")))
            .chain([Diagnostic::error("ref-dangling", "link `#x`")])
            .collect();
        let mut r = Reporter::buffered(ErrorFormat::Short).max_per_code(Some(2));
        r.report(&diags, &SourceMap::default());
        // By stage (references before resolution); the same batch again is all repeats.
        r.report(&diags, &SourceMap::default());
        r.summary("checked 1 file: 1 error, 7 warnings".to_owned());
        let text = String::from_utf8(r.finish_into()).expect("UTF-8");
        assert_eq!(
            text,
            "error[ref-dangling]: link `#x`\n\
             warning[select-unknown-id]: with-id `c0`\n\
             warning[select-unknown-id]: with-id `c1`\n\
             … and 5 more `select-unknown-id` (with-id names no control of the import; \
             `--allow CODE` silences it; `--max-per-code all` shows all)\n\
             error: 1 error (1 ref-dangling)\n\
             warning: 7 warnings (7 select-unknown-id)\n\
             checked 1 file: 1 error, 7 warnings\n"
        );
    }

    #[test]
    fn max_per_code_takes_a_number_or_all() {
        assert_eq!("all".parse(), Ok(MaxPerCode(None)));
        assert_eq!("0".parse(), Ok(MaxPerCode(Some(0))));
        assert!("-1".parse::<MaxPerCode>().is_err());
    }

    #[test]
    fn token_end_spans_json_string_and_xml_tag() {
        assert_eq!(token_end(br#"  "a\"b", 1"#, 2), 8);
        assert_eq!(token_end(b"<control id=\"x\">\n", 0), 16);
        assert_eq!(token_end(b"123,", 0), 3);
        assert_eq!(token_end(b"", 0), 0);
    }
}
