//! Flat forwarding options, the shape the language bindings expose (keyword arguments in Python,
//! an options object in JavaScript, a record in Swift and Kotlin), turned into a
//! [`ForwardingConfig`] in one place so every binding behaves the same.

use std::fmt;
use std::time::Duration;

use super::{ForwardingConfig, Ga4Config, PostHogConfig, SegmentConfig, StripeConfig};
use crate::error::{Error, ErrorKind, Result};

/// Overrides on top of the environment (or of nothing, with `from_env = false`).
///
/// A credential given here replaces the one from the environment; a base URL or host given here
/// applies to the credential in effect, whichever side it came from.
#[derive(Clone, Default)]
pub struct ForwardingOptions {
    /// Start from [`ForwardingConfig::from_env`] (the bindings default this to `true`).
    pub from_env: bool,
    /// The GA4 measurement id (`G-…`).
    pub ga_measurement_id: Option<String>,
    /// GA4's Measurement Protocol API secret (redacted in `Debug`).
    pub ga_api_secret: Option<String>,
    /// GA4's Measurement Protocol URL (a stand-in's, in tests).
    pub ga_base_url: Option<String>,
    /// Segment's write key (redacted in `Debug`).
    pub segment_write_key: Option<String>,
    /// Segment's API URL (a stand-in's, in tests).
    pub segment_base_url: Option<String>,
    /// PostHog's project API key (redacted in `Debug`).
    pub posthog_api_key: Option<String>,
    /// PostHog's host (a stand-in's, in tests).
    pub posthog_host: Option<String>,
    /// Stripe's secret key (redacted in `Debug`).
    pub stripe_secret_key: Option<String>,
    /// Stripe's API URL (a stand-in's, in tests).
    pub stripe_base_url: Option<String>,
    /// Send the user's e-mail address to add-ons.
    pub send_email: bool,
    /// Send the client IP address when an event carries one.
    pub send_ip: bool,
    /// Messages each destination may hold (default 10,000).
    pub queue_capacity: Option<usize>,
    /// Longest time a message waits for its batch to fill (default 1 s).
    pub flush_interval: Option<Duration>,
    /// Compress Segment and PostHog bodies.
    pub gzip: bool,
}

impl ForwardingConfig {
    /// The configuration these options describe.
    ///
    /// Fails with [`ErrorKind::Configuration`] when only half of the GA4 credential pair is
    /// given and the environment does not supply the other half, or when `queue_capacity` is 0.
    pub fn from_options(options: ForwardingOptions) -> Result<Self> {
        let mut config = if options.from_env {
            ForwardingConfig::from_env()
        } else {
            ForwardingConfig::default()
        };
        match (options.ga_measurement_id, options.ga_api_secret) {
            (Some(measurement_id), Some(api_secret)) => {
                config.ga4 = Some(Ga4Config {
                    measurement_id,
                    api_secret,
                    base_url: Ga4Config::DEFAULT_BASE_URL.into(),
                });
            }
            (Some(measurement_id), None) => match config.ga4.as_mut() {
                Some(ga4) => ga4.measurement_id = measurement_id,
                None => return Err(half_pair("GA4 measurement id", "API secret")),
            },
            (None, Some(api_secret)) => match config.ga4.as_mut() {
                Some(ga4) => ga4.api_secret = api_secret,
                None => return Err(half_pair("GA4 API secret", "measurement id")),
            },
            (None, None) => {}
        }
        if let (Some(ga4), Some(url)) = (config.ga4.as_mut(), options.ga_base_url) {
            ga4.base_url = url;
        }
        if let Some(write_key) = options.segment_write_key {
            config.segment = Some(SegmentConfig {
                write_key,
                base_url: SegmentConfig::DEFAULT_BASE_URL.into(),
            });
        }
        if let (Some(segment), Some(url)) = (config.segment.as_mut(), options.segment_base_url) {
            segment.base_url = url;
        }
        if let Some(api_key) = options.posthog_api_key {
            config.posthog = Some(PostHogConfig {
                api_key,
                host: PostHogConfig::DEFAULT_HOST.into(),
            });
        }
        if let (Some(posthog), Some(host)) = (config.posthog.as_mut(), options.posthog_host) {
            posthog.host = host;
        }
        if let Some(secret_key) = options.stripe_secret_key {
            // Given explicitly, a publishable key is a mistake to report, not to warn about.
            if secret_key.starts_with("pk_") {
                return Err(Error::configuration(
                    "the Stripe key is a publishable key (pk_…); forwarding to Stripe needs a \
                     secret (sk_…) or restricted (rk_…) key",
                ));
            }
            config.stripe = Some(StripeConfig {
                secret_key,
                base_url: StripeConfig::DEFAULT_BASE_URL.into(),
            });
        }
        if let (Some(stripe), Some(url)) = (config.stripe.as_mut(), options.stripe_base_url) {
            stripe.base_url = url;
        }
        config.data_policy.send_email = options.send_email;
        config.data_policy.send_ip = options.send_ip;
        if let Some(capacity) = options.queue_capacity {
            if capacity == 0 {
                return Err(Error::new(
                    ErrorKind::Configuration,
                    "queue capacity must be at least 1",
                ));
            }
            config.queue_capacity = capacity;
        }
        if let Some(interval) = options.flush_interval {
            config.flush_interval = interval;
        }
        config.gzip = options.gzip;
        Ok(config)
    }
}

