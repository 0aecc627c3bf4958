"""Scenarios of lesson 1's page (Define the problem, app/lessons/01_define_problem.py): preset values for the
controls that page declares. The page passes them to ``LessonPage``; tests read them here."""

from playground.scenario import Preset

PRESETS: tuple[Preset, ...] = (
    Preset("naive", "Naive: rank by CTR",
           "The feed learns that click-bait gets clicks: CTR climbs week after week while users leave.",
           {"objective": "CTR (clicks)", "bait_pull": 3.0, "bait_regret": 3.0}),
    Preset("production", "Production: weighted with satisfaction",
           "Clicks and watch time are kept, but the survey-based satisfaction term holds retention up.",
           {"objective": "Weighted multi-objective", "w_click": 0.2, "w_watch": 0.3, "w_survey": 0.5,
            "bait_pull": 3.0, "bait_regret": 3.0}),
    Preset("watch_time", "Watch time, the YouTube 2012 fix",
           "Ranking by minutes watched instead of clicks: bait loses, but long mediocre videos win.",
           {"objective": "Watch time", "proxy": "Watch minutes", "bait_pull": 3.0, "bait_regret": 3.0}),
    Preset("harmless_bait", "Harmless click-bait: the gap shrinks",
           "Click-bait that does not disappoint (regret 0): CTR ranking loses fewer users than with "
           "regretted bait, but still trails the production blend, because bait favours "
           "low-quality items: the proxy still misleads.",
           {"objective": "CTR (clicks)", "bait_pull": 3.0, "bait_regret": 0.0}),
)
