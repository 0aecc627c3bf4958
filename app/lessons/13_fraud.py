"""Lesson 13: real-time fraud detection: PR vs ROC under imbalance, a threshold from asymmetric
costs, streaming velocity features, drift after ship, selective labels and the scoring latency budget.
Each tab's layout lives in its own ``components.fraud_*`` module."""

import streamlit as st

from components import fraud_builds, fraud_drift, fraud_labels, fraud_latency, fraud_prevalence
from components import fraud_threshold, fraud_velocity
from components.page import LessonPage
from playground.cases import fraud
from playground.cases import fraud_threshold as ft
from scenarios.l13 import PRESETS, VIEWS

RATES = [0.001, 0.002, 0.005, 0.01, 0.02, 0.05]

page = LessonPage("l13", presets=PRESETS)
seed = page.seed()
st.sidebar.markdown("**Data and model**")
rate = page.select_slider("rate", "Fraud rate", RATES, 0.005, format_func=lambda r: f"{r:.1%}")
handling = page.select("handling", "Class imbalance handling", fraud.HANDLING,
                       help="All three are trained; this picks the one the threshold section uses.")
st.sidebar.markdown("**Costs and threshold**")
friction = page.slider("friction", "Cost of a false decline ($)", 1.0, 50.0, 10.0, step=1.0)
with page.advanced_controls():
    fee = page.slider("fee", "Chargeback fee on top of the amount ($)", 0.0, 50.0, 15.0, step=1.0)
use_t = page.select("use_t", "Decision threshold", ft.THRESHOLD_RULES, "0.5")
manual = page.slider("thr", "Manual threshold", 0.0, 1.0, 0.5, step=0.01) if use_t == "manual" else None
st.sidebar.markdown("**After ship**")
drift = page.slider("drift", "Share of fraudsters who adapt", 0.0, 1.0, 0.8, step=0.1)
delay = page.slider("delay", "Label delay (days until a chargeback arrives)", 0, 28, 7)

formulas: list[str] = []
tabs = page.tabs("view", VIEWS, default=VIEWS[1])
with tabs[0]:
    held = page.guard(fraud_builds.held_out, rate, drift, seed, handling, friction, fee, use_t, manual)
    if held is not None:
        formulas += fraud_prevalence.show(page, held)
with tabs[1]:
    if held is not None:
        formulas += fraud_threshold.show(page, held, friction, fee)
with tabs[2]:
    formulas += fraud_velocity.show(page, rate, drift, seed, None if held is None else held.test)
with tabs[3]:
    formulas += fraud_drift.show(page, tabs[3], rate, drift, delay, friction, fee, seed)
with tabs[4]:
    formulas += fraud_labels.labels_section(page, tabs[4], fraud_builds.stream(rate, drift, seed), friction, fee, seed)
with tabs[5]:
    formulas += fraud_latency.latency_section(page, tabs[5], fraud_builds.stream(rate, drift, seed), seed)

page.math(formulas, notes="$s$ is the model's score, $t$ the decline threshold; costs in dollars on the "
          "held-out week before ship.")
page.board({"fraud_scorer": ["PR-AUC (average precision)", "Cost per 1k transactions"],
            "stream_features": ["PR-AUC, streaming features", "PR-AUC, batch features online"],
            "review_queue": f"label delay {delay} days"})
page.finish()
