//! XML output against the official OSCAL 1.2.3 XSDs (req-output-xml), with `xmllint`.
//!
//! Every resolved XML output of the shipped profiles and of the SP 800-53 rev4 baselines, and every
//! shipped XML catalog and profile, must be valid. A libtest-mimic harness (`harness = false`), so
//! that without `xmllint` on the machine (Debian `libxml2-utils`, which `.ci/run` installs) each
//! trial is reported as `ignored (skipped: xmllint is not installed …)` and counted as ignored in
//! the summary, instead of passing without having checked anything.

use std::path::{Path, PathBuf};
use std::process::Command;

use libtest_mimic::{Arguments, Completion, Failed, Trial};
use oscalc::{Format, FsWorld, Options, emit, resolve};

/// What an ignored trial says.
const SKIPPED: &str = "skipped: xmllint is not installed; apt-get install libxml2-utils";

/// One check: Err with what is invalid.
type Check = fn() -> Result<(), String>;

fn main() {
    let args = Arguments::from_args();
    let checks: [(&str, Check); 3] = [
        (
            "resolved_shipped_profiles_are_valid_xml",
            resolved_shipped_profiles_are_valid_xml,
        ),
        (
            "resolved_rev4_baselines_are_valid_xml",
            resolved_rev4_baselines_are_valid_xml,
        ),
        (
            "shipped_xml_catalogs_and_profiles_are_valid",
            shipped_xml_catalogs_and_profiles_are_valid,
        ),
    ];
    let trials = checks
        .into_iter()
        .map(|(name, check)| {
            Trial::ignorable_test(name, move || {
                if !xmllint_found() {
                    return Ok(Completion::ignored_with(SKIPPED));
                }
                check()
                    .map(|()| Completion::Completed)
                    .map_err(Failed::from)
            })
        })
        .collect();
    libtest_mimic::run(&args, trials).exit();
}

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

/// Whether `xmllint` runs (found on `PATH`).
fn xmllint_found() -> bool {
    Command::new("xmllint").arg("--version").output().is_ok()
}

/// Runs `xmllint --noout --schema XSD FILE`; Err with its report when invalid.
fn check(xsd: &str, file: &Path) -> Result<(), String> {
    let out = Command::new("xmllint")
        .arg("--noout")
        .arg("--schema")
        .arg(root().join("schemas").join(xsd))
        .arg(file)
        .output()
        .map_err(|e| e.to_string())?;
    if out.status.success() {
        Ok(())
    } else {
        Err(format!(
            "{}: {}",
            file.display(),
            String::from_utf8_lossy(&out.stderr)
        ))
    }
}

/// Resolves `profile` and writes its XML output into `dir`; the path written.
fn resolved_xml(profile: &Path, dir: &Path) -> Result<PathBuf, String> {
    let url = url::Url::from_file_path(profile).map_err(|()| "not an absolute path")?;
    let out = resolve(&FsWorld::new(), &url, &Options::default());
    let resolved = out
        .output
        .map_err(|e| format!("{}: {e:?}", profile.display()))?;
    let name = profile
        .file_stem()
        .ok_or("no file name")?
        .to_string_lossy()
        .into_owned();
    let target = dir.join(format!("{name}-resolved.xml"));
    std::fs::write(&target, emit(&resolved, Format::Xml)).map_err(|e| e.to_string())?;
    Ok(target)
}

fn out_dir(name: &str) -> Result<PathBuf, String> {
    let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join(name);
    std::fs::create_dir_all(&dir).map_err(|e| e.to_string())?;
    Ok(dir)
}

/// The `.xml` files of a folder of the repository.
fn xml_files(folder: &str) -> Result<Vec<PathBuf>, String> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(root().join(folder))
        .map_err(|e| format!("{folder}: {e}"))?
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|e| e == "xml"))
        .collect();
    files.sort();
    if files.is_empty() {
        return Err(format!("{folder}: no XML file to check"));
    }
    Ok(files)
}

fn resolved_shipped_profiles_are_valid_xml() -> Result<(), String> {
    let dir = out_dir("xsd-shipped")?;
    let failures: Vec<String> = xml_files("profiles")?
        .iter()
        .filter_map(|p| {
            resolved_xml(p, &dir)
                .and_then(|out| check("oscal_catalog_schema.xsd", &out))
                .err()
        })
        .collect();
    if failures.is_empty() {
        Ok(())
    } else {
        Err(failures.join("\n"))
    }
}

fn resolved_rev4_baselines_are_valid_xml() -> Result<(), String> {
    let dir = out_dir("xsd-rev4")?;
    let base = root().join("tests/fixtures/sp800-53-rev4/nist.gov/SP800-53/rev4");
    for level in ["LOW", "MODERATE", "HIGH"] {
        for format in ["xml", "json"] {
            let p = base.join(format!(
                "{format}/NIST_SP-800-53_rev4_{level}-baseline_profile.{format}"
            ));
            resolved_xml(&p, &dir)
                .and_then(|out| check("oscal_catalog_schema.xsd", &out))
                .map_err(|e| format!("{level} {format}: {e}"))?;
        }
    }
    Ok(())
}

fn shipped_xml_catalogs_and_profiles_are_valid() -> Result<(), String> {
    for (folder, xsd) in [
        ("catalogs", "oscal_catalog_schema.xsd"),
        ("profiles", "oscal_profile_schema.xsd"),
    ] {
        for p in xml_files(folder)? {
            check(xsd, &p)?;
        }
    }
    Ok(())
}
