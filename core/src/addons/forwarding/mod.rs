//! Add-on forwarding: the client's auth events, delivered to the add-ons an admin enabled.
//!
//! (The example is in the `addons` module's documentation, which renders.)
//!
//! How it runs: a listener copies each event into a bounded intake; one forwarding thread (with
//! its own runtime, so no host runtime or auth flow ever waits on it) checks which add-ons are
//! enabled, maps the event per service from an allow-list of fields, and queues it per
//! destination; a worker per destination batches and sends. The add-on configuration is read with
//! `get_addon_config()`, cached for `config_ttl`, re-read on that interval, and updated in order
//! from the client's own `addon_config.updated` events, so a toggle through `save_addon_config()`
//! applies to the very next event.
//!
//! Overflow: each destination queue holds `queue_capacity` messages (default 10,000); when full,
//! new messages are dropped and counted in `dropped`, so memory stays bounded while a service is
//! down and what was queued first is delivered first once it is back.

mod delivery;
mod ga4;
mod message;
mod options;
mod posthog;
mod segment;
mod service;
mod stripe;

use std::collections::HashSet;
use std::fmt;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use tokio::sync::{Notify, mpsc};

pub use ga4::Ga4Config;
pub use message::DataPolicy;
pub use options::ForwardingOptions;
pub use posthog::PostHogConfig;
pub use segment::SegmentConfig;
pub use stripe::{STRIPE_API_VERSION, StripeConfig};

use self::delivery::{Destination, WorkerShared};
use self::message::Facts;
use crate::addons::{AddonConfig, AddonId};
use crate::client::Client;
use crate::error::{Error, ErrorKind, Result};
use crate::events::{AuthEvent, EventType, Subscription};
use crate::transport::RequestOptions;

/// A delivery that failed for good (a 4xx other than 408/429/413, or an event too large alone).
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[cfg_attr(feature = "schema", schemars(rename = "ForwardingFailure"))]
pub struct ForwardingError {
    /// The add-on id, e.g. `"segment"`.
    pub addon: String,
    /// The service's HTTP status, when it answered.
    pub status: Option<u16>,
    /// What went wrong (never a credential).
    pub message: String,
    /// How many events were lost.
    pub events: u64,
}

/// A callback for deliveries that failed for good.
pub type ForwardingErrorCallback = Arc<dyn Fn(&ForwardingError) + Send + Sync>;

/// How forwarding runs. Start from [`ForwardingConfig::from_env`] or `default()` and override.
#[derive(Clone)]
pub struct ForwardingConfig {
    /// Google Analytics 4: Measurement Protocol events.
    pub ga4: Option<Ga4Config>,
    /// Segment: `identify` and `track` calls.
    pub segment: Option<SegmentConfig>,
    /// PostHog: `capture` calls.
    pub posthog: Option<PostHogConfig>,
    /// Stripe: seat quantities on subscription items.
    pub stripe: Option<StripeConfig>,
    /// What personal data may be sent (default: neither e-mail nor IP).
    pub data_policy: DataPolicy,
    /// Messages each destination may hold (default 10,000).
    pub queue_capacity: usize,
    /// Longest time a message waits for its batch to fill (default 1 s).
    pub flush_interval: Duration,
    /// How long the add-on configuration is trusted before it is read again (default 30 s).
    pub config_ttl: Duration,
    /// Compress Segment and PostHog bodies (default off).
    pub gzip: bool,
    /// Time for one delivery attempt (default 10 s).
    pub request_timeout: Duration,
    /// First retry delay, doubled per attempt with jitter (default 500 ms).
    pub initial_retry_delay: Duration,
    /// Longest wait between attempts, `Retry-After` included (default 30 s).
    pub max_retry_wait: Duration,
    /// Called once per batch that failed for good (see [`ForwardingConfig::on_error`]).
    pub on_error: Option<ForwardingErrorCallback>,
}

