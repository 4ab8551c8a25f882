//! Signing in: the result every sign-in has (signed in, or the step that comes first), and the
//! ways in besides e-mail and password: a username, and a one-time token handed over from
//! another client (the hosted sign-in page, a browser).

use std::fmt;

use serde::{Deserialize, Serialize};

use crate::api::to_input;
use crate::auth::{Auth, METHOD_PASSWORD};
use crate::error::Result;
use crate::models::{AuthResult, SessionWithUser};
use crate::operations::endpoint;
use crate::session_store::SessionToken;
use crate::transport::Response;

/// Better Auth's code for a sign-in that waits for e-mail verification.
const EMAIL_NOT_VERIFIED: &str = "EMAIL_NOT_VERIFIED";
/// The method reported when a one-time token hands a session over.
const METHOD_ONE_TIME_TOKEN: &str = "one_time_token";

/// A sign-in answer that asks for a second factor: `{"twoFactorRedirect": true}`, with the
/// methods from Better Auth 1.5 on.
#[derive(Deserialize)]
struct TwoFactorProbe {
    #[serde(default, rename = "twoFactorRedirect")]
    two_factor_redirect: bool,
    #[serde(default, rename = "twoFactorMethods")]
    methods: Vec<String>,
}

/// How a sign-in ended: signed in, or the step the user must take first. Match on it; every
/// binding has it as a type its compiler or type checker narrows (`status` on the wire).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(tag = "status", rename_all = "snake_case")]
// One per sign-in and moved at once: boxing the common case would only cost users a deref.
#[allow(clippy::large_enum_variant)]
pub enum SignInResult {
    /// Signed in: the client keeps the session token.
    SignedIn(AuthResult),
    /// The project requires a verified e-mail address first (Better Auth's
    /// `EMAIL_NOT_VERIFIED`). Follow the link mailed at sign-up, or ask for a new one with
    /// `send_verification_email`, then sign in again.
    VerificationRequired(VerificationRequired),
    /// The user has two-factor authentication on: the sign-in completes with a second factor
    /// (a TOTP, e-mailed one-time or backup code).
    SecondFactorRequired(SecondFactorRequired),
}

impl SignInResult {
    /// The signed-in result, if the sign-in completed.
    pub fn signed_in(self) -> Option<AuthResult> {
        match self {
            SignInResult::SignedIn(result) => Some(result),
            _ => None,
        }
    }
}

/// Sign-in stopped until the e-mail address is verified.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "camelCase")]
pub struct VerificationRequired {
    /// The address that must be verified, or the username, as given to sign-in.
    pub email: String,
    /// Whether a new verification mail went out for this sign-in: `true` when the sign-in
    /// asked for one (`send_verification_email`) and the server accepted, `false` when it
    /// could not send one (e.g. `VERIFICATION_EMAIL_ISNT_ENABLED`, a project without a mail
    /// sender). Unset when the sign-in did not ask: Better Auth's answer is the same whether
    /// or not it mailed a link itself (`sendOnSignIn`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub verification_email_sent: Option<bool>,
}

/// Sign-in stopped until a second factor is given.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "camelCase")]
pub struct SecondFactorRequired {
    /// The factors the server offers, e.g. `totp`, `otp` (backup codes always work). Empty when
    /// the server does not say: Better Auth 1.4, the platform's version, does not.
    #[serde(default)]
    pub methods: Vec<String>,
}

/// Sign-in with a username and password.
#[derive(Clone, Serialize, Deserialize, Default)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "camelCase")]
pub struct SignInUsername {
    /// The username (3 to 30 letters, digits, `_` and `.`).
    pub username: String,
    /// The password (redacted in `Debug`).
    pub password: String,
    /// `false` makes the session end with the browser session (a shorter server lifetime).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub remember_me: Option<bool>,
    #[serde(
        rename = "callbackURL",
        alias = "callbackUrl",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    /// Where the link in the mail leads (a path or a trusted URL).
    pub callback_url: Option<String>,
}

impl SignInUsername {
    /// A sign-in with the required fields.
    pub fn new(username: impl Into<String>, password: impl Into<String>) -> Self {
        SignInUsername {
            username: username.into(),
            password: password.into(),
            ..Default::default()
        }
    }

    /// Whether the session outlives the browser session (default `true`).
    pub fn remember_me(mut self, remember: bool) -> Self {
        self.remember_me = Some(remember);
        self
    }
}

impl fmt::Debug for SignInUsername {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SignInUsername")
            .field("username", &self.username)
            .field("password", &"<redacted>")
            .field("remember_me", &self.remember_me)
            .finish()
    }
}

/// A username to check.
#[derive(Clone, Debug, Serialize, Deserialize, Default)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct IsUsernameAvailable {
    /// The username (3 to 30 letters, digits, `_` and `.`).
    pub username: String,
}

