//! Better Auth's e-mail/password and session endpoints.

use axum::extract::State;
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::IntoResponse;
use serde_json::{Value, json};

use crate::AppState;
use crate::crypto;
use crate::http::{
    ApiError, ApiResult, Input, Presented, clear_session_cookies, clearing_session,
    current_session, presented, require_session, with_session,
};
use crate::mailbox::Mail;
use crate::routes::account::username_hook;
use crate::routes::verification;
use crate::schema::{self, Schema, Ty, bool_field, opt, req, str_field};
use crate::store::{SessionRow, UserRow};

const DAY_MS: i64 = 24 * 3600 * 1000;
const REMEMBERED_SESSION_MS: i64 = 7 * DAY_MS;
const RESET_TOKEN_MS: i64 = 3600 * 1000;
const MIN_PASSWORD: usize = 8;
const MAX_PASSWORD: usize = 128;
/// Verification identifiers of password reset tokens start with this.
pub const RESET_PREFIX: &str = "reset-password:";

pub(crate) fn iso(ms: i64) -> String {
    chrono::DateTime::from_timestamp_millis(ms)
        .unwrap_or_default()
        .to_rfc3339_opts(chrono::SecondsFormat::Millis, true)
}

/// Core models go through the Convex adapter, which writes dates as ISO strings.
pub fn user_json(state: &AppState, u: &UserRow) -> Value {
    let mut user = json!({
        "id": u.id, "email": u.email, "name": u.name, "emailVerified": u.email_verified,
        "createdAt": iso(u.created_at), "updatedAt": iso(u.updated_at),
    });
    // Convex stores no undefined fields: an image never set is absent, not null.
    if let Some(image) = &u.image {
        user["image"] = json!(image);
    }
    crate::routes::account::username_fields(u, &mut user);
    // The two-factor plugin adds its flag to every user.
    if state.two_factor {
        user["twoFactorEnabled"] = json!(u.two_factor_enabled);
    }
    user
}

pub(crate) fn session_json(s: &SessionRow) -> Value {
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
        // Better Auth stores an empty string when the request has no user agent.
        Some(get("user-agent").unwrap_or_default()),
    )
}

