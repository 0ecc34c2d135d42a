//! Exact two-sample tests and the `ECDF` engine: Python faces of the core's sorted-data kernels.
//!
//! Each function returns a plain dict; `driftscope/twosample.py` turns it into a scipy-like
//! result object and raises scipy's warnings, so the Python surface stays in one place.

use driftscope_core::numeric::sort::{sort_pair, SortedSample};
use driftscope_core::twosample::anderson::{
    anderson_ksamp_sorted, AndersonResult, AndersonVariant,
};
use driftscope_core::twosample::census::{ks_2samp_chunks, wasserstein_chunks, Skipped};
use driftscope_core::twosample::cvm::{cramervonmises_2samp_sorted, CvmMethod, CvmResult};
use driftscope_core::twosample::ks::{Alternative, KsMethod, KsResult};
use driftscope_core::twosample::wasserstein::cdf_distances_sorted;
use driftscope_core::{Ecdf, Error};
use numpy::{PyArray1, PyArrayMethods};
use pyo3::prelude::*;
use pyo3::types::{PyBytes, PyDict, PyTuple};

use crate::errors::{compute, core_err, invalid_value};
use crate::io::input::{bytes_arg, extract_column, reduce_with_bytes};

fn parse<T: std::str::FromStr<Err = Error>>(s: &str) -> PyResult<T> {
    s.parse::<T>().map_err(core_err)
}

/// scipy accepts an alternative by its first letter ('t', 'l', 'g'); so do we.
fn parse_alternative(s: &str) -> PyResult<Alternative> {
    let full = match s.to_ascii_lowercase().chars().next() {
        Some('t') => "two-sided",
        Some('l') => "less",
        Some('g') => "greater",
        _ => s,
    };
    parse(full)
}

/// Sorted valid values of one column, with its skip counts.
fn sorted_column(py: Python<'_>, obj: &Bound<'_, PyAny>, arg: &str) -> PyResult<SortedSample> {
    let col = extract_column(obj, arg)?;
    let chunks = col.chunks()?;
    compute(py, move || SortedSample::from_chunks(&chunks))
}

/// Sorted valid values of two columns, sorted in parallel.
fn sorted_pair(
    py: Python<'_>,
    a: &Bound<'_, PyAny>,
    b: &Bound<'_, PyAny>,
) -> PyResult<(SortedSample, SortedSample)> {
    let ca = extract_column(a, "a")?;
    let cb = extract_column(b, "b")?;
    let (xa, xb) = (ca.chunks()?, cb.chunks()?);
    compute(py, move || sort_pair(&xa, &xb))
}

fn counts<'py>(d: &Bound<'py, PyDict>, a: &Skipped, b: &Skipped) -> PyResult<()> {
    d.set_item("null_counts", (a.null_count, b.null_count))?;
    d.set_item("nan_counts", (a.nan_count, b.nan_count))?;
    d.set_item("inf_counts", (a.inf_count(), b.inf_count()))?;
    Ok(())
}

fn ks_dict<'py>(py: Python<'py>, r: &KsResult) -> PyResult<Bound<'py, PyDict>> {
    let d = PyDict::new(py);
    d.set_item("statistic", r.statistic)?;
    d.set_item("pvalue", r.pvalue)?;
    d.set_item("statistic_location", r.statistic_location)?;
    d.set_item("statistic_sign", r.statistic_sign)?;
    d.set_item("n1", r.n1)?;
    d.set_item("n2", r.n2)?;
    d.set_item("alternative", r.alternative.as_str())?;
    d.set_item("method", r.method_used.as_str())?;
    d.set_item("warning", r.fallback.map(|f| f.message(r.n1, r.n2)))?;
    Ok(d)
}

fn cvm_dict<'py>(py: Python<'py>, r: &CvmResult) -> PyResult<Bound<'py, PyDict>> {
    let d = PyDict::new(py);
    d.set_item("statistic", r.statistic)?;
    d.set_item("pvalue", r.pvalue)?;
    d.set_item("u", r.u)?;
    d.set_item("n1", r.n1)?;
    d.set_item("n2", r.n2)?;
    d.set_item("method", r.method_used.as_str())?;
    Ok(d)
}

