//! Options of a run: the switches on the specification's open points (D1–D6, listed in the
//! README's "Decisions on the specification's open points"), limits and identity. The CLI turns
//! its flags into one `Options`; the library reads nothing else.

use time::OffsetDateTime;

/// The default for [`Options::max_depth`], also the nesting the XML writer keeps its output to,
/// so that oscalc reads back what it writes.
pub const DEFAULT_MAX_DEPTH: usize = 256;

/// D1: what happens to the ancestors of an included child control.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum ParentControls {
    /// Ancestors come along (with title, params, props, parts; only selected children).
    #[default]
    Include,
    /// Children of unselected parents move up to the parent's place (the NIST XSLT's behaviour).
    Uplevel,
}

/// D2: nesting under `flat`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum FlatMode {
    /// A control stays inside its included parent; others are top level.
    #[default]
    KeepNesting,
    /// Every control top level, in document order.
    Strict,
}

/// D3: an add whose `by-id` is the altered control itself.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum ByIdSelf {
    /// Treat as an implicit add, with a warning.
    #[default]
    Implicit,
    /// Spec-literal: ignore, with a warning.
    Ignore,
}

/// D4: how props of a set-parameter meet existing props.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum SetParamProps {
    /// Append; a prop with an existing prop's uuid replaces it.
    #[default]
    Append,
    /// A prop with the same name and ns replaces the existing one.
    ByName,
}

/// D6: what the deprecated combine method `merge` does.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum CombineMerge {
    /// As `use-first`, with a warning.
    #[default]
    UseFirst,
    /// As `keep`, with a warning.
    Keep,
    /// An error.
    Error,
}

/// Whether the resolver records where each control, parameter value and altered part came from
/// (`resolve --provenance`, `--provenance-out`; `resolve::provenance`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Provenance {
    /// Nothing recorded.
    #[default]
    Off,
    /// Recorded as props in oscalc's provenance namespace, kept in the output.
    Props,
    /// Recorded as the same props, for the caller to take out with
    /// `resolve::provenance::take` (a sidecar file): the reproducible uuid is that of a run
    /// without provenance, as the output is once they are taken out.
    Taken,
}

/// How output identity (uuid, last-modified) is chosen.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub enum Identity {
    /// A fresh v4 uuid and the world's clock (req-meta-uuid, req-meta-last-modified).
    #[default]
    Fresh,
    /// A v5 uuid over the inputs and options; the given time, else the newest input
    /// `last-modified`.
    Reproducible(Option<OffsetDateTime>),
}

/// Everything that steers a run: the decided ambiguities (D1-D6), the limits on hostile input,
/// output identity, the schema checks and the lint levels. `Options::default()` is what the CLI
/// gives without flags; change a field with struct update syntax.
///
/// ```
/// use oscalc::options::Identity;
/// use oscalc::{Format, MemWorld, Options, emit, resolve};
///
/// # let mut world = MemWorld::new();
/// # world.add("cat.json", r#"{"catalog": {
/// #   "uuid": "8bd5f2a4-6a6b-4f7c-9a43-2b4f7cbbd7a4",
/// #   "metadata": {"title": "Catalog", "last-modified": "2024-01-01T00:00:00Z",
/// #                "version": "1", "oscal-version": "1.2.3"},
/// #   "controls": [{"id": "c1", "title": "One"}, {"id": "c2", "title": "Two"}]
/// # }}"#);
/// // p.json includes both controls of cat.json; it was last modified on 2024-05-01.
/// # let profile = world.add("p.json", r#"{"profile": {
/// #   "uuid": "1bd5f2a4-6a6b-4f7c-9a43-2b4f7cbbd7a4",
/// #   "metadata": {"title": "Baseline", "last-modified": "2024-05-01T00:00:00Z",
/// #                "version": "1", "oscal-version": "1.2.3"},
/// #   "imports": [{"href": "cat.json", "include-all": {}}]
/// # }}"#);
/// // --reproducible: a v5 uuid over the inputs, and the newest input's last-modified instead of
/// // the clock, so two runs give the same bytes.
/// let opts = Options { identity: Identity::Reproducible(None), ..Options::default() };
/// let first = resolve(&world, &profile, &opts).output.unwrap();
/// let again = resolve(&world, &profile, &opts).output.unwrap();
/// assert_eq!(emit(&first, Format::Json), emit(&again, Format::Json));
/// assert_eq!(first.catalog.uuid.to_string(), again.catalog.uuid.to_string());
/// assert_eq!(first.catalog.metadata.last_modified.to_string(), "2024-05-01T00:00:00Z");
///
/// // --max-controls 1: a limit on hostile input, refused before the controls are built.
/// let opts = Options { max_controls: 1, ..Options::default() };
/// let errors = resolve(&world, &profile, &opts).output.unwrap_err();
/// assert_eq!(errors[0].code, "resolve-limit");
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Options {
    /// D1.
    pub parent_controls: ParentControls,
    /// D2.
    pub flat: FlatMode,
    /// D3.
    pub by_id_self: ByIdSelf,
    /// D4.
    pub set_param_props: SetParamProps,
    /// D6.
    pub combine_merge: CombineMerge,
    /// Keep unreferenced loose params and resources.
    pub no_prune: bool,
    /// Identity of the output.
    pub identity: Identity,
    /// Largest input file, in bytes.
    pub max_file_size: u64,
    /// Most documents in one import graph.
    pub max_documents: usize,
    /// Deepest import chain.
    pub max_import_depth: usize,
    /// Deepest element/value nesting.
    pub max_depth: usize,
    /// Most controls one profile may resolve to (counting every copy `combine keep` makes),
    /// checked before a selection or merge builds them: imports that double at each level grow
    /// exponentially.
    pub max_controls: usize,
    /// The output link to the source profile (`rel="source-profile"`); `None`: the profile's URI
    /// as given.
    pub source_profile_href: Option<String>,
    /// Check the resolved catalog (schema and references) before it is written; an invalid
    /// output is an error, not a file.
    pub validate_output: bool,
    /// Check every document of the import graph against the OSCAL schema before resolving; a
    /// violation is an error (the schema points the resolution specification overrides excepted).
    pub validate_input: bool,
    /// Warnings denied or allowed (`--deny-warnings`, `--deny CODE`, `--allow CODE`).
    pub lints: crate::diag::LintLevels,
    /// Record provenance props (off by default).
    pub provenance: Provenance,
    /// Constraint sets beyond OSCAL's own (`--constraints FILE`), applied by `validate` and by
    /// the checks of a resolution as OSCAL's are.
    pub constraints: Vec<std::sync::Arc<crate::metaschema::MetaConstraints>>,
}

impl Default for Options {
    fn default() -> Self {
        Options {
            parent_controls: ParentControls::default(),
            flat: FlatMode::default(),
            by_id_self: ByIdSelf::default(),
            set_param_props: SetParamProps::default(),
            combine_merge: CombineMerge::default(),
            no_prune: false,
            identity: Identity::default(),
            max_file_size: 256 * 1024 * 1024,
            max_documents: 1000,
            max_import_depth: 64,
            max_depth: DEFAULT_MAX_DEPTH,
            max_controls: 1_000_000,
            source_profile_href: None,
            validate_output: true,
            validate_input: true,
            lints: crate::diag::LintLevels::default(),
            provenance: Provenance::Off,
            constraints: Vec::new(),
        }
    }
}
