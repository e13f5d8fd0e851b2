//! frontmap: news articles about the Russia–Ukraine war in, GeoJSON maps out.
//!
//! One straight pipeline, one module per stage:
//! ```text
//! ingest::articles()          -> Article { meta: id, source, title, date, lang; text }
//! tagger::tag(&gaz, &article) -> Vec<Mention>    (every name the gazetteer knows, with candidates)
//! resolve::resolve(&gaz, ...) -> Vec<Event>      (one place per mention, with rule and confidence)
//! cluster::cluster(&events)   -> Vec<Cluster>    (rstar)
//! areas::cover(&areas, ...)   -> Coverage        (geo)
//! layers::write(out, ...)     -> GeoJSON layers, mentions.jsonl, coverage
//! ```

pub mod areas;
pub mod cluster;
pub mod error;
pub mod eval;
pub mod gazetteer;
pub mod ingest;
pub mod layers;
pub mod resolve;
pub mod tagger;
pub mod web;

pub use error::{Error, Result};

use gazetteer::Gazetteer;
use ingest::Article;
use resolve::ArticleResult;

/// Tag and resolve one article: the per-article work, independent of every other article.
/// The article's language (metadata, else detected) selects the case forms the tagger accepts.
pub fn process_article(gaz: &Gazetteer, article: &Article) -> ArticleResult {
    let mut meta = article.meta.clone();
    if meta.lang.is_none() {
        meta.lang = detect_language(&article.text);
    }
    let prepared = tagger::Prepared::new(&article.text);
    let mentions = tagger::tag_prepared(gaz, &prepared, meta.lang.as_deref());
    let events = resolve::resolve(gaz, &prepared, &mentions);
    ArticleResult { meta, events }
}

/// The article languages frontmap knows, as ISO 639-1 codes.
pub const LANGUAGES: [&str; 7] = ["id", "en", "uk", "ru", "de", "pl", "fr"];

fn detect_language(text: &str) -> Option<String> {
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
    let detector = whatlang::Detector::with_allowlist(allow);
    let lang = detector.detect_lang(text)?;
    Some(
        match lang {
            Lang::Ind => "id",
            Lang::Eng => "en",
            Lang::Ukr => "uk",
            Lang::Rus => "ru",
            Lang::Deu => "de",
            Lang::Pol => "pl",
            Lang::Fra => "fr",
            _ => return None,
        }
        .to_string(),
    )
}