fn anderson_dict<'py>(py: Python<'py>, r: &AndersonResult) -> PyResult<Bound<'py, PyDict>> {
    let d = PyDict::new(py);
    d.set_item("statistic", r.statistic)?;
    d.set_item("critical_values", r.critical_values.to_vec())?;
    d.set_item("pvalue", r.pvalue)?;
    d.set_item("warning", r.pvalue_bound.map(|b| b.message()))?;
    d.set_item("sizes", r.sizes.clone())?;
    d.set_item("variant", r.variant.as_str())?;
    Ok(d)
}

/// `scipy.stats.ks_2samp` on two columns.
#[pyfunction]
#[pyo3(signature = (a, b, alternative = "two-sided", method = "auto"))]
pub fn ks_2samp<'py>(
    py: Python<'py>,
    a: &Bound<'py, PyAny>,
    b: &Bound<'py, PyAny>,
    alternative: &str,
    method: &str,
) -> PyResult<Bound<'py, PyDict>> {
    let alternative = parse_alternative(alternative)?;
    let method: KsMethod = parse(method)?;
    let ca = extract_column(a, "a")?;
    let cb = extract_column(b, "b")?;
    let (xa, xb) = (ca.chunks()?, cb.chunks()?);
    let (r, sa, sb) =
        compute(py, || ks_2samp_chunks(&xa, &xb, alternative, method))?.map_err(core_err)?;
    let d = ks_dict(py, &r)?;
    counts(&d, &sa, &sb)?;
    Ok(d)
}

/// `scipy.stats.wasserstein_distance` of two columns.
#[pyfunction]
pub fn wasserstein_distance(
    py: Python<'_>,
    a: &Bound<'_, PyAny>,
    b: &Bound<'_, PyAny>,
) -> PyResult<(f64, (u64, u64))> {
    let ca = extract_column(a, "a")?;
    let cb = extract_column(b, "b")?;
    let (xa, xb) = (ca.chunks()?, cb.chunks()?);
    let (w, sa, sb) = compute(py, || wasserstein_chunks(&xa, &xb))?.map_err(core_err)?;
    Ok((w, (sa.nan_count, sb.nan_count)))
}

/// `(wasserstein, energy)` distances of two columns (`scipy.stats.wasserstein_distance` and
/// `energy_distance`), from one merge walk.
#[pyfunction]
pub fn cdf_distances<'py>(
    py: Python<'py>,
    a: &Bound<'py, PyAny>,
    b: &Bound<'py, PyAny>,
) -> PyResult<(f64, f64, (u64, u64))> {
    let (sa, sb) = sorted_pair(py, a, b)?;
    let r = compute(py, || cdf_distances_sorted(sa.values(), sb.values()))?.map_err(core_err)?;
    Ok((r.wasserstein, r.energy, (sa.nan_count, sb.nan_count)))
}

/// `scipy.stats.cramervonmises_2samp` on two columns.
#[pyfunction]
#[pyo3(signature = (a, b, method = "auto"))]
pub fn cramervonmises_2samp<'py>(
    py: Python<'py>,
    a: &Bound<'py, PyAny>,
    b: &Bound<'py, PyAny>,
    method: &str,
) -> PyResult<Bound<'py, PyDict>> {
    let method: CvmMethod = parse(method)?;
    let (sa, sb) = sorted_pair(py, a, b)?;
    let r = compute(py, || {
        cramervonmises_2samp_sorted(sa.values(), sb.values(), method)
    })?
    .map_err(core_err)?;
    let d = cvm_dict(py, &r)?;
    counts(&d, &(&sa).into(), &(&sb).into())?;
    Ok(d)
}

/// `scipy.stats.anderson_ksamp` on a sequence of columns.
#[pyfunction]
#[pyo3(signature = (samples, variant = "midrank"))]
pub fn anderson_ksamp<'py>(
    py: Python<'py>,
    samples: &Bound<'py, PyAny>,
    variant: &str,
) -> PyResult<Bound<'py, PyDict>> {
    let variant: AndersonVariant = parse(variant)?;
    let mut columns = Vec::new();
    for (i, item) in samples.try_iter()?.enumerate() {
        columns.push(extract_column(&item?, &format!("samples[{i}]"))?);
    }
    if columns.len() < 2 {
        return Err(invalid_value(format!(
            "anderson_ksamp needs at least 2 samples, got {}",
            columns.len()
        )));
    }
    let chunks = columns
        .iter()
        .map(|c| c.chunks())
        .collect::<PyResult<Vec<_>>>()?;
    let sorted: Vec<SortedSample> = compute(py, || {
        use rayon::prelude::*;
        chunks
            .par_iter()
            .map(|c| SortedSample::from_chunks(c))
            .collect()
    })?;
    let r = compute(py, || {
        let views: Vec<&[f64]> = sorted.iter().map(SortedSample::values).collect();
        anderson_ksamp_sorted(&views, variant)
    })?
    .map_err(core_err)?;
    let d = anderson_dict(py, &r)?;
    let nulls: Vec<u64> = sorted.iter().map(|s| s.null_count).collect();
    let nans: Vec<u64> = sorted.iter().map(|s| s.nan_count).collect();
    d.set_item("null_counts", nulls)?;
    d.set_item("nan_counts", nans)?;
    Ok(d)
}

