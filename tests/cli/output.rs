//! What `resolve` writes and where: inputs, links, devices and FIFOs are never replaced by a
//! file; new files follow the umask and old ones keep their mode; an interrupted run leaves
//! nothing behind; batches name their outputs safely; streams (`-`, `/dev/stdin`, `<(…)`, FIFOs)
//! are read; the output format follows `--to`, the extension, else the input.

use super::{stderr, tmp_dir};
use serde_json::Value;
use std::io::{Read, Write};
use std::os::unix::fs::{FileTypeExt, MetadataExt, PermissionsExt};
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

const BIN: &str = env!("CARGO_BIN_EXE_oscalc");

/// A copy of the diamond chain (`profile-a.json` imports b and c, which import `catalog.json`).
fn diamond(name: &str) -> PathBuf {
    let dir = tmp_dir(&format!("out-{name}"));
    let from = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/cases/chain/chain-diamond");
    for f in [
        "catalog.json",
        "profile-a.json",
        "profile-b.json",
        "profile-c.json",
    ] {
        std::fs::copy(from.join(f), dir.join(f)).unwrap();
    }
    dir
}

/// `oscalc ARGS` run in `dir`, with `stdin` as its standard input.
fn run_in(dir: &Path, args: &[&str], stdin: Option<&[u8]>) -> Output {
    let mut child = Command::new(BIN)
        .args(args)
        .current_dir(dir)
        .stdin(if stdin.is_some() {
            Stdio::piped()
        } else {
            Stdio::null()
        })
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("run oscalc");
    if let Some(bytes) = stdin {
        child.stdin.take().unwrap().write_all(bytes).unwrap();
    }
    child.wait_with_output().unwrap()
}

/// `sh -c SCRIPT` in `dir`, with `$0` the oscalc binary.
fn sh_in(dir: &Path, script: &str) -> Output {
    Command::new("sh")
        .args(["-c", script, BIN])
        .current_dir(dir)
        .stdin(Stdio::null())
        .output()
        .expect("run sh")
}

fn json(bytes: &[u8]) -> Value {
    serde_json::from_slice(bytes)
        .unwrap_or_else(|e| panic!("{e}: {}", String::from_utf8_lossy(bytes)))
}

/// The ids of the diamond's resolved groups, proof the whole catalog is there.
fn group_ids(v: &Value) -> Vec<String> {
    v["catalog"]["groups"]
        .as_array()
        .expect("groups")
        .iter()
        .filter_map(|g| g["id"].as_str().map(str::to_owned))
        .collect()
}

fn names_in(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .filter_map(Result::ok)
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    names
}

fn assert_no_temp(dir: &Path) {
    let left: Vec<String> = names_in(dir)
        .into_iter()
        .filter(|n| n.starts_with(".tmp"))
        .collect();
    assert!(
        left.is_empty(),
        "temp files left in {}: {left:?}",
        dir.display()
    );
}

fn mkfifo(path: &Path) {
    let ok = Command::new("mkfifo").arg(path).status().expect("mkfifo");
    assert!(ok.success());
}

// --- 1. an input is never the output -------------------------------------------------------

#[test]
fn output_naming_the_profile_or_an_import_is_refused_and_left_untouched() {
    let dir = diamond("input");
    std::fs::hard_link(dir.join("catalog.json"), dir.join("alias.json")).unwrap();
    std::os::unix::fs::symlink("profile-b.json", dir.join("link.json")).unwrap();
    let before: Vec<Vec<u8>> = ["catalog.json", "profile-a.json", "profile-b.json"]
        .iter()
        .map(|f| std::fs::read(dir.join(f)).unwrap())
        .collect();
    // The profile itself, an import two levels down, a hard link to it, a symlink to another.
    for out in ["profile-a.json", "catalog.json", "alias.json", "link.json"] {
        let o = run_in(&dir, &["resolve", "profile-a.json", "-o", out], None);
        assert_eq!(o.status.code(), Some(2), "-o {out}: {}", stderr(&o));
        let err = stderr(&o);
        assert!(
            err.contains(&format!(
                "error[write-input]: {out} is an input of this run; it is not overwritten"
            )),
            "{err}"
        );
    }
    let after: Vec<Vec<u8>> = ["catalog.json", "profile-a.json", "profile-b.json"]
        .iter()
        .map(|f| std::fs::read(dir.join(f)).unwrap())
        .collect();
    assert_eq!(before, after, "inputs unchanged");
    assert!(
        std::fs::symlink_metadata(dir.join("link.json"))
            .unwrap()
            .file_type()
            .is_symlink()
    );
    assert_no_temp(&dir);
}

