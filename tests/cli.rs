//! The binary end to end: the committed sample output, the seed evaluation, streaming `tag`,
//! exit codes.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

fn frontmap() -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_frontmap"));
    c.current_dir(env!("CARGO_MANIFEST_DIR"));
    c
}

fn files_under(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(&d).unwrap() {
            let p = e.unwrap().path();
            if p.is_dir() {
                stack.push(p);
            } else {
                out.push(p.strip_prefix(dir).unwrap().to_path_buf());
            }
        }
    }
    out.sort();
    out
}

/// output/ is exactly what the README's main command writes on examples/.
#[test]
fn committed_output_is_what_the_readme_command_writes() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("output");
    let status = frontmap()
        .args(["map", "examples/", "--quiet", "--out"])
        .arg(&out)
        .status()
        .unwrap();
    assert!(status.success());
    let committed = Path::new(env!("CARGO_MANIFEST_DIR")).join("output");
    let (a, b) = (files_under(&committed), files_under(&out));
    assert_eq!(a, b, "output/ lists other files than a fresh run writes");
    assert!(a.len() > 10, "too few files: {a:?}");
    for f in &a {
        let want = std::fs::read(committed.join(f)).unwrap();
        let got = std::fs::read(out.join(f)).unwrap();
        assert!(want == got, "{} differs from a fresh run: regenerate with `cargo run --release -- map examples/ --out output/` and review the diff", f.display());
    }
}

/// Every file, not only mentions.jsonl: the layers are written by one thread in input order,
/// whatever the number of workers.
#[test]
fn same_input_same_bytes_whatever_the_thread_count() {
    let tmp = tempfile::tempdir().unwrap();
    let corpus = tmp.path().join("corpus.jsonl");
    std::fs::write(&corpus, small_articles(600)).unwrap();
    let run = |threads: &str, name: &str| -> PathBuf {
        let out = tmp.path().join(name);
        let ok = frontmap()
            .args(["map", "examples/", "--quiet", "--threads", threads, "--out"])
            .arg(&out)
            .arg(&corpus)
            .status()
            .unwrap()
            .success();
        assert!(ok);
        out
    };
    let (one, two) = (run("1", "one"), run("2", "two"));
    let files = files_under(&one);
    assert_eq!(files, files_under(&two));
    assert!(files.len() > 600, "{} files", files.len());
    for f in &files {
        let (a, b) = (
            std::fs::read(one.join(f)).unwrap(),
            std::fs::read(two.join(f)).unwrap(),
        );
        assert!(a == b, "{} differs between --threads 1 and 2", f.display());
    }
}

/// JSON Lines of `n` short articles (each naming two or three places, dated over 40 days),
/// made up here: enough of them to exercise the streaming and the page's bound.
fn small_articles(n: usize) -> String {
    let sentences = [
        "Shelling hit Kupiansk and Izium overnight.",
        "Russian troops advanced near Pokrovsk and Myrnohrad, officials in Kyiv said.",
        "Drones struck Kharkiv; air defence worked over Sumy.",
        "Fighting continued around Chasiv Yar and Toretsk.",
        "Ukrainian forces held positions near Robotyne in Zaporizhzhia Oblast.",
    ];
    let mut out = String::new();
    for i in 0..n {
        let text = format!(
            "{} {}",
            sentences[i % sentences.len()],
            sentences[(i / 5 + 2) % sentences.len()]
        );
        let line = serde_json::json!({
            "id": format!("s{i}"),
            "title": format!("Report {i}"),
            "date": format!("2024-09-{:02}", 1 + i % 30),
            "text": text,
        });
        out.push_str(&line.to_string());
        out.push('\n');
    }
    out
}

