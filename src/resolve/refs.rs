//! References inside prose: parameter inserts and `#fragment` links, as pruning sees them
//! (req-prune-ref). Works on both markup forms without converting them; the typed walk that feeds
//! it is `refscan`.

use crate::model::markup::may_insert;
use indexmap::IndexSet;

/// Inserts (`{{ insert: param, x }}`, `<insert … id-ref="x"/>`) and `#x` fragments in a text.
pub fn scan_text(s: &str, out: &mut IndexSet<String>) {
    // Most references repeat: a look-up first saves copying them again.
    let mut add = |id: &str| {
        if !out.contains(id) {
            out.insert(id.to_owned());
        }
    };
    if may_insert(s) {
        for (_, id) in crate::model::markup::inserts(s) {
            add(id);
        }
    }
    let mut rest = s;
    while let Some(i) = rest.find('#') {
        rest = &rest[i + 1..];
        let end = rest
            .find(|c: char| c.is_whitespace() || matches!(c, '"' | '\'' | ')' | '<' | '>' | ']'))
            .unwrap_or(rest.len());
        if end > 0 {
            add(&rest[..end]);
        }
        rest = &rest[end..];
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn may_insert_finds_either_opening_anywhere() {
        let yes = ["{{", "a {{ x", "<insert ", "<p><insert type", "x{{"];
        let no = ["", "{", "{ {", "<insert", "<inserted ", "<p>text</p>", "x{"];
        assert!(yes.iter().all(|s| may_insert(s)));
        assert!(!no.iter().any(|s| may_insert(s)));
    }
}