pub(crate) fn check_password_length(password: &str) -> ApiResult<()> {
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

async fn hash(password: String) -> ApiResult<String> {
    tokio::task::spawn_blocking(move || crypto::hash_password(&password))
        .await
        .map_err(|_| ApiError::empty(StatusCode::INTERNAL_SERVER_ERROR))
}

pub(crate) async fn verify_password(password: String, hash: Option<String>) -> ApiResult<bool> {
    let Some(hash) = hash else { return Ok(false) };
    tokio::task::spawn_blocking(move || crypto::verify_password(&password, &hash))
        .await
        .map_err(|_| ApiError::empty(StatusCode::INTERNAL_SERVER_ERROR))
}

pub(crate) fn start_session(
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

/// The body as an object, if it is one.
fn object(body: &Option<Value>) -> Option<&serde_json::Map<String, Value>> {
    match body {
        Some(Value::Object(map)) => Some(map),
        _ => None,
    }
}

const SIGN_UP: Schema = Schema::open(&[
    req("name", Ty::String),
    req("email", Ty::Email),
    req("password", Ty::NonEmpty),
    opt("image", Ty::String),
    opt("callbackURL", Ty::String),
    opt("rememberMe", Ty::Boolean),
]);

/// `POST /sign-up/email`
pub async fn sign_up_email(State(state): State<AppState>, input: Input) -> ApiResult {
    if input.body.is_none() {
        // 1.4.21's intersection schema throws on a missing body: an unhandled 500.
        return Err(ApiError::empty(StatusCode::INTERNAL_SERVER_ERROR));
    }
    let username = username_hook(&state, object(&input.body), None)?;
    let body = SIGN_UP.check(&input.body)?;
    state.origins.check_form_csrf(&input.headers)?;
    let headers = &input.headers;
    let name = str_field(body, "name").unwrap_or_default().to_owned();
    let email = str_field(body, "email").unwrap_or_default().to_lowercase();
    let password = str_field(body, "password").unwrap_or_default().to_owned();
    let image = str_field(body, "image").map(str::to_owned);
    let callback = str_field(body, "callbackURL");
    let remember = bool_field(body, "rememberMe").unwrap_or(true);
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
    let Some(user) = state.store.create_user(
        &email,
        &name,
        image.as_deref(),
        username.as_ref().map(|(u, d)| (u.as_str(), d.as_str())),
        &password_hash,
    )?
    else {
        return Err(user_exists());
    };
    if state.require_email_verification {
        // Better Auth mails the link on sign-up and signs nobody in until it is followed.
        verification::send(
            &state,
            &verification::base_url(headers),
            &user.email,
            callback,
        );
        return Ok(
            axum::Json(json!({ "token": null, "user": user_json(&state, &user) })).into_response(),
        );
    }
    let (_, signed) = start_session(&state, headers, &user, remember)?;
    let token = signed.split('.').next().unwrap_or_default().to_owned();
    Ok(with_session(
        &state,
        json!({ "token": token, "user": user_json(&state, &user) }),
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

const SIGN_IN: Schema = Schema::object(&[
    req("email", Ty::String),
    req("password", Ty::String),
    opt("callbackURL", Ty::String),
    opt("rememberMe", Ty::Boolean),
]);

/// `POST /sign-in/email`
pub async fn sign_in_email(State(state): State<AppState>, input: Input) -> ApiResult {
    let body = SIGN_IN.check(&input.body)?;
    state.origins.check_form_csrf(&input.headers)?;
    let email = str_field(body, "email").unwrap_or_default();
    if !schema::is_email(email) {
        return Err(ApiError::coded(
            StatusCode::BAD_REQUEST,
            "INVALID_EMAIL",
            "Invalid email",
        ));
    }
    let email = email.to_lowercase();
    let password = str_field(body, "password").unwrap_or_default().to_owned();
    let remember = bool_field(body, "rememberMe").unwrap_or(true);
    let callback = str_field(body, "callbackURL").map(str::to_owned);
    let user = state.store.user_by_email(&email)?;
    let stored_hash = match &user {
        Some(u) => state.store.password_hash(&u.id)?,
        None => None,
    };
    // The same answer for an unknown user and a wrong password.
    let Some(user) = user.filter(|_| stored_hash.is_some()) else {
        verify_password(password, None).await?;
        return Err(invalid_credentials());
    };
    if !verify_password(password, stored_hash).await? {
        return Err(invalid_credentials());
    }
    let mut answer = json!({ "redirect": callback.is_some() });
    if let Some(url) = &callback {
        answer["url"] = json!(url);
    }
    let mut response = complete_sign_in(&state, &input.headers, &user, remember, answer)?;
    if let Some(url) = &callback
        && response.status().is_success()
        && let Ok(location) = HeaderValue::from_str(url)
    {
        response.headers_mut().insert(header::LOCATION, location);
    }
    Ok(response)
}

/// The end of every credential sign-in, once the credentials checked out: the e-mail
/// verification rule, the two-factor plugin's hook, then a new session, whose token and user
/// join `answer`.
pub(crate) fn complete_sign_in(
    state: &AppState,
    headers: &HeaderMap,
    user: &UserRow,
    remember: bool,
    mut answer: Value,
) -> ApiResult {
    if state.require_email_verification && !user.email_verified {
        return Err(ApiError::coded(
            StatusCode::FORBIDDEN,
            "EMAIL_NOT_VERIFIED",
            "Email not verified",
        ));
    }
    use crate::routes::two_factor::{SignInStep, sign_in_step};
    let trusted = match sign_in_step(state, headers, user, remember)? {
        SignInStep::Pending(response) => return Ok(response),
        SignInStep::Proceed { trusted } => trusted,
    };
    let (_, signed) = start_session(state, headers, user, remember)?;
    answer["token"] = json!(signed.split('.').next().unwrap_or_default());
    answer["user"] = user_json(state, user);
    let mut response = with_session(state, answer, &signed, remember);
    if trusted {
        crate::routes::trusted_device::mark(state, &user.id, &mut response)?;
    }
    Ok(response)
}

fn invalid_credentials() -> ApiError {
    ApiError::coded(
        StatusCode::UNAUTHORIZED,
        "INVALID_EMAIL_OR_PASSWORD",
        "Invalid email or password",
    )
}

/// `GET /get-session`: `{session, user}` or `null`; a signed token whose session is gone also
/// clears the session cookies.
pub async fn get_session(State(state): State<AppState>, headers: HeaderMap) -> ApiResult {
    // An `x-api-key` answers with its owner's session (and refuses bad keys).
    if let Some((session, user)) = crate::access::key_session(&state, &headers)? {
        let body = json!({ "user": user_json(&state, &user), "session": session_json(&session) });
        return Ok(axum::Json(body).into_response());
    }
    let (body, gone) = match presented(&state, &headers) {
        Presented::Nothing => (Value::Null, false),
        Presented::Token(raw) => match state.store.session_by_token(&raw)? {
            Some((session, user)) => (
                json!({ "session": session_json(&session), "user": user_json(&state, &user) }),
                false,
            ),
            None => (Value::Null, true),
        },
    };
    let mut response = axum::Json(body).into_response();
    if gone {
        clear_session_cookies(&mut response);
    }
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

const REVOKE_SESSION: Schema = Schema::object(&[req("token", Ty::String)]);

/// `POST /revoke-session {token}`: `{status:true}`, also for unknown tokens.
pub async fn revoke_session(State(state): State<AppState>, input: Input) -> ApiResult {
    let body = REVOKE_SESSION.check(&input.body)?;
    let (_, user) = require_session(&state, &input.headers)?;
    let token = str_field(body, "token").unwrap_or_default();
    state
        .store
        .delete_session(&user.id, token.split('.').next().unwrap_or_default())?;
    Ok(axum::Json(json!({ "status": true })).into_response())
}

/// `POST /revoke-sessions`
pub async fn revoke_sessions(State(state): State<AppState>, input: Input) -> ApiResult {
    let (_, user) = require_session(&state, &input.headers)?;
    state.store.delete_sessions(&user.id, None)?;
    Ok(axum::Json(json!({ "status": true })).into_response())
}

/// `POST /revoke-other-sessions`
pub async fn revoke_other_sessions(State(state): State<AppState>, input: Input) -> ApiResult {
    let (session, user) = require_session(&state, &input.headers)?;
    state
        .store
        .delete_sessions(&user.id, Some(&session.token))?;
    Ok(axum::Json(json!({ "status": true })).into_response())
}

/// `POST /sign-out`: `{success:true}` and clearing cookies, with or without a session.
pub async fn sign_out(State(state): State<AppState>, input: Input) -> ApiResult {
    if let Some((session, user)) = current_session(&state, &input.headers)? {
        state.store.delete_session(&user.id, &session.token)?;
    }
    Ok(clearing_session(json!({ "success": true })))
}

/// `POST /update-user {name?, image?}`
pub async fn update_user(State(state): State<AppState>, input: Input) -> ApiResult {
    let caller = current_session(&state, &input.headers)?;
    let username = username_hook(
        &state,
        object(&input.body),
        caller.as_ref().map(|(_, u)| u.id.as_str()),
    )?;
    let body = Schema::open(&[]).check(&input.body)?;
    let (session, user) = caller.ok_or_else(ApiError::unauthorized)?;
    if body.contains_key("email") {
        return Err(ApiError::coded(
            StatusCode::BAD_REQUEST,
            "EMAIL_CAN_NOT_BE_UPDATED",
            "Email can not be updated",
        ));
    }
    // The body is a free record there: values of other types pass (and are not stored here).
    let name = str_field(body, "name");
    let image = str_field(body, "image");
    let username = username.as_ref().map(|(u, d)| (u.as_str(), d.as_str()));
    state.store.update_user(&user.id, name, image, username)?;
    let signed = crypto::sign_token(&state.secret, &session.token);
    Ok(with_session(
        &state,
        json!({ "status": true }),
        &signed,
        true,
    ))
}

const CHANGE_PASSWORD: Schema = Schema::object(&[
    req("newPassword", Ty::String),
    req("currentPassword", Ty::String),
    opt("revokeOtherSessions", Ty::Boolean),
]);

/// `POST /change-password {currentPassword, newPassword, revokeOtherSessions?}`
pub async fn change_password(State(state): State<AppState>, input: Input) -> ApiResult {
    let body = CHANGE_PASSWORD.check(&input.body)?;
    let (_, user) = require_session(&state, &input.headers)?;
    let new_password = str_field(body, "newPassword")
        .unwrap_or_default()
        .to_owned();
    let current = str_field(body, "currentPassword")
        .unwrap_or_default()
        .to_owned();
    let revoke_others = bool_field(body, "revokeOtherSessions").unwrap_or(false);
    check_password_length(&new_password)?;
    if !verify_password(current, state.store.password_hash(&user.id)?).await? {
        return Err(ApiError::coded(
            StatusCode::BAD_REQUEST,
            "INVALID_PASSWORD",
            "Invalid password",
        ));
    }
    let new_hash = hash(new_password).await?;
    state.store.set_password_hash(&user.id, &new_hash)?;
    if !revoke_others {
        return Ok(
            axum::Json(json!({ "token": null, "user": user_json(&state, &user) })).into_response(),
        );
    }
    // Every session ends; the caller continues on a fresh one.
    state.store.delete_sessions(&user.id, None)?;
    let (_, signed) = start_session(&state, &input.headers, &user, true)?;
    let token = signed.split('.').next().unwrap_or_default().to_owned();
    Ok(with_session(
        &state,
        json!({ "token": token, "user": user_json(&state, &user) }),
        &signed,
        true,
    ))
}

const REQUEST_PASSWORD_RESET: Schema =
    Schema::object(&[req("email", Ty::Email), opt("redirectTo", Ty::String)]);

/// `POST /request-password-reset {email, redirectTo?}`: the same answer whether or not the
/// address has an account. The mail lands in the dev mailbox.
pub async fn request_password_reset(State(state): State<AppState>, input: Input) -> ApiResult {
    let body = REQUEST_PASSWORD_RESET.check(&input.body)?;
    let email = str_field(body, "email").unwrap_or_default().to_lowercase();
    let redirect_to = str_field(body, "redirectTo");
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
            verification::base_url(&input.headers),
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

const RESET_PASSWORD: Schema =
    Schema::object(&[req("newPassword", Ty::String), opt("token", Ty::String)]);

/// `POST /reset-password {newPassword, token}`
pub async fn reset_password(State(state): State<AppState>, input: Input) -> ApiResult {
    let body = RESET_PASSWORD.check(&input.body)?;
    let new_password = str_field(body, "newPassword")
        .unwrap_or_default()
        .to_owned();
    let invalid = || ApiError::coded(StatusCode::BAD_REQUEST, "INVALID_TOKEN", "Invalid token");
    let token = str_field(body, "token").ok_or_else(invalid)?.to_owned();
    check_password_length(&new_password)?;
    let Some(user_id) = state
        .store
        .take_verification(&format!("{RESET_PREFIX}{token}"))?
    else {
        return Err(invalid());
    };
    let new_hash = hash(new_password).await?;
    state.store.set_password_hash(&user_id, &new_hash)?;
    Ok(axum::Json(json!({ "status": true })).into_response())
}
