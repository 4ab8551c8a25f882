//! One tokio runtime per process, and the two ways Python waits on it: blocking with the GIL
//! released, or as an asyncio future.
//!
//! The runtime is keyed by process id: after `os.fork()` the child has none of the parent's
//! runtime threads, so the first call in the child starts a fresh runtime instead of waiting on
//! threads that do not exist. (This is why the asyncio bridge is written here rather than taken
//! from pyo3-async-runtimes, whose runtime is process-global and cannot be replaced.)

use std::future::Future;
use std::sync::Mutex;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use pyo3::prelude::*;
use pyo3::sync::PyOnceLock;
use pyo3::types::PyCFunction;

use crate::error::to_py_err;

static RUNTIME: Mutex<Option<(u32, &'static tokio::runtime::Runtime)>> = Mutex::new(None);

/// The runtime of this process, started on first use.
pub(crate) fn runtime() -> &'static tokio::runtime::Runtime {
    let pid = std::process::id();
    let mut slot = RUNTIME.lock().unwrap_or_else(|p| p.into_inner());
    match *slot {
        Some((owner, rt)) if owner == pid => rt,
        // Never dropped: a runtime inherited through fork has no threads to join.
        _ => {
            let rt: &'static _ = Box::leak(Box::new(
                tokio::runtime::Builder::new_multi_thread()
                    .enable_all()
                    .thread_name("banata-python")
                    .build()
                    .expect("the tokio runtime starts"),
            ));
            *slot = Some((pid, rt));
            rt
        }
    }
}

/// Set by the package's `atexit` hook: from then on no background thread calls into Python.
static SHUTTING_DOWN: AtomicBool = AtomicBool::new(false);
/// Background calls into Python in progress.
static IN_FLIGHT: AtomicUsize = AtomicUsize::new(0);

/// Runs `f` with the GIL on a thread Python did not start (the event thread, runtime workers,
/// forwarding threads). `None` once the interpreter is shutting down: a call that is still
/// inside Python when finalization starts aborts the process, so `shutdown` refuses new ones
/// and waits for those running.
pub(crate) fn call_python<R>(f: impl for<'py> FnOnce(Python<'py>) -> R) -> Option<R> {
    struct Running;
    impl Drop for Running {
        fn drop(&mut self) {
            IN_FLIGHT.fetch_sub(1, Ordering::SeqCst);
        }
    }
    // Counted before the flag is read, so `shutdown` either sees this call or this call sees
    // the flag.
    IN_FLIGHT.fetch_add(1, Ordering::SeqCst);
    let _running = Running;
    if SHUTTING_DOWN.load(Ordering::SeqCst) {
        return None;
    }
    Python::try_attach(f)
}

/// Called by the package at interpreter exit (`atexit`): stops background calls into Python
/// (event callbacks, async results, forwarding errors, session stores) and waits, with the GIL
/// released, up to 2 s for those already running.
#[pyfunction]
#[pyo3(name = "_shutdown")]
pub(crate) fn shutdown(py: Python<'_>) {
    SHUTTING_DOWN.store(true, Ordering::SeqCst);
    py.detach(|| {
        let deadline = Instant::now() + Duration::from_secs(2);
        while IN_FLIGHT.load(Ordering::SeqCst) > 0 && Instant::now() < deadline {
            std::thread::sleep(Duration::from_millis(1));
        }
    });
}

/// Whether this is the process the runtime was started in (false right after a fork).
pub(crate) fn is_same_process(pid: u32) -> bool {
    pid == std::process::id()
}

/// What a call hands back to Python: a JSON document, or nothing.
pub(crate) type Outcome = banata_auth::Result<Option<String>>;

/// Runs `future` to completion with the GIL released, so other Python threads keep running.
/// Signals (Ctrl-C) are checked every 100 ms and end the wait with their exception.
pub(crate) fn block_on<F>(py: Python<'_>, future: F) -> PyResult<Option<String>>
where
    F: Future<Output = Outcome> + Send,
{
    let rt = runtime();
    let outcome = py.detach(|| {
        rt.block_on(async {
            tokio::pin!(future);
            loop {
                tokio::select! {
                    outcome = &mut future => return Ok(outcome),
                    _ = tokio::time::sleep(Duration::from_millis(100)) => {
                        if let Some(Err(interrupt)) = Python::try_attach(|py| py.check_signals()) {
                            return Err(interrupt);
                        }
                    }
                }
            }
        })
    })?;
    outcome.map_err(|e| to_py_err(py, e))
}

/// Starts `future` on the runtime and returns an asyncio future of the running loop that
/// completes with its outcome. Cancelling the asyncio future cancels the call.
pub(crate) fn awaitable<'py, F>(py: Python<'py>, future: F) -> PyResult<Bound<'py, PyAny>>
where
    F: Future<Output = Outcome> + Send + 'static,
{
    // Raises "no running event loop" when called outside a coroutine, as asyncio does.
    let event_loop = py.import("asyncio")?.call_method0("get_running_loop")?;
    let py_future = event_loop.call_method0("create_future")?;
    let loop_ref = event_loop.unbind();
    let future_ref = py_future.clone().unbind();
    let task = runtime().spawn(async move {
        let outcome = future.await;
        // Nothing to report to once the interpreter is shutting down.
        call_python(|py| {
            let (ok, value) = match outcome {
                Ok(json) => (true, json.into_pyobject(py)?.into_any().unbind()),
                Err(e) => (false, to_py_err(py, e).into_value(py).into_any()),
            };
            let resolve = resolver(py)?;
            // Fails only when the loop was closed meanwhile; then nobody is waiting.
            let _ =
                loop_ref.call_method1(py, "call_soon_threadsafe", (resolve, future_ref, ok, value));
            PyResult::Ok(())
        });
    });
    let abort = task.abort_handle();
    let on_done = PyCFunction::new_closure(py, None, None, move |args, _kwargs| {
        if args.get_item(0)?.call_method0("cancelled")?.is_truthy()? {
            abort.abort();
        }
        PyResult::Ok(())
    })?;
    py_future.call_method1("add_done_callback", (on_done,))?;
    Ok(py_future)
}

fn resolver(py: Python<'_>) -> PyResult<&Py<PyAny>> {
    static RESOLVE: PyOnceLock<Py<PyAny>> = PyOnceLock::new();
    RESOLVE.get_or_try_init(py, || {
        Ok(py
            .import("banata_auth._native")?
            .getattr("_resolve_future")?
            .unbind())
    })
}

/// Completes an asyncio future on its loop's thread, unless it was cancelled meanwhile.
#[pyfunction]
#[pyo3(name = "_resolve_future")]
pub(crate) fn resolve_future(
    future: &Bound<'_, PyAny>,
    ok: bool,
    value: &Bound<'_, PyAny>,
) -> PyResult<()> {
    if future.call_method0("done")?.is_truthy()? {
        return Ok(());
    }
    if ok {
        future.call_method1("set_result", (value,))?;
    } else {
        future.call_method1("set_exception", (value,))?;
    }
    Ok(())
}

/// Runs `future` blocking (for `Client`) or as an awaitable (for `AsyncClient`).
pub(crate) fn run<'py, F>(
    py: Python<'py>,
    asynchronous: bool,
    future: F,
) -> PyResult<Bound<'py, PyAny>>
where
    F: Future<Output = Outcome> + Send + 'static,
{
    if asynchronous {
        awaitable(py, future)
    } else {
        Ok(block_on(py, future)?.into_pyobject(py)?.into_any())
    }
}
