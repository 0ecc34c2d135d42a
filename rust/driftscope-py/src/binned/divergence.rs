//! Divergences and contingency tests, on count vectors or on two columns binned on the
//! reference: Python faces of `driftscope_core::binned::divergence`.

use driftscope_core::binned::categorical::DEFAULT_CAPACITY;
use driftscope_core::binned::divergence::{self, ContingencyTest, Measure, Smoothing};
use driftscope_core::{Category, CategoryCounts, Histogram};
use numpy::{PyArray1, PyArrayMethods};
use pyo3::prelude::*;
use pyo3::types::{PyDict, PyTuple};

use crate::binned::categorical::{align_categories, category_py, PyCategoryCounts};
use crate::binned::histogram::{binning_arg, PyHistogram};
use crate::errors::{compute, core_err, invalid_type, invalid_value};
use crate::io::input::{extract_categorical, extract_column};

/// A count (or probability) vector argument as float64 values.
fn counts(obj: &Bound<'_, PyAny>, arg: &str) -> PyResult<Vec<f64>> {
    let np = obj.py().import("numpy")?;
    let arr = np.call_method1("asarray", (obj,))?;
    let kind: String = arr.getattr("dtype")?.getattr("kind")?.extract()?;
    if !matches!(kind.as_str(), "f" | "i" | "u" | "b") {
        return Err(crate::errors::invalid_type(format!(
            "argument {arg} must be a vector of counts (numbers), got dtype kind '{kind}'"
        )));
    }
    let arr = np.call_method1("ascontiguousarray", (arr, "float64"))?;
    let ndim: usize = arr.getattr("ndim")?.extract()?;
    if ndim != 1 {
        return Err(invalid_value(format!(
            "argument {arg} must be a 1-D vector of counts, got {ndim} dimensions"
        )));
    }
    let arr = arr
        .cast_into::<PyArray1<f64>>()
        .map_err(|_| invalid_value(format!("argument {arg} must be a vector of counts")))?;
    let ro = arr
        .try_readonly()
        .map_err(|e| invalid_value(e.to_string()))?;
    Ok(ro.as_array().to_vec())
}

/// `smoothing`: `"auto"` (the measure's default), `None` (none) or an epsilon in (0, 1).
fn smoothing(measure: Measure, obj: &Bound<'_, PyAny>) -> PyResult<Smoothing> {
    if obj.is_none() {
        return Ok(Smoothing::None);
    }
    if let Ok(s) = obj.extract::<String>() {
        return match s.as_str() {
            "auto" => Ok(measure.default_smoothing()),
            "none" => Ok(Smoothing::None),
            _ => Err(invalid_value(format!(
                "smoothing must be 'auto', None or a number in (0, 1), got {s:?}"
            ))),
        };
    }
    let eps: f64 = obj
        .extract()
        .map_err(|_| invalid_value("smoothing must be 'auto', None or a number in (0, 1)"))?;
    if !(eps > 0.0 && eps < 1.0) {
        return Err(invalid_value(format!(
            "smoothing epsilon must lie in (0, 1), got {eps}"
        )));
    }
    Ok(Smoothing::Epsilon(eps))
}

/// `(value, per-bin terms)` of a divergence between two count vectors.
#[pyfunction]
#[pyo3(signature = (measure, p, q, base, smoothing))]
pub fn divergence_counts(
    measure: &str,
    p: &Bound<'_, PyAny>,
    q: &Bound<'_, PyAny>,
    base: Option<f64>,
    smoothing: &Bound<'_, PyAny>,
) -> PyResult<(f64, Vec<f64>)> {
    let measure = Measure::parse(measure).map_err(core_err)?;
    let smooth = self::smoothing(measure, smoothing)?;
    let (p, q) = (counts(p, "p")?, counts(q, "q")?);
    let value = divergence::divergence(measure, &p, &q, base, smooth).map_err(core_err)?;
    let terms = divergence::terms(measure, &p, &q, base, smooth).map_err(core_err)?;
    Ok((value, terms))
}

fn contingency_dict<'py>(py: Python<'py>, r: &ContingencyTest) -> PyResult<Bound<'py, PyDict>> {
    let d = PyDict::new(py);
    d.set_item("statistic", r.statistic)?;
    d.set_item("pvalue", r.pvalue)?;
    d.set_item("dof", r.dof)?;
    d.set_item("contributions", r.contributions.clone())?;
    d.set_item("expected", r.expected.clone())?;
    d.set_item("dropped", r.dropped)?;
    Ok(d)
}

/// `chi2_contingency(correction=False)` (`lambda_=None`) or its G-test on the 2×k table.
#[pyfunction]
#[pyo3(signature = (kind, ref_counts, cur_counts))]
pub fn contingency<'py>(
    py: Python<'py>,
    kind: &str,
    ref_counts: &Bound<'py, PyAny>,
    cur_counts: &Bound<'py, PyAny>,
) -> PyResult<Bound<'py, PyDict>> {
    let (r, c) = (
        counts(ref_counts, "ref_counts")?,
        counts(cur_counts, "cur_counts")?,
    );
    let result = match kind {
        "chi2" => divergence::chi2_test(&r, &c),
        "g" => divergence::g_test(&r, &c),
        _ => return Err(invalid_value(format!("unknown test {kind:?}"))),
    }
    .map_err(core_err)?;
    contingency_dict(py, &result)
}

