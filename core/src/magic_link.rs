//! Sign-in links by e-mail (Better Auth's `magicLink` plugin): the server mails a link; the app
//! that receives it (a deep link, a web page) passes its token to sign the user in, making the
//! account on first use.

use std::fmt;

use serde::{Deserialize, Serialize};

use crate::api::to_input;
use crate::auth::{Auth, redirect_result};
use crate::error::Result;
use crate::models::{AuthResult, User};
use crate::operations::endpoint;
use crate::session_store::SessionToken;

/// The method reported in `session.created` for a sign-in through a mailed link.
const METHOD_MAGIC_LINK: &str = "magic_link";

/// Asks for a sign-in link.
#[derive(Clone, Debug, Serialize, Deserialize, Default)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "camelCase")]
pub struct SignInMagicLink {
    /// The e-mail address.
    pub email: String,
    /// The name of an account made on first use.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// Where the link leads once it signed the user in (relative, or a trusted origin).
    #[serde(
        rename = "callbackURL",
        alias = "callbackUrl",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub callback_url: Option<String>,
    /// Where it leads instead for a user it just made.
    #[serde(
        rename = "newUserCallbackURL",
        alias = "newUserCallbackUrl",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub new_user_callback_url: Option<String>,
    /// Where it leads when it is refused (with `?error=`).
    #[serde(
        rename = "errorCallbackURL",
        alias = "errorCallbackUrl",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub error_callback_url: Option<String>,
}

impl SignInMagicLink {
    /// A request with the required fields; the rest unset.
    pub fn new(email: impl Into<String>) -> Self {
        SignInMagicLink {
            email: email.into(),
            ..Default::default()
        }
    }
}

/// The token of a mailed sign-in link (the `token` parameter of its URL).
#[derive(Clone, Serialize, Deserialize, Default)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct VerifyMagicLink {
    /// The token (redacted in `Debug`).
    pub token: String,
}

impl fmt::Debug for VerifyMagicLink {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("VerifyMagicLink { token: <redacted> }")
    }
}

impl From<&str> for VerifyMagicLink {
    fn from(token: &str) -> Self {
        VerifyMagicLink {
            token: token.to_owned(),
        }
    }
}

/// The sign-in a link made.
#[derive(Deserialize)]
struct LinkAnswer {
    token: SessionToken,
    user: User,
}

impl Auth<'_> {
    /// Signs in with the token of a mailed sign-in link; the client keeps the session token.
    /// A refused link (unknown, used or expired) is an `authentication` error with its code
    /// (`INVALID_TOKEN`, `EXPIRED_TOKEN`). Emits `session.created`.
    pub async fn verify_magic_link(
        &self,
        request: impl Into<VerifyMagicLink>,
    ) -> Result<AuthResult> {
        let response = self
            .client
            .send_endpoint(&endpoint::verify_magic_link, to_input(&request.into()))
            .await?;
        // Better Auth answers a refused link with a redirect to `/?error=…`.
        if let Some(location) = response.location() {
            redirect_result(location)?;
        }
        let answer: LinkAnswer = response.json()?;
        let token = self.keep_token(&response, Some(answer.token)).await?;
        let result = AuthResult {
            user: answer.user,
            token,
            redirect: None,
            url: None,
        };
        self.remember(&result);
        self.emit_session_created(&result.user, METHOD_MAGIC_LINK, "magic_link");
        Ok(result)
    }
}
