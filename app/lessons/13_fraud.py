"""Lesson 13: real-time fraud detection: PR vs ROC under imbalance, a threshold from asymmetric
costs, streaming velocity features, and adversarial drift after ship."""

import numpy as np
import pandas as pd
import plotly.express as px
import plotly.graph_objects as go
import streamlit as st
from plotly.subplots import make_subplots

from components.cache import cached
from components.fraud_labels import labels_section
from components.page import LessonPage
from playground.cases import fraud
from scenarios.l13 import PRESETS

RATES = [0.001, 0.002, 0.005, 0.01, 0.02, 0.05]
RATE_SWEEP = (0.05, 0.02, 0.01, 0.005, 0.002, 0.001)
THRESHOLD_RULES = ("minimum expected cost", "0.5", "manual")

page = LessonPage("l13", presets=PRESETS)
seed = page.seed()
st.sidebar.markdown("**Data and model**")
rate = page.select_slider("rate", "Fraud rate", RATES, 0.005, format_func=lambda r: f"{r:.1%}")
handling = page.select("handling", "Class imbalance handling", fraud.HANDLING,
                       help="All three are trained; this picks the one the threshold section uses.")
st.sidebar.markdown("**Costs and threshold**")
friction = page.slider("friction", "Cost of a false decline ($)", 1.0, 50.0, 10.0, step=1.0)
with page.advanced_controls():
    fee = page.slider("fee", "Chargeback fee on top of the amount ($)", 0.0, 50.0, 15.0, step=1.0)
use_t = page.select("use_t", "Decision threshold", THRESHOLD_RULES)
manual = page.slider("thr", "Manual threshold", 0.0, 1.0, 0.5, step=0.01) if use_t == "manual" else None
st.sidebar.markdown("**After ship**")
drift = page.slider("drift", "Share of fraudsters who adapt", 0.0, 1.0, 0.8, step=0.1)
delay = page.slider("delay", "Label delay (days until a chargeback arrives)", 0, 28, 7)


@cached("Simulating eight weeks of transactions …")
def stream(rate, drift, seed):
    return fraud.simulate_transactions(rate, drift, seed=seed)


@cached("Training three models (plain, class weights, undersampling) …")
def static_scores(rate, drift, seed):
    return fraud.static_split_scores(stream(rate, drift, seed), seed)


@cached("Training on batch (leaky) velocity features …")
def leakage(rate, drift, seed):
    return fraud.leakage_check(stream(rate, drift, seed), seed)


@cached("Retraining week by week on delayed labels …")
def drift_scores(rate, drift, delay, seed):
    return fraud.weekly_scores(stream(rate, drift, seed), delay, seed)




def thin(n: int, keep: int = 1500) -> np.ndarray:
    """Indices of at most ``keep`` evenly spaced points of a curve (plotting only)."""
    return np.unique(np.linspace(0, n - 1, min(n, keep)).astype(int))


