//! Banata management endpoints: the add-on configuration and the audit log.

use axum::body::Bytes;
use axum::extract::State;
use axum::http::HeaderMap;
use axum::response::{IntoResponse, Response};
use serde_json::{Map, Value, json};

use crate::AppState;
use crate::http::{ApiError, ApiResult, optional_str, parse_body, require_permission, type_name};

/// `POST /banata/config/addons/get` (`dashboard.read`): the stored JSON verbatim, or
/// `{"addons":{}}`.
pub async fn get_addons(
    State(state): State<AppState>,
    headers: HeaderMap,
    bytes: Bytes,
) -> ApiResult {
    let body = parse_body(&headers, &bytes)?;
    let key = require_permission(&state, &headers, &body, "dashboard.read")?;
    Ok(axum::Json(state.store.addon_config(&key.project_id)?).into_response())
}

/// `POST /banata/config/addons/save {addons}` (`dashboard.manage`): shallow per-id merge,
/// audited.
pub async fn save_addons(
    State(state): State<AppState>,
    headers: HeaderMap,
    bytes: Bytes,
) -> ApiResult {
    let body = parse_body(&headers, &bytes)?;
    let key = require_permission(&state, &headers, &body, "dashboard.manage")?;
    let addons = validate_addons(body.get("addons"))?;
    let merged = state
        .store
        .save_addon_config(&key.project_id, &addons, ("api_key", &key.id))?;
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
pub async fn list_audit_logs(
    State(state): State<AppState>,
    headers: HeaderMap,
    bytes: Bytes,
) -> ApiResult<Response> {
    let body = parse_body(&headers, &bytes)?;
    let key = require_permission(&state, &headers, &body, "audit.read")?;
    let action = optional_str(&body, "action")?;
    let limit = body
        .get("limit")
        .and_then(Value::as_u64)
        .unwrap_or(50)
        .clamp(1, 200) as u32;
    let data = state.store.audit_events(&key.project_id, action, limit)?;
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
