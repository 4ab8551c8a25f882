//! Every flow and both add-on calls through the client against the devserver, over loopback.

mod common;

use std::sync::Arc;
use std::time::Duration;

use banata_auth::{
    AddonConfigUpdate, AddonId, ChangePassword, Client, ErrorKind, EventFilter, EventType,
    MemorySessionStore, SessionStore, SignInEmail, SignUpEmail, UpdateUser,
};
use banata_auth::{RequestPasswordReset, ResetPassword};
use common::{PASSWORD, Recorder, admin_client, devserver, unique_email};

#[tokio::test]
async fn sign_up_session_update_and_sign_out() {
    let server = devserver().await;
    let client = admin_client(&server);
    let email = unique_email("ada");

    let signed_up = client
        .auth()
        .sign_up_email(SignUpEmail::new("Ada Lovelace", &email, PASSWORD))
        .await
        .unwrap();
    assert_eq!(signed_up.user.email.as_deref(), Some(email.as_str()));
    assert!(signed_up.user.created_at.is_some(), "ISO timestamps decode");
    let token = signed_up.token.clone().expect("signed in after sign-up");
    assert!(
        token.expose().contains('.'),
        "the signed set-auth-token value is kept"
    );
    assert_eq!(client.session_token().await.unwrap(), Some(token.clone()));

    let current = client
        .auth()
        .get_session()
        .await
        .unwrap()
        .expect("a session");
    assert_eq!(current.user.id, signed_up.user.id);
    assert!(token.same_session(current.session.token.as_ref().unwrap().expose()));
    assert!(current.session.expires_at.unwrap() > current.session.created_at.unwrap());

    client
        .auth()
        .update_user(UpdateUser {
            name: Some("Countess Lovelace".into()),
            ..Default::default()
        })
        .await
        .unwrap();
    let current = client.auth().get_session().await.unwrap().unwrap();
    assert_eq!(current.user.name.as_deref(), Some("Countess Lovelace"));

    client.auth().sign_out().await.unwrap();
    assert_eq!(client.session_token().await.unwrap(), None);
    assert!(client.auth().get_session().await.unwrap().is_none());
    // The old token no longer works on the server either.
    let other = Client::new(server.url()).unwrap();
    other.session_store().set(token).await.unwrap();
    assert!(other.auth().get_session().await.unwrap().is_none());
    assert_eq!(
        other.session_token().await.unwrap(),
        None,
        "a dead token is forgotten"
    );
}

#[tokio::test]
async fn sign_in_lists_and_revokes_sessions() {
    let server = devserver().await;
    let email = unique_email("grace");
    let laptop = admin_client(&server);
    laptop
        .auth()
        .sign_up_email(SignUpEmail::new("Grace", &email, PASSWORD))
        .await
        .unwrap();
    let phone = Client::new(server.url()).unwrap();
    let tablet = Client::new(server.url()).unwrap();
    for device in [&phone, &tablet] {
        let result = device
            .auth()
            .sign_in_email(SignInEmail::new(&email, PASSWORD).remember_me(false))
            .await
            .unwrap()
            .signed_in()
            .expect("signed in");
        assert!(result.token.is_some());
        assert_eq!(result.redirect, Some(false));
    }
    let sessions = laptop.auth().list_sessions().await.unwrap();
    assert_eq!(sessions.len(), 3);
    let phone_token = phone.session_token().await.unwrap().unwrap();
    let phone_session = sessions
        .iter()
        .find(|s| phone_token.same_session(s.token.as_ref().unwrap().expose()))
        .expect("the phone's session is listed");

    // Revoking another device's session leaves ours alone.
    laptop
        .auth()
        .revoke_session(phone_session.token.as_ref().unwrap().expose())
        .await
        .unwrap();
    assert!(laptop.session_token().await.unwrap().is_some());
    assert!(phone.auth().get_session().await.unwrap().is_none());
    assert_eq!(laptop.auth().list_sessions().await.unwrap().len(), 2);

    // Revoking our own session forgets our token.
    let tablet_token = tablet.session_token().await.unwrap().unwrap();
    tablet
        .auth()
        .revoke_session(tablet_token.raw())
        .await
        .unwrap();
    assert_eq!(tablet.session_token().await.unwrap(), None);

    tablet
        .auth()
        .sign_in_email(SignInEmail::new(&email, PASSWORD))
        .await
        .unwrap();
    laptop.auth().revoke_other_sessions().await.unwrap();
    assert!(tablet.auth().get_session().await.unwrap().is_none());
    assert!(laptop.auth().get_session().await.unwrap().is_some());

    laptop.auth().revoke_sessions().await.unwrap();
    assert_eq!(laptop.session_token().await.unwrap(), None);
    let e = laptop.auth().list_sessions().await.unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Authentication);
    assert_eq!(e.status(), Some(401));
}

