"""Lesson 4's headline: an A/B test of a blended feed whose new click head is (or is not)
calibrated (layout only; the numbers come from :mod:`playground.recsys.blend`)."""

from __future__ import annotations

import streamlit as st

from components.cache import cached
from components.page import LessonPage
from playground.recsys import blend


@cached("Simulating the A/B test…")
def blend_ab(calibrate: bool, w: float, seed: int) -> blend.BlendExperiment:
    return blend.simulate_blend_ab(calibrate=calibrate, w=w, seed=seed)


def show(page: LessonPage, blend_cal: bool, w: float, seed: int) -> blend.BlendExperiment | None:
    """Render the section; return the experiment (None after bad input)."""
    st.subheader("The headline: an A/B test that stops making sense")
    ab_run = page.guard(blend_ab, blend_cal, w, seed)
    if ab_run is None:
        return None
    ctl, trt, rd = ab_run.control, ab_run.treatment, ab_run.read
    st.caption(f"A feed ranks by p(click) + λ·p(watch), λ = {blend.LAMBDA:g}, tuned for probabilities. The A/B test "
               f"swaps in a new click head trained with negatives kept at w = {w:.2f}"
               + (", Platt-calibrated on held-out traffic." if blend_cal else ", its scores read as probabilities."))
    c = st.columns(4)
    page.metric("Click-head AUC (current → new)", f"{ctl.auc:.3f} → {trt.auc:.3f}", container=c[0])
    page.metric("Mean p(click) of the new head", f"{trt.mean_p_click:.1%}",
                note=f"true CTR {ab_run.true_ctr:.1%}", container=c[1])
    page.metric("A/B: value per impression", f"{rd.relative:+.1%}",
                note=f"95% CI {rd.lo / rd.control:+.1%} … {rd.hi / rd.control:+.1%}", container=c[2], headline=True)
    page.metric("Candidates above the quality threshold", f"{ctl.above_threshold:.0%} → {trt.above_threshold:.0%}",
                container=c[3])
    if not ab_run.consistent:
        page.verdict(False, f"The new head ranks clicks better offline (AUC {ctl.auc:.3f} → {trt.auc:.3f}) yet loses "
                     f"the A/B test ({rd.relative:+.1%} value): its inflated p(click) outweighs p(watch) in the "
                     f"blend, so clicks go {ctl.click_rate:.1%} → {trt.click_rate:.1%} and long watches "
                     f"{ctl.watch_rate:.1%} → {trt.watch_rate:.1%}, and a threshold tuned on probabilities lets "
                     f"{trt.above_threshold:.0%} of candidates through. AUC cannot see calibration.")
    else:
        page.verdict(True, ("Calibrated heads: the blend means what it meant, " if blend_cal else
                            f"At w = {w:.2f} the new head's scores are close enough to probabilities: ")
                     + f"the better head wins the A/B test ({rd.relative:+.1%} value) and the decision agrees "
                     "with the offline AUC. Its AUC is the same calibrated or not (Platt is monotone).")
    return ab_run
