//! The benchmarks' deterministic corpus: paragraphs of the example articles and, when
//! `../shared/eval/seeds` is present, of the seed texts, drawn by a fixed-seed xorshift into
//! articles of 4–12 paragraphs until the wanted size. The same bytes every time on the same
//! inputs, as `Article`s (`corpus`) or as JSON Lines for the CLI (`write_jsonl`, and the
//! `corpus` example: `cargo run --release --example corpus -- --mb 100 > corpus100.jsonl`).
//!
//! Shared by the bench targets with `mod corpus;` (a folder, so that Cargo does not take it
//! for a bench target of its own).

#![allow(dead_code)]

use std::path::PathBuf;

use frontmap::ingest::{Article, ArticleMeta};

pub fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// Paragraphs of the example articles and, when present, the shared evaluation texts, in
/// file-name order.
pub fn paragraphs() -> Vec<String> {
    let mut dirs = vec![root().join("examples")];
    let shared = root().join("../shared/eval/seeds");
    if shared.is_dir() {
        dirs.push(shared);
    }
    let mut out = Vec::new();
    for dir in dirs {
        let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
            .map(|rd| rd.filter_map(|e| e.ok()).map(|e| e.path()).collect())
            .unwrap_or_default();
        files.sort();
        for f in files
            .iter()
            .filter(|f| f.extension().is_some_and(|x| x == "txt"))
        {
            if let Ok(text) = std::fs::read_to_string(f) {
                out.extend(
                    text.split('\n')
                        .map(str::trim)
                        .filter(|p| !p.is_empty())
                        .map(str::to_string),
                );
            }
        }
    }
    out
}

/// The texts of a corpus of about `bytes` bytes (at least `bytes`), in order.
pub fn texts(bytes: usize) -> impl Iterator<Item = String> {
    let paras = paragraphs();
    assert!(!paras.is_empty(), "no example paragraphs found");
    let mut state: u64 = 0x9E37_79B9_7F4A_7C15;
    let mut total = 0;
    std::iter::from_fn(move || {
        if total >= bytes {
            return None;
        }
        let mut next = || {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            state
        };
        let n = 4 + (next() % 9) as usize;
        let mut text = String::new();
        for _ in 0..n {
            text.push_str(&paras[(next() % paras.len() as u64) as usize]);
            text.push_str("\n\n");
        }
        total += text.len();
        Some(text)
    })
}

/// A deterministic corpus of about `bytes` bytes of text (see the module docs).
pub fn corpus(bytes: usize) -> Vec<Article> {
    texts(bytes)
        .enumerate()
        .map(|(i, text)| Article {
            meta: ArticleMeta {
                id: format!("bench-{i}"),
                ..Default::default()
            },
            text,
        })
        .collect()
}

/// The article number `i`'s date: one of the 366 days of 2024, so that `dates/` has a
/// year of files as an archive would.
pub fn date_of(i: usize) -> String {
    let day = chrono::NaiveDate::from_ymd_opt(2024, 1, 1)
        .and_then(|d| d.checked_add_days(chrono::Days::new((i * 7 % 366) as u64)))
        .expect("a day of 2024");
    day.format("%Y-%m-%d").to_string()
}

/// The same corpus as JSON Lines (`id`, `date`, `title`, `text`), about `bytes` bytes of
/// text; returns the bytes written.
pub fn write_jsonl(bytes: usize, out: &mut impl std::io::Write) -> std::io::Result<u64> {
    let mut written = 0u64;
    for (i, text) in texts(bytes).enumerate() {
        let title: String = text.lines().next().unwrap_or("").chars().take(80).collect();
        let line = serde_json::json!({
            "id": format!("bench-{i}"),
            "date": date_of(i),
            "title": title,
            "text": text,
        })
        .to_string();
        out.write_all(line.as_bytes())?;
        out.write_all(b"\n")?;
        written += line.len() as u64 + 1;
    }
    out.flush()?;
    Ok(written)
}
