"""Lesson 1: rank a simulated feed by an objective and watch the proxy and the business metric part.
Each section's layout lives in its own ``components.objectives_*`` module."""

import streamlit as st

from components import objectives_frontier, objectives_proxy
from components.objectives_proxy import NAIVE, PRODUCTION, PROXIES, run
from components.page import LessonPage
from playground.recsys import objectives as ob
from scenarios.l01 import PRESETS

page = LessonPage("l01", presets=PRESETS)
seed = page.seed()
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
with page.advanced_controls():
    business = page.select("business", "Business goal (north star)", ob.BUSINESS)
    churn_sens = page.slider("churn", "Churn sensitivity h₁ to a bad week", 0.0, 2.0, 1.0, step=0.1)
    survey_rate = page.slider("survey", "Survey response rate", 0.01, 0.5, 0.1, step=0.01)
    weeks = page.slider("weeks", "Simulated weeks", 2, 26, 12)
    k = page.slider("k", "Feed size k (items per user per week)", 3, 30, 10)
    n_users = page.select_slider("users", "Users", [500, 1000, 2000], default=1000)

chosen = ob.weights_for(objective, (w_click, w_watch, w_survey))
behaviour = ob.Behaviour(bait_pull=bait_pull, bait_regret=bait_regret, churn_sensitivity=churn_sens,
                         survey_rate=survey_rate)
params = (behaviour, weeks, k, seed, n_users)
mine = page.guard(run, chosen, *params)
naive, production = run(NAIVE, *params), run(PRODUCTION, *params)
if mine is not None:
    objectives_proxy.show(page, mine, naive, production, objective, proxy, weeks)
objectives_frontier.show(page, params, business, proxy, naive, production, mine)

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
