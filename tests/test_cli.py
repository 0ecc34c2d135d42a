"""The command line: --help, --version and the demo, as a user runs them."""

from __future__ import annotations

import os
import subprocess
import sysconfig

from click.testing import CliRunner

import driftscope
from driftscope.cli import main


def test_version() -> None:
    result = CliRunner().invoke(main, ["--version"])
    assert result.exit_code == 0
    assert driftscope.__version__ in result.output


def test_help_lists_demo() -> None:
    result = CliRunner().invoke(main, ["--help"])
    assert result.exit_code == 0
    assert "demo" in result.output


def test_demo_flags_the_injected_drift() -> None:
    result = CliRunner().invoke(main, ["demo", "--rows", "20000"], terminal_width=120)
    assert result.exit_code == 0, result.output
    lines = {line.split()[1]: line for line in result.output.splitlines() if line.startswith("│")}
    # Fahrenheit readings on a quarter of the cells move the temperature's mean by > 2 sigma
    assert "temperature" in lines
    shift = float(lines["temperature"].split("│")[-2])
    assert shift > 2.0
    # the broken pipeline's nulls show up
    assert "battery_pct" in lines
    nulls_ref, nulls_cur = (int(v.replace(",", "")) for v in lines["battery_pct"].split("│")[2:4])
    assert nulls_cur > 20 * nulls_ref
    # an untouched column does not move
    assert abs(float(lines["signal_dbm"].split("│")[-2])) < 0.05


def test_console_script_is_installed() -> None:
    script = os.path.join(sysconfig.get_path("scripts"), "driftscope")
    assert os.access(script, os.X_OK), f"{script} is not an installed executable"
    out = subprocess.run([script, "--version"], capture_output=True, text=True, check=True)
    assert driftscope.__version__ in out.stdout


def test_bad_option_exits_with_usage_error() -> None:
    result = CliRunner().invoke(main, ["demo", "--rows", "many"])
    assert result.exit_code == 2
    assert "Invalid value" in result.output
