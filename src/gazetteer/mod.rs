//! The gazetteer: places with coordinates and every name they go by, loaded once and borrowed
//! read-only by the tagger and the resolver.
//!
//! On disk (`gazetteer/`, see its README) it is two sorted TSV files, reviewed like code:
//! - `places.tsv`: `id kind name country admin1 admin2 lat lon population precision code source`
//! - `names.tsv`:  `place_id name lang origin`
//!
//! `build` makes them from open data; `load` reads them; `normalise` is the one text normaliser;
//! `inflect` adds the case forms of Cyrillic and Polish names; `index` is the name automaton.

pub mod build;
pub mod compiled;
pub mod index;
pub mod inflect;
pub mod normalise;
pub mod variants;

use compact_str::CompactString;
use std::collections::HashMap;
use std::fmt;
use std::path::Path;
use std::str::FromStr;

use serde::Serialize;

use crate::error::{Error, Result};
pub use index::{NameIndex, Posting};

/// What a place is. Spelled in output exactly as `as_str` gives.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Kind {
    Country,
    Admin1,
    Admin2,
    PopulatedPlace,
    Region,
    Landmark,
    Continent,
}

impl Kind {
    pub const ALL: [Kind; 7] = [
        Kind::Country,
        Kind::Admin1,
        Kind::Admin2,
        Kind::PopulatedPlace,
        Kind::Region,
        Kind::Landmark,
        Kind::Continent,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Kind::Country => "country",
            Kind::Admin1 => "admin1",
            Kind::Admin2 => "admin2",
            Kind::PopulatedPlace => "populated_place",
            Kind::Region => "region",
            Kind::Landmark => "landmark",
            Kind::Continent => "continent",
        }
    }

    /// True for areas (as opposed to points such as settlements and landmarks).
    pub fn is_area(self) -> bool {
        matches!(
            self,
            Kind::Country | Kind::Admin1 | Kind::Admin2 | Kind::Region | Kind::Continent
        )
    }
}

impl fmt::Display for Kind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for Kind {
    type Err = String;
    fn from_str(s: &str) -> std::result::Result<Self, String> {
        Kind::ALL
            .into_iter()
            .find(|k| k.as_str() == s)
            .ok_or_else(|| format!("unknown kind '{s}' (expected one of country, admin1, admin2, populated_place, region, landmark, continent)"))
    }
}

/// How much a place's point can be trusted.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Precision {
    /// The place's own point (GeoNames, OSM, Who's On First, or a curated correction).
    Exact,
    /// A stand-in such as the centroid of the community the settlement belongs to: kilometres off.
    Approximate,
    /// A label point or centroid of an area (admin unit, region, country).
    Area,
}

impl Precision {
    pub fn as_str(self) -> &'static str {
        match self {
            Precision::Exact => "exact",
            Precision::Approximate => "approximate",
            Precision::Area => "area",
        }
    }
}

impl FromStr for Precision {
    type Err = String;
    fn from_str(s: &str) -> std::result::Result<Self, String> {
        match s {
            "exact" => Ok(Precision::Exact),
            "approximate" => Ok(Precision::Approximate),
            "area" => Ok(Precision::Area),
            _ => Err(format!(
                "unknown precision '{s}' (expected exact, approximate or area)"
            )),
        }
    }
}

/// One place of the gazetteer.
#[derive(Debug, Clone, PartialEq)]
pub struct Place {
    /// Stable id: `gn:<GeoNames id>`, `katottg:<KATOTTG code>`, `iso:<ISO code>`, `fm:<slug>` (overlay).
    pub id: CompactString,
    pub kind: Kind,
    /// Conventional English name.
    pub name: CompactString,
    /// ISO 3166-1 alpha-2 country code (`UA`), empty for continents.
    pub country: CompactString,
    /// GeoNames-style admin1 code (`UA.07`), empty when unknown or not applicable.
    pub admin1: CompactString,
    /// Admin2 code (raion), empty when unknown.
    pub admin2: CompactString,
    pub lat: f64,
    pub lon: f64,
    /// 0 when unknown.
    pub population: u64,
    pub precision: Precision,
    /// ISO 3166-2 code for admin1 areas (`UA-63`), ISO 3166-1 for countries, else empty.
    pub code: CompactString,
    /// Which data set the row (and its point) came from.
    pub source: CompactString,
}

