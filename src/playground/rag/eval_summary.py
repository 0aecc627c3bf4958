"""Lesson 11's summaries of an evaluated query set: what each tab of the page reports.

Inputs come from :func:`playground.rag.evaluation.evaluate_queries` (one
:class:`~playground.rag.evaluation.QueryEval` per query) and
:func:`playground.rag.evaluation.answer_records` (one row per candidate answer, with the three
judges' verdicts and the reference label ``faithful``):

- retrieval: mean context precision and recall@k, overall and per query type;
- generation: mean scores per kind of candidate answer;
- judges: Cohen's kappa of each pair of judges, their confusion counts, and how many unfaithful
  answers the judge that gates a release lets through.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Sequence

import numpy as np
import pandas as pd

from playground.rag import corpus as rc
from playground.rag import evaluation as ev

RETRIEVAL = ("context precision", "context recall")
SCORES = ("faithfulness_emb", "faithfulness_overlap", "fluency", "relevance", "words")
"""Columns of :func:`~playground.rag.evaluation.answer_records` averaged per kind of answer."""
JUDGES: dict[str, str] = {"embedding judge": "judge_emb", "overlap judge": "judge_overlap",
                          "fluency judge": "judge_fluency", "reference label": "faithful"}
"""Judge name -> its column of :func:`~playground.rag.evaluation.answer_records`."""
PAIRS: tuple[tuple[str, str], ...] = (("embedding judge", "overlap judge"), ("embedding judge", "reference label"),
                                      ("overlap judge", "reference label"), ("fluency judge", "reference label"))
"""The pairs of judges whose agreement the page reports, in its order."""


@dataclass(frozen=True)
class RetrievalSummary:
    """Context precision and recall@k of the evaluated queries.

    Attributes
    ----------
    per_query : pandas.DataFrame
        One row per query: ``query``, ``type`` (its label from :data:`playground.rag.corpus.TYPE_LABELS`),
        ``question``, ``context precision`` and ``context recall`` (shares, 0–1).
    by_type : pandas.DataFrame
        ``type`` and the mean ``context precision`` and ``context recall`` of its queries (0–1).
    precision, recall : float
        Mean context precision and recall@k over all queries (0–1).
    """

    per_query: pd.DataFrame
    by_type: pd.DataFrame
    precision: float
    recall: float


def retrieval_summary(evals: Sequence[ev.QueryEval]) -> RetrievalSummary:
    """Per query, per query type and overall means of context precision and recall@k."""
    if not evals:
        raise ValueError("no evaluated queries to summarise")
    per_query = pd.DataFrame([{"query": e.query_id, "type": rc.TYPE_LABELS.get(e.type, e.type), "question": e.question,
                               "context precision": e.context_precision, "context recall": e.context_recall}
                              for e in evals])
    by_type = per_query.groupby("type")[list(RETRIEVAL)].mean().reset_index()
    return RetrievalSummary(per_query, by_type, float(per_query["context precision"].mean()),
                            float(per_query["context recall"].mean()))


@dataclass(frozen=True)
class GenerationSummary:
    """Mean scores of the candidate answers, per kind.

    Attributes
    ----------
    by_kind : pandas.DataFrame
        Indexed by the kind's label (:data:`~playground.rag.evaluation.KINDS`, in order of first
        appearance); the mean of each of :data:`SCORES` (scores 0–1, ``words`` a count).
    fluency, faithfulness : dict[str, float]
        Each kind of :data:`~playground.rag.evaluation.KINDS` (``"grounded"``, ``"unrelated"``,
        ...) -> mean fluency and mean embedding faithfulness of its answers (0–1; NaN when no
        answer of that kind could be built).
    """

    by_kind: pd.DataFrame
    fluency: dict[str, float]
    faithfulness: dict[str, float]

    @property
    def separation(self) -> dict[str, float]:
        """How far each judge puts grounded answers above unrelated ones: ``{"fluency": ...,
        "faithfulness": ...}``, the difference of the two kinds' mean scores (score units, 0–1)."""
        return {name: scores["grounded"] - scores["unrelated"]
                for name, scores in (("fluency", self.fluency), ("faithfulness", self.faithfulness))}


