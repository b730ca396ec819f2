//! The YAML form: the JSON form (same keys, same schema order, Markdown prose) written as block
//! YAML, straight from the typed model.
//!
//! Stage: emit (YAML). In: anything `Serialize` in the OSCAL JSON form, passed through the
//! Markdown adapter (`emit/json.rs`) as the JSON writer's input is. Out: UTF-8 YAML, streamed as
//! it is serialized: block style, 2-space indent, sequences indented under their key, LF, final
//! newline, no document markers. The bytes depend on the document only.
//!
//! Scalars ([`scalar`]): a string is written plain unless a YAML 1.1 or 1.2 reader would take it
//! for something else (a boolean, null, a number, a date, an indicator, a comment) or could not
//! read it back plain; prose with line breaks is a literal block (`|`, with chomping and, when the
//! text starts with a space, an indentation indicator); anything else is double-quoted with
//! escapes. A reader that reads every plain scalar as a string and one that applies the YAML 1.1
//! or 1.2 core schema read the same data.

use std::io::Write;

use serde::ser::{self, Serialize};

use super::json::{as_string, not_oscal};

/// Why a YAML write stopped.
#[derive(Debug, thiserror::Error)]
pub(crate) enum YamlError {
    /// The output refused the bytes.
    #[error(transparent)]
    Io(#[from] std::io::Error),
    /// A value the OSCAL JSON form cannot hold (bytes, a map key that is not a string).
    #[error("{0}")]
    Shape(String),
}

impl ser::Error for YamlError {
    fn custom<T: std::fmt::Display>(msg: T) -> Self {
        YamlError::Shape(msg.to_string())
    }
}

impl From<YamlError> for std::io::Error {
    fn from(e: YamlError) -> Self {
        match e {
            YamlError::Io(e) => e,
            YamlError::Shape(why) => std::io::Error::other(why),
        }
    }
}

/// Where the next value goes: what is already on its line.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Place {
    /// The start of the document.
    Root,
    /// After `key:` of a mapping whose keys are at this column.
    AfterKey(usize),
    /// After `- ` of a sequence whose dashes are at this column.
    AfterDash(usize),
}

impl Place {
    /// The column a block nested here starts at: the entries of a mapping or sequence, or the
    /// lines of a literal block scalar.
    fn inner(self) -> usize {
        match self {
            Place::Root => 0,
            Place::AfterKey(col) | Place::AfterDash(col) => col + 2,
        }
    }
}

/// A mapping or sequence being written.
#[derive(Debug)]
struct Frame {
    /// The column of its keys or dashes.
    indent: usize,
    /// Where it was opened, until its first entry is written (then `None`).
    fresh: Option<Place>,
}

/// A YAML writer over `W`, used as a serde `Serializer` (`&mut Writer<W>`).
pub(crate) struct Writer<W> {
    out: W,
    place: Place,
    frames: Vec<Frame>,
}

impl<W: Write> Writer<W> {
    /// A writer at the start of a document.
    pub(crate) fn new(out: W) -> Self {
        Writer {
            out,
            place: Place::Root,
            frames: Vec::new(),
        }
    }

    fn spaces(&mut self, n: usize) -> std::io::Result<()> {
        const SPACES: &[u8; 64] = &[b' '; 64];
        let mut left = n;
        while left > 0 {
            let k = left.min(SPACES.len());
            self.out.write_all(SPACES.get(..k).unwrap_or_default())?;
            left -= k;
        }
        Ok(())
    }

    /// Writes what goes between the place and a value on the same line.
    fn lead(&mut self) -> std::io::Result<()> {
        match self.place {
            Place::AfterKey(_) => self.out.write_all(b" "),
            Place::Root | Place::AfterDash(_) => Ok(()),
        }
    }

    /// A scalar already in its YAML form (plain, quoted, or a word like `true`).
    fn raw(&mut self, text: &str) -> Result<(), YamlError> {
        self.lead()?;
        self.out.write_all(text.as_bytes())?;
        self.out.write_all(b"\n")?;
        Ok(())
    }

