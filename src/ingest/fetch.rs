//! Fetching http(s) pages with reqwest's blocking client: bounded in time, size and
//! redirects, retried with backoff on timeouts and server errors, optionally cached on disk.
//!
//! Messages never contain credentials: `user:password@` is stripped from every URL shown.

use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use reqwest::Url;

use super::ids::fnv1a64;

/// How URLs are fetched.
#[derive(Debug, Clone, PartialEq)]
pub struct FetchOptions {
    /// Time allowed to open the connection.
    pub connect_timeout: Duration,
    /// Time allowed for the whole request, body included (one attempt).
    pub timeout: Duration,
    /// Largest body accepted, counted after gzip decompression.
    pub max_body_bytes: u64,
    /// Redirects followed before giving up.
    pub max_redirects: usize,
    /// Extra attempts after a timeout, a dropped connection or a 5xx answer (never after a 4xx).
    pub retries: u32,
    /// Wait before the first retry; doubled for each further one.
    pub retry_backoff: Duration,
    /// Fetches in flight at once (at least 1).
    pub concurrency: usize,
    pub user_agent: String,
}

impl Default for FetchOptions {
    fn default() -> Self {
        FetchOptions {
            connect_timeout: Duration::from_secs(10),
            timeout: Duration::from_secs(30),
            max_body_bytes: 16 * 1024 * 1024,
            max_redirects: 5,
            retries: 2,
            retry_backoff: Duration::from_millis(500),
            concurrency: 4,
            user_agent: default_user_agent(),
        }
    }
}

/// `frontmap/<version> (+https://github.com/frontmap)`.
pub fn default_user_agent() -> String {
    format!(
        "frontmap/{} (+https://github.com/frontmap)",
        env!("CARGO_PKG_VERSION")
    )
}

/// A fetched (or cached) page.
#[derive(Debug, Clone)]
pub struct Fetched {
    /// `Content-Type` as sent, if any.
    pub content_type: Option<String>,
    pub body: Vec<u8>,
    pub from_cache: bool,
    /// The page was fetched but could not be cached (reported as a warning).
    pub cache_error: Option<String>,
}

/// A parsed http(s) URL, or a message saying why not.
pub fn check_url(raw: &str) -> Result<Url, String> {
    let url = Url::parse(raw.trim()).map_err(|e| format!("invalid URL: {e}"))?;
    match url.scheme() {
        "http" | "https" => Ok(url),
        other => Err(format!(
            "unsupported URL scheme '{other}' (only http and https)"
        )),
    }
}

/// `url` without `user:password@`, for messages, sources and ids.
pub fn redact(raw: &str) -> String {
    match Url::parse(raw) {
        Ok(url) => redact_url(&url),
        // Not a URL we can parse: cut everything between the scheme and the last `@` by hand
        // (a password may hold an unescaped `@`).
        Err(_) => match (raw.find("://"), raw.rfind('@')) {
            (Some(s), Some(at)) if at > s => format!("{}{}", &raw[..s + 3], &raw[at + 1..]),
            _ => raw.to_string(),
        },
    }
}

fn redact_url(url: &Url) -> String {
    let mut url = url.clone();
    // Only fails for URLs that cannot have credentials anyway.
    let _ = url.set_username("");
    let _ = url.set_password(None);
    url.to_string()
}

struct Attempt {
    message: String,
    retryable: bool,
}

/// One client shared by every fetch of a run (it pools connections).
#[derive(Clone)]
pub struct Fetcher {
    client: reqwest::blocking::Client,
    options: FetchOptions,
    cache_dir: Option<PathBuf>,
}

impl Fetcher {
    pub fn new(options: &FetchOptions, cache_dir: Option<PathBuf>) -> Result<Fetcher, String> {
        let max = options.max_redirects;
        let policy = reqwest::redirect::Policy::custom(move |attempt| {
            let next = attempt.url().clone();
            if !matches!(next.scheme(), "http" | "https") {
                let msg = format!("redirect to unsupported scheme '{}'", next.scheme());
                return attempt.error(msg);
            }
            if attempt.previous().contains(&next) {
                let msg = format!(
                    "redirect loop: {} redirects back to itself",
                    redact_url(&next)
                );
                return attempt.error(msg);
            }
            // `previous` holds the first URL too, so its length is the redirects followed so far.
            if attempt.previous().len() > max {
                return attempt.error(format!("too many redirects (more than {max})"));
            }
            attempt.follow()
        });
        let client = reqwest::blocking::Client::builder()
            .user_agent(options.user_agent.clone())
            .connect_timeout(options.connect_timeout)
            .timeout(options.timeout)
            .redirect(policy)
            .gzip(true)
            .build()
            .map_err(|e| format!("cannot start the HTTP client: {}", chain(&e)))?;
        Ok(Fetcher {
            client,
            options: options.clone(),
            cache_dir,
        })
    }

