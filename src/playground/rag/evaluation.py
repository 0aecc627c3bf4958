"""Lesson 11: RAG evaluation — retrieval (context precision / recall against qrels) and
generation (faithfulness, answer relevance) measured separately, a fluency score that does *not*
measure faithfulness, and agreement between two judges (Cohen's kappa).

Definitions (close to RAGAS, with the LLM judge replaced by measurable proxies):

- **context precision@k** — ``Σ_{i≤k} precision@i · rel_i / (relevant in top k)``: high when the
  relevant passages sit at the top of the context;
- **context recall@k** — share of the query's relevant passages (qrels grade ≥ 1) in the context;
- **faithfulness** — share of answer sentences supported by the context: by *embedding* (the
  sentence's best cosine similarity to a context sentence ≥ τₑ) or by *token overlap* (the share
  of its content tokens found in the context ≥ τₒ);
- **answer relevance** — cosine similarity of the answer and question embeddings;
- **fluency** — how natural the text reads under a bigram language model of the corpus: the share
  of corpus sentences whose mean log-probability per token is lower than the answer's (0–1).
"""

from __future__ import annotations

import hashlib
import math
import re
from collections import Counter
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Callable, Sequence

import numpy as np

from playground.rag import generation as gen
from playground.rag import ir_metrics as irm
from playground.rag.retrievers import tokenize

Encoder = Callable[[list[str]], np.ndarray]
MAX_ANSWER_CHARS = 2000
_CITATION = re.compile(r"\s*\[\d+\]")


class MemoEncoder:
    """Wrap an encoder so each distinct text is embedded once in this process (texts -> unit
    vectors). Persistence is the encoder's business: pass
    ``functools.partial(playground.embeddings.embed, persist=True)`` for corpus-derived texts, and
    score a visitor's text through :meth:`transient`, which never stores it.
    """

    def __init__(self, encode: Encoder, max_items: int = 50_000) -> None:
        self.encode = encode
        self.max_items = max_items
        self.memory: dict[str, np.ndarray] = {}

    def __call__(self, texts: list[str]) -> np.ndarray:
        missing = [t for t in dict.fromkeys(texts) if t not in self.memory]
        if missing:
            if len(self.memory) + len(missing) > self.max_items:
                self.memory.clear()
            self.memory.update(zip(missing, self.encode(missing)))
        return np.stack([self.memory[t] for t in texts]) if texts else np.zeros((0, 0), np.float32)

    def transient(self, encode: Encoder) -> Encoder:
        """An encoder that reuses this memory for texts already in it and embeds the others with
        ``encode`` (e.g. ``partial(embed, persist=False)``) without remembering them: for text a
        visitor typed, which must reach neither the disk nor the memory other sessions share."""
        def call(texts: list[str]) -> np.ndarray:
            missing = [t for t in dict.fromkeys(texts) if t not in self.memory]
            fresh = dict(zip(missing, encode(missing))) if missing else {}
            if not texts:
                return np.zeros((0, 0), np.float32)
            return np.stack([self.memory[t] if t in self.memory else fresh[t] for t in texts])
        return call


# ---- retrieval side ---------------------------------------------------------------------------
def context_precision(ranked: Sequence[str], relevant: dict[str, int], k: int) -> float:
    """Rank-aware precision of the top ``k`` context passages (0 when none is relevant).

    ``Σ_{i=1..k} precision@i · rel_i / Σ_{i=1..k} rel_i`` with ``rel_i = 1`` when the passage at
    rank i has grade ≥ 1 (the average precision of the context, RAGAS's definition).
    """
    if k < 1:
        raise ValueError(f"k must be at least 1 (got {k})")
    hits = total = 0.0
    for rank, pid in enumerate(ranked[:k], start=1):
        if relevant.get(pid, 0) > 0:
            hits += 1
            total += hits / rank
    return total / hits if hits else 0.0


def context_recall(ranked: Sequence[str], relevant: dict[str, int], k: int) -> float:
    """Share of the relevant passages (grade ≥ 1) that made it into the top ``k``."""
    return irm.recall_at_k(ranked, relevant, k)


