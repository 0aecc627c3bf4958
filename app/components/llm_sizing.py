"""Lesson 10's serving calculator tab: memory, prefill and decode time, throughput and cost of one
deployment, and the batching curve (layout only; every number comes from
:func:`playground.rag.llm_serving.calculator`, written by :mod:`playground.rag.llm_units`)."""

from __future__ import annotations

import plotly.graph_objects as go
import streamlit as st

from components.page import LessonPage
from playground.rag import llm_serving as ls
from playground.rag.llm_units import billions, gib, in_gib, log_axis, mib, sci, seconds, tex, tflop


def sizing(model_name: str, custom: dict | None, gpu: ls.GPUSpec, batch: int, workload: dict) -> ls.Calculator:
    """The calculator for the named model (or the checked ``custom`` architecture) on ``gpu``."""
    model = ls.make_model(**custom) if custom is not None else ls.MODELS[model_name]
    return ls.calculator(model, gpu, batch=batch, **workload)


def show(page: LessonPage, calc: ls.Calculator, mfu: float, mbu: float) -> None:
    """Render the tab for ``calc`` (the sidebar's setting)."""
    asked, plan, model, gpu, short = calc.requested, calc.served, calc.requested.model, calc.requested.gpu, calc.misfit
    n_gpus = plan.n_gpus
    st.caption(f"{model.name}: {billions(model.params)} parameters, {model.layers} layers, hidden "
               f"{model.hidden}, {model.heads} query heads, {model.kv_heads} KV heads (head dim "
               f"{model.head_dim}), {model.max_context:,}-token context · {gpu.name}: {gpu.memory_gib:g} GiB, "
               f"{gpu.bandwidth_gbs:,.0f} GB/s, {gpu.tflops:g} TFLOP/s dense fp16"
               + (f" (datasheet; a typical on-demand price is about ${gpu.price_hour:g}/h, set yours under "
                  "Advanced in the sidebar)." if gpu.price_hour else "."))
    if short is not None:
        page.verdict(False, f"Does not fit: needs {gib(short.needed_bytes)} (weights and one request's KV cache), "
                     f"has {gib(short.usable_bytes)} usable on {n_gpus} × {gpu.name}. It serves no request, so it has "
                     "no latency, throughput or cost. " + (f"One request fits with {' or '.join(t for t, _ in short.fixes)}."
                                                           if short.fixes else "Choose a smaller model."))
    elif calc.capped:
        page.verdict(False, f"Asked for batch {asked.batch}, only {plan.batch} fit: throughput, latency and cost are "
                     f"shown at batch {plan.batch}. A batch of {asked.batch} needs {gib(asked.kv_bytes_batch)} of KV "
                     f"cache, but only {plan.batch} requests of {asked.tokens_per_request:,} tokens fit beside the "
                     f"weights: the other {calc.queued} queue (or the server pre-empts and recomputes).")
    elif plan.batch == 1 and calc.batched is not None and calc.batched.batch > 1:
        best = calc.batched
        page.verdict(False, f"One request at a time on {n_gpus} × {gpu.name}: {plan.tokens_per_s:,.0f} tokens/s at "
                     f"${plan.cost_per_1k:,.3f} per 1k requests. Each decode step streams every weight for one "
                     f"user; a batch of {best.batch}, the largest the slider offers that fits here, shares it: "
                     f"{best.tokens_per_s / plan.tokens_per_s:,.1f}× the tokens/s on the same GPUs, at "
                     f"${best.cost_per_1k:,.3f} per 1k requests.")
    else:
        ratio = calc.naive_cost_ratio
        page.verdict(True, f"Batch {plan.batch} fits on {n_gpus} × {gpu.name}: {plan.tokens_per_s:,.0f} tokens/s at "
                     f"${plan.cost_per_1k:,.3f} per 1k requests" + (f", {ratio:,.1f}× cheaper than one request at a "
                                                                   "time." if ratio is not None else "."))
    if asked.tokens_per_request > model.max_context:
        st.warning(f"{asked.prompt_tokens:,} + {asked.output_tokens:,} tokens exceed {model.name}'s "
                   f"{model.max_context:,}-token context window.")
    c = st.columns(4)
    page.metric("Weights", gib(asked.weight_bytes), container=c[0])
    page.metric("KV cache per token", mib(asked.kv_bytes_per_token), container=c[1], headline=True)
    page.metric("KV cache per request", gib(asked.kv_bytes_per_request), container=c[2])
    page.metric("KV cache at batch", gib(asked.kv_bytes_batch), container=c[3])
    c = st.columns(4)
    page.metric("Max concurrent requests", f"{asked.max_concurrent:,}", container=c[0], headline=True)
    if short is None:  # a deployment that serves no request has no latency, throughput or cost
        page.metric("Prefill (time to first token)", seconds(plan.prefill_s), container=c[1])
        page.metric("Decode per token", seconds(plan.step.seconds), container=c[2],
                    help=f"{plan.step.bound}-bound at batch {plan.batch}")
        page.metric("Tokens/s (all users)", f"{plan.tokens_per_s:,.0f}", container=c[3], headline=True)
        c = st.columns(4)
        page.metric("Request latency", seconds(plan.request_s), container=c[0])
        page.metric("Cost per 1k requests", f"${plan.cost_per_1k:,.3f}", container=c[1], headline=True,
                    note=f"batch 1: ${calc.single.cost_per_1k:,.3f}")
        ratio = calc.naive_cost_ratio
        st.markdown(f"Decode is **{plan.step.bound}-bound** at batch {plan.batch}: each step reads "
                    f"{gib(plan.step.bytes_read)} ({seconds(plan.step.memory_s)} at {mbu:.0%} of "
                    f"{gpu.bandwidth_gbs:,.0f} GB/s × {n_gpus}) and computes {tflop(plan.step.flops)} "
                    f"({seconds(plan.step.compute_s)})."
                    + (f" Naive serving (batch 1) costs **{ratio:,.1f}×** as much per request." if ratio is not None
                       else " At a price of $0 every design is free."))
    left, right = st.columns(2)
    fig = go.Figure()
    fig.add_bar(x=["memory"], y=[in_gib(asked.weight_bytes)], name="weights")
    fig.add_bar(x=["memory"], y=[in_gib(asked.kv_bytes_batch)], name=f"KV cache (batch {asked.batch})")
    fig.add_hline(y=in_gib(asked.gpu_bytes), line_dash="dash", line_color="red",
                  annotation_text=f"{n_gpus} × {gpu.memory_gib:g} GiB", annotation_position="top left")
    fig.update_layout(barmode="stack", title="GPU memory (GiB)", height=360, yaxis_title="GiB")
    page.chart(fig, container=left)
    if short is None:  # no batch is served when one request does not fit
        batches = [p.batch for p in calc.sweep]
        fig = go.Figure()
        fig.add_scatter(x=batches, y=[p.tokens_per_s for p in calc.sweep], name="tokens/s", mode="lines+markers")
        fig.add_scatter(x=batches, y=[p.cost_per_1k for p in calc.sweep], name="$ per 1k requests",
                        mode="lines+markers", yaxis="y2")
        # on a log axis a shape takes the data value and its annotation the log10 of it
        fig.add_vline(x=asked.max_concurrent, line_dash="dot", annotation=dict(x=log_axis(asked.max_concurrent)),
                      annotation_text="KV memory limit")
        fig.update_layout(title="Batching: throughput up, cost down, until memory or compute runs out",
                          xaxis=dict(type="log", title="batch"), yaxis_title="tokens/s", height=360,
                          yaxis2=dict(overlaying="y", side="right", title="$ per 1k", type="log"))
        page.chart(fig, container=right)


