//! Quickstart: sign up, sign in, read the session, list sessions, read and save the add-on
//! configuration, and print every auth event.
//!
//! With no configuration it starts the local devserver in-process. Set `BANATA_BASE_URL` and
//! `BANATA_API_KEY` to run the same steps against a real deployment.
//!
//! ```sh
//! cargo run -p banata-auth-examples --bin quickstart
//! ```

use std::time::Duration;

use banata_auth::{AddonConfigUpdate, AddonId, Client, EventFilter, SignInEmail, SignUpEmail};
use banata_devserver::{DevServer, DevServerHandle};

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    // Keep the devserver alive for the whole run (dropping the handle stops it).
    let (client, _devserver): (Client, Option<DevServerHandle>) =
        match std::env::var("BANATA_BASE_URL") {
            Ok(_) => (Client::builder_from_env()?.build()?, None),
            Err(_) => {
                let server = DevServer::start(Default::default()).await?;
                println!("devserver  {} (in-process, in-memory)", server.url());
                let client = Client::builder(server.url())
                    .api_key(server.admin_api_key())
                    .build()?;
                (client, Some(server))
            }
        };

    let _events = client.on(EventFilter::All, |event| {
        println!("  event    {}", event.to_json());
    });

    let email = format!("ada+{}@example.com", std::process::id());
    let password = "correct horse battery staple";

    let signed_up = client
        .auth()
        .sign_up_email(SignUpEmail::new("Ada Lovelace", &email, password))
        .await?;
    println!("sign-up    user {} <{}>", signed_up.user.id, email);

    client.auth().sign_out().await?;
    let signed_in = client
        .auth()
        .sign_in_email(SignInEmail::new(&email, password))
        .await?;
    println!("sign-in    token stored: {}", signed_in.token.is_some());

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

    let before = client.addons().get().await?;
    println!("addons     before: {}", enabled_list(&before));
    let after = client
        .addons()
        .save(
            AddonConfigUpdate::new()
                .enable(AddonId::SEGMENT)
                .enable(AddonId::POSTHOG),
        )
        .await?;
    println!("addons     after:  {}", enabled_list(&after));

    client.auth().sign_out().await?;
    println!("sign-out   done");

    // Events are delivered on their own thread; give the last ones a moment to print.
    tokio::time::sleep(Duration::from_millis(100)).await;
    Ok(())
}

fn enabled_list(config: &banata_auth::AddonConfig) -> String {
    let enabled: Vec<String> = config.enabled_ids().map(|id| id.to_string()).collect();
    format!("enabled [{}]", enabled.join(", "))
}
