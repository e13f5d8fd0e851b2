//! Ingest: turns the user's inputs (text files, folders, JSON Lines, HTML pages, URLs, stdin)
//! into `Article`s with metadata and a date. One bad input never costs another its output:
//! it becomes a `Failure` in the stream and reading carries on.
//!
//! Inputs, in the order given, then the URLs of `--urls FILE`:
//! - a folder: read recursively, entries sorted by name, hidden entries (`.name`) skipped,
//!   only `.txt`, `.jsonl`/`.ndjson` and `.html`/`.htm` files taken; a folder reached twice
//!   (symlink loops) is read once;
//! - a file: by extension as above; a file named explicitly with another extension is
//!   sniffed (JSON Lines if it starts with `{`, HTML if it starts with markup, else text);
//! - `-`: standard input, sniffed the same way;
//! - an `http://` or `https://` URL (see `fetch`): HTML pages go through the HTML extractor,
//!   `text/plain` bodies are text.
//!
//! Limits: a text or HTML file over `max_file_bytes` is a failure (checked before reading).
//! JSON Lines files are streamed line by line, so the limit applies to each line instead
//! (`read_line_capped`: a longer line is skipped without being held). HTML nested deeper than
//! `html::MAX_DEPTH` elements keeps its text but loses the deeper tags (a warning). Folders
//! are walked with a queue, not recursion, so their depth is unbounded.
//!
//! Warnings are `Failure`s with `warning: true`: the article was still produced (bytes that
//! were not UTF-8 were replaced, a fetched page could not be cached). They should be shown
//! but not counted as failed inputs.
//!
//! Dates: `date` is `published` (metadata), else the first date the text states, else none.
//! With `date_from`/`date_to` set, articles outside the range and undated articles are
//! skipped (not failures); without a filter undated articles are kept.

pub mod dates;
mod decode;
pub mod fetch;
pub mod html;
pub mod ids;
mod jsonl;
pub mod language;
mod letters;

use std::collections::{HashSet, VecDeque};
use std::io::{BufRead, BufReader, Read};
use std::path::{Path, PathBuf};
use std::thread::JoinHandle;

use chrono::NaiveDate;
use serde::Serialize;

pub use dates::{date_in_text, iso_date, parse_metadata_date};
pub use fetch::FetchOptions;
pub use ids::safe_id;
pub use jsonl::article_from_json_line;

/// Where an article's `date` came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Default)]
#[serde(rename_all = "snake_case")]
pub enum DateSource {
    Metadata,
    Text,
    #[default]
    None,
}

impl DateSource {
    pub fn as_str(self) -> &'static str {
        match self {
            DateSource::Metadata => "metadata",
            DateSource::Text => "text",
            DateSource::None => "none",
        }
    }
}

/// Everything known about an article but its text.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ArticleMeta {
    /// Unique within a run (case-insensitively) and safe as a file name (see `safe_id`).
    pub id: String,
    /// Path or URL it was read from (with `:line` for JSON Lines); URLs without credentials.
    pub source: String,
    pub title: Option<String>,
    /// Publication date from metadata.
    pub published: Option<NaiveDate>,
    /// The article's date: `published`, else a date the text states.
    pub date: Option<NaiveDate>,
    pub date_source: DateSource,
    /// ISO 639-1 code, from metadata or detected.
    pub lang: Option<String>,
}

#[derive(Debug, Clone, Default)]
pub struct Article {
    pub meta: ArticleMeta,
    pub text: String,
}

/// An input that could not be read, with where and why; or, with `warning`, a problem that
/// did not stop its article from being produced.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Failure {
    /// Path or URL (without credentials).
    pub input: String,
    /// Line number for JSON Lines (from 1), else None.
    pub line: Option<usize>,
    pub message: String,
    /// True when the input's article was produced anyway.
    pub warning: bool,
}

impl Failure {
    pub fn error(
        input: impl Into<String>,
        line: Option<usize>,
        message: impl Into<String>,
    ) -> Self {
        Failure {
            input: input.into(),
            line,
            message: message.into(),
            warning: false,
        }
    }

    pub fn warning(
        input: impl Into<String>,
        line: Option<usize>,
        message: impl Into<String>,
    ) -> Self {
        Failure {
            warning: true,
            ..Failure::error(input, line, message)
        }
    }
}

