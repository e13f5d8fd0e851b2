//! One JSON Lines record → one article.
//!
//! Field mapping (the first field present wins; names are case-sensitive):
//!
//! | article   | JSON fields                                                                         |
//! |-----------|-------------------------------------------------------------------------------------|
//! | text      | `text`, `content`, `body`, `article`, `maintext` (markup in them is reduced to text) |
//! | title     | `title`, `headline`                                                                 |
//! | url       | `url`, `link`                                                                       |
//! | published | `date`, `published`, `pubDate`, `publishedAt`, `datePublished`, `published_at`, `publish_date`, `pub_date` |
//! | lang      | `lang`, `language`                                                                  |
//! | id        | `id` (string or number); else from `url`; else `<file stem>-<line>`                  |
//!
//! A date string that does not parse is ignored (the date then comes from the text). A lone
//! surrogate escape (`\ud800` not followed by a low surrogate: text that a scraper cut in the
//! middle of an emoji, as Python's `json.dumps` writes it) becomes U+FFFD rather than costing
//! the whole record.

use std::path::Path;

use serde_json::{Map, Value};

use super::{fetch, html, ids, Article, ArticleMeta, Failure};

pub const TEXT_FIELDS: [&str; 5] = ["text", "content", "body", "article", "maintext"];
const TITLE_FIELDS: [&str; 2] = ["title", "headline"];
const URL_FIELDS: [&str; 2] = ["url", "link"];
const DATE_FIELDS: [&str; 8] = [
    "date",
    "published",
    "pubDate",
    "publishedAt",
    "datePublished",
    "published_at",
    "publish_date",
    "pub_date",
];
const LANG_FIELDS: [&str; 2] = ["lang", "language"];

/// The article of one JSON Lines record. `source` is the file (or `stdin`), `line_no`
/// counts from 1. The article's `source` is `source:line_no`; its id is safe but not yet
/// unique (the caller makes ids unique within a run).
pub fn article_from_json_line(
    line: &str,
    source: &str,
    line_no: usize,
) -> Result<Article, Failure> {
    let fail = |message: String| Failure::error(source, Some(line_no), message);
    let line = line.trim_start_matches('\u{feff}').trim();
    let parsed = match parse_record(line) {
        Ok(v) => v,
        Err(e) => match replace_lone_surrogates(line) {
            Some(fixed) => parse_record(&fixed),
            None => Err(e),
        }
        .map_err(|e| fail(format!("malformed JSON: {e}")))?,
    };
    let Some(mut record) = parsed else {
        return Err(fail("expected a JSON object (one article per line)".into()));
    };
    let text = take_first_string(&mut record, &TEXT_FIELDS).unwrap_or_default();
    let text = if html::looks_like_html(&text) {
        html::fragment_text(&text)
    } else if text.trim().len() == text.len() {
        text
    } else {
        text.trim().to_string()
    };
    if text.is_empty() {
        return Err(fail(format!(
            "no article text (looked for {})",
            TEXT_FIELDS.join(", ")
        )));
    }
    let url = first_string(&record, &URL_FIELDS).map(|u| fetch::redact(u.trim()));
    let id = match record.get("id") {
        Some(Value::String(s)) if !s.trim().is_empty() => ids::safe_id(s.trim()),
        Some(Value::Number(n)) => ids::safe_id(&n.to_string()),
        _ => match &url {
            Some(u) if !u.is_empty() => ids::url_id(u),
            _ => {
                let stem = Path::new(source)
                    .file_stem()
                    .map(|s| s.to_string_lossy().into_owned())
                    .unwrap_or_else(|| "stdin".into());
                ids::safe_id(&format!("{stem}-{line_no}"))
            }
        },
    };
    let published = DATE_FIELDS.iter().find_map(|f| match record.get(*f) {
        Some(Value::String(s)) => super::dates::parse_metadata_date(s),
        Some(Value::Number(n)) => super::dates::parse_metadata_date(&n.to_string()),
        _ => None,
    });
    let meta = ArticleMeta {
        id,
        source: format!("{source}:{line_no}"),
        title: first_string(&record, &TITLE_FIELDS)
            .map(|t| t.split_whitespace().collect::<Vec<_>>().join(" "))
            .filter(|t| !t.is_empty()),
        published,
        lang: first_string(&record, &LANG_FIELDS).and_then(|l| html::normalise_lang(&l)),
        ..Default::default()
    };
    Ok(super::complete(meta, text))
}

