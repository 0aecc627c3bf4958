"""Lesson 4: a ranker's scores as probabilities: reliability, calibrators, downsampling, decisions."""

import numpy as np
import pandas as pd
import plotly.graph_objects as go
import streamlit as st
from plotly.subplots import make_subplots

from components.cache import cached
from components.page import LessonPage
from playground.recsys import blend, calibration as cal
from scenarios.l04 import PRESETS

page = LessonPage("l04", presets=PRESETS)
seed = page.seed()
model = page.select("model", "Ranker", cal.MODELS,
                    format_func={"logistic": "Logistic regression", "gbdt": "Gradient-boosted trees"}.get)
w = page.slider("w", "Negative keep rate w (downsampling)", 0.02, 1.0, 0.1, step=0.01,
                help="Every click is kept, each non-click with probability w; the model retrains.")
k = page.slider("k", "Score sharpness k (> 1 over-confident)", 0.25, 4.0, 1.0, step=0.05,
                help="The model's log-odds z become k·z + b before anything else.")
b = page.slider("b", "Score shift b (log-odds)", -2.0, 2.0, 0.0, step=0.1)
method = page.select("method", "Calibrator (fit on the held-out split)", cal.CALIBRATORS,
                     default="isotonic")
n_bins = page.slider("bins", "Reliability bins", 2, 30, 10)
strategy = page.select("strategy", "Binning", cal.STRATEGIES,
                       format_func={"uniform": "equal width", "quantile": "equal mass"}.get)
t = page.slider("t", "Break-even CTR t = cost ÷ value of a click", 0.02, 0.9, 0.25, step=0.01,
                help="Show an item (or win an auction) only when pCTR × value > cost.")
blend_cal = page.toggle("blend_cal", "Calibrate the new click head before blending", False)


@cached()
def click_data(seed: int) -> cal.ClickData:
    return cal.click_splits(seed)


@cached("Training the ranker…")
def trained_scores(seed: int, model: str, w: float) -> tuple[np.ndarray, np.ndarray, int]:
    data = click_data(seed)
    keep = cal.downsample_mask(data.y_train, w, seed)
    est = cal.train_ranker(data.X_train[keep], data.y_train[keep], model, seed)
    return cal.scores(est, data.X_cal), cal.scores(est, data.X_test), int(keep.sum())


@cached()
def calibrated(seed: int, model: str, w: float, k: float, b: float):
    z_cal, z_test, _ = trained_scores(seed, model, w)
    return cal.calibrate(z_cal, click_data(seed).y_cal, z_test, w, k, b)


@cached("Simulating the A/B test…")
def blend_ab(calibrate: bool, w: float, seed: int) -> blend.BlendExperiment:
    return blend.simulate_blend_ab(calibrate=calibrate, w=w, seed=seed)


st.subheader("The headline: an A/B test that stops making sense")
ab_run = page.guard(blend_ab, blend_cal, w, seed)
if ab_run is not None:
    ctl, trt, rd = ab_run.control, ab_run.treatment, ab_run.read
    st.caption(f"A feed ranks by p(click) + λ·p(watch), λ = {blend.LAMBDA:g}, tuned for probabilities. The A/B test "
               f"swaps in a new click head trained with negatives kept at w = {w:.2f}"
               + (", Platt-calibrated on held-out traffic." if blend_cal else ", its scores read as probabilities."))
    c = st.columns(4)
    page.metric("Click-head AUC (current → new)", f"{ctl.auc:.3f} → {trt.auc:.3f}", container=c[0])
    page.metric("Mean p(click) of the new head", f"{trt.mean_p_click:.1%}",
                delta=f"true CTR {ab_run.true_ctr:.1%}", delta_color="off", delta_arrow="off", container=c[1])
    page.metric("A/B: value per impression", f"{rd.relative:+.1%}",
                delta=f"95% CI {rd.lo / rd.control:+.1%} … {rd.hi / rd.control:+.1%}", delta_color="off",
                delta_arrow="off", container=c[2], headline=True)
    page.metric("Candidates above the quality threshold", f"{ctl.above_threshold:.0%} → {trt.above_threshold:.0%}",
                container=c[3])
    if not ab_run.consistent:
        st.error(f"The new head ranks clicks better offline (AUC {ctl.auc:.3f} → {trt.auc:.3f}) yet loses "
                 f"the A/B test ({rd.relative:+.1%} value): its inflated p(click) outweighs p(watch) in the "
                 f"blend, so clicks go {ctl.click_rate:.1%} → {trt.click_rate:.1%} and long watches "
                 f"{ctl.watch_rate:.1%} → {trt.watch_rate:.1%}, and a threshold tuned on probabilities lets "
                 f"{trt.above_threshold:.0%} of candidates through. AUC cannot see calibration.")
    else:
        st.success(("Calibrated heads: the blend means what it meant, " if blend_cal else
                    f"At w = {w:.2f} the new head's scores are close enough to probabilities: ")
                   + f"the better head wins the A/B test ({rd.relative:+.1%} value) and the decision agrees "
                   "with the offline AUC. Its AUC is the same calibrated or not (Platt is monotone).")