    /// The page at `url` (checked with `check_url`), from the cache when it is there.
    /// The error message does not repeat the URL (the caller's `Failure` names it).
    pub fn fetch(&self, url: &Url) -> Result<Fetched, String> {
        let shown = redact_url(url);
        let cache_path = self.cache_dir.as_ref().map(|d| cache_path(d, &shown));
        if let Some(path) = &cache_path {
            if let Some((content_type, body)) =
                read_cache(path, &shown, self.options.max_body_bytes)
            {
                return Ok(Fetched {
                    content_type,
                    body,
                    from_cache: true,
                    cache_error: None,
                });
            }
        }
        let mut attempt = 0u32;
        let (content_type, body) = loop {
            match self.fetch_once(url) {
                Ok(got) => break got,
                Err(e) if e.retryable && attempt < self.options.retries => {
                    std::thread::sleep(
                        self.options
                            .retry_backoff
                            .saturating_mul(1 << attempt.min(16)),
                    );
                    attempt += 1;
                }
                Err(e) if attempt > 0 => {
                    return Err(format!("{} (after {} attempts)", e.message, attempt + 1));
                }
                Err(e) => return Err(e.message),
            }
        };
        let cache_error = cache_path.and_then(|path| {
            write_cache(&path, &shown, content_type.as_deref(), &body)
                .err()
                .map(|e| format!("cannot cache the page in {}: {e}", path.display()))
        });
        Ok(Fetched {
            content_type,
            body,
            from_cache: false,
            cache_error,
        })
    }

