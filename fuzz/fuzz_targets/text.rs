//! Arbitrary bytes as an article's text (invalid UTF-8 replaced), straight through what `map`
//! does per article: language detection, the normal form, tag + resolve with snippets, area
//! coverage and the layer formatting. No files: tens of thousands of texts a second reach the
//! hand-vectorised and `unsafe` code of the hot path (the normaliser's SSE2 runs, the snippet
//! windows, the per-thread word memory). The first byte picks the article's language, or
//! none (then detected). A panic, or any of the checks below failing, is a finding.
#![no_main]

use std::sync::OnceLock;

use frontmap::areas::{Areas, Coverer};
use frontmap::gazetteer::normalise::normalise_text;
use frontmap::gazetteer::Gazetteer;
use frontmap::ingest::{Article, ArticleMeta};
use frontmap::layers::Formatter;
use libfuzzer_sys::fuzz_target;

struct Shipped {
    gaz: Gazetteer,
    areas: Areas,
}

fn shipped() -> &'static Shipped {
    static SHIPPED: OnceLock<Shipped> = OnceLock::new();
    SHIPPED.get_or_init(|| {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../gazetteer");
        Shipped {
            gaz: Gazetteer::load(&dir).expect("shipped gazetteer"),
            areas: Areas::load(&dir.join("areas.geojson")).expect("shipped areas"),
        }
    })
}

const LANGS: [Option<&str>; 8] = [
    None,
    Some("id"),
    Some("en"),
    Some("uk"),
    Some("ru"),
    Some("de"),
    Some("pl"),
    Some("fr"),
];

fuzz_target!(|data: &[u8]| {
    let Some((&pick, bytes)) = data.split_first() else {
        return;
    };
    let text = String::from_utf8_lossy(bytes).into_owned();

    // The normal form: every byte maps back to a character boundary of the text, in order,
    // and the words are runs of it.
    let norm = normalise_text(&text);
    assert_eq!(norm.source_byte.len(), norm.text.len() + 1);
    assert_eq!(norm.source_byte.last().copied(), Some(text.len() as u32));
    assert!(norm.source_byte.windows(2).all(|w| w[0] <= w[1]));
    for &at in &norm.source_byte {
        assert!(text.is_char_boundary(at as usize));
    }
    assert_eq!(norm.words.len(), norm.word_case.len());
    let mut last = 0;
    for &(lo, hi) in &norm.words {
        assert!(last <= lo && lo < hi && hi <= norm.text.len());
        assert!(norm.text.is_char_boundary(lo) && norm.text.is_char_boundary(hi));
        last = hi;
    }
    drop(norm);

    let gaz = &shipped().gaz;
    let article = Article {
        meta: ArticleMeta {
            id: "fuzz".into(),
            lang: LANGS[usize::from(pick) % LANGS.len()].map(str::to_string),
            ..Default::default()
        },
        text,
    };
    let result = frontmap::process_article(gaz, &article);
    let chars: Vec<char> = article.text.chars().collect();
    let mut last_end = 0;
    for e in &result.events {
        assert!(e.start < e.end && e.end <= chars.len() && e.start >= last_end);
        assert_eq!(chars[e.start..e.end].iter().collect::<String>(), e.surface);
        assert!((e.place as usize) < gaz.places.len());
        assert!((0.0..=1.0).contains(&e.confidence));
        // A snippet is one line, white space folded, none at either end, and holds its
        // mention.
        let s = &e.snippet;
        assert!(!s.contains("  ") && !s.contains(['\n', '\r', '\t']), "{s:?}");
        assert_eq!(s.trim(), s.as_str());
        if !s.is_empty() {
            let folded: String = e.surface.split_whitespace().collect::<Vec<_>>().join(" ");
            assert!(s.contains(&folded), "{s:?} lacks {folded:?}");
        }
        last_end = e.end;
    }

    PER_ARTICLE.with(|(coverer, format)| {
        let coverage = coverer.article(&result);
        format
            .article(&result, Some(&coverage))
            .expect("an article's layers format");
    });
});

thread_local! {
    /// Made once, as `map` makes them once per run: made per input, they took most of the time.
    static PER_ARTICLE: (Coverer<'static>, Formatter<'static>) = {
        let Shipped { gaz, areas } = shipped();
        (
            Coverer::new(gaz, areas, None),
            Formatter::new(gaz, areas.areas().iter().map(|a| a.id.clone()).collect()),
        )
    };
}
