//! Letters of the article languages, tested and lowered by table: `char::is_alphabetic` and
//! `char::to_lowercase` search Unicode's tables for every character that is not ASCII, and
//! finding an article's date and language reads every word of a Cyrillic text.

use std::sync::OnceLock;

/// Characters below this (Latin, Greek, Cyrillic: every letter of the languages frontmap
/// reads) are tested and lowered by table.
const LETTER_TABLE: usize = 0x0530;

/// Per character below `LETTER_TABLE`: whether it is alphabetic, and its lower case when that
/// is one character (`'\0'` when not). Built once from `char::is_alphabetic` and
/// `char::to_lowercase`, so it answers as they do: they search Unicode's tables for every
/// non-ASCII character, and a Cyrillic text without a metadata date spent more on finding its
/// date than on tagging and resolving.
struct Letters {
    alphabetic: [bool; LETTER_TABLE],
    lower: [char; LETTER_TABLE],
}

fn letters() -> &'static Letters {
    static LETTERS: OnceLock<Box<Letters>> = OnceLock::new();
    LETTERS.get_or_init(|| {
        let mut t = Box::new(Letters {
            alphabetic: [false; LETTER_TABLE],
            lower: ['\0'; LETTER_TABLE],
        });
        for (code, c) in
            (0..LETTER_TABLE as u32).filter_map(|k| Some((k as usize, char::from_u32(k)?)))
        {
            t.alphabetic[code] = c.is_alphabetic();
            let mut lower = c.to_lowercase();
            if let (Some(l), None) = (lower.next(), lower.next()) {
                t.lower[code] = l;
            }
        }
        t
    })
}

/// `c.is_alphabetic()`.
pub(crate) fn is_letter(c: char) -> bool {
    match letters().alphabetic.get(c as usize) {
        Some(&a) => a,
        None => c.is_alphabetic(),
    }
}

/// Appends `c.to_lowercase()` to `word`.
pub(crate) fn push_lower(word: &mut String, c: char) {
    match letters().lower.get(c as usize) {
        Some(&l) if l != '\0' => word.push(l),
        _ => word.extend(c.to_lowercase()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn letter_tables_answer_as_std_does() {
        for c in (0..0x3000)
            .chain([0x1_0400, 0x1_D400])
            .filter_map(char::from_u32)
        {
            assert_eq!(is_letter(c), c.is_alphabetic(), "U+{:04X}", c as u32);
            let mut lowered = String::new();
            push_lower(&mut lowered, c);
            assert_eq!(
                lowered,
                c.to_lowercase().collect::<String>(),
                "U+{:04X}",
                c as u32
            );
        }
    }
}
