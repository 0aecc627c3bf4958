"""Lesson 9's "BM25's analyser" tab: BM25 nDCG@10 per query type under the simple and the
search-engine analyser (layout only; the numbers come from :mod:`playground.rag.retrieval_eval`,
the tokens from :mod:`playground.rag.analysis`)."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from components.page import LessonPage
from components.rag_methods import run_eval, settings_of
from playground.rag import analysis as ra
from playground.rag import corpus as rc
from playground.rag import retrieval_eval as rev

SAMPLE = "assertRaisesRegex members"


def show(page: LessonPage, index, evals: dict[str, list[dict]], params: dict, recall_k: int) -> None:
    """Render the tab: the per-type table of both analysers and how each tokenises a sample."""
    analyzer = params["analyzer"]
    other = "simple" if analyzer == "search" else "search"
    by_analyzer = {analyzer: evals["bm25"],
                   other: run_eval("bm25", recall_k, settings_of("bm25", {**params, "analyzer": other}), index)}
    means = {a: rev.mean_by_type([r["ndcg@10"] for r in rows], [r["type"] for r in rows], rc.QUERY_TYPES)
             for a, rows in by_analyzer.items()}
    table = pd.DataFrame({ra.ANALYZER_LABELS[a]: {rc.TYPE_LABELS.get(g, g): v for g, v in m.items()}
                          for a, m in means.items()}).T
    st.dataframe(table.style.format("{:.3f}"), width="stretch")
    gain = rev.mean_difference(by_analyzer["search"], by_analyzer["simple"], "ndcg@10")
    page.record("BM25 nDCG@10: search-engine − simple analyser", f"{gain:+.3f}")
    st.caption(f"BM25 nDCG@10 per query type under each analyser (k1 {params['k1']:g}, b {params['b']:g}). "
               f"`{SAMPLE}` → simple: `{' '.join(ra.simple(SAMPLE))}`; search engine: "
               f"`{' '.join(ra.search(SAMPLE))}`. Search-engine minus simple, all queries: **{gain:+.3f}**.")
