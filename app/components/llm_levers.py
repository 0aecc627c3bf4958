"""Lesson 10's "today's serving levers" section: continuous batching, speculative decoding and
model routing (layout only; every number comes from :mod:`playground.rag.serving_levers`)."""

from __future__ import annotations

import plotly.graph_objects as go
import streamlit as st

from components.cache import cached
from components.page import LessonPage
from playground.rag import serving_levers as sl

SLOTS = [1, 2, 4, 8, 16, 32, 64, 128]
GAMMAS = list(range(0, 11))


@cached()
def batching_sweep(n: int, mean_tokens: int, seed: int) -> tuple[list[int], list, list]:
    lengths = sl.answer_lengths(n, mean_tokens, seed)
    return (lengths, *sl.batching_sweep(lengths, SLOTS))


def show(page: LessonPage, batch: int, mean_tokens: int, seed: int) -> list[str]:
    """Render section 5 and return its formulas (with the current numbers) for "The math"."""
    st.header("5 · Serving levers: continuous batching, speculative decoding, routing")
    st.caption(f"Batching replays a stream of answers whose length is geometric with mean {mean_tokens} "
               "tokens (the sidebar's output tokens): each decoded token ends the answer with probability "
               f"1/{mean_tokens}. The slot count is the sidebar's batch.")
    n = page.slider("lever_requests", "Requests in the stream", 16, 512, 128, step=16, container=page.advanced())
    lengths, static, continuous = batching_sweep(n, mean_tokens, seed)
    gain = sl.batching_gain(lengths, batch, SLOTS, static, continuous)
    slots, at_s, at_c = gain.slots, gain.static, gain.continuous
    c = st.columns(3)
    page.metric("Slot utilisation, static batching", f"{at_s.utilisation:.0%}", container=c[0], headline=True)
    page.metric("Slot utilisation, continuous batching", f"{at_c.utilisation:.0%}", container=c[1], headline=True)
    page.metric("Decode steps saved by continuous batching", f"{gain.steps_saved:.0%}", container=c[2],
                delta=f"{at_s.steps:,} → {at_c.steps:,} steps at {slots} slots", delta_color="off")
    fig = go.Figure()
    fig.add_scatter(x=SLOTS, y=[b.utilisation for b in static], name="static (batch runs to its longest answer)")
    fig.add_scatter(x=SLOTS, y=[b.utilisation for b in continuous], name="continuous (a freed slot refills)")
    fig.update_layout(title=f"Slot utilisation over {n} answers (mean {mean_tokens} tokens)", height=320,
                      xaxis_title="slots (batch)", xaxis_type="log", yaxis_tickformat=".0%")
    page.chart(fig)

    cols = st.columns(3)
    alpha = page.slider("alpha", "Draft acceptance rate α", 0.0, 1.0, 0.8, step=0.05, container=cols[0])
    gamma = page.slider("gamma", "Draft tokens per pass γ", 1, 10, 4, container=cols[1])
    draft = page.slider("draft_cost", "Draft cost (target passes per draft token)", 0.0, 1.0, 0.05, step=0.01,
                        container=cols[2])
    tokens, speed = sl.speculative_tokens_per_pass(alpha, gamma), sl.speculative_speedup(alpha, gamma, draft)
    simulated = sl.simulate_speculative(alpha, gamma, 20_000, seed)
    c = st.columns(2)
    page.metric("Tokens per target pass", f"{tokens:.2f}", container=c[0],
                delta=f"simulated: {simulated:.2f}", delta_color="off")
    page.metric("Speculative decoding speed-up", f"{speed:.2f}×", container=c[1], headline=True)
    if speed < 1:
        st.warning(f"At α = {alpha:.2f} the draft costs more than it saves: speculative decoding is "
                   f"{1 / speed:.2f}× slower than plain decoding.")
    fig = go.Figure()
    for a in sorted({0.5, 0.7, 0.9, alpha}):
        fig.add_scatter(x=GAMMAS, y=sl.speedup_curve(a, GAMMAS, draft), name=f"α = {a:.2f}",
                        line_width=4 if a == alpha else 2)
    fig.add_hline(y=1, line_dash="dot", annotation_text="plain decoding")
    fig.update_layout(title=f"Speed-up vs draft length (draft cost {draft:g})", height=320,
                      xaxis_title="γ (draft tokens per pass)", yaxis_title="× plain decoding")
    page.chart(fig)

    cols = st.columns(3)
    easy = page.slider("easy", "Share of easy queries", 0.0, 1.0, 0.6, step=0.05, container=cols[0])
    tpr = page.slider("tpr", "Router: easy sent to the small model", 0.0, 1.0, 0.9, step=0.05, container=cols[1])
    fpr = page.slider("fpr", "Router: hard sent to the small model", 0.0, 1.0, 0.1, step=0.05, container=cols[2])
    cols = st.columns(3)
    small_cost = page.slider("small_cost", "Small model's cost (× large)", 0.0, 1.0, 0.1, step=0.01,
                             container=cols[0])
    q_large = page.slider("q_large", "Large model's quality", 0.0, 1.0, 0.9, step=0.01, container=cols[1])
    q_small = page.slider("q_small_hard", "Small model's quality on hard queries", 0.0, 1.0, 0.5, step=0.01,
                          container=cols[2])
    r = sl.route(easy, tpr, fpr, small_cost, 1.0, q_large, q_small)
    c = st.columns(3)
    page.metric("Routed to the small model", f"{r.small_share:.0%}", container=c[0])
    page.metric("Routing cost saving", f"{r.saving:.0%}", container=c[1], headline=True)
    page.metric("Answer quality with routing", f"{r.quality:.3f}", container=c[2],
                delta=f"{r.quality_change:+.3f} vs large only", delta_color="off")
    return [
        rf"\text{{static}} = \sum_{{\text{{batches}}}} \max_i L_i = {at_s.steps}\ \text{{steps}},\quad "
        rf"\text{{continuous}} \approx \lceil \textstyle\sum_i L_i / B \rceil"
        rf" = \lceil {gain.tokens} / {slots} \rceil = {gain.ideal_steps}\ (\text{{simulated }} {at_c.steps})",
        rf"\text{{utilisation}} = \frac{{\sum_i L_i}}{{\text{{steps}} \cdot B}} = \frac{{{gain.tokens}}}"
        rf"{{{at_s.steps} \cdot {slots}}} = {at_s.utilisation:.3f}\ \text{{(static)}}",
        rf"\frac{{1 - \alpha^{{\gamma+1}}}}{{1 - \alpha}} = \frac{{1 - {alpha:g}^{{{gamma + 1}}}}}{{1 - {alpha:g}}}"
        rf" = {tokens:.3f}\ \text{{tokens/pass}},\quad \text{{speed-up}} = \frac{{{tokens:.3f}}}{{\gamma c + 1}}"
        rf" = \frac{{{tokens:.3f}}}{{{gamma} \cdot {draft:g} + 1}} = {speed:.3f}",
        rf"s = e\,\text{{tpr}} + (1-e)\,\text{{fpr}} = {easy:g} \cdot {tpr:g} + {1 - easy:g} \cdot {fpr:g}"
        rf" = {r.small_share:.3f},\quad \text{{saving}} = 1 - (s\,c_s + 1 - s) = {r.saving:.3f}",
        rf"q = q_l - (1-e)\,\text{{fpr}}\,(q_l - q_{{s,\text{{hard}}}}) = {q_large:g} - {1 - easy:g} \cdot {fpr:g}"
        rf" \cdot ({q_large:g} - {q_small:g}) = {r.quality:.3f}",
    ]
