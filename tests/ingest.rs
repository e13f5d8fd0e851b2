//! Ingest end to end: folders, JSON Lines, HTML, every class of bad input, ids, date
//! filters, and URL fetching against a local HTTP server on 127.0.0.1 (never the internet).

use std::collections::HashMap;
use std::io::{Read, Write};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use chrono::NaiveDate;
use frontmap::ingest::{self, Article, DateSource, Failure, FetchOptions, IngestOptions};

fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/ingest")
}

fn date(y: i32, m: u32, d: u32) -> Option<NaiveDate> {
    NaiveDate::from_ymd_opt(y, m, d)
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

/// The one failure of a run, checked to name `input` (and `line`).
fn only_failure(options: &IngestOptions, input: &str, line: Option<usize>) -> Failure {
    let (articles, failures) = run(options);
    assert!(articles.is_empty(), "unexpected articles: {articles:?}");
    assert_eq!(failures.len(), 1, "{failures:?}");
    let f = failures.into_iter().next().unwrap();
    assert!(f.input.ends_with(input), "{f}");
    assert_eq!(f.line, line, "{f}");
    assert!(!f.warning, "{f}");
    assert!(!f.message.contains('\n'), "one-line message: {f}");
    f
}

#[test]
fn folder_is_read_recursively_in_sorted_order_with_metadata() {
    let corpus = fixtures().join("corpus");
    let items: Vec<_> = ingest::articles(&inputs(&[&corpus])).collect();
    let summary: Vec<String> = items
        .iter()
        .map(|i| match i {
            Ok(a) => format!("ok {}", a.meta.id),
            Err(f) => format!("err {:?} {}", f.line, f.message.split(':').next().unwrap()),
        })
        .collect();
    let second_id = items[3].as_ref().unwrap().meta.id.clone();
    assert!(second_id.starts_with("second-story-"), "{second_id}");
    assert_eq!(
        summary,
        [
            "ok a_front",
            "ok line-one",
            "err Some(2) malformed JSON",
            &format!("ok {second_id}"),
            "err Some(5) no article text (looked for text, content, body, article, maintext)",
            "ok b_lines-6",
            "ok c_page",
            "ok d_berita",
            "ok undated",
        ]
    );
    let by_id: HashMap<String, &Article> = items
        .iter()
        .flatten()
        .map(|a| (a.meta.id.clone(), a))
        .collect();

    let a = by_id["a_front"];
    assert!(a.meta.source.ends_with("corpus/a_front.txt"));
    assert_eq!(
        a.meta.title.as_deref(),
        Some("Shelling reported near an invented river crossing")
    );
    assert_eq!(
        (a.meta.published, a.meta.date, a.meta.date_source),
        (None, date(2022, 10, 3), DateSource::Text)
    );
    assert_eq!(a.meta.lang.as_deref(), Some("en"));
    assert!(
        a.text.starts_with("Shelling reported"),
        "text is the whole file"
    );

    let l1 = by_id["line-one"];
    assert!(
        l1.meta.source.ends_with("corpus/b_lines.jsonl:1"),
        "{}",
        l1.meta.source
    );
    assert_eq!(
        (l1.meta.published, l1.meta.date_source),
        (date(2022, 9, 12), DateSource::Metadata)
    );
    assert_eq!(l1.meta.title.as_deref(), Some("First record"));

    let l4 = by_id[&second_id];
    assert_eq!(l4.meta.title.as_deref(), Some("Second record"));
    assert_eq!(l4.meta.published, date(2022, 9, 13));
    assert_eq!(
        l4.text,
        "Pasukan bergerak melalui desa rekaan.\nParagraf kedua."
    );

    let l6 = by_id["b_lines-6"];
    assert_eq!(
        (l6.meta.date, l6.meta.date_source),
        (date(2022, 9, 12), DateSource::Text)
    );
    assert_eq!(l6.meta.lang.as_deref(), Some("uk"));

    let page = by_id["c_page"];
    assert_eq!(page.meta.title.as_deref(), Some("Eine erfundene Nachricht"));
    assert_eq!(
        (page.meta.published, page.meta.date_source),
        (date(2022, 9, 15), DateSource::Metadata)
    );
    assert_eq!(page.meta.lang.as_deref(), Some("de"));
    assert_eq!(
        page.text,
        "Eine erfundene Nachricht\nDie Truppen haben am Mittwoch ein erfundenes Dorf erreicht, sagte ein Sprecher.\n\
         Der Beschuss ging die ganze Nacht weiter.\nEine zweite Zeile."
    );

    let id = by_id["d_berita"];
    assert_eq!(
        (id.meta.date, id.meta.date_source),
        (date(2022, 9, 12), DateSource::Text)
    );
    assert_eq!(id.meta.lang.as_deref(), Some("id"));

    let undated = by_id["undated"];
    assert_eq!(
        (undated.meta.date, undated.meta.date_source),
        (None, DateSource::None)
    );
}

#[test]
fn output_is_the_same_on_every_run() {
    let corpus = fixtures().join("corpus");
    let render = || {
        ingest::articles(&inputs(&[&corpus]))
            .map(|i| format!("{i:?}"))
            .collect::<Vec<_>>()
    };
    assert_eq!(render(), render());
}

// ---- Bad input: one test per class. ----

#[test]
fn empty_file_is_a_failure() {
    let f = only_failure(
        &inputs(&[&fixtures().join("bad/empty.txt")]),
        "bad/empty.txt",
        None,
    );
    assert_eq!(f.message, "empty file");
    let f = only_failure(
        &inputs(&[&fixtures().join("bad/blank.txt")]),
        "bad/blank.txt",
        None,
    );
    assert_eq!(f.message, "no text (only white space)");
}

#[test]
fn missing_file_is_a_failure() {
    let f = only_failure(
        &inputs(&[&fixtures().join("bad/nowhere.txt")]),
        "bad/nowhere.txt",
        None,
    );
    assert!(f.message.starts_with("cannot read: "), "{f}");
}

#[test]
fn binary_files_are_failures() {
    let dir = tempfile::tempdir().unwrap();
    let nul = dir.path().join("image.txt");
    std::fs::write(&nul, b"GIF89a\x01\x00\x01\x00\x00\xff\xff").unwrap();
    let f = only_failure(&inputs(&[&nul]), "image.txt", None);
    assert!(f.message.starts_with("binary file"), "{f}");
    let control = dir.path().join("control.txt");
    std::fs::write(
        &control,
        b"\x01\x02\x03\x04\x05\x06 mostly control bytes \x07\x08\x0e\x0f\x10\x11\x12",
    )
    .unwrap();
    let f = only_failure(&inputs(&[&control]), "control.txt", None);
    assert!(f.message.starts_with("binary file ("), "{f}");
}

#[test]
fn text_that_is_mostly_not_utf8_is_rejected() {
    let dir = tempfile::tempdir().unwrap();
    // "Харків атакували" in Windows-1251.
    let path = dir.path().join("cp1251.txt");
    std::fs::write(
        &path,
        b"\xd5\xe0\xf0\xea\xb3\xe2 \xe0\xf2\xe0\xea\xf3\xe2\xe0\xeb\xe8",
    )
    .unwrap();
    let f = only_failure(&inputs(&[&path]), "cp1251.txt", None);
    assert!(f.message.starts_with("not UTF-8"), "{f}");
}

#[test]
fn a_few_invalid_bytes_are_replaced_with_a_warning() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("latin1.txt");
    std::fs::write(
        &path,
        b"The caf\xe9 on the invented square was damaged on 2 October 2022, residents said.",
    )
    .unwrap();
    let (articles, failures) = run(&inputs(&[&path]));
    assert_eq!(articles.len(), 1);
    assert!(articles[0].text.contains("caf\u{FFFD} on"));
    assert_eq!(failures.len(), 1);
    assert!(failures[0].warning, "{}", failures[0]);
    assert!(
        failures[0]
            .to_string()
            .contains("warning: invalid UTF-8: 1 byte(s) replaced"),
        "{}",
        failures[0]
    );
}

