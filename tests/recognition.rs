//! Recognition and resolution on the shipped gazetteer: one short invented sentence per
//! phenomenon, in every article language. Each case names the surface that must be found and
//! the place it must resolve to (by kind, country, admin1 code, and a point within 25 km).

use std::path::Path;
use std::sync::OnceLock;

use frontmap::gazetteer::Gazetteer;
use frontmap::ingest::{Article, ArticleMeta};
use frontmap::sphere::great_circle_km;

fn gazetteer() -> &'static Gazetteer {
    static G: OnceLock<Gazetteer> = OnceLock::new();
    G.get_or_init(|| {
        Gazetteer::load(
            Path::new(env!("CARGO_MANIFEST_DIR"))
                .join("gazetteer")
                .as_path(),
        )
        .expect("the shipped gazetteer loads")
    })
}

/// (surface, kind, country, lat, lon) of every event of `text`.
fn events(text: &str, lang: &str) -> Vec<(String, String, String, String, f64, f64)> {
    let g = gazetteer();
    let article = Article {
        meta: ArticleMeta {
            id: "t".into(),
            lang: Some(lang.into()),
            ..Default::default()
        },
        text: text.into(),
    };
    frontmap::process_article(g, &article)
        .events
        .into_iter()
        .map(|e| {
            let p = g.place(e.place);
            (
                e.surface.to_string(),
                p.kind.as_str().to_string(),
                p.country.to_string(),
                p.admin1.to_string(),
                p.lat,
                p.lon,
            )
        })
        .collect()
}

struct Case {
    lang: &'static str,
    text: &'static str,
    surface: &'static str,
    kind: &'static str,
    country: &'static str,
    /// (lat, lon) the event must be within 25 km of; None for countries and continents.
    near: Option<(f64, f64)>,
}

const KHARKIV: (f64, f64) = (49.9935, 36.2304);
const KHARKIV_OBLAST: (f64, f64) = (49.6, 36.6);
const POKROVSK_UA: (f64, f64) = (48.2821, 37.1764);
const BAKHMUT: (f64, f64) = (48.5956, 37.9999);
const AVDIIVKA: (f64, f64) = (48.1394, 37.7497);
const KURSK: (f64, f64) = (51.7373, 36.1874);
const SUDZHA: (f64, f64) = (51.1919, 35.2720);
const KYIV: (f64, f64) = (50.4501, 30.5234);
const IZIUM: (f64, f64) = (49.2103, 37.2569);
const KUPIANSK: (f64, f64) = (49.7106, 37.6156);
const MOSCOW: (f64, f64) = (55.7558, 37.6173);
const GENEVA: (f64, f64) = (46.2044, 6.1432);
const ROBOTYNE: (f64, f64) = (47.445, 35.838);

