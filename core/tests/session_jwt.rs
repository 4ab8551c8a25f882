//! Session JWTs verified locally: tokens from the devserver and from the platform's own
//! `convex` plugin on Better Auth 1.4.21 (RS256), from Better Auth's `jwt` plugin (EdDSA), key
//! rotation picked up without a restart, and every kind of bad token refused with its own code.

mod common;

use std::time::Duration;

use banata_auth::{Client, ErrorKind, JwtSettings, JwtSource, SignUpEmail};
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use common::peer::{Peer, PeerVersion};
use common::{PASSWORD, unique_email};
use serde_json::{Value, json};

/// Settings that refetch the key set at once, so a test sees a rotation immediately.
fn eager(source: JwtSource) -> JwtSettings {
    JwtSettings {
        refetch_cooldown: Duration::ZERO,
        ..JwtSettings::new(source)
    }
}

fn code_of(e: &banata_auth::Error) -> (ErrorKind, Option<&str>) {
    (e.kind(), e.code())
}

/// The token with its payload replaced (the signature left as it was).
fn with_payload(token: &str, payload: &Value) -> String {
    let parts: Vec<&str> = token.split('.').collect();
    format!(
        "{}.{}.{}",
        parts[0],
        URL_SAFE_NO_PAD.encode(payload.to_string()),
        parts[2]
    )
}

fn payload_of(token: &str) -> Value {
    let part = token.split('.').nth(1).unwrap();
    serde_json::from_slice(&URL_SAFE_NO_PAD.decode(part).unwrap()).unwrap()
}

