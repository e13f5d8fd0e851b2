//! The one text normaliser, used for gazetteer names and article text alike, so that a name
//! matches a text exactly when their normal forms are equal.
//!
//! Normal form: Unicode compatibility decomposition with combining marks dropped (Charków →
//! charkow, Авдіївка → авдиивка is *not* done: see below), lower case, apostrophes of every
//! kind removed (Kup'yans'k, Куп’янськ → kupyansk, купянськ), and every run of white space or
//! hyphens folded to one space. Other punctuation is kept, so a name never matches across a
//! comma or full stop.
//!
//! Cyrillic letters whose identity lives in a combining mark (й, ї, ё) are folded on purpose:
//! й→и, ї→і, ё→е. Writers drop the marks as often as they keep them (Киев/Кiев, ёлка/елка),
//! and the fold is applied to names and text alike, so nothing is lost but a little precision.
//!
//! Speed: `normalise_text` is about a quarter of tag + resolve. Most of an article is plain
//! ASCII (letters lowered, everything else kept byte for byte), which is folded sixteen bytes at
//! a time with SSE2 on x86_64 (`Folder::plain_runs`) and eight at a time with u64 arithmetic
//! elsewhere (`Folder::plain_chunk`); the letters of a Cyrillic word after its first are copied
//! from the fold table in a loop of their own (`Folder::two_byte_letters`). The tests hold the
//! fast paths to the definition.

use unicode_normalization::char::decompose_compatible;

/// Article text in normal form, with a map back to the original text and its words.
#[derive(Debug, Clone, Default)]
pub struct NormalisedText {
    /// The normal form; see the module docs.
    pub text: String,
    /// For every byte of `text`, the byte offset in the original text of the character it came
    /// from. One extra entry at the end holds the original length in bytes. (Byte offsets, not
    /// character indexes: the original text is then sliced, never decoded into a `Vec<char>`.)
    pub source_byte: Vec<u32>,
    /// Byte ranges in `text` of its words (runs of `is_word_char`), in order.
    pub words: Vec<(usize, usize)>,
    /// The case of each word's first original character (`words[i]` starts with a character
    /// of case `word_case[i]`): the tagger asks it of every word.
    pub word_case: Vec<Case>,
}

/// Upper case, lower case, or neither (digits, scripts without case).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[repr(u8)]
pub enum Case {
    Upper,
    Lower,
    Other,
}

/// A case by two bits: upper case (bit 0), lower case (bit 1), neither.
#[cfg(target_arch = "x86_64")]
const CASE_OF_LETTER_BITS: [Case; 4] = [Case::Other, Case::Upper, Case::Lower, Case::Other];

impl Case {
    pub fn of(c: char) -> Case {
        if c.is_ascii() {
            match c {
                'A'..='Z' => Case::Upper,
                'a'..='z' => Case::Lower,
                _ => Case::Other,
            }
        } else if c.is_uppercase() {
            Case::Upper
        } else if c.is_lowercase() {
            Case::Lower
        } else {
            Case::Other
        }
    }
}

impl NormalisedText {
    /// `word_case` as bytes (`Case as u8`), for byte searches.
    pub fn case_bytes(&self) -> &[u8] {
        // SAFETY: `Case` is `repr(u8)`, so every element is one initialised byte, and the
        // slice covers exactly the vector's elements.
        unsafe {
            std::slice::from_raw_parts(self.word_case.as_ptr().cast::<u8>(), self.word_case.len())
        }
    }

    /// Byte range in `original` (the text this was made from) of the normal-form byte range
    /// `[lo, hi)`: whole original characters.
    pub fn original_span(&self, original: &str, lo: usize, hi: usize) -> (usize, usize) {
        let start = self.source_byte[lo] as usize;
        // The last byte of the range belongs to the last original character covered.
        let end = if hi > lo {
            let last = self.source_byte[hi - 1] as usize;
            last + original[last..].chars().next().map_or(0, char::len_utf8)
        } else {
            start
        };
        (start, end)
    }
}

fn is_apostrophe(c: char) -> bool {
    matches!(
        c,
        '\'' | '`' | '´' | '’' | '‘' | 'ʼ' | 'ʹ' | 'ʻ' | '′' | 'ˈ' | '＇'
    )
}

fn is_space_like(c: char) -> bool {
    c.is_whitespace() || matches!(c, '-' | '‐' | '‑' | '‒' | '–' | '—' | '_' | '\u{00AD}')
}

/// Pushes the normal form of one character (already known not to be an apostrophe or a
/// separator) through `emit`.
fn fold_char(c: char, mut emit: impl FnMut(char)) {
    // Letters that do not decompose but have an obvious base letter.
    let special = match c {
        'ł' | 'Ł' => Some("l"),
        'ß' | 'ẞ' => Some("ss"),
        'ø' | 'Ø' => Some("o"),
        'đ' | 'Đ' => Some("d"),
        'ı' => Some("i"),
        'æ' | 'Æ' => Some("ae"),
        'œ' | 'Œ' => Some("oe"),
        'þ' | 'Þ' => Some("th"),
        _ => None,
    };
    if let Some(s) = special {
        s.chars().for_each(&mut emit);
        return;
    }
    if c.is_ascii() {
        emit(c.to_ascii_lowercase());
        return;
    }
    decompose_compatible(c, |d| {
        if is_combining_mark(d) || is_apostrophe(d) {
            return;
        }
        for l in d.to_lowercase() {
            emit(l);
        }
    });
}

fn is_combining_mark(c: char) -> bool {
    // The combining blocks that decomposition of Latin, Greek and Cyrillic letters produces.
    matches!(c as u32, 0x0300..=0x036F | 0x1AB0..=0x1AFF | 0x1DC0..=0x1DFF | 0x20D0..=0x20FF | 0xFE20..=0xFE2F)
}

