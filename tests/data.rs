//! The data-driven suites, one libtest-mimic trial per case, named `<suite>::<case>` and filterable
//! like any test (`cargo test --test data -- golden::LOW`):
//!
//! - `conformance::<profile>`: NIST's requirement tests (`tests/fixtures/spec-tests/`). A profile
//!   listed in `tests/conformance/errors.txt` must fail with the listed code and a message naming the
//!   listed file; any other profile with an expected output is resolved to XML and compared with it
//!   after NIST's scrub. Cases in `divergent.txt` must *differ* from NIST's output.
//! - `golden::<LEVEL>::<xml|json|yaml>-in::<xml|json>-out`: the SP 800-53 rev4 baselines against
//!   NIST's resolved catalogs (`tests/fixtures/sp800-53-rev4/`); the YAML inputs are written from
//!   the JSON fixtures by oscalc's emitter at run time (`support::multiformat::rev4_yaml`).
//! - `cases::<phase>::<case>`: our own case folders (`tests/cases/<phase>/<case>/case.toml`: `entry`,
//!   then `expected` (JSON or XML, compared with full metadata after blanking) and/or `warnings`
//!   (the exact list of warning codes), or `error` (code) with `message` (text the diagnostic
//!   must contain), and optionally a table `[options]` of decision switches, spelt as the CLI's
//!   flags (`[options]` then `flat = "strict"` is `--flat strict`; keys `flat`, `parent-controls`,
//!   `by-id-self`, `set-param-props`, `combine-merge`; `support::options`); absent: the defaults.
//!   Not ratcheted: a case folder is written to pass. A folder with an
//!   `expected.diag` is run through the binary instead (`support::broken`: the broken-input
//!   corpus of `tests/cases/broken/` and the constraint cases of `tests/cases/constraints/`, one
//!   per kind of OSCAL constraint; exact codes and line:col, exit status, no file left behind).
//! - `schema::…`: the JSON output of every case above validates against the bundled catalog schema.
//! - `selftest::…`: the comparators and the schema check on NIST's own files: equal to themselves,
//!   blind to what they must ignore, and pointing at a deliberate change.
//! - `ratchet::lists`: the lists of `tests/conformance/` name existing cases and stay within limits;
//!   `ratchet::untested-reqs`: every requirement of the specification is covered by a trial or a
//!   case folder (`tests/cases/**/case.toml`, `reqs = [...]`), or listed in `untested-reqs.txt`.
//!
//! All but `selftest` and `ratchet` go through the ratchet of `tests/conformance/passing.txt`
//! (see `support::ratchet`).

mod support;

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::sync::Arc;

use libtest_mimic::{Arguments, Failed, Trial};
use serde_json::Value;

use oscalc::Options;
use support::compare::compare_json;
use support::ratchet::Lists;
use support::run::{Diag, Out, resolve_file, resolve_file_with};
use support::schema::validate_catalog_text;
use support::scrub::{Metadata, compare_xml};
use support::{files_ending, fixture, read};

fn main() {
    let args = Arguments::from_args();
    let lists = Arc::new(Lists::load());
    let mut trials = Vec::new();
    let cases = conformance_trials(&lists, &mut trials);
    golden_trials(&lists, &mut trials);
    multiformat_trials(&cases, &mut trials);
    case_trials(
        &support::repo_root().join("tests/cases"),
        "cases",
        &mut trials,
    );
    selftest_trials(&mut trials);
    let names: BTreeSet<String> = trials.iter().map(|t| t.name().to_owned()).collect();
    let check = lists.check(&names, &cases);
    trials.push(Trial::test("ratchet::lists", move || {
        check.map_err(Failed::from)
    }));
    let run = move || check_untested_reqs(&cases).map_err(Failed::from);
    trials.push(Trial::test("ratchet::untested-reqs", run));
    libtest_mimic::run(&args, trials).exit();
}

// ---------------------------------------------------------------------------------------------
// multiformat

