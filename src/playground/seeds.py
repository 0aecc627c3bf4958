"""Derived random seeds: independent child streams of one seed.

Parts of a simulation that need their own random stream (a held-out set, a replicate, a sample
file) take a child of the page's seed from :func:`derived_seeds` instead of ``seed + 10_000``:
numpy's ``SeedSequence.spawn`` guarantees the children's streams do not overlap each other or the
parent's, where offsets collide as soon as two seeds are 10,000 apart.
"""

from __future__ import annotations

import numpy as np


def derived_seeds(seed: int, n: int) -> list[int]:
    """``n`` child seeds of ``seed`` (``numpy.random.SeedSequence(seed).spawn(n)``, each reduced
    to one 32-bit integer so it can key caches and be shown); deterministic in ``seed``."""
    if n < 0:
        raise ValueError(f"the number of derived seeds cannot be negative (got {n})")
    return [int(child.generate_state(1)[0]) for child in np.random.SeedSequence(int(seed)).spawn(n)]
