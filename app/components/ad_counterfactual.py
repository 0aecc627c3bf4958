"""Lesson 12's counterfactual-logging tab: IPS, SNIPS, DM, DR and the replay estimate of a new
policy from logged propensities (layout only; the numbers come from :mod:`playground.cases.ads`)."""

from __future__ import annotations

import plotly.express as px
import streamlit as st

from components.background import background
from components.cache import cached
from components.page import LessonPage
from playground.cases import ads

REPLICATES = 100
SWEEP_REPLICATES = 30


@cached("Logging impressions and estimating the new policy …")
def counterfactual(kind, explore, n, seed) -> ads.Counterfactual:
    return ads.counterfactual(kind, explore, n, REPLICATES, seed)


@cached("Sweeping the exploration rate …")
def sweep(kind, n, seed):
    world = ads.make_world(seed=seed)
    return ads.exploration_sweep(world, kind, ads.EXPLORE_GRID[kind], n, SWEEP_REPLICATES, seed)


def show(page: LessonPage, kind: str, explore: float, n_logged: int, logged: bool, seed: int) -> list[str]:
    """Render the tab; return its formulas (with the current numbers) for "The math"."""
    cf = page.guard(counterfactual, kind, explore, n_logged, seed)
    if cf is None:
        return []
    truth, est, shown_est = cf.truth, cf.estimates, ads.shown_estimators(logged)
    first = est.iloc[0]
    cols = st.columns(4)
    page.metric("True CTR of the new policy", f"{truth:.4f}", container=cols[0], headline=True)
    page.metric("CTR of the logging policy", f"{cf.logging_value:.4f}", container=cols[1])
    headline = "SNIPS" if logged else ads.REPLAY
    page.metric(f"{headline} estimate (one log)", f"{first[headline]:.4f}",
                delta=f"{first[headline] - truth:+.4f} vs truth", delta_color="off", container=cols[2], headline=True)
    page.metric("Effective sample size", f"{first['ESS']:.0f} of {n_logged}" if logged else "unknown",
                container=cols[3])
    if not logged:
        st.error("Propensities were not logged: IPS, SNIPS and DR cannot be computed. The replay "
                 f"estimate is off by {cf.bias(ads.REPLAY):+.4f} on average "
                 "(it over-weights the contexts where the old and new models already agree), and more "
                 "data does not shrink that bias.")
    if kind == ads.LoggingKind.EPSILON_GREEDY and explore == 0.0:
        st.warning("ε = 0: the logging policy never shows the ads only the new model would pick, so "
                   "no estimator can see their clicks (no support): IPS is biased.")
    elif first["ESS"] < 50 and logged:
        st.warning(f"Only {first['ESS']:.0f} effective samples: the logs rarely contain the new "
                   "policy's choices, so IPS swings wildly from log to log.")
    for name in shown_est:
        page.record(f"mean {name} over {REPLICATES} logs", f"{est[name].mean():.4f}")
    long = est[shown_est].melt(var_name="estimator", value_name="estimate")
    box = px.box(long, x="estimator", y="estimate", points=False, height=400,
                 title=f"Estimates from {REPLICATES} logs of {n_logged:,} impressions each")
    box.add_hline(y=truth, line_dash="dash", line_color="green", annotation_text="true value")
    box.add_hline(y=cf.logging_value, line_dash="dot", line_color="grey", annotation_text="logging policy")
    page.chart(box)
    # the sweep (30 logs at each of 7 exploration rates, ~2 s here) follows in the background
    sw = background(sweep, kind, n_logged, seed, label="Sweeping the exploration rate")
    if sw is not None:
        sw = sw[sw["estimator"].isin(shown_est)]
        label = "ε" if kind == ads.LoggingKind.EPSILON_GREEDY else "τ"
        line = px.line(sw, x="exploration", y="rmse", color="estimator", markers=True, log_x=True,
                       log_y=True, height=400, title=f"Error (RMSE) vs exploration {label}")
        line.add_vline(x=max(explore, 0.01), line_dash="dot", line_color="grey")
        line.update_layout(xaxis_title=f"exploration {label}", yaxis_title="RMSE of the estimate")
        page.chart(line)
    st.caption("More exploration costs clicks today (the logging policy serves worse ads) but buys "
               "lower-variance estimates of every future policy. The direct method has low variance but "
               "a bias set by its (additive, mis-specified) click model; DR keeps IPS's unbiasedness.")
    return [
        rf"\hat V_{{\mathrm{{IPS}}}} = \frac1n \sum_i r_i \frac{{\pi(a_i|x_i)}}{{\mu(a_i|x_i)}} = {first['IPS']:.4f},"
        rf"\quad \hat V_{{\mathrm{{SNIPS}}}} = \frac{{\sum_i r_i w_i}}{{\sum_i w_i}} = {first['SNIPS']:.4f}",
        rf"\hat V_{{\mathrm{{DM}}}} = \frac1n \sum_i \sum_a \pi(a|x_i)\, \hat r(x_i, a) = {first['DM']:.4f},"
        rf"\quad V(\pi) = {truth:.4f}",
        rf"\mathrm{{ESS}} = \frac{{(\sum w_i)^2}}{{\sum w_i^2}} = {first['ESS']:.0f}",
    ]
