//! Better Auth 1.4.21's email-OTP plugin, served with `--email-otp` (managed projects have it
//! off): six-digit codes (five minutes, three tries) mailed to the dev mailbox, to sign in
//! (creating the account), verify the address, or reset the password.

use axum::extract::State;
use axum::http::StatusCode;
use axum::response::IntoResponse;
use serde_json::json;

use crate::AppState;
use crate::crypto;
use crate::http::{ApiError, ApiResult, Input, with_session};
use crate::mailbox::Mail;
use crate::routes::auth::{check_password_length, start_session, user_json};
use crate::schema::{self, Schema, Ty, req, str_field};
use crate::store::now_ms;

const TYPES: &[&str] = &["email-verification", "sign-in", "forget-password"];
const OTP_MS: i64 = 300 * 1000;
const TRIES: u32 = 3;

fn bad(message: &str) -> ApiError {
    ApiError::from_message(StatusCode::BAD_REQUEST, message)
}

fn invalid_email() -> ApiError {
    ApiError::coded(StatusCode::BAD_REQUEST, "INVALID_EMAIL", "Invalid email")
}

fn identifier(kind: &str, email: &str) -> String {
    format!("{kind}-otp-{email}")
}

/// Files a new code for `email` and mails it, as the plugin does: only to existing users,
/// except for sign-in, which creates the account.
fn issue(state: &AppState, kind: &str, email: &str) -> ApiResult<()> {
    let code: String = (0..6)
        .map(|_| char::from(b'0' + rand::random_range(0..10u8)))
        .collect();
    let id = identifier(kind, email);
    state.store.delete_verifications(&id)?;
    state
        .store
        .create_verification(&id, &format!("{code}:0"), state.code_lifetime_ms(OTP_MS))?;
    if state.store.user_by_email(email)?.is_none() && kind != "sign-in" {
        state.store.delete_verifications(&id)?;
        return Ok(());
    }
    state.mailbox.deliver(Mail {
        to: email.to_owned(),
        kind: "email-otp",
        subject: format!("Your {kind} code"),
        url: String::new(),
        token: code,
        sent_at: now_ms(),
    });
    Ok(())
}

/// Checks `given` against the filed code: expired, or three tries, then it is gone. `consume` takes the
/// code on success.
fn check(state: &AppState, kind: &str, email: &str, given: &str, consume: bool) -> ApiResult<()> {
    let id = identifier(kind, email);
    let Some(filed) = state.store.find_verification(&id)? else {
        return Err(bad("Invalid OTP"));
    };
    // Expiry comes first: a wrong code past its time is "expired" too (the lookup then clears
    // it, so asking again is "invalid").
    if filed.expired {
        return Err(bad("OTP expired"));
    }
    let stored = filed.value;
    let (code, tries) = stored.rsplit_once(':').unwrap_or((&stored, ""));
    let tries: u32 = tries.parse().unwrap_or(0);
    if tries >= TRIES {
        state.store.delete_verifications(&id)?;
        return Err(ApiError::from_message(
            StatusCode::FORBIDDEN,
            "Too many attempts",
        ));
    }
    if !bool::from(subtle::ConstantTimeEq::ct_eq(
        code.as_bytes(),
        given.as_bytes(),
    )) {
        state
            .store
            .set_verification_value(&id, &format!("{code}:{}", tries + 1))?;
        return Err(bad("Invalid OTP"));
    }
    if consume {
        state.store.delete_verifications(&id)?;
    }
    Ok(())
}

const SEND: Schema = Schema::object(&[req("email", Ty::String), req("type", Ty::OneOf(TYPES))]);

/// `POST /email-otp/send-verification-otp {email, type}`: `{success: true}` whoever asks.
pub async fn send_verification_otp(State(state): State<AppState>, input: Input) -> ApiResult {
    let body = SEND.check(&input.body)?;
    let email = str_field(body, "email").unwrap_or_default().to_lowercase();
    if !schema::is_email(&email) {
        return Err(invalid_email());
    }
    issue(&state, str_field(body, "type").unwrap_or_default(), &email)?;
    Ok(axum::Json(json!({ "success": true })).into_response())
}

const CHECK: Schema = Schema::object(&[
    req("email", Ty::String),
    req("type", Ty::OneOf(TYPES)),
    req("otp", Ty::String),
]);

