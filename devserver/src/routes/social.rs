//! Social sign-in as a managed project runs it (Better Auth 1.4.21 with the cross-domain
//! plugin): `/sign-in/social` (redirect or ID token), `/callback/:id`, `/link-social`,
//! `/unlink-account`, `/get-access-token`, `/refresh-token`, `/account-info`.
//!
//! State is the database strategy the cross-domain plugin sets: a verification row per state
//! (10 minutes), the signed `state` cookie set but not required, so a browser other than the
//! caller's can finish the flow. A callback that signs in redirects with `?ott=`, a one-time
//! token for the new session (`/cross-domain/one-time-token/verify`).

use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde_json::{Map, Value, json};

use crate::AppState;
use crate::crypto;
use crate::http::{ApiError, ApiResult, Input, found, require_session, set_cookie, with_session};
use crate::oidc::{Provider, Tokens, UserInfo};
use crate::routes::auth::{iso, start_session, user_json};
use crate::routes::verification::base_url;
use crate::schema::{Schema, Ty, bool_field, opt, req, str_field};
use crate::store::{AccountRow, ProviderTokens, UserRow, now_ms};

const STATE_MS: i64 = 10 * 60 * 1000;
const STATE_COOKIE: &str = "better-auth.state";
/// Better Auth's signed `state` cookie lives five minutes (the state itself ten).
const STATE_COOKIE_AGE_S: i64 = 5 * 60;
/// Better Auth's `session.freshAge` default: unlinking needs a session at most a day old.
const FRESH_AGE_MS: i64 = 24 * 60 * 60 * 1000;

// `provider` is checked first, as a union (the built-in ids or any string) fails in zod.
const SIGN_IN_SOCIAL: Schema = Schema::open(&[
    opt("callbackURL", Ty::String),
    opt("newUserCallbackURL", Ty::String),
    opt("errorCallbackURL", Ty::String),
    opt("disableRedirect", Ty::Boolean),
    opt("requestSignUp", Ty::Boolean),
    opt("loginHint", Ty::String),
]);

fn provider_not_found() -> ApiError {
    ApiError::coded(
        StatusCode::NOT_FOUND,
        "PROVIDER_NOT_FOUND",
        "Provider not found",
    )
}

fn unauthorized(code: &str, message: &str) -> ApiError {
    ApiError::coded(StatusCode::UNAUTHORIZED, code, message)
}

/// `scopes`, when given, must be an array of strings.
fn scopes(body: &Map<String, Value>) -> ApiResult<Vec<String>> {
    match body.get("scopes") {
        None | Some(Value::Null) => Ok(Vec::new()),
        Some(Value::Array(items)) if items.iter().all(Value::is_string) => Ok(items
            .iter()
            .filter_map(|v| v.as_str().map(str::to_owned))
            .collect()),
        Some(_) => Err(ApiError::validation(
            "[body.scopes] Invalid input: expected array",
        )),
    }
}

/// `idToken`, when given: `(token, nonce, accessToken, refreshToken)`.
type IdTokenInput = (String, Option<String>, Option<String>, Option<String>);

fn id_token(body: &Map<String, Value>) -> ApiResult<Option<IdTokenInput>> {
    match body.get("idToken") {
        None | Some(Value::Null) => Ok(None),
        Some(Value::Object(o)) => {
            let Some(token) = o.get("token").and_then(Value::as_str) else {
                return Err(ApiError::validation(
                    "[body.idToken.token] Invalid input: expected string, received undefined",
                ));
            };
            let text = |k: &str| o.get(k).and_then(Value::as_str).map(str::to_owned);
            Ok(Some((
                token.to_owned(),
                text("nonce"),
                text("accessToken"),
                text("refreshToken"),
            )))
        }
        Some(_) => Err(ApiError::validation(
            "[body.idToken] Invalid input: expected object",
        )),
    }
}

