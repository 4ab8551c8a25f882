//! Quickstart: switch add-ons on and off, sign up, sign in, read the session, list sessions, sign
//! out — printing every auth event, and what each enabled add-on was sent.
//!
//! With no configuration it starts the local devserver in-process, whose stand-ins for Segment,
//! PostHog, GA4 and Stripe record what they receive. Set `BANATA_BASE_URL` and `BANATA_API_KEY`
//! (and the add-on credentials, e.g. `SEGMENT_WRITE_KEY`) to run the same steps against a real
//! deployment.
//!
//! ```sh
//! cargo run -p banata-auth-examples --bin quickstart
//! ```

use std::time::Duration;

use banata_auth::addons::{
    Forwarder, ForwardingConfig, Ga4Config, PostHogConfig, SegmentConfig, StripeConfig,
};
use banata_auth::{
    AddonConfigUpdate, AddonId, Client, EventFilter, SignInEmail, SignInResult, SignUpEmail,
    VerifyEmail,
};
use banata_devserver::{DevServer, DevServerHandle};

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    // Keep the devserver alive for the whole run (dropping the handle stops it).
    let (client, forwarding, devserver) = match std::env::var("BANATA_BASE_URL") {
        Ok(_) => (
            Client::builder_from_env()?.build()?,
            ForwardingConfig::from_env(),
            None,
        ),
        Err(_) => {
            let server = DevServer::start(Default::default()).await?;
            println!("devserver  {} (in-process, in-memory)", server.url());
            let client = Client::builder(server.url())
                .api_key(server.admin_api_key())
                .build()?;
            (client, sinks(&server), Some(server))
        }
    };

    let _events = client.on(EventFilter::All, |event| {
        println!("  event    {}", event.to_json());
    });

    // What the dashboard's add-on page does: read, then switch some on and one off.
    let before = client.addons().get().await?;
    println!("addons     before: {}", enabled_list(&before));
    let after = client
        .addons()
        .save(
            AddonConfigUpdate::new()
                .enable(AddonId::SEGMENT)
                .enable(AddonId::POSTHOG)
                .disable(AddonId::GOOGLE_ANALYTICS),
        )
        .await?;
    println!("addons     after:  {}", enabled_list(&after));

    // From here on, the enabled add-ons receive the auth events.
    let forwarder = Forwarder::start(&client, forwarding)?;

    let email = format!("ada+{}@example.com", std::process::id());
    let password = "correct horse battery staple";
    let signed_up = client
        .auth()
        .sign_up_email(SignUpEmail::new("Ada Lovelace", &email, password))
        .await?;
    println!("sign-up    user {} <{}>", signed_up.user.id, email);

    // Projects require a verified e-mail address before the first sign-in, so sign-up starts
    // no session; it mails a link instead. The devserver keeps that mail in its dev mailbox.
    if signed_up.token.is_none() {
        let Some(server) = &devserver else {
            println!("sign-up    verification required: follow the link mailed to {email}");
            return Ok(());
        };
        let mail = server
            .mailbox(&email)
            .pop()
            .ok_or("the devserver mailed no verification link")?;
        println!(
            "mailbox    {}: {}",
            mail.subject,
            mail.url.split('?').next().unwrap_or_default()
        );
        let verified = client
            .auth()
            .verify_email(VerifyEmail::new(&mail.token))
            .await?;
        println!("verify     e-mail verified: {}", verified.status);
    }

    // A sign-in either completes or says which step comes first.
    match client
        .auth()
        .sign_in_email(SignInEmail::new(&email, password))
        .await?
    {
        SignInResult::SignedIn(signed_in) => {
            println!("sign-in    token stored: {}", signed_in.token.is_some());
        }
        SignInResult::VerificationRequired(next) => {
            println!("sign-in    verify {} first", next.email);
            return Ok(());
        }
        SignInResult::SecondFactorRequired(_) => {
            println!("sign-in    a second factor is required");
            return Ok(());
        }
    }

    if let Some(current) = client.auth().get_session().await? {
        println!(
            "session    {} for {} until {}",
            current.session.id,
            current.user.name.as_deref().unwrap_or("?"),
            current
                .session
                .expires_at
                .map(|t| t.to_string())
                .unwrap_or_default()
        );
    }
    let sessions = client.auth().list_sessions().await?;
    println!("sessions   {} active", sessions.len());

    client.auth().sign_out().await?;
    println!("sign-out   done");

    // Deliver everything before exiting.
    forwarder.shutdown(Duration::from_secs(10)).await?;
    let stats = forwarder.stats();
    println!(
        "forwarded  sent {} messages, {} failed, {} dropped",
        stats.sent, stats.failed, stats.dropped
    );
    if let Some(server) = &devserver {
        for (addon, sink) in [
            (AddonId::SEGMENT, "segment"),
            (AddonId::POSTHOG, "posthog"),
            (AddonId::GOOGLE_ANALYTICS, "ga4"),
        ] {
            let requests = server.sink_requests(sink);
            let state = if after.is_enabled(&addon) {
                "enabled"
            } else {
                "disabled"
            };
            println!(
                "  {:<17} {state:<8} received: {} ({} requests)",
                addon.as_str(),
                summarize(sink, &requests),
                requests.len()
            );
        }
    }
    Ok(())
}

/// Credentials for the devserver's stand-ins (placeholders: the sinks accept anything).
fn sinks(server: &DevServerHandle) -> ForwardingConfig {
    ForwardingConfig {
        ga4: Some(Ga4Config {
            measurement_id: "G-DEV".into(),
            api_secret: "dev-secret".into(),
            base_url: server.sink_url("ga4"),
        }),
        segment: Some(SegmentConfig {
            write_key: "dev-write-key".into(),
            base_url: server.sink_url("segment"),
        }),
        posthog: Some(PostHogConfig {
            api_key: "phc_dev".into(),
            host: server.sink_url("posthog"),
        }),
        stripe: Some(StripeConfig {
            secret_key: "sk_test_dev".into(),
            base_url: server.sink_url("stripe"),
        }),
        flush_interval: Duration::from_millis(200),
        ..ForwardingConfig::default()
    }
}

fn enabled_list(config: &banata_auth::AddonConfig) -> String {
    let enabled: Vec<String> = config.enabled_ids().map(|id| id.to_string()).collect();
    format!("enabled [{}]", enabled.join(", "))
}

/// The event names inside what a sink received.
fn summarize(sink: &str, requests: &[serde_json::Value]) -> String {
    let names: Vec<String> = requests
        .iter()
        .flat_map(|r| {
            let body = &r["body"]["json"];
            let items = match sink {
                "ga4" => body["events"].as_array().cloned().unwrap_or_default(),
                _ => body["batch"].as_array().cloned().unwrap_or_default(),
            };
            items.into_iter().map(|m| {
                let name = m["event"]
                    .as_str()
                    .or(m["name"].as_str())
                    .or(m["type"].as_str());
                name.unwrap_or("?").to_owned()
            })
        })
        .collect();
    if names.is_empty() {
        "-".to_owned()
    } else {
        names.join(", ")
    }
}
