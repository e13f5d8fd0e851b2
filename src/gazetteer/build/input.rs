//! Finding and reading the build's sources: files, folders (walked in sorted order, known file
//! names picked up) and http(s) URLs. Every source is recognised by its file name; its text is
//! read whole (gzip and zip opened on the way, with a size cap after decompression).

use std::io::Read;
use std::path::{Path, PathBuf};
use std::time::Duration;

use crate::error::{Error, Result};
use crate::ingest::fetch::{redact, strip_urls};

/// What a source file holds, told by its name.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum SourceKind {
    /// A GeoNames `geoname` dump: `cities500*`, `cities15000*`, or a country dump (`UA.txt`,
    /// `RU.zip`).
    GeoNames,
    /// `admin1Codes*.txt` (GeoNames code table).
    Admin1Codes,
    /// `admin2Codes*.txt`.
    Admin2Codes,
    /// `geonames_admin_ua_ru.tsv`: GeoNames admin codes with ISO codes and aliases.
    GeoNamesAdmin,
    /// `ua_settlements_katottg.tsv.gz`.
    Katottg,
    /// `ua_admin_units_ocha_centroids.tsv`.
    Ocha,
    /// `naturalearth_admin1_ua_ru_by_md.geojson.gz`.
    NaturalEarth,
    /// `ua_settlements_osm.tsv.gz`.
    Osm,
    /// `ua_localities_whosonfirst.tsv.gz`.
    Wof,
    /// `ua_warreport_aliases.tsv.gz`.
    Warreport,
    /// `ru_postal_places_geonames2016_european.tsv.gz`.
    Postal,
    /// `country_names.tsv`.
    CountryNames,
    /// `country_points.tsv`.
    CountryPoints,
    /// `overlay.tsv`: the hand-curated corrections.
    Overlay,
}

impl SourceKind {
    pub fn as_str(self) -> &'static str {
        match self {
            SourceKind::GeoNames => "geonames",
            SourceKind::Admin1Codes => "admin1codes",
            SourceKind::Admin2Codes => "admin2codes",
            SourceKind::GeoNamesAdmin => "geonames_admin",
            SourceKind::Katottg => "katottg",
            SourceKind::Ocha => "ocha",
            SourceKind::NaturalEarth => "naturalearth",
            SourceKind::Osm => "osm",
            SourceKind::Wof => "wof",
            SourceKind::Warreport => "warreport",
            SourceKind::Postal => "geonames_postal",
            SourceKind::CountryNames => "country_names",
            SourceKind::CountryPoints => "country_points",
            SourceKind::Overlay => "overlay",
        }
    }
}

/// One source, read.
#[derive(Debug)]
pub struct Input {
    pub kind: SourceKind,
    /// The path or URL, for messages.
    pub label: PathBuf,
    pub text: String,
}

/// The largest text a source may decompress to. A full GeoNames country dump (RU.txt) is
/// about 100 MB; allCountries is not a supported source.
pub const MAX_TEXT_BYTES: u64 = 1 << 30;
/// The largest download accepted (after transport decompression).
pub const MAX_DOWNLOAD_BYTES: u64 = 512 << 20;

/// What reading one source may cost. Decompression stops one byte past a cap, so a zip or
/// gzip bomb costs at most the cap in memory, never what it would inflate to.
#[derive(Debug, Clone, Copy)]
struct Limits {
    text_bytes: u64,
    download_bytes: u64,
    connect_timeout: Duration,
    /// For each read and write on the connection: a server that accepts and never answers.
    io_timeout: Duration,
    /// For a whole download: a server that trickles.
    total_timeout: Duration,
}

const LIMITS: Limits = Limits {
    text_bytes: MAX_TEXT_BYTES,
    download_bytes: MAX_DOWNLOAD_BYTES,
    connect_timeout: Duration::from_secs(20),
    io_timeout: Duration::from_secs(120),
    total_timeout: Duration::from_secs(30 * 60),
};

