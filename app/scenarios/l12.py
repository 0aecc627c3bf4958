"""Scenarios of lesson 12's page (Ad CTR prediction, app/lessons/12_ad_ctr.py): preset values for the
controls that page declares. The page passes them to ``LessonPage``; tests read them here."""

from playground.scenario import Preset

VIEWS = ("1 · The auction: rank by eCPM = bid × pCTR, price by GSP",
         "2 · Counterfactual logging: is the new model better, before an A/B test?",
         "3 · The pCTR itself: hashed features, a feature cross, logistic regression")
"""The page's tabs (its ``view`` control): a preset opens the one that shows its effect; the pCTR
model trains only while its tab is open."""

PRESETS: tuple[Preset, ...] = (
    Preset("production", "Calibrated pCTR (production)",
           "pCTR calibrated with small noise: allocation efficiency near 100 %, IPS/SNIPS on "
           "target with 10 % exploration.",
           {"scale": 1.0, "share": 1.0, "noise": 0.2, "kind": "epsilon-greedy", "eps": 0.1,
            "logged": True, "cross": True, "view": VIEWS[0]}),
    Preset("uncalibrated_bids", "Uncalibrated bids",
           "The model over-predicts half the advertisers 3×: they win slots they should not, pay "
           "a fraction of the fair price, and platform revenue and efficiency fall.",
           {"scale": 3.0, "share": 0.5, "noise": 0.6, "view": VIEWS[0]}),
    Preset("no_cross", "CTR model without the feature cross",
           "Some ads only work on phones: without the advertiser × device cross the model averages "
           "them out and its held-out normalised entropy rises.",
           {"cross": False, "view": VIEWS[2]}),
    Preset("naive", "No propensities logged (naive)",
           "The team logged clicks but not propensities: the replay estimate of the new policy is "
           "biased and no amount of data fixes it.",
           {"kind": "epsilon-greedy", "eps": 0.1, "logged": False, "view": VIEWS[1]}),
    Preset("tiny_exploration", "Almost no exploration",
           "ε = 1 %: the new policy's actions are almost never logged, so IPS has a tiny effective "
           "sample size and a huge variance.",
           {"kind": "epsilon-greedy", "eps": 0.01, "logged": True, "view": VIEWS[1]}),
)