def generation_summary(records: Sequence[dict]) -> GenerationSummary:
    """Mean scores per kind of answer, from :func:`~playground.rag.evaluation.answer_records`."""
    if not records:
        raise ValueError("no candidate answers to summarise")
    answers = pd.DataFrame(records)
    mean = {column: {kind: float(answers.loc[answers.kind == kind, column].mean()) for kind in ev.KINDS}
            for column in ("fluency", "faithfulness_emb")}
    return GenerationSummary(answers.groupby("label", sort=False)[list(SCORES)].mean(), mean["fluency"],
                             mean["faithfulness_emb"])


@dataclass(frozen=True)
class Agreement:
    """How the cheap judges agree with each other and with the reference labels.

    Attributes
    ----------
    kappas : dict[str, float]
        ``"<judge> vs <judge>"`` for each of :data:`PAIRS` -> Cohen's kappa (NaN when undefined:
        both always give the same single label).
    gate : str
        The judge that gates a release: the fluency judge for the naive design, else the
        embedding judge.
    passed_unfaithful, unfaithful : int
        Answers labelled unfaithful that the gate passes, and all answers labelled unfaithful.
    confusions : dict[tuple[str, str], numpy.ndarray]
        2×2 counts (:func:`~playground.rag.evaluation.confusion`) of the embedding vs overlap
        judge and of the gate vs the reference label.
    observed, chance : float
        Embedding vs overlap judge: the share of answers they label alike, ``p_o``, and the
        share expected by chance from their yes-rates, ``p_e = p_a p_b + (1 − p_a)(1 − p_b)``.
    """

    kappas: dict[str, float]
    gate: str
    passed_unfaithful: int
    unfaithful: int
    confusions: dict[tuple[str, str], np.ndarray]
    observed: float
    chance: float


def gate_judge(naive: bool) -> str:
    """The judge whose verdict gates a release: fluency in the naive design, else embedding support."""
    return "fluency judge" if naive else "embedding judge"


def judge_agreement(records: Sequence[dict], naive: bool) -> Agreement:
    """Kappas, confusion counts and the gate's misses over the answers of
    :func:`~playground.rag.evaluation.answer_records`."""
    if not records:
        raise ValueError("no candidate answers to judge")
    labels = {name: [bool(r[column]) for r in records] for name, column in JUDGES.items()}
    gate = gate_judge(naive)
    emb, ovl = labels["embedding judge"], labels["overlap judge"]
    p_a, p_b = sum(emb) / len(emb), sum(ovl) / len(ovl)
    return Agreement(
        kappas={f"{a} vs {b}": ev.cohen_kappa(labels[a], labels[b]) for a, b in PAIRS},
        gate=gate,
        passed_unfaithful=sum(g and not ref for g, ref in zip(labels[gate], labels["reference label"])),
        unfaithful=sum(not ref for ref in labels["reference label"]),
        confusions={pair: ev.confusion(labels[pair[0]], labels[pair[1]])
                    for pair in (("embedding judge", "overlap judge"), (gate, "reference label"))},
        observed=sum(x == y for x, y in zip(emb, ovl)) / len(emb),
        chance=p_a * p_b + (1 - p_a) * (1 - p_b))


def pick_query(evals: Sequence[ev.QueryEval], number: int) -> tuple[ev.QueryEval, bool]:
    """The ``number``-th evaluated query (1-based) and False, or the last one and True when fewer
    than ``number`` queries were evaluated."""
    if not evals:
        raise ValueError("no evaluated queries to inspect")
    if number < 1:
        raise ValueError(f"query numbers start at 1 (got {number})")
    return evals[min(number, len(evals)) - 1], number > len(evals)