impl std::fmt::Display for Failure {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let kind = if self.warning { "warning: " } else { "" };
        match self.line {
            Some(l) => write!(f, "{}: line {}: {kind}{}", self.input, l, self.message),
            None => write!(f, "{}: {kind}{}", self.input, self.message),
        }
    }
}

/// Options of ingest.
#[derive(Debug, Clone, PartialEq)]
pub struct IngestOptions {
    /// Files, folders, http(s) URLs, or `-` for standard input.
    pub inputs: Vec<String>,
    /// A file of URLs, one a line; blank lines and lines starting with `#` are ignored.
    pub urls_file: Option<PathBuf>,
    /// Folder where fetched pages are kept; a page found there is not fetched again.
    pub cache_dir: Option<PathBuf>,
    /// Keep only articles dated on or after this day (undated articles are then skipped).
    pub date_from: Option<NaiveDate>,
    /// Keep only articles dated on or before this day (undated articles are then skipped).
    pub date_to: Option<NaiveDate>,
    /// Largest text or HTML file (and JSON Lines line, and stdin text) read, in bytes.
    pub max_file_bytes: u64,
    pub fetch: FetchOptions,
}

impl Default for IngestOptions {
    fn default() -> Self {
        IngestOptions {
            inputs: Vec::new(),
            urls_file: None,
            cache_dir: None,
            date_from: None,
            date_to: None,
            max_file_bytes: 64 * 1024 * 1024,
            fetch: FetchOptions::default(),
        }
    }
}

/// Language of a text: an ISO 639-1 code among the seven article languages (id, en, uk, ru,
/// de, pl, fr), or None when the text is too short or unclear (see `language`).
pub fn detect_language(text: &str) -> Option<String> {
    language::detect(text).map(str::to_string)
}

/// Fills in what every article gets the same way: language (metadata, else detected) and
/// date (published, else the first date in the text).
fn complete(mut meta: ArticleMeta, text: String) -> Article {
    if meta.lang.is_none() {
        meta.lang = detect_language(&text);
    }
    if let Some(p) = meta.published {
        meta.date = Some(p);
        meta.date_source = DateSource::Metadata;
    } else if let Some(d) = date_in_text(&text, meta.lang.as_deref(), None) {
        meta.date = Some(d);
        meta.date_source = DateSource::Text;
    } else {
        meta.date = None;
        meta.date_source = DateSource::None;
    }
    Article { meta, text }
}

/// Every input's articles, in input order, as a stream (see the module docs).
pub fn articles(options: &IngestOptions) -> Articles {
    let mut queue = VecDeque::new();
    for input in &options.inputs {
        queue.push_back(classify_input(input, None));
    }
    if let Some(file) = &options.urls_file {
        queue.push_back(Unit::UrlsFile(file.clone()));
    }
    Articles {
        options: options.clone(),
        queue,
        lines: None,
        inflight: VecDeque::new(),
        ready: VecDeque::new(),
        fetcher: None,
        ids: ids::IdRegistry::new(),
        visited: HashSet::new(),
    }
}

/// The stream `articles` returns: `Ok(article)` or `Err(failure)` (warnings included), in
/// input order. Holds one input at a time (one JSON Lines line, or a few fetched pages).
pub struct Articles {
    options: IngestOptions,
    queue: VecDeque<Unit>,
    lines: Option<Lines>,
    inflight: VecDeque<JoinHandle<Vec<Item>>>,
    ready: VecDeque<Item>,
    fetcher: Option<Result<fetch::Fetcher, String>>,
    ids: ids::IdRegistry,
    visited: HashSet<PathBuf>,
}

type Item = Result<Article, Failure>;

enum Unit {
    Path { path: PathBuf, explicit: bool },
    Stdin,
    Url(String),
    UrlsFile(PathBuf),
    Failed(Failure),
}

/// A JSON Lines stream being read.
struct Lines {
    reader: Box<dyn BufRead + Send>,
    source: String,
    line_no: usize,
}

/// What a file holds, by extension or by sniffing.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Format {
    Text,
    JsonLines,
    Html,
}

