//! I/O: every byte the library reads comes through a [`World`].
//!
//! [`FsWorld`] reads `file:` URIs (with `--map` prefixes rewritten to local paths first, confined
//! to `--root` folders when given) and, with `--allow-remote`, http(s); [`MemWorld`] serves
//! documents from memory with a fixed clock, for tests and fuzzing.
//!
//! Two entry points: [`World::fetch`] reads a document the user named (the root), and
//! [`World::fetch_import`] one that a document names (an import), where the policies on what an
//! untrusted profile may make oscalc read apply (see `fs.rs`).

mod fs;
pub mod href;
mod mem;
mod remote;

pub use fs::{FsWorld, MapError};
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
    /// The URI names something other than a regular file: a device, a FIFO, a socket, or an
    /// entry of `/proc`, `/sys` or `/dev` (which may never end, or hold the process's secrets).
    #[error("{0} is not a regular file")]
    NotRegular(String),
    /// A local import outside every `--root` folder.
    #[error("{0} is outside the folders allowed by --root")]
    OutsideRoot(String),
    /// After `--map` rewrote it, the href climbs out of the folder it maps to.
    #[error("{0} leaves the folder its --map prefix points to")]
    MapEscape(String),
    /// A remote document imports something that is not http(s) (a local file, say).
    #[error("{0} is not http(s), and a remote document may import only http(s)")]
    RemoteImportsLocal(String),
    /// A redirect that is not followed.
    #[error("{uri}: {reason}")]
    Redirect {
        /// The URI that redirected.
        uri: String,
        /// Why the redirect is refused.
        reason: String,
    },
    /// The server did not answer in time.
    #[error("{0} did not answer within the timeout (--timeout)")]
    Timeout(String),
    /// Reading failed.
    #[error("cannot read {path}: {reason}")]
    Io {
        /// The path.
        path: String,
        /// The OS error.
        reason: String,
    },
    /// A remote URI and remote access is not allowed.
    #[error("{0} is remote and remote imports are off")]
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
    /// An href `--map` rewrote, and what went wrong with the local path it became.
    #[error("{href} (mapped to {path}): {source}")]
    Mapped {
        /// The href or URI as matched.
        href: String,
        /// The local path it was mapped to.
        path: String,
        /// The failure on that path.
        source: Box<FetchError>,
    },
}

impl FetchError {
    /// The diagnostic code for this failure.
    pub fn code(&self) -> &'static str {
        match self {
            FetchError::NotFound(_) => "fetch-not-found",
            FetchError::Io { .. } => "fetch-io",
            FetchError::IsDirectory(_) | FetchError::NotRegular(_) => "fetch-not-regular",
            FetchError::OutsideRoot(_) => "fetch-outside-root",
            FetchError::MapEscape(_) => "fetch-map-escape",
            FetchError::RemoteImportsLocal(_) => "fetch-remote-local",
            FetchError::Redirect { .. } => "fetch-redirect",
            FetchError::Timeout(_) => "fetch-timeout",
            FetchError::RemoteDisabled(_) => "fetch-remote-disabled",
            FetchError::Unsupported(_) => "fetch-unsupported",
            FetchError::TooLarge { .. } => "load-limit",
            FetchError::Mapped { source, .. } => source.code(),
        }
    }

    /// Whether oscalc refused to read on purpose (a policy: `--root`, `--allow-remote`, no
    /// devices...), rather than failing to find or read the document. A refusal keeps its own
    /// code when it is reported for an import.
    pub fn is_refusal(&self) -> bool {
        match self {
            FetchError::NotFound(_) | FetchError::Io { .. } | FetchError::Timeout(_) => false,
            FetchError::Mapped { source, .. } => source.is_refusal(),
            _ => true,
        }
    }

    /// What went wrong, without naming the URI itself (the caller names the import): for an
    /// import's diagnostic, so the URL is printed once.
    pub fn reason(&self) -> String {
        match self {
            FetchError::NotFound(_) => "it does not exist".into(),
            FetchError::IsDirectory(_) => "it is a directory, not a file".into(),
            FetchError::NotRegular(_) => {
                "it is not a regular file (a device, FIFO, or an entry of /proc, /sys or /dev)"
                    .into()
            }
            FetchError::OutsideRoot(_) => "it is outside the folders allowed by --root".into(),
            FetchError::MapEscape(_) => "once --map rewrote it, it leaves the target folder".into(),
            FetchError::RemoteImportsLocal(_) => {
                "a remote document may import only http(s) URIs, never a local file".into()
            }
            FetchError::Redirect { reason, .. } => reason.clone(),
            FetchError::Timeout(_) => "the server did not answer within the timeout".into(),
            FetchError::Io { reason, .. } => reason.clone(),
            FetchError::RemoteDisabled(_) => "remote imports are off".into(),
            FetchError::Unsupported(_) => "oscalc cannot read this URI scheme".into(),
            FetchError::TooLarge { size, limit, .. } => {
                format!("it is {size} bytes, over the limit of {limit} bytes")
            }
            FetchError::Mapped { path, source, .. } => {
                format!("--map reads {path}, and {}", source.reason())
            }
        }
    }

    /// Advice for the user, if any.
    pub fn hint(&self) -> Option<&'static str> {
        match self {
            FetchError::RemoteDisabled(_) => {
                Some("pass --allow-remote, or --map the URL's prefix to a local mirror")
            }
            FetchError::OutsideRoot(_) => {
                Some("add its folder with --root DIR, or --map the href to a local copy")
            }
            FetchError::TooLarge { .. } => Some("raise the limit with --max-file-size"),
            FetchError::Timeout(_) => Some("raise the limit with --timeout SECS"),
            FetchError::Mapped { source, .. } => source.hint(),
            _ => None,
        }
    }
}

