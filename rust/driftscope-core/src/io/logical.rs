//! The one logical-type classifier: how driftscope treats a column of each physical type.
//!
//! The core knows no Arrow version, so the binding crate describes a column's Arrow type as a
//! [`ColumnType`] (a plain mirror of Arrow's type taxonomy) and asks [`classify`]. Every part
//! of driftscope that decides how to treat a column asks this module: the kernels' input
//! adapter (which columns the numeric and the categorical kernels read), the profiler, schema
//! inference, the comparison and the command line. A second copy of these rules would be a
//! bug waiting to disagree.
//!
//! | physical type | logical type |
//! | --- | --- |
//! | integers of every width, floats (16, 32, 64 bits), decimals (32–256 bits) | numeric |
//! | durations (a length of time: latency, session length) | numeric |
//! | booleans | boolean |
//! | strings (plain, large, view) | categorical |
//! | dictionary-encoded values of any key type | categorical (dictionary encoding says the values are categories), or the dictionary's own type when that is temporal or other |
//! | dates, times of day, timestamps (any unit, with or without time zone) | temporal |
//! | binary, fixed-size binary, intervals, lists, structs, maps, unions, the null type, NumPy's complex numbers | other |
//!
//! A run-end-encoded column takes its values' type. The null type (a column that is null in
//! every row) is *other*: it has no values to describe, yet every numeric and categorical
//! kernel reads it as all nulls.

use std::fmt;

/// How driftscope treats a column.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum LogicalType {
    /// Quantities: moments, quantiles, histograms, the exact two-sample tests.
    Numeric,
    /// Labels: category counts, frequent items, distinct counts, chi-square and divergences.
    Categorical,
    /// Points in time: ranges and distributions of the instant, windows for monitoring.
    Temporal,
    /// Two values: counted as categories, averaged as 0/1.
    Boolean,
    /// Nothing driftscope summarizes beyond its row and null counts.
    Other,
}

impl LogicalType {
    /// The stable name used in profiles, schemas, reports and the Python API.
    pub fn name(self) -> &'static str {
        match self {
            LogicalType::Numeric => "numeric",
            LogicalType::Categorical => "categorical",
            LogicalType::Temporal => "temporal",
            LogicalType::Boolean => "boolean",
            LogicalType::Other => "other",
        }
    }

    /// Every logical type, in a fixed order.
    pub const ALL: [LogicalType; 5] = [
        LogicalType::Numeric,
        LogicalType::Categorical,
        LogicalType::Temporal,
        LogicalType::Boolean,
        LogicalType::Other,
    ];
}

impl fmt::Display for LogicalType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// The unit of a time, timestamp or duration.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum TimeUnit {
    Second,
    Millisecond,
    Microsecond,
    Nanosecond,
}

/// A column's physical type, as the binding crate reads it off Arrow: Arrow's taxonomy
/// without any one Arrow version's types.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum ColumnType {
    /// All values null (Arrow's null type).
    Null,
    Boolean,
    /// Integers of `bits` bits.
    Int {
        bits: u8,
        signed: bool,
    },
    /// Floats of `bits` bits (16, 32 or 64).
    Float {
        bits: u8,
    },
    /// Decimals stored in `bits` bits (32, 64, 128 or 256).
    Decimal {
        bits: u16,
        precision: u8,
        scale: i8,
    },
    /// UTF-8 strings; `large` for 64-bit offsets, `view` for string views.
    Utf8 {
        large: bool,
        view: bool,
    },
    /// Bytes: plain, large, view or fixed-size.
    Binary,
    /// Days (`Date32`) or milliseconds (`Date64`) since the epoch.
    Date {
        bits: u8,
    },
    /// Time of day.
    Time {
        unit: TimeUnit,
    },
    /// An instant, with its time zone if it has one.
    Timestamp {
        unit: TimeUnit,
        tz: Option<String>,
    },
    /// A length of time.
    Duration {
        unit: TimeUnit,
    },
    /// Calendar intervals (months, days, nanoseconds).
    Interval,
    /// Dictionary-encoded values.
    Dictionary {
        key: Box<ColumnType>,
        value: Box<ColumnType>,
    },
    /// Run-end-encoded values.
    RunEnd {
        value: Box<ColumnType>,
    },
    /// Lists, structs, maps, unions.
    Nested,
    /// A type outside Arrow's taxonomy, e.g. NumPy's complex numbers.
    Opaque,
}

/// The logical type of a column of type `t` (see the module documentation).
pub fn classify(t: &ColumnType) -> LogicalType {
    match t {
        ColumnType::Int { .. }
        | ColumnType::Float { .. }
        | ColumnType::Decimal { .. }
        | ColumnType::Duration { .. } => LogicalType::Numeric,
        ColumnType::Boolean => LogicalType::Boolean,
        ColumnType::Utf8 { .. } => LogicalType::Categorical,
        ColumnType::Date { .. } | ColumnType::Time { .. } | ColumnType::Timestamp { .. } => {
            LogicalType::Temporal
        }
        ColumnType::Dictionary { value, .. } => match classify(value) {
            LogicalType::Temporal => LogicalType::Temporal,
            LogicalType::Other => LogicalType::Other,
            LogicalType::Numeric | LogicalType::Categorical | LogicalType::Boolean => {
                LogicalType::Categorical
            }
        },
        ColumnType::RunEnd { value } => classify(value),
        ColumnType::Null
        | ColumnType::Binary
        | ColumnType::Interval
        | ColumnType::Nested
        | ColumnType::Opaque => LogicalType::Other,
    }
}