    /// A string, in the style [`scalar`] chooses.
    fn string(&mut self, s: &str) -> Result<(), YamlError> {
        match scalar(s) {
            Style::Plain => self.raw(s),
            Style::Quoted => {
                self.lead()?;
                quoted(&mut self.out, s)?;
                self.out.write_all(b"\n")?;
                Ok(())
            }
            Style::Literal => self.literal(s),
        }
    }

    /// A literal block scalar: `|` and its indicators, then the lines, each indented two columns
    /// past the key or dash that owns it.
    fn literal(&mut self, s: &str) -> Result<(), YamlError> {
        let indent = self.place.inner();
        self.lead()?;
        let mut header = String::from("|");
        // The indentation of the first line that has text is the block's, unless said: a text
        // that starts with a space says it (relative to the owner's column: always 2 here).
        if s.split('\n')
            .find(|l| !l.is_empty())
            .is_some_and(|l| l.starts_with(' '))
        {
            header.push('2');
        }
        let body = match s.strip_suffix('\n') {
            // Strip: no final line break.
            None => {
                header.push('-');
                s
            }
            // Keep: trailing empty lines are content.
            Some(rest) if rest.ends_with('\n') => {
                header.push('+');
                rest
            }
            // Clip: exactly one final line break.
            Some(rest) => rest,
        };
        self.out.write_all(header.as_bytes())?;
        self.out.write_all(b"\n")?;
        for line in body.split('\n') {
            if !line.is_empty() {
                self.spaces(indent)?;
                self.out.write_all(line.as_bytes())?;
            }
            self.out.write_all(b"\n")?;
        }
        Ok(())
    }

    /// Opens a mapping or sequence at the current place.
    fn open(&mut self) {
        self.frames.push(Frame {
            indent: self.place.inner(),
            fresh: Some(self.place),
        });
    }

    /// Starts an entry of the innermost mapping or sequence: its line break and indentation.
    /// Returns the column of the entry.
    fn entry(&mut self) -> Result<usize, YamlError> {
        let Some(frame) = self.frames.last_mut() else {
            return Err(YamlError::Shape("an entry outside any mapping".to_owned()));
        };
        let indent = frame.indent;
        match frame.fresh.take() {
            // The first entry of a block under a key starts on the next line.
            Some(Place::AfterKey(_)) => {
                self.out.write_all(b"\n")?;
                self.spaces(indent)?;
            }
            // After `- ` or at the start: on the same line.
            Some(Place::Root | Place::AfterDash(_)) => {}
            None => self.spaces(indent)?,
        }
        Ok(indent)
    }

    /// Writes a mapping key and its `:`; the value follows.
    fn key(&mut self, key: &str) -> Result<(), YamlError> {
        let col = self.entry()?;
        match scalar(key) {
            Style::Plain => self.out.write_all(key.as_bytes())?,
            // A key is never a block scalar.
            Style::Quoted | Style::Literal => quoted(&mut self.out, key)?,
        }
        self.out.write_all(b":")?;
        self.place = Place::AfterKey(col);
        Ok(())
    }

    /// Writes a sequence entry's `- `; the value follows.
    fn dash(&mut self) -> Result<(), YamlError> {
        let col = self.entry()?;
        self.out.write_all(b"- ")?;
        self.place = Place::AfterDash(col);
        Ok(())
    }

    /// Closes the innermost mapping or sequence; an empty one is written in flow style.
    fn close(&mut self, empty: &str) -> Result<(), YamlError> {
        let Some(frame) = self.frames.pop() else {
            return Err(YamlError::Shape("a mapping closed twice".to_owned()));
        };
        if let Some(place) = frame.fresh {
            self.place = place;
            self.raw(empty)?;
        }
        Ok(())
    }
}

/// How a string is written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Style {
    /// As it is.
    Plain,
    /// In double quotes, with escapes.
    Quoted,
    /// As a literal block scalar (`|`).
    Literal,
}

/// The style a string needs to read back as the same string in YAML 1.1 and 1.2.
pub(crate) fn scalar(s: &str) -> Style {
    if s.contains('\n') {
        return if literal_ok(s) {
            Style::Literal
        } else {
            Style::Quoted
        };
    }
    if plain_ok(s) {
        Style::Plain
    } else {
        Style::Quoted
    }
}

