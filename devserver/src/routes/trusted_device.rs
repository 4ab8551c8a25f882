//! Two-factor's trusted devices, as 1.4.21 keeps them: a signed `trust_device` cookie holding
//! `<hmac>!<identifier>`, bound to the user by the HMAC and to a verification row. While both
//! hold, a credential sign-in on that browser skips the second factor, and each such sign-in
//! renews the mark for another 30 days.

use axum::http::HeaderMap;
use axum::response::Response;

use crate::AppState;
use crate::crypto;
use crate::http::{ApiResult, DONT_REMEMBER_COOKIE, percent_encode, request_cookie, set_cookie};

pub const COOKIE: &str = "better-auth.trust_device";
/// The plugin's `trustDeviceMaxAge` default.
const MAX_AGE_S: i64 = 30 * 24 * 3600;

/// What a sign-in's trust cookie says about the browser.
pub enum Trust {
    /// No (validly signed) cookie.
    Absent,
    /// Trusted for this user: the old mark is spent, a new one must be set.
    Trusted,
    /// A cookie that does not trust this user (another user's, or its row is gone).
    Refused,
}

/// A new mark for `user_id`: stores its row and sets the cookie on `response`.
pub fn mark(state: &AppState, user_id: &str, response: &mut Response) -> ApiResult<()> {
    let identifier = format!("trust-device-{}", crypto::random_token(32));
    let token = crypto::hmac_base64url(&state.secret, &format!("{user_id}!{identifier}"));
    state
        .store
        .create_verification(&identifier, user_id, MAX_AGE_S * 1000)?;
    let value = crypto::sign_token(&state.secret, &format!("{token}!{identifier}"));
    set_cookie(response, COOKIE, &percent_encode(&value), MAX_AGE_S);
    Ok(())
}

/// After a second factor given with `trustDevice`: the browser is marked and the session is
/// remembered.
pub fn trust(state: &AppState, user_id: &str, response: &mut Response) -> ApiResult<()> {
    mark(state, user_id, response)?;
    set_cookie(response, DONT_REMEMBER_COOKIE, "", 0);
    Ok(())
}

/// The request's mark, signed: `(hmac, identifier)`.
fn presented(state: &AppState, headers: &HeaderMap) -> Option<(String, String)> {
    let value = request_cookie(headers, COOKIE).filter(|v| v.contains('.'))?;
    let value = crypto::unsign_token(&state.secret, &value)?;
    let (token, identifier) = value.split_once('!')?;
    let identifier = identifier.split('!').next().unwrap_or_default();
    (!token.is_empty() && !identifier.is_empty()).then(|| (token.to_owned(), identifier.to_owned()))
}

/// At a credential sign-in of a user with two-factor on. A trusted mark is spent here; the
/// caller sets the new one with [`mark`].
pub fn check(state: &AppState, headers: &HeaderMap, user_id: &str) -> ApiResult<Trust> {
    let Some((token, identifier)) = presented(state, headers) else {
        return Ok(Trust::Absent);
    };
    let expected = crypto::hmac_base64url(&state.secret, &format!("{user_id}!{identifier}"));
    if token == expected && state.store.verification_value(&identifier)?.as_deref() == Some(user_id)
    {
        state.store.delete_verifications(&identifier)?;
        return Ok(Trust::Trusted);
    }
    Ok(Trust::Refused)
}

/// Two-factor turned off: this browser's mark (only this one) is forgotten.
pub fn forget(state: &AppState, headers: &HeaderMap, response: &mut Response) -> ApiResult<()> {
    if let Some((_, identifier)) = presented(state, headers) {
        state.store.delete_verifications(&identifier)?;
        set_cookie(response, COOKIE, "", 0);
    }
    Ok(())
}
