"""Lesson 14: ETA prediction: P50 / P90 quantile models with pinball loss vs a mean (MSE) model
used as a promise time."""

import plotly.graph_objects as go
import streamlit as st

from components import eta_error_map, eta_segments
from components.cache import cached
from components.eta_ablation import ablation_section
from components.page import LessonPage
from playground.cases import eta
from playground.deltas import pp
from playground.seeds import derived_seeds
from scenarios.l14 import PRESETS

TEST_TRIPS = 20000

page = LessonPage("l14", presets=PRESETS)
seed = page.seed()
st.sidebar.markdown("**City and data**")
n_train = page.select_slider("n", "Training trips", [2000, 5000, 10000, 20000, 40000], 20000)
tail = page.slider("tail", "Incident delay size (tail heaviness)", 0.0, 3.0, 1.0, step=0.1)
rain = page.slider("rain", "Share of trips in rain (snow = ¼ of it)", 0.0, 0.6, 0.2, step=0.05)
st.sidebar.markdown("**The promise**")
q = page.select_slider("q", "Promise quantile", [0.8, 0.85, 0.9, 0.95, 0.98], 0.9)
basis = page.select("basis", "Promise time shown to the rider", eta.PROMISE_BASES, eta.PromiseBasis.MEAN,
                    help="Production: the quantile model. Naive: the mean, or the mean plus a flat buffer.")
buffer = page.slider("buffer", "Flat buffer added to the mean (minutes)", 0.0, 20.0, 5.0, step=0.5)
heat_metric = page.select("heat", "Heat map shows", eta.HEAT_METRICS)
qname = eta.quantile_name(q)


@cached("Training P50, quantile and mean models …")
def trained(n_train, tail, rain, q, seed):
    train = eta.simulate_trips(n_train, seed=seed, tail=tail, rain=rain)
    return eta.fit_models(train, q, seed=seed)


@cached()
def held_out(n_train, tail, rain, q, seed):
    test = eta.simulate_trips(TEST_TRIPS, seed=derived_seeds(seed, 1)[0], tail=tail, rain=rain)
    return test, trained(n_train, tail, rain, q, seed).predict(test)


formulas: list[str] = []
test, preds = page.guard(held_out, n_train, tail, rain, q, seed) or (None, None)
cmp = None if test is None else page.guard(eta.compare_promises, test, preds, q, buffer, basis)
if cmp is not None:
    card, matched, chosen, late_chosen = cmp.card, cmp.matched, cmp.chosen, cmp.late_chosen
    cols = st.columns(4)
    page.metric(f"{qname} coverage", f"{card.loc[qname, 'coverage']:.1%}",
                delta=f"{pp(card.loc[qname, 'coverage'] - q)} vs target {q:.0%}", delta_color="off",
                container=cols[0], headline=True)
    page.metric("Promise late rate", f"{late_chosen:.1%}", container=cols[1], headline=True,
                help=f"Share of held-out trips slower than the promise ({chosen}).")
    page.metric("Mean-promise late rate", f"{card.loc['mean', 'late rate']:.1%}", container=cols[2],
                help="Late-arrival rate if the promise is the MSE model's prediction.")
    page.metric(f"Pinball q={q:g}, {qname} model", f"{card.loc[qname, f'pinball q={q:g}']:.2f}",
                delta=f"{card.loc[qname, f'pinball q={q:g}'] - card.loc['mean', f'pinball q={q:g}']:+.2f} vs mean model",
                delta_color="inverse", container=cols[3])
    if basis != eta.PromiseBasis.QUANTILE and late_chosen > 1.5 * (1 - q):
        page.verdict(False, f"Promising the {chosen}: {late_chosen:.0%} of riders arrive late, against the "
                 f"{1 - q:.0%} a {qname} promise is designed for. Trip times are right-skewed: the mean is "
                 "above the median but far below the slow trips, and squared error cannot say how slow.")
    elif basis == eta.PromiseBasis.QUANTILE:
        page.verdict(True, f"The {qname} promise is late on {late_chosen:.1%} of held-out trips (target {1 - q:.0%}).")

    hist = go.Figure(go.Histogram(x=test["minutes"], nbinsx=120))  # not px: it copies the template per figure
    hist.update_layout(height=330, title="Held-out trip durations (right-skewed)", xaxis_title="minutes",
                       yaxis_title="count")
    for (label, value), colour, where in zip(cmp.duration_marks(q), ("green", "orange", "red"),
                                             ("top left", "top right", "top right")):
        hist.add_vline(x=value, line_color=colour, line_dash="dash", annotation_position=where,
                       annotation_text=f"{label} {value:.0f}")
    hist.update_xaxes(range=[0, cmp.trip_quantile(0.995)])
    page.chart(hist, hero=True)

    tabs = page.tabs("view", ["Late by segment", "Pinball loss and heat map", "Feature ablation and crossing"],
                     on_stage=False)
    with tabs[0]:
        eta_segments.show(page, cmp, test, q, buffer)
    with tabs[1]:
        eta_error_map.show(page, card, test, preds, heat_metric, q)
    with tabs[2]:
        formulas += ablation_section(page, tabs[2], n_train, tail, rain, q, seed, test, preds)
    formulas += [
        rf"L_q(y, \hat y) = \frac1n\sum_i \max\big(q\,(y_i - \hat y_i),\ (q - 1)(y_i - \hat y_i)\big),\quad "
        rf"L_{{{q:g}}}({qname}) = {card.loc[qname, f'pinball q={q:g}']:.2f},\ "
        rf"L_{{{q:g}}}(\text{{mean}}) = {card.loc['mean', f'pinball q={q:g}']:.2f}",
        rf"\text{{coverage}} = \frac1n \sum_i \mathbf 1[y_i \le \hat y_i^{{({q:g})}}] = "
        rf"{card.loc[qname, 'coverage']:.3f},\quad \text{{late rate}} = 1 - \text{{coverage}}",
        rf"\arg\min_c \mathbb E[(Y - c)^2] = \mathbb E[Y] = {cmp.trip_mean:.1f}\ \text{{min}},\quad "
        rf"\arg\min_c \mathbb E[L_q(Y, c)] = F_Y^{{-1}}(q) = {cmp.trip_quantile(q):.1f}\ \text{{min}}",
        rf"b^\star = \hat F^{{-1}}_{{y - \hat\mu}}({card.loc[qname, 'coverage']:.3f}) = {matched:.1f}\ \text{{min}}",
    ]
page.math(formulas, notes="Squared error is minimised by the mean and pinball loss at $q$ by the "
          "$q$-quantile: the loss you train with decides which number the model returns.")
page.board({"quantile_model": [f"{qname} coverage", f"Pinball q={q:g}, {qname} model"],
            "promise": ["Promise late rate", "Mean-promise late rate"]})
page.finish()
