//! Stage: the last step of `resolve`. In: a checked catalog's bytes (or a writer of them) and the
//! target the user named. Out: the bytes on stdout or in the target, or a [`WriteError`] that
//! names the user's path. Where the output goes is `targets.rs`'s choice; this file only writes.
//!
//! What a target gets (D-out: the user's files are never replaced by something else):
//! - a regular file, or a new name in an existing folder: a temporary file in the same folder,
//!   renamed over it once complete, so a failed or interrupted run leaves the old file whole. A
//!   new file gets the mode the umask gives (0644 under 022); an existing one keeps its mode and,
//!   where the system allows, its owner and group.
//! - a symbolic link: written through. The link is followed to its final target, which is
//!   replaced as above; the link stays a link. A link to nothing is refused.
//! - a character device or a FIFO (`/dev/null`, a named pipe): opened for writing and written
//!   into; nothing is created or renamed.
//! - a directory, a block device or a socket: refused.
//! - a file the run read (the profile or anything it imports): refused, see [`refuse_input`].

use super::interrupt;
use std::fs::{File, Metadata, Permissions};
use std::io::Write;
use std::os::unix::fs::{FileTypeExt, MetadataExt, PermissionsExt};
use std::path::{Path, PathBuf};

/// Where one output goes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) enum Target {
    /// Standard output (`-o -`, `-o /dev/stdout`, or no `-o`).
    Stdout,
    /// A path as the user gave it (or a folder the user gave, joined with a derived name).
    Path(PathBuf),
}

impl Target {
    /// `-o`: the path named, or standard output when absent or `-`.
    pub(super) fn named(output: Option<&Path>) -> Target {
        match output {
            Some(p) if p.as_os_str() != "-" => Target::Path(p.to_path_buf()),
            _ => Target::Stdout,
        }
    }
}

/// As a summary line names it: the path, or `stdout`.
impl std::fmt::Display for Target {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Target::Path(p) => p.display().fmt(f),
            Target::Stdout => f.write_str("stdout"),
        }
    }
}

/// Why an output was not written; `path` is always the user's, never a temporary name.
#[derive(Debug, thiserror::Error)]
pub(super) enum WriteError {
    /// Writing failed.
    #[error("cannot write {}: {source}", .path.display())]
    Io {
        path: PathBuf,
        source: std::io::Error,
    },
    /// The target is not something oscalc writes (a directory, a block device, a dangling link).
    #[error("cannot write {}: {why}", .path.display())]
    Unwritable { path: PathBuf, why: String },
    /// The target is a document the run read.
    #[error("{} is an input of this run; it is not overwritten", .path.display())]
    IsInput { path: PathBuf },
    /// The target is also another output of the run.
    #[error("{} is already the output of the resolved catalog", .path.display())]
    IsOtherOutput { path: PathBuf },
}

impl WriteError {
    /// The diagnostic code.
    pub(super) fn code(&self) -> &'static str {
        match self {
            WriteError::Io { .. } => "write-io",
            WriteError::Unwritable { .. } => "write-target",
            WriteError::IsInput { .. } => "write-input",
            WriteError::IsOtherOutput { .. } => "write-same",
        }
    }
}

/// Writes `bytes` to `target`.
pub(super) fn write(target: &Target, bytes: &[u8]) -> Result<(), WriteError> {
    write_with(target, |out| out.write_all(bytes))
}

/// Writes what `body` writes to `target` through a buffer (the output is never held whole in
/// memory).
pub(super) fn write_with(
    target: &Target,
    body: impl FnOnce(&mut dyn Write) -> std::io::Result<()>,
) -> Result<(), WriteError> {
    match target {
        Target::Stdout => to_stdout(body).map_err(|source| WriteError::Io {
            path: PathBuf::from("<stdout>"),
            source,
        }),
        Target::Path(path) => to_path(path, body),
    }
}

fn to_stdout(body: impl FnOnce(&mut dyn Write) -> std::io::Result<()>) -> std::io::Result<()> {
    let mut out = std::io::BufWriter::new(std::io::stdout().lock());
    match body(&mut out).and_then(|()| out.flush()) {
        // A reader that stopped reading (`| head`) is not a failure of the run.
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => Ok(()),
        other => other,
    }
}

