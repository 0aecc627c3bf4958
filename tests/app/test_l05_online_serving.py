"""Lesson 5 page: what a learner should see at the defaults and when moving the main widgets."""

from __future__ import annotations

from playground.recsys import queueing as qu

from .apptest import charts, metric, open_page, texts


def _ms(value: str) -> float:
    return float(value.split()[0])


def test_defaults_show_the_naive_path_blowing_the_budget_and_production_holding():
    at = open_page("l05")
    assert not at.exception
    naive, prod = _ms(metric(at, "p99 (naive)")), _ms(metric(at, "p99 (production)"))
    assert naive > 200 > prod
    assert _ms(metric(at, "Sum of component medians")) == 20 + 8 + 35 + 5 < 0.4 * naive  # adding medians hides the tail
    assert 0 < float(metric(at, "Extra load from hedging").rstrip("%")) < 15
    assert "misses the budget" in texts(at)
    assert charts(at) >= 5
    # queueing at defaults: 800 req/s × 20 ms over 20 replicas, matched by the closed form
    assert metric(at, "Utilisation") == "80%"
    assert _ms(metric(at, "Service p99")) == round(qu.response_quantile(0.99, 800, 50, 20) * 1e3)
    assert int(metric(at, "Replicas for the budget")) == qu.replicas_needed(800, 50, 0.1)


def test_fanout_slider_shows_the_tail_at_scale():
    at = open_page("l05", {"cache": "0", "hedge": "0", "timeout": "0"})
    p99 = {}
    for n in (1, 100):
        at.slider(key="n").set_value(n).run()
        assert not at.exception
        p99[n] = _ms(metric(at, "p99 (naive)"))
    assert p99[100] > 1.8 * p99[1]
    # with every mitigation off the page calls its design "no mitigation": the naive numbers again
    assert metric(at, "p99 (naive)") == metric(at, "p99 (no mitigation)")


def test_mitigations_each_cut_the_tail():
    base = open_page("l05", {"cache": "0", "hedge": "0", "timeout": "0"})
    none = _ms(metric(base, "p99 (no mitigation)"))
    for params in ({"hedge": "1", "hedge_ms": "20"}, {"timeout": "1", "timeout_ms": "40"}, {"cache": "0.9"}):
        at = open_page("l05", {"cache": "0", "hedge": "0", "timeout": "0", **params})
        assert not at.exception
        assert _ms(metric(at, "p99 (production)")) < 0.8 * none, params
    tight = open_page("l05", {"timeout_ms": "5", "cache": "0"})
    assert "fallback features" in texts(tight)  # a tight timeout degrades most requests


def test_overloaded_queue_and_impossible_budget_get_messages():
    at = open_page("l05", {"qps": "5000", "replicas": "10"})
    assert not at.exception
    assert any("grows without bound" in e.value for e in at.error)
    assert int(metric(at, "Replicas for the budget")) > 100
    at = open_page("l05", {"svc_ms": "200", "q_budget": "100"})
    assert metric(at, "Replicas for the budget") == "impossible"
    assert "No replica count meets" in texts(at)


def test_bad_stage_latencies_give_an_error_not_a_traceback():
    at = open_page("l05", {"med_rank": "150", "p99_rank": "20"})
    assert not at.exception
    assert any("cannot be below its median" in e.value for e in at.error)


def test_batching_raises_throughput_and_needs_fewer_replicas():
    at = open_page("l05", {"batch": "4", "overhead": "0.8", "q_budget": "250"})
    assert not at.exception
    table = at.dataframe[0].value
    rows = table.set_index("batch B")
    assert rows.loc[4, "throughput / replica (req/s)"] > 2 * rows.loc[1, "throughput / replica (req/s)"]
    assert int(rows.loc[4, "replicas for budget"]) < int(rows.loc[1, "replicas for budget"])
    assert int(metric(at, "Replicas for the budget")) == int(rows.loc[4, "replicas for budget"])
    assert "approximation" in texts(at)


def test_hot_queue_preset_breaks_the_queue_budget():
    at = open_page("l05", {"preset": "hot_queue"})
    assert not at.exception
    assert metric(at, "Utilisation") == "95%"
    assert _ms(metric(at, "Service p99")) > 2 * 100
    assert int(metric(at, "Replicas for the budget")) == 12


def test_same_seed_same_numbers_other_seed_other_draws():
    a, b = open_page("l05", {"seed": "7"}), open_page("l05", {"seed": "7"})
    assert metric(a, "p99 (naive)") == metric(b, "p99 (naive)")
    assert metric(a, "Extra load from hedging") == metric(b, "Extra load from hedging")
    c = open_page("l05", {"seed": "8"})
    assert (metric(a, "Degraded by timeout"), metric(a, "Extra load from hedging")) != \
        (metric(c, "Degraded by timeout"), metric(c, "Extra load from hedging"))
