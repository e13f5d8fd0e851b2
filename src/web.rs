//! Web: one self-contained, offline `index.html` that maps a run's layers, and a tiny static file server.
//!
//! `write_index(dir)` reads the layers `layers::write` put in `dir` (events, clusters, hulls, areas, coverage,
//! front lines, manifest, and an optional `occupied.geojson` of polygons) and writes `dir/index.html`: Leaflet and the page's own script and
//! style are inlined from `assets/`, the data sits in `<script type="application/json">` blocks that the page
//! `JSON.parse`s. No tile server, no CDN: the page works from `file://` with no network, and its
//! Content-Security-Policy (`default-src 'none'`, scripts allowed by hash only) makes sure of it — and stops an inline
//! event handler smuggled in through an article string from running, should escaping ever fail.
//!
//! Big runs: the page embeds at most `MAX_PAGE_EVENTS` events, those of the most recent articles, and its title and a
//! `note` in the page data say so (the layers beside it hold every event); `map` hands the page its events directly
//! (`write_index_for_run`), and `write_index` reads big layer files a line at a time, so that neither holds a whole
//! run in memory.
//!
//! The layers are read defensively: a missing file is an empty layer, a missing or odd property a default, a feature
//! without a usable geometry is skipped. Only a file that is not JSON at all is an error (it names the file and line):
//! that is a bug upstream, not a page to draw.
//!
//! Every string that comes from an article reaches the page's DOM through `textContent` only (see
//! `assets/web/frontmap.js`); here it is escaped so that no string can close its data block (`<`, `>` and `&` become
//! `\u003c`, `\u003e`, `\u0026`, which JSON allows inside strings, the only place they can occur).

mod feature;
mod serve;

pub use serve::{serve, Server};

use std::borrow::Cow;
use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use geo::{BoundingRect, Contains};
use serde::Serialize;
use serde_json::{Map, Value};

use crate::{Error, Result};
use feature::{prop, Feature, Props};

const LEAFLET_JS: &str = include_str!("../assets/leaflet/leaflet.js");
const LEAFLET_CSS: &str = include_str!("../assets/leaflet/leaflet.css");
const PAGE_JS: &str = include_str!("../assets/web/frontmap.js");
const PAGE_CSS: &str = include_str!("../assets/web/frontmap.css");

/// Shown when `manifest.json` carries no attribution of its own.
pub const DEFAULT_ATTRIBUTION: [&str; 4] = [
    "Places: GeoNames (geonames.org), CC BY 4.0",
    "© OpenStreetMap contributors, ODbL 1.0",
    "Who's On First",
    "Boundaries: Natural Earth",
];

/// Colours for the "by area" mode, assigned to areas in order of their event count (most first).
/// Picked to stay apart on the light base map; areas beyond the list share `OTHER_COLOUR`.
const AREA_PALETTE: [&str; 12] = [
    "#d62728", "#1f77b4", "#2ca02c", "#9467bd", "#ff7f0e", "#17becf", "#8c564b", "#e377c2",
    "#bcbd22", "#393b79", "#637939", "#843c39",
];
const OTHER_COLOUR: &str = "#7f7f7f";

/// The page embeds at most this many events (one per place per article). A bigger run shows the
/// events of its most recent articles up to this many, and says so: the page stays a few MB
/// and quick to open, and the layers beside it hold everything.
pub const MAX_PAGE_EVENTS: usize = 20_000;
/// At most this many clusters (the largest) and hulls, and this many names and article ids per
/// cluster, go into the page.
const MAX_PAGE_CLUSTERS: usize = 2_000;
const MAX_CLUSTER_LIST: usize = 50;
/// Layer files up to this size are read whole; bigger ones (frontmap writes one feature per
/// line) are read a line at a time, so that memory stays bounded on big runs.
const READ_WHOLE_BYTES: u64 = 4 << 20;
/// A bigger `coverage.json` is read as a stream in the shape `layers` writes.
const READ_WHOLE_COVERAGE_BYTES: u64 = 64 << 20;

/// How much of a run the page shows.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct PageTotals {
    /// Articles with at least one event, and their events, in the run.
    pub articles: usize,
    pub events: usize,
    /// Of those, on the page.
    pub shown_articles: usize,
    pub shown_events: usize,
}

/// Which articles the page shows: all of them when their events fit in `max_events`, else the
/// most recent (by date, then id; undated last, as the page lists them) whose events fit.
/// `articles` holds per article its date (`YYYY-MM-DD`, "" when undated), id and number of
/// events; the answer has one flag per article.
pub fn choose_articles(
    articles: &[(&str, &str, usize)],
    max_events: usize,
) -> (Vec<bool>, PageTotals) {
    let mut totals = PageTotals::default();
    for &(_, _, n) in articles.iter().filter(|a| a.2 > 0) {
        totals.articles += 1;
        totals.events += n;
    }
    if totals.events <= max_events {
        totals.shown_articles = totals.articles;
        totals.shown_events = totals.events;
        return (vec![true; articles.len()], totals);
    }
    let mut order: Vec<usize> = (0..articles.len()).filter(|&i| articles[i].2 > 0).collect();
    order.sort_by(|&a, &b| {
        let (x, y) = (&articles[a], &articles[b]);
        (x.0.is_empty(), std::cmp::Reverse(x.0), x.1).cmp(&(
            y.0.is_empty(),
            std::cmp::Reverse(y.0),
            y.1,
        ))
    });
    let mut shown = vec![false; articles.len()];
    for i in order {
        let n = articles[i].2;
        if totals.shown_events + n > max_events {
            break;
        }
        shown[i] = true;
        totals.shown_articles += 1;
        totals.shown_events += n;
    }
    (shown, totals)
}

/// The events `frontmap map` hands over, so that the page need not read `events.geojson` and
/// `coverage.json` again.
#[derive(Debug, Clone, Default)]
pub struct RunEvents {
    /// The feature texts (GeoJSON Features as `layers` writes them) of the articles shown, in
    /// layer order.
    pub features: Vec<String>,
    /// Those articles' covered area ids, by article id.
    pub coverage: BTreeMap<String, BTreeSet<String>>,
    pub totals: PageTotals,
}

/// Reads the layers in `dir` and writes `dir/index.html` atomically (temp file in `dir`, then rename).
/// Returns the path written.
pub fn write_index(dir: &Path) -> Result<PathBuf> {
    let html = render_index(dir)?;
    let path = dir.join("index.html");
    crate::atomic::write_atomic(&path, html.as_bytes())?;
    Ok(path)
}

/// `write_index` with the events (and coverage) given rather than read from `dir`: what `map`
/// calls. The other layers are still read from `dir`.
pub fn write_index_for_run(dir: &Path, run: RunEvents) -> Result<PathBuf> {
    check_dir(dir)?;
    let html = PageData::load(dir, Some(run))?.html();
    let path = dir.join("index.html");
    crate::atomic::write_atomic(&path, html.as_bytes())?;
    Ok(path)
}

/// The page `write_index` writes, as a string.
pub fn render_index(dir: &Path) -> Result<String> {
    check_dir(dir)?;
    let data = PageData::load(dir, None)?;
    Ok(data.html())
}

fn check_dir(dir: &Path) -> Result<()> {
    if !dir.is_dir() {
        return Err(Error::Invalid(format!(
            "{}: not a folder of frontmap layers (run `frontmap map … --out DIR` first)",
            dir.display()
        )));
    }
    Ok(())
}

/// One place of one article, as the page needs it.
#[derive(Debug, Clone, Serialize, PartialEq)]
struct PageEvent {
    lon: f64,
    lat: f64,
    article: String,
    title: String,
    source: String,
    /// `YYYY-MM-DD`, or "" when undated.
    date: String,
    place_id: String,
    name: String,
    kind: String,
    country: String,
    admin1: String,
    mentions: u64,
    surfaces: Vec<String>,
    snippet: String,
    precision: String,
    geo_precision: u64,
    rule: String,
    confidence: Option<f64>,
    role: String,
    occupied: String,
    front_distance_km: Option<f64>,
    /// Id of the (non-direction) area the point lies in, "" when none: the "by area" colour key.
    area: String,
}

#[derive(Debug, Clone, Serialize, PartialEq)]
struct PageArticle {
    id: String,
    title: String,
    date: String,
    source: String,
    /// Distinct places.
    places: usize,
    /// Places summed over mentions.
    mentions: u64,
    /// Area ids it covers, from `coverage.json` (or, without one, the areas its points lie in).
    areas: Vec<String>,
}

#[derive(Debug, Clone, Serialize, PartialEq)]
struct PageCluster {
    id: String,
    lon: f64,
    lat: f64,
    event_count: u64,
    place_count: u64,
    places: Vec<String>,
    articles: Vec<String>,
    first_date: String,
    last_date: String,
    radius_km: Option<f64>,
}

/// One entry of the "by area" legend.
#[derive(Debug, Clone, Serialize, PartialEq)]
struct LegendEntry {
    /// Area id, "" for points outside every area.
    area: String,
    name: String,
    colour: String,
    events: usize,
}

/// Run-level facts for the header and the attribution line.
#[derive(Debug, Clone, Serialize, PartialEq)]
struct PageMeta {
    title: String,
    attribution: Vec<String>,
    dates: Vec<String>,
    undated: usize,
    failures: usize,
    skipped_features: usize,
    legend: Vec<LegendEntry>,
    articles: Vec<PageArticle>,
    /// Set when the page shows only part of the run: what it left out and where to find it.
    #[serde(skip_serializing_if = "Option::is_none")]
    note: Option<String>,
}

struct PageData {
    meta: PageMeta,
    events: Vec<PageEvent>,
    clusters: Vec<PageCluster>,
    /// FeatureCollections passed through with their properties cut down to what the page shows.
    areas: Value,
    hulls: Value,
    occupied: Value,
    front_lines: Value,
}

/// An area polygon, for point-in-polygon.
struct AreaShape {
    id: String,
    name: String,
    is_direction: bool,
    shape: geo::MultiPolygon<f64>,
    bbox: Option<geo::Rect<f64>>,
}

