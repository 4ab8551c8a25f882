//! What a destination queues and sends, and the data minimisation rules applied when building it.

use chrono::{DateTime, SecondsFormat, Utc};
use serde_json::Value;

use crate::events::{AuthEvent, EventType};

/// One unit a destination queues: an event already mapped to the service's wire form.
#[derive(Clone, Debug)]
pub(crate) struct Message {
    /// Requests batch only messages with the same key (GA4 carries the user at the top level).
    pub group: Option<String>,
    pub payload: Payload,
    /// Serialized size, for the services' byte limits.
    pub size: usize,
}

#[derive(Clone, Debug)]
pub(crate) enum Payload {
    /// One element of a JSON batch.
    Json(Value),
    /// A complete form-encoded call (Stripe): path, ordered pairs, idempotency key.
    Form {
        path: String,
        pairs: Vec<(String, String)>,
        idempotency_key: String,
    },
}

impl Message {
    pub fn json(value: Value, group: Option<String>) -> Self {
        let size = value.to_string().len();
        Message {
            group,
            payload: Payload::Json(value),
            size,
        }
    }

    pub fn form(path: String, pairs: Vec<(String, String)>, idempotency_key: String) -> Self {
        let size = pairs.iter().map(|(k, v)| k.len() + v.len() + 2).sum();
        Message {
            group: None,
            payload: Payload::Form {
                path,
                pairs,
                idempotency_key,
            },
            size,
        }
    }

    pub fn as_json(&self) -> Option<&Value> {
        match &self.payload {
            Payload::Json(v) => Some(v),
            Payload::Form { .. } => None,
        }
    }
}

/// What personal data may leave for third parties. Secrets never do, whatever this says: every
/// payload is built from an allow-list of event fields that holds none.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct DataPolicy {
    /// Send the user's e-mail address (Segment traits, PostHog `$set`, the Stripe customer).
    pub send_email: bool,
    /// Send the client IP address when an event carries one (`data.ipAddress`).
    pub send_ip: bool,
}

/// The auth moments add-ons care about, read from an event.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum Moment {
    SignedUp,
    SignedIn,
    SignedOut,
    MemberAdded,
    MemberRemoved,
}

impl Moment {
    pub fn of(event: &AuthEvent) -> Option<Moment> {
        let reason = event.data.reason.as_deref();
        let t = &event.event_type;
        if *t == EventType::USER_CREATED {
            Some(Moment::SignedUp)
        } else if *t == EventType::SESSION_CREATED && reason != Some("sign_up") {
            // The session a sign-up opens is part of the sign-up, not a separate sign-in.
            Some(Moment::SignedIn)
        } else if *t == EventType::SESSION_REVOKED && reason == Some("sign_out") {
            Some(Moment::SignedOut)
        } else if *t == EventType::MEMBER_ADDED {
            Some(Moment::MemberAdded)
        } else if *t == EventType::MEMBER_REMOVED {
            Some(Moment::MemberRemoved)
        } else {
            None
        }
    }
}

/// The allow-listed facts of an event. Payload builders read only this.
#[derive(Clone, Debug)]
pub(crate) struct Facts {
    pub moment: Moment,
    pub event_id: String,
    pub user_id: String,
    pub email: Option<String>,
    pub name: Option<String>,
    pub method: Option<String>,
    pub ip: Option<String>,
    pub organization_id: Option<String>,
    pub role: Option<String>,
    pub member_count: Option<u64>,
    pub stripe_subscription_item: Option<String>,
    pub at: DateTime<Utc>,
}

impl Facts {
    /// The facts of `event` under `policy`, or `None` when add-ons ignore it (or it has no user).
    pub fn of(event: &AuthEvent, policy: DataPolicy) -> Option<Facts> {
        let moment = Moment::of(event)?;
        let data = &event.data;
        let extra_str = |k: &str| data.extra.get(k).and_then(Value::as_str).map(str::to_owned);
        let user_id = data.user_id.clone()?;
        Some(Facts {
            moment,
            event_id: event.id.clone(),
            user_id,
            email: data.email.clone().filter(|_| policy.send_email),
            name: data.name.clone(),
            method: data.method.clone().filter(|m| is_low_cardinality(m)),
            ip: extra_str("ipAddress").filter(|_| policy.send_ip),
            organization_id: extra_str("organizationId"),
            role: extra_str("role"),
            member_count: data.extra.get("memberCount").and_then(Value::as_u64),
            stripe_subscription_item: extra_str("stripeSubscriptionItemId"),
            at: event.occurred_at.0,
        })
    }
}

/// Only short enum-like method names (`password`, `google`, `saml`) are forwarded.
fn is_low_cardinality(method: &str) -> bool {
    !method.is_empty()
        && method.len() <= 32
        && method
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-')
}

/// `2026-01-15T12:00:00+00:00` (Python's `isoformat()`, as the official libraries write it).
pub(crate) fn iso_offset(at: DateTime<Utc>) -> String {
    at.to_rfc3339_opts(SecondsFormat::AutoSi, false)
}

/// `2026-01-15T12:00:00.000+00:00` (millisecond form, Segment's message timestamps).
pub(crate) fn iso_offset_millis(at: DateTime<Utc>) -> String {
    at.to_rfc3339_opts(SecondsFormat::Millis, false)
}