/// The two summaries a binned comparison was computed on.
enum Summaries {
    Hist(Histogram, Histogram),
    Cats(CategoryCounts, CategoryCounts),
}

/// Each bin's category (`None`: the `other` bin), for categorical comparisons.
type Labels = Option<Vec<Option<Category>>>;

/// The reference summary, the current summary and the labels, as Python objects.
type Wrapped = (Py<PyAny>, Py<PyAny>, Py<PyAny>);

/// `divergence_columns`' value: the value, the terms, then `Wrapped`.
type DivergenceColumns = (f64, Vec<f64>, Py<PyAny>, Py<PyAny>, Py<PyAny>);

/// `contingency_columns`' value: the result dict, then `Wrapped`.
type ContingencyColumns<'py> = (Bound<'py, PyDict>, Py<PyAny>, Py<PyAny>, Py<PyAny>);

/// One side of a comparison on columns: a summary object or a raw column.
enum Side<'a, 'py> {
    Hist(Histogram),
    Cats(CategoryCounts),
    Raw(&'a Bound<'py, PyAny>),
}

fn side<'a, 'py>(obj: &'a Bound<'py, PyAny>) -> Side<'a, 'py> {
    if let Ok(h) = obj.cast::<PyHistogram>() {
        return Side::Hist(h.borrow().inner.clone());
    }
    if let Ok(c) = obj.cast::<PyCategoryCounts>() {
        return Side::Cats(c.borrow().inner.clone());
    }
    Side::Raw(obj)
}

/// Bins `reference` and `current` (raw columns or summaries, see `divergence.py`) and runs
/// `finish` on the two aligned count vectors, all in one call with the GIL released.
/// Returns `finish`'s value, the two summaries and, for categories, each bin's label.
#[allow(clippy::too_many_arguments)]
fn binned<T: Send>(
    py: Python<'_>,
    reference: &Bound<'_, PyAny>,
    current: &Bound<'_, PyAny>,
    categorical: bool,
    bins: Option<&Bound<'_, PyAny>>,
    binning: Option<&str>,
    width: Option<f64>,
    finish: impl FnOnce(&[f64], &[f64]) -> driftscope_core::Result<T> + Send,
) -> PyResult<(T, Summaries, Labels)> {
    let options = bins.is_some() || binning.is_some() || width.is_some();
    let mismatch = || {
        invalid_type(
            "reference and current must both be raw columns, or the reference a Histogram \
             (or CategoryCounts) and the current one of the same kind or a raw column",
        )
    };
    let given_options = || {
        invalid_value(
            "bins=, binning= and width= apply to raw columns; a Histogram or CategoryCounts \
             reference already fixes the bins",
        )
    };
    match (side(reference), side(current)) {
        (Side::Hist(r), cur) => {
            if options {
                return Err(given_options());
            }
            // The current column, when raw, is binned in the same GIL-released call.
            let (c, col) = match cur {
                Side::Hist(c) => (c, None),
                Side::Raw(obj) => (r.empty_like(), Some(extract_column(obj, "current")?)),
                Side::Cats(_) => return Err(mismatch()),
            };
            let chunks = col.as_ref().map(|col| col.chunks()).transpose()?;
            let (out, c) = compute(py, || {
                let mut c = c;
                chunks.iter().flatten().for_each(|ch| c.update(ch));
                let (p, q) = Histogram::aligned_counts(&r, &c)?;
                finish(&p, &q).map(|v| (v, c))
            })?
            .map_err(core_err)?;
            Ok((out, Summaries::Hist(r, c), None))
        }
        (Side::Cats(r), cur) => {
            if options {
                return Err(given_options());
            }
            // A raw current column is counted (free, or over a fixed reference's domain) in
            // the same GIL-released call.
            let (c, col) = match cur {
                Side::Cats(c) => (c, None),
                Side::Raw(obj) => {
                    let c = if r.is_fixed() {
                        r.empty_like()
                    } else {
                        CategoryCounts::new(r.capacity()).map_err(core_err)?
                    };
                    (c, Some(extract_categorical(obj, "current")?))
                }
                Side::Hist(_) => return Err(mismatch()),
            };
            let chunks = col.as_ref().map(|col| col.chunks()).transpose()?;
            let (out, labels, c) = compute(py, || {
                let mut c = c;
                chunks.iter().flatten().try_for_each(|ch| c.update(ch))?;
                let (labels, p, q) = align_categories(&r, &c);
                finish(&p, &q).map(|v| (v, labels, c))
            })?
            .map_err(core_err)?;
            Ok((out, Summaries::Cats(r, c), Some(labels)))
        }
        (Side::Raw(_), Side::Hist(_) | Side::Cats(_)) => Err(mismatch()),
        (Side::Raw(r_obj), Side::Raw(c_obj)) if categorical => {
            let (rc, cc) = (
                extract_categorical(r_obj, "reference")?,
                extract_categorical(c_obj, "current")?,
            );
            let (rch, cch) = (rc.chunks()?, cc.chunks()?);
            let (out, labels, r, c) = compute(py, || {
                let mut r = CategoryCounts::new(DEFAULT_CAPACITY)?;
                let mut c = CategoryCounts::new(DEFAULT_CAPACITY)?;
                rch.iter().try_for_each(|ch| r.update(ch))?;
                cch.iter().try_for_each(|ch| c.update(ch))?;
                let (labels, p, q) = align_categories(&r, &c);
                finish(&p, &q).map(|v| (v, labels, r, c))
            })?
            .map_err(core_err)?;
            Ok((out, Summaries::Cats(r, c), Some(labels)))
        }
        (Side::Raw(r_obj), Side::Raw(c_obj)) => {
            let spec = binning_arg(bins, binning, width)?;
            let (rc, cc) = (
                extract_column(r_obj, "reference")?,
                extract_column(c_obj, "current")?,
            );
            let (rch, cch) = (rc.chunks()?, cc.chunks()?);
            let (out, r, c) = compute(py, || {
                let r = Histogram::from_reference(&rch, &spec)?;
                let mut c = r.empty_like();
                cch.iter().for_each(|ch| c.update(ch));
                let (p, q) = Histogram::aligned_counts(&r, &c)?;
                finish(&p, &q).map(|v| (v, r, c))
            })?
            .map_err(core_err)?;
            Ok((out, Summaries::Hist(r, c), None))
        }
    }
}

