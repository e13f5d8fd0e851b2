//! HTML pages: title, article body and publication date, with `scraper`.
//!
//! The body is the first of `[itemprop=articleBody]`, `<article>` (the one with the most
//! text when there are several), `<main>`, `[role=main]` that has text; else the `<p>`
//! paragraphs of the page; else all of the body's text. Script, style, navigation, headers,
//! footers, asides, forms and the like are dropped. Every block element (paragraph, heading,
//! list item, `<br>`…) ends a line, so paragraph breaks survive as `\n`.
//!
//! Nesting is capped at `MAX_DEPTH` elements before parsing: html5ever's tree builder scans
//! the stack of open elements for many tags, so 100,000 nested `<div>`s cost minutes. Tags
//! below the cap are dropped (their text is kept) and `Extracted::warning` says so.

use std::borrow::Cow;

use chrono::NaiveDate;
use scraper::{ElementRef, Html, Node, Selector};

use super::dates::parse_metadata_date;

/// What a page gives: the text may be empty (the caller reports it).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Extracted {
    pub title: Option<String>,
    pub text: String,
    pub published: Option<NaiveDate>,
    /// The page's language from `<html lang>` or its metadata, as an ISO 639-1 code.
    pub lang: Option<String>,
    /// Set when the page nests deeper than `MAX_DEPTH` and markup was dropped.
    pub warning: Option<String>,
}

/// Deepest element nesting kept. Browsers cap the DOM's depth too (Blink at 512); real
/// articles stay far below.
pub const MAX_DEPTH: usize = 512;

/// Elements whose text is never article text.
const DROP: [&str; 15] = [
    "script", "style", "nav", "header", "footer", "aside", "form", "noscript", "template", "svg",
    "iframe", "button", "select", "textarea", "object",
];

/// Elements that start and end a line.
const BLOCK: [&str; 27] = [
    "p",
    "div",
    "section",
    "article",
    "main",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "li",
    "ul",
    "ol",
    "blockquote",
    "pre",
    "tr",
    "table",
    "dd",
    "dt",
    "dl",
    "figure",
    "figcaption",
    "address",
    "hr",
    "br",
    "summary",
];

fn sel(s: &str) -> Selector {
    Selector::parse(s).expect("bug: static CSS selector does not parse")
}

/// Title, body text, publication date and language of an HTML document.
pub fn extract(html: &str) -> Extracted {
    let capped = cap_depth(html, MAX_DEPTH);
    let warning = matches!(capped, Cow::Owned(_)).then(|| {
        format!("HTML nested deeper than {MAX_DEPTH} elements: the tags below that depth were ignored, their text kept")
    });
    let doc = Html::parse_document(&capped);
    let (root, text) = match article_root(&doc) {
        Some((root, text)) => (Some(root), text),
        None => (None, paragraphs_or_body(&doc)),
    };
    Extracted {
        title: title(&doc),
        text,
        published: published(&doc, root),
        lang: lang(&doc),
        warning,
    }
}

/// The text of an HTML fragment (a JSON Lines `content` field holding markup).
pub fn fragment_text(html: &str) -> String {
    let frag = Html::parse_fragment(&cap_depth(html, MAX_DEPTH));
    block_text(frag.root_element())
}

/// Whether a string is markup rather than plain text.
pub fn looks_like_html(s: &str) -> bool {
    let head = s.trim_start();
    head.starts_with('<') && (head.contains("</") || head.contains("/>")) && {
        let lower: String = head
            .chars()
            .take(512)
            .collect::<String>()
            .to_ascii_lowercase();
        [
            "<p",
            "<div",
            "<html",
            "<!doctype",
            "<article",
            "<br",
            "<span",
            "<h1",
            "<h2",
            "<body",
            "<section",
        ]
        .iter()
        .any(|t| lower.contains(t))
    }
}

