//! Import hrefs: RFC 3986 resolution against the importing document (req-uri-base), and `#uuid`
//! references to back-matter resources (req-internal) with rlink choice and base64.

use crate::model::Format;
use crate::model::{BackMatter, Resource};
use url::Url;

/// One way to acquire an import, in the order to try them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Candidate {
    /// Fetch this URI.
    Uri {
        /// The href resolved against the importing document.
        uri: Url,
        /// The href as written (the import's, or the rlink's): `--map` may match it.
        href: String,
    },
    /// Decode this base64 (req-internal-resolve5, RFC 4648 §4); `key` identifies it in the run.
    Base64 {
        /// The decoded bytes.
        bytes: Vec<u8>,
        /// A stable name: `<importer>#<uuid>`.
        key: Url,
    },
}

/// Why an href cannot be turned into candidates.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum HrefError {
    /// Not a valid URI reference.
    Invalid(String),
    /// `#uuid` names no resource of the importing document.
    NoResource(String),
    /// The resource has no rlink or base64 we can use.
    NoUsableLink(String),
    /// The base64 does not decode.
    BadBase64(String),
}

/// The candidates for acquiring `href`, imported by the document at `base` (in `format`).
pub fn candidates(
    href: &str,
    base: &Url,
    back_matter: Option<&BackMatter>,
    format: Format,
) -> Result<Vec<Candidate>, HrefError> {
    let Some(uuid) = href.strip_prefix('#') else {
        // req-uri-resolve, req-uri-base: RFC 3986 §5 against the containing document.
        return base
            .join(href)
            .map(|uri| {
                vec![Candidate::Uri {
                    uri,
                    href: href.to_owned(),
                }]
            })
            .map_err(|e| HrefError::Invalid(format!("{href}: {e}")));
    };
    // req-internal: a fragment names a back-matter resource of the importing document.
    let resource = back_matter
        .and_then(|bm| bm.resources.iter().find(|r| r.uuid == uuid))
        .ok_or_else(|| HrefError::NoResource(uuid.to_owned()))?;
    let mut out = rlink_candidates(resource, base, format);
    if let Some(b64) = &resource.base64 {
        use base64::Engine;
        let cleaned: String = b64.value.chars().filter(|c| !c.is_whitespace()).collect();
        match base64::engine::general_purpose::STANDARD.decode(cleaned.as_bytes()) {
            Ok(bytes) => {
                let mut key = base.clone();
                key.set_fragment(Some(uuid));
                out.push(Candidate::Base64 { bytes, key });
            }
            Err(e) if out.is_empty() => return Err(HrefError::BadBase64(e.to_string())),
            Err(_) => {}
        }
    }
    if out.is_empty() {
        return Err(HrefError::NoUsableLink(uuid.to_owned()));
    }
    Ok(out)
}

/// The format a media type names, if any (`application/yaml`, `…+yaml`, `text/yaml`, …).
fn media_format(media_type: &str) -> Option<Format> {
    let m = media_type.to_ascii_lowercase();
    // A parameter (`; charset=utf-8`) says nothing about the format.
    let m = m.split(';').next().unwrap_or_default().trim();
    if m.ends_with("+yaml") || m.ends_with("/yaml") || m.ends_with("/x-yaml") {
        Some(Format::Yaml)
    } else if m.ends_with("+xml") || m.ends_with("/xml") {
        Some(Format::Xml)
    } else if m.ends_with("+json") || m.ends_with("/json") {
        Some(Format::Json)
    } else {
        None
    }
}

/// Rlinks in preference order (P6): the importing document's format first, then the other
/// OSCAL formats in rlink order; without a media type the extension decides.
fn rlink_candidates(resource: &Resource, base: &Url, format: Format) -> Vec<Candidate> {
    let mut ranked: Vec<(u8, usize, Url, &str)> = Vec::new();
    for (i, rlink) in resource.rlinks.iter().enumerate() {
        let f = rlink
            .media_type
            .as_deref()
            .and_then(media_format)
            .or_else(|| Format::from_extension(&rlink.href))
            .unwrap_or(format);
        let Ok(url) = base.join(&rlink.href) else {
            continue;
        };
        let rank = u8::from(f != format);
        ranked.push((rank, i, url, &rlink.href));
    }
    ranked.sort_by_key(|(rank, i, _, _)| (*rank, *i));
    ranked
        .into_iter()
        .map(|(_, _, uri, href)| Candidate::Uri {
            uri,
            href: href.to_owned(),
        })
        .collect()
}
