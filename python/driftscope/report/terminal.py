"""Rich terminal views of profiles (and, later, drift reports)."""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Any

from rich.console import Console
from rich.table import Table

if TYPE_CHECKING:
    from driftscope.profile import Profile


def _num(x: Any) -> str:
    """A number in at most about 8 characters: 4 significant digits, or 986k / 1.2M."""
    if x is None or (isinstance(x, float) and math.isnan(x)):
        return "-"
    if isinstance(x, int):
        for scale, suffix, above in ((1e9, "G", 1e9), (1e6, "M", 1e6), (1e3, "k", 1e4)):
            if abs(x) >= above:
                return f"{x / scale:.3g}{suffix}"
        return f"{x:,}"
    return f"{x:.4g}"


def show_profile(profile: Profile, console: Console | None = None) -> None:
    """One line per column: type, missing rate, distinct values, and the column's summary
    (numbers: mean, std, min, median, max; categories: the most frequent value)."""
    from driftscope.profile import _row

    console = console or Console()
    m = profile.metadata
    title = f"Profile {m.name!r}: " if m.name else "Profile: "
    title += f"{profile.num_rows:,} rows × {len(profile)} columns"
    table = Table(title=title, title_justify="left")
    longest = max((len(c) for c in profile.columns), default=6)
    table.add_column("column", no_wrap=True, min_width=min(longest, 32))
    table.add_column("type", no_wrap=True, min_width=8)
    for header in ("missing", "distinct", "mean", "std", "min", "median"):
        table.add_column(header, justify="right", no_wrap=True)
    table.add_column("max / top", justify="right", no_wrap=True)
    for c in profile:
        row = _row(c)
        missing = f"{row['missing_rate']:.1%}" if row["rows"] else "-"
        last = row["top"] if row["top"] is not None else _num(row["max"])
        table.add_row(
            row["column"],
            row["type"],
            missing,
            _num(round(row["distinct"])) if row["distinct"] is not None else "-",
            _num(row["mean"]),
            _num(row["std"]),
            _num(row["min"]),
            _num(row["median"]),
            str(last),
        )
    console.print(table)
    facts = [f"created {m.created_at}" if m.created_at else None]
    for key in ("dataset", "stage", "data_version", "model_version"):
        value = getattr(m, key)
        if value:
            facts.append(f"{key.replace('_', ' ')} {value}")
    console.print(", ".join(f for f in facts if f))
