//! Divergences and contingency tests on count vectors: Python faces of `driftscope_core::divergence`.

use driftscope_core::divergence::{self, ContingencyTest, Measure, Smoothing};
use numpy::{PyArray1, PyArrayMethods};
use pyo3::prelude::*;
use pyo3::types::PyDict;

use crate::errors::{core_err, invalid_value};

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
