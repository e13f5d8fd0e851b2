//! Cluster: groups the point-like events of all articles into clusters of nearby places.
//!
//! Takes every article's events, gives `Cluster`s: a weighted centroid, the member places, the
//! articles and the date range. The rule is **single linkage**: two places whose great-circle
//! distance is at most `radius_km` are linked, and a cluster is a connected component of those
//! links (the same as DBSCAN with `min_pts = 1`). Chains can therefore make a cluster longer
//! than `radius_km`, which is what a front line of villages looks like.
//!
//! Only point-like events are clustered: populated places and landmarks. The point of a country,
//! oblast, raion, region or continent is a convention (a label point or centroid), and clustering
//! it with the villages around it would invent activity there. Events of every role count
//! (location, actor, adjectival): the role is the resolver's light guess, and it is in the
//! layers for filtering.
//!
//! Neighbours are found with an rstar R-tree over points on the unit sphere in 3-D: the chord
//! between two unit vectors is a monotonic function of the great-circle distance, so a
//! Euclidean radius query in 3-D is an exact great-circle radius query, with no trouble at the
//! antimeridian or the poles.

use chrono::NaiveDate;
use rstar::primitives::GeomWithData;
use rstar::RTree;

use crate::gazetteer::{Gazetteer, Kind, Place};
use crate::resolve::ArticleResult;

pub use crate::sphere::{chord_of_km, great_circle_km, km_of_chord, unit_vector, EARTH_RADIUS_KM};

/// Options of `cluster`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ClusterOptions {
    /// Link distance, km. Negative or NaN counts as 0 (only places at the same point merge).
    pub radius_km: f64,
}

impl Default for ClusterOptions {
    fn default() -> Self {
        ClusterOptions { radius_km: 25.0 }
    }
}

/// One place of a cluster with the number of its events.
#[derive(Debug, Clone, PartialEq)]
pub struct ClusterPlace {
    /// Gazetteer id (`gn:704422`).
    pub id: String,
    pub name: String,
    pub lon: f64,
    pub lat: f64,
    pub event_count: usize,
}

/// A group of nearby places and the events at them.
#[derive(Debug, Clone, PartialEq)]
pub struct Cluster {
    /// `c:` and the smallest member place id (`c:gn:704422`): independent of the input order and
    /// stable while that place stays in the cluster.
    pub id: String,
    /// Centroid of the member places weighted by their events, degrees WGS84.
    pub lon: f64,
    pub lat: f64,
    /// Member places, sorted by id.
    pub places: Vec<ClusterPlace>,
    /// Ids of the articles with an event here, sorted, distinct.
    pub articles: Vec<String>,
    /// Number of events (mentions) at the member places.
    pub event_count: usize,
    /// Earliest and latest article date among those events; None when all are undated.
    pub first_date: Option<NaiveDate>,
    pub last_date: Option<NaiveDate>,
}

/// True for the kinds whose point is the place's own position (see the module docs).
pub fn is_point_like(kind: Kind) -> bool {
    matches!(kind, Kind::PopulatedPlace | Kind::Landmark)
}

/// Clusters the point-like events of `results` (see the module docs). Events whose place index
/// is not in `gaz` are ignored. Clusters are sorted by event count (largest first), then id.
pub fn cluster(
    gaz: &Gazetteer,
    results: &[ArticleResult],
    options: &ClusterOptions,
) -> Vec<Cluster> {
    let mut input = ClusterInput::new(gaz);
    for (i, r) in results.iter().enumerate() {
        for e in &r.events {
            input.add(gaz, i as u32, r.meta.date, e.place);
        }
    }
    let ids: Vec<&str> = results.iter().map(|r| r.meta.id.as_str()).collect();
    input.cluster(gaz, &ids, options)
}

/// What `cluster` needs of the events, gathered one event at a time (so that `frontmap map`
/// can stream articles and keep only this): per point-like place, its events, the articles
/// that name it and their date range. About 40 bytes per gazetteer place plus 4 per distinct
/// (place, article) pair.
#[derive(Debug, Clone)]
pub struct ClusterInput {
    places: Vec<PlaceEvents>,
}

