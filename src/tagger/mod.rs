//! Tagger: finds every name the gazetteer knows in an article's text.
//!
//! Takes the normalised text (see `gazetteer::normalise`), walks the name automaton from every
//! word start, and keeps the longest match that ends on a word boundary and passes the
//! evidence checks (capitalisation, common words, person names). Gives `Mention`s with their
//! character span in the original text, the places the name can mean, and the cue word next
//! to it. The tagger never decides between places: that is `resolve`'s job.

pub mod lexicon;
mod memo;

use compact_str::CompactString;
use rustc_hash::FxHashSet;

use crate::gazetteer::index::Form;
use crate::gazetteer::normalise::{is_word_char, normalise_text, Case, NormalisedText};
use crate::gazetteer::{Gazetteer, Kind, Posting};
pub use lexicon::CueHint;

/// A cue word next to a name.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Cue {
    /// The cue as written in the text (inline up to 24 bytes, as every listed cue is).
    pub word: CompactString,
    pub hint: CueHint,
    /// Indexes (into `Prepared::norm.words`) of the cue's first and last word.
    pub words: (usize, usize),
}

/// The candidate places of a mention.
pub type PlaceCandidates = smallvec::SmallVec<[Posting; 2]>;

/// One name found in the text.
#[derive(Debug, Clone, PartialEq)]
pub struct Mention {
    /// Character offsets (Unicode scalar values) into the article text, end exclusive.
    pub start: usize,
    pub end: usize,
    /// Byte offsets of the same span.
    pub byte_start: usize,
    pub byte_end: usize,
    pub surface: CompactString,
    /// The places the name can mean (at least one). Held inline up to two (a name means
    /// 1.7 places on average), so that most mentions cost no allocation for them.
    pub candidates: PlaceCandidates,
    pub cue: Option<Cue>,
    /// Byte range of the match in the normalised text (for context look-ups).
    pub norm_start: usize,
    pub norm_end: usize,
    /// Indexes (into `Prepared::norm.words`) of the first and last word of the match.
    pub first_word: usize,
    pub last_word: usize,
}

/// An article's text prepared for tagging: the original, its normal form, and its words.
/// Everything points into the original by byte offset: nothing is kept per character.
pub struct Prepared<'t> {
    pub text: &'t str,
    /// The normal form, with its words (`norm.words`).
    pub norm: NormalisedText,
}

impl<'t> Prepared<'t> {
    pub fn new(text: &'t str) -> Prepared<'t> {
        Prepared {
            text,
            norm: normalise_text(text),
        }
    }

    /// The normal form of word `w`.
    pub fn word(&self, w: usize) -> &str {
        let (lo, hi) = self.norm.words[w];
        &self.norm.text[lo..hi]
    }

    /// Byte offset in the original text where word `w` starts.
    fn source_byte(&self, w: usize) -> usize {
        self.norm.source_byte[self.norm.words[w].0] as usize
    }

    pub fn is_capitalised(&self, w: usize) -> bool {
        self.norm.word_case[w] == Case::Upper
    }

    /// True when word `w` opens a sentence (or a title, a quote or a line).
    pub fn is_sentence_start(&self, w: usize) -> bool {
        for c in self.text[..self.source_byte(w)].chars().rev() {
            if c == '\n' || c == '\r' {
                return true;
            }
            if c.is_whitespace() {
                continue;
            }
            return matches!(
                c,
                '.' | '!'
                    | '?'
                    | ':'
                    | '"'
                    | '“'
                    | '”'
                    | '«'
                    | '„'
                    | '('
                    | '['
                    | '—'
                    | '–'
                    | '-'
                    | '•'
                    | '*'
            );
        }
        true
    }

    /// Text between the end of word `a` and the start of word `b` in the normal form, as
    /// bytes: asked of most neighbours of a name, and slicing a `str` checks both ends.
    fn gap(&self, a: usize, b: usize) -> &[u8] {
        &self.norm.text.as_bytes()[self.norm.words[a].1..self.norm.words[b].0]
    }

    /// True when words `a` and `b` stand one space apart in the normal form.
    fn spaced(&self, a: usize, b: usize) -> bool {
        self.gap(a, b) == b" "
    }

    /// Original byte span of the normal-form byte range.
    fn span(&self, lo: usize, hi: usize) -> (usize, usize) {
        self.norm.original_span(self.text, lo, hi)
    }

    /// The original text of words `first..=last`.
    fn original(&self, first: usize, last: usize) -> &'t str {
        let (s, e) = self.span(self.norm.words[first].0, self.norm.words[last].1);
        &self.text[s..e]
    }
}

