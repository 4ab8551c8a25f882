//! The project's add-on configuration on `BanataClient`.

use std::collections::HashMap;

use banata_auth::{AddonConfigUpdate, AddonId};

use crate::client::BanataClient;
use crate::error::Result;
use crate::models::extra_json;

/// One add-on's settings.
#[derive(Debug, Clone, PartialEq, uniffi::Record)]
pub struct AddonSettings {
    /// Whether the add-on receives events.
    pub enabled: bool,
    /// Other keys the server stores, as a JSON object.
    pub extra_json: Option<String>,
}

/// Settings per add-on id (`google-analytics`, `segment`, `stripe`, `posthog`, ...); an id that
/// is absent is disabled.
#[derive(Debug, Clone, PartialEq, uniffi::Record)]
pub struct AddonConfig {
    pub addons: HashMap<String, AddonSettings>,
}

impl From<banata_auth::AddonConfig> for AddonConfig {
    fn from(config: banata_auth::AddonConfig) -> Self {
        AddonConfig {
            addons: config
                .addons
                .into_iter()
                .map(|(id, s)| {
                    let settings = AddonSettings {
                        enabled: s.enabled,
                        extra_json: extra_json(s.extra),
                    };
                    (id, settings)
                })
                .collect(),
        }
    }
}

#[uniffi::export(async_runtime = "tokio")]
impl BanataClient {
    /// The project's add-on configuration. Needs the API key (`dashboard.read`).
    pub async fn get_addon_config(&self) -> Result<AddonConfig> {
        Ok(self.client.addons().get().await?.into())
    }

    /// Switches add-ons on or off (`["segment": true]`); ids not named stay as they are.
    /// Returns the merged configuration. Needs the API key (`dashboard.manage`).
    pub async fn save_addon_config(&self, enabled: HashMap<String, bool>) -> Result<AddonConfig> {
        let update = enabled
            .into_iter()
            .fold(AddonConfigUpdate::new(), |update, (id, on)| {
                update.set(AddonId::new(id), on)
            });
        Ok(self.client.addons().save(update).await?.into())
    }
}
