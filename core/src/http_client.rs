//! The HTTP clients the SDK builds: the system's TLS roots plus the app's, and on a Linux
//! system without CA certificates the Mozilla roots built in.

use crate::error::{Error, Result};

/// Builds `configure()`'s client, trusting `extra_roots` besides the system's CA certificates;
/// `what` names the client in the error ("the HTTP client").
pub(crate) fn build(
    what: &str,
    extra_roots: &[reqwest::Certificate],
    configure: impl Fn() -> reqwest::ClientBuilder,
) -> Result<reqwest::Client> {
    let system = match configure().tls_certs_merge(extra_roots.to_vec()).build() {
        Ok(client) => return Ok(client),
        Err(e) => e,
    };
    // A Linux system without CA certificates (a slim container image without the
    // ca-certificates package) leaves the platform verifier with no roots, and the client could
    // not even reach an http:// server. The Mozilla roots built in stand in, as Node.js and
    // Python's certifi do; any other cause fails this build too and is reported below.
    #[cfg(target_os = "linux")]
    if let Ok(client) = configure()
        .tls_certs_only(mozilla_roots(extra_roots))
        .build()
    {
        tracing::warn!(
            "no CA certificates found on this system (install ca-certificates, or set \
             SSL_CERT_FILE); {what} trusts the Mozilla roots built into the SDK"
        );
        return Ok(client);
    }
    Err(Error::configuration(format!(
        "could not build {what}: {}",
        with_causes(&system)
    )))
}

#[cfg(target_os = "linux")]
fn mozilla_roots(extra: &[reqwest::Certificate]) -> Vec<reqwest::Certificate> {
    webpki_root_certs::TLS_SERVER_ROOT_CERTS
        .iter()
        .filter_map(|der| reqwest::Certificate::from_der(der.as_ref()).ok())
        .chain(extra.iter().cloned())
        .collect()
}

/// An error and its causes, outermost first: reqwest's own text ("builder error") says little.
fn with_causes(e: &(dyn std::error::Error + 'static)) -> String {
    let mut text = e.to_string();
    let mut current = e.source();
    while let Some(cause) = current {
        text.push_str(": ");
        text.push_str(&cause.to_string());
        current = cause.source();
    }
    text
}
