"""The RAG retrieval index shared by every RAG page and every session of the server process."""

from components.cache import cached
from playground.rag import retrieval as rt


@cached("First load: embedding 3,396 passages with MiniLM (cached afterwards)…")
def load_index(progress=None) -> rt.RetrievalIndex:
    """The index over the shipped corpus (``rt.get_index``, which also keeps it on disk); its
    progress is shown while embeddings are computed."""
    return rt.get_index(progress=progress)
