//! The command line: arguments → [`Options`], commands, rendering of diagnostics, atomic output.
//! Nothing here is needed by library users.

pub mod diagnostics;
mod output;
mod summary;

use crate::diag::{Diagnostic, Errors, LintLevels, Warned};
use crate::load::Format;
use crate::options::{Identity, Options};
use crate::resolve::{ResolvedCatalog, Session};
use crate::world::FsWorld;
use clap::{Parser, Subcommand, ValueEnum};
use diagnostics::{Color, ErrorFormat, MaxPerCode, Reporter};
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use url::Url;

/// oscalc: resolve OSCAL profiles into catalogs.
#[derive(Debug, Parser)]
#[command(name = "oscalc", version, about, long_about = None, after_help = EXIT_HELP)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

const EXIT_HELP: &str = "Exit status:
  0  done; warnings allowed (unless --deny-warnings or --deny CODE)
  1  the input is wrong: invalid catalog or profile, broken or missing import, failed resolution,
     invalid output (nothing is written)
  2  the run failed: bad usage, a named file unreadable, output not writable";

#[derive(Debug, Subcommand)]
enum Command {
    /// Resolve one or more profiles into resolved-profile catalogs.
    Resolve(ResolveArgs),
    /// Check catalogs and profiles (JSON or XML): syntax, the OSCAL 1.2.3 schema, references.
    Validate(ValidateArgs),
}

/// Flags every command takes.
#[derive(Debug, clap::Args)]
struct Common {
    /// How diagnostics are printed.
    #[arg(long, value_enum, default_value_t)]
    error_format: ErrorFormat,
    /// Colour in `human` diagnostics.
    #[arg(long, value_enum, default_value_t)]
    color: Color,
    /// Treat warnings as errors (exit 1).
    #[arg(long)]
    deny_warnings: bool,
    /// Treat this warning code as an error (repeatable).
    #[arg(long, value_name = "CODE")]
    deny: Vec<String>,
    /// Do not report this warning code (repeatable).
    #[arg(long, value_name = "CODE")]
    allow: Vec<String>,
    /// Largest input file in bytes.
    #[arg(long)]
    max_file_size: Option<u64>,
    /// Print nothing but errors: no warnings, no summary line.
    #[arg(short, long)]
    quiet: bool,
    /// Diagnostics of one code printed (`human`, `short`) before the rest are counted in one
    /// line: a number, or `all`.
    #[arg(long, value_name = "N|all", default_value = "5")]
    max_per_code: MaxPerCode,
}

impl Common {
    /// The reporter these flags ask for; `stdout_free` says the command writes nothing else there.
    fn reporter(&self, stdout_free: bool) -> Reporter {
        Reporter::new(self.error_format, self.color, stdout_free)
            .max_per_code(self.max_per_code.0)
            .quiet(self.quiet)
    }

    /// The lint levels of `--deny-warnings`, `--deny` and `--allow`; an unknown code is a usage
    /// error, reported here with the registered codes close to it.
    fn lints(&self) -> Result<LintLevels, ExitCode> {
        LintLevels::new(self.deny_warnings, &self.deny, &self.allow).map_err(|e| {
            let near = match e.near.as_slice() {
                [] => String::new(),
                near => format!(
                    "\n  did you mean {}?",
                    near.iter()
                        .map(|c| format!("`{c}`"))
                        .collect::<Vec<_>>()
                        .join(" or ")
                ),
            };
            eprintln!("error: {e} (in --deny or --allow){near}");
            ExitCode::from(2)
        })
    }

    /// Prints a batch of diagnostics, with the lint levels applied (the library's sink already
    /// did for its own; doing it again changes nothing) and warnings dropped under `--quiet`.
    fn report(
        &self,
        reporter: &mut Reporter,
        diags: &[Diagnostic],
        sources: &crate::source::SourceMap,
        lints: &LintLevels,
    ) {
        let shown: Vec<Diagnostic> = diags
            .iter()
            .filter_map(|d| lints.apply(d.clone()))
            .filter(|d| d.is_error() || !self.quiet)
            .collect();
        reporter.report(&shown, sources);
    }
}