/// The kind of a source file, from its name; `None` for a file the build does not use.
pub fn recognise(file_name: &str) -> Option<SourceKind> {
    let exact = [
        ("geonames_admin_ua_ru.tsv", SourceKind::GeoNamesAdmin),
        ("ua_settlements_katottg.tsv.gz", SourceKind::Katottg),
        ("ua_settlements_katottg.tsv", SourceKind::Katottg),
        ("ua_admin_units_ocha_centroids.tsv", SourceKind::Ocha),
        (
            "naturalearth_admin1_ua_ru_by_md.geojson.gz",
            SourceKind::NaturalEarth,
        ),
        (
            "naturalearth_admin1_ua_ru_by_md.geojson",
            SourceKind::NaturalEarth,
        ),
        ("ua_settlements_osm.tsv.gz", SourceKind::Osm),
        ("ua_settlements_osm.tsv", SourceKind::Osm),
        ("ua_localities_whosonfirst.tsv.gz", SourceKind::Wof),
        ("ua_localities_whosonfirst.tsv", SourceKind::Wof),
        ("ua_warreport_aliases.tsv.gz", SourceKind::Warreport),
        ("ua_warreport_aliases.tsv", SourceKind::Warreport),
        (
            "ru_postal_places_geonames2016_european.tsv.gz",
            SourceKind::Postal,
        ),
        (
            "ru_postal_places_geonames2016_european.tsv",
            SourceKind::Postal,
        ),
        ("country_names.tsv", SourceKind::CountryNames),
        ("country_points.tsv", SourceKind::CountryPoints),
        ("overlay.tsv", SourceKind::Overlay),
    ];
    if let Some((_, k)) = exact.iter().find(|(n, _)| *n == file_name) {
        return Some(*k);
    }
    let stem = strip_any(file_name, &[".txt.gz", ".txt", ".zip"])?;
    if file_name.ends_with(".zip") || file_name.ends_with(".txt") || file_name.ends_with(".txt.gz")
    {
        if stem.starts_with("cities500") || stem.starts_with("cities15000") {
            return Some(SourceKind::GeoNames);
        }
        // Official country dumps: UA.txt, RU.zip.
        if stem.len() == 2 && stem.chars().all(|c| c.is_ascii_uppercase()) {
            return Some(SourceKind::GeoNames);
        }
    }
    if file_name.ends_with(".txt") {
        if stem.starts_with("admin1Codes") {
            return Some(SourceKind::Admin1Codes);
        }
        if stem.starts_with("admin2Codes") {
            return Some(SourceKind::Admin2Codes);
        }
    }
    None
}

fn strip_any<'a>(s: &'a str, suffixes: &[&str]) -> Option<&'a str> {
    suffixes.iter().find_map(|x| s.strip_suffix(x))
}

/// Reads every source. A folder is walked (sorted, recursively) and its unknown files are
/// skipped; a file or URL named explicitly must be known. When no overlay is among the sources,
/// `out_dir/overlay.tsv` is used if it exists. Inputs come back in a fixed order: by kind, then
/// in the order found.
pub fn collect(sources: &[String], out_dir: &Path) -> Result<Vec<Input>> {
    collect_with(sources, out_dir, &LIMITS)
}

