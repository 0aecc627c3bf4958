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
from typing import Sequence

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
