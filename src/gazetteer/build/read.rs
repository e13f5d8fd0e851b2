//! Parsers for the build's source formats. Each turns one source's text into typed rows; every
//! error names the file and the line.

use std::collections::HashMap;
use std::path::Path;

use crate::error::{Error, Result};

/// A TSV file with a header row, read by column name so that column order does not matter.
pub struct Tsv<'t> {
    label: &'t Path,
    columns: HashMap<&'t str, usize>,
    /// (line number, fields), blank lines skipped.
    pub rows: Vec<(usize, Vec<&'t str>)>,
}

impl<'t> Tsv<'t> {
    /// Splits `text`; fails when a `required` column is missing or a row is short.
    pub fn parse(label: &'t Path, text: &'t str, required: &[&str]) -> Result<Tsv<'t>> {
        let mut lines = text.lines().enumerate();
        let header = match lines.next() {
            Some((_, h)) => h.trim_end_matches('\r').trim_start_matches('\u{feff}'),
            None => return Err(Error::parse(label, 1, "empty file (expected a header row)")),
        };
        let columns: HashMap<&str, usize> = header
            .split('\t')
            .enumerate()
            .map(|(i, c)| (c, i))
            .collect();
        for r in required {
            if !columns.contains_key(r) {
                return Err(Error::parse(
                    label,
                    1,
                    format!("missing column '{r}' in header '{header}'"),
                ));
            }
        }
        let width = columns.values().max().map_or(0, |m| m + 1);
        let mut rows = Vec::new();
        for (i, line) in lines {
            let line = line.trim_end_matches('\r');
            if line.is_empty() {
                continue;
            }
            let fields: Vec<&str> = line.split('\t').collect();
            if fields.len() < width {
                return Err(Error::parse(
                    label,
                    i + 1,
                    format!(
                        "expected {width} tab-separated fields, found {}",
                        fields.len()
                    ),
                ));
            }
            rows.push((i + 1, fields));
        }
        Ok(Tsv {
            label,
            columns,
            rows,
        })
    }

    /// The field of `column` in `row` ("" when the column is absent).
    pub fn get<'r>(&self, row: &'r [&'t str], column: &str) -> &'t str {
        self.columns
            .get(column)
            .and_then(|&i| row.get(i).copied())
            .unwrap_or("")
            .trim()
    }

    pub fn f64(&self, line: usize, row: &[&'t str], column: &str) -> Result<f64> {
        let v = self.get(row, column);
        parse_f64(v).ok_or_else(|| {
            Error::parse(
                self.label,
                line,
                format!("invalid number '{v}' in column '{column}'"),
            )
        })
    }

    /// A latitude/longitude pair, checked for range.
    pub fn point(&self, line: usize, row: &[&'t str], lat: &str, lon: &str) -> Result<(f64, f64)> {
        let (la, lo) = (self.f64(line, row, lat)?, self.f64(line, row, lon)?);
        check_point(self.label, line, la, lo)?;
        Ok((la, lo))
    }
}

fn parse_f64(s: &str) -> Option<f64> {
    s.parse::<f64>().ok().filter(|v| v.is_finite())
}

pub fn check_point(label: &Path, line: usize, lat: f64, lon: f64) -> Result<()> {
    if !(-90.0..=90.0).contains(&lat) {
        return Err(Error::parse(
            label,
            line,
            format!("invalid latitude '{lat}' (expected -90..90)"),
        ));
    }
    if !(-180.0..=180.0).contains(&lon) {
        return Err(Error::parse(
            label,
            line,
            format!("invalid longitude '{lon}' (expected -180..180)"),
        ));
    }
    Ok(())
}

/// One row of a GeoNames `geoname` dump.
#[derive(Debug, Clone, PartialEq)]
pub struct GnRow {
    pub gid: u64,
    pub name: String,
    pub ascii: String,
    pub alternates: Vec<String>,
    pub lat: f64,
    pub lon: f64,
    pub class: String,
    pub feature: String,
    pub country: String,
    pub admin1: String,
    pub admin2: String,
    pub population: u64,
}

/// Parses one line of the standard 19-column GeoNames dump format; the error says what is
/// wrong, the caller adds file and line.
pub fn parse_geonames_line(line: &str) -> std::result::Result<GnRow, String> {
    let f: Vec<&str> = line.split('\t').collect();
    if f.len() < 19 {
        return Err(format!(
            "expected 19 tab-separated fields (GeoNames dump format), found {}",
            f.len()
        ));
    }
    let gid: u64 = f[0]
        .parse()
        .map_err(|_| format!("invalid geonameid '{}'", f[0]))?;
    let lat = parse_f64(f[4]).ok_or_else(|| format!("invalid latitude '{}'", f[4]))?;
    let lon = parse_f64(f[5]).ok_or_else(|| format!("invalid longitude '{}'", f[5]))?;
    if !(-90.0..=90.0).contains(&lat) {
        return Err(format!("invalid latitude '{}' (expected -90..90)", f[4]));
    }
    if !(-180.0..=180.0).contains(&lon) {
        return Err(format!("invalid longitude '{}' (expected -180..180)", f[5]));
    }
    let population = if f[14].is_empty() {
        0
    } else {
        // Some dumps write populations with a fractional part or a sign; take what is there.
        f[14]
            .parse::<u64>()
            .or_else(|_| f[14].parse::<f64>().map(|p| p.max(0.0) as u64))
            .map_err(|_| format!("invalid population '{}'", f[14]))?
    };
    if f[1].trim().is_empty() {
        return Err("empty name".into());
    }
    Ok(GnRow {
        gid,
        name: f[1].trim().to_string(),
        ascii: f[2].trim().to_string(),
        alternates: f[3]
            .split(',')
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(str::to_string)
            .collect(),
        lat,
        lon,
        class: f[6].to_string(),
        feature: f[7].to_string(),
        country: f[8].to_string(),
        admin1: f[10].to_string(),
        admin2: f[11].to_string(),
        population,
    })
}

pub fn geonames(label: &Path, text: &str) -> Result<Vec<GnRow>> {
    let mut out = Vec::new();
    for (i, line) in text.lines().enumerate() {
        let line = line.trim_end_matches('\r');
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        out.push(parse_geonames_line(line).map_err(|m| Error::parse(label, i + 1, m))?);
    }
    Ok(out)
}

/// True for GeoNames alternate names that are no use as names: codes in capitals of up to four
/// letters (HRK, MOW, IEV), anything with digits, URLs and addresses, romanisations without a
/// capital letter (`ku pi yang si ke`), and names in a script other than Latin or Cyrillic (the
/// article languages are all written in one of the two).
pub fn is_noise(name: &str) -> bool {
    let name = name.trim();
    if name.is_empty() || name.chars().count() > 80 {
        return true;
    }
    if name.chars().any(|c| c.is_ascii_digit() || c.is_numeric()) {
        return true;
    }
    let lower = name.to_lowercase();
    if lower.contains("http") || lower.contains("www.") || name.contains('/') || name.contains('@')
    {
        return true;
    }
    if !name.chars().any(char::is_uppercase) {
        return true;
    }
    let letters = name.chars().filter(|c| c.is_alphabetic()).count();
    if letters <= 4 && !name.chars().any(char::is_lowercase) {
        return true;
    }
    !is_latin_or_cyrillic(name)
}

/// True when every letter is Latin, or every letter is Cyrillic (a name mixing the two is a
/// typo that no text spells).
pub fn is_latin_or_cyrillic(name: &str) -> bool {
    let (mut latin, mut cyrillic) = (false, false);
    for c in name.chars().filter(|c| c.is_alphabetic()) {
        match script(c) {
            Script::Latin => latin = true,
            Script::Cyrillic => cyrillic = true,
            Script::Other => return false,
        }
    }
    !(latin && cyrillic) && (latin || cyrillic)
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Script {
    Latin,
    Cyrillic,
    Other,
}

pub fn script(c: char) -> Script {
    match c as u32 {
        0x41..=0x5A | 0x61..=0x7A | 0xC0..=0x24F | 0x1E00..=0x1EFF => Script::Latin,
        0x400..=0x52F => Script::Cyrillic,
        _ => Script::Other,
    }
}

/// True when the name has at least one letter and every letter is Cyrillic.
pub fn is_cyrillic(name: &str) -> bool {
    let mut any = false;
    for c in name.chars().filter(|c| c.is_alphabetic()) {
        if script(c) != Script::Cyrillic {
            return false;
        }
        any = true;
    }
    any
}

/// True when the name has at least one letter and every letter is Latin.
pub fn is_latin(name: &str) -> bool {
    let mut any = false;
    for c in name.chars().filter(|c| c.is_alphabetic()) {
        if script(c) != Script::Latin {
            return false;
        }
        any = true;
    }
    any
}

/// One admin unit from `geonames_admin_ua_ru.tsv` or a GeoNames code table.
#[derive(Debug, Clone, PartialEq)]
pub struct AdminRow {
    /// `UA.07`, `UA.07.6304`.
    pub code: String,
    pub gid: u64,
    pub level: u8,
    pub name: String,
    /// ISO 3166-2 (`UA-63`), empty when unknown.
    pub iso: String,
    pub kind: String,
    pub aliases: Vec<String>,
}

pub fn geonames_admin(label: &Path, text: &str) -> Result<Vec<AdminRow>> {
    let t = Tsv::parse(
        label,
        text,
        &[
            "geonames_code",
            "geonameid",
            "level",
            "name",
            "iso_3166_2",
            "type",
            "aliases",
        ],
    )?;
    let mut out = Vec::new();
    for (line, row) in &t.rows {
        let gid = t.get(row, "geonameid");
        let level = t.get(row, "level");
        out.push(AdminRow {
            code: t.get(row, "geonames_code").to_string(),
            gid: gid
                .parse()
                .map_err(|_| Error::parse(label, *line, format!("invalid geonameid '{gid}'")))?,
            level: level
                .parse()
                .map_err(|_| Error::parse(label, *line, format!("invalid level '{level}'")))?,
            name: t.get(row, "name").to_string(),
            iso: t.get(row, "iso_3166_2").to_string(),
            kind: t.get(row, "type").to_string(),
            aliases: split_list(t.get(row, "aliases"), '|'),
        });
    }
    Ok(out)
}

/// A GeoNames code table (`admin1CodesASCII.txt`, `admin2Codes.txt`): `code name ascii gid`,
/// no header.
pub fn admin_codes(label: &Path, text: &str, level: u8) -> Result<Vec<AdminRow>> {
    let mut out = Vec::new();
    for (i, line) in text.lines().enumerate() {
        let line = line.trim_end_matches('\r');
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        let f: Vec<&str> = line.split('\t').collect();
        if f.len() < 4 {
            return Err(Error::parse(
                label,
                i + 1,
                format!(
                    "expected 4 tab-separated fields (code, name, asciiname, geonameid), found {}",
                    f.len()
                ),
            ));
        }
        let gid = f[3].trim();
        out.push(AdminRow {
            code: f[0].trim().to_string(),
            gid: gid
                .parse()
                .map_err(|_| Error::parse(label, i + 1, format!("invalid geonameid '{gid}'")))?,
            level,
            name: f[1].trim().to_string(),
            iso: String::new(),
            kind: String::new(),
            aliases: if f[2].trim().is_empty() || f[2].trim() == f[1].trim() {
                Vec::new()
            } else {
                vec![f[2].trim().to_string()]
            },
        });
    }
    Ok(out)
}

pub fn split_list(s: &str, sep: char) -> Vec<String> {
    s.split(sep)
        .map(str::trim)
        .filter(|x| !x.is_empty())
        .map(str::to_string)
        .collect()
}

/// One settlement of the KATOTTG codifier (with the OCHA English name and a point).
#[derive(Debug, Clone)]
pub struct KatottgRow {
    pub code: String,
    pub category: String,
    pub name_uk: String,
    pub name_en: String,
    pub oblast: String,
    pub raion: String,
    pub hromada: String,
    pub lat: f64,
    pub lon: f64,
    pub gid: Option<u64>,
}

pub fn katottg(label: &Path, text: &str) -> Result<Vec<KatottgRow>> {
    let t = Tsv::parse(
        label,
        text,
        &[
            "katottg",
            "category",
            "name_uk",
            "name_en",
            "oblast_pcode",
            "raion_pcode",
            "hromada_pcode",
            "latitude",
            "longitude",
            "geonameid",
        ],
    )?;
    let mut out = Vec::new();
    for (line, row) in &t.rows {
        let (lat, lon) = t.point(*line, row, "latitude", "longitude")?;
        let gid = t.get(row, "geonameid");
        let name_uk = t.get(row, "name_uk");
        if name_uk.is_empty() {
            return Err(Error::parse(label, *line, "empty name_uk"));
        }
        out.push(KatottgRow {
            code: t.get(row, "katottg").to_string(),
            category: t.get(row, "category").to_string(),
            name_uk: name_uk.to_string(),
            name_en: t.get(row, "name_en").to_string(),
            oblast: t.get(row, "oblast_pcode").to_string(),
            raion: t.get(row, "raion_pcode").to_string(),
            hromada: t.get(row, "hromada_pcode").to_string(),
            lat,
            lon,
            gid: if gid.is_empty() {
                None
            } else {
                Some(gid.parse().map_err(|_| {
                    Error::parse(label, *line, format!("invalid geonameid '{gid}'"))
                })?)
            },
        });
    }
    Ok(out)
}

/// A raion (level 2) or hromada (level 3) of the OCHA p-code list.
#[derive(Debug, Clone)]
pub struct OchaRow {
    pub level: u8,
    pub pcode: String,
    pub name_uk: String,
    pub name_ru: String,
    pub name_en: String,
    pub lat: f64,
    pub lon: f64,
}

pub fn ocha(label: &Path, text: &str) -> Result<Vec<OchaRow>> {
    let t = Tsv::parse(
        label,
        text,
        &[
            "level",
            "pcode",
            "name_uk",
            "name_ru",
            "name_en",
            "lat_centroid",
            "lon_centroid",
        ],
    )?;
    let mut out = Vec::new();
    for (line, row) in &t.rows {
        let level = t.get(row, "level");
        out.push(OchaRow {
            level: level
                .parse()
                .map_err(|_| Error::parse(label, *line, format!("invalid level '{level}'")))?,
            pcode: t.get(row, "pcode").to_string(),
            name_uk: t.get(row, "name_uk").to_string(),
            name_ru: t.get(row, "name_ru").to_string(),
            name_en: t.get(row, "name_en").to_string(),
            lat: t.f64(*line, row, "lat_centroid")?,
            lon: t.f64(*line, row, "lon_centroid")?,
        });
        let r = out
            .last()
            .ok_or_else(|| Error::Invalid("bug: just pushed".into()))?;
        check_point(label, *line, r.lat, r.lon)?;
    }
    Ok(out)
}

/// An admin-1 feature of Natural Earth: its label point and names.
#[derive(Debug, Clone, Default)]
pub struct NeAdmin1 {
    pub iso: String,
    pub gn_code: String,
    pub lat: f64,
    pub lon: f64,
    /// (name, lang) pairs: `name`, `name_alt` (split), `gn_name` with lang "", and `name_xx`.
    pub names: Vec<(String, String)>,
    pub name_en: String,
}

pub fn natural_earth(label: &Path, text: &str) -> Result<Vec<NeAdmin1>> {
    let doc: serde_json::Value = serde_json::from_str(text)
        .map_err(|e| Error::parse(label, e.line(), format!("invalid GeoJSON: {e}")))?;
    let features = doc
        .get("features")
        .and_then(|f| f.as_array())
        .ok_or_else(|| Error::parse(label, 1, "expected a FeatureCollection with 'features'"))?;
    let mut out = Vec::new();
    for (i, f) in features.iter().enumerate() {
        let p = f.get("properties").cloned().unwrap_or_default();
        let s = |k: &str| -> String {
            p.get(k)
                .and_then(|v| v.as_str())
                .map(|v| v.trim().to_string())
                .unwrap_or_default()
        };
        let num = |k: &str| p.get(k).and_then(|v| v.as_f64());
        let (Some(lat), Some(lon)) = (num("latitude"), num("longitude")) else {
            return Err(Error::Invalid(format!(
                "{}: feature {i} ({}): no 'latitude'/'longitude' label point",
                label.display(),
                s("name")
            )));
        };
        check_point(label, 1, lat, lon)?;
        let mut names = Vec::new();
        for key in ["name", "gn_name"] {
            names.push((s(key), String::new()));
        }
        for alt in split_list(&s("name_alt"), '|') {
            names.push((alt, String::new()));
        }
        for lang in ["en", "uk", "ru", "de", "fr", "pl", "id"] {
            names.push((s(&format!("name_{lang}")), lang.to_string()));
        }
        names.retain(|(n, _)| !n.is_empty());
        out.push(NeAdmin1 {
            iso: s("iso_3166_2"),
            gn_code: s("gn_a1_code"),
            lat,
            lon,
            names,
            name_en: s("name_en"),
        });
    }
    Ok(out)
}

/// An OpenStreetMap settlement point.
#[derive(Debug, Clone)]
pub struct OsmRow {
    pub osm_type: String,
    pub osm_id: String,
    pub place: String,
    pub name_en: String,
    pub name_uk: String,
    pub wikidata: String,
    pub lat: f64,
    pub lon: f64,
    /// ISO 3166-2 of the oblast the point lies in.
    pub iso: String,
}

pub fn osm(label: &Path, text: &str) -> Result<Vec<OsmRow>> {
    let t = Tsv::parse(
        label,
        text,
        &[
            "osm_type",
            "osm_id",
            "place",
            "name_en",
            "name_uk",
            "wikidata",
            "latitude",
            "longitude",
            "oblast_iso_ne",
        ],
    )?;
    let mut out = Vec::new();
    for (line, row) in &t.rows {
        let (lat, lon) = t.point(*line, row, "latitude", "longitude")?;
        out.push(OsmRow {
            osm_type: t.get(row, "osm_type").to_string(),
            osm_id: t.get(row, "osm_id").to_string(),
            place: t.get(row, "place").to_string(),
            name_en: t.get(row, "name_en").to_string(),
            name_uk: t.get(row, "name_uk").to_string(),
            wikidata: t.get(row, "wikidata").to_string(),
            lat,
            lon,
            iso: t.get(row, "oblast_iso_ne").to_string(),
        });
    }
    Ok(out)
}

/// A Who's On First locality.
#[derive(Debug, Clone)]
pub struct WofRow {
    pub name: String,
    pub name_uk: String,
    pub name_ru: String,
    pub name_en: String,
    pub other_names: Vec<String>,
    pub lat: f64,
    pub lon: f64,
    pub gid: Option<u64>,
    pub population: u64,
    /// GeoNames admin1 code without the country (`05`), may be empty.
    pub gn_admin1: String,
    pub current: String,
    pub iso: String,
}

pub fn wof(label: &Path, text: &str) -> Result<Vec<WofRow>> {
    let t = Tsv::parse(
        label,
        text,
        &[
            "name",
            "name_uk",
            "name_ru",
            "name_en",
            "other_names",
            "latitude",
            "longitude",
            "geonameid",
            "population",
            "gn_admin1_code",
            "mz_is_current",
            "oblast_iso_ne",
        ],
    )?;
    let mut out = Vec::new();
    for (line, row) in &t.rows {
        let (lat, lon) = t.point(*line, row, "latitude", "longitude")?;
        let gid = t.get(row, "geonameid");
        let pop = t.get(row, "population");
        out.push(WofRow {
            name: t.get(row, "name").to_string(),
            name_uk: t.get(row, "name_uk").to_string(),
            name_ru: t.get(row, "name_ru").to_string(),
            name_en: t.get(row, "name_en").to_string(),
            other_names: split_list(t.get(row, "other_names"), '|'),
            lat,
            lon,
            gid: if gid.is_empty() {
                None
            } else {
                Some(gid.parse().map_err(|_| {
                    Error::parse(label, *line, format!("invalid geonameid '{gid}'"))
                })?)
            },
            population: if pop.is_empty() {
                0
            } else {
                pop.parse::<f64>().map(|p| p.max(0.0) as u64).map_err(|_| {
                    Error::parse(label, *line, format!("invalid population '{pop}'"))
                })?
            },
            gn_admin1: t.get(row, "gn_admin1_code").to_string(),
            current: t.get(row, "mz_is_current").to_string(),
            iso: t.get(row, "oblast_iso_ne").to_string(),
        });
    }
    Ok(out)
}

/// A war-report alias row: a canonical lower-case Latin name and its spellings.
#[derive(Debug, Clone)]
pub struct WarreportRow {
    pub name: String,
    pub aliases: Vec<String>,
    pub wikidata: String,
    pub lat: f64,
    pub lon: f64,
}

pub fn warreport(label: &Path, text: &str) -> Result<Vec<WarreportRow>> {
    let t = Tsv::parse(
        label,
        text,
        &["name", "aliases", "wikidata", "longitude", "latitude"],
    )?;
    let mut out = Vec::new();
    for (line, row) in &t.rows {
        let (lat, lon) = t.point(*line, row, "latitude", "longitude")?;
        out.push(WarreportRow {
            name: t.get(row, "name").to_string(),
            aliases: split_list(t.get(row, "aliases"), ';'),
            wikidata: t.get(row, "wikidata").to_string(),
            lat,
            lon,
        });
    }
    Ok(out)
}

/// A Russian post-office place with the collector's plausibility flag.
#[derive(Debug, Clone)]
pub struct PostalRow {
    pub postal_code: String,
    pub name: String,
    pub region_iso: String,
    pub lat: f64,
    pub lon: f64,
    pub plausible: bool,
}

pub fn postal(label: &Path, text: &str) -> Result<Vec<PostalRow>> {
    let t = Tsv::parse(
        label,
        text,
        &[
            "postal_code",
            "place_name",
            "region_iso",
            "latitude",
            "longitude",
            "plausible",
        ],
    )?;
    let mut out = Vec::new();
    for (line, row) in &t.rows {
        let (lat, lon) = t.point(*line, row, "latitude", "longitude")?;
        out.push(PostalRow {
            postal_code: t.get(row, "postal_code").to_string(),
            name: t.get(row, "place_name").to_string(),
            region_iso: t.get(row, "region_iso").to_string(),
            lat,
            lon,
            plausible: t.get(row, "plausible") == "1",
        });
    }
    Ok(out)
}

/// A country's name in one language.
#[derive(Debug, Clone)]
pub struct CountryName {
    pub iso2: String,
    pub lang: String,
    /// The package's first name for the language.
    pub official: bool,
    pub name: String,
}

pub fn country_names(label: &Path, text: &str) -> Result<Vec<CountryName>> {
    let t = Tsv::parse(label, text, &["iso2", "lang", "name"])?;
    Ok(t.rows
        .iter()
        .map(|(_, row)| CountryName {
            iso2: t.get(row, "iso2").to_string(),
            lang: t.get(row, "lang").to_string(),
            official: t.get(row, "name_type") == "official",
            name: t.get(row, "name").to_string(),
        })
        .filter(|c| !c.iso2.is_empty() && !c.name.is_empty())
        .collect())
}

/// A country's representative point.
#[derive(Debug, Clone)]
pub struct CountryPoint {
    pub iso2: String,
    pub lat: f64,
    pub lon: f64,
}

pub fn country_points(label: &Path, text: &str) -> Result<Vec<CountryPoint>> {
    let t = Tsv::parse(label, text, &["iso2", "lat", "lon"])?;
    let mut out = Vec::new();
    for (line, row) in &t.rows {
        let (lat, lon) = t.point(*line, row, "lat", "lon")?;
        out.push(CountryPoint {
            iso2: t.get(row, "iso2").to_string(),
            lat,
            lon,
        });
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    const LINE: &str = "707292\tIzyum\t\tIsjum,Izium,HRK,ku pi yang si ke,Ізюм,伊久姆\t49.20697\t37.27679\tP\t\tUA\t\t07\t\t\t\t45884\t\t\tEurope/Kyiv\t";

    #[test]
    fn geonames_line() {
        let r = parse_geonames_line(LINE).unwrap();
        assert_eq!(r.gid, 707292);
        assert_eq!(r.name, "Izyum");
        assert_eq!(r.country, "UA");
        assert_eq!(r.admin1, "07");
        assert_eq!(r.population, 45884);
        assert_eq!((r.lat, r.lon), (49.20697, 37.27679));
        assert_eq!(r.alternates.len(), 6);
        let bad = [
            ("1\tX", "expected 19"),
            (&LINE.replacen("707292", "x7", 1), "invalid geonameid 'x7'"),
            (
                &LINE.replacen("49.20697", "95.1", 1),
                "invalid latitude '95.1'",
            ),
            (
                &LINE.replacen("37.27679", "abc", 1),
                "invalid longitude 'abc'",
            ),
            (
                &LINE.replacen("45884", "many", 1),
                "invalid population 'many'",
            ),
        ];
        for (line, want) in bad {
            let err = parse_geonames_line(line).unwrap_err();
            assert!(err.contains(want), "{line}: {err}");
        }
    }

    #[test]
    fn geonames_errors_name_file_and_line() {
        let text = format!("{LINE}\n\n1\tbroken\n");
        let err = geonames(Path::new("cities500.txt"), &text)
            .unwrap_err()
            .to_string();
        assert!(
            err.starts_with("cities500.txt: line 3: expected 19"),
            "{err}"
        );
    }

    #[test]
    fn noise_filter() {
        let cases = [
            ("Izium", false),
            ("Ізюм", false),
            ("Kup'yans'k", false),
            ("Charków", false),
            ("Velyka Novosilka", false),
            ("HRK", true),
            ("MOW", true),
            ("ХРК", true),
            ("USA", true),
            ("NATO", true),
            ("KYIV", true),
            ("KYIVA", false),
            ("ku pi yang si ke", true),
            ("kwpyansk", true),
            ("伊久姆", true),
            ("Իզյում", true),
            ("Kиїв", true),
            ("Kyiv 2", true),
            ("http://example.org", true),
            ("www.kyiv.ua", true),
            ("", true),
            ("Ιζιούμ", true),
        ];
        for (name, want) in cases {
            assert_eq!(is_noise(name), want, "{name}");
        }
    }

    #[test]
    fn tsv_by_column_name() {
        let text = "b\ta\n2\t1\n\n4\t3\n";
        let t = Tsv::parse(Path::new("x.tsv"), text, &["a"]).unwrap();
        assert_eq!(t.rows.len(), 2);
        assert_eq!(t.get(&t.rows[1].1, "a"), "3");
        assert_eq!(t.rows[1].0, 4);
        let err = Tsv::parse(Path::new("x.tsv"), text, &["c"])
            .err()
            .unwrap()
            .to_string();
        assert!(
            err.starts_with("x.tsv: line 1: missing column 'c'"),
            "{err}"
        );
        let err = Tsv::parse(Path::new("x.tsv"), "a\tb\n1\n", &[])
            .err()
            .unwrap()
            .to_string();
        assert!(err.starts_with("x.tsv: line 2: expected 2"), "{err}");
    }
}
