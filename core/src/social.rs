//! Social and OAuth sign-in: Better Auth's redirect flow (the server keeps state and PKCE), its
//! ID-token sign-in for native Sign in with Apple/Google, linked accounts and provider tokens.
//!
//! The redirect flow, as the platform runs it: [`Auth::sign_in_social`] answers the provider's
//! URL; the app opens it in a browser (`ASWebAuthenticationSession`, Custom Tabs, the user's
//! browser); the provider sends the browser to the server's `/callback/<provider>`, which signs
//! the user in and redirects to the app's `callback_url` with a one-time token (`?ott=`, the
//! cross-domain plugin), or with `?error=`. [`Auth::complete_social_sign_in`] takes that URL
//! and keeps the session. The browser needs no cookie of the app's: the server keeps the
//! state itself.

use std::fmt;

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use crate::Account;
use crate::api::to_input;
use crate::auth::{Auth, user_data};
use crate::error::{Error, ErrorKind, Result};
use crate::events::EventType;
use crate::models::{AuthResult, SessionWithUser, Status, Timestamp};
use crate::operations::endpoint;
use crate::session_store::SessionToken;

/// A redirect sign-in (or account link) to start with a provider.
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "camelCase")]
pub struct SignInSocial {
    /// The provider's id as configured on the server, e.g. `google`, `github`, `apple`.
    pub provider: String,
    /// Where the browser lands after signing in: the app's URL (`myapp://auth`, an https
    /// page). It must be a trusted origin of the server. The server adds `?ott=`, which
    /// `complete_social_sign_in` exchanges for the session.
    #[serde(
        rename = "callbackURL",
        alias = "callbackUrl",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub callback_url: Option<String>,
    /// Where a user who has just signed up lands instead of `callback_url`.
    #[serde(
        rename = "newUserCallbackURL",
        alias = "newUserCallbackUrl",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub new_user_callback_url: Option<String>,
    /// Where a failed sign-in lands with `?error=`; `callback_url` when not given, so the app
    /// hears of failures too (Better Auth's default is the server's own error page).
    #[serde(
        rename = "errorCallbackURL",
        alias = "errorCallbackUrl",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub error_callback_url: Option<String>,
    /// OAuth scopes to ask for beside the provider's defaults.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub scopes: Option<Vec<String>>,
    /// Pre-fills the provider's sign-in form with this address.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub login_hint: Option<String>,
    /// Signs up a new user even where the provider only signs in existing ones.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub request_sign_up: Option<bool>,
}

impl SignInSocial {
    /// A sign-in with `provider` that comes back to `callback_url`.
    pub fn new(provider: impl Into<String>, callback_url: impl Into<String>) -> Self {
        SignInSocial {
            provider: provider.into(),
            callback_url: Some(callback_url.into()),
            ..Default::default()
        }
    }
}

/// Where to send the user: the provider's authorization URL.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct SocialRedirect {
    /// Open it in a browser; the sign-in ends at the callback URL.
    pub url: String,
    /// Whether the server asked for the redirect (always follow `url`).
    #[serde(default)]
    pub redirect: bool,
}

/// A sign-in with an ID token the app got from the provider's own SDK (Sign in with Apple,
/// Google Sign-In): no browser. The server checks the token's signature, issuer, audience
/// (its client id), age and, when given, nonce.
#[derive(Clone, Default, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "camelCase")]
pub struct SignInWithIdToken {
    /// The provider's id, e.g. `apple` or `google`.
    pub provider: String,
    /// The ID token (a JWT). Redacted in `Debug`.
    pub token: String,
    /// The nonce the app put in the sign-in request; the token must carry the same.
    #[serde(default)]
    pub nonce: Option<String>,
    /// The provider's access token, when the server should keep it. Redacted in `Debug`.
    #[serde(default)]
    pub access_token: Option<String>,
    /// The provider's refresh token, when the server should keep it. Redacted in `Debug`.
    #[serde(default)]
    pub refresh_token: Option<String>,
}

impl SignInWithIdToken {
    /// A sign-in with `token` from `provider`.
    pub fn new(provider: impl Into<String>, token: impl Into<String>) -> Self {
        SignInWithIdToken {
            provider: provider.into(),
            token: token.into(),
            ..Default::default()
        }
    }
}

