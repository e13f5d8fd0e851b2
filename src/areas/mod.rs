//! Areas: which front-line areas each article covers.
//!
//! Takes the areas (`gazetteer/areas.geojson` or the user's `--areas` file: polygons with an
//! `id`, a `name` and a `type` such as `oblast`, `region` or `direction`), optionally the dated
//! occupied territory (`--occupied`), and every article's events; gives a `Coverage`: per event
//! the areas it falls in (and, with `--occupied`, whether its place was occupied on the article's
//! date, how far it was from the line of contact and which front stretch is nearest), per
//! article the areas it covers with mentions and places, and per area the totals.
//!
//! Rules, by the kind of the event's place:
//! - populated places and landmarks count for every area whose polygon contains their point
//!   (geo `Contains`; a point exactly on a boundary is outside). When no oblast or region
//!   contains the point (a coastal town whose point falls just off a simplified coastline), the
//!   oblast or region with the place's admin1 code counts instead;
//! - an oblast (admin1) or raion (admin2) counts for the oblast or region of its admin1 code (or
//!   the area whose id is its ISO code), never for the directions inside it: "Donetsk Oblast"
//!   says nothing about Pokrovsk;
//! - countries, regions ("Donbas") and continents count for nothing; their points are conventions.
//!
//! `build` makes `gazetteer/areas.geojson`; `occupied` reads `--occupied` and draws the line of
//! contact; `geom` holds the small geometry helpers.

pub mod build;
pub mod geom;
pub mod occupied;

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::path::Path;
use std::sync::{Arc, Mutex, RwLock};

use chrono::NaiveDate;
use geo::{Contains, MultiPolygon, Point, Rect};

use crate::cluster::is_point_like;
use crate::error::{Error, Result};
use crate::gazetteer::{Gazetteer, Kind, Place};
use crate::resolve::ArticleResult;
pub use build::build_areas;
use occupied::{FrontLine, Outline};
pub use occupied::{Occupied, Snapshot};

/// An event farther than this from the line of contact gets no front stretch, km.
pub const FRONT_STRETCH_KM: f64 = 50.0;

/// One area: an oblast, a Russian region, a direction of the front, or whatever the user's file
/// defines.
#[derive(Debug, Clone, PartialEq)]
pub struct Area {
    /// ISO 3166-2 code for oblasts and regions (`UA-63`), `dir:<slug>` for directions.
    pub id: String,
    pub name: String,
    /// The `type` property: `oblast`, `region`, `direction`, …
    pub kind: String,
    /// ISO 3166-1 alpha-2 country code, "" when the file does not say.
    pub country: String,
    /// GeoNames admin1 code (`UA.07`) of an oblast or region, "" otherwise.
    pub admin1: String,
    /// Where the polygon came from.
    pub source: String,
    pub geometry: MultiPolygon<f64>,
    bbox: Option<Rect<f64>>,
}

impl Area {
    pub fn is_direction(&self) -> bool {
        self.kind == "direction"
    }

    /// Whether (lon, lat) lies inside the area (a point on the boundary does not).
    pub fn contains(&self, lon: f64, lat: f64) -> bool {
        match &self.bbox {
            Some(b) if geom::rect_contains(b, (lon, lat)) => {
                self.geometry.contains(&Point::new(lon, lat))
            }
            _ => false,
        }
    }

    fn is_ukrainian_oblast(&self) -> bool {
        self.kind == "oblast"
            && (self.country == "UA" || (self.country.is_empty() && self.id.starts_with("UA-")))
    }

    /// Whether an oblast or raion with this admin1 code (and, for an oblast, ISO code) is this
    /// area. Directions never match.
    fn is_admin_of(&self, place: &Place) -> bool {
        if self.is_direction() {
            return false;
        }
        (!self.admin1.is_empty() && self.admin1 == place.admin1)
            || (place.kind == Kind::Admin1 && !place.code.is_empty() && self.id == place.code)
    }
}

/// The areas, in file order.
#[derive(Debug, Clone, Default)]
pub struct Areas {
    areas: Vec<Area>,
}

impl Areas {
    /// Loads a GeoJSON FeatureCollection (optionally gzip-compressed) of areas: every feature a
    /// Polygon or MultiPolygon with string properties `id` (unique) and `type`, and optionally
    /// `name`, `country`, `admin1` and `source`.
    pub fn load(path: &Path) -> Result<Areas> {
        let text = geom::read_maybe_gz(path)?;
        Areas::from_geojson_str(&text, path)
    }

