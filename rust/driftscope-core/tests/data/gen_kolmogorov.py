"""Expected values of scipy's Kolmogorov-Smirnov distributions for the Rust parity tests.

Run from this directory with scipy 1.17: `python gen_kolmogorov.py` writes
`kolmogorov_cases.json`, read by `tests/scipy_parity.rs`.
"""

import json

import numpy as np
from scipy import special, stats

NS = [1, 2, 3, 5, 7, 10, 20, 50, 100, 139, 140, 141, 200, 500, 1000, 4999, 5000,
      10000, 50000, 100000, 100001, 400000, 999999, 1000000, 1000001, 5000000]


def xs_for(n):
    rng = np.random.default_rng(n)
    base = [0.5 / n, 0.5 / n + 1e-12, 0.75 / n, 1.0 / n, 1.0 / n + 1e-9, 1.5 / n,
            2.0 / n, 1.0 - 1.0 / n, 1.0 - 0.5 / n, 0.5, 0.49999, 0.500001, 0.9, 0.999]
    # points spread over the bulk of the distribution: z = x sqrt(n) in [0.05, 6]
    zs = np.concatenate([np.linspace(0.05, 6.0, 24), rng.uniform(0.2, 3.0, 6)])
    pts = base + list(zs / np.sqrt(n)) + list(rng.uniform(0, 1, 4))
    return sorted({float(x) for x in pts if 0.0 < x < 1.0})


def main():
    smirnov, kstwo = [], []
    for n in NS:
        for x in xs_for(n):
            smirnov.append([n, x, float(special.smirnov(n, x))])
            kstwo.append([n, x, float(stats.kstwo.sf(x, n))])
    with open("kolmogorov_cases.json", "w") as f:
        json.dump({"smirnov": smirnov, "kstwo_sf": kstwo}, f)


if __name__ == "__main__":
    main()