/// What the normaliser does with one character.
#[derive(Clone, Copy)]
enum Fold {
    /// Dropped (apostrophes).
    Skip,
    /// White space or a hyphen: folds into one space with its neighbours.
    Space,
    /// Replaced by these UTF-8 bytes (`len` of them), all word characters (`word`) or none.
    Bytes { len: u8, bytes: [u8; 6], word: bool },
    /// Too long for the table, or word and other characters mixed: fold with `fold_char`.
    Slow,
}

/// Characters below this (Latin, Latin-1, Latin Extended, Greek, Cyrillic) are folded by table:
/// nearly every character of the articles frontmap reads.
const TABLE_CHARS: usize = 0x0530;

/// The fold of every character below `TABLE_CHARS`, computed once by the same functions that
/// fold the rest, so that the table can never disagree with them.
fn fold_table() -> &'static [Fold; TABLE_CHARS] {
    static TABLE: std::sync::OnceLock<Box<[Fold; TABLE_CHARS]>> = std::sync::OnceLock::new();
    TABLE.get_or_init(|| {
        let mut table = Box::new([Fold::Slow; TABLE_CHARS]);
        for (code, entry) in table.iter_mut().enumerate() {
            if let Some(c) = char::from_u32(code as u32) {
                *entry = fold_entry(c);
            }
        }
        table
    })
}

/// Unicode's General Punctuation block, folded by a table of its own: news text is full of its
/// quotes and dashes (“ ” ‘ ’ – —), and a character folded the slow way cost some 650
/// instructions, searching Unicode's tables.
const PUNCTUATION: std::ops::Range<u32> = 0x2000..0x2070;

/// The fold of every character of `PUNCTUATION`, as `fold_table` computes its own.
fn punctuation_table() -> &'static [Fold; 0x70] {
    static TABLE: std::sync::OnceLock<[Fold; 0x70]> = std::sync::OnceLock::new();
    TABLE.get_or_init(|| {
        std::array::from_fn(|k| {
            char::from_u32(PUNCTUATION.start + k as u32).map_or(Fold::Slow, fold_entry)
        })
    })
}

/// What the normaliser does with `c`, for the tables: `Slow` when its fold does not fit one.
fn fold_entry(c: char) -> Fold {
    if is_apostrophe(c) {
        return Fold::Skip;
    }
    if is_space_like(c) {
        return Fold::Space;
    }
    let mut folded = String::new();
    fold_char(c, |f| folded.push(f));
    let word = folded.chars().all(is_word_char);
    let mixed = !word && folded.chars().any(is_word_char);
    let mut bytes = [0u8; 6];
    if folded.len() > bytes.len() || mixed {
        Fold::Slow
    } else {
        bytes[..folded.len()].copy_from_slice(folded.as_bytes());
        Fold::Bytes {
            len: folded.len() as u8,
            bytes,
            word,
        }
    }
}

/// The normal form being written: text, map, words, and where the last word stands.
struct Folder {
    out: Vec<u8>,
    map: Vec<u32>,
    words: Vec<(usize, usize)>,
    word_case: Vec<Case>,
    /// Start of the word being read, if any.
    word_start: Option<usize>,
    last_was_space: bool,
}

impl Folder {
    /// A folded character (a word character or not) of the original character `source` is
    /// about to be pushed: open or close a word.
    #[inline]
    fn mark(&mut self, word: bool, source: char) {
        match (word, self.word_start) {
            (true, None) => {
                self.word_start = Some(self.out.len());
                self.word_case.push(Case::of(source));
            }
            (false, Some(s)) => {
                self.words.push((s, self.out.len()));
                self.word_start = None;
            }
            _ => {}
        }
    }

    /// White space or a hyphen at original byte `i`: one space for a whole run.
    #[inline]
    fn space(&mut self, i: u32) {
        if !self.last_was_space {
            self.mark(false, ' ');
            self.out.push(b' ');
            self.map.push(i);
            self.last_was_space = true;
        }
    }

    /// Eight ASCII bytes at original byte `at` whose fold is byte for byte (letters lowered,
    /// digits, single spaces and punctuation kept), pushed at once with their words, as
    /// `push_byte` and `space` would a byte at a time; false (nothing pushed) when the chunk
    /// has anything else. Most of a Latin-script text is such chunks. (Pushing the plain
    /// prefix of any chunk cost more than it saved: the bytes after it go the slow way.)
    #[inline]
    fn plain_chunk(&mut self, x: u64, at: u32) -> bool {
        // Non-ASCII (a Cyrillic text's every chunk) fails on the first test.
        if x & swar::HIGH != 0 || swar::plain(x) != swar::HIGH {
            return false;
        }
        // A space right after white space or a hyphen is folded away: not byte for byte.
        let space = swar::eq(x, b' ');
        if space & ((space << 8) | u64::from(self.last_was_space) << 7) != 0 {
            return false;
        }
        let alnum = swar::ascii_alphanumeric(x);
        let base = self.out.len();
        self.out
            .extend_from_slice(&swar::ascii_lowercase(x, alnum).to_le_bytes());
        self.map
            .extend_from_slice(&std::array::from_fn::<u32, 8, _>(|k| at + k as u32));
        // Words open where a lane is alphanumeric and the one before is not, and close the
        // other way round; the lane before the first is the word being read, if any.
        let before = (alnum << 8) | if self.word_start.is_some() { 0x80 } else { 0 };
        let starts = alnum & !before;
        let mut edges = starts | (!alnum & before & swar::HIGH);
        while edges != 0 {
            let lane = edges.trailing_zeros() as usize / 8;
            if starts & (0x80 << (8 * lane)) != 0 {
                self.word_start = Some(base + lane);
                self.word_case
                    .push(Case::of((x >> (8 * lane)) as u8 as char));
            } else if let Some(s) = self.word_start.take() {
                self.words.push((s, base + lane));
            }
            edges &= edges - 1;
        }
        self.last_was_space = space >> 63 != 0;
        true
    }

