//! Users, sessions and the answers of the auth flows.
//!
//! The wire is loose: Better Auth's memory adapter leaves unset fields out, SQL adapters send
//! `null`, Banata's own models use epoch milliseconds where Better Auth uses ISO strings. So every
//! field but the id is optional and [`Timestamp`] reads both forms. Fields this crate does not
//! know are kept in `extra`.

use std::fmt;

use chrono::{DateTime, SecondsFormat, TimeZone, Utc};
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use serde_json::{Map, Value};

use crate::session_store::SessionToken;

/// A point in time, read from epoch milliseconds or an RFC 3339 string, written as RFC 3339.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Timestamp(pub DateTime<Utc>);

impl Timestamp {
    /// The current time.
    pub fn now() -> Self {
        Timestamp(Utc::now())
    }

    /// Milliseconds since the Unix epoch.
    pub fn unix_millis(&self) -> i64 {
        self.0.timestamp_millis()
    }

    /// From milliseconds since the Unix epoch.
    pub fn from_unix_millis(ms: i64) -> Option<Self> {
        Utc.timestamp_millis_opt(ms).single().map(Timestamp)
    }

    /// RFC 3339 with milliseconds and `Z`, e.g. `2026-11-22T17:58:01.123Z`.
    pub fn to_rfc3339(&self) -> String {
        self.0.to_rfc3339_opts(SecondsFormat::Millis, true)
    }
}

impl fmt::Display for Timestamp {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.to_rfc3339())
    }
}

impl Serialize for Timestamp {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.to_rfc3339())
    }
}

impl<'de> Deserialize<'de> for Timestamp {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        use serde::de::Error;
        match Value::deserialize(d)? {
            Value::Number(n) => n
                .as_f64()
                .and_then(|ms| Timestamp::from_unix_millis(ms as i64))
                .ok_or_else(|| D::Error::custom(format!("timestamp out of range: {n}"))),
            Value::String(s) => DateTime::parse_from_rfc3339(&s)
                .map(|t| Timestamp(t.with_timezone(&Utc)))
                .or_else(|_| {
                    // Some Banata rows stringify the epoch number.
                    s.parse::<i64>()
                        .ok()
                        .and_then(Timestamp::from_unix_millis)
                        .ok_or(())
                })
                .map_err(|_| D::Error::custom(format!("not a timestamp: {s:?}"))),
            other => Err(D::Error::custom(format!("not a timestamp: {other}"))),
        }
    }
}

/// A user account.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "camelCase")]
pub struct User {
    /// Server-assigned id.
    pub id: String,
    /// The e-mail address.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub email: Option<String>,
    /// The display name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// Whether the address is verified.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub email_verified: Option<bool>,
    /// The avatar's URL.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub image: Option<String>,
    /// The username (lower case), when the user has one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub username: Option<String>,
    /// The username as the user typed it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub display_username: Option<String>,
    /// Comma-joined role names, e.g. `"user"` or `"admin,super_admin"`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub role: Option<String>,
    /// Whether the user is banned.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub banned: Option<bool>,
    /// When it was created.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub created_at: Option<Timestamp>,
    /// When it last changed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub updated_at: Option<Timestamp>,
    /// Fields this version does not model (plugin fields, custom user fields).
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

/// One signed-in device or browser.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "camelCase")]
pub struct Session {
    /// The id.
    pub id: String,
    /// The user's id.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub user_id: Option<String>,
    /// The unsigned session token; pass it to `revoke_session`. Redacted in `Debug`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub token: Option<SessionToken>,
    /// When it expires.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub expires_at: Option<Timestamp>,
    /// The IP address that created the session.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ip_address: Option<String>,
    /// The user agent that created the session.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub user_agent: Option<String>,
    /// The session's active organization, if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub active_organization_id: Option<String>,
    /// The admin impersonating the user, if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub impersonated_by: Option<String>,
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

/// The current session and its user, as `/get-session` returns them.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct SessionWithUser {
    /// The session.
    pub session: Session,
    /// The user.
    pub user: User,
}

/// The answer to a sign-up or sign-in.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "camelCase")]
pub struct AuthResult {
    /// The user.
    pub user: User,
    /// The new session's token; `None` when the server did not sign the user in (e.g. e-mail
    /// verification is required). Also kept in the client's session store.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub token: Option<SessionToken>,
    /// Whether the server asks the app to redirect (a `callbackURL` was given).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub redirect: Option<bool>,
    /// Where to redirect to, when `redirect` is true.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub url: Option<String>,
}

/// Sign-up with e-mail and password.
#[derive(Clone, Serialize, Deserialize, Default)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "camelCase")]
pub struct SignUpEmail {
    /// The display name.
    pub name: String,
    /// The e-mail address.
    pub email: String,
    /// The password (redacted in `Debug`).
    pub password: String,
    /// The avatar's URL.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub image: Option<String>,
    #[serde(
        rename = "callbackURL",
        alias = "callbackUrl",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    /// Where the link in the mail leads (a path or a trusted URL).
    pub callback_url: Option<String>,
    /// Keep the session beyond the browser session (default true).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub remember_me: Option<bool>,
    /// A username to sign in with too (3 to 30 letters, digits, `_` and `.`; stored in lower
    /// case). The display form defaults to it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub username: Option<String>,
    /// The username as shown, keeping its case.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub display_username: Option<String>,
}

impl SignUpEmail {
    /// A sign-up with the required fields.
    pub fn new(
        name: impl Into<String>,
        email: impl Into<String>,
        password: impl Into<String>,
    ) -> Self {
        SignUpEmail {
            name: name.into(),
            email: email.into(),
            password: password.into(),
            ..Default::default()
        }
    }
}

impl fmt::Debug for SignUpEmail {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SignUpEmail")
            .field("name", &self.name)
            .field("email", &self.email)
            .field("password", &"<redacted>")
            .field("image", &self.image)
            .field("callback_url", &self.callback_url)
            .field("remember_me", &self.remember_me)
            .field("username", &self.username)
            .finish()
    }
}

