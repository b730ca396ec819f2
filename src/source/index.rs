//! Per-source position indexes, each built once, the first time a diagnostic needs it: where lines
//! start (so line:column of any offset is a binary search, not a scan from the top) and, for JSON,
//! every value's pointer → byte offset (so a pointer is a lookup, not a re-parse). A run that
//! reports thousands of diagnostics into one document pays one pass over its bytes for each
//! index, whatever the count.

use super::LineCol;
use super::pointer::{PointerHash, escape_token};
use std::ops::Range;
use std::sync::OnceLock;

/// Bytes between two checkpoints of the character count: a column costs at most this many byte
/// reads past the checkpoint, however long the line.
const CHUNK: usize = 1024;

/// The indexes of one source; empty until first used.
#[derive(Debug, Clone, Default)]
pub struct SourceIndex {
    lines: OnceLock<Lines>,
    json: OnceLock<Vec<(PointerHash, u32)>>,
}

/// Line starts and character-count checkpoints.
#[derive(Debug, Clone)]
struct Lines {
    /// Byte offset of each line's first byte; the first is 0.
    starts: Vec<usize>,
    /// Characters before byte `k * CHUNK`, for each `k`.
    chars: Vec<usize>,
}

impl SourceIndex {
    fn lines(&self, bytes: &[u8]) -> &Lines {
        self.lines.get_or_init(|| Lines::new(bytes))
    }

    /// Whether the line index has been built (for tests that check it is built once).
    pub fn has_lines(&self) -> bool {
        self.lines.get().is_some()
    }

    /// Line:column (1-based; columns in characters) of a byte offset of `bytes`, the source this
    /// index belongs to.
    pub fn line_col(&self, bytes: &[u8], offset: usize) -> LineCol {
        let lines = self.lines(bytes);
        let offset = offset.min(bytes.len());
        let line = lines.starts.partition_point(|&s| s <= offset).max(1);
        let start = lines.starts.get(line - 1).copied().unwrap_or(0);
        let column = lines
            .chars_at(bytes, offset)
            .saturating_sub(lines.chars_at(bytes, start))
            + 1;
        LineCol { line, column }
    }

    /// The byte range of 1-based line `line`, without its line break.
    pub fn line_range(&self, bytes: &[u8], line: usize) -> Range<usize> {
        let lines = self.lines(bytes);
        let start = lines.starts.get(line.saturating_sub(1)).copied();
        let start = start.unwrap_or(bytes.len()).min(bytes.len());
        let mut end = lines.starts.get(line).map_or(bytes.len(), |&n| n - 1);
        if end > start && bytes.get(end - 1) == Some(&b'\r') {
            end -= 1;
        }
        start..end.max(start)
    }

    /// The byte offset of the JSON value at `pointer` (RFC 6901, as written), or of its nearest
    /// ancestor that exists; `None` if not even the root value does.
    pub fn json_offset(&self, bytes: &[u8], pointer: &str) -> Option<usize> {
        let index = self.json.get_or_init(|| json_index(bytes));
        super::pointer::nearest_recorded(index, pointer)
    }
}

impl Lines {
    fn new(bytes: &[u8]) -> Lines {
        let mut starts = vec![0];
        let mut chars = Vec::with_capacity(bytes.len() / CHUNK + 1);
        let mut count = 0;
        for (k, chunk) in bytes.chunks(CHUNK).enumerate() {
            chars.push(count);
            count += chunk.iter().filter(|&&b| is_char_start(b)).count();
            let base = k * CHUNK;
            starts.extend(memchr::memchr_iter(b'\n', chunk).map(|i| base + i + 1));
        }
        Lines { starts, chars }
    }

    /// Characters in `bytes[..offset]`.
    fn chars_at(&self, bytes: &[u8], offset: usize) -> usize {
        // An offset at the very end of a text whose length is a multiple of CHUNK has no
        // checkpoint of its own: count on from the last one (found by the `locate` fuzz target).
        let k = (offset / CHUNK).min(self.chars.len().saturating_sub(1));
        let base = self.chars.get(k).copied().unwrap_or(0);
        let from = (k * CHUNK).min(offset);
        let tail = bytes.get(from..offset).unwrap_or_default();
        base + tail.iter().filter(|&&b| is_char_start(b)).count()
    }
}

