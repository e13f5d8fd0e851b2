//! Dates: metadata strings (`2022-09-12T10:00:00+03:00`, RFC 2822, `12/09/2022`…) and the
//! dates an article's text states, in the seven article languages.
//!
//! Decisions:
//! - Numeric dates are day-first (`12/9/2022`, `12.09.2022`, `12-09-2022` are 12 September),
//!   as in Indonesian and every European language here. Only in English text (`lang` is
//!   `en`) and only with `/` is `9/12/2022` read month-first; when the preferred reading is
//!   impossible the other one is tried (`13/9/2022` in English is 13 September). Metadata
//!   strings have no language and are day-first.
//! - `date_in_text` returns the first complete date (day, month, year) the text states. Only
//!   when there is none does it fall back, given a publication date, to the first day and
//!   month without a year (the most recent such day on or before publication), then to the
//!   first weekday mention (the most recent such weekday on or before publication).
//! - Impossible dates (31/2) and years before 1990 or after 2100 are not dates.
//! - A datetime with an offset keeps the date of its own offset (the publisher's local day),
//!   not the UTC date.

use std::collections::HashMap;
use std::sync::OnceLock;

use super::letters::{is_letter, push_lower};

use chrono::{Datelike, Duration, NaiveDate};

/// Earliest and latest year taken for a date; anything else is a number, not a date.
pub const YEARS: std::ops::RangeInclusive<i32> = 1990..=2100;

/// `YYYY-MM-DD`, the form every layer writes, as `format("%Y-%m-%d")` gives it: written
/// digit by digit, where chrono parses its format string on every call (a percent of `map`'s
/// instructions, a few dates per article).
pub fn iso_date(d: NaiveDate) -> String {
    let year = d.year();
    if !(0..=9999).contains(&year) {
        return d.format("%Y-%m-%d").to_string();
    }
    let digit = |n: u32| b'0' + (n % 10) as u8;
    let (y, m, day) = (year as u32, d.month(), d.day());
    let bytes = [
        digit(y / 1000),
        digit(y / 100),
        digit(y / 10),
        digit(y),
        b'-',
        digit(m / 10),
        digit(m),
        b'-',
        digit(day / 10),
        digit(day),
    ];
    bytes.iter().map(|&b| b as char).collect()
}

/// A date from a metadata field: ISO 8601 dates and datetimes (with or without offset,
/// `2022-09-12`, `2022-09-12T10:00:00+03:00`, `2022/09/12`, `20220912`), RFC 2822
/// (`Mon, 12 Sep 2022 10:00:00 +0000`), day-first numeric dates (`12/09/2022`, `12.09.2022`),
/// Unix timestamps in seconds, and the written forms `date_in_text` knows
/// (`September 12, 2022`, `12 вересня 2022`).
pub fn parse_metadata_date(s: &str) -> Option<NaiveDate> {
    let s = s.trim();
    if s.is_empty() {
        return None;
    }
    let b = s.as_bytes();
    // Year first: 2022-09-12…, 2022/9/12, 2022.09.12, 20220912.
    if b.len() >= 8 && b[..4].iter().all(u8::is_ascii_digit) {
        if matches!(b[4], b'-' | b'/' | b'.') {
            let sep = b[4] as char;
            let mut it = s[5..].splitn(2, sep);
            let month = it.next().and_then(parse_small);
            let day = it.next().map(|rest| {
                let digits: String = rest.chars().take_while(char::is_ascii_digit).collect();
                digits
            });
            if let (Some(m), Some(d)) = (month, day) {
                if let (Ok(y), Some(d)) = (s[..4].parse::<i32>(), parse_small(&d)) {
                    return ymd(y, m, d);
                }
            }
            return None;
        }
        if b.len() == 8 && b.iter().all(u8::is_ascii_digit) {
            let y = s[..4].parse().ok()?;
            return ymd(y, s[4..6].parse().ok()?, s[6..8].parse().ok()?);
        }
    }
    // Unix time in seconds (10 digits) or milliseconds (13 digits).
    if (b.len() == 10 || b.len() == 13) && b.iter().all(u8::is_ascii_digit) {
        let mut secs: i64 = s.parse().ok()?;
        if b.len() == 13 {
            secs /= 1000;
        }
        let d = chrono::DateTime::from_timestamp(secs, 0)?.date_naive();
        return YEARS.contains(&d.year()).then_some(d);
    }
    if let Ok(dt) = chrono::DateTime::parse_from_rfc2822(s) {
        let d = dt.date_naive();
        return YEARS.contains(&d.year()).then_some(d);
    }
    let tokens = tokenize(s);
    (0..tokens.len()).find_map(|i| explicit_at(&tokens, i, None).map(|(d, _)| d))
}