fn format_of(path: &Path) -> Option<Format> {
    let ext = path.extension()?.to_str()?.to_ascii_lowercase();
    match ext.as_str() {
        "txt" | "text" => Some(Format::Text),
        "jsonl" | "ndjson" => Some(Format::JsonLines),
        "html" | "htm" | "xhtml" => Some(Format::Html),
        _ => None,
    }
}

fn sniff(head: &[u8]) -> Format {
    let start = head.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(head);
    let start: &[u8] = match start.iter().position(|b| !b.is_ascii_whitespace()) {
        Some(i) => &start[i..],
        None => return Format::Text,
    };
    if start.starts_with(b"{") {
        Format::JsonLines
    } else if start.starts_with(b"<")
        && html::looks_like_html(&String::from_utf8_lossy(&start[..start.len().min(1024)]))
    {
        Format::Html
    } else {
        Format::Text
    }
}

fn is_url(input: &str) -> bool {
    let lower = input.get(..8).unwrap_or(input).to_ascii_lowercase();
    lower.starts_with("http://") || lower.starts_with("https://")
}

fn classify_input(input: &str, origin: Option<(&Path, usize)>) -> Unit {
    if input == "-" && origin.is_none() {
        return Unit::Stdin;
    }
    if is_url(input) || origin.is_some() || input.contains("://") {
        return match fetch::check_url(input) {
            Ok(url) => Unit::Url(url.to_string()),
            Err(message) => Unit::Failed(match origin {
                Some((file, line)) => Failure::error(
                    file.display().to_string(),
                    Some(line),
                    format!("{}: {message}", fetch::redact(input)),
                ),
                None => Failure::error(fetch::redact(input), None, message),
            }),
        };
    }
    Unit::Path {
        path: PathBuf::from(input),
        explicit: true,
    }
}

impl Iterator for Articles {
    type Item = Item;

    fn next(&mut self) -> Option<Item> {
        loop {
            if let Some(item) = self.ready.pop_front() {
                match self.finish(item) {
                    Some(item) => return Some(item),
                    None => continue,
                }
            }
            if let Some(lines) = &mut self.lines {
                match next_line(lines, self.options.max_file_bytes) {
                    Some(items) => self.ready.extend(items),
                    None => self.lines = None,
                }
                continue;
            }
            // Keep up to `concurrency` fetches in flight; results come back in queue order.
            while self.inflight.len() < self.options.fetch.concurrency.max(1) {
                let Some(Unit::Url(url)) = self.queue.front() else {
                    break;
                };
                let url = url.clone();
                self.queue.pop_front();
                self.spawn_fetch(url);
            }
            if let Some(handle) = self.inflight.pop_front() {
                match handle.join() {
                    Ok(items) => self.ready.extend(items),
                    Err(_) => self.ready.push_back(Err(Failure::error(
                        "<fetch>",
                        None,
                        "bug: fetch thread panicked",
                    ))),
                }
                continue;
            }
            match self.queue.pop_front()? {
                Unit::Path { path, explicit } => self.read_path(path, explicit),
                Unit::Stdin => self.read_stdin(),
                Unit::UrlsFile(file) => self.read_urls_file(&file),
                Unit::Failed(f) => self.ready.push_back(Err(f)),
                // Only reached when concurrency is 0, which `max(1)` rules out.
                Unit::Url(url) => self.spawn_fetch(url),
            }
        }
    }
}

impl Articles {
    /// Applies the date filter and makes the id unique; None when the article is filtered out.
    fn finish(&mut self, item: Item) -> Option<Item> {
        let mut article = match item {
            Ok(a) => a,
            Err(f) => return Some(Err(f)),
        };
        let (from, to) = (self.options.date_from, self.options.date_to);
        if from.is_some() || to.is_some() {
            let date = article.meta.date?;
            if from.is_some_and(|f| date < f) || to.is_some_and(|t| date > t) {
                return None;
            }
        }
        let id = std::mem::take(&mut article.meta.id);
        article.meta.id = self.ids.unique(id);
        Some(Ok(article))
    }