/// Sign-in with e-mail and password.
#[derive(Clone, Serialize, Deserialize, Default)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "camelCase")]
pub struct SignInEmail {
    /// The e-mail address.
    pub email: String,
    /// The password (redacted in `Debug`).
    pub password: String,
    /// `false` makes the session end with the browser session (and last one day).
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
    /// When the address turns out not to be verified yet, ask the server to mail a new
    /// verification link (leading to `callback_url`); the result's `verification_email_sent`
    /// then says whether it did. Not sent to the server with the sign-in.
    #[serde(default, skip_serializing)]
    pub send_verification_email: Option<bool>,
}

impl SignInEmail {
    /// A sign-in with the required fields.
    pub fn new(email: impl Into<String>, password: impl Into<String>) -> Self {
        SignInEmail {
            email: email.into(),
            password: password.into(),
            ..Default::default()
        }
    }

    /// Sets remember-me.
    pub fn remember_me(mut self, remember: bool) -> Self {
        self.remember_me = Some(remember);
        self
    }

    /// Asks for a new verification mail when the address is not verified yet.
    pub fn send_verification_email(mut self, send: bool) -> Self {
        self.send_verification_email = Some(send);
        self
    }
}

impl fmt::Debug for SignInEmail {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SignInEmail")
            .field("email", &self.email)
            .field("password", &"<redacted>")
            .field("remember_me", &self.remember_me)
            .field("callback_url", &self.callback_url)
            .field("send_verification_email", &self.send_verification_email)
            .finish()
    }
}

/// Changes to the signed-in user's profile. Unset fields are left as they are.
#[derive(Clone, Debug, Serialize, Deserialize, Default, PartialEq)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "camelCase")]
pub struct UpdateUser {
    /// The display name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// The avatar's URL.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub image: Option<String>,
    /// A new username (refused when another user has it).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub username: Option<String>,
    /// The username as the user wrote it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub display_username: Option<String>,
}

/// A password change for the signed-in user.
#[derive(Clone, Serialize, Deserialize, Default)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "camelCase")]
pub struct ChangePassword {
    /// The current password (redacted in `Debug`).
    pub current_password: String,
    /// The new password (redacted in `Debug`).
    pub new_password: String,
    /// Also sign out every other session (the current one gets a new token).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub revoke_other_sessions: Option<bool>,
}

impl ChangePassword {
    /// A change from `current` to `new`.
    pub fn new(current: impl Into<String>, new: impl Into<String>) -> Self {
        ChangePassword {
            current_password: current.into(),
            new_password: new.into(),
            revoke_other_sessions: None,
        }
    }

    /// Also revoke every other session.
    pub fn revoke_other_sessions(mut self, revoke: bool) -> Self {
        self.revoke_other_sessions = Some(revoke);
        self
    }
}

impl fmt::Debug for ChangePassword {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ChangePassword")
            .field("current_password", &"<redacted>")
            .field("new_password", &"<redacted>")
            .field("revoke_other_sessions", &self.revoke_other_sessions)
            .finish()
    }
}

/// Ends one session, named by its unsigned token (from a listed [`Session`]).
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct RevokeSession {
    /// The session's token.
    pub token: SessionToken,
}

impl From<&str> for RevokeSession {
    fn from(token: &str) -> Self {
        RevokeSession {
            token: SessionToken::new(token),
        }
    }
}

impl From<String> for RevokeSession {
    fn from(token: String) -> Self {
        RevokeSession {
            token: SessionToken::new(token),
        }
    }
}

impl From<&String> for RevokeSession {
    fn from(token: &String) -> Self {
        RevokeSession::from(token.as_str())
    }
}

impl From<SessionToken> for RevokeSession {
    fn from(token: SessionToken) -> Self {
        RevokeSession { token }
    }
}

impl From<&SessionToken> for RevokeSession {
    fn from(token: &SessionToken) -> Self {
        RevokeSession {
            token: token.clone(),
        }
    }
}

impl fmt::Debug for RevokeSession {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("RevokeSession")
            .field("token", &"<redacted>")
            .finish()
    }
}

