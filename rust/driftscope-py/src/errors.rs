//! The one mapping from core errors (and Rust panics) to Python exceptions.
//!
//! The exception classes are defined in Python (`driftscope/errors.py`) because they inherit
//! from both `DriftscopeError` and `ValueError`/`TypeError`; this module looks them up once.

use std::panic::{catch_unwind, AssertUnwindSafe};

use driftscope_core::Error;
use pyo3::exceptions::{PyRuntimeError, PyTypeError, PyValueError};
use pyo3::prelude::*;
use pyo3::sync::PyOnceLock;
use pyo3::types::PyType;

static ERRORS: PyOnceLock<Py<PyModule>> = PyOnceLock::new();

/// An instance of `driftscope.errors.<class>` with `msg`, or of `fallback` when the Python
/// package is not importable (the native module used on its own).
fn raise(class: &str, msg: String, fallback: fn(String) -> PyErr) -> PyErr {
    Python::attach(|py| {
        let module =
            ERRORS.get_or_try_init(py, || py.import("driftscope.errors").map(|m| m.unbind()));
        match module.and_then(|m| m.bind(py).getattr(class)) {
            Ok(ty) => match ty.cast_into::<PyType>() {
                Ok(ty) => PyErr::from_type(ty, msg),
                Err(_) => fallback(msg),
            },
            Err(_) => fallback(msg),
        }
    })
}

/// Invalid argument value: `driftscope.InvalidInputError` (a `ValueError`).
pub fn invalid_value(msg: impl Into<String>) -> PyErr {
    raise("InvalidInputError", msg.into(), PyValueError::new_err)
}

/// Argument of the wrong kind: `driftscope.InvalidTypeError` (a `TypeError`).
pub fn invalid_type(msg: impl Into<String>) -> PyErr {
    raise("InvalidTypeError", msg.into(), PyTypeError::new_err)
}

/// The Python exception for a core error.
pub fn core_err(e: Error) -> PyErr {
    let msg = e.to_string();
    match e {
        Error::InvalidArgument(_) => raise("InvalidInputError", msg, PyValueError::new_err),
        Error::EmptySample(_) => raise("EmptySampleError", msg, PyValueError::new_err),
        Error::Corrupt(_) => raise("CorruptDataError", msg, PyValueError::new_err),
        Error::Incompatible(_) => raise("IncompatibleError", msg, PyValueError::new_err),
    }
}

/// Runs `f` with the GIL released on the process's kernel pool (`crate::pool`: safe after a
/// fork), turning a panic (a bug) into `driftscope.DriftscopeError` instead of letting it
/// cross into Python.
pub fn compute<T, F>(py: Python<'_>, f: F) -> PyResult<T>
where
    F: FnOnce() -> T + Send,
    T: Send,
{
    let outcome = py.detach(|| crate::pool::run(|| catch_unwind(AssertUnwindSafe(f))));
    match outcome {
        Ok(Ok(value)) => Ok(value),
        Ok(Err(payload)) => {
            let what = payload
                .downcast_ref::<&str>()
                .map(|s| s.to_string())
                .or_else(|| payload.downcast_ref::<String>().cloned())
                .unwrap_or_else(|| "unknown panic".into());
            Err(raise(
                "DriftscopeError",
                format!("internal error in a driftscope kernel ({what}); please report it"),
                PyRuntimeError::new_err,
            ))
        }
        Err(msg) => Err(raise("DriftscopeError", msg, PyRuntimeError::new_err)),
    }
}
