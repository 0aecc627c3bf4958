"""Every page's sidebar shows at most :data:`LIMIT` controls by default: the rest sit in the
collapsed "Advanced" expander (``page.advanced_controls()``, app/components/page.py) or beside the
section they change."""

from __future__ import annotations

import pytest

from .apptest import open_page
from .test_every_page import LANED

LIMIT = 8
"""Input widgets a learner sees in the sidebar before opening "Advanced" (the issue's "~8")."""
INPUTS = frozenset({"slider", "number_input", "selectbox", "select_slider", "multiselect", "toggle",
                    "checkbox", "text_input", "text_area", "radio"})
"""Element types counted as controls (buttons only trigger an action and are not counted)."""
ADVANCED = "Advanced"


def visible_inputs(block) -> list[str]:
    """Labels of the input widgets under ``block`` (an AppTest element tree node), skipping the
    "Advanced" expander."""
    found = []
    for node in getattr(block, "children", {}).values():
        if node.type == "expander" and node.label == ADVANCED:
            continue
        if node.type in INPUTS:
            found.append(f"{node.type} {getattr(node, 'label', '')!r}")
        found += visible_inputs(node)
    return found


@pytest.mark.parametrize("lesson_id", LANED)
def test_sidebar_shows_at_most_eight_controls(lesson_id):
    at = open_page(lesson_id)
    assert not at.exception, [e.value for e in at.exception]
    shown = visible_inputs(at.sidebar)
    assert len(shown) <= LIMIT, f"{lesson_id} shows {len(shown)} sidebar controls outside {ADVANCED!r}: {shown}"
