//! Forwarding benchmark (not a test): what an auth flow pays to emit an event, how fast events
//! reach a local sink, and how much memory a dead sink costs at the queue bound. Every figure is
//! printed next to a baseline measured in the same run, since the machines here are noisy.
//!
//!     cargo run --release -p banata-bench --bin forwarding

use std::hint::black_box;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::mpsc::sync_channel;
use std::time::{Duration, Instant};

use axum::Router;
use axum::http::StatusCode;
use axum::routing::post;
use banata_auth::addons::{Forwarder, ForwardingConfig, PostHogConfig};
use banata_auth::{AddonConfigUpdate, AddonId, AuthEvent, Client, EventData, EventType};
use banata_devserver::{DevServer, DevServerConfig};

const QUEUE_BOUND: usize = 10_000;
/// Rounds of `QUEUE_BOUND` events for the memory run.
const ROUNDS: usize = 20;

fn event(n: u64) -> AuthEvent {
    AuthEvent::new(
        EventType::SESSION_CREATED,
        EventData {
            user_id: Some(format!("user_{n:08}")),
            session_id: Some(format!("sess_{n:08}")),
            method: Some("password".into()),
            reason: Some("sign_in".into()),
            ..Default::default()
        },
    )
}

/// A local sink: counts requests and answers `status`.
async fn sink(status: StatusCode) -> (String, Arc<AtomicU64>) {
    let hits = Arc::new(AtomicU64::new(0));
    let counter = Arc::clone(&hits);
    let app = Router::new().route(
        "/batch/",
        post(move |body: axum::body::Bytes| {
            let counter = Arc::clone(&counter);
            async move {
                black_box(body.len());
                counter.fetch_add(1, Ordering::Relaxed);
                (status, "{\"status\":1}")
            }
        }),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    (url, hits)
}

fn rss_kib() -> u64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmRSS:"))
        .and_then(|v| v.split_whitespace().next())
        .and_then(|v| v.parse().ok())
        .unwrap_or(0)
}

fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(|a, b| a.total_cmp(b));
    v[v.len() / 2]
}

async fn forwarding_client(server: &banata_devserver::DevServerHandle) -> Client {
    let client = Client::builder(server.url())
        .api_key(server.admin_api_key())
        .build()
        .unwrap();
    client
        .addons()
        .save(AddonConfigUpdate::new().enable(AddonId::POSTHOG))
        .await
        .unwrap();
    client
}

fn posthog(host: String) -> ForwardingConfig {
    ForwardingConfig {
        posthog: Some(PostHogConfig {
            api_key: "phc_bench".into(),
            host,
        }),
        queue_capacity: QUEUE_BOUND,
        flush_interval: Duration::from_millis(20),
        initial_retry_delay: Duration::from_secs(60),
        max_retry_wait: Duration::from_secs(60),
        ..Default::default()
    }
}

async fn wait_idle(client: &Client, delivered_target: u64) {
    while client.event_stats().delivered < delivered_target {
        tokio::time::sleep(Duration::from_micros(200)).await;
    }
}