fn half_pair(given: &str, missing: &str) -> Error {
    Error::new(
        ErrorKind::Configuration,
        format!(
            "{given} given without the {missing} (set both, or GA_MEASUREMENT_ID and GA_API_SECRET)"
        ),
    )
}

impl fmt::Debug for ForwardingOptions {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let redacted = |s: &Option<String>| s.as_ref().map(|_| "<redacted>");
        f.debug_struct("ForwardingOptions")
            .field("from_env", &self.from_env)
            .field("ga_measurement_id", &self.ga_measurement_id)
            .field("ga_api_secret", &redacted(&self.ga_api_secret))
            .field("ga_base_url", &self.ga_base_url)
            .field("segment_write_key", &redacted(&self.segment_write_key))
            .field("segment_base_url", &self.segment_base_url)
            .field("posthog_api_key", &redacted(&self.posthog_api_key))
            .field("posthog_host", &self.posthog_host)
            .field("stripe_secret_key", &redacted(&self.stripe_secret_key))
            .field("stripe_base_url", &self.stripe_base_url)
            .field("send_email", &self.send_email)
            .field("send_ip", &self.send_ip)
            .field("queue_capacity", &self.queue_capacity)
            .field("flush_interval", &self.flush_interval)
            .field("gzip", &self.gzip)
            .finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn explicit() -> ForwardingOptions {
        ForwardingOptions {
            from_env: false,
            ..Default::default()
        }
    }

    #[test]
    fn explicit_credentials_and_hosts_apply() {
        let config = ForwardingConfig::from_options(ForwardingOptions {
            segment_write_key: Some("wk".into()),
            segment_base_url: Some("http://127.0.0.1:9/segment".into()),
            posthog_api_key: Some("phc".into()),
            ga_measurement_id: Some("G-1".into()),
            ga_api_secret: Some("s".into()),
            queue_capacity: Some(5),
            flush_interval: Some(Duration::from_millis(20)),
            send_email: true,
            gzip: true,
            ..explicit()
        })
        .unwrap();
        let segment = config.segment.unwrap();
        assert_eq!(segment.write_key, "wk");
        assert_eq!(segment.base_url, "http://127.0.0.1:9/segment");
        assert_eq!(config.posthog.unwrap().host, PostHogConfig::DEFAULT_HOST);
        assert_eq!(config.ga4.unwrap().measurement_id, "G-1");
        assert!(config.stripe.is_none());
        assert_eq!(config.queue_capacity, 5);
        assert_eq!(config.flush_interval, Duration::from_millis(20));
        assert!(config.data_policy.send_email && !config.data_policy.send_ip);
        assert!(config.gzip);
    }

    #[test]
    fn half_a_ga4_pair_and_zero_capacity_are_configuration_errors() {
        let err = ForwardingConfig::from_options(ForwardingOptions {
            ga_api_secret: Some("top-secret".into()),
            ..explicit()
        })
        .unwrap_err();
        assert_eq!(err.kind(), ErrorKind::Configuration);
        assert!(!err.to_string().contains("top-secret"));
        let err = ForwardingConfig::from_options(ForwardingOptions {
            queue_capacity: Some(0),
            ..explicit()
        })
        .unwrap_err();
        assert_eq!(err.kind(), ErrorKind::Configuration);
    }

    #[test]
    fn debug_redacts_credentials() {
        let options = ForwardingOptions {
            segment_write_key: Some("wk-secret".into()),
            stripe_secret_key: Some("sk_test_secret".into()),
            ..explicit()
        };
        let shown = format!("{options:?}");
        assert!(!shown.contains("wk-secret") && !shown.contains("sk_test_secret"));
    }
}
