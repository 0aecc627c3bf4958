"""Lesson 6: sample-ratio mismatch, a chi-square goodness-of-fit test of the observed split."""

from __future__ import annotations

import re
from dataclasses import dataclass

import numpy as np
from scipy import stats


@dataclass(frozen=True)
class SrmResult:
    """Chi-square goodness-of-fit test of the observed split.

    Attributes
    ----------
    observed, expected : ndarray
        Users per arm, and what the intended split predicts.
    chi2 : float
    p_value : float
    mismatch : bool
        True when ``p_value`` is below the threshold: do not trust the experiment's results.
    """

    observed: np.ndarray
    expected: np.ndarray
    chi2: float
    p_value: float
    threshold: float

    @property
    def mismatch(self) -> bool:
        return self.p_value < self.threshold


def parse_counts(text: str) -> list[int]:
    """Parse users per arm typed as ``"50123, 49877"`` (commas, spaces or semicolons)."""
    parts = [p for p in re.split(r"[,\s;]+", (text or "").strip()) if p]
    if len(parts) < 2:
        raise ValueError("type at least two counts, one per arm, e.g. 50123, 49877")
    if len(parts) > 10:
        raise ValueError("at most 10 arms")
    counts = []
    for part in parts:
        clean = part.replace("_", "")
        if not clean.isdigit():
            raise ValueError(f"{part[:20]!r} is not a whole number of users")
        if int(clean) > 10**12:  # no population is larger, and huge counts overflow float
            raise ValueError(f"a {len(clean.lstrip('0'))}-digit count of users: at most 10^12 per arm")
        counts.append(int(clean))
    return counts


def srm_test(observed, shares=None, threshold: float = 0.001) -> SrmResult:
    """Sample-ratio-mismatch check: Pearson chi-square of observed users per arm vs the design.

    Parameters
    ----------
    observed : sequence of int
        Users counted in each arm.
    shares : sequence of float, optional
        Intended share of each arm (normalised); equal shares by default.
    threshold : float
        p-value below which the split is declared broken (0.001 is the usual, strict, choice:
        the check runs on every experiment).
    """
    obs = np.asarray(observed, dtype=float)
    if obs.ndim != 1 or obs.size < 2:
        raise ValueError("need the user counts of at least two arms")
    if np.any(obs < 0) or obs.sum() <= 0:
        raise ValueError("user counts must be non-negative and not all zero")
    shares = np.full(obs.size, 1.0 / obs.size) if shares is None else np.asarray(shares, dtype=float)
    if shares.shape != obs.shape:
        raise ValueError(f"{obs.size} counts but {shares.size} intended shares")
    if np.any(shares <= 0):
        raise ValueError("every intended share must be positive")
    expected = obs.sum() * shares / shares.sum()
    chi2 = float(((obs - expected) ** 2 / expected).sum())
    p = float(stats.chi2.sf(chi2, obs.size - 1))
    return SrmResult(obs, expected, chi2, p, threshold)


def check_split(counts_text: str, first_share: float,
                fallback: tuple[list[int], float] | None = None) -> SrmResult:
    """SRM test of the users per arm typed in ``counts_text`` (see :func:`parse_counts`) against a
    design that sends ``first_share`` of users to the first of two arms (more arms: an equal
    split). With nothing typed, test ``fallback`` = (counts, share of the first arm) instead."""
    if counts_text.strip():
        counts = parse_counts(counts_text)
    elif fallback is not None:
        counts, first_share = fallback
    else:
        raise ValueError("no counts to check: type the users per arm")
    return srm_test(counts, [first_share, 1 - first_share] if len(counts) == 2 else None)
