"""Identifier detection and routing: hand-labelled shapes, the routed metric picks each query's
retriever, and the detector's counts against sklearn's confusion matrix on the labelled queries."""

import pytest
from sklearn.metrics import confusion_matrix

from playground.rag import corpus as rc
from playground.rag import routing as rt


@pytest.mark.parametrize("query", ["dirs_exist_ok", "os.path.splitext", "assertCountEqual", "CalledProcessError",
                                   "PYTHONHASHSEED", "zlib.crc32", "what does functools.partial do", "len()"])
def test_identifier_shapes_are_detected(query):
    assert rt.is_identifier(query)


@pytest.mark.parametrize("query", ["how do I pause for a few seconds", "read a CSV file row by row",
                                   "casefold", "open", "send an email over SMTP"])
def test_plain_words_and_short_acronyms_are_not(query):
    assert not rt.is_identifier(query)


def test_routed_takes_each_querys_value_from_the_retriever_it_is_sent_to():
    queries = ["shlex.quote", "make a copy of a list", "SIGALRM"]
    assert rt.route(queries) == ["bm25", "dense", "bm25"]
    per = {"bm25": [1.0, 0.0, 0.5], "dense": [0.0, 1.0, 0.25]}
    assert rt.routed(per, queries) == [1.0, 1.0, 0.5]


def test_detector_counts_match_sklearn_on_the_labelled_queries():
    queries = rc.load_queries()
    texts, truth = [q.text for q in queries], [q.type == "rare_entity" for q in queries]
    counts = rt.detector_counts(texts, truth)
    tn, fp, fn, tp = confusion_matrix(truth, [rt.is_identifier(t) for t in texts], labels=[False, True]).ravel()
    assert counts == {"tp": tp, "fp": fp, "fn": fn, "tn": tn}
    assert counts["tp"] > 0.7 * (tp + fn) and counts["fp"] < 0.1 * (fp + tn)


def test_summary_means_per_type_match_pandas():
    import pandas as pd

    queries = ["shlex.quote", "make a copy of a list", "SIGALRM", "pause a moment", "os.getenv"]
    types = ["rare_entity", "paraphrase", "rare_entity", "paraphrase", "general"]
    per = {"bm25": [1.0, 0.0, 0.5, 0.0, 1.0], "dense": [0.0, 1.0, 0.25, 0.5, 0.0]}
    s = rt.summarise(per, queries, types, ["rare_entity", "paraphrase", "general", "multi_hop"])
    assert s.per_query["routed"] == [1.0, 1.0, 0.5, 0.5, 1.0]
    frame = pd.DataFrame({**s.per_query, "type": types})
    for name in ("dense", "bm25", "routed"):
        assert s.mean[name] == pytest.approx(frame[name].mean())
        ref = frame.groupby("type")[name].mean()
        assert {t: s.by_type[name][t] for t in ref.index} == pytest.approx(ref.to_dict())
        assert s.by_type[name]["multi_hop"] != s.by_type[name]["multi_hop"]  # NaN: no such query
    assert s.gain == pytest.approx(0.8 - 0.35)
    assert s.counts == {"tp": 2, "fp": 1, "fn": 0, "tn": 2} and (s.n_entity, s.n_other) == (2, 3)
