"""The ``driftscope`` command line."""

from __future__ import annotations

import math
import time

import click
import pyarrow as pa
from rich.console import Console
from rich.table import Table

from driftscope import __version__
from driftscope._core import Moments
from driftscope.datasets import cellular_network

__all__ = ["main"]


def _fmt(x: float) -> str:
    if math.isnan(x):
        return "-"
    return f"{x:,.4g}"


def _numeric_columns(table: pa.Table) -> list[str]:
    return [
        f.name for f in table.schema if pa.types.is_integer(f.type) or pa.types.is_floating(f.type)
    ]


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, "-V", "--version", prog_name="driftscope")
def main() -> None:
    """driftscope: catch data drift and broken pipelines at stream scale."""


@main.command()
@click.option("--rows", default=100_000, show_default=True, help="Rows in each window.")
@click.option("--seed", default=7, show_default=True, help="Seed of the synthetic data.")
def demo(rows: int, seed: int) -> None:
    """Summarize a built-in cellular-network dataset with injected drift."""
    console = Console()
    reference, current = cellular_network(rows, seed)
    console.print(
        f"[bold]driftscope {__version__}[/bold] demo: a cellular network's per-cell "
        f"measurements, {reference.num_rows:,} reference rows vs {current.num_rows:,} current rows"
    )
    started = time.perf_counter()
    table = Table(title="Column moments, reference vs current", title_justify="left")
    headers = ("column", "nulls ref", "nulls cur", "mean ref", "mean cur", "std ref", "std cur")
    for header in (*headers, "shift σ"):
        if header == "column":
            table.add_column(header, no_wrap=True, min_width=13)
        else:
            table.add_column(header, justify="right")
    for name in _numeric_columns(reference):
        ref = Moments(reference.column(name))
        cur = Moments(current.column(name))
        ref_std = ref.std()
        shift = (cur.mean - ref.mean) / ref_std if ref_std > 0 else math.nan
        more_nulls = cur.null_count > 5 * (ref.null_count + 1)
        table.add_row(
            name,
            f"{ref.null_count:,}",
            f"{cur.null_count:,}",
            _fmt(ref.mean),
            _fmt(cur.mean),
            _fmt(ref_std),
            _fmt(cur.std()),
            f"{shift:+.2f}",
            style="bold red" if abs(shift) >= 0.2 or more_nulls else "",
        )
    elapsed = time.perf_counter() - started
    console.print(table)
    console.print(
        f"Summarized {len(_numeric_columns(reference))} numeric columns of both windows in "
        f"{elapsed * 1000:.1f} ms. Rows in red moved by at least 0.2 reference standard "
        "deviations or gained nulls."
    )


if __name__ == "__main__":
    main()
