"""Lesson 9's "live search" tab: a typed query against the index with any method (layout only;
the hits and scores come from the index's search)."""

from __future__ import annotations

import streamlit as st

from components.page import LessonPage
from components.relevance import code
from playground.rag import retrievers as rv
from playground.scenario import escape_md


def show(page: LessonPage, index, params: dict) -> str:
    """Render the tab: query, method and depth, then each hit's title, score, source and text;
    return the method, the one the page's verdict says the search serves."""
    c1, c2, c3 = st.columns([3, 1.4, 0.8])
    text = page.text("query", "Your query", "CalledProcessError", container=c1)
    method = page.select("live_method", "Your search serves", list(rv.METHODS), container=c2,
                         format_func=lambda m: rv.METHOD_LABELS[m])
    k = page.number("k", "Results", 1, 50, 5, step=1, container=c3)
    if not text.strip():
        st.warning("Type a query (an identifier like `lru_cache`, or a question in your own words).")
        return method
    hits = page.guard(index.search, method, text, int(k), **params)
    for rank, h in enumerate(hits or (), 1):
        p = index.by_id[h.passage_id]
        with st.container(border=True):
            st.markdown(f"**{rank}. `{code(p.title)}`** · score {h.score:.3f} · {escape_md(p.source)}")
            st.text(p.text[:400] + ("…" if len(p.text) > 400 else ""))
    return method
