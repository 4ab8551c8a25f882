//! Expired and replayed codes and links through the SDK: on the devserver with
//! `code_lifetime_seconds` and on Better Auth 1.4.21 with the same lifetime
//! (`PEER_CODE_LIFETIME`), both answer alike, and the SDK gives each case its typed error.

mod common;

use std::time::Duration;

use banata_auth::{EmailOtp, ErrorKind, SendVerificationOtp, SignInMagicLink, VerifyMagicLink};
use banata_devserver::DevServerConfig;
use common::either::Server;
use common::unique_email;

const LIFETIME_SECONDS: u64 = 1;
/// Comfortably past the lifetime (the servers compare milliseconds).
const PAST_LIFETIME: Duration = Duration::from_millis(1600);

#[tokio::test]
async fn expired_and_replayed_codes_on_the_devserver() {
    let server = Server::devserver(DevServerConfig {
        require_email_verification: false,
        email_otp: true,
        magic_link: true,
        code_lifetime_seconds: Some(LIFETIME_SECONDS),
        ..Default::default()
    })
    .await;
    expired_and_replayed(server).await;
}

#[tokio::test]
async fn expired_and_replayed_codes_on_better_auth() {
    let lifetime = LIFETIME_SECONDS.to_string();
    let server = Server::peer(&[
        ("PEER_EMAIL_OTP", "1"),
        ("PEER_MAGIC_LINK", "1"),
        ("PEER_CODE_LIFETIME", &lifetime),
    ]);
    expired_and_replayed(server).await;
}

async fn expired_and_replayed(server: Server) {
    let client = server.client();
    let code = (ErrorKind::Validation, Some(400));

    // A mailed sign-in code past its time is expired; the lookup clears it, so it is then
    // simply invalid.
    let email = unique_email("expiring-otp");
    let ask = SendVerificationOtp {
        email: email.clone(),
        kind: "sign-in".into(),
    };
    client
        .auth()
        .send_verification_otp(ask.clone())
        .await
        .unwrap();
    let otp = server.mailed(&email, "email-otp").await;
    tokio::time::sleep(PAST_LIFETIME).await;
    let e = client
        .auth()
        .sign_in_email_otp(EmailOtp::new(&email, &otp))
        .await
        .unwrap_err();
    assert_eq!(
        (e.kind(), e.status(), e.code()),
        (code.0, code.1, Some("OTP_EXPIRED"))
    );
    let e = client
        .auth()
        .sign_in_email_otp(EmailOtp::new(&email, &otp))
        .await
        .unwrap_err();
    assert_eq!(
        (e.kind(), e.code()),
        (ErrorKind::Validation, Some("INVALID_OTP"))
    );
    assert!(!format!("{e:?} {e}").contains(&otp), "no code in errors");

    // A fresh code works once; using it again is invalid.
    client.auth().send_verification_otp(ask).await.unwrap();
    let otp = server.mailed(&email, "email-otp").await;
    let signed_in = client
        .auth()
        .sign_in_email_otp(EmailOtp::new(&email, &otp))
        .await
        .unwrap();
    assert!(signed_in.signed_in().is_some());
    let e = server
        .client()
        .auth()
        .sign_in_email_otp(EmailOtp::new(&email, &otp))
        .await
        .unwrap_err();
    assert_eq!(e.code(), Some("INVALID_OTP"));

    // A sign-in link past its time, and one followed twice.
    let email = unique_email("expiring-link");
    let link_client = server.client();
    link_client
        .auth()
        .sign_in_magic_link(SignInMagicLink::new(&email))
        .await
        .unwrap();
    let token = server.mailed(&email, "magic-link").await;
    tokio::time::sleep(PAST_LIFETIME).await;
    let e = link_client
        .auth()
        .verify_magic_link(VerifyMagicLink::from(token.as_str()))
        .await
        .unwrap_err();
    assert_eq!(
        (e.kind(), e.code()),
        (ErrorKind::Authentication, Some("EXPIRED_TOKEN"))
    );
    assert!(link_client.session_token().await.unwrap().is_none());

    link_client
        .auth()
        .sign_in_magic_link(SignInMagicLink::new(&email))
        .await
        .unwrap();
    let token = server.mailed(&email, "magic-link").await;
    link_client
        .auth()
        .verify_magic_link(VerifyMagicLink::from(token.as_str()))
        .await
        .unwrap();
    let e = server
        .client()
        .auth()
        .verify_magic_link(VerifyMagicLink::from(token.as_str()))
        .await
        .unwrap_err();
    assert_eq!(
        (e.kind(), e.code()),
        (ErrorKind::Authentication, Some("INVALID_TOKEN"))
    );
}