/// The date an article's text states (see the module docs for the order of preference).
/// `lang` (ISO 639-1) decides how `9/12/2022` is read and which weekday names count;
/// `published` anchors yearless dates and weekday mentions, which give nothing without it.
pub fn date_in_text(
    text: &str,
    lang: Option<&str>,
    published: Option<NaiveDate>,
) -> Option<NaiveDate> {
    // A sliding window over the tokens: patterns look at most LOOK_AHEAD tokens forward and
    // KEEP_BEHIND back, so the window stays small however long the text is.
    const LOOK_AHEAD: usize = 12;
    const KEEP_BEHIND: usize = 4;
    let mut source = Tokens {
        chars: text.char_indices().peekable(),
    };
    let mut tokens: Vec<Token> = Vec::new();
    let mut partial: Option<(u32, u32)> = None;
    let mut weekday: Option<u32> = None;
    let mut i = 0;
    loop {
        while tokens.len() <= i + LOOK_AHEAD {
            match source.next() {
                Some(t) => tokens.push(t),
                None => break,
            }
        }
        if i >= tokens.len() {
            break;
        }
        if let Some((date, _)) = explicit_at(&tokens, i, lang) {
            return Some(date);
        }
        if published.is_some() {
            if partial.is_none() {
                partial = yearless_at(&tokens, i);
            }
            if weekday.is_none() {
                weekday = weekday_at(&tokens, i, lang);
            }
        }
        i += 1;
        if i > 1024 {
            tokens.drain(..i - KEEP_BEHIND);
            i = KEEP_BEHIND;
        }
    }
    let published = published?;
    if let Some((month, day)) = partial {
        let this_year = ymd(published.year(), month, day);
        match this_year {
            Some(d) if d <= published => return Some(d),
            _ => {
                if let Some(d) = ymd(published.year() - 1, month, day) {
                    return Some(d);
                }
            }
        }
    }
    let wd = weekday?;
    let back = (published.weekday().num_days_from_monday() + 7 - wd) % 7;
    Some(published - Duration::days(i64::from(back)))
}

/// A plausible calendar date, or None.
fn ymd(year: i32, month: u32, day: u32) -> Option<NaiveDate> {
    if !YEARS.contains(&year) {
        return None;
    }
    NaiveDate::from_ymd_opt(year, month, day)
}

fn parse_small(s: &str) -> Option<u32> {
    if s.is_empty() || s.len() > 2 || !s.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    s.parse().ok()
}

#[derive(Debug, Clone, PartialEq)]
enum Kind {
    /// ASCII digits: value (saturating) and digit count.
    Num(u32, usize),
    /// A word, lowercased, apostrophes unified to `'`.
    Word(String),
    Punct(char),
}

#[derive(Debug, Clone)]
struct Token {
    kind: Kind,
    start: usize,
    end: usize,
}

fn tokenize(text: &str) -> Vec<Token> {
    Tokens {
        chars: text.char_indices().peekable(),
    }
    .collect()
}

/// Tokens produced lazily, so that a long text is never held as tokens all at once.
struct Tokens<'a> {
    chars: std::iter::Peekable<std::str::CharIndices<'a>>,
}

