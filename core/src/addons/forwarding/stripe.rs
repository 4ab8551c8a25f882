//! Stripe: a customer when a user is created, and seat sync when organization members change.
//!
//! - `user.created` → `POST /v1/customers` (`name`, `email` when allowed, `metadata[user_id]`,
//!   `metadata[source]`), `Idempotency-Key: user_created:<user id>`, so a replayed or duplicated
//!   event never makes a second customer.
//! - `member.added` / `member.removed` → `POST /v1/subscription_items/<item>` with the absolute
//!   `quantity`. The host says which item and how many seats: events carry
//!   `data.stripeSubscriptionItemId` and `data.memberCount` (the recounted total), as its own
//!   billing records know them; the key is `seats:<org>:<count>`, so re-sends are harmless.

use std::fmt;

use super::ga4::env_nonempty;
use super::message::{Facts, Message, Moment, Payload};
use super::service::{Batch, Limits, Service};

/// The Stripe API version requests pin (the one the official libraries send).
pub const STRIPE_API_VERSION: &str = "2026-10-28.endive";

/// Stripe credentials: `STRIPE_SECRET_KEY` (`sk_…` or restricted `rk_…`; publishable keys are
/// refused); base URL `STRIPE_BASE_URL`.
#[derive(Clone, Default)]
pub struct StripeConfig {
    /// The secret key (redacted in `Debug`).
    pub secret_key: String,
    /// The service's base URL (a stand-in's, in tests).
    pub base_url: String,
}

impl StripeConfig {
    /// The service's public API URL.
    pub const DEFAULT_BASE_URL: &'static str = "https://api.stripe.com";

    pub(crate) fn from_env() -> Option<Self> {
        Some(StripeConfig {
            secret_key: env_nonempty("STRIPE_SECRET_KEY")?,
            base_url: env_nonempty("STRIPE_BASE_URL")
                .unwrap_or_else(|| Self::DEFAULT_BASE_URL.into()),
        })
    }

    /// Whether the key can make these calls (a publishable `pk_` key cannot).
    pub(crate) fn is_usable(&self) -> bool {
        !self.secret_key.starts_with("pk_")
    }
}

impl fmt::Debug for StripeConfig {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("StripeConfig")
            .field("secret_key", &"<redacted>")
            .field("base_url", &self.base_url)
            .finish()
    }
}

pub(crate) struct Stripe {
    pub config: StripeConfig,
}

impl Service for Stripe {
    fn limits(&self) -> Limits {
        // Stripe has no batch endpoint: one call per message.
        Limits {
            max_messages: 1,
            max_bytes: usize::MAX,
            gzip: false,
        }
    }

    fn map(&self, facts: &Facts) -> Vec<Message> {
        match facts.moment {
            Moment::SignedUp => {
                let mut pairs = Vec::new();
                if let Some(email) = &facts.email {
                    pairs.push(("email".to_owned(), email.clone()));
                }
                if let Some(name) = &facts.name {
                    pairs.push(("name".to_owned(), name.clone()));
                }
                pairs.push(("metadata[user_id]".to_owned(), facts.user_id.clone()));
                pairs.push((
                    "metadata[source]".to_owned(),
                    "auth.user_created".to_owned(),
                ));
                vec![Message::form(
                    "/v1/customers".to_owned(),
                    pairs,
                    format!("user_created:{}", facts.user_id),
                )]
            }
            Moment::MemberAdded | Moment::MemberRemoved => {
                let (Some(item), Some(count), Some(org)) = (
                    &facts.stripe_subscription_item,
                    facts.member_count,
                    &facts.organization_id,
                ) else {
                    tracing::debug!(
                        "member event without stripeSubscriptionItemId/memberCount/organizationId: no seat sync"
                    );
                    return Vec::new();
                };
                vec![Message::form(
                    format!("/v1/subscription_items/{item}"),
                    vec![
                        ("quantity".to_owned(), count.to_string()),
                        (
                            "proration_behavior".to_owned(),
                            "create_prorations".to_owned(),
                        ),
                    ],
                    format!("seats:{org}:{count}"),
                )]
            }
            Moment::SignedIn | Moment::SignedOut => Vec::new(),
        }
    }

    fn request(&self, http: &reqwest::Client, batch: &Batch) -> reqwest::RequestBuilder {
        let Some(Payload::Form {
            path,
            pairs,
            idempotency_key,
        }) = batch.messages.first().map(|m| &m.payload)
        else {
            unreachable!("Stripe batches hold one form message");
        };
        let url = format!("{}{path}", self.config.base_url.trim_end_matches('/'));
        http.post(url)
            .bearer_auth(&self.config.secret_key)
            .header("Stripe-Version", STRIPE_API_VERSION)
            .header("Idempotency-Key", idempotency_key)
            .form(pairs)
    }

    fn should_retry(&self, response: &reqwest::Response) -> Option<bool> {
        match response
            .headers()
            .get("stripe-should-retry")?
            .to_str()
            .ok()?
        {
            "true" => Some(true),
            "false" => Some(false),
            _ => None,
        }
    }
}
