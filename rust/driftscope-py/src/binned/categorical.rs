//! `driftscope.CategoryCounts`: the Python face of `driftscope_core::CategoryCounts`.

use std::collections::HashMap;

use driftscope_core::binned::categorical::DEFAULT_CAPACITY;
use driftscope_core::{Category, CategoryCounts};
use numpy::PyArray1;
use pyo3::prelude::*;
use pyo3::types::{PyBool, PyBytes, PyDict, PyInt, PyList, PyString, PyTuple};

use crate::errors::{core_err, invalid_type, invalid_value};
use crate::io::input::{bytes_arg, for_each_category, reduce_with_bytes};

/// A category as a Python value: `str`, `int` or `bool`.
pub fn category_py<'py>(py: Python<'py>, c: &Category) -> PyResult<Bound<'py, PyAny>> {
    Ok(match c {
        Category::Bool(b) => PyBool::new(py, *b).to_owned().into_any(),
        Category::Int(i) => i.into_pyobject(py)?.into_any(),
        Category::Str(s) => PyString::new(py, s).into_any(),
    })
}

pub fn category_arg(obj: &Bound<'_, PyAny>) -> PyResult<Category> {
    if obj.is_instance_of::<PyBool>() {
        return Ok(Category::Bool(obj.extract()?));
    }
    if obj.is_instance_of::<PyInt>() {
        let i: i128 = obj
            .extract()
            .map_err(|_| invalid_value("an integer category must fit in 128 bits"))?;
        return Ok(Category::Int(i));
    }
    if let Ok(s) = obj.cast::<PyString>() {
        return Ok(Category::Str(s.to_str()?.into()));
    }
    Err(invalid_type(
        "a category is a str, an int or a bool, as the counted column holds",
    ))
}

/// Counts `column` into `counts`, with the GIL released.
pub fn count_into(
    py: Python<'_>,
    counts: &mut CategoryCounts,
    column: &Bound<'_, PyAny>,
    arg: &str,
) -> PyResult<()> {
    for_each_category(py, column, arg, |chunk| counts.update(chunk))
}

/// Two count vectors over the same bins for the divergences: the reference's categories,
/// then each category the current summary holds outside them (its own bin, so a divergence
/// sees a new category), then one `other` bin (labelled `None`) when either side has
/// values counted there: the reference's tail after `top_k`, or what a capacity purge
/// dropped.
pub fn align_categories(
    reference: &CategoryCounts,
    current: &CategoryCounts,
) -> (Vec<Option<Category>>, Vec<f64>, Vec<f64>) {
    let mut index: HashMap<Category, usize> = HashMap::new();
    let mut labels = Vec::new();
    let (mut p, mut q) = (Vec::new(), Vec::new());
    for (cat, &n) in reference.categories().iter().zip(reference.counts()) {
        index.insert(cat.clone(), labels.len());
        labels.push(Some(cat.clone()));
        p.push(n as f64);
        q.push(0.0);
    }
    let unseen = if current.is_fixed() {
        current.unseen(current.unseen_len())
    } else {
        Vec::new()
    };
    let held = current
        .categories()
        .iter()
        .cloned()
        .zip(current.counts().iter().copied())
        .chain(unseen);
    let mut assigned = 0u64;
    for (cat, n) in held {
        if n == 0 {
            continue;
        }
        assigned = assigned.saturating_add(n);
        match index.get(&cat) {
            Some(&i) => q[i] += n as f64,
            None => {
                index.insert(cat.clone(), labels.len());
                labels.push(Some(cat));
                p.push(0.0);
                q.push(n as f64);
            }
        }
    }
    let rest = current.total().saturating_sub(assigned);
    if reference.other_count() > 0 || rest > 0 {
        labels.push(None);
        p.push(reference.other_count() as f64);
        q.push(rest as f64);
    }
    (labels, p, q)
}

/// Counts of the categories of a column: strings, dictionary-encoded, integers or booleans.
///
/// A free summary counts every category it sees (exactly, up to `capacity` distinct ones);
/// `top_k()` fixes a reference's domain, and `bin(column)` counts current data against it,
/// keeping values outside the domain as unseen examples.
#[pyclass(
    name = "CategoryCounts",
    module = "driftscope._core",
    eq,
    from_py_object
)]
#[derive(Clone, PartialEq)]
pub struct PyCategoryCounts {
    pub inner: CategoryCounts,
}

#[pymethods]
impl PyCategoryCounts {
    /// An empty free summary, or the counts of `column` when given.
    #[new]
    #[pyo3(signature = (column = None, *, capacity = DEFAULT_CAPACITY))]
    fn new(py: Python<'_>, column: Option<&Bound<'_, PyAny>>, capacity: usize) -> PyResult<Self> {
        let mut inner = CategoryCounts::new(capacity).map_err(core_err)?;
        if let Some(column) = column {
            count_into(py, &mut inner, column, "column")?;
        }
        Ok(PyCategoryCounts { inner })
    }

