//! Better Auth's e-mail/password and session endpoints.

use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::IntoResponse;
use serde_json::{Value, json};

use crate::AppState;
use crate::crypto;
use crate::http::{
    ApiError, ApiResult, check_origin, clearing_session, optional_bool, optional_str, parse_body,
    require_session, required_str, with_session,
};
use crate::mailbox::Mail;
use crate::routes::verification;
use crate::store::{SessionRow, UserRow};

const DAY_MS: i64 = 24 * 3600 * 1000;
const REMEMBERED_SESSION_MS: i64 = 7 * DAY_MS;
const RESET_TOKEN_MS: i64 = 3600 * 1000;
const MIN_PASSWORD: usize = 8;
const MAX_PASSWORD: usize = 128;
/// Verification identifiers of password reset tokens start with this.
pub const RESET_PREFIX: &str = "reset-password:";

fn iso(ms: i64) -> String {
    chrono::DateTime::from_timestamp_millis(ms)
        .unwrap_or_default()
        .to_rfc3339_opts(chrono::SecondsFormat::Millis, true)
}

/// Core models go through the Convex adapter, which writes dates as ISO strings.
pub fn user_json(u: &UserRow) -> Value {
    json!({
        "id": u.id, "email": u.email, "name": u.name, "emailVerified": u.email_verified,
        "image": u.image, "createdAt": iso(u.created_at), "updatedAt": iso(u.updated_at),
    })
}

fn session_json(s: &SessionRow) -> Value {
    json!({
        "id": s.id, "token": s.token, "userId": s.user_id, "expiresAt": iso(s.expires_at),
        "ipAddress": s.ip_address, "userAgent": s.user_agent,
        "createdAt": iso(s.created_at), "updatedAt": iso(s.updated_at),
    })
}

fn client_info(headers: &HeaderMap) -> (Option<String>, Option<String>) {
    let get = |name| {
        headers
            .get(name)
            .and_then(|v: &HeaderValue| v.to_str().ok())
            .map(str::to_owned)
    };
    let ip =
        get("x-forwarded-for").map(|v| v.split(',').next().unwrap_or_default().trim().to_owned());
    (
        Some(ip.unwrap_or_else(|| "127.0.0.1".into())),
        get("user-agent"),
    )
}

fn check_password_length(password: &str) -> ApiResult<()> {
    let n = password.chars().count();
    if n < MIN_PASSWORD {
        return Err(ApiError::coded(
            StatusCode::BAD_REQUEST,
            "PASSWORD_TOO_SHORT",
            "Password too short",
        ));
    }
    if n > MAX_PASSWORD {
        return Err(ApiError::coded(
            StatusCode::BAD_REQUEST,
            "PASSWORD_TOO_LONG",
            "Password too long",
        ));
    }
    Ok(())
}

fn is_valid_email(email: &str) -> bool {
    let Some((local, domain)) = email.split_once('@') else {
        return false;
    };
    !local.is_empty()
        && domain.contains('.')
        && !domain.starts_with('.')
        && !domain.ends_with('.')
        && !email.chars().any(|c| c.is_whitespace() || c.is_control())
}

pub(crate) fn normalized_email(body: &serde_json::Map<String, Value>) -> ApiResult<String> {
    let email = required_str(body, "email")?.trim().to_lowercase();
    if !is_valid_email(&email) {
        return Err(ApiError::validation("[body.email] Invalid email address"));
    }
    Ok(email)
}

async fn hash(password: String) -> ApiResult<String> {
    tokio::task::spawn_blocking(move || crypto::hash_password(&password))
        .await
        .map_err(|_| ApiError::empty(StatusCode::INTERNAL_SERVER_ERROR))
}

async fn verify(password: String, hash: Option<String>) -> ApiResult<bool> {
    let Some(hash) = hash else { return Ok(false) };
    tokio::task::spawn_blocking(move || crypto::verify_password(&password, &hash))
        .await
        .map_err(|_| ApiError::empty(StatusCode::INTERNAL_SERVER_ERROR))
}

