//! Generated Latin spellings of Cyrillic place names: the transliteration systems that war
//! reporting actually uses, so that "Kupiansk", "Kupyansk", "Kup'yans'k", "Kupjansk" and
//! "Kupiańsk" all find Куп’янськ.
//!
//! Takes one Cyrillic name and gives its spellings under each system that fits the name's
//! language, with the `origin` tag each gets in `names.tsv`:
//! - `translit:uk-national`: Ukraine's national system (KMU resolution 55 of 2010): Kupiansk,
//!   Zaporizhzhia, Yenakiieve, Zghurivka (word-initial Ye/Yi/Y/Yu/Ya, `зг` → `zgh`).
//! - `translit:bgn-ru`: BGN/PCGN for Russian: Kupyansk, Avdeyevka, Khar'kov.
//! - `translit:press`: the older forms still common in the press: BGN/PCGN 1965 for Ukrainian
//!   (Izyum, Balakliya, Avdiyivka, Kup'yans'k) and a plain Russian romanisation (Avdeevka,
//!   Artyomovsk, Krasny Liman).
//! - `translit:de`: German (Duden): Charkiw, Kupjansk, Awdijiwka, Saporischschja, Sudscha.
//! - `translit:pl`: Polish: Kupiańsk, Awdijiwka, Pokrowsk, Bachmut, Biełgorod.
//!
//! The language of a Cyrillic name is read from its letters: і, ї, є, ґ are Ukrainian; ы, э, ё,
//! ъ are Russian; a name with neither (Покровськ, Кринки) gets both readings. Apostrophes and soft
//! signs vanish in `normalise`, so "Kup'yans'k" and "Kupyansk" are one key there; the generator
//! writes them once.

/// A transliteration system (and, for the press, German and Polish ones, the flavour for the
/// name's language).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum System {
    UkNational,
    BgnRu,
    PressUk,
    PressRu,
    DeUk,
    DeRu,
    PlUk,
    PlRu,
}

impl System {
    /// Every system, in the order variants are generated (and preferred when two give the same
    /// normal form).
    pub const ALL: [System; 8] = [
        System::UkNational,
        System::BgnRu,
        System::PressUk,
        System::PressRu,
        System::DeUk,
        System::DeRu,
        System::PlUk,
        System::PlRu,
    ];

    /// The `origin` column of a name made by this system.
    pub fn origin(self) -> &'static str {
        match self {
            System::UkNational => "translit:uk-national",
            System::BgnRu => "translit:bgn-ru",
            System::PressUk | System::PressRu => "translit:press",
            System::DeUk | System::DeRu => "translit:de",
            System::PlUk | System::PlRu => "translit:pl",
        }
    }

    /// The `lang` column of a name made by this system: German and Polish spellings are those
    /// languages' own; the English-press ones are left open.
    pub fn lang(self) -> &'static str {
        match self {
            System::DeUk | System::DeRu => "de",
            System::PlUk | System::PlRu => "pl",
            _ => "",
        }
    }

    fn reads(self) -> CyrLang {
        match self {
            System::UkNational | System::PressUk | System::DeUk | System::PlUk => CyrLang::Uk,
            System::BgnRu | System::PressRu | System::DeRu | System::PlRu => CyrLang::Ru,
        }
    }
}

/// Which language a Cyrillic name can be read as.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CyrLang {
    Uk,
    Ru,
    Both,
}

impl CyrLang {
    /// ISO 639-1 code when the letters decide it, else "".
    pub fn code(self) -> &'static str {
        match self {
            CyrLang::Uk => "uk",
            CyrLang::Ru => "ru",
            CyrLang::Both => "",
        }
    }
}

fn is_cyrillic(c: char) -> bool {
    ('\u{0400}'..='\u{04FF}').contains(&c)
}

fn is_apostrophe(c: char) -> bool {
    matches!(c, '\'' | '’' | 'ʼ' | '`' | '‘' | 'ʹ')
}

