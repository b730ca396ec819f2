//! `oscalc convert`: one catalog, profile or resolved catalog from one OSCAL format into another.
//!
//! Stage: a command of its own, beside `resolve`. In: one document the user names (JSON or XML;
//! `-` is standard input), `-o` and `--to`. Out: the same document in the chosen format, written
//! as `resolve` writes its output (`output.rs`: atomic, never over an input of the run), or
//! diagnostics and no file.
//!
//! What it reuses: the library's loader (the same limits and located diagnostics as every
//! input), the checks `validate` runs on the document itself (the OSCAL 1.2.3 JSON schema on
//! its JSON form, unique ids and uuids, inserts and `#` links; a profile's imports are not read:
//! converting a profile needs none of them), and the writers. Markup read from XML is written
//! as Markdown in JSON and YAML, as everywhere: the model is the same in every format.
//!
//! Where the output goes (usage errors exit 2 before the input is read): `-o FILE`, its format
//! from `--to`, else its extension, else the input's; `-o -` (standard output, the input's format
//! unless `--to`); `-o DIR` naming an existing folder: `DIR/STEM.EXT`.

use super::diagnostics::{Color, ErrorFormat, MaxPerCode, Reporter};
use super::inputs::{InputArgs, Inputs};
use super::output::{self, Target};
use super::targets::{self, Layout};
use super::{failure_code, out_format};
use oscalc::diag::{Diagnostic, LintLevels, Sink};
use oscalc::load::Format;
use oscalc::model::Document;
use oscalc::source::SourceMap;
use oscalc::world::{FsWorld, World};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

/// Flags of `oscalc convert`.
#[derive(Debug, clap::Args)]
pub(super) struct ConvertArgs {
    /// The catalog, profile or resolved catalog to convert (JSON or XML); `-` is standard input.
    input: PathBuf,
    /// Output file, or an existing folder (STEM.EXT in it); `-`: standard output.
    #[arg(short, long)]
    output: PathBuf,
    /// Output format; default: the output file's extension, else the input's format.
    #[arg(long, alias = "format", value_parser = out_format(), ignore_case = true)]
    to: Option<Format>,
    /// Write the document without checking it against the schema and its references first.
    #[arg(long)]
    no_validate: bool,
    /// Largest input file in bytes.
    #[arg(long)]
    max_file_size: Option<u64>,
    #[command(flatten)]
    inputs: InputArgs,
    /// How diagnostics are printed.
    #[arg(long, value_enum, default_value_t)]
    error_format: ErrorFormat,
    /// Colour in `human` diagnostics.
    #[arg(long, value_enum, default_value_t)]
    color: Color,
    /// Print nothing but errors: no warnings, no summary line.
    #[arg(short, long)]
    quiet: bool,
    /// Diagnostics of one code printed (`human`, `short`) before the rest are counted in one
    /// line: a number, or `all`.
    #[arg(long, value_name = "N|all", default_value = "5")]
    max_per_code: MaxPerCode,
}

/// Runs `oscalc convert`; the exit code is `resolve`'s: 0 written, 1 the document is wrong,
/// 2 usage, an unreadable input or an unwritable output.
pub(super) fn run(args: &ConvertArgs) -> ExitCode {
    let to = args.to;
    let layout = targets::layout(Some(&args.output), to, std::slice::from_ref(&args.input));
    // Machine-readable diagnostics may use stdout only when the document does not.
    let stdout_free = !matches!(layout, Ok(Layout::Stdout));
    let mut reporter = Reporter::new(args.error_format, args.color, stdout_free)
        .max_per_code(args.max_per_code.0)
        .quiet(args.quiet);
    let code = match layout {
        Ok(layout) => convert(args, &layout, to, &mut reporter),
        Err(d) => {
            reporter.report_plain(*d);
            2
        }
    };
    reporter.finish();
    ExitCode::from(code)
}

