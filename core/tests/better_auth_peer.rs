//! The auth and session flows against a real Better Auth server (tests/better-auth-peer),
//! started on a free loopback port for each test. `scripts/install.sh` installs it.

mod common;

use std::io::{BufRead, BufReader};
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use banata_auth::{ChangePassword, Client, ErrorKind, SignInEmail, SignUpEmail, UpdateUser};
use banata_auth::{RequestPasswordReset, ResetPassword};
use common::{PASSWORD, Recorder, unique_email};

/// A running peer; killed on drop.
struct Peer {
    child: Child,
    url: String,
}

impl Peer {
    fn start() -> Peer {
        let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../tests/better-auth-peer");
        assert!(
            dir.join("node_modules/better-auth").is_dir(),
            "the Better Auth peer is not installed: run scripts/install.sh"
        );
        let mut child = Command::new("node")
            .arg("server.mjs")
            .current_dir(&dir)
            .env("PEER_PORT", "0")
            .env("PEER_DB", "memory")
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .expect("node starts (Node 20 is required)");
        let stdout = child.stdout.take().unwrap();
        let (tx, rx) = std::sync::mpsc::channel();
        std::thread::spawn(move || {
            for line in BufReader::new(stdout).lines().map_while(Result::ok) {
                if let Some(rest) = line.strip_prefix("READY ") {
                    let _ = tx.send(
                        rest.split_whitespace()
                            .next()
                            .unwrap_or_default()
                            .to_owned(),
                    );
                }
            }
        });
        let url = rx
            .recv_timeout(Duration::from_secs(60))
            .expect("the peer prints READY within 60 s");
        Peer { child, url }
    }

    fn client(&self) -> Client {
        Client::builder(&self.url)
            .initial_retry_delay(Duration::from_millis(10))
            .build()
            .unwrap()
    }

    async fn reset_token(&self, email: &str) -> String {
        let body: serde_json::Value =
            reqwest::get(format!("{}/__peer/reset-token?email={email}", self.url))
                .await
                .unwrap()
                .json()
                .await
                .unwrap();
        body["token"]
            .as_str()
            .expect("a reset token was issued")
            .to_owned()
    }
}

impl Drop for Peer {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

#[tokio::test]
async fn sign_up_session_update_and_sign_out_on_better_auth() {
    let peer = Peer::start();
    let client = peer.client();
    let recorder = Recorder::attach(&client);
    let email = unique_email("peer");
    let signed_up = client
        .auth()
        .sign_up_email(SignUpEmail::new("Peer User", &email, PASSWORD))
        .await
        .unwrap();
    assert_eq!(signed_up.user.email.as_deref(), Some(email.as_str()));
    assert_eq!(
        signed_up.user.role.as_deref(),
        Some("user"),
        "admin plugin field decoded"
    );
    let token = client
        .session_token()
        .await
        .unwrap()
        .expect("set-auth-token stored");
    assert!(token.expose().contains('.'), "Better Auth's signed token");

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

    let events = recorder.wait_for(4).await;
    assert_eq!(
        Recorder::types(&events),
        [
            "user.created",
            "session.created",
            "user.updated",
            "session.revoked"
        ]
    );
}

#[tokio::test]
async fn list_and_revoke_sessions_on_better_auth() {
    let peer = Peer::start();
    let email = unique_email("multi");
    let first = peer.client();
    first
        .auth()
        .sign_up_email(SignUpEmail::new("Multi", &email, PASSWORD))
        .await
        .unwrap();
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

#[tokio::test]
async fn change_and_reset_password_on_better_auth() {
    let peer = Peer::start();
    let email = unique_email("pw");
    let client = peer.client();
    client
        .auth()
        .sign_up_email(SignUpEmail::new("Pw", &email, PASSWORD))
        .await
        .unwrap();
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

#[tokio::test]
async fn better_auth_errors_map_to_typed_errors() {
    let peer = Peer::start();
    let client = peer.client();
    let email = unique_email("err");
    client
        .auth()
        .sign_up_email(SignUpEmail::new("Err", &email, PASSWORD))
        .await
        .unwrap();
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
