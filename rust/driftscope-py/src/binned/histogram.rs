//! `driftscope.Histogram`: the Python face of `driftscope_core::Histogram`.

use driftscope_core::{BinRule, Binning, Histogram};
use numpy::PyArray1;
use pyo3::prelude::*;
use pyo3::types::{PyBool, PyBytes, PyDict, PyString, PyTuple};

use crate::errors::{compute, core_err, invalid_type, invalid_value};
use crate::io::input::{bytes_arg, extract_column, for_each_numeric, reduce_with_bytes};
use crate::numeric::moments::fmt;

/// The default number of equal-width bins.
pub const DEFAULT_BINS: usize = 10;

/// The binning asked for by `bins=` (a count, a NumPy rule name or explicit edges),
/// `binning=` (`"uniform"` or `"quantile"`) and `width=`; `None` where not given.
pub fn binning_arg(
    bins: Option<&Bound<'_, PyAny>>,
    binning: Option<&str>,
    width: Option<f64>,
) -> PyResult<Binning> {
    let quantile = match binning.unwrap_or("uniform") {
        "uniform" => false,
        "quantile" => true,
        other => {
            return Err(invalid_value(format!(
                "binning must be 'uniform' or 'quantile', got {other:?}"
            )))
        }
    };
    if let Some(w) = width {
        if bins.is_some() || quantile {
            return Err(invalid_value(
                "width= sets equal-width bins; give it without bins= or binning='quantile'",
            ));
        }
        return Ok(Binning::Width(w));
    }
    let Some(bins) = bins else {
        return Ok(if quantile {
            Binning::Quantile(DEFAULT_BINS)
        } else {
            Binning::Count(DEFAULT_BINS)
        });
    };
    if bins.is_instance_of::<PyString>() {
        let name: String = bins.extract()?;
        if quantile {
            return Err(invalid_value(format!(
                "bins={name:?} names an equal-width rule; binning='quantile' needs a number of bins"
            )));
        }
        return Ok(Binning::Rule(BinRule::parse(&name).map_err(core_err)?));
    }
    if bins.is_instance_of::<PyBool>() {
        return Err(invalid_type(
            "bins must be a number of bins, a rule name or edges, not a bool",
        ));
    }
    if let Ok(n) = bins.extract::<i64>() {
        let n = usize::try_from(n)
            .ok()
            .filter(|&n| n > 0)
            .ok_or_else(|| invalid_value(format!("bins must be a positive number, got {n}")))?;
        return Ok(if quantile {
            Binning::Quantile(n)
        } else {
            Binning::Count(n)
        });
    }
    let edges: Vec<f64> = bins.extract().map_err(|_| {
        invalid_type(
            "bins must be a positive int, a NumPy rule name ('auto', 'fd', 'doane', 'scott', \
             'stone', 'rice', 'sturges', 'sqrt') or a sequence of edges",
        )
    })?;
    if quantile {
        return Err(invalid_value(
            "explicit edges cannot be combined with binning='quantile'",
        ));
    }
    Ok(Binning::Edges(edges))
}

/// Counts over edges fixed from a reference column, with open outer bins.
///
/// `counts` has `n + 2` entries for `n` interior bins: `[(-inf, e_0), [e_0, e_1), …,
/// [e_{n-1}, e_n], (e_n, +inf)]`; `interior_counts` are the middle `n`, equal to
/// `np.histogram(x, bins=edges)[0]`. Nulls and NaN are counted apart.
#[pyclass(name = "Histogram", module = "driftscope._core", eq, from_py_object)]
#[derive(Clone, PartialEq)]
pub struct PyHistogram {
    pub inner: Histogram,
}

impl PyHistogram {
    /// Counts of `column` over this histogram's edges, in a new histogram.
    pub fn binned(&self, py: Python<'_>, column: &Bound<'_, PyAny>) -> PyResult<Histogram> {
        let mut h = self.inner.empty_like();
        update(py, &mut h, column)?;
        Ok(h)
    }
}

fn update(py: Python<'_>, h: &mut Histogram, column: &Bound<'_, PyAny>) -> PyResult<()> {
    for_each_numeric(py, column, "column", |chunk| {
        h.update(chunk);
        Ok(())
    })
}

#[pymethods]
impl PyHistogram {
    /// The histogram of `reference` over the edges `bins`/`binning`/`width` take from it, or
    /// an empty histogram over explicit edges (`Histogram(bins=[0, 1, 2])`).
    #[new]
    #[pyo3(signature = (reference = None, bins = None, *, binning = None, width = None))]
    fn new(
        py: Python<'_>,
        reference: Option<&Bound<'_, PyAny>>,
        bins: Option<&Bound<'_, PyAny>>,
        binning: Option<&str>,
        width: Option<f64>,
    ) -> PyResult<Self> {
        let spec = binning_arg(bins, binning, width)?;
        let inner = match reference {
            None => match spec {
                Binning::Edges(edges) => Histogram::with_edges(edges).map_err(core_err)?,
                _ => {
                    return Err(invalid_value(
                        "a Histogram without a reference column needs explicit edges: \
                         Histogram(bins=[e0, e1, ...])",
                    ))
                }
            },
            Some(column) => {
                let col = extract_column(column, "reference")?;
                let chunks = col.chunks()?;
                compute(py, move || Histogram::from_reference(&chunks, &spec))?.map_err(core_err)?
            }
        };
        Ok(PyHistogram { inner })
    }

