"""The RAG retrieval index shared by every RAG page and every session of the server process."""

from components.cache import cached
from playground.rag import index_store as ix


@cached("First load: embedding 3,396 passages with MiniLM (cached afterwards)…")
def load_index(progress=None) -> ix.RetrievalIndex:
    """The index over the shipped corpus (``ix.get_index``, which also keeps it on disk); its
    progress is shown while embeddings are computed."""
    return ix.get_index(progress=progress)
