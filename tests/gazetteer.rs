//! The committed gazetteer and its builder.
//!
//! - The coverage checklist: names from war reporting find the right place in `gazetteer/`.
//! - The rebuild: when `../shared/data` exists, building from it (with the committed overlay)
//!   gives the committed files byte for byte.
//! - The builder on small fixtures written here: matching rules, determinism, errors that name
//!   the file and line, and sources given as URLs (served from 127.0.0.1).

use std::io::{BufRead, BufReader, Write};
use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use frontmap::gazetteer::build::build;
use frontmap::gazetteer::{Gazetteer, Kind, Precision};

fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn committed() -> &'static Gazetteer {
    static GAZ: OnceLock<Gazetteer> = OnceLock::new();
    GAZ.get_or_init(|| Gazetteer::load(&repo().join("gazetteer")).expect("gazetteer/ loads"))
}

fn km(lat1: f64, lon1: f64, lat2: f64, lon2: f64) -> f64 {
    let (p1, p2) = (lat1.to_radians(), lat2.to_radians());
    let a = ((p2 - p1) / 2.0).sin().powi(2)
        + p1.cos() * p2.cos() * ((lon2 - lon1).to_radians() / 2.0).sin().powi(2);
    2.0 * 6371.0 * a.sqrt().asin()
}

/// (name in the text, country, admin1 code, lat, lon) of the place the name must be able to mean.
const CHECKLIST: [(&str, &str, &str, f64, f64); 28] = [
    ("Izyum", "UA", "UA.07", 49.207, 37.277),
    ("Izium", "UA", "UA.07", 49.207, 37.277),
    ("Kiev", "UA", "UA.12", 50.455, 30.524),
    ("Kyiv", "UA", "UA.12", 50.455, 30.524),
    ("Kharkov", "UA", "UA.07", 49.981, 36.253),
    ("Kupyansk", "UA", "UA.07", 49.710, 37.616),
    ("Kupiansk", "UA", "UA.07", 49.710, 37.616),
    ("Balakleya", "UA", "UA.07", 49.456, 36.844),
    ("Artemovsk", "UA", "UA.05", 48.594, 37.999),
    ("Krasnoarmeysk", "UA", "UA.05", 48.280, 37.177),
    ("Dzerzhinsk", "UA", "UA.05", 48.395, 37.848),
    ("Slavyansk", "UA", "UA.05", 48.850, 37.597),
    ("Avdeyevka", "UA", "UA.05", 48.140, 37.750),
    ("Ugledar", "UA", "UA.05", 47.780, 37.250),
    ("Chasov Yar", "UA", "UA.05", 48.588, 37.834),
    ("Robotyne", "UA", "UA.26", 47.445, 35.838),
    ("Krynky", "UA", "UA.08", 46.733, 33.081),
    ("Vovchansk", "UA", "UA.07", 50.291, 36.941),
    ("Sudzha", "RU", "RU.41", 51.191, 35.271),
    ("Kursk", "RU", "RU.41", 51.727, 36.185),
    ("Pokrovsk", "UA", "UA.05", 48.280, 37.177),
    ("Pokrovsk", "RU", "RU.63", 61.479, 129.139),
    ("Moskow", "RU", "RU.48", 55.752, 37.618),
    ("Jenewa", "CH", "CH.GE", 46.202, 6.146),
    ("Покровськ", "UA", "UA.05", 48.280, 37.177),
    ("Куп'янськ", "UA", "UA.07", 49.710, 37.616),
    ("Awdijiwka", "UA", "UA.05", 48.140, 37.750),
    ("Novyy Trud", "UA", "UA.05", 48.212, 37.173),
];

#[test]
fn coverage_checklist_finds_the_right_places() {
    let gaz = committed();
    let mut failures = Vec::new();
    for (name, country, admin1, lat, lon) in CHECKLIST {
        let readings = gaz.lookup(name);
        let hit = readings.iter().find(|r| {
            let p = r.place;
            p.kind == Kind::PopulatedPlace
                && p.country == country
                && p.admin1 == admin1
                && km(p.lat, p.lon, lat, lon) < 5.0
        });
        if hit.is_none() {
            let got: Vec<String> = readings
                .iter()
                .map(|r| {
                    format!(
                        "{} {} {} {:.3},{:.3}",
                        r.place.id, r.place.country, r.place.admin1, r.place.lat, r.place.lon
                    )
                })
                .collect();
            failures.push(format!(
                "{name}: want {country} {admin1} near {lat},{lon}; got {got:?}"
            ));
        }
    }
    assert!(
        failures.is_empty(),
        "checklist failures:\n{}",
        failures.join("\n")
    );
}