data = click_data(seed)


def scored() -> tuple:
    """Training rows kept, the fitted calibrators, every variant scored, and the oracle."""
    probs, fitted = calibrated(seed, model, w, k, b)
    return (trained_scores(seed, model, w)[2], fitted, cal.score_all(probs, data, n_bins, strategy, t),
            cal.oracle(data, n_bins, strategy, t))


n_kept, fitted, variants, truth = page.guard(scored) or (None,) * 4

if variants is not None:
    naive = variants["naive"]
    prod = variants["corrected" if method == "none" else method]
    prod_name = "corrected only" if method == "none" else f"corrected + {method}"
    true_ctr = float(data.y_test.mean())

    st.subheader("Naive vs production, on the same test impressions")
    st.caption(f"Naive: the scores of a model trained with negatives kept at w = {w:.2f}, read as "
               f"probabilities. Production: downsampling corrected, then {method} fit on a held-out "
               "split of full traffic.")
    c = st.columns(4)
    page.metric("ECE (naive)", f"{naive.table.ece:.3f}", container=c[0], headline=True)
    page.metric("ECE (production)", f"{prod.table.ece:.3f}",
                delta=f"{prod.table.ece - naive.table.ece:+.3f}", delta_color="inverse",
                container=c[1], headline=True)
    page.metric("Predicted CTR (naive)", f"{naive.mean_p:.1%}",
                delta=f"{naive.mean_p / true_ctr:.2f}× the true CTR", delta_color="off", container=c[2])
    page.metric("Predicted CTR (production)", f"{prod.mean_p:.1%}",
                delta=f"true CTR {true_ctr:.1%}", delta_color="off", container=c[3])
    c = st.columns(3)
    page.metric("AUC (naive → production)", f"{naive.auc:.3f} → {prod.auc:.3f}", container=c[0])
    page.metric("Log loss (naive → production)", f"{naive.log_loss:.3f} → {prod.log_loss:.3f}",
                container=c[1])
    page.metric("Brier (naive → production)", f"{naive.brier:.3f} → {prod.brier:.3f}", container=c[2])
    page.record("ECE of the true probabilities (noise floor)", f"{truth.table.ece:.4f}")

    # ---- reliability diagram ----
    fig = make_subplots(rows=2, cols=1, shared_xaxes=True, row_heights=[0.72, 0.28],
                        vertical_spacing=0.06)
    fig.add_scatter(x=[0, 1], y=[0, 1], mode="lines", line=dict(dash="dash", color="grey"),
                    name="perfectly calibrated", row=1, col=1)
    for v, label, color in ((naive, "naive", "#d62728"), (prod, prod_name, "#2ca02c")):
        fig.add_scatter(x=v.table.mean_pred, y=v.table.frac_pos, mode="lines+markers", name=label,
                        line=dict(color=color), customdata=v.table.counts,
                        hovertemplate="mean pCTR %{x:.3f}<br>click rate %{y:.3f}<br>n = %{customdata}",
                        row=1, col=1)
        centers = (v.table.edges[:-1] + v.table.edges[1:]) / 2
        fig.add_bar(x=centers, y=v.table.counts, width=np.diff(v.table.edges) * 0.45,
                    marker_color=color, opacity=0.7, showlegend=False, name=f"{label} count",
                    row=2, col=1)
    fig.update_layout(height=520, title="Reliability diagram (test split) and impressions per bin",
                      barmode="group", legend_orientation="h", legend_y=1.02)
    fig.update_yaxes(title="observed click rate", range=[0, 1], row=1, col=1)
    fig.update_yaxes(title="impressions", row=2, col=1)
    fig.update_xaxes(title="predicted CTR", range=[0, 1], row=2, col=1)
    page.chart(fig)
    if method == "temperature" and abs(b) >= 0.5:
        st.info("Temperature scaling only rescales the log-odds (no intercept): it cannot undo a "
                "shift b. Try Platt or isotonic.")
    if w < 1 and variants["corrected"].table.ece > 0.05:
        st.info(f"The downsampling correction alone leaves ECE at {variants['corrected'].table.ece:.3f}: "
                "it is exact only for a model that fit the downsampled data well, and with this few "
                "negatives (or these distorted scores) it did not. A calibrator fit on held-out "
                "traffic still fixes it.")
    if prod.table.ece > variants["corrected"].table.ece + 0.005 and method != "none":
        st.info(f"Here {method} is worse than the downsampling correction alone: a calibrator "
                "fit on finite held-out data adds its own error.")

    rows = [("true p (oracle)", truth), ("naive", naive)] + [
        (name if name != "corrected" else "corrected only", variants[name])
        for name in ("corrected", "platt", "isotonic", "temperature")]
    table = pd.DataFrame([{
        "scores": name, "mean pCTR": v.mean_p, "ECE": v.table.ece, "Brier": v.brier,
        "log loss": v.log_loss, "AUC": v.auc, "wrong decisions": v.decision.wrong,
        "value lost / 1k": v.decision.regret, "bid ÷ fair bid": v.decision.bid_ratio,
    } for name, v in rows])
    st.markdown("**Every calibrator on the same scores** (production rows = downsampling correction "
                "then the calibrator). Platt and temperature are strictly increasing maps, so AUC is "
                "unchanged; isotonic regression is a step function whose ties can move AUC (here "
                f"{variants['corrected'].auc:.4f} → {variants['isotonic'].auc:.4f}). The true-p row is the floor: even the true probabilities "
                f"show ECE {truth.table.ece:.4f} on {len(data.y_test):,} test impressions (noise).")
    st.dataframe(table.style.format({
        "mean pCTR": "{:.3f}", "ECE": "{:.4f}", "Brier": "{:.4f}", "log loss": "{:.4f}", "AUC": "{:.4f}",
        "wrong decisions": "{:.1%}", "value lost / 1k": "{:.1f}", "bid ÷ fair bid": "{:.2f}"}),
        hide_index=True, width="stretch")

    # ---- downsampling ----
    st.subheader("Negative downsampling and its correction")
    left, right = st.columns([1, 2])
    page.metric("Training rows kept", f"{n_kept:,} of {len(data.y_train):,}", container=left)
    page.metric("Click rate the model saw", f"{float(cal.inflated(true_ctr, w)):.1%}",
                delta=f"true {true_ctr:.1%}", delta_color="off", container=left,
                help="The click rate after downsampling, p/(p + (1 − p)·w) at the true CTR.")
    grid = np.linspace(0.001, 0.999, 200)
    fig = go.Figure()
    fig.add_scatter(x=grid, y=grid, mode="lines", line=dict(dash="dash", color="grey"), name="p")
    fig.add_scatter(x=grid, y=cal.inflated(grid, w), mode="lines", name="p′ = p / (p + (1−p)·w)",
                    line=dict(color="#d62728"))
    for v, label, color in ((naive, "naive model", "#d62728"), (variants["corrected"], "model + correction q", "#2ca02c")):
        true_mean, pred_mean = cal.by_true_probability(data.p_test, v.p)
        fig.add_scatter(x=true_mean, y=pred_mean, mode="markers", name=label, marker=dict(color=color, size=8))
    fig.update_layout(height=400, title=f"What a model trained at w = {w:.2f} predicts (by true CTR)",
                      xaxis_title="true CTR", yaxis_title="predicted CTR",
                      legend=dict(x=0.98, y=0.02, xanchor="right", yanchor="bottom",
                                  bgcolor="rgba(255,255,255,0.8)"))
    page.chart(fig, container=right)

    # ---- downstream ----
    st.subheader("Why it matters downstream: a threshold and a bid")
    c = st.columns(3)
    page.metric("Wrong show/skip decisions", f"{naive.decision.wrong:.1%} → {prod.decision.wrong:.1%}",
                container=c[0], headline=True)
    page.metric("Value lost per 1k impressions", f"{naive.decision.regret:.1f} → {prod.decision.regret:.1f}",
                container=c[1], help="In units of the value of one click, against deciding with the true CTR.")
    page.metric("Bid ÷ fair bid", f"{naive.decision.bid_ratio:.2f} → {prod.decision.bid_ratio:.2f}",
                container=c[2], help="A bid of value × pCTR: above 1 the advertiser overpays.")
    st.caption(f"Naive → production. An item is shown when pCTR > t = {t:.2f}; AUC is (almost) the same "
               "for both, yet the naive scores make the wrong call far more often and over-bid in an auction.")
    grid_t = np.linspace(0.02, 0.9, 45)
    fig = go.Figure()
    for v, label, color in ((naive, "naive", "#d62728"), (variants["corrected"], "corrected only", "#ff7f0e"),
                            (prod, prod_name, "#2ca02c")):
        fig.add_scatter(x=grid_t, y=[cal.decision_error(v.p, data.p_test, x).regret for x in grid_t],
                        mode="lines", name=label, line=dict(color=color))
    fig.add_vline(x=t, line_dash="dot", line_color="grey", annotation_text=f"t = {t:.2f}")
    fig.update_layout(height=340, title="Value lost per 1k impressions at every break-even CTR",
                      xaxis_title="break-even CTR t = cost ÷ value", yaxis_title="value lost / 1k",
                      legend=dict(x=0.98, y=0.98, xanchor="right"))
    page.chart(fig)

