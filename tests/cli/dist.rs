//! Distribution: the shell completions and man pages generated from the clap definition, the
//! pre-commit hooks, the GitHub Action and the example workflows (parsed, and their commands run
//! with the real binary on the shipped profiles).

use super::{oscalc, stderr, tmp_dir};
use saphyr_parser::Event;
use serde_json::Value;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;

fn stdout(o: &std::process::Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

/// Every subcommand a user types, and flags of several of them.
const SUBCOMMANDS: [&str; 8] = [
    "resolve",
    "validate",
    "convert",
    "graph",
    "diff",
    "render",
    "completions",
    "man",
];

#[test]
fn completions_of_every_shell_name_the_subcommands_and_flags() {
    for shell in ["bash", "zsh", "fish", "powershell", "elvish"] {
        let o = oscalc(&["completions", shell]);
        assert_eq!(o.status.code(), Some(0), "{shell}: {}", stderr(&o));
        let script = stdout(&o);
        for word in SUBCOMMANDS.iter().chain(&[
            "no-validate",
            "error-format",
            "max-controls",
            "reproducible",
        ]) {
            assert!(script.contains(word), "{shell} script lacks {word}");
        }
        // The values of a value enum are completed too (clap's PowerShell and Elvish scripts
        // complete flags only).
        if !matches!(shell, "powershell" | "elvish") {
            assert!(
                script.contains("sarif"),
                "{shell} script lacks --error-format's values"
            );
        }
    }
}

#[test]
fn completions_of_an_unknown_shell_are_a_usage_error() {
    let o = oscalc(&["completions", "tcsh"]);
    assert_eq!(o.status.code(), Some(2));
    let err = stderr(&o);
    assert!(err.contains("invalid value 'tcsh'"), "{err}");
    assert!(err.contains("bash") && err.contains("powershell"), "{err}");
    assert!(o.stdout.is_empty());
}

/// The bash script, sourced in a real bash, registers a completion for `oscalc`, and completing
/// `oscalc res` and `oscalc resolve --error-f` offers the subcommand and the flag.
#[test]
fn bash_completion_sourced_in_bash_completes_subcommands_and_flags() {
    let o = oscalc(&["completions", "bash"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let dir = tmp_dir("dist-bash");
    let script = dir.join("oscalc.bash");
    std::fs::write(&script, &o.stdout).expect("script");
    let probe = r#"
source "$1"
complete -p oscalc
complete_line() {
  COMP_WORDS=("$@"); COMP_CWORD=$(( $# - 1 )); COMP_LINE="$*"; COMP_POINT=${#COMP_LINE}
  COMPREPLY=()
  _oscalc oscalc "${COMP_WORDS[COMP_CWORD]}" "${COMP_WORDS[COMP_CWORD-1]}"
  echo "[$*] ${COMPREPLY[*]}"
}
complete_line oscalc res
complete_line oscalc resolve --error-f
complete_line oscalc resolve --error-format s
"#;
    let run = Command::new("bash")
        .args(["--norc", "--noprofile", "-c", probe, "probe"])
        .arg(&script)
        .output()
        .expect("run bash");
    let out = stdout(&run);
    assert_eq!(run.status.code(), Some(0), "{out}{}", stderr(&run));
    let lines: Vec<&str> = out.lines().collect();
    assert_eq!(
        lines.first().copied(),
        Some("complete -o bashdefault -o default -o nosort -F _oscalc oscalc"),
        "{out}"
    );
    assert!(lines.contains(&"[oscalc res] resolve"), "{out}");
    assert!(
        lines.contains(&"[oscalc resolve --error-f] --error-format"),
        "{out}"
    );
    assert!(
        lines.contains(&"[oscalc resolve --error-format s] short sarif"),
        "{out}"
    );
}

#[test]
fn man_on_stdout_is_the_main_page_listing_the_subcommands() {
    let o = oscalc(&["man"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let page = stdout(&o);
    assert!(page.starts_with(".ie \\n(.g .ds Aq \\(aq"), "{page}");
    assert!(page.contains(".TH oscalc 1"), "{page}");
    assert!(page.contains(".SH SUBCOMMANDS"), "{page}");
    for sub in SUBCOMMANDS {
        assert!(
            page.contains(&format!("oscalc\\-{sub}(1)")),
            "{sub}: {page}"
        );
    }
    // The exit statuses of the help text are in the page.
    assert!(
        page.contains("invalid output (nothing is written)"),
        "{page}"
    );
    let dash = oscalc(&["man", "-"]);
    assert_eq!(dash.stdout, o.stdout);
}

#[test]
fn man_into_a_folder_writes_one_page_per_command() {
    let dir = tmp_dir("dist-man");
    let o = oscalc(&["man", dir.to_str().expect("utf-8 temp dir")]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert!(o.stdout.is_empty());
    let mut names: Vec<String> = std::fs::read_dir(&dir)
        .expect("man dir")
        .filter_map(Result::ok)
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    let mut expected: Vec<String> = SUBCOMMANDS
        .iter()
        .map(|s| format!("oscalc-{s}.1"))
        .collect();
    expected.push("oscalc.1".into());
    expected.sort();
    assert_eq!(names, expected);
    let resolve = std::fs::read_to_string(dir.join("oscalc-resolve.1")).expect("page");
    let th = concat!(
        ".TH oscalc-resolve 1  \"oscalc ",
        env!("CARGO_PKG_VERSION"),
        "\""
    );
    assert!(resolve.contains(th), "{resolve}");
    assert!(resolve.contains("\\-\\-no\\-validate"), "{resolve}");
    assert!(resolve.contains("\\-\\-reproducible"), "{resolve}");
    // Rendered by groff where it is installed: the page reads as a man page.
    if Command::new("groff").arg("--version").output().is_ok() {
        let text = Command::new("groff")
            .args(["-man", "-Tutf8", "-P-cbou"])
            .arg(dir.join("oscalc-resolve.1"))
            .output()
            .expect("groff");
        let text = String::from_utf8_lossy(&text.stdout).replace(['\u{2010}', '\u{2212}'], "-");
        let text = text.split_whitespace().collect::<Vec<_>>().join(" ");
        assert!(
            text.contains("oscalc-resolve - Resolve one or more profiles"),
            "{text}"
        );
        assert!(text.contains("--no-validate"), "{text}");
    } else {
        eprintln!("skipped: groff is not installed; the pages were not rendered");
    }
}

#[test]
fn man_into_a_file_or_a_missing_folder_is_refused() {
    let dir = tmp_dir("dist-man-refused");
    let file = dir.join("page.1");
    std::fs::write(&file, "mine").expect("file");
    for target in [file.clone(), dir.join("missing")] {
        let o = oscalc(&["man", target.to_str().expect("utf-8 temp dir")]);
        assert_eq!(o.status.code(), Some(2), "{target:?}");
        let err = stderr(&o);
        assert!(err.contains("error[write-target]"), "{err}");
        assert!(err.contains("not an existing folder"), "{err}");
    }
    assert_eq!(std::fs::read_to_string(&file).expect("file"), "mine");
    assert!(!dir.join("missing").exists());
}

// ---- YAML files: pre-commit hooks, the Action, the example workflows ----

/// A YAML file as plain data: mappings, sequences, every scalar a string (the files read here
/// use nothing else), through the YAML parser oscalc itself uses.
fn yaml(path: &str) -> Value {
    let text = std::fs::read_to_string(crate_path(path)).expect("YAML file");
    let mut stack: Vec<(Value, Option<String>)> = Vec::new();
    let mut root = None;
    for event in saphyr_parser::Parser::new_from_str(&text) {
        let (event, _) = event.unwrap_or_else(|e| panic!("{path}: {e}"));
        let done = match event {
            Event::Scalar(s, ..) => Some(Value::String(s.into_owned())),
            Event::SequenceStart(..) => {
                stack.push((Value::Array(Vec::new()), None));
                None
            }
            Event::MappingStart(..) => {
                stack.push((Value::Object(serde_json::Map::new()), None));
                None
            }
            Event::SequenceEnd | Event::MappingEnd => stack.pop().map(|(v, _)| v),
            Event::Alias(_) => panic!("{path}: aliases are not used"),
            _ => None,
        };
        let Some(value) = done else { continue };
        match stack.last_mut() {
            None => root = Some(value),
            Some((Value::Array(items), _)) => items.push(value),
            Some((Value::Object(map), key)) => match key.take() {
                None => *key = Some(value.as_str().expect("string key").to_owned()),
                Some(k) => {
                    assert!(
                        map.insert(k.clone(), value).is_none(),
                        "{path}: key {k} twice"
                    );
                }
            },
            Some(_) => unreachable!("only containers are stacked"),
        }
    }
    root.expect("one document")
}

fn crate_path(rel: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join(rel)
}

fn s<'v>(v: &'v Value, key: &str) -> &'v str {
    v[key].as_str().unwrap_or_else(|| panic!("{key} in {v}"))
}

/// The shipped content files (catalogs and profiles, JSON and XML), relative to the crate.
fn shipped_content() -> Vec<String> {
    let mut out = Vec::new();
    for dir in ["catalogs", "profiles"] {
        for e in std::fs::read_dir(crate_path(dir))
            .expect("folder")
            .flatten()
        {
            let name = e.file_name().to_string_lossy().into_owned();
            if name.ends_with(".json") || name.ends_with(".xml") {
                out.push(format!("{dir}/{name}"));
            }
        }
    }
    out.sort();
    out
}

#[test]
fn pre_commit_hooks_pick_oscal_files_and_their_entry_validates_them() {
    let hooks = yaml(".pre-commit-hooks.yaml");
    let hooks = hooks.as_array().expect("a list of hooks");
    let ids: Vec<&str> = hooks.iter().map(|h| s(h, "id")).collect();
    assert_eq!(ids, ["oscalc-validate", "oscalc-validate-system"]);
    let shipped = shipped_content();
    assert_eq!(shipped.len(), 14, "{shipped:?}");
    let others = [
        "Cargo.toml",
        "package.json",
        ".github/workflows/ci.yml",
        "docs/notes.md",
        "catalogs/README.md",
        "src/profile.rs",
    ];
    let more = [
        "oscal/ssp.yaml",
        "baselines/high.yml",
        "content/my-profile.xml",
        "nested/dir/catalogs/x.json",
    ];
    for hook in hooks {
        assert_eq!(hook["types_or"], serde_json::json!(["json", "xml", "yaml"]));
        let files = regex::Regex::new(s(hook, "files")).expect("files is a regex");
        let picked: Vec<&String> = shipped.iter().filter(|f| files.is_match(f)).collect();
        assert_eq!(
            picked.len(),
            shipped.len(),
            "{} misses some of {shipped:?}",
            s(hook, "id")
        );
        for f in others {
            assert!(!files.is_match(f), "{} picks {f}", s(hook, "id"));
        }
        for f in more {
            assert!(files.is_match(f), "{} misses {f}", s(hook, "id"));
        }
        // pre-commit runs the entry with the picked files appended.
        let entry: Vec<&str> = s(hook, "entry").split_whitespace().collect();
        assert_eq!(entry.first(), Some(&"oscalc"));
        let mut args: Vec<&str> = entry[1..].to_vec();
        args.extend(picked.iter().map(|f| f.as_str()));
        let o = oscalc(&args);
        // NIST's SP 800-53 rev5 catalog, shipped as NIST publishes it, breaks OSCAL's constraint
        // layer (catalogs/README.md): the deprecated `depends-on` on 62 params (errors) and
        // three resources that are a citation only (warnings), in each of its two formats.
        // Nothing else shipped has a finding.
        let err = stderr(&o);
        assert_eq!(o.status.code(), Some(1), "{err}");
        assert!(
            err.ends_with("checked 14 files: 124 errors, 6 warnings\n"),
            "{err}"
        );
        assert!(
            err.contains("error: 124 errors (124 oscal:oscal-parameter-depends-on-deprecated)\n"),
            "{err}"
        );
        assert!(
            err.contains(
                "warning: 6 warnings (6 oscal:oscal-back-matter-resource-base64-rlink-cardinality)\n"
            ),
            "{err}"
        );
        let placed = err
            .lines()
            .filter(|l| l.contains(": error[") || l.contains(": warning["));
        for line in placed {
            assert!(
                line.starts_with("catalogs/NIST_SP-800-53_rev5_catalog."),
                "{line}"
            );
        }
        // A broken catalog fails the commit, with the place of the problem.
        let mut args: Vec<&str> = entry[1..].to_vec();
        args.push("tests/cases/broken/json-duplicate-control-id/cat.json");
        let o = oscalc(&args);
        assert_eq!(o.status.code(), Some(1));
        assert!(
            stderr(&o).starts_with(
                "tests/cases/broken/json-duplicate-control-id/cat.json:9:12: error[ref-duplicate-id]"
            ),
            "{}",
            stderr(&o)
        );
    }
    assert_eq!(s(&hooks[0], "language"), "rust");
    assert_eq!(s(&hooks[1], "language"), "system");

    // The example configuration uses a hook that exists, with a narrower choice of files.
    let config = yaml("examples/workflows/pre-commit-config.yaml");
    let repo = &config["repos"][0];
    let hook = &repo["hooks"][0];
    assert!(ids.contains(&s(hook, "id")), "{hook}");
    let files = regex::Regex::new(s(hook, "files")).expect("files is a regex");
    assert!(shipped.iter().all(|f| files.is_match(f)));
    assert!(!files.is_match("oscal/ssp.yaml"));
}

/// What a GitHub runner gives a composite action's steps, for one run of the Action.
struct Runner {
    /// The scratch folder of this run, removed when the test passes.
    root: PathBuf,
    /// The checked-out repository (`GITHUB_WORKSPACE`, the steps' working folder).
    workspace: PathBuf,
    /// `runner.temp`.
    temp: PathBuf,
    /// Folders added to PATH through `GITHUB_PATH`, then fake tools (`gh`).
    path: Vec<PathBuf>,
    /// `github.event_name`.
    event: &'static str,
    /// Outputs of the steps so far, by step id.
    outputs: BTreeMap<String, BTreeMap<String, String>>,
    /// What each step printed (stdout, then stderr), by step name.
    logs: BTreeMap<String, String>,
}

impl Drop for Runner {
    /// A passing test leaves nothing behind (the copies of the shipped catalogs are large); a
    /// failing one keeps its folder to look at.
    fn drop(&mut self) {
        if !std::thread::panicking() {
            let _ = std::fs::remove_dir_all(&self.root);
        }
    }
}

/// What happened to each step of the Action: its name and exit code, or why it did not run.
#[derive(Debug, PartialEq)]
enum Step {
    Ran(String, i32),
    Skipped(String),
    Used(String, Value),
}

impl Runner {
    fn new(name: &str, event: &'static str) -> Runner {
        let root = tmp_dir(name);
        let workspace = root.join("workspace");
        let temp = root.join("runner-temp");
        std::fs::create_dir_all(&temp).expect("runner temp");
        // The repository's shipped content, as a user's repository would hold it.
        for dir in ["catalogs", "profiles"] {
            std::fs::create_dir_all(workspace.join(dir)).expect("folder");
        }
        for f in shipped_content() {
            std::fs::copy(crate_path(&f), workspace.join(&f)).expect("copy");
        }
        Runner {
            root,
            workspace,
            temp,
            path: Vec::new(),
            event,
            outputs: BTreeMap::new(),
            logs: BTreeMap::new(),
        }
    }

    /// The value of a `${{ … }}` expression's path; an expression this harness does not know
    /// fails the test, so the Action cannot grow one that nothing checks.
    fn lookup(&self, expr: &str, inputs: &BTreeMap<String, String>) -> String {
        let expr = expr.trim();
        if let Some(name) = expr.strip_prefix("inputs.") {
            return inputs
                .get(name)
                .cloned()
                .unwrap_or_else(|| panic!("no input {name}"));
        }
        if let Some(rest) = expr.strip_prefix("steps.") {
            let (id, key) = rest.split_once(".outputs.").expect("steps.ID.outputs.KEY");
            return self
                .outputs
                .get(id)
                .and_then(|o| o.get(key))
                .cloned()
                .unwrap_or_default();
        }
        match expr {
            "github.action_path" => env!("CARGO_MANIFEST_DIR").to_owned(),
            "github.token" => "test-token".to_owned(),
            "github.event_name" => self.event.to_owned(),
            "github.base_ref" => "main".to_owned(),
            "github.event.pull_request.number" => "7".to_owned(),
            "runner.temp" => self.temp.display().to_string(),
            other => panic!("unknown expression {other}"),
        }
    }

    /// `text` with each `${{ … }}` replaced by its value.
    fn expand(&self, text: &str, inputs: &BTreeMap<String, String>) -> String {
        let mut out = String::new();
        let mut rest = text;
        while let Some(start) = rest.find("${{") {
            out.push_str(&rest[..start]);
            let end = rest[start..].find("}}").expect("closed expression") + start;
            out.push_str(&self.lookup(&rest[start + 3..end], inputs));
            rest = &rest[end + 2..];
        }
        out.push_str(rest);
        out
    }

    /// An `if:` of the forms the Action uses: `always()` and `PATH == 'literal'`, joined by `&&`.
    fn condition(&self, cond: &str, inputs: &BTreeMap<String, String>) -> bool {
        let cond = cond.trim().trim_start_matches("${{").trim_end_matches("}}");
        cond.split("&&").all(|term| match term.trim() {
            "always()" => true,
            term => {
                let (lhs, lit) = term.split_once("==").expect("PATH == 'literal'");
                self.lookup(lhs, inputs) == lit.trim().trim_matches('\'')
            }
        })
    }

    /// Runs the Action with `with` (the defaults filling the rest), as GitHub runs a composite
    /// action's `run:` steps: `bash --noprofile --norc -eo pipefail`, the step's `env:`, and
    /// GITHUB_PATH / GITHUB_OUTPUT files. `uses:` steps are returned with their `with:`.
    fn run_action(&mut self, with: &[(&str, &str)]) -> Vec<Step> {
        let action = yaml("action.yml");
        let mut inputs: BTreeMap<String, String> = BTreeMap::new();
        for (name, spec) in action["inputs"].as_object().expect("inputs") {
            let default = spec["default"].as_str().unwrap_or_default();
            inputs.insert(name.clone(), self.expand(default, &BTreeMap::new()));
        }
        for (k, v) in with {
            assert!(inputs.contains_key(*k), "the Action has no input {k}");
            inputs.insert((*k).to_owned(), (*v).to_owned());
        }
        assert_eq!(s(&action["runs"], "using"), "composite");
        let mut steps = Vec::new();
        for step in action["runs"]["steps"].as_array().expect("steps") {
            let name = s(step, "name").to_owned();
            if let Some(cond) = step["if"].as_str()
                && !self.condition(cond, &inputs)
            {
                steps.push(Step::Skipped(name));
                continue;
            }
            if let Some(uses) = step["uses"].as_str() {
                let mut with = serde_json::Map::new();
                for (k, v) in step["with"].as_object().expect("with") {
                    let v = self.expand(v.as_str().expect("string"), &inputs);
                    with.insert(k.clone(), Value::String(v));
                }
                steps.push(Step::Used(uses.to_owned(), Value::Object(with)));
                continue;
            }
            let script = s(step, "run");
            // Inputs reach the scripts only through env:, so no file name becomes shell code.
            assert!(!script.contains("${{"), "{name}: an expression in run:");
            assert_eq!(s(step, "shell"), "bash");
            let code = self.run_step(step, script, &inputs);
            steps.push(Step::Ran(name, code));
        }
        steps
    }

    fn run_step(&mut self, step: &Value, script: &str, inputs: &BTreeMap<String, String>) -> i32 {
        let github_path = self.temp.join("github-path");
        let github_output = self.temp.join("github-output");
        let _ = std::fs::write(&github_output, "");
        let mut cmd = Command::new("bash");
        cmd.args(["--noprofile", "--norc", "-eo", "pipefail", "-c", script])
            .current_dir(&self.workspace)
            .env("GITHUB_PATH", &github_path)
            .env("GITHUB_OUTPUT", &github_output)
            .env("GITHUB_WORKSPACE", &self.workspace)
            .env("RUNNER_TEMP", &self.temp);
        let system = std::env::var_os("PATH").unwrap_or_default();
        let path = std::env::join_paths(
            self.path
                .iter()
                .cloned()
                .chain(std::env::split_paths(&system)),
        )
        .expect("PATH");
        cmd.env("PATH", path);
        if let Some(env) = step["env"].as_object() {
            for (k, v) in env {
                cmd.env(k, self.expand(v.as_str().expect("string"), inputs));
            }
        }
        let o = cmd.output().expect("run bash");
        let log = format!("{}{}", stdout(&o), stderr(&o));
        eprintln!("--- {}\n{log}", s(step, "name"));
        self.logs.insert(s(step, "name").to_owned(), log);
        // GITHUB_PATH adds folders for the next steps; GITHUB_OUTPUT sets this step's outputs.
        if let Ok(added) = std::fs::read_to_string(&github_path) {
            for dir in added.lines().rev() {
                let dir = PathBuf::from(dir);
                if !self.path.contains(&dir) {
                    self.path.insert(0, dir);
                }
            }
        }
        if let (Some(id), Ok(set)) = (step["id"].as_str(), std::fs::read_to_string(&github_output))
        {
            let outputs = self.outputs.entry(id.to_owned()).or_default();
            for line in set.lines() {
                let (k, v) = line.split_once('=').expect("KEY=VALUE");
                outputs.insert(k.to_owned(), v.to_owned());
            }
        }
        o.status.code().unwrap_or(-1)
    }
}

/// The example workflow's step that uses the Action, and its `with:` as pairs.
fn example_with() -> Vec<(String, String)> {
    let workflow = yaml("examples/workflows/oscalc.yml");
    let steps = workflow["jobs"]["oscal"]["steps"]
        .as_array()
        .expect("steps");
    let step = steps
        .iter()
        .find(|s| {
            s["uses"]
                .as_str()
                .is_some_and(|u| u.starts_with("oscalc/oscalc@"))
        })
        .expect("a step uses the Action");
    step["with"]
        .as_object()
        .expect("with")
        .iter()
        .map(|(k, v)| (k.clone(), v.as_str().expect("string").to_owned()))
        .collect()
}

fn count_controls(v: &Value) -> usize {
    match v {
        Value::Object(m) => {
            m.get("controls")
                .and_then(Value::as_array)
                .map_or(0, Vec::len)
                + m.values().map(count_controls).sum::<usize>()
        }
        Value::Array(a) => a.iter().map(count_controls).sum(),
        _ => 0,
    }
}

/// The example workflow on a push: the Action installs the prebuilt binary, validates the
/// profiles, resolves two of them into `resolved/`, hands the SARIF file to the upload step,
/// skips the pull-request steps; then the workflow's own steps run.
#[test]
fn action_runs_the_example_workflow_on_a_push() {
    let mut runner = Runner::new("dist-action-push", "push");
    let mut with = example_with();
    with.push(("binary".into(), env!("CARGO_BIN_EXE_oscalc").into()));
    let with: Vec<(&str, &str)> = with.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
    let steps = runner.run_action(&with);
    let sarif_path = runner.workspace.join("oscalc.sarif");
    assert_eq!(
        steps,
        [
            Step::Ran("Install oscalc".into(), 0),
            Step::Ran("Validate".into(), 0),
            Step::Ran("Resolve".into(), 0),
            Step::Used(
                "github/codeql-action/upload-sarif@v3".into(),
                serde_json::json!({"sarif_file": "oscalc.sarif", "category": "oscalc"})
            ),
            Step::Skipped("Diff changed profiles".into()),
            Step::Skipped("Comment on the pull request".into()),
            Step::Ran("Fail on errors".into(), 0),
        ]
    );
    // The binary the Action installed is the one it was given, on PATH for later steps.
    let installed = runner.temp.join("oscalc/bin/oscalc");
    assert_eq!(runner.path.first(), Some(&runner.temp.join("oscalc/bin")));
    assert_eq!(
        std::fs::read(&installed).expect("installed"),
        std::fs::read(env!("CARGO_BIN_EXE_oscalc")).expect("binary")
    );
    let sarif: Value =
        serde_json::from_slice(&std::fs::read(&sarif_path).expect("SARIF")).expect("JSON");
    assert_eq!(sarif["version"], "2.1.0");
    assert_eq!(sarif["runs"][0]["tool"]["driver"]["name"], "oscalc");
    assert_eq!(sarif["runs"][0]["results"], serde_json::json!([]));
    let resolved = runner.workspace.join("resolved");
    let mut names: Vec<String> = std::fs::read_dir(&resolved)
        .expect("resolved/")
        .flatten()
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    assert_eq!(
        names,
        [
            "NIST_IR-8259B_non-technical_baseline_profile-resolved.json",
            "NIST_IoT_federal_low-impact_profile-resolved.json"
        ]
    );
    let b: Value =
        serde_json::from_slice(&std::fs::read(resolved.join(&names[0])).expect("resolved 8259B"))
            .expect("JSON");
    assert_eq!(count_controls(&b["catalog"]), 93);
    let f: Value =
        serde_json::from_slice(&std::fs::read(resolved.join(&names[1])).expect("resolved federal"))
            .expect("JSON");
    assert_eq!(count_controls(&f["catalog"]), 199);

    // The workflow's own steps after the Action: the artifact of resolved/, the summary.
    let workflow = yaml("examples/workflows/oscalc.yml");
    let steps = workflow["jobs"]["oscal"]["steps"]
        .as_array()
        .expect("steps");
    let uses: Vec<&str> = steps.iter().filter_map(|s| s["uses"].as_str()).collect();
    assert_eq!(
        uses,
        [
            "actions/checkout@v4",
            "oscalc/oscalc@v0.1.0",
            "actions/upload-artifact@v4"
        ]
    );
    let artifact = steps
        .iter()
        .find(|s| s["uses"] == "actions/upload-artifact@v4");
    let artifact = artifact.expect("artifact step");
    assert!(runner.workspace.join(s(&artifact["with"], "path")).is_dir());
    let summary = runner.temp.join("step-summary");
    for step in steps.iter().filter(|s| s["run"].is_string()) {
        let o = Command::new("bash")
            .args([
                "--noprofile",
                "--norc",
                "-eo",
                "pipefail",
                "-c",
                s(step, "run"),
            ])
            .current_dir(&runner.workspace)
            .env("GITHUB_STEP_SUMMARY", &summary)
            .output()
            .expect("bash");
        assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    }
    let summary = std::fs::read_to_string(&summary).expect("summary");
    assert!(
        summary.contains(&names[0]) && summary.contains(&names[1]),
        "{summary}"
    );
}

/// A broken catalog among the paths: validation fails, its finding is in the SARIF file that
/// is still uploaded, resolution goes on, and the last step fails the job.
#[test]
fn action_reports_a_broken_catalog_in_sarif_and_fails() {
    let mut runner = Runner::new("dist-action-broken", "push");
    std::fs::copy(
        crate_path("tests/cases/broken/json-duplicate-control-id/cat.json"),
        runner.workspace.join("catalogs/broken-catalog.json"),
    )
    .expect("copy");
    let steps = runner.run_action(&[
        ("binary", env!("CARGO_BIN_EXE_oscalc")),
        // One per line, as a YAML block scalar gives them.
        (
            "paths",
            "catalogs/broken-catalog.json\nprofiles/NIST_IR-8259A_core_baseline_profile.xml\n",
        ),
        (
            "profiles",
            "profiles/NIST_IR-8259A_core_baseline_profile.xml",
        ),
        ("format", "yaml"),
    ]);
    let ran: Vec<(&str, i32)> = steps
        .iter()
        .filter_map(|s| match s {
            Step::Ran(n, c) => Some((n.as_str(), *c)),
            _ => None,
        })
        .collect();
    assert_eq!(
        ran,
        [
            ("Install oscalc", 0),
            ("Validate", 0),
            ("Resolve", 0),
            ("Fail on errors", 1)
        ]
    );
    assert_eq!(runner.outputs["validate"]["status"], "1");
    // The finding is a GitHub annotation in the log too.
    assert!(
        runner.logs["Validate"].contains("::error file=catalogs/broken-catalog.json,line=9,col=12"),
        "{}",
        runner.logs["Validate"]
    );
    // Both lines of `paths` were read.
    assert!(
        // The duplicate id, and what OSCAL's constraint layer finds in that catalog (its two
        // controls without a statement, the two id indexes the duplicate breaks).
        runner.logs["Validate"].contains("checked 2 files: 5 errors, 0 warnings"),
        "{}",
        runner.logs["Validate"]
    );
    assert_eq!(runner.outputs["resolve"]["status"], "0");
    let sarif: Value = serde_json::from_slice(
        &std::fs::read(runner.workspace.join("oscalc.sarif")).expect("SARIF"),
    )
    .expect("JSON");
    let result = &sarif["runs"][0]["results"][0];
    assert_eq!(result["ruleId"], "ref-duplicate-id");
    let place = &result["locations"][0]["physicalLocation"];
    assert_eq!(
        place["artifactLocation"]["uri"],
        "catalogs/broken-catalog.json"
    );
    assert_eq!(place["region"]["startLine"], 9);
    let yaml_out = runner
        .workspace
        .join("resolved/NIST_IR-8259A_core_baseline_profile-resolved.yaml");
    let text = std::fs::read_to_string(&yaml_out).expect("resolved YAML");
    assert!(
        text.starts_with("catalog:\n"),
        "{}",
        &text[..80.min(text.len())]
    );
}

fn git(dir: &Path, args: &[&str]) {
    let o = Command::new("git")
        .args([
            "-c",
            "user.name=oscalc test",
            "-c",
            "user.email=test@oscalc.invalid",
        ])
        .args([
            "-c",
            "init.defaultBranch=main",
            "-c",
            "advice.detachedHead=false",
        ])
        .args(args)
        .current_dir(dir)
        .output()
        .expect("run git");
    assert_eq!(o.status.code(), Some(0), "git {args:?}: {}", stderr(&o));
}

/// A pull request that excludes one more control from the 8259B baseline: the Action diffs each
/// listed profile against the base branch (fetched from `origin`) and comments through `gh`
/// (a stand-in that records what it was asked) with the changed baseline only.
#[test]
fn action_comments_the_diff_of_a_changed_profile_on_a_pull_request() {
    let mut runner = Runner::new("dist-action-pr", "pull_request");
    let ws = runner.workspace.clone();
    let origin = runner.temp.join("origin.git");
    git(
        &runner.temp,
        &["init", "-q", "--bare", origin.to_str().expect("utf-8")],
    );
    git(&ws, &["init", "-q"]);
    git(&ws, &["add", "."]);
    git(&ws, &["commit", "-q", "-m", "base"]);
    let url = format!("file://{}", origin.display());
    git(&ws, &["remote", "add", "origin", &url]);
    git(&ws, &["push", "-q", "origin", "main"]);
    git(&ws, &["switch", "-q", "-c", "change"]);
    let profile = ws.join("profiles/NIST_IR-8259B_non-technical_baseline_profile.json");
    let mut doc: Value =
        serde_json::from_slice(&std::fs::read(&profile).expect("profile")).expect("JSON");
    doc["profile"]["imports"][0]["exclude-controls"][0]["with-ids"]
        .as_array_mut()
        .expect("with-ids")
        .push("doc-1.a".into());
    std::fs::write(&profile, serde_json::to_vec_pretty(&doc).expect("JSON")).expect("write");
    git(&ws, &["commit", "-q", "-a", "-m", "exclude doc-1.a"]);

    let fake = runner.temp.join("fake-bin");
    std::fs::create_dir_all(&fake).expect("fake bin");
    let gh = fake.join("gh");
    let record = runner.temp.join("gh-record");
    std::fs::write(
        &gh,
        format!(
            "#!/bin/sh\nprintf '%s\\n' \"$GH_TOKEN\" \"$*\" > '{0}'\ncat \"$5\" >> '{0}'\n",
            record.display()
        ),
    )
    .expect("gh");
    std::fs::set_permissions(&gh, std::os::unix::fs::PermissionsExt::from_mode(0o755))
        .expect("chmod");
    runner.path.push(fake);

    let steps = runner.run_action(&[
        ("binary", env!("CARGO_BIN_EXE_oscalc")),
        (
            "paths",
            "profiles/NIST_IR-8259A_core_baseline_profile.json \
             profiles/NIST_IR-8259B_non-technical_baseline_profile.json",
        ),
        (
            "profiles",
            "profiles/NIST_IR-8259A_core_baseline_profile.json \
             profiles/NIST_IR-8259B_non-technical_baseline_profile.json",
        ),
        ("pr-comment", "true"),
        ("sarif", "false"),
    ]);
    let names: Vec<String> = steps
        .iter()
        .map(|s| match s {
            Step::Ran(n, c) => format!("{n}: {c}"),
            Step::Skipped(n) => format!("{n}: skipped"),
            Step::Used(u, _) => format!("{u}: used"),
        })
        .collect();
    assert_eq!(
        names,
        [
            "Install oscalc: 0",
            "Validate: 0",
            "Resolve: 0",
            "Upload SARIF to code scanning: skipped",
            "Diff changed profiles: 0",
            "Comment on the pull request: 0",
            "Fail on errors: 0",
        ]
    );
    let body = runner.temp.join("oscalc-diff.md");
    let recorded = std::fs::read_to_string(&record).expect("gh was called");
    let (head, comment) = recorded.split_once('\n').expect("token line");
    assert_eq!(head, "test-token");
    let (args, comment) = comment.split_once('\n').expect("args line");
    assert_eq!(args, format!("pr comment 7 --body-file {}", body.display()));
    // The 8259B baseline lost doc-1.a and its child; the 8259A baseline did not change, so it
    // is not listed.
    let base = runner.temp.join("oscalc-base");
    let expected = format!(
        "### oscalc diff: `{}/{p}` → `{p}`\n\n\
         | added | removed | moved | changed | unchanged |\n\
         | ---: | ---: | ---: | ---: | ---: |\n\
         | 0 | 2 | 0 | 0 | 91 |\n\n\
         #### Removed (2)\n\n\
         - `doc-1.a` Expected customers and use cases (doc, under `doc-1`)\n",
        base.display(),
        p = "profiles/NIST_IR-8259B_non-technical_baseline_profile.json"
    );
    assert!(comment.starts_with(&expected), "{comment}");
    assert!(
        comment.contains("\n- `doc-1.a.1` Establish communications"),
        "{comment}"
    );
    assert!(!comment.contains("8259A"), "{comment}");
    // The base branch's worktree is gone again.
    assert!(!runner.temp.join("oscalc-base").exists());
}
