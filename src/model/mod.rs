//! The OSCAL catalog and profile models (OSCAL 1.2.3), as typed structs.
//!
//! Field order follows the schema, so JSON key order and XML element order come out canonical by
//! construction (req-reorder). The structs read and write the OSCAL JSON form; XML goes through the
//! same form (`crate::xml`). No logic lives here beyond small accessors.

pub mod catalog;
pub mod common;
pub mod markup;
pub mod profile;
pub mod visit;

pub use catalog::{BackMatter, Catalog, Control, Group, Metadata, Resource, Rlink};
pub use common::{Link, Markup, MarkupLine, MarkupMultiline, Parameter, Part, Property};
pub use profile::{
    Add, Alter, Combine, CombineMethod, Directive, Import, InsertControls, Matching, Merge, Modify,
    Order, Position, Profile, ProfileGroup, Remove, SelectControls, SetParameter, YesNo,
};

/// A resolved profile: the flattened catalog `resolve` gives and `check::output` and `emit`
/// take. Here, below all three, so that neither checking nor writing depends on the resolver.
#[derive(Debug, Clone, PartialEq)]
pub struct ResolvedCatalog {
    /// The resolved-profile catalog.
    pub catalog: Catalog,
    /// The sources of the documents it was resolved from (the profile first), for checks that
    /// compare the output with its inputs; empty when not known.
    pub inputs: Vec<crate::diag::SourceId>,
    /// The inputs' constraint findings, once computed (see [`InputFindings`]).
    pub input_findings: InputFindings,
}

impl From<Catalog> for ResolvedCatalog {
    /// A resolved catalog whose inputs are not known (built or read elsewhere).
    fn from(catalog: Catalog) -> Self {
        ResolvedCatalog {
            catalog,
            inputs: Vec::new(),
            input_findings: InputFindings::default(),
        }
    }
}

/// The constraint findings of a resolution's inputs, each as its fingerprint and a diagnostic
/// located in its input, computed once by whoever asks first: a thread the resolution started
/// beside itself, or the output's check. Shared by clones; not part of a catalog's content, so
/// any two compare equal.
#[derive(Debug, Clone, Default)]
pub struct InputFindings(InputCell);

/// Where [`InputFindings`] are kept.
pub type InputCell = std::sync::Arc<std::sync::OnceLock<Vec<(String, crate::diag::Diagnostic)>>>;

impl InputFindings {
    /// Findings to be computed into `cell` (which another thread may be filling).
    pub fn new(cell: InputCell) -> Self {
        InputFindings(cell)
    }

    /// The findings: computed by `compute` unless they have been or are being computed (then
    /// they are waited for).
    pub fn get_or_init(
        &self,
        compute: impl FnOnce() -> Vec<(String, crate::diag::Diagnostic)>,
    ) -> &[(String, crate::diag::Diagnostic)] {
        self.0.get_or_init(compute)
    }
}

impl PartialEq for InputFindings {
    fn eq(&self, _: &Self) -> bool {
        true
    }
}

/// A serialization format.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Format {
    /// OSCAL JSON.
    Json,
    /// OSCAL XML.
    Xml,
    /// OSCAL YAML: the JSON model written as YAML (same keys, Markdown prose).
    Yaml,
}

impl Format {
    /// The format a file name's extension suggests.
    pub fn from_extension(name: &str) -> Option<Format> {
        let lower = name.to_ascii_lowercase();
        if lower.ends_with(".json") {
            Some(Format::Json)
        } else if lower.ends_with(".xml") {
            Some(Format::Xml)
        } else if lower.ends_with(".yaml") || lower.ends_with(".yml") {
            Some(Format::Yaml)
        } else {
            None
        }
    }
}

/// A loaded OSCAL document: the two models a profile can import.
#[derive(Debug, Clone, PartialEq)]
pub enum Document {
    /// A catalog (`{"catalog": …}`).
    Catalog(Catalog),
    /// A profile (`{"profile": …}`).
    Profile(Profile),
}

/// Reads a list and gives back the capacity it grew into: deserializers know no length ahead,
/// so a list of one item would keep room for four, and most lists of a catalog are that short.
/// Shrinking in place is cheap; the loaded model is what a resolution holds longest.
pub(crate) fn compact<'de, D, T>(d: D) -> Result<Vec<T>, D::Error>
where
    D: serde::Deserializer<'de>,
    T: serde::Deserialize<'de>,
{
    let mut v = <Vec<T> as serde::Deserialize>::deserialize(d)?;
    v.shrink_to_fit();
    Ok(v)
}