/// A state's data, as Better Auth's `generateState` keeps it.
fn new_state(
    state: &AppState,
    callback_url: &str,
    body: &Map<String, Value>,
    link: Option<&UserRow>,
) -> ApiResult<(String, String)> {
    let token = crypto::random_token(32);
    let verifier = crypto::random_token(128);
    let data = json!({
        "callbackURL": callback_url,
        "codeVerifier": verifier,
        "errorURL": str_field(body, "errorCallbackURL"),
        "newUserURL": str_field(body, "newUserCallbackURL"),
        "link": link.map(|u| json!({ "email": u.email, "userId": u.id })),
        "expiresAt": now_ms() + STATE_MS,
        "requestSignUp": bool_field(body, "requestSignUp"),
    });
    state
        .store
        .create_verification(&token, &data.to_string(), STATE_MS)?;
    Ok((token, verifier))
}

/// The redirect answer of `/sign-in/social` and `/link-social`: `{url, redirect}`, the
/// `Location` header unless `disableRedirect`, and the signed state cookie.
async fn redirect_answer(
    state: &AppState,
    headers: &HeaderMap,
    provider: &Provider,
    body: &Map<String, Value>,
    link: Option<&UserRow>,
) -> ApiResult {
    let base = base_url(headers);
    let callback = str_field(body, "callbackURL")
        .filter(|c| !c.is_empty())
        .map(str::to_owned)
        .unwrap_or_else(|| base.clone());
    let (token, verifier) = new_state(state, &callback, body, link)?;
    let redirect_uri = format!("{base}/api/auth/callback/{}", provider.config.id);
    let url = state
        .providers
        .authorization_url(
            provider,
            &redirect_uri,
            &token,
            &verifier,
            &scopes(body)?,
            str_field(body, "loginHint"),
        )
        .await
        .map_err(|e| {
            tracing::warn!("social provider {}: {e}", provider.config.id);
            ApiError::from_message(StatusCode::INTERNAL_SERVER_ERROR, "Internal Server Error")
        })?;
    let redirect = !bool_field(body, "disableRedirect").unwrap_or(false);
    let mut response = axum::Json(json!({ "url": url, "redirect": redirect })).into_response();
    if redirect && let Ok(location) = HeaderValue::from_str(&url) {
        response.headers_mut().insert(header::LOCATION, location);
    }
    let signed = crypto::sign_token(&state.secret, &token);
    set_cookie(
        &mut response,
        STATE_COOKIE,
        &crate::http::percent_encode(&signed),
        STATE_COOKIE_AGE_S,
    );
    Ok(response)
}

/// `POST /sign-in/social`: the provider's URL, or with `idToken` a session.
pub async fn sign_in_social(State(state): State<AppState>, input: Input) -> ApiResult {
    let requested = match &input.body {
        Some(Value::Object(b)) => b.get("provider").and_then(Value::as_str),
        _ => None,
    };
    let Some(requested) = requested else {
        return Err(ApiError::validation("[body.provider] Invalid input"));
    };
    let body = SIGN_IN_SOCIAL.check(&input.body)?;
    let Some(provider) = state.providers.get(requested) else {
        return Err(provider_not_found());
    };
    let id_token = id_token(body)?;
    let Some((token, nonce, access_token, refresh_token)) = id_token else {
        return redirect_answer(&state, &input.headers, provider, body, None).await;
    };
    let Some(info) = state
        .providers
        .verify_id_token(provider, &token, nonce.as_deref())
        .await
    else {
        return Err(unauthorized("INVALID_TOKEN", "Invalid token"));
    };
    if info.email.is_none() {
        return Err(unauthorized("USER_EMAIL_NOT_FOUND", "User email not found"));
    }
    // The ID-token path keeps only the access token on the account.
    let _ = refresh_token;
    let tokens = ProviderTokens {
        access_token,
        ..Default::default()
    };
    let (user, _) = oauth_user(&state, &provider.config.id, &info, tokens)
        .map_err(|message| unauthorized(&better_call_code(message), message))?;
    let (_, signed) = start_session(&state, &input.headers, &user, true)?;
    let session_token = signed.split('.').next().unwrap_or_default().to_owned();
    Ok(with_session(
        &state,
        json!({ "redirect": false, "token": session_token, "user": user_json(&state, &user) }),
        &signed,
        true,
    ))
}

