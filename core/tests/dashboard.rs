//! The dashboard's way in, on the devserver: a signed-in project admin (cookie session, the
//! project header, the permission pre-flight) reads and saves the add-on configuration, roles
//! decide what members may do, and the api-key routes issue keys that act as their owner and
//! are stored hashed.

mod common;

use std::time::Duration;

use banata_auth::{AddonConfigUpdate, AddonId, Client, ErrorKind, SignInEmail, SignUpEmail};
use banata_devserver::{DevServer, DevServerConfig, DevServerHandle};
use common::{PASSWORD, unique_email};
use reqwest::StatusCode;
use serde_json::{Value, json};

const ORIGIN: &str = "http://localhost:3000";

/// A user signed in on `server` with the given project role, and their session cookie.
async fn member(server: &DevServerHandle, role: &str, permissions: &[&str]) -> (String, String) {
    let email = unique_email(role);
    let client = Client::builder(server.url()).build().unwrap();
    client
        .auth()
        .sign_up_email(SignUpEmail::new("Member", &email, PASSWORD))
        .await
        .unwrap();
    let set: Value = reqwest::Client::new()
        .post(format!("{}/__dev/members", server.url()))
        .bearer_auth(server.admin_api_key())
        .json(&json!({ "email": email, "role": role, "permissions": permissions }))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(set["role"], role);
    let signed_in = client
        .auth()
        .sign_in_email(SignInEmail::new(&email, PASSWORD))
        .await
        .unwrap()
        .signed_in()
        .expect("signed in");
    let token = signed_in.token.unwrap().expose().to_owned();
    (email, format!("better-auth.session_token={token}"))
}

/// A dashboard request: cookie session, trusted Origin, the project header.
async fn dashboard(
    server: &DevServerHandle,
    cookie: &str,
    path: &str,
    body: Value,
) -> (StatusCode, Value) {
    let response = reqwest::Client::new()
        .post(format!("{}/api/auth{path}", server.url()))
        .header("cookie", cookie)
        .header("origin", ORIGIN)
        .header("x-banata-project-id", server.project_id())
        .json(&body)
        .send()
        .await
        .unwrap();
    let status = response.status();
    (status, response.json().await.unwrap_or(Value::Null))
}

async fn server() -> DevServerHandle {
    DevServer::start(DevServerConfig {
        require_email_verification: false,
        ..Default::default()
    })
    .await
    .unwrap()
}