#[test]
fn output_naming_a_file_read_through_map_is_refused() {
    let dir = diamond("input-map");
    let text = std::fs::read_to_string(dir.join("profile-b.json"))
        .unwrap()
        .replace("\"catalog.json\"", "\"https://example.org/catalog.json\"");
    std::fs::write(dir.join("remote.json"), text).unwrap();
    let map = format!("https://example.org/={}", dir.display());
    let o = run_in(
        &dir,
        &[
            "resolve",
            "remote.json",
            "--map",
            &map,
            "-o",
            "catalog.json",
        ],
        None,
    );
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    assert!(
        stderr(&o).contains("catalog.json is an input"),
        "{}",
        stderr(&o)
    );
}

// --- 2. links, devices, FIFOs, directories ---------------------------------------------------

#[test]
fn output_to_dev_null_writes_into_the_device_and_leaves_it_a_device() {
    let dir = diamond("devnull");
    let o = run_in(
        &dir,
        &["resolve", "profile-a.json", "-o", "/dev/null"],
        None,
    );
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let m = std::fs::metadata("/dev/null").unwrap();
    assert!(
        m.file_type().is_char_device(),
        "/dev/null is still a device"
    );
    assert_no_temp(Path::new("/dev"));
}

#[test]
fn output_to_a_fifo_is_written_into_and_the_fifo_stays() {
    let dir = diamond("fifo-out");
    let fifo = dir.join("out.fifo");
    mkfifo(&fifo);
    let reader = {
        let fifo = fifo.clone();
        std::thread::spawn(move || {
            let mut bytes = Vec::new();
            std::fs::File::open(fifo)
                .unwrap()
                .read_to_end(&mut bytes)
                .unwrap();
            bytes
        })
    };
    let o = run_in(&dir, &["resolve", "profile-a.json", "-o", "out.fifo"], None);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let got = reader.join().unwrap();
    assert_eq!(group_ids(&json(&got)), ["g1", "g2"]);
    assert!(std::fs::metadata(&fifo).unwrap().file_type().is_fifo());
    assert_no_temp(&dir);
}

#[test]
fn output_through_a_symlink_replaces_its_target_and_the_link_stays() {
    let dir = diamond("symlink");
    let real_dir = dir.join("real");
    std::fs::create_dir(&real_dir).unwrap();
    let target = real_dir.join("target.json");
    std::fs::write(&target, b"old").unwrap();
    std::os::unix::fs::symlink("real/target.json", dir.join("link.json")).unwrap();
    let o = run_in(
        &dir,
        &["resolve", "profile-a.json", "-o", "link.json"],
        None,
    );
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let link = std::fs::symlink_metadata(dir.join("link.json")).unwrap();
    assert!(link.file_type().is_symlink(), "the link is still a link");
    assert_eq!(
        std::fs::read_link(dir.join("link.json")).unwrap(),
        Path::new("real/target.json")
    );
    assert_eq!(
        group_ids(&json(&std::fs::read(&target).unwrap())),
        ["g1", "g2"]
    );
    assert_no_temp(&dir);
    assert_no_temp(&real_dir);
}

