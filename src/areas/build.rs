//! Builds `gazetteer/areas.geojson`: the oblasts of Ukraine and the Russian border regions from
//! Natural Earth, and the operational directions of war reporting from `gazetteer/directions.tsv`.
//!
//! - Oblasts and regions: Natural Earth 10m admin-1 (public domain), picked by ISO 3166-2 code.
//!   Natural Earth files Crimea (`UA-43`) and Sevastopol (`UA-40`) under Russia; they are listed
//!   here by their ISO code, as Ukrainian areas. Names are the current English ones (Natural
//!   Earth's are old-style: "Kiev", "Zaporizhzhya"). Type `oblast` for Ukraine, `region` for
//!   Russia; id = ISO code; `admin1` = the GeoNames admin1 code, which links to the gazetteer.
//! - Directions: for each `dir:<slug>` in the TSV, the convex hull of its settlements buffered by
//!   `DIRECTION_BUFFER_KM` (on a local projection), type `direction`; `country` is the country of
//!   the oblast or region holding most of its settlements, and the areas of the other country are
//!   cut out of it (geo's boolean operations), so that a direction stays on its side of the state
//!   border.
//!
//! Every polygon is simplified (geo's Ramer–Douglas–Peucker) and rounded to 4 decimals (~10 m),
//! which keeps the file small; the output is sorted by id and byte-for-byte reproducible.

use std::collections::BTreeMap;
use std::path::Path;

use geo::{Area as _, BooleanOps, Intersects, MultiPolygon, Simplify};
use serde_json::Value;

use super::geom;
use super::{Area, Areas};
use crate::error::{Error, Result};

/// Buffer around a direction's settlements, km.
pub const DIRECTION_BUFFER_KM: f64 = 15.0;
/// Simplification tolerances, degrees (0.005° ≈ 400–550 m here; 0.002° ≈ 200 m).
const ADMIN_SIMPLIFY_DEG: f64 = 0.005;
const DIRECTION_SIMPLIFY_DEG: f64 = 0.002;
const DECIMALS: i32 = 4;

/// The areas taken from Natural Earth: ISO 3166-2 code, English name, type.
const ADMIN_AREAS: [(&str, &str, &str); 32] = [
    ("UA-05", "Vinnytsia Oblast", "oblast"),
    ("UA-07", "Volyn Oblast", "oblast"),
    ("UA-09", "Luhansk Oblast", "oblast"),
    ("UA-12", "Dnipropetrovsk Oblast", "oblast"),
    ("UA-14", "Donetsk Oblast", "oblast"),
    ("UA-18", "Zhytomyr Oblast", "oblast"),
    ("UA-21", "Zakarpattia Oblast", "oblast"),
    ("UA-23", "Zaporizhzhia Oblast", "oblast"),
    ("UA-26", "Ivano-Frankivsk Oblast", "oblast"),
    ("UA-30", "Kyiv", "oblast"),
    ("UA-32", "Kyiv Oblast", "oblast"),
    ("UA-35", "Kirovohrad Oblast", "oblast"),
    ("UA-40", "Sevastopol", "oblast"),
    ("UA-43", "Autonomous Republic of Crimea", "oblast"),
    ("UA-46", "Lviv Oblast", "oblast"),
    ("UA-48", "Mykolaiv Oblast", "oblast"),
    ("UA-51", "Odesa Oblast", "oblast"),
    ("UA-53", "Poltava Oblast", "oblast"),
    ("UA-56", "Rivne Oblast", "oblast"),
    ("UA-59", "Sumy Oblast", "oblast"),
    ("UA-61", "Ternopil Oblast", "oblast"),
    ("UA-63", "Kharkiv Oblast", "oblast"),
    ("UA-65", "Kherson Oblast", "oblast"),
    ("UA-68", "Khmelnytskyi Oblast", "oblast"),
    ("UA-71", "Cherkasy Oblast", "oblast"),
    ("UA-74", "Chernihiv Oblast", "oblast"),
    ("UA-77", "Chernivtsi Oblast", "oblast"),
    ("RU-BEL", "Belgorod Oblast", "region"),
    ("RU-BRY", "Bryansk Oblast", "region"),
    ("RU-KRS", "Kursk Oblast", "region"),
    ("RU-ROS", "Rostov Oblast", "region"),
    ("RU-VOR", "Voronezh Oblast", "region"),
];

