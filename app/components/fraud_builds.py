"""Lesson 13's cached builds shared by its tabs: the simulated transaction stream and the three
models scored on the held-out week, and the held-out report they give (the numbers come from
:mod:`playground.cases.fraud` and :mod:`playground.cases.fraud_threshold`)."""

from __future__ import annotations

import pandas as pd

from components.cache import cached
from playground.cases import fraud
from playground.cases import fraud_threshold as ft


@cached("Simulating eight weeks of transactions …")
def stream(rate: float, drift: float, seed: int) -> pd.DataFrame:
    return fraud.simulate_transactions(rate, drift, seed=seed)


@cached("Training three models (plain, class weights, undersampling) …")
def static_scores(rate: float, drift: float, seed: int) -> tuple[pd.DataFrame, dict]:
    return fraud.static_split_scores(stream(rate, drift, seed), seed)


def held_out(rate: float, drift: float, seed: int, handling: str, friction: float, fee: float,
             rule: str, manual: float | None) -> ft.HeldOut:
    """The held-out week's curves, threshold and costs (sections 1 and 2)."""
    test, scores = static_scores(rate, drift, seed)
    return ft.held_out(test, scores, handling, friction, fee, rule, manual)