impl From<&str> for IsUsernameAvailable {
    fn from(username: &str) -> Self {
        IsUsernameAvailable {
            username: username.to_owned(),
        }
    }
}

/// Whether a username can still be taken.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct UsernameAvailability {
    /// Whether the username is free.
    pub available: bool,
}

/// The signed-in user's password, to confirm before a sensitive step.
#[derive(Clone, Serialize, Deserialize, Default)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct VerifyPassword {
    /// The password (redacted in `Debug`).
    pub password: String,
}

impl fmt::Debug for VerifyPassword {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("VerifyPassword { password: <redacted> }")
    }
}

/// A one-time token for the current session: valid for three minutes, once.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct OneTimeToken {
    /// Hand it to the other client, which passes it to `verify_one_time_token`. Redacted in
    /// `Debug`.
    pub token: SessionToken,
}

/// A one-time token to exchange for the session it was made for.
#[derive(Clone, Serialize, Deserialize, Default)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct VerifyOneTimeToken {
    /// The token (redacted in `Debug`).
    pub token: String,
}

impl fmt::Debug for VerifyOneTimeToken {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("VerifyOneTimeToken { token: <redacted> }")
    }
}

impl Auth<'_> {
    /// Signs in with e-mail and password. The result is signed in (the client keeps the
    /// session token), or the step the user must take first. Emits `session.created`.
    pub async fn sign_in_email(&self, request: crate::SignInEmail) -> Result<SignInResult> {
        let email = request.email.clone();
        let sent = self
            .client
            .send_endpoint(&endpoint::sign_in_email, to_input(&request))
            .await;
        let mut result = self.finish_sign_in(sent, email, METHOD_PASSWORD).await?;
        if let SignInResult::VerificationRequired(pending) = &mut result
            && request.send_verification_email == Some(true)
        {
            let ask = crate::SendVerificationEmail {
                email: pending.email.clone(),
                callback_url: request.callback_url.clone(),
            };
            // The sign-in's answer stands either way; whether the mail went out is part of it.
            let sent = match self.send_verification_email(ask).await {
                Ok(status) => status.status,
                Err(e) => {
                    tracing::warn!(code = ?e.code(), "no verification mail: {e}");
                    false
                }
            };
            pending.verification_email_sent = Some(sent);
        }
        Ok(result)
    }

    /// Signs in with a username and password, with the same result as
    /// [`Auth::sign_in_email`]. Emits `session.created`.
    pub async fn sign_in_username(&self, request: SignInUsername) -> Result<SignInResult> {
        let username = request.username.clone();
        let sent = self
            .client
            .send_endpoint(&endpoint::sign_in_username, to_input(&request))
            .await;
        self.finish_sign_in(sent, username, METHOD_PASSWORD).await
    }

    /// Exchanges a one-time token (made by another client with `generate_one_time_token`) for
    /// its session, which this client then keeps. Emits `session.created`.
    pub async fn verify_one_time_token(
        &self,
        request: impl Into<VerifyOneTimeToken>,
    ) -> Result<SessionWithUser> {
        let response = self
            .client
            .send_endpoint(&endpoint::verify_one_time_token, to_input(&request.into()))
            .await?;
        let session: SessionWithUser = response.json()?;
        let body_token = session.session.token.clone();
        if let Some(token) = self.keep_token(&response, body_token).await? {
            self.client.remember_user(&token, &session.user);
            self.emit_session_created(&session.user, METHOD_ONE_TIME_TOKEN, "one_time_token");
        }
        Ok(session)
    }

    /// Turns a sign-in answer into its result: `EMAIL_NOT_VERIFIED` and a second-factor
    /// request are next steps, not failures.
    pub(crate) async fn finish_sign_in(
        &self,
        sent: Result<Response>,
        identifier: String,
        method: &str,
    ) -> Result<SignInResult> {
        let response = match sent {
            Ok(response) => response,
            Err(e) if e.code() == Some(EMAIL_NOT_VERIFIED) => {
                return Ok(SignInResult::VerificationRequired(VerificationRequired {
                    email: identifier,
                    verification_email_sent: None,
                }));
            }
            Err(e) => return Err(e),
        };
        let probe: TwoFactorProbe = response.json()?;
        if probe.two_factor_redirect {
            self.keep_second_factor(&response);
            return Ok(SignInResult::SecondFactorRequired(SecondFactorRequired {
                methods: probe.methods,
            }));
        }
        let mut result: AuthResult = response.json()?;
        result.token = self.keep_token(&response, result.token.take()).await?;
        self.remember(&result);
        if result.token.is_some() {
            self.emit_session_created(&result.user, method, "sign_in");
        }
        Ok(SignInResult::SignedIn(result))
    }
}

impl From<&str> for VerifyOneTimeToken {
    fn from(token: &str) -> Self {
        VerifyOneTimeToken {
            token: token.to_owned(),
        }
    }
}
