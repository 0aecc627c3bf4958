"""Lesson 8: turn a RAG prompt's requirements into sizes, costs and the components it needs.

Every output is a closed-form estimate from the inputs (units in the names); the lesson page shows
the formulas with the numbers. Defaults are assumptions, not measurements: 200 chunks/s per
embedding worker is a small-GPU figure (this shared 2-core CPU measured 5-30 passages/s with
MiniLM, docs/bench/rag.md); prices are inputs, not facts.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

BYTES_PER_DIM = {"float32": 4, "float16": 2, "int8": 1, "pq (1 bit/dim)": 0.125}
SECONDS_PER_MONTH = 30 * 24 * 3600


@dataclass(frozen=True)
class Requirements:
    """What the interviewer's prompt fixes (or what you ask for in step 1).

    Parameters
    ----------
    n_docs : int
        Documents in the corpus.
    doc_tokens : int
        Average tokens per document.
    chunk_tokens, overlap_tokens : int
        Chunk size and overlap (tokens).
    updates_per_day : float
        Share of documents that change per day (0.01 = 1 %).
    freshness_hours : float
        How soon a changed document must be searchable.
    qps : float
        Peak queries per second.
    latency_ms : float
        End-to-end p95 budget for retrieval (before generation), in ms.
    cost_budget : float
        Monthly budget for indexing + serving retrieval + generation, in dollars.
    dim : int
        Embedding dimension; ``dtype`` one of :data:`BYTES_PER_DIM`.
    embed_per_s : float
        Chunks embedded per second per worker (assumed; see the module docstring).
    embed_workers : int
        Parallel embedding workers.
    embed_price : float
        Dollars per 1M tokens embedded (API or amortised hardware).
    llm_price : float
        Dollars per 1M tokens through the generator (prompt + answer).
    k_context : int
        Chunks put in the prompt per query; ``answer_tokens`` tokens generated.
    ram_price : float
        Dollars per GB-month of index RAM (replicated ``replicas`` times).
    node_ram_gb : float
        RAM per serving node; an index larger than ~70 % of it must be sharded.
    identifiers : bool
        Users search for codes, names or error messages (exact tokens).
    """

    n_docs: int = 1_000_000
    doc_tokens: int = 1_500
    chunk_tokens: int = 256
    overlap_tokens: int = 32
    updates_per_day: float = 0.02
    freshness_hours: float = 1.0
    qps: float = 10.0
    latency_ms: float = 300.0
    cost_budget: float = 30_000.0
    dim: int = 384
    dtype: str = "float32"
    embed_per_s: float = 200.0
    embed_workers: int = 4
    embed_price: float = 0.02
    llm_price: float = 0.5
    k_context: int = 5
    answer_tokens: int = 300
    ram_price: float = 5.0
    replicas: int = 2
    node_ram_gb: float = 64.0
    identifiers: bool = True
    scan_flops: float = 2e10
    rerank_pair_ms: float = 2.0
    rerank_n: int = 50


@dataclass(frozen=True)
class Sizing:
    """What the requirements imply (units in the names)."""

    chunks_per_doc: int
    n_chunks: int
    doc_chunk_tokens: int
    prompt_tokens: int
    vector_gb: float
    text_gb: float
    index_gb: float
    embed_tokens: float
    embed_cost_full: float
    reindex_hours: float
    daily_changed_chunks: float
    daily_reembed_hours: float
    flat_scan_ms: float
    rerank_ms: float
    shards: int
    monthly_index_cost: float
    monthly_embed_cost: float
    monthly_llm_cost: float
    monthly_total: float
    components: dict = field(default_factory=dict)
    warnings: tuple = ()
    over_budget: float = 0.0  # monthly_total minus the budget, dollars (negative: under budget)
    shard_gb: float = 0.0  # index RAM one serving node holds before the index is sharded (70 % of its RAM)


def chunks_per_document(doc_tokens: int, chunk_tokens: int, overlap_tokens: int) -> int:
    r"""Windows needed to cover a document: :math:`\lceil (T - o) / (c - o) \rceil` (at least 1)."""
    if chunk_tokens < 1:
        raise ValueError(f"chunk size must be at least 1 token (got {chunk_tokens})")
    if not 0 <= overlap_tokens < chunk_tokens:
        raise ValueError(f"overlap ({overlap_tokens}) must be between 0 and the chunk size ({chunk_tokens}) minus one")
    if doc_tokens <= chunk_tokens:
        return 1
    return math.ceil((doc_tokens - overlap_tokens) / (chunk_tokens - overlap_tokens))


def chunk_tokens_per_document(doc_tokens: int, chunk_tokens: int, overlap_tokens: int) -> int:
    r"""Tokens stored and embedded for one document of :math:`T` tokens cut into :math:`n` windows
    of :math:`c` tokens overlapping by :math:`o`: :math:`T + (n - 1)\,o` (every window but the last
    is full, consecutive windows share :math:`o` tokens); a document no longer than a window is
    one chunk of :math:`T` tokens, not :math:`c`."""
    n = chunks_per_document(doc_tokens, chunk_tokens, overlap_tokens)
    return doc_tokens + (n - 1) * overlap_tokens


def size(req: Requirements) -> Sizing:
    """Index size, embedding cost, re-index time, latency parts, monthly cost and components."""
    if req.n_docs < 1 or req.doc_tokens < 1:
        raise ValueError("the corpus needs at least one document of at least one token")
    if req.qps < 0 or req.latency_ms <= 0 or req.embed_per_s <= 0 or req.embed_workers < 1:
        raise ValueError("QPS must be >= 0; the latency budget, embedding rate and workers must be positive")
    if req.dtype not in BYTES_PER_DIM:
        raise ValueError(f"unknown vector type {req.dtype!r}")
    per_doc = chunks_per_document(req.doc_tokens, req.chunk_tokens, req.overlap_tokens)
    n_chunks = req.n_docs * per_doc
    doc_chunk_tokens = chunk_tokens_per_document(req.doc_tokens, req.chunk_tokens, req.overlap_tokens)
    vector_gb = n_chunks * req.dim * BYTES_PER_DIM[req.dtype] / 1e9
    text_gb = req.n_docs * doc_chunk_tokens * 4 / 1e9  # ~4 bytes of UTF-8 per token
    index_gb = vector_gb + text_gb
    embed_tokens = req.n_docs * doc_chunk_tokens
    rate = req.embed_per_s * req.embed_workers
    reindex_hours = n_chunks / rate / 3600
    daily_changed = req.n_docs * req.updates_per_day * per_doc
    daily_hours = daily_changed / rate / 3600
    flat_scan_ms = n_chunks * req.dim * 2 / req.scan_flops * 1e3
    rerank_ms = req.rerank_n * req.rerank_pair_ms
    shard_gb = 0.7 * req.node_ram_gb
    shards = max(1, math.ceil(index_gb / shard_gb))
    monthly_index = index_gb * req.replicas * req.ram_price
    monthly_embed = req.n_docs * req.updates_per_day * 30 * doc_chunk_tokens / 1e6 * req.embed_price
    prompt_tokens = req.k_context * min(req.chunk_tokens, req.doc_tokens) + 200
    monthly_llm = req.qps * SECONDS_PER_MONTH * (prompt_tokens + req.answer_tokens) / 1e6 * req.llm_price
    total = monthly_index + monthly_embed + monthly_llm

    ann = flat_scan_ms > 0.2 * req.latency_ms
    rerank_fits = rerank_ms + (5 if ann else flat_scan_ms) <= req.latency_ms
    streaming = req.updates_per_day > 0 and req.freshness_hours < reindex_hours
    components = {
        "Chunking + embedding pipeline": True,
        "ANN index (HNSW / IVF) instead of exact scan": ann,
        "BM25 / hybrid retrieval": req.identifiers,
        "Cross-encoder / late-interaction reranker": rerank_fits,
        "Incremental indexing (a full rebuild misses the freshness target)": streaming,
        "Sharded index": shards > 1,
        "Semantic cache in front of the LLM": total > req.cost_budget or req.qps >= 100,
        "Grounded generation with citations + refusal": True,
        "Offline eval set + online monitoring": True,
    }
    warnings = []
    if total > req.cost_budget:
        biggest = max((("generation", monthly_llm), ("index RAM", monthly_index),
                       ("re-embedding", monthly_embed)), key=lambda kv: kv[1])
        warnings.append(f"over the monthly budget by ${total - req.cost_budget:,.0f}; "
                        f"{biggest[0]} dominates (${biggest[1]:,.0f})")
    if daily_hours > 24:
        warnings.append(f"re-embedding a day of changes takes {daily_hours:,.1f} h with "
                        f"{req.embed_workers} workers: add workers or the backlog never clears")
    if not rerank_fits:
        warnings.append(f"a reranker over {req.rerank_n} candidates ({rerank_ms:.0f} ms) does not fit "
                        f"the {req.latency_ms:.0f} ms budget: rerank fewer or use a smaller model")
    return Sizing(per_doc, n_chunks, doc_chunk_tokens, prompt_tokens, vector_gb, text_gb, index_gb, embed_tokens,
                  embed_tokens / 1e6 * req.embed_price, reindex_hours, daily_changed, daily_hours,
                  flat_scan_ms, rerank_ms, shards, monthly_index, monthly_embed, monthly_llm, total,
                  components, tuple(warnings), over_budget=total - req.cost_budget, shard_gb=shard_gb)
