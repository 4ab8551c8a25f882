//! Add-ons: third-party services (Google Analytics 4, Segment, Stripe, PostHog) that an admin
//! switches on and off per project.

mod config;

pub use config::{AddonConfig, AddonConfigUpdate, AddonId, AddonSettings, Addons};