/// The language of a Cyrillic name, or `None` when the name is not (entirely) Cyrillic: a
/// name mixing Latin and Cyrillic letters is a typo, not something to transliterate.
pub fn cyrillic_lang(name: &str) -> Option<CyrLang> {
    let mut any = false;
    let (mut uk, mut ru) = (false, false);
    for c in name.chars() {
        if !c.is_alphabetic() {
            continue;
        }
        if !is_cyrillic(c) {
            return None;
        }
        any = true;
        match c.to_lowercase().next().unwrap_or(c) {
            'і' | 'ї' | 'є' | 'ґ' => uk = true,
            'ы' | 'э' | 'ё' | 'ъ' => ru = true,
            _ => {}
        }
    }
    match (any, uk, ru) {
        (false, _, _) => None,
        (true, true, false) => Some(CyrLang::Uk),
        (true, false, true) => Some(CyrLang::Ru),
        // Neither marker, or both (a garbled name): either reading may be meant.
        _ => Some(CyrLang::Both),
    }
}

/// The spellings of a Cyrillic name under every system that fits its language, each with the
/// system that made it, in `System::ALL` order. Spellings that equal an earlier one (or the
/// input) after dropping apostrophes and case are left out. A non-Cyrillic name, or one in
/// capitals only (an abbreviation such as РФ), gives nothing.
pub fn variants(name: &str) -> Vec<(String, System)> {
    let Some(lang) = cyrillic_lang(name) else {
        return Vec::new();
    };
    if !name.chars().any(|c| c.is_lowercase()) {
        return Vec::new();
    }
    let mut out: Vec<(String, System)> = Vec::new();
    let mut seen: Vec<String> = Vec::new();
    for system in System::ALL {
        if lang != CyrLang::Both && system.reads() != lang {
            continue;
        }
        let v = transliterate(name, system);
        let key: String = v
            .chars()
            .filter(|c| !is_apostrophe(*c))
            .flat_map(char::to_lowercase)
            .collect();
        if key.is_empty() || seen.contains(&key) {
            continue;
        }
        seen.push(key);
        out.push((v, system));
    }
    out
}

const VOWELS: &str = "аеєиіїоуюяыэё";

fn is_vowel(c: char) -> bool {
    VOWELS.contains(c)
}

/// What surrounds the letter being transliterated (all lower case).
#[derive(Debug, Clone, Copy)]
struct Ctx {
    /// The letter before, `None` at the start of a word. An apostrophe counts as a letter here.
    prev: Option<char>,
    /// The letter after, `None` at the end of a word.
    next: Option<char>,
    /// The letter after `next`.
    next2: Option<char>,
}

impl Ctx {
    fn initial(self) -> bool {
        self.prev.is_none()
    }

    /// Start of word, or after a vowel, soft/hard sign or apostrophe: where е, ё, ю, я, є carry
    /// their own y/j sound.
    fn iotated(self) -> bool {
        match self.prev {
            None => true,
            Some(p) => is_vowel(p) || matches!(p, 'ь' | 'ъ' | 'й') || is_apostrophe(p),
        }
    }

    fn word_final_after_next(self) -> bool {
        self.next2.is_none()
    }
}

/// Transliterates a name with one system. Letters outside Cyrillic pass through unchanged.
pub fn transliterate(name: &str, system: System) -> String {
    let chars: Vec<char> = name.chars().collect();
    let lower: Vec<char> = chars
        .iter()
        .map(|c| c.to_lowercase().next().unwrap_or(*c))
        .collect();
    let in_word = |i: usize| -> bool {
        let c = lower[i];
        c.is_alphabetic() || is_apostrophe(c)
    };
    let mut out = String::with_capacity(name.len() + 8);
    let mut skip = 0usize;
    for i in 0..chars.len() {
        if skip > 0 {
            skip -= 1;
            continue;
        }
        let c = lower[i];
        if !is_cyrillic(c) && !is_apostrophe(c) {
            out.push(chars[i]);
            continue;
        }
        let ctx = Ctx {
            prev: (i > 0 && in_word(i - 1)).then(|| lower[i - 1]),
            next: (i + 1 < lower.len() && in_word(i + 1)).then(|| lower[i + 1]),
            next2: (i + 2 < lower.len() && in_word(i + 1) && in_word(i + 2)).then(|| lower[i + 2]),
        };
        let (piece, consumed) = map_letter(system, c, ctx);
        skip = consumed;
        let upper = chars[i].is_uppercase();
        // A whole word in capitals (rare in names) keeps only its first letter capital.
        let mut pc = piece.chars();
        if upper {
            if let Some(first) = pc.next() {
                out.extend(first.to_uppercase());
                out.push_str(pc.as_str());
            }
        } else {
            out.push_str(piece);
        }
    }
    out
}

