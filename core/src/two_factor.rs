//! Two-factor authentication (Better Auth's `twoFactor` plugin): turning it on and off, and the
//! second step of a sign-in. The sign-in's pending state is Better Auth's `two_factor` cookie;
//! the client keeps it between [`crate::SignInResult::SecondFactorRequired`] and the call that
//! gives the factor, so the app only passes the code.

use std::fmt;

use serde::{Deserialize, Serialize};

use crate::api::{Endpoint, to_input};
use crate::auth::Auth;
use crate::device_cookies::DeviceCookie;
use crate::error::Result;
use crate::events::EventType;
use crate::models::{AuthResult, Status};
use crate::operations::endpoint;
use crate::session_store::SessionToken;
use crate::transport::Response;

/// The cookie Better Auth keeps a pending two-factor sign-in in (`__Secure-` on HTTPS).
const TWO_FACTOR_COOKIE: &str = "better-auth.two_factor";

/// The signed-in user's password, to change their two-factor settings.
#[derive(Clone, Serialize, Deserialize, Default)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct TwoFactorPassword {
    /// The password (redacted in `Debug`).
    pub password: String,
}

impl fmt::Debug for TwoFactorPassword {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("TwoFactorPassword { password: <redacted> }")
    }
}

impl From<&str> for TwoFactorPassword {
    fn from(password: &str) -> Self {
        TwoFactorPassword {
            password: password.to_owned(),
        }
    }
}

/// What turning two-factor on gives: the authenticator secret and the backup codes. Two-factor
/// is on once a code from the authenticator is confirmed with `verify_totp`.
#[derive(Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "camelCase")]
pub struct TwoFactorSetup {
    /// The `otpauth://totp/…` URI for an authenticator app (show it as a QR code). It holds the
    /// secret: redacted in `Debug`.
    #[serde(rename = "totpURI")]
    pub totp_uri: SessionToken,
    /// Single-use codes for when the authenticator is lost. Redacted in `Debug`.
    pub backup_codes: Vec<SessionToken>,
}

impl fmt::Debug for TwoFactorSetup {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("TwoFactorSetup")
            .field("totp_uri", &"<redacted>")
            .field(
                "backup_codes",
                &format!("<{} redacted>", self.backup_codes.len()),
            )
            .finish()
    }
}

/// The authenticator URI of a user with two-factor set up.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct TotpUri {
    /// The `otpauth://totp/…` URI; it holds the secret (redacted in `Debug`).
    #[serde(rename = "totpURI")]
    pub totp_uri: SessionToken,
}

/// New backup codes; the old ones stop working.
#[derive(Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "camelCase")]
pub struct BackupCodes {
    /// Redacted in `Debug`.
    pub backup_codes: Vec<SessionToken>,
}

impl fmt::Debug for BackupCodes {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "BackupCodes(<{} redacted>)", self.backup_codes.len())
    }
}

/// A code from the authenticator app, or the one mailed by `send_two_factor_otp`.
#[derive(Clone, Serialize, Deserialize, Default)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "camelCase")]
pub struct TwoFactorCode {
    /// The code (redacted in `Debug`).
    pub code: String,
    /// Remember this device for 30 days, so its sign-ins skip the second factor.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub trust_device: Option<bool>,
}

impl fmt::Debug for TwoFactorCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("TwoFactorCode")
            .field("code", &"<redacted>")
            .field("trust_device", &self.trust_device)
            .finish()
    }
}

impl From<&str> for TwoFactorCode {
    fn from(code: &str) -> Self {
        TwoFactorCode {
            code: code.to_owned(),
            trust_device: None,
        }
    }
}

/// The method reported in `session.created` for each second factor.
const METHOD_TOTP: &str = "totp";
const METHOD_OTP: &str = "otp";
const METHOD_BACKUP_CODE: &str = "backup_code";

