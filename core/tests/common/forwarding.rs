//! Helpers for the forwarding suites: a forwarder aimed at the devserver's sinks, and readers of
//! what the sinks received.
#![allow(dead_code)]

use std::time::Duration;

use banata_auth::addons::{
    DataPolicy, Forwarder, ForwardingConfig, Ga4Config, PostHogConfig, SegmentConfig, StripeConfig,
};
use banata_auth::{AddonConfigUpdate, AuthEvent, Client, EventData, EventType, Timestamp};
use banata_devserver::DevServerHandle;
use serde_json::Value;

/// A config sending every service to the devserver's sinks, with quick timings for tests.
pub fn sink_config(server: &DevServerHandle) -> ForwardingConfig {
    ForwardingConfig {
        ga4: Some(Ga4Config {
            measurement_id: "G-TEST123456".into(),
            api_secret: "ga4_api_secret_TEST".into(),
            base_url: server.sink_url("ga4"),
        }),
        segment: Some(SegmentConfig {
            write_key: "seg_write_key_TEST".into(),
            base_url: server.sink_url("segment"),
        }),
        posthog: Some(PostHogConfig {
            api_key: "phc_TESTPROJECTKEY".into(),
            host: server.sink_url("posthog"),
        }),
        stripe: Some(StripeConfig {
            secret_key: "sk_test_51TESTFAKEKEY".into(),
            base_url: server.sink_url("stripe"),
        }),
        data_policy: DataPolicy {
            send_email: true,
            send_ip: false,
        },
        flush_interval: Duration::from_millis(50),
        initial_retry_delay: Duration::from_millis(20),
        ..Default::default()
    }
}

/// Enables every add-on on the devserver.
pub async fn enable_all(client: &Client) {
    client
        .addons()
        .save(
            AddonConfigUpdate::new()
                .enable("google-analytics")
                .enable("segment")
                .enable("posthog")
                .enable("stripe"),
        )
        .await
        .unwrap();
}

/// What the `service` sink received, oldest first.
pub async fn received(server: &DevServerHandle, service: &str) -> Vec<Value> {
    let body: Value = reqwest::Client::new()
        .get(format!("{}/__dev/sinks?service={service}", server.url()))
        .header("x-api-key", server.admin_api_key())
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    body["data"].as_array().cloned().unwrap_or_default()
}

/// Scripts the next answers of a sink, e.g. `[{"status":500}]`.
pub async fn script(server: &DevServerHandle, service: &str, responses: Value) {
    let r = reqwest::Client::new()
        .post(format!("{}/__dev/sinks/{service}/script", server.url()))
        .header("x-api-key", server.admin_api_key())
        .json(&serde_json::json!({ "responses": responses }))
        .send()
        .await
        .unwrap();
    assert!(r.status().is_success());
}

/// Forgets what the sinks received and their scripts.
pub async fn clear_sinks(server: &DevServerHandle) {
    reqwest::Client::new()
        .delete(format!("{}/__dev/sinks", server.url()))
        .header("x-api-key", server.admin_api_key())
        .send()
        .await
        .unwrap();
}

/// The events inside the PostHog requests the sink accepted.
pub fn accepted_posthog_events(requests: &[Value]) -> Vec<Value> {
    requests
        .iter()
        .filter(|r| r["status"] == 200)
        .flat_map(|r| {
            r["body"]["json"]["batch"]
                .as_array()
                .cloned()
                .unwrap_or_default()
        })
        .collect()
}

/// A sign-in event for `user`, as the client would emit it.
pub fn sign_in_event(user: &str) -> AuthEvent {
    AuthEvent::new(
        EventType::SESSION_CREATED,
        EventData {
            user_id: Some(user.into()),
            method: Some("password".into()),
            reason: Some("sign_in".into()),
            ..Default::default()
        },
    )
}

/// The sign-up of the goldens' user, at the goldens' time.
pub fn golden_sign_up() -> AuthEvent {
    let mut e = AuthEvent::new(
        EventType::USER_CREATED,
        EventData {
            user_id: Some("usr_123".into()),
            email: Some("ada@example.com".into()),
            name: Some("Ada Lovelace".into()),
            method: Some("password".into()),
            ..Default::default()
        },
    );
    e.occurred_at = Timestamp("2026-01-15T12:00:00Z".parse().unwrap());
    e
}

pub async fn start(client: &Client, config: ForwardingConfig) -> Forwarder {
    Forwarder::start(client, config).expect("forwarding starts")
}
