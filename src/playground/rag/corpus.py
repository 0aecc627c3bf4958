"""The shipped RAG corpus (Python's own documentation) and its labelled queries.

Files in ``data/samples/rag/`` (see its README for provenance):
``documents.jsonl`` (whole documents), ``passages.jsonl`` (the retrieval units, each with its
character span in its document), ``queries.jsonl`` (queries with type and ``pair_id``) and
``qrels.tsv`` (graded relevance: 2 = answers the query, 1 = related / partly answers).
"""

from __future__ import annotations

import csv
import hashlib
import json
from collections import Counter
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

DATA = Path(__file__).resolve().parents[3] / "data" / "samples" / "rag"
CACHE = Path(__file__).resolve().parents[3] / ".cache" / "rag"
QUERY_TYPES = ("rare_entity", "paraphrase", "multi_hop", "general")
TYPE_LABELS = {"rare_entity": "rare entity / exact identifier", "paraphrase": "paraphrase (no word overlap)",
               "multi_hop": "multi-hop / ambiguous", "general": "general"}


@dataclass(frozen=True)
class Passage:
    """One retrievable passage.

    Parameters
    ----------
    id : str
        Stable id, ``"<title>#<n>"`` (e.g. ``"json.dumps#0"``).
    title : str
        The documented object or topic (e.g. ``"json.dumps"``, ``"topic formatstrings"``).
    text : str
        The passage text (without the title).
    source : str
        Where it came from (``"docstring:json"``, ``"pydoc_data.topics:formatstrings"``).
    doc_id : str
        The document it belongs to; ``start``/``end`` are its character span there.
    """

    id: str
    title: str
    text: str
    source: str
    doc_id: str = ""
    start: int = 0
    end: int = 0

    @property
    def indexed_text(self) -> str:
        """What the retrievers index: the heading (object name) and the text."""
        return f"{self.title}\n{self.text}"


@dataclass(frozen=True)
class Document:
    """A whole source document (a module's docstrings or one pydoc topic)."""

    id: str
    source: str
    text: str


@dataclass(frozen=True)
class Query:
    """A labelled query.

    Parameters
    ----------
    id : str
        Query id (``"q001"``).
    text : str
        The query as a user would type it.
    type : str
        One of :data:`QUERY_TYPES`.
    relevant : dict
        Passage id -> grade (2 answers the query, 1 related).
    pair_id : str or None
        Queries sharing a ``pair_id`` ask for the same thing in different words.
    """

    id: str
    text: str
    type: str
    relevant: dict = field(default_factory=dict)
    pair_id: str | None = None


def _read_jsonl(path: Path) -> list[dict]:
    with open(path, encoding="utf-8") as fh:
        return [json.loads(line) for line in fh if line.strip()]


@lru_cache(maxsize=1)
def _passages() -> tuple[Passage, ...]:
    return tuple(Passage(**row) for row in _read_jsonl(DATA / "passages.jsonl"))


def load_passages() -> list[Passage]:
    """Every passage of the shipped corpus, in file order."""
    return list(_passages())


@lru_cache(maxsize=1)
def _documents() -> tuple[Document, ...]:
    return tuple(Document(**row) for row in _read_jsonl(DATA / "documents.jsonl"))


def load_documents() -> list[Document]:
    """Every whole document (module or topic) the passages were cut from."""
    return list(_documents())


def load_qrels() -> dict[str, dict[str, int]]:
    """Query id -> {passage id: grade} from ``qrels.tsv`` (TREC-like: query, passage, grade)."""
    qrels: dict[str, dict[str, int]] = {}
    with open(DATA / "qrels.tsv", encoding="utf-8") as fh:
        for row in csv.DictReader(fh, delimiter="\t"):
            qrels.setdefault(row["query_id"], {})[row["passage_id"]] = int(row["grade"])
    return qrels


@lru_cache(maxsize=1)
def _queries() -> tuple[Query, ...]:
    qrels = load_qrels()
    return tuple(Query(row["id"], row["text"], row["type"], dict(qrels.get(row["id"], {})),
                       row.get("pair_id"))
                 for row in _read_jsonl(DATA / "queries.jsonl"))


def load_queries() -> list[Query]:
    """Every labelled query with its graded relevant passages."""
    return list(_queries())


def type_counts(queries: list[Query]) -> dict[str, int]:
    """Number of queries per type, in :data:`QUERY_TYPES` order."""
    counts = Counter(q.type for q in queries)
    return {t: counts.get(t, 0) for t in QUERY_TYPES}


def content_hash(*parts: str) -> str:
    """Short SHA-256 of the given strings (used to key on-disk caches)."""
    digest = hashlib.sha256()
    for part in parts:
        digest.update(part.encode("utf-8"))
        digest.update(b"\x00")
    return digest.hexdigest()[:16]


def corpus_hash() -> str:
    """Content hash of the passages as indexed (ids and texts)."""
    return content_hash(*(f"{p.id}\t{p.indexed_text}" for p in _passages()))
