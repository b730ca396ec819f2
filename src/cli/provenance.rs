//! `resolve --provenance` and `--provenance-out FILE`. In: the flags, then one resolved catalog
//! with the library's provenance props (`oscalc::resolve::provenance`). Out: the props kept in
//! the catalog (`--provenance`) or taken out of it, and the sidecar JSON written through
//! `output.rs` under its rules: atomic, never over an input, never the catalog's own output.

use super::output::{self, Target, WriteError};
use oscalc::diag::Diagnostic;
use oscalc::model::Catalog;
use oscalc::options::Provenance;
use oscalc::resolve::provenance::{self, Record};
use std::path::{Path, PathBuf};

/// What the library records: props to keep with `--provenance`, props to take out into the
/// sidecar with `--provenance-out` alone.
pub(super) fn mode(props: bool, sidecar: bool) -> Provenance {
    match (props, sidecar) {
        (true, _) => Provenance::Props,
        (false, true) => Provenance::Taken,
        (false, false) => Provenance::Off,
    }
}

/// The sidecar's target, or a usage error when it cannot be one output for one profile.
pub(super) fn target(
    out: Option<&Path>,
    profiles: &[PathBuf],
) -> Result<Option<Target>, Box<Diagnostic>> {
    let Some(out) = out else { return Ok(None) };
    if profiles.len() > 1 {
        let d = Diagnostic::error(
            "usage-output",
            format!(
                "--provenance-out takes the provenance of one profile; {} are given",
                profiles.len()
            ),
        )
        .hint("resolve each profile with its own --provenance-out, or use --provenance");
        return Err(Box::new(d));
    }
    Ok(Some(if super::targets::is_stdout(out) {
        Target::Stdout
    } else {
        Target::Path(out.to_path_buf())
    }))
}

/// The facts of `catalog`'s provenance props, taken out of it unless `--provenance` keeps them.
pub(super) fn record(mode: Provenance, catalog: &mut Catalog) -> Record {
    match mode {
        Provenance::Props => provenance::record(catalog),
        _ => provenance::take(catalog),
    }
}

/// Whether the sidecar may go to `sidecar`: not a file the run read, not the catalog's output.
pub(super) fn check(
    sidecar: &Target,
    main: &Target,
    read: &[(u64, u64)],
) -> Result<(), WriteError> {
    output::refuse_input(sidecar, read)?;
    output::refuse_same(sidecar, main)
}

/// Writes the sidecar, pretty JSON with a final newline.
pub(super) fn write(sidecar: &Target, rec: &Record, read: &[(u64, u64)]) -> Result<(), WriteError> {
    output::refuse_input(sidecar, read)?;
    output::write_with(sidecar, |w| {
        serde_json::to_writer_pretty(&mut *w, rec).map_err(std::io::Error::from)?;
        w.write_all(b"\n")
    })
}
