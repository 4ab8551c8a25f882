//! Core errors as napi errors the JavaScript facade turns into `BanataError` subclasses.

use serde_json::json;

/// Marks a reason as a serialized Banata error (the facade checks for it).
pub(crate) const PREFIX: &str = "BANATA_ERROR:";

/// The error's fields as JSON after [`PREFIX`]. The core never puts secrets in them.
pub(crate) fn to_napi(error: banata_auth::Error) -> napi::Error {
    let fields = json!({
        "kind": error.kind().as_str(),
        "class": error.kind().class_name(),
        "status": error.status(),
        "code": error.code(),
        "message": error.message(),
        "requestId": error.request_id(),
        "retryAfter": error.retry_after().map(|d| d.as_secs_f64()),
        "body": error.body(),
        "connectionCause": error.connection_cause(),
    });
    napi::Error::from_reason(format!("{PREFIX}{fields}"))
}

pub(crate) type Result<T> = std::result::Result<T, napi::Error>;
