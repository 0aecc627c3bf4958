"""Scenarios of lesson 10's page (Generation and LLM serving, app/lessons/10_llm_serving.py): preset values for the
controls that page declares. The page passes them to ``LessonPage``; tests read them here."""

from playground.scenario import Preset

PRESETS: tuple[Preset, ...] = (
    Preset("production", "7B on one A100, batched",
           "Llama-2-7B fp16 with a batch of 16: decode stays memory bound, tokens/s grow with the "
           "batch and the cost per 1k requests falls; the semantic cache threshold is safe.",
           {"model": "Llama-2-7B", "precision": "fp16", "gpu": "A100-80GB", "n_gpus": 1,
            "batch": 16, "prompt": 2048, "output": 256, "threshold": 0.9, "naive": False}),
    Preset("naive", "Batch of one, loose cache",
           "One request at a time: the GPU streams all weights for every token of one user, so "
           "cost per request is many times the batched one, a 0.5 cache threshold serves wrong answers, "
           "and the generator answers even off-topic questions.",
           {"model": "Llama-2-7B", "precision": "fp16", "gpu": "A100-80GB", "n_gpus": 1,
            "batch": 1, "prompt": 2048, "output": 256, "threshold": 0.5, "naive": True}),
    Preset("oom_70b", "70B fp16 on one GPU",
           "138 GB of weights on one 80 GB card: it does not fit; int8 weights or two GPUs make it fit.",
           {"model": "Llama-2-70B", "precision": "fp16", "gpu": "A100-80GB", "n_gpus": 1,
            "batch": 8, "prompt": 2048, "output": 256}),
    Preset("kv_bound", "Long context caps concurrency",
           "Llama-2-13B without GQA at 4k tokens: the KV cache, not the weights, limits how many "
           "requests run at once.",
           {"model": "Llama-2-13B", "precision": "int8", "gpu": "A100-80GB", "n_gpus": 1,
            "batch": 64, "prompt": 3840, "output": 256}),
)
