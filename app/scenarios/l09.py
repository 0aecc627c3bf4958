"""Scenarios of lesson 9's page (Retrieval and reranking, app/lessons/09_rag_retrieval.py): preset values for the
controls that page declares. The page passes them to ``LessonPage``; tests read them here."""

from playground.scenario import Preset

PRESETS: tuple[Preset, ...] = (
    Preset("naive", "Naive: dense retrieval only",
           "One embedding per passage and a vector search: watch the rare-entity rows and the error "
           "code in the explorer.",
           {"live_method": "dense", "query": "dirs_exist_ok", "explore_type": "rare_entity",
            "explore_q": "q001: dirs_exist_ok", "view": "Query explorer"}),
    Preset("production", "Production: hybrid + rerank",
           "BM25 and dense fused by weighted score fusion, the top-20 re-ordered by the MaxSim "
           "reranker: compare its per-type bars with either retriever alone.",
           {"live_method": "rerank", "fusion": "weighted", "alpha": 0.5, "rerank_n": 20,
            "query": "hold off for a few moments before going on", "view": "Live search"}),
    Preset("dense_error_code", "Dense retrieval on an error code",
           "An exception name: dense retrieval returns passages about timeouts in general "
           "(TimeoutError, asyncio, socket) and ranks subprocess.TimeoutExpired only 10th; BM25 with "
           "the simple analyser puts it first, and the search-engine analyser, which splits it into "
           "time/out/expired, 2nd behind asyncio.Timeout.expired.",
           {"live_method": "dense", "query": "TimeoutExpired", "explore_type": "rare_entity",
            "explore_q": "q019: TimeoutExpired", "view": "Query explorer"}),
    Preset("bm25_paraphrase", "BM25 on a paraphrase",
           "Everyday words that never appear in the answer: BM25 scores the answer 0 and returns "
           "passages that share incidental words.",
           {"live_method": "bm25", "query": "quit the whole program right now",
            "explore_type": "paraphrase", "view": "Live search"}),
)
