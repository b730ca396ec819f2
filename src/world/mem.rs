//! An in-memory world for tests, doctests and fuzzing.

use super::{FetchError, ImportRequest, World};
use indexmap::IndexMap;
use time::OffsetDateTime;
use url::Url;

/// Documents in memory under `mem:///name` URIs, and a fixed clock.
#[derive(Debug, Clone)]
pub struct MemWorld {
    files: IndexMap<String, Vec<u8>>,
    now: OffsetDateTime,
}

impl Default for MemWorld {
    fn default() -> Self {
        MemWorld {
            files: IndexMap::new(),
            now: OffsetDateTime::UNIX_EPOCH,
        }
    }
}

impl MemWorld {
    /// An empty world whose clock reads 1970-01-01T00:00:00Z.
    pub fn new() -> Self {
        MemWorld::default()
    }

    /// Adds a document under `mem:///name` and returns its URI.
    pub fn add(&mut self, name: &str, bytes: impl Into<Vec<u8>>) -> Url {
        let uri = Self::uri(name);
        self.files.insert(uri.to_string(), bytes.into());
        uri
    }

    /// The URI a name gets: `mem:///name`, the name percent-encoded where a URI needs it.
    pub fn uri(name: &str) -> Url {
        let mut url = base();
        url.set_path(name);
        url
    }
}

/// `mem:///`, a constant.
#[allow(clippy::expect_used)] // a constant URL; it always parses
fn base() -> Url {
    Url::parse("mem:///").expect("mem:/// is a valid URL")
}

impl World for MemWorld {
    fn fetch(&self, uri: &Url) -> Result<Vec<u8>, FetchError> {
        self.files
            .get(uri.as_str())
            .cloned()
            .ok_or_else(|| FetchError::NotFound(uri.to_string()))
    }

    /// No policies here: every document is one the test put in.
    fn fetch_import(&self, import: &ImportRequest<'_>) -> Result<Vec<u8>, FetchError> {
        self.fetch(import.uri)
    }

    fn now(&self) -> OffsetDateTime {
        self.now
    }
}
