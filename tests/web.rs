//! The offline map page: its HTML (data blocks, escaping, no network, determinism), the static server, and the page
//! itself in headless Chromium driven through chromedriver's W3C HTTP API (required when `CI` is set; elsewhere
//! skipped loudly when Chromium or chromedriver is missing).

use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use serde_json::{json, Value};

const FIXTURE: &str = "tests/fixtures/web/run";
const XSS_TITLE: &str = "<script>alert(1)</script> \"><img src=x onerror=window.__pwned=1>";

/// A copy of a fixture run in a fresh temporary folder, with its index.html written.
fn written(fixture: Option<&str>) -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().expect("tempdir");
    if let Some(fixture) = fixture {
        for entry in std::fs::read_dir(fixture).expect("fixture folder") {
            let path = entry.expect("entry").path();
            std::fs::copy(&path, dir.path().join(path.file_name().expect("name")))
                .expect("copy fixture");
        }
    }
    let index = frontmap::web::write_index(dir.path()).expect("write_index");
    assert_eq!(index, dir.path().join("index.html"));
    (dir, index)
}

/// The `<script type="application/json" id=ID>` blocks of a page, raw.
fn data_blocks(html: &str) -> Vec<(String, String)> {
    let open = "<script type=\"application/json\" id=\"";
    let mut blocks = Vec::new();
    let mut rest = html;
    while let Some(start) = rest.find(open) {
        let after = &rest[start + open.len()..];
        let id_end = after.find("\">").expect("id closes");
        let body = &after[id_end + 2..];
        let end = body.find("</script>").expect("block closes");
        blocks.push((after[..id_end].to_string(), body[..end].to_string()));
        rest = &body[end..];
    }
    blocks
}

fn block(html: &str, id: &str) -> Value {
    let (_, raw) = data_blocks(html)
        .into_iter()
        .find(|(i, _)| i == id)
        .unwrap_or_else(|| panic!("no block {id}"));
    serde_json::from_str(&raw).unwrap_or_else(|e| panic!("block {id}: {e}"))
}

#[test]
fn page_carries_the_layers_as_json_blocks() {
    let (_dir, index) = written(Some(FIXTURE));
    let html = std::fs::read_to_string(index).expect("read page");
    let ids: Vec<String> = data_blocks(&html).into_iter().map(|(id, _)| id).collect();
    assert_eq!(
        ids,
        [
            "fm-meta",
            "fm-events",
            "fm-areas",
            "fm-clusters",
            "fm-hulls",
            "fm-occupied",
            "fm-front"
        ]
    );

    let events = block(&html, "fm-events");
    assert_eq!(events.as_array().expect("events array").len(), 7);
    let pokrovsk = &events[0];
    assert_eq!(pokrovsk["name"], "Pokrovsk");
    assert_eq!(
        pokrovsk["area"], "UA-14",
        "colour key: the oblast the point lies in"
    );
    assert_eq!(pokrovsk["surfaces"], json!(["Pokrovsk", "Покровськ"]));
    assert_eq!(
        pokrovsk["front_distance_km"],
        Value::Null,
        "-1 means unknown"
    );
    let moscow = events
        .as_array()
        .expect("array")
        .iter()
        .find(|e| e["name"] == "Moscow")
        .expect("Moscow");
    assert_eq!(moscow["area"], "", "outside every area");

    let meta = block(&html, "fm-meta");
    assert_eq!(meta["title"], "3 articles, 7 places");
    assert_eq!(meta["dates"], json!(["2024-08-01", "2024-08-02"]));
    assert_eq!(meta["undated"], 2);
    assert_eq!(
        meta["attribution"][0],
        "Contains data from GeoNames (geonames.org), CC BY 4.0"
    );
    let articles: Vec<(&str, &str, u64)> = meta["articles"]
        .as_array()
        .expect("articles")
        .iter()
        .map(|a| {
            (
                a["id"].as_str().expect("id"),
                a["date"].as_str().expect("date"),
                a["places"].as_u64().expect("n"),
            )
        })
        .collect();
    assert_eq!(
        articles,
        [
            ("a2-kharkiv", "2024-08-02", 2),
            ("a1-pokrovsk", "2024-08-01", 3),
            ("a3-xss", "", 2)
        ],
        "newest first, undated last"
    );
    assert_eq!(
        meta["articles"][1]["areas"],
        json!(["UA-14", "dir:pokrovsk"]),
        "from coverage.json"
    );
    let legend: Vec<&str> = meta["legend"]
        .as_array()
        .expect("legend")
        .iter()
        .map(|l| l["area"].as_str().expect("area"))
        .collect();
    assert_eq!(
        legend,
        ["UA-14", "UA-63", "RU-KRS", ""],
        "by event count, outside last"
    );

    assert_eq!(
        block(&html, "fm-areas")["features"]
            .as_array()
            .expect("areas")
            .len(),
        4
    );
    assert_eq!(
        block(&html, "fm-clusters")
            .as_array()
            .expect("clusters")
            .len(),
        2
    );
    assert_eq!(
        block(&html, "fm-hulls")["features"]
            .as_array()
            .expect("hulls")
            .len(),
        2
    );
    assert_eq!(
        block(&html, "fm-occupied")["features"]
            .as_array()
            .expect("occupied")
            .len(),
        2
    );
    assert_eq!(
        block(&html, "fm-front")["features"][1]["properties"],
        json!({"date": "2024-08-03"})
    );
}

