"""Lesson 12: ad CTR prediction: GSP auction with a mis-calibrated pCTR, and counterfactual
evaluation of a new policy from logged propensities."""

import plotly.express as px
import plotly.graph_objects as go
import streamlit as st

from components.cache import cached
from components.page import LessonPage
from playground.cases import ads, ctr_model
from playground.deltas import pp
from scenarios.l12 import PRESETS

LOG_SIZES = [1000, 2000, 5000, 10000, 20000]
CTR_IMPRESSIONS = 40_000
REPLICATES = 100
SWEEP_REPLICATES = 30

page = LessonPage("l12", presets=PRESETS)
seed = page.seed()
st.sidebar.markdown("**Auction**")
n_bidders = page.slider("bidders", "Advertisers per auction", 2, 50, 10)
slots = page.slider("slots", "Ad slots", 1, 5, 3)
scale = page.slider("scale", "pCTR scale on the mis-calibrated segment", 0.25, 4.0, 3.0, step=0.05,
                           help="pCTR = true CTR × scale for these advertisers (1 = calibrated).")
share = page.slider("share", "Share of advertisers mis-calibrated", 0.0, 1.0, 0.5, step=0.05)
with page.advanced_controls():
    noise = page.slider("noise", "pCTR noise (σ of log error)", 0.0, 1.5, 0.6, step=0.05)
    reserve = page.slider("reserve", "Reserve eCPM ($ per impression)", 0.0, 0.05, 0.01, step=0.005,
                          format="%.3f")
    st.sidebar.markdown("**Counterfactual logging**")
kind = page.select("kind", "Logging policy", ads.LOGGING_KINDS)
if kind == "epsilon-greedy":
    explore = page.slider("eps", "Exploration rate ε", 0.0, 1.0, 0.1, step=0.01)
else:
    explore = page.slider("tau", "Softmax temperature τ", 0.1, 5.0, 0.5, step=0.1)
with page.advanced_controls():
    n_logged = page.select_slider("n", "Logged impressions per log", LOG_SIZES, 5000)
    st.sidebar.markdown("**CTR model**")
    cross = page.toggle("cross", "Feature cross advertiser × device", True,
                        help="Off: the model cannot learn that some ads only work on phones.")
    bits = page.select_slider("bits", "Hash space (bits)", [8, 12, 16, 20], 16,
                              help="FeatureHasher columns = 2^bits; few bits = many collisions.")
    delay = page.slider("delay", "Mean conversion delay (days)", 0.5, 5.0, 2.0, step=0.5)
logged = page.toggle("logged", "Propensities μ(a|x) were logged (production)", True,
                     help="Off: the naive design, which logged clicks but not the probability of "
                          "the ad it showed.")


@cached()
def market(n_bidders, slots, scale, share, noise, reserve, seed):
    return ads.simulate_market(n_bidders, slots, scale, share, noise, reserve, seed=seed)


@cached("Logging impressions and estimating the new policy …")
def replicates(kind, explore, n, seed):
    world = ads.make_world(seed=seed)
    return ads.replicate_estimates(world, kind, explore, n, REPLICATES, seed)


@cached("Sweeping the exploration rate …")
def sweep(kind, n, seed):
    world = ads.make_world(seed=seed)
    return ads.exploration_sweep(world, kind, ads.EXPLORE_GRID[kind], n, SWEEP_REPLICATES, seed)


@cached("Simulating an impression log and training the CTR model …")
def ctr(cross, bits, delay, seed):
    log = ctr_model.simulate_log(ctr_model.LogSpec(n=CTR_IMPRESSIONS, delay_days=delay), seed=seed)
    result = ctr_model.train_ctr(log, cross=cross, bits=bits)
    cutoff = float(log["time"].max())
    return result, ctr_model.delayed_label_table(log, cutoff, delay), float(log["click"].mean())


formulas: list[str] = []

