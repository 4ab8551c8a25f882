//! Better Auth's api-key plugin routes as the platform configures them (metadata on, the
//! per-key rate limit off): a signed-in user creates, lists, reads, updates and deletes their
//! own keys. Keys are stored hashed and shown once; a key acts as its owner (`x-api-key`).

use axum::extract::{Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::IntoResponse;
use serde::Deserialize;
use serde_json::{Map, Value, json};

use crate::AppState;
use crate::http::{ApiError, ApiResult, Input, require_session};
use crate::routes::auth::iso;
use crate::schema::{Schema, Ty, bool_field, opt, req, str_field};
use crate::store::{ApiKeyRow, NewApiKey, PROJECT_ID, now_ms};

/// The plugin's defaults: names and prefixes of 1 to 32 characters, expiry 1 to 365 days.
const NAME_LENGTH: std::ops::RangeInclusive<usize> = 1..=32;
const PREFIX_LENGTH: std::ops::RangeInclusive<usize> = 1..=32;
const EXPIRES_IN_DAYS: std::ops::RangeInclusive<f64> = 1.0..=365.0;
/// Fields only the server itself may set.
const SERVER_ONLY: &[&str] = &[
    "refillAmount",
    "refillInterval",
    "rateLimitMax",
    "rateLimitTimeWindow",
    "rateLimitEnabled",
    "permissions",
    "remaining",
];

fn bad_request(message: &str) -> ApiError {
    ApiError::from_message(StatusCode::BAD_REQUEST, message)
}

fn not_found() -> ApiError {
    ApiError::from_message(StatusCode::NOT_FOUND, "API Key not found")
}

/// A key as the plugin answers it (`key` only at creation).
fn key_json(row: &ApiKeyRow, key: Option<&str>) -> Value {
    let mut out = json!({
        "name": row.name, "start": row.start, "prefix": row.prefix,
    });
    if let Some(key) = key {
        out["key"] = json!(key);
    }
    let rest = json!({
        "userId": row.user_id, "refillInterval": null, "refillAmount": null,
        "lastRefillAt": null, "enabled": row.enabled, "rateLimitEnabled": false,
        "rateLimitTimeWindow": 86_400_000, "rateLimitMax": 10, "requestCount": 0,
        "remaining": null, "lastRequest": null, "expiresAt": row.expires_at.map(iso),
        "createdAt": iso(row.created_at), "updatedAt": iso(row.updated_at),
        "permissions": permissions_json(&row.permissions), "metadata": row.metadata,
        "id": row.id,
    });
    let (Value::Object(out_map), Value::Object(rest)) = (&mut out, rest) else {
        unreachable!("both are objects")
    };
    out_map.extend(rest);
    out
}

/// `["dashboard.read"]` as the plugin's `{"dashboard": ["read"]}`.
fn permissions_json(permissions: &[String]) -> Value {
    if permissions.is_empty() {
        return Value::Null;
    }
    let mut out = Map::new();
    for p in permissions {
        let (resource, action) = p.split_once('.').unwrap_or((p, "*"));
        let actions = out.entry(resource).or_insert_with(|| json!([]));
        if let Value::Array(list) = actions {
            list.push(json!(action));
        }
    }
    Value::Object(out)
}

fn check_expires_in(body: &Map<String, Value>) -> ApiResult<Option<i64>> {
    let Some(seconds) = body.get("expiresIn").and_then(Value::as_f64) else {
        return Ok(None);
    };
    let days = seconds / (24.0 * 3600.0);
    if days < *EXPIRES_IN_DAYS.start() {
        return Err(bad_request(
            "The expiresIn is smaller than the predefined minimum value.",
        ));
    }
    if days > *EXPIRES_IN_DAYS.end() {
        return Err(bad_request(
            "The expiresIn is larger than the predefined maximum value.",
        ));
    }
    Ok(Some(now_ms() + (seconds * 1000.0) as i64))
}

fn check_metadata(body: &Map<String, Value>) -> ApiResult<Option<Value>> {
    match body.get("metadata") {
        None | Some(Value::Null) => Ok(None),
        Some(m @ (Value::Object(_) | Value::Array(_))) => Ok(Some(m.clone())),
        Some(Value::Bool(false)) => Ok(None),
        Some(_) => Err(bad_request("metadata must be an object or undefined")),
    }
}

fn check_name(name: Option<&str>) -> ApiResult<()> {
    match name {
        Some(n) if !n.is_empty() && !NAME_LENGTH.contains(&n.chars().count()) => Err(bad_request(
            "The name length is either too large or too small.",
        )),
        _ => Ok(()),
    }
}

const CREATE: Schema = Schema::object(&[
    opt("name", Ty::String),
    opt("expiresIn", Ty::NumberOrNull),
    opt("userId", Ty::String),
    opt("prefix", Ty::String),
    opt("remaining", Ty::NumberOrNull),
    opt("refillAmount", Ty::Number),
    opt("refillInterval", Ty::Number),
    opt("rateLimitTimeWindow", Ty::Number),
    opt("rateLimitMax", Ty::Number),
    opt("rateLimitEnabled", Ty::Boolean),
]);

/// `POST /api-key/create`: a new key of the signed-in user, shown once.
pub async fn create(State(state): State<AppState>, input: Input) -> ApiResult {
    let body = CREATE.check(&input.body)?;
    // The schema's own rule for prefixes (a zod regex).
    if str_field(body, "prefix").is_some_and(|p| {
        !p.chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-')
    }) {
        return Err(ApiError::validation(
            "[body.prefix] Invalid prefix format, must be alphanumeric and contain only underscores and hyphens.",
        ));
    }
    let unauthorized =
        || ApiError::from_message(StatusCode::UNAUTHORIZED, "Unauthorized or invalid session");
    let (_, user) =
        crate::http::current_session(&state, &input.headers)?.ok_or_else(unauthorized)?;
    if str_field(body, "userId").is_some_and(|id| id != user.id) {
        return Err(unauthorized());
    }
    // `remaining: null` is the schema's default, not a setting.
    let server_only = SERVER_ONLY.iter().any(|f| {
        !matches!(
            (*f, body.get(*f)),
            ("remaining", Some(Value::Null)) | (_, None)
        )
    });
    if server_only {
        return Err(bad_request(
            "The property you're trying to set can only be set from the server auth instance only.",
        ));
    }
    let mut metadata = check_metadata(body)?;
    let expires_at = check_expires_in(body)?;
    let prefix = str_field(body, "prefix").filter(|p| !p.is_empty());
    if let Some(p) = prefix
        && !PREFIX_LENGTH.contains(&p.chars().count())
    {
        return Err(bad_request(
            "The prefix length is either too large or too small.",
        ));
    }
    let name = str_field(body, "name");
    check_name(name)?;
    // The gateway scopes a key made with a project header to that project.
    let project = requested_project(&input.headers, body);
    if let Some(project) = &project {
        let stamped = metadata.get_or_insert_with(|| json!({}));
        if let Value::Object(m) = stamped {
            m.insert("projectId".into(), json!(project));
        }
    }
    let key = crate::crypto::new_api_key(prefix.unwrap_or(""));
    let row = state.store.insert_api_key(
        &key,
        NewApiKey {
            name: name.map(str::to_owned),
            prefix: prefix.map(str::to_owned),
            user_id: Some(user.id),
            project_id: project,
            expires_at,
            metadata,
            ..Default::default()
        },
    )?;
    Ok(axum::Json(key_json(&row, Some(&key))).into_response())
}

fn requested_project(headers: &HeaderMap, body: &Map<String, Value>) -> Option<String> {
    body.get("projectId")
        .and_then(Value::as_str)
        .or_else(|| {
            headers
                .get("x-banata-project-id")
                .and_then(|v| v.to_str().ok())
        })
        .filter(|p| *p == PROJECT_ID)
        .map(str::to_owned)
}

/// `GET /api-key/list`: the signed-in user's keys.
pub async fn list(State(state): State<AppState>, headers: HeaderMap) -> ApiResult {
    let (_, user) = require_session(&state, &headers)?;
    let keys: Vec<Value> = state
        .store
        .api_keys_of(&user.id)?
        .iter()
        .map(|k| key_json(k, None))
        .collect();
    Ok(axum::Json(keys).into_response())
}

#[derive(Deserialize)]
pub struct GetQuery {
    id: Option<String>,
}

/// `GET /api-key/get?id=`
pub async fn get(
    State(state): State<AppState>,
    headers: HeaderMap,
    Query(query): Query<GetQuery>,
) -> ApiResult {
    let Some(id) = query.id else {
        return Err(ApiError::validation(
            "[query.id] Invalid input: expected string, received undefined",
        ));
    };
    let (_, user) = require_session(&state, &headers)?;
    let row = state
        .store
        .api_key_of(&user.id, &id)?
        .ok_or_else(not_found)?;
    Ok(axum::Json(key_json(&row, None)).into_response())
}

const UPDATE: Schema = Schema::object(&[
    req("keyId", Ty::String),
    opt("userId", Ty::String),
    opt("name", Ty::String),
    opt("enabled", Ty::Boolean),
    opt("remaining", Ty::Number),
    opt("refillAmount", Ty::Number),
    opt("refillInterval", Ty::Number),
    opt("expiresIn", Ty::NumberOrNull),
    opt("rateLimitEnabled", Ty::Boolean),
    opt("rateLimitTimeWindow", Ty::Number),
    opt("rateLimitMax", Ty::Number),
]);

/// `POST /api-key/update {keyId, name?, enabled?, expiresIn?, metadata?}`
pub async fn update(State(state): State<AppState>, input: Input) -> ApiResult {
    let body = UPDATE.check(&input.body)?;
    let unauthorized =
        || ApiError::from_message(StatusCode::UNAUTHORIZED, "Unauthorized or invalid session");
    let (_, user) =
        crate::http::current_session(&state, &input.headers)?.ok_or_else(unauthorized)?;
    if str_field(body, "userId").is_some_and(|id| id != user.id) {
        return Err(unauthorized());
    }
    if SERVER_ONLY.iter().any(|f| body.contains_key(*f)) {
        return Err(bad_request(
            "The property you're trying to set can only be set from the server auth instance only.",
        ));
    }
    let id = str_field(body, "keyId").unwrap_or_default();
    let mut row = state
        .store
        .api_key_of(&user.id, id)?
        .ok_or_else(not_found)?;
    let mut changed = false;
    if let Some(name) = str_field(body, "name") {
        check_name(Some(name))?;
        row.name = Some(name.to_owned());
        changed = true;
    }
    if let Some(enabled) = bool_field(body, "enabled") {
        row.enabled = enabled;
        changed = true;
    }
    if body.contains_key("expiresIn") {
        row.expires_at = check_expires_in(body)?;
        changed = true;
    }
    if body.contains_key("metadata") {
        row.metadata = check_metadata(body)?;
        changed = true;
    }
    if !changed {
        return Err(bad_request("No values to update."));
    }
    state.store.update_api_key(&row)?;
    Ok(axum::Json(key_json(&row, None)).into_response())
}

const DELETE: Schema = Schema::object(&[req("keyId", Ty::String)]);

/// `POST /api-key/delete {keyId}`: `{success: true}`.
pub async fn delete(State(state): State<AppState>, input: Input) -> ApiResult {
    let body = DELETE.check(&input.body)?;
    let (_, user) = require_session(&state, &input.headers)?;
    let id = str_field(body, "keyId").unwrap_or_default();
    let row = state
        .store
        .api_key_of(&user.id, id)?
        .ok_or_else(not_found)?;
    state.store.delete_api_key(&row.id)?;
    Ok(axum::Json(json!({ "success": true })).into_response())
}
