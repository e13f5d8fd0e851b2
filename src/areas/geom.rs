//! Small geometry helpers shared by areas and layers: a local projection in km, buffered convex
//! hulls, point–segment distances, GeoJSON geometry in and out, and atomic file writes.

pub use crate::atomic::write_atomic;
use std::path::Path;

use geo::{
    Contains, ConvexHull, Coord, LineString, MultiPoint, MultiPolygon, Orient, Point, Polygon, Rect,
};

use crate::cluster::{great_circle_km, spherical_centroid, EARTH_RADIUS_KM};
use crate::error::{Error, Result};

/// A position, degrees WGS84, in GeoJSON order.
pub type LonLat = (f64, f64);
/// A segment between two positions.
pub type Segment = (LonLat, LonLat);

/// A local equirectangular projection centred at (lon0, lat0), x east and y north in km. Good to
/// a few per cent within some hundreds of km of the centre, which is all it is used for.
#[derive(Debug, Clone, Copy)]
pub struct Local {
    lon0: f64,
    lat0: f64,
    kx: f64,
    ky: f64,
}

impl Local {
    pub fn new(lon0: f64, lat0: f64) -> Local {
        let ky = EARTH_RADIUS_KM * std::f64::consts::PI / 180.0;
        // Keep kx away from zero so that the inverse stays finite near the poles.
        let kx = ky * lat0.to_radians().cos().max(1e-6);
        Local { lon0, lat0, kx, ky }
    }

    pub fn forward(&self, lon: f64, lat: f64) -> (f64, f64) {
        (
            wrap_lon(lon - self.lon0) * self.kx,
            (lat - self.lat0) * self.ky,
        )
    }

    pub fn inverse(&self, x: f64, y: f64) -> (f64, f64) {
        (
            wrap_lon(self.lon0 + x / self.kx),
            (self.lat0 + y / self.ky).clamp(-90.0, 90.0),
        )
    }
}

/// Longitude difference folded into [-180, 180).
fn wrap_lon(d: f64) -> f64 {
    (d + 180.0).rem_euclid(360.0) - 180.0
}

/// The convex hull of (lon, lat) points buffered by `buffer_km`, as a counter-clockwise polygon:
/// every point becomes a circle of `segments` vertices on a local projection centred on the
/// points, and the hull of all circle vertices is the Minkowski sum of hull and circle (exact for
/// a convex hull, up to the circle's polygon). One or two points give a disc or a stadium.
/// None when no point is finite. A buffer under 50 m counts as 50 m, so the result is never
/// degenerate.
pub fn buffered_hull(
    points: &[(f64, f64)],
    buffer_km: f64,
    segments: usize,
) -> Option<Polygon<f64>> {
    let pts: Vec<(f64, f64)> = points
        .iter()
        .copied()
        .filter(|(lon, lat)| lon.is_finite() && lat.is_finite() && (-90.0..=90.0).contains(lat))
        .collect();
    if pts.is_empty() {
        return None;
    }
    let weighted: Vec<(f64, f64, f64)> = pts.iter().map(|&(lon, lat)| (lon, lat, 1.0)).collect();
    let (lon0, lat0) = spherical_centroid(&weighted);
    let local = Local::new(lon0, lat0);
    let r = if buffer_km > 0.05 { buffer_km } else { 0.05 };
    let segments = segments.max(8);
    let mut cloud = Vec::with_capacity(pts.len() * segments);
    for &(lon, lat) in &pts {
        let (x, y) = local.forward(lon, lat);
        for k in 0..segments {
            let a = std::f64::consts::TAU * k as f64 / segments as f64;
            cloud.push(Point::new(x + r * a.cos(), y + r * a.sin()));
        }
    }
    let hull = MultiPoint::new(cloud).convex_hull();
    let ring: Vec<Coord<f64>> = hull
        .exterior()
        .coords()
        .map(|c| {
            let (lon, lat) = local.inverse(c.x, c.y);
            Coord { x: lon, y: lat }
        })
        .collect();
    Some(Polygon::new(LineString::new(ring), vec![]).orient(geo::orient::Direction::Default))
}

/// Distance in km from `p` (lon, lat) to the segment a–b, on a local projection centred on `p`
/// then measured on the great circle to the closest point found; with that closest point.
pub fn point_segment_km(p: (f64, f64), a: (f64, f64), b: (f64, f64)) -> (f64, (f64, f64)) {
    let local = Local::new(p.0, p.1);
    let (ax, ay) = local.forward(a.0, a.1);
    let (bx, by) = local.forward(b.0, b.1);
    let (dx, dy) = (bx - ax, by - ay);
    let len2 = dx * dx + dy * dy;
    let t = if len2 > 0.0 {
        (-(ax * dx + ay * dy) / len2).clamp(0.0, 1.0)
    } else {
        0.0
    };
    let closest = local.inverse(ax + t * dx, ay + t * dy);
    (great_circle_km(p, closest), closest)
}

