//! Eval: scores frontmap against gold-labelled articles, the same way
//! `shared/tools/score.py` does (span-overlap matching, one-to-one, largest overlap first;
//! resolution within 25 and 161 km, a country counting as exact when kind and ISO code agree;
//! a gold mention's `alternatives` are acceptable too), broken down by kind, role and language,
//! with the misses and false positives listed.

use std::collections::BTreeMap;
use std::path::Path;

use serde::Serialize;
use serde_json::Value;

use crate::error::{Error, Result};
use crate::gazetteer::Gazetteer;
use crate::ingest::{Article, ArticleMeta};
use crate::sphere::great_circle_km;

/// One predicted mention, as `mentions.jsonl` has it.
#[derive(Debug, Clone)]
pub struct Predicted {
    pub start: usize,
    pub end: usize,
    pub surface: String,
    pub name: String,
    pub kind: String,
    pub country: String,
    pub lat: f64,
    pub lon: f64,
}

#[derive(Debug, Clone)]
struct GoldPlace {
    name: String,
    kind: String,
    country: String,
    point: Option<(f64, f64)>,
}

#[derive(Debug, Clone)]
struct GoldMention {
    start: usize,
    end: usize,
    surface: String,
    role: String,
    places: Vec<GoldPlace>,
}

/// Counts for one slice of the gold (all, a kind, a role, a language).
#[derive(Debug, Clone, Default, Serialize)]
pub struct Tally {
    pub gold: usize,
    pub found: usize,
    pub resolved_pairs: usize,
    pub within_25km: usize,
    pub within_161km: usize,
}

impl Tally {
    pub fn recall(&self) -> f64 {
        ratio(self.found, self.gold)
    }
    pub fn acc25(&self) -> f64 {
        ratio(self.within_25km, self.resolved_pairs)
    }
}

fn ratio(a: usize, b: usize) -> f64 {
    if b == 0 {
        0.0
    } else {
        a as f64 / b as f64
    }
}

#[derive(Debug, Clone, Default, Serialize)]
pub struct Report {
    pub articles: usize,
    pub gold_mentions: usize,
    pub predicted_mentions: usize,
    pub true_positives: usize,
    pub false_positives: usize,
    pub false_negatives: usize,
    pub precision: f64,
    pub recall: f64,
    pub f1: f64,
    pub resolved_pairs: usize,
    pub acc_25km: f64,
    pub acc_161km: f64,
    pub kind_accuracy: f64,
    pub by_kind: BTreeMap<String, Tally>,
    pub by_role: BTreeMap<String, Tally>,
    pub by_language: BTreeMap<String, Tally>,
    /// `article: surface @start (gold kind name)` for every gold mention not found.
    pub misses: Vec<String>,
    /// `article: surface @start -> predicted name (kind)` for every prediction matching no gold.
    pub false_positive_list: Vec<String>,
    /// `article: surface @start -> predicted name, km off (gold name)` for found mentions resolved beyond 25 km.
    pub wrong_places: Vec<String>,
}

/// Reads a gold file and the articles it names (`text_file`, relative to the gold file).
pub fn load_gold(path: &Path) -> Result<Vec<(Article, Vec<Value>)>> {
    let text = std::fs::read_to_string(path).map_err(|e| Error::io(path, e))?;
    let doc: Value = serde_json::from_str(&text)
        .map_err(|e| Error::parse(path, e.line(), format!("invalid JSON: {e}")))?;
    let base = path.parent().unwrap_or(Path::new("."));
    let articles = doc
        .get("articles")
        .and_then(Value::as_array)
        .ok_or_else(|| Error::Invalid(format!("{}: no \"articles\" array", path.display())))?;
    let mut out = Vec::new();
    for a in articles {
        let id = a.get("id").map(value_string).unwrap_or_default();
        let file = a.get("text_file").and_then(Value::as_str).ok_or_else(|| {
            Error::Invalid(format!("{}: article {id}: no text_file", path.display()))
        })?;
        let text_path = base.join(file);
        let text = std::fs::read_to_string(&text_path).map_err(|e| Error::io(&text_path, e))?;
        let article = Article {
            meta: ArticleMeta {
                id,
                source: text_path.display().to_string(),
                lang: a
                    .get("language")
                    .and_then(Value::as_str)
                    .map(str::to_string),
                ..Default::default()
            },
            text,
        };
        let mentions = a
            .get("mentions")
            .and_then(Value::as_array)
            .cloned()
            .unwrap_or_default();
        out.push((article, mentions));
    }
    Ok(out)
}

