//! E-mail verification as Better Auth 1.4 does it: an HS256 JWT `{email, iat, exp}` (one hour)
//! in a link to `GET /verify-email?token=&callbackURL=`, mailed to the dev mailbox.

use axum::extract::{Query, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::Deserialize;
use serde_json::json;

use crate::AppState;
use crate::crypto::{self, JwtError};
use crate::http::{ApiError, ApiResult, Input, current_session};
use crate::mailbox::Mail;
use crate::schema::{Schema, Ty, opt, req, str_field};
use crate::store::now_ms;

/// Better Auth's `emailVerification.expiresIn` default.
const TOKEN_SECONDS: i64 = 3600;

/// Mails `email` a verification link (the same answer whether or not it has an account).
pub fn send(state: &AppState, base_url: &str, email: &str, callback_url: Option<&str>) {
    send_token(state, base_url, email, None, callback_url);
}

/// Mails a verification link: for `email`, or, with `change_to`, to the new address, for
/// moving `email` there (Better Auth's `change-email-verification`).
pub fn send_token(
    state: &AppState,
    base_url: &str,
    email: &str,
    change_to: Option<&str>,
    callback_url: Option<&str>,
) {
    let now = now_ms() / 1000;
    let mut claims =
        json!({ "email": email.to_lowercase(), "iat": now, "exp": now + TOKEN_SECONDS });
    if let Some(new_email) = change_to {
        claims["updateTo"] = json!(new_email);
        claims["requestType"] = json!("change-email-verification");
    }
    let token = crypto::jwt_hs256(&state.secret, &claims);
    let email = change_to.unwrap_or(email);
    let callback = callback_url.unwrap_or("/");
    let url = format!(
        "{base_url}/api/auth/verify-email?token={token}&callbackURL={}",
        url_encode(callback)
    );
    state.mailbox.deliver(Mail {
        to: email.to_owned(),
        kind: "verification",
        subject: "Verify your email address".into(),
        url,
        token,
        sent_at: now_ms(),
    });
}

pub(crate) fn url_encode(s: &str) -> String {
    s.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                (b as char).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect()
}

pub(crate) fn base_url(headers: &HeaderMap) -> String {
    let host = headers
        .get(header::HOST)
        .and_then(|h| h.to_str().ok())
        .unwrap_or("127.0.0.1");
    format!("http://{host}")
}

const SEND_VERIFICATION_EMAIL: Schema =
    Schema::object(&[req("email", Ty::Email), opt("callbackURL", Ty::String)]);

/// `POST /send-verification-email {email, callbackURL?}`
pub async fn send_verification_email(State(state): State<AppState>, input: Input) -> ApiResult {
    let body = SEND_VERIFICATION_EMAIL.check(&input.body)?;
    let headers = &input.headers;
    let email = str_field(body, "email").unwrap_or_default().to_lowercase();
    let callback_url = str_field(body, "callbackURL");
    match current_session(&state, headers)? {
        Some((_, user)) => {
            // With a session, Better Auth compares the given address with the session's as given.
            let given = body
                .get("email")
                .and_then(|e| e.as_str())
                .unwrap_or_default();
            if user.email != given {
                return Err(ApiError::coded(
                    StatusCode::BAD_REQUEST,
                    "EMAIL_MISMATCH",
                    "Email mismatch",
                ));
            }
            if user.email_verified {
                return Err(ApiError::coded(
                    StatusCode::BAD_REQUEST,
                    "EMAIL_IS_ALREADY_VERIFIED",
                    "Email is already verified",
                ));
            }
            send(&state, &base_url(headers), &user.email, callback_url);
        }
        None => {
            if let Some(user) = state.store.user_by_email(&email)?
                && !user.email_verified
            {
                send(&state, &base_url(headers), &user.email, callback_url);
            }
        }
    }
    Ok(axum::Json(json!({ "status": true })).into_response())
}

#[derive(Deserialize)]
pub struct VerifyQuery {
    token: Option<String>,
    #[serde(rename = "callbackURL")]
    callback_url: Option<String>,
}

/// An error: `callbackURL?error=<e>` when there is one, else 401 `{code, message: e}`.
fn refused(callback_url: Option<&str>, error: &str) -> Response {
    match callback_url {
        Some(url) => {
            let sep = if url.contains('?') { '&' } else { '?' };
            redirect(&format!("{url}{sep}error={error}"))
        }
        None => {
            ApiError::coded(StatusCode::UNAUTHORIZED, &error.to_uppercase(), error).into_response()
        }
    }
}

fn redirect(location: &str) -> Response {
    (
        StatusCode::FOUND,
        [
            (header::LOCATION, location.to_owned()),
            (header::CONTENT_TYPE, "application/json".to_owned()),
        ],
    )
        .into_response()
}

/// `GET /verify-email?token=&callbackURL=`
pub async fn verify_email(
    State(state): State<AppState>,
    headers: axum::http::HeaderMap,
    Query(query): Query<VerifyQuery>,
) -> ApiResult {
    let Some(token) = query.token.as_deref() else {
        return Err(ApiError::validation(
            "[query.token] Invalid input: expected string, received undefined",
        ));
    };
    // The cross-domain plugin makes a relative callback absolute first.
    let callback = query
        .callback_url
        .as_deref()
        .map(|c| super::cross_domain::absolute(c, &base_url(&headers)));
    let callback = callback.as_deref();
    state.origins.check_url(callback, "callbackURL")?;
    let claims = match crypto::verify_jwt_hs256(&state.secret, token, now_ms() / 1000) {
        Ok(claims) => claims,
        Err(JwtError::Expired) => return Ok(refused(callback, "token_expired")),
        Err(JwtError::Invalid) => return Ok(refused(callback, "invalid_token")),
    };
    let email = claims
        .get("email")
        .and_then(|e| e.as_str())
        .unwrap_or_default();
    let Some(user) = state.store.user_by_email(email)? else {
        return Ok(refused(callback, "user_not_found"));
    };
    if let Some(new_email) = claims.get("updateTo").and_then(|v| v.as_str()) {
        return change_email(&state, &headers, user, new_email, callback);
    }
    if !user.email_verified {
        state.store.set_email_verified(&user.id)?;
    }
    Ok(match callback {
        Some(url) => redirect(url),
        None => axum::Json(json!({ "status": true, "user": null })).into_response(),
    })
}

/// The link of a change of address: the user moves to the new (now verified) address and is
/// signed in, in the session that asked or a new one.
fn change_email(
    state: &AppState,
    headers: &axum::http::HeaderMap,
    user: crate::store::UserRow,
    new_email: &str,
    callback: Option<&str>,
) -> ApiResult {
    let session = current_session(state, headers)?;
    if session.as_ref().is_some_and(|(_, u)| u.email != user.email) {
        return Ok(refused(callback, "unauthorized"));
    }
    let session = match session {
        Some((session, _)) => session,
        None => crate::routes::auth::start_session(state, headers, &user, true)?.0,
    };
    state.store.set_email(&user.id, new_email)?;
    let user = state.store.user_by_id(&user.id)?.unwrap_or(user);
    let signed = crypto::sign_token(&state.secret, &session.token);
    let body = json!({ "status": true, "user": crate::routes::auth::user_json(state, &user) });
    let mut response = crate::http::with_session(state, body, &signed, true);
    if let Some(url) = callback {
        // A redirect carries the cookies but no body.
        *response.body_mut() = axum::body::Body::empty();
        response.headers_mut().remove(header::CONTENT_TYPE);
        *response.status_mut() = StatusCode::FOUND;
        response.headers_mut().insert(
            header::LOCATION,
            axum::http::HeaderValue::from_str(url)
                .map_err(|_| ApiError::empty(StatusCode::BAD_REQUEST))?,
        );
    }
    Ok(response)
}