/// better-call's code for a message: upper case, spaces to `_`, other punctuation dropped.
fn better_call_code(message: &str) -> String {
    message
        .to_uppercase()
        .replace(' ', "_")
        .chars()
        .filter(|c| c.is_ascii_alphanumeric() || *c == '_')
        .collect()
}

/// Better Auth's `handleOAuthUserInfo`: the user of a provider sign-in, found by the account,
/// else by e-mail (linked when the provider verified the address), else made. `true` when made.
fn oauth_user(
    state: &AppState,
    provider_id: &str,
    info: &UserInfo,
    tokens: ProviderTokens,
) -> Result<(UserRow, bool), &'static str> {
    let internal = |_| "internal server error";
    let email = info.email.clone().unwrap_or_default().to_lowercase();
    if let Some((account, user)) = state
        .store
        .provider_account(provider_id, &info.id)
        .map_err(internal)?
    {
        // `updateAccountOnSignIn` (on by default): fresh tokens on every sign-in.
        state
            .store
            .update_account_tokens(&account.id, &tokens)
            .map_err(internal)?;
        return Ok((user, false));
    }
    if let Some(user) = state.store.user_by_email(&email).map_err(internal)? {
        // No trusted providers on the platform: only a verified address links implicitly.
        if !info.email_verified {
            return Err("account not linked");
        }
        state
            .store
            .link_account(&user.id, provider_id, &info.id, &tokens)
            .map_err(|_| "unable to link account")?;
        if !user.email_verified {
            state.store.set_email_verified(&user.id).map_err(internal)?;
        }
        let user = state
            .store
            .user_by_id(&user.id)
            .map_err(internal)?
            .unwrap_or(user);
        return Ok((user, false));
    }
    let name = info.name.clone().unwrap_or_else(|| email.clone());
    let user = state
        .store
        .create_oauth_user(&email, &name, info.image.as_deref(), info.email_verified)
        .map_err(|_| "unable to create user")?
        .ok_or("unable to create user")?;
    state
        .store
        .link_account(&user.id, provider_id, &info.id, &tokens)
        .map_err(|_| "unable to create user")?;
    Ok((user, true))
}

fn stored(tokens: &Tokens) -> ProviderTokens {
    ProviderTokens {
        access_token: tokens.access_token.clone(),
        refresh_token: tokens.refresh_token.clone(),
        id_token: tokens.id_token.clone(),
        access_token_expires_at: tokens.access_token_expires_at,
        refresh_token_expires_at: tokens.refresh_token_expires_at,
        scope: tokens
            .scope
            .as_ref()
            .map(|s| s.split(' ').collect::<Vec<_>>().join(",")),
    }
}

/// `POST /callback/:id` (a `form_post` answer): Better Auth redirects to the GET with the
/// same parameters, so the browser sends its cookies.
pub async fn callback_post(
    Path(id): Path<String>,
    headers: HeaderMap,
    Query(query): Query<Map<String, Value>>,
    body: axum::body::Bytes,
) -> Response {
    let mut params = url::form_urlencoded::Serializer::new(String::new());
    for (k, v) in url::form_urlencoded::parse(&body) {
        if !query.contains_key(k.as_ref()) {
            params.append_pair(&k, &v);
        }
    }
    for (k, v) in &query {
        params.append_pair(k, v.as_str().unwrap_or_default());
    }
    found(&format!(
        "{}/api/auth/callback/{id}?{}",
        base_url(&headers),
        params.finish()
    ))
}

