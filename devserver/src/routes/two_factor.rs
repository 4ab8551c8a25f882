//! Better Auth 1.4.21's two-factor plugin, served with `--two-factor` (managed projects have it
//! off): TOTP (RFC 6238, checked with a TOTP library), one-time codes mailed to the dev
//! mailbox, backup codes, and the pending sign-in kept in the signed `two_factor` cookie.

use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use serde_json::json;

use crate::AppState;
use crate::crypto;
use crate::http::{
    ApiError, ApiResult, DONT_REMEMBER_COOKIE, Input, current_session, percent_encode,
    request_cookie, require_session, set_cookie, with_session,
};
use crate::mailbox::Mail;
use crate::routes::auth::{start_session, user_json, verify_password};
use crate::routes::trusted_device;
use crate::schema::{Schema, Ty, opt, req, str_field};
use crate::store::{SessionRow, UserRow, now_ms};

const COOKIE: &str = "better-auth.two_factor";
/// The pending sign-in lives ten minutes; a mailed code three.
const PENDING_SECONDS: i64 = 600;
const OTP_MS: i64 = 3 * 60 * 1000;
const OTP_ATTEMPTS: u32 = 5;
const ISSUER: &str = "Banata";

fn bad(message: &str) -> ApiError {
    ApiError::from_message(StatusCode::BAD_REQUEST, message)
}

fn unauthorized(message: &str) -> ApiError {
    ApiError::from_message(StatusCode::UNAUTHORIZED, message)
}

/// What the sign-in hook decided.
pub enum SignInStep {
    /// The sign-in completes; on a trusted device, its mark is renewed on the answer.
    Proceed { trusted: bool },
    /// The answer for a user with two-factor on: no session yet, but the pending cookie.
    Pending(Response),
}

/// The sign-in hook: a user with two-factor on gets no session yet, but the pending cookie,
/// unless the browser is a trusted device of theirs.
pub fn sign_in_step(
    state: &AppState,
    headers: &HeaderMap,
    user: &UserRow,
    remember: bool,
) -> ApiResult<SignInStep> {
    if !state.two_factor || !user.two_factor_enabled {
        return Ok(SignInStep::Proceed { trusted: false });
    }
    let trust = trusted_device::check(state, headers, &user.id)?;
    if matches!(trust, trusted_device::Trust::Trusted) {
        return Ok(SignInStep::Proceed { trusted: true });
    }
    let identifier = format!("2fa-{}", crypto::random_token(20));
    state
        .store
        .create_verification(&identifier, &user.id, PENDING_SECONDS * 1000)?;
    let mut response = axum::Json(json!({ "twoFactorRedirect": true })).into_response();
    // The credential sign-in set the session cookies before the hook took the session back;
    // 1.4.21 sets and then clears the session cookie, and leaves the multi-session one of the
    // deleted session (whose user the multi-session hook still sees).
    let gone = crypto::random_token(32);
    let signed_gone = percent_encode(&crypto::sign_token(&state.secret, &gone));
    set_cookie(
        &mut response,
        crate::http::SESSION_COOKIE,
        &signed_gone,
        7 * 24 * 3600,
    );
    if !remember {
        // The sign-in's `dont_remember` mark stays (the hook keeps it) for the second step.
        crate::http::set_dont_remember(state, &mut response);
    }
    set_cookie(&mut response, crate::http::SESSION_COOKIE, "", 0);
    response
        .extensions_mut()
        .insert(crate::routes::multi_session::NewSessionUser(
            user.id.clone(),
        ));
    let multi = format!(
        "{}_multi-{}",
        crate::http::SESSION_COOKIE,
        gone.to_lowercase()
    );
    set_cookie(&mut response, &multi, &signed_gone, 7 * 24 * 3600);
    set_cookie(&mut response, "better-auth.session_data", "", 0);
    let signed = percent_encode(&crypto::sign_token(&state.secret, &identifier));
    set_cookie(&mut response, COOKIE, &signed, PENDING_SECONDS);
    if matches!(trust, trusted_device::Trust::Refused) {
        set_cookie(&mut response, trusted_device::COOKIE, "", 0);
    }
    Ok(SignInStep::Pending(response))
}

