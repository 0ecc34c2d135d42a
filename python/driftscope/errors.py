"""The driftscope exception and warning hierarchies.

Every error driftscope raises on purpose is a :class:`DriftscopeError`. Errors caused by the
caller's input are also ``ValueError`` or ``TypeError`` subclasses, so code written for scipy or
numpy keeps catching them.

Every warning is a :class:`DriftscopeWarning`, itself a ``UserWarning``; the warnings scipy
raises as ``RuntimeWarning`` are ``RuntimeWarning`` here too, so a filter written for scipy
(``warnings.simplefilter("ignore", RuntimeWarning)``) keeps working, and one filter on
``DriftscopeWarning`` silences all of driftscope's.
"""

from __future__ import annotations

__all__ = [
    "CorruptDataError",
    "DriftscopeError",
    "DriftscopeWarning",
    "EmptySampleError",
    "ExactFallbackWarning",
    "IncompatibleError",
    "InvalidInputError",
    "InvalidTypeError",
    "NaNSkippedWarning",
    "PValueCappedWarning",
    "UndefinedStatisticWarning",
]


class DriftscopeError(Exception):
    """Root of every exception driftscope raises."""


class InvalidInputError(DriftscopeError, ValueError):
    """An argument has an invalid value (wrong shape, out of range, unknown option)."""


class EmptySampleError(InvalidInputError):
    """A sample that needs at least one value has none (after nulls and NaN are skipped)."""


class CorruptDataError(InvalidInputError):
    """Serialized bytes are truncated, corrupted, or of another kind or format version."""


class IncompatibleError(InvalidInputError):
    """Two summaries cannot be combined, e.g. histograms with different edges."""


class InvalidTypeError(DriftscopeError, TypeError):
    """An argument of a type the function cannot read, e.g. a string column for a numeric kernel."""


class DriftscopeWarning(UserWarning):
    """Root of every warning driftscope raises."""


class PValueCappedWarning(DriftscopeWarning):
    """A p-value was clipped to the range a table covers (Anderson–Darling: [0.001, 0.25]), as
    scipy clips it with a ``UserWarning``."""


class ExactFallbackWarning(DriftscopeWarning, RuntimeWarning):
    """An exact p-value could not be computed and the asymptotic one is given instead, as scipy
    does with a ``RuntimeWarning``."""


class UndefinedStatisticWarning(DriftscopeWarning, RuntimeWarning):
    """A statistic is undefined for the data (0/0) and is NaN, where scipy returns NaN with
    NumPy's ``RuntimeWarning``."""


class NaNSkippedWarning(DriftscopeWarning, RuntimeWarning):
    """NaN values were skipped (and counted on the result), where scipy's default
    ``nan_policy='propagate'`` would have returned NaN."""
