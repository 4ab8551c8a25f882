//! Session JWTs as the platform issues them (the `convex` plugin of `@convex-dev/better-auth`
//! 0.10.13 over Better Auth's `jwt` plugin): RS256, 15 minutes, `iss` the site URL, `aud`
//! `"convex"`, the user's fields (without `id` and `image`) with `sub`, `sessionId` and `iat`;
//! `GET /convex/token`, the key set at `GET /convex/jwks` (no `Cache-Control`, as the plugin
//! sends none), OIDC metadata, and `POST /__dev/rotate-keys`, which replaces every key as the
//! plugin's `rotateKeys` does (tokens signed before stop verifying). Its after hooks keep the
//! `better-auth.convex_jwt` cookie (see [`hooks`]). The jwt plugin's own `/token` and `/jwks`
//! are not mounted, on the platform neither.

use std::sync::RwLock;

use aws_lc_rs::encoding::{AsDer, Pkcs8V1Der};
use aws_lc_rs::rand::SystemRandom;
use aws_lc_rs::rsa::{KeyPair, KeySize};
use aws_lc_rs::signature::{KeyPair as _, RSA_PKCS1_SHA256};
use axum::extract::{Request, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use serde_json::{Value, json};

use crate::AppState;
use crate::crypto;
use crate::http::{
    ApiError, ApiResult, RefusedByRouter, SESSION_COOKIE, current_session, percent_decode,
    require_session, set_cookie,
};
use crate::routes::auth::user_json;
use crate::routes::multi_session::NewSessionUser;
use crate::routes::verification::base_url;
use crate::store::{Store, UserRow, new_id, now_ms};
use cookie::Cookie;

/// The plugin's `jwt.expirationSeconds` default.
const LIFETIME_S: i64 = 900;
const AUDIENCE: &str = "convex";
/// The cookie the plugin keeps the current JWT in.
const COOKIE: &str = "better-auth.convex_jwt";

struct SigningKey {
    kid: String,
    pair: KeyPair,
}

/// The signing keys, read from the store (or made) on first use; the newest signs.
#[derive(Default)]
pub struct SigningKeys {
    /// `None` until read from the store.
    keys: RwLock<Option<Vec<SigningKey>>>,
}

impl SigningKeys {
    /// The keys, read or made first; `use_keys` sees at least one.
    fn with_keys<T>(
        &self,
        store: &Store,
        use_keys: impl FnOnce(&[SigningKey]) -> ApiResult<T>,
    ) -> ApiResult<T> {
        {
            let keys = self.keys.read().unwrap_or_else(|p| p.into_inner());
            if let Some(keys) = keys.as_ref().filter(|k| !k.is_empty()) {
                return use_keys(keys);
            }
        }
        let mut slot = self.keys.write().unwrap_or_else(|p| p.into_inner());
        if slot.is_none() {
            let mut stored = Vec::new();
            for (kid, pkcs8) in store.signing_keys()? {
                match KeyPair::from_pkcs8(&pkcs8) {
                    Ok(pair) => stored.push(SigningKey { kid, pair }),
                    Err(_) => tracing::warn!("skipping an unreadable signing key {kid}"),
                }
            }
            *slot = Some(stored);
        }
        let keys = slot.get_or_insert_with(Vec::new);
        if keys.is_empty() {
            keys.push(new_key(store, false)?);
        }
        use_keys(keys)
    }

    /// Replaces every key with a new one.
    pub fn rotate(&self, store: &Store) -> ApiResult<String> {
        let mut slot = self.keys.write().unwrap_or_else(|p| p.into_inner());
        let key = new_key(store, true)?;
        let kid = key.kid.clone();
        *slot = Some(vec![key]);
        Ok(kid)
    }

    fn sign(&self, store: &Store, claims: &Value) -> ApiResult<String> {
        self.with_keys(store, |keys| {
            let key = keys.last().expect("with_keys gives one at least");
            let header = json!({ "alg": "RS256", "kid": key.kid });
            let signing_input = format!(
                "{}.{}",
                URL_SAFE_NO_PAD.encode(header.to_string()),
                URL_SAFE_NO_PAD.encode(claims.to_string())
            );
            let mut signature = vec![0; key.pair.public_modulus_len()];
            key.pair
                .sign(
                    &RSA_PKCS1_SHA256,
                    &SystemRandom::new(),
                    signing_input.as_bytes(),
                    &mut signature,
                )
                .map_err(|_| {
                    ApiError::from_message(
                        StatusCode::INTERNAL_SERVER_ERROR,
                        "Failed to sign the token",
                    )
                })?;
            Ok(format!(
                "{signing_input}.{}",
                URL_SAFE_NO_PAD.encode(signature)
            ))
        })
    }

    fn jwks(&self, store: &Store) -> ApiResult<Value> {
        self.with_keys(store, |keys| {
            let listed: Vec<Value> = keys
                .iter()
                .map(|k| {
                    let public = k.pair.public_key();
                    json!({
                        "alg": "RS256",
                        "kty": "RSA",
                        "n": URL_SAFE_NO_PAD.encode(public.modulus().big_endian_without_leading_zero()),
                        "e": URL_SAFE_NO_PAD.encode(public.exponent().big_endian_without_leading_zero()),
                        "kid": k.kid,
                    })
                })
                .collect();
            Ok(json!({ "keys": listed }))
        })
    }
}

/// A new key, stored (with `replace`, as the only one).
fn new_key(store: &Store, replace: bool) -> ApiResult<SigningKey> {
    let failed = || {
        ApiError::from_message(
            StatusCode::INTERNAL_SERVER_ERROR,
            "Failed to create a signing key",
        )
    };
    let pair = KeyPair::generate(KeySize::Rsa2048).map_err(|_| failed())?;
    let pkcs8: Pkcs8V1Der<'_> = pair.as_der().map_err(|_| failed())?;
    let kid = crypto::random_token(32);
    store.add_signing_key(&kid, pkcs8.as_ref(), replace)?;
    Ok(SigningKey { kid, pair })
}

/// The token for the request's session, as the plugin signs it.
fn issue(state: &AppState, headers: &HeaderMap) -> ApiResult<String> {
    let (session, user) = require_session(state, headers)?;
    sign_for(state, headers, &session.id, &user)
}

/// A token for `session_id` of `user`: their fields but `id` and `image`, then `sessionId`,
/// `iat`, `sub`, `iss`, `aud` and `exp`.
fn sign_for(
    state: &AppState,
    headers: &HeaderMap,
    session_id: &str,
    user: &UserRow,
) -> ApiResult<String> {
    let mut claims = user_json(state, user);
    if let Some(fields) = claims.as_object_mut() {
        fields.remove("id");
        fields.remove("image");
    }
    let now = now_ms() / 1000;
    claims["sessionId"] = json!(session_id);
    claims["iat"] = json!(now);
    claims["sub"] = json!(user.id);
    claims["iss"] = json!(base_url(headers));
    claims["aud"] = json!(AUDIENCE);
    claims["exp"] = json!(now + LIFETIME_S);
    state.signing_keys.sign(&state.store, &claims)
}

/// The plugin's after hooks, around every auth route: an answer that signs someone in (or a
/// `get-session` that finds a session) also sets the `convex_jwt` cookie, for server-side
/// rendering; sign-out, account deletion and a `get-session` without a session clear it.
pub async fn hooks(State(state): State<AppState>, request: Request, next: Next) -> Response {
    let path = request.uri().path();
    let path = path.strip_prefix("/api/auth").unwrap_or(path);
    let hook = if ISSUING.iter().any(|p| path.starts_with(p)) {
        Hook::NewSession
    } else if path.starts_with("/get-session") {
        Hook::CurrentSession
    } else if path.starts_with("/sign-out") || path.starts_with("/delete-user") {
        Hook::Clear
    } else {
        return next.run(request).await;
    };
    let headers = request.headers().clone();
    let mut response = next.run(request).await;
    // Answers given before the endpoint ran pass no after hook: the router's refusals, the
    // api-key plugin's (a bad key; a good one answers get-session itself).
    if response.extensions().get::<RefusedByRouter>().is_some() {
        return response;
    }
    if headers.contains_key("x-api-key") {
        match crate::access::key_session(&state, &headers) {
            Err(_) => return response,
            Ok(Some(_)) if matches!(hook, Hook::CurrentSession) => return response,
            Ok(_) => {}
        }
    }
    let signed_for = match hook {
        Hook::NewSession => new_session(&state, &response),
        Hook::CurrentSession => match current_session(&state, &headers) {
            Ok(Some((session, user))) => Some((session.id, user)),
            _ => {
                set_cookie(&mut response, COOKIE, "", 0);
                None
            }
        },
        Hook::Clear => {
            set_cookie(&mut response, COOKIE, "", 0);
            None
        }
    };
    // Signing fails only with the keys; the plugin swallows that and sets no cookie.
    if let Some(token) =
        signed_for.and_then(|(id, user)| sign_for(&state, &headers, &id, &user).ok())
    {
        set_cookie(&mut response, COOKIE, &token, LIFETIME_S);
    }
    response
}

/// The paths the plugin's hook treats as signing in (it matches on their start).
const ISSUING: [&str; 8] = [
    "/sign-in",
    "/sign-up",
    "/callback",
    "/oauth2/callback",
    "/magic-link/verify",
    "/email-otp/verify-email",
    "/phone-number/verify",
    "/siwe/verify",
];

enum Hook {
    NewSession,
    CurrentSession,
    Clear,
}

/// The session an answer set, as Better Auth's `newSession`. A sign-in that waits for its
/// second factor set one too before the two-factor hook ended it, and 1.4.21's convex plugin
/// still signs a token for it: a valid JWT for a session that no longer exists.
fn new_session(state: &AppState, response: &Response) -> Option<(String, UserRow)> {
    let value = response
        .headers()
        .get_all(header::SET_COOKIE)
        .iter()
        .filter_map(|line| Cookie::parse(line.to_str().ok()?.to_owned()).ok())
        .find(|c| c.name() == SESSION_COOKIE && !c.value().is_empty())?
        .value()
        .to_owned();
    let token = crypto::unsign_token(&state.secret, &percent_decode(&value))?;
    if let Ok(Some((session, user))) = state.store.session_by_token(&token) {
        return Some((session.id, user));
    }
    let NewSessionUser(user_id) = response.extensions().get::<NewSessionUser>()?;
    let user = state.store.user_by_id(user_id).ok().flatten()?;
    Some((new_id(), user))
}

/// `GET /convex/token`: `{token}` for the session, also kept in the `convex_jwt` cookie.
pub async fn token(State(state): State<AppState>, headers: HeaderMap) -> ApiResult {
    let token = issue(&state, &headers)?;
    let mut response = axum::Json(json!({ "token": token })).into_response();
    set_cookie(&mut response, COOKIE, &token, LIFETIME_S);
    Ok(response)
}

/// `GET /convex/jwks`: the public keys.
pub async fn jwks(State(state): State<AppState>) -> ApiResult {
    Ok(axum::Json(state.signing_keys.jwks(&state.store)?).into_response())
}

/// `GET /convex/.well-known/openid-configuration`: the oidc-provider plugin's metadata, as the
/// convex plugin serves it. Only `issuer` and `jwks_uri` are of use: the plugin mounts none of
/// the `/oauth2/*` endpoints it names (404 on the platform too), and the signing algorithms it
/// lists are the oidc-provider's defaults, not the RS256 the tokens use.
pub async fn openid_configuration(headers: HeaderMap) -> ApiResult {
    let site = base_url(&headers);
    let auth = format!("{site}/api/auth");
    Ok(axum::Json(json!({
        "issuer": site,
        "authorization_endpoint": format!("{auth}/oauth2/authorize"),
        "token_endpoint": format!("{auth}/oauth2/token"),
        "userinfo_endpoint": format!("{auth}/oauth2/userinfo"),
        "jwks_uri": format!("{auth}/convex/jwks"),
        "registration_endpoint": format!("{auth}/oauth2/register"),
        "end_session_endpoint": format!("{auth}/oauth2/endsession"),
        "scopes_supported": ["openid", "profile", "email", "offline_access"],
        "response_types_supported": ["code"],
        "response_modes_supported": ["query"],
        "grant_types_supported": ["authorization_code", "refresh_token"],
        "acr_values_supported": [
            "urn:mace:incommon:iap:silver",
            "urn:mace:incommon:iap:bronze"
        ],
        "subject_types_supported": ["public"],
        "id_token_signing_alg_values_supported": ["HS256", "none"],
        "token_endpoint_auth_methods_supported": [
            "client_secret_basic",
            "client_secret_post",
            "none"
        ],
        "code_challenge_methods_supported": ["S256"],
        "claims_supported": [
            "sub", "iss", "aud", "exp", "nbf", "iat", "jti", "email", "email_verified", "name"
        ],
    }))
    .into_response())
}

/// `POST /__dev/rotate-keys`: new keys; tokens signed with the old ones stop verifying.
pub async fn rotate_keys(State(state): State<AppState>, headers: HeaderMap) -> ApiResult {
    crate::routes::dev::require_admin(&state, &headers)?;
    let kid = state.signing_keys.rotate(&state.store)?;
    Ok(axum::Json(json!({ "kid": kid })).into_response())
}

/// `POST /__dev/sign-jwt {claims}`: any claims signed with the project's current key, to test
/// how an app's backend refuses expired, early or misaddressed tokens.
pub async fn sign_jwt(
    State(state): State<AppState>,
    headers: HeaderMap,
    axum::Json(body): axum::Json<Value>,
) -> ApiResult {
    crate::routes::dev::require_admin(&state, &headers)?;
    let claims = body.get("claims").cloned().unwrap_or_else(|| json!({}));
    let token = state.signing_keys.sign(&state.store, &claims)?;
    Ok(axum::Json(json!({ "token": token })).into_response())
}
