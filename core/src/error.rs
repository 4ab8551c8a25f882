//! The one error type every call returns.
//!
//! The server speaks several error dialects (Better Auth `{code, message}`, the gateway's
//! `{error, message}`, the rate limiter's `details.tryAgainIn`, empty bodies, and "200 with
//! `{error}` / `{success:false}`"); [`Error::from_response`] folds them all into one shape.

use std::fmt;
use std::time::Duration;

use serde::Serialize;

/// Largest part of an error body kept on the error, so a huge error page cannot pin memory.
const MAX_KEPT_BODY_BYTES: usize = 64 * 1024;

/// Declares [`ErrorKind`] once: each variant with its wire name, the Node/Python class it raises
/// and its documentation, which the binding generator reads through [`ErrorKind::ALL`].
macro_rules! error_kinds {
    ($( $(#[doc = $doc:literal])* $Variant:ident = $name:literal, $class:literal; )*) => {
        /// What went wrong, coarse enough to branch on.
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
        #[serde(rename_all = "snake_case")]
        #[non_exhaustive]
        pub enum ErrorKind {
            $( $(#[doc = $doc])* $Variant, )*
        }

        impl ErrorKind {
            /// Every kind, in declaration order.
            pub const ALL: &'static [ErrorKind] = &[$(ErrorKind::$Variant),*];

            /// Stable snake_case name, the same string every binding exposes as `kind`.
            pub fn as_str(self) -> &'static str {
                match self { $(ErrorKind::$Variant => $name,)* }
            }

            /// The error class the Node and Python packages raise for this kind, e.g.
            /// `"RateLimitError"`; kinds without a class of their own raise `"BanataError"`.
            pub fn class_name(self) -> &'static str {
                match self { $(ErrorKind::$Variant => $class,)* }
            }

            /// What the kind means, for the bindings' class documentation.
            pub fn description(self) -> &'static str {
                match self { $(ErrorKind::$Variant => concat!($($doc),*),)* }
            }
        }
    };
}

error_kinds! {
    /// 401: missing, unknown or expired credentials (API key or session).
    Authentication = "authentication", "AuthenticationError";
    /// 403: authenticated but not allowed.
    Forbidden = "forbidden", "ForbiddenError";
    /// 404, including the platform's empty-bodied 404 for unknown routes.
    NotFound = "not_found", "NotFoundError";
    /// 409: the resource already exists.
    Conflict = "conflict", "ConflictError";
    /// 400 and 422: the request was rejected as invalid.
    Validation = "validation", "ValidationError";
    /// 429: too many requests; `retry_after` says how long to wait.
    RateLimited = "rate_limited", "RateLimitError";
    /// 5xx: the server failed.
    Server = "server", "ServerError";
    /// Any other non-success answer, including "200 with `{error}`".
    Api = "api", "BanataError";
    /// The request did not complete within the timeout.
    Timeout = "timeout", "TimeoutError";
    /// The server could not be reached (refused, reset, DNS, TLS).
    Connection = "connection", "ConnectionError";
    /// The response could not be read or decoded (malformed JSON, wrong shape, too large).
    Decode = "decode", "BanataError";
    /// The client was configured or called wrongly (bad base URL, missing API key, ...).
    Configuration = "configuration", "ConfigurationError";
    /// The host's session store failed to read, save or clear the token (its own message is
    /// not repeated: it could hold the token).
    SessionStore = "session_store", "SessionStoreError";
    /// A call was given an argument of the wrong type or shape, or an unknown operation (a
    /// programming error: bindings raise their language's type error for it). The message names
    /// the argument, never its value.
    InvalidArgument = "invalid_argument", "InvalidArgumentError";
    /// A session JWT failed local verification, or a request carried none (answer 401). The
    /// code says why: `MISSING_TOKEN`, `MALFORMED_TOKEN`, `ALGORITHM_NOT_ALLOWED`,
    /// `UNKNOWN_KEY`, `BAD_SIGNATURE`, `TOKEN_EXPIRED`, `TOKEN_NOT_YET_VALID`,
    /// `WRONG_ISSUER` or `WRONG_AUDIENCE`.
    InvalidToken = "invalid_token", "InvalidTokenError";
}

impl ErrorKind {
    /// The kind an HTTP error status maps to.
    pub fn from_status(status: u16) -> ErrorKind {
        match status {
            400 | 422 => ErrorKind::Validation,
            401 => ErrorKind::Authentication,
            403 => ErrorKind::Forbidden,
            404 => ErrorKind::NotFound,
            408 => ErrorKind::Timeout,
            409 => ErrorKind::Conflict,
            429 => ErrorKind::RateLimited,
            500..=599 => ErrorKind::Server,
            _ => ErrorKind::Api,
        }
    }
}

impl fmt::Display for ErrorKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// An error from a Banata call. Never contains an API key, session token or password.
///
/// Boxed inside, so a `Result` stays one pointer wide on the success path.
pub struct Error {
    inner: Box<Inner>,
}

#[derive(Debug)]
struct Inner {
    kind: ErrorKind,
    status: Option<u16>,
    code: Option<String>,
    message: String,
    request_id: Option<String>,
    retry_after: Option<Duration>,
    body: Option<String>,
    /// The connection was never established, so the server cannot have acted on the request.
    connect_failure: bool,
    /// For connection failures: `certificate`, `tls`, `dns`, `refused`, `reset` or `other`.
    connection_cause: Option<&'static str>,
    source: Option<Box<dyn std::error::Error + Send + Sync + 'static>>,
}

impl Error {
    /// A new error of `kind` with a human-readable message.
    pub fn new(kind: ErrorKind, message: impl Into<String>) -> Self {
        Inner {
            kind,
            status: None,
            code: None,
            message: message.into(),
            request_id: None,
            retry_after: None,
            body: None,
            connect_failure: false,
            connection_cause: None,
            source: None,
        }
        .into()
    }

    pub(crate) fn configuration(message: impl Into<String>) -> Self {
        Error::new(ErrorKind::Configuration, message)
    }

    pub(crate) fn decode(message: impl Into<String>) -> Self {
        Error::new(ErrorKind::Decode, message)
    }

    pub(crate) fn with_source(
        mut self,
        source: impl std::error::Error + Send + Sync + 'static,
    ) -> Self {
        self.inner.source = Some(Box::new(source));
        self
    }

    pub(crate) fn mark_connect_failure(mut self) -> Self {
        self.inner.connect_failure = true;
        self
    }

    pub(crate) fn with_connection_cause(mut self, cause: &'static str) -> Self {
        self.inner.connection_cause = Some(cause);
        self
    }

    pub(crate) fn is_connect_failure(&self) -> bool {
        self.inner.connect_failure
    }

    pub(crate) fn with_status(mut self, status: u16) -> Self {
        self.inner.status = Some(status);
        self
    }

    pub(crate) fn with_code(mut self, code: impl Into<String>) -> Self {
        self.inner.code = Some(code.into());
        self
    }

    pub(crate) fn with_request_id(mut self, request_id: Option<String>) -> Self {
        self.inner.request_id = request_id;
        self
    }

    /// Builds the error for a non-success response (or a 2xx whose body says it failed).
    ///
    /// `retry_after` is what the headers said; the body's `details.tryAgainIn` fills it in when
    /// the headers were silent.
    pub(crate) fn from_response(
        status: u16,
        body: &[u8],
        request_id: Option<String>,
        retry_after: Option<Duration>,
    ) -> Self {
        let parsed: Option<serde_json::Value> = serde_json::from_slice(body).ok();
        let object = parsed.as_ref().and_then(|v| v.as_object());
        let text = |key: &str| {
            object
                .and_then(|o| o.get(key))
                .and_then(|v| v.as_str())
                .filter(|s| !s.is_empty())
                .map(str::to_owned)
        };
        let code = text("code").or_else(|| {
            // The gateway puts the code in `error`; bot protection puts a sentence there.
            text("error").filter(|e| e.chars().all(|c| c.is_ascii_uppercase() || c == '_'))
        });
        let message = text("message")
            .or_else(|| text("error"))
            .unwrap_or_else(|| default_message(status).to_owned());
        let retry_after = retry_after.or_else(|| {
            object
                .and_then(|o| o.get("details"))
                .and_then(|d| d.get("tryAgainIn"))
                .and_then(|v| v.as_f64())
                .filter(|s| s.is_finite() && *s >= 0.0)
                .map(Duration::from_secs_f64)
        });
        let kind = if (200..300).contains(&status) {
            ErrorKind::Api
        } else {
            ErrorKind::from_status(status)
        };
        let kept = &body[..body.len().min(MAX_KEPT_BODY_BYTES)];
        Inner {
            kind,
            status: Some(status),
            code,
            message,
            request_id,
            retry_after,
            body: (!kept.is_empty()).then(|| String::from_utf8_lossy(kept).into_owned()),
            connect_failure: false,
            connection_cause: None,
            source: None,
        }
        .into()
    }

    /// What kind of failure this is.
    pub fn kind(&self) -> ErrorKind {
        self.inner.kind
    }

    /// The real HTTP status, when the server answered (5xx are not folded into 500).
    pub fn status(&self) -> Option<u16> {
        self.inner.status
    }

    /// The machine-readable code, from the body's `code` or (gateway errors) `error`.
    pub fn code(&self) -> Option<&str> {
        self.inner.code.as_deref()
    }

    /// A human-readable description.
    pub fn message(&self) -> &str {
        &self.inner.message
    }

    /// The `x-request-id` response header, when the server sent one.
    pub fn request_id(&self) -> Option<&str> {
        self.inner.request_id.as_deref()
    }

    /// How long the server asked us to wait (`Retry-After`, `x-retry-after`, `details.tryAgainIn`).
    pub fn retry_after(&self) -> Option<Duration> {
        self.inner.retry_after
    }

    /// For a failure to connect, what kind it was: `"certificate"` (the server's certificate is
    /// not trusted; add its CA with `ClientBuilder::ca_certificate_pem`), `"tls"`, `"dns"`,
    /// `"refused"`, `"reset"` or `"other"`.
    pub fn connection_cause(&self) -> Option<&'static str> {
        self.inner.connection_cause
    }

    /// The raw response body (first 64 KiB), for diagnostics.
    pub fn body(&self) -> Option<&str> {
        self.inner.body.as_deref()
    }

    /// Whether retrying the same call later could succeed.
    pub fn is_retryable(&self) -> bool {
        match self.inner.kind {
            ErrorKind::RateLimited | ErrorKind::Timeout | ErrorKind::Connection => true,
            ErrorKind::Server => matches!(self.inner.status, Some(500 | 502 | 503 | 504) | None),
            _ => false,
        }
    }
}

