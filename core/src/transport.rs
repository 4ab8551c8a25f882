//! One HTTP call to the server: credentials, retries, timeouts, size limits and error mapping.

use std::time::{Duration, SystemTime};

use bytes::Bytes;
use reqwest::header::{AUTHORIZATION, CONTENT_TYPE, HeaderMap, HeaderValue};
use reqwest::{Method, StatusCode};
use serde::de::DeserializeOwned;
use serde_json::Value;
use url::Url;

use crate::error::{Error, ErrorKind, Result};
use crate::retry::{Backoff, is_retryable_status, retry_after_from_headers};
use crate::session_store::SessionToken;

/// Which credential a call carries.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Credential {
    /// None at all (sign-up, sign-in, password reset).
    None,
    /// The project API key, as `Authorization: Bearer` (management paths).
    ApiKey,
    /// The end user's session token as bearer, when the store has one; never an `Origin`.
    Session,
    /// The end user's session token as Better Auth's session cookie, with the base URL's
    /// `Origin`: for paths where the platform takes any bearer for a project API key
    /// (`/organization/`).
    SessionCookie,
}

impl Credential {
    /// `"none"`, `"api_key"` or `"session"`.
    pub const fn as_str(self) -> &'static str {
        match self {
            Credential::None => "none",
            Credential::ApiKey => "api_key",
            Credential::Session => "session",
            Credential::SessionCookie => "session_cookie",
        }
    }
}

/// Whether repeating the call after an unclear failure is harmless.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Replay {
    /// Reads and idempotent writes: retried on every retryable failure.
    Safe,
    /// Creates something or consumes a secret (sign-up, password change): retried only when the
    /// server certainly did not act on it (connection refused, 429).
    Unsafe,
}

/// A call to make, relative to the base URL.
#[derive(Debug)]
pub(crate) struct Call {
    pub method: Method,
    pub path: &'static str,
    /// A flat JSON object sent as the query string.
    pub query: Option<Value>,
    pub body: Option<Value>,
    pub credential: Credential,
    pub replay: Replay,
    /// A cookie Better Auth set for the next step (`name=value`, e.g. the pending two-factor
    /// sign-in). Sent with the base URL's `Origin`, as a browser on that origin would: Better
    /// Auth checks the origin of every request that carries cookies.
    pub cookie: Option<String>,
}

impl Call {
    pub fn get(path: &'static str, credential: Credential) -> Self {
        Call {
            method: Method::GET,
            path,
            query: None,
            body: None,
            credential,
            replay: Replay::Safe,
            cookie: None,
        }
    }

    pub fn post(path: &'static str, body: Value, credential: Credential, replay: Replay) -> Self {
        Call {
            method: Method::POST,
            path,
            query: None,
            body: Some(body),
            credential,
            replay,
            cookie: None,
        }
    }
}

/// A successful answer.
#[derive(Debug)]
pub(crate) struct Response {
    pub headers: HeaderMap,
    pub body: Bytes,
    /// The server answered with a 3xx (redirects are never followed).
    pub redirect: bool,
}

impl Response {
    /// The body as JSON (`null` when empty), decoded into `T`. A redirect is not a result:
    /// API calls never follow one (it could lead to another origin's page).
    pub fn json<T: DeserializeOwned>(&self) -> Result<T> {
        if self.redirect {
            return Err(Error::new(
                ErrorKind::Api,
                format!(
                    "the server answered with a redirect (to {}), which API calls do not follow",
                    self.header("location").unwrap_or("nowhere")
                ),
            ));
        }
        let body: &[u8] = if self.body.iter().all(u8::is_ascii_whitespace) {
            b"null"
        } else {
            &self.body
        };
        serde_json::from_slice(body).map_err(|e| {
            Error::decode(format!("the response did not have the expected shape: {e}"))
                .with_source(e)
        })
    }

    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|v| v.to_str().ok())
    }

    /// Where a redirect answer points.
    pub fn location(&self) -> Option<&str> {
        self.redirect.then(|| self.header("location")).flatten()
    }
}