#[tokio::main]
async fn main() {
    let server = DevServer::start(DevServerConfig::default()).await.unwrap();
    if std::env::args().any(|a| a == "--memory") {
        memory(&server).await;
        server.shutdown().await;
        return;
    }
    println!(
        "{:<58} {:>14} {:>14} {:>8}",
        "benchmark", "measured", "baseline", "ratio"
    );

    // 1. Emission cost on the auth path, with a running forwarder listening. Baseline: handing
    //    the same event to a bounded std channel, the least any non-blocking hand-off costs.
    {
        let (url, _) = sink(StatusCode::OK).await;
        let client = forwarding_client(&server).await;
        let forwarder = Forwarder::start(&client, posthog(url)).unwrap();
        let (tx, rx) = sync_channel::<AuthEvent>(QUEUE_BOUND);
        let drain = std::thread::spawn(move || while rx.recv().is_ok() {});
        let batch = 200u64;
        let (mut ours, mut base) = (Vec::new(), Vec::new());
        let mut delivered = client.event_stats().delivered;
        for round in 0..200u64 {
            let events: Vec<AuthEvent> = (0..batch).map(|i| event(round * batch + i)).collect();
            let copies = events.clone();
            let t = Instant::now();
            for e in events {
                client.emit_event(e);
            }
            ours.push(t.elapsed().as_nanos() as f64 / batch as f64);
            let t = Instant::now();
            for e in copies {
                tx.send(e).unwrap();
            }
            base.push(t.elapsed().as_nanos() as f64 / batch as f64);
            delivered += batch;
            wait_idle(&client, delivered).await;
        }
        drop(tx);
        drain.join().unwrap();
        let (ours, base) = (median(ours), median(base));
        println!(
            "{:<58} {:>11.0} ns {:>11.0} ns {:>7.2}x",
            "emit one event (median; target < 1 us)",
            ours,
            base,
            ours / base
        );
        forwarder.shutdown(Duration::from_secs(10)).await.unwrap();
    }

    // 2. Throughput to a local sink: events emitted until all were sent. Baseline: the sink's
    //    ceiling, the same number of events as pre-built 100-event batches posted straight from
    //    reqwest, 4 at a time; the forwarder also maps, serialises and batches every event.
    {
        let total: u64 = 200_000;
        let (url, hits) = sink(StatusCode::OK).await;
        let client = forwarding_client(&server).await;
        let mut config = posthog(url.clone());
        config.queue_capacity = total as usize;
        let forwarder = Forwarder::start(&client, config).unwrap();
        let events: Vec<AuthEvent> = (0..total).map(event).collect();
        // A producer that respects the bus bound: never more than 5,000 events in flight.
        let base_delivered = client.event_stats().delivered;
        let t = Instant::now();
        for (i, e) in events.into_iter().enumerate() {
            client.emit_event(e);
            if i % 1000 == 999 {
                while (i as u64 + 1) - (client.event_stats().delivered - base_delivered) > 5_000 {
                    tokio::time::sleep(Duration::from_micros(100)).await;
                }
            }
        }
        forwarder.flush(Duration::from_secs(120)).await.unwrap();
        let elapsed = t.elapsed();
        let stats = forwarder.stats();
        let ours = stats.sent as f64 / elapsed.as_secs_f64();

        let body: Vec<serde_json::Value> = (0..100)
            .map(|i| serde_json::json!({"event": "user signed in", "distinct_id": format!("user_{i:08}"), "properties": {"method": "password"}, "timestamp": "2026-11-23T00:00:00.000Z"}))
            .collect();
        let body = serde_json::to_vec(&serde_json::json!({"api_key": "phc_bench", "batch": body}))
            .unwrap();
        let http = reqwest::Client::new();
        let before = hits.load(Ordering::Relaxed);
        let t = Instant::now();
        let requests = stats.sent / 100;
        let mut tasks = Vec::new();
        for worker in 0..4u64 {
            let (http, body, url) = (http.clone(), body.clone(), url.clone());
            tasks.push(tokio::spawn(async move {
                for _ in (worker..requests).step_by(4) {
                    let r = http
                        .post(format!("{url}/batch/"))
                        .header("content-type", "application/json")
                        .body(body.clone())
                        .send()
                        .await
                        .unwrap();
                    assert!(r.status().is_success());
                }
            }));
        }
        for task in tasks {
            task.await.unwrap();
        }
        let base =
            (hits.load(Ordering::Relaxed) - before) as f64 * 100.0 / t.elapsed().as_secs_f64();
        println!(
            "{:<58} {:>12.0}/s {:>12.0}/s {:>7.2}x",
            format!(
                "forward {} events to a local sink (target >= 100k/s)",
                stats.sent
            ),
            ours,
            base,
            ours / base
        );
        forwarder.shutdown(Duration::from_secs(10)).await.unwrap();
    }

    // 3. Memory runs in a fresh process, so pages freed by the sections above cannot hide growth.
    let child = std::process::Command::new(std::env::current_exe().unwrap())
        .arg("--memory")
        .status()
        .unwrap();
    assert!(child.success());
    server.shutdown().await;
}

/// Memory with a dead sink (503 forever, retries far off): the queue fills to its bound and
/// stays there. Baseline: the same number of events simply held in a `Vec`.
async fn memory(server: &banata_devserver::DevServerHandle) {
    let (url, _) = sink(StatusCode::SERVICE_UNAVAILABLE).await;
    let client = forwarding_client(server).await;
    let forwarder = Forwarder::start(&client, posthog(url)).unwrap();
    let base_delivered = client.event_stats().delivered;
    let start = rss_kib();
    let mut emitted = 0u64;
    let mut checkpoints = Vec::new();
    for _ in 0..ROUNDS {
        for _ in 0..QUEUE_BOUND {
            client.emit_event(event(emitted));
            emitted += 1;
        }
        wait_idle(&client, base_delivered + emitted).await;
        checkpoints.push(rss_kib());
    }
    let stats = forwarder.stats();
    if std::env::var_os("BENCH_VERBOSE").is_some() {
        eprintln!("rss KiB from {start}: {checkpoints:?}");
    }
    let half = ROUNDS / 2 - 1;
    let peak = checkpoints.iter().max().unwrap().saturating_sub(start);
    // The first rounds warm the allocator's per-thread arenas; the second half shows whether
    // anything still grows once the queue sits at its bound.
    let later = checkpoints[ROUNDS - 1] as i64 - checkpoints[half] as i64;

    let before_vec = rss_kib();
    let held: Vec<AuthEvent> = (0..QUEUE_BOUND as u64).map(event).collect();
    let vec_growth = rss_kib().saturating_sub(before_vec).max(1);
    black_box(&held);
    println!(
        "{:<58} {:>10.1} MiB {:>10.1} MiB {:>7.2}x",
        format!(
            "peak memory, dead sink ({} queued, {} dropped)",
            stats.queued, stats.dropped
        ),
        peak as f64 / 1024.0,
        vec_growth as f64 / 1024.0,
        peak as f64 / vec_growth as f64
    );
    println!(
        "{:<58} {:>10.1} MiB",
        format!(
            "growth over the last {} events (flat = ~0)",
            (ROUNDS - 1 - half) * QUEUE_BOUND
        ),
        later as f64 / 1024.0,
    );
    drop(forwarder);
}
