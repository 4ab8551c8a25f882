//! Event listeners registered from Python.
//!
//! Each `Client` installs one listener on the core's event bus; it hands every event, as its
//! stable JSON form, to the Python dispatch function of each matching subscription (which builds
//! the typed event, calls the callback and logs what it raises). The core's event thread is the
//! only caller, so callbacks see events in order and never run inside an auth flow.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, RwLock, Weak};

use banata_auth::{AuthEvent, Client, EventFilter, Subscription};
use pyo3::prelude::*;

use crate::runtime;

struct Entry {
    id: u64,
    filter: EventFilter,
    dispatch: Py<PyAny>,
}

/// The Python subscriptions of one client.
#[derive(Default)]
pub(crate) struct Listeners {
    next_id: AtomicU64,
    entries: RwLock<Vec<Arc<Entry>>>,
}

impl Listeners {
    pub(crate) fn add(
        self: &Arc<Self>,
        event_type: Option<String>,
        dispatch: Py<PyAny>,
    ) -> NativeSubscription {
        let id = self.next_id.fetch_add(1, Ordering::Relaxed);
        let filter = EventFilter::from_type_name(event_type.as_deref());
        self.entries
            .write()
            .unwrap_or_else(|p| p.into_inner())
            .push(Arc::new(Entry {
                id,
                filter,
                dispatch,
            }));
        NativeSubscription {
            id,
            listeners: Arc::downgrade(self),
        }
    }

    fn remove(&self, id: u64) -> Option<Arc<Entry>> {
        let mut entries = self.entries.write().unwrap_or_else(|p| p.into_inner());
        let index = entries.iter().position(|e| e.id == id)?;
        Some(entries.remove(index))
    }

    /// Removes every subscription.
    pub(crate) fn clear(&self) {
        let removed = std::mem::take(&mut *self.entries.write().unwrap_or_else(|p| p.into_inner()));
        drop(removed);
    }

    /// Installs the one core listener that feeds this registry, unless nobody listens yet.
    pub(crate) fn hook(self: &Arc<Self>, client: &Client) -> Option<Subscription> {
        if self
            .entries
            .read()
            .unwrap_or_else(|p| p.into_inner())
            .is_empty()
        {
            return None;
        }
        let listeners = Arc::downgrade(self);
        Some(client.on(EventFilter::All, move |event| {
            if let Some(listeners) = listeners.upgrade() {
                listeners.deliver(event);
            }
        }))
    }

    fn deliver(&self, event: &AuthEvent) {
        let matching: Vec<Arc<Entry>> = self
            .entries
            .read()
            .unwrap_or_else(|p| p.into_inner())
            .iter()
            .filter(|e| e.filter.matches(event))
            .cloned()
            .collect();
        if matching.is_empty() {
            return;
        }
        let json = event.to_json();
        // At interpreter shutdown there is nobody left to tell.
        runtime::call_python(|py| {
            for entry in matching {
                // The dispatch function catches and logs what the callback raises; anything
                // that still escapes is reported as unraisable, never raised into a flow.
                if let Err(e) = entry.dispatch.call1(py, (json.as_str(),)) {
                    e.write_unraisable(py, Some(entry.dispatch.bind(py)));
                }
            }
        });
    }
}

/// A registration; `close()` unsubscribes. Dropping it does not: the Python `Subscription`
/// decides when (explicitly, or as a context manager).
#[pyclass(frozen, module = "banata_auth._native")]
pub struct NativeSubscription {
    id: u64,
    listeners: Weak<Listeners>,
}

#[pymethods]
impl NativeSubscription {
    /// Stops delivery. Calling it again does nothing.
    /// Taking `Python` keeps the GIL held: dropping the callback may run Python code.
    fn close(&self, _py: Python<'_>) {
        if let Some(listeners) = self.listeners.upgrade() {
            drop(listeners.remove(self.id));
        }
    }

    /// Whether `close()` was called (or the client is gone).
    #[getter]
    fn closed(&self) -> bool {
        self.listeners.upgrade().is_none_or(|l| {
            !l.entries
                .read()
                .unwrap_or_else(|p| p.into_inner())
                .iter()
                .any(|e| e.id == self.id)
        })
    }
}