/// A run folder too big for one page: `articles` articles of three places each, one article a
/// day per date over 30 days (article k dated day k % 30), written one feature per line as
/// `frontmap map` writes events.geojson, with a coverage.json and 3,000 clusters.
fn big_run(articles: usize) -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("tempdir");
    let mut events = String::from("{\"type\":\"FeatureCollection\",\"features\":[\n");
    let mut coverage = Vec::new();
    for k in 0..articles {
        let date = format!("2024-09-{:02}", 1 + k % 30);
        for p in 0..3 {
            if k + p > 0 {
                events.push_str(",\n");
            }
            let (lon, lat) = (
                30.0 + (k % 97) as f64 * 0.08 + p as f64 * 0.01,
                46.0 + (k % 89) as f64 * 0.06,
            );
            let feature = json!({"type": "Feature",
                "properties": {"article": format!("a{k}"), "title": format!("Report {k}"), "date": date,
                               "place_id": format!("gn:{}", k % 500 * 3 + p), "name": format!("Place {p}"),
                               "kind": "populated_place", "mentions": 1 + p, "snippet": "…"},
                "geometry": {"type": "Point", "coordinates": [lon, lat]}});
            events.push_str(&feature.to_string());
        }
        coverage.push(json!({"article": format!("a{k}"), "areas": [{"id": "UA-14"}]}));
    }
    events.push_str("\n]}\n");
    std::fs::write(dir.path().join("events.geojson"), events).expect("write events");
    std::fs::write(
        dir.path().join("coverage.json"),
        json!({"with_occupied": false, "articles": coverage, "areas": []}).to_string(),
    )
    .expect("write coverage");
    let clusters: Vec<Value> = (0..3000)
        .map(|c| {
            let articles: Vec<String> = (0..200).map(|k| format!("a{k}")).collect();
            json!({"type": "Feature",
                   "properties": {"id": format!("c:{c}"), "event_count": 3000 - c, "places": "A|B",
                                  "articles": articles.join("|")},
                   "geometry": {"type": "Point", "coordinates": [30.0 + c as f64 * 0.001, 48.0]}})
        })
        .collect();
    std::fs::write(
        dir.path().join("clusters.geojson"),
        json!({"type": "FeatureCollection", "features": clusters}).to_string(),
    )
    .expect("write clusters");
    dir
}

/// Writes `features` as a FeatureCollection at `path`, one feature a line as frontmap writes it.
fn write_lines(path: &Path, features: &[&Value]) {
    let lines: Vec<String> = features.iter().map(|f| f.to_string()).collect();
    let text = format!(
        "{{\"type\":\"FeatureCollection\",\"features\":[\n{}\n]}}\n",
        lines.join(",\n")
    );
    std::fs::write(path, text).expect("write layer");
}

/// The page's events, sorted: the same events whatever order the layers hold them in.
fn page_events(dir: &Path) -> Vec<String> {
    let html = std::fs::read_to_string(frontmap::web::write_index(dir).expect("write_index"))
        .expect("read page");
    let events = block(&html, "fm-events");
    let mut events: Vec<String> = events
        .as_array()
        .expect("events")
        .iter()
        .map(Value::to_string)
        .collect();
    events.sort();
    events
}

#[test]
fn big_runs_show_the_same_events_from_any_feature_layer() {
    // 8,000 articles of 3 events: more than the page holds, so the shown articles' features
    // are read again, from wherever the first pass found them.
    let features: Vec<(usize, Value)> = (0..8000)
        .flat_map(|k| {
            (0..3).map(move |p| {
                (k, json!({"type": "Feature",
                    "properties": {"article": format!("a{k}"), "date": format!("2024-09-{:02}", 1 + k % 30),
                                   "place_id": format!("gn:{}", k % 700 * 3 + p), "name": format!("Place {p}"),
                                   "mentions": 1 + p, "snippet": "…"},
                    "geometry": {"type": "Point", "coordinates": [30.0 + (k % 97) as f64 * 0.08, 46.0 + p as f64 * 0.1]}}))
            })
        })
        .collect();
    let all: Vec<&Value> = features.iter().map(|(_, f)| f).collect();
    let layouts = tempfile::tempdir().expect("tempdir");
    // events.geojson, one feature a line, each article's features together.
    let events = layouts.path().join("events");
    std::fs::create_dir(&events).expect("mkdir");
    write_lines(&events.join("events.geojson"), &all);
    // The same, every article's features apart (event p of every article, then p + 1).
    let scattered = layouts.path().join("scattered");
    std::fs::create_dir(&scattered).expect("mkdir");
    let mut by_event = all.clone();
    by_event.sort_by_key(|f| f["properties"]["mentions"].as_u64());
    write_lines(&scattered.join("events.geojson"), &by_event);
    // articles/: small files, read whole.
    let articles = layouts.path().join("articles");
    std::fs::create_dir_all(articles.join("articles")).expect("mkdir");
    for chunk in features.chunks(3) {
        let file = articles.join(format!("articles/a{}.geojson", chunk[0].0));
        let mine: Vec<&Value> = chunk.iter().map(|(_, f)| f).collect();
        write_lines(&file, &mine);
    }
    let expected = page_events(&events);
    assert!(expected.len() > 19_000, "{} events", expected.len());
    assert_eq!(page_events(&scattered), expected, "scattered features");
    assert_eq!(page_events(&articles), expected, "articles/");
}

