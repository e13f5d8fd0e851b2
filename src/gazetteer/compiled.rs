//! The compiled gazetteer: what `gazetteer build` stores beside the TSV files so that start-up
//! reads binary data instead of parsing 28 MB of text and building a million-key automaton.
//!
//! | file | what |
//! |---|---|
//! | `places.bin` | every place of `places.tsv`, in its order, plus the id-sorted permutation |
//! | `names.fst` | the name automaton (`fst::Map`: normal-form key → postings range) |
//! | `names.postings` | the postings, 8 bytes each (see `index`) |
//! | `names.origins` | the origin table, one per line |
//! | `names.stamp` | size and xxh3 hash of both TSV files and of the files above, and a fingerprint of the rules |
//!
//! The TSV files stay the reviewable truth: when the stamp does not match them (a hand edit,
//! a new build) or the rules that made the keys changed, `load` ignores these files.

use compact_str::CompactString;
use std::path::Path;

use super::index::Bytes;
use super::{Kind, Place, Precision};
use crate::atomic::write_atomic;
use crate::error::{Error, Result};

pub const PLACES_BIN: &str = "places.bin";
pub const FST: &str = "names.fst";
pub const POSTINGS: &str = "names.postings";
pub const ORIGINS: &str = "names.origins";
pub const STAMP: &str = "names.stamp";

const PLACES_MAGIC: &[u8; 8] = b"FMPLACE1";

/// A fingerprint of the code that turns names into index keys and places into bytes
/// (normaliser, case forms, index layout, this file): files made by other rules are stale even
/// if the TSV files are not.
pub fn rules_fingerprint() -> u64 {
    const RULES: [&str; 4] = [
        include_str!("normalise.rs"),
        include_str!("inflect.rs"),
        include_str!("index.rs"),
        include_str!("compiled.rs"),
    ];
    // FNV-1a: stable across runs and platforms, unlike std's hasher.
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for b in RULES.iter().flat_map(|r| r.bytes()) {
        h ^= u64::from(b);
        h = h.wrapping_mul(0x0100_0000_01b3);
    }
    h
}

/// The stamp for TSV texts of these bytes: sizes and content hashes, the rules, and the size
/// and hash of each compiled file in `dir` (a damaged compiled file is then stale, never
/// trusted).
pub fn stamp(places_tsv: &[u8], names_tsv: &[u8], dir: &Path) -> Result<String> {
    let line = |name: &str, bytes: &[u8]| {
        format!(
            "{name} {} {:016x}\n",
            bytes.len(),
            xxhash_rust::xxh3::xxh3_64(bytes)
        )
    };
    let mut out = line("places.tsv", places_tsv) + &line("names.tsv", names_tsv);
    out.push_str(&format!("rules {:016x}\n", rules_fingerprint()));
    for name in [PLACES_BIN, FST, POSTINGS, ORIGINS] {
        match map(&dir.join(name))? {
            Some(bytes) => out.push_str(&line(name, bytes.as_ref())),
            None => out.push_str(&format!("{name} missing\n")),
        }
    }
    Ok(out)
}

/// True when the stamp in `dir` matches its TSV and compiled files: hashes them all (about
/// 53 MB, a few milliseconds with xxh3), so that an edit or damage of the same size is seen.
pub fn is_current(dir: &Path) -> Result<bool> {
    let Ok(stored) = std::fs::read_to_string(dir.join(STAMP)) else {
        return Ok(false);
    };
    let places_path = dir.join("places.tsv");
    let Some(places) = map(&places_path)? else {
        return Err(Error::io(
            &places_path,
            std::io::Error::from(std::io::ErrorKind::NotFound),
        ));
    };
    let Some(names) = map(&dir.join("names.tsv"))? else {
        return Ok(false);
    };
    Ok(stored == stamp(places.as_ref(), names.as_ref(), dir)?)
}

/// The file at `path` mapped read-only, or None when it does not exist.
///
/// Mapping instead of reading saves copying the gazetteer's 50 MB at every start. The files
/// are frontmap's own and replaced only by rename (`atomic`), which leaves a mapping intact.
pub fn map(path: &Path) -> Result<Option<Bytes>> {
    let file = match std::fs::File::open(path) {
        Ok(f) => f,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(e) => return Err(Error::io(path, e)),
    };
    if file.metadata().map(|m| m.len()).unwrap_or(0) == 0 {
        // Empty files cannot be mapped on every platform.
        return Ok(Some(Bytes::Owned(Vec::new())));
    }
    // SAFETY: the mapping is read-only and frontmap replaces these files only by rename,
    // never in place; a user truncating one while frontmap runs is outside what it guards.
    let mapped = unsafe { memmap2::Mmap::map(&file) }.map_err(|e| Error::io(path, e))?;
    Ok(Some(Bytes::Mapped(mapped)))
}

/// The compiled files as read from disk, not yet checked against the TSV files.
pub struct Compiled {
    pub places: Vec<Place>,
    /// Place indexes sorted by id.
    pub ids_sorted: Vec<u32>,
    pub fst: Bytes,
    pub postings: Bytes,
    pub origins: Vec<String>,
}