impl PageData {
    fn load(dir: &Path, run: Option<RunEvents>) -> Result<PageData> {
        let mut skipped = 0usize;
        let (areas, shapes) = load_areas(&dir.join("areas.geojson"), &mut skipped)?;
        let (mut events, coverage, totals) = match run {
            Some(run) => {
                let mut events = Vec::with_capacity(run.features.len());
                for text in &run.features {
                    if let Some(event) = run_event(text) {
                        events.push(event);
                        continue;
                    }
                    let feature = Feature::from_text(text, EVENT_KEYS).map_err(|e| {
                        Error::Invalid(format!(
                            "bug: a feature handed to the page is not JSON: {e}"
                        ))
                    })?;
                    match event(&feature) {
                        Some(event) => events.push(event),
                        None => skipped += 1,
                    }
                }
                (events, Some(run.coverage), run.totals)
            }
            None => {
                let (events, totals) = load_events(dir, &mut skipped)?;
                let coverage = load_coverage(&dir.join("coverage.json"))?;
                (events, coverage, totals)
            }
        };
        // Events repeat their places: each distinct point (and admin1) is placed once.
        let mut placed: BTreeMap<(u64, u64, &str), String> = BTreeMap::new();
        let areas_of: Vec<String> = events
            .iter()
            .map(|e| {
                placed
                    .entry((e.lon.to_bits(), e.lat.to_bits(), e.admin1.as_str()))
                    .or_insert_with(|| area_of(&shapes, e.lon, e.lat, &e.admin1))
                    .clone()
            })
            .collect();
        drop(placed);
        for (event, area) in events.iter_mut().zip(areas_of) {
            event.area = area;
        }
        let articles = articles(&events, coverage.as_ref(), &shapes);
        drop(coverage);
        let (clusters, skipped_clusters) = load_clusters(&dir.join("clusters.geojson"))?;
        skipped += skipped_clusters;
        let hulls = load_shapes(
            &dir.join("cluster_hulls.geojson"),
            &["cluster", "id"],
            is_polygonal,
            &mut skipped,
        )?;
        let occupied = load_shapes(
            &dir.join("occupied.geojson"),
            &["date", "name"],
            is_polygonal,
            &mut skipped,
        )?;
        let front_lines = load_shapes(
            &dir.join("front_lines.geojson"),
            &["date"],
            is_linear,
            &mut skipped,
        )?;
        let manifest = read_json(&dir.join("manifest.json"))?;

        let dates: BTreeSet<String> = events
            .iter()
            .filter(|e| !e.date.is_empty())
            .map(|e| e.date.clone())
            .collect();
        let undated = events.iter().filter(|e| e.date.is_empty()).count();
        let places: BTreeSet<&str> = events.iter().map(|e| e.place_id.as_str()).collect();
        let partial = totals.shown_events < totals.events;
        let title = if partial {
            format!(
                "{} most recent of {} articles, {} place{}",
                thousands(articles.len()),
                thousands(totals.articles),
                thousands(places.len()),
                plural(places.len())
            )
        } else {
            format!(
                "{} article{}, {} place{}",
                articles.len(),
                plural(articles.len()),
                places.len(),
                plural(places.len())
            )
        };
        let note = partial.then(|| {
            format!(
                "This map shows the {} events of the {} most recent articles; the run has {} events in {} articles, all of them in mentions.jsonl beside this page and in the feature layers the run wrote (events.geojson, dates/, articles/).",
                thousands(totals.shown_events),
                thousands(totals.shown_articles),
                thousands(totals.events),
                thousands(totals.articles)
            )
        });
        let meta = PageMeta {
            title,
            attribution: attribution(manifest.as_ref()),
            dates: dates.into_iter().collect(),
            undated,
            failures: failures(manifest.as_ref()),
            skipped_features: skipped,
            legend: legend(&events, &shapes),
            articles,
            note,
        };
        Ok(PageData {
            meta,
            events,
            clusters,
            areas,
            hulls,
            occupied,
            front_lines,
        })
    }

    fn html(&self) -> String {
        let blocks = [
            ("fm-meta", script_json(&self.meta)),
            ("fm-events", escape_script_json(&events_json(&self.events))),
            ("fm-areas", script_json(&self.areas)),
            ("fm-clusters", script_json(&self.clusters)),
            ("fm-hulls", script_json(&self.hulls)),
            ("fm-occupied", script_json(&self.occupied)),
            ("fm-front", script_json(&self.front_lines)),
        ];
        let leaflet_js = strip_source_map(LEAFLET_JS);
        let csp = content_security_policy(&[leaflet_js, PAGE_JS]);
        let mut html = String::with_capacity(
            LEAFLET_JS.len()
                + LEAFLET_CSS.len()
                + blocks.iter().map(|b| b.1.len() + 64).sum::<usize>()
                + 8192,
        );
        html.push_str("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n");
        html.push_str("<meta http-equiv=\"Content-Security-Policy\" content=\"");
        html.push_str(&csp);
        html.push_str(
            "\">\n<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n",
        );
        html.push_str("<meta name=\"generator\" content=\"frontmap ");
        html.push_str(env!("CARGO_PKG_VERSION"));
        html.push_str("\">\n<title>frontmap map</title>\n<style>\n");
        html.push_str(LEAFLET_CSS);
        html.push_str("\n</style>\n<style>\n");
        html.push_str(PAGE_CSS);
        html.push_str("\n</style>\n</head>\n<body>\n");
        html.push_str(BODY);
        for (id, json) in &blocks {
            html.push_str("<script type=\"application/json\" id=\"");
            html.push_str(id);
            html.push_str("\">");
            html.push_str(json);
            html.push_str("</script>\n");
        }
        html.push_str("<script>\n");
        html.push_str(leaflet_js);
        html.push_str("\n</script>\n<script>\n");
        html.push_str(PAGE_JS);
        html.push_str("\n</script>\n</body>\n</html>\n");
        html
    }
}

/// The page's skeleton; `assets/web/frontmap.js` fills it. Static text only: no data is ever spliced in here.
const BODY: &str = r#"<div id="fm-app">
<aside id="fm-side">
<header><h1>frontmap</h1><p id="fm-summary"></p><p id="fm-warnings" class="fm-warn" hidden></p></header>
<section id="fm-layers"><h2>Layers</h2>
<label><input type="checkbox" id="fm-toggle-areas" checked> Oblasts &amp; regions</label>
<label class="fm-sub"><input type="checkbox" id="fm-toggle-shade" checked> shade by number of events</label>
<label><input type="checkbox" id="fm-toggle-directions" checked> Directions of the front</label>
<label id="fm-occupied-row" hidden><input type="checkbox" id="fm-toggle-occupied" checked> Occupied area</label>
<label id="fm-front-row" hidden><input type="checkbox" id="fm-toggle-front" checked> Line of contact</label>
<label><input type="checkbox" id="fm-toggle-events" checked> Places (circle size: mentions)</label>
<label><input type="checkbox" id="fm-toggle-clusters"> Clusters</label>
<div class="fm-colour" role="radiogroup" aria-label="Colour places">Colour places:
<label><input type="radio" name="fm-colour" id="fm-colour-area" value="area" checked> by area</label>
<label><input type="radio" name="fm-colour" id="fm-colour-date" value="date"> by date</label></div>
<div id="fm-legend"></div>
</section>
<section id="fm-dates"><h2>Date</h2>
<input type="range" id="fm-date" min="0" max="0" value="0" step="1" aria-label="Date">
<div id="fm-date-label"></div>
</section>
<section id="fm-articles-box"><h2>Articles <button type="button" id="fm-show-all">Show all</button></h2>
<ol id="fm-articles"></ol>
</section>
</aside>
<main id="fm-main"><div id="fm-map"></div>
<div id="fm-status" data-event-count="0" data-article="" data-date=""></div>
<div id="fm-attribution"></div></main>
</div>
"#;

/// `12345` as `12,345`.
fn thousands(n: usize) -> String {
    let digits = n.to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3);
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i) % 3 == 0 {
            out.push(',');
        }
        out.push(c);
    }
    out
}

fn plural(n: usize) -> &'static str {
    if n == 1 {
        ""
    } else {
        "s"
    }
}