formulas: list[str] = []
_tabs = page.tabs("view", ['1 · Class imbalance: ROC flatters, PR tells the truth', '2 · The threshold comes from the cost of each mistake', '3 · Velocity features: streaming, never the future', '4 · After ship: fraudsters adapt, the model decays', '5 · Selective labels: declines never get a label'], default='2 · The threshold comes from the cost of each mistake')
with _tabs[0]:


    def imbalance() -> tuple:
        """Held-out scores, their ROC/PR curves, the cost curve and the confusion at the threshold."""
        test, scores = static_scores(rate, drift, seed)
        y, amount = test["fraud"].to_numpy(), test["amount"].to_numpy()
        curves = {h: fraud.curves(y, s) for h, s in scores.items()}
        chosen = curves[handling]
        p = scores[handling]
        cc = fraud.cost_curve(y, p, amount, friction, fee)
        threshold = {"minimum expected cost": float(cc.thresholds[cc.best]), "0.5": 0.5}.get(use_t, manual)
        conf = fraud.confusion_at(y, p, threshold)
        return test, scores, y, amount, curves, chosen, p, cc, threshold, conf


    test, scores, y, amount, curves, chosen, p, cc, threshold, conf = page.guard(imbalance) or (None,) * 10
    if test is not None:
        cols = st.columns(4)
        page.metric("Fraud rate (held-out week)", f"{y.mean():.2%}", container=cols[0])
        page.metric("ROC-AUC", f"{chosen.roc_auc:.3f}", container=cols[1], headline=True)
        page.metric("PR-AUC (average precision)", f"{chosen.average_precision:.3f}", container=cols[2], headline=True)
        per_catch = conf["fp"] / conf["tp"] if conf["tp"] else float("inf")
        page.metric("False declines per catch", f"{per_catch:.1f}", container=cols[3])

        left, right = st.columns(2)
        roc = go.Figure()
        pr = go.Figure()
        for h, c in curves.items():
            i = thin(len(c.recall))
            roc.add_scatter(x=np.r_[0, c.fpr[i]], y=np.r_[0, c.recall[i]], mode="lines", name=f"{h} ({c.roc_auc:.3f})")
            pr.add_scatter(x=c.recall[i], y=c.precision[i], mode="lines", name=f"{h} ({c.average_precision:.3f})")
        roc.add_scatter(x=[0, 1], y=[0, 1], mode="lines", line_dash="dot", line_color="grey", name="random")
        pr.add_hline(y=y.mean(), line_dash="dot", line_color="grey", annotation_text="random = fraud rate")
        for fig in (roc, pr):
            fig.add_scatter(x=[conf["fpr"] if fig is roc else conf["recall"]],
                            y=[conf["recall"] if fig is roc else conf["precision"]], mode="markers",
                            marker=dict(size=13, symbol="x", color="black"), name=f"threshold {threshold:.3g}")
        roc.update_layout(title="ROC (AUC in legend)", xaxis_title="false-positive rate", yaxis_title="recall",
                          height=460, legend=dict(orientation="h", y=-0.3))
        pr.update_layout(title="Precision–recall (AP in legend)", xaxis_title="recall", yaxis_title="precision",
                         height=460, legend=dict(orientation="h", y=-0.3), yaxis_range=[0, 1.02])
        page.chart(roc, container=left)
        page.chart(pr, container=right)

        sweep = fraud.prevalence_sweep(y, p, RATE_SWEEP)
        low = sweep.iloc[-1]
        st.caption(f"Same model and scores, legit transactions re-weighted to other fraud rates: ROC-AUC stays "
                   f"{low['ROC-AUC']:.3f} at 0.1 % while PR-AUC falls to {low['PR-AUC']:.3f}. ROC's x-axis divides "
                   "false alarms by the huge number of legit transactions, so thousands of them look like a "
                   "tiny FPR; precision counts them against the few frauds.")
        page.record("ROC-AUC at 0.1 % (re-weighted)", f"{low['ROC-AUC']:.3f}")
        page.record("PR-AUC at 0.1 % (re-weighted)", f"{low['PR-AUC']:.3f}")
        sw = px.line(sweep.melt(id_vars="fraud rate", var_name="metric", value_name="value"), x="fraud rate",
                     y="value", color="metric", markers=True, log_x=True, height=320,
                     title="One model, rarer fraud: ROC-AUC holds, PR-AUC collapses")
        sw.update_layout(yaxis_range=[0, 1.02], xaxis=dict(tickvals=list(RATE_SWEEP), tickformat=".1%"))
        page.chart(sw)
        formulas += [
            rf"\mathrm{{AP}} = \sum_n (R_n - R_{{n-1}})\,P_n = {chosen.average_precision:.3f},\quad "
            rf"\mathrm{{ROC\text{{-}}AUC}} = \int \mathrm{{TPR}}\, d\,\mathrm{{FPR}} = {chosen.roc_auc:.3f}",
            rf"\text{{at }} t = {threshold:.3g}:\ P = \frac{{TP}}{{TP+FP}} = \frac{{{conf['tp']}}}{{{conf['tp']}+{conf['fp']}}}"
            rf",\ \ \mathrm{{FPR}} = \frac{{FP}}{{FP+TN}} = \frac{{{conf['fp']}}}{{{conf['fp'] + conf['tn']}}} = {conf['fpr']:.4f}",
        ]