impl Place {
    /// ACLED-style geo-precision: 1 the settlement's own point, 2 an approximate point,
    /// 3 an admin area or region, 4 a country or continent.
    pub fn geo_precision(&self) -> u8 {
        match self.kind {
            Kind::Country | Kind::Continent => 4,
            Kind::Admin1 | Kind::Admin2 | Kind::Region => 3,
            Kind::PopulatedPlace | Kind::Landmark => match self.precision {
                Precision::Exact => 1,
                _ => 2,
            },
        }
    }
}

/// One name of a place, as listed in `names.tsv`.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct Name {
    pub place_id: String,
    pub name: String,
    /// ISO 639-1 language when the source says, else empty.
    pub lang: String,
    /// Where the name came from: a source (`geonames`, `katottg`, `wof`, `osm`, `countries`,
    /// `overlay`, …) or a generating system (`translit:uk-national`, `translit:bgn-ru`, …).
    pub origin: String,
}

pub const PLACES_HEADER: &str =
    "id\tkind\tname\tcountry\tadmin1\tadmin2\tlat\tlon\tpopulation\tprecision\tcode\tsource";
pub const NAMES_HEADER: &str = "place_id\tname\tlang\torigin";

impl Place {
    /// The place as one `places.tsv` line (no line end). Coordinates to 6 decimals.
    pub fn to_tsv(&self) -> String {
        format!(
            "{}\t{}\t{}\t{}\t{}\t{}\t{:.6}\t{:.6}\t{}\t{}\t{}\t{}",
            self.id,
            self.kind,
            self.name,
            self.country,
            self.admin1,
            self.admin2,
            self.lat,
            self.lon,
            self.population,
            self.precision.as_str(),
            self.code,
            self.source
        )
    }

    /// Parses one `places.tsv` line; the error says what is wrong, the caller adds file and line.
    pub fn from_tsv(line: &str) -> std::result::Result<Place, String> {
        let f: Vec<&str> = line.split('\t').collect();
        if f.len() != 12 {
            return Err(format!(
                "expected 12 tab-separated fields, found {}",
                f.len()
            ));
        }
        let lat: f64 = f[6]
            .parse()
            .map_err(|_| format!("invalid latitude '{}'", f[6]))?;
        let lon: f64 = f[7]
            .parse()
            .map_err(|_| format!("invalid longitude '{}'", f[7]))?;
        if !(-90.0..=90.0).contains(&lat) {
            return Err(format!("invalid latitude '{}' (expected -90..90)", f[6]));
        }
        if !(-180.0..=180.0).contains(&lon) {
            return Err(format!("invalid longitude '{}' (expected -180..180)", f[7]));
        }
        if f[0].is_empty() {
            return Err("empty id".into());
        }
        Ok(Place {
            id: f[0].into(),
            kind: f[1].parse()?,
            name: f[2].into(),
            country: f[3].into(),
            admin1: f[4].into(),
            admin2: f[5].into(),
            lat,
            lon,
            population: if f[8].is_empty() {
                0
            } else {
                f[8].parse()
                    .map_err(|_| format!("invalid population '{}'", f[8]))?
            },
            precision: f[9].parse()?,
            code: f[10].into(),
            source: f[11].into(),
        })
    }
}

impl Name {
    pub fn to_tsv(&self) -> String {
        format!(
            "{}\t{}\t{}\t{}",
            self.place_id, self.name, self.lang, self.origin
        )
    }

    pub fn from_tsv(line: &str) -> std::result::Result<Name, String> {
        let f: Vec<&str> = line.split('\t').collect();
        if f.len() != 4 {
            return Err(format!(
                "expected 4 tab-separated fields, found {}",
                f.len()
            ));
        }
        if f[1].trim().is_empty() {
            return Err("empty name".into());
        }
        Ok(Name {
            place_id: f[0].to_string(),
            name: f[1].to_string(),
            lang: f[2].to_string(),
            origin: f[3].to_string(),
        })
    }
}

/// The loaded gazetteer.
pub struct Gazetteer {
    pub places: Vec<Place>,
    /// Distinct name origins; `Posting::origin` indexes into it.
    pub origins: Vec<String>,
    pub index: NameIndex,
    /// Place indexes sorted by id, for look-ups by id without a hash table to build.
    ids_sorted: Vec<u32>,
    admin1_by_code: HashMap<String, u32>,
    /// `facts[i]` is what the resolver reads of `places[i]` (see `PlaceFacts`).
    facts: Vec<PlaceFacts>,
}

