"""Derived seeds are numpy's SeedSequence children: deterministic, distinct, independent streams."""

import numpy as np
import pytest

from playground.seeds import derived_seeds


def test_derived_seeds_are_seedsequence_children():
    children = np.random.SeedSequence(7).spawn(3)
    assert derived_seeds(7, 3) == [int(c.generate_state(1)[0]) for c in children]
    assert derived_seeds(7, 3) == derived_seeds(7, 3)
    assert len(set(derived_seeds(7, 50))) == 50
    # the first child of a seed never equals an offset of another seed's stream
    assert derived_seeds(0, 1)[0] != 10_000 and derived_seeds(0, 2)[:1] == derived_seeds(0, 1)
    with pytest.raises(ValueError):
        derived_seeds(1, -1)