/// The Latin for one lower-case letter, and how many following letters it also consumed.
fn map_letter(system: System, c: char, ctx: Ctx) -> (&'static str, usize) {
    match system {
        System::UkNational => (uk_national(c, ctx), 0),
        System::BgnRu => (bgn_ru(c, ctx), 0),
        System::PressUk => (press_uk(c), 0),
        System::PressRu => press_ru(c, ctx),
        System::DeUk => (de_uk(c, ctx), 0),
        System::DeRu => de_ru(c, ctx),
        System::PlUk | System::PlRu => pl(c, ctx, system == System::PlRu),
    }
}

/// Letters every system writes the same way (or nearly), as a fallback.
fn common(c: char) -> &'static str {
    match c {
        'а' => "a",
        'б' => "b",
        'д' => "d",
        'к' => "k",
        'м' => "m",
        'н' => "n",
        'о' => "o",
        'п' => "p",
        'р' => "r",
        'т' => "t",
        'у' => "u",
        'ф' => "f",
        'ў' => "w",
        'ь' | 'ъ' => "",
        c if is_apostrophe(c) => "",
        _ => "",
    }
}

/// Ukrainian national system, KMU resolution 55 (2010).
fn uk_national(c: char, ctx: Ctx) -> &'static str {
    match c {
        'в' => "v",
        'г' if ctx.prev == Some('з') => "gh",
        'г' => "h",
        'ґ' => "g",
        'е' | 'э' => "e",
        'є' if ctx.initial() => "ye",
        'є' => "ie",
        'ж' => "zh",
        'з' => "z",
        'и' | 'ы' => "y",
        'і' => "i",
        'ї' if ctx.initial() => "yi",
        'ї' => "i",
        'й' if ctx.initial() => "y",
        'й' => "i",
        'л' => "l",
        'с' => "s",
        'х' => "kh",
        'ц' => "ts",
        'ч' => "ch",
        'ш' => "sh",
        'щ' => "shch",
        'ю' if ctx.initial() => "yu",
        'ю' => "iu",
        'я' if ctx.initial() => "ya",
        'я' => "ia",
        'ё' => "io",
        _ => common(c),
    }
}

/// BGN/PCGN 1947 for Russian (soft sign kept as an apostrophe, hard sign dropped).
fn bgn_ru(c: char, ctx: Ctx) -> &'static str {
    match c {
        'в' => "v",
        'г' | 'ґ' => "g",
        'е' if ctx.iotated() => "ye",
        'е' => "e",
        'ё' if ctx.iotated() => "yë",
        'ё' => "ë",
        'є' => "ye",
        'ж' => "zh",
        'з' => "z",
        'и' | 'і' => "i",
        'ї' => "yi",
        'й' | 'ы' => "y",
        'л' => "l",
        'с' => "s",
        'х' => "kh",
        'ц' => "ts",
        'ч' => "ch",
        'ш' => "sh",
        'щ' => "shch",
        'ь' => "'",
        'э' => "e",
        'ю' => "yu",
        'я' => "ya",
        _ => common(c),
    }
}

/// BGN/PCGN 1965 for Ukrainian: the romanisation of GeoNames' older names and of much of the
/// 2022 press (Izyum, Balakliya, Kup'yans'k).
fn press_uk(c: char) -> &'static str {
    match c {
        'в' => "v",
        'г' => "h",
        'ґ' => "g",
        'е' | 'э' => "e",
        'є' => "ye",
        'ж' => "zh",
        'з' => "z",
        'и' | 'ы' => "y",
        'і' => "i",
        'ї' => "yi",
        'й' => "y",
        'л' => "l",
        'с' => "s",
        'х' => "kh",
        'ц' => "ts",
        'ч' => "ch",
        'ш' => "sh",
        'щ' => "shch",
        'ь' => "'",
        'ю' => "yu",
        'я' => "ya",
        'ё' => "yo",
        c if is_apostrophe(c) => "'",
        _ => common(c),
    }
}

