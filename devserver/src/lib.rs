//! # banata-devserver
//!
//! A local stand-in for a managed Banata project, for examples and tests. It answers as Better
//! Auth 1.4.21 (the version the platform pins) with the platform's defaults, e-mail
//! verification required and the origin checks included, and a differential test holds it to a
//! real 1.4.21 server: the e-mail/password and session endpoints (cookie, `set-auth-token` and
//! bearer sessions, argon2 password hashes), the api-key routes (keys stored hashed), the add-on
//! configuration with the platform's merge semantics, permissions and audit entries, a dev
//! mailbox, and stand-ins for the add-on services (GA4, Segment, PostHog, Stripe) that record
//! what they receive. Storage is SQLite, in memory or in a file.
//!
//! ```no_run
//! # async fn run() -> std::io::Result<()> {
//! let server = banata_devserver::DevServer::start(Default::default()).await?;
//! println!("{} (admin key {})", server.url(), server.admin_api_key());
//! # Ok(()) }
//! ```
//!
//! Development only: it binds loopback, keeps one project and exposes `/__dev/` helpers.

#![warn(missing_docs)]

mod access;
mod crypto;
mod http;
pub mod mailbox;
mod oidc;
mod origin;
mod routes;
mod schema;
mod store;

use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;

use tokio::net::TcpListener;
use tokio::sync::oneshot;
use tokio::task::JoinHandle;

pub use oidc::SocialProviderConfig;
pub use store::PROJECT_ID;
use store::{ApiKeyRow, NewApiKey, Store};

/// Prefix of the API keys the devserver issues.
pub const API_KEY_PREFIX: &str = "bnt_dev_";

/// How to start a devserver. The defaults are the platform's: e-mail verification required,
/// the server's own URL and loopback (any port) as trusted origins.
#[derive(Clone, Debug)]
pub struct DevServerConfig {
    /// Port on 127.0.0.1; 0 (the default) picks a free one.
    pub port: u16,
    /// SQLite file; `None` keeps everything in memory.
    pub db_path: Option<PathBuf>,
    /// Use this admin key instead of a fresh random one (it must be at least 32 characters).
    pub admin_api_key: Option<String>,
    /// Whether sign-in needs a verified e-mail address (`true`, the platform's default): sign-up
    /// then answers `token: null` without a session and mails a verification link, and signing
    /// in before following it is 403 `EMAIL_NOT_VERIFIED`.
    pub require_email_verification: bool,
    /// Serve Better Auth's two-factor plugin (TOTP, mailed one-time codes, backup codes), which
    /// managed projects have off: users get `twoFactorEnabled`, and a sign-in of a user with it on
    /// waits for the second factor.
    pub two_factor: bool,
    /// Serve Better Auth's email-OTP plugin (codes by mail to sign in, verify the address or
    /// reset the password), which managed projects have off.
    pub email_otp: bool,
    /// Serve Better Auth's magic-link plugin (a sign-in link by mail), which managed projects
    /// have off.
    pub magic_link: bool,
    /// Origins trusted beside the server's own URL and `http://localhost:*`/`http://127.0.0.1:*`,
    /// as Better Auth's `trustedOrigins` patterns (`https://app.example.com`, `*.example.com`).
    pub trusted_origins: Vec<String>,
    /// How long mailed one-time codes and sign-in links live, in seconds, instead of Better
    /// Auth's defaults (five minutes for email-OTP codes and magic links, three for two-factor
    /// codes): set it low to test how an app handles expired ones.
    pub code_lifetime_seconds: Option<u64>,
    /// Confirm account deletions by mail, as Better Auth does with
    /// `sendDeleteAccountVerification`: `/delete-user` mails a link (a day) to
    /// `/delete-user/callback`, which deletes. Off by default: deletion is immediate.
    pub confirm_deletion_by_mail: bool,
    /// Social providers for `/sign-in/social`, each an OpenID Connect issuer with a client
    /// registered there (none by default: every provider is then `PROVIDER_NOT_FOUND`).
    pub social_providers: Vec<SocialProviderConfig>,
}

impl Default for DevServerConfig {
    fn default() -> Self {
        DevServerConfig {
            port: 0,
            db_path: None,
            admin_api_key: None,
            require_email_verification: true,
            two_factor: false,
            email_otp: false,
            magic_link: false,
            trusted_origins: Vec::new(),
            code_lifetime_seconds: None,
            confirm_deletion_by_mail: false,
            social_providers: Vec::new(),
        }
    }
}

#[derive(Clone)]
pub(crate) struct AppState {
    store: Store,
    secret: Arc<Vec<u8>>,
    sinks: Arc<routes::sinks::Sinks>,
    mailbox: Arc<mailbox::Mailbox>,
    faults: Arc<routes::faults::Faults>,
    origins: Arc<origin::TrustedOrigins>,
    require_email_verification: bool,
    two_factor: bool,
    email_otp: bool,
    magic_link: bool,
    code_lifetime_ms: Option<i64>,
    confirm_deletion_by_mail: bool,
    signing_keys: Arc<routes::session_jwt::SigningKeys>,
    providers: Arc<oidc::Providers>,
}

impl AppState {
    /// The lifetime of a mailed code or link: the configured one, else Better Auth's `default_ms`.
    pub(crate) fn code_lifetime_ms(&self, default_ms: i64) -> i64 {
        self.code_lifetime_ms.unwrap_or(default_ms)
    }

