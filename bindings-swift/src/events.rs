//! Auth events: a foreign `EventListener`, and the subscription handle that stops it.

use std::sync::{Arc, Mutex};

use banata_auth::{EventFilter, Subscription};

use crate::client::BanataClient;
use crate::generated::{AuthEvent, EventBusStats};

/// The generated record of a core event (the same JSON form in every language).
fn record(event: &banata_auth::AuthEvent) -> Option<AuthEvent> {
    serde_json::to_value(event)
        .and_then(serde_json::from_value)
        .ok()
}

#[uniffi::export]
impl BanataClient {
    /// Event delivery counters: delivered, dropped (the listeners' queue was full) and
    /// listener panics.
    pub fn event_stats(&self) -> EventBusStats {
        crate::models::record(&self.client.event_stats())
    }
}

/// Receives events, in order, on the client's event thread. Return quickly; a listener that
/// throws does not affect the flow that emitted the event.
#[uniffi::export(with_foreign)]
pub trait EventListener: Send + Sync {
    fn on_event(&self, event: AuthEvent);
}

/// A registered listener. `cancel()` (or releasing the handle) stops delivery.
#[derive(uniffi::Object)]
pub struct EventSubscription {
    inner: Mutex<Option<Subscription>>,
}

#[uniffi::export]
impl EventSubscription {
    /// Stops delivery. Calling it again does nothing.
    pub fn cancel(&self) {
        if let Some(s) = self.inner.lock().unwrap_or_else(|p| p.into_inner()).take() {
            s.close();
        }
    }

    /// Whether delivery has stopped.
    pub fn is_cancelled(&self) -> bool {
        self.inner
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .as_ref()
            .is_none_or(Subscription::is_closed)
    }
}

#[uniffi::export]
impl BanataClient {
    /// Calls `listener` for each event of `event_type` (nil/null: every event). Keep the
    /// returned handle: releasing it unsubscribes.
    #[uniffi::method(default(event_type = None))]
    pub fn subscribe(
        &self,
        listener: Arc<dyn EventListener>,
        event_type: Option<String>,
    ) -> Arc<EventSubscription> {
        let filter = EventFilter::from_type_name(event_type.as_deref());
        let subscription = self.client.on(filter, move |event| {
            if let Some(event) = record(event) {
                listener.on_event(event);
            }
        });
        Arc::new(EventSubscription {
            inner: Mutex::new(Some(subscription)),
        })
    }
}
