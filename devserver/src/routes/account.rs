//! The username plugin (sign-in by username, availability, the sign-up and update-user
//! checks), `/verify-password`, and the one-time-token plugin, as Better Auth 1.4.21 has them.

use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::IntoResponse;
use serde_json::{Map, Value, json};

use crate::AppState;
use crate::crypto;
use crate::http::{ApiError, ApiResult, Input, require_session, with_session};
use crate::routes::auth::{complete_sign_in, iso, session_json, user_json, verify_password};
use crate::schema::{Schema, Ty, bool_field, opt, req, str_field};
use crate::store::UserRow;

/// The plugin's defaults.
const USERNAME_LENGTH: std::ops::RangeInclusive<usize> = 3..=30;
/// One-time tokens live three minutes.
const ONE_TIME_TOKEN_MS: i64 = 3 * 60 * 1000;
const ONE_TIME_PREFIX: &str = "one-time-token:";

fn username_chars_ok(username: &str) -> bool {
    !username.is_empty()
        && username
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '.')
}

/// The plugin's length and character rules, with the status its caller answers them with.
fn check_username(username: &str, status: StatusCode) -> ApiResult<()> {
    let length = username.chars().count();
    if length < *USERNAME_LENGTH.start() {
        return Err(ApiError::coded(
            status,
            "USERNAME_TOO_SHORT",
            "Username is too short",
        ));
    }
    if length > *USERNAME_LENGTH.end() {
        return Err(ApiError::from_message(status, "Username is too long"));
    }
    if !username_chars_ok(username) {
        return Err(ApiError::from_message(status, "Username is invalid"));
    }
    Ok(())
}

/// The plugin's hook before `/sign-up/email` and `/update-user` (ahead of the endpoints' own
/// validation): a username given must be valid and free (the user's own on update). Returns
/// the username to store (lower case) and its display form, each defaulting to the other.
pub fn username_hook(
    state: &AppState,
    body: Option<&Map<String, Value>>,
    current_user: Option<&str>,
) -> ApiResult<Option<(String, String)>> {
    let Some(body) = body else { return Ok(None) };
    let username = str_field(body, "username");
    if let Some(username) = username {
        check_username(username, StatusCode::BAD_REQUEST)?;
        if let Some(holder) = state.store.user_by_username(username)?
            && current_user.is_none_or(|me| me != holder.id)
        {
            return Err(ApiError::from_message(
                StatusCode::BAD_REQUEST,
                "Username is already taken. Please try another.",
            ));
        }
    }
    let display = str_field(body, "displayUsername");
    Ok(
        match (
            username.filter(|u| !u.is_empty()),
            display.filter(|d| !d.is_empty()),
        ) {
            (Some(u), Some(d)) => Some((u.to_lowercase(), d.to_owned())),
            (Some(u), None) => Some((u.to_lowercase(), u.to_owned())),
            (None, Some(d)) => Some((d.to_lowercase(), d.to_owned())),
            (None, None) => None,
        },
    )
}

const SIGN_IN_USERNAME: Schema = Schema::object(&[
    req("username", Ty::String),
    req("password", Ty::String),
    opt("rememberMe", Ty::Boolean),
    opt("callbackURL", Ty::String),
]);

fn invalid_credentials() -> ApiError {
    ApiError::from_message(StatusCode::UNAUTHORIZED, "Invalid username or password")
}

/// `POST /sign-in/username {username, password, rememberMe?, callbackURL?}`: `{token, user}`.
pub async fn sign_in_username(State(state): State<AppState>, input: Input) -> ApiResult {
    let body = SIGN_IN_USERNAME.check(&input.body)?;
    let username = str_field(body, "username").unwrap_or_default();
    let password = str_field(body, "password").unwrap_or_default().to_owned();
    if username.is_empty() || password.is_empty() {
        return Err(invalid_credentials());
    }
    check_username(username, StatusCode::UNPROCESSABLE_ENTITY)?;
    let remember = bool_field(body, "rememberMe").unwrap_or(true);
    let Some(user) = state.store.user_by_username(&username.to_lowercase())? else {
        verify_password(password, None).await?;
        return Err(invalid_credentials());
    };
    let stored = state.store.password_hash(&user.id)?;
    if stored.is_none() || !verify_password(password, stored).await? {
        return Err(invalid_credentials());
    }
    complete_sign_in(&state, &input.headers, &user, remember, json!({}))
}

const IS_USERNAME_AVAILABLE: Schema = Schema::object(&[req("username", Ty::String)]);

/// `POST /is-username-available {username}`: `{available}`.
pub async fn is_username_available(State(state): State<AppState>, input: Input) -> ApiResult {
    let body = IS_USERNAME_AVAILABLE.check(&input.body)?;
    let username = str_field(body, "username").unwrap_or_default();
    if username.is_empty() {
        return Err(ApiError::from_message(
            StatusCode::UNPROCESSABLE_ENTITY,
            "Username is invalid",
        ));
    }
    check_username(username, StatusCode::UNPROCESSABLE_ENTITY)?;
    let taken = state
        .store
        .user_by_username(&username.to_lowercase())?
        .is_some();
    Ok(axum::Json(json!({ "available": !taken })).into_response())
}

