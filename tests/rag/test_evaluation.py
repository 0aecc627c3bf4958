"""RAG evaluation metrics against scikit-learn and hand-worked examples."""

import math
from dataclasses import dataclass

import numpy as np
import pytest
from sklearn.metrics import average_precision_score, cohen_kappa_score

from playground.rag import evaluation as ev

from .test_generation import bow_encode


@dataclass(frozen=True)
class P:
    id: str
    title: str
    text: str
    doc_id: str


def test_context_precision_and_recall_by_hand():
    relevant = {"a": 2, "c": 1, "z": 1}
    # ranks 1 and 3 relevant: (1/1 + 2/3) / 2
    assert ev.context_precision(["a", "b", "c"], relevant, 3) == pytest.approx(5 / 6)
    assert ev.context_precision(["b", "a"], relevant, 2) == pytest.approx(0.5)
    assert ev.context_precision(["b", "d"], relevant, 2) == 0.0
    assert ev.context_recall(["a", "b", "c"], relevant, 3) == pytest.approx(2 / 3)
    assert ev.context_recall(["a", "b", "c"], relevant, 1) == pytest.approx(1 / 3)
    with pytest.raises(ValueError):
        ev.context_precision(["a"], relevant, 0)


def test_context_precision_matches_sklearn_average_precision():
    rng = np.random.default_rng(0)
    for _ in range(50):
        k = int(rng.integers(2, 12))
        rel = rng.random(k) < 0.4
        if not rel.any():
            continue
        ranked = [f"p{i}" for i in range(k)]
        relevant = {f"p{i}": 1 for i in range(k) if rel[i]}
        reference = average_precision_score(rel.astype(int), -np.arange(k))
        assert ev.context_precision(ranked, relevant, k) == pytest.approx(reference)


def test_cohen_kappa_matches_sklearn():
    rng = np.random.default_rng(1)
    for n_labels in (2, 3):
        for _ in range(20):
            a = rng.integers(0, n_labels, 40)
            b = np.where(rng.random(40) < 0.6, a, rng.integers(0, n_labels, 40))
            assert ev.cohen_kappa(a.tolist(), b.tolist()) == pytest.approx(cohen_kappa_score(a, b))
    # hand-worked: 10 items, agree on 8; each judge says yes 5 times -> p_o 0.8, p_e 0.5, kappa 0.6
    a = [1, 1, 1, 1, 1, 0, 0, 0, 0, 0]
    b = [1, 1, 1, 1, 0, 1, 0, 0, 0, 0]
    assert ev.cohen_kappa(a, b) == pytest.approx(0.6)
    assert math.isnan(ev.cohen_kappa([1, 1], [1, 1]))
    assert ev.confusion([True, True, False], [True, False, False]).tolist() == [[1, 0], [1, 1]]


def test_bigram_lm_by_hand_and_normalised():
    lm = ev.BigramLM(["the cat sat.", "the dog sat."], lam=0.5)
    # unigrams: the 2, cat 1, sat 2, . 2, dog 1 -> total 8, vocab 5 + unknown = 6
    assert lm.total == 8 and lm.vocab == 6
    # p(cat | the) = 0.5 · 1/2 + 0.5 · (1 + 1) / (8 + 6)
    assert math.exp(lm.logprob("the", "cat")) == pytest.approx(0.25 + 0.5 * 2 / 14)
    words = list(lm.unigrams) + ["<unknown>"]
    assert sum(math.exp(lm.logprob("the", w)) for w in words) == pytest.approx(1.0)


def test_training_sentences_are_scored_leave_one_out():
    texts = ["the cat sat on the mat.", "the dog sat on the rug.", "a bird flew over the house."]
    full = ev.BigramLM(texts, lam=0.6)
    for i, text in enumerate(texts):
        without = ev.BigramLM(texts[:i] + texts[i + 1:], lam=0.6)
        assert full.mean_logprob(text) == pytest.approx(without.mean_logprob(text))
        assert full.mean_logprob(text, held_out=False) > full.mean_logprob(text)
    # text that is not in the training data is scored by the full model
    assert full.mean_logprob("the cat sat on the rug.") == full.mean_logprob("the cat sat on the rug.", held_out=False)


def test_fluency_prefers_real_prose_to_its_shuffle():
    texts = ["Return the number of items in a container.", "Return a new sorted list from the items.",
             "Remove all items from the dictionary.", "Return the absolute value of a number."] * 5
    scale = ev.fluency_scale(texts)
    real, shuffled = "Return the number of items in the list.", "list items the Return of number in the."
    assert scale.lm.mean_logprob(real) > scale.lm.mean_logprob(shuffled)
    # the percentile is the share of reference sentences scoring strictly lower (brute force)
    for text in (real, shuffled, texts[0], texts[3]):
        below = sum(scale.lm.mean_logprob(t) < scale.lm.mean_logprob(text) for t in texts)
        assert scale(text) == pytest.approx(below / len(texts))
    assert scale(shuffled) == 0.0 and scale(texts[0]) >= scale(shuffled)
    with pytest.raises(ValueError):
        ev.fluency_scale([""])


