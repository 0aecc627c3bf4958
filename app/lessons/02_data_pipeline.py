"""Lesson 2: switch pipeline steps to their naive version and watch offline AUC lie about online AUC."""

import plotly.graph_objects as go
import streamlit as st

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
st.sidebar.markdown("**The log**")
eta = page.slider("eta", "Position bias η (P(examine k) = k^-η)", 0.0, 2.0, 1.0, step=0.25)
n_users = page.select_slider("users", "Users", [300, 1000, 1500], default=1000)

mine = pl.Pipeline(leak=leak, join=join, skew=skew, position=position, negatives=negatives,
                   neg_per_pos=neg_per_pos)


@cached()
def event_log(users: int, eta: float, seed: int) -> pl.EventLog:
    """The simulated log; its memo keeps built rows and trained results between reruns."""
    return pl.make_log(pl.LogConfig(n_users=users, position_bias=eta), seed=seed)


def pipelines() -> tuple:
    """The log, its fault table, the chosen pipeline's result and the production pipeline's result."""
    log = event_log(n_users, eta, seed)
    return (log, pl.fault_table(log, seed=seed, neg_per_pos=neg_per_pos), pl.evaluate(log, mine, seed=seed),
            pl.evaluate(log, pl.PRODUCTION, seed=seed))


with st.spinner("Simulating the log and training one ranker per pipeline…"):
    log, table, result, production = page.guard(pipelines) or (None,) * 4

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

if table is not None:
    shown = table.copy()
    if mine.naive_steps():
        shown.loc[len(shown)] = ["Your pipeline", result.offline_auc, result.online_auc, result.gap]
    fig = go.Figure()
    fig.add_bar(x=shown.pipeline, y=shown.offline_auc, name="offline AUC (same pipeline's last week)",
                marker_color="#9ecae1", text=shown.offline_auc, texttemplate="%{text:.3f}",
                textposition="outside")
    fig.add_bar(x=shown.pipeline, y=shown.online_auc, name="online AUC (next week, built correctly)",
                marker_color="#08519c", text=shown.online_auc, texttemplate="%{text:.3f}",
                textposition="outside")
    fig.add_hline(y=0.5, line_dash="dot", annotation_text="random ranking",
                  annotation_position="bottom left")
    fig.update_layout(barmode="group", height=460, yaxis_range=[0.4, 1.05], yaxis_title="AUC",
                      title="Production vs each naive step alone: offline AUC against online AUC",
                      legend_orientation="h", legend_y=-0.25)
    page.chart(fig, hero=True)
    by_name = table.set_index("pipeline")
    base = by_name.loc["Production (all correct)"]
    faults = by_name.loc[list(pl.FAULTS.values())]
    worse_online = faults.online_auc < base.online_auc - 0.005
    liars = faults[(faults.offline_auc > base.offline_auc + 0.01) & worse_online]
    hidden = faults[((faults.offline_auc - base.offline_auc).abs() <= 0.01) & worse_online]
    notes = []
    if len(liars):
        notes.append(f"{', '.join(liars.index)}: offline AUC goes *up* while online AUC goes down.")
    if len(hidden):
        notes.append(f"{', '.join(hidden.index)}: invisible offline (the offline rows use the training "
                     "definition), online AUC goes down.")
    harmless = faults.index.difference(liars.index.union(hidden.index))
    if len(harmless):
        notes.append(f"{', '.join(harmless)}: no clear harm in this log.")
    st.caption(" ".join(notes))
    for row in table.itertuples():
        page.record(f"{row.pipeline}: offline / online AUC", f"{row.offline_auc:.3f} / {row.online_auc:.3f}")
    ex = st.expander("The chart's numbers (table)")
    ex.dataframe(table.rename(columns={"pipeline": "Pipeline", "offline_auc": "Offline AUC",
                                       "online_auc": "Online AUC", "gap": "Offline − online"}),
                 hide_index=True, width="stretch",
                 column_config={c: st.column_config.NumberColumn(format="%.3f")
                                for c in ("Offline AUC", "Online AUC", "Offline − online")})

    left, right = st.columns(2)
    example = log.cached("join_example", lambda: pl.join_example(log))
    jfig = go.Figure()
    jfig.add_scatter(x=example.ts, y=example.as_of, mode="lines+markers", line_shape="hv",
                     name="as-of join (merge_asof)")
    jfig.add_scatter(x=example.ts, y=example.latest, mode="lines", name="latest snapshot (naive)",
                     line=dict(dash="dash", color="#d62728"))
    clicked = example[example.click == 1]
    jfig.add_scatter(x=clicked.ts, y=clicked.latest, mode="markers", name="rows that were clicks",
                     marker=dict(symbol="star", size=13, color="#d62728"))
    jfig.update_layout(height=380, title=f"One user × topic, {len(example)} rows: their feature",
                       yaxis_title="user_topic_ctr", legend_orientation="h", legend_y=-0.3)
    page.chart(jfig, container=left)
    left.caption(f"The naive join gives every row {example.latest.iloc[0]:.3f}, a value computed from "
                 f"these same rows' {int(example.click.sum())} clicks: the label is inside the feature.")

    by_pos = log.cached("position_ctr", lambda: pl.position_ctr(log))
    pfig = go.Figure()
    pfig.add_bar(x=by_pos.position, y=by_pos.ctr, name="logged CTR")
    pfig.add_scatter(x=by_pos.position, y=by_pos.relevance, mode="lines+markers",
                     name="CTR if every slot were seen (true relevance)")
    pfig.update_layout(height=380, title=f"Clicks by position (η = {eta:g})", xaxis_title="position",
                       yaxis_title="click rate", yaxis_tickformat=".0%", legend_orientation="h",
                       legend_y=-0.3)
    page.chart(pfig, container=right)
    right.caption(f"Position 1 is clicked {by_pos.ctr.iloc[0] / by_pos.ctr.iloc[-1]:.1f}× as often as "
                  f"position {int(by_pos.position.iloc[-1])}, though its items are only "
                  f"{by_pos.relevance.iloc[0] / by_pos.relevance.iloc[-1]:.2f}× as relevant: the old "
                  "ranker put popular items on top, so raw clicks teach popularity.")

    with st.expander("The pipeline steps, naive vs production"):
        st.markdown(
            "| Step | Naive | Production |\n|---|---|---|\n"
            "| Label leakage | `dwell` seconds (logged after the click) is a feature | only values known "
            "at request time |\n"
            "| Join | every row gets the latest snapshot (built after the rows) | `pd.merge_asof(rows, "
            "snapshots, by=key, direction='backward')` |\n"
            "| Train/serve skew | serving re-implements `user_topic_ctr` (unsmoothed, in %) | one "
            "shared feature definition |\n"
            "| Position bias | raw clicks, position ignored | position is a training feature, set to "
            "the top slot when serving |\n"
            f"| Negatives | {neg_per_pos} random catalogue items per click | impressed but not clicked |")

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