/// What the resolver reads of a candidate place, worked out once at load: it scores every
/// candidate of every ambiguous name, and a `Place` is strings on the heap that a score would
/// chase and compare, with its point in degrees to turn into a vector each time.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct PlaceFacts {
    /// The point on the unit sphere (`sphere::unit_vector`).
    pub at: [f64; 3],
    /// log10(population + 10) / 2: the prominence of a settlement by its size.
    pub size_prominence: f64,
    /// What the place's country is worth to the resolver before context
    /// (`resolve::country_prior`).
    pub country_prior: f64,
    /// The country and admin1 codes as ids numbered at load (`NO_CODE` for none): the same
    /// code, the same id.
    pub country: u32,
    pub admin1: u32,
    pub kind: Kind,
    pub exact: bool,
    /// Population of at least 100,000: a big city, a strong reading of its name.
    pub populous: bool,
    /// Population over a million: a city that stands for its state ("Moscow said").
    pub metropolis: bool,
}

/// The id of the empty code in `PlaceFacts` (no country, no admin1).
pub const NO_CODE: u32 = 0;

impl PlaceFacts {
    /// The facts of every place; country and admin1 codes numbered in order of first use,
    /// the empty code `NO_CODE`.
    fn of(places: &[Place]) -> Vec<PlaceFacts> {
        let mut ids: rustc_hash::FxHashMap<&str, u32> = rustc_hash::FxHashMap::default();
        ids.insert("", NO_CODE);
        // Neighbouring rows mostly share their codes: the last code of each column answers
        // most look-ups without hashing (this runs at start-up, for every place).
        let (mut last_country, mut last_admin1) = (("", NO_CODE), ("", NO_CODE));
        fn id<'p>(
            ids: &mut rustc_hash::FxHashMap<&'p str, u32>,
            last: &mut (&'p str, u32),
            code: &'p str,
        ) -> u32 {
            if last.0 != code {
                let next = ids.len() as u32;
                *last = (code, *ids.entry(code).or_insert(next));
            }
            last.1
        }
        // Start-up waits on this, and the sines, cosines and logarithms are most of it: those
        // of the last places are worked out on a second thread while this one numbers the
        // codes (which must go in order) and works out the rest. Split so that both finish at
        // about the same time.
        let split = places.len() * 2 / 5;
        std::thread::scope(|scope| {
            let helper = std::thread::Builder::new()
                .spawn_scoped(scope, || places[split..].iter().map(numbers).collect());
            let mut facts: Vec<PlaceFacts> = places
                .iter()
                .enumerate()
                .map(|(i, p)| {
                    let (at, size_prominence) = match i < split {
                        true => numbers(p),
                        false => ([0.0; 3], 0.0),
                    };
                    PlaceFacts {
                        at,
                        size_prominence,
                        country_prior: crate::resolve::country_prior(&p.country),
                        country: id(&mut ids, &mut last_country, &p.country),
                        admin1: id(&mut ids, &mut last_admin1, &p.admin1),
                        kind: p.kind,
                        exact: p.precision == Precision::Exact,
                        populous: p.population >= 100_000,
                        metropolis: p.population > 1_000_000,
                    }
                })
                .collect();
            // Worked out here if no thread could be had.
            let rest: Vec<([f64; 3], f64)> = helper
                .ok()
                .and_then(|h| h.join().ok())
                .unwrap_or_else(|| places[split..].iter().map(numbers).collect());
            for (f, (at, size_prominence)) in facts[split..].iter_mut().zip(rest) {
                f.at = at;
                f.size_prominence = size_prominence;
            }
            facts
        })
    }
}

/// A place's point on the unit sphere and its size prominence (see `PlaceFacts`).
fn numbers(p: &Place) -> ([f64; 3], f64) {
    (
        crate::sphere::unit_vector(p.lon, p.lat),
        ((p.population as f64) + 10.0).log10() / 2.0,
    )
}

/// One thing a name can mean.
#[derive(Debug, Clone)]
pub struct Reading<'g> {
    pub place: &'g Place,
    pub place_index: u32,
    pub posting: Posting,
    pub origin: &'g str,
}

