//! The switches on the specification's open points (D1–D4, D6; the README's "Decisions on the
//! specification's open points"): one flag each, a value enum each, absent = the decided default.
//! In: the flags of `resolve` and `validate` (which resolves the profiles a profile imports, so
//! the same switches steer it). Out: the matching fields of [`Options`]; the library decides.

use clap::builder::{PossibleValuesParser, TypedValueParser};
use oscalc::options::{ByIdSelf, CombineMerge, FlatMode, Options, ParentControls, SetParamProps};

/// The decision switches, flattened into the flags every command takes.
#[derive(Debug, Default, clap::Args)]
pub struct Switches {
    /// D2, req-merge-flat-list-1: under `flat`, `nested` keeps a control inside its included
    /// parent; `strict` puts every control top level, in document order [default: nested].
    #[arg(long, value_name = "MODE", help_heading = "Decisions", value_parser = one_of([
        ("nested", FlatMode::KeepNesting),
        ("strict", FlatMode::Strict),
    ]))]
    flat: Option<FlatMode>,
    /// D1, import-nested: the ancestors of an included child control are `include`d, or its
    /// children move up in their place (`uplevel`, NIST's XSLT) [default: include].
    #[arg(long, value_name = "MODE", help_heading = "Decisions", value_parser = one_of([
        ("include", ParentControls::Include),
        ("uplevel", ParentControls::Uplevel),
    ]))]
    parent_controls: Option<ParentControls>,
    /// D3, req-modify-alter-add-explicit-id: an add whose by-id is the altered control itself is an
    /// `implicit` add to it, or `ignore`d (spec-literal); warned either way [default: implicit].
    #[arg(long, value_name = "MODE", help_heading = "Decisions", value_parser = one_of([
        ("implicit", ByIdSelf::Implicit),
        ("ignore", ByIdSelf::Ignore),
    ]))]
    by_id_self: Option<ByIdSelf>,
    /// D4, req-modify-set-param-objects3: a set-parameter's props `append` (same uuid replaces), or
    /// replace the prop of the same name and ns (`by-name`) [default: append].
    #[arg(long, value_name = "MODE", help_heading = "Decisions", value_parser = one_of([
        ("append", SetParamProps::Append),
        ("by-name", SetParamProps::ByName),
    ]))]
    set_param_props: Option<SetParamProps>,
    /// D6, req-merge-combine: the deprecated combine method `merge` acts as `use-first` or
    /// `keep` (with a warning), or is an `error` [default: use-first].
    #[arg(long, value_name = "MODE", help_heading = "Decisions", value_parser = one_of([
        ("use-first", CombineMerge::UseFirst),
        ("keep", CombineMerge::Keep),
        ("error", CombineMerge::Error),
    ]))]
    combine_merge: Option<CombineMerge>,
}

/// A flag's values: each name and the library's option it stands for (a name the flag takes
/// with `ignore_case` matches in any case).
pub(super) fn one_of<T: Copy + Send + Sync + 'static, const N: usize>(
    table: [(&'static str, T); N],
) -> impl TypedValueParser<Value = T> {
    PossibleValuesParser::new(table.map(|(name, _)| name)).try_map(move |given| {
        let found = table
            .iter()
            .find(|(name, _)| name.eq_ignore_ascii_case(&given));
        // Unreachable: the possible values above checked the name.
        found.map(|&(_, v)| v).ok_or("not a possible value")
    })
}

impl Switches {
    /// Sets the fields of `opts` these flags name; an absent flag leaves the default.
    pub fn apply(&self, opts: &mut Options) {
        opts.flat = self.flat.unwrap_or(opts.flat);
        opts.parent_controls = self.parent_controls.unwrap_or(opts.parent_controls);
        opts.by_id_self = self.by_id_self.unwrap_or(opts.by_id_self);
        opts.set_param_props = self.set_param_props.unwrap_or(opts.set_param_props);
        opts.combine_merge = self.combine_merge.unwrap_or(opts.combine_merge);
    }
}
