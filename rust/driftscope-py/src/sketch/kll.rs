//! `driftscope.KLL`: the Python face of `driftscope_core::Kll`.

use driftscope_core::sketch::kll::DEFAULT_K;
use driftscope_core::Kll;
use numpy::PyArray1;
use pyo3::prelude::*;
use pyo3::types::{PyBool, PyBytes, PyTuple};

use crate::errors::{compute, core_err, invalid_type, invalid_value};
use crate::io::input::{bytes_arg, for_each_numeric};
use crate::numeric::moments::fmt;
use crate::twosample::{floats, shaped};

/// KLL quantile sketch of doubles, byte-compatible with Apache DataSketches' KLL doubles
/// sketch: mergeable, with a rank error of `normalized_rank_error()` at 99% confidence.
#[pyclass(name = "KLL", module = "driftscope._core", eq, from_py_object)]
#[derive(Clone, PartialEq)]
pub struct PyKll {
    pub inner: Kll,
}

/// An integer argument in `0 ..= max`, else `InvalidInputError`/`InvalidTypeError`.
fn int_arg(obj: &Bound<'_, PyAny>, arg: &str, max: u64) -> PyResult<u64> {
    if obj.is_instance_of::<PyBool>() {
        return Err(invalid_type(format!(
            "argument {arg} must be an integer, not a bool"
        )));
    }
    let index = obj
        .call_method0("__index__")
        .map_err(|_| invalid_type(format!("argument {arg} must be an integer")))?;
    index
        .extract::<u64>()
        .ok()
        .filter(|&v| v <= max)
        .ok_or_else(|| invalid_value(format!("argument {arg} must be in [0, {max}], got {index}")))
}

/// Ranks or split points as a Vec, for the 1-D results.
fn vector_arg(obj: &Bound<'_, PyAny>, arg: &str) -> PyResult<Vec<f64>> {
    Ok(floats(obj, arg)?.0)
}

// The `k = 200` default in `KLL.__new__`'s signature is written as a literal so that Python
// sees it in the text signature; it must stay the core's default.
const _: () = assert!(DEFAULT_K == 200);

#[pymethods]
impl PyKll {
    /// An empty sketch with parameter `k` (8 to 65535); `seed` fixes the compaction coins so
    /// the same updates give the same sketch.
    #[new]
    #[pyo3(signature = (k = 200, seed = None))]
    fn new(k: i64, seed: Option<&Bound<'_, PyAny>>) -> PyResult<Self> {
        let k = u16::try_from(k)
            .map_err(|_| invalid_value(format!("argument k must be in [8, 65535], got {k}")))?;
        let inner = match seed {
            None => Kll::with_k(k),
            Some(s) => Kll::with_seed(k, int_arg(s, "seed", u64::MAX)?),
        }
        .map_err(core_err)?;
        Ok(PyKll { inner })
    }

    /// Adds the values of `column` (nulls and NaN are skipped and counted). Columns of 65,536
    /// values or more are compacted a block at a time, several levels at once (a sketch of
    /// the same kind and accuracy as DataSketches' one-value-at-a-time update, not the same
    /// bytes); large ones are sketched in parts on all cores and merged, which keeps the error
    /// guarantee.
    fn update(&mut self, py: Python<'_>, column: &Bound<'_, PyAny>) -> PyResult<()> {
        let inner = &mut self.inner;
        for_each_numeric(py, column, "column", |chunk| {
            inner.update_chunks_parallel(std::slice::from_ref(chunk))
        })
    }

