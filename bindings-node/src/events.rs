//! Event listeners registered from JavaScript.
//!
//! The callback is a weak threadsafe function: a registered listener never keeps the Node
//! process alive. Events cross as their stable JSON form, in order, from the core's event thread.

use std::sync::Mutex;

use banata_auth::{EventFilter, Subscription};
use napi::Status;
use napi::threadsafe_function::{ThreadsafeFunction, ThreadsafeFunctionCallMode};
use napi_derive::napi;

use crate::client::NativeClient;

/// A registration; `close()` unsubscribes.
#[napi]
pub struct NativeSubscription {
    inner: Mutex<Option<Subscription>>,
}

#[napi]
impl NativeSubscription {
    /// Stops delivery. Calling it again does nothing.
    #[napi]
    pub fn close(&self) {
        if let Some(s) = self.inner.lock().unwrap_or_else(|p| p.into_inner()).take() {
            s.close();
        }
    }

    #[napi(getter)]
    pub fn closed(&self) -> bool {
        self.inner
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .as_ref()
            .is_none_or(Subscription::is_closed)
    }
}

#[napi]
impl NativeClient {
    /// Calls `callback(eventJson)` for each event of `eventType` (null or `"*"`: all).
    #[napi(ts_args_type = "eventType: string | null, callback: (eventJson: string) => void")]
    pub fn subscribe(
        &self,
        event_type: Option<String>,
        callback: ThreadsafeFunction<String, (), String, Status, false, true>,
    ) -> NativeSubscription {
        let filter = EventFilter::from_type_name(event_type.as_deref());
        let subscription = self.client.on(filter, move |event| {
            callback.call(event.to_json(), ThreadsafeFunctionCallMode::NonBlocking);
        });
        NativeSubscription {
            inner: Mutex::new(Some(subscription)),
        }
    }
}
