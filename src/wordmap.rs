//! Fixed word lists looked up by word: the lexicon's cue, stop-word and name lists, the
//! function words of language detection, the resolver's prepositions.
//!
//! The tagger asks these lists about almost every word next to a name, a few hundred thousand
//! questions per MB of news. A general hash map hashes the word byte by byte and compares it
//! with a call; here a word of up to 16 bytes (every listed word but a handful) is read as two
//! overlapping 64-bit loads, which with its length identify it exactly, so a look-up is one
//! multiply and one compare of a slot. Longer words go to an ordinary map.

use rustc_hash::FxHashMap;

/// Words up to this long (in bytes) are packed into a `Key`.
const PACKED_BYTES: usize = 16;

/// A word of at most `PACKED_BYTES` bytes, exactly: its length and two loads that together
/// cover every byte (overlapping when the word is shorter than 16 bytes).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Key {
    a: u64,
    b: u64,
    len: u64,
}

impl Key {
    #[inline]
    fn of(w: &[u8]) -> Option<Key> {
        let n = w.len();
        let load8 = |i: usize| u64::from_le_bytes(w[i..i + 8].try_into().unwrap_or_default());
        let load4 = |i: usize| {
            u64::from(u32::from_le_bytes(
                w[i..i + 4].try_into().unwrap_or_default(),
            ))
        };
        let (a, b) = match n {
            0 => (0, 0),
            // Bytes 0, n/2 and n-1 are every byte of a word of one to three bytes.
            1..=3 => (
                u64::from(w[0]) | u64::from(w[n / 2]) << 8 | u64::from(w[n - 1]) << 16,
                0,
            ),
            4..=7 => (load4(0) | load4(n - 4) << 32, 0),
            8..=PACKED_BYTES => (load8(0), load8(n - 8)),
            _ => return None,
        };
        Some(Key {
            a,
            b,
            len: n as u64,
        })
    }

    #[inline]
    fn hash(&self) -> u64 {
        (self.a ^ self.b.rotate_left(29) ^ self.len.rotate_left(58))
            .wrapping_mul(0x9E37_79B9_7F4A_7C15)
    }
}

#[derive(Debug, Clone, Copy)]
struct Slot<V> {
    key: Key,
    value: V,
}

/// An immutable map from words (bytes, compared exactly) to small values.
#[derive(Debug, Clone)]
pub struct WordMap<V: Copy> {
    /// Open addressing with linear probing, at most half full; `None` is an empty slot.
    slots: Box<[Option<Slot<V>>]>,
    /// Bits of the hash that pick a slot (`slots.len()` is `1 << bits`).
    bits: u32,
    /// Words longer than `PACKED_BYTES`.
    long: FxHashMap<Box<[u8]>, V>,
}

impl<V: Copy> WordMap<V> {
    /// The map of `entries`; of a word listed twice, the first listing wins (as a scan of the
    /// list would find it).
    pub fn new<'w>(entries: impl IntoIterator<Item = (&'w [u8], V)>) -> WordMap<V> {
        let entries: Vec<(&[u8], V)> = entries.into_iter().collect();
        let bits = (entries.len().max(1) * 2)
            .next_power_of_two()
            .trailing_zeros();
        let mut map = WordMap {
            slots: vec![None; 1 << bits].into_boxed_slice(),
            bits,
            long: FxHashMap::default(),
        };
        for (word, value) in entries {
            match Key::of(word) {
                Some(key) => {
                    let mut i = map.slot_of(&key);
                    loop {
                        match &map.slots[i] {
                            None => {
                                map.slots[i] = Some(Slot { key, value });
                                break;
                            }
                            Some(s) if s.key == key => break,
                            Some(_) => i = (i + 1) & (map.slots.len() - 1),
                        }
                    }
                }
                None => {
                    map.long.entry(word.into()).or_insert(value);
                }
            }
        }
        map
    }

    #[inline]
    fn slot_of(&self, key: &Key) -> usize {
        (key.hash() >> (64 - self.bits)) as usize
    }

    /// The value of `word`, if it is listed. Inlined, with the long words' look-up kept out
    /// of line: a call's register saving cost as much as the look-up.
    #[inline(always)]
    pub fn get(&self, word: &[u8]) -> Option<V> {
        let Some(key) = Key::of(word) else {
            return self.get_long(word);
        };
        let mut i = self.slot_of(&key);
        loop {
            match &self.slots[i] {
                None => return None,
                Some(s) if s.key == key => return Some(s.value),
                Some(_) => i = (i + 1) & (self.slots.len() - 1),
            }
        }
    }

    #[cold]
    #[inline(never)]
    fn get_long(&self, word: &[u8]) -> Option<V> {
        self.long.get(word).copied()
    }
}