/// True for the first byte of a UTF-8 character (not 0b10xx_xxxx): counting these counts
/// characters without decoding them.
#[inline]
pub(crate) fn is_char_start(b: u8) -> bool {
    (b as i8) >= -0x40
}

/// `is_char_start` of sixteen bytes at once: 0xFF in each byte of `v` that starts a character.
#[cfg(target_arch = "x86_64")]
#[inline(always)]
pub(crate) fn char_starts16(v: std::arch::x86_64::__m128i) -> std::arch::x86_64::__m128i {
    use std::arch::x86_64::{_mm_cmpgt_epi8, _mm_set1_epi8};
    // Continuation bytes are 0x80–0xBF, -128 to -65 as signed bytes.
    // SAFETY: SSE2 is part of the x86_64 baseline; no memory is touched.
    unsafe { _mm_cmpgt_epi8(v, _mm_set1_epi8(-0x41)) }
}

/// Character offsets of increasing byte offsets: counts only the text between two calls.
struct CharCounter {
    byte: usize,
    chars: usize,
}

impl CharCounter {
    fn chars_at(&mut self, text: &str, byte: usize) -> usize {
        if byte < self.byte {
            // Not expected (the tagger goes forward); stay right anyway.
            (self.byte, self.chars) = (0, 0);
        }
        self.chars += count_chars(text.as_bytes(), self.byte, byte);
        self.byte = byte;
        self.chars
    }
}

/// Characters (UTF-8 first bytes) in `text[from..to]`. Asked twice per mention of stretches
/// of some sixty bytes: `is_ascii` then `chars().count()` cost about 90 instructions a call,
/// sixteen bytes at a time with SSE2 about a third of that.
fn count_chars(text: &[u8], from: usize, to: usize) -> usize {
    let stretch = &text[from..to];
    #[cfg(target_arch = "x86_64")]
    {
        use std::arch::x86_64::*;
        // `ONES[r..r + 16]` has ones in its last r bytes, `ONES[32 - r..48 - r]` in its first r.
        static ONES: [u8; 48] = {
            let mut ones = [0u8; 48];
            let mut i = 16;
            while i < 32 {
                ones[i] = 1;
                i += 1;
            }
            ones
        };
        let load = |bytes: &[u8]| -> __m128i {
            let bytes: &[u8; 16] = bytes.try_into().expect("sixteen bytes");
            // SAFETY: SSE2 is part of the x86_64 baseline; the load reads the 16 bytes of
            // `bytes`.
            unsafe { _mm_loadu_si128(bytes.as_ptr().cast()) }
        };
        // SAFETY (all blocks below): SSE2 is part of the x86_64 baseline; these touch no
        // memory.
        // One in each byte that starts a character (not 0b10xx_xxxx), under `mask`.
        let starts = |v: __m128i, mask: __m128i| unsafe { _mm_and_si128(char_starts16(v), mask) };
        let all = unsafe { _mm_set1_epi8(1) };
        let mut sums = unsafe { _mm_setzero_si128() };
        let mut chunks = stretch.chunks_exact(16);
        for chunk in &mut chunks {
            sums = unsafe {
                _mm_add_epi64(
                    sums,
                    _mm_sad_epu8(starts(load(chunk), all), _mm_setzero_si128()),
                )
            };
        }
        let r = chunks.remainder().len();
        if r > 0 {
            // The last r bytes, read as part of sixteen bytes of the text around them.
            let tail = if to >= 16 {
                Some((load(&text[to - 16..to]), load(&ONES[r..r + 16])))
            } else if text.len() - (to - r) >= 16 {
                Some((
                    load(&text[to - r..to - r + 16]),
                    load(&ONES[32 - r..48 - r]),
                ))
            } else {
                None
            };
            match tail {
                Some((v, mask)) => {
                    sums = unsafe {
                        _mm_add_epi64(sums, _mm_sad_epu8(starts(v, mask), _mm_setzero_si128()))
                    }
                }
                // A text shorter than sixteen bytes.
                None => {
                    let rest = &stretch[stretch.len() - r..];
                    sums = unsafe {
                        _mm_add_epi64(
                            sums,
                            _mm_cvtsi64_si128(
                                rest.iter().filter(|&&b| is_char_start(b)).count() as i64
                            ),
                        )
                    };
                }
            }
        }
        // Each half holds a sum of at most 8 bits per 16 bytes: the low 64 bits of each.
        unsafe {
            (_mm_cvtsi128_si64(sums) as u64
                + _mm_cvtsi128_si64(_mm_unpackhi_epi64(sums, sums)) as u64) as usize
        }
    }
    #[cfg(not(target_arch = "x86_64"))]
    {
        stretch.iter().filter(|&&b| is_char_start(b)).count()
    }
}