impl Default for ForwardingConfig {
    fn default() -> Self {
        ForwardingConfig {
            ga4: None,
            segment: None,
            posthog: None,
            stripe: None,
            data_policy: DataPolicy::default(),
            queue_capacity: 10_000,
            flush_interval: Duration::from_secs(1),
            config_ttl: Duration::from_secs(30),
            gzip: false,
            request_timeout: Duration::from_secs(10),
            initial_retry_delay: Duration::from_millis(500),
            max_retry_wait: Duration::from_secs(30),
            on_error: None,
        }
    }
}

impl ForwardingConfig {
    /// Credentials and hosts from the environment: `GA_MEASUREMENT_ID` + `GA_API_SECRET`
    /// (`GA_BASE_URL`), `SEGMENT_WRITE_KEY` (`SEGMENT_BASE_URL`), `POSTHOG_API_KEY` +
    /// `POSTHOG_HOST`, `STRIPE_SECRET_KEY` (`STRIPE_BASE_URL`). Unset services stay `None`.
    pub fn from_env() -> Self {
        ForwardingConfig {
            ga4: Ga4Config::from_env(),
            segment: SegmentConfig::from_env(),
            posthog: PostHogConfig::from_env(),
            stripe: StripeConfig::from_env(),
            ..Default::default()
        }
    }

    /// Called once per batch that failed for good.
    pub fn on_error(mut self, callback: impl Fn(&ForwardingError) + Send + Sync + 'static) -> Self {
        self.on_error = Some(Arc::new(callback));
        self
    }
}

impl fmt::Debug for ForwardingConfig {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ForwardingConfig")
            .field("ga4", &self.ga4)
            .field("segment", &self.segment)
            .field("posthog", &self.posthog)
            .field("stripe", &self.stripe)
            .field("data_policy", &self.data_policy)
            .field("queue_capacity", &self.queue_capacity)
            .field("flush_interval", &self.flush_interval)
            .field("gzip", &self.gzip)
            .finish_non_exhaustive()
    }
}

/// What the workers need from the configuration.
pub(crate) struct Settings {
    pub flush_interval: Duration,
    pub initial_retry_delay: Duration,
    pub max_retry_wait: Duration,
    pub on_error: Option<ForwardingErrorCallback>,
}

/// Counters of one destination.
#[derive(Clone, Debug, Default, PartialEq, Eq, serde::Serialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct DestinationStats {
    /// The add-on id.
    pub addon: String,
    /// Messages waiting or being sent.
    pub queued: u64,
    /// Messages the service accepted.
    pub sent: u64,
    /// Delivery attempts repeated after a retryable failure.
    pub retried: u64,
    /// Messages the service refused for good.
    pub failed: u64,
    /// Messages dropped because the queue was full or shutdown ran out of time.
    pub dropped: u64,
}

/// Counters of the whole pipeline: the sums over destinations, plus events the intake dropped.
#[derive(Clone, Debug, Default, PartialEq, Eq, serde::Serialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct ForwardingStats {
    /// Messages waiting or being sent.
    pub queued: u64,
    /// Messages the services accepted.
    pub sent: u64,
    /// Delivery attempts repeated after a retryable failure.
    pub retried: u64,
    /// Messages the services refused for good.
    pub failed: u64,
    /// Messages and events dropped (queues full, shutdown out of time).
    pub dropped: u64,
    /// The same per add-on with credentials.
    pub destinations: Vec<DestinationStats>,
}

struct Shared {
    client: Client,
    destinations: Vec<Arc<Destination>>,
    missing_credentials: Vec<AddonId>,
    workers: Arc<WorkerShared>,
    policy: DataPolicy,
    config_ttl: Duration,
    cache: Mutex<Option<(AddonConfig, Instant)>>,
    warned: Mutex<HashSet<String>>,
    received: AtomicU64,
    processed: AtomicU64,
    intake_dropped: AtomicU64,
    closed: AtomicBool,
    stop: Notify,
}