/// `multiformat::<case>` and `multiformat::yaml::<case>`: each requirement test whose XML
/// resolves resolves to the same catalog from JSON copies of every input, and from YAML copies
/// (req-multiformat-differ). Strict: no ratchet.
fn multiformat_trials(cases: &BTreeSet<String>, trials: &mut Vec<Trial>) {
    type Twin = fn() -> Result<&'static Path, String>;
    let twins: [(&str, Twin); 2] = [
        ("multiformat", support::multiformat::json_twin),
        ("multiformat::yaml", support::multiformat::yaml_twin),
    ];
    for (prefix, twin) in twins {
        for case in cases {
            let case = case.clone();
            let name = format!("{prefix}::{case}");
            let run = move || -> Result<(), String> {
                let xml_profile = requirement_tests().join(format!("{case}.xml"));
                let from_xml = resolve_file(&xml_profile, Out::Json)?;
                let Ok(expected) = from_xml.output else {
                    return Ok(()); // error cases: covered by conformance::
                };
                let from_twin = resolve_file(&twin()?.join(format!("{case}.xml")), Out::Json)?;
                let actual = from_twin.document()?;
                compare_json(&expected, actual, Metadata::Full)
            };
            let trial = Trial::test(name, move || run().map_err(Failed::from));
            trials.push(trial.with_kind("multiformat"));
        }
    }
}

// ---------------------------------------------------------------------------------------------
// conformance

fn requirement_tests() -> PathBuf {
    fixture("spec-tests/requirement-tests")
}

/// Adds the conformance and their schema trials; returns the case names seen.
fn conformance_trials(lists: &Arc<Lists>, trials: &mut Vec<Trial>) -> BTreeSet<String> {
    let mut cases = BTreeSet::new();
    for profile in files_ending(&requirement_tests(), ".xml") {
        let Some(case) = stem(&profile) else { continue };
        // Not a profile: the fragment `req-spoofing-resource.xml` tries to smuggle in.
        if case == "spoofed-resource" {
            continue;
        }
        cases.insert(case.clone());
        let expected = requirement_tests().join(format!("output-expected/{case}_RESOLVED.xml"));
        let name = format!("conformance::{case}");
        if let Some(error) = lists.errors.get(&case).cloned() {
            // errors.txt is its own ratchet: a listed case must fail with its code, always.
            let run = move || expect_error(&case, &profile, &error.code, &error.names);
            trials.push(Trial::test(name, move || run().map_err(Failed::from)).with_kind("error"));
        } else if expected.is_file() {
            if let Some(divergence) = lists.divergent.get(&case).cloned() {
                let xml_profile = profile.clone();
                let run = move || {
                    let (req, sentence) = (&divergence.req, &divergence.sentence);
                    expect_divergence(&xml_profile, &expected, req, sentence)
                };
                trials.push(
                    Trial::test(name, move || run().map_err(Failed::from)).with_kind("divergent"),
                );
            } else {
                let xml_profile = profile.clone();
                let run =
                    move || resolve_and_compare(&xml_profile, &expected, Out::Xml, Metadata::Loose);
                trials.push(ratcheted(lists, name, run));
            }
            let run = move || resolve_and_validate(&profile);
            trials.push(ratcheted(
                lists,
                format!("schema::conformance::{case}"),
                run,
            ));
        }
        // Neither an expected output nor an expected error (req-merge-keep1/2): covered by the
        // case folders of tests/cases/, see tests/conformance/untested-reqs.txt.
    }
    cases
}

/// A trial whose raw result goes through the ratchet.
fn ratcheted<F>(lists: &Arc<Lists>, name: String, run: F) -> Trial
where
    F: FnOnce() -> Result<(), String> + Send + 'static,
{
    let lists = Arc::clone(lists);
    let judged = name.clone();
    Trial::ignorable_test(name, move || lists.judge(&judged, run()))
}

fn stem(path: &Path) -> Option<String> {
    path.file_stem()?.to_str().map(str::to_owned)
}

