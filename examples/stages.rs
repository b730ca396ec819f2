//! Times each stage of one resolution, in process: `cargo run --release --example stages --
//! PROFILE [CATALOG]`. Prints resolve (load included), the output check (on the typed
//! catalog, as `oscalc resolve` runs it), and emitting in the profile's format; with CATALOG, also loading it alone.
//! Three rounds each, so the first (cold) can be told apart. A development aid; the figures the
//! README reports come from `cargo bench --bench resolve` and `scripts/bench-process.sh`.

use oscalc::{Format, FsWorld, Options, emit, resolve};
use std::time::Instant;
use url::Url;

fn url(p: &str) -> Url {
    let path = std::path::Path::new(p)
        .canonicalize()
        .unwrap_or_else(|e| panic!("{p}: {e}"));
    Url::from_file_path(&path).unwrap_or_else(|()| panic!("{p}: not a file path"))
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let Some(profile) = args.first() else {
        eprintln!("usage: stages PROFILE [CATALOG]");
        std::process::exit(2);
    };
    let uri = url(profile);
    let format = if profile.ends_with(".xml") {
        Format::Xml
    } else {
        Format::Json
    };
    let world = FsWorld::new();
    for _ in 0..3 {
        let t = Instant::now();
        let resolved = match resolve(&world, &uri, &Options::default()).output {
            Ok(r) => r,
            Err(e) => panic!("{profile}: {e:?}"),
        };
        let t_resolve = t.elapsed();
        let problems = oscalc::validate::output(&resolved);
        let t_check = t.elapsed();
        let out = emit(&resolved, format);
        let t_emit = t.elapsed();
        println!(
            "resolve {:.1?}  check {:.1?}  emit {:.1?}  ({} bytes, {} problems)",
            t_resolve,
            t_check - t_resolve,
            t_emit - t_check,
            out.len(),
            problems.len()
        );
    }
    if let Some(catalog) = args.get(1) {
        let curi = url(catalog);
        let bytes = std::fs::read(catalog).unwrap_or_else(|e| panic!("{catalog}: {e}"));
        for _ in 0..3 {
            let t = Instant::now();
            let mut sources = oscalc::source::SourceMap::default();
            let doc = oscalc::load::load(bytes.clone(), &curi, &mut sources, &Options::default());
            println!("load catalog {:.1?} (ok: {})", t.elapsed(), doc.is_ok());
        }
    }
}