/// The plain romanisation of Russian names in English-language news: е is always e, ё is yo,
/// a final -ий/-ый is -y (Avdeevka, Artyomovsk, Krasny Liman).
fn press_ru(c: char, ctx: Ctx) -> (&'static str, usize) {
    match c {
        'и' | 'ы' if ctx.next == Some('й') && ctx.word_final_after_next() => ("y", 1),
        'в' => ("v", 0),
        'г' | 'ґ' => ("g", 0),
        'е' | 'э' => ("e", 0),
        'ё' if matches!(ctx.prev, Some('ж' | 'ч' | 'ш' | 'щ')) => ("o", 0),
        'ё' => ("yo", 0),
        'є' => ("ye", 0),
        'ж' => ("zh", 0),
        'з' => ("z", 0),
        'и' | 'і' => ("i", 0),
        'ї' => ("yi", 0),
        'й' | 'ы' => ("y", 0),
        'л' => ("l", 0),
        'с' => ("s", 0),
        'х' => ("kh", 0),
        'ц' => ("ts", 0),
        'ч' => ("ch", 0),
        'ш' => ("sh", 0),
        'щ' => ("shch", 0),
        'ю' => ("yu", 0),
        'я' => ("ya", 0),
        _ => (common(c), 0),
    }
}

/// German (Duden) for Ukrainian: Charkiw, Saporischschja, Odessa.
fn de_uk(c: char, ctx: Ctx) -> &'static str {
    match c {
        'в' => "w",
        'г' => "h",
        'ґ' => "g",
        'е' | 'э' => "e",
        'є' => "je",
        'ж' => "sch",
        'з' => "s",
        'и' | 'ы' => "y",
        'і' => "i",
        'ї' => "ji",
        'й' => "j",
        'л' => "l",
        // A single s between vowels would be voiced in German.
        'с' if ctx.prev.is_some_and(is_vowel) && ctx.next.is_some_and(is_vowel) => "ss",
        'с' => "s",
        'х' => "ch",
        'ц' => "z",
        'ч' => "tsch",
        'ш' => "sch",
        'щ' => "schtsch",
        'ю' => "ju",
        'я' => "ja",
        'ё' => "jo",
        _ => common(c),
    }
}

/// German (Duden) for Russian: Sudscha, Brjansk, Awdejewka, Krasnoarmeisk.
fn de_ru(c: char, ctx: Ctx) -> (&'static str, usize) {
    let s = match c {
        'в' => "w",
        'г' | 'ґ' => "g",
        'е' if ctx.iotated() => "je",
        'е' | 'э' => "e",
        'ё' if matches!(ctx.prev, Some('ж' | 'ч' | 'ш' | 'щ')) => "o",
        'ё' => "jo",
        'є' => "je",
        'ж' => "sch",
        'з' => "s",
        'и' if ctx.next == Some('й') && ctx.word_final_after_next() => return ("i", 1),
        'ы' if ctx.next == Some('й') && ctx.word_final_after_next() => return ("y", 1),
        'и' | 'і' => "i",
        'ї' => "ji",
        'й' if ctx.next.is_some_and(is_vowel) => "j",
        'й' => "i",
        'ы' => "y",
        'л' => "l",
        'с' if ctx.prev.is_some_and(is_vowel) && ctx.next.is_some_and(is_vowel) => "ss",
        'с' => "s",
        'х' => "ch",
        'ц' => "z",
        'ч' => "tsch",
        'ш' => "sch",
        'щ' => "schtsch",
        'ю' => "ju",
        'я' => "ja",
        _ => common(c),
    };
    (s, 0)
}

