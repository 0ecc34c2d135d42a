"""The ``driftscope`` command line."""

from __future__ import annotations

import math
import time
from typing import Any

import click
import pyarrow as pa
from rich.console import Console
from rich.table import Table

from driftscope import __version__
from driftscope._tables import LogicalType, logical_types
from driftscope.datasets import cellular_network

__all__ = ["main"]


def _fmt(x: float) -> str:
    if math.isnan(x):
        return "-"
    return f"{x:,.4g}"


def _columns_of(table: pa.Table, *kinds: LogicalType) -> list[str]:
    return [name for name, kind in logical_types(table).items() if kind in kinds]


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, "-V", "--version", prog_name="driftscope")
def main() -> None:
    """driftscope: catch data drift and broken pipelines at stream scale."""


# Conventional PSI thresholds: below 0.1 stable, 0.1-0.25 a moderate shift, above a major one.
PSI_MODERATE, PSI_MAJOR = 0.1, 0.25


def _null_verdict(ref_nulls: int, cur_nulls: int, ref_rows: int, cur_rows: int) -> str | None:
    ref_rate, cur_rate = ref_nulls / max(ref_rows, 1), cur_nulls / max(cur_rows, 1)
    if cur_rate > 0.01 and cur_rate > 5 * ref_rate:
        return f"nulls {ref_rate:.0%} → {cur_rate:.0%}"
    return None


def _shift_verdict(psi: float, ks: Any = None, w_sigma: float = math.nan) -> str | None:
    """'major' / 'moderate' shift by PSI, or by an effect-size reading of KS and Wasserstein
    (p-values alone flag negligible shifts once windows are large)."""
    if psi >= PSI_MAJOR or w_sigma >= 0.5:
        return "major shift"
    if (
        psi >= PSI_MODERATE
        or w_sigma >= 0.2
        or (ks is not None and ks.statistic >= 0.05 and ks.pvalue < 1e-3)
    ):
        return "moderate shift"
    return None


def _pvalue(p: float) -> str:
    if p == 0:
        return "0"
    return f"{p:.0e}" if p < 0.01 else f"{p:.2f}"


