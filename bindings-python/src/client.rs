//! `Client` construction, and the core client each process works with.

use std::collections::BTreeMap;
use std::future::Future;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use banata_auth::{
    Client, ClientBuilder, CookieOptions, CookieSession, MemorySessionStore, RequestOptions,
    SessionStore, Subscription,
};
use pyo3::prelude::*;

use crate::error::to_py_err;
use crate::events::{Listeners, NativeSubscription};
use crate::runtime::{self, Outcome, is_same_process};
use crate::session_store::PySessionStore;

/// What a core client is built from; kept so a forked child can build its own.
#[derive(Clone)]
struct Options {
    /// As given; `BANATA_BASE_URL` and `BANATA_API_KEY` fill in what was not (the core reads
    /// them, in a forked child too).
    base_url: Option<String>,
    api_key: Option<String>,
    timeout: Option<Duration>,
    max_retries: Option<u32>,
    initial_retry_delay: Option<Duration>,
    headers: BTreeMap<String, String>,
    allow_insecure_http: bool,
    ca_certificates: Vec<String>,
    max_response_bytes: Option<usize>,
    /// The session JWT settings as JSON (`JwtSettings::from_json`).
    jwt: Option<String>,
}

/// The core client of the current process, with the listener hook installed on it.
struct Current {
    pid: u32,
    client: Client,
    hook: Option<Subscription>,
}

/// State shared by a `Client`'s `auth`, `addons` and subscriptions.
pub(crate) struct Shared {
    options: Options,
    store: Arc<dyn SessionStore>,
    current: Mutex<Current>,
    pub(crate) listeners: Arc<Listeners>,
    /// For a client from `with_session_store`: the client whose connections and event bus it
    /// shares, also in a forked child.
    parent: Option<Arc<Shared>>,
    /// For a client from `with_cookie_session`: the request's cookies (its store and jar).
    cookies: Option<CookieSession>,
}

impl Shared {
    /// A `NativeClient` around a core client just built, with no listeners yet.
    fn native_client(
        options: Options,
        store: Arc<dyn SessionStore>,
        client: Client,
        parent: Option<Arc<Shared>>,
        cookies: Option<CookieSession>,
    ) -> NativeClient {
        let shared = Shared {
            options,
            store,
            current: Mutex::new(Current {
                pid: std::process::id(),
                client,
                hook: None,
            }),
            listeners: Arc::new(Listeners::default()),
            parent,
            cookies,
        };
        NativeClient {
            shared: Arc::new(shared),
        }
    }

    /// The core client for this process. A child after `os.fork()` must not use the parent's
    /// connections (they belong to the parent's runtime), so it gets a new client with the same
    /// options, session store and listeners.
    pub(crate) fn client(&self) -> banata_auth::Result<Client> {
        let mut current = self.current.lock().unwrap_or_else(|p| p.into_inner());
        if !is_same_process(current.pid) {
            let client = match &self.parent {
                Some(parent) => match &self.cookies {
                    Some(cookies) => parent.client()?.with_cookie_session(cookies),
                    None => parent.client()?.with_session_store(Arc::clone(&self.store)),
                },
                None => build_client(&self.options, &self.store)?,
            };
            let hook = self.listeners.hook(&client);
            // The old hook belongs to the parent's client; forgetting it avoids touching its locks.
            std::mem::forget(std::mem::replace(
                &mut *current,
                Current {
                    pid: std::process::id(),
                    client,
                    hook,
                },
            ));
        }
        Ok(current.client.clone())
    }

    /// Runs `call` with this process's core client: blocking with the GIL released, or as an
    /// asyncio future when `asynchronous`.
    pub(crate) fn call<'py, F, Fut>(
        self: &Arc<Self>,
        py: Python<'py>,
        asynchronous: bool,
        call: F,
    ) -> PyResult<Bound<'py, PyAny>>
    where
        F: FnOnce(Client) -> Fut + Send + 'static,
        Fut: Future<Output = Outcome> + Send + 'static,
    {
        let shared = Arc::clone(self);
        runtime::run(
            py,
            asynchronous,
            async move { call(shared.client()?).await },
        )
    }

    /// Makes sure the listener hook is installed on the current core client.
    pub(crate) fn ensurehook(&self) -> banata_auth::Result<()> {
        let client = self.client()?;
        let mut current = self.current.lock().unwrap_or_else(|p| p.into_inner());
        if current.hook.is_none() {
            current.hook = self.listeners.hook(&client);
        }
        Ok(())
    }
}

