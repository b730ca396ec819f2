//! I/O: every byte the library reads comes through a [`World`].
//!
//! [`FsWorld`] reads `file:` URIs (with `--map` prefixes rewritten to local folders first);
//! [`MemWorld`] serves documents from memory with a fixed clock, for tests and fuzzing.

mod fs;
pub mod href;
mod mem;
mod remote;

pub use fs::FsWorld;
pub use mem::MemWorld;

use time::OffsetDateTime;
use url::Url;

/// Why a document could not be fetched.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum FetchError {
    /// Nothing exists at the URI.
    #[error("no such file: {0}")]
    NotFound(String),
    /// The URI names a directory.
    #[error("{0} is a directory, not a file")]
    IsDirectory(String),
    /// Reading failed.
    #[error("cannot read {path}: {reason}")]
    Io {
        /// The path.
        path: String,
        /// The OS error.
        reason: String,
    },
    /// A remote URI and remote access is not allowed.
    #[error(
        "{0} is remote; remote imports are off (pass --allow-remote, or --map the prefix to a local mirror)"
    )]
    RemoteDisabled(String),
    /// A scheme no world here can read.
    #[error("unsupported URI scheme in {0}")]
    Unsupported(String),
    /// The file is larger than the limit.
    #[error("{path} is {size} bytes, over the limit of {limit} bytes (--max-file-size)")]
    TooLarge {
        /// The path.
        path: String,
        /// Its size.
        size: u64,
        /// The limit.
        limit: u64,
    },
}

impl FetchError {
    /// The diagnostic code for this failure.
    pub fn code(&self) -> &'static str {
        match self {
            FetchError::NotFound(_) => "fetch-not-found",
            FetchError::IsDirectory(_) | FetchError::Io { .. } => "fetch-io",
            FetchError::RemoteDisabled(_) => "fetch-remote-disabled",
            FetchError::Unsupported(_) => "fetch-unsupported",
            FetchError::TooLarge { .. } => "load-limit",
        }
    }
}

/// Where documents come from, and what time it is.
pub trait World: Sync {
    /// The bytes of the document at an absolute URI.
    fn fetch(&self, uri: &Url) -> Result<Vec<u8>, FetchError>;
    /// The time of resolution (metadata `last-modified`); tests pin it.
    fn now(&self) -> OffsetDateTime;
}
