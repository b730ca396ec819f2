//! The import flags `resolve` and `validate` share (`--map`, `--root`, `--allow-remote`,
//! `--timeout`), and the one conversion of them into the [`FsWorld`] both commands read through.

use oscalc::world::FsWorld;
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Duration;

/// What imports may read.
#[derive(Debug, Clone, clap::Args)]
pub(super) struct ImportArgs {
    /// Read imports whose href is PREFIX, or starts with PREFIX, from TARGET: the file itself for
    /// an exact match, else the rest of the href under the folder TARGET (repeatable). PREFIX is
    /// matched against the href as written and against the URI it resolves to.
    #[arg(long = "map", value_name = "PREFIX=TARGET")]
    pub maps: Vec<String>,
    /// Read local imports only inside this folder tree (repeatable; --map targets count too).
    /// Without it, any local file an import names may be read.
    #[arg(long = "root", value_name = "DIR")]
    pub roots: Vec<PathBuf>,
    /// Allow http(s) imports (a remote document may then import only http(s)).
    #[arg(long)]
    pub allow_remote: bool,
    /// Seconds to wait to connect to a server and for each read (a whole fetch: ten times it).
    #[arg(long, value_name = "SECS", default_value_t = 30,
          value_parser = clap::value_parser!(u64).range(1..=86_400))]
    pub timeout: u64,
}

/// The world of a run: the import flags, and the size limit of `--max-file-size`. A bad `--map`
/// or `--root` is a usage error (exit 2), printed here.
pub(super) fn world(args: &ImportArgs, max_file_size: Option<u64>) -> Result<FsWorld, ExitCode> {
    build(args, max_file_size).map_err(|e| {
        eprintln!("error: {e}");
        ExitCode::from(2)
    })
}

fn build(args: &ImportArgs, max_file_size: Option<u64>) -> Result<FsWorld, String> {
    let mut world = FsWorld::new()
        .with_remote(args.allow_remote)
        .with_timeout(Duration::from_secs(args.timeout));
    if let Some(n) = max_file_size {
        world = world.with_max_file_size(n);
    }
    for m in &args.maps {
        let Some((prefix, target)) = m.split_once('=') else {
            return Err(format!("--map takes PREFIX=TARGET, got `{m}`"));
        };
        world = world.with_map(prefix, target).map_err(|e| e.to_string())?;
    }
    for root in &args.roots {
        world = world.with_root(root).map_err(|e| e.to_string())?;
    }
    Ok(world)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn args(maps: &[&str]) -> ImportArgs {
        ImportArgs {
            maps: maps.iter().map(|m| (*m).to_owned()).collect(),
            roots: Vec::new(),
            allow_remote: false,
            timeout: 30,
        }
    }

    #[test]
    fn a_map_without_equals_or_with_an_empty_prefix_is_a_usage_error() {
        assert_eq!(
            build(&args(&["nothing"]), None).err().as_deref(),
            Some("--map takes PREFIX=TARGET, got `nothing`")
        );
        let e = build(&args(&["=."]), None).err().unwrap_or_default();
        assert!(e.contains("prefix of --map `=.` is empty"), "{e}");
        assert!(build(&args(&["https://x/=."]), None).is_ok());
    }
}