    fn fetch_once(&self, url: &Url) -> Result<(Option<String>, Vec<u8>), Attempt> {
        let started = Instant::now();
        let mut response = self
            .client
            .get(url.clone())
            .send()
            .map_err(|e| self.classify(&e))?;
        let status = response.status();
        if !status.is_success() {
            return Err(Attempt {
                message: format!(
                    "HTTP {} {}",
                    status.as_u16(),
                    status.canonical_reason().unwrap_or("")
                )
                .trim_end()
                .to_string(),
                retryable: status.is_server_error(),
            });
        }
        let limit = self.options.max_body_bytes;
        if let Some(len) = response.content_length() {
            if len > limit {
                return Err(Attempt {
                    message: format!("body of {len} bytes is over the limit of {limit} bytes"),
                    retryable: false,
                });
            }
        }
        let content_type = response
            .headers()
            .get(reqwest::header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .map(str::to_string);
        // Read in chunks so that the limit holds on decompressed bytes and a slow body
        // cannot outlast the total timeout by much.
        let mut body = Vec::new();
        let mut buf = [0u8; 16 * 1024];
        loop {
            let n = response.read(&mut buf).map_err(|e| self.classify_io(&e))?;
            if n == 0 {
                break;
            }
            body.extend_from_slice(&buf[..n]);
            if body.len() as u64 > limit {
                return Err(Attempt {
                    message: format!(
                        "body is over the limit of {limit} bytes (after decompression)"
                    ),
                    retryable: false,
                });
            }
            if started.elapsed() > self.options.timeout {
                return Err(self.timed_out());
            }
        }
        Ok((content_type, body))
    }

    fn timed_out(&self) -> Attempt {
        Attempt {
            message: format!(
                "timed out (connect timeout {:?}, total timeout {:?})",
                self.options.connect_timeout, self.options.timeout
            ),
            retryable: true,
        }
    }

    fn classify(&self, e: &reqwest::Error) -> Attempt {
        if e.is_timeout() {
            return self.timed_out();
        }
        if e.is_redirect() {
            return Attempt {
                message: innermost(e),
                retryable: false,
            };
        }
        if e.is_connect() {
            return Attempt {
                message: format!("cannot connect: {}", innermost(e)),
                retryable: false,
            };
        }
        // The connection broke after it was made (reset, closed early): worth another try.
        Attempt {
            message: chain(e),
            retryable: e.is_request() || e.is_body() || e.is_decode(),
        }
    }

    fn classify_io(&self, e: &std::io::Error) -> Attempt {
        if let Some(inner) = e.get_ref().and_then(|i| i.downcast_ref::<reqwest::Error>()) {
            let mut a = self.classify(inner);
            a.retryable |= !inner.is_redirect();
            return a;
        }
        if e.kind() == std::io::ErrorKind::TimedOut {
            return self.timed_out();
        }
        Attempt {
            message: format!("reading the body: {e}"),
            retryable: true,
        }
    }
}

/// The deepest cause of an error (`Connection refused (os error 111)`, our redirect messages).
fn innermost(e: &(dyn std::error::Error + 'static)) -> String {
    let mut cur = e;
    while let Some(next) = cur.source() {
        cur = next;
    }
    strip_urls(&cur.to_string())
}

/// Every message of an error's chain, joined with `: `, without repeats and without URLs.
fn chain(e: &reqwest::Error) -> String {
    let top = e.to_string();
    let mut parts = vec![match top.find(" for url (") {
        Some(i) => top[..i].to_string(),
        None => top,
    }];
    let mut cur: Option<&(dyn std::error::Error + 'static)> = std::error::Error::source(e);
    while let Some(err) = cur {
        let msg = strip_urls(&err.to_string());
        if !parts.iter().any(|p| p.contains(&msg)) {
            parts.push(msg);
        }
        cur = err.source();
    }
    parts.join(": ")
}

/// Redacts any URL inside a message.
pub(crate) fn strip_urls(msg: &str) -> String {
    msg.split(' ')
        .map(|w| {
            if w.contains("://") {
                redact(w)
            } else {
                w.to_string()
            }
        })
        .collect::<Vec<_>>()
        .join(" ")
}

/// `<dir>/<16 hex digits of FNV-1a of the URL>.page`.
pub fn cache_path(dir: &Path, url: &str) -> PathBuf {
    dir.join(format!("{:016x}.page", fnv1a64(url.as_bytes())))
}

const CACHE_MAGIC: &str = "frontmap-cache 1";

/// Content type and body of a cached page, if the file is there, whole, for this URL and
/// with a body of at most `max_body` bytes (a hash collision, a damaged or an oversized file
/// reads as a miss and is fetched again).
fn read_cache(path: &Path, url: &str, max_body: u64) -> Option<(Option<String>, Vec<u8>)> {
    // The header is three short lines; anything larger is not a page frontmap cached.
    let cap = max_body.saturating_add(url.len() as u64 + 4096);
    let mut bytes = Vec::new();
    std::fs::File::open(path)
        .ok()?
        .take(cap.saturating_add(1))
        .read_to_end(&mut bytes)
        .ok()?;
    if bytes.len() as u64 > cap {
        return None;
    }
    let mut rest: &[u8] = &bytes;
    let mut header = Vec::new();
    for _ in 0..3 {
        let nl = rest.iter().position(|&b| b == b'\n')?;
        header.push(std::str::from_utf8(&rest[..nl]).ok()?);
        rest = &rest[nl + 1..];
    }
    if header[0] != CACHE_MAGIC || header[1].strip_prefix("url ")? != url {
        return None;
    }
    if rest.len() as u64 > max_body {
        return None;
    }
    let content_type = header[2].strip_prefix("content-type ")?;
    let content_type = (!content_type.is_empty()).then(|| content_type.to_string());
    Some((content_type, rest.to_vec()))
}

/// Written to a temporary file in the cache folder, then renamed: a crash leaves no half page.
fn write_cache(
    path: &Path,
    url: &str,
    content_type: Option<&str>,
    body: &[u8],
) -> std::io::Result<()> {
    let dir = path.parent().unwrap_or(Path::new("."));
    std::fs::create_dir_all(dir)?;
    let mut tmp = tempfile::NamedTempFile::new_in(dir)?;
    let content_type = content_type.unwrap_or("").replace(['\n', '\r'], " ");
    write!(
        tmp,
        "{CACHE_MAGIC}\nurl {url}\ncontent-type {content_type}\n"
    )?;
    tmp.write_all(body)?;
    tmp.as_file().sync_all()?;
    tmp.persist(path).map_err(|e| e.error)?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn url_checks() {
        assert!(check_url("https://example.com/a").is_ok());
        assert!(check_url(" http://example.com ").is_ok());
        assert_eq!(
            check_url("ftp://example.com").unwrap_err(),
            "unsupported URL scheme 'ftp' (only http and https)"
        );
        assert!(check_url("file:///etc/passwd").is_err());
        assert!(check_url("not a url")
            .unwrap_err()
            .starts_with("invalid URL"));
    }

    #[test]
    fn redaction() {
        let cases = [
            (
                "https://user:secret@example.com/a?b=1",
                "https://example.com/a?b=1",
            ),
            ("http://token@example.com/", "http://example.com/"),
            ("https://example.com/", "https://example.com/"),
            ("http://u:p@[bad/x", "http://[bad/x"),
            ("http://u:p@ss@[bad/x", "http://[bad/x"),
        ];
        for (raw, want) in cases {
            assert_eq!(redact(raw), want, "{raw}");
        }
        assert_eq!(
            strip_urls("error for https://a:b@h.example/x now"),
            "error for https://h.example/x now"
        );
    }

    #[test]
    fn cache_round_trip_and_mismatch() {
        let dir = tempfile::tempdir().unwrap();
        let path = cache_path(dir.path(), "https://example.com/a");
        assert!(path
            .file_name()
            .unwrap()
            .to_str()
            .unwrap()
            .ends_with(".page"));
        write_cache(
            &path,
            "https://example.com/a",
            Some("text/html"),
            b"<p>x</p>\nmore",
        )
        .unwrap();
        let (ct, body) = read_cache(&path, "https://example.com/a", 100).unwrap();
        assert_eq!(ct.as_deref(), Some("text/html"));
        assert_eq!(body, b"<p>x</p>\nmore");
        assert!(read_cache(&path, "https://example.com/b", 100).is_none());
        // A body over the limit (a hand-placed or stale file) is a miss, not read whole.
        assert!(read_cache(&path, "https://example.com/a", 5).is_none());
        std::fs::write(&path, b"garbage").unwrap();
        assert!(read_cache(&path, "https://example.com/a", 100).is_none());
    }
}