#[test]
fn robotyne_has_its_own_point_not_the_hromada_centroid() {
    let gaz = committed();
    let r = gaz.lookup("Robotyne");
    let p = r
        .iter()
        .map(|r| r.place)
        .find(|p| p.admin1 == "UA.26")
        .expect("Robotyne in Zaporizhzhia Oblast");
    assert_eq!(p.precision, Precision::Exact);
    assert!(km(p.lat, p.lon, 47.445, 35.838) < 2.0, "{p:?}");
}

#[test]
fn pokrovsk_lists_both_the_donetsk_and_the_yakutian_town() {
    let ids: Vec<String> = committed()
        .lookup("Pokrovsk")
        .iter()
        .map(|r| r.place.id.to_string())
        .collect();
    assert!(ids.contains(&"gn:704422".to_string()), "{ids:?}");
    assert!(ids.contains(&"gn:2017824".to_string()), "{ids:?}");
}

#[test]
fn curated_places_and_names() {
    let gaz = committed();
    // (name, kind, country) that must be among the readings.
    let cases = [
        ("Ukraina", Kind::Country, "UA"),
        ("Rusia", Kind::Country, "RU"),
        ("Rosji", Kind::Country, "RU"),
        ("Amerika Serikat", Kind::Country, "US"),
        ("AS", Kind::Country, "US"),
        ("Korea Utara", Kind::Country, "KP"),
        ("Kharkiv", Kind::Admin1, "UA"),
        ("Kursk", Kind::Admin1, "RU"),
        ("Харківщина", Kind::Admin1, "UA"),
        ("Курщина", Kind::Admin1, "RU"),
        ("Donbas", Kind::Region, "UA"),
        ("Donbass", Kind::Region, "UA"),
        ("Kremlin", Kind::Landmark, "RU"),
        ("Lapangan Merah", Kind::Landmark, "RU"),
        ("Eropa", Kind::Continent, ""),
        ("Berdin", Kind::PopulatedPlace, "RU"),
        ("Pokrovsk Raion", Kind::Admin2, "UA"),
        ("Покровський район", Kind::Admin2, "UA"),
    ];
    for (name, kind, country) in cases {
        let readings = gaz.lookup(name);
        assert!(
            readings
                .iter()
                .any(|r| r.place.kind == kind && r.place.country == country),
            "{name}: no {kind} in {country} among {:?}",
            readings.iter().map(|r| &r.place.id).collect::<Vec<_>>()
        );
    }
    // Two-letter abbreviations need curated evidence: the overlay is their origin.
    let us = gaz.lookup("AS");
    let us = us
        .iter()
        .find(|r| r.place.id == "iso:US")
        .expect("AS is the US");
    assert_eq!(us.origin, "overlay");
    // The oblast's bare name is marked as its short form, so the resolver can weigh it.
    let kh = gaz.lookup("Kharkiv");
    let oblast = kh
        .iter()
        .find(|r| r.place.kind == Kind::Admin1)
        .expect("Kharkiv Oblast");
    assert_eq!(oblast.origin, "derived:short");
}

#[test]
fn no_centroid_is_presented_as_exact() {
    for p in &committed().places {
        if p.source.contains("centroid") {
            assert_eq!(p.precision, Precision::Approximate, "{}", p.id);
        }
        if p.kind.is_area() {
            assert_eq!(p.precision, Precision::Area, "{}", p.id);
        }
    }
}

#[test]
fn rebuild_from_shared_data_gives_the_committed_files() {
    let data = repo().join("../shared/data");
    if !data.is_dir() {
        eprintln!();
        eprintln!("************************************************************************");
        eprintln!(
            "SKIPPED: {} is absent, the gazetteer rebuild was NOT checked",
            data.display()
        );
        eprintln!("************************************************************************");
        return;
    }
    let dir = tempfile::tempdir().expect("temp dir");
    std::fs::copy(
        repo().join("gazetteer/overlay.tsv"),
        dir.path().join("overlay.tsv"),
    )
    .expect("copy overlay");
    let report = build(&[data.display().to_string()], dir.path()).expect("build");
    assert!(report.places > 50_000, "{report}");
    for file in ["places.tsv", "names.tsv"] {
        let built = std::fs::read(dir.path().join(file)).expect("built file");
        let want = std::fs::read(repo().join("gazetteer").join(file)).expect("committed file");
        assert!(
            built == want,
            "{file} differs from the committed one: rebuild with `frontmap gazetteer build --out gazetteer/ ../shared/data` and review the diff"
        );
    }
}