impl fmt::Debug for SignInWithIdToken {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SignInWithIdToken")
            .field("provider", &self.provider)
            .field("token", &"<redacted>")
            .field("nonce", &self.nonce)
            .finish_non_exhaustive()
    }
}

/// Better Auth's wire shape: `{provider, idToken: {token, nonce, accessToken, refreshToken}}`.
impl Serialize for SignInWithIdToken {
    fn serialize<S: serde::Serializer>(&self, s: S) -> std::result::Result<S::Ok, S::Error> {
        #[derive(Serialize)]
        #[serde(rename_all = "camelCase")]
        struct IdToken<'a> {
            token: &'a str,
            #[serde(skip_serializing_if = "Option::is_none")]
            nonce: Option<&'a str>,
            #[serde(skip_serializing_if = "Option::is_none")]
            access_token: Option<&'a str>,
            #[serde(skip_serializing_if = "Option::is_none")]
            refresh_token: Option<&'a str>,
        }
        #[derive(Serialize)]
        #[serde(rename_all = "camelCase")]
        struct Wire<'a> {
            provider: &'a str,
            id_token: IdToken<'a>,
        }
        Wire {
            provider: &self.provider,
            id_token: IdToken {
                token: &self.token,
                nonce: self.nonce.as_deref(),
                access_token: self.access_token.as_deref(),
                refresh_token: self.refresh_token.as_deref(),
            },
        }
        .serialize(s)
    }
}

/// The URL the browser came back to at the end of a redirect flow.
#[derive(Clone, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct SocialCallback {
    /// The whole URL, e.g. `myapp://auth?ott=…` or `…?error=access_denied`. Redacted in
    /// `Debug` (it may hold a one-time token).
    pub url: String,
}

impl SocialCallback {
    /// The URL the app received.
    pub fn new(url: impl Into<String>) -> Self {
        SocialCallback { url: url.into() }
    }
}

impl fmt::Debug for SocialCallback {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("SocialCallback { url: <redacted> }")
    }
}

impl From<&str> for SocialCallback {
    fn from(url: &str) -> Self {
        SocialCallback::new(url)
    }
}

/// A linked account to act on: by provider, and by the account's id at the provider when the
/// user has several with it.
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "camelCase")]
pub struct ProviderAccount {
    /// The provider's id, e.g. `google`.
    pub provider_id: String,
    /// The user's id at the provider (`Account::account_id`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub account_id: Option<String>,
}

impl ProviderAccount {
    /// The user's account with `provider_id`.
    pub fn new(provider_id: impl Into<String>) -> Self {
        ProviderAccount {
            provider_id: provider_id.into(),
            account_id: None,
        }
    }
}

/// A provider access token, fresh: the server refreshes it when it is about to expire.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "camelCase")]
pub struct AccessToken {
    /// Call the provider's API with it. Redacted in `Debug`.
    pub access_token: SessionToken,
    /// When the access token expires.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub access_token_expires_at: Option<Timestamp>,
    /// The scopes it grants.
    #[serde(default)]
    pub scopes: Vec<String>,
    /// The provider's ID token, when it gave one. Redacted in `Debug`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id_token: Option<SessionToken>,
}

/// New provider tokens from the provider's refresh grant.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "camelCase")]
pub struct ProviderTokens {
    /// Redacted in `Debug`.
    pub access_token: SessionToken,
    /// The refresh token to use next time (some providers rotate it). Redacted in `Debug`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub refresh_token: Option<SessionToken>,
    /// When the access token expires.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub access_token_expires_at: Option<Timestamp>,
    /// When the refresh token expires.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub refresh_token_expires_at: Option<Timestamp>,
    /// The scopes granted, comma-separated as the provider gave them.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub scope: Option<String>,
    /// Redacted in `Debug`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id_token: Option<SessionToken>,
    /// `credential`, or the provider, e.g. `google`.
    pub provider_id: String,
    /// The user's id at the provider.
    pub account_id: String,
}

/// Which linked account to describe: its id at the provider.
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "camelCase")]
pub struct AccountInfoQuery {
    /// The user's id at the provider (`Account::account_id`).
    pub account_id: String,
}

/// The user as the provider describes them, read with the account's access token.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct AccountInfo {
    /// The fields Better Auth maps: `id`, `name`, `email`, `image`, `emailVerified`.
    pub user: Map<String, Value>,
    /// The provider's profile as it sent it.
    #[serde(default)]
    pub data: Map<String, Value>,
}

