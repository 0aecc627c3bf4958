"""Lesson 7: monitoring and retraining — inject drift, detect it, compare retraining policies."""

import numpy as np
import pandas as pd
import plotly.graph_objects as go
import streamlit as st
from plotly.subplots import make_subplots

from components.cache import cached
from components.page import LessonPage
from components.upload import numeric_csv_upload
from playground.monitoring import drift as dr
from playground.monitoring import deployment as dp
from playground.monitoring import retraining as rt
from playground.seeds import derived_seeds
from scenarios.l07 import PRESETS

TRAIN_DAYS = 20
DAYS = 120
SIGNALS = ("feature x1", "feature x2", "model score")


@cached()
def stream_and_scores(kind, pattern, magnitude, start, width, period, batch, seed):
    stream = dr.simulate_stream(kind=kind, pattern=pattern, magnitude=magnitude, start=start,
                                days=DAYS, batch=batch, width=width, period=period, seed=seed)
    score, error = rt.deployed(stream, TRAIN_DAYS)
    return stream, score, error


@cached("Computing detector statistics…")
def detector_stats(key, window, signal):
    stream, score, _ = stream_and_scores(*key)
    values = {"feature x1": stream.x[..., 0], "feature x2": stream.x[..., 1], "model score": score}[signal]
    return dr.window_stats(values, TRAIN_DAYS, window)


@cached("Replaying the rollouts…")
def rollouts(key, **kwargs):
    stream, _, _ = stream_and_scores(*key)
    return {shadow: dp.replay(stream, shadow, **kwargs) for shadow in (False, True)}


@cached("Replaying the stream under each policy…")
def policies(key, **kwargs):
    stream, _, _ = stream_and_scores(*key)
    return rt.compare(stream, train_days=TRAIN_DAYS, **kwargs)


page = LessonPage("l07", presets=PRESETS)
seed = page.seed()
st.sidebar.markdown("**Inject drift**")
kind = page.select("kind", "Drift kind", dr.KINDS, "concept",
                   help="covariate: P(x) moves · prior: P(y) moves · concept: P(y|x) moves")
pattern = page.select("pattern", "Pattern", dr.PATTERNS)
magnitude = page.slider("magnitude", "Magnitude (0 … 1)", 0.0, 1.0, 0.6, step=0.05)
start = page.slider("start", "Drift starts on day", TRAIN_DAYS + 5, DAYS - 10, 60)
width = page.slider("width", "Ramp length (gradual, days)", 1, 60, 20)
period = page.slider("period", "Half-cycle (recurring, days)", 2, 30, 15)
batch = page.select_slider("batch", "Examples per day", [100, 200, 400, 800], 400)
label_delay = page.slider("label_delay", "Label delay (days)", 0, 14, 3,
                          help="Days before a day's labels (and so its error) are known.")
key = (kind, pattern, magnitude, start, width, period, batch, seed)
drift_start = None if kind == "none" or magnitude == 0 else start

stream, score, error = page.guard(stream_and_scores, *key) or (None, None, None)
if stream is None:
    page.math([r"\text{(fix the settings above)}"])
    page.finish()
    st.stop()

what = dr.describe(kind, magnitude)
st.markdown(f"**Injected:** {pattern} {kind} drift from day {start}: {what}")

fig = make_subplots(specs=[[{"secondary_y": True}]])
days = np.arange(DAYS)
fig.add_scatter(x=days, y=stream.x[..., 0].mean(axis=1), name="mean of x1")
fig.add_scatter(x=days, y=stream.y.mean(axis=1), name="positive rate")
fig.add_scatter(x=days, y=error, name="deployed model's error", line_color="red")
fig.add_scatter(x=days, y=1 - stream.bayes_acc, name="best possible error", line_dash="dot",
                line_color="grey")
fig.add_scatter(x=days, y=stream.intensity, name="drift intensity (right axis)", fill="tozeroy",
                line_color="rgba(255,140,0,0.6)", fillcolor="rgba(255,165,0,0.15)", secondary_y=True)
fig.add_vrect(x0=0, x1=TRAIN_DAYS - 1, fillcolor="green", opacity=0.08, annotation_text="training window")
fig.update_layout(title="The stream: what moved, and what it did to the never-retrained model",
                  xaxis_title="day", height=360)
