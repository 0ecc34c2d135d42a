//! The input adapter: the one place that turns Python columns into the core's plain views.
//!
//! Accepted: NumPy arrays of every numeric dtype (contiguous ones read in place, strided ones
//! copied), NumPy masked arrays, pyarrow `Array`/`ChunkedArray`, polars and pandas `Series`,
//! anything exporting `__arrow_c_array__` or `__arrow_c_stream__`, and plain Python sequences.
//! A dependency bump (NumPy crate, Arrow) touches this module alone.

use arrow_array::cast::AsArray;
use arrow_array::types::{
    Float32Type, Float64Type, Int16Type, Int32Type, Int64Type, Int8Type, UInt16Type, UInt32Type,
    UInt64Type, UInt8Type,
};
use arrow_array::{Array, ArrayRef};
use arrow_schema::DataType;
use driftscope_core::binned::categorical::{CategoryColumn, DictValues, Offsets, StrArray};
use driftscope_core::{Chunk, Validity, Values};
use numpy::{
    PyArray1, PyArrayDescrMethods, PyArrayMethods, PyReadonlyArray1, PyUntypedArray,
    PyUntypedArrayMethods,
};
use pyo3::prelude::*;
use pyo3::types::{PyString, PyType};
use pyo3_arrow::{PyArray, PyArrayReader};

use crate::errors::{compute, core_err, invalid_type, invalid_value};
use crate::io::types::column_type;
use driftscope_core::io::logical;

/// An input error found where the GIL may be released (reading an Arrow stream array by
/// array); it becomes the Python exception once the GIL is held again.
#[derive(Debug)]
pub enum ReadError {
    /// A column of a type the kernel cannot read (`InvalidTypeError`).
    Type(String),
    /// A column whose content cannot be read (`InvalidInputError`).
    Value(String),
    /// An error of the core's.
    Core(driftscope_core::Error),
}

impl From<ReadError> for PyErr {
    fn from(e: ReadError) -> PyErr {
        match e {
            ReadError::Type(m) => invalid_type(m),
            ReadError::Value(m) => invalid_value(m),
            ReadError::Core(e) => crate::errors::core_err(e),
        }
    }
}

impl From<driftscope_core::Error> for ReadError {
    fn from(e: driftscope_core::Error) -> ReadError {
        ReadError::Core(e)
    }
}

pub type ReadResult<T> = Result<T, ReadError>;

const ACCEPTED: &str = "a NumPy array, a pyarrow Array or ChunkedArray, a polars or pandas \
    Series, a Python sequence of numbers, or any object exporting __arrow_c_array__ or \
    __arrow_c_stream__";

