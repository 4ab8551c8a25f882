//! Sessions kept in the browser's own cookies, for app servers (Next.js route handlers and
//! server actions, FastAPI, …) that run the SDK on the user's behalf.
//!
//! The platform's session cookie is signed with the project's secret, so an app server cannot
//! mint one: it relays the cookies Better Auth sets (`session_token` with its `Max-Age`, or
//! none with `dont_remember`; `session_data`; the platform's `convex_jwt`; the device cookies
//! of multi-session and two-factor) to the browser under the same names, and reads them back
//! from the next request. A session started by the SDK, by the hosted page or by the
//! `better-auth` browser client on the same site is therefore one session.
//!
//! ```no_run
//! # async fn f(project: banata_auth::Client, cookie_header: Option<&str>) -> banata_auth::Result<()> {
//! use banata_auth::{CookieOptions, CookieSession, SignInEmail};
//! let cookies = CookieSession::from_request(cookie_header, CookieOptions::default());
//! let user = project.with_cookie_session(&cookies);
//! user.auth().sign_in_email(SignInEmail::new("ada@example.com", "correct horse")).await?;
//! for line in cookies.set_cookie_headers() {
//!     // append `Set-Cookie: {line}` to the answer
//! }
//! # Ok(()) }
//! ```

use std::fmt;
use std::sync::{Arc, Mutex, MutexGuard};

use async_trait::async_trait;
use cookie::{Cookie, SameSite};

use crate::error::Result;
use crate::session_store::{SessionStore, SessionToken};

/// How long Better Auth keeps a remembered session cookie (its default `expiresIn`), used when
/// the SDK writes the cookie itself because the server's answer set none.
const REMEMBERED_SESSION_SECONDS: i64 = 7 * 24 * 60 * 60;
/// The cookie prefix of managed projects (Better Auth's default).
const DEFAULT_PREFIX: &str = "better-auth";

/// The Better Auth cookies an app relays between the platform and its users' browsers.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum RelayedCookie {
    /// The signed session token.
    Session,
    /// The marker of a session that should end with the browser (`rememberMe: false`).
    DontRemember,
    /// Better Auth's cached session (cookie cache), when the server sets it.
    SessionData,
    /// The platform's short-lived session JWT.
    SessionJwt,
    /// A device cookie (multi-session account, trusted device, pending second factor).
    Device,
}

impl RelayedCookie {
    /// The kind of a cookie by its name, whatever its `__Secure-` and project prefixes, with the
    /// project prefix.
    pub(crate) fn of(name: &str) -> Option<(RelayedCookie, &str)> {
        let plain = name.trim_start_matches("__Secure-");
        let (prefix, suffix) = plain.split_once('.')?;
        let kind = match suffix {
            "session_token" => RelayedCookie::Session,
            "dont_remember" => RelayedCookie::DontRemember,
            "session_data" => RelayedCookie::SessionData,
            "convex_jwt" => RelayedCookie::SessionJwt,
            "trust_device" | "two_factor" => RelayedCookie::Device,
            s if s.starts_with("session_token_multi-") => RelayedCookie::Device,
            _ => return None,
        };
        Some((kind, prefix))
    }
}

/// Better Auth's form of a token in a cookie: URL-encoded, as `encodeURIComponent` leaves a
/// signed token (a value that already is, like 1.4's `set-auth-token`, is kept).
pub(crate) fn cookie_value(token: &str) -> String {
    if token.contains('%') {
        token.to_owned()
    } else {
        token
            .replace('+', "%2B")
            .replace('/', "%2F")
            .replace('=', "%3D")
    }
}

/// How the app's cookies are written.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CookieOptions {
    /// `Secure` and the `__Secure-` prefix, as Better Auth does on HTTPS. On by default; turn
    /// it off for an app served over plain HTTP on a development machine.
    pub secure: bool,
    /// The cookies' `Domain` (none by default: the app's own host). Set it to share the session
    /// with the hosted page or other subdomains, e.g. `example.com`.
    pub domain: Option<String>,
}

impl Default for CookieOptions {
    fn default() -> Self {
        CookieOptions {
            secure: true,
            domain: None,
        }
    }
}

impl CookieOptions {
    /// Options for an app at `url`: `Secure` when it is served over HTTPS.
    pub fn for_url(url: &str) -> CookieOptions {
        CookieOptions {
            secure: !url.trim_start().to_ascii_lowercase().starts_with("http:"),
            domain: None,
        }
    }
}