    /// Plain ASCII from `bytes[at..]` on, as `plain_chunk` would push it eight bytes at a
    /// time, pushed sixteen bytes at a time; returns where it stopped: at the first byte that
    /// is not plain, or where fewer than sixteen bytes are left. SSE2 compares give one bit
    /// per byte, so the word edges are bit operations on 16-bit masks, the lowered bytes one
    /// store and their map four. Unlike `plain_chunk`, it takes the plain start of a chunk:
    /// with the masks that costs a shift. A loop of its own, with room made once for the whole
    /// run: through the main loop, with a length check per push, the same chunks cost 46.5 M
    /// instructions per 2 MB tag + resolve pass instead of 42.3 M.
    #[cfg(target_arch = "x86_64")]
    #[inline(always)]
    fn plain_runs(&mut self, bytes: &[u8], mut at: usize) -> usize {
        use std::arch::x86_64::*;
        /// The lanes of `v` (ASCII bytes) in `lo..=hi`: adding `0x80 - lo` moves the range to
        /// the bottom of the signed bytes, so one signed compare tests both ends.
        #[inline(always)]
        fn in_range(v: __m128i, lo: u8, hi: u8) -> __m128i {
            // SAFETY: SSE2 is part of the x86_64 baseline; these touch no memory.
            unsafe {
                _mm_cmplt_epi8(
                    _mm_add_epi8(v, _mm_set1_epi8(0x80u8.wrapping_sub(lo) as i8)),
                    _mm_set1_epi8((0x80 + (hi - lo) + 1) as i8),
                )
            }
        }
        // No run (before any set-up) unless the first two bytes are plain: not for every
        // character of a Cyrillic text, a line break, a second space, or the space between two
        // Cyrillic words (the scalar path does one byte for less).
        let not_plain = |b: u8| matches!(b, b'\t'..=b'\r' | b'-' | b'_' | b'`' | b'\'' | 0x80..);
        match bytes.get(at..at + 2) {
            Some(&[a, b]) if !not_plain(a) && !not_plain(b) => {
                if a == b' ' && (self.last_was_space || b == b' ') {
                    return at;
                }
            }
            _ => return at,
        }
        // A run pushes one byte and one map entry per byte it reads, and reads no more than
        // what is left: room for all of them now, so that each chunk's stores need no check.
        let start = at;
        self.out.reserve(bytes.len() - start);
        self.map.reserve(bytes.len() - start);
        let (out_start, map_start) = (self.out.len(), self.map.len());
        let (out_to, map_to) = (self.out.as_mut_ptr(), self.map.as_mut_ptr());
        // Words and their cases, kept here for the run: at most eight of each per chunk, and
        // room for `room` more chunks (made below when it runs out).
        let (mut words, mut cases) = (self.words.len(), self.word_case.len());
        let (mut word_to, mut case_to) = (self.words.as_mut_ptr(), self.word_case.as_mut_ptr());
        let mut room = (self.words.capacity() - words).min(self.word_case.capacity() - cases) / 8;
        let mut word_start = self.word_start;
        let mut last_was_space = self.last_was_space;
        while bytes.len() - at >= 16 {
            if room == 0 {
                // SAFETY: the first `words` and `cases` entries are written (below, or were).
                unsafe {
                    self.words.set_len(words);
                    self.word_case.set_len(cases);
                }
                self.words.reserve(64);
                self.word_case.reserve(64);
                word_to = self.words.as_mut_ptr();
                case_to = self.word_case.as_mut_ptr();
                room = (self.words.capacity() - words).min(self.word_case.capacity() - cases) / 8;
            }
            room -= 1;
            // SAFETY: SSE2 is part of the x86_64 baseline. The load reads `bytes[at..at + 16]`
            // (in bounds: checked above; unaligned loads and stores need no alignment). The
            // stores write 16 bytes of `out` and 16 entries of `map` from `at - start` past
            // their lengths at the start of the run; as `at + 16 <= bytes.len()`, that stays
            // within the `bytes.len() - start` reserved above, and the run keeps the first
            // `n <= 16` of them, all written and ASCII (so `out` stays UTF-8). A chunk writes
            // a word per close and a case per open, at most eight of each, and `room` counts
            // the chunks that have room for that many.
            unsafe {
                let v = _mm_loadu_si128(bytes.as_ptr().add(at).cast());
                // Not byte for byte (see `swar::plain`): white space but a space, '-', '_',
                // '`' and '\''. Garbage in non-ASCII lanes, which `high` refuses anyway.
                let high = _mm_movemask_epi8(v) as u32;
                let special = _mm_or_si128(
                    _mm_or_si128(in_range(v, b'\t', b'\r'), in_range(v, b'_', b'`')),
                    _mm_or_si128(
                        _mm_cmpeq_epi8(v, _mm_set1_epi8(b'-' as i8)),
                        _mm_cmpeq_epi8(v, _mm_set1_epi8(b'\'' as i8)),
                    ),
                );
                let space = _mm_movemask_epi8(_mm_cmpeq_epi8(v, _mm_set1_epi8(b' ' as i8))) as u32;
                // A space right after white space or a hyphen is folded away.
                let refused = high
                    | _mm_movemask_epi8(special) as u32
                    | (space & ((space << 1) | u32::from(last_was_space)));
                let n = (refused | 1 << 16).trailing_zeros();
                if n == 0 {
                    break;
                }
                let letter = in_range(_mm_or_si128(v, _mm_set1_epi8(0x20)), b'a', b'z');
                let alnum = _mm_movemask_epi8(_mm_or_si128(letter, in_range(v, b'0', b'9'))) as u32;
                // Each word's case from these masks, not from its first byte: capitals come
                // as they come, and a branch per word on them was mispredicted often.
                let upper = _mm_movemask_epi8(in_range(v, b'A', b'Z')) as u32;
                let letters = _mm_movemask_epi8(letter) as u32;
                let lowered = _mm_or_si128(v, _mm_and_si128(letter, _mm_set1_epi8(0x20)));
                let done = at - start;
                let base = out_start + done;
                _mm_storeu_si128(out_to.add(base).cast(), lowered);
                let to = map_to.add(map_start + done).cast::<__m128i>();
                let first = _mm_set1_epi32(at as i32);
                _mm_storeu_si128(to, _mm_add_epi32(first, _mm_setr_epi32(0, 1, 2, 3)));
                _mm_storeu_si128(to.add(1), _mm_add_epi32(first, _mm_setr_epi32(4, 5, 6, 7)));
                _mm_storeu_si128(
                    to.add(2),
                    _mm_add_epi32(first, _mm_setr_epi32(8, 9, 10, 11)),
                );
                _mm_storeu_si128(
                    to.add(3),
                    _mm_add_epi32(first, _mm_setr_epi32(12, 13, 14, 15)),
                );
                // Words open where a lane is alphanumeric and the one before is not, and close
                // the other way round; the lane before the first is the word being read, if
                // any. Opens and closes alternate, so each open pairs with the next close.
                let taken = (1u32 << n) - 1;
                let before = (alnum << 1) | u32::from(word_start.is_some());
                let mut opens = alnum & !before & taken;
                let mut closes = !alnum & before & taken;
                if closes != 0 {
                    if let Some(s) = word_start.take() {
                        word_to
                            .add(words)
                            .write((s, base + closes.trailing_zeros() as usize));
                        words += 1;
                        closes &= closes - 1;
                    }
                }
                while opens != 0 {
                    let lane = opens.trailing_zeros() as usize;
                    opens &= opens - 1;
                    // Upper: bit 0; lower: bit 1; a digit: neither.
                    let kind = ((upper >> lane) & 1) | ((((letters & !upper) >> lane) & 1) << 1);
                    case_to.add(cases).write(CASE_OF_LETTER_BITS[kind as usize]);
                    cases += 1;
                    if closes != 0 {
                        word_to
                            .add(words)
                            .write((base + lane, base + closes.trailing_zeros() as usize));
                        words += 1;
                        closes &= closes - 1;
                    } else {
                        word_start = Some(base + lane);
                    }
                }
                last_was_space = space >> (n - 1) & 1 != 0;
                at += n as usize;
                if n < 16 {
                    break;
                }
            }
        }
        // SAFETY: the run wrote the first `at - start` bytes and map entries past the lengths
        // it started at, and every word and case up to `words` and `cases` (see above).
        unsafe {
            self.out.set_len(out_start + (at - start));
            self.map.set_len(map_start + (at - start));
            self.words.set_len(words);
            self.word_case.set_len(cases);
        }
        self.word_start = word_start;
        self.last_was_space = last_was_space;
        at
    }