/// Resolution must fail with `code`, in a diagnostic that names the file `names` (in its message,
/// or as the file it points into); and nothing the spoofed resource holds may show up anywhere.
fn expect_error(case: &str, profile: &Path, code: &str, names: &str) -> Result<(), String> {
    expect_error_in(case, profile, code, names, None, &Options::default())
}

/// [`expect_error`]; with `folder`, paths into it are shortened to their file names first, so a
/// case folder can say `x.json → y.json` whatever the working directory.
fn expect_error_in(
    case: &str,
    profile: &Path,
    code: &str,
    names: &str,
    folder: Option<&Path>,
    opts: &Options,
) -> Result<(), String> {
    let shorten = |text: String| match folder {
        Some(folder) => shorten_paths(&text, folder),
        None => text,
    };
    let resolution = resolve_file_with(profile, Out::Xml, opts)?;
    let mut texts: Vec<String> = resolution.warnings.iter().map(Diag::rendered).collect();
    let errors = match &resolution.output {
        Ok(document) => {
            texts.push(document.clone());
            None
        }
        Err(errors) => {
            texts.extend(errors.iter().map(Diag::rendered));
            Some(errors)
        }
    };
    if case == "req-spoofing-resource" {
        check_not_spoofed(&texts)?;
    }
    let Some(errors) = errors else {
        return Err(format!("resolved without error; expected error `{code}`"));
    };
    let listing = || match errors.first() {
        Some(first) => {
            let rest: String = errors
                .iter()
                .skip(1)
                .map(|d| format!("\n  {}", d.rendered()))
                .collect();
            format!(" {}{rest}", first.rendered())
        }
        None => " nothing".to_owned(),
    };
    let coded: Vec<_> = errors.iter().filter(|d| d.code == code).collect();
    if coded.is_empty() {
        return Err(format!("expected error `{code}`, got:{}", listing()));
    }
    if !coded.iter().any(|d| shorten(d.rendered()).contains(names)) {
        return Err(format!(
            "no `{code}` diagnostic names `{names}`:{}",
            listing()
        ));
    }
    Ok(())
}

/// req-spoofing-resource: the external entity must never be expanded, so no text of
/// `spoofed-resource.xml` (its hrefs) may appear in any output or diagnostic.
fn check_not_spoofed(texts: &[String]) -> Result<(), String> {
    let spoof = read(&requirement_tests().join("spoofed-resource.xml"))?;
    let hrefs: Vec<&str> = spoof
        .split("href=\"")
        .skip(1)
        .filter_map(|rest| rest.split('"').next())
        .collect();
    if hrefs.is_empty() {
        return Err("spoofed-resource.xml holds no href to look for".to_owned());
    }
    for text in texts {
        if let Some(href) = hrefs.iter().find(|href| text.contains(*href)) {
            return Err(format!(
                "text of spoofed-resource.xml (`{href}`) leaked into: {}",
                support::report::clip(text)
            ));
        }
    }
    Ok(())
}

fn resolve_and_compare(
    profile: &Path,
    expected: &Path,
    out: Out,
    metadata: Metadata,
) -> Result<(), String> {
    let expected = read(expected)?;
    let resolution = resolve_file(profile, out)?;
    let actual = resolution.document()?;
    match out {
        Out::Xml => compare_xml(&expected, actual, metadata),
        Out::Json => compare_json(&expected, actual, metadata),
    }
}

fn resolve_and_validate(profile: &Path) -> Result<(), String> {
    let resolution = resolve_file(profile, Out::Json)?;
    validate_catalog_text(resolution.document()?)
}

