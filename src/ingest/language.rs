//! Language of an article, among the seven frontmap reads (id, en, uk, ru, de, pl, fr).
//!
//! Counting each language's commonest function words and its own letters decides almost every
//! news article in a few hundred bytes, about a hundred times faster than trigram models; the
//! rare undecided text (short, mixed, or in another language) goes to whatlang.

use super::letters::push_lower;
use crate::gazetteer::normalise::swar;
use crate::wordmap::WordMap;

/// The languages, in the order of the score table.
const LANGS: [&str; 7] = ["id", "en", "uk", "ru", "de", "pl", "fr"];
const ID: usize = 0;
const EN: usize = 1;
const UK: usize = 2;
const RU: usize = 3;
const DE: usize = 4;
const PL: usize = 5;
const FR: usize = 6;

/// Bytes of text looked at: the first paragraphs say which language an article is in.
const SAMPLE_BYTES: usize = 2048;
/// A language wins with at least this score, ahead of the runner-up.
const MIN_SCORE: u32 = 3;
/// Stop reading once the winner is this far ahead.
const DECISIVE_SCORE: u32 = 12;
/// Below this whatlang confidence a language guess is "unsure" (None).
const WHATLANG_CONFIDENCE: f64 = 0.5;

/// ISO 639-1 code of the text's language, or None when the text is too short or unclear.
pub fn detect(text: &str) -> Option<&'static str> {
    let sample = prefix(text, SAMPLE_BYTES);
    // The seven languages, and a last slot that ASCII words outside every list score nothing
    // in.
    let mut score = [0u32; 8];
    // Room for any word worth lowering: grown from empty, it was copied on the first few.
    let mut lower = String::with_capacity(64);
    let table = function_word_table();
    let ascii_table = ascii_function_words();
    for Word {
        text: word,
        ascii,
        first_eight,
    } in words(sample)
    {
        if ascii {
            // No ASCII letter is a language's own, and a word longer than every function
            // word is none: most words need no lowering and no look-up.
            if word.len() > MAX_ASCII_FUNCTION_WORD_BYTES {
                continue;
            }
            // All letters: setting bit 5 of each byte lowers them, eight at a time.
            let eight = first_eight.unwrap_or_else(|| zero_padded(word.as_bytes()));
            // Scored with no branch on whether the word is listed: which words are is as
            // good as random, and a mispredicted branch per word cost a sixth of detection.
            let (lang, weight) = ascii_table.score(eight | LOWER_CASE_BITS, word.len());
            score[lang] += weight;
            // Only the language that just gained can have become decisive (see `decided`),
            // and only once past the decisive score.
            if score[lang] >= DECISIVE_SCORE {
                if let Some(best) = decided(&score) {
                    return Some(LANGS[best]);
                }
            }
            continue;
        }
        lower.clear();
        word.chars().for_each(|c| push_lower(&mut lower, c));
        let mut scored = false;
        for c in lower.chars() {
            if let Some(lang) = letter_language(c) {
                score[lang] += 1;
                scored = true;
            }
        }
        if let Some(lang) = table.get(lower.as_bytes()) {
            score[lang] += 2;
            scored = true;
        }
        if scored {
            if let Some(best) = decided(&score) {
                return Some(LANGS[best]);
            }
        }
    }
    match top_two(&score) {
        // A mixed text goes to the language most of its first paragraphs are in.
        Some((best, second)) if score[best] >= MIN_SCORE && score[best] > score[second] => {
            Some(LANGS[best])
        }
        _ => whatlang_detect(prefix(text, SAMPLE_BYTES / 2)),
    }
}

/// Bit 5 of every byte: set, it lowers an ASCII letter.
const LOWER_CASE_BITS: u64 = u64::from_ne_bytes([0x20; 8]);

/// A word of the sample, and whether it is all ASCII (then all ASCII letters).
struct Word<'t> {
    text: &'t str,
    ascii: bool,
    /// The eight bytes from the word's start, read while finding its end, when the word is
    /// ASCII and shorter: what a function-word look-up needs, without a copy.
    first_eight: Option<u64>,
}

