"""Serving levers against hand-worked cases and a Monte Carlo reference."""

import pytest

from playground.rag import serving_levers as sl


def test_batching_hand_worked():
    # one batch of 4 answers of 10, 20, 30, 40 tokens: static runs 40 steps x 4 slots = 160
    # slot-steps for 100 tokens; continuous has nothing to refill with, so the same 40 steps
    assert sl.static_batching([10, 20, 30, 40], 4) == sl.Batching(40, 100 / 160)
    assert sl.continuous_batching([10, 20, 30, 40], 4).steps == 40
    # 4 answers of 1, 9, 1, 9 tokens in 2 slots: static = batches (1,9) (1,9) = 9 + 9 = 18 steps;
    # continuous: step 1 runs (1, 9); the freed slot takes the 1 at step 2 and the last 9 at
    # step 3, which ends at step 11 (the first 9 ended at step 9): 20 tokens in 11 x 2 slot-steps
    assert sl.static_batching([1, 9, 1, 9], 2).steps == 18
    assert sl.continuous_batching([1, 9, 1, 9], 2).steps == 11
    assert sl.continuous_batching([1, 9, 1, 9], 2).utilisation == pytest.approx(20 / 22)
    with pytest.raises(ValueError):
        sl.static_batching([], 2)


def test_speculative_decoding_formula():
    # alpha 0.8, gamma 4: (1 - 0.8^5) / 0.2 = (1 - 0.32768) / 0.2 = 3.3616 tokens per pass
    assert sl.speculative_tokens_per_pass(0.8, 4) == pytest.approx(3.3616)
    assert sl.speculative_speedup(0.8, 4, 0.05) == pytest.approx(3.3616 / 1.2)
    assert sl.speculative_tokens_per_pass(0.0, 4) == 1.0 and sl.speculative_tokens_per_pass(1.0, 4) == 5.0
    for alpha, gamma in ((0.6, 3), (0.9, 7), (0.3, 1)):
        mc = sl.simulate_speculative(alpha, gamma, 200_000, seed=0)
        assert mc == pytest.approx(sl.speculative_tokens_per_pass(alpha, gamma), rel=0.01)


def test_routing_hand_worked():
    # 60 % easy; router sends 90 % of easy and 10 % of hard queries to the small model
    r = sl.route(0.6, 0.9, 0.1, cost_small=1.0, cost_large=10.0, quality_large=0.9, quality_small_hard=0.5)
    assert r.small_share == pytest.approx(0.54 + 0.04)
    assert r.cost_per_request == pytest.approx(0.58 * 1 + 0.42 * 10)  # 4.78
    assert r.quality == pytest.approx(0.9 - 0.4 * 0.1 * 0.4)            # 0.884
    assert r.saving == pytest.approx(1 - 4.78 / 10)


def test_answer_lengths_follow_scipys_geometric():
    from scipy import stats

    lengths = sl.answer_lengths(20_000, 64, seed=1)
    assert min(lengths) >= 1 and sl.answer_lengths(5, 64, seed=1) == lengths[:5]
    assert sum(lengths) / len(lengths) == pytest.approx(stats.geom(1 / 64).mean(), rel=0.03)
    assert stats.kstest(lengths, stats.geom(1 / 64).cdf).statistic < 0.02
    with pytest.raises(ValueError):
        sl.answer_lengths(0, 64, seed=1)


def test_batching_gain_picks_the_nearest_slot_count_from_the_sweeps():
    lengths = [1, 9, 1, 9]
    slots = [1, 2, 4]
    static, continuous = sl.batching_sweep(lengths, slots)
    assert static == [sl.static_batching(lengths, b) for b in slots]
    assert continuous == [sl.continuous_batching(lengths, b) for b in slots]
    gain = sl.batching_gain(lengths, 3, slots, static, continuous)  # 3 is as near 2 as 4: the first wins
    assert gain.slots == 2 and gain.tokens == 20
    assert gain.static.steps == 18 and gain.continuous.steps == 11  # the hand-worked case above
    assert gain.steps_saved == pytest.approx(1 - 11 / 18)
    assert gain.ideal_steps == 10  # ceil(20 / 2)
    assert sl.batching_gain(lengths, 100, slots, static, continuous).ideal_steps == 5  # ceil(20 / 4)
    with pytest.raises(ValueError):
        sl.batching_gain(lengths, 2, slots, static[:2], continuous)


def test_speedup_curve_and_routing_quality_change():
    assert sl.speedup_curve(0.8, [0, 4], 0.05) == pytest.approx([1.0, 3.3616 / 1.2])
    r = sl.route(0.6, 0.9, 0.1, cost_small=1.0, cost_large=10.0, quality_large=0.9, quality_small_hard=0.5)
    assert r.quality_change == pytest.approx(-0.4 * 0.1 * 0.4)
