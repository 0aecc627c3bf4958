"""Lesson 4's naive-vs-production comparison: ECE, predicted CTR, AUC, log loss and Brier, the
reliability diagram and every calibrator on the same scores (layout only; the numbers come from
:mod:`playground.recsys.calibration`)."""

from __future__ import annotations

import streamlit as st
from plotly.subplots import make_subplots

from components.cache import cached
from components.page import LessonPage
from playground.recsys import calibration as cal


@cached()
def click_data(seed: int) -> cal.ClickData:
    return cal.click_splits(seed)


@cached("Training the ranker…")
def trained_scores(seed: int, model: str, w: float) -> tuple:
    data = click_data(seed)
    keep = cal.downsample_mask(data.y_train, w, seed)
    est = cal.train_ranker(data.X_train[keep], data.y_train[keep], model, seed)
    return cal.scores(est, data.X_cal), cal.scores(est, data.X_test), int(keep.sum())


@cached()
def calibrated(seed: int, model: str, w: float, k: float, b: float):
    z_cal, z_test, _ = trained_scores(seed, model, w)
    return cal.calibrate(z_cal, click_data(seed).y_cal, z_test, w, k, b)


@cached()
def report(seed: int, model: str, w: float, k: float, b: float, n_bins: int, strategy: str,
           t: float) -> cal.CalibrationReport:
    return cal.calibration_report(click_data(seed), *calibrated(seed, model, w, k, b), n_bins, strategy, t)


def production(rep: cal.CalibrationReport, method: str) -> tuple[cal.Variant, str]:
    """The production design (downsampling correction, then ``method``) and its label."""
    if method == "none":
        return rep.variants["corrected"], "corrected only"
    return rep.variants[method], f"corrected + {method}"


def show_numbers(page: LessonPage, rep: cal.CalibrationReport, data: cal.ClickData, method: str, w: float,
                 b: float) -> None:
    """ECE, predicted CTR, AUC, log loss and Brier, naive vs production, and what the calibrator
    cannot fix here."""
    variants, truth = rep.variants, rep.oracle
    naive, (prod, _) = variants["naive"], production(rep, method)
    true_ctr = data.test_ctr
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
    page.metric("Log loss (naive → production)", f"{naive.log_loss:.3f} → {prod.log_loss:.3f}", container=c[1])
    page.metric("Brier (naive → production)", f"{naive.brier:.3f} → {prod.brier:.3f}", container=c[2])
    page.record("ECE of the true probabilities (noise floor)", f"{truth.table.ece:.4f}")
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


def show_diagram(page: LessonPage, rep: cal.CalibrationReport, data: cal.ClickData, method: str) -> None:
    """The reliability diagram, naive vs production, and every calibrator on the same scores."""
    variants, truth = rep.variants, rep.oracle
    prod, prod_name = production(rep, method)
    page.chart(_reliability_figure(variants["naive"], prod, prod_name))
    st.markdown("**Every calibrator on the same scores** (production rows = downsampling correction "
                "then the calibrator). Platt and temperature are strictly increasing maps, so AUC is "
                "unchanged; isotonic regression is a step function whose ties can move AUC (here "
                f"{variants['corrected'].auc:.4f} → {variants['isotonic'].auc:.4f}). The true-p row is the floor: even the true probabilities "
                f"show ECE {truth.table.ece:.4f} on {len(data.y_test):,} test impressions (noise).")
    st.dataframe(rep.table().style.format({
        "mean pCTR": "{:.3f}", "ECE": "{:.4f}", "Brier": "{:.4f}", "log loss": "{:.4f}", "AUC": "{:.4f}",
        "wrong decisions": "{:.1%}", "value lost / 1k": "{:.1f}", "bid ÷ fair bid": "{:.2f}"}),
        hide_index=True, width="stretch")


def _reliability_figure(naive: cal.Variant, prod: cal.Variant, prod_name: str):
    fig = make_subplots(rows=2, cols=1, shared_xaxes=True, row_heights=[0.72, 0.28], vertical_spacing=0.06)
    fig.add_scatter(x=[0, 1], y=[0, 1], mode="lines", line=dict(dash="dash", color="grey"),
                    name="perfectly calibrated", row=1, col=1)
    for v, label, color in ((naive, "naive", "#d62728"), (prod, prod_name, "#2ca02c")):
        fig.add_scatter(x=v.table.mean_pred, y=v.table.frac_pos, mode="lines+markers", name=label,
                        line=dict(color=color), customdata=v.table.counts,
                        hovertemplate="mean pCTR %{x:.3f}<br>click rate %{y:.3f}<br>n = %{customdata}",
                        row=1, col=1)
        fig.add_bar(x=v.table.centers, y=v.table.counts, width=v.table.widths * 0.45,
                    marker_color=color, opacity=0.7, showlegend=False, name=f"{label} count", row=2, col=1)
    fig.update_layout(height=520, title="Reliability diagram (test split) and impressions per bin",
                      barmode="group")
    fig.update_yaxes(title="observed click rate", range=[0, 1], row=1, col=1)
    fig.update_yaxes(title="impressions", row=2, col=1)
    fig.update_xaxes(title="predicted CTR", range=[0, 1], row=2, col=1)
    return fig
