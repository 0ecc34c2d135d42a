"""driftscope: catch data drift and broken pipelines at stream scale.

Rust kernels behind a thin Python layer: exact two-sample tests, histogram divergences and
streaming, mergeable summaries that read NumPy and Arrow columns in place.
"""

from __future__ import annotations

from driftscope._core import Moments, __version__
from driftscope.errors import (
    CorruptDataError,
    DriftscopeError,
    EmptySampleError,
    IncompatibleError,
    InvalidInputError,
    InvalidTypeError,
)
from driftscope.results import AndersonKSampResult, CramerVonMisesResult, KSResult
from driftscope.twosample import (
    ECDF,
    anderson_ksamp,
    cramervonmises_2samp,
    energy_distance,
    ks_2samp,
    wasserstein_distance,
)

__all__ = [
    "ECDF",
    "AndersonKSampResult",
    "CorruptDataError",
    "CramerVonMisesResult",
    "DriftscopeError",
    "EmptySampleError",
    "IncompatibleError",
    "InvalidInputError",
    "InvalidTypeError",
    "KSResult",
    "Moments",
    "__version__",
    "anderson_ksamp",
    "cramervonmises_2samp",
    "energy_distance",
    "ks_2samp",
    "wasserstein_distance",
]