/// A divergent case must resolve, must differ from NIST's expected output (once it matches, it
/// belongs in passing.txt instead), and must equal the output the decision pins in
/// `tests/conformance/divergent/<case>_RESOLVED.xml`, so that it differs from NIST's file only
/// where the decided sentence says.
fn expect_divergence(
    profile: &Path,
    expected: &Path,
    req: &str,
    sentence: &str,
) -> Result<(), String> {
    match resolve_and_compare(profile, expected, Out::Xml, Metadata::Loose) {
        Ok(()) => {
            return Err(format!(
                "matches NIST's expected output now; move it from divergent.txt to passing.txt \
                 (it was divergent by {req}: {sentence})"
            ));
        }
        Err(report) if report.starts_with("resolution failed") => return Err(report),
        Err(_) => {}
    }
    let name = expected
        .file_name()
        .ok_or("expected output without a file name")?;
    let pinned = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/conformance/divergent")
        .join(name);
    resolve_and_compare(profile, &pinned, Out::Xml, Metadata::Loose).map_err(|report| {
        format!(
            "differs from the decided output {} (divergent by {req}):\n{report}",
            pinned.display()
        )
    })
}

// ---------------------------------------------------------------------------------------------
// cases

/// Adds one trial per folder under `dir` that holds a `case.toml`, named by its path.
fn case_trials(dir: &Path, prefix: &str, trials: &mut Vec<Trial>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    let mut folders: Vec<PathBuf> = entries.filter_map(Result::ok).map(|e| e.path()).collect();
    folders.sort();
    for folder in folders.into_iter().filter(|p| p.is_dir()) {
        let Some(name) = folder
            .file_name()
            .and_then(|n| n.to_str())
            .map(str::to_owned)
        else {
            continue;
        };
        let name = format!("{prefix}::{name}");
        if folder.join("case.toml").is_file() {
            trials.push(Trial::test(name, move || {
                run_case(&folder).map_err(Failed::from)
            }));
        } else {
            case_trials(&folder, &name, trials);
        }
    }
}

/// `text` with every spelling of `folder/` (absolute, or relative to the working directory) removed.
fn shorten_paths(text: &str, folder: &Path) -> String {
    let mut out = text.replace(&format!("{}/", folder.display()), "");
    if let Ok(relative) = folder.strip_prefix(support::repo_root()) {
        out = out.replace(&format!("{}/", relative.display()), "");
    }
    out
}

fn run_case(folder: &Path) -> Result<(), String> {
    let spec: toml::Table =
        toml::from_str(&read(&folder.join("case.toml"))?).map_err(|e| format!("case.toml: {e}"))?;
    let text = |key: &str| spec.get(key).and_then(toml::Value::as_str);
    if folder.join("expected.diag").is_file()
        || folder
            .parent()
            .is_some_and(|p| p.ends_with("broken") || p.ends_with("constraints"))
    {
        return support::broken::run(folder, &spec);
    }
    let entry = folder.join(text("entry").ok_or("case.toml has no `entry`")?);
    let opts = support::options::from_case(&spec)?;
    if let Some(code) = text("error") {
        let names = text("message").unwrap_or("");
        return expect_error_in("", &entry, code, names, Some(folder), &opts);
    }
    let expected_file = text("expected").ok_or("case.toml has neither `expected` nor `error`")?;
    let out = if expected_file.ends_with(".xml") {
        Out::Xml
    } else {
        Out::Json
    };
    let resolution = resolve_file_with(&entry, out, &opts)?;
    let actual = resolution.document()?;
    let expected = read(&folder.join(expected_file))?;
    match out {
        Out::Xml => compare_xml(&expected, actual, Metadata::Full)?,
        Out::Json => compare_json(&expected, actual, Metadata::Full)?,
    }
    if let Some(codes) = spec.get("warnings").and_then(toml::Value::as_array) {
        let want: Vec<&str> = codes.iter().filter_map(toml::Value::as_str).collect();
        let got: Vec<&str> = resolution
            .warnings
            .iter()
            .map(|d| d.code.as_str())
            .collect();
        if want != got {
            let listing: String = resolution
                .warnings
                .iter()
                .map(|d| format!("\n  {}", d.rendered()))
                .collect();
            return Err(format!(
                "warnings: expected {want:?}, got {got:?}:{listing}"
            ));
        }
    }
    Ok(())
}

// ---------------------------------------------------------------------------------------------
// golden

const LEVELS: [&str; 3] = ["LOW", "MODERATE", "HIGH"];