/// The user and session a one-time token stood for.
type OneTimeTokenAnswer = SessionWithUser;

impl Auth<'_> {
    /// Starts a redirect sign-in: the provider's URL to open in a browser. Errors come back to
    /// `callback_url` too unless `error_callback_url` says otherwise.
    pub async fn sign_in_social(&self, request: SignInSocial) -> Result<SocialRedirect> {
        self.start_redirect(&endpoint::sign_in_social, request)
            .await
    }

    /// Starts a redirect flow at `endpoint`: errors come back to the callback too, and the
    /// client remembers the provider for the completion's event.
    async fn start_redirect(
        &self,
        endpoint: &crate::api::Endpoint,
        mut request: SignInSocial,
    ) -> Result<SocialRedirect> {
        if request.error_callback_url.is_none() {
            request.error_callback_url = request.callback_url.clone();
        }
        let provider = request.provider.clone();
        let redirect: SocialRedirect = self.client.request(endpoint, to_input(&request)).await?;
        self.client.set_pending_provider(Some(provider));
        Ok(redirect)
    }

    /// Signs in with a provider's ID token; the client keeps the session token. Emits
    /// `session.created` with the provider as `method`.
    pub async fn sign_in_with_id_token(&self, request: SignInWithIdToken) -> Result<AuthResult> {
        let provider = request.provider.clone();
        let response = self
            .client
            .send_endpoint(&endpoint::sign_in_with_id_token, to_input(&request))
            .await?;
        let mut result: AuthResult = response.json()?;
        result.token = self.keep_token(&response, result.token.take()).await?;
        result.redirect = None;
        result.url = None;
        self.remember(&result);
        self.emit_session_created(&result.user, &provider, "id_token");
        Ok(result)
    }

    /// Completes a redirect sign-in from the URL the browser came back to: exchanges its
    /// one-time token for the session, which the client keeps, or turns its `error` into an
    /// `authentication` error with that code (`ACCESS_DENIED`, `INVALID_CODE`, …). Emits
    /// `session.created` with the provider as `method`.
    pub async fn complete_social_sign_in(
        &self,
        callback: impl Into<SocialCallback>,
    ) -> Result<AuthResult> {
        let callback = callback.into();
        let params = callback_params(&callback.url)?;
        let Some(token) = params.one_time_token else {
            return Err(Error::new(
                ErrorKind::Validation,
                "the callback URL has neither a one-time token (`ott`) nor an error; pass the URL \
                 the browser was sent to after the provider",
            )
            .with_code("MISSING_ONE_TIME_TOKEN"));
        };
        let response = self
            .client
            .send_endpoint(
                &endpoint::complete_social_sign_in,
                to_input(&serde_json::json!({ "token": token })),
            )
            .await?;
        let answer: OneTimeTokenAnswer = response.json()?;
        let token = self
            .keep_token(&response, answer.session.token.clone())
            .await?;
        let result = AuthResult {
            user: answer.user,
            token,
            redirect: None,
            url: None,
        };
        self.remember(&result);
        let provider = self.client.set_pending_provider(None);
        self.emit_session_created(
            &result.user,
            provider.as_deref().unwrap_or("social"),
            "social",
        );
        Ok(result)
    }

    /// Starts linking another provider to the signed-in user: the provider's URL to open in a
    /// browser, which comes back to `callback_url` (`complete_link_social` takes it).
    pub async fn link_social(&self, request: SignInSocial) -> Result<SocialRedirect> {
        self.start_redirect(&endpoint::link_social, request).await
    }

    /// Completes linking from the URL the browser came back to: the newly linked account, or
    /// an `authentication` error with the server's code (`EMAIL_DOESN'T_MATCH`,
    /// `ACCOUNT_ALREADY_LINKED_TO_DIFFERENT_USER`, …). Emits `account.linked`.
    pub async fn complete_link_social(
        &self,
        callback: impl Into<SocialCallback>,
    ) -> Result<Account> {
        let callback = callback.into();
        callback_params(&callback.url)?;
        let provider = self.client.set_pending_provider(None).ok_or_else(|| {
            Error::new(
                ErrorKind::Validation,
                "no account link was started on this client (call link_social first)",
            )
            .with_code("NO_PENDING_LINK")
        })?;
        let accounts = self.list_accounts().await?;
        let account = accounts
            .into_iter()
            .filter(|a| a.provider_id == provider)
            .max_by_key(|a| a.updated_at.or(a.created_at))
            .ok_or_else(|| {
                Error::new(
                    ErrorKind::NotFound,
                    format!("the server linked no {provider} account"),
                )
                .with_code("ACCOUNT_NOT_FOUND")
            })?;
        self.emit_account(EventType::ACCOUNT_LINKED, &provider, &account.account_id)
            .await;
        Ok(account)
    }

    /// Unlinks one of the signed-in user's accounts (not the last one). Needs a fresh session.
    /// Emits `account.unlinked`.
    pub async fn unlink_account(&self, request: ProviderAccount) -> Result<Status> {
        let status: Status = self
            .client
            .request(&endpoint::unlink_account, to_input(&request))
            .await?;
        self.emit_account(
            EventType::ACCOUNT_UNLINKED,
            &request.provider_id,
            request.account_id.as_deref().unwrap_or_default(),
        )
        .await;
        Ok(status)
    }

    async fn emit_account(&self, event_type: EventType, provider: &str, account_id: &str) {
        let mut data = match self.current_user().await {
            Some(user) => user_data(&user, Some(provider)),
            None => crate::EventData {
                method: Some(provider.to_owned()),
                ..Default::default()
            },
        };
        if !account_id.is_empty() {
            data.extra
                .insert("accountId".into(), Value::String(account_id.to_owned()));
        }
        self.emit(event_type, data);
    }
}

