//! Finding a place by name near a point: a grid of 0.1° cells over the places a stage matches
//! against. Results are sorted (distance, then insertion order), so the grid's hash map never
//! decides anything.

use std::collections::HashMap;

/// Great-circle distance in kilometres.
pub fn distance_km(lat1: f64, lon1: f64, lat2: f64, lon2: f64) -> f64 {
    let (p1, p2) = (lat1.to_radians(), lat2.to_radians());
    let dp = p2 - p1;
    let dl = (lon2 - lon1).to_radians();
    let a = (dp / 2.0).sin().powi(2) + p1.cos() * p2.cos() * (dl / 2.0).sin().powi(2);
    2.0 * 6371.0088 * a.sqrt().min(1.0).asin()
}

const CELL_DEG: f64 = 0.1;

fn cell(lat: f64, lon: f64) -> (i32, i32) {
    (
        (lat / CELL_DEG).floor() as i32,
        (lon / CELL_DEG).floor() as i32,
    )
}

/// Points with a key (a place id, a row number) and the normal forms of their names.
#[derive(Default)]
pub struct NearIndex<K> {
    keys: Vec<K>,
    points: Vec<(f64, f64)>,
    names: Vec<Vec<String>>,
    grid: HashMap<(i32, i32), Vec<usize>>,
}

impl<K: Clone> NearIndex<K> {
    pub fn new() -> Self {
        NearIndex {
            keys: Vec::new(),
            points: Vec::new(),
            names: Vec::new(),
            grid: HashMap::new(),
        }
    }

    /// Adds a point; `names` are normal forms.
    pub fn add(&mut self, key: K, lat: f64, lon: f64, mut names: Vec<String>) {
        names.sort();
        names.dedup();
        let i = self.keys.len();
        self.keys.push(key);
        self.points.push((lat, lon));
        self.names.push(names);
        self.grid.entry(cell(lat, lon)).or_default().push(i);
    }

    /// Adds normal forms to the entry with position `i` (as returned by `nearest_named`).
    pub fn add_names(&mut self, i: usize, names: impl IntoIterator<Item = String>) {
        let list = &mut self.names[i];
        list.extend(names);
        list.sort();
        list.dedup();
    }

    /// Every entry within `radius_km` of the point, as (distance, position), nearest first.
    pub fn within(&self, lat: f64, lon: f64, radius_km: f64) -> Vec<(f64, usize)> {
        let dlat = radius_km / 111.0;
        let dlon = radius_km / (111.0 * lat.to_radians().cos().max(0.05));
        let (c0, r0) = cell(lat - dlat, lon - dlon);
        let (c1, r1) = cell(lat + dlat, lon + dlon);
        let mut out = Vec::new();
        for a in c0..=c1 {
            for b in r0..=r1 {
                if let Some(list) = self.grid.get(&(a, b)) {
                    for &i in list {
                        let (la, lo) = self.points[i];
                        let d = distance_km(lat, lon, la, lo);
                        if d <= radius_km {
                            out.push((d, i));
                        }
                    }
                }
            }
        }
        out.sort_by(|x, y| x.0.total_cmp(&y.0).then(x.1.cmp(&y.1)));
        out
    }

    /// The nearest entry within `radius_km` that has one of `names` (normal forms), with its
    /// position and distance.
    pub fn nearest_named(
        &self,
        lat: f64,
        lon: f64,
        radius_km: f64,
        names: &[String],
    ) -> Option<(usize, f64)> {
        self.within(lat, lon, radius_km)
            .into_iter()
            .find(|&(_, i)| names.iter().any(|n| self.names[i].binary_search(n).is_ok()))
            .map(|(d, i)| (i, d))
    }

    pub fn key(&self, i: usize) -> &K {
        &self.keys[i]
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn distances() {
        // Kharkiv to Kyiv is about 410 km.
        let d = distance_km(49.98081, 36.25272, 50.45466, 30.5238);
        assert!((d - 410.0).abs() < 5.0, "{d}");
        assert_eq!(distance_km(1.0, 2.0, 1.0, 2.0), 0.0);
    }

    #[test]
    fn nearest_with_name() {
        let mut ix = NearIndex::new();
        ix.add("a", 47.44, 35.83, vec!["роботине".into()]);
        ix.add("b", 47.45, 35.84, vec!["інше".into()]);
        ix.add("c", 47.60, 35.83, vec!["роботине".into()]);
        let hit = ix.nearest_named(47.445, 35.838, 5.0, &["роботине".to_string()]);
        assert_eq!(hit.map(|(i, _)| *ix.key(i)), Some("a"));
        assert!(ix
            .nearest_named(47.445, 35.838, 0.1, &["роботине".to_string()])
            .is_none());
        assert_eq!(ix.within(47.445, 35.838, 30.0).len(), 3);
    }
}
