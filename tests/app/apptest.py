"""Helpers for the page tests: open a registered page under AppTest through the real entry point
(bench/pages.py, shared with the benches) and read what it shows."""

from __future__ import annotations

from streamlit.testing.v1 import AppTest

from bench.pages import open_page, registered  # noqa: F401  (the page tests import them from here)


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