/// `POST /email-otp/check-verification-otp {email, type, otp}`: whether the code is right,
/// without using it.
pub async fn check_verification_otp(State(state): State<AppState>, input: Input) -> ApiResult {
    let body = CHECK.check(&input.body)?;
    let email = str_field(body, "email").unwrap_or_default().to_lowercase();
    if !schema::is_email(&email) {
        return Err(invalid_email());
    }
    if state.store.user_by_email(&email)?.is_none() {
        return Err(bad("User not found"));
    }
    let kind = str_field(body, "type").unwrap_or_default();
    check(
        &state,
        kind,
        &email,
        str_field(body, "otp").unwrap_or_default(),
        false,
    )?;
    Ok(axum::Json(json!({ "success": true })).into_response())
}

const EMAIL_AND_OTP: Schema = Schema::object(&[req("email", Ty::String), req("otp", Ty::String)]);

/// `POST /email-otp/verify-email {email, otp}`: `{status, token: null, user}`.
pub async fn verify_email(State(state): State<AppState>, input: Input) -> ApiResult {
    let body = EMAIL_AND_OTP.check(&input.body)?;
    let email = str_field(body, "email").unwrap_or_default().to_lowercase();
    if !schema::is_email(&email) {
        return Err(invalid_email());
    }
    check(
        &state,
        "email-verification",
        &email,
        str_field(body, "otp").unwrap_or_default(),
        true,
    )?;
    let Some(user) = state.store.user_by_email(&email)? else {
        return Err(bad("User not found"));
    };
    state.store.set_email_verified(&user.id)?;
    let user = state.store.user_by_id(&user.id)?.unwrap_or(user);
    Ok(
        axum::Json(json!({ "status": true, "token": null, "user": user_json(&state, &user) }))
            .into_response(),
    )
}

/// `POST /sign-in/email-otp {email, otp}`: `{token, user}`, creating the account if needed.
pub async fn sign_in(State(state): State<AppState>, input: Input) -> ApiResult {
    let body = EMAIL_AND_OTP.check(&input.body)?;
    let email = str_field(body, "email").unwrap_or_default().to_lowercase();
    check(
        &state,
        "sign-in",
        &email,
        str_field(body, "otp").unwrap_or_default(),
        true,
    )?;
    let user = match state.store.user_by_email(&email)? {
        Some(user) => {
            if !user.email_verified {
                state.store.set_email_verified(&user.id)?;
            }
            // 1.4.21 answers with the user as it was before the code verified the address.
            user
        }
        None => state.store.create_passwordless_user(&email)?,
    };
    let (_, signed) = start_session(&state, &input.headers, &user, true)?;
    let token = signed.split('.').next().unwrap_or_default().to_owned();
    Ok(with_session(
        &state,
        json!({ "token": token, "user": user_json(&state, &user) }),
        &signed,
        true,
    ))
}

const EMAIL: Schema = Schema::object(&[req("email", Ty::String)]);

/// `POST /email-otp/request-password-reset {email}` (and `/forget-password/email-otp`).
pub async fn request_password_reset(State(state): State<AppState>, input: Input) -> ApiResult {
    let body = EMAIL.check(&input.body)?;
    // The plugin takes the address as given here.
    let email = str_field(body, "email").unwrap_or_default();
    issue(&state, "forget-password", email)?;
    Ok(axum::Json(json!({ "success": true })).into_response())
}

const RESET: Schema = Schema::object(&[
    req("email", Ty::String),
    req("otp", Ty::String),
    req("password", Ty::String),
]);

/// `POST /email-otp/reset-password {email, otp, password}`: `{success: true}`.
pub async fn reset_password(State(state): State<AppState>, input: Input) -> ApiResult {
    let body = RESET.check(&input.body)?;
    let email = str_field(body, "email").unwrap_or_default();
    check(
        &state,
        "forget-password",
        email,
        str_field(body, "otp").unwrap_or_default(),
        true,
    )?;
    let Some(user) = state.store.user_by_email(email)? else {
        return Err(bad("User not found"));
    };
    let password = str_field(body, "password").unwrap_or_default().to_owned();
    check_password_length(&password)?;
    let hash = tokio::task::spawn_blocking(move || crypto::hash_password(&password))
        .await
        .map_err(|_| ApiError::empty(StatusCode::INTERNAL_SERVER_ERROR))?;
    state.store.set_or_create_password(&user.id, &hash)?;
    if !user.email_verified {
        state.store.set_email_verified(&user.id)?;
    }
    Ok(axum::Json(json!({ "success": true })).into_response())
}
