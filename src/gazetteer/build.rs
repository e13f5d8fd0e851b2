//! `frontmap gazetteer build`: makes `places.tsv` and `names.tsv` from open data.
//!
//! Takes source files, folders or URLs (GeoNames dumps, KATOTTG, OCHA, Natural Earth, OSM, Who's
//! On First, war-report aliases, Russian postal places, country names and points, and the
//! curated `overlay.tsv`; see `gazetteer/README.md`) and gives the two sorted TSV files the loader
//! reads. The work is one pass per source in a fixed order (`assemble`): later sources attach
//! names to the places earlier ones made, or add the places nothing else has; the overlay comes
//! last, then the generated transliteration variants, then one name per place and normal form.
//!
//! The output is deterministic: the same sources give the same bytes (places sorted by id,
//! names by place id, name, lang, origin; no hash map is ever iterated into the output).

mod assemble;
mod input;
mod near;
mod overlay;
mod read;

use crate::atomic::write_atomic;
use std::collections::BTreeMap;
use std::fmt;
use std::path::Path;

use super::normalise::normalise_name;
use super::{Name, Place, NAMES_HEADER, PLACES_HEADER};
use crate::error::{Error, Result};

pub use input::{recognise, SourceKind};
pub use overlay::HEADER as OVERLAY_HEADER;
pub use read::{is_noise, parse_geonames_line, GnRow};

/// What a build made, for the log and the README.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct BuildReport {
    pub places: usize,
    pub names: usize,
    /// Each source read: (path or URL, kind, rows).
    pub inputs: Vec<(String, String, usize)>,
    pub places_by_kind: BTreeMap<String, usize>,
    /// By the `source` column (where the point came from).
    pub places_by_source: BTreeMap<String, usize>,
    pub names_by_origin: BTreeMap<String, usize>,
    /// Counts of the matching steps (e.g. KATOTTG rows placed by OSM), by step.
    pub steps: BTreeMap<String, usize>,
}

impl fmt::Display for BuildReport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(f, "{} places, {} names", self.places, self.names)?;
        writeln!(f, "sources:")?;
        for (label, kind, rows) in &self.inputs {
            writeln!(f, "  {kind:<15} {rows:>7} rows  {label}")?;
        }
        let table = |f: &mut fmt::Formatter<'_>, title: &str, m: &BTreeMap<String, usize>| {
            writeln!(f, "{title}:")?;
            for (k, v) in m {
                writeln!(f, "  {k:<32} {v:>8}")?;
            }
            Ok(())
        };
        table(f, "places by kind", &self.places_by_kind)?;
        table(f, "places by source", &self.places_by_source)?;
        table(f, "names by origin", &self.names_by_origin)?;
        table(f, "matching steps", &self.steps)
    }
}

/// Builds the gazetteer from `sources` (files, folders, http(s) URLs) into `out_dir/places.tsv`
/// and `out_dir/names.tsv`, each written atomically. When no overlay is among the sources,
/// `out_dir/overlay.tsv` is applied if it exists.
pub fn build(sources: &[String], out_dir: &Path) -> Result<BuildReport> {
    if sources.is_empty() {
        return Err(Error::Invalid(
            "no sources given (e.g. frontmap gazetteer build --out gazetteer/ ../shared/data)"
                .into(),
        ));
    }
    std::fs::create_dir_all(out_dir).map_err(|e| Error::io(out_dir, e))?;
    let inputs = input::collect(sources, out_dir)?;
    let mut report = BuildReport::default();
    let (drafts, steps, rows) = assemble::assemble(&inputs)?;
    for (i, n) in inputs.iter().zip(rows) {
        report.inputs.push((
            i.label.display().to_string(),
            i.kind.as_str().to_string(),
            n,
        ));
    }
    report.steps = steps;
    let (places, names) = finish(drafts)?;
    for p in &places {
        *report.places_by_kind.entry(p.kind.to_string()).or_default() += 1;
        *report
            .places_by_source
            .entry(p.source.to_string())
            .or_default() += 1;
    }
    for n in &names {
        *report.names_by_origin.entry(n.origin.clone()).or_default() += 1;
    }
    report.places = places.len();
    report.names = names.len();
    let mut text = String::with_capacity(places.len() * 100);
    text.push_str(PLACES_HEADER);
    text.push('\n');
    for p in &places {
        text.push_str(&p.to_tsv());
        text.push('\n');
    }
    write_atomic(&out_dir.join("places.tsv"), text.as_bytes())?;
    let mut text = String::with_capacity(names.len() * 40);
    text.push_str(NAMES_HEADER);
    text.push('\n');
    for n in &names {
        text.push_str(&n.to_tsv());
        text.push('\n');
    }
    write_atomic(&out_dir.join("names.tsv"), text.as_bytes())?;
    Ok(report)
}