    /// Folds `other` into this sketch and returns it: afterwards it summarizes both inputs.
    fn merge<'py>(slf: Bound<'py, Self>, other: &Bound<'py, PyKll>) -> PyResult<Bound<'py, Self>> {
        if slf.is(other) {
            let copy = other.borrow().inner.clone();
            slf.borrow_mut().inner.merge(&copy).map_err(core_err)?;
        } else {
            let other = other.borrow();
            slf.borrow_mut()
                .inner
                .merge(&other.inner)
                .map_err(core_err)?;
        }
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

    /// The approximate quantile at normalized rank `q` in [0, 1] (a float, or an array shaped
    /// like `q`). Empty sketches raise `EmptySampleError`.
    #[pyo3(signature = (q, inclusive = true))]
    fn quantile<'py>(
        &self,
        py: Python<'py>,
        q: &Bound<'py, PyAny>,
        inclusive: bool,
    ) -> PyResult<Bound<'py, PyAny>> {
        let (ranks, scalar) = floats(q, "q")?;
        let out = self.inner.quantiles(&ranks, inclusive).map_err(core_err)?;
        shaped(py, q, out, scalar)
    }

    /// Quantiles at the ranks `qs`, as a 1-D array.
    #[pyo3(signature = (qs, inclusive = true))]
    fn quantiles<'py>(
        &self,
        py: Python<'py>,
        qs: &Bound<'py, PyAny>,
        inclusive: bool,
    ) -> PyResult<Bound<'py, PyArray1<f64>>> {
        let ranks = vector_arg(qs, "qs")?;
        let out = self.inner.quantiles(&ranks, inclusive).map_err(core_err)?;
        Ok(PyArray1::from_vec(py, out))
    }

    /// The approximate normalized rank of `x`: the weight of values `<= x` (inclusive) or
    /// `< x` (a float, or an array shaped like `x`).
    #[pyo3(signature = (x, inclusive = true))]
    fn rank<'py>(
        &self,
        py: Python<'py>,
        x: &Bound<'py, PyAny>,
        inclusive: bool,
    ) -> PyResult<Bound<'py, PyAny>> {
        let (xs, scalar) = floats(x, "x")?;
        let view = self.inner.sorted_view().map_err(core_err)?;
        let out = xs.iter().map(|&v| view.rank(v, inclusive)).collect();
        shaped(py, x, out, scalar)
    }

    /// Ranks at each split point followed by 1.0 (splits strictly increasing, no NaN).
    #[pyo3(signature = (splits, inclusive = true))]
    fn cdf<'py>(
        &self,
        py: Python<'py>,
        splits: &Bound<'py, PyAny>,
        inclusive: bool,
    ) -> PyResult<Bound<'py, PyArray1<f64>>> {
        let splits = vector_arg(splits, "splits")?;
        let out = self.inner.cdf(&splits, inclusive).map_err(core_err)?;
        Ok(PyArray1::from_vec(py, out))
    }

    /// Mass between consecutive split points: `len(splits) + 1` values summing to 1.
    #[pyo3(signature = (splits, inclusive = true))]
    fn pmf<'py>(
        &self,
        py: Python<'py>,
        splits: &Bound<'py, PyAny>,
        inclusive: bool,
    ) -> PyResult<Bound<'py, PyArray1<f64>>> {
        let splits = vector_arg(splits, "splits")?;
        let out = self.inner.pmf(&splits, inclusive).map_err(core_err)?;
        Ok(PyArray1::from_vec(py, out))
    }

    /// Rank error not exceeded with 99% confidence: single-sided (quantile, rank, cdf) or
    /// double-sided (`pmf=True`).
    #[pyo3(signature = (pmf = false))]
    fn normalized_rank_error(&self, pmf: bool) -> f64 {
        self.inner.normalized_rank_error(pmf)
    }

    /// Values summarized (nulls and NaN excluded).
    #[getter]
    fn n(&self) -> u64 {
        self.inner.n()
    }

    #[getter]
    fn k(&self) -> u16 {
        self.inner.k()
    }

    /// The smallest value seen (exact); NaN when empty.
    #[getter]
    fn min(&self) -> f64 {
        self.inner.min()
    }

    /// The largest value seen (exact); NaN when empty.
    #[getter]
    fn max(&self) -> f64 {
        self.inner.max()
    }

    #[getter]
    fn num_retained(&self) -> usize {
        self.inner.num_retained()
    }

    #[getter]
    fn is_empty(&self) -> bool {
        self.inner.is_empty()
    }

    /// Whether the sketch has compacted, so its answers are estimates.
    #[getter]
    fn is_estimation_mode(&self) -> bool {
        self.inner.is_estimation_mode()
    }

    #[getter]
    fn null_count(&self) -> u64 {
        self.inner.null_count()
    }

    #[getter]
    fn nan_count(&self) -> u64 {
        self.inner.nan_count()
    }

    /// The Apache DataSketches KLL doubles compact form (null and NaN counts are not part of
    /// it).
    fn to_bytes<'py>(&self, py: Python<'py>) -> Bound<'py, PyBytes> {
        PyBytes::new(py, &self.inner.to_bytes())
    }

    /// Reads the DataSketches KLL doubles compact form (C++, Java or Python writers);
    /// corrupted or truncated bytes raise `CorruptDataError`, a `ValueError`.
    #[staticmethod]
    fn from_bytes(data: &Bound<'_, PyAny>) -> PyResult<Self> {
        let bytes = bytes_arg(data, "data")?;
        Ok(PyKll {
            inner: Kll::from_bytes(&bytes).map_err(core_err)?,
        })
    }

    /// `from_bytes` with the null and NaN counts restored (the pickle path).
    #[staticmethod]
    fn _restore(data: &Bound<'_, PyAny>, null_count: u64, nan_count: u64) -> PyResult<Self> {
        let mut s = Self::from_bytes(data)?;
        s.inner.set_missing_counts(null_count, nan_count);
        Ok(s)
    }

    fn __reduce__<'py>(slf: &Bound<'py, Self>) -> PyResult<Bound<'py, PyTuple>> {
        let py = slf.py();
        let me = slf.borrow();
        let args =
            (me.to_bytes(py), me.inner.null_count(), me.inner.nan_count()).into_pyobject(py)?;
        PyTuple::new(py, [slf.get_type().getattr("_restore")?, args.into_any()])
    }

    fn __repr__(&self) -> String {
        let s = &self.inner;
        format!(
            "KLL(k={}, n={}, num_retained={}, min={}, max={}, null_count={}, nan_count={})",
            s.k(),
            s.n(),
            s.num_retained(),
            fmt(s.min()),
            fmt(s.max()),
            s.null_count(),
            s.nan_count()
        )
    }
}

/// Two-sample KS from two KLL sketches: the statistic over their retained items, its error
/// bound from both sketches' rank errors, and the p-value interval (a dict; the Python layer
/// wraps it).
#[pyfunction]
pub fn ks_sketch<'py>(
    py: Python<'py>,
    a: PyRef<'py, PyKll>,
    b: PyRef<'py, PyKll>,
) -> PyResult<Bound<'py, pyo3::types::PyDict>> {
    let (sa, sb) = (&a.inner, &b.inner);
    let r =
        compute(py, || driftscope_core::sketch::ks_sketch::ks_sketch(sa, sb))?.map_err(core_err)?;
    let d = pyo3::types::PyDict::new(py);
    d.set_item("statistic", r.statistic)?;
    d.set_item("pvalue", r.pvalue)?;
    d.set_item("error_bound", r.error_bound)?;
    d.set_item("statistic_interval", (r.statistic_low, r.statistic_high))?;
    d.set_item("pvalue_interval", (r.pvalue_low, r.pvalue_high))?;
    d.set_item("statistic_location", r.statistic_location)?;
    d.set_item("statistic_sign", r.statistic_sign)?;
    d.set_item("n1", r.n1)?;
    d.set_item("n2", r.n2)?;
    d.set_item("exact", r.exact)?;
    Ok(d)
}
