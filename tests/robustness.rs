//! Reliability and safety (issue #7): no panic on any input, offsets always inside the text and
//! on character boundaries, bounded resources with a clear message where a limit is hit, clear
//! errors for a bad output folder, and `file: line N: what is wrong` for a damaged gazetteer.
//!
//! The property tests run `CASES` cases per target (proptest; a failing case is shrunk and
//! printed). Resource tests use small test-only limits (an `IngestOptions` field) where the
//! real limit would make CI slow; the README's "Limits and bad input" gives the measured peaks
//! of the full-size cases.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::sync::OnceLock;

use chrono::{Datelike, NaiveDate};
use proptest::prelude::*;

use frontmap::gazetteer::normalise::{normalise_name, normalise_text};
use frontmap::gazetteer::Gazetteer;
use frontmap::ingest::{self, Article, Failure, IngestOptions};

/// Cases per property; the whole file stays well under a minute in `--release`.
const CASES: u32 = 256;

fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// The shipped gazetteer, loaded once for every test of this file.
fn gazetteer() -> &'static Gazetteer {
    static GAZ: OnceLock<Gazetteer> = OnceLock::new();
    GAZ.get_or_init(|| Gazetteer::load(&repo().join("gazetteer")).expect("shipped gazetteer"))
}

fn run(options: &IngestOptions) -> (Vec<Article>, Vec<Failure>) {
    let mut articles = Vec::new();
    let mut failures = Vec::new();
    for item in ingest::articles(options) {
        match item {
            Ok(a) => articles.push(a),
            Err(f) => failures.push(f),
        }
    }
    (articles, failures)
}

fn inputs(paths: &[&Path]) -> IngestOptions {
    IngestOptions {
        inputs: paths.iter().map(|p| p.display().to_string()).collect(),
        ..Default::default()
    }
}

// ---- Strategies ----

/// Pieces of hostile text: real place names in several scripts and case forms, combining
/// marks, right-to-left text, bidi controls, NUL and other controls, zero-width characters,
/// emoji sequences, very long words, and stray markup and JSON escapes.
fn piece() -> impl Strategy<Value = String> {
    let fixed: Vec<&'static str> = vec![
        "Харкові",
        "Kharkiv",
        "Bakhmut",
        "wilayah Donetsk",
        "Покровськ",
        "Pokrowsk",
        "Charkiw",
        "Zaporizhzhia Oblast",
        "12 вересня 2022",
        "Senin (12/9/2022)",
        "Sept. 12, 2022",
        "\u{301}",
        "\u{308}",
        "e\u{301}\u{301}\u{301}",
        "Х\u{308}арків",
        "مدينة خاركيف",
        "חרקוב",
        "\u{202E}Kharkiv\u{202C}",
        "\u{2066}Бахмут\u{2069}",
        "\u{200F}\u{200E}",
        "\0",
        "\u{7}\u{1b}[31m",
        "Khar\u{200D}kiv",
        "Ba\u{200B}khmut",
        "\u{FEFF}",
        "🇺🇦",
        "👨‍👩‍👧‍👦",
        "🏳️‍🌈",
        "Kup'yans'k",
        "Куп’янськ",
        "\r\n",
        "\u{2028}",
        "\u{FFFD}",
        "<p>",
        "</div>",
        "\\ud800",
        "\\udc00\\ud800",
        "…",
        "-",
        "—",
        "'",
    ];
    let long_words = prop_oneof![
        Just("x".repeat(10_000)),
        Just("Ж".repeat(10_000)),
        Just("Kharkiv".repeat(1_500)),
        Just("\u{301}".repeat(5_000)),
    ];
    prop_oneof![
        6 => proptest::sample::select(fixed).prop_map(str::to_string),
        2 => "\\PC{0,12}",
        2 => any::<char>().prop_map(String::from),
        1 => long_words,
    ]
}

/// Mixed hostile text: up to 40 pieces, joined by spaces, punctuation or nothing.
fn mixed_text() -> impl Strategy<Value = String> {
    proptest::collection::vec(
        (
            piece(),
            proptest::sample::select(vec!["", " ", ", ", ". ", "\n", "-"]),
        ),
        0..40,
    )
    .prop_map(|parts| parts.into_iter().map(|(p, sep)| p + sep).collect())
}

/// Any text: arbitrary bytes made into a string, arbitrary characters (controls, surrogate
/// neighbours, private use), or the mixed text above.
fn any_text() -> impl Strategy<Value = String> {
    prop_oneof![
        proptest::collection::vec(any::<u8>(), 0..300)
            .prop_map(|b| String::from_utf8_lossy(&b).into_owned()),
        proptest::collection::vec(any::<char>(), 0..300).prop_map(|c| c.into_iter().collect()),
        mixed_text(),
    ]
}

/// A JSON Lines line: a valid record of mixed text (escaped by serde_json, so lone `\ud800`
/// pieces stay literal), one whose text holds raw escapes such as lone surrogates, or junk.
fn json_line() -> impl Strategy<Value = String> {
    prop_oneof![
        (mixed_text(), mixed_text(), "\\PC{0,20}").prop_map(|(text, title, date)| {
            serde_json::json!({"id": title, "text": text, "title": title, "date": date}).to_string()
        }),
        proptest::collection::vec(
            proptest::sample::select(vec![
                "Kharkiv ",
                "\\ud800",
                "\\udfff",
                "\\ud800\\u0041",
                "\\u0000",
                "\\n",
                "\\\"",
                "Бахмут ",
                "\\uD83C\\uDDFA",
                "\\",
                "\"",
            ]),
            0..20
        )
        .prop_map(|p| format!("{{\"text\":\"{}\"}}", p.concat())),
        any_text(),
    ]
}

// ---- No panic, and offsets that stay inside the text ----