def test_score_answer_by_hand():
    context = ["Serialize an object to a JSON formatted string. The output is always a str instance."]
    score = ev.score_answer("serialize json", "Serialize an object to a JSON string [1]. Bake some bread now.",
                            context, bow_encode, fluency=lambda text: 0.5, emb_threshold=0.7,
                            overlap_threshold=0.8)
    first, second = score.sentences
    assert first.sentence == "Serialize an object to a JSON string." and first.by_embedding
    assert first.overlap == 1.0  # serialize, object, json, string all in the context
    vecs = bow_encode(["Bake some bread now.", "Serialize an object to a JSON formatted string.",
                       "The output is always a str instance."])
    assert second.similarity == pytest.approx(max(vecs[0] @ vecs[1], vecs[0] @ vecs[2]))
    assert not second.by_embedding and second.overlap == 0.0
    assert score.faithfulness_emb == 0.5 and score.faithfulness_overlap == 0.5
    assert score.words == 11 and score.fluency == 0.5
    q, a = bow_encode(["serialize json", "Serialize an object to a JSON string. Bake some bread now."])
    assert score.relevance == pytest.approx(float(q @ a))
    for bad in ("", "x" * (ev.MAX_ANSWER_CHARS + 1)):
        with pytest.raises(ValueError):
            ev.score_answer("q", bad, context, bow_encode, lambda t: 0.5)
    with pytest.raises(ValueError, match="no retrieved context"):
        ev.score_answer("q", "An answer here.", [], bow_encode, lambda t: 0.5)


CONTEXT = [P("json.dumps#0", "json.dumps", "Serialize an object to a JSON formatted string. The output "
             "is always a str instance.", "module:json")]
POOL = CONTEXT + [P("socket.connect#0", "socket.connect", "Connect the socket to a remote address. The "
                    "address format depends on the family.", "module:socket"),
                  P("json.loads#0", "json.loads", "Deserialize a JSON document. It returns a Python object.",
                    "module:json")]


def test_candidates_are_deterministic_and_built_as_labelled():
    cands = ev.candidates("q1", "serialize an object to json", CONTEXT, POOL, bow_encode, seed=0)
    assert [c.kind for c in cands] == list(ev.KINDS)
    assert cands == ev.candidates("q1", "serialize an object to json", CONTEXT, POOL, bow_encode, seed=0)
    by = {c.kind: c for c in cands}
    assert by["grounded"].text == "Serialize an object to a JSON formatted string. The output is always a str instance."
    assert by["short"].text == "Serialize an object to a JSON formatted string."
    # the only passage from another document is socket.connect: unrelated facts come from it
    assert by["unrelated"].text == POOL[1].text
    assert by["mixed"].text.startswith(by["short"].text) and "socket" in by["mixed"].text
    assert sorted(by["salad"].text.lower().rstrip(".").split()) == sorted(
        by["grounded"].text.lower().replace(".", "").split())
    # key word swap: the sentence's longest content token ("formatted", 9 letters, alphabetically before
    # "serialize") becomes the donor's longest token absent from the context ("address", before "connect")
    assert by["swapped"].text == "Serialize an object to a JSON address string."
    assert [c.faithful for c in cands] == [True, True, False, False, False, False, False]


def test_swap_key_word_by_hand():
    assert ev.swap_key_word("Return the socket timeout.", "the socket timeout", "Connect to an address.") == \
        "Return the socket address."
    assert ev.swap_key_word("Be it.", "x", "Connect to an address.") == ""


def test_evaluate_queries_separates_faithful_from_unfaithful_on_fixtures():
    @dataclass(frozen=True)
    class Q:
        id: str
        text: str
        type: str
        relevant: dict

    queries = [Q("q1", "serialize an object to a json string", "general", {"json.dumps#0": 2})]
    evals = ev.evaluate_queries(queries, lambda text, k: ["json.dumps#0"], {p.id: p for p in POOL}, POOL,
                                ev.MemoEncoder(bow_encode), lambda t: 0.5, k=1)
    assert evals[0].context_precision == 1.0 and evals[0].context_recall == 1.0
    rows = {r["kind"]: r for r in ev.answer_records(evals, cut=0.75)}
    assert rows["grounded"]["faithfulness_emb"] == 1.0 and rows["grounded"]["judge_emb"]
    assert rows["unrelated"]["faithfulness_emb"] == 0.0 and not rows["unrelated"]["judge_overlap"]
    assert rows["mixed"]["faithfulness_overlap"] == 0.5
    # the word salad keeps every context token: the overlap judge is fooled, by construction
    assert rows["salad"]["faithfulness_overlap"] == 1.0 and not rows["salad"]["faithful"]


def test_memo_encoder_embeds_each_text_once_and_keeps_visitor_text_out():
    calls = []

    def counting(texts):
        calls.append(list(texts))
        return bow_encode(texts)

    memo = ev.MemoEncoder(counting)
    first = memo(["json string", "bake bread", "json string"])
    memo(["bake bread"])
    assert calls == [["json string", "bake bread"]]
    np.testing.assert_allclose(first[0], first[2])
    transient_calls = []

    def visitor_encoder(texts):
        transient_calls.append(list(texts))
        return bow_encode(texts)

    visitor = memo.transient(visitor_encoder)
    np.testing.assert_allclose(visitor(["bake bread", "my own answer"]), bow_encode(["bake bread", "my own answer"]))
    assert transient_calls == [["my own answer"]] and "my own answer" not in memo.memory


def test_sample_queries_is_stratified_and_seeded():
    @dataclass(frozen=True)
    class Q:
        id: str
        type: str

    queries = [Q(f"{t}{i}", t) for t in "abc" for i in range(5)]
    sample = ev.sample_queries(queries, 6, seed=3)
    assert sorted(q.type for q in sample) == ["a", "a", "b", "b", "c", "c"]
    assert sample == ev.sample_queries(queries, 6, seed=3)
    assert len(ev.sample_queries(queries, 100, seed=0)) == 15
