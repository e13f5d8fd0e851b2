//! Layers: writes the GeoJSON layers, `mentions.jsonl`, the coverage tables and the manifest.
//!
//! Takes the gazetteer, every article's result, the clusters and the coverage; gives files in
//! `out` (all RFC 7946: WGS84 `[lon, lat]`, coordinates rounded to 6 decimals, no `crs`):
//!
//! | file | what |
//! |---|---|
//! | `articles/<id>.geojson` | one Point per place per article (the events of a place merged) |
//! | `events.geojson` | all those features in one layer |
//! | `dates/<YYYY-MM-DD>.geojson`, `dates/undated.geojson` | the same features by article date |
//! | `mentions.jsonl` | one line per event (mention), article order then text order |
//! | `clusters.geojson`, `cluster_hulls.geojson` | cluster centroids; hulls buffered by radius/4 |
//! | `areas.geojson` | the areas with `events` and `articles` counts (a choropleth) |
//! | `front_lines.geojson` | the line of contact of each occupied snapshot used (`--occupied`) |
//! | `coverage.csv`, `coverage.json` | which areas each article covers |
//! | `manifest.json`, `failures.jsonl` | inputs, options, counts, attribution, files; failed inputs |
//!
//! Schema rules, so that QGIS (OGR) guesses one field type per property in every layer: every
//! feature of a layer has the same keys, in the same order, with the same JSON type. Unknown
//! text is `""`; `occupied` is the text `"yes"`, `"no"` or `""` (unknown); unknown
//! `front_distance_km` is `-1.0`. Dates (`published`, `date`, `first_date`, `last_date`) are ISO
//! `YYYY-MM-DD` text or `null` when unknown: OGR reads an all-ISO column as a Date, which the
//! QGIS temporal controller animates, and ignores nulls when guessing, while a `""` would make the
//! column text. Offsets (`first_offset`, `start`, `end`) count characters (Unicode scalar
//! values) of the article text as ingested.
//!
//! Streaming: `Formatter` turns one article into its share of every layer (on any thread),
//! `LayerWriter` appends those shares in input order and keeps a few dozen bytes per article;
//! `write` is the two over results held in memory. Features carry their cluster id, known only
//! once every article is in, so they wait in a spool file (in `out`, removed at the end) until
//! `LayerWriter::finish` writes `events.geojson`, `articles/` and `dates/` from it.
//!
//! Every file is written atomically: a temporary file in `out` (for `articles/` and `dates/`, in
//! `out/.frontmap-staging/`, see `staging_dir`), and only once every file is written in full are
//! they all renamed into place (`atomic::Staged`), so that a reader never sees half a file and
//! a run that fails half-way (a full disk) leaves the previous layers as they were. The
//! manifest goes last. A rerun into the same
//! `out` then deletes the files the previous `manifest.json` lists and this run did not write
//! again, and nothing else.

use std::collections::{BTreeMap, BTreeSet, HashSet};
use std::io::Write;
use std::path::{Component, Path, PathBuf};
use std::sync::OnceLock;

use chrono::NaiveDate;

use serde::Serialize;
use serde_json::Value;

use crate::areas::geom::{self, feature_collection, feature_line, round_to};
use crate::areas::{coverage_line, ArticleCoverage, Coverage, EventCoverage};
use crate::atomic::{temp_file_in, temp_folder_in, Staged};
use crate::cluster::Cluster;
use crate::error::{Error, Result};
use crate::gazetteer::{Gazetteer, Kind};
use crate::ingest::{iso_date, Failure};
use crate::resolve::{ArticleResult, Event};

/// Coordinates in every layer are rounded to this many decimals (~0.1 m).
pub const DECIMALS: i32 = 6;
/// The hull of a cluster is buffered by its radius divided by this.
const HULL_BUFFER_DIVISOR: f64 = 4.0;

/// What the run was, for `manifest.json`.
#[derive(Debug, Clone, PartialEq)]
pub struct RunInfo {
    /// The inputs as given (paths, URLs, `-`).
    pub inputs: Vec<String>,
    /// Cluster link distance, km.
    pub radius_km: f64,
    /// The areas file used.
    pub areas_file: String,
    /// The occupied-territory file, when given.
    pub occupied_file: Option<String>,
    /// The gazetteer folder and its version (e.g. its build date or commit).
    pub gazetteer_dir: String,
    pub gazetteer_version: String,
    /// Inputs that could not be read, and warnings (`failures.jsonl`, one line each).
    pub failures: Vec<Failure>,
    pub frontmap_version: String,
    /// Which of the big feature layers to write.
    pub feature_layers: FeatureLayers,
}

/// The feature layers that each hold every feature once: `events.geojson`, `dates/` and
/// `articles/`. All by default; an archive run may skip some (each is about a quarter of the
/// output, and `articles/` is a file per article). The other layers are always written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FeatureLayers {
    pub events: bool,
    pub dates: bool,
    pub articles: bool,
}

impl Default for FeatureLayers {
    fn default() -> Self {
        FeatureLayers {
            events: true,
            dates: true,
            articles: true,
        }
    }
}

impl FeatureLayers {
    /// The names of the layers written, for the manifest.
    pub fn names(&self) -> Vec<&'static str> {
        [
            (self.events, "events"),
            (self.dates, "dates"),
            (self.articles, "articles"),
        ]
        .iter()
        .filter(|(on, _)| *on)
        .map(|(_, name)| *name)
        .collect()
    }
}

impl Default for RunInfo {
    fn default() -> Self {
        RunInfo {
            inputs: Vec::new(),
            radius_km: crate::cluster::ClusterOptions::default().radius_km,
            areas_file: String::new(),
            occupied_file: None,
            gazetteer_dir: String::new(),
            gazetteer_version: String::new(),
            failures: Vec::new(),
            frontmap_version: env!("CARGO_PKG_VERSION").to_string(),
            feature_layers: FeatureLayers::default(),
        }
    }
}

/// The files `write` wrote and removed, relative to `out` with `/` separators, sorted.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Written {
    pub files: Vec<String>,
    /// Files of the previous run (per its manifest) that this run did not write again.
    pub removed: Vec<String>,
}

/// Attribution of the data behind the layers; printed in the manifest.
pub const ATTRIBUTION: [&str; 4] = [
    "Place names and points: GeoNames (geonames.org), CC BY 4.0",
    "Settlement points: (c) OpenStreetMap contributors, ODbL 1.0",
    "Localities: Who's On First (whosonfirst.org), CC BY",
    "Boundaries: Natural Earth (naturalearthdata.com), public domain",
];

/// The fixed top-level files; with `articles/*.geojson` and `dates/*.geojson` they are the only
/// names a rerun may delete.
const TOP_FILES: [&str; 10] = [
    "areas.geojson",
    "cluster_hulls.geojson",
    "clusters.geojson",
    "coverage.csv",
    "coverage.json",
    "events.geojson",
    "failures.jsonl",
    "front_lines.geojson",
    "manifest.json",
    "mentions.jsonl",
];

/// Writes every layer into `out` (see the module docs). `coverage` should come from `cover`
/// over the same `results` (an empty `Coverage::default()` means no area information).
pub fn write(
    out: &Path,
    gaz: &Gazetteer,
    results: &[ArticleResult],
    clusters: &[Cluster],
    coverage: &Coverage,
    run: &RunInfo,
) -> Result<Written> {
    check_ids(results)?;
    let format = Formatter::new(
        gaz,
        coverage.areas.iter().map(|t| t.area.id.clone()).collect(),
    );
    let mut writer = LayerWriter::new(out, gaz, coverage.with_occupied)?;
    for (i, r) in results.iter().enumerate() {
        writer.add(format.article(r, coverage.articles.get(i))?)?;
    }
    Ok(writer.finish(clusters, coverage, run, &[])?.written)
}

/// One article's part of every layer, formatted where the article was processed (any thread):
/// `frontmap map` makes these on all cores and keeps only their bytes, in order, in a
/// `LayerWriter`.
#[derive(Debug, Clone)]
pub struct ArticleLayers {
    id: String,
    source: String,
    date: Option<NaiveDate>,
    /// The place of every event, in event order.
    places: Vec<u32>,
    mentions: Vec<u8>,
    /// The features (one per place), each split where its cluster id goes: see `split_feature`.
    features: Vec<u8>,
    feature_count: u32,
    csv: String,
    json: String,
    /// Indices of the areas the article covers, most mentions first.
    areas: Vec<u32>,
}

impl ArticleLayers {
    pub fn id(&self) -> &str {
        &self.id
    }

    pub fn date(&self) -> Option<NaiveDate> {
        self.date
    }

    /// The gazetteer index of every event's place, in event order.
    pub fn places(&self) -> &[u32] {
        &self.places
    }
}

/// Formats articles' share of the layers (`ArticleLayers`), from any number of threads. The
/// text of every gazetteer place it meets is made once and kept: most events name a place
/// that an earlier article named too.
pub struct Formatter<'g> {
    gaz: &'g Gazetteer,
    /// The ids of the areas that coverage indices refer to.
    area_ids: Vec<String>,
    places: Vec<OnceLock<PlaceText>>,
}

/// The JSON text of one place's properties, as features and mention lines write them.
#[derive(Debug, Clone)]
struct PlaceText {
    /// `"place_id":…,"name":…,"kind":…,"country":…,"admin1":…`
    names: String,
    /// `"lat":…,"lon":…`
    lat_lon: String,
    /// The Point geometry.
    point: String,
    /// `,"geo_precision":…,"precision":…` as mention lines end a place, and
    /// `,"precision":…,"geo_precision":…` as features have it.
    mention_precision: String,
    feature_precision: String,
}

