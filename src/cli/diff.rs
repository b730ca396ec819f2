//! `oscalc diff OLD NEW`: what changed between two baselines.
//!
//! Stage: a command of its own, after resolution. In: two documents the user names, each a
//! profile (resolved first, with the import flags and switches `resolve` takes) or a catalog
//! (a resolved catalog is one), JSON, XML or YAML in any mix; `--format`, `--color`,
//! `--exit-code`. Out: the library's [`Diff`] rendered on standard output (through
//! `output.rs`) as coloured text, Markdown for a pull-request comment (`diff/markdown.rs`) or
//! JSON for tools; diagnostics on standard error.
//!
//! Exit code: 1 when an input is wrong (as `resolve`), 2 when the run failed (usage, a named file
//! unreadable); else 0, or with `--exit-code` 1 when the two differ (as `git diff`).

mod markdown;
mod text;

use super::diagnostics::Reporter;
use super::inputs::{InputArgs, Inputs};
use super::output::{self, Target};
use super::{Common, imports, reported};
use oscalc::diag::Diagnostic;
use oscalc::diff::{Diff, Limits};
use oscalc::resolve::{ResolvedCatalog, Session};
use std::path::PathBuf;
use std::process::ExitCode;
use url::Url;

/// Flags of `oscalc diff`.
#[derive(Debug, clap::Args)]
pub(super) struct DiffArgs {
    /// The baseline before: a profile (resolved first) or a catalog; `-` is standard input.
    old: PathBuf,
    /// The baseline after: a profile (resolved first) or a catalog; `-` is standard input.
    new: PathBuf,
    /// How the difference is printed: `text` (coloured on a terminal, see --color), `markdown`
    /// (for a pull-request comment) or `json` (for tools).
    #[arg(long, value_enum, default_value_t)]
    format: DiffFormat,
    /// Exit 1 when the two differ, 0 when they do not (as `git diff --exit-code`).
    #[arg(long)]
    exit_code: bool,
    /// Resolve and read without checking the inputs against the schema.
    #[arg(long)]
    no_validate: bool,
    #[command(flatten)]
    imports: imports::ImportArgs,
    #[command(flatten)]
    inputs: InputArgs,
    #[command(flatten)]
    common: Common,
}

/// The values of `--format`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, clap::ValueEnum)]
enum DiffFormat {
    /// Lines for a person, coloured on a terminal.
    #[default]
    Text,
    /// Markdown for a pull-request comment.
    Markdown,
    /// One JSON object for tools.
    Json,
}

/// The two sides as the output names them.
struct Names {
    old: String,
    new: String,
}

/// Runs `oscalc diff`.
pub(super) fn run(args: &DiffArgs) -> ExitCode {
    let common = &args.common;
    let (world, mut opts) = match common.setup(&args.imports) {
        Ok(s) => s,
        Err(code) => return code,
    };
    opts.validate_input = !args.no_validate;
    let mut inputs = Inputs::new(world, opts.max_file_size, &args.inputs);
    // The difference goes to stdout: diagnostics, in every format, go to stderr.
    let mut reporter = common.reporter(false);
    let code = match name_both(&mut inputs, args, &mut reporter) {
        Err(code) => code,
        Ok((old, new)) => {
            let mut session = Session::new();
            let old_side = oscalc::diff::read(&mut session, &inputs, &old, &opts);
            let old_side = reported(&mut reporter, old_side, &session.sources);
            let new_side = oscalc::diff::read(&mut session, &inputs, &new, &opts);
            let sides = (
                old_side,
                reported(&mut reporter, new_side, &session.sources),
            );
            match sides {
                (Ok(o), Ok(n)) => {
                    let names = Names {
                        old: oscalc::source::display_uri(&old),
                        new: oscalc::source::display_uri(&new),
                    };
                    show(args, &names, &o, &n, &mut reporter)
                }
                (o, n) => o.err().unwrap_or(0).max(n.err().unwrap_or(0)),
            }
        }
    };
    reporter.finish();
    ExitCode::from(code)
}

/// The URIs of OLD and NEW, or exit code 2 (reported) when either cannot be read.
fn name_both(
    inputs: &mut Inputs,
    args: &DiffArgs,
    reporter: &mut Reporter,
) -> Result<(Url, Url), u8> {
    match (inputs.name(&args.old), inputs.name(&args.new)) {
        (Ok(o), Ok(n)) => Ok((o, n)),
        (o, n) => {
            for d in [o.err(), n.err()].into_iter().flatten() {
                reporter.report_plain(*d);
            }
            Err(2)
        }
    }
}

/// Computes, prints and judges the difference; the exit code.
fn show(
    args: &DiffArgs,
    names: &Names,
    old: &ResolvedCatalog,
    new: &ResolvedCatalog,
    reporter: &mut Reporter,
) -> u8 {
    let diff = oscalc::diff::diff(&old.catalog, &new.catalog, &Limits::default());
    let rendered = match args.format {
        DiffFormat::Text => {
            let tty = std::io::IsTerminal::is_terminal(&std::io::stdout());
            text::render(&diff, names, args.common.color.on(tty))
        }
        DiffFormat::Markdown => markdown::render(&diff, names),
        DiffFormat::Json => json(&diff, names),
    };
    if let Err(e) = output::write(&Target::Stdout, rendered.as_bytes()) {
        reporter.report_plain(Diagnostic::error(e.code(), e.to_string()));
        return 2;
    }
    u8::from(args.exit_code && !diff.is_empty())
}

/// `{"old": NAME, "new": NAME, "counts": {…}, "controls": […]}`, one object and a newline.
fn json(diff: &Diff, names: &Names) -> String {
    #[derive(serde::Serialize)]
    struct Report<'a> {
        old: &'a str,
        new: &'a str,
        #[serde(flatten)]
        diff: &'a Diff,
    }
    let report = Report {
        old: &names.old,
        new: &names.new,
        diff,
    };
    // Serializing plain strings and numbers cannot fail; an empty object would be a bug shown.
    let mut s = serde_json::to_string_pretty(&report).unwrap_or_default();
    s.push('\n');
    s
}
