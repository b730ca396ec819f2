//! http(s) imports, only with `--allow-remote` (and the default `remote` feature).
//!
//! Rules: redirects are followed here, not by the client, so each hop is checked: at most
//! [`MAX_REDIRECTS`], http(s) only, never from https down to http. Connecting and each read wait
//! at most the timeout, a whole fetch ten times that; the body is read at most to the size limit.

use super::FetchError;
use std::time::Duration;
use url::Url;

/// Redirects followed for one import.
#[cfg(feature = "remote")]
pub const MAX_REDIRECTS: usize = 5;

/// Fetches `uri` over http(s), refusing bodies larger than `limit` bytes.
#[cfg(feature = "remote")]
pub fn fetch(uri: &Url, limit: u64, timeout: Duration) -> Result<Vec<u8>, FetchError> {
    let agent: ureq::Agent = ureq::Agent::config_builder()
        .max_redirects(0)
        .http_status_as_error(false)
        .timeout_connect(Some(timeout))
        .timeout_per_read(Some(timeout))
        .timeout_recv_response(Some(timeout))
        .timeout_global(Some(timeout.saturating_mul(10)))
        .build()
        .into();
    let mut current = uri.clone();
    for _ in 0..=MAX_REDIRECTS {
        match get(&agent, &current, limit)? {
            Hop::Body(body) => return Ok(body),
            Hop::Redirect(next) => {
                check_redirect(&current, &next)?;
                current = next;
            }
        }
    }
    Err(FetchError::Redirect {
        uri: uri.to_string(),
        reason: format!("more than {MAX_REDIRECTS} redirects"),
    })
}

/// One request's outcome.
#[cfg(feature = "remote")]
enum Hop {
    Body(Vec<u8>),
    Redirect(Url),
}

#[cfg(feature = "remote")]
fn get(agent: &ureq::Agent, uri: &Url, limit: u64) -> Result<Hop, FetchError> {
    use std::io::Read;
    let io = |reason: String| FetchError::Io {
        path: uri.to_string(),
        reason,
    };
    let timed_out = |kind: std::io::ErrorKind| kind == std::io::ErrorKind::TimedOut;
    let response = agent.get(uri.as_str()).call().map_err(|e| match e {
        ureq::Error::Timeout(_) => FetchError::Timeout(uri.to_string()),
        ureq::Error::Io(e) if timed_out(e.kind()) => FetchError::Timeout(uri.to_string()),
        other => io(other.to_string()),
    })?;
    let status = response.status().as_u16();
    if (300..400).contains(&status) {
        let next = response
            .headers()
            .get("location")
            .and_then(|l| l.to_str().ok())
            .and_then(|l| uri.join(l).ok())
            .ok_or_else(|| FetchError::Redirect {
                uri: uri.to_string(),
                reason: format!("status {status} without a usable Location"),
            })?;
        return Ok(Hop::Redirect(next));
    }
    if status == 404 || status == 410 {
        return Err(FetchError::NotFound(uri.to_string()));
    }
    if status >= 400 {
        return Err(io(format!("the server answered {status}")));
    }
    let mut body = Vec::new();
    response
        .into_body()
        .into_reader()
        .take(limit.saturating_add(1))
        .read_to_end(&mut body)
        .map_err(|e| match e.kind() {
            k if timed_out(k) => FetchError::Timeout(uri.to_string()),
            _ => io(e.to_string()),
        })?;
    if body.len() as u64 > limit {
        return Err(FetchError::TooLarge {
            path: uri.to_string(),
            size: body.len() as u64,
            limit,
        });
    }
    Ok(Hop::Body(body))
}

/// A redirect may go to http(s) only, and never from https to http.
#[cfg_attr(not(feature = "remote"), allow(dead_code))]
fn check_redirect(from: &Url, to: &Url) -> Result<(), FetchError> {
    let refuse = |reason: String| {
        Err(FetchError::Redirect {
            uri: from.to_string(),
            reason,
        })
    };
    match (from.scheme(), to.scheme()) {
        ("https", "http") => refuse(format!("redirect from https down to http ({to}) refused")),
        (_, "http" | "https") => Ok(()),
        (_, other) => refuse(format!("redirect to a `{other}:` URI refused")),
    }
}

/// Without the `remote` feature there is no HTTP client.
#[cfg(not(feature = "remote"))]
pub fn fetch(uri: &Url, _limit: u64, _timeout: Duration) -> Result<Vec<u8>, FetchError> {
    Err(FetchError::Io {
        path: uri.to_string(),
        reason: "this build of oscalc has no HTTP client (feature `remote`); --map the prefix to a local mirror".into(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn url(s: &str) -> Url {
        Url::parse(s).expect("url")
    }

    #[test]
    fn redirects_go_to_http_s_only_and_never_down_from_https() {
        let ok = |a: &str, b: &str| check_redirect(&url(a), &url(b)).is_ok();
        assert!(ok("http://a/x", "https://b/y"));
        assert!(ok("http://a/x", "http://b/y"));
        assert!(ok("https://a/x", "https://b/y"));
        assert!(!ok("https://a/x", "http://a/x"));
        assert!(!ok("http://a/x", "file:///etc/passwd"));
        assert!(!ok("https://a/x", "ftp://a/x"));
    }
}
