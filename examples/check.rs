//! Times the output check of one resolution, in process: `cargo run --release --example check --
//! PROFILE`. Prints resolve (load included), then the check on the typed catalog
//! (`validate::output`) and, for comparison, building the whole JSON value and checking that
//! (`validate::schema::check` and `validate::refs::check`, as before the typed check). Three rounds each, so the first (cold, schema compiled) can be told
//! apart, then the mean of 20 runs of each. `check PROFILE typed` runs only the typed check, 100
//! times, for a profiler. A development aid next to `stages`.

use oscalc::{FsWorld, Options, resolve, validate};
use std::time::Instant;
use url::Url;

fn url(p: &str) -> Url {
    let path = std::path::Path::new(p)
        .canonicalize()
        .unwrap_or_else(|e| panic!("{p}: {e}"));
    Url::from_file_path(&path).unwrap_or_else(|()| panic!("{p}: not a file path"))
}

/// The schema and reference checks on the whole JSON form at once.
fn whole(value: &serde_json::Value) -> Vec<oscalc::Diagnostic> {
    let mut out = validate::schema::check(value, None);
    out.extend(validate::refs::check(value, None, &[]));
    out
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let Some(profile) = args.first() else {
        eprintln!("usage: check PROFILE");
        std::process::exit(2);
    };
    let uri = url(profile);
    let world = FsWorld::new();
    for _ in 0..5 {
        let t = Instant::now();
        let resolved = match resolve(&world, &uri, &Options::default()).output {
            Ok(r) => r,
            Err(e) => panic!("{profile}: {e:?}"),
        };
        let t_resolve = t.elapsed();
        let value = oscalc::emit::json_value(&resolved);
        let t_value0 = t.elapsed();
        drop(value);
        let typed = validate::output(&resolved);
        let t_typed = t.elapsed() - (t_value0 - t_resolve);
        let t0 = t.elapsed();
        let value = oscalc::emit::json_value(&resolved);
        let t_value = t.elapsed();
        let whole = whole(&value);
        let t_whole = t.elapsed();
        println!(
            "resolve {:.1?}  check typed {:.1?} ({} problems)  json value {:.1?} + check value {:.1?} ({} problems)",
            t_resolve,
            t_typed - t_resolve,
            typed.len(),
            t_value - t0,
            t_whole - t_value,
            whole.len()
        );
    }
    let resolved = match resolve(&world, &uri, &Options::default()).output {
        Ok(r) => r,
        Err(e) => panic!("{profile}: {e:?}"),
    };
    if args.get(1).is_some_and(|a| a == "typed") {
        // Only the typed check, for a profiler.
        for _ in 0..100 {
            validate::output(&resolved);
        }
        return;
    }
    let n = 20;
    let t = Instant::now();
    for _ in 0..n {
        validate::output(&resolved);
    }
    let typed = t.elapsed() / n;
    let t = Instant::now();
    for _ in 0..n {
        whole(&oscalc::emit::json_value(&resolved));
    }
    let whole = t.elapsed() / n;
    let t = Instant::now();
    for _ in 0..n {
        let v = oscalc::emit::json_value(&resolved);
        validate::refs::check(&v, None, &[]);
    }
    let refs = t.elapsed() / n;
    println!(
        "mean of {n}: check typed {typed:.1?}  json value + check value {whole:.1?}  (json value + refs alone {refs:.1?})"
    );
}
