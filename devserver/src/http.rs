//! The platform's wire conventions: error bodies, JSON body parsing, credentials and cookies.

use axum::body::Bytes;
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde_json::{Map, Value, json};

use crate::AppState;
use crate::crypto;
use crate::store::{ApiKeyRow, SessionRow, UserRow};

/// Better Auth's session cookie name on plain http.
pub const SESSION_COOKIE: &str = "better-auth.session_token";
const SESSION_MAX_AGE_S: i64 = 7 * 24 * 3600;

/// An error answer in one of the platform's shapes.
#[derive(Debug)]
pub struct ApiError {
    status: StatusCode,
    body: Option<Value>,
}

impl ApiError {
    /// Better Auth / plugin shape: `{code, message}`.
    pub fn coded(status: StatusCode, code: &str, message: &str) -> Self {
        ApiError {
            status,
            body: Some(json!({ "code": code, "message": message })),
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
        }
    }

    /// zod validation failure: 400 `VALIDATION_ERROR` with `[body.<path>] <issue>`.
    pub fn validation(message: impl Into<String>) -> Self {
        Self::coded(StatusCode::BAD_REQUEST, "VALIDATION_ERROR", &message.into())
    }

    /// 401 from a session endpoint without a session.
    pub fn unauthorized() -> Self {
        Self::coded(StatusCode::UNAUTHORIZED, "UNAUTHORIZED", "Unauthorized")
    }

    /// A status with an empty body (unknown routes, unexpected failures).
    pub fn empty(status: StatusCode) -> Self {
        ApiError { status, body: None }
    }
}

impl From<rusqlite::Error> for ApiError {
    fn from(e: rusqlite::Error) -> Self {
        tracing::error!("database error: {e}");
        ApiError::empty(StatusCode::INTERNAL_SERVER_ERROR)
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        match self.body {
            Some(body) => (self.status, axum::Json(body)).into_response(),
            None => self.status.into_response(),
        }
    }
}

pub type ApiResult<T = Response> = Result<T, ApiError>;

/// Parses a request body as Better Auth does: JSON objects only, with its error answers.
pub fn parse_body(headers: &HeaderMap, bytes: &Bytes) -> ApiResult<Map<String, Value>> {
    let content_type = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    if content_type.is_empty() {
        if bytes.is_empty() {
            return Ok(Map::new());
        }
        return Err(ApiError::validation(
            "[body] Invalid input: expected object, received undefined",
        ));
    }
    if !content_type.starts_with("application/json") {
        return Err(ApiError::coded(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "UNSUPPORTED_MEDIA_TYPE",
            "Unsupported media type. Expected application/json",
        ));
    }
    if bytes.iter().all(u8::is_ascii_whitespace) {
        return Ok(Map::new());
    }
    match serde_json::from_slice::<Value>(bytes) {
        Ok(Value::Object(map)) => Ok(map),
        Ok(other) => Err(ApiError::validation(format!(
            "[body] Invalid input: expected object, received {}",
            type_name(&other)
        ))),
        Err(_) => Err(ApiError::coded(
            StatusCode::BAD_REQUEST,
            "BAD_REQUEST",
            "Invalid JSON in request body",
        )),
    }
}

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

/// A required string field.
pub fn required_str<'a>(body: &'a Map<String, Value>, field: &str) -> ApiResult<&'a str> {
    match body.get(field) {
        Some(Value::String(s)) => Ok(s),
        Some(other) => Err(ApiError::validation(format!(
            "[body.{field}] Invalid input: expected string, received {}",
            type_name(other)
        ))),
        None => Err(ApiError::validation(format!(
            "[body.{field}] Invalid input: expected string, received undefined"
        ))),
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

/// An optional boolean field.
pub fn optional_bool(body: &Map<String, Value>, field: &str) -> ApiResult<Option<bool>> {
    match body.get(field) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::Bool(b)) => Ok(Some(*b)),
        Some(other) => Err(ApiError::validation(format!(
            "[body.{field}] Invalid input: expected boolean, received {}",
            type_name(other)
        ))),
    }
}

fn bearer(headers: &HeaderMap) -> Option<&str> {
    headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| {
            v.strip_prefix("Bearer ")
                .or_else(|| v.strip_prefix("bearer "))
        })
        .map(str::trim)
        .filter(|v| !v.is_empty())
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

/// The session the request carries (bearer, else cookie), if it is valid and live.
pub fn current_session(
    state: &AppState,
    headers: &HeaderMap,
) -> ApiResult<Option<(SessionRow, UserRow)>> {
    let presented = bearer(headers)
        .map(str::to_owned)
        .or_else(|| session_cookie(headers));
    let Some(raw) = presented.and_then(|v| crypto::unsign_token(&state.secret, &v)) else {
        return Ok(None);
    };
    Ok(state.store.session_by_token(&raw)?)
}

