"""Lesson 1's report on its feeds: a run against production by hand, the frontier against brute force."""

import numpy as np
import pandas as pd
import pytest

from playground.recsys import objective_report as rep
from playground.recsys import objectives as ob


def _run(ctr, retention, sat_per_user, active) -> ob.Run:
    weekly = pd.DataFrame({"week": range(1, len(ctr) + 1), "ctr": ctr, "retention": retention,
                           "sat_per_user": sat_per_user, "active": active, "watch_per_user": [1.0] * len(ctr)})
    return ob.Run(weekly, (1.0, 0.0, 0.0))


def test_compare_by_hand():
    # CTR 42 % -> 56 % (the last week has no data and is skipped), retention 11 % vs production 59 %
    mine = _run([0.42, 0.56, np.nan], [0.8, 0.11, 0.11], [2.0, 1.0, 0.0], [100, 80, 11])
    production = _run([0.40, 0.38, 0.37], [0.9, 0.7, 0.59], [2.0, 2.0, 2.0], [100, 90, 70])
    c = rep.compare(mine, production, "ctr")
    assert (c.ctr_first, c.ctr_last) == (0.42, 0.56) and c.ctr_change == pytest.approx(0.14)
    assert c.retention_change == pytest.approx(-0.48) and c.churned == pytest.approx(0.89)
    # satisfaction per original user-week: (2·100 + 1·80 + 0·11) / (100·3) vs (2·100 + 2·90 + 2·70) / 300
    assert c.satisfaction_change == pytest.approx(280 / 300 - 520 / 300)
    assert c.verdict == ob.judge(mine, production, "ctr") and not c.verdict.keeps_users


def test_frontier_of_matches_brute_force():
    rng = np.random.default_rng(5)
    table = pd.DataFrame(ob.weight_grid(0.25), columns=["w_click", "w_watch", "w_survey"])
    for _ in range(10):
        table = table.assign(ctr=rng.random(len(table)), watch=rng.random(len(table)),
                             retention=rng.random(len(table)), satisfaction=rng.random(len(table)))
        for business, y in (("Retention", "retention"), ("Satisfaction per user", "satisfaction")):
            f = rep.frontier_of(table, "ctr", business)
            x, v = table["ctr"].to_numpy(), table[y].to_numpy()
            dominated = [any(x[j] >= x[i] and v[j] >= v[i] and (x[j] > x[i] or v[j] > v[i]) for j in range(len(x)))
                         for i in range(len(x))]
            assert f.on_front.tolist() == [not d for d in dominated]  # continuous values: no ties
            assert f.count == len(x) - sum(dominated) and f.business_column == y
            assert f.line["ctr"].is_monotonic_increasing and len(f.line) == f.count
            assert f.best[y] == v.max() and f.best.w_click == table.w_click[int(np.argmax(v))]


def test_weights_for_the_weighted_objective_are_the_learners():
    assert ob.weights_for(ob.Objective.CTR, (0.2, 0.3, 0.5)) == (1.0, 0.0, 0.0)
    assert ob.weights_for(ob.Objective.SURVEY, (0.2, 0.3, 0.5)) == (0.0, 0.0, 1.0)
    assert ob.weights_for(ob.Objective.WEIGHTED, (0.2, 0.3, 0.5)) == (0.2, 0.3, 0.5)
