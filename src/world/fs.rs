//! The file-system world used by the CLI: local reads with the import policies, `--map`
//! rewriting, and http(s) through `remote.rs` when `--allow-remote` is given.
//!
//! Policies (an import is named by an untrusted document; the root is named by the user):
//! - only regular files are read, never a device, FIFO, socket or directory, and nothing under
//!   `/proc`, `/sys` or `/dev` (those "files" can be endless or hold the process's secrets);
//! - a file's size is checked before it is opened and the read is bounded by the limit;
//! - with `--root DIR`, an import must lie inside one of the roots or `--map` targets, checked on
//!   canonical paths (symlinks resolved first);
//! - a `--map`ped href must stay inside its target folder once percent-decoded.

use super::{FetchError, ImportRequest, World};
use std::io::Read;
use std::path::{Component, Path, PathBuf};
use std::time::Duration;
use time::OffsetDateTime;
use url::Url;

/// The largest document read when no `--max-file-size` is given (as `Options::max_file_size`).
const DEFAULT_LIMIT: u64 = 256 * 1024 * 1024;

/// The default connect and read timeout of remote imports (`--timeout`).
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(30);

/// Folders whose entries are never read as documents: kernel interfaces and devices.
const SPECIAL: [&str; 3] = ["/proc", "/sys", "/dev"];

/// One `--map PREFIX=TARGET`.
#[derive(Debug, Clone)]
struct Map {
    /// As given by the user: an href or URI, or the start of one.
    prefix: String,
    /// The local file (exact match) or folder (prefix match) it stands for.
    target: PathBuf,
}

/// Why a `--map` or `--root` cannot be used.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum MapError {
    /// `--map =DIR`: an empty prefix would match every href.
    #[error("the prefix of --map `{0}` is empty; it would map every import")]
    EmptyPrefix(String),
    /// The target does not exist or cannot be resolved.
    #[error("the target of --map `{prefix}` cannot be used: {path}: {reason}")]
    BadTarget {
        /// The prefix.
        prefix: String,
        /// The target as given.
        path: String,
        /// The OS error.
        reason: String,
    },
    /// A `--root` folder that does not exist or cannot be resolved.
    #[error("--root {path} cannot be used: {reason}")]
    BadRoot {
        /// The folder as given.
        path: String,
        /// The OS error.
        reason: String,
    },
}

/// Reads `file:` URIs from disk; `--map PREFIX=TARGET` rewrites hrefs and URIs that start with
/// PREFIX to files under TARGET before any scheme check, so URL imports resolve offline against a
/// mirror. See the module doc for what an import may read.
#[derive(Debug, Clone)]
pub struct FsWorld {
    maps: Vec<Map>,
    /// Canonical `--root` folders; empty: no confinement.
    roots: Vec<PathBuf>,
    allow_remote: bool,
    /// The largest document read (`--max-file-size`).
    max_file_size: u64,
    timeout: Duration,
}

impl Default for FsWorld {
    fn default() -> Self {
        FsWorld {
            maps: Vec::new(),
            roots: Vec::new(),
            allow_remote: false,
            max_file_size: DEFAULT_LIMIT,
            timeout: DEFAULT_TIMEOUT,
        }
    }
}

impl FsWorld {
    /// A world with no maps, no roots, remote access off and the default size limit.
    pub fn new() -> Self {
        FsWorld::default()
    }

    /// Adds a map (`--map PREFIX=TARGET`): an href equal to PREFIX is read from the file TARGET,
    /// an href starting with PREFIX from the rest of it under the folder TARGET. TARGET must
    /// exist; it is resolved to its canonical path now, so later `cd`s and symlink swaps do not
    /// move it.
    pub fn with_map(
        mut self,
        prefix: impl Into<String>,
        target: impl AsRef<Path>,
    ) -> Result<Self, MapError> {
        let prefix = prefix.into();
        if prefix.is_empty() {
            return Err(MapError::EmptyPrefix(format!(
                "={}",
                target.as_ref().display()
            )));
        }
        let target = std::fs::canonicalize(target.as_ref()).map_err(|e| MapError::BadTarget {
            prefix: prefix.clone(),
            path: target.as_ref().display().to_string(),
            reason: e.to_string(),
        })?;
        self.maps.push(Map { prefix, target });
        Ok(self)
    }