#[test]
fn file_over_the_size_limit_is_a_failure() {
    let options = IngestOptions {
        max_file_bytes: 100,
        ..inputs(&[&fixtures().join("corpus/a_front.txt")])
    };
    let f = only_failure(&options, "a_front.txt", None);
    assert!(f.message.contains("over the limit of 100 bytes"), "{f}");
}

#[test]
fn jsonl_line_over_the_limit_is_skipped_and_reading_goes_on() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("big.jsonl");
    let long = format!("{{\"id\":\"long\",\"text\":\"{}\"}}\n", "x".repeat(10_000));
    std::fs::write(
        &path,
        format!("{{\"id\":\"a\",\"text\":\"short\"}}\n{long}{{\"id\":\"b\",\"text\":\"short\"}}\n"),
    )
    .unwrap();
    let options = IngestOptions {
        max_file_bytes: 1000,
        ..inputs(&[&path])
    };
    let (articles, failures) = run(&options);
    let ids: Vec<_> = articles.iter().map(|a| a.meta.id.as_str()).collect();
    assert_eq!(ids, ["a", "b"]);
    assert_eq!(failures.len(), 1);
    assert_eq!(failures[0].line, Some(2));
    assert!(failures[0].message.contains("over the limit of 1000 bytes"));
}

#[test]
fn malformed_json_lines_are_reported_by_line_and_the_rest_is_read() {
    let (articles, failures) = run(&inputs(&[&fixtures().join("bad/lines.jsonl")]));
    let ids: Vec<_> = articles.iter().map(|a| a.meta.id.as_str()).collect();
    assert_eq!(ids, ["ok-1", "ok-2"]);
    let got: Vec<(Option<usize>, &str)> = failures
        .iter()
        .map(|f| (f.line, f.message.split(':').next().unwrap()))
        .collect();
    assert_eq!(
        got,
        [
            (Some(2), "malformed JSON"),
            (Some(3), "expected a JSON object (one article per line)"),
            (
                Some(4),
                "no article text (looked for text, content, body, article, maintext)"
            ),
        ]
    );
    assert!(failures
        .iter()
        .all(|f| f.input.ends_with("bad/lines.jsonl")));
    assert_eq!(failures[0].to_string().split(": ").nth(1), Some("line 2"));
}

