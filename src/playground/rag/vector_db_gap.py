"""Lesson 8: "just a vector DB" (dense retrieval only) against the full pipeline (hybrid retrieval
and a rerank) on the same labelled queries: recall of each overall and per query type, the queries
the vector DB fails (nothing relevant in its top k) and which of them the pipeline recovers."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Sequence

import numpy as np

from playground.rag import retrieval_eval as rev


@dataclass(frozen=True)
class DesignGap:
    """The two designs on the same queries (recall@k, a share in [0, 1]).

    ``full_mean`` and ``full_by_type`` are None while the pipeline's run is not ready; so are the
    recovered and missed queries then (empty tuples)."""

    naive_mean: float
    full_mean: float | None
    naive_by_type: dict  # query type -> mean recall@k of the vector DB
    full_by_type: dict | None  # query type -> mean recall@k of the pipeline
    failing: tuple  # positions of the queries whose vector-DB recall@k is 0
    recovered: tuple  # of those, the positions where the pipeline's recall@k is above 0
    missed: tuple  # of those, the positions where the pipeline's recall@k is 0 too


def compare(naive: Sequence[float], full: Sequence[float] | None, types: Sequence[str],
            order: Sequence[str]) -> DesignGap:
    """Compare the vector DB with the full pipeline query by query.

    Parameters
    ----------
    naive : sequence of float
        Recall@k of dense retrieval only, one value per query.
    full : sequence of float or None
        Recall@k of the full pipeline on the same queries, or None while it runs.
    types : sequence of str
        Each query's type; ``order`` the types to report, in this order.

    Returns
    -------
    DesignGap
        Means overall and per type, and the positions of the failing, recovered and missed queries.
    """
    naive_types = rev.mean_by_type(naive, types, order)
    failing = tuple(i for i, v in enumerate(naive) if v == 0)
    if full is None:
        return DesignGap(naive_types.pop("all"), None, naive_types, None, failing, (), ())
    if len(full) != len(naive):
        raise ValueError(f"the pipeline ran {len(full)} queries, the vector DB {len(naive)}")
    full_types = rev.mean_by_type(full, types, order)
    return DesignGap(naive_types.pop("all"), full_types.pop("all"), naive_types, full_types, failing,
                     tuple(i for i in failing if full[i] > 0), tuple(i for i in failing if full[i] == 0))


def example(gap: DesignGap, seed: int) -> int | None:
    """A failing query to show first: one the pipeline recovers when there is any, else one both
    designs miss, drawn with ``seed`` (None when the vector DB fails no query or the pipeline's
    run is not ready)."""
    pool = gap.recovered or gap.missed
    if not pool:
        return None
    return pool[int(np.random.default_rng(seed).integers(len(pool)))]
