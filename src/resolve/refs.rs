//! References inside content: parameter inserts and `#fragment` links, as used by pruning
//! (req-prune-ref) and reference checks. Works on both markup forms without converting them.

use indexmap::IndexSet;
use serde_json::Value;

/// Collects every referenced id from a JSON value of content (markup in either form).
pub fn collect(v: &Value, out: &mut IndexSet<String>) {
    match v {
        Value::String(s) => scan_text(s, out),
        Value::Array(a) => a.iter().for_each(|x| collect(x, out)),
        Value::Object(m) => {
            for (k, x) in m {
                match (k.as_str(), x) {
                    // A param's deprecated depends-on names another param.
                    ("depends-on", Value::String(s)) => {
                        out.insert(s.clone());
                    }
                    _ => collect(x, out),
                }
            }
        }
        _ => {}
    }
}

/// Inserts (`{{ insert: param, x }}`, `<insert … id-ref="x"/>`) and `#x` fragments in a text.
pub fn scan_text(s: &str, out: &mut IndexSet<String>) {
    let mut rest = s;
    while let Some(i) = rest.find("{{") {
        rest = &rest[i + 2..];
        let Some(end) = rest.find("}}") else { break };
        let inner = &rest[..end];
        if let Some((kind, id)) = inner.split_once(',')
            && kind.trim().strip_prefix("insert:").is_some()
        {
            out.insert(id.trim().to_owned());
        }
        rest = &rest[end + 2..];
    }
    let mut rest = s;
    while let Some(i) = rest.find("id-ref=\"") {
        rest = &rest[i + 8..];
        let Some(end) = rest.find('"') else { break };
        out.insert(rest[..end].to_owned());
        rest = &rest[end..];
    }
    let mut rest = s;
    while let Some(i) = rest.find('#') {
        rest = &rest[i + 1..];
        let end = rest
            .find(|c: char| c.is_whitespace() || matches!(c, '"' | '\'' | ')' | '<' | '>' | ']'))
            .unwrap_or(rest.len());
        if end > 0 {
            out.insert(rest[..end].to_owned());
        }
        rest = &rest[end..];
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scan_finds_inserts_in_both_forms_and_fragments() {
        let mut out = IndexSet::new();
        scan_text("a {{ insert: param, ac-1_prm_1 }} b [x](#ac-2)", &mut out);
        scan_text(
            "<p><insert type=\"param\" id-ref=\"p2\"/> <a href=\"#uuid-1\">r</a></p>",
            &mut out,
        );
        let got: Vec<&str> = out.iter().map(String::as_str).collect();
        assert_eq!(got, ["ac-1_prm_1", "ac-2", "p2", "uuid-1"]);
    }
}