fn collect_with(sources: &[String], out_dir: &Path, limits: &Limits) -> Result<Vec<Input>> {
    let mut found: Vec<(SourceKind, Location)> = Vec::new();
    for s in sources {
        if let Some(scheme) = url_scheme(s) {
            if !matches!(scheme.as_str(), "http" | "https") {
                return Err(Error::Fetch {
                    url: redact(s),
                    message: format!("unsupported URL scheme '{scheme}' (only http and https)"),
                });
            }
            let name = url_file_name(s)?;
            let kind = recognise(&name).ok_or_else(|| {
                Error::Invalid(format!(
                    "{}: unknown source file '{name}' (see gazetteer/README.md for the file names the build reads)",
                    redact(s)
                ))
            })?;
            found.push((kind, Location::Url(s.clone(), name)));
            continue;
        }
        let path = PathBuf::from(s);
        let meta = std::fs::metadata(&path).map_err(|e| Error::io(&path, e))?;
        if meta.is_dir() {
            walk(&path, &mut found)?;
        } else {
            let name = file_name(&path);
            let kind = recognise(&name).ok_or_else(|| {
                Error::Invalid(format!(
                    "{}: unknown source file '{name}' (see gazetteer/README.md for the file names the build reads)",
                    path.display()
                ))
            })?;
            found.push((kind, Location::File(path)));
        }
    }
    if !found.iter().any(|(k, _)| *k == SourceKind::Overlay) {
        let overlay = out_dir.join("overlay.tsv");
        if overlay.is_file() {
            found.push((SourceKind::Overlay, Location::File(overlay)));
        }
    }
    // The same file reached twice (a folder and a file in it) is read once.
    let mut seen = std::collections::BTreeSet::new();
    found.retain(|(_, loc)| seen.insert(loc.key()));
    found.sort_by_key(|(k, _)| *k);
    let client = if found.iter().any(|(_, l)| matches!(l, Location::Url(..))) {
        Some(http_client(limits)?)
    } else {
        None
    };
    let mut inputs = Vec::with_capacity(found.len());
    for (kind, loc) in found {
        let (label, name, bytes) = match loc {
            Location::File(path) => {
                let bytes = read_file_capped(&path, limits.text_bytes)?;
                let name = file_name(&path);
                (path, name, bytes)
            }
            Location::Url(url, name) => {
                let client = client
                    .as_ref()
                    .ok_or_else(|| Error::Invalid("bug: no HTTP client for a URL".into()))?;
                let bytes = fetch(client, &url, limits)?;
                // The label shows in messages and the build report: no credentials.
                (PathBuf::from(redact(&url)), name, bytes)
            }
        };
        let text = decode(&label, &name, bytes, limits.text_bytes)?;
        inputs.push(Input { kind, label, text });
    }
    Ok(inputs)
}

enum Location {
    File(PathBuf),
    Url(String, String),
}

impl Location {
    fn key(&self) -> String {
        match self {
            Location::File(p) => std::fs::canonicalize(p)
                .unwrap_or_else(|_| p.clone())
                .display()
                .to_string(),
            Location::Url(u, _) => u.clone(),
        }
    }
}

fn file_name(path: &Path) -> String {
    path.file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default()
}

fn walk(dir: &Path, found: &mut Vec<(SourceKind, Location)>) -> Result<()> {
    let mut entries: Vec<PathBuf> = std::fs::read_dir(dir)
        .map_err(|e| Error::io(dir, e))?
        .map(|e| e.map(|e| e.path()).map_err(|e| Error::io(dir, e)))
        .collect::<Result<_>>()?;
    entries.sort();
    for path in entries {
        let meta = std::fs::metadata(&path).map_err(|e| Error::io(&path, e))?;
        if meta.is_dir() {
            walk(&path, found)?;
        } else if let Some(kind) = recognise(&file_name(&path)) {
            found.push((kind, Location::File(path)));
        }
    }
    Ok(())
}

fn read_file_capped(path: &Path, cap: u64) -> Result<Vec<u8>> {
    let too_big = || {
        Error::Invalid(format!(
            "{}: larger than {}, not a source the build reads",
            path.display(),
            mib(cap)
        ))
    };
    let file = std::fs::File::open(path).map_err(|e| Error::io(path, e))?;
    // Refused before reading when the size is known; `take` holds for files that grow.
    if file.metadata().is_ok_and(|m| m.len() > cap) {
        return Err(too_big());
    }
    let mut bytes = Vec::new();
    file.take(cap + 1)
        .read_to_end(&mut bytes)
        .map_err(|e| Error::io(path, e))?;
    if bytes.len() as u64 > cap {
        return Err(too_big());
    }
    Ok(bytes)
}

/// `1024 MiB`, or the exact bytes for caps under a MiB (tests use small ones).
fn mib(bytes: u64) -> String {
    if bytes >= 1 << 20 {
        format!("{} MiB", bytes >> 20)
    } else {
        format!("{bytes} bytes")
    }
}

