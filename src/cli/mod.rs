//! The command line: arguments → [`Options`], commands, rendering of diagnostics, atomic output.
//! Nothing here is needed by library users.

mod diagnostics;
mod output;

use crate::diag::Diagnostic;
use crate::load::Format;
use crate::options::{Identity, Options};
use crate::resolve::Session;
use crate::world::FsWorld;
use clap::{Parser, Subcommand, ValueEnum};
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

const EXIT_HELP: &str = "Exit status: 0 done (warnings allowed), 1 the input is wrong (broken profile, missing import, invalid output), 2 usage or I/O error.";

#[derive(Debug, Subcommand)]
enum Command {
    /// Resolve one or more profiles into resolved-profile catalogs.
    Resolve(ResolveArgs),
}

#[derive(Debug, Clone, Copy, ValueEnum)]
enum OutFormat {
    Json,
    Xml,
}

#[derive(Debug, Clone, Copy, ValueEnum, Default)]
enum ErrorFormat {
    #[default]
    Human,
    Short,
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
    /// How diagnostics are printed.
    #[arg(long, value_enum, default_value_t)]
    error_format: ErrorFormat,
    /// Largest input file in bytes.
    #[arg(long)]
    max_file_size: Option<u64>,
    /// Print nothing but errors.
    #[arg(short, long)]
    quiet: bool,
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
    }
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
    let mut opts = Options::default();
    if let Some(n) = args.max_file_size {
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
    if several {
        return ExitCode::from(resolve_batch(&world, &opts, args, out_dir));
    }
    let mut worst = 0u8;
    for profile in &args.profiles {
        let code = resolve_one(&world, &opts, args, profile, out_dir.map(PathBuf::as_path));
        worst = worst.max(code);
    }
    ExitCode::from(worst)
}

/// One profile of a batch, ready to resolve.
struct Job {
    uri: Url,
    opts: Options,
    target: Option<PathBuf>,
    format: Format,
}

/// Several profiles in one session: shared documents are parsed once and the profiles resolve
/// on scoped threads; diagnostics and outputs come in argument order, as one-by-one runs give.
fn resolve_batch(
    world: &FsWorld,
    opts: &Options,
    args: &ResolveArgs,
    out_dir: Option<&PathBuf>,
) -> u8 {
    let mut worst = 0u8;
    let mut jobs = Vec::new();
    for profile in &args.profiles {
        match prepare(opts, args, profile, out_dir.map(PathBuf::as_path)) {
            Ok(job) => jobs.push(job),
            Err(code) => worst = worst.max(code),
        }
    }
    let mut session = Session::new();
    let threads = std::thread::available_parallelism().map_or(1, usize::from);
    let pairs: Vec<(Url, Options)> = jobs
        .iter()
        .map(|j| (j.uri.clone(), j.opts.clone()))
        .collect();
    let results = session.resolve_many(world, &pairs, threads);
    for (job, result) in jobs.iter().zip(results) {
        let code = deliver(&session, args, job, result);
        worst = worst.max(code);
    }
    worst
}

fn prepare(
    opts: &Options,
    args: &ResolveArgs,
    profile: &Path,
    out_dir: Option<&Path>,
) -> Result<Job, u8> {
    let abs = match std::path::absolute(profile) {
        Ok(p) => p,
        Err(e) => {
            eprintln!("error: {}: {e}", profile.display());
            return Err(2);
        }
    };
    if !abs.is_file() {
        let why = if abs.is_dir() {
            "is a directory, not a file"
        } else {
            "does not exist"
        };
        eprintln!("error: {} {why}", profile.display());
        return Err(2);
    }
    let Ok(uri) = Url::from_file_path(&abs) else {
        eprintln!("error: {} is not a usable path", profile.display());
        return Err(2);
    };
    let (target, format) = target_and_format(args, profile, out_dir);
    let mut opts = opts.clone();
    opts.source_profile_href = Some(source_profile_href(&abs, target.as_deref()));
    Ok(Job {
        uri,
        opts,
        target,
        format,
    })
}

fn target_and_format(
    args: &ResolveArgs,
    profile: &Path,
    out_dir: Option<&Path>,
) -> (Option<PathBuf>, Format) {
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
    (target, format)
}

fn deliver(
    session: &Session,
    args: &ResolveArgs,
    job: &Job,
    result: crate::resolve::Outcome,
) -> u8 {
    let render = |ds: &[Diagnostic]| diagnostics::render(ds, &session.sources, args.error_format);
    if !args.quiet {
        render(&result.warnings);
    }
    match result.output {
        Ok(resolved) => {
            let bytes = crate::emit::emit(&resolved, job.format);
            match output::write(job.target.as_deref(), &bytes) {
                Ok(()) => 0,
                Err(e) => {
                    eprintln!("error: {e}");
                    2
                }
            }
        }
        Err(errors) => {
            render(&errors);
            1
        }
    }
}

fn resolve_one(
    world: &FsWorld,
    opts: &Options,
    args: &ResolveArgs,
    profile: &Path,
    out_dir: Option<&Path>,
) -> u8 {
    let abs = match std::path::absolute(profile) {
        Ok(p) => p,
        Err(e) => {
            eprintln!("error: {}: {e}", profile.display());
            return 2;
        }
    };
    if !abs.is_file() {
        let why = if abs.is_dir() {
            "is a directory, not a file"
        } else {
            "does not exist"
        };
        eprintln!("error: {} {why}", profile.display());
        return 2;
    }
    let Ok(uri) = Url::from_file_path(&abs) else {
        eprintln!("error: {} is not a usable path", profile.display());
        return 2;
    };
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
    let mut session = Session::new();
    let result = session.resolve(world, &uri, &opts);
    let render = |ds: &[Diagnostic]| diagnostics::render(ds, &session.sources, args.error_format);
    if !args.quiet {
        render(&result.warnings);
    }
    match result.output {
        Ok(resolved) => {
            let bytes = match crate::emit::try_emit(&resolved, format) {
                Ok(b) => b,
                Err(d) => {
                    render(&[*d]);
                    return 1;
                }
            };
            match output::write(target.as_deref(), &bytes) {
                Ok(()) => 0,
                Err(e) => {
                    eprintln!("error: {e}");
                    2
                }
            }
        }
        Err(errors) => {
            render(&errors);
            1
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
