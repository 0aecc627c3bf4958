"""Lesson 7's "Detectors" tab: PSI, KS and Wasserstein on a signal, Page–Hinkley on the error,
their delays and false alarms, and the price of the PSI threshold (layout only; the numbers come
from :mod:`playground.monitoring.drift`)."""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd
import streamlit as st
from plotly.subplots import make_subplots

from components import shapes
from components.cache import cached
from components.drift_stream import DAYS, TRAIN_DAYS, stream_and_scores
from components.page import LessonPage
from playground.monitoring import drift as dr
from playground.monitoring import retraining as rt

SIGNALS = ("feature x1", "feature x2", "model score")


@cached("Computing detector statistics…")
def detector_stats(key, window, signal):
    stream, score, _ = stream_and_scores(*key)
    values = {"feature x1": stream.x[..., 0], "feature x2": stream.x[..., 1], "model score": score}[signal]
    return dr.window_stats(values, TRAIN_DAYS, window)


@dataclass(frozen=True)
class Thresholds:
    """The tab's detector settings (the other tabs reuse them)."""

    signal: str
    window: int
    psi: float
    ph_delta: float
    ph: float
    stats: pd.DataFrame
    only_the_error_saw_it: bool
    """Every distribution detector missed the drift and the Page–Hinkley error detector caught it."""


def show(page: LessonPage, key: tuple, error, drift_start: int | None, label_delay: int) -> Thresholds:
    """Render the tab (``key``: the stream's arguments); return its settings and statistics."""
    kind, batch = key[0], key[6]
    c1, c2, c3 = st.columns(3)
    signal = page.select("signal", "Monitored signal (distribution detectors)", SIGNALS, container=c1)
    window = page.slider("window", "Trailing window (days)", 1, 30, 7, container=c1)
    psi_thr = page.slider("psi_thr", "PSI alert threshold", 0.02, 1.0, 0.2, step=0.01, container=c2)
    ks_alpha = page.select_slider("ks_alpha", "KS alert when p-value below", [1e-6, 1e-4, 0.001, 0.01, 0.05],
                                  0.001, container=c2)
    w_thr = page.slider("w_thr", "Wasserstein alert threshold (signal units)", 0.01, 1.0, 0.1, step=0.01,
                        container=c2)
    ph_delta = page.slider("ph_delta", "Page–Hinkley tolerance δ (error rate)", 0.0, 0.05, 0.005,
                           step=0.001, format="%.3f", container=c3)
    ph_thr = page.slider("ph_thr", "Page–Hinkley threshold λ", 0.02, 1.0, 0.2, step=0.01, container=c3)
    ws = detector_stats(key, window, signal)
    alarms = dr.threshold_alarms(ws, psi_thr, ks_alpha, w_thr)
    # the error of day t is known on day t + label_delay: that is when its alarm can ring
    ph, alarms[dr.Detector.PAGE_HINKLEY] = dr.error_alarms(error[TRAIN_DAYS:], TRAIN_DAYS, label_delay,
                                                           ph_delta, ph_thr, DAYS)
    table = dr.alarm_table(alarms, drift_start)
    for col, row, name in zip(st.columns(4), table.to_dict("records"), alarms):
        delay = row["detection delay (days)"]
        page.metric(f"{row['detector']}: delay", f"{delay}" if delay in ("missed", "—") else f"{delay} d",
                    delta=f"{row['false alarms (days)']} false alarms", delta_color="inverse" if
                    row["false alarms (days)"] else "off", delta_arrow="off", container=col,
                    headline=name in dr.NEEDS_LABELS)
    dist_missed, ph_hit = dr.only_the_error_saw_it(alarms, drift_start)
    if kind == "covariate" and drift_start is not None and not dist_missed:
        st.info("The inputs moved, so the distribution detectors fire; whether that is an incident "
                "depends on the error curve above, not on the PSI.")
    n_ref, n_win = TRAIN_DAYS * batch, window * batch
    with st.expander("Alarm table and each detector's statistic against its threshold, day by day"):
        st.dataframe(table, hide_index=True)
        st.caption(f"KS p-values are scipy's default (ks_2samp, method 'auto'): here "
                   f"{dr.ks_method(n_ref, n_win)}, since the reference holds {n_ref:,} values and the window "
                   f"{n_win:,} (exact up to {dr.KS_EXACT_MAX_N:,} per sample, asymptotic beyond). Values below "
                   f"{dr.KS_P_FLOOR:g} are shown as {dr.KS_P_FLOOR:g}: every alarm level is far above.")
        page.chart(_statistics_figure(ws, ph, signal, psi_thr, ks_alpha, w_thr, ph_thr, drift_start))
    _price_alarms(page, ws, psi_thr, drift_start, kind)
    if kind == "none" and sum(len(a) for a in alarms.values()):
        st.warning("No drift was injected: every alarm here is a false alarm. Raise the thresholds "
                   "or widen the window.")
    return Thresholds(signal, window, psi_thr, ph_delta, ph_thr, ws, dist_missed and ph_hit)