    /// Parses the GeoJSON text; `path` is for error messages.
    pub fn from_geojson_str(text: &str, path: &Path) -> Result<Areas> {
        let invalid = |m: String| Error::Invalid(format!("{}: {m}", path.display()));
        let fc = match text.parse::<geojson::GeoJson>() {
            Ok(geojson::GeoJson::FeatureCollection(fc)) => fc,
            Ok(_) => return Err(invalid("not a GeoJSON FeatureCollection".into())),
            Err(e) => return Err(invalid(format!("not valid GeoJSON: {e}"))),
        };
        let mut areas = Vec::with_capacity(fc.features.len());
        let mut seen = BTreeSet::new();
        for (i, f) in fc.features.iter().enumerate() {
            let what = format!("feature {}", i + 1);
            let text_property = |key: &str| -> Option<String> {
                f.property(key)
                    .and_then(|v| v.as_str())
                    .map(|s| s.trim().to_string())
            };
            let id = text_property("id")
                .filter(|s| !s.is_empty())
                .ok_or_else(|| invalid(format!("{what}: no 'id' property (expected a string such as UA-63 or dir:pokrovsk)")))?;
            let what = format!("{what} ('{id}')");
            let kind = text_property("type")
                .filter(|s| !s.is_empty())
                .ok_or_else(|| {
                    invalid(format!(
                        "{what}: no 'type' property (expected oblast, region, direction, …)"
                    ))
                })?;
            if !seen.insert(id.clone()) {
                return Err(invalid(format!("{what}: duplicate id")));
            }
            let geometry = f
                .geometry
                .as_ref()
                .ok_or_else(|| invalid(format!("{what}: no geometry")))?;
            let geometry = geom::to_multipolygon(&geometry.value, &what).map_err(invalid)?;
            let bbox = geom::grown_bbox(&geometry, 0.0);
            areas.push(Area {
                name: text_property("name")
                    .filter(|s| !s.is_empty())
                    .unwrap_or_else(|| id.clone()),
                id,
                kind,
                country: text_property("country").unwrap_or_default(),
                admin1: text_property("admin1").unwrap_or_default(),
                source: text_property("source").unwrap_or_default(),
                geometry,
                bbox,
            });
        }
        Ok(Areas { areas })
    }

    /// Areas made in code (tests, other callers); ids must be unique.
    pub fn from_areas(areas: Vec<Area>) -> Result<Areas> {
        let mut seen = BTreeSet::new();
        for a in &areas {
            if !seen.insert(a.id.as_str()) {
                return Err(Error::Invalid(format!("areas: duplicate id '{}'", a.id)));
            }
        }
        Ok(Areas { areas })
    }

    pub fn areas(&self) -> &[Area] {
        &self.areas
    }

    pub fn len(&self) -> usize {
        self.areas.len()
    }

    pub fn is_empty(&self) -> bool {
        self.areas.is_empty()
    }
}

impl Area {
    pub fn new(
        id: &str,
        name: &str,
        kind: &str,
        country: &str,
        admin1: &str,
        geometry: MultiPolygon<f64>,
    ) -> Area {
        let bbox = geom::grown_bbox(&geometry, 0.0);
        Area {
            id: id.into(),
            name: name.into(),
            kind: kind.into(),
            country: country.into(),
            admin1: admin1.into(),
            source: String::new(),
            geometry,
            bbox,
        }
    }
}

/// What `cover` found.
#[derive(Debug, Clone, Default)]
pub struct Coverage {
    /// Every area, in `Areas` order, with its totals.
    pub areas: Vec<AreaTotal>,
    /// One per article, in the order of the results.
    pub articles: Vec<ArticleCoverage>,
    /// Whether occupied territory was given (else `occupied`, `front_distance_km` and `front`
    /// are None everywhere).
    pub with_occupied: bool,
    /// The line of contact of every snapshot used, by date: lines of (lon, lat) points. Written
    /// as a layer so that the approximation can be checked on a map.
    pub front_lines: Vec<(NaiveDate, Vec<Vec<geom::LonLat>>)>,
}

/// An area with the number of events in it and of articles with such events.
#[derive(Debug, Clone)]
pub struct AreaTotal {
    pub area: Area,
    pub events: usize,
    pub articles: usize,
}

