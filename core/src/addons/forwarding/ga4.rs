//! Google Analytics 4 Measurement Protocol: `POST /mp/collect?measurement_id=&api_secret=`.
//!
//! Recommended events `sign_up` / `login` with `method`, and `logout`. The request carries one
//! user at the top level, so a batch holds only that user's events (≤ 25, < 130 kB). GA4 takes no
//! e-mail or other PII, whatever the data policy says.

use std::fmt;

use serde_json::{Value, json};

use super::message::{Facts, Message, Moment};
use super::service::{Batch, Limits, Service};

/// GA4 credentials: `GA_MEASUREMENT_ID` + `GA_API_SECRET`; base URL `GA_BASE_URL` (EU:
/// `https://region1.google-analytics.com`).
#[derive(Clone, Default)]
pub struct Ga4Config {
    /// The GA4 measurement id (`G-…`).
    pub measurement_id: String,
    /// The API secret (redacted in `Debug`).
    pub api_secret: String,
    /// The service's base URL (a stand-in's, in tests).
    pub base_url: String,
}

impl Ga4Config {
    /// The service's public API URL.
    pub const DEFAULT_BASE_URL: &'static str = "https://www.google-analytics.com";

    pub(crate) fn from_env() -> Option<Self> {
        Some(Ga4Config {
            measurement_id: env_nonempty("GA_MEASUREMENT_ID")?,
            api_secret: env_nonempty("GA_API_SECRET")?,
            base_url: env_nonempty("GA_BASE_URL").unwrap_or_else(|| Self::DEFAULT_BASE_URL.into()),
        })
    }
}

impl fmt::Debug for Ga4Config {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Ga4Config")
            .field("measurement_id", &self.measurement_id)
            .field("api_secret", &"<redacted>")
            .field("base_url", &self.base_url)
            .finish()
    }
}

pub(crate) fn env_nonempty(name: &str) -> Option<String> {
    std::env::var(name).ok().filter(|v| !v.trim().is_empty())
}

pub(crate) struct Ga4 {
    pub config: Ga4Config,
}

/// A stable GA `client_id` for a user: GA's `<random>.<seconds>` shape, derived from the user
/// id so one user is one client across events (server events have no browser cookie).
fn client_id(user_id: &str) -> String {
    // FNV-1a: stable across runs and platforms, unlike the std hasher.
    let mut h: u64 = 0xcbf29ce484222325;
    for b in user_id.bytes() {
        h = (h ^ u64::from(b)).wrapping_mul(0x100000001b3);
    }
    format!("{}.{}", h % 10_000_000_000, (h >> 32) % 10_000_000_000)
}

impl Service for Ga4 {
    fn limits(&self) -> Limits {
        Limits {
            max_messages: 25,
            max_bytes: 130_000,
            gzip: false,
        }
    }

    fn map(&self, facts: &Facts) -> Vec<Message> {
        let name = match facts.moment {
            Moment::SignedUp => "sign_up",
            Moment::SignedIn => "login",
            Moment::SignedOut => "logout",
            Moment::MemberAdded => "join_group",
            Moment::MemberRemoved => "leave_group",
        };
        let mut params = serde_json::Map::new();
        if let Some(method) = &facts.method {
            params.insert("method".into(), json!(method));
        }
        if let Some(org) = &facts.organization_id {
            params.insert("group_id".into(), json!(org));
        }
        params.insert("engagement_time_msec".into(), json!(1));
        params.insert("session_id".into(), json!(facts.at.timestamp().to_string()));
        let event = json!({
            "name": name,
            "params": params,
            "timestamp_micros": facts.at.timestamp_micros(),
        });
        vec![Message::json(event, Some(facts.user_id.clone()))]
    }

    fn request(&self, http: &reqwest::Client, batch: &Batch) -> reqwest::RequestBuilder {
        let user_id = batch.group.clone().unwrap_or_default();
        let mut events: Vec<Value> = Vec::with_capacity(batch.messages.len());
        let mut first_micros = None;
        for m in &batch.messages {
            let mut e = m.as_json().cloned().unwrap_or(Value::Null);
            let micros = e.as_object_mut().and_then(|o| o.remove("timestamp_micros"));
            first_micros = first_micros.or(micros);
            events.push(e);
        }
        let body = json!({
            "client_id": client_id(&user_id),
            "user_id": user_id,
            "timestamp_micros": first_micros,
            "events": events,
        });
        let url = format!("{}/mp/collect", self.config.base_url.trim_end_matches('/'));
        http.post(url)
            .query(&[
                ("measurement_id", self.config.measurement_id.as_str()),
                ("api_secret", self.config.api_secret.as_str()),
            ])
            .json(&body)
    }

    fn batch_key(&self) -> bool {
        true
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn client_ids_are_stable_and_ga_shaped() {
        let a = client_id("usr_123");
        assert_eq!(a, client_id("usr_123"));
        assert_ne!(a, client_id("usr_124"));
        let (left, right) = a.split_once('.').unwrap();
        assert!(
            left.chars().all(|c| c.is_ascii_digit()) && right.chars().all(|c| c.is_ascii_digit())
        );
    }

    #[test]
    fn secret_not_in_debug() {
        let c = Ga4Config {
            measurement_id: "G-1".into(),
            api_secret: "topsecret".into(),
            base_url: String::new(),
        };
        assert!(!format!("{c:?}").contains("topsecret"));
    }
}
