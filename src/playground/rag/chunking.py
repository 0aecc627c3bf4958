"""Chunking: split a document into retrievable pieces (fixed-size, sentence, paragraph, recursive).

Sizes and overlaps are counted in words (whitespace-separated tokens), a stable proxy for model
tokens (one English word is about 1.3 word-piece tokens). Every chunk keeps its character span in
the document so labels given on the original text can be mapped onto any chunking.
"""

from __future__ import annotations

import re

import numpy as np
from dataclasses import dataclass


STRATEGIES = ("fixed", "sentence", "paragraph", "recursive")
_WORD = re.compile(r"\S+")
_SENTENCE_END = re.compile(r"(?<=[.!?:])\s+(?=[A-Z`\"'(\[])|\n\s*\n")
_PARAGRAPH = re.compile(r"\n\s*\n")


@dataclass(frozen=True)
class Chunk:
    """One chunk of a document.

    Parameters
    ----------
    text : str
        The chunk text (``document[start:end]``).
    start, end : int
        Character span in the document.
    """

    text: str
    start: int
    end: int

    @property
    def words(self) -> int:
        return len(_WORD.findall(self.text))


def _check(size: int, overlap: int) -> None:
    if size < 1:
        raise ValueError(f"chunk size must be at least 1 word (got {size})")
    if overlap < 0:
        raise ValueError(f"overlap cannot be negative (got {overlap})")
    if overlap >= size:
        raise ValueError(f"overlap ({overlap} words) must be smaller than the chunk size ({size} words)")


def _spans(text: str, pattern: re.Pattern) -> list[tuple[int, int]]:
    """Non-empty spans of ``text`` between matches of ``pattern`` (stripped of whitespace)."""
    spans, pos = [], 0
    for match in pattern.finditer(text):
        spans.append((pos, match.start()))
        pos = match.end()
    spans.append((pos, len(text)))
    out = []
    for start, end in spans:
        piece = text[start:end]
        if piece.strip():
            lead = len(piece) - len(piece.lstrip())
            out.append((start + lead, start + len(piece.rstrip())))
    return out


def _word_count(text: str, span: tuple[int, int]) -> int:
    return len(_WORD.findall(text[span[0]:span[1]]))


def fixed_size(text: str, size: int, overlap: int = 0) -> list[Chunk]:
    """Windows of ``size`` words advancing by ``size - overlap`` words (ignores structure)."""
    _check(size, overlap)
    words = [(m.start(), m.end()) for m in _WORD.finditer(text)]
    chunks, step = [], size - overlap
    for i in range(0, len(words), step):
        window = words[i:i + size]
        start, end = window[0][0], window[-1][1]
        chunks.append(Chunk(text[start:end], start, end))
        if i + size >= len(words):
            break
    return chunks


def _pack(text: str, units: list[tuple[int, int]], size: int, overlap: int) -> list[Chunk]:
    """Greedily pack consecutive units (sentences, paragraphs) into chunks of at most ``size``
    words; a unit longer than ``size`` becomes fixed-size windows. Consecutive chunks share the
    trailing units totalling at most ``overlap`` words."""
    pieces: list[tuple[int, int]] = []
    for span in units:
        if _word_count(text, span) > size:
            pieces += [(span[0] + c.start, span[0] + c.end)
                       for c in fixed_size(text[span[0]:span[1]], size, min(overlap, size - 1))]
        else:
            pieces.append(span)
    counts = [_word_count(text, span) for span in pieces]
    chunks: list[Chunk] = []
    i = 0
    while i < len(pieces):
        j, words = i, 0
        while j < len(pieces) and (j == i or words + counts[j] <= size):
            words += counts[j]
            j += 1
        start, end = pieces[i][0], pieces[j - 1][1]
        chunks.append(Chunk(text[start:end], start, end))
        if j >= len(pieces):
            break
        back, carried = j, 0
        while back - 1 > i and carried + counts[back - 1] <= overlap:
            back -= 1
            carried += counts[back]
        i = back
    return chunks


def sentences(text: str) -> list[tuple[int, int]]:
    """Sentence spans (split after . ! ? : before a capital/quote/bracket, and at blank lines)."""
    return _spans(text, _SENTENCE_END)


def by_sentence(text: str, size: int, overlap: int = 0) -> list[Chunk]:
    """Whole sentences packed up to ``size`` words."""
    _check(size, overlap)
    return _pack(text, sentences(text), size, overlap)


def by_paragraph(text: str, size: int, overlap: int = 0) -> list[Chunk]:
    """Whole paragraphs (blank-line separated) packed up to ``size`` words."""
    _check(size, overlap)
    return _pack(text, _spans(text, _PARAGRAPH), size, overlap)


