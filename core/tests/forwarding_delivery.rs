//! Add-on forwarding end to end: the client against the devserver, whose sinks stand in for the
//! four services and can be scripted to fail.

mod common;

use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use banata_auth::addons::{ForwardingConfig, ForwardingError};
use banata_auth::{AddonConfigUpdate, SignInEmail, SignUpEmail};
use common::forwarding::{
    accepted_posthog_events, clear_sinks, enable_all, received, script, sign_in_event, sink_config,
    start,
};
use common::{PASSWORD, admin_client, devserver, unique_email};
use serde_json::json;

const FLUSH: Duration = Duration::from_secs(15);

#[tokio::test(flavor = "multi_thread")]
async fn enable_then_disable_takes_effect_without_a_restart() {
    let server = devserver().await;
    let client = admin_client(&server);
    client
        .addons()
        .save(
            AddonConfigUpdate::new()
                .enable("segment")
                .disable("posthog"),
        )
        .await
        .unwrap();
    let forwarder = start(&client, sink_config(&server)).await;

    let first = unique_email("on");
    client
        .auth()
        .sign_up_email(SignUpEmail::new("On", &first, PASSWORD))
        .await
        .unwrap();
    forwarder.flush(FLUSH).await.unwrap();
    let segment = received(&server, "segment").await;
    assert_eq!(segment.len(), 1);
    let kinds: Vec<_> = segment[0]["body"]["json"]["batch"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["type"].as_str().unwrap().to_owned() + "/" + m["event"].as_str().unwrap_or(""))
        .collect();
    assert_eq!(
        kinds,
        ["identify/", "track/Signed Up"],
        "a sign-up is not also a sign-in"
    );
    assert!(
        received(&server, "posthog").await.is_empty(),
        "disabled add-ons get nothing"
    );
    assert!(
        received(&server, "ga4").await.is_empty(),
        "absent means disabled"
    );

    // Toggle through the SDK: applies to the very next event.
    client
        .addons()
        .save(
            AddonConfigUpdate::new()
                .disable("segment")
                .enable("posthog"),
        )
        .await
        .unwrap();
    client.auth().sign_out().await.unwrap();
    client
        .auth()
        .sign_in_email(SignInEmail::new(&first, PASSWORD))
        .await
        .unwrap();
    forwarder.flush(FLUSH).await.unwrap();
    assert_eq!(
        received(&server, "segment").await.len(),
        1,
        "nothing after disabling"
    );
    let names: Vec<_> = accepted_posthog_events(&received(&server, "posthog").await)
        .iter()
        .map(|e| e["event"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(names, ["user signed out", "user signed in"]);
    let stats = forwarder.stats();
    assert_eq!((stats.sent, stats.failed, stats.dropped), (4, 0, 0));
}

#[tokio::test(flavor = "multi_thread")]
async fn a_500_then_200_delivers_every_event_exactly_once() {
    let server = devserver().await;
    let client = admin_client(&server);
    enable_all(&client).await;
    script(&server, "posthog", json!([{ "status": 500 }])).await;
    let forwarder = start(&client, sink_config(&server)).await;
    for i in 0..20 {
        client.emit_event(sign_in_event(&format!("usr_{i}")));
    }
    forwarder.flush(FLUSH).await.unwrap();
    let requests = received(&server, "posthog").await;
    assert!(
        requests.len() >= 2 && requests[0]["status"] == 500,
        "{requests:#?}"
    );
    let mut users: Vec<_> = accepted_posthog_events(&requests)
        .iter()
        .map(|e| e["distinct_id"].as_str().unwrap().to_owned())
        .collect();
    users.sort();
    let mut expected: Vec<_> = (0..20).map(|i| format!("usr_{i}")).collect();
    expected.sort();
    assert_eq!(users, expected, "every event once, none twice");
    let stats = forwarder.stats();
    assert!(stats.retried >= 1);
    assert_eq!(
        stats
            .destinations
            .iter()
            .find(|d| d.addon == "posthog")
            .unwrap()
            .sent,
        20
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn a_429_with_retry_after_is_waited_for() {
    let server = devserver().await;
    let client = admin_client(&server);
    enable_all(&client).await;
    script(
        &server,
        "segment",
        json!([{ "status": 429, "retryAfter": "1" }]),
    )
    .await;
    let forwarder = start(&client, sink_config(&server)).await;
    let started = Instant::now();
    client.emit_event(sign_in_event("usr_wait"));
    forwarder.flush(FLUSH).await.unwrap();
    assert!(
        started.elapsed() >= Duration::from_millis(950),
        "{:?}",
        started.elapsed()
    );
    let requests = received(&server, "segment").await;
    assert_eq!(requests.len(), 2);
    assert_eq!(
        (
            requests[0]["status"].as_u64(),
            requests[1]["status"].as_u64()
        ),
        (Some(429), Some(200))
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn a_dead_sink_fills_the_queue_to_its_bound_then_flush_delivers_what_was_kept() {
    let server = devserver().await;
    let client = admin_client(&server);
    client
        .addons()
        .save(AddonConfigUpdate::new().enable("posthog"))
        .await
        .unwrap();
    script(&server, "posthog", json!([{ "status": 503, "times": 0 }])).await;
    let config = ForwardingConfig {
        queue_capacity: 100,
        ..sink_config(&server)
    };
    let forwarder = start(&client, config).await;
    let mut peak = 0;
    for round in 0..20 {
        for i in 0..500 {
            client.emit_event(sign_in_event(&format!("usr_{round}_{i}")));
        }
        assert!(
            forwarder.flush(Duration::from_millis(50)).await.is_err(),
            "the sink is down"
        );
        peak = peak.max(forwarder.stats().queued);
    }
    let stats = forwarder.stats();
    assert!(
        peak <= 100,
        "the queue never holds more than its bound: {peak}"
    );
    assert_eq!(stats.queued, 100);
    assert_eq!(stats.sent, 0);
    assert_eq!(
        stats.dropped + stats.queued,
        10_000,
        "every event is queued or counted as dropped"
    );

    clear_sinks(&server).await; // the service recovers
    forwarder.flush(FLUSH).await.unwrap();
    let delivered = accepted_posthog_events(&received(&server, "posthog").await);
    assert_eq!(delivered.len(), 100, "what was kept is delivered");
    assert_eq!(delivered[0]["distinct_id"], "usr_0_0", "oldest first");
    assert_eq!(forwarder.stats().sent, 100);
}

#[tokio::test(flavor = "multi_thread")]
async fn shutdown_with_a_live_sink_loses_nothing() {
    let server = devserver().await;
    let client = admin_client(&server);
    client
        .addons()
        .save(AddonConfigUpdate::new().enable("posthog"))
        .await
        .unwrap();
    let config = ForwardingConfig {
        flush_interval: Duration::from_secs(60),
        ..sink_config(&server)
    };
    let forwarder = start(&client, config).await;
    for i in 0..1_000 {
        client.emit_event(sign_in_event(&format!("usr_{i}")));
    }
    forwarder.shutdown(FLUSH).await.unwrap();
    let delivered = accepted_posthog_events(&received(&server, "posthog").await);
    assert_eq!(delivered.len(), 1_000);
    let stats = forwarder.stats();
    assert_eq!(
        (stats.sent, stats.dropped, stats.failed, stats.queued),
        (1_000, 0, 0, 0)
    );
    // After shutdown nothing more is taken.
    client.emit_event(sign_in_event("usr_late"));
    tokio::time::sleep(Duration::from_millis(200)).await;
    assert_eq!(
        accepted_posthog_events(&received(&server, "posthog").await).len(),
        1_000
    );
    assert!(
        forwarder.shutdown(FLUSH).await.is_ok(),
        "a second shutdown does nothing"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn client_errors_are_not_retried_and_reach_the_error_callback() {
    let server = devserver().await;
    let client = admin_client(&server);
    client
        .addons()
        .save(AddonConfigUpdate::new().enable("segment"))
        .await
        .unwrap();
    script(&server, "segment", json!([{ "status": 400 }])).await;
    let errors: Arc<Mutex<Vec<ForwardingError>>> = Arc::default();
    let sink = Arc::clone(&errors);
    let config = sink_config(&server).on_error(move |e| sink.lock().unwrap().push(e.clone()));
    let forwarder = start(&client, config).await;
    client.emit_event(sign_in_event("usr_bad"));
    forwarder.flush(FLUSH).await.unwrap();
    assert_eq!(
        received(&server, "segment").await.len(),
        1,
        "no retry on 400"
    );
    let errors = errors.lock().unwrap().clone();
    assert_eq!(errors.len(), 1);
    assert_eq!(
        (errors[0].addon.as_str(), errors[0].status, errors[0].events),
        ("segment", Some(400), 1)
    );
    assert!(!errors[0].message.contains("seg_write_key_TEST"));
    assert_eq!(forwarder.stats().failed, 1);
}

#[tokio::test(flavor = "multi_thread")]
async fn a_413_splits_the_batch() {
    let server = devserver().await;
    let client = admin_client(&server);
    client
        .addons()
        .save(AddonConfigUpdate::new().enable("posthog"))
        .await
        .unwrap();
    script(&server, "posthog", json!([{ "status": 413 }])).await;
    let config = ForwardingConfig {
        flush_interval: Duration::from_secs(60),
        ..sink_config(&server)
    };
    let forwarder = start(&client, config).await;
    for i in 0..8 {
        client.emit_event(sign_in_event(&format!("usr_{i}")));
    }
    // Let all eight reach the queue, so they go out as one batch.
    for _ in 0..500 {
        if forwarder.stats().queued == 8 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    forwarder.flush(FLUSH).await.unwrap();
    let requests = received(&server, "posthog").await;
    let sizes: Vec<usize> = requests
        .iter()
        .map(|r| r["body"]["json"]["batch"].as_array().unwrap().len())
        .collect();
    assert_eq!(sizes, [8, 4, 4]);
    assert_eq!(accepted_posthog_events(&requests).len(), 8);
}

#[tokio::test(flavor = "multi_thread")]
async fn gzip_bodies_decode_to_the_same_events() {
    let server = devserver().await;
    let client = admin_client(&server);
    enable_all(&client).await;
    let config = ForwardingConfig {
        gzip: true,
        ..sink_config(&server)
    };
    let forwarder = start(&client, config).await;
    client.emit_event(sign_in_event("usr_gz"));
    forwarder.flush(FLUSH).await.unwrap();
    for service in ["segment", "posthog"] {
        let r = &received(&server, service).await[0];
        assert_eq!(r["headers"]["content-encoding"], "gzip", "{service}");
        assert_eq!(r["body"]["gzip"], true);
        assert!(r["body"]["json"].is_object(), "{service} body decodes");
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn no_password_token_or_api_key_reaches_any_service() {
    let server = devserver().await;
    let client = admin_client(&server);
    enable_all(&client).await;
    let forwarder = start(&client, sink_config(&server)).await;
    let email = unique_email("scan");
    let password = "Sup3r-Secret-Pa55word!";
    client
        .auth()
        .sign_up_email(SignUpEmail::new("Scan Me", &email, password))
        .await
        .unwrap();
    let first_token = client.session_token().await.unwrap().unwrap();
    client.auth().sign_out().await.unwrap();
    client
        .auth()
        .sign_in_email(SignInEmail::new(&email, password))
        .await
        .unwrap();
    let second_token = client.session_token().await.unwrap().unwrap();
    client.auth().sign_out().await.unwrap();
    forwarder.flush(FLUSH).await.unwrap();

    let mut everything = String::new();
    let mut total = 0;
    for service in ["ga4", "segment", "posthog", "stripe"] {
        let requests = received(&server, service).await;
        assert!(!requests.is_empty(), "{service} received the flow");
        total += requests.len();
        everything.push_str(&serde_json::to_string(&requests).unwrap());
    }
    assert!(total >= 4);
    for secret in [
        password,
        first_token.expose(),
        first_token.raw(),
        second_token.expose(),
        second_token.raw(),
        server.admin_api_key(),
    ] {
        assert!(!everything.contains(secret), "a secret reached a service");
    }
    // E-mail only with the opt-in: here it is on, so it is present; off, it is gone.
    assert!(everything.contains(&email));
}

#[tokio::test(flavor = "multi_thread")]
async fn email_stays_home_without_the_opt_in() {
    let server = devserver().await;
    let client = admin_client(&server);
    enable_all(&client).await;
    let mut config = sink_config(&server);
    config.data_policy.send_email = false;
    let forwarder = start(&client, config).await;
    let email = unique_email("private");
    client
        .auth()
        .sign_up_email(SignUpEmail::new("Private", &email, PASSWORD))
        .await
        .unwrap();
    forwarder.flush(FLUSH).await.unwrap();
    for service in ["ga4", "segment", "posthog", "stripe"] {
        let requests = received(&server, service).await;
        assert!(!requests.is_empty());
        assert!(
            !serde_json::to_string(&requests).unwrap().contains(&email),
            "{service}"
        );
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn enabled_add_on_without_credentials_forwards_nothing() {
    let server = devserver().await;
    let client = admin_client(&server);
    enable_all(&client).await;
    let config = ForwardingConfig {
        ga4: None,
        stripe: None,
        ..sink_config(&server)
    };
    let forwarder = start(&client, config).await;
    client.emit_event(sign_in_event("usr_nocreds"));
    forwarder.flush(FLUSH).await.unwrap();
    assert!(received(&server, "ga4").await.is_empty());
    assert_eq!(received(&server, "segment").await.len(), 1);
    let addons: Vec<_> = forwarder
        .stats()
        .destinations
        .into_iter()
        .map(|d| d.addon)
        .collect();
    assert_eq!(addons, ["segment", "posthog"]);
}

#[tokio::test(flavor = "multi_thread")]
async fn stripe_seat_sync_sets_the_absolute_quantity() {
    let server = devserver().await;
    let client = admin_client(&server);
    enable_all(&client).await;
    let forwarder = start(&client, sink_config(&server)).await;
    let mut data = banata_auth::EventData {
        user_id: Some("usr_123".into()),
        ..Default::default()
    };
    data.extra.insert("organizationId".into(), json!("org_456"));
    data.extra.insert("memberCount".into(), json!(5));
    data.extra.insert(
        "stripeSubscriptionItemId".into(),
        json!("si_TEST0000000001"),
    );
    data.extra.insert("role".into(), json!("member"));
    client.emit_event(banata_auth::AuthEvent::new(
        banata_auth::EventType::MEMBER_ADDED,
        data,
    ));
    forwarder.flush(FLUSH).await.unwrap();
    let stripe = received(&server, "stripe").await;
    assert_eq!(stripe.len(), 1);
    assert_eq!(
        stripe[0]["path"],
        "/v1/subscription_items/si_TEST0000000001"
    );
    assert_eq!(stripe[0]["headers"]["idempotency-key"], "seats:org_456:5");
    assert_eq!(
        stripe[0]["body"]["form"],
        json!([
            ["quantity", "5"],
            ["proration_behavior", "create_prorations"]
        ])
    );
    let segment = &received(&server, "segment").await[0]["body"]["json"]["batch"];
    assert_eq!(segment[0]["type"], "group");
    assert_eq!(segment[1]["event"], "Account Added User");
    assert_eq!(segment[1]["context"]["groupId"], "org_456");
}