impl PlaceText {
    fn new(gaz: &Gazetteer, place: &crate::gazetteer::Place) -> PlaceText {
        let mut names = Vec::new();
        names.extend_from_slice(b"\"place_id\":");
        json_str(&mut names, &place.id);
        names.extend_from_slice(b",\"name\":");
        json_str(&mut names, &place.name);
        names.extend_from_slice(b",\"kind\":");
        json_str(&mut names, place.kind.as_str());
        names.extend_from_slice(b",\"country\":");
        json_str(&mut names, &place.country);
        names.extend_from_slice(b",\"admin1\":");
        json_str(&mut names, gaz.admin1_name(place));
        let mut lat_lon = Vec::new();
        lat_lon.extend_from_slice(b"\"lat\":");
        json_f64(&mut lat_lon, round_to(place.lat, DECIMALS));
        lat_lon.extend_from_slice(b",\"lon\":");
        json_f64(&mut lat_lon, round_to(place.lon, DECIMALS));
        let (precision, geo_precision) = (place.precision.as_str(), place.geo_precision());
        PlaceText {
            names: utf8(names),
            lat_lon: utf8(lat_lon),
            point: geom::point_json(place.lon, place.lat, DECIMALS),
            mention_precision: format!(
                ",\"geo_precision\":{geo_precision},\"precision\":\"{precision}\""
            ),
            feature_precision: format!(
                ",\"precision\":\"{precision}\",\"geo_precision\":{geo_precision}"
            ),
        }
    }
}

/// Bytes this module made from `str`s and ASCII.
pub(crate) fn utf8(bytes: Vec<u8>) -> String {
    String::from_utf8(bytes).unwrap_or_else(|e| String::from_utf8_lossy(e.as_bytes()).into_owned())
}

impl<'g> Formatter<'g> {
    /// `area_ids[i]` is the id of the area that coverage index `i` means.
    pub fn new(gaz: &'g Gazetteer, area_ids: Vec<String>) -> Formatter<'g> {
        Formatter {
            gaz,
            area_ids,
            places: (0..gaz.places.len()).map(|_| OnceLock::new()).collect(),
        }
    }

    /// The text of place `index` (an error naming the article when it is not in the gazetteer).
    fn place(&self, r: &ArticleResult, index: u32) -> Result<std::borrow::Cow<'_, PlaceText>> {
        let place = place_of(self.gaz, r, index)?;
        Ok(match self.places.get(index as usize) {
            Some(cell) => {
                std::borrow::Cow::Borrowed(cell.get_or_init(|| PlaceText::new(self.gaz, place)))
            }
            None => std::borrow::Cow::Owned(PlaceText::new(self.gaz, place)),
        })
    }

    /// One article's features, `mentions.jsonl` lines and coverage rows. `cov` is its
    /// coverage (None: no area information).
    pub fn article(
        &self,
        r: &ArticleResult,
        cov: Option<&ArticleCoverage>,
    ) -> Result<ArticleLayers> {
        let date = r.meta.date.map(iso_date);
        // Sized for a typical line and feature, so the buffers seldom grow.
        let mut mentions = Vec::with_capacity(r.events.len() * 384);
        self.mentions(&mut mentions, r, date.as_deref())?;
        let mut features = Vec::with_capacity(256 + r.events.len() * 256);
        let feature_count = self.features(r, cov, date.as_deref(), &mut features)?;
        let csv = cov
            .map(|a| coverage_rows(r, a, date.as_deref()))
            .unwrap_or_default();
        let json = coverage_article_json(r, cov);
        Ok(ArticleLayers {
            id: r.meta.id.clone(),
            source: r.meta.source.clone(),
            date: r.meta.date,
            places: r.events.iter().map(|e| e.place).collect(),
            mentions,
            features,
            feature_count,
            csv,
            json,
            areas: cov
                .map(|a| a.areas.iter().map(|h| h.area as u32).collect())
                .unwrap_or_default(),
        })
    }

    /// The `mentions.jsonl` lines of one article, in text order.
    fn mentions(&self, out: &mut Vec<u8>, r: &ArticleResult, date: Option<&str>) -> Result<()> {
        let mut events: Vec<&Event> = r.events.iter().collect();
        events.sort_by_key(|e| (e.start, e.end));
        // What every line of the article starts and ends with.
        let mut head = b"{\"article\":".to_vec();
        json_str(&mut head, &r.meta.id);
        head.extend_from_slice(b",\"start\":");
        let mut tail = b",\"date\":".to_vec();
        json_opt_str(&mut tail, date);
        tail.extend_from_slice(b"}\n");
        for e in events {
            let place = self.place(r, e.place)?;
            out.extend_from_slice(&head);
            json_u64(out, e.start as u64);
            out.extend_from_slice(b",\"end\":");
            json_u64(out, e.end as u64);
            out.extend_from_slice(b",\"surface\":");
            json_str(out, &e.surface);
            out.push(b',');
            out.extend_from_slice(place.names.as_bytes());
            out.push(b',');
            out.extend_from_slice(place.lat_lon.as_bytes());
            out.extend_from_slice(b",\"rule\":");
            json_plain(out, e.rule);
            out.extend_from_slice(b",\"confidence\":");
            json_f64(out, round_to(e.confidence, 3));
            out.extend_from_slice(b",\"candidates\":");
            json_u64(out, e.candidates as u64);
            out.extend_from_slice(b",\"cue\":");
            json_str(out, e.cue.as_deref().unwrap_or(""));
            out.extend_from_slice(b",\"role\":");
            json_plain(out, e.role.as_str());
            out.extend_from_slice(place.mention_precision.as_bytes());
            out.extend_from_slice(&tail);
        }
        Ok(())
    }

    /// One feature per place of the article, ordered by first mention, appended to `spool` as
    /// a record that `Splice` completes with the place's text and cluster id: the text all the
    /// article's features start with (length-prefixed, u32 LE), then per feature the place
    /// index (u32 LE) and the text of its own properties from `"mentions"` to `"areas"`
    /// (length-prefixed). Returns the number of features.
    fn features(
        &self,
        r: &ArticleResult,
        cov: Option<&ArticleCoverage>,
        date: Option<&str>,
        spool: &mut Vec<u8>,
    ) -> Result<u32> {
        type Group<'a> = (u32, Vec<(&'a Event, Option<&'a EventCoverage>)>);
        let mut groups: Vec<Group<'_>> = Vec::new();
        let mut slot: BTreeMap<u32, usize> = BTreeMap::new();
        let mut order: Vec<usize> = (0..r.events.len()).collect();
        order.sort_by_key(|&j| (r.events[j].start, r.events[j].end));
        for j in order {
            let e = &r.events[j];
            let ec = cov.and_then(|c| c.events.get(j));
            let k = *slot.entry(e.place).or_insert_with(|| {
                groups.push((e.place, Vec::new()));
                groups.len() - 1
            });
            groups[k].1.push((e, ec));
        }
        // What every feature of the article starts with.
        let meta = &r.meta;
        let mut head = Vec::new();
        head.extend_from_slice(b"{\"type\":\"Feature\",\"properties\":{\"article\":");
        json_str(&mut head, &meta.id);
        head.extend_from_slice(b",\"title\":");
        json_str(&mut head, meta.title.as_deref().unwrap_or(""));
        head.extend_from_slice(b",\"source\":");
        json_str(&mut head, &meta.source);
        head.extend_from_slice(b",\"published\":");
        let published = meta.published.map(iso_date);
        json_opt_str(&mut head, published.as_deref());
        head.extend_from_slice(b",\"date\":");
        json_opt_str(&mut head, date);
        head.extend_from_slice(b",\"date_source\":");
        json_plain(&mut head, meta.date_source.as_str());
        head.extend_from_slice(b",\"lang\":");
        json_str(&mut head, meta.lang.as_deref().unwrap_or(""));
        head.push(b',');
        spool.extend_from_slice(&(head.len() as u32).to_le_bytes());
        spool.extend_from_slice(&head);

        let count = groups.len() as u32;
        let mut joined = String::new();
        for (place_index, events) in groups {
            let place = self.place(r, place_index)?;
            let (first, first_cov) = events[0];
            // The distinct surfaces in byte order, joined by '|'.
            let mut surfaces: Vec<&str> = events.iter().map(|(e, _)| e.surface.as_str()).collect();
            surfaces.sort_unstable();
            surfaces.dedup();
            let confidence = events
                .iter()
                .map(|(e, _)| e.confidence)
                .fold(f64::MIN, f64::max);
            let in_areas = first_cov
                .into_iter()
                .flat_map(|c| &c.areas)
                .filter_map(|&a| self.area_ids.get(a).map(String::as_str));
            let front = first_cov
                .and_then(|c| c.front)
                .and_then(|a| self.area_ids.get(a))
                .map_or("", String::as_str);

            spool.extend_from_slice(&place_index.to_le_bytes());
            let at = spool.len();
            spool.extend_from_slice(&[0; 4]);
            spool.extend_from_slice(b",\"mentions\":");
            json_u64(spool, events.len() as u64);
            spool.extend_from_slice(b",\"surfaces\":");
            joined.clear();
            join_into(&mut joined, surfaces.into_iter());
            json_str(spool, &joined);
            spool.extend_from_slice(b",\"first_offset\":");
            json_u64(spool, first.start as u64);
            spool.extend_from_slice(b",\"snippet\":");
            json_str(spool, &first.snippet);
            spool.extend_from_slice(place.feature_precision.as_bytes());
            spool.extend_from_slice(b",\"rule\":");
            json_plain(spool, first.rule);
            spool.extend_from_slice(b",\"confidence\":");
            json_f64(spool, round_to(confidence, 3));
            spool.extend_from_slice(b",\"candidates\":");
            json_u64(spool, first.candidates as u64);
            spool.extend_from_slice(b",\"cue\":");
            json_str(spool, first.cue.as_deref().unwrap_or(""));
            spool.extend_from_slice(b",\"role\":");
            json_plain(spool, first.role.as_str());
            spool.extend_from_slice(b",\"occupied\":");
            json_plain(spool, occupied_text(first_cov));
            spool.extend_from_slice(b",\"front_distance_km\":");
            json_f64(spool, front_distance(first_cov));
            spool.extend_from_slice(b",\"front\":");
            json_str(spool, front);
            spool.extend_from_slice(b",\"areas\":");
            joined.clear();
            join_into(&mut joined, in_areas);
            json_str(spool, &joined);
            let n = (spool.len() - at - 4) as u32;
            spool[at..at + 4].copy_from_slice(&n.to_le_bytes());
        }
        Ok(count)
    }
}

