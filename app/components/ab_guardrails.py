"""Lesson 6's "Guardrails" tab: a launch review of the primary metric and its guardrails
(layout only; the numbers come from :mod:`playground.experiments.guardrails`)."""

from __future__ import annotations

import streamlit as st

from components.cache import cached
from components.page import LessonPage
from playground.experiments import guardrails as gr


@cached()
def launch_run(**kwargs) -> gr.LaunchReview:
    return gr.simulate_launch(**kwargs)


def show(page: LessonPage, tab, guard_on: bool, seed: int) -> None:
    """Render the tab."""
    c1, c2, c3 = st.columns(3)
    ctr_lift = page.slider("ctr_lift", "True lift of the primary metric (clicks per user)", -0.05, 0.10,
                           0.04, step=0.01, container=c1)
    lat_ms = page.slider("lat_ms", "Latency the heavier model adds (ms, on a 200 ms page)", 0, 100, 30,
                         container=c2)
    lat_margin = page.slider("lat_margin", "Latency harm tolerated (% of control)", 0, 20, 5, container=c2)
    unsub = page.slider("unsub", "True change in unsubscribes (relative)", -0.5, 1.0, 0.0, step=0.05,
                        container=c3)
    review = page.guard(launch_run, ctr_lift=ctr_lift, latency_ms=float(lat_ms), unsub_lift=unsub,
                        latency_margin=lat_margin / 100, n_per_arm=50_000, seed=seed)
    if review is None:
        return
    p_read = review.primary
    m1, m2, m3 = st.columns(3)
    page.metric("Primary: clicks per user", f"{p_read.relative:+.1%}", container=m1,
                note=p_read.status, headline=tab.open)
    page.metric("Page latency", f"{review.guardrails[0].relative:+.1%}", container=m2,
                note=review.guardrails[0].status, headline=tab.open)
    ships = review.ships if guard_on else review.ships_primary_only
    page.metric("Decision", "ship" if ships else "do not ship", container=m3, headline=tab.open)
    st.dataframe(review.table().drop(columns="unit").style.format(
        {"control": "{:.4g}", "treatment": "{:.4g}", "relative change": "{:+.1%}", "CI low (rel.)": "{:+.1%}",
         "CI high (rel.)": "{:+.1%}", "harm tolerated": "{:.0%}"}, na_rep="(primary)"), hide_index=True)
    broken = ", ".join(g.name for g in review.broken)
    if not guard_on and review.ships_primary_only and review.broken:
        page.verdict(False, headline=tab.open, text=f"The team ships on the primary metric alone "
                     f"({p_read.relative:+.1%} clicks) and breaks {broken}: a win on the dashboard, a slower "
                     "or emptier product.")
    elif guard_on and review.ships_primary_only and review.broken:
        page.verdict(True, headline=tab.open, text=f"Guardrails block the launch: {broken} broke its margin "
                     f"although clicks won {p_read.relative:+.1%}. Ship a fix (a distilled or cached model) and re-test.")
    elif ships:
        page.verdict(True, headline=tab.open,
                     text="Ships: the primary metric wins" + (" and no guardrail is broken." if guard_on else "."))
    else:
        st.info(f"No ship: the primary metric is {p_read.status}, not a win.")
    if review.unproven:
        st.caption("Unproven (too little power to rule out a harm beyond the margin, so the launch "
                   "review must name them): " + ", ".join(g.name for g in review.unproven) + ".")
