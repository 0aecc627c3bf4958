import numpy as np
import pandas as pd
import pytest

from playground.experiments import novelty as nv
from playground.experiments import power as pw


def test_novelty_day3_read_overstates_the_steady_state():
    res = nv.simulate_novelty(days=28, steady_lift=0.02, novelty=0.2, half_life=2.0,
                              existing_users=200_000, new_per_day=20_000, seed=1)
    day3 = res.stop_read(3)
    full = res.stop_read(28)
    assert day3.lift > 3 * full.lift
    assert day3.true_lift > 0.1
    new = res.daily[res.daily.segment == "new"]
    # joiners never saw the old product: their lift is the steady state from day 1
    assert np.average(new.lift, weights=new.n_t) == pytest.approx(0.02, abs=0.01)
    existing = res.daily[res.daily.segment == "existing"].set_index("day")
    assert existing.true_lift[1] == pytest.approx(0.22)
    assert existing.true_lift[28] == pytest.approx(0.02 + 0.2 * 0.5 ** 13.5)


def test_novelty_lift_curve_by_hand():
    assert nv.novelty_lift([0, 3, 6], 0.01, 0.2, 3.0) == pytest.approx([0.21, 0.11, 0.06])
    with pytest.raises(ValueError):
        nv.novelty_lift(0, 0.01, 0.2, 0.0)


def test_segment_read_pools_the_segment_by_hand():
    res = nv.simulate_novelty(days=5, seed=4)
    rows = res.daily[res.daily.segment == "new"]
    c, nc, t, nt = rows.conv_c.sum(), rows.n_c.sum(), rows.conv_t.sum(), rows.n_t.sum()
    read = res.segment_read("new")
    assert read.lift == pytest.approx((t / nt - c / nc) / (c / nc))
    d, lo, hi = pw.diff_ci(c, nc, t, nt)
    assert (read.lift_lo, read.lift_hi) == pytest.approx((lo / (c / nc), hi / (c / nc)))
    with pytest.raises(ValueError):
        res.segment_read("martians")


def _read(lift, lo, hi):
    return pd.Series({"lift": lift, "lift_lo": lo, "lift_hi": hi, "significant": lo > 0 or hi < 0})


@pytest.mark.parametrize("read,judged", [
    (_read(0.10, 0.05, 0.15), nv.StopRead.NOVELTY_WIN),   # whole CI above the 0.02 steady state
    (_read(-0.05, -0.09, 0.01), nv.StopRead.PRIMACY),     # whole CI below it
    (_read(0.03, -0.01, 0.07), nv.StopRead.CONSISTENT),   # |0.03 - 0.02| < 0.04
    (_read(0.10, 0.015, 0.12), nv.StopRead.OFF),          # CI covers 0.02, but |0.10 - 0.02| > 0.02
])
def test_judge_stop_read_by_hand(read, judged):
    assert nv.judge_stop_read(read, 0.02) is judged


def test_readable_and_arm_totals():
    res = nv.simulate_novelty(days=7, existing_users=2000, new_per_day=100, seed=0)
    assert res.readable(7)
    assert res.arm_totals() == [int(res.daily[res.daily.segment == "all"].n_c.sum()),
                                int(res.daily[res.daily.segment == "all"].n_t.sum())]
    rare = nv.simulate_novelty(days=7, baseline=0.001, existing_users=10, new_per_day=1, seed=0)
    assert not rare.readable(1)
