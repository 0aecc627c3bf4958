"""Numeric questions of the final quiz. Each answer is computed by the lesson's core module, and
each question also carries a hand-worked ``reference`` that the tests check the core against."""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Callable

GIB = 2**30


@dataclass(frozen=True)
class Numeric:
    """A question whose answer is a number.

    Parameters
    ----------
    lesson_id : str
        Lesson the question checks.
    prompt : str
        The question, with every input stated.
    compute : callable
        Returns the answer from the core package.
    reference : float
        The same answer worked by hand (tests compare it with ``compute``).
    unit : str
        Unit of the expected answer.
    tolerance : float
        Relative tolerance accepted for the learner's answer.
    explanation : str
        How to get there.
    """

    lesson_id: str
    prompt: str
    compute: Callable[[], float]
    reference: float
    unit: str
    tolerance: float
    explanation: str


def _n_per_arm(baseline: float, mde: float, relative: bool = False) -> float:
    from playground.experiments import power as pw

    return float(pw.sample_size_per_arm(baseline, mde, relative=relative))


def _corrected(p: float, w: float) -> float:
    from playground.recsys import calibration

    return 100 * float(calibration.correct_downsampling(p, w))


def _inflated(p: float, w: float) -> float:
    from playground.recsys import calibration

    return 100 * float(calibration.inflated(p, w))


def _kv_gib(layers: int, kv_heads: int, head_dim: int, seq: int, batch: int) -> float:
    from playground.rag import llm_serving

    return llm_serving.kv_cache_bytes(layers, kv_heads, head_dim, seq, batch, 2) / GIB


def _weights_gb(params: float, bytes_per_param: float) -> float:
    from playground.rag import llm_serving

    return llm_serving.weights_bytes(params, bytes_per_param) / 1e9


def _chunks() -> float:
    from playground.rag import llm_serving

    return float(llm_serving.fixed_chunks_fit(8192, 600, 100, 1000, 400, 20))


def _rrf() -> float:
    from playground.rag import retrievers

    return dict(retrievers.rrf_fuse([["d", "a", "b"], ["a", "b", "d"]], 60))["d"]


def _ndcg() -> float:
    from playground.experiments import offline_metrics

    return offline_metrics.ndcg_at_k([3, 2, 0, 1], 4)


def _gsp_price() -> float:
    from playground.cases import ads

    return float(ads.gsp([2.0, 4.0], [0.05, 0.02], slots=1).price[0, 0])


def _info_nce_chance() -> float:
    import torch

    from playground.cases import clip_training

    emb = torch.nn.functional.normalize(torch.ones(128, 8), dim=1)
    return float(clip_training.info_nce(emb, emb, 0.07)[0])


def _store(n: float, d: int, dtype: str, attr: str = "replica_bytes", **kwargs) -> float:
    from playground.recsys import sizing

    size = sizing.size_store(int(n), d, dtype, **kwargs)
    return getattr(size, attr) / (1e9 if attr.endswith("bytes") else 1)


def _mmc_wait_ms() -> float:
    from playground.recsys import queueing

    return 1000 * queueing.mean_wait(8.0, 5.0, 2)


def _fanout_tail_share() -> float:
    from playground.recsys import serving

    return 100 * (1 - float(serving.fanout_cdf(120.0, 30.0, 120.0, 100)))


def _psi() -> float:
    from playground.monitoring import drift

    return drift.psi(list(range(10)), [0] * 8 + [9] * 2, bins=2)


def _minutes_left(budgets: list[int], step: int) -> float:
    from playground import framework

    ends = framework.schedule(budgets)
    start = ends[step] - budgets[step]
    return float(max(0.0, min(framework.ROUND_MINUTES, ends[step]) - start))


def _step_number(budgets: list[int], minute: float) -> float:
    from playground import framework

    return float(framework.step_at(budgets, minute) + 1)


def _item_offset() -> float:
    from playground.recsys import objectives

    return float(objectives.ratio_offset(30.0, 20.0, 10.0))


def _ips_ctr() -> float:
    from playground.recsys import pipeline

    return 100 * 0.02 / float(pipeline.examination(4, 1.0))


def _obf_first() -> float:
    from playground.experiments import sequential

    return float(sequential.obrien_fleming_bounds(5, 0.05)[0])


def _bh_rejections() -> float:
    from playground.experiments import multiple_testing

    return float(multiple_testing.reject([0.001, 0.008, 0.039, 0.041, 0.042, 0.06, 0.074, 0.205, 0.212,
                                          0.216], 0.05, "bh").sum())


def _cuped_n() -> float:
    return math.ceil(_n_per_arm(0.10, 0.01) * (1 - 0.5**2))