/// What a callback URL carries.
struct CallbackParams {
    one_time_token: Option<String>,
}

/// Reads a callback URL: its `error` becomes an `authentication` error.
fn callback_params(url: &str) -> Result<CallbackParams> {
    let parsed = url::Url::parse(url).map_err(|e| {
        Error::new(
            ErrorKind::Validation,
            format!("the callback URL is not an absolute URL: {e}"),
        )
        .with_code("INVALID_CALLBACK_URL")
    })?;
    let mut error = None;
    let mut description = None;
    let mut one_time_token = None;
    for (key, value) in parsed.query_pairs() {
        match key.as_ref() {
            "error" => error = Some(value.into_owned()),
            "error_description" => description = Some(value.into_owned()),
            "ott" => one_time_token = Some(value.into_owned()),
            // A missing state is reported as `?state=state_not_found`.
            "state" if value == "state_not_found" => error = Some(value.into_owned()),
            _ => {}
        }
    }
    if let Some(code) = error {
        let message = match description {
            Some(d) if !d.is_empty() => format!("social sign-in failed: {code} ({d})"),
            _ => format!("social sign-in failed: {code}"),
        };
        return Err(
            Error::new(ErrorKind::Authentication, message).with_code(code.to_ascii_uppercase())
        );
    }
    Ok(CallbackParams { one_time_token })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn id_token_sign_in_uses_better_auths_nested_shape_and_hides_the_token() {
        let mut request = SignInWithIdToken::new("apple", "eyJ.secret.sig");
        request.nonce = Some("n-1".into());
        let wire = serde_json::to_value(&request).unwrap();
        assert_eq!(
            wire,
            serde_json::json!({"provider": "apple", "idToken": {"token": "eyJ.secret.sig", "nonce": "n-1"}})
        );
        assert!(!format!("{request:?}").contains("secret"));
    }

    #[test]
    fn callback_errors_are_typed_and_tokens_are_read() {
        let e = callback_params("myapp://auth?error=access_denied&error_description=User+said+no")
            .err()
            .unwrap();
        assert_eq!(e.kind(), ErrorKind::Authentication);
        assert_eq!(e.code(), Some("ACCESS_DENIED"));
        assert!(e.to_string().contains("User said no"));
        let e = callback_params("http://127.0.0.1/api/auth/error?state=state_not_found")
            .err()
            .unwrap();
        assert_eq!(e.code(), Some("STATE_NOT_FOUND"));
        let ok = callback_params("myapp://auth?ott=abc").unwrap();
        assert_eq!(ok.one_time_token.as_deref(), Some("abc"));
        let bad = callback_params("not a url").err().unwrap();
        assert_eq!(bad.code(), Some("INVALID_CALLBACK_URL"));
        assert!(!format!("{:?}", SocialCallback::new("myapp://a?ott=secret")).contains("secret"));
    }
}