fn to_path(
    path: &Path,
    body: impl FnOnce(&mut dyn Write) -> std::io::Result<()>,
) -> Result<(), WriteError> {
    let io = |source| WriteError::Io {
        path: path.to_path_buf(),
        source,
    };
    let unwritable = |why: &str| WriteError::Unwritable {
        path: path.to_path_buf(),
        why: why.to_owned(),
    };
    // `metadata` follows symbolic links: what matters is what the name finally designates.
    match std::fs::metadata(path) {
        Ok(m) if m.is_file() => {
            let real = std::fs::canonicalize(path).map_err(io)?;
            let staged = temp_beside(&real, Some(&m), body);
            staged
                .and_then(Staged::commit)
                .map_err(|e| io(without_temp_path(e)))
        }
        Ok(m) if m.is_dir() => Err(unwritable("it is a directory")),
        Ok(m) if m.file_type().is_char_device() || m.file_type().is_fifo() => {
            into_stream(path, body).map_err(io)
        }
        Ok(_) => Err(unwritable(
            "it is neither a regular file, a character device nor a FIFO",
        )),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            if std::fs::symlink_metadata(path).is_ok() {
                return Err(unwritable("it is a symbolic link to nothing"));
            }
            let staged = temp_beside(path, None, body);
            staged
                .and_then(Staged::commit)
                .map_err(|e| io(without_temp_path(e)))
        }
        Err(e) => Err(io(e)),
    }
}

/// The error without the temporary file's name, which tempfile appends (`… at path "…"`) and
/// the user never named.
fn without_temp_path(e: std::io::Error) -> std::io::Error {
    let text = e.to_string();
    match text.rsplit_once(" at path ") {
        Some((head, _)) => std::io::Error::new(e.kind(), head.to_owned()),
        None => e,
    }
}

/// Writes into an existing device or FIFO: opened, never created or truncated.
fn into_stream(
    path: &Path,
    body: impl FnOnce(&mut dyn Write) -> std::io::Result<()>,
) -> std::io::Result<()> {
    let file = std::fs::OpenOptions::new().write(true).open(path)?;
    let mut out = std::io::BufWriter::new(file);
    body(&mut out)?;
    out.flush()
}

/// A complete output in a temporary file beside its target, not yet in place: [`Staged::commit`]
/// renames it over the target; dropped instead, it is deleted and the target stays as it was.
pub(super) struct Staged {
    /// `None` once committed.
    tmp: Option<tempfile::NamedTempFile>,
    /// The temporary file's name, as the interrupt registry holds it.
    tmp_path: PathBuf,
    /// The file it replaces (links followed).
    path: PathBuf,
    /// The target as the user named it, for errors.
    user: PathBuf,
}

impl Staged {
    /// Puts the output in place (the rename); the registry forgets the temporary file.
    fn commit(mut self) -> std::io::Result<()> {
        let Some(tmp) = self.tmp.take() else {
            return Ok(());
        };
        let mut live = interrupt::live();
        let persisted = tmp.persist(&self.path).map(drop).map_err(|e| e.error);
        interrupt::forget(&mut live, &self.tmp_path);
        persisted
    }
}

impl Drop for Staged {
    /// Not committed (or never filled): the temporary file is deleted, then forgotten (an
    /// interrupt in between finds nothing to delete).
    fn drop(&mut self) {
        drop(self.tmp.take());
        interrupt::forget(&mut interrupt::live(), &self.tmp_path);
    }
}

/// Writes what `body` writes into a temporary file beside the regular file `path` (or the new
/// name), registered for deletion on interrupt, synced, with `old`'s owner and mode (the
/// existing file's); renamed over `path` by [`Staged::commit`], the file is replaced atomically.
fn temp_beside(
    path: &Path,
    old: Option<&Metadata>,
    body: impl FnOnce(&mut dyn Write) -> std::io::Result<()>,
) -> std::io::Result<Staged> {
    let dir = match path.parent() {
        Some(d) if !d.as_os_str().is_empty() => d.to_path_buf(),
        _ => PathBuf::from("."),
    };
    // 0666 less the umask, as open(2) gives any new file; tempfile's own default is 0600.
    let builder = {
        let mut b = tempfile::Builder::new();
        b.permissions(Permissions::from_mode(0o666));
        b
    };
    // Created and registered under the lock, so an interrupt cannot fall between the two.
    let tmp = {
        let mut live = interrupt::live();
        let tmp = builder.tempfile_in(&dir)?;
        live.push(tmp.path().to_path_buf());
        tmp
    };
    let tmp_path = tmp.path().to_path_buf();
    // From here the guard forgets the file on any failure (`fill` deletes it then).
    let mut staged = Staged {
        tmp: None,
        tmp_path,
        path: path.to_path_buf(),
        user: path.to_path_buf(),
    };
    staged.tmp = Some(fill(tmp, old, body)?);
    Ok(staged)
}

