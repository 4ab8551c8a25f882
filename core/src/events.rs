//! Typed auth events and the bus that delivers them to the host's listeners.
//!
//! Every successful flow emits an [`AuthEvent`]. Emitting only queues the event: delivery runs on
//! one dispatcher thread per client, in emission order, so a slow or panicking listener can never
//! slow down or fail the flow that emitted.

use std::borrow::Cow;
use std::collections::BTreeMap;
use std::fmt;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::mpsc::{Receiver, SyncSender, TrySendError, sync_channel};
use std::sync::{Arc, OnceLock, RwLock, Weak};

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use crate::addons::AddonSettings;
use crate::models::Timestamp;

/// Events waiting for the dispatcher beyond this are dropped (and counted), never blocking a flow.
const QUEUE_CAPACITY: usize = 10_000;

/// An event type: an open string, with constants for the documented catalog.
#[derive(Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(transparent)]
pub struct EventType(Cow<'static, str>);

/// The documented catalog, declared once: a constant per type and [`EventType::CATALOG`]
/// (which the bindings' event-type constants are generated from).
macro_rules! event_types {
    ($($(#[doc = $doc:literal])* $name:ident = $value:literal,)*) => {
        impl EventType {
            $(#[doc = concat!("`", $value, "`.")] $(#[doc = $doc])* pub const $name: EventType = EventType::from_static($value);)*

            /// Every documented type, by constant name.
            pub const CATALOG: &'static [(&'static str, EventType)] = &[$((stringify!($name), EventType::$name)),*];
        }
    };
}

event_types! {
    USER_CREATED = "user.created",
    USER_UPDATED = "user.updated",
    USER_DELETED = "user.deleted",
    USER_BANNED = "user.banned",
    USER_UNBANNED = "user.unbanned",
    SESSION_CREATED = "session.created",
    SESSION_REVOKED = "session.revoked",
    PASSWORD_CHANGED = "password.changed",
    PASSWORD_RESET_REQUESTED = "password.reset_requested",
    PASSWORD_RESET = "password.reset",
    EMAIL_VERIFIED = "email.verified",
    ORGANIZATION_CREATED = "organization.created",
    ORGANIZATION_UPDATED = "organization.updated",
    ORGANIZATION_DELETED = "organization.deleted",
    MEMBER_ADDED = "member.added",
    MEMBER_REMOVED = "member.removed",
    MEMBER_ROLE_UPDATED = "member.role_updated",
    INVITATION_CREATED = "invitation.created",
    INVITATION_ACCEPTED = "invitation.accepted",
    INVITATION_REVOKED = "invitation.revoked",
    INVITATION_REJECTED = "invitation.rejected",
    INVITATION_CANCELED = "invitation.canceled",
    /// A provider account was linked to the user (`method`: the provider).
    ACCOUNT_LINKED = "account.linked",
    /// A provider account was unlinked from the user (`method`: the provider).
    ACCOUNT_UNLINKED = "account.unlinked",
    TWO_FACTOR_ENABLED = "two_factor.enabled",
    TWO_FACTOR_DISABLED = "two_factor.disabled",
    API_KEY_CREATED = "api_key.created",
    API_KEY_REVOKED = "api_key.revoked",
    /// An add-on was switched on or off through `save_addon_config`.
    ADDON_CONFIG_UPDATED = "addon_config.updated",
}

impl EventType {
    /// A type from a string known at compile time.
    pub const fn from_static(name: &'static str) -> Self {
        EventType(Cow::Borrowed(name))
    }

    /// A type from any string (types are open: servers may send new ones).
    pub fn new(name: impl Into<String>) -> Self {
        EventType(Cow::Owned(name.into()))
    }

    /// The type's name, e.g. `"user.created"`.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

#[cfg(feature = "schema")]
impl schemars::JsonSchema for EventType {
    fn schema_name() -> std::borrow::Cow<'static, str> {
        "EventType".into()
    }
    fn inline_schema() -> bool {
        true
    }
    fn json_schema(_: &mut schemars::SchemaGenerator) -> schemars::Schema {
        schemars::json_schema!({ "type": "string" })
    }
}

impl fmt::Debug for EventType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "EventType({:?})", self.as_str())
    }
}

impl fmt::Display for EventType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl From<&str> for EventType {
    fn from(s: &str) -> Self {
        EventType::new(s)
    }
}