    fn read_path(&mut self, path: PathBuf, explicit: bool) {
        let shown = path.display().to_string();
        let meta = match std::fs::metadata(&path) {
            Ok(m) => m,
            Err(e) => {
                self.ready.push_back(Err(Failure::error(
                    shown,
                    None,
                    format!("cannot read: {e}"),
                )));
                return;
            }
        };
        if meta.is_dir() {
            self.read_dir(&path);
            return;
        }
        let format = match format_of(&path) {
            Some(f) => f,
            None if explicit => match sniff_file(&path) {
                Ok(f) => f,
                Err(e) => {
                    self.ready.push_back(Err(Failure::error(
                        shown,
                        None,
                        format!("cannot read: {e}"),
                    )));
                    return;
                }
            },
            None => return,
        };
        if format == Format::JsonLines {
            match std::fs::File::open(&path) {
                Ok(file) => {
                    self.lines = Some(Lines {
                        reader: Box::new(BufReader::new(file)),
                        source: shown,
                        line_no: 0,
                    })
                }
                Err(e) => self.ready.push_back(Err(Failure::error(
                    shown,
                    None,
                    format!("cannot read: {e}"),
                ))),
            }
            return;
        }
        let limit = self.options.max_file_bytes;
        if meta.len() > limit {
            let message = format!(
                "too large: {}, over the limit of {}; skipped",
                human_size(meta.len()),
                limit_text(limit)
            );
            self.ready
                .push_back(Err(Failure::error(shown, None, message)));
            return;
        }
        let bytes = match read_limited(std::fs::File::open(&path), limit) {
            Ok(b) => b,
            Err(message) => {
                self.ready
                    .push_back(Err(Failure::error(shown, None, message)));
                return;
            }
        };
        let stem = path
            .file_stem()
            .map(|s| s.to_string_lossy().into_owned())
            .unwrap_or_default();
        let items = document(&bytes, format, &shown, &stem, None);
        self.ready.extend(items);
    }

    fn read_dir(&mut self, dir: &Path) {
        let shown = dir.display().to_string();
        // Canonical paths catch symlink loops and the same folder reached twice.
        match std::fs::canonicalize(dir) {
            Ok(canonical) => {
                if !self.visited.insert(canonical) {
                    return;
                }
            }
            Err(e) => {
                self.ready.push_back(Err(Failure::error(
                    shown,
                    None,
                    format!("cannot read folder: {e}"),
                )));
                return;
            }
        }
        let entries = match std::fs::read_dir(dir) {
            Ok(rd) => rd,
            Err(e) => {
                self.ready.push_back(Err(Failure::error(
                    shown,
                    None,
                    format!("cannot read folder: {e}"),
                )));
                return;
            }
        };
        let mut paths = Vec::new();
        for entry in entries {
            match entry {
                Ok(e) => {
                    if e.file_name().to_string_lossy().starts_with('.') {
                        continue;
                    }
                    let path = e.path();
                    // `metadata` follows symlinks: a link to a folder is walked (once).
                    let is_dir = std::fs::metadata(&path)
                        .map(|m| m.is_dir())
                        .unwrap_or(false);
                    if is_dir || format_of(&path).is_some() {
                        paths.push(path);
                    }
                }
                Err(e) => {
                    self.ready.push_back(Err(Failure::error(
                        shown.clone(),
                        None,
                        format!("cannot read folder entry: {e}"),
                    )));
                }
            }
        }
        paths.sort();
        for path in paths.into_iter().rev() {
            self.queue.push_front(Unit::Path {
                path,
                explicit: false,
            });
        }
    }

    fn read_stdin(&mut self) {
        let mut reader = BufReader::new(std::io::stdin());
        let head = match reader.fill_buf() {
            Ok(h) => h.to_vec(),
            Err(e) => {
                self.ready.push_back(Err(Failure::error(
                    "stdin",
                    None,
                    format!("cannot read: {e}"),
                )));
                return;
            }
        };
        // The first buffer may be only whitespace on a slow pipe; JSON Lines must then still
        // be recognised, so sniff what is there and read text formats whole.
        match sniff(&head) {
            Format::JsonLines => {
                self.lines = Some(Lines {
                    reader: Box::new(reader),
                    source: "stdin".into(),
                    line_no: 0,
                })
            }
            format => match read_limited(Ok(reader), self.options.max_file_bytes) {
                Ok(bytes) => {
                    let items = document(&bytes, format, "stdin", "stdin", None);
                    self.ready.extend(items);
                }
                Err(message) => self
                    .ready
                    .push_back(Err(Failure::error("stdin", None, message))),
            },
        }
    }