fig.update_yaxes(title_text="drift intensity", range=[0, 1.05], tickvals=[0, 0.5, 1], showgrid=False,
                 secondary_y=True)
page.chart(fig)

tabs = st.tabs(["Detectors", "Retraining policies", "Safe rollout", "Check your own data"])

# ---- detectors ------------------------------------------------------------------------------
with tabs[0]:
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
    mon = ws.day.to_numpy()
    alarms = dr.threshold_alarms(ws, psi_thr, ks_alpha, w_thr)
    # the error of day t is known on day t + label_delay: that is when its alarm can ring
    ph, alarms[dr.Detector.PAGE_HINKLEY] = dr.error_alarms(error[TRAIN_DAYS:], TRAIN_DAYS, label_delay,
                                                           ph_delta, ph_thr, DAYS)
    rows = []
    for name, when in alarms.items():
        sc = dr.score_alarms(when, drift_start)
        rows.append({"detector": dr.DETECTOR_LABELS[name], "needs labels": name in dr.NEEDS_LABELS,
                     "first alarm after start": "—" if sc.first_alarm is None else f"day {sc.first_alarm}",
                     "detection delay (days)": "missed" if drift_start is not None and sc.delay is None
                     else ("—" if sc.delay is None else str(sc.delay)),
                     "false alarms (days)": sc.false_alarms})
    table = pd.DataFrame(rows)
    cols = st.columns(4)
    for col, row, name in zip(cols, rows, alarms):
        delay = row["detection delay (days)"]
        page.metric(f"{row['detector']}: delay", f"{delay}" if delay in ("missed", "—") else f"{delay} d",
                    delta=f"{row['false alarms (days)']} false alarms", delta_color="inverse" if
                    row["false alarms (days)"] else "off", delta_arrow="off", container=col,
                    headline=name in dr.NEEDS_LABELS)
    st.dataframe(table, hide_index=True)
    dist_missed = drift_start is not None and all(
        dr.score_alarms(alarms[n], drift_start).first_alarm is None for n in dr.LABEL_FREE)
    ph_hit = drift_start is not None and dr.score_alarms(alarms[dr.Detector.PAGE_HINKLEY], drift_start).first_alarm is not None
    if dist_missed and ph_hit:
        st.error(f"Every distribution detector on {signal} stayed quiet: a {kind} drift need not move "
                 "the inputs. Only the error detector, which waits for labels, saw it.")
    elif kind == "covariate" and drift_start is not None and not dist_missed:
        st.info("The inputs moved, so the distribution detectors fire; whether that is an incident "
                "depends on the error curve above, not on the PSI.")
    n_ref, n_win = TRAIN_DAYS * batch, window * batch
    st.caption(f"KS p-values are scipy's default (ks_2samp, method 'auto'): here "
               f"{dr.ks_method(n_ref, n_win)}, since the reference holds {n_ref:,} values and the window "
               f"{n_win:,} (exact up to {dr.KS_EXACT_MAX_N:,} per sample, asymptotic beyond).")
    st.markdown("**What should the PSI threshold be? Price the alarms.**")
    k1, k2, k3, k4 = st.columns(4)
    fa_cost = page.number("fa_cost", "Cost of a false alarm (an engineer paged)", 0, 10_000, 500, step=50,
                          container=k1)
    miss_cost = page.number("miss_cost", "Cost of a day of undetected drift", 0, 100_000, 200, step=50,
                            container=k2)
    priced = page.guard(dr.alarm_cost, mon, ws.psi.to_numpy(), drift_start, DAYS, fa_cost, miss_cost)
    if priced is not None:
        fa_n, miss_n, my_cost = priced.at(psi_thr)
        page.metric(f"Your PSI threshold {psi_thr:.2f}: cost", f"{my_cost:,.0f}",
                    delta=f"{fa_n} false alarms, {miss_n} days missed", delta_color="off", delta_arrow="off",
                    container=k3, headline=True)
        b_fa, b_miss, _ = priced.at(priced.best)
        page.metric("Cost-minimising PSI threshold", f"{priced.best:.3f}", delta=f"cost {priced.best_cost:,.0f}: "
                    f"{b_fa} false alarms, {b_miss} days missed", delta_color="off", delta_arrow="off", container=k4)
        if my_cost > priced.best_cost:
            st.warning(f"At these prices your threshold costs {my_cost:,.0f}; a PSI threshold just above "
                       f"{priced.best:.3f} would cost {priced.best_cost:,.0f}."
                       + (f" Even the best PSI rule misses {b_miss} days: the inputs of a {kind} drift "
                          "need not move, so price in a label-based detector." if b_miss else ""))
    if kind == "none" and sum(len(a) for a in alarms.values()):
        st.warning("No drift was injected: every alarm here is a false alarm. Raise the thresholds "
                   "or widen the window.")

    fig = make_subplots(rows=4, cols=1, shared_xaxes=True, vertical_spacing=0.04,
                        subplot_titles=[f"PSI of {signal}", "KS p-value (log scale)",
                                        f"Wasserstein distance of {signal}",
                                        "Page–Hinkley statistic on the error (day of the error)"])
    fig.add_scatter(x=mon, y=ws.psi, name="PSI", row=1, col=1)
    fig.add_hline(y=psi_thr, line_dash="dash", line_color="red", row=1, col=1)
    fig.add_scatter(x=mon, y=np.maximum(ws.ks_p, 1e-16), name="KS p", row=2, col=1)
    fig.add_hline(y=ks_alpha, line_dash="dash", line_color="red", row=2, col=1)
    fig.add_scatter(x=mon, y=ws.wasserstein, name="W1", row=3, col=1)
    fig.add_hline(y=w_thr, line_dash="dash", line_color="red", row=3, col=1)
    fig.add_scatter(x=mon, y=ph.statistic, name="PH", row=4, col=1)
    fig.add_hline(y=ph_thr, line_dash="dash", line_color="red", row=4, col=1)
    fig.update_yaxes(type="log", row=2, col=1)
    if drift_start is not None:
        for r in range(1, 5):
            fig.add_vline(x=drift_start, line_color="orange", row=r, col=1)
    fig.update_layout(height=720, showlegend=False, title="Detector statistics vs alert thresholds "
                      "(orange: drift start)")
    page.chart(fig)

