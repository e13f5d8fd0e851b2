//! Case forms of place names, generated into the name index so that inflected mentions match
//! exactly: у Харкові, під Бахмутом, в Авдіївці, под Курском, Харківської області (uk, ru), and
//! w Pokrowsku, pod Bachmutem, w Charkowie (pl).
//!
//! Works on normal forms (see `normalise`): й and ї are already folded to и and і, so the
//! endings below are spelled that way (`ии` is -ий, `оі` is -ої). The paradigms cover the
//! endings place names actually have; they over-generate a little (a form that no text uses
//! costs an index entry, nothing more), and never touch the nominative.

use super::index::Form;

/// Case forms of a normal-form name (excluding the name itself) with how they were made.
/// `country` is the place's ISO code: Polish forms are made for Ukrainian, Russian and
/// Belarusian places only, the ones Polish war reporting inflects.
pub fn case_forms(key: &str, country: &str) -> Vec<(String, Form)> {
    let mut out = Vec::new();
    let Some(last_char) = key.chars().last() else {
        return out;
    };
    if is_cyrillic(last_char) {
        for f in cyrillic_forms(key) {
            out.push((f, Form::CyrillicCase));
        }
    } else if last_char.is_ascii_alphabetic() && matches!(country, "UA" | "RU" | "BY") {
        for f in polish_forms(key) {
            out.push((f, Form::PolishCase));
        }
    }
    out.sort();
    out.dedup();
    out.retain(|(f, _)| f != key);
    out
}

fn is_cyrillic(c: char) -> bool {
    ('\u{0400}'..='\u{04FF}').contains(&c)
}

const CYR_VOWELS: &str = "аеєиіїоуюяыэ";
const CYR_HARD: &str = "бвгґджзклмнпрстфхцчшщ";

/// Splits `key` into the words before the last one (with the trailing space) and the last word.
fn split_last(key: &str) -> (&str, &str) {
    match key.rfind(' ') {
        Some(i) => (&key[..=i], &key[i + 1..]),
        None => ("", key),
    }
}

/// Ukrainian and Russian forms of a name. The last word declines as a noun; a feminine or
/// neuter adjective before it (Велика Новосілка, Харківська область) declines with it.
fn cyrillic_forms(key: &str) -> Vec<String> {
    let (head, last) = split_last(key);
    let nouns = cyrillic_noun_cases(last);
    let mut out = Vec::new();
    // Single word, or a head that does not decline (Часів Яр declines only Яр in practice).
    for n in nouns.iter().flatten() {
        out.push(format!("{head}{n}"));
    }
    // Adjective + noun, case by case.
    if let Some((pre, adj)) = head
        .trim_end()
        .rsplit_once(' ')
        .or(Some(("", head.trim_end())))
    {
        if !adj.is_empty() {
            let adjs = cyrillic_adjective_cases(adj);
            if let Some(adjs) = adjs {
                let pre = if pre.is_empty() {
                    String::new()
                } else {
                    format!("{pre} ")
                };
                for (case, adj_forms) in adjs.iter().enumerate() {
                    for a in adj_forms {
                        for n in nouns.get(case).into_iter().flatten() {
                            out.push(format!("{pre}{a} {n}"));
                        }
                        // Adjective alone declined, noun in the nominative (rare, but "Великій
                        // Новосілці" is the norm and the noun form covers it above).
                    }
                }
            }
        }
    }
    out
}

