"""Lesson 6 page: what a learner should see at the defaults, in the presets and on bad input."""

import pytest

from playground.experiments import power as pw

from .apptest import charts, metric, open_page, texts, top_verdict


def _pct(value: str) -> float:
    return float(value.replace("%", "").replace("+", "")) / 100


def test_defaults_show_plan_novelty_peeking_cuped_srm_and_offline():
    at = open_page("l06")
    assert not at.exception
    # power tab: the page's number is the core's, CUPED (rho 0.5) on by default
    plain = pw.sample_size_per_arm(0.10, 0.05, relative=True)
    assert metric(at, "Per arm without CUPED") == f"{plain:,}"
    assert metric(at, "Users per arm (control)") == f"{int(-(-plain * 0.75 // 1)):,}"
    # novelty: day-3 read far above the steady state, the full-length read close to it
    assert _pct(metric(at, "Lift read on day 3")) > 0.08
    assert abs(_pct(metric(at, "Lift read on day 28")) - 0.02) < 0.015
    assert "ships a" in " ".join(e.value for e in at.error)
    # peeking: daily looks inflate the FPR, O'Brien-Fleming holds alpha; the page opens on the team
    # that peeks at a fixed threshold, and its sequential toggle flips the verdict
    naive_rate = metric(at, "Peeking every day: false-positive rate")
    assert _pct(naive_rate) > 0.15
    kind, verdict = top_verdict(at)
    assert kind == "error" and verdict.startswith(f"Your team uses a fixed 1.96-style threshold at every look: "
                                                  f"{_pct(naive_rate):.0%} of A/A tests")
    assert abs(_pct(metric(at, "O'Brien–Fleming: false-positive rate")) - 0.05) < 0.02
    assert _pct(metric(at, "mSPRT: false-positive rate")) < 0.06
    assert abs(float(metric(at, "Variance ratio (CUPED / naive), measured")) - 0.75) < 0.1
    assert "No sample-ratio mismatch" in texts(at)
    assert metric(at, "Offline winner (NDCG@k on logs)") != metric(at, "Winner on true preferences")
    assert charts(at) >= 6
    # guardrails off by default: clicks win, latency breaks, the team ships anyway
    assert metric(at, "Decision") == "ship"
    assert "breaks page latency" in " ".join(e.value for e in at.error)
    # many metrics, no correction: about one false win per experiment (20 nulls at 0.05 minus 2 real)
    assert abs(float(metric(at, "False wins per experiment")) - 18 * 0.05) < 0.1
    assert "ship noise" in " ".join(e.value for e in at.error)
    sequential = open_page("l06", {"seq": "true"})
    obf_rate = metric(sequential, "O'Brien–Fleming: false-positive rate")
    assert top_verdict(sequential) == ("success", f"Your team uses the O'Brien–Fleming boundary: {obf_rate} false "
                                                  "positives over 14 looks, within simulation noise of alpha = 0.05.")


def test_guardrails_and_bh_flip_the_decisions():
    at = open_page("l06", {"guard": "true", "mt": "bh"})
    assert not at.exception
    assert metric(at, "Decision") == "do not ship"
    assert "Guardrails block the launch" in texts(at)
    assert float(metric(at, "False wins per experiment")) < 0.2
    at = open_page("l06", {"guard": "true", "lat_ms": "0"})
    assert metric(at, "Decision") == "ship"


def test_primacy_preset_kills_a_change_that_works():
    at = open_page("l06", {"preset": "primacy"})
    assert not at.exception
    assert _pct(metric(at, "Lift read on day 3")) < 0
    assert "Primacy" in " ".join(e.value for e in at.error)


def test_srm_typed_counts_flag_a_mismatch_and_garbage_is_an_error():
    at = open_page("l06", {"srm_counts": "50600, 49400"})
    assert not at.exception
    assert "Sample-ratio mismatch" in texts(at)
    assert float(metric(at, "SRM chi-square")) == 14.4
    at = open_page("l06", {"srm_counts": "lots, of users"})
    assert not at.exception
    assert any("not a whole number" in e.value for e in at.error)


def test_naive_preset_peeks_and_ships_the_novelty():
    at = open_page("l06", {"preset": "naive"})
    assert not at.exception
    assert "A/A tests (no effect at all)" in " ".join(e.value for e in at.error)
    assert "Turn on 'Split new vs existing users'" in texts(at)


def test_impossible_mde_is_a_message_not_a_traceback():
    at = open_page("l06", {"baseline": "0.5", "mde_kind": "absolute", "mde": "50"})
    assert not at.exception
    assert any("outside 0" in e.value for e in at.error)
    at = open_page("l06", {"stop_day": "40", "days": "7"})
    assert not at.exception
    assert any("reading it on day 7" in w.value for w in at.warning)


@pytest.mark.slow  # widget extremes, ~3 s
def test_extremes_of_the_heavy_controls():
    at = open_page("l06", {"looks": "30", "sims": "4000", "n_arm": "10000", "traffic": "10000000",
                           "days": "56", "rho": "0.95", "k": "50", "shown": "50", "n_metrics": "100",
                           "n_true": "100"})
    assert not at.exception
    assert float(metric(at, "1 − ρ² (theory)")) == round(1 - 0.95**2, 2)