# ---- retraining -----------------------------------------------------------------------------
with tabs[1]:
    c1, c2, c3 = st.columns(3)
    focus = page.select("policy_focus", "Your team's policy", rt.POLICIES, rt.Policy.TRIGGERED, container=c1)
    trigger = page.select("trigger", "Drift trigger", rt.TRIGGERS, container=c1, format_func=rt.TRIGGER_LABELS.get)
    every = page.slider("every", "Fixed schedule: retrain every (days)", 3, 60, 14, container=c2)
    window_days = page.slider("train_window", "Labelled days per retrain", 1, 30, 14, container=c2)
    retrain_cost = page.number("retrain_cost", "Cost of one retrain", 0, 100_000, 500, step=100, container=c3)
    error_cost = page.slider("error_cost", "Cost of one wrong prediction", 0.0, 5.0, 0.5, step=0.1,
                             container=c3)
    runs = page.guard(policies, key, window_days=window_days, every=every, label_delay=label_delay,
                      trigger=trigger, ph_delta=ph_delta, ph_threshold=ph_thr, psi_threshold=psi_thr)
    if runs is not None:
        since = drift_start if drift_start is not None else TRAIN_DAYS
        summary = pd.DataFrame([{
            "policy": name, "retrains": run.retrains,
            f"accuracy from day {since}": round(run.mean_accuracy(since), 3),
            "accuracy, whole stream": round(run.mean_accuracy(TRAIN_DAYS), 3),
            "cost": round(run.cost(retrain_cost, error_cost, batch, TRAIN_DAYS)),
        } for name, run in runs.items()])
        mine = runs[focus]
        best = stream.best_accuracy(since)
        st.markdown(f"**Your team's policy: {focus}**")
        m1, m2, m3, m4 = st.columns(4)
        page.metric(f"Accuracy from day {since}", f"{mine.mean_accuracy(since):.3f}", container=m1,
                    headline=True)
        page.metric("Retrains", f"{mine.retrains}", container=m2, headline=True)
        page.metric("Total cost", f"{mine.cost(retrain_cost, error_cost, batch, TRAIN_DAYS):,.0f}",
                    container=m3)
        page.metric("Best possible accuracy", f"{best:.3f}", container=m4)
        st.dataframe(summary, hide_index=True)
        cheapest = summary.loc[summary.cost.idxmin(), "policy"]
        st.caption(f"Cheapest policy at these costs: **{cheapest}**. Retrains use the last "
                   f"{window_days} labelled days; with a {label_delay}-day label delay the freshest "
                   "training data is always that old.")
        fig = go.Figure()
        for name, run in runs.items():
            fig.add_scatter(x=days, y=run.accuracy, name=f"{name} ({run.retrains} retrains)",
                            line_width=3 if name == focus else 1.5)
            if run.retrain_days:
                fig.add_scatter(x=run.retrain_days, y=run.accuracy[np.asarray(run.retrain_days)],
                                mode="markers", marker_symbol="triangle-up", marker_size=9,
                                name=f"{name}: retrain", showlegend=False)
        fig.add_scatter(x=days, y=stream.bayes_acc, name="best possible", line_dash="dot", line_color="grey")
        if drift_start is not None:
            fig.add_vline(x=drift_start, line_color="orange", annotation_text="drift starts")
        fig.update_layout(title="Daily accuracy of the model in production under each policy",
                          xaxis_title="day", yaxis_title="accuracy", height=400)
        page.chart(fig)