def formulas(calc: ls.Calculator, precision: str, kv_precision: str, mfu: float, price: float) -> list[str]:
    """The calculator's formulas with the numbers on screen (memory at the requested batch, time
    and cost at the served one); only the memory ones when no request fits."""
    asked, plan, model = calc.requested, calc.served, calc.requested.model
    bpp, kvb = ls.precision_bytes(precision), ls.precision_bytes(kv_precision)
    shown = [
        rf"\text{{weights}} = P \cdot b_w = {sci(model.params)} \cdot {bpp:g} = {tex(gib(asked.weight_bytes))}",
        rf"\text{{KV/token}} = 2 \cdot n_\text{{layers}} \cdot n_\text{{kv}} \cdot d_\text{{head}} \cdot b_{{kv}}"
        rf" = 2 \cdot {model.layers} \cdot {model.kv_heads} \cdot {model.head_dim} \cdot {kvb:g}"
        rf" = {tex(f'{asked.kv_bytes_per_token:,.0f} B')} = {tex(mib(asked.kv_bytes_per_token))}",
        rf"\text{{KV at batch}} = \text{{KV/token}} \cdot (L_p + L_o) \cdot B = {tex(mib(asked.kv_bytes_per_token))}"
        rf" \cdot {tex(f'{asked.tokens_per_request:,}')} \cdot {asked.batch} = {tex(gib(asked.kv_bytes_batch))}",
        rf"N_{{\max}} = \left\lfloor \frac{{{asked.usable_fraction:g} \cdot M_\text{{GPU}} - \text{{weights}}}}"
        rf"{{\text{{KV/request}}}} \right\rfloor = \left\lfloor \frac{{{tex(gib(asked.usable_bytes, 1))} - "
        rf"{tex(gib(asked.weight_bytes))}}}{{{tex(gib(asked.kv_bytes_per_request, 3))}}} \right\rfloor"
        rf" = {asked.max_concurrent}",
    ]
    if calc.misfit is not None:  # a deployment that serves no request stops at N_max = 0
        return shown
    return shown + [
        rf"t_\text{{prefill}} = \frac{{B\,(2 P L_p + 2 n_\text{{layers}} d L_p^2)}}{{\text{{FLOPs}} \cdot \text{{MFU}}}}"
        rf" = \frac{{{sci(plan.prefill_flops)}}}{{{sci(plan.flops_per_s)} \cdot {mfu:g}}} = {tex(seconds(plan.prefill_s))}",
        rf"t_\text{{decode}} = \max\!\left(\frac{{\text{{weights}} + \text{{KV}}_{{\bar L}}}}{{\text{{BW}} \cdot \text{{MBU}}}},"
        rf"\ \frac{{B\,(2P + 4 n_\text{{layers}} d \bar L)}}{{\text{{FLOPs}} \cdot \text{{MFU}}}}\right)"
        rf" = \max({tex(seconds(plan.step.memory_s))},\ {tex(seconds(plan.step.compute_s))}) = {tex(seconds(plan.step.seconds))}",
        rf"\text{{tokens/s}} = B / t_\text{{decode}} = {plan.batch} / {tex(seconds(plan.step.seconds))}"
        rf" = {tex(f'{plan.tokens_per_s:,.0f}')}",
        rf"\$/1\text{{k}} = \frac{{\text{{price}} \cdot n_\text{{GPU}} \cdot (t_\text{{prefill}} + L_o\,t_\text{{decode}})}}"
        rf"{{3600 \cdot B}} \cdot 1000 = \frac{{{price:g} \cdot {plan.n_gpus} \cdot {tex(f'{plan.request_s:,.2f}')}}}"
        rf"{{3600 \cdot {plan.batch}}} \cdot 1000 = \${tex(f'{plan.cost_per_1k:,.3f}')}",
    ]