    /// The rest of a word of two-byte letters that fold to two bytes of word characters
    /// (Cyrillic, mostly), from `bytes[at..]` on, its first letter pushed already (so the word
    /// is open and the last push was not a space); returns where the letters stop. Through
    /// the main loop, each letter cost its dispatch and four length-checked pushes.
    #[inline(always)]
    fn two_byte_letters(
        &mut self,
        table: &[Fold; TABLE_CHARS],
        bytes: &[u8],
        mut at: usize,
    ) -> usize {
        // Each letter is two bytes in, two bytes and two map entries out: room for all that
        // is left.
        let start = at;
        self.out.reserve(bytes.len() - start);
        self.map.reserve(bytes.len() - start);
        let (out_start, map_start) = (self.out.len(), self.map.len());
        let (out_to, map_to) = (self.out.as_mut_ptr(), self.map.as_mut_ptr());
        while let Some(&[lead, next]) = bytes[at..].first_chunk::<2>() {
            if !(0xC2..0xE0).contains(&lead) {
                break;
            }
            let code = usize::from(lead & 0x1F) << 6 | usize::from(next & 0x3F);
            let Some(&Fold::Bytes {
                len: 2,
                bytes: [a, b, ..],
                word: true,
            }) = table.get(code)
            else {
                break;
            };
            let done = at - start;
            // SAFETY: `at + 2 <= bytes.len()`, so the two bytes and two entries written
            // `done` past the lengths the run started at stay within the `bytes.len() -
            // start` reserved above. A folded letter is whole UTF-8 characters (the table
            // encodes them from `char`s).
            unsafe {
                out_to.add(out_start + done).cast::<[u8; 2]>().write([a, b]);
                map_to
                    .add(map_start + done)
                    .cast::<[u32; 2]>()
                    .write([at as u32; 2]);
            }
            at += 2;
        }
        // SAFETY: the loop wrote the first `at - start` bytes and entries past both lengths.
        unsafe {
            self.out.set_len(out_start + (at - start));
            self.map.set_len(map_start + (at - start));
        }
        at
    }

    /// Folded bytes of the character at original byte `i`, all word characters or none.
    /// Always inlined: for the one or two bytes of most characters, a call cost more than
    /// the rest of the fold.
    #[inline(always)]
    fn push(&mut self, folded: &[u8], word: bool, source: char, i: u32) {
        self.last_was_space = false;
        self.mark(word, source);
        // Byte pushes: a copy call per character would cost more than the fold.
        for &b in folded {
            self.out.push(b);
            self.map.push(i);
        }
    }
}

/// Normal form of article text, with the map back to the original bytes and the words.
pub fn normalise_text(text: &str) -> NormalisedText {
    fold_text::<true>(text)
}