@main.command()
@click.option("--rows", default=100_000, show_default=True, help="Rows in each window.")
@click.option("--seed", default=7, show_default=True, help="Seed of the synthetic data.")
def demo(rows: int, seed: int) -> None:
    """Compare two windows of a built-in cellular-network dataset with injected drift."""
    import driftscope as ds

    console = Console()
    reference, current = cellular_network(rows, seed)
    console.print(
        f"[bold]driftscope {__version__}[/bold] demo: a cellular network's per-cell "
        f"measurements, {reference.num_rows:,} reference rows vs {current.num_rows:,} current rows"
    )
    started = time.perf_counter()
    table = Table(title="Drift per column, reference vs current", title_justify="left")
    for header in ("column", "nulls\nref", "nulls\ncur", "KS D", "KS p", "W/σ", "PSI"):
        if header == "column":
            table.add_column(header, no_wrap=True, min_width=13)
        else:
            table.add_column(header, justify="right", no_wrap=True)
    table.add_column("verdict", min_width=8)
    notes: list[str] = []
    n_ref, n_cur = reference.num_rows, current.num_rows
    for name in _columns_of(reference, LogicalType.NUMERIC):
        ref, cur = reference.column(name), current.column(name)
        ks = ds.ks_2samp(ref, cur)
        std = ds.Moments(ref).std()
        w = ds.wasserstein_distance(ref, cur) / std if std > 0 else math.nan
        psi = float(ds.psi(ref, cur, binning="quantile", bins=10))
        verdicts = [
            v
            for v in (
                _shift_verdict(psi, ks, w),
                _null_verdict(ref.null_count, cur.null_count, n_ref, n_cur),
            )
            if v
        ]
        table.add_row(
            name,
            f"{ref.null_count:,}",
            f"{cur.null_count:,}",
            f"{ks.statistic:.3f}",
            _pvalue(ks.pvalue),
            f"{w:.3f}",
            f"{psi:.3f}",
            ", ".join(verdicts) or "stable",
            style="bold red" if verdicts else "",
        )
    for name in _columns_of(reference, LogicalType.CATEGORICAL, LogicalType.BOOLEAN):
        ref, cur = reference.column(name), current.column(name)
        psi = float(ds.psi(ref, cur))
        domain = ds.CategoryCounts(ref).top_k()
        binned = domain.bin(cur)
        unseen = binned.unseen(3)
        verdicts = [
            v
            for v in (
                _shift_verdict(psi),
                _null_verdict(ref.null_count, cur.null_count, n_ref, n_cur),
            )
            if v
        ]
        if unseen:
            new = len(binned.unseen(1_000_000))
            verdicts.append(f"+{new} new categories")
            examples = ", ".join(str(c) for c, _ in unseen)
            notes.append(
                f"{name}: {new} categories never seen in the reference hold "
                f"{binned.other_count:,} current rows, e.g. {examples}"
            )
        table.add_row(
            name,
            f"{ref.null_count:,}",
            f"{cur.null_count:,}",
            "-",
            "-",
            "-",
            f"{psi:.3f}",
            ", ".join(verdicts) or "stable",
            style="bold red" if verdicts else "",
        )
    elapsed = time.perf_counter() - started
    console.print(table)
    for note in notes:
        console.print(note)
    console.print(
        f"Compared {reference.num_columns} columns of both windows in {elapsed * 1000:.1f} ms: "
        "exact two-sample KS (scipy's statistic and p-value), Wasserstein distance in reference "
        "standard deviations, PSI over the reference's deciles (categories for text columns). "
        f"Red: a shift (PSI ≥ {PSI_MODERATE}, KS D ≥ 0.05, or W ≥ 0.2σ), more nulls, or new "
        "categories."
    )


@main.command("profile")
@click.argument("data", type=click.Path(exists=True, dir_okay=True))
@click.option(
    "-o",
    "--output",
    type=click.Path(dir_okay=False, writable=True),
    help="Write the profile here (e.g. reference.profile).",
)
@click.option("--columns", help="Comma-separated columns to profile (default: all).")
@click.option("--name", help="A name for the profile, kept in its metadata.")
@click.option("--dataset", help="The dataset the data belongs to.")
@click.option("--stage", help="The pipeline stage the data comes from.")
@click.option("--data-version", help="The version of the data.")
@click.option("--model-version", help="The version of the model the data feeds.")
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["parquet", "csv", "ipc"]),
    help="File format (default: from the extension).",
)
@click.option("--json", "as_json", is_flag=True, help="Print the profile as JSON.")
@click.option("--progress/--no-progress", default=None, help="Show a progress bar.")
def profile_command(
    data: str,
    output: str | None,
    columns: str | None,
    name: str | None,
    dataset: str | None,
    stage: str | None,
    data_version: str | None,
    model_version: str | None,
    fmt: str | None,
    as_json: bool,
    progress: bool | None,
) -> None:
    """Profile DATA (a Parquet, CSV or Arrow file, a directory or a glob of them) in one
    streaming pass, print a summary and optionally save the profile."""
    import json

    import driftscope as ds

    started = time.perf_counter()
    p = ds.profile(
        data,
        columns=[c.strip() for c in columns.split(",")] if columns else None,
        name=name,
        dataset=dataset,
        stage=stage,
        data_version=data_version,
        model_version=model_version,
        format=fmt,
        progress=progress,
    )
    elapsed = time.perf_counter() - started
    if as_json:
        click.echo(json.dumps(p.to_dict(), default=str, indent=2))
    else:
        console = Console()
        p.show(console)
        console.print(f"Profiled {p.num_rows:,} rows in {elapsed:.2f} s")
    if output:
        path = p.save(output)
        if not as_json:
            Console().print(f"Saved to {path}")


if __name__ == "__main__":
    main()
