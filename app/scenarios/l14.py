"""Scenarios of lesson 14's page (ETA prediction, app/lessons/14_eta.py): preset values for the
controls that page declares. The page passes them to ``LessonPage``; tests read them here."""

from playground.scenario import Preset

PRESETS: tuple[Preset, ...] = (
    Preset("production", "P90 promise (production)",
           "Promise the P90 quantile: about 10 % of trips arrive late, and the promise is short where "
           "trips are predictable.",
           {"q": 0.9, "basis": "quantile model", "buffer": 0.0, "tail": 1.0, "rain": 0.2}),
    Preset("naive", "Promise the mean (naive)",
           "An MSE model's mean used as the promise time: about two trips in five arrive late.",
           {"q": 0.9, "basis": "mean (MSE model)"}),
    Preset("storm", "Heavy tail and bad weather",
           "Half the trips in rain or snow with big incident delays: the mean model is late more "
           "often and the P90 promise stretches where the risk is.",
           {"tail": 2.5, "rain": 0.5, "q": 0.9}),
)
