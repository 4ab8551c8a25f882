//! End-user auth and session flows over Better Auth's wire protocol.
//!
//! The session token travels as `Authorization: Bearer` and never with an `Origin`, so Better
//! Auth's CSRF check does not apply. New tokens come from the `set-auth-token` header (signed) or,
//! failing that, the body's `token`, and go into the client's [`crate::SessionStore`].

use serde::{Deserialize, Serialize};
use serde_json::json;

use crate::client::Client;
use crate::error::Result;
use crate::events::{AuthEvent, EventData, EventType};
use crate::models::{
    AuthResult, ChangePassword, Session, SessionWithUser, SignInEmail, SignUpEmail, UpdateUser,
    User,
};
use crate::session_store::SessionToken;
use crate::transport::{Call, Credential, Replay, Response};

const SIGN_UP_EMAIL: &str = "/api/auth/sign-up/email";
const SIGN_IN_EMAIL: &str = "/api/auth/sign-in/email";
const GET_SESSION: &str = "/api/auth/get-session";
const LIST_SESSIONS: &str = "/api/auth/list-sessions";
const REVOKE_SESSION: &str = "/api/auth/revoke-session";
const REVOKE_SESSIONS: &str = "/api/auth/revoke-sessions";
const REVOKE_OTHER_SESSIONS: &str = "/api/auth/revoke-other-sessions";
const SIGN_OUT: &str = "/api/auth/sign-out";
const UPDATE_USER: &str = "/api/auth/update-user";
const CHANGE_PASSWORD: &str = "/api/auth/change-password";
const REQUEST_PASSWORD_RESET: &str = "/api/auth/request-password-reset";
const RESET_PASSWORD: &str = "/api/auth/reset-password";

/// The method reported in events for e-mail and password flows.
const METHOD_PASSWORD: &str = "password";

/// Auth and session flows; get it with [`Client::auth`].
#[derive(Clone, Copy, Debug)]
pub struct Auth<'a> {
    client: &'a Client,
}

