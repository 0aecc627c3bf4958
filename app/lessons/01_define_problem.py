"""Lesson 1: rank a simulated feed by an objective and watch the proxy and the business metric part."""

import plotly.graph_objects as go
import streamlit as st
from plotly.subplots import make_subplots

from components.cache import cached
from components.page import LessonPage
from playground.deltas import pp
from playground.recsys import objectives as ob
from scenarios.l01 import PRESETS

PRODUCTION = (0.2, 0.3, 0.5)
NAIVE = ob.OBJECTIVES[ob.Objective.CTR]
# proxy name -> (weekly column, run-level column of the frontier table, number format)
PROXIES = {"CTR": ("ctr", "ctr", ".1%"), "Watch minutes": ("watch_per_user", "watch", ".1f")}

page = LessonPage("l01", presets=PRESETS)
seed = page.seed()
business = page.select("business", "Business goal (north star)", ob.BUSINESS)
proxy = page.select("proxy", "Proxy on the charts", list(PROXIES))
objective = page.select("objective", "Ranking objective (what the model optimises)",
                        list(ob.OBJECTIVES), radio=True)
st.sidebar.markdown("**Weights of the multi-objective** (on standardised predictions)")
st.sidebar.caption("Used when the objective is the weighted multi-objective.")
w_click = page.slider("w_click", "Weight on predicted clicks", 0.0, 1.0, PRODUCTION[0], step=0.05)
w_watch = page.slider("w_watch", "Weight on predicted watch time", 0.0, 1.0, PRODUCTION[1], step=0.05)
w_survey = page.slider("w_survey", "Weight on predicted survey satisfaction", 0.0, 1.0,
                       PRODUCTION[2], step=0.05)
st.sidebar.markdown("**The simulated users**")
bait_pull = page.slider("bait_pull", "Click-bait pull γ (extra click logit)", 0.0, 5.0, 3.0, step=0.5)
bait_regret = page.slider("bait_regret", "Click-bait regret β (satisfaction lost)", 0.0, 5.0, 3.0, step=0.5)
churn_sens = page.slider("churn", "Churn sensitivity h₁ to a bad week", 0.0, 2.0, 1.0, step=0.1)
survey_rate = page.slider("survey", "Survey response rate", 0.01, 0.5, 0.1, step=0.01)
weeks = page.slider("weeks", "Simulated weeks", 2, 26, 12)
k = page.slider("k", "Feed size k (items per user per week)", 3, 30, 10)
n_users = page.select_slider("users", "Users", [500, 1000, 2000], default=1000)

chosen = ob.OBJECTIVES[objective] if objective != ob.Objective.WEIGHTED else (w_click, w_watch, w_survey)
behaviour = ob.Behaviour(bait_pull=bait_pull, bait_regret=bait_regret, churn_sensitivity=churn_sens,
                         survey_rate=survey_rate)
params = (behaviour, weeks, k, seed, n_users)


@cached()
def world(n: int, s: int) -> ob.World:
    """Users and items, fixed by the seed."""
    return ob.make_world(n_users=n, seed=s)


@cached()
def run(weights, behaviour, weeks, k, seed, n):
    """One simulated feed (weekly table and weights)."""
    return ob.simulate(world(n, seed), behaviour, weights, weeks=weeks, k=k, seed=seed)


@cached()
def front(behaviour, weeks, k, seed, n):
    """Every weight on the simplex grid."""
    return ob.frontier(world(n, seed), behaviour, weeks=weeks, k=k, seed=seed)


mine = page.guard(run, tuple(chosen), *params)
naive, production = run(NAIVE, *params), run(PRODUCTION, *params)

if mine is not None:
    first = mine.weekly.iloc[0]
    last = mine.weekly.dropna().iloc[-1]
    c1, c2, c3, c4 = st.columns(4)
    page.metric("CTR, last week", f"{last.ctr:.1%}", delta=f"{pp(last.ctr - first.ctr)} vs week 1",
                container=c1, headline=True)
    page.metric(f"Retention after {weeks} weeks", f"{mine.retention:.0%}",
                delta=f"{pp(mine.retention - production.retention, 0)} vs production", container=c2, headline=True)
    page.metric("Satisfaction per user-week", f"{mine.satisfaction:.2f}",
                delta=f"{mine.satisfaction - production.satisfaction:+.2f} vs production", container=c3)
    page.metric("Watch min per user-week", f"{mine.watch:.1f}", container=c4,
                help="Minutes watched per active user per week, averaged over the run.")
    week_col, run_col, fmt = PROXIES[proxy]
    v = ob.judge(mine, production, week_col)  # one verdict, its colour set by retention alone
    if v.keeps_users:
        page.verdict(True, f"This objective keeps {mine.retention:.0%} of users after {weeks} weeks "
                     f"(naive CTR ranking: {naive.retention:.0%}).")
    else:
        lead = "The proxy climbs" if v.proxy_climbs else "The proxy does not even climb"
        page.verdict(False, f"{lead} ({v.proxy_first:{fmt}} → {v.proxy_last:{fmt}} {proxy} per active user-week) while "
                     f"{1 - mine.retention:.0%} of the users leave: {'the dashboard celebrates while ' if v.proxy_climbs else ''}"
                     f"the business shrinks. The production blend keeps {production.retention:.0%}.")

    fig = make_subplots(rows=3, cols=1, shared_xaxes=True, vertical_spacing=0.06,
                        subplot_titles=(f"Proxy: {proxy} (per active user)",
                                        "Business: share of users still active",
                                        "Mean click-bait propensity of what the feed shows"))
    lines = [("Naive: rank by CTR", naive, "#d62728", "solid"),
             ("Production: 0.2 click · 0.3 watch · 0.5 survey", production, "#2ca02c", "solid"),
             (f"Yours: {objective}", mine, "#1f77b4", "dash")]
    for name, result, colour, dash in lines:
        weekly = result.weekly
        for row, col in enumerate((week_col, "retention", "bait_share"), start=1):
            fig.add_scatter(x=weekly.week, y=weekly[col], name=name, legendgroup=name,
                            showlegend=row == 1, line=dict(color=colour, dash=dash), row=row, col=1)
    fig.update_yaxes(tickformat=".0%" if proxy == "CTR" else "", row=1, col=1)
    fig.update_yaxes(tickformat=".0%", range=[0, 1.02], row=2, col=1)
    fig.update_xaxes(title_text="week", row=3, col=1)
    fig.update_layout(height=640, title="Same users, three objectives, week by week",
                      legend_orientation="h", legend_y=-0.12)
    page.chart(fig, hero=True)

