"""Lesson 6: evaluation and A/B testing — power, novelty/primacy, peeking, CUPED, SRM, guardrails,
many metrics, offline metrics."""

import numpy as np
import plotly.graph_objects as go
import streamlit as st
from scipy import stats

from components.cache import cached
from components.page import LessonPage
from playground.experiments import cuped as cp
from playground.experiments import novelty as nv
from playground.experiments import power as pw
from playground.experiments import sequential as sq
from playground.experiments import srm as sr
from playground.experiments import guardrails as gr
from playground.experiments import multiple_testing as mt
from playground.experiments import offline_metrics as om
from playground.deltas import pp
from scenarios.l06 import PRESETS


@cached()
def novelty_run(**kwargs) -> nv.NoveltyResult:
    return nv.simulate_novelty(**kwargs)


@cached("Simulating experiments…")
def peeking_run(**kwargs) -> sq.PeekingResult:
    return sq.simulate_peeking(**kwargs)


@cached()
def cuped_run(**kwargs) -> cp.CupedResult:
    return cp.simulate_cuped(**kwargs)


@cached()
def launch_run(**kwargs) -> gr.LaunchReview:
    return gr.simulate_launch(**kwargs)


@cached()
def many_metrics_run(**kwargs) -> mt.ManyMetricsResult:
    return mt.simulate_many_metrics(**kwargs)


@cached()
def offline_table(k: int, shown: int, pop: float, seed: int):
    return om.logged_feedback_example(shown=shown, popularity_weight=pop, seed=seed).table(k)


page = LessonPage("l06", presets=PRESETS)
seed = page.seed()
st.sidebar.markdown("**Your team's analysis (naive vs production)**")
seq = page.toggle("seq", "Sequential boundary (O'Brien–Fleming) for daily looks", True)
cuped_on = page.toggle("cuped", "CUPED on a pre-period covariate", True)
segment = page.toggle("segment", "Split new vs existing users", True)
guard_on = page.toggle("guard", "Guardrails in the ship rule", False)
correction = page.select("mt", "Correction for many metrics", list(mt.METHODS),
                         format_func={"none": "none (each at alpha)", "bonferroni": "Bonferroni",
                                      "bh": "Benjamini–Hochberg"}.get)

tabs = page.tabs("view", ["Peeking", "Novelty effect", "Power & duration", "CUPED", "SRM check",
                         "Guardrails", "Many metrics", "Offline metrics"])
peeking_tab, novelty_tab, power_tab, cuped_tab, srm_tab, guard_tab, many_tab, offline_tab = tabs