#[test]
fn big_runs_give_a_bounded_page_of_the_most_recent_articles() {
    let dir = big_run(10_000);
    let index = frontmap::web::write_index(dir.path()).expect("write_index");
    let size = std::fs::metadata(&index).expect("page").len();
    assert!(size < 20_000_000, "page of {size} bytes");
    let html = std::fs::read_to_string(&index).expect("read page");
    let events = block(&html, "fm-events");
    let events = events.as_array().expect("events");
    assert!(
        events.len() <= frontmap::web::MAX_PAGE_EVENTS && events.len() > 19_000,
        "{} events",
        events.len()
    );
    // Whole articles, the most recent: days 30, 29, … down to where the page is full.
    let meta = block(&html, "fm-meta");
    let articles = meta["articles"].as_array().expect("articles");
    assert_eq!(articles.len() * 3, events.len());
    let dates: Vec<&str> = articles
        .iter()
        .map(|a| a["date"].as_str().expect("date"))
        .collect();
    assert_eq!(dates.first(), Some(&"2024-09-30"));
    assert!(dates.windows(2).all(|w| w[0] >= w[1]), "newest first");
    let oldest = dates.last().copied().unwrap_or_default();
    assert!(
        events.iter().all(|e| e["date"].as_str() >= Some(oldest)),
        "only the shown articles' events"
    );
    assert_eq!(articles[0]["areas"], json!(["UA-14"]), "from coverage.json");
    // The page says what it left out and where the rest is.
    let title = meta["title"].as_str().expect("title");
    assert_eq!(
        title,
        "6,666 most recent of 10,000 articles, 1,500 places",
        "{} articles shown",
        articles.len()
    );
    let note = meta["note"].as_str().expect("a note on a partial page");
    assert!(
        note.contains("30,000 events in 10,000 articles") && note.contains("events.geojson"),
        "{note}"
    );
    // Clusters: the largest 2,000, their lists cut short.
    let clusters = block(&html, "fm-clusters");
    let clusters = clusters.as_array().expect("clusters");
    assert_eq!(clusters.len(), 2000);
    assert_eq!(clusters[0]["id"], "c:0");
    assert!(clusters[0]["articles"].as_array().expect("ids").len() <= 50);

    // A small run has no note.
    let (_small, index) = written(Some(FIXTURE));
    let html = std::fs::read_to_string(index).expect("read page");
    assert_eq!(block(&html, "fm-meta").get("note"), None);
}

#[test]
fn article_strings_cannot_escape_their_data_block() {
    let (_dir, index) = written(Some(FIXTURE));
    let html = std::fs::read_to_string(index).expect("read page");
    for (id, raw) in data_blocks(&html) {
        assert!(!raw.contains('<'), "{id} has a raw '<'");
        assert!(!raw.contains('>'), "{id} has a raw '>'");
    }
    // Nine script elements: seven data blocks, Leaflet, the page. An article string that closed a block would add one.
    assert_eq!(html.matches("<script").count(), 9);
    assert_eq!(html.matches("</script>").count(), 9);
    assert!(
        !html.contains("<img"),
        "markup from an article reached the HTML"
    );
    assert!(!html.contains("<script>alert(1)"));
    assert!(!html.contains("<!-- <img"));
    // Inlined code must not end its own element early either.
    let inlined = [
        (
            "frontmap.js",
            include_str!("../assets/web/frontmap.js"),
            ["<script", "</script", "<!--"],
        ),
        (
            "leaflet.js",
            include_str!("../assets/leaflet/leaflet.js"),
            ["<script", "</script", "<!--"],
        ),
        (
            "frontmap.css",
            include_str!("../assets/web/frontmap.css"),
            ["<style", "</style", "<!--"],
        ),
        (
            "leaflet.css",
            include_str!("../assets/leaflet/leaflet.css"),
            ["<style", "</style", "<!--"],
        ),
    ];
    for (name, text, needles) in inlined {
        for needle in needles {
            assert!(
                !text.to_ascii_lowercase().contains(needle),
                "{name} contains {needle}"
            );
        }
    }
    // The strings are still all there, as data.
    let meta = block(&html, "fm-meta");
    let xss = meta["articles"]
        .as_array()
        .expect("articles")
        .iter()
        .find(|a| a["id"] == "a3-xss")
        .expect("a3");
    assert_eq!(xss["title"], XSS_TITLE);
}

