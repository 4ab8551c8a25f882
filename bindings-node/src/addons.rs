//! The add-on configuration.

use banata_auth::{AddonConfigUpdate, Error, ErrorKind};
use napi_derive::napi;

use crate::client::NativeClient;
use crate::error::{Result, json, to_napi};

#[napi]
impl NativeClient {
    /// `{"addons": {id: {"enabled": bool}}}`.
    #[napi]
    pub async fn addons_get(&self) -> Result<String> {
        json(self.client.addons().get().await)
    }

    /// Merges `update_json` (`{"addons": {id: settings}}`) into the configuration.
    #[napi]
    pub async fn addons_save(&self, update_json: String) -> Result<String> {
        let update: AddonConfigUpdate = serde_json::from_str(&update_json).map_err(|e| {
            to_napi(Error::new(
                ErrorKind::Validation,
                format!("add-on settings must be objects like {{\"enabled\": true}}: {e}"),
            ))
        })?;
        json(self.client.addons().save(update).await)
    }
}
