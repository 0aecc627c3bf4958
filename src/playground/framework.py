"""Lesson 0: the 6-step framework for a 45-minute ML system design round, as data.

Steps, default time budgets (minutes, summing to 45), a checklist per step that applies to every
prompt, and the prompt-specific item each case study adds to a step.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np


ROUND_MINUTES = 45


@dataclass(frozen=True)
class Step:
    """One step of the framework.

    Parameters
    ----------
    key : str
        Short id ("s1" ... "s6").
    name : str
        Step name.
    minutes : int
        Default time budget in minutes.
    checklist : tuple of str
        What the step must cover, for every prompt.
    """

    key: str
    name: str
    minutes: int
    checklist: tuple[str, ...]


STEPS: tuple[Step, ...] = (
    Step("s1", "Clarify the problem and requirements", 5, (
        "Business goal stated in one sentence",
        "Users, scale (DAU, items, QPS) and latency budget",
        "Constraints: freshness, privacy, cold start",
        "What is in scope and out of scope",
    )),
    Step("s2", "Frame it as ML and pick metrics", 6, (
        "ML task and label defined (what is a positive?)",
        "Offline metric tied to the task",
        "Online / business metric and a guardrail",
        "Why the proxy can diverge from the business metric",
    )),
    Step("s3", "Data and features", 8, (
        "Where labels come from and their delay",
        "Feature groups: user, item, context, cross",
        "Point-in-time correctness and train/serve consistency",
        "Sampling: negatives, imbalance, position bias",
    )),
    Step("s4", "Model", 10, (
        "A simple baseline first",
        "Architecture with the reason it fits (e.g. retrieval + ranking)",
        "Loss and training set-up",
        "Calibration or output form the product needs",
    )),
    Step("s5", "Serving and scale", 9, (
        "Request path with a latency budget per stage",
        "Index / cache / precomputation choices",
        "Capacity: QPS, replicas, memory sizing",
        "Fallbacks when a component is slow or down",
    )),
    Step("s6", "Evaluation, launch and monitoring", 7, (
        "Offline evaluation protocol",
        "A/B test design: sample size, duration, novelty",
        "Monitoring: data drift, prediction drift, business metric",
        "Retraining policy and iteration plan",
    )),
)

PROMPTS: dict[str, dict[str, str]] = {
    "Video recommender (YouTube-style)": {
        "s2": "Watch time vs satisfaction: the clickbait failure of CTR",
        "s4": "Two-tower retrieval + multi-task ranker",
        "s5": "ANN index over hundreds of millions of videos",
    },
    "RAG search over internal docs": {
        "s1": "Corpus size, update frequency and answer latency",
        "s4": "Hybrid retrieval (BM25 + dense) and a reranker",
        "s6": "Faithfulness and context recall on a labelled set",
    },
    "Ad click-through-rate prediction": {
        "s2": "Calibrated pCTR (log loss), not just AUC",
        "s4": "Downsampling correction and calibration",
        "s6": "Counterfactual evaluation from logged propensities",
    },
    "Real-time payment fraud": {
        "s2": "PR-AUC and expected cost, not accuracy",
        "s3": "Velocity features over event-time windows",
        "s6": "Adversarial drift and label delay",
    },
    "Delivery ETA prediction": {
        "s2": "Quantile (P50 / P90) and pinball loss",
        "s3": "Spatial (zone) and temporal (rush hour, weather) features",
        "s6": "Coverage of the promise time and late-arrival rate",
    },
    "Multimodal image search (CLIP-style)": {
        "s4": "Dual encoder with contrastive (InfoNCE) loss",
        "s5": "Image embedding index and text-query encoder latency",
        "s6": "Recall@k in both directions on held-out pairs",
    },
}


def checklist(prompt: str, step: Step) -> tuple[str, ...]:
    """Checklist of ``step`` for ``prompt``: the shared items plus the prompt's own item."""
    extra = PROMPTS[prompt].get(step.key)
    return step.checklist + ((extra,) if extra else ())


def schedule(minutes: list[int]) -> np.ndarray:
    """Cumulative end time of each step in minutes (``schedule([5, 6]) -> [5, 11]``)."""
    budgets = np.asarray(minutes, dtype=float)
    if budgets.ndim != 1 or (budgets < 0).any():
        raise ValueError("budgets must be a list of non-negative minutes")
    return np.cumsum(budgets)


def step_at(minutes: list[int], elapsed_min: float) -> int | None:
    """Index of the step the clock says you should be on, or None once the budgets are used up."""
    ends = schedule(minutes)
    index = int(np.searchsorted(ends, elapsed_min, side="right"))
    return index if index < len(ends) else None


@dataclass(frozen=True)
class Coverage:
    """What a walk-through covered and skipped."""

    covered: int
    total: int
    skipped: dict[str, tuple[str, ...]]
    untouched_steps: tuple[str, ...]

    @property
    def share(self) -> float:
        """Fraction of checklist items covered (0 … 1)."""
        return self.covered / self.total if self.total else 0.0


def coverage(prompt: str, checked: dict[str, set[int]]) -> Coverage:
    """Summarise what was covered.

    Parameters
    ----------
    prompt : str
        One of :data:`PROMPTS`.
    checked : dict of step key -> set of item indices
        The items ticked in each step.
    """
    skipped: dict[str, tuple[str, ...]] = {}
    covered = total = 0
    untouched = []
    for step in STEPS:
        items = checklist(prompt, step)
        ticks = {i for i in checked.get(step.key, set()) if 0 <= i < len(items)}
        covered += len(ticks)
        total += len(items)
        missing = tuple(item for i, item in enumerate(items) if i not in ticks)
        if missing:
            skipped[step.name] = missing
        if not ticks:
            untouched.append(step.name)
    return Coverage(covered, total, skipped, tuple(untouched))


def checks(prompt: str, on: set[str] | None = None) -> dict[str, bool]:
    """Checkbox values ``{"s1_0": bool, ...}`` for ``prompt``: all ticked when ``on`` is None,
    else only the keys in ``on``."""
    keys = [f"{s.key}_{i}" for s in STEPS for i in range(len(checklist(prompt, s)))]
    return {key: on is None or key in on for key in keys}
