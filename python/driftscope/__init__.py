"""driftscope: catch data drift and broken pipelines at stream scale.

Rust kernels behind a thin Python layer: exact two-sample tests, histogram divergences and
streaming, mergeable summaries that read NumPy and Arrow columns in place.
"""

from __future__ import annotations

from driftscope._core import (
    KLL,
    CategoryCounts,
    DistinctCount,
    FrequentItems,
    Histogram,
    Moments,
    __version__,
)
from driftscope._tables import LogicalType, logical_type, logical_types
from driftscope.divergence import (
    Divergence,
    bhattacharyya,
    chi2_test,
    g_test,
    hellinger,
    js_distance,
    js_divergence,
    kl_divergence,
    linf,
    psi,
    tvd,
)
from driftscope.errors import (
    CorruptDataError,
    DriftscopeError,
    DriftscopeWarning,
    EmptySampleError,
    ExactFallbackWarning,
    IncompatibleError,
    InvalidInputError,
    InvalidTypeError,
    NaNSkippedWarning,
    PValueCappedWarning,
    UndefinedStatisticWarning,
)
from driftscope.profile import ColumnProfile, Profile, ProfileMetadata, profile
from driftscope.results import (
    AndersonKSampResult,
    ContingencyResult,
    CramerVonMisesResult,
    KSResult,
    KSSketchResult,
)
from driftscope.sketches import ks_sketch
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
    "KLL",
    "AndersonKSampResult",
    "CategoryCounts",
    "ColumnProfile",
    "ContingencyResult",
    "CorruptDataError",
    "CramerVonMisesResult",
    "DistinctCount",
    "Divergence",
    "DriftscopeError",
    "DriftscopeWarning",
    "EmptySampleError",
    "ExactFallbackWarning",
    "FrequentItems",
    "Histogram",
    "IncompatibleError",
    "InvalidInputError",
    "InvalidTypeError",
    "KSResult",
    "KSSketchResult",
    "LogicalType",
    "Moments",
    "NaNSkippedWarning",
    "PValueCappedWarning",
    "Profile",
    "ProfileMetadata",
    "UndefinedStatisticWarning",
    "__version__",
    "anderson_ksamp",
    "bhattacharyya",
    "chi2_test",
    "cramervonmises_2samp",
    "energy_distance",
    "g_test",
    "hellinger",
    "js_distance",
    "js_divergence",
    "kl_divergence",
    "ks_2samp",
    "ks_sketch",
    "linf",
    "logical_type",
    "logical_types",
    "profile",
    "psi",
    "tvd",
    "wasserstein_distance",
]