#[test]
fn html_without_body_text_is_a_failure() {
    let f = only_failure(
        &inputs(&[&fixtures().join("bad/no_body.html")]),
        "bad/no_body.html",
        None,
    );
    assert_eq!(f.message, "HTML page has no body text");
}

#[test]
fn one_bad_input_does_not_cost_the_others() {
    let f = fixtures();
    let options = inputs(&[
        &f.join("bad/empty.txt"),
        &f.join("corpus/a_front.txt"),
        &f.join("bad/no_body.html"),
        &f.join("corpus/sub/undated.txt"),
    ]);
    let kinds: Vec<bool> = ingest::articles(&options).map(|i| i.is_ok()).collect();
    assert_eq!(kinds, [false, true, false, true]);
}

#[cfg(unix)]
#[test]
fn symlink_loops_are_survived() {
    let dir = tempfile::tempdir().unwrap();
    let inner = dir.path().join("inner");
    std::fs::create_dir(&inner).unwrap();
    std::fs::write(
        inner.join("story.txt"),
        "An invented story about a quiet day.",
    )
    .unwrap();
    std::os::unix::fs::symlink(dir.path(), inner.join("loop")).unwrap();
    std::os::unix::fs::symlink(&inner, dir.path().join("again")).unwrap();
    let (articles, failures) = run(&inputs(&[dir.path()]));
    assert!(failures.is_empty(), "{failures:?}");
    assert_eq!(articles.len(), 1, "each folder is read once");
}

#[test]
fn explicit_files_with_other_extensions_are_sniffed() {
    let dir = tempfile::tempdir().unwrap();
    let json = dir.path().join("export.json");
    std::fs::write(
        &json,
        "{\"id\":\"j\",\"text\":\"From a JSON Lines export.\"}\n",
    )
    .unwrap();
    let page = dir.path().join("saved.page");
    std::fs::write(
        &page,
        "<!doctype html><html><body><p>Saved page text.</p></body></html>",
    )
    .unwrap();
    let text = dir.path().join("README");
    std::fs::write(&text, "Just some text.").unwrap();
    let (articles, failures) = run(&inputs(&[&json, &page, &text]));
    assert!(failures.is_empty(), "{failures:?}");
    let got: Vec<_> = articles
        .iter()
        .map(|a| (a.meta.id.as_str(), a.text.as_str()))
        .collect();
    assert_eq!(
        got,
        [
            ("j", "From a JSON Lines export."),
            ("saved", "Saved page text."),
            ("README", "Just some text.")
        ]
    );
}

// ---- Ids. ----

