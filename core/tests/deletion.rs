//! Deleting an account where deletions are confirmed by a mailed link, through the SDK, on the
//! devserver (`confirm_deletion_by_mail`) and Better Auth 1.4.21 (`sendDeleteAccountVerification`).

mod common;

use banata_auth::{DeleteUser, ErrorKind, SignUpEmail, VerifyEmail};
use banata_devserver::DevServerConfig;
use common::either::Server;
use common::{PASSWORD, Recorder, unique_email};

#[tokio::test]
async fn deletion_confirmed_by_mail_on_the_devserver() {
    let server = Server::devserver(DevServerConfig {
        confirm_deletion_by_mail: true,
        ..Default::default()
    })
    .await;
    deletion_confirmed_by_mail(server).await;
}

#[tokio::test]
async fn deletion_confirmed_by_mail_on_better_auth() {
    deletion_confirmed_by_mail(Server::peer(&[("PEER_DELETE_VERIFICATION", "1")])).await;
}

async fn deletion_confirmed_by_mail(server: Server) {
    let email = unique_email("deleting");
    let client = server.client();
    let recorder = Recorder::attach(&client);
    // Both require e-mail verification, as managed projects do.
    client
        .auth()
        .sign_up_email(SignUpEmail::new("Leaving", &email, PASSWORD))
        .await
        .unwrap();
    let link = server.mailed(&email, "verification").await;
    client
        .auth()
        .verify_email(VerifyEmail::new(link.as_str()))
        .await
        .unwrap();
    client
        .auth()
        .sign_in_email(banata_auth::SignInEmail::new(&email, PASSWORD))
        .await
        .unwrap();

    let asked = client
        .auth()
        .delete_user(DeleteUser::default())
        .await
        .unwrap();
    assert!(!asked.deleted(), "{asked:?}");
    assert_eq!(asked.message, "Verification email sent");
    assert!(
        client.auth().get_session().await.unwrap().is_some(),
        "nothing deleted yet"
    );

    let e = client
        .auth()
        .delete_user(DeleteUser {
            token: Some("not-the-token".into()),
            ..Default::default()
        })
        .await
        .unwrap_err();
    assert_eq!(
        (e.kind(), e.status(), e.code()),
        (ErrorKind::NotFound, Some(404), Some("INVALID_TOKEN"))
    );

    let token = server.mailed(&email, "delete-account").await;
    let deleted = client
        .auth()
        .delete_user(DeleteUser {
            token: Some(token.clone()),
            ..Default::default()
        })
        .await
        .unwrap();
    assert!(deleted.deleted());
    assert!(client.session_token().await.unwrap().is_none());
    let deleted_events = |events: &[banata_auth::AuthEvent]| {
        Recorder::types(events)
            .iter()
            .filter(|t| *t == "user.deleted")
            .count()
    };
    let mut seen = 0;
    for _ in 0..200 {
        seen = deleted_events(&recorder.events.lock().unwrap());
        if seen > 0 {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(10)).await;
    }
    assert_eq!(seen, 1, "one user.deleted, after the link only");
    let e = server
        .client()
        .auth()
        .sign_in_email(banata_auth::SignInEmail::new(&email, PASSWORD))
        .await
        .unwrap_err();
    assert_eq!(e.code(), Some("INVALID_EMAIL_OR_PASSWORD"));
}
