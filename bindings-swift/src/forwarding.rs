//! Add-on forwarding: `Forwarder` with flush, shutdown, stats and an error listener.

use std::sync::Arc;
use std::time::Duration;

use banata_auth::addons;

use crate::client::BanataClient;
use crate::error::Result;
use crate::generated::{ForwardingFailure, ForwardingStats};
use crate::models::record;

/// Credentials for the add-on services. An object, not a record, so no generated
/// `toString()` / `description` can print them. Unset ones come from the environment when the
/// options say `from_env` (on mobile, usually nothing is set there).
#[derive(uniffi::Object)]
pub struct ForwardingCredentials {
    ga_measurement_id: Option<String>,
    ga_api_secret: Option<String>,
    segment_write_key: Option<String>,
    posthog_api_key: Option<String>,
    stripe_secret_key: Option<String>,
}

#[uniffi::export]
impl ForwardingCredentials {
    #[uniffi::constructor(default(
        ga_measurement_id = None,
        ga_api_secret = None,
        segment_write_key = None,
        posthog_api_key = None,
        stripe_secret_key = None
    ))]
    pub fn new(
        ga_measurement_id: Option<String>,
        ga_api_secret: Option<String>,
        segment_write_key: Option<String>,
        posthog_api_key: Option<String>,
        stripe_secret_key: Option<String>,
    ) -> Arc<Self> {
        Arc::new(ForwardingCredentials {
            ga_measurement_id,
            ga_api_secret,
            segment_write_key,
            posthog_api_key,
            stripe_secret_key,
        })
    }
}

/// How forwarding runs; every field has a default.
#[derive(Debug, Clone, PartialEq, uniffi::Record)]
pub struct ForwardingOptions {
    /// Read credentials and hosts from the environment first (default true).
    #[uniffi(default = true)]
    pub from_env: bool,
    #[uniffi(default = None)]
    pub ga_base_url: Option<String>,
    #[uniffi(default = None)]
    pub segment_base_url: Option<String>,
    /// e.g. `https://eu.i.posthog.com`.
    #[uniffi(default = None)]
    pub posthog_host: Option<String>,
    #[uniffi(default = None)]
    pub stripe_base_url: Option<String>,
    /// Send users' e-mail addresses to add-ons.
    #[uniffi(default = false)]
    pub send_email: bool,
    /// Send client IP addresses when events carry them.
    #[uniffi(default = false)]
    pub send_ip: bool,
    /// Messages each add-on may hold; when full, new ones are dropped and counted (10,000).
    #[uniffi(default = None)]
    pub queue_capacity: Option<u32>,
    /// Longest time a message waits for its batch (1,000).
    #[uniffi(default = None)]
    pub flush_interval_ms: Option<u64>,
    /// Compress Segment and PostHog bodies.
    #[uniffi(default = false)]
    pub gzip: bool,
}

/// The record's defaults, for a `Forwarder` made without options.
impl Default for ForwardingOptions {
    fn default() -> Self {
        ForwardingOptions {
            from_env: true,
            ga_base_url: None,
            segment_base_url: None,
            posthog_host: None,
            stripe_base_url: None,
            send_email: false,
            send_ip: false,
            queue_capacity: None,
            flush_interval_ms: None,
            gzip: false,
        }
    }
}

/// Receives batches that failed for good, on a forwarding thread.
#[uniffi::export(with_foreign)]
pub trait ForwardingErrorListener: Send + Sync {
    fn on_error(&self, failure: ForwardingFailure);
}

/// Forwards a client's auth events to the add-ons enabled in the dashboard.
#[derive(uniffi::Object)]
pub struct Forwarder {
    forwarder: Arc<addons::Forwarder>,
}

#[uniffi::export]
impl Forwarder {
    #[uniffi::constructor(default(credentials = None, options = None, on_error = None))]
    pub fn new(
        client: Arc<BanataClient>,
        credentials: Option<Arc<ForwardingCredentials>>,
        options: Option<ForwardingOptions>,
        on_error: Option<Arc<dyn ForwardingErrorListener>>,
    ) -> Result<Arc<Self>> {
        let options = options.unwrap_or_default();
        // A credential not given stays None (the environment may still supply it).
        let secret = |pick: fn(&ForwardingCredentials) -> &Option<String>| {
            credentials.as_deref().and_then(|c| pick(c).clone())
        };
        let core_options = addons::ForwardingOptions {
            from_env: options.from_env,
            ga_measurement_id: secret(|c| &c.ga_measurement_id),
            ga_api_secret: secret(|c| &c.ga_api_secret),
            ga_base_url: options.ga_base_url,
            segment_write_key: secret(|c| &c.segment_write_key),
            segment_base_url: options.segment_base_url,
            posthog_api_key: secret(|c| &c.posthog_api_key),
            posthog_host: options.posthog_host,
            stripe_secret_key: secret(|c| &c.stripe_secret_key),
            stripe_base_url: options.stripe_base_url,
            send_email: options.send_email,
            send_ip: options.send_ip,
            queue_capacity: options.queue_capacity.map(|c| c as usize),
            flush_interval: options.flush_interval_ms.map(Duration::from_millis),
            gzip: options.gzip,
        };
        let mut config = addons::ForwardingConfig::from_options(core_options)?;
        if let Some(listener) = on_error {
            config = config.on_error(move |failure| listener.on_error(record(failure)));
        }
        let forwarder = addons::Forwarder::start(&client.client, config)?;
        Ok(Arc::new(Forwarder {
            forwarder: Arc::new(forwarder),
        }))
    }

    /// The counters.
    pub fn stats(&self) -> ForwardingStats {
        record(&self.forwarder.stats())
    }
}

#[uniffi::export(async_runtime = "tokio")]
impl Forwarder {
    /// Returns when everything emitted so far was sent or failed; throws `Timeout` after
    /// `timeout_ms`.
    pub async fn flush(&self, timeout_ms: u64) -> Result<()> {
        Ok(self
            .forwarder
            .flush(Duration::from_millis(timeout_ms))
            .await?)
    }

    /// Stops taking events and delivers what is queued, for at most `timeout_ms`.
    pub async fn shutdown(&self, timeout_ms: u64) -> Result<()> {
        Ok(self
            .forwarder
            .shutdown(Duration::from_millis(timeout_ms))
            .await?)
    }
}