/// Appends `s` as a JSON string, escaped exactly as serde_json escapes (the layers' bytes do
/// not change with the writer).
pub(crate) fn json_str(out: &mut Vec<u8>, s: &str) {
    const HEX: &[u8; 16] = b"0123456789abcdef";
    let bytes = s.as_bytes();
    out.reserve(bytes.len() + 2);
    out.push(b'"');
    // Most text needs no escape: copied in runs between the bytes that do.
    let mut start = 0;
    while let Some(k) = first_escape(&bytes[start..]) {
        let i = start + k;
        let b = bytes[i];
        let escape: &[u8] = match b {
            b'"' => b"\\\"",
            b'\\' => b"\\\\",
            b'\n' => b"\\n",
            b'\r' => b"\\r",
            b'\t' => b"\\t",
            0x08 => b"\\b",
            0x0c => b"\\f",
            _ => &[],
        };
        out.extend_from_slice(&bytes[start..i]);
        if escape.is_empty() {
            let hex = [HEX[(b >> 4) as usize], HEX[(b & 0xf) as usize]];
            out.extend_from_slice(b"\\u00");
            out.extend_from_slice(&hex);
        } else {
            out.extend_from_slice(escape);
        }
        start = i + 1;
    }
    out.extend_from_slice(&bytes[start..]);
    out.push(b'"');
}

/// Appends one of this program's own names (a rule, role, precision, date source or
/// occupied value, a coverage key), which never need an escape, as a JSON string.
fn json_plain(out: &mut Vec<u8>, s: &str) {
    debug_assert!(!s.bytes().any(needs_escape), "{s:?} needs escapes");
    out.reserve(s.len() + 2);
    out.push(b'"');
    out.extend_from_slice(s.as_bytes());
    out.push(b'"');
}

/// Whether JSON text escapes byte `b` (a control character, `"` or `\\`), as
/// `first_escape` tests sixteen or eight at a time.
fn needs_escape(b: u8) -> bool {
    b < 0x20 || b == b'"' || b == b'\\'
}

/// Offset of the first byte JSON text escapes (a control character, `"` or `\\`), if any:
/// sixteen bytes at a time with SSE2, then eight, then one. (A feature's titles and snippets
/// are long enough that the eight-byte scan alone was 4 % of `map`'s instructions.)
fn first_escape(bytes: &[u8]) -> Option<usize> {
    let mut at = 0;
    #[cfg(target_arch = "x86_64")]
    if let Some(&last) = bytes.last_chunk::<16>() {
        while let Some(chunk) = bytes.get(at..at + 16).and_then(|c| c.first_chunk::<16>()) {
            let mask = escape_mask16(chunk);
            if mask != 0 {
                return Some(at + mask.trailing_zeros() as usize);
            }
            at += 16;
        }
        // The rest, as the last sixteen bytes less those already seen (no byte loop).
        let from = bytes.len() - 16;
        let mask = escape_mask16(&last) >> (at - from).min(16);
        return (mask != 0).then(|| at + mask.trailing_zeros() as usize);
    }
    while let Some(chunk) = bytes.get(at..at + 8).and_then(|c| c.first_chunk::<8>()) {
        let bits = escape_bits8(u64::from_le_bytes(*chunk));
        if bits != 0 {
            return Some(at + bits.trailing_zeros() as usize / 8);
        }
        at += 8;
    }
    bytes[at..]
        .iter()
        .position(|&b| needs_escape(b))
        .map(|k| at + k)
}

/// Bit k set when byte k of `chunk` `needs_escape`.
#[cfg(target_arch = "x86_64")]
fn escape_mask16(chunk: &[u8; 16]) -> u32 {
    use std::arch::x86_64::{
        _mm_cmpeq_epi8, _mm_loadu_si128, _mm_movemask_epi8, _mm_or_si128, _mm_set1_epi8,
        _mm_setzero_si128, _mm_subs_epu8,
    };
    // SAFETY: SSE2 is part of x86_64; the load is unaligned and inside `chunk`.
    unsafe {
        let v = _mm_loadu_si128(chunk.as_ptr().cast());
        // Under 0x20: nothing left after an unsigned saturating subtraction of 0x1f.
        let control = _mm_cmpeq_epi8(_mm_subs_epu8(v, _mm_set1_epi8(0x1f)), _mm_setzero_si128());
        let quote = _mm_cmpeq_epi8(v, _mm_set1_epi8(b'"' as i8));
        let backslash = _mm_cmpeq_epi8(v, _mm_set1_epi8(b'\\' as i8));
        _mm_movemask_epi8(_mm_or_si128(control, _mm_or_si128(quote, backslash))) as u32
    }
}

/// The high bit of each byte of `x` (little-endian) that `needs_escape`, and maybe of bytes
/// after such a byte (a borrow), never before the first: its lowest set bit is exact.
fn escape_bits8(x: u64) -> u64 {
    const ONES: u64 = 0x0101_0101_0101_0101;
    const HIGHS: u64 = 0x8080_8080_8080_8080;
    // Non-zero when some byte of `x` is zero (and, below, when some byte is under 0x20).
    let zero_bytes = |x: u64| x.wrapping_sub(ONES) & !x & HIGHS;
    let control = x.wrapping_sub(ONES * 0x20) & !x & HIGHS;
    control | zero_bytes(x ^ (ONES * b'"' as u64)) | zero_bytes(x ^ (ONES * b'\\' as u64))
}

fn json_opt_str(out: &mut Vec<u8>, s: Option<&str>) {
    match s {
        Some(s) => json_str(out, s),
        None => out.extend_from_slice(b"null"),
    }
}

/// A number as serde_json writes it: shortest round-trip form, `null` when not finite.
pub(crate) fn json_f64(out: &mut Vec<u8>, x: f64) {
    use serde_json::ser::Formatter as _;
    if x.is_finite() {
        // Writing into a Vec cannot fail.
        let _ = serde_json::ser::CompactFormatter.write_f64(out, x);
    } else {
        out.extend_from_slice(b"null");
    }
}

pub(crate) fn json_u64(out: &mut Vec<u8>, n: u64) {
    use serde_json::ser::Formatter as _;
    let _ = serde_json::ser::CompactFormatter.write_u64(out, n);
}

/// Writes the layers as articles come (see `write`, which it implements): `mentions.jsonl`
/// and the coverage tables go straight to temporary files in `out`, the features (which
/// need the clusters, known only at the end) to a temporary spool file, and only a few dozen
/// bytes per article stay in memory. `finish` then writes the feature layers from the spool,
/// renames everything into place, writes the manifest last and removes stale files.
pub struct LayerWriter<'g> {
    out: PathBuf,
    gaz: &'g Gazetteer,
    previous: BTreeSet<String>,
    /// Lower-cased ids seen, for `check_id`.
    seen: HashSet<String>,
    mentions: Spill,
    csv: Spill,
    json: Spill,
    spool: Spill,
    spooled: u64,
    articles: Vec<Entry>,
    events: usize,
    features: usize,
    /// One bit per gazetteer place: named by some event.
    places: Vec<u64>,
}

/// What stays in memory per article.
#[derive(Debug)]
struct Entry {
    id: Box<str>,
    date: Option<NaiveDate>,
    events: u32,
    spool_offset: u64,
    spool_len: u32,
    features: u32,
    areas: Box<[u32]>,
}

/// A temporary file in `dir` being written, buffered, for `target`: staged to be renamed into
/// place at the end, or dropped (and removed). Errors name `target`.
struct Spill {
    file: std::io::BufWriter<tempfile::NamedTempFile>,
    target: PathBuf,
}

impl Spill {
    fn new(dir: &Path, target: PathBuf) -> Result<Spill> {
        Spill::with_capacity(1 << 20, dir, target)
    }

    fn with_capacity(capacity: usize, dir: &Path, target: PathBuf) -> Result<Spill> {
        Ok(Spill {
            file: std::io::BufWriter::with_capacity(capacity, temp_file_in(dir, &target)?),
            target,
        })
    }