#[tokio::test]
async fn a_project_admin_with_a_cookie_session_reads_and_saves_add_ons() {
    let server = server().await;
    let (_, cookie) = member(&server, "admin", &[]).await;
    let (status, allowed) = dashboard(
        &server,
        &cookie,
        "/banata/rbac/check-permission",
        json!({ "projectId": server.project_id(), "permission": "dashboard.manage" }),
    )
    .await;
    assert_eq!(
        (status, allowed),
        (StatusCode::OK, json!({ "allowed": true }))
    );
    let (status, saved) = dashboard(
        &server,
        &cookie,
        "/banata/config/addons/save",
        json!({ "addons": { "segment": { "enabled": true } } }),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{saved}");
    assert_eq!(
        saved,
        json!({ "addons": { "segment": { "enabled": true } } })
    );
    let (status, read) = dashboard(&server, &cookie, "/banata/config/addons/get", json!({})).await;
    assert_eq!((status, read), (StatusCode::OK, saved.clone()));

    // The SDK (API key) sees what the dashboard saved.
    let sdk = common::admin_client(&server);
    assert!(
        sdk.addons()
            .get()
            .await
            .unwrap()
            .is_enabled(&AddonId::SEGMENT)
    );
}

#[tokio::test]
async fn roles_decide_what_members_may_do() {
    let server = server().await;
    let (_, reader) = member(&server, "viewer", &["dashboard.read"]).await;
    let (status, _) = dashboard(&server, &reader, "/banata/config/addons/get", json!({})).await;
    assert_eq!(status, StatusCode::OK);
    let (status, refused) = dashboard(
        &server,
        &reader,
        "/banata/config/addons/save",
        json!({ "addons": { "stripe": { "enabled": true } } }),
    )
    .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    assert_eq!(refused["message"], "Missing permission: dashboard.manage");
    for (permission, allowed) in [
        (json!("dashboard.read"), true),
        (
            json!({ "resource": "dashboard", "action": "manage" }),
            false,
        ),
    ] {
        let (status, answer) = dashboard(
            &server,
            &reader,
            "/banata/rbac/check-permission",
            json!({ "projectId": server.project_id(), "permission": permission }),
        )
        .await;
        assert_eq!(
            (status, answer),
            (StatusCode::OK, json!({ "allowed": allowed }))
        );
    }
    let (_, outsider) = member(&server, "member", &[]).await;
    let (status, _) = dashboard(&server, &outsider, "/banata/config/addons/get", json!({})).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    assert!(
        server_config_is_empty(&server).await,
        "nothing was saved by the refused calls"
    );
}

async fn server_config_is_empty(server: &DevServerHandle) -> bool {
    let config = common::admin_client(server).addons().get().await.unwrap();
    !config.is_enabled(&AddonId::STRIPE)
}

#[tokio::test]
async fn cookie_calls_need_a_trusted_origin_and_a_project() {
    let server = server().await;
    let (_, cookie) = member(&server, "admin", &[]).await;
    let url = format!("{}/api/auth/banata/config/addons/get", server.url());
    let http = reqwest::Client::new();
    let no_origin = http
        .post(&url)
        .header("cookie", &cookie)
        .header("x-banata-project-id", server.project_id())
        .json(&json!({}))
        .send()
        .await
        .unwrap();
    assert_eq!(no_origin.status(), StatusCode::FORBIDDEN);
    assert_eq!(
        no_origin.json::<Value>().await.unwrap()["code"],
        "MISSING_OR_NULL_ORIGIN"
    );
    let no_project = http
        .post(&url)
        .header("cookie", &cookie)
        .header("origin", ORIGIN)
        .json(&json!({}))
        .send()
        .await
        .unwrap();
    assert_eq!(no_project.status(), StatusCode::BAD_REQUEST);
    assert_eq!(
        no_project.json::<Value>().await.unwrap()["code"],
        "PROJECT_SCOPE_REQUIRED"
    );
    let other_project = http
        .post(&url)
        .header("cookie", &cookie)
        .header("origin", ORIGIN)
        .json(&json!({ "projectId": "proj_other" }))
        .send()
        .await
        .unwrap();
    assert_eq!(other_project.status(), StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn a_users_key_acts_as_its_owner_and_is_stored_hashed() {
    let dir = std::env::temp_dir().join(format!("banata-keys-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let db = dir.join("dev.db");
    let server = DevServer::start(DevServerConfig {
        db_path: Some(db.clone()),
        require_email_verification: false,
        ..Default::default()
    })
    .await
    .unwrap();
    let (_, cookie) = member(&server, "admin", &[]).await;
    let (status, created) = dashboard(
        &server,
        &cookie,
        "/api-key/create",
        json!({ "name": "ci", "prefix": "ci_" }),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{created}");
    let key = created["key"].as_str().unwrap().to_owned();
    assert!(
        key.starts_with("ci_") && key.len() == 67,
        "prefix + 64 letters"
    );
    assert_eq!(created["metadata"]["projectId"], server.project_id());

    // The key reaches the add-on configuration through the SDK, as its (admin) owner.
    let sdk = Client::builder(server.url())
        .api_key(&key)
        .initial_retry_delay(Duration::from_millis(10))
        .build()
        .unwrap();
    let saved = sdk
        .addons()
        .save(AddonConfigUpdate::new().enable(AddonId::POSTHOG))
        .await
        .unwrap();
    assert!(saved.is_enabled(&AddonId::POSTHOG));

    // Disabled, it is refused; the list never shows the key itself.
    let (status, _) = dashboard(
        &server,
        &cookie,
        "/api-key/update",
        json!({ "keyId": created["id"], "enabled": false }),
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    let e = sdk.addons().get().await.unwrap_err();
    assert_eq!(
        (e.kind(), e.code()),
        (ErrorKind::Authentication, Some("KEY_DISABLED"))
    );
    let listed = reqwest::Client::new()
        .get(format!("{}/api/auth/api-key/list", server.url()))
        .header("cookie", &cookie)
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(listed.contains("\"start\":\"ci_") && !listed.contains(&key));

    server.shutdown().await;
    let stored = std::fs::read(&db).unwrap();
    let wal = std::fs::read(dir.join("dev.db-wal")).unwrap_or_default();
    for bytes in [&stored, &wal] {
        assert!(
            !bytes.windows(key.len()).any(|w| w == key.as_bytes()),
            "the key is never stored"
        );
    }
    let _ = std::fs::remove_dir_all(&dir);
}