/// Finds the names in `text`. `lang` is the article's ISO 639-1 language when known: it
/// enables the case forms of that language (Polish forms only in Polish text).
pub fn tag(gaz: &Gazetteer, text: &str, lang: Option<&str>) -> Vec<Mention> {
    let p = Prepared::new(text);
    tag_prepared(gaz, &p, lang)
}

/// As `tag`, on a text already prepared (the resolver reuses the preparation).
pub fn tag_prepared(gaz: &Gazetteer, p: &Prepared<'_>, lang: Option<&str>) -> Vec<Mention> {
    memo::with_walks(&gaz.index, |walks| tag_with(gaz, p, lang, walks))
}

fn tag_with(
    gaz: &Gazetteer,
    p: &Prepared<'_>,
    lang: Option<&str>,
    walks: &mut memo::Walks<'_>,
) -> Vec<Mention> {
    let bytes = p.norm.text.as_bytes();
    // War news names a place every eight words or so, its densest articles every five: sized
    // for those, the list rarely grows.
    let mut out = Vec::with_capacity(p.norm.words.len() / 5);
    let mut evidence = Evidence {
        overlay: gaz.origins.iter().position(|o| o == "overlay"),
        ..Evidence::default()
    };
    // Ends on a word boundary, longest last, each with its automaton value.
    let mut ends: Vec<(usize, u64)> = Vec::new();
    let mut counter = CharCounter { byte: 0, chars: 0 };
    let cases = p.norm.case_bytes();
    let mut w = 0;
    // Every name is written capitalised (`plausible` insists): lower-case words, most of any
    // text, are not even looked up. The next capitalised word is found eight cases at a
    // time: a branch per word on its case was mispredicted about once a name.
    while let Some(next) = next_upper(cases, w) {
        w = next;
        let (start, word_end) = p.norm.words[w];
        ends.clear();
        // The first word from memory (it ends on a boundary: words are whole runs of word
        // characters), then on through the text for longer names.
        let first = walks.word_walk(&bytes[start..word_end]);
        if let Some(value) = first.value {
            ends.push((word_end, value));
        }
        if let Some(state) = first.next.filter(|_| first.may_go_on(bytes, word_end)) {
            gaz.index.walk_from(state, bytes, word_end, |end, value| {
                let boundary = p.norm.text[end..]
                    .chars()
                    .next()
                    .is_none_or(|c| !is_word_char(c));
                if boundary {
                    ends.push((end, value));
                }
            });
        }
        let mut accepted = false;
        for &(end, value) in ends.iter().rev() {
            let last_word = w + p.norm.words[w..]
                .iter()
                .take_while(|(lo, _)| *lo < end)
                .count()
                - 1;
            // Sized for every posting at once: a name of many places grew its list step by
            // step, a filter having no size hint.
            let postings = gaz.index.postings(value);
            let mut candidates = PlaceCandidates::with_capacity(postings.len());
            candidates.extend(postings.iter().filter(|c| form_allowed(c.form, lang)));
            if candidates.is_empty() {
                continue;
            }
            if !plausible(gaz, p, w, last_word, &candidates, &mut evidence, walks) {
                continue;
            }
            let (s, e) = p.span(start, end);
            out.push(Mention {
                start: counter.chars_at(p.text, s),
                end: counter.chars_at(p.text, e),
                byte_start: s,
                byte_end: e,
                surface: CompactString::new(&p.text[s..e]),
                candidates,
                cue: cue_around(p, w, last_word),
                norm_start: start,
                norm_end: end,
                first_word: w,
                last_word,
            });
            w = last_word + 1;
            accepted = true;
            break;
        }
        if !accepted {
            w += 1;
        }
    }
    out
}

