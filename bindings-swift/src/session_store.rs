//! `SessionStore`: the app keeps the session token (Keychain, EncryptedSharedPreferences).

use std::sync::Arc;

use async_trait::async_trait;
use banata_auth::{Error, ErrorKind};

/// Why the app's store could not read, save or clear the token.
#[derive(Debug, Clone, PartialEq, thiserror::Error, uniffi::Error)]
pub enum SessionStoreError {
    /// The store failed; `detail` must not contain the token.
    #[error("{detail}")]
    Failed { detail: String },
}

impl From<uniffi::UnexpectedUniFFICallbackError> for SessionStoreError {
    fn from(error: uniffi::UnexpectedUniFFICallbackError) -> Self {
        SessionStoreError::Failed {
            detail: format!("the session store threw: {}", error.reason),
        }
    }
}

/// Where the client keeps the session token. Implement it in Swift or Kotlin to keep tokens in
/// the Keychain or EncryptedSharedPreferences. The methods run on the thread that drives the
/// call (for a call made on the main thread, the main thread), so keep them quick.
#[uniffi::export(with_foreign)]
pub trait SessionStore: Send + Sync {
    /// The stored token, or nil/null.
    fn get(&self) -> Result<Option<String>, SessionStoreError>;
    /// Replaces the stored token.
    fn set(&self, token: String) -> Result<(), SessionStoreError>;
    /// Forgets the stored token.
    fn clear(&self) -> Result<(), SessionStoreError>;
}

/// The app's store as the core's.
pub(crate) struct ForeignSessionStore(pub(crate) Arc<dyn SessionStore>);

fn failure(op: &str, error: SessionStoreError) -> Error {
    Error::new(
        ErrorKind::SessionStore,
        format!("session store {op}() failed: {error}"),
    )
}

#[async_trait]
impl banata_auth::SessionStore for ForeignSessionStore {
    async fn get(&self) -> banata_auth::Result<Option<banata_auth::SessionToken>> {
        let token = self.0.get().map_err(|e| failure("get", e))?;
        Ok(token.map(banata_auth::SessionToken::new))
    }

    async fn set(&self, token: banata_auth::SessionToken) -> banata_auth::Result<()> {
        self.0
            .set(token.expose().to_owned())
            .map_err(|e| failure("set", e))
    }

    async fn clear(&self) -> banata_auth::Result<()> {
        self.0.clear().map_err(|e| failure("clear", e))
    }
}
