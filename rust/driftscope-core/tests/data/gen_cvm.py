"""Expected `scipy.stats.cramervonmises_2samp` results for a deterministic sweep (scipy 1.17).

`python gen_cvm.py` writes `cvm_cases.json` (samples named by `_samples.sample` arguments).
"""

import json
import random
import warnings

from scipy import stats

from _samples import num, sample

SIZES = [1, 2, 3, 4, 5, 7, 9, 12, 16, 20, 21, 37, 100, 250, 1000, 4000]


def main():
    rnd = random.Random(77)
    cases = []
    for _ in range(160):
        n1, n2 = rnd.choice(SIZES), rnd.choice(SIZES)
        ties = rnd.choice([0, 0, 2, 5, 40])
        shift = rnd.choice([0.0, 0.0, 0.2, 0.7, 2.0])
        s1, s2 = rnd.getrandbits(63), rnd.getrandbits(63)
        a = sample(s1, n1, ties, 0.0)
        b = sample(s2, n2, ties, shift)
        for method in ["auto", "exact", "asymptotic"]:
            if method == "exact" and max(n1, n2) > 16:
                continue
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                r = stats.cramervonmises_2samp(a, b, method=method)
            cases.append({
                "seed1": s1, "seed2": s2, "n1": n1, "n2": n2, "ties": ties, "shift": shift,
                "method": method, "statistic": num(r.statistic), "pvalue": num(r.pvalue),
            })
    with open("cvm_cases.json", "w") as f:
        json.dump(cases, f)


if __name__ == "__main__":
    main()
