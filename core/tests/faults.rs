//! Fault behaviour against a scripted loopback server: each answer is served in order, and every
//! request is recorded.

use std::collections::VecDeque;
use std::convert::Infallible;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant, SystemTime};

use axum::Router;
use axum::body::Body;
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use banata_auth::{AddonConfigUpdate, Client, ErrorKind, RequestOptions, SignUpEmail};
use bytes::Bytes;

/// One scripted answer.
#[derive(Clone)]
struct Answer {
    status: u16,
    headers: Vec<(&'static str, String)>,
    body: Body2,
    delay: Duration,
}

#[derive(Clone)]
enum Body2 {
    Text(String),
    /// `n` bytes of JSON-looking filler, with or without a content-length.
    Large {
        bytes: usize,
        chunked: bool,
    },
}

impl Answer {
    fn json(status: u16, body: &str) -> Self {
        Answer {
            status,
            headers: vec![("content-type", "application/json".into())],
            body: Body2::Text(body.into()),
            delay: Duration::ZERO,
        }
    }
    fn empty(status: u16) -> Self {
        Answer {
            status,
            headers: vec![],
            body: Body2::Text(String::new()),
            delay: Duration::ZERO,
        }
    }
    fn header(mut self, name: &'static str, value: impl Into<String>) -> Self {
        self.headers.push((name, value.into()));
        self
    }
    fn delayed(mut self, delay: Duration) -> Self {
        self.delay = delay;
        self
    }
}

#[derive(Default)]
struct Script {
    answers: Mutex<VecDeque<Answer>>,
    seen: Mutex<Vec<HeaderMap>>,
}

struct Scripted {
    url: String,
    script: Arc<Script>,
}

impl Scripted {
    async fn start(answers: Vec<Answer>) -> Scripted {
        let script = Arc::new(Script {
            answers: Mutex::new(answers.into()),
            seen: Mutex::default(),
        });
        let shared = Arc::clone(&script);
        let app = Router::new().fallback(move |headers: HeaderMap| {
            let script = Arc::clone(&shared);
            async move { serve(script, headers).await }
        });
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let url = format!("http://{}", listener.local_addr().unwrap());
        tokio::spawn(async move { axum::serve(listener, app).await });
        Scripted { url, script }
    }

    fn hits(&self) -> usize {
        self.script.seen.lock().unwrap().len()
    }

    fn header_of(&self, request: usize, name: &str) -> Option<String> {
        self.script.seen.lock().unwrap()[request]
            .get(name)
            .map(|v| v.to_str().unwrap().to_owned())
    }

