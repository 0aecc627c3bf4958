"""Lesson 9's "a learned reranker and tuned fusion" tab: the cross-validated learned reranker
against the hand-set hybrids on held-out queries (layout only; the numbers come from
:mod:`playground.rag.ltr`)."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from components.background import background
from components.cache import cached
from components.page import LessonPage
from playground.rag import corpus as rc
from playground.rag import ltr


@cached("Training the learned reranker on 4 query folds, scoring the 5th (×5)…")
def run_learned(kind: str, seed: int, _index, progress=None) -> tuple[list[dict], dict]:
    return ltr.compare(_index, rc.load_queries(), kind, seed=seed, progress=progress)


def show(page: LessonPage, index, kind: str, seed: int) -> None:
    """Render the tab once the cross-validated run is ready (a progress bar until then)."""
    rows, alphas = background(run_learned, kind, seed, index,
                              label="Training the learned reranker on 4 query folds, scoring the 5th (×5)") or (None, {})
    if rows is None:
        return
    s = ltr.summarise(rows, alphas, seed, rc.QUERY_TYPES)
    names = [ltr.LEARNED_METHODS[m] for m in s.means]
    means = pd.DataFrame(s.means).T.set_axis(names)
    per_type = pd.DataFrame(s.ndcg_by_type).T.set_axis(names).rename(columns=rc.TYPE_LABELS)
    st.dataframe(means.join(per_type.add_prefix("nDCG@10 · ")).style.format("{:.3f}"), width="stretch")
    lines = []
    for (base, metric), d in s.gains.items():
        page.record(f"learned − {base} ({metric})", f"{d.difference:+.3f}")
        lines.append(f"- learned − {ltr.LEARNED_METHODS[base]}, {metric}: **{d.difference:+.3f}** "
                     f"(95 % paired bootstrap {d.low:+.3f} to {d.high:+.3f})")
    page.metric("nDCG@10 · learned reranker (CV)", f"{s.means['learned']['ndcg@10']:.3f}", headline=True)
    st.markdown("\n".join(lines))
    st.caption("5-fold cross-validation by query (`GroupKFold`; the two phrasings of a paired need share a "
               "fold): every query is ranked by a model that never saw it or its twin. Candidates: BM25's "
               "and dense retrieval's top 30. The tuned hybrid's alpha is the best on the four training "
               "folds, applied to the fifth; alphas chosen: "
               + ", ".join(f"{a:g} ({n} queries)" for a, n in s.alpha_counts.items()) + ".")