/// The first word from `w` on whose case byte is `Case::Upper` (0), eight at a time.
#[inline(always)]
fn next_upper(cases: &[u8], mut w: usize) -> Option<usize> {
    const _: () = assert!(Case::Upper as u8 == 0);
    while let Some(chunk) = cases.get(w..w + 8) {
        let x = u64::from_le_bytes(chunk.try_into().unwrap_or([1; 8]));
        // The lowest zero byte is exact (borrows only run upwards from it).
        let zero = x.wrapping_sub(0x0101_0101_0101_0101) & !x & 0x8080_8080_8080_8080;
        if zero != 0 {
            return Some(w + zero.trailing_zeros() as usize / 8);
        }
        w += 8;
    }
    cases.get(w..)?.iter().position(|&c| c == 0).map(|k| w + k)
}

fn form_allowed(form: Form, lang: Option<&str>) -> bool {
    match form {
        Form::Listed | Form::CyrillicCase => true,
        Form::PolishCase => lang == Some("pl"),
    }
}

/// Facts about the whole article, computed on first need.
#[derive(Default)]
struct Evidence<'p> {
    /// Words (normal form) that the article also writes in lower case: common words. Built
    /// once the article has asked more than `SEARCHES_BEFORE_SET` times.
    lower_case_words: Option<FxHashSet<&'p str>>,
    /// Questions about lower-case words answered so far.
    lower_case_questions: usize,
    /// The origin index of the curated overlay (`Posting::origin`), looked up once.
    overlay: Option<usize>,
}

/// An article asks whether a word is also written in lower case about three times on average:
/// a substring search of its normal form answers the first few questions for less than
/// filling a hash set of its words costs; long articles that ask more get the set, so the
/// work stays linear.
const SEARCHES_BEFORE_SET: usize = 8;