/// A running forwarding pipeline. Dropping it stops it without waiting; call
/// [`Forwarder::shutdown`] to deliver what is queued first.
pub struct Forwarder {
    shared: Arc<Shared>,
    subscription: Mutex<Option<Subscription>>,
}

impl Forwarder {
    /// Starts forwarding `client`'s events. Reading which add-ons are enabled needs the client's
    /// API key; without one nothing is forwarded (and a warning says why).
    pub fn start(client: &Client, config: ForwardingConfig) -> Result<Forwarder> {
        let mut destinations = Vec::new();
        let mut missing = Vec::new();
        let capacity = config.queue_capacity.max(1);
        let mut add = |id: AddonId, service: Option<Box<dyn service::Service>>| match service {
            Some(s) => destinations.push(Arc::new(Destination::new(id, s, capacity))),
            None => missing.push(id),
        };
        add(
            AddonId::GOOGLE_ANALYTICS,
            config
                .ga4
                .clone()
                .map(|c| Box::new(ga4::Ga4 { config: c }) as _),
        );
        add(
            AddonId::SEGMENT,
            config.segment.clone().map(|c| {
                Box::new(segment::Segment {
                    config: c,
                    gzip: config.gzip,
                }) as _
            }),
        );
        add(
            AddonId::POSTHOG,
            config.posthog.clone().map(|c| {
                Box::new(posthog::PostHog {
                    config: c,
                    gzip: config.gzip,
                }) as _
            }),
        );
        let stripe = config.stripe.clone().filter(|c| {
            let usable = c.is_usable();
            if !usable {
                tracing::warn!("STRIPE_SECRET_KEY is a publishable key (pk_…); Stripe forwarding needs a secret or restricted key");
            }
            usable
        });
        add(
            AddonId::STRIPE,
            stripe.map(|c| Box::new(stripe::Stripe { config: c }) as _),
        );

        if !client.has_api_key() {
            tracing::warn!(
                "add-on forwarding needs the project API key to read which add-ons are enabled; nothing will be forwarded"
            );
        }
        let http = crate::http_client::build("the forwarding HTTP client", &[], || {
            reqwest::Client::builder()
                .user_agent(format!("banata-auth-rust/{}", env!("CARGO_PKG_VERSION")))
                .timeout(config.request_timeout)
        })?;
        let workers = Arc::new(WorkerShared {
            settings: Settings {
                flush_interval: config.flush_interval,
                initial_retry_delay: config.initial_retry_delay,
                max_retry_wait: config.max_retry_wait,
                on_error: config.on_error.clone(),
            },
            http,
            flushing: AtomicBool::new(false),
            stopping: AtomicBool::new(false),
            flush_signal: Notify::new(),
        });
        let shared = Arc::new(Shared {
            client: client.clone(),
            destinations,
            missing_credentials: missing,
            workers,
            policy: config.data_policy,
            config_ttl: config.config_ttl,
            cache: Mutex::new(None),
            warned: Mutex::new(HashSet::new()),
            received: AtomicU64::new(0),
            processed: AtomicU64::new(0),
            intake_dropped: AtomicU64::new(0),
            closed: AtomicBool::new(false),
            stop: Notify::new(),
        });

        let (tx, rx) = mpsc::channel::<AuthEvent>(capacity);
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .map_err(|e| {
                Error::configuration(format!("could not start the forwarding runtime: {e}"))
            })?;
        let for_thread = Arc::clone(&shared);
        std::thread::Builder::new()
            .name("banata-forwarder".into())
            .spawn(move || runtime.block_on(run(for_thread, rx)))
            .map_err(|e| {
                Error::configuration(format!("could not start the forwarding thread: {e}"))
            })?;

        // A tap, not a listener: forwarding keeps its own bounded queue and never waits behind
        // (or loses events to) the host's listeners and their queue.
        let intake = Arc::clone(&shared);
        let subscription = client.tap(move |event| {
            if intake.closed.load(Ordering::Acquire) {
                return;
            }
            intake.received.fetch_add(1, Ordering::AcqRel);
            if tx.try_send(event.clone()).is_err() {
                intake.received.fetch_sub(1, Ordering::AcqRel);
                intake.intake_dropped.fetch_add(1, Ordering::Relaxed);
            }
        });
        Ok(Forwarder {
            shared,
            subscription: Mutex::new(Some(subscription)),
        })
    }

