//! Core errors as the Python exception classes of `banata_auth.errors`.

use banata_auth::Error;
use pyo3::exceptions::PyRuntimeError;
use pyo3::prelude::*;
use pyo3::types::PyDict;

/// Builds the Python exception for a core error. Messages and bodies come from the core, which
/// never puts keys, tokens or passwords in them.
pub(crate) fn to_py_err(py: Python<'_>, error: Error) -> PyErr {
    build(py, &error).unwrap_or_else(|e| {
        PyRuntimeError::new_err(format!(
            "{error} (and the exception class could not be built: {e})"
        ))
    })
}

fn build(py: Python<'_>, error: &Error) -> PyResult<PyErr> {
    let module = py.import("banata_auth.errors")?;
    let class = module.getattr(error.kind().class_name())?;
    let kwargs = PyDict::new(py);
    kwargs.set_item("kind", error.kind().as_str())?;
    kwargs.set_item("status", error.status())?;
    kwargs.set_item("code", error.code())?;
    kwargs.set_item("request_id", error.request_id())?;
    kwargs.set_item("retry_after", error.retry_after().map(|d| d.as_secs_f64()))?;
    kwargs.set_item("body", error.body())?;
    kwargs.set_item("connection_cause", error.connection_cause())?;
    let instance = class.call((error.message(),), Some(&kwargs))?;
    Ok(PyErr::from_value(instance))
}
