//! What the generated records (`generated.rs`) stand on: the opaque session token, and how
//! their fields read and write the core's JSON. Timestamps are `SystemTime` (Swift `Date`,
//! Kotlin `java.time.Instant`); fields a newer server adds are kept as a JSON object string.

use std::fmt;
use std::sync::Arc;

use serde_json::{Map, Value};

/// A session token. Opaque on purpose: it prints as `SessionToken(<redacted>)`, so it never
/// ends up in a log by accident; `expose()` returns the value.
#[derive(uniffi::Object)]
#[uniffi::export(Display)]
pub struct SessionToken(pub(crate) banata_auth::SessionToken);

impl fmt::Debug for SessionToken {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("SessionToken(<redacted>)")
    }
}

impl fmt::Display for SessionToken {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("SessionToken(<redacted>)")
    }
}

#[uniffi::export]
impl SessionToken {
    /// Wraps a token the app stored itself.
    #[uniffi::constructor]
    pub fn new(value: String) -> Arc<Self> {
        Arc::new(SessionToken(banata_auth::SessionToken::new(value)))
    }

    /// The token's value, for a secure store or an `Authorization` header.
    pub fn expose(&self) -> String {
        self.0.expose().to_owned()
    }
}

pub(crate) fn token(value: Option<banata_auth::SessionToken>) -> Option<Arc<SessionToken>> {
    value.map(|t| Arc::new(SessionToken(t)))
}

pub(crate) fn extra_json(extra: Map<String, Value>) -> Option<String> {
    (!extra.is_empty()).then(|| Value::Object(extra).to_string())
}

/// A core value as its generated record (the same JSON form in every language).
pub(crate) fn record<T: serde::Serialize, R: serde::de::DeserializeOwned>(value: &T) -> R {
    serde_json::to_value(value)
        .and_then(serde_json::from_value)
        .expect("the generated record matches the core type")
}

/// Serde helpers for the generated records' fields.
pub(crate) mod wire {
    /// `Option<SystemTime>` as the core's RFC 3339 strings.
    pub mod time {
        use std::time::SystemTime;

        use banata_auth::Timestamp;
        use serde::{Deserialize, Deserializer, Serialize, Serializer};

        pub fn serialize<S: Serializer>(v: &Option<SystemTime>, s: S) -> Result<S::Ok, S::Error> {
            v.map(|t| Timestamp(t.into())).serialize(s)
        }

        pub fn deserialize<'de, D: Deserializer<'de>>(
            d: D,
        ) -> Result<Option<SystemTime>, D::Error> {
            Ok(Option::<Timestamp>::deserialize(d)?.map(|t| SystemTime::from(t.0)))
        }
    }

    /// `SystemTime` as the core's RFC 3339 strings.
    pub mod instant {
        use std::time::SystemTime;

        use banata_auth::Timestamp;
        use serde::{Deserialize, Deserializer, Serialize, Serializer};

        pub fn serialize<S: Serializer>(v: &SystemTime, s: S) -> Result<S::Ok, S::Error> {
            Timestamp((*v).into()).serialize(s)
        }

        pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<SystemTime, D::Error> {
            Ok(SystemTime::from(Timestamp::deserialize(d)?.0))
        }
    }

    /// `Option<Arc<SessionToken>>` as the token string.
    pub mod token {
        use std::sync::Arc;

        use serde::{Deserialize, Deserializer, Serialize, Serializer};

        use crate::models::SessionToken;

        pub fn serialize<S: Serializer>(
            v: &Option<Arc<SessionToken>>,
            s: S,
        ) -> Result<S::Ok, S::Error> {
            v.as_ref().map(|t| t.0.expose().to_owned()).serialize(s)
        }

        pub fn deserialize<'de, D: Deserializer<'de>>(
            d: D,
        ) -> Result<Option<Arc<SessionToken>>, D::Error> {
            let value = Option::<String>::deserialize(d)?;
            Ok(value.map(|t| Arc::new(SessionToken(banata_auth::SessionToken::new(t)))))
        }
    }

    /// `Arc<SessionToken>` as the token string (a required one, e.g. a one-time token).
    pub mod required_token {
        use std::sync::Arc;

        use serde::{Deserialize, Deserializer, Serialize, Serializer};

        use crate::models::SessionToken;

        pub fn serialize<S: Serializer>(v: &Arc<SessionToken>, s: S) -> Result<S::Ok, S::Error> {
            v.0.expose().serialize(s)
        }

        pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Arc<SessionToken>, D::Error> {
            let value = String::deserialize(d)?;
            Ok(Arc::new(SessionToken(banata_auth::SessionToken::new(
                value,
            ))))
        }
    }

    /// `Vec<Arc<SessionToken>>` as a list of strings (e.g. backup codes).
    pub mod tokens {
        use std::sync::Arc;

        use serde::{Deserialize, Deserializer, Serialize, Serializer};

        use crate::models::SessionToken;

        pub fn serialize<S: Serializer>(v: &[Arc<SessionToken>], s: S) -> Result<S::Ok, S::Error> {
            let plain: Vec<&str> = v.iter().map(|t| t.0.expose()).collect();
            plain.serialize(s)
        }

        pub fn deserialize<'de, D: Deserializer<'de>>(
            d: D,
        ) -> Result<Vec<Arc<SessionToken>>, D::Error> {
            let values = Vec::<String>::deserialize(d)?;
            Ok(values
                .into_iter()
                .map(|t| Arc::new(SessionToken(banata_auth::SessionToken::new(t))))
                .collect())
        }
    }

    /// The fields a record does not name, flattened in and out as a JSON object string.
    /// A JSON-object argument given as its text: `None` leaves it out; anything but an
    /// object is an `InvalidArgument` error naming the argument.
    pub fn object_argument(
        name: &str,
        json: Option<&str>,
    ) -> crate::error::Result<serde_json::Value> {
        let Some(json) = json else {
            return Ok(serde_json::Value::Null);
        };
        match serde_json::from_str::<serde_json::Value>(json) {
            Ok(value @ serde_json::Value::Object(_)) => Ok(value),
            _ => Err(banata_auth::Error::new(
                banata_auth::ErrorKind::InvalidArgument,
                format!("`{name}` must be the text of a JSON object"),
            )
            .into()),
        }
    }

    pub mod extra {
        use serde::{Deserialize, Deserializer, Serialize, Serializer};
        use serde_json::{Map, Value};

        pub fn serialize<S: Serializer>(v: &Option<String>, s: S) -> Result<S::Ok, S::Error> {
            let map: Map<String, Value> = v
                .as_deref()
                .and_then(|json| serde_json::from_str(json).ok())
                .unwrap_or_default();
            map.serialize(s)
        }

        pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Option<String>, D::Error> {
            let map = Map::<String, Value>::deserialize(d)?;
            Ok(super::super::extra_json(map))
        }
    }
}