    /// Confines local imports to the folder tree of `dir` (`--root`, repeatable); with at least
    /// one root, `--map` targets are roots too.
    pub fn with_root(mut self, dir: impl AsRef<Path>) -> Result<Self, MapError> {
        let dir = dir.as_ref();
        let canonical = std::fs::canonicalize(dir).map_err(|e| MapError::BadRoot {
            path: dir.display().to_string(),
            reason: e.to_string(),
        })?;
        self.roots.push(canonical);
        Ok(self)
    }

    /// Allows http(s) imports (`--allow-remote`).
    pub fn with_remote(mut self, allow: bool) -> Self {
        self.allow_remote = allow;
        self
    }

    /// Refuses files larger than `limit` bytes before reading them.
    pub fn with_max_file_size(mut self, limit: u64) -> Self {
        self.max_file_size = limit;
        self
    }

    /// The connect and per-read timeout of remote imports (`--timeout`).
    pub fn with_timeout(mut self, timeout: Duration) -> Self {
        self.timeout = timeout;
        self
    }

    /// The local file a document is read from: the `--map` of the first of `keys` that has one
    /// (as [`World::fetch_import`] tries them), else the path of a `file:` URI. The CLI uses it to
    /// refuse an output that would overwrite an input.
    pub fn local_path(&self, keys: &[&str], uri: &Url) -> Option<PathBuf> {
        match self.mapped(keys) {
            Some(Ok((_, path))) => Some(path),
            Some(Err(_)) => None,
            None if uri.scheme() == "file" => uri.to_file_path().ok(),
            None => None,
        }
    }

    /// The local path a map gives `keys` (tried in order: first an exact match of any key, then a
    /// prefix match), with the key that matched.
    fn mapped(&self, keys: &[&str]) -> Option<Result<(String, PathBuf), FetchError>> {
        for key in keys {
            if let Some(m) = self.maps.iter().find(|m| m.prefix == *key) {
                return Some(Ok(((*key).to_owned(), m.target.clone())));
            }
        }
        for key in keys {
            for m in &self.maps {
                let Some(rest) = key.strip_prefix(m.prefix.as_str()) else {
                    continue;
                };
                return Some(
                    under(&m.target, rest)
                        .map(|p| ((*key).to_owned(), p))
                        .ok_or_else(|| FetchError::MapEscape((*key).to_owned())),
                );
            }
        }
        None
    }

    /// Reads the document `uri`, or the file the `--map` of the first of `keys` that has one
    /// gives (a failure then names the href and the path); `confine`: apply `--root`.
    fn read(&self, keys: &[&str], uri: &Url, confine: bool) -> Result<Vec<u8>, FetchError> {
        match self.mapped(keys) {
            Some(Ok((href, path))) => {
                (self.read_path(&path, confine)).map_err(|e| FetchError::Mapped {
                    href,
                    path: path.display().to_string(),
                    source: Box::new(e),
                })
            }
            Some(Err(e)) => Err(e),
            None => self.fetch_uri(uri, confine),
        }
    }

    /// Reads a local file under the policies of the module doc; `confine`: apply `--root`.
    fn read_path(&self, path: &Path, confine: bool) -> Result<Vec<u8>, FetchError> {
        let shown = path.display().to_string();
        let io = |e: std::io::Error| match e.kind() {
            std::io::ErrorKind::NotFound => FetchError::NotFound(shown.clone()),
            _ => FetchError::Io {
                path: shown.clone(),
                reason: e.to_string(),
            },
        };
        // Symlinks resolved first: the checks below see where the bytes really are. A path that
        // does not resolve is judged as written (URIs and maps come without dot segments), so a
        // missing file outside the roots is "outside", not "missing": no probing for files.
        let canonical = match std::fs::canonicalize(path) {
            Ok(c) => c,
            Err(_) if confine && !self.inside_roots(path) => {
                return Err(FetchError::OutsideRoot(shown));
            }
            Err(e) => return Err(io(e)),
        };
        if confine && !self.inside_roots(&canonical) {
            return Err(FetchError::OutsideRoot(shown));
        }
        if SPECIAL.iter().any(|s| canonical.starts_with(s)) {
            return Err(FetchError::NotRegular(shown));
        }
        // Not opened unless it is a regular file: opening a FIFO blocks, a device never ends.
        let meta = std::fs::metadata(&canonical).map_err(io)?;
        if meta.is_dir() {
            return Err(FetchError::IsDirectory(shown));
        }
        if !meta.file_type().is_file() {
            return Err(FetchError::NotRegular(shown));
        }
        let limit = self.max_file_size;
        let too_large = |size: u64| FetchError::TooLarge {
            path: shown.clone(),
            size,
            limit,
        };
        if meta.len() > limit {
            return Err(too_large(meta.len()));
        }
        let file = std::fs::File::open(&canonical).map_err(io)?;
        // The file may have been swapped since the check: look at what was opened.
        if !file.metadata().map_err(io)?.file_type().is_file() {
            return Err(FetchError::NotRegular(shown));
        }
        let mut buf = Vec::with_capacity(usize::try_from(meta.len()).unwrap_or(0));
        file.take(limit.saturating_add(1))
            .read_to_end(&mut buf)
            .map_err(io)?;
        // It grew while read.
        if buf.len() as u64 > limit {
            return Err(too_large(buf.len() as u64));
        }
        Ok(buf)
    }