fn article_root(doc: &Html) -> Option<(ElementRef<'_>, String)> {
    for css in ["[itemprop=articleBody]", "article", "main", "[role=main]"] {
        let best = doc
            .select(&sel(css))
            .filter(|e| !in_dropped(*e))
            .map(|e| (e, block_text(e)))
            .filter(|(_, t)| !t.is_empty())
            // The longest; the first of equals (max_by_key would keep the last).
            .fold(None::<(ElementRef<'_>, String)>, |best, cur| match best {
                Some(b) if b.1.len() >= cur.1.len() => Some(b),
                _ => Some(cur),
            });
        if best.is_some() {
            return best;
        }
    }
    None
}

fn paragraphs_or_body(doc: &Html) -> String {
    let paragraphs: Vec<String> = doc
        .select(&sel("body p"))
        .filter(|p| !in_dropped(*p))
        .map(block_text)
        .filter(|t| !t.is_empty())
        .collect();
    if !paragraphs.is_empty() {
        return paragraphs.join("\n");
    }
    doc.select(&sel("body"))
        .next()
        .map(block_text)
        .unwrap_or_default()
}

/// Whether an element is, or sits inside, something that is never article text.
fn in_dropped(e: ElementRef<'_>) -> bool {
    std::iter::once(e)
        .chain(e.ancestors().filter_map(ElementRef::wrap))
        .any(|a| DROP.contains(&a.value().name()) || a.value().attr("hidden").is_some())
}

/// Text of an element: whitespace collapsed, one line per block, empty lines dropped.
fn block_text(e: ElementRef<'_>) -> String {
    let mut raw = String::new();
    walk(e, &mut raw);
    let mut out = String::with_capacity(raw.len());
    for line in raw.split('\n') {
        let mut first = true;
        for word in line.split_whitespace() {
            if first {
                if !out.is_empty() {
                    out.push('\n');
                }
                first = false;
            } else {
                out.push(' ');
            }
            out.push_str(word);
        }
    }
    out
}

fn walk(e: ElementRef<'_>, out: &mut String) {
    // An explicit stack, not recursion: the page decides how deep elements nest. Each entry is
    // an element's remaining children and the element's name (to end its line when done).
    let mut stack = vec![(e.children(), "")];
    while let Some((children, name)) = stack.last_mut() {
        let Some(child) = children.next() else {
            if BLOCK.contains(name) {
                out.push('\n');
            } else if matches!(*name, "td" | "th") {
                out.push(' ');
            }
            stack.pop();
            continue;
        };
        match child.value() {
            Node::Text(t) => out.push_str(&t.replace('\n', " ")),
            Node::Element(el) => {
                let name = el.name();
                if DROP.contains(&name) || el.attr("hidden").is_some() {
                    continue;
                }
                if BLOCK.contains(&name) {
                    out.push('\n');
                }
                stack.push((child.children(), name));
            }
            _ => {}
        }
    }
}

/// Elements that never nest deep in the parsed tree: void elements, elements a document has
/// once, elements whose start tag closes an open one of the same kind (`p`, `li`, …), and
/// raw-text elements. `cap_depth` does not count them.
const FLAT: [&str; 47] = [
    "area", "base", "basefont", "bgsound", "br", "col", "embed", "frame", "hr", "image", "img",
    "input", "keygen", "link", "meta", "param", "source", "track", "wbr", "html", "head", "body",
    "p", "li", "dt", "dd", "option", "optgroup", "tr", "td", "th", "thead", "tbody", "tfoot",
    "colgroup", "caption", "rb", "rt", "rtc", "rp", "script", "style", "textarea", "title", "xmp",
    "noembed", "noframes",
];

/// Elements whose content is text up to their end tag (no tags inside).
const RAW_TEXT: [&str; 9] = [
    "script", "style", "textarea", "title", "xmp", "iframe", "noembed", "noframes", "noscript",
];

