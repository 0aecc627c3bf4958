"""Scenarios of lesson 7's page (Monitoring and retraining, app/lessons/07_monitoring_drift.py): preset values for the
controls that page declares. The page passes them to ``LessonPage``; tests read them here."""

from playground.scenario import Preset

PRESETS: tuple[Preset, ...] = (
    Preset("naive", "Naive: watch one feature, never retrain",
           "Concept drift: P(x) does not move, so PSI/KS/Wasserstein on the features stay quiet "
           "while accuracy collapses, and the never-retrained model rots.",
           {"kind": "concept", "pattern": "sudden", "magnitude": 0.6, "signal": "feature x1",
            "policy_focus": "never", "gate": False}),
    Preset("production", "Production: error detector + drift-triggered retraining",
           "Page–Hinkley on the delayed error catches the change; drift-triggered retraining "
           "recovers quality with a handful of retrains instead of one a week; every retrained "
           "model is shadow-scored before it replaces the serving one.",
           {"kind": "concept", "pattern": "sudden", "magnitude": 0.6, "signal": "model score",
            "policy_focus": "drift-triggered", "trigger": "error (Page-Hinkley)", "label_delay": 3, "gate": True}),
    Preset("gradual_concept", "Gradual concept drift",
           "The labelling rule rotates slowly over 40 days: daily detectors see small changes, "
           "the error creeps up, and a fixed schedule keeps chasing it.",
           {"kind": "concept", "pattern": "gradual", "magnitude": 0.8, "width": 40,
            "signal": "model score", "policy_focus": "drift-triggered"}),
    Preset("covariate_harmless", "Covariate shift: alarms everywhere",
           "x1 moves by 1.5 sd: every feature detector fires on day one, which is right about the "
           "data, while the error tells you how much the model actually suffers.",
           {"kind": "covariate", "pattern": "sudden", "magnitude": 0.6, "signal": "feature x1"}),
    Preset("recurring", "Recurring (seasonal) prior shift",
           "Positives come and go every 15 days: alarms fire on every season change.",
           {"kind": "prior", "pattern": "recurring", "magnitude": 0.8, "period": 15,
            "signal": "model score"}),
)