#[tokio::test]
async fn change_password_and_reset_password() {
    let server = devserver().await;
    let email = unique_email("alan");
    let client = admin_client(&server);
    client
        .auth()
        .sign_up_email(SignUpEmail::new("Alan", &email, PASSWORD))
        .await
        .unwrap();
    let second = Client::new(server.url()).unwrap();
    second
        .auth()
        .sign_in_email(SignInEmail::new(&email, PASSWORD))
        .await
        .unwrap();

    let wrong = client
        .auth()
        .change_password(ChangePassword::new("not my password", "n3w-passw0rd-1"))
        .await
        .unwrap_err();
    assert_eq!(
        (wrong.kind(), wrong.code()),
        (ErrorKind::Validation, Some("INVALID_PASSWORD"))
    );

    let before = client.session_token().await.unwrap().unwrap();
    let changed = client
        .auth()
        .change_password(
            ChangePassword::new(PASSWORD, "n3w-passw0rd-1").revoke_other_sessions(true),
        )
        .await
        .unwrap();
    let after = changed
        .token
        .expect("a fresh session after revoking the others");
    assert!(!before.same_session(after.expose()));
    assert_eq!(client.session_token().await.unwrap(), Some(after));
    assert!(client.auth().get_session().await.unwrap().is_some());
    assert!(second.auth().get_session().await.unwrap().is_none());

    // Reset: the devserver exposes the mailed token to the admin key.
    let anon = Client::new(server.url()).unwrap();
    anon.auth()
        .request_password_reset(RequestPasswordReset::new(&email).redirect_to("/reset"))
        .await
        .unwrap();
    let token = reset_token(&server, &email).await;
    let mails = server.mailbox(&email);
    let mail = mails.last().expect("the reset mail is in the dev mailbox");
    assert_eq!(
        (mail.kind, mail.token.as_str()),
        ("password-reset", token.as_str())
    );
    assert!(
        mail.url.contains(&format!(
            "/api/auth/reset-password/{token}?callbackURL=%2Freset"
        )),
        "{}",
        mail.url
    );
    let bad = anon
        .auth()
        .reset_password(ResetPassword::new("not-a-token", "an0ther-passw0rd"))
        .await
        .unwrap_err();
    assert_eq!(bad.code(), Some("INVALID_TOKEN"));
    anon.auth()
        .reset_password(ResetPassword::new(&token, "an0ther-passw0rd"))
        .await
        .unwrap();
    let old = anon
        .auth()
        .sign_in_email(SignInEmail::new(&email, "n3w-passw0rd-1"))
        .await
        .unwrap_err();
    assert_eq!(old.code(), Some("INVALID_EMAIL_OR_PASSWORD"));
    anon.auth()
        .sign_in_email(SignInEmail::new(&email, "an0ther-passw0rd"))
        .await
        .unwrap();
    // Reset tokens are single-use.
    let reused = anon
        .auth()
        .reset_password(ResetPassword::new(&token, "y3t-another-one"))
        .await
        .unwrap_err();
    assert_eq!(reused.code(), Some("INVALID_TOKEN"));
}

async fn reset_token(server: &banata_devserver::DevServerHandle, email: &str) -> String {
    let url = format!(
        "{}/__dev/password-reset-token?email={}",
        server.url(),
        email
    );
    let body: serde_json::Value = reqwest::Client::new()
        .get(url)
        .header("x-api-key", server.admin_api_key())
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    body["token"].as_str().expect("a reset token").to_owned()
}

