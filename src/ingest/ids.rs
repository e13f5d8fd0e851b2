//! Article ids: stable across runs, unique within a run, and safe as file names on every
//! platform (later stages write one file per article).

use std::collections::HashSet;

use unicode_normalization::UnicodeNormalization;

/// Longest id `safe_id` returns, in bytes (file systems allow 255; this leaves room for
/// suffixes and extensions).
pub const MAX_ID_BYTES: usize = 100;

/// 64-bit FNV-1a: tiny, and stable across runs, platforms and Rust versions (unlike
/// `DefaultHasher`), which ids and cache file names need.
pub fn fnv1a64(bytes: &[u8]) -> u64 {
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    for &b in bytes {
        hash ^= u64::from(b);
        hash = hash.wrapping_mul(0x0000_0100_0000_01b3);
    }
    hash
}

/// Eight hex digits of `fnv1a64(s)`: enough to tell apart the ids of one corpus.
pub fn short_hash(s: &str) -> String {
    format!("{:08x}", fnv1a64(s.as_bytes()) as u32)
}

/// Turns any string into a name that is safe as a file name and cannot leave a folder:
/// only `[A-Za-z0-9._-]` and non-ASCII letters and digits are kept (anything else becomes
/// `_`, runs of `_` collapse, path parts made only of dots are dropped), no leading dots or
/// dashes and no trailing dots, never empty (`article`), never a Windows reserved name
/// (`CON`, `nul.txt`… get a leading `_`), at most `MAX_ID_BYTES` bytes (longer names are cut
/// on a character boundary and end in `-` and a hash of the whole name, so they stay distinct).
pub fn safe_id(raw: &str) -> String {
    let keep = |c: char| {
        if c.is_ascii_alphanumeric()
            || matches!(c, '.' | '-')
            || (!c.is_ascii() && c.is_alphanumeric())
        {
            c
        } else {
            '_'
        }
    };
    // ASCII is its own NFC form; composing it char by char was most of the cost of an id.
    let mapped: String = match raw.is_ascii() {
        true => raw.chars().map(keep).collect(),
        false => raw.nfc().map(keep).collect(),
    };
    // `..` and `.` between separators are path steps, not names: drop them.
    let parts: Vec<&str> = mapped
        .split('_')
        .filter(|p| !p.is_empty() && !p.chars().all(|c| c == '.'))
        .collect();
    let joined = parts.join("_");
    let mut id = joined
        .trim_start_matches(['.', '-', '_'])
        .trim_end_matches(['.', '_'])
        .to_string();
    if id.is_empty() {
        id = "article".to_string();
    }
    if is_windows_reserved(&id) {
        id.insert(0, '_');
    }
    if id.len() > MAX_ID_BYTES {
        let hash = short_hash(&id);
        let mut cut = MAX_ID_BYTES - hash.len() - 1;
        while !id.is_char_boundary(cut) {
            cut -= 1;
        }
        let head = id[..cut].trim_end_matches(['.', '_', '-']);
        id = format!("{head}-{hash}");
    }
    id
}

/// Windows refuses these names, with or without an extension, in any case.
fn is_windows_reserved(id: &str) -> bool {
    let stem = id.split('.').next().unwrap_or(id).to_ascii_uppercase();
    match stem.as_str() {
        "CON" | "PRN" | "AUX" | "NUL" => true,
        s if s.len() == 4 && (s.starts_with("COM") || s.starts_with("LPT")) => {
            s.as_bytes()[3].is_ascii_digit()
        }
        _ => false,
    }
}

/// The id of an article read from a URL: the last non-empty path segment without its
/// extension (or the host), then `-` and a short hash of the whole URL, so that
/// `…/news/index.html` pages of different sites stay apart and the id does not change
/// between runs.
pub fn url_id(url: &str) -> String {
    let without_query = url.split(['?', '#']).next().unwrap_or(url);
    let after_scheme = without_query
        .split_once("://")
        .map_or(without_query, |(_, rest)| rest);
    let mut segments = after_scheme.split('/').filter(|s| !s.is_empty());
    let host = segments.next().unwrap_or("");
    let stem = match segments.next_back() {
        Some(last) => match last.rsplit_once('.') {
            Some((stem, ext)) if !stem.is_empty() && ext.len() <= 5 => stem,
            _ => last,
        },
        None => host,
    };
    let hash = short_hash(url);
    let base = safe_id(stem);
    // Keep room for the hash within MAX_ID_BYTES.
    let mut cut = base.len().min(MAX_ID_BYTES - hash.len() - 1);
    while !base.is_char_boundary(cut) {
        cut -= 1;
    }
    format!("{}-{hash}", &base[..cut])
}

/// Hands out ids unique within one run: the second `x` becomes `x-2`, the third `x-3`.
/// Compared case-insensitively, because file systems may fold case (`A.json`, `a.json`).
#[derive(Debug, Default)]
pub struct IdRegistry {
    seen: HashSet<String>,
}

