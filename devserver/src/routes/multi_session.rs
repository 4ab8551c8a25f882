//! Better Auth 1.4.21's multi-session routes (on in managed projects): a browser's sessions,
//! one signed `better-auth.session_token_multi-<token>` cookie each, listed, switched and
//! revoked.

use axum::extract::{Request, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use cookie::Cookie;
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

/// The request's multi-session cookies: each name with its token when validly signed, in
/// cookie order (the first of a repeated name, as better-call reads them).
fn held_cookies(state: &AppState, headers: &HeaderMap) -> Vec<(String, Option<String>)> {
    let mut held: Vec<(String, Option<String>)> = Vec::new();
    for (name, value) in headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .filter(|(name, _)| name.contains("_multi-"))
    {
        if held.iter().any(|(n, _)| n == name) {
            continue;
        }
        let value = percent_decode(value);
        let token = value
            .contains('.')
            .then(|| crypto::unsign_token(&state.secret, &value))
            .flatten();
        held.push((name.to_owned(), token));
    }
    held
}

/// The (validly signed) tokens of the request's multi-session cookies, in cookie order.
fn cookie_tokens(state: &AppState, headers: &HeaderMap) -> Vec<String> {
    held_cookies(state, headers)
        .into_iter()
        .filter_map(|(_, token)| token)
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
        if let Some((session, user)) = live_session(&state, &token)?
            && !seen.contains(&user.id)
        {
            seen.push(user.id.clone());
            out.push(pair_json(&state, &session, &user));
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
    Ok(with_session(
        &state,
        pair_json(&state, &session, &user),
        &signed,
        true,
    ))
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
            with_session(&state, answer, &signed, true)
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

/// The user of a session an answer started and already ended (a sign-in that waits for its
/// second factor): the hooks still see it, as Better Auth's `newSession`.
#[derive(Clone)]
pub struct NewSessionUser(pub String);

/// How many sessions a browser keeps (the plugin's `maximumSessions` default).
const MAXIMUM_SESSIONS: usize = 5;

/// The plugin's after hooks, around every auth route. An answer that starts a session adds it
/// to the browser's sessions: unless the browser holds it already, the same user's older
/// sessions there end, and it is not added beyond five. Sign-out ends every session the
/// browser holds.
pub async fn hooks(State(state): State<AppState>, request: Request, next: Next) -> Response {
    let held = held_cookies(&state, request.headers());
    let signing_out = request.uri().path().ends_with("/sign-out");
    let mut response = next.run(request).await;
    if signing_out && response.status().is_success() {
        for (name, token) in &held {
            if let Some(token) = token {
                delete_session(&state, token);
                set_cookie(&mut response, name, "", 0);
            }
        }
    }
    let prefix = format!("{SESSION_COOKIE}_multi-");
    let Some(new) = take_set_cookie(&mut response, |c| {
        c.name().starts_with(&prefix)
            && !c.value().is_empty()
            && c.max_age().is_none_or(|age| !age.is_zero())
    }) else {
        return response;
    };
    if held.iter().any(|(name, _)| name == new.name()) {
        return response;
    }
    let new_user = match response.extensions().get::<NewSessionUser>() {
        Some(NewSessionUser(id)) => Some(id.clone()),
        None => crypto::unsign_token(&state.secret, &percent_decode(new.value()))
            .and_then(|token| state.store.session_by_token(&token).ok().flatten())
            .map(|(_, user)| user.id),
    };
    let mut ended = 0;
    for (name, token) in &held {
        let Some(token) = token else { continue };
        let owner = state.store.session_by_token(token).ok().flatten();
        if owner.is_some_and(|(_, user)| Some(&user.id) == new_user.as_ref()) {
            delete_session(&state, token);
            set_cookie(&mut response, name, "", 0);
            ended += 1;
        }
    }
    if held.len() - ended < MAXIMUM_SESSIONS {
        response.headers_mut().append(
            header::SET_COOKIE,
            HeaderValue::from_str(&new.to_string()).expect("cookies are ascii"),
        );
    }
    response
}

fn delete_session(state: &AppState, token: &str) {
    if let Ok(Some((session, user))) = state.store.session_by_token(token) {
        // A failed delete leaves a session the browser no longer names; nothing to answer.
        let _ = state.store.delete_session(&user.id, &session.token);
    }
}

/// Removes the first `Set-Cookie` of `response` that `matches` and returns it.
fn take_set_cookie(
    response: &mut Response,
    matches: impl Fn(&Cookie<'_>) -> bool,
) -> Option<Cookie<'static>> {
    let headers = response.headers_mut();
    let lines: Vec<HeaderValue> = headers
        .get_all(header::SET_COOKIE)
        .iter()
        .cloned()
        .collect();
    let position = lines.iter().position(|line| {
        line.to_str()
            .ok()
            .and_then(|l| Cookie::parse(l.to_owned()).ok())
            .is_some_and(|c| matches(&c))
    })?;
    let taken = Cookie::parse(lines[position].to_str().ok()?.to_owned()).ok()?;
    headers.remove(header::SET_COOKIE);
    for (i, line) in lines.into_iter().enumerate() {
        if i != position {
            headers.append(header::SET_COOKIE, line);
        }
    }
    Some(taken)
}