#[tokio::test]
async fn sign_up_and_sign_in_errors_are_typed() {
    let server = devserver().await;
    let client = Client::new(server.url()).unwrap();
    let email = unique_email("dup");
    client
        .auth()
        .sign_up_email(SignUpEmail::new("Dup", &email, PASSWORD))
        .await
        .unwrap();
    let dup = client
        .auth()
        .sign_up_email(SignUpEmail::new("Dup", &email, PASSWORD))
        .await
        .unwrap_err();
    assert_eq!(dup.kind(), ErrorKind::Validation);
    assert_eq!(dup.status(), Some(422));
    assert_eq!(dup.code(), Some("USER_ALREADY_EXISTS_USE_ANOTHER_EMAIL"));

    let short = client
        .auth()
        .sign_up_email(SignUpEmail::new("S", unique_email("s"), "short"))
        .await
        .unwrap_err();
    assert_eq!(
        (short.status(), short.code()),
        (Some(400), Some("PASSWORD_TOO_SHORT"))
    );

    let bad_email = client
        .auth()
        .sign_up_email(SignUpEmail::new("B", "not-an-email", PASSWORD))
        .await
        .unwrap_err();
    assert_eq!(bad_email.code(), Some("VALIDATION_ERROR"));
    assert!(bad_email.message().contains("[body.email]"), "{bad_email}");

    for (who, password) in [
        (email.as_str(), "wrong password!"),
        ("nobody@example.com", PASSWORD),
    ] {
        let e = client
            .auth()
            .sign_in_email(SignInEmail::new(who, password))
            .await
            .unwrap_err();
        assert_eq!(e.kind(), ErrorKind::Authentication);
        assert_eq!(e.code(), Some("INVALID_EMAIL_OR_PASSWORD"));
        assert!(!e.to_string().contains(password), "no password in errors");
    }
}

#[tokio::test]
async fn addon_config_get_save_merge_and_audit() {
    let server = devserver().await;
    let client = admin_client(&server);
    let recorder = Recorder::attach(&client);

    let empty = client.addons().get().await.unwrap();
    assert!(
        empty.addons.is_empty(),
        "the platform's default is {{\"addons\":{{}}}}"
    );
    assert!(!empty.is_enabled(&AddonId::STRIPE));

    let saved = client
        .addons()
        .save(
            AddonConfigUpdate::new()
                .enable(AddonId::STRIPE)
                .enable("acme-crm"),
        )
        .await
        .unwrap();
    assert!(saved.is_enabled(&AddonId::STRIPE));
    let saved = client
        .addons()
        .save(
            AddonConfigUpdate::new()
                .enable(AddonId::SEGMENT)
                .disable(AddonId::STRIPE),
        )
        .await
        .unwrap();
    assert!(saved.is_enabled(&AddonId::SEGMENT));
    assert!(!saved.is_enabled(&AddonId::STRIPE));
    assert!(
        saved.is_enabled(&AddonId::new("acme-crm")),
        "ids not mentioned are kept"
    );
    assert_eq!(client.addons().get().await.unwrap(), saved);

    let events = recorder.wait_for(2).await;
    assert_eq!(
        Recorder::types(&events),
        ["addon_config.updated", "addon_config.updated"]
    );
    let applied = events[1].data.addons.as_ref().unwrap();
    assert!(applied["segment"].enabled && !applied["stripe"].enabled);

    // Each save is audited on the server.
    let audit: serde_json::Value = reqwest::Client::new()
        .post(format!("{}/api/auth/banata/audit-logs/list", server.url()))
        .bearer_auth(server.admin_api_key())
        .json(&serde_json::json!({ "action": "addon_config.updated" }))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(audit["data"].as_array().unwrap().len(), 2);
}