/// Noun cases of one word: [genitive, dative/locative, accusative, instrumental], each with
/// its Ukrainian and Russian endings.
fn cyrillic_noun_cases(word: &str) -> [Vec<String>; 4] {
    let chars: Vec<char> = word.chars().collect();
    let n = chars.len();
    let mut cases: [Vec<String>; 4] = Default::default();
    if n < 3 {
        return cases;
    }
    let stem_without = |k: usize| chars[..n - k].iter().collect::<String>();
    let ends = |s: &str| word.ends_with(s);
    let mut add = |stem: &str, endings: [&[&str]; 4]| {
        for (case, list) in endings.iter().enumerate() {
            for e in *list {
                cases[case].push(format!("{stem}{e}"));
            }
        }
    };
    if ends("область") {
        let stem = stem_without(1);
        add(&stem, [&["і", "и"], &["і", "и"], &[], &["ю", "ью"]]);
        return cases;
    }
    if ends("ськ") || ends("цьк") || ends("ск") || ends("цк") {
        add(word, [&["а"], &["у", "е", "і"], &[], &["ом"]]);
        return cases;
    }
    if ends("ии") || ends("іи") || ends("ыи") || ends("ои") {
        // Masculine adjectival names (Щасливий, Красный).
        let stem = stem_without(2);
        add(&stem, [&["ого"], &["ому", "ом"], &[], &["им", "ым"]]);
        return cases;
    }
    if ends("ове")
        || ends("еве")
        || ends("ине")
        || ends("ьке")
        || ends("ське")
        || ends("ое")
        || ends("ее")
    {
        // Neuter adjectival names (Курахове, Роботине, Красное).
        let k = if ends("ое") || ends("ее") { 2 } else { 1 };
        let stem = stem_without(k);
        add(&stem, [&["ого"], &["ому", "ом"], &[], &["им", "ым"]]);
        return cases;
    }
    let last = chars[n - 1];
    let prev = chars[n - 2];
    match last {
        'а' => {
            let stem = stem_without(1);
            match prev {
                'к' => {
                    let s2 = stem_without(2);
                    add(&stem, [&["и"], &["е"], &["у"], &["ою", "ой"]]);
                    add(&s2, [&[], &["ці"], &[], &[]]);
                }
                'г' => {
                    let s2 = stem_without(2);
                    add(&stem, [&["и"], &["е"], &["у"], &["ою", "ой"]]);
                    add(&s2, [&[], &["зі"], &[], &[]]);
                }
                'х' => {
                    let s2 = stem_without(2);
                    add(&stem, [&["и"], &["е"], &["у"], &["ою", "ой"]]);
                    add(&s2, [&[], &["сі"], &[], &[]]);
                }
                _ => add(&stem, [&["и", "ы"], &["і", "е"], &["у"], &["ою", "ой"]]),
            }
        }
        'я' => {
            let stem = stem_without(1);
            add(
                &stem,
                [&["і", "и"], &["і", "е", "и"], &["ю"], &["ею", "ей", "ею"]],
            );
        }
        'ь' => {
            let stem = stem_without(1);
            add(&stem, [&["я", "и"], &["і", "ю", "е"], &[], &["ем", "ю"]]);
            // і→о / і→е in the closed last syllable: Бориспіль → Борисполя, Ірпінь → Ірпеня.
            if let Some(alt) = alternate_last_i(&stem) {
                for a in alt {
                    add(&a, [&["я"], &["і", "ю"], &[], &["ем"]]);
                }
            }
        }
        'и' | 'ы' => {
            // Plural names (Кринки, Суми, Сумы).
            let stem = stem_without(1);
            add(&stem, [&[], &["ах", "ам"], &[], &["ами"]]);
            if stem.chars().count() >= 4 {
                let gen = if stem.ends_with('к') {
                    format!("{}ок", &stem[..stem.len() - 'к'.len_utf8()])
                } else {
                    stem.clone()
                };
                cases[0].push(gen);
            }
        }
        'о' => {
            // Russian neuter nouns in -во/-но/-ло decline in careful writing (в Иванове).
            if matches!(prev, 'в' | 'н' | 'л') {
                let stem = stem_without(1);
                add(&stem, [&["а"], &["е", "у"], &[], &["ом"]]);
            }
        }
        c if CYR_HARD.contains(c) => {
            let soft_after = matches!(c, 'ж' | 'ч' | 'ш' | 'щ' | 'ц');
            add(
                word,
                [
                    &["а", "у"],
                    if soft_after {
                        &["і", "е", "у", "еві"]
                    } else {
                        &["і", "е", "у", "ові"]
                    },
                    &[],
                    if soft_after { &["ем"] } else { &["ом"] },
                ],
            );
            if let Some(alt) = alternate_last_i(word) {
                for a in alt {
                    add(&a, [&["а", "у"], &["і", "е", "у"], &[], &["ом"]]);
                }
            }
        }
        _ => {}
    }
    cases
}

