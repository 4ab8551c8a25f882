//! The client: configuration, the shared transport, the session store and the event bus.

use std::fmt;
use std::net::IpAddr;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use reqwest::header::{HeaderMap, HeaderName, HeaderValue};
use secrecy::SecretString;
use url::Url;

use crate::addons::Addons;
use crate::auth::Auth;
use crate::device_cookies::DeviceCookies;
use crate::error::{Error, Result};
use crate::events::{AuthEvent, EventBus, EventBusStats, EventFilter, Subscription};
use crate::models::User;
use crate::retry::Backoff;
use crate::session_jwt::{CachedJwt, JwtSettings};
use crate::session_store::{MemorySessionStore, SessionStore, SessionToken};
use crate::transport::{Call, RequestOptions, Response, Transport};

/// Default time for one attempt of a call.
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(30);
/// Default number of retries after the first attempt.
pub const DEFAULT_MAX_RETRIES: u32 = 3;
/// Default cap on a response body.
pub const DEFAULT_MAX_RESPONSE_BYTES: usize = 10 * 1024 * 1024;

/// Configures a [`Client`].
pub struct ClientBuilder {
    base_url: String,
    api_key: Option<SecretString>,
    timeout: Duration,
    max_retries: u32,
    headers: Vec<(String, String)>,
    user_agent_suffix: Option<String>,
    allow_insecure_http: bool,
    session_store: Option<Arc<dyn SessionStore>>,
    max_response_bytes: usize,
    backoff: Backoff,
    ca_certificates: Vec<Vec<u8>>,
    jwt: JwtSettings,
}

impl ClientBuilder {
    /// A builder for the Banata deployment at `base_url` (e.g. `https://auth.example.com`).
    pub fn new(base_url: impl Into<String>) -> Self {
        ClientBuilder {
            base_url: base_url.into(),
            api_key: None,
            timeout: DEFAULT_TIMEOUT,
            max_retries: DEFAULT_MAX_RETRIES,
            headers: Vec::new(),
            ca_certificates: Vec::new(),
            user_agent_suffix: None,
            allow_insecure_http: false,
            session_store: None,
            max_response_bytes: DEFAULT_MAX_RESPONSE_BYTES,
            backoff: Backoff::default(),
            jwt: JwtSettings::default(),
        }
    }

    /// A builder from `BANATA_BASE_URL` and (if set) `BANATA_API_KEY`.
    pub fn from_env() -> Result<Self> {
        ClientBuilder::from_env_or(None, None)
    }

    /// A builder from the values given, falling back to `BANATA_BASE_URL` and `BANATA_API_KEY`
    /// for the ones that are not: what every binding's constructor does. An empty value counts
    /// as not given.
    pub fn from_env_or(base_url: Option<&str>, api_key: Option<&str>) -> Result<Self> {
        let given = |v: Option<&str>| v.filter(|v| !v.is_empty()).map(str::to_owned);
        let env = |name| std::env::var(name).ok().filter(|v: &String| !v.is_empty());
        let base_url = given(base_url)
            .or_else(|| env("BANATA_BASE_URL"))
            .ok_or_else(|| {
                Error::configuration("a base URL is required: pass one or set BANATA_BASE_URL")
            })?;
        let mut builder = ClientBuilder::new(base_url);
        if let Some(key) = given(api_key).or_else(|| env("BANATA_API_KEY")) {
            builder = builder.api_key(key);
        }
        Ok(builder)
    }

    /// The project API key, needed for management calls such as the add-on configuration.
    pub fn api_key(mut self, key: impl Into<String>) -> Self {
        self.api_key = Some(SecretString::from(key.into()));
        self
    }