impl<'p> Evidence<'p> {
    /// True when the article also writes `word` (normal form) starting in lower case.
    fn written_in_lower_case(&mut self, p: &'p Prepared<'_>, word: &str) -> bool {
        self.lower_case_questions += 1;
        if self.lower_case_words.is_none() && self.lower_case_questions <= SEARCHES_BEFORE_SET {
            // Where the normal form spells the word (matches cannot overlap a whole-word one:
            // `word` is one word, with no separator in it), the word list says whether it is
            // a whole word there and how it is written.
            let words = &p.norm.words;
            return !word.is_empty()
                && memchr::memmem::find_iter(p.norm.text.as_bytes(), word.as_bytes()).any(|at| {
                    let w = words.partition_point(|&(lo, _)| lo < at);
                    words.get(w) == Some(&(at, at + word.len()))
                        && p.norm.word_case[w] == Case::Lower
                });
        }
        self.lower_case_words
            .get_or_insert_with(|| {
                // Sized for every word up front: growing the table cost more than filling it.
                let mut set =
                    FxHashSet::with_capacity_and_hasher(p.norm.words.len(), Default::default());
                set.extend(
                    (0..p.norm.words.len())
                        .filter(|&w| p.norm.word_case[w] == Case::Lower)
                        .map(|w| p.word(w)),
                );
                set
            })
            .contains(word)
    }
}

/// The evidence checks a match must pass to be a place name.
fn plausible<'p>(
    gaz: &Gazetteer,
    p: &'p Prepared<'_>,
    first: usize,
    last: usize,
    candidates: &[Posting],
    evidence: &mut Evidence<'p>,
    walks: &mut memo::Walks<'_>,
) -> bool {
    // Languages that capitalise proper names all do here.
    if !p.is_capitalised(first) {
        return false;
    }
    let single = first == last;
    let word = p.word(first);
    // From the compact facts, not the wide `Place`: the resolver reads the same facts next.
    let strong = candidates.iter().any(|c| {
        let place = gaz.facts(c.place);
        matches!(place.kind, Kind::Country | Kind::Admin1 | Kind::Continent)
            || place.populous
            || Some(c.origin as usize) == evidence.overlay
    });
    // Only compared with 2 to 5 below: five characters take at most 20 bytes, so counting
    // the first bytes' character starts is exact where it matters (and `chars().count()`
    // went through a general counting routine per name).
    let chars = word.bytes().take(20).filter(|&b| is_char_start(b)).count();
    // Only the checks a strong candidate does not settle read the case of the whole name
    // (else it stays false, unread): most names are of states and big cities.
    let all_caps = (!strong || (single && chars <= 2))
        && p.original(first, last).chars().all(|c| !c.is_lowercase());
    // Acronyms (TASS, NATO) are not places unless the place is a state or a big city (KYIV
    // in a dateline); abbreviations of two letters (AS, US, UK) need curated evidence.
    if all_caps && chars >= 2 && !strong {
        return false;
    }
    if chars <= 3 && !all_caps && !strong {
        return false;
    }
    // Every list asked of the name's word at once (not asked of longer names).
    let name_facts = match single {
        true => lexicon::word_facts(word),
        false => lexicon::WordFacts::default(),
    };
    if single {
        if name_facts.stop_word {
            return false;
        }
        // Two-letter names need curated evidence and capitals (AS, US, ЄС): else initials.
        if chars <= 2
            && (!all_caps
                || !candidates
                    .iter()
                    .any(|c| Some(c.origin as usize) == evidence.overlay))
        {
            return false;
        }
    }
    let state_level = candidates.iter().any(|c| {
        matches!(
            gaz.facts(c.place).kind,
            Kind::Country | Kind::Continent | Kind::Admin1
        )
    });
    // "Vladimir Putin", "Dmitry Peskov": a settlement's name followed by a capitalised word
    // that is no place, cue or common word is a given name, unless a second such word
    // follows ("Gubernur Kharkiv Oleh Syniehubov": the place, then a two-word name). Never
    // for states and oblasts.
    let mut unknown_capitalised = |w: usize| {
        w < p.norm.words.len()
            && p.spaced(w - 1, w)
            && p.is_capitalised(w)
            && {
                let facts = lexicon::word_facts(p.word(w));
                facts.cue_after.is_none() && !facts.stop_word
            }
            && !is_name(gaz, walks, p.word(w))
    };
    if single && !state_level && unknown_capitalised(last + 1) {
        let name_follows = unknown_capitalised(last + 2) && !name_facts.given_name;
        if !name_follows {
            return false;
        }
    }
    if single
        && name_facts.given_name
        && last + 1 < p.norm.words.len()
        && p.spaced(last, last + 1)
        && p.is_capitalised(last + 1)
    {
        return false;
    }
    // A name right after a given name is a surname ("Andrei Yermak").
    if !state_level
        && first > 0
        && p.spaced(first - 1, first)
        && p.is_capitalised(first - 1)
        && lexicon::word_facts(p.word(first - 1)).given_name
    {
        return false;
    }
    // "Andriy Yermak": a small place's name right after a capitalised word that is neither a
    // place, a cue nor a title, mid-sentence, is a surname.
    if !strong
        && first > 0
        && p.spaced(first - 1, first)
        && p.is_capitalised(first - 1)
        && !p.is_sentence_start(first - 1)
    {
        let prev = p.word(first - 1);
        let prev_is_place = is_name(gaz, walks, prev);
        let facts = lexicon::word_facts(prev);
        if !prev_is_place && facts.cue_before.is_none() && !facts.person_title && !facts.stop_word {
            return false;
        }
    }
    // Sentence-initial small places with one-word names need the word to be rare.
    if single && !strong && p.is_sentence_start(first) && chars < 5 {
        return false;
    }
    // A word the article also writes in lower case is a common word of its language. (Asked
    // last: a search of the article costs more than any check above.)
    !(single && !strong && evidence.written_in_lower_case(p, word))
}

