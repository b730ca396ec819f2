//! XML output against the official OSCAL 1.2.3 XSDs (req-output-xml), with `xmllint`.
//!
//! Every resolved XML output of the shipped profiles and of the SP 800-53 rev4 baselines, and every
//! shipped XML catalog and profile, must be valid. Without `xmllint` on the machine (Debian
//! `libxml2-utils`, which `.ci/run` installs) each test says so and checks nothing else.

use std::path::{Path, PathBuf};
use std::process::Command;

use oscalc::{Format, FsWorld, Options, emit, resolve};

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

fn xmllint() -> bool {
    let found = Command::new("xmllint").arg("--version").output().is_ok();
    if !found {
        eprintln!("skipped: xmllint is not installed (apt-get install libxml2-utils)");
    }
    found
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
        Err(String::from_utf8_lossy(&out.stderr).into_owned())
    }
}

fn resolved_xml(profile: &Path, dir: &Path) -> PathBuf {
    let url = url::Url::from_file_path(profile).expect("absolute path");
    let out = resolve(&FsWorld::new(), &url, &Options::default());
    let resolved = out
        .output
        .unwrap_or_else(|e| panic!("{}: {e:?}", profile.display()));
    let name = profile.file_stem().unwrap().to_string_lossy().into_owned();
    let target = dir.join(format!("{name}-resolved.xml"));
    std::fs::write(&target, emit(&resolved, Format::Xml)).expect("write");
    target
}

fn out_dir(name: &str) -> PathBuf {
    let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join(name);
    std::fs::create_dir_all(&dir).expect("dir");
    dir
}

#[test]
fn resolved_shipped_profiles_are_valid_xml() {
    if !xmllint() {
        return;
    }
    let dir = out_dir("xsd-shipped");
    let mut failures = Vec::new();
    for entry in std::fs::read_dir(root().join("profiles"))
        .unwrap()
        .flatten()
    {
        let p = entry.path();
        if p.extension().is_some_and(|e| e == "xml") {
            let out = resolved_xml(&p, &dir);
            if let Err(e) = check("oscal_catalog_schema.xsd", &out) {
                failures.push(format!("{}: {e}", p.display()));
            }
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn resolved_rev4_baselines_are_valid_xml() {
    if !xmllint() {
        return;
    }
    let dir = out_dir("xsd-rev4");
    let base = root().join("tests/fixtures/sp800-53-rev4/nist.gov/SP800-53/rev4");
    for level in ["LOW", "MODERATE", "HIGH"] {
        for format in ["xml", "json"] {
            let p = base.join(format!(
                "{format}/NIST_SP-800-53_rev4_{level}-baseline_profile.{format}"
            ));
            let out = resolved_xml(&p, &dir);
            check("oscal_catalog_schema.xsd", &out)
                .unwrap_or_else(|e| panic!("{level} {format}: {e}"));
        }
    }
}

#[test]
fn shipped_xml_catalogs_and_profiles_are_valid() {
    if !xmllint() {
        return;
    }
    for (folder, xsd) in [
        ("catalogs", "oscal_catalog_schema.xsd"),
        ("profiles", "oscal_profile_schema.xsd"),
    ] {
        for entry in std::fs::read_dir(root().join(folder)).unwrap().flatten() {
            let p = entry.path();
            if p.extension().is_some_and(|e| e == "xml") {
                check(xsd, &p).unwrap_or_else(|e| panic!("{}: {e}", p.display()));
            }
        }
    }
}
