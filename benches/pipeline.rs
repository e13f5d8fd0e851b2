//! Throughput benchmarks (criterion): gazetteer start-up, tag + resolve on one thread in
//! MB/s over a deterministic corpus. Run with `cargo bench --bench pipeline`.
//!
//! The corpus (`benches/corpus/`) mixes the example articles and, when `../shared/eval` is
//! present, the seed texts, into paragraphs shuffled by a fixed-seed generator until it reaches
//! the wanted size (`FRONTMAP_BENCH_MB`, default 4 for the per-iteration sample).

mod corpus;

/// The allocator the binary uses (see `src/main.rs`), so that the figures are the binary's.
#[global_allocator]
static ALLOCATOR: frontmap::allocator::Allocator = frontmap::allocator::Allocator;

use std::path::{Path, PathBuf};
use std::time::Duration;

use criterion::{criterion_group, criterion_main, Criterion, Throughput};

use corpus::{corpus, root};
use frontmap::gazetteer::Gazetteer;

fn gazetteer_dir() -> PathBuf {
    root().join("gazetteer")
}

fn bench_load(c: &mut Criterion) {
    let dir = gazetteer_dir();
    let mut g = c.benchmark_group("startup");
    g.sample_size(10).measurement_time(Duration::from_secs(5));
    g.bench_function("gazetteer_load", |b| {
        b.iter(|| Gazetteer::load(Path::new(&dir)).expect("gazetteer loads"))
    });
    g.finish();
}

fn bench_tag_resolve(c: &mut Criterion) {
    let gaz = Gazetteer::load(&gazetteer_dir()).expect("gazetteer loads");
    let mb: usize = std::env::var("FRONTMAP_BENCH_MB")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(4);
    let articles = corpus(mb * 1_000_000);
    let bytes: usize = articles.iter().map(|a| a.text.len()).sum();
    let mut g = c.benchmark_group("tag_resolve_one_thread");
    g.throughput(Throughput::Bytes(bytes as u64));
    g.sample_size(10).measurement_time(Duration::from_secs(10));
    g.bench_function(format!("{mb}MB"), |b| {
        b.iter(|| {
            articles
                .iter()
                .map(|a| frontmap::process_article(&gaz, a).events.len())
                .sum::<usize>()
        })
    });
    g.finish();
}

criterion_group!(benches, bench_load, bench_tag_resolve);
criterion_main!(benches);
