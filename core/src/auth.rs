//! End-user auth and session flows over Better Auth's wire protocol.
//!
//! The session token travels as `Authorization: Bearer` and never with an `Origin`, so Better
//! Auth's CSRF check does not apply. New tokens come from the `set-auth-token` header (signed) or,
//! failing that, the body's `token`, and go into the client's [`crate::SessionStore`].

use serde::{Deserialize, Serialize};

use crate::api::to_input;
use crate::client::Client;
use crate::error::{Error, ErrorKind, Result};
use crate::events::{AuthEvent, EventData, EventType};
use crate::models::{
    AuthResult, ChangePassword, RequestPasswordReset, ResetPassword, RevokeSession,
    SessionWithUser, SignUpEmail, UpdateUser, User, VerifyEmail, VerifyEmailResult,
};
use crate::operations::endpoint;

use crate::session_store::SessionToken;
use crate::transport::Response;

/// The method reported in events for e-mail and password flows.
pub(crate) const METHOD_PASSWORD: &str = "password";
/// The method reported when a verification link signs the user in.
const METHOD_EMAIL_VERIFICATION: &str = "email_verification";

/// Auth and session flows; get it with [`Client::auth`]. The operations and their documentation
/// are declared in one list (`operations.rs`); the ones that do more than one request are here.
#[derive(Clone, Copy, Debug)]
pub struct Auth<'a> {
    pub(crate) client: &'a Client,
}

/// The answer to a password reset request.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct PasswordResetRequested {
    /// The server's message (it never says whether the address has an account).
    #[serde(default)]
    pub message: Option<String>,
}

impl<'a> Auth<'a> {
    pub(crate) fn new(client: &'a Client) -> Self {
        Auth { client }
    }

    /// Creates an account and, unless the server requires e-mail verification first, signs it
    /// in. Emits `user.created`, then `session.created` when signed in.
    pub async fn sign_up_email(&self, request: SignUpEmail) -> Result<AuthResult> {
        let response = self
            .client
            .send_endpoint(&endpoint::sign_up_email, to_input(&request))
            .await?;
        let mut result: AuthResult = response.json()?;
        result.token = self.keep_token(&response, result.token.take()).await?;
        self.remember(&result);
        self.emit(
            EventType::USER_CREATED,
            user_data(&result.user, Some(METHOD_PASSWORD)),
        );
        if result.token.is_some() {
            self.emit_session_created(&result.user, METHOD_PASSWORD, "sign_up");
        }
        Ok(result)
    }
    /// The current session and user, or `None` when signed out or the session has ended (the
    /// stale token is then forgotten).
    pub async fn get_session(&self) -> Result<Option<SessionWithUser>> {
        let Some(token) = self.client.session_token().await? else {
            return Ok(None);
        };
        let response = self
            .client
            .send_endpoint(&endpoint::get_session, None)
            .await?;
        let session: Option<SessionWithUser> = response.json()?;
        match &session {
            Some(current) => {
                let token = self.keep_token(&response, None).await?.unwrap_or(token);
                self.client.remember_user(&token, &current.user);
            }
            None => {
                // Only forget the token we asked about; another call may have stored a new one.
                if self.stored_matches(&token).await? {
                    self.client.clear_token().await?;
                }
            }
        }
        Ok(session)
    }

    /// Ends the session with this token (from [`crate::Session::token`]). Ending the current
    /// session forgets the stored token. Emits `session.revoked`.
    pub async fn revoke_session(&self, request: impl Into<RevokeSession>) -> Result<()> {
        let request = request.into();
        let user = self.current_user().await;
        self.client
            .send_endpoint(&endpoint::revoke_session, to_input(&request))
            .await?;
        if let Some(stored) = self.client.session_token().await?
            && stored.same_session(request.token.expose())
        {
            self.client.clear_token().await?;
        }
        self.emit_revoked(user, "revoked");
        Ok(())
    }

    /// Ends every session of the user except the current one. Emits `session.revoked`.
    pub async fn revoke_other_sessions(&self) -> Result<()> {
        let user = self.current_user().await;
        self.client
            .send_endpoint(&endpoint::revoke_other_sessions, None)
            .await?;
        self.emit_revoked(user, "revoked_others");
        Ok(())
    }