#[derive(Debug, clap::Args)]
struct ValidateArgs {
    /// Catalog and profile files (JSON or XML).
    #[arg(required = true)]
    files: Vec<PathBuf>,
    #[command(flatten)]
    common: Common,
}

#[derive(Debug, Clone, Copy, ValueEnum)]
enum OutFormat {
    Json,
    Xml,
}

#[derive(Debug, clap::Args)]
struct ResolveArgs {
    /// Profile files (JSON or XML).
    #[arg(required = true)]
    profiles: Vec<PathBuf>,
    /// Output file (or directory, ending in `/`, for several profiles); stdout if absent.
    #[arg(short, long)]
    output: Option<PathBuf>,
    /// Output format; default: the output file's extension, else JSON.
    #[arg(long, alias = "format", value_enum)]
    to: Option<OutFormat>,
    /// Allow http(s) imports.
    #[arg(long)]
    allow_remote: bool,
    /// Rewrite hrefs starting with PREFIX to files under DIR (repeatable): PREFIX=DIR.
    #[arg(long = "map", value_name = "PREFIX=DIR")]
    maps: Vec<String>,
    /// Same inputs, same bytes: a name-based uuid and a fixed last-modified
    /// (SOURCE_DATE_EPOCH, else the profile's own).
    #[arg(long)]
    reproducible: bool,
    /// Keep unreferenced loose parameters and resources.
    #[arg(long)]
    no_prune: bool,
    /// Write the output without checking it against the schema and references first.
    #[arg(long)]
    no_validate: bool,
    #[command(flatten)]
    common: Common,
}

/// Runs the command line and returns the exit code.
pub fn run() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(c) => c,
        Err(e) => {
            let _ = e.print();
            return if e.use_stderr() {
                ExitCode::from(2)
            } else {
                ExitCode::SUCCESS
            };
        }
    };
    match cli.command {
        Command::Resolve(args) => resolve(&args),
        Command::Validate(args) => validate(&args),
    }
}

fn validate(args: &ValidateArgs) -> ExitCode {
    let common = &args.common;
    let mut world = FsWorld::new();
    let lints = match common.lints() {
        Ok(l) => l,
        Err(code) => return code,
    };
    let mut opts = Options {
        lints,
        ..Options::default()
    };
    if let Some(n) = common.max_file_size {
        opts.max_file_size = n;
        world = world.with_max_file_size(n);
    }
    let mut reporter = common.reporter(true);
    let mut worst = 0u8;
    for file in &args.files {
        let code = match named_file(file) {
            Err(d) => {
                reporter.report_plain(*d);
                2
            }
            Ok(uri) => {
                let mut sources = crate::source::SourceMap::default();
                let result = crate::validate::validate_in(&world, &uri, &opts, &mut sources);
                let mut all = result.warnings;
                let code = match result.output {
                    Ok(_) => 0,
                    Err(errors) => {
                        let code = failure_code(&errors);
                        all.extend(errors);
                        code
                    }
                };
                common.report(&mut reporter, &all, &sources, &opts.lints);
                code
            }
        };
        worst = worst.max(code);
    }
    summary::validated(&mut reporter, args.files.len());
    reporter.finish();
    ExitCode::from(worst)
}

/// A file named on the command line, as a `file:` URI; a located-nowhere diagnostic if it is
/// missing, a directory or not a usable path.
fn named_file(path: &Path) -> Result<Url, Box<Diagnostic>> {
    let fail = |code, why: String| Box::new(Diagnostic::error(code, why));
    let abs = std::path::absolute(path)
        .map_err(|e| fail("fetch-io", format!("{}: {e}", path.display())))?;
    if abs.is_dir() {
        let why = format!("{} is a directory, not a file", path.display());
        return Err(fail("fetch-io", why));
    }
    if !abs.is_file() {
        let why = format!("{} does not exist", path.display());
        return Err(fail("fetch-not-found", why));
    }
    Url::from_file_path(&abs).map_err(|()| {
        fail(
            "fetch-io",
            format!("{} is not a usable path", path.display()),
        )
    })
}