/// Per-call settings; unset fields fall back to the client's.
#[derive(Clone, Default, PartialEq, Eq)]
pub struct RequestOptions {
    /// Time for one attempt, from sending to the last body byte.
    pub timeout: Option<Duration>,
    /// Retries after the first attempt.
    pub max_retries: Option<u32>,
    /// The `Idempotency-Key` of a POST (every attempt sends the same one); a new random key
    /// when unset.
    pub idempotency_key: Option<String>,
    /// Extra headers for the call, after the client's.
    pub headers: Vec<(String, String)>,
}

impl std::fmt::Debug for RequestOptions {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // Header values may be credentials; only their names are shown.
        let names: Vec<&str> = self.headers.iter().map(|(n, _)| n.as_str()).collect();
        f.debug_struct("RequestOptions")
            .field("timeout", &self.timeout)
            .field("max_retries", &self.max_retries)
            .field(
                "idempotency_key",
                &self.idempotency_key.as_ref().map(|_| "<set>"),
            )
            .field("headers", &names)
            .finish()
    }
}

impl RequestOptions {
    /// No overrides.
    pub fn new() -> Self {
        Self::default()
    }
    /// Overrides the per-attempt timeout.
    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.timeout = Some(timeout);
        self
    }
    /// Overrides the number of retries.
    pub fn max_retries(mut self, retries: u32) -> Self {
        self.max_retries = Some(retries);
        self
    }
    /// Sets the idempotency key of a POST.
    pub fn idempotency_key(mut self, key: impl Into<String>) -> Self {
        self.idempotency_key = Some(key.into());
        self
    }
    /// Adds a header to the call.
    pub fn header(mut self, name: impl Into<String>, value: impl Into<String>) -> Self {
        self.headers.push((name.into(), value.into()));
        self
    }
}

/// The shared HTTP machinery of one client.
pub(crate) struct Transport {
    pub http: reqwest::Client,
    pub base_url: Url,
    /// `Bearer <api key>`, built once (marked sensitive so it never shows in debug output).
    pub api_key_header: Option<HeaderValue>,
    pub timeout: Duration,
    pub max_retries: u32,
    pub max_response_bytes: usize,
    pub backoff: Backoff,
}

impl Transport {
    pub fn url_for(&self, path: &str) -> Url {
        let mut url = self.base_url.clone();
        let joined = format!("{}{}", self.base_url.path().trim_end_matches('/'), path);
        url.set_path(&joined);
        url
    }

    /// Sends `call`, retrying as its [`Replay`] allows, and maps failures to [`Error`].
    pub async fn send(
        &self,
        call: &Call,
        session: Option<&SessionToken>,
        options: &RequestOptions,
    ) -> Result<Response> {
        let timeout = options.timeout.unwrap_or(self.timeout);
        let max_retries = options.max_retries.unwrap_or(self.max_retries);
        let headers = self.headers_for(call, session, options)?;
        let body = match &call.body {
            Some(Value::Object(map)) if map.is_empty() => Some(Bytes::from_static(b"{}")),
            Some(v) => Some(Bytes::from(serde_json::to_vec(v).map_err(|e| {
                Error::configuration(format!("request body is not JSON: {e}")).with_source(e)
            })?)),
            None => None,
        };
        let mut url = self.url_for(call.path);
        if let Some(Value::Object(query)) = &call.query {
            let mut pairs = url.query_pairs_mut();
            for (name, value) in query {
                match value {
                    Value::Null => {}
                    Value::String(s) => {
                        pairs.append_pair(name, s);
                    }
                    other => {
                        pairs.append_pair(name, &other.to_string());
                    }
                }
            }
        }
        let mut attempt = 0u32;
        loop {
            let outcome = self
                .attempt(&call.method, &url, &headers, body.clone(), timeout)
                .await;
            let error = match outcome {
                Ok(response) => return Ok(response),
                Err(e) => e,
            };
            let replayable = match (call.replay, error.kind()) {
                (_, ErrorKind::Decode | ErrorKind::Configuration) => false,
                // An untrusted certificate stays untrusted.
                _ if error.connection_cause() == Some("certificate") => false,
                (Replay::Safe, _) => error.status().is_none_or(is_retryable_status),
                (Replay::Unsafe, ErrorKind::RateLimited) => true,
                (Replay::Unsafe, ErrorKind::Connection) => {
                    error.status().is_none() && error.is_connect_failure()
                }
                (Replay::Unsafe, _) => false,
            };
            if !replayable || attempt >= max_retries {
                return Err(error);
            }
            let Some(wait) = self.backoff.delay(attempt, error.retry_after()) else {
                return Err(error);
            };
            tracing::debug!(path = call.path, attempt, ?wait, error = %error, "retrying");
            tokio::time::sleep(wait).await;
            attempt += 1;
        }
    }

