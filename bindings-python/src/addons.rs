//! The add-on configuration (`client.addons`).

use std::sync::Arc;

use banata_auth::{AddonConfigUpdate, Error, ErrorKind};
use pyo3::prelude::*;

use crate::client::Shared;
use crate::runtime::json;

/// `client.addons`: get and save the project's add-on configuration.
#[pyclass(frozen, module = "banata_auth._native")]
pub struct NativeAddons {
    pub(crate) shared: Arc<Shared>,
}

#[pymethods]
impl NativeAddons {
    /// The configuration as `{"addons": {id: {"enabled": bool, ...}}}`.
    #[pyo3(signature = (*, asynchronous=false))]
    fn get<'py>(&self, py: Python<'py>, asynchronous: bool) -> PyResult<Bound<'py, PyAny>> {
        self.shared
            .call(py, asynchronous, move |client| async move {
                let config = client.addons().get().await?;
                json(&config)
            })
    }

    /// Merges `update_json` (`{"addons": {id: settings}}`) into the configuration.
    #[pyo3(signature = (update_json, *, asynchronous=false))]
    fn save<'py>(
        &self,
        py: Python<'py>,
        update_json: String,
        asynchronous: bool,
    ) -> PyResult<Bound<'py, PyAny>> {
        self.shared
            .call(py, asynchronous, move |client| async move {
                let update: AddonConfigUpdate =
                    serde_json::from_str(&update_json).map_err(|e| {
                        Error::new(
                            ErrorKind::Validation,
                            format!(
                                "add-on settings must be objects like {{\"enabled\": true}}: {e}"
                            ),
                        )
                    })?;
                let config = client.addons().save(update).await?;
                json(&config)
            })
    }
}
