//! Benchmarks: oscalc against the floor (parse the same inputs into a generic value and write the
//! output, no resolution), on real NIST content and on generated content. See `benches/README.md`.

#[path = "support/floor.rs"]
mod floor;
#[path = "support/gen.rs"]
mod generate;

use criterion::{BenchmarkId, Criterion, criterion_group, criterion_main};
use oscalc::{Format, FsWorld, MemWorld, Options, World, emit, resolve};
use std::hint::black_box;
use std::path::{Path, PathBuf};
use std::time::Duration;
use url::Url;

const REV4: &str = "tests/fixtures/sp800-53-rev4/nist.gov/SP800-53/rev4";
const REV5: &str = "benches/data/rev5";

fn path(rel: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join(rel)
}

fn url(p: &Path) -> Url {
    Url::from_file_path(p).expect("absolute path")
}

fn read(p: &Path) -> Vec<u8> {
    std::fs::read(p).unwrap_or_else(|e| panic!("{}: {e}", p.display()))
}

/// Resolves and emits; panics on failure so a broken bench input is loud.
fn run(world: &dyn World, profile: &Url, format: Format) -> Vec<u8> {
    let r = resolve(world, profile, &Options::default());
    let resolved = r.output.unwrap_or_else(|e| panic!("{profile}: {e:?}"));
    emit(&resolved, format)
}

/// [`run`] plus the check `oscalc resolve` makes before writing (on unless `--no-validate`).
fn run_checked(world: &dyn World, profile: &Url, format: Format) -> Vec<u8> {
    let r = resolve(world, profile, &Options::default());
    let resolved = r.output.unwrap_or_else(|e| panic!("{profile}: {e:?}"));
    let problems = oscalc::validate::output(&resolved);
    assert!(
        problems
            .iter()
            .all(|d| d.severity != oscalc::diag::Severity::Error),
        "{profile}: the output check failed: {problems:?}"
    );
    emit(&resolved, format)
}

fn try_run(world: &dyn World, profile: &Url, format: Format) -> Option<Vec<u8>> {
    let resolved = resolve(world, profile, &Options::default()).output.ok()?;
    Some(emit(&resolved, format))
}

fn config() -> Criterion {
    Criterion::default()
        .sample_size(10)
        .warm_up_time(Duration::from_millis(300))
        .measurement_time(Duration::from_secs(2))
}

/// One real baseline: `profile` and the catalog it reads, in one format.
struct Baseline {
    name: &'static str,
    profile: PathBuf,
    catalog: PathBuf,
    format: Format,
}

fn baselines() -> Vec<Baseline> {
    let b = |name, dir: &str, profile: &str, catalog: &str, format| Baseline {
        name,
        profile: path(&format!("{dir}/{profile}")),
        catalog: path(&format!("{dir}/{catalog}")),
        format,
    };
    vec![
        b(
            "rev4_high_json",
            &format!("{REV4}/json"),
            "NIST_SP-800-53_rev4_HIGH-baseline_profile.json",
            "NIST_SP-800-53_rev4_catalog.json",
            Format::Json,
        ),
        b(
            "rev4_high_xml",
            &format!("{REV4}/xml"),
            "NIST_SP-800-53_rev4_HIGH-baseline_profile.xml",
            "NIST_SP-800-53_rev4_catalog.xml",
            Format::Xml,
        ),
        b(
            "rev5_high_json",
            REV5,
            "NIST_SP-800-53_rev5_HIGH-baseline_profile.json",
            "NIST_SP-800-53_rev5_catalog.json",
            Format::Json,
        ),
        b(
            "rev5_high_xml",
            REV5,
            "NIST_SP-800-53_rev5_HIGH-baseline_profile.xml",
            "NIST_SP-800-53_rev5_catalog.xml",
            Format::Xml,
        ),
    ]
}

