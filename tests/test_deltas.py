"""Percentage points against hand-worked differences of shares."""

import pytest

from playground.deltas import pp


@pytest.mark.parametrize("difference,digits,shown", [
    (0.560 - 0.423, 1, "+13.7 pp"),   # lesson 1's CTR: 42.3 % -> 56.0 %
    (0.11 - 0.59, 0, "-48 pp"),       # lesson 1's retention vs production: a -48 pp gap, a -81 % relative change
    (0.0, 1, "+0.0 pp"),
    (-0.0004, 1, "+0.0 pp"),          # rounds to zero: no "-0.0"
    (-0.0006, 1, "-0.1 pp"),
    (1.0, 0, "+100 pp"),
])
def test_pp_by_hand(difference, digits, shown):
    assert pp(difference, digits) == shown
