//! JSON pointer → byte offset in JSON text, by a small scanner (built only when a diagnostic
//! needs a position, so the load path stays a single serde pass); and `PointerHash`, the key
//! of the XML position index.

/// The byte offset of the value a JSON pointer names (or of its nearest existing ancestor).
pub fn json_pointer_offset(bytes: &[u8], pointer: &str) -> Option<usize> {
    let tokens: Vec<String> = pointer
        .split('/')
        .skip(1)
        .map(|t| t.replace("~1", "/").replace("~0", "~"))
        .collect();
    let mut sc = Scanner { b: bytes, i: 0 };
    sc.ws();
    let mut best = sc.i;
    for tok in &tokens {
        sc.ws();
        match sc.peek()? {
            b'{' => {
                if !sc.find_key(tok)? {
                    return Some(best);
                }
            }
            b'[' => {
                let idx: usize = tok.parse().ok()?;
                if !sc.find_index(idx)? {
                    return Some(best);
                }
            }
            _ => return Some(best),
        }
        sc.ws();
        best = sc.i;
    }
    Some(best)
}

struct Scanner<'a> {
    b: &'a [u8],
    i: usize,
}

impl Scanner<'_> {
    fn peek(&self) -> Option<u8> {
        self.b.get(self.i).copied()
    }
    fn ws(&mut self) {
        while matches!(self.peek(), Some(b' ' | b'\n' | b'\r' | b'\t')) {
            self.i += 1;
        }
    }
    fn string(&mut self) -> Option<String> {
        // at '"'
        self.i += 1;
        let start = self.i;
        let mut escaped = false;
        loop {
            let c = self.peek()?;
            self.i += 1;
            if escaped {
                escaped = false;
            } else if c == b'\\' {
                escaped = true;
            } else if c == b'"' {
                break;
            }
        }
        let raw = self.b.get(start..self.i - 1)?;
        let quoted = [b"\"", raw, b"\""].concat();
        serde_json::from_slice::<String>(&quoted).ok()
    }
    fn skip_value(&mut self) -> Option<()> {
        self.ws();
        match self.peek()? {
            b'"' => {
                self.string()?;
            }
            b'{' | b'[' => {
                let mut depth = 0usize;
                loop {
                    match self.peek()? {
                        b'"' => {
                            self.string()?;
                            continue;
                        }
                        b'{' | b'[' => depth += 1,
                        b'}' | b']' => {
                            depth -= 1;
                            if depth == 0 {
                                self.i += 1;
                                return Some(());
                            }
                        }
                        _ => {}
                    }
                    self.i += 1;
                }
            }
            _ => {
                while !matches!(
                    self.peek()?,
                    b',' | b'}' | b']' | b' ' | b'\n' | b'\r' | b'\t'
                ) {
                    self.i += 1;
                }
            }
        }
        Some(())
    }
    fn find_key(&mut self, key: &str) -> Option<bool> {
        self.i += 1; // '{'
        loop {
            self.ws();
            match self.peek()? {
                b'}' => return Some(false),
                b',' => {
                    self.i += 1;
                    continue;
                }
                b'"' => {
                    let k = self.string()?;
                    self.ws();
                    if self.peek()? != b':' {
                        return None;
                    }
                    self.i += 1;
                    self.ws();
                    if k == key {
                        return Some(true);
                    }
                    self.skip_value()?;
                }
                _ => return None,
            }
        }
    }
    fn find_index(&mut self, idx: usize) -> Option<bool> {
        self.i += 1; // '['
        let mut n = 0;
        loop {
            self.ws();
            match self.peek()? {
                b']' => return Some(false),
                b',' => {
                    self.i += 1;
                    continue;
                }
                _ => {
                    if n == idx {
                        return Some(true);
                    }
                    self.skip_value()?;
                    n += 1;
                }
            }
        }
    }
}

/// The 64-bit FNV-1a hash of a JSON pointer's text, built segment by segment: a child's hash
/// comes from its parent's without the parent's text. Segments are taken as written (no `~`
/// unescaping), which is how XML positions are both recorded and looked up.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) struct PointerHash(pub(crate) u64);

impl PointerHash {
    /// The empty pointer (the whole document).
    pub(crate) const EMPTY: PointerHash = PointerHash(0xcbf2_9ce4_8422_2325);

    fn bytes(self, bytes: &[u8]) -> PointerHash {
        let mut h = self.0;
        for b in bytes {
            h ^= u64::from(*b);
            h = h.wrapping_mul(0x0100_0000_01b3);
        }
        PointerHash(h)
    }

    /// The pointer with `/segment` appended.
    pub(crate) fn key(self, segment: &str) -> PointerHash {
        self.bytes(b"/").bytes(segment.as_bytes())
    }

    /// The pointer with `/index` appended, the index in decimal.
    pub(crate) fn index(self, index: usize) -> PointerHash {
        let mut digits = [0u8; 20];
        let mut at = digits.len();
        let mut n = index;
        loop {
            at -= 1;
            if let Some(d) = digits.get_mut(at) {
                *d = b'0' + (n % 10) as u8;
            }
            n /= 10;
            if n == 0 || at == 0 {
                break;
            }
        }
        self.bytes(b"/").bytes(digits.get(at..).unwrap_or_default())
    }

    /// The hash of a whole pointer's text.
    #[cfg(test)]
    pub(crate) fn of(pointer: &str) -> PointerHash {
        PointerHash::EMPTY.bytes(pointer.as_bytes())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pointer_finds_nested_array_member() {
        let text = br#"{"a": {"b": [1, {"c": "x"}]}}"#;
        let off = json_pointer_offset(text, "/a/b/1/c").unwrap();
        assert_eq!(&text[off..off + 3], b"\"x\"");
    }

    #[test]
    fn pointer_missing_member_points_at_parent() {
        let text = br#"{"a": {"b": 1}}"#;
        let off = json_pointer_offset(text, "/a/zz").unwrap();
        assert_eq!(text[off], b'{');
    }

    #[test]
    fn pointer_hash_built_by_segments_equals_hash_of_the_text() {
        use super::PointerHash;
        let built = PointerHash::EMPTY
            .key("catalog")
            .key("groups")
            .index(0)
            .key("controls")
            .index(1234);
        assert_eq!(built, PointerHash::of("/catalog/groups/0/controls/1234"));
        assert_eq!(PointerHash::EMPTY.index(0), PointerHash::of("/0"));
        assert_eq!(
            PointerHash::EMPTY.index(usize::MAX),
            PointerHash::of(&format!("/{}", usize::MAX))
        );
        assert_ne!(PointerHash::of("/a/b"), PointerHash::of("/ab"));
    }
}