// ---------------------------------------------------------------------------------------------
// The builder on fixtures.

const CITIES500: &str = "\
707292\tIzyum\t\tIsjum,Izium,HRK,Ізюм,Изюм,伊久姆\t49.20697\t37.27679\tP\t\tUA\t\t07\t\t\t\t45884\t\t\tEurope/Kyiv\t
704422\tPokrovsk\t\tKrasnoarmeysk,Красноармейск,Покровськ\t48.28014\t37.17706\tP\t\tUA\t\t05\t\t\t\t60127\t\t\tEurope/Kyiv\t
2017824\tPokrovsk\t\tПокровск\t61.47924\t129.13864\tP\t\tRU\t\t63\t\t\t\t9763\t\t\tAsia/Yakutsk\t
";

const ADMIN: &str = "geonames_code\tgeonameid\tlevel\tname\tiso_3166_2\ttype\taliases
UA.05\t709716\t1\tDonetska oblast\tUA-14\tRegion\tDonetsk|Donetsk Oblast|Донецька Область
UA.07\t706482\t1\tKharkivska oblast\tUA-63\tRegion\tKharkiv|Kharkiv Oblast|Харьковская область
UA.26\t687699\t1\tZaporizka oblast\tUA-23\tRegion\tZaporizhzhia|Zaporizhzhia Oblast|Запорізька область
";

const NATURAL_EARTH: &str = r#"{"type":"FeatureCollection","features":[
{"type":"Feature","geometry":null,"properties":{"iso_3166_2":"UA-63","name":"Kharkiv","name_alt":"Charkow","name_en":"Kharkiv","name_uk":"Харківська область","name_ru":"Харьковская область","name_de":"Charkiw","name_pl":"charkowski","gn_a1_code":"UA.07","latitude":49.4655,"longitude":36.4612}},
{"type":"Feature","geometry":null,"properties":{"iso_3166_2":"UA-14","name":"Donets'k","name_en":"Donetsk","gn_a1_code":"UA.05","latitude":48.145,"longitude":37.7933}},
{"type":"Feature","geometry":null,"properties":{"iso_3166_2":"UA-23","name":"Zaporizhzhya","name_en":"Zaporizhzhia","gn_a1_code":"UA.26","latitude":47.3346,"longitude":35.7123}}
]}"#;

const KATOTTG: &str = "katottg\tocha_pcode\tcategory\tname_uk\tname_en\toblast_pcode\toblast_uk\traion_pcode\traion_uk\traion_en\thromada_pcode\thromada_uk\thromada_en\tlatitude\tlongitude\tcoord_source\tgeonameid
UA63040070010026290\tUA6304007001\tM\tІзюм\tIzium\tUA63\tХарківська\tUA6304\tІзюмський\tIziumskyi\tUA6304007\tІзюмська\tIziumska\t49.20697\t37.27679\tgeonames\t707292
UA23100270150025192\tUA2310027015\tC\tРоботине\tRobotyne\tUA23\tЗапорізька\tUA2310\tПологівський\tPolohivskyi\tUA2310027\tТокмацька\tTokmatska\t47.31596\t35.78449\thromada_centroid\t
UA23100270990000000\tUA2310027099\tC\tНевідоме\tNevidome\tUA23\tЗапорізька\tUA2310\tПологівський\tPolohivskyi\tUA2310027\tТокмацька\tTokmatska\t47.31596\t35.78449\thromada_centroid\t
";

const OCHA: &str =
    "level\tpcode\tparent_pcode\tname_uk\tname_ru\tname_en\tlat_centroid\tlon_centroid
2\tUA6304\tUA63\tІзюмський\tИзюмский\tIziumskyi\t49.25495\t37.10883
3\tUA6304007\tUA6304\tІзюмська\tИзюмская\tIziumska\t49.2\t37.3
3\tUA2310027\tUA2310\tТокмацька\tТокмакская\tTokmatska\t47.316\t35.784
";

