"""Lesson 10: generation and LLM serving — sizing, prompt budget, semantic cache, grounded answers."""

import numpy as np
import pandas as pd
import plotly.graph_objects as go
import streamlit as st

from components.cache import cached
from components.page import LessonPage
from components.rag_index import load_index
from components.server_path import server_path_input
from components.serving_levers import levers_section
from playground import embeddings
from playground.rag import corpus as rc
from playground.rag import generation as gen
from playground.rag import llm_serving as ls
from playground.rag import retrievers as rv
from playground.rag import semantic_cache as sc
from playground.scenario import escape_md
from scenarios.l10 import PRESETS

GIB, MIB = ls.GIB, ls.MIB
THRESHOLDS = np.round(np.arange(0.30, 1.0001, 0.01), 2)
OFF_TOPIC = "Who won the football world cup in 2014?"


@cached("Embedding the labelled queries…")
def query_sims() -> tuple[list[str], np.ndarray, np.ndarray, list[int]]:
    queries = rc.load_queries()
    texts = [q.text for q in queries]
    sims = sc.similarity_matrix(embeddings.embed(texts, persist=True))  # shipped queries: disk-cached
    pair_ids = [q.pair_id for q in queries]
    return texts, sims, sc.equivalence(texts, pair_ids), sc.intents(pair_ids)


@cached()
def cache_sweep(n_requests: int, zipf_s: float, seed: int) -> tuple[list, sc.CacheResult, np.ndarray]:
    texts, sims, same, groups = query_sims()
    stream = sc.traffic(groups, n_requests, zipf_s, seed)
    return sc.sweep(stream, sims, same, THRESHOLDS), sc.exact_match(stream, texts), stream


@cached()
def chunk_lengths(question: str, k: int) -> tuple[list[str], list[int]]:
    index = load_index()
    hits = index.search("rrf", question, k)
    chunks = [f"[{n}] {index.by_id[h.passage_id].title}\n{index.by_id[h.passage_id].text}"
              for n, h in enumerate(hits, 1)]
    return [h.passage_id for h in hits], ls.token_lengths(chunks)


@cached()
def grounded(question: str, method: str, k: int, gate: float, model_path: str = "") -> gen.GroundedAnswer:
    """Retrieve and answer (extractive, or with the local model when a path is given)."""
    index = load_index()
    context = [index.by_id[h.passage_id] for h in index.search(method, question, k)]
    if model_path:
        return gen.generate_answer(question, context, embeddings.encode, model_path, gate)
    return gen.extractive_answer(question, context, embeddings.encode, gate)


@cached()
def question_tokens(question: str) -> int:
    return ls.token_lengths([question])[0]


def gib(x: float) -> str:
    return f"{x / GIB:,.2f} GiB"


def seconds(x: float) -> str:
    return f"{x * 1000:,.1f} ms" if x < 1 else f"{x:,.2f} s"


def tex(shown: str) -> str:
    """A displayed quantity ("12.55 GiB", "1,024") as LaTeX: upright unit, grouped thousands."""
    number, _, unit = shown.partition(" ")
    number = number.replace(",", "{,}")
    return number + (rf"\ \text{{{unit}}}" if unit else "")


def sci(x: float) -> str:
    """``4.59e14`` as ``4.59 \times 10^{14}``."""
    if x == 0:
        return "0"
    exp = int(np.floor(np.log10(abs(x))))
    return rf"{x / 10**exp:.2f} \times 10^{{{exp}}}"


page = LessonPage("l10", presets=PRESETS)
seed = page.seed()

# ---- 1. serving calculator ---------------------------------------------------------------------
st.sidebar.markdown("**Model and hardware**")
model_name = page.select("model", "Model", [*ls.MODELS, "Custom"], "Llama-2-7B")
if model_name == "Custom":
    custom = dict(
        params_b=page.number("params_b", "Parameters (billions)", 0.1, 1000.0, 7.0, step=0.1),
        layers=page.number("layers", "Layers", 1, 200, 32, step=1),
        hidden=page.number("hidden", "Hidden size", 64, 32768, 4096, step=64),
        heads=page.number("heads", "Query heads", 1, 256, 32, step=1),
        kv_heads=page.number("kv_heads", "KV heads (GQA)", 1, 256, 8, step=1),
        max_context=page.number("ctx", "Context window (tokens)", 512, 262144, 8192, step=512),
    )
