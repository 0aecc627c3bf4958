"""Links made before the labels-as-identifiers became enums (issue 11) still open: each control
takes the old string, the page says nothing about an ignored parameter, and the control holds the
enum member whose value is that string."""

import pytest

from playground.cases import ads, eta
from playground.recsys import objectives as ob

from .apptest import laned, open_page

OLD_LINKS = [
    ("l01", {"objective": "Watch time", "business": "Satisfaction per user"},
     {"objective": ob.Objective.WATCH, "business": ob.Business.SATISFACTION}),
    ("l12", {"kind": "softmax", "tau": "0.5"}, {"kind": ads.LoggingKind.SOFTMAX}),
    ("l14", {"basis": "mean + buffer", "heat": "mean-model late rate"},
     {"basis": eta.PromiseBasis.MEAN_BUFFER, "heat": eta.HeatMetric.MEAN_LATE}),
]


@pytest.mark.parametrize("lesson,params,members", laned(OLD_LINKS), ids=[lesson for lesson, _, _ in OLD_LINKS])
def test_an_old_link_still_opens(lesson, params, members):
    at = open_page(lesson, params)
    assert not at.exception
    assert not any("link parameters were ignored" in w.value for w in at.warning)
    for key, member in members.items():
        assert at.session_state[key] == member and at.session_state[key].value == params[key]
