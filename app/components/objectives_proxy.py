"""Lesson 1's proxy-vs-business section: the cached simulated feeds (yours, naive CTR ranking and
the production blend, on the same users), their headline numbers, the verdict and the week-by-week
chart (layout only; the numbers come from :mod:`playground.recsys.objective_report`)."""

from __future__ import annotations

import streamlit as st
from plotly.subplots import make_subplots

from components.cache import cached
from components.page import LessonPage
from playground.deltas import pp
from playground.recsys import objective_report as rep
from playground.recsys import objectives as ob

PRODUCTION = (0.2, 0.3, 0.5)
NAIVE = ob.OBJECTIVES[ob.Objective.CTR]
# proxy name -> (weekly column, run-level column of the frontier table, number format)
PROXIES = {"CTR": ("ctr", "ctr", ".1%"), "Watch minutes": ("watch_per_user", "watch", ".1f")}


@cached()
def world(n: int, s: int) -> ob.World:
    """Users and items, fixed by the seed."""
    return ob.make_world(n_users=n, seed=s)


@cached()
def run(weights, behaviour, weeks, k, seed, n):
    """One simulated feed (weekly table and weights)."""
    return ob.simulate(world(n, seed), behaviour, weights, weeks=weeks, k=k, seed=seed)


def show(page: LessonPage, mine: ob.Run, naive: ob.Run, production: ob.Run, objective: ob.Objective,
         proxy: str, weeks: int) -> None:
    """The headline numbers, the verdict and the hero chart of ``mine`` against the other two."""
    week_col, _, fmt = PROXIES[proxy]
    cmp = rep.compare(mine, production, week_col)
    c1, c2, c3, c4 = st.columns(4)
    page.metric("CTR, last week", f"{cmp.ctr_last:.1%}", delta=f"{pp(cmp.ctr_change)} vs week 1",
                container=c1, headline=True)
    page.metric(f"Retention after {weeks} weeks", f"{mine.retention:.0%}",
                delta=f"{pp(cmp.retention_change, 0)} vs production", container=c2, headline=True)
    page.metric("Satisfaction per user-week", f"{mine.satisfaction:.2f}",
                delta=f"{cmp.satisfaction_change:+.2f} vs production", container=c3)
    page.metric("Watch min per user-week", f"{mine.watch:.1f}", container=c4,
                help="Minutes watched per active user per week, averaged over the run.")
    v = cmp.verdict  # one verdict, its colour set by retention alone
    if v.keeps_users:
        page.verdict(True, f"This objective keeps {mine.retention:.0%} of users after {weeks} weeks "
                     f"(naive CTR ranking: {naive.retention:.0%}).")
    else:
        lead = "The proxy climbs" if v.proxy_climbs else "The proxy does not even climb"
        page.verdict(False, f"{lead} ({v.proxy_first:{fmt}} → {v.proxy_last:{fmt}} {proxy} per active user-week) while "
                     f"{cmp.churned:.0%} of the users leave: {'the dashboard celebrates while ' if v.proxy_climbs else ''}"
                     f"the business shrinks. The production blend keeps {production.retention:.0%}.")
    page.chart(weekly_figure(mine, naive, production, objective, proxy), hero=True)


def weekly_figure(mine: ob.Run, naive: ob.Run, production: ob.Run, objective: ob.Objective, proxy: str):
    """Proxy, retention and click-bait share week by week for the three feeds."""
    fig = make_subplots(rows=3, cols=1, shared_xaxes=True, vertical_spacing=0.06,
                        subplot_titles=(f"Proxy: {proxy} (per active user)",
                                        "Business: share of users still active",
                                        "Mean click-bait propensity of what the feed shows"))
    lines = [("Naive: rank by CTR", naive, "#d62728", "solid"),
             ("Production: 0.2 click · 0.3 watch · 0.5 survey", production, "#2ca02c", "solid"),
             (f"Yours: {objective}", mine, "#1f77b4", "dash")]
    for name, result, colour, dash in lines:
        weekly = result.weekly
        for row, col in enumerate((PROXIES[proxy][0], "retention", "bait_share"), start=1):
            fig.add_scatter(x=weekly.week, y=weekly[col], name=name, legendgroup=name,
                            showlegend=row == 1, line=dict(color=colour, dash=dash), row=row, col=1)
    fig.update_yaxes(tickformat=".0%" if proxy == "CTR" else "", row=1, col=1)
    fig.update_yaxes(tickformat=".0%", range=[0, 1.02], row=2, col=1)
    fig.update_xaxes(title_text="week", row=3, col=1)
    fig.update_layout(height=640, title="Same users, three objectives, week by week")
    return fig