#[test]
fn output_to_a_dangling_link_or_a_directory_is_refused() {
    let dir = diamond("refused");
    std::os::unix::fs::symlink("nowhere/x.json", dir.join("dangling.json")).unwrap();
    let o = run_in(
        &dir,
        &["resolve", "profile-a.json", "-o", "dangling.json"],
        None,
    );
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    assert!(
        stderr(&o).contains(
            "error[write-target]: cannot write dangling.json: it is a symbolic link to nothing"
        ),
        "{}",
        stderr(&o)
    );
    assert!(!dir.join("nowhere").exists());
    // In a folder, the derived name is taken by a directory.
    std::fs::create_dir_all(dir.join("out/profile-a-resolved.json")).unwrap();
    let o = run_in(&dir, &["resolve", "profile-a.json", "-o", "out/"], None);
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    assert!(
        stderr(&o).contains("cannot write out/profile-a-resolved.json: it is a directory"),
        "{}",
        stderr(&o)
    );
    assert!(dir.join("out/profile-a-resolved.json").is_dir());
}

// --- 3. modes --------------------------------------------------------------------------------

#[test]
fn new_outputs_follow_the_umask() {
    let dir = diamond("umask");
    for (umask, mode) in [("077", 0o600), ("022", 0o644)] {
        let name = format!("new-{umask}.json");
        let o = sh_in(
            &dir,
            &format!("umask {umask}; exec \"$0\" resolve profile-a.json -o {name}"),
        );
        assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
        let m = std::fs::metadata(dir.join(&name)).unwrap();
        assert_eq!(m.permissions().mode() & 0o777, mode, "umask {umask}");
    }
}

#[test]
fn an_existing_output_keeps_its_mode_and_owner() {
    let dir = diamond("keep-mode");
    let out = dir.join("out.json");
    std::fs::write(&out, b"old").unwrap();
    std::fs::set_permissions(&out, std::fs::Permissions::from_mode(0o640)).unwrap();
    // As root (as in CI), give it another owner; elsewhere the owner is the user's own anyway.
    let other = std::os::unix::fs::chown(&out, Some(4321), Some(4322)).is_ok();
    let before = std::fs::metadata(&out).unwrap();
    let o = sh_in(
        &dir,
        "umask 077; exec \"$0\" resolve profile-a.json -o out.json",
    );
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let after = std::fs::metadata(&out).unwrap();
    assert_ne!(
        before.ino(),
        after.ino(),
        "replaced, not rewritten in place"
    );
    assert_eq!(after.permissions().mode() & 0o7777, 0o640);
    assert_eq!((after.uid(), after.gid()), (before.uid(), before.gid()));
    if other {
        assert_eq!((after.uid(), after.gid()), (4321, 4322));
    }
    assert_eq!(
        group_ids(&json(&std::fs::read(&out).unwrap())),
        ["g1", "g2"]
    );
}

// --- 4. interruption -------------------------------------------------------------------------

/// A catalog of `n` controls with some prose each, and a profile that includes them all.
fn big_inputs(dir: &Path, n: usize) {
    let controls: Vec<String> = (0..n)
        .map(|i| {
            format!(
                r#"{{"id": "c-{i}", "title": "Control {i}", "parts": [{{"id": "c-{i}_smt", "name": "statement", "prose": "Review and update the policy and the procedures of control {i} after each incident, and record every change made."}}]}}"#
            )
        })
        .collect();
    let catalog = format!(
        r#"{{"catalog": {{"uuid": "6a2f1c3e-1b2d-4c5e-8f90-a1b2c3d4e5f6",
  "metadata": {{"title": "Big", "last-modified": "2024-01-01T00:00:00Z", "version": "1", "oscal-version": "1.1.2"}},
  "controls": [{}]}}}}"#,
        controls.join(",\n")
    );
    std::fs::write(dir.join("big-catalog.json"), catalog).unwrap();
    let profile = r#"{"profile": {"uuid": "6a2f1c3e-1b2d-4c5e-8f90-a1b2c3d4e5f7",
  "metadata": {"title": "All", "last-modified": "2024-01-01T00:00:00Z", "version": "1", "oscal-version": "1.1.2"},
  "imports": [{"href": "big-catalog.json", "include-all": {}}]}}"#;
    std::fs::write(dir.join("all.json"), profile).unwrap();
}

