"""Lesson 10: LLM serving arithmetic — weights and KV-cache memory, prefill vs decode time,
throughput, cost per request, and the prompt budget of a RAG prompt.

Every function is a closed-form roofline estimate (the numbers a senior engineer writes on the
whiteboard), not a benchmark. Conventions:

- memory in bytes (the page shows GiB = 2**30 bytes and MiB = 2**20 bytes);
- compute in FLOP and FLOP/s, bandwidth in bytes/s, time in seconds;
- a "token" is a model token; ``params`` counts all weights.

Prefill (processing the prompt) is compute bound: ``2 · params`` FLOP per token plus the causal
attention term. Decode (one new token per sequence per step) is memory-bandwidth bound at small
batch: each step reads every weight once plus every sequence's KV cache. The step time is the
roofline maximum of the memory time and the compute time.
"""

from __future__ import annotations

import math
from dataclasses import dataclass


DEFAULT_QUESTION = "How do I copy a directory tree into a folder that already exists?"
"""Lesson 10's default question (its prompt-budget and grounded-answer sections)."""
OFF_TOPIC = "Who won the football world cup in 2014?"
"""Lesson 10's off-topic probe: a grounded generator should refuse it."""
GROUNDED_DEFAULTS = {"method": "rrf", "k": 3}
"""Lesson 10's grounded answer at its defaults: hybrid (RRF) retrieval of 3 passages. The query
vectors of both questions and the evidence vectors of their answers at these settings ship
(``data/samples/rag/query_vectors.npz``, ``grounded_vectors.npz``)."""
GIB = 2**30
MIB = 2**20

#: Bytes per stored value for each precision (int4 packs two values per byte).
PRECISION_BYTES: dict[str, float] = {"fp32": 4.0, "fp16": 2.0, "bf16": 2.0, "fp8": 1.0,
                                     "int8": 1.0, "int4": 0.5}


@dataclass(frozen=True)
class ModelSpec:
    """Architecture numbers of a decoder-only transformer.

    Parameters
    ----------
    name : str
        Display name.
    params : float
        Number of weights.
    layers : int
        Transformer blocks.
    hidden : int
        Model (residual) width ``d_model``.
    heads : int
        Query heads; ``head_dim = hidden / heads``.
    kv_heads : int
        Key/value heads (``kv_heads < heads`` is grouped-query attention, GQA).
    max_context : int
        Context window in tokens.
    """

    name: str
    params: float
    layers: int
    hidden: int
    heads: int
    kv_heads: int
    max_context: int

    @property
    def head_dim(self) -> int:
        """Width of one attention head (``hidden / heads``)."""
        return self.hidden // self.heads


@dataclass(frozen=True)
class GPUSpec:
    """One accelerator's datasheet numbers (dense, no sparsity).

    Parameters
    ----------
    name : str
        Display name.
    memory_gib : float
        HBM / GDDR capacity in GiB.
    bandwidth_gbs : float
        Memory bandwidth in GB/s (1e9 bytes/s).
    tflops : float
        Dense fp16/bf16 tensor-core peak in TFLOP/s (1e12 FLOP/s).
    price_hour : float
        Example on-demand price in $ per GPU-hour (an assumption; the page lets you change it).
    """

    name: str
    memory_gib: float
    bandwidth_gbs: float
    tflops: float
    price_hour: float


#: Published architecture numbers (model cards / config.json of each checkpoint).
MODELS: dict[str, ModelSpec] = {m.name: m for m in (
    ModelSpec("Llama-2-7B", 6.74e9, 32, 4096, 32, 32, 4096),
    ModelSpec("Llama-2-13B", 13.0e9, 40, 5120, 40, 40, 4096),
    ModelSpec("Llama-2-70B", 69.0e9, 80, 8192, 64, 8, 4096),
    ModelSpec("Llama-3-8B", 8.03e9, 32, 4096, 32, 8, 8192),
    ModelSpec("Mistral-7B", 7.24e9, 32, 4096, 32, 8, 32768),
)}

#: NVIDIA datasheet numbers (SXM parts for A100/H100); prices are example cloud rates.
GPUS: dict[str, GPUSpec] = {g.name: g for g in (
    GPUSpec("A100-80GB", 80, 2039, 312, 3.0),
    GPUSpec("H100-80GB", 80, 3350, 989, 5.0),
    GPUSpec("L4-24GB", 24, 300, 121, 0.8),
    GPUSpec("A10-24GB", 24, 600, 125, 1.0),
)}


