"""Serving formulas against hand-worked examples and brute-force tensor sizes."""

import pytest
import torch

from playground.rag import llm_serving as ls

LLAMA7 = ls.MODELS["Llama-2-7B"]
LLAMA70 = ls.MODELS["Llama-2-70B"]
A100 = ls.GPUS["A100-80GB"]


def test_llama2_7b_fp16_kv_cache_is_half_a_mib_per_token():
    # 2 (K and V) · 32 layers · 32 heads · 128 dims · 2 bytes = 524,288 bytes = 0.5 MiB
    per_token = ls.kv_cache_bytes(32, 32, 128, 1, 1, 2)
    assert per_token == 2 * 32 * 32 * 128 * 2 == 524_288
    assert per_token / ls.MIB == 0.5
    assert LLAMA7.head_dim == 128
    # a 4096-token request: 2 GiB; a batch of 8: 16 GiB
    assert ls.kv_cache_bytes(32, 32, 128, 4096, 8, 2) / ls.GIB == 16.0


def test_kv_cache_matches_the_bytes_of_real_tensors():
    layers, kv_heads, head_dim, seq, batch = 3, 2, 16, 7, 5
    cache = [(torch.zeros(batch, kv_heads, seq, head_dim, dtype=torch.float16),
              torch.zeros(batch, kv_heads, seq, head_dim, dtype=torch.float16)) for _ in range(layers)]
    nbytes = sum(k.nbytes + v.nbytes for k, v in cache)
    assert ls.kv_cache_bytes(layers, kv_heads, head_dim, seq, batch, 2) == nbytes


def test_gqa_shrinks_the_70b_cache_eightfold():
    # Llama-2-70B: 80 layers, 8 KV heads of 128 dims: 2·80·8·128·2 = 327,680 bytes per token
    per_token = ls.kv_cache_bytes(LLAMA70.layers, LLAMA70.kv_heads, LLAMA70.head_dim, 1, 1, 2)
    assert per_token == 327_680
    without_gqa = ls.kv_cache_bytes(LLAMA70.layers, LLAMA70.heads, LLAMA70.head_dim, 1, 1, 2)
    assert without_gqa / per_token == 8


def test_weights_memory_by_precision():
    assert ls.weights_bytes(6.74e9, ls.precision_bytes("fp16")) == pytest.approx(13.48e9)
    assert ls.weights_bytes(6.74e9, ls.precision_bytes("int8")) == pytest.approx(6.74e9)
    assert ls.weights_bytes(6.74e9, ls.precision_bytes("int4")) == pytest.approx(3.37e9)
    with pytest.raises(ValueError, match="unknown precision"):
        ls.precision_bytes("int3")


def test_max_concurrent_requests_by_hand():
    # 80 GiB · 0.9 = 77,309,411,328 bytes; minus 13.48e9 of weights = 63,829,411,328 free.
    # A 2304-token request holds 2304 · 0.5 MiB = 1,207,959,552 bytes -> 52.84 -> 52 requests.
    per_request = ls.kv_cache_bytes(32, 32, 128, 2304, 1, 2)
    assert per_request == 1_207_959_552
    assert ls.max_concurrent_requests(80 * ls.GIB, 13.48e9, per_request, 0.9) == 52
    assert ls.max_concurrent_requests(80 * ls.GIB, 138e9, per_request, 0.9) == 0


def test_prefill_is_compute_bound_by_hand():
    # 2 · 6.74e9 · 1000 + 2 · 32 · 4096 · 1000² = 1.348e13 + 2.62144e11 FLOP at 312 TFLOP/s
    flops = ls.prefill_flops(6.74e9, 32, 4096, 1000)
    assert flops == pytest.approx(1.348e13 + 2.62144e11)
    assert ls.prefill_seconds(6.74e9, 32, 4096, 1000, 1, 312e12, mfu=1.0) == pytest.approx(flops / 312e12)
    assert ls.prefill_seconds(6.74e9, 32, 4096, 1000, 4, 312e12, mfu=0.5) == pytest.approx(8 * flops / 312e12)


def test_decode_step_is_memory_bound_at_batch_one_by_hand():
    # 13.48 GB of weights over 2,039 GB/s: 6.61 ms per token, about 151 tokens/s for one user
    step = ls.decode_step(13.48e9, 0.0, 6.74e9, 32, 4096, 0, 1, 2039e9, 312e12, mbu=1.0, mfu=1.0)
    assert step.memory_s == pytest.approx(13.48e9 / 2039e9)
    assert step.compute_s == pytest.approx(2 * 6.74e9 / 312e12)
    assert step.bound == "memory"
    assert 1 / step.seconds == pytest.approx(151.26, abs=0.01)


