//! Stage: before resolution or validation (CLI). In: the files named on the command line. Out:
//! their URIs, and [`Inputs`], the [`World`] the run reads through.
//!
//! A named regular file is read later by the [`FsWorld`], like any import. A name that is a
//! stream — `-` (standard input), `/dev/stdin`, a pipe such as bash's `<(…)` (`/dev/fd/N`), a FIFO
//! — is read here, once, at most `--max-file-size` bytes, and served from memory under its URI:
//! the user named it, so it may be read, while the `FsWorld` reads only regular files for imports.
//!
//! Where relative imports of a stream resolve (D-in): standard input, and any name under `/dev`
//! or `/proc` (whose folder is the kernel's, not the user's), are served as `<NAME>` (`<stdin>`,
//! `</dev/fd/63>`) in the `--base` folder, default the current one, and shown by that name. A
//! FIFO elsewhere resolves against its own folder, as any named file.
//!
//! [`Inputs`] also records every document the run read, for the output checks: the format of each
//! (for the default output format) and the device and inode of the files (never overwritten).

use indexmap::IndexMap;
use oscalc::diag::Diagnostic;
use oscalc::load::Format;
use oscalc::world::{FetchError, FsWorld, ImportRequest, World};
use std::io::Read;
use std::os::fd::AsFd;
use std::os::unix::fs::MetadataExt;
use std::path::{Path, PathBuf};
use std::sync::{Mutex, PoisonError};
use time::OffsetDateTime;
use url::Url;

/// The name standard input is shown under.
const STDIN_NAME: &str = "<stdin>";

/// Flags about where inputs come from.
#[derive(Debug, Clone, clap::Args)]
pub(super) struct InputArgs {
    /// Folder the relative imports of standard input (`-`, `/dev/stdin`) and of `<(…)` resolve
    /// against [default: the current folder].
    #[arg(long, value_name = "DIR")]
    base: Option<PathBuf>,
}

/// The world of one run: named streams from memory, everything else from the [`FsWorld`].
#[derive(Debug, Default)]
pub(super) struct Inputs {
    fs: FsWorld,
    limit: u64,
    base: Option<PathBuf>,
    /// Streams read from the command line, by URI.
    served: IndexMap<String, Vec<u8>>,
    /// The URI standard input is served under, once read.
    stdin: Option<Url>,
    /// Device and inode of the streams read (standard input may be a redirected file).
    stream_ids: Vec<(u64, u64)>,
    /// Every document fetched, by URI, with the format its first byte shows.
    read: Mutex<IndexMap<String, Option<Format>>>,
    /// The local file of every document fetched from disk (`--map` applied).
    paths: Mutex<Vec<PathBuf>>,
}

impl Inputs {
    /// A world over `fs`; streams are read up to `limit` bytes.
    pub(super) fn new(fs: FsWorld, limit: u64, args: &InputArgs) -> Self {
        Inputs {
            fs,
            limit,
            base: args.base.clone(),
            ..Inputs::default()
        }
    }

    /// The URI of a file named on the command line; a stream is read now. A located-nowhere
    /// diagnostic if it is missing, a directory, unreadable or too large.
    pub(super) fn name(&mut self, path: &Path) -> Result<Url, Box<Diagnostic>> {
        if path == Path::new("-") {
            if let Some(uri) = &self.stdin {
                return Ok(uri.clone());
            }
            // A handle of its own on standard input (a duplicate descriptor): its metadata says
            // whether it is a redirected file.
            let file = std::io::stdin()
                .as_fd()
                .try_clone_to_owned()
                .map(std::fs::File::from)
                .map_err(|e| fetch_io(Path::new(STDIN_NAME), &e))?;
            let uri = self.serve_in_base("stdin", file, STDIN_NAME)?;
            self.stdin = Some(uri.clone());
            return Ok(uri);
        }
        let abs = std::path::absolute(path).map_err(|e| fetch_io(path, &e))?;
        // Symbolic links followed: `/dev/stdin` is a link to a pipe, a tty or a file.
        let meta = std::fs::metadata(&abs).map_err(|e| match e.kind() {
            std::io::ErrorKind::NotFound => fail(
                "fetch-not-found",
                format!("{} does not exist", path.display()),
            ),
            _ => fetch_io(path, &e),
        })?;
        if meta.is_dir() {
            let why = format!("{} is a directory, not a file", path.display());
            return Err(fail("fetch-io", why));
        }
        let shown = path.display().to_string();
        if abs.starts_with("/dev") || abs.starts_with("/proc") {
            // `/dev/stdin`, `/dev/fd/63` from `<(…)`: the folder is the kernel's, not the user's.
            let file = std::fs::File::open(&abs).map_err(|e| fetch_io(path, &e))?;
            return self.serve_in_base(&shown, file, &shown);
        }
        let uri = Url::from_file_path(&abs).map_err(|()| unusable(path))?;
        if meta.is_file() || self.served.contains_key(uri.as_str()) {
            return Ok(uri);
        }
        // A FIFO or another stream in a folder of the user's: imports resolve there.
        let file = std::fs::File::open(&abs).map_err(|e| fetch_io(path, &e))?;
        let bytes = self.read_stream(file, &shown)?;
        self.served.insert(uri.to_string(), bytes);
        Ok(uri)
    }

