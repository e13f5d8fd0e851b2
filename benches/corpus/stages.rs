//! Times tag + resolve stage by stage on one thread over the benchmarks' corpus, best of
//! several passes, and prints what the corpus asks of the resolver:
//! `cargo run --release --example stages -- [--mb N] [--passes K] [--wide V]` (defaults 4,
//! 10 and 0; `--wide V --sample` prints one widened article instead).
//!
//! Criterion (`cargo bench --bench pipeline -- tag_resolve`) gives the whole figure with its
//! spread; this says where a pass's time goes, which criterion cannot.
//!
//! `--wide V` widens the corpus's vocabulary the way an archive's is wide: the benchmark
//! corpus repeats a dozen texts, so it names a few hundred people and organisations, where a
//! year of news names tens of thousands. Every capitalised word inside a sentence that the
//! tagger does not take for a place (a name, mostly) is replaced by a made-up name drawn from
//! `V` of them with Zipf's law (the k-th commonest k times rarer than the first), the same
//! way every run. Places, sentence-initial words and German paragraphs (whose nouns are all
//! capitalised) stay as they are.

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
    let mut articles = corpus::corpus(mb * 1_000_000);
    let wide = arg(&args, "--wide", 0);
    if args.iter().any(|a| a == "--sample") {
        sample(&gaz, wide);
        return;
    }
    if wide > 0 {
        let mut names = ZipfNames::new(wide);
        for a in &mut articles {
            a.text = widen_article(&gaz, &a.text, &mut names);
        }
    }
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
        "corpus: {} articles, {:.2} MB{}; {mentions} mentions ({:.0} bytes apart), \
         {:.2} candidates each, {ambiguous} ambiguous; gazetteer load {:.1} ms",
        articles.len(),
        bytes as f64 / 1e6,
        match wide {
            0 => String::new(),
            v => format!(", names from {v}"),
        },
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

/// Made-up capitalised names drawn with Zipf's law (exponent 1) from a fixed list, by a
/// fixed-seed xorshift.
struct ZipfNames {
    /// `cumulative[k]`: the weight of names 0..=k, name k weighing 1/(k+1).
    cumulative: Vec<f64>,
    state: u64,
}

impl ZipfNames {
    fn new(vocabulary: usize) -> ZipfNames {
        let mut total = 0.0;
        let cumulative = (0..vocabulary)
            .map(|k| {
                total += 1.0 / (k + 1) as f64;
                total
            })
            .collect();
        ZipfNames {
            cumulative,
            state: 0x2545_F491_4F6C_DD1D,
        }
    }

    fn next(&mut self) -> String {
        self.state ^= self.state << 13;
        self.state ^= self.state >> 7;
        self.state ^= self.state << 17;
        let total = self.cumulative.last().copied().unwrap_or(0.0);
        let x = (self.state >> 11) as f64 / (1u64 << 53) as f64 * total;
        let k = self.cumulative.partition_point(|&c| c < x);
        name_of(k)
    }
}

/// Name number `k`: two to four syllables, capitalised ("Katemo", "Rusindaba").
fn name_of(k: usize) -> String {
    const SYLLABLES: [&str; 24] = [
        "ka", "te", "mo", "ri", "su", "na", "do", "ba", "li", "ge", "wa", "po", "han", "dri", "yu",
        "sel", "mar", "ko", "ve", "zi", "ton", "ra", "di", "lu",
    ];
    let mut n = k;
    let mut name = String::new();
    let syllables = 2 + k % 3;
    for _ in 0..syllables {
        name.push_str(SYLLABLES[n % SYLLABLES.len()]);
        n = n / SYLLABLES.len() + 7 * (k + 1);
    }
    let mut chars = name.chars();
    chars.next().map_or(String::new(), |c| {
        c.to_uppercase().chain(chars).collect::<String>()
    })
}

/// `widen` of each paragraph of `text` but German ones, where every noun is capitalised.
fn widen_article(gaz: &Gazetteer, text: &str, names: &mut ZipfNames) -> String {
    text.split("\n\n")
        .map(|p| match ingest::detect_language(p).as_deref() {
            Some("de") => p.to_string(),
            _ => widen(gaz, p, names),
        })
        .collect::<Vec<_>>()
        .join("\n\n")
}

/// `text` with its capitalised words inside sentences, other than places the tagger finds,
/// replaced by names from `names` (see `--wide`).
fn widen(gaz: &Gazetteer, text: &str, names: &mut ZipfNames) -> String {
    let places: Vec<(usize, usize)> = tagger::tag(gaz, text, None)
        .iter()
        .map(|m| (m.byte_start, m.byte_end))
        .collect();
    let mut out = String::with_capacity(text.len() + text.len() / 8);
    let mut at = 0;
    // After a word ending a sentence (or at the start), a capital is not a name's.
    let mut sentence_start = true;
    let bytes = text.as_bytes();
    while at < text.len() {
        let Some(c) = text[at..].chars().next() else {
            break;
        };
        if !c.is_alphanumeric() {
            if matches!(c, '.' | '!' | '?' | '\n' | ':' | '"') {
                sentence_start = true;
            }
            out.push(c);
            at += c.len_utf8();
            continue;
        }
        let end = text[at..]
            .char_indices()
            .find(|&(_, c)| !c.is_alphanumeric())
            .map_or(text.len(), |(i, _)| at + i);
        let in_place = places.iter().any(|&(lo, hi)| lo < end && at < hi);
        if c.is_uppercase()
            && !sentence_start
            && !in_place
            && end - at > 1
            && bytes[at..end].iter().skip(1).any(u8::is_ascii_lowercase)
        {
            out.push_str(&names.next());
        } else {
            out.push_str(&text[at..end]);
        }
        sentence_start = false;
        at = end;
    }
    out
}
/// Prints the corpus's first article widened from `vocabulary` names (`--sample`), to see
/// what `--wide` does.
fn sample(gaz: &Gazetteer, vocabulary: usize) {
    let mut names = ZipfNames::new(vocabulary.max(1));
    let text = corpus::texts(1).next().unwrap_or_default();
    println!("{}", widen_article(gaz, &text, &mut names));
}