# ---- power and duration ---------------------------------------------------------------------
with power_tab:
    c1, c2, c3 = st.columns(3)
    baseline = page.slider("baseline", "Baseline conversion rate", 0.005, 0.5, 0.10, step=0.005,
                           container=c1)
    mde_kind = page.select("mde_kind", "MDE expressed as", ["relative", "absolute"], container=c1,
                           radio=True, horizontal=True)
    mde_pct = page.slider("mde", "Minimum detectable effect (% of baseline, or percentage points)",
                          0.5, 50.0, 5.0, step=0.5, container=c1)
    alpha = page.select_slider("alpha", "alpha (two-sided)", [0.001, 0.01, 0.05, 0.1], 0.05,
                               container=c2)
    power = page.select_slider("power", "Power", [0.5, 0.6, 0.7, 0.8, 0.9, 0.95, 0.99], 0.8,
                               container=c2)
    traffic = page.number("traffic", "Eligible users per day", 100, 10_000_000, 20_000, step=1000,
                          container=c3)
    allocation = page.slider("alloc", "Share of users in treatment", 0.05, 0.95, 0.5, step=0.05,
                             container=c3)
    rho = page.slider("rho", "Correlation of the pre-period covariate (CUPED ρ)", 0.0, 0.95, 0.5,
                      step=0.05, container=c3)
    relative = mde_kind == "relative"
    mde = mde_pct / 100
    factor = 1 - rho**2 if cuped_on else 1.0
    plain = page.guard(pw.plan, baseline, mde, alpha, power, relative, traffic, allocation)
    plan = None if plain is None else page.guard(pw.plan, baseline, mde, alpha, power, relative, traffic,
                                                  allocation, variance_factor=factor)
    if plan is not None:
        m1, m2, m3, m4 = st.columns(4)
        page.metric("Users per arm (control)", f"{plan.n_control:,}", container=m1, headline=power_tab.open)
        page.metric("Total users", f"{plan.n_total:,}", container=m2)
        page.metric("Days to run", f"{plan.days}", container=m3, headline=power_tab.open)
        page.metric("Per arm without CUPED", f"{plain.n_control:,}", note=f"{plain.days} days",
                    container=m4)
        st.caption(f"Detects {plan.p_control:.2%} → {plan.p_treatment:.2%} with {power:.0%} power at "
                   f"alpha = {alpha:g}. " + (f"CUPED with ρ = {rho:.2f} multiplies the sample by "
                                             f"1 − ρ² = {factor:.2f}." if cuped_on else "CUPED is off."))
        if plan.days < 7:
            st.info("Under a week: run at least 7 full days anyway so every weekday is in the sample "
                    "(weekly seasonality), and longer if a novelty effect is expected.")
        n_grid = np.linspace(max(plan.n_control, 10) * 0.05, plan.n_control * 2.5, 120)
        fig = go.Figure()
        for m_mult, dash in ((0.5, "dot"), (1.0, "solid"), (2.0, "dash")):
            eff = mde * m_mult
            try:
                curve = pw.power_two_proportions(baseline, eff, n_grid / factor, alpha, relative,
                                                 allocation / (1 - allocation))
            except ValueError:
                continue
            fig.add_scatter(x=n_grid, y=curve, name=f"effect = {m_mult:g} × MDE", line_dash=dash)
        fig.add_hline(y=power, line_dash="dot", line_color="grey", annotation_text=f"target power {power:.0%}")
        fig.add_vline(x=plan.n_control, line_color="red", annotation_text="planned n")
        fig.update_layout(title="Power curve: chance of detecting the effect vs users per arm",
                          xaxis_title="users in the control arm", yaxis_title="power", height=360)
        page.chart(fig)