    fn read_urls_file(&mut self, file: &Path) {
        let shown = file.display().to_string();
        // Capped like any input file: a URL list is not a reason to hold a gigabyte.
        let bytes = match std::fs::File::open(file) {
            Ok(f) => read_limited(Ok(f), self.options.max_file_bytes),
            Err(e) => Err(format!("cannot read URL list: {e}")),
        };
        let text = match bytes.and_then(|b| decode::decode(&b)) {
            Ok((text, _)) => text,
            Err(message) => {
                self.ready
                    .push_back(Err(Failure::error(shown, None, message)));
                return;
            }
        };
        let units: Vec<Unit> = text
            .lines()
            .enumerate()
            .filter(|(_, l)| {
                let t = l.trim();
                !t.is_empty() && !t.starts_with('#')
            })
            .map(|(i, l)| classify_input(l.trim(), Some((file, i + 1))))
            .collect();
        for unit in units.into_iter().rev() {
            self.queue.push_front(unit);
        }
    }

    fn spawn_fetch(&mut self, url: String) {
        let fetcher = self
            .fetcher
            .get_or_insert_with(|| {
                fetch::Fetcher::new(&self.options.fetch, self.options.cache_dir.clone())
            })
            .clone();
        let handle = std::thread::spawn(move || fetch_article(fetcher, &url));
        self.inflight.push_back(handle);
    }
}

fn sniff_file(path: &Path) -> std::io::Result<Format> {
    let mut head = Vec::with_capacity(1024);
    std::fs::File::open(path)?
        .take(1024)
        .read_to_end(&mut head)?;
    Ok(sniff(&head))
}

/// All of a reader, or a message when it cannot be read or holds more than `limit` bytes
/// (the check on metadata can miss a file that grows, and stdin has no metadata).
fn read_limited<R: Read>(reader: std::io::Result<R>, limit: u64) -> Result<Vec<u8>, String> {
    let mut bytes = Vec::new();
    reader
        .and_then(|r| r.take(limit.saturating_add(1)).read_to_end(&mut bytes))
        .map_err(|e| format!("cannot read: {e}"))?;
    if bytes.len() as u64 > limit {
        return Err(format!(
            "too large: over the limit of {}; skipped",
            limit_text(limit)
        ));
    }
    Ok(bytes)
}

/// `1.5 MiB`, `12.0 KiB`, `100 bytes`: sizes in messages.
fn human_size(bytes: u64) -> String {
    const KIB: f64 = 1024.0;
    let b = bytes as f64;
    if b >= KIB * KIB * KIB {
        format!("{:.1} GiB", b / (KIB * KIB * KIB))
    } else if b >= KIB * KIB {
        format!("{:.1} MiB", b / (KIB * KIB))
    } else if b >= KIB {
        format!("{:.1} KiB", b / KIB)
    } else {
        format!("{bytes} bytes")
    }
}

/// `67108864 bytes (64.0 MiB)`: a limit, exact and readable.
fn limit_text(limit: u64) -> String {
    if limit < 1024 {
        format!("{limit} bytes")
    } else {
        format!("{limit} bytes ({})", human_size(limit))
    }
}

/// A whole text or HTML document → its article (and a warning), or a failure.
/// `id_base` is the id before it is made safe and unique (file stem, or URL id).
fn document(
    bytes: &[u8],
    format: Format,
    source: &str,
    id_base: &str,
    line: Option<usize>,
) -> Vec<Item> {
    let mut items = Vec::new();
    let text = match decode::decode(bytes) {
        Ok((text, warning)) => {
            if let Some(w) = warning {
                items.push(Err(Failure::warning(source, line, w)));
            }
            text
        }
        Err(message) => return vec![Err(Failure::error(source, line, message))],
    };
    if text.trim().is_empty() {
        let message = if bytes.is_empty() {
            "empty file"
        } else {
            "no text (only white space)"
        };
        return vec![Err(Failure::error(source, line, message))];
    }
    let mut meta = ArticleMeta {
        id: safe_id(id_base),
        source: source.to_string(),
        ..Default::default()
    };
    let body = match format {
        Format::Html => {
            let page = html::extract(&text);
            if let Some(w) = page.warning {
                items.push(Err(Failure::warning(source, line, w)));
            }
            if page.text.is_empty() {
                return vec![Err(Failure::error(
                    source,
                    line,
                    "HTML page has no body text",
                ))];
            }
            meta.title = page.title;
            meta.published = page.published;
            meta.lang = page.lang;
            page.text
        }
        Format::Text | Format::JsonLines => {
            // A first line short enough to be a headline is the title; the text stays whole.
            meta.title = text
                .lines()
                .map(str::trim)
                .find(|l| !l.is_empty())
                .filter(|l| l.chars().count() <= 200)
                .map(str::to_string);
            text
        }
    };
    items.push(Ok(complete(meta, body)));
    items
}

