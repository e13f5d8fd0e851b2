//! What the name automaton says about one word, remembered per thread.
//!
//! Nearly every walk the tagger makes ends inside its first word, and news repeats its words:
//! the same capitalised names come back in article after article. Remembering the automaton's
//! answer for a word (the key it spells, and where a longer key would go on from) turns most
//! walks into one hash and one compare. The cache only saves work: a word's answer is the same
//! whether it is remembered or not.

use std::cell::RefCell;

use rustc_hash::FxHasher;
use std::hash::Hasher;

use crate::gazetteer::index::{NameIndex, WalkState};

/// The automaton's answer for a word read from the root.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct WordWalk {
    /// The value of the key the word spells, if it is one.
    pub value: Option<u64>,
    /// Where a longer key goes on from, after the word; None when no key does.
    pub next: Option<WalkState>,
    /// `NameIndex::next_bytes` of `next`, and of the state one space further (0 when no key
    /// goes on with a space): most capitalised words are followed by text no longer key
    /// spells, and these say so from the next byte or two without a walk.
    pub next_bytes: u32,
    pub next_bytes_after_space: u32,
}

impl WordWalk {
    /// False when no longer key can go on from the word over `text[at..]` (`at` is where
    /// the word ends); true when one may.
    pub fn may_go_on(&self, text: &[u8], at: usize) -> bool {
        let bit = |mask: u32, b: u8| mask & (1 << (b % 32)) != 0;
        match (text.get(at), text.get(at + 1)) {
            (None, _) => false,
            (Some(&b), _) if !bit(self.next_bytes, b) => false,
            (Some(b' '), Some(&b)) => bit(self.next_bytes_after_space, b),
            _ => true,
        }
    }
}

/// Remembered words per thread: direct-mapped, so a lookup is one slot of one cache line.
/// 8,192 slots (512 KB): a word not remembered costs a walk of some 2,300 instructions, a
/// remembered one in the L3 cache a few dozen cycles. Against 2,048 slots, 2 % fewer
/// instructions per pass on the benchmark corpus (its 2,500-odd capitalised words collided)
/// and 5 % fewer when its names are drawn from 30,000 as an archive's are (`stages --wide`);
/// 32,768 slots saved only 1.4 % more.
const SLOTS: usize = 8192;
/// Longer words (rare: more than 15 Cyrillic letters) are walked every time.
const KEY_BYTES: usize = 30;

#[derive(Clone, Copy)]
#[repr(C, align(64))]
struct Slot {
    key: [u8; KEY_BYTES],
    /// Length of `key`; `EMPTY` for an unused slot.
    len: u8,
    /// `HAS_VALUE` and `HAS_NEXT`: which of the two fields below hold an answer.
    has: u8,
    value: u64,
    next: WalkState,
    next_bytes: u32,
    next_bytes_after_space: u32,
}

// One slot, one cache line.
const _: () = assert!(std::mem::size_of::<Slot>() == 64);

const EMPTY: u8 = u8::MAX;
const HAS_VALUE: u8 = 1;
const HAS_NEXT: u8 = 2;

impl Slot {
    fn walk(&self) -> WordWalk {
        WordWalk {
            value: (self.has & HAS_VALUE != 0).then_some(self.value),
            next: (self.has & HAS_NEXT != 0).then_some(self.next),
            next_bytes: self.next_bytes,
            next_bytes_after_space: self.next_bytes_after_space,
        }
    }

    fn remember(&mut self, word: &[u8], walk: WordWalk, root: WalkState) {
        self.key[..word.len()].copy_from_slice(word);
        self.len = word.len() as u8;
        self.has = 0;
        if let Some(v) = walk.value {
            self.has |= HAS_VALUE;
            self.value = v;
        }
        self.next = root;
        self.next_bytes = walk.next_bytes;
        self.next_bytes_after_space = walk.next_bytes_after_space;
        if let Some(n) = walk.next {
            self.has |= HAS_NEXT;
            self.next = n;
        }
    }
}

struct Memo {
    /// The index the slots were filled from (`NameIndex::id`).
    index: u64,
    slots: Box<[Slot]>,
}

