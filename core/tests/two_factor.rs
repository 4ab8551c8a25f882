//! Two-factor through the SDK on the devserver with the plugin on (`--two-factor`): the same
//! flow as on Better Auth 1.7 (better_auth_peer.rs), plus the mailed one-time code.

mod common;

use banata_auth::{Client, SignInEmail, SignInResult, SignUpEmail, TwoFactorCode};
use banata_devserver::{DevServer, DevServerConfig};
use common::peer::{Peer, PeerVersion};
use common::{PASSWORD, unique_email};

#[tokio::test]
async fn two_factor_with_an_authenticator_a_mailed_code_and_backup_codes() {
    let server = DevServer::start(DevServerConfig {
        require_email_verification: false,
        two_factor: true,
        ..Default::default()
    })
    .await
    .unwrap();
    let client = Client::new(server.url()).unwrap();
    let email = unique_email("dev-2fa");
    let signed_up = client
        .auth()
        .sign_up_email(SignUpEmail::new("Dev 2FA", &email, PASSWORD))
        .await
        .unwrap();
    assert_eq!(signed_up.user.extra["twoFactorEnabled"], false);
    let setup = client.auth().enable_two_factor(PASSWORD).await.unwrap();
    let totp = totp_rs::TOTP::from_url_unchecked(setup.totp_uri.expose()).unwrap();
    let on = client
        .auth()
        .verify_totp(totp.generate_current().unwrap().as_str())
        .await
        .unwrap();
    assert_eq!(on.user.extra["twoFactorEnabled"], true);

    let sign_in = |c: Client| {
        let email = email.clone();
        async move {
            c.auth()
                .sign_in_email(SignInEmail::new(&email, PASSWORD))
                .await
                .unwrap()
        }
    };
    // Authenticator.
    let phone = Client::new(server.url()).unwrap();
    let step = sign_in(phone.clone()).await;
    assert!(
        matches!(&step, SignInResult::SecondFactorRequired(s) if s.methods.is_empty()),
        "1.4 does not list the methods: {step:?}"
    );
    assert!(phone.auth().verify_totp("000000").await.is_err());
    phone
        .auth()
        .verify_totp(TwoFactorCode {
            code: totp.generate_current().unwrap(),
            trust_device: None,
        })
        .await
        .unwrap();
    assert!(phone.auth().get_session().await.unwrap().is_some());

    // A code mailed to the dev mailbox.
    let laptop = Client::new(server.url()).unwrap();
    sign_in(laptop.clone()).await;
    assert!(laptop.auth().send_two_factor_otp().await.unwrap().status);
    let mail = server
        .mailbox(&email)
        .into_iter()
        .rev()
        .find(|m| m.kind == "two-factor-otp")
        .expect("the code was mailed");
    laptop
        .auth()
        .verify_two_factor_otp(mail.token.as_str())
        .await
        .unwrap();
    assert!(laptop.auth().get_session().await.unwrap().is_some());

    // A client still holding another account's session: the second step is the new
    // sign-in's, not checked against the old session's user.
    let shared = Client::new(server.url()).unwrap();
    shared
        .auth()
        .sign_up_email(SignUpEmail::new("Other", unique_email("other"), PASSWORD))
        .await
        .unwrap();
    sign_in(shared.clone()).await;
    let switched = shared
        .auth()
        .verify_totp(totp.generate_current().unwrap().as_str())
        .await
        .unwrap();
    assert_eq!(switched.user.email.as_deref(), Some(email.as_str()));
    let now = shared.auth().get_session().await.unwrap().unwrap();
    assert_eq!(now.user.email.as_deref(), Some(email.as_str()));

    // A backup code, once.
    let tablet = Client::new(server.url()).unwrap();
    sign_in(tablet.clone()).await;
    let code = setup.backup_codes[1].expose().to_owned();
    tablet
        .auth()
        .verify_backup_code(code.as_str())
        .await
        .unwrap();
    let again = Client::new(server.url()).unwrap();
    sign_in(again.clone()).await;
    let reused = again
        .auth()
        .verify_backup_code(code.as_str())
        .await
        .unwrap_err();
    assert_eq!(reused.code(), Some("INVALID_BACKUP_CODE"));

    client.auth().disable_two_factor(PASSWORD).await.unwrap();
    // Turning it off moves the user to a new session, which the client keeps.
    assert!(client.auth().get_session().await.unwrap().is_some());
    assert!(matches!(
        sign_in(Client::new(server.url()).unwrap()).await,
        SignInResult::SignedIn(_)
    ));
}

#[tokio::test]
async fn a_trusted_device_skips_the_second_factor_on_the_devserver() {
    let server = DevServer::start(DevServerConfig {
        require_email_verification: false,
        two_factor: true,
        ..Default::default()
    })
    .await
    .unwrap();
    let url = server.url().to_owned();
    trusted_device(&|| Client::new(&url).unwrap()).await;
}

#[tokio::test]
async fn a_trusted_device_skips_the_second_factor_on_better_auth() {
    let peer = Peer::start(PeerVersion::V1_7);
    trusted_device(&|| peer.client()).await;
}

/// `trust_device` on the second factor marks the client (a cookie it keeps across sign-outs):
/// its later sign-ins skip the factor, other clients' do not, and turning two-factor off there
/// forgets the mark and keeps the client signed in.
async fn trusted_device(new_client: &dyn Fn() -> Client) {
    let email = unique_email("trusted");
    let owner = new_client();
    owner
        .auth()
        .sign_up_email(SignUpEmail::new("Trusted", &email, PASSWORD))
        .await
        .unwrap();
    let setup = owner.auth().enable_two_factor(PASSWORD).await.unwrap();
    let totp = totp_rs::TOTP::from_url_unchecked(setup.totp_uri.expose()).unwrap();
    let code = || totp.generate_current().unwrap();
    owner.auth().verify_totp(code().as_str()).await.unwrap();
    let sign_in = |c: &Client| {
        let (c, email) = (c.clone(), email.clone());
        async move {
            c.auth()
                .sign_in_email(SignInEmail::new(&email, PASSWORD))
                .await
                .unwrap()
        }
    };

    let phone = new_client();
    assert!(matches!(
        sign_in(&phone).await,
        SignInResult::SecondFactorRequired(_)
    ));
    phone
        .auth()
        .verify_totp(TwoFactorCode {
            code: code(),
            trust_device: Some(true),
        })
        .await
        .unwrap();
    phone.auth().sign_out().await.unwrap();
    for _ in 0..2 {
        // Each trusted sign-in renews the mark, so it keeps working.
        assert!(
            matches!(sign_in(&phone).await, SignInResult::SignedIn(_)),
            "a trusted device signs in with the password alone"
        );
    }
    assert!(matches!(
        sign_in(&new_client()).await,
        SignInResult::SecondFactorRequired(_)
    ));

    phone.auth().disable_two_factor(PASSWORD).await.unwrap();
    assert!(phone.auth().get_session().await.unwrap().is_some());
    let setup = phone.auth().enable_two_factor(PASSWORD).await.unwrap();
    let totp = totp_rs::TOTP::from_url_unchecked(setup.totp_uri.expose()).unwrap();
    phone
        .auth()
        .verify_totp(totp.generate_current().unwrap().as_str())
        .await
        .unwrap();
    assert!(
        matches!(sign_in(&phone).await, SignInResult::SecondFactorRequired(_)),
        "the mark went with two-factor"
    );
}
