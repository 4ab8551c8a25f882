//! Several accounts signed in on one client (Better Auth's `multiSession` plugin, on in managed
//! projects), for an account switcher. Each sign-in on the client adds its account, kept by the
//! device cookies ([`crate::device_cookies`]); the session store holds the current one.

use serde::{Deserialize, Serialize};

use crate::api::to_input;
use crate::auth::Auth;
use crate::error::Result;
use crate::models::{SessionWithUser, Status};
use crate::operations::endpoint;
use crate::session_store::SessionToken;

/// One account's session among those signed in on this client, by its unsigned token (from
/// [`Auth::list_device_sessions`]).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "camelCase")]
pub struct DeviceSession {
    /// The session's token (redacted in `Debug`).
    pub session_token: SessionToken,
}

impl From<&str> for DeviceSession {
    fn from(token: &str) -> Self {
        DeviceSession {
            session_token: SessionToken::new(token),
        }
    }
}

impl From<&SessionToken> for DeviceSession {
    fn from(token: &SessionToken) -> Self {
        DeviceSession {
            session_token: SessionToken::new(token.raw()),
        }
    }
}

impl Auth<'_> {
    /// Makes another account signed in on this client the current one; the client keeps its
    /// token. A session this client did not sign in is an `authentication` error with code
    /// `INVALID_SESSION_TOKEN`.
    pub async fn set_active_session(
        &self,
        request: impl Into<DeviceSession>,
    ) -> Result<SessionWithUser> {
        let response = self
            .client
            .send_endpoint(&endpoint::set_active_session, to_input(&request.into()))
            .await?;
        let active: SessionWithUser = response.json()?;
        if let Some(token) = self
            .keep_token(&response, active.session.token.clone())
            .await?
        {
            self.client.remember_user(&token, &active.user);
        }
        Ok(active)
    }

    /// Signs one account of this client out. When it was the current one, another account of
    /// the client becomes current (its token is kept), or the client is signed out. Emits
    /// `session.revoked`.
    pub async fn revoke_device_session(&self, request: impl Into<DeviceSession>) -> Result<Status> {
        let request = request.into();
        let stored = self.client.session_token().await?;
        let current = stored
            .as_ref()
            .is_some_and(|t| t.same_session(request.session_token.expose()));
        let user = self.current_user().await;
        let response = self
            .client
            .send_endpoint(&endpoint::revoke_device_session, to_input(&request))
            .await?;
        let status: Status = response.json()?;
        if current && self.keep_token(&response, None).await?.is_none() {
            self.client.clear_token().await?;
        }
        let user = if current { user } else { None };
        self.emit_revoked(user, "revoked");
        Ok(status)
    }
}
