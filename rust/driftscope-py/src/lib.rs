//! `driftscope._core`: the native module behind the `driftscope` package.
//!
//! This crate is the only one that knows pyo3, NumPy and Arrow FFI. Every function follows the
//! same shape: extract the Python inputs into plain views (`input`), release the GIL and run
//! the core kernel (`errors::compute`), then wrap the result.

use pyo3::prelude::*;

mod binned;
mod errors;
mod io;
mod numeric;
mod pool;
mod profile;
mod sketch;
mod twosample;

#[pymodule]
fn _core(m: &Bound<'_, PyModule>) -> PyResult<()> {
    pool::set_home();
    m.add("__version__", env!("CARGO_PKG_VERSION"))?;
    m.add(
        "PROFILE_KLL_SEED",
        driftscope_core::profile::column::KLL_SEED,
    )?;
    m.add_class::<numeric::moments::PyMoments>()?;
    m.add_class::<twosample::PyEcdf>()?;
    m.add_class::<binned::histogram::PyHistogram>()?;
    m.add_class::<binned::categorical::PyCategoryCounts>()?;
    m.add_class::<sketch::kll::PyKll>()?;
    m.add_class::<sketch::frequent::PyFrequentItems>()?;
    m.add_class::<sketch::distinct::PyDistinctCount>()?;
    m.add_class::<profile::PyProfile>()?;
    m.add_function(wrap_pyfunction!(sketch::kll::ks_sketch, m)?)?;
    m.add_function(wrap_pyfunction!(twosample::ks_2samp, m)?)?;
    m.add_function(wrap_pyfunction!(twosample::cdf_distances, m)?)?;
    m.add_function(wrap_pyfunction!(twosample::wasserstein_distance, m)?)?;
    m.add_function(wrap_pyfunction!(twosample::cramervonmises_2samp, m)?)?;
    m.add_function(wrap_pyfunction!(twosample::anderson_ksamp, m)?)?;
    m.add_function(wrap_pyfunction!(binned::divergence::divergence_counts, m)?)?;
    m.add_function(wrap_pyfunction!(binned::divergence::contingency, m)?)?;
    m.add_function(wrap_pyfunction!(binned::divergence::divergence_columns, m)?)?;
    m.add_function(wrap_pyfunction!(
        binned::divergence::contingency_columns,
        m
    )?)?;
    m.add_function(wrap_pyfunction!(io::types::logical_type, m)?)?;
    m.add_function(wrap_pyfunction!(io::types::schema_logical_types, m)?)?;
    m.add_function(wrap_pyfunction!(io::table::_scan_table, m)?)?;
    m.add_function(wrap_pyfunction!(io::input::_column_buffers, m)?)?;
    m.add_function(wrap_pyfunction!(io::input::_category_buffers, m)?)?;
    Ok(())
}
