//! The one error type: a variant per core `ErrorKind`, each with the same fields.
//!
//! The text field is `detail`, not `message`: a field named `message` generates Kotlin that does
//! not compile (it clashes with `Throwable.message`).

use banata_auth::ErrorKind;

macro_rules! banata_error {
    ($($(#[$doc:meta])* $variant:ident => $kind:ident,)*) => {
        /// A failed call. Every variant carries what the server and the transport said.
        #[derive(Debug, Clone, PartialEq, thiserror::Error, uniffi::Error)]
        pub enum BanataError {
            $(
                $(#[$doc])*
                #[error("{detail}")]
                $variant {
                    /// What went wrong, for people (never a secret).
                    detail: String,
                    /// The HTTP status, when the server answered.
                    status: Option<u16>,
                    /// The server's machine-readable code, e.g. `INVALID_EMAIL_OR_PASSWORD`.
                    code: Option<String>,
                    /// The server's request id, for support.
                    request_id: Option<String>,
                    /// How long the server asked to wait before retrying, in milliseconds.
                    retry_after_ms: Option<u64>,
                    /// For a failure to connect: `certificate` (not trusted: add its CA to
                    /// `ClientOptions.caCertificatesPem`), `tls`, `dns`, `refused`, `reset` or
                    /// `other`.
                    connection_cause: Option<String>,
                },
            )*
        }

        impl From<banata_auth::Error> for BanataError {
            fn from(error: banata_auth::Error) -> Self {
                let detail = error.message().to_owned();
                let status = error.status();
                let code = error.code().map(str::to_owned);
                let request_id = error.request_id().map(str::to_owned);
                let retry_after_ms = error.retry_after().map(|d| d.as_millis() as u64);
                let connection_cause = error.connection_cause().map(str::to_owned);
                match error.kind() {
                    $(ErrorKind::$kind => BanataError::$variant { detail, status, code, request_id, retry_after_ms, connection_cause },)*
                    // The core's ErrorKind is non-exhaustive: a kind added later is still an API error.
                    #[allow(unreachable_patterns)]
                    _ => BanataError::Api { detail, status, code, request_id, retry_after_ms, connection_cause },
                }
            }
        }
    };
}

banata_error! {
    /// 401: missing, unknown or expired credentials.
    Authentication => Authentication,
    /// 403: authenticated but not allowed.
    Forbidden => Forbidden,
    /// 404.
    NotFound => NotFound,
    /// 409: the resource already exists.
    Conflict => Conflict,
    /// 400 and 422: the request was rejected as invalid.
    Validation => Validation,
    /// 429: too many requests; see `retry_after_ms`.
    RateLimited => RateLimited,
    /// 5xx: the server failed.
    Server => Server,
    /// Any other non-success answer.
    Api => Api,
    /// The request did not complete within the timeout.
    Timeout => Timeout,
    /// The server could not be reached.
    Connection => Connection,
    /// The response could not be read or decoded.
    Decode => Decode,
    /// The client was configured or called wrongly.
    Configuration => Configuration,
    /// The app's `SessionStore` failed.
    SessionStore => SessionStore,
    /// A call got an argument of the wrong shape (the detail names it, never its value).
    InvalidArgument => InvalidArgument,
    /// A session JWT failed local verification (`code` says why).
    InvalidToken => InvalidToken,
}

pub(crate) type Result<T> = std::result::Result<T, BanataError>;
