"""Built-in synthetic data: a cellular network's per-cell measurements, with drift injected.

The reference window is a normal week; the current window holds the failures driftscope is made
to catch: a sensor firmware that reports temperature in Fahrenheit, traffic shifted by a
concert, a broken pipeline that fills a column with nulls, and new base stations.
"""

from __future__ import annotations

import numpy as np
import pyarrow as pa

__all__ = ["cellular_network"]


def _window(rng: np.random.Generator, n: int, *, drifted: bool) -> pa.Table:
    n_cells = 120 if drifted else 100  # new base stations appear in the current window
    cell = rng.integers(0, n_cells, size=n)
    hour = rng.integers(0, 24, size=n)
    diurnal = 1.0 + 0.6 * np.sin((hour - 6) / 24 * 2 * np.pi)
    traffic = rng.gamma(shape=4.0, scale=25.0, size=n) * diurnal
    if drifted:
        concert = rng.random(n) < 0.15  # a concert pushes traffic up in part of the network
        traffic = np.where(concert, traffic * 2.5, traffic)
    latency = 18.0 + 0.05 * traffic + rng.normal(0.0, 3.0, size=n)
    temperature = rng.normal(38.0, 6.0, size=n)  # equipment temperature, Celsius
    if drifted:
        fahrenheit = cell % 4 == 0  # a firmware update reports Fahrenheit on a quarter of cells
        temperature = np.where(fahrenheit, temperature * 9 / 5 + 32, temperature)
    signal = rng.normal(-85.0, 7.0, size=n)
    dropped = rng.poisson(0.02 * traffic / 10.0).astype(np.int64)
    battery = rng.uniform(40.0, 100.0, size=n)
    battery_mask = (rng.random(n) < 0.35) if drifted else (rng.random(n) < 0.01)
    return pa.table(
        {
            "cell_id": pa.array([f"cell-{c:03d}" for c in cell]),
            "hour": pa.array(hour.astype(np.int8)),
            "traffic_mbps": pa.array(traffic),
            "latency_ms": pa.array(latency),
            "temperature": pa.array(temperature),
            "signal_dbm": pa.array(signal),
            "dropped_calls": pa.array(dropped),
            "battery_pct": pa.array(battery, mask=battery_mask),
        }
    )


def cellular_network(n: int = 100_000, seed: int = 7) -> tuple[pa.Table, pa.Table]:
    """A reference and a current window of ``n`` rows each, the current one with drift."""
    rng = np.random.default_rng(seed)
    return _window(rng, n, drifted=False), _window(rng, n, drifted=True)
