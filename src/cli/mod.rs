//! The command line: arguments → [`Options`], commands, rendering of diagnostics, atomic output.
//! A module of the `oscalc` binary, not of the library: it uses the library only through its
//! public `oscalc::` API, and clap stays here.

mod ahead;
mod completions;
mod constraints;
mod convert;
pub mod diagnostics;
mod diff;
mod graph;
mod imports;
mod inputs;
pub mod interrupt;
mod output;
mod provenance;
mod render;
mod summary;
mod switches;
mod targets;
mod walk;

use ahead::Ahead;
use clap::{Parser, Subcommand};
use diagnostics::{Color, ErrorFormat, MaxPerCode, Reporter};
use inputs::{InputArgs, Inputs};
use oscalc::diag::{Diagnostic, Errors, LintLevels, Warned};
use oscalc::load::Format;
use oscalc::metaschema::MetaConstraints;
use oscalc::options::{Identity, Options};
use oscalc::present::values::Style;
use oscalc::resolve::{ResolvedCatalog, Session};
use oscalc::world::FsWorld;
use output::Target;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::Arc;
use targets::Layout;
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
    /// Convert a catalog, profile or resolved catalog between JSON, XML and YAML, checked first.
    Convert(convert::ConvertArgs),
    /// Draw a profile's import graph: documents, back-matter resources, controls per import.
    Graph(graph::GraphArgs),
    /// Show what changed between two baselines (profiles, resolved first, or catalogs).
    Diff(diff::DiffArgs),
    /// Render a profile's resolved catalog, or a catalog, for people: HTML, Markdown or CSV.
    Render(render::RenderArgs),
    /// Print a shell completion script (bash, zsh, fish, powershell, elvish).
    Completions(completions::CompletionsArgs),
    /// Print the man page, or write one page per command into a folder.
    Man(completions::ManArgs),
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
    /// Also apply the constraints of this Metaschema meta-constraints document (repeatable), as
    /// OSCAL's own are applied: `validate` reports every finding, `resolve` checks its output.
    #[arg(long, value_name = "FILE")]
    constraints: Vec<PathBuf>,
    /// Largest input file in bytes.
    #[arg(long)]
    max_file_size: Option<u64>,
    /// Most controls a profile may resolve to, every copy counted (`validate` resolves the
    /// profiles a profile imports); checked before they are built.
    #[arg(long, value_name = "N")]
    max_controls: Option<usize>,
    /// Print nothing but errors: no warnings, no summary line.
    #[arg(short, long)]
    quiet: bool,
    /// Diagnostics of one code printed (`human`, `short`) before the rest are counted in one
    /// line: a number, or `all`.
    #[arg(long, value_name = "N|all", default_value = "5")]
    max_per_code: MaxPerCode,
    /// The switches on the specification's open points (`validate` resolves imported profiles).
    #[command(flatten)]
    switches: switches::Switches,
}

impl Common {
    /// The reporter these flags ask for; `stdout_free` says the command writes nothing else there.
    fn reporter(&self, stdout_free: bool) -> Reporter {
        Reporter::new(self.error_format, self.color, stdout_free)
            .max_per_code(self.max_per_code.0)
            .quiet(self.quiet)
    }

    /// The sets of `--constraints`, and each `oscal:` code of `--deny`/`--allow` checked against
    /// what they and OSCAL's own constraints can report; or the exit code of a usage error
    /// (already reported).
    fn constraint_sets(&self, limit: u64) -> Result<Vec<Arc<MetaConstraints>>, ExitCode> {
        let mut reporter = Reporter::new(self.error_format, self.color, false);
        let sets = constraints::load(&self.constraints, limit, &mut |d, s| reporter.report(d, s));
        reporter.finish();
        let sets = sets?;
        for code in self.deny.iter().chain(&self.allow) {
            if !oscalc::diag::is_constraint_code(code)
                || oscalc::check::constraints::known(code, &sets)
            {
                continue;
            }
            let all: Vec<String> = oscalc::check::constraints::codes(&sets)
                .into_iter()
                .map(str::to_owned)
                .collect();
            let near = oscalc::diag::nearest(code, all.iter())
                .map(|n| format!("\n  did you mean `{n}`?"))
                .unwrap_or_default();
            eprintln!(
                "error: no constraint of OSCAL's or of --constraints has the code `{code}` (in --deny or --allow){near}"
            );
            return Err(ExitCode::from(2));
        }
        Ok(sets)
    }

