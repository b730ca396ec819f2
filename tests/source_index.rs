//! The per-source position index (`oscalc::source::SourceIndex`) through the public API: JSON
//! pointers to offsets, and line:column checked against a scan from the start of the text
//! (`oscalc::source::line_col`).

use oscalc::source::{LineCol, SourceIndex, line_col};

/// Bytes between two checkpoints of the index's character count (`CHUNK` in
/// `src/source/index.rs`): the text below crosses several.
const CHUNK: usize = 1024;

#[test]
fn json_index_finds_each_value_or_its_nearest_ancestor() {
    let text = br#"{"a": {"b": [1, {"c": "x", "d/e": [], "f~g": {}}], "h": null},
      "a2": [[1, 2], [3, [4]]], "esc\"k": true, "a": 9}"#;
    let index = SourceIndex::default();
    let at = |p: &str| index.json_offset(text, p).map(|o| &text[o..o + 4]);
    assert_eq!(at(""), Some(&b"{\"a\""[..]));
    assert_eq!(at("/a/b"), Some(&b"[1, "[..]));
    assert_eq!(at("/a/b/1/c"), Some(&b"\"x\","[..]));
    assert_eq!(at("/a/b/1/d~1e"), Some(&b"[], "[..]));
    assert_eq!(at("/a/b/1/f~0g"), Some(&b"{}}]"[..]));
    assert_eq!(at("/a/h"), Some(&b"null"[..]));
    assert_eq!(at("/a2/1/1/0"), Some(&b"4]]]"[..]));
    assert_eq!(at("/esc\"k"), Some(&b"true"[..]));
    // Missing: the nearest ancestor; a key twice: the first.
    assert_eq!(at("/a/zz"), at("/a"));
    assert_eq!(at("/a/b/7/c"), at("/a/b"));
    assert_eq!(at("/a2/0/1"), Some(&b"2], "[..]));
    assert_eq!(at("a"), None);
}

#[test]
fn line_col_counts_characters_past_a_checkpoint() {
    let mut text = "é".repeat(CHUNK); // 2 bytes each: the line crosses checkpoints
    text.push_str("\nab\r\ncd");
    let bytes = text.as_bytes();
    let index = SourceIndex::default();
    assert!(!index.has_lines());
    let at = |o| index.line_col(bytes, o);
    assert_eq!(at(0), LineCol { line: 1, column: 1 });
    assert_eq!(
        at(2 * 700),
        LineCol {
            line: 1,
            column: 701
        }
    );
    let second = 2 * CHUNK + 1;
    assert_eq!(at(second + 1), LineCol { line: 2, column: 2 });
    assert_eq!(at(bytes.len()), LineCol { line: 3, column: 3 });
    for o in [0, 5, 1999, second, bytes.len()] {
        assert_eq!(at(o), line_col(bytes, o), "{o}");
    }
    assert_eq!(index.line_range(bytes, 2), second..second + 2);
    assert_eq!(index.line_range(bytes, 3), bytes.len() - 2..bytes.len());
    assert_eq!(index.line_range(bytes, 9), bytes.len()..bytes.len());
}
