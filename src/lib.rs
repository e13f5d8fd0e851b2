//! frontmap: news articles about the Russia–Ukraine war in, GeoJSON maps out.
//!
//! One straight pipeline, one module per stage:
//! ```text
//! ingest::articles()          -> Article { meta: id, source, title, date, lang; text }
//! tagger::tag(&gaz, &article) -> Vec<Mention>    (every name the gazetteer knows, with candidates)
//! resolve::resolve(&gaz, ...) -> Vec<Event>      (one place per mention, with rule and confidence)
//! cluster::cluster(&events)   -> Vec<Cluster>    (rstar)
//! areas::cover(&areas, ...)   -> Coverage        (geo)
//! layers::write(out, ...)     -> GeoJSON layers, mentions.jsonl, coverage
//! ```

pub mod areas;
pub mod atomic;
pub mod cluster;
pub mod error;
pub mod eval;
pub mod gazetteer;
pub mod ingest;
pub mod layers;
pub mod resolve;
pub mod sphere;
pub mod tagger;
pub mod web;

pub use error::{Error, Result};

use gazetteer::Gazetteer;
use ingest::Article;
use resolve::ArticleResult;

/// Tag and resolve one article: the per-article work, independent of every other article.
/// The article's language (metadata, else detected) selects the case forms the tagger accepts.
pub fn process_article(gaz: &Gazetteer, article: &Article) -> ArticleResult {
    let mut meta = article.meta.clone();
    if meta.lang.is_none() {
        meta.lang = ingest::detect_language(&article.text);
    }
    let prepared = tagger::Prepared::new(&article.text);
    let mentions = tagger::tag_prepared(gaz, &prepared, meta.lang.as_deref());
    let events = resolve::resolve(gaz, &prepared, &mentions);
    ArticleResult { meta, events }
}

/// Everything `frontmap map` needs, validated at the edge (the CLI).
#[derive(Debug, Clone)]
pub struct MapConfig {
    pub ingest: ingest::IngestOptions,
    pub out: std::path::PathBuf,
    pub gazetteer: std::path::PathBuf,
    /// Front-line areas; default `<gazetteer>/areas.geojson`.
    pub areas: Option<std::path::PathBuf>,
    pub occupied: Option<std::path::PathBuf>,
    pub radius_km: f64,
    /// Worker threads for tag + resolve; 0 = all cores.
    pub threads: usize,
    /// Show a progress bar on stderr (only drawn when stderr is a terminal).
    pub progress: bool,
}

/// What a `map` run did, for the terminal summary and the exit status.
#[derive(Debug, Default)]
pub struct MapSummary {
    pub articles: usize,
    pub events: usize,
    /// Inputs that failed (warnings excluded).
    pub failed: usize,
    pub warnings: usize,
    pub files_written: usize,
    /// One line per article: id, places, top areas.
    pub article_lines: Vec<String>,
    pub failure_lines: Vec<String>,
}

/// Articles tagged per parallel batch: large enough to keep the cores busy, small enough that
/// the corpus is never held in memory (only its results are).
const BATCH: usize = 256;