impl Gazetteer {
    /// Loads the gazetteer in `dir`. When the compiled files that `gazetteer build` stores
    /// beside the TSV files (see `compiled`) match them, start-up decodes those; else it
    /// parses `places.tsv` and `names.tsv` and builds the name index (slower start-up).
    pub fn load(dir: &Path) -> Result<Gazetteer> {
        // Checking the stamp means hashing the TSV files, and checking the automaton means
        // reading all of it: both while the binary files decode, which takes longer.
        let fst_path = dir.join(compiled::FST);
        let (sound, compiled) = std::thread::scope(|scope| {
            let check = scope.spawn(|| {
                if !compiled::is_current(dir)? {
                    return Ok(None);
                }
                let Some(fst) = compiled::map(&fst_path)? else {
                    return Ok(None);
                };
                NameIndex::verify_automaton(fst.as_ref())
                    .map(Some)
                    .map_err(|m| Error::Invalid(format!("{}: {m}", fst_path.display())))
            });
            let compiled = compiled::Compiled::read(dir);
            let sound = check
                .join()
                .unwrap_or_else(|_| Err(Error::Invalid("bug: stamp check panicked".into())));
            (sound, compiled)
        });
        if let Some(sound) = sound? {
            if let Some(c) = compiled? {
                let index = NameIndex::from_bytes(
                    c.fst,
                    c.postings,
                    c.places.len(),
                    c.origins.len(),
                    sound,
                )
                .map_err(|m| Error::Invalid(format!("{}: {m}", fst_path.display())))?;
                return Ok(Gazetteer::assemble(
                    c.places,
                    c.ids_sorted,
                    c.origins,
                    index,
                ));
            }
        }
        // Issue #7 (robustness): bytes that are not UTF-8 are reported with their line, like
        // any other damaged line, rather than as an io error for the whole file.
        let read = |name: &str| {
            let path = dir.join(name);
            let bytes = std::fs::read(&path).map_err(|e| Error::io(&path, e))?;
            String::from_utf8(bytes).map_err(|e| {
                let valid = &e.as_bytes()[..e.utf8_error().valid_up_to()];
                let line = valid.iter().filter(|&&b| b == b'\n').count() + 1;
                Error::parse(&path, line, "not UTF-8 (the files must be UTF-8)")
            })
        };
        Gazetteer::from_tsv(
            &read("places.tsv")?,
            &dir.join("places.tsv"),
            &read("names.tsv")?,
            &dir.join("names.tsv"),
        )
    }

    /// True when `dir` holds compiled files that `load` will use (made from these TSV files by
    /// these rules); false when start-up would fall back to parsing the TSV files.
    pub fn compiled_index_is_current(dir: &Path) -> Result<bool> {
        Ok(compiled::is_current(dir)? && compiled::Compiled::read(dir)?.is_some())
    }

    /// Stores the compiled places and name index beside the TSV files in `dir` (which must be
    /// the files this gazetteer was loaded from), so that `load` need not parse them. Files
    /// are written atomically, the stamp last.
    pub fn write_compiled_index(&self, dir: &Path) -> Result<()> {
        let (fst_bytes, postings) = self.index.to_bytes();
        compiled::write(
            dir,
            &self.places,
            &self.ids_sorted,
            &fst_bytes,
            &postings,
            &self.origins,
        )
    }

    /// Builds the gazetteer from the two TSV texts; the paths are only for error messages.
    pub fn from_tsv(
        places_tsv: &str,
        places_path: &Path,
        names_tsv: &str,
        names_path: &Path,
    ) -> Result<Gazetteer> {
        let places = parse_lines(places_tsv, places_path, PLACES_HEADER, Place::from_tsv)?;
        let names = parse_lines(names_tsv, names_path, NAMES_HEADER, Name::from_tsv)?;
        let ids_sorted = id_table(&places, places_path)?;
        let by_id = |id: &str| {
            ids_sorted
                .binary_search_by(|&i| places[i as usize].id.as_str().cmp(id))
                .ok()
                .map(|k| ids_sorted[k])
        };
        let mut resolved = Vec::with_capacity(names.len());
        for (i, n) in names.iter().enumerate() {
            let Some(pi) = by_id(&n.place_id) else {
                return Err(Error::parse(
                    names_path,
                    i + 2,
                    format!("name '{}' for unknown place id '{}'", n.name, n.place_id),
                ));
            };
            resolved.push((pi, n));
        }
        let mut origins: Vec<String> = names.iter().map(|n| n.origin.clone()).collect();
        origins.sort();
        origins.dedup();
        let index = NameIndex::build(&places, &resolved, &origins);
        drop(resolved);
        Ok(Gazetteer::assemble(places, ids_sorted, origins, index))
    }

