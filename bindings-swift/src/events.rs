//! Auth events: a foreign `EventListener`, and the subscription handle that stops it.

use std::sync::{Arc, Mutex};
use std::time::SystemTime;

use banata_auth::{EventFilter, Subscription};

use crate::client::BanataClient;
use crate::models::{extra_json, time};

/// Details of an event; which fields are set depends on its type.
#[derive(Debug, Clone, PartialEq, uniffi::Record)]
pub struct EventData {
    pub user_id: Option<String>,
    pub email: Option<String>,
    pub name: Option<String>,
    pub session_id: Option<String>,
    /// How the user authenticated, e.g. `password`.
    pub method: Option<String>,
    /// Why a session was created or revoked, e.g. `sign_in`, `sign_out`.
    pub reason: Option<String>,
    /// For `addon_config.updated`: the add-ons switched, and to what.
    pub addons: Option<std::collections::HashMap<String, bool>>,
    /// Other fields, as a JSON object.
    pub extra_json: Option<String>,
}

/// One auth event: `user.created`, `session.created`, `session.revoked`, `user.updated`,
/// `password.changed`, `password.reset_requested`, `password.reset`, `addon_config.updated`.
#[derive(Debug, Clone, PartialEq, uniffi::Record)]
pub struct AuthEvent {
    /// `evt_` and 32 hex digits.
    pub id: String,
    pub event_type: String,
    pub occurred_at: SystemTime,
    pub data: EventData,
    /// The event's stable JSON form (the same in every language).
    pub json: String,
}

impl From<&banata_auth::AuthEvent> for AuthEvent {
    fn from(event: &banata_auth::AuthEvent) -> Self {
        let data = event.data.clone();
        AuthEvent {
            id: event.id.clone(),
            event_type: event.event_type.as_str().to_owned(),
            occurred_at: time(Some(event.occurred_at)).expect("a timestamp is a time"),
            json: event.to_json(),
            data: EventData {
                user_id: data.user_id,
                email: data.email,
                name: data.name,
                session_id: data.session_id,
                method: data.method,
                reason: data.reason,
                addons: data
                    .addons
                    .map(|a| a.into_iter().map(|(id, s)| (id, s.enabled)).collect()),
                extra_json: extra_json(data.extra),
            },
        }
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
        let subscription = self
            .client
            .on(filter, move |event| listener.on_event(event.into()));
        Arc::new(EventSubscription {
            inner: Mutex::new(Some(subscription)),
        })
    }
}
