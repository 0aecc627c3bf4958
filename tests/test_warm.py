"""The hosts' warm-up command: every step reports progress and a summary; a second run of the
reranker step computes nothing."""

import numpy as np

from playground import warm
from playground.rag import corpus as rc
from playground.rag import index_store as ix
from playground.rag import rerank as rr


def test_list_names_every_step(capsys):
    assert warm.main(["--list"]) == 0
    assert capsys.readouterr().out.split("\n")[:len(warm.STEPS)] == [name for name, _ in warm.STEPS]


def test_run_reports_progress_and_one_summary_per_step():
    seen = []

    def step(progress):
        progress(0.5, "half")
        return "done"

    lines = warm.run([("a", step), ("b", step)], progress_factory=lambda name: lambda f, t: seen.append((name, f)))
    assert [line.split(" (")[0] for line in lines] == ["done", "done"]
    assert seen == [("a", 0.5), ("a", 1.0), ("b", 0.5), ("b", 1.0)]


def test_the_reranker_step_completes_the_token_store_once(rag_cache, monkeypatch):
    def fake(texts, model_path=None):
        return np.ones((len(texts), 384), np.float32), [np.ones((2, 8), np.float32) for _ in texts]

    monkeypatch.setattr(rr, "token_embeddings", fake)
    monkeypatch.setattr(ix, "sentence_vectors", lambda passages, *a, **k: rr.normalise_rows(np.ones((len(passages), 384))))
    index = ix.build_index(rc.load_passages()[:30])  # the shipped vectors do not match 30 passages
    monkeypatch.setattr(ix, "get_index", lambda: index)
    assert "30 passages computed, 30 on disk" in warm._reranker_tokens(lambda f, t: None)
    assert "0 passages computed, 30 on disk" in warm._reranker_tokens(lambda f, t: None)