/// 2 when a named file itself could not be read (no place in any document), else 1.
fn failure_code(errors: &[Diagnostic]) -> u8 {
    let unreadable = errors
        .iter()
        .any(|d| d.code.starts_with("fetch-") && d.primary.is_none() && d.trace.is_empty());
    if unreadable { 2 } else { 1 }
}

fn resolve(args: &ResolveArgs) -> ExitCode {
    let mut world = FsWorld::new().with_remote(args.allow_remote);
    for m in &args.maps {
        let Some((prefix, dir)) = m.split_once('=') else {
            eprintln!("error: --map takes PREFIX=DIR, got `{m}`");
            return ExitCode::from(2);
        };
        world = world.with_map(prefix, dir);
    }
    let lints = match args.common.lints() {
        Ok(l) => l,
        Err(code) => return code,
    };
    let mut opts = Options {
        validate_output: !args.no_validate,
        lints,
        ..Options::default()
    };
    if let Some(n) = args.common.max_file_size {
        opts.max_file_size = n;
        world = world.with_max_file_size(n);
    }
    opts.no_prune = args.no_prune;
    let epoch = std::env::var("SOURCE_DATE_EPOCH").ok();
    if args.reproducible || epoch.is_some() {
        let at = epoch
            .and_then(|e| e.trim().parse::<i64>().ok())
            .and_then(|s| time::OffsetDateTime::from_unix_timestamp(s).ok());
        opts.identity = Identity::Reproducible(at);
    }
    let several = args.profiles.len() > 1;
    let out_dir = args
        .output
        .as_ref()
        .filter(|o| several || o.to_string_lossy().ends_with('/') || o.is_dir());
    // Machine-readable diagnostics may use stdout only when the document does not.
    let stdout_free = args.output.is_some();
    let mut reporter = args.common.reporter(stdout_free);
    let out_dir = out_dir.map(PathBuf::as_path);
    let mut worst = 0u8;
    let mut jobs = Vec::new();
    for profile in &args.profiles {
        match prepare(&opts, args, profile, out_dir) {
            Ok(job) => jobs.push(job),
            Err(d) => {
                reporter.report_plain(*d);
                worst = 2;
            }
        }
    }
    // One session for all profiles: each shared document is read and parsed once; independent
    // profiles resolve in parallel; results come back in argument order.
    let mut session = Session::new();
    let threads = std::thread::available_parallelism().map_or(1, usize::from);
    let pairs: Vec<(Url, Options)> = jobs
        .iter()
        .map(|j| (j.uri.clone(), j.opts.clone()))
        .collect();
    let results = session.resolve_many(&world, &pairs, threads);
    for (job, result) in jobs.iter().zip(results) {
        worst = worst.max(deliver(&session, args, job, result, &mut reporter));
    }
    reporter.finish();
    ExitCode::from(worst)
}

/// One profile to resolve: where it is, its options, where its output goes.
struct Job {
    uri: Url,
    opts: Options,
    target: Option<PathBuf>,
    format: Format,
}