/// `GET /callback/:id`: finishes the code flow and redirects to the state's callback URL,
/// with `?ott=` when it signed someone in, or to its error URL with `?error=`.
pub async fn callback(
    State(state): State<AppState>,
    Path(id): Path<String>,
    headers: HeaderMap,
    Query(query): Query<Map<String, Value>>,
) -> ApiResult {
    let q = |k: &str| query.get(k).and_then(Value::as_str).map(str::to_owned);
    let base = base_url(&headers);
    let default_error_url = format!("{base}/api/auth/error");
    let Some(state_token) = q("state") else {
        return Ok(found(&format!("{default_error_url}?state=state_not_found")));
    };
    let restart = || {
        found(&format!(
            "{default_error_url}?error=please_restart_the_process"
        ))
    };
    let Some(filed) = state.store.find_verification(&state_token)? else {
        return Ok(restart());
    };
    state.store.delete_verifications(&state_token)?;
    let data: Value = serde_json::from_str(&filed.value).unwrap_or_default();
    let mut response = if filed.expired || data["expiresAt"].as_i64().unwrap_or(0) < now_ms() {
        restart()
    } else {
        finish_callback(&state, &id, &headers, &query, &data, default_error_url).await?
    };
    // Finding the state expires its (unchecked) cookie, whatever follows.
    set_cookie(&mut response, STATE_COOKIE, "", 0);
    Ok(response)
}

/// The callback once its state was found: the provider's answer, the code exchange, the user.
async fn finish_callback(
    state: &AppState,
    id: &str,
    headers: &HeaderMap,
    query: &Map<String, Value>,
    data: &Value,
    default_error_url: String,
) -> ApiResult {
    let q = |k: &str| query.get(k).and_then(Value::as_str).map(str::to_owned);
    let base = base_url(headers);
    let text = |k: &str| data[k].as_str().map(str::to_owned);
    let error_url = text("errorURL").unwrap_or(default_error_url);
    let on_error = |error: &str, description: Option<&str>| {
        let mut params = url::form_urlencoded::Serializer::new(String::new());
        params.append_pair("error", error);
        if let Some(d) = description {
            params.append_pair("error_description", d);
        }
        let sep = if error_url.contains('?') { '&' } else { '?' };
        Ok(found(&format!("{error_url}{sep}{}", params.finish())))
    };
    if let Some(error) = q("error") {
        return on_error(&error, q("error_description").as_deref());
    }
    let Some(code) = q("code") else {
        return on_error("no_code", None);
    };
    let Some(provider) = state.providers.get(id) else {
        return on_error("oauth_provider_not_found", None);
    };
    let redirect_uri = format!("{base}/api/auth/callback/{}", provider.config.id);
    let verifier = text("codeVerifier").unwrap_or_default();
    let tokens = match state
        .providers
        .exchange_code(provider, &code, &verifier, &redirect_uri)
        .await
    {
        Ok(tokens) => tokens,
        Err(e) => {
            tracing::info!("social provider {id}: {e}");
            return on_error("invalid_code", None);
        }
    };
    let Some(info) = state.providers.user_info(provider, &tokens).await else {
        return on_error("unable_to_get_user_info", None);
    };
    let Some(callback_url) = text("callbackURL") else {
        return on_error("no_callback_url", None);
    };
    if let Some(link) = data["link"].as_object() {
        return link_from_callback(
            state,
            provider,
            &info,
            &tokens,
            link,
            &callback_url,
            on_error,
        );
    }
    if info.email.is_none() {
        return on_error("email_not_found", None);
    }
    let (user, is_new) = match oauth_user(state, &provider.config.id, &info, stored(&tokens)) {
        Ok(found) => found,
        Err(message) => return on_error(&message.replace(' ', "_"), None),
    };
    let (session, signed) = start_session(state, headers, &user, true)?;
    let target = match text("newUserURL") {
        Some(new_user) if is_new => new_user,
        _ => callback_url,
    };
    let mut response = with_session(state, json!({}), &signed, true);
    *response.body_mut() = axum::body::Body::empty();
    response.headers_mut().remove(header::CONTENT_TYPE);
    *response.status_mut() = StatusCode::FOUND;
    let location = with_one_time_token(state, &target, &session.token)?;
    if let Ok(value) = HeaderValue::from_str(&location) {
        response.headers_mut().insert(header::LOCATION, value);
    }
    Ok(response)
}

