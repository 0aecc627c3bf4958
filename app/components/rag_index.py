"""The RAG retrieval index shared by every RAG page and every session of the server process."""

from components.page import LessonPage
from playground.rag import retrieval as rt


def load_index() -> rt.RetrievalIndex:
    """The index over the shipped corpus, built once per process (``rt.get_index``); the first
    build without a disk cache shows its progress."""
    return LessonPage.with_progress("First load: embedding 3,396 passages with MiniLM (cached afterwards)…",
                                    rt.index_on_disk(), lambda progress: rt.get_index(progress=progress))