const OSM: &str = "osm_type\tosm_id\tplace\tname_en\tname_uk\twikidata\tlatitude\tlongitude\toblast_en\toblast_osm_relation\toblast_iso_ne
node\t1\tvillage\tRobotyne\tРоботине\tQ1\t47.4431\t35.8261\tZaporizhia Oblast\t1\tUA-23
node\t2\tvillage\tRobotyne\tРоботине\tQ2\t46.0\t30.0\tOdesa Oblast\t2\tUA-51
";

const WARREPORT: &str =
    "name\taliases\tplace\twikidata\tregion\trussian_force_group\tusage\tlongitude\tlatitude\tcid
robotyne\trabotino;robotyne\tvillage\tQ1\tzaporizhzhia region\t\t0\t35.8261\t47.4431\t1
";

const COUNTRY_NAMES: &str = "iso2\tlang\tname_type\tname
UA\ten\tofficial\tUkraine
UA\tid\tofficial\tUkraina
RU\ten\tofficial\tRussian Federation
RU\ten\talternative\tRussia
";

const COUNTRY_POINTS: &str = "iso2\tiso3\tlat\tlon
UA\tUKR\t49.1610\t31.2552
RU\tRUS\t61.6611\t99.0708
";

const OVERLAY: &str = "# test overlay
op\tid\tname\tlang\tkind\tcountry\tadmin1\tlat\tlon\tprecision\treason
name\tiso:UA\tUkrain\tid\t\t\t\t\t\t\tmisspelling
place\tfm:donbas\tDonbas|Donbass\t\tregion\tUA\t\t48.3\t38.3\tarea\tregion of war reporting
drop\tgn:707292\tIsjum\t\t\t\t\t\t\t\tnoise for the test
";

fn gz(text: &str) -> Vec<u8> {
    let mut e = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
    e.write_all(text.as_bytes()).expect("gzip");
    e.finish().expect("gzip")
}

/// Writes the fixture sources into `dir` (cities500 optional, for the URL test).
fn write_fixtures(dir: &Path, with_cities: bool) {
    let w =
        |name: &str, bytes: &[u8]| std::fs::write(dir.join(name), bytes).expect("write fixture");
    if with_cities {
        w("cities500_test.txt", CITIES500.as_bytes());
    }
    w("geonames_admin_ua_ru.tsv", ADMIN.as_bytes());
    w(
        "naturalearth_admin1_ua_ru_by_md.geojson.gz",
        &gz(NATURAL_EARTH),
    );
    w("ua_settlements_katottg.tsv.gz", &gz(KATOTTG));
    w("ua_admin_units_ocha_centroids.tsv", OCHA.as_bytes());
    std::fs::create_dir_all(dir.join("extra")).expect("mkdir");
    w("extra/ua_settlements_osm.tsv.gz", &gz(OSM));
    w("extra/ua_warreport_aliases.tsv.gz", &gz(WARREPORT));
    w("country_names.tsv", COUNTRY_NAMES.as_bytes());
    w("country_points.tsv", COUNTRY_POINTS.as_bytes());
    w("README.md", b"not a source: skipped");
}

fn read(dir: &Path, file: &str) -> String {
    std::fs::read_to_string(dir.join(file)).expect("output file")
}