/// A set of words: a `WordMap` with no values.
#[derive(Debug, Clone)]
pub struct WordSet(WordMap<()>);

impl WordSet {
    pub fn new<'w>(words: impl IntoIterator<Item = &'w str>) -> WordSet {
        WordSet(WordMap::new(words.into_iter().map(|w| (w.as_bytes(), ()))))
    }

    #[inline]
    pub fn contains(&self, word: &str) -> bool {
        self.0.get(word.as_bytes()).is_some()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_exactly_the_listed_words() {
        let listed = [
            "",
            "a",
            "ab",
            "abc",
            "abcd",
            "abcdefg",
            "abcdefgh",
            "abcdefghijklmnop",
            "abcdefghijklmnopq",
            "wilayah",
            "область",
            "обл.",
            "région de",
        ];
        let map = WordMap::new(listed.iter().enumerate().map(|(i, w)| (w.as_bytes(), i)));
        for (i, w) in listed.iter().enumerate() {
            assert_eq!(map.get(w.as_bytes()), Some(i), "{w}");
        }
        // Neighbours of every packing: same length, one byte off; prefixes; suffixes.
        for w in listed {
            let b = w.as_bytes();
            for k in 0..b.len() {
                let mut other = b.to_vec();
                other[k] ^= 1;
                assert_eq!(map.get(&other), None, "{w} with byte {k} changed");
                if !listed.iter().any(|l| l.as_bytes() == &b[..k]) {
                    assert_eq!(map.get(&b[..k]), None, "{w} cut to {k}");
                }
            }
            let mut longer = b.to_vec();
            longer.push(b'x');
            assert_eq!(map.get(&longer), None, "{w}x");
        }
    }

    #[test]
    fn first_listing_wins() {
        let map = WordMap::new([("kota".as_bytes(), 1), ("kota".as_bytes(), 2)]);
        assert_eq!(map.get(b"kota"), Some(1));
        let long = "x".repeat(40);
        let map = WordMap::new([(long.as_bytes(), 1), (long.as_bytes(), 2)]);
        assert_eq!(map.get(long.as_bytes()), Some(1));
    }

    #[test]
    fn empty_map_finds_nothing() {
        let set = WordSet::new(std::iter::empty());
        assert!(!set.contains("kyiv"));
        assert!(!set.contains(""));
    }

    proptest::proptest! {
        /// Any two words look up the same as in a standard map.
        #[test]
        fn agrees_with_a_hash_map(
            words in proptest::collection::vec("[abé ]{0,20}", 0..40),
            probes in proptest::collection::vec("[abé ]{0,20}", 0..40),
        ) {
            let map = WordMap::new(words.iter().enumerate().map(|(i, w)| (w.as_bytes(), i)));
            let mut want = std::collections::HashMap::new();
            for (i, w) in words.iter().enumerate() {
                want.entry(w.as_str()).or_insert(i);
            }
            for w in words.iter().chain(&probes) {
                proptest::prop_assert_eq!(map.get(w.as_bytes()), want.get(w.as_str()).copied());
            }
        }
    }
}
