//! `banata-devserver`: run the local Banata-compatible server.
//!
//! Prints `READY <url>` and `ADMIN_API_KEY <key>` on stdout once it accepts connections, so a
//! test harness can start it with `--port 0` and read where it listens.

use std::io::Write;
use std::path::PathBuf;

use banata_devserver::{DevServer, DevServerConfig};
use clap::Parser;

/// Local Banata-compatible server (development only; binds 127.0.0.1).
#[derive(Parser, Debug)]
#[command(version, about)]
struct Args {
    /// Port to listen on; 0 picks a free one.
    #[arg(long, default_value_t = 4000)]
    port: u16,
    /// SQLite database file; in memory when omitted.
    #[arg(long)]
    db: Option<PathBuf>,
    /// Use this admin API key (default: a fresh random one, printed on start).
    #[arg(long, env = "BANATA_DEV_ADMIN_KEY", hide_env_values = true)]
    admin_key: Option<String>,
    /// Let users sign in before verifying their e-mail address (the platform requires it).
    #[arg(long)]
    no_email_verification: bool,
    /// Serve the two-factor plugin (TOTP, mailed codes, backup codes); managed projects have it
    /// off.
    #[arg(long)]
    two_factor: bool,
    /// Serve the email-OTP plugin (codes by mail); managed projects have it off.
    #[arg(long)]
    email_otp: bool,
    /// Serve the magic-link plugin (sign-in links by mail); managed projects have it off.
    #[arg(long)]
    magic_link: bool,
    /// Trust this origin too (repeatable), as Better Auth's `trustedOrigins`: an origin such as
    /// `https://app.example.com` or a pattern such as `*.example.com`. The server's own URL and
    /// `http://localhost:*`, `http://127.0.0.1:*` are always trusted.
    #[arg(long = "trusted-origin", value_name = "ORIGIN")]
    trusted_origins: Vec<String>,
    /// Mailed one-time codes and sign-in links expire after this many seconds (Better Auth's
    /// defaults: 300 for email-OTP codes and magic links, 180 for two-factor codes), to test how
    /// an app handles expired ones.
    #[arg(long, value_name = "SECONDS")]
    code_lifetime: Option<u64>,
    /// Confirm account deletions by mail: `/delete-user` mails a link to
    /// `/delete-user/callback` instead of deleting at once.
    #[arg(long)]
    confirm_deletion_by_mail: bool,
    /// Offer a social provider backed by an OpenID Connect issuer (repeatable):
    /// `id=google,issuer=https://accounts.google.com,client-id=…,client-secret=…` with
    /// optional `scopes=openid email profile`. Register `<server>/api/auth/callback/<id>` as the
    /// client's redirect URI. Also `BANATA_DEV_SOCIAL_PROVIDER` (one provider).
    #[arg(
        long = "social-provider",
        value_name = "SPEC",
        env = "BANATA_DEV_SOCIAL_PROVIDER",
        hide_env_values = true
    )]
    social_providers: Vec<banata_devserver::SocialProviderConfig>,
}

#[tokio::main]
async fn main() -> std::io::Result<()> {
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env().unwrap_or_else(|_| "warn".into()),
        )
        .with_writer(std::io::stderr)
        .init();
    let args = Args::parse();
    let server = DevServer::start(DevServerConfig {
        port: args.port,
        db_path: args.db,
        admin_api_key: args.admin_key,
        require_email_verification: !args.no_email_verification,
        two_factor: args.two_factor,
        email_otp: args.email_otp,
        magic_link: args.magic_link,
        trusted_origins: args.trusted_origins,
        code_lifetime_seconds: args.code_lifetime,
        confirm_deletion_by_mail: args.confirm_deletion_by_mail,
        social_providers: args.social_providers,
    })
    .await?;
    {
        let mut out = std::io::stdout().lock();
        writeln!(out, "READY {}", server.url())?;
        writeln!(out, "ADMIN_API_KEY {}", server.admin_api_key())?;
        out.flush()?;
    }
    shutdown_signal().await;
    server.shutdown().await;
    Ok(())
}

async fn shutdown_signal() {
    let ctrl_c = tokio::signal::ctrl_c();
    #[cfg(unix)]
    {
        let mut term = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate())
            .expect("SIGTERM handler");
        tokio::select! {
            _ = ctrl_c => {}
            _ = term.recv() => {}
        }
    }
    #[cfg(not(unix))]
    {
        let _ = ctrl_c.await;
    }
}
