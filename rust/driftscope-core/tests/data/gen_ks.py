"""Expected `scipy.stats.ks_2samp` results for a deterministic sweep (scipy 1.17).

`python gen_ks.py` writes `ks_cases.json`; each case names its samples by `_samples.sample`
arguments, so the Rust test regenerates the same data.
"""

import json
import random
import warnings

from scipy import stats

from _samples import num, sample

SIZES = [1, 2, 3, 4, 5, 7, 10, 16, 37, 64, 100, 101, 250, 600, 999, 1000, 1500, 2500,
         5000, 7000, 10000, 10001, 30000]


def main():
    rnd = random.Random(20240601)
    cases = []
    for case in range(260):
        n1, n2 = rnd.choice(SIZES), rnd.choice(SIZES)
        if case % 7 == 0:
            n2 = n1  # equal sizes take their own exact algorithms
        ties = rnd.choice([0, 0, 0, 2, 5, 40, 1000])
        shift = rnd.choice([0.0, 0.0, 0.05, 0.3, 1.0, -0.5])
        s1, s2 = rnd.getrandbits(63), rnd.getrandbits(63)
        a = sample(s1, n1, ties, 0.0)
        b = sample(s2, n2, ties, shift)
        for alternative in ["two-sided", "less", "greater"]:
            for method in ["auto", "exact", "asymp"]:
                one_sided_exact = alternative != "two-sided" and method != "asymp"
                if one_sided_exact and n1 != n2 and min(n1, n2) > 1500:
                    continue  # scipy's O(n^2) Python loop: too slow to record
                if method == "exact" and max(n1, n2) > 10001 and n1 != n2:
                    continue
                with warnings.catch_warnings(record=True) as w:
                    warnings.simplefilter("always")
                    r = stats.ks_2samp(a, b, alternative=alternative, method=method)
                fell_back = any("Switching" in str(x.message) for x in w)
                cases.append({
                    "seed1": s1, "seed2": s2, "n1": n1, "n2": n2, "ties": ties,
                    "shift": shift, "alternative": alternative, "method": method,
                    "statistic": num(r.statistic), "pvalue": num(r.pvalue),
                    "location": num(r.statistic_location), "sign": int(r.statistic_sign),
                    "fallback": fell_back,
                })
    with open("ks_cases.json", "w") as f:
        json.dump(cases, f)


if __name__ == "__main__":
    main()
