//! One destination's queue and the worker that drains it: batches within the service's limits,
//! retries 408/429/5xx, timeouts and connection failures with backoff and jitter (honouring
//! `Retry-After`), never retries other 4xx, and halves a batch the service answered 413.

use std::collections::VecDeque;
use std::future::Future;
use std::io::Write;
use std::pin::Pin;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, SystemTime};

use tokio::sync::Notify;

use super::message::Message;
use super::service::{Batch, Service};
use super::{ForwardingError, Settings};
use crate::addons::AddonId;
use crate::retry::{Backoff, retry_after_from_headers};

#[derive(Default)]
pub(crate) struct Counters {
    pub sent: AtomicU64,
    pub retried: AtomicU64,
    pub failed: AtomicU64,
    pub dropped: AtomicU64,
    /// Messages taken off the queue and not yet settled.
    pub in_flight: AtomicU64,
}

/// A destination: one add-on service with its queue.
pub(crate) struct Destination {
    pub addon: AddonId,
    pub service: Box<dyn Service>,
    queue: Mutex<VecDeque<Message>>,
    capacity: usize,
    pub counters: Counters,
    wake: Notify,
}

impl Destination {
    pub fn new(addon: AddonId, service: Box<dyn Service>, capacity: usize) -> Self {
        Destination {
            addon,
            service,
            queue: Mutex::new(VecDeque::new()),
            capacity,
            counters: Counters::default(),
            wake: Notify::new(),
        }
    }

    /// Queues messages; beyond the capacity (messages waiting plus those being sent) the newest
    /// are dropped and counted, so memory stays bounded while a service is down and what was
    /// queued first is delivered first.
    pub fn push(&self, messages: Vec<Message>) {
        if messages.is_empty() {
            return;
        }
        let mut queue = self.lock();
        for m in messages {
            let in_flight = self.counters.in_flight.load(Ordering::Acquire) as usize;
            if queue.len() + in_flight >= self.capacity {
                self.counters.dropped.fetch_add(1, Ordering::Relaxed);
            } else {
                queue.push_back(m);
            }
        }
        let full_batch = queue.len() >= self.service.limits().max_messages;
        drop(queue);
        if full_batch {
            self.wake.notify_one();
        }
    }

    pub fn queued(&self) -> u64 {
        self.lock().len() as u64
    }

    /// Drops everything still queued (at the end of a shutdown that ran out of time).
    pub fn abandon(&self) -> u64 {
        let n = {
            let mut q = self.lock();
            let n = q.len() as u64;
            q.clear();
            n
        };
        self.counters.dropped.fetch_add(n, Ordering::Relaxed);
        n
    }

    pub fn wake(&self) {
        self.wake.notify_one();
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, VecDeque<Message>> {
        self.queue.lock().unwrap_or_else(|p| p.into_inner())
    }

    fn take_batch(&self) -> Option<Batch> {
        let mut queue = self.lock();
        let batch = self.service.next_batch(&mut queue)?;
        self.counters
            .in_flight
            .fetch_add(batch.messages.len() as u64, Ordering::AcqRel);
        Some(batch)
    }
}

/// State the workers share with the forwarder handle.
pub(crate) struct WorkerShared {
    pub settings: Settings,
    pub http: reqwest::Client,
    /// Set by `flush()`: send what is queued now, and cut short backoff waits.
    pub flushing: AtomicBool,
    pub stopping: AtomicBool,
    pub flush_signal: Notify,
}

/// Drains one destination until the forwarder stops.
pub(crate) async fn run(dest: Arc<Destination>, shared: Arc<WorkerShared>) {
    let interval = shared.settings.flush_interval;
    loop {
        if shared.stopping.load(Ordering::Acquire) {
            return;
        }
        let due = dest.queued() as usize >= dest.service.limits().max_messages
            || (shared.flushing.load(Ordering::Acquire) && dest.queued() > 0);
        if !due {
            tokio::select! {
                _ = dest.wake.notified() => {}
                _ = shared.flush_signal.notified() => {}
                _ = tokio::time::sleep(interval) => {}
            }
        }
        while let Some(batch) = dest.take_batch() {
            let n = batch.messages.len() as u64;
            deliver(&dest, &shared, batch).await;
            dest.counters.in_flight.fetch_sub(n, Ordering::AcqRel);
            if shared.stopping.load(Ordering::Acquire) {
                return;
            }
        }
    }
}

enum Outcome {
    Sent,
    Retry(Option<Duration>, String),
    TooLarge,
    Failed(Option<u16>, String),
}

/// Sends one batch until it is accepted, rejected for good, or the forwarder stops.
fn deliver<'a>(
    dest: &'a Arc<Destination>,
    shared: &'a Arc<WorkerShared>,
    batch: Batch,
) -> Pin<Box<dyn Future<Output = ()> + Send + 'a>> {
    Box::pin(async move {
        let n = batch.messages.len() as u64;
        let backoff = Backoff {
            initial: shared.settings.initial_retry_delay,
            max_wait: shared.settings.max_retry_wait,
        };
        let mut attempt = 0u32;
        loop {
            match attempt_once(dest, shared, &batch).await {
                Outcome::Sent => {
                    dest.counters.sent.fetch_add(n, Ordering::Relaxed);
                    return;
                }
                Outcome::TooLarge => match batch.split() {
                    Some((first, second)) => {
                        deliver(dest, shared, first).await;
                        deliver(dest, shared, second).await;
                        return;
                    }
                    None => {
                        fail(
                            dest,
                            shared,
                            n,
                            Some(413),
                            "the service refused the event as too large".into(),
                        );
                        return;
                    }
                },
                Outcome::Failed(status, message) => {
                    fail(dest, shared, n, status, message);
                    return;
                }
                Outcome::Retry(asked, reason) => {
                    if shared.stopping.load(Ordering::Acquire) {
                        // Shutdown ran out of time: the batch is given up as dropped.
                        dest.counters.dropped.fetch_add(n, Ordering::Relaxed);
                        return;
                    }
                    dest.counters.retried.fetch_add(1, Ordering::Relaxed);
                    // A longer wait than the cap is cut to the cap: forwarding must keep going.
                    let wait = backoff
                        .delay(attempt, asked.map(|a| a.min(backoff.max_wait)))
                        .unwrap_or(backoff.max_wait);
                    tracing::debug!(addon = %dest.addon, attempt, ?wait, %reason, "retrying delivery");
                    let server_asked = asked.is_some();
                    tokio::select! {
                        _ = tokio::time::sleep(wait) => {}
                        // flush() cuts our own backoff short, never a wait the server asked for.
                        _ = shared.flush_signal.notified(), if !server_asked => {}
                    }
                    attempt = attempt.saturating_add(1);
                }
            }
        }
    })
}