with st.spinner("Simulating every weighting on the grid…"):
    table = front(*params)
y_col = "retention" if business == ob.Business.RETENTION else "satisfaction"
x_col, x_fmt = PROXIES[proxy][1:]
on_front = ob.pareto_mask(table[x_col].to_numpy(), table[y_col].to_numpy())
best = table.loc[table[y_col].idxmax()]
label = [f"click {r.w_click:.2f} · watch {r.w_watch:.2f} · survey {r.w_survey:.2f}"
         for r in table.itertuples()]
ffig = go.Figure()
ffig.add_scatter(x=table[x_col], y=table[y_col], mode="markers", text=label, name="weights on the grid",
                 marker=dict(color=table.w_survey, colorscale="Viridis", size=10,
                             colorbar=dict(title="survey<br>weight")),
                 hovertemplate="%{text}<br>" + proxy + " %{x:" + x_fmt + "}<br>" + business
                 + " %{y:.3f}<extra></extra>")
fr = table[on_front].sort_values(x_col)
ffig.add_scatter(x=fr[x_col], y=fr[y_col], mode="lines", name="trade-off frontier",
                 line=dict(color="grey", dash="dot"))
markers = (("naive", naive, "x"), ("production", production, "diamond"), ("yours", mine, "star"))
for name, result, symbol in markers:
    if result is not None:
        ffig.add_scatter(x=[getattr(result, x_col)], y=[result.business(business)], mode="markers", name=name,
                         marker=dict(symbol=symbol, size=16, line=dict(width=1, color="black")))
ffig.update_layout(height=500, legend_orientation="h", legend_y=-0.2,
                   title=f"Trade-off frontier over {len(table)} weightings: {proxy} vs {business.lower()}",
                   xaxis_title=f"{proxy} over the run (proxy)", yaxis_title=business,
                   xaxis_tickformat=".0%" if proxy == "CTR" else "")
page.chart(ffig)
page.record("Frontier points", str(int(on_front.sum())))
st.caption(f"{int(on_front.sum())} of {len(table)} weightings are on the frontier. The best "
           f"{business.lower()} ({best[y_col]:.3f}) comes from click {best.w_click:.2f} · watch "
           f"{best.w_watch:.2f} · survey {best.w_survey:.2f}; moving right along the frontier buys {proxy} "
           f"with {business.lower()}.")

w = ob.validate_weights(chosen) if mine is not None else (0.0, 0.0, 0.0)
page.math([
    rf"P(\text{{click}}) = \sigma\!\left(c_0 + a_{{ui}} + \gamma\, s_u\, b_i\right),\quad \gamma = {bait_pull:g}",
    rf"\text{{sat}}_{{ui}} = q_i + a_{{ui}} - \beta\, b_i + \varepsilon,\quad \beta = {bait_regret:g}",
    rf"P(\text{{churn}}_u) = \sigma\!\left(h_0 - h_1 \textstyle\sum_{{\text{{clicks}}}} \text{{sat}}\right),"
    rf"\quad h_0 = {behaviour.churn_base:g},\ h_1 = {churn_sens:g}",
    rf"\text{{score}}_{{ui}} = {w[0]:.2f}\, z(\hat p_{{ui}}) + {w[1]:.2f}\, z(\hat p_{{ui}} \hat W_{{ui}})"
    rf" + {w[2]:.2f}\, z(\widehat{{\text{{sat}}}}_{{ui}})",
    r"\hat p_{ui} = \sigma\!\left(\operatorname{logit} p^{\text{aff}}_{ui} + \log\frac{\text{clicks}_i + m}"
    r"{\text{expected}_i + m}\right)",
    rf"\text{{retention}}_{{{weeks}}} = {mine.retention if mine is not None else float('nan'):.3f},\quad"
    rf"\text{{CTR}} = {mine.ctr if mine is not None else float('nan'):.3f}",
], notes="Affinity $a_{ui}$, quality $q_i$, click-bait $b_i$ and each user's susceptibility $s_u$ are "
         "hidden from the ranker. It learns each item's offset from what it logs (observed vs expected "
         "clicks, minutes and survey answers, with $m = 5$ pseudo-counts), so a bait item that beats its "
         "expected clicks is promoted the next week: the feedback loop. $z(\\cdot)$ standardises each "
         "prediction so the weights are comparable.")
page.board({"objective": [f"Retention after {weeks} weeks", "CTR, last week", "Satisfaction per user-week"],
            "objective>pit_join": f"objective: {objective}"})
page.finish()