def _continuous_steps() -> float:
    from playground.rag import serving_levers

    return float(serving_levers.continuous_batching([8, 1, 1, 1, 1, 1, 1, 1], 2).steps)


def _speculative_speedup() -> float:
    from playground.rag import serving_levers

    return serving_levers.speculative_speedup(0.8, 4, 0.1)


def _routing_saving() -> float:
    from playground.rag import serving_levers

    return 100 * serving_levers.route(0.6, 0.9, 0.1, 1.0, 10.0, 1.0, 0.5).saving


def _ips_fraud() -> float:
    from playground.cases import fraud

    # 1,000 would-be declines (40 of them fraud, 4 of those explored at 10 %), 30 fraud among approvals
    y = [1] * 30 + [0] * 970 + [1] * 40 + [0] * 960
    declined = [0] * 1000 + [1] * 1000
    explored = [0] * 1000 + [1] * 4 + [0] * 36 + [1] * 96 + [0] * 864
    return fraud.ips_fraud_total(y, declined, explored, 0.1)


def _slowest_sql_p99() -> float:
    from playground.cases import fraud_latency

    return fraud_latency.step_quantile(fraud_latency.Step("sql", 15.0, 120.0, calls=3), 0.99)


def _rearranged_pinball() -> float:
    from playground.cases import eta

    lo, hi = eta.rearrange([30.0], [27.0])
    return eta.pinball_loss([28.0], lo, 0.5) + eta.pinball_loss([28.0], hi, 0.9)


