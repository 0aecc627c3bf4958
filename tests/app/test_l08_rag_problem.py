"""Lesson 8 page: requirements sizing, the chunking sandbox and vector DB vs pipeline."""

import pytest

from playground.rag import chunking as ch
from playground.rag import corpus as rc
from playground.rag import requirements as rq
from scenarios.l08 import VIEWS

from .apptest import charts, figure, metric, open_page, texts, top_verdict

pytestmark = pytest.mark.slow  # loads MiniLM, builds the RAG index or trains (see docs/CONTRIBUTING.md)


def test_defaults_size_the_system_and_compare_designs():
    at = open_page("l08")
    assert not at.exception, [e.value for e in at.exception]
    sizing = rq.size(rq.Requirements())
    assert metric(at, "Chunks") == f"{sizing.n_chunks:,}" == "7,000,000"
    assert metric(at, "Index RAM (vectors + text)") == f"{sizing.index_gb:,.1f} GB"
    assert "ANN index" in texts(at)
    # the page opens on tiny fixed windows (red); structure-aware chunks with overlap flip it
    shipped = ch.evaluate_chunking(rc.load_documents(), rc.load_passages(), rc.load_queries(), "paragraph", 160, 0, k=5)
    expected = ch.evaluate_chunking(rc.load_documents(), rc.load_passages(), rc.load_queries(), "fixed", 20, 0, k=5)
    assert float(metric(at, "Recall@5 on the labelled set")) == round(expected.recall, 3)
    assert top_verdict(at) == ("error", f"Fixed chunks of 20 words, overlap 0: recall@5 {expected.recall:.3f} against "
                               f"{shipped.recall:.3f} for the shipped passages: the windows cut answers apart from "
                               "the headings that name them.")
    fixed = ch.evaluate_chunking(rc.load_documents(), rc.load_passages(), rc.load_queries(), "recursive", 160, 20, k=5)
    assert top_verdict(open_page("l08", {"strategy": "recursive", "size": "160", "overlap": "20"})) == (
        "success", f"Recursive chunks of 160 words, overlap 20: recall@5 {fixed.recall:.3f} against "
                   f"{shipped.recall:.3f} for the shipped passages.")
    naive = float(metric(at, "Recall@5 · vector DB only"))
    full = float(metric(at, "Recall@5 · full pipeline"))
    assert full > naive
    picked = next(s.value for s in at.selectbox if s.key == "fail_q")
    assert picked.endswith("(pipeline recovers)")
    assert "Only hybrid retrieval and the rerank run on this page" in texts(at)
    assert charts(at) == 9 and len(at.get("plotly_chart")) == 1  # the open tab draws its own


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


def _acl_script():
    from components import rag_access
    from components.page import LessonPage
    from components.rag_index import load_index

    page = LessonPage("l08")
    rag_access.show(page, load_index(), page.seed())


def _dense_chunking_script():
    from components import rag_chunk_size
    from components.page import LessonPage

    rag_chunk_size.show(LessonPage("l08"))


def test_access_control_opens_filtering_after_the_search_and_prefiltering_fixes_it():
    from streamlit.testing.v1 import AppTest

    from playground import embeddings
    from playground.rag import access_filter as af
    from playground.rag import index_store as ix
    import numpy as np

    at = AppTest.from_function(_acl_script, default_timeout=600).run()
    assert not at.exception, [e.value for e in at.exception]
    index = ix.get_index()
    queries = embeddings.embed([q.text for q in rc.load_queries()], persist=True)
    doc_of_row = [p.doc_id for p in index.passages]
    allowed = [d in af.allowed_documents(doc_of_row, 0.05, 0) for d in doc_of_row]
    post = af.evaluate(af.build(index.embeddings, 0), index.embeddings, np.array(allowed), queries, 10, "post")
    assert metric(at, "Results returned per query") == f"{post.returned:.1f} of 10"
    assert post.returned < 2 and post.empty > 0.5  # the failure at the defaults
    assert any("of the 10 passages asked for" in w.value for w in at.warning)
    at.selectbox(key="acl_mode").set_value("pre").run()
    assert metric(at, "Results returned per query") == "10.0 of 10"
    assert metric(at, "Recall vs exact filtered top-k") == "1.000"
    assert int(metric(at, "Vectors scored per query").replace(",", "")) == int(np.sum(allowed))
    assert not any("passages asked for" in w.value for w in at.warning)


