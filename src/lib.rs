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

pub mod allocator;
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
pub mod wordmap;

pub use error::{Error, Result};

use gazetteer::Gazetteer;
use ingest::Article;
use resolve::ArticleResult;

/// Tag and resolve one article: the per-article work, independent of every other article.
/// The article's language (metadata, else detected) selects the case forms the tagger accepts.
pub fn process_article(gaz: &Gazetteer, article: &Article) -> ArticleResult {
    process_article_with(gaz, article, resolve::resolve)
}

/// As `process_article`, with every event's snippet left empty (see
/// `resolve::resolve_without_snippets`): for mentions alone.
pub fn process_article_without_snippets(gaz: &Gazetteer, article: &Article) -> ArticleResult {
    process_article_with(gaz, article, resolve::resolve_without_snippets)
}

fn process_article_with(
    gaz: &Gazetteer,
    article: &Article,
    resolve: fn(&Gazetteer, &tagger::Prepared<'_>, Vec<tagger::Mention>) -> Vec<resolve::Event>,
) -> ArticleResult {
    let mut meta = article.meta.clone();
    if meta.lang.is_none() {
        meta.lang = ingest::detect_language(&article.text);
    }
    let prepared = tagger::Prepared::new(&article.text);
    let mentions = tagger::tag_prepared(gaz, &prepared, meta.lang.as_deref());
    let events = resolve(gaz, &prepared, mentions);
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
    /// Worker threads for the per-article work; 0 = all cores.
    pub threads: usize,
    /// Show a progress bar on stderr (drawn once the run has taken a second).
    pub progress: bool,
    /// Keep one coverage line per article for `MapSummary::article_lines` (about 100 bytes
    /// per article held until the end).
    pub article_lines: bool,
    /// Which of `events.geojson`, `dates/` and `articles/` to write (all by default).
    pub feature_layers: layers::FeatureLayers,
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
    /// One line per article: id, places, top areas (empty unless `MapConfig::article_lines`).
    pub article_lines: Vec<String>,
    pub failure_lines: Vec<String>,
}

/// Articles handed to the workers at a time (fewer when `BATCH_BYTES` of text come first):
/// enough to keep every core busy, few enough that only a handful of batches is ever in memory.
const BATCH: usize = 256;
const BATCH_BYTES: usize = 4 << 20;

/// What the workers make of one ingested item.
enum Done {
    Article(Box<Processed>),
    Failed(ingest::Failure),
}

struct Processed {
    layers: Result<layers::ArticleLayers>,
    coverage: areas::ArticleCoverage,
    /// Text bytes and source, for the progress bar.
    bytes: usize,
    source: String,
}

/// The `map` pipeline: ingest → tag → resolve → areas → layers, streamed; then cluster and
/// the web page.
///
/// Three stages overlap: a reader thread ingests articles into batches; the workers (a rayon
/// pool of `threads`) tag, resolve, cover and format each article of a batch; this thread takes
/// the finished batches in input order and appends their bytes to the layers (`LayerWriter`),
/// keeping only a few dozen bytes per article and per (place, article) pair. Bounded channels
/// between the stages bound the memory whatever the corpus size, and the output does not
/// depend on the number of threads.
pub fn run_map(config: &MapConfig) -> Result<MapSummary> {
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
    let mut progress = Progress::new(config);

    let coverer = areas::Coverer::new(&gaz, &areas, occupied.as_ref());
    let format = layers::Formatter::new(&gaz, areas.areas().iter().map(|a| a.id.clone()).collect());
    let mut writer = layers::LayerWriter::new(&config.out, &gaz, occupied.is_some())?;
    let mut cluster_input = cluster::ClusterInput::new(&gaz);
    let mut totals = areas::AreaCounts::new(&areas);
    let mut failures: Vec<ingest::Failure> = Vec::new();
    let mut article_lines = Vec::new();

    let work = |article: Article| -> Done {
        let result = process_article(&gaz, &article);
        let mut coverage = coverer.article(&result);
        let layers = format.article(&result, Some(&coverage));
        // The per-event part has gone into the layers; the totals need only the areas.
        coverage.events = Vec::new();
        Done::Article(Box::new(Processed {
            layers,
            coverage,
            bytes: article.text.len(),
            source: article.meta.source,
        }))
    };
    std::thread::scope(|scope| -> Result<()> {
        let (batch_tx, batch_rx) =
            std::sync::mpsc::sync_channel::<Vec<std::result::Result<Article, ingest::Failure>>>(2);
        let (done_tx, done_rx) = std::sync::mpsc::sync_channel::<Vec<Done>>(2);
        let ingest_options = &config.ingest;
        scope.spawn(move || {
            let mut batch = Vec::with_capacity(BATCH);
            let mut bytes = 0;
            for item in ingest::articles(ingest_options) {
                bytes += item.as_ref().map_or(0, |a| a.text.len());
                batch.push(item);
                if batch.len() >= BATCH || bytes >= BATCH_BYTES {
                    bytes = 0;
                    let full = std::mem::replace(&mut batch, Vec::with_capacity(BATCH));
                    // A closed channel means the run stopped on an error: stop reading.
                    if batch_tx.send(full).is_err() {
                        return;
                    }
                }
            }
            if !batch.is_empty() {
                let _ = batch_tx.send(batch);
            }
        });
        let (pool, work) = (&pool, &work);
        scope.spawn(move || {
            use rayon::prelude::*;
            for batch in batch_rx {
                let done: Vec<Done> = pool.install(|| {
                    batch
                        .into_par_iter()
                        .map(|item| match item {
                            Ok(article) => work(article),
                            Err(f) => Done::Failed(f),
                        })
                        .collect()
                });
                if done_tx.send(done).is_err() {
                    return;
                }
            }
        });
        for batch in done_rx {
            for done in batch {
                match done {
                    Done::Article(done) => {
                        let Processed {
                            layers,
                            coverage,
                            bytes,
                            source,
                        } = *done;
                        let layers = layers?;
                        let index = writer.article_count() as u32;
                        for &place in layers.places() {
                            cluster_input.add(&gaz, index, layers.date(), place);
                        }
                        totals.add(&coverage);
                        if config.article_lines {
                            article_lines.push(areas::coverage_line(&coverage));
                        }
                        writer.add(layers)?;
                        progress.article(&source, bytes);
                    }
                    Done::Failed(f) => failures.push(f),
                }
            }
        }
        Ok(())
    })?;

    progress.stage("clustering");
    let clusters = {
        let ids: Vec<&str> = writer.articles().map(|(id, _, _)| id).collect();
        cluster_input.cluster(
            &gaz,
            &ids,
            &cluster::ClusterOptions {
                radius_km: config.radius_km,
            },
        )
    };
    let coverage = coverer.finish(&totals);
    let run = layers::RunInfo {
        inputs: config.ingest.inputs.clone(),
        radius_km: config.radius_km,
        areas_file: areas_path.display().to_string(),
        occupied_file: config.occupied.as_ref().map(|p| p.display().to_string()),
        gazetteer_dir: config.gazetteer.display().to_string(),
        gazetteer_version: format!("{} places, {} name keys", gaz.places.len(), gaz.index.len()),
        failures: failures.clone(),
        feature_layers: config.feature_layers,
        ..Default::default()
    };
    let (shown, page_totals) = {
        let listed: Vec<(String, &str, usize)> = writer
            .articles()
            .map(|(id, date, n)| (date.map(|d| d.to_string()).unwrap_or_default(), id, n))
            .collect();
        let choice: Vec<(&str, &str, usize)> = listed
            .iter()
            .map(|(d, id, n)| (d.as_str(), *id, *n))
            .collect();
        web::choose_articles(&choice, web::MAX_PAGE_EVENTS)
    };
    let articles_total = writer.article_count();
    let events_total = writer.events();
    progress.stage("writing layers");
    let finished = writer.finish(&clusters, &coverage, &run, &shown)?;
    drop((clusters, coverage));
    progress.stage("writing index.html");
    web::write_index_for_run(
        &config.out,
        web::RunEvents {
            features: finished.shown_features,
            coverage: finished.shown_areas,
            totals: page_totals,
        },
    )?;
    progress.finish();

    Ok(MapSummary {
        articles: articles_total,
        events: events_total,
        failed: failures.iter().filter(|f| !f.warning).count(),
        warnings: failures.iter().filter(|f| f.warning).count(),
        files_written: finished.written.files.len() + 1,
        article_lines,
        failure_lines: failures.iter().map(|f| f.to_string()).collect(),
    })
}

/// The progress bar of `map` on stderr: bytes of input done out of the total when every input
/// is a local file or folder (a spinner otherwise), articles, MB/s and an ETA. Drawn only once
/// the run has taken a second, so that quick runs print nothing.
struct Progress {
    bar: indicatif::ProgressBar,
    enabled: bool,
    drawn: bool,
    started: std::time::Instant,
    articles: u64,
    /// Sizes of the input files, by the path ingest names them with; None when unknown.
    sizes: Option<std::collections::HashMap<String, u64>>,
    /// Bytes of the files finished, the file being read and the text read from it.
    done: u64,
    current: Option<(String, u64)>,
    current_text: u64,
    /// Whether every article has been read, and how that went.
    read: bool,
    summary: String,
}

impl Progress {
    fn new(config: &MapConfig) -> Progress {
        let sizes = if config.progress {
            input_sizes(&config.ingest)
        } else {
            None
        };
        let hidden = indicatif::ProgressDrawTarget::hidden();
        let bar = match &sizes {
            Some(sizes) => {
                let bar = indicatif::ProgressBar::with_draw_target(
                    Some(sizes.values().sum::<u64>().max(1)),
                    hidden,
                );
                if let Ok(style) = indicatif::ProgressStyle::with_template(
                    "{spinner} {elapsed_precise} [{bar:30}] {decimal_bytes}/{decimal_total_bytes} \
                     {decimal_bytes_per_sec}, ETA {eta} · {msg}",
                ) {
                    bar.set_style(style.progress_chars("=> "));
                }
                bar
            }
            None => {
                let bar = indicatif::ProgressBar::with_draw_target(None, hidden);
                if let Ok(style) = indicatif::ProgressStyle::with_template(
                    "{spinner} {elapsed_precise} {decimal_bytes} of text, {decimal_bytes_per_sec} · {msg}",
                ) {
                    bar.set_style(style);
                }
                bar
            }
        };
        Progress {
            bar,
            enabled: config.progress,
            drawn: false,
            started: std::time::Instant::now(),
            articles: 0,
            sizes,
            done: 0,
            current: None,
            current_text: 0,
            read: false,
            summary: String::new(),
        }
    }

    /// One more article done, `bytes` of text from `source` (a path, `path:line` or a URL).
    fn article(&mut self, source: &str, bytes: usize) {
        self.articles += 1;
        let position = match &self.sizes {
            None => self.bar.position() + bytes as u64,
            Some(sizes) => {
                let file = sizes
                    .get_key_value(source)
                    .or_else(|| {
                        let (path, line) = source.rsplit_once(':')?;
                        line.bytes().all(|b| b.is_ascii_digit()).then_some(())?;
                        sizes.get_key_value(path)
                    })
                    .map(|(k, &v)| (k.clone(), v));
                if let Some((name, size)) = file {
                    if self.current.as_ref().map(|c| &c.0) != Some(&name) {
                        self.done += self.current.take().map_or(0, |c| c.1);
                        self.current = Some((name, size));
                        self.current_text = 0;
                    }
                }
                self.current_text += bytes as u64;
                // Text is shorter than its file (markup, JSON escapes): the file's size counts
                // in full once the next file starts.
                let size = self.current.as_ref().map_or(0, |c| c.1);
                self.done + self.current_text.min(size)
            }
        };
        self.bar.set_position(position);
        if self.articles % 64 == 0 || self.articles == 1 {
            self.bar.set_message(format!("{} articles", self.articles));
            self.reveal();
        }
    }

    /// Shows the bar once the run has taken a second.
    fn reveal(&mut self) {
        if self.enabled && !self.drawn && self.started.elapsed().as_secs_f64() >= 1.0 {
            self.drawn = true;
            self.bar
                .set_draw_target(indicatif::ProgressDrawTarget::stderr());
            self.bar
                .enable_steady_tick(std::time::Duration::from_millis(200));
        }
    }

    /// After the articles: what the run is doing, with the reading rate it reached.
    fn stage(&mut self, what: &str) {
        if !self.read {
            self.read = true;
            if let Some(total) = self.bar.length() {
                self.bar.set_position(total);
            }
            let secs = self.started.elapsed().as_secs_f64().max(1e-3);
            self.summary = format!(
                "{} articles, {:.1} MB in {secs:.1} s ({:.1} MB/s)",
                self.articles,
                self.bar.position() as f64 / 1e6,
                self.bar.position() as f64 / 1e6 / secs
            );
            if let Ok(style) =
                indicatif::ProgressStyle::with_template("{spinner} {elapsed_precise} {msg}")
            {
                self.bar.set_style(style);
            }
        }
        self.bar.set_message(format!("{}; {what}…", self.summary));
        self.reveal();
    }

    fn finish(&self) {
        self.bar.finish_and_clear();
    }
}

/// Size of every local input file, keyed as ingest names its articles' sources; None when
/// some input is stdin or a URL (the total is unknown).
fn input_sizes(options: &ingest::IngestOptions) -> Option<std::collections::HashMap<String, u64>> {
    if options.urls_file.is_some() {
        return None;
    }
    let mut sizes = std::collections::HashMap::new();
    let mut visited = std::collections::HashSet::new();
    for input in &options.inputs {
        if input == "-" || input.contains("://") {
            return None;
        }
        add_sizes(std::path::Path::new(input), true, &mut sizes, &mut visited);
    }
    Some(sizes)
}

/// Adds `path` (a file, or a folder walked as ingest walks it) to `sizes`.
fn add_sizes(
    path: &std::path::Path,
    explicit: bool,
    sizes: &mut std::collections::HashMap<String, u64>,
    visited: &mut std::collections::HashSet<std::path::PathBuf>,
) {
    let Ok(meta) = std::fs::metadata(path) else {
        return;
    };
    if meta.is_dir() {
        let Ok(real) = std::fs::canonicalize(path) else {
            return;
        };
        if !visited.insert(real) {
            return;
        }
        let Ok(entries) = std::fs::read_dir(path) else {
            return;
        };
        for entry in entries.flatten() {
            if !entry.file_name().to_string_lossy().starts_with('.') {
                add_sizes(&entry.path(), false, sizes, visited);
            }
        }
    } else if explicit || is_article_file(path) {
        sizes.insert(path.display().to_string(), meta.len());
    }
}

/// The extensions ingest takes from a folder.
fn is_article_file(path: &std::path::Path) -> bool {
    let ext = path
        .extension()
        .and_then(|e| e.to_str())
        .map(str::to_ascii_lowercase);
    matches!(
        ext.as_deref(),
        Some("txt" | "text" | "jsonl" | "ndjson" | "html" | "htm" | "xhtml")
    )
}

/// `frontmap tag`: JSON Lines articles in, one JSON line per article out, in input order
/// (`{"article", "lang", "date", "mentions": [mentions.jsonl objects]}`), no state kept between
/// lines, so that frontmap can be the map step of Spark's `RDD.pipe` or Hadoop Streaming.
/// A bad line is reported on stderr with its number and skipped; returns how many failed.
///
/// A reader thread reads lines while the articles read so far (up to `BATCH` lines or
/// `BATCH_BYTES`, never waiting for more) are tagged on all cores: a stream that trickles in
/// is answered line by line, a file at the speed of every core.
pub fn tag_stream(
    gaz: &Gazetteer,
    mut input: impl std::io::BufRead + Send,
    output: impl std::io::Write,
) -> std::io::Result<usize> {
    use rayon::prelude::*;
    use std::io::Write;
    // A line is never held whole past the per-input size limit: a 1 GB line is skipped, with
    // its number, not read into memory.
    let limit = ingest::IngestOptions::default().max_file_bytes;
    let mut output = std::io::BufWriter::new(output);
    let mut failed = 0;
    let (lines, batches) = std::sync::mpsc::sync_channel::<(usize, Option<Vec<u8>>)>(BATCH);
    std::thread::scope(|scope| {
        let reader = scope.spawn(move || -> std::io::Result<()> {
            for line_no in 1usize.. {
                let mut line = Vec::new();
                let read = match ingest::read_line_capped(&mut input, &mut line, limit)? {
                    ingest::CappedLine::End => return Ok(()),
                    ingest::CappedLine::TooLong => None,
                    ingest::CappedLine::Line => Some(line),
                };
                if lines.send((line_no, read)).is_err() {
                    // The writer stopped (an output error): nothing more to read for.
                    return Ok(());
                }
            }
            Ok(())
        });
        let written = (|| -> std::io::Result<()> {
            while let Ok(first) = batches.recv() {
                let mut batch = vec![first];
                let mut bytes = 0;
                while batch.len() < BATCH && bytes < BATCH_BYTES {
                    let Ok(next) = batches.try_recv() else {
                        break;
                    };
                    bytes += next.1.as_ref().map_or(0, Vec::len);
                    batch.push(next);
                }
                let tagged: Vec<Option<std::result::Result<String, String>>> = batch
                    .par_iter()
                    .map(|(line_no, line)| tag_line(gaz, *line_no, line.as_deref(), limit))
                    .collect();
                for outcome in tagged.into_iter().flatten() {
                    match outcome {
                        Ok(json) => output.write_all(json.as_bytes())?,
                        Err(message) => {
                            eprintln!("frontmap: {message}");
                            failed += 1;
                        }
                    }
                }
                output.flush()?;
            }
            Ok(())
        })();
        // Unblocks the reader if it waits to send.
        drop(batches);
        let read = reader
            .join()
            .unwrap_or_else(|_| Err(std::io::Error::other("bug: the reader panicked")));
        written.and(read)
    })?;
    Ok(failed)
}

/// One line of `tag_stream`: its output line, an error message, or None for a blank line.
/// `line` is None when the line was longer than `limit` (and skipped).
fn tag_line(
    gaz: &Gazetteer,
    line_no: usize,
    line: Option<&[u8]>,
    limit: u64,
) -> Option<std::result::Result<String, String>> {
    let Some(line) = line else {
        return Some(Err(format!(
            "<stdin>: line {line_no}: {}",
            ingest::line_too_long(limit)
        )));
    };
    let text = String::from_utf8_lossy(line);
    if text.trim().is_empty() {
        return None;
    }
    let article = match ingest::article_from_json_line(&text, "<stdin>", line_no) {
        Ok(a) => a,
        Err(f) => return Some(Err(f.to_string())),
    };
    // Mention lines show no snippets: none is built.
    let result = process_article_without_snippets(gaz, &article);
    let mut mentions = String::new();
    if let Err(e) = layers::write_mentions(&mut mentions, gaz, &result) {
        return Some(Err(format!("<stdin>: line {line_no}: {e}")));
    }
    let head = serde_json::json!({
        "article": result.meta.id,
        "lang": result.meta.lang,
        "date": result.meta.date.map(|d| d.to_string()),
    })
    .to_string();
    let joined = mentions.lines().collect::<Vec<_>>().join(",");
    Some(Ok(format!(
        "{},\"mentions\":[{}]}}\n",
        &head[..head.len() - 1],
        joined
    )))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn config(inputs: &[&str], progress: bool) -> MapConfig {
        MapConfig {
            ingest: ingest::IngestOptions {
                inputs: inputs.iter().map(|s| s.to_string()).collect(),
                ..Default::default()
            },
            out: "out".into(),
            gazetteer: "gazetteer".into(),
            areas: None,
            occupied: None,
            radius_km: 25.0,
            threads: 0,
            progress,
            article_lines: false,
            feature_layers: Default::default(),
        }
    }

    #[test]
    fn progress_total_is_the_size_of_the_local_inputs() {
        let dir = tempfile::tempdir().expect("tempdir");
        let d = dir.path();
        std::fs::create_dir_all(d.join("sub")).expect("mkdir");
        for (name, bytes) in [
            ("a.txt", 10),
            ("b.jsonl", 20),
            ("sub/c.html", 30),
            ("sub/.hidden.txt", 1000),
            ("notes.md", 1000),
            ("explicit.dat", 5),
        ] {
            std::fs::write(d.join(name), vec![b'x'; bytes]).expect("write");
        }
        let folder = d.display().to_string();
        let explicit = d.join("explicit.dat").display().to_string();
        // (inputs, expected total): folders as ingest walks them, files named explicitly
        // whatever their extension, nothing known for stdin or URLs.
        let cases: [(Vec<&str>, Option<u64>); 4] = [
            (vec![folder.as_str()], Some(60)),
            (vec![folder.as_str(), explicit.as_str()], Some(65)),
            (vec![folder.as_str(), "-"], None),
            (vec!["https://example.org/a"], None),
        ];
        for (inputs, total) in cases {
            let sizes = input_sizes(&config(&inputs, true).ingest);
            assert_eq!(sizes.map(|s| s.values().sum::<u64>()), total, "{inputs:?}");
        }
    }

    #[test]
    fn progress_counts_text_within_each_file_and_whole_files_once_done() {
        let dir = tempfile::tempdir().expect("tempdir");
        let (a, b) = (dir.path().join("a.jsonl"), dir.path().join("b.txt"));
        std::fs::write(&a, vec![b'x'; 100]).expect("write");
        std::fs::write(&b, vec![b'x'; 50]).expect("write");
        let (a, b) = (a.display().to_string(), b.display().to_string());
        let mut p = Progress::new(&config(&[&a, &b], true));
        assert_eq!(p.bar.length(), Some(150));
        // (source, text bytes, expected position)
        let steps = [
            (format!("{a}:1"), 30, 30),
            (format!("{a}:2"), 90, 100), // text never counts past its file
            (b.clone(), 20, 120),        // a is done: all of its 100 bytes
            ("elsewhere".to_string(), 5, 125),
        ];
        for (source, bytes, position) in steps {
            p.article(&source, bytes);
            assert_eq!(p.bar.position(), position, "{source}");
        }
        p.stage("writing layers");
        assert_eq!(p.bar.position(), 150, "all read");
        // Without a total, the text read.
        let mut p = Progress::new(&config(&["-"], true));
        p.article("<stdin>", 7);
        p.article("<stdin>", 8);
        assert_eq!((p.bar.length(), p.bar.position()), (None, 15));
    }
}