impl Compiled {
    /// Reads the compiled files of `dir`; None when any is missing. A file that is there but
    /// cannot be decoded is an error naming it.
    pub fn read(dir: &Path) -> Result<Option<Compiled>> {
        let (Some(places), Some(fst), Some(postings), Some(origins)) = (
            map(&dir.join(PLACES_BIN))?,
            map(&dir.join(FST))?,
            map(&dir.join(POSTINGS))?,
            map(&dir.join(ORIGINS))?,
        ) else {
            return Ok(None);
        };
        let invalid = |name: &str, what: String| {
            Error::Invalid(format!("{}: {what}", dir.join(name).display()))
        };
        let (places, ids_sorted) =
            decode_places(places.as_ref()).map_err(|m| invalid(PLACES_BIN, m))?;
        let origins = std::str::from_utf8(origins.as_ref())
            .map_err(|_| invalid(ORIGINS, "not UTF-8".into()))?
            .lines()
            .map(str::to_string)
            .collect();
        Ok(Some(Compiled {
            places,
            ids_sorted,
            fst,
            postings,
            origins,
        }))
    }
}

/// Writes `places.bin` and the name index files, then the stamp (last, so that a run cut
/// short leaves no stamp vouching for half-written files).
pub fn write(
    dir: &Path,
    places: &[Place],
    ids_sorted: &[u32],
    fst: &[u8],
    postings: &[u8],
    origins: &[String],
) -> Result<()> {
    let read = |name: &str| {
        let path = dir.join(name);
        std::fs::read(&path).map_err(|e| Error::io(&path, e))
    };
    let mut origins = origins.join("\n");
    origins.push('\n');
    // The stamp of a previous build must not vouch for the files while they are replaced.
    let _ = std::fs::remove_file(dir.join(STAMP));
    write_atomic(&dir.join(PLACES_BIN), &encode_places(places, ids_sorted))?;
    write_atomic(&dir.join(FST), fst)?;
    write_atomic(&dir.join(POSTINGS), postings)?;
    write_atomic(&dir.join(ORIGINS), origins.as_bytes())?;
    let stamp = stamp(&read("places.tsv")?, &read("names.tsv")?, dir)?;
    write_atomic(&dir.join(STAMP), stamp.as_bytes())
}

fn kind_code(k: Kind) -> u8 {
    Kind::ALL.iter().position(|&x| x == k).unwrap_or(0) as u8
}

fn precision_code(p: Precision) -> u8 {
    match p {
        Precision::Exact => 0,
        Precision::Approximate => 1,
        Precision::Area => 2,
    }
}

/// `places.bin`: magic, count (u32), then per place kind (u8), precision (u8), lat, lon (f64),
/// population (u64) and seven strings as (offset, length) pairs of u32 into the text block:
/// id, name, country, admin1, admin2, code, source; then the id-sorted permutation (u32
/// each); then the text block's length (u32) and the block, UTF-8, checked once at load.
/// Little-endian throughout.
pub fn encode_places(places: &[Place], ids_sorted: &[u32]) -> Vec<u8> {
    let mut out = Vec::with_capacity(places.len() * 96);
    let mut text = String::new();
    out.extend_from_slice(PLACES_MAGIC);
    out.extend_from_slice(&(places.len() as u32).to_le_bytes());
    for p in places {
        out.push(kind_code(p.kind));
        out.push(precision_code(p.precision));
        out.extend_from_slice(&p.lat.to_le_bytes());
        out.extend_from_slice(&p.lon.to_le_bytes());
        out.extend_from_slice(&p.population.to_le_bytes());
        for s in [
            &p.id, &p.name, &p.country, &p.admin1, &p.admin2, &p.code, &p.source,
        ] {
            out.extend_from_slice(&(text.len() as u32).to_le_bytes());
            out.extend_from_slice(&(s.len() as u32).to_le_bytes());
            text.push_str(s);
        }
    }
    for &i in ids_sorted {
        out.extend_from_slice(&i.to_le_bytes());
    }
    out.extend_from_slice(&(text.len() as u32).to_le_bytes());
    out.extend_from_slice(text.as_bytes());
    out
}

/// A bounds-checked reader over `places.bin`: a truncated or corrupt file is an error, never
/// a panic.
struct Reader<'b> {
    bytes: &'b [u8],
    at: usize,
}

impl<'b> Reader<'b> {
    fn take(&mut self, n: usize) -> std::result::Result<&'b [u8], String> {
        let end = self.at.checked_add(n).filter(|&e| e <= self.bytes.len());
        let Some(end) = end else {
            return Err(format!("truncated at byte {}", self.at));
        };
        let out = &self.bytes[self.at..end];
        self.at = end;
        Ok(out)
    }

    fn array<const N: usize>(&mut self) -> std::result::Result<[u8; N], String> {
        let mut a = [0u8; N];
        a.copy_from_slice(self.take(N)?);
        Ok(a)
    }

    fn u8(&mut self) -> std::result::Result<u8, String> {
        Ok(self.array::<1>()?[0])
    }

    fn u32(&mut self) -> std::result::Result<u32, String> {
        Ok(u32::from_le_bytes(self.array()?))
    }
}

