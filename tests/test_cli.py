"""The command line: --help, --version and the demo, as a user runs them."""

from __future__ import annotations

import os
import subprocess
import sysconfig

import scipy.stats as st
from click.testing import CliRunner

import driftscope
from driftscope.cli import main
from driftscope.datasets import cellular_network


def test_version() -> None:
    result = CliRunner().invoke(main, ["--version"])
    assert result.exit_code == 0
    assert driftscope.__version__ in result.output


def test_help_lists_demo() -> None:
    result = CliRunner().invoke(main, ["--help"])
    assert result.exit_code == 0
    assert "demo" in result.output


def demo_rows(output: str) -> dict[str, list[str]]:
    """The demo table's rows by column name: [column, nulls ref, nulls cur, KS D, KS p, W/σ,
    PSI, verdict]."""
    rows = {}
    for line in output.splitlines():
        if line.startswith("│"):
            cells = [c.strip() for c in line.strip().strip("│").split("│")]
            if cells[0]:
                rows[cells[0]] = cells
    return rows


def test_demo_flags_the_injected_drift() -> None:
    result = CliRunner(env={"COLUMNS": "160"}).invoke(main, ["demo", "--rows", "20000"])
    assert result.exit_code == 0, result.output
    rows = demo_rows(result.output)
    # Fahrenheit readings on a quarter of the cells: a major shift by every measure
    temperature = rows["temperature"]
    assert "major shift" in temperature[7]
    assert float(temperature[6]) > 0.25 and float(temperature[5]) > 1.0
    reference, current = cellular_network(20000, 7)
    ks = st.ks_2samp(reference.column("temperature"), current.column("temperature"))
    assert temperature[3] == f"{ks.statistic:.3f}"
    # the concert moves traffic
    assert "shift" in rows["traffic_mbps"][7]
    # the broken pipeline's nulls show up
    battery = rows["battery_pct"]
    nulls_ref, nulls_cur = (int(v.replace(",", "")) for v in battery[1:3])
    assert nulls_cur > 20 * nulls_ref and "nulls" in battery[7]
    # new base stations: categories never seen in the reference
    assert "+20 new categories" in rows["cell_id"][7]
    assert "cell-1" in result.output.split("└")[-1]
    # an untouched column does not move
    assert rows["signal_dbm"][7] == "stable" and float(rows["signal_dbm"][6]) < 0.05


def test_console_script_is_installed() -> None:
    script = os.path.join(sysconfig.get_path("scripts"), "driftscope")
    assert os.access(script, os.X_OK), f"{script} is not an installed executable"
    out = subprocess.run([script, "--version"], capture_output=True, text=True, check=True)
    assert driftscope.__version__ in out.stdout


def test_bad_option_exits_with_usage_error() -> None:
    result = CliRunner().invoke(main, ["demo", "--rows", "many"])
    assert result.exit_code == 2
    assert "Invalid value" in result.output


def test_profile_command_summarizes_saves_and_prints_json(tmp_path: os.PathLike[str]) -> None:
    import json
    from pathlib import Path

    import pyarrow.parquet as pq

    reference, _ = cellular_network(5_000, 3)
    data = Path(tmp_path) / "cells.parquet"
    pq.write_table(reference, data)
    out = Path(tmp_path) / "cells.profile"
    result = CliRunner().invoke(
        main, ["profile", str(data), "-o", str(out), "--name", "ref", "--no-progress"]
    )
    assert result.exit_code == 0, result.output
    assert "5,000 rows" in result.output and "cell_id" in result.output
    p = driftscope.Profile.load(out)
    assert p.num_rows == 5_000 and p.metadata.name == "ref"
    assert p.metadata.source["files"][0]["path"].endswith("cells.parquet")
    result = CliRunner().invoke(
        main, ["profile", str(data), "--json", "--columns", "cell_id,temperature"]
    )
    assert result.exit_code == 0, result.output
    d = json.loads(result.output)
    assert list(d["columns"]) == ["cell_id", "temperature"] and d["num_rows"] == 5_000
    bad = CliRunner().invoke(main, ["profile", str(data), "--columns", "nope"])
    assert bad.exit_code != 0 and "'nope' is not in the table" in str(bad.exception)
