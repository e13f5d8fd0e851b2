//! Resolve: picks one place for each mention the tagger found. (Rules being written.)

use serde::Serialize;

use crate::ingest::ArticleMeta;

/// The part a name plays in its sentence (see the gold schema).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    /// A physical place or territory.
    Location,
    /// Stands for a state or government ("Rusia mengatakan", "talks with Kyiv").
    Actor,
    /// Modifies a noun ("pasukan Ukraina", "Russian troops").
    Adjectival,
}

impl Role {
    pub fn as_str(self) -> &'static str {
        match self {
            Role::Location => "location",
            Role::Actor => "actor",
            Role::Adjectival => "adjectival",
        }
    }
}

/// One resolved mention.
#[derive(Debug, Clone, PartialEq)]
pub struct Event {
    /// Character offsets (Unicode scalar values) into the article text, end exclusive.
    pub start: usize,
    pub end: usize,
    /// The text at `start..end`.
    pub surface: String,
    /// Index into `Gazetteer::places`.
    pub place: u32,
    /// The rule that decided between the candidates (`only_candidate`, `cue`, `qualifier`,
    /// `article_admin1`, `proximity`, `country_context`, `prominence`, …).
    pub rule: &'static str,
    /// 0–1: how sure the resolver is of `place`.
    pub confidence: f64,
    /// How many places the name could mean.
    pub candidates: usize,
    /// The cue word next to the name that told its kind (wilayah, oblast, місто…), if any.
    pub cue: Option<String>,
    pub role: Role,
    /// About 160 characters of text around the mention, on one line.
    pub snippet: String,
}

/// An article's metadata and its events, in text order.
#[derive(Debug, Clone, Default)]
pub struct ArticleResult {
    pub meta: ArticleMeta,
    pub events: Vec<Event>,
}
