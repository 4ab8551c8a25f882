//! The platform's wire conventions: error bodies, JSON body parsing, credentials and cookies.

use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use cookie::{Cookie, SameSite};
use serde_json::{Map, Value, json};

use axum::extract::{FromRequest, Request};

use crate::AppState;
use crate::crypto;
use crate::schema::{self, Body, Media};
use crate::store::{SessionRow, UserRow};

/// Better Auth's session cookie name on plain http.
pub const SESSION_COOKIE: &str = "better-auth.session_token";
/// Set beside the session cookie when `rememberMe` is false.
pub const DONT_REMEMBER_COOKIE: &str = "better-auth.dont_remember";
/// The cookie cache (off on the platform; cleared with the session all the same).
const SESSION_DATA_COOKIE: &str = "better-auth.session_data";
const SESSION_MAX_AGE_S: i64 = 7 * 24 * 3600;

/// An error answer in one of the platform's shapes.
#[derive(Debug)]
pub struct ApiError {
    status: StatusCode,
    body: Option<Value>,
    /// Refused by the router (the body unreadable, the origin untrusted) before the endpoint
    /// ran, so no plugin's after hook sees the answer.
    before_endpoint: bool,
}

/// Marks an answer the router gave before the endpoint ran (see [`ApiError`]).
#[derive(Clone, Copy)]
pub struct RefusedByRouter;

impl ApiError {
    /// Better Auth / plugin shape: `{code, message}`.
    pub fn coded(status: StatusCode, code: &str, message: &str) -> Self {
        ApiError {
            status,
            body: Some(json!({ "code": code, "message": message })),
            before_endpoint: false,
        }
    }

    /// better-call derives the code from the message when none is given.
    pub fn from_message(status: StatusCode, message: &str) -> Self {
        let code: String = message
            .to_uppercase()
            .replace(' ', "_")
            .chars()
            .filter(|c| c.is_ascii_uppercase() || c.is_ascii_digit() || *c == '_')
            .collect();
        Self::coded(status, &code, message)
    }

    /// The gateway's shape: `{error, message}`.
    pub fn gateway(status: StatusCode, error: &str, message: &str) -> Self {
        ApiError {
            status,
            body: Some(json!({ "error": error, "message": message })),
            before_endpoint: false,
        }
    }

    /// zod validation failure: 400 `VALIDATION_ERROR` with `[body.<path>] <issue>`.
    pub fn validation(message: impl Into<String>) -> Self {
        Self::coded(StatusCode::BAD_REQUEST, "VALIDATION_ERROR", &message.into())
    }

    /// 401 from a session endpoint without a session: Better Auth 1.4 sends no body.
    pub fn unauthorized() -> Self {
        Self::empty(StatusCode::UNAUTHORIZED)
    }

    /// Any JSON body.
    pub fn json(status: StatusCode, body: Value) -> Self {
        ApiError {
            status,
            body: Some(body),
            before_endpoint: false,
        }
    }

    /// A status with an empty body (unknown routes, unexpected failures).
    pub fn empty(status: StatusCode) -> Self {
        ApiError {
            status,
            body: None,
            before_endpoint: false,
        }
    }
}

impl From<rusqlite::Error> for ApiError {
    fn from(e: rusqlite::Error) -> Self {
        tracing::error!("database error: {e}");
        ApiError::empty(StatusCode::INTERNAL_SERVER_ERROR)
    }
}

impl ApiError {
    /// The same error, as the router's (see [`RefusedByRouter`]).
    pub(crate) fn before_endpoint(mut self) -> Self {
        self.before_endpoint = true;
        self
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let mut response = match self.body {
            Some(body) => (self.status, axum::Json(body)).into_response(),
            None => self.status.into_response(),
        };
        if self.before_endpoint {
            response.extensions_mut().insert(RefusedByRouter);
        }
        response
    }
}

pub type ApiResult<T = Response> = Result<T, ApiError>;

/// A body of a Banata plugin endpoint: a JSON (or form) object, or none at all.
pub fn parse_body(headers: &HeaderMap, bytes: &axum::body::Bytes) -> ApiResult<Map<String, Value>> {
    match schema::read(headers, bytes, Media::Json)? {
        None => Ok(Map::new()),
        Some(Value::Object(map)) => Ok(map),
        Some(other) => Err(ApiError::validation(format!(
            "[body] Invalid input: expected object, received {}",
            type_name(&other)
        ))),
    }
}

/// A Better Auth endpoint's request after the router's checks: the body read as better-call
/// reads it, and the origin check of every non-GET request passed.
pub struct Input {
    pub headers: HeaderMap,
    pub body: Body,
}

impl FromRequest<AppState> for Input {
    type Rejection = ApiError;