/// A character a YAML stream may carry as it is in any scalar style: printable (YAML 1.2
/// `nb-char`), not a line break of YAML 1.1 (NEL, LS, PS), not a byte order mark, no tab.
fn printable(c: char) -> bool {
    matches!(c, ' '..='~' | '\u{A0}'..='\u{2027}' | '\u{202A}'..='\u{D7FF}' | '\u{E000}'..='\u{FEFE}' | '\u{FF00}'..='\u{FFFD}' | '\u{10000}'..)
}

/// A literal block reads back as `s`: every line printable (tabs allowed after the first
/// character), no line ending in white space (which readers and editors drop), some text.
fn literal_ok(s: &str) -> bool {
    let mut any_text = false;
    for line in s.split('\n') {
        if line.ends_with([' ', '\t']) {
            return false;
        }
        if line.starts_with('\t') || !line.chars().all(|c| c == '\t' || printable(c)) {
            return false;
        }
        any_text |= !line.is_empty();
    }
    any_text
}

/// The characters that may not start a plain scalar: YAML's indicators.
const INDICATORS: &[char] = &[
    '-', '?', ':', ',', '[', ']', '{', '}', '#', '&', '*', '!', '|', '>', '\'', '"', '%', '@', '`',
];

/// `s` reads back as the same string when written plain.
fn plain_ok(s: &str) -> bool {
    let (Some(first), Some(last)) = (s.chars().next(), s.chars().next_back()) else {
        // The empty plain scalar is null.
        return false;
    };
    if INDICATORS.contains(&first) || first == ' ' || last == ' ' || last == ':' {
        return false;
    }
    if !s.chars().all(printable) || s.contains(": ") || s.contains(" #") {
        return false;
    }
    // A document end marker at the start of a line.
    if s.starts_with("...") {
        return false;
    }
    !resolves_to_non_string(s)
}

/// A YAML 1.1 or 1.2 (core or JSON schema) reader resolves the plain scalar `s` to something other
/// than a string: null, a boolean, an integer, a float, a date or timestamp, a merge key or the
/// 1.1 value key. Errs on the side of quoting: a few strings that resolve to nothing (`1.2.3`,
/// `2024-Q1`) are quoted too.
fn resolves_to_non_string(s: &str) -> bool {
    const WORDS: &[&str] = &[
        "~", "null", "y", "n", "yes", "no", "true", "false", "on", "off", "=", "<<",
    ];
    if WORDS.iter().any(|w| w.eq_ignore_ascii_case(s)) {
        return true;
    }
    let body = s.strip_prefix(['+', '-']).unwrap_or(s);
    // Infinity and not-a-number, in any case.
    if [".inf", ".nan"]
        .iter()
        .any(|w| w.eq_ignore_ascii_case(body))
    {
        return true;
    }
    let bytes = body.as_bytes();
    let Some(&first) = bytes.first() else {
        return false;
    };
    if !(first.is_ascii_digit() || first == b'.') {
        return false;
    }
    // Hexadecimal, octal (1.2) and binary (1.1) integers.
    if let Some(digits) = ["0x", "0o", "0b"].iter().find_map(|p| {
        body.get(..2)
            .filter(|h| h.eq_ignore_ascii_case(p))
            .and(body.get(2..))
    }) {
        return digits.bytes().all(|b| b.is_ascii_hexdigit() || b == b'_');
    }
    // Decimal integers and floats (`01`, `1_000`, `1.0`, `.5`, `1e3`, `1.0e+3`), the base-60
    // numbers of 1.1 (`1:30`), and dates (`2024-01-01`).
    let numeric =
        |b: u8| b.is_ascii_digit() || matches!(b, b'_' | b'.' | b':' | b'e' | b'E' | b'+' | b'-');
    if bytes.iter().all(|&b| numeric(b)) && bytes.iter().any(u8::is_ascii_digit) {
        return true;
    }
    // Timestamps (`2001-12-14t21:59:43.10-05:00`, `2024-01-01T00:00:00Z`): four digits and a
    // dash start every one.
    bytes.len() > 4 && bytes.iter().take(4).all(u8::is_ascii_digit) && bytes.get(4) == Some(&b'-')
}