/// The header of `directions.tsv` (after its `#` comment lines).
pub const DIRECTIONS_HEADER: &str = "direction_id\tdirection_name\tsettlement\tlat\tlon\tsource";

/// One direction of `directions.tsv`.
#[derive(Debug, Clone, PartialEq)]
pub struct Direction {
    pub id: String,
    pub name: String,
    /// (settlement, lon, lat), in file order.
    pub settlements: Vec<(String, f64, f64)>,
}

/// Writes `out` (see the module docs) from the Natural Earth admin-1 GeoJSON (`.gz` or plain)
/// and the directions TSV.
pub fn build_areas(natural_earth: &Path, directions_tsv: &Path, out: &Path) -> Result<()> {
    let admin_areas = Areas::from_areas(read_natural_earth(natural_earth)?)?;
    let text = std::fs::read_to_string(directions_tsv).map_err(|e| Error::io(directions_tsv, e))?;
    let directions = parse_directions(&text, directions_tsv)?;

    let mut features: Vec<(String, String)> = Vec::new();
    for a in admin_areas.areas() {
        features.push((a.id.clone(), area_feature(a, "")));
    }
    for d in &directions {
        let points: Vec<(f64, f64)> = d
            .settlements
            .iter()
            .map(|(_, lon, lat)| (*lon, *lat))
            .collect();
        let hull = geom::buffered_hull(&points, DIRECTION_BUFFER_KM, 32).ok_or_else(|| {
            Error::Invalid(format!(
                "{}: {}: no valid settlement",
                directions_tsv.display(),
                d.id
            ))
        })?;
        let mut votes: BTreeMap<&str, usize> = BTreeMap::new();
        for &(lon, lat) in &points {
            for a in admin_areas.areas().iter().filter(|a| a.contains(lon, lat)) {
                *votes.entry(a.country.as_str()).or_default() += 1;
            }
        }
        let country = votes
            .iter()
            .max_by(|x, y| x.1.cmp(y.1).then_with(|| y.0.cmp(x.0)))
            .map(|(c, _)| c.to_string())
            .unwrap_or_default();
        // A direction stays on its side of the state border: the Belgorod hull would otherwise
        // reach Vovchansk, and the Kharkiv hull Belgorod villages.
        let mut geometry = MultiPolygon::new(vec![hull]);
        let hull_box = geom::grown_bbox(&geometry, 0.0);
        for other in admin_areas.areas().iter().filter(|a| a.country != country) {
            let overlaps = match (hull_box, geom::grown_bbox(&other.geometry, 0.0)) {
                (Some(h), Some(o)) => h.intersects(&o),
                _ => false,
            };
            if overlaps {
                geometry = geometry.difference(&other.geometry);
            }
        }
        // The cut leaves slivers where the two borders disagree; drop parts under ~1 km².
        geometry.0.retain(|p| p.unsigned_area() > 1e-4);
        let geometry = geometry.simplify(&DIRECTION_SIMPLIFY_DEG);
        let mut area = Area::new(&d.id, &d.name, "direction", &country, "", geometry);
        area.source = format!(
            "directions.tsv: convex hull of {} settlements + {} km, cut at the state border",
            d.settlements.len(),
            DIRECTION_BUFFER_KM
        );
        let names: Vec<&str> = d.settlements.iter().map(|(n, _, _)| n.as_str()).collect();
        features.push((d.id.clone(), area_feature(&area, &names.join("|"))));
    }
    features.sort();
    let lines: Vec<String> = features.into_iter().map(|(_, f)| f).collect();
    geom::write_atomic(out, geom::feature_collection(&lines).as_bytes())
}

