"""Query understanding, the simplest useful step: detect identifier-like queries (code symbols,
error names, environment variables) and send them to BM25, everything else to dense retrieval.

A token is identifier-like when its shape says code: ``snake_case``, a dotted path
(``os.path.splitext``), a call (``f()``), an inner capital (``assertCountEqual``,
``CalledProcessError``), all capitals of 6+ letters (``PYTHONHASHSEED``, ``SIGALRM``; shorter ones are
acronyms such as CSV or HTTP) or letters
mixed with digits (``crc32``, ``E501``). A plain lowercase word (``casefold``) is not: the rule
reads shape only, and the lesson shows what that misses.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Sequence

from playground.rag import retrieval_eval as rev

_IDENT = re.compile(r"""
    \w+_\w*            # snake_case (or a trailing underscore)
  | \w+(?:\.\w+)+      # dotted path
  | \w+\(\)?           # a call
  | [a-z]+[A-Z]\w*     # camelCase
  | [A-Z][a-z]+[A-Z]\w*  # CamelCase with an inner capital
  | [A-Z][A-Z_]{5,}\d*  # ALLCAPS of 6+ (shorter: an acronym such as CSV, HTTP, JSON)
  | [A-Za-z]+\d+\w*    # letters then digits
""", re.VERBOSE)


def is_identifier(query: str) -> bool:
    """Whether any whitespace-separated token of ``query`` has an identifier's shape."""
    return any(_IDENT.fullmatch(token.strip("`'\",;:?!")) for token in query.split())


def route(queries: Sequence[str], identifier: str = "bm25", other: str = "dense") -> list[str]:
    """The retriever each query is sent to."""
    return [identifier if is_identifier(q) else other for q in queries]


def routed(per_method: dict[str, Sequence[float]], queries: Sequence[str], identifier: str = "bm25",
           other: str = "dense") -> list[float]:
    """Per-query metric of the routed system: each query's value under the retriever it is routed to
    (``per_method[method][i]`` is query ``i``'s metric under ``method``)."""
    return [per_method[m][i] for i, m in enumerate(route(queries, identifier, other))]


def detector_counts(queries: Sequence[str], is_entity: Sequence[bool]) -> dict[str, int]:
    """Confusion counts of :func:`is_identifier` against a label (e.g. ``type == "rare_entity"``):
    ``tp``, ``fp``, ``fn``, ``tn``."""
    pred = [is_identifier(q) for q in queries]
    pairs = list(zip(pred, is_entity))
    return {"tp": pairs.count((True, True)), "fp": pairs.count((True, False)),
            "fn": pairs.count((False, True)), "tn": pairs.count((False, False))}


@dataclass(frozen=True)
class RoutingSummary:
    """Dense only, BM25 only and the routed system on the same queries (metric in [0, 1])."""

    per_query: dict  # "dense", "bm25", "routed" -> the metric of each query
    mean: dict  # system -> mean over all queries
    by_type: dict  # system -> query type -> mean
    gain: float  # routed minus dense only
    counts: dict  # the detector's confusion counts (:func:`detector_counts`)
    n_entity: int  # queries of the entity type (tp + fn)
    n_other: int  # the other queries (fp + tn)


def summarise(per_method: dict[str, Sequence[float]], queries: Sequence[str], types: Sequence[str],
              order: Sequence[str], entity_type: str = "rare_entity") -> RoutingSummary:
    """Compare routing with either retriever alone.

    Parameters
    ----------
    per_method : dict
        ``"bm25"`` and ``"dense"`` -> the per-query metric (e.g. recall@5) in query order.
    queries : sequence of str
        The query texts; ``types`` their query types.
    order : sequence of str
        The query types to report, in this order.
    entity_type : str
        The type whose queries the detector should find (its confusion counts).

    Returns
    -------
    RoutingSummary
        Per-query values and means (overall and per type) of dense only, BM25 only and routed,
        routed minus dense (same unit as the metric), the detector's confusion counts and how
        many queries are of the entity type and of the others.
    """
    per_query = {"dense": list(per_method["dense"]), "bm25": list(per_method["bm25"]),
                 "routed": routed(per_method, queries)}
    by_type = {name: rev.mean_by_type(values, types, order) for name, values in per_query.items()}
    mean = {name: means.pop("all") for name, means in by_type.items()}
    counts = detector_counts(queries, [t == entity_type for t in types])
    return RoutingSummary(per_query, mean, by_type, mean["routed"] - mean["dense"], counts,
                          counts["tp"] + counts["fn"], counts["fp"] + counts["tn"])