/// Writes `s` double-quoted, escaping what a double-quoted scalar cannot carry as it is.
fn quoted<W: Write>(out: &mut W, s: &str) -> std::io::Result<()> {
    out.write_all(b"\"")?;
    let mut start = 0;
    for (i, c) in s.char_indices() {
        let escape = match c {
            '"' => Some("\\\"".to_owned()),
            '\\' => Some("\\\\".to_owned()),
            '\0' => Some("\\0".to_owned()),
            '\t' => Some("\\t".to_owned()),
            '\n' => Some("\\n".to_owned()),
            '\r' => Some("\\r".to_owned()),
            '\u{85}' => Some("\\N".to_owned()),
            '\u{2028}' => Some("\\L".to_owned()),
            '\u{2029}' => Some("\\P".to_owned()),
            c if printable(c) => None,
            c if (c as u32) <= 0xFF => Some(format!("\\x{:02X}", c as u32)),
            c if (c as u32) <= 0xFFFF => Some(format!("\\u{:04X}", c as u32)),
            c => Some(format!("\\U{:08X}", c as u32)),
        };
        if let Some(e) = escape {
            out.write_all(s.get(start..i).unwrap_or_default().as_bytes())?;
            out.write_all(e.as_bytes())?;
            start = i + c.len_utf8();
        }
    }
    out.write_all(s.get(start..).unwrap_or_default().as_bytes())?;
    out.write_all(b"\"")
}

/// A float as YAML 1.1 and 1.2 both read it: a dot before any exponent, a signed exponent.
fn float(v: f64) -> String {
    if v.is_nan() {
        return ".nan".to_owned();
    }
    if v.is_infinite() {
        return if v > 0.0 { ".inf" } else { "-.inf" }.to_owned();
    }
    let text = format!("{v:?}");
    let (mantissa, exponent) = match text.split_once('e') {
        Some((m, e)) => (m.to_owned(), Some(e)),
        None => (text.clone(), None),
    };
    let mantissa = if mantissa.contains('.') {
        mantissa
    } else {
        format!("{mantissa}.0")
    };
    match exponent {
        Some(e) if e.starts_with('-') => format!("{mantissa}e{e}"),
        Some(e) => format!("{mantissa}e+{e}"),
        None => mantissa,
    }
}

impl<'a, W: Write> ser::Serializer for &'a mut Writer<W> {
    type Ok = ();
    type Error = YamlError;
    type SerializeSeq = Seq<'a, W>;
    type SerializeTuple = ser::Impossible<(), YamlError>;
    type SerializeTupleStruct = ser::Impossible<(), YamlError>;
    type SerializeTupleVariant = ser::Impossible<(), YamlError>;
    type SerializeMap = Map<'a, W>;
    type SerializeStruct = Map<'a, W>;
    type SerializeStructVariant = ser::Impossible<(), YamlError>;