impl Iterator for Tokens<'_> {
    type Item = Token;

    fn next(&mut self) -> Option<Token> {
        let chars = &mut self.chars;
        while let Some((start, c)) = chars.next() {
            if c.is_ascii_digit() {
                let mut end = start + 1;
                let mut value = c.to_digit(10).unwrap_or(0);
                let mut digits = 1;
                while let Some(&(i, d)) = chars.peek() {
                    if !d.is_ascii_digit() {
                        break;
                    }
                    value = value
                        .saturating_mul(10)
                        .saturating_add(d.to_digit(10).unwrap_or(0));
                    digits += 1;
                    end = i + 1;
                    chars.next();
                }
                return Some(Token {
                    kind: Kind::Num(value, digits),
                    start,
                    end,
                });
            } else if is_letter(c) && c != 'ʼ' {
                let mut word = String::new();
                push_lower(&mut word, c);
                let mut end = start + c.len_utf8();
                while let Some(&(i, d)) = chars.peek() {
                    // Apostrophes first: U+02BC counts as a letter to `is_alphabetic`.
                    if matches!(d, '\'' | '’' | 'ʼ') {
                        // An apostrophe inside a word (п'ятниця, jum'at) only if a letter follows.
                        let mut look = chars.clone();
                        look.next();
                        match look.peek() {
                            Some(&(_, n)) if is_letter(n) => {
                                word.push('\'');
                                end = i + d.len_utf8();
                                chars.next();
                            }
                            _ => break,
                        }
                    } else if is_letter(d) || is_mark(d) {
                        push_lower(&mut word, d);
                        end = i + d.len_utf8();
                        chars.next();
                    } else {
                        break;
                    }
                }
                return Some(Token {
                    kind: Kind::Word(word),
                    start,
                    end,
                });
            } else if !c.is_whitespace() {
                return Some(Token {
                    kind: Kind::Punct(c),
                    start,
                    end: start + c.len_utf8(),
                });
            }
        }
        None
    }
}

fn is_mark(c: char) -> bool {
    matches!(c, '\u{0300}'..='\u{036f}')
}

fn adjacent(a: &Token, b: &Token) -> bool {
    a.end == b.start
}

fn num(t: Option<&Token>) -> Option<(u32, usize)> {
    match t.map(|t| &t.kind) {
        Some(Kind::Num(v, d)) => Some((*v, *d)),
        _ => None,
    }
}

fn punct(t: Option<&Token>) -> Option<char> {
    match t.map(|t| &t.kind) {
        Some(Kind::Punct(c)) => Some(*c),
        _ => None,
    }
}

fn word(t: Option<&Token>) -> Option<&str> {
    match t.map(|t| &t.kind) {
        Some(Kind::Word(w)) => Some(w.as_str()),
        _ => None,
    }
}

/// A complete date starting at token `i`, and the index of its last token.
fn explicit_at(t: &[Token], i: usize, lang: Option<&str>) -> Option<(NaiveDate, usize)> {
    numeric_at(t, i, lang)
        .or_else(|| day_month_at(t, i, true))
        .or_else(|| month_day_at(t, i, true))
}

/// `12/9/2022`, `12.09.2022`, `12-09-2022`, `2022-09-12`, `2022/09/12`.
fn numeric_at(t: &[Token], i: usize, lang: Option<&str>) -> Option<(NaiveDate, usize)> {
    let (a, ad) = num(t.get(i))?;
    let sep = punct(t.get(i + 1))?;
    if !matches!(sep, '/' | '.' | '-') {
        return None;
    }
    let (b, bd) = num(t.get(i + 2))?;
    if punct(t.get(i + 3))? != sep {
        return None;
    }
    let (c, cd) = num(t.get(i + 4))?;
    if !(i..i + 4).all(|k| adjacent(&t[k], &t[k + 1])) {
        return None;
    }
    // Part of a longer run of numbers (a version, a phone number): not a date.
    let continues_before = i >= 2
        && matches!(punct(t.get(i - 1)), Some('/' | '.' | '-'))
        && adjacent(&t[i - 1], &t[i])
        && num(t.get(i - 2)).is_some()
        && adjacent(&t[i - 2], &t[i - 1]);
    let continues_after = matches!(punct(t.get(i + 5)), Some(p) if p == sep)
        && adjacent(&t[i + 4], &t[i + 5])
        && num(t.get(i + 6)).is_some_and(|_| adjacent(&t[i + 5], &t[i + 6]));
    if continues_before || continues_after {
        return None;
    }
    let date = if ad == 4 && bd <= 2 && cd <= 2 {
        ymd(a as i32, b, c)
    } else if ad <= 2 && bd <= 2 && cd == 4 {
        let year = c as i32;
        let month_first = lang == Some("en") && sep == '/';
        if month_first {
            ymd(year, a, b).or_else(|| ymd(year, b, a))
        } else {
            ymd(year, b, a).or_else(|| ymd(year, a, b))
        }
    } else {
        None
    };
    date.map(|d| (d, i + 4))
}