/// The words of `text` for counting: runs of word characters (`is_word_char`) but ASCII
/// digits. ASCII is read eight bytes at a time; only non-ASCII characters are decoded.
fn words(text: &str) -> impl Iterator<Item = Word<'_>> {
    let b = text.as_bytes();
    let mut i = 0;
    // The character at `i` when it is a non-ASCII word character.
    let wide_word_char = move |i: usize| {
        text[i..]
            .chars()
            .next()
            .filter(|&c| crate::gazetteer::normalise::is_word_char(c))
    };
    let load = move |i: usize| {
        b.get(i..i + 8)
            .map(|chunk| u64::from_le_bytes(chunk.try_into().unwrap_or_default()))
    };
    std::iter::from_fn(move || {
        // To the next word's start: past eight bytes at a time that are neither ASCII
        // letters nor non-ASCII, then byte by byte.
        loop {
            if let Some(x) = load(i) {
                let stops = swar::ascii_alphabetic(x) | (x & swar::HIGH);
                if stops == 0 {
                    i += 8;
                    continue;
                }
                i += stops.trailing_zeros() as usize / 8;
            }
            let &x = b.get(i)?;
            if x.is_ascii_alphabetic() {
                break;
            }
            if x < 0x80 {
                i += 1;
                continue;
            }
            let c = text[i..].chars().next()?;
            if crate::gazetteer::normalise::is_word_char(c) {
                break;
            }
            i += c.len_utf8();
        }
        let start = i;
        let mut ascii = true;
        let mut first_eight = None;
        // Eight bytes at a time while they are letters (most words end in the first eight).
        while let Some(x) = load(i) {
            let n = (!swar::ascii_alphabetic(x) & swar::HIGH).trailing_zeros() as usize / 8;
            if i == start && n < 8 {
                first_eight = Some(x);
            }
            i += n;
            if n < 8 {
                break;
            }
        }
        while let Some(&x) = b.get(i) {
            if x.is_ascii_alphabetic() {
                i += 1;
            } else if x < 0x80 {
                break;
            } else if let Some(c) = wide_word_char(i) {
                i += c.len_utf8();
                ascii = false;
            } else {
                break;
            }
        }
        // Both ends are character boundaries: ASCII bytes, the end, or after a whole
        // character.
        Some(Word {
            text: &text[start..i],
            ascii,
            first_eight: first_eight.filter(|_| ascii),
        })
    })
}

/// The first `max` bytes of `text`, cut at a character boundary.
fn prefix(text: &str, max: usize) -> &str {
    let mut end = text.len().min(max);
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    &text[..end]
}

/// The language that has won by `score`: at least the decisive score, and four times the
/// runner-up's. (Scores only grow, so a language can only become decisive when its own score
/// grows: asking after each gain finds the first moment, as asking after every word would.)
fn decided(score: &[u32; 8]) -> Option<usize> {
    let (best, second) = top_two(score)?;
    (score[best] >= DECISIVE_SCORE && score[best] >= 4 * score[second].max(1)).then_some(best)
}

/// Indexes of the highest and second-highest of the seven languages' scores (None when all
/// are zero).
fn top_two(score: &[u32; 8]) -> Option<(usize, usize)> {
    let score: &[u32; 7] = score[..7].try_into().ok()?;
    let mut best = 0;
    for i in 1..score.len() {
        if score[i] > score[best] {
            best = i;
        }
    }
    if score[best] == 0 {
        return None;
    }
    let second = (0..score.len())
        .filter(|&i| i != best)
        .max_by_key(|&i| score[i])
        .unwrap_or(best);
    Some((best, second))
}

/// Letters only one of the seven languages writes (lower case).
fn letter_language(c: char) -> Option<usize> {
    Some(match c {
        'і' | 'ї' | 'є' | 'ґ' => UK,
        'ы' | 'э' | 'ъ' | 'ё' => RU,
        'ą' | 'ę' | 'ł' | 'ś' | 'ź' | 'ż' | 'ć' | 'ń' => PL,
        'ä' | 'ß' => DE,
        'è' | 'ê' | 'à' | 'ç' | 'û' | 'ô' | 'î' | 'œ' => FR,
        _ => return None,
    })
}

