//! Occupied territory over time (`--occupied FILE`) and the line of contact drawn from it.
//!
//! The file is a GeoJSON FeatureCollection (optionally gzip-compressed) of dated snapshots: each
//! feature a Polygon or MultiPolygon with a `date` property (ISO `YYYY-MM-DD`), such as the
//! DeepStateMap weekly file. For an article dated D the snapshot used is the latest one dated on
//! or before D. Snapshots sharing a date are merged.
//!
//! The line of contact is approximated as the snapshot's boundary minus the stretches that
//! follow the state border or the coast: a boundary segment is dropped when its midpoint lies
//! outside Ukraine or within ~3 km of the outline of Ukraine. The union of the Ukrainian areas
//! (`country` UA, type `oblast`, from Natural Earth) is the proxy of border and coast: the
//! midpoint and eight points on a 4 km circle around it are tested, and a point counts as
//! outside only when it is more than 1 km from every Ukrainian area, so that the slivers between
//! separately simplified oblast polygons do not read as border; 4 km − 1 km is the ~3 km. With
//! 2 km, stretches of the Russian border where Natural Earth's generalised line is 2–4 km off
//! DeepState's stayed in as false front (checked on the 2024 and 2026 snapshots); a larger
//! sliver allowance turned the narrow channels of the Syvash into land. What remains of such
//! strays are runs of a few km, so runs of kept boundary shorter than 3 km are dropped too (the
//! real pockets along the border are 8 km and more). Narrow occupied spits (Kinburn) lose their
//! front, which runs across water anyway. Without Ukrainian areas nothing is dropped.
//! `front_lines.geojson` shows the result on a map.

use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};

use chrono::NaiveDate;
use geo::{Contains, MultiPolygon, Point, Rect};

use super::geom::{self, Local, LonLat, Segment};
use super::Areas;
use crate::cluster::great_circle_km;
use crate::error::{Error, Result};

/// Radius of the probe circle around a boundary midpoint, km (see the module docs).
const PROBE_KM: f64 = 4.0;
/// Distance from the Ukrainian areas that still counts as inside, km.
const SLIVER_KM: f64 = 1.0;
/// Shorter runs of kept boundary are dropped, km.
const MIN_RUN_KM: f64 = 3.0;

/// The dated occupied-territory snapshots, sorted by date.
#[derive(Debug, Clone)]
pub struct Occupied {
    snapshots: Vec<Snapshot>,
    path: PathBuf,
}

/// Occupied territory on one date.
#[derive(Debug, Clone)]
pub struct Snapshot {
    pub date: NaiveDate,
    pub area: MultiPolygon<f64>,
    bbox: Option<Rect<f64>>,
}

impl Snapshot {
    /// Whether (lon, lat) lies inside the occupied territory.
    pub fn contains(&self, lon: f64, lat: f64) -> bool {
        match &self.bbox {
            Some(b) if geom::rect_contains(b, (lon, lat)) => {
                self.area.contains(&Point::new(lon, lat))
            }
            _ => false,
        }
    }
}

impl Occupied {
    /// Loads a `.geojson` or `.geojson.gz` file (see the module docs).
    pub fn load(path: &Path) -> Result<Occupied> {
        let text = geom::read_maybe_gz(path)?;
        Occupied::from_geojson_str(&text, path)
    }

    /// Parses the GeoJSON text; `path` is for error messages.
    pub fn from_geojson_str(text: &str, path: &Path) -> Result<Occupied> {
        let invalid = |m: String| Error::Invalid(format!("{}: {m}", path.display()));
        let fc = match text.parse::<geojson::GeoJson>() {
            Ok(geojson::GeoJson::FeatureCollection(fc)) => fc,
            Ok(_) => return Err(invalid("not a GeoJSON FeatureCollection".into())),
            Err(e) => return Err(invalid(format!("not valid GeoJSON: {e}"))),
        };
        let mut by_date: BTreeMap<NaiveDate, Vec<geo::Polygon<f64>>> = BTreeMap::new();
        for (i, f) in fc.features.iter().enumerate() {
            let what = format!("feature {}", i + 1);
            let date = f.property("date").and_then(|d| d.as_str()).ok_or_else(|| {
                invalid(format!("{what}: no 'date' property (expected YYYY-MM-DD)"))
            })?;
            let date = NaiveDate::parse_from_str(date, "%Y-%m-%d").map_err(|_| {
                invalid(format!(
                    "{what}: invalid date '{date}' (expected YYYY-MM-DD)"
                ))
            })?;
            let geometry = f
                .geometry
                .as_ref()
                .ok_or_else(|| invalid(format!("{what}: no geometry")))?;
            let mp = geom::to_multipolygon(&geometry.value, &what).map_err(invalid)?;
            by_date.entry(date).or_default().extend(mp.0);
        }
        let snapshots = by_date
            .into_iter()
            .map(|(date, polygons)| {
                let area = MultiPolygon::new(polygons);
                let bbox = geom::grown_bbox(&area, 0.0);
                Snapshot { date, area, bbox }
            })
            .collect();
        Ok(Occupied {
            snapshots,
            path: path.to_path_buf(),
        })
    }

