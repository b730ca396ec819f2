//! The broken-input corpus (`tests/cases/broken/<name>/`): each case runs the `oscalc` binary, so
//! what is checked is what a CI job sees.
//!
//! In: a case folder with `case.toml` (`entry`, `error` = a code that must be among the
//! diagnostics, `exit` = the exit status of `validate`, default 1, optional `args`) and
//! `expected.diag` (one `file:line:col severity code` line per diagnostic of
//! `oscalc validate ENTRY --error-format json`, in order; `- severity code` for one with no place;
//! a diagnostic reached through imports ends with its chain, innermost first:
//! `(imported by mid.json:5:14, imported by root.json:5:14)`).
//! Out: `Ok(())`, or a report with the expected and actual lines. Then `oscalc resolve ENTRY -o
//! TMP/out.json` must not panic, and when it fails it must leave nothing in TMP.
//! `OSCALC_BLESS=1` rewrites `expected.diag` from the actual run.
//!
//! Optional keys: `forbid` (strings that must appear in no output of `validate` in any
//! `--error-format`, nor of `resolve`: the content of a file a hostile import names) and
//! `resolve_exit` (the exit status `resolve` must have) and `resolve_error` (a code that must be
//! among the diagnostics of `resolve`; with it, `error` may be left out when `validate` has
//! nothing to say, as for a limit only resolution reaches).

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use serde_json::Value;

/// Runs one broken case.
pub fn run(folder: &Path, spec: &toml::Table) -> Result<(), String> {
    let text = |key: &str| spec.get(key).and_then(toml::Value::as_str);
    let entry = text("entry").ok_or("case.toml has no `entry`")?;
    let code = text("error");
    if code.is_none() && text("resolve_error").is_none() {
        return Err("case.toml has neither `error` nor `resolve_error`".to_owned());
    }
    let exit = spec
        .get("exit")
        .and_then(toml::Value::as_integer)
        .unwrap_or(1);
    let args: Vec<&str> = spec
        .get("args")
        .and_then(toml::Value::as_array)
        .map(|a| a.iter().filter_map(toml::Value::as_str).collect())
        .unwrap_or_default();

    let validate = oscalc(
        folder,
        &[&["validate", entry, "--error-format", "json"], &args[..]].concat(),
    )?;
    let actual = diag_lines(&validate.stdout)?;
    check_expected(folder, &actual)?;
    if validate.status.code() != Some(i32::try_from(exit).unwrap_or(-1)) {
        return Err(format!(
            "validate exited with {:?}, expected {exit}; stderr:\n{}",
            validate.status.code(),
            String::from_utf8_lossy(&validate.stderr)
        ));
    }
    let has_code = |l: &String| l.split(' ').nth(2) == code;
    if code.is_some() && !actual.iter().any(has_code) {
        return Err(format!(
            "no `{}` diagnostic among:\n{}",
            code.unwrap_or_default(),
            actual.join("\n")
        ));
    }
    if let Some(want) = text("resolve_error") {
        let run = [&["resolve", entry, "--error-format", "json"][..], &args].concat();
        // Without `-o` the document would go to stdout, so the diagnostics go to stderr.
        let lines = diag_lines(&oscalc(folder, &run)?.stderr)?;
        if !lines.iter().any(|l| l.split(' ').nth(2) == Some(want)) {
            return Err(format!(
                "resolve reported no `{want}`:\n{}",
                lines.join("\n")
            ));
        }
    }
    check_forbidden(folder, entry, &args, spec)?;
    check_resolve(folder, entry, &args, spec)
}

