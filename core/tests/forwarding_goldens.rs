//! For each service, the request our forwarder sends for a sign-up equals the one the official
//! library sent in the same situation (tests/addon-goldens), after decoding.
//!
//! Ignored: the fields each golden lists as volatile, and — named per service below, with the
//! reason — the sending library's own identity (`context.library`, `$lib`, runtime properties),
//! and data the capture's app added that an auth event does not have (GA4 `user_properties`).

mod common;

use std::path::PathBuf;
use std::time::Duration;

use banata_auth::addons::STRIPE_API_VERSION;
use common::forwarding::{enable_all, golden_sign_up, received, sink_config, start};
use common::{admin_client, devserver};
use serde_json::{Value, json};

fn golden(service: &str, scenario: &str) -> Value {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join(format!("../tests/addon-goldens/{service}.json"));
    let file: Value = serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
    file["scenarios"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["name"] == scenario)
        .unwrap_or_else(|| panic!("no scenario {scenario} in {service}.json"))["requests"][0]
        .clone()
}

fn remove(value: &mut Value, path: &[&str]) {
    let Some((last, parents)) = path.split_last() else {
        return;
    };
    let mut cur = value;
    for p in parents {
        match cur.get_mut(*p) {
            Some(next) => cur = next,
            None => return,
        }
    }
    if let Some(o) = cur.as_object_mut() {
        o.remove(*last);
    }
}

/// Runs a sign-up through a forwarder aimed at the devserver's sinks and returns the first request
/// each named sink received.
async fn forwarded_sign_up(service: &str) -> Value {
    let server = devserver().await;
    let client = admin_client(&server);
    enable_all(&client).await;
    let forwarder = start(&client, sink_config(&server)).await;
    client.emit_event(golden_sign_up());
    forwarder.flush(Duration::from_secs(10)).await.unwrap();
    let got = received(&server, service).await;
    assert_eq!(got.len(), 1, "one request to {service}: {got:#?}");
    got[0].clone()
}

#[tokio::test(flavor = "multi_thread")]
async fn segment_sign_up_matches_analytics_python() {
    let ours = forwarded_sign_up("segment").await;
    let theirs = golden("segment", "default_batch");
    assert_eq!(ours["path"], "/v1/batch");
    assert_eq!(
        ours["headers"]["authorization"],
        theirs["headers"]["authorization"]
    );
    assert_eq!(ours["headers"]["content-type"], "application/json");

    let mut ours = ours["body"]["json"].clone();
    let mut theirs = theirs["body"]["json"].clone();
    // A sign-up is the golden's first two messages (identify + "Signed Up").
    theirs["batch"] = Value::Array(theirs["batch"].as_array().unwrap()[..2].to_vec());
    for body in [&mut ours, &mut theirs] {
        remove(body, &["sentAt"]); // volatile
        for m in body["batch"].as_array_mut().unwrap() {
            remove(m, &["messageId"]); // volatile
            remove(m, &["context", "library"]); // the sender's identity: banata-auth, not analytics-python
        }
    }
    assert_eq!(ours, theirs);
}

#[tokio::test(flavor = "multi_thread")]
async fn posthog_sign_up_matches_posthog_python() {
    let ours = forwarded_sign_up("posthog").await;
    let theirs = golden("posthog", "default_batch");
    assert_eq!(ours["path"], "/batch/");
    assert_eq!(ours["headers"]["content-type"], "application/json");
    assert!(
        ours["headers"].get("authorization").is_none(),
        "the key travels in the body"
    );

    let mut ours = ours["body"]["json"].clone();
    let mut theirs = theirs["body"]["json"].clone();
    theirs["batch"] = Value::Array(theirs["batch"].as_array().unwrap()[..1].to_vec());
    for body in [&mut ours, &mut theirs] {
        remove(body, &["sent_at"]); // volatile
        for e in body["batch"].as_array_mut().unwrap() {
            remove(e, &["uuid"]); // volatile
            // The sender's identity and its runtime: volatile per the goldens' README.
            for p in [
                "$lib",
                "$lib_version",
                "$python_runtime",
                "$python_version",
                "$os",
                "$os_version",
                "$os_distro",
            ] {
                remove(e, &["properties", p]);
            }
        }
    }
    assert_eq!(ours, theirs);
}

#[tokio::test(flavor = "multi_thread")]
async fn stripe_customer_matches_stripe_python() {
    let ours = forwarded_sign_up("stripe").await;
    let theirs = golden("stripe", "customer_create");
    assert_eq!(ours["method"], "POST");
    assert_eq!(ours["path"], theirs["path"]);
    for h in [
        "authorization",
        "idempotency-key",
        "stripe-version",
        "content-type",
    ] {
        assert_eq!(ours["headers"][h], theirs["headers"][h], "header {h}");
    }
    assert_eq!(theirs["headers"]["stripe-version"], STRIPE_API_VERSION);
    let their_pairs: Vec<Value> = theirs["body"]["text"]
        .as_str()
        .unwrap()
        .split('&')
        .map(|p| {
            let (k, v) = p.split_once('=').unwrap();
            let v = v.replace('+', " ").replace("%40", "@");
            json!([k, v])
        })
        .collect();
    assert_eq!(
        ours["body"]["form"],
        Value::Array(their_pairs),
        "ordered form pairs"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn ga4_sign_up_matches_the_measurement_protocol_reference() {
    let ours = forwarded_sign_up("ga4").await;
    let theirs = golden("ga4", "reference_collect");
    assert_eq!(ours["path"], "/mp/collect");
    assert_eq!(
        ours["query"],
        json!([
            ["measurement_id", "G-TEST123456"],
            ["api_secret", "ga4_api_secret_TEST"]
        ])
    );
    assert_eq!(
        ours["headers"]["content-type"],
        theirs["headers"]["content-type"]
    );

    let mut ours = ours["body"]["json"].clone();
    let mut theirs = theirs["body"]["json"].clone();
    // Server events have no browser cookie: our client_id is derived from the user id, in GA's
    // `<digits>.<digits>` shape.
    let client_id = ours["client_id"].as_str().unwrap().to_owned();
    assert!(
        client_id.split('.').count() == 2
            && client_id
                .replace('.', "")
                .chars()
                .all(|c| c.is_ascii_digit())
    );
    remove(&mut ours, &["client_id"]);
    remove(&mut theirs, &["client_id"]);
    // The capture's app set `user_properties.plan`; an auth event has no such data.
    remove(&mut theirs, &["user_properties"]);
    for body in [&mut ours, &mut theirs] {
        for e in body["events"].as_array_mut().unwrap() {
            remove(e, &["params", "session_id"]); // volatile
            remove(e, &["params", "engagement_time_msec"]); // volatile
        }
    }
    assert_eq!(ours, theirs);
}
