//! The `[options]` table of a case folder's `case.toml`: the decision switches (D1–D4, D6) a case
//! resolves with, spelt as the CLI's flags and values (`flat = "strict"` is `--flat strict`).
//! In: the table. Out: [`Options`], the defaults for every key not given.

use oscalc::Options;
use oscalc::options::{ByIdSelf, CombineMerge, FlatMode, ParentControls, SetParamProps};

/// The options of `case.toml`'s `[options]` table (absent: the defaults); an unknown key or
/// value is an error, so a misspelt switch cannot leave a case on the default unnoticed.
pub fn from_case(spec: &toml::Table) -> Result<Options, String> {
    let mut opts = Options::default();
    let Some(table) = spec.get("options") else {
        return Ok(opts);
    };
    let table = table
        .as_table()
        .ok_or("case.toml: `options` is not a table")?;
    for (key, value) in table {
        let value = value
            .as_str()
            .ok_or(format!("case.toml: options.{key} is not a string"))?;
        let bad = || format!("case.toml: options.{key} = {value:?} is not a value of --{key}");
        match key.as_str() {
            "flat" => {
                opts.flat = match value {
                    "nested" => FlatMode::KeepNesting,
                    "strict" => FlatMode::Strict,
                    _ => return Err(bad()),
                }
            }
            "parent-controls" => {
                opts.parent_controls = match value {
                    "include" => ParentControls::Include,
                    "uplevel" => ParentControls::Uplevel,
                    _ => return Err(bad()),
                }
            }
            "by-id-self" => {
                opts.by_id_self = match value {
                    "implicit" => ByIdSelf::Implicit,
                    "ignore" => ByIdSelf::Ignore,
                    _ => return Err(bad()),
                }
            }
            "set-param-props" => {
                opts.set_param_props = match value {
                    "append" => SetParamProps::Append,
                    "by-name" => SetParamProps::ByName,
                    _ => return Err(bad()),
                }
            }
            "combine-merge" => {
                opts.combine_merge = match value {
                    "use-first" => CombineMerge::UseFirst,
                    "keep" => CombineMerge::Keep,
                    "error" => CombineMerge::Error,
                    _ => return Err(bad()),
                }
            }
            _ => return Err(format!("case.toml: unknown option `{key}`")),
        }
    }
    Ok(opts)
}
