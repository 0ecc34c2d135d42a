"""The driftscope exception hierarchy.

Every error driftscope raises on purpose is a :class:`DriftscopeError`. Errors caused by the
caller's input are also ``ValueError`` or ``TypeError`` subclasses, so code written for scipy or
numpy keeps catching them.
"""

from __future__ import annotations

__all__ = [
    "CorruptDataError",
    "DriftscopeError",
    "EmptySampleError",
    "IncompatibleError",
    "InvalidInputError",
    "InvalidTypeError",
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
