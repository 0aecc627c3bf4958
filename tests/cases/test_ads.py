"""Lesson 12 core: GSP auction on hand-computed cases, market aggregates, IPS/SNIPS/DR against the
true policy value known in simulation."""

import numpy as np
import pytest

from playground.cases import ads


def test_gsp_hand_computed_two_slots():
    # eCPM = bid × pCTR = [0.4, 0.6, 0.2, 0.3] -> order B, A, D, C
    out = ads.gsp([4.0, 3.0, 2.0, 1.0], [0.1, 0.2, 0.1, 0.3], slots=2)
    assert out.order[0].tolist() == [1, 0]
    # B pays A's eCPM / pCTR_B = 0.4 / 0.2; A pays D's eCPM / pCTR_A = 0.3 / 0.1
    np.testing.assert_allclose(out.price[0], [2.0, 3.0])


def test_gsp_one_slot_is_second_price_and_reserve_binds():
    out = ads.gsp([2.0, 1.0], [0.5, 0.5], slots=1)
    assert out.order[0, 0] == 0 and out.price[0, 0] == pytest.approx(1.0)   # pays the second bid
    # reserve 0.8 eCPM above the runner-up's 0.5: winner pays reserve / pCTR = 1.6
    out = ads.gsp([2.0, 1.0], [0.5, 0.5], slots=2, reserve=0.8)
    assert out.order[0].tolist() == [0, -1]
    assert out.price[0, 0] == pytest.approx(1.6) and np.isnan(out.price[0, 1])


def test_gsp_more_slots_than_bidders_and_prices_never_exceed_bids():
    out = ads.gsp([3.0, 1.0], [0.2, 0.4], slots=4)
    assert out.order[0].tolist() == [0, 1, -1, -1]
    np.testing.assert_allclose(out.price[0, :2], [0.4 / 0.2, 0.0])
    rng = np.random.default_rng(1)
    bids, pctr = rng.uniform(0.1, 3, (500, 8)), rng.uniform(0.001, 0.2, (500, 8))
    batch = ads.gsp(bids, pctr, 3, reserve=0.05)
    for i in range(0, 500, 50):  # the batch equals auction-by-auction
        one = ads.gsp(bids[i], pctr[i], 3, reserve=0.05)
        np.testing.assert_array_equal(one.order[0], batch.order[i])
        np.testing.assert_allclose(one.price[0], batch.price[i])
    shown = batch.order >= 0
    own_bid = np.take_along_axis(bids, np.where(shown, batch.order, 0), axis=1)
    assert np.all(batch.price[shown] <= own_bid[shown] + 1e-12)


def test_gsp_rejects_bad_input():
    with pytest.raises(ValueError):
        ads.gsp([1.0, 2.0], [0.1], 1)
    with pytest.raises(ValueError):
        ads.gsp([1.0, 2.0], [0.0, 0.1], 1)


def test_calibrated_market_is_fully_efficient_and_miscalibration_costs():
    exact = ads.simulate_market(noise=0.0, scale=1.0)
    assert exact.summary.loc["model pCTR", "allocation efficiency"] == pytest.approx(1.0)
    assert exact.summary.loc["model pCTR", "revenue per 1k auctions ($)"] == pytest.approx(
        exact.summary.loc["calibrated", "revenue per 1k auctions ($)"])
    bad = ads.simulate_market(scale=3.0, share=0.5, noise=0.6)
    assert bad.summary.loc["model pCTR", "allocation efficiency"] < 0.95
    assert (bad.summary.loc["model pCTR", "revenue per 1k auctions ($)"]
            < bad.summary.loc["calibrated", "revenue per 1k auctions ($)"])


def test_uniform_scale_cancels_without_reserve_but_not_with_one():
    base = ads.simulate_market(scale=1.0, noise=0.3, reserve=0.0, seed=3).summary
    scaled = ads.simulate_market(scale=0.5, share=1.0, noise=0.3, reserve=0.0, seed=3).summary
    np.testing.assert_allclose(base.loc["model pCTR"].to_numpy(), scaled.loc["model pCTR"].to_numpy())
    low = ads.simulate_market(scale=0.5, share=1.0, noise=0.3, reserve=0.02, seed=3).summary
    assert low.loc["model pCTR", "fill rate"] < low.loc["calibrated", "fill rate"]


def test_market_totals_match_a_direct_recount():
    m = ads.simulate_market(auctions=400, seed=5, noise=0.5)
    adv = m.advertisers
    summary = m.summary.loc["model pCTR"]
    assert 1000 * adv["spend"].sum() / 400 == pytest.approx(summary["revenue per 1k auctions ($)"])
    assert 1000 * adv["clicks"].sum() / 400 == pytest.approx(summary["clicks per 1k auctions"])
    ex = m.example
    assert set(ex.loc[ex["slot"] > 0, "slot"]) == {1, 2, 3}


def test_policy_probabilities():
    scores = np.array([[0.1, 0.3, 0.2], [0.5, 0.1, 0.2]])
    eps = ads.policy(scores, "epsilon-greedy", 0.3)
    np.testing.assert_allclose(eps, [[0.1, 0.8, 0.1], [0.8, 0.1, 0.1]])
    soft = ads.policy(scores, "softmax", 1.0)
    odds = scores / (1 - scores)
    np.testing.assert_allclose(soft, odds / odds.sum(axis=1, keepdims=True))
    with pytest.raises(ValueError):
        ads.policy(scores, "softmax", 0.0)