fn rev4(format: &str, file: &str) -> PathBuf {
    fixture(&format!(
        "sp800-53-rev4/nist.gov/SP800-53/rev4/{format}/{file}"
    ))
}

fn golden_profile(level: &str, format: &str) -> PathBuf {
    rev4(
        format,
        &format!("NIST_SP-800-53_rev4_{level}-baseline_profile.{format}"),
    )
}

fn golden_expected(level: &str, format: &str) -> PathBuf {
    rev4(
        format,
        &format!("NIST_SP-800-53_rev4_{level}-baseline-resolved-profile_catalog.{format}"),
    )
}

fn golden_trials(lists: &Arc<Lists>, trials: &mut Vec<Trial>) {
    for level in LEVELS {
        for input in ["xml", "json"] {
            for (output, out) in [("xml", Out::Xml), ("json", Out::Json)] {
                let profile = golden_profile(level, input);
                let expected = golden_expected(level, output);
                let name = format!("golden::{level}::{input}-in::{output}-out");
                let run = move || resolve_and_compare(&profile, &expected, out, Metadata::Full);
                trials.push(ratcheted(lists, name, run));
            }
            let profile = golden_profile(level, input);
            let name = format!("schema::golden::{level}::{input}-in");
            trials.push(ratcheted(lists, name, move || {
                resolve_and_validate(&profile)
            }));
        }
        // The same baselines from YAML: the catalog and profile written by oscalc's YAML emitter
        // (checked as data against the JSON by PyYAML), the import pointed at the YAML catalog.
        for (output, out) in [("xml", Out::Xml), ("json", Out::Json)] {
            let expected = golden_expected(level, output);
            let name = format!("golden::{level}::yaml-in::{output}-out");
            let run = move || {
                let profile = golden_yaml_profile(level)?;
                resolve_and_compare(&profile, &expected, out, Metadata::Full)
            };
            trials.push(ratcheted(lists, name, run));
        }
        let name = format!("schema::golden::{level}::yaml-in");
        trials.push(ratcheted(lists, name, move || {
            resolve_and_validate(&golden_yaml_profile(level)?)
        }));
    }
}

/// The `level` baseline profile as YAML, importing the catalog as YAML (`support::multiformat`).
fn golden_yaml_profile(level: &str) -> Result<PathBuf, String> {
    let dir = support::multiformat::rev4_yaml()?;
    Ok(dir.join(format!("NIST_SP-800-53_rev4_{level}-baseline_profile.yaml")))
}

// ---------------------------------------------------------------------------------------------
// selftest: the comparators on NIST's files, no library involved

fn selftest_trials(trials: &mut Vec<Trial>) {
    let mut xml_files = files_ending(&requirement_tests().join("output-expected"), ".xml");
    // The expected output of req-circular_import records an error, not a catalog.
    xml_files.retain(|p| stem(p).is_some_and(|s| s != "req-circular_import_RESOLVED"));
    xml_files.extend(LEVELS.map(|level| golden_expected(level, "xml")));
    for path in xml_files {
        let Some(name) = stem(&path) else { continue };
        let name = format!("selftest::scrub::{name}");
        trials.push(Trial::test(name, move || {
            selftest_xml(&path).map_err(Failed::from)
        }));
    }
    for level in LEVELS {
        let path = golden_expected(level, "json");
        let name = format!("selftest::json::{level}");
        trials.push(Trial::test(name, move || {
            selftest_json(&path).map_err(Failed::from)
        }));
        let path = golden_expected(level, "json");
        let name = format!("selftest::schema::{level}");
        trials.push(Trial::test(name, move || {
            selftest_schema(&path).map_err(Failed::from)
        }));
    }
}