/// The host's store (checked for `get`, `set` and `clear` now rather than at the first call),
/// or one in process memory.
fn store_for(py: Python<'_>, session_store: Option<Py<PyAny>>) -> PyResult<Arc<dyn SessionStore>> {
    let Some(object) = session_store else {
        return Ok(Arc::new(MemorySessionStore::new()));
    };
    for method in ["get", "set", "clear"] {
        let callable = object
            .bind(py)
            .getattr(method)
            .is_ok_and(|m| m.is_callable());
        if !callable {
            return Err(pyo3::exceptions::PyTypeError::new_err(format!(
                "session_store.{method} must be callable"
            )));
        }
    }
    Ok(Arc::new(PySessionStore::new(object)))
}

fn build_client(o: &Options, store: &Arc<dyn SessionStore>) -> banata_auth::Result<Client> {
    let mut builder = ClientBuilder::from_env_or(o.base_url.as_deref(), o.api_key.as_deref())?
        .user_agent_suffix(format!("banata-auth-python/{}", env!("CARGO_PKG_VERSION")))
        .allow_insecure_http(o.allow_insecure_http)
        .session_store(Arc::clone(store));
    if let Some(timeout) = o.timeout {
        builder = builder.timeout(timeout);
    }
    if let Some(retries) = o.max_retries {
        builder = builder.max_retries(retries);
    }
    if let Some(delay) = o.initial_retry_delay {
        builder = builder.initial_retry_delay(delay);
    }
    for (name, value) in &o.headers {
        builder = builder.header(name, value);
    }
    for pem in &o.ca_certificates {
        builder = builder.ca_certificate_pem(pem.as_bytes());
    }
    if let Some(bytes) = o.max_response_bytes {
        builder = builder.max_response_bytes(bytes);
    }
    if let Some(json) = o.jwt.as_deref() {
        builder = builder.jwt(banata_auth::JwtSettings::from_json(json)?);
    }
    builder.build()
}

/// The native client behind `banata_auth.Client` and `banata_auth.AsyncClient`.
#[pyclass(frozen, module = "banata_auth._native")]
pub struct NativeClient {
    pub(crate) shared: Arc<Shared>,
}

#[pymethods]
impl NativeClient {
    #[new]
    #[pyo3(signature = (base_url=None, *, api_key=None, timeout=None, max_retries=None, initial_retry_delay=None, headers=None, session_store=None, allow_insecure_http=false, ca_certificates=None, max_response_bytes=None, jwt=None))]
    #[allow(clippy::too_many_arguments)]
    fn new(
        py: Python<'_>,
        base_url: Option<String>,
        api_key: Option<String>,
        timeout: Option<f64>,
        max_retries: Option<u32>,
        initial_retry_delay: Option<f64>,
        headers: Option<BTreeMap<String, String>>,
        session_store: Option<Py<PyAny>>,
        allow_insecure_http: bool,
        ca_certificates: Option<Vec<String>>,
        max_response_bytes: Option<usize>,
        jwt: Option<String>,
    ) -> PyResult<Self> {
        let store = store_for(py, session_store)?;
        let options = Options {
            base_url,
            api_key,
            timeout: timeout.map(seconds).transpose()?,
            max_retries,
            initial_retry_delay: initial_retry_delay.map(seconds).transpose()?,
            headers: headers.unwrap_or_default(),
            allow_insecure_http,
            ca_certificates: ca_certificates.unwrap_or_default(),
            max_response_bytes,
            jwt,
        };
        let client = build_client(&options, &store).map_err(|e| to_py_err(py, e))?;
        Ok(Shared::native_client(options, store, client, None, None))
    }

    /// A client for another session sharing this one's connections, key and event bus.
    #[pyo3(signature = (session_store=None))]
    fn with_session_store(
        &self,
        py: Python<'_>,
        session_store: Option<Py<PyAny>>,
    ) -> PyResult<NativeClient> {
        let store = store_for(py, session_store)?;
        let client = self
            .shared
            .client()
            .map_err(|e| to_py_err(py, e))?
            .with_session_store(Arc::clone(&store));
        let options = self.shared.options.clone();
        Ok(Shared::native_client(
            options,
            store,
            client,
            Some(Arc::clone(&self.shared)),
            None,
        ))
    }

    /// A client for one browser request whose session lives in Better Auth's cookies, and the
    /// cookies its answer must set.
    #[pyo3(signature = (cookie_header=None, *, secure=true, domain=None))]
    fn with_cookie_session(
        &self,
        py: Python<'_>,
        cookie_header: Option<String>,
        secure: bool,
        domain: Option<String>,
    ) -> PyResult<(NativeClient, NativeCookieSession)> {
        let cookies =
            CookieSession::from_request(cookie_header.as_deref(), CookieOptions { secure, domain });
        let client = self
            .shared
            .client()
            .map_err(|e| to_py_err(py, e))?
            .with_cookie_session(&cookies);
        let native = Shared::native_client(
            self.shared.options.clone(),
            Arc::new(cookies.clone()),
            client,
            Some(Arc::clone(&self.shared)),
            Some(cookies.clone()),
        );
        Ok((native, NativeCookieSession { cookies }))
    }