def test_ips_and_snips_on_a_hand_computed_log():
    target = np.array([[0.0, 1.0], [1.0, 0.0]])
    log = ads.Log(x=np.array([0, 0, 1, 1]), a=np.array([1, 0, 0, 1]), r=np.array([1.0, 1.0, 0.0, 1.0]),
                  p=np.array([0.5, 0.5, 0.25, 0.75]))
    # weights π/μ: [2, 0, 4, 0]; IPS = (1·2 + 0 + 0·4 + 0) / 4 = 0.5; SNIPS = 2 / 6
    assert ads.ips(log, target) == pytest.approx(0.5)
    assert ads.snips(log, target) == pytest.approx(2 / 6)
    assert ads.effective_sample_size(log, target) == pytest.approx(36 / 20)


def test_true_value_by_brute_force():
    world = ads.make_world(contexts=4, actions=3, seed=2)
    target = ads.policy(world.target_scores, "epsilon-greedy", 0.2)
    brute = sum(world.p_context[x] * target[x, a] * world.ctr[x, a] for x in range(4) for a in range(3))
    assert ads.true_value(world, target) == pytest.approx(brute)


@pytest.mark.parametrize("kind,explore", [("epsilon-greedy", 0.2), ("softmax", 0.5)])
def test_ips_snips_dr_unbiased_by_simulation(kind, explore):
    world = ads.make_world(seed=4)
    target = ads.policy(world.target_scores, "greedy")
    truth = ads.true_value(world, target)
    logging = ads.policy(world.logging_scores, kind, explore)
    assert abs(truth - ads.true_value(world, logging)) > 0.005  # the new policy really differs
    rng = np.random.default_rng(11)
    reps = 400
    est = {"IPS": [], "SNIPS": [], "DR": [], "replay": []}
    for _ in range(reps):
        log = ads.log_impressions(world, logging, 2000, rng)
        r_hat = ads.reward_model(log, *world.ctr.shape)
        est["IPS"].append(ads.ips(log, target))
        est["SNIPS"].append(ads.snips(log, target))
        est["DR"].append(ads.doubly_robust(log, target, r_hat))
        est["replay"].append(ads.replay_without_propensities(log, target))
    for name in ("IPS", "SNIPS", "DR"):
        values = np.array(est[name])
        se = values.std(ddof=1) / np.sqrt(reps)
        assert abs(values.mean() - truth) < 4 * se + 1e-3, name
    replay = np.array(est["replay"])
    assert abs(replay.mean() - truth) > 8 * replay.std(ddof=1) / np.sqrt(reps)  # biased


def test_ips_variance_falls_with_exploration():
    world = ads.make_world(seed=0)
    sweep = ads.exploration_sweep(world, "epsilon-greedy", (0.02, 0.5), n=2000, replicates=60, seed=1)
    ips = sweep[sweep.estimator == "IPS"].set_index("exploration")
    assert ips.loc[0.02, "std"] > 2 * ips.loc[0.5, "std"]
    assert ips.loc[0.02, "ESS"] < ips.loc[0.5, "ESS"]


def test_versus_calibrated_and_price_per_value_recount_the_tables():
    m = ads.simulate_market(scale=3.0, share=0.5, noise=0.6, auctions=400, seed=2)
    s = m.summary
    versus = m.versus_calibrated()
    assert versus["revenue change"] == pytest.approx(
        s.loc["model pCTR", "revenue per 1k auctions ($)"] / s.loc["calibrated", "revenue per 1k auctions ($)"] - 1)
    assert versus["fill change"] == pytest.approx(s.loc["model pCTR", "fill rate"] - s.loc["calibrated", "fill rate"])
    clicked = m.advertisers[m.advertisers["clicks"] > 0]
    assert len(m.clicked_advertisers()) == len(clicked) and "advertiser" in m.clicked_advertisers()
    ratio = m.price_per_value()
    for segment in ("scaled segment", "rest"):
        rows = clicked[clicked["segment"] == segment]
        assert ratio[segment] == pytest.approx(rows["spend"].sum() / rows["value"].sum())


def test_shown_estimators_and_counterfactual_by_brute_force():
    assert ads.shown_estimators(True) == [*ads.ESTIMATORS, ads.REPLAY]
    assert ads.shown_estimators(False) == ["DM", ads.REPLAY]
    cf = ads.counterfactual("epsilon-greedy", 0.1, 500, 3, seed=4)
    world = ads.make_world(seed=4)
    assert cf.truth == pytest.approx(ads.true_value(world, ads.policy(world.target_scores, "greedy")))
    assert cf.logging_value == pytest.approx(
        ads.true_value(world, ads.policy(world.logging_scores, "epsilon-greedy", 0.1)))
    assert cf.estimates.equals(ads.replicate_estimates(world, "epsilon-greedy", 0.1, 500, 3, 4))
    assert cf.bias("DM") == pytest.approx(cf.estimates["DM"].mean() - cf.truth)


def test_logging_kind_enum_keeps_the_strings_old_links_carry():
    assert [k.value for k in ads.LOGGING_KINDS] == ["epsilon-greedy", "softmax"]
    assert ads.LoggingKind("softmax") is ads.LoggingKind.SOFTMAX
    assert ads.EXPLORE_GRID["epsilon-greedy"] == ads.EXPLORE_GRID[ads.LoggingKind.EPSILON_GREEDY]
    scores = np.array([[0.2, 0.6], [0.5, 0.1]])
    np.testing.assert_allclose(ads.policy(scores, "softmax", 0.5), ads.policy(scores, ads.LoggingKind.SOFTMAX, 0.5))