def blocks(text: str) -> list[tuple[int, int, bool]]:
    """Paragraphs of ``text`` as ``(start, end, is_code)``: blank-line separated, with consecutive
    indented (or ``>>>`` doctest) paragraphs merged into one code block, so a blank line inside
    an example is not a boundary."""
    out: list[tuple[int, int, bool]] = []
    for start, end in _spans(text, _PARAGRAPH):
        line_start = text.rfind("\n", 0, start) + 1
        code = start > line_start or text.startswith(">>>", start)
        if code and out and out[-1][2]:
            out[-1] = (out[-1][0], end, True)
        else:
            out.append((start, end, code))
    return out


def _lines(text: str, span: tuple[int, int]) -> list[tuple[int, int]]:
    return [(span[0] + a, span[0] + b) for a, b in _spans(text[span[0]:span[1]], re.compile(r"\n"))]


def by_token_budget(text: str, count, budget: int) -> list[Chunk]:
    r"""Split ``text`` into chunks of at most ``budget`` model tokens, cutting only between blocks
    (paragraphs, whole code blocks), else between sentences (prose) or lines (code), and as a last
    resort between words; never after a line ending in ":" (an example's lead-in) unless nothing
    else fits; chunks are balanced rather than filled greedily (no one-word tail).

    Parameters
    ----------
    text : str
    count : callable
        ``count(str) -> int``: the encoder's token count of a piece of text, without special
        tokens. It must be additive over whitespace-separated pieces (true of WordPiece/BERT).
    budget : int
        Maximum tokens per chunk (the encoder's window minus its special tokens and the title).

    Notes
    -----
    Among all cuts at the allowed boundaries, the one minimising :math:`\sum_k (B - n_k)^2` is
    chosen (dynamic programming, as in text justification), plus :math:`B^2` for a cut after a
    lead-in: fewest chunks first, then the most even sizes.
    """
    if budget < 1:
        raise ValueError(f"the token budget must be at least 1 (got {budget})")
    units: list[tuple[int, int]] = []

    def add(span: tuple[int, int], levels: tuple[str, ...]) -> None:
        if count(text[span[0]:span[1]]) <= budget or not levels:
            units.append(span)
            return
        level, rest = levels[0], levels[1:]
        if level == "sentence":
            parts = [(span[0] + a, span[0] + b) for a, b in sentences(text[span[0]:span[1]])]
        elif level == "line":
            parts = _lines(text, span)
        else:
            parts = [(span[0] + m.start(), span[0] + m.end()) for m in _WORD.finditer(text[span[0]:span[1]])]
        if len(parts) <= 1 and rest:
            add(span, rest)
            return
        for part in parts:
            add(part, rest)

    for start, end, code in blocks(text):
        add((start, end), ("line", "word") if code else ("sentence", "line", "word"))
    sizes = [count(text[a:b]) for a, b in units]
    n = len(units)
    # a unit ending in ":" introduces what follows ("like so:" + its example): cut there last
    ends_colon = [text[a:b].rstrip().endswith(":") for a, b in units]
    lead_in = float(budget) ** 2
    best = [0.0] + [float("inf")] * n
    cut = [0] * (n + 1)
    for j in range(1, n + 1):
        total = 0
        for i in range(j - 1, -1, -1):
            total += sizes[i]
            if total > budget and i < j - 1:
                break
            cost = best[i] + float(budget - total) ** 2 + (lead_in if j < n and ends_colon[j - 1] else 0)
            if cost < best[j]:
                best[j], cut[j] = cost, i
    spans, j = [], n
    while j > 0:
        spans.append((units[cut[j]][0], units[j - 1][1]))
        j = cut[j]
    return [Chunk(text[a:b], a, b) for a, b in reversed(spans)]


def recursive(text: str, size: int, overlap: int = 0) -> list[Chunk]:
    """Split on the coarsest separator (paragraph, line, sentence, word) that brings every piece
    under ``size`` words, then pack neighbours back up to ``size`` (LangChain-style)."""
    _check(size, overlap)
    levels = (_PARAGRAPH, re.compile(r"\n"), _SENTENCE_END)

    def split(span: tuple[int, int], level: int) -> list[tuple[int, int]]:
        if _word_count(text, span) <= size or level == len(levels):
            return [span]
        out = []
        for s, e in _spans(text[span[0]:span[1]], levels[level]):
            out += split((span[0] + s, span[0] + e), level + 1)
        return out

    whole = _spans(text, re.compile(r"\A\b\Z"))  # the stripped text as one span
    units = [piece for span in whole for piece in split(span, 0)]
    return _pack(text, units, size, overlap)