    /// `better-auth.session_token=<signed token>` (`__Secure-` on HTTPS), the value
    /// URL-encoded as Better Auth sets it (1.7's `set-auth-token` is not).
    fn session_cookie(&self, token: &SessionToken) -> String {
        let name = if self.base_url.scheme() == "https" {
            "__Secure-better-auth.session_token"
        } else {
            "better-auth.session_token"
        };
        let value = crate::cookie_session::cookie_value(token.expose());
        format!("{name}={value}")
    }

    fn headers_for(
        &self,
        call: &Call,
        session: Option<&SessionToken>,
        options: &RequestOptions,
    ) -> Result<HeaderMap> {
        let mut headers = HeaderMap::new();
        for (name, value) in &options.headers {
            let name = reqwest::header::HeaderName::from_bytes(name.as_bytes()).map_err(|_| {
                Error::new(
                    ErrorKind::InvalidArgument,
                    format!("{name:?} is not a header name"),
                )
            })?;
            let mut value = HeaderValue::from_str(value).map_err(|_| {
                Error::new(
                    ErrorKind::InvalidArgument,
                    format!(
                        "the value of the {name} header has characters not allowed in a header"
                    ),
                )
            })?;
            value.set_sensitive(true);
            headers.insert(name, value);
        }
        headers.insert("accept", HeaderValue::from_static("application/json"));
        if call.body.is_some() {
            headers.insert(CONTENT_TYPE, HeaderValue::from_static("application/json"));
        }
        if call.method == Method::POST {
            // One key for every attempt, so a server that saw a lost attempt can recognise a replay.
            let key = match &options.idempotency_key {
                Some(key) => HeaderValue::from_str(key).map_err(|_| {
                    Error::new(
                        ErrorKind::InvalidArgument,
                        "the idempotency key has characters not allowed in a header",
                    )
                })?,
                // Random, not secret: it only has to differ between calls.
                None => HeaderValue::from_str(&format!("{:032x}", fastrand::u128(..)))
                    .expect("hex digits are a valid header value"),
            };
            headers.insert("idempotency-key", key);
        }
        let bearer = match call.credential {
            Credential::None => None,
            Credential::ApiKey => Some(self.api_key_header.clone().ok_or_else(|| {
                Error::configuration(format!(
                    "{} is a management call and needs the project API key: set it with \
                     the client's API key option or BANATA_API_KEY",
                    call.path
                ))
            })?),
            Credential::Session => session.map(|t| bearer_header(t.expose())).transpose()?,
            Credential::SessionCookie => None,
        };
        if let Some(value) = bearer {
            headers.insert(AUTHORIZATION, value);
        }
        let session_cookie = match (call.credential, session) {
            (Credential::SessionCookie, Some(token)) => Some(self.session_cookie(token)),
            _ => None,
        };
        let cookies = match (session_cookie, &call.cookie) {
            (Some(session), Some(others)) => Some(format!("{session}; {others}")),
            (Some(session), None) => Some(session),
            (None, others) => others.clone(),
        };
        if let Some(cookie) = &cookies {
            let mut value = HeaderValue::from_str(cookie)
                .map_err(|_| Error::decode("the server set a cookie that is not a header value"))?;
            value.set_sensitive(true);
            headers.insert(reqwest::header::COOKIE, value);
            let origin = self.base_url.origin().ascii_serialization();
            headers.insert(
                reqwest::header::ORIGIN,
                HeaderValue::from_str(&origin).expect("an origin is a header value"),
            );
        }
        Ok(headers)
    }

