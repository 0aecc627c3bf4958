"""Lesson 9 page: metrics per method that match the core, the explorer, live search and bad input."""

import pytest

from playground.rag import corpus as rc
from playground.rag import index_store as ix
from playground.rag import retrieval_eval as rev
from playground.rag import retrievers as rv

from .apptest import metric, open_page, texts, top_verdict

pytestmark = pytest.mark.slow  # loads MiniLM, builds the RAG index or trains (see docs/CONTRIBUTING.md)


def _ndcg(at, method):
    return float(metric(at, f"nDCG@10 · {rv.METHOD_LABELS[method]}"))


@pytest.fixture(scope="module")
def default_page():
    return open_page("l09")


def test_defaults_show_every_method_with_core_numbers(default_page):
    at = default_page
    assert not at.exception, [e.value for e in at.exception]
    rows = {m: rev.evaluate(ix.get_index(), rc.load_queries(), m) for m in ("bm25", "dense")}
    assert _ndcg(at, "bm25") == pytest.approx(rev.summarise(rows["bm25"])["all"]["ndcg@10"], abs=5e-4)
    # what the learner should see on the shipped set
    assert _ndcg(at, "weighted") > _ndcg(at, "dense") > _ndcg(at, "bm25")
    assert _ndcg(at, "rerank") > _ndcg(at, "weighted")
    shown = texts(at)
    assert "late-interaction MaxSim" in shown and "rare entity / exact identifier" in shown
    assert "95 % bootstrap interval" in shown
    # the verdict: the search serves BM25 alone (the live search's first method), red: each
    # retriever's blind spot, and the best combination against dense (seed 0)
    rare = rev.paired_difference(rows["bm25"], rows["dense"], "ndcg@10", 0, "rare_entity")
    kind, verdict = top_verdict(at)
    assert kind == "error" and verdict.startswith(
        f"Your search serves BM25 alone. nDCG@10 on rare-entity queries: BM25 {rare.mean_a:.3f}, dense {rare.mean_b:.3f}; ")
    assert "Hybrid + MaxSim rerank beats dense overall by" in verdict and rare.mean_a > rare.mean_b
    # serving the reranked hybrid flips it: its gain over dense, beyond the paired interval
    kind, verdict = top_verdict(open_page("l09", {"live_method": "rerank"}))
    gain = rev.paired_difference(rev.evaluate(ix.get_index(), rc.load_queries(), "rerank"), rows["dense"], "ndcg@10",
                                 0, "all")
    assert kind == "success" and gain.low > 0 and verdict.startswith(
        f"Your search serves Hybrid + MaxSim rerank: nDCG@10 {gain.mean_a:.3f} against {gain.mean_b:.3f} for dense "
        f"alone ({gain.difference:+.3f}, 95 % interval {gain.low:+.3f} to {gain.high:+.3f}). ")
    assert len(at.get("plotly_chart")) >= 1
    # the learned reranker, scored on held-out query folds, beats the MaxSim reranker
    learned = float(metric(at, "nDCG@10 · learned reranker (CV)"))
    assert learned > _ndcg(at, "rerank")
    assert "GroupKFold" in shown and "95 % paired bootstrap" in shown
    # the analyser table: both analysers, the search engine's ahead overall
    assert "Search-engine minus simple" in shown and "assert rais regex" in shown


def test_live_search_finds_the_identifier_with_bm25_and_flags_bad_input():
    at = open_page("l09", {"query": "dirs_exist_ok", "live_method": "bm25", "k": "3"})
    assert not at.exception
    assert "shutil.copytree" in texts(at)
    at = open_page("l09", {"query": "   "})
    assert not at.exception
    assert any("Type a query" in w.value for w in at.warning)
    at = open_page("l09", {"query": "x" * 500, "k": "50", "live_method": "rerank"})
    assert not at.exception


def test_explorer_marks_relevance_for_the_chosen_query():
    at = open_page("l09", {"explore_type": "paraphrase"})
    assert not at.exception
    shown = texts(at)
    assert "q046: hold off for a few moments before going on" in [s.value for s in at.selectbox if s.key == "explore_q"]
    assert "`time.sleep#0` (2)" in shown  # listed as the labelled answer
    assert "[not relevant]" in shown  # text marks, no emoji (a browser may lack the font)


def test_dense_error_code_preset_and_bm25_extremes():
    at = open_page("l09", {"preset": "dense_error_code"})
    assert not at.exception
    assert at.session_state["live_method"] == "dense" and at.session_state["query"] == "TimeoutExpired"
    shown = texts(at)
    assert "**1. `TimeoutError`**" in shown  # dense: a generic timeout passage first
    # BM25 column of the explorer: the split identifier lets asyncio.Timeout.expired in first
    assert "2. **[answer]** `subprocess.TimeoutExpired#0`" in shown
    at = open_page("l09", {"k1": "0.1", "b": "0.0", "rrf_k": "0", "alpha": "1.0", "rerank_n": "50",
                           "recall_k": "50"})
    assert not at.exception
    # alpha = 1 makes weighted fusion rank by the dense score alone
    assert _ndcg(at, "weighted") == pytest.approx(_ndcg(at, "dense"), abs=0.02)


def _cold_page_script():
    """A page whose index has no disk cache and no matching shipped vectors (six passages): the
    progress box runs the real build."""
    import pathlib
    import tempfile

    import streamlit as st
    from components.cache import cached

    from playground.rag import corpus as rc
    from playground.rag import index_store as ix

    rc.CACHE = pathlib.Path(tempfile.mkdtemp())
    passages = rc.load_passages()[:6]

    @cached("Building…")
    def build(cache_dir: str, progress=None):
        return ix.build_index(passages, progress=progress)

    index = build(str(rc.CACHE))
    st.write(f"built {len(index)} passages; vectors {index.source}")


def test_first_load_without_a_disk_cache_shows_progress_and_builds():
    from streamlit.testing.v1 import AppTest

    from playground.rag import corpus as rc

    cache = rc.CACHE
    at = AppTest.from_function(_cold_page_script, default_timeout=600).run()
    rc.CACHE = cache
    assert not at.exception, [e.value for e in at.exception]
    assert "built 6 passages; vectors computed" in [m.value for m in at.markdown]


def test_overall_table_lists_every_method_with_a_latency_column(default_page):
    table = default_page.dataframe[0].value  # tests never assert on times, only that they are shown
    assert list(table.index) == [rv.METHOD_LABELS[m] for m in rv.METHODS]
    assert (table["median ms / query"] > 0).all()
