"""Lesson 12: ad CTR prediction: GSP auction with a mis-calibrated pCTR, and counterfactual
evaluation of a new policy from logged propensities. Each tab's layout lives in its own
``components.ad_*`` module."""

import streamlit as st

from components import ad_auction, ad_counterfactual, ad_ctr_model
from components.page import LessonPage
from playground.cases import ads
from scenarios.l12 import PRESETS, VIEWS

LOG_SIZES = [1000, 2000, 5000, 10000, 20000]

page = LessonPage("l12", presets=PRESETS)
seed = page.seed()
st.sidebar.markdown("**Auction**")
n_bidders = page.slider("bidders", "Advertisers per auction", 2, 50, 10)
slots = page.slider("slots", "Ad slots", 1, 5, 3)
scale = page.slider("scale", "pCTR scale on the mis-calibrated segment", 0.25, 4.0, 3.0, step=0.05,
                           help="pCTR = true CTR × scale for these advertisers (1 = calibrated).")
share = page.slider("share", "Share of advertisers mis-calibrated", 0.0, 1.0, 0.5, step=0.05)
with page.advanced_controls():
    noise = page.slider("noise", "pCTR noise (σ of log error)", 0.0, 1.5, 0.6, step=0.05)
    reserve = page.slider("reserve", "Reserve eCPM ($ per impression)", 0.0, 0.05, 0.01, step=0.005,
                          format="%.3f")
    st.sidebar.markdown("**Counterfactual logging**")
kind = page.select("kind", "Logging policy", ads.LOGGING_KINDS)
if kind == ads.LoggingKind.EPSILON_GREEDY:
    explore = page.slider("eps", "Exploration rate ε", 0.0, 1.0, 0.1, step=0.01)
else:
    explore = page.slider("tau", "Softmax temperature τ", 0.1, 5.0, 0.5, step=0.1)
with page.advanced_controls():
    n_logged = page.select_slider("n", "Logged impressions per log", LOG_SIZES, 5000)
    st.sidebar.markdown("**CTR model**")
    cross = page.toggle("cross", "Feature cross advertiser × device", True,
                        help="Off: the model cannot learn that some ads only work on phones.")
    bits = page.select_slider("bits", "Hash space (bits)", [8, 12, 16, 20], 16,
                              help="FeatureHasher columns = 2^bits; few bits = many collisions.")
    delay = page.slider("delay", "Mean conversion delay (days)", 0.5, 5.0, 2.0, step=0.5)
logged = page.toggle("logged", "Propensities μ(a|x) were logged (production)", True,
                     help="Off: the naive design, which logged clicks but not the probability of "
                          "the ad it showed.")

_tabs = page.tabs("view", VIEWS)
with _tabs[0]:
    formulas = ad_auction.show(page, n_bidders, slots, scale, share, noise, reserve, seed)
with _tabs[1]:
    formulas += ad_counterfactual.show(page, kind, explore, n_logged, logged, seed)
with _tabs[2]:
    formulas += ad_ctr_model.show(page, _tabs[2], cross, bits, delay, seed)

page.math(formulas, notes="$b$ bid per click, $r$ reserve eCPM, $\\mu$ the logging policy's "
         "probability of the ad it showed, $\\pi$ the new policy, $w = \\pi/\\mu$. Numbers are "
         "from the first simulated log.")
page.board({"auction": ["Revenue per 1k auctions", "Allocation efficiency"],
            "off_policy_eval": ["True CTR of the new policy", "Effective sample size"],
            "propensity_log": "propensities logged" if logged else "propensities NOT logged"})
page.finish()
