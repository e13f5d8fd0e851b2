//! Resolve: picks one place for each mention the tagger found, by the article's context.

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
    /// The text at `start..end`, inline up to 24 bytes as nearly every name is (a heap copy
    /// per mention and per cue word cost 1.7 % of a tag + resolve pass).
    pub surface: CompactString,
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
    pub cue: Option<CompactString>,
    pub role: Role,
    /// About 160 characters of text around the mention, on one line, for the first mention
    /// of its place in the article (the one a feature shows); empty for later mentions of the
    /// same place, whose snippets nothing reads. (Half the mentions of a news article repeat
    /// a place: building their snippets cost a tenth of resolving.)
    pub snippet: String,
}

/// An article's metadata and its events, in text order.
#[derive(Debug, Clone, Default)]
pub struct ArticleResult {
    pub meta: ArticleMeta,
    pub events: Vec<Event>,
}

use std::ops::Range;

use compact_str::CompactString;

use rustc_hash::FxHashSet;

use crate::gazetteer::{Gazetteer, Kind, PlaceFacts, NO_CODE};
use crate::tagger::{is_char_start, CueHint, Mention, Prepared};

/// Scores of one candidate, kept apart so that the deciding rule can be named.
#[derive(Debug, Clone, Copy, Default)]
struct Score {
    kind: f64,
    cue: f64,
    prominence: f64,
    country: f64,
    article_admin1: f64,
    qualifier: f64,
    proximity: f64,
    precision: f64,
}

impl Score {
    fn total(&self) -> f64 {
        self.kind
            + self.cue
            + self.prominence
            + self.country
            + self.article_admin1
            + self.qualifier
            + self.proximity
            + self.precision
    }

    /// The component that most separates `self` (the winner) from `other` (the runner-up).
    fn deciding_rule(&self, other: &Score) -> &'static str {
        let parts = [
            ("qualifier", self.qualifier - other.qualifier),
            ("cue", self.cue - other.cue),
            ("article_admin1", self.article_admin1 - other.article_admin1),
            ("proximity", self.proximity - other.proximity),
            ("country_context", self.country - other.country),
            ("kind_prior", self.kind - other.kind),
            ("prominence", self.prominence - other.prominence),
            ("precision", self.precision - other.precision),
        ];
        parts
            .iter()
            .fold(("prominence", f64::MIN), |best, &(name, d)| {
                if d > best.1 {
                    (name, d)
                } else {
                    best
                }
            })
            .0
    }
}

/// What the article says around all its mentions: the anchors that disambiguate the rest.
/// Codes are `PlaceFacts` ids: no strings are hashed or compared while scoring.
#[derive(Default)]
struct Context {
    /// Countries the article names, each once (a handful: a scan beats hashing, and there
    /// are only so many countries).
    countries: Vec<u32>,
    /// Admin1 areas of the places the article is sure about, with how many mentions each,
    /// in order of first mention (an article names a handful: a scan beats a hash table,
    /// whose making cost more than all its look-ups).
    admin1: Vec<(u32, u32)>,
    /// The admin1 area mention `i` counted itself in (`NO_CODE` for none, or past the end):
    /// a candidate must not vote for itself.
    own_admin1: Vec<u32>,
    /// Settlements the article is sure about, on the unit sphere, with the mention they came
    /// from; indexed once all are in (`index_points`).
    points: Vec<rstar::primitives::GeomWithData<[f64; 3], usize>>,
    /// The same points four to a block in `f32` lanes, for the scan (`proximity`).
    blocks: Vec<PointBlock>,
    tree: rstar::RTree<rstar::primitives::GeomWithData<[f64; 3], usize>>,
}

/// Four sure settlements coordinate by coordinate, for a scan four lanes wide: in `f32`, as
/// SSE2 holds four of those and only two `f64`. A lane past the last point lies far off the
/// sphere and belongs to no mention.
#[derive(Clone, Copy)]
#[repr(C, align(16))]
struct PointBlock {
    x: [f32; 4],
    y: [f32; 4],
    z: [f32; 4],
    mention: [u32; 4],
}

const EMPTY_BLOCK: PointBlock = PointBlock {
    x: [4.0; 4],
    y: [4.0; 4],
    z: [4.0; 4],
    mention: [u32::MAX; 4],
};

/// How far a squared chord worked out in `f32` may be from the `f64` one, with room to spare:
/// rounding the unit vectors to `f32` moves each coordinate by at most 2^-24, which moves the
/// squared chord of a pair 300 km apart (0.047) by about 2e-8 and of a pair 30 km apart by
/// about 2e-9. An `f32` nearest distance this close to a proximity threshold is worked out
/// again in `f64`, so the score is the same as if the scan were all `f64`.
const F32_CHORD2_SLACK: f64 = 1e-7;

/// Up to this many sure settlements, a scan finds the nearest faster than the tree.
const SCAN_POINTS: usize = 32;

impl Context {
    /// Empties the context for an article of `mentions` mentions, keeping its lists' room
    /// (see `Scratch`).
    fn reset(&mut self, mentions: usize) {
        self.countries.clear();
        self.admin1.clear();
        self.own_admin1.clear();
        self.own_admin1.resize(mentions, NO_CODE);
        self.points.clear();
        self.blocks.clear();
        if self.tree.size() > 0 {
            self.tree = rstar::RTree::new();
        }
    }

    /// Builds the R-tree over the points added so far, when there are enough to need one.
    fn index_points(&mut self) {
        if self.points.len() > SCAN_POINTS {
            self.tree = rstar::RTree::bulk_load(std::mem::take(&mut self.points));
        }
    }

    /// The proximity score of a settlement at `q`, the place of a candidate of `mention`: by
    /// the distance to the nearest sure settlement of another mention.
    fn proximity(&self, q: [f64; 3], mention: usize) -> f64 {
        let [near, close, far] = proximity_chords2();
        // The f32 scan serves when there is no tree and the mention's number fits its lanes;
        // the f64 answer is needed anyway when the f32 one lies too close to a threshold.
        let scanned = self.tree.size() == 0 && mention < u32::MAX as usize - 1;
        let near_a_threshold = |d2: f64| {
            [near, close, far]
                .iter()
                .any(|t| (d2 - t).abs() <= F32_CHORD2_SLACK)
        };
        let nearest = scanned
            .then(|| f64::from(self.nearest_chord2_f32(q, mention as u32)))
            .filter(|&d2| !near_a_threshold(d2))
            .unwrap_or_else(|| self.nearest_chord2(q, mention));
        if nearest < near {
            2.0
        } else if nearest < close {
            1.2
        } else if nearest < far {
            0.5
        } else {
            0.0
        }
    }

    /// As `nearest_chord2` for the scan, in `f32` and four points at a time (no point may
    /// belong to `mention` = `u32::MAX`).
    fn nearest_chord2_f32(&self, q: [f64; 3], mention: u32) -> f32 {
        let (qx, qy, qz) = (q[0] as f32, q[1] as f32, q[2] as f32);
        let mut nearest = [f32::INFINITY; 4];
        for b in &self.blocks {
            for (k, n) in nearest.iter_mut().enumerate() {
                let (dx, dy, dz) = (b.x[k] - qx, b.y[k] - qy, b.z[k] - qz);
                let d2 = dx * dx + dy * dy + dz * dz;
                let d2 = if b.mention[k] == mention {
                    f32::INFINITY
                } else {
                    d2
                };
                *n = if d2 < *n { d2 } else { *n };
            }
        }
        nearest[0].min(nearest[1]).min(nearest[2].min(nearest[3]))
    }

