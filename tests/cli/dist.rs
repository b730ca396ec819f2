//! Distribution: the shell completions and man pages generated from the clap definition, the
//! pre-commit hooks, the GitHub Action and the example workflows (parsed, and their commands run
//! with the real binary on the shipped profiles).

use super::{oscalc, stderr, tmp_dir};
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
