//! Tables as streams of record batches: the one table reader.
//!
//! Any table-like object arrives here as an Arrow C stream (`__arrow_c_stream__`: a pyarrow
//! `Table` or `RecordBatchReader`, a polars or pandas `DataFrame`, a DuckDB relation; the
//! Python layer `driftscope._tables` turns paths, lazy frames and older frames into one) or a
//! single `RecordBatch` (`__arrow_c_array__` of a struct). The caller gets one record batch
//! at a time, read with the GIL released (a Python producer behind the stream takes the GIL
//! itself), and never more than that batch is held: nothing here collects a stream.

use arrow_array::{RecordBatch, RecordBatchIterator, RecordBatchReader};
use arrow_schema::SchemaRef;
use pyo3::prelude::*;
use pyo3_arrow::{PyRecordBatch, PyRecordBatchReader};

use crate::errors::{compute, invalid_type};
use crate::io::input::{ReadError, ReadResult};
use crate::io::types::logical_of;

/// A table read one record batch at a time.
pub struct TableStream {
    reader: Box<dyn RecordBatchReader + Send>,
}

impl TableStream {
    /// Opens `obj` (see the module documentation); `arg` names the argument in messages.
    pub fn open(obj: &Bound<'_, PyAny>, arg: &str) -> PyResult<Self> {
        if obj.hasattr("__arrow_c_stream__")? {
            let reader: PyRecordBatchReader = obj.extract().map_err(|e| {
                invalid_type(format!(
                    "argument {arg} must be a table, but its Arrow stream is not a stream of \
                     record batches: {e}"
                ))
            })?;
            let reader = reader.into_reader()?;
            return Ok(TableStream { reader });
        }
        if obj.hasattr("__arrow_c_array__")? {
            let batch: PyRecordBatch = obj.extract().map_err(|e| {
                invalid_type(format!(
                    "argument {arg} must be a table; its Arrow array is not a record batch: {e}"
                ))
            })?;
            let batch = batch.into_inner();
            let schema = batch.schema();
            let reader = RecordBatchIterator::new(std::iter::once(Ok(batch)), schema);
            return Ok(TableStream {
                reader: Box::new(reader),
            });
        }
        let ty = obj.get_type();
        Err(invalid_type(format!(
            "argument {arg} must be a table: a pyarrow Table, RecordBatch or RecordBatchReader, \
             a polars or pandas DataFrame, a path to Parquet, CSV or Arrow IPC files, or any \
             object exporting __arrow_c_stream__; got {}",
            ty.qualname().map(|n| n.to_string()).unwrap_or_default()
        )))
    }

    /// The table's schema (read from the stream, before any batch).
    pub fn schema(&self) -> SchemaRef {
        self.reader.schema()
    }

    /// The next record batch; call it with the GIL released.
    pub fn next_batch(&mut self) -> Option<ReadResult<RecordBatch>> {
        self.reader.next().map(|r| {
            r.map_err(|e| ReadError::Value(format!("reading the table's next batch failed: {e}")))
        })
    }

    /// Calls `f` on every batch in order, with the GIL released throughout; stops at the first
    /// error (of the stream or of `f`).
    pub fn for_each(
        mut self,
        py: Python<'_>,
        mut f: impl FnMut(&RecordBatch) -> ReadResult<()> + Send,
    ) -> PyResult<()> {
        let read = compute(py, move || -> ReadResult<()> {
            while let Some(batch) = self.next_batch() {
                f(&batch?)?;
            }
            Ok(())
        })?;
        Ok(read?)
    }
}

/// What the table reader saw, for tests of the reader itself: rows, batches, the largest
/// batch (rows and buffer bytes), and per column `(name, logical type, nulls)`. Reads the
/// stream to its end holding one batch at a time.
#[pyfunction]
#[allow(clippy::type_complexity)]
pub fn _scan_table(
    py: Python<'_>,
    table: &Bound<'_, PyAny>,
) -> PyResult<(u64, u64, u64, u64, Vec<(String, &'static str, u64)>)> {
    let stream = TableStream::open(table, "table")?;
    let schema = stream.schema();
    let mut columns: Vec<(String, &'static str, u64)> = schema
        .fields()
        .iter()
        .map(|f| (f.name().clone(), logical_of(f.data_type()).name(), 0))
        .collect();
    let (mut rows, mut batches, mut max_rows, mut max_bytes) = (0u64, 0u64, 0u64, 0u64);
    let cols = &mut columns;
    stream.for_each(py, |batch| {
        rows += batch.num_rows() as u64;
        batches += 1;
        max_rows = max_rows.max(batch.num_rows() as u64);
        max_bytes = max_bytes.max(batch.get_array_memory_size() as u64);
        for (c, array) in cols.iter_mut().zip(batch.columns()) {
            c.2 += array.null_count() as u64;
        }
        Ok(())
    })?;
    Ok((rows, batches, max_rows, max_bytes, columns))
}