/// The answer to a password reset request.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
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
        let call = Call::post(
            SIGN_UP_EMAIL,
            to_body(&request),
            Credential::None,
            Replay::Unsafe,
        );
        let response = self.client.send(call).await?;
        let mut result: AuthResult = response.json()?;
        result.token = self.keep_token(&response, result.token.take()).await?;
        self.remember(&result);
        self.emit(
            EventType::USER_CREATED,
            user_data(&result.user, Some(METHOD_PASSWORD)),
        );
        if result.token.is_some() {
            self.emit_session_created(&result.user, "sign_up");
        }
        Ok(result)
    }

    /// Signs in with e-mail and password. Emits `session.created`.
    pub async fn sign_in_email(&self, request: SignInEmail) -> Result<AuthResult> {
        let call = Call::post(
            SIGN_IN_EMAIL,
            to_body(&request),
            Credential::None,
            Replay::Safe,
        );
        let response = self.client.send(call).await?;
        let mut result: AuthResult = response.json()?;
        result.token = self.keep_token(&response, result.token.take()).await?;
        self.remember(&result);
        if result.token.is_some() {
            self.emit_session_created(&result.user, "sign_in");
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
            .send(Call::get(GET_SESSION, Credential::Session))
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
                    self.client.session_store().clear().await?;
                }
            }
        }
        Ok(session)
    }

    /// Every active session of the signed-in user, each with its (unsigned) token.
    pub async fn list_sessions(&self) -> Result<Vec<Session>> {
        let response = self
            .client
            .send(Call::get(LIST_SESSIONS, Credential::Session))
            .await?;
        response.json()
    }

    /// Ends the session with this token (from [`Session::token`]). Ending the current session
    /// forgets the stored token. Emits `session.revoked`.
    pub async fn revoke_session(&self, token: &str) -> Result<()> {
        let user = self.current_user().await;
        let call = Call::post(
            REVOKE_SESSION,
            json!({ "token": token }),
            Credential::Session,
            Replay::Safe,
        );
        self.client.send(call).await?;
        if let Some(stored) = self.client.session_token().await? {
            if stored.same_session(token) {
                self.client.session_store().clear().await?;
            }
        }
        self.emit_revoked(user, "revoked");
        Ok(())
    }

    /// Ends every session of the user except the current one. Emits `session.revoked`.
    pub async fn revoke_other_sessions(&self) -> Result<()> {
        let user = self.current_user().await;
        let call = Call::post(
            REVOKE_OTHER_SESSIONS,
            json!({}),
            Credential::Session,
            Replay::Safe,
        );
        self.client.send(call).await?;
        self.emit_revoked(user, "revoked_others");
        Ok(())
    }

    /// Ends every session of the user, the current one included, and forgets the stored token.
    /// Emits `session.revoked`.
    pub async fn revoke_sessions(&self) -> Result<()> {
        let user = self.current_user().await;
        let call = Call::post(
            REVOKE_SESSIONS,
            json!({}),
            Credential::Session,
            Replay::Safe,
        );
        self.client.send(call).await?;
        self.client.session_store().clear().await?;
        self.emit_revoked(user, "revoked_all");
        Ok(())
    }

    /// Signs out: ends the current session on the server and forgets the stored token. Emits
    /// `session.revoked` (reason `sign_out`) when there was a session.
    pub async fn sign_out(&self) -> Result<()> {
        let had_session = self.client.session_token().await?.is_some();
        let user = self.current_user().await;
        let call = Call::post(SIGN_OUT, json!({}), Credential::Session, Replay::Safe);
        self.client.send(call).await?;
        self.client.session_store().clear().await?;
        if had_session {
            self.emit_revoked(user, "sign_out");
        }
        Ok(())
    }

    /// Changes the signed-in user's name or image. Emits `user.updated`.
    pub async fn update_user(&self, update: UpdateUser) -> Result<()> {
        let call = Call::post(
            UPDATE_USER,
            to_body(&update),
            Credential::Session,
            Replay::Safe,
        );
        let response = self.client.send(call).await?;
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
        let call = Call::post(
            CHANGE_PASSWORD,
            to_body(&request),
            Credential::Session,
            Replay::Unsafe,
        );
        let response = self.client.send(call).await?;
        let mut result: AuthResult = response.json()?;
        result.token = self.keep_token(&response, result.token.take()).await?;
        self.remember(&result);
        self.emit(EventType::PASSWORD_CHANGED, user_data(&result.user, None));
        Ok(result)
    }

    /// Asks the server to send a password reset link to `email`. `redirect_to` is where the link
    /// leads (it must be a trusted origin or a relative path). Emits `password.reset_requested`.
    pub async fn request_password_reset(
        &self,
        email: &str,
        redirect_to: Option<&str>,
    ) -> Result<PasswordResetRequested> {
        let mut body = json!({ "email": email });
        if let Some(to) = redirect_to {
            body["redirectTo"] = json!(to);
        }
        let call = Call::post(
            REQUEST_PASSWORD_RESET,
            body,
            Credential::None,
            Replay::Unsafe,
        );
        let answer: PasswordResetRequested = self.client.send(call).await?.json()?;
        self.emit(
            EventType::PASSWORD_RESET_REQUESTED,
            EventData {
                email: Some(email.to_owned()),
                ..Default::default()
            },
        );
        Ok(answer)
    }

    /// Sets a new password with the token from a reset link. Emits `password.reset`.
    pub async fn reset_password(&self, token: &str, new_password: &str) -> Result<()> {
        let body = json!({ "token": token, "newPassword": new_password });
        let call = Call::post(RESET_PASSWORD, body, Credential::None, Replay::Unsafe);
        self.client.send(call).await?;
        self.emit(EventType::PASSWORD_RESET, EventData::default());
        Ok(())
    }

    /// Stores the token a response carries (header first, then `body_token`) and returns it.
    async fn keep_token(
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
            self.client.session_store().set(token.clone()).await?;
        }
        Ok(token)
    }

    fn remember(&self, result: &AuthResult) {
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
    async fn current_user(&self) -> Option<User> {
        let token = self.client.session_token().await.ok()??;
        self.client.known_user(&token)
    }

    fn emit_session_created(&self, user: &User, reason: &str) {
        let mut data = user_data(user, Some(METHOD_PASSWORD));
        data.reason = Some(reason.to_owned());
        self.emit(EventType::SESSION_CREATED, data);
    }

    fn emit_revoked(&self, user: Option<User>, reason: &str) {
        let mut data = user.map(|u| user_data(&u, None)).unwrap_or_default();
        data.reason = Some(reason.to_owned());
        self.emit(EventType::SESSION_REVOKED, data);
    }

    fn emit(&self, event_type: EventType, data: EventData) {
        self.client.emit(AuthEvent::new(event_type, data));
    }
}

fn user_data(user: &User, method: Option<&str>) -> EventData {
    EventData {
        user_id: Some(user.id.clone()),
        email: user.email.clone(),
        name: user.name.clone(),
        method: method.map(str::to_owned),
        ..Default::default()
    }
}

fn to_body<T: serde::Serialize>(value: &T) -> serde_json::Value {
    serde_json::to_value(value).expect("request types always serialize")
}