# ---- safe rollout ---------------------------------------------------------------------------
with tabs[2]:
    st.markdown(f"A retrain every {every} days on the last {window_days} labelled days (the schedule "
                "set in the previous tab), and a logging incident that inverts the labels of a few days.")
    c1, c2, c3 = st.columns(3)
    bad_start = page.slider("bad_start", "Incident: labels inverted from day", TRAIN_DAYS, DAYS - 1, 80,
                            container=c1)
    bad_len = page.slider("bad_len", "Incident length (days, 0 = none)", 0, 30, 10, container=c1)
    shadow_days = page.slider("shadow_days", "Shadow period (days)", 1, 14, 3, container=c2)
    gate = page.toggle("gate", "Shadow gate: promote a retrained model only if it beats the serving one",
                       False, container=c3)
    bad = (bad_start, min(bad_start + bad_len, DAYS)) if bad_len else None
    rolls = page.guard(rollouts, key, bad_days=bad, every=every, window_days=window_days,
                       label_delay=label_delay, shadow_days=shadow_days)
    if rolls is not None:
        chosen, other = rolls[gate], rolls[not gate]
        m1, m2, m3 = st.columns(3)
        page.metric("Worst day's accuracy in production", f"{chosen.worst_day():.3f}",
                    delta=f"{'without' if gate else 'with'} the gate: {other.worst_day():.3f}",
                    delta_color="off", delta_arrow="off", container=m1, headline=True)
        page.metric(f"Accuracy from day {TRAIN_DAYS}", f"{chosen.mean_accuracy(TRAIN_DAYS):.3f}", container=m2)
        page.metric("Candidates rolled back", f"{len(chosen.rolled_back)}", container=m3)
        poisoned = rolls[False].poisoned
        if not gate and poisoned:
            after = rolls[False].accuracy[poisoned[0] + 1: poisoned[0] + 1 + every]
            st.error(f"The retrain on day {poisoned[0]} learned from inverted labels and went straight "
                     f"to production: accuracy {np.nanmean(after):.2f} on average until the next retrain, "
                     f"against {np.nanmean(rolls[True].accuracy[poisoned[0] + 1: poisoned[0] + 1 + every]):.2f} "
                     "with the gate. Nothing compared it with the model it replaced.")
        elif gate and chosen.rolled_back:
            st.success(f"The shadow gate scored each candidate on {shadow_days} day(s) of live traffic "
                       f"first and rolled back the one(s) judged on day(s) "
                       f"{', '.join(map(str, chosen.rolled_back))}: the serving model stayed.")
        elif gate:
            st.info("No candidate was worse than the serving model: the gate only delayed each "
                    f"promotion by {shadow_days} day(s) plus the label delay.")
        fig = go.Figure()
        for run in (rolls[False], rolls[True]):
            fig.add_scatter(x=days, y=run.accuracy, name=f"{run.name} ({len(run.rolled_back)} rolled back)",
                            line_width=3 if run is chosen else 1.5)
        if bad:
            fig.add_vrect(x0=bad[0], x1=bad[1] - 1, fillcolor="red", opacity=0.1,
                          annotation_text="labels inverted")
        fig.update_layout(title="Accuracy in production: direct deploy vs shadow gate", xaxis_title="day",
                          yaxis_title="accuracy", height=360)
        page.chart(fig)

