//! A JavaScript `{ get, set, clear }` object as the core's `SessionStore`.
//!
//! The facade folds the three methods, sync or async, into one function
//! `(op, token) => Promise<string | null>`, so this side makes one kind of call and awaits one
//! kind of answer. The function is a weak threadsafe function: a store never keeps Node alive.

use async_trait::async_trait;
use banata_auth::{Error, ErrorKind, SessionStore, SessionToken};
use napi::Status;
use napi::bindgen_prelude::{FnArgs, Promise};
use napi::threadsafe_function::ThreadsafeFunction;

/// `(op, token) => Promise<string | null>` as it arrives from the facade.
pub(crate) type StoreFunction = ThreadsafeFunction<
    FnArgs<(String, Option<String>)>,
    Promise<Option<String>>,
    FnArgs<(String, Option<String>)>,
    Status,
    false,
    true,
>;

pub(crate) struct JsSessionStore {
    function: StoreFunction,
}

impl JsSessionStore {
    pub(crate) fn new(function: StoreFunction) -> Self {
        JsSessionStore { function }
    }

    async fn call(&self, op: &str, token: Option<String>) -> banata_auth::Result<Option<String>> {
        let pending = self
            .function
            .call_async((op.to_owned(), token).into())
            .await
            .map_err(|e| failure(op, &e))?;
        pending.await.map_err(|e| failure(op, &e))
    }
}

/// The facade has already reduced a store's exception to its class name (its message could
/// carry the token it was given), so the reason is safe to repeat.
fn failure(op: &str, error: &napi::Error) -> Error {
    Error::new(
        ErrorKind::SessionStore,
        format!("session store {op}() failed: {}", error.reason),
    )
}

#[async_trait]
impl SessionStore for JsSessionStore {
    async fn get(&self) -> banata_auth::Result<Option<SessionToken>> {
        Ok(self.call("get", None).await?.map(SessionToken::new))
    }

    async fn set(&self, token: SessionToken) -> banata_auth::Result<()> {
        self.call("set", Some(token.expose().to_owned()))
            .await
            .map(|_| ())
    }

    async fn clear(&self) -> banata_auth::Result<()> {
        self.call("clear", None).await.map(|_| ())
    }
}