    /// Time for one attempt, from sending to the last body byte (default 30 s).
    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.timeout = timeout;
        self
    }

    /// Retries after a retryable failure (default 3; 0 turns retrying off).
    pub fn max_retries(mut self, retries: u32) -> Self {
        self.max_retries = retries;
        self
    }

    /// The delay before the first retry, doubled on each further one (default 200 ms).
    pub fn initial_retry_delay(mut self, delay: Duration) -> Self {
        self.backoff.initial = delay;
        self
    }

    /// The longest single wait between attempts, including a server's `Retry-After` (default
    /// 60 s). A server asking for longer gets its error returned instead of a wait.
    pub fn max_retry_wait(mut self, wait: Duration) -> Self {
        self.backoff.max_wait = wait;
        self
    }

    /// A header sent with every request.
    pub fn header(mut self, name: impl Into<String>, value: impl Into<String>) -> Self {
        self.headers.push((name.into(), value.into()));
        self
    }

    /// Appended to the `User-Agent`, e.g. `"node/20.20.2"` from a binding.
    pub fn user_agent_suffix(mut self, suffix: impl Into<String>) -> Self {
        self.user_agent_suffix = Some(suffix.into());
        self
    }

    /// Allows `http://` to a host that is not loopback. Only for trusted private networks.
    pub fn allow_insecure_http(mut self, allow: bool) -> Self {
        self.allow_insecure_http = allow;
        self
    }

    /// Where session JWTs come from and what verifying one requires (default: the platform's,
    /// [`JwtSource::Platform`](crate::JwtSource::Platform)).
    pub fn jwt(mut self, settings: JwtSettings) -> Self {
        self.jwt = settings;
        self
    }

    /// Where the session token is kept (default: in memory).
    pub fn session_store(mut self, store: Arc<dyn SessionStore>) -> Self {
        self.session_store = Some(store);
        self
    }

    /// The largest response body accepted (default 10 MiB); larger ones fail with a decode error.
    pub fn max_response_bytes(mut self, bytes: usize) -> Self {
        self.max_response_bytes = bytes;
        self
    }

    /// Also trusts the CA certificates in `pem` (one or more PEM blocks), besides the system's:
    /// a company proxy's CA, or the certificate of a development server. `SSL_CERT_FILE` and
    /// `HTTPS_PROXY`/`NO_PROXY` are read from the environment as well. A Linux system with no CA
    /// certificates at all (a slim container image) gets the Mozilla roots built into the SDK
    /// instead, with a warning logged.
    pub fn ca_certificate_pem(mut self, pem: impl Into<Vec<u8>>) -> Self {
        self.ca_certificates.push(pem.into());
        self
    }

    /// Validates the configuration and builds the client.
    pub fn build(self) -> Result<Client> {
        let base_url = parse_base_url(&self.base_url, self.allow_insecure_http)?;
        if self.timeout.is_zero() {
            return Err(Error::configuration("the timeout must be longer than zero"));
        }
        let mut headers = HeaderMap::new();
        for (name, value) in &self.headers {
            let name = HeaderName::from_bytes(name.as_bytes())
                .map_err(|_| Error::configuration(format!("invalid header name {name:?}")))?;
            let value = HeaderValue::from_str(value)
                .map_err(|_| Error::configuration(format!("invalid value for header {name}")))?;
            headers.insert(name, value);
        }
        let mut user_agent = format!("banata-auth-rust/{}", env!("CARGO_PKG_VERSION"));
        if let Some(suffix) = &self.user_agent_suffix {
            user_agent.push(' ');
            user_agent.push_str(suffix);
        }
        let mut roots = Vec::new();
        for pem in &self.ca_certificates {
            roots.extend(reqwest::Certificate::from_pem_bundle(pem).map_err(|e| {
                Error::configuration(format!("a CA certificate could not be read as PEM: {e}"))
            })?);
        }
        let http = crate::http_client::build("the HTTP client", &roots, || {
            reqwest::Client::builder()
                .user_agent(user_agent.clone())
                .default_headers(headers.clone())
                .connect_timeout(self.timeout.min(Duration::from_secs(10)))
                .pool_idle_timeout(Duration::from_secs(60))
                // A redirect is an answer (a verification link's callback), never followed: an
                // API call must not end up reading another origin's page as its result.
                .redirect(reqwest::redirect::Policy::none())
        })?;
        let api_key_header = self
            .api_key
            .as_ref()
            .map(|key| crate::transport::bearer_header(secrecy::ExposeSecret::expose_secret(key)))
            .transpose()?;
        let transport = Transport {
            http,
            base_url,
            api_key_header,
            timeout: self.timeout,
            max_retries: self.max_retries,
            max_response_bytes: self.max_response_bytes,
            backoff: self.backoff,
        };
        Ok(Client {
            inner: Arc::new(ClientInner {
                transport: Arc::new(transport),
                session_store: self
                    .session_store
                    .unwrap_or_else(|| Arc::new(MemorySessionStore::new())),
                events: EventBus::default(),
                session_user: Mutex::new(None),
                device_cookies: Default::default(),
                jwt: self.jwt,
                cached_jwt: CachedJwt::default(),
                pending_provider: Mutex::default(),
            }),
            options: RequestOptions::default(),
        })
    }
}

