"""The RAG retrieval index shared by every RAG page and every session of the server process."""

from components.cache import cached
from playground.rag import corpus as rc
from playground.rag import index_store as ix


@cached(lambda: f"First load: the retrieval index over {len(rc.load_passages()):,} passages (their MiniLM "
               "vectors ship; computed only when they do not match the installed model)…")
def load_index(progress=None) -> ix.RetrievalIndex:
    """The index over the shipped corpus (``ix.get_index``, which also keeps it on disk); its
    progress is shown while embeddings are computed (never when the shipped vectors match)."""
    return ix.get_index(progress=progress)