    /// Ends every session of the user, the current one included, and forgets the stored token.
    /// Emits `session.revoked`.
    pub async fn revoke_sessions(&self) -> Result<()> {
        let user = self.current_user().await;
        self.client
            .send_endpoint(&endpoint::revoke_sessions, None)
            .await?;
        self.client.clear_token().await?;
        self.emit_revoked(user, "revoked_all");
        Ok(())
    }

    /// Signs out: ends the current session on the server and forgets the stored token. With
    /// several accounts signed in on this client (multi-session), all of them are signed out,
    /// as Better Auth does for a browser; [`Auth::revoke_device_session`] ends one. Emits
    /// `session.revoked` (reason `sign_out`) when there was a session.
    pub async fn sign_out(&self) -> Result<()> {
        let had_session = self.client.session_token().await?.is_some();
        let user = self.current_user().await;
        self.client.send_endpoint(&endpoint::sign_out, None).await?;
        self.client.clear_token().await?;
        if had_session {
            self.emit_revoked(user, "sign_out");
        }
        Ok(())
    }

    /// Changes the signed-in user's name or image. Emits `user.updated`.
    pub async fn update_user(&self, update: UpdateUser) -> Result<()> {
        let response = self
            .client
            .send_endpoint(&endpoint::update_user, to_input(&update))
            .await?;
        self.keep_token(&response, None).await?;
        let user = self.current_user().await;
        let mut data = user.map(|u| user_data(&u, None)).unwrap_or_default();
        if update.name.is_some() {
            data.name = update.name.clone();
        }
        self.emit(EventType::USER_UPDATED, data);
        Ok(())
    }

    /// Changes the signed-in user's password, optionally ending every other session (the current
    /// one then gets a new token, which is stored). Emits `password.changed`.
    pub async fn change_password(&self, request: ChangePassword) -> Result<AuthResult> {
        let response = self
            .client
            .send_endpoint(&endpoint::change_password, to_input(&request))
            .await?;
        let mut result: AuthResult = response.json()?;
        result.token = self.keep_token(&response, result.token.take()).await?;
        self.remember(&result);
        self.emit(EventType::PASSWORD_CHANGED, user_data(&result.user, None));
        Ok(result)
    }

    /// Asks the server to send a password reset link. Emits `password.reset_requested`.
    pub async fn request_password_reset(
        &self,
        request: RequestPasswordReset,
    ) -> Result<PasswordResetRequested> {
        let answer: PasswordResetRequested = self
            .client
            .request(&endpoint::request_password_reset, to_input(&request))
            .await?;
        self.emit(
            EventType::PASSWORD_RESET_REQUESTED,
            EventData {
                email: Some(request.email),
                ..Default::default()
            },
        );
        Ok(answer)
    }

    /// Sets a new password with the token from a reset link. Emits `password.reset`.
    pub async fn reset_password(&self, request: ResetPassword) -> Result<()> {
        self.client
            .send_endpoint(&endpoint::reset_password, to_input(&request))
            .await?;
        self.emit(EventType::PASSWORD_RESET, EventData::default());
        Ok(())
    }

    /// Verifies an e-mail address with the token from a verification link. Emits
    /// `email.verified`, and `session.created` when the server signs the user in with it (the
    /// client then keeps the token).
    ///
    /// With a `callback_url` the server answers with a redirect: its target is returned in
    /// `redirect_url`, and an `error` it carries (an invalid or expired token) is returned as
    /// an [`ErrorKind::Authentication`] error with that code.
    pub async fn verify_email(&self, request: VerifyEmail) -> Result<VerifyEmailResult> {
        let email = token_email(&request.token);
        let response = self
            .client
            .send_endpoint(&endpoint::verify_email, to_input(&request))
            .await?;
        let mut result = match response.location() {
            Some(location) => redirect_result(location)?,
            None => response
                .json::<Option<VerifyEmailResult>>()?
                .unwrap_or_default(),
        };
        // Better Auth answers `user: null` even when it signs the user in; the session says who.
        let signed_in = match self.keep_token(&response, None).await? {
            Some(_) => self.get_session().await?.map(|s| s.user),
            None => None,
        };
        if result.user.is_none() {
            result.user = signed_in.clone();
        }
        let mut data = match &result.user {
            Some(user) => user_data(user, None),
            None => EventData::default(),
        };
        data.email = data.email.or(email);
        self.emit(EventType::EMAIL_VERIFIED, data);
        if let Some(user) = &signed_in {
            self.emit_session_created(user, METHOD_EMAIL_VERIFICATION, "email_verified");
        }
        Ok(result)
    }

