"""Lesson 0: the 6-step framework for a 45-minute ML system design round, as data.

Steps, default time budgets (minutes, summing to 45), a checklist per step that applies to every
prompt, and the prompt-specific item each case study adds to a step.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from playground.course import lesson


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


# ---- what a skipped or rushed step costs ---------------------------------------------------------
PROBES: dict[str, str] = {
    "s1": "Before we pick a model: who uses this, at what scale and what latency, and what does "
          "success mean for the business?",
    "s2": "What exactly is the label, and which metric would make you ship or roll back?",
    "s3": "Where do the labels come from, how late do they arrive, and how do you keep training "
          "features identical to serving features?",
    "s4": "Why this architecture rather than a simpler baseline, and what is the training objective?",
    "s5": "Walk me through one request: what runs where, within what latency, and what happens "
          "when a component is slow?",
    "s6": "How do you know it works after launch: the A/B test, and what you monitor?",
}
"""The interviewer's probe each step answers before it is asked."""

_RECSYS_LESSONS = {"s1": "l01", "s2": "l01", "s3": "l02", "s4": "l03", "s5": "l05", "s6": "l06"}
_RAG_LESSONS = {"s1": "l08", "s2": "l11", "s3": "l08", "s4": "l09", "s5": "l10", "s6": "l11"}
UNPLANNED_MINUTES: dict[str, int] = {**{s.key: s.minutes for s in STEPS}, "s4": 20}
"""A round without a plan: the model step eats 20 minutes (what the page opens with)."""

RUSHED_SHARE = 0.5
"""A step given less than this share of its framework budget counts as rushed."""


def graded_by(prompt: str, step_key: str) -> str:
    """The lesson whose grading (L4 ceiling vs L5 signal) a step of ``prompt`` is judged on: the
    RAG lessons for the RAG prompt, the recommender lessons (the classical canon every case study
    transfers) for the others."""
    if prompt not in PROMPTS:
        raise ValueError(f"unknown prompt {prompt!r}")
    return (_RAG_LESSONS if prompt.startswith("RAG") else _RECSYS_LESSONS)[step_key]


@dataclass(frozen=True)
class StepCost:
    """A step the round did not do justice to, and what it costs.

    Attributes
    ----------
    step : str
    status : str
        ``unanswered`` (the clock ran out before it), ``cut short`` (it was under way at 45
        minutes), ``rushed`` (under half its budget) or ``skipped`` (no checklist item covered).
    probe : str
        The question the interviewer asks to find the gap (with the prompt's own item).
    ceiling, signal : str
        The L4 ceiling this answer stays at and the L5 signal it misses (course data).
    lesson_id : str
    """

    step: str
    status: str
    probe: str
    ceiling: str
    signal: str
    lesson_id: str


def step_costs(prompt: str, minutes: list[int], checked: dict[str, set[int]] | None = None) -> list[StepCost]:
    """Every step that runs out of time, is rushed or is skipped, with its probe and grade cap.

    Parameters
    ----------
    prompt : str
        One of :data:`PROMPTS`.
    minutes : list of int
        Budget of each step, in the order of :data:`STEPS`.
    checked : dict of step key -> set of item indices, optional
        Checklist items covered; None ignores the checklist (time only).
    """
    if len(minutes) != len(STEPS):
        raise ValueError(f"give one budget per step ({len(STEPS)}), got {len(minutes)}")
    ends = schedule(minutes)
    starts = ends - np.asarray(minutes, dtype=float)
    out = []
    for step, start, end, budget in zip(STEPS, starts, ends, minutes):
        if start >= ROUND_MINUTES or budget == 0:
            status = "unanswered"
        elif end > ROUND_MINUTES:
            status = "cut short"
        elif budget < RUSHED_SHARE * step.minutes:
            status = "rushed"
        elif checked is not None and not checked.get(step.key):
            status = "skipped"
        else:
            continue
        extra = PROMPTS[prompt].get(step.key)
        probe = PROBES[step.key] + (f" For this prompt: {extra}?" if extra else "")
        graded = lesson(graded_by(prompt, step.key))
        out.append(StepCost(step.name, status, probe, graded.l4[0], graded.l5[0], graded.id))
    return out


def grade(costs: list[StepCost]) -> str:
    """``"L5 signal"`` when every step was done in time and covered, else ``"L4 ceiling"``."""
    return "L4 ceiling" if costs else "L5 signal"
