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
//! Every file is written atomically (temporary file in the same folder, then rename). A rerun
//! into the same `out` then deletes the files the previous `manifest.json` lists and this run did
//! not write again, and nothing else.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Component, Path};

use serde::Serialize;
use serde_json::Value;

use crate::areas::geom::{self, feature_collection, feature_line, round_to};
use crate::areas::{coverage_line, ArticleCoverage, Coverage, EventCoverage};
use crate::cluster::Cluster;
use crate::error::{Error, Result};
use crate::gazetteer::{Gazetteer, Kind};
use crate::ingest::Failure;
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
    prepare_out(out)?;
    let previous = previous_files(out);

    let cluster_of: BTreeMap<&str, &str> = clusters
        .iter()
        .flat_map(|c| c.places.iter().map(move |p| (p.id.as_str(), c.id.as_str())))
        .collect();
    let mut files: BTreeMap<String, Vec<u8>> = BTreeMap::new();

    // Place-per-article features, reused by articles/, dates/ and events.
    let mut all = Vec::new();
    let mut by_date: BTreeMap<String, Vec<String>> = BTreeMap::new();
    let mut mentions = String::new();
    for (i, r) in results.iter().enumerate() {
        let cov = coverage.articles.get(i);
        let features = article_features(gaz, r, cov, coverage, &cluster_of)?;
        let date_file = match r.meta.date {
            Some(d) => format!("dates/{}.geojson", d.format("%Y-%m-%d")),
            None => "dates/undated.geojson".to_string(),
        };
        by_date
            .entry(date_file)
            .or_default()
            .extend(features.iter().cloned());
        files.insert(
            format!("articles/{}.geojson", r.meta.id),
            feature_collection(&features).into_bytes(),
        );
        all.extend(features);
        write_mentions(&mut mentions, gaz, r)?;
    }
    for (file, features) in by_date {
        files.insert(file, feature_collection(&features).into_bytes());
    }
    files.insert(
        "events.geojson".into(),
        feature_collection(&all).into_bytes(),
    );
    files.insert("mentions.jsonl".into(), mentions.into_bytes());
    let (points, hulls) = cluster_layers(clusters, run.radius_km);
    files.insert("clusters.geojson".into(), points.into_bytes());
    files.insert("cluster_hulls.geojson".into(), hulls.into_bytes());
    files.insert("areas.geojson".into(), areas_layer(coverage).into_bytes());
    files.insert(
        "front_lines.geojson".into(),
        front_lines_layer(coverage).into_bytes(),
    );
    files.insert(
        "coverage.csv".into(),
        coverage_csv(results, coverage).into_bytes(),
    );
    files.insert(
        "coverage.json".into(),
        coverage_json(results, coverage)?.into_bytes(),
    );
    let mut failures = String::new();
    for f in &run.failures {
        failures.push_str(&to_json(f)?);
        failures.push('\n');
    }
    files.insert("failures.jsonl".into(), failures.into_bytes());

    let mut names: Vec<String> = files.keys().cloned().collect();
    names.push("manifest.json".into());
    names.sort();
    let manifest = manifest(gaz, results, clusters, run, &names, all.len())?;
    files.insert("manifest.json".into(), manifest.into_bytes());

    // The manifest goes last: if the run dies half-way, the old manifest still lists the old
    // files and nothing new is ever deleted by mistake.
    for sub in ["articles", "dates"] {
        let dir = out.join(sub);
        std::fs::create_dir_all(&dir).map_err(|e| Error::io(&dir, e))?;
    }
    for (name, bytes) in files.iter().filter(|(n, _)| n.as_str() != "manifest.json") {
        geom::write_atomic(&out.join(name), bytes)?;
    }
    geom::write_atomic(&out.join("manifest.json"), &files["manifest.json"])?;

    let mut removed = Vec::new();
    for old in previous.difference(&names.iter().cloned().collect()) {
        let path = out.join(old);
        // Only regular files (not symlinks, not folders) are removed.
        if std::fs::symlink_metadata(&path).is_ok_and(|m| m.is_file()) {
            std::fs::remove_file(&path).map_err(|e| Error::io(&path, e))?;
            removed.push(old.clone());
        }
    }
    Ok(Written {
        files: names,
        removed,
    })
}

