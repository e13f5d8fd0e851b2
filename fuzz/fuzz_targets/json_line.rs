//! Arbitrary text as one JSON Lines record: an article or a failure naming the line, never a
//! panic.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|line: &str| {
    match frontmap::ingest::article_from_json_line(line, "fuzz.jsonl", 7) {
        Ok(a) => assert!(!a.text.trim().is_empty() && !a.meta.id.contains('/')),
        Err(f) => assert_eq!(f.line, Some(7)),
    }
});