impl Auth<'_> {
    /// After a sign-in answer: a pending second factor is kept only if this answer set it (the
    /// client takes the cookie in with every answer), so an older one never outlives a sign-in.
    pub(crate) fn keep_second_factor(&self, response: &Response) {
        let set_now = response
            .headers
            .get_all("set-cookie")
            .iter()
            .filter_map(|v| v.to_str().ok())
            .filter_map(|line| cookie::Cookie::parse(line.to_owned()).ok())
            .any(|c| c.name().trim_start_matches("__Secure-") == TWO_FACTOR_COOKIE);
        if !set_now {
            self.client
                .device_cookies()
                .forget(DeviceCookie::PendingSecondFactor);
        }
    }

    /// Sends a two-factor call; with a sign-in pending, only as that sign-in.
    async fn send_second_factor(
        &self,
        endpoint: &Endpoint,
        input: Option<serde_json::Value>,
    ) -> Result<(Response, bool)> {
        let signing_in = self
            .client
            .device_cookies()
            .holds(DeviceCookie::PendingSecondFactor);
        let mut call = endpoint.call(input);
        if signing_in {
            // Only the pending sign-in: a session still in the store (another account's, from
            // before this sign-in) would make Better Auth check the code against that user.
            call.credential = crate::transport::Credential::None;
        }
        Ok((self.client.send(call).await?, signing_in))
    }

    /// Starts turning two-factor on for the signed-in user: returns the authenticator URI and
    /// backup codes. It is on once a code is confirmed with [`Auth::verify_totp`].
    pub async fn enable_two_factor(
        &self,
        request: impl Into<TwoFactorPassword>,
    ) -> Result<TwoFactorSetup> {
        self.client
            .request(&endpoint::enable_two_factor, to_input(&request.into()))
            .await
    }

    /// Turns two-factor off for the signed-in user, who moves to a new session (its token is
    /// kept); this device stops being trusted. Emits `two_factor.disabled`.
    pub async fn disable_two_factor(
        &self,
        request: impl Into<TwoFactorPassword>,
    ) -> Result<Status> {
        let response = self
            .client
            .send_endpoint(&endpoint::disable_two_factor, to_input(&request.into()))
            .await?;
        let status: Status = response.json()?;
        // Better Auth moves the user to a new session; the old token stops working.
        self.keep_token(&response, None).await?;
        self.emit_for_current_user(EventType::TWO_FACTOR_DISABLED)
            .await;
        Ok(status)
    }

    /// Gives the second factor of a pending sign-in (a code from the authenticator), which then
    /// completes and keeps its token; or, right after [`Auth::enable_two_factor`], confirms the
    /// authenticator, which turns two-factor on. Emits `session.created` or
    /// `two_factor.enabled`.
    pub async fn verify_totp(&self, request: impl Into<TwoFactorCode>) -> Result<AuthResult> {
        self.finish_second_factor(&endpoint::verify_totp, request.into(), METHOD_TOTP)
            .await
    }

    /// Mails a one-time code to the user of the pending sign-in, or to the signed-in user
    /// turning two-factor on (servers with an OTP sender).
    pub async fn send_two_factor_otp(&self) -> Result<Status> {
        let (response, _) = self
            .send_second_factor(&endpoint::send_two_factor_otp, None)
            .await?;
        response.json()
    }

    /// Gives a mailed one-time code as the second factor of a pending sign-in (emits
    /// `session.created`); or, right after [`Auth::enable_two_factor`], confirms it, which turns
    /// two-factor on (emits `two_factor.enabled`).
    pub async fn verify_two_factor_otp(
        &self,
        request: impl Into<TwoFactorCode>,
    ) -> Result<AuthResult> {
        self.finish_second_factor(&endpoint::verify_two_factor_otp, request.into(), METHOD_OTP)
            .await
    }

    /// Gives a backup code as the second factor of a pending sign-in (each code works once).
    /// Emits `session.created`.
    pub async fn verify_backup_code(
        &self,
        request: impl Into<TwoFactorCode>,
    ) -> Result<AuthResult> {
        self.finish_second_factor(
            &endpoint::verify_backup_code,
            request.into(),
            METHOD_BACKUP_CODE,
        )
        .await
    }

    /// New backup codes for the signed-in user (the old ones stop working).
    pub async fn generate_backup_codes(
        &self,
        request: impl Into<TwoFactorPassword>,
    ) -> Result<BackupCodes> {
        self.client
            .request(&endpoint::generate_backup_codes, to_input(&request.into()))
            .await
    }

    async fn finish_second_factor(
        &self,
        endpoint: &Endpoint,
        code: TwoFactorCode,
        method: &str,
    ) -> Result<AuthResult> {
        let (response, signing_in) = self.send_second_factor(endpoint, to_input(&code)).await?;
        let mut result: AuthResult = response.json()?;
        if signing_in {
            self.client
                .device_cookies()
                .forget(DeviceCookie::PendingSecondFactor);
        }
        result.token = self.keep_token(&response, result.token.take()).await?;
        self.remember(&result);
        if signing_in {
            self.emit_session_created(&result.user, method, "second_factor");
        } else {
            self.emit(
                EventType::TWO_FACTOR_ENABLED,
                crate::auth::user_data(&result.user, None),
            );
        }
        Ok(result)
    }

    async fn emit_for_current_user(&self, event: EventType) {
        let data = match self.current_user().await {
            Some(user) => crate::auth::user_data(&user, None),
            None => Default::default(),
        };
        self.emit(event, data);
    }
}