impl fmt::Debug for ClientBuilder {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ClientBuilder")
            .field("base_url", &self.base_url)
            .field("api_key", &self.api_key.as_ref().map(|_| "<redacted>"))
            .field("timeout", &self.timeout)
            .field("max_retries", &self.max_retries)
            .finish_non_exhaustive()
    }
}

fn parse_base_url(raw: &str, allow_insecure_http: bool) -> Result<Url> {
    let url = Url::parse(raw.trim()).map_err(|e| {
        Error::configuration(format!("invalid base URL {raw:?}: {e}")).with_source(e)
    })?;
    match url.scheme() {
        "https" => {}
        "http" if allow_insecure_http || is_loopback(&url) => {}
        "http" => {
            return Err(Error::configuration(format!(
                "refusing plain http to {}: credentials would travel unencrypted; use https, \
                 or the allow-insecure-http option (Rust allow_insecure_http, Node allowInsecureHttp, \
                 Python allow_insecure_http, Swift/Kotlin allowInsecureHttp) for a trusted private network",
                url.host_str().unwrap_or_default()
            )));
        }
        other => {
            return Err(Error::configuration(format!(
                "invalid base URL {raw:?}: scheme must be https or http, not {other}"
            )));
        }
    }
    if url.host_str().is_none_or(str::is_empty) {
        return Err(Error::configuration(format!(
            "invalid base URL {raw:?}: no host"
        )));
    }
    if url.query().is_some() || url.fragment().is_some() {
        return Err(Error::configuration(format!(
            "invalid base URL {raw:?}: it must not have a query or fragment"
        )));
    }
    Ok(url)
}

fn is_loopback(url: &Url) -> bool {
    match url.host() {
        Some(url::Host::Domain(d)) => {
            d.eq_ignore_ascii_case("localhost") || d.ends_with(".localhost")
        }
        Some(url::Host::Ipv4(ip)) => IpAddr::V4(ip).is_loopback(),
        Some(url::Host::Ipv6(ip)) => IpAddr::V6(ip).is_loopback(),
        None => false,
    }
}

/// A Banata Auth client. Cheap to clone: clones share the connection pool, the session store and
/// the event listeners.
#[derive(Clone)]
pub struct Client {
    inner: Arc<ClientInner>,
    options: RequestOptions,
}

struct ClientInner {
    transport: Arc<Transport>,
    session_store: Arc<dyn SessionStore>,
    events: EventBus,
    /// The user behind the last token this client saw, keyed by the raw token, so events about
    /// a session (sign-out, revocation) can name its user without another request.
    session_user: Mutex<Option<(String, User)>>,
    /// Better Auth's other cookies of this device (accounts, trusted device, pending sign-in).
    device_cookies: DeviceCookies,
    jwt: JwtSettings,
    cached_jwt: CachedJwt,
    /// The provider of the redirect sign-in or link this client started last, named by the
    /// events of its completion.
    pending_provider: Mutex<Option<String>>,
}

