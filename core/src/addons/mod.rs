//! Add-ons: third-party services (Google Analytics 4, Segment, Stripe, PostHog) that an admin
//! switches on and off per project, and the forwarding of auth events to them.

mod config;
mod forwarding;

pub use config::{AddonConfig, AddonConfigUpdate, AddonId, AddonSettings, Addons};
pub use forwarding::{
    DataPolicy, DestinationStats, Forwarder, ForwardingConfig, ForwardingError,
    ForwardingErrorCallback, ForwardingOptions, ForwardingStats, Ga4Config, PostHogConfig,
    STRIPE_API_VERSION, SegmentConfig, StripeConfig,
};