fn start_session(
    state: &AppState,
    headers: &HeaderMap,
    user: &UserRow,
    remember: bool,
) -> ApiResult<(SessionRow, String)> {
    let (ip, agent) = client_info(headers);
    let token = crypto::random_token(32);
    let lifetime = if remember {
        REMEMBERED_SESSION_MS
    } else {
        DAY_MS
    };
    let session =
        state
            .store
            .create_session(&user.id, &token, lifetime, ip.as_deref(), agent.as_deref())?;
    let signed = crypto::sign_token(&state.secret, &token);
    Ok((session, signed))
}

/// `POST /sign-up/email`
pub async fn sign_up_email(
    State(state): State<AppState>,
    headers: HeaderMap,
    bytes: Bytes,
) -> ApiResult {
    check_origin(&headers)?;
    let body = parse_body(&headers, &bytes)?;
    let name = required_str(&body, "name")?.to_owned();
    let email = normalized_email(&body)?;
    let password = required_str(&body, "password")?.to_owned();
    let image = optional_str(&body, "image")?.map(str::to_owned);
    let remember = optional_bool(&body, "rememberMe")?.unwrap_or(true);
    if body.contains_key("role") {
        return Err(ApiError::coded(
            StatusCode::BAD_REQUEST,
            "FIELD_NOT_ALLOWED",
            "role is not allowed to be set",
        ));
    }
    check_password_length(&password)?;
    if state.store.user_by_email(&email)?.is_some() {
        return Err(user_exists());
    }
    let password_hash = hash(password).await?;
    let Some(user) = state
        .store
        .create_user(&email, &name, image.as_deref(), &password_hash)?
    else {
        return Err(user_exists());
    };
    let (_, signed) = start_session(&state, &headers, &user, remember)?;
    let token = signed.split('.').next().unwrap_or_default().to_owned();
    Ok(with_session(
        json!({ "token": token, "user": user_json(&user) }),
        &signed,
        remember,
    ))
}

fn user_exists() -> ApiError {
    ApiError::coded(
        StatusCode::UNPROCESSABLE_ENTITY,
        "USER_ALREADY_EXISTS_USE_ANOTHER_EMAIL",
        "User already exists. Use another email.",
    )
}

/// `POST /sign-in/email`
pub async fn sign_in_email(
    State(state): State<AppState>,
    headers: HeaderMap,
    bytes: Bytes,
) -> ApiResult {
    check_origin(&headers)?;
    let body = parse_body(&headers, &bytes)?;
    let email = normalized_email(&body)?;
    let password = required_str(&body, "password")?.to_owned();
    let remember = optional_bool(&body, "rememberMe")?.unwrap_or(true);
    let callback = optional_str(&body, "callbackURL")?.map(str::to_owned);
    let user = state.store.user_by_email(&email)?;
    let stored_hash = match &user {
        Some(u) => state.store.password_hash(&u.id)?,
        None => None,
    };
    // The same answer for an unknown user and a wrong password.
    let Some(user) = user.filter(|_| stored_hash.is_some()) else {
        verify(password, None).await?;
        return Err(invalid_credentials());
    };
    if !verify(password, stored_hash).await? {
        return Err(invalid_credentials());
    }
    let (_, signed) = start_session(&state, &headers, &user, remember)?;
    let token = signed.split('.').next().unwrap_or_default().to_owned();
    let mut answer =
        json!({ "redirect": callback.is_some(), "token": token, "user": user_json(&user) });
    if let Some(url) = &callback {
        answer["url"] = json!(url);
    }
    Ok(with_session(answer, &signed, remember))
}

fn invalid_credentials() -> ApiError {
    ApiError::coded(
        StatusCode::UNAUTHORIZED,
        "INVALID_EMAIL_OR_PASSWORD",
        "Invalid email or password",
    )
}

