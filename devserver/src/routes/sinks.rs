//! Stand-ins for the add-on services, under `/__sinks/{ga4,segment,posthog,stripe}/…`: they record
//! every request (body decoded: gunzipped, JSON parsed, form pairs in order) and answer like the
//! real service, or with scripted failures. Development only.

use std::collections::VecDeque;
use std::io::Read;
use std::sync::Mutex;

use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use serde::Deserialize;
use serde_json::{Value, json};

use crate::AppState;
use crate::http::{ApiError, ApiResult, parse_body};
use crate::routes::dev::require_admin;

/// Requests kept per devserver; older ones are forgotten, so memory stays bounded.
const MAX_KEPT: usize = 20_000;
const SERVICES: [&str; 4] = ["ga4", "segment", "posthog", "stripe"];

#[derive(Clone, Debug)]
struct Scripted {
    status: u16,
    retry_after: Option<String>,
    /// Answers left; `None` = every request from now on.
    times: Option<u32>,
}

/// Recorded requests and scripted answers.
#[derive(Default)]
pub struct Sinks {
    received: Mutex<VecDeque<Value>>,
    scripts: Mutex<Vec<(String, VecDeque<Scripted>)>>,
    next_id: std::sync::atomic::AtomicU64,
}

impl Sinks {
    /// What the `service` sink received, oldest first.
    pub fn received(&self, service: &str) -> Vec<Value> {
        let received = self.received.lock().unwrap_or_else(|p| p.into_inner());
        received
            .iter()
            .filter(|r| r["service"] == service)
            .cloned()
            .collect()
    }

    fn next_answer(&self, service: &str) -> Option<Scripted> {
        let mut scripts = self.scripts.lock().unwrap_or_else(|p| p.into_inner());
        let (_, queue) = scripts.iter_mut().find(|(s, _)| s == service)?;
        let front = queue.front_mut()?;
        let answer = front.clone();
        match &mut front.times {
            Some(n) if *n <= 1 => {
                queue.pop_front();
            }
            Some(n) => *n -= 1,
            None => {}
        }
        Some(answer)
    }
}

fn decode_body(headers: &HeaderMap, bytes: &[u8]) -> Value {
    let gzipped = headers
        .get("content-encoding")
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.eq_ignore_ascii_case("gzip"));
    let raw = if gzipped {
        let mut out = Vec::new();
        match flate2::read::GzDecoder::new(bytes).read_to_end(&mut out) {
            Ok(_) => out,
            Err(_) => return json!({ "error": "invalid gzip" }),
        }
    } else {
        bytes.to_vec()
    };
    let text = String::from_utf8_lossy(&raw).into_owned();
    let content_type = headers
        .get("content-type")
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    let mut body = json!({ "text": text, "gzip": gzipped });
    if content_type.starts_with("application/x-www-form-urlencoded") {
        let pairs: Vec<Value> = url_pairs(&text);
        body["form"] = Value::Array(pairs);
    } else if let Ok(v) = serde_json::from_slice::<Value>(&raw) {
        body["json"] = v;
    }
    body
}

fn url_pairs(text: &str) -> Vec<Value> {
    text.split('&')
        .filter(|p| !p.is_empty())
        .map(|p| {
            let (k, v) = p.split_once('=').unwrap_or((p, ""));
            json!([decode_component(k), decode_component(v)])
        })
        .collect()
}