#[derive(Debug, Clone, Default)]
struct PlaceEvents {
    events: usize,
    /// Article indices, ascending when articles are added in order; duplicates are dropped
    /// when clustering.
    articles: Vec<u32>,
    first: Option<NaiveDate>,
    last: Option<NaiveDate>,
}

impl ClusterInput {
    pub fn new(gaz: &Gazetteer) -> ClusterInput {
        ClusterInput {
            places: vec![PlaceEvents::default(); gaz.places.len()],
        }
    }

    /// Adds one event at `place` of article number `article` (an index into the ids given to
    /// `cluster`), dated `date`. Places that are not point-like or not in `gaz` are ignored.
    pub fn add(&mut self, gaz: &Gazetteer, article: u32, date: Option<NaiveDate>, place: u32) {
        let (Some(p), Some(acc)) = (
            gaz.places.get(place as usize),
            self.places.get_mut(place as usize),
        ) else {
            return;
        };
        if !is_point_like(p.kind) {
            return;
        }
        acc.events += 1;
        if acc.articles.last() != Some(&article) {
            acc.articles.push(article);
        }
        if let Some(d) = date {
            acc.first = Some(acc.first.map_or(d, |f| f.min(d)));
            acc.last = Some(acc.last.map_or(d, |l| l.max(d)));
        }
    }

    /// The clusters (see `cluster`); `article_ids[i]` is the id of article number `i`.
    pub fn cluster<S: AsRef<str>>(
        self,
        gaz: &Gazetteer,
        article_ids: &[S],
        options: &ClusterOptions,
    ) -> Vec<Cluster> {
        // In place-id order, so that everything below is in an order the input cannot change.
        let mut places: Vec<(&Place, PlaceEvents)> = self
            .places
            .into_iter()
            .enumerate()
            .filter(|(_, acc)| acc.events > 0)
            .filter_map(|(i, acc)| Some((gaz.places.get(i)?, acc)))
            .collect();
        places.sort_unstable_by(|a, b| a.0.id.cmp(&b.0.id));
        let points: Vec<(f64, f64)> = places.iter().map(|(p, _)| (p.lon, p.lat)).collect();
        let labels = single_linkage(&points, options.radius_km);

        let mut groups: Vec<Vec<usize>> = Vec::new();
        for (i, &l) in labels.iter().enumerate() {
            if l == groups.len() {
                groups.push(Vec::new());
            }
            groups[l].push(i);
        }
        let id_of = |a: u32| article_ids.get(a as usize).map_or("", |s| s.as_ref());
        let mut out: Vec<Cluster> = groups
            .into_iter()
            .map(|members| {
                let mut articles: Vec<u32> = Vec::new();
                let (mut first, mut last) = (None::<NaiveDate>, None::<NaiveDate>);
                let mut cluster_places = Vec::with_capacity(members.len());
                let mut weighted = Vec::with_capacity(members.len());
                for &m in &members {
                    let (p, acc) = &places[m];
                    articles.extend_from_slice(&acc.articles);
                    first = match (first, acc.first) {
                        (Some(a), Some(b)) => Some(a.min(b)),
                        (a, b) => a.or(b),
                    };
                    last = match (last, acc.last) {
                        (Some(a), Some(b)) => Some(a.max(b)),
                        (a, b) => a.or(b),
                    };
                    weighted.push((p.lon, p.lat, acc.events as f64));
                    cluster_places.push(ClusterPlace {
                        id: p.id.to_string(),
                        name: p.name.to_string(),
                        lon: p.lon,
                        lat: p.lat,
                        event_count: acc.events,
                    });
                }
                articles.sort_unstable();
                articles.dedup();
                let mut ids: Vec<&str> = articles.into_iter().map(id_of).collect();
                ids.sort_unstable();
                ids.dedup();
                let (lon, lat) = spherical_centroid(&weighted);
                Cluster {
                    // Members are in place-id order, so the first is the smallest.
                    id: format!("c:{}", cluster_places[0].id),
                    lon,
                    lat,
                    event_count: cluster_places.iter().map(|p| p.event_count).sum(),
                    places: cluster_places,
                    articles: ids.into_iter().map(str::to_string).collect(),
                    first_date: first,
                    last_date: last,
                }
            })
            .collect();
        out.sort_by(|a, b| {
            b.event_count
                .cmp(&a.event_count)
                .then_with(|| a.id.cmp(&b.id))
        });
        out
    }
}