/// The text of a source: gunzipped (`.gz`), or the dump inside a zip (`UA.zip` → `UA.txt`),
/// capped at `cap` bytes after decompression, and UTF-8.
fn decode(label: &Path, name: &str, bytes: Vec<u8>, cap: u64) -> Result<String> {
    let raw = if name.ends_with(".gz") {
        let mut out = Vec::new();
        flate2::read::MultiGzDecoder::new(&bytes[..])
            .take(cap + 1)
            .read_to_end(&mut out)
            .map_err(|e| Error::Invalid(format!("{}: not valid gzip: {e}", label.display())))?;
        if out.len() as u64 > cap {
            return Err(Error::Invalid(format!(
                "{}: decompresses to more than {} (a damaged file or a gzip bomb)",
                label.display(),
                mib(cap)
            )));
        }
        out
    } else if name.ends_with(".zip") {
        unzip_dump(label, name, &bytes, cap)?
    } else {
        bytes
    };
    String::from_utf8(raw).map_err(|e| {
        Error::Invalid(format!(
            "{}: not UTF-8 (byte {})",
            label.display(),
            e.utf8_error().valid_up_to()
        ))
    })
}

/// The `.txt` entry of a GeoNames zip: the one named like the zip (`UA.zip` → `UA.txt`), else
/// the only `.txt` that is not the readme.
fn unzip_dump(label: &Path, name: &str, bytes: &[u8], cap: u64) -> Result<Vec<u8>> {
    let bad = |e: zip::result::ZipError| {
        Error::Invalid(format!("{}: not a valid zip: {e}", label.display()))
    };
    let mut archive = zip::ZipArchive::new(std::io::Cursor::new(bytes)).map_err(bad)?;
    let stem = name.trim_end_matches(".zip");
    let wanted = format!("{stem}.txt");
    let mut names: Vec<String> = archive.file_names().map(str::to_string).collect();
    names.sort();
    let entry = if names.contains(&wanted) {
        wanted
    } else {
        let txt: Vec<&String> = names
            .iter()
            .filter(|n| n.ends_with(".txt") && !n.to_ascii_lowercase().contains("readme"))
            .collect();
        match txt.as_slice() {
            [one] => (*one).clone(),
            _ => {
                return Err(Error::Invalid(format!(
                    "{}: expected one dump '{stem}.txt' in the zip, found {names:?}",
                    label.display()
                )))
            }
        }
    };
    let file = archive.by_name(&entry).map_err(bad)?;
    let mut out = Vec::new();
    file.take(cap + 1)
        .read_to_end(&mut out)
        .map_err(|e| Error::Invalid(format!("{}: {entry}: {e}", label.display())))?;
    if out.len() as u64 > cap {
        return Err(Error::Invalid(format!(
            "{}: {entry} decompresses to more than {} (a damaged file or a zip bomb)",
            label.display(),
            mib(cap)
        )));
    }
    Ok(out)
}

/// The scheme of a source that is a URL (`scheme://…`, lower case), or None for a path.
fn url_scheme(source: &str) -> Option<String> {
    let (scheme, _) = source.split_once("://")?;
    let valid = scheme
        .chars()
        .next()
        .is_some_and(|c| c.is_ascii_alphabetic())
        && scheme
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '+' | '-' | '.'));
    valid.then(|| scheme.to_ascii_lowercase())
}

/// The last path segment of a URL (`…/cities500.zip?x=1` → `cities500.zip`).
fn url_file_name(url: &str) -> Result<String> {
    let parsed = reqwest::Url::parse(url).map_err(|e| Error::Fetch {
        url: redact(url),
        message: format!("not a valid URL: {e}"),
    })?;
    let name = parsed
        .path_segments()
        .and_then(|mut s| s.next_back().map(str::to_string))
        .unwrap_or_default();
    if name.is_empty() {
        return Err(Error::Fetch {
            url: redact(url),
            message: "the URL names no file (its path must end in a known file name)".into(),
        });
    }
    Ok(name)
}

fn http_client(limits: &Limits) -> Result<reqwest::blocking::Client> {
    reqwest::blocking::Client::builder()
        .connect_timeout(limits.connect_timeout)
        // In the blocking client this bounds each connect, read and write.
        .timeout(limits.io_timeout)
        .redirect(reqwest::redirect::Policy::limited(5))
        .user_agent(concat!("frontmap/", env!("CARGO_PKG_VERSION")))
        .build()
        .map_err(|e| Error::Invalid(format!("cannot start the HTTP client: {e}")))
}