/// Squared distance on a projection from the origin to the segment a–b (both projected).
pub fn origin_segment_dist2(a: (f64, f64), b: (f64, f64)) -> f64 {
    let (dx, dy) = (b.0 - a.0, b.1 - a.1);
    let len2 = dx * dx + dy * dy;
    let t = if len2 > 0.0 {
        (-(a.0 * dx + a.1 * dy) / len2).clamp(0.0, 1.0)
    } else {
        0.0
    };
    let (x, y) = (a.0 + t * dx, a.1 + t * dy);
    x * x + y * y
}

/// Distance in km from `p` to the boundary of `area`, 0 when `p` is inside.
pub fn point_area_km(p: (f64, f64), area: &MultiPolygon<f64>) -> f64 {
    if area.contains(&Point::new(p.0, p.1)) {
        return 0.0;
    }
    let local = Local::new(p.0, p.1);
    let mut best = f64::INFINITY;
    let mut best_segment = None;
    for poly in area {
        for ring in std::iter::once(poly.exterior()).chain(poly.interiors()) {
            for line in ring.lines() {
                let a = local.forward(line.start.x, line.start.y);
                let b = local.forward(line.end.x, line.end.y);
                let d2 = origin_segment_dist2(a, b);
                if d2 < best {
                    best = d2;
                    best_segment = Some(((line.start.x, line.start.y), (line.end.x, line.end.y)));
                }
            }
        }
    }
    match best_segment {
        Some((a, b)) => point_segment_km(p, a, b).0,
        None => f64::INFINITY,
    }
}

/// The bounding box of a multipolygon grown by `margin_deg` on every side.
pub fn grown_bbox(area: &MultiPolygon<f64>, margin_deg: f64) -> Option<Rect<f64>> {
    use geo::BoundingRect;
    area.bounding_rect().map(|r| {
        Rect::new(
            Coord {
                x: r.min().x - margin_deg,
                y: r.min().y - margin_deg,
            },
            Coord {
                x: r.max().x + margin_deg,
                y: r.max().y + margin_deg,
            },
        )
    })
}

pub fn rect_contains(r: &Rect<f64>, p: (f64, f64)) -> bool {
    p.0 >= r.min().x && p.0 <= r.max().x && p.1 >= r.min().y && p.1 <= r.max().y
}

/// `x` rounded to `decimals` places, with -0 made 0 so that output bytes are stable.
pub fn round_to(x: f64, decimals: i32) -> f64 {
    let k = 10f64.powi(decimals);
    let r = (x * k).round() / k;
    if r == 0.0 {
        0.0
    } else {
        r
    }
}

/// A number as JSON text (shortest round-trip form; integers of f64 keep their ".0").
pub fn num(x: f64) -> String {
    serde_json::to_string(&x).unwrap_or_else(|_| "null".into())
}

/// GeoJSON Point geometry text, coordinates rounded to `decimals`.
pub fn point_json(lon: f64, lat: f64, decimals: i32) -> String {
    format!(
        "{{\"type\":\"Point\",\"coordinates\":[{},{}]}}",
        num(round_to(lon, decimals)),
        num(round_to(lat, decimals))
    )
}

/// GeoJSON MultiLineString text of (lon, lat) lines, rounded to `decimals`.
pub fn multilinestring_json(lines: &[Vec<(f64, f64)>], decimals: i32) -> String {
    let parts: Vec<String> = lines
        .iter()
        .map(|line| {
            let coords: Vec<String> = line
                .iter()
                .map(|&(x, y)| {
                    format!(
                        "[{},{}]",
                        num(round_to(x, decimals)),
                        num(round_to(y, decimals))
                    )
                })
                .collect();
            format!("[{}]", coords.join(","))
        })
        .collect();
    format!(
        "{{\"type\":\"MultiLineString\",\"coordinates\":[{}]}}",
        parts.join(",")
    )
}

/// GeoJSON geometry text of a multipolygon: a Polygon when it has one part, else a
/// MultiPolygon. Rings are oriented as RFC 7946 asks (exterior counter-clockwise), rounded to
/// `decimals`, with repeated positions dropped; parts whose exterior collapses are dropped.
pub fn multipolygon_json(mp: &MultiPolygon<f64>, decimals: i32) -> String {
    let parts: Vec<String> = mp
        .iter()
        .map(|p| p.orient(geo::orient::Direction::Default))
        .filter_map(|p| {
            let exterior = ring_json(p.exterior(), decimals)?;
            let mut rings = vec![exterior];
            rings.extend(p.interiors().iter().filter_map(|r| ring_json(r, decimals)));
            Some(format!("[{}]", rings.join(",")))
        })
        .collect();
    match parts.len() {
        1 => format!("{{\"type\":\"Polygon\",\"coordinates\":{}}}", parts[0]),
        _ => format!(
            "{{\"type\":\"MultiPolygon\",\"coordinates\":[{}]}}",
            parts.join(",")
        ),
    }
}