/// Article ids become file names: refuse any that could leave `articles/`, and duplicates
/// (ignoring case, as file systems on macOS and Windows do).
fn check_ids(results: &[ArticleResult]) -> Result<()> {
    let mut seen = BTreeSet::new();
    for r in results {
        let id = r.meta.id.as_str();
        if id.is_empty() || id.contains(['/', '\\', '\0']) || id.contains("..") {
            return Err(Error::Invalid(format!(
                "article id '{}' ({}) cannot be a file name (empty, or contains '/', '\\', '..' or NUL)",
                id.escape_debug(),
                r.meta.source
            )));
        }
        if !seen.insert(id.to_lowercase()) {
            return Err(Error::Invalid(format!(
                "article id '{id}' appears twice ({}); ids must be unique in a run, ignoring case",
                r.meta.source
            )));
        }
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

/// One feature per place of the article, ordered by first mention.
fn article_features(
    gaz: &Gazetteer,
    r: &ArticleResult,
    cov: Option<&ArticleCoverage>,
    coverage: &Coverage,
    cluster_of: &BTreeMap<&str, &str>,
) -> Result<Vec<String>> {
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
    let meta = &r.meta;
    let mut out = Vec::with_capacity(groups.len());
    for (place_index, events) in groups {
        let place = place_of(gaz, r, place_index)?;
        let (first, first_cov) = events[0];
        let surfaces: BTreeSet<&str> = events.iter().map(|(e, _)| e.surface.as_str()).collect();
        let confidence = events
            .iter()
            .map(|(e, _)| e.confidence)
            .fold(f64::MIN, f64::max);
        let area_ids: Vec<&str> = first_cov
            .map(|c| {
                c.areas
                    .iter()
                    .filter_map(|&a| coverage.areas.get(a))
                    .map(|a| a.area.id.as_str())
                    .collect()
            })
            .unwrap_or_default();
        let front = first_cov
            .and_then(|c| c.front)
            .and_then(|a| coverage.areas.get(a))
            .map_or("", |a| a.area.id.as_str());
        let props: Vec<(&str, Value)> = vec![
            ("article", meta.id.clone().into()),
            ("title", meta.title.clone().unwrap_or_default().into()),
            ("source", meta.source.clone().into()),
            ("published", date_value(meta.published)),
            ("date", date_value(meta.date)),
            ("date_source", meta.date_source.as_str().into()),
            ("lang", meta.lang.clone().unwrap_or_default().into()),
            ("place_id", place.id.clone().into()),
            ("name", place.name.clone().into()),
            ("kind", place.kind.as_str().into()),
            ("country", place.country.clone().into()),
            ("admin1", gaz.admin1_name(place).into()),
            ("mentions", events.len().into()),
            (
                "surfaces",
                surfaces.into_iter().collect::<Vec<_>>().join("|").into(),
            ),
            ("first_offset", first.start.into()),
            ("snippet", first.snippet.clone().into()),
            ("precision", place.precision.as_str().into()),
            ("geo_precision", place.geo_precision().into()),
            ("rule", first.rule.into()),
            ("confidence", round_to(confidence, 3).into()),
            ("candidates", first.candidates.into()),
            ("cue", first.cue.clone().unwrap_or_default().into()),
            ("role", first.role.as_str().into()),
            ("occupied", occupied_text(first_cov).into()),
            ("front_distance_km", front_distance(first_cov).into()),
            ("front", front.into()),
            ("areas", area_ids.join("|").into()),
            (
                "cluster",
                cluster_of
                    .get(place.id.as_str())
                    .copied()
                    .unwrap_or("")
                    .into(),
            ),
        ];
        out.push(feature_line(
            &props,
            &geom::point_json(place.lon, place.lat, DECIMALS),
        ));
    }
    Ok(out)
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
    d.map_or(Value::Null, |d| d.format("%Y-%m-%d").to_string().into())
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

/// One line of `mentions.jsonl` (the format `score.py` reads).
#[derive(Serialize)]
struct MentionLine<'a> {
    article: &'a str,
    start: usize,
    end: usize,
    surface: &'a str,
    place_id: &'a str,
    name: &'a str,
    kind: &'static str,
    country: &'a str,
    admin1: &'a str,
    lat: f64,
    lon: f64,
    rule: &'static str,
    confidence: f64,
    candidates: usize,
    cue: &'a str,
    role: &'static str,
    geo_precision: u8,
    precision: &'static str,
    date: Option<String>,
}

/// Appends the `mentions.jsonl` lines of one article to `out`; `frontmap tag` streams them too.
pub fn write_mentions(out: &mut String, gaz: &Gazetteer, r: &ArticleResult) -> Result<()> {
    let mut events: Vec<&Event> = r.events.iter().collect();
    events.sort_by_key(|e| (e.start, e.end));
    for e in events {
        let place = place_of(gaz, r, e.place)?;
        let line = MentionLine {
            article: &r.meta.id,
            start: e.start,
            end: e.end,
            surface: &e.surface,
            place_id: &place.id,
            name: &place.name,
            kind: place.kind.as_str(),
            country: &place.country,
            admin1: gaz.admin1_name(place),
            lat: round_to(place.lat, DECIMALS),
            lon: round_to(place.lon, DECIMALS),
            rule: e.rule,
            confidence: round_to(e.confidence, 3),
            candidates: e.candidates,
            cue: e.cue.as_deref().unwrap_or(""),
            role: e.role.as_str(),
            geo_precision: place.geo_precision(),
            precision: place.precision.as_str(),
            date: r.meta.date.map(|d| d.format("%Y-%m-%d").to_string()),
        };
        out.push_str(&to_json(&line)?);
        out.push('\n');
    }
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
                ("date", date.format("%Y-%m-%d").to_string().into()),
                ("lines", lines.len().into()),
            ];
            feature_line(&props, &geom::multilinestring_json(lines, DECIMALS))
        })
        .collect();
    feature_collection(&features)
}