/// Who a second-factor call is for: the signed-in user (setting two-factor up), or the user
/// of the pending sign-in in the cookie.
enum Caller {
    Session(SessionRow, UserRow),
    Pending { identifier: String, user: UserRow },
}

impl Caller {
    fn user(&self) -> &UserRow {
        match self {
            Caller::Session(_, u) | Caller::Pending { user: u, .. } => u,
        }
    }

    /// The key the plugin files one-time codes under.
    fn key(&self) -> String {
        match self {
            Caller::Session(s, u) => format!("{}!{}", u.id, s.id),
            Caller::Pending { identifier, .. } => identifier.clone(),
        }
    }
}

fn caller(state: &AppState, headers: &HeaderMap) -> ApiResult<Caller> {
    if let Some((session, user)) = current_session(state, headers)? {
        return Ok(Caller::Session(session, user));
    }
    let invalid = || unauthorized("Invalid two factor cookie");
    let identifier = request_cookie(headers, COOKIE)
        .and_then(|v| crypto::unsign_token(&state.secret, &v).filter(|_| v.contains('.')))
        .ok_or_else(invalid)?;
    let user_id = state
        .store
        .verification_value(&identifier)?
        .ok_or_else(invalid)?;
    let user = state.store.user_by_id(&user_id)?.ok_or_else(invalid)?;
    Ok(Caller::Pending { identifier, user })
}

/// The factor checked out: a pending sign-in completes (marking the browser trusted when
/// asked); a session answers as it is.
fn valid(state: &AppState, headers: &HeaderMap, caller: Caller, trust: bool) -> ApiResult {
    match caller {
        Caller::Session(session, user) => Ok(axum::Json(
            json!({ "token": session.token, "user": user_json(state, &user) }),
        )
        .into_response()),
        Caller::Pending { identifier, user } => {
            // A sign-in with `rememberMe: false` left the signed `dont_remember` cookie: the
            // session it completes is not remembered either.
            let remember = request_cookie(headers, DONT_REMEMBER_COOKIE)
                .and_then(|v| crypto::unsign_token(&state.secret, &v))
                .is_none();
            let (_, signed) = start_session(state, headers, &user, remember)?;
            state.store.take_verification(&identifier)?;
            let token = signed.split('.').next().unwrap_or_default().to_owned();
            let mut response = with_session(
                state,
                json!({ "token": token, "user": user_json(state, &user) }),
                &signed,
                remember,
            );
            set_cookie(&mut response, COOKIE, "", 0);
            if trust {
                trusted_device::trust(state, &user.id, &mut response)?;
            }
            Ok(response)
        }
    }
}

fn trust_asked(body: &serde_json::Map<String, serde_json::Value>) -> bool {
    body.get("trustDevice") == Some(&serde_json::Value::Bool(true))
}

/// The first confirmed factor turns two-factor on and moves the user to a fresh session.
fn turn_on(state: &AppState, headers: &HeaderMap, caller: Caller) -> ApiResult {
    let Caller::Session(old, user) = caller else {
        return Err(bad("Failed to create session"));
    };
    state.store.set_two_factor_enabled(&user.id, true)?;
    let user = state.store.user_by_id(&user.id)?.unwrap_or(user);
    let (_, signed) = start_session(state, headers, &user, true)?;
    state.store.delete_session(&user.id, &old.token)?;
    let token = signed.split('.').next().unwrap_or_default().to_owned();
    Ok(with_session(
        state,
        json!({ "token": token, "user": user_json(state, &user) }),
        &signed,
        true,
    ))
}

/// The plugin's TOTP: SHA-1, six digits, 30 s steps, one step of skew either way.
fn totp(secret: &str) -> totp_rs::TOTP {
    totp_rs::TOTP::new_unchecked(
        totp_rs::Algorithm::SHA1,
        6,
        1,
        30,
        secret.as_bytes().to_vec(),
        None,
        String::new(),
    )
}

fn totp_uri(secret: &str, issuer: &str, email: &str) -> String {
    let encoded = base32_no_pad(secret.as_bytes());
    let query: String = url::form_urlencoded::Serializer::new(String::new())
        .append_pair("secret", &encoded)
        .append_pair("issuer", issuer)
        .append_pair("digits", "6")
        .append_pair("period", "30")
        .finish();
    format!(
        "otpauth://totp/{}:{}?{query}",
        crate::routes::verification::url_encode(issuer),
        crate::routes::verification::url_encode(email)
    )
}