with _tabs[1]:


    def threshold_costs() -> tuple:
        """Expected cost at the chosen threshold and at 0.5."""
        n = len(y)
        cost_now = fraud.cost_at(y, p, amount, threshold, friction, fee)
        cost_half = fraud.cost_at(y, p, amount, 0.5, friction, fee)
        return n, cost_now, cost_half


    n, cost_now, cost_half = (page.guard(threshold_costs) if y is not None else None) or (None,) * 3
    if n is not None:
        cols = st.columns(4)
        page.metric("Cost per 1k transactions", f"${1000 * cost_now / n:.0f}", container=cols[0], headline=True,
                    help=f"Declining score ≥ {threshold:.3g}.")
        page.metric("…at threshold 0.5", f"${1000 * cost_half / n:.0f}", container=cols[1])
        page.metric("…approving everything", f"${1000 * cc.cost[0] / n:.0f}", container=cols[2])
        page.metric("Recall / precision", f"{conf['recall']:.0%} / {conf['precision']:.0%}", container=cols[3])
        if use_t == "0.5" and cost_half > 1.1 * cc.cost[cc.best]:
            page.verdict(False, f"Threshold 0.5 costs ${1000 * (cost_half - cc.cost[cc.best]) / n:.0f} per 1,000 transactions "
                     f"more than the minimum-cost threshold {cc.thresholds[cc.best]:.3g}: 0.5 means 'a miss and a "
                     "false decline cost the same', which they never do.")
        if handling != "none":
            st.info(f"'{handling}' inflates the scores: they are no longer probabilities, so the threshold must be "
                    "read off the cost curve (or the scores re-calibrated), never set from first principles.")
        else:
            bayes = fraud.bayes_decline(p, amount, friction, fee)
            bayes_cost = fraud.cost_at(y, bayes.astype(float), amount, 0.5, friction, fee)
            page.metric("Amount-aware rule p·(amount+fee) > (1−p)·friction", f"${1000 * bayes_cost / n:.0f} per 1k",
                        help="Calibrated probabilities allow a per-transaction threshold: big baskets get declined "
                             "at a lower fraud probability.")
        finite = np.zeros(len(cc.thresholds), dtype=bool)
        finite[thin(len(cc.thresholds))] = True
        finite &= np.isfinite(cc.thresholds)
        cost_fig = go.Figure()
        thr_axis = np.clip(cc.thresholds[finite], 1e-6, None)
        cost_fig.add_scatter(x=thr_axis, y=1000 * cc.missed_fraud[finite] / n, name="missed fraud (chargebacks)",
                             mode="lines", line=dict(dash="dot", color="#d62728"))
        cost_fig.add_scatter(x=thr_axis, y=1000 * cc.friction[finite] / n, name="false declines (friction)",
                             mode="lines", line=dict(dash="dot", color="#ff7f0e"))
        cost_fig.add_scatter(x=thr_axis, y=1000 * cc.cost[finite] / n, name="expected cost (sum)", mode="lines",
                             line=dict(width=3, color="#1f77b4"))
        upper = 1000 * float(max(cc.cost[0], cost_half)) / n * 1.3
        for x, text, dash, side in ((max(float(cc.thresholds[cc.best]), 1e-6), "minimum", "solid", "top left"), (0.5, "0.5", "dash", "top right")):
            cost_fig.add_vline(x=x, line_color="green" if dash == "solid" else "red", line_dash=dash, annotation_text=text,
                               annotation=dict(x=np.log10(x)), annotation_position=side)  # log axis: the line takes x, its label log10(x)
        cost_fig.update_layout(title="Expected cost per 1,000 transactions vs decline threshold",
                               xaxis_type="log", xaxis_title="decline if score ≥ threshold (log scale)",
                               yaxis_title="$ per 1k", yaxis_range=[0, upper], height=420,
                               legend=dict(orientation="h", y=-0.25))
        page.chart(cost_fig, hero=True)
        formulas += [
            rf"C(t) = \sum_{{\text{{fraud}},\, s < t}} (\text{{amount}} + {fee:g}) + {friction:g}\cdot "
            rf"\#\{{\text{{legit}},\, s \ge t\}} = \${cost_now:,.0f}\ \text{{over {n:,} transactions}}",
            rf"t^\star = \arg\min_t C(t) = {cc.thresholds[cc.best]:.3g},\qquad "
            rf"\text{{decline iff }} p\,(\text{{amount}} + {fee:g}) > (1 - p)\,{friction:g}",
        ]

with _tabs[2]:

    leak = page.guard(leakage, rate, drift, seed)
    if leak is not None:
        cols = st.columns(3)
        page.metric("PR-AUC, streaming features", f"{leak['streaming features, online']:.3f}", container=cols[0],
                    help="Counted in event-time order from the past only: offline = online.")
        page.metric("PR-AUC, batch features offline", f"{leak['batch features, offline']:.3f}", container=cols[1])
        page.metric("PR-AUC, batch features online", f"{leak['batch features, online']:.3f}", container=cols[2],
                    delta=f"{leak['batch features, online'] - leak['batch features, offline']:+.3f} vs offline",
                    headline=True)
        worse = "worse than" if leak["batch features, online"] < leak["streaming features, online"] else "no better than"
        st.caption("The naive pipeline counts a card's transactions per calendar minute / hour / day in a batch "
                   "job: the first purchase of a fraud burst already 'sees' the ones that follow, so offline "
                   "metrics look better than the streaming model's. Live, the feature store only knows the past: "
                   f"the model trained on leaked counts ({leak['batch features, online']:.3f}) is {worse} the honest "
                   f"one ({leak['streaming features, online']:.3f}).")
        leak_fig = px.bar(x=list(leak), y=list(leak.values()), height=300,
                          color=["streaming", "streaming", "batch (leaky)", "batch (leaky)"],
                          title="PR-AUC on the held-out week: offline vs online")
        leak_fig.update_layout(xaxis_title="", yaxis_title="PR-AUC", legend_title="")
        page.chart(leak_fig)
        with st.expander("Velocity features, transaction by transaction"):
            st.markdown("Each count is the card's **earlier** transactions within the window (1 min, 1 h, "
                        "24 h), computed in event-time order: exactly what the feature store knows when the "
                        "payment arrives.")
            busy = test.loc[test["v_24h"] >= 3, "card"].unique()[:3]
            sample = test[test["card"].isin(busy)].sort_values(["card", "t"]).head(12)
            st.dataframe(sample.assign(time=pd.to_datetime(sample["t"], unit="s").dt.strftime("day %d %H:%M:%S"))
                         [["card", "time", *fraud.WINDOWS, "amount", "fraud"]], hide_index=True)
            means = test.groupby("fraud")[list(fraud.WINDOWS)].mean()
            st.caption("Mean velocity, legit vs fraud: " + ", ".join(
                f"{w}: {means.loc[0, w]:.2f} vs {means.loc[1, w]:.2f}" for w in fraud.WINDOWS))
        formulas.append(r"v_w(i) = \#\{\,j < i : \text{card}_j = \text{card}_i,\ t_i - w < t_j \le t_i\,\}"
                        r"\quad\text{vs batch:}\ \#\{\,j \ne i : \text{card}_j = \text{card}_i,\ "
                        r"\lfloor t_j / w \rfloor = \lfloor t_i / w \rfloor\,\}")