fn default_message(status: u16) -> &'static str {
    match status {
        400 => "Bad request",
        401 => "Authentication required",
        403 => "Forbidden",
        404 => "Not found",
        409 => "Conflict",
        422 => "Validation failed",
        429 => "Rate limit exceeded",
        500..=599 => "Server error",
        _ => "Request failed",
    }
}

impl From<Inner> for Error {
    fn from(inner: Inner) -> Self {
        Error {
            inner: Box::new(inner),
        }
    }
}

impl fmt::Debug for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.inner.fmt(f)
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.inner.kind, self.inner.message)?;
        let mut details = Vec::new();
        if let Some(status) = self.inner.status {
            details.push(format!("status {status}"));
        }
        if let Some(code) = &self.inner.code {
            details.push(format!("code {code}"));
        }
        if let Some(id) = &self.inner.request_id {
            details.push(format!("request id {id}"));
        }
        if let Some(after) = self.inner.retry_after {
            details.push(format!("retry after {:.1}s", after.as_secs_f64()));
        }
        if !details.is_empty() {
            write!(f, " ({})", details.join(", "))?;
        }
        Ok(())
    }
}

impl std::error::Error for Error {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        self.inner
            .source
            .as_ref()
            .map(|s| s.as_ref() as &(dyn std::error::Error + 'static))
    }
}

/// Shorthand for results of this crate.
pub type Result<T, E = Error> = std::result::Result<T, E>;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn better_auth_body_gives_code_and_message() {
        let e = Error::from_response(
            401,
            br#"{"code":"INVALID_EMAIL_OR_PASSWORD","message":"Invalid email or password"}"#,
            Some("req_1".into()),
            None,
        );
        assert_eq!(e.kind(), ErrorKind::Authentication);
        assert_eq!(e.code(), Some("INVALID_EMAIL_OR_PASSWORD"));
        assert_eq!(e.message(), "Invalid email or password");
        assert_eq!(e.request_id(), Some("req_1"));
    }

