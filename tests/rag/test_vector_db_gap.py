"""Lesson 8's vector DB against the full pipeline: hand-computed per-query comparison, pandas for
the means per type, and the seeded choice of the first failing query to show."""

import numpy as np
import pandas as pd
import pytest

from playground.rag import vector_db_gap as vg

ORDER = ("rare_entity", "paraphrase")


def test_hand_computed_case():
    naive = [0.0, 1.0, 0.0, 0.5, 0.0]
    full = [1.0, 1.0, 0.0, 0.5, 0.5]
    types = ["rare_entity", "rare_entity", "paraphrase", "paraphrase", "paraphrase"]
    gap = vg.compare(naive, full, types, ORDER)
    assert gap.failing == (0, 2, 4) and gap.recovered == (0, 4) and gap.missed == (2,)
    assert gap.naive_mean == pytest.approx(0.3) and gap.full_mean == pytest.approx(0.6)
    assert gap.naive_by_type == pytest.approx({"rare_entity": 0.5, "paraphrase": 1 / 6})
    assert gap.full_by_type == pytest.approx({"rare_entity": 1.0, "paraphrase": 1 / 3})


def test_means_match_pandas_and_a_pending_pipeline_has_no_verdict():
    rng = np.random.default_rng(0)
    naive = list(rng.choice([0.0, 0.5, 1.0], 80))
    types = list(rng.choice(ORDER, 80))
    frame = pd.DataFrame({"naive": naive, "type": types})
    gap = vg.compare(naive, None, types, ORDER)
    assert gap.naive_mean == pytest.approx(frame["naive"].mean())
    ref = frame.groupby("type")["naive"].mean()
    assert gap.naive_by_type == pytest.approx({t: ref[t] for t in ORDER})
    assert gap.full_mean is None and gap.full_by_type is None
    assert gap.failing == tuple(frame.index[frame["naive"] == 0]) and gap.recovered == gap.missed == ()
    assert vg.example(gap, 0) is None
    with pytest.raises(ValueError, match="ran 2 queries"):
        vg.compare(naive, [1.0, 0.0], types, ORDER)


def test_example_prefers_a_recovered_query_and_is_seeded():
    gap = vg.compare([0.0, 0.0, 0.0, 1.0], [1.0, 0.0, 1.0, 1.0], ["rare_entity"] * 4, ORDER)
    picks = {vg.example(gap, seed) for seed in range(40)}
    assert picks == {0, 2}  # only recovered queries, both reachable
    assert vg.example(gap, 7) == vg.example(gap, 7)
    only_missed = vg.compare([0.0, 1.0], [0.0, 1.0], ["paraphrase"] * 2, ORDER)
    assert vg.example(only_missed, 3) == 0