impl Client {
    /// A client for `base_url` with default settings and no API key.
    pub fn new(base_url: impl Into<String>) -> Result<Client> {
        ClientBuilder::new(base_url).build()
    }

    /// Starts configuring a client.
    pub fn builder(base_url: impl Into<String>) -> ClientBuilder {
        ClientBuilder::new(base_url)
    }

    /// Starts configuring a client from `BANATA_BASE_URL` and `BANATA_API_KEY`.
    pub fn builder_from_env() -> Result<ClientBuilder> {
        ClientBuilder::from_env()
    }

    /// The end-user auth and session flows.
    pub fn auth(&self) -> Auth<'_> {
        Auth::new(self)
    }

    /// The signed-in user's organizations, members and invitations.
    pub fn organizations(&self) -> crate::Organizations<'_> {
        crate::Organizations::new(self)
    }

    /// The project's add-on configuration (needs the API key).
    pub fn addons(&self) -> Addons<'_> {
        Addons::new(self)
    }

    /// This client with per-call overrides; the clone shares everything else.
    ///
    /// ```no_run
    /// # async fn f(client: banata_auth::Client) -> banata_auth::Result<()> {
    /// use std::time::Duration;
    /// use banata_auth::RequestOptions;
    /// let quick = client.with_options(RequestOptions::new().timeout(Duration::from_secs(2)).max_retries(0));
    /// let session = quick.auth().get_session().await?;
    /// # Ok(()) }
    /// ```
    pub fn with_options(&self, options: RequestOptions) -> Client {
        Client {
            inner: Arc::clone(&self.inner),
            options: self.options.merged(&options),
        }
    }

    /// A client for another session: it shares this client's connection pool, API key,
    /// settings and event listeners (so one [`crate::addons::Forwarder`] sees every user's
    /// events), and keeps its token in `store`. Cheap — no new connections or threads — so a
    /// server can make one per request, with a store over the request's cookie.
    ///
    /// ```no_run
    /// # use std::sync::Arc;
    /// # async fn f(project: banata_auth::Client) -> banata_auth::Result<()> {
    /// use banata_auth::MemorySessionStore;
    /// let user = project.with_session_store(Arc::new(MemorySessionStore::new()));
    /// let session = user.auth().get_session().await?;
    /// # Ok(()) }
    /// ```
    pub fn with_session_store(&self, store: Arc<dyn SessionStore>) -> Client {
        Client {
            inner: Arc::new(ClientInner {
                transport: Arc::clone(&self.inner.transport),
                session_store: store,
                events: self.inner.events.clone(),
                session_user: Mutex::new(None),
                device_cookies: Default::default(),
                jwt: self.inner.jwt.clone(),
                cached_jwt: CachedJwt::default(),
                pending_provider: Mutex::default(),
            }),
            options: self.options.clone(),
        }
    }

    /// A client for one browser request whose session lives in Better Auth's cookies: it reads
    /// the session and device cookies the request carried and relays every cookie the server
    /// sets to [`CookieSession::set_cookie_headers`](crate::CookieSession::set_cookie_headers),
    /// for the app's answer. Shares this client's connections, settings and listeners, like
    /// [`Client::with_session_store`].
    pub fn with_cookie_session(&self, session: &crate::CookieSession) -> Client {
        let https = self.inner.transport.base_url.scheme() == "https";
        Client {
            inner: Arc::new(ClientInner {
                transport: Arc::clone(&self.inner.transport),
                session_store: Arc::new(session.clone()),
                events: self.inner.events.clone(),
                session_user: Mutex::new(None),
                device_cookies: DeviceCookies::relaying(session, https),
                jwt: self.inner.jwt.clone(),
                cached_jwt: CachedJwt::default(),
                pending_provider: Mutex::default(),
            }),
            options: self.options.clone(),
        }
    }

    /// Calls `listener` for every event matching `filter` until the returned handle is closed or
    /// dropped. Listeners run on the client's event thread, in emission order; they should return
    /// quickly. A panicking listener is contained and logged.
    pub fn on<F>(&self, filter: EventFilter, listener: F) -> Subscription
    where
        F: Fn(&AuthEvent) + Send + Sync + 'static,
    {
        self.inner.events.subscribe(filter, Box::new(listener))
    }

    /// Calls `listener` synchronously for every event as it is emitted, ahead of and
    /// independent of the listeners' queue; it must not block.
    pub(crate) fn tap<F>(&self, listener: F) -> Subscription
    where
        F: Fn(&AuthEvent) + Send + Sync + 'static,
    {
        self.inner.events.tap(Box::new(listener))
    }

    /// Emits an event the host observed itself (a verified webhook, an organization change in
    /// its own code) to this client's listeners and add-on forwarding, exactly as flows do.
    pub fn emit_event(&self, event: AuthEvent) {
        self.inner.events.emit(event);
    }

    /// Whether the client has a project API key.
    pub fn has_api_key(&self) -> bool {
        self.inner.transport.api_key_header.is_some()
    }

    /// Delivery counters of the event bus.
    pub fn event_stats(&self) -> EventBusStats {
        self.inner.events.stats()
    }

    /// The base URL calls go to.
    pub fn base_url(&self) -> &Url {
        &self.inner.transport.base_url
    }

    /// The session store this client reads and writes.
    pub fn session_store(&self) -> &Arc<dyn SessionStore> {
        &self.inner.session_store
    }

    /// The stored session token, if any. A store that does not answer within the call timeout
    /// is a [`ErrorKind::Timeout`](crate::ErrorKind::Timeout) error.
    pub async fn session_token(&self) -> Result<Option<SessionToken>> {
        self.bounded(self.inner.session_store.get()).await
    }

    /// Saves a token in the store, within the call timeout.
    pub(crate) async fn store_token(&self, token: SessionToken) -> Result<()> {
        self.bounded(self.inner.session_store.set(token)).await
    }

    /// Clears the store, within the call timeout.
    pub(crate) async fn clear_token(&self) -> Result<()> {
        self.bounded(self.inner.session_store.clear()).await
    }

    /// A host's store is code the SDK does not control: it gets the same time as one attempt.
    async fn bounded<T>(
        &self,
        store_call: impl std::future::Future<Output = Result<T>>,
    ) -> Result<T> {
        let limit = self.options.timeout.unwrap_or(self.inner.transport.timeout);
        tokio::time::timeout(limit, store_call).await.map_err(|_| {
            Error::new(
                crate::ErrorKind::Timeout,
                format!(
                    "the session store did not answer within {} ms",
                    limit.as_millis()
                ),
            )
        })?
    }

    /// Sends a call; the end-user calls that read them carry the device's cookies, and every
    /// end-user answer's cookies are taken in, as a browser would.
    pub(crate) async fn send(&self, mut call: Call) -> Result<Response> {
        use crate::transport::Credential;
        let token = match call.credential {
            Credential::Session | Credential::SessionCookie => self.session_token().await?,
            _ => None,
        };
        let end_user = call.credential != Credential::ApiKey;
        if end_user
            && call.cookie.is_none()
            && crate::device_cookies::uses_device_cookies(call.path)
        {
            call.cookie = self.inner.device_cookies.header();
        }
        let response = self
            .inner
            .transport
            .send(&call, token.as_ref(), &self.options)
            .await?;
        if end_user {
            self.inner.device_cookies.absorb(&response.headers);
        }
        Ok(response)
    }

    /// Sends `call` with another session's token (a request an app's backend authenticates):
    /// this client's own session and device cookies stay out of it.
    pub(crate) async fn send_as(&self, call: &Call, token: &SessionToken) -> Result<Response> {
        self.inner
            .transport
            .send(call, Some(token), &self.options)
            .await
    }

    /// Where session JWTs come from and how they are verified.
    pub fn jwt_settings(&self) -> &JwtSettings {
        &self.inner.jwt
    }

    /// The session JWT [`Auth::token`](crate::Auth::token) keeps.
    pub(crate) fn cached_jwt(&self) -> &CachedJwt {
        &self.inner.cached_jwt
    }

    /// Better Auth's cookies of this device besides the session.
    pub(crate) fn device_cookies(&self) -> &DeviceCookies {
        &self.inner.device_cookies
    }

    /// Sets the provider of a started redirect flow (`None`: it ended); returns the one before.
    pub(crate) fn set_pending_provider(&self, provider: Option<String>) -> Option<String> {
        std::mem::replace(
            &mut *self
                .inner
                .pending_provider
                .lock()
                .unwrap_or_else(|p| p.into_inner()),
            provider,
        )
    }

    pub(crate) fn remember_user(&self, token: &SessionToken, user: &User) {
        *self
            .inner
            .session_user
            .lock()
            .unwrap_or_else(|p| p.into_inner()) = Some((token.raw().to_owned(), user.clone()));
    }

    pub(crate) fn known_user(&self, token: &SessionToken) -> Option<User> {
        let slot = self
            .inner
            .session_user
            .lock()
            .unwrap_or_else(|p| p.into_inner());
        slot.as_ref()
            .filter(|(raw, _)| token.same_session(raw))
            .map(|(_, user)| user.clone())
    }

    pub(crate) fn emit(&self, event: AuthEvent) {
        self.inner.events.emit(event);
    }
}

