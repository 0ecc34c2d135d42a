"""Deterministic samples shared by the Rust parity tests (`tests/common/mod.rs` mirrors this).

A case's sample is drawn from SplitMix64 seeded with `seed`: with `ties == 0`, approximately
normal values `(u1 + u2 + u3 + u4 - 2) * sqrt(3) + shift`; with `ties > 0`, integers in
`[0, ties)` plus `shift`, so that ties within and across samples are frequent.
"""

import math

MASK = (1 << 64) - 1


class SplitMix64:
    def __init__(self, seed):
        self.state = seed & MASK

    def next_u64(self):
        self.state = (self.state + 0x9E3779B97F4A7C15) & MASK
        z = self.state
        z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & MASK
        z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & MASK
        return z ^ (z >> 31)

    def uniform(self):
        return (self.next_u64() >> 11) * (1.0 / (1 << 53))


def sample(seed, n, ties, shift):
    rng = SplitMix64(seed)
    out = []
    for _ in range(n):
        if ties > 0:
            out.append(float(rng.next_u64() % ties) + shift)
        else:
            s = 0.0
            for _ in range(4):
                s += rng.uniform()
            out.append((s - 2.0) * math.sqrt(3.0) + shift)
    return out


def num(x):
    """A float for JSON: NaN and infinities as the strings 'nan', 'inf', '-inf'."""
    x = float(x)
    if x != x:
        return "nan"
    if x in (float("inf"), float("-inf")):
        return "inf" if x > 0 else "-inf"
    return x
