//! `PointerHash`, the key of the JSON and XML position indexes, and the lookup of a pointer (or
//! its nearest recorded ancestor) in such an index.

/// The 64-bit FNV-1a hash of a JSON pointer's text, built segment by segment: a child's hash
/// comes from its parent's without the parent's text. Segments are taken as written (no `~`
/// unescaping), which is how XML positions are both recorded and looked up.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) struct PointerHash(pub(crate) u64);

/// A key as a pointer token (RFC 6901: `~` → `~0`, `/` → `~1`).
pub(crate) fn escape_token(key: &str) -> std::borrow::Cow<'_, str> {
    if key.contains(['~', '/']) {
        key.replace('~', "~0").replace('/', "~1").into()
    } else {
        key.into()
    }
}

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
        fn digits(h: PointerHash, n: usize) -> PointerHash {
            let h = if n >= 10 { digits(h, n / 10) } else { h };
            h.bytes(&[b'0' + (n % 10) as u8])
        }
        digits(self.bytes(b"/"), index)
    }

    /// The hash of a whole pointer's text.
    #[cfg(test)]
    pub(crate) fn of(pointer: &str) -> PointerHash {
        PointerHash::EMPTY.bytes(pointer.as_bytes())
    }
}

/// The byte offset `index` (sorted by hash) records for `pointer` (RFC 6901, as written), or for
/// its nearest recorded ancestor; `None` for a text that is not a pointer.
pub(crate) fn nearest_recorded(index: &[(PointerHash, u32)], pointer: &str) -> Option<usize> {
    let mut prefixes = vec![PointerHash::EMPTY];
    if let Some(rest) = pointer.strip_prefix('/') {
        let mut hash = PointerHash::EMPTY;
        for segment in rest.split('/') {
            hash = hash.key(segment);
            prefixes.push(hash);
        }
    } else if !pointer.is_empty() {
        return None;
    }
    prefixes.iter().rev().find_map(|hash| {
        let first = index.partition_point(|(h, _)| h < hash);
        match index.get(first) {
            Some((h, offset)) if h == hash => Some(*offset as usize),
            _ => None,
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pointer_hash_built_by_segments_equals_hash_of_the_text() {
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