precision = page.select("precision", "Weight precision", ["fp16", "int8", "int4"])
kv_precision = page.select("kv_precision", "KV-cache precision", ["fp16", "int8"])
gpu_name = page.select("gpu", "GPU", [*ls.GPUS, "Custom"], "A100-80GB")
if gpu_name == "Custom":
    gpu = ls.GPUSpec("Custom GPU",
                     page.number("gpu_mem", "GPU memory (GiB)", 1.0, 1024.0, 80.0, step=1.0),
                     page.number("gpu_bw", "Memory bandwidth (GB/s)", 10.0, 20000.0, 2000.0, step=10.0),
                     page.number("gpu_tflops", "Dense fp16 TFLOP/s", 1.0, 5000.0, 300.0, step=1.0), 0.0)
else:
    gpu = ls.GPUS[gpu_name]
n_gpus = page.select_slider("n_gpus", "GPUs (tensor parallel)", [1, 2, 4, 8], 1)
with page.advanced_controls():
    price = page.slider("price", "Price per GPU-hour ($)", 0.0, 20.0, 3.0, step=0.1)
st.sidebar.markdown("**Workload**")
prompt = page.select_slider("prompt", "Prompt tokens", [128, 256, 512, 1024, 2048, 3840, 4096, 8192, 16384, 32768], 2048)
output = page.select_slider("output", "Output tokens", [16, 32, 64, 128, 256, 512, 1024, 2048], 256)
batch = page.select_slider("batch", "Batch (concurrent requests)", [1, 2, 4, 8, 16, 32, 64, 128, 256], 16)
with page.advanced_controls():
    mfu = page.slider("mfu", "Compute utilisation (MFU)", 0.1, 1.0, 0.5, step=0.05)
    mbu = page.slider("mbu", "Bandwidth utilisation (MBU)", 0.1, 1.0, 0.8, step=0.05)