    fn assemble(
        places: Vec<Place>,
        ids_sorted: Vec<u32>,
        origins: Vec<String>,
        index: NameIndex,
    ) -> Gazetteer {
        let admin1_by_code = places
            .iter()
            .enumerate()
            .filter(|(_, p)| p.kind == Kind::Admin1 && !p.admin1.is_empty())
            .map(|(i, p)| (p.admin1.to_string(), i as u32))
            .collect();
        let facts = PlaceFacts::of(&places);
        Gazetteer {
            places,
            origins,
            index,
            ids_sorted,
            admin1_by_code,
            facts,
        }
    }

    pub fn place(&self, index: u32) -> &Place {
        &self.places[index as usize]
    }

    /// The resolver's facts of the place at `index` (see `PlaceFacts`).
    pub fn facts(&self, index: u32) -> &PlaceFacts {
        &self.facts[index as usize]
    }

    pub fn place_by_id(&self, id: &str) -> Option<&Place> {
        self.index_of_id(id).map(|i| &self.places[i as usize])
    }

    pub fn index_of_id(&self, id: &str) -> Option<u32> {
        self.ids_sorted
            .binary_search_by(|&i| self.places[i as usize].id.as_str().cmp(id))
            .ok()
            .map(|k| self.ids_sorted[k])
    }

    /// The admin1 area (oblast, federal subject) a place lies in, when known.
    pub fn admin1_of(&self, place: &Place) -> Option<&Place> {
        self.admin1_by_code
            .get(place.admin1.as_str())
            .map(|&i| &self.places[i as usize])
    }

    /// Index of the admin1 area with GeoNames-style code `code` (`UA.07`).
    pub fn admin1_index(&self, code: &str) -> Option<u32> {
        self.admin1_by_code.get(code).copied()
    }

    /// Name of the admin1 area of a place, or "" when unknown.
    pub fn admin1_name(&self, place: &Place) -> &str {
        self.admin1_of(place).map(|a| a.name.as_str()).unwrap_or("")
    }

    /// Every reading of `name` (matched as a whole, after normalisation), best-known first.
    pub fn lookup(&self, name: &str) -> Vec<Reading<'_>> {
        let key = normalise::normalise_name(name);
        let mut out: Vec<Reading<'_>> = self
            .index
            .get(&key)
            .iter()
            .map(|p| Reading {
                place: self.place(p.place),
                place_index: p.place,
                posting: p,
                origin: &self.origins[p.origin as usize],
            })
            .collect();
        out.sort_by(|a, b| {
            b.place
                .population
                .cmp(&a.place.population)
                .then_with(|| a.place.id.cmp(&b.place.id))
        });
        out
    }
}

/// Place indexes sorted by id; duplicate ids are an error naming the later line.
fn id_table(places: &[Place], path: &Path) -> Result<Vec<u32>> {
    let mut ids: Vec<u32> = (0..places.len() as u32).collect();
    ids.sort_by(|&a, &b| {
        places[a as usize]
            .id
            .cmp(&places[b as usize].id)
            .then(a.cmp(&b))
    });
    for pair in ids.windows(2) {
        if places[pair[0] as usize].id == places[pair[1] as usize].id {
            return Err(Error::parse(
                path,
                pair[1] as usize + 2,
                format!("duplicate place id '{}'", places[pair[1] as usize].id),
            ));
        }
    }
    Ok(ids)
}

fn parse_lines<T>(
    text: &str,
    path: &Path,
    header: &str,
    parse: impl Fn(&str) -> std::result::Result<T, String>,
) -> Result<Vec<T>> {
    let mut lines = text.lines();
    match lines.next() {
        Some(h) if h.trim_end_matches('\r') == header => {}
        Some(h) => {
            return Err(Error::parse(
                path,
                1,
                format!("unexpected header '{h}' (expected '{header}')"),
            ))
        }
        None => return Err(Error::parse(path, 1, "empty file (expected a header line)")),
    }
    let mut out = Vec::new();
    for (i, line) in lines.enumerate() {
        let line = line.trim_end_matches('\r');
        if line.is_empty() {
            continue;
        }
        out.push(parse(line).map_err(|m| Error::parse(path, i + 2, m))?);
    }
    Ok(out)
}

