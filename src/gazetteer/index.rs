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
    /// Tells indexes apart for caches of walks (`tagger`): unique per index made.
    id: u64,
    map: fst::Map<Bytes>,
    /// The postings, `POSTING_BYTES` each, checked once when the index is made.
    postings: Bytes,
}

/// Proof that an automaton file passed `NameIndex::verify_automaton`, which
/// `NameIndex::from_bytes` asks for.
#[derive(Debug)]
pub struct SoundAutomaton(());

/// Bytes built in memory, or a compiled file mapped read-only: start-up then costs page
/// mappings, not reading and copying 16 MB.
pub enum Bytes {
    Owned(Vec<u8>),
    Mapped(memmap2::Mmap),
}

impl AsRef<[u8]> for Bytes {
    fn as_ref(&self) -> &[u8] {
        match self {
            Bytes::Owned(v) => v,
            Bytes::Mapped(m) => m,
        }
    }
}

fn next_index_id() -> u64 {
    static NEXT: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);
    NEXT.fetch_add(1, std::sync::atomic::Ordering::Relaxed)
}

/// Where a walk over the automaton stands: the node reached and the output gathered on the way.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct WalkState {
    node: fst::raw::CompiledAddr,
    out: u64,
}

/// Size of one stored posting: place (u32 LE), origin (u16 LE), form (u8), padding (u8).
const POSTING_BYTES: usize = 8;

/// The postings of one key: a view of the stored bytes, decoded as they are read.
#[derive(Clone, Copy)]
pub struct Postings<'i> {
    bytes: &'i [u8],
}

impl<'i> Postings<'i> {
    pub fn len(&self) -> usize {
        self.bytes.len() / POSTING_BYTES
    }

    pub fn is_empty(&self) -> bool {
        self.bytes.is_empty()
    }

    pub fn iter(&self) -> impl ExactSizeIterator<Item = Posting> + 'i {
        self.bytes.chunks_exact(POSTING_BYTES).map(decode_posting)
    }

    pub fn to_vec(&self) -> Vec<Posting> {
        self.iter().collect()
    }
}

fn decode_posting(chunk: &[u8]) -> Posting {
    Posting {
        place: u32::from_le_bytes([chunk[0], chunk[1], chunk[2], chunk[3]]),
        origin: u16::from_le_bytes([chunk[4], chunk[5]]),
        // Checked when the index was made (`check_postings`).
        form: match chunk[6] {
            1 => Form::CyrillicCase,
            2 => Form::PolishCase,
            _ => Form::Listed,
        },
    }
}

fn encode_postings(postings: &[Posting]) -> Vec<u8> {
    let mut out = Vec::with_capacity(postings.len() * POSTING_BYTES);
    for p in postings {
        out.extend_from_slice(&p.place.to_le_bytes());
        out.extend_from_slice(&p.origin.to_le_bytes());
        out.push(p.form as u8);
        out.push(0);
    }
    out
}

