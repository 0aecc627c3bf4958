"""Helpers for the page tests: open a registered page under AppTest through the real entry point
(bench/pages.py, shared with the benches) and read what it shows."""

from __future__ import annotations

import base64
import json

import numpy as np
import pytest
from streamlit.testing.v1 import AppTest

from bench.pages import open_page, registered  # noqa: F401  (the page tests import them from here)
from components.page import CLOSED_TAB_CHART, CLOSED_TAB_SECTION, OFF_STAGE_CHART, declared_controls

HEAVY = frozenset({"l03", "l08", "l09", "l10", "l11", "l13", "l14", "l15"})
"""Pages whose defaults load MiniLM, build the RAG index or train for seconds: rendering one is a
slow test (docs/CONTRIBUTING.md, "Tests")."""


def laned(cases):
    """``cases`` (lesson ids, or tuples of arguments whose first is the lesson id) as pytest
    parameters, those of :data:`HEAVY` pages marked slow."""
    def lesson(case):
        return case[0] if isinstance(case, tuple) else case

    return [pytest.param(*(case if isinstance(case, tuple) else (case,)), marks=pytest.mark.slow)
            if lesson(case) in HEAVY else case for case in cases]


def texts(at: AppTest) -> str:
    """All markdown, captions, alerts and metric labels/values on the page as one string."""
    parts = [m.value for m in at.markdown] + [c.value for c in at.caption]
    parts += [e.value for e in [*at.error, *at.warning, *at.info, *at.success]]
    parts += [f"{m.label} {m.value}" for m in at.metric]
    return "\n".join(str(p) for p in parts)


def metric(at: AppTest, label: str) -> str:
    """The value of the metric labelled ``label`` (first match)."""
    for item in at.metric:
        if item.label == label:
            return item.value
    raise KeyError(f"no metric {label!r}; have {[m.label for m in at.metric]}")


def top_verdict(at: AppTest) -> tuple[str, str] | None:
    """The live verdict at the top of the page, under the stage box's bar (the first headline
    verdict of the run), as ``("error" or "success", text)``; None when the page has none."""
    for child in at.main.children.values():
        if child.type == "flex_container" and any(b.key == "_stage_mode_button" for b in child.button):
            return next(((kind, e.value) for kind in ("error", "success") for e in child.get(kind)), None)
    return None


def _decoded(node):
    """``node`` with plotly's typed arrays (``{"dtype": ..., "bdata": base64}``) turned into lists."""
    if isinstance(node, dict):
        if set(node) >= {"dtype", "bdata"}:
            values = np.frombuffer(base64.b64decode(node["bdata"]), dtype=node["dtype"])
            return values.reshape(node["shape"]).tolist() if "shape" in node else values.tolist()
        return {key: _decoded(value) for key, value in node.items()}
    if isinstance(node, list):
        return [_decoded(value) for value in node]
    return node


def figure(at: AppTest, contains: str) -> dict:
    """The first plotly chart whose JSON contains ``contains`` (e.g. its title), as a dict with
    plotly's typed arrays decoded to lists."""
    spec = next(c.proto.spec for c in at.get("plotly_chart") if contains in c.proto.spec)
    return _decoded(json.loads(spec))


def charts(at: AppTest) -> int:
    """Charts of the run: those drawn plus those left for a closed tab (drawn when it opens) or,
    in stage view, for when the stage is left."""
    return len(at.get("plotly_chart")) + sum(c.value in (CLOSED_TAB_CHART, OFF_STAGE_CHART) for c in at.caption)


def sections_left(node) -> int:
    """Costly sections of closed tabs left for when their tab opens (:meth:`LessonPage.deferred`),
    on the page or in one tab (``node``: an AppTest or one of its ``tabs``)."""
    return sum(c.value == CLOSED_TAB_SECTION for c in node.caption)


def views(at: AppTest, lesson_id: str) -> tuple[str, ...]:
    """The labels of the page's ``view`` tabs (:meth:`components.page.LessonPage.tabs`)."""
    (view,) = [c for c in declared_controls(at.session_state, lesson_id) if c.key == "view"]
    return view.options


def specs_on_every_tab(lesson_id: str, params: dict[str, str] | None = None) -> list[str]:
    """The plotly specs of the page opened with each of its ``view`` tabs open in turn (a tab draws
    its charts only when open), in order, each once."""
    at = open_page(lesson_id, params)
    specs = dict.fromkeys(c.proto.spec for c in at.get("plotly_chart"))
    for label in views(at, lesson_id):
        if label != at.session_state["view"]:  # the first run drew the open tab's
            other = open_page(lesson_id, {**(params or {}), "view": label})
            assert not other.exception, [e.value for e in other.exception]
            specs.update(dict.fromkeys(c.proto.spec for c in other.get("plotly_chart")))
    return list(specs)