_tabs = page.tabs("view", ['1 · Serving calculator', '2 · Prompt budget', '3 · Semantic cache', '4 · Grounded answer with citations', '5 · Serving levers'], default='1 · Serving calculator')
with _tabs[0]:


    def plans() -> tuple:
        """The model, its serving plan at the chosen batch, the batch-of-one plan, and why no request fits (or None)."""
        model = ls.make_model(**custom) if model_name == "Custom" else ls.MODELS[model_name]
        return model, *(ls.serving_plan(model, gpu, precision=precision, kv_precision=kv_precision, prompt_tokens=prompt,
                                        output_tokens=output, batch=b, n_gpus=n_gpus, price_per_gpu_hour=price,
                                        mfu=mfu, mbu=mbu) for b in (batch, 1)), \
            ls.misfit(model, gpu, precision=precision, kv_precision=kv_precision, prompt_tokens=prompt,
                      output_tokens=output, n_gpus=n_gpus)


    model, plan, naive, short = page.guard(plans) or (None,) * 4
    if plan is not None:
        st.caption(f"{model.name}: {model.params / 1e9:.2f} B parameters, {model.layers} layers, hidden "
                   f"{model.hidden}, {model.heads} query heads, {model.kv_heads} KV heads (head dim "
                   f"{model.head_dim}), {model.max_context:,}-token context · {gpu.name}: {gpu.memory_gib:g} GiB, "
                   f"{gpu.bandwidth_gbs:,.0f} GB/s, {gpu.tflops:g} TFLOP/s dense fp16"
                   + (f" (datasheet; a typical on-demand price is about ${gpu.price_hour:g}/h, set yours in the sidebar)."
                      if gpu.price_hour else "."))
        if short is not None:
            page.verdict(False, f"Does not fit: needs {gib(short.needed_bytes)} (weights and one request's KV cache), "
                         f"has {gib(short.usable_bytes)} usable on {n_gpus} × {gpu.name}. It serves no request, so it has "
                         "no latency, throughput or cost. " + (f"One request fits with {' or '.join(t for t, _ in short.fixes)}."
                                                               if short.fixes else "Choose a smaller model."))
        elif not plan.fits_batch:
            st.warning(f"A batch of {batch} needs {gib(plan.kv_bytes_batch)} of KV cache, but only "
                       f"{plan.max_concurrent} requests of {prompt + output:,} tokens fit beside the weights: "
                       "the extra requests queue (or the server pre-empts and recomputes).")
        if prompt + output > model.max_context:
            st.warning(f"{prompt:,} + {output:,} tokens exceed {model.name}'s {model.max_context:,}-token context window.")
        c = st.columns(4)
        page.metric("Weights", gib(plan.weight_bytes), container=c[0])
        page.metric("KV cache per token", f"{plan.kv_bytes_per_token / MIB:,.3f} MiB", container=c[1], headline=True)
        page.metric("KV cache per request", gib(plan.kv_bytes_per_request), container=c[2])
        page.metric("KV cache at batch", gib(plan.kv_bytes_batch), container=c[3])
        c = st.columns(4)
        page.metric("Max concurrent requests", f"{plan.max_concurrent:,}", container=c[0], headline=True)
        if short is None:  # a deployment that serves no request has no latency, throughput or cost
            page.metric("Prefill (time to first token)", seconds(plan.prefill_s), container=c[1])
            page.metric("Decode per token", seconds(plan.step.seconds), container=c[2],
                        help=f"{plan.step.bound}-bound at this batch")
            page.metric("Tokens/s (all users)", f"{plan.tokens_per_s:,.0f}", container=c[3], headline=True)
            c = st.columns(4)
            page.metric("Request latency", seconds(plan.request_s), container=c[0])
            page.metric("Cost per 1k requests", f"${plan.cost_per_1k:,.3f}", container=c[1], headline=True,
                        note=f"batch 1: ${naive.cost_per_1k:,.3f}")
            st.markdown(f"Decode is **{plan.step.bound}-bound** at batch {batch}: each step reads "
                        f"{gib(plan.step.bytes_read)} ({seconds(plan.step.memory_s)} at {mbu:.0%} of "
                        f"{gpu.bandwidth_gbs:,.0f} GB/s × {n_gpus}) and computes {plan.step.flops / 1e12:,.2f} TFLOP "
                        f"({seconds(plan.step.compute_s)})."
                        + (f" Naive serving (batch 1) costs **{naive.cost_per_1k / plan.cost_per_1k:,.1f}×** as much "
                           "per request." if plan.cost_per_1k > 0 else " At a price of $0 every design is free."))

        batches = [1, 2, 4, 8, 16, 32, 64, 128, 256]
        sweep = ls.batch_sweep(model, gpu, batches, precision=precision, kv_precision=kv_precision,
                               prompt_tokens=prompt, output_tokens=output, n_gpus=n_gpus,
                               price_per_gpu_hour=price, mfu=mfu, mbu=mbu)
        left, right = st.columns(2)
        fig = go.Figure()
        fig.add_bar(x=["memory"], y=[plan.weight_bytes / GIB], name="weights")
        fig.add_bar(x=["memory"], y=[plan.kv_bytes_batch / GIB], name=f"KV cache (batch {batch})")
        fig.add_hline(y=plan.gpu_bytes / GIB, line_dash="dash", line_color="red",
                      annotation_text=f"{n_gpus} × {gpu.memory_gib:g} GiB", annotation_position="top left")
        fig.update_layout(barmode="stack", title="GPU memory (GiB)", height=360, yaxis_title="GiB")
        page.chart(fig, container=left)
        if short is None:  # no batch is served when one request does not fit
            fig = go.Figure()
            fig.add_scatter(x=batches, y=[p.tokens_per_s for p in sweep], name="tokens/s", mode="lines+markers")
            fig.add_scatter(x=batches, y=[p.cost_per_1k for p in sweep], name="$ per 1k requests",
                            mode="lines+markers", yaxis="y2")
            # on a log axis a shape takes the data value and its annotation the log10 of it
            fig.add_vline(x=plan.max_concurrent, line_dash="dot", annotation=dict(x=np.log10(plan.max_concurrent)),
                          annotation_text="KV memory limit")
            fig.update_layout(title="Batching: throughput up, cost down, until memory or compute runs out",
                              xaxis=dict(type="log", title="batch"), yaxis_title="tokens/s", height=360,
                              yaxis2=dict(overlaying="y", side="right", title="$ per 1k", type="log"),
                              legend_orientation="h")
            page.chart(fig, container=right)

    # ---- 2. prompt budget ----------------------------------------------------------------------------

