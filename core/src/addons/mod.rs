//! Add-ons: third-party services (Google Analytics 4, Segment, Stripe, PostHog) that an admin
//! switches on and off per project, and the forwarding of auth events to them.
//!
//! A [`Forwarder`] delivers the client's auth events to the add-ons an admin enabled:
//!
//! ```no_run
//! # async fn run(client: banata_auth::Client) -> banata_auth::Result<()> {
//! use std::time::Duration;
//! use banata_auth::addons::{Forwarder, ForwardingConfig};
//! // Credentials from GA_MEASUREMENT_ID/GA_API_SECRET, SEGMENT_WRITE_KEY, POSTHOG_API_KEY/
//! // POSTHOG_HOST and STRIPE_SECRET_KEY; which add-ons are on comes from the dashboard.
//! let forwarder = Forwarder::start(&client, ForwardingConfig::from_env())?;
//! // ... sign users up and in ...
//! forwarder.shutdown(Duration::from_secs(5)).await?;
//! # Ok(()) }
//! ```

mod config;
mod forwarding;

pub use config::{AddonConfig, AddonConfigUpdate, AddonId, AddonSettings, Addons};
pub use forwarding::{
    DataPolicy, DestinationStats, Forwarder, ForwardingConfig, ForwardingError,
    ForwardingErrorCallback, ForwardingOptions, ForwardingStats, Ga4Config, PostHogConfig,
    STRIPE_API_VERSION, SegmentConfig, StripeConfig,
};