    fn serialize_bool(self, v: bool) -> Result<(), YamlError> {
        self.raw(if v { "true" } else { "false" })
    }
    fn serialize_i8(self, v: i8) -> Result<(), YamlError> {
        self.serialize_i64(v.into())
    }
    fn serialize_i16(self, v: i16) -> Result<(), YamlError> {
        self.serialize_i64(v.into())
    }
    fn serialize_i32(self, v: i32) -> Result<(), YamlError> {
        self.serialize_i64(v.into())
    }
    fn serialize_i64(self, v: i64) -> Result<(), YamlError> {
        self.raw(&v.to_string())
    }
    fn serialize_u8(self, v: u8) -> Result<(), YamlError> {
        self.serialize_u64(v.into())
    }
    fn serialize_u16(self, v: u16) -> Result<(), YamlError> {
        self.serialize_u64(v.into())
    }
    fn serialize_u32(self, v: u32) -> Result<(), YamlError> {
        self.serialize_u64(v.into())
    }
    fn serialize_u64(self, v: u64) -> Result<(), YamlError> {
        self.raw(&v.to_string())
    }
    fn serialize_f32(self, v: f32) -> Result<(), YamlError> {
        self.serialize_f64(v.into())
    }
    fn serialize_f64(self, v: f64) -> Result<(), YamlError> {
        self.raw(&float(v))
    }
    fn serialize_char(self, v: char) -> Result<(), YamlError> {
        self.string(v.encode_utf8(&mut [0; 4]))
    }
    fn serialize_str(self, v: &str) -> Result<(), YamlError> {
        self.string(v)
    }
    fn serialize_bytes(self, _: &[u8]) -> Result<(), YamlError> {
        Err(YamlError::Shape("bytes have no OSCAL JSON form".to_owned()))
    }
    fn serialize_none(self) -> Result<(), YamlError> {
        self.raw("null")
    }
    fn serialize_some<T: Serialize + ?Sized>(self, v: &T) -> Result<(), YamlError> {
        v.serialize(self)
    }
    fn serialize_unit(self) -> Result<(), YamlError> {
        self.raw("null")
    }
    fn serialize_unit_struct(self, _: &'static str) -> Result<(), YamlError> {
        self.raw("null")
    }
    fn serialize_unit_variant(
        self,
        _: &'static str,
        _: u32,
        variant: &'static str,
    ) -> Result<(), YamlError> {
        self.string(variant)
    }
    fn serialize_newtype_struct<T: Serialize + ?Sized>(
        self,
        _: &'static str,
        v: &T,
    ) -> Result<(), YamlError> {
        v.serialize(self)
    }
    fn serialize_newtype_variant<T: Serialize + ?Sized>(
        self,
        _: &'static str,
        _: u32,
        _: &'static str,
        _: &T,
    ) -> Result<(), YamlError> {
        Err(not_oscal())
    }
    fn serialize_seq(self, _: Option<usize>) -> Result<Seq<'a, W>, YamlError> {
        self.open();
        Ok(Seq(self))
    }
    fn serialize_tuple(self, _: usize) -> Result<Self::SerializeTuple, YamlError> {
        Err(not_oscal())
    }
    fn serialize_tuple_struct(
        self,
        _: &'static str,
        _: usize,
    ) -> Result<Self::SerializeTupleStruct, YamlError> {
        Err(not_oscal())
    }
    fn serialize_tuple_variant(
        self,
        _: &'static str,
        _: u32,
        _: &'static str,
        _: usize,
    ) -> Result<Self::SerializeTupleVariant, YamlError> {
        Err(not_oscal())
    }
    fn serialize_map(self, _: Option<usize>) -> Result<Map<'a, W>, YamlError> {
        self.open();
        Ok(Map(self))
    }
    fn serialize_struct(self, _: &'static str, _: usize) -> Result<Map<'a, W>, YamlError> {
        self.open();
        Ok(Map(self))
    }
    fn serialize_struct_variant(
        self,
        _: &'static str,
        _: u32,
        _: &'static str,
        _: usize,
    ) -> Result<Self::SerializeStructVariant, YamlError> {
        Err(not_oscal())
    }
}

/// A sequence being written.
pub(crate) struct Seq<'a, W>(&'a mut Writer<W>);

impl<W: Write> ser::SerializeSeq for Seq<'_, W> {
    type Ok = ();
    type Error = YamlError;
    fn serialize_element<T: Serialize + ?Sized>(&mut self, v: &T) -> Result<(), YamlError> {
        self.0.dash()?;
        v.serialize(&mut *self.0)
    }
    fn end(self) -> Result<(), YamlError> {
        self.0.close("[]")
    }
}

/// A mapping (or struct) being written.
pub(crate) struct Map<'a, W>(&'a mut Writer<W>);

impl<W: Write> ser::SerializeMap for Map<'_, W> {
    type Ok = ();
    type Error = YamlError;
    fn serialize_key<T: Serialize + ?Sized>(&mut self, key: &T) -> Result<(), YamlError> {
        // The model's maps (`Value` objects) have string keys.
        let text = as_string(key)
            .ok_or_else(|| YamlError::Shape("a map key that is not a string".to_owned()))?;
        self.0.key(&text)
    }
    fn serialize_value<T: Serialize + ?Sized>(&mut self, v: &T) -> Result<(), YamlError> {
        v.serialize(&mut *self.0)
    }
    fn end(self) -> Result<(), YamlError> {
        self.0.close("{}")
    }
}

