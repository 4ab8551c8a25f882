//! Add-on forwarding (`new Forwarder(client, options)` in the facade).

use std::sync::Arc;
use std::time::Duration;

use banata_auth::addons::{Forwarder, ForwardingConfig, ForwardingOptions};
use napi::Env;
use napi::Status;
use napi::bindgen_prelude::PromiseRaw;
use napi::threadsafe_function::{ThreadsafeFunction, ThreadsafeFunctionCallMode};
use napi_derive::napi;

use crate::client::NativeClient;
use crate::error::{Result, to_napi};

/// Forwarding options; credentials not given here come from the environment unless `fromEnv`
/// is false.
#[napi(object)]
pub struct NativeForwarderOptions {
    pub from_env: Option<bool>,
    pub ga_measurement_id: Option<String>,
    pub ga_api_secret: Option<String>,
    pub ga_base_url: Option<String>,
    pub segment_write_key: Option<String>,
    pub segment_base_url: Option<String>,
    pub posthog_api_key: Option<String>,
    pub posthog_host: Option<String>,
    pub stripe_secret_key: Option<String>,
    pub stripe_base_url: Option<String>,
    pub send_email: Option<bool>,
    pub send_ip: Option<bool>,
    pub queue_capacity: Option<u32>,
    pub flush_interval_ms: Option<u32>,
    pub gzip: Option<bool>,
}

/// A running forwarding pipeline for one client's events.
#[napi]
pub struct NativeForwarder {
    forwarder: Arc<Forwarder>,
}

#[napi]
impl NativeForwarder {
    /// `onError(failureJson)` runs once per batch an add-on refused for good.
    #[napi(
        constructor,
        ts_args_type = "client: NativeClient, options: NativeForwarderOptions, onError?: ((failureJson: string) => void) | undefined | null"
    )]
    pub fn new(
        client: &NativeClient,
        options: NativeForwarderOptions,
        on_error: Option<ThreadsafeFunction<String, (), String, Status, false, true>>,
    ) -> Result<Self> {
        let options = ForwardingOptions {
            from_env: options.from_env.unwrap_or(true),
            ga_measurement_id: options.ga_measurement_id,
            ga_api_secret: options.ga_api_secret,
            ga_base_url: options.ga_base_url,
            segment_write_key: options.segment_write_key,
            segment_base_url: options.segment_base_url,
            posthog_api_key: options.posthog_api_key,
            posthog_host: options.posthog_host,
            stripe_secret_key: options.stripe_secret_key,
            stripe_base_url: options.stripe_base_url,
            send_email: options.send_email.unwrap_or(false),
            send_ip: options.send_ip.unwrap_or(false),
            queue_capacity: options.queue_capacity.map(|c| c as usize),
            flush_interval: options
                .flush_interval_ms
                .map(|ms| Duration::from_millis(ms.into())),
            gzip: options.gzip.unwrap_or(false),
        };
        let mut config = ForwardingConfig::from_options(options).map_err(to_napi)?;
        if let Some(callback) = on_error {
            config = config.on_error(move |failure| {
                let report = serde_json::to_string(failure).expect("failures serialize");
                callback.call(report, ThreadsafeFunctionCallMode::NonBlocking);
            });
        }
        let forwarder = Forwarder::start(&client.client, config).map_err(to_napi)?;
        Ok(NativeForwarder {
            forwarder: Arc::new(forwarder),
        })
    }

    /// Resolves when everything emitted so far was sent or failed; rejects after `timeoutMs`.
    #[napi(ts_return_type = "Promise<void>")]
    pub fn flush<'env>(&self, env: &'env Env, timeout_ms: u32) -> Result<PromiseRaw<'env, ()>> {
        // The future owns its handle: it stays valid if the worker that asked exits first.
        let forwarder = Arc::clone(&self.forwarder);
        env.spawn_future(async move {
            forwarder
                .flush(Duration::from_millis(timeout_ms.into()))
                .await
                .map_err(to_napi)
        })
    }

    /// Stops taking events and delivers what is queued, for at most `timeoutMs`.
    #[napi(ts_return_type = "Promise<void>")]
    pub fn shutdown<'env>(&self, env: &'env Env, timeout_ms: u32) -> Result<PromiseRaw<'env, ()>> {
        let forwarder = Arc::clone(&self.forwarder);
        env.spawn_future(async move {
            forwarder
                .shutdown(Duration::from_millis(timeout_ms.into()))
                .await
                .map_err(to_napi)
        })
    }

    /// The counters as JSON: totals and one entry per add-on.
    #[napi]
    pub fn stats(&self) -> String {
        serde_json::to_string(&self.forwarder.stats()).expect("stats serialize")
    }
}