/// A cookie for the answer, as fields. The value is as Better Auth writes it (URL-encoded):
/// set it without encoding it again.
#[derive(Clone, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "camelCase")]
pub struct SetCookie {
    /// The cookie's name, e.g. `__Secure-better-auth.session_token`.
    pub name: String,
    /// Its value (empty when the answer ends it).
    pub value: String,
    /// Always `/`.
    pub path: String,
    /// The `Domain` of [`CookieOptions::domain`], if any.
    pub domain: Option<String>,
    /// Seconds to keep it (`0` ends it); none for a cookie that ends with the browser.
    pub max_age: Option<i64>,
    /// When it ends (Unix seconds), if the server said so with `Expires`.
    pub expires: Option<i64>,
    /// Always true: no script of the page reads a token.
    pub http_only: bool,
    /// Whether it is `Secure` ([`CookieOptions::secure`]).
    pub secure: bool,
    /// `lax`, `strict` or `none`.
    pub same_site: String,
}

impl fmt::Debug for SetCookie {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SetCookie")
            .field("name", &self.name)
            .field("max_age", &self.max_age)
            .finish_non_exhaustive()
    }
}

/// One browser request's Better Auth cookies: what it sent, and what the answer must set.
///
/// Make one per request with [`CookieSession::from_request`], use it through
/// [`crate::Client::with_cookie_session`], then send [`CookieSession::set_cookie_headers`] with
/// the answer. Cheap; clones share the same cookies. `Debug` shows no value.
#[derive(Clone)]
pub struct CookieSession {
    inner: Arc<Inner>,
}

struct Inner {
    options: CookieOptions,
    /// The request's Better Auth cookies (names as sent, values as sent: URL-encoded).
    incoming: Vec<(String, String)>,
    /// The cookies the answer sets, one per plain name, in the order they were last set.
    outgoing: Mutex<Vec<Cookie<'static>>>,
}

impl fmt::Debug for CookieSession {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("CookieSession")
            .field("options", &self.inner.options)
            .field("incoming", &self.inner.incoming.len())
            .field("outgoing", &self.lock().len())
            .finish_non_exhaustive()
    }
}

fn plain(name: &str) -> &str {
    name.trim_start_matches("__Secure-")
}

fn expired(cookie: &Cookie<'_>) -> bool {
    cookie.value().is_empty() || cookie.max_age().is_some_and(|age| age.whole_seconds() <= 0)
}

impl CookieSession {
    /// The cookies of a request's `Cookie` header (none: a request without cookies). Other
    /// cookies of the app are ignored and left alone; malformed pairs are skipped.
    pub fn from_request(cookie_header: Option<&str>, options: CookieOptions) -> CookieSession {
        let incoming = cookie_header
            .map(|header| {
                Cookie::split_parse(header.to_owned())
                    .filter_map(|c| c.ok())
                    .filter(|c| RelayedCookie::of(c.name()).is_some() && !c.value().is_empty())
                    .map(|c| (c.name().to_owned(), c.value().to_owned()))
                    .collect()
            })
            .unwrap_or_default();
        CookieSession {
            inner: Arc::new(Inner {
                options,
                incoming,
                outgoing: Mutex::default(),
            }),
        }
    }

    fn lock(&self) -> MutexGuard<'_, Vec<Cookie<'static>>> {
        self.inner
            .outgoing
            .lock()
            .unwrap_or_else(|p| p.into_inner())
    }

    /// The current value of a cookie kind: what the answer sets (`None` when it ends it), else
    /// what the request carried.
    fn current(&self, kind: RelayedCookie) -> Option<String> {
        let is = |name: &str| RelayedCookie::of(name).is_some_and(|(k, _)| k == kind);
        if let Some(set) = self.lock().iter().rev().find(|c| is(c.name())) {
            return (!expired(set)).then(|| set.value().to_owned());
        }
        self.inner
            .incoming
            .iter()
            .find(|(name, _)| is(name))
            .map(|(_, value)| value.clone())
    }

    /// The session token the browser holds after this answer (URL-encoded as in the cookie).
    pub fn session_token(&self) -> Option<SessionToken> {
        self.current(RelayedCookie::Session).map(SessionToken::new)
    }

    /// The platform's session JWT (`convex_jwt`) the browser holds after this answer.
    pub fn session_jwt(&self) -> Option<String> {
        self.current(RelayedCookie::SessionJwt)
    }

    /// The `Set-Cookie` header values the answer must carry (empty when nothing changed).
    pub fn set_cookie_headers(&self) -> Vec<String> {
        self.lock().iter().map(ToString::to_string).collect()
    }

    /// The cookies the answer must set, as fields, for frameworks that set cookies by name
    /// (Next.js's `cookies().set`, Starlette's `set_cookie`). Same cookies as
    /// [`CookieSession::set_cookie_headers`].
    pub fn set_cookies(&self) -> Vec<SetCookie> {
        self.lock()
            .iter()
            .map(|c| SetCookie {
                name: c.name().to_owned(),
                value: c.value().to_owned(),
                path: c.path().unwrap_or("/").to_owned(),
                domain: c.domain().map(str::to_owned),
                max_age: c.max_age().map(|a| a.whole_seconds()),
                expires: c.expires_datetime().map(|t| t.unix_timestamp()),
                http_only: c.http_only().unwrap_or(false),
                secure: c.secure().unwrap_or(false),
                same_site: c
                    .same_site()
                    .unwrap_or(SameSite::Lax)
                    .to_string()
                    .to_lowercase(),
            })
            .collect()
    }