fn prepare(
    opts: &Options,
    args: &ResolveArgs,
    profile: &Path,
    out_dir: Option<&Path>,
) -> Result<Job, Box<Diagnostic>> {
    let uri = named_file(profile)?;
    let abs = uri
        .to_file_path()
        .unwrap_or_else(|()| profile.to_path_buf());
    let target: Option<PathBuf> = match (out_dir, &args.output) {
        (Some(dir), _) => {
            let stem = profile
                .file_stem()
                .map(|s| s.to_string_lossy().into_owned())
                .unwrap_or_default();
            let ext = match args.to {
                Some(OutFormat::Xml) => "xml",
                _ => "json",
            };
            Some(dir.join(format!("{stem}-resolved.{ext}")))
        }
        (None, Some(o)) => Some(o.clone()),
        (None, None) => None,
    };
    let format = match (args.to, &target) {
        (Some(OutFormat::Json), _) => Format::Json,
        (Some(OutFormat::Xml), _) => Format::Xml,
        (None, Some(t)) => Format::from_extension(&t.to_string_lossy()).unwrap_or(Format::Json),
        (None, None) => Format::Json,
    };
    let mut opts = opts.clone();
    opts.source_profile_href = Some(source_profile_href(&abs, target.as_deref()));
    Ok(Job {
        uri,
        opts,
        target,
        format,
    })
}

/// Reports one profile's diagnostics, checks its output and writes it; returns the exit code.
fn deliver(
    session: &Session,
    args: &ResolveArgs,
    job: &Job,
    result: Warned<Result<ResolvedCatalog, Errors>>,
    reporter: &mut Reporter,
) -> u8 {
    let common = &args.common;
    let lints = &job.opts.lints;
    let mut all = result.warnings;
    let resolved = match result.output {
        Ok(r) => r,
        Err(errors) => {
            let code = failure_code(&errors);
            all.extend(errors);
            common.report(reporter, &all, &session.sources, lints);
            return code;
        }
    };
    // An output that fails validation is an error, not a file. The check reads the typed
    // catalog member by member and builds no document-wide value, so the writer streams from
    // the same catalog afterwards.
    let checked = if job.opts.validate_output {
        crate::validate::output(&resolved)
    } else {
        Vec::new()
    };
    all.extend(checked.into_iter().filter_map(|d| lints.apply(d)));
    // XML is rendered before anything is reported, so a failure to render joins the batch;
    // JSON cannot fail to render and is streamed from the typed catalog as it is written.
    let xml = match (job.format, all.iter().any(Diagnostic::is_error)) {
        (Format::Xml, false) => match crate::emit::try_emit(&resolved, Format::Xml) {
            Ok(b) => Some(b),
            Err(d) => {
                all.push(*d);
                None
            }
        },
        _ => None,
    };
    common.report(reporter, &all, &session.sources, lints);
    if all.iter().any(Diagnostic::is_error) {
        return 1;
    }
    let target = job.target.as_deref();
    let written = match xml {
        Some(b) => output::write(target, &b),
        None => output::write_with(target, |w| {
            crate::emit::write_to(&resolved, job.format, w).map_err(std::io::Error::from)
        }),
    };
    match written {
        Ok(()) => {
            summary::resolved(reporter, &job.uri, target, &resolved);
            0
        }
        Err(e) => {
            eprintln!("error: {e}");
            2
        }
    }
}

/// The source-profile link: the profile's path relative to the output file's folder, with `/`.
fn source_profile_href(profile: &Path, out: Option<&Path>) -> String {
    let base = out
        .and_then(|o| std::path::absolute(o).ok())
        .and_then(|o| o.parent().map(Path::to_path_buf))
        .or_else(|| std::env::current_dir().ok());
    let rel = base.and_then(|b| relative(profile, &b));
    rel.unwrap_or_else(|| profile.to_path_buf())
        .to_string_lossy()
        .replace('\\', "/")
}

fn relative(path: &Path, base: &Path) -> Option<PathBuf> {
    let p: Vec<_> = path.components().collect();
    let b: Vec<_> = base.components().collect();
    let common = p.iter().zip(&b).take_while(|(x, y)| x == y).count();
    if common == 0 {
        return None;
    }
    let mut out = PathBuf::new();
    for _ in common..b.len() {
        out.push("..");
    }
    for c in p.get(common..)? {
        out.push(c);
    }
    Some(out)
}
