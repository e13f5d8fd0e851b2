//! Arbitrary bytes as a text, JSON Lines or HTML input (the first byte chooses), through
//! ingest and then tag + resolve on the shipped gazetteer. A panic, an offset outside the text
//! or off a character boundary is a finding.
#![no_main]

use std::sync::OnceLock;

use frontmap::gazetteer::Gazetteer;
use libfuzzer_sys::fuzz_target;

fn gazetteer() -> &'static Gazetteer {
    static GAZ: OnceLock<Gazetteer> = OnceLock::new();
    GAZ.get_or_init(|| {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../gazetteer");
        Gazetteer::load(&dir).expect("shipped gazetteer")
    })
}

fuzz_target!(|data: &[u8]| {
    let Some((&kind, bytes)) = data.split_first() else {
        return;
    };
    let dir = std::env::temp_dir().join(format!("frontmap-fuzz-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp folder");
    let path = dir.join(["input.txt", "input.jsonl", "input.html"][usize::from(kind % 3)]);
    std::fs::write(&path, bytes).expect("temp file");
    let options = frontmap::ingest::IngestOptions {
        inputs: vec![path.display().to_string()],
        ..Default::default()
    };
    for article in frontmap::ingest::articles(&options).flatten() {
        let result = frontmap::process_article(gazetteer(), &article);
        let chars: Vec<char> = article.text.chars().collect();
        let mut last_end = 0;
        for e in &result.events {
            assert!(e.start < e.end && e.end <= chars.len() && e.start >= last_end);
            assert_eq!(chars[e.start..e.end].iter().collect::<String>(), e.surface);
            last_end = e.end;
        }
    }
});
