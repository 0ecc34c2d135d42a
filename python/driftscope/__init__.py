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

__all__ = [
    "CorruptDataError",
    "DriftscopeError",
    "EmptySampleError",
    "IncompatibleError",
    "InvalidInputError",
    "InvalidTypeError",
    "Moments",
    "__version__",
]
