"""Lesson 9's "query explorer" tab: one labelled query's top 5 under every method, each passage
marked with its relevance label (layout only; the nDCG@10 shown is the method's evaluation row)."""

from __future__ import annotations

import streamlit as st

from components.page import LessonPage
from components.relevance import MARKS, code
from playground.rag import corpus as rc
from playground.rag import retrievers as rv


def show(page: LessonPage, index, evals: dict[str, list[dict]], params: dict) -> None:
    """Render the tab: pick a query type and a query, then every method's top 5 side by side."""
    explore_type = page.select("explore_type", "Query type", list(rc.QUERY_TYPES), container=st,
                               format_func=lambda t: rc.TYPE_LABELS[t], horizontal=True, radio=True)
    candidates = [q for q in rc.load_queries() if q.type == explore_type]
    labels = [f"{q.id}: {q.text}" for q in candidates]
    picked = page.select("explore_q", "Query", labels, container=st)
    query = candidates[labels.index(picked)] if picked in labels else candidates[0]
    st.caption("Relevance marks: [answer] answers the query (grade 2) · [related] related (grade 1) · [not relevant] not labelled relevant. "
               "Labelled answers: " + ", ".join(f"`{code(pid)}` ({g})" for pid, g in query.relevant.items()))
    for col, (m, rows) in zip(st.columns(len(evals)), evals.items()):
        hits = index.search(m, query.text, 5, **params)
        row = next(r for r in rows if r["query_id"] == query.id)
        col.markdown(f"**{rv.METHOD_LABELS[m]}**  \nnDCG@10 {row['ndcg@10']:.2f}")
        col.markdown("\n".join(f"{i}. {MARKS[query.relevant.get(h.passage_id, 0)]} `{code(h.passage_id)}`"
                               for i, h in enumerate(hits, 1)))