# ---- novelty --------------------------------------------------------------------------------
with novelty_tab:
    c1, c2, c3 = st.columns(3)
    days = page.slider("days", "Test length (days)", 7, 56, 28, container=c1)
    stop_day = page.slider("stop_day", "Day the team reads the result and ships", 1, 56, 3, container=c1)
    steady = page.slider("steady", "Steady-state relative lift", -0.05, 0.10, 0.02, step=0.005, container=c2)
    novelty = page.slider("novelty", "Extra launch-day lift (existing users; below 0 = primacy)", -0.3,
                          0.5, 0.15, step=0.01, container=c2)
    half_life = page.slider("half_life", "Novelty half-life (days)", 0.5, 14.0, 3.0, step=0.5, container=c3)
    ret = page.slider("ret", "Daily return rate of a user", 0.05, 1.0, 0.5, step=0.05, container=c3)
    if stop_day > days:
        st.warning(f"The test only runs {days} days: reading it on day {days} instead of {stop_day}.")
        stop_day = days
    nov = page.guard(novelty_run, days=days, baseline=baseline, steady_lift=steady, novelty=novelty,
                     half_life=half_life, existing_users=int(traffic / ret),
                     return_rate=ret, new_per_day=max(int(traffic * 0.1), 1),
                     allocation=allocation, seed=seed)
    if nov is not None and not np.isfinite(nov.stop_read(min(stop_day, days)).lift_hi):
        st.warning("Too few conversions by the stop day to estimate a lift: raise the traffic or "
                   "the baseline rate, or read the test later.")
        nov = None
    if nov is not None:
        early, full = nov.stop_read(stop_day), nov.stop_read(days)
        m1, m2, m3 = st.columns(3)
        page.metric(f"Lift read on day {stop_day}", f"{early.lift:+.1%}",
                    note=f"95% CI {early.lift_lo:+.1%} … {early.lift_hi:+.1%}",
                    container=m1, headline=novelty_tab.open)
        page.metric(f"Lift read on day {days}", f"{full.lift:+.1%}",
                    note=f"95% CI {full.lift_lo:+.1%} … {full.lift_hi:+.1%}", container=m2)
        page.metric("Steady-state truth", f"{steady:+.1%}", container=m3, headline=novelty_tab.open)
        overstated = early.lift - steady
        if early.significant and early.lift_lo > steady:
            page.verdict(False, headline=novelty_tab.open, text=f"Stopping on day {stop_day} ships a {early.lift:+.1%} 'win' whose whole CI sits "
                     f"above the {steady:+.1%} the product will deliver once the novelty wears off.")
        elif early.lift_hi < steady:
            page.verdict(False, headline=novelty_tab.open, text=f"Primacy: existing users resist the change, so the day-{stop_day} read "
                     f"({early.lift:+.1%}, CI up to {early.lift_hi:+.1%}) sits below the {steady:+.1%} "
                     "the product delivers once they adapt. Stopping now kills a change that works.")
        elif abs(overstated) < max(early.lift_hi - early.lift, 1e-9):
            page.verdict(True, headline=novelty_tab.open, text=f"The day-{stop_day} read is consistent with the steady state ({steady:+.1%}).")
        else:
            st.warning(f"The day-{stop_day} read is off the steady state by {pp(overstated)}.")
        d = nov.daily
        fig = go.Figure()
        segs = ["existing", "new"] if segment else ["all"]
        names = {"all": "all users", "existing": "existing users (saw the old product)",
                 "new": "new users (joined during the test)"}
        for seg in segs:
            s = d[d.segment == seg]
            fig.add_scatter(x=s.day, y=s.lift, name=f"{names[seg]}: daily lift", mode="lines+markers",
                            error_y=dict(type="data", symmetric=False, array=s.lift_hi - s.lift,
                                         arrayminus=s.lift - s.lift_lo))
            fig.add_scatter(x=s.day, y=s.true_lift, name=f"{names[seg]}: true", line_dash="dot")
        fig.add_scatter(x=nov.cumulative.day, y=nov.cumulative.lift, name="cumulative read (all users)",
                        line=dict(color="black", width=3))
        fig.add_hline(y=steady, line_dash="dash", line_color="green", annotation_text="steady state")
        fig.add_vline(x=stop_day, line_color="red", annotation_text=f"team stops (day {stop_day})")
        fig.update_layout(title="Daily relative lift with 95% CIs", xaxis_title="day",
                          yaxis_title="relative lift", yaxis_tickformat="+.0%", height=420)
        page.chart(fig, hero=novelty_tab.open)
        if segment:
            ex = d[d.segment == "existing"]
            st.caption(f"Existing users' lift fades from {ex.lift.iloc[0]:+.1%} (day 1) to "
                       f"{ex.lift.iloc[-1]:+.1%} (day {days}); new users, who never saw the old "
                       f"product, show {nov.segment_read('new').lift:+.1%} over the test: the "
                       "steady state, visible from the first week.")
        else:
            st.caption("Turn on 'Split new vs existing users' to see where the early lift comes from.")

