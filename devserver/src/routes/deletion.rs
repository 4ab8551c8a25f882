//! Deleting the signed-in user, as 1.4.21 does: at once (with the password, or within a fresh
//! session), or, where deletions are confirmed by mail (`sendDeleteAccountVerification`), by a
//! mailed link to `GET /delete-user/callback?token=&callbackURL=`, which the signed-in user
//! follows (or whose token they pass to `POST /delete-user`).

use axum::extract::State;
use axum::http::StatusCode;
use axum::response::IntoResponse;
use serde_json::json;

use crate::AppState;
use crate::crypto;
use crate::http::{ApiError, ApiResult, Input, clear_session_cookies, require_session};
use crate::mailbox::Mail;
use crate::routes::auth::verify_password;
use crate::routes::verification::base_url;
use crate::schema::{Schema, Ty, opt, str_field};
use crate::store::{UserRow, now_ms};

/// Better Auth's `deleteTokenExpiresIn` default: a day.
const DELETE_TOKEN_MS: i64 = 24 * 3600 * 1000;

const DELETE_USER: Schema = Schema::object(&[
    opt("callbackURL", Ty::String),
    opt("password", Ty::String),
    opt("token", Ty::String),
]);

fn identifier(token: &str) -> String {
    format!("delete-account-{token}")
}

fn not_found(message: &str) -> ApiError {
    ApiError::from_message(StatusCode::NOT_FOUND, message)
}

/// `POST /delete-user {password?, token?, callbackURL?}`: checks the password when given; with
/// a mailed link's `token`, deletes as the link does; where deletions are confirmed by mail,
/// mails the link; else deletes the user and ends their sessions.
pub async fn delete_user(State(state): State<AppState>, input: Input) -> ApiResult {
    let body = DELETE_USER.check(&input.body)?;
    let (_, user) = require_session(&state, &input.headers)?;
    if let Some(password) = str_field(body, "password") {
        let Some(stored) = state.store.password_hash(&user.id)? else {
            return Err(ApiError::from_message(
                StatusCode::BAD_REQUEST,
                "Credential account not found",
            ));
        };
        if !verify_password(password.to_owned(), Some(stored)).await? {
            return Err(ApiError::coded(
                StatusCode::BAD_REQUEST,
                "INVALID_PASSWORD",
                "Invalid password",
            ));
        }
    }
    if let Some(token) = str_field(body, "token") {
        // 1.4.21 runs the callback as an inner call: its cookies do not reach this answer.
        delete_by_token(&state, &user, token, None)?;
        return Ok(
            axum::Json(json!({ "success": true, "message": "User deleted" })).into_response(),
        );
    }
    if state.confirm_deletion_by_mail {
        let token = crypto::random_token(32).to_lowercase();
        state
            .store
            .create_verification(&identifier(&token), &user.id, DELETE_TOKEN_MS)?;
        let callback = str_field(body, "callbackURL").unwrap_or("/");
        let mut url = url::Url::parse(&format!(
            "{}/api/auth/delete-user/callback",
            base_url(&input.headers)
        ))
        .expect("the base URL is a URL");
        url.query_pairs_mut()
            .append_pair("token", &token)
            .append_pair("callbackURL", callback);
        state.mailbox.deliver(Mail {
            to: user.email.clone(),
            kind: "delete-account",
            subject: "Confirm deleting your account".into(),
            url: url.to_string(),
            token,
            sent_at: now_ms(),
        });
        return Ok(
            axum::Json(json!({ "success": true, "message": "Verification email sent" }))
                .into_response(),
        );
    }
    state.store.delete_user(&user.id)?;
    Ok(crate::http::clearing_session(
        json!({ "success": true, "message": "User deleted" }),
    ))
}

/// `GET /delete-user/callback?token=&callbackURL=`, the mailed link. On the platform it never
/// works: the cross-domain plugin's hook sets the body's `callbackURL` on every `/delete-user*`
/// request, and a GET has no body (500 before the endpoint runs). The SDK's `delete_user` with
/// the link's token (a POST) deletes instead.
pub async fn delete_user_callback() -> ApiResult {
    Err(ApiError::empty(StatusCode::INTERNAL_SERVER_ERROR).before_endpoint())
}

fn delete_by_token(
    state: &AppState,
    user: &UserRow,
    token: &str,
    callback_url: Option<&str>,
) -> ApiResult {
    let filed = state.store.find_verification(&identifier(token))?;
    if !filed.is_some_and(|f| !f.expired && f.value == user.id) {
        return Err(not_found("Invalid token"));
    }
    state.store.delete_user(&user.id)?;
    state.store.delete_verifications(&identifier(token))?;
    let mut response = match callback_url {
        Some(location) => crate::http::found(location),
        None => axum::Json(json!({ "success": true, "message": "User deleted" })).into_response(),
    };
    clear_session_cookies(&mut response);
    Ok(response)
}
