"""Expected values for the histogram tests (src/binned/histogram.rs), computed with NumPy.

Run from this directory: python3 gen_histogram_numpy.py > histogram_numpy.json
(numpy 2.4). Non-finite data values are written as the strings "inf", "-inf", "nan".
"""
import json
import math
import warnings

import numpy as np

warnings.simplefilter("ignore")
rng = np.random.default_rng(20240611)


def enc(xs):
    out = []
    for v in xs:
        v = float(v)
        if math.isnan(v):
            out.append("nan")
        elif math.isinf(v):
            out.append("inf" if v > 0 else "-inf")
        else:
            out.append(v)
    return out


def finite(x):
    x = np.asarray(x, dtype=float)
    return x[np.isfinite(x)]


def dedup(edges):
    out = []
    for e in edges:
        if not out or e > out[-1]:
            out.append(float(e))
    if len(out) == 1:
        out = [out[0] - 0.5, out[0] + 0.5]
    return out


def counts(cur, edges):
    c = np.asarray(cur, dtype=float)
    f = c[~np.isnan(c)]
    interior = np.histogram(f[np.isfinite(f)], bins=np.asarray(edges))[0]
    return {
        "cur_counts": [int(v) for v in interior],
        "cur_under": int(np.sum(f < edges[0])),
        "cur_over": int(np.sum(f > edges[-1])),
        "cur_nan": int(np.sum(np.isnan(c))),
    }


datasets = {
    "normal1000": rng.normal(size=1000),
    "normal5000": rng.normal(2.0, 3.0, size=5000),
    "lognormal2000": rng.lognormal(0.0, 1.5, size=2000),
    "ties": np.repeat([0.0, 1.0, 1.0, 2.5, 7.0], [50, 30, 30, 5, 1]).astype(float),
    "tiny": np.array([3.0, 1.0, 2.0]),
    "two": np.array([5.0, -5.0]),
    "constant": np.full(20, 4.25),
    "with_nonfinite": np.concatenate([rng.normal(size=300), [np.inf, -np.inf, np.nan, np.nan]]),
    "ints": rng.integers(-50, 200, size=777).astype(float),
    "small_ints": rng.integers(0, 3, size=500).astype(float),
    "big_offset": 1e9 + rng.normal(size=400),
}
int_datasets = {"ints", "small_ints"}
current = np.concatenate([rng.normal(0.3, 1.5, size=2000), [np.inf, -np.inf, np.nan, -1e300, 1e300]])

cases = []
for name, ref in datasets.items():
    fin = finite(ref)
    is_int = name in int_datasets
    arr = fin.astype(np.int64) if is_int else fin
    specs = [("count", 10), ("count", 1), ("count", 37)]
    specs += [("rule", r) for r in ["auto", "fd", "doane", "scott", "stone", "rice", "sturges", "sqrt"]]
    specs += [("quantile", 4), ("quantile", 10), ("quantile", 100)]
    ptp = float(fin.max() - fin.min()) if fin.size else 1.0
    specs += [("width", (ptp or 1.0) / 7.3)]
    for kind, arg in specs:
        if kind == "count":
            edges = np.histogram_bin_edges(arr, bins=arg)
        elif kind == "rule":
            edges = np.histogram_bin_edges(arr, bins=arg)
        elif kind == "quantile":
            edges = dedup(np.quantile(fin, np.linspace(0, 1, arg + 1)))
        else:
            lo, hi = (float(fin.min()), float(fin.max()))
            if lo == hi:
                lo, hi = lo - 0.5, hi + 0.5
            n = max(1, int(np.ceil((hi - lo) / arg)))
            edges = np.linspace(lo, hi, n + 1)
        edges = [float(e) for e in edges]
        case = {
            "name": f"{name}/{kind}={arg}",
            "ref": name,
            "binning": {kind: arg},
            "edges": edges,
            "ref_counts": [int(v) for v in np.histogram(fin, bins=np.asarray(edges))[0]],
        }
        case.update(counts(current, edges))
        cases.append(case)

# Explicit edges, with current values exactly on every edge and just beside it.
for edges in ([0.0, 1.0], [-3.0, -1.0, 0.0, 0.5, 4.0], list(np.linspace(-2, 2, 41)), [1e-300, 1e-200, 1.0, 1e200]):
    e = np.asarray(edges, dtype=float)
    cur = np.concatenate([e, np.nextafter(e, np.inf), np.nextafter(e, -np.inf), current[:500]])
    case = {
        "name": f"explicit/{len(edges)}",
        "ref": "current100",
        "binning": {"edges": [float(v) for v in edges]},
        "edges": [float(v) for v in edges],
        "ref_counts": [int(v) for v in np.histogram(finite(current[:100]), bins=e)[0]],
        "cur": enc(cur),
    }
    case.update(counts(cur, e))
    cases.append(case)

data = {name: enc(ref) for name, ref in datasets.items()}
data["current100"] = enc(current[:100])
print(json.dumps({"datasets": data, "int_datasets": sorted(int_datasets), "current": enc(current), "cases": cases}))