/// Frequent short words of each language that the others do not use as words.
const FUNCTION_WORDS: [(usize, &[&str]); 7] = [
    (
        ID,
        &[
            "yang", "dan", "di", "ke", "dari", "itu", "ini", "dengan", "untuk", "pada", "tidak",
            "dalam", "akan", "oleh", "juga", "telah", "adalah", "kata", "ada", "sebagai", "atau",
            "karena", "mereka", "bahwa", "sudah", "saat", "menurut",
        ],
    ),
    (
        EN,
        &[
            "the", "and", "of", "is", "that", "for", "with", "was", "were", "said", "has", "have",
            "by", "from", "at", "which", "its", "after", "their", "been",
        ],
    ),
    (
        UK,
        &[
            "та",
            "що",
            "як",
            "від",
            "він",
            "вона",
            "це",
            "який",
            "яка",
            "також",
            "із",
            "з",
            "через",
            "після",
            "проти",
            "було",
            "були",
            "біля",
            "року",
        ],
    ),
    (
        RU,
        &[
            "и",
            "что",
            "как",
            "от",
            "он",
            "она",
            "это",
            "который",
            "которая",
            "также",
            "из",
            "с",
            "после",
            "против",
            "было",
            "были",
            "около",
            "года",
        ],
    ),
    (
        DE,
        &[
            "der", "die", "das", "und", "ist", "nicht", "den", "dem", "mit", "von", "auf", "sich",
            "ein", "eine", "zu", "im", "für", "auch", "wurde", "sind", "nach", "bei",
        ],
    ),
    (
        PL,
        &[
            "w", "się", "na", "nie", "że", "jest", "przez", "oraz", "od", "ze", "dla", "już",
            "tym", "po", "jak", "są", "został", "była",
        ],
    ),
    (
        FR,
        &[
            "le", "la", "les", "et", "est", "une", "du", "dans", "pour", "que", "qui", "sur", "au",
            "aux", "pas", "avec", "ont", "selon", "été", "par",
        ],
    ),
];

/// Bytes in the longest ASCII function word: a longer ASCII word is none. (Other words are
/// lowered and looked up whatever their length.)
const MAX_ASCII_FUNCTION_WORD_BYTES: usize = 7;

/// The ASCII function words in a table looked up with no branch: one slot per word, no two
/// words in one slot (the hash's multiplier is chosen so), and a word's slot holds either it
/// or nothing. 2,048 slots of eight bytes (16 KB): for these lists the fifteenth multiplier
/// tried has no collision.
struct AsciiTable {
    /// Per slot: the word's key (`ascii_key`) with its language in bits 60–62, or 0.
    slots: Box<[u64; ASCII_SLOTS]>,
    multiplier: u64,
}

const ASCII_SLOTS: usize = 2048;
const LANG_SHIFT: u32 = 60;
/// The bits of a slot that hold the key (`ascii_key` leaves bits 60–63 clear).
const KEY_BITS: u64 = (1 << LANG_SHIFT) - 1;

/// The first (at most eight) bytes of `bytes` as a little-endian `u64`, zeros after them.
fn zero_padded(bytes: &[u8]) -> u64 {
    let mut buf = [0u8; 8];
    let n = bytes.len().min(8);
    buf[..n].copy_from_slice(&bytes[..n]);
    u64::from_le_bytes(buf)
}

/// A word of one to seven ASCII letters, lowered, as its bytes and its length (in bits
/// 56–59): never 0, and never two words alike.
fn ascii_key(lowered_eight: u64, len: usize) -> u64 {
    let bytes = lowered_eight & ((1u64 << (8 * len.min(7))) - 1);
    bytes | (len as u64) << 56
}

impl AsciiTable {
    fn new() -> AsciiTable {
        let words: Vec<(u64, usize)> = FUNCTION_WORDS
            .iter()
            .flat_map(|&(lang, words)| words.iter().map(move |w| (w, lang)))
            .filter(|(w, _)| w.is_ascii())
            .map(|(w, lang)| (ascii_key(zero_padded(w.as_bytes()), w.len()), lang))
            .collect();
        // Odd multipliers in a fixed order: the first without a collision, the same every run.
        let mut multiplier = 0x9E37_79B9_7F4A_7C15u64;
        loop {
            let mut slots = Box::new([0u64; ASCII_SLOTS]);
            let placed = words.iter().all(|&(key, lang)| {
                let slot = &mut slots[Self::slot(key, multiplier)];
                let free = *slot == 0;
                *slot = key | (lang as u64) << LANG_SHIFT;
                free
            });
            if placed {
                return AsciiTable { slots, multiplier };
            }
            multiplier = multiplier.wrapping_add(0x6A09_E667_F3BC_C909 << 1);
        }
    }