/// Downloads a URL whole, refusing bodies over `limits.download_bytes` (counted after the
/// transport's gzip decoding, so a gzip bomb stops at the cap) and downloads slower than
/// `limits.total_timeout`.
fn fetch(client: &reqwest::blocking::Client, url: &str, limits: &Limits) -> Result<Vec<u8>> {
    let shown = redact(url);
    let fail = |message: String| Error::Fetch {
        url: shown.clone(),
        message,
    };
    let started = std::time::Instant::now();
    let mut response = client.get(url).send().map_err(|e| fail(error_chain(&e)))?;
    let status = response.status();
    if !status.is_success() {
        return Err(fail(format!("HTTP status {status}")));
    }
    let cap = limits.download_bytes;
    if let Some(len) = response.content_length() {
        if len > cap {
            return Err(fail(format!(
                "body of {len} bytes exceeds the {} limit",
                mib(cap)
            )));
        }
    }
    let mut bytes = Vec::new();
    let mut buf = vec![0u8; 64 * 1024];
    loop {
        let n = response
            .read(&mut buf)
            .map_err(|e| fail(format!("reading the body: {}", error_chain(&e))))?;
        if n == 0 {
            break;
        }
        bytes.extend_from_slice(&buf[..n]);
        if bytes.len() as u64 > cap {
            return Err(fail(format!(
                "body exceeds the {} limit (after decompression)",
                mib(cap)
            )));
        }
        if started.elapsed() > limits.total_timeout {
            return Err(fail(format!(
                "download took longer than {} s",
                limits.total_timeout.as_secs()
            )));
        }
    }
    Ok(bytes)
}