/// The empirical CDF of a reference sample, sorted once and tested against many batches.
#[pyclass(name = "ECDF", module = "driftscope._core", eq, frozen)]
#[derive(PartialEq)]
pub struct PyEcdf {
    inner: Ecdf,
}

/// A float array argument as a Vec (scalars become a 1-element vector).
pub(crate) fn floats(obj: &Bound<'_, PyAny>, arg: &str) -> PyResult<(Vec<f64>, bool)> {
    if let Ok(x) = obj.extract::<f64>() {
        return Ok((vec![x], true));
    }
    let np = obj.py().import("numpy")?;
    let arr = np
        .call_method1("asarray", (obj, "float64"))
        .map_err(|e| invalid_value(format!("argument {arg} must be numbers: {e}")))?;
    let arr = arr
        .call_method0("ravel")?
        .cast_into::<PyArray1<f64>>()
        .map_err(|_| invalid_value(format!("argument {arg} must be an array of numbers")))?;
    let ro = arr
        .try_readonly()
        .map_err(|e| invalid_value(e.to_string()))?;
    Ok((ro.as_array().to_vec(), false))
}

/// A result vector shaped like the input: a float for a scalar, else an array of its shape.
pub(crate) fn shaped<'py>(
    py: Python<'py>,
    like: &Bound<'py, PyAny>,
    values: Vec<f64>,
    scalar: bool,
) -> PyResult<Bound<'py, PyAny>> {
    if scalar {
        return Ok(values
            .first()
            .copied()
            .unwrap_or(f64::NAN)
            .into_pyobject(py)?
            .into_any());
    }
    let out = PyArray1::from_vec(py, values);
    let shape = py.import("numpy")?.call_method1("shape", (like,))?;
    out.call_method1("reshape", (shape,))
}

#[pymethods]
impl PyEcdf {
    #[new]
    fn new(py: Python<'_>, reference: &Bound<'_, PyAny>) -> PyResult<Self> {
        let sample = sorted_column(py, reference, "reference")?;
        Ok(PyEcdf {
            inner: Ecdf::new(sample).map_err(core_err)?,
        })
    }

    /// Number of reference values (nulls and NaN excluded).
    #[getter]
    fn n(&self) -> usize {
        self.inner.n()
    }

    #[getter]
    fn null_count(&self) -> u64 {
        self.inner.sample().null_count
    }

    #[getter]
    fn nan_count(&self) -> u64 {
        self.inner.sample().nan_count
    }

