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

#[test]
fn same_input_same_bytes_whatever_the_thread_count() {
    let tmp = tempfile::tempdir().unwrap();
    let run = |threads: &str, name: &str| {
        let out = tmp.path().join(name);
        let ok = frontmap()
            .args(["map", "examples/", "--quiet", "--threads", threads, "--out"])
            .arg(&out)
            .status()
            .unwrap()
            .success();
        assert!(ok);
        std::fs::read(out.join("mentions.jsonl")).unwrap()
    };
    assert_eq!(run("1", "one"), run("2", "two"));
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

#[test]
fn tag_streams_one_line_per_article_and_reports_bad_lines() {
    let mut child = frontmap()
        .arg("tag")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
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