    /// The world of `imports` and the options of these flags, or the exit code of a usage error
    /// (already reported).
    fn setup(&self, imports: &imports::ImportArgs) -> Result<(FsWorld, Options), ExitCode> {
        let world = imports::world(imports, self.max_file_size)?;
        let mut opts = Options {
            lints: self.lints()?,
            ..Options::default()
        };
        let limit = self.max_file_size.unwrap_or(opts.max_file_size);
        opts.constraints = self.constraint_sets(limit)?;
        if let Some(n) = self.max_controls {
            opts.max_controls = n;
        }
        if let Some(n) = self.max_file_size {
            opts.max_file_size = n;
        }
        self.switches.apply(&mut opts);
        Ok((world, opts))
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
}

#[derive(Debug, clap::Args)]
struct ValidateArgs {
    /// Catalog and profile files (JSON or XML), or folders to search for them; `-` is standard
    /// input.
    #[arg(required = true)]
    files: Vec<PathBuf>,
    #[command(flatten)]
    inputs: InputArgs,
    #[command(flatten)]
    imports: imports::ImportArgs,
    #[command(flatten)]
    common: Common,
}

/// The values of `--to`: the formats oscalc writes.
fn out_format() -> impl clap::builder::TypedValueParser<Value = Format> {
    switches::one_of([
        ("json", Format::Json),
        ("xml", Format::Xml),
        ("yaml", Format::Yaml),
    ])
}

#[derive(Debug, clap::Args)]
struct ResolveArgs {
    /// Profile files (JSON or XML); `-` is standard input.
    #[arg(required = true)]
    profiles: Vec<PathBuf>,
    /// Output file, or an existing folder (one NAME-resolved.EXT per profile); `-` or absent:
    /// stdout (one profile only).
    #[arg(short, long)]
    output: Option<PathBuf>,
    /// Output format; default: the output file's extension, else the input's format.
    #[arg(long, alias = "format", value_parser = out_format(), ignore_case = true)]
    to: Option<Format>,
    #[command(flatten)]
    imports: imports::ImportArgs,
    /// Same inputs, same bytes: a name-based uuid and a fixed last-modified
    /// (SOURCE_DATE_EPOCH, else the profile's own), the same from any folder or clone.
    #[arg(long)]
    reproducible: bool,
    /// Keep unreferenced loose parameters and resources.
    #[arg(long)]
    no_prune: bool,
    /// Write the output without checking it against the schema and references first, and
    /// resolve without checking the inputs against the schema.
    #[arg(long)]
    no_validate: bool,
    /// Replace each parameter insert in the prose by the parameter's values (its choices or
    /// label in brackets when it has none).
    #[arg(long)]
    show_values: bool,
    /// How --show-values marks a value: `nist` as `[Assignment: VALUE]`, `plain` as the value
    /// alone.
    #[arg(long, value_name = "STYLE", requires = "show_values", default_value = "nist",
          value_parser = switches::one_of([("nist", Style::Nist), ("plain", Style::Plain)]))]
    value_style: Style,
    /// Record where each control, parameter value and altered part came from, as props in
    /// oscalc's namespace (https://oscalc.dev/ns/provenance) in the output.
    #[arg(long)]
    provenance: bool,
    /// Write the same facts as JSON to FILE (with or without --provenance); one profile only.
    #[arg(long, value_name = "FILE")]
    provenance_out: Option<PathBuf>,
    #[command(flatten)]
    inputs: InputArgs,
    #[command(flatten)]
    common: Common,
}

/// `--reproducible`, or SOURCE_DATE_EPOCH in the environment: a name-based uuid, and the
/// epoch's time (else the profile's own) as last-modified.
fn reproducible(asked: bool, opts: &mut Options) {
    let epoch = std::env::var("SOURCE_DATE_EPOCH").ok();
    if asked || epoch.is_some() {
        let at = epoch
            .and_then(|e| e.trim().parse::<i64>().ok())
            .and_then(|s| time::OffsetDateTime::from_unix_timestamp(s).ok());
        opts.identity = Identity::Reproducible(at);
    }
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
        Command::Convert(args) => convert::run(&args),
        Command::Graph(args) => graph::run(&args),
        Command::Diff(args) => diff::run(&args),
        Command::Render(args) => render::run(&args),
        Command::Completions(args) => completions::completions(&args),
        Command::Man(args) => completions::man(&args),
    }
}