/// What an event is about. Never holds a password, session token or API key.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "camelCase")]
pub struct EventData {
    /// The user it is about.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub user_id: Option<String>,
    /// The user's address (add-ons receive it only when allowed to).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub email: Option<String>,
    /// The user's name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// The session's id (not its token).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub session_id: Option<String>,
    /// How the user authenticated, e.g. `"password"`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub method: Option<String>,
    /// Why a session began (`"sign_up"`, `"sign_in"`) or ended (`"sign_out"`, `"revoked"`,
    /// `"revoked_others"`, `"revoked_all"`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
    /// The add-on states a save applied (for `addon_config.updated`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub addons: Option<BTreeMap<String, AddonSettings>>,
    /// Anything else the event carries.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

/// One auth event. Its JSON form is stable:
/// `{"id":"evt_…","type":"user.created","occurredAt":"2026-…Z","data":{"userId":…}}`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "camelCase")]
pub struct AuthEvent {
    /// Unique id, `evt_` + 32 hex digits.
    pub id: String,
    /// What happened.
    #[serde(rename = "type")]
    pub event_type: EventType,
    /// When the SDK saw it happen.
    pub occurred_at: Timestamp,
    /// Details.
    pub data: EventData,
}

impl AuthEvent {
    /// A new event of `event_type` happening now.
    pub fn new(event_type: EventType, data: EventData) -> Self {
        AuthEvent {
            id: format!("evt_{:032x}", fastrand::u128(..)),
            event_type,
            occurred_at: Timestamp::now(),
            data,
        }
    }

    /// The stable JSON form.
    pub fn to_json(&self) -> String {
        serde_json::to_string(self).expect("events always serialize")
    }
}

/// Which events a listener receives.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub enum EventFilter {
    /// Every event.
    #[default]
    All,
    /// Only events of these types.
    Types(Vec<EventType>),
}

impl EventFilter {
    /// Only events of one type; `"*"` means all.
    pub fn only(event_type: impl Into<EventType>) -> Self {
        let t = event_type.into();
        if t.as_str() == "*" {
            EventFilter::All
        } else {
            EventFilter::Types(vec![t])
        }
    }

    /// A binding's filter argument: a type name, with `None` or `"*"` meaning every event.
    pub fn from_type_name(name: Option<&str>) -> Self {
        name.map_or(EventFilter::All, EventFilter::only)
    }

    /// Whether `event` passes.
    pub fn matches(&self, event: &AuthEvent) -> bool {
        match self {
            EventFilter::All => true,
            EventFilter::Types(types) => types.contains(&event.event_type),
        }
    }
}

type Listener = Box<dyn Fn(&AuthEvent) + Send + Sync>;

struct Subscriber {
    id: u64,
    filter: EventFilter,
    listener: Listener,
}

type Subscribers = RwLock<Vec<Arc<Subscriber>>>;

/// Counters of the event bus.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "camelCase")]
pub struct EventBusStats {
    /// Events handed to listeners.
    pub delivered: u64,
    /// Events dropped because the dispatcher queue was full.
    pub dropped: u64,
    /// Listener calls that panicked (the panic was contained).
    pub listener_panics: u64,
}

#[derive(Default)]
struct Counters {
    /// Events queued for the dispatcher and not yet handed to every listener.
    pending: AtomicU64,
    delivered: AtomicU64,
    dropped: AtomicU64,
    listener_panics: AtomicU64,
}

/// Fans events out to subscribers. Cheap to clone; one dispatcher thread per bus.
#[derive(Clone)]
pub(crate) struct EventBus {
    inner: Arc<BusInner>,
}

struct BusInner {
    subscribers: Arc<Subscribers>,
    any_subscriber: Arc<AtomicBool>,
    /// Called at emit time, on the emitting thread: for consumers that must not wait behind
    /// other listeners (the add-on forwarder hands events to its own bounded queue there).
    taps: Arc<Subscribers>,
    any_tap: Arc<AtomicBool>,
    sender: OnceLock<SyncSender<AuthEvent>>,
    next_id: AtomicU64,
    counters: Arc<Counters>,
}

impl Default for EventBus {
    fn default() -> Self {
        EventBus {
            inner: Arc::new(BusInner {
                subscribers: Arc::default(),
                any_subscriber: Arc::default(),
                taps: Arc::default(),
                any_tap: Arc::default(),
                sender: OnceLock::new(),
                next_id: AtomicU64::new(1),
                counters: Arc::default(),
            }),
        }
    }
}

