"""Helpers to run one registered page under AppTest through the real entry point."""

from __future__ import annotations

import base64
import json
from pathlib import Path

import numpy as np

from streamlit.testing.v1 import AppTest

from playground import course

APP_DIR = Path(__file__).resolve().parents[2] / "app"
ENTRY = str(APP_DIR / "streamlit_app.py")
TIMEOUT = 600


def registered() -> list[course.Lesson]:
    """Every lesson page the app registers."""
    return course.built_lessons(APP_DIR)


def open_page(lesson_id: str, params: dict[str, str] | None = None, timeout: float = TIMEOUT,
              typed: dict[str, str] | None = None) -> AppTest:
    """Run the lesson's page (optionally opened from a link with ``params``, and with ``typed``
    widget values already entered, e.g. a server path that no link can set) and return the AppTest."""
    lesson = course.lesson(lesson_id)
    at = AppTest.from_file(ENTRY, default_timeout=timeout)
    for key, value in (params or {}).items():
        at.query_params[key] = value
    for key, value in (typed or {}).items():
        at.session_state[key] = value
    at.switch_page(lesson.page_file)
    return at.run()


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
