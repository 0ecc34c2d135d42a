//! Arrow and NumPy types described for the core's one classifier
//! (`driftscope_core::io::logical`), and the Python functions that expose it.
//!
//! This is the only place that maps Arrow's `DataType` (or a NumPy dtype) to the core's
//! [`ColumnType`]; the decision itself — numeric, categorical, temporal, boolean or other —
//! is the core's.

use arrow_schema::{DataType, TimeUnit as ArrowUnit};
use driftscope_core::io::logical::{self, ColumnType, LogicalType, TimeUnit};
use numpy::{PyArrayDescr, PyArrayDescrMethods, PyUntypedArray, PyUntypedArrayMethods};
use pyo3::prelude::*;
use pyo3_arrow::{PyArray, PyArrayReader, PyField};

use crate::errors::invalid_type;

fn unit(u: &ArrowUnit) -> TimeUnit {
    match u {
        ArrowUnit::Second => TimeUnit::Second,
        ArrowUnit::Millisecond => TimeUnit::Millisecond,
        ArrowUnit::Microsecond => TimeUnit::Microsecond,
        ArrowUnit::Nanosecond => TimeUnit::Nanosecond,
    }
}

/// The core's description of an Arrow type.
pub fn column_type(dt: &DataType) -> ColumnType {
    let int = |bits: u8, signed: bool| ColumnType::Int { bits, signed };
    match dt {
        DataType::Null => ColumnType::Null,
        DataType::Boolean => ColumnType::Boolean,
        DataType::Int8 => int(8, true),
        DataType::Int16 => int(16, true),
        DataType::Int32 => int(32, true),
        DataType::Int64 => int(64, true),
        DataType::UInt8 => int(8, false),
        DataType::UInt16 => int(16, false),
        DataType::UInt32 => int(32, false),
        DataType::UInt64 => int(64, false),
        DataType::Float16 => ColumnType::Float { bits: 16 },
        DataType::Float32 => ColumnType::Float { bits: 32 },
        DataType::Float64 => ColumnType::Float { bits: 64 },
        DataType::Decimal32(p, s) => decimal(32, *p, *s),
        DataType::Decimal64(p, s) => decimal(64, *p, *s),
        DataType::Decimal128(p, s) => decimal(128, *p, *s),
        DataType::Decimal256(p, s) => decimal(256, *p, *s),
        DataType::Utf8 => ColumnType::Utf8 {
            large: false,
            view: false,
        },
        DataType::LargeUtf8 => ColumnType::Utf8 {
            large: true,
            view: false,
        },
        DataType::Utf8View => ColumnType::Utf8 {
            large: false,
            view: true,
        },
        DataType::Binary
        | DataType::LargeBinary
        | DataType::BinaryView
        | DataType::FixedSizeBinary(_) => ColumnType::Binary,
        DataType::Date32 => ColumnType::Date { bits: 32 },
        DataType::Date64 => ColumnType::Date { bits: 64 },
        DataType::Time32(u) | DataType::Time64(u) => ColumnType::Time { unit: unit(u) },
        DataType::Timestamp(u, tz) => ColumnType::Timestamp {
            unit: unit(u),
            tz: tz.as_ref().map(|t| t.to_string()),
        },
        DataType::Duration(u) => ColumnType::Duration { unit: unit(u) },
        DataType::Interval(_) => ColumnType::Interval,
        DataType::Dictionary(key, value) => ColumnType::Dictionary {
            key: Box::new(column_type(key)),
            value: Box::new(column_type(value)),
        },
        DataType::RunEndEncoded(_, values) => ColumnType::RunEnd {
            value: Box::new(column_type(values.data_type())),
        },
        DataType::List(_)
        | DataType::LargeList(_)
        | DataType::ListView(_)
        | DataType::LargeListView(_)
        | DataType::FixedSizeList(..)
        | DataType::Struct(_)
        | DataType::Union(..)
        | DataType::Map(..) => ColumnType::Nested,
    }
}

fn decimal(bits: u16, precision: u8, scale: i8) -> ColumnType {
    ColumnType::Decimal {
        bits,
        precision,
        scale,
    }
}

/// The logical type of a column of Arrow type `dt`.
pub fn logical_of(dt: &DataType) -> LogicalType {
    logical::classify(&column_type(dt))
}

/// The core's description of a NumPy dtype (object arrays are described by the Arrow type
/// pyarrow infers for their values, by the caller).
pub fn numpy_column_type(dtype: &Bound<'_, PyArrayDescr>) -> ColumnType {
    let bits = (dtype.itemsize() * 8).min(255) as u8;
    match dtype.kind() {
        b'b' => ColumnType::Boolean,
        b'i' => ColumnType::Int { bits, signed: true },
        b'u' => ColumnType::Int {
            bits,
            signed: false,
        },
        b'f' => ColumnType::Float { bits },
        b'U' => ColumnType::Utf8 {
            large: false,
            view: false,
        },
        b'S' | b'V' => ColumnType::Binary,
        b'M' => ColumnType::Timestamp {
            unit: TimeUnit::Nanosecond,
            tz: None,
        },
        b'm' => ColumnType::Duration {
            unit: TimeUnit::Nanosecond,
        },
        _ => ColumnType::Opaque,
    }
}