    /// Counts the values of `column` (nulls counted apart).
    fn update(&mut self, py: Python<'_>, column: &Bound<'_, PyAny>) -> PyResult<()> {
        count_into(py, &mut self.inner, column, "column")
    }

    /// A new summary of `column` of the same kind: over this fixed domain (values outside it
    /// become unseen examples), or free.
    fn bin(&self, py: Python<'_>, column: &Bound<'_, PyAny>) -> PyResult<Self> {
        let mut inner = self.inner.empty_like();
        count_into(py, &mut inner, column, "column")?;
        Ok(PyCategoryCounts { inner })
    }

    /// An empty summary of the same kind (same fixed domain, or free with the same capacity).
    fn empty_like(&self) -> Self {
        PyCategoryCounts {
            inner: self.inner.empty_like(),
        }
    }

    /// A fixed-domain summary of the `k` most frequent categories (all when `k` is None),
    /// most frequent first; the rest is counted as `other_count`.
    #[pyo3(signature = (k = None))]
    fn top_k(&self, k: Option<usize>) -> Self {
        PyCategoryCounts {
            inner: self.inner.top_k(k.unwrap_or(usize::MAX)),
        }
    }

    /// Folds `other` in (free with free, or fixed with fixed over the same domain; else
    /// `IncompatibleError`, a `ValueError`) and returns this summary.
    fn merge<'py>(
        slf: Bound<'py, Self>,
        other: &Bound<'py, PyCategoryCounts>,
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

    /// The categories counted: in order of first appearance (free) or the domain's order.
    #[getter]
    fn categories<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyList>> {
        let items = self
            .inner
            .categories()
            .iter()
            .map(|c| category_py(py, c))
            .collect::<PyResult<Vec<_>>>()?;
        PyList::new(py, items)
    }

    /// The count of each of `categories`.
    #[getter]
    fn counts<'py>(&self, py: Python<'py>) -> Bound<'py, PyArray1<u64>> {
        PyArray1::from_slice(py, self.inner.counts())
    }

    /// `{category: count}`, in the order of `categories`.
    fn to_dict<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyDict>> {
        let d = PyDict::new(py);
        for (c, &n) in self.inner.categories().iter().zip(self.inner.counts()) {
            d.set_item(category_py(py, c)?, n)?;
        }
        Ok(d)
    }

    /// The count of one category (0 when it is not in the domain).
    fn count_of(&self, category: &Bound<'_, PyAny>) -> PyResult<u64> {
        Ok(self.inner.count_of(&category_arg(category)?))
    }

    #[getter]
    fn null_count(&self) -> u64 {
        self.inner.null_count()
    }

    /// Values counted outside `categories`: unseen values (fixed domain), or the tail dropped
    /// to stay within `capacity` (free).
    #[getter]
    fn other_count(&self) -> u64 {
        self.inner.other_count()
    }

    /// Non-null values counted: the categories' counts plus `other_count`.
    #[getter]
    fn total(&self) -> u64 {
        self.inner.total()
    }

    #[getter]
    fn is_fixed(&self) -> bool {
        self.inner.is_fixed()
    }

    #[getter]
    fn capacity(&self) -> usize {
        self.inner.capacity()
    }

    /// The most a category's count may fall short of the truth (0: every count is exact).
    #[getter]
    fn error(&self) -> u64 {
        self.inner.error()
    }

    /// The most an unseen example's count may fall short of the truth (0: exact).
    #[getter]
    fn unseen_error(&self) -> u64 {
        self.inner.unseen_error()
    }

    /// Up to `n` values seen outside a fixed domain, with their counts, most frequent first.
    #[pyo3(signature = (n = 10))]
    fn unseen<'py>(&self, py: Python<'py>, n: usize) -> PyResult<Vec<(Bound<'py, PyAny>, u64)>> {
        self.inner
            .unseen(n)
            .iter()
            .map(|(c, k)| Ok((category_py(py, c)?, *k)))
            .collect()
    }

    fn __len__(&self) -> usize {
        self.inner.categories().len()
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
        Ok(PyCategoryCounts {
            inner: CategoryCounts::from_bytes(&bytes).map_err(core_err)?,
        })
    }

    fn __reduce__<'py>(slf: &Bound<'py, Self>) -> PyResult<Bound<'py, PyTuple>> {
        reduce_with_bytes(slf.as_any(), slf.borrow().to_bytes(slf.py())?)
    }

    fn __repr__(&self) -> String {
        let c = &self.inner;
        let shown: Vec<String> = c
            .categories()
            .iter()
            .zip(c.counts())
            .take(5)
            .map(|(k, n)| format!("{k}: {n}"))
            .collect();
        let more = if c.categories().len() > 5 {
            ", ..."
        } else {
            ""
        };
        format!(
            "CategoryCounts({{{}{more}}}, categories={}, other_count={}, null_count={}, fixed={})",
            shown.join(", "),
            c.categories().len(),
            c.other_count(),
            c.null_count(),
            if c.is_fixed() { "True" } else { "False" }
        )
    }
}