/// An import to fetch: where it resolved to, how it was written, and who wrote it.
#[derive(Debug, Clone, Copy)]
pub struct ImportRequest<'a> {
    /// The href resolved against the importer (RFC 3986), without a fragment.
    pub uri: &'a Url,
    /// The href as written in the importer: the import's `href`, or the rlink's.
    pub href: &'a str,
    /// The importing document's URI.
    pub importer: &'a Url,
}

/// Where documents come from, and what time it is. The library reads nothing else: a world
/// decides what a run may read, and its [`World::fetch_import`] is where the policies on what an
/// untrusted profile may make oscalc read belong ([`FsWorld`]: `--root`, `--map`, no devices, no
/// remote unless allowed).
///
/// A world that serves the documents of a [`MemWorld`] but only imports under `mem:///trusted/`:
///
/// ```
/// use oscalc::world::{FetchError, ImportRequest};
/// use oscalc::{MemWorld, Options, World, resolve};
/// use url::Url;
///
/// struct Confined(MemWorld);
///
/// impl World for Confined {
///     fn fetch(&self, uri: &Url) -> Result<Vec<u8>, FetchError> {
///         self.0.fetch(uri)
///     }
///     fn fetch_import(&self, import: &ImportRequest<'_>) -> Result<Vec<u8>, FetchError> {
///         if import.uri.path().starts_with("/trusted/") {
///             self.0.fetch(import.uri)
///         } else {
///             Err(FetchError::OutsideRoot(import.uri.to_string()))
///         }
///     }
///     fn now(&self) -> time::OffsetDateTime {
///         self.0.now()
///     }
/// }
///
/// let catalog = r#"{"catalog": {
///   "uuid": "8bd5f2a4-6a6b-4f7c-9a43-2b4f7cbbd7a4",
///   "metadata": {"title": "Catalog", "last-modified": "2024-01-01T00:00:00Z",
///                "version": "1", "oscal-version": "1.2.3"},
///   "controls": [{"id": "c1", "title": "One"}]
/// }}"#;
/// let profile = |href: &str| format!(r#"{{"profile": {{
///   "uuid": "1bd5f2a4-6a6b-4f7c-9a43-2b4f7cbbd7a4",
///   "metadata": {{"title": "P", "last-modified": "2024-01-01T00:00:00Z",
///                "version": "1", "oscal-version": "1.2.3"}},
///   "imports": [{{"href": "{href}", "include-all": {{}}}}]
/// }}}}"#);
/// let mut mem = MemWorld::new();
/// mem.add("trusted/cat.json", catalog);
/// mem.add("secret.json", catalog);
/// let good = mem.add("trusted/p.json", profile("cat.json"));
/// let bad = mem.add("trusted/q.json", profile("../secret.json"));
/// let world = Confined(mem);
///
/// let resolved = resolve(&world, &good, &Options::default()).output.unwrap();
/// assert_eq!(resolved.catalog.controls[0].id.to_string(), "c1");
/// // A refusal keeps its own code, at the import that asked for it.
/// let errors = resolve(&world, &bad, &Options::default()).output.unwrap_err();
/// assert_eq!(errors[0].code, "fetch-outside-root");
/// assert!(errors[0].message.contains("secret.json"));
/// ```
pub trait World: Sync {
    /// The bytes of a document the user named (the root of a run), at an absolute URI.
    fn fetch(&self, uri: &Url) -> Result<Vec<u8>, FetchError>;
    /// The bytes of a document an import names. Required (no default), so a world that wraps
    /// another must decide, and cannot skip the import policies by accident.
    fn fetch_import(&self, import: &ImportRequest<'_>) -> Result<Vec<u8>, FetchError>;
    /// The time of resolution (metadata `last-modified`); tests pin it.
    fn now(&self) -> OffsetDateTime;
}

/// Whether a URI is fetched over the network.
pub fn is_remote(uri: &Url) -> bool {
    matches!(uri.scheme(), "http" | "https")
}
