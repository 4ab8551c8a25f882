//! Forwarding does not depend on the host's listeners: with one listener blocked for the whole
//! run, every event still reaches the add-on or is counted as dropped.

mod common;

use std::sync::Mutex;
use std::sync::mpsc::channel;
use std::time::Duration;

use banata_auth::addons::ForwardingConfig;
use banata_auth::{AddonConfigUpdate, EventFilter};
use common::forwarding::{received, sign_in_event, sink_config, start};
use common::{admin_client, devserver};

const EVENTS: usize = 10_050;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_blocked_listener_neither_starves_nor_hides_forwarding() {
    let server = devserver().await;
    let client = admin_client(&server);
    client
        .addons()
        .save(AddonConfigUpdate::new().enable("segment"))
        .await
        .unwrap();
    let (release, blocked) = channel::<()>();
    let blocked = Mutex::new(blocked);
    let _stuck = client.on(EventFilter::All, move |_| {
        let _ = blocked.lock().unwrap().recv();
    });
    let config = ForwardingConfig {
        ga4: None,
        posthog: None,
        stripe: None,
        ..sink_config(&server)
    };
    let forwarder = start(&client, config).await;
    for n in 0..EVENTS {
        client.emit_event(sign_in_event(&format!("user_{n}")));
    }
    forwarder.flush(Duration::from_secs(30)).await.unwrap();
    let delivered: usize = received(&server, "segment")
        .await
        .iter()
        .filter(|r| r["status"] == 200)
        .map(|r| r["body"]["json"]["batch"].as_array().map_or(0, Vec::len))
        .sum();
    let stats = forwarder.stats();
    assert!(
        delivered > 0,
        "forwarding ran while the listener was blocked"
    );
    assert_eq!(
        delivered as u64 + stats.dropped,
        EVENTS as u64,
        "every event is delivered or counted ({stats:?})"
    );
    assert_eq!(stats.sent, delivered as u64);
    assert!(
        client.event_stats().dropped > 0,
        "the blocked listener's queue overflowed, and that is counted too"
    );
    drop(release);
}