/// A byte that starts a character in UTF-8 (anything but a continuation byte).
fn is_char_start(b: u8) -> bool {
    b & 0xC0 != 0x80
}

/// What the JSON scanner expects at a container's next byte.
enum Frame {
    /// An object with this pointer hash.
    Object(PointerHash),
    /// An array with this pointer hash and the index of its last item.
    Array(PointerHash, usize),
}

/// Every value of a JSON text as (hash of its pointer, offset), sorted by hash, document order
/// among equal hashes (a duplicate key: the first one is found, as a pointer walk would). One pass
/// with an explicit stack, so any depth is safe; a malformed text is indexed up to the fault.
fn json_index(bytes: &[u8]) -> Vec<(PointerHash, u32)> {
    let mut out = Vec::new();
    let mut stack: Vec<Frame> = Vec::new();
    let mut pending = Some(PointerHash::EMPTY);
    let mut i = 0;
    loop {
        i = skip_ws(bytes, i);
        let Some(&b) = bytes.get(i) else { break };
        if let Some(hash) = pending.take() {
            let Ok(at) = u32::try_from(i) else { break };
            out.push((hash, at));
            i = match b {
                b'{' => {
                    stack.push(Frame::Object(hash));
                    i + 1
                }
                b'[' => {
                    let next = skip_ws(bytes, i + 1);
                    if bytes.get(next) != Some(&b']') {
                        pending = Some(hash.index(0));
                        stack.push(Frame::Array(hash, 0));
                        next
                    } else {
                        next + 1
                    }
                }
                b'"' => match string_end(bytes, i) {
                    Some(end) => end,
                    None => break,
                },
                _ => scalar_end(bytes, i),
            };
            continue;
        }
        match (stack.last_mut(), b) {
            (Some(Frame::Array(hash, n)), b',') => {
                *n += 1;
                pending = Some(hash.index(*n));
                i += 1;
            }
            (Some(Frame::Object(_)), b',') => i += 1,
            (Some(Frame::Object(_)), b'}') | (Some(Frame::Array(..)), b']') => {
                stack.pop();
                i += 1;
            }
            (Some(Frame::Object(hash)), b'"') => {
                let Some(end) = string_end(bytes, i) else {
                    break;
                };
                let Some(key) = bytes.get(i..end).and_then(decode_key) else {
                    break;
                };
                i = skip_ws(bytes, end);
                if bytes.get(i) != Some(&b':') {
                    break;
                }
                pending = Some(hash.key(&escape_token(&key)));
                i += 1;
            }
            _ => break,
        }
    }
    out.sort_by_key(|&(h, _)| h);
    out
}

fn skip_ws(bytes: &[u8], mut i: usize) -> usize {
    while matches!(bytes.get(i), Some(b' ' | b'\n' | b'\r' | b'\t')) {
        i += 1;
    }
    i
}

/// The offset just past the string whose opening quote is at `start`.
fn string_end(bytes: &[u8], start: usize) -> Option<usize> {
    let mut i = start + 1;
    loop {
        match bytes.get(i)? {
            b'\\' => i += 2,
            b'"' => return Some(i + 1),
            _ => i += 1,
        }
    }
}

fn scalar_end(bytes: &[u8], mut i: usize) -> usize {
    while let Some(b) = bytes.get(i) {
        if b",}] \n\r\t".contains(b) {
            break;
        }
        i += 1;
    }
    i
}

/// A key's text, its escapes decoded; `quoted` includes both quotes. Borrowed unless it has
/// escapes.
fn decode_key(quoted: &[u8]) -> Option<std::borrow::Cow<'_, str>> {
    if quoted.contains(&b'\\') {
        return serde_json::from_slice::<String>(quoted)
            .ok()
            .map(Into::into);
    }
    let inner = quoted.get(1..quoted.len().checked_sub(1)?)?;
    std::str::from_utf8(inner).ok().map(Into::into)
}