/// One buffer of a column, held so the slices handed to kernels stay valid.
enum Part<'py> {
    F64(PyReadonlyArray1<'py, f64>),
    F32(PyReadonlyArray1<'py, f32>),
    I8(PyReadonlyArray1<'py, i8>),
    I16(PyReadonlyArray1<'py, i16>),
    I32(PyReadonlyArray1<'py, i32>),
    I64(PyReadonlyArray1<'py, i64>),
    U8(PyReadonlyArray1<'py, u8>),
    U16(PyReadonlyArray1<'py, u16>),
    U32(PyReadonlyArray1<'py, u32>),
    U64(PyReadonlyArray1<'py, u64>),
    Bool(PyReadonlyArray1<'py, bool>),
    /// An Arrow array of a type the core reads directly.
    Arrow(ArrayRef),
    /// `n` nulls known without a buffer (the masked-out entries of a NumPy masked array).
    Nulls(usize),
}

/// A numeric column ready for the kernels: its parts, in order, and a name for messages.
pub struct Column<'py> {
    pub name: String,
    parts: Vec<Part<'py>>,
}

impl<'py> Column<'py> {
    /// Plain views of every part, borrowing the buffers in place.
    pub fn chunks(&self) -> PyResult<Vec<Chunk<'_>>> {
        self.parts
            .iter()
            .map(|part| part_chunk(part, &self.name))
            .collect()
    }
}

/// The plain view of one part, borrowing its buffer in place.
fn part_chunk<'a>(part: &'a Part<'_>, name: &str) -> PyResult<Chunk<'a>> {
    Ok(match part {
        Part::F64(a) => Chunk::new(Values::F64(slice(a)?), None),
        Part::F32(a) => Chunk::new(Values::F32(slice(a)?), None),
        Part::I8(a) => Chunk::new(Values::I8(slice(a)?), None),
        Part::I16(a) => Chunk::new(Values::I16(slice(a)?), None),
        Part::I32(a) => Chunk::new(Values::I32(slice(a)?), None),
        Part::I64(a) => Chunk::new(Values::I64(slice(a)?), None),
        Part::U8(a) => Chunk::new(Values::U8(slice(a)?), None),
        Part::U16(a) => Chunk::new(Values::U16(slice(a)?), None),
        Part::U32(a) => Chunk::new(Values::U32(slice(a)?), None),
        Part::U64(a) => Chunk::new(Values::U64(slice(a)?), None),
        Part::Bool(a) => Chunk::new(Values::Bool(slice(a)?), None),
        Part::Arrow(a) => arrow_chunk(a.as_ref(), name)?,
        Part::Nulls(n) => Chunk::new(Values::Null(*n), None),
    })
}

fn slice<'a, T: numpy::Element>(a: &'a PyReadonlyArray1<'_, T>) -> PyResult<&'a [T]> {
    a.as_slice()
        .map_err(|e| invalid_value(format!("cannot read the NumPy array in place: {e}")))
}

/// The typed slice and validity of an Arrow array of a directly readable type.
pub(crate) fn arrow_chunk<'a>(a: &'a dyn Array, name: &str) -> ReadResult<Chunk<'a>> {
    let values = match a.data_type() {
        DataType::Float64 => Values::F64(a.as_primitive::<Float64Type>().values()),
        DataType::Float32 => Values::F32(a.as_primitive::<Float32Type>().values()),
        DataType::Int8 => Values::I8(a.as_primitive::<Int8Type>().values()),
        DataType::Int16 => Values::I16(a.as_primitive::<Int16Type>().values()),
        DataType::Int32 => Values::I32(a.as_primitive::<Int32Type>().values()),
        DataType::Int64 => Values::I64(a.as_primitive::<Int64Type>().values()),
        DataType::UInt8 => Values::U8(a.as_primitive::<UInt8Type>().values()),
        DataType::UInt16 => Values::U16(a.as_primitive::<UInt16Type>().values()),
        DataType::UInt32 => Values::U32(a.as_primitive::<UInt32Type>().values()),
        DataType::UInt64 => Values::U64(a.as_primitive::<UInt64Type>().values()),
        DataType::Null => return Ok(Chunk::new(Values::Null(a.len()), None)),
        other => return Err(not_numeric(name, &arrow_type_name(other))),
    };
    Ok(Chunk::new(values, validity_of(a)?))
}

/// The validity bitmap of an Arrow array, when it has nulls.
fn validity_of(a: &dyn Array) -> ReadResult<Option<Validity<'_>>> {
    match a.nulls() {
        Some(nulls) if nulls.null_count() > 0 => {
            let bits = nulls.inner();
            Ok(Some(Validity::new(
                bits.values(),
                bits.offset(),
                bits.len(),
            )?))
        }
        _ => Ok(None),
    }
}

fn not_numeric(name: &str, what: &str) -> ReadError {
    ReadError::Type(format!(
        "column {name} has {what}, but this kernel needs numbers: integer, floating-point, \
         boolean or decimal values (cast the column, or use a categorical summary)"
    ))
}

/// Brings an Arrow array to a type the core reads directly, casting those it can widen
/// (float16, decimals, booleans, dictionary-encoded numbers) to float64 and reading
/// durations as counts of their unit. Which types are accepted is the classifier's call
/// (`logical::reads_as_numbers`).
pub(crate) fn normalize_arrow(a: ArrayRef, name: &str) -> ReadResult<ArrayRef> {
    let dt = a.data_type();
    if !logical::reads_as_numbers(&column_type(dt)) {
        return Err(not_numeric(name, &arrow_type_name(dt)));
    }
    let to = match dt {
        DataType::Float64
        | DataType::Float32
        | DataType::Int8
        | DataType::Int16
        | DataType::Int32
        | DataType::Int64
        | DataType::UInt8
        | DataType::UInt16
        | DataType::UInt32
        | DataType::UInt64
        | DataType::Null => return Ok(a),
        DataType::Duration(_) => DataType::Int64,
        _ => DataType::Float64,
    };
    arrow_cast::cast(&a, &to)
        .map_err(|e| ReadError::Value(format!("cannot read column {name} as {to}: {e}")))
}

/// An Arrow type as a person would name it, with Arrow's own name in parentheses.
pub(crate) fn arrow_type_name(dt: &DataType) -> String {
    let plain = match dt {
        DataType::Utf8 | DataType::LargeUtf8 | DataType::Utf8View => "string",
        DataType::Binary
        | DataType::LargeBinary
        | DataType::BinaryView
        | DataType::FixedSizeBinary(_) => "binary",
        DataType::Date32 | DataType::Date64 => "date",
        DataType::Timestamp(..) => "timestamp",
        DataType::Time32(_) | DataType::Time64(_) => "time of day",
        DataType::Duration(_) | DataType::Interval(_) => "duration",
        DataType::Struct(_) => "struct (a table or data frame, not a single column)",
        DataType::List(_)
        | DataType::LargeList(_)
        | DataType::ListView(_)
        | DataType::LargeListView(_)
        | DataType::FixedSizeList(..) => "list",
        DataType::Dictionary(..) => "dictionary-encoded (categorical)",
        _ => "non-numeric",
    };
    format!("Arrow type {plain} ({dt})")
}

fn type_name(obj: &Bound<'_, PyAny>) -> String {
    let ty = obj.get_type();
    let module = ty
        .module()
        .map(|m| m.to_string())
        .unwrap_or_else(|_| "?".into());
    let name = ty
        .qualname()
        .map(|n| n.to_string())
        .unwrap_or_else(|_| "?".into());
    if module == "builtins" {
        name
    } else {
        format!("{module}.{name}")
    }
}

fn module_of(obj: &Bound<'_, PyAny>) -> String {
    obj.get_type()
        .module()
        .map(|m| m.to_string())
        .unwrap_or_default()
}

/// A numeric column as it comes: buffers held in place, or an Arrow stream to read array by
/// array.
pub enum NumericInput<'py> {
    Held(Column<'py>),
    Stream(ColumnStream),
}

/// Turns `obj` into a numeric column with every value held; `arg` names the argument in
/// messages. An Arrow stream is read whole: the kernels that call this (the exact tests,
/// reference histograms) need every value at once. Streaming summaries use
/// [`for_each_numeric`], which holds one array at a time.
pub fn extract_column<'py>(obj: &Bound<'py, PyAny>, arg: &str) -> PyResult<Column<'py>> {
    match numeric_input(obj, arg)? {
        NumericInput::Held(col) => Ok(col),
        NumericInput::Stream(mut stream) => {
            let mut parts = Vec::new();
            while let Some(array) = stream.next_array() {
                let array = array?;
                if !array.is_empty() {
                    parts.push(Part::Arrow(normalize_arrow(array, &stream.name)?));
                }
            }
            Ok(Column {
                name: stream.name,
                parts,
            })
        }
    }
}

/// Feeds every chunk of the numeric column `obj` to `f` in order, with the GIL released. An
/// Arrow stream (`__arrow_c_stream__`, e.g. a generator-backed reader) is read one array at
/// a time, so memory holds one array, never the whole column.
pub fn for_each_numeric(
    py: Python<'_>,
    obj: &Bound<'_, PyAny>,
    arg: &str,
    mut f: impl FnMut(&Chunk<'_>) -> driftscope_core::Result<()> + Send,
) -> PyResult<()> {
    match numeric_input(obj, arg)? {
        NumericInput::Held(col) => {
            let chunks = col.chunks()?;
            compute(py, move || chunks.iter().try_for_each(&mut f))?.map_err(core_err)
        }
        NumericInput::Stream(stream) => stream.read(py, normalize_arrow, |array, name| {
            Ok(f(&arrow_chunk(array, name)?)?)
        }),
    }
}

/// An Arrow column stream (`__arrow_c_stream__`: a ChunkedArray, a polars Series, a
/// generator-backed reader), read one array at a time without the GIL. A stream of a table
/// of exactly one column (a one-column `RecordBatchReader`, `Table` or `DataFrame`) is read
/// as that column.
pub struct ColumnStream {
    pub name: String,
    reader: Box<dyn pyo3_arrow::ffi::ArrayReader + Send>,
    /// The column's type: the stream's, or its only field's when `unwrap`.
    data_type: DataType,
    /// Whether each array is a one-field struct (a one-column table) to unwrap.
    unwrap: bool,
}

impl ColumnStream {
    fn open(obj: &Bound<'_, PyAny>, arg: &str) -> PyResult<Self> {
        let reader: PyArrayReader = obj.extract()?;
        let reader = reader.into_reader()?;
        let field = reader.field();
        let (name, data_type, unwrap) = match field.data_type() {
            DataType::Struct(fields) if fields.len() == 1 => (
                label(arg, Some(fields[0].name().clone())),
                fields[0].data_type().clone(),
                true,
            ),
            DataType::Struct(_) => (label(arg, None), field.data_type().clone(), false),
            dt => (
                label(arg, series_name(obj).or_else(|| Some(field.name().clone()))),
                dt.clone(),
                false,
            ),
        };
        Ok(ColumnStream {
            name,
            reader,
            data_type,
            unwrap,
        })
    }

    /// Fails with `refuse(name, type)` unless the column's type is one `accepts` takes; read
    /// off the stream's schema, before any value.
    fn check(
        &self,
        accepts: impl Fn(&DataType) -> bool,
        refuse: fn(&str, &str) -> ReadError,
    ) -> PyResult<()> {
        if accepts(&self.data_type) {
            Ok(())
        } else {
            Err(refuse(&self.name, &arrow_type_name(&self.data_type)).into())
        }
    }

    /// Reads the stream to its end with the GIL released, one array at a time: each array is
    /// brought to a readable layout by `normalize` and handed to `each` with the column's name.
    fn read(
        mut self,
        py: Python<'_>,
        normalize: fn(ArrayRef, &str) -> ReadResult<ArrayRef>,
        mut each: impl FnMut(&dyn Array, &str) -> ReadResult<()> + Send,
    ) -> PyResult<()> {
        let read = compute(py, move || -> ReadResult<()> {
            while let Some(array) = self.next_array() {
                let array = normalize(array?, &self.name)?;
                if !array.is_empty() {
                    each(array.as_ref(), &self.name)?;
                }
            }
            Ok(())
        })?;
        Ok(read?)
    }

    /// The next array of the stream; safe to call with the GIL released (a Python producer
    /// behind the stream takes the GIL itself).
    fn next_array(&mut self) -> Option<ReadResult<ArrayRef>> {
        let name = &self.name;
        let unwrap = self.unwrap;
        self.reader.next().map(|r| {
            let array = r.map_err(|e| {
                ReadError::Value(format!(
                    "reading column {name} from its Arrow stream failed: {e}"
                ))
            })?;
            if !unwrap {
                return Ok(array);
            }
            let table = array.as_struct();
            if table.null_count() > 0 {
                return Err(ReadError::Value(format!(
                    "column {name} comes as a one-column table with null rows; pass the \
                     column itself"
                )));
            }
            Ok(table.column(0).clone())
        })
    }
}

/// Reads `obj` as a numeric column without reading a stream yet; `arg` names the argument.
fn numeric_input<'py>(obj: &Bound<'py, PyAny>, arg: &str) -> PyResult<NumericInput<'py>> {
    let py = obj.py();
    let label = |name: Option<String>| label(arg, name);

    if let Ok(arr) = obj.cast::<PyUntypedArray>() {
        let name = label(None);
        let np = py.import("numpy")?;
        let masked_type = np.getattr("ma")?.getattr("MaskedArray")?;
        if obj.is_instance(&masked_type)? {
            return masked_column(obj, name).map(NumericInput::Held);
        }
        let parts = vec![numpy_part(arr, &name)?];
        return Ok(NumericInput::Held(Column { name, parts }));
    }

    let module = module_of(obj);
    if module.starts_with("pandas") {
        let name = label(series_name(obj));
        if obj.hasattr("to_numpy")? && obj.hasattr("dtype")? {
            let dtype = obj.getattr("dtype")?;
            let np_dtype = py.import("numpy")?.getattr("dtype")?;
            // A pandas Series backed by a plain NumPy dtype is read in place: its NaN stay NaN.
            // Extension dtypes (nullable ints, Arrow-backed) go through Arrow, keeping nulls.
            if dtype.is_instance(&np_dtype)? {
                let values = obj.call_method1("to_numpy", ())?;
                let arr = values.cast::<PyUntypedArray>()?;
                let parts = vec![numpy_part(arr, &name)?];
                return Ok(NumericInput::Held(Column { name, parts }));
            }
        }
    }

    if obj.hasattr("__arrow_c_array__")? {
        let array: PyArray = obj.extract()?;
        let (array, field) = array.into_inner();
        let name = label(Some(field.name().clone()).or_else(|| series_name(obj)));
        let parts = vec![Part::Arrow(normalize_arrow(array, &name)?)];
        return Ok(NumericInput::Held(Column { name, parts }));
    }

    if obj.hasattr("__arrow_c_stream__")? {
        let stream = ColumnStream::open(obj, arg)?;
        stream.check(
            |dt| logical::reads_as_numbers(&column_type(dt)),
            not_numeric,
        )?;
        return Ok(NumericInput::Stream(stream));
    }

    let name = label(None);
    let is_sequence = obj.cast::<pyo3::types::PySequence>().is_ok()
        || obj.hasattr("__array__")?
        || obj.hasattr("__iter__")? && !obj.is_instance_of::<PyString>();
    if is_sequence && !obj.is_instance_of::<PyString>() && !obj.is_instance_of::<PyType>() {
        let np = py.import("numpy")?;
        if let Ok(values) = np.call_method1("asarray", (obj,)) {
            if let Ok(arr) = values.cast::<PyUntypedArray>() {
                if arr.ndim() == 1 {
                    let kind = arr.dtype().kind();
                    if kind == b'O' || kind == b'U' || kind == b'S' {
                        return Err(not_numeric(&name, "Python objects or strings").into());
                    }
                    let parts = vec![numpy_part(arr, &name)?];
                    return Ok(NumericInput::Held(Column { name, parts }));
                }
            }
        }
    }
    Err(invalid_type(format!(
        "argument {arg} must be a column: {ACCEPTED}; got {}",
        type_name(obj)
    )))
}

/// How messages name a column: its own name (when it has one) and the argument it came in.
fn label(arg: &str, name: Option<String>) -> String {
    match name {
        Some(n) if !n.is_empty() && n != arg => format!("'{n}' (argument {arg})"),
        _ => format!("'{arg}'"),
    }
}

fn series_name(obj: &Bound<'_, PyAny>) -> Option<String> {
    let name = obj.getattr("name").ok()?;
    if name.is_none() {
        return None;
    }
    name.str().ok().map(|s| s.to_string())
}

/// A NumPy masked array: its unmasked values, then its masked entries as nulls.
fn masked_column<'py>(obj: &Bound<'py, PyAny>, name: String) -> PyResult<Column<'py>> {
    let py = obj.py();
    let np = py.import("numpy")?;
    let mask = np.getattr("ma")?.call_method1("getmaskarray", (obj,))?;
    let masked: usize = mask.call_method0("sum")?.extract()?;
    let values = obj.call_method0("compressed")?;
    let arr = values.cast::<PyUntypedArray>()?;
    let mut parts = vec![numpy_part(arr, &name)?];
    if masked > 0 {
        parts.push(Part::Nulls(masked));
    }
    Ok(Column { name, parts })
}

