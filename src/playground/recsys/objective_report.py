"""What lesson 1's page reports about its simulated feeds: a run next to the production blend
(the headline numbers and their differences) and the trade-off frontier over the weight grid
(which weightings no other beats on both the proxy and the business metric, and the best one)."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from playground.recsys import objectives as ob

BUSINESS_COLUMNS: dict[ob.Business, str] = {ob.Business.RETENTION: "retention",
                                            ob.Business.SATISFACTION: "satisfaction"}
"""Business metric -> its column in :func:`playground.recsys.objectives.frontier`'s table."""


@dataclass(frozen=True)
class Comparison:
    """A run next to the production blend.

    Attributes
    ----------
    ctr_first, ctr_last : float
        CTR in the first week and in the last week with data (share of impressions clicked).
    ctr_change : float
        ``ctr_last − ctr_first`` (a difference of shares: shown in percentage points).
    retention_change : float
        The run's retention minus production's (share of all users; negative: the run keeps fewer).
    satisfaction_change : float
        The run's satisfaction per user-week minus production's (satisfaction units).
    churned : float
        Share of all users who left by the end of the run (``1 − retention``).
    verdict : playground.recsys.objectives.Verdict
        :func:`~playground.recsys.objectives.judge` of the run on the chosen proxy.
    """

    ctr_first: float
    ctr_last: float
    ctr_change: float
    retention_change: float
    satisfaction_change: float
    churned: float
    verdict: ob.Verdict


def compare(run: ob.Run, production: ob.Run, proxy_column: str) -> Comparison:
    """``run`` against ``production``; ``proxy_column`` is the weekly column the verdict reads
    (``"ctr"``, ``"watch_per_user"``)."""
    first = float(run.weekly["ctr"].iloc[0])
    last = float(run.weekly.dropna()["ctr"].iloc[-1])
    return Comparison(first, last, last - first, run.retention - production.retention,
                      run.satisfaction - production.satisfaction, 1 - run.retention,
                      ob.judge(run, production, proxy_column))


@dataclass(frozen=True)
class Frontier:
    """The trade-off frontier of a weight-grid table (one row per weighting).

    Attributes
    ----------
    on_front : numpy.ndarray of bool
        Per row of the table: no other weighting has both a higher proxy and a higher business
        metric (:func:`~playground.recsys.objectives.pareto_mask`).
    line : pandas.DataFrame
        The frontier rows, by increasing proxy (to draw the frontier as a line).
    best : pandas.Series
        The row with the highest business metric (its weights and metrics).
    business_column : str
        The table column of the business metric (``"retention"`` or ``"satisfaction"``).
    """

    on_front: np.ndarray
    line: pd.DataFrame
    best: pd.Series
    business_column: str

    @property
    def count(self) -> int:
        """Weightings on the frontier."""
        return int(self.on_front.sum())


def frontier_of(table: pd.DataFrame, proxy_column: str, business: ob.Business) -> Frontier:
    """The frontier of ``table`` (from :func:`~playground.recsys.objectives.frontier`) on
    ``proxy_column`` (``"ctr"`` or ``"watch"``) against ``business``."""
    y = BUSINESS_COLUMNS[ob.Business(business)]
    on_front = ob.pareto_mask(table[proxy_column].to_numpy(), table[y].to_numpy())
    return Frontier(on_front, table[on_front].sort_values(proxy_column), table.loc[table[y].idxmax()], y)