/// The scrub comparator: a file equals itself, ignores what NIST's scrub ignores and reports the
/// place of a deliberate change.
fn selftest_xml(path: &Path) -> Result<(), String> {
    let text = read(path)?;
    compare_xml(&text, &text, Metadata::Full).map_err(|e| format!("differs from itself: {e}"))?;
    // Re-indented, with the catalog's identity and time changed: still equal.
    let reindented = text.replace("\n   ", "\n").replace("\n", "\n\t ");
    let reidentified = replace_attr(
        &reindented,
        "catalog",
        "uuid",
        "00000000-0000-4000-8000-000000000000",
    )?;
    let retimed = replace_between(
        &reidentified,
        "<last-modified>",
        "</last-modified>",
        "2000-01-01T00:00:00Z",
    )?;
    compare_xml(&text, &retimed, Metadata::Full)
        .map_err(|e| format!("whitespace, uuid or last-modified made a difference: {e}"))?;
    // A word added to the last paragraph (or title): reported at a path ending in that element.
    let (element, at) = ["p", "title"]
        .iter()
        .find_map(|e| Some((*e, text.rfind(&format!("</{e}>"))?)))
        .ok_or("no <p> or <title> to alter")?;
    let altered = format!("{} XYZZY{}", &text[..at], &text[at..]);
    let report = compare_xml(&text, &altered, Metadata::Full);
    expect_report(report, &[&format!("/{element}"), "XYZZY"])?;
    // The last prop (or link) removed: reported as missing, with the attribute that keys it.
    let (element, key, start) = [("prop", "name"), ("link", "rel")]
        .iter()
        .find_map(|(e, k)| Some((*e, *k, text.rfind(&format!("<{e} "))?)))
        .ok_or("no <prop> or <link> to remove")?;
    let end = start + text[start..].find("/>").ok_or("not an empty element")? + 2;
    let removed = format!("{}{}", &text[..start], &text[end..]);
    let value = text[start..end]
        .split(&format!("{key}=\""))
        .nth(1)
        .and_then(|rest| rest.split('"').next())
        .ok_or("removed element has no key attribute")?;
    expect_report(
        compare_xml(&text, &removed, Metadata::Full),
        &[&format!("/{element}[@{key}='{value}']"), "(absent)"],
    )
}

/// The JSON comparator: the same checks on NIST's resolved JSON catalog.
fn selftest_json(path: &Path) -> Result<(), String> {
    let text = read(path)?;
    compare_json(&text, &text, Metadata::Full).map_err(|e| format!("differs from itself: {e}"))?;
    let mut doc: Value = serde_json::from_str(&text).map_err(|e| e.to_string())?;
    doc["catalog"]["uuid"] = Value::from("00000000-0000-4000-8000-000000000000");
    doc["catalog"]["metadata"]["last-modified"] = Value::from("2000-01-01T00:00:00Z");
    let compact = doc.to_string();
    compare_json(&text, &compact, Metadata::Full)
        .map_err(|e| format!("layout, uuid or last-modified made a difference: {e}"))?;
    // Prose of the last control's first part changed; its first prop removed.
    let group = last_with(&mut doc["catalog"]["groups"], "controls")?;
    let control = group["controls"]
        .as_array_mut()
        .and_then(|c| c.last_mut())
        .ok_or("no control")?;
    let id = control["id"]
        .as_str()
        .ok_or("control without id")?
        .to_owned();
    let prose = &mut control["parts"][0]["prose"];
    *prose = Value::from(format!("{} XYZZY", prose.as_str().unwrap_or("")));
    let props = control["props"]
        .as_array_mut()
        .ok_or("control without props")?;
    let prop = props.remove(0);
    let prop_name = prop["name"].as_str().unwrap_or("").to_owned();
    let report = compare_json(&text, &doc.to_string(), Metadata::Full);
    expect_report(
        report,
        &[
            &format!("controls[id={id}].parts[id="),
            "XYZZY",
            &format!("controls[id={id}].props[name={prop_name}]"),
            "(absent)",
        ],
    )
}