# ---- peeking --------------------------------------------------------------------------------
with peeking_tab:
    c1, c2 = st.columns(2)
    looks = page.slider("looks", "Checks during the test (one per day)", 2, 30, 14, container=c1)
    peek_lift = page.slider("peek_lift", "True relative lift (0 = A/A test)", 0.0, 0.2, 0.0, step=0.01,
                            container=c1)
    sims = page.select_slider("sims", "Simulated experiments", [500, 1000, 2000, 4000], 2000, container=c2)
    per_look = max(int(min(traffic, 200_000) * min(allocation, 1 - allocation)), 1)
    c2.caption(f"{per_look:,} users per arm join between two checks (daily traffic × the smaller "
               "arm's share, capped at 200,000 users a day).")
    peek = page.guard(peeking_run, sims=sims, looks=looks, users_per_look=per_look, baseline=baseline,
                      lift=peek_lift, alpha=alpha, seed=seed)
    if peek is not None:
        what = "false-positive rate" if peek_lift == 0 else "rejection rate (power)"
        m1, m2, m3, m4 = st.columns(4)
        page.metric(f"Peeking every day: {what}", f"{peek.naive_rate:.1%}", container=m1,
                    headline=peeking_tab.open, note=f"nominal alpha {alpha:g}")
        page.metric(f"O'Brien–Fleming: {what}", f"{peek.obf_rate:.1%}", container=m2,
                    headline=peeking_tab.open)
        page.metric(f"mSPRT: {what}", f"{peek.msprt_rate:.1%}", container=m3)
        page.metric(f"One read at the end: {what}", f"{peek.final_only:.1%}", container=m4)
        st.caption("mSPRT (mixture SPRT, τ = 5 % of the baseline) may be read after every user and "
                   "never exceeds alpha, at the price of power; O'Brien–Fleming needs the looks "
                   "planned ahead and keeps almost all the fixed-horizon power.")
        rule = "O'Brien–Fleming boundary" if seq else "fixed 1.96-style threshold at every look"
        if peek_lift == 0 and not seq:
            page.verdict(False, headline=peeking_tab.open, text=f"Your team uses a {rule}: {peek.naive_rate:.0%} of A/A tests (no effect at all) "
                     f"get shipped as wins, {peek.naive_rate / alpha:.1f}× the {alpha:g} you promised.")
        elif peek_lift == 0:
            page.verdict(True, headline=peeking_tab.open, text=f"Your team uses the {rule}: {peek.obf_rate:.1%} false positives over {looks} "
                       f"looks, within simulation noise of alpha = {alpha:g}.")
        k = np.arange(1, looks + 1)
        fig = go.Figure()
        fig.add_scatter(x=k, y=peek.naive_by_look, name="peek with fixed threshold", line_color="red")
        fig.add_scatter(x=k, y=peek.obf_by_look, name="O'Brien–Fleming boundary", line_color="green")
        fig.add_scatter(x=k, y=peek.msprt_by_look, name="mSPRT (always valid)", line_color="purple",
                        line_dash="dot")
        if peek_lift == 0:
            fig.add_hline(y=alpha, line_dash="dash", annotation_text=f"alpha = {alpha:g}")
        fig.update_layout(title=f"Share of experiments declared significant by look k ({what})",
                          xaxis_title="look", yaxis_title="share", yaxis_tickformat=".0%", height=340)
        page.chart(fig, hero=peeking_tab.open)
        fig2 = go.Figure()
        for i in range(min(30, sims)):
            fig2.add_scatter(x=k, y=peek.z[i], mode="lines", line=dict(width=1, color="rgba(90,90,90,0.35)"),
                             showlegend=False, hoverinfo="skip")
        for sign in (1, -1):
            fig2.add_scatter(x=k, y=sign * peek.bounds, name="O'Brien–Fleming" if sign > 0 else None,
                             line_color="green", showlegend=sign > 0)
            fig2.add_scatter(x=k, y=np.full(looks, sign * peek.z_crit), line_color="red", line_dash="dash",
                             name=f"±{peek.z_crit:.2f}" if sign > 0 else None, showlegend=sign > 0)
        fig2.update_layout(title="30 simulated z-paths vs the two boundaries", xaxis_title="look",
                           yaxis_title="z", yaxis_range=[-6, 6], height=340)
        page.chart(fig2)