#[test]
fn fixture_build_merges_places_and_is_deterministic() {
    let src = tempfile::tempdir().expect("temp");
    write_fixtures(src.path(), true);
    let out = tempfile::tempdir().expect("temp");
    std::fs::write(out.path().join("overlay.tsv"), OVERLAY).expect("overlay");
    let report = build(&[src.path().display().to_string()], out.path()).expect("build");
    let places = read(out.path(), "places.tsv");
    let names = read(out.path(), "names.tsv");
    let gaz = Gazetteer::load(out.path()).expect("loads");
    assert_eq!(report.places, gaz.places.len());

    // The KATOTTG row with a geonameid is that GeoNames place, with the official name.
    let izium = gaz.place_by_id("gn:707292").expect("Izium");
    assert_eq!(
        (
            izium.name.as_str(),
            izium.admin2.as_str(),
            izium.source.as_str()
        ),
        ("Izium", "UA6304", "geonames+katottg")
    );
    assert!(gaz.place_by_id("katottg:UA63040070010026290").is_none());
    // Robotyne: the OSM point of the same name in the same oblast, not the far homonym, and
    // not the centroid; the war-report aliases attach through the Wikidata id.
    let rob = gaz
        .place_by_id("katottg:UA23100270150025192")
        .expect("Robotyne");
    assert_eq!(
        (rob.source.as_str(), rob.precision),
        ("katottg+osm", Precision::Exact)
    );
    assert!(km(rob.lat, rob.lon, 47.4431, 35.8261) < 0.01);
    assert!(gaz.lookup("Rabotino").iter().any(|r| r.place.id == rob.id));
    // No point anywhere: the hromada centroid, said to be approximate.
    let nev = gaz
        .place_by_id("katottg:UA23100270990000000")
        .expect("Nevidome");
    assert_eq!(
        (nev.source.as_str(), nev.precision),
        ("katottg+hromada_centroid", Precision::Approximate)
    );
    // The unmatched OSM homonym becomes a place of its own.
    assert!(gaz.place_by_id("osm:node/2").is_some());
    // Admin1 with its short form, raion with its forms, overlay applied.
    let kh = gaz.lookup("Kharkiv");
    assert!(kh
        .iter()
        .any(|r| r.place.id == "gn:706482" && r.origin == "derived:short"));
    assert!(names.contains("gn:706482\tobwód charkowski\tpl\tnaturalearth\n"));
    for n in [
        "Izium Raion",
        "Izium District",
        "Ізюмський район",
        "Изюмский район",
    ] {
        assert!(
            gaz.lookup(n).iter().any(|r| r.place.id == "ocha:UA6304"),
            "{n}"
        );
    }
    assert_eq!(gaz.lookup("Ukrain")[0].place.id, "iso:UA");
    assert_eq!(gaz.lookup("Donbass")[0].place.kind, Kind::Region);
    assert!(gaz.lookup("Isjum").is_empty(), "dropped by the overlay");
    // Noise filtered, variants generated, one name per normal form.
    assert!(gaz.lookup("HRK").is_empty());
    assert!(gaz.lookup("伊久姆").is_empty());
    assert!(
        gaz.lookup("Krasnoarmeisk")
            .iter()
            .any(|r| r.place.id == "gn:704422"),
        "German spelling of Красноармейск"
    );
    assert!(gaz.lookup("Robotyne").iter().any(|r| r.place.id == rob.id));
    assert_eq!(names.matches("gn:707292\tIzium\t").count(), 1);
    // Sorted, LF only, headers first.
    assert!(places.starts_with("id\tkind\tname\t"));
    assert!(!places.contains('\r') && !names.contains('\r'));
    let ids: Vec<&str> = places
        .lines()
        .skip(1)
        .map(|l| l.split('\t').next().unwrap_or(""))
        .collect();
    let mut sorted = ids.clone();
    sorted.sort();
    assert_eq!(ids, sorted);
    let name_lines: Vec<&str> = names.lines().skip(1).collect();
    let mut keyed: Vec<Vec<&str>> = name_lines.iter().map(|l| l.split('\t').collect()).collect();
    keyed.sort();
    assert_eq!(
        keyed,
        name_lines
            .iter()
            .map(|l| l.split('\t').collect::<Vec<_>>())
            .collect::<Vec<_>>()
    );
    // The same sources give the same bytes.
    build(&[src.path().display().to_string()], out.path()).expect("second build");
    assert_eq!(read(out.path(), "places.tsv"), places);
    assert_eq!(read(out.path(), "names.tsv"), names);
}

#[test]
fn build_errors_name_the_file_and_line() {
    let src = tempfile::tempdir().expect("temp");
    let out = tempfile::tempdir().expect("temp");
    // An unknown file named explicitly is an error; in a folder it is skipped.
    let unknown = src.path().join("mystery.tsv");
    std::fs::write(&unknown, "x\n").expect("write");
    let err = build(&[unknown.display().to_string()], out.path())
        .unwrap_err()
        .to_string();
    assert!(err.contains("unknown source file 'mystery.tsv'"), "{err}");
    // A malformed GeoNames line.
    let bad = src.path().join("cities500.txt");
    std::fs::write(&bad, format!("{CITIES500}1\tBroken\n")).expect("write");
    let err = build(&[bad.display().to_string()], out.path())
        .unwrap_err()
        .to_string();
    assert!(err.contains("cities500.txt: line 4: expected 19"), "{err}");
    // A malformed overlay line.
    std::fs::write(src.path().join("cities500.txt"), CITIES500).expect("write");
    let overlay = src.path().join("overlay.tsv");
    std::fs::write(&overlay, "op\tid\tname\tlang\tkind\tcountry\tadmin1\tlat\tlon\tprecision\treason\nname\tgn:1\tX\t\t\t\t\t\t\t\tno such place\n").expect("write");
    let err = build(&[src.path().display().to_string()], out.path())
        .unwrap_err()
        .to_string();
    assert!(
        err.contains("overlay.tsv: line 2: no place 'gn:1'"),
        "{err}"
    );
    assert!(
        !out.path().join("places.tsv").exists(),
        "nothing written on error"
    );
    // No sources at all.
    assert!(build(&[], out.path()).is_err());
}

