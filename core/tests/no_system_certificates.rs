//! A Linux system with no CA certificates (a slim container image without ca-certificates):
//! the client still builds and works, on the Mozilla roots built into the SDK, instead of
//! failing every call with "could not build the HTTP client". The only test of its binary: it
//! points the process's certificate lookup at nothing.
#![cfg(target_os = "linux")]

mod common;

use banata_auth::{Client, SignUpEmail};
use common::{PASSWORD, devserver, unique_email};

#[tokio::test]
async fn a_system_without_ca_certificates_falls_back_to_the_built_in_roots() {
    let nowhere = std::env::temp_dir().join(format!("banata-no-certs-{}", std::process::id()));
    std::fs::create_dir_all(&nowhere).unwrap();
    let empty_bundle = nowhere.join("ca-certificates.crt");
    std::fs::write(&empty_bundle, "").unwrap();
    // SAFETY: this binary's only test, before it starts anything that reads the environment.
    unsafe {
        std::env::set_var("SSL_CERT_FILE", &empty_bundle);
        std::env::set_var("SSL_CERT_DIR", &nowhere);
    }

    let server = devserver().await;
    let client = Client::builder(server.url())
        .build()
        .expect("a client builds without system CA certificates");
    let signed_up = client
        .auth()
        .sign_up_email(SignUpEmail::new("Nora", unique_email("no-certs"), PASSWORD))
        .await
        .expect("and it works");
    assert!(!signed_up.user.id.is_empty());

    // An HTTPS client too, and the app's own CA still counts beside the built-in roots.
    Client::builder("https://auth.example.com")
        .ca_certificate_pem(include_str!("fixtures/test-ca.pem"))
        .build()
        .expect("an https client builds without system CA certificates");
    std::fs::remove_dir_all(&nowhere).ok();
}