/// Polish, for Ukrainian (`ru == false`) and Russian names: Kupiańsk, Pokrowsk, Biełgorod.
/// The soft sign softens the consonant before it (нь → ń before a consonant; сь, зь, ць, нь →
/// ś, ź, ć, ń at a word end or before a vowel) and is then silent.
fn pl(c: char, ctx: Ctx, ru: bool) -> (&'static str, usize) {
    let after_l = ctx.prev == Some('л');
    let after_hushing = matches!(ctx.prev, Some('ж' | 'ц' | 'ч' | 'ш' | 'щ'));
    let soft_next = ctx.next == Some('ь');
    let vowel_or_end_after_soft = match ctx.next2 {
        None => true,
        Some(n) => is_vowel(n),
    };
    let s = match c {
        'в' => "w",
        'г' if ru => "g",
        'г' => "h",
        'ґ' => "g",
        'ж' => "ż",
        'з' if soft_next && vowel_or_end_after_soft => "ź",
        'з' => "z",
        'с' if soft_next && vowel_or_end_after_soft => "ś",
        'с' => "s",
        'ц' if soft_next && vowel_or_end_after_soft => "ć",
        'ц' => "c",
        'н' if soft_next => "ń",
        // -нск- is -ńsk- in Polish exonyms even without a soft sign (Briańsk, Smoleńsk).
        'н' if ctx.next == Some('с') && matches!(ctx.next2, Some('к' | 'ь')) => "ń",
        'л' => {
            let soft = match ctx.next {
                Some(n) => {
                    matches!(n, 'і' | 'ї' | 'є' | 'ю' | 'я' | 'ь' | 'ё')
                        || (ru && matches!(n, 'е' | 'и'))
                }
                None => false,
            };
            if soft {
                "l"
            } else {
                "ł"
            }
        }
        'е' if ru && ctx.iotated() => "je",
        'е' if ru && !after_l && !after_hushing => "ie",
        'е' | 'э' => "e",
        'є' if ctx.iotated() => "je",
        'є' if after_l => "e",
        'є' => "ie",
        'ё' if ctx.iotated() => "jo",
        'ё' if after_l || after_hushing => "o",
        'ё' => "io",
        'и' if ru && !matches!(ctx.prev, Some('ж' | 'ц' | 'ш')) => "i",
        'и' | 'ы' => "y",
        'і' => "i",
        'ї' => "ji",
        'й' => "j",
        'ю' if ctx.iotated() && !is_apostrophe_ctx(ctx) => "ju",
        'ю' if after_l => "u",
        'ю' => "iu",
        'я' if ctx.iotated() && !is_apostrophe_ctx(ctx) => "ja",
        'я' if after_l => "a",
        'я' => "ia",
        'х' => "ch",
        'ч' => "cz",
        'ш' => "sz",
        'щ' => "szcz",
        _ => common(c),
    };
    (s, 0)
}