fn check(cases: &[Case]) {
    let mut failures = Vec::new();
    for c in cases {
        let found = events(c.text, c.lang);
        let hit = found.iter().find(|e| e.0 == c.surface);
        let ok = hit.is_some_and(|e| {
            e.1 == c.kind
                && e.2 == c.country
                && c.near
                    .is_none_or(|(la, lo)| great_circle_km((lo, la), (e.5, e.4)) <= 25.0)
        });
        if !ok {
            failures.push(format!(
                "[{}] {:?}: want {} = {} {} near {:?}; got {:?}",
                c.lang, c.text, c.surface, c.kind, c.country, c.near, found
            ));
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {} cases failed:\n{}",
        failures.len(),
        cases.len(),
        failures.join("\n")
    );
}

#[test]
fn spelling_variants_and_old_names() {
    check(&[
        Case {
            lang: "en",
            text: "Troops entered Izyum on Saturday.",
            surface: "Izyum",
            kind: "populated_place",
            country: "UA",
            near: Some(IZIUM),
        },
        Case {
            lang: "en",
            text: "Troops entered Izium on Saturday.",
            surface: "Izium",
            kind: "populated_place",
            country: "UA",
            near: Some(IZIUM),
        },
        Case {
            lang: "en",
            text: "Shelling in Kupyansk again.",
            surface: "Kupyansk",
            kind: "populated_place",
            country: "UA",
            near: Some(KUPIANSK),
        },
        Case {
            lang: "de",
            text: "Angriffe auf Charkiw in der Nacht.",
            surface: "Charkiw",
            kind: "populated_place",
            country: "UA",
            near: Some(KHARKIV),
        },
        Case {
            lang: "en",
            text: "The battle for Artemovsk lasted months.",
            surface: "Artemovsk",
            kind: "populated_place",
            country: "UA",
            near: Some(BAKHMUT),
        },
        Case {
            lang: "en",
            text: "Units near Krasnoarmeysk regrouped.",
            surface: "Krasnoarmeysk",
            kind: "populated_place",
            country: "UA",
            near: Some(POKROVSK_UA),
        },
        Case {
            lang: "en",
            text: "Heavy fighting around Avdeyevka continued.",
            surface: "Avdeyevka",
            kind: "populated_place",
            country: "UA",
            near: Some(AVDIIVKA),
        },
        Case {
            lang: "en",
            text: "A counteroffensive near Robotyne began in June.",
            surface: "Robotyne",
            kind: "populated_place",
            country: "UA",
            near: Some(ROBOTYNE),
        },
    ]);
}

#[test]
fn cyrillic_case_forms() {
    check(&[
        Case {
            lang: "uk",
            text: "Вибухи пролунали у Харкові вночі.",
            surface: "Харкові",
            kind: "populated_place",
            country: "UA",
            near: Some(KHARKIV),
        },
        Case {
            lang: "ru",
            text: "Жители Харькова остались без света.",
            surface: "Харькова",
            kind: "populated_place",
            country: "UA",
            near: Some(KHARKIV),
        },
        Case {
            lang: "uk",
            text: "Бої тривають під Бахмутом.",
            surface: "Бахмутом",
            kind: "populated_place",
            country: "UA",
            near: Some(BAKHMUT),
        },
        Case {
            lang: "uk",
            text: "Ситуація в Авдіївці складна.",
            surface: "Авдіївці",
            kind: "populated_place",
            country: "UA",
            near: Some(AVDIIVKA),
        },
        Case {
            lang: "uk",
            text: "Делегація прибула у Києві вранці.",
            surface: "Києві",
            kind: "populated_place",
            country: "UA",
            near: Some(KYIV),
        },
        Case {
            lang: "ru",
            text: "Бои идут под Курском.",
            surface: "Курском",
            kind: "populated_place",
            country: "RU",
            near: Some(KURSK),
        },
        Case {
            lang: "ru",
            text: "Губернатор сообщил о ситуации в Судже.",
            surface: "Судже",
            kind: "populated_place",
            country: "RU",
            near: Some(SUDZHA),
        },
    ]);
}

#[test]
fn oblast_forms_and_nicknames() {
    check(&[
        Case {
            lang: "uk",
            text: "Обстріли Харківщини не вщухають.",
            surface: "Харківщини",
            kind: "admin1",
            country: "UA",
            near: Some(KHARKIV_OBLAST),
        },
        Case {
            lang: "uk",
            text: "Евакуація з Харківської області триває.",
            surface: "Харківської області",
            kind: "admin1",
            country: "UA",
            near: Some(KHARKIV_OBLAST),
        },
        Case {
            lang: "id",
            text: "Pasukan bergerak di wilayah Kharkiv.",
            surface: "Kharkiv",
            kind: "admin1",
            country: "UA",
            near: Some(KHARKIV_OBLAST),
        },
        Case {
            lang: "en",
            text: "Drones hit villages in the Kharkiv region overnight.",
            surface: "Kharkiv",
            kind: "admin1",
            country: "UA",
            near: Some(KHARKIV_OBLAST),
        },
        Case {
            lang: "en",
            text: "Missiles hit Kharkiv overnight.",
            surface: "Kharkiv",
            kind: "populated_place",
            country: "UA",
            near: Some(KHARKIV),
        },
    ]);
}

#[test]
fn polish_case_forms_in_polish_text() {
    check(&[
        Case {
            lang: "pl",
            text: "Trwa ewakuacja w Pokrowsku od tygodnia.",
            surface: "Pokrowsku",
            kind: "populated_place",
            country: "UA",
            near: Some(POKROVSK_UA),
        },
        Case {
            lang: "pl",
            text: "Walki pod Bachmutem były najcięższe.",
            surface: "Bachmutem",
            kind: "populated_place",
            country: "UA",
            near: Some(BAKHMUT),
        },
    ]);
}

#[test]
fn exonyms_in_the_article_language() {
    check(&[
        Case {
            lang: "id",
            text: "Delegasi tiba di Moskow hari ini.",
            surface: "Moskow",
            kind: "populated_place",
            country: "RU",
            near: Some(MOSCOW),
        },
        Case {
            lang: "id",
            text: "Perundingan digelar di Jenewa pekan depan.",
            surface: "Jenewa",
            kind: "populated_place",
            country: "CH",
            near: Some(GENEVA),
        },
        Case {
            lang: "id",
            text: "Rusia dan Ukraina belum berunding.",
            surface: "Rusia",
            kind: "country",
            country: "RU",
            near: None,
        },
        Case {
            lang: "id",
            text: "Bantuan dari Amerika Serikat tiba.",
            surface: "Amerika Serikat",
            kind: "country",
            country: "US",
            near: None,
        },
        Case {
            lang: "id",
            text: "Bantuan dari AS tiba kemarin.",
            surface: "AS",
            kind: "country",
            country: "US",
            near: None,
        },
        Case {
            lang: "id",
            text: "Tentara Korea Utara dikirim ke front.",
            surface: "Korea Utara",
            kind: "country",
            country: "KP",
            near: None,
        },
        Case {
            lang: "pl",
            text: "Rosja zaatakowała w nocy.",
            surface: "Rosja",
            kind: "country",
            country: "RU",
            near: None,
        },
        Case {
            lang: "de",
            text: "Russland bestreitet den Angriff.",
            surface: "Russland",
            kind: "country",
            country: "RU",
            near: None,
        },
    ]);
}

#[test]
fn homonyms_by_context() {
    check(&[
        Case {
            lang: "en",
            text: "Russian troops are 8 km from Pokrovsk, Donetsk Oblast.",
            surface: "Pokrovsk",
            kind: "populated_place",
            country: "UA",
            near: Some(POKROVSK_UA),
        },
        Case {
            lang: "en",
            text: "After Avdiivka fell, Russian forces turned to Pokrovsk.",
            surface: "Pokrovsk",
            kind: "populated_place",
            country: "UA",
            near: Some(POKROVSK_UA),
        },
        Case {
            lang: "ru",
            text: "Бои за Покровск в Донецкой области продолжаются.",
            surface: "Покровск",
            kind: "populated_place",
            country: "UA",
            near: Some(POKROVSK_UA),
        },
    ]);
}

#[test]
fn people_and_common_words_are_not_places() {
    let g = gazetteer();
    let cases: &[(&str, &str)] = &[
        (
            "id",
            "Presiden Rusia Vladimir Putin berbicara. Putin menegaskan sikapnya.",
        ),
        (
            "en",
            "Kremlin spokesman Dmitry Peskov said talks were stalled.",
        ),
        (
            "en",
            "Andriy Yermak, head of the presidential office, met envoys.",
        ),
        (
            "id",
            "Para pejabat mengatakan kota itu aman. Baca Juga: berita lain.",
        ),
        ("en", "General Valery Gerasimov visited troops."),
        (
            "en",
            "Igor Konashenkov, the defence ministry spokesman, spoke.",
        ),
    ];
    let forbidden = [
        "Vladimir",
        "Dmitry",
        "Peskov",
        "Yermak",
        "Andriy",
        "Para",
        "Baca",
        "Juga",
        "Valery",
        "Gerasimov",
        "Igor",
        "Konashenkov",
    ];
    for (lang, text) in cases {
        let found = events(text, lang);
        for e in &found {
            assert!(
                !forbidden.contains(&e.0.as_str()),
                "[{lang}] {text:?}: {} tagged as a place ({:?})",
                e.0,
                e
            );
        }
    }
    let _ = g;
}
