//! Stage: none (the Python bindings, feature `python`). In: calls from Python (`oscalc._oscalc`,
//! wrapped by `python/oscalc/__init__.py`): a profile path and options, or document paths. Out:
//! the resolved catalog's text with its diagnostics, or the diagnostics of validation, each as a
//! [`PyDiagnostic`] with its file, line and column. The same library calls the `oscalc` command
//! makes, on an [`FsWorld`] with its default policies (local files only); the GIL is released
//! while they run. Raising exceptions and Python warnings is the Python layer's job.
//
// pyo3's macros expand to `unsafe` blocks (the CPython C API); lib.rs forbids unsafe code
// everywhere else and denies it under this feature, allowing it in this module only.
#![allow(unsafe_code)]

use crate::diag::{Diagnostic, Severity};
use crate::model::Format;
use crate::options::{Identity, Options};
use crate::resolve::Session;
use crate::source::{SourceMap, display_uri};
use crate::world::FsWorld;
use pyo3::exceptions::PyValueError;
use pyo3::prelude::*;
use std::path::{Path, PathBuf};
use url::Url;

/// One diagnostic as Python sees it (`oscalc.Diagnostic`).
#[pyclass(
    name = "Diagnostic",
    module = "oscalc",
    frozen,
    get_all,
    eq,
    from_py_object
)]
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PyDiagnostic {
    /// The registered code (`ref-duplicate-id`).
    code: String,
    /// `"error"` or `"warning"`.
    severity: String,
    /// One sentence naming the object.
    message: String,
    /// The document it is in, as a path (or URI), if it comes from one.
    file: Option<String>,
    /// Line, from 1.
    line: Option<usize>,
    /// Column, from 1, in characters.
    column: Option<usize>,
}

#[pymethods]
impl PyDiagnostic {
    /// `file:line:column: severity[code]: message`, as `--error-format short` prints it.
    fn __str__(&self) -> String {
        let place = match (&self.file, self.line, self.column) {
            (Some(f), Some(l), Some(c)) => format!("{f}:{l}:{c}: "),
            (Some(f), _, _) => format!("{f}: "),
            _ => String::new(),
        };
        format!("{place}{}[{}]: {}", self.severity, self.code, self.message)
    }

    fn __repr__(&self) -> String {
        format!(
            "Diagnostic(code={:?}, severity={:?}, message={:?}, file={:?}, line={:?}, column={:?})",
            self.code, self.severity, self.message, self.file, self.line, self.column
        )
    }
}

impl PyDiagnostic {
    /// `d` with its place looked up in the sources the run read.
    fn new(d: &Diagnostic, sources: &SourceMap) -> Self {
        let place = d.primary.as_ref();
        let at = place.and_then(|s| sources.line_col(s));
        PyDiagnostic {
            code: d.code.to_owned(),
            severity: match d.severity {
                Severity::Error => "error",
                Severity::Warning => "warning",
            }
            .to_owned(),
            message: d.message.clone(),
            file: place.map(|s| sources.display_name(s.source)),
            line: at.map(|a| a.line),
            column: at.map(|a| a.column),
        }
    }
}

/// What `resolve` may be asked, by keyword (`python/oscalc/__init__.py` checks the names).
#[derive(Debug, Clone, FromPyObject)]
#[pyo3(from_item_all)]
struct ResolveOptions {
    validate: bool,
    prune: bool,
    reproducible: bool,
    max_controls: Option<usize>,
    max_file_size: Option<u64>,
}

/// `path` as a `file:` URL, made absolute against the working folder.
fn file_url(path: &Path) -> PyResult<Url> {
    std::path::absolute(path)
        .ok()
        .and_then(|abs| Url::from_file_path(abs).ok())
        .ok_or_else(|| PyValueError::new_err(format!("not a usable path: {}", path.display())))
}