/// `serde_json::to_string(events)`, byte for byte (a test), written with the layers' JSON
/// writers: the page embeds up to 20,000 events, and serde_json, which tests every byte of a
/// string for escapes, took a third of the time the page took to make.
fn events_json(events: &[PageEvent]) -> String {
    use crate::layers::{json_f64, json_str, json_u64};
    /// A value of an event, as serde writes its type.
    enum Field<'e> {
        Text(&'e str),
        List(&'e [String]),
        Count(u64),
        Number(f64),
        Maybe(Option<f64>),
    }
    let mut out = Vec::with_capacity(events.len() * 640 + 2);
    out.push(b'[');
    for (i, e) in events.iter().enumerate() {
        if i > 0 {
            out.push(b',');
        }
        let fields = [
            (&b"{\"lon\":"[..], Field::Number(e.lon)),
            (b",\"lat\":", Field::Number(e.lat)),
            (b",\"article\":", Field::Text(&e.article)),
            (b",\"title\":", Field::Text(&e.title)),
            (b",\"source\":", Field::Text(&e.source)),
            (b",\"date\":", Field::Text(&e.date)),
            (b",\"place_id\":", Field::Text(&e.place_id)),
            (b",\"name\":", Field::Text(&e.name)),
            (b",\"kind\":", Field::Text(&e.kind)),
            (b",\"country\":", Field::Text(&e.country)),
            (b",\"admin1\":", Field::Text(&e.admin1)),
            (b",\"mentions\":", Field::Count(e.mentions)),
            (b",\"surfaces\":", Field::List(&e.surfaces)),
            (b",\"snippet\":", Field::Text(&e.snippet)),
            (b",\"precision\":", Field::Text(&e.precision)),
            (b",\"geo_precision\":", Field::Count(e.geo_precision)),
            (b",\"rule\":", Field::Text(&e.rule)),
            (b",\"confidence\":", Field::Maybe(e.confidence)),
            (b",\"role\":", Field::Text(&e.role)),
            (b",\"occupied\":", Field::Text(&e.occupied)),
            (
                b",\"front_distance_km\":",
                Field::Maybe(e.front_distance_km),
            ),
            (b",\"area\":", Field::Text(&e.area)),
        ];
        // Each key with the punctuation before it, as one slice.
        for (key, value) in fields {
            out.extend_from_slice(key);
            match value {
                Field::Text(text) => json_str(&mut out, text),
                Field::List(list) => {
                    out.push(b'[');
                    for (n, item) in list.iter().enumerate() {
                        if n > 0 {
                            out.push(b',');
                        }
                        json_str(&mut out, item);
                    }
                    out.push(b']');
                }
                Field::Count(n) => json_u64(&mut out, n),
                Field::Number(x) => json_f64(&mut out, x),
                Field::Maybe(Some(x)) => json_f64(&mut out, x),
                Field::Maybe(None) => out.extend_from_slice(b"null"),
            }
        }
        out.push(b'}');
    }
    out.push(b']');
    crate::layers::utf8(out)
}

/// JSON that cannot end its `<script>` block: `<`, `>` and `&` (which JSON only has inside strings) and the two
/// line separators JavaScript once rejected are written as `\u` escapes.
fn script_json<T: Serialize + ?Sized>(value: &T) -> String {
    let json = match serde_json::to_string(value) {
        Ok(json) => json,
        // Serialising plain structs, strings and numbers into a String cannot fail.
        Err(e) => unreachable!("bug: page data does not serialise: {e}"),
    };
    escape_script_json(&json)
}

fn escape_script_json(json: &str) -> String {
    // The page embeds megabytes: the next byte of each kind is found with memchr, and the
    // stretches between escapes are copied whole. 0xE2 also starts common punctuation (— “ ’),
    // so it is only a candidate, looked at when met.
    let b = json.as_bytes();
    let next_html =
        |from: usize| memchr::memchr3(b'<', b'>', b'&', &b[from..]).map_or(b.len(), |i| from + i);
    let next_e2 = |from: usize| memchr::memchr(0xE2, &b[from..]).map_or(b.len(), |i| from + i);
    let (mut html, mut e2) = (next_html(0), next_e2(0));
    let mut out = String::with_capacity(json.len() + 16);
    let mut copied = 0;
    loop {
        let i = html.min(e2);
        if i >= b.len() {
            break;
        }
        let (escape, len) = if i == html {
            html = next_html(i + 1);
            let escape = match b[i] {
                b'<' => "\\u003c",
                b'>' => "\\u003e",
                _ => "\\u0026",
            };
            (escape, 1)
        } else {
            e2 = next_e2(i + 1);
            // U+2028 and U+2029 (E2 80 A8, E2 80 A9): line breaks to JavaScript.
            match b.get(i + 1..i + 3) {
                Some([0x80, 0xA8]) => ("\\u2028", 3),
                Some([0x80, 0xA9]) => ("\\u2029", 3),
                _ => continue,
            }
        };
        out.push_str(&json[copied..i]);
        out.push_str(escape);
        copied = i + len;
    }
    out.push_str(&json[copied..]);
    out
}

/// The minified file ends with a source-map comment naming a file the page does not ship.
fn strip_source_map(js: &str) -> &str {
    let trimmed = js.trim_end();
    match trimmed.rfind("\n//# sourceMappingURL=") {
        Some(i) => &trimmed[..i],
        None => trimmed,
    }
}

/// No network at all (`default-src 'none'`); only the two inline scripts, by hash; inline styles (Leaflet's and
/// ours); `data:` images only.
fn content_security_policy(scripts: &[&str]) -> String {
    let hashes: Vec<String> = scripts
        .iter()
        .map(|s| format!("'sha256-{}'", base64(&sha256(script_text(s).as_bytes()))))
        .collect();
    format!(
        "default-src 'none'; script-src {}; style-src 'unsafe-inline'; img-src data:; base-uri 'none'; form-action 'none'",
        hashes.join(" ")
    )
}

/// The exact text between `<script>` and `</script>` that `html` writes for a script (CSP hashes that).
fn script_text(js: &str) -> String {
    format!("\n{js}\n")
}

fn read_json(path: &Path) -> Result<Option<Value>> {
    let text = match std::fs::read_to_string(path) {
        Ok(text) => text,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(e) => return Err(Error::io(path, e)),
    };
    serde_json::from_str(&text)
        .map(Some)
        .map_err(|e| Error::parse(path, e.line(), format!("not valid JSON: {e}")))
}

/// The features of a FeatureCollection (or a bare array of features); anything else has none.
fn features(collection: &Value) -> &[Value] {
    match collection {
        Value::Object(o) => o
            .get("features")
            .and_then(Value::as_array)
            .map_or(&[], |a| a.as_slice()),
        Value::Array(a) => a.as_slice(),
        _ => &[],
    }
}

/// A property as text: strings as they are, numbers and booleans written out, anything else "".
fn prop_str(props: Option<&Props>, key: &str) -> String {
    match prop(props, key) {
        Some(Value::String(s)) => s.clone(),
        Some(Value::Number(n)) => n.to_string(),
        Some(Value::Bool(b)) => b.to_string(),
        _ => String::new(),
    }
}

/// The first of `keys` that gives non-empty text.
fn prop_str_any(props: Option<&Props>, keys: &[&str]) -> String {
    keys.iter()
        .map(|k| prop_str(props, k))
        .find(|s| !s.is_empty())
        .unwrap_or_default()
}

/// A finite number, also from a numeric string; None for -1 style "unknown" is left to the caller.
fn prop_f64(props: Option<&Props>, key: &str) -> Option<f64> {
    let value = match prop(props, key)? {
        Value::Number(n) => n.as_f64(),
        Value::String(s) => s.trim().parse().ok(),
        _ => None,
    }?;
    value.is_finite().then_some(value)
}

fn prop_u64(props: Option<&Props>, key: &str) -> Option<u64> {
    count_of(prop_f64(props, key))
}

/// A number read as a count: rounded, None when negative.
fn count_of(x: Option<f64>) -> Option<u64> {
    x.filter(|v| *v >= 0.0).map(|v| v.round() as u64)
}

/// A list property: a JSON array of strings, or a string joined with "|"; empty parts dropped.
fn prop_list(props: Option<&Props>, key: &str) -> Vec<String> {
    match prop(props, key) {
        Some(Value::Array(items)) => items
            .iter()
            .filter_map(|v| match v {
                Value::String(s) => Some(s.clone()),
                Value::Number(n) => Some(n.to_string()),
                _ => None,
            })
            .filter(|s| !s.is_empty())
            .collect(),
        Some(Value::String(s)) => split_list(s),
        _ => Vec::new(),
    }
}

/// The parts of a list joined with "|", trimmed, empty ones dropped.
fn split_list(s: &str) -> Vec<String> {
    s.split('|')
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(String::from)
        .collect()
}

/// `YYYY-MM-DD` from a date or a timestamp starting with one; "" otherwise.
fn iso_date(text: &str) -> String {
    let head = text.trim().get(..10).unwrap_or("");
    // A plain `YYYY-MM-DD` of a real day reads as itself, without chrono's format parser
    // (read for every feature of a run's events).
    let b = head.as_bytes();
    let digits = |r: std::ops::Range<usize>| b[r].iter().all(u8::is_ascii_digit);
    if b.len() == 10
        && b[4] == b'-'
        && b[7] == b'-'
        && digits(0..4)
        && digits(5..7)
        && digits(8..10)
    {
        let number = |r: std::ops::Range<usize>| head[r].parse::<u32>().unwrap_or(0);
        let day = chrono::NaiveDate::from_ymd_opt(number(0..4) as i32, number(5..7), number(8..10));
        return day.map(|_| head.to_string()).unwrap_or_default();
    }
    iso_date_parsed(head)
}

fn iso_date_parsed(head: &str) -> String {
    match chrono::NaiveDate::parse_from_str(head, "%Y-%m-%d") {
        Ok(date) => date.format("%Y-%m-%d").to_string(),
        Err(_) => String::new(),
    }
}

/// Rounds to 6 decimals, as every layer does.
fn round6(x: f64) -> f64 {
    (x * 1e6).round() / 1e6
}

/// `[lon, lat]` of a Point geometry, if it is one with sane coordinates.
fn point(feature: &Feature) -> Option<(f64, f64)> {
    let geometry = feature.geometry.as_ref()?;
    if geometry.get("type")?.as_str()? != "Point" {
        return None;
    }
    let coords = geometry.get("coordinates")?.as_array()?;
    let lon = coords.first()?.as_f64()?;
    let lat = coords.get(1)?.as_f64()?;
    sane_point("Point", lon, lat)
}

/// The point of a geometry of type `kind` at `lon`, `lat`, rounded as the layers round, when
/// it is a Point with sane coordinates.
fn sane_point(kind: &str, lon: f64, lat: f64) -> Option<(f64, f64)> {
    let sane = kind == "Point"
        && lon.is_finite()
        && lat.is_finite()
        && (-180.0..=180.0).contains(&lon)
        && (-90.0..=90.0).contains(&lat);
    sane.then(|| (round6(lon), round6(lat)))
}

/// Calls `f` with every feature of the FeatureCollection at `path` (or of a bare array of
/// features); false when there is no such file. A file over `READ_WHOLE_BYTES` written one
/// feature per line, as frontmap writes its layers, is read a line at a time.
/// Of the properties, only `keys` are read.
fn each_feature(path: &Path, keys: &[&str], f: &mut dyn FnMut(&Feature)) -> Result<bool> {
    each_feature_within(path, READ_WHOLE_BYTES, &mut |raw| {
        f(&raw.read(keys)?);
        Ok(())
    })
}

/// A feature not read yet: `read` it with the keys wanted (a reader may read it twice, first
/// the few properties that decide whether it wants the rest).
enum RawFeature<'a> {
    /// One line of a file, and where it is.
    Line(&'a str, &'a Path, LineSpan),
    /// A feature of a file read whole.
    Parsed(&'a Value),
}

/// Where a line is in its file: number (from 1), and byte range with its line break.
#[derive(Debug, Clone, Copy)]
struct LineSpan {
    line: usize,
    start: u64,
    end: u64,
}

impl<'a> RawFeature<'a> {
    /// The feature's point and which article it is of: typed where it is a line the layers
    /// wrote (`LightRun`), else read as any feature is.
    fn read_light(&self) -> Result<Light<'a>> {
        if let RawFeature::Line(text, ..) = *self {
            if let Ok(run) = serde_json::from_str::<LightRun>(text) {
                return Ok(Light::Typed(run));
            }
        }
        self.read(ARTICLE_KEYS).map(Light::General)
    }

    /// The page event of the feature, if it is one: typed where it is a line the layers
    /// wrote (`run_event`), else read as any feature is.
    fn event(&self) -> Result<Option<PageEvent>> {
        if let RawFeature::Line(text, ..) = *self {
            if let Some(event) = run_event(text) {
                return Ok(Some(event));
            }
        }
        Ok(event(&self.read(EVENT_KEYS)?))
    }

    fn read<'k>(&self, keys: &'k [&'k str]) -> Result<Feature<'k>> {
        match *self {
            RawFeature::Line(text, path, LineSpan { line, .. }) => Feature::from_text(text, keys)
                .map_err(|e| Error::parse(path, line, format!("not valid JSON: {e}"))),
            RawFeature::Parsed(value) => Ok(Feature::from_value(value, keys)),
        }
    }
}

/// `each_feature`, reading whole only files of at most `whole_bytes`.
fn each_feature_within(
    path: &Path,
    whole_bytes: u64,
    f: &mut dyn FnMut(RawFeature) -> Result<()>,
) -> Result<bool> {
    use std::io::BufRead;
    let size = match std::fs::metadata(path) {
        Ok(m) => m.len(),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(false),
        Err(e) => return Err(Error::io(path, e)),
    };
    const HEAD: &str = "{\"type\":\"FeatureCollection\",\"features\":[";
    let mut reader =
        std::io::BufReader::new(std::fs::File::open(path).map_err(|e| Error::io(path, e))?);
    let mut first = String::new();
    let line_by_line =
        size > whole_bytes && reader.read_line(&mut first).is_ok() && first.trim_end() == HEAD;
    if !line_by_line {
        let Some(collection) = read_json(path)? else {
            return Ok(false);
        };
        for feature in features(&collection) {
            f(RawFeature::Parsed(feature))?;
        }
        return Ok(true);
    }
    let at = LineSpan {
        line: 2,
        start: first.len() as u64,
        end: size,
    };
    each_line_feature(path, &mut reader, at, f)?;
    Ok(true)
}

/// The features of the lines `reader` gives from `at` (its first line and offset) up to
/// `at.end`, one feature a line as frontmap writes its layers.
fn each_line_feature(
    path: &Path,
    reader: &mut dyn std::io::BufRead,
    at: LineSpan,
    f: &mut dyn FnMut(RawFeature) -> Result<()>,
) -> Result<()> {
    let mut line = String::new();
    let mut span = LineSpan {
        line: at.line,
        start: at.start,
        end: at.start,
    };
    while span.end < at.end {
        line.clear();
        let read = reader
            .read_line(&mut line)
            .map_err(|e| Error::io(path, e))?;
        if read == 0 {
            break;
        }
        span.end += read as u64;
        let text = line.trim_end();
        let text = text.strip_suffix(',').unwrap_or(text);
        if !text.is_empty() && text != "]}" {
            f(RawFeature::Line(text, path, span))?;
        }
        span.line += 1;
        span.start = span.end;
    }
    Ok(())
}

/// `events.geojson`; without it (`map --layers`), the per-article layers in `articles/`, else
/// the per-date ones in `dates/` (sorted by file name): each holds every feature once.
/// When there are more than `MAX_PAGE_EVENTS`, only those of the most recent articles (see
/// `choose_articles`), read in a second pass so that the rest is never held.
fn load_events(dir: &Path, skipped: &mut usize) -> Result<(Vec<PageEvent>, PageTotals)> {
    let mut sources = vec![dir.join("events.geojson")];
    if !sources[0].exists() {
        sources.clear();
        for folder in [dir.join("articles"), dir.join("dates")] {
            if !folder.is_dir() {
                continue;
            }
            sources = std::fs::read_dir(&folder)
                .map_err(|e| Error::io(&folder, e))?
                .filter_map(|entry| entry.ok().map(|e| e.path()))
                .filter(|p| p.extension().is_some_and(|x| x == "geojson"))
                .collect();
            sources.sort();
            if !sources.is_empty() {
                break;
            }
        }
    }
    // First pass: each article's date and count, and where its features are; and every
    // event while they fit.
    let mut events = Vec::new();
    let mut per_article: BTreeMap<String, (String, usize, usize)> = BTreeMap::new();
    let mut runs: Vec<Run> = Vec::new();
    let mut too_many = false;
    for (source, path) in sources.iter().enumerate() {
        each_feature_within(path, READ_WHOLE_BYTES, &mut |raw| {
            let light = raw.read_light()?;
            if light.point().is_none() {
                *skipped += 1;
                return Ok(());
            }
            let article = event_article(&light);
            let order = match per_article.get_mut(&article) {
                Some(entry) => {
                    entry.1 += 1;
                    entry.2
                }
                None => {
                    let order = per_article.len();
                    let entry = (event_date(&light), 1, order);
                    per_article.insert(article, entry);
                    order
                }
            };
            let lines = match raw {
                RawFeature::Line(_, _, span) => Some(span),
                RawFeature::Parsed(_) => None,
            };
            Run::extend(&mut runs, order, source, lines);
            if !too_many {
                events.extend(raw.event()?);
                if events.len() > MAX_PAGE_EVENTS {
                    too_many = true;
                    events = Vec::new();
                }
            }
            Ok(())
        })?;
    }
    let mut listed: Vec<(&str, &str, usize, usize)> = per_article
        .iter()
        .map(|(id, (date, n, order))| (date.as_str(), id.as_str(), *n, *order))
        .collect();
    listed.sort_by_key(|a| a.3);
    let choice: Vec<(&str, &str, usize)> = listed.iter().map(|a| (a.0, a.1, a.2)).collect();
    let (shown, totals) = choose_articles(&choice, MAX_PAGE_EVENTS);
    if !too_many {
        return Ok((events, totals));
    }
    // Second pass: only where the shown articles' features are (`shown` is in first-seen
    // order, as `runs` number the articles).
    let keep: BTreeSet<&str> = choice
        .iter()
        .zip(&shown)
        .filter(|(_, &s)| s)
        .map(|(a, _)| a.1)
        .collect();
    let mut read_whole: Option<usize> = None;
    let mut open: Option<(usize, std::io::BufReader<std::fs::File>)> = None;
    for run in runs.iter().filter(|r| shown.get(r.article) == Some(&true)) {
        let path = &sources[run.source];
        let mut add = |raw: RawFeature| -> Result<()> {
            if keep.contains(event_article(&raw.read_light()?).as_str()) {
                events.extend(raw.event()?);
            }
            Ok(())
        };
        let Some(lines) = run.lines else {
            // A file read whole is read whole again, once.
            if read_whole != Some(run.source) {
                read_whole = Some(run.source);
                each_feature_within(path, u64::MAX, &mut add)?;
            }
            continue;
        };
        if open
            .as_ref()
            .is_none_or(|(source, _)| *source != run.source)
        {
            let file = std::fs::File::open(path).map_err(|e| Error::io(path, e))?;
            open = Some((run.source, std::io::BufReader::new(file)));
        }
        if let Some((_, reader)) = &mut open {
            use std::io::Seek;
            reader
                .seek(std::io::SeekFrom::Start(lines.start))
                .map_err(|e| Error::io(path, e))?;
            each_line_feature(path, reader, lines, &mut add)?;
        }
    }
    Ok((events, totals))
}

/// Consecutive features of one article in one source: the lines they are on, or None in a
/// file read whole.
struct Run {
    /// The article's number, in first-seen order.
    article: usize,
    source: usize,
    lines: Option<LineSpan>,
}

impl Run {
    /// Adds a feature to the last run when it continues it.
    fn extend(runs: &mut Vec<Run>, article: usize, source: usize, lines: Option<LineSpan>) {
        if let Some(last) = runs.last_mut() {
            if last.article == article && last.source == source {
                match (&mut last.lines, lines) {
                    (None, None) => return,
                    (Some(run), Some(line)) if run.end == line.start => {
                        run.end = line.end;
                        return;
                    }
                    _ => {}
                }
            }
        }
        runs.push(Run {
            article,
            source,
            lines,
        });
    }
}

/// The properties `event` reads.
const EVENT_KEYS: &[&str] = &[
    "name",
    "place",
    "place_id",
    "article",
    "article_id",
    "precision",
    "front_distance_km",
    "title",
    "source",
    "date",
    "published",
    "kind",
    "country",
    "admin1",
    "mentions",
    "surfaces",
    "snippet",
    "geo_precision",
    "rule",
    "confidence",
    "role",
    "occupied",
];

fn event_article(p: &impl EventProps) -> String {
    p.first_text(&["article", "article_id"])
}

fn event_date(p: &impl EventProps) -> String {
    iso_date(&p.first_text(&["date", "published"]))
}

/// What `event` reads of a feature: its point and properties, read as `point`, `prop_str`,
/// `prop_f64` and `prop_list` read them from a parsed feature.
trait EventProps {
    fn point(&self) -> Option<(f64, f64)>;
    fn text(&self, key: &str) -> String;
    fn number(&self, key: &str) -> Option<f64>;
    fn list(&self, key: &str) -> Vec<String>;

    /// The first of `keys` that gives non-empty text, as `prop_str_any` reads it.
    fn first_text(&self, keys: &[&str]) -> String {
        keys.iter()
            .map(|k| self.text(k))
            .find(|s| !s.is_empty())
            .unwrap_or_default()
    }

    /// A count, as `prop_u64` reads it.
    fn count(&self, key: &str) -> Option<u64> {
        count_of(self.number(key))
    }
}

impl EventProps for Feature<'_> {
    fn point(&self) -> Option<(f64, f64)> {
        point(self)
    }
    fn text(&self, key: &str) -> String {
        prop_str(self.properties(), key)
    }
    fn number(&self, key: &str) -> Option<f64> {
        prop_f64(self.properties(), key)
    }
    fn list(&self, key: &str) -> Vec<String> {
        prop_list(self.properties(), key)
    }
}