/// The centroid of weighted (lon, lat, weight) points on the sphere: the normalised weighted
/// sum of their unit vectors (right across the antimeridian too). Falls back to the first
/// point when the weights cancel out or are all zero.
pub fn spherical_centroid(points: &[(f64, f64, f64)]) -> (f64, f64) {
    let mut s = [0.0f64; 3];
    for &(lon, lat, w) in points {
        let v = unit_vector(lon, lat);
        for k in 0..3 {
            s[k] += w * v[k];
        }
    }
    let norm = dist2(&s, &[0.0; 3]).sqrt();
    if norm.is_nan() || norm <= 1e-12 {
        return points.first().map_or((0.0, 0.0), |p| (p.0, p.1));
    }
    let lat = (s[2] / norm).clamp(-1.0, 1.0).asin().to_degrees();
    let lon = s[1].atan2(s[0]).to_degrees();
    (lon, lat)
}

/// Morton (Z-order) key of a unit vector: 21 bits per coordinate, interleaved.
fn morton(v: &[f64; 3]) -> u64 {
    fn spread(x: u64) -> u64 {
        // Moves bit i of a 21-bit number to bit 3i.
        let mut x = x & 0x1f_ffff;
        x = (x | x << 32) & 0x1f_0000_0000_ffff;
        x = (x | x << 16) & 0x1f_0000_ff00_00ff;
        x = (x | x << 8) & 0x100f_00f0_0f00_f00f;
        x = (x | x << 4) & 0x10c3_0c30_c30c_30c3;
        x = (x | x << 2) & 0x1249_2492_4924_9249;
        x
    }
    let q = |c: f64| (((c + 1.0) / 2.0).clamp(0.0, 1.0) * ((1u64 << 21) - 1) as f64) as u64;
    spread(q(v[0])) | spread(q(v[1])) << 1 | spread(q(v[2])) << 2
}

fn dist2(a: &[f64; 3], b: &[f64; 3]) -> f64 {
    let (x, y, z) = (a[0] - b[0], a[1] - b[1], a[2] - b[2]);
    x * x + y * y + z * z
}

type Indexed = GeomWithData<[f64; 3], u32>;