fn validate(args: &ValidateArgs) -> ExitCode {
    let common = &args.common;
    let (world, opts) = match common.setup(&args.imports) {
        Ok(s) => s,
        Err(code) => return code,
    };
    let mut inputs = Inputs::new(world, opts.max_file_size, &args.inputs);
    let mut reporter = common.reporter(true).constraint_sets(&opts.constraints);
    let mut worst = 0u8;
    let expanded = walk::expand(&args.files);
    for dir in &expanded.empty {
        let why = format!(
            "no OSCAL catalog or profile (JSON or XML) under {}",
            dir.display()
        );
        reporter.report_plain(Diagnostic::error("fetch-not-found", why));
        worst = 2;
    }
    if expanded.skipped > 0 && !common.quiet {
        let (files, what) = match expanded.skipped {
            1 => ("file", "is not an OSCAL catalog or profile"),
            _ => ("files", "are not OSCAL catalogs or profiles"),
        };
        eprintln!(
            "note: skipped {} {files} under the named folders that {what}",
            expanded.skipped
        );
    }
    for file in &expanded.files {
        let code = match inputs.name(file) {
            Err(d) => {
                reporter.report_plain(*d);
                2
            }
            Ok(uri) => {
                let mut sources = oscalc::source::SourceMap::default();
                let result = oscalc::validate::validate_in(&inputs, &uri, &opts, &mut sources);
                reported(&mut reporter, result, &sources).map_or_else(|code| code, |_| 0)
            }
        };
        worst = worst.max(code);
    }
    summary::validated(&mut reporter, args.files.len());
    reporter.finish();
    ExitCode::from(worst)
}

/// Reports the warnings of `result` and, when it failed, its errors with them; its output, or the
/// exit code of the failure ([`failure_code`]).
fn reported<T>(
    reporter: &mut Reporter,
    result: Warned<Result<T, Errors>>,
    sources: &oscalc::source::SourceMap,
) -> Result<T, u8> {
    let mut all = result.warnings;
    let output = result.output.map_err(|errors| {
        let code = failure_code(&errors);
        all.extend(errors);
        code
    });
    reporter.report(&all, sources);
    output
}

/// 2 when a named file itself could not be read (no place in any document), else 1.
fn failure_code(errors: &[Diagnostic]) -> u8 {
    let unreadable = errors
        .iter()
        .any(|d| d.code.starts_with("fetch-") && d.primary.is_none() && d.trace.is_empty());
    if unreadable { 2 } else { 1 }
}

fn resolve(args: &ResolveArgs) -> ExitCode {
    // The checks' schemas compile on the second core while the documents load; the scope joins
    // that thread before the process goes on, whatever the outcome.
    std::thread::scope(|s| {
        if !args.no_validate && ahead::cores() >= 2 {
            // Without a thread, each check compiles its schema when it comes to it.
            let _ = std::thread::Builder::new().spawn_scoped(s, oscalc::check::prepare);
        }
        resolve_profiles(args)
    })
}

