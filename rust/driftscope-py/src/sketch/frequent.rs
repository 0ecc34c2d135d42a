//! `driftscope.FrequentItems`: the Python face of `driftscope_core::FrequentItems`.

use driftscope_core::sketch::frequent::{ErrorType, DEFAULT_MAX_MAP_SIZE};
use driftscope_core::FrequentItems;
use pyo3::prelude::*;
use pyo3::types::{PyBytes, PyTuple};

use crate::binned::categorical::{category_arg, category_py};
use crate::errors::{core_err, invalid_value};
use crate::io::input::for_each_category;
use crate::io::input::{bytes_arg, reduce_with_bytes};

/// One row of `frequent_items`: item, estimate, lower bound, upper bound.
type Row<'py> = (Bound<'py, PyAny>, u64, u64, u64);

/// Heavy hitters of a string, dictionary, integer or boolean column, with error bounds
/// (Misra–Gries, Apache DataSketches frequent-items semantics).
///
/// Every item's true count lies in `[lower_bound(item), upper_bound(item)]`, at most
/// `maximum_error` apart; summaries merge with the same guarantee.
#[pyclass(
    name = "FrequentItems",
    module = "driftscope._core",
    eq,
    from_py_object
)]
#[derive(Clone, PartialEq)]
pub struct PyFrequentItems {
    pub inner: FrequentItems,
}

#[pymethods]
impl PyFrequentItems {
    /// An empty summary of at most `3/4 · max_map_size` counters (a power of two), or the
    /// summary of `column` when given.
    #[new]
    #[pyo3(signature = (column = None, *, max_map_size = DEFAULT_MAX_MAP_SIZE))]
    fn new(
        py: Python<'_>,
        column: Option<&Bound<'_, PyAny>>,
        max_map_size: usize,
    ) -> PyResult<Self> {
        let mut s = PyFrequentItems {
            inner: FrequentItems::new(max_map_size).map_err(core_err)?,
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

    /// Folds `other` in (same `max_map_size`, else `IncompatibleError`, a `ValueError`) and
    /// returns this summary.
    fn merge<'py>(
        slf: Bound<'py, Self>,
        other: &Bound<'py, PyFrequentItems>,
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

    /// The estimated count of `item` (0 when it is not tracked).
    fn estimate(&self, item: &Bound<'_, PyAny>) -> PyResult<u64> {
        Ok(self.inner.estimate(&category_arg(item)?))
    }

    /// A count `item` surely reaches.
    fn lower_bound(&self, item: &Bound<'_, PyAny>) -> PyResult<u64> {
        Ok(self.inner.lower_bound(&category_arg(item)?))
    }

    /// A count `item` surely does not exceed.
    fn upper_bound(&self, item: &Bound<'_, PyAny>) -> PyResult<u64> {
        Ok(self.inner.upper_bound(&category_arg(item)?))
    }

    /// The largest gap between an item's bounds.
    #[getter]
    fn maximum_error(&self) -> u64 {
        self.inner.maximum_error()
    }

    /// `(item, estimate, lower_bound, upper_bound)` of the items whose count exceeds
    /// `threshold` (default and minimum: `maximum_error`), largest estimate first:
    /// surely (`"no_false_positives"`) or possibly (`"no_false_negatives"`).
    #[pyo3(signature = (threshold = None, error_type = "no_false_positives"))]
    fn frequent_items<'py>(
        &self,
        py: Python<'py>,
        threshold: Option<u64>,
        error_type: &str,
    ) -> PyResult<Vec<Row<'py>>> {
        let et = match error_type {
            "no_false_positives" => ErrorType::NoFalsePositives,
            "no_false_negatives" => ErrorType::NoFalseNegatives,
            _ => {
                return Err(invalid_value(
                    "error_type must be 'no_false_positives' or 'no_false_negatives'",
                ))
            }
        };
        self.inner
            .frequent_items(et, threshold.unwrap_or(0))
            .into_iter()
            .map(|r| {
                Ok((
                    category_py(py, &r.item)?,
                    r.estimate,
                    r.lower_bound,
                    r.upper_bound,
                ))
            })
            .collect()
    }

    /// Non-null values counted.
    #[getter]
    fn n(&self) -> u64 {
        self.inner.n()
    }

    #[getter]
    fn null_count(&self) -> u64 {
        self.inner.null_count()
    }

    #[getter]
    fn max_map_size(&self) -> usize {
        self.inner.max_map_size()
    }

    /// Number of items tracked.
    #[getter]
    fn num_active(&self) -> usize {
        self.inner.num_active()
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
        Ok(PyFrequentItems {
            inner: FrequentItems::from_bytes(&bytes).map_err(core_err)?,
        })
    }

    fn __reduce__<'py>(slf: &Bound<'py, Self>) -> PyResult<Bound<'py, PyTuple>> {
        reduce_with_bytes(slf.as_any(), slf.borrow().to_bytes(slf.py())?)
    }

    fn __repr__(&self) -> String {
        let f = &self.inner;
        format!(
            "FrequentItems(n={}, null_count={}, num_active={}, maximum_error={}, max_map_size={})",
            f.n(),
            f.null_count(),
            f.num_active(),
            f.maximum_error(),
            f.max_map_size()
        )
    }
}