    async fn from_request(request: Request, state: &AppState) -> Result<Self, ApiError> {
        let (parts, body) = request.into_parts();
        let bytes = axum::body::to_bytes(body, MAX_BODY_BYTES)
            .await
            .map_err(|_| ApiError::empty(StatusCode::PAYLOAD_TOO_LARGE).before_endpoint())?;
        let query: Vec<(String, String)> = parts
            .uri
            .query()
            .map(|q| {
                url::form_urlencoded::parse(q.as_bytes())
                    .into_owned()
                    .collect()
            })
            .unwrap_or_default();
        // Sign-in and sign-up also take form bodies (better-call's `allowedMediaTypes`).
        let path = parts.uri.path();
        let media = if path.ends_with("/sign-in/email") || path.ends_with("/sign-up/email") {
            Media::FormOrJson
        } else {
            Media::Json
        };
        let mut body =
            schema::read(&parts.headers, &bytes, media).map_err(ApiError::before_endpoint)?;
        let route = path.split_once("/api/auth").map_or(path, |(_, r)| r);
        crate::routes::cross_domain::rewrite_body(
            &parts.method,
            route,
            &crate::routes::verification::base_url(&parts.headers),
            &mut body,
        )?;
        let object = match &body {
            Some(Value::Object(map)) => Some(map),
            _ => None,
        };
        state
            .origins
            .check_request(&parts.headers, object, &query)
            .map_err(ApiError::before_endpoint)?;
        Ok(Input {
            headers: parts.headers,
            body,
        })
    }
}

/// Bodies larger than this are refused (Better Auth has no limit of its own; Convex's is 20 MB).
const MAX_BODY_BYTES: usize = 1 << 20;

pub fn type_name(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "boolean",
        Value::Number(_) => "number",
        Value::String(_) => "string",
        Value::Array(_) => "array",
        Value::Object(_) => "object",
    }
}

/// An optional string field (`null` counts as absent).
pub fn optional_str<'a>(body: &'a Map<String, Value>, field: &str) -> ApiResult<Option<&'a str>> {
    match body.get(field) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(s)) => Ok(Some(s)),
        Some(other) => Err(ApiError::validation(format!(
            "[body.{field}] Invalid input: expected string, received {}",
            type_name(other)
        ))),
    }
}

fn bearer(headers: &HeaderMap) -> Option<&str> {
    headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .map(str::trim)
        .filter(|v| !v.is_empty())
}

/// A request cookie's value (URL-decoded).
pub fn request_cookie(headers: &HeaderMap, name: &str) -> Option<String> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(n, _)| *n == name)
        .map(|(_, value)| percent_decode(value))
}

/// Adds a `Set-Cookie` for `name` (path `/`, HttpOnly, Lax; `max_age` seconds, 0 clears it).
pub fn set_cookie(response: &mut Response, name: &str, value: &str, max_age: i64) {
    let cookie = Cookie::build((name.to_owned(), value.to_owned()))
        .path("/")
        .http_only(true)
        .same_site(SameSite::Lax)
        .max_age(cookie::time::Duration::seconds(max_age))
        .build();
    append_cookie(response.headers_mut(), &cookie);
}

fn session_cookie(headers: &HeaderMap) -> Option<String> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(name, _)| *name == SESSION_COOKIE)
        .map(|(_, value)| percent_decode(value))
}

/// What the request presents as its session, as Better Auth's bearer plugin and cookie
/// reading see it.
pub enum Presented {
    /// Nothing, or a value whose signature does not verify (ignored, nothing cleared).
    Nothing,
    /// A validly signed token: its unsigned part.
    Token(String),
}

/// The bearer plugin takes `token.sig` URL-encoded and signs a bare token itself; a cookie
/// must carry a valid signature.
pub fn presented(state: &AppState, headers: &HeaderMap) -> Presented {
    let token = match bearer(headers) {
        // 1.4.21 drops the first `=` before decoding, so only the URL-encoded form (as
        // `set-auth-token` carries it) keeps its signature intact.
        Some(value) if value.contains('.') => {
            crypto::unsign_token(&state.secret, &percent_decode(&value.replacen('=', "", 1)))
        }
        Some(value) => Some(value.to_owned()),
        None => session_cookie(headers)
            .filter(|v| v.contains('.'))
            .and_then(|v| crypto::unsign_token(&state.secret, &v)),
    };
    token.map_or(Presented::Nothing, Presented::Token)
}

/// The session the request carries (bearer, else cookie), if it is valid and live.
pub fn current_session(
    state: &AppState,
    headers: &HeaderMap,
) -> ApiResult<Option<(SessionRow, UserRow)>> {
    if let Some(found) = crate::access::key_session(state, headers)? {
        return Ok(Some(found));
    }
    match presented(state, headers) {
        Presented::Nothing => Ok(None),
        Presented::Token(raw) => Ok(state.store.session_by_token(&raw)?),
    }
}