    fn write(&mut self, bytes: &[u8]) -> Result<()> {
        self.file
            .write_all(bytes)
            .map_err(|e| Error::write(&self.target, e))
    }

    fn into_temp(self) -> Result<tempfile::NamedTempFile> {
        let target = self.target;
        self.file
            .into_inner()
            .map_err(|e| Error::write(&target, e.into_error()))
    }

    /// Closes the file and gives it its target's file name in `folder`, a staged folder
    /// nobody else sees yet.
    fn place_in(self, folder: &Path) -> Result<()> {
        let target = self.target.clone();
        let name = target.file_name().unwrap_or_default();
        self.into_temp()?
            .persist(folder.join(name))
            .map_err(|e| Error::write(&target, e.error))?;
        Ok(())
    }

    /// Closes the file and stages it to become its target.
    fn stage(self, staged: &mut Staged) -> Result<()> {
        let target = self.target.clone();
        staged.push(self.into_temp()?.into_temp_path(), target);
        Ok(())
    }
}

const COLLECTION_HEAD: &str = "{\"type\":\"FeatureCollection\",\"features\":[\n";
const COLLECTION_TAIL: &str = "\n]}\n";
const EMPTY_COLLECTION: &str = "{\"type\":\"FeatureCollection\",\"features\":[]}\n";

/// What `LayerWriter::finish` gives: the files, and the features of the articles asked for.
#[derive(Debug, Default)]
pub struct Finished {
    pub written: Written,
    /// The feature texts (one GeoJSON Feature each) of the articles `finish` was asked to
    /// show, in layer order.
    pub shown_features: Vec<String>,
    /// Those articles' covered area ids, by article id.
    pub shown_areas: BTreeMap<String, BTreeSet<String>>,
}

impl<'g> LayerWriter<'g> {
    /// Starts a run into `out` (created when missing). `with_occupied` goes into
    /// `coverage.json` first.
    pub fn new(out: &Path, gaz: &'g Gazetteer, with_occupied: bool) -> Result<LayerWriter<'g>> {
        prepare_out(out)?;
        let previous = previous_files(out);
        let mut json = Spill::new(out, out.join("coverage.json"))?;
        json.write(
            format!("{{\n  \"with_occupied\": {with_occupied},\n  \"articles\": [").as_bytes(),
        )?;
        let mut csv = Spill::new(out, out.join("coverage.csv"))?;
        csv.write(CSV_HEADER.as_bytes())?;
        csv.write(b"\n")?;
        Ok(LayerWriter {
            out: out.to_path_buf(),
            gaz,
            previous,
            seen: HashSet::new(),
            mentions: Spill::new(out, out.join("mentions.jsonl"))?,
            csv,
            json,
            // Not a layer: errors name the folder.
            spool: Spill::new(out, out.to_path_buf())?,
            spooled: 0,
            articles: Vec::new(),
            events: 0,
            features: 0,
            places: vec![0; gaz.places.len().div_ceil(64)],
        })
    }

    /// Adds the next article. Its id must be a usable file name, unique ignoring case.
    pub fn add(&mut self, a: ArticleLayers) -> Result<()> {
        check_id(&a.id, &a.source, &mut self.seen)?;
        self.mentions.write(&a.mentions)?;
        self.csv.write(a.csv.as_bytes())?;
        self.json.write(if self.articles.is_empty() {
            b"\n"
        } else {
            b",\n"
        })?;
        self.json.write(a.json.as_bytes())?;
        self.spool.write(&a.features)?;
        for &p in &a.places {
            if let Some(word) = self.places.get_mut(p as usize / 64) {
                *word |= 1 << (p % 64);
            }
        }
        self.events += a.places.len();
        self.features += a.feature_count as usize;
        self.articles.push(Entry {
            id: a.id.into_boxed_str(),
            date: a.date,
            events: a.places.len() as u32,
            spool_offset: self.spooled,
            spool_len: a.features.len() as u32,
            features: a.feature_count,
            areas: a.areas.into_boxed_slice(),
        });
        self.spooled += a.features.len() as u64;
        Ok(())
    }

    pub fn article_count(&self) -> usize {
        self.articles.len()
    }

    /// Events (mentions) so far.
    pub fn events(&self) -> usize {
        self.events
    }

    /// Per article so far, in order: id, date and number of features.
    pub fn articles(&self) -> impl Iterator<Item = (&str, Option<NaiveDate>, usize)> + '_ {
        self.articles
            .iter()
            .map(|e| (&*e.id, e.date, e.features as usize))
    }

