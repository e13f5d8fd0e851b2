//! Per-language knowledge the tagger and resolver use: cue words that say what kind of place a
//! name is, and common words that happen to be village names.
//!
//! Words are listed in normal form (see `gazetteer::normalise`: lower case, no diacritics,
//! й→и, ї→і, ё→е). Cue words from every language are tried in every article: they rarely
//! collide, and articles mix languages in quotes and place names.

/// What a cue word says about the name next to it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum CueHint {
    /// A first-level region: oblast, province, federal subject (wilayah, oblast, область).
    Region,
    /// A district (raion, kabupaten, район).
    District,
    /// A settlement (kota, city, місто, село).
    Settlement,
}

/// Cue words that stand before a name ("wilayah Kharkiv", "місто Харків", "the city of Izium").
/// Multi-word cues are written with single spaces.
pub const CUES_BEFORE: &[(&str, CueHint)] = &[
    // id
    ("wilayah", CueHint::Region),
    ("provinsi", CueHint::Region),
    ("oblast", CueHint::Region),
    ("region", CueHint::Region),
    ("kawasan", CueHint::Region),
    ("distrik", CueHint::District),
    ("kabupaten", CueHint::District),
    ("kota", CueHint::Settlement),
    ("desa", CueHint::Settlement),
    ("kampung", CueHint::Settlement),
    // en
    ("region of", CueHint::Region),
    ("province of", CueHint::Region),
    ("oblast of", CueHint::Region),
    ("district of", CueHint::District),
    ("city of", CueHint::Settlement),
    ("town of", CueHint::Settlement),
    ("village of", CueHint::Settlement),
    ("settlement of", CueHint::Settlement),
    // uk
    ("місто", CueHint::Settlement),
    ("міста", CueHint::Settlement),
    ("місті", CueHint::Settlement),
    ("містом", CueHint::Settlement),
    ("село", CueHint::Settlement),
    ("села", CueHint::Settlement),
    ("селі", CueHint::Settlement),
    ("селом", CueHint::Settlement),
    ("селище", CueHint::Settlement),
    ("селища", CueHint::Settlement),
    ("селищі", CueHint::Settlement),
    ("смт", CueHint::Settlement),
    ("м.", CueHint::Settlement),
    ("с.", CueHint::Settlement),
    // ru
    ("город", CueHint::Settlement),
    ("города", CueHint::Settlement),
    ("городе", CueHint::Settlement),
    ("городом", CueHint::Settlement),
    ("поселок", CueHint::Settlement),
    ("поселка", CueHint::Settlement),
    ("поселке", CueHint::Settlement),
    ("деревня", CueHint::Settlement),
    ("деревни", CueHint::Settlement),
    ("деревне", CueHint::Settlement),
    ("хутор", CueHint::Settlement),
    ("хутора", CueHint::Settlement),
    ("хуторе", CueHint::Settlement),
    ("г.", CueHint::Settlement),
    ("пгт", CueHint::Settlement),
    // de
    ("gebiet", CueHint::Region),
    ("stadt", CueHint::Settlement),
    ("dorf", CueHint::Settlement),
    ("ortschaft", CueHint::Settlement),
    // pl
    ("obwod", CueHint::Region),
    ("obwodu", CueHint::Region),
    ("obwodzie", CueHint::Region),
    ("miasto", CueHint::Settlement),
    ("miasta", CueHint::Settlement),
    ("miescie", CueHint::Settlement),
    ("wies", CueHint::Settlement),
    ("wsi", CueHint::Settlement),
    ("rejon", CueHint::District),
    // fr
    ("region de", CueHint::Region),
    ("region d", CueHint::Region),
    ("oblast de", CueHint::Region),
    ("oblast d", CueHint::Region),
    ("province de", CueHint::Region),
    ("ville de", CueHint::Settlement),
    ("ville d", CueHint::Settlement),
    ("village de", CueHint::Settlement),
    ("village d", CueHint::Settlement),
];

/// Cue words that stand after a name ("Donetsk Oblast", "the Kursk region", "Харківська область"
/// is a name of its own in the gazetteer, "Покровський район" too).
pub const CUES_AFTER: &[(&str, CueHint)] = &[
    ("oblast", CueHint::Region),
    ("oblasts", CueHint::Region),
    ("region", CueHint::Region),
    ("province", CueHint::Region),
    ("governorate", CueHint::Region),
    ("raion", CueHint::District),
    ("rayon", CueHint::District),
    ("district", CueHint::District),
    ("область", CueHint::Region),
    ("области", CueHint::Region),
    ("області", CueHint::Region),
    ("обл", CueHint::Region),
    ("район", CueHint::District),
    ("районі", CueHint::District),
    ("районе", CueHint::District),
    ("громада", CueHint::District),
    ("громаді", CueHint::District),
    ("gebiet", CueHint::Region),
    ("rajon", CueHint::District),
    ("city", CueHint::Settlement),
];