/// Every stored posting names a place and origin that exist and a known form.
fn check_postings(bytes: &[u8], places: usize, origins: usize) -> Result<(), String> {
    if bytes.len() % POSTING_BYTES != 0 {
        return Err(format!(
            "corrupt postings: {} bytes is not a multiple of {POSTING_BYTES}",
            bytes.len()
        ));
    }
    for chunk in bytes.chunks_exact(POSTING_BYTES) {
        if chunk[6] > 2 {
            return Err(format!("corrupt postings: unknown form {}", chunk[6]));
        }
        let p = decode_posting(chunk);
        if p.place as usize >= places || p.origin as usize >= origins {
            return Err("corrupt postings: place or origin out of range".into());
        }
    }
    Ok(())
}

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
        let map = fst::Map::new(Bytes::Owned(
            builder.into_inner().expect("bug: in-memory fst"),
        ))
        .expect("bug: fst just built");
        NameIndex {
            id: next_index_id(),
            map,
            postings: Bytes::Owned(encode_postings(&postings)),
        }
    }

    /// The automaton and postings as bytes, for `gazetteer build` to store beside the TSV files.
    pub fn to_bytes(&self) -> (Vec<u8>, Vec<u8>) {
        (
            self.map.as_fst().as_bytes().to_vec(),
            self.postings.as_ref().to_vec(),
        )
    }

    /// Checks the checksum over the whole automaton that `to_bytes` wrote (a few
    /// milliseconds): a damaged file must be an error at load, not a panic at the first
    /// look-up. Apart from `from_bytes`, so that `Gazetteer::load` can run it beside the
    /// decoding of the places.
    pub fn verify_automaton(fst_bytes: &[u8]) -> Result<SoundAutomaton, String> {
        fst::raw::Fst::new(fst_bytes)
            .and_then(|f| f.verify())
            .map(|()| SoundAutomaton(()))
            .map_err(|e| format!("corrupt name automaton: {e}"))
    }

    /// Uses what `to_bytes` wrote, its automaton's file passed by `verify_automaton`;
    /// `places` and `origins` bound the indexes it may hold.
    pub fn from_bytes(
        fst_bytes: Bytes,
        postings: Bytes,
        places: usize,
        origins: usize,
        _verified: SoundAutomaton,
    ) -> Result<NameIndex, String> {
        let map = fst::Map::new(fst_bytes).map_err(|e| format!("corrupt name automaton: {e}"))?;
        check_postings(postings.as_ref(), places, origins)?;
        // A value pointing outside the postings reads as no postings (`postings`): checking
        // a million values here would cost more than the rest of start-up.
        Ok(NameIndex {
            id: next_index_id(),
            map,
            postings,
        })
    }

    /// Number of distinct keys.
    pub fn len(&self) -> usize {
        self.map.len()
    }

    pub fn is_empty(&self) -> bool {
        self.map.is_empty()
    }

    /// The postings of a value found in the map.
    pub fn postings(&self, value: u64) -> Postings<'_> {
        let start = (value & 0xFFFF_FFFF) as usize * POSTING_BYTES;
        let len = (value >> 32) as usize * POSTING_BYTES;
        Postings {
            bytes: self
                .postings
                .as_ref()
                .get(start..start + len)
                .unwrap_or_default(),
        }
    }

    /// Postings of an exact normal-form key.
    pub fn get(&self, key: &str) -> Postings<'_> {
        match self.map.get(key) {
            Some(v) => self.postings(v),
            None => Postings { bytes: &[] },
        }
    }

    /// This index's identity, for caches that hold results of walks over it.
    pub fn id(&self) -> u64 {
        self.id
    }

    /// Bit `b % 32` is set for every byte `b` on which some key goes on from `state`: a
    /// quick "no key goes on" before a walk (a clear bit), never a wrong one.
    pub fn next_bytes(&self, state: WalkState) -> u32 {
        self.map
            .as_fst()
            .node(state.node)
            .transitions()
            .fold(0, |mask, t| mask | 1 << (t.inp % 32))
    }

    /// The state before any byte.
    pub fn root(&self) -> WalkState {
        WalkState {
            node: self.map.as_fst().root().addr(),
            out: 0,
        }
    }

    /// Walks the automaton from `state` (reached over the bytes before `start`; `root()` for
    /// none) over `text[start..]`, calling `found(end, value)` for every key that the walk
    /// spells up to `end`. Stops as soon as no key continues, so the cost is bounded by the
    /// longest key, not the text.
    pub fn walk_from(
        &self,
        state: WalkState,
        text: &[u8],
        start: usize,
        mut found: impl FnMut(usize, u64),
    ) {
        let fst = self.map.as_fst();
        let mut node = fst.node(state.node);
        let mut out = Output::new(state.out);
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

    /// Steps from `state` over all of `bytes`: the state reached, and the value of the key
    /// that ends there, if any. None when no key continues that far.
    pub fn advance(&self, state: WalkState, bytes: &[u8]) -> Option<(WalkState, Option<u64>)> {
        let fst = self.map.as_fst();
        let mut node = fst.node(state.node);
        let mut out = Output::new(state.out);
        for &b in bytes {
            let t = node.transition(node.find_input(b)?);
            out = out.cat(t.out);
            node = fst.node(t.addr);
        }
        let value = node
            .is_final()
            .then(|| out.cat(node.final_output()).value());
        Some((
            WalkState {
                node: node.addr(),
                out: out.value(),
            },
            value,
        ))
    }
}