/// SIGTERM while the output is being written: the handler deletes the temporary file and the old
/// output stays. The signal is sent as soon as the temporary file shows; should the run finish
/// first (a fast machine), the outcome asserted is a complete output instead. Either way no
/// `.tmp*` is left and the output is whole, old or new.
#[test]
fn sigterm_while_writing_leaves_the_old_output_and_no_temp_file() {
    let dir = tmp_dir("out-sigterm");
    big_inputs(&dir, 40_000);
    std::fs::write(dir.join("out.json"), b"previous").unwrap();
    let mut child = Command::new(BIN)
        .args([
            "resolve",
            "all.json",
            "--no-validate",
            "-q",
            "-o",
            "out.json",
        ])
        .current_dir(&dir)
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut signalled = false;
    let status = loop {
        if let Some(status) = child.try_wait().unwrap() {
            break status;
        }
        if !signalled && names_in(&dir).iter().any(|n| n.starts_with(".tmp")) {
            let killed = Command::new("kill")
                .args(["-TERM", &child.id().to_string()])
                .status()
                .unwrap();
            assert!(killed.success());
            signalled = true;
        }
        std::thread::sleep(std::time::Duration::from_millis(1));
    };
    assert_no_temp(&dir);
    let out = std::fs::read(dir.join("out.json")).unwrap();
    match status.code() {
        Some(130) => {
            assert!(signalled);
            assert_eq!(out, b"previous", "the old output is intact");
        }
        Some(0) => {
            let v = json(&out);
            let n = v["catalog"]["controls"].as_array().map(Vec::len);
            assert_eq!(n, Some(40_000), "a run that finished wrote it whole");
        }
        other => panic!("exit {other:?}"),
    }
}