fn event(p: &impl EventProps) -> Option<PageEvent> {
    let (lon, lat) = p.point()?;
    let name = p.first_text(&["name", "place", "place_id"]);
    let place_id = match p.text("place_id") {
        id if !id.is_empty() => id,
        // Without an id, the same name at the same point is the same place.
        _ => format!("{name}@{lon:.6},{lat:.6}"),
    };
    let article = event_article(p);
    let precision = match p.text("precision").to_ascii_lowercase() {
        s if s.is_empty() => "exact".to_string(),
        s => s,
    };
    // -1 (or any negative) is the layers' "unknown" for distances.
    let front_distance_km = p.number("front_distance_km").filter(|d| *d >= 0.0);
    Some(PageEvent {
        lon,
        lat,
        title: p.text("title"),
        source: p.text("source"),
        date: event_date(p),
        place_id,
        name,
        kind: p.text("kind"),
        country: p.text("country"),
        admin1: p.text("admin1"),
        mentions: p.count("mentions").unwrap_or(1).max(1),
        surfaces: p.list("surfaces"),
        snippet: p.text("snippet"),
        precision,
        geo_precision: p.count("geo_precision").unwrap_or(0),
        rule: p.text("rule"),
        confidence: p.number("confidence"),
        role: p.text("role"),
        occupied: p.text("occupied"),
        front_distance_km,
        area: String::new(),
        article,
    })
}

/// A feature of this run's own layers (`layers` writes every property, with its type, in
/// every feature), read into typed fields: `map` hands the page up to 20,000 of them, and
/// reading each property into a `Value` and finding it by key was a third of making the page.
/// None for anything else (a property missing, repeated or of another type), which
/// `Feature::from_text` and `event` then read as they read any layer.
fn run_event(text: &str) -> Option<PageEvent> {
    event(&serde_json::from_str::<RunFeature>(text).ok()?)
}

#[derive(serde::Deserialize)]
struct RunFeature<'a> {
    #[serde(borrow)]
    geometry: RunPoint<'a>,
    #[serde(borrow)]
    properties: RunProps<'a>,
}

#[derive(serde::Deserialize)]
struct RunPoint<'a> {
    #[serde(rename = "type", borrow)]
    kind: Cow<'a, str>,
    coordinates: (f64, f64),
}

impl RunPoint<'_> {
    fn point(&self) -> Option<(f64, f64)> {
        let (lon, lat) = self.coordinates;
        sane_point(&self.kind, lon, lat)
    }
}

/// Every property `event` reads, as the layers write it.
#[derive(serde::Deserialize)]
struct RunProps<'a> {
    #[serde(borrow)]
    article: Cow<'a, str>,
    #[serde(borrow)]
    title: Cow<'a, str>,
    #[serde(borrow)]
    source: Cow<'a, str>,
    #[serde(borrow)]
    date: Cow<'a, str>,
    #[serde(borrow)]
    place_id: Cow<'a, str>,
    #[serde(borrow)]
    name: Cow<'a, str>,
    #[serde(borrow)]
    kind: Cow<'a, str>,
    #[serde(borrow)]
    country: Cow<'a, str>,
    #[serde(borrow)]
    admin1: Cow<'a, str>,
    mentions: f64,
    #[serde(borrow)]
    surfaces: Cow<'a, str>,
    #[serde(borrow)]
    snippet: Cow<'a, str>,
    #[serde(borrow)]
    precision: Cow<'a, str>,
    geo_precision: f64,
    #[serde(borrow)]
    rule: Cow<'a, str>,
    confidence: f64,
    #[serde(borrow)]
    role: Cow<'a, str>,
    #[serde(borrow)]
    occupied: Cow<'a, str>,
    front_distance_km: f64,
    // What `event` falls back on when the key before it is empty.
    #[serde(borrow, default)]
    published: Option<Cow<'a, str>>,
    #[serde(borrow, default)]
    place: Option<Cow<'a, str>>,
    #[serde(borrow, default)]
    article_id: Option<Cow<'a, str>>,
}

