"""Scenarios of lesson 4's page (Ranking with calibration, app/lessons/04_ranking_calibration.py): preset values for the
controls that page declares. The page passes them to ``LessonPage``; tests read them here."""

from playground.scenario import Preset

VIEWS = ("Threshold and bid", "Reliability diagram", "Downsampling correction")
"""The page's tabs (control ``view``): a preset opens the one that shows its effect."""
PRESETS: tuple[Preset, ...] = (
    Preset("naive", "Naive: downsampled, uncorrected",
           "Negatives kept at 10 % and scores read as CTR: predicted CTR is several times the "
           "truth and the threshold shows far too many items.",
           {"model": "logistic", "w": 0.1, "k": 1.0, "b": 0.0, "method": "none", "blend_cal": False}),
    Preset("production", "Production: corrected + isotonic",
           "The same downsampled model, corrected by q = p/(p+(1−p)/w) and re-calibrated on a "
           "held-out split: ECE near the true-probability floor.",
           {"model": "logistic", "w": 0.1, "k": 1.0, "b": 0.0, "method": "isotonic", "blend_cal": True}),
    Preset("overconfident", "Over-confident GBDT",
           "Scores sharpened 2.5×: the reliability curve turns into an S; temperature scaling "
           "pulls it back with one number.",
           {"model": "gbdt", "w": 1.0, "k": 2.5, "b": 0.0, "method": "temperature", "view": VIEWS[1]}),
    Preset("shifted", "Shifted scores: temperature cannot fix it",
           "Log-odds shifted by +1.5: temperature scaling has no intercept and stays off, Platt "
           "and isotonic recover.",
           {"model": "logistic", "w": 1.0, "k": 1.0, "b": 1.5, "method": "temperature", "view": VIEWS[1]}),
)
