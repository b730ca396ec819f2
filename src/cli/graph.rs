//! `oscalc graph`: the import graph of one profile, as an indented tree, Graphviz DOT or Mermaid.
//!
//! Stage: a command of its own, beside `resolve`. In: one profile the user names (`-` is
//! standard input), the import flags `resolve` takes, `--format`, `-o`. Out: the picture
//! `present::graph::draw` gives, written through `output.rs` (standard output by default), and
//! the diagnostics of reading and resolving the graph. A cycle or a failed import is drawn and
//! reported: the exit code is 1 then, as `resolve` would fail, but the picture is still written.

use super::Common;
use super::imports::ImportArgs;
use super::inputs::{InputArgs, Inputs};
use super::output::{self, Target};
use oscalc::diag::Diagnostic;
use oscalc::present::graph::{Style, draw, import_graph};
use oscalc::source::SourceMap;
use std::path::PathBuf;
use std::process::ExitCode;

/// Flags of `oscalc graph`.
#[derive(Debug, clap::Args)]
pub(super) struct GraphArgs {
    /// The profile (JSON, XML or YAML); `-` is standard input.
    profile: PathBuf,
    /// How the graph is drawn: `tree` (indented text), `dot` (Graphviz) or `mermaid`.
    #[arg(long, default_value = "tree", ignore_case = true, value_parser = super::switches::one_of([
        ("tree", Style::Tree), ("dot", Style::Dot), ("mermaid", Style::Mermaid)]))]
    format: Style,
    /// Output file; `-` or absent: standard output.
    #[arg(short, long)]
    output: Option<PathBuf>,
    #[command(flatten)]
    imports: ImportArgs,
    #[command(flatten)]
    inputs: InputArgs,
    #[command(flatten)]
    common: Common,
}

/// Runs `oscalc graph`: 0 drawn, 1 drawn but an import failed or the graph did not resolve
/// (or the profile did not load: nothing drawn), 2 usage, an unreadable profile or an
/// unwritable output.
pub(super) fn run(args: &GraphArgs) -> ExitCode {
    let (world, mut opts) = match args.common.setup(&args.imports) {
        Ok(s) => s,
        Err(code) => return code,
    };
    // The picture is of the imports: the inputs' schema is `validate`'s business.
    opts.validate_input = false;
    let target = Target::named(args.output.as_deref());
    let mut reporter = args.common.reporter(target != Target::Stdout);
    let mut inputs = Inputs::new(world, opts.max_file_size, &args.inputs);
    let uri = match inputs.name(&args.profile) {
        Ok(u) => u,
        Err(d) => {
            reporter.report_plain(*d);
            reporter.finish();
            return ExitCode::from(2);
        }
    };
    let mut sources = SourceMap::default();
    let (view, diags) = import_graph(&inputs, &uri, &opts, &mut sources);
    reporter.report(&diags, &sources);
    let failed = diags.iter().any(Diagnostic::is_error);
    let code = match view {
        None => super::failure_code(&diags),
        Some(view) => {
            let written = output::refuse_input(&target, &inputs.identities())
                .and_then(|()| output::write(&target, draw(&view, args.format).as_bytes()));
            match written {
                Ok(()) => u8::from(failed),
                Err(e) => {
                    reporter.report_plain(Diagnostic::error(e.code(), e.to_string()));
                    2
                }
            }
        }
    };
    reporter.finish();
    ExitCode::from(code)
}
