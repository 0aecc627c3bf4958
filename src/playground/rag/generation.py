"""Lesson 10: grounded generation without downloading an LLM.

The default generator is *extractive*: it answers with the retrieved sentences that are closest to
the question (cosine similarity of sentence embeddings), each followed by a citation ``[n]`` to its
passage, and it refuses when the best evidence scores below a threshold. When the user gives a
local folder holding a generative (causal-LM) model, :func:`generate_answer` runs it through
``transformers`` with the same numbered context and the same refusal rule.

Encoders are passed in (``encode(texts) -> unit vectors``) so tests can use a hand-made one; the
page uses :func:`playground.embeddings.encode` (the packaged all-MiniLM-L6-v2).
"""

from __future__ import annotations

import json
import os
import re
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Callable, Protocol, Sequence

import numpy as np

from playground.embeddings import check_model_path, offline

Encoder = Callable[[list[str]], np.ndarray]

MIN_WORDS = 3
MAX_SENTENCE_CHARS = 400
REFUSAL = "I can't answer that from the retrieved documentation"


class PassageLike(Protocol):
    """Anything with ``id``, ``title`` and ``text`` (e.g. :class:`playground.rag.corpus.Passage`)."""

    id: str
    title: str
    text: str


_SENT_END = re.compile(r"(?<=[.!?])\s+(?=[A-Z`'\"(\[])")


def split_sentences(text: str) -> list[str]:
    """Split documentation text into sentences.

    Paragraphs are separated by blank lines; line wraps inside a paragraph are joined; a sentence
    ends at ``.``, ``!`` or ``?`` followed by white space and a capital letter or quote. Fragments
    of fewer than ``MIN_WORDS`` words are dropped and long ones cut at ``MAX_SENTENCE_CHARS``.

    >>> split_sentences("Return the sum.  So fast!\\n\\nSee also\\nmath.fsum for floats.")
    ['Return the sum.', 'See also math.fsum for floats.']
    """
    sentences = []
    for paragraph in re.split(r"\n\s*\n", text or ""):
        flat = " ".join(paragraph.split())
        for piece in _SENT_END.split(flat):
            piece = piece.strip()
            if len(piece.split()) >= MIN_WORDS:
                sentences.append(piece[:MAX_SENTENCE_CHARS])
    return sentences


@dataclass(frozen=True)
class Evidence:
    """One candidate sentence of the retrieved context and its similarity to the question."""

    passage_id: str
    title: str
    sentence: str
    score: float


@dataclass(frozen=True)
class GroundedAnswer:
    """An answer with its citations, or a refusal.

    Attributes
    ----------
    refused : bool
        True when the best evidence is below the threshold (or nothing was retrieved).
    text : str
        The answer with ``[n]`` citation marks, or the refusal sentence.
    citations : list of (n, passage_id, title)
        The passages cited, numbered in the order of the retrieved list.
    evidence : list of Evidence
        Every context sentence, best first (what the answer was chosen from).
    best_score : float
        Highest question–sentence cosine similarity (the evidence strength), or 0 with no context.
    threshold : float
        The refusal threshold used.
    sentences : list of str
        The answer sentences without citation marks.
    generator : str
        ``"extractive"`` or the local model folder's name.
    """

    refused: bool
    text: str
    citations: list[tuple[int, str, str]]
    evidence: list[Evidence]
    best_score: float
    threshold: float
    sentences: list[str] = field(default_factory=list)
    generator: str = "extractive"


def retrieve(index, question: str, method: str, k: int) -> list:
    """The context of an answer: the top ``k`` passages of ``index`` (a
    :class:`playground.rag.index_store.RetrievalIndex`) for ``question`` by ``method``, best first."""
    return [index.by_id[h.passage_id] for h in index.search(method, question, k)]


def rank_evidence(question: str, passages: Sequence[PassageLike], encode: Encoder) -> list[Evidence]:
    """Every sentence of ``passages`` scored by cosine similarity to ``question``, best first
    (ties keep retrieval order)."""
    items = [(p, s) for p in passages for s in split_sentences(p.text)]
    if not items or not question.strip():
        return []
    vectors = encode([question] + [s for _, s in items])
    scores = vectors[1:] @ vectors[0]
    order = np.argsort(-scores, kind="stable")
    return [Evidence(items[i][0].id, items[i][0].title, items[i][1], float(scores[i])) for i in order]


def _citation_numbers(passages: Sequence[PassageLike]) -> dict[str, int]:
    numbers: dict[str, int] = {}
    for p in passages:
        numbers.setdefault(p.id, len(numbers) + 1)
    return numbers


def _refusal(best: float, threshold: float, evidence: list[Evidence], generator: str) -> GroundedAnswer:
    reason = ("nothing was retrieved" if not evidence else
              f"the best evidence scores {best:.2f}, below the {threshold:.2f} threshold")
    return GroundedAnswer(True, f"{REFUSAL}: {reason}.", [], evidence, best, threshold, [], generator)


