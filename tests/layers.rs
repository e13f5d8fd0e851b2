//! Layers end to end: golden files for every layer of a small synthetic run, GDAL reading every
//! layer without a warning, reruns into the same folder, empty layers, clustering independent of
//! the input order, and the shipped `gazetteer/areas.geojson` checked on known places.
//!
//! Regenerate the goldens deliberately with `BLESS=1 cargo test --test layers`, then review the
//! diff of `tests/fixtures/layers/golden/`.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::process::Command;

use frontmap::areas::{self, Areas, Occupied};
use frontmap::cluster::{self, ClusterOptions};
use frontmap::gazetteer::Gazetteer;
use frontmap::ingest::{ArticleMeta, DateSource, Failure};
use frontmap::layers::{self, RunInfo};
use frontmap::resolve::{ArticleResult, Event, Role};
use proptest::prelude::*;

const PLACES_HEADER: &str =
    "id\tkind\tname\tcountry\tadmin1\tadmin2\tlat\tlon\tpopulation\tprecision\tcode\tsource";

/// A small gazetteer with real coordinates.
const PLACES: &[&str] = &[
    "gn:690791\tcountry\tUkraine\tUA\t\t\t49.000000\t32.000000\t44622516\tarea\tUA\tcountries",
    "gn:709717\tadmin1\tDonetsk Oblast\tUA\tUA.05\t\t48.000000\t37.800000\t4100000\tarea\tUA-14\tgeonames",
    "gn:706483\tadmin1\tKharkiv Oblast\tUA\tUA.07\t\t49.500000\t36.500000\t2700000\tarea\tUA-63\tgeonames",
    "gn:704422\tpopulated_place\tPokrovsk\tUA\tUA.05\t\t48.280140\t37.177060\t60127\texact\t\tgeonames",
    "gn:710035\tpopulated_place\tMyrnohrad\tUA\tUA.05\t\t48.309900\t37.265130\t46960\texact\t\tgeonames",
    "gn:713122\tpopulated_place\tAvdiivka\tUA\tUA.05\t\t48.140190\t37.750080\t35000\texact\t\tgeonames",
    "gn:706482\tpopulated_place\tKharkiv\tUA\tUA.07\t\t49.980810\t36.252720\t1430885\texact\t\tgeonames",
    "osm:node/337676450\tpopulated_place\tRobotyne\tUA\tUA.26\t\t47.443080\t35.826070\t0\tapproximate\t\tosm",
    "gn:2017824\tpopulated_place\tPokrovsk\tRU\tRU.63\t\t61.484440\t129.148150\t9495\texact\t\tgeonames",
    "fm:azovstal\tlandmark\tAzovstal\tUA\tUA.05\t\t47.098000\t37.600000\t0\texact\t\toverlay",
];

fn gazetteer(places: &[&str]) -> Gazetteer {
    let text = format!("{PLACES_HEADER}\n{}\n", places.join("\n"));
    Gazetteer::from_tsv(
        &text,
        Path::new("places.tsv"),
        "place_id\tname\tlang\torigin\n",
        Path::new("names.tsv"),
    )
    .expect("test gazetteer parses")
}

fn event(gaz: &Gazetteer, place: &str, start: usize, surface: &str) -> Event {
    Event {
        start,
        end: start + surface.chars().count(),
        surface: surface.into(),
        place: gaz.index_of_id(place).expect("place in test gazetteer"),
        rule: "only_candidate",
        confidence: 1.0,
        candidates: 1,
        cue: None,
        role: Role::Location,
        snippet: format!("… near {surface} …"),
    }
}

fn meta(id: &str, title: Option<&str>, date: Option<&str>) -> ArticleMeta {
    let date = date.map(|d| d.parse().expect("date"));
    ArticleMeta {
        id: id.into(),
        source: format!("in/{id}.txt"),
        title: title.map(str::to_string),
        published: date,
        date,
        date_source: if date.is_some() {
            DateSource::Metadata
        } else {
            DateSource::None
        },
        lang: Some("en".into()),
    }
}