/// The cross-domain plugin's hook on a redirect that signed someone in: a one-time token for
/// the new session (three minutes, once) added to the location as `ott`.
pub(crate) fn with_one_time_token(
    state: &AppState,
    location: &str,
    session_token: &str,
) -> ApiResult<String> {
    let Ok(mut url) = url::Url::parse(location) else {
        return Ok(location.to_owned());
    };
    let token = crate::routes::account::issue_one_time_token(state, session_token)?;
    let kept: Vec<(String, String)> = url
        .query_pairs()
        .filter(|(k, _)| k != "ott")
        .map(|(k, v)| (k.into_owned(), v.into_owned()))
        .collect();
    url.query_pairs_mut()
        .clear()
        .extend_pairs(kept)
        .append_pair("ott", &token);
    Ok(url.into())
}

/// The link branch of the callback: checks as Better Auth does, then links (or refreshes the
/// tokens of an account already linked to the same user) and redirects to the callback URL.
fn link_from_callback(
    state: &AppState,
    provider: &Provider,
    info: &UserInfo,
    tokens: &Tokens,
    link: &Map<String, Value>,
    callback_url: &str,
    on_error: impl Fn(&str, Option<&str>) -> ApiResult,
) -> ApiResult {
    let link_email = link
        .get("email")
        .and_then(Value::as_str)
        .unwrap_or_default();
    let link_user = link
        .get("userId")
        .and_then(Value::as_str)
        .unwrap_or_default();
    if !info.email_verified {
        return on_error("unable_to_link_account", None);
    }
    if info.email.as_deref().map(str::to_lowercase) != Some(link_email.to_lowercase()) {
        return on_error("email_doesn't_match", None);
    }
    match state.store.account_by_account_id(&info.id)? {
        Some(existing) if existing.user_id != link_user => {
            return on_error("account_already_linked_to_different_user", None);
        }
        Some(existing) => state
            .store
            .update_account_tokens(&existing.id, &stored(tokens))?,
        None => {
            state
                .store
                .link_account(link_user, &provider.config.id, &info.id, &stored(tokens))?
        }
    }
    Ok(found(callback_url))
}

const LINK_SOCIAL: Schema = Schema::open(&[
    req("provider", Ty::String),
    opt("callbackURL", Ty::String),
    opt("errorCallbackURL", Ty::String),
    opt("disableRedirect", Ty::Boolean),
    opt("requestSignUp", Ty::Boolean),
]);

/// `POST /link-social`: the provider's URL for linking, or with `idToken` the link itself.
pub async fn link_social(State(state): State<AppState>, input: Input) -> ApiResult {
    let (_, user) = require_session(&state, &input.headers)?;
    let body = LINK_SOCIAL.check(&input.body)?;
    let Some(provider) = state
        .providers
        .get(str_field(body, "provider").unwrap_or_default())
    else {
        return Err(provider_not_found());
    };
    let Some((token, nonce, access_token, refresh_token)) = id_token(body)? else {
        return redirect_answer(&state, &input.headers, provider, body, Some(&user)).await;
    };
    let Some(info) = state
        .providers
        .verify_id_token(provider, &token, nonce.as_deref())
        .await
    else {
        return Err(unauthorized("INVALID_TOKEN", "Invalid token"));
    };
    let Some(email) = info.email.as_deref() else {
        return Err(unauthorized("USER_EMAIL_NOT_FOUND", "User email not found"));
    };
    let linked =
        state.store.account_rows(&user.id)?.into_iter().any(|a| {
            a.provider_id == provider.config.id && a.account_id.as_deref() == Some(&info.id)
        });
    if !linked {
        if !info.email_verified {
            return Err(unauthorized(
                "ACCOUNT_NOT_LINKED_LINKING_NOT_ALLOWED",
                "Account not linked - linking not allowed",
            ));
        }
        if email.to_lowercase() != user.email.to_lowercase() {
            return Err(unauthorized(
                "ACCOUNT_NOT_LINKED_DIFFERENT_EMAILS_NOT_ALLOWED",
                "Account not linked - different emails not allowed",
            ));
        }
        let tokens = ProviderTokens {
            access_token,
            refresh_token,
            id_token: Some(token),
            ..Default::default()
        };
        state
            .store
            .link_account(&user.id, &provider.config.id, &info.id, &tokens)?;
    }
    Ok(axum::Json(json!({ "url": "", "status": true, "redirect": false })).into_response())
}

