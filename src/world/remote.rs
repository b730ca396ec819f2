//! http(s) imports, only with `--allow-remote` (and the default `remote` feature).

use super::FetchError;
use url::Url;

/// Fetches `uri` over http(s), refusing bodies larger than `limit` bytes.
#[cfg(feature = "remote")]
pub fn fetch(uri: &Url, limit: u64) -> Result<Vec<u8>, FetchError> {
    use std::io::Read;
    let io = |reason: String| FetchError::Io {
        path: uri.to_string(),
        reason,
    };
    let response = ureq::get(uri.as_str()).call().map_err(|e| match e {
        ureq::Error::StatusCode(404) => FetchError::NotFound(uri.to_string()),
        other => io(other.to_string()),
    })?;
    let mut body = Vec::new();
    response
        .into_body()
        .into_reader()
        .take(limit.saturating_add(1))
        .read_to_end(&mut body)
        .map_err(|e| io(e.to_string()))?;
    if body.len() as u64 > limit {
        return Err(FetchError::TooLarge {
            path: uri.to_string(),
            size: body.len() as u64,
            limit,
        });
    }
    Ok(body)
}

/// Without the `remote` feature there is no HTTP client.
#[cfg(not(feature = "remote"))]
pub fn fetch(uri: &Url, _limit: u64) -> Result<Vec<u8>, FetchError> {
    Err(FetchError::Io {
        path: uri.to_string(),
        reason: "this build of oscalc has no HTTP client (feature `remote`); --map the prefix to a local mirror".into(),
    })
}