/// A 1-D NumPy array as a part: in place when contiguous, aligned and native-endian, otherwise
/// through a float64 copy made by NumPy.
fn numpy_part<'py>(arr: &Bound<'py, PyUntypedArray>, name: &str) -> PyResult<Part<'py>> {
    let py = arr.py();
    if arr.ndim() != 1 {
        return Err(invalid_value(format!(
            "column {name} must be 1-D, got an array of shape {:?} (use .ravel() or pick a column)",
            arr.shape()
        )));
    }
    let dtype = arr.dtype();
    let kind = dtype.kind();
    if !matches!(kind, b'f' | b'i' | b'u' | b'b') {
        let what = match kind {
            b'c' => "complex numbers",
            b'M' => "datetimes",
            b'm' => "timedeltas",
            b'U' | b'S' => "strings",
            b'O' => "Python objects",
            _ => "a non-numeric dtype",
        };
        return Err(not_numeric(name, &format!("NumPy dtype {} ({what})", dtype.str()?)).into());
    }
    macro_rules! try_typed {
        ($t:ty, $variant:ident) => {
            if dtype.is_equiv_to(&numpy::dtype::<$t>(py)) {
                if let Ok(typed) = arr.cast::<PyArray1<$t>>() {
                    if arr.is_contiguous() && arr.is_aligned() {
                        let ro = typed.try_readonly().map_err(|e| {
                            invalid_value(format!("column {name} is being written to: {e}"))
                        })?;
                        return Ok(Part::$variant(ro));
                    }
                }
            }
        };
    }
    try_typed!(f64, F64);
    try_typed!(f32, F32);
    try_typed!(i8, I8);
    try_typed!(i16, I16);
    try_typed!(i32, I32);
    try_typed!(i64, I64);
    try_typed!(u8, U8);
    try_typed!(u16, U16);
    try_typed!(u32, U32);
    try_typed!(u64, U64);
    try_typed!(bool, Bool);
    // Strided, unaligned, byte-swapped, float16 or long double: NumPy makes a float64 copy.
    let copy = py
        .import("numpy")?
        .call_method1("ascontiguousarray", (arr, "float64"))?;
    let typed = copy.cast_into::<PyArray1<f64>>()?;
    let ro = typed
        .try_readonly()
        .map_err(|e| invalid_value(format!("column {name}: {e}")))?;
    Ok(Part::F64(ro))
}

