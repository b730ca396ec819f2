//! Stage: before and after resolution (CLI). In: `-o`, `--to` and the profiles named. Out: a
//! [`Layout`] (stdout, one file, or a folder), checked before anything is read, so bad usage
//! costs nothing and writes nothing; after resolution, each profile's [`Target`] and [`Format`].
//! Writing is `output.rs`'s job.
//!
//! Rules (all usage errors exit 2 before any input is read):
//! - no `-o`, `-o -` or `-o /dev/stdout`: standard output, for one profile only (a JSON or XML
//!   document holds one catalog).
//! - `-o DIR` naming an existing folder: `DIR/STEM-resolved.EXT` per profile; two profiles with
//!   the same stem are an error naming both (D-out: refused rather than renamed, so every output
//!   name stays predictable from its profile's name). oscalc creates no folder: `-o DIR/` that
//!   does not exist, or `-o FILE` in a missing folder, is an error naming it.
//! - `-o FILE`: one profile only.
//! - format: `--to`, else FILE's extension (`.json`, `.xml`, `.yaml`/`.yml`; another extension of
//!   a regular or new file is an error unless `--to` says), else the input's own format, as
//!   oscal-cli does.

use super::output::Target;
use oscalc::diag::Diagnostic;
use oscalc::load::Format;
use std::path::{Path, PathBuf};

/// Where the outputs of a run go.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) enum Layout {
    /// Standard output.
    Stdout,
    /// One file (or device, FIFO, link) named by the user.
    File(PathBuf),
    /// An existing folder; names derive from the profiles'.
    Folder(PathBuf),
}

/// The layout `-o` and `--to` give for `profiles`, or a usage error.
pub(super) fn layout(
    output: Option<&Path>,
    to: Option<Format>,
    profiles: &[PathBuf],
) -> Result<Layout, Box<Diagnostic>> {
    let several = profiles.len() > 1;
    let Some(out) = output.filter(|o| !is_stdout(o)) else {
        if several {
            return Err(usage(
                format!(
                    "{} profiles cannot go to standard output: a JSON or XML document holds one catalog",
                    profiles.len()
                ),
                "name an existing folder for their outputs: -o DIR/",
            ));
        }
        return Ok(Layout::Stdout);
    };
    if out.is_dir() {
        distinct_stems(out, profiles)?;
        return Ok(Layout::Folder(out.to_path_buf()));
    }
    if out.as_os_str().to_string_lossy().ends_with('/') {
        return Err(missing_folder(out));
    }
    if several {
        return Err(usage(
            format!(
                "-o {} names one file, and {} profiles were given",
                out.display(),
                profiles.len()
            ),
            "name an existing folder for their outputs: -o DIR/",
        ));
    }
    // A device or FIFO is a stream, whatever its name says.
    let stream = std::fs::metadata(out).is_ok_and(|m| !m.is_file());
    if to.is_none()
        && !stream
        && let Some(ext) = out.extension()
        && by_extension(out).is_none()
    {
        return Err(usage(
            format!(
                "oscalc cannot write `.{}` files: its output is JSON, XML or YAML",
                ext.to_string_lossy()
            ),
            "name the output .json, .xml or .yaml, or choose the format with --to",
        ));
    }
    match out.parent() {
        Some(dir) if !dir.as_os_str().is_empty() && !dir.is_dir() => Err(missing_folder(dir)),
        _ => Ok(Layout::File(out.to_path_buf())),
    }
}

impl Layout {
    /// The format of one output: `--to`, else the output file's extension, else the input's.
    pub(super) fn format(&self, to: Option<Format>, input: Option<Format>) -> Format {
        let named = match self {
            Layout::File(p) => by_extension(p),
            Layout::Stdout | Layout::Folder(_) => None,
        };
        to.or(named).or(input).unwrap_or(Format::Json)
    }

    /// Where the output of `profile` goes, in `format`.
    pub(super) fn target(&self, profile: &Path, format: Format) -> Target {
        self.target_named(profile, "-resolved", format)
    }

    /// Where what is made of `input` goes, in `format`: in a folder, `STEMsuffix.EXT`.
    pub(super) fn target_named(&self, input: &Path, suffix: &str, format: Format) -> Target {
        match self {
            Layout::Stdout => Target::Stdout,
            Layout::File(p) => Target::Path(p.clone()),
            Layout::Folder(dir) => {
                let ext = match format {
                    Format::Json => "json",
                    Format::Xml => "xml",
                    Format::Yaml => "yaml",
                };
                Target::Path(dir.join(format!("{}{suffix}.{ext}", stem(input))))
            }
        }
    }

