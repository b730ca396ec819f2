//! The Metaschema datatypes a `matches/@datatype` names, as a yes/no on a value: the types the
//! OSCAL modules use on catalogs and profiles (`uri`, `uri-reference`,
//! `date-time-with-timezone`) and the common ones external sets use. Each follows the
//! Metaschema definition (the pattern of the OSCAL JSON schema), not a Java parser: `uri` needs a
//! scheme, where metaschema-java's `URI.create` also takes a relative reference.

use regex::Regex;
use std::sync::OnceLock;
use time::format_description::well_known::Rfc3339;

/// A datatype the check knows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Datatype {
    /// An absolute URI: a scheme, `:`, something.
    Uri,
    /// A URI or relative reference: no white space.
    UriReference,
    /// `date-time-with-timezone`: RFC 3339 with an offset.
    DateTimeWithTimezone,
    /// `date-time`: RFC 3339, the offset optional.
    DateTime,
    /// `date-with-timezone`: `YYYY-MM-DD` then `Z` or `±hh:mm`.
    DateWithTimezone,
    /// `date`: `YYYY-MM-DD`, the offset optional.
    Date,
    /// `token`: a non-colonized name.
    Token,
    /// `uuid`: a version 4 or 5 UUID.
    Uuid,
    /// `string`: non-empty, no leading or trailing white space.
    String,
    /// `integer`.
    Integer,
    /// `non-negative-integer`.
    NonNegativeInteger,
    /// `positive-integer`.
    PositiveInteger,
    /// `decimal`.
    Decimal,
    /// `boolean`: `true`, `false`, `1`, `0`.
    Boolean,
    /// `email-address`: something `@` something, no white space.
    EmailAddress,
}

impl Datatype {
    /// The datatype of a Metaschema name; `None` for one the check does not know (such a
    /// `matches` checks its regex only; add the type here to check it).
    pub fn named(name: &str) -> Option<Datatype> {
        Some(match name {
            "uri" => Datatype::Uri,
            "uri-reference" => Datatype::UriReference,
            "date-time-with-timezone" | "dateTime-with-timezone" => Datatype::DateTimeWithTimezone,
            "date-time" | "dateTime" => Datatype::DateTime,
            "date-with-timezone" => Datatype::DateWithTimezone,
            "date" => Datatype::Date,
            "token" | "NCName" => Datatype::Token,
            "uuid" => Datatype::Uuid,
            "string" => Datatype::String,
            "integer" => Datatype::Integer,
            "non-negative-integer" | "nonNegativeInteger" => Datatype::NonNegativeInteger,
            "positive-integer" | "positiveInteger" => Datatype::PositiveInteger,
            "decimal" => Datatype::Decimal,
            "boolean" => Datatype::Boolean,
            "email-address" | "email" => Datatype::EmailAddress,
            _ => return None,
        })
    }

    /// Whether `v` is a value of this type.
    pub fn accepts(self, v: &str) -> bool {
        let digits = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
        let signed = |s: &str| digits(s.strip_prefix(['-', '+']).unwrap_or(s));
        match self {
            Datatype::Uri => uri(v),
            Datatype::UriReference => !v.is_empty() && !v.chars().any(char::is_whitespace),
            Datatype::DateTimeWithTimezone => time::OffsetDateTime::parse(v, &Rfc3339).is_ok(),
            Datatype::DateTime => {
                time::OffsetDateTime::parse(v, &Rfc3339).is_ok()
                    || time::OffsetDateTime::parse(&format!("{v}Z"), &Rfc3339).is_ok()
            }
            Datatype::DateWithTimezone => date(v, true),
            Datatype::Date => date(v, false),
            Datatype::Token => token(v),
            Datatype::Uuid => uuid(v),
            Datatype::String => !v.is_empty() && v.trim() == v,
            Datatype::Integer => signed(v),
            Datatype::NonNegativeInteger => digits(v),
            Datatype::PositiveInteger => digits(v) && v.bytes().any(|b| b != b'0'),
            Datatype::Decimal => decimal(v),
            Datatype::Boolean => matches!(v, "true" | "false" | "1" | "0"),
            Datatype::EmailAddress => match v.split_once('@') {
                Some((a, b)) => {
                    !a.is_empty() && !b.is_empty() && !v.chars().any(char::is_whitespace)
                }
                None => false,
            },
        }
    }
}