const ACCOUNT_SELECTOR: Schema = Schema::object(&[
    req("providerId", Ty::String),
    opt("accountId", Ty::String),
    opt("userId", Ty::String),
]);

fn bad_request(message: &str) -> ApiError {
    ApiError::from_message(StatusCode::BAD_REQUEST, message)
}

const UNLINK_ACCOUNT: Schema =
    Schema::object(&[req("providerId", Ty::String), opt("accountId", Ty::String)]);

/// `POST /unlink-account {providerId, accountId?}`: never the last account; a fresh session.
pub async fn unlink_account(State(state): State<AppState>, input: Input) -> ApiResult {
    let (session, user) = require_session(&state, &input.headers)?;
    if now_ms() - session.created_at > FRESH_AGE_MS {
        return Err(ApiError::coded(
            StatusCode::FORBIDDEN,
            "SESSION_NOT_FRESH",
            "Session is not fresh",
        ));
    }
    let body = UNLINK_ACCOUNT.check(&input.body)?;
    let provider_id = str_field(body, "providerId").unwrap_or_default();
    let account_id = str_field(body, "accountId");
    let accounts = state.store.account_rows(&user.id)?;
    if accounts.len() == 1 {
        // Thrown with the message only: better-call derives the code from it.
        return Err(ApiError::from_message(
            StatusCode::BAD_REQUEST,
            "You can't unlink your last account",
        ));
    }
    let Some(account) = accounts.iter().find(|a| {
        a.provider_id == provider_id
            && account_id.is_none_or(|id| a.account_id.as_deref().unwrap_or(&a.user_id) == id)
    }) else {
        return Err(ApiError::coded(
            StatusCode::BAD_REQUEST,
            "ACCOUNT_NOT_FOUND",
            "Account not found",
        ));
    };
    state.store.delete_account(&account.id)?;
    Ok(axum::Json(json!({ "status": true })).into_response())
}

/// The signed-in user's account with a provider (and account id, when given).
fn selected_account<'s>(
    state: &'s AppState,
    input: &Input,
    unknown_provider: fn(&str) -> String,
) -> ApiResult<(AccountRow, &'s Provider)> {
    let (_, user) = require_session(state, &input.headers)?;
    let body = ACCOUNT_SELECTOR.check(&input.body)?;
    let provider_id = str_field(body, "providerId").unwrap_or_default();
    let Some(provider) = state.providers.get(provider_id) else {
        return Err(bad_request(&unknown_provider(provider_id)));
    };
    let account_id = str_field(body, "accountId");
    let account = state
        .store
        .account_rows(&user.id)?
        .into_iter()
        .find(|a| {
            a.provider_id == provider_id
                && account_id.is_none_or(|id| a.account_id.as_deref() == Some(id))
        })
        .ok_or_else(|| bad_request("Account not found"))?;
    Ok((account, provider))
}

fn scopes_of(account: &AccountRow) -> Vec<String> {
    account
        .tokens
        .scope
        .as_deref()
        .map(|s| {
            s.split(',')
                .filter(|s| !s.is_empty())
                .map(str::to_owned)
                .collect()
        })
        .unwrap_or_default()
}

/// `POST /get-access-token`: the account's access token, refreshed when it expires within
/// five seconds and a refresh token is there.
pub async fn get_access_token(State(state): State<AppState>, input: Input) -> ApiResult {
    let (mut account, provider) = selected_account(&state, &input, |id| {
        format!("Provider {id} is not supported.")
    })?;
    let expiring = account
        .tokens
        .access_token_expires_at
        .is_some_and(|at| at - now_ms() < 5_000);
    if expiring && let Some(refresh) = account.tokens.refresh_token.clone() {
        let tokens = state
            .providers
            .refresh(provider, &refresh)
            .await
            .map_err(|_| bad_request("Failed to get a valid access token"))?;
        state
            .store
            .update_account_tokens(&account.id, &stored(&tokens))?;
        account = state
            .store
            .account_rows(&account.user_id)?
            .into_iter()
            .find(|a| a.id == account.id)
            .unwrap_or(account);
    }
    Ok(axum::Json(json!({
        "accessToken": account.tokens.access_token,
        "accessTokenExpiresAt": account.tokens.access_token_expires_at.map(iso),
        "scopes": scopes_of(&account),
        "idToken": account.tokens.id_token,
    }))
    .into_response())
}

