"""Text analysers for BM25: what turns a passage or a query into index terms.

Two analysers (:data:`ANALYZERS`):

``simple``
    Lowercase runs of letters, digits and underscores minus a few stopwords. ``os.path.join``
    gives ``os path join``, but ``assertRaisesRegex`` stays one term and ``members`` never
    matches ``member``.
``search``
    What a search engine's analyser does (Lucene/Elasticsearch's word-delimiter filter followed
    by a Snowball stemmer): every identifier is split on punctuation, underscores, case changes
    and digit runs, and also **kept whole** (lowercased, unstemmed) so an exact identifier still
    outscores its parts; the parts are lowercased, stopwords dropped and stemmed with the
    Snowball English (Porter 2) stemmer of the ``snowballstemmer`` package.

    ``assertRaisesRegex`` -> ``assertraisesregex assert rais regex``;
    ``dirs_exist_ok`` -> ``dirs_exist_ok dir exist ok``; ``members`` -> ``member``.
"""

from __future__ import annotations

import re
from functools import lru_cache

ANALYZERS = ("simple", "search")
ANALYZER_LABELS = {"simple": "simple (lowercase words)",
                   "search": "search engine (split identifiers + stem)"}
STOPWORDS = frozenset(
    "a an and are as at be by can do does for from how i if in into is it its me my of on or "
    "that the their then there these this to was what when where which while who why will with "
    "you your".split())
_SIMPLE = re.compile(r"[a-z0-9_]+")
_IDENTIFIER = re.compile(r"[A-Za-z0-9_]+(?:\.[A-Za-z0-9_]+)*")
# camelCase / PascalCase / ACRONYMWord / digits: "HTTPServerError2" -> HTTP Server Error 2
_PART = re.compile(r"[A-Z]+(?=[A-Z][a-z])|[A-Z]?[a-z]+|[A-Z]+|[0-9]+")


def simple(text: str) -> list[str]:
    """The ``simple`` analyser: lowercase ``[a-z0-9_]+`` runs minus :data:`STOPWORDS`."""
    return [t for t in _SIMPLE.findall(text.lower()) if t not in STOPWORDS]


@lru_cache(maxsize=1)
def _stemmer():
    import snowballstemmer

    return snowballstemmer.stemmer("english")


@lru_cache(maxsize=200_000)
def _stem(part: str) -> str:
    """The Snowball stem of one lowercase word part (identifiers share parts: the corpus's 13,289
    identifiers have 6,490 distinct parts, so each is stemmed once)."""
    return _stemmer().stemWord(part)


@lru_cache(maxsize=200_000)
def _analyse_identifier(raw: str) -> tuple[str, ...]:
    parts = [p.lower() for chunk in re.split(r"[._]+", raw) for p in _PART.findall(chunk)]
    stems = [_stem(p) for p in parts if p not in STOPWORDS]
    whole = raw.lower()
    if len(parts) > 1:
        return (whole, *stems)
    if raw.isupper() and len(raw) > 1:
        return (whole,)  # a constant or acronym (PYTHONHASHSEED, EOF): never stemmed
    return tuple(stems)  # a plain word: its stem only


def search(text: str) -> list[str]:
    """The ``search`` analyser: identifiers kept whole and split into stemmed parts."""
    out: list[str] = []
    for raw in _IDENTIFIER.findall(text):
        out.extend(_analyse_identifier(raw))
    return out


def analyse(text: str, analyzer: str = "search") -> list[str]:
    """Terms of ``text`` under ``analyzer`` (one of :data:`ANALYZERS`)."""
    if analyzer == "simple":
        return simple(text)
    if analyzer == "search":
        return search(text)
    raise ValueError(f"unknown analyser {analyzer!r}; choose one of {', '.join(ANALYZERS)}")