/// A place being built, with its names so far.
#[derive(Debug, Clone)]
pub(crate) struct Draft {
    pub place: Place,
    pub names: Vec<DraftName>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct DraftName {
    pub name: String,
    pub lang: String,
    pub origin: &'static str,
}

/// Every place being built, by id.
#[derive(Debug, Default)]
pub(crate) struct Drafts {
    pub map: BTreeMap<String, Draft>,
}

impl Drafts {
    /// Adds a place; false (and nothing changes) when the id is taken.
    pub fn insert(&mut self, place: Place) -> bool {
        if self.map.contains_key(place.id.as_str()) {
            return false;
        }
        self.map.insert(
            place.id.to_string(),
            Draft {
                place,
                names: Vec::new(),
            },
        );
        true
    }

    /// Adds a name to a place (ignored when the place does not exist or the name is empty).
    /// Tabs and line breaks become spaces, runs of spaces one space. Source names with
    /// brackets, quotes or sentence punctuation ("Помічна (село)") are qualified labels that no
    /// text writes; only the overlay may list such a name.
    pub fn add_name(&mut self, id: &str, name: &str, lang: &str, origin: &'static str) {
        let Some(d) = self.map.get_mut(id) else {
            return;
        };
        let clean = clean_field(name);
        if clean.is_empty() {
            return;
        }
        if origin != "overlay"
            && clean.contains(['(', ')', '[', ']', '{', '}', ';', ':', '!', '?', '"', ','])
        {
            return;
        }
        d.names.push(DraftName {
            name: clean,
            lang: clean_field(lang),
            origin,
        });
    }

    pub fn get(&self, id: &str) -> Option<&Draft> {
        self.map.get(id)
    }

