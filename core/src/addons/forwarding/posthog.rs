//! PostHog capture: `POST {host}/batch/` with the project key in the body. Events are
//! `user signed up` / `user signed in` / `user signed out` / `organization member added|removed`;
//! with e-mail allowed, the sign-up carries `$set` (PostHog's server-side identify).

use std::fmt;

use serde_json::{Value, json};

use super::ga4::env_nonempty;
use super::message::{Facts, Message, Moment, iso_offset};
use super::service::{Batch, Limits, Service};

/// PostHog credentials: `POSTHOG_API_KEY` (project key, `phc_…`) and `POSTHOG_HOST`
/// (default `https://us.i.posthog.com`; EU `https://eu.i.posthog.com`).
#[derive(Clone, Default)]
pub struct PostHogConfig {
    /// The API key (redacted in `Debug`).
    pub api_key: String,
    /// The service's host (a stand-in's, in tests).
    pub host: String,
}

impl PostHogConfig {
    /// The service's public host.
    pub const DEFAULT_HOST: &'static str = "https://us.i.posthog.com";

    pub(crate) fn from_env() -> Option<Self> {
        Some(PostHogConfig {
            api_key: env_nonempty("POSTHOG_API_KEY")?,
            host: env_nonempty("POSTHOG_HOST").unwrap_or_else(|| Self::DEFAULT_HOST.into()),
        })
    }
}

impl fmt::Debug for PostHogConfig {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("PostHogConfig")
            .field("api_key", &"<redacted>")
            .field("host", &self.host)
            .finish()
    }
}

pub(crate) struct PostHog {
    pub config: PostHogConfig,
    pub gzip: bool,
}

impl Service for PostHog {
    fn limits(&self) -> Limits {
        Limits {
            max_messages: 100,
            // The official library caps a batch at 5 MiB.
            max_bytes: 5 * 1024 * 1024,
            gzip: self.gzip,
        }
    }

    fn map(&self, facts: &Facts) -> Vec<Message> {
        let name = match facts.moment {
            Moment::SignedUp => "user signed up",
            Moment::SignedIn => "user signed in",
            Moment::SignedOut => "user signed out",
            Moment::MemberAdded => "organization member added",
            Moment::MemberRemoved => "organization member removed",
        };
        let mut properties = serde_json::Map::new();
        if let Some(method) = &facts.method {
            properties.insert("method".into(), json!(method));
        }
        if let Some(role) = &facts.role {
            properties.insert("role".into(), json!(role));
        }
        if let (Moment::SignedUp, Some(email)) = (&facts.moment, &facts.email) {
            properties.insert("$set".into(), json!({ "email": email }));
        }
        if let Some(org) = &facts.organization_id {
            properties.insert("$groups".into(), json!({ "organization": org }));
        }
        if let Some(ip) = &facts.ip {
            properties.insert("$ip".into(), json!(ip));
        }
        properties.insert("$lib".into(), json!("banata-auth"));
        properties.insert("$lib_version".into(), json!(env!("CARGO_PKG_VERSION")));
        // Without an IP there is nothing to locate; say so, as the official library does.
        properties.insert("$geoip_disable".into(), json!(facts.ip.is_none()));
        properties.insert("$is_server".into(), json!(true));
        let event = json!({
            "properties": properties,
            "timestamp": iso_offset(facts.at),
            "distinct_id": facts.user_id,
            "event": name,
            // Stable per event, so a replay is deduplicated.
            "uuid": uuid_from(&facts.event_id),
        });
        vec![Message::json(event, None)]
    }

    fn request(&self, http: &reqwest::Client, batch: &Batch) -> reqwest::RequestBuilder {
        let events: Vec<&Value> = batch.messages.iter().filter_map(Message::as_json).collect();
        let body = json!({
            "batch": events,
            "historical_migration": false,
            "sent_at": iso_offset(chrono::Utc::now()),
            "api_key": self.config.api_key,
        });
        let url = format!("{}/batch/", self.config.host.trim_end_matches('/'));
        http.post(url).json(&body)
    }
}

/// A UUID-shaped id from an `evt_<32 hex>` event id (random ids are used as they are).
fn uuid_from(event_id: &str) -> String {
    let hex = event_id.trim_start_matches("evt_");
    match uuid::Uuid::try_parse(hex) {
        Ok(u) => u.hyphenated().to_string(),
        Err(_) => uuid::Uuid::new_v4().hyphenated().to_string(),
    }
}
