//! The project's add-on switches, over `POST /api/auth/banata/config/addons/get|save`.
//!
//! Platform semantics: the stored value is `{"addons":{"<id>":{"enabled":bool}}}`, empty by
//! default; a save merges shallowly per id (each id given replaces its entry, others are kept);
//! an id that is absent means disabled; ids are free-form, so unknown ones are preserved.

use std::borrow::Cow;
use std::collections::BTreeMap;
use std::fmt;

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use crate::api::to_input;
use crate::client::Client;
use crate::error::Result;
use crate::events::{AuthEvent, EventData, EventType};
use crate::operations::endpoint;

/// An add-on id: an open string with constants for the add-ons the dashboard offers.
#[derive(Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(transparent)]
pub struct AddonId(Cow<'static, str>);

impl AddonId {
    /// Google Analytics 4.
    pub const GOOGLE_ANALYTICS: AddonId = AddonId(Cow::Borrowed("google-analytics"));
    /// Segment.
    pub const SEGMENT: AddonId = AddonId(Cow::Borrowed("segment"));
    /// Stripe.
    pub const STRIPE: AddonId = AddonId(Cow::Borrowed("stripe"));
    /// PostHog.
    pub const POSTHOG: AddonId = AddonId(Cow::Borrowed("posthog"));

    /// Any id, including ones this version does not know.
    pub fn new(id: impl Into<String>) -> Self {
        AddonId(Cow::Owned(id.into()))
    }

    /// The id string, e.g. `"google-analytics"`.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for AddonId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "AddonId({:?})", self.as_str())
    }
}

impl fmt::Display for AddonId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl From<&str> for AddonId {
    fn from(s: &str) -> Self {
        AddonId::new(s)
    }
}

/// One add-on's settings. Credentials are never here: they come from the environment.
///
/// Reads `true`/`false` as short for `{"enabled": …}`, so a binding can pass `{stripe: true}`.
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct AddonSettings {
    /// Whether the add-on receives events.
    #[serde(default)]
    pub enabled: bool,
    /// Other keys a newer server may store.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

impl<'de> Deserialize<'de> for AddonSettings {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> std::result::Result<Self, D::Error> {
        #[derive(Deserialize)]
        struct Full {
            #[serde(default)]
            enabled: bool,
            #[serde(flatten)]
            extra: Map<String, Value>,
        }
        #[derive(Deserialize)]
        #[serde(untagged)]
        enum Wire {
            Switch(bool),
            Full(Full),
        }
        match Wire::deserialize(d).map_err(|_| {
            serde::de::Error::custom(
                "expected add-on settings like {\"enabled\": true}, or a boolean",
            )
        })? {
            Wire::Switch(enabled) => Ok(AddonSettings::enabled(enabled)),
            Wire::Full(Full { enabled, extra }) => Ok(AddonSettings { enabled, extra }),
        }
    }
}

impl AddonSettings {
    /// Settings with just the switch.
    pub fn enabled(enabled: bool) -> Self {
        AddonSettings {
            enabled,
            extra: Map::new(),
        }
    }
}

/// The project's add-on configuration.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct AddonConfig {
    /// Settings per add-on id; an id that is absent is disabled.
    #[serde(default)]
    pub addons: BTreeMap<String, AddonSettings>,
}

impl AddonConfig {
    /// Whether `id` is switched on.
    pub fn is_enabled(&self, id: &AddonId) -> bool {
        self.addons.get(id.as_str()).is_some_and(|s| s.enabled)
    }

    /// The ids that are switched on, in order.
    pub fn enabled_ids(&self) -> impl Iterator<Item = AddonId> + '_ {
        self.addons
            .iter()
            .filter(|(_, s)| s.enabled)
            .map(|(id, _)| AddonId::new(id.clone()))
    }

    /// This configuration with `update` merged in, as the server merges it.
    pub fn merged(&self, update: &AddonConfigUpdate) -> AddonConfig {
        let mut merged = self.clone();
        for (id, settings) in &update.addons {
            merged.addons.insert(id.clone(), settings.clone());
        }
        merged
    }
}

