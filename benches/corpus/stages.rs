//! Times tag + resolve stage by stage on one thread over the benchmarks' corpus, best of
//! several passes, and prints what the corpus asks of the resolver:
//! `cargo run --release --example stages -- [--mb N] [--passes K]` (defaults 4 and 10).
//!
//! Criterion (`cargo bench --bench pipeline -- tag_resolve`) gives the whole figure with its
//! spread; this says where a pass's time goes, which criterion cannot.

#[path = "mod.rs"]
mod corpus;

/// The allocator the binary uses, so that the figures are the binary's.
#[global_allocator]
static ALLOCATOR: frontmap::allocator::Allocator = frontmap::allocator::Allocator;

use std::time::{Duration, Instant};

use frontmap::gazetteer::Gazetteer;
use frontmap::{ingest, resolve, tagger};

fn arg(args: &[String], flag: &str, default: usize) -> usize {
    args.iter()
        .position(|a| a == flag)
        .and_then(|i| args.get(i + 1))
        .map(|v| {
            v.parse()
                .unwrap_or_else(|_| panic!("{flag} wants a whole number, not '{v}'"))
        })
        .unwrap_or(default)
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let mb = arg(&args, "--mb", 4);
    let passes = arg(&args, "--passes", 10).max(1);
    let t = Instant::now();
    let gaz = Gazetteer::load(&corpus::root().join("gazetteer")).expect("gazetteer loads");
    let load = t.elapsed();
    let articles = corpus::corpus(mb * 1_000_000);
    let bytes: usize = articles.iter().map(|a| a.text.len()).sum();

    let mut best = [Duration::MAX; 5];
    let (mut mentions, mut candidates, mut ambiguous) = (0, 0, 0);
    for pass in 0..passes {
        let mut spent = [Duration::ZERO; 5];
        for a in &articles {
            let t0 = Instant::now();
            let lang = ingest::detect_language(&a.text);
            let t1 = Instant::now();
            let prepared = tagger::Prepared::new(&a.text);
            let t2 = Instant::now();
            let ms = tagger::tag_prepared(&gaz, &prepared, lang.as_deref());
            let t3 = Instant::now();
            if pass == 0 {
                mentions += ms.len();
                candidates += ms.iter().map(|m| m.candidates.len()).sum::<usize>();
                ambiguous += ms.iter().filter(|m| m.candidates.len() > 1).count();
            }
            let events = resolve::resolve(&gaz, &prepared, ms);
            std::hint::black_box(&events);
            let t4 = Instant::now();
            drop(events);
            drop(prepared);
            for (s, d) in spent.iter_mut().zip([t1 - t0, t2 - t1, t3 - t2, t4 - t3]) {
                *s += d;
            }
            spent[4] += t0.elapsed();
        }
        for (b, s) in best.iter_mut().zip(spent) {
            *b = (*b).min(s);
        }
    }
    let mbs = |d: Duration| bytes as f64 / 1e6 / d.as_secs_f64();
    println!(
        "corpus: {} articles, {:.2} MB; {mentions} mentions ({:.0} bytes apart), \
         {:.2} candidates each, {ambiguous} ambiguous; gazetteer load {:.1} ms",
        articles.len(),
        bytes as f64 / 1e6,
        bytes as f64 / mentions.max(1) as f64,
        candidates as f64 / mentions.max(1) as f64,
        load.as_secs_f64() * 1e3,
    );
    println!("best of {passes} passes, one thread:");
    for (name, d) in ["detect", "normalise", "tag", "resolve", "whole"]
        .iter()
        .zip(best)
    {
        println!(
            "  {name:<10} {:>7.1} ms  {:>7.1} MB/s",
            d.as_secs_f64() * 1e3,
            mbs(d)
        );
    }
}