/// `html` with every start and end tag below `max` levels of nesting removed (their text
/// stays), or `html` itself when it nests no deeper. A linear scan that follows the HTML
/// tokenizer's rules for comments, quoted attributes and raw text, and counts the depth
/// the tree builder will see closely enough to bound it: elements in `FLAT` are not counted,
/// and `<x/>` is self-closing only inside `<svg>` and `<math>`, as in HTML.
fn cap_depth(html: &str, max: usize) -> Cow<'_, str> {
    let b = html.as_bytes();
    let mut out: Option<String> = None;
    // `html[copied..]` is not yet in `out`.
    let mut copied = 0;
    let mut depth = 0usize;
    // The depth outside the outermost open `<svg>` or `<math>`.
    let mut foreign: Option<usize> = None;
    let mut i = 0;
    while let Some(lt) = find_byte(b, b'<', i) {
        let rest = &b[lt + 1..];
        if rest.starts_with(b"!--") {
            i = find(b, b"-->", lt + 4).map_or(b.len(), |e| e + 3);
            continue;
        }
        if rest.starts_with(b"!") || rest.starts_with(b"?") {
            i = find_byte(b, b'>', lt).map_or(b.len(), |e| e + 1);
            continue;
        }
        let closing = rest.first() == Some(&b'/');
        let name_start = lt + 1 + usize::from(closing);
        if !b.get(name_start).is_some_and(u8::is_ascii_alphabetic) {
            i = lt + 1;
            continue;
        }
        let name_end = b[name_start..]
            .iter()
            .position(|c| c.is_ascii_whitespace() || matches!(c, b'/' | b'>'))
            .map_or(b.len(), |n| name_start + n);
        let name = html[name_start..name_end].to_ascii_lowercase();
        let tag_end = end_of_tag(b, name_end);
        i = tag_end;
        let self_closing = b[..tag_end].ends_with(b"/>");
        let counted = !FLAT.contains(&name.as_str());
        let keep = if closing {
            if !counted || depth == 0 {
                true
            } else {
                depth -= 1;
                if foreign == Some(depth) {
                    foreign = None;
                }
                depth < max
            }
        } else {
            if foreign.is_none() && RAW_TEXT.contains(&name.as_str()) {
                i = find_end_tag(b, &name, tag_end);
            }
            if name == "plaintext" && foreign.is_none() {
                break;
            }
            if !counted || (self_closing && foreign.is_some()) {
                true
            } else {
                if foreign.is_none() && matches!(name.as_str(), "svg" | "math") {
                    foreign = Some(depth);
                }
                depth += 1;
                depth <= max
            }
        };
        if !keep {
            let o = out.get_or_insert_with(|| String::with_capacity(html.len()));
            o.push_str(&html[copied..lt]);
            copied = tag_end;
        }
    }
    match out {
        Some(mut o) => {
            o.push_str(&html[copied..]);
            Cow::Owned(o)
        }
        None => Cow::Borrowed(html),
    }
}

fn find_byte(b: &[u8], byte: u8, from: usize) -> Option<usize> {
    b.get(from..)?
        .iter()
        .position(|&c| c == byte)
        .map(|n| from + n)
}

fn find(b: &[u8], needle: &[u8], from: usize) -> Option<usize> {
    b.get(from..)?
        .windows(needle.len())
        .position(|w| w == needle)
        .map(|n| from + n)
}

/// Just past the `>` that ends the tag whose name ends at `from` (a `>` inside a quoted
/// attribute value does not end it), or the end of the text.
fn end_of_tag(b: &[u8], from: usize) -> usize {
    let mut j = from;
    while j < b.len() {
        match b[j] {
            b'>' => return j + 1,
            b'=' => {
                j += 1;
                while b.get(j).is_some_and(u8::is_ascii_whitespace) {
                    j += 1;
                }
                if let Some(&q) = b.get(j).filter(|&&q| q == b'"' || q == b'\'') {
                    j = find_byte(b, q, j + 1).map_or(b.len(), |e| e + 1);
                }
            }
            _ => j += 1,
        }
    }
    b.len()
}