def test_decode_turns_compute_bound_at_large_batch():
    # arithmetic intensity of the weights: 2·P·B FLOP over 2·P bytes -> crossover at B ≈ FLOPs/BW
    small = ls.decode_step(2e9, 0.0, 1e9, 1, 1, 0, 1, 1e12, 1e14, mbu=1, mfu=1)
    large = ls.decode_step(2e9, 0.0, 1e9, 1, 1, 0, 1000, 1e12, 1e14, mbu=1, mfu=1)
    assert small.bound == "memory" and small.seconds == pytest.approx(2e-3)
    assert large.bound == "compute" and large.seconds == pytest.approx(2e9 * 1000 / 1e14)


def test_cost_per_1k_requests_by_hand():
    # $3/h, one GPU busy 10 s for a batch of 10 -> 3 · 10 / 3600 / 10 · 1000 = $0.8333
    assert ls.cost_per_1k_requests(3.0, 1, 10.0, 10) == pytest.approx(0.833333, rel=1e-5)
    assert ls.cost_per_1k_requests(3.0, 2, 10.0, 10) == pytest.approx(1.666667, rel=1e-5)


def test_serving_plan_puts_the_pieces_together():
    plan = ls.serving_plan(LLAMA7, A100, precision="fp16", prompt_tokens=2048, output_tokens=256,
                           batch=8, price_per_gpu_hour=3.0, mfu=0.5, mbu=0.8)
    assert plan.kv_bytes_per_token == 524_288
    assert plan.kv_bytes_per_request == 524_288 * 2304
    assert plan.kv_bytes_batch == 8 * plan.kv_bytes_per_request
    expected_prefill = 8 * (2 * 6.74e9 * 2048 + 2 * 32 * 4096 * 2048**2) / (312e12 * 0.5)
    assert plan.prefill_s == pytest.approx(expected_prefill)
    avg = 2048 + 128
    expected_bytes = 13.48e9 + 524_288 * avg * 8
    assert plan.step.bytes_read == pytest.approx(expected_bytes)
    assert plan.step.seconds == pytest.approx(expected_bytes / (2039e9 * 0.8))
    assert plan.request_s == pytest.approx(expected_prefill + 256 * plan.step.seconds)
    assert plan.tokens_per_s == pytest.approx(8 / plan.step.seconds)
    assert plan.cost_per_1k == pytest.approx(3.0 * plan.request_s / 3600 / 8 * 1000)
    assert plan.fits_weights and plan.fits_batch and plan.max_concurrent == 52


def test_batching_cuts_cost_and_70b_fp16_does_not_fit_one_gpu():
    plans = ls.batch_sweep(LLAMA7, A100, [1, 4, 16, 32], prompt_tokens=1024, output_tokens=256)
    costs = [p.cost_per_1k for p in plans]
    assert costs == sorted(costs, reverse=True) and costs[0] > 5 * costs[-1]
    assert all(a.tokens_per_s < b.tokens_per_s for a, b in zip(plans, plans[1:]))
    big = ls.serving_plan(LLAMA70, A100, precision="fp16")
    assert not big.fits_weights and big.max_concurrent == 0
    assert ls.serving_plan(LLAMA70, A100, precision="int4").fits_weights
    assert ls.serving_plan(LLAMA70, A100, precision="fp16", n_gpus=2).fits_weights


def test_misfit_of_70b_fp16_on_one_a100_by_hand():
    bad = ls.misfit(LLAMA70, A100, precision="fp16", prompt_tokens=2048, output_tokens=256)
    per_token = 2 * 80 * 8 * 128 * 2  # K and V, layers, KV heads, head dim, fp16 bytes
    assert bad.needed_bytes == pytest.approx(69.0e9 * 2 + per_token * 2304)
    assert bad.usable_bytes == pytest.approx(0.9 * 80 * 2**30)
    assert [text for text, _ in bad.fixes] == ["int8 weights", "2 × A100-80GB"]  # weights alone exceed memory:
    # no shorter prompt helps, and int8 weights (69 GB) already fit, so int4 is not needed


def test_misfit_fixes_each_fit_and_are_the_smallest_change():
    """A 7B at a 32k context on a 24 GB card: the weights fit, one request's KV cache does not."""
    l4 = ls.GPUS["L4-24GB"]
    kwargs = dict(precision="fp16", kv_precision="fp16", prompt_tokens=32512, output_tokens=256, n_gpus=1)
    assert ls.serving_plan(LLAMA7, l4, batch=1, **kwargs).max_concurrent == 0
    bad = ls.misfit(LLAMA7, l4, **kwargs)
    assert bad.needed_bytes > bad.usable_bytes
    texts = [text for text, _ in bad.fixes]
    assert texts[:3] == ["int4 weights", "int8 KV cache", "2 × L4-24GB"] and texts[3].startswith("a prompt of")
    for _, change in bad.fixes:  # brute force: each change alone serves one request
        assert ls.serving_plan(LLAMA7, l4, batch=1, **{**kwargs, **change}).max_concurrent >= 1
    prompt = dict(bad.fixes)[texts[3]]["prompt_tokens"]
    assert ls.serving_plan(LLAMA7, l4, batch=1, **{**kwargs, "prompt_tokens": prompt + 1}).max_concurrent == 0
    assert ls.serving_plan(LLAMA7, l4, batch=1, **{**kwargs, "precision": "int8"}).max_concurrent == 0