/// `GET /get-session`: `{session, user}` or `null`.
pub async fn get_session(State(state): State<AppState>, headers: HeaderMap) -> ApiResult {
    let current = crate::http::current_session(&state, &headers)?;
    let body = match current {
        Some((session, user)) => {
            json!({ "session": session_json(&session), "user": user_json(&user) })
        }
        None => Value::Null,
    };
    let mut response = axum::Json(body).into_response();
    let h = response.headers_mut();
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    h.insert(header::PRAGMA, HeaderValue::from_static("no-cache"));
    Ok(response)
}

/// `GET /list-sessions`
pub async fn list_sessions(State(state): State<AppState>, headers: HeaderMap) -> ApiResult {
    let (_, user) = require_session(&state, &headers)?;
    let sessions: Vec<Value> = state
        .store
        .sessions_of(&user.id)?
        .iter()
        .map(session_json)
        .collect();
    Ok(axum::Json(sessions).into_response())
}

/// `POST /revoke-session {token}`: `{status:true}`, also for unknown tokens.
pub async fn revoke_session(
    State(state): State<AppState>,
    headers: HeaderMap,
    bytes: Bytes,
) -> ApiResult {
    check_origin(&headers)?;
    let (_, user) = require_session(&state, &headers)?;
    let body = parse_body(&headers, &bytes)?;
    let token = required_str(&body, "token")?;
    state
        .store
        .delete_session(&user.id, token.split('.').next().unwrap_or_default())?;
    Ok(axum::Json(json!({ "status": true })).into_response())
}

/// `POST /revoke-sessions`
pub async fn revoke_sessions(State(state): State<AppState>, headers: HeaderMap) -> ApiResult {
    check_origin(&headers)?;
    let (_, user) = require_session(&state, &headers)?;
    state.store.delete_sessions(&user.id, None)?;
    Ok(axum::Json(json!({ "status": true })).into_response())
}

/// `POST /revoke-other-sessions`
pub async fn revoke_other_sessions(State(state): State<AppState>, headers: HeaderMap) -> ApiResult {
    check_origin(&headers)?;
    let (session, user) = require_session(&state, &headers)?;
    state
        .store
        .delete_sessions(&user.id, Some(&session.token))?;
    Ok(axum::Json(json!({ "status": true })).into_response())
}

/// `POST /sign-out`: `{success:true}` and clearing cookies, with or without a session.
pub async fn sign_out(State(state): State<AppState>, headers: HeaderMap) -> ApiResult {
    check_origin(&headers)?;
    if let Some((session, user)) = crate::http::current_session(&state, &headers)? {
        state.store.delete_session(&user.id, &session.token)?;
    }
    Ok(clearing_session(json!({ "success": true })))
}

/// `POST /update-user {name?, image?}`
pub async fn update_user(
    State(state): State<AppState>,
    headers: HeaderMap,
    bytes: Bytes,
) -> ApiResult {
    check_origin(&headers)?;
    let (session, user) = require_session(&state, &headers)?;
    let body = parse_body(&headers, &bytes)?;
    if body.contains_key("email") {
        return Err(ApiError::coded(
            StatusCode::BAD_REQUEST,
            "EMAIL_CAN_NOT_BE_UPDATED",
            "Email can not be updated",
        ));
    }
    let name = optional_str(&body, "name")?;
    let image = optional_str(&body, "image")?;
    state.store.update_user(&user.id, name, image)?;
    let signed = crypto::sign_token(&state.secret, &session.token);
    Ok(with_session(json!({ "status": true }), &signed, true))
}