/// Four articles: a dated front report, a dated report on Kharkiv (title with a comma and
/// quotes), an undated one with an approximate point and a far homonym, and one without events.
fn results(gaz: &Gazetteer) -> Vec<ArticleResult> {
    let mut donetsk = event(gaz, "gn:709717", 40, "Donetsk Oblast");
    donetsk.cue = Some("oblast".into());
    donetsk.rule = "cue";
    let mut ukraine = event(gaz, "gn:690791", 0, "Ukraine");
    ukraine.role = Role::Actor;
    let mut myrnohrad = event(gaz, "gn:710035", 80, "Myrnohrad");
    myrnohrad.confidence = 0.734;
    myrnohrad.candidates = 2;
    myrnohrad.rule = "proximity";
    let mut pokrovsk2 = event(gaz, "gn:704422", 120, "Покровськ");
    pokrovsk2.confidence = 0.9;
    vec![
        ArticleResult {
            meta: meta("a1", Some("Fighting near Pokrovsk"), Some("2024-08-10")),
            events: vec![
                ukraine,
                event(gaz, "gn:704422", 20, "Pokrovsk"),
                donetsk,
                myrnohrad,
                pokrovsk2,
                event(gaz, "gn:713122", 150, "Avdiivka"),
                event(gaz, "fm:azovstal", 170, "Azovstal"),
            ],
        },
        ArticleResult {
            meta: meta(
                "a2",
                Some("Strikes on Kharkiv, \"again\""),
                Some("2024-08-12"),
            ),
            events: vec![
                event(gaz, "gn:706482", 0, "Kharkiv"),
                event(gaz, "gn:706483", 30, "Kharkiv Oblast"),
                event(gaz, "gn:704422", 60, "Pokrovsk"),
            ],
        },
        ArticleResult {
            meta: meta("a3", None, None),
            events: vec![
                event(gaz, "osm:node/337676450", 5, "Robotyne"),
                event(gaz, "gn:2017824", 50, "Pokrovsk"),
            ],
        },
        ArticleResult {
            meta: meta("a4", Some("Nothing to map"), Some("2024-08-10")),
            events: vec![],
        },
    ]
}

/// Boxes for three oblasts and one direction; not the real shapes.
const AREAS: &str = r#"{"type":"FeatureCollection","features":[
{"type":"Feature","properties":{"id":"UA-14","name":"Donetsk Oblast","type":"oblast","country":"UA","admin1":"UA.05"},"geometry":{"type":"Polygon","coordinates":[[[36.5,47.0],[39.0,47.0],[39.0,49.2],[36.5,49.2],[36.5,47.0]]]}},
{"type":"Feature","properties":{"id":"UA-23","name":"Zaporizhzhia Oblast","type":"oblast","country":"UA","admin1":"UA.26"},"geometry":{"type":"Polygon","coordinates":[[[34.5,46.5],[36.5,46.5],[36.5,48.0],[34.5,48.0],[34.5,46.5]]]}},
{"type":"Feature","properties":{"id":"UA-63","name":"Kharkiv Oblast","type":"oblast","country":"UA","admin1":"UA.07"},"geometry":{"type":"Polygon","coordinates":[[[34.5,49.2],[38.6,49.2],[38.6,50.5],[34.5,50.5],[34.5,49.2]]]}},
{"type":"Feature","properties":{"id":"dir:pokrovsk","name":"Pokrovsk direction","type":"direction","country":"UA"},"geometry":{"type":"Polygon","coordinates":[[[37.0,48.1],[37.8,48.1],[37.8,48.4],[37.0,48.4],[37.0,48.1]]]}}
]}"#;

/// Two snapshots drawn by hand: on 2024-08-01 the occupied box reaches 37.6 E, a week later 37.5 E.
const OCCUPIED: &str = r#"{"type":"FeatureCollection","features":[
{"type":"Feature","properties":{"date":"2024-08-01"},"geometry":{"type":"Polygon","coordinates":[[[37.6,47.0],[39.0,47.0],[39.0,48.6],[37.6,48.6],[37.6,47.0]]]}},
{"type":"Feature","properties":{"date":"2024-08-08"},"geometry":{"type":"MultiPolygon","coordinates":[[[[37.5,47.0],[39.0,47.0],[39.0,48.6],[37.5,48.6],[37.5,47.0]]]]}}
]}"#;

fn run_info() -> RunInfo {
    RunInfo {
        inputs: vec!["in/".into()],
        radius_km: 25.0,
        areas_file: "areas.geojson".into(),
        occupied_file: Some("occupied.geojson".into()),
        gazetteer_dir: "gazetteer".into(),
        gazetteer_version: "test".into(),
        failures: vec![Failure::error("in/broken.txt", None, "not valid UTF-8")],
        frontmap_version: "test".into(),
        feature_layers: Default::default(),
    }
}