/// The session the request must carry; 401 `UNAUTHORIZED` without one.
pub fn require_session(state: &AppState, headers: &HeaderMap) -> ApiResult<(SessionRow, UserRow)> {
    current_session(state, headers)?.ok_or_else(ApiError::unauthorized)
}

/// Sets the signed `better-auth.dont_remember` mark of a sign-in with `rememberMe: false`
/// (a cookie for the browser's life).
pub fn set_dont_remember(state: &AppState, response: &mut Response) {
    let flag = percent_encode(&crypto::sign_token(&state.secret, "true"));
    append_cookie(
        response.headers_mut(),
        &Cookie::build((DONT_REMEMBER_COOKIE, flag))
            .path("/")
            .http_only(true)
            .same_site(SameSite::Lax)
            .build(),
    );
}

/// A JSON answer that also sets the session: the cookie (session-only and with
/// `better-auth.dont_remember` when not remembered), `set-auth-token` (the cookie value, URL-encoded
/// as Better Auth 1.4 sends it) and the expose header.
pub fn with_session(state: &AppState, body: Value, signed_token: &str, remember: bool) -> Response {
    let mut response = axum::Json(body).into_response();
    let value = percent_encode(signed_token);
    let mut session = Cookie::build((SESSION_COOKIE, value.clone()))
        .path("/")
        .http_only(true)
        .same_site(SameSite::Lax);
    if remember {
        session = session.max_age(cookie::time::Duration::seconds(SESSION_MAX_AGE_S));
    }
    let headers = response.headers_mut();
    append_cookie(headers, &session.build());
    // The multi-session plugin (on for every project) keeps each session of the browser in a
    // cookie of its own, named after the token, remembered for the full lifetime.
    let raw = signed_token.split('.').next().unwrap_or_default();
    append_cookie(
        headers,
        &Cookie::build((
            format!("{SESSION_COOKIE}_multi-{}", raw.to_lowercase()),
            value.clone(),
        ))
        .path("/")
        .http_only(true)
        .same_site(SameSite::Lax)
        .max_age(cookie::time::Duration::seconds(SESSION_MAX_AGE_S))
        .build(),
    );
    headers.insert(
        "set-auth-token",
        HeaderValue::from_str(&value).expect("token is ascii"),
    );
    headers.insert(
        "access-control-expose-headers",
        HeaderValue::from_static("set-auth-token"),
    );
    if !remember {
        set_dont_remember(state, &mut response);
    }
    response
}

/// A `302` to `location` with no body (better-call's `ctx.redirect`).
pub fn found(location: &str) -> Response {
    let mut response = StatusCode::FOUND.into_response();
    if let Ok(value) = HeaderValue::from_str(location) {
        response.headers_mut().insert(header::LOCATION, value);
    }
    response
}

/// Adds the cookies that end a session (Better Auth's `deleteSessionCookie`) to `response`.
pub fn clear_session_cookies(response: &mut Response) {
    for name in [SESSION_COOKIE, SESSION_DATA_COOKIE, DONT_REMEMBER_COOKIE] {
        let cleared = Cookie::build((name, ""))
            .path("/")
            .http_only(true)
            .same_site(SameSite::Lax)
            .max_age(cookie::time::Duration::ZERO)
            .build();
        append_cookie(response.headers_mut(), &cleared);
    }
}

/// A JSON answer that clears the session cookies.
pub fn clearing_session(body: Value) -> Response {
    let mut response = axum::Json(body).into_response();
    clear_session_cookies(&mut response);
    response
}

fn append_cookie(headers: &mut HeaderMap, cookie: &Cookie<'_>) {
    headers.append(
        header::SET_COOKIE,
        HeaderValue::from_str(&cookie.to_string()).expect("cookies are ascii"),
    );
}

// Cookie values carry base64 signatures; only these characters need escaping.
pub fn percent_encode(v: &str) -> String {
    v.replace('%', "%25")
        .replace('+', "%2B")
        .replace('/', "%2F")
        .replace('=', "%3D")
}

pub fn percent_decode(v: &str) -> String {
    v.replace("%2B", "+")
        .replace("%2F", "/")
        .replace("%3D", "=")
        .replace("%25", "%")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn derived_codes_match_better_call() {
        let e = ApiError::from_message(StatusCode::FORBIDDEN, "Missing permission: dashboard.read");
        assert_eq!(e.body.unwrap()["code"], "MISSING_PERMISSION_DASHBOARDREAD");
    }

    #[test]
    fn cookie_values_round_trip() {
        let v = "tok.ab+/cd==";
        assert_eq!(percent_decode(&percent_encode(v)), v);
    }
}
