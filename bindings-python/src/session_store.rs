//! A Python object with `get()`, `set(token)` and `clear()` as the core's `SessionStore`.

use async_trait::async_trait;
use banata_auth::{Error, ErrorKind, SessionStore, SessionToken};
use pyo3::prelude::*;

use crate::runtime;

/// Calls the host's store with the GIL taken. The methods are plain (not async) Python
/// functions; they run on a runtime thread while the caller waits with the GIL released.
pub(crate) struct PySessionStore {
    object: Py<PyAny>,
}

impl PySessionStore {
    pub(crate) fn new(object: Py<PyAny>) -> Self {
        PySessionStore { object }
    }

    fn call(&self, method: &str, token: Option<&str>) -> banata_auth::Result<Option<String>> {
        let outcome = runtime::call_python(|py| -> PyResult<Option<String>> {
            let object = self.object.bind(py);
            let result = match token {
                Some(t) => object.call_method1(method, (t,))?,
                None => object.call_method0(method)?,
            };
            if method == "get" {
                result.extract::<Option<String>>()
            } else {
                Ok(None)
            }
        })
        .ok_or_else(|| {
            Error::new(
                ErrorKind::SessionStore,
                "the Python interpreter is shutting down",
            )
        })?;
        // The exception's type and text say what went wrong; its arguments are not repeated,
        // since a store's exception could carry the token it was given.
        outcome.map_err(|e| {
            let description = runtime::call_python(|py| {
                let name = e
                    .get_type(py)
                    .qualname()
                    .map(|n| n.to_string())
                    .unwrap_or_else(|_| "Exception".into());
                format!("session store {method}() raised {name}")
            })
            .unwrap_or_else(|| format!("session store {method}() failed"));
            Error::new(ErrorKind::SessionStore, description)
        })
    }
}

#[async_trait]
impl SessionStore for PySessionStore {
    async fn get(&self) -> banata_auth::Result<Option<SessionToken>> {
        Ok(self.call("get", None)?.map(SessionToken::new))
    }

    async fn set(&self, token: SessionToken) -> banata_auth::Result<()> {
        self.call("set", Some(token.expose())).map(|_| ())
    }

    async fn clear(&self) -> banata_auth::Result<()> {
        self.call("clear", None).map(|_| ())
    }
}
