//! Bytes to text. Policy: NUL bytes or many control characters mean a binary file
//! (rejected); text that is mostly not UTF-8 (more than 10% of its non-space bytes invalid,
//! typically Windows-1251 or Latin-1) is rejected with a hint to convert it; a few invalid
//! bytes are replaced by U+FFFD and reported as a warning, so one bad byte does not cost a
//! whole article. A UTF-8 byte-order mark is dropped. Other charsets are not decoded.

/// Decoded text and, when bytes were replaced, a warning; or why the bytes are not text.
pub fn decode(bytes: &[u8]) -> Result<(String, Option<String>), String> {
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    if bytes.contains(&0) {
        return Err(
            "binary file or UTF-16 text (contains NUL bytes); frontmap reads UTF-8 text".into(),
        );
    }
    let control = control_bytes(bytes);
    if control * 20 > bytes.len() {
        return Err(format!(
            "binary file ({}% control characters)",
            control * 100 / bytes.len().max(1)
        ));
    }
    match std::str::from_utf8(bytes) {
        Ok(s) => Ok((s.to_string(), None)),
        Err(_) => {
            let invalid: usize = bytes.utf8_chunks().map(|c| c.invalid().len()).sum();
            let visible = bytes.iter().filter(|b| !b.is_ascii_whitespace()).count();
            if invalid * 10 > visible {
                return Err(format!(
                    "not UTF-8 ({}% of the bytes are invalid; perhaps Windows-1251 or Latin-1: convert it, e.g. with iconv -t UTF-8)",
                    invalid * 100 / visible.max(1)
                ));
            }
            let text = String::from_utf8_lossy(bytes).into_owned();
            Ok((
                text,
                Some(format!(
                    "invalid UTF-8: {invalid} byte(s) replaced by U+FFFD"
                )),
            ))
        }
    }
}

/// How many bytes are control characters other than white space (NUL is tested apart).
fn control_bytes(bytes: &[u8]) -> usize {
    // Counted in u8 per chunk of 255, a form the compiler vectorises: a byte at a time this
    // was 15 instructions a byte of input.
    bytes
        .chunks(255)
        .map(|chunk| {
            chunk
                .iter()
                .map(|&b| u8::from(matches!(b, 0x01..=0x08 | 0x0E..=0x1F | 0x7F)))
                .fold(0u8, u8::wrapping_add) as usize
        })
        .sum()
}

#[cfg(test)]
mod tests {
    use super::*;

    proptest::proptest! {
        #[test]
        fn control_bytes_counts_each_control_byte(bytes in proptest::collection::vec(proptest::num::u8::ANY, 0..2000)) {
            let want = bytes
                .iter()
                .filter(|&&b| matches!(b, 0x01..=0x08 | 0x0E..=0x1F | 0x7F))
                .count();
            proptest::prop_assert_eq!(control_bytes(&bytes), want);
        }
    }

    #[test]
    fn decode_table() {
        // (input, Ok(text, has warning) or Err(message prefix))
        type Case<'a> = (&'a [u8], Result<(&'a str, bool), &'a str>);
        let cases: &[Case] = &[
            (b"plain text", Ok(("plain text", false))),
            (b"\xEF\xBB\xBFwith bom", Ok(("with bom", false))),
            ("Харків".as_bytes(), Ok(("Харків", false))),
            (
                b"caf\xE9 au lait, a long enough sentence around it",
                Ok((
                    "caf\u{FFFD} au lait, a long enough sentence around it",
                    true,
                )),
            ),
            (b"bin\x00ary", Err("binary file or UTF-16")),
            (b"\xFF\xFEU\x00T\x00F\x00", Err("binary file or UTF-16")),
            (b"\x01\x02\x03\x04abc", Err("binary file (")),
            (
                b"\xd5\xe0\xf0\xea\xb3\xe2 \xd5\xe0\xf0\xea\xb3\xe2",
                Err("not UTF-8"),
            ),
            (b"", Ok(("", false))),
            (
                b"tab\tand\r\nlines\x0c",
                Ok(("tab\tand\r\nlines\x0c", false)),
            ),
        ];
        for (bytes, want) in cases {
            let got = decode(bytes);
            match (want, &got) {
                (Ok((text, warn)), Ok((t, w))) => {
                    assert_eq!(t, text, "{bytes:?}");
                    assert_eq!(w.is_some(), *warn, "{bytes:?}");
                }
                (Err(prefix), Err(m)) => assert!(m.starts_with(prefix), "{bytes:?}: {m}"),
                _ => panic!("{bytes:?}: want {want:?}, got {got:?}"),
            }
        }
    }
}