/// Skips an ordinal ending after the day at `i` (`12th`, `1er`, `12-го`): the index of the
/// day's last token.
fn day_end(t: &[Token], i: usize) -> usize {
    const SUFFIXES: [&str; 6] = ["st", "nd", "rd", "th", "er", "re"];
    if let Some(w) = word(t.get(i + 1)) {
        if adjacent(&t[i], &t[i + 1]) && SUFFIXES.contains(&w) {
            return i + 1;
        }
    }
    if punct(t.get(i + 1)) == Some('-') && adjacent(&t[i], &t[i + 1]) {
        if let Some(w) = word(t.get(i + 2)) {
            if adjacent(&t[i + 1], &t[i + 2]) && matches!(w, "го" | "е" | "ого") {
                return i + 2;
            }
        }
    }
    i
}

fn day_at(t: &[Token], i: usize) -> Option<u32> {
    match num(t.get(i)) {
        Some((d, digits)) if digits <= 2 && (1..=31).contains(&d) => Some(d),
        _ => None,
    }
}

/// A four-digit year at `i`.
fn year_at(t: &[Token], i: usize) -> Option<i32> {
    match num(t.get(i)) {
        Some((y, 4)) => Some(y as i32),
        _ => None,
    }
}

/// `12 September 2022`, `12. September 2022`, `1er septembre 2022`, `12 вересня 2022`,
/// `12 Sept. 2022`; with `need_year == false` also `12 September` (returned with year 2000
/// as a placeholder by `yearless_at`).
fn day_month_at(t: &[Token], i: usize, need_year: bool) -> Option<(NaiveDate, usize)> {
    let day = day_at(t, i)?;
    // Not the tail of a numeric run (`1.12 September` is unlikely, `2.12.` is a date elsewhere).
    if i > 0
        && matches!(punct(t.get(i - 1)), Some('.' | '/' | '-' | ','))
        && adjacent(&t[i - 1], &t[i])
    {
        return None;
    }
    let mut k = day_end(t, i) + 1;
    if punct(t.get(k)) == Some('.') {
        k += 1;
    }
    let month_word = word(t.get(k))?;
    let (month, abbr) = month_of(month_word)?;
    let month_idx = k;
    k += 1;
    if punct(t.get(k)) == Some('.') {
        k += 1;
    }
    if punct(t.get(k)) == Some(',') {
        k += 1;
    }
    match year_at(t, k) {
        Some(year) => ymd(year, month, day).map(|d| (d, k)),
        None if !need_year && !abbr && !is_ambiguous_month(month_word) => {
            ymd(2000, month, day).map(|d| (d, month_idx))
        }
        None => None,
    }
}

/// `September 12, 2022`, `Sept. 12, 2022`, `Sep 12th, 2022`; yearless `September 12`.
fn month_day_at(t: &[Token], i: usize, need_year: bool) -> Option<(NaiveDate, usize)> {
    let w = word(t.get(i))?;
    let (month, abbr) = month_of(w)?;
    let mut k = i + 1;
    if punct(t.get(k)) == Some('.') {
        k += 1;
    }
    let day = day_at(t, k)?;
    let end_day = day_end(t, k);
    let mut y = end_day + 1;
    if punct(t.get(y)) == Some(',') {
        y += 1;
    }
    match year_at(t, y) {
        Some(year) => ymd(year, month, day).map(|d| (d, y)),
        None if !need_year && !abbr && !is_ambiguous_month(w) => {
            // `September 12 2022` was handled above; a following number means something else.
            if num(t.get(end_day + 1)).is_some() {
                return None;
            }
            ymd(2000, month, day).map(|d| (d, end_day))
        }
        None => None,
    }
}

