//! Records for the core's models. Timestamps are `SystemTime` (Swift `Date`, Kotlin
//! `java.time.Instant`); fields a newer server adds are kept as a JSON object string.

use std::fmt;
use std::sync::Arc;
use std::time::SystemTime;

use banata_auth::Timestamp;
use serde_json::{Map, Value};

/// A session token. Opaque on purpose: it prints as `SessionToken(<redacted>)`, so it never
/// ends up in a log by accident; `expose()` returns the value.
#[derive(uniffi::Object)]
#[uniffi::export(Display)]
pub struct SessionToken(pub(crate) banata_auth::SessionToken);

impl fmt::Display for SessionToken {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("SessionToken(<redacted>)")
    }
}

#[uniffi::export]
impl SessionToken {
    /// Wraps a token the app stored itself.
    #[uniffi::constructor]
    pub fn new(value: String) -> Arc<Self> {
        Arc::new(SessionToken(banata_auth::SessionToken::new(value)))
    }

    /// The token's value, for a secure store or an `Authorization` header.
    pub fn expose(&self) -> String {
        self.0.expose().to_owned()
    }
}

pub(crate) fn token(value: Option<banata_auth::SessionToken>) -> Option<Arc<SessionToken>> {
    value.map(|t| Arc::new(SessionToken(t)))
}

pub(crate) fn time(value: Option<Timestamp>) -> Option<SystemTime> {
    value.map(|t| SystemTime::from(t.0))
}

pub(crate) fn extra_json(extra: Map<String, Value>) -> Option<String> {
    (!extra.is_empty()).then(|| Value::Object(extra).to_string())
}

/// A user account.
#[derive(Debug, Clone, PartialEq, uniffi::Record)]
pub struct User {
    pub id: String,
    pub email: Option<String>,
    pub name: Option<String>,
    pub email_verified: Option<bool>,
    pub image: Option<String>,
    pub username: Option<String>,
    pub role: Option<String>,
    pub banned: Option<bool>,
    pub created_at: Option<SystemTime>,
    pub updated_at: Option<SystemTime>,
    /// Other fields the server sent, as a JSON object.
    pub extra_json: Option<String>,
}

impl From<banata_auth::User> for User {
    fn from(u: banata_auth::User) -> Self {
        User {
            id: u.id,
            email: u.email,
            name: u.name,
            email_verified: u.email_verified,
            image: u.image,
            username: u.username,
            role: u.role,
            banned: u.banned,
            created_at: time(u.created_at),
            updated_at: time(u.updated_at),
            extra_json: extra_json(u.extra),
        }
    }
}

/// A session. `token` is what `revokeSession` takes.
#[derive(Clone, uniffi::Record)]
pub struct Session {
    pub id: String,
    pub user_id: Option<String>,
    pub token: Option<Arc<SessionToken>>,
    pub expires_at: Option<SystemTime>,
    pub ip_address: Option<String>,
    pub user_agent: Option<String>,
    pub active_organization_id: Option<String>,
    pub created_at: Option<SystemTime>,
    pub updated_at: Option<SystemTime>,
    /// Other fields the server sent, as a JSON object.
    pub extra_json: Option<String>,
}

impl From<banata_auth::Session> for Session {
    fn from(s: banata_auth::Session) -> Self {
        Session {
            id: s.id,
            user_id: s.user_id,
            token: token(s.token),
            expires_at: time(s.expires_at),
            ip_address: s.ip_address,
            user_agent: s.user_agent,
            active_organization_id: s.active_organization_id,
            created_at: time(s.created_at),
            updated_at: time(s.updated_at),
            extra_json: extra_json(s.extra),
        }
    }
}

/// The current session and its user.
#[derive(Clone, uniffi::Record)]
pub struct SessionWithUser {
    pub session: Session,
    pub user: User,
}

impl From<banata_auth::SessionWithUser> for SessionWithUser {
    fn from(s: banata_auth::SessionWithUser) -> Self {
        SessionWithUser {
            session: s.session.into(),
            user: s.user.into(),
        }
    }
}

/// The outcome of a sign-up, sign-in or password change. The client has already stored the
/// token; it is here for apps that keep it themselves.
#[derive(Clone, uniffi::Record)]
pub struct AuthResult {
    pub user: User,
    pub token: Option<Arc<SessionToken>>,
    pub redirect: Option<bool>,
    pub url: Option<String>,
}

impl From<banata_auth::AuthResult> for AuthResult {
    fn from(r: banata_auth::AuthResult) -> Self {
        AuthResult {
            user: r.user.into(),
            token: token(r.token),
            redirect: r.redirect,
            url: r.url,
        }
    }
}

/// The answer to a password reset request (it never says whether the address has an account).
#[derive(Debug, Clone, PartialEq, uniffi::Record)]
pub struct PasswordResetRequested {
    pub detail: Option<String>,
}