/// Polish exonyms write я after the Ukrainian apostrophe as after a consonant (Kupiańsk,
/// Słowiańsk), not as ja.
fn is_apostrophe_ctx(ctx: Ctx) -> bool {
    ctx.prev.is_some_and(is_apostrophe)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn languages_from_letters() {
        let cases = [
            ("Авдіївка", Some(CyrLang::Uk)),
            ("Куп’янськ", Some(CyrLang::Both)),
            ("Артёмовск", Some(CyrLang::Ru)),
            ("Славянск", Some(CyrLang::Both)),
            ("Кринки", Some(CyrLang::Both)),
            ("Kupiansk", None),
            ("Kиїв", None),
            ("", None),
        ];
        for (name, want) in cases {
            assert_eq!(cyrillic_lang(name), want, "{name}");
        }
    }

    fn check(system: System, cases: &[(&str, &str)]) {
        for (input, want) in cases {
            assert_eq!(transliterate(input, system), *want, "{system:?} {input}");
        }
    }

    #[test]
    fn ukrainian_national() {
        check(
            System::UkNational,
            &[
                ("Куп’янськ", "Kupiansk"),
                ("Запоріжжя", "Zaporizhzhia"),
                ("Ізюм", "Izium"),
                ("Авдіївка", "Avdiivka"),
                ("Балаклія", "Balakliia"),
                ("Київ", "Kyiv"),
                ("Єнакієве", "Yenakiieve"),
                ("Згурівка", "Zghurivka"),
                ("Розгон", "Rozghon"),
                ("Ясинувата", "Yasynuvata"),
                ("Юрівка", "Yurivka"),
                ("Їжакевич", "Yizhakevych"),
                ("Йосипівка", "Yosypivka"),
                ("Часів Яр", "Chasiv Yar"),
                ("Велика Новосілка", "Velyka Novosilka"),
                ("Харківщина", "Kharkivshchyna"),
                ("Покровський район", "Pokrovskyi raion"),
                ("Біла Церква", "Bila Tserkva"),
            ],
        );
    }

    #[test]
    fn bgn_russian() {
        check(
            System::BgnRu,
            &[
                ("Купянск", "Kupyansk"),
                ("Авдеевка", "Avdeyevka"),
                ("Угледар", "Ugledar"),
                ("Часов Яр", "Chasov Yar"),
                ("Славянск", "Slavyansk"),
                ("Артёмовск", "Artëmovsk"),
                ("Дзержинск", "Dzerzhinsk"),
                ("Красноармейск", "Krasnoarmeysk"),
                ("Балаклея", "Balakleya"),
                ("Запорожье", "Zaporozh'ye"),
                ("Харьков", "Khar'kov"),
                ("Киев", "Kiyev"),
                ("Суджа", "Sudzha"),
                ("Волчанск", "Volchansk"),
                ("Елец", "Yelets"),
            ],
        );
    }

    #[test]
    fn press_forms() {
        check(
            System::PressUk,
            &[
                ("Ізюм", "Izyum"),
                ("Балаклія", "Balakliya"),
                ("Авдіївка", "Avdiyivka"),
                ("Куп’янськ", "Kup'yans'k"),
                ("Київ", "Kyyiv"),
            ],
        );
        check(
            System::PressRu,
            &[
                ("Авдеевка", "Avdeevka"),
                ("Артёмовск", "Artyomovsk"),
                ("Красный Лиман", "Krasny Liman"),
                ("Киев", "Kiev"),
                ("Орёл", "Oryol"),
                ("Красноармейск", "Krasnoarmeysk"),
            ],
        );
    }

    #[test]
    fn german() {
        check(
            System::DeUk,
            &[
                ("Харків", "Charkiw"),
                ("Куп’янськ", "Kupjansk"),
                ("Авдіївка", "Awdijiwka"),
                ("Запоріжжя", "Saporischschja"),
                ("Бахмут", "Bachmut"),
                ("Київ", "Kyjiw"),
                ("Донецьк", "Donezk"),
                ("Одеса", "Odessa"),
                ("Ізюм", "Isjum"),
                ("Кременчук", "Krementschuk"),
            ],
        );
        check(
            System::DeRu,
            &[
                ("Суджа", "Sudscha"),
                ("Брянск", "Brjansk"),
                ("Авдеевка", "Awdejewka"),
                ("Красноармейск", "Krasnoarmeisk"),
                ("Маяк", "Majak"),
                ("Ясиноватая", "Jassinowataja"),
                ("Великий Новгород", "Weliki Nowgorod"),
            ],
        );
    }

    #[test]
    fn polish() {
        check(
            System::PlUk,
            &[
                ("Куп’янськ", "Kupiańsk"),
                ("Авдіївка", "Awdijiwka"),
                ("Покровськ", "Pokrowsk"),
                ("Бахмут", "Bachmut"),
                ("Слов’янськ", "Słowiańsk"),
                ("Часів Яр", "Czasiw Jar"),
                ("Вугледар", "Wuhłedar"),
                ("Торецьк", "Toreck"),
                ("Ізюм", "Izium"),
                ("Луганськ", "Łuhańsk"),
                ("Люботин", "Lubotyn"),
                ("Вовчанськ", "Wowczańsk"),
                ("Гусь", "Huś"),
            ],
        );
        check(
            System::PlRu,
            &[
                ("Белгород", "Biełgorod"),
                ("Брянск", "Briańsk"),
                ("Суджа", "Sudża"),
                ("Авдеевка", "Awdiejewka"),
                ("Москва", "Moskwa"),
                ("Воронеж", "Woronież"),
                ("Смоленск", "Smoleńsk"),
                ("Ростов-на-Дону", "Rostow-na-Donu"),
            ],
        );
    }

    #[test]
    fn variants_by_language_without_duplicates() {
        let v = variants("Куп’янськ");
        let names: Vec<&str> = v.iter().map(|(n, _)| n.as_str()).collect();
        // Both readings; Kupyans'k, Kup'yans'k and Kupyansk are one key and appear once.
        for want in ["Kupiansk", "Kupyans'k", "Kupjansk", "Kupiańsk"] {
            assert!(names.contains(&want), "{want} missing from {names:?}");
        }
        assert_eq!(names.len(), 4, "{names:?}");
        // Ukrainian letters: no Russian readings.
        let v = variants("Авдіївка");
        assert!(v.iter().all(|(_, s)| !matches!(
            s,
            System::BgnRu | System::PressRu | System::DeRu | System::PlRu
        )));
        // Abbreviations and Latin names give nothing.
        assert!(variants("РФ").is_empty());
        assert!(variants("Kupiansk").is_empty());
    }
}