/// True when `word` (normal form) is a name with at least one place.
fn is_name(gaz: &Gazetteer, walks: &mut memo::Walks<'_>, word: &str) -> bool {
    walks
        .word_walk(word.as_bytes())
        .value
        .is_some_and(|v| !gaz.index.postings(v).is_empty())
}

/// The cue word before or after a match, if any.
fn cue_around(p: &Prepared<'_>, first: usize, last: usize) -> Option<Cue> {
    let original = |w0: usize, w1: usize| CompactString::new(p.original(w0, w1));
    // Before: one word ("wilayah"), or two ("city of", "région de"), perhaps with words of
    // direction between cue and name ("wilayah timur laut Sumy").
    // The lists' facts of the word before the name (or before its words of direction), each
    // word looked up once.
    let mut first = first;
    let mut before = None;
    while first > 1 && p.spaced(first - 1, first) && !p.is_capitalised(first - 1) {
        let facts = lexicon::word_facts(p.word(first - 1));
        if !facts.direction {
            before = Some(facts);
            break;
        }
        first -= 1;
    }
    if first > 0 {
        let gap = p.gap(first - 1, first);
        if gap == b" " || gap == b". " {
            let facts = before.unwrap_or_else(|| lexicon::word_facts(p.word(first - 1)));
            let hint = match gap == b" " {
                true => facts.cue_before,
                // The cue with its full stop, as the normal form spells it ("obl.", "м."),
                // sliced, not copied.
                false => {
                    let (lo, hi) = p.norm.words[first - 1];
                    lexicon::cue_before(&p.norm.text[lo..hi + 1])
                }
            };
            if let Some(hint) = hint {
                return Some(Cue {
                    word: original(first - 1, first - 1),
                    hint,
                    words: (first - 1, first - 1),
                });
            }
            if first > 1 && facts.ends_two_word_cue && p.spaced(first - 2, first - 1) {
                let two = &p.norm.text[p.norm.words[first - 2].0..p.norm.words[first - 1].1];
                if let Some(hint) = lexicon::cue_before(two) {
                    return Some(Cue {
                        word: original(first - 2, first - 1),
                        hint,
                        words: (first - 2, first - 1),
                    });
                }
            }
        }
    }
    // After: "Donetsk Oblast", "Kursk region", "Харківська обл."
    if last + 1 < p.norm.words.len() && p.spaced(last, last + 1) {
        if let Some(hint) = lexicon::word_facts(p.word(last + 1)).cue_after {
            return Some(Cue {
                word: original(last + 1, last + 1),
                hint,
                words: (last + 1, last + 1),
            });
        }
    }
    None
}