const VERIFY_PASSWORD: Schema = Schema::object(&[req("password", Ty::String)]);

/// `POST /verify-password {password}`: `{status: true}` for the signed-in user's password.
pub async fn verify_password_route(State(state): State<AppState>, input: Input) -> ApiResult {
    let body = VERIFY_PASSWORD.check(&input.body)?;
    let (_, user) = require_session(&state, &input.headers)?;
    let password = str_field(body, "password").unwrap_or_default().to_owned();
    if !verify_password(password, state.store.password_hash(&user.id)?).await? {
        return Err(ApiError::coded(
            StatusCode::BAD_REQUEST,
            "INVALID_PASSWORD",
            "Invalid password",
        ));
    }
    Ok(axum::Json(json!({ "status": true })).into_response())
}

/// `GET /one-time-token/generate`: `{token}` for the current session.
pub async fn generate_one_time_token(
    State(state): State<AppState>,
    headers: HeaderMap,
) -> ApiResult {
    let (session, _) = require_session(&state, &headers)?;
    let token = issue_one_time_token(&state, &session.token)?;
    Ok(axum::Json(json!({ "token": token })).into_response())
}

/// A one-time token for a session (three minutes, once), as the one-time-token plugin and the
/// cross-domain plugin's callback hook store it.
pub(crate) fn issue_one_time_token(state: &AppState, session_token: &str) -> ApiResult<String> {
    let token = crypto::random_token(32);
    state.store.create_verification(
        &format!("{ONE_TIME_PREFIX}{token}"),
        session_token,
        ONE_TIME_TOKEN_MS,
    )?;
    Ok(token)
}

const VERIFY_ONE_TIME_TOKEN: Schema = Schema::object(&[req("token", Ty::String)]);

/// `POST /one-time-token/verify {token}`: the session it was made for, now also this caller's.
pub async fn verify_one_time_token(State(state): State<AppState>, input: Input) -> ApiResult {
    let body = VERIFY_ONE_TIME_TOKEN.check(&input.body)?;
    let token = str_field(body, "token").unwrap_or_default();
    let bad = |message: &str| ApiError::from_message(StatusCode::BAD_REQUEST, message);
    let Some(session_token) = state
        .store
        .take_verification(&format!("{ONE_TIME_PREFIX}{token}"))?
    else {
        return Err(bad("Invalid token"));
    };
    let Some((session, user)) = state.store.session_by_token(&session_token)? else {
        return Err(bad("Session not found"));
    };
    let signed = crypto::sign_token(&state.secret, &session.token);
    Ok(with_session(
        &state,
        json!({ "session": session_json(&session), "user": user_json(&state, &user) }),
        &signed,
        true,
    ))
}

/// Username and display username for the user JSON.
pub fn username_fields(user: &UserRow, out: &mut Value) {
    if let Some(u) = &user.username {
        out["username"] = json!(u);
    }
    if let Some(d) = &user.display_username {
        out["displayUsername"] = json!(d);
    }
}

/// `GET /list-accounts`: the signed-in user's accounts: e-mail/password and providers.
pub async fn list_accounts(State(state): State<AppState>, headers: HeaderMap) -> ApiResult {
    let (_, user) = require_session(&state, &headers)?;
    let accounts: Vec<Value> = state
        .store
        .account_rows(&user.id)?
        .into_iter()
        .map(|a| {
            let scopes: Vec<&str> = a
                .tokens
                .scope
                .as_deref()
                .map(|s| s.split(',').filter(|s| !s.is_empty()).collect())
                .unwrap_or_default();
            json!({
                "id": a.id, "providerId": a.provider_id, "createdAt": iso(a.created_at),
                "updatedAt": iso(a.updated_at),
                "accountId": a.account_id.as_deref().unwrap_or(&user.id), "userId": user.id,
                "scopes": scopes,
            })
        })
        .collect();
    Ok(axum::Json(accounts).into_response())
}

const CHANGE_EMAIL: Schema =
    Schema::object(&[req("newEmail", Ty::Email), opt("callbackURL", Ty::String)]);

/// `POST /change-email {newEmail, callbackURL?}`: mails the new address a link that moves the
/// account there.
pub async fn change_email(State(state): State<AppState>, input: Input) -> ApiResult {
    let body = CHANGE_EMAIL.check(&input.body)?;
    let (_, user) = require_session(&state, &input.headers)?;
    let new_email = str_field(body, "newEmail")
        .unwrap_or_default()
        .to_lowercase();
    if new_email == user.email {
        return Err(ApiError::from_message(
            StatusCode::BAD_REQUEST,
            "Email is the same",
        ));
    }
    if state.store.user_by_email(&new_email)?.is_some() {
        return Err(ApiError::coded(
            StatusCode::UNPROCESSABLE_ENTITY,
            "USER_ALREADY_EXISTS_USE_ANOTHER_EMAIL",
            "User already exists. Use another email.",
        ));
    }
    crate::routes::verification::send_token(
        &state,
        &crate::routes::verification::base_url(&input.headers),
        &user.email,
        Some(&new_email),
        str_field(body, "callbackURL"),
    );
    Ok(axum::Json(json!({ "status": true })).into_response())
}