/// `(address, length, type)` of every chunk of a column as the kernels see it: lets tests
/// check that input is read in place.
#[pyfunction]
pub fn _column_buffers(column: &Bound<'_, PyAny>) -> PyResult<Vec<(usize, usize, String)>> {
    let col = extract_column(column, "column")?;
    let chunks = col.chunks()?;
    Ok(chunks
        .iter()
        .map(|c| {
            let (addr, ty) = values_address(&c.values);
            (addr, c.len(), ty.to_string())
        })
        .collect())
}

/// The address and type name of a chunk's values (0 for a null chunk).
fn values_address(values: &Values<'_>) -> (usize, &'static str) {
    match values {
        Values::F64(s) => (s.as_ptr() as usize, "float64"),
        Values::F32(s) => (s.as_ptr() as usize, "float32"),
        Values::I8(s) => (s.as_ptr() as usize, "int8"),
        Values::I16(s) => (s.as_ptr() as usize, "int16"),
        Values::I32(s) => (s.as_ptr() as usize, "int32"),
        Values::I64(s) => (s.as_ptr() as usize, "int64"),
        Values::U8(s) => (s.as_ptr() as usize, "uint8"),
        Values::U16(s) => (s.as_ptr() as usize, "uint16"),
        Values::U32(s) => (s.as_ptr() as usize, "uint32"),
        Values::U64(s) => (s.as_ptr() as usize, "uint64"),
        Values::Bool(s) => (s.as_ptr() as usize, "bool"),
        Values::Null(_) => (0, "null"),
    }
}