/// Runs the whole downstream pipeline on the synthetic results into `out`.
fn write_synthetic(out: &Path) -> layers::Written {
    let gaz = gazetteer(PLACES);
    let results = results(&gaz);
    let areas = Areas::from_geojson_str(AREAS, Path::new("areas.geojson")).expect("areas parse");
    let occupied = Occupied::from_geojson_str(OCCUPIED, Path::new("occupied.geojson"))
        .expect("occupied parses");
    let clusters = cluster::cluster(&gaz, &results, &ClusterOptions { radius_km: 25.0 });
    let coverage = areas::cover(&gaz, &areas, Some(&occupied), &results);
    layers::write(out, &gaz, &results, &clusters, &coverage, &run_info()).expect("layers written")
}

/// Every file under `dir`, relative with `/`, sorted.
fn files_under(dir: &Path) -> Vec<String> {
    fn walk(base: &Path, dir: &Path, out: &mut Vec<String>) {
        let Ok(rd) = std::fs::read_dir(dir) else {
            return;
        };
        for e in rd.flatten() {
            let p = e.path();
            if p.is_dir() {
                walk(base, &p, out);
            } else if let Ok(rel) = p.strip_prefix(base) {
                out.push(rel.to_string_lossy().replace('\\', "/"));
            }
        }
    }
    let mut out = Vec::new();
    walk(dir, dir, &mut out);
    out.sort();
    out
}

fn golden_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/layers/golden")
}

#[test]
fn every_layer_matches_its_golden_file() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let written = write_synthetic(tmp.path());
    let produced = files_under(tmp.path());
    assert_eq!(
        produced, written.files,
        "the files on disk are the files reported"
    );
    assert!(written.removed.is_empty());
    let golden = golden_dir();
    if std::env::var_os("BLESS").is_some() {
        let _ = std::fs::remove_dir_all(&golden);
        for f in &produced {
            let to = golden.join(f);
            std::fs::create_dir_all(to.parent().expect("has parent")).expect("mkdir golden");
            std::fs::copy(tmp.path().join(f), &to).expect("copy golden");
        }
        eprintln!(
            "BLESS: wrote {} golden files to {}",
            produced.len(),
            golden.display()
        );
        return;
    }
    let expected = files_under(&golden);
    assert!(
        !expected.is_empty(),
        "no golden files in {}: run with BLESS=1 once",
        golden.display()
    );
    assert_eq!(
        produced, expected,
        "file list differs from the goldens (BLESS=1 to regenerate)"
    );
    for f in &produced {
        let got = std::fs::read_to_string(tmp.path().join(f)).expect("read output");
        let want = std::fs::read_to_string(golden.join(f)).expect("read golden");
        assert!(got == want, "{f} differs from its golden file (BLESS=1 to regenerate):\n--- got\n{got}\n--- want\n{want}");
    }
}