/// Writes what `body` writes into a temporary file beside `target`, complete and synced but not
/// in place, when `target` is a regular file or a new name; `None` (and `body` unused) for
/// standard output, a device or a FIFO, which take their bytes only when they are final, and for
/// a target that is not written at all (the error comes from [`write_with`] then).
pub(super) fn stage(
    target: &Target,
    body: impl FnOnce(&mut dyn Write) -> std::io::Result<()>,
) -> Option<Result<Staged, WriteError>> {
    let Target::Path(user) = target else {
        return None;
    };
    let io = |source| WriteError::Io {
        path: user.to_path_buf(),
        source,
    };
    let (path, old) = match std::fs::metadata(user) {
        Ok(m) if m.is_file() => match std::fs::canonicalize(user) {
            Ok(real) => (real, Some(m)),
            Err(e) => return Some(Err(io(e))),
        },
        Err(e)
            if e.kind() == std::io::ErrorKind::NotFound
                && std::fs::symlink_metadata(user).is_err() =>
        {
            (user.clone(), None)
        }
        _ => return None,
    };
    Some(
        temp_beside(&path, old.as_ref(), body)
            .map(|mut s| {
                s.user.clone_from(user);
                s
            })
            .map_err(|e| io(without_temp_path(e))),
    )
}

/// Puts a staged output in place.
pub(super) fn commit(staged: Staged) -> Result<(), WriteError> {
    let user = staged.user.clone();
    staged.commit().map_err(|e| WriteError::Io {
        path: user,
        source: without_temp_path(e),
    })
}

/// Gives the temporary file the old file's owner and mode, then writes and syncs the content.
fn fill(
    tmp: tempfile::NamedTempFile,
    old: Option<&Metadata>,
    body: impl FnOnce(&mut dyn Write) -> std::io::Result<()>,
) -> std::io::Result<tempfile::NamedTempFile> {
    if let Some(old) = old {
        keep_owner(tmp.as_file(), old);
        // After chown, which may clear set-id bits.
        tmp.as_file()
            .set_permissions(Permissions::from_mode(old.mode() & 0o7777))?;
    }
    let mut buf = std::io::BufWriter::new(tmp);
    body(&mut buf)?;
    let tmp = buf
        .into_inner()
        .map_err(std::io::IntoInnerError::into_error)?;
    tmp.as_file().sync_all()?;
    Ok(tmp)
}

/// Best effort, as editors do: the owner and group of the old file where the system allows it
/// (root, or a group the user is in), else the group alone, else the user's own.
fn keep_owner(file: &File, old: &Metadata) {
    let Ok(now) = file.metadata() else { return };
    if (now.uid(), now.gid()) == (old.uid(), old.gid()) {
        return;
    }
    if std::os::unix::fs::fchown(file, Some(old.uid()), Some(old.gid())).is_err() {
        let _ = std::os::unix::fs::fchown(file, None, Some(old.gid()));
    }
}

/// Refuses a target that is one of `inputs` (device and inode, symbolic links followed), so no
/// run overwrites its own profile or a catalog it imports. Only a regular file can be replaced;
/// a device or FIFO is written into and checked by nobody.
pub(super) fn refuse_input(target: &Target, inputs: &[(u64, u64)]) -> Result<(), WriteError> {
    let Target::Path(path) = target else {
        return Ok(());
    };
    let Ok(m) = std::fs::metadata(path) else {
        return Ok(());
    };
    if m.is_file() && inputs.contains(&(m.dev(), m.ino())) {
        return Err(WriteError::IsInput {
            path: path.to_path_buf(),
        });
    }
    Ok(())
}