fn ring_json(ring: &LineString<f64>, decimals: i32) -> Option<String> {
    let mut coords: Vec<(f64, f64)> = Vec::with_capacity(ring.0.len());
    for c in ring.coords() {
        let q = (round_to(c.x, decimals), round_to(c.y, decimals));
        if coords.last() != Some(&q) {
            coords.push(q);
        }
    }
    if coords.first() != coords.last() {
        let first = *coords.first()?;
        coords.push(first);
    }
    // A ring needs four positions, three of them distinct.
    if coords.len() < 4 {
        return None;
    }
    let text: Vec<String> = coords
        .iter()
        .map(|&(x, y)| format!("[{},{}]", num(x), num(y)))
        .collect();
    Some(format!("[{}]", text.join(",")))
}

/// One GeoJSON Feature as text: `properties` in the given order (the order QGIS shows), then
/// the geometry text. Written by hand so that the bytes do not depend on serde_json's features.
pub fn feature_line(properties: &[(&str, serde_json::Value)], geometry: &str) -> String {
    let props: Vec<String> = properties
        .iter()
        .map(|(k, v)| {
            format!(
                "{}:{}",
                serde_json::Value::from(*k),
                serde_json::to_string(v).unwrap_or_else(|_| "null".into())
            )
        })
        .collect();
    format!(
        "{{\"type\":\"Feature\",\"properties\":{{{}}},\"geometry\":{}}}",
        props.join(","),
        geometry
    )
}

/// A FeatureCollection of feature texts, one feature per line (diff-friendly); an empty one is
/// still a valid FeatureCollection.
pub fn feature_collection(features: &[String]) -> String {
    if features.is_empty() {
        return "{\"type\":\"FeatureCollection\",\"features\":[]}\n".into();
    }
    format!(
        "{{\"type\":\"FeatureCollection\",\"features\":[\n{}\n]}}\n",
        features.join(",\n")
    )
}

/// Converts a GeoJSON (Multi)Polygon to geo; `what` names the feature in the error.
pub fn to_multipolygon(
    value: &geojson::Value,
    what: &str,
) -> std::result::Result<MultiPolygon<f64>, String> {
    let ring = |r: &Vec<Vec<f64>>| -> std::result::Result<LineString<f64>, String> {
        if r.len() < 4 {
            return Err(format!(
                "{what}: a ring has {} positions (expected at least 4)",
                r.len()
            ));
        }
        let mut coords = Vec::with_capacity(r.len());
        for p in r {
            let (Some(&lon), Some(&lat)) = (p.first(), p.get(1)) else {
                return Err(format!("{what}: a position has fewer than 2 numbers"));
            };
            if !(-180.0..=180.0).contains(&lon) || !(-90.0..=90.0).contains(&lat) {
                return Err(format!(
                    "{what}: position [{lon}, {lat}] is not a WGS84 [lon, lat]"
                ));
            }
            coords.push(Coord { x: lon, y: lat });
        }
        Ok(LineString::new(coords))
    };
    let polygon = |rings: &Vec<Vec<Vec<f64>>>| -> std::result::Result<Polygon<f64>, String> {
        let mut it = rings.iter();
        let exterior = ring(
            it.next()
                .ok_or_else(|| format!("{what}: a polygon has no ring"))?,
        )?;
        let interiors = it.map(ring).collect::<std::result::Result<Vec<_>, _>>()?;
        Ok(Polygon::new(exterior, interiors))
    };
    match value {
        geojson::Value::Polygon(rings) => Ok(MultiPolygon::new(vec![polygon(rings)?])),
        geojson::Value::MultiPolygon(polys) => Ok(MultiPolygon::new(
            polys
                .iter()
                .map(polygon)
                .collect::<std::result::Result<Vec<_>, _>>()?,
        )),
        other => Err(format!(
            "{what}: geometry is a {} (expected Polygon or MultiPolygon)",
            other.type_name()
        )),
    }
}