/// The schema check: NIST's resolved catalog is valid (the validator accepts the schema's `\p{L}`
/// patterns); a control id that is no token is reported at its path.
fn selftest_schema(path: &Path) -> Result<(), String> {
    let text = read(path)?;
    validate_catalog_text(&text).map_err(|e| format!("NIST's own catalog: {e}"))?;
    let mut doc: Value = serde_json::from_str(&text).map_err(|e| e.to_string())?;
    doc["catalog"]["groups"][0]["controls"][0]["id"] = Value::from("not a token");
    match validate_catalog_text(&doc.to_string()) {
        Ok(()) => Err("a control id with spaces passed the schema".to_owned()),
        Err(report) if report.contains("/catalog/groups/0/controls/0/id") => Ok(()),
        Err(report) => Err(format!("the bad id was not located: {report}")),
    }
}

fn last_with<'a>(list: &'a mut Value, member: &str) -> Result<&'a mut Value, String> {
    list.as_array_mut()
        .and_then(|items| {
            items
                .iter_mut()
                .rev()
                .find(|item| item.get(member).is_some())
        })
        .ok_or_else(|| format!("no item with `{member}`"))
}

/// A comparison must fail with a report that mentions every needle.
fn expect_report(result: Result<(), String>, needles: &[&str]) -> Result<(), String> {
    let report = match result {
        Ok(()) => return Err("a deliberate change went unnoticed".to_owned()),
        Err(report) => report,
    };
    match needles.iter().find(|needle| !report.contains(*needle)) {
        Some(needle) => Err(format!("report does not mention `{needle}`:\n{report}")),
        None => Ok(()),
    }
}

fn replace_attr(text: &str, element: &str, attr: &str, value: &str) -> Result<String, String> {
    let open = text
        .find(&format!("<{element}"))
        .ok_or(format!("no <{element}>"))?;
    let key = format!("{attr}=\"");
    let start = open + text[open..].find(&key).ok_or(format!("no @{attr}"))? + key.len();
    let end = start + text[start..].find('"').ok_or("unclosed attribute")?;
    Ok(format!("{}{value}{}", &text[..start], &text[end..]))
}

fn replace_between(text: &str, open: &str, close: &str, value: &str) -> Result<String, String> {
    let start = text.find(open).ok_or(format!("no {open}"))? + open.len();
    let end = start + text[start..].find(close).ok_or(format!("no {close}"))?;
    Ok(format!("{}{value}{}", &text[..start], &text[end..]))
}

// ---------------------------------------------------------------------------------------------
// requirement coverage

/// Requirements covered by trials that NIST's XSpec does not bind: `(case or suite, req ids)`.
/// A conformance case counts only if it is a trial (has an expected output or error).
const EXTRA_COVERAGE: &[(&str, &[&str])] = &[
    ("req-loose-params1", &["req-loose-param"]),
    ("req-loose-params2", &["req-loose-param"]),
    ("req-merge-usefirst1", &["req-merge-use-first"]),
    ("req-merge-usefirst2", &["req-merge-use-first"]),
    (
        "req-modify-alter-remove-match1",
        &[
            "req-modify-alter-remove-match",
            "req-modify-alter-remove-by-id",
            "req-modify-alter-remove-name-ref",
            "req-modify-alter-remove-item-name",
        ],
    ),
    (
        "req-modify-alter-remove-match2",
        &["req-modify-alter-remove-match"],
    ),
    (
        "req-structure-asis1",
        &["id-structure-as-is-list", "id-structure-as-is-list-1"],
    ),
    (
        "req-structure-asis2",
        &["id-structure-as-is-list", "id-structure-as-is-list-1"],
    ),
    // Every rev4 profile adds a prop to each control with an implicitly bound `add`, keeps the
    // profile's version, and is resolved from XML and from JSON against the same expected output.
    (
        "golden",
        &[
            "req-modify-alter-add-implicit",
            "req-meta-version",
            "req-multiformat",
            "req-multiformat-differ",
        ],
    ),
    ("schema", &["req-output-json"]),
    // tests/xsd.rs: resolved XML outputs against the official XSD, with xmllint.
    ("xsd", &["req-output-xml"]),
];

