//! `driftscope._core.Profile`: table profiles built by the core's profiler from a stream of
//! record batches, without the GIL and without a Python loop.
//!
//! Each batch's columns are brought to the layout their column profile reads (the classifier
//! decided the kind when the profile was made from the schema), then the core updates every
//! column in parallel. Only that batch and the summaries are held.

use arrow_array::{Array, ArrayRef, RecordBatch};
use arrow_schema::{DataType, SchemaRef};
use driftscope_core::io::logical::{self, LogicalType};
use driftscope_core::profile::{ColumnBatch, ColumnProfile, Options, Profile, Summary};
use pyo3::prelude::*;
use pyo3::types::{PyBytes, PyDict, PyTuple};

use crate::binned::categorical::PyCategoryCounts;
use crate::binned::histogram::PyHistogram;
use crate::errors::{core_err, invalid_value};
use crate::io::input::{
    arrow_category_column, arrow_chunk, bytes_arg, normalize_arrow, normalize_categorical,
    reduce_with_bytes, ReadError, ReadResult,
};
use crate::io::table::TableStream;
use crate::io::types::column_type;
use crate::numeric::moments::PyMoments;
use crate::sketch::distinct::PyDistinctCount;
use crate::sketch::frequent::PyFrequentItems;
use crate::sketch::kll::PyKll;

/// A batch column brought to the layout its column profile reads, owned for the update.
enum Prepared {
    Array(ArrayRef),
    Rows { len: usize, nulls: usize },
}

fn cast(a: &ArrayRef, to: &DataType, name: &str) -> ReadResult<ArrayRef> {
    arrow_cast::cast(a, to)
        .map_err(|e| ReadError::Value(format!("cannot read column '{name}' as {to}: {e}")))
}

/// `array` (column `name`, profiled as `kind`) in the layout the profile reads.
fn prepare(array: &ArrayRef, kind: LogicalType, name: &str) -> ReadResult<Prepared> {
    let quoted = format!("'{name}'");
    Ok(match kind {
        LogicalType::Numeric => Prepared::Array(normalize_arrow(array.clone(), &quoted)?),
        LogicalType::Temporal => {
            let mut a = array.clone();
            if let DataType::Dictionary(_, value) = a.data_type() {
                let value = (**value).clone();
                a = cast(&a, &value, name)?;
            }
            let to = match a.data_type() {
                DataType::Date32 | DataType::Time32(_) => DataType::Int32,
                _ => DataType::Int64,
            };
            Prepared::Array(cast(&a, &to, name)?)
        }
        LogicalType::Boolean => Prepared::Array(array.clone()),
        LogicalType::Categorical => {
            let readable = logical::reads_as_categories(&column_type(array.data_type()));
            let a = if readable {
                array.clone()
            } else {
                // Dictionaries of floats, run-end encoded values: counted as their text.
                cast(array, &DataType::LargeUtf8, name)?
            };
            Prepared::Array(normalize_categorical(a, &quoted)?)
        }
        LogicalType::Other => Prepared::Rows {
            len: array.len(),
            nulls: array.logical_null_count(),
        },
    })
}

/// The core's view of a prepared column.
fn view<'a>(p: &'a Prepared, kind: LogicalType, name: &str) -> ReadResult<ColumnBatch<'a>> {
    let quoted = format!("'{name}'");
    Ok(match p {
        Prepared::Rows { len, nulls } => ColumnBatch::Rows {
            len: *len,
            nulls: *nulls,
        },
        Prepared::Array(a) => match kind {
            LogicalType::Numeric => ColumnBatch::Numbers(arrow_chunk(a.as_ref(), &quoted)?),
            LogicalType::Temporal => ColumnBatch::Temporal(arrow_chunk(a.as_ref(), &quoted)?),
            LogicalType::Boolean => {
                ColumnBatch::Booleans(arrow_category_column(a.as_ref(), &quoted)?)
            }
            LogicalType::Categorical => {
                ColumnBatch::Categories(arrow_category_column(a.as_ref(), &quoted)?)
            }
            LogicalType::Other => ColumnBatch::Rows {
                len: a.len(),
                nulls: a.logical_null_count(),
            },
        },
    })
}