fn resolve_profiles(args: &ResolveArgs) -> ExitCode {
    let (world, mut opts) = match args.common.setup(&args.imports) {
        Ok(s) => s,
        Err(code) => return code,
    };
    opts.validate_output = !args.no_validate;
    opts.validate_input = !args.no_validate;
    opts.no_prune = args.no_prune;
    opts.provenance = provenance::mode(args.provenance, args.provenance_out.is_some());
    reproducible(args.reproducible, &mut opts);
    let to = args.to;
    let targets = targets::layout(args.output.as_deref(), to, &args.profiles).and_then(|l| {
        Ok((
            l,
            provenance::target(args.provenance_out.as_deref(), &args.profiles)?,
        ))
    });
    let (layout, sidecar) = match targets {
        Ok(t) => t,
        Err(d) => {
            Reporter::new(args.common.error_format, args.common.color, false).report_plain(*d);
            return ExitCode::from(2);
        }
    };
    let mut inputs = Inputs::new(world, opts.max_file_size, &args.inputs);
    // Machine-readable diagnostics may use stdout only when the document does not.
    let stdout_free = layout != Layout::Stdout;
    let mut reporter = args
        .common
        .reporter(stdout_free)
        .constraint_sets(&opts.constraints);
    let mut worst = 0u8;
    let mut jobs = Vec::new();
    for profile in &args.profiles {
        match prepare(&opts, &mut inputs, &layout, profile) {
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
    // The output's constraint check (unless --no-validate) reads the inputs' findings.
    session.check_inputs_beside = true;
    let threads = ahead::cores();
    let pairs: Vec<(Url, Options)> = jobs
        .iter()
        .map(|j| (j.uri.clone(), j.opts.clone()))
        .collect();
    let results = session.resolve_many(&inputs, &pairs, threads);
    // Every document any profile read, and every constraint set: no output may replace one.
    let mut read = inputs.identities();
    read.extend(constraints::identities(&args.common.constraints));
    for (job, result) in jobs.iter().zip(results) {
        let input = inputs.format_of(&job.uri).or_else(|| {
            job.profile
                .file_name()
                .and_then(|n| Format::from_extension(&n.to_string_lossy()))
        });
        let format = layout.format(to, input);
        let out = Out {
            target: layout.target(&job.profile, format),
            format,
            read: &read,
            sidecar: sidecar.as_ref(),
        };
        worst = worst.max(deliver(&session, args, job, &out, result, &mut reporter));
    }
    reporter.finish();
    // As for each resolved catalog (see `deliver`): the loaded documents go with the process.
    std::mem::forget(session);
    std::mem::forget(inputs);
    ExitCode::from(worst)
}

/// One profile to resolve: as named, where it is, its options.
struct Job {
    profile: PathBuf,
    uri: Url,
    opts: Options,
}

/// Where one profile's output goes, and what it must not replace.
struct Out<'a> {
    target: Target,
    format: Format,
    /// Device and inode of every file the run read.
    read: &'a [(u64, u64)],
    /// Where `--provenance-out` goes.
    sidecar: Option<&'a Target>,
}

fn prepare(
    opts: &Options,
    inputs: &mut Inputs,
    layout: &Layout,
    profile: &Path,
) -> Result<Job, Box<Diagnostic>> {
    let uri = inputs.name(profile)?;
    // Standard input links as the name it is shown by; any other input as its path.
    let abs = match profile.to_str() {
        Some("-") => uri.to_file_path().ok(),
        _ => std::path::absolute(profile).ok(),
    }
    .unwrap_or_else(|| profile.to_path_buf());
    let mut opts = opts.clone();
    opts.source_profile_href = Some(source_profile_href(&abs, layout.place().as_deref()));
    Ok(Job {
        profile: profile.to_path_buf(),
        uri,
        opts,
    })
}

/// Reports one profile's diagnostics, checks its output and writes it; returns the exit code.
fn deliver(
    session: &Session,
    args: &ResolveArgs,
    job: &Job,
    out: &Out,
    result: Warned<Result<ResolvedCatalog, Errors>>,
    reporter: &mut Reporter,
) -> u8 {
    let mut all = result.warnings;
    let mut resolved = match result.output {
        Ok(r) => r,
        Err(errors) => {
            let code = failure_code(&errors);
            all.extend(errors);
            reporter.report(&all, &session.sources);
            return code;
        }
    };
    if let Some(Err(e)) = out
        .sidecar
        .map(|s| provenance::check(s, &out.target, out.read))
    {
        reporter.report(&all, &session.sources);
        reporter.report_plain(Diagnostic::error(e.code(), e.to_string()));
        return 2;
    }
    let record = out
        .sidecar
        .map(|_| provenance::record(job.opts.provenance, &mut resolved.catalog));
    if args.show_values {
        oscalc::present::values::fill(&mut resolved.catalog, args.value_style);
    }
    // An output that fails validation is an error, not a file. The check reads the typed
    // catalog member by member and builds no document-wide value; the output is rendered and
    // written into its temporary file beside it (`ahead.rs`), unless the run failed already.
    // XML is rendered before anything is reported, so a failure to render joins the batch;
    // JSON and YAML cannot fail to render and are streamed from the typed catalog as written.
    let failed = all.iter().any(Diagnostic::is_error);
    let check = || oscalc::validate::output_checks(&resolved, &session.sources, &job.opts);
    let prepare =
        || (!failed).then(|| ahead::prepare(&resolved, &out.target, out.format, out.read));
    let (checked, ahead) = if job.opts.validate_output && !failed {
        ahead::beside(check, prepare)
    } else if job.opts.validate_output {
        (check(), None)
    } else {
        (Vec::new(), prepare())
    };
    all.extend(checked);
    let ahead = match ahead {
        Some(Ahead::Unrendered(d)) => {
            if !all.iter().any(Diagnostic::is_error) {
                all.push(*d);
            }
            None
        }
        a => a,
    };
    reporter.report(&all, &session.sources);
    // A staged output not committed here is deleted as `ahead` drops.
    if all.iter().any(Diagnostic::is_error) {
        return 1;
    }
    let written = match ahead {
        Some(Ahead::Staged(staged)) => staged.and_then(output::commit),
        Some(Ahead::Xml(b)) => output::write(&out.target, &b),
        _ => output::write_with(&out.target, |w| {
            oscalc::emit::write_to(&resolved, out.format, w).map_err(std::io::Error::from)
        }),
    };
    let written = written.and_then(|()| match (out.sidecar, &record) {
        (Some(s), Some(rec)) => provenance::write(s, rec, out.read),
        _ => Ok(()),
    });
    match written {
        Ok(()) => {
            summary::resolved(reporter, &job.uri, &out.target, &resolved);
            // The process ends soon: freeing a catalog node by node would cost more than the
            // whole writing did. The operating system takes the memory back at exit.
            std::mem::forget(resolved);
            0
        }
        Err(e) => {
            reporter.report_plain(Diagnostic::error(e.code(), e.to_string()));
            2
        }
    }
}

/// The source-profile link: the profile's path relative to the output file's folder, as a URI
/// reference (`/` between segments, anything else a URI cannot carry percent-encoded, so
/// `my profile#1.json` links as `my%20profile%231.json`). Written to standard output, which has
/// no place, the link is the profile's own name, relative to its own folder: neither the working
/// directory nor the folder of the checkout shows in the output, so `--reproducible` gives the
/// same bytes from anywhere.
fn source_profile_href(profile: &Path, out: Option<&Path>) -> String {
    let rel = out
        .and_then(|o| std::path::absolute(o).ok())
        .and_then(|o| o.parent().map(normal))
        .and_then(|base| relative(&normal(profile), &base));
    let path = match (rel, out, profile.file_name()) {
        (Some(rel), _, _) => rel,
        (None, None, Some(name)) => PathBuf::from(name),
        _ => profile.to_path_buf(),
    };
    let segments: Vec<String> = path
        .components()
        .map(|c| match c {
            std::path::Component::RootDir => String::new(),
            other => encode_segment(other.as_os_str().as_encoded_bytes()),
        })
        .collect();
    match segments.as_slice() {
        [root] if root.is_empty() => "/".to_owned(),
        _ => segments.join("/"),
    }
}

/// Percent-encodes one path segment: RFC 3986 unreserved characters and the sub-delimiters
/// stay, everything else (space, `%`, `#`, `?`, `:`, non-ASCII bytes) becomes `%XX`. `:` is
/// encoded too, so a first segment never reads as a scheme.
fn encode_segment(bytes: &[u8]) -> String {
    use percent_encoding::{AsciiSet, NON_ALPHANUMERIC, percent_encode};
    const KEEP: &[u8] = b"-._~!$&'()*+,;=@";
    const SEGMENT: &AsciiSet = &{
        let mut set = NON_ALPHANUMERIC.union(AsciiSet::EMPTY);
        let mut i = 0;
        while i < KEEP.len() {
            set = set.remove(KEEP[i]);
            i += 1;
        }
        set
    };
    percent_encode(bytes, SEGMENT).to_string()
}

/// `path` with `.` and `..` taken out by their names (`a/b/../c` is `a/c`), as a shell shows
/// them: `-o ../out/r.json` from `profiles/` names the folder `out` beside `profiles`.
fn normal(path: &Path) -> PathBuf {
    use std::path::Component;
    let mut out = PathBuf::new();
    for c in path.components() {
        match c {
            Component::CurDir => {}
            Component::ParentDir
                if matches!(out.components().next_back(), Some(Component::Normal(_))) =>
            {
                out.pop();
            }
            other => out.push(other),
        }
    }
    out
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
