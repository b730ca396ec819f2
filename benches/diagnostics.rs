//! Benchmark: rendering diagnostics on a large document, the cost that grew with the document
//! times the diagnostic count before positions were indexed and quotes windowed. 5,000
//! diagnostics (each with a label) located by JSON pointer in a generated multi-MB catalog, once
//! pretty-printed and once on a single line, rendered in `short` and `human`, every one printed
//! (`--max-per-code all`). Each iteration starts from a fresh source map, so building the
//! indexes is part of the measure. See `benches/README.md`.
//!
//! The renderer belongs to the `oscalc` binary, which a bench cannot link to: the module's
//! source is compiled into the bench instead (it uses the library only through `oscalc::`).

// The bench calls a few of the renderer's items (the command uses the rest), and its unit
// tests, whose imports are then unused, run with the binary's.
#[allow(dead_code, unused_imports)]
#[path = "../src/cli/diagnostics.rs"]
mod diagnostics;

use criterion::{BatchSize, BenchmarkId, Criterion, criterion_group, criterion_main};
use diagnostics::{ErrorFormat, Reporter};
use oscalc::diag::{Diagnostic, SourceId, Span};
use oscalc::source::{Source, SourceIndex, SourceMap, XmlPositions};
use serde_json::{Value, json};
use std::hint::black_box;
use std::sync::Arc;
use std::time::Duration;

const CONTROLS: usize = 5_000;

/// A catalog of `CONTROLS` controls with parameters and statement parts (a few MB).
fn catalog() -> Value {
    let controls: Vec<Value> = (0..CONTROLS)
        .map(|i| {
            json!({
                "id": format!("c-{i}"),
                "title": format!("Control {i}"),
                "params": [{"id": format!("c-{i}_prm_1"), "label": "organization-defined frequency"}],
                "parts": [{"id": format!("c-{i}_smt"), "name": "statement",
                           "prose": "The organization develops, documents, and disseminates to \
                                     {{ insert: param, x }} a policy that addresses purpose, scope, \
                                     roles, responsibilities, management commitment and coordination."}],
            })
        })
        .collect();
    json!({"catalog": {"uuid": "8bd5f2a4-6a6b-4f7c-9a43-2b4f7cbbd7a4", "controls": controls}})
}

fn sources(bytes: &Arc<[u8]>) -> SourceMap {
    let mut map = SourceMap::default();
    map.add(Source {
        uri: url::Url::parse("file:///bench/catalog.json").expect("url"),
        bytes: bytes.clone(),
        xml_positions: XmlPositions::default(),
        index: SourceIndex::default(),
        quotable: true,
    });
    map
}

/// One diagnostic a control, at its statement's prose, labelled at its id.
fn diagnostics() -> Vec<Diagnostic> {
    let s = SourceId(0);
    (0..CONTROLS)
        .map(|i| {
            Diagnostic::error(
                "ref-dangling",
                format!("insert names parameter `x` in `c-{i}`"),
            )
            .at(Span::pointer(
                s,
                format!("/catalog/controls/{i}/parts/0/prose"),
            ))
            .label(
                Span::pointer(s, format!("/catalog/controls/{i}/id")),
                "in this control",
            )
            .hint("define the parameter or fix the insert")
        })
        .collect()
}

fn render(c: &mut Criterion) {
    let value = catalog();
    let docs = [
        ("pretty", serde_json::to_vec_pretty(&value).expect("json")),
        ("one_line", serde_json::to_vec(&value).expect("json")),
    ];
    let diags = diagnostics();
    let mut g = c.benchmark_group("diagnostics_5000");
    g.sample_size(10).measurement_time(Duration::from_secs(5));
    for (name, doc) in docs {
        let bytes: Arc<[u8]> = doc.into();
        for (fname, format) in [("short", ErrorFormat::Short), ("human", ErrorFormat::Human)] {
            g.bench_function(BenchmarkId::new(fname, name), |b| {
                b.iter_batched(
                    || sources(&bytes),
                    |map| {
                        let mut r = Reporter::buffered(format).max_per_code(None);
                        r.report(&diags, &map);
                        black_box(r.finish_into().len())
                    },
                    BatchSize::LargeInput,
                )
            });
        }
    }
    g.finish();
}

criterion_group!(benches, render);
criterion_main!(benches);