#[test]
fn output_is_deterministic_and_well_formed() {
    let (a, b) = (
        tempfile::tempdir().expect("tempdir"),
        tempfile::tempdir().expect("tempdir"),
    );
    let wa = write_synthetic(a.path());
    write_synthetic(b.path());
    for f in &wa.files {
        let (x, y) = (
            std::fs::read(a.path().join(f)).unwrap(),
            std::fs::read(b.path().join(f)).unwrap(),
        );
        assert!(x == y, "{f}: two runs differ");
        let text = String::from_utf8(x).expect("utf-8");
        if f.ends_with(".geojson") {
            check_feature_collection(f, &text);
        }
        if f.ends_with(".jsonl") {
            for line in text.lines() {
                serde_json::from_str::<serde_json::Value>(line)
                    .unwrap_or_else(|e| panic!("{f}: {e}: {line}"));
            }
        }
    }
    // The events of a place in an article are merged, and properties say what the brief says.
    let events: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(a.path().join("events.geojson")).unwrap())
            .unwrap();
    let features = events["features"].as_array().unwrap();
    let pokrovsk = features
        .iter()
        .find(|f| f["properties"]["article"] == "a1" && f["properties"]["place_id"] == "gn:704422")
        .expect("Pokrovsk in a1");
    let p = &pokrovsk["properties"];
    assert_eq!(p["mentions"], 2);
    assert_eq!(p["surfaces"], "Pokrovsk|Покровськ");
    assert_eq!(p["first_offset"], 20);
    assert_eq!(p["confidence"], 1.0);
    assert_eq!(p["admin1"], "Donetsk Oblast");
    assert_eq!(p["occupied"], "no");
    assert_eq!(p["areas"], "UA-14|dir:pokrovsk");
    assert_eq!(p["front"], "dir:pokrovsk");
    assert_eq!(p["cluster"], "c:gn:704422");
    // 2024-08-10 uses the 2024-08-08 snapshot: the line of contact is at 37.5 E.
    let d = p["front_distance_km"].as_f64().unwrap();
    assert!((d - 23.9).abs() < 0.2, "{d}");
    assert_eq!(
        pokrovsk["geometry"]["coordinates"],
        serde_json::json!([37.17706, 48.28014])
    );
    let avdiivka = features
        .iter()
        .find(|f| f["properties"]["place_id"] == "gn:713122")
        .unwrap();
    assert_eq!(avdiivka["properties"]["occupied"], "yes");
    let robotyne = features
        .iter()
        .find(|f| f["properties"]["place_id"] == "osm:node/337676450")
        .unwrap();
    assert_eq!(robotyne["properties"]["occupied"], "", "undated: unknown");
    assert_eq!(robotyne["properties"]["front_distance_km"], -1.0);
    assert_eq!(robotyne["properties"]["geo_precision"], 2);
    assert_eq!(robotyne["properties"]["date"], serde_json::Value::Null);
}

