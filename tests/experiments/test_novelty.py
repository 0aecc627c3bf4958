import numpy as np
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