/// No output of any format may carry a `forbid` string.
fn check_forbidden(
    folder: &Path,
    entry: &str,
    args: &[&str],
    spec: &toml::Table,
) -> Result<(), String> {
    let forbid: Vec<&str> = spec
        .get("forbid")
        .and_then(toml::Value::as_array)
        .map(|a| a.iter().filter_map(toml::Value::as_str).collect())
        .unwrap_or_default();
    if forbid.is_empty() {
        return Ok(());
    }
    let mut runs: Vec<Vec<&str>> = ["human", "short", "json", "sarif", "github"]
        .iter()
        .map(|f| [&["validate", entry, "--error-format", f][..], args].concat())
        .collect();
    runs.push([&["resolve", entry][..], args].concat());
    runs.push([&["resolve", entry, "--error-format", "json"][..], args].concat());
    for run in runs {
        let out = oscalc(folder, &run)?;
        let text = format!(
            "{}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
        if let Some(bad) = forbid.iter().find(|f| text.contains(**f)) {
            return Err(format!(
                "`oscalc {}` disclosed `{bad}`:\n{text}",
                run.join(" ")
            ));
        }
    }
    Ok(())
}

fn oscalc(folder: &Path, args: &[&str]) -> Result<Output, String> {
    let out = Command::new(env!("CARGO_BIN_EXE_oscalc"))
        .args(args)
        .current_dir(folder)
        .output()
        .map_err(|e| format!("cannot run oscalc: {e}"))?;
    let stderr = String::from_utf8_lossy(&out.stderr);
    if stderr.contains("panicked") || stderr.contains("internal error") {
        return Err(format!("oscalc {} crashed:\n{stderr}", args.join(" ")));
    }
    Ok(out)
}

/// `file:line:col severity code` for each JSON line of the output.
fn diag_lines(stdout: &[u8]) -> Result<Vec<String>, String> {
    let text = String::from_utf8_lossy(stdout);
    text.lines()
        .filter(|l| !l.trim().is_empty())
        .map(|l| {
            let v: Value =
                serde_json::from_str(l).map_err(|e| format!("not a JSON line ({e}): {l}"))?;
            let s = |k: &str| v[k].as_str().unwrap_or("?").to_owned();
            let place = match (v["file"].as_str(), v["line"].as_u64(), v["column"].as_u64()) {
                (Some(f), Some(line), Some(col)) => format!("{f}:{line}:{col}"),
                (Some(f), _, _) => f.to_owned(),
                _ => "-".to_owned(),
            };
            let trace: Vec<String> = v["trace"]
                .as_array()
                .into_iter()
                .flatten()
                .map(|t| {
                    format!(
                        "imported by {}:{}:{}",
                        t["file"].as_str().unwrap_or("?"),
                        t["line"],
                        t["column"]
                    )
                })
                .collect();
            let via = match trace.is_empty() {
                true => String::new(),
                false => format!(" ({})", trace.join(", ")),
            };
            Ok(format!("{place} {} {}{via}", s("severity"), s("code")))
        })
        .collect()
}

fn check_expected(folder: &Path, actual: &[String]) -> Result<(), String> {
    let path = folder.join("expected.diag");
    if std::env::var_os("OSCALC_BLESS").is_some() {
        let mut text = actual.join("\n");
        text.push('\n');
        return std::fs::write(&path, text).map_err(|e| format!("cannot bless: {e}"));
    }
    let expected = super::read(&path)?;
    let expected: Vec<&str> = expected
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
        .collect();
    if expected != actual {
        return Err(format!(
            "diagnostics differ\n--- expected.diag\n{}\n+++ actual\n{}",
            expected.join("\n"),
            actual.join("\n")
        ));
    }
    Ok(())
}

/// `resolve` on the same input: no crash, and a failed run leaves no file behind.
fn check_resolve(
    folder: &Path,
    entry: &str,
    args: &[&str],
    spec: &toml::Table,
) -> Result<(), String> {
    let name = folder
        .file_name()
        .and_then(|n| n.to_str())
        .unwrap_or("case");
    let tmp: PathBuf =
        std::env::temp_dir().join(format!("oscalc-broken-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&tmp);
    std::fs::create_dir_all(&tmp).map_err(|e| format!("temp dir: {e}"))?;
    let out = tmp.join("out.json");
    let out_arg = out.to_string_lossy().into_owned();
    let resolve = oscalc(
        folder,
        &[&["resolve", entry, "-o", &out_arg, "-q"], args].concat(),
    )?;
    let left: Vec<String> = std::fs::read_dir(&tmp)
        .map_err(|e| format!("temp dir: {e}"))?
        .filter_map(Result::ok)
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .collect();
    let _ = std::fs::remove_dir_all(&tmp);
    if let Some(want) = spec.get("resolve_exit").and_then(toml::Value::as_integer)
        && resolve.status.code() != i32::try_from(want).ok()
    {
        return Err(format!(
            "resolve exited with {:?}, expected {want}; stderr:\n{}",
            resolve.status.code(),
            String::from_utf8_lossy(&resolve.stderr)
        ));
    }
    match resolve.status.code() {
        Some(0) if left == ["out.json"] => Ok(()),
        Some(0) => Err(format!("resolve succeeded but left {left:?}")),
        Some(_) if left.is_empty() => Ok(()),
        code => Err(format!(
            "resolve exited with {code:?} and left {left:?} behind"
        )),
    }
}