/// Every requirement of the specification is covered by a trial or a case folder, or listed in
/// `tests/conformance/untested-reqs.txt`, never both.
fn check_untested_reqs(cases: &BTreeSet<String>) -> Result<(), String> {
    let spec = read(&fixture("spec-tests/profile-resolution-specml.xml"))?;
    let spec_ids: BTreeSet<String> = attr_values_after(&spec, "<req ", "id=\"")
        .into_iter()
        .collect();
    let mut covered: BTreeMap<String, String> = BTreeMap::new();
    let xspec = read(&fixture(
        "spec-tests/profile-resolution-specml-requirements.xspec",
    ))?;
    for (req, case) in xspec_bindings(&xspec) {
        if cases.contains(&case) {
            covered.entry(req).or_insert(format!("conformance::{case}"));
        }
    }
    for (source, reqs) in EXTRA_COVERAGE {
        if cases.contains(*source) || matches!(*source, "golden" | "schema" | "xsd") {
            for req in *reqs {
                covered
                    .entry((*req).to_owned())
                    .or_insert((*source).to_owned());
            }
        }
    }
    case_folder_reqs(&support::repo_root().join("tests/cases"), &mut covered)?;
    let untested = read(&support::repo_root().join("tests/conformance/untested-reqs.txt"))?;
    let listed: Vec<&str> = untested
        .lines()
        .filter_map(|line| line.split('#').next()?.split_whitespace().next())
        .collect();
    let mut problems = Vec::new();
    for req in &listed {
        if !spec_ids.contains(*req) {
            problems.push(format!(
                "untested-reqs.txt lists `{req}`, which the specification does not define"
            ));
        }
        if let Some(by) = covered.get(*req) {
            problems.push(format!(
                "untested-reqs.txt lists `{req}`, covered by {by}: remove it"
            ));
        }
    }
    for req in &spec_ids {
        if !covered.contains_key(req) && !listed.contains(&req.as_str()) {
            problems.push(format!(
                "`{req}` is covered by no case: add a case or list it in untested-reqs.txt"
            ));
        }
    }
    if problems.is_empty() {
        Ok(())
    } else {
        Err(problems.join("\n"))
    }
}

/// Values of attribute `attr` (given as `name="`) in every tag that starts with `tag`.
fn attr_values_after(text: &str, tag: &str, attr: &str) -> Vec<String> {
    text.split(tag)
        .skip(1)
        .filter_map(|rest| {
            let head = rest.split('>').next()?;
            let value = head.split(attr).nth(1)?.split('"').next()?;
            Some(value.to_owned())
        })
        .collect()
}

/// `(requirement id, test profile)` pairs of the XSpec: each `<?requirement id ?>` binds the
/// `x:context` that follows it.
fn xspec_bindings(xspec: &str) -> Vec<(String, String)> {
    xspec
        .split("<?requirement ")
        .skip(1)
        .filter_map(|rest| {
            let req = rest.split_whitespace().next()?.to_owned();
            let context = rest.split("<x:context href=\"requirement-tests/").nth(1)?;
            let case = context.split(".xml\"").next()?.to_owned();
            Some((req, case))
        })
        .collect()
}

/// Adds the `reqs = [...]` of every `case.toml` under `dir` (the case folders of tests/cases/).
fn case_folder_reqs(dir: &Path, covered: &mut BTreeMap<String, String>) -> Result<(), String> {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return Ok(());
    };
    let mut paths: Vec<PathBuf> = entries.filter_map(Result::ok).map(|e| e.path()).collect();
    paths.sort();
    for path in paths {
        if path.is_dir() {
            case_folder_reqs(&path, covered)?;
        } else if path.file_name().is_some_and(|n| n == "case.toml") {
            let table: toml::Table =
                toml::from_str(&read(&path)?).map_err(|e| format!("{}: {e}", path.display()))?;
            let reqs = table.get("reqs").and_then(toml::Value::as_array);
            for req in reqs.into_iter().flatten().filter_map(toml::Value::as_str) {
                let by = path.parent().unwrap_or(&path).display().to_string();
                covered.entry(req.to_owned()).or_insert(by);
            }
        }
    }
    Ok(())
}
