//! Event listeners registered from JavaScript.
//!
//! One core subscription and one weak threadsafe function per client, however many listeners:
//! each event is serialized once and crosses to JavaScript once, with the ids of the listeners
//! it matches (the core's `EventFilter` decides), and the facade calls those. A threadsafe
//! function per listener would make libuv scan every one of them on each wake-up, which is
//! quadratic in listeners. The function is weak: listeners never keep the process alive.

use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::{Arc, Mutex, OnceLock, RwLock, Weak};

use banata_auth::{Client, EventFilter, Subscription};
use napi::Status;
use napi::threadsafe_function::{ThreadsafeFunction, ThreadsafeFunctionCallMode};
use napi_derive::napi;

use crate::client::NativeClient;

/// Receives `[[listener ids], event]` as one JSON document.
type Dispatch = ThreadsafeFunction<String, (), String, Status, false, true>;

/// The listeners of one client, and its single hook into the core's event bus.
#[derive(Default)]
pub(crate) struct Listeners {
    entries: RwLock<Vec<(u32, EventFilter)>>,
    next_id: AtomicU32,
    dispatch: OnceLock<Dispatch>,
    hook: Mutex<Option<Subscription>>,
}

impl Listeners {
    fn add(self: &Arc<Self>, client: &Client, filter: EventFilter) -> u32 {
        let id = self.next_id.fetch_add(1, Ordering::Relaxed) + 1;
        self.entries
            .write()
            .unwrap_or_else(|p| p.into_inner())
            .push((id, filter));
        let mut hook = self.hook.lock().unwrap_or_else(|p| p.into_inner());
        if hook.is_none() {
            let listeners = Arc::downgrade(self);
            *hook = Some(client.on(EventFilter::All, move |event| {
                if let Some(listeners) = listeners.upgrade() {
                    listeners.deliver(event);
                }
            }));
        }
        id
    }

    fn deliver(&self, event: &banata_auth::AuthEvent) {
        let ids: Vec<String> = self
            .entries
            .read()
            .unwrap_or_else(|p| p.into_inner())
            .iter()
            .filter(|(_, filter)| filter.matches(event))
            .map(|(id, _)| id.to_string())
            .collect();
        if let (false, Some(dispatch)) = (ids.is_empty(), self.dispatch.get()) {
            let document = format!("[[{}],{}]", ids.join(","), event.to_json());
            dispatch.call(document, ThreadsafeFunctionCallMode::NonBlocking);
        }
    }

    fn remove(&self, id: u32) {
        self.entries
            .write()
            .unwrap_or_else(|p| p.into_inner())
            .retain(|(i, _)| *i != id);
    }
}

/// A registration; `close()` unsubscribes.
#[napi]
pub struct NativeSubscription {
    id: u32,
    listeners: Weak<Listeners>,
    closed: Mutex<bool>,
}

#[napi]
impl NativeSubscription {
    /// The id the dispatch function receives for this listener.
    #[napi(getter)]
    pub fn id(&self) -> u32 {
        self.id
    }

    /// Stops delivery. Calling it again does nothing.
    #[napi]
    pub fn close(&self) {
        let mut closed = self.closed.lock().unwrap_or_else(|p| p.into_inner());
        if !*closed {
            *closed = true;
            if let Some(listeners) = self.listeners.upgrade() {
                listeners.remove(self.id);
            }
        }
    }

    #[napi(getter)]
    pub fn closed(&self) -> bool {
        *self.closed.lock().unwrap_or_else(|p| p.into_inner())
    }
}

#[napi]
impl NativeClient {
    /// Sets the one function events reach JavaScript through (the facade does it once):
    /// `dispatch('[[ids], event]')`.
    #[napi(ts_args_type = "dispatch: (document: string) => void")]
    pub fn listen(&self, dispatch: Dispatch) {
        let _ = self.listeners.dispatch.set(dispatch);
    }

    /// The event bus counters as JSON: delivered, dropped (queue full) and listener panics.
    #[napi]
    pub fn event_stats(&self) -> String {
        serde_json::to_string(&self.client.event_stats()).expect("counters serialize")
    }

    /// Registers a listener for events of `eventType` (null or `"*"`: all).
    #[napi]
    pub fn subscribe(&self, event_type: Option<String>) -> NativeSubscription {
        let filter = EventFilter::from_type_name(event_type.as_deref());
        let id = self.listeners.add(&self.client, filter);
        NativeSubscription {
            id,
            listeners: Arc::downgrade(&self.listeners),
            closed: Mutex::new(false),
        }
    }
}