    /// Writes the feature layers, the cluster and area layers, renames everything into place,
    /// writes the manifest last and removes the previous run's stale files. `coverage` gives
    /// the area totals and lines of contact (its `articles` are not used); `show[i]` asks for
    /// the features of article `i` back (for the web page).
    pub fn finish(
        mut self,
        clusters: &[Cluster],
        coverage: &Coverage,
        run: &RunInfo,
        show: &[bool],
    ) -> Result<Finished> {
        let out = self.out.clone();
        let layers = run.feature_layers;
        let staging = staging_dir(&out)?;
        // articles/ and dates/ that do not exist yet are written whole in the staging folder
        // and put in place with one rename each; else file by file.
        let whole_folder = |sub: &str, on: bool| -> Result<Option<tempfile::TempDir>> {
            let dir = out.join(sub);
            if !on {
                return Ok(None);
            }
            if std::fs::symlink_metadata(&dir).is_err() {
                return temp_folder_in(&staging, &dir).map(Some);
            }
            std::fs::create_dir_all(&dir).map_err(|e| Error::io(&dir, e))?;
            Ok(None)
        };
        let articles_folder = whole_folder("articles", layers.articles)?;
        let dates_folder = whole_folder("dates", layers.dates)?;
        // The cluster of every place, as the JSON text of its id.
        let mut cluster_of: Vec<u32> = vec![u32::MAX; self.gaz.places.len()];
        let mut cluster_json: Vec<String> = Vec::with_capacity(clusters.len() + 1);
        cluster_json.push("\"\"".into());
        for c in clusters {
            let k = cluster_json.len() as u32;
            cluster_json.push(to_json(&c.id)?);
            for p in &c.places {
                if let Some(i) = self.gaz.index_of_id(&p.id) {
                    if let Some(slot) = cluster_of.get_mut(i as usize) {
                        *slot = k;
                    }
                }
            }
        }
        let places = (0..self.gaz.places.len())
            .map(|i| {
                let named = self
                    .places
                    .get(i / 64)
                    .is_some_and(|w| w & (1 << (i % 64)) != 0);
                named.then(|| PlaceText::new(self.gaz, &self.gaz.places[i]))
            })
            .collect();
        let splice = Splice {
            places,
            cluster_of,
            cluster_json,
        };

        let spool = self.spool.into_temp()?;
        let mut names: Vec<String> = TOP_FILES
            .iter()
            .filter(|&&f| layers.events || f != "events.geojson")
            .map(|s| s.to_string())
            .collect();
        let mut finished = Finished::default();
        let mut by_date: BTreeMap<Option<NaiveDate>, Vec<usize>> = BTreeMap::new();
        for (i, e) in self.articles.iter().enumerate() {
            by_date.entry(e.date).or_default().push(i);
            if layers.articles {
                names.push(format!("articles/{}.geojson", e.id));
            }
        }
        // articles/ on a thread of its own (creating thousands of files is mostly the file
        // system's time) while this one writes events.geojson and dates/. Every file is only
        // staged; nothing is renamed into place until all are written.
        let stop = std::sync::atomic::AtomicBool::new(false);
        let (articles, spool_ref, splice_ref, out_ref, staging_ref) =
            (&self.articles, &spool, &splice, &out, &staging);
        let articles_folder_ref = articles_folder.as_ref();
        // Articles are taken in turn by whichever thread is free: creating files in a folder
        // is serialised by the file system, but one thread can write while the other creates.
        let next = std::sync::atomic::AtomicUsize::new(0);
        let write_articles = || -> Result<Staged> {
            let mut staged = Staged::default();
            if !layers.articles {
                return Ok(staged);
            }
            let mut record = Vec::new();
            let mut text = Vec::new();
            loop {
                let i = next.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                let Some(e) = articles.get(i) else {
                    return Ok(staged);
                };
                if stop.load(std::sync::atomic::Ordering::Relaxed) {
                    return Ok(staged);
                }
                let written = spooled(spool_ref, e, &mut record)
                    .and_then(|()| {
                        collection_in(&mut text, |text| splice_ref.features(&record, text, |_| ()))
                    })
                    .and_then(|()| {
                        let name = format!("{}.geojson", e.id);
                        let target = out_ref.join("articles").join(&name);
                        match articles_folder_ref {
                            Some(folder) => {
                                write_collection_at(&folder.path().join(&name), &target, &text)
                            }
                            None => write_collection(staging_ref, target, &text)
                                .and_then(|file| file.stage(&mut staged)),
                        }
                    });
                if let Err(err) = written {
                    stop.store(true, std::sync::atomic::Ordering::Relaxed);
                    return Err(err);
                }
            }
        };
        let mut staged = Staged::default();
        let written = std::thread::scope(|scope| -> Result<Staged> {
            let files = scope.spawn(write_articles);
            let here = (|| -> Result<Staged> {
                let mut staged = Staged::default();
                // events.geojson, and the features of the articles shown on the page.
                let mut events = match layers.events {
                    true => Some(Collection::new(&out, out.join("events.geojson"))?),
                    false => None,
                };
                let mut text = Vec::new();
                let mut record = Vec::new();
                for (i, e) in self.articles.iter().enumerate() {
                    let shown = show.get(i) == Some(&true);
                    if events.is_none() && !shown {
                        continue;
                    }
                    spooled(&spool, e, &mut record)?;
                    if let Some(events) = &mut events {
                        text.clear();
                        splice.features(&record, &mut text, |_| ())?;
                        events.add(&text)?;
                    }
                    if shown {
                        splice.features(&record, &mut Vec::new(), |f| {
                            finished.shown_features.push(utf8(f.to_vec()))
                        })?;
                        let ids = e
                            .areas
                            .iter()
                            .filter_map(|&a| coverage.areas.get(a as usize))
                            .map(|t| t.area.id.clone())
                            .collect();
                        finished.shown_areas.insert(e.id.to_string(), ids);
                    }
                }
                if let Some(events) = events {
                    events.finish()?.stage(&mut staged)?;
                }
                // dates/: the same features again, grouped by date, articles in order.
                for (date, members) in by_date.iter().filter(|_| layers.dates) {
                    let name = match date {
                        Some(d) => format!("dates/{}.geojson", iso_date(*d)),
                        None => "dates/undated.geojson".to_string(),
                    };
                    let dir = dates_folder
                        .as_ref()
                        .map_or(staging.as_path(), |d| d.path());
                    let mut file = Collection::new(dir, out.join(&name))?;
                    for &i in members {
                        spooled(&spool, &self.articles[i], &mut record)?;
                        text.clear();
                        splice.features(&record, &mut text, |_| ())?;
                        file.add(&text)?;
                    }
                    match &dates_folder {
                        Some(folder) => file.finish()?.place_in(folder.path())?,
                        None => file.finish()?.stage(&mut staged)?,
                    }
                    names.push(name);
                }
                // Then help with articles/.
                staged.append(write_articles()?);
                Ok(staged)
            })();
            if here.is_err() {
                stop.store(true, std::sync::atomic::Ordering::Relaxed);
            }
            let files = files.join().unwrap_or_else(|_| {
                Err(Error::Invalid("bug: the articles/ writer panicked".into()))
            });
            let mut here = here?;
            here.append(files?);
            Ok(here)
        });
        let written = written.and_then(|articles| {
            staged.append(articles);
            for (folder, sub) in [(articles_folder, "articles"), (dates_folder, "dates")] {
                if let Some(folder) = folder {
                    staged.push_folder(folder, out.join(sub));
                }
            }
            drop(spool);
            self.mentions.stage(&mut staged)?;
            self.csv.stage(&mut staged)?;
            let areas_json = indent(&to_json_pretty_bare(&area_docs(coverage))?, "  ");
            let tail = if self.articles.is_empty() {
                "]"
            } else {
                "\n  ]"
            };
            self.json
                .write(format!("{tail},\n  \"areas\": {areas_json}\n}}\n").as_bytes())?;
            self.json.stage(&mut staged)?;

            let (points, hulls) = cluster_layers(clusters, run.radius_km);
            staged.write(&out.join("clusters.geojson"), points.as_bytes())?;
            staged.write(&out.join("cluster_hulls.geojson"), hulls.as_bytes())?;
            staged.write(&out.join("areas.geojson"), areas_layer(coverage).as_bytes())?;
            staged.write(
                &out.join("front_lines.geojson"),
                front_lines_layer(coverage).as_bytes(),
            )?;
            let mut failures = String::new();
            for f in &run.failures {
                failures.push_str(&to_json(f)?);
                failures.push('\n');
            }
            staged.write(&out.join("failures.jsonl"), failures.as_bytes())?;
            // Everything is written: only now does any previous file change.
            std::mem::take(&mut staged).commit()
        });
        // Empty unless something else put files there (or a failed run left them, which
        // dropping `staged` has just removed).
        drop(staged);
        let _ = std::fs::remove_dir(&staging);
        written?;

        names.sort();
        let counts = CountsDoc {
            articles: self.articles.len(),
            articles_with_events: self.articles.iter().filter(|e| e.events > 0).count(),
            events: self.events,
            features: self.features,
            places: self.places.iter().map(|w| w.count_ones() as usize).sum(),
            clusters: clusters.len(),
            dates: by_date.keys().filter(|d| d.is_some()).count(),
            undated_articles: self.articles.iter().filter(|e| e.date.is_none()).count(),
            failures: run.failures.iter().filter(|f| !f.warning).count(),
            warnings: run.failures.iter().filter(|f| f.warning).count(),
        };
        // The manifest goes last: if the run dies half-way, the old manifest still lists the
        // old files and nothing new is ever deleted by mistake.
        let manifest = manifest(self.gaz, counts, run, &names)?;
        geom::write_atomic(&out.join("manifest.json"), manifest.as_bytes())?;

        let mut removed = Vec::new();
        let now: BTreeSet<&str> = names.iter().map(String::as_str).collect();
        for old in self.previous.iter().filter(|f| !now.contains(f.as_str())) {
            let path = out.join(old);
            // Only regular files (not symlinks, not folders) are removed.
            if std::fs::symlink_metadata(&path).is_ok_and(|m| m.is_file()) {
                std::fs::remove_file(&path).map_err(|e| Error::io(&path, e))?;
                removed.push(old.clone());
            }
        }
        finished.written = Written {
            files: names,
            removed,
        };
        Ok(finished)
    }
}

/// The folder in `out` where the files of `articles/` and `dates/` are written before they are
/// renamed into place. Renaming a new file into a folder of thousands costs about as much as
/// creating it there, while creating a temporary file beside the thousands and renaming it
/// costs several times more on file systems without hashed directories (measured: 160–370
/// against 50–60 µs a file for 20,000 files on ext4). Temporary files a killed run left there
/// are removed.
fn staging_dir(out: &Path) -> Result<PathBuf> {
    let dir = out.join(".frontmap-staging");
    std::fs::create_dir_all(&dir).map_err(|e| Error::io(&dir, e))?;
    if let Ok(entries) = std::fs::read_dir(&dir) {
        for entry in entries.flatten() {
            let name = entry.file_name();
            let name = name.to_string_lossy();
            if name.starts_with(".frontmap-") && name.ends_with(".tmp") {
                // Files, and the folders of `temp_folder_in` (never followed if symlinks).
                match entry.file_type() {
                    Ok(t) if t.is_dir() => {
                        let _ = std::fs::remove_dir_all(entry.path());
                    }
                    _ => {
                        let _ = std::fs::remove_file(entry.path());
                    }
                }
            }
        }
    }
    Ok(dir)
}

/// Reads the spooled record of one article.
fn spooled(spool: &tempfile::NamedTempFile, e: &Entry, buf: &mut Vec<u8>) -> Result<()> {
    use std::os::unix::fs::FileExt;
    buf.resize(e.spool_len as usize, 0);
    spool
        .as_file()
        .read_exact_at(buf, e.spool_offset)
        .map_err(|err| Error::io(spool.path(), err))
}

/// A FeatureCollection being written to a temporary file, feature texts added a batch at a
/// time (joined by ",\n", as `geom::feature_collection` joins them).
struct Collection {
    file: Spill,
    empty: bool,
}

impl Collection {
    fn new(dir: &Path, target: PathBuf) -> Result<Collection> {
        Ok(Collection {
            file: Spill::new(dir, target)?,
            empty: true,
        })
    }

    fn add(&mut self, features: &[u8]) -> Result<()> {
        if features.is_empty() {
            return Ok(());
        }
        let sep = if self.empty { COLLECTION_HEAD } else { ",\n" };
        self.file.write(sep.as_bytes())?;
        self.file.write(features)?;
        self.empty = false;
        Ok(())
    }

    /// Closes the collection: the file, ready to be staged.
    fn finish(mut self) -> Result<Spill> {
        let end = if self.empty {
            EMPTY_COLLECTION
        } else {
            COLLECTION_TAIL
        };
        self.file.write(end.as_bytes())?;
        Ok(self.file)
    }
}

/// Makes `text` a whole FeatureCollection of the features `fill` appends (feature texts
/// joined by ",\n"), so that an article's file is one buffer and one write. (Joining the
/// pieces into a new buffer per file cost an allocation and a copy of every byte.)
fn collection_in(text: &mut Vec<u8>, fill: impl FnOnce(&mut Vec<u8>) -> Result<()>) -> Result<()> {
    text.clear();
    text.extend_from_slice(COLLECTION_HEAD.as_bytes());
    fill(text)?;
    if text.len() == COLLECTION_HEAD.len() {
        text.clear();
        text.extend_from_slice(EMPTY_COLLECTION.as_bytes());
    } else {
        text.extend_from_slice(COLLECTION_TAIL.as_bytes());
    }
    Ok(())
}

/// The FeatureCollection `collection` (see `collection_in`) written straight to `path`, a
/// new file in a staged folder (see `Staged::push_folder`), to become `target`: errors name
/// `target`.
fn write_collection_at(path: &Path, target: &Path, collection: &[u8]) -> Result<()> {
    std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .open(path)
        .and_then(|mut file| file.write_all(collection))
        .map_err(|e| Error::write(target, e))
}