fn bench_load(c: &mut Criterion) {
    let mut g = c.benchmark_group("load");
    for (name, file) in [
        ("rev5_catalog_json", "NIST_SP-800-53_rev5_catalog.json"),
        ("rev5_catalog_xml", "NIST_SP-800-53_rev5_catalog.xml"),
    ] {
        let p = path(&format!("{REV5}/{file}"));
        let (bytes, uri) = (read(&p), url(&p));
        let opts = Options::default();
        let load = |b: Vec<u8>| {
            let mut sources = oscalc::source::SourceMap::default();
            oscalc::load::load(b, &uri, &mut sources, &opts).ok()
        };
        if load(bytes.clone()).is_none() {
            eprintln!("skipping load/{name}: oscalc cannot load it in this build");
            continue;
        }
        g.bench_function(name, |b| b.iter(|| black_box(load(bytes.clone()))));
    }
    // YAML beside them: the JSON catalog written as YAML by oscalc's emitter in the setup, read
    // under a `.yaml` name (the format by extension, as `oscalc` reads a `.yaml` file).
    let p = path(&format!("{REV5}/NIST_SP-800-53_rev5_catalog.json"));
    let opts = Options::default();
    let mut sources = oscalc::source::SourceMap::default();
    let loaded = oscalc::load::load(read(&p), &url(&p), &mut sources, &opts)
        .unwrap_or_else(|e| panic!("{}: {e:?}", p.display()));
    let bytes = emit(&loaded.doc, Format::Yaml);
    let uri = url(&p.with_extension("yaml"));
    let load = |b: Vec<u8>| {
        let mut sources = oscalc::source::SourceMap::default();
        oscalc::load::load(b, &uri, &mut sources, &opts).ok()
    };
    match load(bytes.clone()) {
        Some(l) if l.format == Format::Yaml => {
            g.bench_function("rev5_catalog_yaml", |b| {
                b.iter(|| black_box(load(bytes.clone())))
            });
        }
        _ => eprintln!("skipping load/rev5_catalog_yaml: oscalc cannot load it in this build"),
    }
    g.finish();
}

fn bench_baselines(c: &mut Criterion) {
    let mut g = c.benchmark_group("baseline");
    let world = FsWorld::new();
    for base in baselines() {
        let uri = url(&base.profile);
        let Some(out) = try_run(&world, &uri, base.format) else {
            eprintln!(
                "skipping baseline/{}: oscalc cannot resolve it in this build",
                base.name
            );
            continue;
        };
        let files = [base.profile.clone(), base.catalog.clone()];
        match base.format {
            Format::Json => {
                let out: serde_json::Value = serde_json::from_slice(&out).expect("own output");
                g.bench_function(BenchmarkId::new(base.name, "floor"), |b| {
                    b.iter(|| {
                        let inputs: Vec<Vec<u8>> = files.iter().map(|f| read(f)).collect();
                        black_box(floor::json(&inputs, &out))
                    })
                });
            }
            Format::Xml => {
                let out = floor::parse_xml(&out);
                g.bench_function(BenchmarkId::new(base.name, "floor"), |b| {
                    b.iter(|| {
                        let inputs: Vec<Vec<u8>> = files.iter().map(|f| read(f)).collect();
                        black_box(floor::xml(&inputs, &out))
                    })
                });
            }
            // The baselines are JSON and XML; YAML output is measured by `write`.
            Format::Yaml => {}
        }
        g.bench_function(BenchmarkId::new(base.name, "oscalc"), |b| {
            b.iter(|| black_box(run(&world, &uri, base.format)))
        });
        g.bench_function(BenchmarkId::new(base.name, "oscalc_checked"), |b| {
            b.iter(|| black_box(run_checked(&world, &uri, base.format)))
        });
    }
    g.finish();
}

fn bench_heavy(c: &mut Criterion) {
    let catalog = String::from_utf8(read(&path(&format!(
        "{REV5}/NIST_SP-800-53_rev5_catalog.json"
    ))))
    .expect("UTF-8");
    let mut world = MemWorld::new();
    world.add("catalog.json", catalog.clone());
    let uri = world.add(
        "heavy.json",
        generate::heavy_tailoring(&catalog, "catalog.json"),
    );
    let mut g = c.benchmark_group("heavy_tailoring");
    g.bench_function("rev5_json", |b| {
        b.iter(|| black_box(run(&world, &uri, Format::Json)))
    });
    g.finish();
}

