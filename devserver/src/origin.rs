//! Trusted origins and the CSRF checks exactly as Better Auth 1.4.21 applies them
//! (`api/middlewares/origin-check.ts`, `auth/trusted-origins.ts`):
//!
//! - every non-GET request that carries a `Cookie` header needs an `Origin` (or else a
//!   `Referer`) that is trusted: none or `null` is 403 `MISSING_OR_NULL_ORIGIN`, another is 403
//!   `INVALID_ORIGIN`; requests without cookies (bearer tokens, API keys) are not checked;
//! - `callbackURL` (body or query), `redirectTo`, `errorCallbackURL` and `newUserCallbackURL`
//!   must be relative paths or on a trusted origin, whoever sends them;
//! - sign-in and sign-up without cookies but with Fetch Metadata headers (a browser) refuse a
//!   cross-site navigation and otherwise need a trusted `Origin`, as if they carried a cookie.

use axum::http::{HeaderMap, StatusCode, header};
use serde_json::{Map, Value};

use crate::http::{ApiError, ApiResult};

/// The origins the server trusts, as patterns: an origin (`https://app.example.com`), or with
/// `*`/`?` wildcards (`http://localhost:*`, `*.example.com`).
#[derive(Clone, Debug)]
pub struct TrustedOrigins {
    patterns: Vec<String>,
}

impl TrustedOrigins {
    /// The server's own URL, loopback on any port, and `extra`.
    pub fn new(base_url: &str, extra: &[String]) -> Self {
        let mut patterns = vec![
            base_url.to_owned(),
            "http://localhost:*".to_owned(),
            "http://127.0.0.1:*".to_owned(),
        ];
        patterns.extend(extra.iter().cloned());
        TrustedOrigins { patterns }
    }

    /// Whether `url` is trusted; relative paths count when `allow_relative` is set.
    pub fn trusts(&self, url: &str, allow_relative: bool) -> bool {
        self.patterns
            .iter()
            .any(|p| matches_origin_pattern(url, p, allow_relative))
    }

    /// The router-level check of every non-GET request, after the body is parsed.
    pub fn check_request(
        &self,
        headers: &HeaderMap,
        body: Option<&Map<String, Value>>,
        query: &[(String, String)],
    ) -> ApiResult<()> {
        if headers.contains_key(header::COOKIE) {
            self.check_origin_header(headers)?;
        }
        let field = |name: &str| body.and_then(|b| b.get(name)).and_then(Value::as_str);
        let from_query = query
            .iter()
            .find(|(k, _)| k == "callbackURL")
            .map(|(_, v)| v.as_str());
        let callback = field("callbackURL")
            .filter(|v| !v.is_empty())
            .or(from_query);
        for (url, label) in [
            (callback, "callbackURL"),
            (field("redirectTo"), "redirectURL"),
            (field("errorCallbackURL"), "errorCallbackURL"),
            (field("newUserCallbackURL"), "newUserCallbackURL"),
        ] {
            self.check_url(url, label)?;
        }
        Ok(())
    }

    /// A URL an endpoint will redirect to: a relative path or a trusted origin.
    pub fn check_url(&self, url: Option<&str>, label: &str) -> ApiResult<()> {
        match url {
            Some(url) if !url.is_empty() && !self.trusts(url, true) => Err(ApiError::from_message(
                StatusCode::FORBIDDEN,
                &format!("Invalid {label}"),
            )),
            _ => Ok(()),
        }
    }

    /// Sign-in and sign-up: the Fetch Metadata rule for first logins.
    pub fn check_form_csrf(&self, headers: &HeaderMap) -> ApiResult<()> {
        if headers.contains_key(header::COOKIE) {
            return self.check_origin_header(headers);
        }
        let get = |name: &str| headers.get(name).and_then(|v| v.to_str().ok());
        let (site, mode, dest) = (
            get("sec-fetch-site"),
            get("sec-fetch-mode"),
            get("sec-fetch-dest"),
        );
        let present = |v: Option<&str>| v.is_some_and(|v| !v.trim().is_empty());
        if !(present(site) || present(mode) || present(dest)) {
            return Ok(());
        }
        if site == Some("cross-site") && mode == Some("navigate") {
            // Thrown with a message only: better-call derives the (long) code from it.
            return Err(ApiError::from_message(
                StatusCode::FORBIDDEN,
                "Cross-site navigation login blocked. This request appears to be a CSRF attack.",
            ));
        }
        self.check_origin_header(headers)
    }