proptest! {
    #![proptest_config(ProptestConfig::with_cases(CASES))]

    /// The normal form maps every byte back to a character of the original text, in order,
    /// and any span of whole normal-form characters to a span of whole original ones.
    #[test]
    fn normaliser_maps_back_inside_the_text(text in any_text()) {
        let n = normalise_text(&text);
        prop_assert_eq!(n.source_byte.len(), n.text.len() + 1);
        prop_assert_eq!(n.source_byte.last().copied(), Some(text.len() as u32));
        prop_assert!(n.source_byte.windows(2).all(|w| w[0] <= w[1]), "map goes backwards");
        prop_assert!(n.source_byte.iter().all(|&b| text.is_char_boundary(b as usize)));
        let bounds: Vec<usize> = (0..=n.text.len()).filter(|&b| n.text.is_char_boundary(b)).collect();
        for (k, &lo) in bounds.iter().enumerate() {
            // A normal-form character comes from one original character.
            if let Some(&next) = bounds.get(k + 1) {
                let first = n.source_byte[lo];
                prop_assert!(n.source_byte[lo..next].iter().all(|&c| c == first));
            }
            for &hi in bounds[k..].iter().take(4).chain(bounds.last()) {
                let (s, e) = n.original_span(&text, lo, hi);
                prop_assert!(s <= e && e <= text.len(), "span {}..{} -> {}..{} of {}", lo, hi, s, e, text.len());
                prop_assert!(text.get(s..e).is_some());
            }
        }
        for &(lo, hi) in &n.words {
            prop_assert!(lo < hi && n.text.get(lo..hi).is_some());
        }
    }

    #[test]
    fn names_normalise_without_panic(name in any_text()) {
        let n = normalise_name(&name);
        prop_assert_eq!(n.trim_matches(' '), n.as_str());
    }

    /// Tagger and resolver on the shipped gazetteer: every event lies inside the text, its
    /// surface is the text there, and events come in text order without overlapping.
    #[test]
    fn events_are_well_formed(text in any_text(), lang in proptest::option::of("id|en|uk|ru|de|pl|fr|xx")) {
        let article = Article {
            meta: ingest::ArticleMeta { id: "p".into(), lang, ..Default::default() },
            text,
        };
        let result = frontmap::process_article(gazetteer(), &article);
        let chars: Vec<char> = article.text.chars().collect();
        let mut last_end = 0;
        for e in &result.events {
            prop_assert!(e.start < e.end && e.end <= chars.len(), "{}..{} of {}", e.start, e.end, chars.len());
            let surface: String = chars[e.start..e.end].iter().collect();
            prop_assert_eq!(&surface, &e.surface);
            prop_assert!(e.start >= last_end, "overlap or disorder at {}", e.start);
            prop_assert!((0.0..=1.0).contains(&e.confidence));
            prop_assert!((e.place as usize) < gazetteer().places.len());
            last_end = e.end;
        }
    }

    /// Dates are None or within the years the parser accepts (a weekday or yearless date
    /// anchored on `published` may fall up to a year before it).
    #[test]
    fn dates_are_none_or_sane(
        text in prop_oneof![any_text(), "[0-9./ -]{0,24}", "\\PC{0,40}"],
        lang in proptest::option::of("id|en|uk|ru|de|pl|fr"),
        published in proptest::option::of((1990i32..=2100, 1u32..=12, 1u32..=28)),
    ) {
        let published = published.and_then(|(y, m, d)| NaiveDate::from_ymd_opt(y, m, d));
        if let Some(d) = ingest::date_in_text(&text, lang.as_deref(), published) {
            let anchored = published.is_some_and(|p| d <= p && (p - d).num_days() <= 366);
            prop_assert!(ingest::dates::YEARS.contains(&d.year()) || anchored, "{}", d);
        }
        if let Some(d) = ingest::parse_metadata_date(&text) {
            prop_assert!(ingest::dates::YEARS.contains(&d.year()), "{}", d);
        }
    }

    /// HTML extraction on arbitrary text and on tag soup: no panic, and the text is lines of
    /// single-spaced words.
    #[test]
    fn html_extraction_never_panics(
        page in prop_oneof![
            any_text(),
            proptest::collection::vec(prop_oneof![
                proptest::sample::select(vec![
                    "<html>", "<body>", "<div>", "</div>", "<p>", "</p>", "<b>", "</i>",
                    "<article>", "</article>", "<script>", "</script>", "<style>", "<!--",
                    "-->", "<table><tr><td>", "</td>", "<svg>", "<path/>", "</svg>",
                    "<math>", "<br/>", "<template>", "<div title=\"a>b\">", "<p hidden>",
                    "<meta name=\"date\" content=\"2022-09-12\">", "<title>", "</title>",
                    "<h1>", "<![CDATA[", "]]>", "<?xml?>", "<!doctype html>", "&amp;",
                    "&#0;", "&#x110000;", "<plaintext>", "<noscript>", "<textarea>",
                    "<time datetime=\"2022-13-45\">",
                ]).prop_map(str::to_string),
                piece(),
            ], 0..60).prop_map(|v| v.concat()),
        ]
    ) {
        let got = ingest::html::extract(&page);
        prop_assert!(!got.text.contains("\n\n"));
        prop_assert!(got.text.lines().all(|l| !l.is_empty() && l.trim() == l));
        if let Some(t) = &got.title {
            prop_assert!(!t.is_empty());
        }
        let _ = ingest::html::fragment_text(&page);
    }

    #[test]
    fn json_lines_never_panic(line in json_line(), line_no in 1usize..1_000_000) {
        match ingest::article_from_json_line(&line, "p.jsonl", line_no) {
            Ok(a) => {
                prop_assert!(!a.text.trim().is_empty());
                prop_assert!(!a.meta.id.is_empty() && !a.meta.id.contains(['/', '\\']));
                prop_assert_eq!(a.meta.source, format!("p.jsonl:{line_no}"));
            }
            Err(f) => {
                prop_assert_eq!((f.input.as_str(), f.line), ("p.jsonl", Some(line_no)));
                prop_assert!(!f.warning);
            }
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(CASES))]

    /// The capped line reader gives every line of at most `limit` bytes whole and skips the
    /// longer ones, whatever the bytes.
    #[test]
    fn capped_lines_are_whole_or_skipped(
        bytes in proptest::collection::vec(prop_oneof![4 => any::<u8>(), 1 => Just(b'\n')], 0..2000),
        limit in 0u64..300,
        capacity in 1usize..64,
    ) {
        let mut reader = std::io::BufReader::with_capacity(capacity, &bytes[..]);
        let mut buf = Vec::new();
        let mut got = Vec::new();
        loop {
            match ingest::read_line_capped(&mut reader, &mut buf, limit).unwrap() {
                ingest::CappedLine::End => break,
                ingest::CappedLine::TooLong => got.push(None),
                ingest::CappedLine::Line => {
                    prop_assert!(buf.len() as u64 <= limit + 1);
                    got.push(Some(buf.strip_suffix(b"\n").unwrap_or(&buf).to_vec()));
                }
            }
        }
        let mut want: Vec<Option<Vec<u8>>> = bytes
            .split(|&b| b == b'\n')
            .map(|l| (l.len() as u64 <= limit).then(|| l.to_vec()))
            .collect();
        if bytes.last().is_none_or(|&b| b == b'\n') {
            want.pop();
        }
        prop_assert_eq!(got, want);
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(CASES / 4))]

    /// A JSON Lines file of good records and bad lines: every bad line is a failure with the
    /// file and its line number, and every good line after it is still read.
    #[test]
    fn bad_json_lines_cost_only_themselves(
        lines in proptest::collection::vec(prop_oneof![
            // A good record's text has no control characters but white space: a short text
            // that is a fair share of them is refused as binary, by design (found by CI, "Text \u{7f}").
            mixed_text().prop_map(|t| {
                let t: String = t.chars().filter(|c| !c.is_control() || c.is_whitespace()).collect();
                (true, serde_json::json!({"text": format!("Text {t}")}).to_string())
            }),
            json_line().prop_map(|l| (false, l)),
        ], 1..12)
    ) {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("mixed.jsonl");
        let mut file = String::new();
        for (_, l) in &lines {
            file.push_str(&l.replace(['\n', '\r'], " "));
            file.push('\n');
        }
        std::fs::write(&path, &file).unwrap();
        let shown = path.display().to_string();
        let mut read = 0;
        for item in ingest::articles(&inputs(&[&path])) {
            let line = match &item {
                Ok(a) => a.meta.source.rsplit(':').next().unwrap().parse::<usize>().unwrap(),
                Err(f) => {
                    prop_assert_eq!(&f.input, &shown);
                    f.line.expect("a JSON Lines failure has a line number")
                }
            };
            prop_assert!(line >= 1 && line <= lines.len());
            if lines[line - 1].0 {
                prop_assert!(item.is_ok(), "good line {} failed: {:?}", line, item.err());
                read += 1;
            }
        }
        prop_assert_eq!(read, lines.iter().filter(|(good, _)| *good).count());
    }
}

