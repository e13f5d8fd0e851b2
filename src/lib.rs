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
pub mod gazetteer;
pub mod ingest;
pub mod layers;
pub mod resolve;
pub mod tagger;

pub use error::{Error, Result};
