//! Throughput benchmarks (criterion): gazetteer start-up, tag + resolve on one thread in
//! MB/s over a deterministic corpus. Run with `cargo bench --bench pipeline`.
//!
//! The corpus mixes the example articles and, when `../shared/eval` is present, the seed
//! texts, into paragraphs shuffled by a fixed-seed generator until it reaches the wanted size
//! (`FRONTMAP_BENCH_MB`, default 50 for `corpus`, 4 for the per-iteration sample).

use std::path::{Path, PathBuf};
use std::time::Duration;

use criterion::{criterion_group, criterion_main, Criterion, Throughput};

use frontmap::gazetteer::Gazetteer;
use frontmap::ingest::{Article, ArticleMeta};

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// Paragraphs of the example articles and, when present, the shared evaluation texts.
fn paragraphs() -> Vec<String> {
    let mut dirs = vec![root().join("examples")];
    let shared = root().join("../shared/eval/seeds");
    if shared.is_dir() {
        dirs.push(shared);
    }
    let mut out = Vec::new();
    for dir in dirs {
        let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
            .map(|rd| rd.filter_map(|e| e.ok()).map(|e| e.path()).collect())
            .unwrap_or_default();
        files.sort();
        for f in files
            .iter()
            .filter(|f| f.extension().is_some_and(|x| x == "txt"))
        {
            if let Ok(text) = std::fs::read_to_string(f) {
                out.extend(
                    text.split("\n")
                        .map(str::trim)
                        .filter(|p| !p.is_empty())
                        .map(str::to_string),
                );
            }
        }
    }
    out
}

/// A deterministic corpus of about `bytes` bytes: articles of 4–12 paragraphs drawn by a
/// fixed-seed xorshift generator.
pub fn corpus(bytes: usize) -> Vec<Article> {
    let paras = paragraphs();
    assert!(!paras.is_empty(), "no example paragraphs found");
    let mut state: u64 = 0x9E37_79B9_7F4A_7C15;
    let mut next = || {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        state
    };
    let mut out = Vec::new();
    let mut total = 0;
    while total < bytes {
        let n = 4 + (next() % 9) as usize;
        let mut text = String::new();
        for _ in 0..n {
            text.push_str(&paras[(next() % paras.len() as u64) as usize]);
            text.push_str("\n\n");
        }
        total += text.len();
        out.push(Article {
            meta: ArticleMeta {
                id: format!("bench-{}", out.len()),
                ..Default::default()
            },
            text,
        });
    }
    out
}

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
