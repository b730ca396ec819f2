//! An in-memory world for tests, doctests and fuzzing.

use super::{FetchError, ImportRequest, World};
use indexmap::IndexMap;
use time::OffsetDateTime;
use url::Url;

/// Documents in memory under `mem:///name` URIs, and a fixed clock. Hrefs resolve against these
/// URIs as against files (`../cat.json` from `mem:///profiles/p.json` is `mem:///cat.json`); every
/// document it holds may be imported (no policies), and nothing else can be read.
///
/// ```
/// use oscalc::{Format, MemWorld, Options, World, emit, resolve};
///
/// let mut world = MemWorld::new();
/// let cat = world.add("cat.json", r#"{"catalog": {
///   "uuid": "8bd5f2a4-6a6b-4f7c-9a43-2b4f7cbbd7a4",
///   "metadata": {"title": "Catalog", "last-modified": "2024-01-01T00:00:00Z",
///                "version": "1", "oscal-version": "1.2.3"},
///   "controls": [{"id": "c1", "title": "One"}, {"id": "c2", "title": "Two"}]
/// }}"#);
/// assert_eq!(cat.as_str(), "mem:///cat.json");
/// let profile = world.add("profiles/p.json", r#"{"profile": {
///   "uuid": "1bd5f2a4-6a6b-4f7c-9a43-2b4f7cbbd7a4",
///   "metadata": {"title": "P", "last-modified": "2024-01-01T00:00:00Z",
///                "version": "1", "oscal-version": "1.2.3"},
///   "imports": [{"href": "../cat.json", "include-controls": [{"with-ids": ["c2"]}]}]
/// }}"#);
/// assert_eq!(world.now(), time::OffsetDateTime::UNIX_EPOCH);
///
/// let resolved = resolve(&world, &profile, &Options::default()).output.unwrap();
/// assert_eq!(resolved.catalog.controls.len(), 1);
/// assert_eq!(resolved.catalog.controls[0].id.to_string(), "c2");
/// // The output's last-modified is the world's clock: every run of a test gives the same date.
/// let json = String::from_utf8(emit(&resolved, Format::Json))?;
/// assert!(json.contains(r#""last-modified": "1970-01-01T00:00:00Z""#));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone, Default)]
pub struct MemWorld {
    files: IndexMap<String, Vec<u8>>,
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
        #[allow(clippy::expect_used)] // a constant URL; it always parses
        let mut url = Url::parse("mem:///").expect("mem:/// is a valid URL");
        url.set_path(name);
        url
    }
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
        OffsetDateTime::UNIX_EPOCH
    }
}