/// `normalise_text`, with the SSE2 path (`WIDE`, on x86_64) or with the scalar paths alone
/// (for the tests to compare them).
fn fold_text<const WIDE: bool>(text: &str) -> NormalisedText {
    let table = fold_table();
    let spare = SPARE.take().unwrap_or_default();
    let mut f = Folder {
        out: spare.out,
        map: spare.map,
        words: spare.words,
        word_case: spare.word_case,
        word_start: None,
        last_was_space: false,
    };
    f.out.reserve(text.len());
    f.map.reserve(text.len() + 1);
    f.words.reserve(text.len() / 6);
    f.word_case.reserve(text.len() / 6);
    let bytes = text.as_bytes();
    let mut at = 0;
    while at < bytes.len() {
        let i = at as u32;
        // Sixteen bytes at once where SSE2 is at hand. A chunk it refuses has fewer than eight
        // plain bytes, which `plain_chunk` would refuse too.
        #[cfg(target_arch = "x86_64")]
        let eight = if WIDE && bytes.len() - at >= 16 {
            let end = f.plain_runs(bytes, at);
            if end > at {
                at = end;
                continue;
            }
            false
        } else {
            true
        };
        #[cfg(not(target_arch = "x86_64"))]
        let eight = true;
        if let Some(chunk) = bytes[at..].first_chunk::<8>().filter(|_| eight) {
            if f.plain_chunk(u64::from_le_bytes(*chunk), i) {
                at += 8;
                continue;
            }
        }
        let lead = bytes[at];
        // A run of ASCII letters and digits: one word (or its start), lower-cased byte for byte.
        if lead.is_ascii_alphanumeric() {
            f.last_was_space = false;
            f.mark(true, lead as char);
            // Eight bytes at a time while they last (words are short: most end in the first
            // eight), then byte by byte.
            while let Some(chunk) = bytes.get(at..at + 8) {
                let x = u64::from_le_bytes(chunk.try_into().unwrap_or_default());
                let alnum = swar::ascii_alphanumeric(x);
                let n = (!alnum & swar::HIGH).trailing_zeros() as usize / 8;
                // All eight bytes, then cut: a fixed-size copy is one store, a copy of `n`
                // bytes is a call.
                let kept = f.out.len() + n;
                f.out
                    .extend_from_slice(&swar::ascii_lowercase(x, alnum).to_le_bytes());
                f.out.truncate(kept);
                let first = at as u32;
                f.map
                    .extend_from_slice(&std::array::from_fn::<u32, 8, _>(|k| first + k as u32));
                // The map has one entry per byte of `out`.
                f.map.truncate(kept);
                at += n;
                if n < 8 {
                    break;
                }
            }
            let run = bytes[at..]
                .iter()
                .position(|b| !b.is_ascii_alphanumeric())
                .map_or(bytes.len(), |n| at + n);
            f.out
                .extend(bytes[at..run].iter().map(u8::to_ascii_lowercase));
            f.map.extend(at as u32..run as u32);
            at = run;
            continue;
        }
        // The commonest byte after letters, before the table's dispatch.
        if lead == b' ' {
            f.space(i);
            at += 1;
            continue;
        }
        // Other ASCII: no decoding, and every fold is one byte or none.
        if lead < 0x80 {
            match table[lead as usize] {
                Fold::Bytes {
                    len: 1,
                    bytes,
                    word,
                } => {
                    f.push(&bytes[..1], word, lead as char, i);
                    at += 1;
                    continue;
                }
                Fold::Skip => {
                    at += 1;
                    continue;
                }
                Fold::Space => {
                    f.space(i);
                    at += 1;
                    continue;
                }
                // Not in the table as one byte: the general path below.
                _ => {}
            }
        }
        // A two-byte letter that folds to two bytes (Cyrillic, mostly): read from its bytes,
        // not decoded.
        if (0xC2..0xE0).contains(&lead) {
            let code = (u32::from(lead & 0x1F) << 6)
                | u32::from(bytes.get(at + 1).copied().unwrap_or(0) & 0x3F);
            if let (
                Some(&Fold::Bytes {
                    len: 2,
                    bytes: folded,
                    word: true,
                }),
                Some(c),
            ) = (table.get(code as usize), char::from_u32(code))
            {
                f.push(&folded[..2], true, c, i);
                at = f.two_byte_letters(table, bytes, at + 2);
                continue;
            }
        }
        let Some(c) = text[at..].chars().next() else {
            break;
        };
        at += c.len_utf8();
        let fold = match table.get(c as usize) {
            Some(&fold) => fold,
            None if PUNCTUATION.contains(&(c as u32)) => {
                punctuation_table()[(c as u32 - PUNCTUATION.start) as usize]
            }
            None if is_apostrophe(c) => Fold::Skip,
            None if is_space_like(c) => Fold::Space,
            None => Fold::Slow,
        };
        match fold {
            Fold::Skip => {}
            Fold::Space => f.space(i),
            // A character that folds to nothing (a lone combining mark) leaves the space
            // state as it was: "a \u{301} b" is "a b", one space.
            Fold::Bytes { len: 0, .. } => {}
            Fold::Bytes { len, bytes, word } => f.push(&bytes[..len as usize], word, c, i),
            Fold::Slow => {
                fold_char(c, |folded| {
                    let mut buf = [0u8; 4];
                    f.push(
                        folded.encode_utf8(&mut buf).as_bytes(),
                        is_word_char(folded),
                        c,
                        i,
                    );
                });
            }
        }
    }
    f.mark(false, ' ');
    f.map.push(text.len() as u32);
    debug_assert!(std::str::from_utf8(&f.out).is_ok());
    NormalisedText {
        // SAFETY: every push above is of a whole UTF-8 character: ASCII bytes, a fold from
        // the table (encoded from `char`s), or `encode_utf8`. (Checking it again cost 1.3 %
        // of tag + resolve; the tests check it of any text.)
        text: unsafe { String::from_utf8_unchecked(f.out) },
        source_byte: f.map,
        words: f.words,
        word_case: f.word_case,
    }
}

thread_local! {
    /// The buffers of the last normal form dropped on this thread, emptied, for the next
    /// `normalise_text` to fill: an article's four buffers are sizes that mimalloc often has
    /// no free page for, and finding them one cost more than clearing them.
    static SPARE: std::cell::Cell<Option<Spare>> = const { std::cell::Cell::new(None) };
}

/// A normal form's buffers, empty.
#[derive(Default)]
struct Spare {
    out: Vec<u8>,
    map: Vec<u32>,
    words: Vec<(usize, usize)>,
    word_case: Vec<Case>,
}

/// Normal forms of texts longer than this are not kept for reuse: one huge article should not
/// hold its buffers for the rest of the run. (A form keeps about eight bytes per byte of text,
/// so each thread holds at most 2 MB; news articles are a few kilobytes.)
const SPARE_MAX_BYTES: usize = 1 << 18;