/// `POST /change-password {currentPassword, newPassword, revokeOtherSessions?}`
pub async fn change_password(
    State(state): State<AppState>,
    headers: HeaderMap,
    bytes: Bytes,
) -> ApiResult {
    check_origin(&headers)?;
    let (session, user) = require_session(&state, &headers)?;
    let body = parse_body(&headers, &bytes)?;
    let new_password = required_str(&body, "newPassword")?.to_owned();
    let current = required_str(&body, "currentPassword")?.to_owned();
    let revoke_others = optional_bool(&body, "revokeOtherSessions")?.unwrap_or(false);
    check_password_length(&new_password)?;
    if !verify(current, state.store.password_hash(&user.id)?).await? {
        return Err(ApiError::coded(
            StatusCode::BAD_REQUEST,
            "INVALID_PASSWORD",
            "Invalid password",
        ));
    }
    let new_hash = hash(new_password).await?;
    state.store.set_password_hash(&user.id, &new_hash)?;
    if !revoke_others {
        return Ok(axum::Json(json!({ "token": null, "user": user_json(&user) })).into_response());
    }
    // Every session ends; the caller continues on a fresh one.
    state.store.delete_sessions(&user.id, None)?;
    let _ = session;
    let (_, signed) = start_session(&state, &headers, &user, true)?;
    let token = signed.split('.').next().unwrap_or_default().to_owned();
    Ok(with_session(
        json!({ "token": token, "user": user_json(&user) }),
        &signed,
        true,
    ))
}

/// `POST /request-password-reset {email, redirectTo?}`: the same answer whether or not the
/// address has an account. The token is readable through the dev-only endpoint.
pub async fn request_password_reset(
    State(state): State<AppState>,
    headers: HeaderMap,
    bytes: Bytes,
) -> ApiResult {
    check_origin(&headers)?;
    let body = parse_body(&headers, &bytes)?;
    let email = normalized_email(&body)?;
    let redirect_to = optional_str(&body, "redirectTo")?;
    if let Some(user) = state.store.user_by_email(&email)? {
        let token = crypto::random_token(24);
        state.store.create_verification(
            &format!("{RESET_PREFIX}{token}"),
            &user.id,
            RESET_TOKEN_MS,
        )?;
        // The link Better Auth mails: /reset-password/<token>?callbackURL=<redirectTo>.
        let url = format!(
            "{}/api/auth/reset-password/{token}?callbackURL={}",
            verification::base_url(&headers),
            verification::url_encode(redirect_to.unwrap_or("/"))
        );
        state.mailbox.deliver(Mail {
            to: user.email.clone(),
            kind: "password-reset",
            subject: "Reset your password".into(),
            url,
            token,
            sent_at: crate::store::now_ms(),
        });
    }
    Ok(axum::Json(json!({
        "status": true,
        "message": "If this email exists in our system, check your email for the reset link",
    }))
    .into_response())
}

/// `POST /reset-password {newPassword, token}`
pub async fn reset_password(
    State(state): State<AppState>,
    headers: HeaderMap,
    bytes: Bytes,
) -> ApiResult {
    check_origin(&headers)?;
    let body = parse_body(&headers, &bytes)?;
    let new_password = required_str(&body, "newPassword")?.to_owned();
    let token = optional_str(&body, "token")?
        .ok_or_else(|| ApiError::coded(StatusCode::BAD_REQUEST, "INVALID_TOKEN", "Invalid token"))?
        .to_owned();
    check_password_length(&new_password)?;
    let Some(user_id) = state
        .store
        .take_verification(&format!("{RESET_PREFIX}{token}"))?
    else {
        return Err(ApiError::coded(
            StatusCode::BAD_REQUEST,
            "INVALID_TOKEN",
            "Invalid token",
        ));
    };
    let new_hash = hash(new_password).await?;
    state.store.set_password_hash(&user_id, &new_hash)?;
    Ok(axum::Json(json!({ "status": true })).into_response())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn email_check_refuses_control_characters() {
        assert!(!is_valid_email("ada\u{0}@example.com"));
        assert!(!is_valid_email("ada@exa\u{7}mple.com"));
    }

    #[test]
    fn email_check() {
        assert!(is_valid_email("ada@example.com"));
        for bad in [
            "",
            "ada",
            "ada@",
            "@example.com",
            "ada@example",
            "a da@example.com",
            "ada@.com",
        ] {
            assert!(!is_valid_email(bad), "{bad}");
        }
    }
}