/// Single-linkage clustering of (lon, lat) points in degrees: points at most `radius_km` apart
/// (great circle) are linked; returns one label per point, the labels of the connected
/// components numbered 0, 1, … in the order their first point appears. The partition does not
/// depend on the input order. Points with a non-finite or out-of-range coordinate are alone.
///
/// How it stays fast on dense data as on sparse (a million points in about a second): the
/// points are covered greedily by balls of half the link chord around "centres". Every two
/// points of one ball are within the link distance (triangle inequality in 3-D), so a ball is
/// linked without looking at its pairs. A new ball's one R-tree query reaches half a chord
/// farther than the link: it takes the ball's members and finds every older point that can link
/// to one of them (a link p–q with q in the new ball has p within half + link of its centre).
/// Older points of balls already in the same component are skipped, so dense data costs about
/// one query per ball and sparse data one query per point.
pub fn single_linkage(points: &[(f64, f64)], radius_km: f64) -> Vec<usize> {
    let n = points.len();
    let radius_km = if radius_km > 0.0 { radius_km } else { 0.0 };
    let link = chord_of_km(radius_km);
    let link2 = link * link;
    // A hair under half the link chord, so that the ball's diameter is safely inside it despite
    // rounding; the exact pairwise test below decides everything else.
    let half = link * 0.4999;
    let half2 = half * half;
    let reach = (half + link) * (1.0 + 1e-9) + 1e-15;

    // Work in a spatial (Morton) order of the valid points, so that the points one query
    // touches sit close together in memory: the clustering is cache-bound, not compute-bound.
    let mut order: Vec<(u64, u32)> = points
        .iter()
        .enumerate()
        .filter(|(_, &(lon, lat))| {
            lon.is_finite() && lat.is_finite() && (-90.0..=90.0).contains(&lat)
        })
        .map(|(i, &(lon, lat))| (morton(&unit_vector(lon, lat)), i as u32))
        .collect();
    order.sort_unstable();
    let m = order.len();
    let vectors: Vec<[f64; 3]> = order
        .iter()
        .map(|&(_, i)| {
            let (lon, lat) = points[i as usize];
            unit_vector(lon, lat)
        })
        .collect();
    let tree: RTree<Indexed> =
        RTree::bulk_load((0..m).map(|k| Indexed::new(vectors[k], k as u32)).collect());

    const NONE: u32 = u32::MAX;
    let mut ball = vec![NONE; m];
    let mut uf = UnionFind::new(0);
    let mut members: Vec<u32> = Vec::new();
    let mut older: Vec<u32> = Vec::new();
    for k in 0..m {
        if ball[k] != NONE {
            continue;
        }
        let b = uf.push();
        let c = vectors[k];
        members.clear();
        older.clear();
        // The centre first: it is the member most likely to link.
        ball[k] = b;
        members.push(k as u32);
        for hit in tree.locate_within_distance(c, reach * reach) {
            let j = hit.data as usize;
            if ball[j] == NONE {
                if dist2(hit.geom(), &c) <= half2 {
                    ball[j] = b;
                    members.push(j as u32);
                }
            } else if ball[j] != b {
                older.push(j as u32);
            }
        }
        for &j in &older {
            let other = ball[j as usize] as usize;
            if uf.find(b as usize) == uf.find(other) {
                continue;
            }
            let q = &vectors[j as usize];
            if members
                .iter()
                .any(|&p| dist2(&vectors[p as usize], q) <= link2)
            {
                uf.union(b as usize, other);
            }
        }
    }
    let mut ball_of_point = vec![NONE; n];
    for (k, &(_, i)) in order.iter().enumerate() {
        ball_of_point[i as usize] = ball[k];
    }
    let ball = ball_of_point;

    // Labels in order of first appearance.
    let mut label_of_root: Vec<usize> = vec![usize::MAX; uf.len()];
    let mut next = 0;
    let mut labels = Vec::with_capacity(n);
    for &b in &ball {
        if b == NONE {
            labels.push(next);
            next += 1;
            continue;
        }
        let root = uf.find(b as usize);
        if label_of_root[root] == usize::MAX {
            label_of_root[root] = next;
            next += 1;
        }
        labels.push(label_of_root[root]);
    }
    labels
}

/// Disjoint sets with path halving and union by size.
struct UnionFind {
    parent: Vec<usize>,
    size: Vec<usize>,
}

impl UnionFind {
    fn new(n: usize) -> Self {
        UnionFind {
            parent: (0..n).collect(),
            size: vec![1; n],
        }
    }

    /// Adds a set of its own; returns its index.
    fn push(&mut self) -> u32 {
        self.parent.push(self.parent.len());
        self.size.push(1);
        (self.parent.len() - 1) as u32
    }

    fn len(&self) -> usize {
        self.parent.len()
    }

    fn find(&mut self, mut x: usize) -> usize {
        while self.parent[x] != x {
            self.parent[x] = self.parent[self.parent[x]];
            x = self.parent[x];
        }
        x
    }

