//! Add-on forwarding (`banata_auth.Forwarder`).

use std::sync::Arc;
use std::time::Duration;

use banata_auth::addons::{Forwarder, ForwardingConfig, ForwardingOptions};
use banata_auth::{Error, ErrorKind};
use pyo3::prelude::*;

use crate::client::{NativeClient, seconds};
use crate::error::to_py_err;
use crate::runtime::{self, is_same_process};

/// A running forwarding pipeline for one client's events.
#[pyclass(frozen, module = "banata_auth._native")]
pub struct NativeForwarder {
    forwarder: Arc<Forwarder>,
    pid: u32,
}

impl NativeForwarder {
    /// The pipeline's threads do not survive `os.fork()`; say so rather than wait on them.
    fn forwarder(&self) -> banata_auth::Result<Arc<Forwarder>> {
        if is_same_process(self.pid) {
            Ok(Arc::clone(&self.forwarder))
        } else {
            Err(Error::new(
                ErrorKind::Configuration,
                "this Forwarder was started before os.fork(); start a new Forwarder in the child process",
            ))
        }
    }
}

#[pymethods]
impl NativeForwarder {
    #[new]
    #[pyo3(signature = (
        client, *, from_env=true,
        ga_measurement_id=None, ga_api_secret=None, ga_base_url=None,
        segment_write_key=None, segment_base_url=None,
        posthog_api_key=None, posthog_host=None,
        stripe_secret_key=None, stripe_base_url=None,
        send_email=false, send_ip=false, queue_capacity=None, flush_interval=None, gzip=false,
        on_error=None,
    ))]
    #[allow(clippy::too_many_arguments)]
    fn new(
        py: Python<'_>,
        client: &NativeClient,
        from_env: bool,
        ga_measurement_id: Option<String>,
        ga_api_secret: Option<String>,
        ga_base_url: Option<String>,
        segment_write_key: Option<String>,
        segment_base_url: Option<String>,
        posthog_api_key: Option<String>,
        posthog_host: Option<String>,
        stripe_secret_key: Option<String>,
        stripe_base_url: Option<String>,
        send_email: bool,
        send_ip: bool,
        queue_capacity: Option<usize>,
        flush_interval: Option<f64>,
        gzip: bool,
        on_error: Option<Py<PyAny>>,
    ) -> PyResult<Self> {
        let options = ForwardingOptions {
            from_env,
            ga_measurement_id,
            ga_api_secret,
            ga_base_url,
            segment_write_key,
            segment_base_url,
            posthog_api_key,
            posthog_host,
            stripe_secret_key,
            stripe_base_url,
            send_email,
            send_ip,
            queue_capacity,
            flush_interval: flush_interval.map(seconds).transpose()?,
            gzip,
        };
        let mut config = ForwardingConfig::from_options(options).map_err(|e| to_py_err(py, e))?;
        if let Some(callback) = on_error {
            config = config.on_error(move |failure| {
                let report = serde_json::to_string(failure).expect("failures serialize");
                runtime::call_python(|py| {
                    if let Err(e) = callback.call1(py, (report,)) {
                        e.write_unraisable(py, Some(callback.bind(py)));
                    }
                });
            });
        }
        let core = client.shared.client().map_err(|e| to_py_err(py, e))?;
        let forwarder = Forwarder::start(&core, config).map_err(|e| to_py_err(py, e))?;
        Ok(NativeForwarder {
            forwarder: Arc::new(forwarder),
            pid: std::process::id(),
        })
    }

    /// Waits until everything emitted so far was sent or failed, at most `timeout` seconds.
    #[pyo3(signature = (timeout=5.0, *, asynchronous=false))]
    fn flush<'py>(
        &self,
        py: Python<'py>,
        timeout: f64,
        asynchronous: bool,
    ) -> PyResult<Bound<'py, PyAny>> {
        let timeout = seconds(timeout)?;
        let forwarder = self.forwarder().map_err(|e| to_py_err(py, e))?;
        runtime::run(py, asynchronous, async move {
            forwarder.flush(timeout).await?;
            Ok(None)
        })
    }

    /// Stops taking events and delivers what is queued, at most `timeout` seconds.
    #[pyo3(signature = (timeout=5.0, *, asynchronous=false))]
    fn shutdown<'py>(
        &self,
        py: Python<'py>,
        timeout: f64,
        asynchronous: bool,
    ) -> PyResult<Bound<'py, PyAny>> {
        let timeout: Duration = seconds(timeout)?;
        let forwarder = self.forwarder().map_err(|e| to_py_err(py, e))?;
        runtime::run(py, asynchronous, async move {
            forwarder.shutdown(timeout).await?;
            Ok(None)
        })
    }

    /// The counters as JSON: totals and one entry per add-on.
    fn stats(&self) -> String {
        serde_json::to_string(&self.forwarder.stats()).expect("stats serialize")
    }
}
