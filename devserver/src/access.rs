//! Who a request acts as, and what it may do: API keys (the `x-api-key` header anywhere, or
//! bearer on the management paths), and users with a session (bearer or cookie), whose
//! permissions come from their role in the project, as the platform's config plugin resolves
//! them (`requireScopedPermission`).

use axum::http::{HeaderMap, StatusCode, header};
use serde_json::{Map, Value, json};

use crate::AppState;
use crate::http::{ApiError, ApiResult, current_session};
use crate::store::{ApiKeyRow, PROJECT_ID, SessionRow, UserRow, now_ms};

/// Better Auth's api-key plugin refuses shorter keys before looking them up.
const KEY_LENGTH: usize = 64;
/// Member roles that hold every permission of the project.
const OWNER_ROLES: &[&str] = &["admin", "super_admin"];

/// The caller of a management endpoint.
pub enum Caller {
    Key(ApiKeyRow),
    User(UserRow),
}

impl Caller {
    /// How audit entries name the caller.
    pub fn actor(&self) -> (&'static str, &str) {
        match self {
            Caller::Key(k) => ("api_key", &k.id),
            Caller::User(u) => ("user", &u.id),
        }
    }

    /// Whether the caller holds `permission` in the project.
    pub fn allows(&self, state: &AppState, permission: &str) -> ApiResult<bool> {
        let user_id = match self {
            Caller::Key(key) => match &key.user_id {
                // The devserver's own keys carry their permissions.
                None => return Ok(key.allows(permission)),
                // A user's key acts as that user.
                Some(user) => user.as_str(),
            },
            Caller::User(user) => user.id.as_str(),
        };
        Ok(match state.store.member(user_id)? {
            Some((role, _)) if OWNER_ROLES.contains(&role.as_str()) => true,
            Some((_, permissions)) => permissions.iter().any(|p| p == "*" || p == permission),
            None => false,
        })
    }
}

fn header_str<'a>(headers: &'a HeaderMap, name: &str) -> Option<&'a str> {
    headers.get(name).and_then(|v| v.to_str().ok())
}

/// Looks an API key up as the api-key plugin does: too short is 403 `INVALID_API_KEY`,
/// unknown 401 `INVALID_API_KEY`, then disabled and expired keys are refused.
pub fn verify_key(state: &AppState, key: &str) -> ApiResult<ApiKeyRow> {
    if key.len() < KEY_LENGTH {
        return Err(ApiError::coded(
            StatusCode::FORBIDDEN,
            "INVALID_API_KEY",
            "Invalid API key.",
        ));
    }
    let Some(row) = state.store.api_key(key)? else {
        return Err(ApiError::coded(
            StatusCode::UNAUTHORIZED,
            "INVALID_API_KEY",
            "Invalid API key.",
        ));
    };
    if !row.enabled {
        return Err(ApiError::coded(
            StatusCode::UNAUTHORIZED,
            "KEY_DISABLED",
            "API Key is disabled",
        ));
    }
    if row.expired() {
        return Err(ApiError::coded(
            StatusCode::UNAUTHORIZED,
            "KEY_EXPIRED",
            "API Key has expired",
        ));
    }
    Ok(row)
}

/// The session an `x-api-key` header stands for (`enableSessionForAPIKeys`): its owner's,
/// with the key as token.
pub fn key_session(
    state: &AppState,
    headers: &HeaderMap,
) -> ApiResult<Option<(SessionRow, UserRow)>> {
    let Some(key) = header_str(headers, "x-api-key") else {
        return Ok(None);
    };
    let row = verify_key(state, key)?;
    let user = match &row.user_id {
        Some(id) => state.store.user_by_id(id)?,
        None => None,
    };
    let Some(user) = user else {
        return Err(ApiError::from_message(
            StatusCode::UNAUTHORIZED,
            "The user id from the API key is invalid.",
        ));
    };
    let now = now_ms();
    // 1.4.21 reads the session lifetime (seconds) as milliseconds: about ten minutes.
    let expires_at = row.expires_at.unwrap_or(now + 7 * 24 * 3600);
    let session = SessionRow {
        id: row.id.clone(),
        token: key.to_owned(),
        user_id: user.id.clone(),
        expires_at,
        ip_address: None,
        user_agent: header_str(headers, "user-agent").map(str::to_owned),
        created_at: now,
        updated_at: now,
    };
    Ok(Some((session, user)))
}

/// The caller of a management endpoint: an API key (`x-api-key`, or bearer when it is one), or
/// a signed-in user (bearer session token or cookie).
pub fn caller(state: &AppState, headers: &HeaderMap) -> ApiResult<Option<Caller>> {
    if let Some(key) = header_str(headers, "x-api-key") {
        return verify_key(state, key).map(|k| Some(Caller::Key(k)));
    }
    let bearer = header_str(headers, header::AUTHORIZATION.as_str())
        .and_then(|v| v.strip_prefix("Bearer "))
        .map(str::trim);
    if let Some(value) = bearer {
        // The gateway reads bearer as an API key on these paths; a session token is taken
        // as the session it is.
        if !value.contains('.')
            || value.len() >= KEY_LENGTH && state.store.api_key(value)?.is_some()
        {
            return verify_key(state, value).map(|k| Some(Caller::Key(k)));
        }
    }
    Ok(current_session(state, headers)?.map(|(_, user)| Caller::User(user)))
}

/// The project a management call acts on: the API key's, else `projectId` in the body or the
/// `x-banata-project-id` header (the dashboard sends both).
pub fn project_scope(
    caller: &Caller,
    headers: &HeaderMap,
    body: &Map<String, Value>,
) -> ApiResult<String> {
    let explicit = body
        .get("projectId")
        .and_then(Value::as_str)
        .or_else(|| header_str(headers, "x-banata-project-id"));
    let key_project = match caller {
        Caller::Key(key) => key.project_id.as_deref(),
        Caller::User(_) => None,
    };
    match (key_project, explicit) {
        (Some(own), Some(asked)) if own != asked => Err(ApiError::gateway(
            StatusCode::FORBIDDEN,
            "PROJECT_SCOPE_MISMATCH",
            "The requested project does not match the API key's project.",
        )),
        (Some(own), _) => Ok(own.to_owned()),
        (None, Some(asked)) if asked == PROJECT_ID => Ok(asked.to_owned()),
        (None, Some(_)) => Err(ApiError::json(
            StatusCode::NOT_FOUND,
            json!({ "error": "Unknown Banata project scope" }),
        )),
        (None, None) => Err(ApiError::coded(
            StatusCode::BAD_REQUEST,
            "PROJECT_SCOPE_REQUIRED",
            "Project scope is required. Provide projectId explicitly or use a project-scoped API key.",
        )),
    }
}

/// A project-scoped permission check as the config plugin does it: the caller, the project,
/// then the permission (403 `Missing permission: <p>`).
pub fn require_permission(
    state: &AppState,
    headers: &HeaderMap,
    body: &Map<String, Value>,
    permission: &str,
) -> ApiResult<(Caller, String)> {
    let Some(caller) = caller(state, headers)? else {
        return Err(ApiError::coded(
            StatusCode::UNAUTHORIZED,
            "AUTHENTICATION_REQUIRED",
            "Authentication required",
        ));
    };
    let project = project_scope(&caller, headers, body)?;
    if !caller.allows(state, permission)? {
        return Err(ApiError::from_message(
            StatusCode::FORBIDDEN,
            &format!("Missing permission: {permission}"),
        ));
    }
    Ok((caller, project))
}
