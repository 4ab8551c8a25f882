//! `new BanataClient(options)`: builds the core client.

use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;

use banata_auth::{
    Client, ClientBuilder, CookieOptions, CookieSession, MemorySessionStore, RequestOptions,
    SessionStore,
};
use napi::Env;
use napi::bindgen_prelude::PromiseRaw;
use napi_derive::napi;

use crate::error::{Result, to_napi};
use crate::session_store::{JsSessionStore, StoreFunction};

/// Options of the native client (the facade validates and documents them).
#[napi(object)]
pub struct NativeClientOptions {
    /// `BANATA_BASE_URL` when not given (the core reads it, and `BANATA_API_KEY`).
    pub base_url: Option<String>,
    pub api_key: Option<String>,
    pub timeout_ms: Option<u32>,
    pub max_retries: Option<u32>,
    pub initial_retry_delay_ms: Option<u32>,
    pub headers: Option<HashMap<String, String>>,
    pub allow_insecure_http: Option<bool>,
    /// PEM CA certificates to trust besides the system's (and `NODE_EXTRA_CA_CERTS`).
    pub ca_certificates: Option<Vec<String>>,
    pub max_response_bytes: Option<u32>,
    /// The session JWT settings as JSON (`JwtSettings::from_json`).
    pub jwt: Option<String>,
}

/// Per-call settings (the facade checks the numbers).
#[napi(object)]
pub struct NativeCallOptions {
    pub timeout_ms: Option<u32>,
    pub max_retries: Option<u32>,
    pub idempotency_key: Option<String>,
    pub headers: Option<HashMap<String, String>>,
}

impl From<NativeCallOptions> for RequestOptions {
    fn from(o: NativeCallOptions) -> Self {
        RequestOptions {
            timeout: o.timeout_ms.map(|ms| Duration::from_millis(ms.into())),
            max_retries: o.max_retries,
            idempotency_key: o.idempotency_key,
            headers: o.headers.unwrap_or_default().into_iter().collect(),
        }
    }
}

/// The core's warnings and errors go to stderr (a publishable Stripe key, an add-on enabled
/// without credentials, a full event queue); `BANATA_LOG=info` or `debug` asks for more, and
/// `BANATA_LOG=off` for none. The core never puts secrets in its records.
fn install_logging() {
    static ONCE: std::sync::Once = std::sync::Once::new();
    ONCE.call_once(|| {
        let filter = tracing_subscriber::EnvFilter::try_from_env("BANATA_LOG")
            .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("warn"));
        let _ = tracing_subscriber::fmt()
            .with_env_filter(filter)
            .with_writer(std::io::stderr)
            .with_ansi(false)
            .with_target(false)
            .try_init();
    });
}

/// The file `NODE_EXTRA_CA_CERTS` names, read once per process (Node reads it once too), not
/// for every client.
fn node_extra_ca_certs() -> banata_auth::Result<&'static Option<Vec<u8>>> {
    static PEM: std::sync::OnceLock<std::result::Result<Option<Vec<u8>>, String>> =
        std::sync::OnceLock::new();
    let read = PEM.get_or_init(|| match std::env::var_os("NODE_EXTRA_CA_CERTS") {
        Some(path) if !path.is_empty() => std::fs::read(&path)
            .map(Some)
            .map_err(|e| format!("NODE_EXTRA_CA_CERTS could not be read: {e}")),
        _ => Ok(None),
    });
    read.as_ref().map_err(|message| {
        banata_auth::Error::new(banata_auth::ErrorKind::Configuration, message.clone())
    })
}

/// The native client behind `BanataClient`.
#[napi]
pub struct NativeClient {
    pub(crate) client: Client,
    pub(crate) listeners: Arc<crate::events::Listeners>,
}

