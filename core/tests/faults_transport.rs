//! Faults below HTTP: a body cut off by a dropped connection, and a session store that never
//! answers. The server is a raw TCP listener on loopback so it can stop mid-body.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use async_trait::async_trait;
use banata_auth::{Client, ErrorKind, SessionStore, SessionToken, SignUpEmail};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpListener;

const FULL: &str = r#"{"addons":{"segment":{"enabled":true}}}"#;

/// Answers the first `cut` requests with a body that stops halfway, then whole ones. Returns the
/// base URL and the request count.
async fn cutting_server(cut: usize) -> (String, Arc<AtomicUsize>) {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    let count = Arc::new(AtomicUsize::new(0));
    let seen = Arc::clone(&count);
    tokio::spawn(async move {
        loop {
            let (mut socket, _) = listener.accept().await.unwrap();
            let n = seen.fetch_add(1, Ordering::SeqCst);
            tokio::spawn(async move {
                let mut request = vec![0u8; 16 * 1024];
                let _ = socket.read(&mut request).await;
                let head = format!(
                    "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: {}\r\nconnection: close\r\n\r\n",
                    FULL.len()
                );
                let body = if n < cut {
                    &FULL[..FULL.len() / 2]
                } else {
                    FULL
                };
                let _ = socket.write_all(head.as_bytes()).await;
                let _ = socket.write_all(body.as_bytes()).await;
                let _ = socket.shutdown().await;
            });
        }
    });
    (url, count)
}

#[tokio::test]
async fn a_cut_off_body_is_a_connection_error_retried_when_safe() {
    let (url, count) = cutting_server(1).await;
    let client = Client::builder(&url)
        .api_key("k")
        .initial_retry_delay(Duration::from_millis(5))
        .build()
        .unwrap();
    let config = client.addons().get().await.unwrap();
    assert!(config.addons["segment"].enabled);
    assert_eq!(count.load(Ordering::SeqCst), 2, "retried once");

    let (url, count) = cutting_server(usize::MAX).await;
    let client = Client::builder(&url)
        .initial_retry_delay(Duration::from_millis(5))
        .build()
        .unwrap();
    let error = client
        .auth()
        .sign_up_email(SignUpEmail::new(
            "A",
            "a@example.com",
            "correct horse battery",
        ))
        .await
        .unwrap_err();
    assert_eq!(error.kind(), ErrorKind::Connection, "{error}");
    assert!(
        error.message().contains("ended before the whole response"),
        "{error}"
    );
    assert_eq!(
        count.load(Ordering::SeqCst),
        1,
        "a sign-up the server may have done is not repeated"
    );
}

/// A store whose reads never finish.
struct Hanging;

#[async_trait]
impl SessionStore for Hanging {
    async fn get(&self) -> banata_auth::Result<Option<SessionToken>> {
        std::future::pending().await
    }
    async fn set(&self, _: SessionToken) -> banata_auth::Result<()> {
        std::future::pending().await
    }
    async fn clear(&self) -> banata_auth::Result<()> {
        std::future::pending().await
    }
}

#[tokio::test]
async fn a_store_that_never_answers_is_bounded_by_the_timeout() {
    let client = Client::builder("http://127.0.0.1:9")
        .timeout(Duration::from_millis(200))
        .session_store(Arc::new(Hanging))
        .build()
        .unwrap();
    let started = Instant::now();
    let error = client.auth().get_session().await.unwrap_err();
    assert_eq!(error.kind(), ErrorKind::Timeout, "{error}");
    assert!(error.message().contains("session store"), "{error}");
    assert!(
        started.elapsed() < Duration::from_secs(2),
        "{:?}",
        started.elapsed()
    );
}

#[tokio::test]
async fn a_redirect_to_another_origin_is_not_followed_nor_taken_as_the_answer() {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(async move {
        loop {
            let (mut socket, _) = listener.accept().await.unwrap();
            tokio::spawn(async move {
                let mut request = vec![0u8; 16 * 1024];
                let _ = socket.read(&mut request).await;
                let answer = "HTTP/1.1 302 Found\r\nlocation: http://other.invalid/addons\r\ncontent-length: 0\r\nconnection: close\r\n\r\n";
                let _ = socket.write_all(answer.as_bytes()).await;
                let _ = socket.shutdown().await;
            });
        }
    });
    let client = Client::builder(&url).api_key("k").build().unwrap();
    let error = client.addons().get().await.unwrap_err();
    assert_eq!(error.kind(), ErrorKind::Api, "{error}");
    assert!(error.message().contains("redirect"), "{error}");
}
