"""Expected `scipy.stats.anderson_ksamp` results for a deterministic sweep (scipy 1.17).

`python gen_anderson.py` writes `anderson_cases.json` (samples named by `_samples.sample`).
"""

import json
import random
import warnings

from scipy import stats

from _samples import num, sample

SIZES = [1, 2, 3, 5, 8, 20, 50, 128, 129, 300, 1000, 5000]


def main():
    rnd = random.Random(99)
    cases = []
    for _ in range(150):
        k = rnd.choice([2, 2, 2, 3])
        ties = rnd.choice([0, 0, 2, 5, 40])
        specs = []
        for i in range(k):
            specs.append({"seed": rnd.getrandbits(63), "n": rnd.choice(SIZES),
                          "shift": 0.0 if i == 0 else rnd.choice([0.0, 0.1, 0.4, 1.5])})
        samples = [sample(s["seed"], s["n"], ties, s["shift"]) for s in specs]
        if sum(s["n"] for s in specs) < 3 or len(set(x for s in samples for x in s)) < 2:
            continue
        for variant in ["midrank", "right", "continuous"]:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                if variant == "midrank":
                    r = stats.anderson_ksamp(samples)
                    crit = [num(c) for c in r.critical_values]
                else:
                    r = stats.anderson_ksamp(samples, variant=variant)
                    crit = None
            cases.append({"samples": specs, "ties": ties, "variant": variant,
                          "statistic": num(r.statistic), "pvalue": num(r.pvalue),
                          "critical": crit})
    with open("anderson_cases.json", "w") as f:
        json.dump(cases, f)


if __name__ == "__main__":
    main()