#[napi]
impl NativeClient {
    /// `sessionStore(op, token)` is the facade's wrapper around a `{ get, set, clear }` store.
    #[napi(
        constructor,
        ts_args_type = "options: NativeClientOptions, sessionStore?: ((op: string, token: string | null) => Promise<string | null>) | undefined | null"
    )]
    pub fn new(options: NativeClientOptions, session_store: Option<StoreFunction>) -> Result<Self> {
        install_logging();
        let mut builder =
            ClientBuilder::from_env_or(options.base_url.as_deref(), options.api_key.as_deref())
                .map_err(to_napi)?
                .user_agent_suffix(format!("banata-auth-node/{}", env!("CARGO_PKG_VERSION")))
                .allow_insecure_http(options.allow_insecure_http.unwrap_or(false));
        if let Some(ms) = options.timeout_ms {
            builder = builder.timeout(Duration::from_millis(ms.into()));
        }
        if let Some(retries) = options.max_retries {
            builder = builder.max_retries(retries);
        }
        if let Some(ms) = options.initial_retry_delay_ms {
            builder = builder.initial_retry_delay(Duration::from_millis(ms.into()));
        }
        if let Some(function) = session_store {
            builder = builder.session_store(Arc::new(JsSessionStore::new(function)));
        }
        for (name, value) in options.headers.unwrap_or_default() {
            builder = builder.header(name, value);
        }
        for pem in options.ca_certificates.unwrap_or_default() {
            builder = builder.ca_certificate_pem(pem);
        }
        // Node's own switch for extra CAs applies to this client too.
        if let Some(pem) = node_extra_ca_certs().map_err(to_napi)? {
            builder = builder.ca_certificate_pem(pem.clone());
        }
        if let Some(bytes) = options.max_response_bytes {
            builder = builder.max_response_bytes(bytes as usize);
        }
        if let Some(json) = options.jwt.as_deref() {
            builder = builder.jwt(banata_auth::JwtSettings::from_json(json).map_err(to_napi)?);
        }
        Ok(NativeClient {
            client: builder.build().map_err(to_napi)?,
            listeners: Arc::default(),
        })
    }

    /// The base URL calls go to.
    #[napi(getter)]
    pub fn base_url(&self) -> String {
        self.client.base_url().to_string()
    }

    /// A client for another session sharing this one's connections, key and listeners.
    #[napi(
        ts_args_type = "sessionStore?: ((op: string, token: string | null) => Promise<string | null>) | undefined | null"
    )]
    pub fn with_session_store(&self, session_store: Option<StoreFunction>) -> NativeClient {
        let store: Arc<dyn SessionStore> = match session_store {
            Some(function) => Arc::new(JsSessionStore::new(function)),
            None => Arc::new(MemorySessionStore::new()),
        };
        NativeClient {
            client: self.client.with_session_store(store),
            listeners: Arc::default(),
        }
    }

    /// A client for one browser request whose session lives in Better Auth's cookies
    /// (`cookieHeader`: the request's `Cookie` header); its answer's cookies come from the
    /// returned session's `setCookieHeaders()`.
    #[napi]
    pub fn with_cookie_session(
        &self,
        cookie_header: Option<String>,
        secure: bool,
        domain: Option<String>,
    ) -> NativeCookieSession {
        let session =
            CookieSession::from_request(cookie_header.as_deref(), CookieOptions { secure, domain });
        NativeCookieSession {
            client: Some(NativeClient {
                client: self.client.with_cookie_session(&session),
                listeners: Arc::default(),
            }),
            session,
        }
    }

    /// Runs the core operation `operation` (e.g. `auth.sign_in_email`) with a JSON input and
    /// resolves with its JSON result. The call owns a handle to the client, so it stays valid
    /// if the JavaScript object (or the worker thread that made it) goes away first.
    #[napi(ts_return_type = "Promise<string>")]
    pub fn call<'env>(
        &self,
        env: &'env Env,
        operation: String,
        input: Option<String>,
        options: Option<NativeCallOptions>,
    ) -> Result<PromiseRaw<'env, String>> {
        let client = match options {
            Some(options) => self.client.with_options(options.into()),
            None => self.client.clone(),
        };
        env.spawn_future(async move {
            client
                .call_json_text(&operation, input.as_deref())
                .await
                .map_err(to_napi)
        })
    }

    /// The core's key-set generation (`banata_auth::keys_generation`): the facade keeps a
    /// verified request's answer only while it is unchanged.
    #[napi]
    pub fn keys_generation() -> f64 {
        banata_auth::keys_generation() as f64
    }

    /// The stored session token, or null.
    #[napi(ts_return_type = "Promise<string | null>")]
    pub fn session_token<'env>(&self, env: &'env Env) -> Result<PromiseRaw<'env, Option<String>>> {
        let client = self.client.clone();
        env.spawn_future(async move {
            let token = client.session_token().await.map_err(to_napi)?;
            Ok(token.map(|t| t.expose().to_owned()))
        })
    }
}

/// One browser request's Better Auth cookies, and the client that uses them.
#[napi]
pub struct NativeCookieSession {
    client: Option<NativeClient>,
    session: CookieSession,
}

#[napi]
impl NativeCookieSession {
    /// The client for this request (taken once by the facade).
    #[napi]
    pub fn take_client(&mut self) -> Option<NativeClient> {
        self.client.take()
    }

    /// The `Set-Cookie` values the answer must carry.
    #[napi]
    pub fn set_cookie_headers(&self) -> Vec<String> {
        self.session.set_cookie_headers()
    }

    /// The same cookies as fields (JSON `SetCookie[]`), for `cookies().set`.
    #[napi]
    pub fn set_cookies(&self) -> String {
        serde_json::to_string(&self.session.set_cookies()).unwrap_or_else(|_| "[]".into())
    }

    /// Whether the browser holds a session token after this answer.
    #[napi(getter)]
    pub fn has_session(&self) -> bool {
        self.session.session_token().is_some()
    }
}