/// The Ukrainian і→о (after a consonant) or ї→є (after a vowel; ї is folded to і) alternation of
/// a closed last syllable: Харків → Харков-, Київ → Києв-, Бориспіл → Борисопол-.
fn alternate_last_i(stem: &str) -> Option<Vec<String>> {
    let chars: Vec<char> = stem.chars().collect();
    let n = chars.len();
    if n < 3 {
        return None;
    }
    // і must be in the last syllable: followed only by consonants.
    let i = (0..n).rev().find(|&k| CYR_VOWELS.contains(chars[k]))?;
    if chars[i] != 'і' || i == 0 {
        return None;
    }
    let before = chars[i - 1];
    let replacements: &[char] = if CYR_VOWELS.contains(before) {
        &['є']
    } else {
        &['о', 'е']
    };
    Some(
        replacements
            .iter()
            .map(|r| {
                let mut c = chars.clone();
                c[i] = *r;
                c.into_iter().collect()
            })
            .collect(),
    )
}

/// Adjective cases aligned with `cyrillic_noun_cases`, for feminine (-а, -ая) and neuter (-е,
/// -ое) adjectives; None when the word is not such an adjective.
fn cyrillic_adjective_cases(word: &str) -> Option<[Vec<String>; 4]> {
    let chars: Vec<char> = word.chars().collect();
    let n = chars.len();
    if n < 4 {
        return None;
    }
    let stem = |k: usize| chars[..n - k].iter().collect::<String>();
    let forms = |s: String, e: [&[&str]; 4]| {
        let mut out: [Vec<String>; 4] = Default::default();
        for (case, list) in e.iter().enumerate() {
            out[case] = list.iter().map(|x| format!("{s}{x}")).collect();
        }
        out
    };
    if word.ends_with("ськии")
        || word.ends_with("цькии")
        || word.ends_with("скии")
        || word.ends_with("цкии")
    {
        // Masculine adjectives of raion names: Покровський район → Покровському районі.
        return Some(forms(
            stem(2),
            [&["ого"], &["ому", "ім", "ом"], &["ии"], &["им", "ым"]],
        ));
    }
    if word.ends_with("ая") {
        // Russian feminine: Харьковская, Великая.
        return Some(forms(stem(2), [&["ои"], &["ои"], &["ую"], &["ои", "ою"]]));
    }
    if word.ends_with("ька")
        || word.ends_with("ська")
        || word.ends_with("ка")
        || word.ends_with("на")
        || word.ends_with("ла")
    {
        // Ukrainian feminine: Харківська, Велика, Нова.
        return Some(forms(stem(1), [&["оі"], &["іи"], &["у"], &["ою"]]));
    }
    if word.ends_with("ова") || word.ends_with("ва") {
        return Some(forms(stem(1), [&["оі"], &["іи"], &["у"], &["ою"]]));
    }
    None
}

