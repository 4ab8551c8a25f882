//! Session-JWT benchmark (not a test): how many requests per second `authenticate` answers
//! locally, for a token seen before and for tokens seen for the first time, against (1) the bare
//! JOSE crate verifying the same token with the same key (the floor: what the core adds is
//! header parsing, the cached key lookup and the claim checks), and (2) a `get_session` round
//! trip to the devserver, what a backend pays without local verification. Both ratios come from the same run, interleaved in rounds; medians are shown.
//!
//!     cargo run --release -p banata-bench --bin session_jwt

use std::hint::black_box;
use std::time::{Duration, Instant};

use banata_auth::{Client, SignUpEmail};
use banata_devserver::{DevServer, DevServerConfig};
use jsonwebtoken::jwk::JwkSet;
use jsonwebtoken::{Algorithm, DecodingKey, Validation};

const ROUNDS: usize = 5;
const WINDOW: Duration = Duration::from_millis(400);

/// Calls per second of `call`, run back to back for the window.
async fn rate<F, Fut>(mut call: F) -> f64
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = ()>,
{
    let started = Instant::now();
    let mut done = 0u64;
    while started.elapsed() < WINDOW {
        call().await;
        done += 1;
    }
    done as f64 / started.elapsed().as_secs_f64()
}

fn median(mut xs: Vec<f64>) -> f64 {
    xs.sort_by(f64::total_cmp);
    xs[xs.len() / 2]
}

#[tokio::main]
async fn main() {
    let server = DevServer::start(DevServerConfig {
        require_email_verification: false,
        ..Default::default()
    })
    .await
    .expect("devserver");
    let client = Client::new(server.url()).expect("client");
    client
        .auth()
        .sign_up_email(SignUpEmail::new(
            "Bench",
            "bench@example.com",
            "correct horse battery staple",
        ))
        .await
        .expect("sign-up");
    let token = client.auth().token().await.expect("a token").token;
    let bearer = format!("Bearer {}", token.expose());
    let headers = [("authorization", bearer.as_str())];
    client.authenticate(headers).await.expect("verifies");

    // The floor: jsonwebtoken alone, key parsed once, the same validation.
    let jwks: JwkSet = reqwest::get(format!("{}/api/auth/convex/jwks", server.url()))
        .await
        .expect("jwks")
        .json()
        .await
        .expect("a key set");
    let key = DecodingKey::from_jwk(&jwks.keys[0]).expect("a key");
    let mut validation = Validation::new(Algorithm::RS256);
    validation.set_issuer(&[server.url().trim_end_matches('/')]);
    validation.set_audience(&["convex"]);
    let bare = || {
        let data = jsonwebtoken::decode::<serde_json::Value>(token.expose(), &key, &validation)
            .expect("verifies");
        black_box(data);
    };
    bare();

    // First sight: distinct tokens (each signed by the devserver's key), verified once each,
    // so nothing is remembered: the full check, signature included.
    let mut fresh = Vec::new();
    let claims = token
        .expose()
        .split('.')
        .nth(1)
        .and_then(|p| {
            use base64::Engine;
            base64::engine::general_purpose::URL_SAFE_NO_PAD
                .decode(p)
                .ok()
        })
        .and_then(|b| serde_json::from_slice::<serde_json::Value>(&b).ok())
        .expect("claims");
    let http = reqwest::Client::new();
    for i in 0..2_000 {
        let mut claims = claims.clone();
        claims["jti"] = serde_json::json!(i);
        let signed: serde_json::Value = http
            .post(format!("{}/__dev/sign-jwt", server.url()))
            .bearer_auth(server.admin_api_key())
            .json(&serde_json::json!({ "claims": claims }))
            .send()
            .await
            .expect("signed")
            .json()
            .await
            .expect("a token");
        fresh.push(signed["token"].as_str().expect("a token").to_owned());
    }
    let started = Instant::now();
    for t in &fresh {
        black_box(client.verify_session_jwt(t).await.expect("verifies"));
    }
    let first_sight = fresh.len() as f64 / started.elapsed().as_secs_f64();

    let (mut core, mut floor, mut round_trip) = (Vec::new(), Vec::new(), Vec::new());
    for _ in 0..ROUNDS {
        core.push(
            rate(|| async {
                black_box(client.authenticate(headers).await.expect("verifies"));
            })
            .await,
        );
        floor.push(rate(|| async { bare() }).await);
        round_trip.push(
            rate(|| async {
                black_box(client.auth().get_session().await.expect("a session"));
            })
            .await,
        );
    }
    let (core, floor, round_trip) = (median(core), median(floor), median(round_trip));
    println!("session JWT (RS256), medians of {ROUNDS} interleaved rounds, one task:");
    println!(
        "  authenticate (core)        {core:>10.0} /s   (a token seen before: time claims only)"
    );
    println!(
        "  verify, first sight        {first_sight:>10.0} /s   first sight / bare = {:.2}",
        first_sight / floor
    );
    println!(
        "  jsonwebtoken decode alone  {floor:>10.0} /s   core / bare = {:.2}",
        core / floor
    );
    println!(
        "  get_session round trip     {round_trip:>10.0} /s   guarded / round trip = {:.1}x",
        core / round_trip
    );
}
