//! The cookies Better Auth keeps on a device besides the session: one per signed-in account
//! (multi-session, `session_token_multi-<token>`), the trusted-device mark of two-factor
//! (`trust_device`), a sign-in waiting for its second factor (`two_factor`) and one not to be
//! remembered (`dont_remember`).
//!
//! A client keeps them like a browser would, next to its session store (each
//! [`crate::Client::with_session_store`] gets its own), and sends them with the calls that read
//! them ([`uses_device_cookies`]), so the server sees one device: signing in again as the same
//! user replaces that user's older session, a trusted device skips the second factor, and
//! sign-out ends the device's sessions. The session itself travels as the bearer token; other
//! calls carry no cookie, so Better Auth's origin check (which applies to requests with
//! cookies) stays out of their way.

use std::fmt;
use std::sync::{Mutex, MutexGuard};

use reqwest::header::HeaderMap;

use crate::cookie_session::CookieSession;

/// The paths (under `/api/auth`) whose answers depend on the device cookies: the ones that start
/// a session (the multi-session and two-factor hooks read them), sign-out, and the
/// multi-session and two-factor routes themselves.
pub(crate) fn uses_device_cookies(path: &str) -> bool {
    let Some(route) = path.strip_prefix("/api/auth/") else {
        return false;
    };
    ["sign-in/", "sign-up/", "multi-session/", "two-factor/"]
        .iter()
        .any(|prefix| route.starts_with(prefix))
        || matches!(
            route,
            "sign-out"
                | "magic-link/verify"
                | "one-time-token/verify"
                | "cross-domain/one-time-token/verify"
                | "email-otp/verify-email"
                | "verify-email"
        )
}

/// Which device cookie a cookie name is, whatever its `__Secure-` and project prefixes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum DeviceCookie {
    /// A signed-in account of the device (multi-session).
    Account,
    /// Two-factor's trusted-device mark.
    TrustedDevice,
    /// A sign-in waiting for its second factor.
    PendingSecondFactor,
    /// A sign-in that should not be remembered (`rememberMe: false`): the second factor's
    /// step reads it to start a session of the same kind.
    DontRemember,
}

impl DeviceCookie {
    fn of(name: &str) -> Option<DeviceCookie> {
        let name = name.trim_start_matches("__Secure-");
        let (_, suffix) = name.split_once('.')?;
        if suffix.starts_with("session_token_multi-") {
            Some(DeviceCookie::Account)
        } else if suffix == "trust_device" {
            Some(DeviceCookie::TrustedDevice)
        } else if suffix == "two_factor" {
            Some(DeviceCookie::PendingSecondFactor)
        } else if suffix == "dont_remember" {
            Some(DeviceCookie::DontRemember)
        } else {
            None
        }
    }
}

/// The device's cookies, in the order the server set them (values exactly as received).
#[derive(Default)]
pub(crate) struct DeviceCookies {
    cookies: Mutex<Vec<(String, String)>>,
    /// The browser request whose cookies these are ([`crate::Client::with_cookie_session`]):
    /// every Better Auth cookie the server sets is relayed to its answer.
    relay: Option<CookieSession>,
}

impl fmt::Debug for DeviceCookies {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "DeviceCookies(<{} redacted>)", self.lock().len())
    }
}

impl DeviceCookies {
    fn lock(&self) -> MutexGuard<'_, Vec<(String, String)>> {
        self.cookies.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// The device cookies of a browser request, relaying what the server sets to its answer;
    /// `https`: whether the server is on HTTPS (and wants `__Secure-` names).
    pub(crate) fn relaying(session: &CookieSession, https: bool) -> DeviceCookies {
        DeviceCookies {
            cookies: Mutex::new(session.device_cookies(https)),
            relay: Some(session.clone()),
        }
    }

    /// Takes in the device cookies a response sets, and forgets those it expires.
    pub(crate) fn absorb(&self, headers: &HeaderMap) {
        let set: Vec<_> = headers
            .get_all(reqwest::header::SET_COOKIE)
            .iter()
            .filter_map(|v| v.to_str().ok())
            .filter_map(|line| cookie::Cookie::parse(line.to_owned()).ok())
            .inspect(|c| {
                if let Some(relay) = &self.relay {
                    relay.relay(c);
                }
            })
            .filter(|c| DeviceCookie::of(c.name()).is_some())
            .collect();
        if set.is_empty() {
            return;
        }
        let mut cookies = self.lock();
        for cookie in set {
            let expired = cookie.value().is_empty()
                || cookie.max_age().is_some_and(|age| age.whole_seconds() <= 0);
            cookies.retain(|(name, _)| name != cookie.name());
            if !expired {
                cookies.push((cookie.name().to_owned(), cookie.value().to_owned()));
            }
        }
    }

    /// The `Cookie` header value of every kept cookie, or none.
    pub(crate) fn header(&self) -> Option<String> {
        let cookies = self.lock();
        (!cookies.is_empty()).then(|| {
            cookies
                .iter()
                .map(|(name, value)| format!("{name}={value}"))
                .collect::<Vec<_>>()
                .join("; ")
        })
    }

    /// Whether a cookie of this kind is kept.
    pub(crate) fn holds(&self, kind: DeviceCookie) -> bool {
        self.lock()
            .iter()
            .any(|(name, _)| DeviceCookie::of(name) == Some(kind))
    }

    /// Forgets every cookie of this kind.
    pub(crate) fn forget(&self, kind: DeviceCookie) {
        self.lock()
            .retain(|(name, _)| DeviceCookie::of(name) != Some(kind));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_the_calls_that_read_them_carry_the_cookies() {
        for path in [
            "/api/auth/sign-in/email",
            "/api/auth/sign-up/email",
            "/api/auth/sign-out",
            "/api/auth/multi-session/list-device-sessions",
            "/api/auth/two-factor/verify-totp",
            "/api/auth/magic-link/verify",
        ] {
            assert!(uses_device_cookies(path), "{path}");
        }
        for path in [
            "/api/auth/get-session",
            "/api/auth/update-user",
            "/api/auth/convex/jwks",
            "/api/auth/banata/config/addons/get",
        ] {
            assert!(!uses_device_cookies(path), "{path}");
        }
    }

    fn headers(lines: &[&str]) -> HeaderMap {
        let mut headers = HeaderMap::new();
        for line in lines {
            headers.append(reqwest::header::SET_COOKIE, line.parse().unwrap());
        }
        headers
    }

    #[test]
    fn keeps_device_cookies_and_forgets_expired_ones() {
        let jar = DeviceCookies::default();
        jar.absorb(&headers(&[
            "better-auth.session_token=abc.sig; Max-Age=604800; Path=/; HttpOnly",
            "better-auth.session_token_multi-abc=abc.sig%3D; Max-Age=604800; Path=/",
            "__Secure-better-auth.trust_device=t.sig; Max-Age=2592000; Path=/; Secure",
        ]));
        assert_eq!(
            jar.header().as_deref(),
            Some(
                "better-auth.session_token_multi-abc=abc.sig%3D; __Secure-better-auth.trust_device=t.sig"
            )
        );
        assert!(jar.holds(DeviceCookie::TrustedDevice));
        jar.absorb(&headers(&[
            "better-auth.session_token_multi-abc=; Max-Age=0; Path=/",
        ]));
        assert_eq!(
            jar.header().as_deref(),
            Some("__Secure-better-auth.trust_device=t.sig")
        );
        jar.forget(DeviceCookie::TrustedDevice);
        assert_eq!(jar.header(), None);
        assert_eq!(format!("{jar:?}"), "DeviceCookies(<0 redacted>)");
    }
}
