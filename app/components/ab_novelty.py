"""Lesson 6's "Novelty effect" tab: a lift that decays, read on the stop day vs the steady state
(layout only; the numbers come from :mod:`playground.experiments.novelty`)."""

from __future__ import annotations

import plotly.graph_objects as go
import streamlit as st

from components.ab_power import Design
from components.cache import cached
from components.page import LessonPage
from playground.deltas import pp
from playground.experiments import novelty as nv

SEGMENT_NAMES = {"all": "all users", "existing": "existing users (saw the old product)",
                 "new": "new users (joined during the test)"}


@cached()
def novelty_run(**kwargs) -> nv.NoveltyResult:
    return nv.simulate_novelty(**kwargs)


def show(page: LessonPage, tab, design: Design, segment: bool, seed: int) -> tuple[nv.NoveltyResult | None, int, list[str]]:
    """Render the tab; return the simulated test (None after bad input), the stop day and the
    tab's formula for "The math"."""
    c1, c2, c3 = st.columns(3)
    days = page.slider("days", "Test length (days)", 7, 56, 28, container=c1)
    stop_day = page.slider("stop_day", "Day the team reads the result and ships", 1, 56, 3, container=c1)
    steady = page.slider("steady", "Steady-state relative lift", -0.05, 0.10, 0.02, step=0.005, container=c2)
    novelty = page.slider("novelty", "Extra launch-day lift (existing users; below 0 = primacy)", -0.3,
                          0.5, 0.15, step=0.01, container=c2)
    half_life = page.slider("half_life", "Novelty half-life (days)", 0.5, 14.0, 3.0, step=0.5, container=c3)
    ret = page.slider("ret", "Daily return rate of a user", 0.05, 1.0, 0.5, step=0.05, container=c3)
    formulas = [r"\text{lift}(t) = \text{steady} + \text{novelty}\cdot 2^{-t/h}"
                rf" = {steady:+.3f} + {novelty:.2f}\cdot 2^{{-t/{half_life:g}}}"]
    if stop_day > days:
        st.warning(f"The test only runs {days} days: reading it on day {days} instead of {stop_day}.")
        stop_day = days
    nov = page.guard(novelty_run, days=days, baseline=design.baseline, steady_lift=steady, novelty=novelty,
                     half_life=half_life, existing_users=int(design.traffic / ret),
                     return_rate=ret, new_per_day=max(int(design.traffic * 0.1), 1),
                     allocation=design.allocation, seed=seed)
    if nov is not None and not nov.readable(stop_day):
        st.warning("Too few conversions by the stop day to estimate a lift: raise the traffic or "
                   "the baseline rate, or read the test later.")
        nov = None
    if nov is None:
        return None, stop_day, formulas
    early, full = nov.stop_read(stop_day), nov.stop_read(days)
    m1, m2, m3 = st.columns(3)
    page.metric(f"Lift read on day {stop_day}", f"{early.lift:+.1%}",
                note=f"95% CI {early.lift_lo:+.1%} … {early.lift_hi:+.1%}", container=m1, headline=tab.open)
    page.metric(f"Lift read on day {days}", f"{full.lift:+.1%}",
                note=f"95% CI {full.lift_lo:+.1%} … {full.lift_hi:+.1%}", container=m2)
    page.metric("Steady-state truth", f"{steady:+.1%}", container=m3, headline=tab.open)
    judged = nv.judge_stop_read(early, steady)
    if judged is nv.StopRead.NOVELTY_WIN:
        page.verdict(False, headline=tab.open, text=f"Stopping on day {stop_day} ships a {early.lift:+.1%} 'win' "
                     f"whose whole CI sits above the {steady:+.1%} the product will deliver once the novelty wears off.")
    elif judged is nv.StopRead.PRIMACY:
        page.verdict(False, headline=tab.open, text=f"Primacy: existing users resist the change, so the day-{stop_day} read "
                     f"({early.lift:+.1%}, CI up to {early.lift_hi:+.1%}) sits below the {steady:+.1%} "
                     "the product delivers once they adapt. Stopping now kills a change that works.")
    elif judged is nv.StopRead.CONSISTENT:
        page.verdict(True, headline=tab.open, text=f"The day-{stop_day} read is consistent with the steady state ({steady:+.1%}).")
    else:
        st.warning(f"The day-{stop_day} read is off the steady state by {pp(early.lift - steady)}.")
    page.chart(_lift_figure(nov, steady, stop_day, segment), hero=tab.open)
    if segment:
        ex = nov.daily[nov.daily.segment == "existing"]
        st.caption(f"Existing users' lift fades from {ex.lift.iloc[0]:+.1%} (day 1) to "
                   f"{ex.lift.iloc[-1]:+.1%} (day {days}); new users, who never saw the old "
                   f"product, show {nov.segment_read('new').lift:+.1%} over the test: the "
                   "steady state, visible from the first week.")
    else:
        st.caption("Turn on 'Split new vs existing users' to see where the early lift comes from.")
    return nov, stop_day, formulas


def _lift_figure(nov: nv.NoveltyResult, steady: float, stop_day: int, segment: bool) -> go.Figure:
    """Daily lift with its CI per segment, the true lift, and the cumulative read."""
    fig = go.Figure()
    for seg in ["existing", "new"] if segment else ["all"]:
        s = nov.daily[nov.daily.segment == seg]
        fig.add_scatter(x=s.day, y=s.lift, name=f"{SEGMENT_NAMES[seg]}: daily lift", mode="lines+markers",
                        error_y=dict(type="data", symmetric=False, array=s.lift_hi - s.lift,
                                     arrayminus=s.lift - s.lift_lo))
        fig.add_scatter(x=s.day, y=s.true_lift, name=f"{SEGMENT_NAMES[seg]}: true", line_dash="dot")
    fig.add_scatter(x=nov.cumulative.day, y=nov.cumulative.lift, name="cumulative read (all users)",
                    line=dict(color="black", width=3))
    fig.add_hline(y=steady, line_dash="dash", line_color="green", annotation_text="steady state")
    fig.add_vline(x=stop_day, line_color="red", annotation_text=f"team stops (day {stop_day})")
    fig.update_layout(title="Daily relative lift with 95% CIs", xaxis_title="day",
                      yaxis_title="relative lift", yaxis_tickformat="+.0%", height=420)
    return fig