# ---- the learner's own data ----------------------------------------------------------------
with tabs[3]:
    st.markdown("Upload a CSV with a `reference` column (e.g. a feature at training time) and a "
                "`current` column (the same feature in production; the columns may differ in "
                "length). The same detectors run on it, with the thresholds set above.")
    current_rng = np.random.default_rng(derived_seeds(seed, 1)[0])
    example = pd.DataFrame({"reference": np.round(np.random.default_rng(seed).normal(0, 1, 500), 4),
                            "current": np.round(current_rng.normal(0.3, 1.2, 500), 4)})
    own = numeric_csv_upload("Reference vs current CSV", ("reference", "current"), "drift_csv",
                             example.to_csv(index=False))
    if own is not None:
        ref_values, cur_values = own["reference"].dropna(), own["current"].dropna()
        own_psi = dr.psi(ref_values, cur_values)
        own_d, own_p = dr.ks_test(ref_values, cur_values)
        u1, u2, u3 = st.columns(3)
        page.metric("Your data: PSI", f"{own_psi:.3f}", "alert" if own_psi > psi_thr else "no alert",
                    delta_color="off", container=u1)
        page.metric("Your data: KS D", f"{own_d:.3f}", f"p = {own_p:.2g}", delta_color="off", container=u2)
        page.metric("Your data: Wasserstein", f"{dr.wasserstein(ref_values, cur_values):.3f}", container=u3)
        fig = go.Figure()
        fig.add_histogram(x=ref_values, name="reference", opacity=0.6, histnorm="probability density")
        fig.add_histogram(x=cur_values, name="current", opacity=0.6, histnorm="probability density")
        fig.update_layout(barmode="overlay", title="Your reference and current distributions", height=320)
        page.chart(fig)

# ---- the math -------------------------------------------------------------------------------
last = ws.iloc[-1]
page.math([
    r"\mathrm{PSI} = \sum_b (c_b - r_b)\,\ln\frac{c_b}{r_b}" + rf" = {last.psi:.3f}\ \text{{(day {int(last.day)})}}",
    r"D = \sup_x |F_{\text{ref}}(x) - F_{\text{win}}(x)|" + rf" = {last.ks:.3f},\ p = {last.ks_p:.2g}",
    r"W_1 = \int |F_{\text{ref}}(x) - F_{\text{win}}(x)|\,dx" + rf" = {last.wasserstein:.3f}",
    r"m_t = \sum_{i \le t} (e_i - \bar e_i - \delta),\quad PH_t = m_t - \min_{i\le t} m_i > \lambda"
    + rf"\quad(\delta = {ph_delta:.3f},\ \lambda = {ph_thr:.2f})",
    r"\text{alarm cost}(\theta) = C_{\text{false}} \cdot \#\{t < t_0 : \mathrm{PSI}_t > \theta\}"
    r" + C_{\text{miss}} \cdot (t_{\text{first alarm}}(\theta) - t_0)",
    r"\text{delay} = t_{\text{first alarm}} - t_{\text{start}},\quad"
    + rf"\text{{Page–Hinkley alarms on error of day }} t \text{{ at day }} t + {label_delay}",
    r"\text{cost} = C_{\text{retrain}} \cdot \#\text{retrains} + C_{\text{error}} \cdot \#\text{errors}"
    + rf" = {retrain_cost:g}\cdot\#\text{{retrains}} + {error_cost:g}\cdot\#\text{{errors}}",
], notes=f"PSI bins are the deciles of the reference (the {TRAIN_DAYS}-day training window); "
         f"KS, Wasserstein and PSI compare the last {window} day(s) of {signal} with it; the KS "
         "p-value is scipy's default (exact up to 10,000 values per sample, else asymptotic). "
         "The true labelling rule is sigmoid(x1 + 2.5 x2 − 0.8 x1² + 0.5); the model is a logistic "
         "regression on x1, x2.")
page.board({"drift_monitor": ["Page–Hinkley (error): delay", "PSI: delay"],
            "retrain": ["Retrains", "Total cost"], "drift_monitor>retrain": f"policy: {focus}"})
page.finish()
