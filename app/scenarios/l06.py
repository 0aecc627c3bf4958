"""Scenarios of lesson 6's page (Evaluation and A/B testing, app/lessons/06_ab_testing.py): preset values for the
controls that page declares. The page passes them to ``LessonPage``; tests read them here."""

from playground.scenario import Preset

PRESETS: tuple[Preset, ...] = (
    Preset("naive", "Naive: read it daily, stop on day 3",
           "Peeking every day with a fixed 1.96 threshold and shipping the day-3 read: the "
           "false-positive rate is several times alpha and the novelty bump ships as the win.",
           {"seq": False, "stop_day": 3, "cuped": False, "segment": False, "guard": False, "mt": "none"}),
    Preset("peeking_day3", "Peeking at day 3",
           "An A/A test checked every day: one experiment in four or five crosses 1.96 at some look "
           "although nothing changed.",
           {"seq": False, "looks": 21, "peek_lift": 0.0, "stop_day": 3}),
    Preset("novelty_win", "Novelty shipped as a win",
           "A +25 % launch-day bump that halves every 2 days over a small steady effect: the day-3 "
           "read looks like a big win, the existing users' lift fades, new users show the truth.",
           {"novelty": 0.25, "half_life": 2.0, "steady": 0.01, "stop_day": 3, "segment": True,
            "days": 28}),
    Preset("production", "Production: powered, sequential, CUPED",
           "Sample size from the power calculation, an O'Brien–Fleming boundary for the daily "
           "looks, CUPED on a pre-period covariate, an SRM check, guardrails in the ship rule, "
           "Benjamini–Hochberg over the metrics and a full-length read.",
           {"seq": True, "cuped": True, "rho": 0.7, "stop_day": 28, "days": 28, "segment": True,
            "guard": True, "mt": "bh"}),
    Preset("primacy", "Primacy: users resist the change",
           "Existing users click 20 % less on launch day (they look for the old layout) over a +2 % "
           "steady state: the day-3 read kills a change that works; new users show the truth.",
           {"novelty": -0.2, "half_life": 3.0, "steady": 0.02, "stop_day": 3, "segment": True}),
    Preset("srm", "Broken split (SRM)",
           "A 50/50 test that logged 50,600 vs 49,400 users: the chi-square check flags a "
           "sample-ratio mismatch, so no result from it can be trusted.",
           {"srm_counts": "50600, 49400", "srm_share": 0.5}),
)