fn decode_component(s: &str) -> String {
    let s = s.replace('+', " ");
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%'
            && i + 2 < bytes.len()
            && let Ok(b) = u8::from_str_radix(&s[i + 1..i + 3], 16)
        {
            out.push(b);
            i += 3;
            continue;
        }
        out.push(bytes[i]);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// `ANY /__sinks/{service}/{*path}`
pub async fn receive(
    State(state): State<AppState>,
    Path((service, path)): Path<(String, String)>,
    method: Method,
    uri: Uri,
    headers: HeaderMap,
    bytes: Bytes,
) -> Response {
    if !SERVICES.contains(&service.as_str()) {
        return StatusCode::NOT_FOUND.into_response();
    }
    let sinks = &state.sinks;
    let header_map: serde_json::Map<String, Value> = headers
        .iter()
        .map(|(k, v)| (k.as_str().to_owned(), json!(v.to_str().unwrap_or(""))))
        .collect();
    let scripted = sinks.next_answer(&service);
    let status = scripted.as_ref().map(|s| s.status).unwrap_or(200);
    let record = json!({
        "service": service,
        "method": method.as_str(),
        "path": format!("/{path}"),
        "query": uri.query().map(url_pairs).unwrap_or_default(),
        "headers": header_map,
        "body": decode_body(&headers, &bytes),
        "status": status,
    });
    {
        let mut received = sinks.received.lock().unwrap_or_else(|p| p.into_inner());
        if received.len() >= MAX_KEPT {
            received.pop_front();
        }
        received.push_back(record);
    }
    if let Some(s) = scripted.filter(|s| !(200..300).contains(&s.status)) {
        let mut response = (
            StatusCode::from_u16(s.status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR),
            axum::Json(json!({ "error": "scripted failure" })),
        )
            .into_response();
        if let Some(after) = s.retry_after.and_then(|a| HeaderValue::from_str(&a).ok()) {
            response.headers_mut().insert("retry-after", after);
        }
        return response;
    }
    let n = sinks
        .next_id
        .fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    match service.as_str() {
        "ga4" => StatusCode::NO_CONTENT.into_response(),
        "segment" => axum::Json(json!({ "success": true })).into_response(),
        "posthog" => axum::Json(json!({ "status": 1 })).into_response(),
        _ if path.starts_with("v1/customers") => {
            axum::Json(json!({ "id": format!("cus_dev{n:08}"), "object": "customer" }))
                .into_response()
        }
        _ => axum::Json(json!({ "id": format!("obj_dev{n:08}"), "object": "subscription_item" }))
            .into_response(),
    }
}

#[derive(Deserialize)]
pub struct ListQuery {
    service: Option<String>,
}

/// `GET /__dev/sinks?service=`: what the sinks received, oldest first.
pub async fn list(
    State(state): State<AppState>,
    headers: HeaderMap,
    Query(q): Query<ListQuery>,
) -> ApiResult {
    require_admin(&state, &headers)?;
    let received = state
        .sinks
        .received
        .lock()
        .unwrap_or_else(|p| p.into_inner());
    let data: Vec<&Value> = received
        .iter()
        .filter(|r| q.service.as_deref().is_none_or(|s| r["service"] == s))
        .collect();
    Ok(axum::Json(json!({ "data": data })).into_response())
}

/// `DELETE /__dev/sinks`: forget what was received and every script.
pub async fn clear(State(state): State<AppState>, headers: HeaderMap) -> ApiResult {
    require_admin(&state, &headers)?;
    state
        .sinks
        .received
        .lock()
        .unwrap_or_else(|p| p.into_inner())
        .clear();
    state
        .sinks
        .scripts
        .lock()
        .unwrap_or_else(|p| p.into_inner())
        .clear();
    Ok(axum::Json(json!({ "success": true })).into_response())
}

/// `POST /__dev/sinks/{service}/script {"responses":[{"status":500,"times":1,"retryAfter":"1"}]}`:
/// the next answers of that sink (`"times": 0` = forever, until the script is replaced).
pub async fn script(
    State(state): State<AppState>,
    Path(service): Path<String>,
    headers: HeaderMap,
    bytes: Bytes,
) -> ApiResult {
    require_admin(&state, &headers)?;
    if !SERVICES.contains(&service.as_str()) {
        return Err(ApiError::validation(format!("unknown sink {service:?}")));
    }
    let body = parse_body(&headers, &bytes)?;
    let Some(Value::Array(items)) = body.get("responses") else {
        return Err(ApiError::validation(
            "[body.responses] Invalid input: expected array",
        ));
    };
    let mut queue = VecDeque::new();
    for item in items {
        let status = item["status"]
            .as_u64()
            .filter(|s| (100..600).contains(s))
            .ok_or_else(|| {
                ApiError::validation(
                    "[body.responses.status] Invalid input: expected an HTTP status",
                )
            })? as u16;
        let times = match item.get("times").and_then(Value::as_u64) {
            Some(0) => None,
            Some(n) => Some(n as u32),
            None => Some(1),
        };
        let retry_after = item.get("retryAfter").map(|v| match v {
            Value::String(s) => s.clone(),
            other => other.to_string(),
        });
        queue.push_back(Scripted {
            status,
            retry_after,
            times,
        });
    }
    let mut scripts = state
        .sinks
        .scripts
        .lock()
        .unwrap_or_else(|p| p.into_inner());
    scripts.retain(|(s, _)| *s != service);
    scripts.push((service, queue));
    Ok(axum::Json(json!({ "success": true })).into_response())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn form_pairs_decode_in_order() {
        let pairs =
            url_pairs("email=ada%40example.com&name=Ada+Lovelace&metadata%5Buser_id%5D=usr_1");
        assert_eq!(
            Value::Array(pairs),
            json!([
                ["email", "ada@example.com"],
                ["name", "Ada Lovelace"],
                ["metadata[user_id]", "usr_1"]
            ])
        );
    }
}