    /// The sorted reference values (a copy).
    fn values<'py>(&self, py: Python<'py>) -> Bound<'py, PyArray1<f64>> {
        PyArray1::from_slice(py, self.inner.values())
    }

    /// Fraction of reference values `<= x`, for a number or an array of numbers.
    fn cdf<'py>(&self, py: Python<'py>, x: &Bound<'py, PyAny>) -> PyResult<Bound<'py, PyAny>> {
        let (xs, scalar) = floats(x, "x")?;
        let inner = &self.inner;
        let out = compute(py, move || inner.cdf_many(&xs))?;
        shaped(py, x, out, scalar)
    }

    /// Inverse ECDF (numpy's 'inverted_cdf' quantile) at `q` in [0, 1], number or array.
    fn quantile<'py>(&self, py: Python<'py>, q: &Bound<'py, PyAny>) -> PyResult<Bound<'py, PyAny>> {
        let (qs, scalar) = floats(q, "q")?;
        let out = self.inner.quantiles(&qs).map_err(core_err)?;
        shaped(py, q, out, scalar)
    }

    #[pyo3(signature = (current, alternative = "two-sided", method = "auto"))]
    fn ks<'py>(
        &self,
        py: Python<'py>,
        current: &Bound<'py, PyAny>,
        alternative: &str,
        method: &str,
    ) -> PyResult<Bound<'py, PyDict>> {
        let alternative = parse_alternative(alternative)?;
        let method: KsMethod = parse(method)?;
        let col = extract_column(current, "current")?;
        let chunks = col.chunks()?;
        let inner = &self.inner;
        let (r, cur) =
            compute(py, || inner.ks_chunks(&chunks, alternative, method))?.map_err(core_err)?;
        let d = ks_dict(py, &r)?;
        counts(&d, &self.inner.sample().into(), &cur)?;
        Ok(d)
    }

    /// `scipy.stats.wasserstein_distance(reference, current)`.
    fn wasserstein(&self, py: Python<'_>, current: &Bound<'_, PyAny>) -> PyResult<(f64, u64)> {
        let col = extract_column(current, "current")?;
        let chunks = col.chunks()?;
        let inner = &self.inner;
        let (w, s) = compute(py, || inner.wasserstein_chunks(&chunks))?.map_err(core_err)?;
        Ok((w, s.nan_count))
    }

    /// `(wasserstein, energy)` distances between the reference and `current`.
    fn distances(&self, py: Python<'_>, current: &Bound<'_, PyAny>) -> PyResult<(f64, f64, u64)> {
        let cur = sorted_column(py, current, "current")?;
        let inner = &self.inner;
        let r = compute(py, || inner.distances(cur.values()))?.map_err(core_err)?;
        Ok((r.wasserstein, r.energy, cur.nan_count))
    }

    #[pyo3(signature = (current, method = "auto"))]
    fn cvm<'py>(
        &self,
        py: Python<'py>,
        current: &Bound<'py, PyAny>,
        method: &str,
    ) -> PyResult<Bound<'py, PyDict>> {
        let method: CvmMethod = parse(method)?;
        let cur = sorted_column(py, current, "current")?;
        let inner = &self.inner;
        let r = compute(py, || inner.cvm(cur.values(), method))?.map_err(core_err)?;
        let d = cvm_dict(py, &r)?;
        counts(&d, &self.inner.sample().into(), &(&cur).into())?;
        Ok(d)
    }

    #[pyo3(signature = (current, variant = "midrank"))]
    fn anderson<'py>(
        &self,
        py: Python<'py>,
        current: &Bound<'py, PyAny>,
        variant: &str,
    ) -> PyResult<Bound<'py, PyDict>> {
        let variant: AndersonVariant = parse(variant)?;
        let cur = sorted_column(py, current, "current")?;
        let inner = &self.inner;
        let r = compute(py, || inner.anderson(cur.values(), variant))?.map_err(core_err)?;
        let d = anderson_dict(py, &r)?;
        d.set_item(
            "null_counts",
            vec![self.inner.sample().null_count, cur.null_count],
        )?;
        d.set_item(
            "nan_counts",
            vec![self.inner.sample().nan_count, cur.nan_count],
        )?;
        Ok(d)
    }

    fn to_bytes<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyBytes>> {
        let bytes = self.inner.to_bytes().map_err(core_err)?;
        Ok(PyBytes::new(py, &bytes))
    }

    #[staticmethod]
    fn from_bytes(data: &Bound<'_, PyAny>) -> PyResult<Self> {
        let bytes = bytes_arg(data, "data")?;
        Ok(PyEcdf {
            inner: Ecdf::from_bytes(&bytes).map_err(core_err)?,
        })
    }

    fn __reduce__<'py>(slf: &Bound<'py, Self>) -> PyResult<Bound<'py, PyTuple>> {
        reduce_with_bytes(slf.as_any(), slf.get().to_bytes(slf.py())?)
    }

    fn __len__(&self) -> usize {
        self.inner.n()
    }

    fn __repr__(&self) -> String {
        let v = self.inner.values();
        format!(
            "ECDF(n={}, min={:?}, max={:?}, null_count={}, nan_count={})",
            v.len(),
            v.first().copied().unwrap_or(f64::NAN),
            v.last().copied().unwrap_or(f64::NAN),
            self.inner.sample().null_count,
            self.inner.sample().nan_count
        )
    }
}