/// Reads and checks the document and, when no check found an error, writes it; the exit code.
fn convert(args: &ConvertArgs, layout: &Layout, to: Option<Format>, reporter: &mut Reporter) -> u8 {
    let mut opts = oscalc::Options::default();
    let mut world = FsWorld::new();
    if let Some(n) = args.max_file_size {
        opts.max_file_size = n;
        world = world.with_max_file_size(n);
    }
    let mut inputs = Inputs::new(world, opts.max_file_size, &args.inputs);
    let mut sources = SourceMap::default();
    let loaded = match read(&mut inputs, &args.input, &opts, &mut sources) {
        Ok(l) => l,
        Err((code, diags)) => {
            reporter.report(&diags, &sources);
            return code;
        }
    };
    let mut found = checked(&loaded, args.no_validate, &LintLevels::default());
    let format = layout.format(to, Some(loaded.format));
    let target = layout.target_named(&args.input, "", format);
    // XML is rendered before anything is written, so a document without an XML form writes
    // nothing; JSON and YAML are streamed from the typed model.
    let xml = match (format, found.iter().any(Diagnostic::is_error)) {
        (Format::Xml, false) => match oscalc::emit::try_emit(&loaded.doc, Format::Xml) {
            Ok(b) => Some(b),
            Err(d) => {
                found.push(*d);
                None
            }
        },
        _ => None,
    };
    reporter.report(&found, &sources);
    if found.iter().any(Diagnostic::is_error) {
        return 1;
    }
    let written = output::refuse_input(&target, &inputs.identities()).and_then(|()| match xml {
        Some(b) => output::write(&target, &b),
        None => output::write_with(&target, |w| {
            oscalc::emit::write_to(&loaded.doc, format, w).map_err(std::io::Error::from)
        }),
    });
    match written {
        Ok(()) => {
            reporter.summary(summary(&loaded, &target, format));
            0
        }
        Err(e) => {
            reporter.report_plain(Diagnostic::error(e.code(), e.to_string()));
            2
        }
    }
}

/// The diagnostics of the checks `validate` runs on the document itself (none under
/// `--no-validate`), at the given lint levels; `render` checks a catalog it is given the same way.
pub(super) fn checked(
    loaded: &oscalc::load::Loaded,
    no_validate: bool,
    lints: &LintLevels,
) -> Vec<Diagnostic> {
    let mut sink = Sink::with_levels(lints.clone());
    if !no_validate {
        let value = oscalc::emit::json_value(&loaded.doc);
        sink.extend(oscalc::validate::schema::check(&value, Some(loaded.source)));
        sink.extend(oscalc::validate::refs::check(
            &loaded.doc,
            Some(loaded.source),
            &[],
        ));
        // OSCAL's constraints: a conversion carries what it finds unchanged into the other
        // format, so a finding warns (NIST's own catalogs break some) instead of refusing.
        let doc = oscalc::emit::check_doc(&loaded.doc);
        let found = oscalc::validate::constraints::run(&doc, &[], Some(loaded.source));
        sink.extend(found.into_iter().map(|mut d| {
            if d.is_error() {
                d.severity = oscalc::diag::Severity::Warning;
                d.hints.push(
                    "converted as it is: `oscalc validate` reports this as an error".to_owned(),
                );
            }
            d
        }));
    }
    sink.into_diagnostics()
}

/// Reads and loads the named document, or the exit code and the diagnostics of why not.
fn read(
    inputs: &mut Inputs,
    input: &Path,
    opts: &oscalc::Options,
    sources: &mut SourceMap,
) -> Result<oscalc::load::Loaded, (u8, Vec<Diagnostic>)> {
    let uri = inputs.name(input).map_err(|d| (2, vec![*d]))?;
    let bytes = inputs
        .fetch(&uri)
        .map_err(|e| (2, vec![Diagnostic::error(e.code(), e.to_string())]))?;
    oscalc::load::load(bytes, &uri, sources, opts).map_err(|diags| (failure_code(&diags), diags))
}

/// `converted IN (XML) → OUT (JSON): catalog`, the line printed last.
fn summary(loaded: &oscalc::load::Loaded, target: &Target, format: Format) -> String {
    let what = match &loaded.doc {
        Document::Catalog(_) => "catalog",
        Document::Profile(_) => "profile",
    };
    format!(
        "converted {} ({}) → {target} ({}): {what}",
        oscalc::source::display_uri(&loaded.uri),
        name(loaded.format),
        name(format)
    )
}

fn name(format: Format) -> &'static str {
    match format {
        Format::Json => "JSON",
        Format::Xml => "XML",
        Format::Yaml => "YAML",
    }
}