/// The FeatureCollection `collection` (see `collection_in`) for `target`, written to a
/// temporary file in `staging`.
fn write_collection(staging: &Path, target: PathBuf, collection: &[u8]) -> Result<Spill> {
    // No buffer: the collection is already one, and goes out in one write.
    let mut file = Spill::with_capacity(0, staging, target)?;
    file.write(collection)?;
    Ok(file)
}

/// Makes whole features of spooled ones: puts in the places' text and the cluster ids.
struct Splice {
    /// Per gazetteer place named by some event: its text.
    places: Vec<Option<PlaceText>>,
    /// Per gazetteer place: index into `cluster_json`, `u32::MAX` for none.
    cluster_of: Vec<u32>,
    /// `""` first, then the JSON text of every cluster's id.
    cluster_json: Vec<String>,
}

impl Splice {
    /// Appends the features of one spooled record to `text` (after what it holds), joined by
    /// ",\n", and gives each to `each`.
    fn features(
        &self,
        mut record: &[u8],
        text: &mut Vec<u8>,
        mut each: impl FnMut(&[u8]),
    ) -> Result<()> {
        fn take<'a>(n: usize, record: &mut &'a [u8]) -> Result<&'a [u8]> {
            if record.len() < n {
                return Err(Error::Invalid("bug: the feature spool is corrupt".into()));
            }
            let (head, rest) = record.split_at(n);
            *record = rest;
            Ok(head)
        }
        fn number(record: &mut &[u8]) -> Result<u32> {
            let b = take(4, record)?;
            Ok(u32::from_le_bytes([b[0], b[1], b[2], b[3]]))
        }
        let n = number(&mut record)? as usize;
        let head = take(n, &mut record)?;
        let start = text.len();
        while !record.is_empty() {
            if text.len() > start {
                text.extend_from_slice(b",\n");
            }
            let from = text.len();
            let place = number(&mut record)?;
            let n = number(&mut record)? as usize;
            let own = take(n, &mut record)?;
            let Some(Some(place_text)) = self.places.get(place as usize) else {
                return Err(Error::Invalid(format!(
                    "bug: place {place} of a spooled feature has no text"
                )));
            };
            let cluster = match self.cluster_of.get(place as usize) {
                Some(&k) if k != u32::MAX => &self.cluster_json[k as usize],
                _ => &self.cluster_json[0],
            };
            text.extend_from_slice(head);
            text.extend_from_slice(place_text.names.as_bytes());
            text.extend_from_slice(own);
            text.extend_from_slice(b",\"cluster\":");
            text.extend_from_slice(cluster.as_bytes());
            text.extend_from_slice(b"},\"geometry\":");
            text.extend_from_slice(place_text.point.as_bytes());
            text.push(b'}');
            each(&text[from..]);
        }
        Ok(())
    }
}

/// Checks one article id (see `check_ids`); `seen` holds the lower-cased ids so far.
fn check_id(id: &str, source: &str, seen: &mut HashSet<String>) -> Result<()> {
    if id.is_empty() || id.contains(['/', '\\', '\0']) || id.contains("..") {
        return Err(Error::Invalid(format!(
            "article id '{}' ({}) cannot be a file name (empty, or contains '/', '\\', '..' or NUL)",
            id.escape_debug(),
            source
        )));
    }
    if !seen.insert(id.to_lowercase()) {
        return Err(Error::Invalid(format!(
            "article id '{id}' appears twice ({source}); ids must be unique in a run, ignoring case"
        )));
    }
    Ok(())
}

/// Article ids become file names: refuse any that could leave `articles/`, and duplicates
/// (ignoring case, as file systems on macOS and Windows do).
fn check_ids(results: &[ArticleResult]) -> Result<()> {
    let mut seen = HashSet::new();
    for r in results {
        check_id(&r.meta.id, &r.meta.source, &mut seen)?;
    }
    Ok(())
}

fn prepare_out(out: &Path) -> Result<()> {
    if out.exists() && !out.is_dir() {
        return Err(Error::Invalid(format!(
            "{}: exists and is not a folder (give --out a folder)",
            out.display()
        )));
    }
    std::fs::create_dir_all(out).map_err(|e| Error::io(out, e))
}

/// The files the previous run's manifest lists, when it is frontmap's, keeping only names this
/// module writes (a hand-edited manifest cannot make a rerun delete anything else).
fn previous_files(out: &Path) -> BTreeSet<String> {
    let Ok(text) = std::fs::read_to_string(out.join("manifest.json")) else {
        return BTreeSet::new();
    };
    let Ok(v) = serde_json::from_str::<Value>(&text) else {
        return BTreeSet::new();
    };
    if v.get("generator").and_then(Value::as_str) != Some("frontmap") {
        return BTreeSet::new();
    }
    v.get("files")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter_map(Value::as_str)
        .filter(|f| is_our_file_name(f))
        .map(str::to_string)
        .collect()
}

fn is_our_file_name(name: &str) -> bool {
    let path = Path::new(name);
    if !path.components().all(|c| matches!(c, Component::Normal(_))) || name.contains('\\') {
        return false;
    }
    let parts: Vec<&str> = name.split('/').collect();
    match parts.as_slice() {
        [top] => TOP_FILES.contains(top),
        ["articles" | "dates", file] => file.ends_with(".geojson") && !file.starts_with('.'),
        _ => false,
    }
}

fn place_of<'g>(
    gaz: &'g Gazetteer,
    r: &ArticleResult,
    index: u32,
) -> Result<&'g crate::gazetteer::Place> {
    gaz.places.get(index as usize).ok_or_else(|| {
        Error::Invalid(format!(
            "bug: article '{}': event place index {index} is not in the gazetteer ({} places)",
            r.meta.id,
            gaz.places.len()
        ))
    })
}

fn date_value(d: Option<chrono::NaiveDate>) -> Value {
    d.map_or(Value::Null, |d| iso_date(d).into())
}

fn occupied_text(c: Option<&EventCoverage>) -> &'static str {
    match c.and_then(|c| c.occupied) {
        Some(true) => "yes",
        Some(false) => "no",
        None => "",
    }
}

fn front_distance(c: Option<&EventCoverage>) -> f64 {
    c.and_then(|c| c.front_distance_km)
        .map_or(-1.0, |d| round_to(d, 2))
}

/// Appends the `mentions.jsonl` lines of one article to `out`; `frontmap tag` streams them too.
pub fn write_mentions(out: &mut String, gaz: &Gazetteer, r: &ArticleResult) -> Result<()> {
    let format = Formatter {
        gaz,
        area_ids: Vec::new(),
        places: Vec::new(),
    };
    let date = r.meta.date.map(iso_date);
    let mut lines = Vec::new();
    format.mentions(&mut lines, r, date.as_deref())?;
    out.push_str(&utf8(lines));
    Ok(())
}

/// `clusters.geojson` and `cluster_hulls.geojson`.
fn cluster_layers(clusters: &[Cluster], radius_km: f64) -> (String, String) {
    let buffer_km = round_to(radius_km.max(0.0) / HULL_BUFFER_DIVISOR, 3);
    let mut points = Vec::with_capacity(clusters.len());
    let mut hulls = Vec::with_capacity(clusters.len());
    for c in clusters {
        let names: Vec<&str> = c.places.iter().map(|p| p.name.as_str()).collect();
        let ids: Vec<&str> = c.places.iter().map(|p| p.id.as_str()).collect();
        let mut props: Vec<(&str, Value)> = vec![
            ("id", c.id.clone().into()),
            ("event_count", c.event_count.into()),
            ("place_count", c.places.len().into()),
            ("places", names.join("|").into()),
            ("place_ids", ids.join("|").into()),
            ("articles", c.articles.join("|").into()),
            ("article_count", c.articles.len().into()),
            ("first_date", date_value(c.first_date)),
            ("last_date", date_value(c.last_date)),
            ("radius_km", round_to(radius_km, 3).into()),
        ];
        points.push(feature_line(
            &props,
            &geom::point_json(c.lon, c.lat, DECIMALS),
        ));
        let pts: Vec<(f64, f64)> = c.places.iter().map(|p| (p.lon, p.lat)).collect();
        if let Some(hull) = geom::buffered_hull(&pts, buffer_km, 32) {
            props.push(("buffer_km", buffer_km.into()));
            hulls.push(feature_line(
                &props,
                &geom::multipolygon_json(&geo::MultiPolygon::new(vec![hull]), DECIMALS),
            ));
        }
    }
    (feature_collection(&points), feature_collection(&hulls))
}

fn areas_layer(coverage: &Coverage) -> String {
    let features: Vec<String> = coverage
        .areas
        .iter()
        .map(|t| {
            let a = &t.area;
            let props: Vec<(&str, Value)> = vec![
                ("id", a.id.clone().into()),
                ("name", a.name.clone().into()),
                ("type", a.kind.clone().into()),
                ("country", a.country.clone().into()),
                ("events", t.events.into()),
                ("articles", t.articles.into()),
            ];
            feature_line(&props, &geom::multipolygon_json(&a.geometry, DECIMALS))
        })
        .collect();
    feature_collection(&features)
}

/// The line of contact of every occupied snapshot the articles used (empty without one).
fn front_lines_layer(coverage: &Coverage) -> String {
    let features: Vec<String> = coverage
        .front_lines
        .iter()
        .map(|(date, lines)| {
            let props: Vec<(&str, Value)> = vec![
                ("date", iso_date(*date).into()),
                ("lines", lines.len().into()),
            ];
            feature_line(&props, &geom::multilinestring_json(lines, DECIMALS))
        })
        .collect();
    feature_collection(&features)
}