#[tokio::test]
async fn addon_config_permissions_and_bad_keys() {
    let server = devserver().await;
    let read_only = server
        .create_api_key("reader", &["dashboard.read"])
        .unwrap();
    let reader = Client::builder(server.url())
        .api_key(read_only)
        .build()
        .unwrap();
    assert!(reader.addons().get().await.is_ok());
    let e = reader
        .addons()
        .save(AddonConfigUpdate::new().enable(AddonId::POSTHOG))
        .await
        .unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Forbidden);
    assert_eq!(e.code(), Some("MISSING_PERMISSION_DASHBOARDMANAGE"));
    assert_eq!(e.message(), "Missing permission: dashboard.manage");

    let nothing = server.create_api_key("nothing", &[]).unwrap();
    let e = Client::builder(server.url())
        .api_key(nothing)
        .build()
        .unwrap()
        .addons()
        .get()
        .await
        .unwrap_err();
    assert_eq!(
        (e.kind(), e.code()),
        (
            ErrorKind::Forbidden,
            Some("MISSING_PERMISSION_DASHBOARDREAD")
        )
    );

    // As Better Auth's api-key plugin: a key shorter than 64 characters is refused before any
    // lookup (403), an unknown one after it (401).
    let e = Client::builder(server.url())
        .api_key("bnt_dev_not-a-real-key-and-too-short")
        .build()
        .unwrap()
        .addons()
        .get()
        .await
        .unwrap_err();
    assert_eq!(
        (e.kind(), e.code()),
        (ErrorKind::Forbidden, Some("INVALID_API_KEY"))
    );
    let e = Client::builder(server.url())
        .api_key("bnt_dev_not-a-real-key-at-all-but-long-enough-to-look-like-one-really")
        .build()
        .unwrap()
        .addons()
        .get()
        .await
        .unwrap_err();
    assert_eq!(
        (e.kind(), e.code()),
        (ErrorKind::Authentication, Some("INVALID_API_KEY"))
    );
    assert!(
        !format!("{e:?} {e}").contains("not-a-real-key"),
        "the key is not echoed"
    );

    // A failed save changes nothing.
    assert!(
        admin_client(&server)
            .addons()
            .get()
            .await
            .unwrap()
            .addons
            .is_empty()
    );
}

#[tokio::test]
async fn events_for_sign_up_sign_in_sign_out_in_order_without_secrets() {
    let server = devserver().await;
    let client = admin_client(&server);
    // The panicking listener is registered first: listeners run in registration order, so once
    // the recorder has seen an event the panic it caused has been counted.
    let panics = client.on(EventFilter::All, |_| panic!("a buggy listener"));
    let recorder = Recorder::attach(&client);
    let email = unique_email("events");

    client
        .auth()
        .sign_up_email(SignUpEmail::new("Eve", &email, PASSWORD))
        .await
        .expect("a panicking listener does not break the flow");
    client.auth().sign_out().await.unwrap();
    client
        .auth()
        .sign_in_email(SignInEmail::new(&email, PASSWORD))
        .await
        .unwrap();
    let token = client.session_token().await.unwrap().unwrap();
    client.auth().sign_out().await.unwrap();

    let events = recorder.wait_for(5).await;
    assert_eq!(
        Recorder::types(&events),
        [
            "user.created",
            "session.created",
            "session.revoked",
            "session.created",
            "session.revoked"
        ]
    );
    let user_id = events[0].data.user_id.clone().unwrap();
    assert!(
        events
            .iter()
            .all(|e| e.data.user_id.as_deref() == Some(user_id.as_str()))
    );
    assert_eq!(events[4].data.reason.as_deref(), Some("sign_out"));
    assert_eq!(events[1].data.method.as_deref(), Some("password"));
    assert_eq!(events[1].data.reason.as_deref(), Some("sign_up"));
    assert_eq!(events[3].data.reason.as_deref(), Some("sign_in"));
    for e in &events {
        let json = e.to_json();
        for secret in [
            PASSWORD,
            token.expose(),
            token.raw(),
            server.admin_api_key(),
        ] {
            assert!(!json.contains(secret), "secret in {json}");
        }
    }
    assert_eq!(client.event_stats().listener_panics, 5);
    drop(panics);
}

