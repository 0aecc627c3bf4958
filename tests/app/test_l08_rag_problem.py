"""Lesson 8 page: requirements sizing, the chunking sandbox and vector DB vs pipeline."""

import pytest

from playground.rag import chunking as ch
from playground.rag import corpus as rc
from playground.rag import requirements as rq

from .apptest import figure, metric, open_page, texts

pytestmark = pytest.mark.slow  # loads MiniLM, builds the RAG index or trains (see docs/CONTRIBUTING.md)


def test_defaults_size_the_system_and_compare_designs():
    at = open_page("l08")
    assert not at.exception, [e.value for e in at.exception]
    sizing = rq.size(rq.Requirements())
    assert metric(at, "Chunks") == f"{sizing.n_chunks:,}" == "7,000,000"
    assert metric(at, "Index RAM (vectors + text)") == f"{sizing.index_gb:,.1f} GB"
    assert "ANN index" in texts(at)
    expected = ch.evaluate_chunking(rc.load_documents(), rc.load_passages(), rc.load_queries(),
                                    "recursive", 160, 20, k=5)
    assert float(metric(at, "Recall@5 on the labelled set")) == round(expected.recall, 3)
    naive = float(metric(at, "Recall@5 · vector DB only"))
    full = float(metric(at, "Recall@5 · full pipeline"))
    assert full > naive
    picked = next(s.value for s in at.selectbox if s.key == "fail_q")
    assert picked.endswith("(pipeline recovers)")
    assert "Only hybrid retrieval and the rerank run on this page" in texts(at)
    assert len(at.get("plotly_chart")) >= 4


def test_tiny_fixed_chunks_lose_recall():
    prod = open_page("l08", {"preset": "production"})
    naive = open_page("l08", {"preset": "naive"})
    assert not prod.exception and not naive.exception
    assert float(metric(naive, "Recall@5 on the labelled set")) < float(metric(prod, "Recall@5 on the labelled set")) - 0.05


def test_budget_and_bad_chunk_settings_get_messages():
    at = open_page("l08", {"preset": "budget_blowout"})
    assert not at.exception
    assert any("over the monthly budget" in w.value for w in at.warning)
    at = open_page("l08", {"size": "20", "overlap": "40", "req_chunk": "64", "req_overlap": "128"})
    assert not at.exception
    errors = " ".join(e.value for e in at.error)
    assert "must be smaller than the chunk size" in errors
    assert "must be between 0 and the chunk size" in errors


def test_the_recall_per_query_type_chart_has_readable_labels():
    """Its half-width column used to rotate the long query-type labels and cut them off."""
    at = open_page("l08")
    fig = figure(at, "BM25 recall@5 per query type")
    assert all(b["orientation"] == "h" and b["texttemplate"] == "%{x:.2f}" for b in fig["data"])  # zeros labelled
    labels = fig["data"][0]["y"]
    assert len(labels) == len(rc.QUERY_TYPES) and max(map(len, labels)) <= 12
    assert fig["layout"]["yaxis"]["automargin"] and "tickangle" not in fig["layout"].get("xaxis", {})