/// The coverage of one article.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ArticleCoverage {
    pub article: String,
    /// All events (mentions) of the article and its distinct places.
    pub mentions: usize,
    pub places: usize,
    /// One per event, in the order of `ArticleResult::events`.
    pub events: Vec<EventCoverage>,
    /// The areas it covers, most mentions first (then in `Areas` order).
    pub areas: Vec<AreaHit>,
    /// The front stretches (nearest directions) of its events near the line of contact, most
    /// mentions first; empty without occupied territory.
    pub front: Vec<FrontHit>,
}

/// Where one event is.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct EventCoverage {
    /// Indices into `Coverage::areas`, ascending.
    pub areas: Vec<usize>,
    /// Whether the place was in occupied territory on the article's date. None without an
    /// occupied file, for an undated article, before the first snapshot, or for a place that is
    /// not point-like.
    pub occupied: Option<bool>,
    /// Great-circle distance to the line of contact on that date, km (same None cases, and None
    /// when the line is empty).
    pub front_distance_km: Option<f64>,
    /// Index into `Coverage::areas` of the direction nearest the event, when the event is within
    /// `FRONT_STRETCH_KM` of both the line of contact and that direction.
    pub front: Option<usize>,
    /// Date of the occupied snapshot used.
    pub snapshot: Option<NaiveDate>,
}

/// An area an article covers.
#[derive(Debug, Clone, PartialEq)]
pub struct AreaHit {
    /// Index into `Coverage::areas`.
    pub area: usize,
    pub id: String,
    pub name: String,
    pub kind: String,
    pub mentions: usize,
    /// The article's places in the area, most mentions first, then by id.
    pub places: Vec<PlaceHit>,
    /// Ids of the front stretches of the article's events in the area, sorted; empty without
    /// occupied territory.
    pub front: Vec<String>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct PlaceHit {
    pub place_id: String,
    pub name: String,
    pub mentions: usize,
}

/// A front stretch an article is about.
#[derive(Debug, Clone, PartialEq)]
pub struct FrontHit {
    /// Index into `Coverage::areas` (a direction).
    pub area: usize,
    pub id: String,
    pub name: String,
    pub mentions: usize,
    /// The smallest distance to the line of contact among those mentions, km.
    pub nearest_km: f64,
}

/// Finds the areas of every event and article (see the module docs). Events whose place index
/// is not in `gaz` are counted as mentions but fall in no area.
pub fn cover(
    gaz: &Gazetteer,
    areas: &Areas,
    occupied: Option<&Occupied>,
    results: &[ArticleResult],
) -> Coverage {
    let coverer = Coverer::new(gaz, areas, occupied);
    let mut totals = AreaCounts::new(areas);
    let articles: Vec<ArticleCoverage> = results
        .iter()
        .map(|r| {
            let ac = coverer.article(r);
            totals.add(&ac);
            ac
        })
        .collect();
    Coverage {
        articles,
        ..coverer.finish(&totals)
    }
}

/// `cover` one article at a time, from any number of threads: what `frontmap map` uses to
/// stream. The answer for an event depends only on its place and the article's snapshot, so it
/// is memoised across articles; the line of contact of a snapshot is drawn once, on first use.
pub struct Coverer<'a> {
    gaz: &'a Gazetteer,
    areas: &'a Areas,
    occupied: Option<&'a Occupied>,
    outline: Option<Outline>,
    directions: Vec<usize>,
    memo: RwLock<HashMap<(u32, Option<usize>), EventCoverage>>,
    fronts: Mutex<Fronts>,
}

/// The lines of contact drawn so far, by snapshot index, and the border test cache they share.
#[derive(Default)]
struct Fronts {
    lines: HashMap<usize, Arc<FrontLine>>,
    border_cache: HashMap<(i64, i64), bool>,
}

/// Per area: events in it and articles with such events, summed over articles in any order.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct AreaCounts {
    totals: Vec<(usize, usize)>,
}

impl AreaCounts {
    pub fn new(areas: &Areas) -> AreaCounts {
        AreaCounts {
            totals: vec![(0, 0); areas.len()],
        }
    }

    /// Counts one article's coverage.
    pub fn add(&mut self, ac: &ArticleCoverage) {
        for hit in &ac.areas {
            if let Some(t) = self.totals.get_mut(hit.area) {
                t.0 += hit.mentions;
                t.1 += 1;
            }
        }
    }
}