    #[test]
    fn gateway_error_field_is_the_code() {
        let e = Error::from_response(
            403,
            br#"{"error":"PROJECT_SCOPE_MISMATCH","message":"nope"}"#,
            None,
            None,
        );
        assert_eq!(e.kind(), ErrorKind::Forbidden);
        assert_eq!(e.code(), Some("PROJECT_SCOPE_MISMATCH"));
        assert_eq!(e.message(), "nope");
    }

    #[test]
    fn sentence_in_error_is_the_message_not_the_code() {
        let e = Error::from_response(502, br#"{"error":"Auth service unavailable"}"#, None, None);
        assert_eq!(e.kind(), ErrorKind::Server);
        assert_eq!(e.status(), Some(502));
        assert_eq!(e.code(), None);
        assert_eq!(e.message(), "Auth service unavailable");
    }

    #[test]
    fn empty_body_keeps_status_and_gets_a_message() {
        let e = Error::from_response(404, b"", None, None);
        assert_eq!(e.kind(), ErrorKind::NotFound);
        assert_eq!(e.message(), "Not found");
        assert_eq!(e.body(), None);
        let e = Error::from_response(503, b"", None, None);
        assert_eq!((e.kind(), e.status()), (ErrorKind::Server, Some(503)));
    }

    #[test]
    fn rate_limit_details_fill_retry_after() {
        let body = br#"{"code":"RATE_LIMITED","message":"Rate limit exceeded.","details":{"tryAgainIn":7}}"#;
        let e = Error::from_response(429, body, None, None);
        assert_eq!(e.kind(), ErrorKind::RateLimited);
        assert_eq!(e.retry_after(), Some(Duration::from_secs(7)));
        let e = Error::from_response(429, body, None, Some(Duration::from_secs(3)));
        assert_eq!(e.retry_after(), Some(Duration::from_secs(3)), "header wins");
    }

    #[test]
    fn success_status_with_error_body_is_an_api_error() {
        let e = Error::from_response(
            200,
            br#"{"success":false,"error":"Project slug taken"}"#,
            None,
            None,
        );
        assert_eq!(e.kind(), ErrorKind::Api);
        assert_eq!(e.message(), "Project slug taken");
    }

    #[test]
    fn display_names_kind_status_and_code() {
        let e = Error::from_response(
            400,
            br#"{"code":"VALIDATION_ERROR","message":"[body.email] Invalid email address"}"#,
            None,
            None,
        );
        assert_eq!(
            e.to_string(),
            "validation: [body.email] Invalid email address (status 400, code VALIDATION_ERROR)"
        );
    }
}