/// The next record of a JSON Lines stream (blank lines skipped), or None at its end.
fn next_line(lines: &mut Lines, limit: u64) -> Option<Vec<Item>> {
    let mut buf = Vec::new();
    loop {
        lines.line_no += 1;
        match read_line_capped(lines.reader.as_mut(), &mut buf, limit) {
            Ok(CappedLine::Line) => {}
            Ok(CappedLine::End) => return None,
            Ok(CappedLine::TooLong) => {
                return Some(vec![Err(Failure::error(
                    &lines.source,
                    Some(lines.line_no),
                    line_too_long(limit),
                ))]);
            }
            Err(e) => {
                let f = Failure::error(
                    &lines.source,
                    Some(lines.line_no),
                    format!("cannot read: {e}"),
                );
                // An unreadable stream is abandoned: retrying would fail the same way.
                lines.reader = Box::new(std::io::empty());
                return Some(vec![Err(f)]);
            }
        }
        if buf.iter().all(u8::is_ascii_whitespace) {
            continue;
        }
        let mut items = Vec::new();
        let line = match decode::decode(&buf) {
            Ok((text, warning)) => {
                if let Some(w) = warning {
                    items.push(Err(Failure::warning(&lines.source, Some(lines.line_no), w)));
                }
                text
            }
            Err(message) => {
                return Some(vec![Err(Failure::error(
                    &lines.source,
                    Some(lines.line_no),
                    message,
                ))])
            }
        };
        items.push(article_from_json_line(&line, &lines.source, lines.line_no));
        return Some(items);
    }
}

/// What `read_line_capped` found.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CappedLine {
    /// A line is in the buffer, with its `\n` unless it was the last line.
    Line,
    /// The line was longer than the limit and has been skipped to its end.
    TooLong,
    /// The end of the stream.
    End,
}

/// Reads the next line of `reader` into `buf` (cleared first) without ever holding more than
/// `limit + 1` bytes of it: a longer line is skipped to its end and reported as `TooLong`, so
/// a 1 GB line costs no more memory than the limit. For JSON Lines files and `frontmap tag`.
pub fn read_line_capped(
    reader: &mut dyn BufRead,
    buf: &mut Vec<u8>,
    limit: u64,
) -> std::io::Result<CappedLine> {
    buf.clear();
    let n = reader
        .take(limit.saturating_add(1))
        .read_until(b'\n', buf)?;
    if n == 0 {
        return Ok(CappedLine::End);
    }
    if buf.len() as u64 > limit && buf.last() != Some(&b'\n') {
        buf.clear();
        skip_line(reader);
        return Ok(CappedLine::TooLong);
    }
    Ok(CappedLine::Line)
}

/// The message for a line `read_line_capped` skipped.
pub fn line_too_long(limit: u64) -> String {
    format!(
        "too long: over the limit of {}; skipped, the next lines are read",
        limit_text(limit)
    )
}

/// Drops the rest of an over-long line without holding it in memory.
fn skip_line(reader: &mut dyn BufRead) {
    loop {
        let (consume, done) = match reader.fill_buf() {
            Ok([]) | Err(_) => return,
            Ok(buf) => match buf.iter().position(|&b| b == b'\n') {
                Some(i) => (i + 1, true),
                None => (buf.len(), false),
            },
        };
        reader.consume(consume);
        if done {
            return;
        }
    }
}