/// Found by the property tests: a combining mark between two white-space runs left two
/// spaces in the normal form ("every run of white space folded to one space" did not hold).
#[test]
fn combining_mark_between_spaces_leaves_no_double_space() {
    for text in ["Харкові \u{301}\nХаркові", "a \u{308} b", "a -\u{301}- b"] {
        let n = normalise_name(text);
        assert!(!n.contains("  "), "{text:?} -> {n:?}");
    }
}

// ---- HTML that is deep, unclosed or otherwise hostile ----

/// Pages that used to overflow the stack or take minutes: 100,000 nested elements. Each
/// gives its article, with its text, and a warning that markup was dropped.
#[test]
fn deeply_nested_html_gives_its_text_and_a_warning() {
    const N: usize = 100_000;
    let dir = tempfile::tempdir().unwrap();
    let pages = [
        (
            "divs",
            format!(
                "{}<p>Shelling in Bakhmut.</p>{}",
                "<div>".repeat(N),
                "</div>".repeat(N)
            ),
        ),
        (
            "unclosed",
            format!("{}Shelling in Bakhmut.", "<b>".repeat(N)),
        ),
        (
            "div-p",
            format!("{}Shelling in Bakhmut.", "<div><p>x ".repeat(N)),
        ),
        (
            "tables",
            format!("{}Shelling in Bakhmut.", "<table><tr><td>".repeat(N / 10)),
        ),
        (
            "self-closing",
            format!("{}Shelling in Bakhmut.", "<span/>".repeat(N)),
        ),
    ];
    let mut paths = Vec::new();
    for (name, body) in &pages {
        let path = dir.path().join(format!("{name}.html"));
        std::fs::write(
            &path,
            format!("<!doctype html><html><body>{body}</body></html>"),
        )
        .unwrap();
        paths.push(path);
    }
    let refs: Vec<&Path> = paths.iter().map(PathBuf::as_path).collect();
    let (articles, failures) = run(&inputs(&refs));
    assert_eq!(articles.len(), pages.len(), "{failures:?}");
    for a in &articles {
        assert!(
            a.text.ends_with("Shelling in Bakhmut."),
            "{}",
            a.meta.source
        );
    }
    assert_eq!(failures.len(), pages.len());
    for f in &failures {
        assert!(f.warning, "{f}");
        assert!(
            f.message
                .starts_with("HTML nested deeper than 512 elements"),
            "{f}"
        );
    }
}

