//! The switches on the specification's open points (D1–D4, D6; the README's "Decisions on the
//! specification's open points"): one flag each, a value enum each, absent = the decided default.
//! In: the flags of `resolve` and `validate` (which resolves the profiles a profile imports, so
//! the same switches steer it). Out: the matching fields of [`Options`]; the library decides.

use clap::ValueEnum;
use oscalc::options::{ByIdSelf, CombineMerge, FlatMode, Options, ParentControls, SetParamProps};

/// The decision switches, flattened into the flags every command takes.
#[derive(Debug, Default, clap::Args)]
pub struct Switches {
    /// D2, req-merge-flat-list-1: under `flat`, `nested` keeps a control inside its included
    /// parent; `strict` puts every control top level, in document order [default: nested].
    #[arg(long, value_enum, value_name = "MODE", help_heading = "Decisions")]
    flat: Option<Flat>,
    /// D1, import-nested: the ancestors of an included child control are `include`d, or its
    /// children move up in their place (`uplevel`, NIST's XSLT) [default: include].
    #[arg(long, value_enum, value_name = "MODE", help_heading = "Decisions")]
    parent_controls: Option<Parent>,
    /// D3, req-modify-alter-add-explicit-id: an add whose by-id is the altered control itself is an
    /// `implicit` add to it, or `ignore`d (spec-literal); warned either way [default: implicit].
    #[arg(long, value_enum, value_name = "MODE", help_heading = "Decisions")]
    by_id_self: Option<SelfAdd>,
    /// D4, req-modify-set-param-objects3: a set-parameter's props `append` (same uuid replaces), or
    /// replace the prop of the same name and ns (`by-name`) [default: append].
    #[arg(long, value_enum, value_name = "MODE", help_heading = "Decisions")]
    set_param_props: Option<ParamProps>,
    /// D6, req-merge-combine: the deprecated combine method `merge` acts as `use-first` or
    /// `keep` (with a warning), or is an `error` [default: use-first].
    #[arg(long, value_enum, value_name = "MODE", help_heading = "Decisions")]
    combine_merge: Option<Combine>,
}

impl Switches {
    /// Sets the fields of `opts` these flags name; an absent flag leaves the default.
    pub fn apply(&self, opts: &mut Options) {
        if let Some(f) = self.flat {
            opts.flat = match f {
                Flat::Nested => FlatMode::KeepNesting,
                Flat::Strict => FlatMode::Strict,
            };
        }
        if let Some(p) = self.parent_controls {
            opts.parent_controls = match p {
                Parent::Include => ParentControls::Include,
                Parent::Uplevel => ParentControls::Uplevel,
            };
        }
        if let Some(s) = self.by_id_self {
            opts.by_id_self = match s {
                SelfAdd::Implicit => ByIdSelf::Implicit,
                SelfAdd::Ignore => ByIdSelf::Ignore,
            };
        }
        if let Some(p) = self.set_param_props {
            opts.set_param_props = match p {
                ParamProps::Append => SetParamProps::Append,
                ParamProps::ByName => SetParamProps::ByName,
            };
        }
        if let Some(c) = self.combine_merge {
            opts.combine_merge = match c {
                Combine::UseFirst => CombineMerge::UseFirst,
                Combine::Keep => CombineMerge::Keep,
                Combine::Error => CombineMerge::Error,
            };
        }
    }
}

/// `--flat` (D2).
#[derive(Debug, Clone, Copy, ValueEnum)]
enum Flat {
    Nested,
    Strict,
}

/// `--parent-controls` (D1).
#[derive(Debug, Clone, Copy, ValueEnum)]
enum Parent {
    Include,
    Uplevel,
}

/// `--by-id-self` (D3).
#[derive(Debug, Clone, Copy, ValueEnum)]
enum SelfAdd {
    Implicit,
    Ignore,
}

/// `--set-param-props` (D4).
#[derive(Debug, Clone, Copy, ValueEnum)]
enum ParamProps {
    Append,
    ByName,
}

/// `--combine-merge` (D6).
#[derive(Debug, Clone, Copy, ValueEnum)]
enum Combine {
    UseFirst,
    Keep,
    Error,
}
