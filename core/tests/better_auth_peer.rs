//! The auth and session flows against real Better Auth servers, both pinned versions: 1.4.21
//! (the platform's, configured like a managed project: e-mail verification required) and
//! 1.7.25, each started on a free loopback port for each test. `scripts/install.sh` installs
//! them (tests/better-auth-peer-1.4, tests/better-auth-peer).

mod common;

use banata_auth::VerificationRequired;
use banata_auth::{
    AuthResult, ChangePassword, Client, ErrorKind, SignInEmail, SignInResult, SignUpEmail,
};
use banata_auth::{RequestPasswordReset, ResetPassword, UpdateUser, VerifyEmail};
use common::peer::{Peer, PeerVersion};
use common::{PASSWORD, Recorder, unique_email};

/// Each flow once per peer version.
macro_rules! on_both_peers {
    ($($flow:ident),* $(,)?) => {
        mod v1_4 { $(#[tokio::test] async fn $flow() { super::$flow(super::PeerVersion::V1_4).await })* }
        mod v1_7 { $(#[tokio::test] async fn $flow() { super::$flow(super::PeerVersion::V1_7).await })* }
    };
}

on_both_peers!(
    sign_up_session_update_and_sign_out,
    list_and_revoke_sessions,
    change_and_reset_password,
    errors_map_to_typed_errors,
    unverified_sign_in_is_refused_until_the_link_is_followed,
);

/// Signs `email` up; where the peer requires verification, follows the mailed link and signs
/// in, as an app does. Returns the result that started the session.
async fn sign_up(peer: &Peer, client: &Client, name: &str, email: &str) -> AuthResult {
    let signed_up = client
        .auth()
        .sign_up_email(SignUpEmail::new(name, email, PASSWORD))
        .await
        .unwrap();
    assert_eq!(signed_up.user.email.as_deref(), Some(email));
    if !peer.version.requires_verification() {
        assert!(signed_up.token.is_some(), "sign-up signs in");
        return signed_up;
    }
    assert!(signed_up.token.is_none(), "no session before verification");
    assert!(client.session_token().await.unwrap().is_none());
    let mail = peer.mail(email, "verification").await;
    let verified = client
        .auth()
        .verify_email(VerifyEmail::new(mail["token"].as_str().unwrap()))
        .await
        .unwrap();
    assert!(verified.status);
    client
        .auth()
        .sign_in_email(SignInEmail::new(email, PASSWORD))
        .await
        .unwrap()
        .signed_in()
        .expect("signed in")
}

async fn sign_up_session_update_and_sign_out(version: PeerVersion) {
    let peer = Peer::start(version);
    let client = peer.client();
    let recorder = Recorder::attach(&client);
    let email = unique_email("peer");
    let signed_up = sign_up(&peer, &client, "Peer User", &email).await;
    if version == PeerVersion::V1_7 {
        assert_eq!(
            signed_up.user.role.as_deref(),
            Some("user"),
            "admin plugin field decoded"
        );
    }
    let token = client
        .session_token()
        .await
        .unwrap()
        .expect("set-auth-token stored");
    assert!(token.expose().contains('.'), "Better Auth's signed token");
    // Kept exactly as received: 1.4 URL-encodes the signature, 1.7 does not.
    assert_eq!(
        token.expose().contains('%'),
        version == PeerVersion::V1_4,
        "stored as sent"
    );
    assert_eq!(
        signed_up.token.as_ref().map(|t| t.expose()),
        Some(token.expose()),
        "the result carries the stored token"
    );

    let current = client
        .auth()
        .get_session()
        .await
        .unwrap()
        .expect("bearer session works");
    assert_eq!(current.user.id, signed_up.user.id);
    assert!(current.session.expires_at.is_some());

    client
        .auth()
        .update_user(UpdateUser {
            name: Some("Renamed".into()),
            ..Default::default()
        })
        .await
        .unwrap();
    assert_eq!(
        client
            .auth()
            .get_session()
            .await
            .unwrap()
            .unwrap()
            .user
            .name
            .as_deref(),
        Some("Renamed")
    );

    client.auth().sign_out().await.unwrap();
    assert!(client.session_token().await.unwrap().is_none());
    let stale = peer.client();
    stale.session_store().set(token).await.unwrap();
    assert!(
        stale.auth().get_session().await.unwrap().is_none(),
        "the server ended it"
    );

    let expected: &[&str] = match version {
        PeerVersion::V1_4 => &[
            "user.created",
            "email.verified",
            "session.created",
            "user.updated",
            "session.revoked",
        ],
        PeerVersion::V1_7 => &[
            "user.created",
            "session.created",
            "user.updated",
            "session.revoked",
        ],
    };
    let events = recorder.wait_for(expected.len()).await;
    assert_eq!(Recorder::types(&events), expected);
}

async fn unverified_sign_in_is_refused_until_the_link_is_followed(version: PeerVersion) {
    let peer = Peer::start(version);
    let client = peer.client();
    let email = unique_email("unverified");
    let signed_up = client
        .auth()
        .sign_up_email(SignUpEmail::new("Unverified", &email, PASSWORD))
        .await
        .unwrap();
    if !version.requires_verification() {
        assert!(signed_up.token.is_some());
        return;
    }
    let next = peer
        .client()
        .auth()
        .sign_in_email(SignInEmail::new(&email, PASSWORD))
        .await
        .unwrap();
    // Better Auth's 403 EMAIL_NOT_VERIFIED is the next step of the sign-in, not a failure.
    assert_eq!(
        next,
        SignInResult::VerificationRequired(VerificationRequired {
            email: email.clone(),
            verification_email_sent: None,
        })
    );
    let next = peer
        .client()
        .auth()
        .sign_in_email(SignInEmail::new(&email, PASSWORD).send_verification_email(true))
        .await
        .unwrap();
    assert!(
        matches!(&next, SignInResult::VerificationRequired(v) if v.verification_email_sent == Some(true)),
        "{next:?}"
    );
    let bad = client
        .auth()
        .verify_email(VerifyEmail::new("not.a.token"))
        .await
        .unwrap_err();
    assert_eq!(bad.code(), Some("INVALID_TOKEN"), "{bad}");
    let mail = peer.mail(&email, "verification").await;
    client
        .auth()
        .verify_email(VerifyEmail::new(mail["token"].as_str().unwrap()))
        .await
        .unwrap();
    let signed_in = client
        .auth()
        .sign_in_email(SignInEmail::new(&email, PASSWORD))
        .await
        .unwrap()
        .signed_in()
        .expect("signed in");
    assert_eq!(signed_in.user.email_verified, Some(true));
    assert!(client.auth().get_session().await.unwrap().is_some());
}

async fn list_and_revoke_sessions(version: PeerVersion) {
    let peer = Peer::start(version);
    let email = unique_email("multi");
    let first = peer.client();
    sign_up(&peer, &first, "Multi", &email).await;
    let second = peer.client();
    let third = peer.client();
    for c in [&second, &third] {
        c.auth()
            .sign_in_email(SignInEmail::new(&email, PASSWORD).remember_me(false))
            .await
            .unwrap();
    }
    let sessions = first.auth().list_sessions().await.unwrap();
    assert_eq!(sessions.len(), 3);
    let second_token = second.session_token().await.unwrap().unwrap();
    let listed = sessions
        .iter()
        .find(|s| second_token.same_session(s.token.as_ref().unwrap().expose()))
        .unwrap();
    first
        .auth()
        .revoke_session(listed.token.as_ref().unwrap().expose())
        .await
        .unwrap();
    assert!(second.auth().get_session().await.unwrap().is_none());

    first.auth().revoke_other_sessions().await.unwrap();
    assert!(third.auth().get_session().await.unwrap().is_none());
    assert!(first.auth().get_session().await.unwrap().is_some());

    first.auth().revoke_sessions().await.unwrap();
    assert!(first.session_token().await.unwrap().is_none());
    let e = first.auth().list_sessions().await.unwrap_err();
    assert_eq!(
        (e.kind(), e.status()),
        (ErrorKind::Authentication, Some(401))
    );
}

async fn change_and_reset_password(version: PeerVersion) {
    let peer = Peer::start(version);
    let email = unique_email("pw");
    let client = peer.client();
    sign_up(&peer, &client, "Pw", &email).await;
    let other = peer.client();
    other
        .auth()
        .sign_in_email(SignInEmail::new(&email, PASSWORD))
        .await
        .unwrap();

    let wrong = client
        .auth()
        .change_password(ChangePassword::new("wrong-current-pw", "n3w-passw0rd-1"))
        .await
        .unwrap_err();
    assert_eq!(wrong.code(), Some("INVALID_PASSWORD"));

    let changed = client
        .auth()
        .change_password(
            ChangePassword::new(PASSWORD, "n3w-passw0rd-1").revoke_other_sessions(true),
        )
        .await
        .unwrap();
    assert!(
        changed.token.is_some(),
        "a new token after revoking the others"
    );
    assert!(client.auth().get_session().await.unwrap().is_some());
    assert!(other.auth().get_session().await.unwrap().is_none());

    let anon = peer.client();
    anon.auth()
        .request_password_reset(RequestPasswordReset::new(&email).redirect_to("/reset"))
        .await
        .unwrap();
    let token = peer.reset_token(&email).await;
    anon.auth()
        .reset_password(ResetPassword::new(&token, "an0ther-passw0rd"))
        .await
        .unwrap();
    anon.auth()
        .sign_in_email(SignInEmail::new(&email, "an0ther-passw0rd"))
        .await
        .unwrap();
    let e = anon
        .auth()
        .reset_password(ResetPassword::new(&token, "y3t-another-one"))
        .await
        .unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Validation, "{e}");
}

async fn errors_map_to_typed_errors(version: PeerVersion) {
    let peer = Peer::start(version);
    let client = peer.client();
    let email = unique_email("err");
    sign_up(&peer, &client, "Err", &email).await;
    let dup = client
        .auth()
        .sign_up_email(SignUpEmail::new("Err", &email, PASSWORD))
        .await
        .unwrap_err();
    assert_eq!(
        (dup.kind(), dup.status(), dup.code()),
        (
            ErrorKind::Validation,
            Some(422),
            Some("USER_ALREADY_EXISTS_USE_ANOTHER_EMAIL")
        )
    );
    let short = client
        .auth()
        .sign_up_email(SignUpEmail::new("S", unique_email("s"), "short"))
        .await
        .unwrap_err();
    assert_eq!(short.code(), Some("PASSWORD_TOO_SHORT"));
    let bad = client
        .auth()
        .sign_in_email(SignInEmail::new(&email, "wrong password!"))
        .await
        .unwrap_err();
    assert_eq!(
        (bad.kind(), bad.code()),
        (ErrorKind::Authentication, Some("INVALID_EMAIL_OR_PASSWORD"))
    );
}

/// Two-factor end to end on Better Auth 1.7, through the SDK alone: turning it on with an
/// authenticator (a real RFC 6238 TOTP), a sign-in that stops for the second factor and
/// completes with a code or a backup code, wrong codes refused, and turning it off.
#[tokio::test]
async fn two_factor_sign_in_completes_with_the_second_factor() {
    use banata_auth::TwoFactorCode;
    let peer = Peer::start(PeerVersion::V1_7);
    let client = peer.client();
    let recorder = Recorder::attach(&client);
    let email = unique_email("2fa");
    sign_up(&peer, &client, "Two Factor", &email).await;

    let setup = client.auth().enable_two_factor(PASSWORD).await.unwrap();
    assert!(
        !format!("{setup:?}").contains("otpauth"),
        "the secret is redacted"
    );
    let totp = totp_rs::TOTP::from_url_unchecked(setup.totp_uri.expose()).expect("an RFC 6238 URI");
    let confirmed = client
        .auth()
        .verify_totp(totp.generate_current().unwrap().as_str())
        .await
        .unwrap();
    assert!(
        confirmed.token.is_some(),
        "confirming gives a fresh session"
    );
    assert!(client.auth().get_session().await.unwrap().is_some());

    // A sign-in now stops for the second factor; the client keeps Better Auth's pending cookie.
    let phone = peer.client();
    let next = phone
        .auth()
        .sign_in_email(SignInEmail::new(&email, PASSWORD))
        .await
        .unwrap();
    let SignInResult::SecondFactorRequired(step) = next else {
        panic!("expected the second-factor step, got {next:?}");
    };
    assert_eq!(step.methods, ["totp", "otp"]);
    assert!(phone.session_token().await.unwrap().is_none());
    let wrong = phone.auth().verify_totp("000000").await.unwrap_err();
    assert_eq!(wrong.code(), Some("INVALID_CODE"), "{wrong}");
    let signed_in = phone
        .auth()
        .verify_totp(TwoFactorCode {
            code: totp.generate_current().unwrap(),
            trust_device: Some(false),
        })
        .await
        .unwrap();
    assert_eq!(signed_in.user.email.as_deref(), Some(email.as_str()));
    assert!(phone.auth().get_session().await.unwrap().is_some());

    // A backup code works once.
    let laptop = peer.client();
    laptop
        .auth()
        .sign_in_email(SignInEmail::new(&email, PASSWORD))
        .await
        .unwrap();
    let code = setup.backup_codes[0].expose().to_owned();
    laptop
        .auth()
        .verify_backup_code(code.as_str())
        .await
        .unwrap();
    assert!(laptop.auth().get_session().await.unwrap().is_some());
    let tablet = peer.client();
    tablet
        .auth()
        .sign_in_email(SignInEmail::new(&email, PASSWORD))
        .await
        .unwrap();
    assert!(
        tablet
            .auth()
            .verify_backup_code(code.as_str())
            .await
            .is_err()
    );

    client.auth().disable_two_factor(PASSWORD).await.unwrap();
    let plain = peer
        .client()
        .auth()
        .sign_in_email(SignInEmail::new(&email, PASSWORD))
        .await
        .unwrap();
    assert!(matches!(plain, SignInResult::SignedIn(_)), "off again");
    let events = recorder.wait_for(5).await;
    let types = Recorder::types(&events);
    assert!(
        types.iter().any(|t| t == "two_factor.enabled")
            && types.iter().any(|t| t == "two_factor.disabled"),
        "{types:?}"
    );
    for event in &events {
        let json = event.to_json();
        assert!(
            !json.contains(&code) && !json.contains("otpauth"),
            "no secret in events"
        );
    }
}

/// Several accounts on one client, as Better Auth's multi-session plugin keeps them for a
/// browser (on in managed projects, so only the 1.4.21 peer has it).
#[tokio::test]
async fn several_accounts_on_one_client() {
    let peer = Peer::start(PeerVersion::V1_4);
    let (ada, bob) = (unique_email("ada"), unique_email("bob"));
    let client = peer.client();
    sign_up(&peer, &client, "Ada", &ada).await;
    // Bob's account is made elsewhere; signing in on this client adds it.
    sign_up(&peer, &peer.client(), "Bob", &bob).await;
    sign_in_as(&client, &bob).await;
    let email_of = |s: &banata_auth::SessionWithUser| s.user.email.clone().unwrap();
    let token_of = |s: &banata_auth::SessionWithUser| s.session.token.clone().unwrap();
    let listed = client.auth().list_device_sessions().await.unwrap();
    let mut emails: Vec<_> = listed.iter().map(email_of).collect();
    emails.sort();
    let mut want = vec![ada.clone(), bob.clone()];
    want.sort();
    assert_eq!(emails, want);
    let current = client.auth().get_session().await.unwrap().unwrap();
    assert_eq!(email_of(&current), bob, "the last sign-in is current");

    // Switching.
    let ada_session = listed.iter().find(|s| email_of(s) == ada).unwrap();
    let old_ada = token_of(ada_session);
    let active = client.auth().set_active_session(&old_ada).await.unwrap();
    assert_eq!(email_of(&active), ada);
    let current = client.auth().get_session().await.unwrap().unwrap();
    assert_eq!(email_of(&current), ada);

    // Signing in again as Ada replaces her older session, on the server too.
    client
        .auth()
        .sign_in_email(SignInEmail::new(&ada, PASSWORD))
        .await
        .unwrap();
    assert_eq!(client.auth().list_sessions().await.unwrap().len(), 1);
    assert_eq!(client.auth().list_device_sessions().await.unwrap().len(), 2);
    let e = client
        .auth()
        .set_active_session(&old_ada)
        .await
        .unwrap_err();
    assert_eq!(
        (e.kind(), e.status(), e.code()),
        (
            ErrorKind::Authentication,
            Some(401),
            Some("INVALID_SESSION_TOKEN")
        )
    );

    // One account out; the current one stays.
    let listed = client.auth().list_device_sessions().await.unwrap();
    let bob_token = token_of(listed.iter().find(|s| email_of(s) == bob).unwrap());
    assert!(
        client
            .auth()
            .revoke_device_session(&bob_token)
            .await
            .unwrap()
            .status
    );
    let current = client.auth().get_session().await.unwrap().unwrap();
    assert_eq!(email_of(&current), ada);
    assert_eq!(client.auth().list_device_sessions().await.unwrap().len(), 1);

    // Sign-out ends every account of the client on the server.
    sign_in_as(&client, &bob).await;
    let bob_token = client.session_token().await.unwrap().unwrap();
    client.auth().sign_out().await.unwrap();
    assert!(
        client
            .auth()
            .list_device_sessions()
            .await
            .unwrap()
            .is_empty()
    );
    let bob_elsewhere = peer.client();
    bob_elsewhere.session_store().set(bob_token).await.unwrap();
    assert!(bob_elsewhere.auth().get_session().await.unwrap().is_none());
    let ada_elsewhere = peer.client();
    sign_in_as(&ada_elsewhere, &ada).await;
    assert_eq!(ada_elsewhere.auth().list_sessions().await.unwrap().len(), 1);
}

async fn sign_in_as(client: &Client, email: &str) {
    client
        .auth()
        .sign_in_email(SignInEmail::new(email, PASSWORD))
        .await
        .unwrap()
        .signed_in()
        .expect("signed in");
}
