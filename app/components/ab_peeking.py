"""Lesson 6's "Peeking" tab: daily looks with a fixed threshold vs O'Brien–Fleming vs mSPRT
(layout only; the numbers come from :mod:`playground.experiments.sequential`)."""

from __future__ import annotations

import plotly.graph_objects as go
import streamlit as st

from components.ab_power import Design
from components.cache import cached
from components.page import LessonPage
from playground.experiments import sequential as sq


@cached("Simulating experiments…")
def peeking_run(**kwargs) -> sq.PeekingResult:
    return sq.simulate_peeking(**kwargs)


def show(page: LessonPage, tab, design: Design, seq: bool, seed: int) -> list[str]:
    """Render the tab; return its formulas (with the current numbers) for "The math"."""
    alpha = design.alpha
    c1, c2 = st.columns(2)
    looks = page.slider("looks", "Checks during the test (one per day)", 2, 30, 14, container=c1)
    peek_lift = page.slider("peek_lift", "True relative lift (0 = A/A test)", 0.0, 0.2, 0.0, step=0.01,
                            container=c1)
    sims = page.select_slider("sims", "Simulated experiments", [500, 1000, 2000, 4000], 2000, container=c2)
    per_look = sq.users_per_look(design.traffic, design.allocation)
    c2.caption(f"{per_look:,} users per arm join between two checks (daily traffic × the smaller "
               "arm's share, capped at 200,000 users a day).")
    peek = page.guard(peeking_run, sims=sims, looks=looks, users_per_look=per_look, baseline=design.baseline,
                      lift=peek_lift, alpha=alpha, seed=seed)
    formulas = [r"\alpha_{\text{side}}(t) = 2 - 2\,\Phi\!\left(z_{1-\alpha/4}/\sqrt{t}\right),\quad"
                r"\alpha(t) = 2\,\alpha_{\text{side}}(t)\quad"
                r"\text{(Lan–DeMets O'Brien–Fleming, }\alpha/2\text{ per side as gsDesign/rpact)}"]
    if peek is not None:
        formulas.append(rf"c_1 = {peek.bounds[0]:.2f},\ c_{{{looks}}} = {peek.bounds[-1]:.2f}\ \text{{vs}}\ "
                        rf"z_{{1-\alpha/2}} = {peek.z_crit:.2f}")
        _show_rates(page, tab, peek, peek_lift, alpha, seq, looks)
    formulas.append(r"\Lambda_n = \sqrt{\frac{\sigma_n^2}{\sigma_n^2+\tau^2}}\,"
                    r"\exp\!\left(\frac{z_n^2}{2}\,\frac{\tau^2}{\sigma_n^2+\tau^2}\right) \ge \frac{1}{\alpha}"
                    rf" = {1 / alpha:g}\quad\text{{(mSPRT)}}")
    return formulas


def _show_rates(page: LessonPage, tab, peek: sq.PeekingResult, peek_lift: float, alpha: float, seq: bool,
                looks: int) -> None:
    what = "false-positive rate" if peek_lift == 0 else "rejection rate (power)"
    m1, m2, m3, m4 = st.columns(4)
    page.metric(f"Peeking every day: {what}", f"{peek.naive_rate:.1%}", container=m1,
                headline=tab.open, note=f"nominal alpha {alpha:g}")
    page.metric(f"O'Brien–Fleming: {what}", f"{peek.obf_rate:.1%}", container=m2, headline=tab.open)
    page.metric(f"mSPRT: {what}", f"{peek.msprt_rate:.1%}", container=m3)
    page.metric(f"One read at the end: {what}", f"{peek.final_only:.1%}", container=m4)
    st.caption("mSPRT (mixture SPRT, τ = 5 % of the baseline) may be read after every user and "
               "never exceeds alpha, at the price of power; O'Brien–Fleming needs the looks "
               "planned ahead and keeps almost all the fixed-horizon power.")
    rule = "O'Brien–Fleming boundary" if seq else "fixed 1.96-style threshold at every look"
    if peek_lift == 0 and not seq:
        page.verdict(False, headline=tab.open, text=f"Your team uses a {rule}: {peek.naive_rate:.0%} of A/A tests "
                     f"(no effect at all) get shipped as wins, {peek.naive_rate / alpha:.1f}× the {alpha:g} you promised.")
    elif peek_lift == 0:
        page.verdict(True, headline=tab.open, text=f"Your team uses the {rule}: {peek.obf_rate:.1%} false positives "
                     f"over {looks} looks, within simulation noise of alpha = {alpha:g}.")
    page.chart(_rates_figure(peek, peek_lift, alpha, what), hero=tab.open)
    page.chart(_paths_figure(peek))


def _rates_figure(peek: sq.PeekingResult, peek_lift: float, alpha: float, what: str) -> go.Figure:
    k = list(range(1, peek.looks + 1))
    fig = go.Figure()
    fig.add_scatter(x=k, y=peek.naive_by_look, name="peek with fixed threshold", line_color="red")
    fig.add_scatter(x=k, y=peek.obf_by_look, name="O'Brien–Fleming boundary", line_color="green")
    fig.add_scatter(x=k, y=peek.msprt_by_look, name="mSPRT (always valid)", line_color="purple",
                    line_dash="dot")
    if peek_lift == 0:
        fig.add_hline(y=alpha, line_dash="dash", annotation_text=f"alpha = {alpha:g}")
    fig.update_layout(title=f"Share of experiments declared significant by look k ({what})",
                      xaxis_title="look", yaxis_title="share", yaxis_tickformat=".0%", height=340)
    return fig


def _paths_figure(peek: sq.PeekingResult) -> go.Figure:
    k = list(range(1, peek.looks + 1))
    fig = go.Figure()
    for path in peek.z[:30]:
        fig.add_scatter(x=k, y=path, mode="lines", line=dict(width=1, color="rgba(90,90,90,0.35)"),
                        showlegend=False, hoverinfo="skip")
    for sign in (1, -1):
        fig.add_scatter(x=k, y=sign * peek.bounds, name="O'Brien–Fleming" if sign > 0 else None,
                        line_color="green", showlegend=sign > 0)
        fig.add_scatter(x=k, y=[sign * peek.z_crit] * peek.looks, line_color="red", line_dash="dash",
                        name=f"±{peek.z_crit:.2f}" if sign > 0 else None, showlegend=sign > 0)
    fig.update_layout(title="30 simulated z-paths vs the two boundaries", xaxis_title="look",
                      yaxis_title="z", yaxis_range=[-6, 6], height=340)
    return fig