/// Where the raw text of a `name` element that starts at `from` ends: at its `</name` (any
/// case), or the end of the text.
fn find_end_tag(b: &[u8], name: &str, from: usize) -> usize {
    let mut j = from;
    while let Some(lt) = find(b, b"</", j) {
        let after = lt + 2 + name.len();
        if b.get(lt + 2..after)
            .is_some_and(|n| n.eq_ignore_ascii_case(name.as_bytes()))
            && b.get(after)
                .is_none_or(|c| c.is_ascii_whitespace() || matches!(c, b'/' | b'>'))
        {
            return lt;
        }
        j = lt + 2;
    }
    b.len()
}

fn clean(s: &str) -> Option<String> {
    let t = s.split_whitespace().collect::<Vec<_>>().join(" ");
    (!t.is_empty()).then_some(t)
}

fn meta_content<'a>(doc: &'a Html, attr: &str, values: &[&str]) -> Vec<&'a str> {
    doc.select(&sel("meta"))
        .filter(|m| {
            m.value().attr(attr).is_some_and(|v| {
                values
                    .iter()
                    .any(|want| v.trim().eq_ignore_ascii_case(want))
            })
        })
        .filter_map(|m| m.value().attr("content"))
        .collect()
}

fn title(doc: &Html) -> Option<String> {
    meta_content(doc, "property", &["og:title"])
        .into_iter()
        .find_map(clean)
        .or_else(|| {
            doc.select(&sel("h1"))
                .filter(|h| !in_dropped(*h))
                .find_map(|h| clean(&h.text().collect::<String>()))
        })
        .or_else(|| {
            doc.select(&sel("title"))
                .find_map(|t| clean(&t.text().collect::<String>()))
        })
}

/// The first publication date that parses, from (in order) `article:published_time`, the
/// `date`/`pubdate`/`publishdate`/`DC.date.issued` meta names, `itemprop=datePublished`,
/// JSON-LD `datePublished`, and the first `<time datetime>` in the article.
fn published(doc: &Html, root: Option<ElementRef<'_>>) -> Option<NaiveDate> {
    let mut candidates: Vec<String> = Vec::new();
    candidates.extend(
        meta_content(doc, "property", &["article:published_time"])
            .into_iter()
            .map(String::from),
    );
    candidates.extend(
        meta_content(
            doc,
            "name",
            &[
                "article:published_time",
                "date",
                "pubdate",
                "publishdate",
                "publish-date",
                "dc.date.issued",
                "dcterms.issued",
                "dc.date",
            ],
        )
        .into_iter()
        .map(String::from),
    );
    candidates.extend(
        doc.select(&sel("[itemprop=datePublished]"))
            .filter_map(|e| {
                e.value()
                    .attr("content")
                    .or_else(|| e.value().attr("datetime"))
            })
            .map(String::from),
    );
    for script in doc.select(&sel("script[type=\"application/ld+json\"]")) {
        let json: String = script.text().collect();
        if let Ok(value) = serde_json::from_str::<serde_json::Value>(&json) {
            if let Some(d) = json_ld_date(&value, 0) {
                candidates.push(d);
            }
        }
    }
    if let Some(root) = root {
        candidates.extend(
            root.select(&sel("time[datetime]"))
                .filter_map(|t| t.value().attr("datetime"))
                .map(String::from),
        );
    }
    candidates.iter().find_map(|c| parse_metadata_date(c))
}

/// `datePublished` anywhere in a JSON-LD value (objects, arrays, `@graph`), depth-limited.
fn json_ld_date(v: &serde_json::Value, depth: usize) -> Option<String> {
    if depth > 16 {
        return None;
    }
    match v {
        serde_json::Value::Object(map) => {
            if let Some(serde_json::Value::String(s)) = map.get("datePublished") {
                return Some(s.clone());
            }
            map.values().find_map(|x| json_ld_date(x, depth + 1))
        }
        serde_json::Value::Array(items) => items.iter().find_map(|x| json_ld_date(x, depth + 1)),
        _ => None,
    }
}