    /// The squared chord length on the unit sphere from `q` to the nearest sure settlement
    /// of another mention than `mention`, or infinity. (Squared chords order as distances
    /// do: the thresholds are compared as chords, with no arc sine per candidate.)
    fn nearest_chord2(&self, q: [f64; 3], mention: usize) -> f64 {
        if self.tree.size() == 0 {
            // Branch-free, a mention's own point counting as infinitely far, and into four
            // minimums side by side: one running minimum chains every point's compare to the
            // last one's, and the compiler may not reorder a float reduction itself. (The
            // minimum of finite distances is the same in any order.)
            let far = |p: &rstar::primitives::GeomWithData<[f64; 3], usize>| {
                let v = p.geom();
                let d2 = (v[0] - q[0]).powi(2) + (v[1] - q[1]).powi(2) + (v[2] - q[2]).powi(2);
                if p.data == mention {
                    f64::INFINITY
                } else {
                    d2
                }
            };
            let mut nearest = [f64::INFINITY; 4];
            let mut fours = self.points.chunks_exact(4);
            for four in &mut fours {
                for (n, p) in nearest.iter_mut().zip(four) {
                    let d2 = far(p);
                    *n = if d2 < *n { d2 } else { *n };
                }
            }
            for p in fours.remainder() {
                nearest[0] = nearest[0].min(far(p));
            }
            nearest[0].min(nearest[1]).min(nearest[2].min(nearest[3]))
        } else {
            self.tree
                .nearest_neighbor_iter_with_distance_2(&q)
                .find(|(p, _)| p.data != mention)
                .map_or(f64::INFINITY, |(_, d2)| d2)
        }
    }

    /// Mentions other than `mention` that the article is sure lie in admin1 area `admin1`.
    fn admin1_votes(&self, admin1: u32, mention: usize) -> u32 {
        let n = self
            .admin1
            .iter()
            .find(|&&(a, _)| a == admin1)
            .map_or(0, |&(_, n)| n);
        let own = self.own_admin1.get(mention) == Some(&admin1);
        n - u32::from(own)
    }

    #[inline]
    fn add_country(&mut self, country: u32) {
        if !self.countries.contains(&country) {
            self.countries.push(country);
        }
    }

    /// Adds `place`, the place of `mention`. Once per mention.
    fn add(&mut self, mention: usize, place: &PlaceFacts) {
        match place.kind {
            Kind::Country => self.add_country(place.country),
            Kind::Admin1 | Kind::Admin2 | Kind::PopulatedPlace | Kind::Landmark => {
                if place.admin1 != NO_CODE {
                    match self.admin1.iter_mut().find(|(a, _)| *a == place.admin1) {
                        Some((_, n)) => *n += 1,
                        None => self.admin1.push((place.admin1, 1)),
                    }
                    if self.own_admin1.len() <= mention {
                        self.own_admin1.resize(mention + 1, NO_CODE);
                    }
                    self.own_admin1[mention] = place.admin1;
                }
                if place.country != NO_CODE {
                    self.add_country(place.country);
                }
                if matches!(place.kind, Kind::PopulatedPlace | Kind::Landmark) {
                    self.add_point(mention, place.at);
                }
            }
            Kind::Region | Kind::Continent => {}
        }
    }

    /// Adds the point `at` of a settlement that `mention` is sure of.
    fn add_point(&mut self, mention: usize, at: [f64; 3]) {
        let lane = self.points.len() % 4;
        self.points
            .push(rstar::primitives::GeomWithData::new(at, mention));
        if lane == 0 {
            self.blocks.push(EMPTY_BLOCK);
        }
        if let Some(block) = self.blocks.last_mut() {
            block.x[lane] = at[0] as f32;
            block.y[lane] = at[1] as f32;
            block.z[lane] = at[2] as f32;
            // A mention past `u32` range (never, in text of any real size) is told apart by
            // the `f64` scan (see `proximity`).
            block.mention[lane] = u32::try_from(mention).unwrap_or(u32::MAX - 1);
        }
    }
}

/// The distinct candidate places of every mention, in one buffer.
#[derive(Default)]
struct Candidates {
    places: Vec<u32>,
    /// `places[ranges[i].0..ranges[i].1]` are the candidates of mention `i`.
    ranges: Vec<(usize, usize)>,
    /// Scratch for each mention's sort and dedup.
    distinct: Vec<u32>,
}

impl Candidates {
    /// Fills the lists with the candidates of `mentions`, replacing what they held.
    fn fill(&mut self, mentions: &[Mention]) {
        let Candidates {
            places,
            ranges,
            distinct,
        } = self;
        places.clear();
        ranges.clear();
        for m in mentions {
            let start = places.len();
            // Most names mean one place: nothing to sort.
            if let [only] = &m.candidates[..] {
                places.push(only.place);
            } else {
                distinct.clear();
                distinct.extend(m.candidates.iter().map(|c| c.place));
                distinct.sort_unstable();
                distinct.dedup();
                places.extend_from_slice(distinct);
            }
            ranges.push((start, places.len()));
        }
    }

    fn of(&self, mention: usize) -> &[u32] {
        let (lo, hi) = self.ranges[mention];
        &self.places[lo..hi]
    }
}

/// The lists `resolve` fills for each article, kept per thread from one article to the next:
/// made afresh, they were a dozen allocations per article, each in memory that no article had
/// touched lately.
#[derive(Default)]
struct Scratch {
    candidates: Candidates,
    between: Vec<Option<Range<usize>>>,
    qualifiers: Vec<Option<u32>>,
    hints: Vec<Option<CueHint>>,
    context: Context,
    /// Pass 1's choice of each mention it is sure of.
    sure: Vec<Option<usize>>,
    chosen: Vec<(usize, Score, Option<Score>)>,
}

/// Lists of more mentions than this are not kept for the next article (a huge one would hold
/// its memory for the thread's life).
const SCRATCH_MENTIONS: usize = 4096;

thread_local! {
    static SCRATCH: std::cell::Cell<Option<Box<Scratch>>> = const { std::cell::Cell::new(None) };
}

/// Resolves the tagger's mentions of one article to events, in text order.
pub fn resolve(gaz: &Gazetteer, p: &Prepared<'_>, mentions: Vec<Mention>) -> Vec<Event> {
    resolve_with(gaz, p, mentions, true)
}

/// As `resolve`, with every snippet left empty: for outputs that show none (`frontmap tag`,
/// `frontmap eval`), to which building them added a tenth of the work.
pub fn resolve_without_snippets(
    gaz: &Gazetteer,
    p: &Prepared<'_>,
    mentions: Vec<Mention>,
) -> Vec<Event> {
    resolve_with(gaz, p, mentions, false)
}