/// A FeatureCollection whose features all have the same keys in the same order with the same
/// JSON type per key (null allowed for dates), [lon, lat] in range with at most 6 decimals.
fn check_feature_collection(name: &str, text: &str) {
    let v: serde_json::Value = serde_json::from_str(text).unwrap_or_else(|e| panic!("{name}: {e}"));
    assert_eq!(v["type"], "FeatureCollection", "{name}");
    assert!(v.get("crs").is_none(), "{name}: no crs member (RFC 7946)");
    let features = v["features"]
        .as_array()
        .unwrap_or_else(|| panic!("{name}: features"));
    let mut schema: Option<Vec<(String, &'static str)>> = None;
    for f in features {
        assert_eq!(f["type"], "Feature", "{name}");
        let props = f["properties"]
            .as_object()
            .unwrap_or_else(|| panic!("{name}: properties"));
        let this: Vec<(String, &'static str)> = props
            .iter()
            .map(|(k, v)| {
                let t = match v {
                    serde_json::Value::Null => "null",
                    serde_json::Value::Bool(_) => "bool",
                    serde_json::Value::Number(n) if n.is_f64() => "real",
                    serde_json::Value::Number(_) => "integer",
                    serde_json::Value::String(_) => "string",
                    _ => "other",
                };
                (k.clone(), t)
            })
            .collect();
        match &schema {
            None => schema = Some(this),
            Some(s) => {
                assert_eq!(s.len(), this.len(), "{name}: keys differ between features");
                for ((k1, t1), (k2, t2)) in s.iter().zip(&this) {
                    assert_eq!(k1, k2, "{name}: key order differs");
                    let date = k1.contains("date") || k1 == "published";
                    assert!(
                        t1 == t2 || (date && (*t1 == "null" || *t2 == "null")),
                        "{name}: {k1} is {t1} and {t2}"
                    );
                }
            }
        }
        check_positions(name, &f["geometry"]["coordinates"]);
    }
}

fn check_positions(name: &str, v: &serde_json::Value) {
    let arr = v
        .as_array()
        .unwrap_or_else(|| panic!("{name}: coordinates"));
    if arr.first().is_some_and(|x| x.is_number()) {
        let (lon, lat) = (arr[0].as_f64().unwrap(), arr[1].as_f64().unwrap());
        assert!(
            (-180.0..=180.0).contains(&lon) && (-90.0..=90.0).contains(&lat),
            "{name}: [{lon}, {lat}]"
        );
        for x in [lon, lat] {
            assert!(
                ((x * 1e6).round() / 1e6 - x).abs() < 1e-12,
                "{name}: {x} has more than 6 decimals"
            );
        }
    } else {
        for a in arr {
            check_positions(name, a);
        }
    }
}

/// `ogrinfo -al -so` on every layer must print no warning or error. Required when `CI` is set.
#[test]
fn gdal_reads_every_layer_without_warnings() {
    let ogrinfo = Command::new("ogrinfo").arg("--version").output();
    if !ogrinfo.as_ref().is_ok_and(|o| o.status.success()) {
        if std::env::var_os("CI").is_some() {
            panic!("ogrinfo (GDAL) is required when CI is set: apt-get install gdal-bin");
        }
        eprintln!("\n!!!!!!!! SKIPPED gdal_reads_every_layer_without_warnings: ogrinfo not found (install gdal-bin) !!!!!!!!\n");
        return;
    }
    let full = tempfile::tempdir().expect("tempdir");
    let written = write_synthetic(full.path());
    let empty = tempfile::tempdir().expect("tempdir");
    let gaz = gazetteer(PLACES);
    let empty_written = layers::write(
        empty.path(),
        &gaz,
        &[],
        &[],
        &areas::Coverage::default(),
        &RunInfo::default(),
    )
    .expect("empty run");
    let mut checked = 0;
    for (dir, files) in [
        (full.path(), &written.files),
        (empty.path(), &empty_written.files),
    ] {
        for f in files
            .iter()
            .filter(|f| f.ends_with(".geojson") || f.ends_with(".csv"))
        {
            let out = Command::new("ogrinfo")
                .args(["-al", "-so"])
                .arg(dir.join(f))
                .output()
                .expect("ogrinfo runs");
            let text = format!(
                "{}{}",
                String::from_utf8_lossy(&out.stdout),
                String::from_utf8_lossy(&out.stderr)
            );
            assert!(out.status.success(), "{f}: ogrinfo failed:\n{text}");
            assert!(
                !text.contains("Warning") && !text.contains("ERROR"),
                "{f}:\n{text}"
            );
            checked += 1;
        }
    }
    // A harness that checked nothing must fail.
    assert!(checked >= 12, "only {checked} layers checked");
    // QGIS's temporal controller needs a Date field.
    let out = Command::new("ogrinfo")
        .args(["-al", "-so"])
        .arg(full.path().join("dates/2024-08-10.geojson"))
        .output()
        .expect("ogrinfo runs");
    assert!(
        String::from_utf8_lossy(&out.stdout).contains("date: Date"),
        "date is not a Date field"
    );
}

#[test]
fn empty_run_writes_valid_empty_layers() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let gaz = gazetteer(PLACES);
    let written = layers::write(
        tmp.path(),
        &gaz,
        &[],
        &[],
        &areas::Coverage::default(),
        &RunInfo::default(),
    )
    .expect("empty run");
    let expected = [
        "areas.geojson",
        "cluster_hulls.geojson",
        "clusters.geojson",
        "coverage.csv",
        "coverage.json",
        "events.geojson",
        "failures.jsonl",
        "front_lines.geojson",
        "manifest.json",
        "mentions.jsonl",
    ];
    assert_eq!(written.files, expected);
    for f in expected.iter().filter(|f| f.ends_with(".geojson")) {
        let text = std::fs::read_to_string(tmp.path().join(f)).unwrap();
        assert_eq!(
            text, "{\"type\":\"FeatureCollection\",\"features\":[]}\n",
            "{f}"
        );
    }
    assert_eq!(
        std::fs::read_to_string(tmp.path().join("mentions.jsonl")).unwrap(),
        ""
    );
}

#[test]
fn rerun_deletes_only_its_own_stale_files() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let out = tmp.path();
    write_synthetic(out);
    // Files the user put there, some with names frontmap could have written.
    std::fs::write(out.join("notes.txt"), "mine").unwrap();
    std::fs::write(out.join("articles/mine.geojson"), "mine").unwrap();

    let gaz = gazetteer(PLACES);
    let mut results = results(&gaz);
    results.truncate(1);
    results[0].meta.date = Some("2024-09-01".parse().unwrap());
    let areas = Areas::from_geojson_str(AREAS, Path::new("areas.geojson")).unwrap();
    let coverage = areas::cover(&gaz, &areas, None, &results);
    let clusters = cluster::cluster(&gaz, &results, &ClusterOptions::default());
    let written = layers::write(
        out,
        &gaz,
        &results,
        &clusters,
        &coverage,
        &RunInfo::default(),
    )
    .unwrap();
    assert_eq!(
        written.removed,
        [
            "articles/a2.geojson",
            "articles/a3.geojson",
            "articles/a4.geojson",
            "dates/2024-08-10.geojson",
            "dates/2024-08-12.geojson",
            "dates/undated.geojson",
        ]
    );
    let mut expected: BTreeSet<String> = written.files.iter().cloned().collect();
    expected.insert("notes.txt".into());
    expected.insert("articles/mine.geojson".into());
    assert_eq!(
        files_under(out).into_iter().collect::<BTreeSet<_>>(),
        expected
    );
    // No temporary file is left behind.
    assert!(files_under(out).iter().all(|f| !f.contains(".frontmap-")));

    // A manifest that is not frontmap's, or lists foreign names, deletes nothing.
    std::fs::write(
        out.join("manifest.json"),
        r#"{"generator":"frontmap","files":["notes.txt","../x","articles/a1.geojson","/etc/hostname"]}"#,
    )
    .unwrap();
    let written = layers::write(
        out,
        &gaz,
        &results,
        &clusters,
        &coverage,
        &RunInfo::default(),
    )
    .unwrap();
    assert!(written.removed.is_empty(), "{:?}", written.removed);
    assert!(out.join("notes.txt").exists());
}

