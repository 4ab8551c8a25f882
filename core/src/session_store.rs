//! Where the end user's session token lives between calls.
//!
//! The default keeps it in memory. Hosts replace it to keep tokens in the iOS Keychain,
//! Android EncryptedSharedPreferences, an encrypted cookie, or one store per server-side user.

use std::fmt;
use std::sync::Mutex;

use async_trait::async_trait;
use serde::{Deserialize, Serialize};

use crate::error::Result;

/// A Better Auth session token (`<token>` or signed `<token>.<signature>`).
///
/// `Debug` never shows it; read it with [`SessionToken::expose`].
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(transparent)]
pub struct SessionToken(String);

impl SessionToken {
    /// Wraps a token string.
    pub fn new(token: impl Into<String>) -> Self {
        SessionToken(token.into())
    }

    /// The token itself, for sending it or saving it somewhere safe.
    pub fn expose(&self) -> &str {
        &self.0
    }

    /// The unsigned token: what `/list-sessions` reports and `/revoke-session` takes.
    pub fn raw(&self) -> &str {
        self.0.split('.').next().unwrap_or_default()
    }

    /// Whether two tokens name the same session, signed or not.
    pub fn same_session(&self, other: &str) -> bool {
        !self.raw().is_empty() && self.raw() == other.split('.').next().unwrap_or_default()
    }
}

#[cfg(feature = "schema")]
impl schemars::JsonSchema for SessionToken {
    fn schema_name() -> std::borrow::Cow<'static, str> {
        "SessionToken".into()
    }
    fn inline_schema() -> bool {
        true
    }
    fn json_schema(_: &mut schemars::SchemaGenerator) -> schemars::Schema {
        schemars::json_schema!({ "type": "string", "format": "secret" })
    }
}

impl fmt::Debug for SessionToken {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("SessionToken(<redacted>)")
    }
}

/// Keeps the current session token. Called around every end-user flow.
///
/// Implementations must be cheap to call concurrently; an error fails the flow that needed
/// the store with [`crate::ErrorKind::SessionStore`].
#[async_trait]
pub trait SessionStore: Send + Sync {
    /// The stored token, if any.
    async fn get(&self) -> Result<Option<SessionToken>>;
    /// Replaces the stored token.
    async fn set(&self, token: SessionToken) -> Result<()>;
    /// Forgets the stored token.
    async fn clear(&self) -> Result<()>;
}

/// The default store: one token in process memory, gone when the process ends.
#[derive(Default)]
pub struct MemorySessionStore {
    token: Mutex<Option<SessionToken>>,
}

impl MemorySessionStore {
    /// An empty store.
    pub fn new() -> Self {
        Self::default()
    }
}

impl fmt::Debug for MemorySessionStore {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let has = self.token.lock().map(|t| t.is_some()).unwrap_or(false);
        f.debug_struct("MemorySessionStore")
            .field("has_token", &has)
            .finish()
    }
}

#[async_trait]
impl SessionStore for MemorySessionStore {
    async fn get(&self) -> Result<Option<SessionToken>> {
        Ok(self.token.lock().unwrap_or_else(|p| p.into_inner()).clone())
    }
    async fn set(&self, token: SessionToken) -> Result<()> {
        *self.token.lock().unwrap_or_else(|p| p.into_inner()) = Some(token);
        Ok(())
    }
    async fn clear(&self) -> Result<()> {
        *self.token.lock().unwrap_or_else(|p| p.into_inner()) = None;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn token_is_redacted_and_compares_signed_with_raw() {
        let t = SessionToken::new("abc123.c2lnbmF0dXJl+/=");
        assert_eq!(format!("{t:?}"), "SessionToken(<redacted>)");
        assert_eq!(t.raw(), "abc123");
        assert!(t.same_session("abc123"));
        assert!(t.same_session("abc123.other"));
        assert!(!t.same_session("abc124"));
        assert!(!SessionToken::new("").same_session(""));
    }

    #[test]
    fn either_encoding_of_set_auth_token_names_the_same_session() {
        // Better Auth 1.4 sends `set-auth-token` URL-encoded, 1.7 as it is.
        let encoded = SessionToken::new("abc123.c2ln%2Bbm%2FF0%3D");
        let plain = SessionToken::new("abc123.c2ln+bm/F0=");
        assert_eq!(encoded.raw(), plain.raw());
        assert!(encoded.same_session(plain.expose()) && plain.same_session(encoded.expose()));
        assert_eq!(
            encoded.expose(),
            "abc123.c2ln%2Bbm%2FF0%3D",
            "kept as received"
        );
    }
}