impl EventProps for RunFeature<'_> {
    fn point(&self) -> Option<(f64, f64)> {
        self.geometry.point()
    }
    fn text(&self, key: &str) -> String {
        let p = &self.properties;
        let text = match key {
            "article" => &p.article,
            "title" => &p.title,
            "source" => &p.source,
            "date" => &p.date,
            "place_id" => &p.place_id,
            "name" => &p.name,
            "kind" => &p.kind,
            "country" => &p.country,
            "admin1" => &p.admin1,
            "snippet" => &p.snippet,
            "precision" => &p.precision,
            "rule" => &p.rule,
            "role" => &p.role,
            "occupied" => &p.occupied,
            "published" => return p.published.as_deref().unwrap_or_default().to_string(),
            "place" => return p.place.as_deref().unwrap_or_default().to_string(),
            "article_id" => return p.article_id.as_deref().unwrap_or_default().to_string(),
            _ => return String::new(),
        };
        text.to_string()
    }
    fn number(&self, key: &str) -> Option<f64> {
        let p = &self.properties;
        let x = match key {
            "mentions" => p.mentions,
            "geo_precision" => p.geo_precision,
            "confidence" => p.confidence,
            "front_distance_km" => p.front_distance_km,
            _ => return None,
        };
        x.is_finite().then_some(x)
    }
    fn list(&self, key: &str) -> Vec<String> {
        match key {
            "surfaces" => split_list(&self.properties.surfaces),
            _ => Vec::new(),
        }
    }
}

/// Whether a feature is an event, and of which article, is read first: of most features
/// nothing else is wanted.
const ARTICLE_KEYS: &[&str] = &["article", "article_id", "date", "published"];

/// A feature's point and article properties (`ARTICLE_KEYS`), as `RawFeature::read_light`
/// read them.
enum Light<'a> {
    Typed(LightRun<'a>),
    General(Feature<'static>),
}

/// A feature's point and article properties, read typed (the other properties skipped);
/// anything but a Point of two numbers and text properties is read the general way.
#[derive(serde::Deserialize)]
struct LightRun<'a> {
    #[serde(borrow)]
    geometry: RunPoint<'a>,
    #[serde(borrow)]
    properties: LightProps<'a>,
}

#[derive(serde::Deserialize)]
struct LightProps<'a> {
    #[serde(borrow, default)]
    article: Option<Cow<'a, str>>,
    #[serde(borrow, default)]
    article_id: Option<Cow<'a, str>>,
    #[serde(borrow, default)]
    date: Option<Cow<'a, str>>,
    #[serde(borrow, default)]
    published: Option<Cow<'a, str>>,
}

impl EventProps for Light<'_> {
    fn point(&self) -> Option<(f64, f64)> {
        match self {
            Light::Typed(run) => run.geometry.point(),
            Light::General(feature) => point(feature),
        }
    }
    fn text(&self, key: &str) -> String {
        match self {
            Light::Typed(LightRun { properties: p, .. }) => match key {
                "article" => &p.article,
                "article_id" => &p.article_id,
                "date" => &p.date,
                "published" => &p.published,
                _ => &None,
            }
            .as_deref()
            .unwrap_or_default()
            .to_string(),
            Light::General(feature) => feature.text(key),
        }
    }
    fn number(&self, _: &str) -> Option<f64> {
        None
    }
    fn list(&self, _: &str) -> Vec<String> {
        Vec::new()
    }
}

/// The polygons of a GeoJSON geometry (`Polygon` or `MultiPolygon`), holes kept; None for anything else.
fn multi_polygon(geometry: &Value) -> Option<geo::MultiPolygon<f64>> {
    fn ring(value: &Value) -> Option<geo::LineString<f64>> {
        let coords: Option<Vec<geo::Coord<f64>>> = value
            .as_array()?
            .iter()
            .map(|c| {
                let c = c.as_array()?;
                let (x, y) = (c.first()?.as_f64()?, c.get(1)?.as_f64()?);
                (x.is_finite() && y.is_finite()).then_some(geo::Coord { x, y })
            })
            .collect();
        let coords = coords?;
        (coords.len() >= 4).then(|| geo::LineString::new(coords))
    }
    fn polygon(value: &Value) -> Option<geo::Polygon<f64>> {
        let mut rings = value.as_array()?.iter();
        let exterior = ring(rings.next()?)?;
        let holes: Option<Vec<_>> = rings.map(ring).collect();
        Some(geo::Polygon::new(exterior, holes?))
    }
    let coords = geometry.get("coordinates")?;
    match geometry.get("type")?.as_str()? {
        "Polygon" => Some(geo::MultiPolygon::new(vec![polygon(coords)?])),
        "MultiPolygon" => {
            let polygons: Option<Vec<_>> = coords.as_array()?.iter().map(polygon).collect();
            Some(geo::MultiPolygon::new(polygons?))
        }
        _ => None,
    }
}

/// A polygon feature cut down to its geometry and the page's properties.
fn slim_feature(geometry: &Value, props: Map<String, Value>) -> Value {
    let mut feature = Map::new();
    feature.insert("type".into(), Value::from("Feature"));
    feature.insert("geometry".into(), geometry.clone());
    feature.insert("properties".into(), Value::Object(props));
    Value::Object(feature)
}

fn feature_collection(features: Vec<Value>) -> Value {
    let mut collection = Map::new();
    collection.insert("type".into(), Value::from("FeatureCollection"));
    collection.insert("features".into(), Value::Array(features));
    Value::Object(collection)
}

fn is_direction(id: &str, kind: &str) -> bool {
    kind.eq_ignore_ascii_case("direction") || id.starts_with("dir:")
}

/// `areas.geojson`: the polygons for the page (with `id, name, type, direction, events, articles`) and for
/// point-in-polygon.
fn load_areas(path: &Path, skipped: &mut usize) -> Result<(Value, Vec<AreaShape>)> {
    let Some(collection) = read_json(path)? else {
        return Ok((feature_collection(Vec::new()), Vec::new()));
    };
    let mut out = Vec::new();
    let mut shapes = Vec::new();
    for feature in features(&collection) {
        let feature = Feature::from_value(
            feature,
            &[
                "id",
                "code",
                "iso_3166_2",
                "name",
                "type",
                "country",
                "events",
                "articles",
            ],
        );
        let Some(geometry) = &feature.geometry else {
            *skipped += 1;
            continue;
        };
        let Some(shape) = multi_polygon(geometry) else {
            *skipped += 1;
            continue;
        };
        let p = feature.properties();
        let id = prop_str_any(p, &["id", "code", "iso_3166_2", "name"]);
        let name = match prop_str(p, "name") {
            name if name.is_empty() => id.clone(),
            name => name,
        };
        let kind = prop_str(p, "type");
        let direction = is_direction(&id, &kind);
        let mut props = Map::new();
        props.insert("id".into(), Value::from(id.clone()));
        props.insert("name".into(), Value::from(name.clone()));
        props.insert("type".into(), Value::from(kind));
        props.insert("country".into(), Value::from(prop_str(p, "country")));
        props.insert("direction".into(), Value::from(direction));
        props.insert(
            "events".into(),
            Value::from(prop_u64(p, "events").unwrap_or(0)),
        );
        props.insert(
            "articles".into(),
            Value::from(prop_u64(p, "articles").unwrap_or(0)),
        );
        out.push(slim_feature(geometry, props));
        shapes.push(AreaShape {
            bbox: shape.bounding_rect(),
            id,
            name,
            is_direction: direction,
            shape,
        });
    }
    Ok((feature_collection(out), shapes))
}

fn is_polygonal(geometry: &Value) -> bool {
    multi_polygon(geometry).is_some()
}

/// A `LineString` or `MultiLineString` whose positions are all pairs of finite numbers.
fn is_linear(geometry: &Value) -> bool {
    fn line(value: &Value) -> bool {
        value.as_array().is_some_and(|points| {
            points.len() >= 2
                && points.iter().all(|p| {
                    p.as_array().is_some_and(|c| {
                        c.len() >= 2
                            && c.iter()
                                .take(2)
                                .all(|x| x.as_f64().is_some_and(f64::is_finite))
                    })
                })
        })
    }
    let Some(coords) = geometry.get("coordinates") else {
        return false;
    };
    match geometry.get("type").and_then(Value::as_str) {
        Some("LineString") => line(coords),
        Some("MultiLineString") => coords
            .as_array()
            .is_some_and(|lines| lines.iter().all(line)),
        _ => false,
    }
}

/// Shapes `accept`ed, with a few text properties kept (cluster hulls, the occupied area, front lines); the first
/// `MAX_PAGE_CLUSTERS` of a cluster layer.
fn load_shapes(
    path: &Path,
    keep: &[&str],
    accept: fn(&Value) -> bool,
    skipped: &mut usize,
) -> Result<Value> {
    let limit = if keep.contains(&"cluster") {
        MAX_PAGE_CLUSTERS
    } else {
        usize::MAX
    };
    let mut out = Vec::new();
    each_feature(
        path,
        keep,
        &mut |feature| match feature.geometry.as_ref().filter(|g| accept(g)) {
            Some(_) if out.len() >= limit => {}
            Some(geometry) => {
                let p = feature.properties();
                let props = keep
                    .iter()
                    .map(|k| (k.to_string(), Value::from(prop_str(p, k))))
                    .collect();
                out.push(slim_feature(geometry, props));
            }
            None => *skipped += 1,
        },
    )?;
    Ok(feature_collection(out))
}

/// `clusters.geojson` (the first `MAX_PAGE_CLUSTERS`, the layer's largest, with at most
/// `MAX_CLUSTER_LIST` names and article ids each), and how many features were skipped.
fn load_clusters(path: &Path) -> Result<(Vec<PageCluster>, usize)> {
    let mut clusters = Vec::new();
    let mut skipped = 0;
    const KEYS: &[&str] = &[
        "places",
        "articles",
        "place_count",
        "cluster",
        "id",
        "event_count",
        "first_date",
        "last_date",
        "radius_km",
    ];
    each_feature(path, KEYS, &mut |feature| {
        let Some((lon, lat)) = point(feature) else {
            skipped += 1;
            return;
        };
        if clusters.len() >= MAX_PAGE_CLUSTERS {
            return;
        }
        let p = feature.properties();
        let mut places = prop_list(p, "places");
        let mut articles = prop_list(p, "articles");
        let place_count = prop_u64(p, "place_count").unwrap_or(places.len() as u64);
        places.truncate(MAX_CLUSTER_LIST);
        articles.truncate(MAX_CLUSTER_LIST);
        clusters.push(PageCluster {
            id: prop_str_any(p, &["cluster", "id"]),
            lon,
            lat,
            event_count: prop_u64(p, "event_count").unwrap_or(0),
            place_count,
            places,
            articles,
            first_date: iso_date(&prop_str(p, "first_date")),
            last_date: iso_date(&prop_str(p, "last_date")),
            radius_km: prop_f64(p, "radius_km"),
        });
    })?;
    Ok((clusters, skipped))
}

/// `coverage.json` as article id → area ids. Accepts the shapes a coverage file plausibly takes:
/// `{article: [area…]}`, `{article: {areas: [area…]}}`, `{articles: [...]}`, `[{article, areas: [area…]}]` or flat
/// rows `[{article, area_id}]`, where an area is an id string or an object with `id`/`area_id`/`area`.
/// None when there is no file.
fn load_coverage(path: &Path) -> Result<Option<BTreeMap<String, BTreeSet<String>>>> {
    let size = match std::fs::metadata(path) {
        Ok(m) => m.len(),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(e) => return Err(Error::io(path, e)),
    };
    if size > READ_WHOLE_COVERAGE_BYTES {
        return load_big_coverage(path).map(Some);
    }
    let Some(value) = read_json(path)? else {
        return Ok(None);
    };
    let mut coverage = BTreeMap::new();
    coverage_from(&value, &mut coverage);
    Ok(Some(coverage))
}

