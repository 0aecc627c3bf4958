"""Lesson 7: monitoring and retraining — inject drift, detect it, compare retraining policies.
Each tab's layout lives in its own ``components.drift_*`` module."""

import streamlit as st

from components import drift_detectors, drift_own_data, drift_retraining, drift_rollout
from components.drift_stream import DAYS, TRAIN_DAYS, stream_and_scores, stream_figure
from components.page import LessonPage
from playground.monitoring import drift as dr
from scenarios.l07 import PRESETS

page = LessonPage("l07", presets=PRESETS)
seed = page.seed()
st.sidebar.markdown("**Inject drift**")
kind = page.select("kind", "Drift kind", dr.KINDS, "concept",
                   help="covariate: P(x) moves · prior: P(y) moves · concept: P(y|x) moves")
pattern = page.select("pattern", "Pattern", dr.PATTERNS)
magnitude = page.slider("magnitude", "Magnitude (0 … 1)", 0.0, 1.0, 0.6, step=0.05)
start = page.slider("start", "Drift starts on day", TRAIN_DAYS + 5, DAYS - 10, 60)
label_delay = page.slider("label_delay", "Label delay (days)", 0, 14, 3,
                          help="Days before a day's labels (and so its error) are known.")
with page.advanced_controls():
    width = page.slider("width", "Ramp length (gradual, days)", 1, 60, 20)
    period = page.slider("period", "Half-cycle (recurring, days)", 2, 30, 15)
    batch = page.select_slider("batch", "Examples per day", [100, 200, 400, 800], 400)
key = (kind, pattern, magnitude, start, width, period, batch, seed)
drift_start = None if kind == "none" or magnitude == 0 else start

stream, score, error = page.guard(stream_and_scores, *key) or (None, None, None)
if stream is None:
    page.math([r"\text{(fix the settings above)}"])
    page.finish()
    st.stop()

st.markdown(f"**Injected:** {pattern} {kind} drift from day {start}: {dr.describe(kind, magnitude)}")
page.chart(stream_figure(stream, error), hero=True)

tabs = page.tabs("view", ["Detectors", "Retraining policies", "Safe rollout", "Check your own data"])
with tabs[0]:
    det = drift_detectors.show(page, key, error, drift_start, label_delay)
with tabs[1]:
    schedule = drift_retraining.show(page, key, stream, drift_start, label_delay, det)
with tabs[0]:  # the verdict needs the team's policy, declared in the retraining tab
    drift_detectors.verdict(page, det, kind, schedule.focus, schedule.trigger)
with tabs[2]:
    drift_rollout.show(page, key, label_delay, schedule)
with tabs[3]:
    drift_own_data.show(page, seed, det.psi)

last = det.stats.iloc[-1]
page.math([
    r"\mathrm{PSI} = \sum_b (c_b - r_b)\,\ln\frac{c_b}{r_b}" + rf" = {last.psi:.3f}\ \text{{(day {int(last.day)})}}",
    r"D = \sup_x |F_{\text{ref}}(x) - F_{\text{win}}(x)|" + rf" = {last.ks:.3f},\ p {dr.ks_p_latex(last.ks_p)}",
    r"W_1 = \int |F_{\text{ref}}(x) - F_{\text{win}}(x)|\,dx" + rf" = {last.wasserstein:.3f}",
    r"m_t = \sum_{i \le t} (e_i - \bar e_i - \delta),\quad PH_t = m_t - \min_{i\le t} m_i > \lambda"
    + rf"\quad(\delta = {det.ph_delta:.3f},\ \lambda = {det.ph:.2f})",
    r"\text{alarm cost}(\theta) = C_{\text{false}} \cdot \#\{t < t_0 : \mathrm{PSI}_t > \theta\}"
    r" + C_{\text{miss}} \cdot (t_{\text{first alarm}}(\theta) - t_0)",
    r"\text{delay} = t_{\text{first alarm}} - t_{\text{start}},\quad"
    + rf"\text{{Page–Hinkley alarms on error of day }} t \text{{ at day }} t + {label_delay}",
    r"\text{cost} = C_{\text{retrain}} \cdot \#\text{retrains} + C_{\text{error}} \cdot \#\text{errors}"
    + rf" = {schedule.retrain_cost:g}\cdot\#\text{{retrains}} + {schedule.error_cost:g}\cdot\#\text{{errors}}",
], notes=f"PSI bins are the deciles of the reference (the {TRAIN_DAYS}-day training window); "
         f"KS, Wasserstein and PSI compare the last {det.window} day(s) of {det.signal} with it; the KS "
         "p-value is scipy's default (exact up to 10,000 values per sample, else asymptotic). "
         "The true labelling rule is sigmoid(x1 + 2.5 x2 − 0.8 x1² + 0.5); the model is a logistic "
         "regression on x1, x2.")
page.board({"drift_monitor": ["Page–Hinkley (error): delay", "PSI: delay"],
            "retrain": ["Retrains", "Total cost"], "drift_monitor>retrain": f"policy: {schedule.focus}"})
page.finish()