with _tabs[1]:
    st.caption("How many retrieved chunks fit the context window after the system prompt and the space "
               "reserved for the answer. Chunks are the top hybrid (RRF) passages for the question; tokens "
               "are counted with MiniLM's WordPiece tokenizer, a stand-in for the LLM's own.")
    cols = st.columns(4)
    sys_tokens = page.slider("sys_tokens", "System prompt tokens", 0, 8000, 600, step=50, container=cols[0])
    answer_tokens = page.slider("answer_tokens", "Answer budget (tokens)", 0, 8000, 512, step=64, container=cols[1])
    overhead = page.slider("overhead", "Citation header per chunk", 0, 64, 8, container=cols[2])
    budget_q = page.text("budget_q", "Question", "How do I copy a directory tree into a folder that already exists?",
                         container=cols[3])
    index = load_index()
    if plan is not None and budget_q.strip():

        def prompt_fit() -> tuple:
            """Token lengths of the top 50 chunks, the question's tokens, and how many chunks fit."""
            _, lengths = chunk_lengths(budget_q, 50)
            q_tokens = question_tokens(budget_q)
            return lengths, q_tokens, ls.prompt_budget(model.max_context, sys_tokens, q_tokens, answer_tokens,
                                                       lengths, overhead)

        lengths, q_tokens, budget = page.guard(prompt_fit) or (None, None, None)
        if budget is not None:
            c = st.columns(3)
            page.metric("Chunks that fit", f"{budget.n_fit} of {len(lengths)}", container=c[0], headline=True)
            page.metric("Tokens left for chunks", f"{max(budget.available, 0):,}", container=c[1])
            page.metric("Median chunk", f"{int(np.median(lengths))} tokens", container=c[2])
            if budget.available <= 0:
                st.error(f"System prompt, question and answer budget already take "
                         f"{sys_tokens + q_tokens + answer_tokens:,} of {model.max_context:,} tokens: no room for context.")
            fig = go.Figure()
            parts = [("system prompt", sys_tokens), ("question", q_tokens), (f"{budget.n_fit} chunks", budget.used),
                     ("answer budget", answer_tokens),
                     ("unused", max(model.max_context - sys_tokens - q_tokens - answer_tokens - budget.used, 0))]
            for name, value in parts:
                fig.add_bar(y=["context"], x=[value], name=name, orientation="h")
            fig.add_vline(x=model.max_context, line_dash="dash", line_color="red",
                          annotation_text=f"{model.max_context:,}-token window")
            fig.update_layout(barmode="stack", height=220, title="Where the context window goes (tokens)")
            page.chart(fig)
    elif not budget_q.strip():
        st.warning("Type a question to see which retrieved chunks fit.")

    # ---- 3. semantic cache ----------------------------------------------------------------------------

