//! The file-system world used by the CLI.

use super::{FetchError, World};
use std::io::Read;
use std::path::PathBuf;
use time::OffsetDateTime;
use url::Url;

/// The largest remote document read when no `--max-file-size` is given.
const DEFAULT_REMOTE_LIMIT: u64 = 256 * 1024 * 1024;

/// Reads `file:` URIs from disk; `--map PREFIX=DIR` rewrites URIs that start with PREFIX to files
/// under DIR before any scheme check, so URL imports resolve offline against a mirror.
#[derive(Debug, Clone, Default)]
pub struct FsWorld {
    maps: Vec<(String, PathBuf)>,
    allow_remote: bool,
    max_file_size: Option<u64>,
}

impl FsWorld {
    /// A world with no maps, remote access off and no size limit beyond the loader's.
    pub fn new() -> Self {
        FsWorld::default()
    }

    /// Adds a prefix map (`--map PREFIX=DIR`).
    pub fn with_map(mut self, prefix: impl Into<String>, dir: impl Into<PathBuf>) -> Self {
        self.maps.push((prefix.into(), dir.into()));
        self
    }

    /// Allows http(s) imports (`--allow-remote`).
    pub fn with_remote(mut self, allow: bool) -> Self {
        self.allow_remote = allow;
        self
    }

    /// Refuses files larger than `limit` bytes before reading them.
    pub fn with_max_file_size(mut self, limit: u64) -> Self {
        self.max_file_size = Some(limit);
        self
    }

    /// The local file a URI is read from (`--map` applied), if it is one; the CLI uses it to
    /// refuse an output that would overwrite an input.
    pub fn local_path(&self, uri: &Url) -> Option<PathBuf> {
        self.mapped(uri).or_else(|| match uri.scheme() {
            "file" => uri.to_file_path().ok(),
            _ => None,
        })
    }

    fn mapped(&self, uri: &Url) -> Option<PathBuf> {
        let s = uri.as_str();
        self.maps.iter().find_map(|(prefix, dir)| {
            let rest = s.strip_prefix(prefix.as_str())?;
            let rest = rest.trim_start_matches('/');
            let decoded = percent_decode(rest);
            Some(dir.join(decoded))
        })
    }

    fn read_path(&self, path: PathBuf) -> Result<Vec<u8>, FetchError> {
        let shown = path.display().to_string();
        let meta = std::fs::metadata(&path).map_err(|e| match e.kind() {
            std::io::ErrorKind::NotFound => FetchError::NotFound(shown.clone()),
            _ => FetchError::Io {
                path: shown.clone(),
                reason: e.to_string(),
            },
        })?;
        if meta.is_dir() {
            return Err(FetchError::IsDirectory(shown));
        }
        if let Some(limit) = self.max_file_size
            && meta.len() > limit
        {
            return Err(FetchError::TooLarge {
                path: shown,
                size: meta.len(),
                limit,
            });
        }
        let mut buf = Vec::with_capacity(usize::try_from(meta.len()).unwrap_or(0));
        std::fs::File::open(&path)
            .and_then(|mut f| f.read_to_end(&mut buf))
            .map_err(|e| FetchError::Io {
                path: shown,
                reason: e.to_string(),
            })?;
        Ok(buf)
    }
}

fn percent_decode(s: &str) -> String {
    url::form_urlencoded::parse(format!("x={}", s.replace('+', "%2B")).as_bytes())
        .next()
        .map(|(_, v)| v.into_owned())
        .unwrap_or_else(|| s.to_owned())
}

impl World for FsWorld {
    fn fetch(&self, uri: &Url) -> Result<Vec<u8>, FetchError> {
        if let Some(path) = self.mapped(uri) {
            return self.read_path(path);
        }
        match uri.scheme() {
            "file" => {
                let path = uri
                    .to_file_path()
                    .map_err(|()| FetchError::Unsupported(uri.to_string()))?;
                self.read_path(path)
            }
            "http" | "https" if !self.allow_remote => {
                Err(FetchError::RemoteDisabled(uri.to_string()))
            }
            "http" | "https" => {
                super::remote::fetch(uri, self.max_file_size.unwrap_or(DEFAULT_REMOTE_LIMIT))
            }
            _ => Err(FetchError::Unsupported(uri.to_string())),
        }
    }

    fn now(&self) -> OffsetDateTime {
        OffsetDateTime::now_utc()
    }
}