const CSV_HEADER: &str =
    "article,title,date,area_id,area_name,area_type,mentions,places,place_names,place_ids,front";

/// The `coverage.csv` rows of one article: one per area it covers (articles that cover no
/// area have no row; see `coverage.json` for every article).
fn coverage_rows(r: &ArticleResult, a: &ArticleCoverage, date: Option<&str>) -> String {
    use std::fmt::Write as _;
    let mut out = String::with_capacity(256 * a.areas.len());
    let mut joined = String::new();
    for h in &a.areas {
        let head = [
            r.meta.id.as_str(),
            r.meta.title.as_deref().unwrap_or(""),
            date.unwrap_or(""),
            &h.id,
            &h.name,
            &h.kind,
        ];
        for field in head {
            push_csv(&mut out, field);
            out.push(',');
        }
        let _ = write!(out, "{},{},", h.mentions, h.places.len());
        let lists: [&dyn Fn(&mut String); 3] = [
            &|s| join_into(s, h.places.iter().map(|p| p.name.as_str())),
            &|s| join_into(s, h.places.iter().map(|p| p.place_id.as_str())),
            &|s| join_into(s, h.front.iter().map(String::as_str)),
        ];
        for (k, list) in lists.iter().enumerate() {
            joined.clear();
            list(&mut joined);
            push_csv(&mut out, &joined);
            out.push(if k == 2 { '\n' } else { ',' });
        }
    }
    out
}

/// `items` joined by "|".
fn join_into<'a>(out: &mut String, items: impl Iterator<Item = &'a str>) {
    for (i, item) in items.enumerate() {
        if i > 0 {
            out.push('|');
        }
        out.push_str(item);
    }
}

/// Appends one CSV field, quoted (RFC 4180) when needed.
fn push_csv(out: &mut String, s: &str) {
    if s.bytes().any(|b| matches!(b, b',' | b'"' | b'\n' | b'\r')) {
        out.push('"');
        out.push_str(&s.replace('"', "\"\""));
        out.push('"');
    } else {
        out.push_str(s);
    }
}

#[cfg(test)]
#[derive(Serialize)]
struct ArticleDoc<'a> {
    article: &'a str,
    title: &'a str,
    date: Option<String>,
    mentions: usize,
    places: usize,
    summary: String,
    areas: Vec<AreaHitDoc<'a>>,
    front: Vec<FrontDoc<'a>>,
}

#[cfg(test)]
#[derive(Serialize)]
struct AreaHitDoc<'a> {
    id: &'a str,
    name: &'a str,
    #[serde(rename = "type")]
    kind: &'a str,
    mentions: usize,
    places: Vec<PlaceDoc<'a>>,
    front: &'a [String],
}

#[cfg(test)]
#[derive(Serialize)]
struct PlaceDoc<'a> {
    place_id: &'a str,
    name: &'a str,
    mentions: usize,
}

#[cfg(test)]
#[derive(Serialize)]
struct FrontDoc<'a> {
    id: &'a str,
    name: &'a str,
    mentions: usize,
    nearest_km: f64,
}

#[derive(Serialize)]
struct AreaDoc<'a> {
    id: &'a str,
    name: &'a str,
    #[serde(rename = "type")]
    kind: &'a str,
    country: &'a str,
    events: usize,
    articles: usize,
}

/// One article's entry of `coverage.json`'s `articles` list, pretty-printed at its depth there
/// exactly as serde_json's pretty printer prints `ArticleDoc` (a test compares the two).
fn coverage_article_json(r: &ArticleResult, a: Option<&ArticleCoverage>) -> String {
    let empty = ArticleCoverage {
        article: r.meta.id.clone(),
        mentions: r.events.len(),
        ..Default::default()
    };
    let date = r.meta.date.map(iso_date);
    let mut p = Pretty::new(2);
    p.open(b'{');
    p.key("article");
    json_str(&mut p.out, &r.meta.id);
    p.key("title");
    json_str(&mut p.out, r.meta.title.as_deref().unwrap_or(""));
    p.key("date");
    json_opt_str(&mut p.out, date.as_deref());
    p.key("mentions");
    json_u64(&mut p.out, r.events.len() as u64);
    p.key("places");
    json_u64(&mut p.out, a.map_or(0, |a| a.places) as u64);
    p.key("summary");
    json_str(&mut p.out, &coverage_line(a.unwrap_or(&empty)));
    p.key("areas");
    p.open(b'[');
    for h in a.into_iter().flat_map(|a| &a.areas) {
        p.item();
        p.open(b'{');
        p.key("id");
        json_str(&mut p.out, &h.id);
        p.key("name");
        json_str(&mut p.out, &h.name);
        p.key("type");
        json_str(&mut p.out, &h.kind);
        p.key("mentions");
        json_u64(&mut p.out, h.mentions as u64);
        p.key("places");
        p.open(b'[');
        for place in &h.places {
            p.item();
            p.open(b'{');
            p.key("place_id");
            json_str(&mut p.out, &place.place_id);
            p.key("name");
            json_str(&mut p.out, &place.name);
            p.key("mentions");
            json_u64(&mut p.out, place.mentions as u64);
            p.close(b'}');
        }
        p.close(b']');
        p.key("front");
        p.open(b'[');
        for f in &h.front {
            p.item();
            json_str(&mut p.out, f);
        }
        p.close(b']');
        p.close(b'}');
    }
    p.close(b']');
    p.key("front");
    p.open(b'[');
    for f in a.into_iter().flat_map(|a| &a.front) {
        p.item();
        p.open(b'{');
        p.key("id");
        json_str(&mut p.out, &f.id);
        p.key("name");
        json_str(&mut p.out, &f.name);
        p.key("mentions");
        json_u64(&mut p.out, f.mentions as u64);
        p.key("nearest_km");
        json_f64(&mut p.out, round_to(f.nearest_km, 2));
        p.close(b'}');
    }
    p.close(b']');
    p.close(b'}');
    utf8(p.out)
}

/// serde_json's pretty layout (two spaces a level, `"key": value`, empty containers as `[]`),
/// written by hand from a given depth.
struct Pretty {
    out: Vec<u8>,
    depth: usize,
    /// Per open container: whether it has a member yet.
    filled: Vec<bool>,
}

impl Pretty {
    fn new(depth: usize) -> Pretty {
        let mut out = Vec::with_capacity(4096);
        out.resize(2 * depth, b' ');
        Pretty {
            out,
            depth,
            filled: Vec::new(),
        }
    }

    fn newline(&mut self) {
        self.out.push(b'\n');
        let n = 2 * (self.depth + self.filled.len());
        self.out.resize(self.out.len() + n, b' ');
    }

    fn open(&mut self, bracket: u8) {
        self.out.push(bracket);
        self.filled.push(false);
    }

    /// Before a member: the separator and the line break.
    fn item(&mut self) {
        if let Some(filled) = self.filled.last_mut() {
            if *filled {
                self.out.push(b',');
            }
            *filled = true;
        }
        self.newline();
    }

    /// `key` is one of this module's own names.
    fn key(&mut self, key: &'static str) {
        self.item();
        json_plain(&mut self.out, key);
        self.out.extend_from_slice(b": ");
    }

    fn close(&mut self, bracket: u8) {
        if self.filled.pop() == Some(true) {
            self.newline();
        }
        self.out.push(bracket);
    }
}

fn area_docs(coverage: &Coverage) -> Vec<AreaDoc<'_>> {
    coverage
        .areas
        .iter()
        .map(|t| AreaDoc {
            id: &t.area.id,
            name: &t.area.name,
            kind: &t.area.kind,
            country: &t.area.country,
            events: t.events,
            articles: t.articles,
        })
        .collect()
}

/// `text` with `prefix` after every line break (JSON strings hold no raw line breaks).
fn indent(text: &str, prefix: &str) -> String {
    text.replace('\n', &format!("\n{prefix}"))
}

#[derive(Serialize)]
struct ManifestDoc<'a> {
    generator: &'static str,
    frontmap_version: &'a str,
    inputs: &'a [String],
    options: OptionsDoc<'a>,
    gazetteer: GazetteerDoc<'a>,
    counts: CountsDoc,
    failures: &'a [Failure],
    attribution: Vec<String>,
    files: &'a [String],
}

#[derive(Serialize)]
struct OptionsDoc<'a> {
    radius_km: f64,
    areas: &'a str,
    occupied: Option<&'a str>,
    feature_layers: Vec<&'static str>,
}

#[derive(Serialize)]
struct GazetteerDoc<'a> {
    path: &'a str,
    version: &'a str,
    places: usize,
    places_by_kind: BTreeMap<&'static str, usize>,
}

#[derive(Serialize)]
struct CountsDoc {
    articles: usize,
    articles_with_events: usize,
    events: usize,
    features: usize,
    places: usize,
    clusters: usize,
    dates: usize,
    undated_articles: usize,
    /// Inputs that failed, and problems that did not stop an article (`Failure::warning`).
    failures: usize,
    warnings: usize,
}

