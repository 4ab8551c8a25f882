//! When to try a request again and how long to wait first.

use std::time::{Duration, SystemTime};

use reqwest::header::HeaderMap;

/// Statuses that mean "the request did not take; the same request may succeed later".
pub(crate) fn is_retryable_status(status: u16) -> bool {
    matches!(status, 408 | 429 | 500 | 502 | 503 | 504)
}

/// How retries are spaced and bounded.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Backoff {
    /// Delay before the first retry; doubles each attempt.
    pub initial: Duration,
    /// No single wait is longer than this, whatever the server asks for.
    pub max_wait: Duration,
}

impl Default for Backoff {
    fn default() -> Self {
        Backoff {
            initial: Duration::from_millis(200),
            max_wait: Duration::from_secs(60),
        }
    }
}

impl Backoff {
    /// The wait before retry number `attempt + 1` (attempt counts from 0).
    ///
    /// Exponential with "equal jitter": half the step is fixed, half random, so clients that
    /// failed together do not retry together. A server-requested wait replaces the step;
    /// `None` means the server asked for longer than `max_wait` and the call should give up.
    pub fn delay(&self, attempt: u32, server_asked: Option<Duration>) -> Option<Duration> {
        if let Some(asked) = server_asked {
            return (asked <= self.max_wait).then_some(asked);
        }
        let step = self
            .initial
            .saturating_mul(1u32.checked_shl(attempt.min(16)).unwrap_or(u32::MAX))
            .min(self.max_wait);
        let half = step / 2;
        Some(half + half.mul_f64(fastrand::f64()))
    }
}

/// The wait a response asks for: `Retry-After` (seconds or HTTP date), then `x-retry-after`
/// (seconds, Better Auth's rate limiter).
pub(crate) fn retry_after_from_headers(headers: &HeaderMap, now: SystemTime) -> Option<Duration> {
    let value = |name: &str| {
        headers
            .get(name)
            .and_then(|v| v.to_str().ok())
            .map(str::trim)
    };
    if let Some(v) = value("retry-after") {
        if let Some(d) = parse_seconds(v) {
            return Some(d);
        }
        if let Ok(at) = httpdate::parse_http_date(v) {
            return Some(at.duration_since(now).unwrap_or(Duration::ZERO));
        }
    }
    value("x-retry-after").and_then(parse_seconds)
}

fn parse_seconds(v: &str) -> Option<Duration> {
    let secs: f64 = v.parse().ok()?;
    (secs.is_finite() && secs >= 0.0).then(|| Duration::from_secs_f64(secs))
}

#[cfg(test)]
mod tests {
    use super::*;
    use reqwest::header::HeaderValue;

    fn headers(pairs: &[(&'static str, &str)]) -> HeaderMap {
        let mut h = HeaderMap::new();
        for (k, v) in pairs {
            h.insert(*k, HeaderValue::from_str(v).unwrap());
        }
        h
    }

    #[test]
    fn retry_after_seconds_date_and_x_header() {
        let now = SystemTime::UNIX_EPOCH + Duration::from_secs(1_700_000_000);
        assert_eq!(
            retry_after_from_headers(&headers(&[("retry-after", "3")]), now),
            Some(Duration::from_secs(3))
        );
        let later = httpdate::fmt_http_date(now + Duration::from_secs(42));
        assert_eq!(
            retry_after_from_headers(&headers(&[("retry-after", &later)]), now),
            Some(Duration::from_secs(42))
        );
        let past = httpdate::fmt_http_date(now - Duration::from_secs(42));
        assert_eq!(
            retry_after_from_headers(&headers(&[("retry-after", &past)]), now),
            Some(Duration::ZERO)
        );
        assert_eq!(
            retry_after_from_headers(&headers(&[("x-retry-after", "5")]), now),
            Some(Duration::from_secs(5))
        );
        assert_eq!(
            retry_after_from_headers(&headers(&[("retry-after", "soon")]), now),
            None
        );
        assert_eq!(
            retry_after_from_headers(&headers(&[("retry-after", "-1")]), now),
            None
        );
    }

    #[test]
    fn backoff_grows_is_jittered_and_capped() {
        let b = Backoff::default();
        for attempt in 0..4 {
            let step = Duration::from_millis(200 * (1 << attempt));
            for _ in 0..50 {
                let d = b.delay(attempt, None).unwrap();
                assert!(d >= step / 2 && d <= step, "attempt {attempt}: {d:?}");
            }
        }
        assert!(b.delay(40, None).unwrap() <= b.max_wait);
    }

    #[test]
    fn server_wait_replaces_backoff_unless_over_the_cap() {
        let b = Backoff::default();
        assert_eq!(
            b.delay(0, Some(Duration::from_secs(2))),
            Some(Duration::from_secs(2))
        );
        assert_eq!(b.delay(0, Some(Duration::from_secs(61))), None);
    }

    #[test]
    fn retryable_statuses() {
        for s in [408, 429, 500, 502, 503, 504] {
            assert!(is_retryable_status(s));
        }
        for s in [400, 401, 403, 404, 409, 422, 501] {
            assert!(!is_retryable_status(s));
        }
    }
}
