//! E-mail verification, the first operations added through the one declaration list: every
//! language reaches them through the same `call_json`, so this suite covers the core path and
//! the devserver's side of it.

mod common;

use banata_auth::{
    ErrorKind, EventType, SendVerificationEmail, SignInEmail, SignInResult, SignUpEmail,
    VerificationRequired, VerifyEmail, api::operations,
};
use common::{PASSWORD, Recorder, admin_client, devserver, unique_email};

#[tokio::test]
async fn a_mailed_link_verifies_the_address_once_and_emits_email_verified() {
    let server = devserver().await;
    let client = admin_client(&server);
    let email = unique_email("verify");
    let signed_up = client
        .auth()
        .sign_up_email(SignUpEmail::new("Vera", &email, PASSWORD))
        .await
        .unwrap();
    assert_eq!(signed_up.user.email_verified, Some(false));
    client.auth().sign_out().await.unwrap();
    let recorder = Recorder::attach(&client);

    let sent = client
        .auth()
        .send_verification_email(SendVerificationEmail::new(&email))
        .await
        .unwrap();
    assert!(sent.status);
    let mails = server.mailbox(&email);
    assert_eq!(mails.len(), 1, "one verification mail");
    assert_eq!(mails[0].kind, "verification");
    assert!(
        mails[0].url.contains("/api/auth/verify-email?token="),
        "{}",
        mails[0].url
    );

    let verified = client
        .auth()
        .verify_email(VerifyEmail::new(&mails[0].token))
        .await
        .unwrap();
    assert!(verified.status);
    let events = recorder.wait_for(1).await;
    assert_eq!(events[0].event_type, EventType::EMAIL_VERIFIED);
    assert_eq!(events[0].data.email.as_deref(), Some(email.as_str()));
    assert!(
        !events[0].to_json().contains(&mails[0].token),
        "the token never reaches event data"
    );

    let session = client
        .auth()
        .sign_in_email(banata_auth::SignInEmail::new(&email, PASSWORD))
        .await
        .unwrap()
        .signed_in()
        .expect("signed in");
    assert_eq!(session.user.email_verified, Some(true));

    // Already verified: no new mail for a signed-in user, a typed error instead.
    let again = client
        .auth()
        .send_verification_email(SendVerificationEmail::new(&email))
        .await
        .unwrap_err();
    assert_eq!(again.code(), Some("EMAIL_IS_ALREADY_VERIFIED"));
}

#[tokio::test]
async fn bad_tokens_are_typed_errors_with_or_without_a_callback() {
    let server = devserver().await;
    let client = admin_client(&server);

    let error = client
        .auth()
        .verify_email(VerifyEmail::new("not.a.token"))
        .await
        .unwrap_err();
    assert_eq!(error.kind(), ErrorKind::Authentication);
    assert_eq!(
        (error.status(), error.code()),
        (Some(401), Some("INVALID_TOKEN"))
    );

    // With a callback the server redirects with `?error=`; the client reads it, never follows it.
    let redirected = client
        .auth()
        .verify_email(VerifyEmail {
            callback_url: Some("/welcome".into()),
            ..VerifyEmail::new("not.a.token")
        })
        .await
        .unwrap_err();
    assert_eq!(redirected.kind(), ErrorKind::Authentication);
    assert_eq!(redirected.code(), Some("INVALID_TOKEN"));

    // An address without an account gets the same answer and no mail.
    let email = unique_email("nobody");
    let sent = client
        .auth()
        .send_verification_email(SendVerificationEmail::new(&email))
        .await
        .unwrap();
    assert!(sent.status);
    assert!(server.mailbox(&email).is_empty());
}

#[tokio::test]
async fn a_callback_url_answers_with_the_redirect_target() {
    let server = devserver().await;
    let client = admin_client(&server);
    let email = unique_email("callback");
    client
        .auth()
        .sign_up_email(SignUpEmail::new("Cal", &email, PASSWORD))
        .await
        .unwrap();
    client.auth().sign_out().await.unwrap();
    client
        .auth()
        .send_verification_email(SendVerificationEmail::new(&email))
        .await
        .unwrap();
    let token = server.mailbox(&email).remove(0).token;
    let verified = client
        .auth()
        .verify_email(VerifyEmail {
            callback_url: Some("/welcome".into()),
            ..VerifyEmail::new(token)
        })
        .await
        .unwrap();
    assert!(verified.status);
    // The platform's cross-domain plugin makes a relative callback absolute on the site URL.
    assert_eq!(
        verified.redirect_url,
        Some(format!("{}/welcome", server.url().trim_end_matches('/')))
    );
}

#[tokio::test]
async fn call_json_runs_the_declared_operations_and_refuses_bad_input() {
    let server = devserver().await;
    let client = admin_client(&server);
    let ids: Vec<&str> = operations().iter().map(|o| o.id).collect();
    assert!(ids.contains(&"auth.send_verification_email") && ids.contains(&"auth.verify_email"));

    let email = unique_email("json");
    let out = client
        .call_json(
            "auth.sign_up_email",
            serde_json::json!({"name": "J", "email": email, "password": PASSWORD}),
        )
        .await
        .unwrap();
    let value: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(value["user"]["email"], email.as_str());

    let bad = client
        .call_json(
            "auth.sign_in_email",
            serde_json::json!({"email": email, "password": 12345678}),
        )
        .await
        .unwrap_err();
    assert_eq!(bad.kind(), ErrorKind::InvalidArgument);
    assert!(bad.message().contains("`password`") && !bad.message().contains("12345678"));
    let unknown = client
        .call_json("auth.nope", serde_json::Value::Null)
        .await
        .unwrap_err();
    assert_eq!(unknown.kind(), ErrorKind::InvalidArgument);
}

#[tokio::test]
async fn by_default_sign_in_waits_for_the_mailed_link_as_on_the_platform() {
    let server = common::verifying_devserver().await;
    let client = admin_client(&server);
    let recorder = Recorder::attach(&client);
    let email = unique_email("default");
    let signed_up = client
        .auth()
        .sign_up_email(SignUpEmail::new("Dee", &email, PASSWORD))
        .await
        .unwrap();
    assert!(signed_up.token.is_none(), "no session before verification");
    assert!(client.session_token().await.unwrap().is_none());
    let next = client
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
    assert_eq!(
        server.mailbox(&email).len(),
        1,
        "sign-up mailed the link, sign-in did not"
    );
    // Asking for a new link on the way.
    let next = client
        .auth()
        .sign_in_email(SignInEmail::new(&email, PASSWORD).send_verification_email(true))
        .await
        .unwrap();
    assert_eq!(
        next,
        SignInResult::VerificationRequired(VerificationRequired {
            email: email.clone(),
            verification_email_sent: Some(true),
        })
    );
    let mails = server.mailbox(&email);
    assert_eq!(mails.len(), 2, "the sign-in asked for a second link");
    client
        .auth()
        .verify_email(VerifyEmail::new(&mails[0].token))
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
    let events = recorder.wait_for(3).await;
    assert_eq!(
        Recorder::types(&events),
        ["user.created", "email.verified", "session.created"],
        "no session.created before the address is verified"
    );
}
