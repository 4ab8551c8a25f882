//! Better Auth 1.4.21's multi-session routes (on in managed projects): a browser's sessions,
//! one signed `better-auth.session_token_multi-<token>` cookie each, listed, switched and
//! revoked.

use axum::extract::State;
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::IntoResponse;
use serde_json::{Value, json};

use crate::AppState;
use crate::crypto;
use crate::http::{
    ApiError, ApiResult, Input, SESSION_COOKIE, clear_session_cookies, percent_decode,
    require_session, set_cookie, with_session,
};
use crate::routes::auth::{session_json, user_json};
use crate::schema::{Schema, Ty, req, str_field};
use crate::store::{SessionRow, UserRow, now_ms};

fn multi_cookie(token: &str) -> String {
    format!("{SESSION_COOKIE}_multi-{}", token.to_lowercase())
}

/// The (validly signed) tokens of the request's multi-session cookies, in cookie order.
fn cookie_tokens(state: &AppState, headers: &HeaderMap) -> Vec<String> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .filter(|(name, _)| name.contains("_multi-"))
        .filter_map(|(_, value)| {
            let value = percent_decode(value);
            value
                .contains('.')
                .then(|| crypto::unsign_token(&state.secret, &value))
                .flatten()
        })
        .collect()
}

fn live_session(state: &AppState, token: &str) -> ApiResult<Option<(SessionRow, UserRow)>> {
    Ok(state
        .store
        .session_by_token(token)?
        .filter(|(s, _)| s.expires_at > now_ms()))
}

fn pair_json(state: &AppState, session: &SessionRow, user: &UserRow) -> Value {
    json!({ "session": session_json(session), "user": user_json(state, user) })
}

/// `GET /multi-session/list-device-sessions`: one live session per user among the cookies.
pub async fn list(State(state): State<AppState>, headers: HeaderMap) -> ApiResult {
    let mut seen: Vec<String> = Vec::new();
    let mut out = Vec::new();
    for token in cookie_tokens(&state, &headers) {
        if let Some((session, user)) = live_session(&state, &token)? {
            if !seen.contains(&user.id) {
                seen.push(user.id.clone());
                out.push(pair_json(&state, &session, &user));
            }
        }
    }
    Ok(axum::Json(out).into_response())
}

const TOKEN: Schema = Schema::object(&[req("sessionToken", Ty::String)]);

fn invalid_token() -> ApiError {
    ApiError::from_message(StatusCode::UNAUTHORIZED, "Invalid session token")
}

/// Whether the request holds the multi-session cookie of `token`.
fn holds(state: &AppState, headers: &HeaderMap, token: &str) -> bool {
    cookie_tokens(state, headers)
        .iter()
        .any(|t| t.eq_ignore_ascii_case(token))
}

/// `POST /multi-session/set-active {sessionToken}`: makes that session the browser's current one.
pub async fn set_active(State(state): State<AppState>, input: Input) -> ApiResult {
    let body = TOKEN.check(&input.body)?;
    require_session(&state, &input.headers)?;
    let token = str_field(body, "sessionToken").unwrap_or_default();
    if !holds(&state, &input.headers, token) {
        return Err(invalid_token());
    }
    let Some((session, user)) = live_session(&state, token)? else {
        let mut refused = invalid_token().into_response();
        set_cookie(&mut refused, &multi_cookie(token), "", 0);
        return Ok(refused);
    };
    let signed = crypto::sign_token(&state.secret, &session.token);
    let mut response = with_session(&state, pair_json(&state, &session, &user), &signed, true);
    held_multi_cookie_not_reset(&mut response);
    Ok(response)
}

/// The plugin sets a session's multi-session cookie only when the browser does not hold it
/// yet; here it always does.
fn held_multi_cookie_not_reset(response: &mut axum::response::Response) {
    let kept: Vec<_> = response
        .headers()
        .get_all(header::SET_COOKIE)
        .iter()
        .filter(|v| !v.to_str().unwrap_or_default().contains("_multi-"))
        .cloned()
        .collect();
    let headers = response.headers_mut();
    headers.remove(header::SET_COOKIE);
    for value in kept {
        headers.append(header::SET_COOKIE, value);
    }
}

/// `POST /multi-session/revoke {sessionToken}`: ends that session; revoking the current one
/// moves the browser to another of its sessions, or signs it out.
pub async fn revoke(State(state): State<AppState>, input: Input) -> ApiResult {
    let body = TOKEN.check(&input.body)?;
    let (current, _) = require_session(&state, &input.headers)?;
    let token = str_field(body, "sessionToken").unwrap_or_default();
    if !holds(&state, &input.headers, token) {
        return Err(invalid_token());
    }
    if let Some((session, user)) = state.store.session_by_token(token)? {
        state.store.delete_session(&user.id, &session.token)?;
    }
    let answer = json!({ "status": true });
    if current.token != token {
        let mut response = axum::Json(answer).into_response();
        set_cookie(&mut response, &multi_cookie(token), "", 0);
        return Ok(response);
    }
    let next = cookie_tokens(&state, &input.headers)
        .into_iter()
        .filter(|t| t != token)
        .find_map(|t| live_session(&state, &t).ok().flatten());
    let mut response = match next {
        Some((session, _)) => {
            let signed = crypto::sign_token(&state.secret, &session.token);
            let mut response = with_session(&state, answer, &signed, true);
            held_multi_cookie_not_reset(&mut response);
            response
        }
        None => {
            let mut response = axum::Json(answer).into_response();
            clear_session_cookies(&mut response);
            response
        }
    };
    set_cookie(&mut response, &multi_cookie(token), "", 0);
    Ok(response)
}
