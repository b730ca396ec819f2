//! `oscalc render`: a catalog or a profile's resolved catalog as a document for people.
//!
//! Stage: a command of its own, beside `resolve`. In: one catalog or profile the user names (any
//! OSCAL format; `-` is standard input), `-o`, `--format`, and resolve's import flags and
//! switches. Out: one HTML page (default), Markdown document or CSV table (`oscalc::present`),
//! written as every output is (`output.rs`: atomic, never over an input of the run), or
//! diagnostics and no file.
//!
//! A profile is resolved first, with its inputs checked (not under `--no-validate`); a catalog is
//! loaded and rendered as it is, after the checks `validate` runs on the document itself. The
//! format comes from `--format`, else the output's extension (`.html`/`.htm`, `.md`/`.markdown`,
//! `.csv`), else HTML. The output is capped by `--max-output-size`: a parameter inserted many
//! times can make a page far larger than its catalog.

use super::Common;
use super::failure_code;
use super::imports::ImportArgs;
use super::inputs::{InputArgs, Inputs};
use super::output::{self, Target};
use oscalc::diag::Diagnostic;
use oscalc::model::{Catalog, Document};
use oscalc::present::html::{Limits, TooLarge};
use oscalc::resolve::Session;
use oscalc::source::SourceMap;
use oscalc::world::World;
use std::path::PathBuf;
use std::process::ExitCode;

/// What `render` writes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub(super) enum RenderFormat {
    /// One self-contained HTML page.
    Html,
    /// One Markdown document.
    Markdown,
    /// A CSV table, one row per control.
    Csv,
}

impl RenderFormat {
    /// The format an output file's extension names.
    fn from_path(path: &std::path::Path) -> Option<Self> {
        let ext = path.extension()?.to_string_lossy().to_ascii_lowercase();
        match ext.as_str() {
            "html" | "htm" => Some(RenderFormat::Html),
            "md" | "markdown" => Some(RenderFormat::Markdown),
            "csv" => Some(RenderFormat::Csv),
            _ => None,
        }
    }

    fn name(self) -> &'static str {
        match self {
            RenderFormat::Html => "HTML",
            RenderFormat::Markdown => "Markdown",
            RenderFormat::Csv => "CSV",
        }
    }
}

/// Flags of `oscalc render`.
#[derive(Debug, clap::Args)]
pub(super) struct RenderArgs {
    /// The profile (resolved first) or catalog to render; `-` is standard input.
    input: PathBuf,
    /// Output file; `-` or absent: standard output.
    #[arg(short, long)]
    output: Option<PathBuf>,
    /// Output format; default: the output file's extension, else html.
    #[arg(long, value_enum, ignore_case = true)]
    format: Option<RenderFormat>,
    /// Largest output in bytes.
    #[arg(long, value_name = "BYTES", default_value_t = Limits::default().max_bytes)]
    max_output_size: usize,
    /// Resolve and render without checking the inputs against the schema first.
    #[arg(long)]
    no_validate: bool,
    /// A profile's last-modified as `resolve --reproducible` fixes it (SOURCE_DATE_EPOCH, else
    /// the profile's own), so the same inputs render the same bytes.
    #[arg(long)]
    reproducible: bool,
    #[command(flatten)]
    imports: ImportArgs,
    #[command(flatten)]
    inputs: InputArgs,
    #[command(flatten)]
    common: Common,
}

/// Runs `oscalc render`; the exit code: 0 written, 1 the input is wrong (or renders larger than
/// allowed), 2 usage, an unreadable input or an unwritable output.
pub(super) fn run(args: &RenderArgs) -> ExitCode {
    let target = Target::named(args.output.as_deref());
    let format = args
        .format
        .or_else(|| args.output.as_deref().and_then(RenderFormat::from_path))
        .unwrap_or(RenderFormat::Html);
    let mut reporter = args.common.reporter(target != Target::Stdout);
    let (world, mut opts) = match args.common.setup(&args.imports) {
        Ok(s) => s,
        Err(code) => return code,
    };
    opts.validate_input = !args.no_validate;
    super::reproducible(args.reproducible, &mut opts);
    // The page says where each control and value came from.
    opts.provenance = oscalc::options::Provenance::Props;
    let mut inputs = Inputs::new(world, opts.max_file_size, &args.inputs);
    let code = match catalog(args, &mut inputs, &opts, &mut reporter) {
        Err(code) => code,
        Ok((catalog, shown)) => {
            let limits = Limits {
                max_bytes: args.max_output_size,
            };
            write(
                &catalog,
                (format, limits),
                &target,
                &inputs,
                &mut reporter,
                &shown,
            )
        }
    };
    reporter.finish();
    ExitCode::from(code)
}

/// The catalog to render (a profile resolved), with the input's display name; or the exit code
/// once the diagnostics of why not are reported. Warnings are reported here.
fn catalog(
    args: &RenderArgs,
    inputs: &mut Inputs,
    opts: &oscalc::Options,
    reporter: &mut super::diagnostics::Reporter,
) -> Result<(Catalog, String), u8> {
    let uri = inputs.name(&args.input).map_err(|d| {
        reporter.report_plain(*d);
        2
    })?;
    let shown = oscalc::source::display_uri(&uri);
    let mut sources = SourceMap::default();
    let loaded = inputs
        .fetch(&uri)
        .map_err(|e| vec![Diagnostic::error(e.code(), e.to_string())])
        .and_then(|bytes| oscalc::load::load(bytes, &uri, &mut sources, opts));
    let loaded = match loaded {
        Ok(l) => l,
        Err(diags) => {
            reporter.report(&diags, &sources);
            return Err(failure_code(&diags));
        }
    };
    if let Document::Profile(_) = loaded.doc {
        let mut session = Session::new();
        let result = session.resolve(&*inputs, &uri, opts);
        let resolved = super::reported(reporter, result, &session.sources)?;
        return Ok((resolved.catalog, shown));
    }
    let diags = super::convert::checked(&loaded, args.no_validate, &opts.lints);
    reporter.report(&diags, &sources);
    match loaded.doc {
        Document::Catalog(catalog) if !diags.iter().any(Diagnostic::is_error) => {
            Ok((catalog, shown))
        }
        _ => Err(1),
    }
}

/// Renders and writes; the exit code.
fn write(
    catalog: &Catalog,
    (format, limits): (RenderFormat, Limits),
    target: &Target,
    inputs: &Inputs,
    reporter: &mut super::diagnostics::Reporter,
    shown: &str,
) -> u8 {
    let rendered = match format {
        RenderFormat::Html => oscalc::present::html::render(catalog, limits),
        RenderFormat::Markdown => oscalc::present::markdown::render(catalog, limits),
        RenderFormat::Csv => oscalc::present::csv::render(catalog, limits),
    };
    let text = match rendered {
        Ok(t) => t,
        Err(TooLarge { limit }) => {
            let d = Diagnostic::error(
                "render-too-large",
                format!(
                    "the {} of {shown} would be larger than {limit} bytes",
                    format.name()
                ),
            )
            .hint("raise --max-output-size if the input is trusted");
            reporter.report_plain(d);
            return 1;
        }
    };
    let written = output::refuse_input(target, &inputs.identities())
        .and_then(|()| output::write(target, text.as_bytes()));
    match written {
        Ok(()) => {
            let n = catalog.counts().controls;
            reporter.summary(format!(
                "rendered {shown} → {target} ({}): {}",
                format.name(),
                super::diagnostics::plural(n, "control")
            ));
            0
        }
        Err(e) => {
            reporter.report_plain(Diagnostic::error(e.code(), e.to_string()));
            2
        }
    }
}
