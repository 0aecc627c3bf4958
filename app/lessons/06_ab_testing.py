"""Lesson 6: evaluation and A/B testing — power, novelty/primacy, peeking, CUPED, SRM, guardrails,
many metrics, offline metrics. Each tab's layout lives in its own ``components.ab_*`` module."""

import streamlit as st

from components import (ab_cuped, ab_guardrails, ab_many_metrics, ab_novelty, ab_offline, ab_peeking,
                        ab_power, ab_srm)
from components.page import LessonPage
from playground.experiments import multiple_testing as mt
from scenarios.l06 import PRESETS

page = LessonPage("l06", presets=PRESETS)
seed = page.seed()
st.sidebar.markdown("**Your team's analysis (naive vs production)**")
seq = page.toggle("seq", "Sequential boundary (O'Brien–Fleming) for daily looks", False)
cuped_on = page.toggle("cuped", "CUPED on a pre-period covariate", True)
segment = page.toggle("segment", "Split new vs existing users", True)
guard_on = page.toggle("guard", "Guardrails in the ship rule", False)
correction = page.select("mt", "Correction for many metrics", list(mt.METHODS),
                         format_func={"none": "none (each at alpha)", "bonferroni": "Bonferroni",
                                      "bh": "Benjamini–Hochberg"}.get)

tabs = page.tabs("view", ["Peeking", "Novelty effect", "Power & duration", "CUPED", "SRM check",
                         "Guardrails", "Many metrics", "Offline metrics"])
peeking_tab, novelty_tab, power_tab, cuped_tab, srm_tab, guard_tab, many_tab, offline_tab = tabs
with power_tab:
    design = ab_power.show(page, power_tab, cuped_on)
with novelty_tab:
    nov, stop_day, novelty_math = ab_novelty.show(page, novelty_tab, design, segment, seed)
with peeking_tab:
    peeking_math = ab_peeking.show(page, peeking_tab, design, seq, seed)
with cuped_tab:
    cuped_math = ab_cuped.show(page, cuped_tab, design.rho, cuped_on, seed)
with srm_tab:
    srm_math = ab_srm.show(page, srm_tab, nov, design.allocation)
with guard_tab:
    ab_guardrails.show(page, guard_tab, guard_on, seed)
with many_tab:
    many_math = ab_many_metrics.show(page, many_tab, design.alpha, correction, seed)
with offline_tab:
    offline_math = ab_offline.show(page, offline_tab, seed)

page.math(ab_power.formulas(design) + novelty_math + peeking_math + cuped_math + many_math + srm_math
          + offline_math,
          notes="Two-sided two-proportion z-test with unpooled variance; r is treatment "
                "users per control user. Relative lifts are (p_t − p_c)/p_c with a Wald CI "
                "on the difference divided by p_c; the novelty simulation draws each "
                "user-day independently, so its CIs ignore within-user correlation (a "
                "real analysis would use the user as the unit, e.g. the delta method).")
page.board({"ab_assign": ["Days to run"], "experiment_analysis": [f"Lift read on day {stop_day}", "Steady-state truth"]})
page.finish()