#[test]
fn sigint_before_any_output_exits_130_and_writes_nothing() {
    let dir = tmp_dir("out-sigint");
    std::fs::write(dir.join("out.json"), b"previous").unwrap();
    // Read from a FIFO nobody writes to yet: the run waits there, before any output exists.
    mkfifo(&dir.join("in.fifo"));
    let child = Command::new(BIN)
        .args(["resolve", "in.fifo", "-o", "out.json"])
        .current_dir(&dir)
        .stdin(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    // The handler is installed first thing, before the FIFO is opened; to be sure the process got
    // that far, open the FIFO's other end (which waits for the reader), write nothing, and only
    // then signal. The reader sees an empty stream only after the writer closes, which it does not.
    let mut writer = std::fs::OpenOptions::new()
        .write(true)
        .open(dir.join("in.fifo"))
        .unwrap();
    let killed = Command::new("kill")
        .args(["-INT", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(killed.success());
    let o = child.wait_with_output().unwrap();
    writer.flush().unwrap();
    assert_eq!(o.status.code(), Some(130), "{}", stderr(&o));
    assert_eq!(std::fs::read(dir.join("out.json")).unwrap(), b"previous");
    assert_no_temp(&dir);
}

// --- 5. batches ------------------------------------------------------------------------------

#[test]
fn two_profiles_with_one_stem_are_refused_before_anything_is_written() {
    let dir = diamond("stems");
    std::fs::create_dir(dir.join("sub")).unwrap();
    std::fs::copy(dir.join("profile-b.json"), dir.join("sub/profile-b.json")).unwrap();
    std::fs::copy(dir.join("catalog.json"), dir.join("sub/catalog.json")).unwrap();
    std::fs::create_dir(dir.join("out")).unwrap();
    let o = run_in(
        &dir,
        &[
            "resolve",
            "profile-b.json",
            "profile-a.json",
            "sub/profile-b.json",
            "-o",
            "out/",
        ],
        None,
    );
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    assert!(
        stderr(&o).contains(
            "error[usage-output]: profile-b.json and sub/profile-b.json would both be written to out/profile-b-resolved.*"
        ),
        "{}",
        stderr(&o)
    );
    assert!(names_in(&dir.join("out")).is_empty(), "nothing written");
}

#[test]
fn a_batch_writes_one_output_per_profile_in_its_own_format() {
    let dir = diamond("batch");
    let xml_dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/cases/merge/req-merge-keep1");
    let xml = xml_dir.join("profile.xml");
    std::fs::create_dir(dir.join("out")).unwrap();
    let o = run_in(
        &dir,
        &[
            "resolve",
            "profile-a.json",
            xml.to_str().unwrap(),
            "-o",
            "out",
        ],
        None,
    );
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert_eq!(
        names_in(&dir.join("out")),
        ["profile-a-resolved.json", "profile-resolved.xml"]
    );
    let text = std::fs::read_to_string(dir.join("out/profile-resolved.xml")).unwrap();
    assert!(text.starts_with("<?xml"), "{text}");
}

#[test]
fn several_profiles_need_an_existing_folder() {
    let dir = diamond("several");
    let two = ["resolve", "profile-a.json", "profile-b.json"];
    // Without -o: JSON or XML cannot carry two documents.
    let o = run_in(&dir, &two, None);
    assert_eq!(o.status.code(), Some(2));
    assert!(o.stdout.is_empty(), "nothing on stdout");
    assert!(
        stderr(&o).contains("error[usage-output]: 2 profiles cannot go to standard output"),
        "{}",
        stderr(&o)
    );
    // One file for two profiles: no directory of that name appears.
    let o = run_in(&dir, &[&two[..], &["-o", "name.json"]].concat(), None);
    assert_eq!(o.status.code(), Some(2));
    assert!(
        stderr(&o).contains("-o name.json names one file, and 2 profiles were given"),
        "{}",
        stderr(&o)
    );
    assert!(!dir.join("name.json").exists());
    // A missing folder is named, not created.
    let o = run_in(&dir, &[&two[..], &["-o", "nodir/"]].concat(), None);
    assert_eq!(o.status.code(), Some(2));
    assert!(
        stderr(&o).contains("error[write-target]: output folder nodir/ does not exist"),
        "{}",
        stderr(&o)
    );
    let o = run_in(
        &dir,
        &["resolve", "profile-a.json", "-o", "nodir/a.json"],
        None,
    );
    assert_eq!(o.status.code(), Some(2));
    assert!(
        stderr(&o).contains("output folder nodir does not exist"),
        "{}",
        stderr(&o)
    );
    assert!(!dir.join("nodir").exists());
}

// --- 6. write errors -------------------------------------------------------------------------

#[test]
fn a_write_error_names_the_users_path_never_the_temp_file() {
    let dir = diamond("write-error");
    // A full device: written into, and the write fails.
    let o = run_in(
        &dir,
        &["resolve", "profile-a.json", "-o", "/dev/full"],
        None,
    );
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    assert!(
        stderr(&o).contains("error[write-io]: cannot write /dev/full: No space left on device"),
        "{}",
        stderr(&o)
    );
    // A regular file in a folder where no temporary file can be made, even by root.
    let o = run_in(
        &dir,
        &["resolve", "profile-a.json", "-o", "/proc/version"],
        None,
    );
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    let err = stderr(&o);
    assert!(
        err.contains("error[write-io]: cannot write /proc/version: "),
        "{err}"
    );
    assert!(!err.contains(".tmp"), "{err}");
}

// --- 7. streams ------------------------------------------------------------------------------

#[test]
fn stdin_is_read_with_imports_against_base() {
    let dir = diamond("stdin");
    let profile = std::fs::read(dir.join("profile-a.json")).unwrap();
    let parent = dir.parent().unwrap();
    let base = dir.to_str().unwrap();
    let o = run_in(parent, &["resolve", "-", "--base", base], Some(&profile));
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert_eq!(group_ids(&json(&o.stdout)), ["g1", "g2"]);
    // `-o -` is stdout too.
    let o = run_in(&dir, &["resolve", "-", "-o", "-"], Some(&profile));
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert_eq!(group_ids(&json(&o.stdout)), ["g1", "g2"]);
    // Diagnostics name it `<stdin>`; validate reads it too.
    let broken = String::from_utf8(profile)
        .unwrap()
        .replace("profile-b.json", "missing.json");
    let o = run_in(
        &dir,
        &["validate", "-", "--error-format", "short"],
        Some(broken.as_bytes()),
    );
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    assert!(
        stderr(&o).starts_with("<stdin>:6:17: error[req-uri-error]: cannot import `missing.json`"),
        "{}",
        stderr(&o)
    );
}

#[test]
fn stdin_over_the_size_limit_is_refused() {
    let dir = diamond("stdin-limit");
    let profile = std::fs::read(dir.join("profile-a.json")).unwrap();
    let o = run_in(
        &dir,
        &["resolve", "-", "--max-file-size", "100"],
        Some(&profile),
    );
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    assert!(
        stderr(&o).contains("error[load-limit]: <stdin> is over the limit of 100 bytes"),
        "{}",
        stderr(&o)
    );
}

#[test]
fn dev_stdin_and_process_substitution_are_read_as_named_files() {
    let dir = diamond("devstdin");
    let o = sh_in(&dir, "exec \"$0\" resolve /dev/stdin < profile-a.json");
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert_eq!(group_ids(&json(&o.stdout)), ["g1", "g2"]);
    let o = sh_in(&dir, "cat profile-a.json | \"$0\" resolve /dev/stdin");
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert_eq!(group_ids(&json(&o.stdout)), ["g1", "g2"]);
    let o = Command::new("bash")
        .args(["-c", "\"$0\" resolve <(cat profile-a.json)", BIN])
        .current_dir(&dir)
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert_eq!(group_ids(&json(&o.stdout)), ["g1", "g2"]);
    let o = Command::new("bash")
        .args([
            "-c",
            "\"$0\" validate --error-format short <(echo '{')",
            BIN,
        ])
        .current_dir(&dir)
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    assert!(stderr(&o).starts_with("</dev/fd/"), "{}", stderr(&o));
}

#[test]
fn a_fifo_named_on_the_command_line_is_read() {
    let dir = diamond("fifo-in");
    mkfifo(&dir.join("profile.fifo"));
    let profile = std::fs::read(dir.join("profile-a.json")).unwrap();
    let writer = {
        let fifo = dir.join("profile.fifo");
        std::thread::spawn(move || std::fs::write(fifo, profile).unwrap())
    };
    let o = run_in(&dir, &["resolve", "profile.fifo", "-o", "out.json"], None);
    writer.join().unwrap();
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let v = json(&std::fs::read(dir.join("out.json")).unwrap());
    assert_eq!(group_ids(&v), ["g1", "g2"]);
}

// --- 8. formats and the source-profile link --------------------------------------------------

#[test]
fn an_xml_profile_gives_xml_unless_told_otherwise() {
    let xml = "tests/cases/merge/req-merge-keep1/profile.xml";
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let o = run_in(root, &["resolve", xml], None);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert!(o.stdout.starts_with(b"<?xml"), "XML on stdout");
    let o = run_in(root, &["resolve", xml, "--to", "JSON"], None);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert!(o.stdout.starts_with(b"{"), "--to JSON in capitals");
    let dir = tmp_dir("out-xml-to");
    let out = dir.join("out.json");
    let o = run_in(root, &["resolve", xml, "-o", out.to_str().unwrap()], None);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert!(
        std::fs::read(&out).unwrap().starts_with(b"{"),
        "the extension wins"
    );
}

#[test]
fn an_extension_oscalc_cannot_write_is_a_usage_error() {
    let dir = diamond("ext");
    // `.yaml` and `.yml` are written (see `tests/cli/convert.rs`).
    for name in ["out.txt", "out.yam", "out.docx"] {
        let o = run_in(&dir, &["resolve", "profile-a.json", "-o", name], None);
        assert_eq!(o.status.code(), Some(2), "{name}: {}", stderr(&o));
        let ext = name.trim_start_matches("out.");
        assert!(
            stderr(&o).contains(&format!(
                "error[usage-output]: oscalc cannot write `.{ext}` files"
            )),
            "{}",
            stderr(&o)
        );
        assert!(!dir.join(name).exists());
    }
    let o = run_in(
        &dir,
        &["resolve", "profile-a.json", "-o", "out.txt", "--to", "Xml"],
        None,
    );
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert!(
        std::fs::read(dir.join("out.txt"))
            .unwrap()
            .starts_with(b"<?xml")
    );
}

#[test]
fn the_source_profile_link_is_a_percent_encoded_uri_reference() {
    let dir = diamond("href");
    let name = "my profile#1 ?%é.json";
    std::fs::copy(dir.join("profile-b.json"), dir.join(name)).unwrap();
    std::fs::create_dir(dir.join("out")).unwrap();
    let o = run_in(&dir, &["resolve", name, "-o", "out/r.json"], None);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let v = json(&std::fs::read(dir.join("out/r.json")).unwrap());
    let links = v["catalog"]["metadata"]["links"].as_array().unwrap();
    let href = links
        .iter()
        .find(|l| l["rel"] == "source-profile")
        .and_then(|l| l["href"].as_str())
        .unwrap();
    assert_eq!(href, "../my%20profile%231%20%3F%25%C3%A9.json");
}

/// The source-profile link of `v`'s metadata.
fn source_profile(v: &serde_json::Value) -> String {
    v["catalog"]["metadata"]["links"]
        .as_array()
        .and_then(|links| links.iter().find(|l| l["rel"] == "source-profile"))
        .and_then(|l| l["href"].as_str())
        .unwrap_or_default()
        .to_owned()
}

#[test]
fn reproducible_output_is_the_same_from_any_folder_and_any_clone() {
    // Two copies of one project in different folders ("clones"), each with a `profiles/` and an
    // `out/` folder; oscalc is run from the project's root, from inside `profiles/` and from
    // an unrelated folder, to standard output and to a file.
    let clones = [diamond("repro-one"), tmp_dir("out-repro-two/deeper/clone")];
    for clone in &clones {
        std::fs::create_dir_all(clone.join("profiles")).unwrap();
        std::fs::create_dir_all(clone.join("out")).unwrap();
        for f in [
            "catalog.json",
            "profile-a.json",
            "profile-b.json",
            "profile-c.json",
        ] {
            std::fs::copy(clones[0].join(f), clone.join("profiles").join(f)).unwrap();
        }
    }
    let elsewhere = tmp_dir("out-repro-elsewhere");
    let repro = |dir: &Path, profile: &str, out: Option<&str>| -> Vec<u8> {
        let mut args = vec!["resolve", "-q", "--reproducible", profile];
        if let Some(out) = out {
            args.extend(["-o", out]);
        }
        let o = run_in(dir, &args, None);
        assert_eq!(o.status.code(), Some(0), "{args:?}: {}", stderr(&o));
        match out {
            Some(out) => std::fs::read(dir.join(out)).unwrap(),
            None => o.stdout,
        }
    };
    let mut to_stdout = Vec::new();
    let mut to_file = Vec::new();
    for clone in &clones {
        let abs = clone.join("profiles/profile-a.json");
        let abs = abs.to_str().unwrap();
        let out_file = clone.join("out/r.json");
        to_stdout.push(repro(clone, "profiles/profile-a.json", None));
        to_stdout.push(repro(&clone.join("profiles"), "profile-a.json", None));
        to_stdout.push(repro(&elsewhere, abs, None));
        to_file.push(repro(clone, "profiles/profile-a.json", Some("out/r.json")));
        to_file.push(repro(
            &clone.join("profiles"),
            "profile-a.json",
            Some("../out/r.json"),
        ));
        to_file.push(repro(&elsewhere, abs, Some(out_file.to_str().unwrap())));
    }
    for (i, bytes) in to_stdout.iter().enumerate() {
        assert_eq!(
            String::from_utf8_lossy(bytes),
            String::from_utf8_lossy(&to_stdout[0]),
            "stdout run {i}"
        );
    }
    for (i, bytes) in to_file.iter().enumerate() {
        assert_eq!(
            String::from_utf8_lossy(bytes),
            String::from_utf8_lossy(&to_file[0]),
            "file run {i}"
        );
    }
    // Standard output links the profile by its own name; a file, by the path from its folder.
    let (s, f) = (json(&to_stdout[0]), json(&to_file[0]));
    assert_eq!(source_profile(&s), "profile-a.json");
    assert_eq!(source_profile(&f), "../profiles/profile-a.json");
    // The uuid is the content's: the same wherever the output goes.
    assert_eq!(s["catalog"]["uuid"], f["catalog"]["uuid"]);
    assert!(s["catalog"]["uuid"].as_str().is_some_and(|u| u.len() == 36));
}