const CSV_HEADER: &str =
    "article,title,date,area_id,area_name,area_type,mentions,places,place_names,place_ids,front";

/// One row per article and area it covers (articles that cover no area have no row; see
/// `coverage.json` for every article).
fn coverage_csv(results: &[ArticleResult], coverage: &Coverage) -> String {
    let mut out = String::from(CSV_HEADER);
    out.push('\n');
    for (r, a) in results.iter().zip(&coverage.articles) {
        for h in &a.areas {
            let names: Vec<&str> = h.places.iter().map(|p| p.name.as_str()).collect();
            let ids: Vec<&str> = h.places.iter().map(|p| p.place_id.as_str()).collect();
            let fields = [
                r.meta.id.clone(),
                r.meta.title.clone().unwrap_or_default(),
                r.meta
                    .date
                    .map(|d| d.format("%Y-%m-%d").to_string())
                    .unwrap_or_default(),
                h.id.clone(),
                h.name.clone(),
                h.kind.clone(),
                h.mentions.to_string(),
                h.places.len().to_string(),
                names.join("|"),
                ids.join("|"),
                h.front.join("|"),
            ];
            let row: Vec<String> = fields.iter().map(|f| csv_field(f)).collect();
            out.push_str(&row.join(","));
            out.push('\n');
        }
    }
    out
}

/// RFC 4180 quoting, when needed.
fn csv_field(s: &str) -> String {
    if s.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", s.replace('"', "\"\""))
    } else {
        s.to_string()
    }
}

#[derive(Serialize)]
struct CoverageDoc<'a> {
    with_occupied: bool,
    articles: Vec<ArticleDoc<'a>>,
    areas: Vec<AreaDoc<'a>>,
}

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

#[derive(Serialize)]
struct PlaceDoc<'a> {
    place_id: &'a str,
    name: &'a str,
    mentions: usize,
}

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

fn coverage_json(results: &[ArticleResult], coverage: &Coverage) -> Result<String> {
    let articles = results
        .iter()
        .enumerate()
        .map(|(i, r)| {
            let empty = ArticleCoverage {
                article: r.meta.id.clone(),
                mentions: r.events.len(),
                ..Default::default()
            };
            let a = coverage.articles.get(i);
            ArticleDoc {
                article: &r.meta.id,
                title: r.meta.title.as_deref().unwrap_or(""),
                date: r.meta.date.map(|d| d.format("%Y-%m-%d").to_string()),
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
            }
        })
        .collect();
    let doc = CoverageDoc {
        with_occupied: coverage.with_occupied,
        articles,
        areas: coverage
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
            .collect(),
    };
    to_json_pretty(&doc)
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

fn manifest(
    gaz: &Gazetteer,
    results: &[ArticleResult],
    clusters: &[Cluster],
    run: &RunInfo,
    files: &[String],
    features: usize,
) -> Result<String> {
    let mut by_kind: BTreeMap<&'static str, usize> =
        Kind::ALL.iter().map(|k| (k.as_str(), 0)).collect();
    for p in &gaz.places {
        *by_kind.entry(p.kind.as_str()).or_default() += 1;
    }
    let places: BTreeSet<u32> = results
        .iter()
        .flat_map(|r| r.events.iter().map(|e| e.place))
        .collect();
    let dates: BTreeSet<_> = results.iter().filter_map(|r| r.meta.date).collect();
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
        },
        gazetteer: GazetteerDoc {
            path: &run.gazetteer_dir,
            version: &run.gazetteer_version,
            places: gaz.places.len(),
            places_by_kind: by_kind,
        },
        counts: CountsDoc {
            articles: results.len(),
            articles_with_events: results.iter().filter(|r| !r.events.is_empty()).count(),
            events: results.iter().map(|r| r.events.len()).sum(),
            features,
            places: places.len(),
            clusters: clusters.len(),
            dates: dates.len(),
            undated_articles: results.iter().filter(|r| r.meta.date.is_none()).count(),
            failures: run.failures.iter().filter(|f| !f.warning).count(),
            warnings: run.failures.iter().filter(|f| f.warning).count(),
        },
        failures: &run.failures,
        attribution,
        files,
    };
    to_json_pretty(&doc)
}

fn to_json<T: Serialize>(v: &T) -> Result<String> {
    serde_json::to_string(v).map_err(|e| Error::Invalid(format!("bug: cannot serialise: {e}")))
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
    fn csv_quoting() {
        let cases = [
            ("plain", "plain"),
            ("a,b", "\"a,b\""),
            ("say \"x\"", "\"say \"\"x\"\"\""),
            ("l1\nl2", "\"l1\nl2\""),
        ];
        for (input, expected) in cases {
            assert_eq!(csv_field(input), expected);
        }
    }
}
