"""Lesson 2: switch pipeline steps to their naive version and watch offline AUC lie about online AUC."""

import plotly.graph_objects as go
import streamlit as st

from components import pipeline_examples, pipeline_faults
from components.cache import cached
from components.page import LessonPage
from playground.recsys import pipeline as pl
from scenarios.l02 import PRESETS

page = LessonPage("l02", presets=PRESETS)
seed = page.seed()
st.sidebar.markdown("**Naive steps in your pipeline** (off = the production step)")
leak = page.toggle("leak", "Label leakage: use dwell time (logged after the click)", False)
join = page.toggle("join", "Non point-in-time join: latest feature snapshot", True)
skew = page.toggle("skew", "Train/serve skew: serving re-implements user CTR", False)
position = page.toggle("position", "Ignore position bias in click labels", False)
negatives = page.toggle("negatives", "Random catalogue items as negatives", False)
neg_per_pos = page.slider("neg", "Random negatives per click", 1, 10, 4)
with page.advanced_controls():
    page.advanced().markdown("**The log**")
    eta = page.slider("eta", "Position bias η (P(examine k) = k^-η)", 0.0, 2.0, 1.0, step=0.25)
    n_users = page.select_slider("users", "Users", [300, 1000, 1500], default=1000)

mine = pl.Pipeline(leak=leak, join=join, skew=skew, position=position, negatives=negatives,
                   neg_per_pos=neg_per_pos)


@cached()
def event_log(users: int, eta: float, seed: int) -> pl.EventLog:
    """The simulated log; its memo keeps built rows and trained results between reruns."""
    return pl.make_log(pl.LogConfig(n_users=users, position_bias=eta), seed=seed)


with st.spinner("Simulating the log and training one ranker per pipeline…"):
    log = page.guard(event_log, n_users, eta, seed)
    compared = None if log is None else page.guard(pl.compare, log, mine, seed=seed)
result, production = (None, None) if compared is None else (compared.mine, compared.production)

if result is not None:
    steps = mine.naive_steps()
    c1, c2, c3, c4 = st.columns(4)
    page.metric("Offline AUC", f"{result.offline_auc:.3f}", container=c1, headline=True,
                help="What the team reports: the last week of the log, built by this same pipeline.")
    page.metric("Online AUC", f"{result.online_auc:.3f}",
                help="What users get: the following week, built correctly, labels from the top slot.",
                delta=f"{result.online_auc - production.online_auc:+.3f} vs production",
                container=c2, headline=True)
    page.metric("Offline overstates online by", f"{result.gap:+.3f}", container=c3)
    page.metric("Training rows", f"{result.n_train:,}", container=c4,
                help=f"{result.positive_rate:.0%} of them are positives (clicks).")
    page.record("Positive share of training rows", f"{result.positive_rate:.1%}")
    if not steps:
        page.verdict(True, f"Production pipeline: offline {result.offline_auc:.3f}, online {result.online_auc:.3f}. "
                   "Offline is even a little pessimistic: its labels still carry position bias, "
                   "the online labels do not.")
    elif result.online_auc < production.online_auc - 0.01:
        page.verdict(False, f"Naive steps: {', '.join(steps)}. Offline says {result.offline_auc:.3f}; users get "
                 f"{result.online_auc:.3f}, {production.online_auc - result.online_auc:.3f} below the "
                 "production pipeline on the same log.")
    else:
        st.warning(f"Naive steps: {', '.join(steps)}. Online AUC {result.online_auc:.3f} is close to "
                   f"production ({production.online_auc:.3f}) in this log; try a stronger position bias η.")

if compared is not None:
    pipeline_faults.show(page, compared, mine)
    pipeline_examples.show(page, log, eta, neg_per_pos)

off = result.offline_auc if result is not None else float("nan")
on = result.online_auc if result is not None else float("nan")
page.math([
    r"x_{\text{as-of}}(r) = x\big(\text{key}_r,\ \max\{s \le t_r\}\big) \quad "
    r"\text{vs}\quad x_{\text{latest}}(r) = x\big(\text{key}_r,\ s_{\text{build}}\big),\ s_{\text{build}} > t_r",
    r"\text{user\_topic\_ctr}(s) = \frac{\text{clicks}_{<s} + 0.3}{\text{impressions}_{<s} + 2}",
    rf"P(\text{{click}} \mid k) = \underbrace{{k^{{-\eta}}}}_{{\text{{examined}}}}\cdot "
    rf"P(\text{{relevant}}),\quad \eta = {eta:g}",
    r"\text{train: } \hat P(\text{click} \mid x, \log k) = F(x, \log k)\quad"
    r"\text{serve and evaluate: } s(x) = F(x, \log 1)",
    rf"\text{{AUC}} = P\big(s(x^+) > s(x^-)\big):\ \text{{offline}} = {off:.3f},\ \text{{online}} = {on:.3f}",
], notes="Rows are point-in-time correct when every feature value was computable at the row's "
         "timestamp $t_r$. AUC is the probability that a random positive outscores a random negative "
         "(scikit-learn `roc_auc_score`); offline it is computed on the last week as the pipeline built "
         "it, online on the following week built correctly, with labels from the top slot. $F$ is a "
         "gradient-boosted tree model (scikit-learn `HistGradientBoostingClassifier`, 30 trees).")
page.board({"pit_join": ["Offline AUC", "Online AUC"], "feature_store": "train/serve skew" if skew else "one definition"})
page.finish()
