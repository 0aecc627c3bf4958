"""The RAG retrieval index shared by every RAG page and every session of the server process."""

from components.page import LessonPage
from playground.rag import corpus as rc
from playground.rag import index_store as ix


def load_index() -> ix.RetrievalIndex:
    """The index over the shipped corpus, built once per process (``ix.get_index``); the first
    build without a disk cache shows its progress."""
    n = len(rc.load_passages())
    return LessonPage.with_progress(f"First load: embedding {n:,} passages with MiniLM (cached afterwards)…",
                                    ix.index_on_disk(), lambda progress: ix.get_index(progress=progress))