def extractive_answer(question: str, passages: Sequence[PassageLike], encode: Encoder,
                      threshold: float = 0.45, max_sentences: int = 2) -> GroundedAnswer:
    """Answer with the retrieved sentences closest to the question, each with a citation.

    Parameters
    ----------
    question : str
        The user question (must not be empty).
    passages : sequence of passages
        Retrieved context, best first; citation ``[n]`` is the passage's position (1-based).
    encode : callable
        Texts -> unit-normalised vectors.
    threshold : float
        Minimum cosine similarity of the best sentence; below it the answer is a refusal.
    max_sentences : int
        Sentences in the answer: the best ones that clear the threshold, shown in that order.

    Returns
    -------
    GroundedAnswer
    """
    if not question.strip():
        raise ValueError("type a question first: the question is empty")
    if max_sentences < 1:
        raise ValueError("the answer needs at least one sentence")
    evidence = rank_evidence(question, passages, encode)
    best = evidence[0].score if evidence else 0.0
    if best < threshold:
        return _refusal(best, threshold, evidence, "extractive")
    numbers = _citation_numbers(passages)
    chosen = [e for e in evidence if e.score >= threshold][:max_sentences]
    text = " ".join(f"{e.sentence} [{numbers[e.passage_id]}]" for e in chosen)
    cited = sorted({numbers[e.passage_id] for e in chosen})
    titles = {p.id: p.title for p in passages}
    ids = {n: pid for pid, n in numbers.items()}
    citations = [(n, ids[n], titles[ids[n]]) for n in cited]
    return GroundedAnswer(False, text, citations, evidence, best, threshold,
                          [e.sentence for e in chosen], "extractive")


# ---- optional local generative model ---------------------------------------------------------
_CAUSAL_HINTS = ("ForCausalLM", "LMHeadModel", "ForConditionalGeneration")


def check_generator_path(path: str | os.PathLike) -> Path:
    """Validate a local generative-model folder; raise ``ValueError`` with a clear reason.

    The folder must exist, hold a ``config.json`` and declare a causal-LM architecture
    (``...ForCausalLM`` / ``...LMHeadModel``). An embedding model such as the packaged MiniLM
    (``BertModel``) is rejected: it cannot write text. Messages never quote the file's content.
    """
    folder = check_model_path(path)
    typed = str(path).strip()[:200]
    try:
        data = json.loads((folder / "config.json").read_text(encoding="utf-8"))
        architectures = data.get("architectures") or []
    except (OSError, ValueError, AttributeError):
        raise ValueError(f"{typed} has no readable config.json: not a transformers generative model folder") from None
    if not isinstance(architectures, list) or not any(
            isinstance(a, str) and a.endswith(_CAUSAL_HINTS) for a in architectures):
        raise ValueError(f"{typed} is not a generative (causal language) model: its config.json "
                         "declares no ...ForCausalLM or ...LMHeadModel architecture")
    return folder


@lru_cache(maxsize=2)
def load_generator(path: str):
    """Load tokenizer and causal LM from a checked local folder (never from the network)."""
    offline()
    from transformers import AutoModelForCausalLM, AutoTokenizer

    folder = str(check_generator_path(path))
    try:
        tokenizer = AutoTokenizer.from_pretrained(folder, local_files_only=True)
        model = AutoModelForCausalLM.from_pretrained(folder, local_files_only=True)
    except Exception as err:  # noqa: BLE001 - unpickling, safetensors, tokenizer errors become one message
        raise ValueError(f"could not load a generative model from {Path(folder).name} ({type(err).__name__}): "
                         "its weights or tokenizer files are missing, truncated or not safe to load") from None
    model.eval()
    return tokenizer, model


def build_prompt(question: str, passages: Sequence[PassageLike]) -> str:
    """The grounded prompt: instructions, numbered context, the question."""
    context = "\n".join(f"[{n}] {p.title}: {' '.join(p.text.split())}"
                        for p, n in zip(passages, range(1, len(passages) + 1)))
    return ("Answer the question using only the numbered context. Cite sources as [n]. "
            "If the context does not contain the answer, say you don't know.\n\n"
            f"Context:\n{context}\n\nQuestion: {question.strip()}\nAnswer:")


def generate_answer(question: str, passages: Sequence[PassageLike], encode: Encoder, model_path: str,
                    threshold: float = 0.45, max_new_tokens: int = 96) -> GroundedAnswer:
    """Answer with a local causal LM over the numbered context (greedy decoding).

    The refusal rule is the same as :func:`extractive_answer`: below ``threshold`` the model is
    not called at all. Citations are the passages the generated text marks with ``[n]``.
    """
    if not question.strip():
        raise ValueError("type a question first: the question is empty")
    folder = check_generator_path(model_path)
    evidence = rank_evidence(question, passages, encode)
    best = evidence[0].score if evidence else 0.0
    if best < threshold:
        return _refusal(best, threshold, evidence, folder.name)
    import torch

    tokenizer, model = load_generator(str(folder))
    inputs = tokenizer(build_prompt(question, passages), return_tensors="pt")
    limit = getattr(model.config, "max_position_embeddings", None) or getattr(model.config, "n_positions", None)
    if limit and inputs["input_ids"].shape[1] + max_new_tokens > limit:
        raise ValueError(f"the prompt ({inputs['input_ids'].shape[1]} tokens) plus {max_new_tokens} new "
                         f"tokens exceeds the model's {limit}-token context: retrieve fewer passages")
    with torch.no_grad():
        output = model.generate(**inputs, max_new_tokens=max_new_tokens, do_sample=False,
                                pad_token_id=tokenizer.pad_token_id or tokenizer.eos_token_id)
    text = tokenizer.decode(output[0, inputs["input_ids"].shape[1]:], skip_special_tokens=True).strip()
    marks = {int(m) for m in re.findall(r"\[(\d+)\]", text)}
    citations = [(n, p.id, p.title) for n, p in enumerate(passages, 1) if n in marks]
    return GroundedAnswer(False, text, citations, evidence, best, threshold, split_sentences(text),
                          folder.name)