fn fail(
    dest: &Destination,
    shared: &WorkerShared,
    events: u64,
    status: Option<u16>,
    message: String,
) {
    dest.counters.failed.fetch_add(events, Ordering::Relaxed);
    tracing::warn!(addon = %dest.addon, ?status, %message, events, "add-on delivery failed");
    if let Some(callback) = &shared.settings.on_error {
        let error = ForwardingError {
            addon: dest.addon.as_str().to_owned(),
            status,
            message,
            events,
        };
        // The host's callback must not take the worker down with it.
        if std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| callback(&error))).is_err() {
            tracing::error!("the forwarding error callback panicked");
        }
    }
}

async fn attempt_once(dest: &Destination, shared: &WorkerShared, batch: &Batch) -> Outcome {
    let builder = dest.service.request(&shared.http, batch);
    let mut request = match builder.build() {
        Ok(r) => r,
        Err(e) => {
            return Outcome::Failed(
                None,
                format!("could not build the request: {}", e.without_url()),
            );
        }
    };
    if dest.service.limits().gzip
        && let Err(e) = gzip_body(&mut request)
    {
        return Outcome::Failed(None, format!("could not compress the request: {e}"));
    }
    let response = match shared.http.execute(request).await {
        Ok(r) => r,
        // Never the error's URL: GA4 carries its secret in the query string.
        Err(e) if e.is_timeout() => return Outcome::Retry(None, "timed out".into()),
        Err(e) => return Outcome::Retry(None, format!("request failed: {}", e.without_url())),
    };
    let status = response.status().as_u16();
    if response.status().is_success() {
        return Outcome::Sent;
    }
    if status == 413 {
        return Outcome::TooLarge;
    }
    let explicit = dest.service.should_retry(&response);
    let asked = retry_after_from_headers(response.headers(), SystemTime::now());
    let body = response.text().await.unwrap_or_default();
    let snippet: String = body.chars().take(200).collect();
    let retryable = explicit.unwrap_or(
        matches!(status, 408 | 429) || (status >= 500 && status != 501 && status != 505),
    );
    if retryable {
        Outcome::Retry(asked, format!("status {status}"))
    } else {
        Outcome::Failed(Some(status), format!("status {status}: {snippet}"))
    }
}

fn gzip_body(request: &mut reqwest::Request) -> std::io::Result<()> {
    let Some(bytes) = request
        .body()
        .and_then(|b| b.as_bytes())
        .map(<[u8]>::to_vec)
    else {
        return Ok(());
    };
    let mut encoder = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    encoder.write_all(&bytes)?;
    *request.body_mut() = Some(encoder.finish()?.into());
    request.headers_mut().insert(
        reqwest::header::CONTENT_ENCODING,
        reqwest::header::HeaderValue::from_static("gzip"),
    );
    Ok(())
}
