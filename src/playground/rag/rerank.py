"""A model-based reranker that runs offline: late interaction (ColBERT-style MaxSim) over the
token embeddings of the packaged all-MiniLM-L6-v2.

Every query token is matched to its most similar passage token (cosine), and the passage scores
the mean of those maxima:  s(q, d) = 1/|q| * sum_i max_j cos(q_i, d_j).
Unlike the dense bi-encoder (one mean-pooled vector per passage), each query word keeps its own
vector, so "lru_cache" must find a matching token instead of a blurred average. MiniLM was not
trained for late interaction (ColBERT was), so this is a weaker reranker than a trained
cross-encoder; the lesson page reports what it measures.
"""

from __future__ import annotations

import numpy as np

# bumped whenever token matrices change meaning (2: padding rows dropped); part of cache keys
TOKENS_VERSION = 2


def real_tokens(tokens: np.ndarray, attention_mask: np.ndarray) -> np.ndarray:
    """The rows of a text's own word pieces: drop the padding rows (``attention_mask == 0``) a
    batch adds to every text shorter than its longest one, then the [CLS] and [SEP] rows the
    tokenizer adds at both ends (keep at least one row).

    Without the mask a text's token matrix depends on the batch it was encoded in: padding rows
    are embeddings too, and MaxSim would match against them.
    """
    kept = np.asarray(tokens)[np.asarray(attention_mask).astype(bool)]
    return kept[1:-1] if len(kept) > 2 else kept


def normalise_rows(matrix: np.ndarray) -> np.ndarray:
    """Unit-length rows (float32); zero rows stay zero."""
    matrix = np.asarray(matrix, dtype=np.float32)
    norms = np.linalg.norm(matrix, axis=1, keepdims=True)
    return matrix / np.where(norms == 0, 1.0, norms)


def maxsim(query_tokens: np.ndarray, doc_tokens: np.ndarray) -> float:
    """Mean over query tokens of the best cosine with any passage token (inputs: row vectors)."""
    if len(query_tokens) == 0 or len(doc_tokens) == 0:
        return 0.0
    sims = normalise_rows(query_tokens) @ normalise_rows(doc_tokens).T
    return float(sims.max(axis=1).mean())


def maxsim_many(query_tokens: np.ndarray, docs: list[np.ndarray]) -> list[float]:
    """:func:`maxsim` of one query against many passages in one matrix product."""
    if len(query_tokens) == 0:
        return [0.0] * len(docs)
    lengths = [len(d) for d in docs]
    keep = [d for d in docs if len(d)]
    if not keep:
        return [0.0] * len(docs)
    sims = normalise_rows(query_tokens) @ normalise_rows(np.concatenate(keep)).T
    starts = np.cumsum([0] + [n for n in lengths if n][:-1])
    best = np.maximum.reduceat(sims, starts, axis=1).mean(axis=0)
    out, it = [], iter(best)
    for n in lengths:
        out.append(float(next(it)) if n else 0.0)
    return out


def token_embeddings(texts: list[str], model_path: str | None = None,
                     batch_size: int = 64) -> tuple[np.ndarray, list[np.ndarray]]:
    """One forward pass of the embedding model: (sentence embeddings (n, d) unit-normalised,
    list of per-text token embeddings (n_tokens_i, d) without padding, [CLS] and [SEP],
    unit-normalised). Neither output depends on which other texts share the batch."""
    from playground.embeddings import load_model

    model = load_model(model_path)
    outputs = model.encode(list(texts), batch_size=batch_size, output_value=None,
                           convert_to_numpy=False, show_progress_bar=False)
    sentences = normalise_rows(np.stack([o["sentence_embedding"].float().cpu().numpy() for o in outputs]))
    tokens = [normalise_rows(real_tokens(o["token_embeddings"].float().cpu().numpy(),
                                         o["attention_mask"].cpu().numpy())) for o in outputs]
    return sentences, tokens
