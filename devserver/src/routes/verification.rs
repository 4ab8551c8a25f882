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
    let now = now_ms() / 1000;
    let token = crypto::jwt_hs256(
        &state.secret,
        &json!({ "email": email.to_lowercase(), "iat": now, "exp": now + TOKEN_SECONDS }),
    );
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
            if let Some(user) = state.store.user_by_email(&email)? {
                if !user.email_verified {
                    send(&state, &base_url(headers), &user.email, callback_url);
                }
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
    Query(query): Query<VerifyQuery>,
) -> ApiResult {
    let Some(token) = query.token.as_deref() else {
        return Err(ApiError::validation(
            "[query.token] Invalid input: expected string, received undefined",
        ));
    };
    let callback = query.callback_url.as_deref();
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
    if !user.email_verified {
        state.store.set_email_verified(&user.id)?;
    }
    Ok(match callback {
        Some(url) => redirect(url),
        None => axum::Json(json!({ "status": true, "user": null })).into_response(),
    })
}
