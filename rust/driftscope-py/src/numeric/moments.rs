//! `driftscope.Moments`: the Python face of `driftscope_core::Moments`.

use driftscope_core::Moments;
use pyo3::prelude::*;
use pyo3::types::{PyBytes, PyDict, PyTuple};

use crate::errors::core_err;
use crate::io::input::{bytes_arg, for_each_numeric, reduce_with_bytes};

/// Streaming, mergeable moments of a numeric column: count, null and NaN counts, min, max,
/// sum, mean, variance, skewness and kurtosis, in one pass.
#[pyclass(name = "Moments", module = "driftscope._core", eq, from_py_object)]
#[derive(Clone, PartialEq)]
pub struct PyMoments {
    pub inner: Moments,
}

#[pymethods]
impl PyMoments {
    /// An empty summary, or the summary of `column` when given.
    #[new]
    #[pyo3(signature = (column = None))]
    fn new(py: Python<'_>, column: Option<&Bound<'_, PyAny>>) -> PyResult<Self> {
        let mut m = PyMoments {
            inner: Moments::new(),
        };
        if let Some(column) = column {
            m.update(py, column)?;
        }
        Ok(m)
    }

    /// Adds the values of `column` (nulls and NaN are skipped and counted).
    fn update(&mut self, py: Python<'_>, column: &Bound<'_, PyAny>) -> PyResult<()> {
        let inner = &mut self.inner;
        for_each_numeric(py, column, "column", |chunk| {
            inner.update(chunk);
            Ok(())
        })
    }

    /// Folds `other` into this summary and returns it: afterwards it summarizes both inputs.
    fn merge<'py>(
        slf: Bound<'py, Self>,
        other: &Bound<'py, PyMoments>,
    ) -> PyResult<Bound<'py, Self>> {
        let other = other.borrow().inner.clone();
        slf.borrow_mut().inner.merge(&other);
        Ok(slf)
    }

    /// An independent copy.
    fn copy(&self) -> Self {
        self.clone()
    }

    fn __copy__(&self) -> Self {
        self.clone()
    }

    fn __deepcopy__(&self, _memo: &Bound<'_, PyAny>) -> Self {
        self.clone()
    }

    /// Values that are present and not NaN (finite values and ±inf).
    #[getter]
    fn count(&self) -> u64 {
        self.inner.count()
    }

    #[getter]
    fn null_count(&self) -> u64 {
        self.inner.null_count()
    }

    #[getter]
    fn nan_count(&self) -> u64 {
        self.inner.nan_count()
    }

    /// Number of +inf and -inf values.
    #[getter]
    fn inf_count(&self) -> u64 {
        self.inner.inf_count()
    }

    #[getter]
    fn min(&self) -> f64 {
        self.inner.min()
    }

    #[getter]
    fn max(&self) -> f64 {
        self.inner.max()
    }

    #[getter]
    fn sum(&self) -> f64 {
        self.inner.sum()
    }

    #[getter]
    fn mean(&self) -> f64 {
        self.inner.mean()
    }

    #[pyo3(signature = (ddof = 0.0))]
    fn variance(&self, ddof: f64) -> f64 {
        self.inner.variance(ddof)
    }

    #[pyo3(signature = (ddof = 0.0))]
    fn std(&self, ddof: f64) -> f64 {
        self.inner.std(ddof)
    }

    #[pyo3(signature = (bias = true))]
    fn skewness(&self, bias: bool) -> f64 {
        self.inner.skewness(bias)
    }

    #[pyo3(signature = (fisher = true, bias = true))]
    fn kurtosis(&self, fisher: bool, bias: bool) -> f64 {
        self.inner.kurtosis(fisher, bias)
    }

    /// Every statistic by name (population variance/std, biased skewness, excess kurtosis).
    fn to_dict<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyDict>> {
        let m = &self.inner;
        let d = PyDict::new(py);
        d.set_item("count", m.count())?;
        d.set_item("null_count", m.null_count())?;
        d.set_item("nan_count", m.nan_count())?;
        d.set_item("inf_count", m.inf_count())?;
        d.set_item("min", m.min())?;
        d.set_item("max", m.max())?;
        d.set_item("sum", m.sum())?;
        d.set_item("mean", m.mean())?;
        d.set_item("variance", m.variance(0.0))?;
        d.set_item("std", m.std(0.0))?;
        d.set_item("skewness", m.skewness(true))?;
        d.set_item("kurtosis", m.kurtosis(true, true))?;
        Ok(d)
    }

    /// The summary in driftscope's versioned binary format.
    fn to_bytes<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyBytes>> {
        let bytes = self.inner.to_bytes().map_err(core_err)?;
        Ok(PyBytes::new(py, &bytes))
    }

    /// Reads a summary written by `to_bytes`; corrupted or foreign bytes raise `ValueError`.
    #[staticmethod]
    fn from_bytes(data: &Bound<'_, PyAny>) -> PyResult<Self> {
        let bytes = bytes_arg(data, "data")?;
        Ok(PyMoments {
            inner: Moments::from_bytes(&bytes).map_err(core_err)?,
        })
    }

    fn __reduce__<'py>(slf: &Bound<'py, Self>) -> PyResult<Bound<'py, PyTuple>> {
        reduce_with_bytes(slf.as_any(), slf.borrow().to_bytes(slf.py())?)
    }

    fn __repr__(&self) -> String {
        let m = &self.inner;
        format!(
            "Moments(count={}, null_count={}, nan_count={}, mean={}, std={}, min={}, max={})",
            m.count(),
            m.null_count(),
            m.nan_count(),
            fmt(m.mean()),
            fmt(m.std(0.0)),
            fmt(m.min()),
            fmt(m.max())
        )
    }
}

/// A float as Python's `repr` would print it.
pub(crate) fn fmt(x: f64) -> String {
    if x.is_nan() {
        "nan".into()
    } else if x.is_infinite() {
        if x > 0.0 { "inf" } else { "-inf" }.into()
    } else {
        format!("{x:?}")
    }
}
