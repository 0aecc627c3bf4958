"""Scenarios of lesson 2's page (Data pipeline, app/lessons/02_data_pipeline.py): preset values for the
controls that page declares. The page passes them to ``LessonPage``; tests read them here."""

from playground.scenario import Preset

PRESETS: tuple[Preset, ...] = (
    Preset("naive", "Naive pipeline",
           "Every shortcut at once: offline AUC looks superb, online AUC is the worst on the page.",
           {"leak": True, "join": True, "skew": True, "position": True, "negatives": True}),
    Preset("production", "Production pipeline",
           "As-of joins, one feature definition, position-aware training, impressed negatives, no "
           "post-label features: offline and online agree.",
           {"leak": False, "join": False, "skew": False, "position": False, "negatives": False}),
    Preset("leak", "Label leakage only",
           "A feature logged after the click makes offline AUC near-perfect; online it is gone.",
           {"leak": True, "join": False, "skew": False, "position": False, "negatives": False}),
    Preset("future_join", "Non point-in-time join only",
           "User CTR joined from the latest snapshot already contains each row's own click.",
           {"leak": False, "join": True, "skew": False, "position": False, "negatives": False}),
)
