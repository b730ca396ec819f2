//! JSON pointer → byte offset in JSON text, by a small scanner (built only when a diagnostic
//! needs a position, so the load path stays a single serde pass).

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
}