#[test]
fn unclosed_scripts_comments_and_tags_do_not_hide_or_break_anything() {
    let cases = [
        (
            "<p>Kharkiv.</p><script>var a = '<p>not text</p>';",
            "Kharkiv.",
        ),
        ("<p>Kharkiv.</p><!-- <p>not text</p>", "Kharkiv."),
        ("<p>Kharkiv.</p><style>p{}", "Kharkiv."),
        ("<p>Kharkiv.<p", "Kharkiv."),
        ("<p title=\"unclosed>Kharkiv.</p>", ""),
        ("<p>Kharkiv.</p><div><div><div>", "Kharkiv."),
    ];
    for (body, want) in cases {
        let got = ingest::html::extract(&format!("<html><body>{body}"));
        assert_eq!(got.text, want, "{body}");
    }
}

// ---- Resource limits ----

/// A single-line text file over the size limit is refused before it is read, with its size
/// and the limit; the next input is still read. (The limit is 64 MiB; here a 1 MiB test limit
/// stands in for it, the README gives the 1 GB case.)
#[test]
fn text_file_over_the_limit_is_refused_and_the_rest_read() {
    let dir = tempfile::tempdir().unwrap();
    let big = dir.path().join("big.txt");
    let line = "Shelling near Kharkiv. ".repeat((1 << 20) / 23 + 10);
    std::fs::write(&big, &line).unwrap();
    let small = dir.path().join("small.txt");
    std::fs::write(&small, "Shelling near Izium on Monday.").unwrap();
    let options = IngestOptions {
        max_file_bytes: 1 << 20,
        ..inputs(&[&big, &small])
    };
    let (articles, failures) = run(&options);
    assert_eq!(articles.len(), 1);
    assert_eq!(articles[0].meta.id, "small");
    assert_eq!(failures.len(), 1);
    assert_eq!(
        failures[0].to_string(),
        format!(
            "{}: too large: 1.0 MiB, over the limit of 1048576 bytes (1.0 MiB); skipped",
            big.display()
        )
    );
}

/// A `--urls` list over the limit is refused like any other input, before anything is fetched.
#[test]
fn url_list_over_the_limit_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let list = dir.path().join("urls.txt");
    std::fs::write(&list, "http://127.0.0.1:9/never-fetched\n".repeat(40_000)).unwrap();
    let options = IngestOptions {
        urls_file: Some(list.clone()),
        max_file_bytes: 1 << 20,
        ..Default::default()
    };
    let (articles, failures) = run(&options);
    assert!(articles.is_empty());
    assert_eq!(
        failures.iter().map(|f| f.to_string()).collect::<Vec<_>>(),
        [format!(
            "{}: too large: over the limit of 1048576 bytes (1.0 MiB); skipped",
            list.display()
        )]
    );
}

/// A JSON Lines line over the limit, with or without a line end, is skipped with its line
/// number; the lines after it are read. The line is never held whole.
#[test]
fn jsonl_line_over_the_limit_is_skipped_and_the_rest_read() {
    let dir = tempfile::tempdir().unwrap();
    let long = format!(
        "{{\"id\":\"long\",\"text\":\"{}\"}}",
        "Kharkiv ".repeat(200_000)
    );
    for (name, text, want_ids) in [
        (
            "middle.jsonl",
            format!("{{\"id\":\"a\",\"text\":\"A.\"}}\n{long}\n{{\"id\":\"b\",\"text\":\"B.\"}}\n"),
            vec!["a", "b"],
        ),
        (
            "last.jsonl",
            format!("{{\"id\":\"a\",\"text\":\"A.\"}}\n{long}"),
            vec!["a"],
        ),
    ] {
        let path = dir.path().join(name);
        std::fs::write(&path, text).unwrap();
        let options = IngestOptions {
            max_file_bytes: 1 << 20,
            ..inputs(&[&path])
        };
        let (articles, failures) = run(&options);
        let ids: Vec<&str> = articles.iter().map(|a| a.meta.id.as_str()).collect();
        assert_eq!(ids, want_ids, "{name}");
        assert_eq!(failures.len(), 1, "{name}");
        assert_eq!(
            failures[0].to_string(),
            format!(
                "{}: line 2: too long: over the limit of 1048576 bytes (1.0 MiB); skipped, the next lines are read",
                path.display()
            )
        );
    }
}

/// A folder of many small files: every file read once, in sorted order, with unique ids.
/// (20,000 files here; the README gives time and peak memory for 100,000.)
#[test]
fn a_folder_of_twenty_thousand_files() {
    const N: usize = 20_000;
    let dir = tempfile::tempdir().unwrap();
    for i in 0..N {
        // Names that differ only in case or collide once made safe still get their own id.
        let name = match i % 4 {
            0 => format!("a{i:05}.txt"),
            1 => format!("A{:05}.TXT", i - 1),
            2 => format!("con{i}.txt"),
            _ => format!("..{i}.txt"),
        };
        std::fs::write(
            dir.path().join(name),
            format!("Report {i}: shelling near Kharkiv."),
        )
        .unwrap();
    }
    let (articles, failures) = run(&inputs(&[dir.path()]));
    assert!(
        failures.is_empty(),
        "{:?}",
        &failures[..failures.len().min(3)]
    );
    // Hidden files (`..N.txt` starts with a dot) are skipped.
    assert_eq!(articles.len(), N / 4 * 3);
    let ids: std::collections::BTreeSet<String> =
        articles.iter().map(|a| a.meta.id.to_lowercase()).collect();
    assert_eq!(ids.len(), articles.len(), "ids unique ignoring case");
    let sources: Vec<&str> = articles.iter().map(|a| a.meta.source.as_str()).collect();
    let mut sorted = sources.clone();
    sorted.sort();
    assert_eq!(sources, sorted);
}