#[tokio::test]
async fn filtered_listener_and_closed_subscription() {
    let server = devserver().await;
    let client = admin_client(&server);
    let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel();
    let sub = client.on(EventFilter::only(EventType::USER_CREATED), move |e| {
        tx.send(e.event_type.clone()).unwrap();
    });
    client
        .auth()
        .sign_up_email(SignUpEmail::new("F", unique_email("f"), PASSWORD))
        .await
        .unwrap();
    let got = tokio::time::timeout(Duration::from_secs(5), rx.recv())
        .await
        .unwrap();
    assert_eq!(got, Some(EventType::USER_CREATED));
    sub.close();
    client
        .auth()
        .sign_up_email(SignUpEmail::new("G", unique_email("g"), PASSWORD))
        .await
        .unwrap();
    tokio::time::sleep(Duration::from_millis(200)).await;
    assert!(rx.try_recv().is_err(), "no delivery after close");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn thousand_concurrent_get_session_calls_on_one_client() {
    let server = devserver().await;
    let client = admin_client(&server);
    let signed_up = client
        .auth()
        .sign_up_email(SignUpEmail::new("Many", unique_email("many"), PASSWORD))
        .await
        .unwrap();
    let calls = (0..1000).map(|_| {
        let client = client.clone();
        tokio::spawn(async move { client.auth().get_session().await })
    });
    let results = futures_util::future::join_all(calls).await;
    let mut ok = 0;
    for r in results {
        let session = r.unwrap().expect("every call succeeds").expect("a session");
        assert_eq!(session.user.id, signed_up.user.id);
        ok += 1;
    }
    assert_eq!(ok, 1000);
}

#[tokio::test]
async fn custom_session_store_is_used() {
    struct Recording {
        inner: MemorySessionStore,
        log: std::sync::Mutex<Vec<&'static str>>,
    }
    #[async_trait::async_trait]
    impl SessionStore for Recording {
        async fn get(&self) -> banata_auth::Result<Option<banata_auth::SessionToken>> {
            self.inner.get().await
        }
        async fn set(&self, token: banata_auth::SessionToken) -> banata_auth::Result<()> {
            self.log.lock().unwrap().push("set");
            self.inner.set(token).await
        }
        async fn clear(&self) -> banata_auth::Result<()> {
            self.log.lock().unwrap().push("clear");
            self.inner.clear().await
        }
    }
    let server = devserver().await;
    let store = Arc::new(Recording {
        inner: MemorySessionStore::new(),
        log: Default::default(),
    });
    let client = Client::builder(server.url())
        .session_store(store.clone())
        .build()
        .unwrap();
    client
        .auth()
        .sign_up_email(SignUpEmail::new("S", unique_email("store"), PASSWORD))
        .await
        .unwrap();
    assert!(store.inner.get().await.unwrap().is_some());
    client.auth().sign_out().await.unwrap();
    assert_eq!(*store.log.lock().unwrap(), ["set", "clear"]);
}

#[tokio::test]
async fn clients_for_other_sessions_share_listeners_and_keep_their_own_tokens() {
    let server = devserver().await;
    let project = admin_client(&server);
    let recorder = Recorder::attach(&project);
    let ada = project.with_session_store(Arc::new(MemorySessionStore::new()));
    let bob = project.with_session_store(Arc::new(MemorySessionStore::new()));

    let ada_user = ada
        .auth()
        .sign_up_email(SignUpEmail::new(
            "Ada",
            unique_email("ada-derived"),
            PASSWORD,
        ))
        .await
        .unwrap();
    let bob_user = bob
        .auth()
        .sign_up_email(SignUpEmail::new(
            "Bob",
            unique_email("bob-derived"),
            PASSWORD,
        ))
        .await
        .unwrap();
    // Each keeps its own session; the project client has none.
    let ada_session = ada.auth().get_session().await.unwrap().unwrap();
    let bob_session = bob.auth().get_session().await.unwrap().unwrap();
    assert_eq!(ada_session.user.id, ada_user.user.id);
    assert_eq!(bob_session.user.id, bob_user.user.id);
    assert_eq!(project.session_token().await.unwrap(), None);
    // The API key and settings come along.
    assert!(ada.addons().get().await.is_ok());

    // The project's listener sees both users' events.
    let events = recorder.wait_for(4).await;
    let created: Vec<_> = events
        .iter()
        .filter(|e| e.event_type == EventType::USER_CREATED)
        .filter_map(|e| e.data.user_id.clone())
        .collect();
    assert_eq!(
        created,
        [ada_user.user.id.clone(), bob_user.user.id.clone()]
    );

    ada.auth().sign_out().await.unwrap();
    assert!(ada.auth().get_session().await.unwrap().is_none());
    assert_eq!(
        bob.auth().get_session().await.unwrap().unwrap().user.id,
        bob_user.user.id
    );
}
