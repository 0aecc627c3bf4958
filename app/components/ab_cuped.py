"""Lesson 6's "CUPED" tab: replicated experiments analysed with and without a pre-period
covariate (layout only; the numbers come from :mod:`playground.experiments.cuped`)."""

from __future__ import annotations

import plotly.graph_objects as go
import streamlit as st

from components.cache import cached
from components.page import LessonPage
from playground.experiments import cuped as cp


@cached()
def cuped_run(**kwargs) -> cp.CupedResult:
    return cp.simulate_cuped(**kwargs)


def show(page: LessonPage, tab, rho: float, cuped_on: bool, seed: int) -> list[str]:
    """Render the tab; return its formula (with the current ρ) for "The math"."""
    c1, c2 = st.columns(2)
    n_arm = page.slider("n_arm", "Users per arm", 100, 10_000, 2000, step=100, container=c1)
    effect = page.slider("effect", "True effect (in standard deviations)", 0.0, 0.3, 0.05, step=0.01,
                         container=c2)
    cup = page.guard(cuped_run, n_per_arm=n_arm, rho=rho, effect=effect, reps=cp.replications(n_arm), seed=seed)
    if cup is not None:
        m1, m2, m3 = st.columns(3)
        page.metric("Variance ratio (CUPED / naive), measured", f"{cup.var_ratio:.2f}", container=m1,
                    headline=tab.open)
        page.metric("1 − ρ² (theory)", f"{cup.theory_ratio:.2f}", container=m2)
        half_naive, half_cuped = cup.half_widths(0.05)
        page.metric("95% CI half-width naive → CUPED", f"{half_naive:.3f} → {half_cuped:.3f}", container=m3)
        fig = go.Figure()
        fig.add_histogram(x=cup.naive, name="difference in means", opacity=0.6, nbinsx=40)
        fig.add_histogram(x=cup.cuped, name="CUPED-adjusted", opacity=0.6, nbinsx=40)
        fig.add_vline(x=effect, line_color="black", annotation_text="true effect")
        fig.update_layout(barmode="overlay", height=340, xaxis_title="estimated effect (sd)",
                          title=f"{cup.naive.size} replicated experiments: same data, two estimators")
        page.chart(fig, hero=tab.open)
        if not cuped_on:
            st.info(f"CUPED is off in the sidebar: the power tab plans without the "
                    f"{1 - cup.theory_ratio:.0%} saving this covariate offers.")
    return [r"Y^{\text{cuped}} = Y - \theta (X - \bar X),\quad \theta = \frac{\mathrm{cov}(X, Y)}"
            rf"{{\mathrm{{var}}(X)}},\quad \frac{{\mathrm{{var}}(Y^{{\text{{cuped}}}})}}{{\mathrm{{var}}(Y)}}"
            rf" = 1-\rho^2 = {cp.variance_factor(rho):.2f}"]
