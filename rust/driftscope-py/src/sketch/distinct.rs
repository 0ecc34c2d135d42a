//! `driftscope.DistinctCount`: the Python face of `driftscope_core::DistinctCount`.

use driftscope_core::sketch::distinct::DEFAULT_LG_K;
use driftscope_core::DistinctCount;
use pyo3::prelude::*;
use pyo3::types::{PyBytes, PyTuple};

use crate::errors::{core_err, invalid_value};
use crate::io::input::for_each_category;
use crate::io::input::{bytes_arg, reduce_with_bytes};

/// The number of distinct values of a string, dictionary, integer or boolean column: a
/// HyperLogLog sketch of `2^lg_k` registers, relative standard error `1.04 / sqrt(2^lg_k)`.
#[pyclass(
    name = "DistinctCount",
    module = "driftscope._core",
    eq,
    from_py_object
)]
#[derive(Clone, PartialEq)]
pub struct PyDistinctCount {
    pub inner: DistinctCount,
}

fn std_arg(std: f64) -> PyResult<f64> {
    if std.is_finite() && std >= 0.0 {
        Ok(std)
    } else {
        Err(invalid_value("std must be a finite number >= 0"))
    }
}

#[pymethods]
impl PyDistinctCount {
    /// An empty sketch, or the sketch of `column` when given.
    #[new]
    #[pyo3(signature = (column = None, *, lg_k = DEFAULT_LG_K))]
    fn new(py: Python<'_>, column: Option<&Bound<'_, PyAny>>, lg_k: u8) -> PyResult<Self> {
        let mut s = PyDistinctCount {
            inner: DistinctCount::new(lg_k).map_err(core_err)?,
        };
        if let Some(column) = column {
            s.update(py, column)?;
        }
        Ok(s)
    }

    /// Counts the values of `column` (nulls counted apart).
    fn update(&mut self, py: Python<'_>, column: &Bound<'_, PyAny>) -> PyResult<()> {
        let inner = &mut self.inner;
        for_each_category(py, column, "column", |chunk| inner.update(chunk))
    }

    /// Folds `other` in (same `lg_k`, else `IncompatibleError`, a `ValueError`) and returns
    /// this sketch.
    fn merge<'py>(
        slf: Bound<'py, Self>,
        other: &Bound<'py, PyDistinctCount>,
    ) -> PyResult<Bound<'py, Self>> {
        let other = other.borrow().inner.clone();
        slf.borrow_mut().inner.merge(&other).map_err(core_err)?;
        Ok(slf)
    }

    fn copy(&self) -> Self {
        self.clone()
    }

    fn __copy__(&self) -> Self {
        self.clone()
    }

    fn __deepcopy__(&self, _memo: &Bound<'_, PyAny>) -> Self {
        self.clone()
    }

    /// The estimated number of distinct non-null values.
    #[getter]
    fn estimate(&self) -> f64 {
        self.inner.estimate()
    }

    /// `std` standard errors below the estimate.
    #[pyo3(signature = (std = 2.0))]
    fn lower_bound(&self, std: f64) -> PyResult<f64> {
        Ok(self.inner.lower_bound(std_arg(std)?))
    }

    /// `std` standard errors above the estimate.
    #[pyo3(signature = (std = 2.0))]
    fn upper_bound(&self, std: f64) -> PyResult<f64> {
        Ok(self.inner.upper_bound(std_arg(std)?))
    }

    /// The relative standard error of the estimate, `1.04 / sqrt(2^lg_k)`.
    #[getter]
    fn relative_standard_error(&self) -> f64 {
        self.inner.relative_standard_error()
    }

    #[getter]
    fn lg_k(&self) -> u8 {
        self.inner.lg_k()
    }

    #[getter]
    fn null_count(&self) -> u64 {
        self.inner.null_count()
    }

    /// The sketch in driftscope's versioned binary format.
    fn to_bytes<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyBytes>> {
        let bytes = self.inner.to_bytes().map_err(core_err)?;
        Ok(PyBytes::new(py, &bytes))
    }

    /// Reads a sketch written by `to_bytes`; corrupted or foreign bytes raise `ValueError`.
    #[staticmethod]
    fn from_bytes(data: &Bound<'_, PyAny>) -> PyResult<Self> {
        let bytes = bytes_arg(data, "data")?;
        Ok(PyDistinctCount {
            inner: DistinctCount::from_bytes(&bytes).map_err(core_err)?,
        })
    }

    fn __reduce__<'py>(slf: &Bound<'py, Self>) -> PyResult<Bound<'py, PyTuple>> {
        reduce_with_bytes(slf.as_any(), slf.borrow().to_bytes(slf.py())?)
    }

    fn __repr__(&self) -> String {
        format!(
            "DistinctCount(estimate={:.1}, lg_k={}, null_count={})",
            self.inner.estimate(),
            self.inner.lg_k(),
            self.inner.null_count()
        )
    }
}