    /// The request's device cookies (with `dont_remember`), named for a server that is (`https`) or is not on HTTPS.
    pub(crate) fn device_cookies(&self, https: bool) -> Vec<(String, String)> {
        self.inner
            .incoming
            .iter()
            .filter(|(name, _)| {
                RelayedCookie::of(name).is_some_and(|(k, _)| {
                    matches!(k, RelayedCookie::Device | RelayedCookie::DontRemember)
                })
            })
            .map(|(name, value)| {
                let name = if https {
                    format!("__Secure-{}", plain(name))
                } else {
                    plain(name).to_owned()
                };
                (name, value.clone())
            })
            .collect()
    }

    /// Sets a cookie on the answer, named and flagged for the app (the server's `Domain` and
    /// `Secure` are its own; `SameSite` and the lifetime are kept).
    fn put(&self, name: &str, value: String, from: Option<&Cookie<'_>>) {
        let name = if self.inner.options.secure {
            format!("__Secure-{}", plain(name))
        } else {
            plain(name).to_owned()
        };
        let mut cookie = Cookie::build((name, value))
            .path("/")
            .http_only(true)
            .secure(self.inner.options.secure)
            .same_site(from.and_then(|c| c.same_site()).unwrap_or(SameSite::Lax))
            .build();
        if let Some(domain) = &self.inner.options.domain {
            cookie.set_domain(domain.clone());
        }
        if let Some(from) = from {
            if let Some(age) = from.max_age() {
                cookie.set_max_age(age);
            }
            if let Some(expires) = from.expires() {
                cookie.set_expires(expires);
            }
        }
        let mut outgoing = self.lock();
        outgoing.retain(|c| plain(c.name()) != plain(cookie.name()));
        outgoing.push(cookie);
    }

    /// Takes in a cookie the server set on an end-user answer, if it is one the app relays.
    pub(crate) fn relay(&self, cookie: &Cookie<'_>) {
        if RelayedCookie::of(cookie.name()).is_some() {
            let value = if expired(cookie) {
                String::new()
            } else {
                cookie.value().to_owned()
            };
            self.put(cookie.name(), value, Some(cookie));
        }
    }

    fn prefix(&self) -> String {
        let outgoing = self.lock();
        outgoing
            .iter()
            .map(|c| c.name().to_owned())
            .chain(self.inner.incoming.iter().map(|(name, _)| name.clone()))
            .find_map(|name| RelayedCookie::of(&name).map(|(_, prefix)| prefix.to_owned()))
            .unwrap_or_else(|| DEFAULT_PREFIX.to_owned())
    }

    fn expire(&self, kind: RelayedCookie) {
        let names: Vec<String> = {
            let outgoing = self.lock();
            outgoing
                .iter()
                .filter(|c| !expired(c))
                .map(|c| c.name().to_owned())
                .chain(self.inner.incoming.iter().map(|(name, _)| name.clone()))
                .filter(|name| RelayedCookie::of(name).is_some_and(|(k, _)| k == kind))
                .collect()
        };
        for name in names {
            let gone = Cookie::build((name.clone(), "")).max_age(cookie::time::Duration::ZERO);
            self.put(&name, String::new(), Some(&gone.build()));
        }
    }
}

/// The browser's cookie as the session store: a new token becomes the answer's session cookie
/// (unless the server's own answer set it already), and sign-out ends the session cookies.
#[async_trait]
impl SessionStore for CookieSession {
    async fn get(&self) -> Result<Option<SessionToken>> {
        Ok(self.session_token())
    }

    async fn set(&self, token: SessionToken) -> Result<()> {
        if self
            .session_token()
            .is_some_and(|held| held.same_session(token.expose()))
        {
            return Ok(());
        }
        let remembered = self.current(RelayedCookie::DontRemember).is_none();
        let lifetime = Cookie::build(("lifetime", ""));
        let lifetime = if remembered {
            lifetime.max_age(cookie::time::Duration::seconds(REMEMBERED_SESSION_SECONDS))
        } else {
            lifetime
        }
        .build();
        let name = format!("{}.session_token", self.prefix());
        self.put(&name, cookie_value(token.expose()), Some(&lifetime));
        Ok(())
    }

    async fn clear(&self) -> Result<()> {
        for kind in [
            RelayedCookie::Session,
            RelayedCookie::SessionData,
            RelayedCookie::DontRemember,
            RelayedCookie::SessionJwt,
        ] {
            self.expire(kind);
        }
        Ok(())
    }
}

#[cfg(test)]
#[path = "cookie_session_tests.rs"]
mod tests;