fn base32_no_pad(bytes: &[u8]) -> String {
    totp_rs::Secret::Raw(bytes.to_vec())
        .to_encoded()
        .to_string()
}

/// Ten codes like `a1B2c-3D4e5`.
fn backup_codes() -> Vec<String> {
    (0..10)
        .map(|_| {
            let code = crypto::random_token(10);
            format!("{}-{}", &code[..5], &code[5..])
        })
        .collect()
}

async fn check_password(state: &AppState, user: &UserRow, password: &str) -> ApiResult<()> {
    let stored = state.store.password_hash(&user.id)?;
    if verify_password(password.to_owned(), stored).await? {
        Ok(())
    } else {
        Err(ApiError::coded(
            StatusCode::BAD_REQUEST,
            "INVALID_PASSWORD",
            "Invalid password",
        ))
    }
}

const PASSWORD: Schema = Schema::object(&[req("password", Ty::String)]);
const ENABLE: Schema = Schema::object(&[req("password", Ty::String), opt("issuer", Ty::String)]);

/// `POST /two-factor/enable {password, issuer?}`: `{totpURI, backupCodes}`.
pub async fn enable(State(state): State<AppState>, input: Input) -> ApiResult {
    let body = ENABLE.check(&input.body)?;
    let (_, user) = require_session(&state, &input.headers)?;
    check_password(
        &state,
        &user,
        str_field(body, "password").unwrap_or_default(),
    )
    .await?;
    let secret = crypto::random_token(32);
    let codes = backup_codes();
    state.store.set_two_factor(&user.id, &secret, &codes)?;
    let issuer = str_field(body, "issuer").unwrap_or(ISSUER);
    Ok(axum::Json(
        json!({ "totpURI": totp_uri(&secret, issuer, &user.email), "backupCodes": codes }),
    )
    .into_response())
}

/// `POST /two-factor/disable {password}`: `{status: true}`.
pub async fn disable(State(state): State<AppState>, input: Input) -> ApiResult {
    let body = PASSWORD.check(&input.body)?;
    let (session, user) = require_session(&state, &input.headers)?;
    check_password(
        &state,
        &user,
        str_field(body, "password").unwrap_or_default(),
    )
    .await?;
    state.store.set_two_factor_enabled(&user.id, false)?;
    state.store.delete_two_factor(&user.id)?;
    // A new session replaces the current one, and this browser's trusted mark goes.
    let user = state.store.user_by_id(&user.id)?.unwrap_or(user);
    let (_, signed) = start_session(&state, &input.headers, &user, true)?;
    state.store.delete_session(&user.id, &session.token)?;
    let mut response = with_session(&state, json!({ "status": true }), &signed, true);
    trusted_device::forget(&state, &input.headers, &mut response)?;
    Ok(response)
}

/// `POST /two-factor/get-totp-uri {password}`: `{totpURI}`.
pub async fn get_totp_uri(State(state): State<AppState>, input: Input) -> ApiResult {
    let body = PASSWORD.check(&input.body)?;
    let (_, user) = require_session(&state, &input.headers)?;
    let Some((secret, _)) = state.store.two_factor(&user.id)? else {
        return Err(bad("TOTP not enabled"));
    };
    check_password(
        &state,
        &user,
        str_field(body, "password").unwrap_or_default(),
    )
    .await?;
    Ok(axum::Json(json!({ "totpURI": totp_uri(&secret, ISSUER, &user.email) })).into_response())
}

const CODE: Schema = Schema::object(&[req("code", Ty::String), opt("trustDevice", Ty::Boolean)]);

/// `POST /two-factor/verify-totp {code, trustDevice?}`
pub async fn verify_totp(State(state): State<AppState>, input: Input) -> ApiResult {
    let body = CODE.check(&input.body)?;
    let caller = caller(&state, &input.headers)?;
    let Some((secret, _)) = state.store.two_factor(&caller.user().id)? else {
        return Err(bad("TOTP not enabled"));
    };
    let code = str_field(body, "code").unwrap_or_default();
    if !totp(&secret).check_current(code).unwrap_or(false) {
        return Err(unauthorized("Invalid code"));
    }
    if !caller.user().two_factor_enabled {
        return turn_on(&state, &input.headers, caller);
    }
    valid(&state, &input.headers, caller, trust_asked(body))
}