page.math([
    r"\mathrm{ECE} = \sum_{b} \frac{n_b}{N}\,\bigl|\bar y_b - \bar p_b\bigr|"
    + (rf" \quad\Rightarrow\quad {variants['naive'].table.ece:.3f}\ (\text{{naive}}),\ "
       rf"{prod.table.ece:.3f}\ (\text{{production}})" if variants else ""),
    r"\mathrm{Brier} = \frac1N\sum_i (p_i - y_i)^2, \qquad "
    r"\mathrm{LogLoss} = -\frac1N\sum_i y_i\log p_i + (1-y_i)\log(1-p_i)",
    rf"p' = \frac{{p}}{{p + (1-p)\,w}}, \qquad q = \frac{{p'}}{{p' + (1-p')/w}} = p",
    rf"w = {w:.2f}:\quad \operatorname{{logit}} q = \operatorname{{logit}} p' + \log w"
    rf" = \operatorname{{logit}} p' {np.log(w):+.3f}",
    rf"z' = k\,z + b = {k:.2f}\,z {b:+.1f}",
    r"\text{Platt: } \sigma(\alpha z' + \beta), \qquad \text{temperature: } \sigma(z'/T)"
    + (rf"\qquad \alpha = {fitted['platt'].params['alpha']:.3f},\ \beta = {fitted['platt'].params['beta']:+.3f},"
       rf"\ T = {fitted['temperature'].params['T']:.3f}" if variants else ""),
    r"\text{isotonic: the monotone step function } g \text{ minimising } \textstyle\sum_i (g(z'_i) - y_i)^2"
    + (rf"\quad ({fitted['isotonic'].params['steps']}\ \text{{levels}})" if variants else ""),
    rf"s = \hat p_{{\text{{click}}}} + \lambda\,\hat p_{{\text{{watch}}}},\ \lambda = {blend.LAMBDA:g}:\ \text{{an uncalibrated head rescales its term and with it }} \lambda"
    + (rf"\quad (\bar{{\hat p}}_{{\text{{click}}}} = {ab_run.treatment.mean_p_click:.3f}\ \text{{vs true }} {ab_run.true_ctr:.3f})"
       if ab_run is not None else ""),
    rf"\text{{show iff }} \hat p > t = \frac{{\text{{cost}}}}{{\text{{value}}}} = {t:.2f}, \qquad "
    r"\text{regret} = \mathbb{E}\bigl[\max(p - t, 0) - (p - t)\,\mathbb{1}[\hat p > t]\bigr]",
], notes="Predictions are binned on the test split; $n_b$ impressions in bin $b$ with mean prediction "
         "$\\bar p_b$ and click rate $\\bar y_b$. Calibrators are fit on a separate held-out split of "
         "full (not downsampled) traffic.")
page.board({"ranker": ["AUC (naive → production)", "Predicted CTR (production)"],
            "calibrator": ["ECE (naive)", "ECE (production)"], "calibrator>ranker": f"calibrator: {method}"})
page.finish()
