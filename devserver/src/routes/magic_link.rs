//! Better Auth 1.4.21's magic-link plugin, served with `--magic-link` (managed projects have it
//! off): a sign-in link (five minutes, once) mailed to the dev mailbox; following it signs the
//! user in, making the account on first use.

use axum::extract::{Query, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::IntoResponse;
use serde::Deserialize;
use serde_json::json;

use crate::AppState;
use crate::crypto;
use crate::http::{ApiError, ApiResult, Input, found, with_session};
use crate::mailbox::Mail;
use crate::routes::auth::{start_session, user_json};
use crate::routes::verification::base_url;
use crate::schema::{Schema, Ty, opt, req, str_field};
use crate::store::now_ms;

const LINK_MS: i64 = 300 * 1000;

const SIGN_IN: Schema = Schema::object(&[
    req("email", Ty::Email),
    opt("name", Ty::String),
    opt("callbackURL", Ty::String),
    opt("newUserCallbackURL", Ty::String),
    opt("errorCallbackURL", Ty::String),
]);

/// `POST /sign-in/magic-link {email, name?, callbackURL?, ...}`: mails the link; `{status}`.
pub async fn sign_in(State(state): State<AppState>, input: Input) -> ApiResult {
    let body = SIGN_IN.check(&input.body)?;
    let email = str_field(body, "email").unwrap_or_default();
    let token: String = crypto::random_token(48)
        .chars()
        .filter(char::is_ascii_alphabetic)
        .take(32)
        .collect();
    let value = json!({ "email": email, "name": str_field(body, "name") }).to_string();
    state
        .store
        .create_verification(&token, &value, state.code_lifetime_ms(LINK_MS))?;
    let mut url = url::Url::parse(&format!(
        "{}/api/auth/magic-link/verify",
        base_url(&input.headers)
    ))
    .map_err(|_| ApiError::empty(StatusCode::INTERNAL_SERVER_ERROR))?;
    {
        let mut query = url.query_pairs_mut();
        query.append_pair("token", &token);
        query.append_pair("callbackURL", str_field(body, "callbackURL").unwrap_or("/"));
        for name in ["newUserCallbackURL", "errorCallbackURL"] {
            if let Some(value) = str_field(body, name) {
                query.append_pair(name, value);
            }
        }
    }
    state.mailbox.deliver(Mail {
        to: email.to_owned(),
        kind: "magic-link",
        subject: "Sign in".into(),
        url: url.to_string(),
        token,
        sent_at: now_ms(),
    });
    Ok(axum::Json(json!({ "status": true })).into_response())
}

#[derive(Deserialize)]
pub struct VerifyQuery {
    token: Option<String>,
    #[serde(rename = "callbackURL")]
    callback_url: Option<String>,
    #[serde(rename = "newUserCallbackURL")]
    new_user_callback_url: Option<String>,
    #[serde(rename = "errorCallbackURL")]
    error_callback_url: Option<String>,
}

/// `GET /magic-link/verify?token=&callbackURL=`: signs in; `{token, user}` without a callback,
/// else a redirect there (errors go to `errorCallbackURL?error=`).
pub async fn verify(
    State(state): State<AppState>,
    headers: HeaderMap,
    Query(query): Query<VerifyQuery>,
) -> ApiResult {
    let Some(token) = query.token.as_deref() else {
        return Err(ApiError::validation(
            "[query.token] Invalid input: expected string, received undefined",
        ));
    };
    for url in [
        &query.callback_url,
        &query.new_user_callback_url,
        &query.error_callback_url,
    ] {
        state.origins.check_url(url.as_deref(), "callbackURL")?;
    }
    let base = base_url(&headers);
    let absolute = |url: Option<&str>| -> String {
        let base = url::Url::parse(&format!("{base}/")).expect("the base URL parses");
        base.join(url.unwrap_or("/"))
            .map(|u| u.to_string())
            .unwrap_or_else(|_| base.to_string())
    };
    let callback = absolute(query.callback_url.as_deref());
    let on_error = |error: &str| {
        let mut url = url::Url::parse(&absolute(
            query
                .error_callback_url
                .as_deref()
                .or(query.callback_url.as_deref()),
        ))
        .expect("an absolute URL");
        url.query_pairs_mut().append_pair("error", error);
        found(url.as_str())
    };
    let Some(filed) = state.store.find_verification(token)? else {
        return Ok(on_error("INVALID_TOKEN"));
    };
    state.store.delete_verifications(token)?;
    if filed.expired {
        return Ok(on_error("EXPIRED_TOKEN"));
    }
    let value = filed.value;
    let claims: serde_json::Value = serde_json::from_str(&value).unwrap_or_default();
    let email = claims["email"].as_str().unwrap_or_default().to_lowercase();
    let (user, new_user) = match state.store.user_by_email(&email)? {
        Some(user) => (user, false),
        None => {
            let user = state.store.create_passwordless_user(&email)?;
            if let Some(name) = claims["name"].as_str() {
                state.store.update_user(&user.id, Some(name), None, None)?;
            }
            (state.store.user_by_id(&user.id)?.unwrap_or(user), true)
        }
    };
    if !user.email_verified {
        state.store.set_email_verified(&user.id)?;
    }
    let user = state.store.user_by_id(&user.id)?.unwrap_or(user);
    let (session, signed) = start_session(&state, &headers, &user, true)?;
    let token = signed.split('.').next().unwrap_or_default().to_owned();
    let mut response = with_session(
        &state,
        json!({ "token": token, "user": user_json(&state, &user) }),
        &signed,
        true,
    );
    if query.callback_url.is_some() {
        let target = if new_user {
            absolute(
                query
                    .new_user_callback_url
                    .as_deref()
                    .or(query.callback_url.as_deref()),
            )
        } else {
            callback
        };
        *response.body_mut() = axum::body::Body::empty();
        response.headers_mut().remove(header::CONTENT_TYPE);
        *response.status_mut() = StatusCode::FOUND;
        // The cross-domain plugin (on in every managed project) hands the session over in the URL.
        let target = crate::routes::social::with_one_time_token(&state, &target, &session.token)?;
        if let Ok(value) = HeaderValue::from_str(&target) {
            response.headers_mut().insert(header::LOCATION, value);
        }
    }
    Ok(response)
}