/// A rerun into the same folder replaces its files whole, removes the previous run's files it
/// did not write again, and leaves the user's files and no temporary file.
#[test]
fn rerun_replaces_files_and_removes_only_its_stale_ones() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("out");
    let corpus = tmp.path().join("corpus.jsonl");
    std::fs::write(&corpus, small_articles(40)).unwrap();
    let map = |inputs: &[&Path]| {
        let ok = frontmap()
            .args(["map", "--quiet", "--out"])
            .arg(&out)
            .args(inputs)
            .status()
            .unwrap()
            .success();
        assert!(ok);
    };
    map(&[&corpus]);
    assert!(out.join("articles/s39.geojson").exists());
    std::fs::write(out.join("notes.txt"), "mine").unwrap();
    std::fs::write(out.join("articles/mine.geojson"), "mine").unwrap();
    let before = std::fs::read(out.join("events.geojson")).unwrap();

    std::fs::write(&corpus, small_articles(10)).unwrap();
    map(&[&corpus]);
    let files = files_under(&out);
    let names: Vec<String> = files.iter().map(|f| f.display().to_string()).collect();
    assert!(
        !names.iter().any(|n| n == "articles/s39.geojson"),
        "stale file kept"
    );
    assert!(names.iter().any(|n| n == "articles/s9.geojson"));
    assert!(
        names.iter().any(|n| n == "notes.txt")
            && names.iter().any(|n| n == "articles/mine.geojson")
    );
    assert!(
        !names.iter().any(|n| n.contains(".frontmap-")),
        "temporary files left: {names:?}"
    );
    assert!(!out.join(".frontmap-staging").exists());
    let after = std::fs::read(out.join("events.geojson")).unwrap();
    assert!(after.len() < before.len() && after.ends_with(b"\n]}\n"));
    // The manifest lists exactly what this run wrote.
    let manifest: serde_json::Value =
        serde_json::from_slice(&std::fs::read(out.join("manifest.json")).unwrap()).unwrap();
    let listed: Vec<&str> = manifest["files"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f.as_str().unwrap())
        .collect();
    let mut ours: Vec<&str> = names
        .iter()
        .map(String::as_str)
        .filter(|n| !["notes.txt", "articles/mine.geojson", "index.html"].contains(n))
        .collect();
    ours.sort();
    assert_eq!(listed, ours);
}

/// `--layers` keeps some of the three feature layers: a rerun with fewer removes the ones it
/// no longer writes (and nothing of the user's), the manifest records the choice, and the
/// layers written are the same bytes as in a full run.
#[test]
fn layers_option_writes_only_the_feature_layers_asked_for() {
    let tmp = tempfile::tempdir().unwrap();
    let corpus = tmp.path().join("corpus.jsonl");
    std::fs::write(&corpus, small_articles(12)).unwrap();
    let map = |out: &Path, layers: Option<&str>| {
        let mut c = frontmap();
        c.args(["map", "--quiet", "--out"]).arg(out).arg(&corpus);
        if let Some(l) = layers {
            c.args(["--layers", l]);
        }
        let o = c.output().unwrap();
        assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
        files_under(out)
            .iter()
            .map(|f| f.display().to_string())
            .collect::<Vec<_>>()
    };
    let full_out = tmp.path().join("full");
    let full = map(&full_out, None);
    let out = tmp.path().join("out");
    map(&out, None);
    std::fs::write(out.join("articles/mine.geojson"), "mine").unwrap();

    let names = map(&out, Some("events"));
    assert!(names.iter().any(|n| n == "events.geojson"));
    assert!(
        !names.iter().any(|n| n.starts_with("dates/")
            || (n.starts_with("articles/") && n != "articles/mine.geojson")),
        "{names:?}"
    );
    assert!(names.iter().any(|n| n == "articles/mine.geojson"));
    let manifest: serde_json::Value =
        serde_json::from_slice(&std::fs::read(out.join("manifest.json")).unwrap()).unwrap();
    assert_eq!(
        manifest["options"]["feature_layers"],
        serde_json::json!(["events"])
    );
    for same in [
        "events.geojson",
        "mentions.jsonl",
        "coverage.csv",
        "clusters.geojson",
    ] {
        assert_eq!(
            std::fs::read(out.join(same)).unwrap(),
            std::fs::read(full_out.join(same)).unwrap(),
            "{same}"
        );
    }

    let names = map(&out, Some("dates,articles"));
    assert!(!names.iter().any(|n| n == "events.geojson"), "{names:?}");
    let per_file = |names: &[String], dir: &str| {
        names
            .iter()
            .filter(|n| n.starts_with(dir) && !n.ends_with("mine.geojson"))
            .count()
    };
    assert_eq!(per_file(&names, "dates/"), per_file(&full, "dates/"));
    assert_eq!(per_file(&names, "articles/"), 12);
    let manifest: serde_json::Value =
        serde_json::from_slice(&std::fs::read(out.join("manifest.json")).unwrap()).unwrap();
    assert!(manifest["files"]
        .as_array()
        .unwrap()
        .iter()
        .all(|f| f != "events.geojson"));

    let bad = frontmap()
        .args(["map", "--quiet", "--layers", "events,pages", "--out"])
        .arg(&out)
        .arg(&corpus)
        .output()
        .unwrap();
    assert_eq!(bad.status.code(), Some(2));
    assert!(
        String::from_utf8_lossy(&bad.stderr).contains("possible values: events, dates, articles")
    );
}