def chunk(text: str, strategy: str, size: int, overlap: int = 0) -> list[Chunk]:
    """Chunk ``text`` with the named strategy (one of :data:`STRATEGIES`)."""
    if not text.strip():
        raise ValueError("the document is empty: nothing to chunk")
    funcs = {"fixed": fixed_size, "sentence": by_sentence, "paragraph": by_paragraph,
             "recursive": recursive}
    if strategy not in funcs:
        raise ValueError(f"unknown chunking strategy {strategy!r}; choose one of {', '.join(STRATEGIES)}")
    return funcs[strategy](text, size, overlap)


def overlap_chars(a: tuple[int, int], b: tuple[int, int]) -> int:
    """Number of characters two spans share."""
    return max(0, min(a[1], b[1]) - max(a[0], b[0]))


@dataclass(frozen=True)
class ChunkingEval:
    """Retrieval with a chunking of the labelled documents (BM25 over the chunks).

    ``recall`` is the mean over queries of the share of labelled passages covered by a top-``k``
    chunk; ``per_type`` the same per query type; ``n_chunks``, ``mean_words`` describe the chunks and
    ``context_words`` = k x mean chunk words is what the top-k puts into the prompt.
    """

    recall: float
    per_type: dict
    n_chunks: int
    mean_words: float
    context_words: float
    per_query: dict


def covers(chunk_span: tuple[int, int], passage_span: tuple[int, int]) -> bool:
    """A chunk covers a labelled passage when they share at least half of the shorter one."""
    shared = overlap_chars(chunk_span, passage_span)
    shorter = min(chunk_span[1] - chunk_span[0], passage_span[1] - passage_span[0])
    return shorter > 0 and shared >= 0.5 * shorter


def evaluate_chunking(documents, passages, queries, strategy: str, size: int, overlap: int,
                      k: int = 5, k1: float = 1.2, b: float = 0.75) -> ChunkingEval:
    """Re-chunk every document that holds a labelled passage, index the chunks with BM25
    (rank-bm25) and measure, per query, the share of its relevant passages that some top-``k``
    chunk covers (:func:`covers`). Labels live on the original passages' character spans, so any
    chunking can be scored against them."""
    from playground.rag.retrievers import fit_bm25, tokenize

    if k < 1:
        raise ValueError(f"k must be at least 1 (got {k})")
    by_id = {p.id: p for p in passages}
    wanted = {by_id[pid].doc_id for q in queries for pid in q.relevant if pid in by_id}
    chunks: list[tuple[str, Chunk]] = []
    for doc in documents:
        if doc.id in wanted:
            chunks += [(doc.id, c) for c in chunk(doc.text, strategy, size, overlap)]
    if not chunks:
        raise ValueError("no labelled document to chunk")
    if k > len(chunks):
        raise ValueError(f"k ({k}) cannot exceed the number of chunks ({len(chunks)})")
    bm25 = fit_bm25([c.text for _, c in chunks])
    per_query, per_type = {}, {}
    for q in queries:
        scores = bm25.scores(tokenize(q.text), k1, b)
        top = np.lexsort((np.arange(len(scores)), -scores))[:k]
        rel = [by_id[pid] for pid, g in q.relevant.items() if g > 0 and pid in by_id]
        found = sum(any(chunks[i][0] == p.doc_id and covers((chunks[i][1].start, chunks[i][1].end),
                                                           (p.start, p.end)) for i in top) for p in rel)
        per_query[q.id] = found / len(rel) if rel else 0.0
        per_type.setdefault(q.type, []).append(per_query[q.id])
    words = [c.words for _, c in chunks]
    mean_words = sum(words) / len(words)
    return ChunkingEval(sum(per_query.values()) / len(per_query),
                        {t: sum(v) / len(v) for t, v in per_type.items()}, len(chunks),
                        mean_words, k * mean_words, per_query)


def against_shipped(result: ChunkingEval, shipped: ChunkingEval, tolerance: float = 0.02) -> tuple[float, bool]:
    """How a chunking's recall compares with the shipped passages' at the same k.

    Parameters
    ----------
    result, shipped : ChunkingEval
        :func:`evaluate_chunking` of the chunking and of the shipped passages (paragraphs of 160).
    tolerance : float
        How far below the shipped recall still counts as holding (recall points, a share).

    Returns
    -------
    (float, bool)
        ``result.recall − shipped.recall`` (share of labelled passages) and whether the chunking
        holds: its recall is at least the shipped recall minus ``tolerance``.
    """
    return result.recall - shipped.recall, result.recall >= shipped.recall - tolerance
