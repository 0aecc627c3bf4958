"""Lesson 11 page: fluent-but-unfaithful answers visible, kappa equals sklearn's, the learner's answer is scored."""

import json

import pytest
from sklearn.metrics import cohen_kappa_score

from playground import embeddings
from playground.rag import corpus as rc
from playground.rag import eval_run as er
from playground.rag import evaluation as ev
from playground.rag import index_store as ix

from .apptest import charts, figure, metric, open_page, texts, top_verdict

pytestmark = pytest.mark.slow  # loads MiniLM, builds the RAG index or trains (see docs/CONTRIBUTING.md)


@pytest.fixture(scope="module")
def default_page():
    return open_page("l11")


def test_defaults_show_fluent_answers_that_are_not_faithful(default_page):
    at = default_page
    assert not at.exception, [e.value for e in at.exception]
    # answers copied from unrelated passages read as fluently as grounded ones but are not supported
    assert float(metric(at, "Fluency · unrelated answers")) >= float(metric(at, "Fluency · grounded answers")) - 0.1
    assert float(metric(at, "Faithfulness · unrelated answers")) <= 0.1
    assert float(metric(at, "Faithfulness · grounded answers")) >= 0.9
    # the fluency judge barely agrees with the reference labels; the faithfulness judges do
    fluency_kappa = float(metric(at, "κ fluency judge vs reference label"))
    assert fluency_kappa < 0.3
    # rebuilt corpus (issue 14): 0.50 vs 0.27 at the defaults
    assert float(metric(at, "κ embedding judge vs reference label")) > fluency_kappa + 0.2
    assert charts(at) >= 4
    assert "Type an answer above" in texts(at)
    gap = {name: float(metric(at, f"{name.capitalize()} · grounded answers"))
           - float(metric(at, f"{name.capitalize()} · unrelated answers")) for name in ("fluency", "faithfulness")}
    kind, verdict = top_verdict(at)  # the page opens on the naive judge, fluency
    assert kind == "error" and verdict.startswith(f"Judged by fluency, grounded answers score "
                                                  f"{gap['fluency']:+.2f} above unrelated ones")
    kind, verdict = top_verdict(open_page("l11", {"naive": "false"}))  # judging by faithfulness flips it
    assert kind == "success" and verdict.startswith(f"Judged by faithfulness, grounded answers score "
                                                    f"{gap['faithfulness']:+.2f} above unrelated ones")


def test_page_numbers_equal_the_core_and_sklearn(default_page):
    at = default_page
    index = ix.get_index()
    queries = ev.sample_queries(rc.load_queries(), 16, 0)
    k = 5
    ranked = {q.id: [h.passage_id for h in index.search("rrf", q.text, k)] for q in queries}
    precision = sum(ev.context_precision(ranked[q.id], q.relevant, k) for q in queries) / len(queries)
    recall = sum(ev.context_recall(ranked[q.id], q.relevant, k) for q in queries) / len(queries)
    assert metric(at, "Context precision@5") == f"{precision:.2f}"
    assert metric(at, "Context recall@5") == f"{recall:.2f}"
    encode = er.encoder(persist=True)
    fluency = ev.fluency_scale([p.text for p in rc.load_passages()])
    evals = ev.evaluate_queries(queries, lambda text, kk: [h.passage_id for h in index.search("rrf", text, kk)],
                                index.by_id, rc.load_passages(), encode, fluency, k)
    answers = ev.answer_records(evals, cut=0.75)
    emb = [r["judge_emb"] for r in answers]
    ovl = [r["judge_overlap"] for r in answers]
    assert metric(at, "κ embedding judge vs overlap judge") == f"{cohen_kappa_score(emb, ovl):.2f}"


def test_naive_fluency_gate_passes_unfaithful_answers():
    at = open_page("l11", {"preset": "naive"})
    assert not at.exception
    assert any("fluent is not faithful" in e.value for e in at.error)
    kind, verdict = top_verdict(at)
    assert kind == "error" and verdict.startswith("Judged by fluency") and "whether or not the context" in verdict
    passed, total = metric(at, "Unfaithful answers passed by the fluency judge").split(" of ")
    assert int(passed) > 0 and int(total) > 0


def test_learner_answer_is_scored_and_bad_input_is_handled(default_page):
    first = ev.sample_queries(rc.load_queries(), 16, 0)[0]
    context = [ix.get_index().by_id[h.passage_id] for h in ix.get_index().search("rrf", first.text, 5)]
    copied = " ".join(ev.answer_sentences(context[0].text)[:1]) or context[0].text
    at = open_page("l11", {"answer": copied})
    assert not at.exception
    assert float(metric(at, "Your faithfulness (embedding)")) == 1.0
    at = open_page("l11", {"answer": "Bananas are rich in potassium and grow in tropical climates."})
    assert not at.exception
    assert float(metric(at, "Your faithfulness (embedding)")) == 0.0
    at = open_page("l11", {"answer": "<script>alert(1)</script>" * 19, "qi": "167"})
    assert not at.exception
    assert any("Only 16 queries" in w.value for w in at.warning)


def test_loose_support_threshold_lowers_judge_agreement(default_page):
    strict = float(metric(default_page, "κ embedding judge vs reference label"))
    at = open_page("l11", {"preset": "loose_judge"})
    assert not at.exception
    assert float(metric(at, "κ embedding judge vs reference label")) < strict
    assert float(metric(at, "Faithfulness · unrelated answers")) > float(metric(default_page, "Faithfulness · unrelated answers"))


def test_the_learners_answer_never_reaches_the_disk(default_page):
    def on_disk():
        return {p for folder in (embeddings.CACHE_DIR, rc.CACHE) for p in folder.rglob("*")}

    before = on_disk()
    at = open_page("l11", {"answer": "A sentence only this test has typed, about quokkas."})
    assert not at.exception and metric(at, "Your faithfulness (embedding)") is not None
    assert on_disk() == before


def test_zero_bars_are_labelled_and_the_wide_tables_fit():
    at = open_page("l11", {"answer": "Converts message to a bytestring. The moon is made of cheese."})
    assert not at.exception
    fig = figure(at, "Mean score by kind")
    bars = fig["data"]
    assert all(b["texttemplate"] == "%{x:.2f}" and b["textposition"] == "outside" and b["cliponaxis"] is False
               for b in bars)
    assert fig["layout"]["xaxis"]["range"][1] > 1  # room for the label of a full bar
    assert bars[0]["x"][bars[0]["y"].index("unrelated")] == 0  # faithfulness: a labelled 0.00, not a gap
    tables = {tuple(d.value.columns): json.loads(d.proto.columns) for d in at.dataframe}
    for columns, config in tables.items():
        if columns[-1] in ("answer", "sentence"):  # the long text last; every verdict and score before it is narrow
            assert all(config[c]["width"] == "small" for c in columns[:-1]), config
    assert {cols[-1] for cols in tables} >= {"answer", "sentence"}
    assert ("kind", "faithful") == next(c for c in tables if c[-1] == "answer")[:2]
