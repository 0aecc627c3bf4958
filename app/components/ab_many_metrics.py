"""Lesson 6's "Many metrics" tab: false wins when many metrics are read, with and without a
correction (layout only; the numbers come from :mod:`playground.experiments.multiple_testing`)."""

from __future__ import annotations

import streamlit as st

from components.cache import cached
from components.page import LessonPage
from playground.experiments import multiple_testing as mt

METHOD_LABELS = {"none": "none", "bonferroni": "Bonferroni", "bh": "Benjamini–Hochberg"}


@cached()
def many_metrics_run(**kwargs) -> mt.ManyMetricsResult:
    return mt.simulate_many_metrics(**kwargs)


def show(page: LessonPage, tab, alpha: float, correction: str, seed: int) -> list[str]:
    """Render the tab; return its formula (with the current numbers) for "The math"."""
    c1, c2 = st.columns(2)
    n_metrics = page.slider("n_metrics", "Metrics (or variants) read per experiment", 1, 100, 20, container=c1)
    n_true = page.slider("n_true", "Of which really moved", 0, 100, 2, container=c1)
    eff_z = page.slider("eff_z", "Size of a real effect (in standard errors)", 0.5, 6.0, 3.0, step=0.5,
                        container=c2)
    many = page.guard(many_metrics_run, metrics=n_metrics, true_effects=n_true, effect_z=eff_z, reps=2000,
                      alpha=alpha, seed=seed)
    if many is None:
        return []
    s_sel = many.summary[correction]
    m1, m2, m3 = st.columns(3)
    page.metric("False wins per experiment", f"{s_sel['false_wins']:.2f}", container=m1, headline=tab.open)
    page.metric("Experiments with at least one false win", f"{s_sel['fwer']:.0%}", container=m2)
    page.metric("Real effects found (power)", "n/a" if n_true == 0 else f"{s_sel['power']:.0%}", container=m3)
    st.dataframe([{"correction": METHOD_LABELS[m], "false wins / experiment": v["false_wins"],
                   "P(≥ 1 false win)": v["fwer"], "false discovery rate": v["fdr"], "power": v["power"]}
                  for m, v in many.summary.items()], hide_index=True)
    name = METHOD_LABELS[correction]
    if correction == "none" and s_sel["false_wins"] >= 0.2:
        page.verdict(False, headline=tab.open, text=f"Reading {n_metrics} metrics each at alpha = {alpha:g}: "
                     f"{s_sel['fwer']:.0%} of experiments show at least one 'significant' metric that did not move "
                     f"({s_sel['false_wins']:.2f} on average). Pick the one that moved and you ship noise.")
    elif correction != "none":
        page.verdict(True, headline=tab.open, text=f"{name}: {s_sel['false_wins']:.2f} false wins per experiment "
                     f"(false discovery rate {s_sel['fdr']:.1%}), power {s_sel['power']:.0%}."
                     if n_true else f"{name}: {s_sel['false_wins']:.2f} false wins per experiment.")
    st.caption(f"{many.p.shape[0]:,} simulated experiments with independent metrics. Bonferroni "
               "holds the chance of any false win at alpha; Benjamini–Hochberg holds the share "
               "of false wins among the wins at alpha and keeps more power. Better still: one "
               "primary metric chosen before the test, the rest as guardrails or diagnostics.")
    return [rf"\text{{Bonferroni: }} p_i \le \alpha/m = {alpha / n_metrics:.4f};\quad"
            r"\text{BH: reject } p_{(1)}, \dots, p_{(k)},\ k = \max\{i : p_{(i)} \le i\,\alpha/m\}"]