    /// Stores the token a response carries (header first, then `body_token`) and returns it.
    pub(crate) async fn keep_token(
        &self,
        response: &Response,
        body_token: Option<SessionToken>,
    ) -> Result<Option<SessionToken>> {
        let token = response
            .header("set-auth-token")
            .filter(|t| !t.is_empty())
            .map(SessionToken::new)
            .or(body_token.filter(|t| !t.expose().is_empty()));
        if let Some(token) = &token {
            self.client.store_token(token.clone()).await?;
        }
        Ok(token)
    }

    pub(crate) fn remember(&self, result: &AuthResult) {
        if let Some(token) = &result.token {
            self.client.remember_user(token, &result.user);
        }
    }

    async fn stored_matches(&self, token: &SessionToken) -> Result<bool> {
        Ok(self
            .client
            .session_token()
            .await?
            .is_some_and(|t| t.same_session(token.expose())))
    }

    /// Who the stored session belongs to, as last seen by this client (no network call).
    pub(crate) async fn current_user(&self) -> Option<User> {
        let token = self.client.session_token().await.ok()??;
        self.client.known_user(&token)
    }

    pub(crate) fn emit_session_created(&self, user: &User, method: &str, reason: &str) {
        let mut data = user_data(user, Some(method));
        data.reason = Some(reason.to_owned());
        self.emit(EventType::SESSION_CREATED, data);
    }

    pub(crate) fn emit_revoked(&self, user: Option<User>, reason: &str) {
        let mut data = user.map(|u| user_data(&u, None)).unwrap_or_default();
        data.reason = Some(reason.to_owned());
        self.emit(EventType::SESSION_REVOKED, data);
    }

    pub(crate) fn emit(&self, event_type: EventType, data: EventData) {
        self.client.emit(AuthEvent::new(event_type, data));
    }
}

pub(crate) fn user_data(user: &User, method: Option<&str>) -> EventData {
    EventData {
        user_id: Some(user.id.clone()),
        email: user.email.clone(),
        name: user.name.clone(),
        method: method.map(str::to_owned),
        ..Default::default()
    }
}

/// The address a verification token is for: its JWT payload's `email` claim (read, not
/// verified: the server checks the token, this only names the user in the event).
fn token_email(token: &str) -> Option<String> {
    use base64::Engine;
    let payload = token.split('.').nth(1)?;
    let bytes = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(payload.trim_end_matches('='))
        .ok()?;
    let claims: serde_json::Value = serde_json::from_slice(&bytes).ok()?;
    claims.get("email")?.as_str().map(str::to_owned)
}

/// The result of a verification answered with a redirect: success, or the `error` it names.
pub(crate) fn redirect_result(location: &str) -> Result<VerifyEmailResult> {
    let error = url::Url::parse(location)
        .or_else(|_| url::Url::parse("http://relative.invalid").and_then(|b| b.join(location)))
        .ok()
        .and_then(|url| {
            url.query_pairs()
                .find(|(k, _)| k == "error")
                .map(|(_, v)| v.into_owned())
        });
    match error {
        Some(code) => Err(Error::new(
            ErrorKind::Authentication,
            format!("the verification link was refused: {code}"),
        )
        .with_code(code.to_ascii_uppercase())),
        None => Ok(VerifyEmailResult {
            status: true,
            user: None,
            redirect_url: Some(location.to_owned()),
        }),
    }
}