#[cfg(test)]
mod tests {
    proptest::proptest! {
        /// `next_upper` finds what a scan word by word finds, from any word on.
        #[test]
        fn next_upper_is_the_first_upper_case_word_from_w(
            cases in proptest::collection::vec(0u8..3, 0..40),
            w in 0usize..44,
        ) {
            let want = (w..cases.len()).find(|&k| cases[k] == Case::Upper as u8);
            proptest::prop_assert_eq!(next_upper(&cases, w), want);
        }
    }

    #[test]
    fn case_bytes_are_the_cases() {
        let p = Prepared::new("Kyiv and 42 Харків, місто Lviv");
        let want: Vec<u8> = p.norm.word_case.iter().map(|&c| c as u8).collect();
        assert_eq!(p.norm.case_bytes(), &want[..]);
        assert_eq!(
            p.norm.case_bytes(),
            &[
                Case::Upper as u8,
                Case::Lower as u8,
                Case::Other as u8,
                Case::Upper as u8,
                Case::Lower as u8,
                Case::Upper as u8
            ][..]
        );
    }

    use super::*;
    use crate::gazetteer::testing;

    fn surfaces(text: &str, lang: Option<&str>) -> Vec<String> {
        let g = testing::gazetteer();
        tag(&g, text, lang)
            .into_iter()
            .map(|m| m.surface.to_string())
            .collect()
    }

    #[test]
    fn finds_names_with_offsets_in_characters() {
        let g = testing::gazetteer();
        let text = "Ракети влучили у Харків, а потім — у Покровськ.";
        let ms = tag(&g, text, Some("uk"));
        let chars: Vec<char> = text.chars().collect();
        assert_eq!(ms.len(), 2);
        for m in &ms {
            assert_eq!(chars[m.start..m.end].iter().collect::<String>(), m.surface);
        }
        assert_eq!(ms[0].surface, "Харків");
        assert_eq!(ms[1].surface, "Покровськ");
    }

    #[test]
    fn table_of_cases() {
        let cases: &[(&str, Option<&str>, &[&str])] = &[
            // longest match wins
            (
                "Shelling near Velyka Novosilka today.",
                Some("en"),
                &["Velyka Novosilka"],
            ),
            // inflected Cyrillic
            (
                "Бої під Харковом і в Покровську.",
                Some("uk"),
                &["Харковом", "Покровську"],
            ),
            ("Обстріл Харківщини триває.", Some("uk"), &["Харківщини"]),
            // whole words only
            ("Kharkivites and Pokrovskyi", Some("en"), &[]),
            // capitalisation required
            ("the kharkiv office", Some("en"), &[]),
            // given names are not places
            (
                "Presiden Rusia Vladimir Putin berkata. Putin juga.",
                Some("id"),
                &["Rusia"],
            ),
            // country names
            ("Rusia dan Ukraina", Some("id"), &["Rusia", "Ukraina"]),
            // apostrophes and hyphens
            ("Velyka-Novosilka", Some("en"), &["Velyka-Novosilka"]),
        ];
        for (text, lang, want) in cases {
            assert_eq!(surfaces(text, *lang), *want, "text: {text}");
        }
    }

    #[test]
    fn lower_case_words_read_the_same_by_search_and_by_set() {
        let p = Prepared::new("Kota Lyman dan lyman, Bakhmut: kota bakhmutska ALAM alam 12");
        let words = [
            "kota",
            "lyman",
            "bakhmut",
            "alam",
            "12",
            "dan",
            "bakhmutska",
            "x",
        ];
        let want = [true, true, false, true, false, true, true, false];
        let mut evidence = Evidence::default();
        // Enough rounds that later answers come from the set.
        for round in 0..3 {
            for (word, want) in words.iter().zip(want) {
                assert_eq!(
                    evidence.written_in_lower_case(&p, word),
                    want,
                    "{word} in round {round}"
                );
            }
        }
        assert!(evidence.lower_case_words.is_some());
    }