with _tabs[2]:
    st.caption("Replays a request stream over the labelled queries: question intents drawn with Zipf "
               "popularity, each asked in one of its phrasings (the labelled paraphrase pairs share an intent). "
               "A hit is correct when the cached query has the same intent; any other hit serves another "
               "question's answer. Naive design: an exact-match cache on the query text.")
    cols = st.columns(4)
    threshold = page.slider("threshold", "Similarity threshold", 0.3, 1.0, 0.9, step=0.01, container=cols[0])
    n_requests = page.slider("requests", "Requests", 200, 5000, 2000, step=100, container=cols[1])
    zipf_s = page.slider("zipf", "Popularity skew (Zipf s)", 0.0, 2.0, 1.0, step=0.1, container=cols[2])
    wrong_cost = page.slider("wrong_cost", "Cost of a wrong answer ($)", 0.0, 1.0, 0.05, step=0.01, container=cols[3])
    llm_cost = plan.cost_per_1k / 1000 if plan is not None and short is None else 0.0
    if short is not None:
        st.caption("The model in the sidebar does not fit, so an LLM call is priced at $0 here: only wrong answers cost.")
    results, exact, _ = cache_sweep(n_requests, zipf_s, seed)
    at = results[int(np.argmin(np.abs(THRESHOLDS - threshold)))]
    costs = [sc.cost_per_1k(r, llm_cost, wrong_cost) for r in results]
    no_cache = 1000 * llm_cost
    best = int(np.argmin(costs))
    c = st.columns(4)
    page.metric("Hit rate", f"{at.hit_rate:.1%}", container=c[0], headline=True, delta=f"exact match: {exact.hit_rate:.1%}",
                delta_color="off")
    page.metric("Wrong answers per 1k", f"{1000 * at.wrong_rate:,.1f}", container=c[1], headline=True)
    page.metric("Cost per 1k with the cache", f"${sc.cost_per_1k(at, llm_cost, wrong_cost):,.3f}", container=c[2],
                delta=f"no cache: ${no_cache:,.3f}", delta_color="off")
    page.metric("Cheapest threshold", f"{THRESHOLDS[best]:.2f}", container=c[3])
    if at.wrong_rate > 0.01:
        st.warning(f"At {threshold:.2f}, {at.wrong_rate:.1%} of users get an answer to a different question "
                   f"({at.wrong_hits} of {at.requests}).")
    left, right = st.columns(2)
    fig = go.Figure()
    fig.add_scatter(x=THRESHOLDS, y=[r.hit_rate for r in results], name="hit rate")
    fig.add_scatter(x=THRESHOLDS, y=[r.correct_hits / r.requests for r in results], name="correct hits")
    fig.add_scatter(x=THRESHOLDS, y=[r.wrong_rate for r in results], name="wrong answers")
    fig.add_hline(y=exact.hit_rate, line_dash="dot", annotation_text="exact-match cache")
    fig.add_vline(x=threshold, line_dash="dash")
    fig.update_layout(title="Hit rate vs threshold", xaxis_title="cosine threshold", yaxis_tickformat=".0%",
                      height=340, legend_orientation="h")
    page.chart(fig, container=left)
    fig = go.Figure()
    fig.add_scatter(x=THRESHOLDS, y=costs, name="semantic cache")
    fig.add_hline(y=no_cache, line_dash="dot", annotation_text="no cache")
    fig.add_hline(y=sc.cost_per_1k(exact, llm_cost, wrong_cost), line_dash="dash", annotation_text="exact match",
                  annotation_position="bottom right")
    fig.add_vline(x=threshold, line_dash="dash")
    fig.update_layout(title="Cost per 1k requests (LLM calls + wrong answers)", xaxis_title="cosine threshold",
                      yaxis_title="$", height=340)
    page.chart(fig, container=right)
    pairs, others = sc.separation(query_sims()[1], query_sims()[2])
    fig = go.Figure()
    fig.add_histogram(x=pairs, name=f"paraphrase pairs (n={len(pairs)})", opacity=0.65, xbins=dict(size=0.05))
    fig.add_histogram(x=others, name=f"nearest different question (n={len(others)})", opacity=0.65, xbins=dict(size=0.05))
    fig.add_vline(x=threshold, line_dash="dash", annotation_text="threshold")
    fig.update_layout(barmode="overlay", height=300, xaxis_title="cosine similarity (MiniLM)",
                      title="What the threshold must separate: paraphrases vs the nearest different question")
    page.chart(fig)
    c = st.columns(2)
    page.metric("Paraphrase pairs above the threshold", f"{(pairs >= threshold).mean():.0%}", container=c[0])
    page.metric("Queries whose nearest different question is above it", f"{(others >= threshold).mean():.0%}",
                container=c[1])
    st.markdown(f"On this labelled set the paraphrase pairs (reworded with no shared words) have a median cosine of "
                f"**{np.median(pairs):.2f}**, while each query's most similar *different* question has a median of "
                f"**{np.median(others):.2f}**: a threshold low enough to catch paraphrases also serves wrong answers, "
                "so the safe semantic cache here gains little over exact match. Measure this before turning one on.")

    # ---- 4. grounded answer ----------------------------------------------------------------------------