#[test]
fn page_needs_no_network() {
    let (_dir, index) = written(Some(FIXTURE));
    let html = std::fs::read_to_string(index).expect("read page");
    assert!(
        html.contains("content=\"default-src 'none'; script-src 'sha256-"),
        "CSP forbids every fetch"
    );
    // Vendored Leaflet mentions URLs in its licence header and its attribution prefix (turned off by the page);
    // everything else in the page must not point anywhere.
    let leaflet_js = include_str!("../assets/leaflet/leaflet.js");
    let leaflet_js = &leaflet_js[..leaflet_js
        .rfind("\n//# sourceMappingURL=")
        .expect("source map comment")];
    let leaflet_css = include_str!("../assets/leaflet/leaflet.css");
    assert!(
        html.contains(leaflet_js) && html.contains(leaflet_css),
        "Leaflet inlined verbatim"
    );
    let mut own = html.replace(leaflet_js, "").replace(leaflet_css, "");
    for (_, raw) in data_blocks(&html) {
        own = own.replace(&raw, "");
    }
    for needle in [
        "http://",
        "https://",
        "src=",
        "href=",
        "url(",
        "@import",
        "//cdn",
        "fetch(",
        "XMLHttpRequest",
    ] {
        assert!(
            !own.contains(needle),
            "the page's own HTML/JS/CSS contains {needle:?}"
        );
    }
    assert!(
        own.contains("attributionControl: false"),
        "Leaflet's linked attribution prefix stays off"
    );
    // Data may mention URLs (an article's source, the attribution), but only as text: `<` never occurs in a block
    // (article_strings_cannot_escape_their_data_block), so no element, hence no src or href, can come from data.
}

#[test]
fn page_is_deterministic_and_written_atomically() {
    let (dir, index) = written(Some(FIXTURE));
    let first = std::fs::read(&index).expect("read");
    frontmap::web::write_index(dir.path()).expect("second write");
    assert_eq!(
        first,
        std::fs::read(&index).expect("read again"),
        "same layers, same bytes"
    );
    let mut names: Vec<String> = std::fs::read_dir(dir.path())
        .expect("list")
        .map(|e| e.expect("entry").file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    assert_eq!(
        names,
        [
            "areas.geojson",
            "cluster_hulls.geojson",
            "clusters.geojson",
            "coverage.json",
            "events.geojson",
            "front_lines.geojson",
            "index.html",
            "manifest.json",
            "occupied.geojson"
        ],
        "no temporary file left behind"
    );
}

#[test]
fn empty_and_odd_folders_still_give_a_page() {
    let (_dir, index) = written(None);
    let html = std::fs::read_to_string(index).expect("read");
    assert_eq!(block(&html, "fm-events"), json!([]));
    assert_eq!(block(&html, "fm-meta")["title"], "0 articles, 0 places");
    assert_eq!(
        block(&html, "fm-meta")["attribution"][0],
        "Places: GeoNames (geonames.org), CC BY 4.0"
    );

    let dir = tempfile::tempdir().expect("tempdir");
    std::fs::write(
        dir.path().join("events.geojson"),
        r#"{"type":"FeatureCollection","features":[
            {"type":"Feature","geometry":{"type":"Point","coordinates":[30.5,50.4]},"properties":{}},
            {"type":"Feature","geometry":null,"properties":{"name":"nowhere"}},
            {"type":"Feature","geometry":{"type":"Point","coordinates":["x",1]},"properties":{}}]}"#,
    )
    .expect("write");
    std::fs::write(dir.path().join("areas.geojson"), r#"{"type":"FeatureCollection","features":[{"geometry":{"type":"Point","coordinates":[1,2]}}]}"#)
        .expect("write");
    std::fs::write(dir.path().join("coverage.json"), "42").expect("write");
    std::fs::write(dir.path().join("manifest.json"), r#"{"failures": 3}"#).expect("write");
    let html =
        std::fs::read_to_string(frontmap::web::write_index(dir.path()).expect("write_index"))
            .expect("read");
    assert_eq!(
        block(&html, "fm-events").as_array().expect("events").len(),
        1
    );
    assert_eq!(block(&html, "fm-meta")["skipped_features"], 3);
    assert_eq!(block(&html, "fm-meta")["failures"], 3);
}

/// A run with `--layers dates` has neither `events.geojson` nor `articles/`: the page reads
/// the events from `dates/`.
#[test]
fn page_reads_dates_when_the_other_feature_layers_were_skipped() {
    let dir = tempfile::tempdir().expect("tempdir");
    std::fs::create_dir(dir.path().join("dates")).expect("mkdir");
    std::fs::create_dir(dir.path().join("articles")).expect("mkdir");
    std::fs::write(
        dir.path().join("dates/2024-07-01.geojson"),
        r#"{"type":"FeatureCollection","features":[
            {"type":"Feature","geometry":{"type":"Point","coordinates":[30.5,50.4]},"properties":{"article":"a","name":"Kyiv"}}]}"#,
    )
    .expect("write");
    let html =
        std::fs::read_to_string(frontmap::web::write_index(dir.path()).expect("write_index"))
            .expect("read");
    let events = block(&html, "fm-events");
    assert_eq!(events.as_array().expect("events").len(), 1, "{events}");
}