    async fn attempt(
        &self,
        method: &Method,
        url: &Url,
        headers: &HeaderMap,
        body: Option<Bytes>,
        timeout: Duration,
    ) -> Result<Response> {
        let mut request = self
            .http
            .request(method.clone(), url.clone())
            .headers(headers.clone());
        if let Some(body) = body {
            request = request.body(body);
        }
        let exchange = async {
            let mut response = request.send().await.map_err(transport_error)?;
            let status = response.status();
            let headers = std::mem::take(response.headers_mut());
            let body = read_limited(response, self.max_response_bytes).await?;
            Ok::<_, Error>((status, headers, body))
        };
        let (status, headers, body) =
            tokio::time::timeout(timeout, exchange)
                .await
                .map_err(|_| {
                    Error::new(
                        ErrorKind::Timeout,
                        format!("no complete response within {} ms", timeout.as_millis()),
                    )
                })??;
        let request_id = headers
            .get("x-request-id")
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned);
        if status.is_redirection() && headers.contains_key("location") {
            return Ok(Response {
                headers,
                body: Bytes::new(),
                redirect: true,
            });
        }
        if !status.is_success() {
            let retry_after = retry_after_from_headers(&headers, SystemTime::now());
            return Err(Error::from_response(
                status.as_u16(),
                &body,
                request_id,
                retry_after,
            ));
        }
        check_success_body(status, &headers, &body, request_id)?;
        Ok(Response {
            headers,
            body,
            redirect: false,
        })
    }
}

/// `Authorization: Bearer <secret>`, marked sensitive.
pub(crate) fn bearer_header(secret: &str) -> Result<HeaderValue> {
    let mut value = HeaderValue::from_str(&format!("Bearer {secret}")).map_err(|_| {
        Error::configuration("the credential contains characters not allowed in a header")
    })?;
    value.set_sensitive(true);
    Ok(value)
}