/// Bytes per place record: kind, precision, lat, lon, population, seven (offset, length).
const RECORD_BYTES: usize = 1 + 1 + 8 + 8 + 8 + 7 * 8;

pub fn decode_places(bytes: &[u8]) -> std::result::Result<(Vec<Place>, Vec<u32>), String> {
    let mut r = Reader { bytes, at: 0 };
    if r.take(PLACES_MAGIC.len())? != PLACES_MAGIC {
        return Err("not a frontmap places file".into());
    }
    let count = r.u32()? as usize;
    // A count the file cannot hold is corruption, and must not reserve memory.
    if count > bytes.len() / RECORD_BYTES {
        return Err(format!("place count {count} larger than the file"));
    }
    // The text block follows the records and the permutation; one UTF-8 check for all of it.
    let text_at = PLACES_MAGIC.len() + 4 + count * (RECORD_BYTES + 4);
    let mut t = Reader { bytes, at: text_at };
    let text_len = t.u32()? as usize;
    let text = std::str::from_utf8(t.take(text_len)?)
        .map_err(|e| format!("text block is not UTF-8 ({e})"))?;
    if t.at != bytes.len() {
        return Err(format!(
            "{} unexpected bytes at the end",
            bytes.len() - t.at
        ));
    }
    let mut places = Vec::with_capacity(count);
    // Most fields are short enough to be held inline, with no allocation (a place has seven).
    let string = |r: &mut Reader<'_>| -> std::result::Result<CompactString, String> {
        let (at, len) = (r.u32()? as usize, r.u32()? as usize);
        text.get(at..at.saturating_add(len))
            .map(CompactString::new)
            .ok_or_else(|| format!("text range at byte {} out of bounds", r.at - 8))
    };
    for _ in 0..count {
        let kind = *Kind::ALL
            .get(r.u8()? as usize)
            .ok_or_else(|| format!("unknown kind at byte {}", r.at - 1))?;
        let precision = match r.u8()? {
            0 => Precision::Exact,
            1 => Precision::Approximate,
            2 => Precision::Area,
            _ => return Err(format!("unknown precision at byte {}", r.at - 1)),
        };
        let lat = f64::from_le_bytes(r.array()?);
        let lon = f64::from_le_bytes(r.array()?);
        let population = u64::from_le_bytes(r.array()?);
        places.push(Place {
            kind,
            precision,
            lat,
            lon,
            population,
            id: string(&mut r)?,
            name: string(&mut r)?,
            country: string(&mut r)?,
            admin1: string(&mut r)?,
            admin2: string(&mut r)?,
            code: string(&mut r)?,
            source: string(&mut r)?,
        });
    }
    let mut ids_sorted = Vec::with_capacity(count);
    for _ in 0..count {
        let i = r.u32()?;
        if i as usize >= count {
            return Err(format!("place index {i} out of range"));
        }
        ids_sorted.push(i);
    }
    Ok((places, ids_sorted))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn place(id: &str, name: &str) -> Place {
        Place {
            id: id.into(),
            kind: Kind::PopulatedPlace,
            name: name.into(),
            country: "UA".into(),
            admin1: "UA.07".into(),
            admin2: Default::default(),
            lat: 49.98081,
            lon: 36.25272,
            population: 1_430_885,
            precision: Precision::Exact,
            code: Default::default(),
            source: "geonames".into(),
        }
    }

    #[test]
    fn places_round_trip() {
        let places = vec![place("gn:2", "Харків"), place("gn:1", "Izium")];
        let bytes = encode_places(&places, &[1, 0]);
        let (back, ids) = decode_places(&bytes).unwrap();
        assert_eq!(back, places);
        assert_eq!(ids, [1, 0]);
    }

    #[test]
    fn corrupt_places_are_errors_not_panics() {
        let bytes = encode_places(&[place("gn:1", "Izium")], &[0]);
        for cut in 0..bytes.len() {
            assert!(decode_places(&bytes[..cut]).is_err(), "cut at {cut}");
        }
        let mut bad = bytes.clone();
        bad[12] = 99; // kind of the first record
        assert!(decode_places(&bad).unwrap_err().contains("unknown kind"));
        let mut huge = bytes.clone();
        huge[8..12].copy_from_slice(&u32::MAX.to_le_bytes());
        assert!(decode_places(&huge)
            .unwrap_err()
            .contains("larger than the file"));
    }

    #[test]
    fn stamp_sees_an_edit_of_the_same_size() {
        let dir = Path::new("no such folder");
        assert_ne!(
            stamp(b"a\t1\n", b"x", dir).unwrap(),
            stamp(b"a\t2\n", b"x", dir).unwrap()
        );
    }
}