# ---- judge agreement ---------------------------------------------------------------------------
def cohen_kappa(a: Sequence, b: Sequence) -> float:
    """Cohen's kappa of two raters' labels: ``(p_o − p_e) / (1 − p_e)``.

    ``p_o`` is the share of items with the same label; ``p_e = Σ_c p_a(c) · p_b(c)`` the agreement
    expected by chance from each rater's label frequencies. Returns NaN when ``p_e = 1`` (both
    raters always give the same single label), like scikit-learn.
    """
    if len(a) != len(b):
        raise ValueError("the two judges must label the same items")
    if len(a) == 0:
        raise ValueError("no items to compare")
    n = len(a)
    p_o = sum(x == y for x, y in zip(a, b)) / n
    count_a, count_b = Counter(a), Counter(b)
    p_e = sum(count_a[c] * count_b[c] for c in count_a) / n**2
    if p_e == 1:
        return float("nan")
    return (p_o - p_e) / (1 - p_e)


def confusion(a: Sequence[bool], b: Sequence[bool]) -> np.ndarray:
    """2×2 counts ``[[both no, a no & b yes], [a yes & b no, both yes]]``."""
    m = np.zeros((2, 2), dtype=int)
    for x, y in zip(a, b):
        m[int(bool(x)), int(bool(y))] += 1
    return m


# ---- fluency --------------------------------------------------------------------------------------
_WORD = re.compile(r"[a-z0-9_]+|[^\sa-z0-9_]")


def lm_tokens(text: str) -> list[str]:
    """Lowercase words and punctuation marks (citation marks removed)."""
    return _WORD.findall(_CITATION.sub("", text).lower())


class BigramLM:
    """Interpolated bigram language model: ``p(w|v) = λ·c(v,w)/c(v) + (1−λ)·p₁(w)`` with an
    add-one unigram ``p₁`` over the vocabulary plus one unknown word, trained sentence by sentence
    (each sentence starts with ``<s>``).

    A sentence that is part of the training data is scored *held out* (leave-one-out): its own
    counts are subtracted first, so corpus sentences are not flattered by having been memorised and
    score on the same footing as new text.

    Parameters
    ----------
    texts : sequence of str
        Training text (the corpus passages), split with :func:`playground.rag.generation.split_sentences`.
    lam : float
        Weight of the bigram estimate.
    """

    def __init__(self, texts: Sequence[str], lam: float = 0.7) -> None:
        if not 0 <= lam < 1:
            raise ValueError("lam must be in [0, 1)")
        self.lam = lam
        self.unigrams: Counter = Counter()
        self.bigrams: Counter = Counter()
        self.contexts: Counter = Counter()
        self.sentences: Counter = Counter()
        for text in texts:
            for sentence in gen.split_sentences(text):
                tokens = tuple(lm_tokens(sentence))
                self.sentences[tokens] += 1
                self._add(tokens, self.unigrams, self.contexts, self.bigrams)
        self.total = sum(self.unigrams.values())
        self.vocab = len(self.unigrams) + 1

    @staticmethod
    def _add(tokens: Sequence[str], unigrams: Counter, contexts: Counter, bigrams: Counter) -> None:
        seq = ["<s>", *tokens]
        unigrams.update(seq[1:])
        contexts.update(seq[:-1])
        bigrams.update(zip(seq[:-1], seq[1:]))

    def logprob(self, prev: str, word: str, minus: tuple | None = None) -> float:
        """Natural log of ``p(word | prev)``; ``minus`` = counts of a held-out sentence."""
        uni_c, ctx_c, bi_c = self.unigrams.get(word, 0), self.contexts.get(prev, 0), self.bigrams.get((prev, word), 0)
        total, vocab = self.total, self.vocab
        if minus is not None:
            m_uni, m_ctx, m_bi, m_vocab = minus
            uni_c -= m_uni.get(word, 0)
            ctx_c -= m_ctx.get(prev, 0)
            bi_c -= m_bi.get((prev, word), 0)
            total -= sum(m_uni.values())
            vocab -= m_vocab
        uni = (uni_c + 1) / (total + vocab)
        bi = bi_c / ctx_c if ctx_c else 0.0
        return math.log(self.lam * bi + (1 - self.lam) * uni)

    def _held_out(self, tokens: tuple) -> tuple | None:
        if not self.sentences.get(tokens):
            return None
        m_uni, m_ctx, m_bi = Counter(), Counter(), Counter()
        self._add(tokens, m_uni, m_ctx, m_bi)
        gone = sum(1 for w, c in m_uni.items() if self.unigrams[w] - c == 0)
        return m_uni, m_ctx, m_bi, gone

    def mean_logprob(self, text: str, held_out: bool = True) -> float:
        """Mean log-probability per token of ``text`` sentence by sentence (−inf with no tokens);
        training sentences are scored leave-one-out when ``held_out``."""
        total, count = 0.0, 0
        for sentence in gen.split_sentences(text) or [text]:
            tokens = tuple(lm_tokens(sentence))
            minus = self._held_out(tokens) if held_out else None
            seq = ["<s>", *tokens]
            total += sum(self.logprob(p, w, minus) for p, w in zip(seq[:-1], seq[1:]))
            count += len(tokens)
        return total / count if count else float("-inf")