/// A big `coverage.json` in the shape `layers` writes, read as a stream keeping only article
/// ids and area ids.
fn load_big_coverage(path: &Path) -> Result<BTreeMap<String, BTreeSet<String>>> {
    #[derive(serde::Deserialize)]
    struct Doc {
        #[serde(default)]
        articles: Vec<Entry>,
    }
    #[derive(serde::Deserialize)]
    struct Entry {
        #[serde(default)]
        article: String,
        #[serde(default)]
        areas: Vec<AreaRef>,
    }
    #[derive(serde::Deserialize)]
    struct AreaRef {
        #[serde(default)]
        id: String,
    }
    let file = std::fs::File::open(path).map_err(|e| Error::io(path, e))?;
    let doc: Doc = serde_json::from_reader(std::io::BufReader::new(file))
        .map_err(|e| Error::parse(path, e.line(), format!("not frontmap's coverage.json: {e}")))?;
    let mut out: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for entry in doc.articles {
        out.entry(entry.article).or_default().extend(
            entry
                .areas
                .into_iter()
                .map(|a| a.id)
                .filter(|id| !id.is_empty()),
        );
    }
    Ok(out)
}

fn coverage_from(value: &Value, out: &mut BTreeMap<String, BTreeSet<String>>) {
    fn area_id(entry: &Value) -> Option<String> {
        match entry {
            Value::String(s) => Some(s.clone()),
            Value::Object(o) => ["id", "area_id", "area"]
                .iter()
                .find_map(|k| o.get(*k).and_then(Value::as_str))
                .map(String::from),
            _ => None,
        }
        .filter(|s| !s.is_empty())
    }
    fn areas_of(value: &Value) -> Vec<String> {
        let list = match value {
            Value::Object(o) => o.get("areas").or_else(|| o.get("coverage")),
            other => Some(other),
        };
        list.and_then(Value::as_array)
            .map(|items| items.iter().filter_map(area_id).collect())
            .unwrap_or_default()
    }
    match value {
        Value::Object(o) => {
            // A document with a list of articles (and other members, e.g. an `areas` summary): only the list.
            if let Some(list) = ["articles", "coverage"]
                .iter()
                .find_map(|k| o.get(*k).filter(|v| v.is_array()))
            {
                coverage_from(list, out);
                return;
            }
            for (key, item) in o {
                if item.is_array() || item.is_object() {
                    out.entry(key.clone()).or_default().extend(areas_of(item));
                }
            }
        }
        Value::Array(items) => {
            for item in items {
                let Some(o) = item.as_object() else { continue };
                let article = ["article", "article_id", "id"]
                    .iter()
                    .find_map(|k| o.get(*k).and_then(Value::as_str));
                let Some(article) = article else { continue };
                let entry = out.entry(article.to_string()).or_default();
                if o.contains_key("areas") || o.contains_key("coverage") {
                    entry.extend(areas_of(item));
                } else if let Some(area) = ["area_id", "area"]
                    .iter()
                    .find_map(|k| o.get(*k))
                    .and_then(area_id)
                {
                    entry.insert(area);
                }
            }
        }
        _ => {}
    }
}

/// The non-direction area a point lies in (the first in file order), else the one named like the place's admin1
/// (a coastal town just outside a simplified outline), else "".
fn area_of(shapes: &[AreaShape], lon: f64, lat: f64, admin1: &str) -> String {
    areas_at(shapes, lon, lat)
        .find(|a| !a.is_direction)
        .or_else(|| {
            shapes
                .iter()
                .find(|a| !a.is_direction && !admin1.is_empty() && a.name == admin1)
        })
        .map(|a| a.id.clone())
        .unwrap_or_default()
}

fn areas_at(shapes: &[AreaShape], lon: f64, lat: f64) -> impl Iterator<Item = &AreaShape> {
    let p = geo::Point::new(lon, lat);
    shapes.iter().filter(move |a| {
        a.bbox.is_some_and(|b| {
            b.min().x <= lon && lon <= b.max().x && b.min().y <= lat && lat <= b.max().y
        }) && a.shape.contains(&p)
    })
}

/// One entry per article, newest first, undated last, then by id.
fn articles(
    events: &[PageEvent],
    coverage: Option<&BTreeMap<String, BTreeSet<String>>>,
    shapes: &[AreaShape],
) -> Vec<PageArticle> {
    let mut by_id: BTreeMap<&str, (PageArticle, BTreeSet<&str>)> = BTreeMap::new();
    for e in events {
        let (article, places) = by_id.entry(e.article.as_str()).or_insert_with(|| {
            (
                PageArticle {
                    id: e.article.clone(),
                    title: String::new(),
                    date: String::new(),
                    source: String::new(),
                    places: 0,
                    mentions: 0,
                    areas: Vec::new(),
                },
                BTreeSet::new(),
            )
        });
        for (field, value) in [
            (&mut article.title, &e.title),
            (&mut article.date, &e.date),
            (&mut article.source, &e.source),
        ] {
            if field.is_empty() {
                field.clone_from(value);
            }
        }
        article.mentions += e.mentions;
        places.insert(e.place_id.as_str());
    }
    let mut out: Vec<PageArticle> = by_id
        .into_values()
        .map(|(mut article, places)| {
            article.places = places.len();
            article.areas = match coverage {
                Some(coverage) => coverage
                    .get(&article.id)
                    .map(|a| a.iter().cloned().collect())
                    .unwrap_or_default(),
                // No coverage file: the areas (directions too) its points lie in.
                None => {
                    let covered: BTreeSet<String> = events
                        .iter()
                        .filter(|e| e.article == article.id)
                        .flat_map(|e| areas_at(shapes, e.lon, e.lat).map(|a| a.id.clone()))
                        .collect();
                    covered.into_iter().collect()
                }
            };
            article
        })
        .collect();
    out.sort_by(|a, b| {
        (a.date.is_empty(), std::cmp::Reverse(&a.date), &a.id).cmp(&(
            b.date.is_empty(),
            std::cmp::Reverse(&b.date),
            &b.id,
        ))
    });
    out
}

/// The "by area" colours: areas by event count (most first, then id), the palette in that order.
fn legend(events: &[PageEvent], shapes: &[AreaShape]) -> Vec<LegendEntry> {
    let mut counts: BTreeMap<&str, usize> = BTreeMap::new();
    for e in events {
        *counts.entry(e.area.as_str()).or_default() += 1;
    }
    let outside = counts.remove("").unwrap_or(0);
    let mut ranked: Vec<(&str, usize)> = counts.into_iter().collect();
    ranked.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(b.0)));
    let mut legend: Vec<LegendEntry> = ranked
        .into_iter()
        .enumerate()
        .map(|(i, (area, events))| LegendEntry {
            area: area.to_string(),
            name: shapes
                .iter()
                .find(|s| s.id == area)
                .map_or_else(|| area.to_string(), |s| s.name.clone()),
            colour: AREA_PALETTE.get(i).unwrap_or(&OTHER_COLOUR).to_string(),
            events,
        })
        .collect();
    if outside > 0 {
        legend.push(LegendEntry {
            area: String::new(),
            name: "elsewhere".to_string(),
            colour: OTHER_COLOUR.to_string(),
            events: outside,
        });
    }
    legend
}

/// The attribution lines of `manifest.json` (`attribution` as a string, a list, or an object of strings),
/// else `DEFAULT_ATTRIBUTION`.
fn attribution(manifest: Option<&Value>) -> Vec<String> {
    let lines: Vec<String> = match manifest.and_then(|m| m.get("attribution")) {
        Some(Value::String(s)) => s
            .lines()
            .map(str::trim)
            .filter(|l| !l.is_empty())
            .map(String::from)
            .collect(),
        Some(Value::Array(items)) => items
            .iter()
            .filter_map(Value::as_str)
            .map(String::from)
            .collect(),
        Some(Value::Object(o)) => o
            .values()
            .filter_map(Value::as_str)
            .map(String::from)
            .collect(),
        _ => Vec::new(),
    };
    if lines.is_empty() {
        DEFAULT_ATTRIBUTION.iter().map(|s| s.to_string()).collect()
    } else {
        lines
    }
}

/// How many inputs the run could not read (`failures` as a list or a count).
fn failures(manifest: Option<&Value>) -> usize {
    match manifest.and_then(|m| m.get("failures")) {
        Some(Value::Array(items)) => items.len(),
        Some(Value::Number(n)) => n.as_u64().unwrap_or(0) as usize,
        _ => 0,
    }
}

/// SHA-256 (FIPS 180-4), for the page's CSP script hashes; the crate has no hashing dependency and needs only this.
fn sha256(data: &[u8]) -> [u8; 32] {
    const K: [u32; 64] = [
        0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4,
        0xab1c5ed5, 0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe,
        0x9bdc06a7, 0xc19bf174, 0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f,
        0x4a7484aa, 0x5cb0a9dc, 0x76f988da, 0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7,
        0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967, 0x27b70a85, 0x2e1b2138, 0x4d2c6dfc,
        0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85, 0xa2bfe8a1, 0xa81a664b,
        0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070, 0x19a4c116,
        0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
        0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7,
        0xc67178f2,
    ];
    let mut h: [u32; 8] = [
        0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a, 0x510e527f, 0x9b05688c, 0x1f83d9ab,
        0x5be0cd19,
    ];
    let mut message = data.to_vec();
    message.push(0x80);
    while message.len() % 64 != 56 {
        message.push(0);
    }
    message.extend_from_slice(&((data.len() as u64).wrapping_mul(8)).to_be_bytes());
    for block in message.chunks_exact(64) {
        let mut w = [0u32; 64];
        for (i, word) in block.chunks_exact(4).enumerate() {
            w[i] = u32::from_be_bytes([word[0], word[1], word[2], word[3]]);
        }
        for i in 16..64 {
            let s0 = w[i - 15].rotate_right(7) ^ w[i - 15].rotate_right(18) ^ (w[i - 15] >> 3);
            let s1 = w[i - 2].rotate_right(17) ^ w[i - 2].rotate_right(19) ^ (w[i - 2] >> 10);
            w[i] = w[i - 16]
                .wrapping_add(s0)
                .wrapping_add(w[i - 7])
                .wrapping_add(s1);
        }
        let [mut a, mut b, mut c, mut d, mut e, mut f, mut g, mut hh] = h;
        for i in 0..64 {
            let s1 = e.rotate_right(6) ^ e.rotate_right(11) ^ e.rotate_right(25);
            let ch = (e & f) ^ (!e & g);
            let t1 = hh
                .wrapping_add(s1)
                .wrapping_add(ch)
                .wrapping_add(K[i])
                .wrapping_add(w[i]);
            let s0 = a.rotate_right(2) ^ a.rotate_right(13) ^ a.rotate_right(22);
            let maj = (a & b) ^ (a & c) ^ (b & c);
            let t2 = s0.wrapping_add(maj);
            hh = g;
            g = f;
            f = e;
            e = d.wrapping_add(t1);
            d = c;
            c = b;
            b = a;
            a = t1.wrapping_add(t2);
        }
        for (x, y) in h.iter_mut().zip([a, b, c, d, e, f, g, hh]) {
            *x = x.wrapping_add(y);
        }
    }
    let mut out = [0u8; 32];
    for (chunk, word) in out.chunks_exact_mut(4).zip(h) {
        chunk.copy_from_slice(&word.to_be_bytes());
    }
    out
}