    fn union(&mut self, a: usize, b: usize) {
        let (mut a, mut b) = (self.find(a), self.find(b));
        if a == b {
            return;
        }
        if self.size[a] < self.size[b] {
            std::mem::swap(&mut a, &mut b);
        }
        self.parent[b] = a;
        self.size[a] += self.size[b];
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::gazetteer::testing;
    use crate::ingest::ArticleMeta;
    use crate::resolve::{Event, Role};
    use std::collections::BTreeMap;

    /// Reference: every pair compared.
    fn brute_force(points: &[(f64, f64)], radius_km: f64) -> Vec<usize> {
        let n = points.len();
        let mut uf = UnionFind::new(n);
        let link = chord_of_km(radius_km.max(0.0));
        for i in 0..n {
            for j in i + 1..n {
                let (a, b) = (points[i], points[j]);
                if dist2(&unit_vector(a.0, a.1), &unit_vector(b.0, b.1)) <= link * link {
                    uf.union(i, j);
                }
            }
        }
        let mut seen = BTreeMap::new();
        (0..n)
            .map(|i| {
                let r = uf.find(i);
                let next = seen.len();
                *seen.entry(r).or_insert(next)
            })
            .collect()
    }

    /// The haversine formula, as a reference the chord-based distance must agree with.
    fn haversine_km(lat1: f64, lon1: f64, lat2: f64, lon2: f64) -> f64 {
        let (p1, p2) = (lat1.to_radians(), lat2.to_radians());
        let dp = p2 - p1;
        let dl = (lon2 - lon1).to_radians();
        let a = (dp / 2.0).sin().powi(2) + p1.cos() * p2.cos() * (dl / 2.0).sin().powi(2);
        2.0 * EARTH_RADIUS_KM * a.sqrt().min(1.0).asin()
    }

    #[test]
    fn great_circle_distances() {
        // (a, b, expected km, tolerance km)
        let cases = [
            ((36.25272, 49.98081), (37.17706, 48.28014), 200.705, 0.01), // Kharkiv–Pokrovsk
            ((30.5234, 50.4501), (37.6173, 55.7558), 755.742, 0.01),     // Kyiv–Moscow
            ((0.0, 0.0), (0.0, 1.0), 111.195, 0.01),                     // one degree of meridian
            ((179.9, 0.0), (-179.9, 0.0), 22.239, 0.01),                 // across the antimeridian
            ((10.0, 89.9), (-170.0, 89.9), 22.239, 0.01),                // across the pole
            (
                (0.0, 0.0),
                (180.0, 0.0),
                std::f64::consts::PI * EARTH_RADIUS_KM,
                1e-6,
            ),
            ((12.0, 34.0), (12.0, 34.0), 0.0, 1e-9),
        ];
        for (a, b, km, tol) in cases {
            let d = great_circle_km(a, b);
            assert!((d - km).abs() <= tol, "{a:?} {b:?}: {d} km, expected {km}");
            let h = haversine_km(a.1, a.0, b.1, b.0);
            assert!(
                (d - h).abs() < 1e-6,
                "{a:?} {b:?}: chord {d} vs haversine {h}"
            );
        }
        for km in [0.0, 0.001, 1.0, 25.0, 1000.0, 20000.0] {
            assert!((km_of_chord(chord_of_km(km)) - km).abs() < 1e-6, "{km}");
        }
    }

    #[test]
    fn single_linkage_cases() {
        // (points, radius, expected labels)
        type Case = (Vec<(f64, f64)>, f64, Vec<usize>);
        let cases: Vec<Case> = vec![
            (vec![], 25.0, vec![]),
            (vec![(37.0, 48.0)], 25.0, vec![0]),
            // 0.2° of longitude at 48° N is 16.6 km: a chain of three links, the fourth far.
            (
                vec![(37.0, 48.0), (37.2, 48.0), (37.4, 48.0), (38.0, 48.0)],
                25.0,
                vec![0, 0, 0, 1],
            ),
            // The same chain with a 10 km radius falls apart.
            (
                vec![(37.0, 48.0), (37.2, 48.0), (37.4, 48.0), (38.0, 48.0)],
                10.0,
                vec![0, 1, 2, 3],
            ),
            // Radius 0: only equal points merge. NaN radius counts as 0.
            (
                vec![(1.0, 2.0), (1.0, 2.0), (1.0, 2.000001)],
                0.0,
                vec![0, 0, 1],
            ),
            (vec![(1.0, 2.0), (1.0, 2.0)], f64::NAN, vec![0, 0]),
            // Across the antimeridian.
            (vec![(179.95, 10.0), (-179.95, 10.0)], 25.0, vec![0, 0]),
            // Invalid points stay alone and do not break the rest.
            (
                vec![(f64::NAN, 1.0), (1.0, 95.0), (1.0, 1.0), (1.0, 1.0001)],
                25.0,
                vec![0, 1, 2, 2],
            ),
        ];
        for (points, r, expected) in cases {
            assert_eq!(single_linkage(&points, r), expected, "{points:?} r={r}");
        }
    }

    #[test]
    fn single_linkage_matches_brute_force_on_dense_and_sparse_data() {
        // A deterministic pseudo-random cloud: dense blobs and loose points.
        let mut x: u64 = 0x9E37_79B9_7F4A_7C15;
        let mut rnd = || {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            (x >> 11) as f64 / (1u64 << 53) as f64
        };
        let mut points = Vec::new();
        for blob in 0..6 {
            let (cx, cy) = (30.0 + blob as f64 * 1.3, 48.0 + (blob % 3) as f64 * 0.7);
            for _ in 0..150 {
                points.push((cx + (rnd() - 0.5) * 0.8, cy + (rnd() - 0.5) * 0.5));
            }
        }
        for _ in 0..300 {
            points.push((22.0 + rnd() * 18.0, 44.0 + rnd() * 8.0));
        }
        for r in [0.0, 3.0, 10.0, 25.0, 60.0] {
            assert_eq!(single_linkage(&points, r), brute_force(&points, r), "r={r}");
        }
    }

    fn event(place: u32, start: usize) -> Event {
        Event {
            start,
            end: start + 3,
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
    fn clusters_point_like_places_only() {
        let g = testing::gazetteer();
        let idx = |id: &str| g.index_of_id(id).unwrap();
        let meta = |id: &str, date: Option<&str>| ArticleMeta {
            id: id.into(),
            date: date.map(|d| d.parse().unwrap()),
            ..Default::default()
        };
        let results = vec![
            ArticleResult {
                meta: meta("a", Some("2024-08-10")),
                events: vec![
                    event(idx("gn:704422"), 0),  // Pokrovsk
                    event(idx("gn:704422"), 10), // Pokrovsk again
                    event(idx("gn:709717"), 20), // Donetsk Oblast: not clustered
                    event(idx("gn:690791"), 30), // Ukraine: not clustered
                    event(idx("gn:712165"), 40), // Velyka Novosilka, 8 km from Novosilka
                ],
            },
            ArticleResult {
                meta: meta("b", None),
                events: vec![event(idx("katottg:UA1"), 0), event(idx("gn:706482"), 5)],
            },
        ];
        let cs = cluster(&g, &results, &ClusterOptions::default());
        let summary: Vec<(String, usize, Vec<&str>, Vec<&str>)> = cs
            .iter()
            .map(|c| {
                (
                    c.id.clone(),
                    c.event_count,
                    c.places.iter().map(|p| p.id.as_str()).collect(),
                    c.articles.iter().map(|a| a.as_str()).collect(),
                )
            })
            .collect();
        assert_eq!(
            summary,
            vec![
                ("c:gn:704422".into(), 2, vec!["gn:704422"], vec!["a"]),
                (
                    "c:gn:712165".into(),
                    2,
                    vec!["gn:712165", "katottg:UA1"],
                    vec!["a", "b"]
                ),
                ("c:gn:706482".into(), 1, vec!["gn:706482"], vec!["b"]),
            ]
        );
        let vn = &cs[1];
        assert_eq!(vn.first_date, Some("2024-08-10".parse().unwrap()));
        assert_eq!(vn.last_date, vn.first_date);
        assert!(vn.lon > 36.83 && vn.lon < 36.9 && vn.lat > 47.84 && vn.lat < 47.9);
        assert_eq!(cs[2].first_date, None);
    }

    #[test]
    fn weighted_centroid_leans_to_the_heavier_place() {
        let (lon, lat) = spherical_centroid(&[(36.0, 48.0, 3.0), (37.0, 48.0, 1.0)]);
        assert!(
            (lon - 36.25).abs() < 0.01 && (lat - 48.0).abs() < 0.01,
            "{lon} {lat}"
        );
        let (lon, _) = spherical_centroid(&[(179.0, 0.0, 1.0), (-179.0, 0.0, 1.0)]);
        assert!((lon.abs() - 180.0).abs() < 1e-9, "{lon}");
        assert_eq!(spherical_centroid(&[]), (0.0, 0.0));
        assert_eq!(spherical_centroid(&[(5.0, 6.0, 0.0)]), (5.0, 6.0));
    }
}