/// Serves `routes` (path → (status line, extra headers, body)) on 127.0.0.1 for `n` requests.
fn serve(routes: Vec<(&'static str, &'static str, String, Vec<u8>)>, n: usize) -> String {
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
    let addr = listener.local_addr().expect("addr");
    std::thread::spawn(move || {
        for stream in listener.incoming().take(n) {
            let Ok(mut stream) = stream else { continue };
            let mut reader = BufReader::new(stream.try_clone().expect("clone"));
            let mut line = String::new();
            if reader.read_line(&mut line).is_err() {
                continue;
            }
            let path = line.split_whitespace().nth(1).unwrap_or("/").to_string();
            let mut agent = String::new();
            loop {
                let mut h = String::new();
                if reader.read_line(&mut h).is_err() || h.trim().is_empty() {
                    break;
                }
                if h.to_ascii_lowercase().starts_with("user-agent:") {
                    agent = h[11..].trim().to_string();
                }
            }
            let (status, headers, body) = routes
                .iter()
                .find(|r| r.0 == path)
                .map(|r| (r.1, r.2.clone(), r.3.clone()))
                .unwrap_or(("404 Not Found", String::new(), b"missing".to_vec()));
            // Only a frontmap client gets the file.
            let (status, body) = if agent.starts_with("frontmap/") {
                (status, body)
            } else {
                ("403 Forbidden", b"no agent".to_vec())
            };
            let head = format!(
                "HTTP/1.1 {status}\r\nContent-Length: {}\r\nConnection: close\r\n{headers}\r\n",
                body.len()
            );
            let _ = stream.write_all(head.as_bytes());
            let _ = stream.write_all(&body);
        }
    });
    format!("http://{addr}")
}

#[test]
fn url_sources_are_fetched_and_build_the_same() {
    let src = tempfile::tempdir().expect("temp");
    write_fixtures(src.path(), false);
    std::fs::create_dir_all(src.path().join("files")).expect("mkdir");
    let cities_gz = gz(CITIES500);
    let base = serve(
        vec![
            (
                "/dump/cities500.txt.gz",
                "200 OK",
                String::new(),
                cities_gz.clone(),
            ),
            (
                "/old/cities500.txt.gz",
                "301 Moved Permanently",
                "Location: /dump/cities500.txt.gz\r\n".into(),
                Vec::new(),
            ),
        ],
        10,
    );
    let by_url = tempfile::tempdir().expect("temp");
    let sources = vec![
        src.path().display().to_string(),
        format!("{base}/old/cities500.txt.gz"),
    ];
    build(&sources, by_url.path()).expect("build with a URL source (through a redirect)");
    let by_file = tempfile::tempdir().expect("temp");
    std::fs::write(src.path().join("files/cities500.txt.gz"), &cities_gz).expect("write");
    build(&[src.path().display().to_string()], by_file.path()).expect("build from files");
    assert_eq!(
        read(by_url.path(), "places.tsv"),
        read(by_file.path(), "places.tsv")
    );
    assert_eq!(
        read(by_url.path(), "names.tsv"),
        read(by_file.path(), "names.tsv")
    );
    // A missing file: the error names the URL and the status.
    let url = format!("{base}/dump/UA.zip");
    let err = build(std::slice::from_ref(&url), by_url.path())
        .unwrap_err()
        .to_string();
    assert!(err.contains(&url) && err.contains("404"), "{err}");
    // A URL whose file the build does not know.
    let err = build(&[format!("{base}/dump/notes.txt")], by_url.path())
        .unwrap_err()
        .to_string();
    assert!(err.contains("unknown source file 'notes.txt'"), "{err}");
}