# ---- the auction ----------------------------------------------------------------------------
_tabs = page.tabs("view", ['1 · The auction: rank by eCPM = bid × pCTR, price by GSP', '2 · Counterfactual logging: is the new model better, before an A/B test?', '3 · The pCTR itself: hashed features, a feature cross, logistic regression'], default='1 · The auction: rank by eCPM = bid × pCTR, price by GSP')
with _tabs[0]:
    result = page.guard(market, n_bidders, slots, scale, share, noise, reserve, seed)
    if result is not None:
        s = result.summary
        model, calib = s.loc["model pCTR"], s.loc["calibrated"]
        cols = st.columns(4)
        rev_change = model["revenue per 1k auctions ($)"] / calib["revenue per 1k auctions ($)"] - 1
        page.metric("Revenue per 1k auctions", f"${model['revenue per 1k auctions ($)']:.2f}",
                    delta=f"{rev_change:+.1%} vs calibrated", container=cols[0], headline=True)
        page.metric("Allocation efficiency", f"{model['allocation efficiency']:.1%}",
                    container=cols[1], headline=True,
                    help="Advertiser value delivered ÷ value when ranked by the true CTR.")
        page.metric("CPC ÷ value per click", f"{model['mean CPC ($)'] / model['value per click ($)']:.2f}",
                    container=cols[2], help=f"Mean CPC ${model['mean CPC ($)']:.2f}, mean value per click "
                                            f"${model['value per click ($)']:.2f}.")
        page.metric("Fill rate", f"{model['fill rate']:.1%}",
                    delta=f"{pp(model['fill rate'] - calib['fill rate'])} vs calibrated", container=cols[3])
        if scale != 1.0 and share == 1.0 and reserve == 0.0:
            st.info("A uniform pCTR scale cancels out: the ranking (bid × pCTR) and the GSP price "
                    "(ratio of pCTRs) do not change. It bites through the reserve price, and through any "
                    "segment that is mis-calibrated differently from the rest.")
        if model["allocation efficiency"] < 0.9:
            page.verdict(False, f"The mis-calibrated model gives {1 - model['allocation efficiency']:.0%} of the "
                     "advertiser value away: slots go to ads whose pCTR is inflated, not to the best ads.")

        measures = ["revenue per 1k auctions ($)", "advertiser surplus per 1k auctions ($)",
                    "advertiser value per 1k auctions ($)"]
        bars = go.Figure()
        for name in s.index:
            bars.add_bar(x=[m.replace(" per 1k auctions ($)", "") for m in measures], y=s.loc[name, measures],
                         name=name)
        bars.update_layout(title="Per 1,000 auctions ($): model pCTR vs calibrated", barmode="group",
                           height=360, legend_orientation="h")
        page.chart(bars, hero=True)

        adv = result.advertisers[result.advertisers["clicks"] > 0].reset_index()
        scatter = px.scatter(adv, x="value per click ($)", y="CPC ($)", color="segment", size="clicks",
                             hover_data=["advertiser", "ROI"], height=420,
                             title="Each advertiser: price paid per click vs value per click")
        top = float(adv["value per click ($)"].max()) if len(adv) else 1.0
        scatter.add_scatter(x=[0, top], y=[0, top], mode="lines", line_dash="dash", line_color="grey",
                            name="CPC = value")
        scatter.update_layout(legend_orientation="h", legend_y=-0.2)
        page.chart(scatter)
        by_segment = adv.groupby("segment")[["clicks", "spend", "value"]].sum()
        for segment, row in by_segment.iterrows():
            page.record(f"CPC/value, {segment}", f"{row['spend'] / row['value']:.2f}")
        if len(by_segment) == 2:
            ratio = (by_segment["spend"] / by_segment["value"]).to_dict()
            st.caption(f"Price paid per dollar of value: scaled segment (pCTR × {scale:g}) "
                       f"{ratio['scaled segment']:.2f}, the rest {ratio['rest']:.2f}. "
                       "An over-predicted advertiser pays less per click (its price is divided by its "
                       "inflated pCTR) and wins slots it should not; an under-predicted one pays more and loses.")
        formulas += [
            rf"\mathrm{{eCPM}}_i = b_i \cdot \widehat{{\mathrm{{CTR}}}}_i, \qquad "
            rf"\mathrm{{CPC}}_{{(j)}} = \frac{{\max(\mathrm{{eCPM}}_{{(j+1)}},\ r)}}{{\widehat{{\mathrm{{CTR}}}}_{{(j)}}}}"
            rf"\ \le b_{{(j)}}, \quad r = {reserve:.3f}",
            rf"\widehat{{\mathrm{{CTR}}}}_i = \mathrm{{CTR}}_i \cdot s_i \cdot e^{{\sigma z - \sigma^2/2}},\quad "
            rf"s_i \in \{{{scale:g}, 1\}},\ \sigma = {noise:.2f}",
            rf"\text{{efficiency}} = \frac{{\sum \text{{value}} \cdot \text{{clicks}}\ (\widehat{{\mathrm{{CTR}}}})}}"
            rf"{{\sum \text{{value}} \cdot \text{{clicks}}\ (\mathrm{{CTR}})}} = {model['allocation efficiency']:.3f}",
        ]
        with st.expander("One auction, bidder by bidder"):
            st.dataframe(result.example.style.format(precision=4), hide_index=True)
            shown = result.example[result.example["slot"] > 0]
            if len(shown):
                first = shown.iloc[0]
                st.caption(f"Slot 1 pays max(next eCPM, reserve) / own pCTR = "
                           f"${first['price ($/click)']:.3f} per click, below its bid of ${first['bid ($/click)']:.3f}.")

    # ---- counterfactual logging -----------------------------------------------------------------

