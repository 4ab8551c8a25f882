//! Segment HTTP Tracking API: `POST /v1/batch` with Basic auth (write key) and `writeKey` in the
//! body, as the official libraries send it. Sign-up is `identify` + `track "Signed Up"`; then
//! `Signed In`, `Signed Out`, and `group` + `Account Added User` / `Account Removed User`.

use std::fmt;

use serde_json::{Value, json};

use super::ga4::env_nonempty;
use super::message::{Facts, Message, Moment, iso_offset, iso_offset_millis};
use super::service::{Batch, Limits, Service};

/// Segment credentials: `SEGMENT_WRITE_KEY`; base URL `SEGMENT_BASE_URL` (EU workspaces:
/// `https://events.eu1.segmentapis.com`).
#[derive(Clone, Default)]
pub struct SegmentConfig {
    /// The source's write key (redacted in `Debug`).
    pub write_key: String,
    /// The service's base URL (a stand-in's, in tests).
    pub base_url: String,
}

impl SegmentConfig {
    /// The service's public API URL.
    pub const DEFAULT_BASE_URL: &'static str = "https://api.segment.io";

    pub(crate) fn from_env() -> Option<Self> {
        Some(SegmentConfig {
            write_key: env_nonempty("SEGMENT_WRITE_KEY")?,
            base_url: env_nonempty("SEGMENT_BASE_URL")
                .unwrap_or_else(|| Self::DEFAULT_BASE_URL.into()),
        })
    }
}

impl fmt::Debug for SegmentConfig {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SegmentConfig")
            .field("write_key", &"<redacted>")
            .field("base_url", &self.base_url)
            .finish()
    }
}

pub(crate) struct Segment {
    pub config: SegmentConfig,
    pub gzip: bool,
}

/// A Segment message without the per-send fields (`messageId` is added here, `sentAt` at send).
fn message(kind: &str, facts: &Facts, fields: Value) -> Message {
    let mut m = json!({
        "integrations": {},
        "anonymousId": null,
        "timestamp": iso_offset_millis(facts.at),
        "context": { "library": { "name": "banata-auth", "version": env!("CARGO_PKG_VERSION") } },
        "type": kind,
        "userId": facts.user_id,
        // Stable per event and message kind, so a replayed event is deduplicated by Segment.
        "messageId": format!("{}-{kind}", facts.event_id),
    });
    if let (Some(target), Some(ip)) = (m["context"].as_object_mut(), &facts.ip) {
        target.insert("ip".into(), json!(ip));
    }
    if let (Some(target), Value::Object(extra)) = (m.as_object_mut(), fields) {
        target.extend(extra);
    }
    Message::json(m, None)
}

fn track(facts: &Facts, event: &str, properties: Value) -> Message {
    let mut m = message(
        "track",
        facts,
        json!({ "event": event, "properties": properties }),
    );
    if let (Some(org), Some(Value::Object(obj))) = (&facts.organization_id, m.as_json_mut()) {
        obj["context"]["groupId"] = json!(org);
    }
    m
}

impl Message {
    fn as_json_mut(&mut self) -> Option<&mut Value> {
        match &mut self.payload {
            super::message::Payload::Json(v) => Some(v),
            super::message::Payload::Form { .. } => None,
        }
    }
}

impl Service for Segment {
    fn limits(&self) -> Limits {
        Limits {
            max_messages: 100,
            // 500 KB per batch on the server; keep a margin as the official library does.
            max_bytes: 475_000,
            gzip: self.gzip,
        }
    }

    fn map(&self, facts: &Facts) -> Vec<Message> {
        let method = facts.method.clone();
        let mut properties = serde_json::Map::new();
        match facts.moment {
            Moment::SignedUp => {
                let mut traits = serde_json::Map::new();
                if let Some(email) = &facts.email {
                    traits.insert("email".into(), json!(email));
                }
                traits.insert("createdAt".into(), json!(iso_offset(facts.at)));
                properties.insert("type".into(), json!("organic"));
                if let Some(m) = method {
                    properties.insert("method".into(), json!(m));
                }
                vec![
                    message("identify", facts, json!({ "traits": traits })),
                    track(facts, "Signed Up", Value::Object(properties)),
                ]
            }
            Moment::SignedIn => {
                if let Some(m) = method {
                    properties.insert("method".into(), json!(m));
                }
                vec![track(facts, "Signed In", Value::Object(properties))]
            }
            Moment::SignedOut => vec![track(facts, "Signed Out", json!({}))],
            Moment::MemberAdded | Moment::MemberRemoved => {
                let Some(org) = facts.organization_id.clone() else {
                    return Vec::new();
                };
                if let Some(role) = &facts.role {
                    properties.insert("role".into(), json!(role));
                }
                let name = if facts.moment == Moment::MemberAdded {
                    "Account Added User"
                } else {
                    "Account Removed User"
                };
                let mut out = Vec::new();
                if facts.moment == Moment::MemberAdded {
                    out.push(message(
                        "group",
                        facts,
                        json!({ "groupId": org, "traits": {} }),
                    ));
                }
                out.push(track(facts, name, Value::Object(properties)));
                out
            }
        }
    }

    fn request(&self, http: &reqwest::Client, batch: &Batch) -> reqwest::RequestBuilder {
        let messages: Vec<&Value> = batch.messages.iter().filter_map(Message::as_json).collect();
        let body = json!({
            "batch": messages,
            "sentAt": iso_offset(chrono::Utc::now()),
            "writeKey": self.config.write_key,
        });
        let url = format!("{}/v1/batch", self.config.base_url.trim_end_matches('/'));
        http.post(url)
            .basic_auth(&self.config.write_key, Some(""))
            .json(&body)
    }
}