/// The Python objects of the summaries and labels of a binned comparison.
fn wrap(py: Python<'_>, summaries: Summaries, labels: Labels) -> PyResult<Wrapped> {
    let (r, c) = match summaries {
        Summaries::Hist(r, c) => (
            Py::new(py, PyHistogram { inner: r })?.into_any(),
            Py::new(py, PyHistogram { inner: c })?.into_any(),
        ),
        Summaries::Cats(r, c) => (
            Py::new(py, PyCategoryCounts { inner: r })?.into_any(),
            Py::new(py, PyCategoryCounts { inner: c })?.into_any(),
        ),
    };
    let labels = match labels {
        None => py.None(),
        Some(labels) => {
            let items = labels
                .iter()
                .map(|l| match l {
                    Some(c) => category_py(py, c),
                    None => Ok(py.None().into_bound(py)),
                })
                .collect::<PyResult<Vec<_>>>()?;
            PyTuple::new(py, items)?.into_any().unbind()
        }
    };
    Ok((r, c, labels))
}

/// `(value, per-bin terms, reference summary, current summary, labels)` of a divergence
/// between two raw columns (or summaries), binned on the reference in one GIL-released pass.
#[pyfunction]
#[pyo3(signature = (measure, reference, current, categorical, bins, binning, width, base, smoothing))]
#[allow(clippy::too_many_arguments)]
pub fn divergence_columns(
    py: Python<'_>,
    measure: &str,
    reference: &Bound<'_, PyAny>,
    current: &Bound<'_, PyAny>,
    categorical: bool,
    bins: Option<&Bound<'_, PyAny>>,
    binning: Option<&str>,
    width: Option<f64>,
    base: Option<f64>,
    smoothing: &Bound<'_, PyAny>,
) -> PyResult<DivergenceColumns> {
    let measure = Measure::parse(measure).map_err(core_err)?;
    let smooth = self::smoothing(measure, smoothing)?;
    let finish = move |p: &[f64], q: &[f64]| {
        let value = divergence::divergence(measure, p, q, base, smooth)?;
        let terms = divergence::terms(measure, p, q, base, smooth)?;
        Ok((value, terms))
    };
    let ((value, terms), summaries, labels) = binned(
        py,
        reference,
        current,
        categorical,
        bins,
        binning,
        width,
        finish,
    )?;
    let (r, c, labels) = wrap(py, summaries, labels)?;
    Ok((value, terms, r, c, labels))
}

/// The contingency test `kind` (`"chi2"` or `"g"`) on two raw columns (or summaries), binned
/// on the reference: `(result dict, reference summary, current summary, labels)`.
#[pyfunction]
#[pyo3(signature = (kind, reference, current, categorical, bins, binning, width))]
#[allow(clippy::too_many_arguments)]
pub fn contingency_columns<'py>(
    py: Python<'py>,
    kind: &str,
    reference: &Bound<'py, PyAny>,
    current: &Bound<'py, PyAny>,
    categorical: bool,
    bins: Option<&Bound<'py, PyAny>>,
    binning: Option<&str>,
    width: Option<f64>,
) -> PyResult<ContingencyColumns<'py>> {
    let test = match kind {
        "chi2" => divergence::chi2_test,
        "g" => divergence::g_test,
        _ => return Err(invalid_value(format!("unknown test {kind:?}"))),
    };
    let (result, summaries, labels) = binned(
        py,
        reference,
        current,
        categorical,
        bins,
        binning,
        width,
        test,
    )?;
    let (r, c, labels) = wrap(py, summaries, labels)?;
    Ok((contingency_dict(py, &result)?, r, c, labels))
}
