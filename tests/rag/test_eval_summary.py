"""Lesson 11's summaries against hand-worked cases, plain-Python loops and scikit-learn."""

import math
from statistics import mean

import numpy as np
import pytest
from sklearn.metrics import accuracy_score, cohen_kappa_score, confusion_matrix

from playground.rag import corpus as rc
from playground.rag import eval_summary as es
from playground.rag import evaluation as ev


def _eval(qid: str, qtype: str, precision: float, recall: float) -> ev.QueryEval:
    return ev.QueryEval(qid, qtype, f"question {qid}", [], [], precision, recall, [], [])


def _record(kind: str, faithful: bool, emb: bool, ovl: bool, flu: bool, **scores) -> dict:
    row = {"query_id": "q", "type": "general", "kind": kind, "label": ev.KINDS[kind][0], "faithful": faithful,
           "faithfulness_emb": 0.0, "faithfulness_overlap": 0.0, "relevance": 0.0, "fluency": 0.0, "words": 0,
           "judge_emb": emb, "judge_overlap": ovl, "judge_fluency": flu}
    return {**row, **scores}


def test_retrieval_summary_by_hand():
    evals = [_eval("a", "general", 1.0, 0.5), _eval("b", "general", 0.5, 1.0), _eval("c", "multi_hop", 0.0, 0.25)]
    s = es.retrieval_summary(evals)
    assert s.precision == pytest.approx(0.5) and s.recall == pytest.approx(1.75 / 3)
    by_type = s.by_type.set_index("type")
    assert by_type.loc["general", "context precision"] == pytest.approx(0.75)
    assert by_type.loc[rc.TYPE_LABELS["multi_hop"], "context recall"] == pytest.approx(0.25)
    assert s.per_query["query"].tolist() == ["a", "b", "c"]
    with pytest.raises(ValueError):
        es.retrieval_summary([])


def test_retrieval_summary_matches_plain_loops():
    rng = np.random.default_rng(0)
    types = list(rc.TYPE_LABELS)
    evals = [_eval(f"q{i}", types[i % 4], float(rng.random()), float(rng.random())) for i in range(23)]
    s = es.retrieval_summary(evals)
    assert s.precision == pytest.approx(mean(e.context_precision for e in evals))
    for row in s.by_type.itertuples(index=False):
        members = [e for e in evals if rc.TYPE_LABELS[e.type] == row.type]
        assert row[1] == pytest.approx(mean(e.context_precision for e in members))
        assert row[2] == pytest.approx(mean(e.context_recall for e in members))


def test_generation_summary_by_hand():
    records = [_record("grounded", True, True, True, True, fluency=0.6, faithfulness_emb=1.0, words=10),
               _record("unrelated", False, False, False, True, fluency=0.8, faithfulness_emb=0.0, words=20),
               _record("grounded", True, True, True, False, fluency=0.4, faithfulness_emb=0.5, words=30)]
    s = es.generation_summary(records)
    assert s.fluency["grounded"] == pytest.approx(0.5) and s.faithfulness["grounded"] == pytest.approx(0.75)
    assert s.fluency["unrelated"] == pytest.approx(0.8) and s.faithfulness["unrelated"] == 0.0
    assert math.isnan(s.fluency["salad"])  # no answer of that kind: undefined, not zero
    assert s.by_kind.index.tolist() == [ev.KINDS["grounded"][0], ev.KINDS["unrelated"][0]]
    assert list(s.by_kind.columns) == list(es.SCORES)
    assert s.by_kind.loc[ev.KINDS["grounded"][0], "words"] == 20
    # grounded minus unrelated: fluency 0.5 - 0.8, faithfulness 0.75 - 0
    assert s.separation == pytest.approx({"fluency": -0.3, "faithfulness": 0.75})


def test_judge_agreement_matches_sklearn():
    rng = np.random.default_rng(3)
    kinds = list(ev.KINDS)
    for naive in (False, True):
        for _ in range(10):
            ref = rng.random(60) < 0.4
            emb = np.where(rng.random(60) < 0.8, ref, ~ref)
            ovl = np.where(rng.random(60) < 0.7, emb, rng.random(60) < 0.5)
            flu = rng.random(60) < 0.6
            records = [_record(kinds[i % 7], *map(bool, row)) for i, row in enumerate(zip(ref, emb, ovl, flu))]
            a = es.judge_agreement(records, naive)
            columns = {"embedding judge": emb, "overlap judge": ovl, "fluency judge": flu, "reference label": ref}
            for x, y in es.PAIRS:
                assert a.kappas[f"{x} vs {y}"] == pytest.approx(cohen_kappa_score(columns[x], columns[y]))
            gate = columns[a.gate]
            assert a.gate == ("fluency judge" if naive else "embedding judge")
            assert a.passed_unfaithful == sum(1 for g, r in zip(gate, ref) if g and not r)
            assert a.unfaithful == int((~ref).sum())
            for (x, y), m in a.confusions.items():
                np.testing.assert_array_equal(m, confusion_matrix(columns[x], columns[y], labels=[False, True]))
            assert list(a.confusions) == [("embedding judge", "overlap judge"), (a.gate, "reference label")]
            assert a.observed == pytest.approx(accuracy_score(emb, ovl))
            # kappa from the reported p_o and p_e is sklearn's kappa
            assert (a.observed - a.chance) / (1 - a.chance) == pytest.approx(cohen_kappa_score(emb, ovl))


def test_judge_agreement_by_hand_and_undefined_kappa():
    # 4 answers, 2 unfaithful; the fluency judge passes all four: its kappa against the reference is 0
    # (p_o = p_e = 1/2) and, as the naive gate, it lets both unfaithful answers through
    records = [_record("grounded", True, True, True, True), _record("short", True, True, False, True),
               _record("unrelated", False, False, False, True), _record("salad", False, False, True, True)]
    a = es.judge_agreement(records, naive=True)
    assert a.passed_unfaithful == 2 and a.unfaithful == 2
    assert a.kappas["fluency judge vs reference label"] == 0.0
    assert a.observed == 0.5 and a.chance == 0.5  # p_a = p_b = 1/2
    same = [_record("grounded", True, True, True, True)] * 3
    assert math.isnan(es.judge_agreement(same, naive=False).kappas["embedding judge vs overlap judge"])
    with pytest.raises(ValueError):
        es.judge_agreement([], naive=False)


def test_pick_query_clamps_to_the_last():
    evals = [_eval(q, "general", 0, 0) for q in "abc"]
    assert es.pick_query(evals, 1) == (evals[0], False)
    assert es.pick_query(evals, 3) == (evals[2], False)
    assert es.pick_query(evals, 167) == (evals[2], True)
    with pytest.raises(ValueError):
        es.pick_query(evals, 0)