#[test]
fn ids_are_unique_and_safe() {
    let dir = tempfile::tempdir().unwrap();
    let long = "y".repeat(300);
    let lines = [
        r#"{"id":"../../etc/passwd","text":"a"}"#.to_string(),
        r#"{"id":"/abs/path","text":"b"}"#.to_string(),
        r#"{"id":"CON","text":"c"}"#.to_string(),
        r#"{"id":"","text":"d"}"#.to_string(),
        format!(r#"{{"id":"{long}","text":"e"}}"#),
        r#"{"id":"A","text":"f"}"#.to_string(),
        r#"{"id":"a","text":"g"}"#.to_string(),
        r#"{"id":"a","text":"h"}"#.to_string(),
    ];
    let path = dir.path().join("ids.jsonl");
    std::fs::write(&path, lines.join("\n")).unwrap();
    // Two files whose stems differ only in case.
    std::fs::write(dir.path().join("Story.txt"), "One.").unwrap();
    std::fs::write(dir.path().join("story.txt"), "Two.").unwrap();
    let (articles, failures) = run(&inputs(&[dir.path()]));
    assert!(failures.is_empty(), "{failures:?}");
    let ids: Vec<&str> = articles.iter().map(|a| a.meta.id.as_str()).collect();
    // Sorted by name: Story.txt, ids.jsonl, story.txt.
    assert_eq!(
        &ids[..5],
        ["Story", "etc_passwd", "abs_path", "_CON", "ids-4"]
    );
    assert!(
        ids[5].len() <= 100 && ids[5].starts_with("yyyy"),
        "{}",
        ids[5]
    );
    assert_eq!(&ids[6..], ["A", "a-2", "a-3", "story-2"]);
    let mut lower: Vec<String> = ids.iter().map(|i| i.to_lowercase()).collect();
    lower.sort();
    lower.dedup();
    assert_eq!(lower.len(), ids.len(), "unique case-insensitively");
    // Safe: a file named by each id stays in its folder.
    for id in &ids {
        let p = dir.path().join("out").join(id);
        assert_eq!(p.parent().unwrap(), dir.path().join("out"), "{id}");
        assert!(!id.starts_with('.') && !id.contains('/') && !id.contains('\\'));
    }
}

// ---- Date filters. ----

#[test]
fn date_filters_are_inclusive_and_drop_undated_articles() {
    let corpus = fixtures().join("corpus");
    let ids = |from, to| -> Vec<String> {
        let options = IngestOptions {
            date_from: from,
            date_to: to,
            ..inputs(&[&corpus])
        };
        ingest::articles(&options)
            .flatten()
            .map(|a| a.meta.id)
            .collect()
    };
    let all = ids(None, None);
    assert!(
        all.contains(&"undated".to_string()),
        "no filter keeps undated articles"
    );
    let sept_12_13 = ids(date(2022, 9, 12), date(2022, 9, 13));
    assert_eq!(sept_12_13.len(), 4, "{sept_12_13:?}");
    assert!(
        sept_12_13.contains(&"line-one".to_string())
            && sept_12_13.contains(&"d_berita".to_string())
    );
    assert_eq!(ids(date(2022, 10, 1), None), ["a_front"]);
    assert_eq!(ids(None, date(2022, 9, 11)), Vec::<String>::new());
}

#[test]
fn json_line_api_for_tag() {
    let a =
        ingest::article_from_json_line(r#"{"text":"Some text.","date":"12/09/2022"}"#, "stdin", 7)
            .unwrap();
    assert_eq!(
        (a.meta.id.as_str(), a.meta.source.as_str()),
        ("stdin-7", "stdin:7")
    );
    assert_eq!(a.meta.date, date(2022, 9, 12));
    let f = ingest::article_from_json_line("{", "stdin", 8).unwrap_err();
    assert_eq!(
        f.to_string().split(": ").take(2).collect::<Vec<_>>(),
        ["stdin", "line 8"]
    );
}

// ---- URLs, against a local server. ----

/// A tiny HTTP/1.1 server on 127.0.0.1 with canned answers; counts hits per path.
struct Server {
    addr: SocketAddr,
    hits: Arc<Mutex<HashMap<String, usize>>>,
    agents: Arc<Mutex<Vec<String>>>,
}

impl Server {
    fn start() -> Server {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let addr = listener.local_addr().unwrap();
        let hits = Arc::new(Mutex::new(HashMap::new()));
        let agents = Arc::new(Mutex::new(Vec::new()));
        let (h, a) = (hits.clone(), agents.clone());
        std::thread::spawn(move || {
            for stream in listener.incoming().flatten() {
                let (h, a) = (h.clone(), a.clone());
                std::thread::spawn(move || handle(stream, &h, &a));
            }
        });
        Server { addr, hits, agents }
    }

    fn url(&self, path: &str) -> String {
        format!("http://{}{path}", self.addr)
    }

    fn hits(&self, path: &str) -> usize {
        self.hits.lock().unwrap().get(path).copied().unwrap_or(0)
    }
}

const PAGE: &str = "<!doctype html><html lang=\"en\"><head><title>Local page</title>\
    <meta name=\"date\" content=\"2022-09-16\"></head><body><nav>Menu</nav>\
    <article><p>An invented report from a served page.</p><p>Second paragraph.</p></article></body></html>";

fn gzip(bytes: &[u8]) -> Vec<u8> {
    let mut enc = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    enc.write_all(bytes).unwrap();
    enc.finish().unwrap()
}

/// Requests being answered at once across this process's test servers, and the most seen.
static ACTIVE: Mutex<(usize, usize)> = Mutex::new((0, 0));

struct Active;

impl Active {
    fn enter() -> Active {
        let mut a = ACTIVE.lock().unwrap();
        a.0 += 1;
        a.1 = a.1.max(a.0);
        Active
    }
}

impl Drop for Active {
    fn drop(&mut self) {
        ACTIVE.lock().unwrap().0 -= 1;
    }
}

fn handle(
    mut stream: TcpStream,
    hits: &Mutex<HashMap<String, usize>>,
    agents: &Mutex<Vec<String>>,
) {
    stream.set_read_timeout(Some(Duration::from_secs(5))).ok();
    let mut head = Vec::new();
    let mut byte = [0u8; 1];
    while !head.ends_with(b"\r\n\r\n") {
        match stream.read(&mut byte) {
            Ok(1) => head.push(byte[0]),
            _ => return,
        }
    }
    let head = String::from_utf8_lossy(&head).into_owned();
    let target = head.split(' ').nth(1).unwrap_or("/");
    let path = target.split('?').next().unwrap_or("/").to_string();
    for line in head.lines() {
        if let Some(ua) = line
            .strip_prefix("user-agent: ")
            .or_else(|| line.strip_prefix("User-Agent: "))
        {
            agents.lock().unwrap().push(ua.to_string());
        }
    }
    let _active = Active::enter();
    let n = {
        let mut h = hits.lock().unwrap();
        let n = h.entry(path.clone()).or_insert(0);
        *n += 1;
        *n
    };
    let respond = |stream: &mut TcpStream,
                   status: &str,
                   headers: &[(&str, String)],
                   body: &[u8],
                   length: bool| {
        let mut out = format!("HTTP/1.1 {status}\r\nConnection: close\r\n");
        for (k, v) in headers {
            out.push_str(&format!("{k}: {v}\r\n"));
        }
        if length {
            out.push_str(&format!("Content-Length: {}\r\n", body.len()));
        }
        out.push_str("\r\n");
        let _ = stream.write_all(out.as_bytes());
        let _ = stream.write_all(body);
    };
    let html = [("Content-Type", "text/html; charset=utf-8".to_string())];
    match path.as_str() {
        "/page.html" | "/cached.html" | "/second.html" => {
            respond(&mut stream, "200 OK", &html, PAGE.as_bytes(), true)
        }
        "/gzip.html" => {
            let headers = [html[0].clone(), ("Content-Encoding", "gzip".to_string())];
            respond(
                &mut stream,
                "200 OK",
                &headers,
                &gzip(PAGE.as_bytes()),
                true,
            )
        }
        "/plain" => {
            let headers = [("Content-Type", "text/plain".to_string())];
            respond(
                &mut stream,
                "200 OK",
                &headers,
                "Plain invented text, 4 October 2022.".as_bytes(),
                true,
            )
        }
        "/missing" => respond(&mut stream, "404 Not Found", &html, b"<p>nope</p>", true),
        "/flaky" if n == 1 => respond(&mut stream, "500 Internal Server Error", &html, b"", true),
        "/flaky" => respond(&mut stream, "200 OK", &html, PAGE.as_bytes(), true),
        "/down" => respond(&mut stream, "503 Service Unavailable", &html, b"", true),
        "/slow" => {
            std::thread::sleep(Duration::from_secs(3));
            respond(&mut stream, "200 OK", &html, PAGE.as_bytes(), true)
        }
        "/loop-a" => respond(
            &mut stream,
            "302 Found",
            &[("Location", "/loop-b".to_string())],
            b"",
            true,
        ),
        "/loop-b" => respond(
            &mut stream,
            "302 Found",
            &[("Location", "/loop-a".to_string())],
            b"",
            true,
        ),
        p if p.starts_with("/chain/") => {
            let k: usize = p[7..].parse().unwrap_or(0);
            respond(
                &mut stream,
                "302 Found",
                &[("Location", format!("/chain/{}", k + 1))],
                b"",
                true,
            )
        }
        "/big" => respond(&mut stream, "200 OK", &html, &vec![b'a'; 200_000], true),
        // No Content-Length: the limit must hold while reading.
        "/big-unsized" => respond(&mut stream, "200 OK", &html, &vec![b'a'; 200_000], false),
        // Small on the wire, large once decompressed.
        "/bomb.html" => {
            let headers = [html[0].clone(), ("Content-Encoding", "gzip".to_string())];
            respond(
                &mut stream,
                "200 OK",
                &headers,
                &gzip(&vec![b'<'; 2_000_000]),
                true,
            )
        }
        "/delay" => {
            std::thread::sleep(Duration::from_millis(150));
            respond(&mut stream, "200 OK", &html, PAGE.as_bytes(), true)
        }
        "/pdf" => respond(
            &mut stream,
            "200 OK",
            &[("Content-Type", "application/pdf".to_string())],
            b"%PDF-1.4",
            true,
        ),
        "/empty.html" => respond(
            &mut stream,
            "200 OK",
            &html,
            b"<html><body><nav>x</nav></body></html>",
            true,
        ),
        _ => respond(&mut stream, "404 Not Found", &[], b"", true),
    }
}

fn fast_fetch() -> FetchOptions {
    FetchOptions {
        connect_timeout: Duration::from_secs(2),
        timeout: Duration::from_millis(800),
        max_body_bytes: 64 * 1024,
        retries: 2,
        retry_backoff: Duration::from_millis(10),
        ..FetchOptions::default()
    }
}

fn fetch_options(urls: &[String]) -> IngestOptions {
    IngestOptions {
        inputs: urls.to_vec(),
        fetch: fast_fetch(),
        ..Default::default()
    }
}

fn fetch_failure(server: &Server, path: &str) -> Failure {
    let url = server.url(path);
    let f = only_failure(&fetch_options(std::slice::from_ref(&url)), &url, None);
    assert_eq!(f.input, url, "the URL is in the failure");
    f
}

#[test]
fn fetches_html_gzip_and_plain_text_in_input_order() {
    let server = Server::start();
    let urls: Vec<String> = [
        "/page.html",
        "/missing",
        "/gzip.html",
        "/plain",
        "/second.html",
    ]
    .iter()
    .map(|p| server.url(p))
    .collect();
    let items: Vec<_> = ingest::articles(&fetch_options(&urls)).collect();
    let order: Vec<String> = items
        .iter()
        .map(|i| match i {
            Ok(a) => a.meta.source.clone(),
            Err(f) => f.input.clone(),
        })
        .collect();
    assert_eq!(
        order, urls,
        "output order is input order despite concurrency"
    );
    let page = items[0].as_ref().unwrap();
    assert_eq!(
        page.text,
        "An invented report from a served page.\nSecond paragraph."
    );
    assert_eq!(page.meta.title.as_deref(), Some("Local page"));
    assert_eq!(
        (page.meta.published, page.meta.date_source),
        (date(2022, 9, 16), DateSource::Metadata)
    );
    assert!(page.meta.id.starts_with("page-"), "{}", page.meta.id);
    assert_eq!(
        items[2].as_ref().unwrap().text,
        page.text,
        "gzip is decoded"
    );
    let plain = items[3].as_ref().unwrap();
    assert_eq!(plain.text, "Plain invented text, 4 October 2022.");
    assert_eq!(plain.meta.date, date(2022, 10, 4));
    let agents = server.agents.lock().unwrap();
    assert!(
        !agents.is_empty()
            && agents.iter().all(
                |a| a.starts_with("frontmap/") && a.ends_with("(+https://github.com/frontmap)")
            ),
        "{agents:?}"
    );
}

#[test]
fn http_404_is_a_failure_and_not_retried() {
    let server = Server::start();
    let f = fetch_failure(&server, "/missing");
    assert_eq!(f.message, "HTTP 404 Not Found");
    assert_eq!(server.hits("/missing"), 1);
}

#[test]
fn http_500_is_retried_then_succeeds() {
    let server = Server::start();
    let (articles, failures) = run(&fetch_options(&[server.url("/flaky")]));
    assert!(failures.is_empty(), "{failures:?}");
    assert_eq!(articles.len(), 1);
    assert_eq!(server.hits("/flaky"), 2);
}

#[test]
fn http_5xx_that_persists_is_a_failure_after_bounded_retries() {
    let server = Server::start();
    let f = fetch_failure(&server, "/down");
    assert_eq!(f.message, "HTTP 503 Service Unavailable (after 3 attempts)");
    assert_eq!(server.hits("/down"), 3);
}

#[test]
fn slow_server_times_out() {
    let server = Server::start();
    let mut options = fetch_options(&[server.url("/slow")]);
    options.fetch.retries = 1;
    let started = Instant::now();
    let (articles, failures) = run(&options);
    assert!(articles.is_empty());
    assert_eq!(failures.len(), 1);
    assert!(
        failures[0].message.starts_with("timed out"),
        "{}",
        failures[0]
    );
    assert!(
        failures[0].message.ends_with("(after 2 attempts)"),
        "{}",
        failures[0]
    );
    assert!(
        started.elapsed() < Duration::from_secs(3),
        "{:?}",
        started.elapsed()
    );
}

#[test]
fn redirect_loop_is_a_clear_failure() {
    let server = Server::start();
    let f = fetch_failure(&server, "/loop-a");
    assert!(f.message.starts_with("redirect loop"), "{f}");
    let f = fetch_failure(&server, "/chain/0");
    assert_eq!(f.message, "too many redirects (more than 5)");
    assert_eq!(server.hits("/chain/5"), 1);
    assert_eq!(server.hits("/chain/6"), 0);
}

#[test]
fn oversized_bodies_are_failures() {
    let server = Server::start();
    for path in ["/big", "/big-unsized", "/bomb.html"] {
        let f = fetch_failure(&server, path);
        assert!(
            f.message.contains("over the limit of 65536 bytes"),
            "{path}: {f}"
        );
        assert_eq!(server.hits(path), 1, "{path}: not retried");
    }
}

#[test]
fn connection_refused_is_a_failure() {
    let port = {
        let l = TcpListener::bind("127.0.0.1:0").unwrap();
        l.local_addr().unwrap().port()
    };
    let url = format!("http://127.0.0.1:{port}/x");
    let f = only_failure(&fetch_options(std::slice::from_ref(&url)), &url, None);
    assert!(f.message.starts_with("cannot connect"), "{f}");
    assert!(f.message.to_lowercase().contains("refused"), "{f}");
}

#[test]
fn other_content_and_empty_pages_are_failures() {
    let server = Server::start();
    let f = fetch_failure(&server, "/pdf");
    assert!(
        f.message
            .starts_with("unsupported content type 'application/pdf'"),
        "{f}"
    );
    let f = fetch_failure(&server, "/empty.html");
    assert_eq!(f.message, "HTML page has no body text");
}

#[test]
fn credentials_never_appear_in_messages_or_sources() {
    let server = Server::start();
    let secret = format!("http://reader:s3cret@{}/missing", server.addr);
    let ok = format!("http://reader:s3cret@{}/page.html", server.addr);
    let (articles, failures) = run(&fetch_options(&[
        secret,
        ok,
        "ftp://u:s3cret@example.invalid/".into(),
    ]));
    assert_eq!(articles.len(), 1);
    assert_eq!(failures.len(), 2);
    let shown = format!(
        "{articles:?} {failures:?} {}",
        failures.iter().map(|f| f.to_string()).collect::<String>()
    );
    assert!(!shown.contains("s3cret"), "{shown}");
    assert!(
        failures[1].message.contains("unsupported URL scheme 'ftp'"),
        "{}",
        failures[1]
    );
}

#[test]
fn urls_file_with_comments_and_a_bad_line() {
    let server = Server::start();
    let dir = tempfile::tempdir().unwrap();
    let list = dir.path().join("urls.txt");
    let text = format!(
        "# Pages to read\n\n{}\nnot a url\n  {}  \n# done\n",
        server.url("/page.html"),
        server.url("/plain")
    );
    std::fs::write(&list, text).unwrap();
    let options = IngestOptions {
        urls_file: Some(list.clone()),
        fetch: fast_fetch(),
        ..Default::default()
    };
    let items: Vec<_> = ingest::articles(&options).collect();
    assert_eq!(items.len(), 3);
    assert!(items[0].is_ok() && items[2].is_ok());
    let f = items[1].as_ref().unwrap_err();
    assert_eq!(
        (f.input.as_str(), f.line),
        (list.display().to_string().as_str(), Some(4))
    );
    let missing = IngestOptions {
        urls_file: Some(dir.path().join("nope.txt")),
        ..Default::default()
    };
    only_failure(&missing, "nope.txt", None);
}

#[test]
fn cache_means_a_second_run_does_not_fetch() {
    let server = Server::start();
    let cache = tempfile::tempdir().unwrap();
    let options = IngestOptions {
        cache_dir: Some(cache.path().join("pages")),
        ..fetch_options(&[server.url("/cached.html")])
    };
    let (first, f1) = run(&options);
    let (second, f2) = run(&options);
    assert!(f1.is_empty() && f2.is_empty(), "{f1:?} {f2:?}");
    assert_eq!(server.hits("/cached.html"), 1);
    assert_eq!(first[0].text, second[0].text);
    assert_eq!(first[0].meta, second[0].meta);
    let files: Vec<_> = std::fs::read_dir(cache.path().join("pages"))
        .unwrap()
        .flatten()
        .collect();
    assert_eq!(files.len(), 1, "one file per URL, no temporary files left");
}

#[test]
fn fetches_run_concurrently_and_keep_order() {
    let server = Server::start();
    let urls: Vec<String> = (0..8)
        .map(|k| server.url(&format!("/delay?k={k}")))
        .collect();
    let mut options = fetch_options(&urls);
    options.fetch.concurrency = 4;
    let started = Instant::now();
    let sources: Vec<String> = ingest::articles(&options)
        .map(|i| i.unwrap().meta.source)
        .collect();
    assert_eq!(sources, urls);
    // Eight 150 ms answers, four at a time: about 300 ms; one at a time would take 1200 ms.
    assert!(
        started.elapsed() < Duration::from_millis(900),
        "{:?}",
        started.elapsed()
    );
    assert!(ACTIVE.lock().unwrap().1 >= 2, "requests overlapped");
}

// ---- No panic on any input (property tests). ----

mod no_panic {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        #![proptest_config(ProptestConfig { cases: 200, ..ProptestConfig::default() })]

        #[test]
        fn json_lines(line in "\\PC{0,200}") {
            let _ = ingest::article_from_json_line(&line, "p.jsonl", 1);
        }

        #[test]
        fn json_records(text in "\\PC{0,80}", id in "\\PC{0,40}", date in "\\PC{0,30}") {
            let line = serde_json::json!({"id": id, "text": text, "date": date}).to_string();
            if let Ok(a) = ingest::article_from_json_line(&line, "p.jsonl", 1) {
                prop_assert!(!a.meta.id.is_empty() && !a.meta.id.starts_with('.') && !a.meta.id.contains('/'));
                prop_assert!(a.meta.id.len() <= 100);
            }
        }

        #[test]
        fn dates(text in "[0-9./ -]{0,20}|\\PC{0,120}", lang in prop::option::of("id|en|uk|ru|de|pl|fr")) {
            let published = NaiveDate::from_ymd_opt(2022, 9, 14);
            if let Some(d) = ingest::date_in_text(&text, lang.as_deref(), published) {
                prop_assert!((1990..=2100).contains(&chrono::Datelike::year(&d)));
            }
            let _ = ingest::parse_metadata_date(&text);
        }

        #[test]
        fn safe_ids(raw in "\\PC{0,300}") {
            let id = ingest::safe_id(&raw);
            prop_assert!(!id.is_empty() && id.len() <= 100 && !id.starts_with('.'));
            prop_assert!(id.chars().all(|c| c.is_ascii_alphanumeric() || "._-".contains(c) || (!c.is_ascii() && c.is_alphanumeric())));
            prop_assert_eq!(ingest::safe_id(&id), id.clone(), "safe_id is idempotent");
        }

        #[test]
        fn html_pages(body in "(<(p|div|article|script|nav|br|time datetime=\"2022-09-12\")>|</(p|div|article|script|nav)>|[a-zA-Zа-я .,0-9]{0,12}){0,30}") {
            let _ = ingest::html::extract(&format!("<html><body>{body}</body></html>"));
        }
    }

    #[test]
    fn arbitrary_bytes_as_files() {
        let dir = tempfile::tempdir().unwrap();
        let config = ProptestConfig {
            cases: 64,
            ..ProptestConfig::default()
        };
        let mut runner = proptest::test_runner::TestRunner::new(config);
        let strategy = (proptest::collection::vec(any::<u8>(), 0..400), 0usize..4);
        runner
            .run(&strategy, |(bytes, ext)| {
                let name = ["f.txt", "f.jsonl", "f.html", "f.bin"][ext];
                let path = dir.path().join(name);
                std::fs::write(&path, &bytes).unwrap();
                let n = ingest::articles(&inputs(&[&path])).count();
                // Every file gives an article or a failure, except JSON Lines of blank lines.
                prop_assert!(n >= 1 || (ext == 1 && bytes.iter().all(u8::is_ascii_whitespace)));
                Ok(())
            })
            .unwrap();
    }
}