/// Common capitalised words of the article languages that are also the names of some village
/// somewhere (or of nothing but look like one): never taken as a place on their own.
/// Sentence-initial function words and headline words dominate this list.
pub const STOP_WORDS: &[&str] = &[
    // id
    "para", "juru", "kota", "dalam", "baca", "juga", "utara", "selatan", "timur", "barat", "tengah", "raya",
    "saat", "serta", "namun", "menurut", "sejak", "awal", "meski", "ketika", "hal", "dan", "atau", "yang",
    "dari", "pada", "untuk", "dengan", "oleh", "akan", "tidak", "ada", "ini", "itu", "kami", "mereka",
    "presiden", "menteri", "gubernur", "perang", "pasukan", "militer", "serangan", "berita", "baru",
    "hari", "senin", "selasa", "rabu", "kamis", "jumat", "sabtu", "minggu", "bulan", "tahun", "lalu",
    "kantor", "pusat", "daerah", "desa", "kabupaten", "provinsi", "wilayah", "negara", "dunia", "bank",
    "sumber", "laporan", "foto", "video", "kepala", "wakil", "sekretaris", "jenderal", "umum", "bisa",
    "lima", "dua", "tiga", "empat", "enam", "tujuh", "delapan", "sembilan", "sepuluh", "satu", "banyak",
    "operasi", "angkatan", "udara", "laut", "darat", "garis", "depan", "pertahanan", "kementerian",
    // en
    "the", "a", "an", "and", "but", "or", "in", "on", "at", "of", "for", "to", "by", "with", "from", "as",
    "mir", "bar", "nova", "more", "many", "march", "may", "june", "july", "august", "monday", "sunday",
    "president", "minister", "governor", "army", "war", "news", "update", "live", "read", "also", "north",
    "south", "east", "west", "central", "new", "old", "great", "little", "victory", "peace", "union",
    "friday", "saturday", "tuesday", "wednesday", "thursday", "january", "february", "april", "september",
    "october", "november", "december", "general", "colonel", "major", "said", "says", "after", "before",
    "during", "while", "when", "where", "there", "then", "this", "that", "these", "those", "it", "its",
    // uk / ru
    "мир", "миру", "мира", "нова", "новий", "нове", "нові", "новыи", "новая", "новое", "победа", "перемога",
    "слава", "дружба", "надія", "надежда", "свобода", "воля", "червоне", "красное", "зеленыи", "зелении",
    "вона", "він", "они", "вони", "также", "також", "как", "як", "при", "під", "под",
    "над", "за", "до", "на", "в", "у", "з", "із", "с", "по", "про", "для", "после", "після", "понеділок",
    "вівторок", "середа", "четвер", "пятниця", "субота", "неділя", "понедельник", "вторник", "среда",
    "четверг", "пятница", "суббота", "воскресенье", "травень", "май", "червень", "липень", "серпень",
    "вересень", "жовтень", "листопад", "грудень", "січень", "лютий", "березень", "квітень",
    // de
    "der", "die", "das", "und", "oder", "aber", "im", "am", "vom", "zum", "zur", "bei", "mit", "nach", "von",
    "auch", "neue", "neuer", "neues", "frieden", "sieg", "krieg", "armee", "präsident", "prasident",
    // pl
    "nowa", "nowy", "nowe", "pokoj", "wojna", "armia", "prezydent", "minister", "ale", "lub", "oraz", "dla",
    "przez", "przy", "pod", "nad", "we", "ze", "od", "do", "po", "na", "w", "z",
    // fr
    "le", "la", "les", "un", "une", "des", "et", "ou", "mais", "dans", "sur", "avec", "pour", "par", "nouvelle",
    "paix", "guerre", "armee", "president", "ministre", "selon", "apres", "avant",
];

/// Titles and roles that stand before a person's name ("Presiden Rusia Vladimir Putin" has the
/// country, then the name): a capitalised word after one of these is a name, not a place.
pub const PERSON_TITLES: &[&str] = &[
    "presiden", "president", "präsident", "prasident", "prezydent", "président", "президент",
    "menteri", "minister", "ministre", "міністр", "министр", "gubernur", "governor", "gouverneur",
    "губернатор", "голова", "глава", "jenderal", "general", "général", "генерал", "kolonel", "colonel",
    "полковник", "juru bicara", "spokesman", "spokeswoman", "sprecher", "rzecznik", "porte-parole",
    "речник", "пресс-секретарь", "mr", "mrs", "ms", "dr", "pak", "bapak", "ibu", "herr", "frau", "pan",
    "pani", "m", "mme", "пан", "пані", "господин", "wakil", "kepala", "panglima", "komandan", "commander",
    "kommandeur", "командувач", "командующий",
];

pub fn cue_before(words: &str) -> Option<CueHint> {
    CUES_BEFORE
        .iter()
        .find(|(w, _)| *w == words)
        .map(|(_, h)| *h)
}

pub fn cue_after(word: &str) -> Option<CueHint> {
    CUES_AFTER
        .iter()
        .find(|(w, _)| *w == word)
        .map(|(_, h)| *h)
}

pub fn is_stop_word(word: &str) -> bool {
    STOP_WORDS.contains(&word)
}

pub fn is_person_title(word: &str) -> bool {
    PERSON_TITLES.contains(&word)
}