    /// Sends everything emitted so far, waiting at most `timeout`. Fails with a `timeout` error
    /// saying how much is still queued (it stays queued and is sent later).
    pub async fn flush(&self, timeout: Duration) -> Result<()> {
        let deadline = Instant::now() + timeout;
        let workers = &self.shared.workers;
        workers.flushing.store(true, Ordering::Release);
        let outcome = loop {
            let intake_busy = self.shared.processed.load(Ordering::Acquire)
                < self.shared.received.load(Ordering::Acquire);
            let waiting: u64 = self
                .shared
                .destinations
                .iter()
                .map(|d| d.queued() + d.counters.in_flight.load(Ordering::Acquire))
                .sum();
            if !intake_busy && waiting == 0 {
                break Ok(());
            }
            if Instant::now() >= deadline {
                break Err(Error::new(
                    ErrorKind::Timeout,
                    format!("flush timed out with {waiting} add-on messages still queued"),
                ));
            }
            workers.flush_signal.notify_waiters();
            for d in &self.shared.destinations {
                d.wake();
            }
            tokio::time::sleep(Duration::from_millis(2)).await;
        };
        workers.flushing.store(false, Ordering::Release);
        outcome
    }

    /// Stops taking events, delivers what is queued within `timeout`, and stops. What could not
    /// be delivered by then is dropped (and counted). Calling it again does nothing.
    pub async fn shutdown(&self, timeout: Duration) -> Result<()> {
        if self.shared.closed.load(Ordering::Acquire) {
            return Ok(());
        }
        // Drain first: events emitted before this call may still be on their way to the intake.
        let flushed = self.flush(timeout).await;
        if self.shared.closed.swap(true, Ordering::AcqRel) {
            return flushed;
        }
        self.shared.workers.stopping.store(true, Ordering::Release);
        self.shared.workers.flush_signal.notify_waiters();
        self.shared.stop.notify_one();
        for d in &self.shared.destinations {
            d.abandon();
            d.wake();
        }
        self.subscription
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .take();
        flushed
    }

    /// The pipeline's counters.
    pub fn stats(&self) -> ForwardingStats {
        let mut stats = ForwardingStats {
            dropped: self.shared.intake_dropped.load(Ordering::Relaxed),
            ..Default::default()
        };
        for d in &self.shared.destinations {
            let c = &d.counters;
            let s = DestinationStats {
                addon: d.addon.as_str().to_owned(),
                queued: d.queued() + c.in_flight.load(Ordering::Relaxed),
                sent: c.sent.load(Ordering::Relaxed),
                retried: c.retried.load(Ordering::Relaxed),
                failed: c.failed.load(Ordering::Relaxed),
                dropped: c.dropped.load(Ordering::Relaxed),
            };
            stats.queued += s.queued;
            stats.sent += s.sent;
            stats.retried += s.retried;
            stats.failed += s.failed;
            stats.dropped += s.dropped;
            stats.destinations.push(s);
        }
        stats
    }
}

impl Drop for Forwarder {
    fn drop(&mut self) {
        self.shared.closed.store(true, Ordering::Release);
        self.shared.workers.stopping.store(true, Ordering::Release);
        self.shared.workers.flush_signal.notify_waiters();
        self.shared.stop.notify_one();
        for d in &self.shared.destinations {
            d.wake();
        }
    }
}