// ---- Network limits not covered by tests/ingest.rs ----

/// A server on 127.0.0.1 that accepts connections and then, per connection: `hang` never
/// answers; `trickle` sends a header promising 100 kB, then a byte every 100 ms. Connections
/// are held for 30 s, far past the client's limits.
fn stalling_server(trickle: bool) -> String {
    use std::io::Write;
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap();
    std::thread::spawn(move || {
        for stream in listener.incoming().flatten() {
            std::thread::spawn(move || {
                let mut stream = stream;
                // Read the request first: an answer sent before it is a protocol error.
                let mut head = Vec::new();
                let mut byte = [0u8; 1];
                while !head.ends_with(b"\r\n\r\n") {
                    match std::io::Read::read(&mut stream, &mut byte) {
                        Ok(1) => head.push(byte[0]),
                        _ => return,
                    }
                }
                if trickle {
                    let head = "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 100000\r\n\r\n";
                    let _ = stream.write_all(head.as_bytes());
                    for _ in 0..300 {
                        if stream.write_all(b"a").is_err() {
                            return;
                        }
                        std::thread::sleep(std::time::Duration::from_millis(100));
                    }
                } else {
                    std::thread::sleep(std::time::Duration::from_secs(30));
                }
            });
        }
    });
    format!("http://{addr}/page")
}

/// A server that accepts and never answers, one that trickles, and URLs of other schemes:
/// each a failure with a clear message, credentials never shown.
#[test]
fn stalled_servers_time_out_and_other_schemes_are_refused() {
    let hang = stalling_server(false);
    let trickle = stalling_server(true);
    let options = IngestOptions {
        inputs: vec![
            hang.replace("http://", "http://user:s3cret@"),
            trickle.clone(),
            "file:///etc/passwd".into(),
            "ftp://user:s3cret@example.invalid/a.txt".into(),
            "gopher://example.invalid/".into(),
        ],
        fetch: ingest::FetchOptions {
            connect_timeout: std::time::Duration::from_secs(2),
            timeout: std::time::Duration::from_millis(600),
            retries: 0,
            ..Default::default()
        },
        ..Default::default()
    };
    let (articles, failures) = run(&options);
    assert!(articles.is_empty());
    let shown: Vec<String> = failures.iter().map(|f| f.to_string()).collect();
    assert_eq!(shown.len(), 5, "{shown:?}");
    assert!(
        shown[0].starts_with(&format!("{hang}: timed out")),
        "{}",
        shown[0]
    );
    assert!(
        shown[1].starts_with(&format!("{trickle}: timed out")),
        "{}",
        shown[1]
    );
    assert_eq!(
        shown[2..],
        [
            "file:///etc/passwd: unsupported URL scheme 'file' (only http and https)",
            "ftp://example.invalid/a.txt: unsupported URL scheme 'ftp' (only http and https)",
            "gopher://example.invalid/: unsupported URL scheme 'gopher' (only http and https)",
        ]
    );
    assert!(!format!("{failures:?}").contains("s3cret"));
}

// ---- The output folder, through the binary ----

fn frontmap() -> Command {
    Command::new(env!("CARGO_BIN_EXE_frontmap"))
}

/// `frontmap map INPUT --out OUT --quiet` with the shipped gazetteer.
fn map_command(input: &Path, out: &Path) -> Command {
    let mut c = frontmap();
    c.arg("map")
        .arg(input)
        .arg("--out")
        .arg(out)
        .arg("--quiet")
        .arg("--gazetteer")
        .arg(repo().join("gazetteer"));
    c
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

/// The error frontmap printed: its last `frontmap: ` line on stderr.
fn error_line(o: &Output) -> String {
    let err = stderr(o);
    err.lines()
        .rfind(|l| l.starts_with("frontmap: "))
        .unwrap_or_else(|| panic!("no error line in {err}"))
        .to_string()
}

/// Every file under `dir`, by relative path, with its bytes.
fn snapshot(dir: &Path) -> BTreeMap<String, Vec<u8>> {
    let mut out = BTreeMap::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(&d).unwrap() {
            let p = e.unwrap().path();
            if p.is_dir() {
                stack.push(p);
            } else {
                let rel = p.strip_prefix(dir).unwrap().display().to_string();
                out.insert(rel, std::fs::read(&p).unwrap());
            }
        }
    }
    out
}

fn write_input(dir: &Path, name: &str, text: &str) -> PathBuf {
    let path = dir.join(name);
    std::fs::write(&path, text).unwrap();
    path
}

#[test]
fn out_that_is_a_file_is_a_clear_error() {
    let tmp = tempfile::tempdir().unwrap();
    let input = write_input(tmp.path(), "a.txt", "Shelling near Kharkiv.");
    let file = write_input(tmp.path(), "not-a-folder", "mine");
    for (out, want) in [
        (
            file.clone(),
            format!(
                "frontmap: {}: --out exists and is not a folder",
                file.display()
            ),
        ),
        (
            file.join("sub"),
            format!(
                "frontmap: {}: cannot create the output folder",
                file.join("sub").display()
            ),
        ),
    ] {
        let o = map_command(&input, &out).output().unwrap();
        assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
        assert!(error_line(&o).starts_with(&want), "{}", stderr(&o));
    }
    assert_eq!(std::fs::read(&file).unwrap(), b"mine");
}

/// The effective user id, from a file this process creates.
fn euid(dir: &Path) -> u32 {
    use std::os::unix::fs::MetadataExt;
    let probe = write_input(dir, ".euid-probe", "");
    let uid = std::fs::metadata(&probe).unwrap().uid();
    std::fs::remove_file(probe).unwrap();
    uid
}