NUMERIC: tuple[Numeric, ...] = (
    Numeric("l00", "Your plan gives the six steps 5, 6, 8, 20, 9 and 7 minutes of a 45-minute round. How "
            "many minutes does the last step (evaluation and monitoring) actually get?",
            lambda: _minutes_left([5, 6, 8, 20, 9, 7], 5), 0.0, "min", 0.0,
            "The steps end at 5, 11, 19, 39, 48, 55: evaluation would start at minute 48, after the round."),
    Numeric("l00", "Budgets 5, 6, 8, 10, 9, 7 minutes. Thirty minutes in, which step (1–6) should you be on?",
            lambda: _step_number([5, 6, 8, 10, 9, 7], 30.0), 5.0, "", 0.0,
            "Cumulative ends 5, 11, 19, 29, 38, 45: minute 30 falls in step 5 (serving and scale)."),
    Numeric("l01", "An item drew 30 clicks where the user–item affinity alone predicts 20. With a prior of "
            "10 pseudo-clicks, what item offset log((observed + prior) / (expected + prior)) does the "
            "ranker learn?", _item_offset, 0.28768, "", 0.01,
            "ln(40 / 30) = 0.288: the item beats its affinity, the mark of click-bait when clicks are the target."),
    Numeric("l02", "Position bias: a slot at position p is examined with probability p^−η, η = 1. Items "
            "shown at position 4 get a 2 % click rate. What is their click rate once examined "
            "(inverse-propensity corrected), in percent?", _ips_ctr, 8.0, "%", 0.01,
            "Examination at position 4 is 4^−1 = 0.25; 2 % / 0.25 = 8 %."),
    Numeric("l06", "Lan–DeMets O'Brien–Fleming boundary, 5 equally spaced looks, two-sided α = 0.05 "
            "(0.025 per side, as gsDesign/rpact). Critical |z| at the first look?",
            _obf_first, 4.877, "", 0.002,
            "Each side spends 2 − 2Φ(z₀.₉₈₇₅/√0.2) = 1.1e−6 at t = 0.2: |z| > 4.877."),
    Numeric("l06", "Ten metrics with p-values 0.001, 0.008, 0.039, 0.041, 0.042, 0.06, 0.074, 0.205, 0.212, "
            "0.216. How many does Benjamini–Hochberg at 0.05 declare significant?",
            _bh_rejections, 2.0, "metrics", 0.0,
            "Thresholds k·0.005: 0.001 ≤ 0.005, 0.008 ≤ 0.010, 0.039 > 0.015 and no later p passes: 2 "
            "(Bonferroni, p ≤ 0.005: 1; uncorrected: 5)."),
    Numeric("l06", "Baseline conversion 10 %, minimum detectable effect +1 percentage point (absolute), "
            "two-sided α = 0.05, power 80 %. How many users per arm?",
            lambda: _n_per_arm(0.10, 0.01), 14749, "users", 0.01,
            "n = (z₀.₉₇₅ + z₀.₈)² · (p₁(1−p₁) + p₂(1−p₂)) / (p₂ − p₁)² = 7.849 · 0.1879 / 0.0001."),
    Numeric("l06", "Baseline conversion 5 %, minimum detectable effect +10 % relative, α = 0.05 two-sided, "
            "power 80 %. How many users per arm?",
            lambda: _n_per_arm(0.05, 0.10, relative=True), 31231, "users", 0.01,
            "p₂ = 5.5 %; n = 7.849 · (0.0475 + 0.05198) / 0.005² ≈ 31,231."),
    Numeric("l06", "The test above (10 % baseline, +1 pp) needs 14,749 users per arm. With CUPED on a "
            "pre-period covariate correlated ρ = 0.5 with the metric, how many per arm?",
            _cuped_n, 11062, "users", 0.01, "CUPED multiplies variance, hence n, by 1 − ρ² = 0.75."),
    Numeric("l06", "Ranked relevance grades [3, 2, 0, 1] (linear gains, log₂ discount). What is NDCG@4?",
            _ndcg, 0.98544, "", 0.005,
            "DCG = 3 + 2/log₂3 + 0 + 1/log₂5 = 4.6925; ideal [3,2,1,0] gives 4.7619; ratio 0.985."),
    Numeric("l04", "A CTR model was trained keeping 10 % of negatives (w = 0.1) and predicts 20 %. "
            "What is the corrected click probability, in percent?",
            lambda: _corrected(0.20, 0.1), 2.439, "%", 0.01, "q = p / (p + (1 − p)/w) = 0.2 / 8.2."),
    Numeric("l04", "True CTR 2 %, negatives downsampled to w = 0.1. What CTR does a calibrated model "
            "trained on the downsampled data predict, in percent?",
            lambda: _inflated(0.02, 0.1), 16.949, "%", 0.01, "p / (p + (1 − p)·w) = 0.02 / 0.118."),
    Numeric("l10", "Llama-2-7B (32 layers, 32 KV heads, head dim 128), fp16 KV cache, one sequence of "
            "4,096 tokens. KV-cache size in GiB?",
            lambda: _kv_gib(32, 32, 128, 4096, 1), 2.0, "GiB", 0.01,
            "2 (K and V) · 32 · 32 · 128 · 2 bytes = 0.5 MiB per token; × 4,096 = 2 GiB."),
    Numeric("l10", "A GQA model with 32 layers, 8 KV heads, head dim 128, fp16, batch of 8 sequences of "
            "8,192 tokens. KV-cache size in GiB?",
            lambda: _kv_gib(32, 8, 128, 8192, 8), 8.0, "GiB", 0.01,
            "2 · 32 · 8 · 128 · 2 bytes = 128 KiB per token; × 65,536 tokens = 8 GiB."),
    Numeric("l10", "Weights of a 70-billion-parameter model quantised to int4, in GB (10⁹ bytes)?",
            lambda: _weights_gb(70e9, 0.5), 35.0, "GB", 0.01, "70e9 × 0.5 byte = 35 GB."),
    Numeric("l10", "Context window 8,192 tokens; system prompt 600, question 100, answer budget 1,000; "
            "chunks of 400 tokens plus 20 tokens of citation markup each. How many chunks fit?",
            _chunks, 15, "chunks", 0.0, "⌊(8192 − 600 − 100 − 1000) / 420⌋ = ⌊6492 / 420⌋ = 15."),
    Numeric("l10", "Eight answers of 8, 1, 1, 1, 1, 1, 1 and 1 tokens arrive together; the GPU decodes 2 "
            "sequences at a time. How many decode steps does continuous batching need?",
            _continuous_steps, 8, "steps", 0.0,
            "One slot decodes the 8-token answer while the other takes the seven 1-token answers in turn: 8 "
            "steps. Static batches of 2 wait for their longest member: 8 + 1 + 1 + 1 = 11."),
    Numeric("l10", "Speculative decoding: the target accepts each draft token with probability 0.8, the draft "
            "proposes 4 tokens per pass and costs 0.1 of a target pass per token. Speed-up over plain decoding?",
            _speculative_speedup, 2.401, "×", 0.01,
            "Tokens per target pass (1 − 0.8⁵) / (1 − 0.8) = 3.362; each pass costs 1 + 4 · 0.1 = 1.4: 3.362 / 1.4."),
    Numeric("l10", "60 % of queries are easy. A router sends 90 % of easy and 10 % of hard queries to a small "
            "model costing 1 unit; the rest go to a large model costing 10. Saving vs sending all to the "
            "large model, in percent?", _routing_saving, 52.2, "%", 0.01,
            "Small share 0.6 · 0.9 + 0.4 · 0.1 = 0.58; cost 0.58 · 1 + 0.42 · 10 = 4.78 of 10: 52.2 % saved."),
    Numeric("l13", "Declined transactions get no label. In a window, approved transactions hold 30 known frauds; "
            "a random 10 % of would-be declines was approved anyway and 4 of those turned out to be fraud. "
            "Inverse-propensity estimate of the window's fraud count?", _ips_fraud, 70.0, "frauds", 0.0,
            "30 + 4 / 0.1 = 70; counting approved labels only says 34."),
    Numeric("l13", "Three velocity aggregates run as parallel SQL queries, each log-normal with median 15 ms "
            "and p99 120 ms. What is the p99 of the slowest of the three, in ms?",
            _slowest_sql_p99, 170.0, "ms", 0.01,
            "σ = ln(120/15) / 2.326 = 0.894; the max of 3 is below x with probability F(x)³, so its p99 is "
            "F⁻¹(0.99^(1/3)) = 15 · exp(0.894 · 2.713) ≈ 170 ms: over a 100 ms scoring budget by itself."),
    Numeric("l14", "A trip took 28 min; the P50 model predicted 30 and the P90 model 27 (crossed). Summed "
            "pinball loss (q = 0.5 and q = 0.9) after sorting the two predictions?", _rearranged_pinball, 0.7,
            "min", 0.01,
            "P50 = 27: 0.5 · 1 = 0.5; P90 = 30: 0.1 · 2 = 0.2; total 0.7 (crossed: 0.5 · 2 + 0.9 · 1 = 1.9)."),
    Numeric("l09", "Reciprocal rank fusion with k = 60: a passage is ranked 1st by BM25 and 3rd by the "
            "dense retriever. What is its fused score?",
            _rrf, 0.032266, "", 0.005, "1/(60+1) + 1/(60+3) = 0.016393 + 0.015873."),
    Numeric("l12", "One slot. Ad A bids $2.00 per click with pCTR 5 %; ad B bids $4.00 with pCTR 2 %. "
            "What does the winner pay per click under second-price pricing, in dollars?",
            _gsp_price, 1.60, "$", 0.01,
            "A wins on eCPM (0.10 vs 0.08) and pays B's eCPM over its own pCTR: 0.08 / 0.05."),
    Numeric("l03", "Embedding store: 1 billion items × 256 dimensions in fp16, one replica. Size in GB "
            "(10⁹ bytes)?", lambda: _store(1e9, 256, "fp16"), 512.0, "GB", 0.01,
            "1e9 × 256 × 2 bytes = 512 GB."),
    Numeric("l03", "1 billion items × 128 dims compressed with PQ (m = 16 sub-quantisers, 8 bits each). "
            "Code storage in GB?", lambda: _store(1e9, 128, "PQ", pq_m=16, nbits=8), 16.0, "GB", 0.01,
            "Each vector becomes 16 one-byte codes: 1e9 × 16 bytes = 16 GB."),
    Numeric("l03", "1 billion × 128 fp32 vectors, 3 replicas, machines with 256 GB RAM of which 70 % may "
            "hold the index. How many machines?",
            lambda: _store(1e9, 128, "fp32", attr="machines", replicas=3, ram_gb=256, usable_fraction=0.7),
            9, "machines", 0.0, "512 GB per replica / 179.2 GB usable = 2.86 → 3 shards; × 3 replicas = 9."),
    Numeric("l05", "A ranking service gets 8 requests/s; each replica serves 5 requests/s (exponential "
            "service, M/M/c). With 2 replicas, what is the mean time a request waits in the queue, in ms?",
            _mmc_wait_ms, 355.6, "ms", 0.01,
            "a = λ/μ = 1.6, ρ = 0.8; Erlang C = 6.4 / (1 + 1.6 + 6.4) = 0.711; W = C / (cμ − λ) = 0.711 / 2 s."),
    Numeric("l05", "A request fans out to 100 shards whose latencies are independent. What percentage of "
            "requests wait for at least one call slower than a shard's own p99?",
            _fanout_tail_share, 63.4, "%", 0.01, "1 − 0.99¹⁰⁰ = 0.634."),
    Numeric("l07", "PSI with 2 bins split at the reference median: the reference has 50 % / 50 % of values "
            "in the bins, the current window 80 % / 20 %. What is the PSI?",
            _psi, 0.4159, "", 0.01, "(0.8 − 0.5) ln(0.8/0.5) + (0.2 − 0.5) ln(0.2/0.5) = 0.141 + 0.275."),
    Numeric("l15", "A contrastive model that has learned nothing gives every image–text pair the same "
            "similarity. With a batch of 128 pairs, what is its InfoNCE loss (nats)?",
            _info_nce_chance, 4.852, "nats", 0.005, "Uniform softmax over 128 candidates: ln 128."),
)