/// Month and day without a year (`12 September`, `September 12`), full month names only.
fn yearless_at(t: &[Token], i: usize) -> Option<(u32, u32)> {
    day_month_at(t, i, false)
        .or_else(|| month_day_at(t, i, false))
        .map(|(d, _)| (d.month(), d.day()))
}

/// Month words that are also common words; never taken without a year.
fn is_ambiguous_month(w: &str) -> bool {
    matches!(w, "may" | "march" | "mars" | "maj" | "maja")
}

/// Month number and whether the word is an abbreviation.
fn month_of(w: &str) -> Option<(u32, bool)> {
    static MONTHS: OnceLock<HashMap<&'static str, (u32, bool)>> = OnceLock::new();
    MONTHS
        .get_or_init(|| {
            let mut m = HashMap::new();
            for (month, names) in FULL_MONTHS.iter().enumerate() {
                for n in names.split_whitespace() {
                    m.insert(n, (month as u32 + 1, false));
                }
            }
            for (month, names) in ABBR_MONTHS.iter().enumerate() {
                for n in names.split_whitespace() {
                    m.entry(n).or_insert((month as u32 + 1, true));
                }
            }
            m
        })
        .get(w)
        .copied()
}

/// Full month names, all case forms, in en, id, de, fr, pl, uk, ru (lowercase).
const FULL_MONTHS: [&str; 12] = [
    "january januari januar jänner janvier styczeń stycznia styczniu січень січня января январь",
    "february februari februar février fevrier luty lutego lutym лютий лютого февраль февраля",
    "march maret märz maerz mars marzec marca marcu березень березня март марта",
    "april avril kwiecień kwietnia kwietniu квітень квітня апрель апреля",
    "may mei mai maj maja maju травень травня май мая",
    "june juni juin czerwiec czerwca czerwcu червень червня июнь июня",
    "july juli juillet lipiec lipca lipcu липень липня июль июля",
    "august agustus août aout sierpień sierpnia sierpniu серпень серпня август августа",
    "september septembre wrzesień września wrześniu вересень вересня сентябрь сентября",
    "october oktober octobre październik października październiku жовтень жовтня октябрь октября",
    "november nopember novembre listopad listopada listopadzie листопад листопада ноябрь ноября",
    "december desember dezember décembre decembre grudzień grudnia grudniu грудень грудня декабрь декабря",
];

/// Abbreviations (the trailing `.` is a separate token).
const ABBR_MONTHS: [&str; 12] = [
    "jan janv sty січ янв",
    "feb febr fév févr fev fevr lut лют фев февр",
    "mar mär mrz бер",
    "apr avr kwi кві",
    "",
    "jun juin cze чер июн",
    "jul juil lip лип июл",
    "aug agu agt ags sie сер авг",
    "sep sept wrz вер сен сент",
    "oct okt paź paz жов окт",
    "nov lis лис ноя нояб",
    "dec dez des déc gru гру дек",
];

/// A weekday named at `i` (0 = Monday), in `lang`'s words, or any language's when unknown.
fn weekday_at(t: &[Token], i: usize, lang: Option<&str>) -> Option<u32> {
    let w = word(t.get(i))?;
    for (code, days) in WEEKDAYS {
        if lang.is_some_and(|l| WEEKDAYS.iter().any(|(c, _)| *c == l) && l != code) {
            continue;
        }
        for (wd, forms) in days.iter().enumerate() {
            if forms.split_whitespace().any(|f| f == w) {
                if code == "id" && w == "minggu" && !indonesian_sunday(t, i) {
                    return None;
                }
                return Some(wd as u32);
            }
        }
    }
    None
}