def verdict(page: LessonPage, det: Thresholds, kind: str, focus: str, trigger: str) -> None:
    """The page's verdict when only the error detector saw the drift: green when the team's
    retraining policy acts on that detector (drift-triggered on the error), red otherwise."""
    if not det.only_the_error_saw_it:
        return
    quiet = (f"Every distribution detector on {det.signal} stayed quiet: a {kind} drift need not move the inputs. "
             "Only the error detector, which waits for labels, saw it")
    if focus == rt.Policy.TRIGGERED and trigger == rt.Trigger.ERROR:
        page.verdict(True, f"{quiet}, and your drift-triggered policy retrains on its alarm.")
    else:
        page.verdict(False, f"{quiet}: {ACTS_ON[trigger if focus == rt.Policy.TRIGGERED else focus]}.")


ACTS_ON = {rt.Policy.NEVER: "your team never retrains, so the model rots",
           rt.Policy.FIXED: "your fixed schedule retrains by the calendar, blind to it",
           rt.Trigger.SCORE_DRIFT: "your drift trigger listens to the score's PSI, not to the error"}
"""Why a policy other than drift-triggered-on-the-error misses what only the error detector saw."""


def _price_alarms(page: LessonPage, ws: pd.DataFrame, psi_thr: float, drift_start: int | None, kind: str) -> None:
    st.markdown("**What should the PSI threshold be? Price the alarms.**")
    k1, k2, k3, k4 = st.columns(4)
    fa_cost = page.number("fa_cost", "Cost of a false alarm (an engineer paged)", 0, 10_000, 500, step=50,
                          container=k1)
    miss_cost = page.number("miss_cost", "Cost of a day of undetected drift", 0, 100_000, 200, step=50,
                            container=k2)
    priced = page.guard(dr.alarm_cost, ws.day.to_numpy(), ws.psi.to_numpy(), drift_start, DAYS, fa_cost, miss_cost)
    if priced is None:
        return
    fa_n, miss_n, my_cost = priced.at(psi_thr)
    page.metric(f"Your PSI threshold {psi_thr:.2f}: cost", f"{my_cost:,.0f}",
                note=f"{fa_n} false alarms, {miss_n} days missed", container=k3, headline=True)
    b_fa, b_miss, _ = priced.at(priced.best)
    page.metric("Cost-minimising PSI threshold", f"{priced.best:.3f}", delta=f"cost {priced.best_cost:,.0f}: "
                f"{b_fa} false alarms, {b_miss} days missed", delta_color="off", delta_arrow="off", container=k4)
    if my_cost > priced.best_cost:
        st.warning(f"At these prices your threshold costs {my_cost:,.0f}; a PSI threshold just above "
                   f"{priced.best:.3f} would cost {priced.best_cost:,.0f}."
                   + (f" Even the best PSI rule misses {b_miss} days: the inputs of a {kind} drift "
                      "need not move, so price in a label-based detector." if b_miss else ""))


def _statistics_figure(ws, ph, signal, psi_thr, ks_alpha, w_thr, ph_thr, drift_start):
    fig = make_subplots(rows=4, cols=1, shared_xaxes=True, vertical_spacing=0.04,
                        subplot_titles=[f"PSI of {signal}", "KS p-value (log scale)",
                                        f"Wasserstein distance of {signal}",
                                        "Page–Hinkley statistic on the error (day of the error)"])
    lines = []
    for row, (values, name, threshold) in enumerate(
            [(ws.psi, "PSI", psi_thr), (ws.ks_p, "KS p", ks_alpha),
             (ws.wasserstein, "W1", w_thr), (ph.statistic, "PH", ph_thr)], start=1):
        fig.add_scatter(x=ws.day, y=values, name=name, row=row, col=1)
        lines.append(shapes.across("y", threshold, row, dash="dash", color="red"))
    fig.update_yaxes(type="log", row=2, col=1)
    if drift_start is not None:
        lines += [shapes.across("x", drift_start, row, color="orange") for row in range(1, 5)]
    fig.update_layout(height=720, showlegend=False, shapes=lines, title="Detector statistics vs alert thresholds "
                      "(orange: drift start)")
    return fig