fn area_feature(a: &Area, settlements: &str) -> String {
    let props: Vec<(&str, Value)> = vec![
        ("id", a.id.clone().into()),
        ("name", a.name.clone().into()),
        ("type", a.kind.clone().into()),
        ("country", a.country.clone().into()),
        ("admin1", a.admin1.clone().into()),
        ("settlements", settlements.into()),
        ("source", a.source.clone().into()),
    ];
    geom::feature_line(&props, &geom::multipolygon_json(&a.geometry, DECIMALS))
}

/// The admin areas of `ADMIN_AREAS` from the Natural Earth file, in table order, simplified.
fn read_natural_earth(path: &Path) -> Result<Vec<Area>> {
    let text = geom::read_maybe_gz(path)?;
    let invalid = |m: String| Error::Invalid(format!("{}: {m}", path.display()));
    let fc = match text.parse::<geojson::GeoJson>() {
        Ok(geojson::GeoJson::FeatureCollection(fc)) => fc,
        Ok(_) => return Err(invalid("not a GeoJSON FeatureCollection".into())),
        Err(e) => return Err(invalid(format!("not valid GeoJSON: {e}"))),
    };
    let mut found: BTreeMap<&str, (MultiPolygon<f64>, String)> = BTreeMap::new();
    for (i, f) in fc.features.iter().enumerate() {
        let Some(code) = f.property("iso_3166_2").and_then(|v| v.as_str()) else {
            continue;
        };
        let Some(&(iso, _, _)) = ADMIN_AREAS.iter().find(|(c, _, _)| *c == code) else {
            continue;
        };
        let what = format!("feature {} ({iso})", i + 1);
        let geometry = f
            .geometry
            .as_ref()
            .ok_or_else(|| invalid(format!("{what}: no geometry")))?;
        let mp = geom::to_multipolygon(&geometry.value, &what).map_err(invalid)?;
        let admin1 = f
            .property("gn_a1_code")
            .and_then(|v| v.as_str())
            .unwrap_or_default()
            .to_string();
        if found
            .insert(iso, (mp.simplify(&ADMIN_SIMPLIFY_DEG), admin1))
            .is_some()
        {
            return Err(invalid(format!("{what}: {iso} appears twice")));
        }
    }
    let missing: Vec<&str> = ADMIN_AREAS
        .iter()
        .map(|(c, _, _)| *c)
        .filter(|c| !found.contains_key(c))
        .collect();
    if !missing.is_empty() {
        return Err(invalid(format!(
            "no feature with iso_3166_2 {} (expected Natural Earth admin-1 polygons of UA and RU)",
            missing.join(", ")
        )));
    }
    Ok(ADMIN_AREAS
        .iter()
        .map(|&(iso, name, kind)| {
            let (geometry, admin1) = found.remove(iso).expect("bug: every code was found");
            let country = &iso[..2];
            let mut a = Area::new(iso, name, kind, country, &admin1, geometry);
            a.source = "Natural Earth 10m admin-1 (public domain)".into();
            a
        })
        .collect())
}