/// Standard base64 with padding (RFC 4648), as CSP hashes are written.
fn base64(bytes: &[u8]) -> String {
    const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::with_capacity(bytes.len().div_ceil(3) * 4);
    for chunk in bytes.chunks(3) {
        let b = [
            chunk[0],
            *chunk.get(1).unwrap_or(&0),
            *chunk.get(2).unwrap_or(&0),
        ];
        let n = (u32::from(b[0]) << 16) | (u32::from(b[1]) << 8) | u32::from(b[2]);
        for i in 0..4 {
            if i <= chunk.len() {
                out.push(ALPHABET[(n >> (18 - 6 * i) & 63) as usize] as char);
            } else {
                out.push('=');
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn script_json_cannot_close_its_block() {
        let cases = [
            "</script><script>alert(1)</script>",
            "\"><img src=x onerror=alert(1)>",
            "<!-- a comment opener",
            "a & b",
            "line\u{2028}separator",
            "paragraph\u{2029}separator\u{2028}\u{2029}",
            "<>&\u{2028}<",
            "— “quoted” — ≥ ≤ ⁂",
            "plain Київ",
        ];
        for text in cases {
            let json = script_json(&json!({ "title": text }));
            assert!(!json.contains('<'), "{json}");
            assert!(!json.contains('>'), "{json}");
            assert!(!json.contains('&'), "{json}");
            assert!(!json.contains('\u{2028}'), "{json}");
            assert!(!json.contains('\u{2029}'), "{json}");
            let back: Value = serde_json::from_str(&json).expect("escaped JSON parses");
            assert_eq!(back["title"], text, "{json}");
        }
    }

    /// The escaping as first written, a byte at a time.
    fn escape_script_json_bytewise(json: &str) -> String {
        let b = json.as_bytes();
        let mut out = String::new();
        let mut copied = 0;
        for (i, &x) in b.iter().enumerate() {
            let (escape, len) = match x {
                b'<' => ("\\u003c", 1),
                b'>' => ("\\u003e", 1),
                b'&' => ("\\u0026", 1),
                0xE2 if b.get(i + 1..i + 3) == Some(&[0x80, 0xA8]) => ("\\u2028", 3),
                0xE2 if b.get(i + 1..i + 3) == Some(&[0x80, 0xA9]) => ("\\u2029", 3),
                _ => continue,
            };
            out.push_str(&json[copied..i]);
            out.push_str(escape);
            copied = i + len;
        }
        out.push_str(&json[copied..]);
        out
    }

    proptest::proptest! {
        #[test]
        fn events_json_is_serde_jsons(
            texts in proptest::collection::vec("\\PC*|[\\x00-\\x7f<>&\"\\\\]*", 12),
            surfaces in proptest::collection::vec("\\PC{0,12}", 0..4),
            numbers in proptest::collection::vec(proptest::num::f64::ANY, 4),
            counts in proptest::collection::vec(proptest::num::u64::ANY, 2),
            some in proptest::collection::vec(proptest::bool::ANY, 2),
            n in 0usize..3,
        ) {
            let event = PageEvent {
                lon: numbers[0],
                lat: numbers[1],
                article: texts[0].clone(),
                title: texts[1].clone(),
                source: texts[2].clone(),
                date: texts[3].clone(),
                place_id: texts[4].clone(),
                name: texts[5].clone(),
                kind: texts[6].clone(),
                country: texts[7].clone(),
                admin1: texts[8].clone(),
                mentions: counts[0],
                surfaces,
                snippet: texts[9].clone(),
                precision: texts[10].clone(),
                geo_precision: counts[1],
                rule: texts[11].clone(),
                confidence: some[0].then_some(numbers[2]),
                role: texts[0].clone(),
                occupied: texts[1].clone(),
                front_distance_km: some[1].then_some(numbers[3]),
                area: texts[2].clone(),
            };
            let events = vec![event; n];
            proptest::prop_assert_eq!(events_json(&events), serde_json::to_string(&events).unwrap());
        }
    }

    proptest::proptest! {
        #[test]
        fn script_json_escaping_is_the_bytewise_escaping(
            s in "([<>&a\u{2028}\u{2029}\u{2014}\u{2027}\u{20ac}\u{e2}]|\\PC)*"
        ) {
            proptest::prop_assert_eq!(escape_script_json(&s), escape_script_json_bytewise(&s));
        }
    }

    #[test]
    fn sha256_known_vectors() {
        let cases: [(&[u8], &str); 3] = [
            (b"", "47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU="),
            (b"abc", "ungWv48Bz+pBQUDeXa4iI7ADYaOWF3qctBD/YfIAFa0="),
            (
                b"abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq",
                "JI1qYdIGOLjlwCaTDD5gOaM85Flk/yFn9uzt1BnbBsE=",
            ),
        ];
        for (input, expected) in cases {
            assert_eq!(
                base64(&sha256(input)),
                expected,
                "{:?}",
                String::from_utf8_lossy(input)
            );
        }
    }

    #[test]
    fn base64_padding() {
        let cases: [(&[u8], &str); 5] = [
            (b"", ""),
            (b"f", "Zg=="),
            (b"fo", "Zm8="),
            (b"foo", "Zm9v"),
            (b"foob", "Zm9vYg=="),
        ];
        for (input, expected) in cases {
            assert_eq!(base64(input), expected);
        }
    }

    #[test]
    fn iso_dates() {
        let cases = [
            ("2024-07-01", "2024-07-01"),
            ("2024-07-01T10:00:00Z", "2024-07-01"),
            (" 2024-07-01 ", "2024-07-01"),
            ("2024-13-01", ""),
            ("01.07.2024", ""),
            ("", ""),
            ("Київ", ""),
        ];
        for (input, expected) in cases {
            assert_eq!(iso_date(input), expected, "{input:?}");
        }
    }

    #[test]
    fn big_runs_show_the_most_recent_articles_that_fit() {
        // (date, id, events) per article; max events; expected flags and shown events
        type Case = (
            Vec<(&'static str, &'static str, usize)>,
            usize,
            Vec<bool>,
            usize,
        );
        let cases: Vec<Case> = vec![
            (vec![], 10, vec![], 0),
            // Everything fits: everything, empty articles included.
            (
                vec![("2024-08-01", "a", 3), ("", "b", 0)],
                3,
                vec![true, true],
                3,
            ),
            // Newest first, then by id; stops at the first that does not fit.
            (
                vec![
                    ("2024-08-01", "old", 2),
                    ("2024-08-03", "new", 2),
                    ("2024-08-02", "mid-b", 2),
                    ("2024-08-02", "mid-a", 2),
                    ("", "undated", 1),
                ],
                5,
                vec![false, true, false, true, false],
                4,
            ),
            // Undated articles come last.
            (
                vec![("", "u", 1), ("2020-01-01", "d", 1)],
                1,
                vec![false, true],
                1,
            ),
            // A first article bigger than the page: nothing rather than too much.
            (vec![("2024-08-01", "huge", 11)], 10, vec![false], 0),
        ];
        for (articles, max, expected, shown_events) in cases {
            let (shown, totals) = choose_articles(&articles, max);
            assert_eq!(shown, expected, "{articles:?}");
            assert_eq!(totals.shown_events, shown_events, "{articles:?}");
            assert_eq!(
                totals.events,
                articles.iter().map(|a| a.2).sum::<usize>(),
                "{articles:?}"
            );
        }
    }

    /// What the general reader makes of a feature text.
    fn general_event(text: &str) -> Option<PageEvent> {
        event(&Feature::from_text(text, EVENT_KEYS).expect("JSON"))
    }

    #[test]
    fn run_features_read_typed_as_they_read_in_general() {
        let root = Path::new(env!("CARGO_MANIFEST_DIR"));
        let dir = tempfile::tempdir().expect("tempdir");
        let config = crate::MapConfig {
            ingest: crate::ingest::IngestOptions {
                inputs: vec![root.join("examples").display().to_string()],
                ..Default::default()
            },
            out: dir.path().to_path_buf(),
            gazetteer: root.join("gazetteer"),
            areas: None,
            occupied: None,
            radius_km: 25.0,
            threads: 1,
            progress: false,
            article_lines: false,
            feature_layers: Default::default(),
        };
        crate::run_map(&config).expect("map of the examples");
        let layer = std::fs::read_to_string(dir.path().join("events.geojson")).expect("events");
        let features: Vec<&str> = layer
            .lines()
            .filter(|l| l.starts_with("{\"type\":\"Feature\""))
            .map(|l| l.trim_end_matches(','))
            .collect();
        assert!(features.len() > 20, "{} features", features.len());
        let span = LineSpan {
            line: 1,
            start: 0,
            end: 0,
        };
        for text in features {
            let typed = run_event(text);
            assert!(
                typed.is_some(),
                "the layers' own feature reads typed: {text}"
            );
            assert_eq!(typed, general_event(text), "{text}");
            let raw = RawFeature::Line(text, Path::new("events.geojson"), span);
            let light = raw.read_light().expect("reads");
            assert!(matches!(light, Light::Typed(_)), "{text}");
            let general = Light::General(raw.read(ARTICLE_KEYS).expect("reads"));
            assert_eq!(light.point(), general.point(), "{text}");
            assert_eq!(event_article(&light), event_article(&general), "{text}");
            assert_eq!(event_date(&light), event_date(&general), "{text}");
        }
    }

    #[test]
    fn other_features_are_left_to_the_general_reader() {
        let props = r#""article":"a","title":"T","source":"s","date":"","place_id":"","name":"","kind":"k","country":"UA","admin1":"","mentions":2,"surfaces":" A | |B","snippet":"","precision":"","geo_precision":1,"rule":"r","confidence":0.5,"role":"location","occupied":"","front_distance_km":-1.0"#;
        let feature = |props: &str, geometry: &str| {
            format!(r#"{{"type":"Feature","properties":{{{props}}},"geometry":{geometry}}}"#)
        };
        let point = r#"{"type":"Point","coordinates":[30.5,50.25]}"#;
        // Read typed: the fall-backs (published for date, place for name, article_id) and the
        // defaults (precision "exact", negative distance unknown) as the general reader has them.
        for text in [
            feature(props, point),
            feature(
                &format!(r#"{props},"published":"2024-07-01T10:00:00Z","place":"P""#),
                point,
            ),
            feature(
                &props.replace(r#""article":"a""#, r#""article":"","article_id":"b""#),
                point,
            ),
        ] {
            let typed = run_event(&text);
            assert!(typed.is_some(), "{text}");
            assert_eq!(typed, general_event(&text), "{text}");
        }
        // Left to the general reader: a number written as text, a property missing or
        // repeated, an altitude, another geometry.
        for text in [
            feature(
                &props.replace(r#""mentions":2"#, r#""mentions":"3""#),
                point,
            ),
            feature(&props.replace(r#""rule":"r","#, ""), point),
            feature(&format!(r#"{props},"name":"again""#), point),
            feature(
                props,
                r#"{"type":"Point","coordinates":[30.5,50.25,100.0]}"#,
            ),
            feature(
                props,
                r#"{"type":"LineString","coordinates":[[30.5,50.25],[31,50]]}"#,
            ),
            feature(props, r#"{"type":"Point","coordinates":[200.0,50.25]}"#),
        ] {
            assert_eq!(run_event(&text), None, "{text}");
        }
        let general = general_event(&feature(
            &props.replace(r#""mentions":2"#, r#""mentions":"3""#),
            point,
        ))
        .expect("an event");
        assert_eq!(general.mentions, 3);
    }

    #[test]
    fn light_reads_of_other_features_are_general() {
        fn read(text: &str) -> Light<'_> {
            let span = LineSpan {
                line: 1,
                start: 0,
                end: 0,
            };
            RawFeature::Line(text, Path::new("x.geojson"), span)
                .read_light()
                .expect("reads")
        }
        let typed = read(
            r#"{"type":"Feature","properties":{"article":"","article_id":"b","published":"2024-07-01"},"geometry":{"type":"Point","coordinates":[30.5,50.25]}}"#,
        );
        assert!(matches!(typed, Light::Typed(_)));
        assert_eq!(event_article(&typed), "b");
        assert_eq!(event_date(&typed), "2024-07-01");
        // An article id written as a number, and a point with an altitude.
        let number = read(
            r#"{"type":"Feature","properties":{"article":7},"geometry":{"type":"Point","coordinates":[30.5,50.25]}}"#,
        );
        assert!(matches!(number, Light::General(_)));
        assert_eq!(event_article(&number), "7");
        let altitude = read(
            r#"{"type":"Feature","properties":{"article":"a"},"geometry":{"type":"Point","coordinates":[30.5,50.25,10]}}"#,
        );
        assert!(matches!(altitude, Light::General(_)));
        assert_eq!(altitude.point(), Some((30.5, 50.25)));
    }

    #[test]
    fn big_layers_are_read_a_line_at_a_time() {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("events.geojson");
        let feature = |lon: f64| {
            format!(
                r#"{{"type":"Feature","properties":{{"name":"p{lon}"}},"geometry":{{"type":"Point","coordinates":[{lon},48.0]}}}}"#
            )
        };
        let text = format!(
            "{{\"type\":\"FeatureCollection\",\"features\":[\n{},\n{}\n]}}\n",
            feature(30.0),
            feature(31.0)
        );
        std::fs::write(&path, &text).expect("write");
        for limit in [0, u64::MAX] {
            let mut names = Vec::new();
            each_feature_within(&path, limit, &mut |raw| {
                names.push(prop_str(raw.read(&["name"])?.properties(), "name"));
                Ok(())
            })
            .expect("read");
            assert_eq!(names, ["p30", "p31"], "limit {limit}");
        }
        // A broken line names its line number.
        std::fs::write(&path, text.replace("p31", "p31\"")).expect("write");
        let err =
            each_feature_within(&path, 0, &mut |raw| raw.read(&[]).map(drop)).expect_err("broken");
        assert!(err.to_string().contains("line 3"), "{err}");
        assert!(
            !each_feature_within(&dir.path().join("none"), 0, &mut |_| Ok(())).expect("missing")
        );
    }

    #[test]
    fn plain_dates_read_as_chrono_reads_them() {
        for text in [
            "2024-09-01",
            "2024-02-29",
            "2023-02-29",
            "2024-13-01",
            "2024-00-10",
            "0000-01-01",
            "9999-12-31",
            "2024-9-01x",
            "2024-09-1",
            " 2024-09-01T10:00:00Z",
            "24-09-2024",
            "",
        ] {
            let head = text.trim().get(..10).unwrap_or("");
            assert_eq!(iso_date(text), iso_date_parsed(head), "{text}");
        }
    }

    #[test]
    fn thousands_separators() {
        for (n, text) in [
            (0, "0"),
            (999, "999"),
            (1000, "1,000"),
            (1234567, "1,234,567"),
        ] {
            assert_eq!(thousands(n), text);
        }
    }

    #[test]
    fn events_read_defensively() {
        let cases = [
            // (feature, expected name, mentions, date, surfaces) or None when skipped
            (
                json!({"geometry": {"type": "Point", "coordinates": [37.18, 48.28]}, "properties": {"name": "Pokrovsk", "mentions": 3, "date": "2024-08-01", "surfaces": "Pokrovsk|Покровськ"}}),
                Some(("Pokrovsk", 3, "2024-08-01", vec!["Pokrovsk", "Покровськ"])),
            ),
            (
                json!({"geometry": {"type": "Point", "coordinates": [37.18, 48.28]}, "properties": null}),
                Some(("", 1, "", vec![])),
            ),
            (
                json!({"geometry": {"type": "Point", "coordinates": [37.18, 48.28]}, "properties": {"mentions": "2", "surfaces": ["a", ""], "date": 5}}),
                Some(("", 2, "", vec!["a"])),
            ),
            (
                json!({"geometry": {"type": "Point", "coordinates": [37.18, 48.28]}, "properties": {"mentions": -4}}),
                Some(("", 1, "", vec![])),
            ),
            (
                json!({"geometry": {"type": "Point", "coordinates": [370.0, 48.0]}, "properties": {}}),
                None,
            ),
            (
                json!({"geometry": {"type": "LineString", "coordinates": [[1, 2], [3, 4]]}}),
                None,
            ),
            (json!({"geometry": null}), None),
            (json!("not a feature"), None),
        ];
        for (feature, expected) in cases {
            let got = event(&Feature::from_value(&feature, EVENT_KEYS));
            match (got, expected) {
                (None, None) => {}
                (Some(e), Some((name, mentions, date, surfaces))) => {
                    assert_eq!(e.name, name, "{feature}");
                    assert_eq!(e.mentions, mentions, "{feature}");
                    assert_eq!(e.date, date, "{feature}");
                    assert_eq!(e.surfaces, surfaces, "{feature}");
                    assert_eq!(e.precision, "exact", "{feature}");
                }
                (got, expected) => panic!("{feature}: got {got:?}, expected {expected:?}"),
            }
        }
    }

    #[test]
    fn coverage_shapes() {
        let cases = [
            json!({"a1": ["UA-14", "dir:pokrovsk"]}),
            json!({"a1": {"areas": [{"id": "UA-14"}, {"id": "dir:pokrovsk"}]}}),
            json!({"articles": [{"article": "a1", "areas": [{"area_id": "UA-14"}, "dir:pokrovsk"]}]}),
            json!([{"article": "a1", "areas": [{"area": "UA-14"}, {"id": "dir:pokrovsk"}]}]),
            json!([{"article": "a1", "area_id": "UA-14"}, {"article": "a1", "area_id": "dir:pokrovsk"}]),
            // layers::write's coverage.json: an `areas` summary beside the articles is not an article.
            json!({"with_occupied": false,
                   "articles": [{"article": "a1", "title": "t", "areas": [{"id": "UA-14", "places": []},
                                                                         {"id": "dir:pokrovsk"}], "front": []}],
                   "areas": [{"id": "UA-63", "events": 0}]}),
        ];
        for value in cases {
            let mut out = BTreeMap::new();
            coverage_from(&value, &mut out);
            let a1: Vec<&str> = out
                .get("a1")
                .map(|s| s.iter().map(String::as_str).collect())
                .unwrap_or_default();
            assert_eq!(a1, ["UA-14", "dir:pokrovsk"], "{value}");
            assert_eq!(out.len(), 1, "{value}: {out:?}");
        }
    }

    #[test]
    fn attribution_from_manifest() {
        let cases = [
            (
                Some(json!({"attribution": "GeoNames CC BY 4.0\n© OSM"})),
                vec!["GeoNames CC BY 4.0", "© OSM"],
            ),
            (Some(json!({"attribution": ["x", 3, "y"]})), vec!["x", "y"]),
            (
                Some(json!({"attribution": {"b": "y", "a": "x"}})),
                vec!["x", "y"],
            ),
            (
                Some(json!({"attribution": []})),
                DEFAULT_ATTRIBUTION.to_vec(),
            ),
            (None, DEFAULT_ATTRIBUTION.to_vec()),
        ];
        for (manifest, expected) in cases {
            assert_eq!(attribution(manifest.as_ref()), expected, "{manifest:?}");
        }
    }

    #[test]
    fn point_in_area() {
        let square = json!({"type": "Polygon", "coordinates": [[[30, 40], [31, 40], [31, 41], [30, 41], [30, 40]]]});
        let shapes = vec![
            AreaShape {
                id: "dir:x".into(),
                name: "X direction".into(),
                is_direction: true,
                shape: multi_polygon(&square).expect("polygon"),
                bbox: multi_polygon(&square).and_then(|m| m.bounding_rect()),
            },
            AreaShape {
                id: "UA-1".into(),
                name: "One".into(),
                is_direction: false,
                shape: multi_polygon(&square).expect("polygon"),
                bbox: multi_polygon(&square).and_then(|m| m.bounding_rect()),
            },
        ];
        let cases = [
            ((30.5, 40.5), "", "UA-1"),
            ((30.5, 40.5), "Two", "UA-1"),
            ((29.0, 40.5), "", ""),
            ((29.0, 40.5), "One", "UA-1"),
            ((29.0, 40.5), "X direction", ""),
            ((30.5, 41.5), "Elsewhere", ""),
        ];
        for ((lon, lat), admin1, expected) in cases {
            assert_eq!(
                area_of(&shapes, lon, lat, admin1),
                expected,
                "{lon},{lat} {admin1}"
            );
        }
    }

    #[test]
    fn linear_geometries() {
        let cases = [
            (
                json!({"type": "LineString", "coordinates": [[30, 48], [31, 48.5]]}),
                true,
            ),
            (
                json!({"type": "MultiLineString", "coordinates": [[[30, 48], [31, 48.5]], [[32, 47], [33, 47]]]}),
                true,
            ),
            (
                json!({"type": "LineString", "coordinates": [[30, 48]]}),
                false,
            ),
            (
                json!({"type": "LineString", "coordinates": [[30, "x"], [31, 48]]}),
                false,
            ),
            (
                json!({"type": "MultiLineString", "coordinates": [[[30, 48], [31, 48.5]], 5]}),
                false,
            ),
            (
                json!({"type": "Polygon", "coordinates": [[[30, 40], [31, 40], [31, 41], [30, 40]]]}),
                false,
            ),
            (json!({"type": "LineString"}), false),
        ];
        for (geometry, expected) in cases {
            assert_eq!(is_linear(&geometry), expected, "{geometry}");
        }
    }

    #[test]
    fn source_map_comment_is_dropped() {
        assert_eq!(
            strip_source_map("a();\n//# sourceMappingURL=x.map\n"),
            "a();"
        );
        assert_eq!(strip_source_map("a();\n"), "a();");
        assert!(!strip_source_map(LEAFLET_JS).contains("sourceMappingURL"));
    }
}