with _tabs[1]:


    def counterfactual() -> tuple:
        """The new policy's true CTR, the logging policy's, and the estimates on replicated logs."""
        world = ads.make_world(seed=seed)
        target = ads.policy(world.target_scores, "greedy")
        truth = ads.true_value(world, target)
        logging_value = ads.true_value(world, ads.policy(world.logging_scores, kind, explore))
        est = replicates(kind, explore, n_logged, seed)
        return truth, logging_value, est


    truth, logging_value, est = page.guard(counterfactual) or (None,) * 3
    if truth is not None:
        shown_est = list(ads.ESTIMATORS) if logged else ["DM"]
        shown_est.append("replay (no propensities)")
        first = est.iloc[0]
        cols = st.columns(4)
        page.metric("True CTR of the new policy", f"{truth:.4f}", container=cols[0], headline=True)
        page.metric("CTR of the logging policy", f"{logging_value:.4f}", container=cols[1])
        headline = "SNIPS" if logged else "replay (no propensities)"
        page.metric(f"{headline} estimate (one log)", f"{first[headline]:.4f}",
                    delta=f"{first[headline] - truth:+.4f} vs truth", delta_color="off", container=cols[2], headline=True)
        page.metric("Effective sample size", f"{first['ESS']:.0f} of {n_logged}" if logged else "unknown",
                    container=cols[3])
        if not logged:
            st.error("Propensities were not logged: IPS, SNIPS and DR cannot be computed. The replay "
                     f"estimate is off by {est['replay (no propensities)'].mean() - truth:+.4f} on average "
                     "(it over-weights the contexts where the old and new models already agree), and more "
                     "data does not shrink that bias.")
        if kind == "epsilon-greedy" and explore == 0.0:
            st.warning("ε = 0: the logging policy never shows the ads only the new model would pick, so "
                       "no estimator can see their clicks (no support): IPS is biased.")
        elif first["ESS"] < 50 and logged:
            st.warning(f"Only {first['ESS']:.0f} effective samples: the logs rarely contain the new "
                       "policy's choices, so IPS swings wildly from log to log.")
        for name in shown_est:
            page.record(f"mean {name} over {REPLICATES} logs", f"{est[name].mean():.4f}")

        long = est[shown_est].melt(var_name="estimator", value_name="estimate")
        box = px.box(long, x="estimator", y="estimate", points=False, height=400,
                     title=f"Estimates from {REPLICATES} logs of {n_logged:,} impressions each")
        box.add_hline(y=truth, line_dash="dash", line_color="green", annotation_text="true value")
        box.add_hline(y=logging_value, line_dash="dot", line_color="grey", annotation_text="logging policy")
        page.chart(box)

        sw = sweep(kind, n_logged, seed)
        sw = sw[sw["estimator"].isin(shown_est)]
        label = "ε" if kind == "epsilon-greedy" else "τ"
        line = px.line(sw, x="exploration", y="rmse", color="estimator", markers=True, log_x=True,
                       log_y=True, height=400, title=f"Error (RMSE) vs exploration {label}")
        line.add_vline(x=max(explore, 0.01), line_dash="dot", line_color="grey")
        line.update_layout(xaxis_title=f"exploration {label}", yaxis_title="RMSE of the estimate",
                           legend_orientation="h", legend_y=-0.25)
        page.chart(line)
        formulas += [
            rf"\hat V_{{\mathrm{{IPS}}}} = \frac1n \sum_i r_i \frac{{\pi(a_i|x_i)}}{{\mu(a_i|x_i)}} = {first['IPS']:.4f},"
            rf"\quad \hat V_{{\mathrm{{SNIPS}}}} = \frac{{\sum_i r_i w_i}}{{\sum_i w_i}} = {first['SNIPS']:.4f}",
            rf"\hat V_{{\mathrm{{DM}}}} = \frac1n \sum_i \sum_a \pi(a|x_i)\, \hat r(x_i, a) = {first['DM']:.4f},"
            rf"\quad V(\pi) = {truth:.4f}",
            rf"\mathrm{{ESS}} = \frac{{(\sum w_i)^2}}{{\sum w_i^2}} = {first['ESS']:.0f}",
        ]
        st.caption("More exploration costs clicks today (the logging policy serves worse ads) but buys "
                   "lower-variance estimates of every future policy. The direct method has low variance but "
                   "a bias set by its (additive, mis-specified) click model; DR keeps IPS's unbiasedness.")

    # ---- the CTR model ---------------------------------------------------------------------------