impl<'a> Coverer<'a> {
    pub fn new(gaz: &'a Gazetteer, areas: &'a Areas, occupied: Option<&'a Occupied>) -> Self {
        Coverer {
            gaz,
            areas,
            occupied,
            outline: occupied.map(|_| Outline::from_areas(areas)),
            directions: (0..areas.len())
                .filter(|&i| areas.areas[i].is_direction())
                .collect(),
            memo: RwLock::new(HashMap::new()),
            fronts: Mutex::new(Fronts::default()),
        }
    }

    /// The coverage of one article (see `cover`).
    pub fn article(&self, r: &ArticleResult) -> ArticleCoverage {
        let snapshot = match (self.occupied, r.meta.date) {
            (Some(o), Some(d)) => o.snapshot_on(d),
            _ => None,
        };
        let events = r
            .events
            .iter()
            .map(|e| self.event(e.place, snapshot))
            .collect();
        summarise(self.gaz, self.areas, r, events)
    }

    fn event(&self, place_index: u32, snapshot: Option<usize>) -> EventCoverage {
        let Some(place) = self.gaz.places.get(place_index as usize) else {
            return EventCoverage::default();
        };
        let key = (place_index, snapshot);
        // A poisoned lock only means another thread panicked; the memo itself is still sound.
        if let Some(ec) = self
            .memo
            .read()
            .unwrap_or_else(|e| e.into_inner())
            .get(&key)
        {
            return ec.clone();
        }
        let mut ec = EventCoverage {
            areas: areas_of(self.areas, place),
            ..Default::default()
        };
        if let (Some(o), Some(outline), Some(s)) = (self.occupied, &self.outline, snapshot) {
            if is_point_like(place.kind) {
                let snap = &o.snapshots()[s];
                let p = (place.lon, place.lat);
                ec.snapshot = Some(snap.date);
                ec.occupied = Some(snap.contains(p.0, p.1));
                ec.front_distance_km = self.front_line(snap, s, outline).distance_km(p);
                if ec.front_distance_km.is_some_and(|d| d <= FRONT_STRETCH_KM) {
                    ec.front = nearest_direction(self.areas, &self.directions, p);
                }
            }
        }
        self.memo
            .write()
            .unwrap_or_else(|e| e.into_inner())
            .insert(key, ec.clone());
        ec
    }

    /// The line of contact of snapshot `s`, drawn on first use (other threads wait for it).
    fn front_line(&self, snap: &Snapshot, s: usize, outline: &Outline) -> Arc<FrontLine> {
        let mut fronts = self.fronts.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(line) = fronts.lines.get(&s) {
            return line.clone();
        }
        let Fronts {
            lines,
            border_cache,
        } = &mut *fronts;
        let line = Arc::new(FrontLine::new(snap, outline, border_cache));
        lines.insert(s, line.clone());
        line
    }

    /// Everything of a `Coverage` but the articles: the areas with `totals`, and the lines of
    /// contact used so far, by date.
    pub fn finish(&self, totals: &AreaCounts) -> Coverage {
        let fronts = self.fronts.lock().unwrap_or_else(|e| e.into_inner());
        let mut front_lines: Vec<(NaiveDate, Vec<Vec<geom::LonLat>>)> = match self.occupied {
            Some(o) => fronts
                .lines
                .iter()
                .map(|(&s, line)| (o.snapshots()[s].date, line.lines()))
                .collect(),
            None => Vec::new(),
        };
        front_lines.sort_by_key(|(date, _)| *date);
        Coverage {
            areas: self
                .areas
                .areas
                .iter()
                .enumerate()
                .map(|(i, a)| {
                    let (events, articles) = totals.totals.get(i).copied().unwrap_or((0, 0));
                    AreaTotal {
                        area: a.clone(),
                        events,
                        articles,
                    }
                })
                .collect(),
            articles: Vec::new(),
            with_occupied: self.occupied.is_some(),
            front_lines,
        }
    }
}

/// The areas one place counts for, ascending (see the module docs).
fn areas_of(areas: &Areas, place: &Place) -> Vec<usize> {
    let all = areas.areas.iter().enumerate();
    match place.kind {
        Kind::PopulatedPlace | Kind::Landmark => {
            let mut hits: Vec<usize> = all
                .filter(|(_, a)| a.contains(place.lon, place.lat))
                .map(|(i, _)| i)
                .collect();
            if !hits.iter().any(|&i| !areas.areas[i].is_direction()) && !place.admin1.is_empty() {
                hits.extend(
                    areas
                        .areas
                        .iter()
                        .enumerate()
                        .filter(|(_, a)| {
                            !a.is_direction() && !a.admin1.is_empty() && a.admin1 == place.admin1
                        })
                        .map(|(i, _)| i),
                );
                hits.sort_unstable();
            }
            hits
        }
        Kind::Admin1 | Kind::Admin2 => all
            .filter(|(_, a)| a.is_admin_of(place))
            .map(|(i, _)| i)
            .collect(),
        Kind::Country | Kind::Region | Kind::Continent => Vec::new(),
    }
}

