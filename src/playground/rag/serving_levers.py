"""Lesson 10: three serving levers of today's LLM stacks, each a closed form with a simulation
or hand-worked check.

Continuous vs static batching
    Static batching keeps a batch of ``B`` requests on the GPU until its longest answer is done:
    a slot whose request finished idles. Continuous (in-flight) batching refills a slot at the
    next decode step. Over a stream of answers of lengths :math:`L_i`, static batching needs
    :math:`\\sum_\\text{batches} \\max_{i \\in b} L_i` decode steps, continuous about
    :math:`\\lceil \\sum_i L_i / B \\rceil`; slot utilisation is useful tokens ÷ (steps × B).
Speculative decoding (Leviathan et al., 2023)
    A draft model proposes ``gamma`` tokens, the target verifies them in one forward pass; each
    is accepted with probability ``alpha`` (i.i.d.), and the pass always yields one more token.
    Expected tokens per target pass: :math:`(1 - \\alpha^{\\gamma+1}) / (1 - \\alpha)`; with a draft
    that costs ``c`` target passes per token, the wall-clock speed-up is that divided by
    :math:`\\gamma c + 1`.
Model routing
    A router sends queries it judges easy to a small model. With a share ``easy`` of easy
    queries, a router that sends an easy query to the small model with probability ``tpr`` and a
    hard one with probability ``fpr``, the small share is :math:`s = e\\,\\mathrm{tpr} + (1-e)\\,\\mathrm{fpr}`,
    the cost per request :math:`s\\,c_s + (1-s)\\,c_l` and the quality lost
    :math:`(1-e)\\,\\mathrm{fpr}\\,(q_l - q_{s,\\text{hard}})` (the small model is assumed as good as
    the large one on easy queries).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Sequence

import numpy as np


@dataclass(frozen=True)
class Batching:
    """Decode steps and slot utilisation of a stream of answers under one batching policy."""

    steps: int
    utilisation: float


def static_batching(lengths: Sequence[int], batch: int) -> Batching:
    """Requests taken ``batch`` at a time in arrival order; each batch runs to its longest answer."""
    lengths = _check_lengths(lengths, batch)
    steps = sum(max(lengths[i:i + batch]) for i in range(0, len(lengths), batch))
    return Batching(steps, sum(lengths) / (steps * batch))


def continuous_batching(lengths: Sequence[int], batch: int) -> Batching:
    """Every finished slot takes the next waiting request at the next step (simulated step by
    step; all requests waiting from the start)."""
    lengths = _check_lengths(lengths, batch)
    queue = list(lengths)
    slots: list[int] = []
    steps = 0
    while queue or slots:
        while queue and len(slots) < batch:
            slots.append(queue.pop(0))
        steps += 1
        slots = [left - 1 for left in slots if left > 1]
    return Batching(steps, sum(lengths) / (steps * batch))


def batching_sweep(lengths: Sequence[int], slot_counts: Sequence[int]) -> tuple[list[Batching], list[Batching]]:
    """:func:`static_batching` and :func:`continuous_batching` of ``lengths`` at each slot count."""
    return ([static_batching(lengths, b) for b in slot_counts],
            [continuous_batching(lengths, b) for b in slot_counts])


@dataclass(frozen=True)
class BatchingGain:
    """Static vs continuous batching of one stream at one slot count.

    Attributes
    ----------
    slots : int
        Batch slots.
    tokens : int
        Tokens of all answers, :math:`\\sum_i L_i`.
    static, continuous : Batching
        The two policies at ``slots``.
    """

    slots: int
    tokens: int
    static: Batching
    continuous: Batching

    @property
    def steps_saved(self) -> float:
        """Share of static batching's decode steps that continuous batching saves."""
        return 1 - self.continuous.steps / self.static.steps

    @property
    def ideal_steps(self) -> int:
        """:math:`\\lceil \\sum_i L_i / B \\rceil`: steps with every slot busy at every step."""
        return -(-self.tokens // self.slots)


def batching_gain(lengths: Sequence[int], batch: int, slot_counts: Sequence[int],
                  static: Sequence[Batching], continuous: Sequence[Batching]) -> BatchingGain:
    """The comparison at the slot count in ``slot_counts`` nearest ``batch`` (the first on a tie),
    taken from sweeps ``static`` and ``continuous`` over ``slot_counts`` of the stream ``lengths``."""
    if not (len(slot_counts) == len(static) == len(continuous) > 0):
        raise ValueError("give one static and one continuous result per slot count")
    i = min(range(len(slot_counts)), key=lambda j: abs(slot_counts[j] - batch))
    return BatchingGain(int(slot_counts[i]), sum(_check_lengths(lengths, batch)), static[i], continuous[i])


def answer_lengths(n: int, mean_tokens: float, seed: int) -> list[int]:
    """``n`` answer lengths (tokens) when every decoded token is the end-of-sequence token with
    probability ``1 / mean_tokens``: geometric on {1, 2, ...} with mean ``mean_tokens`` (scipy's
    ``geom`` convention), the long-tailed spread that makes static batching idle."""
    if n < 1 or mean_tokens < 1:
        raise ValueError("need at least one answer and a mean of at least one token")
    return np.random.default_rng(seed).geometric(1 / mean_tokens, n).tolist()


def _check_lengths(lengths: Sequence[int], batch: int) -> list[int]:
    if batch < 1:
        raise ValueError(f"the batch needs at least one slot (got {batch})")
    lengths = [int(n) for n in lengths]
    if not lengths or min(lengths) < 1:
        raise ValueError("give at least one answer, each at least one token long")
    return lengths


def speculative_tokens_per_pass(alpha: float, gamma: int) -> float:
    """Expected tokens per target forward pass, :math:`(1-\\alpha^{\\gamma+1})/(1-\\alpha)`
    (:math:`\\gamma + 1` when every draft token is accepted)."""
    if not 0 <= alpha <= 1 or gamma < 0:
        raise ValueError("the acceptance rate must be in [0, 1] and the draft length >= 0")
    if alpha == 1:
        return float(gamma + 1)
    return (1 - alpha ** (gamma + 1)) / (1 - alpha)


def speculative_speedup(alpha: float, gamma: int, draft_cost: float) -> float:
    """Wall-clock speed-up over plain decoding: tokens per pass ÷ (``gamma`` × ``draft_cost`` + 1),
    ``draft_cost`` = time of one draft token ÷ time of one target pass."""
    if draft_cost < 0:
        raise ValueError("the draft model's cost cannot be negative")
    return speculative_tokens_per_pass(alpha, gamma) / (gamma * draft_cost + 1)


def speedup_curve(alpha: float, gammas: Sequence[int], draft_cost: float) -> list[float]:
    """:func:`speculative_speedup` at each draft length in ``gammas`` (× plain decoding)."""
    return [speculative_speedup(alpha, g, draft_cost) for g in gammas]


def simulate_speculative(alpha: float, gamma: int, passes: int, seed: int) -> float:
    """Monte Carlo tokens per target pass: accept draft tokens until the first rejection (at most
    ``gamma``), plus the one token the target adds."""
    rng = np.random.default_rng(seed)
    accepted = rng.random((passes, gamma)) < alpha
    run = np.where(accepted.all(axis=1), gamma, np.argmin(accepted, axis=1))
    return float(np.mean(run + 1))


@dataclass(frozen=True)
class Routing:
    """Share sent to the small model, cost per request, answer quality, the saving relative to
    sending everything to the large model, and the quality change relative to it."""

    small_share: float
    cost_per_request: float
    quality: float
    saving: float
    quality_change: float


def route(easy: float, tpr: float, fpr: float, cost_small: float, cost_large: float,
          quality_large: float, quality_small_hard: float) -> Routing:
    """Cost and quality of a small/large router (see the module docstring)."""
    for name, v in (("easy share", easy), ("tpr", tpr), ("fpr", fpr)):
        if not 0 <= v <= 1:
            raise ValueError(f"the {name} must be between 0 and 1 (got {v})")
    if cost_small < 0 or cost_large <= 0:
        raise ValueError("costs must be positive")
    small = easy * tpr + (1 - easy) * fpr
    cost = small * cost_small + (1 - small) * cost_large
    quality = quality_large - (1 - easy) * fpr * (quality_large - quality_small_hard)
    return Routing(small, cost, quality, 1 - cost / cost_large, quality - quality_large)