/// Polish forms of a Latin name: w Pokrowsku, pod Bachmutem, w Charkowie, Awdijiwki.
fn polish_forms(key: &str) -> Vec<String> {
    let (head, last) = split_last(key);
    if last.len() < 4 {
        return Vec::new();
    }
    let mut out = Vec::new();
    let mut push = |stem: &str, endings: &[&str]| {
        for e in endings {
            out.push(format!("{head}{stem}{e}"));
        }
    };
    let stem1 = &last[..last.len() - 1];
    if last.ends_with("sk") {
        push(last, &["u", "a", "iem"]);
    } else if let Some(stem) = last.strip_suffix("ka") {
        push(stem, &["ki", "ce", "ke"]);
    } else if last.ends_with('a') {
        push(stem1, &["y", "i", "e", "ie"]);
    } else if last.ends_with("ow") {
        push(last, &["a", "ie", "em"]);
    } else if last.ends_with('t') {
        push(last, &["u", "a", "em"]);
        push(stem1, &["cie"]);
    } else if last.ends_with('d') {
        push(last, &["u", "a", "em"]);
        push(stem1, &["dzie"]);
    } else if last.ends_with('r') {
        push(last, &["u", "a", "em", "ze"]);
    } else if last.ends_with('k') || last.ends_with('g') || last.ends_with('h') {
        push(last, &["u", "a", "iem"]);
    } else if last.ends_with('n')
        || last.ends_with('m')
        || last.ends_with('l')
        || last.ends_with('v')
        || last.ends_with('w')
        || last.ends_with('s')
        || last.ends_with('z')
        || last.ends_with('c')
    {
        push(last, &["u", "a", "em", "ie", "iu"]);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::gazetteer::normalise::normalise_name as n;

    fn has(name: &str, country: &str, form: &str) -> bool {
        let forms = case_forms(&n(name), country);
        forms.iter().any(|(f, _)| *f == n(form))
    }

    #[test]
    fn cyrillic_case_forms() {
        let cases = [
            ("Харків", "Харкові"),
            ("Харків", "Харкова"),
            ("Харків", "Харковом"),
            ("Київ", "Києві"),
            ("Київ", "Києва"),
            ("Харьков", "Харькова"),
            ("Харьков", "Харькове"),
            ("Бахмут", "Бахмутом"),
            ("Бахмут", "Бахмуті"),
            ("Авдіївка", "Авдіївці"),
            ("Авдіївка", "Авдіївки"),
            ("Авдеевка", "Авдеевке"),
            ("Курск", "Курском"),
            ("Суджа", "Судже"),
            ("Покровськ", "Покровську"),
            ("Покровськ", "Покровська"),
            ("Балаклія", "Балаклії"),
            ("Курахове", "Курахового"),
            ("Кринки", "Кринках"),
            ("Кринки", "Кринок"),
            ("Харківщина", "Харківщині"),
            ("Донеччина", "Донеччини"),
            ("Курщина", "Курщину"),
            ("Харківська область", "Харківської області"),
            ("Харківська область", "Харківській області"),
            ("Донецкая область", "Донецкой области"),
            ("Велика Новосілка", "Великої Новосілки"),
            ("Покровський район", "Покровському районі"),
            ("Покровский район", "Покровском районе"),
            ("Велика Новосілка", "Великій Новосілці"),
            ("Бориспіль", "Борисполя"),
            ("Ірпінь", "Ірпеня"),
        ];
        for (name, form) in cases {
            assert!(
                has(name, "UA", form),
                "{name} should have the form {form}: {:?}",
                case_forms(&n(name), "UA")
            );
        }
    }

    #[test]
    fn polish_case_forms_only_for_the_region() {
        assert!(has("Pokrowsk", "UA", "Pokrowsku"));
        assert!(has("Bachmut", "UA", "Bachmutem"));
        assert!(has("Bachmut", "UA", "Bachmucie"));
        assert!(has("Charków", "UA", "Charkowie"));
        assert!(has("Awdijiwka", "UA", "Awdijiwce"));
        assert!(!has("Pokrowsk", "FR", "Pokrowsku"));
    }

    #[test]
    fn nominative_is_never_a_generated_form() {
        for name in ["Харків", "Кринки", "Pokrowsk", "Суми"] {
            assert!(case_forms(&n(name), "UA")
                .iter()
                .all(|(f, _)| *f != n(name)));
        }
    }
}