    /// Issues a new API key with `permissions`; returns the key (shown once) and its row.
    pub(crate) fn new_api_key(
        &self,
        name: &str,
        permissions: &[String],
    ) -> rusqlite::Result<(String, ApiKeyRow)> {
        let key = crypto::new_api_key(API_KEY_PREFIX);
        let row = self.store.insert_api_key(
            &key,
            NewApiKey {
                name: Some(name.to_owned()),
                permissions: permissions.to_vec(),
                project_id: Some(PROJECT_ID.to_owned()),
                ..Default::default()
            },
        )?;
        Ok((key, row))
    }
}

/// Starts devservers.
pub struct DevServer;

impl DevServer {
    /// Opens the database, seeds an admin API key and starts serving on 127.0.0.1. Must be
    /// called inside a tokio runtime; the server stops when the handle is dropped.
    pub async fn start(config: DevServerConfig) -> std::io::Result<DevServerHandle> {
        let store = Store::open(config.db_path.as_deref()).map_err(std::io::Error::other)?;
        let secret = store
            .meta_or_insert("secret", || crypto::random_token(48))
            .map_err(std::io::Error::other)?;
        let listener = TcpListener::bind(("127.0.0.1", config.port)).await?;
        let addr = listener.local_addr()?;
        let state = AppState {
            store,
            secret: Arc::new(secret.into_bytes()),
            sinks: Arc::default(),
            mailbox: Arc::default(),
            faults: Arc::default(),
            origins: Arc::new(origin::TrustedOrigins::new(
                &format!("http://{addr}"),
                &config.trusted_origins,
            )),
            require_email_verification: config.require_email_verification,
            two_factor: config.two_factor,
            email_otp: config.email_otp,
            magic_link: config.magic_link,
            code_lifetime_ms: config
                .code_lifetime_seconds
                .map(|s| i64::try_from(s.saturating_mul(1000)).unwrap_or(i64::MAX)),
            confirm_deletion_by_mail: config.confirm_deletion_by_mail,
            signing_keys: Arc::default(),
            providers: Arc::new(oidc::Providers::new(&config.social_providers)),
        };
        let admin_api_key = match config.admin_api_key {
            Some(key) if key.len() < 32 => {
                return Err(std::io::Error::new(
                    std::io::ErrorKind::InvalidInput,
                    "the admin API key must be at least 32 characters",
                ));
            }
            Some(key) => {
                if state
                    .store
                    .api_key(&key)
                    .map_err(std::io::Error::other)?
                    .is_none()
                {
                    state
                        .store
                        .insert_api_key(
                            &key,
                            NewApiKey {
                                name: Some("admin (seeded)".to_owned()),
                                permissions: vec!["*".to_owned()],
                                project_id: Some(PROJECT_ID.to_owned()),
                                ..Default::default()
                            },
                        )
                        .map_err(std::io::Error::other)?;
                }
                key
            }
            None => {
                state
                    .new_api_key("admin (seeded)", &["*".to_owned()])
                    .map_err(std::io::Error::other)?
                    .0
            }
        };
        let (stop_tx, stop_rx) = oneshot::channel::<()>();
        let app = routes::router(state.clone());
        let task = tokio::spawn(async move {
            let served = axum::serve(listener, app)
                .with_graceful_shutdown(async {
                    let _ = stop_rx.await;
                })
                .await;
            if let Err(e) = served {
                tracing::error!("devserver stopped: {e}");
            }
        });
        Ok(DevServerHandle {
            addr,
            admin_api_key,
            state,
            stop: Some(stop_tx),
            task: Some(task),
        })
    }
}

/// A running devserver. Dropping it stops the server.
pub struct DevServerHandle {
    addr: SocketAddr,
    admin_api_key: String,
    state: AppState,
    stop: Option<oneshot::Sender<()>>,
    task: Option<JoinHandle<()>>,
}

impl DevServerHandle {
    /// The mails the server would have sent to `to`, oldest first.
    pub fn mailbox(&self, to: &str) -> Vec<mailbox::Mail> {
        self.state.mailbox.to(Some(to))
    }

    /// The base URL, e.g. `http://127.0.0.1:41234`.
    pub fn url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// The bound address.
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// The seeded API key holding every permission.
    pub fn admin_api_key(&self) -> &str {
        &self.admin_api_key
    }

    /// The base URL of the stand-in for an add-on service: `"ga4"`, `"segment"`, `"posthog"` or
    /// `"stripe"` (e.g. `http://127.0.0.1:41234/__sinks/segment`).
    pub fn sink_url(&self, service: &str) -> String {
        format!("{}/__sinks/{service}", self.url())
    }

    /// The requests the `service` sink received (decoded, oldest first), as `GET /__dev/sinks`
    /// lists them.
    pub fn sink_requests(&self, service: &str) -> Vec<serde_json::Value> {
        self.state.sinks.received(service)
    }

    /// The project every key belongs to.
    pub fn project_id(&self) -> &'static str {
        PROJECT_ID
    }

    /// Issues an API key holding just `permissions` (e.g. `["dashboard.read"]`).
    pub fn create_api_key(&self, name: &str, permissions: &[&str]) -> std::io::Result<String> {
        let permissions: Vec<String> = permissions.iter().map(|p| (*p).to_owned()).collect();
        self.state
            .new_api_key(name, &permissions)
            .map(|(key, _)| key)
            .map_err(std::io::Error::other)
    }

    /// Stops accepting connections and waits for open requests to finish.
    pub async fn shutdown(mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        if let Some(task) = self.task.take() {
            let _ = task.await;
        }
    }
}

impl Drop for DevServerHandle {
    fn drop(&mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
    }
}

impl std::fmt::Debug for DevServerHandle {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("DevServerHandle")
            .field("url", &self.url())
            .field("admin_api_key", &"<redacted>")
            .finish()
    }
}