impl<W: Write> ser::SerializeStruct for Map<'_, W> {
    type Ok = ();
    type Error = YamlError;
    fn serialize_field<T: Serialize + ?Sized>(
        &mut self,
        key: &'static str,
        v: &T,
    ) -> Result<(), YamlError> {
        self.0.key(key)?;
        v.serialize(&mut *self.0)
    }
    fn end(self) -> Result<(), YamlError> {
        self.0.close("{}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn yaml(v: &serde_json::Value) -> String {
        let mut out = Vec::new();
        v.serialize(&mut Writer::new(&mut out)).unwrap();
        String::from_utf8(out).unwrap()
    }

    #[test]
    fn blocks_nest_with_two_spaces_and_sequences_under_their_key() {
        let v = json!({"catalog": {"uuid": "u", "controls": [
            {"id": "ac-1", "parts": [{"name": "item"}], "props": []},
            {"id": "ac-2", "x": {}}
        ], "nested": [["a", "b"], []]}});
        let expected = "\
catalog:
  uuid: u
  controls:
    - id: ac-1
      parts:
        - name: item
      props: []
    - id: ac-2
      x: {}
  nested:
    - - a
      - b
    - []
";
        assert_eq!(yaml(&v), expected);
    }

    #[test]
    fn risky_strings_are_quoted_and_safe_ones_plain() {
        let quoted_ones = [
            "",
            "true",
            "False",
            "yes",
            "No",
            "on",
            "OFF",
            "y",
            "N",
            "null",
            "~",
            "1.0",
            "01",
            "0x1F",
            "0o17",
            "0b101",
            "1e3",
            "+1",
            "-1",
            ".5",
            ".inf",
            "-.Inf",
            ".NaN",
            "1_000",
            "1:30",
            "2024-01-01",
            "2024-01-01T00:00:00Z",
            " lead",
            "trail ",
            "a: b",
            "a #b",
            "ends:",
            "- x",
            "? x",
            ": x",
            ", x",
            "[x",
            "]x",
            "{x",
            "}x",
            "#x",
            "&x",
            "*x",
            "!x",
            "|x",
            ">x",
            "'x",
            "\"x",
            "%x",
            "@x",
            "`x",
            "=",
            "<<",
            "...",
            "tab\there",
            "nel\u{85}",
            "bom\u{FEFF}",
            "bell\u{7}",
        ];
        for s in quoted_ones {
            assert_eq!(scalar(s), Style::Quoted, "{s:?}");
        }
        let plain_ones = [
            "ac-1",
            "ac-2.3",
            "Access Control",
            "a:b",
            "a#b",
            "x-1.0",
            "1st",
            "é",
            "yesterday",
            "http://example.com/a#b",
            "100%",
            "a, b [c] {d}",
        ];
        for s in plain_ones {
            assert_eq!(scalar(s), Style::Plain, "{s:?}");
        }
    }

    #[test]
    fn prose_with_line_breaks_is_a_literal_block_with_its_chomping() {
        let v = json!({"a": "one\ntwo", "b": "one\n", "c": "one\n\n", "d": "  code\nx",
                       "e": "x\n\n  y", "f": ["p\nq"]});
        let expected = "\
a: |-
  one
  two
b: |
  one
c: |+
  one

d: |2-
    code
  x
e: |-
  x

    y
f:
  - |-
    p
    q
";
        assert_eq!(yaml(&v), expected);
    }

    #[test]
    fn prose_a_block_cannot_carry_is_double_quoted() {
        for (s, want) in [
            ("a \nb", r#""a \nb""#),
            ("\n\n", r#""\n\n""#),
            ("a\r\nb", r#""a\r\nb""#),
            ("\tx\ny", r#""\tx\ny""#),
            ("q\"\\\u{1}\u{2028}", r#""q\"\\\x01\L""#),
        ] {
            assert_eq!(yaml(&json!({ "k": s })), format!("k: {want}\n"), "{s:?}");
        }
    }

    #[test]
    fn numbers_booleans_and_null_keep_their_type() {
        let v = json!({"i": 3, "n": -4, "f": 1.5, "g": 1e20, "b": true, "z": null});
        assert_eq!(
            yaml(&v),
            "i: 3\n\"n\": -4\nf: 1.5\ng: 1.0e+20\nb: true\nz: null\n"
        );
        assert_eq!(float(1e-7), "1.0e-7");
        assert_eq!(float(2.0), "2.0");
    }
}
