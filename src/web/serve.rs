//! A tiny static file server for `frontmap view`: GET only, on 127.0.0.1, never a path outside the folder.
//!
//! The page itself works from `file://`; the server is for browsers or setups that will not open local files, and
//! for fetching single layers (`/events.geojson`) with the right content type. std's `TcpListener` and one thread per
//! connection are plenty for one local user; no HTTP crate needed.

use std::io::{Read, Write};
use std::net::{Ipv4Addr, SocketAddr, TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::time::Duration;

use crate::{Error, Result};

/// Requests larger than this (request line and headers) are refused: a browser's GET is far smaller.
const MAX_HEAD_BYTES: usize = 16 * 1024;

/// Serves `dir` on 127.0.0.1:`port` (0: any free port) until the process ends, after printing
/// `http://127.0.0.1:PORT/` to stderr.
pub fn serve(dir: &Path, port: u16) -> Result<()> {
    let server = Server::bind(dir, port)?;
    eprintln!("frontmap: serving {} at {}", dir.display(), server.url());
    eprintln!("frontmap: press Ctrl-C to stop");
    server.run()
}

/// A bound, not yet running server; `bind` then `run` (tests read `url` in between).
pub struct Server {
    listener: TcpListener,
    root: PathBuf,
    addr: SocketAddr,
}

impl Server {
    /// Binds 127.0.0.1:`port` (0: any free port) to serve the folder `dir`.
    pub fn bind(dir: &Path, port: u16) -> Result<Server> {
        let root = dir.canonicalize().map_err(|e| Error::io(dir, e))?;
        if !root.is_dir() {
            return Err(Error::Invalid(format!("{}: not a folder", dir.display())));
        }
        let listener = TcpListener::bind((Ipv4Addr::LOCALHOST, port))
            .map_err(|e| Error::Invalid(format!("cannot listen on 127.0.0.1:{port}: {e}")))?;
        let addr = listener
            .local_addr()
            .map_err(|e| Error::Invalid(format!("cannot listen on 127.0.0.1:{port}: {e}")))?;
        Ok(Server {
            listener,
            root,
            addr,
        })
    }

    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// `http://127.0.0.1:PORT/`
    pub fn url(&self) -> String {
        format!("http://{}/", self.addr)
    }

    /// Answers requests forever, one thread per connection. A failed connection is that client's problem only.
    pub fn run(self) -> Result<()> {
        for stream in self.listener.incoming() {
            let Ok(stream) = stream else { continue };
            let root = self.root.clone();
            std::thread::spawn(move || handle(&root, stream));
        }
        Ok(())
    }
}

fn handle(root: &Path, mut stream: TcpStream) {
    // A stalled client must not hold its thread forever.
    let _ = stream.set_read_timeout(Some(Duration::from_secs(10)));
    let _ = stream.set_write_timeout(Some(Duration::from_secs(30)));
    let response = match read_head(&mut stream) {
        Some(head) => respond(root, &head),
        None => Response::error(400, "Bad Request"),
    };
    let _ = stream.write_all(&response.to_bytes());
    let _ = stream.flush();
}

/// The request line and headers, up to the blank line; None when too long, cut off or not UTF-8.
fn read_head(stream: &mut TcpStream) -> Option<String> {
    let mut head = Vec::with_capacity(1024);
    let mut buf = [0u8; 2048];
    while !head.windows(4).any(|w| w == b"\r\n\r\n") && !head.windows(2).any(|w| w == b"\n\n") {
        if head.len() > MAX_HEAD_BYTES {
            return None;
        }
        let n = stream.read(&mut buf).ok()?;
        if n == 0 {
            // A client that closed after its request line still deserves an answer.
            break;
        }
        head.extend_from_slice(&buf[..n]);
    }
    String::from_utf8(head).ok()
}

/// One HTTP response.
#[derive(Debug, PartialEq)]
pub(crate) struct Response {
    pub status: u16,
    pub reason: &'static str,
    pub content_type: &'static str,
    pub body: Vec<u8>,
}

impl Response {
    fn error(status: u16, reason: &'static str) -> Response {
        Response {
            status,
            reason,
            content_type: "text/plain; charset=utf-8",
            body: format!("{status} {reason}\n").into_bytes(),
        }
    }

    fn to_bytes(&self) -> Vec<u8> {
        let mut head = format!(
            "HTTP/1.1 {} {}\r\nContent-Type: {}\r\nContent-Length: {}\r\nX-Content-Type-Options: nosniff\r\n\
             Cache-Control: no-store\r\nConnection: close\r\n",
            self.status,
            self.reason,
            self.content_type,
            self.body.len()
        );
        if self.status == 405 {
            head.push_str("Allow: GET\r\n");
        }
        head.push_str("\r\n");
        let mut bytes = head.into_bytes();
        bytes.extend_from_slice(&self.body);
        bytes
    }
}

/// The answer to one request head, reading files under `root` (canonical).
pub(crate) fn respond(root: &Path, head: &str) -> Response {
    let mut parts = head.lines().next().unwrap_or("").split(' ');
    let (Some(method), Some(target), Some(version)) = (parts.next(), parts.next(), parts.next())
    else {
        return Response::error(400, "Bad Request");
    };
    if !version.starts_with("HTTP/") {
        return Response::error(400, "Bad Request");
    }
    if method != "GET" {
        return Response::error(405, "Method Not Allowed");
    }
    let segments = match url_path(target) {
        Ok(segments) => segments,
        Err(status) => return Response::error(status, reason(status)),
    };
    let mut path = root.to_path_buf();
    path.extend(&segments);
    if path.is_dir() {
        path.push("index.html");
    }
    // A symlink inside the folder must not lead out of it.
    let path = match path.canonicalize() {
        Ok(path) if path.starts_with(root) => path,
        Ok(_) => return Response::error(403, "Forbidden"),
        Err(_) => return Response::error(404, "Not Found"),
    };
    match std::fs::read(&path) {
        Ok(body) => Response {
            status: 200,
            reason: "OK",
            content_type: content_type(&path),
            body,
        },
        Err(_) => Response::error(404, "Not Found"),
    }
}

fn reason(status: u16) -> &'static str {
    match status {
        400 => "Bad Request",
        403 => "Forbidden",
        _ => "Not Found",
    }
}