    pub fn snapshots(&self) -> &[Snapshot] {
        &self.snapshots
    }

    /// The file it was read from.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Index of the latest snapshot dated on or before `date`.
    pub fn snapshot_on(&self, date: NaiveDate) -> Option<usize> {
        let n = self.snapshots.partition_point(|s| s.date <= date);
        n.checked_sub(1)
    }
}

/// Ukraine's outline proxy: the Ukrainian oblast polygons of the areas.
pub(crate) struct Outline {
    parts: Vec<(MultiPolygon<f64>, Rect<f64>)>,
}

impl Outline {
    pub fn from_areas(areas: &Areas) -> Outline {
        let parts = areas
            .areas()
            .iter()
            .filter(|a| a.is_ukrainian_oblast())
            .filter_map(|a| Some((a.geometry.clone(), geom::grown_bbox(&a.geometry, 0.02)?)))
            .collect();
        Outline { parts }
    }

    /// Inside some Ukrainian area, or in a sliver between two.
    fn inside(&self, p: (f64, f64)) -> bool {
        let near: Vec<&MultiPolygon<f64>> = self
            .parts
            .iter()
            .filter(|(_, b)| geom::rect_contains(b, p))
            .map(|(mp, _)| mp)
            .collect();
        near.iter().any(|mp| mp.contains(&Point::new(p.0, p.1)))
            || near
                .iter()
                .any(|mp| geom::point_area_km(p, mp) <= SLIVER_KM)
    }

    /// Whether `p` is outside Ukraine or within ~3 km of its outline. False for every
    /// point when there is no Ukrainian area to draw the outline from.
    fn on_border(&self, p: (f64, f64)) -> bool {
        if self.parts.is_empty() {
            return false;
        }
        if !self.inside(p) {
            return true;
        }
        let local = Local::new(p.0, p.1);
        (0..8).any(|k| {
            let a = std::f64::consts::TAU * k as f64 / 8.0;
            let q = local.inverse(PROBE_KM * a.cos(), PROBE_KM * a.sin());
            !self.inside(q)
        })
    }
}

/// The line of contact of one snapshot: lines of (lon, lat) points.
pub(crate) struct FrontLine {
    lines: Vec<Vec<(f64, f64)>>,
}

/// Midpoint key for the border test cache: the same boundary recurs week after week.
type MidKey = (i64, i64);

impl FrontLine {
    pub fn new(
        snapshot: &Snapshot,
        outline: &Outline,
        cache: &mut HashMap<MidKey, bool>,
    ) -> FrontLine {
        let mut lines = Vec::new();
        for poly in &snapshot.area {
            for ring in std::iter::once(poly.exterior()).chain(poly.interiors()) {
                let kept: Vec<Segment> = ring
                    .lines()
                    .map(|l| ((l.start.x, l.start.y), (l.end.x, l.end.y)))
                    .filter(|(a, b)| a != b)
                    .filter(|(a, b)| {
                        let mid = ((a.0 + b.0) / 2.0, (a.1 + b.1) / 2.0);
                        let key = ((mid.0 * 1e6).round() as i64, (mid.1 * 1e6).round() as i64);
                        !*cache.entry(key).or_insert_with(|| outline.on_border(mid))
                    })
                    .collect();
                lines.extend(join_runs(&kept));
            }
        }
        // Runs of a few km are where the snapshot's border or coast strays from Natural
        // Earth's by more than the tolerance (checked on the maps), not front.
        lines.retain(|line| line_km(line) >= MIN_RUN_KM);
        FrontLine { lines }
    }

    pub fn lines(&self) -> Vec<Vec<(f64, f64)>> {
        self.lines.clone()
    }