thread_local! {
    static MEMO: RefCell<Option<Memo>> = const { RefCell::new(None) };
}

/// What `index` says about `word` (normal form), from this thread's memory when it can.
#[cfg(test)]
pub fn word_walk(index: &NameIndex, word: &[u8]) -> WordWalk {
    with_walks(index, |walks| walks.word_walk(word))
}

/// This thread's remembered words for one index, held for a whole article: the tagger asks
/// about seventy thousand words per 2 MB, and reaching the thread-local memory, borrowing it
/// and checking its index once per word cost about a fifth of a remembered word's answer.
pub struct Walks<'a> {
    index: &'a NameIndex,
    /// None while another `with_walks` of this thread holds them, or after thread teardown.
    slots: Option<&'a mut [Slot]>,
}

/// Calls `f` with this thread's memory of `index`'s walks.
pub fn with_walks<R>(index: &NameIndex, f: impl FnOnce(&mut Walks<'_>) -> R) -> R {
    let mut f = Some(f);
    let remembered = MEMO.try_with(|memo| {
        let f = f.take().expect("called once");
        let Ok(mut memo) = memo.try_borrow_mut() else {
            return f(&mut Walks { index, slots: None });
        };
        let memo = match &mut *memo {
            Some(m) if m.index == index.id() => m,
            slot => slot.insert(Memo {
                index: index.id(),
                slots: vec![
                    Slot {
                        key: [0; KEY_BYTES],
                        len: EMPTY,
                        has: 0,
                        value: 0,
                        next: index.root(),
                        next_bytes: 0,
                        next_bytes_after_space: 0,
                    };
                    SLOTS
                ]
                .into_boxed_slice(),
            }),
        };
        f(&mut Walks {
            index,
            slots: Some(&mut memo.slots),
        })
    });
    match (remembered, f) {
        (Ok(r), _) => r,
        // The thread is being torn down: no memory, just the walks.
        (Err(_), Some(f)) => f(&mut Walks { index, slots: None }),
        (Err(_), None) => unreachable!("the memory was reached"),
    }
}

impl Walks<'_> {
    /// What the index says about `word` (normal form), from memory when it can.
    pub fn word_walk(&mut self, word: &[u8]) -> WordWalk {
        let Some(slots) = self
            .slots
            .as_deref_mut()
            .filter(|_| word.len() <= KEY_BYTES)
        else {
            return walk_word(self.index, word);
        };
        let mut hasher = FxHasher::default();
        hasher.write(word);
        let slot = &mut slots[(hasher.finish() >> 32) as usize % SLOTS];
        if slot.len as usize == word.len() && same_bytes(&slot.key[..word.len()], word) {
            return slot.walk();
        }
        let walk = walk_word(self.index, word);
        slot.remember(word, walk, self.index.root());
        walk
    }
}

/// `a == b` for two slices of the same length, at most 32 bytes, by two overlapping loads of
/// each: the comparison of a remembered word called `memcmp`, some twenty instructions more.
#[inline]
fn same_bytes(a: &[u8], b: &[u8]) -> bool {
    debug_assert!(a.len() == b.len() && a.len() <= 32);
    let n = b.len();
    let load4 = |s: &[u8], i: usize| u32::from_le_bytes(s[i..i + 4].try_into().unwrap_or_default());
    let load8 = |s: &[u8], i: usize| u64::from_le_bytes(s[i..i + 8].try_into().unwrap_or_default());
    let load16 =
        |s: &[u8], i: usize| u128::from_le_bytes(s[i..i + 16].try_into().unwrap_or_default());
    match n {
        0..=3 => a == b,
        4..=7 => load4(a, 0) == load4(b, 0) && load4(a, n - 4) == load4(b, n - 4),
        8..=16 => load8(a, 0) == load8(b, 0) && load8(a, n - 8) == load8(b, n - 8),
        _ => load16(a, 0) == load16(b, 0) && load16(a, n - 16) == load16(b, n - 16),
    }
}