impl Drop for NormalisedText {
    fn drop(&mut self) {
        if self.text.capacity() > SPARE_MAX_BYTES {
            return;
        }
        let mut spare = Spare {
            out: std::mem::take(&mut self.text).into_bytes(),
            map: std::mem::take(&mut self.source_byte),
            words: std::mem::take(&mut self.words),
            word_case: std::mem::take(&mut self.word_case),
        };
        spare.out.clear();
        spare.map.clear();
        spare.words.clear();
        spare.word_case.clear();
        // `try_with`: a thread being torn down keeps nothing.
        let _ = SPARE.try_with(|cell| cell.set(Some(spare)));
    }
}

/// Byte-class tests on eight bytes at once (SIMD within a register): each lane's answer is in
/// its top bit.
pub(crate) mod swar {
    pub const HIGH: u64 = splat(0x80);

    const fn splat(b: u8) -> u64 {
        u64::from_ne_bytes([b; 8])
    }

    /// Lanes of `v` (each below 0x80) that are at least `n` (at most 0x80): adding `0x80 - n`
    /// carries into the lane's top bit exactly then, and never into the next lane.
    fn at_least(v: u64, n: u8) -> u64 {
        v.wrapping_add(splat(0x80 - n)) & HIGH
    }

    /// The lanes of `x` (each below 0x80) equal to `b` (below 0x80): exact per lane, as
    /// adding 0x7F to a lane carries into its top bit unless the lane is zero.
    fn eq_ascii(x: u64, b: u8) -> u64 {
        !(x ^ splat(b)).wrapping_add(splat(0x7F)) & HIGH
    }

    /// The lanes of `x` that are the byte `b` (below 0x80).
    pub fn eq(x: u64, b: u8) -> u64 {
        eq_ascii(x & splat(0x7F), b) & !x & HIGH
    }

    /// The lanes of `x` that are ASCII and fold to themselves but for case (`Fold::Bytes` of
    /// the byte lowered), or a space: all but white space other than a space (tab to carriage
    /// return), hyphen, underscore and the apostrophes ' and `. A test checks this against
    /// the fold table.
    pub fn plain(x: u64) -> u64 {
        let v = x & splat(0x7F);
        let control_space = at_least(v, b'\t') & !at_least(v, b'\r' + 1);
        // '_' and '`' are neighbours: one range.
        let underscore_grave = at_least(v, b'_') & !at_least(v, b'`' + 1);
        let special = control_space | underscore_grave | eq_ascii(v, b'-') | eq_ascii(v, b'\'');
        !special & !x & HIGH
    }

    /// The lanes of `x` that are ASCII letters or digits.
    pub fn ascii_alphanumeric(x: u64) -> u64 {
        let v = x & splat(0x7F);
        let folded = v | splat(0x20);
        let digit = at_least(v, b'0') & !at_least(v, b'9' + 1);
        let letter = at_least(folded, b'a') & !at_least(folded, b'z' + 1);
        (digit | letter) & !x & HIGH
    }

    /// The lanes of `x` that are ASCII letters.
    pub fn ascii_alphabetic(x: u64) -> u64 {
        let folded = (x & splat(0x7F)) | splat(0x20);
        at_least(folded, b'a') & !at_least(folded, b'z' + 1) & !x & HIGH
    }

    /// `x` with its upper-case ASCII letters lowered; `alnum` is `ascii_alphanumeric(x)`.
    pub fn ascii_lowercase(x: u64, alnum: u64) -> u64 {
        let v = x & splat(0x7F);
        let upper = at_least(v, b'A') & !at_least(v, b'Z' + 1) & alnum;
        x | (upper >> 2)
    }

    #[cfg(test)]
    mod tests {
        use super::*;

        #[test]
        fn plain_is_the_fold_tables_byte_for_byte_folds() {
            let table = super::super::fold_table();
            for b in 0..=255u8 {
                let byte_for_byte = b == b' '
                    || matches!(table.get(b as usize), Some(super::super::Fold::Bytes { len: 1, bytes, word })
                        if b.is_ascii()
                            && bytes[0] == b.to_ascii_lowercase()
                            && *word == b.is_ascii_alphanumeric());
                for lane in 0..8 {
                    let mut bytes = *b"aZ9 \xff.\x80q";
                    bytes[lane] = b;
                    let x = u64::from_le_bytes(bytes);
                    let lane_of = |m: u64| m >> (8 * lane) & 0xFF;
                    assert_eq!(lane_of(plain(x)) == 0x80, byte_for_byte, "{b:#x}");
                    assert_eq!(lane_of(eq(x, b' ')) == 0x80, b == b' ', "{b:#x}");
                    assert_eq!(lane_of(plain(x)) & 0x7F, 0);
                }
            }
        }

        #[test]
        fn every_byte_in_every_lane() {
            for b in 0..=255u8 {
                for lane in 0..8 {
                    // The byte among others of every kind, so that lanes cannot leak.
                    let mut bytes = *b"aZ9 \xff.\x80q";
                    bytes[lane] = b;
                    let x = u64::from_le_bytes(bytes);
                    let alnum = ascii_alphanumeric(x);
                    let lower = ascii_lowercase(x, alnum).to_le_bytes();
                    for (k, &byte) in bytes.iter().enumerate() {
                        let lane_bit = alnum >> (8 * k) & 0xFF;
                        assert_eq!(lane_bit == 0x80, byte.is_ascii_alphanumeric(), "{byte:#x}");
                        let letter = ascii_alphabetic(x) >> (8 * k) & 0xFF;
                        assert_eq!(letter == 0x80, byte.is_ascii_alphabetic(), "{byte:#x}");
                        assert_eq!(letter & 0x7F, 0);
                        assert_eq!(lane_bit & 0x7F, 0);
                        assert_eq!(lower[k], byte.to_ascii_lowercase(), "{byte:#x}");
                    }
                }
            }
        }
    }
}

/// Normal form of a gazetteer name: as for text, with leading and trailing separators trimmed.
pub fn normalise_name(name: &str) -> String {
    normalise_text(name).text.trim_matches(' ').to_string()
}

