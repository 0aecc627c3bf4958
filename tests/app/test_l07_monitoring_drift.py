"""Lesson 7 page: what a learner should see at the defaults, in the presets and at the extremes."""

import pytest

from .apptest import charts, metric, open_page, texts, top_verdict


QUIET = ("Every distribution detector on feature x1 stayed quiet: a concept drift need not move the inputs. "
         "Only the error detector, which waits for labels, saw it")
"""How the verdict opens at the default concept drift, whatever the team's policy."""


def _acc(at, label):
    return float(metric(at, label))


def test_default_concept_drift_is_invisible_to_feature_detectors_but_not_to_the_error():
    at = open_page("l07")
    assert not at.exception
    for name in ("PSI", "KS", "Wasserstein"):
        assert metric(at, f"{name}: delay") == "missed"
    delay = metric(at, "Page–Hinkley (error): delay")
    assert delay.endswith(" d") and 3 <= int(delay[:-2]) <= 10  # label delay 3 + a few days
    # the team never retrains: red at the top, and the model rots
    assert top_verdict(at) == ("error", f"{QUIET}: your team never retrains, so the model rots.")
    assert metric(at, "Retrains") == "0" and _acc(at, "Accuracy from day 60") < 0.55
    assert charts(at) == 4
    # KS p-value convention stated; alarm pricing: the default 0.20 PSI threshold misses all 60 days
    assert "scipy's default (ks_2samp, method 'auto'): here exact" in texts(at)
    assert metric(at, "Your PSI threshold 0.20: cost") == "12,000"   # 60 missed days × 200
    assert "misses" in " ".join(w.value for w in at.warning)
    # direct deploy ships the model retrained on the incident days
    assert "learned from inverted labels" in " ".join(e.value for e in at.error)
    assert _acc(at, "Worst day's accuracy in production") < 0.3


def test_drift_triggered_retraining_on_the_error_flips_the_verdict():
    at = open_page("l07", {"policy_focus": "drift-triggered"})
    assert top_verdict(at) == ("success", f"{QUIET}, and your drift-triggered policy retrains on its alarm.")
    # it recovers most of the quality with fewer retrains than the schedule
    assert _acc(at, "Accuracy from day 60") > 0.65
    assert 1 <= int(metric(at, "Retrains")) < 7
    on_psi = open_page("l07", {"policy_focus": "drift-triggered", "trigger": "score drift (PSI)"})
    assert top_verdict(on_psi) == ("error", f"{QUIET}: your drift trigger listens to the score's PSI, not to the "
                                            "error.")
    assert metric(on_psi, "Retrains") == "0"
    fixed = open_page("l07", {"policy_focus": "fixed schedule"})
    assert top_verdict(fixed) == ("error", f"{QUIET}: your fixed schedule retrains by the calendar, blind to it.")


def test_shadow_gate_rolls_back_the_poisoned_retrain():
    at = open_page("l07", {"gate": "true"})
    assert not at.exception
    assert int(metric(at, "Candidates rolled back")) >= 1
    assert "rolled back" in " ".join(e.value for e in at.success)
    assert _acc(at, "Accuracy from day 20") > 0.7
    assert "learned from inverted labels" not in " ".join(e.value for e in at.error)


def test_covariate_preset_fires_the_feature_detectors_immediately():
    at = open_page("l07", {"preset": "covariate_harmless"})
    assert not at.exception
    for name in ("PSI", "KS", "Wasserstein"):  # a 7-day window dilutes the first drifted days
        assert int(metric(at, f"{name}: delay")[:-2]) <= 3
    assert "distribution detectors fire" in texts(at)
    assert any(r"p \le 10^{-16}" in formula.value for formula in at.latex)  # the drifted window's KS p


def test_naive_preset_never_retrains_and_rots():
    at = open_page("l07", {"preset": "naive"})
    assert not at.exception
    assert metric(at, "Retrains") == "0"
    assert "Your team's policy: never" in texts(at)
    assert _acc(at, "Accuracy from day 60") < 0.55
    assert _acc(at, "Accuracy from day 60") < _acc(at, "Best possible accuracy") - 0.25


def test_no_drift_and_hair_trigger_thresholds_show_false_alarms():
    at = open_page("l07", {"kind": "none", "psi_thr": "0.02", "ks_alpha": "0.05", "w_thr": "0.01"})
    assert not at.exception
    assert any("every alarm here is a false alarm" in w.value for w in at.warning)
    assert "missed" not in metric(at, "PSI: delay")


@pytest.mark.slow  # widget extremes, ~3.5 s
def test_heavy_extremes_render():
    at = open_page("l07", {"batch": "800", "window": "30", "every": "3", "train_window": "30",
                           "pattern": "recurring", "kind": "prior", "magnitude": "1",
                           "policy_focus": "drift-triggered", "trigger": "score drift (PSI)", "label_delay": "14"})
    assert not at.exception
    assert int(metric(at, "Retrains")) >= 1


def test_own_data_upload_runs_the_detectors_and_refuses_bad_files():
    import numpy as np

    from playground.monitoring import drift as dr

    at = open_page("l07")
    rng = np.random.default_rng(0)
    ref, cur = rng.normal(0, 1, 300), rng.normal(1.0, 1, 300)
    csv = "reference,current\n" + "\n".join(f"{a:.5f},{b:.5f}" for a, b in zip(ref, cur))
    at.file_uploader(key="drift_csv").set_value(("mine.csv", csv.encode(), "text/csv"))
    at.run()
    assert not at.exception
    parsed = [float(f"{v:.5f}") for v in ref], [float(f"{v:.5f}") for v in cur]
    assert metric(at, "Your data: PSI") == f"{dr.psi(*parsed):.3f}"
    assert float(metric(at, "Your data: KS D")) > 0.3
    for bad, reason in [(b"", "empty"), (b"\x00\x01binary", "binary"), (b"a,b\n1,2\n", "Missing column")]:
        at.file_uploader(key="drift_csv").set_value(("bad.csv", bad, "text/csv"))
        at.run()
        assert not at.exception
        assert any(reason in e.value for e in at.error), [e.value for e in at.error]