    fn client(&self) -> Client {
        Client::builder(&self.url)
            .api_key("sk_test_scripted_key_0123456789")
            .initial_retry_delay(Duration::from_millis(5))
            .build()
            .unwrap()
    }
}

async fn serve(script: Arc<Script>, headers: HeaderMap) -> Response {
    script.seen.lock().unwrap().push(headers);
    let answer = script
        .answers
        .lock()
        .unwrap()
        .pop_front()
        .unwrap_or_else(|| Answer::json(599, r#"{"message":"script exhausted"}"#));
    tokio::time::sleep(answer.delay).await;
    let mut builder = Response::builder().status(StatusCode::from_u16(answer.status).unwrap());
    for (name, value) in &answer.headers {
        builder = builder.header(*name, value);
    }
    let body = match answer.body {
        Body2::Text(text) => Body::from(text),
        Body2::Large {
            bytes,
            chunked: false,
        } => {
            builder = builder.header("content-type", "application/json");
            Body::from(vec![b' '; bytes])
        }
        Body2::Large {
            bytes,
            chunked: true,
        } => {
            builder = builder.header("content-type", "application/json");
            let chunks =
                (0..bytes / 65536).map(|_| Ok::<_, Infallible>(Bytes::from(vec![b' '; 65536])));
            Body::from_stream(futures_util::stream::iter(chunks))
        }
    };
    builder.body(body).unwrap()
}

const OK_CONFIG: &str = r#"{"addons":{"stripe":{"enabled":true}}}"#;

#[tokio::test]
async fn server_error_then_success_is_retried_with_one_idempotency_key() {
    let server = Scripted::start(vec![Answer::json(500, "{}"), Answer::json(200, OK_CONFIG)]).await;
    let saved = server
        .client()
        .addons()
        .save(AddonConfigUpdate::new().enable("stripe"))
        .await
        .unwrap();
    assert!(saved.is_enabled(&"stripe".into()));
    assert_eq!(server.hits(), 2);
    let first = server
        .header_of(0, "idempotency-key")
        .expect("POSTs carry a key");
    assert_eq!(
        server.header_of(1, "idempotency-key"),
        Some(first),
        "reused across attempts"
    );
    assert_eq!(
        server.header_of(0, "authorization").as_deref(),
        Some("Bearer sk_test_scripted_key_0123456789")
    );
    assert!(server.header_of(0, "origin").is_none(), "never an Origin");
    assert!(
        server
            .header_of(0, "user-agent")
            .unwrap()
            .starts_with("banata-auth-rust/")
    );
}

#[tokio::test]
async fn rate_limit_retry_after_is_waited_for() {
    let server = Scripted::start(vec![
        Answer::json(
            429,
            r#"{"code":"RATE_LIMITED","message":"Rate limit exceeded."}"#,
        )
        .header("retry-after", "1"),
        Answer::json(200, OK_CONFIG),
    ])
    .await;
    let started = Instant::now();
    server.client().addons().get().await.unwrap();
    assert!(
        started.elapsed() >= Duration::from_millis(950),
        "{:?}",
        started.elapsed()
    );
    assert_eq!(server.hits(), 2);
}

#[tokio::test]
async fn retry_after_as_http_date_and_details_try_again_in() {
    let at = httpdate::fmt_http_date(SystemTime::now() + Duration::from_secs(2));
    let server = Scripted::start(vec![
        Answer::json(503, "{}").header("retry-after", at),
        Answer::json(
            429,
            r#"{"code":"RATE_LIMITED","details":{"tryAgainIn":0.3}}"#,
        ),
        Answer::json(200, OK_CONFIG),
    ])
    .await;
    let started = Instant::now();
    server.client().addons().get().await.unwrap();
    // The date has a one-second resolution, so at least ~1 s plus 0.3 s.
    assert!(
        started.elapsed() >= Duration::from_millis(1250),
        "{:?}",
        started.elapsed()
    );
    assert_eq!(server.hits(), 3);
}

#[tokio::test]
async fn waits_longer_than_the_cap_are_not_taken() {
    let server = Scripted::start(vec![
        Answer::json(429, r#"{"code":"RATE_LIMITED","message":"slow down"}"#)
            .header("retry-after", "3600"),
    ])
    .await;
    let started = Instant::now();
    let e = server.client().addons().get().await.unwrap_err();
    assert!(started.elapsed() < Duration::from_secs(5));
    assert_eq!(e.kind(), ErrorKind::RateLimited);
    assert_eq!(e.retry_after(), Some(Duration::from_secs(3600)));
    assert!(e.is_retryable());
    assert_eq!(server.hits(), 1);
}

#[tokio::test]
async fn client_errors_are_not_retried() {
    for (status, kind) in [
        (400, ErrorKind::Validation),
        (401, ErrorKind::Authentication),
        (403, ErrorKind::Forbidden),
        (404, ErrorKind::NotFound),
        (409, ErrorKind::Conflict),
        (422, ErrorKind::Validation),
    ] {
        let server =
            Scripted::start(vec![Answer::json(status, r#"{"code":"X","message":"no"}"#)]).await;
        let e = server.client().addons().get().await.unwrap_err();
        assert_eq!((e.kind(), e.status()), (kind, Some(status)));
        assert_eq!(e.code(), Some("X"));
        assert_eq!(server.hits(), 1, "{status} is not retried");
    }
}

#[tokio::test]
async fn persistent_server_errors_give_up_with_the_real_status() {
    let server = Scripted::start(vec![Answer::empty(503); 4]).await;
    let e = server.client().addons().get().await.unwrap_err();
    assert_eq!((e.kind(), e.status()), (ErrorKind::Server, Some(503)));
    assert_eq!(server.hits(), 4, "1 attempt + 3 retries");
    let none = Scripted::start(vec![Answer::empty(502); 2]).await;
    let quick = none
        .client()
        .with_options(RequestOptions::new().max_retries(0));
    assert_eq!(quick.addons().get().await.unwrap_err().status(), Some(502));
    assert_eq!(none.hits(), 1, "per-request override");
}

#[tokio::test]
async fn unsafe_calls_are_not_replayed_after_a_server_error() {
    let server = Scripted::start(vec![Answer::json(500, "{}"), Answer::json(200, "{}")]).await;
    let e = server
        .client()
        .auth()
        .sign_up_email(SignUpEmail::new("A", "a@example.com", "correct horse"))
        .await
        .unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Server);
    assert_eq!(
        server.hits(),
        1,
        "a sign-up the server may have done is not repeated"
    );
}

#[tokio::test]
async fn timeout_covers_a_slow_response_and_is_retried() {
    let slow = Answer::json(200, OK_CONFIG).delayed(Duration::from_secs(3));
    let server = Scripted::start(vec![slow.clone(), slow]).await;
    let client = server.client().with_options(
        RequestOptions::new()
            .timeout(Duration::from_millis(200))
            .max_retries(1),
    );
    let started = Instant::now();
    let e = client.addons().get().await.unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Timeout);
    assert!(e.is_retryable());
    assert!(started.elapsed() < Duration::from_secs(2));
    assert_eq!(server.hits(), 2);
}

#[tokio::test]
async fn connection_refused_is_a_connection_error() {
    let port = {
        let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        l.local_addr().unwrap().port()
    };
    let client = Client::builder(format!("http://127.0.0.1:{port}"))
        .api_key("sk_test_x")
        .max_retries(1)
        .initial_retry_delay(Duration::from_millis(5))
        .build()
        .unwrap();
    let e = client.addons().get().await.unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Connection);
    assert_eq!(e.status(), None);
    assert!(std::error::Error::source(&e).is_some(), "the cause is kept");
}

#[tokio::test]
async fn malformed_json_is_a_decode_error() {
    let server = Scripted::start(vec![Answer::json(200, r#"{"addons": {"#)]).await;
    let e = server.client().addons().get().await.unwrap_err();
    assert_eq!((e.kind(), e.status()), (ErrorKind::Decode, Some(200)));
    assert_eq!(server.hits(), 1, "decode errors are not retried");
    let wrong_shape = Scripted::start(vec![Answer::json(200, r#"{"addons": 7}"#)]).await;
    assert_eq!(
        wrong_shape
            .client()
            .addons()
            .get()
            .await
            .unwrap_err()
            .kind(),
        ErrorKind::Decode
    );
}

#[tokio::test]
async fn empty_404_keeps_status_and_has_no_body() {
    let server = Scripted::start(vec![Answer::empty(404)]).await;
    let e = server.client().addons().get().await.unwrap_err();
    assert_eq!(
        (e.kind(), e.status(), e.body()),
        (ErrorKind::NotFound, Some(404), None)
    );
    assert_eq!(e.message(), "Not found");
}

#[tokio::test]
async fn fifty_megabyte_bodies_are_refused_with_or_without_a_length() {
    for chunked in [false, true] {
        let server = Scripted::start(vec![Answer {
            status: 200,
            headers: vec![],
            body: Body2::Large {
                bytes: 50 * 1024 * 1024,
                chunked,
            },
            delay: Duration::ZERO,
        }])
        .await;
        let e = server.client().addons().get().await.unwrap_err();
        assert_eq!(e.kind(), ErrorKind::Decode, "chunked={chunked}");
        assert!(e.message().contains("limit"), "{e}");
    }
}

#[tokio::test]
async fn non_json_content_type_is_a_decode_error() {
    let html = Answer {
        status: 200,
        headers: vec![("content-type", "text/html".into())],
        body: Body2::Text("<html>proxy login</html>".into()),
        delay: Duration::ZERO,
    };
    let server = Scripted::start(vec![html]).await;
    let e = server.client().addons().get().await.unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Decode);
    assert!(e.message().contains("text/html"), "{e}");
}

#[tokio::test]
async fn ok_status_with_error_body_is_an_error() {
    let server = Scripted::start(vec![
        Answer::json(
            200,
            r#"{"success":false,"error":"Project slug \"x\" already exists"}"#,
        )
        .header("x-request-id", "req_42"),
    ])
    .await;
    let e = server.client().addons().get().await.unwrap_err();
    assert_eq!((e.kind(), e.status()), (ErrorKind::Api, Some(200)));
    assert_eq!(e.message(), "Project slug \"x\" already exists");
    assert_eq!(e.request_id(), Some("req_42"));
}

#[tokio::test]
async fn gateway_error_shape_and_request_id() {
    let server = Scripted::start(vec![
        Answer::json(
            403,
            r#"{"error":"PROJECT_SCOPE_MISMATCH","message":"wrong project"}"#,
        )
        .header("x-request-id", "req_7"),
    ])
    .await;
    let e = server.client().addons().get().await.unwrap_err();
    assert_eq!(e.code(), Some("PROJECT_SCOPE_MISMATCH"));
    assert_eq!(e.request_id(), Some("req_7"));
    assert!(e.to_string().contains("request id req_7"));
}