/// Metaschema `uri`: `^[a-zA-Z][a-zA-Z0-9+\-.]+:.+$`, no white space.
fn uri(v: &str) -> bool {
    let Some((scheme, rest)) = v.split_once(':') else {
        return false;
    };
    let mut chars = scheme.chars();
    chars.next().is_some_and(|c| c.is_ascii_alphabetic())
        && scheme.len() >= 2
        && chars.all(|c| c.is_ascii_alphanumeric() || matches!(c, '+' | '-' | '.'))
        && !rest.is_empty()
        && !v.chars().any(char::is_whitespace)
}

fn date(v: &str, zone_required: bool) -> bool {
    let (day, zone) = match v.get(..10) {
        Some(d) => (d, v.get(10..).unwrap_or("")),
        None => return false,
    };
    if zone.is_empty() && zone_required {
        return false;
    }
    let stamp = format!("{day}T00:00:00{}", if zone.is_empty() { "Z" } else { zone });
    time::OffsetDateTime::parse(&stamp, &Rfc3339).is_ok()
}

fn decimal(v: &str) -> bool {
    let v = v.strip_prefix(['-', '+']).unwrap_or(v);
    let (int, frac) = v.split_once('.').unwrap_or((v, ""));
    (!int.is_empty() || !frac.is_empty())
        && int.bytes().all(|b| b.is_ascii_digit())
        && frac.bytes().all(|b| b.is_ascii_digit())
}

fn token(v: &str) -> bool {
    static RE: OnceLock<Option<Regex>> = OnceLock::new();
    RE.get_or_init(|| Regex::new(r"^(\p{L}|_)(\p{L}|\p{N}|[.\-_])*$").ok())
        .as_ref()
        .is_some_and(|re| re.is_match(v))
}

fn uuid(v: &str) -> bool {
    static RE: OnceLock<Option<Regex>> = OnceLock::new();
    RE.get_or_init(|| {
        Regex::new(
            r"^[0-9A-Fa-f]{8}-[0-9A-Fa-f]{4}-[45][0-9A-Fa-f]{3}-[89ABab][0-9A-Fa-f]{3}-[0-9A-Fa-f]{12}$",
        )
        .ok()
    })
    .as_ref()
    .is_some_and(|re| re.is_match(v))
}

#[cfg(test)]
mod tests {
    use super::Datatype;

    #[test]
    fn datatype_values_accepted_and_refused() {
        let uri = Datatype::named("uri").unwrap();
        assert!(uri.accepts("https://example.com/a"));
        assert!(uri.accepts("urn:x:y"));
        assert!(!uri.accepts("docs/a.pdf"));
        assert!(!uri.accepts("https://a b"));
        let dt = Datatype::named("date-time-with-timezone").unwrap();
        assert!(dt.accepts("2024-01-01T00:00:00Z"));
        assert!(dt.accepts("2024-01-01T00:00:00.5+02:00"));
        assert!(!dt.accepts("2024-01-01T00:00:00"));
        assert!(!dt.accepts("2024-13-01T00:00:00Z"));
        let token = Datatype::named("token").unwrap();
        assert!(token.accepts("ac-2.1_x"));
        assert!(!token.accepts("1ac"));
        assert!(!token.accepts("a b"));
        assert!(Datatype::named("date").unwrap().accepts("2024-02-29"));
        assert!(!Datatype::named("date").unwrap().accepts("2023-02-29"));
        assert!(
            Datatype::named("uuid")
                .unwrap()
                .accepts("8bd5f2a4-6a6b-4f7c-9a43-2b4f7cbbd7a4")
        );
        assert!(!Datatype::named("positive-integer").unwrap().accepts("00"));
        assert!(Datatype::named("decimal").unwrap().accepts("-1.5"));
        assert_eq!(Datatype::named("markup-line"), None);
    }
}
