//! Two-factor sign-in end to end: turn two-factor on for a user, then sign in on another
//! device, which stops for the second factor and completes with a code. The codes here are the
//! one-time codes the server mails (the devserver keeps them in its dev mailbox); a code from
//! an authenticator app (`verify_totp`) or a backup code (`verify_backup_code`) works the same.
//!
//! ```sh
//! cargo run -p banata-auth-examples --bin two_factor
//! ```

use banata_auth::{Client, SignInEmail, SignInResult, SignUpEmail};
use banata_devserver::{DevServer, DevServerConfig, DevServerHandle};

const PASSWORD: &str = "correct horse battery staple";

/// The newest sign-in code mailed to `email` (what the user would read in their inbox).
fn mailed_code(server: &DevServerHandle, email: &str) -> Result<String, &'static str> {
    server
        .mailbox(email)
        .into_iter()
        .rev()
        .find(|m| m.kind == "two-factor-otp")
        .map(|m| m.token)
        .ok_or("no code was mailed")
}

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    // A project with two-factor on (managed projects have it off by default).
    let server = DevServer::start(DevServerConfig {
        require_email_verification: false,
        two_factor: true,
        ..Default::default()
    })
    .await?;
    println!("devserver  {} (two-factor on)", server.url());
    let email = format!("ada+{}@example.com", std::process::id());

    // On the laptop: sign up and turn two-factor on.
    let laptop = Client::new(server.url())?;
    laptop
        .auth()
        .sign_up_email(SignUpEmail::new("Ada Lovelace", &email, PASSWORD))
        .await?;
    let setup = laptop.auth().enable_two_factor(PASSWORD).await?;
    println!(
        "enable     authenticator URI and {} backup codes issued",
        setup.backup_codes.len()
    );
    // Confirming a first code turns it on (the authenticator's would do as well).
    laptop.auth().send_two_factor_otp().await?;
    let on = laptop
        .auth()
        .verify_two_factor_otp(mailed_code(&server, &email)?.as_str())
        .await?;
    println!(
        "confirm    two-factor on: {}",
        on.user
            .extra
            .get("twoFactorEnabled")
            .and_then(|v| v.as_bool())
            == Some(true)
    );

    // On the phone: the password alone is not enough any more.
    let phone = Client::new(server.url())?;
    match phone
        .auth()
        .sign_in_email(SignInEmail::new(&email, PASSWORD))
        .await?
    {
        SignInResult::SecondFactorRequired(_) => println!("sign-in    a second factor is required"),
        other => return Err(format!("expected the second-factor step, got {other:?}").into()),
    }
    phone.auth().send_two_factor_otp().await?;
    let signed_in = phone
        .auth()
        .verify_two_factor_otp(mailed_code(&server, &email)?.as_str())
        .await?;
    println!(
        "verify     signed in as {}",
        signed_in.user.email.as_deref().unwrap_or("?")
    );
    let session = phone.auth().get_session().await?;
    println!(
        "session    {}",
        session.map(|s| s.session.id).unwrap_or_default()
    );
    Ok(())
}