/// Profiles one record batch into `profile` (whose columns match the batch's by position).
fn add_batch(profile: &mut Profile, batch: &RecordBatch) -> ReadResult<()> {
    let kinds: Vec<(LogicalType, String)> = profile
        .columns()
        .iter()
        .map(|c| (c.logical, c.name.clone()))
        .collect();
    if batch.num_columns() != kinds.len() {
        return Err(ReadError::Value(format!(
            "a batch brings {} columns, the profile has {}",
            batch.num_columns(),
            kinds.len()
        )));
    }
    let prepared: Vec<Prepared> = batch
        .columns()
        .iter()
        .zip(&kinds)
        .map(|(a, (kind, name))| prepare(a, *kind, name))
        .collect::<ReadResult<_>>()?;
    let views: Vec<ColumnBatch<'_>> = prepared
        .iter()
        .zip(&kinds)
        .map(|(p, (kind, name))| view(p, *kind, name))
        .collect::<ReadResult<_>>()?;
    profile.update(&views, batch.num_rows())?;
    Ok(())
}

/// The `(name, type, Arrow type as printed)` of every field, for `Profile::new`.
fn columns_of(schema: &SchemaRef) -> Vec<(String, driftscope_core::ColumnType, String)> {
    schema
        .fields()
        .iter()
        .map(|f| {
            (
                f.name().clone(),
                column_type(f.data_type()),
                f.data_type().to_string(),
            )
        })
        .collect()
}

/// Checks that `schema` has the columns (names, order, logical types) of `profile`.
fn check_schema(profile: &Profile, schema: &SchemaRef) -> PyResult<()> {
    let theirs: Vec<(String, LogicalType)> = schema
        .fields()
        .iter()
        .map(|f| {
            (
                f.name().clone(),
                logical::classify(&column_type(f.data_type())),
            )
        })
        .collect();
    let ours: Vec<(String, LogicalType)> = profile
        .columns()
        .iter()
        .map(|c| (c.name.clone(), c.logical))
        .collect();
    if ours != theirs {
        let show = |v: &[(String, LogicalType)]| {
            v.iter()
                .map(|(n, t)| format!("{n}: {t}"))
                .collect::<Vec<_>>()
                .join(", ")
        };
        return Err(invalid_value(format!(
            "the table's columns [{}] differ from the profile's [{}]; profile it on its own \
             and merge, or select the same columns",
            show(&theirs),
            show(&ours)
        )));
    }
    Ok(())
}

/// Reads `stream` to its end into `profile`, with the GIL released.
fn consume(py: Python<'_>, profile: &mut Profile, stream: TableStream) -> PyResult<()> {
    stream.for_each(py, |batch| add_batch(profile, batch))?;
    profile.finish();
    Ok(())
}

/// A table profile (the Python class `driftscope.Profile` wraps it).
#[pyclass(name = "Profile", module = "driftscope._core", eq, from_py_object)]
#[derive(Clone, PartialEq)]
pub struct PyProfile {
    pub inner: Profile,
}

#[pymethods]
impl PyProfile {
    /// The profile of `table` (anything exporting `__arrow_c_stream__`, or a `RecordBatch`),
    /// read to its end one batch at a time.
    #[staticmethod]
    #[pyo3(signature = (table, *, kll_k = 200, grid_bins = 1024, lg_k = 12,
        frequent_map_size = 1024, domain_limit = 1000))]
    fn from_stream(
        py: Python<'_>,
        table: &Bound<'_, PyAny>,
        kll_k: u16,
        grid_bins: usize,
        lg_k: u8,
        frequent_map_size: usize,
        domain_limit: usize,
    ) -> PyResult<Self> {
        let options = Options {
            kll_k,
            grid_bins,
            lg_k,
            frequent_map_size,
            domain_limit,
        };
        let stream = TableStream::open(table, "table")?;
        let mut inner = Profile::new(&columns_of(&stream.schema()), options).map_err(core_err)?;
        consume(py, &mut inner, stream)?;
        Ok(PyProfile { inner })
    }

    /// Adds the rows of `table` (same columns) to this profile.
    fn update(&mut self, py: Python<'_>, table: &Bound<'_, PyAny>) -> PyResult<()> {
        let stream = TableStream::open(table, "table")?;
        check_schema(&self.inner, &stream.schema())?;
        consume(py, &mut self.inner, stream)
    }

    /// Folds `other` into this profile and returns it (in place).
    fn merge<'py>(
        slf: Bound<'py, Self>,
        other: &Bound<'py, PyProfile>,
    ) -> PyResult<Bound<'py, Self>> {
        let other = other.borrow().inner.clone();
        slf.borrow_mut().inner.merge(&other).map_err(core_err)?;
        Ok(slf)
    }

    #[getter]
    fn num_rows(&self) -> u64 {
        self.inner.num_rows()
    }

    /// The column names, in order.
    #[getter]
    fn columns(&self) -> Vec<String> {
        self.inner
            .columns()
            .iter()
            .map(|c| c.name.clone())
            .collect()
    }

    /// The options the profile was built with (`kll_k`, `grid_bins`, `lg_k`,
    /// `frequent_map_size`, `domain_limit`).
    #[getter]
    fn options<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyDict>> {
        let o = self.inner.options();
        let d = PyDict::new(py);
        d.set_item("kll_k", o.kll_k)?;
        d.set_item("grid_bins", o.grid_bins)?;
        d.set_item("lg_k", o.lg_k)?;
        d.set_item("frequent_map_size", o.frequent_map_size)?;
        d.set_item("domain_limit", o.domain_limit)?;
        Ok(d)
    }

    #[getter]
    fn metadata(&self) -> String {
        self.inner.metadata.clone()
    }

    #[setter]
    fn set_metadata(&mut self, value: String) {
        self.inner.metadata = value;
    }

    /// Column `name`'s profile as a dict of its counts and summary objects.
    fn column<'py>(&self, py: Python<'py>, name: &str) -> PyResult<Bound<'py, PyDict>> {
        match self.inner.column(name) {
            Some(c) => column_dict(py, c),
            None => Err(pyo3::exceptions::PyKeyError::new_err(format!(
                "no column '{name}' in the profile; its columns are: {}",
                self.columns().join(", ")
            ))),
        }
    }

    fn to_bytes<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyBytes>> {
        Ok(PyBytes::new(py, &self.inner.to_bytes().map_err(core_err)?))
    }

    /// Reads a profile written by `to_bytes`; corrupted or foreign bytes raise `ValueError`.
    #[staticmethod]
    fn from_bytes(data: &Bound<'_, PyAny>) -> PyResult<Self> {
        let bytes = bytes_arg(data, "data")?;
        Ok(PyProfile {
            inner: Profile::from_bytes(&bytes).map_err(core_err)?,
        })
    }

    fn __reduce__<'py>(slf: &Bound<'py, Self>) -> PyResult<Bound<'py, PyTuple>> {
        let bytes = slf.borrow().to_bytes(slf.py())?;
        reduce_with_bytes(slf.as_any(), bytes)
    }
}