    fn check_origin_header(&self, headers: &HeaderMap) -> ApiResult<()> {
        let value = |name| {
            headers
                .get(name)
                .and_then(|v| v.to_str().ok())
                .filter(|v| !v.is_empty())
        };
        let origin = value(header::ORIGIN)
            .or_else(|| value(header::REFERER))
            .unwrap_or("");
        if origin.is_empty() || origin == "null" {
            return Err(ApiError::coded(
                StatusCode::FORBIDDEN,
                "MISSING_OR_NULL_ORIGIN",
                "Missing or null Origin",
            ));
        }
        if !self.trusts(origin, false) {
            return Err(ApiError::coded(
                StatusCode::FORBIDDEN,
                "INVALID_ORIGIN",
                "Invalid origin",
            ));
        }
        Ok(())
    }
}

/// Better Auth's `matchesOriginPattern`.
fn matches_origin_pattern(url: &str, pattern: &str, allow_relative: bool) -> bool {
    if url.starts_with('/') {
        return allow_relative && is_safe_relative_path(url);
    }
    let parsed = url::Url::parse(url).ok();
    let origin = parsed
        .as_ref()
        .map(|u| u.origin())
        .filter(url::Origin::is_tuple)
        .map(|o| o.ascii_serialization());
    if pattern.contains('*') || pattern.contains('?') {
        if pattern.contains("://") {
            return wildcard_match(pattern, origin.as_deref().unwrap_or(url));
        }
        let host = parsed.as_ref().and_then(|u| {
            u.host_str()
                .map(|h| u.port().map_or(h.to_owned(), |p| format!("{h}:{p}")))
        });
        return host.is_some_and(|h| wildcard_match(pattern, &h));
    }
    match parsed.as_ref().map(url::Url::scheme) {
        Some("http" | "https") | None => origin.as_deref() == Some(pattern),
        Some(_) => url.starts_with(pattern),
    }
}

/// `^/(?!/|\\|%2f|%5c)[\w\-.\+/@]*(?:\?[\w\-.\+/=&%@]*)?$`: a path on this site, not `//host`.
fn is_safe_relative_path(url: &str) -> bool {
    let rest = &url[1..];
    if rest.starts_with('/')
        || rest.starts_with('\\')
        || rest.starts_with("%2f")
        || rest.starts_with("%5c")
    {
        return false;
    }
    let (path, query) = match rest.split_once('?') {
        Some((p, q)) => (p, Some(q)),
        None => (rest, None),
    };
    let word = |c: char| c.is_ascii_alphanumeric() || "_-.+/@".contains(c);
    path.chars().all(word) && query.is_none_or(|q| q.chars().all(|c| word(c) || "=&%".contains(c)))
}

/// A glob where `*` is any run and `?` any one character other than `/` and `\`.
fn wildcard_match(pattern: &str, sample: &str) -> bool {
    fn go(p: &[char], s: &[char]) -> bool {
        match p.split_first() {
            None => s.is_empty(),
            Some(('*', rest)) => (0..=s.len())
                .take_while(|&i| i == 0 || !matches!(s[i - 1], '/' | '\\'))
                .any(|i| go(rest, &s[i..])),
            Some(('?', rest)) => s
                .split_first()
                .is_some_and(|(c, tail)| !matches!(c, '/' | '\\') && go(rest, tail)),
            Some((c, rest)) => s
                .split_first()
                .is_some_and(|(d, tail)| c == d && go(rest, tail)),
        }
    }
    let p: Vec<char> = pattern.chars().collect();
    let s: Vec<char> = sample.chars().collect();
    go(&p, &s)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn patterns_match_as_better_auth_does() {
        let t = TrustedOrigins::new("http://127.0.0.1:4000", &["https://*.example.com".into()]);
        assert!(t.trusts("http://localhost:3000", false));
        assert!(t.trusts("http://localhost:3000/some/page?x=1", false));
        assert!(t.trusts("http://127.0.0.1:4000", false));
        assert!(t.trusts("https://app.example.com/welcome", false));
        assert!(!t.trusts("https://example.com", false));
        assert!(!t.trusts("https://evil.example", false));
        assert!(!t.trusts("http://localhost.evil.example", false));
        assert!(!t.trusts("/welcome", false));
        assert!(t.trusts("/welcome", true));
        assert!(t.trusts("/reset?token=a%20b&x=1", true));
        for bad in [
            "//evil.example",
            "/\\evil.example",
            "/%2fevil.example",
            "/a b",
        ] {
            assert!(!t.trusts(bad, true), "{bad}");
        }
    }
}