@dataclass
class FluencyScale:
    """Maps a text's mean log-probability to its percentile among reference sentences."""

    lm: BigramLM
    reference: np.ndarray  # sorted mean log-probabilities of the reference sentences

    def __call__(self, text: str) -> float:
        """Share of reference sentences less fluent than ``text`` (0 … 1)."""
        score = self.lm.mean_logprob(text)
        return float(np.searchsorted(self.reference, score, side="left") / len(self.reference))


def fluency_scale(texts: Sequence[str], lam: float = 0.7, max_reference: int = 4000) -> FluencyScale:
    """Fit the bigram LM on ``texts`` and rank against up to ``max_reference`` of their sentences."""
    lm = BigramLM(texts, lam)
    sentences = [s for t in texts for s in gen.split_sentences(t)]
    if not sentences:
        raise ValueError("the fluency model needs at least one sentence of text")
    step = max(1, len(sentences) // max_reference)
    reference = np.sort([lm.mean_logprob(s) for s in sentences[::step]])
    return FluencyScale(lm, reference)


# ---- scoring one answer ----------------------------------------------------------------------
@dataclass(frozen=True)
class SentenceScore:
    """Support of one answer sentence by the context."""

    sentence: str
    similarity: float   # best cosine similarity to a context sentence
    overlap: float      # share of the sentence's content tokens found in the context
    by_embedding: bool
    by_overlap: bool


@dataclass(frozen=True)
class AnswerScore:
    """All scores of one answer against one question and its retrieved context."""

    faithfulness_emb: float
    faithfulness_overlap: float
    relevance: float
    fluency: float
    words: int
    sentences: list[SentenceScore] = field(default_factory=list)


def token_overlap(sentence: str, context_tokens: set[str]) -> float:
    """Share of the sentence's content tokens (BM25 tokenizer: no stopwords) in the context
    (1.0 for a sentence with no content tokens)."""
    tokens = set(tokenize(sentence))
    if not tokens:
        return 1.0
    return len(tokens & context_tokens) / len(tokens)


def answer_sentences(answer: str) -> list[str]:
    """The answer's sentences without citation marks; a short answer is one sentence."""
    text = _CITATION.sub("", answer).strip()
    return gen.split_sentences(text) or ([" ".join(text.split())] if text else [])


def score_answer(question: str, answer: str, context: Sequence[str], encode: Encoder,
                 fluency: Callable[[str], float], emb_threshold: float = 0.7,
                 overlap_threshold: float = 0.8) -> AnswerScore:
    """Score ``answer`` for ``question`` against the retrieved ``context`` passages' texts.

    Raises ``ValueError`` for an empty or over-long answer, or no context.
    """
    if not answer.strip():
        raise ValueError("the answer is empty: type an answer to score")
    if len(answer) > MAX_ANSWER_CHARS:
        raise ValueError(f"the answer is {len(answer):,} characters; keep it under {MAX_ANSWER_CHARS:,}")
    if not question.strip():
        raise ValueError("the question is empty")
    context_sentences = [s for text in context for s in gen.split_sentences(text)]
    if not context_sentences:
        raise ValueError("there is no retrieved context to check the answer against")
    sentences = answer_sentences(answer)
    vectors = encode([question, " ".join(sentences), *sentences, *context_sentences])
    q, a = vectors[0], vectors[1]
    s_vec, c_vec = vectors[2:2 + len(sentences)], vectors[2 + len(sentences):]
    best = (s_vec @ c_vec.T).max(axis=1)
    ctx_tokens = set(tokenize(" ".join(context)))
    scored = []
    for sentence, sim in zip(sentences, best):
        ov = token_overlap(sentence, ctx_tokens)
        scored.append(SentenceScore(sentence, float(sim), ov, bool(sim >= emb_threshold),
                                    ov >= overlap_threshold))
    n = len(scored)
    return AnswerScore(
        faithfulness_emb=sum(s.by_embedding for s in scored) / n,
        faithfulness_overlap=sum(s.by_overlap for s in scored) / n,
        relevance=float(q @ a), fluency=fluency(" ".join(sentences)),
        words=len(" ".join(sentences).split()), sentences=scored)


# ---- candidate answers --------------------------------------------------------------------------
#: Candidate kinds, their display label, and whether the reference (construction) label is faithful.
KINDS: dict[str, tuple[str, bool]] = {
    "grounded": ("Grounded (top 2 context sentences)", True),
    "short": ("Grounded, one sentence", True),
    "mixed": ("Half grounded, half from an unrelated passage", False),
    "padded": ("Grounded + confident filler", False),
    "unrelated": ("Fluent, from an unrelated passage", False),
    "swapped": ("Grounded, one key word swapped for another passage's", False),
    "salad": ("Context words, shuffled", False),
}

FILLER = (
    "This is the recommended approach in all modern versions of Python and it is guaranteed to be "
    "thread-safe.",
    "It also works the same way on every operating system, so no further configuration is needed.",
)


@dataclass(frozen=True)
class Candidate:
    """One candidate answer: how it was built and whether that construction is faithful."""

    kind: str
    text: str
    faithful: bool


def _rng_for(key: str, seed: int) -> np.random.Generator:
    digest = hashlib.sha256(f"{seed}:{key}".encode()).digest()
    return np.random.default_rng(int.from_bytes(digest[:8], "little"))


def candidates(question_id: str, question: str, context: Sequence, pool: Sequence, encode: Encoder,
               seed: int = 0) -> list[Candidate]:
    """Deterministic candidate answers for one query.

    Parameters
    ----------
    question_id, question : str
        The query (its id seeds the choice of the unrelated passage and the shuffle).
    context : sequence of passages
        The retrieved passages (``id``, ``title``, ``text``, ``doc_id``).
    pool : sequence of passages
        Where unrelated passages come from (the corpus); only passages from a document that is not
        in the context, with at least two sentences, are used.

    Returns
    -------
    list of Candidate
        One per :data:`KINDS` entry that can be built (a context with a single sentence yields no
        "grounded" two-sentence answer distinct from "short"; it is still included).
    """
    if not context:
        raise ValueError("no retrieved context: cannot build grounded answers")
    rng = _rng_for(question_id, seed)
    grounded = gen.extractive_answer(question, context, encode, threshold=-1.0, max_sentences=2).sentences
    if not grounded:
        raise ValueError("the retrieved context has no usable sentence")
    docs = {getattr(p, "doc_id", p.id) for p in context}
    others = [p for p in pool if getattr(p, "doc_id", p.id) not in docs and _sentence_count(p.text) >= 2]
    if not others:
        raise ValueError("the corpus has no unrelated passage to build unfaithful answers from")
    foreign = gen.split_sentences(others[int(rng.integers(len(others)))].text)[:2]
    swapped = swap_key_word(grounded[0], " ".join(p.text for p in context), " ".join(foreign))
    words = [w.rstrip(".,;:") for w in " ".join(grounded).split() if w.rstrip(".,;:")]
    salad = " ".join(words[i] for i in rng.permutation(len(words))).capitalize() + "."
    built = {
        "grounded": " ".join(grounded),
        "short": grounded[0],
        "mixed": f"{grounded[0]} {foreign[0]}",
        "padded": " ".join([grounded[0], *FILLER]),
        "unrelated": " ".join(foreign),
        "swapped": swapped,
        "salad": salad,
    }
    return [Candidate(kind, built[kind], KINDS[kind][1]) for kind in KINDS if built[kind]]


@lru_cache(maxsize=16_384)  # the corpus's passages, counted once per process instead of once per query
def _sentence_count(text: str) -> int:
    return len(gen.split_sentences(text))


def swap_key_word(sentence: str, context: str, donor: str) -> str:
    """Swap the sentence's key word (its longest content token, BM25 tokenizer) for the donor
    text's longest content token that is absent from the context — a small, fluent factual error.
    Returns ``""`` when either side has no such token."""
    own = sorted((t for t in dict.fromkeys(tokenize(sentence)) if len(t) >= 4 and not t.isdigit()),
                 key=lambda t: (-len(t), t))
    banned = set(tokenize(context))
    new = sorted((t for t in dict.fromkeys(tokenize(donor)) if len(t) >= 4 and t not in banned
                  and not t.isdigit()), key=lambda t: (-len(t), t))
    if not own or not new:
        return ""
    pattern = re.compile(rf"(?<![A-Za-z0-9_]){re.escape(own[0])}(?![A-Za-z0-9_])", re.IGNORECASE)
    return pattern.sub(lambda m: new[0].capitalize() if m.group(0)[0].isupper() else new[0], sentence)


# ---- a labelled evaluation set ---------------------------------------------------------------------
def sample_queries(queries: Sequence, n: int, seed: int = 0) -> list:
    """``n`` queries stratified by type: each type shuffled by ``seed``, then taken round-robin."""
    if n < 1:
        raise ValueError("evaluate at least one query")
    rng = np.random.default_rng(seed)
    groups: dict[str, list] = {}
    for q in queries:
        groups.setdefault(q.type, []).append(q)
    shuffled = [[g[i] for i in rng.permutation(len(g))] for _, g in sorted(groups.items())]
    out = []
    for i in range(max((len(g) for g in shuffled), default=0)):
        out += [g[i] for g in shuffled if i < len(g)]
    return out[:n]


@dataclass(frozen=True)
class QueryEval:
    """One labelled query: its retrieved context, retrieval metrics and scored candidate answers."""

    query_id: str
    type: str
    question: str
    context_ids: list[str]
    context_texts: list[str]
    context_precision: float
    context_recall: float
    candidates: list[Candidate]
    scores: list[AnswerScore]


def evaluate_queries(queries: Sequence, search: Callable[[str, int], list[str]], by_id: dict,
                     pool: Sequence, encode: Encoder, fluency: Callable[[str], float], k: int = 5,
                     emb_threshold: float = 0.7, overlap_threshold: float = 0.8, seed: int = 0,
                     progress: Callable[[float, str], None] | None = None) -> list[QueryEval]:
    """Retrieve, build candidate answers and score them for every query.

    ``search(question, k)`` returns ranked passage ids; ``by_id`` maps ids to passages. The
    encoder is called in two large batches (context, then answers) when it is a
    :class:`MemoEncoder`, which is what keeps this fast. ``progress(fraction, text)`` is called
    before each step.
    """
    if k < 1:
        raise ValueError(f"k must be at least 1 (got {k})")
    step = progress or (lambda fraction, text: None)
    step(0.0, f"Retrieving the top {k} passages for {len(queries)} queries…")
    contexts = {q.id: search(q.text, k) for q in queries}
    first = [t for q in queries for t in
             [q.text, *(s for pid in contexts[q.id] for s in gen.split_sentences(by_id[pid].text))]]
    step(0.2, f"Embedding {len(set(first)):,} questions and context sentences…")
    encode(first)
    step(0.5, "Building candidate answers…")
    built = {q.id: candidates(q.id, q.text, [by_id[pid] for pid in contexts[q.id]], pool, encode, seed)
             for q in queries}
    answers = [t for cands in built.values() for c in cands
               for t in (" ".join(answer_sentences(c.text)), *answer_sentences(c.text))]
    step(0.6, f"Embedding {len(set(answers)):,} candidate answers and their sentences…")
    encode(answers)
    step(0.9, "Scoring the answers…")
    out = []
    for q in queries:
        ids = contexts[q.id]
        texts = [by_id[pid].text for pid in ids]
        scores = [score_answer(q.text, c.text, texts, encode, fluency, emb_threshold, overlap_threshold)
                  for c in built[q.id]]
        out.append(QueryEval(q.id, q.type, q.text, ids, texts, context_precision(ids, q.relevant, k),
                             context_recall(ids, q.relevant, k), built[q.id], scores))
    return out


def answer_records(evals: Sequence[QueryEval], cut: float = 0.75, fluency_cut: float = 0.5) -> list[dict]:
    """One row per candidate answer with its scores and three binary verdicts:
    ``judge_emb`` / ``judge_overlap`` (faithfulness ≥ ``cut``) and ``judge_fluency``
    (fluency ≥ ``fluency_cut``), next to the reference label ``faithful``."""
    rows = []
    for e in evals:
        for c, s in zip(e.candidates, e.scores):
            rows.append({"query_id": e.query_id, "type": e.type, "kind": c.kind, "label": KINDS[c.kind][0],
                         "faithful": c.faithful, "faithfulness_emb": s.faithfulness_emb,
                         "faithfulness_overlap": s.faithfulness_overlap, "relevance": s.relevance,
                         "fluency": s.fluency, "words": s.words,
                         "judge_emb": s.faithfulness_emb >= cut, "judge_overlap": s.faithfulness_overlap >= cut,
                         "judge_fluency": s.fluency >= fluency_cut})
    return rows