#[cfg(test)]
pub(crate) mod testing {
    //! A tiny hand-made gazetteer for unit tests of later stages.
    use super::*;

    pub const PLACES: &str = "id\tkind\tname\tcountry\tadmin1\tadmin2\tlat\tlon\tpopulation\tprecision\tcode\tsource
gn:2017370\tcountry\tRussia\tRU\t\t\t60.000000\t100.000000\t140702000\tarea\tRU\tcountries
gn:690791\tcountry\tUkraine\tUA\t\t\t49.000000\t32.000000\t44622516\tarea\tUA\tcountries
gn:706482\tpopulated_place\tKharkiv\tUA\tUA.07\t\t49.980810\t36.252720\t1430885\texact\t\tgeonames
gn:706483\tadmin1\tKharkiv Oblast\tUA\tUA.07\t\t49.500000\t36.500000\t2700000\tarea\tUA-63\tgeonames
gn:709717\tadmin1\tDonetsk Oblast\tUA\tUA.05\t\t48.000000\t37.800000\t4100000\tarea\tUA-14\tgeonames
gn:704422\tpopulated_place\tPokrovsk\tUA\tUA.05\t\t48.280140\t37.177060\t60127\texact\t\tgeonames
gn:2017824\tpopulated_place\tPokrovsk\tRU\tRU.63\t\t61.484440\t129.148150\t9495\texact\t\tgeonames
gn:709717x\tpopulated_place\tDonetsk\tUA\tUA.05\t\t48.023000\t37.802240\t929063\texact\t\tgeonames
gn:712165\tpopulated_place\tVelyka Novosilka\tUA\tUA.05\t\t47.843450\t36.830880\t5000\texact\t\tgeonames
katottg:UA1\tpopulated_place\tNovosilka\tUA\tUA.05\t\t47.900000\t36.900000\t0\tapproximate\t\tkatottg
";
    pub const NAMES: &str = "place_id\tname\tlang\torigin
gn:2017370\tRussia\ten\tcountries
gn:2017370\tRusia\tid\tcountries
gn:2017370\tРосія\tuk\tcountries
gn:690791\tUkraine\ten\tcountries
gn:690791\tUkraina\tid\tcountries
gn:706482\tKharkiv\t\tgeonames
gn:706482\tKharkov\t\tgeonames
gn:706482\tХарків\tuk\tgeonames
gn:706482\tХарьков\tru\tgeonames
gn:706483\tKharkiv\t\tgeonames
gn:706483\tХарківщина\tuk\toverlay
gn:709717\tDonetsk\t\tgeonames
gn:709717x\tDonetsk\t\tgeonames
gn:704422\tPokrovsk\t\tgeonames
gn:704422\tПокровськ\tuk\tgeonames
gn:2017824\tPokrovsk\t\tgeonames
gn:712165\tVelyka Novosilka\t\tgeonames
katottg:UA1\tNovosilka\t\tkatottg
";

