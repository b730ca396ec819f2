//! Stage: none (the commands about the command line itself). In: the clap definition of the
//! command line, built at run time. Out: a shell completion script (`oscalc completions SHELL`)
//! or man pages (`oscalc man [DIR]`), on stdout or written atomically into a folder the user
//! named. Both are generated from the same definition the parser uses, so they cannot drift
//! from the flags; nothing here is written by hand.

use super::diagnostics::{Color, ErrorFormat, Reporter};
use super::output::{self, Target};
use clap::CommandFactory;
use clap_complete::Shell;
use oscalc::diag::Diagnostic;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

/// The name completions complete and man pages are titled by: the installed command's.
const BIN: &str = "oscalc";

#[derive(Debug, clap::Args)]
pub(super) struct CompletionsArgs {
    /// The shell to write the completion script for.
    #[arg(value_enum)]
    shell: Shell,
}

#[derive(Debug, clap::Args)]
pub(super) struct ManArgs {
    /// An existing folder to write `oscalc.1` and one page per command (`oscalc-resolve.1`, …)
    /// into; absent or `-`: `oscalc.1` on stdout.
    #[arg(value_name = "DIR")]
    dir: Option<PathBuf>,
}

/// Writes the completion script of `args.shell` to stdout.
pub(super) fn completions(args: &CompletionsArgs) -> ExitCode {
    let mut cmd = super::Cli::command();
    let mut script = Vec::new();
    clap_complete::generate(args.shell, &mut cmd, BIN, &mut script);
    finish(output::write(&Target::Stdout, &script))
}

/// Writes the main man page to stdout, or every page into `args.dir`.
pub(super) fn man(args: &ManArgs) -> ExitCode {
    let mut cmd = super::Cli::command().disable_help_subcommand(true);
    // Built once here, so each subcommand carries its display name (`oscalc-resolve`).
    cmd.build();
    match args.dir.as_deref().filter(|d| *d != Path::new("-")) {
        None => finish(page(&cmd).and_then(|b| output::write(&Target::Stdout, &b))),
        Some(dir) if !dir.is_dir() => finish(Err(output::WriteError::Unwritable {
            path: dir.to_path_buf(),
            why: "not an existing folder (man writes one page per command into a folder)".into(),
        })),
        Some(dir) => finish(pages(&cmd, dir)),
    }
}

/// The page of `cmd`, then of each of its visible subcommands, each written to its own file
/// (`oscalc.1`, `oscalc-resolve.1`) in `dir`; the first failure stops.
fn pages(cmd: &clap::Command, dir: &Path) -> Result<(), output::WriteError> {
    for sub in cmd.get_subcommands().filter(|s| !s.is_hide_set()) {
        pages(sub, dir)?;
    }
    let name = cmd.get_display_name().unwrap_or_else(|| cmd.get_name());
    let target = Target::Path(dir.join(format!("{name}.1")));
    output::write(&target, &page(cmd)?)
}

/// One command's man page in roff.
fn page(cmd: &clap::Command) -> Result<Vec<u8>, output::WriteError> {
    let mut roff = Vec::new();
    clap_mangen::Man::new(cmd.clone())
        // Every page, a subcommand's too, says which oscalc it documents.
        .source(format!("{BIN} {}", env!("CARGO_PKG_VERSION")))
        .render(&mut roff)
        .map_err(|source| output::WriteError::Io {
            path: PathBuf::from("<man page>"),
            source,
        })?;
    Ok(roff)
}

/// Exit 0, or report why a page or script was not written and exit 2 (the run failed).
fn finish(written: Result<(), output::WriteError>) -> ExitCode {
    match written {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            Reporter::new(ErrorFormat::default(), Color::default(), false)
                .report_plain(Diagnostic::error(e.code(), e.to_string()));
            ExitCode::from(2)
        }
    }
}
