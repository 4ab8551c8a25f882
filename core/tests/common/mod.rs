//! Helpers shared by the integration suites.
#![allow(dead_code)]

pub mod either;
pub mod forwarding;
pub mod oidc;
pub mod peer;
pub mod social_flow;

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use banata_auth::{AuthEvent, Client, EventFilter, Subscription};
use banata_devserver::{DevServer, DevServerConfig, DevServerHandle};

pub const PASSWORD: &str = "correct horse battery staple";

/// A fresh in-memory devserver where sign-up signs the user in (no e-mail verification), as
/// most flows under test need; `verifying_devserver` keeps the platform's default.
pub async fn devserver() -> DevServerHandle {
    DevServer::start(DevServerConfig {
        require_email_verification: false,
        ..Default::default()
    })
    .await
    .expect("devserver starts")
}

/// A fresh in-memory devserver with the platform's defaults (e-mail verification required).
pub async fn verifying_devserver() -> DevServerHandle {
    DevServer::start(Default::default())
        .await
        .expect("devserver starts")
}

/// A client for `server` holding its admin key.
pub fn admin_client(server: &DevServerHandle) -> Client {
    Client::builder(server.url())
        .api_key(server.admin_api_key())
        .initial_retry_delay(Duration::from_millis(10))
        .build()
        .expect("client builds")
}

/// An e-mail address no other test uses.
pub fn unique_email(tag: &str) -> String {
    static N: AtomicU64 = AtomicU64::new(0);
    format!(
        "{tag}-{}-{}@example.com",
        std::process::id(),
        N.fetch_add(1, Ordering::Relaxed)
    )
}

/// Records every event a client emits.
pub struct Recorder {
    pub events: Arc<Mutex<Vec<AuthEvent>>>,
    _subscription: Subscription,
}

impl Recorder {
    pub fn attach(client: &Client) -> Recorder {
        let events = Arc::new(Mutex::new(Vec::new()));
        let sink = Arc::clone(&events);
        let subscription = client.on(EventFilter::All, move |e| {
            sink.lock().unwrap().push(e.clone())
        });
        Recorder {
            events,
            _subscription: subscription,
        }
    }

    /// Waits until `n` events arrived (delivery is asynchronous) and returns them.
    pub async fn wait_for(&self, n: usize) -> Vec<AuthEvent> {
        for _ in 0..500 {
            if self.events.lock().unwrap().len() >= n {
                break;
            }
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
        self.events.lock().unwrap().clone()
    }

    pub fn types(events: &[AuthEvent]) -> Vec<String> {
        events.iter().map(|e| e.event_type.to_string()).collect()
    }
}