def test_dense_chunking_opens_past_the_encoder_window_and_smaller_chunks_fix_it():
    from streamlit.testing.v1 import AppTest

    from playground.rag import chunk_dense as cd

    at = AppTest.from_function(_dense_chunking_script, default_timeout=600).run()
    assert not at.exception, [e.value for e in at.exception]
    documents, passages, queries = rc.load_documents(), rc.load_passages(), rc.load_queries()
    table = cd.shipped_grid(passages, cd.pool(documents, passages, queries))
    points = {(p.size, p.overlap): p for p in cd.summarise(table, 5)}
    big, small = points[(480, 20)], points[(40, 20)]
    assert metric(at, "Dense recall@5 at 480 words") == f"{big.recall['dense']:.3f}"
    assert metric(at, "Dense − BM25 (95% interval)") == f"{big.gap:+.3f}"
    assert metric(at, "Chunks longer than MiniLM's window") == f"{big.over_window:.0%}"
    assert big.over_window > 0.9 and big.gap < 0  # the failure: dense falls behind BM25 on long chunks
    assert any("never reads their tail" in w.value for w in at.warning)
    at.select_slider(key="dsize").set_value(40).run()
    assert metric(at, "Dense − BM25 (95% interval)") == f"{small.gap:+.3f}"
    assert small.over_window == 0 and small.gap > 0 and small.prompt_tokens < big.prompt_tokens / 5
    assert not any("never reads their tail" in w.value for w in at.warning)
    assert "shipped file, checked against the corpus and the model" in texts(at)


def _routing_script():
    from components import rag_routing
    from components.page import LessonPage
    from components.rag_index import load_index

    rag_routing.show(LessonPage("l08"), load_index())


def test_identifier_routing_opens_off_and_lifts_rare_entity_recall_when_on():
    from streamlit.testing.v1 import AppTest

    from playground.rag import index_store as ix
    from playground.rag import retrieval_eval as rev
    from playground.rag import routing as rt

    at = AppTest.from_function(_routing_script, default_timeout=600).run()
    assert not at.exception, [e.value for e in at.exception]
    queries = rc.load_queries()
    per = {m: [r["recall@5"] for r in rev.evaluate(ix.get_index(), queries, m, recall_k=5)] for m in ("bm25", "dense")}
    routed = rt.routed(per, [q.text for q in queries])
    assert metric(at, "Recall@5 · dense only") == f"{sum(per['dense']) / len(queries):.3f}"
    at.toggle(key="route").set_value(True).run()
    assert metric(at, "Recall@5 · routed") == f"{sum(routed) / len(queries):.3f}"
    rare = [i for i, q in enumerate(queries) if q.type == "rare_entity"]
    assert sum(routed[i] for i in rare) > sum(per["dense"][i] for i in rare)
    assert sum(routed) > sum(per["dense"])


def test_the_recall_per_query_type_chart_has_readable_labels():
    """Its half-width column used to rotate the long query-type labels and cut them off."""
    at = open_page("l08", {"view": VIEWS[1]})  # its tab draws it when open
    fig = figure(at, "BM25 recall@5 per query type")
    assert all(b["orientation"] == "h" and b["texttemplate"] == "%{x:.2f}" for b in fig["data"])  # zeros labelled
    labels = fig["data"][0]["y"]
    assert len(labels) == len(rc.QUERY_TYPES) and max(map(len, labels)) <= 12
    assert fig["layout"]["yaxis"]["automargin"] and "tickangle" not in fig["layout"].get("xaxis", {})