/// `(type, address)` of the main buffer of every chunk of a categorical column as the kernels
/// read it: the string data, the dictionary keys, the boolean bits or the integers. Lets tests
/// check that input is read in place.
#[pyfunction]
pub fn _category_buffers(column: &Bound<'_, PyAny>) -> PyResult<Vec<(String, usize)>> {
    let col = extract_categorical(column, "column")?;
    col.parts
        .iter()
        .map(|part| match part {
            CatPart::Numpy(p) => {
                let (addr, ty) = values_address(&part_chunk(p, &col.name)?.values);
                Ok((ty.to_string(), addr))
            }
            CatPart::Arrow(a) => {
                let main = match a.data_type() {
                    DataType::Dictionary(..) => a.as_any_dictionary().keys().to_data(),
                    _ => a.to_data(),
                };
                let addr = main.buffers().last().map_or(0, |b| b.as_ptr() as usize);
                Ok((a.data_type().to_string(), addr))
            }
        })
        .collect()
}

/// The content of a bytes-like argument (`bytes`, `bytearray`, `memoryview`).
pub fn bytes_arg(obj: &Bound<'_, PyAny>, arg: &str) -> PyResult<Vec<u8>> {
    if let Ok(b) = obj.cast::<pyo3::types::PyBytes>() {
        return Ok(b.as_bytes().to_vec());
    }
    if let Ok(b) = obj.cast::<pyo3::types::PyByteArray>() {
        return Ok(b.to_vec());
    }
    if obj.hasattr("tobytes")? {
        if let Ok(b) = obj
            .call_method0("tobytes")?
            .cast_into::<pyo3::types::PyBytes>()
        {
            return Ok(b.as_bytes().to_vec());
        }
    }
    Err(invalid_type(format!(
        "argument {arg} must be bytes, bytearray or memoryview, got {}",
        type_name(obj)
    )))
}

