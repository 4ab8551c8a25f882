//! The signed-in user's account: its sign-in methods, a new e-mail address, deleting it.

use std::fmt;

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use crate::api::to_input;
use crate::auth::{Auth, user_data};
use crate::error::Result;
use crate::events::EventType;
use crate::models::Timestamp;
use crate::operations::endpoint;

/// One way the user signs in: `credential` (e-mail and password) or a social provider.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "camelCase")]
pub struct Account {
    /// The id.
    pub id: String,
    /// `credential`, or the provider, e.g. `google`.
    pub provider_id: String,
    /// The user's id at the provider (their own id for `credential`).
    pub account_id: String,
    /// The user's id.
    pub user_id: String,
    /// The OAuth scopes granted.
    #[serde(default)]
    pub scopes: Vec<String>,
    /// When it was created.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub created_at: Option<Timestamp>,
    /// When it last changed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub updated_at: Option<Timestamp>,
    /// Fields this version does not model.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

/// A new e-mail address for the signed-in user.
#[derive(Clone, Debug, Serialize, Deserialize, Default)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "camelCase")]
pub struct ChangeEmail {
    /// The new address.
    pub new_email: String,
    /// Where the link in the mail leads after the change.
    #[serde(
        rename = "callbackURL",
        alias = "callbackUrl",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub callback_url: Option<String>,
}

impl ChangeEmail {
    /// A request with the required fields; the rest unset.
    pub fn new(new_email: impl Into<String>) -> Self {
        ChangeEmail {
            new_email: new_email.into(),
            callback_url: None,
        }
    }
}

/// Deleting the signed-in user.
#[derive(Clone, Serialize, Deserialize, Default)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "camelCase")]
pub struct DeleteUser {
    /// The user's password (needed unless the session is fresh).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub password: Option<String>,
    /// The token of a deletion link, where the server mails them.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub token: Option<String>,
    #[serde(
        rename = "callbackURL",
        alias = "callbackUrl",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    /// Where the link in the mail leads (a path or a trusted URL).
    pub callback_url: Option<String>,
}

impl fmt::Debug for DeleteUser {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("DeleteUser")
            .field("password", &self.password.as_ref().map(|_| "<redacted>"))
            .field("token", &self.token.as_ref().map(|_| "<redacted>"))
            .field("callback_url", &self.callback_url)
            .finish()
    }
}

/// What deleting did: `User deleted`, or `Verification email sent` where the server confirms
/// deletions by mail.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct DeleteUserResult {
    /// Whether the server did it.
    pub success: bool,
    /// The server's message.
    pub message: String,
}

impl DeleteUserResult {
    /// Whether the user is gone now (not waiting for a mailed confirmation).
    pub fn deleted(&self) -> bool {
        self.success && self.message == "User deleted"
    }
}

impl Auth<'_> {
    /// Deletes the signed-in user and ends their sessions (the stored token is forgotten), or,
    /// where the server confirms deletions by mail, sends the link. Emits `user.deleted`.
    pub async fn delete_user(&self, request: DeleteUser) -> Result<DeleteUserResult> {
        let user = self.current_user().await;
        let result: DeleteUserResult = self
            .client
            .request(&endpoint::delete_user, to_input(&request))
            .await?;
        if result.deleted() {
            self.client.clear_token().await?;
            let data = user.map(|u| user_data(&u, None)).unwrap_or_default();
            self.emit(EventType::USER_DELETED, data);
        }
        Ok(result)
    }
}