/// Parses `directions.tsv` (see `gazetteer/directions.tsv`); directions come out sorted by id.
pub fn parse_directions(text: &str, path: &Path) -> Result<Vec<Direction>> {
    let mut header_seen = false;
    let mut by_id: BTreeMap<String, Direction> = BTreeMap::new();
    for (i, line) in text.lines().enumerate() {
        let n = i + 1;
        let line = line.trim_end_matches('\r');
        if line.trim().is_empty() || line.starts_with('#') {
            continue;
        }
        if !header_seen {
            if line != DIRECTIONS_HEADER {
                return Err(Error::parse(
                    path,
                    n,
                    format!("unexpected header '{line}' (expected '{DIRECTIONS_HEADER}')"),
                ));
            }
            header_seen = true;
            continue;
        }
        let f: Vec<&str> = line.split('\t').collect();
        if f.len() != 6 {
            return Err(Error::parse(
                path,
                n,
                format!("expected 6 tab-separated fields, found {}", f.len()),
            ));
        }
        let (id, name, settlement) = (f[0].trim(), f[1].trim(), f[2].trim());
        if !id.starts_with("dir:") || id.len() <= 4 {
            return Err(Error::parse(
                path,
                n,
                format!("invalid direction id '{id}' (expected dir:<slug>)"),
            ));
        }
        let lat: f64 = f[3]
            .trim()
            .parse()
            .ok()
            .filter(|v: &f64| (-90.0..=90.0).contains(v))
            .ok_or_else(|| {
                Error::parse(
                    path,
                    n,
                    format!("invalid latitude '{}' (expected -90..90)", f[3]),
                )
            })?;
        let lon: f64 = f[4]
            .trim()
            .parse()
            .ok()
            .filter(|v: &f64| (-180.0..=180.0).contains(v))
            .ok_or_else(|| {
                Error::parse(
                    path,
                    n,
                    format!("invalid longitude '{}' (expected -180..180)", f[4]),
                )
            })?;
        let d = by_id.entry(id.to_string()).or_insert_with(|| Direction {
            id: id.to_string(),
            name: name.to_string(),
            settlements: Vec::new(),
        });
        if d.name != name {
            return Err(Error::parse(
                path,
                n,
                format!(
                    "direction {id} is named '{name}' here but '{}' above",
                    d.name
                ),
            ));
        }
        d.settlements.push((settlement.to_string(), lon, lat));
    }
    if !header_seen {
        return Err(Error::parse(
            path,
            1,
            format!("no header line (expected '{DIRECTIONS_HEADER}')"),
        ));
    }
    Ok(by_id.into_values().collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn directions_tsv_parses_and_rejects() {
        let ok = format!("# comment\n{DIRECTIONS_HEADER}\ndir:b\tB\tx\t48.0\t37.0\tgeonames:1\ndir:a\tA\ty\t47.5\t36.5\tosm:node/2\ndir:b\tB\tz\t48.1\t37.1\tgeonames:3\n");
        let d = parse_directions(&ok, Path::new("d.tsv")).unwrap();
        assert_eq!(d.len(), 2);
        assert_eq!(d[0].id, "dir:a");
        assert_eq!(
            d[1].settlements,
            vec![("x".into(), 37.0, 48.0), ("z".into(), 37.1, 48.1)]
        );
        let cases = [
            ("a\tb\n", "d.tsv: line 1: unexpected header"),
            ("# only a comment\n", "d.tsv: line 1: no header line"),
            (
                &format!("{DIRECTIONS_HEADER}\ndir:a\tA\tx\t48\n") as &str,
                "d.tsv: line 2: expected 6",
            ),
            (
                &format!("{DIRECTIONS_HEADER}\npokrovsk\tA\tx\t48\t37\ts\n"),
                "line 2: invalid direction id 'pokrovsk'",
            ),
            (
                &format!("{DIRECTIONS_HEADER}\ndir:a\tA\tx\t98\t37\ts\n"),
                "line 2: invalid latitude '98'",
            ),
            (
                &format!("{DIRECTIONS_HEADER}\ndir:a\tA\tx\t48\teast\ts\n"),
                "line 2: invalid longitude 'east'",
            ),
            (
                &format!("{DIRECTIONS_HEADER}\ndir:a\tA\tx\t48\t37\ts\ndir:a\tB\ty\t48\t37\ts\n"),
                "line 3: direction dir:a is named 'B' here but 'A' above",
            ),
        ];
        for (text, expected) in cases {
            let err = parse_directions(text, Path::new("d.tsv"))
                .unwrap_err()
                .to_string();
            assert!(err.contains(expected), "{err}");
        }
    }
}