    proptest::proptest! {
        /// Character offsets counted between increasing byte offsets are the offsets a count
        /// of the whole prefix gives.
        #[test]
        fn char_counter_counts_as_chars_do(
            text in "[aé\u{0436}\u{1F600} .]{0,80}",
            cuts in proptest::collection::vec(0usize..400, 0..12),
        ) {
            let mut at: Vec<usize> = cuts
                .iter()
                .map(|&c| c % (text.len() + 1))
                .filter(|&b| text.is_char_boundary(b))
                .collect();
            at.sort_unstable();
            // Once out of order, to exercise the restart.
            at.push(0);
            let mut counter = CharCounter { byte: 0, chars: 0 };
            for b in at {
                proptest::prop_assert_eq!(counter.chars_at(&text, b), text[..b].chars().count());
            }
        }
    }

    #[test]
    fn chars_are_counted_in_short_and_long_texts() {
        for text in [
            "",
            "a",
            "é",
            "aé",
            "Харків",
            "Харків і Покровськ, 😀 Київ!",
            &"ж".repeat(300),
        ] {
            for from in 0..=text.len() {
                for to in from..=text.len() {
                    if text.is_char_boundary(from) && text.is_char_boundary(to) {
                        assert_eq!(
                            count_chars(text.as_bytes(), from, to),
                            text[from..to].chars().count(),
                            "{text:?} {from}..{to}"
                        );
                    }
                }
            }
        }
    }

    #[test]
    fn cue_words_are_recorded() {
        let g = testing::gazetteer();
        let ms = tag(&g, "di wilayah Kharkiv dan Donetsk Oblast", Some("id"));
        assert_eq!(ms.len(), 2);
        assert_eq!(ms[0].cue.as_ref().map(|c| c.hint), Some(CueHint::Region));
        assert_eq!(ms[0].cue.as_ref().map(|c| c.word.as_str()), Some("wilayah"));
        assert_eq!(ms[1].cue.as_ref().map(|c| c.word.as_str()), Some("Oblast"));
    }

    #[test]
    fn cue_forms_before_and_after() {
        let g = testing::gazetteer();
        let cue = |text: &str, lang: &str| {
            let ms = tag(&g, text, Some(lang));
            assert_eq!(ms.len(), 1, "{text}");
            ms[0].cue.as_ref().map(|c| (c.word.to_string(), c.hint))
        };
        let settlement = |w: &str| Some((w.to_string(), CueHint::Settlement));
        let region = |w: &str| Some((w.to_string(), CueHint::Region));
        // Two words, the second one that ends a two-word cue.
        assert_eq!(
            cue("Shelling hit the city of Kharkiv.", "en"),
            settlement("city of")
        );
        assert_eq!(
            cue("Frappes sur la ville de Kharkiv.", "fr"),
            settlement("ville de")
        );
        // "of" alone is no cue, nor is a two-word phrase that is not listed.
        assert_eq!(cue("News of Kharkiv today.", "en"), None);
        assert_eq!(cue("Outskirts of Kharkiv today.", "en"), None);
        // Words of direction between cue and name.
        assert_eq!(
            cue("Serangan di wilayah timur laut Kharkiv.", "id"),
            region("wilayah")
        );
        // A cue with its full stop (recorded as its word).
        assert_eq!(cue("Обстріл м. Харків вночі.", "uk"), settlement("м"));
        // After the name.
        assert_eq!(cue("In Kharkiv region today.", "en"), region("region"));
        assert_eq!(cue("Di kota Kharkiv.", "id"), settlement("kota"));
    }
}