@pytest.mark.parametrize("model", list(ls.MODELS))
@pytest.mark.parametrize("gpu", list(ls.GPUS))
def test_misfit_exactly_when_no_request_fits(model, gpu):
    for n_gpus in (1, 2, 8):
        for prompt in (512, 32768):
            kwargs = dict(precision="fp16", prompt_tokens=prompt, output_tokens=256, n_gpus=n_gpus)
            plan = ls.serving_plan(ls.MODELS[model], ls.GPUS[gpu], batch=1, **kwargs)
            assert (ls.misfit(ls.MODELS[model], ls.GPUS[gpu], **kwargs) is None) == (plan.max_concurrent >= 1)


def test_prompt_budget_by_hand():
    # 4096 − 500 − 50 − 512 = 3034 tokens; chunks of 300 + 10 overhead: 9 fit (2790), a 10th would need 3100
    budget = ls.prompt_budget(4096, 500, 50, 512, [300] * 20, overhead_per_chunk=10)
    assert budget.available == 3034 and budget.n_fit == 9 and budget.used == 2790
    assert ls.fixed_chunks_fit(4096, 500, 50, 512, 300, 10) == 9
    # rank order is kept: a long 2nd chunk stops the fill even though the 3rd is tiny
    ranked = ls.prompt_budget(4096, 500, 50, 512, [1000, 2500, 10])
    assert ranked.n_fit == 1 and ranked.used == 1000
    # no room at all
    assert ls.prompt_budget(1024, 600, 100, 512, [10]).n_fit == 0
    assert ls.fixed_chunks_fit(1024, 600, 100, 512, 10) == 0


@pytest.mark.parametrize("kwargs", [dict(prompt_tokens=0), dict(batch=0), dict(n_gpus=0),
                                    dict(precision="fp7"), dict(mfu=0.0)])
def test_bad_parameters_raise_value_error(kwargs):
    with pytest.raises(ValueError):
        ls.serving_plan(LLAMA7, A100, **kwargs)


def test_custom_model_is_checked():
    model = ls.make_model(7, 32, 4096, 32, 8, 8192)
    assert model.params == 7e9 and model.head_dim == 128
    for bad in [dict(kv_heads=64), dict(kv_heads=5), dict(hidden=4001), dict(layers=0)]:
        args = dict(params_b=7, layers=32, hidden=4096, heads=32, kv_heads=8, max_context=8192) | bad
        with pytest.raises(ValueError):
            ls.make_model(**args)


def test_token_lengths_count_wordpieces():
    class Whitespace:  # a hand-made tokenizer: one token per word
        def __call__(self, text, add_special_tokens=False):
            return {"input_ids": text.split()}

    assert ls.token_lengths(["a b c", "", "one"], Whitespace()) == [3, 0, 1]


@pytest.mark.slow  # loads MiniLM (~6 s) to compare with its own tokenizer
def test_default_token_counts_are_the_packaged_models_tokenizer_without_its_128_token_cap():
    from playground import embeddings
    from playground.rag import corpus as rc

    texts = [p.text for p in rc.load_passages()[:400]] + ["Ünïcödé 東京 e\u0301 tabs\tand  spaces", "", "word " * 400]
    reference = embeddings.load_model().tokenizer
    expected = [len(reference(t, add_special_tokens=False)["input_ids"]) for t in texts]
    assert ls.token_lengths(texts) == expected
    assert expected[-1] == 400  # longer than the model's 128-token window: counted, not truncated


def test_served_batch_is_the_requested_one_capped_by_what_fits():
    assert ls.served_batch(64, 19) == 19
    assert ls.served_batch(16, 52) == 16
    assert ls.served_batch(19, 19) == 19
    for batch, fit in [(0, 5), (4, 0)]:
        with pytest.raises(ValueError):
            ls.served_batch(batch, fit)