with _tabs[3]:
    cols = st.columns([3, 1, 1, 1])
    question = page.text("question", "Question", "How do I copy a directory tree into a folder that already exists?",
                         container=cols[0])
    method = page.select("ans_method", "Retrieval", list(rv.METHODS), "rrf", container=cols[1],
                         format_func=lambda m: rv.METHOD_LABELS[m])
    k = page.slider("ans_k", "Passages", 1, 10, 3, container=cols[2])
    evidence_t = page.slider("evidence", "Evidence threshold", 0.0, 1.0, 0.45, step=0.01, container=cols[3])
    naive_gen = page.toggle("naive", "Naive: answer even without evidence", False,
                            container=st.columns(2)[0])
    model_path = server_path_input("model_path", "Local transformers causal-LM folder (optional)", page.hosted, st.columns(2)[1])
    gate = -1.0 if naive_gen else evidence_t
    if not question.strip():
        st.warning("Type a question to get a grounded answer.")
    else:

        def answer_question():
            """The grounded answer, from the local model when a folder is given."""
            if model_path:
                gen.check_generator_path(model_path)
                with st.spinner("Generating with the local model…"):
                    return grounded(question, method, k, gate, model_path)
            return grounded(question, method, k, gate)

        answer = page.guard(answer_question)
        if answer is not None:
            page.metric("Best evidence (cosine)", f"{answer.best_score:.2f}", headline=True)
            if answer.refused:
                st.warning(escape_md(answer.text))
            else:
                st.success(f"**Answer ({escape_md(answer.generator)}):** {escape_md(answer.text)}")
                st.markdown("\n".join(f"- [{n}] {escape_md(pid)} · {escape_md(title)}"
                                      for n, pid, title in answer.citations) or "_(no citation marks in the answer)_")
            st.dataframe(pd.DataFrame([{"passage": e.passage_id, "sentence": e.sentence, "cosine": round(e.score, 3)}
                                       for e in answer.evidence[:6]]), hide_index=True)
        probe = page.guard(grounded, OFF_TOPIC, method, k, gate)
        if probe is not None:
            verdict = "refuses" if probe.refused else f"answers anyway: “{probe.sentences[0]}”"
            st.info(f"Off-topic probe “{OFF_TOPIC}”: best evidence {probe.best_score:.2f}; "
                    f"{'the naive generator' if naive_gen else 'the production generator'} {escape_md(verdict)}")

# ---- 5. serving levers, then the math ---------------------------------------------------------
with _tabs[4]:
    formulas = levers_section(page, batch, output, seed)