    /// Adds the values of `column` (nulls and NaN counted apart, the rest in a bin).
    fn update(&mut self, py: Python<'_>, column: &Bound<'_, PyAny>) -> PyResult<()> {
        update(py, &mut self.inner, column)
    }

    /// A new histogram of `column` over the same edges (e.g. the current data against the
    /// reference's bins).
    fn bin(&self, py: Python<'_>, column: &Bound<'_, PyAny>) -> PyResult<Self> {
        Ok(PyHistogram {
            inner: self.binned(py, column)?,
        })
    }

    /// An empty histogram over the same edges.
    fn empty_like(&self) -> Self {
        PyHistogram {
            inner: self.inner.empty_like(),
        }
    }

    /// Adds the counts of `other` (same edges, else `IncompatibleError`, a `ValueError`) and
    /// returns this histogram.
    fn merge<'py>(
        slf: Bound<'py, Self>,
        other: &Bound<'py, PyHistogram>,
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

    /// The `n + 1` edges.
    #[getter]
    fn edges<'py>(&self, py: Python<'py>) -> Bound<'py, PyArray1<f64>> {
        PyArray1::from_slice(py, self.inner.edges())
    }

    /// All `n + 2` counts: underflow, the `n` interior bins, overflow.
    #[getter]
    fn counts<'py>(&self, py: Python<'py>) -> Bound<'py, PyArray1<u64>> {
        PyArray1::from_slice(py, self.inner.counts())
    }

    /// The `n` interior counts: `np.histogram(x, bins=edges)[0]`.
    #[getter]
    fn interior_counts<'py>(&self, py: Python<'py>) -> Bound<'py, PyArray1<u64>> {
        PyArray1::from_slice(py, self.inner.interior_counts())
    }

    #[getter]
    fn num_bins(&self) -> usize {
        self.inner.num_bins()
    }

    /// Values below the first edge (-inf included).
    #[getter]
    fn underflow(&self) -> u64 {
        self.inner.underflow()
    }

    /// Values above the last edge (+inf included).
    #[getter]
    fn overflow(&self) -> u64 {
        self.inner.overflow()
    }

    #[getter]
    fn null_count(&self) -> u64 {
        self.inner.null_count()
    }

    #[getter]
    fn nan_count(&self) -> u64 {
        self.inner.nan_count()
    }

    /// Values binned: everything but nulls and NaN.
    #[getter]
    fn count(&self) -> u64 {
        self.inner.count()
    }

    /// Edges and counts by name, JSON-ready.
    fn to_dict<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyDict>> {
        let h = &self.inner;
        let d = PyDict::new(py);
        d.set_item("edges", h.edges().to_vec())?;
        d.set_item("counts", h.counts().to_vec())?;
        d.set_item("null_count", h.null_count())?;
        d.set_item("nan_count", h.nan_count())?;
        Ok(d)
    }

    /// The histogram in driftscope's versioned binary format.
    fn to_bytes<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyBytes>> {
        let bytes = self.inner.to_bytes().map_err(core_err)?;
        Ok(PyBytes::new(py, &bytes))
    }

    /// Reads a histogram written by `to_bytes`; corrupted or foreign bytes raise `ValueError`.
    #[staticmethod]
    fn from_bytes(data: &Bound<'_, PyAny>) -> PyResult<Self> {
        let bytes = bytes_arg(data, "data")?;
        Ok(PyHistogram {
            inner: Histogram::from_bytes(&bytes).map_err(core_err)?,
        })
    }

    /// An empty histogram over `bins` quantile bins of the data a `KLL` sketch summarizes
    /// (min and max exact, inner edges within the sketch's rank error): bin current data
    /// against a reference kept only as a sketch.
    #[staticmethod]
    #[pyo3(signature = (sketch, bins = 10))]
    fn from_kll(sketch: PyRef<'_, crate::sketch::kll::PyKll>, bins: usize) -> PyResult<Self> {
        Ok(PyHistogram {
            inner: Histogram::from_kll(&sketch.inner, bins).map_err(core_err)?,
        })
    }

    fn __reduce__<'py>(slf: &Bound<'py, Self>) -> PyResult<Bound<'py, PyTuple>> {
        reduce_with_bytes(slf.as_any(), slf.borrow().to_bytes(slf.py())?)
    }

    fn __repr__(&self) -> String {
        let h = &self.inner;
        let e = h.edges();
        format!(
            "Histogram(bins={}, range=[{}, {}], count={}, underflow={}, overflow={}, \
             null_count={}, nan_count={})",
            h.num_bins(),
            fmt(e[0]),
            fmt(e[e.len() - 1]),
            h.count(),
            h.underflow(),
            h.overflow(),
            h.null_count(),
            h.nan_count()
        )
    }
}
