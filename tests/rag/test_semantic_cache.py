"""Semantic cache simulation against a hand-worked stream and a brute-force reference."""

import numpy as np
import pytest

from playground.rag import semantic_cache as sc


def brute_force(stream, sims, same, threshold):
    cache = []
    hits = correct = 0
    for q in stream:
        if cache:
            scores = [sims[q, c] for c in cache]
            best = int(np.argmax(scores))  # first cached on ties
            if scores[best] >= threshold:
                hits += 1
                correct += bool(same[q, cache[best]])
                continue
        if q not in cache:
            cache.append(q)
    return hits, correct


SIMS = np.array([[1.0, 0.92, 0.70],
                 [0.92, 1.0, 0.80],
                 [0.70, 0.80, 1.0]])
SAME = sc.equivalence(["how to sort a list", "order the items of a list", "reverse a list"],
                      ["p1", "p1", None])


def test_equivalence_from_text_and_pair_ids():
    assert SAME.tolist() == [[True, True, False], [True, True, False], [False, False, True]]
    same = sc.equivalence(["A  b", "a b", "c"], [None, None, None])
    assert same[0, 1] and not same[0, 2]


def test_hand_worked_stream():
    stream = [0, 1, 0, 2, 1]
    # threshold 0.9: q0 miss (cache {0}); q1 sim .92 -> correct hit; q0 exact hit;
    # q2 best .70 -> miss (cache {0,2}); q1 best .92 (q0) -> correct hit
    r = sc.simulate(stream, SIMS, SAME, 0.9)
    assert (r.hits, r.correct_hits, r.wrong_hits, r.misses) == (3, 3, 0, 2)
    # threshold 0.75: same, except q2 hits q0? .70 < .75 -> miss; so still 3 correct hits
    assert sc.simulate(stream, SIMS, SAME, 0.75).wrong_hits == 0
    # threshold 0.6: q2 now hits q0 (.70) -> a wrong answer
    loose = sc.simulate(stream, SIMS, SAME, 0.6)
    assert (loose.hits, loose.wrong_hits, loose.misses) == (4, 1, 1)
    assert loose.hit_rate == 0.8 and loose.wrong_rate == 0.2 and loose.precision == 0.75
    # threshold 1.0: only exact repeats, the same as the exact-match cache
    strict = sc.simulate(stream, SIMS, SAME, 1.0)
    assert strict == sc.exact_match(stream, ["how to sort a list", "order the items of a list", "reverse a list"])
    assert (strict.hits, strict.misses) == (2, 3)


def test_matches_brute_force_on_random_queries():
    rng = np.random.default_rng(3)
    vectors = rng.normal(size=(40, 8))
    vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
    sims = sc.similarity_matrix(vectors)
    assert np.all(np.diag(sims) == 1.0)
    same = sc.equivalence([f"q{i}" for i in range(40)], [f"p{i // 2}" for i in range(40)])
    stream = sc.traffic(sc.intents([f"p{i // 2}" for i in range(40)]), 300, 1.0, seed=5)
    for threshold in (0.2, 0.4, 0.6, 0.8, 1.0):
        r = sc.simulate(stream, sims, same, threshold)
        assert (r.hits, r.correct_hits) == brute_force(stream, sims, same, threshold)
        assert r.hits + r.misses == 300


def test_traffic_is_seeded_skewed_and_rephrased():
    groups = sc.intents(["a", "a", None, "b", "b", None] + [None] * 44)
    assert groups[:6] == [0, 0, 1, 2, 2, 3] and max(groups) == 47
    a = sc.traffic(groups, 3000, 1.2, seed=1)
    assert len(a) == 3000 and set(a) <= set(range(50))
    assert np.array_equal(a, sc.traffic(groups, 3000, 1.2, seed=1))
    assert not np.array_equal(a, sc.traffic(groups, 3000, 1.2, seed=2))
    per_intent = np.sort(np.bincount(np.asarray(groups)[a], minlength=48))[::-1]
    assert per_intent[0] > 10 * max(per_intent[-1], 1)  # Zipf: the head intent dominates
    flat = np.bincount(np.asarray(groups)[sc.traffic(groups, 4800, 0.0, seed=1)], minlength=48)
    assert flat.min() > 50 and flat.max() < 150
    counts = np.bincount(a, minlength=50)
    for intent in (0, 2):  # every intent asked often enough is asked in both of its phrasings
        members = [i for i, g in enumerate(groups) if g == intent]
        if counts[members].sum() >= 20:
            assert all(counts[m] > 0 for m in members)
    assert counts[[0, 1, 3, 4]].sum() >= 20
    with pytest.raises(ValueError):
        sc.traffic([], 10, 1.0, seed=0)