with _tabs[2]:
    fitted = page.guard(ctr, cross, bits, delay, seed)
    if fitted is not None:
        res, delayed, base_ctr = fitted
        cols = st.columns(4)
        page.metric("Held-out log loss", f"{res.log_loss:.4f}", container=cols[0])
        page.metric("Normalised entropy", f"{res.normalised_entropy:.3f}", container=cols[1], headline=True,
                    help="Log loss ÷ entropy of always predicting the training CTR: below 1 = better than the average.")
        page.metric("AUC", f"{res.auc:.3f}", container=cols[2])
        worst = res.calibration["predicted ÷ observed"].sub(1).abs().idxmax()
        page.metric("Worst device calibration", f"{res.calibration.loc[worst, 'predicted ÷ observed']:.2f}",
                    container=cols[3], help=f"Predicted ÷ observed clicks on {worst} (1 = calibrated).")
        left, right = st.columns(2)
        left.dataframe(res.calibration.style.format({"predicted": "{:.1f}", "predicted ÷ observed": "{:.2f}"}),
                       width="stretch")
        left.caption(f"{CTR_IMPRESSIONS:,} simulated impressions over 7 days (CTR {base_ctr:.1%}); trained on "
                     "days 0–5, scored on day 6. Calibration per device: an auction multiplies every bid "
                     "by pCTR, so a segment at 1.2 is over-charged and over-served by 20 %.")
        fig = go.Figure()
        fig.add_bar(x=delayed.index, y=delayed["true_cvr"], name="true CVR")
        fig.add_bar(x=delayed.index, y=delayed["observed_cvr"], name="CVR visible at training time")
        fig.add_scatter(x=delayed.index, y=delayed["true_cvr"] * delayed["expected_share"], mode="lines+markers",
                        name="true × (1 − e^(−age/delay))")
        fig.update_layout(title="Delayed conversions: the freshest clicks look worst", height=320,
                          xaxis_title="impression day", yaxis_title="conversions per click",
                          legend_orientation="h", legend_y=-0.3)
        page.chart(fig, container=right)
        page.record("observed ÷ true CVR on the last day", f"{delayed['observed ÷ true'].iloc[-1]:.2f}")
        st.caption(f"A click converts after an exponential delay (mean {delay:g} days). Trained at the end of "
                   f"day 6, yesterday's clicks show only {delayed['observed ÷ true'].iloc[-1]:.0%} of their "
                   "conversions, so a conversion model learns that fresh traffic is bad. Fixes: wait for the "
                   "attribution window, or weight / correct labels by the delay distribution.")
        formulas += [
            rf"\mathrm{{NE}} = \frac{{-\frac1N\sum y\log p + (1-y)\log(1-p)}}{{-(\bar p\log\bar p + (1-\bar p)\log(1-\bar p))}}"
            rf" = \frac{{{res.log_loss:.4f}}}{{H({base_ctr:.4f})}} = {res.normalised_entropy:.3f}",
            r"x = \mathrm{hash}(\text{adv}, \text{site}, \text{device}, \text{hour}"
            + (r", \text{adv}\times\text{device}" if cross else "") + rf") \bmod 2^{{{bits}}},\quad"
            r"\mathrm{pCTR} = \sigma(w^\top x)",
            rf"\Pr(\text{{conversion seen by cut-off}} \mid \text{{age }} a) = 1 - e^{{-a/{delay:g}}}",
        ]

page.math(formulas, notes="$b$ bid per click, $r$ reserve eCPM, $\\mu$ the logging policy's "
         "probability of the ad it showed, $\\pi$ the new policy, $w = \\pi/\\mu$. Numbers are "
         "from the first simulated log.")
page.board({"auction": ["Revenue per 1k auctions", "Allocation efficiency"],
            "off_policy_eval": ["True CTR of the new policy", "Effective sample size"],
            "propensity_log": "propensities logged" if logged else "propensities NOT logged"})
page.finish()