    #[inline(always)]
    fn slot(key: u64, multiplier: u64) -> usize {
        (key.wrapping_mul(multiplier) >> (64 - ASCII_SLOTS.trailing_zeros())) as usize
    }

    /// The score an ASCII word of `len` (at most seven) letters adds, and the index of the
    /// language it adds it to (the unused last index when none). `lowered_eight`: the word's
    /// bytes lowered, then anything.
    #[inline(always)]
    fn score(&self, lowered_eight: u64, len: usize) -> (usize, u32) {
        let key = ascii_key(lowered_eight, len);
        let slot = self.slots[Self::slot(key, self.multiplier)];
        let listed = slot & KEY_BITS == key;
        let lang = if listed {
            (slot >> LANG_SHIFT) as usize
        } else {
            LANGS.len()
        };
        (lang, 2 * u32::from(listed))
    }
}

fn ascii_function_words() -> &'static AsciiTable {
    static TABLE: std::sync::OnceLock<AsciiTable> = std::sync::OnceLock::new();
    TABLE.get_or_init(AsciiTable::new)
}

/// Function words (lower case, as bytes: an ASCII word needs no UTF-8 check) to their
/// language. A word-map look-up: matching a word against each of the 150 strings in turn cost
/// more than the rest of detection.
fn function_word_table() -> &'static WordMap<usize> {
    static TABLE: std::sync::OnceLock<WordMap<usize>> = std::sync::OnceLock::new();
    TABLE.get_or_init(|| {
        WordMap::new(
            FUNCTION_WORDS
                .iter()
                .flat_map(|&(lang, words)| words.iter().map(move |w| (w.as_bytes(), lang))),
        )
    })
}

/// The language whose function word `word` (lower case) is.
#[cfg(test)]
fn function_word_language(word: &str) -> Option<usize> {
    function_word_table().get(word.as_bytes())
}