/// Runs on a fetch thread: the page at `url` as an article, or why not.
fn fetch_article(fetcher: Result<fetch::Fetcher, String>, url: &str) -> Vec<Item> {
    let shown = fetch::redact(url);
    let fetcher = match fetcher {
        Ok(f) => f,
        Err(message) => return vec![Err(Failure::error(shown, None, message))],
    };
    let parsed = match fetch::check_url(url) {
        Ok(u) => u,
        Err(message) => return vec![Err(Failure::error(shown, None, message))],
    };
    let page = match fetcher.fetch(&parsed) {
        Ok(p) => p,
        Err(message) => return vec![Err(Failure::error(shown, None, message))],
    };
    let mut items = Vec::new();
    if let Some(w) = &page.cache_error {
        items.push(Err(Failure::warning(&shown, None, w.clone())));
    }
    let content_type = page
        .content_type
        .as_deref()
        .unwrap_or("")
        .to_ascii_lowercase();
    let format = if content_type.contains("html") {
        Format::Html
    } else if content_type.starts_with("text/plain") {
        Format::Text
    } else if content_type.is_empty() {
        match sniff(&page.body) {
            Format::JsonLines => Format::Text,
            f => f,
        }
    } else {
        let message = format!(
            "unsupported content type '{content_type}' (frontmap reads HTML and plain text)"
        );
        items.push(Err(Failure::error(shown, None, message)));
        return items;
    };
    if page.body.is_empty() {
        items.push(Err(Failure::error(shown, None, "empty response body")));
        return items;
    }
    items.extend(document(
        &page.body,
        format,
        &shown,
        &ids::url_id(&shown),
        None,
    ));
    items
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sniffing() {
        let cases: &[(&[u8], Format)] = &[
            (b"{\"text\":\"a\"}\n", Format::JsonLines),
            (b"\xEF\xBB\xBF  {", Format::JsonLines),
            (b"<!doctype html><p>x</p>", Format::Html),
            (b"<html><body><p>x</p></body></html>", Format::Html),
            (b"<3 this is text", Format::Text),
            (b"Plain text", Format::Text),
            (b"   ", Format::Text),
        ];
        for (head, want) in cases {
            assert_eq!(sniff(head), *want, "{:?}", String::from_utf8_lossy(head));
        }
    }

    #[test]
    fn languages() {
        let cases = [
            ("The troops advanced towards the city on Monday, officials said, and the shelling continued through the night.", Some("en")),
            ("Pasukan Rusia menyerang kota itu pada hari Senin, kata pejabat setempat, dan penembakan berlanjut sepanjang malam.", Some("id")),
            ("Війська просунулися до міста в понеділок, повідомили посадовці, а обстріли тривали всю ніч.", Some("uk")),
            ("Войска продвинулись к городу в понедельник, сообщили чиновники, а обстрелы продолжались всю ночь.", Some("ru")),
            ("Die Truppen rückten am Montag auf die Stadt vor, sagten Beamte, und der Beschuss dauerte die ganze Nacht.", Some("de")),
            ("Wojska posuwały się w kierunku miasta w poniedziałek, powiedzieli urzędnicy, a ostrzał trwał całą noc.", Some("pl")),
            ("Les troupes ont avancé vers la ville lundi, selon les responsables, et les bombardements ont duré toute la nuit.", Some("fr")),
            ("", None),
            ("12345 !!!", None),
        ];
        for (text, want) in cases {
            assert_eq!(detect_language(text).as_deref(), want, "{text}");
        }
    }

    #[test]
    fn url_inputs() {
        assert!(matches!(
            classify_input("https://example.com/a", None),
            Unit::Url(_)
        ));
        assert!(matches!(
            classify_input("HTTP://example.com/a", None),
            Unit::Url(_)
        ));
        assert!(matches!(classify_input("-", None), Unit::Stdin));
        assert!(matches!(
            classify_input("dir/file.txt", None),
            Unit::Path { .. }
        ));
        match classify_input("ftp://u:pw@example.com/a", None) {
            Unit::Failed(f) => {
                assert_eq!(f.input, "ftp://example.com/a");
                assert!(f.message.contains("unsupported URL scheme"));
            }
            _ => panic!("ftp must fail"),
        }
        match classify_input("not a url", Some((Path::new("urls.txt"), 4))) {
            Unit::Failed(f) => assert_eq!((f.input.as_str(), f.line), ("urls.txt", Some(4))),
            _ => panic!("bad URL line must fail"),
        }
    }
}