/// 12,000 articles: every layer is valid GeoJSON with the manifest's counts, and the page stays
/// small (it shows the most recent articles and says so).
#[test]
fn a_big_run_gives_valid_layers_and_a_bounded_page() {
    let tmp = tempfile::tempdir().unwrap();
    let corpus = tmp.path().join("corpus.jsonl");
    std::fs::write(&corpus, small_articles(12_000)).unwrap();
    let out = tmp.path().join("out");
    let res = frontmap()
        .args(["map", "--quiet", "--out"])
        .arg(&out)
        .arg(&corpus)
        .output()
        .unwrap();
    assert!(
        res.status.success(),
        "{}",
        String::from_utf8_lossy(&res.stderr)
    );
    let manifest: serde_json::Value =
        serde_json::from_slice(&std::fs::read(out.join("manifest.json")).unwrap()).unwrap();
    let features = manifest["counts"]["features"].as_u64().unwrap();
    assert_eq!(manifest["counts"]["articles"], 12_000);
    assert!(features > 30_000, "{features} features");

    let collection = |path: &Path| -> Vec<serde_json::Value> {
        let v: serde_json::Value = serde_json::from_slice(&std::fs::read(path).unwrap())
            .unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        assert_eq!(v["type"], "FeatureCollection", "{}", path.display());
        v["features"].as_array().unwrap().clone()
    };
    let events = collection(&out.join("events.geojson"));
    assert_eq!(events.len() as u64, features);
    for f in &events {
        let p = &f["properties"];
        assert_eq!(f["geometry"]["type"], "Point");
        // Settlements are clustered; oblasts and countries are not.
        let clustered = p["cluster"].as_str().unwrap().starts_with("c:");
        assert_eq!(clustered, p["kind"] == "populated_place", "{p}");
    }
    let in_dates: usize = std::fs::read_dir(out.join("dates"))
        .unwrap()
        .map(|e| collection(&e.unwrap().path()).len())
        .sum();
    assert_eq!(in_dates as u64, features, "dates/ holds every feature once");
    let last = events
        .iter()
        .filter(|f| f["properties"]["article"] == "s11999")
        .count();
    assert!(last > 0);
    assert_eq!(collection(&out.join("articles/s11999.geojson")).len(), last);
    let mentions = std::fs::read_to_string(out.join("mentions.jsonl")).unwrap();
    assert_eq!(
        mentions.lines().count() as u64,
        manifest["counts"]["events"].as_u64().unwrap()
    );

    let page = std::fs::metadata(out.join("index.html")).unwrap().len();
    assert!(page < 25_000_000, "index.html is {page} bytes");
    let html = std::fs::read_to_string(out.join("index.html")).unwrap();
    assert!(
        html.contains("most recent of 12,000 articles"),
        "no note on the page"
    );

    let ogrinfo = Command::new("ogrinfo").arg("--version").output();
    if ogrinfo.as_ref().is_ok_and(|o| o.status.success()) {
        for layer in [
            "events.geojson",
            "dates/2024-09-30.geojson",
            "articles/s0.geojson",
        ] {
            let res = Command::new("ogrinfo")
                .args(["-al", "-so"])
                .arg(out.join(layer))
                .output()
                .unwrap();
            let text = String::from_utf8_lossy(&res.stdout).to_string()
                + &String::from_utf8_lossy(&res.stderr);
            assert!(
                res.status.success() && !text.contains("Warning") && !text.contains("ERROR"),
                "{layer}: {text}"
            );
        }
    } else if std::env::var_os("CI").is_some() {
        panic!("ogrinfo (GDAL) is required when CI is set: apt-get install gdal-bin");
    } else {
        eprintln!(
            "\n*** SKIPPED ogrinfo on the big run: ogrinfo not found (install gdal-bin) ***\n"
        );
    }
}

#[test]
fn map_on_the_seed_articles_writes_one_layer_per_article_and_scores_well() {
    let seeds = Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/eval/seeds");
    if !seeds.is_dir() {
        eprintln!("\n*** SKIPPED: ../shared/eval/seeds is absent ***\n");
        return;
    }
    let tmp = tempfile::tempdir().unwrap();
    let ok = frontmap()
        .args(["map", "--quiet", "--out"])
        .arg(tmp.path())
        .arg(&seeds)
        .status()
        .unwrap()
        .success();
    assert!(ok);
    let n_txt = std::fs::read_dir(&seeds)
        .unwrap()
        .filter(|e| {
            e.as_ref()
                .unwrap()
                .path()
                .extension()
                .is_some_and(|x| x == "txt")
        })
        .count();
    let n_layers = std::fs::read_dir(tmp.path().join("articles"))
        .unwrap()
        .count();
    assert_eq!(n_txt, n_layers);
    let out = frontmap()
        .args(["eval", "--json", "../shared/eval/seeds.gold.json"])
        .output()
        .unwrap();
    assert!(out.status.success());
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let f1 = report["f1"].as_f64().unwrap();
    let acc = report["acc_25km"].as_f64().unwrap();
    let kind = report["kind_accuracy"].as_f64().unwrap();
    assert!(
        report["gold_mentions"].as_u64().unwrap() > 0,
        "the evaluation scored nothing"
    );
    assert!(
        f1 >= 0.95 && acc >= 0.95 && kind >= 0.90,
        "seed scores fell: F1 {f1:.3}, acc@25km {acc:.3}, kind {kind:.3}"
    );
}