impl EventBus {
    /// Hands `event` to the taps, then queues it for the listeners. Never blocks, never fails
    /// the caller.
    pub fn emit(&self, event: AuthEvent) {
        if self.inner.any_tap.load(Ordering::Acquire) {
            let taps: Vec<Arc<Subscriber>> = self
                .inner
                .taps
                .read()
                .unwrap_or_else(|p| p.into_inner())
                .clone();
            for tap in taps {
                if catch_unwind(AssertUnwindSafe(|| (tap.listener)(&event))).is_err() {
                    let counters = &self.inner.counters;
                    counters.listener_panics.fetch_add(1, Ordering::Relaxed);
                }
            }
        }
        if !self.inner.any_subscriber.load(Ordering::Acquire) {
            return;
        }
        let Some(sender) = self.inner.sender.get() else {
            return;
        };
        let counters = &self.inner.counters;
        counters.pending.fetch_add(1, Ordering::AcqRel);
        match sender.try_send(event) {
            Ok(()) => {}
            Err(TrySendError::Full(event)) => {
                counters.pending.fetch_sub(1, Ordering::AcqRel);
                counters.dropped.fetch_add(1, Ordering::Relaxed);
                tracing::warn!(event_type = %event.event_type, "event queue full; event dropped");
            }
            Err(TrySendError::Disconnected(_)) => {
                counters.pending.fetch_sub(1, Ordering::AcqRel);
            }
        }
    }

    /// Registers `listener` for events matching `filter`.
    pub fn subscribe(&self, filter: EventFilter, listener: Listener) -> Subscription {
        let id = self.inner.next_id.fetch_add(1, Ordering::Relaxed);
        self.ensure_dispatcher();
        {
            let mut subs = self
                .inner
                .subscribers
                .write()
                .unwrap_or_else(|p| p.into_inner());
            subs.push(Arc::new(Subscriber {
                id,
                filter,
                listener,
            }));
            self.inner.any_subscriber.store(true, Ordering::Release);
        }
        Subscription {
            id,
            subscribers: Arc::downgrade(&self.inner.subscribers),
            any_subscriber: Arc::downgrade(&self.inner.any_subscriber),
            closed: AtomicBool::new(false),
        }
    }

    /// Registers `listener` to be called synchronously by [`EventBus::emit`]; it must not block.
    pub fn tap(&self, listener: Listener) -> Subscription {
        let id = self.inner.next_id.fetch_add(1, Ordering::Relaxed);
        self.inner
            .taps
            .write()
            .unwrap_or_else(|p| p.into_inner())
            .push(Arc::new(Subscriber {
                id,
                filter: EventFilter::All,
                listener,
            }));
        self.inner.any_tap.store(true, Ordering::Release);
        Subscription {
            id,
            subscribers: Arc::downgrade(&self.inner.taps),
            any_subscriber: Arc::downgrade(&self.inner.any_tap),
            closed: AtomicBool::new(false),
        }
    }

    pub fn stats(&self) -> EventBusStats {
        let c = &self.inner.counters;
        EventBusStats {
            delivered: c.delivered.load(Ordering::Relaxed),
            dropped: c.dropped.load(Ordering::Relaxed),
            listener_panics: c.listener_panics.load(Ordering::Relaxed),
        }
    }

    fn ensure_dispatcher(&self) {
        self.inner.sender.get_or_init(|| {
            let (tx, rx) = sync_channel(QUEUE_CAPACITY);
            let subscribers = Arc::clone(&self.inner.subscribers);
            let counters = Arc::clone(&self.inner.counters);
            // The thread owns only the receiver and the subscriber list, so dropping the client
            // drops the sender and the thread ends.
            std::thread::Builder::new()
                .name("banata-events".into())
                .spawn(move || dispatch(rx, subscribers, counters))
                .expect("the OS can start the event thread");
            tx
        });
    }
}

fn dispatch(rx: Receiver<AuthEvent>, subscribers: Arc<Subscribers>, counters: Arc<Counters>) {
    while let Ok(event) = rx.recv() {
        let snapshot: Vec<Arc<Subscriber>> = subscribers
            .read()
            .unwrap_or_else(|p| p.into_inner())
            .iter()
            .filter(|s| s.filter.matches(&event))
            .cloned()
            .collect();
        for sub in snapshot {
            // A listener closed while this event waited must not see it.
            let still_there = subscribers
                .read()
                .unwrap_or_else(|p| p.into_inner())
                .iter()
                .any(|s| s.id == sub.id);
            if !still_there {
                continue;
            }
            if catch_unwind(AssertUnwindSafe(|| (sub.listener)(&event))).is_err() {
                counters.listener_panics.fetch_add(1, Ordering::Relaxed);
                tracing::error!(event_type = %event.event_type, "an event listener panicked");
            } else {
                counters.delivered.fetch_add(1, Ordering::Relaxed);
            }
        }
        counters.pending.fetch_sub(1, Ordering::AcqRel);
    }
}