/// The physical type of a Python column or type object, read without touching its values
/// where the object allows: a pyarrow `DataType`/`Field` (or anything exporting
/// `__arrow_c_schema__`), a NumPy array or dtype, a pandas or polars `Series`, a pyarrow
/// `Array`/`ChunkedArray`, any `__arrow_c_array__`/`__arrow_c_stream__` column, or a Python
/// sequence (typed as pyarrow infers it).
pub fn type_of(obj: &Bound<'_, PyAny>) -> PyResult<ColumnType> {
    let py = obj.py();
    if let Ok(dtype) = obj.cast::<PyArrayDescr>() {
        return Ok(numpy_column_type(dtype));
    }
    if let Ok(arr) = obj.cast::<PyUntypedArray>() {
        let dtype = arr.dtype();
        if dtype.kind() != b'O' {
            return Ok(numpy_column_type(&dtype));
        }
        return via_pyarrow(obj);
    }
    let module = obj
        .get_type()
        .module()
        .map(|m| m.to_string())
        .unwrap_or_default();
    if module.starts_with("pandas") && obj.hasattr("dtype")? {
        let dtype = obj.getattr("dtype")?;
        if let Ok(np_dtype) = dtype.cast::<PyArrayDescr>() {
            if np_dtype.kind() != b'O' {
                return Ok(numpy_column_type(np_dtype));
            }
            return via_pyarrow(&obj.call_method0("to_numpy")?);
        }
        // Extension dtypes (category, string, nullable, Arrow-backed): their empty slice.
        let empty = obj
            .getattr("iloc")?
            .get_item(pyo3::types::PySlice::new(py, 0, 0, 1))?;
        return via_pyarrow(&empty);
    }
    if obj.hasattr("__arrow_c_schema__")? && !obj.hasattr("__arrow_c_array__")? {
        let field: PyField = obj.extract()?;
        return Ok(column_type(field.into_inner().data_type()));
    }
    if obj.hasattr("__arrow_c_array__")? {
        let array: PyArray = obj.extract()?;
        return Ok(column_type(array.field().data_type()));
    }
    if obj.hasattr("__arrow_c_stream__")? {
        let reader: PyArrayReader = obj.extract()?;
        let reader = reader.into_reader()?;
        return Ok(column_type(reader.field().data_type()));
    }
    let iterable = obj.cast::<pyo3::types::PySequence>().is_ok() || obj.hasattr("__iter__")?;
    if iterable && !obj.is_instance_of::<pyo3::types::PyString>() {
        return via_pyarrow(obj);
    }
    Err(invalid_type(format!(
        "cannot tell the type of a {}: pass a column (NumPy array, pyarrow Array, pandas or \
         polars Series, a sequence) or a type (pyarrow DataType or Field, NumPy dtype)",
        obj.get_type()
            .qualname()
            .map(|n| n.to_string())
            .unwrap_or_default()
    )))
}

/// The type pyarrow infers for `obj`'s values.
fn via_pyarrow(obj: &Bound<'_, PyAny>) -> PyResult<ColumnType> {
    let array = obj
        .py()
        .import("pyarrow")?
        .call_method1("array", (obj,))
        .map_err(|e| invalid_type(format!("cannot read the values as one Arrow type: {e}")))?;
    let array: PyArray = array.extract()?;
    Ok(column_type(array.field().data_type()))
}

/// The logical type driftscope gives a column or a type: `"numeric"`, `"categorical"`,
/// `"temporal"`, `"boolean"` or `"other"`.
#[pyfunction]
pub fn logical_type(obj: &Bound<'_, PyAny>) -> PyResult<&'static str> {
    Ok(logical::classify(&type_of(obj)?).name())
}

/// `(name, logical type)` of every field of an Arrow schema (anything exporting
/// `__arrow_c_schema__` as a struct: a pyarrow `Schema`, a table's schema), in order.
#[pyfunction]
pub fn schema_logical_types(schema: &Bound<'_, PyAny>) -> PyResult<Vec<(String, &'static str)>> {
    let field: PyField = schema.extract()?;
    match field.into_inner().data_type() {
        DataType::Struct(fields) => Ok(fields
            .iter()
            .map(|f| (f.name().clone(), logical_of(f.data_type()).name()))
            .collect()),
        other => Err(invalid_type(format!(
            "expected a table's schema (a struct of columns), got the type {other}"
        ))),
    }
}
