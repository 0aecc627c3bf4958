"""Scenarios of lesson 13's page (Real-time fraud detection, app/lessons/13_fraud.py): preset values for the
controls that page declares. The page passes them to ``LessonPage``; tests read them here."""

from playground.scenario import Preset

VIEWS = ("1 · Class imbalance: ROC flatters, PR tells the truth",
         "2 · The threshold comes from the cost of each mistake",
         "3 · Velocity features: streaming, never the future",
         "4 · After ship: fraudsters adapt, the model decays",
         "5 · Selective labels: declines never get a label",
         "6 · The real-time budget")
"""The page's tabs (its ``view`` control); sections 4-6 compute only while their tab is open."""

PRESETS: tuple[Preset, ...] = (
    Preset("production", "Cost threshold + weekly retraining (production)",
           "PR curve, threshold at the minimum expected cost, and a model retrained every week on "
           "labels that arrive a week late; velocity features streamed, so scoring fits its latency budget.",
           {"rate": 0.005, "handling": "none", "use_t": "minimum expected cost", "delay": 7, "drift": 0.8,
            "lat_velocity": "stream"}),
    Preset("naive", "0.5 threshold, frozen model (naive)",
           "Decline at score ≥ 0.5 with class weights: precision collapses, nobody retrains, and velocity "
           "features are queried from the database at authorisation time.",
           {"rate": 0.005, "handling": "class weights", "use_t": "0.5", "delay": 28, "lat_velocity": "db"}),
    Preset("needle", "Needle in a haystack (0.1 %)",
           "One fraud per thousand: ROC-AUC still looks superb while precision at any useful recall is low.",
           {"rate": 0.001, "handling": "none", "use_t": "minimum expected cost"}),
)
