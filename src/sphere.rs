//! Points on the unit sphere: the one place frontmap turns (lon, lat) into 3-D vectors, so that
//! R-trees (rstar) index positions with chord lengths that map exactly to great-circle
//! distances — never raw degrees.

/// Mean earth radius (IUGG), km.
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

/// Great-circle distance in km between two (lon, lat) points in degrees.
pub fn great_circle_km(a: (f64, f64), b: (f64, f64)) -> f64 {
    let (u, v) = (unit_vector(a.0, a.1), unit_vector(b.0, b.1));
    let d2 = (u[0] - v[0]).powi(2) + (u[1] - v[1]).powi(2) + (u[2] - v[2]).powi(2);
    km_of_chord(d2.sqrt())
}