    /// Distance in km from (lon, lat) to the nearest segment; None when the line is empty.
    pub fn distance_km(&self, p: (f64, f64)) -> Option<f64> {
        let local = Local::new(p.0, p.1);
        let mut best: Option<(f64, Segment)> = None;
        for line in &self.lines {
            let mut prev = local.forward(line[0].0, line[0].1);
            for w in line.windows(2) {
                let next = local.forward(w[1].0, w[1].1);
                let d2 = geom::origin_segment_dist2(prev, next);
                if best.is_none() || best.is_some_and(|(bd, _)| d2 < bd) {
                    best = Some((d2, (w[0], w[1])));
                }
                prev = next;
            }
        }
        let (_, (a, b)) = best?;
        Some(geom::point_segment_km(p, a, b).0)
    }
}

/// Joins consecutive segments of one ring into lines; a run that goes through the ring's
/// closing point is one line, not two.
fn join_runs(segments: &[Segment]) -> Vec<Vec<LonLat>> {
    let mut lines: Vec<Vec<(f64, f64)>> = Vec::new();
    for &(a, b) in segments {
        match lines.last_mut() {
            Some(line) if line.last() == Some(&a) => line.push(b),
            _ => lines.push(vec![a, b]),
        }
    }
    if lines.len() > 1
        && lines.last().and_then(|l| l.last()) == lines.first().and_then(|l| l.first())
    {
        let first = lines.remove(0);
        if let Some(last) = lines.last_mut() {
            last.extend_from_slice(&first[1..]);
        }
    }
    lines
}

fn line_km(line: &[(f64, f64)]) -> f64 {
    line.windows(2).map(|w| great_circle_km(w[0], w[1])).sum()
}

#[cfg(test)]
mod tests {
    use super::*;

    const TWO_SNAPSHOTS: &str = r#"{"type":"FeatureCollection","features":[
{"type":"Feature","properties":{"date":"2024-08-05"},"geometry":{"type":"Polygon","coordinates":[[[37.5,47.5],[38.5,47.5],[38.5,48.5],[37.5,48.5],[37.5,47.5]]]}},
{"type":"Feature","properties":{"date":"2024-07-08"},"geometry":{"type":"MultiPolygon","coordinates":[[[[37.8,47.5],[38.5,47.5],[38.5,48.5],[37.8,48.5],[37.8,47.5]]]]}}
]}"#;

    #[test]
    fn snapshot_on_picks_the_latest_not_after() {
        let o = Occupied::from_geojson_str(TWO_SNAPSHOTS, Path::new("occ.geojson")).unwrap();
        let d = |s: &str| s.parse::<NaiveDate>().unwrap();
        let cases = [
            ("2024-07-07", None),
            ("2024-07-08", Some("2024-07-08")),
            ("2024-08-04", Some("2024-07-08")),
            ("2024-08-05", Some("2024-08-05")),
            ("2030-01-01", Some("2024-08-05")),
        ];
        for (date, expected) in cases {
            let got = o.snapshot_on(d(date)).map(|i| o.snapshots()[i].date);
            assert_eq!(got, expected.map(d), "{date}");
        }
        // Pokrovsk-ish point at 37.6 E: outside in July, inside in August.
        assert!(!o.snapshots()[0].contains(37.6, 48.0));
        assert!(o.snapshots()[1].contains(37.6, 48.0));
    }

    #[test]
    fn bad_files_name_the_feature() {
        let cases = [
            ("{", "not valid GeoJSON"),
            (
                r#"{"type":"Point","coordinates":[1,2]}"#,
                "not a GeoJSON FeatureCollection",
            ),
            (
                r#"{"type":"FeatureCollection","features":[{"type":"Feature","properties":{},"geometry":null}]}"#,
                "feature 1: no 'date' property",
            ),
            (
                r#"{"type":"FeatureCollection","features":[{"type":"Feature","properties":{"date":"5 May"},"geometry":null}]}"#,
                "feature 1: invalid date '5 May'",
            ),
            (
                r#"{"type":"FeatureCollection","features":[{"type":"Feature","properties":{"date":"2024-01-01"},"geometry":{"type":"Point","coordinates":[1,2]}}]}"#,
                "feature 1: geometry is a Point",
            ),
        ];
        for (text, expected) in cases {
            let err = Occupied::from_geojson_str(text, Path::new("occ.geojson"))
                .unwrap_err()
                .to_string();
            assert!(
                err.starts_with("occ.geojson: ") && err.contains(expected),
                "{err}"
            );
        }
    }
}