/// Whether the numeric kernels read a column of type `t`: numeric and boolean columns
/// (booleans as 0/1, decimals and float16 widened to float64, durations as counts of their
/// unit), dictionary-encoded numbers or booleans, and all-null columns. Strings, temporal and
/// other columns are refused with a message naming the column and its type.
pub fn reads_as_numbers(t: &ColumnType) -> bool {
    match t {
        ColumnType::Null => true,
        ColumnType::Dictionary { value, .. } => matches!(
            **value,
            ColumnType::Int { .. }
                | ColumnType::Float { .. }
                | ColumnType::Decimal { .. }
                | ColumnType::Boolean
        ),
        ColumnType::RunEnd { .. } => false,
        _ => matches!(classify(t), LogicalType::Numeric | LogicalType::Boolean),
    }
}

/// Whether the category summaries read a column of type `t`: categorical and boolean columns,
/// integer columns (codes), dictionaries of strings, integers or booleans, and all-null
/// columns. Floats are binned by a histogram instead.
pub fn reads_as_categories(t: &ColumnType) -> bool {
    match t {
        ColumnType::Null | ColumnType::Int { .. } => true,
        ColumnType::Dictionary { value, .. } => matches!(
            **value,
            ColumnType::Utf8 { .. } | ColumnType::Int { .. } | ColumnType::Boolean
        ),
        ColumnType::RunEnd { .. } => false,
        _ => matches!(classify(t), LogicalType::Categorical | LogicalType::Boolean),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn dict(value: ColumnType) -> ColumnType {
        ColumnType::Dictionary {
            key: Box::new(ColumnType::Int {
                bits: 32,
                signed: true,
            }),
            value: Box::new(value),
        }
    }

    #[test]
    fn every_physical_type_has_its_logical_type() {
        use LogicalType::*;
        let utf8 = ColumnType::Utf8 {
            large: false,
            view: false,
        };
        let ms = TimeUnit::Millisecond;
        let cases = [
            (ColumnType::Null, Other),
            (ColumnType::Boolean, Boolean),
            (
                ColumnType::Int {
                    bits: 8,
                    signed: false,
                },
                Numeric,
            ),
            (ColumnType::Float { bits: 16 }, Numeric),
            (
                ColumnType::Decimal {
                    bits: 256,
                    precision: 40,
                    scale: 2,
                },
                Numeric,
            ),
            (
                ColumnType::Utf8 {
                    large: true,
                    view: false,
                },
                Categorical,
            ),
            (
                ColumnType::Utf8 {
                    large: false,
                    view: true,
                },
                Categorical,
            ),
            (ColumnType::Binary, Other),
            (ColumnType::Date { bits: 32 }, Temporal),
            (ColumnType::Time { unit: ms }, Temporal),
            (
                ColumnType::Timestamp {
                    unit: TimeUnit::Nanosecond,
                    tz: Some("Europe/Paris".into()),
                },
                Temporal,
            ),
            (ColumnType::Duration { unit: ms }, Numeric),
            (ColumnType::Interval, Other),
            (dict(utf8.clone()), Categorical),
            (dict(ColumnType::Float { bits: 64 }), Categorical),
            (dict(ColumnType::Date { bits: 32 }), Temporal),
            (dict(ColumnType::Binary), Other),
            (
                ColumnType::RunEnd {
                    value: Box::new(utf8.clone()),
                },
                Categorical,
            ),
            (ColumnType::Nested, Other),
            (ColumnType::Opaque, Other),
        ];
        for (t, want) in cases {
            assert_eq!(classify(&t), want, "{t:?}");
        }
    }

    #[test]
    fn what_the_kernels_read_follows_the_logical_type() {
        let int = ColumnType::Int {
            bits: 64,
            signed: true,
        };
        let utf8 = ColumnType::Utf8 {
            large: false,
            view: false,
        };
        let ts = ColumnType::Timestamp {
            unit: TimeUnit::Second,
            tz: None,
        };
        assert!(reads_as_numbers(&int) && reads_as_categories(&int));
        assert!(
            reads_as_numbers(&ColumnType::Boolean) && reads_as_categories(&ColumnType::Boolean)
        );
        assert!(!reads_as_numbers(&utf8) && reads_as_categories(&utf8));
        assert!(!reads_as_numbers(&ts) && !reads_as_categories(&ts));
        let f = ColumnType::Float { bits: 64 };
        assert!(reads_as_numbers(&f) && !reads_as_categories(&f));
        assert!(reads_as_numbers(&dict(f.clone())) && !reads_as_categories(&dict(f)));
        assert!(reads_as_categories(&dict(utf8.clone())) && !reads_as_numbers(&dict(utf8)));
        assert!(reads_as_numbers(&ColumnType::Null) && reads_as_categories(&ColumnType::Null));
        for t in [ColumnType::Binary, ColumnType::Nested, ColumnType::Interval] {
            assert!(!reads_as_numbers(&t) && !reads_as_categories(&t), "{t:?}");
        }
    }
}
