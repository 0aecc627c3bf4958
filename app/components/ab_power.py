"""Lesson 6's "Power & duration" tab: the test design (baseline, MDE, alpha, power, traffic,
allocation, CUPED ρ) that the other tabs share, the plan and its power curve (layout only; the
numbers come from :mod:`playground.experiments.power`)."""

from __future__ import annotations

from dataclasses import dataclass

import plotly.graph_objects as go
import streamlit as st

from components.page import LessonPage
from playground.experiments import cuped as cp
from playground.experiments import power as pw


@dataclass(frozen=True)
class Design:
    """The tab's controls (shared with the other tabs) and its plans (None after bad input)."""

    baseline: float
    mde: float
    relative: bool
    alpha: float
    power: float
    traffic: int
    allocation: float
    rho: float
    factor: float
    plan: pw.PowerPlan | None
    plain: pw.PowerPlan | None


def show(page: LessonPage, tab, cuped_on: bool) -> Design:
    """Render the tab (inside ``with tab:``) and return the design."""
    c1, c2, c3 = st.columns(3)
    baseline = page.slider("baseline", "Baseline conversion rate", 0.005, 0.5, 0.10, step=0.005,
                           container=c1)
    mde_kind = page.select("mde_kind", "MDE expressed as", ["relative", "absolute"], container=c1,
                           radio=True, horizontal=True)
    mde_pct = page.slider("mde", "Minimum detectable effect (% of baseline, or percentage points)",
                          0.5, 50.0, 5.0, step=0.5, container=c1)
    alpha = page.select_slider("alpha", "alpha (two-sided)", [0.001, 0.01, 0.05, 0.1], 0.05,
                               container=c2)
    power = page.select_slider("power", "Power", [0.5, 0.6, 0.7, 0.8, 0.9, 0.95, 0.99], 0.8,
                               container=c2)
    traffic = page.number("traffic", "Eligible users per day", 100, 10_000_000, 20_000, step=1000,
                          container=c3)
    allocation = page.slider("alloc", "Share of users in treatment", 0.05, 0.95, 0.5, step=0.05,
                             container=c3)
    rho = page.slider("rho", "Correlation of the pre-period covariate (CUPED ρ)", 0.0, 0.95, 0.5,
                      step=0.05, container=c3)
    relative, mde = mde_kind == "relative", mde_pct / 100
    factor = cp.variance_factor(rho) if cuped_on else 1.0
    plain = page.guard(pw.plan, baseline, mde, alpha, power, relative, traffic, allocation)
    plan = None if plain is None else page.guard(pw.plan, baseline, mde, alpha, power, relative, traffic,
                                                  allocation, variance_factor=factor)
    design = Design(baseline, mde, relative, alpha, power, traffic, allocation, rho, factor, plan, plain)
    if plan is None:
        return design
    m1, m2, m3, m4 = st.columns(4)
    page.metric("Users per arm (control)", f"{plan.n_control:,}", container=m1, headline=tab.open)
    page.metric("Total users", f"{plan.n_total:,}", container=m2)
    page.metric("Days to run", f"{plan.days}", container=m3, headline=tab.open)
    page.metric("Per arm without CUPED", f"{plain.n_control:,}", note=f"{plain.days} days", container=m4)
    st.caption(f"Detects {plan.p_control:.2%} → {plan.p_treatment:.2%} with {power:.0%} power at "
               f"alpha = {alpha:g}. " + (f"CUPED with ρ = {rho:.2f} multiplies the sample by "
                                         f"1 − ρ² = {factor:.2f}." if cuped_on else "CUPED is off."))
    if plan.days < 7:
        st.info("Under a week: run at least 7 full days anyway so every weekday is in the sample "
                "(weekly seasonality), and longer if a novelty effect is expected.")
    grid, curves = pw.power_curves(baseline, mde, plan.n_control, alpha, relative, allocation, factor)
    fig = go.Figure()
    for multiple, dash in zip(curves, ("dot", "solid", "dash")):
        fig.add_scatter(x=grid, y=curves[multiple], name=f"effect = {multiple:g} × MDE", line_dash=dash)
    fig.add_hline(y=power, line_dash="dot", line_color="grey", annotation_text=f"target power {power:.0%}")
    fig.add_vline(x=plan.n_control, line_color="red", annotation_text="planned n")
    fig.update_layout(title="Power curve: chance of detecting the effect vs users per arm",
                      xaxis_title="users in the control arm", yaxis_title="power", height=360)
    page.chart(fig)
    return design


def tex_int(n: int) -> str:
    """An integer with thousands separators that LaTeX does not space out."""
    return f"{n:,}".replace(",", "{,}")


def formulas(d: Design) -> list[str]:
    """The sample-size and CUPED formulas with the plan's numbers (none after bad input)."""
    if d.plan is None:
        return []
    z_a, z_b = pw.z_quantiles(d.alpha, d.power)
    plan, plain, ratio = d.plan, d.plain, d.allocation / (1 - d.allocation)
    return [rf"n_c = \frac{{(z_{{1-\alpha/2}} + z_{{1-\beta}})^2\,[p_1(1-p_1) + p_2(1-p_2)/r]}}{{(p_2-p_1)^2}}"
            rf" = \frac{{({z_a:.3f} + {z_b:.3f})^2\,[{plan.p_control:.4f}\cdot{1 - plan.p_control:.4f} + "
            rf"{plan.p_treatment:.4f}\cdot{1 - plan.p_treatment:.4f}/{ratio:.2f}]}}"
            rf"{{({plan.p_treatment:.4f} - {plan.p_control:.4f})^2}} \approx {tex_int(plain.n_control)}",
            rf"n_{{\text{{CUPED}}}} = n\,(1-\rho^2) = {tex_int(plain.n_control)} \times {d.factor:.2f} = "
            rf"{tex_int(plan.n_control)};\quad \text{{days}} = \lceil n_{{\text{{total}}}} / "
            rf"\text{{traffic}} \rceil = {plan.days}"]