/// Refuses a second output of the run that designates the same file as `first` (standard output
/// twice; one file by two names, links followed; one new name written two ways), so one output
/// never replaces the other.
pub(super) fn refuse_same(second: &Target, first: &Target) -> Result<(), WriteError> {
    let same = match (second, first) {
        (Target::Stdout, Target::Stdout) => true,
        (Target::Path(a), Target::Path(b)) => match (std::fs::metadata(a), std::fs::metadata(b)) {
            (Ok(x), Ok(y)) => (x.dev(), x.ino()) == (y.dev(), y.ino()),
            _ => same_name(a).is_some_and(|x| same_name(b) == Some(x)),
        },
        _ => false,
    };
    match (same, second) {
        (true, Target::Path(p)) => Err(WriteError::IsOtherOutput {
            path: p.to_path_buf(),
        }),
        (true, Target::Stdout) => Err(WriteError::IsOtherOutput {
            path: PathBuf::from("<stdout>"),
        }),
        _ => Ok(()),
    }
}

/// A name not there yet, as one absolute path: its folder's real path and its file name.
fn same_name(path: &Path) -> Option<PathBuf> {
    let dir = match path.parent() {
        Some(d) if !d.as_os_str().is_empty() => d,
        _ => Path::new("."),
    };
    Some(std::fs::canonicalize(dir).ok()?.join(path.file_name()?))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn folder(name: &str) -> PathBuf {
        let dir = std::env::temp_dir().join(format!("oscalc-stage-{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        dir
    }

    fn names(dir: &Path) -> Vec<String> {
        let mut all: Vec<String> = std::fs::read_dir(dir)
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        all.sort();
        all
    }

    fn registered(path: &Path) -> bool {
        interrupt::live().iter().any(|p| p == path)
    }

    #[test]
    fn a_staged_output_takes_the_target_only_when_committed() {
        let dir = folder("commit");
        let target = dir.join("out.txt");
        std::fs::write(&target, b"old").unwrap();
        let staged = stage(&Target::Path(target.clone()), |w| w.write_all(b"new"))
            .unwrap()
            .unwrap();
        let tmp = staged.tmp_path.clone();
        assert_eq!(std::fs::read(&tmp).unwrap(), b"new");
        assert_eq!(std::fs::read(&target).unwrap(), b"old");
        assert!(
            registered(&tmp),
            "an interrupt must find the temporary file"
        );
        // Not committed: deleted and forgotten, the target as it was.
        drop(staged);
        assert_eq!(names(&dir), ["out.txt"]);
        assert!(!registered(&tmp));
        assert_eq!(std::fs::read(&target).unwrap(), b"old");
        let staged = stage(&Target::Path(target.clone()), |w| w.write_all(b"new"))
            .unwrap()
            .unwrap();
        let tmp = staged.tmp_path.clone();
        commit(staged).unwrap();
        assert_eq!(std::fs::read(&target).unwrap(), b"new");
        assert_eq!(names(&dir), ["out.txt"]);
        assert!(!registered(&tmp));
    }

    #[test]
    fn a_failed_body_leaves_nothing_and_names_the_target() {
        let dir = folder("fail");
        let target = dir.join("new.txt");
        let failed = stage(&Target::Path(target.clone()), |w| {
            w.write_all(b"part")?;
            Err(std::io::Error::other("disk full"))
        })
        .unwrap();
        let Err(e) = failed else {
            panic!("a failed body was staged")
        };
        assert_eq!(e.code(), "write-io");
        assert_eq!(
            e.to_string(),
            format!("cannot write {}: disk full", target.display())
        );
        assert!(names(&dir).is_empty(), "{:?}", names(&dir));
        assert!(!interrupt::live().iter().any(|p| p.starts_with(&dir)));
    }

    #[test]
    fn only_files_and_new_names_are_staged() {
        let dir = folder("kinds");
        let never = |_: &mut dyn Write| -> std::io::Result<()> { panic!("written") };
        assert!(stage(&Target::Stdout, never).is_none());
        assert!(stage(&Target::Path(PathBuf::from("/dev/null")), never).is_none());
        assert!(stage(&Target::Path(dir.clone()), never).is_none());
        let dangling = dir.join("link");
        std::os::unix::fs::symlink(dir.join("nowhere"), &dangling).unwrap();
        assert!(stage(&Target::Path(dangling), never).is_none());
        assert_eq!(names(&dir), ["link"]);
    }
}
