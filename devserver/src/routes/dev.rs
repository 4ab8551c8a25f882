//! Development-only endpoints (under `/__dev/`), for tests and examples. They need an API key
//! holding `*` (the seeded admin key).

use axum::body::Bytes;
use axum::extract::{Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::IntoResponse;
use serde::Deserialize;
use serde_json::{Value, json};

use crate::AppState;
use crate::access::{Caller, caller};
use crate::http::{ApiError, ApiResult, optional_str, parse_body};

pub(crate) fn require_admin(state: &AppState, headers: &HeaderMap) -> ApiResult<()> {
    match caller(state, headers)? {
        Some(Caller::Key(k)) if k.user_id.is_none() && k.allows("*") => Ok(()),
        Some(_) => Err(ApiError::from_message(
            StatusCode::FORBIDDEN,
            "Missing permission: *",
        )),
        None => Err(ApiError::coded(
            StatusCode::UNAUTHORIZED,
            "AUTHENTICATION_REQUIRED",
            "Authentication required",
        )),
    }
}

/// `GET /__dev/health`
pub async fn health() -> impl IntoResponse {
    axum::Json(json!({ "ok": true }))
}

#[derive(Deserialize)]
pub struct ResetQuery {
    email: String,
}

/// `GET /__dev/password-reset-token?email=`: the token of the newest password reset mail to
/// that address (a view of the dev mailbox).
pub async fn password_reset_token(
    State(state): State<AppState>,
    headers: HeaderMap,
    Query(q): Query<ResetQuery>,
) -> ApiResult {
    require_admin(&state, &headers)?;
    let email = q.email.trim().to_lowercase();
    let mail = state
        .mailbox
        .to(Some(&email))
        .into_iter()
        .rev()
        .find(|m| m.kind == "password-reset")
        .ok_or_else(|| {
            ApiError::coded(
                StatusCode::NOT_FOUND,
                "NO_RESET_TOKEN",
                "No password reset mail to this address",
            )
        })?;
    Ok(axum::Json(json!({ "token": mail.token })).into_response())
}

#[derive(Deserialize)]
pub struct MailboxQuery {
    to: Option<String>,
}

/// `GET /__dev/mailbox?to=`: the mails the server would have sent (to that address), oldest
/// first, each with its link and token.
pub async fn mailbox(
    State(state): State<AppState>,
    headers: HeaderMap,
    Query(q): Query<MailboxQuery>,
) -> ApiResult {
    require_admin(&state, &headers)?;
    let mails = state.mailbox.to(q.to.as_deref());
    Ok(axum::Json(json!({ "mails": mails })).into_response())
}

/// `POST /__dev/api-keys {name?, permissions: [..]}`: a new project API key (shown once).
pub async fn create_api_key(
    State(state): State<AppState>,
    headers: HeaderMap,
    bytes: Bytes,
) -> ApiResult {
    require_admin(&state, &headers)?;
    let body = parse_body(&headers, &bytes)?;
    let name = optional_str(&body, "name")?.unwrap_or("dev key").to_owned();
    let permissions = string_list(&body, "permissions")?;
    let (key, row) = state.new_api_key(&name, &permissions)?;
    Ok(axum::Json(json!({ "id": row.id, "key": key, "permissions": permissions })).into_response())
}

/// `POST /__dev/members {email, role, permissions?}`: makes the user a member of the project.
/// `admin` and `super_admin` hold every permission; another role holds `permissions`
/// (e.g. `["dashboard.read"]`), standing in for the project's role definitions.
pub async fn set_member(
    State(state): State<AppState>,
    headers: HeaderMap,
    bytes: Bytes,
) -> ApiResult {
    require_admin(&state, &headers)?;
    let body = parse_body(&headers, &bytes)?;
    let email = optional_str(&body, "email")?
        .ok_or_else(|| {
            ApiError::validation("[body.email] Invalid input: expected string, received undefined")
        })?
        .trim()
        .to_lowercase();
    let role = optional_str(&body, "role")?.unwrap_or("member").to_owned();
    let permissions = string_list(&body, "permissions")?;
    let user = state.store.user_by_email(&email)?.ok_or_else(|| {
        ApiError::coded(StatusCode::NOT_FOUND, "USER_NOT_FOUND", "User not found")
    })?;
    state.store.set_member(&user.id, &role, &permissions)?;
    Ok(
        axum::Json(json!({ "userId": user.id, "role": role, "permissions": permissions }))
            .into_response(),
    )
}

fn string_list(body: &serde_json::Map<String, Value>, field: &str) -> ApiResult<Vec<String>> {
    match body.get(field) {
        None => Ok(Vec::new()),
        Some(Value::Array(items)) => items
            .iter()
            .map(|p| p.as_str().map(str::to_owned))
            .collect::<Option<_>>()
            .ok_or_else(|| {
                ApiError::validation(format!(
                    "[body.{field}] Invalid input: expected array of strings"
                ))
            }),
        Some(_) => Err(ApiError::validation(format!(
            "[body.{field}] Invalid input: expected array"
        ))),
    }
}
