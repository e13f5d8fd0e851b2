//! Points on the unit sphere: the one place frontmap turns (lon, lat) into 3-D vectors, so that
//! R-trees (rstar) index positions with chord lengths that map exactly to great-circle
//! distances — never raw degrees.

/// Mean earth radius (IUGG), km; the same as `resolve::haversine_km` uses.
pub const EARTH_RADIUS_KM: f64 = 6371.0088;

/// The point on the unit sphere for (lon, lat) in degrees.
pub fn unit_vector(lon: f64, lat: f64) -> [f64; 3] {
    let (lon, lat) = (lon.to_radians(), lat.to_radians());
    [lat.cos() * lon.cos(), lat.cos() * lon.sin(), lat.sin()]
}

/// The chord length on the unit sphere of a great-circle distance in km.
pub fn chord_of_km(distance_km: f64) -> f64 {
    let angle = (distance_km / EARTH_RADIUS_KM).clamp(0.0, std::f64::consts::PI);
    2.0 * (angle / 2.0).sin()
}

/// The great-circle distance in km of a chord length on the unit sphere.
pub fn km_of_chord(chord: f64) -> f64 {
    2.0 * EARTH_RADIUS_KM * (chord / 2.0).clamp(0.0, 1.0).asin()
}
