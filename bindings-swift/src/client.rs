//! `BanataClient`: construction and the stored session.

use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;

use banata_auth::Client;

use crate::error::Result;
use crate::models::{SessionToken, token};
use crate::session_store::{ForeignSessionStore, SessionStore};

/// Transport settings; every field has a default.
#[derive(Debug, Clone, PartialEq, uniffi::Record)]
pub struct ClientOptions {
    /// Per attempt, covering the whole response (default 30,000).
    #[uniffi(default = None)]
    pub timeout_ms: Option<u64>,
    /// Retries of 408/429/5xx, timeouts and connection failures (default 3).
    #[uniffi(default = None)]
    pub max_retries: Option<u32>,
    /// Delay before the first retry, doubling with jitter (default 200).
    #[uniffi(default = None)]
    pub initial_retry_delay_ms: Option<u64>,
    /// Extra headers for every request.
    #[uniffi(default)]
    pub headers: HashMap<String, String>,
    /// Allow plain http to a non-loopback host (never in production).
    #[uniffi(default = false)]
    pub allow_insecure_http: bool,
    /// CA certificates (PEM) to trust besides the system's, e.g. a development server's.
    #[uniffi(default)]
    pub ca_certificates_pem: Vec<String>,
    /// Largest response body accepted, in bytes (default 10 MiB).
    #[uniffi(default = None)]
    pub max_response_bytes: Option<u64>,
}

/// Settings for one call; the ones not given fall back to the client's.
#[derive(Debug, Clone, PartialEq, uniffi::Record)]
pub struct RequestOptions {
    /// Per attempt, covering the whole response.
    #[uniffi(default = None)]
    pub timeout_ms: Option<u64>,
    /// Retries after the first attempt.
    #[uniffi(default = None)]
    pub max_retries: Option<u32>,
    /// The `Idempotency-Key` every attempt of a POST sends (default: a new random key).
    #[uniffi(default = None)]
    pub idempotency_key: Option<String>,
    /// Extra headers for this call.
    #[uniffi(default)]
    pub headers: HashMap<String, String>,
}

impl From<RequestOptions> for banata_auth::RequestOptions {
    fn from(o: RequestOptions) -> Self {
        banata_auth::RequestOptions {
            timeout: o.timeout_ms.map(Duration::from_millis),
            max_retries: o.max_retries,
            idempotency_key: o.idempotency_key,
            headers: o.headers.into_iter().collect(),
        }
    }
}

/// The Banata Auth client. Calls are `async` (Swift) / `suspend` (Kotlin) and safe from any
/// thread; one client holds one signed-in session.
#[derive(uniffi::Object)]
pub struct BanataClient {
    pub(crate) client: Client,
}

#[uniffi::export]
impl BanataClient {
    /// `base_url` is the Banata deployment; `api_key` (the project key) is needed only for the
    /// add-on configuration. `session_store` defaults to memory.
    #[uniffi::constructor(default(api_key = None, options = None, session_store = None))]
    pub fn new(
        base_url: String,
        api_key: Option<String>,
        options: Option<ClientOptions>,
        session_store: Option<Arc<dyn SessionStore>>,
    ) -> Result<Arc<Self>> {
        let mut builder = Client::builder(base_url)
            .user_agent_suffix(format!("banata-auth-uniffi/{}", env!("CARGO_PKG_VERSION")));
        if let Some(key) = api_key {
            builder = builder.api_key(key);
        }
        if let Some(options) = options {
            builder = builder.allow_insecure_http(options.allow_insecure_http);
            if let Some(ms) = options.timeout_ms {
                builder = builder.timeout(Duration::from_millis(ms));
            }
            if let Some(retries) = options.max_retries {
                builder = builder.max_retries(retries);
            }
            if let Some(ms) = options.initial_retry_delay_ms {
                builder = builder.initial_retry_delay(Duration::from_millis(ms));
            }
            for (name, value) in options.headers {
                builder = builder.header(name, value);
            }
            for pem in options.ca_certificates_pem {
                builder = builder.ca_certificate_pem(pem);
            }
            if let Some(bytes) = options.max_response_bytes {
                builder = builder.max_response_bytes(bytes as usize);
            }
        }
        if let Some(store) = session_store {
            builder = builder.session_store(Arc::new(ForeignSessionStore(store)));
        }
        Ok(Arc::new(BanataClient {
            client: builder.build()?,
        }))
    }

    /// The base URL calls go to.
    pub fn base_url(&self) -> String {
        self.client.base_url().to_string()
    }

    /// A client for another session: it shares this client's connections, API key, settings
    /// and event listeners, and keeps its token in `session_store` (default: its own memory).
    #[uniffi::method(default(session_store = None))]
    pub fn with_session_store(
        &self,
        session_store: Option<Arc<dyn SessionStore>>,
    ) -> Arc<BanataClient> {
        let store: Arc<dyn banata_auth::SessionStore> = match session_store {
            Some(store) => Arc::new(ForeignSessionStore(store)),
            None => Arc::new(banata_auth::MemorySessionStore::new()),
        };
        Arc::new(BanataClient {
            client: self.client.with_session_store(store),
        })
    }
}

impl BanataClient {
    /// Runs a core operation with a JSON input and decodes its result into a generated record.
    pub(crate) async fn call<T: serde::de::DeserializeOwned>(
        &self,
        operation: &str,
        input: serde_json::Value,
        options: Option<RequestOptions>,
    ) -> Result<T> {
        let output = match options {
            Some(options) => {
                let client = self.client.with_options(options.into());
                client.call_json(operation, input).await?
            }
            None => self.client.call_json(operation, input).await?,
        };
        serde_json::from_str(&output).map_err(|e| {
            banata_auth::Error::new(
                banata_auth::ErrorKind::Decode,
                format!("{operation}: the result did not fit its record: {e}"),
            )
            .into()
        })
    }
}

#[uniffi::export(async_runtime = "tokio")]
impl BanataClient {
    /// Runs any operation of the core by its id (`"auth.sign_in_email"`) with a JSON input and
    /// returns its JSON result: the same call the typed methods make, for an operation this
    /// package has no typed method for yet, or for data-driven tests.
    #[uniffi::method(default(options = None))]
    pub async fn call_operation(
        &self,
        operation: String,
        input_json: String,
        options: Option<RequestOptions>,
    ) -> Result<String> {
        let client = match options {
            Some(options) => self.client.with_options(options.into()),
            None => self.client.clone(),
        };
        Ok(client.call_json_text(&operation, Some(&input_json)).await?)
    }

    /// The stored session token, if signed in.
    pub async fn session_token(&self) -> Result<Option<Arc<SessionToken>>> {
        Ok(token(self.client.session_token().await?))
    }

    /// Verifies a session JWT locally (a Swift or Kotlin server checking its callers), as
    /// every binding does: an `InvalidToken` error says why it was refused.
    pub async fn verify_session_jwt(
        &self,
        token: String,
    ) -> Result<crate::generated::VerifiedSession> {
        self.call(
            "session.verify_jwt",
            serde_json::json!({ "token": token }),
            None,
        )
        .await
    }
}