    /// Runs the core operation `operation` (e.g. `auth.sign_in_email`) with a JSON input and
    /// returns its JSON result, blocking with the GIL released, or an awaitable of it when
    /// `asynchronous`. The Python methods that call it are generated from the core's list.
    #[pyo3(signature = (operation, input=None, *, timeout=None, max_retries=None, idempotency_key=None, headers=None, asynchronous=false))]
    #[allow(clippy::too_many_arguments)]
    fn call<'py>(
        &self,
        py: Python<'py>,
        operation: String,
        input: Option<String>,
        timeout: Option<f64>,
        max_retries: Option<u32>,
        idempotency_key: Option<String>,
        headers: Option<BTreeMap<String, String>>,
        asynchronous: bool,
    ) -> PyResult<Bound<'py, PyAny>> {
        let options = RequestOptions {
            timeout: timeout.map(seconds).transpose()?,
            max_retries,
            idempotency_key,
            headers: headers.unwrap_or_default().into_iter().collect(),
        };
        self.shared
            .call(py, asynchronous, move |client| async move {
                let client = if options == RequestOptions::default() {
                    client
                } else {
                    client.with_options(options)
                };
                client
                    .call_json_text(&operation, input.as_deref())
                    .await
                    .map(Some)
            })
    }

    /// The base URL calls go to.
    #[getter]
    fn base_url(&self, py: Python<'_>) -> PyResult<String> {
        let client = self.shared.client().map_err(|e| to_py_err(py, e))?;
        Ok(client.base_url().to_string())
    }

    /// Calls `callback(event_json)` for every event of `event_type` (`None` for all).
    #[pyo3(signature = (event_type, dispatch))]
    fn subscribe(
        &self,
        py: Python<'_>,
        event_type: Option<String>,
        dispatch: Py<PyAny>,
    ) -> PyResult<NativeSubscription> {
        let subscription = self.shared.listeners.add(event_type, dispatch);
        self.shared.ensurehook().map_err(|e| to_py_err(py, e))?;
        Ok(subscription)
    }

    /// Delivery counters of the event bus, as JSON.
    fn event_stats(&self, py: Python<'_>) -> PyResult<String> {
        let stats = self
            .shared
            .client()
            .map_err(|e| to_py_err(py, e))?
            .event_stats();
        Ok(serde_json::to_string(&stats).expect("counters serialize"))
    }

    /// The stored session token, if any.
    #[pyo3(signature = (*, asynchronous=false))]
    fn session_token<'py>(
        &self,
        py: Python<'py>,
        asynchronous: bool,
    ) -> PyResult<Bound<'py, PyAny>> {
        self.shared
            .call(py, asynchronous, move |client| async move {
                let token = client.session_token().await?;
                Ok(token.map(|t| serde_json::Value::from(t.expose()).to_string()))
            })
    }

    /// Closes every subscription of this client.
    fn close(&self) {
        self.shared.listeners.clear();
    }

    fn __repr__(&self, py: Python<'_>) -> PyResult<String> {
        let client = self.shared.client().map_err(|e| to_py_err(py, e))?;
        Ok(format!(
            "NativeClient(base_url={:?}, api_key={})",
            client.base_url().as_str(),
            if client.has_api_key() {
                "'<redacted>'"
            } else {
                "None"
            }
        ))
    }
}

/// Seconds from Python as a `Duration`; negative or non-finite values are refused.
pub(crate) fn seconds(value: f64) -> PyResult<Duration> {
    Duration::try_from_secs_f64(value).map_err(|_| {
        pyo3::exceptions::PyValueError::new_err(format!(
            "expected a non-negative number of seconds, got {value}"
        ))
    })
}

/// The cookies of one browser request's answer.
#[pyclass(frozen, module = "banata_auth._native")]
pub struct NativeCookieSession {
    cookies: CookieSession,
}

#[pymethods]
impl NativeCookieSession {
    /// The `Set-Cookie` header values the answer must carry.
    fn set_cookie_headers(&self) -> Vec<String> {
        self.cookies.set_cookie_headers()
    }

    /// The same cookies as fields (JSON).
    fn set_cookies(&self) -> String {
        serde_json::to_string(&self.cookies.set_cookies()).unwrap_or_else(|_| "[]".into())
    }

    /// Whether the browser holds a session token after this answer.
    #[getter]
    fn has_session(&self) -> bool {
        self.cookies.session_token().is_some()
    }
}