impl fmt::Debug for Client {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let t = &self.inner.transport;
        f.debug_struct("Client")
            .field("base_url", &t.base_url.as_str())
            .field("api_key", &t.api_key_header.as_ref().map(|_| "<redacted>"))
            .field("timeout", &self.options.timeout.unwrap_or(t.timeout))
            .field(
                "max_retries",
                &self.options.max_retries.unwrap_or(t.max_retries),
            )
            .finish_non_exhaustive()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ErrorKind;

    #[test]
    fn base_url_rules() {
        for ok in [
            "https://auth.example.com",
            "https://auth.example.com/prefix/",
            "http://127.0.0.1:8080",
            "http://localhost:3000",
            "http://[::1]:9",
        ] {
            assert!(Client::new(ok).is_ok(), "{ok}");
        }
        for bad in [
            "auth.example.com",
            "ftp://x.example",
            "http://auth.example.com",
            "https://x.example/?a=1",
            "",
        ] {
            let e = Client::new(bad).unwrap_err();
            assert_eq!(e.kind(), ErrorKind::Configuration, "{bad}: {e}");
        }
        assert!(
            Client::builder("http://10.0.0.5")
                .allow_insecure_http(true)
                .build()
                .is_ok(),
            "explicit opt-in"
        );
    }

    #[test]
    fn api_key_never_in_debug() {
        let c = Client::builder("https://a.example")
            .api_key("sk_live_verysecret")
            .build()
            .unwrap();
        let b = ClientBuilder::new("https://a.example").api_key("sk_live_verysecret");
        let s = format!("{c:?} {b:?}");
        assert!(!s.contains("verysecret") && s.contains("<redacted>"), "{s}");
    }

    #[test]
    fn urls_keep_a_base_path() {
        let c = Client::new("https://a.example/proxy/").unwrap();
        assert_eq!(
            c.inner.transport.url_for("/api/auth/get-session").as_str(),
            "https://a.example/proxy/api/auth/get-session"
        );
    }

    #[tokio::test]
    async fn management_call_without_key_is_a_configuration_error() {
        let c = Client::new("http://127.0.0.1:9").unwrap();
        let e = c.addons().get().await.unwrap_err();
        assert_eq!(e.kind(), ErrorKind::Configuration);
        assert!(e.message().contains("API key"), "{e}");
    }
}
