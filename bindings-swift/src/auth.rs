//! The end-user auth and session flows on `BanataClient`.

use std::sync::Arc;

use banata_auth::{ChangePassword, SignInEmail, SignUpEmail, UpdateUser};

use crate::client::BanataClient;
use crate::error::Result;
use crate::models::{AuthResult, PasswordResetRequested, Session, SessionToken, SessionWithUser};

#[uniffi::export(async_runtime = "tokio")]
impl BanataClient {
    /// Creates an account and signs it in; the client keeps the session token.
    #[uniffi::method(default(image = None, callback_url = None, remember_me = None))]
    pub async fn sign_up_email(
        &self,
        name: String,
        email: String,
        password: String,
        image: Option<String>,
        callback_url: Option<String>,
        remember_me: Option<bool>,
    ) -> Result<AuthResult> {
        let request = SignUpEmail {
            image,
            callback_url,
            remember_me,
            ..SignUpEmail::new(name, email, password)
        };
        Ok(self.client.auth().sign_up_email(request).await?.into())
    }

    /// Signs in with e-mail and password; the client keeps the session token.
    #[uniffi::method(default(remember_me = None, callback_url = None))]
    pub async fn sign_in_email(
        &self,
        email: String,
        password: String,
        remember_me: Option<bool>,
        callback_url: Option<String>,
    ) -> Result<AuthResult> {
        let request = SignInEmail {
            remember_me,
            callback_url,
            ..SignInEmail::new(email, password)
        };
        Ok(self.client.auth().sign_in_email(request).await?.into())
    }

    /// The current session and user, or nil/null when not signed in.
    pub async fn get_session(&self) -> Result<Option<SessionWithUser>> {
        Ok(self.client.auth().get_session().await?.map(Into::into))
    }

    /// Every active session of the signed-in user.
    pub async fn list_sessions(&self) -> Result<Vec<Session>> {
        let sessions = self.client.auth().list_sessions().await?;
        Ok(sessions.into_iter().map(Into::into).collect())
    }

    /// Ends the session with `token` (from `listSessions`).
    pub async fn revoke_session(&self, token: Arc<SessionToken>) -> Result<()> {
        Ok(self.client.auth().revoke_session(token.0.expose()).await?)
    }

    /// Ends every session of the user except the current one.
    pub async fn revoke_other_sessions(&self) -> Result<()> {
        Ok(self.client.auth().revoke_other_sessions().await?)
    }

    /// Ends every session of the user, the current one included.
    pub async fn revoke_sessions(&self) -> Result<()> {
        Ok(self.client.auth().revoke_sessions().await?)
    }

    /// Signs out and clears the stored token.
    pub async fn sign_out(&self) -> Result<()> {
        Ok(self.client.auth().sign_out().await?)
    }

    /// Changes the signed-in user's name or image; nil/null leaves a field as it is.
    #[uniffi::method(default(name = None, image = None))]
    pub async fn update_user(&self, name: Option<String>, image: Option<String>) -> Result<()> {
        Ok(self
            .client
            .auth()
            .update_user(UpdateUser { name, image })
            .await?)
    }

    /// Changes the password; with `revoke_other_sessions` the other sessions end.
    #[uniffi::method(default(revoke_other_sessions = None))]
    pub async fn change_password(
        &self,
        current_password: String,
        new_password: String,
        revoke_other_sessions: Option<bool>,
    ) -> Result<AuthResult> {
        let request = ChangePassword {
            revoke_other_sessions,
            ..ChangePassword::new(current_password, new_password)
        };
        Ok(self.client.auth().change_password(request).await?.into())
    }

    /// Asks the server to e-mail a reset link; `redirect_to` is where the link leads.
    #[uniffi::method(default(redirect_to = None))]
    pub async fn request_password_reset(
        &self,
        email: String,
        redirect_to: Option<String>,
    ) -> Result<PasswordResetRequested> {
        let answer = self
            .client
            .auth()
            .request_password_reset(&email, redirect_to.as_deref())
            .await?;
        Ok(PasswordResetRequested {
            detail: answer.message,
        })
    }

    /// Sets a new password with the token from a reset link.
    pub async fn reset_password(&self, token: String, new_password: String) -> Result<()> {
        Ok(self
            .client
            .auth()
            .reset_password(&token, &new_password)
            .await?)
    }
}
