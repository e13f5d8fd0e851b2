//! The name automaton: every normal-form name (and generated case form) mapped to the places it
//! can mean. An `fst::Map` gives the longest-match walk over article text that the tagger needs
//! (one automaton step per byte, no backtracking) and can be stored and loaded without parsing.

use fst::raw::Output;

use super::inflect;
use super::normalise::normalise_name;
use super::{Name, Place};

/// How a key was derived from a listed name.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Form {
    /// The name as a source lists it.
    Listed,
    /// A generated Ukrainian/Russian case form (Харкові, под Курском).
    CyrillicCase,
    /// A generated Polish case form (w Pokrowsku).
    PolishCase,
}

/// One place a key can mean.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Posting {
    /// Index into `Gazetteer::places`.
    pub place: u32,
    /// Index into `Gazetteer::origins`.
    pub origin: u16,
    pub form: Form,
}

pub struct NameIndex {
    map: fst::Map<Vec<u8>>,
    postings: Vec<Posting>,
}

/// Size of one stored posting: place (u32 LE), origin (u16 LE), form (u8), padding (u8).
const POSTING_BYTES: usize = 8;

const EMPTY: &[Posting] = &[];

impl NameIndex {
    /// Builds the index from listed names (with their place index) and the sorted origin table.
    pub fn build(places: &[Place], names: &[(u32, &Name)], origins: &[String]) -> NameIndex {
        let mut entries: Vec<(String, Posting)> = Vec::with_capacity(names.len() * 2);
        for &(place, name) in names {
            let origin = origins
                .binary_search(&name.origin)
                .expect("bug: origin table built from these names") as u16;
            let key = normalise_name(&name.name);
            if key.is_empty() {
                continue;
            }
            let country = places[place as usize].country.as_str();
            for (form_key, form) in inflect::case_forms(&key, country) {
                entries.push((
                    form_key,
                    Posting {
                        place,
                        origin,
                        form,
                    },
                ));
            }
            entries.push((
                key,
                Posting {
                    place,
                    origin,
                    form: Form::Listed,
                },
            ));
        }
        // One posting per (key, place): the listed form beats a generated one, then the
        // first origin in the table.
        entries.sort_by(|a, b| {
            a.0.cmp(&b.0)
                .then(a.1.place.cmp(&b.1.place))
                .then(a.1.form.cmp(&b.1.form))
                .then(a.1.origin.cmp(&b.1.origin))
        });
        entries.dedup_by(|b, a| a.0 == b.0 && a.1.place == b.1.place);
        let mut builder = fst::MapBuilder::memory();
        let mut postings = Vec::with_capacity(entries.len());
        let mut i = 0;
        while i < entries.len() {
            let start = postings.len();
            let mut j = i;
            while j < entries.len() && entries[j].0 == entries[i].0 {
                postings.push(entries[j].1);
                j += 1;
            }
            let value = (start as u64) | (((j - i) as u64) << 32);
            builder
                .insert(entries[i].0.as_bytes(), value)
                .expect("bug: keys are sorted and distinct");
            i = j;
        }
        let map = fst::Map::new(builder.into_inner().expect("bug: in-memory fst"))
            .expect("bug: fst just built");
        NameIndex { map, postings }
    }

    /// The automaton and postings as bytes, for `gazetteer build` to store beside the TSV files.
    pub fn to_bytes(&self) -> (Vec<u8>, Vec<u8>) {
        let mut postings = Vec::with_capacity(self.postings.len() * POSTING_BYTES);
        for p in &self.postings {
            postings.extend_from_slice(&p.place.to_le_bytes());
            postings.extend_from_slice(&p.origin.to_le_bytes());
            postings.push(p.form as u8);
            postings.push(0);
        }
        (self.map.as_fst().as_bytes().to_vec(), postings)
    }

    /// Reads back what `to_bytes` wrote; `places` and `origins` bound the indexes it may hold.
    pub fn from_bytes(
        fst_bytes: Vec<u8>,
        postings: &[u8],
        places: usize,
        origins: usize,
    ) -> Result<NameIndex, String> {
        let map = fst::Map::new(fst_bytes).map_err(|e| format!("corrupt name automaton: {e}"))?;
        if postings.len() % POSTING_BYTES != 0 {
            return Err(format!(
                "corrupt postings: {} bytes is not a multiple of {POSTING_BYTES}",
                postings.len()
            ));
        }
        let mut out = Vec::with_capacity(postings.len() / POSTING_BYTES);
        for chunk in postings.chunks_exact(POSTING_BYTES) {
            let place = u32::from_le_bytes([chunk[0], chunk[1], chunk[2], chunk[3]]);
            let origin = u16::from_le_bytes([chunk[4], chunk[5]]);
            let form = match chunk[6] {
                0 => Form::Listed,
                1 => Form::CyrillicCase,
                2 => Form::PolishCase,
                f => return Err(format!("corrupt postings: unknown form {f}")),
            };
            if place as usize >= places || origin as usize >= origins {
                return Err("corrupt postings: place or origin out of range".into());
            }
            out.push(Posting {
                place,
                origin,
                form,
            });
        }
        Ok(NameIndex { map, postings: out })
    }

    /// Number of distinct keys.
    pub fn len(&self) -> usize {
        self.map.len()
    }

    pub fn is_empty(&self) -> bool {
        self.map.is_empty()
    }

    /// The postings of a value found in the map.
    pub fn postings(&self, value: u64) -> &[Posting] {
        let start = (value & 0xFFFF_FFFF) as usize;
        let len = (value >> 32) as usize;
        self.postings.get(start..start + len).unwrap_or(EMPTY)
    }

    /// Postings of an exact normal-form key.
    pub fn get(&self, key: &str) -> &[Posting] {
        match self.map.get(key) {
            Some(v) => self.postings(v),
            None => EMPTY,
        }
    }

    /// Walks the automaton over `text[start..]`, calling `found(end, value)` for every key that
    /// `text[start..end]` spells. Stops as soon as no key continues, so the cost is bounded by
    /// the longest key, not the text.
    pub fn walk(&self, text: &[u8], start: usize, mut found: impl FnMut(usize, u64)) {
        let fst = self.map.as_fst();
        let mut node = fst.root();
        let mut out = Output::zero();
        for (i, &b) in text.iter().enumerate().skip(start) {
            let Some(t) = node.find_input(b).map(|ti| node.transition(ti)) else {
                return;
            };
            out = out.cat(t.out);
            node = fst.node(t.addr);
            if node.is_final() {
                found(i + 1, out.cat(node.final_output()).value());
            }
        }
    }
}