def make_model(params_b: float, layers: int, hidden: int, heads: int, kv_heads: int,
               max_context: int, name: str = "Custom") -> ModelSpec:
    """A checked custom :class:`ModelSpec` (``params_b`` in billions of weights)."""
    _positive(params_b=params_b, layers=layers, hidden=hidden, heads=heads, kv_heads=kv_heads,
              max_context=max_context)
    if kv_heads > heads:
        raise ValueError(f"KV heads ({kv_heads}) cannot exceed query heads ({heads})")
    if heads % kv_heads:
        raise ValueError(f"query heads ({heads}) must be a multiple of KV heads ({kv_heads}) for GQA")
    if hidden % heads:
        raise ValueError(f"hidden size ({hidden}) must be a multiple of the number of heads ({heads})")
    return ModelSpec(name, params_b * 1e9, int(layers), int(hidden), int(heads), int(kv_heads), int(max_context))


def token_lengths(texts: list[str], tokenizer=None) -> list[int]:
    """Token count of each text (no special tokens) with ``tokenizer``; default: the packaged
    MiniLM WordPiece tokenizer, a stand-in for an LLM's own tokenizer (counts differ by ~10–30 %)."""
    if tokenizer is None:
        from playground.embeddings import load_tokenizer

        return [len(e.ids) for e in load_tokenizer().encode_batch(list(texts), add_special_tokens=False)]
    return [len(tokenizer(t, add_special_tokens=False)["input_ids"]) for t in texts]


def precision_bytes(precision: str) -> float:
    """Bytes per value for ``precision`` (``"fp16"`` → 2, ``"int8"`` → 1, ``"int4"`` → 0.5)."""
    try:
        return PRECISION_BYTES[precision]
    except KeyError:
        raise ValueError(f"unknown precision {precision!r}; use one of {', '.join(PRECISION_BYTES)}") from None


def _positive(**values: float) -> None:
    for name, value in values.items():
        if not (value > 0) or not math.isfinite(value):
            raise ValueError(f"{name} must be a positive number (got {value})")


def weights_bytes(params: float, bytes_per_param: float) -> float:
    """Memory of the weights.

    Parameters
    ----------
    params : float
        Number of weights.
    bytes_per_param : float
        Bytes per weight (2 for fp16, 1 for int8, 0.5 for int4).

    Returns
    -------
    float
        ``params · bytes_per_param`` bytes. Llama-2-7B in fp16: 6.74e9 · 2 = 13.48e9 bytes.
    """
    _positive(params=params, bytes_per_param=bytes_per_param)
    return params * bytes_per_param


def kv_cache_bytes(layers: int, kv_heads: int, head_dim: int, seq_len: int, batch: int,
                   bytes_per_value: float) -> float:
    """Memory of the key/value cache.

    Parameters
    ----------
    layers : int
        Transformer blocks.
    kv_heads : int
        Key/value heads (fewer than query heads under GQA).
    head_dim : int
        Width of one head.
    seq_len : int
        Tokens held per sequence (prompt + generated so far).
    batch : int
        Sequences held at once.
    bytes_per_value : float
        Bytes per cached number (2 for fp16).

    Returns
    -------
    float
        ``2 · layers · kv_heads · head_dim · seq_len · batch · bytes_per_value`` bytes (the 2 is
        one key and one value vector). Llama-2-7B fp16: 2·32·32·128·2 = 524,288 bytes = 0.5 MiB
        per token.
    """
    _positive(layers=layers, kv_heads=kv_heads, head_dim=head_dim, bytes_per_value=bytes_per_value)
    if seq_len < 0 or batch < 0:
        raise ValueError("seq_len and batch cannot be negative")
    return 2.0 * layers * kv_heads * head_dim * seq_len * batch * bytes_per_value