#[test]
fn broken_layers_are_errors_that_name_the_file() {
    let dir = tempfile::tempdir().expect("tempdir");
    std::fs::write(
        dir.path().join("events.geojson"),
        "{\n\"type\": \"FeatureCollection\",\n oops",
    )
    .expect("write");
    let err = frontmap::web::write_index(dir.path()).expect_err("invalid JSON");
    let message = err.to_string();
    assert!(
        message.contains("events.geojson") && message.contains("line 3"),
        "{message}"
    );
    assert!(!dir.path().join("index.html").exists());

    let missing = dir.path().join("no-such-run");
    let err = frontmap::web::write_index(&missing).expect_err("missing folder");
    assert!(err.to_string().contains("no-such-run"), "{err}");
}

#[test]
fn vendored_leaflet_matches_its_readme() {
    let Ok(output) = Command::new("sha256sum")
        .args(["leaflet.js", "leaflet.css", "LICENSE"])
        .current_dir("assets/leaflet")
        .output()
    else {
        eprintln!("\n*** SKIPPED vendored_leaflet_matches_its_readme: no sha256sum ***\n");
        return;
    };
    let readme = std::fs::read_to_string("assets/leaflet/README.md").expect("README");
    let sums = String::from_utf8(output.stdout).expect("utf-8");
    assert_eq!(sums.lines().count(), 3, "{sums}");
    for line in sums.lines() {
        assert!(
            readme.contains(line),
            "assets/leaflet/README.md lacks {line:?}"
        );
    }
}

// ---- the static server

/// A server on a free port, in a thread that lives as long as the test process.
fn served(dir: &Path) -> String {
    let server = frontmap::web::Server::bind(dir, 0).expect("bind");
    let url = server.url();
    std::thread::spawn(move || server.run());
    url
}

/// One raw request (reqwest would normalise `..` away before sending it).
fn raw_get(url: &str, target: &str) -> (u16, String, Vec<u8>) {
    let addr = url.trim_start_matches("http://").trim_end_matches('/');
    let mut stream = TcpStream::connect(addr).expect("connect");
    write!(stream, "GET {target} HTTP/1.1\r\nHost: {addr}\r\n\r\n").expect("send");
    let mut response = Vec::new();
    stream.read_to_end(&mut response).expect("read");
    let split = response
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .expect("head ends");
    let head = String::from_utf8_lossy(&response[..split]).into_owned();
    let status = head
        .split(' ')
        .nth(1)
        .and_then(|s| s.parse().ok())
        .expect("status");
    (status, head, response[split + 4..].to_vec())
}

#[test]
fn server_serves_the_folder_and_nothing_else() {
    let (dir, index) = written(Some(FIXTURE));
    let url = served(dir.path());
    assert!(
        url.starts_with("http://127.0.0.1:") && url.ends_with('/'),
        "{url}"
    );

    let (status, head, body) = raw_get(&url, "/");
    assert_eq!(status, 200);
    assert!(
        head.contains("Content-Type: text/html; charset=utf-8"),
        "{head}"
    );
    assert_eq!(body, std::fs::read(&index).expect("page"));
    let (status, head, _) = raw_get(&url, "/events.geojson");
    assert_eq!(status, 200);
    assert!(
        head.contains("Content-Type: application/geo+json"),
        "{head}"
    );
    assert!(raw_get(&url, "/manifest.json")
        .1
        .contains("Content-Type: application/json"));

    let secret = dir
        .path()
        .parent()
        .expect("parent")
        .join("frontmap-web-test-secret.txt");
    let cases = [
        ("/../frontmap-web-test-secret.txt", 403),
        ("/%2e%2e/frontmap-web-test-secret.txt", 403),
        ("/..%2Ffrontmap-web-test-secret.txt", 403),
        ("/%2F%2E%2E%2Fetc%2Fpasswd", 403),
        ("/nope.geojson", 404),
        ("/%G0", 400),
    ];
    for (target, expected) in cases {
        assert_eq!(raw_get(&url, target).0, expected, "{target}");
    }
    assert!(!secret.exists());

    // A well-behaved client too.
    let response = reqwest::blocking::get(format!("{url}clusters.geojson")).expect("reqwest");
    assert_eq!(response.status().as_u16(), 200);
    let text = response.text().expect("body");
    assert!(text.contains("\"c1\""));
}

// ---- headless Chromium through chromedriver (W3C WebDriver over HTTP on 127.0.0.1)

struct Browser {
    driver: Child,
    base: String,
    session: String,
    http: reqwest::blocking::Client,
    _profile: tempfile::TempDir,
}

fn find_program(names: &[&str]) -> Option<PathBuf> {
    let path = std::env::var_os("PATH")?;
    names
        .iter()
        .flat_map(|name| std::env::split_paths(&path).map(move |dir| dir.join(name)))
        .find(|candidate| candidate.is_file())
}