const BACKUP_CODE: Schema = Schema::object(&[
    req("code", Ty::String),
    opt("disableSession", Ty::Boolean),
    opt("trustDevice", Ty::Boolean),
]);

/// `POST /two-factor/verify-backup-code {code}`: each code works once.
pub async fn verify_backup_code(State(state): State<AppState>, input: Input) -> ApiResult {
    let body = BACKUP_CODE.check(&input.body)?;
    let caller = caller(&state, &input.headers)?;
    let user_id = caller.user().id.clone();
    let Some((secret, mut codes)) = state.store.two_factor(&user_id)? else {
        return Err(bad("Backup codes aren't enabled"));
    };
    let code = str_field(body, "code").unwrap_or_default();
    let Some(at) = codes.iter().position(|c| c == code) else {
        return Err(unauthorized("Invalid backup code"));
    };
    codes.remove(at);
    state.store.set_two_factor(&user_id, &secret, &codes)?;
    valid(&state, &input.headers, caller, trust_asked(body))
}

/// `POST /two-factor/generate-backup-codes {password}`: `{status, backupCodes}`.
pub async fn generate_backup_codes(State(state): State<AppState>, input: Input) -> ApiResult {
    let body = PASSWORD.check(&input.body)?;
    let (_, user) = require_session(&state, &input.headers)?;
    if !user.two_factor_enabled {
        return Err(bad("Two factor isn't enabled"));
    }
    check_password(
        &state,
        &user,
        str_field(body, "password").unwrap_or_default(),
    )
    .await?;
    let Some((secret, _)) = state.store.two_factor(&user.id)? else {
        return Err(bad("Two factor isn't enabled"));
    };
    let codes = backup_codes();
    state.store.set_two_factor(&user.id, &secret, &codes)?;
    Ok(axum::Json(json!({ "status": true, "backupCodes": codes })).into_response())
}

/// `POST /two-factor/send-otp`: mails a six-digit code to the dev mailbox.
pub async fn send_otp(State(state): State<AppState>, input: Input) -> ApiResult {
    let caller = caller(&state, &input.headers)?;
    let code: String = (0..6)
        .map(|_| char::from(b'0' + rand::random_range(0..10u8)))
        .collect();
    state.store.create_verification(
        &format!("2fa-otp-{}", caller.key()),
        &format!("{code}:0"),
        state.code_lifetime_ms(OTP_MS),
    )?;
    state.mailbox.deliver(Mail {
        to: caller.user().email.clone(),
        kind: "two-factor-otp",
        subject: "Your sign-in code".into(),
        url: String::new(),
        token: code,
        sent_at: now_ms(),
    });
    Ok(axum::Json(json!({ "status": true })).into_response())
}

/// `POST /two-factor/verify-otp {code, trustDevice?}`: five tries per code.
pub async fn verify_otp(State(state): State<AppState>, input: Input) -> ApiResult {
    let body = CODE.check(&input.body)?;
    let caller = caller(&state, &input.headers)?;
    let identifier = format!("2fa-otp-{}", caller.key());
    let Some(stored) = state.store.verification_value(&identifier)? else {
        return Err(bad("OTP has expired"));
    };
    let (otp, tries) = stored.split_once(':').unwrap_or((&stored, "0"));
    let tries: u32 = tries.parse().unwrap_or(0);
    if tries >= OTP_ATTEMPTS {
        state.store.take_verification(&identifier)?;
        return Err(bad("Too many attempts. Please request a new code."));
    }
    let given = str_field(body, "code").unwrap_or_default();
    if given != otp {
        state
            .store
            .set_verification_value(&identifier, &format!("{otp}:{}", tries + 1))?;
        return Err(unauthorized("Invalid code"));
    }
    state.store.take_verification(&identifier)?;
    if !caller.user().two_factor_enabled {
        return turn_on(&state, &input.headers, caller);
    }
    valid(&state, &input.headers, caller, trust_asked(body))
}
