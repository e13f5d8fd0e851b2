//! HTML pages: title, article body and publication date, with `scraper`.
//!
//! The body is the first of `[itemprop=articleBody]`, `<article>` (the one with the most
//! text when there are several), `<main>`, `[role=main]` that has text; else the `<p>`
//! paragraphs of the page; else all of the body's text. Script, style, navigation, headers,
//! footers, asides, forms and the like are dropped. Every block element (paragraph, heading,
//! list item, `<br>`…) ends a line, so paragraph breaks survive as `\n`.

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
}

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
    let doc = Html::parse_document(html);
    let (root, text) = match article_root(&doc) {
        Some((root, text)) => (Some(root), text),
        None => (None, paragraphs_or_body(&doc)),
    };
    Extracted {
        title: title(&doc),
        text,
        published: published(&doc, root),
        lang: lang(&doc),
    }
}

/// The text of an HTML fragment (a JSON Lines `content` field holding markup).
pub fn fragment_text(html: &str) -> String {
    let frag = Html::parse_fragment(html);
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
    for child in e.children() {
        match child.value() {
            Node::Text(t) => out.push_str(&t.replace('\n', " ")),
            Node::Element(el) => {
                let name = el.name();
                if DROP.contains(&name) || el.attr("hidden").is_some() {
                    continue;
                }
                let block = BLOCK.contains(&name);
                if block {
                    out.push('\n');
                }
                if let Some(child) = ElementRef::wrap(child) {
                    walk(child, out);
                }
                if block {
                    out.push('\n');
                } else if matches!(name, "td" | "th") {
                    out.push(' ');
                }
            }
            _ => {}
        }
    }
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