def test_separation_lists_pair_and_nearest_other_similarities():
    pairs, others = sc.separation(SIMS, SAME)
    assert pairs.tolist() == [0.92]
    assert others.tolist() == [0.70, 0.80, 0.80]


def test_cost_per_1k_by_hand():
    r = sc.CacheResult(requests=100, hits=40, correct_hits=35, wrong_hits=5, misses=60)
    # 1000 · (0.6 · $0.002 + 0.05 · $0.10 + $0.0001) = 1.2 + 5 + 0.1 = $6.30
    assert sc.cost_per_1k(r, 0.002, 0.10, 0.0001) == pytest.approx(6.3)
    assert r.precision == pytest.approx(35 / 40)
    with pytest.raises(ValueError):
        sc.cost_per_1k(r, -1, 0, 0)


def test_rates_per_request_by_hand():
    r = sc.CacheResult(requests=200, hits=50, correct_hits=44, wrong_hits=6, misses=150)
    assert r.miss_rate == 0.75 and r.correct_rate == 0.22 and r.wrong_per_1k == pytest.approx(30.0)
    assert sc.no_cache_cost_per_1k(0.002) == pytest.approx(2.0)
    assert sc.no_cache_cost_per_1k(0.002) == sc.cost_per_1k(sc.CacheResult(7, 0, 0, 0, 7), 0.002, 5.0)
    with pytest.raises(ValueError):
        sc.no_cache_cost_per_1k(-0.1)


def test_threshold_grid_is_hundredths_from_0_30_to_1():
    assert len(sc.THRESHOLDS) == 71
    assert sc.THRESHOLDS[0] == 0.3 and sc.THRESHOLDS[-1] == 1.0 and sc.THRESHOLDS[60] == 0.9
    assert np.all(np.diff(sc.THRESHOLDS) > 0)


def test_replay_picks_the_nearest_threshold_and_the_cheapest_by_brute_force():
    stream = [0, 1, 0, 2, 1]
    texts = ["how to sort a list", "order the items of a list", "reverse a list"]
    replayed = sc.replay(stream, SIMS, SAME, texts, [0.6, 0.75, 0.9, 1.0])
    assert replayed.exact == sc.exact_match(stream, texts)
    assert replayed.at(0.62) == sc.simulate(stream, SIMS, SAME, 0.6)  # nearest grid point
    assert replayed.at(0.87) == sc.simulate(stream, SIMS, SAME, 0.9)
    assert replayed.index(0.3) == 0 and replayed.index(2.0) == 3
    # $1 per call, $10 per wrong answer: 0.6 saves one call (-$200/1k) but adds a wrong answer (+$2,000/1k)
    costs = replayed.costs(1.0, 10.0)
    assert costs == pytest.approx([1000 * (0.2 * 1 + 0.2 * 10), 400.0, 400.0, 600.0])
    assert replayed.cheapest(1.0, 10.0) == 0.75  # the lowest of the tied thresholds
    assert replayed.cheapest(1.0, 0.0) == 0.6  # wrong answers free: the loosest cache wins


def test_separation_stats_by_hand():
    pairs, others = sc.separation(SIMS, SAME)  # pairs [0.92], others [0.70, 0.80, 0.80]
    split = sc.separation_stats(pairs, others, 0.8)
    assert split.pairs_above == 1.0 and split.others_above == pytest.approx(2 / 3)
    assert split.pairs_median == 0.92 and split.others_median == 0.80
    assert sc.separation_stats(pairs, others, 0.95).pairs_above == 0.0
    with pytest.raises(ValueError):
        sc.separation_stats([], others, 0.5)
