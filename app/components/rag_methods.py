"""Lesson 9's comparison of every retrieval method on the labelled queries: nDCG@10 per method,
the summary table, nDCG@10 per query type, the paired comparisons and the page's verdict (layout
only; the numbers come from :mod:`playground.rag.retrieval_eval`). Holds the page's evaluation
builder (the analyser tab reuses it)."""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd
import plotly.graph_objects as go
import streamlit as st

from components.background import background
from components.cache import cached
from components.page import LessonPage
from playground.rag import corpus as rc
from playground.rag import retrieval_eval as rev
from playground.rag import retrievers as rv


@cached("Scoring the labelled queries…")
def run_eval(method: str, recall_k: int, params: tuple, _index, progress=None) -> list[dict]:
    return rev.evaluate(_index, rc.load_queries(), method, recall_k=recall_k, progress=progress, **dict(params))


def settings_of(method: str, params: dict) -> tuple:
    """The parameters ``method`` depends on, as a hashable cache key for :func:`run_eval`."""
    return tuple(sorted(rv.relevant_params(method, params).items()))


def run_all(index, recall_k: int, params: dict) -> dict[str, list[dict]]:
    """Per-query rows of every method; the reranker's run is built in the background and joins
    when it is ready."""
    evals = {m: run_eval(m, recall_k, settings_of(m, params), index) for m in rv.METHODS if m != "rerank"}
    reranked = background(run_eval, "rerank", recall_k, settings_of("rerank", params), index,
                          label="Reranking the labelled queries (their MaxSim scores ship; another model computes token vectors)")
    if reranked is not None:
        evals["rerank"] = reranked
    return evals


def _line(page: LessonPage, d: rev.PairedDifference, group: str, a: str, b: str) -> str:
    """One line: A against B on a query type, with its paired bootstrap interval."""
    name_a, name_b = rv.METHOD_LABELS[a], rv.METHOD_LABELS[b]
    page.record(f"{name_a} − {name_b} ({group})", f"{d.difference:+.3f}")
    return (f"- **{name_a} vs {name_b}** on {rc.TYPE_LABELS.get(group, 'all queries')}: "
            f"{d.mean_a:.3f} vs {d.mean_b:.3f} (difference {d.difference:+.3f}, 95 % bootstrap "
            f"interval {d.low:+.3f} to {d.high:+.3f})")


def verdict(page: LessonPage, evals: dict[str, list[dict]], comparison: "Comparison", served: str,
            seed: int) -> None:
    """The page's verdict on the method the search serves (the live search's): each single
    retriever's blind spot; one retriever alone is red where the other wins its blind spot, a
    combination green when it beats dense beyond its paired bootstrap interval. While the
    reranker's run computes, the best combination computed so far stands in for it."""
    diffs, combined = comparison.diffs, comparison.combined
    rare, para = diffs["rare_entity", "bm25", "dense"], diffs["paraphrase", "dense", "bm25"]
    blind = (f"nDCG@10 on rare-entity queries: BM25 {rare.mean_a:.3f}, dense {rare.mean_b:.3f}; "
             f"on paraphrases: dense {para.mean_a:.3f}, BM25 {para.mean_b:.3f}.")
    gain = diffs["all", combined, "dense"]
    if served in ("bm25", "dense"):
        spot = para if served == "bm25" else rare  # the query type the other retriever wins
        tail = (f"{rv.METHOD_LABELS[combined]} beats dense overall by {gain.difference:+.3f} (95 % interval "
                f"{gain.low:+.3f} to {gain.high:+.3f}): one retriever alone is not enough." if gain.low > 0 else
                f"No combination beats dense beyond noise here ({rv.METHOD_LABELS[combined]}: {gain.difference:+.3f}, "
                f"95 % interval {gain.low:+.3f} to {gain.high:+.3f}).")
        page.verdict(spot.mean_a <= spot.mean_b, f"Your search serves {rv.METHOD_LABELS[served]} alone. {blind} {tail}")
        return
    shown = served if served in evals else combined
    d = diffs.get(("all", shown, "dense")) or rev.paired_difference(evals[shown], evals["dense"], "ndcg@10", seed, "all")
    page.verdict(d.low > 0, f"Your search serves {rv.METHOD_LABELS[shown]}: nDCG@10 {d.mean_a:.3f} against {d.mean_b:.3f} "
                 f"for dense alone ({d.difference:+.3f}, 95 % interval {d.low:+.3f} to {d.high:+.3f}"
                 + ("" if d.low > 0 else ": not beyond noise") + f"). {blind}")


@dataclass(frozen=True)
class Comparison:
    """What :func:`show` computed: the best method by nDCG@10 (its label and value), the best
    combination of retrievers, and the paired differences by (query type, method A, method B)."""

    best: str
    best_ndcg: float
    combined: str
    diffs: dict


def show(page: LessonPage, evals: dict[str, list[dict]], recall_k: int, fusion: str, seed: int) -> Comparison:
    """Render the comparison; return what the page's verdict and "The math" need."""
    table = rev.overview(evals, recall_k)
    overall = pd.DataFrame({rv.METHOD_LABELS[m]: row for m, row in table.items()}).T
    best = max(table, key=lambda m: table[m]["ndcg@10"])
    listed = [("rare_entity", "bm25", "dense"), ("paraphrase", "dense", "bm25"), ("all", "weighted", "dense"),
              ("all", "rrf", "dense")] + ([("all", "rerank", fusion)] if "rerank" in evals else [])
    combined = max((m for m in table if m not in ("bm25", "dense")), key=lambda m: table[m]["ndcg@10"])
    diffs = {pair: rev.paired_difference(evals[pair[1]], evals[pair[2]], "ndcg@10", seed, pair[0])
             for pair in dict.fromkeys(listed + [("all", combined, "dense")])}
    for col, m in zip(st.columns(5), table):
        page.metric(f"nDCG@10 · {rv.METHOD_LABELS[m]}", f"{table[m]['ndcg@10']:.3f}",
                    container=col, headline=m in ("dense", "rerank"))
    st.dataframe(overall.style.format("{:.3f}").format("{:.1f}", subset=["median ms / query"]), width="stretch")
    st.caption(f"Best overall nDCG@10: **{rv.METHOD_LABELS[best]}**. Means over {len(rc.load_queries())} queries; "
               f"MRR@10 and recall@{recall_k} use any grade ≥ 1 as relevant, nDCG uses the grades (2, 1). Latency: "
               "search time on this shared 2-core CPU when the table was first computed, query embedding "
               "excluded (embedding one new query takes about 0.5 s here).")
    fig = go.Figure()
    types = list(rc.QUERY_TYPES)
    for m, rows in evals.items():
        by_type = rev.summarise(rows)
        fig.add_bar(name=rv.METHOD_LABELS[m], x=[rc.TYPE_LABELS[t] for t in types],
                    y=[by_type[t]["ndcg@10"] for t in types])
    fig.update_layout(barmode="group", title="nDCG@10 per query type", yaxis_title="nDCG@10",
                      yaxis_range=[0, 1])
    page.chart(fig)
    with st.expander("What the labelled set shows at these settings: each comparison with its bootstrap interval"):
        st.markdown("\n".join(_line(page, diffs[pair], *pair) for pair in listed))
    return Comparison(rv.METHOD_LABELS[best], table[best]["ndcg@10"], combined, diffs)