/// The `map` pipeline: ingest → tag → resolve (parallel, input order kept) → cluster → areas →
/// layers → web page.
pub fn run_map(config: &MapConfig) -> Result<MapSummary> {
    use rayon::prelude::*;

    let gaz = Gazetteer::load(&config.gazetteer)?;
    let areas_path = config
        .areas
        .clone()
        .unwrap_or_else(|| config.gazetteer.join("areas.geojson"));
    let areas = areas::Areas::load(&areas_path)?;
    let occupied = config
        .occupied
        .as_deref()
        .map(areas::Occupied::load)
        .transpose()?;
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(config.threads)
        .build()
        .map_err(|e| Error::Invalid(format!("cannot start worker threads: {e}")))?;
    let bar = if config.progress {
        let bar = indicatif::ProgressBar::new_spinner();
        bar.set_style(
            indicatif::ProgressStyle::with_template(
                "{spinner} {pos} articles, {msg} [{elapsed_precise}]",
            )
            .expect("bug: progress template"),
        );
        bar
    } else {
        indicatif::ProgressBar::hidden()
    };
    let started = std::time::Instant::now();
    let mut bytes = 0usize;

    let mut results: Vec<ArticleResult> = Vec::new();
    let mut failures: Vec<ingest::Failure> = Vec::new();
    let mut batch: Vec<Article> = Vec::with_capacity(BATCH);
    let flush = |batch: &mut Vec<Article>, results: &mut Vec<ArticleResult>| {
        let done: Vec<ArticleResult> =
            pool.install(|| batch.par_iter().map(|a| process_article(&gaz, a)).collect());
        results.extend(done);
        batch.clear();
    };
    for item in ingest::articles(&config.ingest) {
        match item {
            Ok(article) => {
                bytes += article.text.len();
                batch.push(article);
                if batch.len() == BATCH {
                    flush(&mut batch, &mut results);
                    bar.set_position(results.len() as u64);
                    let secs = started.elapsed().as_secs_f64().max(1e-3);
                    bar.set_message(format!("{:.1} MB/s", bytes as f64 / 1e6 / secs));
                }
            }
            Err(f) => failures.push(f),
        }
    }
    flush(&mut batch, &mut results);
    bar.finish_and_clear();

    let clusters = cluster::cluster(
        &gaz,
        &results,
        &cluster::ClusterOptions {
            radius_km: config.radius_km,
        },
    );
    let coverage = areas::cover(&gaz, &areas, occupied.as_ref(), &results);
    let run = layers::RunInfo {
        inputs: config.ingest.inputs.clone(),
        radius_km: config.radius_km,
        areas_file: areas_path.display().to_string(),
        occupied_file: config.occupied.as_ref().map(|p| p.display().to_string()),
        gazetteer_dir: config.gazetteer.display().to_string(),
        gazetteer_version: format!("{} places, {} name keys", gaz.places.len(), gaz.index.len()),
        failures: failures.clone(),
        ..Default::default()
    };
    let written = layers::write(&config.out, &gaz, &results, &clusters, &coverage, &run)?;
    web::write_index(&config.out)?;

    Ok(MapSummary {
        articles: results.len(),
        events: results.iter().map(|r| r.events.len()).sum(),
        failed: failures.iter().filter(|f| !f.warning).count(),
        warnings: failures.iter().filter(|f| f.warning).count(),
        files_written: written.files.len() + 1,
        article_lines: coverage.articles.iter().map(areas::coverage_line).collect(),
        failure_lines: failures.iter().map(|f| f.to_string()).collect(),
    })
}

/// `frontmap tag`: JSON Lines articles in, one JSON line per article out
/// (`{"article", "lang", "date", "mentions": [mentions.jsonl objects]}`), no state kept between
/// lines, so that frontmap can be the map step of Spark's `RDD.pipe` or Hadoop Streaming.
/// A bad line is reported on stderr with its number and skipped; returns how many failed.
pub fn tag_stream(
    gaz: &Gazetteer,
    input: impl std::io::BufRead,
    mut output: impl std::io::Write,
) -> std::io::Result<usize> {
    let mut failed = 0;
    for (i, line) in input.split(b'\n').enumerate() {
        let line = line?;
        let text = String::from_utf8_lossy(&line);
        if text.trim().is_empty() {
            continue;
        }
        let article = match ingest::article_from_json_line(&text, "<stdin>", i + 1) {
            Ok(a) => a,
            Err(f) => {
                eprintln!("frontmap: {f}");
                failed += 1;
                continue;
            }
        };
        let result = process_article(gaz, &article);
        let mut mentions = String::new();
        if let Err(e) = layers::write_mentions(&mut mentions, gaz, &result) {
            eprintln!("frontmap: <stdin>: line {}: {e}", i + 1);
            failed += 1;
            continue;
        }
        let head = serde_json::json!({
            "article": result.meta.id,
            "lang": result.meta.lang,
            "date": result.meta.date.map(|d| d.to_string()),
        })
        .to_string();
        let joined = mentions.lines().collect::<Vec<_>>().join(",");
        writeln!(
            output,
            "{},\"mentions\":[{}]}}",
            &head[..head.len() - 1],
            joined
        )?;
    }
    output.flush()?;
    Ok(failed)
}
