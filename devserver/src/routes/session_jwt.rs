//! Session JWTs as the platform issues them (the `convex` plugin of `@convex-dev/better-auth`
//! 0.10.13 over Better Auth's `jwt` plugin): RS256, 15 minutes, `iss` the site URL, `aud`
//! `"convex"`, the user's fields (without `id` and `image`) with `sub`, `sessionId` and `iat`;
//! `GET /convex/token`, the key set at `GET /convex/jwks` (no `Cache-Control`, as the plugin
//! sends none), OIDC metadata, and `POST /__dev/rotate-keys`, which replaces every key as the
//! plugin's `rotateKeys` does (tokens signed before stop verifying).

use std::sync::RwLock;

use aws_lc_rs::rand::SystemRandom;
use aws_lc_rs::rsa::{KeyPair, KeySize};
use aws_lc_rs::signature::{KeyPair as _, RSA_PKCS1_SHA256};
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::IntoResponse;
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use serde_json::{Value, json};

use crate::AppState;
use crate::crypto;
use crate::http::{ApiError, ApiResult, require_session, set_cookie};
use crate::routes::auth::user_json;
use crate::routes::verification::base_url;
use crate::store::now_ms;

/// The plugin's `jwt.expirationSeconds` default.
const LIFETIME_S: i64 = 900;
const AUDIENCE: &str = "convex";
/// The cookie the plugin keeps the current JWT in.
const COOKIE: &str = "better-auth.convex_jwt";

struct SigningKey {
    kid: String,
    pair: KeyPair,
}

/// The signing keys, made on first use; the newest signs.
#[derive(Default)]
pub struct SigningKeys {
    keys: RwLock<Vec<SigningKey>>,
}

impl SigningKeys {
    fn ensure(&self) -> ApiResult<()> {
        if self
            .keys
            .read()
            .unwrap_or_else(|p| p.into_inner())
            .is_empty()
        {
            let mut keys = self.keys.write().unwrap_or_else(|p| p.into_inner());
            if keys.is_empty() {
                keys.push(new_key()?);
            }
        }
        Ok(())
    }

    /// Replaces every key with a new one.
    pub fn rotate(&self) -> ApiResult<String> {
        let key = new_key()?;
        let kid = key.kid.clone();
        *self.keys.write().unwrap_or_else(|p| p.into_inner()) = vec![key];
        Ok(kid)
    }

    fn sign(&self, claims: &Value) -> ApiResult<String> {
        self.ensure()?;
        let keys = self.keys.read().unwrap_or_else(|p| p.into_inner());
        let key = keys.last().expect("a key was made");
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
    }

    fn jwks(&self) -> ApiResult<Value> {
        self.ensure()?;
        let keys = self.keys.read().unwrap_or_else(|p| p.into_inner());
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
    }
}

fn new_key() -> ApiResult<SigningKey> {
    let pair = KeyPair::generate(KeySize::Rsa2048).map_err(|_| {
        ApiError::from_message(
            StatusCode::INTERNAL_SERVER_ERROR,
            "Failed to create a signing key",
        )
    })?;
    Ok(SigningKey {
        kid: crypto::random_token(32),
        pair,
    })
}

/// The token for the request's session, as the plugin signs it.
fn issue(state: &AppState, headers: &HeaderMap) -> ApiResult<String> {
    let (session, user) = require_session(state, headers)?;
    let mut claims = user_json(state, &user);
    if let Some(fields) = claims.as_object_mut() {
        fields.remove("id");
        fields.remove("image");
    }
    let now = now_ms() / 1000;
    claims["sessionId"] = json!(session.id);
    claims["iat"] = json!(now);
    claims["sub"] = json!(user.id);
    claims["iss"] = json!(base_url(headers));
    claims["aud"] = json!(AUDIENCE);
    claims["exp"] = json!(now + LIFETIME_S);
    state.signing_keys.sign(&claims)
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
    Ok(axum::Json(state.signing_keys.jwks()?).into_response())
}

/// `GET /convex/.well-known/openid-configuration`: where the keys are, for OIDC clients.
pub async fn openid_configuration(headers: HeaderMap) -> ApiResult {
    let site = base_url(&headers);
    Ok(axum::Json(json!({
        "issuer": site,
        "jwks_uri": format!("{site}/api/auth/convex/jwks"),
    }))
    .into_response())
}

/// `POST /__dev/rotate-keys`: new keys; tokens signed with the old ones stop verifying.
pub async fn rotate_keys(State(state): State<AppState>, headers: HeaderMap) -> ApiResult {
    crate::routes::dev::require_admin(&state, &headers)?;
    let kid = state.signing_keys.rotate()?;
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
    let token = state.signing_keys.sign(&claims)?;
    Ok(axum::Json(json!({ "token": token })).into_response())
}