fn walk_word(index: &NameIndex, word: &[u8]) -> WordWalk {
    match index.advance(index.root(), word) {
        Some((next, value)) => WordWalk {
            value,
            next: Some(next),
            next_bytes: index.next_bytes(next),
            next_bytes_after_space: index
                .advance(next, b" ")
                .map_or(0, |(after, _)| index.next_bytes(after)),
        },
        None => WordWalk::default(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::gazetteer::testing;

    #[test]
    fn remembered_answers_are_the_walks_answers() {
        let g = testing::gazetteer();
        let words = [
            "kharkiv",
            "харкові",
            "velyka",
            "novosilka",
            "pokrovsk",
            "zzz",
            "",
            "k",
            // Longer than a slot holds.
            "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa",
        ];
        // Twice: the second round reads from memory.
        for _ in 0..2 {
            for w in words {
                let got = word_walk(&g.index, w.as_bytes());
                assert_eq!(got, walk_word(&g.index, w.as_bytes()), "{w}");
                let value = g.index.get(w).to_vec();
                assert_eq!(
                    got.value
                        .map(|v| g.index.postings(v).to_vec())
                        .unwrap_or_default(),
                    value,
                    "{w}"
                );
            }
        }
        assert!(word_walk(&g.index, b"velyka").next.is_some());
        assert_eq!(word_walk(&g.index, b"zzz"), WordWalk::default());
    }

    /// The quick test never says no where a walk would find a longer key, and says no to
    /// most text that follows a name.
    #[test]
    fn may_go_on_never_hides_a_longer_key() {
        let g = testing::gazetteer();
        let mut refused = 0;
        for word in ["velyka", "kharkiv", "donetsk", "pokrovsk"] {
            let walk = word_walk(&g.index, word.as_bytes());
            let Some(state) = walk.next else { continue };
            for rest in [
                " novosilka",
                " oblast",
                " and",
                " i",
                ".",
                "",
                " ",
                "-",
                " n",
                " o",
            ] {
                let text = format!("{word}{rest}");
                let mut found = false;
                g.index
                    .walk_from(state, text.as_bytes(), word.len(), |_, _| found = true);
                let may = walk.may_go_on(text.as_bytes(), word.len());
                assert!(may || !found, "{text}");
                refused += usize::from(!may);
            }
        }
        assert!(refused >= 10, "refused only {refused}");
    }

    proptest::proptest! {
        /// The comparison by overlapping loads agrees with slice equality.
        #[test]
        fn same_bytes_is_slice_equality(
            a in proptest::collection::vec(0u8..3, 0..=32),
            flip in 0usize..32,
        ) {
            let mut b = a.clone();
            proptest::prop_assert!(same_bytes(&a, &b));
            if !b.is_empty() {
                let k = flip % b.len();
                b[k] ^= 1;
                proptest::prop_assert_eq!(same_bytes(&a, &b), a == b);
            }
        }
    }

    #[test]
    fn an_article_held_memory_answers_as_walks_do() {
        let g = testing::gazetteer();
        with_walks(&g.index, |walks| {
            for w in ["kharkiv", "velyka", "zzz", "kharkiv"] {
                assert_eq!(
                    walks.word_walk(w.as_bytes()),
                    walk_word(&g.index, w.as_bytes())
                );
                // Nested: the memory is held, so the walk is made.
                assert_eq!(
                    word_walk(&g.index, w.as_bytes()),
                    walk_word(&g.index, w.as_bytes())
                );
            }
        });
    }

    #[test]
    fn another_index_is_not_answered_from_memory() {
        let full = testing::gazetteer();
        // The same places, with Kharkiv's names left out.
        let names: String = testing::NAMES
            .lines()
            .filter(|l| !l.starts_with("gn:706482\t"))
            .map(|l| format!("{l}\n"))
            .collect();
        let without = crate::gazetteer::Gazetteer::from_tsv(
            testing::PLACES,
            std::path::Path::new("places.tsv"),
            &names,
            std::path::Path::new("names.tsv"),
        )
        .expect("test gazetteer parses");
        assert!(word_walk(&full.index, b"kharkov").value.is_some());
        assert_eq!(word_walk(&without.index, b"kharkov"), WordWalk::default());
        assert!(word_walk(&full.index, b"kharkov").value.is_some());
    }
}