    pub fn gazetteer() -> Gazetteer {
        Gazetteer::from_tsv(
            PLACES,
            Path::new("places.tsv"),
            NAMES,
            Path::new("names.tsv"),
        )
        .expect("test gazetteer parses")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn facts_are_each_places_own_whichever_thread_worked_them_out() {
        let g = testing::gazetteer();
        assert!(
            g.places.len() >= 5,
            "the split leaves places on both threads"
        );
        let mut codes: Vec<&str> = vec![""];
        for (p, f) in g.places.iter().zip(&g.facts) {
            assert_eq!(f.at, crate::sphere::unit_vector(p.lon, p.lat), "{}", p.id);
            assert_eq!(
                f.size_prominence,
                ((p.population as f64) + 10.0).log10() / 2.0
            );
            assert_eq!(f.kind, p.kind);
            // Codes numbered in order of first use, the empty one first.
            for code in [&p.country, &p.admin1] {
                if !codes.contains(&code.as_str()) {
                    codes.push(code);
                }
            }
            let number = |code: &str| codes.iter().position(|c| *c == code).map(|k| k as u32);
            assert_eq!(Some(f.country), number(&p.country));
            assert_eq!(Some(f.admin1), number(&p.admin1));
        }
    }

    #[test]
    fn lookup_finds_all_readings_by_normal_form() {
        let g = testing::gazetteer();
        let ids: Vec<&str> = g
            .lookup("POKROVSK")
            .iter()
            .map(|r| r.place.id.as_str())
            .collect();
        assert_eq!(ids, ["gn:704422", "gn:2017824"]);
        assert_eq!(g.lookup("Kharkov")[0].place.id, "gn:706482");
        assert!(g.lookup("Nowhere").is_empty());
    }

    #[test]
    fn compiled_index_loads_like_the_tsv_and_goes_stale_on_edit() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("places.tsv"), testing::PLACES).unwrap();
        std::fs::write(dir.path().join("names.tsv"), testing::NAMES).unwrap();
        let from_tsv = Gazetteer::load(dir.path()).unwrap();
        from_tsv.write_compiled_index(dir.path()).unwrap();
        let compiled = Gazetteer::load(dir.path()).unwrap();
        for name in ["Pokrovsk", "Харкові", "Kharkiv", "Rusia", "Nowhere"] {
            let a: Vec<_> = from_tsv
                .lookup(name)
                .iter()
                .map(|r| (r.place.id.clone(), r.origin.to_string()))
                .collect();
            let b: Vec<_> = compiled
                .lookup(name)
                .iter()
                .map(|r| (r.place.id.clone(), r.origin.to_string()))
                .collect();
            assert_eq!(a, b, "{name}");
        }
        // A hand edit of names.tsv makes the compiled index stale: the edit is seen.
        let edited = format!("{}gn:704422\tKrasnoarmiisk\t\toverlay\n", testing::NAMES);
        std::fs::write(dir.path().join("names.tsv"), edited).unwrap();
        let reloaded = Gazetteer::load(dir.path()).unwrap();
        assert_eq!(reloaded.lookup("Krasnoarmiisk")[0].place.id, "gn:704422");
    }

    #[test]
    fn facts_number_codes_as_the_places_spell_them() {
        let g = testing::gazetteer();
        for (i, a) in g.places.iter().enumerate() {
            let fa = g.facts(i as u32);
            assert_eq!(fa.kind, a.kind);
            assert_eq!(fa.exact, a.precision == Precision::Exact);
            assert_eq!(fa.populous, a.population >= 100_000, "{}", a.id);
            assert_eq!(fa.metropolis, a.population > 1_000_000, "{}", a.id);
            assert_eq!(fa.at, crate::sphere::unit_vector(a.lon, a.lat));
            assert_eq!(fa.country == NO_CODE, a.country.is_empty(), "{}", a.id);
            assert_eq!(fa.admin1 == NO_CODE, a.admin1.is_empty(), "{}", a.id);
            for (j, b) in g.places.iter().enumerate() {
                let fb = g.facts(j as u32);
                assert_eq!(fa.country == fb.country, a.country == b.country);
                assert_eq!(fa.admin1 == fb.admin1, a.admin1 == b.admin1);
            }
        }
    }

    #[test]
    fn bad_lines_name_file_and_line() {
        let bad = "id\tkind\tname\tcountry\tadmin1\tadmin2\tlat\tlon\tpopulation\tprecision\tcode\tsource\nx\tcity\tX\tUA\t\t\t1\t2\t0\texact\t\tt\n";
        let err = Gazetteer::from_tsv(bad, Path::new("p.tsv"), testing::NAMES, Path::new("n.tsv"))
            .err()
            .unwrap()
            .to_string();
        assert!(
            err.starts_with("p.tsv: line 2: unknown kind 'city'"),
            "{err}"
        );
        let bad = "id\tkind\tname\tcountry\tadmin1\tadmin2\tlat\tlon\tpopulation\tprecision\tcode\tsource\nx\tcountry\tX\tUA\t\t\t95.2\t2\t0\texact\t\tt\n";
        let err = Gazetteer::from_tsv(bad, Path::new("p.tsv"), "", Path::new("n.tsv"))
            .err()
            .unwrap()
            .to_string();
        assert!(err.contains("line 2: invalid latitude '95.2'"), "{err}");
    }
}