/// The dict of one column profile's counts and summaries (as driftscope's Python objects).
fn column_dict<'py>(py: Python<'py>, c: &ColumnProfile) -> PyResult<Bound<'py, PyDict>> {
    let d = PyDict::new(py);
    d.set_item("name", &c.name)?;
    d.set_item("logical_type", c.logical.name())?;
    d.set_item("arrow_type", &c.arrow_type)?;
    d.set_item("rows", c.rows)?;
    d.set_item("null_count", c.nulls)?;
    let numeric = |d: &Bound<'py, PyDict>, s: &driftscope_core::profile::NumericSummary| {
        d.set_item("integer", s.integer)?;
        d.set_item(
            "moments",
            PyMoments {
                inner: s.moments.clone(),
            },
        )?;
        d.set_item(
            "kll",
            PyKll {
                inner: s.kll.clone(),
            },
        )?;
        d.set_item(
            "histogram",
            PyHistogram {
                inner: s.grid.to_histogram().map_err(core_err)?,
            },
        )?;
        d.set_item("grid", (s.grid.exponent(), s.grid.start(), s.grid.bins()))?;
        d.set_item(
            "distinct",
            PyDistinctCount {
                inner: s.distinct.clone(),
            },
        )?;
        d.set_item(
            "frequent",
            s.frequent.clone().map(|inner| PyFrequentItems { inner }),
        )?;
        PyResult::Ok(())
    };
    match &c.summary {
        Summary::Numeric(s) => numeric(&d, s)?,
        Summary::Temporal(s) => {
            d.set_item("unit", &s.unit)?;
            d.set_item("tz", &s.tz)?;
            d.set_item("min", s.min)?;
            d.set_item("max", s.max)?;
            numeric(&d, &s.values)?;
        }
        Summary::Boolean(s) => {
            d.set_item("true_count", s.true_count)?;
            d.set_item("false_count", s.false_count)?;
        }
        Summary::Categorical(s) => {
            d.set_item(
                "counts",
                s.counts.clone().map(|inner| PyCategoryCounts { inner }),
            )?;
            d.set_item(
                "frequent",
                s.frequent.clone().map(|inner| PyFrequentItems { inner }),
            )?;
            d.set_item(
                "distinct",
                PyDistinctCount {
                    inner: s.distinct().map_err(core_err)?,
                },
            )?;
            d.set_item(
                "lengths",
                PyMoments {
                    inner: s.lengths.clone(),
                },
            )?;
            d.set_item("domain_limit", s.domain_limit)?;
        }
        Summary::Other => {}
    }
    Ok(d)
}