/// True for characters that make up words (letters and digits of any script).
pub fn is_word_char(c: char) -> bool {
    // A table for the scripts frontmap reads: `is_alphanumeric` searches Unicode's tables.
    static TABLE: std::sync::OnceLock<Box<[bool; TABLE_CHARS]>> = std::sync::OnceLock::new();
    let table = TABLE.get_or_init(|| {
        let mut t = Box::new([false; TABLE_CHARS]);
        for (code, entry) in t.iter_mut().enumerate() {
            *entry = char::from_u32(code as u32).is_some_and(char::is_alphanumeric);
        }
        t
    });
    match table.get(c as usize) {
        Some(&w) => w,
        // Quotes and dashes, between a text's words: no letter or digit is in the block (a
        // test checks).
        None if PUNCTUATION.contains(&(c as u32)) => false,
        None => c.is_alphanumeric(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn normal_forms() {
        let cases = [
            ("Kharkiv", "kharkiv"),
            ("Charków", "charkow"),
            ("Kup'yans'k", "kupyansk"),
            ("Куп’янськ", "купянськ"),
            ("Купʼянськ", "купянськ"),
            ("Velyka-Novosilka", "velyka novosilka"),
            ("Velyka  \t Novosilka", "velyka novosilka"),
            ("ХАРКІВ", "харків"),
            ("Київ", "киів"),
            ("Киев", "киев"),
            ("Ёлкино", "елкино"),
            ("Zaporizhzhia", "zaporizhzhia"),
            ("Łódź", "lodz"),
            ("Straße", "strasse"),
            ("Dnipropetrovs'k", "dnipropetrovsk"),
            ("  Izium ", "izium"),
            ("Ізюм", "ізюм"),
            ("Харкові \u{301}\nХаркові", "харкові харкові"),
        ];
        for (input, want) in cases {
            assert_eq!(normalise_name(input), want, "input {input:?}");
        }
    }

    #[test]
    fn is_word_char_is_alphanumeric() {
        for c in (0..0x3000).filter_map(char::from_u32) {
            assert_eq!(is_word_char(c), c.is_alphanumeric(), "U+{:04X}", c as u32);
        }
    }

    #[test]
    fn table_agrees_with_the_slow_fold() {
        for code in 0..0x3000u32 {
            let Some(c) = char::from_u32(code) else {
                continue;
            };
            let text = format!("a{c}b");
            let mut want = String::from("a");
            if is_space_like(c) {
                want.push(' ');
            } else if !is_apostrophe(c) {
                fold_char(c, |f| want.push(f));
            }
            want.push('b');
            assert_eq!(normalise_text(&text).text, want, "U+{code:04X}");
        }
    }

    #[test]
    fn offsets_map_back_to_characters() {
        let text = "У Харкові — Куп’янськ, «Łódź».";
        let n = normalise_text(text);
        let lo = n.text.find("купянськ").unwrap();
        let hi = lo + "купянськ".len();
        let (s, e) = n.original_span(text, lo, hi);
        assert_eq!(&text[s..e], "Куп’янськ");
        let lo = n.text.find("lodz").unwrap();
        let (s, e) = n.original_span(text, lo, lo + 4);
        assert_eq!(&text[s..e], "Łódź");
        assert_eq!(n.source_byte.len(), n.text.len() + 1);
        assert_eq!(*n.source_byte.last().unwrap() as usize, text.len());
    }

    /// The words found while folding are the runs of word characters of the folded text.
    fn words_by_scanning(norm: &str) -> Vec<(usize, usize)> {
        let mut want = Vec::new();
        let mut start = None;
        for (i, c) in norm.char_indices() {
            match (is_word_char(c), start) {
                (true, None) => start = Some(i),
                (false, Some(s)) => {
                    want.push((s, i));
                    start = None;
                }
                _ => {}
            }
        }
        if let Some(s) = start {
            want.push((s, norm.len()));
        }
        want
    }

    /// The case of the original character each word's first byte maps back to.
    fn cases_by_looking_back(text: &str, n: &NormalisedText) -> Vec<Case> {
        n.words
            .iter()
            .map(|&(lo, _)| Case::of(text[n.source_byte[lo] as usize..].chars().next().unwrap()))
            .collect()
    }

    #[test]
    fn words_are_the_runs_of_word_characters() {
        for text in [
            "",
            " ",
            "Kup'yans'k, Харкові — ½ x",
            "a\u{301}b  c½d ß-Łódź. 2022",
            "Kharkiv ХАРКІВ łódź Łódź 12 ½x ǅx",
        ] {
            let n = normalise_text(text);
            assert_eq!(n.words, words_by_scanning(&n.text), "{text:?}");
            assert_eq!(n.word_case, cases_by_looking_back(text, &n), "{text:?}");
        }
    }

    #[test]
    fn buffers_of_a_dropped_form_leave_nothing_in_the_next() {
        let long = "Pokrovsk, Donetsk Oblast — Покровськ. ".repeat(40);
        let short = "Izium ХАРКІВ";
        let fresh = std::thread::scope(|s| s.spawn(|| normalise_text(short)).join().unwrap());
        // Drops (and so recycles) the long form's buffers on this thread, then reuses them.
        drop(normalise_text(&long));
        let reused = normalise_text(short);
        assert_eq!(reused.text, fresh.text);
        assert_eq!(reused.source_byte, fresh.source_byte);
        assert_eq!(reused.words, fresh.words);
        assert_eq!(reused.word_case, fresh.word_case);
        assert!(
            reused.text.capacity() >= long.len(),
            "the long form's buffer was reused"
        );
    }

    #[test]
    fn buffers_of_a_huge_form_are_not_kept() {
        let huge = "Kharkiv ".repeat(SPARE_MAX_BYTES / 8 + 1);
        drop(normalise_text(&huge));
        let next = normalise_text("Izium");
        assert_eq!(next.text, "izium");
        assert!(next.text.capacity() < huge.len());
    }

    /// The normal form and its map, one character at a time by the definition: what the fast
    /// paths must agree with.
    fn normalise_by_definition(text: &str) -> (String, Vec<u32>) {
        let (mut out, mut map) = (String::new(), Vec::new());
        let mut last_was_space = false;
        for (i, c) in text.char_indices() {
            if is_apostrophe(c) {
                continue;
            }
            if is_space_like(c) {
                if !last_was_space {
                    out.push(' ');
                    map.push(i as u32);
                    last_was_space = true;
                }
                continue;
            }
            fold_char(c, |f| {
                last_was_space = false;
                out.push(f);
                map.extend(std::iter::repeat_n(i as u32, f.len_utf8()));
            });
        }
        map.push(text.len() as u32);
        (out, map)
    }

    /// `normalise_text` of `text` is the definition's text and map, and the words and cases
    /// of both the scan and the scalar paths alone.
    fn check_against_scalar_and_definition(text: &str) -> Result<(), String> {
        let n = normalise_text(text);
        let scalar = fold_text::<false>(text);
        let (want, map) = normalise_by_definition(text);
        let fail = |what: &str| Err(format!("{what} differs for {text:?}"));
        if n.text != want || scalar.text != want {
            return fail("text");
        }
        if n.source_byte != map || scalar.source_byte != map {
            return fail("map");
        }
        if n.words != scalar.words || n.words != words_by_scanning(&n.text) {
            return fail("words");
        }
        if n.word_case != scalar.word_case || n.word_case != cases_by_looking_back(text, &n) {
            return fail("word cases");
        }
        Ok(())
    }

    /// Every ASCII byte and a few others at every offset of the first two 16-byte chunks,
    /// among words, single and double spaces, after a word or a space.
    #[test]
    fn every_byte_at_every_chunk_offset() {
        let others = [
            "é",
            "ł",
            "Ї",
            "’",
            "\u{301}",
            "\u{a0}",
            "—",
            "“",
            "…",
            "\u{2009}",
            "\u{206F}",
            "½",
            "\u{1F600}",
        ];
        let mut inserts: Vec<String> = (0..0x80u8).map(|b| (b as char).to_string()).collect();
        inserts.extend(others.iter().map(|s| s.to_string()));
        for background in [
            "Kharkiv and Izium, 2022: the front moved east of the river Oskil again",
            "a b  c d e f g h i j k l m n o p q r s t u v w x y z A B C D E F G H",
            "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789 x",
            "x  y  z  w  v  u  t  s  r  q  p  o  n  m  l  k  j  i  h  g  f  e",
        ] {
            for prefix in ["", "W", " ", "ł"] {
                for at in 0..=34 {
                    for insert in &inserts {
                        let mut text = background.to_string();
                        text.insert_str(at, insert);
                        check_against_scalar_and_definition(&format!("{prefix}{text}")).unwrap();
                    }
                }
            }
        }
    }

    /// Pieces of text for `sixteen_byte_chunks_agree_with_the_scalar_path`: mostly plain
    /// ASCII, with what the fast paths refuse sprinkled in.
    fn chunk_piece() -> impl proptest::strategy::Strategy<Value = String> {
        use proptest::strategy::{Just, Strategy};
        proptest::prop_oneof![
            8 => "[a-zA-Z]{1,12}",
            2 => "[0-9]{1,4}",
            6 => Just(" ".to_string()),
            1 => Just("  ".to_string()),
            2 => "[-'\t\n\r_`]",
            2 => "[.,;:()\"/!?]",
            2 => "[éłŁЇїХ’ʼ\u{301}ß\u{a0}—½Ⅻ\u{1F600}]",
            2 => "[а-яА-ЯіїєґІЇЄҐæÆøł]{1,8}",
        ]
        .prop_map(|s: String| s)
    }

    proptest::proptest! {
        #![proptest_config(proptest::test_runner::Config::with_cases(4096))]

        /// The SSE2 path's chunks start at every offset of texts of up to 100 bytes: what it
        /// pushes (text, map, words, cases) is what the scalar paths and the definition do.
        #[test]
        fn sixteen_byte_chunks_agree_with_the_scalar_path(
            pieces in proptest::collection::vec(chunk_piece(), 0..40),
            cut in 0usize..100,
        ) {
            let mut text = pieces.concat();
            let mut end = cut.min(text.len());
            while !text.is_char_boundary(end) {
                end -= 1;
            }
            text.truncate(end);
            let checked = check_against_scalar_and_definition(&text);
            proptest::prop_assert!(checked.is_ok(), "{}", checked.unwrap_err());
        }
    }

    proptest::proptest! {
        #[test]
        fn fast_paths_agree_with_the_definition(
            text in "([a-zA-Z0-9]{0,20}|[ \t\n'’.,-]{0,3}|[ÀÉłŁßЇїйХарків\u{301}½]{0,4}){0,12}"
        ) {
            let n = normalise_text(&text);
            let (want, map) = normalise_by_definition(&text);
            proptest::prop_assert_eq!(&n.text, &want);
            proptest::prop_assert_eq!(&n.source_byte, &map);
        }

        /// The normal form is valid UTF-8 (built unchecked) whatever the text.
        #[test]
        fn normal_form_of_any_text_is_utf8(text in "\\PC{0,40}|[\\x00-\\x7F\u{80}-\u{7FF}\u{10000}-\u{10FFFF}]{0,40}") {
            let n = normalise_text(&text);
            proptest::prop_assert!(std::str::from_utf8(n.text.as_bytes()).is_ok());
            proptest::prop_assert_eq!(n.source_byte.len(), n.text.len() + 1);
        }

        #[test]
        fn words_are_the_runs_of_word_characters_of_any_text(
            text in "[a-zA-Z0-9 \t\n'’ʼ\u{301}½ßŁłÄ²Їїй.,\u{2014}\u{a0}Ⅻ\u{1F600}-]{0,60}"
        ) {
            let n = normalise_text(&text);
            proptest::prop_assert_eq!(&n.word_case, &cases_by_looking_back(&text, &n));
            proptest::prop_assert_eq!(&n.words, &words_by_scanning(&n.text));
        }
    }
}
