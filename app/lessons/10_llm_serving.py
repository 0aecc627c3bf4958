"""Lesson 10: generation and LLM serving — sizing, prompt budget, semantic cache, grounded answers.
Each tab's layout lives in its own ``components.llm_*`` module."""

import streamlit as st

from components import llm_grounded, llm_levers, llm_prompt_budget, llm_semantic_cache, llm_sizing
from components.page import LessonPage
from playground.rag import llm_serving as ls
from playground.rag.llm_units import gib
from scenarios.l10 import PRESETS

page = LessonPage("l10", presets=PRESETS)
seed = page.seed()
st.sidebar.markdown("**Model and hardware**")
model_name = page.select("model", "Model", [*ls.MODELS, "Custom"], "Llama-2-7B")
custom = None
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
gpu_name = page.select("gpu", "GPU", [*ls.GPUS, "Custom"], "A100-80GB")
if gpu_name == "Custom":
    gpu = ls.GPUSpec("Custom GPU",
                     page.number("gpu_mem", "GPU memory (GiB)", 1.0, 1024.0, 80.0, step=1.0),
                     page.number("gpu_bw", "Memory bandwidth (GB/s)", 10.0, 20000.0, 2000.0, step=10.0),
                     page.number("gpu_tflops", "Dense fp16 TFLOP/s", 1.0, 5000.0, 300.0, step=1.0), 0.0)
else:
    gpu = ls.GPUS[gpu_name]
n_gpus = page.select_slider("n_gpus", "GPUs (tensor parallel)", [1, 2, 4, 8], 1)
st.sidebar.markdown("**Workload**")
prompt = page.select_slider("prompt", "Prompt tokens", [128, 256, 512, 1024, 2048, 3840, 4096, 8192, 16384, 32768], 2048)
output = page.select_slider("output", "Output tokens", [16, 32, 64, 128, 256, 512, 1024, 2048], 256)
batch = page.select_slider("batch", "Batch (concurrent requests)", list(ls.BATCHES), 16)
with page.advanced_controls():  # what the lesson's failures do not need: below the workload
    kv_precision = page.select("kv_precision", "KV-cache precision", ["fp16", "int8"])
    price = page.slider("price", "Price per GPU-hour ($)", 0.0, 20.0, 3.0, step=0.1)
    mfu = page.slider("mfu", "Compute utilisation (MFU)", 0.1, 1.0, 0.5, step=0.05)
    mbu = page.slider("mbu", "Bandwidth utilisation (MBU)", 0.1, 1.0, 0.8, step=0.05)
workload = dict(precision=precision, kv_precision=kv_precision, prompt_tokens=prompt, output_tokens=output,
                n_gpus=n_gpus, price_per_gpu_hour=price, mfu=mfu, mbu=mbu)

tabs = page.tabs("view", ["1 · Serving calculator", "2 · Prompt budget", "3 · Semantic cache",
                          "4 · Grounded answer with citations", "5 · Serving levers"], default="1 · Serving calculator")
with tabs[0]:
    calc = page.guard(llm_sizing.sizing, model_name, custom, gpu, batch, workload)
    if calc is not None:
        llm_sizing.show(page, calc, mfu, mbu)
with tabs[1]:
    llm_prompt_budget.show(page, None if calc is None else calc.requested.model)
with tabs[2]:
    fits = calc is None or calc.misfit is None
    cache_math = llm_semantic_cache.show(page, 0.0 if calc is None else calc.cost_per_call, fits, seed)
with tabs[3]:
    llm_grounded.show(page)
with tabs[4]:
    formulas = llm_levers.show(page, batch, output, seed)
if calc is not None:
    formulas += llm_sizing.formulas(calc, precision, kv_precision, mfu, price)
page.math(formulas + cache_math + [llm_grounded.FORMULA],
          notes="$P$ parameters, $b_w$ bytes per weight, $L_p$/$L_o$ prompt/output tokens, "
          "$\\bar L = L_p + L_o/2$ the average context during decode, $B$ batch, $d$ hidden size. Static "
          "batching, ideal tensor parallelism; 10 % of memory is kept for activations and the runtime. "
          "When fewer requests fit than the batch asks for, time and cost are those of the batch that fits.")
short = None if calc is None else calc.misfit
page.board({"llm": ["Tokens/s (all users)", "Cost per 1k requests", "Max concurrent requests"] if short is None else
            f"does not fit: needs {gib(short.needed_bytes)}, has {gib(short.usable_bytes)}",
            "prompt_builder": ["Chunks that fit"], "semantic_cache": ["Hit rate", "Wrong answers per 1k"],
            "grounding": ["Best evidence (cosine)"], "prompt_builder>llm": f"{n_gpus} × {gpu_name}, {model_name}"})
page.finish()