    /// Whether a canonical path is inside a root or a map target; true when there are no roots.
    fn inside_roots(&self, canonical: &Path) -> bool {
        self.roots.is_empty()
            || self
                .roots
                .iter()
                .chain(self.maps.iter().map(|m| &m.target))
                .any(|r| canonical.starts_with(r))
    }

    /// A URI with no map: a local file, or http(s) when allowed.
    fn fetch_uri(&self, uri: &Url, confine: bool) -> Result<Vec<u8>, FetchError> {
        match uri.scheme() {
            "file" => {
                let path = uri
                    .to_file_path()
                    .map_err(|()| FetchError::Unsupported(uri.to_string()))?;
                self.read_path(&path, confine)
            }
            "http" | "https" if !self.allow_remote => {
                Err(FetchError::RemoteDisabled(uri.to_string()))
            }
            "http" | "https" => super::remote::fetch(uri, self.max_file_size, self.timeout),
            _ => Err(FetchError::Unsupported(uri.to_string())),
        }
    }
}

/// `rest` (the part of an href after a map's prefix), percent-decoded, as a path under `dir`;
/// `None` when it would leave `dir`: an absolute path, a `..` above `dir`, a NUL.
fn under(dir: &Path, rest: &str) -> Option<PathBuf> {
    // Invalid UTF-8 is replaced, never a panic.
    let decoded =
        percent_encoding::percent_decode_str(rest.trim_start_matches('/')).decode_utf8_lossy();
    if decoded.starts_with('/') || decoded.contains('\0') {
        return None;
    }
    let mut parts: Vec<&str> = Vec::new();
    for part in decoded.split('/') {
        match part {
            "" | "." => {}
            ".." => {
                parts.pop()?;
            }
            _ => parts.push(part),
        }
    }
    let mut out = dir.to_path_buf();
    for part in parts {
        // A decoded part is one name: anything else (a Windows prefix, say) is refused.
        match Path::new(part).components().collect::<Vec<_>>().as_slice() {
            [Component::Normal(_)] => out.push(part),
            _ => return None,
        }
    }
    Some(out)
}

impl World for FsWorld {
    fn fetch(&self, uri: &Url) -> Result<Vec<u8>, FetchError> {
        self.read(&[uri.as_str()], uri, false)
    }

    fn fetch_import(&self, import: &ImportRequest<'_>) -> Result<Vec<u8>, FetchError> {
        self.read(&[import.href, import.uri.as_str()], import.uri, true)
    }

    fn now(&self) -> OffsetDateTime {
        OffsetDateTime::now_utc()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn under_refuses_encoded_slashes_and_climbs() {
        let dir = Path::new("/m");
        assert_eq!(under(dir, "a/b.json"), Some(PathBuf::from("/m/a/b.json")));
        assert_eq!(
            under(dir, "/a/./b.json"),
            Some(PathBuf::from("/m/a/b.json"))
        );
        assert_eq!(under(dir, "a/../b.json"), Some(PathBuf::from("/m/b.json")));
        assert_eq!(under(dir, "a%20b.json"), Some(PathBuf::from("/m/a b.json")));
        assert_eq!(under(dir, "%2fetc%2fpasswd"), None);
        assert_eq!(under(dir, "x/%2e%2e/%2e%2e/etc/passwd"), None);
        assert_eq!(under(dir, "../etc/passwd"), None);
        assert_eq!(under(dir, "a%00b"), None);
    }
}