fn manifest(gaz: &Gazetteer, counts: CountsDoc, run: &RunInfo, files: &[String]) -> Result<String> {
    let mut by_kind: BTreeMap<&'static str, usize> =
        Kind::ALL.iter().map(|k| (k.as_str(), 0)).collect();
    for p in &gaz.places {
        *by_kind.entry(p.kind.as_str()).or_default() += 1;
    }
    let mut attribution: Vec<String> = ATTRIBUTION.iter().map(|s| s.to_string()).collect();
    if let Some(o) = &run.occupied_file {
        attribution.push(format!(
            "Occupied territory: {o} (user-supplied; credit its source, e.g. DeepStateMap)"
        ));
    }
    let doc = ManifestDoc {
        generator: "frontmap",
        frontmap_version: &run.frontmap_version,
        inputs: &run.inputs,
        options: OptionsDoc {
            radius_km: round_to(run.radius_km, 3),
            areas: &run.areas_file,
            occupied: run.occupied_file.as_deref(),
            feature_layers: run.feature_layers.names(),
        },
        gazetteer: GazetteerDoc {
            path: &run.gazetteer_dir,
            version: &run.gazetteer_version,
            places: gaz.places.len(),
            places_by_kind: by_kind,
        },
        counts,
        failures: &run.failures,
        attribution,
        files,
    };
    to_json_pretty(&doc)
}

fn to_json<T: Serialize>(v: &T) -> Result<String> {
    serde_json::to_string(v).map_err(|e| Error::Invalid(format!("bug: cannot serialise: {e}")))
}

/// Pretty JSON without the final line break.
fn to_json_pretty_bare<T: Serialize>(v: &T) -> Result<String> {
    serde_json::to_string_pretty(v)
        .map_err(|e| Error::Invalid(format!("bug: cannot serialise: {e}")))
}

fn to_json_pretty<T: Serialize>(v: &T) -> Result<String> {
    let mut s = serde_json::to_string_pretty(v)
        .map_err(|e| Error::Invalid(format!("bug: cannot serialise: {e}")))?;
    s.push('\n');
    Ok(s)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn file_names_a_rerun_may_delete() {
        let cases = [
            ("events.geojson", true),
            ("manifest.json", true),
            ("articles/a1.geojson", true),
            ("dates/2024-08-10.geojson", true),
            ("articles/.hidden.geojson", false),
            ("articles/a1.txt", false),
            ("articles/x/y.geojson", false),
            ("../events.geojson", false),
            ("/etc/passwd", false),
            ("articles/../events.geojson", false),
            ("notes.txt", false),
            ("articles\\a.geojson", false),
            ("", false),
        ];
        for (name, ok) in cases {
            assert_eq!(is_our_file_name(name), ok, "{name}");
        }
    }

    #[test]
    fn json_text_is_serde_json_text() {
        let strings = [
            "",
            "plain",
            "Київ «quoted» \"x\" back\\slash",
            "tab\tnew\nline\rcr\u{8}\u{c}",
            "\u{0}\u{1}\u{1f}\u{7f}",
            "</script> & \u{2028}",
        ];
        for s in strings {
            let mut out = Vec::new();
            json_str(&mut out, s);
            assert_eq!(utf8(out), serde_json::to_string(s).unwrap(), "{s:?}");
        }
        let numbers = [
            0.0,
            -0.0,
            1.0,
            0.1,
            48.28014,
            -1.0,
            1e21,
            1e-7,
            123456.789,
            f64::NAN,
            f64::INFINITY,
        ];
        for x in numbers {
            let mut out = Vec::new();
            json_f64(&mut out, x);
            assert_eq!(utf8(out), serde_json::to_string(&x).unwrap(), "{x}");
        }
        for n in [0u64, 7, 1234567890123] {
            let mut out = Vec::new();
            json_u64(&mut out, n);
            assert_eq!(utf8(out), n.to_string());
        }
    }

    proptest::proptest! {
        #[test]
        fn json_text_of_any_string_is_serde_json_text(s in "\\PC*|[\\x00-\\x7f]*") {
            let mut out = Vec::new();
            json_str(&mut out, &s);
            proptest::prop_assert_eq!(utf8(out), serde_json::to_string(&s).unwrap());
        }
    }

    /// What `coverage_article_json` must print: serde_json's pretty printer on `ArticleDoc`,
    /// indented to its depth in `coverage.json`.
    fn serde_article_json(r: &ArticleResult, a: Option<&ArticleCoverage>) -> String {
        let empty = ArticleCoverage {
            article: r.meta.id.clone(),
            mentions: r.events.len(),
            ..Default::default()
        };
        let doc = ArticleDoc {
            article: &r.meta.id,
            title: r.meta.title.as_deref().unwrap_or(""),
            date: r.meta.date.map(iso_date),
            mentions: r.events.len(),
            places: a.map_or(0, |a| a.places),
            summary: coverage_line(a.unwrap_or(&empty)),
            areas: a
                .into_iter()
                .flat_map(|a| &a.areas)
                .map(|h| AreaHitDoc {
                    id: &h.id,
                    name: &h.name,
                    kind: &h.kind,
                    mentions: h.mentions,
                    places: h
                        .places
                        .iter()
                        .map(|p| PlaceDoc {
                            place_id: &p.place_id,
                            name: &p.name,
                            mentions: p.mentions,
                        })
                        .collect(),
                    front: &h.front,
                })
                .collect(),
            front: a
                .into_iter()
                .flat_map(|a| &a.front)
                .map(|f| FrontDoc {
                    id: &f.id,
                    name: &f.name,
                    mentions: f.mentions,
                    nearest_km: round_to(f.nearest_km, 2),
                })
                .collect(),
        };
        format!(
            "    {}",
            indent(&serde_json::to_string_pretty(&doc).unwrap(), "    ")
        )
    }

    #[test]
    fn coverage_entries_are_serde_json_pretty_text() {
        use crate::areas::{AreaHit, FrontHit, PlaceHit};
        let place = |id: &str, n| PlaceHit {
            place_id: id.into(),
            name: format!("Name \"{id}\""),
            mentions: n,
        };
        let hit = |id: &str, places: Vec<PlaceHit>, front: Vec<&str>| AreaHit {
            area: 0,
            id: id.into(),
            name: format!("{id} area"),
            kind: "oblast".into(),
            mentions: places.iter().map(|p| p.mentions).sum(),
            places,
            front: front.into_iter().map(String::from).collect(),
        };
        let full = ArticleCoverage {
            article: "a1".into(),
            mentions: 5,
            places: 3,
            events: Vec::new(),
            areas: vec![
                hit(
                    "UA-14",
                    vec![place("gn:1", 2), place("gn:2", 1)],
                    vec!["dir:a", "dir:b"],
                ),
                hit("UA-63", vec![], vec![]),
            ],
            front: vec![FrontHit {
                area: 1,
                id: "dir:a".into(),
                name: "A direction".into(),
                mentions: 2,
                nearest_km: 12.3456,
            }],
        };
        let result = |title: Option<&str>, date: Option<&str>| ArticleResult {
            meta: crate::ingest::ArticleMeta {
                id: "a1".into(),
                title: title.map(String::from),
                date: date.map(|d| d.parse().unwrap()),
                ..Default::default()
            },
            events: Vec::new(),
        };
        let cases = [
            (
                result(Some("T, \"q\"\n"), Some("2024-08-10")),
                Some(full.clone()),
            ),
            (result(None, None), Some(ArticleCoverage::default())),
            (result(Some("x"), None), None),
        ];
        for (r, a) in cases {
            assert_eq!(
                coverage_article_json(&r, a.as_ref()),
                serde_article_json(&r, a.as_ref()),
                "{a:?}"
            );
        }
    }

    #[test]
    fn first_escape_is_the_first_byte_to_escape() {
        let text = "Харків, Kupiansk — snippet text, long enough for the wide scan".repeat(2);
        for special in [0u8, 0x1f, b'\n', b'"', b'\\'] {
            for at in 0..text.len() {
                let mut bytes = text.clone().into_bytes();
                bytes[at] = special;
                // A second one later must not matter.
                if at + 9 < bytes.len() {
                    bytes[at + 9] = b'"';
                }
                for from in [0, 1, 7, 8, 15, 16, 17] {
                    let want = bytes[from.min(bytes.len())..]
                        .iter()
                        .position(|&b| needs_escape(b));
                    let got = first_escape(&bytes[from.min(bytes.len())..]);
                    assert_eq!(got, want, "{special:#x} at {at}, from {from}");
                }
            }
        }
        // Every length the scans' tails see, with one byte to escape anywhere or none.
        for len in 0..40 {
            for at in 0..=len {
                for special in [0u8, b'\t', b'"', b'\\'] {
                    let mut bytes = "Kupiansk, Izium. ".repeat(3).into_bytes();
                    bytes.truncate(len);
                    if at < len {
                        bytes[at] = special;
                    }
                    let want = (at < len).then_some(at);
                    assert_eq!(first_escape(&bytes), want, "{special:#x} at {at} of {len}");
                }
            }
        }
        let clean = "no escapes here, only UTF-8: Ізюм, Покровськ, \u{7f} ".repeat(3);
        for n in 0..clean.len() {
            assert_eq!(first_escape(&clean.as_bytes()[..n]), None);
        }
    }

    #[test]
    fn csv_quoting() {
        let cases = [
            ("plain", "plain"),
            ("a,b", "\"a,b\""),
            ("say \"x\"", "\"say \"\"x\"\"\""),
            ("l1\nl2", "\"l1\nl2\""),
        ];
        for (input, expected) in cases {
            let mut out = String::new();
            push_csv(&mut out, input);
            assert_eq!(out, expected);
        }
    }
}