/// An unsigned token (`alg: none`) with `payload`.
fn unsigned(payload: &Value) -> String {
    format!(
        "{}.{}.",
        URL_SAFE_NO_PAD.encode(r#"{"alg":"none","typ":"JWT"}"#),
        URL_SAFE_NO_PAD.encode(payload.to_string())
    )
}

async fn admin(server: &banata_devserver::DevServerHandle, path: &str, body: Value) -> Value {
    reqwest::Client::new()
        .post(format!("{}{path}", server.url()))
        .bearer_auth(server.admin_api_key())
        .json(&body)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap()
}

#[tokio::test]
async fn devserver_tokens_verify_and_bad_ones_are_refused() {
    let server = common::devserver().await;
    let settings = eager(JwtSource::Platform);
    let client = Client::builder(server.url())
        .jwt(settings.clone())
        .build()
        .unwrap();
    let email = unique_email("jwt");
    let signed_up = client
        .auth()
        .sign_up_email(SignUpEmail::new("Jay", &email, PASSWORD))
        .await
        .unwrap();
    let jwt = client.auth().token().await.unwrap().token;
    let session = client.auth().get_session().await.unwrap().unwrap();

    // Another client of the process verifies it too, without a session of its own.
    let backend = Client::builder(server.url()).jwt(settings).build().unwrap();
    let verified = backend.verify_session_jwt(jwt.expose()).await.unwrap();
    assert_eq!(verified.user_id, signed_up.user.id);
    assert_eq!(
        verified.session_id.as_deref(),
        Some(session.session.id.as_str())
    );
    assert_eq!(verified.claims["email"], email.as_str());
    assert_eq!(verified.claims["aud"], "convex");
    assert!(verified.claims.get("id").is_none() && verified.claims.get("image").is_none());
    let lifetime = verified.expires_at.0 - verified.issued_at.unwrap().0;
    assert_eq!(lifetime.num_seconds(), 900, "15 minutes, as the platform");
    assert!(
        !format!("{verified:?}").contains(&email),
        "Debug shows no claims"
    );

    // Tampered, unsigned, symmetric, malformed.
    let mut claims = payload_of(jwt.expose());
    claims["sub"] = json!("someone-else");
    let e = backend
        .verify_session_jwt(&with_payload(jwt.expose(), &claims))
        .await
        .unwrap_err();
    assert_eq!(
        code_of(&e),
        (ErrorKind::InvalidToken, Some("BAD_SIGNATURE"))
    );
    let e = backend
        .verify_session_jwt(&unsigned(&claims))
        .await
        .unwrap_err();
    assert_eq!(
        code_of(&e),
        (ErrorKind::InvalidToken, Some("ALGORITHM_NOT_ALLOWED"))
    );
    let hs256 = format!(
        "{}.{}.{}",
        URL_SAFE_NO_PAD.encode(r#"{"alg":"HS256","typ":"JWT"}"#),
        URL_SAFE_NO_PAD.encode(claims.to_string()),
        URL_SAFE_NO_PAD.encode([0u8; 32])
    );
    let e = backend.verify_session_jwt(&hs256).await.unwrap_err();
    assert_eq!(
        code_of(&e),
        (ErrorKind::InvalidToken, Some("ALGORITHM_NOT_ALLOWED"))
    );
    for junk in ["", "abc", "a.b", "a.b.c.d", "###.###.###"] {
        let e = backend.verify_session_jwt(junk).await.unwrap_err();
        assert_eq!(
            code_of(&e),
            (ErrorKind::InvalidToken, Some("MALFORMED_TOKEN")),
            "{junk:?}"
        );
    }

    // Signed with the project's key, but wrong in one claim each.
    let now = chrono::Utc::now().timestamp();
    let base = payload_of(jwt.expose());
    for (change, code) in [
        (json!({ "exp": now - 120 }), "TOKEN_EXPIRED"),
        (json!({ "nbf": now + 600 }), "TOKEN_NOT_YET_VALID"),
        (json!({ "iat": now + 600 }), "TOKEN_NOT_YET_VALID"),
        (json!({ "aud": "another-app" }), "WRONG_AUDIENCE"),
        (
            json!({ "iss": "https://elsewhere.example" }),
            "WRONG_ISSUER",
        ),
    ] {
        let mut claims = base.clone();
        for (k, v) in change.as_object().unwrap() {
            claims[k] = v.clone();
        }
        let signed = admin(&server, "/__dev/sign-jwt", json!({ "claims": claims })).await;
        let e = backend
            .verify_session_jwt(signed["token"].as_str().unwrap())
            .await
            .unwrap_err();
        assert_eq!(
            code_of(&e),
            (ErrorKind::InvalidToken, Some(code)),
            "{change}"
        );
    }
    // Within the clock skew (30 s) an expired token still passes.
    let mut claims = base.clone();
    claims["exp"] = json!(now - 5);
    let signed = admin(&server, "/__dev/sign-jwt", json!({ "claims": claims })).await;
    backend
        .verify_session_jwt(signed["token"].as_str().unwrap())
        .await
        .unwrap();

    // A token verified once and kept still expires on time.
    let mut claims = base.clone();
    claims["exp"] = json!(chrono::Utc::now().timestamp() + 2);
    let short = admin(&server, "/__dev/sign-jwt", json!({ "claims": claims })).await;
    let short = short["token"].as_str().unwrap();
    let strict = Client::builder(server.url())
        .jwt(JwtSettings {
            clock_skew: Duration::ZERO,
            ..eager(JwtSource::Platform)
        })
        .build()
        .unwrap();
    strict.verify_session_jwt(short).await.unwrap();
    strict.verify_session_jwt(short).await.unwrap();
    tokio::time::sleep(Duration::from_millis(3100)).await;
    let e = strict.verify_session_jwt(short).await.unwrap_err();
    assert_eq!(
        code_of(&e),
        (ErrorKind::InvalidToken, Some("TOKEN_EXPIRED"))
    );

    // Rotation: new tokens verify at once; tokens of the replaced key name an unknown key.
    admin(&server, "/__dev/rotate-keys", json!({})).await;
    assert_eq!(
        client.auth().token().await.unwrap().token,
        jwt,
        "the client keeps its token while it is fresh"
    );
    let other_device = Client::new(server.url()).unwrap();
    other_device
        .auth()
        .sign_in_email(banata_auth::SignInEmail::new(&email, PASSWORD))
        .await
        .unwrap();
    let rotated = other_device.auth().token().await.unwrap().token;
    backend.verify_session_jwt(rotated.expose()).await.unwrap();
    let e = backend.verify_session_jwt(jwt.expose()).await.unwrap_err();
    assert_eq!(code_of(&e), (ErrorKind::InvalidToken, Some("UNKNOWN_KEY")));
    assert!(!e.to_string().contains(jwt.expose()), "no token in errors");

    // Without a session there is no token.
    let e = Client::new(server.url())
        .unwrap()
        .auth()
        .token()
        .await
        .unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Authentication);
}

/// The keys live in the database: a devserver restarted on the same `--db` still vouches for
/// the tokens it signed (sessions survive a restart, so their JWTs must too).
#[tokio::test]
async fn tokens_outlive_a_devserver_restart_on_the_same_database() {
    let dir = std::env::temp_dir().join(format!("banata-jwks-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let db = dir.join("dev.db");
    let start = || {
        banata_devserver::DevServer::start(banata_devserver::DevServerConfig {
            db_path: Some(db.clone()),
            require_email_verification: false,
            ..Default::default()
        })
    };
    let server = start().await.unwrap();
    let user = Client::new(server.url()).unwrap();
    user.auth()
        .sign_up_email(SignUpEmail::new("Ren", unique_email("restart"), PASSWORD))
        .await
        .unwrap();
    let jwt = user.auth().token().await.unwrap().token;
    let keys_before: Value = reqwest::get(format!("{}/api/auth/convex/jwks", server.url()))
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    server.shutdown().await;

    let server = start().await.unwrap();
    let keys_after: Value = reqwest::get(format!("{}/api/auth/convex/jwks", server.url()))
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(keys_after, keys_before);
    // A backend that has never seen the keys fetches them from the restarted server. The
    // issuer is the URL the token was signed for (the port is new).
    let issuer = payload_of(jwt.expose())["iss"].as_str().unwrap().to_owned();
    let backend = Client::builder(server.url())
        .jwt(JwtSettings {
            issuer: Some(issuer),
            ..eager(JwtSource::Platform)
        })
        .build()
        .unwrap();
    backend.verify_session_jwt(jwt.expose()).await.unwrap();
    server.shutdown().await;
    std::fs::remove_dir_all(&dir).unwrap();
}

#[tokio::test]
async fn an_unknown_key_is_asked_for_at_most_once_per_cooldown() {
    let server = common::devserver().await;
    let client = Client::new(server.url()).unwrap();
    client
        .auth()
        .sign_up_email(SignUpEmail::new("Coo", unique_email("cooldown"), PASSWORD))
        .await
        .unwrap();
    let first = client.auth().token().await.unwrap().token;
    client.verify_session_jwt(first.expose()).await.unwrap();
    admin(&server, "/__dev/rotate-keys", json!({})).await;
    // Another user's token, made after the rotation.
    let other = Client::new(server.url()).unwrap();
    other
        .auth()
        .sign_up_email(SignUpEmail::new("Two", unique_email("cooldown"), PASSWORD))
        .await
        .unwrap();
    let second = other.auth().token().await.unwrap().token;
    // Default cooldown (30 s): the key set was fetched just now, so the new key is unknown.
    let e = client
        .verify_session_jwt(second.expose())
        .await
        .unwrap_err();
    assert_eq!(e.code(), Some("UNKNOWN_KEY"));
}

#[tokio::test]
async fn requests_are_authenticated_from_their_headers() {
    let server = common::devserver().await;
    let client = Client::new(server.url()).unwrap();
    let signed_up = client
        .auth()
        .sign_up_email(SignUpEmail::new("Req", unique_email("guard"), PASSWORD))
        .await
        .unwrap();
    let jwt = client.auth().token().await.unwrap().token;
    let bearer = format!("Bearer {}", jwt.expose());
    let who = client
        .authenticate([("Authorization", bearer.as_str())])
        .await
        .unwrap();
    assert_eq!(who.user_id, signed_up.user.id);
    let cookie = format!("theme=dark; better-auth.convex_jwt={}", jwt.expose());
    let who = client
        .authenticate([("cookie", cookie.as_str())])
        .await
        .unwrap();
    assert_eq!(who.user_id, signed_up.user.id);
    let secure = format!("__Secure-better-auth.convex_jwt={}", jwt.expose());
    client
        .authenticate([("Cookie", secure.as_str())])
        .await
        .unwrap();

    // Signed in as someone else, the client's token is theirs.
    let someone = unique_email("guard-2");
    Client::new(server.url())
        .unwrap()
        .auth()
        .sign_up_email(SignUpEmail::new("Else", &someone, PASSWORD))
        .await
        .unwrap();
    client
        .auth()
        .sign_in_email(banata_auth::SignInEmail::new(&someone, PASSWORD))
        .await
        .unwrap();
    let theirs = client.auth().token().await.unwrap().token;
    assert_ne!(theirs, jwt);
    let who = client.verify_session_jwt(theirs.expose()).await.unwrap();
    assert_eq!(who.claims["email"], someone.as_str());

    // A session token as bearer is not a JWT; nothing at all is missing.
    let session = format!(
        "Bearer {}",
        client.session_token().await.unwrap().unwrap().expose()
    );
    for headers in [vec![("authorization", session.as_str())], vec![]] {
        let e = client.authenticate(headers).await.unwrap_err();
        assert_eq!(
            code_of(&e),
            (ErrorKind::InvalidToken, Some("MISSING_TOKEN"))
        );
    }
    // The bindings' entry, by id.
    let out = client
        .call_json(
            "session.authenticate",
            json!({ "headers": [["authorization", bearer]] }),
        )
        .await
        .unwrap();
    let out: Value = serde_json::from_str(&out).unwrap();
    assert_eq!(out["userId"], signed_up.user.id.as_str());
    let e = client
        .call_json("session.verify_jwt", json!({ "token": 42 }))
        .await
        .unwrap_err();
    assert_eq!(e.kind(), ErrorKind::InvalidArgument);
}

/// With the session fallback on, a request with only the session cookie (or a session token
/// as bearer) is answered by the server, for that request only; on Better Auth 1.4.21 with the
/// platform's plugins and on the devserver alike.
#[tokio::test]
async fn the_session_fallback_asks_the_server_about_a_session_cookie() {
    let peer = Peer::start_with(PeerVersion::V1_4, &[("PEER_EMAIL_VERIFICATION", "0")]);
    let server = common::devserver().await;
    for url in [peer.url.clone(), server.url()] {
        session_fallback_on(&url).await;
    }
}

async fn session_fallback_on(url: &str) {
    let backend = Client::builder(url)
        .jwt(JwtSettings {
            session_fallback: true,
            ..JwtSettings::new(JwtSource::Platform)
        })
        .build()
        .unwrap();
    let email = unique_email("fallback");
    let http = reqwest::Client::new();
    let signed_up = http
        .post(format!("{url}/api/auth/sign-up/email"))
        .json(&json!({ "name": "Fay", "email": email, "password": PASSWORD }))
        .send()
        .await
        .unwrap();
    let session_cookie = signed_up
        .headers()
        .get_all("set-cookie")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find(|c| c.starts_with("better-auth.session_token="))
        .unwrap()
        .split(';')
        .next()
        .unwrap()
        .to_owned();
    let body: Value = signed_up.json().await.unwrap();
    let user_id = body["user"]["id"].as_str().unwrap().to_owned();
    let raw = body["token"].as_str().unwrap().to_owned();

    let cookie = format!("theme=dark; {session_cookie}");
    let who = backend
        .authenticate([("cookie", cookie.as_str())])
        .await
        .unwrap();
    assert!(who.round_trip);
    assert_eq!(who.user_id, user_id);
    assert!(who.session_id.is_some());
    assert_eq!(who.claims["email"], email.as_str());
    let bearer = format!("Bearer {raw}");
    let who = backend
        .authenticate([("authorization", bearer.as_str())])
        .await
        .unwrap();
    assert_eq!(
        (who.user_id.as_str(), who.round_trip),
        (user_id.as_str(), true)
    );
    // The request's session is not the backend's.
    assert!(backend.session_token().await.unwrap().is_none());

    // A JWT, where there is one, is verified locally instead.
    let user = Client::new(url).unwrap();
    user.auth()
        .sign_in_email(banata_auth::SignInEmail::new(&email, PASSWORD))
        .await
        .unwrap();
    let jwt = user.auth().token().await.unwrap().token;
    let both = format!("{session_cookie}; better-auth.convex_jwt={}", jwt.expose());
    let who = backend
        .authenticate([("cookie", both.as_str())])
        .await
        .unwrap();
    assert!(!who.round_trip);

    // Signed out, the session is unknown; without the fallback nothing is asked.
    http.post(format!("{url}/api/auth/sign-out"))
        .header("authorization", &bearer)
        .json(&json!({}))
        .send()
        .await
        .unwrap();
    let e = backend
        .authenticate([("cookie", cookie.as_str())])
        .await
        .unwrap_err();
    assert_eq!(
        code_of(&e),
        (ErrorKind::InvalidToken, Some("UNKNOWN_SESSION"))
    );
    let strict = Client::new(url).unwrap();
    let e = strict
        .authenticate([("cookie", cookie.as_str())])
        .await
        .unwrap_err();
    assert_eq!(e.code(), Some("MISSING_TOKEN"));
}

/// A JWT cookie outlives its token beside a live session cookie: with the fallback the session
/// cookie answers; without it the expiry is the error.
#[tokio::test]
async fn an_expired_jwt_cookie_falls_back_to_the_session_cookie() {
    let server = common::devserver().await;
    let user = Client::new(server.url()).unwrap();
    let email = unique_email("expired-jwt");
    let signed_up = user
        .auth()
        .sign_up_email(banata_auth::SignUpEmail::new("Exp", &email, PASSWORD))
        .await
        .unwrap();
    let mut claims = payload_of(user.auth().token().await.unwrap().token.expose());
    claims["exp"] = json!(chrono::Utc::now().timestamp() - 120);
    let expired = admin(&server, "/__dev/sign-jwt", json!({ "claims": claims })).await;
    let session = user.session_token().await.unwrap().unwrap();
    let cookie = format!(
        "better-auth.convex_jwt={}; better-auth.session_token={}",
        expired["token"].as_str().unwrap(),
        session.expose()
    );
    let backend = Client::builder(server.url())
        .jwt(JwtSettings {
            session_fallback: true,
            ..eager(JwtSource::Platform)
        })
        .build()
        .unwrap();
    let who = backend
        .authenticate([("cookie", cookie.as_str())])
        .await
        .unwrap();
    assert!(who.round_trip);
    assert_eq!(who.user_id, signed_up.user.id);
    let strict = Client::new(server.url()).unwrap();
    let e = strict
        .authenticate([("cookie", cookie.as_str())])
        .await
        .unwrap_err();
    assert_eq!(e.code(), Some("TOKEN_EXPIRED"));
}

#[tokio::test]
async fn better_auth_1_7_jwt_plugin_tokens_verify() {
    better_auth_tokens_verify(PeerVersion::V1_7, JwtSource::JwtPlugin).await;
}

/// The 1.4.21 peer runs the platform's own convex plugin (@convex-dev/better-auth 0.10.13).
#[tokio::test]
async fn better_auth_1_4_convex_plugin_tokens_verify() {
    better_auth_tokens_verify(PeerVersion::V1_4, JwtSource::Platform).await;
}

/// What a token of the devserver says, as the platform's convex plugin says it: the same
/// header fields, the same claims of the same JSON types, 15 minutes, `iss` the site and `aud`
/// `convex`; the same key fields; and the `convex_jwt` cookie of a sign-in authenticates.
#[tokio::test]
async fn devserver_tokens_and_keys_look_like_the_convex_plugin_s() {
    let peer = Peer::start_with(PeerVersion::V1_4, &[("PEER_EMAIL_VERIFICATION", "0")]);
    let server = common::devserver().await;
    let platform = token_shape(&peer.url).await;
    let devserver = token_shape(&server.url()).await;
    assert_eq!(devserver, platform);
    assert_eq!(platform["lifetime"], 900);
}

/// The observable form of `url`'s session JWTs: the header's and claims' names with each
/// value's JSON type, `iss` and `aud` (the site written `{base}`), the lifetime and the key
/// set's fields. Also checks that the sign-in's cookie authenticates.
async fn token_shape(url: &str) -> Value {
    fn types(object: &Value) -> Value {
        let fields = object.as_object().unwrap().iter().map(|(name, value)| {
            let kind = match value {
                Value::Null => "null",
                Value::Bool(_) => "boolean",
                Value::Number(_) => "number",
                Value::String(_) => "string",
                Value::Array(_) => "array",
                Value::Object(_) => "object",
            };
            (name.clone(), json!(kind))
        });
        Value::Object(fields.collect())
    }
    let client = Client::builder(url)
        .jwt(eager(JwtSource::Platform))
        .build()
        .unwrap();
    let email = unique_email("jwt-shape");
    let answer = reqwest::Client::new()
        .post(format!("{url}/api/auth/sign-up/email"))
        .json(&json!({ "name": "Pia", "email": email, "password": PASSWORD }))
        .send()
        .await
        .unwrap();
    let cookie = answer
        .headers()
        .get_all("set-cookie")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find(|c| c.starts_with("better-auth.convex_jwt="))
        .expect("sign-up sets the convex_jwt cookie")
        .split(';')
        .next()
        .unwrap()
        .to_owned();
    let verified = client
        .authenticate([("cookie", cookie.as_str())])
        .await
        .unwrap();
    assert_eq!(verified.claims["email"], email.as_str());
    let jwt = cookie.split_once('=').unwrap().1;
    let header: Value = serde_json::from_slice(
        &URL_SAFE_NO_PAD
            .decode(jwt.split('.').next().unwrap())
            .unwrap(),
    )
    .unwrap();
    let claims = payload_of(jwt);
    let keys: Value = reqwest::get(format!("{url}/api/auth/convex/jwks"))
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let site = url.trim_end_matches('/');
    json!({
        "header": types(&header),
        "alg": header["alg"],
        "claims": types(&claims),
        "iss": claims["iss"].as_str().unwrap().replace(site, "{base}"),
        "aud": claims["aud"],
        "lifetime": claims["exp"].as_i64().unwrap() - claims["iat"].as_i64().unwrap(),
        "key": types(&keys["keys"][0]),
    })
}

async fn better_auth_tokens_verify(version: PeerVersion, source: JwtSource) {
    let peer = Peer::start_with(version, &[("PEER_EMAIL_VERIFICATION", "0")]);
    let client = Client::builder(&peer.url)
        .jwt(eager(source))
        .build()
        .unwrap();
    let email = unique_email("jwt-peer");
    let signed_up = client
        .auth()
        .sign_up_email(SignUpEmail::new("Pia", &email, PASSWORD))
        .await
        .unwrap();
    let jwt = client.auth().token().await.unwrap().token;
    let verified = client.verify_session_jwt(jwt.expose()).await.unwrap();
    assert_eq!(verified.user_id, signed_up.user.id);
    assert_eq!(verified.claims["email"], email.as_str());

    let mut claims = payload_of(jwt.expose());
    claims["email"] = json!("mallory@example.com");
    let e = client
        .verify_session_jwt(&with_payload(jwt.expose(), &claims))
        .await
        .unwrap_err();
    assert_eq!(e.code(), Some("BAD_SIGNATURE"));
    let e = client
        .verify_session_jwt(&unsigned(&claims))
        .await
        .unwrap_err();
    assert_eq!(e.code(), Some("ALGORITHM_NOT_ALLOWED"));

    let strict = Client::builder(&peer.url)
        .jwt(JwtSettings {
            audience: Some("another-app".into()),
            ..eager(source)
        })
        .build()
        .unwrap();
    let e = strict.verify_session_jwt(jwt.expose()).await.unwrap_err();
    assert_eq!(e.code(), Some("WRONG_AUDIENCE"));
}