/// `line` with every `\uXXXX` escape of a lone surrogate replaced by `\ufffd`, or None when
/// there is none. Other escapes (`\\u` included) are copied as they are.
fn replace_lone_surrogates(line: &str) -> Option<String> {
    fn escape_at(b: &[u8], i: usize) -> Option<u32> {
        if b.get(i) != Some(&b'\\') || b.get(i + 1) != Some(&b'u') {
            return None;
        }
        let hex = std::str::from_utf8(b.get(i + 2..i + 6)?).ok()?;
        u32::from_str_radix(hex, 16).ok()
    }
    let b = line.as_bytes();
    let mut out = String::with_capacity(line.len());
    let mut copied = 0;
    let mut changed = false;
    let mut i = 0;
    while i < b.len() {
        if b[i] != b'\\' {
            i += 1;
            continue;
        }
        match escape_at(b, i) {
            Some(0xD800..=0xDBFF)
                if escape_at(b, i + 6).is_some_and(|low| (0xDC00..=0xDFFF).contains(&low)) =>
            {
                i += 12;
            }
            Some(0xD800..=0xDFFF) => {
                out.push_str(&line[copied..i]);
                out.push_str("\\ufffd");
                i += 6;
                copied = i;
                changed = true;
            }
            // Any other escape: skip the backslash and the character it escapes.
            _ => i += 2,
        }
    }
    out.push_str(&line[copied.min(line.len())..]);
    changed.then_some(out)
}

fn first_string(record: &Map<String, Value>, fields: &[&str]) -> Option<String> {
    fields.iter().find_map(|f| match record.get(*f) {
        Some(Value::String(s)) if !s.trim().is_empty() => Some(s.clone()),
        _ => None,
    })
}

/// `first_string`, taken out of the record rather than copied (an article's text is most
/// of its line).
fn take_first_string(record: &mut Map<String, Value>, fields: &[&str]) -> Option<String> {
    let field = fields
        .iter()
        .find(|f| matches!(record.get(**f), Some(Value::String(s)) if !s.trim().is_empty()))?;
    match record.remove(*field) {
        Some(Value::String(s)) => Some(s),
        _ => None,
    }
}

/// Every field name the mapping above reads.
const KNOWN_FIELDS: [&[&str]; 6] = [
    &TEXT_FIELDS,
    &TITLE_FIELDS,
    &URL_FIELDS,
    &DATE_FIELDS,
    &LANG_FIELDS,
    &["id"],
];

/// The record on `line` with only the fields the mapping reads; None when the line is JSON
/// but not an object. Other fields are checked as JSON but not built (a `String` key and a
/// `Value` each, nested ones as maps): a third of the parse's cost on the benchmark corpus.
fn parse_record(line: &str) -> serde_json::Result<Option<Map<String, Value>>> {
    use serde::Deserializer as _;
    if !line.starts_with('{') {
        // Not an object, or not JSON: parsed whole, for the error it gives.
        return serde_json::from_str::<Value>(line).map(|_| None);
    }
    let mut de = serde_json::Deserializer::from_str(line);
    let record = de.deserialize_map(KnownFields)?;
    de.end()?;
    Ok(Some(record))
}

/// Visits a JSON object, keeping the fields of `KNOWN_FIELDS` (a repeated key keeps its last
/// value, as in a `Value` map).
struct KnownFields;

impl<'de> serde::de::Visitor<'de> for KnownFields {
    type Value = Map<String, Value>;

    fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
        f.write_str("a JSON object")
    }

    fn visit_map<A: serde::de::MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
        let mut record = Map::new();
        while let Some(key) = map.next_key_seed(KnownKey)? {
            match key {
                Some(name) => {
                    let value: Value = map.next_value()?;
                    record.insert(name.to_string(), value);
                }
                None => {
                    map.next_value::<serde::de::IgnoredAny>()?;
                }
            }
        }
        Ok(record)
    }
}

/// A map key: the name in `KNOWN_FIELDS` it equals, or None, without allocating it.
struct KnownKey;

impl<'de> serde::de::DeserializeSeed<'de> for KnownKey {
    type Value = Option<&'static str>;

    fn deserialize<D: serde::Deserializer<'de>>(self, d: D) -> Result<Self::Value, D::Error> {
        d.deserialize_str(self)
    }
}

impl<'de> serde::de::Visitor<'de> for KnownKey {
    type Value = Option<&'static str>;

    fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
        f.write_str("a key")
    }

    fn visit_str<E: serde::de::Error>(self, key: &str) -> Result<Self::Value, E> {
        Ok(KNOWN_FIELDS
            .iter()
            .flat_map(|f| f.iter())
            .find(|&&k| k == key)
            .copied())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ingest::DateSource;
    use chrono::NaiveDate;

    #[test]
    fn other_fields_are_skipped_but_checked() {
        let line = r#"{"meta":{"tags":["a","b",{"deep":[1,2.5,null,true]}],"n":-3e5},"text":"Kyiv.","text":"Kharkiv today.","extra":"\ud800 lone"}"#;
        let a = article_from_json_line(line, "c.jsonl", 1).unwrap();
        // The last of a repeated key counts, as in a JSON object read into a map.
        assert_eq!(a.text, "Kharkiv today.");
        for bad in [
            r#"{"meta":{"tags":[1,,2]},"text":"Kyiv."}"#,
            r#"{"meta":"unterminated,"text":"Kyiv."}"#,
            r#"{"text":"Kyiv."} trailing"#,
            "{\"meta\":\"a\u{1}b\",\"text\":\"Kyiv.\"}",
        ] {
            let err = article_from_json_line(bad, "c.jsonl", 2).unwrap_err();
            assert!(err.to_string().contains("malformed JSON"), "{bad}: {err}");
        }
        for not_object in [r#"["text","Kyiv."]"#, r#""Kyiv""#, "12", "null"] {
            let err = article_from_json_line(not_object, "c.jsonl", 3).unwrap_err();
            assert!(
                err.to_string().contains("expected a JSON object"),
                "{not_object}: {err}"
            );
        }
    }

    #[test]
    fn field_mapping() {
        let a = article_from_json_line(
            r#"{"id":"a1","url":"https://x.example/a","title":" T  one ","date":"2022-09-12T10:00:00Z","text":"Hello there.","lang":"en-GB"}"#,
            "in/c.jsonl",
            3,
        )
        .unwrap();
        assert_eq!(a.meta.id, "a1");
        assert_eq!(a.meta.source, "in/c.jsonl:3");
        assert_eq!(a.meta.title.as_deref(), Some("T one"));
        assert_eq!(a.meta.published, NaiveDate::from_ymd_opt(2022, 9, 12));
        assert_eq!(a.meta.date, a.meta.published);
        assert_eq!(a.meta.date_source, DateSource::Metadata);
        assert_eq!(a.meta.lang.as_deref(), Some("en"));
        assert_eq!(a.text, "Hello there.");

        let b = article_from_json_line(
            r#"{"link":"https://u:p@x.example/news/story-7.html","headline":"H","pubDate":"Mon, 12 Sep 2022 10:00:00 +0000","content":"<p>One.</p><p>Two.</p>"}"#,
            "c.jsonl",
            4,
        )
        .unwrap();
        assert!(b.meta.id.starts_with("story-7-"), "{}", b.meta.id);
        assert_eq!(b.meta.title.as_deref(), Some("H"));
        assert_eq!(b.meta.published, NaiveDate::from_ymd_opt(2022, 9, 12));
        assert_eq!(b.text, "One.\nTwo.");

        let c = article_from_json_line(
            r#"{"id":7,"body":"Text 12/9/2022.","publishedAt":"garbage"}"#,
            "c.jsonl",
            5,
        )
        .unwrap();
        assert_eq!(c.meta.id, "7");
        assert_eq!(c.meta.published, None);
        assert_eq!(c.meta.date, NaiveDate::from_ymd_opt(2022, 9, 12));
        assert_eq!(c.meta.date_source, DateSource::Text);

        let d = article_from_json_line(
            r#"{"article":"Just text.","id":"../../x"}"#,
            "dir/c.jsonl",
            6,
        )
        .unwrap();
        assert_eq!(d.meta.id, "x");
        let e = article_from_json_line(r#"{"maintext":"Just text."}"#, "dir/c.jsonl", 6).unwrap();
        assert_eq!(e.meta.id, "c-6");
    }

    #[test]
    fn lone_surrogates_become_replacement_characters() {
        // (line, text of the article, or None when the line stays malformed)
        let cases = [
            (
                r#"{"text":"Kharkiv \ud800 shelled"}"#,
                Some("Kharkiv \u{fffd} shelled"),
            ),
            (
                r#"{"text":"cut \udc00\ud800"}"#,
                Some("cut \u{fffd}\u{fffd}"),
            ),
            (
                r#"{"text":"flag \ud83c\uddfa\ud83c"}"#,
                Some("flag \u{1f1fa}\u{fffd}"),
            ),
            (
                r#"{"text":"not an escape \\ud800"}"#,
                Some("not an escape \\ud800"),
            ),
            (r#"{"text":"end \ud800"#, None),
            (r#"{"text":"short \ud8"}"#, None),
        ];
        for (line, want) in cases {
            let got = article_from_json_line(line, "s.jsonl", 1);
            match want {
                Some(text) => assert_eq!(got.map(|a| a.text).as_deref(), Ok(text), "{line}"),
                None => assert!(got.is_err(), "{line}"),
            }
        }
    }

    #[test]
    fn bad_records() {
        let cases = [
            ("{not json", "malformed JSON"),
            ("[1,2]", "expected a JSON object"),
            (r#""text""#, "expected a JSON object"),
            (r#"{"title":"no text"}"#, "no article text"),
            (r#"{"text":"   "}"#, "no article text"),
            (r#"{"text":42}"#, "no article text"),
        ];
        for (line, want) in cases {
            let f = article_from_json_line(line, "f.jsonl", 9).unwrap_err();
            assert_eq!((f.input.as_str(), f.line), ("f.jsonl", Some(9)));
            assert!(f.message.starts_with(want), "{line}: {}", f.message);
            assert!(!f.warning);
        }
    }
}