/// A request for a password reset link.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "camelCase")]
pub struct RequestPasswordReset {
    /// The account's address.
    pub email: String,
    /// Where the link leads: a trusted origin or a relative path.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub redirect_to: Option<String>,
}

impl RequestPasswordReset {
    /// A reset request for `email`.
    pub fn new(email: impl Into<String>) -> Self {
        RequestPasswordReset {
            email: email.into(),
            redirect_to: None,
        }
    }

    /// Sets where the link leads.
    pub fn redirect_to(mut self, to: impl Into<String>) -> Self {
        self.redirect_to = Some(to.into());
        self
    }
}

/// A new password, with the token from a reset link.
#[derive(Clone, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "camelCase")]
pub struct ResetPassword {
    /// The token from the reset link.
    pub token: String,
    /// The new password.
    pub new_password: String,
}

impl ResetPassword {
    /// A reset with `token` to `new_password`.
    pub fn new(token: impl Into<String>, new_password: impl Into<String>) -> Self {
        ResetPassword {
            token: token.into(),
            new_password: new_password.into(),
        }
    }
}

impl fmt::Debug for ResetPassword {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ResetPassword")
            .field("token", &"<redacted>")
            .field("new_password", &"<redacted>")
            .finish()
    }
}

/// A request to mail a verification link.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "camelCase")]
pub struct SendVerificationEmail {
    /// The address to verify.
    pub email: String,
    /// Where the link leads after verifying: a trusted origin or a relative path.
    #[serde(
        rename = "callbackURL",
        alias = "callbackUrl",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub callback_url: Option<String>,
}

impl SendVerificationEmail {
    /// A verification mail for `email`.
    pub fn new(email: impl Into<String>) -> Self {
        SendVerificationEmail {
            email: email.into(),
            callback_url: None,
        }
    }
}

/// The token of a verification link.
#[derive(Clone, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "camelCase")]
pub struct VerifyEmail {
    /// The `token` parameter of the link.
    pub token: String,
    /// Asks the server to answer with a redirect there instead of JSON; the result then
    /// carries the URL in `redirect_url`.
    #[serde(
        rename = "callbackURL",
        alias = "callbackUrl",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub callback_url: Option<String>,
}

impl VerifyEmail {
    /// A verification with `token`.
    pub fn new(token: impl Into<String>) -> Self {
        VerifyEmail {
            token: token.into(),
            callback_url: None,
        }
    }
}

impl fmt::Debug for VerifyEmail {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("VerifyEmail")
            .field("token", &"<redacted>")
            .field("callback_url", &self.callback_url)
            .finish()
    }
}

/// The answer to a verification.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "camelCase")]
pub struct VerifyEmailResult {
    /// Whether the address is now verified.
    #[serde(default)]
    pub status: bool,
    /// The verified user, when the server says.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub user: Option<User>,
    /// Where the server redirected to, when a `callback_url` was given.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub redirect_url: Option<String>,
}

/// A plain acknowledgement: `{"status": true}`.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct Status {
    /// Whether the server did it.
    #[serde(default)]
    pub status: bool,
}

#[cfg(feature = "schema")]
impl schemars::JsonSchema for Timestamp {
    fn schema_name() -> std::borrow::Cow<'static, str> {
        "Timestamp".into()
    }
    fn inline_schema() -> bool {
        true
    }
    fn json_schema(_: &mut schemars::SchemaGenerator) -> schemars::Schema {
        schemars::json_schema!({ "type": "string", "format": "date-time" })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn timestamps_from_millis_iso_and_stringified_millis() {
        let ms: Timestamp = serde_json::from_str("1763834281123").unwrap();
        let iso: Timestamp = serde_json::from_str(r#""2025-11-22T17:58:01.123Z""#).unwrap();
        let text: Timestamp = serde_json::from_str(r#""1763834281123""#).unwrap();
        assert_eq!(ms, iso);
        assert_eq!(ms, text);
        assert_eq!(
            serde_json::to_string(&ms).unwrap(),
            r#""2025-11-22T17:58:01.123Z""#
        );
        assert!(serde_json::from_str::<Timestamp>(r#""yesterday""#).is_err());
    }

    #[test]
    fn user_accepts_missing_null_and_unknown_fields() {
        let u: User = serde_json::from_str(
            r#"{"id":"u1","email":"a@b.c","image":null,"createdAt":1763834281123,"isAnonymous":false}"#,
        )
        .unwrap();
        assert_eq!(u.image, None);
        assert_eq!(u.name, None);
        assert_eq!(u.extra.get("isAnonymous"), Some(&Value::Bool(false)));
        assert!(
            serde_json::from_str::<User>(r#"{"email":"a@b.c"}"#).is_err(),
            "id is required"
        );
    }

    #[test]
    fn secrets_never_in_debug() {
        let s = format!(
            "{:?} {:?} {:?}",
            SignUpEmail::new("A", "a@b.c", "hunter22hunter22"),
            SignInEmail::new("a@b.c", "hunter22hunter22"),
            ChangePassword::new("hunter22hunter22", "n3wpassw0rd!!")
        );
        assert!(!s.contains("hunter22") && !s.contains("n3wpassw0rd"), "{s}");
    }
}