fn whatlang_detect(text: &str) -> Option<&'static str> {
    use whatlang::Lang;
    let allow = vec![
        Lang::Ind,
        Lang::Eng,
        Lang::Ukr,
        Lang::Rus,
        Lang::Deu,
        Lang::Pol,
        Lang::Fra,
    ];
    let info = whatlang::Detector::with_allowlist(allow).detect(text)?;
    if info.confidence() < WHATLANG_CONFIDENCE {
        return None;
    }
    Some(match info.lang() {
        Lang::Ind => "id",
        Lang::Eng => "en",
        Lang::Ukr => "uk",
        Lang::Rus => "ru",
        Lang::Deu => "de",
        Lang::Pol => "pl",
        Lang::Fra => "fr",
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decides_by_words_and_letters() {
        let cases = [
            (
                "Pasukan Rusia menyerang kota itu dan mereka mundur.",
                Some("id"),
            ),
            ("The army said that the town was shelled.", Some("en")),
            (
                "Війська відійшли від міста, що було обстріляно.",
                Some("uk"),
            ),
            (
                "Войска отошли от города, который был обстрелян.",
                Some("ru"),
            ),
            (
                "Die Armee sagte, dass die Stadt beschossen wurde.",
                Some("de"),
            ),
            (
                "Wojsko wycofało się z miasta, które zostało ostrzelane.",
                Some("pl"),
            ),
            ("L'armée a dit que la ville est bombardée.", Some("fr")),
            ("", None),
            ("12345 !!!", None),
        ];
        for (text, want) in cases {
            assert_eq!(detect(text), want, "{text}");
        }
    }

    #[test]
    fn function_words_belong_to_one_language_each() {
        let mut seen = std::collections::HashMap::new();
        for (lang, words) in FUNCTION_WORDS {
            for w in words {
                assert_eq!(*w, w.to_lowercase(), "listed in lower case");
                if let Some(other) = seen.insert(*w, lang) {
                    panic!("{w} is listed for {} and {}", LANGS[other], LANGS[lang]);
                }
                assert_eq!(function_word_language(w), Some(lang), "{w}");
            }
        }
        assert_eq!(function_word_language("kharkiv"), None);
    }

    #[test]
    fn no_ascii_function_word_is_longer_than_the_bound() {
        let longest = FUNCTION_WORDS
            .iter()
            .flat_map(|(_, ws)| ws.iter())
            .filter(|w| w.is_ascii())
            .map(|w| w.len())
            .max();
        assert_eq!(longest, Some(MAX_ASCII_FUNCTION_WORD_BYTES));
    }

    /// The branch-free table's score of an ASCII word of letters (any case, at most seven).
    fn ascii_score(word: &str) -> (usize, u32) {
        ascii_function_words().score(zero_padded(word.as_bytes()) | LOWER_CASE_BITS, word.len())
    }

    #[test]
    fn ascii_table_scores_every_listed_word_and_its_neighbours() {
        for (lang, words) in FUNCTION_WORDS {
            for w in words.iter().filter(|w| w.is_ascii()) {
                assert_eq!(ascii_score(w), (lang, 2), "{w}");
                assert_eq!(ascii_score(&w.to_uppercase()), (lang, 2), "{w}");
                // One letter changed, cut short, or longer: not listed (unless it is
                // another listed word).
                let b = w.as_bytes();
                let mut near: Vec<String> = (0..b.len())
                    .map(|k| {
                        let mut other = b.to_vec();
                        other[k] = if other[k] == b'z' { b'q' } else { b'z' };
                        String::from_utf8(other).unwrap_or_default()
                    })
                    .collect();
                near.push(w[..w.len() - 1].to_string());
                if w.len() < MAX_ASCII_FUNCTION_WORD_BYTES {
                    near.push(format!("{w}q"));
                }
                for n in near.iter().filter(|n| !n.is_empty()) {
                    let want = function_word_language(n).map_or((LANGS.len(), 0), |l| (l, 2));
                    assert_eq!(ascii_score(n), want, "{n}");
                }
            }
        }
    }

    proptest::proptest! {
        /// The branch-free table scores an ASCII word as the word map looks it up.
        #[test]
        fn ascii_table_agrees_with_the_word_map(word in "[a-zA-Z]{1,7}") {
            let want = function_word_language(&word.to_ascii_lowercase())
                .map_or((LANGS.len(), 0), |l| (l, 2));
            proptest::prop_assert_eq!(ascii_score(&word), want);
        }

        /// The byte scanner finds the words a split on characters finds.
        #[test]
        fn words_are_the_split_words(text in "[a-zA-Z0-9 ,.'Ђщї€😀\u{300}\u{a0}٣ßẞ]{0,60}") {
            let want: Vec<&str> = text
                .split(|c: char| !crate::gazetteer::normalise::is_word_char(c) || c.is_ascii_digit())
                .filter(|w| !w.is_empty())
                .collect();
            let got: Vec<&str> = words(&text).map(|w| w.text).collect();
            proptest::prop_assert_eq!(&got, &want);
            for w in words(&text) {
                proptest::prop_assert_eq!(w.ascii, w.text.is_ascii());
                // The eight bytes read ahead start with the word, when there are any.
                if let Some(eight) = w.first_eight {
                    proptest::prop_assert!(w.ascii && w.text.len() < 8);
                    proptest::prop_assert_eq!(&eight.to_le_bytes()[..w.text.len()], w.text.as_bytes());
                }
            }
            // Every short ASCII word followed by eight bytes of text has them.
            let b = text.as_bytes();
            for w in words(&text) {
                let at = w.text.as_ptr() as usize - text.as_ptr() as usize;
                if w.ascii && w.text.len() < 8 && at + 8 <= b.len() {
                    proptest::prop_assert!(w.first_eight.is_some());
                }
            }
        }
    }

    #[test]
    fn mixed_scripts_follow_the_majority() {
        // A Ukrainian sentence quoting a Russian word stays Ukrainian.
        let text = "Він сказав, що «это провокация», але війська вже біля міста і також у селі.";
        assert_eq!(detect(text), Some("uk"));
    }

    #[test]
    fn sample_cut_on_a_character_boundary() {
        let text = "ї".repeat(SAMPLE_BYTES);
        assert_eq!(prefix(&text, SAMPLE_BYTES + 1).len(), SAMPLE_BYTES);
        assert_eq!(detect(&text), Some("uk"));
    }
}