/// "Minggu" is Sunday but also "week" (`dua minggu lalu`): Sunday only after `hari`/`pada`/
/// `sejak`, or right before a comma or parenthesis (`Minggu (11/9/2022)`).
fn indonesian_sunday(t: &[Token], i: usize) -> bool {
    let before = i.checked_sub(1).and_then(|p| word(t.get(p)));
    matches!(before, Some("hari" | "pada" | "sejak"))
        || matches!(punct(t.get(i + 1)), Some(',' | '('))
}

/// Weekday forms (nominative and the case used for "on <day>"), Monday first.
/// Russian `среда` is left out: it also means "environment"; `в среду` is the usual form.
const WEEKDAYS: [(&str, [&str; 7]); 7] = [
    (
        "en",
        [
            "monday",
            "tuesday",
            "wednesday",
            "thursday",
            "friday",
            "saturday",
            "sunday",
        ],
    ),
    (
        "id",
        [
            "senin",
            "selasa",
            "rabu",
            "kamis",
            "jumat jum'at",
            "sabtu",
            "minggu ahad",
        ],
    ),
    (
        "de",
        [
            "montag",
            "dienstag",
            "mittwoch",
            "donnerstag",
            "freitag",
            "samstag sonnabend",
            "sonntag",
        ],
    ),
    (
        "fr",
        [
            "lundi", "mardi", "mercredi", "jeudi", "vendredi", "samedi", "dimanche",
        ],
    ),
    (
        "pl",
        [
            "poniedziałek",
            "wtorek",
            "środa środę",
            "czwartek",
            "piątek",
            "sobota sobotę",
            "niedziela niedzielę",
        ],
    ),
    (
        "uk",
        [
            "понеділок",
            "вівторок",
            "середа середу",
            "четвер",
            "п'ятниця п'ятницю",
            "субота суботу",
            "неділя неділю",
        ],
    ),
    (
        "ru",
        [
            "понедельник",
            "вторник",
            "среду",
            "четверг",
            "пятница пятницу",
            "суббота субботу",
            "воскресенье",
        ],
    ),
];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn iso_date_is_chronos_format() {
        let days = [
            (0, 1, 1),
            (9, 12, 31),
            (999, 2, 28),
            (1990, 1, 1),
            (2022, 9, 12),
            (2024, 2, 29),
            (9999, 12, 31),
            (10000, 1, 1),
            (-1, 6, 15),
            (-44, 3, 15),
        ];
        for (y, m, d) in days {
            let date = NaiveDate::from_ymd_opt(y, m, d).unwrap();
            assert_eq!(
                iso_date(date),
                date.format("%Y-%m-%d").to_string(),
                "{y}-{m}-{d}"
            );
        }
        // Every day of a few years, leap days included.
        let mut date = NaiveDate::from_ymd_opt(2019, 12, 25).unwrap();
        while date.year() < 2025 {
            assert_eq!(iso_date(date), date.format("%Y-%m-%d").to_string());
            date = date.succ_opt().unwrap();
        }
    }

    fn d(y: i32, m: u32, day: u32) -> Option<NaiveDate> {
        NaiveDate::from_ymd_opt(y, m, day)
    }

    #[test]
    fn metadata_dates() {
        let cases: &[(&str, Option<NaiveDate>)] = &[
            ("2022-09-12", d(2022, 9, 12)),
            ("  2022-09-12  ", d(2022, 9, 12)),
            ("2022-09-12T10:00:00Z", d(2022, 9, 12)),
            ("2022-09-12T23:30:00+03:00", d(2022, 9, 12)),
            ("2022-09-12T01:30:00-0500", d(2022, 9, 12)),
            ("2022-09-12 10:00:00", d(2022, 9, 12)),
            ("2022-9-1", d(2022, 9, 1)),
            ("2022/09/12", d(2022, 9, 12)),
            ("2022.09.12", d(2022, 9, 12)),
            ("20220912", d(2022, 9, 12)),
            ("Mon, 12 Sep 2022 10:00:00 +0000", d(2022, 9, 12)),
            ("Mon, 12 Sep 2022 10:00:00 GMT", d(2022, 9, 12)),
            ("Mon, 12 Sep 2022 23:00:00 -0700", d(2022, 9, 12)),
            ("12/09/2022", d(2022, 9, 12)),
            ("12.09.2022", d(2022, 9, 12)),
            ("12-09-2022", d(2022, 9, 12)),
            ("09/13/2022", d(2022, 9, 13)),
            ("September 12, 2022", d(2022, 9, 12)),
            ("Sept. 12, 2022 4:05 PM", d(2022, 9, 12)),
            ("12 вересня 2022", d(2022, 9, 12)),
            ("1662976800", d(2022, 9, 12)),
            ("1662976800000", d(2022, 9, 12)),
            ("2022-02-31", None),
            ("31/02/2022", None),
            ("1899-01-01", None),
            ("2222-01-01", None),
            ("2022-09", None),
            ("", None),
            ("yesterday", None),
            ("12345", None),
        ];
        for (s, want) in cases {
            assert_eq!(parse_metadata_date(s), *want, "parse_metadata_date({s:?})");
        }
    }

    #[test]
    fn dates_in_text() {
        // (text, language, publication date, expected date)
        type Case<'a> = (
            &'a str,
            Option<&'a str>,
            Option<NaiveDate>,
            Option<NaiveDate>,
        );
        let pub_ = d(2022, 9, 14); // a Wednesday
        #[rustfmt::skip]
        let cases: &[Case] = &[
            // Indonesian
            ("Pasukan bergerak pada Senin (12/9/2022) pagi.", Some("id"), None, d(2022, 9, 12)),
            ("Laporan 12/9/2022 menyebutkan", Some("id"), None, d(2022, 9, 12)),
            ("pada 12 September 2022", Some("id"), None, d(2022, 9, 12)),
            ("pada 17 Agustus 2022", Some("id"), None, d(2022, 8, 17)),
            ("sejak 1 Oktober 2022", Some("id"), None, d(2022, 10, 1)),
            ("tanggal 5 Desember 2022", Some("id"), None, d(2022, 12, 5)),
            ("tanggal 5 Des 2022", Some("id"), None, d(2022, 12, 5)),
            ("pada 3 Mei 2023", Some("id"), None, d(2023, 5, 3)),
            ("pada 3 Okt. 2023", Some("id"), None, d(2023, 10, 3)),
            ("pada hari Minggu pasukan mundur", Some("id"), pub_, d(2022, 9, 11)),
            ("dua minggu lalu pasukan mundur", Some("id"), pub_, None),
            ("Selasa malam terjadi serangan", Some("id"), pub_, d(2022, 9, 13)),
            ("Senin terjadi serangan", Some("id"), None, None),
            // English
            ("On September 12, 2022, troops", Some("en"), None, d(2022, 9, 12)),
            ("On Sept. 12, 2022, troops", Some("en"), None, d(2022, 9, 12)),
            ("On Sep 12th, 2022, troops", Some("en"), None, d(2022, 9, 12)),
            ("on 12 September 2022", Some("en"), None, d(2022, 9, 12)),
            ("on the 1st of", Some("en"), None, None),
            ("report of 9/12/2022", Some("en"), None, d(2022, 9, 12)),
            ("report of 9/12/2022", None, None, d(2022, 12, 9)),
            ("report of 13/9/2022", Some("en"), None, d(2022, 9, 13)),
            ("report of 2022-09-12", Some("en"), None, d(2022, 9, 12)),
            ("on Sunday the shelling", Some("en"), pub_, d(2022, 9, 11)),
            ("on Wednesday the shelling", Some("en"), pub_, d(2022, 9, 14)),
            ("on Thursday the shelling", Some("en"), pub_, d(2022, 9, 8)),
            ("on September 10 the shelling", Some("en"), pub_, d(2022, 9, 10)),
            ("on September 20 the shelling", Some("en"), pub_, d(2021, 9, 20)),
            ("troops may 12 times", Some("en"), pub_, None),
            // Ukrainian
            ("12 вересня 2022 року ЗСУ", Some("uk"), None, d(2022, 9, 12)),
            ("1 березня 2022 р.", Some("uk"), None, d(2022, 3, 1)),
            ("у неділю ворог обстріляв", Some("uk"), pub_, d(2022, 9, 11)),
            ("у п'ятницю ворог обстріляв", Some("uk"), pub_, d(2022, 9, 9)),
            ("у пʼятницю ворог обстріляв", Some("uk"), pub_, d(2022, 9, 9)),
            ("12.09.2022 ворог", Some("uk"), None, d(2022, 9, 12)),
            // Russian
            ("12 сентября 2022 года войска", Some("ru"), None, d(2022, 9, 12)),
            ("12-го сентября 2022 года", Some("ru"), None, d(2022, 9, 12)),
            ("в воскресенье войска", Some("ru"), pub_, d(2022, 9, 11)),
            ("окружающая среда", Some("ru"), pub_, None),
            ("в среду войска", Some("ru"), pub_, d(2022, 9, 14)),
            // German
            ("am 12. September 2022 rückten", Some("de"), None, d(2022, 9, 12)),
            ("am 3. März 2022", Some("de"), None, d(2022, 3, 3)),
            ("am 12.09.2022", Some("de"), None, d(2022, 9, 12)),
            ("am Sonntag rückten", Some("de"), pub_, d(2022, 9, 11)),
            // Polish
            ("12 września 2022 r. wojska", Some("pl"), None, d(2022, 9, 12)),
            ("5 maja 2023", Some("pl"), None, d(2023, 5, 5)),
            ("w niedzielę wojska", Some("pl"), pub_, d(2022, 9, 11)),
            ("w środę wojska", Some("pl"), pub_, d(2022, 9, 14)),
            // French
            ("le 12 septembre 2022, les troupes", Some("fr"), None, d(2022, 9, 12)),
            ("le 1er octobre 2022", Some("fr"), None, d(2022, 10, 1)),
            ("le 3 déc. 2022", Some("fr"), None, d(2022, 12, 3)),
            ("dimanche, les troupes", Some("fr"), pub_, d(2022, 9, 11)),
            ("le 12 septembre, les troupes", Some("fr"), pub_, d(2022, 9, 12)),
            // Order of preference: the first complete date wins over an earlier weekday.
            ("On Sunday, 4 September 2022 was quiet", Some("en"), pub_, d(2022, 9, 4)),
            ("First 2022-09-01 then 2022-09-02", None, None, d(2022, 9, 1)),
            // Impossible or implausible dates are skipped.
            ("31/2/2022 and then 1/3/2022", None, None, d(2022, 3, 1)),
            ("30 February 2022", Some("en"), None, None),
            ("12 September 1945", Some("en"), None, None),
            ("12/09/2222", None, None, None),
            ("version 1.12.09.2022", None, None, None),
            ("phone 12-09-2022-55", None, None, None),
            ("2022", None, None, None),
            ("", None, pub_, None),
            // Weekdays of another language do not count when the language is known.
            ("dimanche", Some("en"), pub_, None),
            ("dimanche", None, pub_, d(2022, 9, 11)),
        ];
        for (text, lang, published, want) in cases {
            assert_eq!(
                date_in_text(text, *lang, *published),
                *want,
                "date_in_text({text:?}, {lang:?}, {published:?})"
            );
        }
    }

    #[test]
    fn dates_far_into_a_long_text_are_found() {
        let filler = "kata pejabat itu, ".repeat(3000);
        let text = format!("{filler}pada 12 September 2022 dan {filler}");
        assert_eq!(date_in_text(&text, Some("id"), None), d(2022, 9, 12));
        let text = format!("{filler}pada hari Minggu {filler}");
        assert_eq!(
            date_in_text(&text, Some("id"), d(2022, 9, 14)),
            d(2022, 9, 11)
        );
        assert_eq!(date_in_text(&filler, Some("id"), d(2022, 9, 14)), None);
    }

    #[test]
    fn no_panic_on_odd_text() {
        for text in [
            "1",
            "1/",
            "1/2/",
            "12.",
            "12. ",
            "-го",
            "'",
            "ʼa",
            "9999999999999/9/2022",
            "\u{0301}",
        ] {
            let _ = date_in_text(text, Some("en"), d(2022, 1, 1));
            let _ = parse_metadata_date(text);
        }
    }
}