/// A read-only `--out` (and one inside a read-only folder). Permission bits do not stop root,
/// so as root the binary runs as `nobody` instead; where that is not possible the test says
/// so and skips.
#[test]
fn read_only_out_is_a_clear_error() {
    use std::os::unix::fs::PermissionsExt;
    use std::os::unix::process::CommandExt;
    let tmp = tempfile::tempdir().unwrap();
    // `nobody` must reach the input and the folders.
    std::fs::set_permissions(tmp.path(), std::fs::Permissions::from_mode(0o755)).unwrap();
    let input = write_input(tmp.path(), "a.txt", "Shelling near Kharkiv.");
    let locked = tmp.path().join("locked");
    std::fs::create_dir(&locked).unwrap();
    write_input(&locked, "previous.geojson", "{}");
    std::fs::set_permissions(&locked, std::fs::Permissions::from_mode(0o555)).unwrap();
    let as_root = euid(tmp.path()) == 0;
    for (out, want) in [
        (
            locked.clone(),
            "cannot write in the output folder: Permission denied",
        ),
        (
            locked.join("new"),
            "cannot create the output folder: Permission denied",
        ),
    ] {
        let mut c = map_command(&input, &out);
        if as_root {
            c.uid(65534).gid(65534);
        }
        let o = match c.output() {
            Ok(o) => o,
            Err(e) if as_root => {
                eprintln!("SKIPPED read_only_out_is_a_clear_error: cannot run as nobody: {e}");
                return;
            }
            Err(e) => panic!("{e}"),
        };
        assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
        assert_eq!(
            error_line(&o),
            format!("frontmap: {}: {want} (os error 13)", out.display())
        );
    }
    assert_eq!(
        snapshot(&locked).len(),
        1,
        "nothing written into the locked folder"
    );
}

/// A disk that fills up during a run, simulated with a file-size limit (`ulimit -f`, with
/// SIGXFSZ ignored so that writes fail with EFBIG as they would with ENOSPC): exit 2, a
/// message naming a file in `--out`, no temporary file left, the previous manifest kept, and
/// every file either the previous run's or whole from the new run — never half-written.
#[test]
fn full_disk_is_a_clear_error_and_leaves_no_half_file() {
    let tmp = tempfile::tempdir().unwrap();
    let before = write_input(
        tmp.path(),
        "before.txt",
        "Shelling near Kharkiv on 12 September 2022.",
    );
    let input = write_input(
        tmp.path(),
        "after.txt",
        "Russian forces shelled Bakhmut, Izium and Pokrovsk in Donetsk Oblast on 13 September 2022.",
    );
    // What the new input gives when the disk has room.
    let fresh = tmp.path().join("fresh");
    assert!(map_command(&input, &fresh).status().unwrap().success());
    let new = snapshot(&fresh);

    let out = tmp.path().join("out");
    assert!(map_command(&before, &out).status().unwrap().success());
    let old = snapshot(&out);

    // 64 blocks (32–64 KiB): less than areas.geojson, more than the small layers.
    let mut c = Command::new("sh");
    c.arg("-c")
        .arg("ulimit -f 64 && trap '' XFSZ && exec \"$@\"")
        .arg("sh")
        .arg(env!("CARGO_BIN_EXE_frontmap"))
        .args(map_command(&input, &out).get_args());
    let o = c.output().unwrap();
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    let err = error_line(&o);
    assert!(
        err.starts_with(&format!("frontmap: {}", out.display())),
        "{err}"
    );
    assert!(err.contains("File too large"), "{err}");

    let after = snapshot(&out);
    assert_eq!(after.get("manifest.json"), old.get("manifest.json"));
    for (name, bytes) in &after {
        assert!(!name.contains(".frontmap-"), "temporary file left: {name}");
        assert!(
            old.get(name) == Some(bytes) || new.get(name) == Some(bytes),
            "{name} is neither the previous run's nor the new run's"
        );
    }
    for name in old.keys() {
        assert!(
            after.contains_key(name),
            "{name} of the previous run was deleted"
        );
    }
}

/// The same, with the stronger promise: every file is staged and renamed only once all are
/// written, so the previous run's layers survive byte for byte, and no temporary file is left
/// behind.
#[test]
fn full_disk_leaves_the_previous_layers_intact() {
    let tmp = tempfile::tempdir().unwrap();
    let before = write_input(
        tmp.path(),
        "before.txt",
        "Shelling near Kharkiv on 12 September 2022.",
    );
    let input = write_input(
        tmp.path(),
        "after.txt",
        "Shelling near Bakhmut on 13 September 2022.",
    );
    let out = tmp.path().join("out");
    assert!(map_command(&before, &out).status().unwrap().success());
    let old = snapshot(&out);
    let mut c = Command::new("sh");
    c.arg("-c")
        .arg("ulimit -f 64 && trap '' XFSZ && exec \"$@\"")
        .arg("sh")
        .arg(env!("CARGO_BIN_EXE_frontmap"))
        .args(map_command(&input, &out).get_args());
    assert_eq!(c.output().unwrap().status.code(), Some(2));
    assert!(snapshot(&out) == old, "previous layers changed");
}