    /// Reads a stream and serves it as `<name>` in the `--base` folder.
    fn serve_in_base(
        &mut self,
        name: &str,
        file: std::fs::File,
        shown: &str,
    ) -> Result<Url, Box<Diagnostic>> {
        let base = match &self.base {
            Some(b) => std::path::absolute(b).map_err(|e| fetch_io(b, &e))?,
            None => std::env::current_dir().map_err(|e| fetch_io(Path::new("."), &e))?,
        };
        if !base.is_dir() {
            let why = format!("--base {} is not a folder", base.display());
            return Err(fail("fetch-io", why));
        }
        let mut uri = Url::from_directory_path(&base).map_err(|()| unusable(&base))?;
        uri.path_segments_mut()
            .map_err(|()| unusable(&base))?
            .pop_if_empty()
            .push(&format!("<{name}>"));
        if !self.served.contains_key(uri.as_str()) {
            let bytes = self.read_stream(file, shown)?;
            self.served.insert(uri.to_string(), bytes);
        }
        Ok(uri)
    }

    /// Reads a stream whole, refusing it past the limit.
    fn read_stream(
        &mut self,
        file: std::fs::File,
        shown: &str,
    ) -> Result<Vec<u8>, Box<Diagnostic>> {
        if let Ok(m) = file.metadata() {
            self.stream_ids.push((m.dev(), m.ino()));
        }
        let mut bytes = Vec::new();
        file.take(self.limit.saturating_add(1))
            .read_to_end(&mut bytes)
            .map_err(|e| fetch_io(Path::new(shown), &e))?;
        let read = u64::try_from(bytes.len()).unwrap_or(u64::MAX);
        if read > self.limit {
            let why = format!(
                "{shown} is over the limit of {} bytes (--max-file-size)",
                self.limit
            );
            return Err(fail("load-limit", why));
        }
        Ok(bytes)
    }

    /// The format of a document the run read, by its first significant byte.
    pub(super) fn format_of(&self, uri: &Url) -> Option<Format> {
        let read = self.read.lock().unwrap_or_else(PoisonError::into_inner);
        read.get(uri.as_str()).copied().flatten()
    }

    /// Device and inode of every file the run read (imports through `--map` included).
    pub(super) fn identities(&self) -> Vec<(u64, u64)> {
        let paths = self.paths.lock().unwrap_or_else(PoisonError::into_inner);
        let files = paths
            .iter()
            .filter_map(|p| std::fs::metadata(p).ok())
            .map(|m| (m.dev(), m.ino()));
        self.stream_ids.iter().copied().chain(files).collect()
    }

    /// Notes a document fetched: its format, and its local file if it has one.
    fn record(&self, uri: &Url, bytes: &[u8], path: Option<PathBuf>) {
        let mut read = self.read.lock().unwrap_or_else(PoisonError::into_inner);
        read.entry(uri.to_string())
            .or_insert_with(|| oscalc::load::sniff(bytes));
        drop(read);
        if let Some(p) = path {
            let mut paths = self.paths.lock().unwrap_or_else(PoisonError::into_inner);
            paths.push(p);
        }
    }
}

impl World for Inputs {
    fn fetch(&self, uri: &Url) -> Result<Vec<u8>, FetchError> {
        let (bytes, path) = match self.served.get(uri.as_str()) {
            Some(b) => (b.clone(), None),
            None => (
                self.fs.fetch(uri)?,
                self.fs.local_path(&[uri.as_str()], uri),
            ),
        };
        self.record(uri, &bytes, path);
        Ok(bytes)
    }

    fn fetch_import(&self, import: &ImportRequest<'_>) -> Result<Vec<u8>, FetchError> {
        // A stream is served only as the root it was named for; imports go through the
        // policies of the file-system world.
        let bytes = self.fs.fetch_import(import)?;
        let path = self
            .fs
            .local_path(&[import.href, import.uri.as_str()], import.uri);
        self.record(import.uri, &bytes, path);
        Ok(bytes)
    }

    fn now(&self) -> OffsetDateTime {
        self.fs.now()
    }
}

fn fail(code: &'static str, why: String) -> Box<Diagnostic> {
    Box::new(Diagnostic::error(code, why))
}

fn unusable(path: &Path) -> Box<Diagnostic> {
    fail(
        "fetch-io",
        format!("{} is not a usable path", path.display()),
    )
}

fn fetch_io(path: &Path, e: &std::io::Error) -> Box<Diagnostic> {
    fail("fetch-io", format!("{}: {e}", path.display()))
}