impl IdRegistry {
    pub fn new() -> Self {
        Self::default()
    }

    /// `id` (already safe) or the first free `id-N`.
    pub fn unique(&mut self, id: String) -> String {
        if self.seen.insert(id.to_lowercase()) {
            return id;
        }
        let mut n = 2usize;
        loop {
            let candidate = format!("{id}-{n}");
            if self.seen.insert(candidate.to_lowercase()) {
                return candidate;
            }
            n += 1;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn safe_id_table() {
        let cases: &[(&str, &str)] = &[
            ("../../etc/passwd", "etc_passwd"),
            ("/abs/path", "abs_path"),
            ("C:\\Users\\x\\a.txt", "C_Users_x_a.txt"),
            ("CON", "_CON"),
            ("con", "_con"),
            ("nul.txt", "_nul.txt"),
            ("COM1", "_COM1"),
            ("lpt9.log", "_lpt9.log"),
            ("COM", "COM"),
            ("CONSOLE", "CONSOLE"),
            ("", "article"),
            ("...", "article"),
            ("///", "article"),
            (".hidden", "hidden"),
            ("-rf", "rf"),
            ("trailing.", "trailing"),
            ("a b\tc", "a_b_c"),
            ("a__b", "a_b"),
            ("kharkiv-2022.09.12", "kharkiv-2022.09.12"),
            ("Харків", "Харків"),
            ("Pokrowsk łódź", "Pokrowsk_łódź"),
            ("a:b*c?d\"e<f>g|h", "a_b_c_d_e_f_g_h"),
            ("x\0y", "x_y"),
        ];
        for (raw, want) in cases {
            assert_eq!(safe_id(raw), *want, "safe_id({raw:?})");
        }
    }

    #[test]
    fn safe_id_combines_decomposed_letters() {
        // "й" as и + combining breve must not become "и_".
        assert_eq!(safe_id("Киі\u{0308}в"), "Київ");
        assert_eq!(safe_id("Ки\u{0306}ів"), "Кйів");
    }

    #[test]
    fn long_ids_are_cut_on_char_boundary_and_stay_distinct() {
        let a = "ж".repeat(150);
        let b = format!("{}x", "ж".repeat(150));
        let (ia, ib) = (safe_id(&a), safe_id(&b));
        assert!(ia.len() <= MAX_ID_BYTES, "{}", ia.len());
        assert!(ib.len() <= MAX_ID_BYTES);
        assert_ne!(ia, ib);
        let ascii = safe_id(&"a".repeat(300));
        assert_eq!(ascii.len(), MAX_ID_BYTES);
    }

    #[test]
    fn safe_id_output_is_always_safe() {
        let nasty = [
            "..",
            "./..",
            "a/../../b",
            "\u{202e}evil",
            "  ",
            "\u{feff}",
            "🙂",
            "a..b",
        ];
        for raw in nasty {
            let id = safe_id(raw);
            assert!(!id.is_empty());
            assert!(!id.starts_with('.'), "{raw:?} -> {id:?}");
            assert!(!id.contains('/') && !id.contains('\\') && id != "..");
            assert!(id.chars().all(|c| c.is_ascii_alphanumeric()
                || "._-".contains(c)
                || (!c.is_ascii() && c.is_alphanumeric())));
        }
    }

    #[test]
    fn url_ids() {
        let a = url_id("https://example.com/news/2022/kharkiv-counteroffensive.html?utm=1");
        assert!(a.starts_with("kharkiv-counteroffensive-"), "{a}");
        let b = url_id("https://example.org/");
        assert!(b.starts_with("example.org-"), "{b}");
        assert_ne!(
            url_id("https://a.example/index.html"),
            url_id("https://b.example/index.html")
        );
        assert_eq!(url_id("https://a.example/x"), url_id("https://a.example/x"));
        assert!(url_id(&format!("https://a.example/{}", "z".repeat(400))).len() <= MAX_ID_BYTES);
    }

    #[test]
    fn fnv_is_stable() {
        // Published FNV-1a 64 test vectors: these must never change (cache names depend on them).
        assert_eq!(fnv1a64(b""), 0xcbf29ce484222325);
        assert_eq!(fnv1a64(b"a"), 0xaf63dc4c8601ec8c);
        assert_eq!(fnv1a64(b"foobar"), 0x85944171f73967e8);
    }

    #[test]
    fn registry_suffixes_case_insensitively() {
        let mut r = IdRegistry::new();
        assert_eq!(r.unique("A".into()), "A");
        assert_eq!(r.unique("a".into()), "a-2");
        assert_eq!(r.unique("a".into()), "a-3");
        assert_eq!(r.unique("a-2".into()), "a-2-2");
        assert_eq!(r.unique("b".into()), "b");
    }
}