#[test]
fn bad_output_folders_and_ids_are_clear_errors() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let gaz = gazetteer(PLACES);
    let results = results(&gaz);
    let coverage = areas::Coverage::default();
    let file = tmp.path().join("a-file");
    std::fs::write(&file, "x").unwrap();
    let err = layers::write(&file, &gaz, &results, &[], &coverage, &RunInfo::default())
        .unwrap_err()
        .to_string();
    assert!(
        err.contains("a-file") && err.contains("not a folder"),
        "{err}"
    );
    let err = layers::write(
        &file.join("sub"),
        &gaz,
        &results,
        &[],
        &coverage,
        &RunInfo::default(),
    )
    .unwrap_err()
    .to_string();
    assert!(err.contains("a-file/sub"), "{err}");

    for bad in ["../escape", "a/b", "a\\b", "x\0y", "", ".."] {
        let mut rs = results.clone();
        rs[0].meta.id = bad.into();
        let out = tmp.path().join("out");
        let err = layers::write(&out, &gaz, &rs, &[], &coverage, &RunInfo::default())
            .unwrap_err()
            .to_string();
        assert!(err.contains("cannot be a file name"), "{bad:?}: {err}");
        assert!(!tmp.path().join("escape.geojson").exists());
    }
    let mut rs = results.clone();
    rs[1].meta.id = "A1".into();
    let err = layers::write(
        &tmp.path().join("out"),
        &gaz,
        &rs,
        &[],
        &coverage,
        &RunInfo::default(),
    )
    .unwrap_err()
    .to_string();
    assert!(err.contains("'A1' appears twice"), "{err}");
}

/// The shipped areas file: known places fall in the right oblast and direction.
#[test]
fn shipped_areas_cover_known_places() {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("gazetteer/areas.geojson");
    let areas = Areas::load(&path).expect("gazetteer/areas.geojson loads");
    assert_eq!(
        areas.areas().iter().filter(|a| a.kind == "oblast").count(),
        27
    );
    assert_eq!(
        areas.areas().iter().filter(|a| a.kind == "region").count(),
        5
    );
    assert_eq!(
        areas.areas().iter().filter(|a| a.is_direction()).count(),
        14
    );
    // (place, lon, lat, expected area ids in file order)
    let cases: [(&str, f64, f64, &[&str]); 11] = [
        ("Pokrovsk", 37.17706, 48.28014, &["UA-14", "dir:pokrovsk"]),
        ("Kharkiv", 36.25272, 49.98081, &["UA-63"]),
        ("Vovchansk", 36.94108, 50.29078, &["UA-63", "dir:kharkiv"]),
        ("Kupiansk", 37.61581, 49.71003, &["UA-63", "dir:kupiansk"]),
        ("Kyiv", 30.5234, 50.4501, &["UA-30"]),
        ("Bila Tserkva", 30.1122, 49.7968, &["UA-32"]),
        ("Sevastopol", 33.5254, 44.6054, &["UA-40"]),
        ("Simferopol", 34.1024, 44.9521, &["UA-43"]),
        ("Sudzha", 35.271, 51.191, &["RU-KRS", "dir:kursk"]),
        ("Robotyne", 35.82607, 47.44308, &["UA-23", "dir:orikhiv"]),
        ("Lviv", 24.0316, 49.8429, &["UA-46"]),
    ];
    for (name, lon, lat, expected) in cases {
        let got: Vec<&str> = areas
            .areas()
            .iter()
            .filter(|a| a.contains(lon, lat))
            .map(|a| a.id.as_str())
            .collect();
        assert_eq!(got, expected, "{name}");
    }
}

