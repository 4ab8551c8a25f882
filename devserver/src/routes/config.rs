//! Banata management endpoints: the add-on configuration and the audit log.

use axum::extract::State;
use axum::response::{IntoResponse, Response};
use serde_json::{Map, Value, json};

use crate::AppState;
use crate::access::{caller, project_scope, require_permission};
use crate::http::{ApiError, ApiResult, Input, optional_str, type_name};

/// The body of a Banata plugin endpoint: an object, or none (`{}`).
fn object(input: &Input) -> ApiResult<Map<String, Value>> {
    match &input.body {
        None => Ok(Map::new()),
        Some(Value::Object(map)) => Ok(map.clone()),
        Some(other) => Err(ApiError::validation(format!(
            "[body] Invalid input: expected object, received {}",
            type_name(other)
        ))),
    }
}

/// `POST /banata/rbac/check-permission {projectId, permission}`: `{allowed}` for the caller
/// (session or API key); `permission` is `"resource.action"` or `{resource, action}`.
pub async fn check_permission(State(state): State<AppState>, input: Input) -> ApiResult {
    let body = object(&input)?;
    let permission = match body.get("permission") {
        Some(Value::String(p)) => p.clone(),
        Some(Value::Object(p)) => match (
            p.get("resource").and_then(Value::as_str),
            p.get("action").and_then(Value::as_str),
        ) {
            (Some(resource), Some(action)) => format!("{resource}.{action}"),
            _ => {
                return Err(ApiError::validation(
                    "[body.permission] Invalid input: expected {resource, action}",
                ));
            }
        },
        other => {
            return Err(ApiError::validation(format!(
                "[body.permission] Invalid input: expected string, received {}",
                other.map_or("undefined", type_name)
            )));
        }
    };
    let Some(caller) = caller(&state, &input.headers)? else {
        return Err(ApiError::coded(
            axum::http::StatusCode::UNAUTHORIZED,
            "AUTHENTICATION_REQUIRED",
            "Authentication required",
        ));
    };
    project_scope(&caller, &input.headers, &body)?;
    let allowed = caller.allows(&state, &permission)?;
    Ok(axum::Json(json!({ "allowed": allowed })).into_response())
}

/// `POST /banata/config/addons/get` (`dashboard.read`): the stored JSON verbatim, or
/// `{"addons":{}}`.
pub async fn get_addons(State(state): State<AppState>, input: Input) -> ApiResult {
    let body = object(&input)?;
    let (_, project) = require_permission(&state, &input.headers, &body, "dashboard.read")?;
    Ok(axum::Json(state.store.addon_config(&project)?).into_response())
}

/// `POST /banata/config/addons/save {addons}` (`dashboard.manage`): shallow per-id merge,
/// audited.
pub async fn save_addons(State(state): State<AppState>, input: Input) -> ApiResult {
    let body = object(&input)?;
    let (caller, project) = require_permission(&state, &input.headers, &body, "dashboard.manage")?;
    let addons = validate_addons(body.get("addons"))?;
    let merged = state
        .store
        .save_addon_config(&project, &addons, caller.actor())?;
    Ok(axum::Json(merged).into_response())
}

/// zod's `record(string, {enabled: boolean})`, with extra keys inside a value stripped.
fn validate_addons(value: Option<&Value>) -> ApiResult<Map<String, Value>> {
    let object = match value {
        Some(Value::Object(o)) => o,
        Some(other) => {
            return Err(ApiError::validation(format!(
                "[body.addons] Invalid input: expected record, received {}",
                type_name(other)
            )));
        }
        None => {
            return Err(ApiError::validation(
                "[body.addons] Invalid input: expected record, received undefined",
            ));
        }
    };
    let mut clean = Map::new();
    for (id, settings) in object {
        let enabled = settings.get("enabled");
        match (settings.is_object(), enabled) {
            (true, Some(Value::Bool(b))) => {
                clean.insert(id.clone(), json!({ "enabled": b }));
            }
            (false, _) => {
                return Err(ApiError::validation(format!(
                    "[body.addons.{id}] Invalid input: expected object, received {}",
                    type_name(settings)
                )));
            }
            (true, other) => {
                return Err(ApiError::validation(format!(
                    "[body.addons.{id}.enabled] Invalid input: expected boolean, received {}",
                    other.map(type_name).unwrap_or("undefined")
                )));
            }
        }
    }
    Ok(clean)
}

/// `POST /banata/audit-logs/list {action?, limit?}` (`audit.read`).
pub async fn list_audit_logs(State(state): State<AppState>, input: Input) -> ApiResult<Response> {
    let body = object(&input)?;
    let (_, project) = require_permission(&state, &input.headers, &body, "audit.read")?;
    let action = optional_str(&body, "action")?;
    let limit = body
        .get("limit")
        .and_then(Value::as_u64)
        .unwrap_or(50)
        .clamp(1, 200) as u32;
    let data = state.store.audit_events(&project, action, limit)?;
    Ok(
        axum::Json(json!({ "data": data, "listMetadata": { "before": null, "after": null } }))
            .into_response(),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn addon_validation_matches_the_platform() {
        let ok =
            validate_addons(Some(&json!({ "stripe": { "enabled": true, "extra": 1 } }))).unwrap();
        assert_eq!(Value::Object(ok), json!({ "stripe": { "enabled": true } }));
        assert!(validate_addons(Some(&json!({}))).unwrap().is_empty());
        for bad in [
            json!(null),
            json!([1]),
            json!({ "stripe": true }),
            json!({ "stripe": { "enabled": "yes" } }),
        ] {
            assert!(validate_addons(Some(&bad)).is_err(), "{bad}");
        }
        assert!(validate_addons(None).is_err());
    }
}