/// The request target's path as plain segments: query and fragment dropped, percent-escapes decoded (then
/// `/` splits, so an escaped `%2F` or `%2e%2e` is judged like the plain one), empty and `.` segments dropped.
/// 400 for a malformed target, 403 for `..`, a backslash, a drive colon or NUL.
fn url_path(target: &str) -> std::result::Result<Vec<String>, u16> {
    let path = target.split(['?', '#']).next().unwrap_or("");
    if !path.starts_with('/') {
        return Err(400);
    }
    let decoded = percent_decode(path).ok_or(400u16)?;
    let decoded = String::from_utf8(decoded).map_err(|_| 400u16)?;
    let mut segments = Vec::new();
    for segment in decoded.split('/') {
        match segment {
            "" | "." => {}
            ".." => return Err(403),
            s if s.contains(['\\', ':', '\0']) => return Err(403),
            s => segments.push(s.to_string()),
        }
    }
    Ok(segments)
}

/// `%XX` to bytes; None on a `%` not followed by two hex digits. `+` stays a plus: this is a path, not a form.
fn percent_decode(text: &str) -> Option<Vec<u8>> {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' {
            let hex = bytes.get(i + 1..i + 3)?;
            let hex = std::str::from_utf8(hex).ok()?;
            out.push(u8::from_str_radix(hex, 16).ok()?);
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    Some(out)
}