/// `POST /refresh-token`: the provider's refresh grant; the account keeps the new tokens.
pub async fn refresh_token(State(state): State<AppState>, input: Input) -> ApiResult {
    let (account, provider) =
        selected_account(&state, &input, |id| format!("Provider {id} not found."))?;
    let Some(refresh) = account.tokens.refresh_token.clone() else {
        return Err(bad_request("Refresh token not found"));
    };
    let tokens = state
        .providers
        .refresh(provider, &refresh)
        .await
        .map_err(|_| bad_request("Failed to refresh access token"))?;
    state
        .store
        .update_account_tokens(&account.id, &stored(&tokens))?;
    // Better Auth leaves out what the provider did not give (undefined in JSON).
    let mut answer = json!({
        "accessToken": tokens.access_token,
        "refreshToken": tokens.refresh_token.or(account.tokens.refresh_token),
        "accessTokenExpiresAt": tokens.access_token_expires_at.map(iso),
        "refreshTokenExpiresAt": tokens.refresh_token_expires_at.map(iso),
        "scope": tokens.scope.map(|s| s.split(' ').collect::<Vec<_>>().join(",")),
        "idToken": tokens.id_token,
        "providerId": account.provider_id,
        "accountId": account.account_id,
    });
    if let Value::Object(fields) = &mut answer {
        fields.retain(|_, v| !v.is_null());
    }
    Ok(axum::Json(answer).into_response())
}

/// `GET /account-info?accountId=`: the provider's profile, read with the account's token.
pub async fn account_info(
    State(state): State<AppState>,
    headers: HeaderMap,
    Query(query): Query<Map<String, Value>>,
) -> ApiResult {
    let (_, user) = require_session(&state, &headers)?;
    let account_id = query.get("accountId").and_then(Value::as_str);
    let account = account_id
        .map(|id| state.store.account_by_account_id(id))
        .transpose()?
        .flatten()
        .filter(|a| a.user_id == user.id)
        .ok_or_else(|| bad_request("Account not found"))?;
    let Some(provider) = state.providers.get(&account.provider_id) else {
        return Err(ApiError::from_message(
            StatusCode::INTERNAL_SERVER_ERROR,
            &format!(
                "Provider account provider is {} but it is not configured",
                account.provider_id
            ),
        ));
    };
    let Some(access_token) = account.tokens.access_token.as_deref() else {
        return Err(bad_request("Access token not found"));
    };
    // Built-in OIDC providers (Google's, Apple's) read the profile from the stored ID token.
    let decoded = account
        .tokens
        .id_token
        .as_deref()
        .and_then(crate::oidc::decode_claims);
    let info = match decoded {
        Some(info) => info,
        None => match state.providers.profile(provider, access_token).await {
            Some(info) => info,
            None => return Err(bad_request("Access token not found")),
        },
    };
    Ok(axum::Json(json!({
        "user": {
            "id": info.id, "name": info.name, "email": info.email,
            "image": info.image, "emailVerified": info.email_verified,
        },
        "data": info.data,
    }))
    .into_response())
}

/// `GET /error?error=`: Better Auth's error page, where OAuth failures land without an error
/// callback URL.
pub async fn error_page(Query(query): Query<Map<String, Value>>) -> Response {
    let code = query
        .get("error")
        .or_else(|| query.get("state"))
        .and_then(Value::as_str)
        .unwrap_or("unknown");
    let escaped: String = code
        .chars()
        .filter(|c| c.is_ascii_alphanumeric() || "_-'.".contains(*c))
        .collect();
    axum::response::Html(format!(
        "<!DOCTYPE html><html><head><title>Error</title></head><body><h1>Error</h1><p>{escaped}</p></body></html>"
    ))
    .into_response()
}