const ACCEPTED_CATEGORICAL: &str = "a pyarrow Array or ChunkedArray (string, large_string, \
    string_view, dictionary, integer or boolean), a NumPy array of integers, booleans, strings \
    or objects, a polars or pandas Series, a Python sequence, or any object exporting \
    __arrow_c_array__ or __arrow_c_stream__";

/// One buffer of a categorical column.
enum CatPart<'py> {
    /// Integer or boolean NumPy values, read in place.
    Numpy(Part<'py>),
    /// An Arrow array of a layout the core reads directly (see `normalize_categorical`).
    Arrow(ArrayRef),
}

/// A categorical column ready for `CategoryCounts`: its parts, in order, and a name for messages.
pub struct CategoricalColumn<'py> {
    pub name: String,
    parts: Vec<CatPart<'py>>,
}

impl CategoricalColumn<'_> {
    /// Plain views of every part, borrowing the buffers in place (strings, offsets, dictionary
    /// keys and bit-packed booleans included).
    pub fn chunks(&self) -> PyResult<Vec<CategoryColumn<'_>>> {
        self.parts
            .iter()
            .map(|part| match part {
                CatPart::Numpy(p) => Ok(CategoryColumn::Values(part_chunk(p, &self.name)?)),
                CatPart::Arrow(a) => Ok(arrow_category_column(a.as_ref(), &self.name)?),
            })
            .collect()
    }
}

fn not_categorical(name: &str, what: &str) -> ReadError {
    ReadError::Type(format!(
        "column {name} has {what}, but category counts need strings, integers or booleans \
         (plain or dictionary-encoded); bin floating-point columns with a Histogram instead"
    ))
}

fn strings<'a>(a: &'a dyn Array, large: bool) -> ReadResult<StrArray<'a>> {
    let (offsets, data) = if large {
        let s = a.as_string::<i64>();
        (Offsets::I64(s.value_offsets()), s.values().as_slice())
    } else {
        let s = a.as_string::<i32>();
        (Offsets::I32(s.value_offsets()), s.values().as_slice())
    };
    Ok(StrArray::new(offsets, data, validity_of(a)?)?)
}

