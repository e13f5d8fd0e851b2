//! End-to-end benchmarks (criterion): `frontmap map` on all cores with every layer written, in
//! MB/s of JSON Lines input; clustering 1,000,000 events; and the peak memory, printed.
//! Run with `cargo bench --bench map`.
//!
//! The input is the deterministic corpus of `benches/corpus/` written as JSON Lines
//! (`FRONTMAP_MAP_MB` MB of text, default 10). Every run writes into a fresh folder, kept until
//! the end: on file systems that delay reusing freed inodes (ext4 without a journal, as on the
//! CI machine), deleting thousands of files just before creating thousands more is slow, and
//! that is the file system's cost, not frontmap's.

mod corpus;

/// The allocator the binary uses (see `src/main.rs`), so that the figures are the binary's.
#[global_allocator]
static ALLOCATOR: frontmap::allocator::Allocator = frontmap::allocator::Allocator;

use std::path::PathBuf;
use std::time::{Duration, Instant};

use criterion::{criterion_group, criterion_main, Criterion, Throughput};

use frontmap::cluster::{self, ClusterInput, ClusterOptions};
use frontmap::gazetteer::Gazetteer;

fn gazetteer_dir() -> PathBuf {
    corpus::root().join("gazetteer")
}

/// Peak resident memory of this process so far (`VmHWM`), in MB.
fn peak_rss_mb() -> Option<f64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    let kb: f64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kb / 1024.0)
}

fn bench_map(c: &mut Criterion) {
    let mb: usize = std::env::var("FRONTMAP_MAP_MB")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(10);
    let tmp = tempfile::tempdir().expect("temporary folder");
    let input = tmp.path().join("corpus.jsonl");
    let bytes = {
        let file = std::fs::File::create(&input).expect("corpus file");
        corpus::write_jsonl(mb * 1_000_000, &mut std::io::BufWriter::new(file))
            .expect("corpus written")
    };
    let config = |out: PathBuf| frontmap::MapConfig {
        ingest: frontmap::ingest::IngestOptions {
            inputs: vec![input.display().to_string()],
            ..Default::default()
        },
        out,
        gazetteer: gazetteer_dir(),
        areas: None,
        occupied: None,
        radius_km: 25.0,
        threads: 0,
        progress: false,
        article_lines: false,
        feature_layers: Default::default(),
    };
    // As `frontmap map` does: the run's fresh memory in small pages.
    frontmap::allocator::small_pages_from_now();
    let mut g = c.benchmark_group("map_all_layers");
    g.throughput(Throughput::BytesDecimal(bytes));
    g.sample_size(10)
        .warm_up_time(Duration::from_millis(1))
        .measurement_time(Duration::from_secs(30));
    let mut run = 0;
    g.bench_function(format!("{mb}MB_jsonl_all_cores"), |b| {
        b.iter_custom(|iters| {
            let mut total = Duration::ZERO;
            for _ in 0..iters {
                run += 1;
                let out = tmp.path().join(format!("out-{run}"));
                let started = Instant::now();
                let summary = frontmap::run_map(&config(out)).expect("map runs");
                total += started.elapsed();
                assert!(summary.events > 0, "the corpus has places");
            }
            total
        })
    });
    g.finish();
    if let Some(peak) = peak_rss_mb() {
        println!(
            "map: peak resident memory of the bench process (VmHWM): {peak:.0} MB, {:.1} MB of JSON Lines",
            bytes as f64 / 1e6
        );
    }
}

/// Deterministic (lon, lat) points over Ukraine's bounding box.
fn points_over_ukraine(n: usize) -> Vec<(f64, f64)> {
    let mut x: u64 = 0x2545_F491_4F6C_DD1D;
    let mut rnd = move || {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        (x >> 11) as f64 / (1u64 << 53) as f64
    };
    (0..n)
        .map(|_| (22.1 + rnd() * 18.2, 44.3 + rnd() * 8.1))
        .collect()
}

fn bench_cluster(c: &mut Criterion) {
    const EVENTS: usize = 1_000_000;
    let mut g = c.benchmark_group("cluster");
    g.sample_size(10).measurement_time(Duration::from_secs(20));
    g.throughput(Throughput::Elements(EVENTS as u64));

    // The hardest shape: a million distinct points, 25 km links.
    let points = points_over_ukraine(EVENTS);
    g.bench_function("single_linkage_1M_points", |b| {
        b.iter(|| cluster::single_linkage(&points, 25.0))
    });

    // What `map` does: a million events at the gazetteer's Ukrainian settlements (picked by the
    // same generator), 20 per article, gathered one at a time, then clustered.
    let gaz = Gazetteer::load(&gazetteer_dir()).expect("gazetteer loads");
    let settlements: Vec<u32> = (0..gaz.places.len() as u32)
        .filter(|&i| {
            let p = gaz.place(i);
            p.country == "UA" && cluster::is_point_like(p.kind)
        })
        .collect();
    assert!(
        !settlements.is_empty(),
        "the gazetteer has Ukrainian settlements"
    );
    let picks: Vec<u32> = points_over_ukraine(EVENTS)
        .into_iter()
        .map(|(lon, _)| {
            settlements
                [((lon - 22.1) / 18.2 * settlements.len() as f64) as usize % settlements.len()]
        })
        .collect();
    let ids: Vec<String> = (0..EVENTS / 20).map(|k| format!("a{k}")).collect();
    let day = chrono::NaiveDate::from_ymd_opt(2024, 9, 1);
    g.bench_function("cluster_1M_events", |b| {
        b.iter(|| {
            let mut input = ClusterInput::new(&gaz);
            for (k, &place) in picks.iter().enumerate() {
                input.add(&gaz, (k / 20) as u32, day, place);
            }
            input.cluster(&gaz, &ids, &ClusterOptions::default())
        })
    });
    g.finish();
}

criterion_group!(benches, bench_map, bench_cluster);
criterion_main!(benches);