/// Every message of an error's chain, joined with `: `, without repeats and without
/// credentials.
fn error_chain(e: &dyn std::error::Error) -> String {
    let mut parts: Vec<String> = Vec::new();
    let mut cur = Some(e);
    while let Some(err) = cur {
        let msg = strip_urls(&err.to_string());
        if !parts.iter().any(|p| p.contains(&msg)) {
            parts.push(msg);
        }
        cur = err.source();
    }
    parts.join(": ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn recognises_file_names() {
        let cases = [
            (
                "cities500_ua_ru_neighbours.txt.gz",
                Some(SourceKind::GeoNames),
            ),
            ("cities500.zip", Some(SourceKind::GeoNames)),
            ("cities15000_world_rest.txt.gz", Some(SourceKind::GeoNames)),
            ("UA.zip", Some(SourceKind::GeoNames)),
            ("RU.txt", Some(SourceKind::GeoNames)),
            ("UA.txt.gz", Some(SourceKind::GeoNames)),
            ("admin1Codes_ua_ru.txt", Some(SourceKind::Admin1Codes)),
            ("admin2Codes.txt", Some(SourceKind::Admin2Codes)),
            ("geonames_admin_ua_ru.tsv", Some(SourceKind::GeoNamesAdmin)),
            ("ua_settlements_katottg.tsv.gz", Some(SourceKind::Katottg)),
            ("overlay.tsv", Some(SourceKind::Overlay)),
            ("country_names.tsv", Some(SourceKind::CountryNames)),
            ("README.md", None),
            (
                "deepstate_occupied_weekly_2024-07_to_2026-08.geojson.gz",
                None,
            ),
            ("ua.txt", None),
            ("USA.zip", None),
        ];
        for (name, want) in cases {
            assert_eq!(recognise(name), want, "{name}");
        }
    }

    #[test]
    fn url_file_names() {
        assert_eq!(
            url_file_name("https://example.org/dump/UA.zip?x=1").unwrap(),
            "UA.zip"
        );
        assert!(url_file_name("https://example.org/").is_err());
        assert!(url_file_name("not a url").is_err());
    }

    #[test]
    fn zip_dumps() {
        use std::io::Write;
        let zip_of = |entries: &[(&str, &str)]| {
            let mut w = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
            for (name, text) in entries {
                w.start_file(*name, zip::write::SimpleFileOptions::default())
                    .unwrap();
                w.write_all(text.as_bytes()).unwrap();
            }
            w.finish().unwrap().into_inner()
        };
        let bytes = zip_of(&[("readme.txt", "about"), ("UA.txt", "1\tKyiv")]);
        let text = decode(Path::new("UA.zip"), "UA.zip", bytes, MAX_TEXT_BYTES).unwrap();
        assert_eq!(text, "1\tKyiv");
        // Named otherwise: the one .txt that is not the readme.
        let bytes = zip_of(&[("readme.txt", "about"), ("dump.txt", "x")]);
        assert_eq!(
            decode(Path::new("RU.zip"), "RU.zip", bytes, MAX_TEXT_BYTES).unwrap(),
            "x"
        );
        let bytes = zip_of(&[("a.txt", "1"), ("b.txt", "2")]);
        let err = decode(Path::new("RU.zip"), "RU.zip", bytes, MAX_TEXT_BYTES).unwrap_err();
        assert!(
            err.to_string().contains("expected one dump 'RU.txt'"),
            "{err}"
        );
        let err = decode(
            Path::new("UA.zip"),
            "UA.zip",
            b"junk".to_vec(),
            MAX_TEXT_BYTES,
        )
        .unwrap_err();
        assert!(
            err.to_string().starts_with("UA.zip: not a valid zip"),
            "{err}"
        );
    }

    #[test]
    fn gzip_and_caps() {
        use std::io::Write;
        let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
        gz.write_all("a\tb\n".as_bytes()).unwrap();
        let bytes = gz.finish().unwrap();
        let text = decode(Path::new("x.tsv.gz"), "x.tsv.gz", bytes, MAX_TEXT_BYTES).unwrap();
        assert_eq!(text, "a\tb\n");
        let err = decode(
            Path::new("x.gz"),
            "x.gz",
            b"not gzip".to_vec(),
            MAX_TEXT_BYTES,
        )
        .unwrap_err();
        assert!(err.to_string().starts_with("x.gz: not valid gzip"), "{err}");
        let err = decode(
            Path::new("x.txt"),
            "x.txt",
            vec![0xff, 0xfe],
            MAX_TEXT_BYTES,
        )
        .unwrap_err();
        assert!(err.to_string().contains("not UTF-8"), "{err}");
    }

    fn small_limits() -> Limits {
        Limits {
            text_bytes: 1 << 20,
            download_bytes: 1 << 20,
            connect_timeout: Duration::from_secs(2),
            io_timeout: Duration::from_millis(500),
            total_timeout: Duration::from_secs(5),
        }
    }

    fn gzip(bytes: &[u8]) -> Vec<u8> {
        use std::io::Write;
        let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
        gz.write_all(bytes).unwrap();
        gz.finish().unwrap()
    }

    /// Small files that inflate past the cap stop at the cap with a clear message.
    #[test]
    fn zip_and_gzip_bombs_stop_at_the_cap() {
        use std::io::Write;
        let zeros = vec![0u8; 16 << 20];
        let mut w = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
        let options = zip::write::SimpleFileOptions::default()
            .compression_method(zip::CompressionMethod::Deflated);
        w.start_file("UA.txt", options).unwrap();
        w.write_all(&zeros).unwrap();
        let zip = w.finish().unwrap().into_inner();
        assert!(zip.len() < 100_000, "a bomb: {} bytes", zip.len());
        let err = decode(Path::new("d/UA.zip"), "UA.zip", zip, 1 << 20).unwrap_err();
        assert_eq!(
            err.to_string(),
            "d/UA.zip: UA.txt decompresses to more than 1 MiB (a damaged file or a zip bomb)"
        );
        let gz = gzip(&zeros);
        assert!(gz.len() < 100_000, "a bomb: {} bytes", gz.len());
        let err = decode(Path::new("d/x.tsv.gz"), "x.tsv.gz", gz, 1 << 20).unwrap_err();
        assert_eq!(
            err.to_string(),
            "d/x.tsv.gz: decompresses to more than 1 MiB (a damaged file or a gzip bomb)"
        );
        // A file over the cap is refused before it is read.
        let dir = tempfile::tempdir().unwrap();
        let big = dir.path().join("UA.txt");
        std::fs::write(&big, vec![b'a'; (1 << 20) + 1]).unwrap();
        let err = collect_with(&[big.display().to_string()], dir.path(), &small_limits())
            .unwrap_err()
            .to_string();
        assert!(
            err.ends_with("UA.txt: larger than 1 MiB, not a source the build reads"),
            "{err}"
        );
    }

    /// Answers each connection on 127.0.0.1 by its path: `/bomb/UA.txt` a gzip bomb,
    /// `/hang/UA.txt` never answers, `/hop/N/UA.txt` redirects to N+1, anything else 404.
    fn server() -> String {
        use std::io::{BufRead, BufReader, Write};
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let addr = listener.local_addr().unwrap();
        let bomb = std::sync::Arc::new(gzip(&vec![b'a'; 16 << 20]));
        std::thread::spawn(move || {
            for stream in listener.incoming().flatten() {
                let bomb = bomb.clone();
                std::thread::spawn(move || {
                    let mut reader = BufReader::new(stream.try_clone().unwrap());
                    let mut first = String::new();
                    let _ = reader.read_line(&mut first);
                    loop {
                        let mut h = String::new();
                        if reader.read_line(&mut h).unwrap_or(0) == 0 || h.trim().is_empty() {
                            break;
                        }
                    }
                    let path = first.split(' ').nth(1).unwrap_or("/").to_string();
                    let mut stream = stream;
                    let (head, body) = if path == "/bomb/UA.txt" {
                        let body = bomb.to_vec();
                        ("200 OK\r\nContent-Encoding: gzip".to_string(), body)
                    } else if path == "/hang/UA.txt" {
                        std::thread::sleep(Duration::from_secs(5));
                        return;
                    } else if let Some(n) = path.strip_prefix("/hop/") {
                        let n: usize = n.split('/').next().unwrap().parse().unwrap();
                        (
                            format!("302 Found\r\nLocation: /hop/{}/UA.txt", n + 1),
                            Vec::new(),
                        )
                    } else {
                        ("404 Not Found".to_string(), Vec::new())
                    };
                    let _ = write!(
                        stream,
                        "HTTP/1.1 {head}\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
                        body.len()
                    );
                    let _ = stream.write_all(&body);
                });
            }
        });
        addr.to_string()
    }

    #[test]
    fn url_sources_are_bounded_and_never_show_credentials() {
        let addr = server();
        let dir = tempfile::tempdir().unwrap();
        let run = |url: String| {
            collect_with(&[url], dir.path(), &small_limits())
                .unwrap_err()
                .to_string()
        };
        // (URL, the message it gives)
        let cases = [
            (
                format!("http://{addr}/bomb/UA.txt"),
                format!(
                    "http://{addr}/bomb/UA.txt: body exceeds the 1 MiB limit (after decompression)"
                ),
            ),
            (
                "ftp://example.org/UA.zip".to_string(),
                "ftp://example.org/UA.zip: unsupported URL scheme 'ftp' (only http and https)"
                    .to_string(),
            ),
            (
                "file:///etc/UA.txt".to_string(),
                "file:///etc/UA.txt: unsupported URL scheme 'file' (only http and https)"
                    .to_string(),
            ),
            (
                format!("http://me:s3cret@{addr}/missing/UA.txt"),
                format!("http://{addr}/missing/UA.txt: HTTP status 404 Not Found"),
            ),
        ];
        for (url, want) in cases {
            assert_eq!(run(url), want);
        }
        let err = run(format!("http://me:s3cret@{addr}/hop/0/UA.txt"));
        assert!(err.contains("too many redirects"), "{err}");
        assert!(!err.contains("s3cret"), "{err}");
        let started = std::time::Instant::now();
        let err = run(format!("http://{addr}/hang/UA.txt"));
        assert!(
            err.contains("timed out") || err.contains("timeout"),
            "{err}"
        );
        // The 500 ms timeout, not the server's 5 s, ended it.
        assert!(
            started.elapsed() < Duration::from_secs(4),
            "{:?}",
            started.elapsed()
        );
    }
}