fn content_type(path: &Path) -> &'static str {
    let ext = path
        .extension()
        .and_then(|e| e.to_str())
        .unwrap_or("")
        .to_ascii_lowercase();
    match ext.as_str() {
        "html" | "htm" => "text/html; charset=utf-8",
        "js" => "text/javascript; charset=utf-8",
        "css" => "text/css; charset=utf-8",
        "json" => "application/json",
        "geojson" => "application/geo+json",
        "jsonl" => "application/jsonl",
        "csv" => "text/csv; charset=utf-8",
        "txt" | "md" => "text/plain; charset=utf-8",
        "png" => "image/png",
        "svg" => "image/svg+xml",
        _ => "application/octet-stream",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn url_paths() {
        let ok: [(&str, &[&str]); 9] = [
            ("/", &[]),
            ("/index.html", &["index.html"]),
            (
                "/dates/2024-07-01.geojson?x=1#y",
                &["dates", "2024-07-01.geojson"],
            ),
            ("//a//b/", &["a", "b"]),
            ("/./a", &["a"]),
            ("/a%20b.geojson", &["a b.geojson"]),
            ("/a+b", &["a+b"]),
            ("/%D0%9A%D0%B8%D1%97%D0%B2", &["Київ"]),
            ("/a%2Fb", &["a", "b"]),
        ];
        for (target, expected) in ok {
            assert_eq!(
                url_path(target),
                Ok(expected.iter().map(|s| s.to_string()).collect()),
                "{target}"
            );
        }
        let refused = [
            ("/../etc/passwd", 403),
            ("/a/../../x", 403),
            ("/%2e%2e/x", 403),
            ("/%2E%2E%2Fx", 403),
            ("/a%2F..%2Fb", 403),
            ("/..%5c..%5cx", 403),
            ("/a\\b", 403),
            ("/c:/x", 403),
            ("/a%00b", 403),
            ("/%zz", 400),
            ("/%4", 400),
            ("/%ff", 400),
            ("relative", 400),
            ("", 400),
            ("http://example.com/", 400),
        ];
        for (target, status) in refused {
            assert_eq!(url_path(target), Err(status), "{target}");
        }
    }

    #[test]
    fn responses() {
        let dir = tempfile::tempdir().expect("tempdir");
        std::fs::write(dir.path().join("index.html"), "<p>hi</p>").expect("write");
        std::fs::write(dir.path().join("events.geojson"), "{}").expect("write");
        std::fs::create_dir(dir.path().join("dates")).expect("mkdir");
        std::fs::write(dir.path().join("dates/2024-07-01.geojson"), "{}").expect("write");
        let root = dir.path().canonicalize().expect("canonical");
        let cases = [
            (
                "GET / HTTP/1.1\r\nHost: x\r\n\r\n",
                200,
                "text/html; charset=utf-8",
            ),
            (
                "GET /index.html HTTP/1.0\r\n\r\n",
                200,
                "text/html; charset=utf-8",
            ),
            (
                "GET /events.geojson HTTP/1.1\r\n\r\n",
                200,
                "application/geo+json",
            ),
            (
                "GET /dates/2024-07-01.geojson HTTP/1.1\r\n\r\n",
                200,
                "application/geo+json",
            ),
            (
                "GET /dates/ HTTP/1.1\r\n\r\n",
                404,
                "text/plain; charset=utf-8",
            ),
            (
                "GET /missing.json HTTP/1.1\r\n\r\n",
                404,
                "text/plain; charset=utf-8",
            ),
            (
                "GET /../index.html HTTP/1.1\r\n\r\n",
                403,
                "text/plain; charset=utf-8",
            ),
            ("POST / HTTP/1.1\r\n\r\n", 405, "text/plain; charset=utf-8"),
            ("HEAD / HTTP/1.1\r\n\r\n", 405, "text/plain; charset=utf-8"),
            ("GET /\r\n\r\n", 400, "text/plain; charset=utf-8"),
            ("garbage", 400, "text/plain; charset=utf-8"),
        ];
        for (head, status, content_type) in cases {
            let response = respond(&root, head);
            assert_eq!(response.status, status, "{head:?}");
            assert_eq!(response.content_type, content_type, "{head:?}");
        }
        assert_eq!(respond(&root, "GET / HTTP/1.1\r\n\r\n").body, b"<p>hi</p>");
    }

    #[cfg(unix)]
    #[test]
    fn symlink_out_of_the_folder_is_refused() {
        let outside = tempfile::tempdir().expect("tempdir");
        std::fs::write(outside.path().join("secret.txt"), "secret").expect("write");
        let dir = tempfile::tempdir().expect("tempdir");
        std::os::unix::fs::symlink(
            outside.path().join("secret.txt"),
            dir.path().join("link.txt"),
        )
        .expect("symlink");
        let root = dir.path().canonicalize().expect("canonical");
        assert_eq!(respond(&root, "GET /link.txt HTTP/1.1\r\n\r\n").status, 403);
    }
}