/// Reads a file, gunzipping it when it starts with the gzip magic bytes.
pub fn read_maybe_gz(path: &Path) -> Result<String> {
    let bytes = std::fs::read(path).map_err(|e| Error::io(path, e))?;
    let bytes = if bytes.starts_with(&[0x1f, 0x8b]) {
        let mut out = Vec::new();
        std::io::Read::read_to_end(&mut flate2::read::MultiGzDecoder::new(&bytes[..]), &mut out)
            .map_err(|e| Error::io(path, e))?;
        out
    } else {
        bytes
    };
    String::from_utf8(bytes)
        .map_err(|_| Error::Invalid(format!("{}: not valid UTF-8", path.display())))
}

#[cfg(test)]
mod tests {
    use super::*;
    use geo::Area;

    #[test]
    fn buffered_hull_of_one_two_and_many_points() {
        // (points, buffer km, expected area km² on the projection, tolerance)
        let disc = std::f64::consts::PI * 10.0 * 10.0;
        let cases: Vec<(Vec<LonLat>, f64, f64, f64)> = vec![
            (vec![(37.0, 48.0)], 10.0, disc, 0.02),
            // Two points 0.2° apart at 48° N (14.88 km): a stadium.
            (
                vec![(37.0, 48.0), (37.2, 48.0)],
                10.0,
                disc + 20.0 * 14.88,
                0.02,
            ),
            (
                vec![(37.0, 48.0), (37.0, 48.0), (37.0, 48.0)],
                10.0,
                disc,
                0.02,
            ),
        ];
        for (pts, r, expected, tol) in cases {
            let poly = buffered_hull(&pts, r, 64).unwrap();
            let local = Local::new(pts[0].0, pts[0].1);
            let projected = Polygon::new(
                LineString::new(
                    poly.exterior()
                        .coords()
                        .map(|c| {
                            let (x, y) = local.forward(c.x, c.y);
                            Coord { x, y }
                        })
                        .collect(),
                ),
                vec![],
            );
            let area = projected.signed_area();
            assert!(area > 0.0, "counter-clockwise: {pts:?}");
            assert!(
                (area - expected).abs() / expected < tol,
                "{pts:?}: {area} vs {expected}"
            );
            for p in &pts {
                assert!(poly.contains(&Point::new(p.0, p.1)));
            }
        }
        assert!(buffered_hull(&[], 10.0, 32).is_none());
        assert!(buffered_hull(&[(f64::NAN, 1.0)], 10.0, 32).is_none());
        assert!(buffered_hull(&[(1.0, 2.0)], 0.0, 32).is_some());
    }

    #[test]
    fn point_segment_and_area_distances() {
        // A meridian segment at 37° E; points east of it at 48° N.
        let (a, b) = ((37.0, 47.0), (37.0, 49.0));
        let cases = [
            ((37.0, 48.0), 0.0),
            ((37.1, 48.0), 7.44),  // 0.1° of longitude at 48° N
            ((37.0, 50.0), 111.2), // beyond the end: distance to b
        ];
        for (p, km) in cases {
            let (d, _) = point_segment_km(p, a, b);
            assert!((d - km).abs() < 0.05, "{p:?}: {d} vs {km}");
        }
        let square = MultiPolygon::new(vec![Polygon::new(
            LineString::from(vec![
                (36.0, 47.0),
                (38.0, 47.0),
                (38.0, 49.0),
                (36.0, 49.0),
                (36.0, 47.0),
            ]),
            vec![],
        )]);
        assert_eq!(point_area_km((37.0, 48.0), &square), 0.0);
        let d = point_area_km((38.1, 48.0), &square);
        assert!((d - 7.44).abs() < 0.05, "{d}");
    }

    #[test]
    fn geometry_text_is_rounded_and_oriented() {
        assert_eq!(
            point_json(36.2527199999, -0.0000001, 6),
            r#"{"type":"Point","coordinates":[36.25272,0.0]}"#
        );
        // Clockwise in, counter-clockwise out.
        let cw = MultiPolygon::new(vec![Polygon::new(
            LineString::from(vec![
                (0.0, 0.0),
                (0.0, 1.0),
                (1.0, 1.0),
                (1.0, 0.0),
                (0.0, 0.0),
            ]),
            vec![],
        )]);
        assert_eq!(
            multipolygon_json(&cw, 4),
            r#"{"type":"Polygon","coordinates":[[[0.0,0.0],[1.0,0.0],[1.0,1.0],[0.0,1.0],[0.0,0.0]]]}"#
        );
        // A part that rounds to nothing is dropped.
        let tiny = MultiPolygon::new(vec![
            cw.0[0].clone(),
            Polygon::new(
                LineString::from(vec![(5.0, 5.0), (5.00001, 5.0), (5.0, 5.00001), (5.0, 5.0)]),
                vec![],
            ),
        ]);
        assert!(multipolygon_json(&tiny, 4).starts_with(r#"{"type":"Polygon""#));
    }
}