/// The direction nearest `p` within `FRONT_STRETCH_KM` (0 inside), ties to the first.
fn nearest_direction(areas: &Areas, directions: &[usize], p: (f64, f64)) -> Option<usize> {
    let mut best: Option<(f64, usize)> = None;
    for &i in directions {
        let d = geom::point_area_km(p, &areas.areas[i].geometry);
        let better = match best {
            None => true,
            Some((b, _)) => d < b,
        };
        if d <= FRONT_STRETCH_KM && better {
            best = Some((d, i));
        }
    }
    best.map(|(_, i)| i)
}

fn summarise(
    gaz: &Gazetteer,
    areas: &Areas,
    r: &ArticleResult,
    events: Vec<EventCoverage>,
) -> ArticleCoverage {
    let mut places = BTreeSet::new();
    type PerArea<'a> = (usize, BTreeMap<&'a str, (usize, &'a str)>, BTreeSet<usize>);
    let mut by_area: BTreeMap<usize, PerArea<'_>> = BTreeMap::new();
    let mut by_front: BTreeMap<usize, (usize, f64)> = BTreeMap::new();
    for (e, ec) in r.events.iter().zip(&events) {
        let Some(place) = gaz.places.get(e.place as usize) else {
            continue;
        };
        places.insert(e.place);
        for &a in &ec.areas {
            let (n, ps, fronts) = by_area.entry(a).or_default();
            *n += 1;
            ps.entry(place.id.as_str())
                .or_insert((0, place.name.as_str()))
                .0 += 1;
            fronts.extend(ec.front);
        }
        if let (Some(f), Some(d)) = (ec.front, ec.front_distance_km) {
            let (n, nearest) = by_front.entry(f).or_insert((0, f64::INFINITY));
            *n += 1;
            *nearest = nearest.min(d);
        }
    }
    let mut hits: Vec<AreaHit> = by_area
        .into_iter()
        .map(|(i, (mentions, ps, fronts))| {
            let a = &areas.areas[i];
            let mut places: Vec<PlaceHit> = ps
                .into_iter()
                .map(|(id, (mentions, name))| PlaceHit {
                    place_id: id.to_string(),
                    name: name.to_string(),
                    mentions,
                })
                .collect();
            places.sort_by(|x, y| {
                y.mentions
                    .cmp(&x.mentions)
                    .then_with(|| x.place_id.cmp(&y.place_id))
            });
            AreaHit {
                area: i,
                id: a.id.clone(),
                name: a.name.clone(),
                kind: a.kind.clone(),
                mentions,
                places,
                front: fronts
                    .into_iter()
                    .map(|f| areas.areas[f].id.clone())
                    .collect(),
            }
        })
        .collect();
    hits.sort_by(|x, y| {
        y.mentions
            .cmp(&x.mentions)
            .then_with(|| x.area.cmp(&y.area))
    });
    let mut front: Vec<FrontHit> = by_front
        .into_iter()
        .map(|(i, (mentions, nearest_km))| FrontHit {
            area: i,
            id: areas.areas[i].id.clone(),
            name: areas.areas[i].name.clone(),
            mentions,
            nearest_km,
        })
        .collect();
    front.sort_by(|x, y| {
        y.mentions
            .cmp(&x.mentions)
            .then_with(|| x.area.cmp(&y.area))
    });
    ArticleCoverage {
        article: r.meta.id.clone(),
        mentions: r.events.len(),
        places: places.len(),
        events,
        areas: hits,
        front,
    }
}

/// One line for the terminal: `id: 7 mentions of 4 places; areas: Donetsk Oblast 5, Pokrovsk
/// direction 3; front: Pokrovsk direction 3 (1.2 km)`.
pub fn coverage_line(article: &ArticleCoverage) -> String {
    use std::fmt::Write as _;
    // Written into one String: a format! per area and a join cost more than the line.
    let mut line = String::with_capacity(64 + 32 * (article.areas.len() + article.front.len()));
    let _ = write!(
        line,
        "{}: {} mention{} of {} place{}",
        article.article,
        article.mentions,
        if article.mentions == 1 { "" } else { "s" },
        article.places,
        if article.places == 1 { "" } else { "s" },
    );
    if article.areas.is_empty() {
        line.push_str("; areas: none");
    } else {
        line.push_str("; areas: ");
        for (i, h) in article.areas.iter().enumerate() {
            let sep = if i == 0 { "" } else { ", " };
            let _ = write!(line, "{sep}{} {}", h.name, h.mentions);
        }
    }
    if !article.front.is_empty() {
        line.push_str("; front: ");
        for (i, f) in article.front.iter().enumerate() {
            let sep = if i == 0 { "" } else { ", " };
            let _ = write!(
                line,
                "{sep}{} {} ({:.1} km)",
                f.name, f.mentions, f.nearest_km
            );
        }
    }
    line
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::gazetteer::testing;
    use crate::ingest::ArticleMeta;
    use crate::resolve::{Event, Role};
    use geo::{LineString, Polygon};

    fn rect(x0: f64, y0: f64, x1: f64, y1: f64) -> MultiPolygon<f64> {
        MultiPolygon::new(vec![Polygon::new(
            LineString::from(vec![(x0, y0), (x1, y0), (x1, y1), (x0, y1), (x0, y0)]),
            vec![],
        )])
    }

    /// Donetsk and Kharkiv oblasts as boxes, a Pokrovsk direction box, and a box for Russia.
    fn areas() -> Areas {
        Areas::from_areas(vec![
            Area::new(
                "UA-14",
                "Donetsk Oblast",
                "oblast",
                "UA",
                "UA.05",
                rect(36.5, 47.0, 39.0, 49.2),
            ),
            Area::new(
                "UA-63",
                "Kharkiv Oblast",
                "oblast",
                "UA",
                "UA.07",
                rect(34.5, 49.2, 38.5, 50.5),
            ),
            Area::new(
                "dir:pokrovsk",
                "Pokrovsk direction",
                "direction",
                "UA",
                "",
                rect(37.0, 48.1, 37.8, 48.4),
            ),
            Area::new(
                "RU-XX",
                "Russia box",
                "region",
                "RU",
                "RU.99",
                rect(39.0, 47.0, 41.0, 51.0),
            ),
        ])
        .unwrap()
    }

    fn event(place: u32) -> Event {
        Event {
            start: 0,
            end: 1,
            surface: "x".into(),
            place,
            rule: "only_candidate",
            confidence: 1.0,
            candidates: 1,
            cue: None,
            role: Role::Location,
            snippet: String::new(),
        }
    }

    #[test]
    fn bad_areas_files_name_the_feature() {
        let square = r#"{"type":"Polygon","coordinates":[[[0,0],[1,0],[1,1],[0,1],[0,0]]]}"#;
        let fc = |features: &[String]| {
            format!(
                r#"{{"type":"FeatureCollection","features":[{}]}}"#,
                features.join(",")
            )
        };
        let feature = |props: &str, geometry: &str| {
            format!(r#"{{"type":"Feature","properties":{{{props}}},"geometry":{geometry}}}"#)
        };
        let cases = [
            ("[1,2]".to_string(), "not valid GeoJSON"),
            (
                fc(&[feature(r#""type":"oblast""#, square)]),
                "feature 1: no 'id' property",
            ),
            (
                fc(&[feature(r#""id":"UA-1""#, square)]),
                "feature 1 ('UA-1'): no 'type' property",
            ),
            (
                fc(&[
                    feature(r#""id":"UA-1","type":"oblast""#, square),
                    feature(r#""id":"UA-1","type":"oblast""#, square),
                ]),
                "feature 2 ('UA-1'): duplicate id",
            ),
            (
                fc(&[feature(r#""id":"UA-1","type":"oblast""#, "null")]),
                "feature 1 ('UA-1'): no geometry",
            ),
            (
                fc(&[feature(
                    r#""id":"UA-1","type":"oblast""#,
                    r#"{"type":"Polygon","coordinates":[[[0,0],[1,0],[0,0]]]}"#,
                )]),
                "a ring has 3 positions",
            ),
            (
                fc(&[feature(
                    r#""id":"UA-1","type":"oblast""#,
                    r#"{"type":"Polygon","coordinates":[[[0,0],[1,0],[1,91],[0,0]]]}"#,
                )]),
                "position [1, 91] is not a WGS84 [lon, lat]",
            ),
        ];
        for (text, expected) in cases {
            let err = Areas::from_geojson_str(&text, Path::new("a.geojson"))
                .unwrap_err()
                .to_string();
            assert!(
                err.starts_with("a.geojson: ") && err.contains(expected),
                "{err}"
            );
        }
        let ok = fc(&[feature(r#""id":" UA-1 ","type":"oblast""#, square)]);
        let a = Areas::from_geojson_str(&ok, Path::new("a.geojson")).unwrap();
        assert_eq!(
            (a.areas()[0].id.as_str(), a.areas()[0].name.as_str()),
            ("UA-1", "UA-1")
        );
        assert!(a.areas()[0].contains(0.5, 0.5) && !a.areas()[0].contains(1.5, 0.5));
    }

    #[test]
    fn point_in_polygon_and_admin_rules() {
        let g = testing::gazetteer();
        let a = areas();
        let ids = |place: &str| -> Vec<&str> {
            let p = g.place_by_id(place).unwrap();
            areas_of(&a, p)
                .iter()
                .map(|&i| a.areas()[i].id.as_str())
                .collect()
        };
        // (place, expected areas)
        let cases: [(&str, &[&str]); 7] = [
            ("gn:704422", &["UA-14", "dir:pokrovsk"]), // Pokrovsk: oblast and direction
            ("gn:706482", &["UA-63"]),                 // Kharkiv city
            ("gn:712165", &["UA-14"]),                 // Velyka Novosilka: not in the Pokrovsk box
            ("gn:706483", &["UA-63"]),                 // Kharkiv Oblast, by admin1/ISO code
            ("gn:709717", &["UA-14"]),                 // Donetsk Oblast, not the direction
            ("gn:690791", &[]),                        // Ukraine: countries count for nothing
            ("gn:2017824", &[]),                       // Pokrovsk in Yakutia: no area
        ];
        for (place, expected) in cases {
            assert_eq!(ids(place), expected, "{place}");
        }
    }

    #[test]
    fn point_outside_every_polygon_falls_back_to_its_admin1() {
        let g = testing::gazetteer();
        // Only the direction box and a Donetsk Oblast that misses Donetsk city's point.
        let a = Areas::from_areas(vec![
            Area::new(
                "UA-14",
                "Donetsk Oblast",
                "oblast",
                "UA",
                "UA.05",
                rect(36.5, 47.0, 37.5, 49.2),
            ),
            Area::new(
                "dir:x",
                "X direction",
                "direction",
                "UA",
                "UA.05",
                rect(37.7, 47.9, 38.0, 48.2),
            ),
        ])
        .unwrap();
        let donetsk = g.place_by_id("gn:709717x").unwrap();
        let got: Vec<&str> = areas_of(&a, donetsk)
            .iter()
            .map(|&i| a.areas()[i].id.as_str())
            .collect();
        assert_eq!(got, ["UA-14", "dir:x"]);
    }

    #[test]
    fn article_coverage_counts_mentions_and_places() {
        let g = testing::gazetteer();
        let idx = |id: &str| g.index_of_id(id).unwrap();
        let results = vec![
            ArticleResult {
                meta: ArticleMeta {
                    id: "a1".into(),
                    ..Default::default()
                },
                events: vec![
                    event(idx("gn:704422")),
                    event(idx("gn:704422")),
                    event(idx("gn:709717")),
                    event(idx("gn:690791")),
                    event(idx("gn:706482")),
                ],
            },
            ArticleResult {
                meta: ArticleMeta {
                    id: "a2".into(),
                    ..Default::default()
                },
                events: vec![],
            },
        ];
        let c = cover(&g, &areas(), None, &results);
        assert!(!c.with_occupied);
        let a1 = &c.articles[0];
        assert_eq!((a1.mentions, a1.places), (5, 4));
        type Hit<'a> = (&'a str, usize, Vec<(&'a str, usize)>);
        let hits: Vec<Hit<'_>> = a1
            .areas
            .iter()
            .map(|h| {
                (
                    h.id.as_str(),
                    h.mentions,
                    h.places
                        .iter()
                        .map(|p| (p.place_id.as_str(), p.mentions))
                        .collect(),
                )
            })
            .collect();
        assert_eq!(
            hits,
            vec![
                ("UA-14", 3, vec![("gn:704422", 2), ("gn:709717", 1)]),
                ("dir:pokrovsk", 2, vec![("gn:704422", 2)]),
                ("UA-63", 1, vec![("gn:706482", 1)]),
            ]
        );
        assert!(a1
            .events
            .iter()
            .all(|e| e.occupied.is_none() && e.front_distance_km.is_none()));
        let totals: Vec<(&str, usize, usize)> = c
            .areas
            .iter()
            .map(|t| (t.area.id.as_str(), t.events, t.articles))
            .collect();
        assert_eq!(
            totals,
            [
                ("UA-14", 3, 1),
                ("UA-63", 1, 1),
                ("dir:pokrovsk", 2, 1),
                ("RU-XX", 0, 0)
            ]
        );
        assert_eq!(
            coverage_line(a1),
            "a1: 5 mentions of 4 places; areas: Donetsk Oblast 3, Pokrovsk direction 2, Kharkiv Oblast 1"
        );
        assert_eq!(
            coverage_line(&c.articles[1]),
            "a2: 0 mentions of 0 places; areas: none"
        );
    }

    #[test]
    fn occupied_status_front_distance_and_stretch() {
        let g = testing::gazetteer();
        let idx = |id: &str| g.index_of_id(id).unwrap();
        // Ukraine = the two oblast boxes (east edge of Donetsk at 39.0 is the state border).
        // Occupied: 37.5–39.0 E, 47.0–48.5 N. Its east side (39.0) and south side (47.0, the
        // oblast box's edge: "coast") follow the outline; the line of contact is the west side
        // (37.5 E) and the north side (48.5 N).
        let occupied = Occupied::from_geojson_str(
            r#"{"type":"FeatureCollection","features":[{"type":"Feature","properties":{"date":"2024-08-01"},
            "geometry":{"type":"Polygon","coordinates":[[[37.5,47.0],[39.0,47.0],[39.0,48.5],[37.5,48.5],[37.5,47.0]]]}}]}"#,
            Path::new("occ.geojson"),
        )
        .unwrap();
        let meta = |id: &str, date: Option<&str>| ArticleMeta {
            id: id.into(),
            date: date.map(|d| d.parse().unwrap()),
            ..Default::default()
        };
        let results = vec![
            ArticleResult {
                meta: meta("dated", Some("2024-08-10")),
                events: vec![
                    event(idx("gn:704422")),
                    event(idx("gn:709717x")),
                    event(idx("gn:709717")),
                ],
            },
            ArticleResult {
                meta: meta("early", Some("2024-07-01")),
                events: vec![event(idx("gn:704422"))],
            },
            ArticleResult {
                meta: meta("undated", None),
                events: vec![event(idx("gn:704422"))],
            },
        ];
        let c = cover(&g, &areas(), Some(&occupied), &results);
        assert!(c.with_occupied);
        let dated = &c.articles[0];
        // Pokrovsk (37.177 E, 48.28 N): outside, 0.323° of longitude west of 37.5 E = 23.9 km.
        let pokrovsk = &dated.events[0];
        assert_eq!(pokrovsk.occupied, Some(false));
        let d = pokrovsk.front_distance_km.unwrap();
        assert!((d - 23.94).abs() < 0.2, "{d}");
        assert_eq!(
            pokrovsk.front.map(|i| c.areas[i].area.id.as_str()),
            Some("dir:pokrovsk")
        );
        // Donetsk city (37.80 E, 48.02 N): inside; nearest front is the west side, 0.30° = 22.4 km
        // (the south side at 47.0 N is 113 km, the east side is the border and does not count).
        let donetsk = &dated.events[1];
        assert_eq!(donetsk.occupied, Some(true));
        let d = donetsk.front_distance_km.unwrap();
        assert!((d - 22.4).abs() < 0.3, "{d}");
        // An oblast is not a point: no status.
        assert_eq!(dated.events[2].occupied, None);
        // Both points are within 50 km of the line and near the Pokrovsk box (Donetsk 8.6 km).
        assert_eq!(dated.front.len(), 1);
        assert_eq!(
            (dated.front[0].id.as_str(), dated.front[0].mentions),
            ("dir:pokrovsk", 2)
        );
        assert!((dated.front[0].nearest_km - 22.4).abs() < 0.3);
        let line = coverage_line(dated);
        assert!(
            line.contains("; front: Pokrovsk direction 2 (22."),
            "{line}"
        );
        // Before the first snapshot, and undated: unknown.
        for a in &c.articles[1..] {
            assert_eq!(
                a.events[0],
                EventCoverage {
                    areas: a.events[0].areas.clone(),
                    ..Default::default()
                }
            );
        }
    }
}