fn resolve_with(
    gaz: &Gazetteer,
    p: &Prepared<'_>,
    mut mentions: Vec<Mention>,
    with_snippets: bool,
) -> Vec<Event> {
    // The tagger gives none, but a mention without candidates has nothing to resolve to.
    mentions.retain(|m| !m.candidates.is_empty());
    // This thread's lists (new ones if another article holds them, or the thread is ending).
    let mut scratch = SCRATCH
        .try_with(|s| s.take())
        .ok()
        .flatten()
        .unwrap_or_default();
    let Scratch {
        candidates,
        between,
        qualifiers,
        hints,
        context,
        sure,
        chosen,
    } = &mut *scratch;
    candidates.fill(&mentions);
    words_between_neighbours(p, &mentions, between);
    qualifiers.clear();
    qualifiers.extend(
        (0..mentions.len()).map(|i| qualifier_admin1(gaz, p, &mentions, candidates, between, i)),
    );
    cue_hints(p, &mentions, between, hints);
    // "Pokrovsk, Donetsk Oblast" reads like a list of two with a region cue, but the second
    // name qualifies the first: the first is not a region because the second is one.
    for (i, hint) in hints.iter_mut().enumerate() {
        if mentions[i].cue.is_none() && qualifiers[i].is_some() {
            *hint = None;
        }
    }

    // Pass 1: context from the mentions that need none.
    context.reset(mentions.len());
    sure.clear();
    for (i, &hint) in hints.iter().enumerate() {
        let k = unambiguous(gaz, candidates.of(i), hint);
        if let Some(k) = k {
            context.add(i, gaz.facts(candidates.of(i)[k]));
        }
        sure.push(k);
    }
    context.index_points();
    // Pass 2: resolve everything against it; pass 3: again, against what pass 2 found, so
    // that two ambiguous neighbours (Lyman and Siversk) pull each other to the same front.
    let choose_with = |context: &Context, i: usize| {
        choose(gaz, hints[i], candidates.of(i), qualifiers[i], context, i)
    };
    chosen.clear();
    chosen.extend((0..mentions.len()).map(|i| choose_with(context, i)));
    // Pass 3's context is every mention's choice. Where pass 2 chose as pass 1 for every
    // mention pass 1 was sure of (nearly always), that is pass 1's context plus the others'
    // choices: nothing a score reads depends on the order places were added in. Else pass 1's
    // lists are emptied and filled again, not made anew.
    let pass1_kept = context.tree.size() == 0
        && sure
            .iter()
            .zip(chosen.iter())
            .all(|(s, c)| s.is_none_or(|k| k == c.0));
    if !pass1_kept {
        context.reset(mentions.len());
    }
    for (i, &(k, _, _)) in chosen.iter().enumerate() {
        if !pass1_kept || sure[i].is_none() {
            context.add(i, gaz.facts(candidates.of(i)[k]));
        }
    }
    context.index_points();
    for (i, choice) in chosen.iter_mut().enumerate() {
        if candidates.of(i).len() > 1 {
            *choice = choose_with(context, i);
        }
    }

    // Built on the first snippet: most articles need a few, and some none.
    let mut snippets: Option<Snippets<'_>> = None;
    let mut has_snippet =
        FxHashSet::with_capacity_and_hasher(mentions.len().min(64), Default::default());
    let n = mentions.len();
    let events = mentions
        .into_iter()
        .enumerate()
        .map(|(i, m)| {
            let (k, score, runner_up) = chosen[i];
            let mut place = candidates.of(i)[k];
            let mut rule = match &runner_up {
                None => "only_candidate",
                Some(r) => score.deciding_rule(r),
            };
            let confidence = match &runner_up {
                None => 1.0,
                Some(r) => 1.0 / (1.0 + (r.total() - score.total()).exp()),
            };
            // "wilayah Kharkiv" where the gazetteer only knows the city by that name: the cue
            // says the region, so take the city's oblast.
            if hints[i] == Some(CueHint::Region) {
                let p0 = gaz.place(place);
                if p0.kind == Kind::PopulatedPlace {
                    if let Some(a) = gaz.admin1_index(&p0.admin1) {
                        place = a;
                        rule = "cue_region_of_city";
                    }
                }
            }
            let snippet = match with_snippets && has_snippet.insert(place) {
                true => snippets
                    .get_or_insert_with(|| Snippets::new(p.text))
                    .around(m.byte_start, m.byte_end),
                false => String::new(),
            };
            Event {
                start: m.start,
                end: m.end,
                snippet,
                role: role(p, &m, gaz.facts(place)),
                surface: m.surface,
                place,
                rule,
                confidence: (confidence * 1000.0).round() / 1000.0,
                candidates: candidates.of(i).len(),
                cue: m.cue.map(|c| c.word),
            }
        })
        .collect();
    if n <= SCRATCH_MENTIONS {
        // Ignored when the thread is ending: the lists are then freed.
        let _ = SCRATCH.try_with(|s| s.set(Some(scratch)));
    }
    events
}

/// The single place of a candidate list (its index in `c`) when the list needs no context: one
/// candidate, one country among small namesakes, or one region when a cue says region.
fn unambiguous(gaz: &Gazetteer, c: &[u32], hint: Option<CueHint>) -> Option<usize> {
    if c.len() == 1 {
        return Some(0);
    }
    let only = |kind: Kind| {
        let mut found = c
            .iter()
            .enumerate()
            .filter(|&(_, &i)| gaz.facts(i).kind == kind)
            .map(|(k, _)| k);
        match (found.next(), found.next()) {
            (Some(k), None) => Some(k),
            _ => None,
        }
    };
    only(Kind::Country).or_else(|| {
        if hint == Some(CueHint::Region) {
            only(Kind::Admin1)
        } else {
            None
        }
    })
}

/// Words that may stand between two names of a list: "Donetsk, Luhansk dan Kherson".
const LIST_JOINERS: &[&str] = &[
    "dan", "serta", "and", "or", "і", "й", "та", "и", "или", "або", "i", "oraz", "lub", "und",
    "oder", "et", "ou", "&",
];

/// Words that may stand between a name and the area that qualifies it: "Pokrovsk, Donetsk
/// Oblast", "Pokrovsk di Oblast Donetsk", "Pokrovsk (Donetsk region)", "Pokrowsk w obwodzie".
const QUALIFIER_LINKS: &[&str] = &[
    "di", "in", "у", "в", "w", "im", "en", "dans", "la", "le", "l", "of",
];

/// For each mention but the last, the words (indexes into `Prepared::norm.words`) between it
/// and the next, or None when there is anything but words and light punctuation between them.
/// Worked out once: lists and qualifiers both ask it of every pair of neighbours.
fn words_between_neighbours(
    p: &Prepared<'_>,
    mentions: &[Mention],
    between: &mut Vec<Option<Range<usize>>>,
) {
    between.clear();
    between.extend(mentions.windows(2).map(|pair| {
        let (a, b) = (&pair[0], &pair[1]);
        if b.start < a.end || b.start - a.end > 40 || b.first_word <= a.last_word {
            return None;
        }
        // A fold with no short-circuit, so that it vectorises.
        if p.text.as_bytes()[a.byte_end..b.byte_start]
            .iter()
            .fold(false, |stop, c| {
                stop | matches!(c, b'.' | b'!' | b'?' | b';' | b'\n')
            })
        {
            return None;
        }
        Some(a.last_word + 1..b.first_word)
    }));
}

/// The words (normal form, punctuation dropped) between mention `i` and the next, if they
/// are linked (see `words_between_neighbours`). An iterator: a list each time cost an
/// allocation per mention.
fn words_between<'p>(
    p: &'p Prepared<'_>,
    between: &[Option<Range<usize>>],
    i: usize,
) -> Option<impl Iterator<Item = &'p str> + Clone> {
    let words = between.get(i)?.clone()?;
    Some(words.map(|w| p.word(w)))
}