/// A 2xx can still be a failure: Banata answers some errors with 200 `{error}` or
/// `{success:false}`, and a proxy may answer with an HTML page.
fn check_success_body(
    status: StatusCode,
    headers: &HeaderMap,
    body: &[u8],
    request_id: Option<String>,
) -> Result<()> {
    if body.iter().all(u8::is_ascii_whitespace) {
        return Ok(());
    }
    let content_type = headers
        .get(CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    if !content_type.is_empty() && !content_type.contains("json") {
        return Err(Error::decode(format!(
            "expected a JSON response, got content type {content_type:?}"
        ))
        .with_status(status.as_u16())
        .with_request_id(request_id));
    }
    // One pass that allocates nothing for the fields it skips; the caller decodes the body into
    // its own type afterwards.
    #[derive(serde::Deserialize)]
    struct Outcome {
        success: Option<Value>,
        error: Option<Value>,
    }
    let is_object = body.iter().find(|b| !b.is_ascii_whitespace()) == Some(&b'{');
    let probe = if is_object {
        serde_json::from_slice::<Outcome>(body)
    } else {
        serde_json::from_slice::<serde::de::IgnoredAny>(body).map(|_| Outcome {
            success: None,
            error: None,
        })
    };
    let failed = match probe {
        Ok(o) => {
            o.success == Some(Value::Bool(false))
                || o.error
                    .is_some_and(|e| e.as_str().is_some_and(|s| !s.is_empty()) || e.is_object())
        }
        Err(e) => {
            return Err(
                Error::decode(format!("the response is not valid JSON: {e}"))
                    .with_status(status.as_u16())
                    .with_request_id(request_id)
                    .with_source(e),
            );
        }
    };
    if failed {
        return Err(Error::from_response(
            status.as_u16(),
            body,
            request_id,
            None,
        ));
    }
    Ok(())
}

async fn read_limited(mut response: reqwest::Response, limit: usize) -> Result<Bytes> {
    let too_large = || {
        Error::decode(format!(
            "the response body is larger than the {limit}-byte limit (the client's max-response-bytes option)"
        ))
    };
    if response.content_length().is_some_and(|n| n > limit as u64) {
        return Err(too_large());
    }
    let mut buf = Vec::new();
    while let Some(chunk) = response.chunk().await.map_err(body_error)? {
        if buf.len() + chunk.len() > limit {
            return Err(too_large());
        }
        buf.extend_from_slice(&chunk);
    }
    Ok(Bytes::from(buf))
}

/// The body stopped arriving (the connection dropped or reset mid-body): a connection failure,
/// which a call that is safe to replay retries; the server may have acted, so others do not.
fn body_error(e: reqwest::Error) -> Error {
    if e.is_timeout() {
        return transport_error(e);
    }
    let e = e.without_url();
    Error::new(
        ErrorKind::Connection,
        format!(
            "the connection ended before the whole response arrived ({})",
            innermost(&e)
        ),
    )
    .with_source(e)
}

/// The deepest cause's text: what actually went wrong under the HTTP client's wrappers.
fn innermost(e: &(dyn std::error::Error + 'static)) -> String {
    let mut current = e;
    while let Some(next) = current.source() {
        current = next;
    }
    current.to_string()
}

fn transport_error(e: reqwest::Error) -> Error {
    let kind = if e.is_timeout() {
        ErrorKind::Timeout
    } else if e.is_decode() {
        ErrorKind::Decode
    } else if e.is_builder() {
        ErrorKind::Configuration
    } else {
        ErrorKind::Connection
    };
    let connect = e.is_connect();
    let e = e.without_url();
    if !connect {
        return Error::new(kind, format!("the request failed: {e}")).with_source(e);
    }
    let cause = connection_cause(&e);
    let message = format!(
        "could not connect to the server ({cause}: {})",
        innermost(&e)
    );
    Error::new(kind, message)
        .with_connection_cause(cause)
        .with_source(e)
        .mark_connect_failure()
}

/// What kind of connection failure `e` is, from its chain of causes: `"certificate"` (the
/// server's certificate is not trusted: see `ClientBuilder::ca_certificate_pem`), `"tls"`,
/// `"dns"`, `"refused"`, `"reset"` or `"other"`.
fn connection_cause(e: &(dyn std::error::Error + 'static)) -> &'static str {
    use std::io::ErrorKind as Io;
    let mut texts = String::new();
    let mut current = Some(e);
    while let Some(err) = current {
        if let Some(io) = err.downcast_ref::<std::io::Error>() {
            match io.kind() {
                Io::ConnectionRefused => return "refused",
                Io::ConnectionReset | Io::ConnectionAborted | Io::BrokenPipe => return "reset",
                _ => {}
            }
        }
        texts.push_str(&err.to_string().to_ascii_lowercase());
        texts.push('\n');
        current = err.source();
    }
    if texts.contains("certificate") {
        "certificate"
    } else if texts.contains("dns error") || texts.contains("failed to lookup address") {
        "dns"
    } else if texts.contains("tls") || texts.contains("handshake") {
        "tls"
    } else if texts.contains("connection refused") {
        "refused"
    } else {
        "other"
    }
}