/// The category view of an Arrow array already brought to a direct layout.
pub(crate) fn arrow_category_column<'a>(
    a: &'a dyn Array,
    name: &str,
) -> ReadResult<CategoryColumn<'a>> {
    Ok(match a.data_type() {
        DataType::Utf8 => CategoryColumn::Strings(strings(a, false)?),
        DataType::LargeUtf8 => CategoryColumn::Strings(strings(a, true)?),
        DataType::Boolean => {
            let bits = a.as_boolean().values();
            CategoryColumn::BoolBits {
                bits: bits.values(),
                offset: bits.offset(),
                len: bits.len(),
                validity: validity_of(a)?,
            }
        }
        DataType::Dictionary(..) => {
            let d = a.as_any_dictionary();
            let keys = arrow_chunk(d.keys(), name)?;
            let dict = d.values().as_ref();
            let values = match dict.data_type() {
                DataType::Utf8 => DictValues::Strings(strings(dict, false)?),
                DataType::LargeUtf8 => DictValues::Strings(strings(dict, true)?),
                _ => DictValues::Values(arrow_chunk(dict, name)?),
            };
            CategoryColumn::Dictionary { keys, values }
        }
        dt if dt.is_integer() || *dt == DataType::Null => {
            CategoryColumn::Values(arrow_chunk(a, name)?)
        }
        other => return Err(not_categorical(name, &arrow_type_name(other))),
    })
}

/// Brings an Arrow array to a layout `arrow_category_column` reads: string views become large
/// strings (one copy of the strings), a dictionary of string views gets a large-string
/// dictionary (the keys are kept), a dictionary of booleans is decoded. Everything else that
/// is not strings, integers, booleans or a dictionary of those is rejected.
pub(crate) fn normalize_categorical(a: ArrayRef, name: &str) -> ReadResult<ArrayRef> {
    let cast = |a: &ArrayRef, to: DataType| {
        arrow_cast::cast(a, &to)
            .map_err(|e| ReadError::Value(format!("cannot read column {name} as categories: {e}")))
    };
    let dt = a.data_type().clone();
    if !logical::reads_as_categories(&column_type(&dt)) {
        return Err(match &dt {
            DataType::Dictionary(_, v) => {
                not_categorical(name, &format!("dictionary-encoded {}", arrow_type_name(v)))
            }
            _ => not_categorical(name, &arrow_type_name(&dt)),
        });
    }
    match dt {
        DataType::Utf8View => cast(&a, DataType::LargeUtf8),
        DataType::Dictionary(key, value) => match *value {
            DataType::Utf8View => {
                cast(&a, DataType::Dictionary(key, Box::new(DataType::LargeUtf8)))
            }
            DataType::Boolean => cast(&a, DataType::Boolean),
            _ => Ok(a),
        },
        _ => Ok(a),
    }
}

/// `pyarrow.array(obj)`: how strings, Python objects, lists and pandas extension dtypes become
/// Arrow (pyarrow decides the type; mixed types are an error naming the column).
fn via_pyarrow(obj: &Bound<'_, PyAny>, name: &str) -> PyResult<ArrayRef> {
    let pa = obj.py().import("pyarrow")?;
    let array = pa.call_method1("array", (obj,)).map_err(|e| {
        invalid_type(format!(
            "column {name} cannot be read as one categorical type: {e}"
        ))
    })?;
    let array: PyArray = array.extract()?;
    Ok(array.into_inner().0)
}

/// Turns `obj` into a categorical column; `arg` names the argument in messages.
pub fn extract_categorical<'py>(
    obj: &Bound<'py, PyAny>,
    arg: &str,
) -> PyResult<CategoricalColumn<'py>> {
    match categorical_input(obj, arg)? {
        CategoricalInput::Held(col) => Ok(col),
        CategoricalInput::Stream(mut stream) => {
            let mut parts = Vec::new();
            while let Some(array) = stream.next_array() {
                let array = array?;
                if !array.is_empty() {
                    parts.push(CatPart::Arrow(normalize_categorical(array, &stream.name)?));
                }
            }
            Ok(CategoricalColumn {
                name: stream.name,
                parts,
            })
        }
    }
}

/// A categorical column as it comes: buffers held in place, or an Arrow stream to read array
/// by array.
pub enum CategoricalInput<'py> {
    Held(CategoricalColumn<'py>),
    Stream(ColumnStream),
}