/// True when `words` holds at most one word, and that one (if any) is in `allowed`.
fn at_most_one_of<'w>(mut words: impl Iterator<Item = &'w str>, allowed: &[&str]) -> bool {
    match (words.next(), words.next()) {
        (None, _) => true,
        (Some(w), None) => allowed.contains(&w),
        _ => false,
    }
}

/// The cue hint of every mention: its own cue, else one shared along a list of names whose
/// first or last member has one ("wilayah Donetsk, Luhansk dan Kherson" are all regions).
fn cue_hints(
    p: &Prepared<'_>,
    mentions: &[Mention],
    between: &[Option<Range<usize>>],
    hints: &mut Vec<Option<CueHint>>,
) {
    hints.clear();
    hints.extend(mentions.iter().map(|m| m.cue.as_ref().map(|c| c.hint)));
    let mut i = 0;
    while i < mentions.len() {
        let mut j = i;
        while j + 1 < mentions.len()
            && words_between(p, between, j).is_some_and(|ws| at_most_one_of(ws, LIST_JOINERS))
        {
            j += 1;
        }
        if j > i {
            let shared = (i..=j).find_map(|k| hints[k].filter(|h| *h == CueHint::Region));
            if let Some(h) = shared {
                for hint in hints.iter_mut().take(j + 1).skip(i) {
                    if hint.is_none() {
                        *hint = Some(h);
                    }
                }
            }
        }
        i = j + 1;
    }
}

/// The admin1 code a mention is qualified with: "Pokrovsk, Donetsk Oblast", "Pokrovsk di
/// Oblast Donetsk", "Pokrovsk (Donetsk region)".
fn qualifier_admin1(
    gaz: &Gazetteer,
    p: &Prepared<'_>,
    mentions: &[Mention],
    candidates: &Candidates,
    between: &[Option<Range<usize>>],
    i: usize,
) -> Option<u32> {
    let next = mentions.get(i + 1)?;
    let words = words_between(p, between, i)?;
    // The next name's own cue ("di Oblast Donetsk") is not a word between the two: a word
    // spelt as a one-word cue is left out. (A two-word cue, spelt with a space, is never one
    // word.)
    let cue_word = next
        .cue
        .as_ref()
        .filter(|c| c.words.0 == c.words.1)
        .map(|c| p.word(c.words.0));
    if !at_most_one_of(words.filter(|w| Some(*w) != cue_word), QUALIFIER_LINKS) {
        return None;
    }
    let next_candidates = candidates.of(i + 1);
    let is_area = |c: &&u32| matches!(gaz.facts(**c).kind, Kind::Admin1 | Kind::Admin2);
    let qualified_by_area = next
        .cue
        .as_ref()
        .is_some_and(|c| c.hint != CueHint::Settlement)
        || next_candidates.iter().all(|c| is_area(&c));
    if !qualified_by_area {
        return None;
    }
    next_candidates
        .iter()
        .find(is_area)
        .map(|&c| gaz.facts(c).admin1)
}

/// The best candidate (its index in `candidates`), its score, and the runner-up's score.
// Out of line: two mentions in three have one candidate, for which it returns at once, and
// inlined twice into `resolve` it cost 0.7 M more instructions per 2 MB than the calls do.
#[inline(never)]
fn choose(
    gaz: &Gazetteer,
    hint: Option<CueHint>,
    candidates: &[u32],
    qualifier: Option<u32>,
    context: &Context,
    mention_index: usize,
) -> (usize, Score, Option<Score>) {
    if candidates.len() <= 1 {
        // Nothing to weigh: the score of a lone candidate is never read. (None: `resolve`
        // drops mentions without candidates first.)
        return (0, Score::default(), None);
    }
    // A bare oblast-capital name is the city: Kharkiv the city when Kharkiv Oblast is the
    // other reading. (Most names have no oblast among their readings: asked of each
    // settlement only when one has, and with no list collected.)
    let has_oblast = candidates
        .iter()
        .any(|&o| gaz.facts(o).kind == Kind::Admin1);
    let is_oblast_of = |admin1: u32| {
        candidates.iter().any(|&o| {
            let o = gaz.facts(o);
            o.kind == Kind::Admin1 && o.admin1 == admin1
        })
    };
    // Highest score first; ties by population, then id, so the choice is deterministic.
    let better = |a: &(usize, Score, f64), b: &(usize, Score, f64)| {
        b.2.total_cmp(&a.2)
            .then_with(|| {
                let (pa, pb) = (gaz.place(candidates[a.0]), gaz.place(candidates[b.0]));
                pb.population
                    .cmp(&pa.population)
                    .then_with(|| pa.id.cmp(&pb.id))
            })
            .is_lt()
    };
    // The best two in one pass: the rest are never looked at.
    let mut best: Option<(usize, Score, f64)> = None;
    let mut second: Option<(usize, Score, f64)> = None;
    for (k, &c) in candidates.iter().enumerate() {
        let place = gaz.facts(c);
        let capital_of =
            has_oblast && place.kind == Kind::PopulatedPlace && is_oblast_of(place.admin1);
        let s = score(place, capital_of, hint, qualifier, context, mention_index);
        let scored = (k, s, s.total());
        match &best {
            Some(b) if !better(&scored, b) => {
                if second.as_ref().is_none_or(|r| better(&scored, r)) {
                    second = Some(scored);
                }
            }
            _ => {
                second = best.take();
                best = Some(scored);
            }
        }
    }
    match best {
        Some((k, score, _)) => (k, score, second.map(|r| r.1)),
        None => (0, Score::default(), None),
    }
}

/// The proximity score's distances, 30, 100 and 300 km, as squared chords on the unit sphere.
fn proximity_chords2() -> [f64; 3] {
    static CHORDS: std::sync::OnceLock<[f64; 3]> = std::sync::OnceLock::new();
    *CHORDS.get_or_init(|| [30.0, 100.0, 300.0].map(|km| crate::sphere::chord_of_km(km).powi(2)))
}

/// What a candidate's country is worth before the article's context: the two countries of
/// the war most, their neighbours a little. (Worked out once per place, in `PlaceFacts`.)
pub(crate) fn country_prior(country: &str) -> f64 {
    match country {
        "UA" | "RU" => HOME_COUNTRY,
        "BY" | "MD" | "PL" | "RO" | "HU" | "SK" | "GE" => 0.3,
        _ => 0.0,
    }
}

/// The prior of Ukraine and Russia, above that of any country the article names.
const HOME_COUNTRY: f64 = 1.5;