/// A listener's registration. Dropping it or calling [`Subscription::close`] unsubscribes and
/// releases the listener.
#[must_use = "dropping a Subscription unsubscribes at once"]
pub struct Subscription {
    id: u64,
    subscribers: Weak<Subscribers>,
    any_subscriber: Weak<AtomicBool>,
    closed: AtomicBool,
}

impl Subscription {
    /// Stops delivery to this listener. Calling it again does nothing.
    pub fn close(&self) {
        if self.closed.swap(true, Ordering::AcqRel) {
            return;
        }
        let Some(subscribers) = self.subscribers.upgrade() else {
            return;
        };
        let removed = {
            let mut subs = subscribers.write().unwrap_or_else(|p| p.into_inner());
            let removed = subs
                .iter()
                .position(|s| s.id == self.id)
                .map(|i| subs.remove(i));
            if subs.is_empty()
                && let Some(flag) = self.any_subscriber.upgrade()
            {
                flag.store(false, Ordering::Release);
            }
            removed
        };
        // Released outside the lock: a listener's own drop may touch the bus.
        drop(removed);
    }

    /// Whether [`Subscription::close`] was called.
    pub fn is_closed(&self) -> bool {
        self.closed.load(Ordering::Acquire)
    }
}

impl Drop for Subscription {
    fn drop(&mut self) {
        self.close();
    }
}

impl fmt::Debug for Subscription {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Subscription")
            .field("id", &self.id)
            .field("closed", &self.is_closed())
            .finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::mpsc::channel;
    use std::time::Duration;

    fn event(t: EventType) -> AuthEvent {
        AuthEvent::new(t, EventData::default())
    }

    #[test]
    fn delivers_in_order_with_filters() {
        let bus = EventBus::default();
        let (tx, rx) = channel();
        let tx2 = tx.clone();
        let _all = bus.subscribe(
            EventFilter::All,
            Box::new(move |e| tx.send(("all", e.event_type.clone())).unwrap()),
        );
        let _created = bus.subscribe(
            EventFilter::only("user.created"),
            Box::new(move |e| tx2.send(("created", e.event_type.clone())).unwrap()),
        );
        bus.emit(event(EventType::USER_CREATED));
        bus.emit(event(EventType::SESSION_CREATED));
        let got: Vec<_> = (0..3)
            .map(|_| rx.recv_timeout(Duration::from_secs(5)).unwrap())
            .collect();
        assert_eq!(
            got,
            vec![
                ("all", EventType::USER_CREATED),
                ("created", EventType::USER_CREATED),
                ("all", EventType::SESSION_CREATED)
            ]
        );
    }

    #[test]
    fn panicking_listener_is_contained_and_closing_stops_delivery() {
        let bus = EventBus::default();
        let (tx, rx) = channel();
        let boom = bus.subscribe(EventFilter::All, Box::new(|_| panic!("listener bug")));
        let ok = bus.subscribe(
            EventFilter::All,
            Box::new(move |e| tx.send(e.id.clone()).unwrap()),
        );
        let e = event(EventType::USER_CREATED);
        bus.emit(e.clone());
        assert_eq!(rx.recv_timeout(Duration::from_secs(5)).unwrap(), e.id);
        assert_eq!(bus.stats().listener_panics, 1);
        drop(boom);
        ok.close();
        assert!(ok.is_closed());
        bus.emit(event(EventType::USER_UPDATED));
        assert!(rx.recv_timeout(Duration::from_millis(200)).is_err());
    }

    #[test]
    fn json_form_is_stable() {
        let mut e = AuthEvent::new(
            EventType::SESSION_REVOKED,
            EventData {
                user_id: Some("u1".into()),
                reason: Some("sign_out".into()),
                ..Default::default()
            },
        );
        e.id = "evt_1".into();
        e.occurred_at = Timestamp::from_unix_millis(0).unwrap();
        assert_eq!(
            e.to_json(),
            r#"{"id":"evt_1","type":"session.revoked","occurredAt":"1970-01-01T00:00:00.000Z","data":{"userId":"u1","reason":"sign_out"}}"#
        );
        let back: AuthEvent = serde_json::from_str(&e.to_json()).unwrap();
        assert_eq!(back, e);
    }
}
