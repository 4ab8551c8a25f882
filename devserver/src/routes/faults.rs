//! Scripted faults on the API routes, for tests that must see a 503, a 429 with `Retry-After`
//! or a malformed body from a real server: `POST /__dev/faults` queues answers for one path,
//! which the next requests to it get instead of the real handler. Development only.

use std::collections::VecDeque;
use std::sync::Mutex;

use axum::body::{Body, Bytes};
use axum::extract::{Request, State};
use axum::http::{HeaderMap, HeaderName, HeaderValue, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use serde_json::{Value, json};

use crate::AppState;
use crate::http::{ApiError, ApiResult, parse_body};
use crate::routes::dev::require_admin;

#[derive(Clone, Debug)]
struct Answer {
    status: StatusCode,
    headers: Vec<(HeaderName, HeaderValue)>,
    /// Sent as is: JSON is serialized, a string is sent raw (for malformed bodies).
    body: Option<Value>,
    times: u32,
}

/// Scripted answers per path.
#[derive(Default)]
pub struct Faults {
    scripts: Mutex<Vec<(String, VecDeque<Answer>)>>,
}

impl Faults {
    fn next(&self, path: &str) -> Option<Answer> {
        let mut scripts = self.scripts.lock().unwrap_or_else(|p| p.into_inner());
        let (_, queue) = scripts.iter_mut().find(|(p, _)| p == path)?;
        let front = queue.front_mut()?;
        let answer = front.clone();
        front.times -= 1;
        if front.times == 0 {
            queue.pop_front();
        }
        Some(answer)
    }
}

/// Answers from the script when one is queued for the request's path.
pub async fn intercept(State(state): State<AppState>, request: Request, next: Next) -> Response {
    let Some(answer) = state.faults.next(request.uri().path()) else {
        return next.run(request).await;
    };
    let body = match answer.body {
        None => Body::empty(),
        Some(Value::String(raw)) => Body::from(raw),
        Some(value) => Body::from(value.to_string()),
    };
    let mut response = Response::new(body);
    *response.status_mut() = answer.status;
    response.headers_mut().insert(
        axum::http::header::CONTENT_TYPE,
        HeaderValue::from_static("application/json"),
    );
    for (name, value) in answer.headers {
        response.headers_mut().insert(name, value);
    }
    response
}

/// `POST /__dev/faults {"path": "/api/auth/get-session", "responses": [{"status": 503, "times": 2,
/// "headers": {"retry-after": "0"}, "body": {...}}]}` replaces the script of that path;
/// `"responses": []` clears it.
pub async fn script(State(state): State<AppState>, headers: HeaderMap, bytes: Bytes) -> ApiResult {
    require_admin(&state, &headers)?;
    let body = parse_body(&headers, &bytes)?;
    let Some(path) = body.get("path").and_then(Value::as_str) else {
        return Err(ApiError::validation(
            "[body.path] Invalid input: expected string",
        ));
    };
    let Some(Value::Array(items)) = body.get("responses") else {
        return Err(ApiError::validation(
            "[body.responses] Invalid input: expected array",
        ));
    };
    let mut queue = VecDeque::new();
    for item in items {
        let status = item["status"]
            .as_u64()
            .and_then(|s| StatusCode::from_u16(s as u16).ok())
            .ok_or_else(|| {
                ApiError::validation("[body.responses.status] expected an HTTP status")
            })?;
        let mut answer_headers = Vec::new();
        if let Some(Value::Object(map)) = item.get("headers") {
            for (name, value) in map {
                let name = HeaderName::from_bytes(name.as_bytes()).map_err(|_| {
                    ApiError::validation("[body.responses.headers] bad header name")
                })?;
                let text = value
                    .as_str()
                    .map(str::to_owned)
                    .unwrap_or_else(|| value.to_string());
                let value = HeaderValue::from_str(&text).map_err(|_| {
                    ApiError::validation("[body.responses.headers] bad header value")
                })?;
                answer_headers.push((name, value));
            }
        }
        queue.push_back(Answer {
            status,
            headers: answer_headers,
            body: item.get("body").cloned(),
            times: item
                .get("times")
                .and_then(Value::as_u64)
                .unwrap_or(1)
                .max(1) as u32,
        });
    }
    let mut scripts = state
        .faults
        .scripts
        .lock()
        .unwrap_or_else(|p| p.into_inner());
    scripts.retain(|(p, _)| p != path);
    if !queue.is_empty() {
        scripts.push((path.to_owned(), queue));
    }
    Ok(axum::Json(json!({ "success": true })).into_response())
}

/// `DELETE /__dev/faults`: every script goes.
pub async fn clear(State(state): State<AppState>, headers: HeaderMap) -> ApiResult {
    require_admin(&state, &headers)?;
    state
        .faults
        .scripts
        .lock()
        .unwrap_or_else(|p| p.into_inner())
        .clear();
    Ok(StatusCode::NO_CONTENT.into_response())
}