def max_concurrent_requests(gpu_bytes: float, weight_bytes: float, kv_bytes_per_request: float,
                            usable_fraction: float = 0.9) -> int:
    """How many requests' KV caches fit beside the weights.

    Parameters
    ----------
    gpu_bytes : float
        Total accelerator memory (all GPUs the model is sharded over).
    weight_bytes : float
        Memory of the weights.
    kv_bytes_per_request : float
        KV cache of one request at its full length (prompt + output).
    usable_fraction : float
        Share of memory the serving engine may use (the rest: activations, CUDA context,
        fragmentation).

    Returns
    -------
    int
        ``floor((usable_fraction · gpu_bytes − weight_bytes) / kv_bytes_per_request)``; 0 when the
        weights alone do not fit.
    """
    _positive(gpu_bytes=gpu_bytes, kv_bytes_per_request=kv_bytes_per_request)
    if not 0 < usable_fraction <= 1:
        raise ValueError("usable_fraction must be in (0, 1]")
    free = usable_fraction * gpu_bytes - weight_bytes
    return max(0, int(free // kv_bytes_per_request))


def prefill_flops(params: float, layers: int, hidden: int, prompt_tokens: int, batch: int = 1) -> float:
    """FLOP to process the prompts of a batch.

    ``batch · (2 · params · L + 2 · layers · hidden · L²)``: two FLOP per weight per token
    (a multiply and an add) plus causal self-attention (``QKᵀ`` and ``AV`` over the lower
    triangle: ``2 · 2 · hidden · L²/2`` per layer).
    """
    _positive(params=params, layers=layers, hidden=hidden)
    length = float(prompt_tokens)
    return batch * (2.0 * params * length + 2.0 * layers * hidden * length**2)


def prefill_seconds(params: float, layers: int, hidden: int, prompt_tokens: int, batch: int,
                    flops_per_s: float, mfu: float = 0.5) -> float:
    """Prefill time (compute bound): :func:`prefill_flops` ``/ (flops_per_s · mfu)``.

    Parameters
    ----------
    flops_per_s : float
        Peak FLOP/s of the accelerator(s).
    mfu : float
        Model FLOP utilisation actually reached (0.3–0.6 is typical).
    """
    _positive(flops_per_s=flops_per_s, mfu=mfu)
    return prefill_flops(params, layers, hidden, prompt_tokens, batch) / (flops_per_s * mfu)


@dataclass(frozen=True)
class DecodeStep:
    """One decode step (one new token for every sequence in the batch), roofline model.

    Attributes
    ----------
    bytes_read : float
        Weights plus the batch's KV cache, read once per step.
    flops : float
        ``batch · (2 · params + 4 · layers · hidden · context)``.
    memory_s, compute_s : float
        ``bytes_read / (bandwidth · mbu)`` and ``flops / (flops_per_s · mfu)``.
    seconds : float
        ``max(memory_s, compute_s)``.
    """

    bytes_read: float
    flops: float
    memory_s: float
    compute_s: float

    @property
    def seconds(self) -> float:
        """Step time: the slower of memory traffic and compute."""
        return max(self.memory_s, self.compute_s)

    @property
    def bound(self) -> str:
        """``"memory"`` or ``"compute"``: which roof sets the step time."""
        return "memory" if self.memory_s >= self.compute_s else "compute"


def decode_step(weight_bytes: float, kv_bytes_batch: float, params: float, layers: int,
                hidden: int, context: float, batch: int, bandwidth_bytes_per_s: float,
                flops_per_s: float, mbu: float = 0.8, mfu: float = 0.5) -> DecodeStep:
    """Time of one decode step for a batch.

    Parameters
    ----------
    weight_bytes : float
        Memory of the weights (read once per step, shared by the batch).
    kv_bytes_batch : float
        KV cache of the whole batch at the current context length (read once per step).
    context : float
        Tokens each sequence attends to at this step.
    bandwidth_bytes_per_s : float
        Peak memory bandwidth (bytes/s).
    mbu : float
        Memory-bandwidth utilisation actually reached (0.6–0.9 is typical).
    """
    _positive(bandwidth_bytes_per_s=bandwidth_bytes_per_s, flops_per_s=flops_per_s, mbu=mbu, mfu=mfu)
    bytes_read = weight_bytes + kv_bytes_batch
    flops = batch * (2.0 * params + 4.0 * layers * hidden * context)
    return DecodeStep(bytes_read, flops, bytes_read / (bandwidth_bytes_per_s * mbu),
                      flops / (flops_per_s * mfu))


def cost_per_1k_requests(price_per_gpu_hour: float, n_gpus: int, batch_seconds: float,
                         batch: int) -> float:
    """Dollars per 1,000 requests when ``batch`` requests share ``batch_seconds`` of ``n_gpus``.

    ``price · n_gpus · batch_seconds / 3600 / batch · 1000``.
    """
    if price_per_gpu_hour < 0:
        raise ValueError("the GPU price cannot be negative")
    _positive(batch_seconds=batch_seconds, batch=batch, n_gpus=n_gpus)
    return price_per_gpu_hour * n_gpus * batch_seconds / 3600.0 / batch * 1000.0


@dataclass(frozen=True)
class ServingPlan:
    """Everything the serving calculator shows (bytes, seconds, dollars)."""

    model: ModelSpec
    gpu: GPUSpec
    n_gpus: int
    batch: int
    prompt_tokens: int
    output_tokens: int
    weight_bytes: float
    kv_bytes_per_token: float
    kv_bytes_per_request: float
    kv_bytes_batch: float
    gpu_bytes: float
    max_concurrent: int
    prefill_s: float
    step: DecodeStep
    request_s: float
    tokens_per_s: float
    tokens_per_s_per_user: float
    cost_per_1k: float
    fits_weights: bool
    fits_batch: bool
    usable_fraction: float = 0.9

    @property
    def tokens_per_request(self) -> int:
        """Tokens a request holds at its full length: ``prompt_tokens + output_tokens``."""
        return self.prompt_tokens + self.output_tokens

    @property
    def usable_bytes(self) -> float:
        """Memory the serving engine may use: ``usable_fraction · gpu_bytes`` (bytes)."""
        return self.usable_fraction * self.gpu_bytes

    @property
    def flops_per_s(self) -> float:
        """Peak dense fp16 FLOP/s of all ``n_gpus`` (``tflops · 1e12 · n_gpus``)."""
        return self.gpu.tflops * 1e12 * self.n_gpus

    @property
    def prefill_flops(self) -> float:
        """FLOP to prefill the whole batch (:func:`prefill_flops`)."""
        return prefill_flops(self.model.params, self.model.layers, self.model.hidden, self.prompt_tokens, self.batch)

    @property
    def cost_per_request(self) -> float:
        """Dollars per request (``cost_per_1k / 1000``)."""
        return self.cost_per_1k / 1000.0


def serving_plan(model: ModelSpec, gpu: GPUSpec, *, precision: str = "fp16", kv_precision: str = "fp16",
                 prompt_tokens: int = 2048, output_tokens: int = 256, batch: int = 8, n_gpus: int = 1,
                 price_per_gpu_hour: float | None = None, mfu: float = 0.5, mbu: float = 0.8,
                 usable_fraction: float = 0.9) -> ServingPlan:
    """Size one deployment of ``model`` on ``n_gpus`` × ``gpu`` (static batching, tensor parallel
    with ideal scaling of memory, bandwidth and FLOP/s).

    Decode reads the KV cache at the average context of a request,
    ``prompt_tokens + output_tokens / 2``; a request takes ``prefill + output_tokens · step``.
    """
    if prompt_tokens < 1 or output_tokens < 1:
        raise ValueError("prompt and output need at least one token each")
    if batch < 1 or n_gpus < 1:
        raise ValueError("batch and number of GPUs must be at least 1")
    price = gpu.price_hour if price_per_gpu_hour is None else price_per_gpu_hour
    w = weights_bytes(model.params, precision_bytes(precision))
    kvb = precision_bytes(kv_precision)
    per_token = kv_cache_bytes(model.layers, model.kv_heads, model.head_dim, 1, 1, kvb)
    seq = prompt_tokens + output_tokens
    per_request = per_token * seq
    gpu_bytes = gpu.memory_gib * GIB * n_gpus
    concurrent = max_concurrent_requests(gpu_bytes, w, per_request, usable_fraction)
    flops = gpu.tflops * 1e12 * n_gpus
    bandwidth = gpu.bandwidth_gbs * 1e9 * n_gpus
    prefill = prefill_seconds(model.params, model.layers, model.hidden, prompt_tokens, batch, flops, mfu)
    avg_context = prompt_tokens + output_tokens / 2.0
    step = decode_step(w, per_token * avg_context * batch, model.params, model.layers, model.hidden,
                       avg_context, batch, bandwidth, flops, mbu, mfu)
    request_s = prefill + output_tokens * step.seconds
    return ServingPlan(
        model=model, gpu=gpu, n_gpus=n_gpus, batch=batch, prompt_tokens=prompt_tokens,
        output_tokens=output_tokens, weight_bytes=w, kv_bytes_per_token=per_token,
        kv_bytes_per_request=per_request, kv_bytes_batch=per_request * batch, gpu_bytes=gpu_bytes,
        max_concurrent=concurrent, prefill_s=prefill, step=step, request_s=request_s,
        tokens_per_s=batch / step.seconds, tokens_per_s_per_user=1.0 / step.seconds,
        cost_per_1k=cost_per_1k_requests(price, n_gpus, request_s, batch),
        fits_weights=w <= usable_fraction * gpu_bytes, fits_batch=batch <= concurrent,
        usable_fraction=usable_fraction,
    )


@dataclass(frozen=True)
class Misfit:
    """A deployment that cannot serve even one request, and what would make one fit.

    Attributes
    ----------
    needed_bytes : float
        Weights plus the KV cache of one request at its full length (prompt + output), bytes.
    usable_bytes : float
        ``usable_fraction`` of the memory of all GPUs, bytes.
    fixes : tuple of (str, dict)
        Single changes that make one request fit, each checked with :func:`max_concurrent_requests`:
        a description ("int4 weights", "2 × A100-80GB", "a prompt of at most 1,024 tokens") and the
        :func:`serving_plan` keyword arguments it changes.
    """

    needed_bytes: float
    usable_bytes: float
    fixes: tuple[tuple[str, dict], ...]


def misfit(model: ModelSpec, gpu: GPUSpec, *, precision: str = "fp16", kv_precision: str = "fp16",
           prompt_tokens: int = 2048, output_tokens: int = 256, n_gpus: int = 1,
           usable_fraction: float = 0.9, gpu_counts: tuple[int, ...] = (1, 2, 4, 8)) -> Misfit | None:
    """None when at least one request fits beside the weights; otherwise the shortfall and the
    single changes that fix it: a lower weight precision, an int8 KV cache, the fewest GPUs in
    ``gpu_counts`` (same precision), or the longest prompt that fits with the same output (if the
    weights do).
    Precisions are tried in the order fp16, int8, int4 (only those smaller than the current one).
    """
    def fits(prec: str, kv_prec: str, gpus: int, tokens: int) -> bool:
        per_token = kv_cache_bytes(model.layers, model.kv_heads, model.head_dim, 1, 1, precision_bytes(kv_prec))
        return max_concurrent_requests(gpu.memory_gib * GIB * gpus, weights_bytes(model.params, precision_bytes(prec)),
                                       per_token * tokens, usable_fraction) >= 1

    tokens = prompt_tokens + output_tokens
    if fits(precision, kv_precision, n_gpus, tokens):
        return None
    fixes: list[tuple[str, dict]] = []
    for prec in ("int8", "int4"):
        if precision_bytes(prec) < precision_bytes(precision) and fits(prec, kv_precision, n_gpus, tokens):
            fixes.append((f"{prec} weights", {"precision": prec}))
            break
    if precision_bytes("int8") < precision_bytes(kv_precision) and fits(precision, "int8", n_gpus, tokens):
        fixes.append(("int8 KV cache", {"kv_precision": "int8"}))
    more = [g for g in gpu_counts if g > n_gpus and fits(precision, kv_precision, g, tokens)]
    if more:
        fixes.append((f"{more[0]} × {gpu.name}", {"n_gpus": more[0]}))
    usable = usable_fraction * gpu.memory_gib * GIB * n_gpus
    weights = weights_bytes(model.params, precision_bytes(precision))
    per_token = kv_cache_bytes(model.layers, model.kv_heads, model.head_dim, 1, 1, precision_bytes(kv_precision))
    longest = int((usable - weights) // per_token) if usable > weights else 0
    if longest > output_tokens:
        fixes.append((f"a prompt of at most {longest - output_tokens:,} tokens",
                      {"prompt_tokens": longest - output_tokens}))
    return Misfit(weights + per_token * tokens, usable, tuple(fixes))


def batch_sweep(model: ModelSpec, gpu: GPUSpec, batches: list[int], **kwargs) -> list[ServingPlan]:
    """:func:`serving_plan` at each batch size (for the throughput / latency / cost curves)."""
    return [serving_plan(model, gpu, batch=b, **kwargs) for b in batches]


#: Batch sizes the calculator offers and sweeps (concurrent requests).
BATCHES: tuple[int, ...] = (1, 2, 4, 8, 16, 32, 64, 128, 256)


def served_batch(batch: int, max_concurrent: int) -> int:
    """The batch a server actually runs when ``batch`` requests are asked for at once.

    Parameters
    ----------
    batch : int
        Requested concurrent requests.
    max_concurrent : int
        How many requests' KV caches fit beside the weights (:func:`max_concurrent_requests`).

    Returns
    -------
    int
        ``min(batch, max_concurrent)`` requests: the rest wait in the queue (or are pre-empted
        and recomputed), so throughput, latency and cost are those of this batch.

    Raises
    ------
    ValueError
        When ``batch < 1``, or when not even one request fits (``max_concurrent < 1``: see
        :func:`misfit`).
    """
    if batch < 1:
        raise ValueError("the batch must be at least one request")
    if max_concurrent < 1:
        raise ValueError("not even one request fits beside the weights")
    return min(batch, max_concurrent)


@dataclass(frozen=True)
class Calculator:
    """The serving calculator at one setting.

    Attributes
    ----------
    requested : ServingPlan
        The plan at the batch asked for: its memory (KV cache at that batch) is what the
        learner asked to hold.
    served : ServingPlan
        The plan at :func:`served_batch` (the batch that fits): its prefill, decode step,
        tokens/s, latency and cost are what the server delivers. The requested plan when not
        even one request fits (then no time or cost exists: see ``misfit``).
    single : ServingPlan
        The plan at batch 1 (naive serving, one request at a time).
    misfit : Misfit or None
        Why no request fits, or None when at least one does.
    sweep : list of ServingPlan
        :func:`serving_plan` at each of :data:`BATCHES` (the batching curve, memory limit ignored).
    """

    requested: ServingPlan
    served: ServingPlan
    single: ServingPlan
    misfit: Misfit | None
    sweep: list[ServingPlan]

    @property
    def capped(self) -> bool:
        """True when fewer requests fit than were asked for (and at least one does)."""
        return self.misfit is None and self.served.batch < self.requested.batch

    @property
    def queued(self) -> int:
        """Requests of the asked batch that do not fit and wait: ``requested − served`` batch."""
        return self.requested.batch - self.served.batch

    @property
    def naive_cost_ratio(self) -> float | None:
        """How many times the served batch's cost per request batch-1 serving costs (None at a price of $0)."""
        return self.single.cost_per_1k / self.served.cost_per_1k if self.served.cost_per_1k > 0 else None

    @property
    def batched(self) -> ServingPlan | None:
        """The sweep's plan at its largest batch whose KV cache fits beside the weights (what
        batching buys over one request at a time); None when not even one request fits."""
        fitting = [plan for plan in self.sweep if plan.fits_weights and plan.fits_batch]
        return fitting[-1] if self.misfit is None and fitting else None

    @property
    def cost_per_call(self) -> float:
        """Dollars per LLM call at the served batch; 0 when no request fits."""
        return self.served.cost_per_request if self.misfit is None else 0.0


def calculator(model: ModelSpec, gpu: GPUSpec, *, batch: int, precision: str = "fp16",
               kv_precision: str = "fp16", prompt_tokens: int = 2048, output_tokens: int = 256,
               n_gpus: int = 1, price_per_gpu_hour: float | None = None, mfu: float = 0.5,
               mbu: float = 0.8, batches: tuple[int, ...] = BATCHES) -> Calculator:
    """Everything the serving calculator shows: :func:`serving_plan` at the requested batch, at
    the batch that fits (:func:`served_batch`) and at batch 1, the :func:`misfit` and the
    :func:`batch_sweep` over ``batches``. Arguments as :func:`serving_plan`."""
    kwargs = dict(precision=precision, kv_precision=kv_precision, prompt_tokens=prompt_tokens,
                  output_tokens=output_tokens, n_gpus=n_gpus, price_per_gpu_hour=price_per_gpu_hour,
                  mfu=mfu, mbu=mbu)
    requested = serving_plan(model, gpu, batch=batch, **kwargs)
    short = misfit(model, gpu, precision=precision, kv_precision=kv_precision, prompt_tokens=prompt_tokens,
                   output_tokens=output_tokens, n_gpus=n_gpus)
    fitting = requested.batch if short is not None else served_batch(batch, requested.max_concurrent)
    served = requested if fitting == batch else serving_plan(model, gpu, batch=fitting, **kwargs)
    return Calculator(requested, served, serving_plan(model, gpu, batch=1, **kwargs), short,
                      batch_sweep(model, gpu, list(batches), **kwargs))


# ---- prompt budget ---------------------------------------------------------------------------
@dataclass(frozen=True)
class PromptBudget:
    """How a context window is spent.

    Attributes
    ----------
    context_window, system_tokens, question_tokens, answer_tokens : int
        The window and the fixed parts of the prompt.
    available : int
        ``context_window − system − question − answer`` tokens left for retrieved chunks.
    chunk_costs : list of int
        Tokens each ranked chunk costs (its length plus the per-chunk overhead).
    n_fit : int
        How many chunks, in rank order, fit in ``available``.
    used : int
        Tokens the chunks that fit take.
    """

    context_window: int
    system_tokens: int
    question_tokens: int
    answer_tokens: int
    available: int
    chunk_costs: list[int]
    n_fit: int
    used: int

    @property
    def fixed_tokens(self) -> int:
        """Tokens the system prompt, the question and the answer budget take together."""
        return self.system_tokens + self.question_tokens + self.answer_tokens

    @property
    def room(self) -> int:
        """Tokens left for chunks, never below 0 (``max(available, 0)``)."""
        return max(self.available, 0)

    @property
    def unused(self) -> int:
        """Tokens of the window nobody uses: ``window − fixed − used``, at least 0."""
        return max(self.context_window - self.fixed_tokens - self.used, 0)

    def parts(self) -> list[tuple[str, int]]:
        """Where the window goes, in prompt order: ``(part, tokens)`` for the system prompt, the
        question, the chunks that fit, the answer budget and what is left unused."""
        return [("system prompt", self.system_tokens), ("question", self.question_tokens),
                (f"{self.n_fit} chunks", self.used), ("answer budget", self.answer_tokens),
                ("unused", self.unused)]


def median_tokens(lengths: list[int]) -> int:
    """Median token length of ``lengths`` (the mean of the two middle ones for an even count),
    truncated to a whole token."""
    if not lengths:
        raise ValueError("no chunk lengths to take the median of")
    ordered = sorted(lengths)
    middle = len(ordered) // 2
    median = ordered[middle] if len(ordered) % 2 else (ordered[middle - 1] + ordered[middle]) / 2
    return int(median)


def prompt_budget(context_window: int, system_tokens: int, question_tokens: int, answer_tokens: int,
                  chunk_tokens: list[int], overhead_per_chunk: int = 0) -> PromptBudget:
    """How many ranked retrieved chunks fit the context window.

    Parameters
    ----------
    context_window : int
        Model context in tokens (prompt and answer share it).
    system_tokens, question_tokens, answer_tokens : int
        Tokens of the system prompt, the user question and the space reserved for the answer.
    chunk_tokens : list of int
        Token length of each retrieved chunk, best first.
    overhead_per_chunk : int
        Tokens of the citation header / separator added around each chunk.

    Returns
    -------
    PromptBudget
        Chunks are added in rank order until the next one does not fit (a lower-ranked chunk is
        never placed ahead of a better one).
    """
    if context_window < 1:
        raise ValueError("the context window must be at least one token")
    if min(system_tokens, question_tokens, answer_tokens, overhead_per_chunk) < 0:
        raise ValueError("token counts cannot be negative")
    available = context_window - system_tokens - question_tokens - answer_tokens
    costs = [int(c) + overhead_per_chunk for c in chunk_tokens]
    used = n_fit = 0
    if available > 0:
        for cost in costs:
            if used + cost > available:
                break
            used += cost
            n_fit += 1
    return PromptBudget(context_window, system_tokens, question_tokens, answer_tokens, available,
                        costs, n_fit, used)


def fixed_chunks_fit(context_window: int, system_tokens: int, question_tokens: int,
                     answer_tokens: int, chunk_tokens: int, overhead_per_chunk: int = 0) -> int:
    """``floor((window − system − question − answer) / (chunk + overhead))``, at least 0."""
    if chunk_tokens + overhead_per_chunk <= 0:
        raise ValueError("a chunk must cost at least one token")
    available = context_window - system_tokens - question_tokens - answer_tokens
    return max(0, available // (chunk_tokens + overhead_per_chunk))
