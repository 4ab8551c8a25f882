//! The native half of the `banata_auth` Python package.
//!
//! Everything here translates: the core does the work, the pure-Python half (`python/banata_auth`)
//! turns the JSON this module returns into typed models and raises the exception classes. Every
//! operation goes through `NativeClient.call`; its Python methods are generated from the core's
//! operation list. Each file wraps the core module it is named after.

mod client;
mod error;
mod events;
mod forwarding;
mod logging;
mod runtime;
mod session_store;

use pyo3::prelude::*;

/// The core's key-set generation: the Python half keeps a verified request's answer only while
/// it is unchanged.
#[pyfunction]
fn keys_generation() -> u64 {
    banata_auth::keys_generation()
}

/// The native module, imported as `banata_auth._native`.
#[pymodule]
fn _native(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add("__version__", env!("CARGO_PKG_VERSION"))?;
    logging::install();
    m.add_class::<client::NativeClient>()?;
    m.add_class::<client::NativeCookieSession>()?;
    m.add_class::<events::NativeSubscription>()?;
    m.add_class::<forwarding::NativeForwarder>()?;
    m.add_function(wrap_pyfunction!(runtime::resolve_future, m)?)?;
    m.add_function(wrap_pyfunction!(runtime::shutdown, m)?)?;
    m.add_function(wrap_pyfunction!(keys_generation, m)?)?;
    Ok(())
}