/// A partial change: the ids it names replace their entries; the rest stay as they are.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct AddonConfigUpdate {
    /// Settings per add-on id (`true`/`false` is short for `{"enabled": …}`).
    #[cfg_attr(
        feature = "schema",
        schemars(with = "BTreeMap<String, AddonSettingsInput>")
    )]
    pub addons: BTreeMap<String, AddonSettings>,
}

/// What a save accepts per add-on: settings, or just the switch.
#[cfg(feature = "schema")]
#[derive(schemars::JsonSchema)]
#[serde(untagged)]
#[allow(dead_code)]
enum AddonSettingsInput {
    Switch(bool),
    Settings(AddonSettings),
}

impl AddonConfigUpdate {
    /// An empty change.
    pub fn new() -> Self {
        Self::default()
    }

    /// Switches `id` on.
    pub fn enable(self, id: impl Into<AddonId>) -> Self {
        self.set(id, true)
    }

    /// Switches `id` off (the platform has no way to delete an id).
    pub fn disable(self, id: impl Into<AddonId>) -> Self {
        self.set(id, false)
    }

    /// Switches `id` on or off.
    pub fn set(mut self, id: impl Into<AddonId>, enabled: bool) -> Self {
        self.addons.insert(
            id.into().as_str().to_owned(),
            AddonSettings::enabled(enabled),
        );
        self
    }
}

impl From<BTreeMap<String, AddonSettings>> for AddonConfigUpdate {
    fn from(addons: BTreeMap<String, AddonSettings>) -> Self {
        AddonConfigUpdate { addons }
    }
}

/// Add-on configuration calls; get it with [`Client::addons`]. Needs the project API key with
/// `dashboard.read` (get) or `dashboard.manage` (save).
#[derive(Clone, Copy, Debug)]
pub struct Addons<'a> {
    pub(crate) client: &'a Client,
}

impl<'a> Addons<'a> {
    pub(crate) fn new(client: &'a Client) -> Self {
        Addons { client }
    }

    /// The project's add-on configuration (`{"addons":{}}` when nothing was ever saved).
    pub async fn get(&self) -> Result<AddonConfig> {
        let config: Option<AddonConfig> = self.client.request(&endpoint::get, None).await?;
        Ok(config.unwrap_or_default())
    }

    /// Merges `update` into the stored configuration and returns the result. Emits
    /// `addon_config.updated` with the states applied.
    pub async fn save(&self, update: AddonConfigUpdate) -> Result<AddonConfig> {
        // Saving the same partial twice gives the same result, so replays are safe.
        let config: Option<AddonConfig> = self
            .client
            .request(&endpoint::save, to_input(&update))
            .await?;
        self.client.emit(AuthEvent::new(
            EventType::ADDON_CONFIG_UPDATED,
            EventData {
                addons: Some(update.addons),
                ..Default::default()
            },
        ));
        Ok(config.unwrap_or_default())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn merge_is_shallow_per_id_and_keeps_unknown_ids() {
        let stored: AddonConfig = serde_json::from_str(
            r#"{"addons":{"segment":{"enabled":true},"acme-crm":{"enabled":true,"tier":"gold"}}}"#,
        )
        .unwrap();
        let update = AddonConfigUpdate::new()
            .disable(AddonId::SEGMENT)
            .enable(AddonId::STRIPE);
        let merged = stored.merged(&update);
        assert!(!merged.is_enabled(&AddonId::SEGMENT));
        assert!(merged.is_enabled(&AddonId::STRIPE));
        assert!(merged.is_enabled(&AddonId::new("acme-crm")));
        assert_eq!(merged.addons["acme-crm"].extra["tier"], "gold");
        assert!(
            !merged.is_enabled(&AddonId::POSTHOG),
            "absent means disabled"
        );
        let ids: Vec<_> = merged.enabled_ids().map(|i| i.to_string()).collect();
        assert_eq!(ids, ["acme-crm", "stripe"]);
    }

    #[test]
    fn update_serializes_as_the_wire_body() {
        let update = AddonConfigUpdate::new().enable("stripe");
        assert_eq!(
            serde_json::to_string(&update).unwrap(),
            r#"{"addons":{"stripe":{"enabled":true}}}"#
        );
    }
}