with _tabs[3]:


    def decay() -> tuple:
        """Weekly recall and PR-AUC of the frozen and the retrained model."""
        weeks = fraud.weekly_metrics(drift_scores(rate, drift, delay, seed), friction, fee)
        last = weeks[weeks.week >= weeks.week.max() - 1].groupby("model")[["recall", "PR-AUC"]].mean()
        return weeks, last


    weeks, last = page.guard(decay) or (None,) * 2
    if weeks is not None:
        cols = st.columns(3)
        page.metric("Recall, last 2 weeks, frozen model", f"{last.loc['frozen at ship', 'recall']:.0%}",
                    container=cols[0], headline=True)
        page.metric("Recall, last 2 weeks, retrained",
                    f"{last.loc['retrained weekly', 'recall']:.0%}", container=cols[1], headline=True, help=f"Retrained weekly on labels that arrive {delay} days late.")
        page.metric("PR-AUC, frozen → retrained",
                    f"{last.loc['frozen at ship', 'PR-AUC']:.2f} → {last.loc['retrained weekly', 'PR-AUC']:.2f}",
                    container=cols[2])
        fig = make_subplots(rows=1, cols=3, subplot_titles=("recall", "precision", "PR-AUC"))
        colours = {"frozen at ship": "#d62728", "retrained weekly": "#2ca02c"}
        for i, metric_name in enumerate(("recall", "precision", "PR-AUC"), start=1):
            for model_name, group in weeks.groupby("model"):
                fig.add_scatter(x=group["week"], y=group[metric_name], mode="lines+markers", name=model_name,
                                line_color=colours[model_name], showlegend=i == 1, row=1, col=i)
            fig.add_vline(x=fraud.SHIP_DAY / 7, line_dash="dot", line_color="grey", row=1, col=i)
        fig.update_yaxes(range=[0, 1.02])
        fig.update_xaxes(title_text="week")
        fig.update_layout(title=f"Weekly decisions (amount-aware rule); the model ships at week {fraud.SHIP_DAY // 7}",
                          height=400, legend=dict(orientation="h", y=-0.25))
        page.chart(fig)
        adapted = weeks[weeks.model == "frozen at ship"]["adapted share of fraud"].fillna(0).to_numpy()
        st.caption(f"Share of fraud in the adapted style (slow, small, daytime gift cards) by week: "
                   + ", ".join(f"{a:.0%}" for a in adapted) + ". The frozen model learned bursts of big "
                   "electronics purchases; the retrained one learns the new pattern, but only from labels that "
                   f"have arrived: with a {delay}-day delay it is always at least {delay} days behind.")
        if delay >= 21:
            st.warning("With labels three or more weeks late, the retraining window still holds mostly the old "
                       "fraud pattern: retraining recovers little. Shorter label delay (faster chargeback "
                       "feeds, manual review labels) is worth as much as a better model.")
        formulas.append(rf"\text{{train}}_w = [\,7w - {delay} - 14,\ 7w - {delay}\,)\ \text{{days: the last two "
                        rf"weeks whose labels have arrived}}")
with _tabs[4]:
    formulas += labels_section(page, stream(rate, drift, seed), friction, fee, seed)

page.math(formulas, notes="$s$ is the model's score, $t$ the decline threshold; costs in dollars on the "
          "held-out week before ship.")
page.board({"fraud_scorer": ["PR-AUC (average precision)", "Cost per 1k transactions"],
            "stream_features": ["PR-AUC, streaming features", "PR-AUC, batch features online"],
            "review_queue": f"label delay {delay} days"})
page.finish()