impl fmt::Debug for Forwarder {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Forwarder")
            .field("stats", &self.stats())
            .finish()
    }
}

/// The forwarding thread: workers per destination, and the intake loop.
async fn run(shared: Arc<Shared>, mut intake: mpsc::Receiver<AuthEvent>) {
    let workers: Vec<_> = shared
        .destinations
        .iter()
        .map(|d| tokio::spawn(delivery::run(Arc::clone(d), Arc::clone(&shared.workers))))
        .collect();
    let mut refresh = tokio::time::interval(shared.config_ttl.max(Duration::from_millis(100)));
    refresh.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        tokio::select! {
            biased;
            _ = shared.stop.notified() => break,
            event = intake.recv() => match event {
                Some(event) => {
                    handle(&shared, &event).await;
                    shared.processed.fetch_add(1, Ordering::AcqRel);
                }
                None => break,
            },
            _ = refresh.tick() => {
                if has_listeners(&shared) {
                    refresh_config(&shared).await;
                }
            }
        }
    }
    for w in workers {
        let _ = w.await;
    }
}

fn has_listeners(shared: &Shared) -> bool {
    !shared.destinations.is_empty() || !shared.missing_credentials.is_empty()
}

async fn handle(shared: &Shared, event: &AuthEvent) {
    if event.event_type == EventType::ADDON_CONFIG_UPDATED {
        // Our own save: apply it in order, so the next event already sees it.
        if let Some(applied) = &event.data.addons {
            let mut cache = shared.cache.lock().unwrap_or_else(|p| p.into_inner());
            if let Some((config, _)) = cache.as_mut() {
                for (id, settings) in applied {
                    config.addons.insert(id.clone(), settings.clone());
                }
            }
        }
        return;
    }
    let Some(facts) = Facts::of(event, shared.policy) else {
        return;
    };
    let Some(config) = current_config(shared).await else {
        return;
    };
    for id in &shared.missing_credentials {
        if config.is_enabled(id) {
            warn_once(
                shared,
                id.as_str(),
                &format!(
                    "add-on {id} is enabled but its credentials are not configured; its events are not forwarded"
                ),
            );
        }
    }
    for dest in &shared.destinations {
        if config.is_enabled(&dest.addon) {
            dest.push(dest.service.map(&facts));
        }
    }
}

async fn current_config(shared: &Shared) -> Option<AddonConfig> {
    let fresh = {
        let cache = shared.cache.lock().unwrap_or_else(|p| p.into_inner());
        cache
            .as_ref()
            .filter(|(_, at)| at.elapsed() < shared.config_ttl)
            .map(|(c, _)| c.clone())
    };
    if fresh.is_some() {
        return fresh;
    }
    refresh_config(shared).await;
    let cache = shared.cache.lock().unwrap_or_else(|p| p.into_inner());
    cache.as_ref().map(|(c, _)| c.clone())
}

async fn refresh_config(shared: &Shared) {
    if !shared.client.has_api_key() {
        return;
    }
    let quick = shared.client.with_options(
        RequestOptions::new()
            .timeout(Duration::from_secs(5))
            .max_retries(1),
    );
    match quick.addons().get().await {
        Ok(config) => {
            *shared.cache.lock().unwrap_or_else(|p| p.into_inner()) =
                Some((config, Instant::now()));
            shared
                .warned
                .lock()
                .unwrap_or_else(|p| p.into_inner())
                .remove("config");
        }
        Err(e) => warn_once(
            shared,
            "config",
            &format!("could not read the add-on configuration (keeping the last one): {e}"),
        ),
    }
}

fn warn_once(shared: &Shared, key: &str, message: &str) {
    if shared
        .warned
        .lock()
        .unwrap_or_else(|p| p.into_inner())
        .insert(key.to_owned())
    {
        tracing::warn!("{message}");
    }
}