/// Feeds every chunk of the categorical column `obj` to `f` in order, with the GIL released;
/// an Arrow stream is read one array at a time (see [`for_each_numeric`]).
pub fn for_each_category(
    py: Python<'_>,
    obj: &Bound<'_, PyAny>,
    arg: &str,
    mut f: impl FnMut(&CategoryColumn<'_>) -> driftscope_core::Result<()> + Send,
) -> PyResult<()> {
    match categorical_input(obj, arg)? {
        CategoricalInput::Held(col) => {
            let chunks = col.chunks()?;
            compute(py, move || chunks.iter().try_for_each(&mut f))?.map_err(core_err)
        }
        CategoricalInput::Stream(stream) => {
            stream.read(py, normalize_categorical, |array, name| {
                Ok(f(&arrow_category_column(array, name)?)?)
            })
        }
    }
}

/// Reads `obj` as a categorical column without reading a stream yet; `arg` names the argument.
fn categorical_input<'py>(obj: &Bound<'py, PyAny>, arg: &str) -> PyResult<CategoricalInput<'py>> {
    let py = obj.py();
    let np = py.import("numpy")?;
    let module = module_of(obj);
    let arrow = |array: ArrayRef, name: String| -> PyResult<CategoricalInput<'py>> {
        let parts = vec![CatPart::Arrow(normalize_categorical(array, &name)?)];
        Ok(CategoricalInput::Held(CategoricalColumn { name, parts }))
    };

    // NumPy arrays, and pandas Series with a plain NumPy dtype.
    let mut numpy = None;
    if let Ok(arr) = obj.cast::<PyUntypedArray>() {
        if obj.is_instance(&np.getattr("ma")?.getattr("MaskedArray")?)? {
            let name = label(arg, None);
            let kwargs = pyo3::types::PyDict::new(py);
            kwargs.set_item(
                "mask",
                np.getattr("ma")?.call_method1("getmaskarray", (obj,))?,
            )?;
            let data = np.getattr("ma")?.call_method1("getdata", (obj,))?;
            let array = py
                .import("pyarrow")?
                .call_method("array", (data,), Some(&kwargs))
                .map_err(|e| invalid_type(format!("column {name}: {e}")))?;
            let array: PyArray = array.extract()?;
            return arrow(array.into_inner().0, name);
        }
        numpy = Some((arr.clone(), label(arg, None)));
    } else if module.starts_with("pandas") && obj.hasattr("dtype")? {
        let dtype = obj.getattr("dtype")?;
        if dtype.is_instance(&np.getattr("dtype")?)? {
            let values = obj.call_method1("to_numpy", ())?;
            let arr = values.cast_into::<PyUntypedArray>()?;
            numpy = Some((arr, label(arg, series_name(obj))));
        } else {
            // Extension dtypes (category, string, nullable integers and booleans).
            let name = label(arg, series_name(obj));
            return arrow(via_pyarrow(obj, &name)?, name);
        }
    }
    if let Some((arr, name)) = numpy {
        if arr.ndim() != 1 {
            return Err(invalid_value(format!(
                "column {name} must be 1-D, got an array of shape {:?}",
                arr.shape()
            )));
        }
        return match arr.dtype().kind() {
            b'i' | b'u' | b'b' => {
                let parts = vec![CatPart::Numpy(numpy_part(&arr, &name)?)];
                Ok(CategoricalInput::Held(CategoricalColumn { name, parts }))
            }
            b'U' | b'O' => arrow(via_pyarrow(arr.as_any(), &name)?, name),
            _ => Err(not_categorical(&name, &format!("NumPy dtype {}", arr.dtype().str()?)).into()),
        };
    }

    if obj.hasattr("__arrow_c_array__")? {
        let array: PyArray = obj.extract()?;
        let (array, field) = array.into_inner();
        let name = label(arg, Some(field.name().clone()).or_else(|| series_name(obj)));
        return arrow(array, name);
    }

    if obj.hasattr("__arrow_c_stream__")? {
        let stream = ColumnStream::open(obj, arg)?;
        stream.check(
            |dt| logical::reads_as_categories(&column_type(dt)),
            not_categorical,
        )?;
        return Ok(CategoricalInput::Stream(stream));
    }

    let name = label(arg, None);
    let is_sequence = !obj.is_instance_of::<PyString>()
        && !obj.is_instance_of::<PyType>()
        && (obj.cast::<pyo3::types::PySequence>().is_ok() || obj.hasattr("__iter__")?);
    if is_sequence {
        return arrow(via_pyarrow(obj, &name)?, name);
    }
    Err(invalid_type(format!(
        "argument {arg} must be a categorical column: {ACCEPTED_CATEGORICAL}; got {}",
        type_name(obj)
    )))
}

/// `(type(obj).from_bytes, (bytes,))`: what `__reduce__` returns for a summary pickled
/// through its versioned binary format.
pub fn reduce_with_bytes<'py>(
    obj: &Bound<'py, PyAny>,
    bytes: Bound<'py, pyo3::types::PyBytes>,
) -> PyResult<Bound<'py, pyo3::types::PyTuple>> {
    let py = obj.py();
    let from_bytes = obj.get_type().getattr("from_bytes")?;
    pyo3::types::PyTuple::new(
        py,
        [
            from_bytes,
            pyo3::types::PyTuple::new(py, [bytes])?.into_any(),
        ],
    )
}