impl Browser {
    /// None (after saying so loudly) when Chromium or chromedriver is missing and `CI` is not set.
    fn start(test: &str) -> Option<Browser> {
        let chromium = std::env::var_os("CHROMIUM")
            .map(PathBuf::from)
            .or_else(|| find_program(&["chromium", "chromium-browser", "google-chrome"]));
        let chromedriver = std::env::var_os("CHROMEDRIVER")
            .map(PathBuf::from)
            .or_else(|| find_program(&["chromedriver"]));
        let (Some(chromium), Some(chromedriver)) = (chromium, chromedriver) else {
            if std::env::var_os("CI").is_some() {
                panic!("{test}: CI is set but chromium or chromedriver is missing (apt-get install chromium chromium-driver)");
            }
            eprintln!("\n*** SKIPPED {test}: chromium and chromedriver not found (apt-get install chromium chromium-driver) ***\n");
            return None;
        };
        let port = TcpListener::bind("127.0.0.1:0")
            .expect("free port")
            .local_addr()
            .expect("addr")
            .port();
        let profile = tempfile::tempdir().expect("profile dir");
        let driver = Command::new(&chromedriver)
            .arg(format!("--port={port}"))
            .arg(format!(
                "--log-path={}",
                profile.path().join("chromedriver.log").display()
            ))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap_or_else(|e| panic!("{}: {e}", chromedriver.display()));
        let http = reqwest::blocking::Client::builder()
            .timeout(Duration::from_secs(60))
            .build()
            .expect("http client");
        let base = format!("http://127.0.0.1:{port}");
        let started = Instant::now();
        loop {
            let ready = http
                .get(format!("{base}/status"))
                .send()
                .ok()
                .and_then(|r| r.text().ok())
                .and_then(|t| serde_json::from_str::<Value>(&t).ok())
                .is_some_and(|v| v["value"]["ready"] == true);
            if ready {
                break;
            }
            assert!(
                started.elapsed() < Duration::from_secs(30),
                "chromedriver did not start"
            );
            std::thread::sleep(Duration::from_millis(100));
        }
        let args = [
            "--headless".to_string(),
            "--no-sandbox".to_string(),
            "--disable-gpu".to_string(),
            "--disable-background-networking".to_string(),
            "--disable-component-update".to_string(),
            "--disable-sync".to_string(),
            "--no-first-run".to_string(),
            "--disable-quic".to_string(),
            "--disable-dev-shm-usage".to_string(),
            "--window-size=1280,800".to_string(),
            format!(
                "--user-data-dir={}",
                profile.path().join("profile").display()
            ),
        ];
        let mut browser = Browser {
            driver,
            base,
            session: String::new(),
            http,
            _profile: profile,
        };
        let created = browser.call(
            "POST",
            "/session",
            json!({"capabilities": {"alwaysMatch": {
                "browserName": "chrome",
                "goog:chromeOptions": {"binary": chromium, "args": args},
                "goog:loggingPrefs": {"browser": "ALL"}
            }}}),
        );
        browser.session = created["sessionId"]
            .as_str()
            .expect("session id")
            .to_string();
        Some(browser)
    }

    /// One WebDriver command; returns its `value`, panics with the driver's message on an error.
    fn call(&self, method: &str, path: &str, body: Value) -> Value {
        let url = if path == "/session" {
            format!("{}{path}", self.base)
        } else {
            format!("{}/session/{}{path}", self.base, self.session)
        };
        let request = match method {
            "GET" => self.http.get(&url),
            "DELETE" => self.http.delete(&url),
            _ => self
                .http
                .post(&url)
                .header("Content-Type", "application/json")
                .body(body.to_string()),
        };
        let response = request
            .send()
            .unwrap_or_else(|e| panic!("{method} {url}: {e}"));
        let status = response.status();
        let text = response.text().expect("driver response");
        let value: Value =
            serde_json::from_str(&text).unwrap_or_else(|e| panic!("{url}: {e}: {text}"));
        assert!(
            status.is_success(),
            "{method} {path}: {status}: {}",
            value["value"]
        );
        value["value"].clone()
    }

    fn open(&self, url: &str) {
        self.call("POST", "/url", json!({ "url": url }));
        self.wait_for("return Boolean(window.frontmap && window.frontmap.ready)");
    }

    fn exec(&self, script: &str) -> Value {
        self.call(
            "POST",
            "/execute/sync",
            json!({ "script": script, "args": [] }),
        )
    }

