"""Expected `scipy.stats.wasserstein_distance` / `energy_distance` for a deterministic sweep.

`python gen_wasserstein.py` writes `wasserstein_cases.json` (samples named by `_samples.sample`).
"""

import json
import random

from scipy import stats

from _samples import num, sample

SIZES = [1, 2, 3, 5, 17, 100, 1000, 10000, 50000]


def main():
    rnd = random.Random(5)
    cases = []
    for _ in range(120):
        n1, n2 = rnd.choice(SIZES), rnd.choice(SIZES)
        ties = rnd.choice([0, 0, 2, 5, 40])
        shift = rnd.choice([0.0, 0.01, 0.3, 3.0, -1e3])
        s1, s2 = rnd.getrandbits(63), rnd.getrandbits(63)
        a = sample(s1, n1, ties, 0.0)
        b = sample(s2, n2, ties, shift)
        cases.append({
            "seed1": s1, "seed2": s2, "n1": n1, "n2": n2, "ties": ties, "shift": shift,
            "wasserstein": num(stats.wasserstein_distance(a, b)),
            "energy": num(stats.energy_distance(a, b)),
        })
    with open("wasserstein_cases.json", "w") as f:
        json.dump(cases, f)


if __name__ == "__main__":
    main()