fn score(
    place: &PlaceFacts,
    capital_of: bool,
    hint: Option<CueHint>,
    qualifier: Option<u32>,
    context: &Context,
    mention_index: usize,
) -> Score {
    let mut s = Score {
        kind: match place.kind {
            Kind::Country => 4.0,
            Kind::Continent => 3.0,
            Kind::Landmark => 2.5,
            Kind::Region => 2.0,
            Kind::PopulatedPlace => 1.5,
            Kind::Admin1 => 1.0,
            Kind::Admin2 => 0.0,
        },
        // Admin areas and regions are as prominent as a large city whatever their population
        // field says (often nothing).
        prominence: match place.kind {
            Kind::Admin1 | Kind::Region => 3.0,
            Kind::Admin2 => 2.0,
            _ => place.size_prominence,
        },
        ..Score::default()
    };
    if capital_of {
        s.kind += 1.0;
    }
    if let Some(hint) = hint {
        s.cue = match (hint, place.kind) {
            (CueHint::Region, Kind::Admin1 | Kind::Region) => 4.0,
            (CueHint::District, Kind::Admin2) => 4.0,
            (CueHint::Settlement, Kind::PopulatedPlace) => 4.0,
            _ => 0.0,
        };
    }
    s.country = if place.country_prior < HOME_COUNTRY && context.countries.contains(&place.country)
    {
        1.0
    } else {
        place.country_prior
    };
    if place.kind != Kind::Country && place.admin1 != NO_CODE {
        let n = context.admin1_votes(place.admin1, mention_index);
        if n > 0 {
            s.article_admin1 = 1.5 + (n as f64).min(5.0) * 0.2;
        }
        if qualifier == Some(place.admin1) {
            s.qualifier = 6.0;
        }
    }
    if matches!(place.kind, Kind::PopulatedPlace | Kind::Landmark) {
        s.proximity = context.proximity(place.at, mention_index);
    }
    s.precision = if place.exact { 0.3 } else { 0.0 };
    s
}

/// Words after which a country or capital is the place itself, not a modifier or an actor.
const LOCATION_PREPOSITIONS: &[&str] = &[
    "di",
    "ke",
    "dari",
    "in",
    "into",
    "to",
    "from",
    "at",
    "near",
    "across",
    "inside",
    "within",
    "у",
    "в",
    "на",
    "під",
    "под",
    "із",
    "из",
    "з",
    "до",
    "біля",
    "возле",
    "около",
    "nach",
    "aus",
    "bei",
    "im",
    "w",
    "we",
    "do",
    "pod",
    "z",
    "ze",
    "a",
    "au",
    "en",
    "vers",
    "dans",
    "wilayah",
    "kota",
];

/// True for the words of `LOCATION_PREPOSITIONS`, by a set look-up: asked for every event,
/// and forty string compares cost more than the rest of `role`.
fn is_location_preposition(word: &str) -> bool {
    static SET: std::sync::OnceLock<crate::wordmap::WordSet> = std::sync::OnceLock::new();
    SET.get_or_init(|| crate::wordmap::WordSet::new(LOCATION_PREPOSITIONS.iter().copied()))
        .contains(word)
}

/// A light guess at the mention's role (see `Role`): names after a preposition are locations;
/// a country right after a lower-case noun in Indonesian is adjectival (pasukan Ukraina); a
/// country or capital opening a clause is an actor.
fn role(p: &Prepared<'_>, m: &Mention, place: &PlaceFacts) -> Role {
    let w = m.first_word;
    if w > 0 {
        let prev = p.word(w - 1);
        if is_location_preposition(prev) {
            return Role::Location;
        }
        let stateish =
            place.kind == Kind::Country || (place.kind == Kind::PopulatedPlace && place.metropolis);
        if stateish && !p.is_capitalised(w - 1) && prev.chars().count() > 3 {
            return Role::Adjectival;
        }
    }
    if place.kind == Kind::Country && p.is_sentence_start(w) {
        return Role::Actor;
    }
    Role::Location
}

/// Snippets of an article's text: about 160 characters around a mention, with every run of
/// white space folded to one space.
///
/// The runs that folding changes (anything but one plain space) are found once per article;
/// a snippet is then a slice copy with those runs replaced. (Folding each window afresh went
/// over the text several times, as mentions are closer together than snippets are long; a
/// folded copy of the whole text with a per-byte map cost more than the snippets.)
pub struct Snippets<'t> {
    text: &'t str,
    /// Byte ranges of the white-space runs that are not a single space, in order.
    runs: Vec<(usize, usize)>,
}

/// Characters of context on each side of a mention.
const SNIPPET_SIDE: usize = 80;