    fn wait_for(&self, script: &str) {
        let started = Instant::now();
        while self.exec(script) != Value::Bool(true) {
            assert!(
                started.elapsed() < Duration::from_secs(20),
                "timed out waiting for: {script}"
            );
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    fn find(&self, css: &str) -> String {
        let found = self.call(
            "POST",
            "/element",
            json!({"using": "css selector", "value": css}),
        );
        found
            .as_object()
            .and_then(|o| o.values().next())
            .and_then(Value::as_str)
            .unwrap_or_else(|| panic!("no element {css}"))
            .to_string()
    }

    fn click(&self, css: &str) {
        let element = self.find(css);
        self.call("POST", &format!("/element/{element}/click"), json!({}));
    }

    /// Console messages at level SEVERE (errors, failed loads, CSP violations).
    fn console_errors(&self) -> Vec<String> {
        self.call("POST", "/se/log", json!({"type": "browser"}))
            .as_array()
            .map(|entries| {
                entries
                    .iter()
                    .filter(|e| e["level"] == "SEVERE")
                    .map(|e| e["message"].as_str().unwrap_or("").to_string())
                    .collect()
            })
            .unwrap_or_default()
    }

    fn counts(&self) -> Value {
        self.exec(
            "const s = document.getElementById('fm-status').dataset; \
             return {events: Number(s.eventCount), drawn: document.querySelectorAll('.leaflet-fm-events-pane path').length, \
                     highlighted: Number(s.highlightedAreas), article: s.article, date: s.date, \
                     areas: document.querySelectorAll('.leaflet-fm-areas-pane path').length, \
                     directions: document.querySelectorAll('.leaflet-fm-directions-pane path').length};",
        )
    }
}

impl Drop for Browser {
    fn drop(&mut self) {
        if !self.session.is_empty() {
            let _ = self
                .http
                .delete(format!("{}/session/{}", self.base, self.session))
                .send();
        }
        let _ = self.driver.kill();
        let _ = self.driver.wait();
    }
}

fn file_url(path: &Path) -> String {
    format!(
        "file://{}",
        path.canonicalize().expect("canonical").display()
    )
}

#[test]
fn browser_shows_and_filters_the_map() {
    let Some(browser) = Browser::start("browser_shows_and_filters_the_map") else {
        return;
    };
    let (_dir, index) = written(Some(FIXTURE));
    browser.open(&file_url(&index));

    let counts = browser.counts();
    assert_eq!(counts["events"], 7, "{counts}");
    assert_eq!(counts["drawn"], 7, "one circle per place: {counts}");
    assert_eq!(counts["areas"], 3, "{counts}");
    assert_eq!(counts["directions"], 1, "{counts}");
    assert_eq!(
        browser.exec("return document.querySelectorAll('.fm-article').length"),
        3
    );
    assert_eq!(
        browser.exec("return performance.getEntriesByType('resource').length"),
        0,
        "the page fetched something"
    );

    // Article strings arrive as text: the XSS title is shown literally and ran nothing.
    let title = browser.exec(
        "return document.querySelector('[data-article=\"a3-xss\"] .fm-article-title').textContent",
    );
    assert_eq!(title, XSS_TITLE);
    assert_eq!(
        browser.exec("return document.querySelectorAll('img').length"),
        0
    );
    assert_eq!(browser.exec("return typeof window.__pwned"), "undefined");

    // Clicking an article shows only its places and highlights the areas coverage.json lists.
    browser.click("[data-article=\"a1-pokrovsk\"]");
    let counts = browser.counts();
    assert_eq!(
        (counts["events"].clone(), counts["drawn"].clone()),
        (json!(3), json!(3)),
        "{counts}"
    );
    assert_eq!(
        counts["highlighted"], 2,
        "UA-14 and the Pokrovsk direction: {counts}"
    );
    assert_eq!(counts["article"], "a1-pokrovsk");
    assert_eq!(
        browser.exec("return document.querySelectorAll('.fm-article.fm-active').length"),
        1
    );

    // A real click on a place opens its popup, built from text nodes.
    browser.click("[data-article=\"a3-xss\"]");
    assert_eq!(browser.counts()["drawn"], 2);
    browser.wait_for(
        "const p = document.querySelector('.leaflet-fm-events-pane path'); const r = p.getBoundingClientRect(); \
         return document.elementFromPoint(r.x + r.width / 2, r.y + r.height / 2) === p;",
    );
    browser.click(".leaflet-fm-events-pane path");
    browser.wait_for("return document.querySelector('.leaflet-popup-content .fm-popup') !== null");
    let popup = browser.exec("return document.querySelector('.leaflet-popup-content').textContent");
    let popup = popup.as_str().expect("popup text");
    assert!(popup.contains(XSS_TITLE), "{popup}");
    assert!(
        popup.contains("Kursk") || popup.contains("Moscow"),
        "{popup}"
    );
    if popup.contains("Kursk") {
        assert!(
            popup.contains("APPROXIMATE"),
            "approximate said loudly: {popup}"
        );
        assert!(
            popup.contains("</script><script>window.__pwned=2</script>"),
            "{popup}"
        );
    }
    assert_eq!(
        browser.exec("return document.querySelectorAll('img').length"),
        0
    );
    assert_eq!(browser.exec("return typeof window.__pwned"), "undefined");

    // Show all, then the date slider (keyboard): all dates → the first date → the second.
    browser.click("#fm-show-all");
    assert_eq!(browser.counts()["events"], 7);
    assert_eq!(browser.counts()["highlighted"], 0);
    let slider = browser.find("#fm-date");
    browser.call(
        "POST",
        &format!("/element/{slider}/value"),
        json!({"text": "\u{E014}"}),
    );
    let counts = browser.counts();
    assert_eq!(
        (counts["date"].clone(), counts["events"].clone()),
        (json!("2024-08-01"), json!(3)),
        "{counts}"
    );
    browser.call(
        "POST",
        &format!("/element/{slider}/value"),
        json!({"text": "\u{E014}"}),
    );
    assert_eq!(browser.counts()["events"], 2);
    // Occupied area and line of contact: the latest snapshot on or before the date, the latest for undated.
    let snapshot = "const c = window.frontmap.counts; \
         return [c.occupied, c.front, document.querySelectorAll('.leaflet-fm-occupied-pane path').length];";
    assert_eq!(
        browser.exec(snapshot),
        json!([1, 1, 2]),
        "2024-08-02: the 07-27 snapshot"
    );
    browser.exec("window.frontmap.setDate('undated')");
    assert_eq!(browser.counts()["events"], 2);
    assert_eq!(
        browser.exec(snapshot),
        json!([1, 1, 2]),
        "undated: the latest snapshot"
    );
    browser.exec("window.frontmap.setDate('2024-07-01')");
    assert_eq!(
        browser.exec(snapshot),
        json!([0, 0, 0]),
        "before every snapshot: none"
    );

    // Colour by date, and the toggles.
    browser.click("#fm-colour-date");
    assert_eq!(browser.exec("return window.frontmap.state.colour"), "date");
    browser.click("#fm-toggle-events");
    assert_eq!(browser.counts()["drawn"], 0);
    browser.click("#fm-toggle-directions");
    assert_eq!(browser.counts()["directions"], 0);

    assert_eq!(browser.exec("return window.frontmap.errors"), json!([]));
    let errors = browser.console_errors();
    assert!(errors.is_empty(), "console errors: {errors:?}");
}

#[test]
fn browser_loads_served_odd_and_empty_runs() {
    let Some(browser) = Browser::start("browser_loads_served_odd_and_empty_runs") else {
        return;
    };
    let (dir, _index) = written(Some(FIXTURE));
    browser.open(&served(dir.path()));
    assert_eq!(browser.counts()["drawn"], 7);

    // Ids that are also names of JavaScript object properties are just ids.
    let odd = tempfile::tempdir().expect("tempdir");
    let feature = |article: &str, lon: f64| {
        json!({"type": "Feature", "geometry": {"type": "Point", "coordinates": [lon, 48.5]},
               "properties": {"article": article, "title": article, "place_id": "toString", "kind": "constructor",
                              "date": "2024-08-01"}})
    };
    let events = json!({"type": "FeatureCollection", "features":
        [feature("__proto__", 37.0), feature("__proto__", 37.1), feature("constructor", 37.2)]});
    std::fs::write(odd.path().join("events.geojson"), events.to_string()).expect("write");
    std::fs::write(
        odd.path().join("coverage.json"),
        r#"{"__proto__": ["hasOwnProperty"]}"#,
    )
    .expect("write");
    let index = frontmap::web::write_index(odd.path()).expect("write_index");
    browser.open(&file_url(&index));
    assert_eq!(
        browser.exec("return document.querySelectorAll('.fm-article').length"),
        2
    );
    browser.click("[data-article=\"__proto__\"]");
    assert_eq!(browser.counts()["drawn"], 2);
    browser.click("[data-article=\"constructor\"]");
    assert_eq!(browser.counts()["drawn"], 1);
    browser.exec("window.frontmap.setDate('2024-08-01')");
    assert_eq!(browser.counts()["drawn"], 1);
    assert_eq!(browser.exec("return window.frontmap.errors"), json!([]));

    let (_empty, index) = written(None);
    browser.open(&file_url(&index));
    let counts = browser.counts();
    assert_eq!(
        (counts["events"].clone(), counts["areas"].clone()),
        (json!(0), json!(0)),
        "{counts}"
    );
    assert_eq!(browser.exec("return window.frontmap.errors"), json!([]));
    let errors = browser.console_errors();
    assert!(errors.is_empty(), "console errors: {errors:?}");
}

#[test]
fn browser_opens_a_big_run() {
    let Some(browser) = Browser::start("browser_opens_a_big_run") else {
        return;
    };
    let dir = big_run(10_000);
    let index = frontmap::web::write_index(dir.path()).expect("write_index");
    browser.open(&file_url(&index));
    let shown = browser.exec("return window.frontmap.counts.totalEvents");
    let shown = shown.as_u64().expect("count");
    assert!(shown > 19_000 && shown <= 20_000, "{shown}");
    assert_eq!(browser.counts()["events"], shown);
    let summary = browser.exec("return document.getElementById('fm-summary').textContent");
    assert!(
        summary
            .as_str()
            .is_some_and(|s| s.contains("most recent of 10,000 articles")),
        "{summary}"
    );
    browser.exec("window.frontmap.setDate('2024-09-30')");
    assert!(browser.counts()["events"].as_u64().is_some_and(|n| n > 0));
    assert_eq!(browser.exec("return window.frontmap.errors"), json!([]));
    let errors = browser.console_errors();
    assert!(errors.is_empty(), "console errors: {errors:?}");
}