    pub fn get_mut(&mut self, id: &str) -> Option<&mut Draft> {
        self.map.get_mut(id)
    }
}

/// A value safe for one TSV field: no tabs or line breaks, single spaces, trimmed.
pub(crate) fn clean_field(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for w in s
        .split(|c: char| c.is_whitespace())
        .filter(|w| !w.is_empty())
    {
        if !out.is_empty() {
            out.push(' ');
        }
        out.push_str(w);
    }
    out
}

/// Origins, best first: when a place has two names with the same normal form, the one from the
/// better origin stays. Curated names first (the tagger treats them as evidence), then short
/// forms (so the resolver knows "Kharkiv" of the oblast is one), the official and source names,
/// and the generated spellings last.
pub(crate) const ORIGIN_RANK: [&str; 18] = [
    "overlay",
    "derived:short",
    "katottg",
    "countries",
    "geonames_admin",
    "naturalearth",
    "ocha",
    "osm",
    "geonames",
    "wof",
    "geonames_postal",
    "warreport",
    "translit:uk-national",
    "translit:bgn-ru",
    "translit:press",
    "translit:de",
    "translit:pl",
    "",
];

fn origin_rank(origin: &str) -> usize {
    ORIGIN_RANK
        .iter()
        .position(|o| *o == origin)
        .unwrap_or(ORIGIN_RANK.len())
}

/// Turns the drafts into sorted places and names: one name per place and normal form (best
/// origin, then a name with a language, then the first in sort order), and place fields
/// cleaned for TSV.
fn finish(drafts: Drafts) -> Result<(Vec<Place>, Vec<Name>)> {
    use rayon::prelude::*;
    let drafts: Vec<Draft> = drafts.map.into_values().collect();
    let per_place: Vec<(Place, Vec<Name>)> = drafts
        .into_par_iter()
        .map(|d| {
            let mut place = d.place;
            place.name = clean_field(&place.name).into();
            place.source = clean_field(&place.source).into();
            let mut keyed: Vec<(String, DraftName)> = d
                .names
                .into_iter()
                .map(|n| (normalise_name(&n.name), n))
                .filter(|(k, _)| !k.is_empty())
                .collect();
            keyed.sort_by(|a, b| {
                a.0.cmp(&b.0)
                    .then(origin_rank(a.1.origin).cmp(&origin_rank(b.1.origin)))
                    .then(a.1.lang.is_empty().cmp(&b.1.lang.is_empty()))
                    .then(a.1.name.cmp(&b.1.name))
                    .then(a.1.lang.cmp(&b.1.lang))
            });
            let mut names: Vec<Name> = Vec::new();
            let mut last_key: Option<String> = None;
            for (key, n) in keyed {
                if last_key.as_deref() == Some(key.as_str()) {
                    continue;
                }
                last_key = Some(key);
                names.push(Name {
                    place_id: place.id.to_string(),
                    name: n.name,
                    lang: n.lang,
                    origin: n.origin.to_string(),
                });
            }
            names.sort();
            (place, names)
        })
        .collect();
    let mut places = Vec::with_capacity(per_place.len());
    let mut names = Vec::new();
    for (p, ns) in per_place {
        if p.name.is_empty() {
            return Err(Error::Invalid(format!("bug: place {} has no name", p.id)));
        }
        places.push(p);
        names.extend(ns);
    }
    // Drafts come from a BTreeMap by id, so places are sorted already; names are sorted per
    // place and places are in id order, which is the names file's order too.
    debug_assert!(places.windows(2).all(|w| w[0].id < w[1].id));
    Ok((places, names))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::gazetteer::{Kind, Precision};

    fn place(id: &str) -> Place {
        Place {
            id: id.into(),
            kind: Kind::PopulatedPlace,
            name: "X".into(),
            country: "UA".into(),
            admin1: Default::default(),
            admin2: Default::default(),
            lat: 1.0,
            lon: 2.0,
            population: 0,
            precision: Precision::Exact,
            code: Default::default(),
            source: "test".into(),
        }
    }

    #[test]
    fn one_name_per_normal_form_best_origin_first() {
        let mut d = Drafts::default();
        assert!(d.insert(place("gn:2")));
        assert!(d.insert(place("gn:1")));
        assert!(!d.insert(place("gn:1")));
        d.add_name("gn:1", "Kupyansk", "", "translit:bgn-ru");
        d.add_name("gn:1", "Kup'yans'k", "", "geonames");
        d.add_name("gn:1", "Kupiansk", "en", "katottg");
        d.add_name("gn:1", "Kupiańsk", "pl", "translit:pl");
        d.add_name("gn:1", "Куп’янськ", "uk", "katottg");
        d.add_name("gn:1", "  Two\twords ", "", "geonames");
        d.add_name("gn:1", "", "", "geonames");
        d.add_name("gn:9", "Nowhere", "", "geonames");
        d.add_name("gn:2", "AS", "", "countries");
        d.add_name("gn:2", "AS", "", "overlay");
        let (places, names) = finish(d).unwrap();
        assert_eq!(
            places.iter().map(|p| p.id.as_str()).collect::<Vec<_>>(),
            ["gn:1", "gn:2"]
        );
        let got: Vec<String> = names.iter().map(|n| n.to_tsv()).collect();
        assert_eq!(
            got,
            [
                "gn:1\tKup'yans'k\t\tgeonames",
                "gn:1\tKupiansk\ten\tkatottg",
                "gn:1\tTwo words\t\tgeonames",
                "gn:1\tКуп’янськ\tuk\tkatottg",
                "gn:2\tAS\t\toverlay",
            ]
        );
    }

    #[test]
    fn fields_are_cleaned() {
        assert_eq!(clean_field(" a \t b\nc "), "a b c");
        assert_eq!(clean_field("\t"), "");
    }
}