/// The session the request must carry; 401 `UNAUTHORIZED` without one.
pub fn require_session(state: &AppState, headers: &HeaderMap) -> ApiResult<(SessionRow, UserRow)> {
    current_session(state, headers)?.ok_or_else(ApiError::unauthorized)
}

/// The API key the request carries: `x-api-key` anywhere, bearer where `bearer_is_key` (the
/// management paths `/api/auth/{admin,banata,organization,api-key}/`).
pub fn api_key(
    state: &AppState,
    headers: &HeaderMap,
    bearer_is_key: bool,
) -> ApiResult<Option<ApiKeyRow>> {
    let presented = headers
        .get("x-api-key")
        .and_then(|v| v.to_str().ok())
        .or_else(|| bearer_is_key.then(|| bearer(headers)).flatten());
    let Some(key) = presented else {
        return Ok(None);
    };
    match state.store.api_key(key)? {
        Some(row) => Ok(Some(row)),
        None => Err(ApiError::coded(
            StatusCode::UNAUTHORIZED,
            "INVALID_API_KEY",
            "Invalid API key.",
        )),
    }
}

/// A project-scoped permission check as the config plugin does it. Only for handlers on the
/// management paths, where bearer carries the API key.
pub fn require_permission(
    state: &AppState,
    headers: &HeaderMap,
    body: &Map<String, Value>,
    permission: &str,
) -> ApiResult<ApiKeyRow> {
    let Some(key) = api_key(state, headers, true)? else {
        return Err(ApiError::coded(
            StatusCode::UNAUTHORIZED,
            "AUTHENTICATION_REQUIRED",
            "Authentication required",
        ));
    };
    if let Some(project) = optional_str(body, "projectId")? {
        if project != key.project_id {
            return Err(ApiError::gateway(
                StatusCode::FORBIDDEN,
                "PROJECT_SCOPE_MISMATCH",
                "The requested project does not match the API key's project.",
            ));
        }
    }
    if !key.allows(permission) {
        return Err(ApiError::from_message(
            StatusCode::FORBIDDEN,
            &format!("Missing permission: {permission}"),
        ));
    }
    Ok(key)
}

/// The CSRF rule: a cookie-carrying POST needs a trusted `Origin`; any `Origin` sent must be
/// trusted (loopback origins are).
pub fn check_origin(headers: &HeaderMap) -> ApiResult<()> {
    let origin = headers.get(header::ORIGIN).and_then(|v| v.to_str().ok());
    match origin {
        Some(o) if !is_trusted_origin(o) => Err(ApiError::coded(
            StatusCode::FORBIDDEN,
            "INVALID_ORIGIN",
            "Invalid origin",
        )),
        None if headers.contains_key(header::COOKIE) => Err(ApiError::coded(
            StatusCode::FORBIDDEN,
            "MISSING_OR_NULL_ORIGIN",
            "Missing or null Origin",
        )),
        _ => Ok(()),
    }
}

fn is_trusted_origin(origin: &str) -> bool {
    ["http://127.0.0.1", "http://localhost", "http://[::1]"]
        .iter()
        .any(|base| origin == *base || origin.starts_with(&format!("{base}:")))
}

/// A JSON answer that also sets the session: cookie, `set-auth-token`, and the expose header.
pub fn with_session(body: Value, signed_token: &str, remember: bool) -> Response {
    let mut response = axum::Json(body).into_response();
    let max_age = if remember {
        format!("; Max-Age={SESSION_MAX_AGE_S}")
    } else {
        String::new()
    };
    let cookie = format!(
        "{SESSION_COOKIE}={}{max_age}; Path=/; HttpOnly; SameSite=Lax",
        percent_encode(signed_token)
    );
    let headers = response.headers_mut();
    headers.append(
        header::SET_COOKIE,
        HeaderValue::from_str(&cookie).expect("cookie is ascii"),
    );
    headers.insert(
        "set-auth-token",
        HeaderValue::from_str(signed_token).expect("token is ascii"),
    );
    headers.insert(
        "access-control-expose-headers",
        HeaderValue::from_static("set-auth-token"),
    );
    response
}

/// A JSON answer that clears the session cookies.
pub fn clearing_session(body: Value) -> Response {
    let mut response = axum::Json(body).into_response();
    for name in [
        SESSION_COOKIE,
        "better-auth.session_data",
        "better-auth.dont_remember",
    ] {
        let cookie = format!("{name}=; Max-Age=0; Path=/; HttpOnly; SameSite=Lax");
        response.headers_mut().append(
            header::SET_COOKIE,
            HeaderValue::from_str(&cookie).expect("ascii"),
        );
    }
    response
}

// Cookie values carry base64 signatures; only these characters need escaping.
fn percent_encode(v: &str) -> String {
    v.replace('%', "%25")
        .replace('+', "%2B")
        .replace('/', "%2F")
        .replace('=', "%3D")
}

fn percent_decode(v: &str) -> String {
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