/// `build_areas` reproduces the shipped file byte for byte (needs ../shared beside the repo).
#[test]
fn shipped_areas_are_reproducible() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let ne = root.join("../shared/data/naturalearth_admin1_ua_ru_by_md.geojson.gz");
    if !ne.exists() {
        eprintln!(
            "\n!!!!!!!! SKIPPED shipped_areas_are_reproducible: {} not found !!!!!!!!\n",
            ne.display()
        );
        return;
    }
    let tmp = tempfile::tempdir().expect("tempdir");
    let out = tmp.path().join("areas.geojson");
    areas::build_areas(&ne, &root.join("gazetteer/directions.tsv"), &out).expect("build_areas");
    let built = std::fs::read(&out).unwrap();
    let shipped = std::fs::read(root.join("gazetteer/areas.geojson")).unwrap();
    assert!(
        built == shipped,
        "gazetteer/areas.geojson is not what build_areas makes: rebuild it"
    );
}

fn partition(labels: &[usize], ids: &[usize]) -> BTreeSet<BTreeSet<usize>> {
    let mut groups: std::collections::BTreeMap<usize, BTreeSet<usize>> = Default::default();
    for (l, id) in labels.iter().zip(ids) {
        groups.entry(*l).or_default().insert(*id);
    }
    groups.into_values().collect()
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    /// Shuffling the points never changes which points end up together.
    #[test]
    fn single_linkage_is_independent_of_input_order(
        points in prop::collection::vec((36.0f64..38.0, 47.0f64..49.0), 0..80),
        radius_km in 0.0f64..40.0,
        seed in any::<u64>(),
    ) {
        let ids: Vec<usize> = (0..points.len()).collect();
        let mut shuffled = ids.clone();
        // A seeded Fisher–Yates shuffle keeps the case reproducible from its inputs.
        let mut x = seed | 1;
        for i in (1..shuffled.len()).rev() {
            x ^= x << 13; x ^= x >> 7; x ^= x << 17;
            shuffled.swap(i, (x % (i as u64 + 1)) as usize);
        }
        let reordered: Vec<(f64, f64)> = shuffled.iter().map(|&i| points[i]).collect();
        let a = partition(&cluster::single_linkage(&points, radius_km), &ids);
        let b = partition(&cluster::single_linkage(&reordered, radius_km), &shuffled);
        prop_assert_eq!(a, b);
    }

    /// The same events in another article and event order give the same clusters, ids included.
    #[test]
    fn clusters_are_independent_of_article_and_event_order(
        picks in prop::collection::vec(0usize..10, 1..30),
        seed in any::<u64>(),
    ) {
        let gaz = gazetteer(PLACES);
        let ids: Vec<&str> = PLACES.iter().map(|l| l.split('\t').next().unwrap()).collect();
        let make = |order: &[usize]| -> Vec<ArticleResult> {
            order
                .chunks(3)
                .enumerate()
                .map(|(k, chunk)| ArticleResult {
                    meta: meta(&format!("a{k}"), None, Some(["2024-08-01", "2024-08-05"][k % 2])),
                    events: chunk.iter().map(|&p| event(&gaz, ids[p], 0, "x")).collect(),
                })
                .collect()
        };
        let mut order = picks.clone();
        let mut x = seed | 1;
        for i in (1..order.len()).rev() {
            x ^= x << 13; x ^= x >> 7; x ^= x << 17;
            order.swap(i, (x % (i as u64 + 1)) as usize);
        }
        let summary = |rs: &[ArticleResult]| -> Vec<(String, usize, Vec<String>)> {
            cluster::cluster(&gaz, rs, &ClusterOptions::default())
                .into_iter()
                .map(|c| (c.id, c.event_count, c.places.into_iter().map(|p| p.id).collect()))
                .collect()
        };
        prop_assert_eq!(summary(&make(&picks)), summary(&make(&order)));
    }
}