/// A rerun replaces only what frontmap wrote: files of the user's in `--out` survive, and a
/// hand-edited manifest cannot make frontmap delete anything outside its own layer names.
#[test]
fn rerun_never_deletes_files_frontmap_did_not_write() {
    let tmp = tempfile::tempdir().unwrap();
    let input = write_input(
        tmp.path(),
        "a.txt",
        "Shelling near Kharkiv on 12 September 2022.",
    );
    let other = write_input(
        tmp.path(),
        "b.txt",
        "Shelling near Bakhmut on 13 September 2022.",
    );
    let out = tmp.path().join("out");
    assert!(map_command(&input, &out).status().unwrap().success());
    let outside = write_input(tmp.path(), "x", "outside");
    let mine = [
        ("notes.txt", "mine"),
        ("articles/mine.txt", "mine"),
        ("dates/.hidden.geojson", "mine"),
        ("sub/events.geojson", "mine"),
    ];
    std::fs::create_dir_all(out.join("sub")).unwrap();
    for (name, text) in mine {
        write_input(&out, name, text);
    }
    let manifest_path = out.join("manifest.json");
    let mut manifest: serde_json::Value =
        serde_json::from_slice(&std::fs::read(&manifest_path).unwrap()).unwrap();
    let listed = manifest["files"]
        .as_array_mut()
        .expect("manifest lists its files");
    for evil in [
        "../x",
        outside.to_str().unwrap(),
        "notes.txt",
        "articles/../notes.txt",
        "articles/mine.txt",
        "dates/.hidden.geojson",
        "sub/events.geojson",
        "articles\\..\\..\\x",
        "",
    ] {
        listed.push(evil.into());
    }
    std::fs::write(&manifest_path, manifest.to_string()).unwrap();

    let o = map_command(&other, &out).output().unwrap();
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    for (name, text) in mine {
        assert_eq!(
            std::fs::read_to_string(out.join(name)).unwrap(),
            text,
            "{name}"
        );
    }
    assert_eq!(std::fs::read_to_string(&outside).unwrap(), "outside");
    // What frontmap wrote for the first input and not the second is gone.
    assert!(!out.join("articles/a.geojson").exists());
    assert!(out.join("articles/b.geojson").exists());
}

// ---- Bad gazetteer files ----

/// A copy of the shipped gazetteer's TSV files only (no compiled files, so `load` parses
/// them), with one line of one file replaced.
fn damaged_gazetteer(
    file: &str,
    line: usize,
    damage: impl Fn(&[u8]) -> Vec<u8>,
) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    for name in ["places.tsv", "names.tsv"] {
        let bytes = std::fs::read(repo().join("gazetteer").join(name)).unwrap();
        let bytes = if name == file {
            let mut lines: Vec<Vec<u8>> =
                bytes.split(|&b| b == b'\n').map(<[u8]>::to_vec).collect();
            lines[line - 1] = damage(&lines[line - 1]);
            lines.join(&b'\n')
        } else {
            bytes
        };
        std::fs::write(dir.path().join(name), bytes).unwrap();
    }
    dir
}

fn replace_field(line: &[u8], field: usize, value: &[u8]) -> Vec<u8> {
    let mut fields: Vec<&[u8]> = line.split(|&b| b == b'\t').collect();
    fields[field] = value;
    fields.join(&b'\t')
}

/// Each damage gives `file: line N: what is wrong` from the library, and the same message
/// with exit status 2 from the binary; never a panic.
#[test]
fn damaged_gazetteer_lines_name_file_and_line() {
    type Damage = Box<dyn Fn(&[u8]) -> Vec<u8>>;
    let cases: Vec<(&str, usize, Damage, &str)> = vec![
        (
            "places.tsv",
            7,
            Box::new(|l: &[u8]| l[..l.len() / 2].to_vec()),
            "expected 12 tab-separated fields",
        ),
        (
            "places.tsv",
            8,
            Box::new(|l: &[u8]| replace_field(l, 6, b"4x.5")),
            "invalid latitude '4x.5'",
        ),
        (
            "places.tsv",
            9,
            Box::new(|l: &[u8]| replace_field(l, 6, b"95.2")),
            "invalid latitude '95.2' (expected -90..90)",
        ),
        (
            "places.tsv",
            10,
            Box::new(|l: &[u8]| replace_field(l, 8, b"-3")),
            "invalid population '-3'",
        ),
        (
            "places.tsv",
            11,
            Box::new(|l: &[u8]| replace_field(l, 1, b"city")),
            "unknown kind 'city'",
        ),
        (
            "places.tsv",
            12,
            Box::new(|l: &[u8]| replace_field(l, 2, b"Kh\xffarkiv")),
            "not UTF-8",
        ),
        (
            "names.tsv",
            5,
            Box::new(|l: &[u8]| l[..l.len() / 2].to_vec()),
            "expected 4 tab-separated fields",
        ),
        (
            "names.tsv",
            6,
            Box::new(|l: &[u8]| replace_field(l, 0, b"gn:nowhere")),
            "unknown place id 'gn:nowhere'",
        ),
        (
            "names.tsv",
            7,
            Box::new(|l: &[u8]| replace_field(l, 1, b"\xd0\xa5\xff")),
            "not UTF-8",
        ),
    ];
    for (file, line, damage, want) in cases {
        let dir = damaged_gazetteer(file, line, damage);
        let prefix = format!("{}: line {line}: ", dir.path().join(file).display());
        let err = match Gazetteer::load(dir.path()) {
            Ok(_) => panic!("{file} line {line}: damaged gazetteer loaded"),
            Err(e) => e.to_string(),
        };
        assert!(
            err.starts_with(&prefix) && err.contains(want),
            "{file} line {line}: {err}"
        );
        let o = frontmap()
            .args(["gazetteer", "lookup", "Izium", "--gazetteer"])
            .arg(dir.path())
            .output()
            .unwrap();
        assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
        assert_eq!(error_line(&o), format!("frontmap: {err}"));
    }
}

/// The compiled files of the shipped gazetteer (everything but the TSV, README and areas).
fn compiled_files() -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(repo().join("gazetteer"))
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| !n.ends_with(".tsv") && !n.ends_with(".md") && !n.ends_with(".geojson"))
        .collect();
    names.sort();
    names
}