fn lang(doc: &Html) -> Option<String> {
    let html_lang = doc
        .select(&sel("html"))
        .next()
        .and_then(|h| h.value().attr("lang"));
    let meta = || {
        meta_content(doc, "http-equiv", &["content-language"])
            .into_iter()
            .next()
    };
    let og = || {
        meta_content(doc, "property", &["og:locale"])
            .into_iter()
            .next()
    };
    [html_lang, meta(), og()]
        .into_iter()
        .flatten()
        .find_map(normalise_lang)
}

/// `en-US`, `uk_UA`, `EN` → `en`; anything that is not a two- or three-letter code → None.
pub fn normalise_lang(tag: &str) -> Option<String> {
    let primary = tag.trim().split(['-', '_']).next()?.to_ascii_lowercase();
    ((2..=3).contains(&primary.len()) && primary.bytes().all(|b| b.is_ascii_lowercase()))
        .then_some(primary)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn prefers_article_and_drops_chrome() {
        let page = r#"<!doctype html><html lang="en-GB"><head><title>Site | Story</title>
            <meta property="og:title" content=" Troops  enter Sampletown ">
            <meta property="article:published_time" content="2022-09-12T08:00:00+03:00">
            <script>var x = "Kyiv";</script><style>p{color:red}</style></head>
            <body><nav>Home | World</nav><header>Menu</header>
            <article><h1>Troops enter Sampletown</h1><p>First   paragraph
            about Sampletown.</p><aside>Related: other story</aside><p>Second<br>line.</p>
            <form>Subscribe</form><footer>(c) Site</footer></article>
            <p>Comment outside the article</p></body></html>"#;
        let got = extract(page);
        assert_eq!(got.title.as_deref(), Some("Troops enter Sampletown"));
        assert_eq!(
            got.text,
            "Troops enter Sampletown\nFirst paragraph about Sampletown.\nSecond\nline."
        );
        assert_eq!(got.published, NaiveDate::from_ymd_opt(2022, 9, 12));
        assert_eq!(got.lang.as_deref(), Some("en"));
    }

    #[test]
    fn body_choice_table() {
        let cases: &[(&str, &str)] = &[
            (
                r#"<div itemprop="articleBody"><p>Body.</p></div><article><p>Teaser only, longer text.</p></article>"#,
                "Body.",
            ),
            (
                "<main><p>Main text.</p></main><p>Outside.</p>",
                "Main text.",
            ),
            (
                "<article><p>Short.</p></article><article><p>The longer one.</p></article>",
                "The longer one.",
            ),
            (
                "<div><p>One.</p><nav><p>Nav.</p></nav><div><p>Two.</p></div></div>",
                "One.\nTwo.",
            ),
            ("<div>Bare text<br>and more</div>", "Bare text\nand more"),
            ("<script>only()</script>", ""),
            ("<article></article><p>Fallback.</p>", "Fallback."),
            ("<p hidden>Hidden.</p><p>Shown.</p>", "Shown."),
            ("<table><tr><td>a</td><td>b</td></tr></table>", "a b"),
        ];
        for (body, want) in cases {
            let page = format!("<html><body>{body}</body></html>");
            assert_eq!(extract(&page).text, *want, "{body}");
        }
    }

    #[test]
    fn publication_date_sources() {
        type Case<'a> = (&'a str, Option<(i32, u32, u32)>);
        let cases: &[Case] = &[
            (
                r#"<meta name="date" content="2022-09-12">"#,
                Some((2022, 9, 12)),
            ),
            (
                r#"<meta name="PubDate" content="12/09/2022">"#,
                Some((2022, 9, 12)),
            ),
            (
                r#"<meta name="DC.date.issued" content="2022-09-13">"#,
                Some((2022, 9, 13)),
            ),
            (
                r#"<script type="application/ld+json">{"@graph":[{"@type":"WebPage"},{"@type":"NewsArticle","datePublished":"2022-09-14T10:00:00Z"}]}</script>"#,
                Some((2022, 9, 14)),
            ),
            (
                r#"<script type="application/ld+json">[{"datePublished":"Mon, 12 Sep 2022 10:00:00 +0000"}]</script>"#,
                Some((2022, 9, 12)),
            ),
            (
                r#"<script type="application/ld+json">{broken</script>"#,
                None,
            ),
            (r#"<meta name="date" content="soon">"#, None),
        ];
        for (head, want) in cases {
            let page = format!("<html><head>{head}</head><body><p>x</p></body></html>");
            let want = want.and_then(|(y, m, d)| NaiveDate::from_ymd_opt(y, m, d));
            assert_eq!(extract(&page).published, want, "{head}");
        }
        let time = r#"<html><body><time datetime="2020-01-01">old</time><article><p>x <time datetime="2022-09-15T09:00">Thu</time></p></article></body></html>"#;
        assert_eq!(
            extract(time).published,
            NaiveDate::from_ymd_opt(2022, 9, 15)
        );
    }

    #[test]
    fn title_and_lang_fallbacks() {
        let page = r#"<html><head><title> Only  title </title><meta property="og:locale" content="uk_UA"></head><body><p>x</p></body></html>"#;
        let got = extract(page);
        assert_eq!(got.title.as_deref(), Some("Only title"));
        assert_eq!(got.lang.as_deref(), Some("uk"));
        for (tag, want) in [
            ("en-US", Some("en")),
            ("PL", Some("pl")),
            ("x", None),
            ("", None),
            ("zh-Hant", Some("zh")),
        ] {
            assert_eq!(normalise_lang(tag).as_deref(), want, "{tag}");
        }
    }

    #[test]
    fn nesting_depth_is_capped() {
        let deep = |open: &str, close: &str, n: usize| {
            format!(
                "<html><body>{}Deep text.{}</body></html>",
                open.repeat(n),
                close.repeat(n)
            )
        };
        // (page, markup dropped)
        let cases: Vec<(String, bool)> = vec![
            (deep("<div>", "</div>", MAX_DEPTH), false),
            (deep("<div>", "</div>", MAX_DEPTH + 1), true),
            (deep("<b>", "", 5_000), true),
            (deep("<div/>", "", 5_000), true),
            (
                deep("<div title='a>b' data-x=\"<div>\">", "</div>", 600),
                true,
            ),
            // Not nesting: flat elements, comments, raw text, self-closing foreign elements.
            (deep("<p>", "", 5_000), false),
            (deep("<li><br><img src=x>", "", 5_000), false),
            (deep("<!-- <div> -->", "", 5_000), false),
            (
                format!(
                    "<script>{}</script><p>Deep text.</p>",
                    "<div>".repeat(5_000)
                ),
                false,
            ),
            (
                format!(
                    "<svg>{}</svg><p>Deep text.</p>",
                    "<path d='M0 0'/>".repeat(5_000)
                ),
                false,
            ),
            (
                format!("<p>a<b</p><p>{}Deep text.", "< div>".repeat(5_000)),
                false,
            ),
        ];
        for (page, dropped) in &cases {
            let got = extract(page);
            assert_eq!(got.warning.is_some(), *dropped, "{}", &page[..80]);
            assert!(got.text.ends_with("Deep text."), "{}", &page[..80]);
        }
        // What is kept of a too-deep page: the first MAX_DEPTH levels, and all of the text.
        let capped = cap_depth("<div><div><div>x</div>y</div>z</div>", 2);
        assert_eq!(capped, "<div><div>xy</div>z</div>");
        let unclosed = cap_depth("<i><i><i><i>x", 2);
        assert_eq!(unclosed, "<i><i>x");
    }

    #[test]
    fn fragments_and_sniffing() {
        assert_eq!(
            fragment_text("<p>One</p><p>Two <b>bold</b></p>"),
            "One\nTwo bold"
        );
        assert!(looks_like_html("<p>One</p>"));
        assert!(!looks_like_html("a < b and c > d"));
        assert!(!looks_like_html("<3 love"));
    }
}