/// `frontmap tag` with its three streams piped.
fn spawn_tag() -> std::process::Child {
    frontmap()
        .arg("tag")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap()
}

/// A stream that trickles in is answered line by line: each article's line comes out before
/// the next is sent, not when a batch fills or the input ends.
#[test]
fn tag_answers_each_line_as_it_comes() {
    use std::io::{BufRead, Write};
    let mut child = spawn_tag();
    let mut stdin = child.stdin.take().unwrap();
    let (lines, answers) = std::sync::mpsc::channel();
    let stdout = child.stdout.take().unwrap();
    std::thread::spawn(move || {
        for line in std::io::BufReader::new(stdout).lines() {
            if lines.send(line.unwrap()).is_err() {
                return;
            }
        }
    });
    for (id, text) in [
        ("t1", "Missiles hit Kharkiv."),
        ("t2", "Shelling near Izium."),
    ] {
        writeln!(stdin, r#"{{"id": "{id}", "text": "{text}"}}"#).unwrap();
        stdin.flush().unwrap();
        let answer = answers
            .recv_timeout(std::time::Duration::from_secs(60))
            .expect("an answer before the input ends");
        let answer: serde_json::Value = serde_json::from_str(&answer).unwrap();
        assert_eq!(answer["article"], id);
    }
    drop(stdin);
    assert!(child.wait().unwrap().success());
}

#[test]
fn tag_streams_one_line_per_article_and_reports_bad_lines() {
    let mut child = spawn_tag();
    {
        use std::io::Write;
        let stdin = child.stdin.as_mut().unwrap();
        writeln!(
            stdin,
            r#"{{"id": "a1", "text": "Missiles hit Kharkiv and Izium overnight."}}"#
        )
        .unwrap();
        writeln!(stdin, "{{not json").unwrap();
        writeln!(
            stdin,
            r#"{{"id": "a2", "lang": "uk", "text": "Бої під Бахмутом."}}"#
        )
        .unwrap();
    }
    let out = child.wait_with_output().unwrap();
    assert_eq!(
        out.status.code(),
        Some(1),
        "a bad line makes the exit status 1"
    );
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("line 2"), "{stderr}");
    let lines: Vec<serde_json::Value> = String::from_utf8(out.stdout)
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(lines.len(), 2);
    assert_eq!(lines[0]["article"], "a1");
    let names: Vec<&str> = lines[0]["mentions"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["name"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["Kharkiv", "Izium"]);
    assert_eq!(lines[1]["mentions"][0]["name"], "Bakhmut");
}

#[test]
fn lookup_shows_izium_in_kharkiv_oblast() {
    let out = frontmap()
        .args(["gazetteer", "lookup", "Izyum"])
        .output()
        .unwrap();
    assert!(out.status.success());
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        text.lines()
            .any(|l| l.contains("Izium") && l.contains("Kharkiv Oblast")),
        "{text}"
    );
}

#[test]
fn a_failed_input_gives_exit_status_one_and_the_rest_still_gets_output() {
    let tmp = tempfile::tempdir().unwrap();
    let good = tmp.path().join("good.txt");
    std::fs::write(&good, "Shelling in Kupiansk again.").unwrap();
    let empty = tmp.path().join("empty.txt");
    std::fs::write(&empty, "").unwrap();
    let out = tmp.path().join("out");
    let res = frontmap()
        .args(["map", "--quiet", "--out"])
        .arg(&out)
        .arg(&good)
        .arg(&empty)
        .output()
        .unwrap();
    assert_eq!(res.status.code(), Some(1));
    assert!(out.join("articles/good.geojson").exists());
    assert!(String::from_utf8_lossy(&res.stderr).contains("empty.txt"));
}

/// The shipped compiled index must match the shipped TSV files and the current rules, or
/// every start-up silently pays for rebuilding it.
#[test]
fn shipped_compiled_index_is_current() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("gazetteer");
    assert!(
        frontmap::gazetteer::Gazetteer::compiled_index_is_current(&dir).unwrap(),
        "gazetteer/names.* is stale: run `cargo run --release -- gazetteer build --out gazetteer/ ../shared/data` and commit"
    );
}