impl<'t> Snippets<'t> {
    // Out of line, as `around` is: inlined, both swelled the resolver's event loop, which took
    // 0.9 M more instructions per 2 MB for it.
    #[inline(never)]
    pub fn new(text: &'t str) -> Snippets<'t> {
        let b = text.as_bytes();
        // Sized for a run every 128 bytes (paragraph breaks, mostly): grown from empty, the
        // list was copied twice or three times per article.
        let mut runs = Vec::with_capacity(text.len() / 128);
        // Bytes before `done` belong to runs already found (or to none).
        let mut done = 0;
        // Every run to fold has a byte that `starts_fold` marks at its start or right after a
        // plain space.
        let mut visit = |p: usize| {
            if p < done {
                return;
            }
            let start = if p > done && b[p - 1] == b' ' {
                p - 1
            } else {
                p
            };
            let mut end = start;
            while let n @ 1.. = whitespace_len(b, end) {
                end += n;
            }
            if end > start + 1 || (end == start + 1 && b[start] != b' ') {
                runs.push((start, end));
            }
            // Past the run, or past a byte that only looked like white space (the lead byte of
            // a dash or a quote).
            done = end.max(p + 1);
        };
        // Most stretches of text have nothing to fold: the bytes that may start a run are
        // marked sixteen at a time (`fold_starts16`, each byte with the one after it), and
        // only marked bytes are looked at.
        let mut block = 0;
        while let Some(chunk) = b.get(block..block + 17) {
            let mut bits = fold_starts16(chunk.try_into().unwrap_or(&[0; 17]));
            while bits != 0 {
                visit(block + bits.trailing_zeros() as usize);
                bits &= bits - 1;
            }
            block += 16;
        }
        for p in block..b.len() {
            if starts_fold(b[p], b.get(p + 1).copied().unwrap_or(0)) {
                visit(p);
            }
        }
        Snippets { text, runs }
    }

    /// About 160 characters around the bytes `start..end` of the text (`SNIPPET_SIDE`
    /// characters each side), white space folded to single spaces, none at either end.
    #[inline(never)]
    pub fn around(&self, start: usize, end: usize) -> String {
        let text = self.text;
        let b = text.as_bytes();
        let mut lo = chars_back(b, start, SNIPPET_SIDE);
        let mut hi = chars_forward(b, end, SNIPPET_SIDE);
        // No white space at either end.
        while let n @ 1.. = whitespace_len(b, lo) {
            if lo + n > hi {
                break;
            }
            lo += n;
        }
        while hi > lo {
            let last = char_before(b, hi);
            if whitespace_len(b, last) == 0 {
                break;
            }
            hi = last;
        }
        let mut out = String::with_capacity(hi - lo);
        let mut at = lo;
        // The runs that end inside the window or past it, from the first that ends after `lo`.
        let first = self.runs.partition_point(|&(_, run_end)| run_end <= lo);
        for &(run_start, run_end) in &self.runs[first..] {
            if run_start >= hi {
                break;
            }
            let run_start = run_start.max(lo);
            out.push_str(&text[at..run_start]);
            out.push(' ');
            at = run_end.min(hi);
        }
        out.push_str(&text[at..hi]);
        out
    }
}

/// Bit k set when byte k of `chunk`, followed by byte k + 1, `starts_fold`: sixteen bytes
/// tested in about as many instructions. (The compiler's vectorisation of a loop over
/// `starts_fold`, read back as bits, took three times as many.)
#[cfg(target_arch = "x86_64")]
fn fold_starts16(chunk: &[u8; 17]) -> u32 {
    use std::arch::x86_64::{
        _mm_and_si128, _mm_andnot_si128, _mm_cmpeq_epi8, _mm_loadu_si128, _mm_movemask_epi8,
        _mm_or_si128, _mm_set1_epi8, _mm_setzero_si128, _mm_sub_epi8, _mm_subs_epu8,
    };
    // SAFETY: SSE2 is part of x86_64; both loads are unaligned and inside `chunk`.
    unsafe {
        let v = _mm_loadu_si128(chunk.as_ptr().cast());
        let next = _mm_loadu_si128(chunk[1..].as_ptr().cast());
        let zero = _mm_setzero_si128();
        // x - lo <= width - 1, unsigned: a saturating subtraction leaves nothing.
        let within = |lo: i8, width: u8| {
            let offset = _mm_sub_epi8(v, _mm_set1_epi8(lo));
            _mm_cmpeq_epi8(
                _mm_subs_epu8(offset, _mm_set1_epi8((width - 1) as i8)),
                zero,
            )
        };
        let space = _mm_set1_epi8(b' ' as i8);
        let is_space = _mm_cmpeq_epi8(v, space);
        // `may_start_space` but the plain space: \t to \r, 0xC2, 0xE1 to 0xE3.
        let other = _mm_or_si128(
            _mm_or_si128(within(b'\t' as i8, 5), within(0xE1u8 as i8, 3)),
            _mm_cmpeq_epi8(v, _mm_set1_epi8(0xC2u8 as i8)),
        );
        let double_space = _mm_and_si128(is_space, _mm_cmpeq_epi8(next, space));
        let marks = _mm_or_si128(_mm_andnot_si128(is_space, other), double_space);
        _mm_movemask_epi8(marks) as u32
    }
}

#[cfg(not(target_arch = "x86_64"))]
fn fold_starts16(chunk: &[u8; 17]) -> u32 {
    (0..16).fold(0, |m, k| {
        m | u32::from(starts_fold(chunk[k], chunk[k + 1])) << k
    })
}

/// True for the bytes that can start a white-space character (see `whitespace_len`). No
/// short-circuits, so that it vectorises.
fn may_start_space(x: u8) -> bool {
    (x.wrapping_sub(b'\t') < 5) | (x == b' ') | (x == 0xC2) | (x.wrapping_sub(0xE1) < 3)
}

/// True when byte `x`, followed by `next`, may start a white-space run that snippets fold:
/// white space other than a plain space, or the first of two spaces. No short-circuits, so
/// that a loop over a block vectorises.
fn starts_fold(x: u8, next: u8) -> bool {
    (may_start_space(x) & (x != b' ')) | ((x == b' ') & (next == b' '))
}

/// The byte offset `n` characters before byte `from` (a character boundary) of UTF-8 `b`, or
/// 0. Counts first bytes sixteen at a time (`start_mask16`): no decoding.
fn chars_back(b: &[u8], from: usize, n: usize) -> usize {
    // ASCII, the common case: characters are bytes (and `is_ascii` tests a word at a time).
    if from >= n && is_ascii(&b[from - n..from]) {
        return from - n;
    }
    // First bytes still to pass; the last of them is the answer (n > 0 here).
    let mut need = n;
    let mut at = from;
    while let Some(chunk) = b[..at].last_chunk::<16>() {
        let mut starts = start_mask16(chunk);
        let count = starts.count_ones() as usize;
        if count >= need {
            // The `need`-th first byte from the top of the chunk.
            for _ in 1..need {
                starts ^= 1 << (31 - starts.leading_zeros());
            }
            return at - 16 + (31 - starts.leading_zeros()) as usize;
        }
        need -= count;
        at -= 16;
    }
    for k in (0..at).rev() {
        if is_char_start(b[k]) {
            need -= 1;
            if need == 0 {
                return k;
            }
        }
    }
    0
}

/// `<[u8]>::is_ascii`, sixteen bytes at a time: the high bits of all the loads, or-ed, then
/// tested once (std tests a word at a time, and aligns first).
#[cfg(target_arch = "x86_64")]
fn is_ascii(b: &[u8]) -> bool {
    use std::arch::x86_64::{_mm_loadu_si128, _mm_movemask_epi8, _mm_or_si128, _mm_setzero_si128};
    let mut sixteens = b.chunks_exact(16);
    // SAFETY: SSE2 is part of x86_64; each load is unaligned and of one 16-byte chunk.
    let high = unsafe {
        let mut any = _mm_setzero_si128();
        for chunk in &mut sixteens {
            any = _mm_or_si128(any, _mm_loadu_si128(chunk.as_ptr().cast()));
        }
        _mm_movemask_epi8(any)
    };
    high == 0 && sixteens.remainder().is_ascii()
}

#[cfg(not(target_arch = "x86_64"))]
fn is_ascii(b: &[u8]) -> bool {
    b.is_ascii()
}

/// The start of the character that ends at byte `at` (a character boundary past 0) of UTF-8
/// `b`: `chars_back(b, at, 1)`, by stepping back over at most three continuation bytes.
fn char_before(b: &[u8], at: usize) -> usize {
    let mut k = at - 1;
    while k > 0 && !is_char_start(b[k]) {
        k -= 1;
    }
    k
}

/// The byte offset `n` characters after byte `from` (a character boundary), or the end.
fn chars_forward(b: &[u8], from: usize, n: usize) -> usize {
    if b.get(from..from + n).is_some_and(is_ascii) {
        return from + n;
    }
    // First bytes still to pass before the one that is the answer.
    let mut need = n;
    let mut at = from;
    while let Some(chunk) = b[at..].first_chunk::<16>() {
        let mut starts = start_mask16(chunk);
        let count = starts.count_ones() as usize;
        if count > need {
            for _ in 0..need {
                starts &= starts - 1;
            }
            return at + starts.trailing_zeros() as usize;
        }
        need -= count;
        at += 16;
    }
    for (k, &x) in b[at..].iter().enumerate() {
        if is_char_start(x) {
            if need == 0 {
                return at + k;
            }
            need -= 1;
        }
    }
    b.len()
}

/// Bit k set when byte k of `chunk` starts a character (is no continuation byte). Counting
/// a window's characters this way took a third of the instructions of counting first bytes
/// with `filter().count()`, which widens every byte to a `usize` lane.
#[cfg(target_arch = "x86_64")]
fn start_mask16(chunk: &[u8; 16]) -> u32 {
    use std::arch::x86_64::{_mm_loadu_si128, _mm_movemask_epi8};
    // SAFETY: SSE2 is part of x86_64; the load is unaligned and of the 16 bytes of `chunk`.
    unsafe {
        let v = _mm_loadu_si128(chunk.as_ptr().cast());
        _mm_movemask_epi8(crate::tagger::char_starts16(v)) as u32
    }
}

#[cfg(not(target_arch = "x86_64"))]
fn start_mask16(chunk: &[u8; 16]) -> u32 {
    chunk
        .iter()
        .enumerate()
        .fold(0, |m, (k, &x)| m | u32::from(is_char_start(x)) << k)
}

/// The length in bytes of the white-space character (`char::is_whitespace`) that starts at
/// byte `i` of UTF-8 text, or 0. Only lead bytes match, so word slices stay on character
/// boundaries.
fn whitespace_len(b: &[u8], i: usize) -> usize {
    let next = |k: usize| b.get(i + k).copied().unwrap_or(0);
    match next(0) {
        b'\t' | b'\n' | 0x0B | 0x0C | b'\r' | b' ' => 1,
        // U+0085, U+00A0
        0xC2 if matches!(next(1), 0x85 | 0xA0) => 2,
        // U+1680
        0xE1 if next(1) == 0x9A && next(2) == 0x80 => 3,
        // U+2000–U+200A, U+2028, U+2029, U+202F; U+205F
        0xE2 if next(1) == 0x80 && matches!(next(2), 0x80..=0x8A | 0xA8 | 0xA9 | 0xAF) => 3,
        0xE2 if next(1) == 0x81 && next(2) == 0x9F => 3,
        // U+3000
        0xE3 if next(1) == 0x80 && next(2) == 0x80 => 3,
        _ => 0,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::gazetteer::testing;
    use crate::tagger::tag_prepared;

    fn resolved(text: &str) -> Vec<(String, String)> {
        let g = testing::gazetteer();
        let p = Prepared::new(text);
        let ms = tag_prepared(&g, &p, Some("en"));
        resolve(&g, &p, ms)
            .into_iter()
            .map(|e| (e.surface.to_string(), g.place(e.place).id.to_string()))
            .collect()
    }

    /// Articles one after another on a thread, which keeps the resolver's lists between them,
    /// resolve as each does alone on a fresh thread; so does one too big for the lists to be
    /// kept.
    #[test]
    fn an_article_resolves_the_same_after_any_other() {
        let g = testing::gazetteer();
        let events = |text: &str| {
            let p = Prepared::new(text);
            resolve(&g, &p, tag_prepared(&g, &p, Some("en")))
        };
        let big = "Strikes on Kharkiv and Pokrovsk. ".repeat(SCRATCH_MENTIONS / 2 + 1);
        let texts = [
            "Fighting near Donetsk Oblast towns: Pokrovsk was shelled.",
            "Pokrovsk and Kharkiv, then Donetsk, Velyka Novosilka and Novosilka in the Kharkiv region.",
            big.as_str(),
            "Russia and Ukraine.",
        ];
        let alone: Vec<Vec<Event>> = texts
            .iter()
            .map(|t| std::thread::scope(|s| s.spawn(|| events(t)).join().unwrap()))
            .collect();
        assert!(alone[2].len() > SCRATCH_MENTIONS);
        for order in [[0, 1, 2, 3], [3, 2, 1, 0], [1, 3, 0, 2], [2, 0, 3, 1]] {
            for i in order {
                assert_eq!(
                    events(texts[i]),
                    alone[i],
                    "{}",
                    &texts[i][..40.min(texts[i].len())]
                );
            }
        }
    }

    #[test]
    fn pokrovsk_in_donetsk_context_is_not_yakutia() {
        let r = resolved("Fighting near Donetsk Oblast towns: Pokrovsk was shelled.");
        assert_eq!(
            r.last().unwrap(),
            &("Pokrovsk".to_string(), "gn:704422".to_string())
        );
    }

    #[test]
    fn city_versus_oblast_by_cue() {
        let r =
            resolved("Strikes on Kharkiv. Later in the Kharkiv region and the city of Kharkiv.");
        let ids: Vec<&str> = r.iter().map(|(_, id)| id.as_str()).collect();
        assert_eq!(ids, ["gn:706482", "gn:706483", "gn:706482"]);
    }

    #[test]
    fn without_snippets_the_events_are_the_same_but_their_snippets() {
        let g = testing::gazetteer();
        let text = "Serangan di wilayah Kharkiv dan Pokrovsk, Donetsk Oblast. Kharkiv lagi.";
        let p = Prepared::new(text);
        let mut with = resolve(&g, &p, tag_prepared(&g, &p, Some("id")));
        let without = resolve_without_snippets(&g, &p, tag_prepared(&g, &p, Some("id")));
        assert!(with.len() >= 3, "{with:?}");
        assert!(with.iter().any(|e| !e.snippet.is_empty()));
        assert!(without.iter().all(|e| e.snippet.is_empty()));
        for e in &mut with {
            e.snippet.clear();
        }
        assert_eq!(with, without);
    }

    #[test]
    fn snippet_is_on_the_first_mention_of_each_place() {
        let g = testing::gazetteer();
        let text = "Strikes on Kharkiv.\n\nKharkiv again, then Pokrovsk;  Kharkiv, Pokrovsk.";
        let p = Prepared::new(text);
        let events = resolve(&g, &p, tag_prepared(&g, &p, Some("en")));
        let got: Vec<(&str, &str)> = events
            .iter()
            .map(|e| (e.surface.as_str(), e.snippet.as_str()))
            .collect();
        let whole = "Strikes on Kharkiv. Kharkiv again, then Pokrovsk; Kharkiv, Pokrovsk.";
        assert_eq!(
            got,
            [
                ("Kharkiv", whole),
                ("Kharkiv", ""),
                ("Pokrovsk", whole),
                ("Kharkiv", ""),
                ("Pokrovsk", ""),
            ]
        );
    }

    #[test]
    fn lists_and_qualifiers_allow_one_linking_word() {
        assert!(at_most_one_of(std::iter::empty(), LIST_JOINERS));
        assert!(at_most_one_of(["dan"].into_iter(), LIST_JOINERS));
        assert!(!at_most_one_of(["kota"].into_iter(), LIST_JOINERS));
        assert!(!at_most_one_of(["dan", "dan"].into_iter(), LIST_JOINERS));
        // One linking word or none, and the qualifier decides.
        for text in [
            "Shelling hit Pokrovsk in Donetsk Oblast.",
            // Not a list of regions: the oblast qualifies the town.
            "Shelling hit Pokrovsk, Donetsk Oblast.",
        ] {
            let r = resolved(text);
            assert_eq!(
                r[0],
                ("Pokrovsk".to_string(), "gn:704422".to_string()),
                "{text}: {r:?}"
            );
        }
    }

    #[test]
    fn char_before_is_chars_back_by_one() {
        for text in [
            "",
            "a",
            "Покровськ — «місто» 北京 \u{1F600}x",
            "\u{3000} \u{A0}y",
        ] {
            let b = text.as_bytes();
            for (at, _) in text.char_indices().skip(1).chain([(text.len(), ' ')]) {
                if at > 0 {
                    assert_eq!(char_before(b, at), chars_back(b, at, 1), "{text:?} {at}");
                }
            }
        }
    }

    #[test]
    fn whitespace_len_is_char_is_whitespace() {
        for c in (0..=0x10FFFF).filter_map(char::from_u32) {
            let mut buf = [0u8; 4];
            let b = c.encode_utf8(&mut buf).as_bytes();
            let want = if c.is_whitespace() { b.len() } else { 0 };
            assert_eq!(whitespace_len(b, 0), want, "U+{:04X}", c as u32);
        }
    }

    #[test]
    fn snippet_is_one_line() {
        let snippet = |text: &str, start: usize, end: usize| {
            let byte = |c: usize| text.char_indices().nth(c).map_or(text.len(), |(b, _)| b);
            Snippets::new(text).around(byte(start), byte(end))
        };
        assert_eq!(snippet("a\n\nb  Kharkiv\tc", 6, 13), "a b Kharkiv c");
        assert_eq!(
            snippet(" \u{a0}Київ\u{2003}\n\tта  Харків\u{b} ", 2, 6),
            "Київ та Харків"
        );
    }

    /// `chars_back` and `chars_forward` of `n` characters from character `at` (or the end) of
    /// `text` land where decoding the characters does.
    fn counts_agree(
        text: &str,
        at: usize,
        n: usize,
    ) -> Result<(), proptest::test_runner::TestCaseError> {
        let starts: Vec<usize> = text
            .char_indices()
            .map(|(b, _)| b)
            .chain([text.len()])
            .collect();
        let c = at.min(starts.len() - 1);
        let from = starts[c];
        proptest::prop_assert_eq!(
            chars_back(text.as_bytes(), from, n),
            starts[c.saturating_sub(n)]
        );
        proptest::prop_assert_eq!(
            chars_forward(text.as_bytes(), from, n),
            starts[(c + n).min(starts.len() - 1)]
        );
        Ok(())
    }

    /// The proximity score as a plain `f64` scan of every point gives it.
    fn proximity_by_definition(points: &[([f64; 3], usize)], q: [f64; 3], mention: usize) -> f64 {
        let nearest = points
            .iter()
            .filter(|(_, m)| *m != mention)
            .map(|(p, _)| (0..3).map(|k| (p[k] - q[k]).powi(2)).sum::<f64>())
            .fold(f64::INFINITY, f64::min);
        let [near, close, far] = proximity_chords2();
        [(near, 2.0), (close, 1.2), (far, 0.5)]
            .iter()
            .find(|(t, _)| nearest < *t)
            .map_or(0.0, |(_, score)| *score)
    }

    /// A point `km` north of (`lon`, `lat`) on the sphere.
    fn north_of(lon: f64, lat: f64, km: f64) -> [f64; 3] {
        crate::sphere::unit_vector(
            lon,
            lat + (km / crate::sphere::EARTH_RADIUS_KM).to_degrees(),
        )
    }

    #[test]
    fn proximity_at_the_thresholds_is_the_f64_one() {
        // Points a metre or less either side of each threshold, where the f32 scan cannot
        // tell and must ask the f64 one.
        for km in [30.0, 100.0, 300.0] {
            for metres in [-1.0, -0.01, -0.0001, 0.0, 0.0001, 0.01, 1.0] {
                let q = crate::sphere::unit_vector(37.5, 48.3);
                let p = north_of(37.5, 48.3, km + metres / 1000.0);
                let mut context = Context::default();
                context.reset(2);
                context.add_point(1, p);
                context.index_points();
                assert_eq!(
                    context.proximity(q, 0),
                    proximity_by_definition(&[(p, 1)], q, 0),
                    "{km} km {metres:+} m"
                );
                // A mention's own point is not its context.
                assert_eq!(context.proximity(p, 1), 0.0);
            }
        }
    }

    proptest::proptest! {
        /// The f32 scan and the tree score as a plain f64 scan, distances straddling every
        /// threshold, with points of the same mention and of the asking one.
        #[test]
        fn proximity_is_the_f64_scans(
            points in proptest::collection::vec(
                (-400.0f64..400.0, 0.0f64..360.0, 0usize..12), 0..48),
            q_mention in 0usize..12,
        ) {
            let (lon0, lat0) = (36.0, 48.5);
            let q = crate::sphere::unit_vector(lon0, lat0);
            let points: Vec<([f64; 3], usize)> = points
                .iter()
                .map(|&(km, bearing, m)| {
                    // `km` off the query point, east or west by the sign and the bearing.
                    let north = km * bearing.to_radians().cos();
                    let east = km * bearing.to_radians().sin();
                    let lat = lat0 + (north / crate::sphere::EARTH_RADIUS_KM).to_degrees();
                    let lon = lon0
                        + (east / crate::sphere::EARTH_RADIUS_KM).to_degrees()
                            / lat0.to_radians().cos();
                    (crate::sphere::unit_vector(lon, lat), m)
                })
                .collect();
            let mut context = Context::default();
            context.reset(12);
            for &(p, m) in &points {
                context.add_point(m, p);
            }
            context.index_points();
            proptest::prop_assert_eq!(
                context.proximity(q, q_mention),
                proximity_by_definition(&points, q, q_mention)
            );
        }

        /// Counting first bytes finds the same offsets as decoding characters.
        #[test]
        fn chars_back_and_forward_count_characters(
            // Long ASCII stretches too, for the ASCII shortcut.
            text in "([a ]{0,16}|[aЖ€😀 ]{0,4}){0,6}",
            at in 0usize..60,
            n in 0usize..12,
        ) {
            counts_agree(&text, at, n)?;
        }

        /// The same over windows as long as a snippet's, across many sixteen-byte chunks.
        #[test]
        fn chars_back_and_forward_count_snippet_windows(
            text in "[a Жї€😀]{0,300}",
            at in 0usize..300,
            n in 0usize..100,
        ) {
            counts_agree(&text, at, n)?;
        }

        /// The sixteen-byte mask marks the bytes that `is_char_start` does.
        #[test]
        fn start_mask16_is_is_char_start(bytes in proptest::array::uniform16(proptest::num::u8::ANY)) {
            let want = (0..16).fold(0u32, |m, k| m | u32::from(is_char_start(bytes[k])) << k);
            proptest::prop_assert_eq!(start_mask16(&bytes), want);
        }

        /// The sixteen-at-a-time test agrees with std's, whatever the length and wherever
        /// the one high byte (if any) is.
        #[test]
        fn is_ascii_is_std_is_ascii(
            len in 0usize..100,
            high in proptest::option::of((0usize..100, 0x80u8..=0xFF)),
        ) {
            let mut bytes = vec![b'a'; len];
            if let Some((at, byte)) = high {
                if at < len {
                    bytes[at] = byte;
                }
            }
            proptest::prop_assert_eq!(is_ascii(&bytes), bytes.is_ascii());
        }

        /// The sixteen-byte mask marks the bytes that `starts_fold` does.
        #[test]
        fn fold_starts16_is_starts_fold(
            bytes in proptest::collection::vec(
                proptest::prop_oneof![
                    proptest::num::u8::ANY,
                    proptest::sample::select(vec![b' ', b'\t', b'\n', b'\r', 0x0B, 0x0C, 0x08, 0x0E, 0xC2, 0xE0, 0xE1, 0xE3, 0xE4]),
                ],
                17,
            )
        ) {
            let chunk: [u8; 17] = bytes.clone().try_into().unwrap();
            let want = (0..16).fold(0u32, |m, k| m | u32::from(starts_fold(chunk[k], chunk[k + 1])) << k);
            proptest::prop_assert_eq!(fold_starts16(&chunk), want);
        }

        /// The folded text gives what folding each window would: its words, one space apart.
        #[test]
        fn snippets_are_the_words_of_their_window(
            text in "[a-c \u{a0}\u{2003}\u{3000}\t\nКї.—’©]{0,400}",
            start in 0usize..400,
            len in 0usize..20,
        ) {
            let chars: Vec<char> = text.chars().collect();
            let n = chars.len();
            let (start, end) = (start.min(n), (start + len).min(n));
            let window: String = chars[start.saturating_sub(80)..(end + 80).min(n)]
                .iter()
                .collect();
            let want = window.split_whitespace().collect::<Vec<_>>().join(" ");
            let byte = |c: usize| text.char_indices().nth(c).map_or(text.len(), |(b, _)| b);
            proptest::prop_assert_eq!(Snippets::new(&text).around(byte(start), byte(end)), want);
        }
    }
}