/// Damaged compiled places and origins next to current TSV files: a clear error naming the
/// file or a fall-back to the TSV files, never a panic, and right lookups when it loads.
#[test]
fn damaged_compiled_places_are_an_error_or_ignored() {
    let victims: Vec<String> = compiled_files()
        .into_iter()
        .filter(|n| n != "names.stamp" && n != "names.fst" && n != "names.postings")
        .collect();
    assert!(!victims.is_empty());
    let problems = damage_compiled(&victims);
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

/// The same for the name automaton and its postings: the stamp holds a hash of every compiled
/// file, and the automaton's checksum is verified at load, so damage means the TSV files are
/// used instead, never a panic or wrong look-ups.
#[test]
fn damaged_compiled_name_index_is_an_error_or_ignored() {
    let problems = damage_compiled(&["names.fst".to_string(), "names.postings".to_string()]);
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

/// A damaged automaton whose stamp was remade to match (as a build that wrote it damaged
/// would): the checksum, not the stamp, must catch it, with an error naming the file.
#[test]
fn damaged_automaton_with_a_current_stamp_is_an_error() {
    let shipped = repo().join("gazetteer");
    let dir = tempfile::tempdir().unwrap();
    for name in std::fs::read_dir(&shipped).unwrap() {
        let name = name.unwrap().file_name();
        std::fs::copy(shipped.join(&name), dir.path().join(&name)).unwrap();
    }
    let fst = dir.path().join("names.fst");
    let mut bytes = std::fs::read(&fst).unwrap();
    let mid = bytes.len() / 2;
    for x in bytes.iter_mut().skip(mid).take(16) {
        *x ^= 0x5a;
    }
    std::fs::write(&fst, bytes).unwrap();
    let stamp = frontmap::gazetteer::compiled::stamp(
        &std::fs::read(dir.path().join("places.tsv")).unwrap(),
        &std::fs::read(dir.path().join("names.tsv")).unwrap(),
        dir.path(),
    )
    .unwrap();
    std::fs::write(dir.path().join("names.stamp"), stamp).unwrap();
    assert!(frontmap::gazetteer::compiled::is_current(dir.path()).unwrap());
    let err = match Gazetteer::load(dir.path()) {
        Ok(_) => panic!("a damaged automaton loaded"),
        Err(e) => e.to_string(),
    };
    assert!(
        err.starts_with(&format!("{}: ", fst.display())) && err.contains("corrupt name automaton"),
        "{err}"
    );
}

/// Loads copies of the shipped gazetteer with each of `victims` truncated, emptied or with
/// bytes flipped; returns what went wrong.
fn damage_compiled(victims: &[String]) -> Vec<String> {
    let shipped = repo().join("gazetteer");
    let mut problems = Vec::new();
    for victim in victims {
        for (how, damage) in [
            (
                "truncated",
                Box::new(|b: &[u8]| b[..b.len() / 2].to_vec()) as Box<dyn Fn(&[u8]) -> Vec<u8>>,
            ),
            ("empty", Box::new(|_: &[u8]| Vec::new())),
            (
                "flipped",
                Box::new(|b: &[u8]| {
                    let mut b = b.to_vec();
                    let mid = b.len() / 3;
                    for x in b.iter_mut().skip(mid).take(64) {
                        *x ^= 0x5a;
                    }
                    b
                }),
            ),
        ] {
            let dir = tempfile::tempdir().unwrap();
            for name in std::fs::read_dir(&shipped).unwrap() {
                let name = name.unwrap().file_name();
                let bytes = std::fs::read(shipped.join(&name)).unwrap();
                let bytes = if name.to_string_lossy() == *victim {
                    damage(&bytes)
                } else {
                    bytes
                };
                std::fs::write(dir.path().join(&name), bytes).unwrap();
            }
            let label = format!("{victim} {how}");
            let loaded = std::panic::catch_unwind(|| Gazetteer::load(dir.path()));
            let outcome = match loaded {
                Err(_) => "load panicked".to_string(),
                Ok(Err(e)) => {
                    let e = e.to_string();
                    if e.contains(&dir.path().display().to_string()) {
                        continue;
                    }
                    format!("error does not name the file: {e}")
                }
                Ok(Ok(gaz)) => {
                    let looked = std::panic::catch_unwind(|| {
                        ["Izium", "Kharkiv", "Bakhmut", "Pokrovsk", "Kyiv"]
                            .iter()
                            .map(|n| {
                                gaz.lookup(n)
                                    .iter()
                                    .map(|r| r.place.id.clone())
                                    .collect::<Vec<_>>()
                            })
                            .collect::<Vec<_>>()
                    });
                    match looked {
                        Err(_) => "loaded, then a lookup panicked".to_string(),
                        Ok(ids) if ids[0].iter().any(|id| id == "gn:707292") => continue,
                        Ok(_) => "loaded, and lookups are wrong".to_string(),
                    }
                }
            };
            problems.push(format!("{label}: {outcome}"));
        }
    }
    problems
}

// ---- Exit codes are documented ----

#[test]
fn exit_codes_are_in_every_help() {
    for args in [
        vec!["--help"],
        vec!["map", "--help"],
        vec!["tag", "--help"],
        vec!["gazetteer", "build", "--help"],
        vec!["gazetteer", "lookup", "--help"],
    ] {
        let o = frontmap().args(&args).output().unwrap();
        assert!(o.status.success(), "{args:?}");
        let help = String::from_utf8_lossy(&o.stdout);
        for line in [
            "Exit status:",
            "  0  all fine",
            "  1  some inputs failed",
            "  2  could not run",
        ] {
            assert!(help.contains(line), "{args:?}: no '{line}' in\n{help}");
        }
    }
    let readme = std::fs::read_to_string(repo().join("README.md")).unwrap();
    assert!(readme.contains("## Limits and bad input"), "README section");
}
