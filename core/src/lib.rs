//! # Banata Auth
//!
//! The client for [Banata Auth](https://banata.dev): e-mail and password sign-up and sign-in,
//! sessions, the project's add-on configuration, and typed events for everything that happens.
//!
//! ```no_run
//! use banata_auth::{Client, EventFilter, SignInEmail};
//!
//! # async fn run() -> banata_auth::Result<()> {
//! let client = Client::builder("https://auth.example.com")
//!     .api_key(std::env::var("BANATA_API_KEY").unwrap_or_default())
//!     .build()?;
//! let _events = client.on(EventFilter::All, |event| println!("{}", event.to_json()));
//! let signed_in = client.auth().sign_in_email(SignInEmail::new("ada@example.com", "correct horse")).await?;
//! let session = client.auth().get_session().await?;
//! let addons = client.addons().get().await?;
//! # Ok(()) }
//! ```
//!
//! The same core backs the Node, Python, Swift and Kotlin packages.

#![warn(missing_docs)]
mod account;
pub mod addons;
pub mod api;
mod auth;
mod client;
mod cookie_session;
mod device_cookies;
mod email_otp;
mod error;
pub mod events;
mod http_client;
mod jwks;
mod magic_link;
mod models;
mod multi_session;
mod operations;
mod organizations;
mod retry;
mod session_jwt;
mod session_store;
mod sign_in;
mod social;
mod transport;
mod two_factor;

pub use account::{Account, ChangeEmail, DeleteUser, DeleteUserResult};
pub use addons::{AddonConfig, AddonConfigUpdate, AddonId, AddonSettings, Addons};
pub use auth::{Auth, PasswordResetRequested};
pub use client::{
    Client, ClientBuilder, DEFAULT_MAX_RESPONSE_BYTES, DEFAULT_MAX_RETRIES, DEFAULT_TIMEOUT,
};
pub use cookie_session::{CookieOptions, CookieSession, SetCookie};
pub use email_otp::{
    CheckVerificationOtp, EmailOtp, EmailOtpVerified, RequestPasswordResetOtp, ResetPasswordOtp,
    SendVerificationOtp, Success,
};
pub use error::{Error, ErrorKind, Result};
pub use events::{AuthEvent, EventBusStats, EventData, EventFilter, EventType, Subscription};
pub use jwks::keys_generation;
pub use magic_link::{SignInMagicLink, VerifyMagicLink};
pub use models::{
    AuthResult, ChangePassword, RequestPasswordReset, ResetPassword, RevokeSession,
    SendVerificationEmail, Session, SessionWithUser, SignInEmail, SignUpEmail, Status, Timestamp,
    UpdateUser, User, VerifyEmail, VerifyEmailResult,
};
pub use multi_session::DeviceSession;
pub use organizations::{
    ActiveMemberRoleQuery, CheckSlug, CreateOrganization, GetInvitation, Invitation,
    InvitationAnswer, InvitationId, InvitationList, InviteMember, ListMetadata, Member, MemberList,
    MemberRole, Organization, OrganizationId, OrganizationList, OrganizationSelector,
    Organizations, RemoveMember, RemovedMember, UpdateMemberRole, UpdateOrganization,
};
pub use session_jwt::{
    JwtSettings, JwtSource, SessionJwt, VerifiedSession, session_jwt_from_headers,
};
pub use session_store::{MemorySessionStore, SessionStore, SessionToken};
pub use sign_in::{
    IsUsernameAvailable, OneTimeToken, SecondFactorRequired, SignInResult, SignInUsername,
    UsernameAvailability, VerificationRequired, VerifyOneTimeToken, VerifyPassword,
};
pub use social::{
    AccessToken, AccountInfo, AccountInfoQuery, ProviderAccount, ProviderTokens, SignInSocial,
    SignInWithIdToken, SocialCallback, SocialRedirect,
};
pub use transport::RequestOptions;
pub use two_factor::{BackupCodes, TotpUri, TwoFactorCode, TwoFactorPassword, TwoFactorSetup};
