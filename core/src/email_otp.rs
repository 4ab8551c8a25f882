//! One-time codes by e-mail (Better Auth's `emailOTP` plugin): sign in (the account is made on
//! first use), verify the address, or reset the password with a six-digit code.

use std::fmt;

use serde::{Deserialize, Serialize};

use crate::api::to_input;
use crate::auth::{Auth, user_data};
use crate::error::Result;
use crate::events::{EventData, EventType};
use crate::models::User;
use crate::operations::endpoint;
use crate::session_store::SessionToken;
use crate::sign_in::SignInResult;

/// The method reported in `session.created` for a sign-in with a mailed code.
const METHOD_EMAIL_OTP: &str = "email_otp";

/// Asks for a code: `type` is `sign-in`, `email-verification` or `forget-password`.
#[derive(Clone, Debug, Serialize, Deserialize, Default)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct SendVerificationOtp {
    /// The e-mail address.
    pub email: String,
    /// `sign-in`, `email-verification` or `forget-password`.
    #[serde(rename = "type")]
    pub kind: String,
}

/// A mailed code to check without using it.
#[derive(Clone, Serialize, Deserialize, Default)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct CheckVerificationOtp {
    /// The e-mail address.
    pub email: String,
    /// What the code was asked for: `sign-in`, `email-verification` or `forget-password`.
    #[serde(rename = "type")]
    pub kind: String,
    /// The mailed code (redacted in `Debug`).
    pub otp: String,
}

/// An address and the code mailed to it.
#[derive(Clone, Serialize, Deserialize, Default)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct EmailOtp {
    /// The e-mail address.
    pub email: String,
    /// The mailed code (redacted in `Debug`).
    pub otp: String,
}

impl EmailOtp {
    /// A request with the required fields; the rest unset.
    pub fn new(email: impl Into<String>, otp: impl Into<String>) -> Self {
        EmailOtp {
            email: email.into(),
            otp: otp.into(),
        }
    }
}

/// A new password with the code mailed for it.
#[derive(Clone, Serialize, Deserialize, Default)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct ResetPasswordOtp {
    /// The e-mail address.
    pub email: String,
    /// The mailed code (redacted in `Debug`).
    pub otp: String,
    /// The password (redacted in `Debug`).
    pub password: String,
}

/// An address to mail a password-reset code to.
#[derive(Clone, Debug, Serialize, Deserialize, Default)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct RequestPasswordResetOtp {
    /// The e-mail address.
    pub email: String,
}

/// A plain acknowledgement: `{"success": true}`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct Success {
    /// Whether the server did it.
    pub success: bool,
}

/// The answer to verifying an address with a code.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct EmailOtpVerified {
    /// Its status.
    pub status: bool,
    /// A session token, when the server signs the user in on verification (then kept).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub token: Option<SessionToken>,
    /// The user.
    pub user: User,
}

macro_rules! redacted_debug {
    ($($name:ident { $($field:ident),* } hides $($secret:ident),*;)*) => {$(
        impl fmt::Debug for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.debug_struct(stringify!($name))
                    $(.field(stringify!($field), &self.$field))*
                    $(.field(stringify!($secret), &"<redacted>"))*
                    .finish()
            }
        }
    )*};
}

redacted_debug! {
    CheckVerificationOtp { email, kind } hides otp;
    EmailOtp { email } hides otp;
    ResetPasswordOtp { email } hides otp, password;
}

impl Auth<'_> {
    /// Signs in with a code mailed by `send_verification_otp` (type `sign-in`); the account is
    /// made on first use. Emits `session.created`.
    pub async fn sign_in_email_otp(&self, request: EmailOtp) -> Result<SignInResult> {
        let email = request.email.clone();
        let sent = self
            .client
            .send_endpoint(&endpoint::sign_in_email_otp, to_input(&request))
            .await;
        self.finish_sign_in(sent, email, METHOD_EMAIL_OTP).await
    }

    /// Verifies an address with a code mailed by `send_verification_otp` (type
    /// `email-verification`). Emits `email.verified`.
    pub async fn verify_email_otp(&self, request: EmailOtp) -> Result<EmailOtpVerified> {
        let response = self
            .client
            .send_endpoint(&endpoint::verify_email_otp, to_input(&request))
            .await?;
        let mut result: EmailOtpVerified = response.json()?;
        result.token = self.keep_token(&response, result.token.take()).await?;
        self.emit(EventType::EMAIL_VERIFIED, user_data(&result.user, None));
        if result.token.is_some() {
            self.emit_session_created(&result.user, METHOD_EMAIL_OTP, "email_verified");
        }
        Ok(result)
    }

    /// Sets a new password with a code mailed by `request_password_reset_otp`. Emits
    /// `password.reset`.
    pub async fn reset_password_otp(&self, request: ResetPasswordOtp) -> Result<Success> {
        let email = request.email.clone();
        let result: Success = self
            .client
            .request(&endpoint::reset_password_otp, to_input(&request))
            .await?;
        let data = EventData {
            email: Some(email),
            ..Default::default()
        };
        self.emit(EventType::PASSWORD_RESET, data);
        Ok(result)
    }
}