# ---- CUPED ----------------------------------------------------------------------------------
with cuped_tab:
    c1, c2 = st.columns(2)
    n_arm = page.slider("n_arm", "Users per arm", 100, 10_000, 2000, step=100, container=c1)
    effect = page.slider("effect", "True effect (in standard deviations)", 0.0, 0.3, 0.05, step=0.01,
                         container=c2)
    cup = page.guard(cuped_run, n_per_arm=n_arm, rho=rho, effect=effect,
                     reps=int(np.clip(2_000_000 // (2 * n_arm), 50, 400)), seed=seed)
    if cup is not None:
        m1, m2, m3 = st.columns(3)
        page.metric("Variance ratio (CUPED / naive), measured", f"{cup.var_ratio:.2f}", container=m1,
                    headline=cuped_tab.open)
        page.metric("1 − ρ² (theory)", f"{cup.theory_ratio:.2f}", container=m2)
        half_naive, half_cuped = cup.half_widths(0.05)
        page.metric("95% CI half-width naive → CUPED", f"{half_naive:.3f} → {half_cuped:.3f}", container=m3)
        fig = go.Figure()
        fig.add_histogram(x=cup.naive, name="difference in means", opacity=0.6, nbinsx=40)
        fig.add_histogram(x=cup.cuped, name="CUPED-adjusted", opacity=0.6, nbinsx=40)
        fig.add_vline(x=effect, line_color="black", annotation_text="true effect")
        fig.update_layout(barmode="overlay", height=340, xaxis_title="estimated effect (sd)",
                          title=f"{cup.naive.size} replicated experiments: same data, two estimators")
        page.chart(fig, hero=cuped_tab.open)
        if not cuped_on:
            st.info(f"CUPED is off in the sidebar: the power tab plans without the "
                    f"{1 - cup.theory_ratio:.0%} saving this covariate offers.")

# ---- SRM ------------------------------------------------------------------------------------
with srm_tab:
    c1, c2 = st.columns(2)
    counts_text = page.text("srm_counts", "Users per arm, comma-separated (empty: the simulated test)",
                            "", container=c1)
    share = page.slider("srm_share", "Intended share of the first arm", 0.05, 0.95, 0.5, step=0.05,
                        container=c2)

    def srm_check(share: float) -> tuple:
        """The SRM test on the typed counts, else on the simulated test's; and where they came from."""
        if counts_text.strip():
            counts = sr.parse_counts(counts_text)
            source = "your counts"
        elif nov is not None:
            tot = nov.cumulative.iloc[-1]
            counts, share = [int(tot.n_c), int(tot.n_t)], 1 - allocation
            source = "the simulated novelty test (control, treatment)"
        else:
            raise ValueError("no counts to check: type the users per arm")
        shares = [share, 1 - share] if len(counts) == 2 else None
        if shares is None:
            st.caption(f"{len(counts)} arms: checking against an equal split.")
        return sr.srm_test(counts, shares), source

    srm, source = page.guard(srm_check, share) or (None, None)
    if srm is not None:
        m1, m2 = st.columns(2)
        page.metric("SRM chi-square", f"{srm.chi2:.2f}", container=m1)
        page.metric("SRM p-value", f"{srm.p_value:.2g}", container=m2, headline=srm_tab.open)
        if srm.mismatch:
            page.verdict(False, headline=srm_tab.open, text=f"Sample-ratio mismatch in {source} (p = {srm.p_value:.2g} < {srm.threshold:g}): "
                     "assignment or logging is broken, so no metric from this test can be trusted. "
                     "Find the cause (bot filtering, a redirect, a crash in one arm) before reading it.")
        else:
            page.verdict(True, headline=srm_tab.open, text=f"No sample-ratio mismatch in {source} (p = {srm.p_value:.2g} ≥ {srm.threshold:g}).")
        fig = go.Figure()
        arms = [f"arm {i + 1}" for i in range(srm.observed.size)]
        fig.add_bar(x=arms, y=srm.observed, name="observed")
        fig.add_bar(x=arms, y=srm.expected, name="expected from the design")
        fig.update_layout(barmode="group", height=300, title="Users per arm", yaxis_title="users")
        page.chart(fig, hero=srm_tab.open)

# ---- guardrails -----------------------------------------------------------------------------
with guard_tab:
    c1, c2, c3 = st.columns(3)
    ctr_lift = page.slider("ctr_lift", "True lift of the primary metric (clicks per user)", -0.05, 0.10,
                           0.04, step=0.01, container=c1)
    lat_ms = page.slider("lat_ms", "Latency the heavier model adds (ms, on a 200 ms page)", 0, 100, 30,
                         container=c2)
    lat_margin = page.slider("lat_margin", "Latency harm tolerated (% of control)", 0, 20, 5, container=c2)
    unsub = page.slider("unsub", "True change in unsubscribes (relative)", -0.5, 1.0, 0.0, step=0.05,
                        container=c3)
    review = page.guard(launch_run, ctr_lift=ctr_lift, latency_ms=float(lat_ms), unsub_lift=unsub,
                        latency_margin=lat_margin / 100, n_per_arm=50_000, seed=seed)
    if review is not None:
        p_read = review.primary
        m1, m2, m3 = st.columns(3)
        page.metric("Primary: clicks per user", f"{p_read.relative:+.1%}", container=m1,
                    note=p_read.status, headline=guard_tab.open)
        page.metric("Page latency", f"{review.guardrails[0].relative:+.1%}", container=m2,
                    note=review.guardrails[0].status, headline=guard_tab.open)
        verdict = review.ships if guard_on else review.ships_primary_only
        page.metric("Decision", "ship" if verdict else "do not ship", container=m3, headline=guard_tab.open)
        tab = review.table()
        st.dataframe(tab.drop(columns="unit").style.format(
            {"control": "{:.4g}", "treatment": "{:.4g}", "relative change": "{:+.1%}", "CI low (rel.)": "{:+.1%}",
             "CI high (rel.)": "{:+.1%}", "harm tolerated": "{:.0%}"}, na_rep="(primary)"), hide_index=True)
        broken = ", ".join(g.name for g in review.broken)
        if not guard_on and review.ships_primary_only and review.broken:
            page.verdict(False, headline=guard_tab.open, text=f"The team ships on the primary metric alone ({p_read.relative:+.1%} clicks) and "
                     f"breaks {broken}: a win on the dashboard, a slower or emptier product.")
        elif guard_on and review.ships_primary_only and review.broken:
            page.verdict(True, headline=guard_tab.open, text=f"Guardrails block the launch: {broken} broke its margin although clicks won "
                       f"{p_read.relative:+.1%}. Ship a fix (a distilled or cached model) and re-test.")
        elif verdict:
            page.verdict(True, headline=guard_tab.open, text="Ships: the primary metric wins" + (" and no guardrail is broken." if guard_on else "."))
        else:
            st.info(f"No ship: the primary metric is {p_read.status}, not a win.")
        if review.unproven:
            st.caption("Unproven (too little power to rule out a harm beyond the margin, so the launch "
                       "review must name them): " + ", ".join(g.name for g in review.unproven) + ".")

# ---- many metrics ---------------------------------------------------------------------------
with many_tab:
    c1, c2 = st.columns(2)
    n_metrics = page.slider("n_metrics", "Metrics (or variants) read per experiment", 1, 100, 20, container=c1)
    n_true = page.slider("n_true", "Of which really moved", 0, 100, 2, container=c1)
    eff_z = page.slider("eff_z", "Size of a real effect (in standard errors)", 0.5, 6.0, 3.0, step=0.5,
                        container=c2)
    many = page.guard(many_metrics_run, metrics=n_metrics, true_effects=n_true, effect_z=eff_z, reps=2000,
                      alpha=alpha, seed=seed)
    if many is not None:
        s_sel = many.summary[correction]
        m1, m2, m3 = st.columns(3)
        page.metric("False wins per experiment", f"{s_sel['false_wins']:.2f}", container=m1, headline=many_tab.open)
        page.metric("Experiments with at least one false win", f"{s_sel['fwer']:.0%}", container=m2)
        page.metric("Real effects found (power)",
                    "n/a" if n_true == 0 else f"{s_sel['power']:.0%}", container=m3)
        names = {"none": "none", "bonferroni": "Bonferroni", "bh": "Benjamini–Hochberg"}
        side = [{"correction": names[m], "false wins / experiment": v["false_wins"],
                 "P(≥ 1 false win)": v["fwer"], "false discovery rate": v["fdr"],
                 "power": v["power"]} for m, v in many.summary.items()]
        st.dataframe(side, hide_index=True)
        if correction == "none" and s_sel["false_wins"] >= 0.2:
            page.verdict(False, headline=many_tab.open, text=f"Reading {n_metrics} metrics each at alpha = {alpha:g}: {s_sel['fwer']:.0%} of "
                     f"experiments show at least one 'significant' metric that did not move "
                     f"({s_sel['false_wins']:.2f} on average). Pick the one that moved and you ship noise.")
        elif correction != "none":
            page.verdict(True, headline=many_tab.open, text=f"{names[correction]}: {s_sel['false_wins']:.2f} false wins per experiment "
                       f"(false discovery rate {s_sel['fdr']:.1%}), power {s_sel['power']:.0%}."
                       if n_true else f"{names[correction]}: {s_sel['false_wins']:.2f} false wins per experiment.")
        st.caption(f"{many.p.shape[0]:,} simulated experiments with independent metrics. Bonferroni "
                   "holds the chance of any false win at alpha; Benjamini–Hochberg holds the share "
                   "of false wins among the wins at alpha and keeps more power. Better still: one "
                   "primary metric chosen before the test, the rest as guardrails or diagnostics.")

# ---- offline metrics ------------------------------------------------------------------------
with offline_tab:
    c1, c2, c3 = st.columns(3)
    k_cut = page.slider("k", "Cut-off k", 1, 50, 10, container=c1)
    shown = page.slider("shown", "Slots the old system showed per user", 1, 50, 10, container=c2)
    pop = page.slider("pop", "How much the old ranking leaned on popularity", 0.0, 5.0, 2.0, step=0.5,
                      container=c3)
    table = page.guard(offline_table, k_cut, shown, pop, seed)
    if table is not None:
        ndcg = table.pivot(index="model", columns="evaluated on", values="NDCG@k")
        off_col, on_col = "offline (logged clicks)", "online (true preferences)"
        off_best, on_best = ndcg[off_col].idxmax(), ndcg[on_col].idxmax()
        m1, m2 = st.columns(2)
        page.metric("Offline winner (NDCG@k on logs)", off_best, container=m1)
        page.metric("Winner on true preferences", on_best, container=m2, headline=offline_tab.open)
        fig = go.Figure()
        for col in (off_col, on_col):
            fig.add_bar(x=ndcg.index, y=ndcg[col], name=col)
        fig.update_layout(barmode="group", height=340, title=f"NDCG@{k_cut}: logged clicks vs true preferences")
        page.chart(fig, hero=offline_tab.open)
        st.dataframe(table.round(3), hide_index=True)
        if off_best != on_best:
            st.warning(f"Offline and online disagree: '{off_best}' wins on logged clicks, "
                       f"'{on_best}' on what users actually like.")
        st.markdown(
            "Why offline gains may not transfer: logged labels exist only for items the old system "
            "showed (exposure/selection bias), so a model that imitates the old ranking looks best "
            "offline; position bias, feedback loops, novelty and latency are invisible offline. "
            "Offline metrics choose candidates; the A/B test decides.")

# ---- the math -------------------------------------------------------------------------------
def tex_int(n: int) -> str:
    """An integer with thousands separators that LaTeX does not space out."""
    return f"{n:,}".replace(",", "{,}")


formulas = []
if plan is not None:
    z_a, z_b = stats.norm.isf(alpha / 2), stats.norm.ppf(power)
    formulas.append(
        rf"n_c = \frac{{(z_{{1-\alpha/2}} + z_{{1-\beta}})^2\,[p_1(1-p_1) + p_2(1-p_2)/r]}}{{(p_2-p_1)^2}}"
        rf" = \frac{{({z_a:.3f} + {z_b:.3f})^2\,[{plan.p_control:.4f}\cdot{1 - plan.p_control:.4f} + "
        rf"{plan.p_treatment:.4f}\cdot{1 - plan.p_treatment:.4f}/{allocation / (1 - allocation):.2f}]}}"
        rf"{{({plan.p_treatment:.4f} - {plan.p_control:.4f})^2}} \approx {tex_int(plain.n_control)}")
    formulas.append(rf"n_{{\text{{CUPED}}}} = n\,(1-\rho^2) = {tex_int(plain.n_control)} \times {factor:.2f} = "
                    rf"{tex_int(plan.n_control)};\quad \text{{days}} = \lceil n_{{\text{{total}}}} / "
                    rf"\text{{traffic}} \rceil = {plan.days}")
formulas.append(r"\text{lift}(t) = \text{steady} + \text{novelty}\cdot 2^{-t/h}"
                rf" = {steady:+.3f} + {novelty:.2f}\cdot 2^{{-t/{half_life:g}}}")
formulas.append(r"\alpha_{\text{side}}(t) = 2 - 2\,\Phi\!\left(z_{1-\alpha/4}/\sqrt{t}\right),\quad"
                r"\alpha(t) = 2\,\alpha_{\text{side}}(t)\quad"
                r"\text{(Lan–DeMets O'Brien–Fleming, }\alpha/2\text{ per side as gsDesign/rpact)}")
if peek is not None:
    formulas.append(rf"c_1 = {peek.bounds[0]:.2f},\ c_{{{looks}}} = {peek.bounds[-1]:.2f}\ \text{{vs}}\ "
                    rf"z_{{1-\alpha/2}} = {peek.z_crit:.2f}")
formulas.append(r"\Lambda_n = \sqrt{\frac{\sigma_n^2}{\sigma_n^2+\tau^2}}\,"
                r"\exp\!\left(\frac{z_n^2}{2}\,\frac{\tau^2}{\sigma_n^2+\tau^2}\right) \ge \frac{1}{\alpha}"
                rf" = {1 / alpha:g}\quad\text{{(mSPRT)}}")
formulas.append(r"Y^{\text{cuped}} = Y - \theta (X - \bar X),\quad \theta = \frac{\mathrm{cov}(X, Y)}"
                rf"{{\mathrm{{var}}(X)}},\quad \frac{{\mathrm{{var}}(Y^{{\text{{cuped}}}})}}{{\mathrm{{var}}(Y)}}"
                rf" = 1-\rho^2 = {1 - rho**2:.2f}")
if many is not None:
    formulas.append(rf"\text{{Bonferroni: }} p_i \le \alpha/m = {alpha / n_metrics:.4f};\quad"
                    r"\text{BH: reject } p_{(1)}, \dots, p_{(k)},\ k = \max\{i : p_{(i)} \le i\,\alpha/m\}")
if srm is not None:
    formulas.append(rf"\chi^2 = \sum_i \frac{{(O_i - E_i)^2}}{{E_i}} = {srm.chi2:.2f},\ "
                    rf"p = {srm.p_value:.2g}")
formulas.append(r"\mathrm{NDCG@}k = \frac{\sum_{i\le k} rel_i/\log_2(i+1)}{\mathrm{IDCG@}k},\quad "
                r"\mathrm{AP} = \frac{1}{R}\sum_{i:\,rel_i>0} P@i")
page.math(formulas, notes="Two-sided two-proportion z-test with unpooled variance; r is treatment "
                          "users per control user. Relative lifts are (p_t − p_c)/p_c with a Wald CI "
                          "on the difference divided by p_c; the novelty simulation draws each "
                          "user-day independently, so its CIs ignore within-user correlation (a "
                          "real analysis would use the user as the unit, e.g. the delta method).")
page.board({"ab_assign": ["Days to run"], "experiment_analysis": [f"Lift read on day {stop_day}", "Steady-state truth"]})
page.finish()