fn bench_synthetic(c: &mut Criterion) {
    let mut g = c.benchmark_group("synthetic");
    for n in [1_000, 10_000, 100_000] {
        let mut world = MemWorld::new();
        world.add("catalog.json", generate::catalog(n));
        let all = world.add("all.json", generate::include_all("catalog.json"));
        let ids = world.add("ids.json", generate::with_ids("catalog.json", n));
        g.bench_function(BenchmarkId::new("include_all", n), |b| {
            b.iter(|| black_box(run(&world, &all, Format::Json)))
        });
        g.bench_function(BenchmarkId::new("with_ids", n), |b| {
            b.iter(|| black_box(run(&world, &ids, Format::Json)))
        });
    }
    g.finish();
}

fn bench_chains(c: &mut Criterion) {
    let mut g = c.benchmark_group("chain");
    for depth in [1, 8, 64] {
        let mut world = MemWorld::new();
        world.add("catalog.json", generate::catalog(1_000));
        let mut last = None;
        for (name, text) in generate::chain("catalog.json", depth) {
            last = Some(world.add(&name, text));
        }
        let uri = last.expect("depth ≥ 1");
        g.bench_function(BenchmarkId::from_parameter(depth), |b| {
            b.iter(|| black_box(run(&world, &uri, Format::Json)))
        });
    }
    g.finish();
}

/// Writing the loaded rev5 catalog (markup read from JSON, so Markdown) in each format, into
/// memory: the writers alone, no resolution and no check.
fn bench_write(c: &mut Criterion) {
    let p = path(&format!("{REV5}/NIST_SP-800-53_rev5_catalog.json"));
    let mut sources = oscalc::source::SourceMap::default();
    let loaded = oscalc::load::load(read(&p), &url(&p), &mut sources, &Options::default())
        .unwrap_or_else(|e| panic!("{}: {e:?}", p.display()));
    let mut g = c.benchmark_group("write");
    for (name, format) in [
        ("rev5_catalog_json", Format::Json),
        ("rev5_catalog_yaml", Format::Yaml),
        ("rev5_catalog_xml", Format::Xml),
    ] {
        g.bench_function(name, |b| {
            b.iter(|| {
                let mut out = Vec::with_capacity(16 << 20);
                oscalc::emit::write_to(&loaded.doc, format, &mut out).expect("written");
                black_box(out)
            })
        });
    }
    g.finish();
}

/// OSCAL's constraint layer on the rev5 catalog: the 92 builtin constraints over the whole
/// document (its compact JSON form built first, as `validate` does), beside the JSON schema
/// check `validate` runs on the JSON value, and the whole of `validate` through the library.
fn bench_constraints(c: &mut Criterion) {
    let p = path(&format!("{REV5}/NIST_SP-800-53_rev5_catalog.json"));
    let mut sources = oscalc::source::SourceMap::default();
    let loaded = oscalc::load::load(read(&p), &url(&p), &mut sources, &Options::default())
        .unwrap_or_else(|e| panic!("{}: {e:?}", p.display()));
    let value = emit::json_value(&loaded.doc);
    let found = oscalc::check::constraints::findings(&emit::check_doc(&loaded.doc), &[]);
    // NIST's deprecated `depends-on` (62) and three citation-only resources: a real workload.
    assert_eq!(found.len(), 65, "{found:?}");
    let mut g = c.benchmark_group("constraints");
    g.bench_function("rev5_catalog_constraints", |b| {
        b.iter(|| {
            let doc = emit::check_doc(&loaded.doc);
            black_box(oscalc::check::constraints::findings(&doc, &[]))
        })
    });
    g.bench_function("rev5_catalog_schema", |b| {
        b.iter(|| black_box(oscalc::check::schema::check(&value, None)))
    });
    let world = FsWorld::new();
    let uri = url(&p);
    g.bench_function("rev5_catalog_validate", |b| {
        b.iter(|| black_box(oscalc::validate(&world, &uri, &Options::default())))
    });
    g.finish();
}

criterion_group! {
    name = benches;
    config = config();
    targets = bench_load, bench_baselines, bench_heavy, bench_synthetic, bench_chains, bench_write,
        bench_constraints
}
criterion_main!(benches);