def test_calculator_times_the_batch_that_fits_by_hand():
    """Llama-2-13B int8 at 3,840 + 256 tokens on one A100 asked for 64 requests (the kv_bound preset)."""
    llama13 = ls.MODELS["Llama-2-13B"]
    calc = ls.calculator(llama13, A100, batch=64, precision="int8", prompt_tokens=3840, output_tokens=256,
                         price_per_gpu_hour=3.0)
    per_request = 2 * 40 * 40 * 128 * 2 * 4096  # K and V, layers, KV heads, head dim, fp16 bytes, tokens
    usable, weights = 0.9 * 80 * 2**30, 13.0e9
    fit = max(b for b in range(1, 257) if weights + b * per_request <= usable)  # brute force
    assert fit == 19 and calc.served.batch == fit and calc.queued == 64 - fit and calc.capped
    assert calc.requested.batch == 64 and calc.requested.kv_bytes_batch == 64 * per_request
    avg = 3840 + 128  # decode reads the KV cache at the average context
    memory_s = (weights + 2 * 40 * 40 * 128 * 2 * avg * fit) / (2039e9 * 0.8)
    compute_s = fit * (2 * 13.0e9 + 4 * 40 * 5120 * avg) / (312e12 * 0.5)
    assert calc.served.step.seconds == pytest.approx(max(memory_s, compute_s))
    assert calc.served.tokens_per_s == pytest.approx(fit / max(memory_s, compute_s))
    prefill = fit * (2 * 13.0e9 * 3840 + 2 * 40 * 5120 * 3840**2) / (312e12 * 0.5)
    assert calc.served.request_s == pytest.approx(prefill + 256 * max(memory_s, compute_s))
    assert calc.served.cost_per_1k == pytest.approx(3.0 * calc.served.request_s / 3600 / fit * 1000)
    assert calc.cost_per_call == pytest.approx(calc.served.cost_per_1k / 1000)
    assert calc.naive_cost_ratio == pytest.approx(calc.single.cost_per_1k / calc.served.cost_per_1k)
    assert calc.single.batch == 1 and [p.batch for p in calc.sweep] == list(ls.BATCHES)
    assert calc.batched.batch == 16  # the sweep's largest batch within the 19 that fit (the next is 32)
    assert calc.batched == ls.serving_plan(llama13, A100, batch=16, precision="int8", prompt_tokens=3840,
                                           output_tokens=256, price_per_gpu_hour=3.0)


def test_calculator_keeps_a_batch_that_fits_and_times_nothing_that_does_not():
    calc = ls.calculator(LLAMA7, A100, batch=16, price_per_gpu_hour=3.0)
    assert calc.served == calc.requested == ls.serving_plan(LLAMA7, A100, batch=16, price_per_gpu_hour=3.0)
    assert not calc.capped and calc.queued == 0 and calc.misfit is None
    oom = ls.calculator(LLAMA70, A100, batch=8)
    assert oom.misfit is not None and oom.served is oom.requested and not oom.capped
    assert oom.cost_per_call == 0.0 and oom.batched is None
    free = ls.calculator(LLAMA7, A100, batch=16, price_per_gpu_hour=0.0)
    assert free.naive_cost_ratio is None


def test_plan_derived_numbers_by_hand():
    plan = ls.serving_plan(LLAMA7, A100, prompt_tokens=2048, output_tokens=256, batch=8, n_gpus=2,
                           price_per_gpu_hour=3.0)
    assert plan.tokens_per_request == 2304
    assert plan.usable_bytes == pytest.approx(0.9 * 2 * 80 * 2**30)
    assert plan.flops_per_s == pytest.approx(2 * 312e12)
    assert plan.prefill_flops == pytest.approx(8 * (2 * 6.74e9 * 2048 + 2 * 32 * 4096 * 2048**2))
    assert plan.prefill_s == pytest.approx(plan.prefill_flops / (2 * 312e12 * 0.5))
    assert plan.cost_per_request * 1000 == pytest.approx(plan.cost_per_1k)


def test_prompt_budget_parts_by_hand():
    budget = ls.prompt_budget(4096, 500, 50, 512, [300] * 20, overhead_per_chunk=10)
    assert budget.fixed_tokens == 1062 and budget.room == 3034
    assert budget.parts() == [("system prompt", 500), ("question", 50), ("9 chunks", 2790),
                              ("answer budget", 512), ("unused", 4096 - 1062 - 2790)]
    assert sum(t for _, t in budget.parts()) == 4096
    full = ls.prompt_budget(1024, 600, 100, 512, [10])
    assert full.available == -188 and full.room == 0 and full.unused == 0


def test_median_tokens_against_the_statistics_module():
    import statistics

    for lengths in ([5], [3, 1, 2], [4, 1, 3, 2], [7, 8], [120, 80, 95, 301, 44, 60]):
        assert ls.median_tokens(lengths) == int(statistics.median(lengths))
    assert ls.median_tokens([7, 8]) == 7  # 7.5 truncated to whole tokens
    with pytest.raises(ValueError):
        ls.median_tokens([])