if plan is not None:  # a deployment that serves no request stops at N_max = 0
    bpp, kvb = ls.precision_bytes(precision), ls.precision_bytes(kv_precision)
    formulas += [
        rf"\text{{weights}} = P \cdot b_w = {model.params / 1e9:.2f}\times10^9 \cdot {bpp:g} = {tex(gib(plan.weight_bytes))}",
        rf"\text{{KV/token}} = 2 \cdot n_\text{{layers}} \cdot n_\text{{kv}} \cdot d_\text{{head}} \cdot b_{{kv}}"
        rf" = 2 \cdot {model.layers} \cdot {model.kv_heads} \cdot {model.head_dim} \cdot {kvb:g}"
        rf" = {tex(f'{plan.kv_bytes_per_token:,.0f} B')} = {plan.kv_bytes_per_token / MIB:.3f}\ \text{{MiB}}",
        rf"\text{{KV at batch}} = \text{{KV/token}} \cdot (L_p + L_o) \cdot B = {plan.kv_bytes_per_token / MIB:.3f}"
        rf"\,\text{{MiB}} \cdot {tex(f'{prompt + output:,}')} \cdot {batch} = {tex(gib(plan.kv_bytes_batch))}",
        rf"N_{{\max}} = \left\lfloor \frac{{0.9 \cdot M_\text{{GPU}} - \text{{weights}}}}{{\text{{KV/request}}}} \right\rfloor"
        rf" = \left\lfloor \frac{{{tex(f'{0.9 * plan.gpu_bytes / GIB:,.1f}')} - {tex(f'{plan.weight_bytes / GIB:,.2f}')}}}"
        rf"{{{plan.kv_bytes_per_request / GIB:,.3f}}} \right\rfloor = {plan.max_concurrent}",
        rf"t_\text{{prefill}} = \frac{{B\,(2 P L_p + 2 n_\text{{layers}} d L_p^2)}}{{\text{{FLOPs}} \cdot \text{{MFU}}}}"
        rf" = \frac{{{sci(plan.prefill_s * gpu.tflops * 1e12 * n_gpus * mfu)}}}{{{gpu.tflops * n_gpus:g}\times10^{{12}}"
        rf" \cdot {mfu:g}}} = {tex(seconds(plan.prefill_s))}",
        rf"t_\text{{decode}} = \max\!\left(\frac{{\text{{weights}} + \text{{KV}}_{{\bar L}}}}{{\text{{BW}} \cdot \text{{MBU}}}},"
        rf"\ \frac{{B\,(2P + 4 n_\text{{layers}} d \bar L)}}{{\text{{FLOPs}} \cdot \text{{MFU}}}}\right)"
        rf" = \max({tex(seconds(plan.step.memory_s))},\ {tex(seconds(plan.step.compute_s))}) = {tex(seconds(plan.step.seconds))}",
        rf"\text{{tokens/s}} = B / t_\text{{decode}} = {batch} / {tex(seconds(plan.step.seconds))} = {tex(f'{plan.tokens_per_s:,.0f}')}",
        rf"\$/1\text{{k}} = \frac{{\text{{price}} \cdot n_\text{{GPU}} \cdot (t_\text{{prefill}} + L_o\,t_\text{{decode}})}}"
        rf"{{3600 \cdot B}} \cdot 1000 = \frac{{{price:g} \cdot {n_gpus} \cdot {tex(f'{plan.request_s:,.2f}')}}}{{3600 \cdot {batch}}}"
        rf" \cdot 1000 = \${tex(f'{plan.cost_per_1k:,.3f}')}",
    ][:None if short is None else 4]
formulas += [
    rf"\$/1\text{{k}}_\text{{cache}} = 1000\,(\text{{miss}} \cdot c_\text{{LLM}} + \text{{wrong}} \cdot c_\text{{wrong}})"
    rf" = 1000\,({1 - at.hit_rate:.3f} \cdot {llm_cost:.5f} + {at.wrong_rate:.4f} \cdot {wrong_cost:g})"
    rf" = \${tex(f'{sc.cost_per_1k(at, llm_cost, wrong_cost):,.3f}')}",
    r"\text{refuse} \iff \max_{s \in \text{context}} \cos(q, s) < \tau_\text{evidence}",
]
page.math(formulas, notes="$P$ parameters, $b_w$ bytes per weight, $L_p$/$L_o$ prompt/output tokens, "
          "$\\bar L = L_p + L_o/2$ the average context during decode, $B$ batch, $d$ hidden size. Static "
          "batching, ideal tensor parallelism; 10 % of memory is kept for activations and the runtime.")
page.board({"llm": ["Tokens/s (all users)", "Cost per 1k requests", "Max concurrent requests"] if short is None else
            f"does not fit: needs {gib(short.needed_bytes)}, has {gib(short.usable_bytes)}",
            "prompt_builder": ["Chunks that fit"], "semantic_cache": ["Hit rate", "Wrong answers per 1k"],
            "grounding": ["Best evidence (cosine)"], "prompt_builder>llm": f"{n_gpus} × {gpu_name}, {model_name}"})
page.finish()