/// The output format named by `format` (any case).
fn out_format(format: &str) -> PyResult<Format> {
    match format.to_ascii_lowercase().as_str() {
        "json" => Ok(Format::Json),
        "xml" => Ok(Format::Xml),
        "yaml" => Ok(Format::Yaml),
        other => Err(PyValueError::new_err(format!(
            "unknown format `{other}` (json, xml or yaml)"
        ))),
    }
}

/// Resolves the profile at `path`: the catalog's text (`None` when an error stopped it) and
/// every diagnostic, warnings included, the output check's too.
#[pyfunction]
fn _resolve(
    py: Python<'_>,
    path: PathBuf,
    format: &str,
    options: ResolveOptions,
) -> PyResult<(Option<String>, Vec<PyDiagnostic>)> {
    let uri = file_url(&path)?;
    let format = out_format(format)?;
    let mut opts = Options {
        validate_input: options.validate,
        validate_output: options.validate,
        no_prune: !options.prune,
        // Written nowhere but a string: the link names the profile by its own name, as the
        // command does on stdout.
        source_profile_href: uri
            .path_segments()
            .and_then(|mut s| s.next_back())
            .map(str::to_owned),
        ..Options::default()
    };
    if options.reproducible {
        opts.identity = Identity::Reproducible(None);
    }
    if let Some(n) = options.max_controls {
        opts.max_controls = n;
    }
    if let Some(n) = options.max_file_size {
        opts.max_file_size = n;
    }
    let world = FsWorld::new().with_max_file_size(opts.max_file_size);
    Ok(py.detach(move || {
        let mut session = Session::new();
        // As `oscalc resolve`: the inputs' constraint findings, which the output's check
        // compares with its own, are computed beside the resolution.
        session.check_inputs_beside = opts.validate_output;
        let outcome = session.resolve(&world, &uri, &opts);
        let mut all = outcome.warnings;
        let text = match outcome.output {
            Err(errors) => {
                all.extend(errors);
                None
            }
            Ok(resolved) => {
                if opts.validate_output {
                    all.extend(crate::validate::output_checks(
                        &resolved,
                        &session.sources,
                        &opts,
                    ));
                }
                if all.iter().any(Diagnostic::is_error) {
                    None
                } else {
                    match crate::emit::try_emit(&resolved, format) {
                        Ok(bytes) => Some(String::from_utf8_lossy(&bytes).into_owned()),
                        Err(d) => {
                            all.push(*d);
                            None
                        }
                    }
                }
            }
        };
        let diags = all
            .iter()
            .map(|d| PyDiagnostic::new(d, &session.sources))
            .collect();
        (text, diags)
    }))
}

/// Validates each document at `paths` (catalogs and profiles, JSON, XML or YAML), as
/// `oscalc validate` does: every diagnostic, in the order of the paths.
#[pyfunction]
fn _validate(py: Python<'_>, paths: Vec<PathBuf>) -> PyResult<Vec<PyDiagnostic>> {
    let uris = paths
        .iter()
        .map(|p| file_url(p))
        .collect::<PyResult<Vec<Url>>>()?;
    Ok(py.detach(move || {
        let opts = Options::default();
        let world = FsWorld::new().with_max_file_size(opts.max_file_size);
        let mut out = Vec::new();
        for uri in &uris {
            let mut sources = SourceMap::default();
            let result = crate::validate::validate_in(&world, uri, &opts, &mut sources);
            let mut all = result.warnings;
            if let Err(errors) = result.output {
                all.extend(errors);
            }
            // A file that could not be read has no place: it is named by its path.
            out.extend(all.iter().map(|d| {
                let mut p = PyDiagnostic::new(d, &sources);
                if p.file.is_none() {
                    p.file = Some(display_uri(uri));
                }
                p
            }));
        }
        out
    }))
}

/// The extension module `oscalc._oscalc`.
#[pymodule]
fn _oscalc(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_class::<PyDiagnostic>()?;
    m.add_function(wrap_pyfunction!(_resolve, m)?)?;
    m.add_function(wrap_pyfunction!(_validate, m)?)?;
    m.add("__version__", env!("CARGO_PKG_VERSION"))?;
    Ok(())
}