    /// The file the output will be (or a name in the folder it goes to), for links relative to
    /// it; `None` for standard output.
    pub(super) fn place(&self) -> Option<PathBuf> {
        match self {
            Layout::Stdout => None,
            Layout::File(p) => Some(p.clone()),
            Layout::Folder(dir) => Some(dir.join("output")),
        }
    }
}

/// `-`, and the names of the process's own standard output: written to it directly, so `>>`
/// appends and a pipe is a pipe.
pub(super) fn is_stdout(path: &Path) -> bool {
    ["-", "/dev/stdout", "/dev/fd/1", "/proc/self/fd/1"]
        .iter()
        .any(|s| path == Path::new(s))
}

fn by_extension(path: &Path) -> Option<Format> {
    path.file_name()
        .and_then(|n| Format::from_extension(&n.to_string_lossy()))
}

/// The name an output derives from (`-` is standard input).
fn stem(input: &Path) -> String {
    if input == Path::new("-") {
        return "stdin".to_owned();
    }
    input
        .file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_default()
}

/// Two profiles whose outputs would have the same name in `dir` are refused.
fn distinct_stems(dir: &Path, profiles: &[PathBuf]) -> Result<(), Box<Diagnostic>> {
    for (i, a) in profiles.iter().enumerate() {
        let twin = profiles
            .get(i + 1..)
            .unwrap_or_default()
            .iter()
            .find(|b| stem(a) == stem(b));
        if let Some(b) = twin {
            return Err(usage(
                format!(
                    "{} and {} would both be written to {}",
                    a.display(),
                    b.display(),
                    dir.join(format!("{}-resolved.*", stem(a))).display()
                ),
                "resolve them into different folders, in separate runs",
            ));
        }
    }
    Ok(())
}

fn usage(message: String, hint: &str) -> Box<Diagnostic> {
    Box::new(Diagnostic::error("usage-output", message).hint(hint))
}

fn missing_folder(dir: &Path) -> Box<Diagnostic> {
    Box::new(
        Diagnostic::error(
            "write-target",
            format!("output folder {} does not exist", dir.display()),
        )
        .hint("create it first: oscalc creates no folders"),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn format_follows_to_then_extension_then_input() {
        let file = Layout::File(PathBuf::from("out.XML"));
        assert_eq!(file.format(None, Some(Format::Json)), Format::Xml);
        assert_eq!(file.format(Some(Format::Json), None), Format::Json);
        let dev = Layout::File(PathBuf::from("/dev/null"));
        assert_eq!(dev.format(None, Some(Format::Xml)), Format::Xml);
        assert_eq!(Layout::Stdout.format(None, None), Format::Json);
    }

    #[test]
    fn folder_target_names_stdin_and_derives_the_extension() {
        let dir = Layout::Folder(PathBuf::from("out"));
        assert_eq!(
            dir.target(Path::new("-"), Format::Xml),
            Target::Path(PathBuf::from("out/stdin-resolved.xml"))
        );
        assert_eq!(
            dir.target(Path::new("a/b.prof.json"), Format::Json),
            Target::Path(PathBuf::from("out/b.prof-resolved.json"))
        );
    }

    #[test]
    fn several_profiles_to_stdout_or_one_file_are_usage_errors() {
        let two = [PathBuf::from("a.json"), PathBuf::from("b.json")];
        for out in [None, Some(Path::new("-")), Some(Path::new("x.json"))] {
            let e = layout(out, None, &two).unwrap_err();
            assert_eq!(e.code, "usage-output", "{out:?}");
        }
        let e = layout(Some(Path::new("x.txt")), None, &two[..1]).unwrap_err();
        assert_eq!(e.code, "usage-output");
        assert_eq!(
            layout(Some(Path::new("x.txt")), Some(Format::Json), &two[..1]).unwrap(),
            Layout::File(PathBuf::from("x.txt"))
        );
        for name in ["x.yaml", "x.YML"] {
            let file = layout(Some(Path::new(name)), None, &two[..1]).unwrap();
            assert_eq!(
                file.format(None, Some(Format::Json)),
                Format::Yaml,
                "{name}"
            );
        }
    }
}
