//! Ingest: turns the user's inputs (text files, folders, JSON Lines, HTML pages, URLs, stdin)
//! into `Article`s with metadata and a date. One bad input never costs another its output:
//! failures are collected, not returned early.

use std::path::Path;

use chrono::NaiveDate;
use serde::Serialize;

/// Where an article's `date` came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Default)]
#[serde(rename_all = "snake_case")]
pub enum DateSource {
    Metadata,
    Text,
    #[default]
    None,
}

impl DateSource {
    pub fn as_str(self) -> &'static str {
        match self {
            DateSource::Metadata => "metadata",
            DateSource::Text => "text",
            DateSource::None => "none",
        }
    }
}

/// Everything known about an article but its text.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ArticleMeta {
    /// Unique within a run and safe as a file name (see `layers::safe_file_stem`).
    pub id: String,
    /// Path or URL it was read from (with `:line` for JSON Lines).
    pub source: String,
    pub title: Option<String>,
    /// Publication date from metadata.
    pub published: Option<NaiveDate>,
    /// The article's date: `published`, else a date the text states.
    pub date: Option<NaiveDate>,
    pub date_source: DateSource,
    /// ISO 639-1 code, from metadata or detected.
    pub lang: Option<String>,
}

#[derive(Debug, Clone, Default)]
pub struct Article {
    pub meta: ArticleMeta,
    pub text: String,
}

/// An input that could not be read, with where and why.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Failure {
    /// Path or URL.
    pub input: String,
    /// Line number for JSON Lines, else None.
    pub line: Option<usize>,
    pub message: String,
}

impl std::fmt::Display for Failure {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self.line {
            Some(l) => write!(f, "{}: line {}: {}", self.input, l, self.message),
            None => write!(f, "{}: {}", self.input, self.message),
        }
    }
}

/// Options of ingest.
#[derive(Debug, Clone, Default)]
pub struct IngestOptions {
    /// Files, folders, URLs or `-` for stdin.
    pub inputs: Vec<String>,
}

/// Reads every input into articles (in input order; folders sorted) and the failures met.
pub fn articles(options: &IngestOptions) -> (Vec<Article>, Vec<Failure>) {
    let mut out = Vec::new();
    let mut failures = Vec::new();
    for input in &options.inputs {
        let path = Path::new(input);
        let mut files = Vec::new();
        collect_txt(path, &mut files, &mut failures);
        for file in files {
            match std::fs::read(&file) {
                Ok(bytes) => match String::from_utf8(bytes) {
                    Ok(text) if !text.trim().is_empty() => {
                        let stem = file
                            .file_stem()
                            .map(|s| s.to_string_lossy().into_owned())
                            .unwrap_or_default();
                        out.push(Article {
                            meta: ArticleMeta {
                                id: stem,
                                source: file.display().to_string(),
                                ..Default::default()
                            },
                            text,
                        });
                    }
                    Ok(_) => failures.push(Failure {
                        input: file.display().to_string(),
                        line: None,
                        message: "empty file".into(),
                    }),
                    Err(_) => failures.push(Failure {
                        input: file.display().to_string(),
                        line: None,
                        message: "not valid UTF-8".into(),
                    }),
                },
                Err(e) => failures.push(Failure {
                    input: file.display().to_string(),
                    line: None,
                    message: e.to_string(),
                }),
            }
        }
    }
    (out, failures)
}

fn collect_txt(path: &Path, files: &mut Vec<std::path::PathBuf>, failures: &mut Vec<Failure>) {
    if path.is_dir() {
        match std::fs::read_dir(path) {
            Ok(rd) => {
                let mut entries: Vec<_> = rd.filter_map(|e| e.ok()).map(|e| e.path()).collect();
                entries.sort();
                for e in entries {
                    if e.is_dir() || e.extension().is_some_and(|x| x == "txt") {
                        collect_txt(&e, files, failures);
                    }
                }
            }
            Err(e) => failures.push(Failure {
                input: path.display().to_string(),
                line: None,
                message: e.to_string(),
            }),
        }
    } else {
        files.push(path.to_path_buf());
    }
}