fn value_string(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

fn gold_place(v: &Value) -> GoldPlace {
    let s = |k: &str| v.get(k).and_then(Value::as_str).unwrap_or("").to_string();
    let point = match (
        v.get("lat").and_then(Value::as_f64),
        v.get("lon").and_then(Value::as_f64),
    ) {
        (Some(a), Some(b)) => Some((a, b)),
        _ => None,
    };
    GoldPlace {
        name: s("name"),
        kind: s("kind"),
        country: s("country"),
        point,
    }
}

fn gold_mention(v: &Value) -> Option<GoldMention> {
    let start = v.get("start")?.as_u64()? as usize;
    let end = v.get("end")?.as_u64()? as usize;
    // Flat format (lat/lon/kind on the mention) or nested under "place".
    let primary = v.get("place").filter(|p| p.is_object()).unwrap_or(v);
    let mut places = vec![gold_place(primary)];
    if let Some(alts) = v.get("alternatives").and_then(Value::as_array) {
        places.extend(alts.iter().filter(|a| a.is_object()).map(gold_place));
    }
    Some(GoldMention {
        start,
        end,
        surface: v
            .get("surface")
            .and_then(Value::as_str)
            .unwrap_or("")
            .to_string(),
        role: v
            .get("role")
            .and_then(Value::as_str)
            .unwrap_or("-")
            .to_string(),
        places,
    })
}

fn fold(s: &str) -> String {
    s.split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
        .to_lowercase()
}

/// Scores predictions against gold, article by article. `predictions` pairs an article id and
/// language with its predicted mentions.
pub fn score(
    gold: &[(String, String, Vec<Value>)],
    predictions: &BTreeMap<String, Vec<Predicted>>,
) -> Report {
    let mut r = Report::default();
    let (mut kinds_scored, mut kinds_right) = (0usize, 0usize);
    let (mut hit25, mut hit161) = (0usize, 0usize);
    let empty = Vec::new();
    for (id, lang, gold_values) in gold {
        r.articles += 1;
        let golds: Vec<GoldMention> = gold_values.iter().filter_map(gold_mention).collect();
        let preds = predictions.get(id).unwrap_or(&empty);
        r.gold_mentions += golds.len();
        r.predicted_mentions += preds.len();
        // One-to-one, largest overlap first, ties by prediction then gold order (as score.py).
        let mut cand: Vec<(i64, usize, usize)> = Vec::new();
        for (pi, p) in preds.iter().enumerate() {
            for (gi, g) in golds.iter().enumerate() {
                let ov = p.end.min(g.end) as i64 - p.start.max(g.start) as i64;
                if ov > 0 {
                    cand.push((-ov, pi, gi));
                }
            }
        }
        cand.sort();
        let mut used_p = vec![false; preds.len()];
        let mut used_g = vec![false; golds.len()];
        let mut pairs = Vec::new();
        for (_, pi, gi) in cand {
            if !used_p[pi] && !used_g[gi] {
                used_p[pi] = true;
                used_g[gi] = true;
                pairs.push((gi, pi));
            }
        }
        r.true_positives += pairs.len();
        for (gi, g) in golds.iter().enumerate() {
            let kind = g.places[0].kind.clone();
            for t in [
                r.by_kind.entry(kind.clone()).or_default(),
                r.by_role.entry(g.role.clone()).or_default(),
                r.by_language.entry(lang.clone()).or_default(),
            ] {
                t.gold += 1;
                t.found += used_g[gi] as usize;
            }
            if !used_g[gi] {
                r.misses.push(format!(
                    "{id}: {} @{} ({} {})",
                    g.surface, g.start, kind, g.places[0].name
                ));
            }
        }
        for (pi, p) in preds.iter().enumerate() {
            if !used_p[pi] {
                r.false_positive_list.push(format!(
                    "{id}: {} @{} -> {} ({})",
                    p.surface, p.start, p.name, p.kind
                ));
            }
        }
        for (gi, pi) in pairs {
            let g = &golds[gi];
            let p = &preds[pi];
            kinds_scored += 1;
            kinds_right += g.places.iter().any(|c| c.kind == p.kind) as usize;
            if !g.places.iter().any(|c| c.point.is_some()) {
                continue;
            }
            let same_country = g.places.iter().any(|c| {
                (c.kind == "country"
                    && p.kind == "country"
                    && !c.country.is_empty()
                    && c.country.eq_ignore_ascii_case(&p.country))
                    || (c.kind == "continent"
                        && p.kind == "continent"
                        && fold(&c.name) == fold(&p.name))
            });
            let d = if same_country {
                0.0
            } else {
                g.places
                    .iter()
                    .filter_map(|c| c.point)
                    .map(|(la, lo)| great_circle_km((lo, la), (p.lon, p.lat)))
                    .fold(f64::INFINITY, f64::min)
            };
            r.resolved_pairs += 1;
            let kind = g.places[0].kind.clone();
            for t in [
                r.by_kind.entry(kind).or_default(),
                r.by_role.entry(g.role.clone()).or_default(),
                r.by_language.entry(lang.clone()).or_default(),
            ] {
                t.resolved_pairs += 1;
                t.within_25km += (d <= 25.0) as usize;
                t.within_161km += (d <= 161.0) as usize;
            }
            hit25 += (d <= 25.0) as usize;
            hit161 += (d <= 161.0) as usize;
            if d > 25.0 {
                r.wrong_places.push(format!(
                    "{id}: {} @{} -> {} ({}), {:.0} km off (gold {} {})",
                    p.surface, p.start, p.name, p.kind, d, g.places[0].kind, g.places[0].name
                ));
            }
        }
    }
    r.false_positives = r.predicted_mentions - r.true_positives;
    r.false_negatives = r.gold_mentions - r.true_positives;
    r.precision = ratio(r.true_positives, r.predicted_mentions);
    r.recall = ratio(r.true_positives, r.gold_mentions);
    r.f1 = if r.precision + r.recall > 0.0 {
        2.0 * r.precision * r.recall / (r.precision + r.recall)
    } else {
        0.0
    };
    r.acc_25km = ratio(hit25, r.resolved_pairs);
    r.acc_161km = ratio(hit161, r.resolved_pairs);
    r.kind_accuracy = ratio(kinds_right, kinds_scored);
    r
}

/// Runs the pipeline on the gold file's articles and scores it.
pub fn evaluate(gaz: &Gazetteer, gold_path: &Path) -> Result<Report> {
    let loaded = load_gold(gold_path)?;
    let mut predictions = BTreeMap::new();
    let mut gold = Vec::new();
    for (article, mentions) in loaded {
        let lang = article.meta.lang.clone().unwrap_or_default();
        // The gold's language is for the breakdown only: frontmap detects it as in a real run.
        let mut unlabelled = article.clone();
        unlabelled.meta.lang = None;
        let result = crate::process_article_without_snippets(gaz, &unlabelled);
        let preds = result
            .events
            .iter()
            .map(|e| {
                let p = gaz.place(e.place);
                Predicted {
                    start: e.start,
                    end: e.end,
                    surface: e.surface.to_string(),
                    name: p.name.to_string(),
                    kind: p.kind.as_str().to_string(),
                    country: p.country.to_string(),
                    lat: p.lat,
                    lon: p.lon,
                }
            })
            .collect();
        predictions.insert(article.meta.id.clone(), preds);
        gold.push((article.meta.id, lang, mentions));
    }
    Ok(score(&gold, &predictions))
}

impl Report {
    /// The human-readable report `frontmap eval` prints.
    pub fn render(&self) -> String {
        let pct = |x: f64| format!("{:.1}%", 100.0 * x);
        let mut s = String::new();
        s += &format!(
            "gold: {} articles, {} mentions; predicted: {}\n",
            self.articles, self.gold_mentions, self.predicted_mentions
        );
        s += &format!(
            "recognition  P={} R={} F1={}  (tp={} fp={} fn={})\n",
            pct(self.precision),
            pct(self.recall),
            pct(self.f1),
            self.true_positives,
            self.false_positives,
            self.false_negatives
        );
        s += &format!(
            "resolution   acc@25km={} acc@161km={} over {} matched pairs\n",
            pct(self.acc_25km),
            pct(self.acc_161km),
            self.resolved_pairs
        );
        s += &format!("kind         accuracy={}\n", pct(self.kind_accuracy));
        for (title, map) in [
            ("kind", &self.by_kind),
            ("role", &self.by_role),
            ("language", &self.by_language),
        ] {
            s += &format!("by {title}:\n");
            for (k, t) in map {
                s += &format!(
                    "  {k:<16} recall {:>3}/{:<3} {:>6}   acc@25km {:>3}/{:<3} {:>6}\n",
                    t.found,
                    t.gold,
                    pct(t.recall()),
                    t.within_25km,
                    t.resolved_pairs,
                    pct(t.acc25())
                );
            }
        }
        for (title, list) in [
            ("misses", &self.misses),
            ("false positives", &self.false_positive_list),
            ("resolved more than 25 km off", &self.wrong_places),
        ] {
            s += &format!("{title} ({}):\n", list.len());
            for l in list {
                s += &format!("  {l}\n");
            }
        }
        s
    }
}
